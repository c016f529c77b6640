//! From probe results to downtime per (service, region) (spec section 3).
//!
//! Per series (service, region, location): sort by time, merge checks at the same
//! instant, give each check its coverage `[t_i, min(t_{i+1}, t_i + max_gap))`, and mark
//! down the coverage of down checks in runs of at least `confirm_checks`. Then per
//! (service, region): sweep the locations' coverage and down sets and keep the time where
//! the quorum of locations with data is down. Outage rows are added afterwards.
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

/// One probe result, with its series interned to an index into a key table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Check {
    pub series: u32,
    pub at: Instant,
    pub down: bool,
}

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

/// Reduces one series' checks, sorted by time, to its coverage and down time.
pub fn reduce_series(checks: &[(Instant, bool)], rules: &MonitoringRules) -> SeriesState {
    // Merge checks at the same instant: down if any is down.
    let mut merged: Vec<(Instant, bool)> = Vec::with_capacity(checks.len());
    for &(t, down) in checks {
        match merged.last_mut() {
            Some(last) if last.0 == t => last.1 |= down,
            _ => merged.push((t, down)),
        }
    }
    let cover = |i: usize| -> Interval {
        let t = merged[i].0;
        let limit = t.saturating_add(rules.max_gap_seconds);
        let end = merged.get(i + 1).map_or(limit, |next| next.0.min(limit));
        Interval::new(t, end)
    };
    let coverage = IntervalSet::from_sorted((0..merged.len()).map(cover));
    let mut down_spans = Vec::new();
    let confirm = rules.confirm_checks.max(1) as usize;
    let mut i = 0;
    while i < merged.len() {
        if !merged[i].1 {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < merged.len() && merged[i].1 {
            i += 1;
        }
        if i - run_start >= confirm {
            down_spans.extend((run_start..i).map(cover));
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
pub fn pair_downtime(
    keys: &[SeriesKey],
    checks: &mut [Check],
    outages: &[Outage],
    rules: &MonitoringRules,
) -> Vec<PairDowntime> {
    checks.sort_unstable();
    // Series states grouped by pair, locations in name order.
    let mut by_pair: BTreeMap<Pair, Vec<(&str, SeriesState)>> = BTreeMap::new();
    let mut buf: Vec<(Instant, bool)> = Vec::new();
    let mut i = 0;
    while i < checks.len() {
        let series = checks[i].series;
        buf.clear();
        while i < checks.len() && checks[i].series == series {
            buf.push((checks[i].at, checks[i].down));
            i += 1;
        }
        let key = &keys[series as usize];
        let pair = Pair { service: key.service.clone(), region: key.region.clone() };
        by_pair.entry(pair).or_default().push((key.location.as_str(), reduce_series(&buf, rules)));
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

    fn rules(max_gap: i64, confirm: u32, quorum: Quorum) -> MonitoringRules {
        MonitoringRules { max_gap_seconds: max_gap, confirm_checks: confirm, quorum, ..Default::default() }
    }

    fn set(v: &[(i64, i64)]) -> IntervalSet {
        IntervalSet::from_intervals(v.iter().map(|&(a, b)| Interval::new(a, b)).collect())
    }

    #[test]
    fn coverage_is_capped_by_max_gap() {
        let s = reduce_series(&[(0, false), (60, true), (1000, false)], &rules(300, 1, Quorum::Any));
        assert_eq!(s.coverage, set(&[(0, 360), (1000, 1300)]));
        assert_eq!(s.down, set(&[(60, 360)]));
    }

    #[test]
    fn confirm_checks_needs_a_run() {
        let checks = [(0, true), (60, false), (120, true), (180, true), (240, false)];
        let s = reduce_series(&checks, &rules(300, 2, Quorum::Any));
        assert_eq!(s.down, set(&[(120, 240)]));
        let s3 = reduce_series(&checks, &rules(300, 3, Quorum::Any));
        assert!(s3.down.is_empty());
    }

    #[test]
    fn duplicates_at_one_instant_are_one_check_down_if_any_is_down() {
        // Two rows at t=60 (up and down) are one down check: the run 60,120 has length 2.
        let checks = [(0, false), (60, false), (60, true), (120, true), (180, false)];
        let s = reduce_series(&checks, &rules(300, 2, Quorum::Any));
        assert_eq!(s.down, set(&[(60, 180)]));
    }

    fn check(series: u32, at: i64, down: bool) -> Check {
        Check { series, at, down }
    }

    fn keys(n: usize) -> Vec<SeriesKey> {
        (0..n).map(|i| SeriesKey { service: "api".into(), region: "eu".into(), location: format!("loc{i}") }).collect()
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
        let pairs = pair_downtime(&keys(3), &mut checks, &[], &rules(60, 1, Quorum::Majority));
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
        let any = pair_downtime(&keys(2), &mut checks.clone(), &[], &rules(60, 1, Quorum::Any));
        assert_eq!(any[0].down, set(&[(0, 120)]));
        let all = pair_downtime(&keys(2), &mut checks, &[], &rules(60, 1, Quorum::All));
        assert_eq!(all[0].down, set(&[(60, 120)]));
        // Majority of two needs both.
        let mut c2 = vec![check(0, 0, true), check(1, 0, false)];
        assert!(pair_downtime(&keys(2), &mut c2, &[], &rules(60, 1, Quorum::Majority))[0].down.is_empty());
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
        let pairs = pair_downtime(&keys(1), &mut checks, &outages, &rules(60, 1, Quorum::Majority));
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0].pair.service, "api");
        assert_eq!(pairs[0].down, set(&[(500, 700)]));
        assert_eq!(pairs[1].data, None);
        assert_eq!(pairs[1].down, set(&[(10, 20)]));
        assert_eq!(pairs[1].contributions[0].source, "outage o.csv:2");
    }
}
