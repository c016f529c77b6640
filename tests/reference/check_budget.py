#!/usr/bin/env python3
"""Self-check of the reference model's error-budget columns (standard library only).

Builds a tiny synthetic config in a temporary directory and runs sla_reference.py on it
through its command line; every expected cell below was worked out by hand (arithmetic in
the comments), not by the model:

- a 31-day October at 99.95 % allows 2,678,400 * 0.05 / 100 = 1,339.2 s; a budget partly
  used, an overspent one (negative remaining), a target of 100 (allowed 0: empty percent),
  a fractional `budget_used_seconds` (partial weight), a denominator shrunk by exclusions;
- the projection mid-month (`--as-of 2026-10-11T00:00:00Z`): a whole month, a contract
  starting mid-month (elapsed from its start), a contract not started yet (elapsed 0) and
  one already ended (its window is over), a Tokyo customer (its own local window), a
  projection below 0 clamped to 0.0000, and a quarter;
- periods already over (September; October at exactly its end), the last second of a
  month, and no `--as-of` at all: empty projection.

    python3 tests/reference/check_budget.py
"""

import csv
import io
import os
import subprocess
import sys
import tempfile
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "sla_reference.py")
MID = "2026-10-11T00:00:00Z"  # 10 days = 864,000 s into October UTC

HEADER = ("month,customer_id,customer_name,tier,eligible_seconds,downtime_seconds,"
          "excluded_seconds,uptime_percent,target_percent,met,credit_percent,fee,"
          "credit_amount,currency,monitoring_coverage_percent,budget_allowed_seconds,"
          "budget_used_seconds,budget_remaining_seconds,budget_remaining_percent,"
          "projected_uptime_percent")
BUDGET = HEADER.split(",")[15:]

FILES = {
    "sla.toml": """\
[report]
timezone = "UTC"
decimals = 4

[inputs]
timezone = "UTC"
customers = "customers.csv"
outages = ["outages.csv"]
incidents = ["incidents.csv"]

[tiers.std]
target_percent = 99.95

[tiers.halves]
target_percent = 99.95
partial_weight = 0.5

[tiers.shrink]
target_percent = 99
exclusions_in_denominator = true
""",
    # Each customer has its own service, so each outage touches one customer only.
    "customers.csv": """\
customer_id,name,tier,services,regions,contract_start,contract_end,monthly_fee,currency,timezone,target_percent
A,Within,std,a,eu,,,100.00,EUR,,
B,Overspent,std,b,eu,,,100.00,EUR,,
C,Perfect,std,c,eu,,,100.00,EUR,,100
D,Late Start,std,d,eu,2026-10-06,,100.00,EUR,,
E,Not Started,std,e,eu,2026-10-20,,100.00,EUR,,
F,Ended,std,f,eu,,2026-10-08,100.00,EUR,,
G,Doomed,shrink,g,eu,,,100.00,EUR,,
H,Halves,halves,h,eu,,,100.00,EUR,,
T,Tokyo,std,t,eu,,,100.00,EUR,Asia/Tokyo,
""",
    "outages.csv": """\
service,region,start,end
a,eu,2026-09-10T00:00:00Z,2026-09-10T00:20:00Z
a,eu,2026-10-05T10:00:00Z,2026-10-05T10:10:00Z
b,eu,2026-10-03T00:00:00Z,2026-10-03T00:26:00Z
c,eu,2026-10-04T00:00:00Z,2026-10-04T00:01:00Z
d,eu,2026-10-07T00:00:00Z,2026-10-07T00:07:12Z
f,eu,2026-10-02T00:00:00Z,2026-10-02T00:01:40Z
g,eu,2026-10-01T00:00:00Z,2026-10-09T00:00:00Z
h,eu,2026-10-02T01:00:00Z,2026-10-02T01:05:00Z
t,eu,2026-10-05T00:00:00Z,2026-10-05T00:10:00Z
""",
    # G: a well-announced maintenance of 10 days late in October, impact none: no
    # downtime, but it leaves the denominator (exclusions_in_denominator).
    # H: 45 s of partial downtime, weight 0.5.
    "incidents.csv": """\
incident_id,title,category,impact,start,end,services,regions,customers,announced_at
MG,Long works,planned_maintenance,none,2026-10-20T00:00:00Z,2026-10-30T00:00:00Z,g,eu,*,2026-10-01T00:00:00Z
PH,Slow,unplanned,partial,2026-10-02T00:00:00Z,2026-10-02T00:00:45Z,h,eu,*,
""",
}

