#!/usr/bin/env bash
# Benchmark: 1,000 customer PDFs. Copies the sample data, repeats its customers to 1,000
# (new ids, same tiers and scopes), and times one month with the release build.
#
#   bash bench/pdfs.sh [CUSTOMERS]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/slareport-target}"
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r sample-data/. "$work/"
python3 - "$work/customers.csv" "$n" <<'PY'
import csv, sys
path, n = sys.argv[1], int(sys.argv[2])
rows = list(csv.DictReader(open(path, newline="", encoding="utf-8")))
fields = list(rows[0].keys())
with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for k in range(n):
        r = dict(rows[k % len(rows)])
        r["customer_id"] = f"B{k:05d}"
        w.writerow(r)
PY
/usr/bin/time -f "%e %M" -o "$work/time" "$CARGO_TARGET_DIR/release/slareport" run --config "$work/sla.toml" \
  --month 2026-10 --out "$work/out" --as-of 2026-11-02T00:00:00Z --quiet
read -r wall rss < "$work/time"
pdfs=$(ls "$work/out/2026-10/customers" | wc -l)
size=$(du -sh "$work/out/2026-10/customers" | cut -f1)
echo "$pdfs customer PDFs (+ summary) for 2026-10: wall ${wall} s, peak RSS $((rss / 1024)) MiB, ${size} on disk"
