//! Reporting periods beyond the calendar month (groundwork for issue 8): a period is a
//! run of whole local days with a label, and a calendar month is one kind of period.
//! Pure: "today" is a parameter.
//!
//! Syntax of `--period`: `2026-10` (a month), `2026-Q3` (a quarter), `2026` (a year),
//! `2026-10-01..2026-12-31` (inclusive days), `last-90-days` / `last-N-days` (whole days
//! ending before "today").

use chrono::{Datelike, Days, NaiveDate};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

use super::interval::Interval;
use super::time::{Month, start_of_local_day};

/// A period as written, before "today" is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PeriodSpec {
    Month(Month),
    Quarter { year: i32, quarter: u32 },
    Year(i32),
    Days { first: NaiveDate, last: NaiveDate },
    LastDays(u32),
}

/// The longest period accepted, in days (a run is bounded).
pub(crate) const MAX_DAYS: u64 = 3 * 366;

impl FromStr for PeriodSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "expected a period like 2026-10, 2026-Q3, 2026, 2026-10-01..2026-12-31 or last-90-days, found {:?}",
                s.chars().take(60).collect::<String>()
            )
        };
        let t = s.trim();
        let year = |y: &str| -> Option<i32> {
            (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())).then(|| y.parse().ok()).flatten()
        };
        let spec = if let Some(n) = t.strip_prefix("last-").and_then(|r| r.strip_suffix("-days")) {
            let n: u32 = n.parse().map_err(|_| bad())?;
            if n == 0 || u64::from(n) > MAX_DAYS {
                return Err(format!("last-N-days: N must be from 1 to {MAX_DAYS}, found {n}"));
            }
            PeriodSpec::LastDays(n)
        } else if let Some((a, b)) = t.split_once("..") {
            let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok().filter(|_| d.len() == 10);
            let (first, last) = (day(a).ok_or_else(bad)?, day(b).ok_or_else(bad)?);
            if last < first {
                return Err(format!("the period {t} ends before it starts"));
            }
            PeriodSpec::Days { first, last }
        } else if let Some((y, q)) = t.split_once("-Q").or_else(|| t.split_once("-q")) {
            let quarter: u32 = q.parse().ok().filter(|q| (1..=4).contains(q)).ok_or_else(bad)?;
            PeriodSpec::Quarter { year: year(y).ok_or_else(bad)?, quarter }
        } else if let Some(y) = year(t) {
            PeriodSpec::Year(y)
        } else {
            PeriodSpec::Month(t.parse::<Month>().map_err(|_| bad())?)
        };
        Ok(spec)
    }
}

/// A resolved period: whole local days `[first, end)`, and its label (also the name of
/// its output directory). Ordered by first day, then end.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub(crate) first: NaiveDate,
    /// The day after the last day.
    pub(crate) end: NaiveDate,
    pub(crate) label: String,
}

impl PeriodSpec {
    /// The days of the period; `today` closes `last-N-days` (the N whole days before it).
    pub(crate) fn resolve(&self, today: NaiveDate) -> Result<Period, String> {
        let day = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(|| format!("no year {y}"));
        let period = match *self {
            PeriodSpec::Month(m) => Period::month(m),
            PeriodSpec::Quarter { year, quarter } => {
                let first = day(year, 3 * quarter - 2)?;
                let end = if quarter == 4 { day(year + 1, 1)? } else { day(year, 3 * quarter + 1)? };
                Period { label: format!("{year}-Q{quarter}"), first, end }
            }
            PeriodSpec::Year(y) => Period { label: y.to_string(), first: day(y, 1)?, end: day(y + 1, 1)? },
            PeriodSpec::Days { first, last } => {
                let end = last.checked_add_days(Days::new(1)).ok_or("the period ends too late")?;
                Period::of_days(first, end)
            }
            PeriodSpec::LastDays(n) => {
                let first = today.checked_sub_days(Days::new(u64::from(n))).ok_or("the period starts too early")?;
                today.pred_opt().ok_or("the period starts too early")?;
                Period::of_days(first, today)
            }
        };
        if period.days() > MAX_DAYS {
            return Err(format!("the period {} is {} days; at most {MAX_DAYS}", period.label, period.days()));
        }
        Ok(period)
    }
}

impl Period {
    pub(crate) fn month(m: Month) -> Period {
        Period { label: m.to_string(), first: m.first_day(), end: m.next().first_day() }
    }

