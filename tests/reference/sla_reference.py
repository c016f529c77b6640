#!/usr/bin/env python3
"""Naive per-second reference implementation of slareport's sla_monthly.csv.

Usage:
    python3 tests/reference/sla_reference.py CONFIG.toml PERIOD [--as-of RFC3339]

PERIOD is a period label: YYYY-MM (a month), YYYY-Qn (a quarter), YYYY (a year) or
YYYY-MM-DD..YYYY-MM-DD (inclusive days; `last-N-days` is resolved by slareport to
such a range and is not accepted here).  Prints sla_monthly.csv for that period on
stdout: the fifteen contract columns, then the five error-budget columns (slareport's
columns 22-26); the first column is `month` when the period is exactly one calendar
month, else `period`, and holds the label as given.  "Now" is --as-of; without it the
model takes the far future (open incidents run to the period's end, every period is
over, so `projected_uptime_percent` is empty).

This is deliberately simple.  Every set of instants is a Python big-int bitset
over one window of whole seconds (bit i = second W0 + i), so the whole
computation is literally "which seconds are down": unions are `|`,
intersections `&`, differences `& ~`, and sizes `int.bit_count()`.  A
customer's figures are computed on its sets cut to its eligible window E.
Percentages and money are `Fraction`s built from exact `Decimal`s; no float
is ever used.

Contract: the rules the project README states (time, inputs, reduction, customer
month, reporting periods, sla_monthly.csv).  Only CSV inputs (.csv / .csv.gz) are
supported.
"""

import argparse
import csv
import glob
import gzip
import io
import math
import os
import re
import sys
import tomllib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class InputError(Exception):
    pass


# --------------------------------------------------------------------------
# Time (spec section 1)
# --------------------------------------------------------------------------

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FAR_FUTURE = 253402300799  # 9999-12-31T23:59:59Z: "now" (open incidents, projection) with no --as-of

INSTANT_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
    r"(Z|z|[+-]\d{2}:\d{2})?$"
)
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def epoch_seconds(aware):
    """Whole seconds since the Unix epoch of an aware datetime (no microseconds)."""
    delta = aware - EPOCH
    return delta.days * 86400 + delta.seconds


def get_zone(name, where):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InputError(f"{where}: unknown time zone {name!r}")


def strict_local_to_epoch(naive, zone, where):
    """A naive wall time in `zone`; nonexistent or ambiguous wall times are errors."""
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != naive:
        raise InputError(f"{where}: {naive} does not exist in {zone.key} (DST gap)")
    if first.utcoffset() != second.utcoffset():
        raise InputError(f"{where}: {naive} is ambiguous in {zone.key} (DST overlap)")
    return epoch_seconds(first)


def local_midnight_to_epoch(year, month, day, zone):
    """Start of a local calendar day.  fold=0 gives the earliest instant of the day:
    if midnight falls in a DST gap the day starts at the transition, if it is
    repeated the day starts at its first occurrence."""
    return epoch_seconds(datetime(year, month, day, tzinfo=zone, fold=0))


def parse_instant(text, naive_zone, where, date_zone=None):
    """Spec 1: RFC 3339 with offset/Z, or naive wall time read in naive_zone.
    Fractional seconds are truncated.  A date alone is accepted only when
    date_zone is given (contract dates): local midnight in that zone."""
    text = text.strip()
    m = INSTANT_RE.match(text)
    if m:
        y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
        try:
            naive = datetime(y, mo, d, h, mi, s)  # fraction (group 7) dropped
        except ValueError as e:
            raise InputError(f"{where}: invalid instant {text!r}: {e}")
        off = m.group(8)
        if off is None:
            return strict_local_to_epoch(naive, naive_zone, where)
        if off in ("Z", "z"):
            tz = UTC
        else:
            sign = 1 if off[0] == "+" else -1
            oh, om = int(off[1:3]), int(off[4:6])
            if oh > 23 or om > 59:
                raise InputError(f"{where}: invalid offset in {text!r}")
            tz = timezone(sign * timedelta(hours=oh, minutes=om))
        return epoch_seconds(naive.replace(tzinfo=tz))
    m = DATE_RE.match(text)
    if m and date_zone is not None:
        y, mo, d = (int(g) for g in m.groups())
        try:
            datetime(y, mo, d)
        except ValueError as e:
            raise InputError(f"{where}: invalid date {text!r}: {e}")
        return local_midnight_to_epoch(y, mo, d, date_zone)
    raise InputError(f"{where}: cannot parse instant {text!r}")


