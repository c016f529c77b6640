//! From probe results to downtime per (service, region) (docs/CONTRACT.md §3).
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
use super::reasons::{LocationsDown, Source};

/// Interned (service, region, location) of a check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct SeriesKey {
    pub(crate) service: String,
    pub(crate) region: String,
    pub(crate) location: String,
}

/// What a probe row says. At one instant of a series, down wins over up, up over unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Status {
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
pub(crate) enum SeriesMode {
    /// Probe results: each covers until the next, at most `max_gap_seconds`.
    #[default]
    Checks,
    /// A state-change log: each status holds until the next row, at most `max_hold`
    /// seconds (unbounded when `None`); the last one until "now".
    Events { max_hold: Option<i64> },
}

/// One probe result, with its series interned to an index into a key table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Check {
    pub(crate) series: u32,
    pub(crate) at: Instant,
    pub(crate) status: Status,
}

// Millions of checks are held at once: keep one in 16 bytes.
const _: () = assert!(std::mem::size_of::<Check>() == 16);

/// A (service, region) pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pair {
    pub(crate) service: String,
    pub(crate) region: String,
}

impl std::fmt::Display for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.service, self.region)
    }
}

/// Down time of a pair with where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Contribution {
    pub(crate) down: IntervalSet,
    pub(crate) source: Source,
}

/// Everything the core knows about one (service, region).
#[derive(Debug, Clone)]
pub(crate) struct PairDowntime {
    pub(crate) pair: Pair,
    /// Time covered by at least one location; `None` = data all the time (outages only).
    pub(crate) data: Option<IntervalSet>,
    /// The union of `contributions`.
    pub(crate) down: IntervalSet,
    /// One entry per maximal quorum-down interval of the checks, one per outage row.
    pub(crate) contributions: Vec<Contribution>,
}

/// Coverage and down time of one probe series.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SeriesState {
    pub(crate) coverage: IntervalSet,
    pub(crate) down: IntervalSet,
    /// The series' first row.
    pub(crate) first: Option<Instant>,
}

/// A row of a series earlier than a row already reduced: the series is not in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutOfOrder {
    pub(crate) series: u32,
    pub(crate) at: Instant,
    pub(crate) after: Instant,
}

/// How often a series was checked: the number of times each spacing between consecutive
/// instants occurs (spacings over a day counted together), for `validate`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Spacing {
    /// (seconds, count), sorted by seconds; only spacings of at most a day.
    counts: Vec<(i64, u64)>,
    /// Index in `counts` of the last spacing seen (spacings mostly repeat).
    last: usize,
}

impl Spacing {
    fn add(&mut self, seconds: i64) {
        if seconds > 86_400 {
            return;
        }
        if let Some(c) = self.counts.get_mut(self.last)
            && c.0 == seconds
        {
            c.1 += 1;
            return;
        }
        match self.counts.binary_search_by_key(&seconds, |c| c.0) {
            Ok(i) => {
                self.counts[i].1 += 1;
                self.last = i;
            }
            Err(i) => {
                self.counts.insert(i, (seconds, 1));
                self.last = i;
            }
        }
    }

    /// How many spacings were seen.
    pub(crate) fn total(&self) -> u64 {
        self.counts.iter().map(|c| c.1).sum()
    }

    /// The spacing at index `k` of all spacings sorted.
    pub(crate) fn nth(&self, k: u64) -> Option<i64> {
        let mut seen = 0;
        for &(secs, n) in &self.counts {
            seen += n;
            if k < seen {
                return Some(secs);
            }
        }
        None
    }

    /// How many spacings exceed `seconds`.
    pub(crate) fn longer_than(&self, seconds: i64) -> u64 {
        self.counts.iter().filter(|c| c.0 > seconds).map(|c| c.1).sum()
    }

    pub(crate) fn longest(&self) -> Option<i64> {
        self.counts.last().map(|c| c.0)
    }
}

/// Reduces one series as its rows arrive in time order (rows at one instant may come
/// in any order): memory is the reduced intervals, not the rows.
#[derive(Debug, Clone)]
pub(crate) struct SeriesReducer {
    /// The longest hold: `max_gap_seconds` for checks, `max_hold` for a log.
    limit: Option<i64>,
    /// A state-change log: the last row holds until "now".
    events: bool,
    confirm: usize,
    /// The latest instant and its merged status; its hold ends at the next instant.
    pending: Option<(Instant, Status)>,
    /// Down rows settled in the current run, and their holds while fewer than `confirm`.
    run: usize,
    run_holds: Vec<Interval>,
    coverage: IntervalSet,
    down: IntervalSet,
    /// Kept only when asked for (`validate`): it costs a lookup per row.
    spacing: Option<Spacing>,
    first: Option<Instant>,
}

impl SeriesReducer {
    pub(crate) fn new(mode: SeriesMode, rules: &MonitoringRules) -> SeriesReducer {
        let (limit, events) = match mode {
            SeriesMode::Checks => (Some(rules.max_gap_seconds), false),
            SeriesMode::Events { max_hold } => (max_hold, true),
        };
        SeriesReducer {
            limit,
            events,
            confirm: rules.confirm_checks.max(1) as usize,
            pending: None,
            run: 0,
            run_holds: Vec::new(),
            coverage: IntervalSet::empty(),
            down: IntervalSet::empty(),
            spacing: None,
            first: None,
        }
    }

