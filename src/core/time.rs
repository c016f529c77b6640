//! Instants, calendar months and time zones (docs/CONTRACT.md §1).
//!
//! Everything inside the core is UTC seconds. This module turns the text forms of the
//! spec into seconds, and reporting months in a zone into `[start, end)` intervals.
//! Pure: no clock, no I/O.

use chrono::{LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

use super::interval::{Instant, Interval};

/// Why a text is not an instant; the loader adds file, line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error(
        "expected an instant like 2026-10-03T14:05:00Z, 2026-10-03T15:05:00+01:00 or 2026-10-03 14:05:00, found {0:?}"
    )]
    Malformed(String),
    #[error("{0:?} does not exist in {1} (skipped by a daylight-saving change)")]
    NonExistent(String, Tz),
    #[error("{0:?} is ambiguous in {1} (repeated by a daylight-saving change); give an offset")]
    Ambiguous(String, Tz),
    #[error("expected a date like 2026-10-15 or an instant, found {0:?}")]
    MalformedDate(String),
    #[error("{0} is outside the supported range 1990-01-01 to 2099-12-31")]
    OutOfRange(String),
    /// A cell of a file with a `timestamp_format`: (the format, the text). Boxed: time
    /// cells are moved once per input row, so this error stays one pointer wide.
    #[error("expected an instant in the format {}, found {:?}", .0.0, .0.1)]
    NotInFormat(Box<(String, String)>),
}

/// The earliest instant an input may hold: 1990-01-01T00:00:00Z.
pub(crate) const EARLIEST: Instant = 631_152_000;
/// The end of the instants an input may hold: 2100-01-01T00:00:00Z (exclusive).
pub(crate) const LATEST: Instant = 4_102_444_800;

/// `t` when it lies in the supported range [`EARLIEST`, `LATEST`): a stray timestamp far
/// in the past or future is a data error, not months of reports.
pub(crate) fn in_range(t: Instant) -> Result<Instant, TimeError> {
    if (EARLIEST..LATEST).contains(&t) { Ok(t) } else { Err(TimeError::OutOfRange(format_utc(t))) }
}

/// At most this many characters of input are kept in an error message.
pub(crate) const QUOTED_CHARS: usize = 200;

/// Input text kept in an error: at most [`QUOTED_CHARS`] characters, `…` when cut.
fn shown(text: &str) -> String {
    let mut s: String = text.chars().take(QUOTED_CHARS).collect();
    if text.chars().nth(QUOTED_CHARS).is_some() {
        s.push('…');
    }
    s
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

struct Parsed {
    y: i64,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    /// Offset east of UTC in seconds, when the text has one.
    offset: Option<i64>,
}

fn parse_date_part(b: &[u8]) -> Option<(i64, u32, u32)> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (digits(&b[0..4])? as i64, digits(&b[5..7])?, digits(&b[8..10])?);
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) {
        return None;
    }
    Some((y, mo, d))
}

fn parse_fields(text: &str) -> Option<Parsed> {
    let b = text.as_bytes();
    if b.len() < 19 || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return None;
    }
    let (y, mo, d) = parse_date_part(&b[0..10])?;
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, s) = (digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..19])?);
    // Leap seconds (":60") are not representable in UTC seconds; reject them.
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..]; // fractional seconds are truncated
    }
    let offset = match rest {
        [] => None,
        [b'Z'] | [b'z'] => Some(0),
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let (oh, om) = match tail {
                [a, b2, b':', c, d2] => (digits(&[*a, *b2])?, digits(&[*c, *d2])?),
                [a, b2, c, d2] => (digits(&[*a, *b2])?, digits(&[*c, *d2])?),
                [a, b2] => (digits(&[*a, *b2])?, 0),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = (oh * 3600 + om * 60) as i64;
            Some(if *sign == b'-' { -secs } else { secs })
        }
        _ => return None,
    };
    Some(Parsed { y, mo, d, h, mi, s, offset })
}

/// Resolves a wall-clock time in `tz` to a UTC instant; DST gaps and folds are errors.
fn resolve_local(text: &str, naive: NaiveDateTime, tz: Tz) -> Result<Instant, TimeError> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(dt) => Ok(dt.timestamp()),
        LocalResult::Ambiguous(_, _) => Err(TimeError::Ambiguous(shown(text), tz)),
        LocalResult::None => Err(TimeError::NonExistent(shown(text), tz)),
    }
}