def month_bounds(year, month, zone):
    """Spec 1: local midnight on the 1st to local midnight on the 1st of the next month."""
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    return local_midnight_to_epoch(year, month, 1, zone), local_midnight_to_epoch(ny, nm, 1, zone)


# --------------------------------------------------------------------------
# Exact numbers and formatting
# --------------------------------------------------------------------------

def to_decimal(value, where):
    """A TOML/CSV decimal read exactly as written (number or string)."""
    if isinstance(value, bool):
        raise InputError(f"{where}: expected a decimal, got a boolean")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            raise InputError(f"{where}: not a decimal: {value!r}")
    else:
        raise InputError(f"{where}: expected a decimal, got {value!r}")
    if not d.is_finite():
        raise InputError(f"{where}: not a finite decimal: {value!r}")
    return d


def to_int(value, where):
    if isinstance(value, bool):
        raise InputError(f"{where}: expected an integer")
    d = to_decimal(value, where)
    if d != d.to_integral_value():
        raise InputError(f"{where}: expected a whole number, got {value!r}")
    return int(d)


def to_bool(value, where):
    if not isinstance(value, bool):
        raise InputError(f"{where}: expected true or false")
    return value


def fmt_decimal_normalized(d):
    """99.950 -> '99.95', 100 -> '100', 0.00 -> '0'."""
    s = format(d.normalize(), "f")
    return "0" if s in ("-0", "0") else s


def fmt_fixed(n, places):
    """Integer n scaled by 10**-places, printed with exactly `places` decimals."""
    sign = "-" if n < 0 else ""
    digits = str(abs(n))
    if places == 0:
        return sign + digits
    digits = digits.rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def fmt_truncated(fr, places):
    """Truncate toward zero (never round) to `places` decimals."""
    return fmt_fixed(math.trunc(fr * 10 ** places), places)


def round_half_away(fr, places):
    """Round half away from zero; returns the integer count of 10**-places units."""
    scaled = fr * 10 ** places
    n = math.floor(abs(scaled) + Fraction(1, 2))
    return -n if scaled < 0 else n


def fmt_exact(fr):
    """Exact terminating decimal, no trailing zeros ('6000', '450.5')."""
    if fr.denominator == 1:
        return str(fr.numerator)
    for k in range(1, 200):
        scaled = fr * 10 ** k
        if scaled.denominator == 1:
            s = fmt_fixed(scaled.numerator, k).rstrip("0").rstrip(".")
            return s
    raise AssertionError(f"non-terminating decimal {fr}")


MINOR_0 = {"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "XPF", "PYG",
           "RWF", "KMF", "GNF", "DJF", "BIF", "VUV"}
MINOR_3 = {"BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD"}


def minor_unit(currency):
    c = currency.strip().upper()
    if c in MINOR_0:
        return 0
    if c in MINOR_3:
        return 3
    return 2


