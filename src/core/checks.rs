//! From probe results to downtime per (service, region) (spec section 3).
//!
//! Per series (service, region, location): sort by time, merge rows at the same instant
//! (down over up over unknown), and give each row a hold: `[t_i, min(t_{i+1}, t_i +
//! limit))`. For checks the limit is `max_gap_seconds`; for a state-change log (events)
//! it is the input's `max_hold_seconds` (unbounded when absent), and the last event holds
//! until "now". An `unknown` row holds no data. Down is the hold of down rows in runs of
//! at least `confirm_checks` consecutive down rows. Then per (service, region): sweep the
//! locations' coverage and down sets and keep the time where the quorum of locations
//! with data is down. Outage rows are added afterwards.
//!
//! Cost: one sort of the checks plus linear scans; nothing is quadratic.

use std::collections::BTreeMap;

use super::interval::{Instant, Interval, IntervalSet, sweep_count};
use super::model::{MonitoringRules, Outage, SourceRef};

/// Interned (service, region, location) of a check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SeriesKey {
    pub service: String,
    pub region: String,
    pub location: String,
}

/// What a probe row says. At one instant of a series, down wins over up, up over unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Up,
    Down,
    /// No data: the probe could not tell (paused, maintenance of the monitor, ...).
    Unknown,
}

impl Status {
    /// Precedence at one instant: down > up > unknown.
    fn merge(self, other: Status) -> Status {
        use Status::*;
        match (self, other) {
            (Down, _) | (_, Down) => Down,
            (Up, _) | (_, Up) => Up,
            _ => Unknown,
        }
    }
}

/// How the rows of one series are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SeriesMode {
    /// Probe results: each covers until the next, at most `max_gap_seconds`.
    #[default]
    Checks,
    /// A state-change log: each status holds until the next row, at most `max_hold`
    /// seconds (unbounded when `None`); the last one until "now".
    Events { max_hold: Option<i64> },
}

/// One probe result, with its series interned to an index into a key table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Check {
    pub series: u32,
    pub at: Instant,
    pub status: Status,
}

// Millions of checks are held at once: keep one in 16 bytes.
const _: () = assert!(std::mem::size_of::<Check>() == 16);

/// A (service, region) pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pair {
    pub service: String,
    pub region: String,
}

impl std::fmt::Display for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.service, self.region)
    }
}

/// Down time of a pair with where it came from.
#[derive(Debug, Clone)]
pub struct Contribution {
    pub down: IntervalSet,
    pub source: SourceRef,
}

/// Everything the core knows about one (service, region).
#[derive(Debug, Clone)]
pub struct PairDowntime {
    pub pair: Pair,
    /// Time covered by at least one location; `None` = data all the time (outages only).
    pub data: Option<IntervalSet>,
    /// The union of `contributions`.
    pub down: IntervalSet,
    /// One entry per maximal quorum-down interval of the checks, one per outage row.
    pub contributions: Vec<Contribution>,
}

/// Coverage and down time of one probe series.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeriesState {
    pub coverage: IntervalSet,
    pub down: IntervalSet,
}