    /// The days `[first, end)` under their one name: a span that is exactly a calendar
    /// month, quarter or year is named as such (`2026-10`, `2026-Q4`, `2026`), whichever
    /// way it was asked for, so its reports, history and credits are that period's.
    pub(crate) fn of_days(first: NaiveDate, end: NaiveDate) -> Period {
        let (y, m) = (first.year(), first.month());
        let after = |months: u32| {
            let k = m - 1 + months;
            NaiveDate::from_ymd_opt(y + (k / 12) as i32, k % 12 + 1, 1)
        };
        let label = if first.day() != 1 {
            None
        } else if after(1) == Some(end) {
            Some(format!("{y}-{m:02}"))
        } else if (m - 1) % 3 == 0 && after(3) == Some(end) {
            Some(format!("{y}-Q{}", (m - 1) / 3 + 1))
        } else if m == 1 && after(12) == Some(end) {
            Some(y.to_string())
        } else {
            None
        };
        let label = label.unwrap_or_else(|| format!("{first}..{}", end.pred_opt().unwrap_or(end)));
        Period { label, first, end }
    }

    /// The period a label names (`2026-10`, `2026-Q3`, `2026`, `2026-10-01..2026-12-31`),
    /// as written in output directory names and the history; `None` for anything else.
    pub fn from_label(label: &str) -> Option<Period> {
        let spec: PeriodSpec = label.parse().ok()?;
        if matches!(spec, PeriodSpec::LastDays(_)) {
            return None;
        }
        let p = spec.resolve(NaiveDate::MIN).ok()?;
        (p.label == label).then_some(p)
    }

