#!/usr/bin/env python3
"""Reference: monthly uptime of the ClouDesire Upptime sites from the raw check events.

    python3 reference.py [--as-of 2026-06-11T00:54:33Z] [--max-hold 172800] [--days]

Reads check_events.csv the way sla.toml tells slareport to (an events series) and
prints, per site and calendar month (UTC), the uptime that a strict reduction of the
events gives, next to the calendar-month uptime derived from Upptime's published daily
minutes (derived_calendar_month_uptime_from_published_daily.csv). Then it counts the
months that agree to 2 decimals and puts every other month in one of the categories of
SOURCE.md. --days also lists, for each month that differs, the UTC days that differ.

The reduction (the rules this file assumes slareport applies to sla.toml):
  * each row of a site opens a state (`file_status`, up or down) at `committed_at`, which
    holds until the site's next row, but at most --max-hold seconds (sla.toml's
    max_hold_seconds); after that there is no data until the next row;
  * the last row's state holds until "now", the --as-of instant (default: the snapshot
    HEAD, 2026-06-11T00:54:33Z), again at most --max-hold seconds; nothing is known
    after "now";
  * no data counts as up (slareport's default `[monitoring] gaps = "up"`): it lowers the
    coverage, never the uptime;
  * the eligible time of a month is the calendar month in UTC, from the site's monitoring
    start (`startTime` in history_yml_head.yml, the customer's contract_start) when that is
    later; the contract is open, so the month runs to its end even after "now";
  * uptime = 100 * (1 - down seconds / eligible seconds), printed truncated to 2 decimals.

Python 3.11+, standard library only.
"""
import argparse
import csv
import datetime as dt
import itertools
import math
import re
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHORT = 15 * 60  # Upptime deletes issues closed within 15 minutes (SOURCE.md)


def ts(s):
    return int(dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def month_bounds(y, m):
    a = dt.datetime(y, m, 1, tzinfo=dt.timezone.utc)
    b = dt.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=dt.timezone.utc)
    return int(a.timestamp()), int(b.timestamp())


def overlap(intervals, a, b):
    return sum(max(0, min(y, b) - max(x, a)) for x, y in intervals)


def merge(intervals):
    out = []
    for x, y in sorted(intervals):
        if out and x <= out[-1][1]:
            out[-1][1] = max(out[-1][1], y)
        else:
            out.append([x, y])
    return [tuple(i) for i in out]


def days_of(a, b):
    """(date, day start) of the UTC days that meet [a, b)."""
    day = a - a % 86400
    while day < b:
        yield dt.datetime.fromtimestamp(day, dt.timezone.utc).date().isoformat(), day
        day += 86400


def day_segments(down, day, a, b):
    lo, hi = max(day, a), min(day + 86400, b)
    return [(max(x, lo), min(y, hi)) for x, y in down if x < hi and y > lo]


def classify_day(down, published_min, day, a, b):
    """Why a UTC day's published minutes differ from the check events, if they do.

    Upptime adds Math.round(minutes) of each outage that overlaps the day, and deletes the
    issues of outages shorter than 15 minutes. Issues open and close a little after the
    commits, so each outage may differ by a minute.
    """
    segs = day_segments(down, day, a, b)
    exact = sum(y - x for x, y in segs) / 60
    if published_min == exact:
        return "same"
    every = sum(round((y - x) / 60) for x, y in segs)
    if abs(published_min - every) <= len(segs):
        return "rounding"
    # Most, not all, short issues are deleted: try every set of short outages.
    short = [round((y - x) / 60) for x, y in segs if y - x < SHORT]
    if published_min < every:
        for k in range(1, len(short) + 1):
            for gone in itertools.combinations(short, k):
                if abs(published_min - (every - sum(gone))) <= len(segs) - k:
                    return "deleted short issues (< 15 min)"
    return "other"


def trunc2(x):
    return Fraction(math.floor(Fraction(x) * 100), 100)


