#!/usr/bin/env python3
"""Reference: yearly uptime of GitHub's status-page components from the status log.

    python3 reference.py [--year 2023]

Reads component_status_log_2020-2026.csv the way sla.toml and sla-major-only.toml tell
slareport to (an events series: each row's new_status holds until the component's next
row; no cap) and prints, per component, what `slareport run --period YEAR` should give
with each config (uptime truncated to 4 decimals, as [report] decimals = 4), plus:

  * the Statuspage-style figure (major 100 %, partial 30 %, degraded and maintenance 0)
    for comparison; slareport checks cannot weight a state, so no config gives it;
  * what a max_hold_seconds cap would do to the downtime and the coverage (sla.toml's
    mapping), which is why the configs set none.

Rules assumed: the year is UTC; a component's eligible time starts at its first row (its
contract_start in customers.csv); `unknown` (under_maintenance) and time after a capped
state are no data, which counts as up ([monitoring] gaps = "up").

Python 3.11+, standard library only.
"""
import argparse
import csv
import datetime as dt
import math
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
END_OF_LOG = "2026-08-22T22:27:34Z"  # last poll of the archive (SOURCE.md)
MAIN = {"operational": "up", "degraded_performance": "up", "partial_outage": "down",
        "major_outage": "down", "under_maintenance": "unknown"}
MAJOR_ONLY = dict(MAIN, partial_outage="up")


def ts(s):
    return int(dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def trunc(x, places):
    return math.floor(Fraction(x) * 10**places) / 10**places


def states(rows, cap=None):
    """(start, end, new_status) per row, until the next row, at most `cap` seconds."""
    out = []
    for i, (t, st) in enumerate(rows):
        nxt = rows[i + 1][0] if i + 1 < len(rows) else ts(END_OF_LOG)
        end = nxt if cap is None else min(nxt, t + cap)
        out.append((t, end, st))
    return out


def seconds(sts, a, b, keep):
    return sum(max(0, min(e, b) - max(s, a)) for s, e, st in sts if keep(st))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--year", type=int, default=2023)
    args = ap.parse_args()
    y0 = int(dt.datetime(args.year, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    y1 = int(dt.datetime(args.year + 1, 1, 1, tzinfo=dt.timezone.utc).timestamp())

    rows, names = defaultdict(list), {}
    with (HERE / "component_status_log_2020-2026.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            assert r["new_status"] in MAIN, r["new_status"]
            rows[r["component_id"]].append((ts(r["observed_at"]), r["new_status"]))
            names[r["component_id"]] = r["component_name"]
    with (HERE / "customers.csv").open(encoding="utf-8") as f:
        customers = list(csv.DictReader(f))

    print(f"period {args.year} (UTC); each status holds until the component's next row, no cap")
    print(f"{'customer_id':13} {'component':27} {'eligible_s':>10} {'partial_s':>9} {'major_s':>8} "
          f"{'maint_s':>7} {'sla.toml':>9} {'major-only':>10} {'statuspage':>10}")
    for c in customers:
        cid = c["customer_id"]
        a, b = max(y0, ts(c["contract_start"])), y1
        if a >= b:
            print(f"{cid:13} {names[cid][:27]:27} no contract in {args.year}")
            continue
        sts = states(rows[cid])
        elig = b - a
        part = seconds(sts, a, b, lambda s: s == "partial_outage")
        major = seconds(sts, a, b, lambda s: s == "major_outage")
        maint = seconds(sts, a, b, lambda s: s == "under_maintenance")
        main_down = seconds(sts, a, b, lambda s: MAIN[s] == "down")
        major_down = seconds(sts, a, b, lambda s: MAJOR_ONLY[s] == "down")
        sp = trunc(100 * (1 - (major + Fraction(3, 10) * part) / elig), 2)
        print(f"{cid:13} {names[cid][:27]:27} {elig:>10} {part:>9} {major:>8} {maint:>7} "
              f"{trunc(100 * (1 - Fraction(main_down, elig)), 4):>9.4f} "
              f"{trunc(100 * (1 - Fraction(major_down, elig)), 4):>10.4f} {sp:>10.2f}")

    print()
    print(f"max_hold_seconds and sla.toml's mapping, {args.year}: down hours / coverage %")
    caps = [None, 900, 3600, 36 * 3600, 7 * 86400]
    label = lambda cap: "no cap" if cap is None else f"{cap} s"
    print(f"{'component':27} " + " ".join(f"{label(cap):>16}" for cap in caps))
    for c in customers:
        cid = c["customer_id"]
        a, b = max(y0, ts(c["contract_start"])), y1
        if a >= b:
            continue
        cells = []
        for cap in caps:
            sts = states(rows[cid], cap)
            down = seconds(sts, a, b, lambda s: MAIN[s] == "down")
            cov = seconds(sts, a, b, lambda s: MAIN[s] != "unknown")
            cells.append(f"{down / 3600:7.1f} h {100 * cov / (b - a):5.1f}%")
        print(f"{names[cid][:27]:27} " + " ".join(f"{x:>16}" for x in cells))


if __name__ == "__main__":
    main()
