#!/usr/bin/env bash
# Scale benchmark: `slareport run` (release build) on data sets written by
# `slareport generate`, against a yardstick: DuckDB scanning the same checks once (every
# timestamp parsed with its explicit format, rows grouped per series). Each tool runs in
# its own process; wall time and peak RSS are measured with /usr/bin/time.
#
#   bash bench/scale.sh                 # csv10m parquet10m csv50m (a few minutes)
#   bash bench/scale.sh csv10m customers pdfs
#
# Cases:
#   csv10m     10M checks, one CSV file, 20 customers
#   parquet10m the same checks as Parquet
#   csv50m     50M checks, one CSV file, 20 customers (peak RSS at scale)
#   customers  10,000 customers over the 50M checks of csv50m (also runs csv50m): the time
#              beyond csv50m is evaluation, CSVs and 10,000 PDFs
#   pdfs       10,000 customers against 20 over the same 1M checks: mostly 10,000 PDFs
#
# Each slareport run is timed per stage with `run --timings` (load and reduce, evaluate,
# CSVs, CSVs and PDFs, record and publish): printed under the table.
#
# Data is generated once per set of arguments (and generator source) into $BENCH_DIR (default
# $HOME/.cache/slareport-bench/generated/); DuckDB is installed from PyPI into a venv
# there. Disk: about 0.5 GB per 10M CSV rows.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/slareport-target}"
cache="${BENCH_DIR:-$HOME/.cache/slareport-bench}"
venv="$cache/duckdb-venv"
duckdb_version="1.5.6"
seed=42
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(csv10m parquet10m csv50m)
for c in "${cases[@]}"; do
  case "$c" in csv10m|parquet10m|csv50m|customers|pdfs) ;; *) echo "unknown case: $c (csv10m parquet10m csv50m customers pdfs)" >&2; exit 2 ;; esac
done

command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3 python3-venv; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }
cargo build --release --locked --quiet
bin="$CARGO_TARGET_DIR/release/slareport"
if ! "$venv/bin/python" -c "import duckdb; assert duckdb.__version__ == '$duckdb_version'" 2>/dev/null; then
  echo "installing duckdb $duckdb_version into $venv ..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "duckdb==$duckdb_version"
fi

# dataset FORMAT CHECKS CUSTOMERS: prints the folder of that set, generated on first use.
dataset() {
  local format="$1" checks="$2" customers="$3"
  local dir="$cache/generated/seed$seed-$format-$checks-c$customers"
  # Regenerated when the generator's source changed since (same arguments, new story).
  local stamp; stamp="slareport generate --seed $seed --checks $checks --customers $customers --format $format; src/generate.rs $(sha256sum src/generate.rs | cut -c1-16)"
  if [ "$(cat "$dir/GENERATED" 2>/dev/null)" != "$stamp" ]; then
    echo "generating $checks checks ($format), $customers customers into $dir ..." >&2
    rm -f "$dir/GENERATED"
    "$bin" generate "$dir" --seed "$seed" --checks "$checks" --customers "$customers" --format "$format" --force >&2
    echo "$stamp" > "$dir/GENERATED"
  fi
  echo "$dir"
}

yardstick="$cache/yardstick.py"
mkdir -p "$cache"
cat > "$yardstick" <<'PY'
# One scan of the checks: every timestamp parsed with its format, rows grouped per series.
import glob, sys, duckdb
folder = sys.argv[1]
files = sorted(glob.glob(folder + "/checks*.parquet"))
if files:
    source = f"read_parquet({files!r})"
else:
    files = sorted(glob.glob(folder + "/checks*.csv"))
    source = (f"read_csv({files!r}, header = true, timestampformat = '%Y-%m-%dT%H:%M:%SZ', "
              "columns = {'timestamp': 'TIMESTAMP', 'service': 'VARCHAR', 'region': 'VARCHAR', "
              "'location': 'VARCHAR', 'status': 'VARCHAR'})")