def neutralise(text):
    """Spreadsheet formula neutralisation of a text cell."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


# --------------------------------------------------------------------------
# Config
# --------------------------------------------------------------------------

DEFAULT_EXCLUDED = ["planned_maintenance", "force_majeure", "customer_caused", "third_party"]
CATEGORIES = {"unplanned", "planned_maintenance", "emergency_maintenance",
              "force_majeure", "customer_caused", "third_party"}
IMPACTS = {"major", "partial", "degraded", "none"}


class Tier:
    def __init__(self, name, t):
        w = f"config [tiers.{name}]"
        self.name = name
        if "target_percent" not in t:
            raise InputError(f"{w}: target_percent is required")
        self.target = to_decimal(t["target_percent"], f"{w}.target_percent")
        self.notice_hours = Fraction(to_decimal(t.get("maintenance_notice_hours", 48), f"{w}.maintenance_notice_hours"))
        excl = t.get("excluded_categories", DEFAULT_EXCLUDED)
        if not isinstance(excl, list) or not all(isinstance(x, str) for x in excl):
            raise InputError(f"{w}.excluded_categories: expected a list of strings")
        self.excluded = set(excl)
        self.min_downtime = Fraction(to_decimal(t.get("min_downtime_seconds", 0), f"{w}.min_downtime_seconds"))
        self.partial_weight = Fraction(to_decimal(t.get("partial_weight", 0), f"{w}.partial_weight"))
        self.excl_in_denominator = to_bool(t.get("exclusions_in_denominator", False), f"{w}.exclusions_in_denominator")
        self.prorate_fee = to_bool(t.get("prorate_fee", True), f"{w}.prorate_fee")
        self.cap = to_decimal(t.get("credit_cap_percent", 100), f"{w}.credit_cap_percent")
        self.recovery_credit = to_decimal(t.get("recovery_credit_percent", 0), f"{w}.recovery_credit_percent")
        self.credits = []  # list of (below_percent Decimal, credit_percent Decimal)
        for i, c in enumerate(t.get("credits", [])):
            self.credits.append((to_decimal(c["below_percent"], f"{w}.credits[{i}].below_percent"),
                                 to_decimal(c["credit_percent"], f"{w}.credits[{i}].credit_percent")))


class Config:
    def __init__(self, path):
        self.path = path
        self.base = os.path.dirname(os.path.abspath(path))
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
        try:
            cfg = tomllib.loads(text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as e:
            raise InputError(f"{path}: {e}")
        report = cfg.get("report", {})
        inputs = cfg.get("inputs", {})
        mon = cfg.get("monitoring", {})
        self.report_zone = get_zone(report.get("timezone", "UTC"), f"{path} [report].timezone")
        self.decimals = to_int(report.get("decimals", 4), f"{path} [report].decimals")
        self.input_zone = get_zone(inputs.get("timezone", "UTC"), f"{path} [inputs].timezone")
        self.customers = self.files(inputs.get("customers", []))
        self.checks = self.files(inputs.get("checks", []))
        self.outages = self.files(inputs.get("outages", []))
        self.incidents = self.files(inputs.get("incidents", []))
        self.max_gap = to_int(mon.get("max_gap_seconds", 300), f"{path} [monitoring].max_gap_seconds")
        self.confirm = to_int(mon.get("confirm_checks", 1), f"{path} [monitoring].confirm_checks")
        self.quorum = mon.get("quorum", "majority")
        if self.quorum not in ("majority", "any", "all"):
            raise InputError(f"{path} [monitoring].quorum: unknown value {self.quorum!r}")
        self.gaps = mon.get("gaps", "up")
        if self.gaps not in ("up", "down"):
            raise InputError(f"{path} [monitoring].gaps: unknown value {self.gaps!r}")
        self.tiers = {name: Tier(name, t) for name, t in cfg.get("tiers", {}).items()}

    def files(self, spec):
        """Files or glob patterns relative to the config file's directory."""
        patterns = [spec] if isinstance(spec, str) else list(spec)
        out, seen = [], set()
        for p in patterns:
            full = os.path.join(self.base, p)
            if glob.has_magic(p):
                matches = sorted(glob.glob(full))
            else:
                if not os.path.exists(full):
                    raise InputError(f"{self.path}: input file {p!r} not found")
                matches = [full]
            for m in matches:
                key = os.path.realpath(m)
                if key not in seen:
                    seen.add(key)
                    out.append(m)
        return out


# --------------------------------------------------------------------------
# CSV inputs
# --------------------------------------------------------------------------

def read_csv(path, required):
    """Yields (where, row-dict) for each non-blank data row."""
    if path.endswith(".csv.gz"):
        f = gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    elif path.endswith(".csv"):
        f = open(path, "r", encoding="utf-8-sig", newline="")
    else:
        raise InputError(f"{path}: only .csv and .csv.gz are supported by the reference")
    with f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip() for h in header]
        for col in required:
            if col not in header:
                raise InputError(f"{path}: missing column {col!r}")
        for row in reader:
            if not row or all(c.strip() == "" for c in row):
                continue
            where = f"{path}:{reader.line_num}"
            d = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
            yield where, d


ALL = "*"


def scope_cell(row, column, where):
    """A scope column of a row: absent column -> ALL (the file does not scope by it);
    an empty cell -> an error (write * for all); else parse_list."""
    if column not in row or row[column] is None:
        return ALL
    if row[column].strip() == "":
        raise InputError(f"{where}: column {column!r}: empty list: write * for all, or values separated by ;")
    return parse_list(row[column])


def parse_list(cell):
    """`a;b;c` -> frozenset; any `*` -> ALL; empty cell -> empty set."""
    items = [x.strip() for x in cell.split(";") if x.strip() != ""]
    if ALL in items:
        return ALL
    return frozenset(items)


def contains(lst, x):
    return lst == ALL or x in lst


def meets(a, b):
    """Do two scope lists share at least one value?"""
    if a == ALL and b == ALL:
        return True
    if a == ALL:
        return len(b) > 0
    if b == ALL:
        return len(a) > 0
    return len(a & b) > 0