/// `s` without surrounding white space; cells rarely have any, so those that start and
/// end with a visible ASCII character are returned as they are, without a scan.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    match s.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        [only] if only.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Parses an instant as in docs/CONTRACT.md §1; naive times are read in `tz`.
pub fn parse_instant(text: &str, tz: Tz) -> Result<Instant, TimeError> {
    let text = trim(text);
    let p = parse_fields(text).ok_or_else(|| TimeError::Malformed(shown(text)))?;
    let wall = days_from_civil(p.y, p.mo, p.d) * 86_400 + (p.h * 3600 + p.mi * 60 + p.s) as i64;
    match p.offset {
        Some(off) => Ok(wall - off),
        None if tz == Tz::UTC => Ok(wall),
        None => {
            let naive = NaiveDate::from_ymd_opt(p.y as i32, p.mo, p.d)
                .and_then(|d| d.and_hms_opt(p.h, p.mi, p.s))
                .ok_or_else(|| TimeError::Malformed(shown(text)))?;
            resolve_local(text, naive, tz)
        }
    }
}

/// Converts a naive wall-clock value (seconds since 1970-01-01T00:00:00 local) in `tz`,
/// as stored in a Parquet timestamp column without a zone.
pub(crate) fn resolve_naive_seconds(wall: i64, tz: Tz) -> Result<Instant, TimeError> {
    if tz == Tz::UTC {
        return Ok(wall);
    }
    let naive =
        chrono::DateTime::from_timestamp(wall, 0).ok_or_else(|| TimeError::Malformed(wall.to_string()))?.naive_utc();
    resolve_local(&naive.format("%Y-%m-%d %H:%M:%S").to_string(), naive, tz)
}

/// The first instant of a local calendar day. Local midnight can fall into a DST gap in a
/// few zones; then the day starts at the first wall-clock time that exists.
pub(crate) fn start_of_local_day(date: NaiveDate, tz: Tz) -> Instant {
    let mut t = date.and_time(NaiveTime::MIN);
    loop {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(dt) => return dt.timestamp(),
            LocalResult::Ambiguous(a, _) => return a.timestamp(),
            LocalResult::None => t += chrono::Duration::minutes(1),
        }
    }
}

/// A contract date or instant: a date alone means local midnight in the customer's zone.
pub(crate) fn parse_date_or_instant(text: &str, inputs_tz: Tz, customer_tz: Tz) -> Result<Instant, TimeError> {
    let t = text.trim();
    if t.len() == 10 {
        let (y, m, d) = parse_date_part(t.as_bytes()).ok_or_else(|| TimeError::MalformedDate(shown(t)))?;
        let date = NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| TimeError::MalformedDate(shown(t)))?;
        return Ok(start_of_local_day(date, customer_tz));
    }
    parse_instant(t, inputs_tz).map_err(|e| match e {
        TimeError::Malformed(s) => TimeError::MalformedDate(s),
        other => other,
    })
}

/// How a file writes its instants when it does not use the canonical forms: a chrono
/// strftime format, or seconds (`unix`) or milliseconds (`unix_ms`) since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InstantFormat {
    Strftime(String),
    Unix,
    UnixMs,
}

impl fmt::Display for InstantFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstantFormat::Strftime(s) => f.write_str(s),
            InstantFormat::Unix => f.write_str("unix"),
            InstantFormat::UnixMs => f.write_str("unix_ms"),
        }
    }
}

/// A formatted time cell: an instant, or a date alone (a format without a time of day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stamp {
    Instant(Instant),
    Date(NaiveDate),
}

impl InstantFormat {
    /// Reads a `timestamp_format` setting: `unix`, `unix_ms`, or a strftime format that
    /// chrono accepts and that reads back what it writes (so it names a day, and an hour
    /// and minute when it has a time of day). `Err` says why, in words.
    pub(crate) fn parse(text: &str) -> Result<InstantFormat, String> {
        use chrono::format::{Item, StrftimeItems};
        use std::fmt::Write;
        match text {
            "unix" => return Ok(InstantFormat::Unix),
            "unix_ms" => return Ok(InstantFormat::UnixMs),
            t if t.trim().is_empty() => return Err("empty format, expected e.g. \"%d/%m/%Y %H:%M:%S\"".into()),
            _ => {}
        }
        if StrftimeItems::new(text).any(|i| matches!(i, Item::Error)) {
            return Err(format!(
                "{:?} is not a valid strftime format: expected chrono strftime specifiers (e.g. %d/%m/%Y %H:%M:%S), unix or unix_ms",
                shown(text)
            ));
        }
        let format = InstantFormat::Strftime(text.to_string());
        // Written and read back: a format that cannot be read (no day, %Z, ...) is refused.
        let sample = chrono::FixedOffset::east_opt(2 * 3600)
            .and_then(|z| z.with_ymd_and_hms(2026, 10, 3, 14, 5, 9).single())
            .expect("a valid sample instant");
        let mut written = String::new();
        let readable = write!(written, "{}", sample.format_with_items(StrftimeItems::new(text))).is_ok()
            && parse_formatted(&written, &format, Tz::UTC).is_ok();
        if !readable {
            return Err(format!(
                "{:?} cannot be read back into an instant (it must give a year, month and day, and an hour and minute when it has a time of day)",
                shown(text)
            ));
        }
        Ok(format)
    }
}

