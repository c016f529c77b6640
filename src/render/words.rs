//! The words for the core's typed sources, reasons, treatments and recovery notes: the
//! one place they become text. Reasons, treatments and recovery notes read the same
//! everywhere (evidence.csv, `explain`, recovery.csv, every PDF). A source has two
//! wordings: the internal one (evidence.csv, `explain`, internal PDF copies) names files,
//! lines and probe locations; the customer one says what saw the downtime, never those.

use rust_decimal::Decimal;

use crate::core::numbers::plain;
use crate::core::reasons::{Counted, Exclusion, NoExclusion, OpenUntil, Reason, Source, Treatment};
use crate::core::recovery::RecoveryNote;
use crate::core::time::format_utc;

/// `72h`, `0.5h`, `1.33h`: hours, rounded to 2 decimal places.
fn hours(seconds: i64) -> String {
    let h = Decimal::from(seconds) / Decimal::from(3600);
    format!("{}h", plain(h.round_dp(2)))
}

/// A source as evidence.csv names it: `checks api/eu: 2 of 3 locations down (dublin,
/// london)`, `outage outages.csv:6`, `incident INC-7 (unplanned, major)`, ...
pub(crate) fn source(s: &Source) -> String {
    match s {
        Source::Checks { pair, locations, reduced_in } => {
            let mut text = match locations {
                Some(l) => {
                    format!("checks {pair}: {} of {} locations down ({})", l.names.len(), l.of, l.names.join(", "))
                }
                None => format!("checks {pair}: down"),
            };
            if let Some(origin) = reduced_in {
                text.push_str(&format!(", reduced in {origin}"));
            }
            text
        }
        Source::Outage(at) => format!("outage {at}"),
        Source::Incident { id, category, impact } => format!("incident {id} ({category}, {impact})"),
        Source::NoData(pair) => format!("no monitoring data for {pair} (gaps = down)"),
    }
}

/// A source as a customer reads it: checks are "our external monitors (2 of 3
/// locations)", an outage row "external monitoring report", an incident "incident INC-7",
/// no-data time "no monitoring data".
pub(crate) fn customer_source(s: &Source) -> String {
    match s {
        Source::Checks { locations: Some(l), .. } => {
            let noun = if l.of == 1 { "location" } else { "locations" };
            format!("our external monitors ({} of {} {noun})", l.names.len(), l.of)
        }
        Source::Checks { locations: None, .. } => "our external monitors".to_string(),
        Source::Outage(_) => "external monitoring report".to_string(),
        Source::Incident { id, .. } => format!("incident {id}"),
        Source::NoData(_) => "no monitoring data".to_string(),
    }
}

/// The sources of an evidence row as evidence.csv has them, `; `-separated.
pub(crate) fn sources(sources: &[Source]) -> String {
    sources.iter().map(source).collect::<Vec<_>>().join("; ")
}

/// The sources of an evidence row in customer words, each named once.
pub(crate) fn customer_sources(sources: &[Source]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for s in sources.iter().map(customer_source) {
        if !shown.contains(&s) {
            shown.push(s);
        }
    }
    shown.join("; ")
}

/// Why an evidence row counts or not, in plain words.
pub(crate) fn reason(r: &Reason) -> String {
    match r {
        Reason::FullDowntime => "full downtime".to_string(),
        Reason::PartialAtWeight(w) => partial_at(*w),
        Reason::TooShort { min_downtime_seconds, tier } => {
            format!("shorter than min_downtime_seconds {min_downtime_seconds} of tier {tier}: not counted")
        }
        Reason::Excluded(x) => exclusion(x),
        Reason::NotExcluded(x) => no_exclusion(x),
        Reason::StillOpen { incident, until, by } => {
            let by = match by {
                OpenUntil::EligibleEnd => "end of the eligible period",
                OpenUntil::ReportTime => "as of the report time",
            };
            format!("incident {incident} is still open: counted until {} ({by})", format_utc(*until))
        }
        Reason::Overrun { category, incident, window_end } => format!(
            "runs past the window of {category} {incident} (ended {}): the overrun counts",
            format_utc(*window_end)
        ),
    }
}

/// The reasons of an evidence row, `; `-separated.
pub(crate) fn reasons(reasons: &[Reason]) -> String {
    reasons.iter().map(reason).collect::<Vec<_>>().join("; ")
}

/// How the tier treats an incident, in plain words.
pub(crate) fn treatment(t: &Treatment) -> String {
    match t {
        Treatment::Excluded(x) => exclusion(x),
        Treatment::NotExcluded(x) => no_exclusion(x),
        Treatment::FullDowntime => "counted as full downtime".to_string(),
        Treatment::PartialAtWeight(w) => partial_at(*w),
        Treatment::PartialNotCounted => "partial impact, weight 0: not counted".to_string(),
        Treatment::NotDowntime(impact) => format!("impact {impact}: not counted as downtime"),
    }
}