# --- October 2026 at MID: (allowed, used, remaining, remaining %, projected uptime) ---
# Whole month |E| = denominator = 2,678,400; elapsed 864,000, so |E|/elapsed = 3.1.
OCTOBER_MID = {
    # 1,339.2 - 600 = 739.2; 739.2/1,339.2 = 55.197132...% -> 55.1971.
    # Projected 600 * 3.1 = 1,860: 100 * 2,676,540/2,678,400 = 99.930555...% -> 99.9305.
    "A": ("1339.2", "600", "739.2", "55.1971", "99.9305"),
    # 1,339.2 - 1,560 = -220.8; -220.8/1,339.2 = -16.487455...% -> -16.4874.
    # Projected 1,560 * 3.1 = 4,836: 100 - 4,836/26,784 = 99.819444...% -> 99.8194.
    "B": ("1339.2", "1560", "-220.8", "-16.4874", "99.8194"),
    # Target 100: allowed 0, remaining -60, no percent. Projected 60 * 3.1 = 186:
    # 100 - 186/26,784 = 99.993055...% -> 99.9930.
    "C": ("0", "60", "-60", "", "99.9930"),
    # E = 6 Oct .. 1 Nov = 26 days = 2,246,400 s: allowed 1,123.2; 1,123.2 - 432 = 691.2;
    # 691.2/1,123.2 = 61.538461...% -> 61.5384. Elapsed 11 Oct - 6 Oct = 432,000 s:
    # projected 432 * 2,246,400/432,000 = 2,246.4 = 0.1 % of E -> 99.9000.
    "D": ("1123.2", "432", "691.2", "61.5384", "99.9000"),
    # E = 20 Oct .. 1 Nov = 12 days = 1,036,800 s: allowed 518.4, all left.
    # Now is before E starts: elapsed 0, no projection.
    "E": ("518.4", "0", "518.4", "100.0000", ""),
    # E = 1 Oct .. 8 Oct = 604,800 s: allowed 302.4; 302.4 - 100 = 202.4;
    # 202.4/302.4 = 66.931216...% -> 66.9312. E ended on 8 Oct, before now: no projection.
    "F": ("302.4", "100", "202.4", "66.9312", ""),
    # Denominator 2,678,400 - 864,000 = 1,814,400; target 99: allowed 18,144;
    # used 8 days = 691,200; remaining -673,056; -673,056/18,144 = -3,709.523809...%
    # -> -3709.5238. Projected 691,200 * 3.1 = 2,142,720 > 1,814,400: below 0 -> 0.0000.
    "G": ("18144", "691200", "-673056", "-3709.5238", "0.0000"),
    # Used 300 + 45 * 0.5 = 322.5; 1,339.2 - 322.5 = 1,016.7; 1,016.7/1,339.2 =
    # 75.918458...% -> 75.9184. Projected 322.5 * 3.1 = 999.75:
    # 100 - 999.75/26,784 = 99.962673...% -> 99.9626.
    "H": ("1339.2", "322.5", "1016.7", "75.9184", "99.9626"),
    # Tokyo: E = 2026-09-30T15:00Z .. 2026-10-31T15:00Z (2,678,400 s), elapsed
    # 10 days 9 hours = 896,400 s: projected uptime 100 * (1 - 600/896,400) =
    # 99.933065...% -> 99.9330 (not A's 99.9305).
    "T": ("1339.2", "600", "739.2", "55.1971", "99.9330"),
}


def run(tmp, label, as_of=None):
    args = [sys.executable, SCRIPT, os.path.join(tmp, "sla.toml"), label]
    if as_of is not None:
        args += ["--as-of", as_of]
    p = subprocess.run(args, capture_output=True, text=True)
    assert p.returncode == 0, f"{label} {as_of}: exit {p.returncode}: {p.stderr}"
    lines = p.stdout.split("\n")
    rows = list(csv.reader(io.StringIO(p.stdout)))
    header = rows[0]
    assert len(header) == 20, header
    for r in rows[1:]:
        assert len(r) == 20, r
        # budget_used_seconds is downtime_seconds as printed.
        assert r[16] == r[5], (label, r)
    return lines[0], {r[1]: r for r in rows[1:]}


def budget(row):
    return tuple(row[15:20])


