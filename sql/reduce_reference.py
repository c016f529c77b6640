#!/usr/bin/env python3
"""An independent, plain-Python reading of the checks reduction (spec section 3), the third
witness next to `slareport reduce` (Rust) and the SQL in this folder.

It is written for clarity, not speed: every series' holds are listed, and each pair's
time is cut at every interval boundary of its locations into elementary segments whose
quorum is judged one by one (no running sums, no event sweep). Golden cases are small.

    python3 sql/reduce_reference.py --checks 'tests/golden/quorum_any/checks.csv' --out reduced.csv \
        [--max-gap 300 --confirm 1 --quorum majority] [--config sla.toml] [--timezone UTC]

Writes the reduced CSV (`service,region,kind,start,end,locations_down,locations`).
Naive timestamps are read in `--timezone` (or the config's `[inputs] timezone`); a naive
time skipped or repeated by a DST change is an error, as in slareport.
"""

import argparse
import csv
import datetime as dt
import glob
import gzip
import io
import os
import re
import sys
from collections import defaultdict
from zoneinfo import ZoneInfo

UP = {"up", "ok", "1", "true"}
DOWN = {"down", "fail", "error", "0", "false"}
EARLIEST = 631_152_000  # 1990-01-01T00:00:00Z
LATEST = 4_102_444_800  # 2100-01-01T00:00:00Z

INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?"
    r"(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?"
)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


class InputError(Exception):
    pass


def parse_instant(text, zone):
    """Seconds since the epoch: `Z`, `±HH:MM`, `±HHMM`, `±HH` offsets or naive (in `zone`)."""
    m = INSTANT.fullmatch(text.strip())
    if not m:
        raise InputError(f"expected an instant, found {text!r}")
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    if h > 23 or mi > 59 or s > 59:
        raise InputError(f"expected an instant, found {text!r}")
    try:
        wall = dt.datetime(y, mo, d, h, mi, s)
    except ValueError:
        raise InputError(f"expected an instant, found {text!r}") from None
    if m.group(7):
        at = wall.replace(tzinfo=dt.timezone.utc)
    elif m.group(8):
        oh, om = int(m.group(9)), int(m.group(10) or 0)
        if oh > 23 or om > 59:
            raise InputError(f"expected an instant, found {text!r}")
        off = dt.timedelta(hours=oh, minutes=om)
        at = wall.replace(tzinfo=dt.timezone(off if m.group(8) == "+" else -off))
    else:
        tz = ZoneInfo(zone)
        a, b = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
        if a.utcoffset() != b.utcoffset():
            raise InputError(f"{text!r} is skipped or repeated by a DST change in {zone}")
        if a.astimezone(dt.timezone.utc).astimezone(tz).replace(tzinfo=None) != wall:
            raise InputError(f"{text!r} does not exist in {zone}")
        at = a
    t = (at - EPOCH) // dt.timedelta(seconds=1)
    if not EARLIEST <= t < LATEST:
        raise InputError(f"{text!r} is outside 1990-01-01 to 2099-12-31")
    return t


def parse_status(text):
    s = text.strip().lower()
    if s in UP:
        return "up"
    if s in DOWN:
        return "down"
    if s == "unknown":
        return "unknown"
    raise InputError(f"unknown status {text!r}")


def read_rows(patterns, zone):
    """(service, region, location, t, status) of every non-blank row of the files."""
    files = sorted({f for p in patterns for f in glob.glob(p) if os.path.isfile(f)})
    if not files:
        raise InputError(f"no file matches {patterns}")
    rows = []
    for path in files:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = [h.strip().lower() for h in next(reader)]
            col = {name: header.index(name) for name in ("timestamp", "service", "region", "location", "status")}
            for n, rec in enumerate(reader, start=2):
                if all(not c.strip() for c in rec):
                    continue
                try:
                    cell = {k: rec[i] for k, i in col.items()}
                    key = tuple(cell[k].strip() for k in ("service", "region", "location"))
                    if not all(key):
                        raise InputError("empty service, region or location")
                    rows.append((*key, parse_instant(cell["timestamp"], zone), parse_status(cell["status"])))
                except InputError as e:
                    raise InputError(f"{path}:{n}: {e}") from None
    return rows


