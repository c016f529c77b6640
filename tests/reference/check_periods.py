#!/usr/bin/env python3
"""Self-check of the reference model's reporting periods (standard library only).

Builds a tiny synthetic config in a temporary directory and runs sla_reference.py on it
through its command line, asserting the period rules against the model's own months:

- a quarter (and the same days as a range) has `period` as first column, an empty
  `credit_percent`, and `fee` / `credit_amount` equal to the sums over its three months
  run separately; eligible, down and excluded seconds add up over the months; `met` is
  decided on the quarter's own exact uptime;
- a range that is exactly a calendar month prints `month` and the month's row;
- a range with no whole month inside prints empty `fee` and `credit_amount`; a range
  with one whole month and loose days around it carries that month's money;
- a year sums its twelve months; a customer's days are local (Berlin DST);
- `last-N-days`, bad quarters and reversed ranges are refused (exit 2).

    python3 tests/reference/check_periods.py
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
AS_OF = "2027-01-05T00:00:00Z"

FILES = {
    "sla.toml": """\
[report]
timezone = "UTC"
decimals = 4

[inputs]
timezone = "UTC"
customers = "customers.csv"
checks = ["checks.csv"]
outages = ["outages.csv"]
incidents = ["incidents.csv"]

[monitoring]
max_gap_seconds = 300
quorum = "majority"

[tiers.gold]
target_percent = 99.9
credits = [
  { below_percent = 99.9, credit_percent = 10 },
  { below_percent = 99.0, credit_percent = 25 },
]
""",
    # C2 starts mid-August in Berlin (prorated August, no July row);
    # C3 ends on 10 September in Tokyo (prorated September, no rows after it).
    "customers.csv": """\
customer_id,name,tier,services,regions,contract_start,contract_end,monthly_fee,currency,timezone,target_percent
C1,Utc Co,gold,*,*,,,1000.00,USD,,
C2,Berlin GmbH,gold,*,*,2026-08-16,,310.00,EUR,Europe/Berlin,
C3,Tokyo KK,gold,*,*,,2026-09-10,100000,JPY,Asia/Tokyo,
""",
    "outages.csv": """\
service,region,start,end
api,eu,2026-07-10T10:00:00Z,2026-07-10T12:00:00Z
api,eu,2026-08-20T00:00:00Z,2026-08-20T00:30:00Z
api,eu,2026-09-05T00:00:00Z,2026-09-05T08:00:00Z
api,eu,2026-10-12T00:00:00Z,2026-10-12T01:00:00Z
api,eu,2026-12-30T22:00:00Z,2026-12-30T22:30:00Z
""",
    # A planned maintenance well announced (excluded) and a major incident across
    # the end of August in UTC.
    "incidents.csv": """\