/// Parses a cell written in `format`. A text with an offset (`%z`, or a Unix time) is an
/// instant; otherwise it is wall-clock time in `tz` (a DST gap or fold is an error), or a
/// date alone when the format has no time of day. Fractional seconds are truncated.
pub(crate) fn parse_formatted(text: &str, format: &InstantFormat, tz: Tz) -> Result<Stamp, TimeError> {
    let text = text.trim();
    let bad = || TimeError::NotInFormat(Box::new((format.to_string(), shown(text))));
    let fmt = match format {
        InstantFormat::Unix | InstantFormat::UnixMs => {
            let (int, frac) = text.split_once('.').unwrap_or((text, "0"));
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            let unsigned = int.strip_prefix('-').unwrap_or(int);
            if !digits(unsigned) || !digits(frac) {
                return Err(bad());
            }
            let v: i64 = int.parse().map_err(|_| bad())?;
            let secs = if *format == InstantFormat::UnixMs { v.div_euclid(1000) } else { v };
            return Ok(Stamp::Instant(secs));
        }
        InstantFormat::Strftime(f) => f,
    };
    let mut p = chrono::format::Parsed::new();
    chrono::format::parse(&mut p, text, chrono::format::StrftimeItems::new(fmt)).map_err(|_| bad())?;
    if p.offset().is_some() || p.timestamp().is_some() {
        return p.to_datetime().map(|dt| Stamp::Instant(dt.timestamp())).map_err(|_| bad());
    }
    let no_time = p.hour_div_12().is_none() && p.hour_mod_12().is_none() && p.minute().is_none();
    if no_time && p.second().is_none() {
        return p.to_naive_date().map(Stamp::Date).map_err(|_| bad());
    }
    let naive = p.to_naive_datetime_with_offset(0).map_err(|_| bad())?;
    // Far outside the supported range: no zone arithmetic at the ends of chrono's range.
    let wall = naive.and_utc().timestamp();
    if !(EARLIEST - 2 * 86_400..LATEST + 2 * 86_400).contains(&wall) {
        return Err(TimeError::OutOfRange(shown(text)));
    }
    if tz == Tz::UTC { Ok(Stamp::Instant(wall)) } else { resolve_local(text, naive, tz).map(Stamp::Instant) }
}

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Month {
    pub(crate) year: i32,
    pub(crate) month: u32,
}

impl Month {
    pub(crate) fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (1..=9999).contains(&year)).then_some(Month { year, month })
    }

    pub(crate) fn next(self) -> Month {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }

    pub(crate) fn prev(self) -> Month {
        if self.month == 1 {
            Month { year: self.year - 1, month: 12 }
        } else {
            Month { year: self.year, month: self.month - 1 }
        }
    }

    pub(crate) fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// `[local midnight on the 1st, local midnight on the 1st of the next month)` in `tz`.
    pub(crate) fn bounds_in(self, tz: Tz) -> Interval {
        Interval::new(start_of_local_day(self.first_day(), tz), start_of_local_day(self.next().first_day(), tz))
    }

    /// Every month from `self` to `last`, inclusive.
    pub(crate) fn through(self, last: Month) -> Vec<Month> {
        let mut out = Vec::new();
        let mut m = self;
        while m <= last {
            out.push(m);
            m = m.next();
        }
        out
    }

    /// The number of days of the month.
    pub(crate) fn days(self) -> u32 {
        days_in_month(self.year as i64, self.month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("expected a month like 2026-10, found {s:?}");
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return Err(bad());
        }
        let y = digits(&b[0..4]).ok_or_else(bad)? as i32;
        let m = digits(&b[5..7]).ok_or_else(bad)?;
        Month::new(y, m).ok_or_else(bad)
    }
}

/// Formats a UTC instant as RFC 3339 with `Z`.
pub(crate) fn format_utc(t: Instant) -> String {
    match chrono::DateTime::from_timestamp(t, 0) {
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => t.to_string(),
    }
}

/// Formats an instant as local time in `tz` with its offset, e.g. `2026-10-25T01:30:00+01:00`.
pub(crate) fn format_local(t: Instant, tz: Tz) -> String {
    match chrono::DateTime::from_timestamp(t, 0) {
        Some(dt) => dt.with_timezone(&tz).format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        None => t.to_string(),
    }
}

