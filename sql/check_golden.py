#!/usr/bin/env python3
"""The golden cases' checks reduced three or four ways, compared byte for byte: by
`slareport reduce` (Rust, when `--slareport` is given), by the SQL on DuckDB (and on Spark
with `--spark`), and by the plain Python reference. Run through scripts/sql-check.

    python3 sql/check_golden.py [--spark] [--slareport target/debug/slareport] [--keep DIR]

A case takes part when its config reads plain canonical checks: cases without checks, and
cases whose checks come through a native `format`, a column mapping or a state-change log
(`series = "events"`), are skipped with the reason. Exits 1 on any difference, with a diff.
"""

import argparse
import difflib
import io
import os
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import reduce as sqlrun  # noqa: E402
import reduce_reference as ref  # noqa: E402


def eligible(case):
    """None when the case's checks can be reduced by the SQL, else why not."""
    conf = sqlrun.load_toml(os.path.join(case, "sla.toml"))
    entries = conf.get("inputs", {}).get("checks", [])
    if isinstance(entries, (str, dict)):
        entries = [entries]
    if not entries:
        return "no checks"
    for e in entries:
        if isinstance(e, dict):
            if "format" in e:
                return f"checks through the native reader format = {e['format']!r}"
            if e.get("series") == "events":
                return "checks are a state-change log (series = \"events\")"
            odd = [k for k in sqlrun.NOT_PLAIN if k in e]
            if odd:
                return f"checks through a column mapping ({', '.join(odd)})"
    return None


def as_of(case):
    """The `--as-of` of the case's first run, if any."""
    with open(os.path.join(case, "args"), encoding="utf-8") as f:
        args = shlex.split(f.readline())
    return args[args.index("--as-of") + 1] if "--as-of" in args else None


def parameters(case):
    conf = sqlrun.load_toml(os.path.join(case, "sla.toml"))
    mon = conf.get("monitoring", {})
    zone = conf.get("inputs", {}).get("timezone", "UTC")
    files = sqlrun.files_of(sqlrun.checks_of_config(os.path.join(case, "sla.toml"), conf))
    return files, int(mon.get("max_gap_seconds", 300)), int(mon.get("confirm_checks", 1)), mon.get("quorum", "majority"), zone


def rust_reduce(binary, case, out):
    cmd = [binary, "reduce", "--config", os.path.join(case, "sla.toml"), "--out", out]
    at = as_of(case)
    if at:
        cmd += ["--as-of", at]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    with open(out, encoding="utf-8", newline="") as f:
        return f.read()


def csv_text(rows):
    buf = io.StringIO()
    sqlrun.write_to(rows, buf)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spark", action="store_true")
    ap.add_argument("--slareport", help="the slareport binary; without it the reference is the yardstick")
    ap.add_argument("--keep", help="write every reduced file here")
    a = ap.parse_args()
    golden = os.path.join(ROOT, "tests", "golden")
    cases = sorted(os.path.join(golden, d) for d in os.listdir(golden) if os.path.isfile(os.path.join(golden, d, "sla.toml")))
    spark = sqlrun.spark_session() if a.spark else None
    failures, matched, timings = [], [], {}
    tmpdir = tempfile.TemporaryDirectory(prefix="sql-check-")  # removed when the script ends
    tmp = tmpdir.name
    for case in cases:
        name = os.path.basename(case)
        why = eligible(case)
        if why:
            print(f"skip  {name}: {why}")
            continue
        files, max_gap, confirm, quorum, zone = parameters(case)
        results = {}
        ref_rows = ref.reduce(ref.read_rows(files, zone), max_gap, max(confirm, 1), quorum)
        results["reference"] = csv_text([(s, r, k, ref.utc(x), ref.utc(y), w, n) for s, r, k, x, y, w, n in ref_rows])
        started = time.monotonic()
        results["duckdb"] = csv_text(sqlrun.run_duckdb(files, max_gap, confirm, quorum, zone != "UTC"))
        timings.setdefault("duckdb", []).append(time.monotonic() - started)
        if spark is not None:
            started = time.monotonic()
            results["spark"] = csv_text(sqlrun.run_spark(files, max_gap, confirm, quorum, zone != "UTC", spark))
            timings.setdefault("spark", []).append(time.monotonic() - started)
        if a.slareport:
            try:
                results["slareport"] = rust_reduce(a.slareport, case, os.path.join(tmp, f"{name}.csv"))
            except RuntimeError as e:
                failures.append(name)
                print(f"FAIL  {name}: {e}")
                continue
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            for engine, text in results.items():
                with open(os.path.join(a.keep, f"{name}.{engine}.csv"), "w", encoding="utf-8", newline="") as f:
                    f.write(text)
        yardstick = "slareport" if a.slareport else "reference"
        want = results[yardstick]
        bad = [e for e, text in results.items() if text != want]
        if bad:
            failures.append(name)
            print(f"FAIL  {name}: {', '.join(bad)} differ from {yardstick}")
            for e in bad:
                diff = difflib.unified_diff(
                    want.splitlines(keepends=True), results[e].splitlines(keepends=True), yardstick, e
                )
                sys.stdout.writelines(diff)
        else:
            matched.append(name)
            rows = want.count("\n") - 1
            print(f"ok    {name}: {' = '.join(results)} ({rows} reduced rows, byte-identical)")
    if spark is not None:
        spark.stop()
    for engine, ts in timings.items():
        print(f"{engine}: {len(ts)} cases in {sum(ts):.1f} s (slowest {max(ts):.1f} s)")
    print(f"{len(matched)} cases matched, {len(failures)} failed" + (f": {', '.join(failures)}" if failures else ""))
    if not matched and not failures:
        print("no eligible golden case found")
        sys.exit(1)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
