#!/usr/bin/env python3
"""Generate the slareport sample data set (Python 3.11 standard library only).

    python3 generate.py                      # regenerate the bundled set in place
    python3 generate.py --out DIR --scale N  # N times the customers and check series

The bundled set (scale 1) is what README.md describes: a fictional provider,
"Halcyon Cloud", three regions, nine (service, region) pairs probed from three
locations per region every 120 s, September and October 2026 (plus a few hours
of margin on both sides so that customers in UTC+9 / UTC-4 have data for their
whole local month), an incident log telling the same story as the checks,
external-monitor outages for the unprobed `cdn` service, and customers.

With --scale N every region is replicated N times (copy k > 1 is named
`eu-west-k`, `us-east-k`, ...), every customer N times (ids `C001-002`, ...)
and every region-scoped incident and outage N times, each copy with its own
random noise but the same story.  Check rows therefore grow linearly:
about 1.2 million rows per unit of scale.  Above scale 1 the checks are
written as plain `.csv` files, one per region copy, in parallel (--jobs).

Everything is deterministic: the same arguments always give byte-identical
files (fixed seeds, gzip header without file name and with mtime 0).
"""

import argparse
import csv
import gzip
import io
import os
import random
import sys
from datetime import datetime, timedelta, timezone

SEED = "halcyon-2026"
UTC = timezone.utc


