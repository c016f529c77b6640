//! Data-quality findings for `validate`: facts about the inputs that do not stop a run
//! but that an SLA analyst should see before a report goes out. Pure: everything is
//! computed from loaded, reduced data and a window of time.

use std::collections::BTreeSet;

use super::checks::{PairDowntime, SeriesKey, SeriesMode, Spacing};
use super::interval::{Instant, Interval, IntervalSet};
use super::model::{Category, Customer, Incident, Outage, Scope};

/// Time without monitoring data for one (service, region) inside the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gap {
    pub(crate) pair: String,
    pub(crate) count: usize,
    pub(crate) total_seconds: i64,
    pub(crate) longest: Interval,
}

/// Per (service, region) measured by checks, the time in `window` no location covered.
pub(crate) fn monitoring_gaps(pairs: &[PairDowntime], window: &IntervalSet) -> Vec<Gap> {
    let mut out = Vec::new();
    for p in pairs {
        let Some(data) = &p.data else { continue };
        let gaps = window.subtract(data);
        let Some(longest) = gaps.intervals().iter().copied().max_by_key(|iv| (iv.len(), -iv.start)) else {
            continue;
        };
        out.push(Gap {
            pair: p.pair.to_string(),
            count: gaps.intervals().len(),
            total_seconds: gaps.measure(),
            longest,
        });
    }
    out
}

/// A probe series whose checks do not come at a steady pace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Irregular {
    pub(crate) series: String,
    /// The median time between consecutive checks, in seconds.
    pub(crate) typical_seconds: i64,
    /// Intervals longer than twice the typical one (missed checks).
    pub(crate) late: usize,
    pub(crate) intervals: usize,
    pub(crate) longest_seconds: i64,
    /// Whether the typical interval is longer than `max_gap_seconds`, so that most of
    /// the time between checks counts as no data.
    pub(crate) sparser_than_max_gap: bool,
}

/// Series (by the spacing of their checks, `spacings[s]` of series `s`) whose spacing is
/// irregular: some interval over twice the median, or a median over `max_gap_seconds`.
/// Intervals longer than a day are left out (a series paused on purpose is a gap, see
/// [`monitoring_gaps`]). State-change logs (`modes[s]` events) are skipped: their rows
/// come when the status changes, irregular by nature.
pub(crate) fn irregular_series(
    keys: &[SeriesKey],
    modes: &[SeriesMode],
    spacings: &[Spacing],
    max_gap_seconds: i64,
) -> Vec<Irregular> {
    let mut out = Vec::new();
    for (series, spacing) in spacings.iter().enumerate() {
        if matches!(modes.get(series), Some(SeriesMode::Events { .. })) {
            continue;
        }
        let n = spacing.total();
        let (Some(typical), Some(longest)) = (spacing.nth(n / 2), spacing.longest()) else { continue };
        let late = spacing.longer_than(2 * typical) as usize;
        let sparse = typical > max_gap_seconds;
        if late > 0 || sparse {
            let k = &keys[series];
            out.push(Irregular {
                series: format!("{}/{}/{}", k.service, k.region, k.location),
                typical_seconds: typical,
                late,
                intervals: n as usize,
                longest_seconds: longest,
                sparser_than_max_gap: sparse,
            });
        }
    }
    out
}

/// Incidents with no end that touch the window.
pub(crate) fn open_incidents<'a>(incidents: &'a [Incident], window: &IntervalSet, now: Instant) -> Vec<&'a Incident> {
    incidents.iter().filter(|i| i.end.is_none() && window.overlaps(&i.interval(now))).collect()
}

/// A scope value that no check series or outage row measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnmonitoredName {
    /// `customer C1` or `incident INC-3`.
    pub(crate) owner: String,
    /// `services` or `regions`.
    pub(crate) column: &'static str,
    pub(crate) value: String,
}

/// Services and regions named in customers' and incidents' scopes that nothing monitors.
pub(crate) fn unmonitored_names(
    keys: &[SeriesKey],
    outages: &[Outage],
    customers: &[Customer],
    incidents: &[Incident],
) -> Vec<UnmonitoredName> {
    let services: BTreeSet<&str> =
        keys.iter().map(|k| k.service.as_str()).chain(outages.iter().map(|o| o.service.as_str())).collect();
    let regions: BTreeSet<&str> =
        keys.iter().map(|k| k.region.as_str()).chain(outages.iter().map(|o| o.region.as_str())).collect();
    let mut out = Vec::new();
    let mut check = |owner: String, column: &'static str, scope: &Scope, known: &BTreeSet<&str>| {
        if let Scope::List(values) = scope {
            for v in values.iter().filter(|v| !known.contains(v.as_str())) {
                out.push(UnmonitoredName { owner: owner.clone(), column, value: v.clone() });
            }
        }
    };
    for c in customers {
        check(format!("customer {}", c.id), "services", &c.services, &services);
        check(format!("customer {}", c.id), "regions", &c.regions, &regions);
    }
    for i in incidents {
        check(format!("incident {}", i.id), "services", &i.services, &services);
        check(format!("incident {}", i.id), "regions", &i.regions, &regions);
    }
    out
}