DOWN_WORDS = {"down", "fail", "error", "0", "false"}
UP_WORDS = {"up", "ok", "1", "true"}


class Customer:
    pass


def load_customers(cfg):
    customers = {}
    for path in cfg.customers:
        for where, r in read_csv(path, ["customer_id", "tier"]):
            c = Customer()
            c.id = r["customer_id"]
            if not c.id:
                raise InputError(f"{where}: empty customer_id")
            if c.id in customers:
                raise InputError(f"{where}: duplicate customer_id {c.id!r}")
            c.name = r.get("name", "")
            c.tier = r["tier"]
            if c.tier not in cfg.tiers:
                raise InputError(f"{where}: unknown tier {c.tier!r}")
            c.services = scope_cell(r, "services", where)
            c.regions = scope_cell(r, "regions", where)
            tzname = r.get("timezone", "")
            c.zone = get_zone(tzname, where) if tzname else cfg.report_zone
            cs, ce = r.get("contract_start", ""), r.get("contract_end", "")
            c.contract_start = parse_instant(cs, cfg.input_zone, where, c.zone) if cs else None
            c.contract_end = parse_instant(ce, cfg.input_zone, where, c.zone) if ce else None
            fee = r.get("monthly_fee", "")
            c.fee = to_decimal(fee, f"{where} monthly_fee") if fee else Decimal(0)
            c.currency = r.get("currency", "")
            tp = r.get("target_percent", "")
            c.target = to_decimal(tp, f"{where} target_percent") if tp else None
            customers[c.id] = c
    return customers


def load_checks(cfg):
    """{(service, region, location): {instant: is_down}} with same-instant checks
    merged (down if any of them is down) -- spec 3.3."""
    series = {}
    for path in cfg.checks:
        for where, r in read_csv(path, ["timestamp", "service", "region", "location", "status"]):
            t = parse_instant(r["timestamp"], cfg.input_zone, where)
            st = r["status"].lower()
            if st in DOWN_WORDS:
                down = True
            elif st in UP_WORDS:
                down = False
            else:
                raise InputError(f"{where}: unknown status {r['status']!r}")
            key = (r["service"], r["region"], r["location"])
            s = series.setdefault(key, {})
            s[t] = s.get(t, False) or down
    return series


def interval_end(cell, start, cfg, where, as_of):
    if cell == "":
        return as_of  # still open
    end = parse_instant(cell, cfg.input_zone, where)
    if end < start:
        raise InputError(f"{where}: end is before start")
    return end


def load_outages(cfg, as_of):
    out = []
    for path in cfg.outages:
        for where, r in read_csv(path, ["service", "region", "start", "end"]):
            start = parse_instant(r["start"], cfg.input_zone, where)
            end = interval_end(r["end"], start, cfg, where, as_of)
            out.append((r["service"], r["region"], start, end))
    return out


class Incident:
    pass


def load_incidents(cfg, as_of):
    out = []
    for path in cfg.incidents:
        for where, r in read_csv(path, ["category", "impact", "start", "end"]):
            i = Incident()
            i.id = r.get("incident_id", "")
            i.category = r["category"].lower()
            if i.category not in CATEGORIES:
                raise InputError(f"{where}: unknown category {r['category']!r}")
            i.impact = r["impact"].lower()
            if i.impact not in IMPACTS:
                raise InputError(f"{where}: unknown impact {r['impact']!r}")
            i.start = parse_instant(r["start"], cfg.input_zone, where)
            i.end = interval_end(r["end"], i.start, cfg, where, as_of)
            i.services = scope_cell(r, "services", where)
            i.regions = scope_cell(r, "regions", where)
            i.customers = scope_cell(r, "customers", where)
            ann = r.get("announced_at", "")
            i.announced = parse_instant(ann, cfg.input_zone, where) if ann else None
            out.append(i)
    return out


def applies(inc, cust):
    """Spec 2: services meet, regions meet, customers is * or names the customer."""
    return (meets(inc.services, cust.services)
            and meets(inc.regions, cust.regions)
            and contains(inc.customers, cust.id))


# --------------------------------------------------------------------------
# Reporting periods
# --------------------------------------------------------------------------

