#!/usr/bin/env python3
"""Naive reference for the intervals of slareport's evidence.csv.

Usage:
    python3 tests/reference/evidence_reference.py CONFIG.toml PERIOD [--as-of RFC3339]

Prints `customer_id,kind,start,end` for every maximal interval of each kind of a
customer's downtime over its period E, from the per-second sets of sla_reference.py
(`measure`): `counted` = full downtime outside the exclusion windows, runs shorter than
min_downtime_seconds removed; `dropped` = those removed runs; `excluded` = full or partial
downtime inside an exclusion window; `partial` = partial downtime (not full) outside the
windows. Customers by id, kinds in that order, intervals by start. evidence.csv may split
an interval where its sources change: the comparison merges its adjacent rows of one kind.
"""

import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sla_reference as ref  # noqa: E402

KINDS = ["counted", "dropped", "excluded", "partial"]


def format_utc(t):
    """An instant as UTC `YYYY-MM-DDTHH:MM:SSZ`."""
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sets(c, cfg, win, pairs, cs, e_start, e_end):
    """The four kinds' second sets over E (bit i = second e_start + i), as ref.measure
    builds them."""
    tier = cfg.tiers[c.tier]
    sub = ref.Window(e_start, e_end)
    F = win.cut(cs.F, e_start, e_end)
    if cfg.gaps == "down":
        for k in cs.my_pairs:
            F |= sub.full & ~win.cut(pairs[k][0], e_start, e_end)
    P = win.cut(cs.P, e_start, e_end) & ~F
    X = win.cut(cs.X, e_start, e_end)
    FX = F & ~X
    kept = FX
    if tier.min_downtime > 0:
        runs = [(off, off + length) for off, length in sub.runs(FX) if length >= tier.min_downtime]
        kept = sub.from_intervals([(e_start + a, e_start + b) for a, b in runs])
    return sub, {"counted": kept, "dropped": FX & ~kept, "excluded": (F | P) & X, "partial": P & ~X}


def main(argv=None):
    ap = ref.period_arguments(__doc__, period_help=None)
    args = ap.parse_args(argv)
    x = ref.loaded_or_exit(args)
    period, cfg, customers, incidents, as_of, win, pairs = (
        x.period, x.cfg, x.customers, x.incidents, x.as_of, x.win, x.pairs)
    lines = []
    for cid in sorted(customers):
        c = customers[cid]
        e = ref.eligible(c, period.bounds(c.zone))
        if e is None:
            continue
        cs = ref.CustomerSets(c, cfg, win, pairs, incidents)
        sub, kinds = sets(c, cfg, win, pairs, cs, *e)
        for kind in KINDS:
            for off, length in sub.runs(kinds[kind]):
                start = e[0] + off
                lines.append(f"{cid},{kind},{format_utc(start)},{format_utc(start + length)}")
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