def union(intervals):
    """Sorted, disjoint, non-adjacent intervals covering the same time."""
    out = []
    for a, b in sorted(i for i in intervals if i[0] < i[1]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [tuple(i) for i in out]


def reduce_series(points, max_gap, confirm):
    """Coverage and down intervals of one series from {instant: status}."""
    times = sorted(points)
    statuses = [points[t] for t in times]
    holds = [(t, min(times[i + 1], t + max_gap) if i + 1 < len(times) else t + max_gap) for i, t in enumerate(times)]
    coverage = union(h for h, s in zip(holds, statuses) if s != "unknown")
    down = []
    i = 0
    while i < len(times):
        j = i
        while j < len(times) and statuses[j] == "down":
            j += 1
        if j - i >= confirm:
            down.extend(holds[i:j])
        i = max(j, i + 1)
    return coverage, union(down)


def inside(intervals, a, b):
    """Whether the segment [a, b) lies inside one of the intervals."""
    return any(x <= a and b <= y for x, y in intervals)


def reduce(rows, max_gap, confirm, quorum):
    series = defaultdict(dict)
    first = {}
    rank = {"unknown": 0, "up": 1, "down": 2}
    for service, region, location, t, status in rows:
        points = series[(service, region, location)]
        if t not in points or rank[status] > rank[points[t]]:
            points[t] = status
        first[(service, region)] = min(first.get((service, region), t), t)
    pairs = defaultdict(dict)
    for (service, region, location), points in series.items():
        pairs[(service, region)][location] = reduce_series(points, max_gap, confirm)
    out = []
    for pair in sorted(pairs, key=lambda p: (p[0].encode(), p[1].encode())):
        locs = pairs[pair]
        n = len(locs)
        data = union(iv for cov, _ in locs.values() for iv in cov)
        if not data:
            out.append((*pair, "data", first[pair], first[pair], "", n))
            continue
        for a, b in data:
            out.append((*pair, "data", a, b, "", n))
        cuts = sorted({x for cov, down in locs.values() for iv in cov + down for x in iv})
        pieces = []
        for a, b in zip(cuts, cuts[1:]):
            with_data = sum(inside(cov, a, b) for cov, _ in locs.values())
            down = sum(inside(dn, a, b) for _, dn in locs.values())
            if quorum == "majority":
                is_down = down * 2 > with_data
            elif quorum == "any":
                is_down = down >= 1
            else:
                is_down = with_data > 0 and down == with_data
            if is_down:
                if pieces and pieces[-1][1] == a:
                    pieces[-1][1] = b
                else:
                    pieces.append([a, b])
        for a, b in pieces:
            who = sorted(
                (name for name, (_, dn) in locs.items() if any(x < b and a < y for x, y in dn)),
                key=lambda s: s.encode(),
            )
            out.append((*pair, "down", a, b, ", ".join(who), n))
    return out


def utc(t):
    return (EPOCH + dt.timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%SZ")


def write(rows, out):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["service", "region", "kind", "start", "end", "locations_down", "locations"])
    for service, region, kind, a, b, who, n in rows:
        w.writerow([service, region, kind, utc(a), utc(b), who, n])
    if out == "-":
        sys.stdout.write(buf.getvalue())
    else:
        with open(out, "w", encoding="utf-8", newline="") as f:
            f.write(buf.getvalue())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checks", action="append", required=True, help="file or glob (repeatable)")
    ap.add_argument("--out", required=True, help="output CSV, - for standard output")
    ap.add_argument("--config", help="sla.toml: [monitoring] and [inputs] timezone defaults")
    ap.add_argument("--max-gap", type=int)
    ap.add_argument("--confirm", type=int)
    ap.add_argument("--quorum", choices=["majority", "any", "all"])
    ap.add_argument("--timezone", help="zone of naive timestamps (default UTC)")
    a = ap.parse_args()
    conf = {}
    if a.config:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from reduce import load_toml  # the config only (TOML 1.1 inline tables); not the reduction

        conf = load_toml(a.config)
    mon = conf.get("monitoring", {})
    max_gap = a.max_gap if a.max_gap is not None else int(mon.get("max_gap_seconds", 300))
    confirm = a.confirm if a.confirm is not None else int(mon.get("confirm_checks", 1))
    quorum = a.quorum or mon.get("quorum", "majority")
    zone = a.timezone or conf.get("inputs", {}).get("timezone", "UTC")
    try:
        rows = read_rows(a.checks, zone)
    except InputError as e:
        sys.exit(f"reduce_reference: {e}")
    write(reduce(rows, max_gap, max(confirm, 1), quorum), a.out)


if __name__ == "__main__":
    main()