incident_id,title,category,impact,start,end,services,regions,customers,announced_at
M1,Planned,planned_maintenance,major,2026-09-15T01:00:00Z,2026-09-15T03:00:00Z,*,*,*,2026-09-01T00:00:00Z
I1,Crossing,unplanned,major,2026-08-31T23:00:00Z,2026-09-01T01:00:00Z,*,*,*,
""",
}


def checks_csv():
    """One location of web/eu, a check a minute around the end of July, down from
    23:58 to 00:02 (across the month boundary in UTC)."""
    lines = ["timestamp,service,region,location,status"]
    for minute in range(-10, 11):
        total = 24 * 60 * 31 + minute  # minutes from 2026-07-01T00:00Z
        day, rest = divmod(total, 24 * 60)
        month, day = (7, day + 1) if day < 31 else (8, day - 30)
        status = "down" if -2 <= minute <= 2 else "up"
        lines.append(f"2026-{month:02d}-{day:02d}T{rest // 60:02d}:{rest % 60:02d}:00Z,web,eu,lon,{status}")
    return "\n".join(lines) + "\n"


def run(tmp, label, expect_ok=True):
    p = subprocess.run([sys.executable, SCRIPT, os.path.join(tmp, "sla.toml"), label, "--as-of", AS_OF],
                       capture_output=True, text=True)
    if not expect_ok:
        assert p.returncode == 2, f"{label}: expected exit 2, got {p.returncode}: {p.stdout}"
        return None
    assert p.returncode == 0, f"{label}: exit {p.returncode}: {p.stderr}"
    rows = list(csv.reader(io.StringIO(p.stdout)))
    header = rows[0]
    return header, {r[1]: dict(zip(["label"] + header[1:], r)) for r in rows[1:]}


def units(cell):
    """'2700.00' -> 270000, '100000' -> 100000 (minor units, exact)."""
    return int(cell.replace(".", ""))


def exact_uptime(r):
    return (Fraction(r["eligible_seconds"]) - Fraction(r["downtime_seconds"])) * 100 / Fraction(r["eligible_seconds"])


def check_sums(tmp, label, months):
    """The period's money is the sum over its whole months; seconds add up too."""
    header, period = run(tmp, label)
    assert header[0] == "period", (label, header[0])
    monthly = [run(tmp, m) for m in months]
    for h, _ in monthly:
        assert h[0] == "month", h[0]
    assert period, f"{label}: no rows"
    for cid, r in period.items():
        mine = [rows[cid] for _, rows in monthly if cid in rows]
        assert mine, f"{label} {cid}: in no month"
        assert r["label"] == label
        assert r["credit_percent"] == "", (label, cid, r["credit_percent"])
        for col in ("fee", "credit_amount"):
            assert units(r[col]) == sum(units(m[col]) for m in mine), (label, cid, col, r[col], [m[col] for m in mine])
        for col in ("eligible_seconds", "downtime_seconds", "excluded_seconds"):
            assert int(r[col]) == sum(int(m[col]) for m in mine), (label, cid, col)
        assert r["met"] == ("true" if exact_uptime(r) >= Fraction(r["target_percent"]) else "false"), (label, cid)
    # Every customer with a month row has a period row.
    for _, rows in monthly:
        assert set(rows) <= set(period), label
    return period, monthly


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in FILES.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        with open(os.path.join(tmp, "checks.csv"), "w") as f:
            f.write(checks_csv())

        # A quarter is the sum of its three months, whatever the months' bands.
        q, monthly = check_sums(tmp, "2026-Q3", ["2026-07", "2026-08", "2026-09"])
        bands = {m["credit_percent"] for _, rows in monthly for m in rows.values()}
        assert len(bands) >= 3, f"the months should fall in different bands: {bands}"
        assert q["C1"]["met"] == "false" and units(q["C1"]["credit_amount"]) > 0
        assert "C2" not in monthly[0][1] and "C3" not in run(tmp, "2026-10")[1]
        print("ok    2026-Q3: fee and credit_amount = sums of 2026-07, 2026-08, 2026-09")

        # The same days written as a range: identical but for the label.
        _, r = run(tmp, "2026-07-01..2026-09-30")
        for cid in q:
            assert {**r[cid], "label": ""} == {**q[cid], "label": ""}, cid
        print("ok    2026-07-01..2026-09-30 = 2026-Q3")

        # Q4: C1 meets 99.9 over the quarter (5,400 s down) yet is owed October's credit.
        q4, _ = check_sums(tmp, "2026-Q4", ["2026-10", "2026-11", "2026-12"])
        assert q4["C1"]["met"] == "true" and units(q4["C1"]["credit_amount"]) == 10000, q4["C1"]
        print("ok    2026-Q4: met on the quarter's own uptime, credit from October")

        # A year: its twelve months.
        check_sums(tmp, "2026", [f"2026-{m:02d}" for m in range(1, 13)])
        print("ok    2026: sums of its twelve months")

        # A range that is exactly one calendar month is a month.
        h, m = run(tmp, "2026-10-01..2026-10-31")
        h2, m2 = run(tmp, "2026-10")
        assert h[0] == "month" and h2[0] == "month", (h[0], h2[0])
        assert m["C1"]["label"] == "2026-10-01..2026-10-31"
        assert m["C1"]["credit_percent"] != ""
        for cid in m2:
            assert {**m[cid], "label": ""} == {**m2[cid], "label": ""}, cid
        # Berlin's October has 745 hours (DST ends on the 25th).
        assert m["C2"]["eligible_seconds"] == str(745 * 3600), m["C2"]["eligible_seconds"]
        print("ok    2026-10-01..2026-10-31: column month, same row as 2026-10")

        # No whole month inside: fee and credit_amount empty.
        for label in ("2026-10-05..2026-10-20", "2026-07-02..2026-08-30", "2026-09-15..2026-10-14"):
            h, r = run(tmp, label)
            assert h[0] == "period", (label, h[0])
            assert r, label
            for cid, row in r.items():
                assert (row["credit_percent"], row["fee"], row["credit_amount"]) == ("", "", ""), (label, cid, row)
        print("ok    ranges without a whole month: empty credit_percent, fee, credit_amount")

        # One whole month with loose days around it carries exactly that month's money,
        # but its seconds are the whole range's.
        h, r = run(tmp, "2026-09-20..2026-11-05")
        _, oct_ = run(tmp, "2026-10")
        for cid in r:
            assert (r[cid]["fee"], r[cid]["credit_amount"]) == (oct_[cid]["fee"], oct_[cid]["credit_amount"]), cid
        assert int(r["C1"]["eligible_seconds"]) == 47 * 86400
        assert int(r["C2"]["eligible_seconds"]) == 47 * 86400 + 3600  # Berlin: DST ends inside
        print("ok    2026-09-20..2026-11-05: money of October only, seconds of 47 local days")

        # C3's contract ends on 10 September: of Sep-Nov only its prorated September counts.
        _, r = run(tmp, "2026-09-01..2026-11-30")
        _, sep = run(tmp, "2026-09")
        assert (r["C3"]["fee"], r["C3"]["credit_amount"]) == (sep["C3"]["fee"], sep["C3"]["credit_amount"])
        _, r = run(tmp, "2026-10-01..2026-12-31")
        assert "C3" not in r
        print("ok    contract ends: a prorated month counts, months without a row add nothing")

        for label in ("last-90-days", "2026-Q5", "2026-10-05..2026-10-01", "2026-13", "2026-02-30..2026-03-31"):
            run(tmp, label, expect_ok=False)
        print("ok    bad labels refused (exit 2)")
    print("all period checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
