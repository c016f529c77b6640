#!/usr/bin/env python3
"""Runs the checks reduction SQL of this folder on DuckDB or Spark and writes slareport's
`reduced` input (see README "The warehouse path").

    python3 sql/reduce.py --engine duckdb --checks 'checks/*.csv' --out reduced.csv \
        [--max-gap 300] [--confirm 1] [--quorum majority] [--config sla.toml]

`--checks` may be repeated (files or globs; CSV or gzip-compressed CSV with a header; the
canonical columns timestamp, service, region, location and status are found by name, any
case, surrounding spaces ignored, in any order). `--config sla.toml` gives the defaults of
the three parameters from its `[monitoring]` table, and the files from its `[inputs] checks`
when `--checks` is not given (plain canonical checks only: an entry with a `format`, a
column mapping or `series = "events"` is refused). Naive timestamps are read as UTC: with
an `[inputs] timezone` other than UTC (`--timezone`), a naive timestamp is an error.

The Spark engine runs in local mode (`local[2]`); on a cluster or Databricks run
reduce.spark.sql itself (see its header).
"""

import argparse
import csv
import glob
import gzip
import io
import os
import sys
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = ("timestamp", "service", "region", "location", "status")
HEADER = ["service", "region", "kind", "start", "end", "locations_down", "locations"]
# Refused in a checks entry: they change how a file is read, which the SQL does not do.
NOT_PLAIN = ("format", "options", "columns", "values", "constants", "timestamp_format", "timezone", "series")


class Refused(Exception):
    pass


def load_toml(path):
    """The config as a dict. slareport's TOML reader also takes inline tables written over
    several lines (TOML 1.1), which Python's tomllib (TOML 1.0) refuses: on such an error,
    the line breaks and comments inside braces are removed and the text read again."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError:
        pass
    out, depth, quote, comment = [], 0, None, False
    for ch in raw.decode("utf-8"):
        if comment:
            if ch == "\n":
                comment = False
                out.append(" " if depth else ch)
            continue
        if quote:
            quote = None if ch == quote and (not out or out[-1] != "\\") else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            comment = True
            continue
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "\n" and depth:
            ch = " "
        out.append(ch)
    text = "".join(out)
    # A comma before a closing brace (also TOML 1.1 only).
    import re

    return tomllib.loads(re.sub(r",\s*}", " }", text))


def checks_of_config(path, conf):
    """The files of the config's checks entries, relative to the config."""
    base = os.path.dirname(os.path.abspath(path))
    entries = conf.get("inputs", {}).get("checks", [])
    if isinstance(entries, (str, dict)):
        entries = [entries]
    patterns = []
    for e in entries:
        if isinstance(e, dict):
            odd = [k for k in NOT_PLAIN if k in e]
            if odd:
                raise Refused(f"{path}: a checks entry with {', '.join(odd)} is not plain canonical checks")
            e = e["path"]
        patterns.append(os.path.join(base, e))
    return patterns


def files_of(patterns):
    files = []
    for p in patterns:
        matched = sorted(f for f in glob.glob(p) if os.path.isfile(f))
        if not matched:
            raise Refused(f"{p!r} matched no file")
        files.extend(f for f in matched if f not in files)
    return files


