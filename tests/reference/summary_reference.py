#!/usr/bin/env python3
"""Naive reference implementation of slareport's credits.csv and tiers.csv.

Usage:
    python3 tests/reference/summary_reference.py CONFIG.toml PERIOD credits|tiers [--as-of RFC3339]

Prints the file on stdout, from the per-second model of sla_reference.py (imported; every
figure is that model's own), by the README's definitions:

- credits.csv: the customers that breached (`met` false) or are owed a credit (a non-zero
  credit amount), with the columns month, customer_id, customer_name, tier, uptime_percent,
  target_percent, met, credit_percent, fee, credit_amount, currency. For a period that is
  one calendar month, its rows; for a longer period, the rows of the calendar months lying
  wholly inside it, each as that month's own report has it, customer by customer, months in
  order.
- tiers.csv: one row per tier of the config (by name, tiers without customers too):
  customers, met, breached, the lowest and the median uptime (the middle value, or the
  exact midpoint of the two middle values, truncated), downtime and excluded seconds summed,
  and one credits_<CUR> column per currency of the period's rows (the tier's credit amounts
  summed, at the currency's minor unit).
"""

import csv
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sla_reference as ref  # noqa: E402

CREDITS_HEADER = ["month", "customer_id", "customer_name", "tier", "uptime_percent", "target_percent",
                  "met", "credit_percent", "fee", "credit_amount", "currency"]
# Indexes of those columns in a sla_reference row.
CREDITS_CELLS = [0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 13]


def rows_of(period, cfg, customers, win, pairs, incidents, as_of):
    """(cells, exact uptime, downtime Fraction, customer) of every customer with a row."""
    out = []
    for cid in sorted(customers):
        c = customers[cid]
        row = ref.customer_row(period, c, cfg, win, pairs, incidents, as_of)
        if row is None:
            continue
        pb = period.bounds(c.zone)
        e = ref.eligible(c, pb)
        cs = ref.CustomerSets(c, cfg, win, pairs, incidents)
        r = ref.measure(c, cfg, win, pairs, cs, *e)
        out.append((row, r.uptime, r.downtime, c))
    return out


def owed(row):
    return row[9] == "false" or (row[12] != "" and ref.to_decimal(row[12], "credit") != 0)


def main(argv=None):
    ap = ref.period_arguments(__doc__, period_help=None)
    ap.add_argument("file", choices=["credits", "tiers"])
    args = ap.parse_args(argv)
    x = ref.loaded_or_exit(args)
    period, cfg, customers, incidents, as_of, win, pairs = (
        x.period, x.cfg, x.customers, x.incidents, x.as_of, x.win, x.pairs)
    rows = rows_of(period, cfg, customers, win, pairs, incidents, as_of)

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    if args.file == "credits":
        w.writerow(CREDITS_HEADER)
        if period.is_month:
            picked = [row for row, _, _, _ in rows if owed(row)]
        else:
            picked = []
            months = [ref.parse_period(f"{y:04d}-{mo:02d}") for y, mo in period.whole_months()]
            for cid in sorted(customers):
                for m in months:
                    row = ref.customer_row(m, customers[cid], cfg, win, pairs, incidents, as_of)
                    if row is not None and owed(row):
                        picked.append(row)
        for row in picked:
            w.writerow([row[i] for i in CREDITS_CELLS])
    else:
        currencies = sorted({c.currency for _, _, _, c in rows})
        w.writerow(["month" if period.is_month else "period", "tier", "customers", "met", "breached",
                    "lowest_uptime_percent", "median_uptime_percent", "downtime_seconds", "excluded_seconds"]
                   + [f"credits_{ref.neutralise(cur)}" for cur in currencies])
        for tier in sorted(cfg.tiers):
            members = [(row, up, down, c) for row, up, down, c in rows if c.tier == tier]
            ups = sorted(up for _, up, _, _ in members)
            n = len(ups)
            median = None if n == 0 else ups[n // 2] if n % 2 == 1 else (ups[n // 2 - 1] + ups[n // 2]) / 2
            cells = [period.label, ref.neutralise(tier), str(n),
                     str(sum(1 for row, _, _, _ in members if row[9] == "true")),
                     str(sum(1 for row, _, _, _ in members if row[9] == "false")),
                     ref.fmt_truncated(ups[0], cfg.decimals) if n else "",
                     ref.fmt_truncated(median, cfg.decimals) if n else "",
                     ref.fmt_exact(sum((down for _, _, down, _ in members), start=0)),
                     str(sum(int(row[6]) for row, _, _, _ in members))]
            for cur in currencies:
                places = ref.minor_unit(cur)
                total = sum((ref.to_decimal(row[12], "credit") for row, _, _, c in members
                             if c.currency == cur and row[12] != ""), start=ref.to_decimal("0", "zero"))
                cells.append(ref.fmt_fixed(int(total * 10 ** places), places))
            w.writerow(cells)
    sys.stdout.write(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