/// Why recovery objectives are not judged, `; `-separated.
pub(crate) fn recovery_notes(notes: &[RecoveryNote]) -> String {
    notes.iter().map(recovery_note).collect::<Vec<_>>().join("; ")
}

/// Why one incident's recovery objectives are not judged.
fn recovery_note(n: &RecoveryNote) -> String {
    match n {
        RecoveryNote::Excluded(x) => format!("excluded: {}", exclusion(x)),
        RecoveryNote::NoRto => "no RTO applies".to_string(),
        RecoveryNote::StillOpen => "still open: time to restore not known".to_string(),
        RecoveryNote::NoRpo => "no RPO applies".to_string(),
        RecoveryNote::NoDataLoss => "no data-loss figure".to_string(),
    }
}

/// "partial impact, counted at weight W".
fn partial_at(weight: Decimal) -> String {
    format!("partial impact, counted at weight {}", plain(weight))
}

/// Why an incident excludes its window (its category, the notice given).
fn exclusion(x: &Exclusion) -> String {
    match x.notice {
        None => format!("{} {} excluded", x.category, x.incident),
        Some(n) => format!(
            "{} {} excluded (announced {} before start, {} required)",
            x.category,
            x.incident,
            hours(n.given_seconds),
            hours(n.required_seconds)
        ),
    }
}