/// Reduces one series' rows, sorted by time, to its coverage and down time. `now` ends
/// the hold of the last event of a state-change log.
pub fn reduce_series(
    checks: &[(Instant, Status)],
    mode: SeriesMode,
    rules: &MonitoringRules,
    now: Instant,
) -> SeriesState {
    // Merge rows at the same instant: down over up over unknown.
    let mut merged: Vec<(Instant, Status)> = Vec::with_capacity(checks.len());
    for &(t, status) in checks {
        match merged.last_mut() {
            Some(last) if last.0 == t => last.1 = last.1.merge(status),
            _ => merged.push((t, status)),
        }
    }
    let (limit, last_until) = match mode {
        SeriesMode::Checks => (Some(rules.max_gap_seconds), None),
        SeriesMode::Events { max_hold } => (max_hold, Some(now)),
    };
    let hold = |i: usize| -> Interval {
        let t = merged[i].0;
        let capped = |end: Instant| limit.map_or(end, |l| end.min(t.saturating_add(l)));
        let end = match (merged.get(i + 1), last_until) {
            (Some(next), _) => capped(next.0),
            (None, Some(now)) => capped(now),
            (None, None) => t.saturating_add(limit.unwrap_or(0)),
        };
        Interval::new(t, end.max(t))
    };
    let coverage = IntervalSet::from_sorted((0..merged.len()).filter(|&i| merged[i].1 != Status::Unknown).map(hold));
    let mut down_spans = Vec::new();
    let confirm = rules.confirm_checks.max(1) as usize;
    let mut i = 0;
    while i < merged.len() {
        if merged[i].1 != Status::Down {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < merged.len() && merged[i].1 == Status::Down {
            i += 1;
        }
        if i - run_start >= confirm {
            down_spans.extend((run_start..i).map(hold));
        }
    }
    SeriesState { coverage, down: IntervalSet::from_sorted(down_spans) }
}

/// Combines the locations of one pair by quorum. Returns (data time, down time, and the
/// locations down at some point of each maximal down interval).
fn combine_locations(
    locations: &[(&str, SeriesState)],
    rules: &MonitoringRules,
) -> (IntervalSet, Vec<(Interval, Vec<String>)>) {
    let n = locations.len();
    let mut sets: Vec<&IntervalSet> = locations.iter().map(|(_, s)| &s.coverage).collect();
    sets.extend(locations.iter().map(|(_, s)| &s.down));
    let data = IntervalSet::union_all(sets[..n].iter().copied());
    let mut pieces: Vec<(Interval, Vec<bool>)> = Vec::new();
    sweep_count(&sets, |seg, inside| {
        let with_data = inside[..n].iter().filter(|&&b| b).count();
        let down = inside[n..].iter().filter(|&&b| b).count();
        if rules.quorum.is_down(down, with_data) {
            match pieces.last_mut() {
                Some((last, who)) if last.end == seg.start => {
                    last.end = seg.end;
                    who.iter_mut().zip(&inside[n..]).for_each(|(w, d)| *w |= d);
                }
                _ => pieces.push((seg, inside[n..].to_vec())),
            }
        }
    });
    let down = pieces
        .into_iter()
        .map(|(iv, who)| {
            let names = locations.iter().zip(who).filter(|(_, d)| *d).map(|((name, _), _)| name.to_string());
            (iv, names.collect())
        })
        .collect();
    (data, down)
}

/// Reduces all checks and outages to per-pair downtime. `checks` is sorted here.
/// `modes[s]` says how series `s` (an index into `keys`) is read, checks when absent;
/// `now` ends the last event of each state-change log.
pub fn pair_downtime(
    keys: &[SeriesKey],
    modes: &[SeriesMode],
    checks: &mut [Check],
    outages: &[Outage],
    rules: &MonitoringRules,
    now: Instant,
) -> Vec<PairDowntime> {
    checks.sort_unstable();
    // Series states grouped by pair, locations in name order.
    let mut by_pair: BTreeMap<Pair, Vec<(&str, SeriesState)>> = BTreeMap::new();
    let mut buf: Vec<(Instant, Status)> = Vec::new();
    let mut i = 0;
    while i < checks.len() {
        let series = checks[i].series;
        buf.clear();
        while i < checks.len() && checks[i].series == series {
            buf.push((checks[i].at, checks[i].status));
            i += 1;
        }
        let key = &keys[series as usize];
        let mode = modes.get(series as usize).copied().unwrap_or_default();
        let pair = Pair { service: key.service.clone(), region: key.region.clone() };
        by_pair.entry(pair).or_default().push((key.location.as_str(), reduce_series(&buf, mode, rules, now)));
    }
    let mut result: BTreeMap<Pair, PairDowntime> = BTreeMap::new();
    for (pair, mut locations) in by_pair {
        locations.sort_by(|a, b| a.0.cmp(b.0));
        let (data, down) = combine_locations(&locations, rules);
        let total = locations.len();
        let contributions = down
            .into_iter()
            .map(|(iv, who)| Contribution {
                down: IntervalSet::single(iv),
                source: format!("checks {pair}: {} of {total} locations down ({})", who.len(), who.join(", ")),
            })
            .collect();
        result.insert(pair.clone(), PairDowntime { pair, data: Some(data), down: IntervalSet::empty(), contributions });
    }
    for o in outages {
        let pair = Pair { service: o.service.clone(), region: o.region.clone() };
        let entry = result.entry(pair.clone()).or_insert_with(|| PairDowntime {
            pair,
            data: None,
            down: IntervalSet::empty(),
            contributions: Vec::new(),
        });
        entry
            .contributions
            .push(Contribution { down: IntervalSet::single(o.interval), source: format!("outage {}", o.source) });
    }
    result
        .into_values()
        .map(|mut p| {
            p.down = IntervalSet::union_all(p.contributions.iter().map(|c| &c.down));
            p
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Quorum;
    use Status::{Down, Unknown, Up};
    use proptest::prelude::*;

    fn rules(max_gap: i64, confirm: u32, quorum: Quorum) -> MonitoringRules {
        MonitoringRules { max_gap_seconds: max_gap, confirm_checks: confirm, quorum, ..Default::default() }
    }

    fn set(v: &[(i64, i64)]) -> IntervalSet {
        IntervalSet::from_intervals(v.iter().map(|&(a, b)| Interval::new(a, b)).collect())
    }

    fn st(down: bool) -> Status {
        if down { Down } else { Up }
    }

    fn reduce_checks(rows: &[(i64, bool)], r: &MonitoringRules) -> SeriesState {
        let rows: Vec<(Instant, Status)> = rows.iter().map(|&(t, d)| (t, st(d))).collect();
        reduce_series(&rows, SeriesMode::Checks, r, i64::MAX)
    }

    fn events(max_hold: Option<i64>) -> SeriesMode {
        SeriesMode::Events { max_hold }
    }

    #[test]
    fn coverage_is_capped_by_max_gap() {
        let s = reduce_checks(&[(0, false), (60, true), (1000, false)], &rules(300, 1, Quorum::Any));
        assert_eq!(s.coverage, set(&[(0, 360), (1000, 1300)]));
        assert_eq!(s.down, set(&[(60, 360)]));
    }

    #[test]
    fn confirm_checks_needs_a_run() {
        let checks = [(0, true), (60, false), (120, true), (180, true), (240, false)];
        let s = reduce_checks(&checks, &rules(300, 2, Quorum::Any));
        assert_eq!(s.down, set(&[(120, 240)]));
        let s3 = reduce_checks(&checks, &rules(300, 3, Quorum::Any));
        assert!(s3.down.is_empty());
    }

    #[test]
    fn duplicates_at_one_instant_are_one_check_down_if_any_is_down() {
        // Two rows at t=60 (up and down) are one down check: the run 60,120 has length 2.
        let checks = [(0, false), (60, false), (60, true), (120, true), (180, false)];
        let s = reduce_checks(&checks, &rules(300, 2, Quorum::Any));
        assert_eq!(s.down, set(&[(60, 180)]));
    }

    #[test]
    fn unknown_checks_hold_no_data_and_break_runs() {
        let r = rules(300, 2, Quorum::Any);
        let rows = [(0, Down), (60, Unknown), (120, Down), (180, Down), (240, Up)];
        let s = reduce_series(&rows, SeriesMode::Checks, &r, 0);
        // The unknown row ends the coverage of the row before it and holds nothing itself.
        assert_eq!(s.coverage, set(&[(0, 60), (120, 540)]));
        assert_eq!(s.down, set(&[(120, 240)]), "the first down row is cut off by the unknown one");
        // At one instant: down over up over unknown.
        let same = [(0, Unknown), (0, Up), (60, Unknown), (60, Down), (120, Unknown)];
        let s = reduce_series(&same, SeriesMode::Checks, &rules(300, 1, Quorum::Any), 0);
        assert_eq!(s.coverage, set(&[(0, 120)]));
        assert_eq!(s.down, set(&[(60, 120)]));
    }

    #[test]
    fn an_event_holds_until_the_next_one() {
        let r = rules(60, 1, Quorum::Any);
        let rows = [(100, Up), (5000, Down), (9000, Up)];
        let s = reduce_series(&rows, events(None), &r, 20_000);
        // No data before the first event; max_gap does not apply; the last holds until now.
        assert_eq!(s.coverage, set(&[(100, 20_000)]));
        assert_eq!(s.down, set(&[(5000, 9000)]));
        // "now" before the last event: the last event holds nothing.
        let s = reduce_series(&rows, events(None), &r, 8000);
        assert_eq!(s.coverage, set(&[(100, 9000)]));
    }

    #[test]
    fn max_hold_caps_every_event_and_the_last_one() {
        let r = rules(60, 1, Quorum::Any);
        let rows = [(0, Down), (5000, Up), (5100, Down)];
        let s = reduce_series(&rows, events(Some(1000)), &r, 20_000);
        assert_eq!(s.coverage, set(&[(0, 1000), (5000, 6100)]));
        assert_eq!(s.down, set(&[(0, 1000), (5100, 6100)]));
        let s = reduce_series(&rows, events(Some(1000)), &r, 5500);
        assert_eq!(s.down, set(&[(0, 1000), (5100, 5500)]), "the last event ends at now before max_hold");
    }

    #[test]
    fn unknown_events_are_no_data_and_confirm_counts_rows() {
        let rows = [(0, Down), (100, Unknown), (200, Down), (300, Down), (400, Up)];
        let s = reduce_series(&rows, events(None), &rules(60, 2, Quorum::Any), 1000);
        assert_eq!(s.coverage, set(&[(0, 100), (200, 1000)]));
        assert_eq!(s.down, set(&[(200, 400)]), "a run of two consecutive down rows, broken by unknown before");
        let s1 = reduce_series(&rows, events(None), &rules(60, 1, Quorum::Any), 1000);
        assert_eq!(s1.down, set(&[(0, 100), (200, 400)]));
    }

    fn check(series: u32, at: i64, down: bool) -> Check {
        Check { series, at, status: st(down) }
    }

    fn keys(n: usize) -> Vec<SeriesKey> {
        (0..n).map(|i| SeriesKey { service: "api".into(), region: "eu".into(), location: format!("loc{i}") }).collect()
    }

    fn pairs_of(
        keys: &[SeriesKey],
        checks: &mut [Check],
        outages: &[Outage],
        r: &MonitoringRules,
    ) -> Vec<PairDowntime> {
        pair_downtime(keys, &[], checks, outages, r, i64::MAX)
    }

    #[test]
    fn majority_counts_only_locations_with_data() {
        // Three locations; loc2 has no data after t=120. Down: loc0 from 60, loc1 from 180.
        let mut checks = Vec::new();
        for t in (0..600).step_by(60) {
            checks.push(check(0, t, t >= 60));
            checks.push(check(1, t, t >= 180));
            if t <= 120 {
                checks.push(check(2, t, false));
            }
        }
        let pairs = pairs_of(&keys(3), &mut checks, &[], &rules(60, 1, Quorum::Majority));
        assert_eq!(pairs.len(), 1);
        let p = &pairs[0];
        // 60..180: loc0 down of 3 with data -> up. 180..: loc2 has no data, 2 of 2 down.
        assert_eq!(p.down, set(&[(180, 600)]));
        assert_eq!(p.data, Some(set(&[(0, 600)])));
        assert!(p.contributions[0].source.contains("2 of 3 locations down (loc0, loc1)"));
    }

    #[test]
    fn quorum_all_and_any() {
        let mut checks = vec![check(0, 0, true), check(1, 0, false), check(0, 60, true), check(1, 60, true)];
        let any = pairs_of(&keys(2), &mut checks.clone(), &[], &rules(60, 1, Quorum::Any));
        assert_eq!(any[0].down, set(&[(0, 120)]));
        let all = pairs_of(&keys(2), &mut checks, &[], &rules(60, 1, Quorum::All));
        assert_eq!(all[0].down, set(&[(60, 120)]));
        // Majority of two needs both.
        let mut c2 = vec![check(0, 0, true), check(1, 0, false)];
        assert!(pairs_of(&keys(2), &mut c2, &[], &rules(60, 1, Quorum::Majority))[0].down.is_empty());
    }

    #[test]
    fn quorum_across_an_events_location_and_checks_locations() {
        // loc0: a state-change log (down from 1000 to 2000); loc1, loc2: checks every 60 s
        // until 3000, loc1 down from 1500 to 2500. Majority of three with data.
        let modes = [events(None), SeriesMode::Checks, SeriesMode::Checks];
        let mut checks = vec![check(0, 0, false), check(0, 1000, true), check(0, 2000, false)];
        for t in (0..3000).step_by(60) {
            checks.push(check(1, t, (1500..2500).contains(&t)));
            checks.push(check(2, t, false));
        }
        let r = rules(60, 1, Quorum::Majority);
        let pairs = pair_downtime(&keys(3), &modes, &mut checks, &[], &r, 4000);
        // 1500..2000: loc0 and loc1 down, 2 of 3. The log holds until now (4000); the checks end at 3000.
        assert_eq!(pairs[0].down, set(&[(1500, 2000)]));
        assert_eq!(pairs[0].data, Some(set(&[(0, 4000)])));
        // After 3000 only loc0 has data: 1 of 1. A later down event is then down alone.
        let mut more = checks.clone();
        more.push(check(0, 3500, true));
        let pairs = pair_downtime(&keys(3), &modes, &mut more, &[], &r, 4000);
        assert_eq!(pairs[0].down, set(&[(1500, 2000), (3500, 4000)]));
        assert!(pairs[0].contributions[1].source.contains("1 of 3 locations down (loc0)"));
        // Read as checks instead, the same rows of loc0 cover 60 s each: down at 1000 is
        // 1 of 3, and from 1500 loc0 has no data and loc1 alone is 1 of 2.
        let pairs = pair_downtime(&keys(3), &[], &mut more, &[], &r, 4000);
        assert_eq!(pairs[0].down, set(&[(3500, 3560)]));
    }

    #[test]
    fn outages_add_down_time_and_outage_only_pairs_have_data_always() {
        let outages = vec![
            Outage {
                service: "cdn".into(),
                region: "eu".into(),
                interval: Interval::new(10, 20),
                source: "o.csv:2".into(),
            },
            Outage {
                service: "api".into(),
                region: "eu".into(),
                interval: Interval::new(500, 700),
                source: "o.csv:3".into(),
            },
        ];
        let mut checks = vec![check(0, 0, false)];
        let pairs = pairs_of(&keys(1), &mut checks, &outages, &rules(60, 1, Quorum::Majority));
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0].pair.service, "api");
        assert_eq!(pairs[0].down, set(&[(500, 700)]));
        assert_eq!(pairs[1].data, None);
        assert_eq!(pairs[1].down, set(&[(10, 20)]));
        assert_eq!(pairs[1].contributions[0].source, "outage o.csv:2");
    }

    /// The per-second reading of a state-change log: at second `s`, the status is that of
    /// the latest row at or before `s` (down over up over unknown at one instant) when it
    /// is less than `max_hold` seconds old (and, for the last row, `s` is before now);
    /// down counts when that row is in a run of at least `confirm` consecutive down rows.
    fn per_second(rows: &[(i64, Status)], max_hold: Option<i64>, confirm: usize, now: i64) -> (Vec<i64>, Vec<i64>) {
        let mut merged: Vec<(i64, Status)> = Vec::new();
        let mut sorted = rows.to_vec();
        sorted.sort();
        for (t, s) in sorted {
            match merged.last_mut() {
                Some(l) if l.0 == t => {
                    l.1 = if l.1 == Down || s == Down {
                        Down
                    } else if l.1 == Up || s == Up {
                        Up
                    } else {
                        Unknown
                    }
                }
                _ => merged.push((t, s)),
            }
        }
        let run_len = |i: usize| -> usize {
            let (mut a, mut b) = (i, i);
            while a > 0 && merged[a - 1].1 == Down {
                a -= 1;
            }
            while b + 1 < merged.len() && merged[b + 1].1 == Down {
                b += 1;
            }
            b - a + 1
        };
        let (mut covered, mut down) = (Vec::new(), Vec::new());
        for sec in -5..200 {
            let Some(i) = merged.iter().rposition(|r| r.0 <= sec) else { continue };
            let last = i + 1 == merged.len();
            if max_hold.is_some_and(|h| sec >= merged[i].0 + h) || merged[i].1 == Unknown || (last && sec >= now) {
                continue;
            }
            covered.push(sec);
            if merged[i].1 == Down && run_len(i) >= confirm {
                down.push(sec);
            }
        }
        (covered, down)
    }

    fn seconds(s: &IntervalSet) -> Vec<i64> {
        s.intervals().iter().flat_map(|iv| iv.start..iv.end).collect()
    }

    fn arb_status() -> impl Strategy<Value = Status> {
        prop_oneof![Just(Up), Just(Down), Just(Unknown)]
    }

    proptest! {
        #[test]
        fn events_match_a_per_second_model(
            rows in prop::collection::vec((0i64..120, arb_status()), 0..12),
            max_hold in prop::option::of(1i64..40),
            confirm in 1u32..4,
            now in 0i64..160,
        ) {
            let mut sorted = rows.clone();
            sorted.sort();
            let s = reduce_series(&sorted, events(max_hold), &rules(5, confirm, Quorum::Any), now);
            let (covered, down) = per_second(&rows, max_hold, confirm as usize, now);
            prop_assert_eq!(seconds(&s.coverage), covered);
            prop_assert_eq!(seconds(&s.down), down);
        }
    }
}
