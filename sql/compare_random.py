#!/usr/bin/env python3
"""Random check sets reduced by the SQL (DuckDB, and Spark with --spark) and by the plain
Python reference (reduce_reference.py); any difference is printed and fails.

    python3 sql/compare_random.py [--cases 200] [--seed 1] [--spark] [--slareport BIN]

With `--slareport`, `slareport reduce` of each case is a witness too, compared byte for byte.

Each case mixes what the canonical reader accepts: every status spelling in any case with
spaces around, duplicate rows and conflicting rows at one instant, `Z`, `z`, `±HH:MM`,
`±HHMM`, `±HH` offsets, fractional seconds, naive (UTC) times, a space before the time,
names that need CSV quoting or sort differently by bytes than by letters, unknown-only
locations and pairs, and random max_gap_seconds, confirm_checks and quorum.
"""

import argparse
import csv
import datetime as dt
import difflib
import io
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reduce as sqlrun  # noqa: E402
import reduce_reference as ref  # noqa: E402

SPELLINGS = {
    "up": ["up", "UP", "Ok", "1", "true", " True "],
    "down": ["down", "Down", "FAIL", "error", "0", "false ", " DOWN"],
    "unknown": ["unknown", "UNKNOWN", " Unknown"],
}
NAMES = ["api", "API", "b", "é-site", "a,b", 'q"uote', "web app"]
BASE = dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc)


def spell_instant(rng, t):
    """One of the accepted spellings of the instant `t` (seconds after BASE)."""
    at = BASE + dt.timedelta(seconds=t)
    frac = rng.choice(["", "", ".5", ".999", ".000001"])
    form = rng.randrange(6)
    if form == 0:
        return at.strftime("%Y-%m-%dT%H:%M:%S") + frac + rng.choice(["Z", "z"])
    if form == 1:
        return at.strftime("%Y-%m-%d %H:%M:%S") + frac  # naive, read as UTC
    minutes = rng.choice([60, 330, -300, -570, 0, 845])
    local = at + dt.timedelta(minutes=minutes)
    sign = "-" if minutes < 0 else "+"
    hh, mm = divmod(abs(minutes), 60)
    off = [f"{sign}{hh:02}:{mm:02}", f"{sign}{hh:02}{mm:02}", f"{sign}{hh:02}" if mm == 0 else f"{sign}{hh:02}:{mm:02}"]
    return local.strftime("%Y-%m-%dT%H:%M:%S") + frac + rng.choice(off)


def make_case(rng, path):
    rows = []
    for _ in range(rng.randint(1, 3)):
        service, region = rng.choice(NAMES), rng.choice(["eu", "us", "EU", "ap south"])
        for loc in rng.sample(["a", "b", "C", "d d", "é"], rng.randint(1, 4)):
            step = rng.choice([30, 60, 60, 90, 300])
            mode = rng.random()
            t = rng.randrange(0, 600)
            while t < 3 * 3600:
                if mode < 0.05:
                    status = "unknown"
                else:
                    p = rng.random()
                    status = "down" if p < 0.3 else "unknown" if p < 0.38 else "up"
                n = 1 if rng.random() > 0.1 else 2
                for _ in range(n):
                    st = status if n == 1 else rng.choice(["up", "down", "unknown"])
                    rows.append([spell_instant(rng, t), service, region, loc, rng.choice(SPELLINGS[st])])
                t += step if rng.random() > 0.1 else rng.randrange(step, 2000)
    rng.shuffle(rows)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(rng.choice([["timestamp", "service", "region", "location", "status"],
                               ["Status", " location", "REGION", "service", "timestamp", "extra"]]))
        w.writerows(rows)
    # The second header order: rewrite the rows in its column order.
    with open(path, newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    if lines[0][0] == "Status":
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(lines[0])
            for ts, sv, rg, lc, st in lines[1:]:
                w.writerow([st, lc, rg, sv, ts, "x"])
    return rng.choice([30, 60, 120, 300, 900]), rng.randint(1, 3), rng.choice(["majority", "any", "all"])


def as_csv(rows):
    out = []
    for r in sorted(rows, key=lambda r: (r[0].encode(), r[1].encode(), r[2], r[3])):
        out.append(",".join(str(x) for x in r))
    return out


def slareport_rows(binary, tmp, path, max_gap, confirm, quorum, want):
    """`slareport reduce` of the case: its rows when its file is byte-identical to the
    reference's written by sql/reduce.py, else the lines of its file (which then differ)."""
    config = os.path.join(tmp, "sla.toml")
    with open(config, "w", encoding="utf-8") as f:
        f.write(
            f'[inputs]\ncustomers = "customers.csv"\nchecks = ["{os.path.basename(path)}"]\n'
            f'[monitoring]\nmax_gap_seconds = {max_gap}\nconfirm_checks = {confirm}\nquorum = "{quorum}"\n'
            f"[tiers.any]\ntarget_percent = 99\n"
        )
    p = subprocess.run([binary, "reduce", "--config", config, "--out", "-"], capture_output=True)
    if p.returncode != 0:
        return [("slareport failed", p.stderr.decode(errors="replace"), "", "", "", "", "")]
    buf = io.StringIO()
    sqlrun.write_to(want, buf)
    if p.stdout.decode() == buf.getvalue():
        return want
    return [tuple(line.split(",")) + ("",) * 6 for line in p.stdout.decode().splitlines()[1:]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--spark", action="store_true", help="also Spark (one local session for all cases)")
    ap.add_argument("--slareport", help="the slareport binary: its reduce is compared too")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    # A session zone far from UTC: the SQL must not depend on it.
    spark = sqlrun.spark_session("Pacific/Chatham") if a.spark else None
    failures, rows_total, started = 0, 0, time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for case in range(a.cases):
            path = os.path.join(tmp, f"case{case}.csv")
            max_gap, confirm, quorum = make_case(rng, path)
            want = ref.reduce(ref.read_rows([path], "UTC"), max_gap, confirm, quorum)
            want = [(s, r, k, ref.utc(x), ref.utc(y), w, n) for s, r, k, x, y, w, n in want]
            engines = {"duckdb": sqlrun.run_duckdb([path], max_gap, confirm, quorum, False)}
            if spark is not None:
                engines["spark"] = sqlrun.run_spark([path], max_gap, confirm, quorum, False, spark)
            if a.slareport:
                engines["slareport"] = slareport_rows(a.slareport, tmp, path, max_gap, confirm, quorum, want)
            rows_total += sum(1 for _ in open(path)) - 1
            for name, got in engines.items():
                if as_csv(got) != as_csv(want):
                    failures += 1
                    print(f"case {case} ({name}, max_gap {max_gap}, confirm {confirm}, quorum {quorum}) differs:")
                    diff = difflib.unified_diff(as_csv(want), as_csv(got), "reference", name, lineterm="")
                    print("\n".join(diff))
                    keep = os.path.join(os.getcwd(), f"compare_random_case{case}.csv")
                    os.replace(path, keep) if not os.path.exists(keep) else None
                    print(f"kept the checks as {keep}")
                    break
    if spark is not None:
        spark.stop()
    print(f"{a.cases} random cases ({rows_total} rows), {failures} differing, "
          f"{', '.join(['duckdb'] + ['spark'] * a.spark + ['slareport reduce'] * bool(a.slareport))} against the reference, {time.monotonic() - started:.1f} s")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