def ts(text):
    """'2026-09-08T14:12:00' (UTC) -> epoch seconds."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


# --------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------

INTERVAL = 120              # seconds between two checks of one series
LOCATION_OFFSETS = (0, 40, 80)   # each probe location fires at its own phase
JITTER = 3                  # 0..3 s of scheduling jitter per (round, location)
MAX_GAP = 180               # [monitoring] max_gap_seconds (covers 120 + jitter)

# Checks cover the two UTC months plus margins so that every customer's local
# month (Asia/Tokyo starts 2026-08-31T15:00Z, America/New_York ends
# 2026-11-01T04:00Z) is fully monitored.
CHECK_START = ts("2026-08-31T12:00:00")
CHECK_END = ts("2026-11-01T06:00:00")

REGIONS = {
    # region: (probe locations, services hosted and probed, base latency ms)
    "eu-west": (("dublin", "london", "frankfurt"), ("api", "auth", "dashboard", "storage"), 28),
    "us-east": (("ashburn", "new-york", "toronto"), ("api", "dashboard", "storage"), 34),
    "ap-southeast": (("singapore", "jakarta", "sydney"), ("api", "storage"), 55),
}
SERVICE_EXTRA_MS = {"api": 0, "auth": 12, "dashboard": 95, "storage": 40}

# --------------------------------------------------------------------------
# The story, as seen by the probes (UTC).  Each entry is
# (region, services, locations, start, end): checks whose timestamp t
# satisfies start <= t < end are written as down.  "*" = all.
# --------------------------------------------------------------------------

DOWN = [
    # INC-2609-002: API gateway 503s after a faulty certificate rotation.
    ("eu-west", ("api",), "*", "2026-09-08T14:12:30", "2026-09-08T14:46:30"),
    # INC-2609-003: announced storage maintenance (excluded).
    ("eu-west", ("storage",), "*", "2026-09-13T01:06:00", "2026-09-13T02:38:00"),
    # Unlogged storage blip while the frankfurt probe has no data: 2 of the 2
    # locations with data are down -> majority -> counted.
    ("eu-west", ("storage",), ("dublin", "london"), "2026-09-21T03:10:00", "2026-09-21T03:16:00"),
    # INC-2609-005 (logged as only "degraded"): ashburn really fails; new-york
    # sends conflicting duplicates (see DUPLICATES) and so counts as down too.
    ("us-east", ("api",), ("ashburn",), "2026-09-24T11:10:00", "2026-09-24T11:18:00"),
    # INC-2609-006 force majeure: power grid failure; storage recovers ~9 min
    # after the incident window closes (that tail counts).
    ("ap-southeast", ("api",), "*", "2026-09-27T06:12:00", "2026-09-27T08:50:00"),
    ("ap-southeast", ("storage",), "*", "2026-09-27T06:12:00", "2026-09-27T09:04:00"),
    # INC-2610-003 storage firmware upgrade (announced exactly 72 h ahead).
    ("eu-west", ("storage",), "*", "2026-10-04T01:10:00", "2026-10-04T01:40:00"),
    # INC-2610-004 dashboard DB upgrade announced only 5 h ahead.
    ("us-east", ("dashboard",), "*", "2026-10-08T22:03:00", "2026-10-08T22:51:00"),
    # INC-2610-006 emergency patch of the token-signing service.
    ("eu-west", ("auth",), "*", "2026-10-14T19:31:00", "2026-10-14T19:48:00"),
    # INC-2610-008 API gateway replacement, window 02:00-04:00, overran.
    ("ap-southeast", ("api",), "*", "2026-10-18T02:05:00", "2026-10-18T04:26:00"),
    # INC-2610-009 API maintenance announced 60 h ahead.
    ("eu-west", ("api",), "*", "2026-10-20T02:03:00", "2026-10-20T02:25:00"),
    # INC-2610-010 upstream DNS provider outage (third party).
    ("us-east", ("api", "dashboard", "storage"), "*", "2026-10-21T16:04:00", "2026-10-21T17:02:00"),
    # INC-2610-011 dashboard session-store failure across the DST change.
    ("eu-west", ("dashboard",), "*", "2026-10-25T00:48:30", "2026-10-25T01:06:30"),
    # INC-2610-012 storage metadata leader-election storm.
    ("us-east", ("storage",), "*", "2026-10-27T13:15:00", "2026-10-27T13:29:00"),
    # Unlogged sub-minute blip: dublin down (2 checks) then frankfurt down
    # (2 checks); they overlap for only ~40 s -> under essential's
    # min_downtime_seconds = 60.
    ("eu-west", ("storage",), ("dublin",), "2026-10-29T06:00:00", "2026-10-29T06:03:00"),
    ("eu-west", ("storage",), ("frankfurt",), "2026-10-29T06:03:00", "2026-10-29T06:06:00"),
]

# Time with no rows at all: (region, services, locations, start, end).
GAPS = [
    # frankfurt probe host lost power: no data from it for 4.5 h.
    ("eu-west", "*", ("frankfurt",), "2026-09-21T01:00:00", "2026-09-21T05:30:00"),
    # ap-southeast result collector outage: no data from the whole region.
    ("ap-southeast", "*", "*", "2026-10-06T03:00:00", "2026-10-06T03:45:00"),
]

# A single probe location flapping alone (never a majority).
FLAP = ("us-east", "dashboard", "toronto", "2026-09-15T02:00:00", "2026-09-15T05:00:00")
FLAP_PATTERN = (2, 1, 3, 2, 2, 1, 4, 3, 2, 2, 3, 1)   # alternating down/up run lengths

# Single isolated down checks at the same round from two locations: a
# majority for ~1 min, but each is a run of 1 < confirm_checks = 2.
SINGLES = [
    ("ap-southeast", "storage", ("singapore", "sydney"), "2026-09-10T09:30:00"),
]

# Duplicated rows at the same instant: (region, service, location, start, end, kind)
# kind "conflict": one copy up, one copy fail; "same": identical copies.
DUPLICATES = [
    ("us-east", "api", "new-york", "2026-09-24T11:00:00", "2026-09-24T11:30:00", "conflict"),
    ("ap-southeast", "api", "jakarta", "2026-10-12T07:00:00", "2026-10-12T07:20:00", "same"),
]

# Random noise: isolated single down checks at a single location (no effect).
NOISE_PER_REGION = 10
NOISE_QUIET_MARGIN = 3600   # keep noise this far from every scripted event

UP_VARIANTS = ("ok", "UP", "Up", "OK")
DOWN_VARIANTS = ("down", "down", "down", "fail", "error", "DOWN")
VARIANT_RATE = 0.004

# --------------------------------------------------------------------------
# Customers, incidents, outages (region names are those of copy 1)
# --------------------------------------------------------------------------

CUSTOMER_COLUMNS = ["customer_id", "name", "tier", "services", "regions", "contract_start",
                    "contract_end", "monthly_fee", "currency", "timezone", "target_percent"]
CUSTOMERS = [
    ("C001", "Brightline Logistics Ltd", "standard", "*", "*", "2024-02-01", "", "1250.00", "GBP", "Europe/London", ""),
    ("C002", "Müller & Söhne GmbH", "enhanced", "api;storage", "eu-west", "2025-06-01", "", "4800.00", "EUR", "Europe/Berlin", ""),
    ("C003", "Harbour, Vale & Partners LLP", "standard", "api;dashboard", "eu-west", "2023-11-01", "", "900.00", "GBP", "", ""),
    ("C004", "株式会社さくらデジタル", "standard", "api;storage", "ap-southeast", "2025-04-01", "", "150000", "JPY", "Asia/Tokyo", ""),
    ("C005", "Redwood Health Systems Inc.", "enhanced", "*", "us-east", "2024-09-01", "", "6500.00", "USD", "America/New_York", ""),
    ("C006", "Fjord Analytics AS", "essential", "dashboard;storage", "eu-west", "2025-01-01", "", "390.00", "EUR", "", ""),
    ("C007", "Pinecrest Retail Group", "standard", "api;dashboard;auth", "us-east;eu-west", "2024-05-01", "", "2100.00", "USD", "", ""),
    ("C008", "Éclat Médias SAS", "essential", "*", "eu-west", "2026-10-15", "", "450.00", "EUR", "", ""),
    ("C009", "Kestrel Payments Ltd", "enhanced", "api;auth", "eu-west", "2025-02-01", "", "5200.00", "GBP", "", ""),
    ("C010", "Bluewater Shipping Co.", "standard", "storage", "*", "2023-03-01", "2026-09-20", "700.00", "USD", "", ""),
    ("C011", "Orchid Learning Pte. Ltd.", "essential", "api;storage", "ap-southeast", "2025-08-01", "", "300.00", "USD", "", ""),
    ("C012", "Northgate Insurance plc", "standard", "storage", "*", "2024-01-01", "", "3000.00", "GBP", "", "99.98"),
    ("C013", "Atlas Freight Brokers LLC", "standard", "dashboard", "us-east", "2025-03-01", "", "450.00", "USD", "", ""),
    ("C014", "Étoile Analytique SARL", "standard", "api", "*", "2024-10-01", "", "600.00", "EUR", "", ""),
    ("C015", "Quokka Games Pty Ltd", "essential", "*", "ap-southeast", "2026-01-01", "", "250.00", "USD", "", ""),
    ("C016", "Greenfield Energy Co-operative", "standard", "api;auth", "eu-west", "", "", "800.00", "EUR", "", ""),
    ("C017", "Pixelpress Media Ltd", "standard", "cdn", "eu-west", "2025-09-01", "", "350.00", "GBP", "", ""),
    ("C018", "Vale do Sol Comércio Ltda.", "standard", "*", "sa-east", "2026-09-01", "", "500.00", "USD", "", ""),
]

INCIDENT_COLUMNS = ["incident_id", "title", "category", "impact", "start", "end", "services",
                    "regions", "customers", "announced_at", "data_loss_minutes"]
INCIDENTS = [
    ("INC-2609-001", "Packet loss via upstream transit provider in Singapore", "third_party", "partial",
     "2026-09-04T11:20:00Z", "2026-09-04T12:05:00Z", "*", "ap-southeast", "*", "", ""),
    ("INC-2609-002", "API gateway returning 503 after faulty certificate rotation", "unplanned", "major",
     "2026-09-08T14:12:00Z", "2026-09-08T14:47:00Z", "api", "eu-west", "*", "", "0"),
    ("INC-2609-003", "Scheduled storage cluster database migration", "planned_maintenance", "major",
     "2026-09-13 01:00:00", "2026-09-13 03:00:00", "storage", "eu-west", "*", "2026-09-01T10:00:00Z", ""),
    ("INC-2609-004", "Dashboard read-only during search index rebuild", "planned_maintenance", "partial",
     "2026-09-19T22:00:00Z", "2026-09-19T23:30:00Z", "dashboard", "eu-west", "*", "2026-09-10T09:00:00Z", ""),
    ("INC-2609-005", "Elevated API error rate during load-balancer node drain", "unplanned", "degraded",
     "2026-09-24T11:08:00Z", "2026-09-24T11:20:00Z", "api", "us-east", "*", "", ""),
    ("INC-2609-006", "Regional power grid failure; data centre generator transfer failed", "force_majeure", "major",
     "2026-09-27T14:10:00+08:00", "2026-09-27T16:55:00+08:00", "*", "ap-southeast", "*", "", "4"),
    ("INC-2609-007", "Elevated latency on dashboard CSV exports (no customer impact)", "unplanned", "none",
     "2026-09-29T13:00:00Z", "2026-09-29T15:30:00Z", "dashboard", "eu-west", "*", "", ""),
    ("INC-2610-001", "Database shard eu-db-07 failover; tenants on the shard saw API errors", "unplanned", "major",
     "2026-10-02T08:40:00+01:00", "2026-10-02T09:05:00+01:00", "api", "eu-west", "C003;C009", "", "2"),
    ("INC-2610-002", "Customer deployment revoked all production API keys", "customer_caused", "major",
     "2026-10-03T09:00:00Z", "2026-10-03T11:30:00Z", "api", "us-east", "C007", "", ""),
    ("INC-2610-003", "Storage cluster firmware upgrade", "planned_maintenance", "major",
     "2026-10-04T03:00:00+02:00", "2026-10-04T04:00:00+02:00", "storage", "eu-west", "*", "2026-10-01T03:00:00+02:00", ""),
    ("INC-2610-004", "Dashboard database version upgrade (notice sent late)", "planned_maintenance", "major",
     "2026-10-08T22:00:00Z", "2026-10-08T23:00:00Z", "dashboard", "us-east", "*", "2026-10-08T17:00:00Z", ""),
    ("INC-2610-005", "Large object uploads (>100 MB) failing", "unplanned", "partial",
     "2026-10-10T08:00:00Z", "2026-10-10T12:00:00Z", "storage", "eu-west", "*", "", ""),
    ("INC-2610-006", "Emergency patch of token-signing service after security advisory", "emergency_maintenance", "major",
     "2026-10-14T19:30:00Z", "2026-10-14T19:50:00Z", "auth", "eu-west", "*", "2026-10-14T19:10:00Z", ""),
    ("INC-2610-007", "Slow dashboard page loads", "unplanned", "degraded",
     "2026-10-16T09:00:00Z", "2026-10-16T10:30:00Z", "dashboard", "us-east", "*", "", ""),
    ("INC-2610-008", "API gateway hardware replacement", "planned_maintenance", "major",
     "2026-10-18T02:00:00Z", "2026-10-18T04:00:00Z", "api", "ap-southeast", "*", "2026-10-11T09:00:00Z", ""),
    ("INC-2610-009", "API load balancer migration", "planned_maintenance", "major",
     "2026-10-20T02:00:00Z", "2026-10-20T02:30:00Z", "api", "eu-west", "*", "2026-10-17T14:00:00Z", ""),
    ("INC-2610-010", "Upstream DNS provider outage: name resolution failing", "third_party", "major",
     "2026-10-21T12:00:00-04:00", "2026-10-21T13:10:00-04:00", "*", "us-east", "*", "", ""),
    ("INC-2610-011", "Dashboard unavailable after session-store node failure", "unplanned", "major",
     "2026-10-25T01:48:00+01:00", "2026-10-25T01:09:00+00:00", "dashboard", "eu-west", "*", "", ""),
    ("INC-2610-012", "Storage metadata service leader-election storm", "unplanned", "major",
     "2026-10-27T13:14:00Z", "2026-10-27T13:31:00Z", "storage", "us-east", "*", "", "0"),
    ("INC-2610-013", "Intermittent 5xx on storage API (investigating)", "unplanned", "partial",
     "2026-10-31T09:00:00Z", "", "storage", "ap-southeast", "*", "", ""),
]

OUTAGE_COLUMNS = ["service", "region", "start", "end", "source"]
OUTAGES = [
    ("api", "eu-west", "2026-09-08T14:13:00Z", "2026-09-08T14:45:00Z", "external-synthetics"),
    ("cdn", "eu-west", "2026-09-17T10:04:00Z", "2026-09-17T10:19:30Z", "cdn-vendor-status"),
    ("cdn", "us-east", "2026-10-05T18:20:00Z", "2026-10-05T18:41:00Z", "cdn-vendor-status"),
    ("cdn", "eu-west", "2026-10-12T03:00:00Z", "2026-10-12T03:08:00Z", "cdn-vendor-status"),
    ("cdn", "eu-west", "2026-10-12T04:05:00+01:00", "2026-10-12T04:14:00+01:00", "external-synthetics"),
]

SLA_TOML = """\
# slareport configuration for the bundled sample data (see README.md).
# Keys and meaning: the "Configuration reference" section of the README.

