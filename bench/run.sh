#!/usr/bin/env bash
# Benchmark: wall time and peak memory of `slareport run` (release build) on the bundled
# sample data and on a generated data set of at least 5 million checks.
#
#   bash bench/run.sh [SCALE]      # SCALE multiplies the sample's series (default 10)
#
# Data is generated once into $BENCH_DIR (default: $HOME/.cache/slareport-bench) by
# sample-data/generate.py (Python standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/slareport-target}"
bench_dir="${BENCH_DIR:-$HOME/.cache/slareport-bench}/scale-$scale"
command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }

cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/slareport"

if [ ! -f "$bench_dir/sla.toml" ]; then
  mkdir -p "$bench_dir"
  echo "generating scale $scale into $bench_dir ..."
  python3 sample-data/generate.py --out "$bench_dir" --scale "$scale"
fi
rows=0
for f in "$bench_dir"/checks/*; do
  case "$f" in
    *.gz) n=$(zcat "$f" | wc -l) ;;
    *) n=$(wc -l < "$f") ;;
  esac
  rows=$((rows + n - 1))
done

measure() {
  local label="$1"; shift
  local out; out=$(mktemp -d)
  /usr/bin/time -f "%e %M" -o "$out/time" "$@" --out "$out/reports" --as-of 2026-11-15T00:00:00Z --quiet
  read -r wall rss < "$out/time"
  printf '%-28s wall %6.2f s   peak RSS %7.1f MiB\n' "$label" "$wall" "$(echo "$rss / 1024" | bc -l)"
  rm -rf "$out"
}

echo "checks in generated set: $rows"
measure "sample data" "$bin" run --config sample-data/sla.toml
measure "generated (scale $scale)" "$bin" run --config "$bench_dir/sla.toml"