class Period:
    """Whole local days [first, end) named by a label (end is the day after the last)."""

    def __init__(self, label, first, end):
        self.label, self.first, self.end = label, first, end
        # Exactly one calendar month: starts on a 1st and ends on the next month's 1st.
        self.is_month = first.day == 1 and end == next_month_start(first)

    def bounds(self, zone):
        """[local midnight of `first`, local midnight of `end`) in `zone`."""
        return (local_midnight_to_epoch(self.first.year, self.first.month, self.first.day, zone),
                local_midnight_to_epoch(self.end.year, self.end.month, self.end.day, zone))

    def whole_months(self):
        """The calendar months lying wholly inside the period (by local days), as (year, month)."""
        out = []
        m = self.first if self.first.day == 1 else next_month_start(self.first)
        while next_month_start(m) <= self.end:
            out.append((m.year, m.month))
            m = next_month_start(m)
        return out


def next_month_start(d):
    """The 1st of the month after date d's month."""
    return date(d.year + 1, 1, 1) if d.month == 12 else date(d.year, d.month + 1, 1)


def parse_period(label):
    """YYYY-MM, YYYY-Qn, YYYY, or YYYY-MM-DD..YYYY-MM-DD (inclusive days)."""
    bad = InputError(f"bad period {label!r}, expected YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD")
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", label):
            first = date(int(m.group(1)), int(m.group(2)), 1)
            return Period(label, first, next_month_start(first))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
            first = date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)
            return Period(label, first, next_month_start(next_month_start(next_month_start(first))))
        if m := re.fullmatch(r"(\d{4})", label):
            y = int(m.group(1))
            return Period(label, date(y, 1, 1), date(y + 1, 1, 1))
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})", label):
            g = [int(x) for x in m.groups()]
            first, last = date(g[0], g[1], g[2]), date(g[3], g[4], g[5])
            if last < first:
                raise InputError(f"bad period {label!r}: the last day is before the first")
            return Period(label, first, last + timedelta(days=1))
    except (ValueError, OverflowError):
        raise bad
    raise bad


# --------------------------------------------------------------------------
# Bitsets over the window [W0, W1)
# --------------------------------------------------------------------------

class Window:
    """Sets of whole seconds in [w0, w1) as big ints: bit i = second w0 + i."""

    def __init__(self, w0, w1):
        self.w0, self.w1 = w0, w1
        self.n = w1 - w0
        self.full = (1 << self.n) - 1

    def mask(self, a, b):
        """The seconds of [a, b) that lie in the window."""
        a, b = max(a, self.w0), min(b, self.w1)
        if a >= b:
            return 0
        return ((1 << (b - a)) - 1) << (a - self.w0)

    def from_intervals(self, intervals):
        """The union of many [a, b) at once: one byte per second over the span they
        cover, then one int (instead of one window-wide int per interval)."""
        iv = [(max(a, self.w0), min(b, self.w1)) for a, b in intervals]
        iv = [(a, b) for a, b in iv if a < b]
        if not iv:
            return 0
        lo, hi = min(a for a, _ in iv), max(b for _, b in iv)
        s = bytearray(b"0" * (hi - lo))
        for a, b in iv:
            s[a - lo:b - lo] = b"1" * (b - a)
        return self.from_string(s.decode()) << (lo - self.w0)

    def as_string(self, bits):
        """Character i is '1' iff second W0+i is in the set."""
        return format(bits, "b").zfill(self.n)[::-1] if bits else "0" * self.n

    def from_string(self, s):
        return int(s[::-1], 2) if "1" in s else 0

    def runs(self, bits):
        """Maximal runs of consecutive seconds, as (offset, length)."""
        out = []
        if not bits:
            return out
        s = self.as_string(bits)
        i = s.find("1")
        while i != -1:
            j = s.find("0", i)
            if j == -1:
                j = len(s)
            out.append((i, j - i))
            i = s.find("1", j)
        return out

    def cut(self, bits, a, b):
        """The seconds [a, b) of a set of this window, as a set of the window [a, b)."""
        assert self.w0 <= a <= b <= self.w1
        return (bits >> (a - self.w0)) & ((1 << (b - a)) - 1)


# --------------------------------------------------------------------------
# Section 3: from checks to downtime
# --------------------------------------------------------------------------