[report]
timezone = "UTC"
decimals = 4

[inputs]
timezone = "UTC"
customers = "customers.csv"
checks = ["{checks_glob}"]
outages = ["outages.csv"]
incidents = ["incidents.csv"]
backups = ["backups.csv"]

[monitoring]
# Every series is probed every 120 s (+0..3 s jitter); 180 s bridges that.
max_gap_seconds = 180
confirm_checks = 2
quorum = "majority"
gaps = "up"

[tiers.standard]
target_percent = 99.95
maintenance_notice_hours = 48
excluded_categories = ["planned_maintenance", "force_majeure", "customer_caused", "third_party"]
min_downtime_seconds = 0
partial_weight = 0
exclusions_in_denominator = false
prorate_fee = true
credit_cap_percent = 100
credits = [
  {{ below_percent = 99.95, credit_percent = 10 }},
  {{ below_percent = 99.0,  credit_percent = 25 }},
  {{ below_percent = 95.0,  credit_percent = 100 }},
]

# Enhanced: stricter target, 72 h maintenance notice, and supplier (third-party)
# failures are the provider's risk, so they are not excluded.
[tiers.enhanced]
target_percent = 99.99
maintenance_notice_hours = 72
excluded_categories = ["planned_maintenance", "force_majeure", "customer_caused"]
min_downtime_seconds = 0
partial_weight = 0
credit_cap_percent = 100
credits = [
  {{ below_percent = 99.99, credit_percent = 10 }},
  {{ below_percent = 99.95, credit_percent = 25 }},
  {{ below_percent = 99.5,  credit_percent = 50 }},
  {{ below_percent = 99.0,  credit_percent = 100 }},
]