/// Pairs of planned maintenance windows that overlap in time and scope (ids in order).
pub(crate) fn overlapping_maintenance(incidents: &[Incident], now: Instant) -> Vec<(String, String)> {
    let mut m: Vec<&Incident> = incidents.iter().filter(|i| i.category == Category::PlannedMaintenance).collect();
    m.sort_by_key(|i| (i.start, i.id.clone()));
    let mut out = Vec::new();
    for (k, a) in m.iter().enumerate() {
        let ai = a.interval(now);
        for b in m[k + 1..].iter().take_while(|b| b.start < ai.end) {
            if ai.overlaps(&b.interval(now))
                && a.services.meets(&b.services)
                && a.regions.meets(&b.regions)
                && a.customers.meets(&b.customers)
            {
                out.push((a.id.clone(), b.id.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::checks::{Check, Status};
    use crate::core::model::Impact;
    use crate::core::model::MonitoringRules;

    fn incident(id: &str, category: Category, start: Instant, end: Option<Instant>, services: &str) -> Incident {
        Incident {
            id: id.into(),
            title: String::new(),
            category,
            impact: Impact::Major,
            start,
            end,
            services: Scope::parse(services),
            regions: Scope::All,
            customers: Scope::All,
            announced_at: None,
            data_loss_minutes: None,
        }
    }

    #[test]
    fn irregular_and_sparse_series_are_found() {
        let keys = vec![
            SeriesKey { service: "api".into(), region: "eu".into(), location: "lon".into() },
            SeriesKey { service: "api".into(), region: "eu".into(), location: "fra".into() },
            SeriesKey { service: "db".into(), region: "eu".into(), location: "lon".into() },
        ];
        let mut checks = Vec::new();
        for t in (0..600).step_by(60) {
            checks.push(Check { series: 0, at: t, status: Status::Up });
        }
        checks.push(Check { series: 0, at: 1200, status: Status::Up }); // a 10-minute hole
        for t in (0..1200).step_by(60) {
            checks.push(Check { series: 1, at: t, status: Status::Up });
        }
        for t in (0..3000).step_by(600) {
            checks.push(Check { series: 2, at: t, status: Status::Up });
        }
        let spacings = |checks: &[Check]| {
            let mut r = crate::core::checks::Reduction::new(&MonitoringRules::default()).with_spacing(true);
            (0..3).for_each(|id| r.add_series(id, SeriesMode::Checks));
            checks.iter().for_each(|c| r.push(*c).expect("in order"));
            r.finish(&keys, 0).1
        };
        let found = irregular_series(&keys, &[], &spacings(&checks), 120);
        assert_eq!(found.len(), 2, "{found:?}");
        // A state-change log is irregular by nature: not reported.
        let modes = [SeriesMode::Events { max_hold: None }, SeriesMode::Checks, SeriesMode::Checks];
        let events = irregular_series(&keys, &modes, &spacings(&checks), 120);
        assert_eq!(events.iter().map(|i| i.series.as_str()).collect::<Vec<_>>(), ["db/eu/lon"]);
        assert_eq!(
            found[0],
            Irregular {
                series: "api/eu/lon".into(),
                typical_seconds: 60,
                late: 1,
                intervals: 10,
                longest_seconds: 660,
                sparser_than_max_gap: false
            }
        );
        assert!(found[1].series == "db/eu/lon" && found[1].sparser_than_max_gap && found[1].late == 0);
    }

    #[test]
    fn overlapping_maintenance_needs_time_and_scope() {
        let pm = Category::PlannedMaintenance;
        let list = vec![
            incident("M1", pm, 0, Some(100), "api"),
            incident("M2", pm, 50, Some(150), "api;db"),
            incident("M3", pm, 60, Some(70), "web"),
            incident("M4", pm, 150, Some(200), "api"),
            incident("I1", Category::Unplanned, 0, Some(500), "api"),
        ];
        assert_eq!(overlapping_maintenance(&list, 1000), vec![("M1".to_string(), "M2".to_string())]);
    }

    #[test]
    fn names_nothing_monitors() {
        let keys = vec![SeriesKey { service: "api".into(), region: "eu".into(), location: "lon".into() }];
        let incidents = vec![incident("I1", Category::Unplanned, 0, None, "api;apii")];
        let found = unmonitored_names(&keys, &[], &[], &incidents);
        assert_eq!(
            found,
            vec![UnmonitoredName { owner: "incident I1".into(), column: "services", value: "apii".into() }]
        );
        assert_eq!(open_incidents(&incidents, &IntervalSet::single(Interval::new(0, 10)), 5).len(), 1);
    }

    #[test]
    fn gaps_inside_the_window() {
        let pairs = vec![PairDowntime {
            pair: crate::core::checks::Pair { service: "api".into(), region: "eu".into() },
            data: Some(IntervalSet::from_intervals(vec![Interval::new(0, 100), Interval::new(400, 1000)])),
            down: IntervalSet::empty(),
            contributions: Vec::new(),
        }];
        let gaps = monitoring_gaps(&pairs, &IntervalSet::single(Interval::new(0, 1200)));
        assert_eq!(
            gaps,
            vec![Gap { pair: "api/eu".into(), count: 2, total_seconds: 500, longest: Interval::new(100, 400) }]
        );
    }
}