def location_sets(checks, cfg, win):
    """(data, down) bitsets of one series.  checks: {instant: is_down}."""
    times = sorted(checks)
    n = len(times)
    cover = []
    for i, t in enumerate(times):
        end = t + cfg.max_gap
        if i + 1 < n:
            end = min(times[i + 1], end)
        cover.append((t, end))
    data = win.from_intervals(cover)
    # A down check is counted when it belongs to a run of >= confirm_checks
    # consecutive down checks.
    down_cover = []
    i = 0
    while i < n:
        if not checks[times[i]]:
            i += 1
            continue
        j = i
        while j < n and checks[times[j]]:
            j += 1
        if j - i >= cfg.confirm:
            down_cover.extend(cover[i:j])
        i = j
    return data, win.from_intervals(down_cover)


def quorum_reached(n_down, n_data, quorum):
    if n_data == 0:
        return False
    if quorum == "any":
        return n_down >= 1
    if quorum == "all":
        return n_down == n_data
    return 2 * n_down > n_data  # majority of the locations with data


def pair_sets(series, outages, cfg, win):
    """{(service, region): (data, down)} for every pair seen in checks or outages."""
    by_pair = {}
    for (svc, reg, loc), checks in series.items():
        by_pair.setdefault((svc, reg), []).append(location_sets(checks, cfg, win))
    pairs = {}
    for key, locs in by_pair.items():
        data = 0
        for d, _ in locs:
            data |= d
        candidates = 0
        for _, dn in locs:
            candidates |= dn
        down = 0
        if candidates:
            # Literally count, second by second, the locations down / with data
            # (strings over the span [lo, hi) of the candidate seconds only).
            lo = (candidates & -candidates).bit_length() - 1
            hi = candidates.bit_length()
            span = Window(win.w0 + lo, win.w0 + hi)
            cand_s = span.as_string(win.cut(candidates, span.w0, span.w1))
            data_s = [span.as_string(win.cut(d, span.w0, span.w1)) for d, _ in locs]
            down_s = [span.as_string(win.cut(dn, span.w0, span.w1)) for _, dn in locs]
            result = bytearray(b"0" * span.n)
            i = cand_s.find("1")
            while i != -1:
                n_down = sum(1 for s in down_s if s[i] == "1")
                n_data = sum(1 for s in data_s if s[i] == "1")
                if quorum_reached(n_down, n_data, cfg.quorum):
                    result[i] = ord("1")
                i = cand_s.find("1", i + 1)
            down = span.from_string(result.decode()) << lo
        pairs[key] = [data, down]
    for svc, reg, start, end in outages:
        if (svc, reg) not in pairs:
            pairs[(svc, reg)] = [win.full, 0]  # seen only in outages: data all the time
        pairs[(svc, reg)][1] |= win.mask(start, end)
    return {k: (v[0], v[1]) for k, v in pairs.items()}


# --------------------------------------------------------------------------
# Section 4: a customer over an eligible window E
# --------------------------------------------------------------------------

class CustomerSets:
    """What does not depend on E: the customer's pairs, and the full downtime F
    (before `gaps = down` and before clipping), partial P and exclusion windows X
    over the whole window."""

    def __init__(self, c, cfg, win, pairs, incidents):
        tier = cfg.tiers[c.tier]
        self.my_pairs = [k for k in sorted(pairs) if contains(c.services, k[0]) and contains(c.regions, k[1])]
        mine = [i for i in incidents if applies(i, c)]
        self.F = 0
        for k in self.my_pairs:
            self.F |= pairs[k][1]
        for i in mine:
            if i.impact == "major":
                self.F |= win.mask(i.start, i.end)
        self.P = 0
        for i in mine:
            if i.impact == "partial":
                self.P |= win.mask(i.start, i.end)
        self.X = 0
        for i in mine:
            if i.category not in tier.excluded:
                continue
            if i.category == "planned_maintenance":
                if i.announced is None or Fraction(i.start - i.announced) < tier.notice_hours * 3600:
                    continue  # notice too short: excludes nothing
            self.X |= win.mask(i.start, i.end)


def eligible(c, bounds):
    """E = [start, end) of the window `bounds` intersected with the contract, or None."""
    ws, we = bounds
    e_start = ws if c.contract_start is None else max(ws, c.contract_start)
    e_end = we if c.contract_end is None else min(we, c.contract_end)
    return (e_start, e_end) if e_start < e_end else None


class Measure:
    pass


