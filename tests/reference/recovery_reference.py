#!/usr/bin/env python3
"""Independent reference for slareport's recovery.csv (RTO / RPO), standard library only.

Usage:
    python3 tests/reference/recovery_reference.py CONFIG.toml YYYY-MM [--as-of RFC3339]

Reads the config's customers and incidents (CSV files; instants with `Z` or an offset,
contract bounds as instants or dates) and prints recovery.csv for the calendar month on
stdout, from the definitions in the README ("Recovery objectives"):

- the rows: every incident of impact `major` that applies to the customer (services and
  regions meet, customers contains it) and overlaps its eligible window E = the month's
  local days in the customer's zone cut to its contract; by start, then id;
- time to restore = end - max(start, contract start), for an incident closed at "now" (slareport
  also joins downtime the customer's monitoring saw adjoining the incident; the golden cases
  with objectives have no monitoring, so both definitions agree there);
- RTO / RPO: the customer's `rto_minutes` / `rpo_minutes`, else the tier's;
- met: time to restore <= RTO x 60 s, data_loss_minutes <= RPO (exact fractions);
- not judged: an excluded incident (its category is excluded by the tier; a
  planned_maintenance needs `announced_at` at least the notice before its start), an
  incident still open (no end, or an end after "now": the RTO), no objective, no
  data-loss figure (the RPO).

The `note` column holds the key words of why an objective is not judged (`excluded`,
`still open`, `no RTO applies`, `no RPO applies`, `no data-loss figure`), joined by `; `;
slareport's notes say more, so the test compares the other columns exactly and checks
these key words appear in slareport's note.
"""

import argparse
import csv
import glob
import os
import sys
import tomllib
from datetime import date, datetime, timezone
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

UTC = timezone.utc
FAR_FUTURE = 253402300799
DEFAULT_EXCLUDED = ["planned_maintenance", "force_majeure", "customer_caused", "third_party"]


def instant(text, tz=UTC):
    text = text.strip()
    if not text:
        return None
    if len(text) == 10:
        d = date.fromisoformat(text)
        return int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp())
    dt = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return int(dt.timestamp())


def utc(ts):
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plain(d):
    d = Decimal(d).normalize()
    return format(d, "f")


def scope(cell):
    items = [s.strip() for s in (cell or "").split(";") if s.strip()]
    return "*" if "*" in items else items


def meets(a, b):
    if a == "*" and b == "*":
        return True
    if a == "*":
        return bool(b)
    if b == "*":
        return bool(a)
    return any(v in b for v in a)


def contains(s, v):
    return s == "*" or v in s


