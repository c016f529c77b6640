#!/usr/bin/env python3
"""Naive reference implementation of slareport's rollup.csv (docs/CONTRACT.md section 10).

Usage:
    python3 tests/reference/rollup_reference.py CONFIG.toml PERIOD [--as-of RFC3339]

PERIOD is a period label as for sla_reference.py (YYYY-Qn, YYYY or
YYYY-MM-DD..YYYY-MM-DD; a single month is accepted too).  Prints rollup.csv on stdout;
exits 2 on bad input or when no calendar month lies wholly inside the period (such a
period has no roll-up).

Everything is computed from the per-second model of sla_reference.py (imported, never
copied for the figures it already computes):

- a customer's period figures (D, downtime) are `measure` over its period E;
- its months are the calendar months wholly inside the period (by local days) in which it
  has a contract row (E of the month non-empty), each measured over the month's own E and
  judged met (`uptime >= target`) and priced (`month_money`) as the monthly report;
- failures are the maximal runs of counted full-downtime seconds over the period's E:
  F (with `gaps = down`), minus the exclusion windows X, minus the runs shorter than
  `min_downtime_seconds` (clipped to E), i.e. the seconds of evidence kind `counted`;
  partial, excluded and dropped seconds are not failures;
- uptime = (sum D - sum downtime) / sum D, truncated to [report] decimals;
  MTTR = sum downtime / failures and MTBF = (sum D - sum downtime) / failures, exact
  quotients rounded to 3 places half to even, printed without trailing zeros, empty
  without failures;
- credits: the months' rounded credit amounts summed per currency, at its minor unit.
"""

import csv
import io
import math
import os
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sla_reference as ref  # noqa: E402

HEADER = ["period", "scope", "id", "name", "denominator_seconds", "downtime_seconds",
          "uptime_percent", "months", "months_met", "months_missed", "failures",
          "mttr_seconds", "mtbf_seconds"]


def counted_seconds(c, cfg, win, pairs, cs, e_start, e_end):
    """The set of counted full-downtime seconds over E (bit i = second e_start + i):
    the same steps as ref.measure builds FX with (F, gaps = down, minus X, runs shorter
    than min_downtime dropped)."""
    tier = cfg.tiers[c.tier]
    sub = ref.Window(e_start, e_end)
    F = win.cut(cs.F, e_start, e_end)
    if cfg.gaps == "down":
        for k in cs.my_pairs:
            F |= sub.full & ~win.cut(pairs[k][0], e_start, e_end)
    X = win.cut(cs.X, e_start, e_end)
    FX = F & ~X
    if tier.min_downtime > 0:
        kept = [(off, off + length) for off, length in sub.runs(FX) if length >= tier.min_downtime]
        FX = sub.from_intervals([(e_start + a, e_start + b) for a, b in kept])
    return FX


def count_runs(bits):
    """Number of maximal runs of 1 bits: the bits set whose lower neighbour is clear."""
    return (bits & ~(bits << 1)).bit_count()


def round_half_even_3(fr):
    """Exact quotient rounded to 3 decimal places, ties to even; printed without
    trailing zeros ('494.333', '4200')."""
    scaled = fr * 1000
    fl = math.floor(scaled)
    rest = scaled - fl
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and fl % 2 == 1):
        fl += 1
    return ref.fmt_exact(Fraction(fl, 1000))


class Acc:
    """Sums of one roll-up row."""

    def __init__(self):
        self.D = 0
        self.down = Fraction(0)
        self.months = 0
        self.met = 0
        self.failures = 0
        self.credits = {}  # currency -> minor units (int), with its places

    def add(self, other):
        self.D += other.D
        self.down += other.down
        self.months += other.months
        self.met += other.met
        self.failures += other.failures
        for cur, units in other.credits.items():
            self.credits[cur] = self.credits.get(cur, 0) + units


def customer_acc(period, months, c, cfg, win, pairs, incidents):
    """The roll-up sums of one customer, or None without a row in the period."""
    tier = cfg.tiers[c.tier]
    e = ref.eligible(c, period.bounds(c.zone))
    if e is None:
        return None
    cs = ref.CustomerSets(c, cfg, win, pairs, incidents)
    r = ref.measure(c, cfg, win, pairs, cs, *e)
    a = Acc()
    a.D = r.denominator
    a.down = r.downtime
    a.failures = count_runs(counted_seconds(c, cfg, win, pairs, cs, *e))
    target = Fraction(c.target if c.target is not None else tier.target)
    credit_units = 0
    for y, mo in months:
        mb = ref.month_bounds(y, mo, c.zone)
        me = ref.eligible(c, mb)
        if me is None:
            continue  # no contract row in that month
        mr = ref.measure(c, cfg, win, pairs, cs, *me)
        a.months += 1
        if mr.uptime >= target:
            a.met += 1
        _, _, units = ref.month_money(c, tier, mr.uptime, mr.size_E, mb[1] - mb[0])
        credit_units += units
    a.credits[c.currency] = credit_units
    return a


def row(label, scope, ident, name, a, currencies, decimals):
    if a.D == 0:
        uptime = ""
    else:
        uptime = ref.fmt_truncated((a.D - a.down) * 100 / Fraction(a.D), decimals)
    if a.failures:
        mttr = round_half_even_3(a.down / a.failures)
        mtbf = round_half_even_3((a.D - a.down) / a.failures)
    else:
        mttr = mtbf = ""
    out = [label, scope, ref.neutralise(ident), ref.neutralise(name), str(a.D),
           ref.fmt_exact(a.down), uptime, str(a.months), str(a.met), str(a.months - a.met),
           str(a.failures), mttr, mtbf]
    for cur in currencies:
        if cur in a.credits:
            out.append(ref.fmt_fixed(a.credits[cur], ref.minor_unit(cur)))
        else:
            out.append("")
    return out


def run(config_path, label, as_of_text=None):
    period = ref.parse_period(label)
    months = period.whole_months()
    if not months:
        raise ref.InputError(f"period {label!r} holds no whole calendar month: no roll-up")
    cfg = ref.Config(config_path)
    as_of = ref.FAR_FUTURE if as_of_text is None else ref.parse_instant(as_of_text, cfg.input_zone, "--as-of")

    customers = ref.load_customers(cfg)
    series = ref.load_checks(cfg)
    outages = ref.load_outages(cfg, as_of)
    incidents = ref.load_incidents(cfg, as_of)

    accs = {}
    if customers:
        bounds = [period.bounds(c.zone) for c in customers.values()]
        win = ref.Window(min(b[0] for b in bounds), max(b[1] for b in bounds))
        pairs = ref.pair_sets(series, outages, cfg, win)
        for cid in sorted(customers):
            a = customer_acc(period, months, customers[cid], cfg, win, pairs, incidents)
            if a is not None:
                accs[cid] = a

    currencies = sorted({customers[cid].currency for cid in accs})
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER + [f"credits_{cur}" for cur in currencies])
    for cid, a in accs.items():
        c = customers[cid]
        w.writerow(row(label, "customer", c.id, c.name, a, currencies, cfg.decimals))
    for tname in sorted(cfg.tiers):
        t = Acc()
        for cid, a in accs.items():
            if customers[cid].tier == tname:
                t.add(a)
        w.writerow(row(label, "tier", tname, tname, t, currencies, cfg.decimals))
    return out.getvalue()


def main(argv=None):
    ap = ref.period_arguments(__doc__, "YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD (holding a whole month)")
    args = ap.parse_args(argv)
    try:
        text = run(args.config, args.period, args.as_of)
    except ref.InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