# (first and last fetched as text: Python needs pytz to receive a TIMESTAMPTZ)
rows = duckdb.sql(f"SELECT service, region, location, count(*) AS n, min(timestamp)::VARCHAR, max(timestamp)::VARCHAR "
                  f"FROM {source} GROUP BY ALL").fetchall()
print(sum(r[3] for r in rows))
PY

# measure OUTFILE CMD...: runs CMD under /usr/bin/time; prints "wall_seconds peak_kib".
measure() {
  local out="$1"; shift
  local t; t=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$t" "$@" > "$out" 2> "${errfile:-/dev/stderr}"
  cat "$t"; rm -f "$t"
}

declare -A wall
notes=()
rows_line=()
# bench LABEL DIR: the yardstick, then slareport; one table row.
bench() {
  local label="$1" dir="$2" tmp; tmp=$(mktemp -d)
  read -r dwall drss < <(measure "$tmp/rows" "$venv/bin/python" "$yardstick" "$dir")
  local rows; rows=$(cat "$tmp/rows")
  [ -n "$rows" ] || { echo "the DuckDB scan of $dir failed" >&2; exit 1; }
  read -r swall srss < <(errfile="$tmp/stderr" measure "$tmp/stdout" "$bin" run --timings --config "$dir/sla.toml" \
    --month 2026-10 --out "$tmp/reports" --as-of 2026-11-02T00:00:00Z --quiet)
  [ -f "$tmp/reports/2026-10/sla_monthly.csv" ] || { cat "$tmp/stderr" >&2; echo "slareport run on $dir failed" >&2; exit 1; }
  notes+=("$label: $(grep '^slareport: timings: ' "$tmp/stderr" | sed 's/^slareport: timings: //')")
  rm -rf "$tmp"
  wall[$label]="$swall"
  rows_line+=("$(python3 - "$label" "$rows" "$swall" "$dwall" "$srss" "$drss" <<'PY'
import sys
label, rows, s, d, srss, drss = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(f"| {label} | {rows:,} | {s:.2f} | {rows / s / 1e6:.2f} M | {d:.2f} | {s / d:.1f}x | {srss / 1024:,.0f} MiB (DuckDB {drss / 1024:,.0f} MiB) |")
PY
)")
  echo "${rows_line[-1]}" >&2
}

minus() { python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.2f}')" "$1" "$2"; }
want() { local c; for c in "${cases[@]}"; do [ "$c" = "$1" ] && return 0; done; return 1; }
want csv10m && bench "CSV, 10M checks, 20 customers" "$(dataset csv 10000000 20)"
want parquet10m && bench "Parquet, 10M checks, 20 customers" "$(dataset parquet 10000000 20)"
if want csv50m || want customers; then bench "CSV, 50M checks, 20 customers" "$(dataset csv 50000000 20)"; fi
if want customers; then
  bench "CSV, 50M checks, 10,000 customers" "$(dataset csv 50000000 10000)"
  notes+=("10,000 customers instead of 20 over the same 50M checks: +$(minus "${wall[CSV, 50M checks, 10,000 customers]}" "${wall[CSV, 50M checks, 20 customers]}") s (evaluation, CSVs and 10,000 PDFs)")
fi
if want pdfs; then
  bench "CSV, 1M checks, 20 customers" "$(dataset csv 1000000 20)"
  bench "CSV, 1M checks, 10,000 customers (PDFs)" "$(dataset csv 1000000 10000)"
  notes+=("10,000 customers instead of 20 over the same 1M checks: +$(minus "${wall[CSV, 1M checks, 10,000 customers (PDFs)]}" "${wall[CSV, 1M checks, 20 customers]}") s (mostly 10,000 PDFs)")
fi

echo
echo "slareport $("$bin" --version | cut -d' ' -f2), $(nproc) cores; DuckDB $duckdb_version (default threads); seed $seed, month 2026-10"
echo
echo "| input | rows | slareport s | rows/s | DuckDB scan s | ratio | peak RSS |"
echo "|---|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${rows_line[@]}"
for n in "${notes[@]}"; do echo; echo "$n"; done