def measure(c, cfg, win, pairs, cs, e_start, e_end):
    """Uptime, downtime, exclusions and coverage over E = [e_start, e_end).
    Every set is cut to E first, so bit i is second e_start + i here."""
    tier = cfg.tiers[c.tier]
    sub = Window(e_start, e_end)
    size_E = sub.n
    data = {k: win.cut(pairs[k][0], e_start, e_end) for k in cs.my_pairs}

    F = win.cut(cs.F, e_start, e_end)
    if cfg.gaps == "down":
        for k in cs.my_pairs:
            F |= sub.full & ~data[k]
    P = win.cut(cs.P, e_start, e_end) & ~F
    X = win.cut(cs.X, e_start, e_end)

    FX = F & ~X
    if tier.min_downtime > 0:
        kept = [(off, off + length) for off, length in sub.runs(FX) if length >= tier.min_downtime]
        FX = sub.from_intervals([(e_start + a, e_start + b) for a, b in kept])
    PX = P & ~X

    r = Measure()
    r.size_E = size_E
    r.downtime = Fraction(FX.bit_count()) + tier.partial_weight * PX.bit_count()
    r.excluded = ((F | P) & X).bit_count()
    denominator = size_E - X.bit_count() if tier.excl_in_denominator else size_E
    r.denominator = denominator
    if denominator == 0:
        r.uptime = Fraction(100)
    else:
        r.uptime = (denominator - r.downtime) * 100 / Fraction(denominator)
    if cs.my_pairs:
        covered = sum(d.bit_count() for d in data.values())
        r.coverage = Fraction(covered * 100, size_E * len(cs.my_pairs))
    else:
        r.coverage = Fraction(0)
    return r


def month_money(c, tier, uptime, size_E, size_month, recovery_missed=False):
    """A calendar month's (credit percent, fee units, credit units) at the minor unit;
    `recovery_missed`: an RTO or RPO was missed (the tier's recovery credit is added)."""
    credit = Decimal(0)
    for below, pct in tier.credits:
        if Fraction(below) > uptime and pct > credit:
            credit = pct
    if recovery_missed and tier.recovery_credit > 0:
        credit += tier.recovery_credit
    if credit > tier.cap:
        credit = tier.cap
    places = minor_unit(c.currency)
    fee = Fraction(c.fee)
    if tier.prorate_fee:
        fee = fee * Fraction(size_E, size_month)
    fee_units = round_half_away(fee, places)
    fee_rounded = Fraction(fee_units, 10 ** places)
    credit_units = round_half_away(fee_rounded * Fraction(credit) / 100, places)
    return credit, fee_units, credit_units


def budget_cells(r, target, e_start, e_end, now, places):
    """The five error-budget cells of a row measured over E = [e_start, e_end), at "now".

    allowed = denominator * (100 - target) / 100 and remaining = allowed - downtime, both
    exact; the remaining percent is remaining / allowed * 100 truncated (empty if allowed
    is 0).  The projection exists only while E is not over (now < E.end) and some of it
    has elapsed: downtime * |E| / elapsed is the projected downtime, and the projected
    uptime 100 * (denominator - projected) / denominator is truncated, clamped at 0
    (100 when the denominator is 0, as for uptime_percent)."""
    allowed = Fraction(r.denominator) * (100 - Fraction(target)) / 100
    used = r.downtime
    remaining = allowed - used
    remaining_pct = "" if allowed == 0 else fmt_truncated(remaining * 100 / allowed, places)
    projected = ""
    if now < e_end:
        elapsed = max(0, min(now, e_end) - e_start)
        if elapsed > 0:
            if r.denominator == 0:
                up = Fraction(100)
            else:
                projected_down = used * (e_end - e_start) / Fraction(elapsed)
                up = max(Fraction(0), (r.denominator - projected_down) * 100 / Fraction(r.denominator))
            projected = fmt_truncated(up, places)
    return [fmt_exact(allowed), fmt_exact(used), fmt_exact(remaining), remaining_pct, projected]


def recovery_missed(cfg, tier, month, now, customer_id):
    """Whether the recovery credit is owed in a month, by tests/reference/recovery_reference.py."""
    if tier.recovery_credit <= 0:
        return False
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import recovery_reference

    return recovery_reference.recovery_credit_applies(cfg.path, month, now, customer_id)