pub(crate) fn parse_tz(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LONDON: Tz = chrono_tz::Europe::London;

    #[test]
    fn instant_forms() {
        let z = parse_instant("2026-10-03T14:05:00Z", Tz::UTC).unwrap();
        assert_eq!(z, 1_791_036_300);
        assert_eq!(parse_instant("2026-10-03T15:05:00+01:00", Tz::UTC).unwrap(), z);
        assert_eq!(parse_instant("2026-10-03T15:05:00+0100", Tz::UTC).unwrap(), z);
        assert_eq!(parse_instant("2026-10-03 14:05:00", Tz::UTC).unwrap(), z);
        assert_eq!(parse_instant("2026-10-03T14:05:00", Tz::UTC).unwrap(), z);
        assert_eq!(parse_instant("2026-10-03T14:05:00.999Z", Tz::UTC).unwrap(), z);
        assert_eq!(parse_instant("2026-10-03 15:05:00.5", LONDON).unwrap(), z);
        assert_eq!(parse_instant("2026-10-03T09:05:00-05:00", LONDON).unwrap(), z);
    }

    #[test]
    fn malformed_instants_are_rejected() {
        for bad in [
            "",
            "yesterday",
            "2026-10-03",
            "2026-13-03T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-10-03T24:00:00Z",
            "2026-10-03T14:05:60Z",
            "2026-10-03T14:05:00+25:00",
            "2026-10-03T14:05:00.Z",
            "2026-10-03T14:05:00 Z",
            "2026/10/03 14:05:00",
        ] {
            assert!(matches!(parse_instant(bad, Tz::UTC), Err(TimeError::Malformed(_))), "{bad}");
        }
        assert!(parse_instant("2028-02-29T00:00:00Z", Tz::UTC).is_ok());
    }

    #[test]
    fn dst_gap_and_fold_are_errors() {
        assert!(matches!(parse_instant("2026-03-29 01:30:00", LONDON), Err(TimeError::NonExistent(..))));
        assert!(matches!(parse_instant("2026-10-25 01:30:00", LONDON), Err(TimeError::Ambiguous(..))));
        // With an offset, the same wall time is fine.
        assert!(parse_instant("2026-10-25T01:30:00+01:00", LONDON).is_ok());
    }

    #[test]
    fn month_lengths_in_zones() {
        let oct = Month::new(2026, 10).unwrap();
        assert_eq!(oct.bounds_in(LONDON).len(), 745 * 3600);
        assert_eq!(Month::new(2026, 3).unwrap().bounds_in(LONDON).len(), 743 * 3600);
        assert_eq!(oct.bounds_in(Tz::UTC).len(), 31 * 86_400);
        assert_eq!(Month::new(2028, 2).unwrap().bounds_in(Tz::UTC).len(), 29 * 86_400);
        assert_eq!(Month::new(2026, 2).unwrap().bounds_in(Tz::UTC).len(), 28 * 86_400);
        let ny = chrono_tz::America::New_York;
        assert_eq!(Month::new(2026, 11).unwrap().bounds_in(ny).len(), (30 * 24 + 1) * 3600);
        assert_eq!(oct.bounds_in(LONDON).start, parse_instant("2026-09-30T23:00:00Z", Tz::UTC).unwrap());
    }

    #[test]
    fn midnight_in_a_dst_gap_starts_the_day_at_the_first_existing_time() {
        // America/Havana springs forward at midnight: 2026-03-08 00:00 does not exist.
        let havana = chrono_tz::America::Havana;
        let d = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        let start = start_of_local_day(d, havana);
        assert_eq!(format_local(start, havana), "2026-03-08T01:00:00-04:00");
    }

    #[test]
    fn dates_are_local_midnight_of_the_customer() {
        let t = parse_date_or_instant("2026-10-15", Tz::UTC, LONDON).unwrap();
        assert_eq!(format_utc(t), "2026-10-14T23:00:00Z");
        assert!(matches!(parse_date_or_instant("2026-10-32", Tz::UTC, LONDON), Err(TimeError::MalformedDate(_))));
    }

    #[test]
    fn months_parse_and_iterate() {
        let a: Month = "2026-11".parse().unwrap();
        let b: Month = "2027-02".parse().unwrap();
        assert_eq!(
            a.through(b).iter().map(|m| m.to_string()).collect::<Vec<_>>(),
            ["2026-11", "2026-12", "2027-01", "2027-02"]
        );
        assert!("2026-13".parse::<Month>().is_err());
        assert!("2026-1".parse::<Month>().is_err());
    }

    #[test]
    fn formatted_instants() {
        let f = InstantFormat::parse("%d/%m/%Y %H:%M:%S").unwrap();
        let z = parse_instant("2026-10-03T14:05:00Z", Tz::UTC).unwrap();
        assert_eq!(parse_formatted("03/10/2026 14:05:00", &f, Tz::UTC), Ok(Stamp::Instant(z)));
        assert_eq!(parse_formatted(" 03/10/2026 15:05:00 ", &f, LONDON), Ok(Stamp::Instant(z)));
        let e = parse_formatted("32/13/2026 14:05:00", &f, Tz::UTC).unwrap_err().to_string();
        assert_eq!(e, "expected an instant in the format %d/%m/%Y %H:%M:%S, found \"32/13/2026 14:05:00\"");
        assert!(matches!(parse_formatted("25/10/2026 01:30:00", &f, LONDON), Err(TimeError::Ambiguous(..))));
        assert!(matches!(parse_formatted("29/03/2026 01:30:00", &f, LONDON), Err(TimeError::NonExistent(..))));
        let zoned = InstantFormat::parse("%Y%m%d %H%M%S %z").unwrap();
        assert_eq!(parse_formatted("20261003 160500 +0200", &zoned, LONDON), Ok(Stamp::Instant(z)));
        let frac = InstantFormat::parse("%Y-%m-%d %H:%M:%S%.f").unwrap();
        assert_eq!(parse_formatted("2026-10-03 14:05:00.999", &frac, Tz::UTC), Ok(Stamp::Instant(z)));
        let date = InstantFormat::parse("%d.%m.%Y").unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 10, 3).unwrap();
        assert_eq!(parse_formatted("03.10.2026", &date, LONDON), Ok(Stamp::Date(d)));
        assert_eq!(parse_formatted("1791036300", &InstantFormat::Unix, LONDON), Ok(Stamp::Instant(z)));
        assert_eq!(parse_formatted("1791036300.7", &InstantFormat::Unix, LONDON), Ok(Stamp::Instant(z)));
        assert_eq!(parse_formatted("1791036300999", &InstantFormat::UnixMs, LONDON), Ok(Stamp::Instant(z)));
        for bad in ["", "1e9", "12a", "99999999999999999999", ".5", "5."] {
            assert!(
                matches!(parse_formatted(bad, &InstantFormat::Unix, Tz::UTC), Err(TimeError::NotInFormat(..))),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_formatted("01/01/99999 00:00:00", &f, LONDON),
            Err(TimeError::OutOfRange(_)) | Err(TimeError::NotInFormat(..))
        ));
    }

    #[test]
    fn formats_are_checked_when_read() {
        for ok in
            ["%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f%:z", "%s", "%d.%m.%Y", "%b %e %Y %I:%M %p", "unix", "unix_ms"]
        {
            assert!(InstantFormat::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["%Q", "%Y-%m", "%H:%M", "%Y", "", "%Y-%m-%d %H", "%Y-%m-%d %"] {
            assert!(InstantFormat::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_format_and_cell_is_an_answer_not_a_panic(
            format in "(%[a-zA-Z+.:#0-9%-]{1,3}|[ /:T.0-9a-z-]){0,10}",
            cell in "[0-9 /:.+TZa-zA-Z-]{0,30}",
        ) {
            if let Ok(f) = InstantFormat::parse(&format) {
                let _ = parse_formatted(&cell, &f, LONDON);
                let _ = parse_formatted("99999999999999999 1 1", &f, LONDON);
            }
            let _ = parse_formatted(&cell, &InstantFormat::Unix, LONDON);
            let _ = parse_formatted(&cell, &InstantFormat::UnixMs, LONDON);
        }

        #[test]
        fn formatted_agrees_with_canonical(secs in EARLIEST..LATEST) {
            let f = InstantFormat::parse("%d/%m/%Y %H:%M:%S").unwrap();
            let text = chrono::DateTime::from_timestamp(secs, 0).unwrap().format("%d/%m/%Y %H:%M:%S").to_string();
            prop_assert_eq!(parse_formatted(&text, &f, Tz::UTC), Ok(Stamp::Instant(secs)));
        }

        #[test]
        fn parse_agrees_with_chrono(secs in 0i64..4_102_444_800) {
            let s = format_utc(secs);
            prop_assert_eq!(parse_instant(&s, Tz::UTC).unwrap(), secs);
            let local = format_local(secs, LONDON);
            prop_assert_eq!(parse_instant(&local, Tz::UTC).unwrap(), secs);
        }
    }
}