    /// Adds a row; `Err` when it is earlier than the latest row of the series.
    #[inline]
    pub(crate) fn push(&mut self, at: Instant, status: Status) -> Result<(), (Instant, Instant)> {
        match self.pending {
            Some((t, s)) if t == at => {
                self.pending = Some((t, s.merge(status)));
                Ok(())
            }
            Some((t, _)) if at < t => Err((at, t)),
            Some((t, s)) => {
                if let Some(spacing) = &mut self.spacing {
                    spacing.add(at - t);
                }
                self.settle(t, s, Some(at), None);
                self.pending = Some((at, status));
                Ok(())
            }
            None => {
                self.pending = Some((at, status));
                self.first = Some(at);
                Ok(())
            }
        }
    }

    /// Gives the row at `t` its hold, now that the next instant (or "now") is known.
    fn settle(&mut self, t: Instant, status: Status, next: Option<Instant>, now: Option<Instant>) {
        let capped = |end: Instant| self.limit.map_or(end, |l| end.min(t.saturating_add(l)));
        let end = match (next, now) {
            (Some(next), _) => capped(next),
            (None, Some(now)) => capped(now),
            (None, None) => t.saturating_add(self.limit.unwrap_or(0)),
        };
        let hold = Interval::new(t, end.max(t));
        if status != Status::Unknown {
            self.coverage.push_sorted(hold);
        }
        if status != Status::Down {
            self.run = 0;
            self.run_holds.clear();
            return;
        }
        self.run += 1;
        if self.run < self.confirm {
            self.run_holds.push(hold);
            return;
        }
        for h in self.run_holds.drain(..) {
            self.down.push_sorted(h);
        }
        self.down.push_sorted(hold);
    }

    /// The series' coverage and down time; `now` ends the last row of a state-change log.
    pub(crate) fn finish(mut self, now: Instant) -> (SeriesState, Spacing) {
        if let Some((t, s)) = self.pending.take() {
            let now = self.events.then_some(now);
            self.settle(t, s, None, now);
        }
        let spacing = self.spacing.unwrap_or_default();
        (SeriesState { coverage: self.coverage, down: self.down, first: self.first }, spacing)
    }
}

/// Reduces one series' rows, sorted by time, to its coverage and down time. `now` ends
/// the hold of the last event of a state-change log.
#[cfg(test)]
pub(crate) fn reduce_series(
    checks: &[(Instant, Status)],
    mode: SeriesMode,
    rules: &MonitoringRules,
    now: Instant,
) -> SeriesState {
    let mut r = SeriesReducer::new(mode, rules);
    for &(t, status) in checks {
        r.push(t, status).expect("reduce_series needs rows sorted by time");
    }
    r.finish(now).0
}

/// Every series of a run, reduced as rows arrive: each series must arrive in time order
/// (series may interleave, as in an export sorted by time).
#[derive(Debug, Clone)]
pub(crate) struct Reduction {
    rules: MonitoringRules,
    series: Vec<SeriesReducer>,
    spacing: bool,
}

impl Reduction {
    pub(crate) fn new(rules: &MonitoringRules) -> Reduction {
        Reduction { rules: rules.clone(), series: Vec::new(), spacing: false }
    }

    /// Also keeps each series' spacing histogram when `on` (for `validate`).
    pub(crate) fn with_spacing(mut self, on: bool) -> Reduction {
        self.spacing = on;
        self
    }

    /// Makes room for series `id` (ids are given out densely, in order), read in `mode`.
    pub(crate) fn add_series(&mut self, id: u32, mode: SeriesMode) {
        while self.series.len() <= id as usize {
            let mut r = SeriesReducer::new(mode, &self.rules);
            r.spacing = self.spacing.then(Spacing::default);
            self.series.push(r);
        }
    }

    /// Adds a row of a series made known with [`Reduction::add_series`].
    #[inline]
    pub(crate) fn push(&mut self, c: Check) -> Result<(), OutOfOrder> {
        self.series[c.series as usize].push(c.at, c.status).map_err(|(at, after)| OutOfOrder {
            series: c.series,
            at,
            after,
        })
    }

    /// The pairs' reductions (`keys[s]` names series `s`) and each series' spacing.
    pub(crate) fn finish(self, keys: &[SeriesKey], now: Instant) -> (Vec<ReducedPair>, Vec<Spacing>) {
        let mut seen = Vec::with_capacity(self.series.len());
        let mut states = Vec::with_capacity(self.series.len());
        let mut spacings = Vec::with_capacity(self.series.len());
        for (key, r) in keys.iter().zip(self.series) {
            // A series with no row is not a location of its pair.
            if r.pending.is_some() {
                seen.push(key.clone());
                let (state, spacing) = r.finish(now);
                states.push(state);
                spacings.push(spacing);
            } else {
                spacings.push(Spacing::default());
            }
        }
        (reduce_pairs(&seen, states, &self.rules), spacings)
    }
}