def main():
    # Formatting rules, on the model's own helpers (no "-0.0000", exact decimals).
    sys.path.insert(0, HERE)
    sys.dont_write_bytecode = True  # no __pycache__ in the repository
    import sla_reference as m
    assert m.fmt_truncated(Fraction(-1, 10 ** 6), 4) == "0.0000"
    assert m.fmt_truncated(Fraction(-164874551971, 10 ** 10), 4) == "-16.4874"
    assert m.fmt_exact(Fraction(-1104, 5)) == "-220.8" and m.fmt_exact(Fraction(0)) == "0"

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in FILES.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)

        header, rows = run(tmp, "2026-10", MID)
        assert header == HEADER, header
        assert sorted(rows) == sorted(OCTOBER_MID), sorted(rows)
        for cid, want in OCTOBER_MID.items():
            assert budget(rows[cid]) == want, (cid, budget(rows[cid]), want)
        assert rows["G"][7] == "61.9047", rows["G"][7]  # 1,123,200/1,814,400, spec columns untouched
        print("ok    2026-10 at 2026-10-11: allowed 1339.2, overspent -220.8 (-16.4874), target 100,")
        print("      partial 322.5, projections 99.9305 / 99.9000 (late start) / 99.9330 (Tokyo) / 0.0000")

        # A period over at the as-of: September; its budget columns, no projection.
        # A: 2,592,000 * 0.0005 = 1,296; 1,296 - 1,200 = 96; 96/1,296 = 7.407407...% -> 7.4074.
        _, sep = run(tmp, "2026-09", MID)
        assert budget(sep["A"]) == ("1296", "1200", "96", "7.4074", ""), budget(sep["A"])
        assert all(r[19] == "" for r in sep.values()), sep
        print("ok    2026-09 at 2026-10-11: over, 1296 / 1200 / 96 / 7.4074, empty projection")

        # October at exactly its end (now = E.end): over, same budget, no projection.
        _, end = run(tmp, "2026-10", "2026-11-01T00:00:00Z")
        for cid, want in OCTOBER_MID.items():
            assert budget(end[cid]) == want[:4] + ("",), (cid, budget(end[cid]))
        print("ok    2026-10 at 2026-11-01T00:00:00Z: every projection empty, budgets unchanged")

        # The last second of October UTC: A is still open, elapsed 2,678,399:
        # 100 * (1 - 600/2,678,399) = 99.977598...% -> 99.9775. Tokyo's October ended at 15:00Z.
        _, last = run(tmp, "2026-10", "2026-10-31T23:59:59Z")
        assert last["A"][19] == "99.9775", last["A"][19]
        assert last["T"][19] == "", last["T"][19]
        print("ok    2026-10 at 2026-10-31T23:59:59Z: A 99.9775, Tokyo over (empty)")

        # Now = the start of A's window: elapsed 0, no projection.
        _, first = run(tmp, "2026-10", "2026-10-01T00:00:00Z")
        assert first["A"][19] == "", first["A"][19]
        print("ok    2026-10 at 2026-10-01T00:00:00Z: elapsed 0, empty projection")

        # No --as-of: the model's "now" is the far future, every period is over.
        _, none = run(tmp, "2026-10")
        assert all(r[19] == "" for r in none.values())
        print("ok    2026-10 without --as-of: empty projection")

        # A quarter, open at MID. A: E = 92 days = 7,948,800 s, allowed 3,974.4;
        # 3,974.4 - 600 = 3,374.4; 3,374.4/3,974.4 = 84.903381...% -> 84.9033;
        # projected 600 * 7,948,800/864,000 = 5,520 = 600/864,000 of E -> 99.9305.
        # D: E = 6 Oct .. 1 Jan = 87 days = 7,516,800 s, allowed 3,758.4; 3,326.4 left,
        # 3,326.4/3,758.4 = 88.505747...% -> 88.5057; projected 432 * 17.4 = 7,516.8 -> 99.9000.
        qheader, q = run(tmp, "2026-Q4", MID)
        assert qheader == "period" + HEADER[len("month"):], qheader
        assert budget(q["A"]) == ("3974.4", "600", "3374.4", "84.9033", "99.9305"), budget(q["A"])
        assert budget(q["D"]) == ("3758.4", "432", "3326.4", "88.5057", "99.9000"), budget(q["D"])
        print("ok    2026-Q4 at 2026-10-11: A 3974.4 / 84.9033 / 99.9305, D 3758.4 / 88.5057 / 99.9000")
    print("all budget checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