def header_positions(path):
    """The position of each canonical column in the file's header, and the column count."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), None)
    if header is None:
        raise Refused(f"{path}: empty file, expected a header")
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise Refused(f"{path}: missing columns {', '.join(missing)} (the header has: {', '.join(header)})")
    return {c: names.index(c) for c in COLUMNS}, len(header)


def sql_text(engine):
    with open(os.path.join(HERE, f"reduce.{engine}.sql"), encoding="utf-8") as f:
        text = f.read()
    return text.strip().rstrip(";")


NAIVE = "SELECT {ts} FROM checks WHERE {naive} LIMIT 1"


def run_duckdb(files, max_gap, confirm, quorum, utc_only):
    import duckdb

    con = duckdb.connect()
    parts = []
    for path in files:
        pos, n = header_positions(path)
        names = ", ".join(f"'c{i}'" for i in range(n))
        cols = ", ".join(f'c{pos[c]} AS "{c}"' for c in COLUMNS)
        lit = path.replace("'", "''")
        parts.append(
            f"SELECT {cols} FROM read_csv('{lit}', header = true, all_varchar = true, delim = ',', "
            f"quote = '\"', escape = '\"', names = [{names}], null_padding = true)"
        )
    con.execute("CREATE TEMP VIEW checks AS " + " UNION ALL ".join(parts))
    if utc_only:
        naive = "regexp_replace(substr(trim(\"timestamp\"), 20), '^[.][0-9]+', '') = '' AND trim(\"timestamp\") <> ''"
        hit = con.execute(NAIVE.format(ts='"timestamp"', naive=naive)).fetchone()
        if hit:
            raise Refused(f"naive timestamp {hit[0]!r}: the SQL reads naive times as UTC only")
    con.execute("SET VARIABLE max_gap_seconds = ?", [max_gap])
    con.execute("SET VARIABLE confirm_checks = ?", [confirm])
    con.execute("SET VARIABLE quorum = ?", [quorum])
    return con.execute(sql_text("duckdb")).fetchall()


def spark_session(zone="UTC"):
    """A local Spark session; the SQL does not depend on its time zone `zone`."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("slareport-reduce")
        .config("spark.sql.session.timeZone", zone)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.coalescePartitions.initialPartitionNum", "2")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def run_spark(files, max_gap, confirm, quorum, utc_only, spark=None):
    """With `spark`, runs in that session and leaves it open (several runs, one JVM)."""
    from pyspark.sql.types import StringType, StructField, StructType

    own = spark is None
    if own:
        spark = spark_session()
    try:
        frames = []
        for path in files:
            pos, n = header_positions(path)
            schema = StructType([StructField(f"c{i}", StringType()) for i in range(n)])
            df = spark.read.csv(path, schema=schema, header=True, escape='"', mode="FAILFAST", encoding="UTF-8")
            frames.append(df.selectExpr(*(f"c{pos[c]} AS `{c}`" for c in COLUMNS)))
        union = frames[0]
        for df in frames[1:]:
            union = union.unionAll(df)
        union.createOrReplaceTempView("checks")
        if utc_only:
            naive = "regexp_replace(substr(trim(`timestamp`), 20), '^[.][0-9]+', '') = '' AND trim(`timestamp`) <> ''"
            hit = spark.sql(NAIVE.format(ts="`timestamp`", naive=naive)).collect()
            if hit:
                raise Refused(f"naive timestamp {hit[0][0]!r}: the SQL reads naive times as UTC only")
        # The placeholders ${max_gap_seconds}, ${confirm_checks} and ${quorum} are filled by
        # Spark's variable substitution from the session, as on a cluster or Databricks.
        spark.sql(f"SET max_gap_seconds = {int(max_gap)}")
        spark.sql(f"SET confirm_checks = {int(confirm)}")
        spark.sql(f"SET quorum = {quorum}")
        return [tuple(r) for r in spark.sql(sql_text("spark")).collect()]
    finally:
        if own:
            spark.stop()


def write_to(rows, stream):
    """The reduced CSV: header, rows sorted by service, region (bytes), kind, start; LF."""
    rows = sorted(rows, key=lambda r: (r[0].encode(), r[1].encode(), r[2], r[3]))
    w = csv.writer(stream, lineterminator="\n")
    w.writerow(HEADER)
    for service, region, kind, start, end, who, n in rows:
        w.writerow([service, region, kind, start, end, who or "", n])


def write(rows, out):
    buf = io.StringIO()
    write_to(rows, buf)
    if out == "-":
        sys.stdout.write(buf.getvalue())
    else:
        with open(out, "w", encoding="utf-8", newline="") as f:
            f.write(buf.getvalue())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", choices=["duckdb", "spark"], required=True)
    ap.add_argument("--checks", action="append", help="file or glob (repeatable)")
    ap.add_argument("--out", required=True, help="the reduced CSV, - for standard output")
    ap.add_argument("--config", help="sla.toml: [monitoring] defaults, [inputs] checks and timezone")
    ap.add_argument("--max-gap", type=int)
    ap.add_argument("--confirm", type=int)
    ap.add_argument("--quorum", choices=["majority", "any", "all"])
    ap.add_argument("--timezone", help="zone of naive timestamps; only UTC is supported")
    ap.add_argument("--timing", action="store_true", help="print the time the engine took on stderr")
    a = ap.parse_args()
    try:
        conf = {}
        if a.config:
            conf = load_toml(a.config)
        mon = conf.get("monitoring", {})
        max_gap = a.max_gap if a.max_gap is not None else int(mon.get("max_gap_seconds", 300))
        confirm = a.confirm if a.confirm is not None else int(mon.get("confirm_checks", 1))
        quorum = a.quorum or str(mon.get("quorum", "majority"))
        if quorum not in ("majority", "any", "all") or max_gap < 1 or confirm < 1:
            raise Refused(f"bad parameters: max_gap {max_gap}, confirm {confirm}, quorum {quorum!r}")
        zone = a.timezone or conf.get("inputs", {}).get("timezone", "UTC")
        patterns = a.checks or (checks_of_config(a.config, conf) if a.config else [])
        if not patterns:
            raise Refused("no checks: give --checks, or --config with [inputs] checks")
        files = files_of(patterns)
        started = time.monotonic()
        run = run_duckdb if a.engine == "duckdb" else run_spark
        rows = run(files, max_gap, confirm, quorum, zone != "UTC")
        if a.timing:
            print(f"{a.engine}: {time.monotonic() - started:.2f} s", file=sys.stderr)
    except Refused as e:
        sys.exit(f"reduce.py: {e}")
    except Exception as e:  # the engine's own error (a bad row stops the query): one line
        lines = str(e).strip().splitlines() or [type(e).__name__]
        # The SQL's own error about a row starts with "checks:" (Spark buries it in a trace).
        ours = [line[line.index("checks: ") :] for line in lines if "checks: " in line]
        print(f"reduce.py: {a.engine}: {(ours or lines)[0].strip()}", file=sys.stderr)
        sys.exit(4)
    write(rows, a.out)


if __name__ == "__main__":
    main()