/// Why an incident whose category could be excluded is counted.
fn no_exclusion(x: &NoExclusion) -> String {
    let id = &x.incident;
    match &x.why {
        Counted::CategoryNotExcluded { tier } => format!("{} {id} is not excluded by tier {tier}, counted", x.category),
        Counted::NotAnnounced { required_seconds } => {
            format!("maintenance {id} was not announced: notice {} required, counted", hours(*required_seconds))
        }
        Counted::ShortNotice(n) => {
            let given = if n.given_seconds < 0 {
                format!("announced {} after start", hours(-n.given_seconds))
            } else {
                format!("announced {} before start", hours(n.given_seconds))
            };
            format!("maintenance {id} {given}: notice {} required, counted", hours(n.required_seconds))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::checks::Pair;
    use crate::core::model::{Category, Impact};
    use crate::core::reasons::{LocationsDown, Notice};

    fn api_eu() -> Pair {
        Pair { service: "api".into(), region: "eu".into() }
    }

    fn checks(down: &[&str], of: Option<usize>, reduced_in: Option<&str>) -> Source {
        Source::Checks {
            pair: api_eu(),
            locations: of.map(|of| LocationsDown { names: down.iter().map(|s| s.to_string()).collect(), of }),
            reduced_in: reduced_in.map(str::to_string),
        }
    }

    #[test]
    fn customer_sources_name_no_file_line_or_probe() {
        let web = Source::Checks {
            pair: Pair { service: "web".into(), region: "eu".into() },
            locations: Some(LocationsDown { names: vec!["lon".into()], of: 1 }),
            reduced_in: None,
        };
        let cases = [
            (
                checks(&["dublin", "london"], Some(3), None),
                "checks api/eu: 2 of 3 locations down (dublin, london)",
                "our external monitors (2 of 3 locations)",
            ),
            (
                checks(&["a"], Some(3), Some("reduced.csv:7")),
                "checks api/eu: 1 of 3 locations down (a), reduced in reduced.csv:7",
                "our external monitors (1 of 3 locations)",
            ),
            (
                checks(&[], None, Some("reduced.csv:7")),
                "checks api/eu: down, reduced in reduced.csv:7",
                "our external monitors",
            ),
            (web, "checks web/eu: 1 of 1 locations down (lon)", "our external monitors (1 of 1 location)"),
            (Source::Outage("outages.csv:6".into()), "outage outages.csv:6", "external monitoring report"),
            (
                Source::Outage("status.json: $[3] (open)".into()),
                "outage status.json: $[3] (open)",
                "external monitoring report",
            ),
            (
                Source::Incident {
                    id: "INC-2610-003".into(),
                    category: Category::PlannedMaintenance,
                    impact: Impact::Major,
                },
                "incident INC-2610-003 (planned_maintenance, major)",
                "incident INC-2610-003",
            ),
            (Source::NoData(api_eu()), "no monitoring data for api/eu (gaps = down)", "no monitoring data"),
        ];
        for (s, internal, shown) in cases {
            assert_eq!(source(&s), internal);
            assert_eq!(customer_source(&s), shown, "{internal}");
            for leak in [".csv", "dublin", "reduced in", ":6"] {
                assert!(!customer_source(&s).contains(leak), "{internal}: {leak}");
            }
        }
    }

    #[test]
    fn sources_are_joined_and_named_once_for_a_customer() {
        let v = [checks(&["a"], Some(2), None), checks(&["b"], Some(2), None), Source::Outage("o.csv:2".into())];
        assert_eq!(
            sources(&v),
            "checks api/eu: 1 of 2 locations down (a); checks api/eu: 1 of 2 locations down (b); outage o.csv:2"
        );
        assert_eq!(customer_sources(&v), "our external monitors (1 of 2 locations); external monitoring report");
    }

    fn maintenance(id: &str) -> (Category, String) {
        (Category::PlannedMaintenance, id.to_string())
    }

    #[test]
    fn reasons_in_words() {
        let (category, incident) = maintenance("M1");
        let notice = |given_seconds, required_seconds| Notice { given_seconds, required_seconds };
        let excluded = Exclusion { category, incident: incident.clone(), notice: Some(notice(72 * 3600, 48 * 3600)) };
        let short = |n| NoExclusion { category, incident: "M2".into(), why: Counted::ShortNotice(n) };
        let cases = [
            (Reason::FullDowntime, "full downtime"),
            (Reason::PartialAtWeight("0.50".parse().unwrap()), "partial impact, counted at weight 0.5"),
            (
                Reason::TooShort { min_downtime_seconds: 60, tier: "gold".into() },
                "shorter than min_downtime_seconds 60 of tier gold: not counted",
            ),
            (Reason::Excluded(excluded), "planned_maintenance M1 excluded (announced 72h before start, 48h required)"),
            (
                Reason::Excluded(Exclusion { category: Category::ThirdParty, incident: "SMALL".into(), notice: None }),
                "third_party SMALL excluded",
            ),
            (
                Reason::NotExcluded(short(notice(5 * 3600, 48 * 3600))),
                "maintenance M2 announced 5h before start: notice 48h required, counted",
            ),
            (
                Reason::NotExcluded(short(notice(-5400, 48 * 3600))),
                "maintenance M2 announced 1.5h after start: notice 48h required, counted",
            ),
            (
                Reason::NotExcluded(NoExclusion {
                    category,
                    incident: "M3".into(),
                    why: Counted::NotAnnounced { required_seconds: 4000 },
                }),
                "maintenance M3 was not announced: notice 1.11h required, counted",
            ),
            (
                Reason::NotExcluded(NoExclusion {
                    category: Category::EmergencyMaintenance,
                    incident: "INC-1".into(),
                    why: Counted::CategoryNotExcluded { tier: "standard".into() },
                }),
                "emergency_maintenance INC-1 is not excluded by tier standard, counted",
            ),
            (
                Reason::StillOpen { incident: "OPEN".into(), until: 1_793_491_200, by: OpenUntil::EligibleEnd },
                "incident OPEN is still open: counted until 2026-11-01T00:00:00Z (end of the eligible period)",
            ),
            (
                Reason::StillOpen { incident: "OPEN".into(), until: 1_793_491_200, by: OpenUntil::ReportTime },
                "incident OPEN is still open: counted until 2026-11-01T00:00:00Z (as of the report time)",
            ),
            (
                Reason::Overrun { category, incident, window_end: 1_793_491_200 },
                "runs past the window of planned_maintenance M1 (ended 2026-11-01T00:00:00Z): the overrun counts",
            ),
        ];
        for (r, text) in cases {
            assert_eq!(reason(&r), text);
        }
        assert_eq!(reasons(&[Reason::FullDowntime, Reason::PartialAtWeight(Decimal::ONE)]).matches("; ").count(), 1);
    }

    #[test]
    fn treatments_and_recovery_notes_in_words() {
        let fm = Exclusion { category: Category::ForceMajeure, incident: "FM".into(), notice: None };
        assert_eq!(treatment(&Treatment::Excluded(fm.clone())), "force_majeure FM excluded");
        assert_eq!(treatment(&Treatment::FullDowntime), "counted as full downtime");
        assert_eq!(treatment(&Treatment::PartialNotCounted), "partial impact, weight 0: not counted");
        assert_eq!(
            treatment(&Treatment::PartialAtWeight("0.25".parse().unwrap())),
            "partial impact, counted at weight 0.25"
        );
        assert_eq!(treatment(&Treatment::NotDowntime(Impact::Degraded)), "impact degraded: not counted as downtime");
        assert_eq!(recovery_notes(&[RecoveryNote::Excluded(fm)]), "excluded: force_majeure FM excluded",);
        assert_eq!(
            recovery_notes(&[RecoveryNote::StillOpen, RecoveryNote::NoDataLoss]),
            "still open: time to restore not known; no data-loss figure"
        );
        assert_eq!(recovery_notes(&[RecoveryNote::NoRto, RecoveryNote::NoRpo]), "no RTO applies; no RPO applies");
    }
}
