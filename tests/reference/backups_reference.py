#!/usr/bin/env python3
"""Independent check of backups.csv (issue 10 part 2), Python standard library only.

    python3 backups_reference.py CASE/sla.toml 2026-10 --as-of 2026-11-05T00:00:00Z

Reads the case's `[inputs] backups` files (plain CSV, canonical columns, UTC or offset
instants) and `[backups]`, and prints per component, sorted:
`component,largest_gap_minutes,over_retention` for the calendar month in `[report]
timezone` (UTC only here), cut at --as-of.

Written from the README's definitions, not from the Rust code:
- the largest gap is the oldest "age of the latest successful backup" seen at any
  instant t of the window: at t, the age is t minus the latest success completed at or
  before t (any time before the window included); instants before a component's first
  success have no age. The age peaks just before each success and at the window's end,
  so those instants are enough. With no success at all before the end: the window.
- a backup is kept too long when (expires_at, else now) minus completed_at is more than
  max_retention_days days, listed while it exists in the window.
"""

import argparse
import csv
import os
import sys
import tomllib
from datetime import datetime, timezone
from decimal import ROUND_DOWN, Decimal


def instant(text):
    text = text.strip()
    if not text:
        return None
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("month")
    ap.add_argument("--as-of", required=True)
    a = ap.parse_args()
    with open(a.config, "rb") as f:
        cfg = tomllib.load(f)
    if cfg.get("report", {}).get("timezone", "UTC") != "UTC":
        sys.exit("this check handles UTC reports only")
    base = os.path.dirname(a.config)
    files = cfg["inputs"]["backups"]
    files = [files] if isinstance(files, str) else files
    rules = cfg.get("backups", {})
    max_days = int(rules.get("max_retention_days", 183))
    now = instant(a.as_of)
    y, m = map(int, a.month.split("-"))
    start = int(datetime(y, m, 1, tzinfo=timezone.utc).timestamp())
    end = int(datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=timezone.utc).timestamp())
    end = max(start, min(end, now))
    rows = []
    for name in files:
        with open(os.path.join(base, name), newline="", encoding="utf-8-sig") as f:
            rows.extend(csv.DictReader(f))
    out = {}
    for comp in sorted({r["component"].strip() for r in rows if instant(r["started_at"]) < end}):
        mine = [r for r in rows if r["component"].strip() == comp]
        ok = sorted(instant(r["completed_at"]) for r in mine
                    if r["status"].strip().lower() == "success" and instant(r["completed_at"]) < end)
        candidates = [t for t in ok if t >= start] + [end]
        ages = []
        for t in candidates:
            before = [s for s in ok if s < t]
            if before:
                ages.append(t - max(before))
        gap = max(ages) if ages else end - start
        if not ok:
            gap = end - start
        over = []
        for r in mine:
            done, exp = instant(r["completed_at"]), instant(r["expires_at"])
            if done is None or done >= end or (exp is not None and exp <= start):
                continue
            if (exp if exp is not None else now) - done > max_days * 86400:
                over.append(r["backup_id"].strip())
        minutes = (Decimal(gap) / 60).quantize(Decimal("0.01"), rounding=ROUND_DOWN).normalize()
        out[comp] = (f"{minutes:f}", ";".join(sorted(over)))
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["component", "largest_gap_minutes", "over_retention"])
    for comp, (gap, over) in out.items():
        w.writerow([comp, gap, over])


if __name__ == "__main__":
    main()