    /// `month` for a calendar month, else `period`: the word reports use for it (and the
    /// name of the first column of its CSV files).
    pub(crate) fn noun(&self) -> &'static str {
        if self.as_month().is_some() { "month" } else { "period" }
    }

    /// The calendar month this period is, if it is exactly one.
    pub(crate) fn as_month(&self) -> Option<Month> {
        let m = Month::new(self.first.year(), self.first.month())?;
        (self.first.day() == 1 && m.next().first_day() == self.end).then_some(m)
    }

    /// The local days of the period, in order.
    pub(crate) fn dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.first.iter_days().take_while(move |d| *d < self.end)
    }

    pub(crate) fn days(&self) -> u64 {
        (self.end - self.first).num_days().max(0) as u64
    }

    /// `[local midnight of the first day, local midnight of the end day)` in `tz`.
    pub(crate) fn bounds_in(&self, tz: Tz) -> Interval {
        Interval::new(start_of_local_day(self.first, tz), start_of_local_day(self.end, tz))
    }

    /// The calendar months lying wholly inside the period (credits stay per month).
    pub(crate) fn whole_months(&self) -> Vec<Month> {
        let mut out = Vec::new();
        let Some(mut m) = Month::new(self.first.year(), self.first.month()) else { return out };
        if self.first.day() != 1 {
            m = m.next();
        }
        while m.next().first_day() <= self.end {
            out.push(m);
            m = m.next();
        }
        out
    }

    /// The period cut into calendar months (`quarter = false`) or quarters, each clipped
    /// to the period.
    pub(crate) fn split(&self, quarters: bool) -> Vec<Period> {
        let mut out = Vec::new();
        let mut start = self.first;
        while start < self.end {
            let (y, m) = (start.year(), start.month());
            let next_month = if quarters { (m - 1) / 3 * 3 + 4 } else { m + 1 };
            let boundary = if next_month > 12 {
                NaiveDate::from_ymd_opt(y + 1, next_month - 12, 1)
            } else {
                NaiveDate::from_ymd_opt(y, next_month, 1)
            };
            let Some(boundary) = boundary else { break };
            let end = boundary.min(self.end);
            out.push(Period::of_days(start, end));
            start = end;
        }
        out
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn resolve(s: &str, today: &str) -> Period {
        s.parse::<PeriodSpec>().unwrap().resolve(date(today)).unwrap()
    }

    #[test]
    fn every_syntax_resolves_to_whole_days() {
        let today = "2026-11-26";
        let cases = [
            ("2026-10", "2026-10", "2026-10-01", "2026-11-01"),
            ("2026-Q3", "2026-Q3", "2026-07-01", "2026-10-01"),
            ("2026-q4", "2026-Q4", "2026-10-01", "2027-01-01"),
            ("2026", "2026", "2026-01-01", "2027-01-01"),
            ("2026-10-01..2026-12-31", "2026-Q4", "2026-10-01", "2027-01-01"),
            ("last-90-days", "2026-08-28..2026-11-25", "2026-08-28", "2026-11-26"),
            ("last-30-days", "2026-10-27..2026-11-25", "2026-10-27", "2026-11-26"),
        ];
        for (text, label, first, end) in cases {
            let p = resolve(text, today);
            assert_eq!((p.label.as_str(), p.first, p.end), (label, date(first), date(end)), "{text}");
        }
        assert_eq!(resolve("last-90-days", today).days(), 90);
    }

    #[test]
    fn bad_periods_are_named() {
        for bad in [
            "2026-13",
            "2026-Q5",
            "26",
            "2026-10-01..2026-09-30",
            "last-0-days",
            "last-x-days",
            "2026-02-30..2026-03-01",
            "",
        ] {
            assert!(bad.parse::<PeriodSpec>().is_err(), "{bad}");
        }
        let e = "2020-01-01..2026-12-31".parse::<PeriodSpec>().unwrap().resolve(date("2026-01-01")).unwrap_err();
        assert!(e.contains("at most 1098"), "{e}");
    }

    #[test]
    fn bounds_follow_the_zone_across_dst() {
        // Q4 2026 in London: starts at BST midnight (23:00 UTC), ends at GMT midnight.
        let q4 = resolve("2026-Q4", "2026-11-26");
        let b = q4.bounds_in(chrono_tz::Europe::London);
        assert_eq!(b.start, 1_790_809_200); // 2026-09-30T23:00:00Z
        assert_eq!(b.end, 1_798_761_600); // 2027-01-01T00:00:00Z
        assert_eq!(b.len(), 92 * 86_400 + 3600, "the day of the change back has 25 hours");
    }

    #[test]
    fn whole_months_and_splits() {
        let p = resolve("2026-09-15..2026-12-31", "2026-01-01");
        assert_eq!(
            p.whole_months().iter().map(|m| m.to_string()).collect::<Vec<_>>(),
            ["2026-10", "2026-11", "2026-12"]
        );
        let labels: Vec<String> = p.split(false).into_iter().map(|x| x.label).collect();
        assert_eq!(labels, ["2026-09-15..2026-09-30", "2026-10", "2026-11", "2026-12"]);
        let labels: Vec<String> = resolve("2026", "2026-01-01").split(true).into_iter().map(|x| x.label).collect();
        assert_eq!(labels, ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
        assert!(resolve("2026-10-05..2026-10-20", "2026-01-01").whole_months().is_empty());
    }

    #[test]
    fn labels_name_their_period_and_months_are_recognised() {
        for text in ["2026-10", "2026-Q3", "2026", "2026-10-01..2026-12-15", "2026-10-02..2026-10-31"] {
            let p = resolve(text, "2026-01-01");
            assert_eq!(Period::from_label(&p.label), Some(p.clone()), "{text}");
        }
        // A span that is exactly a month, quarter or year has that one name.
        for (text, label) in [
            ("2026-10-01..2026-10-31", "2026-10"),
            ("2026-10-01..2026-12-31", "2026-Q4"),
            ("2026-01-01..2026-12-31", "2026"),
            ("2026-02-01..2026-04-30", "2026-02-01..2026-04-30"),
        ] {
            assert_eq!(resolve(text, "2026-01-01").label, label, "{text}");
        }
        assert_eq!(resolve("last-30-days", "2026-12-01").label, "2026-11");
        assert_eq!(Period::from_label("2026-10-01..2026-10-31"), None, "not the month's name");
        assert_eq!(Period::from_label("last-90-days"), None);
        assert_eq!(Period::from_label("2026-q3"), None, "only the canonical spelling is a label");
        assert_eq!(Period::from_label("history"), None);
        assert_eq!(resolve("2026-10", "2026-01-01").as_month(), Month::new(2026, 10));
        assert_eq!(resolve("2026-10-01..2026-10-31", "2026-01-01").as_month(), Month::new(2026, 10));
        assert_eq!(resolve("2026-Q3", "2026-01-01").as_month(), None);
        assert_eq!(resolve("2026-10-01..2026-10-30", "2026-01-01").as_month(), None);
        assert_eq!(resolve("2026-Q1", "2026-01-01").dates().count(), 90);
    }

    proptest! {
        #[test]
        fn splits_tile_the_period(start in 0u64..3000, len in 1u64..800, quarters: bool) {
            let first = date("2020-01-01").checked_add_days(Days::new(start)).unwrap();
            let last = first.checked_add_days(Days::new(len - 1)).unwrap();
            let p = PeriodSpec::Days { first, last }.resolve(date("2030-01-01")).unwrap();
            let parts = p.split(quarters);
            prop_assert_eq!(parts.first().unwrap().first, p.first);
            prop_assert_eq!(parts.last().unwrap().end, p.end);
            for w in parts.windows(2) {
                prop_assert_eq!(w[0].end, w[1].first);
            }
            prop_assert_eq!(parts.iter().map(Period::days).sum::<u64>(), p.days());
            for part in &parts {
                // Every part is named for exactly its days.
                prop_assert_eq!(Period::from_label(&part.label), Some(part.clone()));
            }
            for m in p.whole_months() {
                prop_assert!(Period::month(m).first >= p.first && Period::month(m).end <= p.end);
            }
        }
    }
}