def customer_row(period, c, cfg, win, pairs, incidents, now):
    tier = cfg.tiers[c.tier]
    pb = period.bounds(c.zone)
    e = eligible(c, pb)
    if e is None:
        return None
    cs = CustomerSets(c, cfg, win, pairs, incidents)
    r = measure(c, cfg, win, pairs, cs, *e)

    target = c.target if c.target is not None else tier.target
    met = r.uptime >= Fraction(target)
    places = minor_unit(c.currency)

    if period.is_month:
        missed = recovery_missed(cfg, tier, f"{period.first.year:04d}-{period.first.month:02d}", now, c.id)
        credit, fee_units, credit_units = month_money(c, tier, r.uptime, r.size_E, pb[1] - pb[0], missed)
        credit_cell = fmt_decimal_normalized(credit)
        fee_cell, credit_amount_cell = fmt_fixed(fee_units, places), fmt_fixed(credit_units, places)
    else:
        # Credits stay per calendar month: sum the whole months' own fees and credits.
        credit_cell = ""
        months = period.whole_months()
        if not months:
            fee_cell = credit_amount_cell = ""
        else:
            fee_sum = credit_sum = 0
            for y, mo in months:
                mb = month_bounds(y, mo, c.zone)
                me = eligible(c, mb)
                if me is None:
                    continue  # no row in that month's report
                mr = measure(c, cfg, win, pairs, cs, *me)
                missed = recovery_missed(cfg, tier, f"{y:04d}-{mo:02d}", now, c.id)
                _, fee_units, credit_units = month_money(c, tier, mr.uptime, mr.size_E, mb[1] - mb[0], missed)
                fee_sum += fee_units
                credit_sum += credit_units
            fee_cell, credit_amount_cell = fmt_fixed(fee_sum, places), fmt_fixed(credit_sum, places)

    return [
        period.label,
        neutralise(c.id),
        neutralise(c.name),
        neutralise(c.tier),
        str(r.size_E),
        fmt_exact(r.downtime),
        str(r.excluded),
        fmt_truncated(r.uptime, cfg.decimals),
        fmt_decimal_normalized(target),
        "true" if met else "false",
        credit_cell,
        fee_cell,
        credit_amount_cell,
        neutralise(c.currency),
        fmt_truncated(r.coverage, cfg.decimals),
    ] + budget_cells(r, target, e[0], e[1], now, cfg.decimals)


HEADER = ["customer_id", "customer_name", "tier", "eligible_seconds",
          "downtime_seconds", "excluded_seconds", "uptime_percent", "target_percent",
          "met", "credit_percent", "fee", "credit_amount", "currency",
          "monitoring_coverage_percent",
          # Error budget (issue 10): columns 22-26 of slareport's file, 16-20 here.
          "budget_allowed_seconds", "budget_used_seconds", "budget_remaining_seconds",
          "budget_remaining_percent", "projected_uptime_percent"]


class Loaded:
    """Everything a period's figures need: the period, config, "now", customers and
    incidents, and (with customers) one window over all their periods and its pair sets."""

    def __init__(self, config_path, label, as_of_text=None):
        self.period = parse_period(label)
        self.cfg = Config(config_path)
        self.as_of = FAR_FUTURE if as_of_text is None else parse_instant(as_of_text, self.cfg.input_zone, "--as-of")
        self.customers = load_customers(self.cfg)
        series = load_checks(self.cfg)
        outages = load_outages(self.cfg, self.as_of)
        self.incidents = load_incidents(self.cfg, self.as_of)
        self.win = self.pairs = None
        if self.customers:
            # One window for everything: the union of the customers' periods (their
            # whole months lie inside them).
            bounds = [self.period.bounds(c.zone) for c in self.customers.values()]
            self.win = Window(min(b[0] for b in bounds), max(b[1] for b in bounds))
            self.pairs = pair_sets(series, outages, self.cfg, self.win)


def run(config_path, label, as_of_text=None):
    x = Loaded(config_path, label, as_of_text)
    period, cfg, customers, incidents, as_of = x.period, x.cfg, x.customers, x.incidents, x.as_of

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["month" if period.is_month else "period"] + HEADER)
    if customers:
        win, pairs = x.win, x.pairs
        for cid in sorted(customers):
            row = customer_row(period, customers[cid], cfg, win, pairs, incidents, as_of)
            if row is not None:
                w.writerow(row)
    return out.getvalue()


def period_arguments(doc, period_help="YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD"):
    """The command line every reference script takes: CONFIG PERIOD [--as-of INSTANT]
    (callers may add arguments after these)."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("config")
    ap.add_argument("period", help=period_help)
    ap.add_argument("--as-of", dest="as_of")
    return ap


def loaded_or_exit(args):
    """The inputs named by `args`, loaded; an input error ends the script with exit 2."""
    try:
        return Loaded(args.config, args.period, args.as_of)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)


def main(argv=None):
    args = period_arguments(__doc__).parse_args(argv)
    try:
        text = run(args.config, args.period, args.as_of)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