def rows_of(base, patterns):
    if isinstance(patterns, (str, dict)):
        patterns = [patterns]
    out = []
    for p in patterns:
        path = p["path"] if isinstance(p, dict) else p
        for f in sorted(glob.glob(os.path.join(base, path))):
            with open(f, newline="", encoding="utf-8-sig") as fh:
                out.extend({k.strip().lower(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh))
    return out


def month_window(month, tz):
    y, m = map(int, month.split("-"))
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    return (int(datetime(y, m, 1, tzinfo=tz).timestamp()), int(datetime(ny, nm, 1, tzinfo=tz).timestamp()))


def judged_rows(config_path, month, now):
    """The recovery rows of a calendar month `YYYY-MM` at `now` (seconds): dicts with the
    customer id, where the time to restore starts, whether an objective was missed, E, and
    the CSV cells."""
    with open(config_path, "rb") as fh:
        cfg = tomllib.load(fh)
    base = os.path.dirname(os.path.abspath(config_path))
    report_tz = ZoneInfo(cfg.get("report", {}).get("timezone", "UTC"))
    tiers = cfg["tiers"]
    customers = rows_of(base, cfg["inputs"]["customers"])
    incidents = rows_of(base, cfg["inputs"].get("incidents", []))
    out = []
    for c in sorted(customers, key=lambda r: r["customer_id"]):
        tier = tiers[c["tier"]]
        tz = ZoneInfo(c["timezone"]) if c.get("timezone") else report_tz
        ws, we = month_window(month, tz)
        cs = instant(c.get("contract_start", ""), tz)
        ce = instant(c.get("contract_end", ""), tz)
        es, ee = max(ws, cs if cs is not None else ws), min(we, ce if ce is not None else we)
        if es >= ee:
            continue
        rto = c.get("rto_minutes") or tier.get("rto_minutes")
        rpo = c.get("rpo_minutes") or tier.get("rpo_minutes")
        rto = Decimal(str(rto)) if rto is not None else None
        rpo = Decimal(str(rpo)) if rpo is not None else None
        excluded_cats = tier.get("excluded_categories", DEFAULT_EXCLUDED)
        notice = Fraction(Decimal(str(tier.get("maintenance_notice_hours", 48)))) * 3600
        rows = []
        for i in incidents:
            if i["impact"].lower() != "major":
                continue
            if not (meets(scope(i.get("services", "*") or "*"), scope(c.get("services", "*") or "*"))
                    and meets(scope(i.get("regions", "*") or "*"), scope(c.get("regions", "*") or "*"))
                    and contains(scope(i.get("customers", "*") or "*"), c["customer_id"])):
                continue
            start, end = instant(i["start"]), instant(i.get("end", ""))
            iv_end = end if end is not None else max(now, start)
            if not (start < ee and iv_end > es):
                continue
            cat = i["category"].lower()
            excluded = cat in excluded_cats
            if cat == "planned_maintenance" and excluded:
                ann = instant(i.get("announced_at", ""))
                excluded = ann is not None and start - ann >= notice
            is_open = end is None or end > now
            restore_start = max(start, cs if cs is not None else start)
            restore = None if is_open else iv_end - restore_start
            loss = Decimal(i["data_loss_minutes"]) if i.get("data_loss_minutes") else None
            notes, rto_met, rpo_met = [], "", ""
            if excluded:
                notes.append("excluded")
            else:
                if rto is None:
                    notes.append("no RTO applies")
                elif restore is None:
                    notes.append("still open")
                else:
                    rto_met = str(Fraction(restore) <= Fraction(rto) * 60).lower()
                if rpo is None:
                    notes.append("no RPO applies")
                elif loss is None:
                    notes.append("no data-loss figure")
                else:
                    rpo_met = str(loss <= rpo).lower()
            minutes = ""
            if restore is not None:
                minutes = plain(Decimal(restore * 100 // 60) / 100)
            cells = [
                month, c["customer_id"], i["incident_id"], utc(start), "" if is_open else utc(iv_end), minutes,
                plain(rto) if rto is not None else "", rto_met, plain(loss) if loss is not None else "",
                plain(rpo) if rpo is not None else "", rpo_met, "; ".join(notes)]
            rows.append({"customer_id": c["customer_id"], "start": start, "id": i["incident_id"],
                         "restore_start": restore_start, "missed": "false" in (rto_met, rpo_met),
                         "eligible": (es, ee), "cells": cells})
        out.extend(sorted(rows, key=lambda x: (x["start"], x["id"])))
    return out


def recovery_credit_applies(config_path, month, now, customer_id):
    """Whether an objective was missed in this month by an incident whose time to restore
    starts in the customer's eligible window (the recovery credit is then owed)."""
    return any(r["customer_id"] == customer_id and r["missed"]
               and r["eligible"][0] <= r["restore_start"] < r["eligible"][1]
               for r in judged_rows(config_path, month, now))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("month")
    ap.add_argument("--as-of")
    a = ap.parse_args()
    now = instant(a.as_of) if a.as_of else FAR_FUTURE
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["month", "customer_id", "incident_id", "start", "end", "restore_minutes", "rto_minutes", "rto_met",
                "data_loss_minutes", "rpo_minutes", "rpo_met", "note"])
    for r in judged_rows(a.config, a.month, now):
        w.writerow(r["cells"])

if __name__ == "__main__":
    main()