def start_times():
    """startTime per slug from history_yml_head.yml, fractions of a second dropped."""
    out, slug = {}, None
    for line in (HERE / "history_yml_head.yml").read_text().splitlines():
        m = re.match(r"# ---- history/(.+)\.yml", line)
        if m:
            slug = m.group(1)
        m = re.match(r"startTime: (\S+)", line)
        if m:
            out[slug] = ts(re.sub(r"\.\d+Z$", "Z", m.group(1)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--as-of", default="2026-06-11T00:54:33Z")
    ap.add_argument("--max-hold", type=int, default=172800)
    ap.add_argument("--days", action="store_true")
    args = ap.parse_args()
    now, cap = ts(args.as_of), args.max_hold
    starts = start_times()

    rows = defaultdict(list)
    with (HERE / "check_events.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            assert r["file_status"] in ("up", "down"), r["file_status"]
            rows[r["slug"]].append((ts(r["committed_at"]), r["file_status"]))

    derived = {}
    with (HERE / "derived_calendar_month_uptime_from_published_daily.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            derived[(r["slug"], r["month"])] = r
    daily = defaultdict(int)
    with (HERE / "published_daily_minutes_down.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            daily[(r["slug"], r["date_utc"])] = int(r["minutes_down_latest"])

    print(f"as of {iso(now)}; a state holds until the next row, at most {cap} s; no data = up")
    print(f"{'site':42} {'month':7} {'eligible_s':>10} {'down_s':>8} {'cover%':>7} {'ref%':>7} "
          f"{'pub%':>7} {'ref_min':>8} {'pub_min':>7}  verdict")
    results = []
    for slug in sorted(rows):
        ev = sorted(rows[slug])
        states = []
        for i, (t, st) in enumerate(ev):
            nxt = ev[i + 1][0] if i + 1 < len(ev) else now
            end = min(nxt, t + cap, now)
            if end > t:
                states.append((t, end, st))
        down = merge((a, b) for a, b, st in states if st == "down")
        covered = merge((a, b) for a, b, _ in states)
        months = sorted({k[1] for k in derived if k[0] == slug})
        for mon in months:
            y, m = map(int, mon.split("-"))
            a, b = month_bounds(y, m)
            a = max(a, starts[slug])
            elig = b - a
            d = overlap(down, a, b)
            cov = overlap(covered, a, b)
            ref = 100 * (1 - Fraction(d, elig))
            pub = derived[(slug, mon)]
            pub_pct = Fraction(pub["derived_uptime_pct"])
            same = trunc2(ref) == trunc2(pub_pct)
            ref_min = Fraction(d, 60)
            pub_min = int(pub["published_minutes_down"])
            if same:
                verdict = "match"
            elif mon == months[0]:
                verdict = "first partial month"
            elif pub["full_month"] == "0":
                verdict = "last partial month"
            else:
                cats = {classify_day(down, daily.get((slug, date), 0), day, a, b)
                        for date, day in days_of(a, b)} - {"same"}
                if "deleted short issues (< 15 min)" in cats:
                    verdict = "deleted short issues (< 15 min)"
                elif cats <= {"rounding"}:
                    verdict = "whole-minute rounding"
                else:
                    verdict = "other"
            results.append((slug, mon, verdict))
            print(f"{slug:42} {mon:7} {elig:>10} {d:>8} {float(100 * Fraction(cov, elig)):>7.2f} "
                  f"{float(trunc2(ref)):>7.2f} {float(trunc2(pub_pct)):>7.2f} {float(ref_min):>8.1f} "
                  f"{pub_min:>7}  {verdict}")
            if args.days and not same:
                for date, day in days_of(a, b):
                    pm = daily.get((slug, date), 0)
                    cat = classify_day(down, pm, day, a, b)
                    if cat != "same":
                        segs = day_segments(down, day, a, b)
                        ivs = " ".join(f"{iso(x)[11:19]}+{(y - x) / 60:.1f}m" for x, y in segs)
                        print(f"    {date}: ref {sum(y - x for x, y in segs) / 60:.1f} min, "
                              f"published {pm} min ({cat}); down {ivs}")

    print()
    by_site = defaultdict(lambda: defaultdict(int))
    for slug, mon, verdict in results:
        cat = verdict.split(":")[0]
        by_site[slug][cat] += 1
    for slug in sorted(by_site):
        n = sum(by_site[slug].values())
        cats = ", ".join(f"{k} {v}" for k, v in sorted(by_site[slug].items()) if k != "match")
        print(f"{slug}: {by_site[slug]['match']}/{n} months match to 2 decimals"
              + (f"; differ: {cats}" if cats else ""))
    total = len(results)
    print(f"all sites: {sum(v == 'match' for _, _, v in results)}/{total} months match")


if __name__ == "__main__":
    main()