/// The reduction of one pair's checks: its data time and its maximal quorum-down
/// intervals, each with the locations down at some point of it (as the reduced input
/// also gives them, when it has them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReducedPair {
    pub(crate) pair: Pair,
    pub(crate) data: IntervalSet,
    /// The number of the pair's locations (series); `None` when a reduced file omits it.
    pub(crate) locations: Option<usize>,
    pub(crate) down: Vec<DownSpan>,
    /// The earliest row of the pair (a pair whose rows were all `unknown` has no data,
    /// yet is monitored).
    pub(crate) first: Option<Instant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DownSpan {
    pub(crate) interval: Interval,
    /// The locations down at some point of the interval, by name.
    pub(crate) locations_down: Vec<String>,
    /// Where a reduced row came from (file and line); `None` when reduced from checks here.
    pub(crate) origin: Option<SourceRef>,
}

impl DownSpan {
    /// The evidence source of this down time.
    pub(crate) fn source(&self, pair: &Pair, locations: Option<usize>) -> Source {
        Source::Checks {
            pair: pair.clone(),
            locations: locations.map(|of| LocationsDown { names: self.locations_down.clone(), of }),
            reduced_in: self.origin.clone(),
        }
    }
}

/// Groups reduced series by pair (locations by name) and combines them by quorum.
pub(crate) fn reduce_pairs(keys: &[SeriesKey], states: Vec<SeriesState>, rules: &MonitoringRules) -> Vec<ReducedPair> {
    let mut by_pair: BTreeMap<Pair, Vec<(&str, SeriesState)>> = BTreeMap::new();
    for (key, state) in keys.iter().zip(states) {
        let pair = Pair { service: key.service.clone(), region: key.region.clone() };
        by_pair.entry(pair).or_default().push((key.location.as_str(), state));
    }
    by_pair
        .into_iter()
        .map(|(pair, mut locations)| {
            locations.sort_by(|a, b| a.0.cmp(b.0));
            let (data, down) = combine_locations(&locations, rules);
            let down = down
                .into_iter()
                .map(|(interval, locations_down)| DownSpan { interval, locations_down, origin: None })
                .collect();
            let first = locations.iter().filter_map(|(_, s)| s.first).min();
            ReducedPair { pair, data, locations: Some(locations.len()), down, first }
        })
        .collect()
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

/// Per-pair downtime from reduced pairs (from checks, or a reduced input) and outages.
pub(crate) fn with_outages(reduced: Vec<ReducedPair>, outages: &[Outage]) -> Vec<PairDowntime> {
    let mut result: BTreeMap<Pair, PairDowntime> = BTreeMap::new();
    for r in reduced {
        let contributions = r
            .down
            .iter()
            .map(|d| Contribution { down: IntervalSet::single(d.interval), source: d.source(&r.pair, r.locations) })
            .collect();
        let pd = PairDowntime { pair: r.pair.clone(), data: Some(r.data), down: IntervalSet::empty(), contributions };
        result.insert(r.pair, pd);
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
            .push(Contribution { down: IntervalSet::single(o.interval), source: Source::Outage(o.source.clone()) });
    }
    result
        .into_values()
        .map(|mut p| {
            p.down = IntervalSet::union_all(p.contributions.iter().map(|c| &c.down));
            p
        })
        .collect()
}

/// Reduces checks held in memory (sorted here) and outages to per-pair downtime.
/// `modes[s]` says how series `s` (an index into `keys`) is read, checks when absent;
/// `now` ends the last event of each state-change log. (Tests; a run streams its checks
/// through [`Reduction`].)
#[cfg(test)]
pub(crate) fn pair_downtime(
    keys: &[SeriesKey],
    modes: &[SeriesMode],
    checks: &mut [Check],
    outages: &[Outage],
    rules: &MonitoringRules,
    now: Instant,
) -> Vec<PairDowntime> {
    checks.sort_unstable();
    let mut reduction = Reduction::new(rules);
    for (id, _) in keys.iter().enumerate() {
        reduction.add_series(id as u32, modes.get(id).copied().unwrap_or_default());
    }
    for c in checks.iter() {
        reduction.push(*c).expect("sorted");
    }
    let (reduced, _) = reduction.finish(keys, now);
    with_outages(reduced, outages)
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

    /// The source of a quorum-down interval of pair api/eu, reduced here.
    fn checks_source(down: &[&str], of: usize) -> Source {
        let names = down.iter().map(|n| n.to_string()).collect();
        let pair = Pair { service: "api".into(), region: "eu".into() };
        Source::Checks { pair, locations: Some(LocationsDown { names, of }), reduced_in: None }
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
        assert_eq!(p.contributions[0].source, checks_source(&["loc0", "loc1"], 3));
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
        assert_eq!(pairs[0].contributions[1].source, checks_source(&["loc0"], 3));
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
        assert_eq!(pairs[1].contributions[0].source, Source::Outage("o.csv:2".into()));
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