# Essential: lower target, blips under a minute ignored, partial impact counts
# half, exclusion windows leave the denominator, credits capped at 30 %.
[tiers.essential]
target_percent = 99.9
min_downtime_seconds = 60
partial_weight = 0.5
exclusions_in_denominator = true
credit_cap_percent = 30
credits = [
  {{ below_percent = 99.9, credit_percent = 10 }},
  {{ below_percent = 99.5, credit_percent = 20 }},
  {{ below_percent = 99.0, credit_percent = 40 }},
]

# Backups are per component (backups.csv): a successful backup at least every
# 25 hours, none kept beyond 183 days (about 6 months), none for less than 30.
[backups]
rpo_minutes = 1500
max_retention_days = 183
min_retention_days = 30
"""

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def region_name(base, copy):
    return base if copy == 1 else f"{base}-{copy}"


def map_regions(cell, copy):
    if cell == "*" or copy == 1:
        return cell
    return ";".join(region_name(r, copy) for r in cell.split(";"))


def map_customers(cell, copy):
    if cell == "*" or copy == 1:
        return cell
    return ";".join(f"{c}-{copy:03d}" for c in cell.split(";"))


def open_gzip_text(path):
    raw = open(path, "wb")
    gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9)
    return raw, gz


def write_csv(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


# --------------------------------------------------------------------------
# Check generation for one region copy
# --------------------------------------------------------------------------


def sel(spec, value):
    return spec == "*" or value in spec


def build_region_plan(base):
    """Scripted windows of one base region, as epoch-second tuples."""
    locs, services, _ = REGIONS[base]
    down = [(svcs, lc, ts(a), ts(b)) for (r, svcs, lc, a, b) in DOWN if r == base]
    gaps = [(svcs, lc, ts(a), ts(b)) for (r, svcs, lc, a, b) in GAPS if r == base]
    singles = [(svc, lc, ts(a)) for (r, svc, lc, a) in SINGLES if r == base]
    dups = [(svc, loc, ts(a), ts(b), kind) for (r, svc, loc, a, b, kind) in DUPLICATES if r == base]
    flap = None
    if FLAP[0] == base:
        flap = (FLAP[1], FLAP[2], ts(FLAP[3]), ts(FLAP[4]))
    return down, gaps, singles, dups, flap


def round_of(t):
    return (t - CHECK_START) // INTERVAL


def generate_region(task):
    """Write the checks of one region copy; returns (path, rows written)."""
    base, copy, path, compress = task
    region = region_name(base, copy)
    locs, services, base_ms = REGIONS[base]
    rnd = random.Random(f"{SEED}:checks:{region}")
    down, gaps, singles, dups, flap = build_region_plan(base)
    nrounds = (CHECK_END - CHECK_START) // INTERVAL

    # Rounds that need the slow path (anything scripted happens in them).
    special = set()
    windows = []
    for (_s, _l, a, b) in down + gaps:
        windows.append((a, b))
    for (_s, _l, a) in singles:
        windows.append((a, a + INTERVAL))
    for (_s, _l, a, b, _k) in dups:
        windows.append((a, b))
    if flap:
        windows.append((flap[2], flap[3]))
    for a, b in windows:
        for r in range(max(0, round_of(a) - 1), min(nrounds, round_of(b) + 2)):
            special.add(r)

    # Flapping: status per round for the flapping series.
    flap_down_rounds = set()
    if flap:
        r, r_end = round_of(flap[2]), round_of(flap[3])
        i, is_down = 0, True
        while r < r_end:
            n = FLAP_PATTERN[i % len(FLAP_PATTERN)]
            if is_down:
                flap_down_rounds.update(range(r, min(r + n, r_end)))
            r += n
            i += 1
            is_down = not is_down

    single_rounds = {}
    for svc, lc, a in singles:
        single_rounds.setdefault(round_of(a), []).append((svc, lc))

    # Noise: isolated single down checks far away from anything scripted.
    quiet = [(a - NOISE_QUIET_MARGIN, b + NOISE_QUIET_MARGIN) for a, b in windows]
    noise = {}
    while len(noise) < NOISE_PER_REGION:
        r = rnd.randrange(2, nrounds - 2)
        t = CHECK_START + r * INTERVAL
        if any(a <= t < b for a, b in quiet) or any(abs(r - q) < 3 for q in noise):
            continue
        noise[r] = (rnd.choice(services), rnd.randrange(len(locs)))
    for r in noise:
        special.add(r)

    # Timestamp text: day prefix + second-of-day suffix tables.
    day0 = CHECK_START - CHECK_START % 86400
    ndays = (CHECK_END - day0) // 86400 + 2
    day_prefix = [(datetime.fromtimestamp(day0 + d * 86400, UTC)).strftime("%Y-%m-%dT") for d in range(ndays)]
    hms = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(86400)]

    def stamp(t):
        d = t - day0
        return day_prefix[d // 86400] + hms[d % 86400]

    extra = {s: base_ms + SERVICE_EXTRA_MS[s] for s in services}
    prefixes = [[f",{s},{region},{loc}," for s in services] for loc in locs]
    random_ = rnd.random

    def up_row(t, li, si, svc):
        x = random_()
        ms = extra[svc] + int(60 * x * x)
        if x > 0.997:
            ms += 900
        st = "up"
        if random_() < VARIANT_RATE:
            st = UP_VARIANTS[int(random_() * len(UP_VARIANTS))]
        return f"{stamp(t)}{prefixes[li][si]}{st},{ms}\n"

    def down_row(t, li, si):
        st = DOWN_VARIANTS[int(random_() * len(DOWN_VARIANTS))]
        x = random_()
        ms = "" if x < 0.6 else str(3 + int(40 * x))
        return f"{stamp(t)}{prefixes[li][si]}{st},{ms}\n"

    if compress:
        raw, out = open_gzip_text(path)
    else:
        raw, out = None, open(path, "wb")
    out.write(b"timestamp,service,region,location,status,response_ms\n")
    rows = 0
    chunk = []
    nloc = len(locs)
    offsets = LOCATION_OFFSETS
    for r in range(nrounds):
        base_t = CHECK_START + r * INTERVAL
        if r not in special:
            for li in range(nloc):
                t = base_t + offsets[li] + int(random_() * (JITTER + 1))
                for si, svc in enumerate(services):
                    chunk.append(up_row(t, li, si, svc))
            rows += nloc * len(services)
        else:
            for li, loc in enumerate(locs):
                t = base_t + offsets[li] + int(random_() * (JITTER + 1))
                for si, svc in enumerate(services):
                    if any(sel(s, svc) and sel(lc, loc) and a <= t < b for (s, lc, a, b) in gaps):
                        continue
                    is_down = any(sel(s, svc) and sel(lc, loc) and a <= t < b for (s, lc, a, b) in down)
                    if flap and svc == flap[0] and loc == flap[1] and r in flap_down_rounds:
                        is_down = True
                    if any(svc == s and sel(lc, loc) for (s, lc) in single_rounds.get(r, ())):
                        is_down = True
                    if r in noise and noise[r] == (svc, li):
                        is_down = True
                    line = down_row(t, li, si) if is_down else up_row(t, li, si, svc)
                    copies = [line]
                    for (s, dloc, a, b, kind) in dups:
                        if s == svc and dloc == loc and a <= t < b:
                            if kind == "same":
                                copies = [line, line]
                            else:
                                pair = [up_row(t, li, si, svc), f"{stamp(t)}{prefixes[li][si]}fail,\n"]
                                if random_() < 0.5:
                                    pair.reverse()
                                copies = pair
                    chunk.extend(copies)
                    rows += len(copies)
        if len(chunk) >= 20000:
            out.write("".join(chunk).encode("utf-8"))
            chunk = []
    out.write("".join(chunk).encode("utf-8"))
    out.close()
    if raw:
        raw.close()
    return path, rows


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------



# --------------------------------------------------------------------------
# Backups (issue 10 part 2): a nightly backup log per component
# --------------------------------------------------------------------------

BACKUP_COLUMNS = ["backup_id", "component", "services", "regions", "started_at", "completed_at",
                  "status", "expires_at", "restore_tested_at", "restore_result"]

# component: (services, regions, start time of the nightly run, minutes it takes)
BACKUP_COMPONENTS = {
    "postgres-eu": ("api;auth;dashboard", "eu-west", "01:30", 42),
    "objects-us": ("storage", "us-east", "03:00", 95),
    "postgres-ap": ("api;storage", "ap-southeast", "18:15", 27),
}
BACKUP_FIRST_NIGHT = "2026-08-25"     # a week before September, so September has a prior backup
BACKUP_NIGHTS = 68                    # 2026-08-25 .. 2026-10-31
BACKUP_KEEP_DAYS = 35
BACKUP_MISSED = ("postgres-eu", "2026-10-14")      # the job failed that night: no backup
BACKUP_KEPT_LONG = ("objects-us", "2026-09-30")    # kept as a "quarter-end archive" for a year
BACKUP_RESTORE_TESTS = {
    # (component, night whose backup is restored): (tested at, result)
    ("postgres-eu", "2026-09-15"): ("2026-09-16T10:00:00Z", "passed"),
    ("postgres-eu", "2026-10-15"): ("2026-10-16T10:00:00Z", "passed"),
    ("objects-us", "2026-09-20"): ("2026-09-22T14:30:00Z", "passed"),
    ("postgres-ap", "2026-09-10"): ("2026-09-11T02:00:00Z", "failed"),
    ("postgres-ap", "2026-09-24"): ("2026-09-25T02:00:00Z", "passed"),
    ("postgres-ap", "2026-10-22"): ("2026-10-23T02:00:00Z", "passed"),
}


def backup_rows():
    """The nightly log, deterministic: a few seconds of noise from a fixed seed."""
    rng = random.Random(SEED + "-backups")
    first = datetime.fromisoformat(BACKUP_FIRST_NIGHT).replace(tzinfo=UTC)
    fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = []
    for n in range(BACKUP_NIGHTS):
        night = first + timedelta(days=n)
        day = night.strftime("%Y-%m-%d")
        for comp, (services, regions, at, minutes) in BACKUP_COMPONENTS.items():
            hh, mm = map(int, at.split(":"))
            started = night.replace(hour=hh, minute=mm, second=rng.randint(0, 20))
            done = started + timedelta(minutes=minutes, seconds=rng.randint(-120, 120))
            bid = f"{comp}-{night.strftime('%Y%m%d')}"
            tested, result = BACKUP_RESTORE_TESTS.get((comp, day), ("", ""))
            if (comp, day) == BACKUP_MISSED:
                rows.append([bid, comp, services, regions, fmt(started), fmt(started + timedelta(minutes=6)),
                             "failed", "", "", ""])
                continue
            keep = 365 if (comp, day) == BACKUP_KEPT_LONG else BACKUP_KEEP_DAYS
            rows.append([bid, comp, services, regions, fmt(started), fmt(done), "success",
                         fmt(done + timedelta(days=keep)), tested, result])
    return rows


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Generate the slareport sample data set.")
    ap.add_argument("--out", default=here, help="output directory (default: next to this script)")
    ap.add_argument("--scale", type=int, default=1, help="multiply customers and check series by N")
    ap.add_argument("--compress", choices=["auto", "gz", "none"], default="auto",
                    help="checks as .csv.gz or plain .csv (auto: gz at scale 1, plain above)")
    ap.add_argument("--jobs", type=int, default=0, help="parallel writer processes (default: CPU count)")
    args = ap.parse_args(argv)
    if args.scale < 1:
        ap.error("--scale must be >= 1")
    compress = args.compress == "gz" or (args.compress == "auto" and args.scale == 1)
    ext = ".csv.gz" if compress else ".csv"
    out = args.out
    os.makedirs(os.path.join(out, "checks"), exist_ok=True)

    copies = range(1, args.scale + 1)

    # customers.csv
    rows = []
    for k in copies:
        for c in CUSTOMERS:
            c = list(c)
            if k > 1:
                c[0] = f"{c[0]}-{k:03d}"
                c[1] = f"{c[1]} #{k}"
                c[4] = map_regions(c[4], k)
            rows.append(c)
    write_csv(os.path.join(out, "customers.csv"), CUSTOMER_COLUMNS, rows)

    # incidents.csv
    rows = []
    for k in copies:
        for i in INCIDENTS:
            i = list(i)
            if k > 1:
                if i[7] == "*":
                    continue  # region-wide-everywhere incidents are kept once
                i[0] = f"{i[0]}-{k:03d}"
                i[7] = map_regions(i[7], k)
                i[8] = map_customers(i[8], k)
            rows.append(i)
    write_csv(os.path.join(out, "incidents.csv"), INCIDENT_COLUMNS, rows)

    # outages.csv
    rows = []
    for k in copies:
        for o in OUTAGES:
            o = list(o)
            o[1] = region_name(o[1], k)
            rows.append(o)
    write_csv(os.path.join(out, "outages.csv"), OUTAGE_COLUMNS, rows)

    # backups.csv (per component, not per customer: the same at every scale)
    write_csv(os.path.join(out, "backups.csv"), BACKUP_COLUMNS, backup_rows())

    # sla.toml
    with open(os.path.join(out, "sla.toml"), "w", encoding="utf-8", newline="\n") as f:
        f.write(SLA_TOML.format(checks_glob=f"checks/*{ext}"))

    # checks/
    tasks = []
    for k in copies:
        for base in REGIONS:
            name = region_name(base, k)
            tasks.append((base, k, os.path.join(out, "checks", name + ext), compress))
    jobs = args.jobs or os.cpu_count() or 1
    total = 0
    if jobs > 1 and len(tasks) > 1:
        import multiprocessing
        with multiprocessing.Pool(min(jobs, len(tasks))) as pool:
            for path, n in pool.imap(generate_region, tasks):
                total += n
    else:
        for task in tasks:
            _, n = generate_region(task)
            total += n
    print(f"{total} check rows written to {len(tasks)} files in {os.path.join(out, 'checks')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
