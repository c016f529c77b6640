//! Unit tests of every rule of a customer period (docs/CONTRACT.md §4–6), with its worked examples.

use chrono_tz::Tz;
use rust_decimal::Decimal;
use std::str::FromStr;

use super::checks::{Contribution, Pair, PairDowntime};
use super::interval::{Interval, IntervalSet};
use super::model::*;
use super::period::Period;
use super::reasons::*;
use super::recovery::RecoveryNote;
use super::sla::*;
use super::time::{Month, parse_instant};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn t(s: &str) -> i64 {
    parse_instant(s, Tz::UTC).unwrap()
}

const SEP: Month = Month { year: 2026, month: 9 };
const OCT: Month = Month { year: 2026, month: 10 };

fn tier() -> TierRules {
    TierRules {
        name: "standard".into(),
        target_percent: dec("99.95"),
        maintenance_notice_seconds: 48 * 3600,
        excluded_categories: TierRules::DEFAULT_EXCLUDED.to_vec(),
        min_downtime_seconds: 0,
        partial_weight: Decimal::ZERO,
        exclusions_in_denominator: false,
        prorate_fee: true,
        credit_cap_percent: dec("100"),
        credits: vec![
            CreditBand { below_percent: dec("99.95"), credit_percent: dec("10") },
            CreditBand { below_percent: dec("99.0"), credit_percent: dec("25") },
            CreditBand { below_percent: dec("95.0"), credit_percent: dec("100") },
        ],
        rto_minutes: None,
        rpo_minutes: None,
        recovery_credit_percent: Decimal::ZERO,
    }
}

fn customer() -> Customer {
    Customer {
        id: "C1".into(),
        name: "Acme".into(),
        tier: "standard".into(),
        services: Scope::All,
        regions: Scope::All,
        contract_start: None,
        contract_end: None,
        monthly_fee: dec("1000.00"),
        currency: "GBP".into(),
        timezone: Tz::UTC,
        target_override: None,
        rto_override: None,
        rpo_override: None,
    }
}

fn pair_down(service: &str, region: &str, down: &[(i64, i64)]) -> PairDowntime {
    let contributions = down
        .iter()
        .map(|&(a, b)| Contribution {
            down: IntervalSet::single(Interval::new(a, b)),
            source: Source::Checks {
                pair: Pair { service: service.into(), region: region.into() },
                locations: None,
                reduced_in: None,
            },
        })
        .collect::<Vec<_>>();
    PairDowntime {
        pair: Pair { service: service.into(), region: region.into() },
        data: None,
        down: IntervalSet::union_all(contributions.iter().map(|c| &c.down)),
        contributions,
    }
}

fn incident(id: &str, category: Category, impact: Impact, start: i64, end: Option<i64>) -> Incident {
    Incident {
        id: id.into(),
        title: id.into(),
        category,
        impact,
        start,
        end,
        services: Scope::All,
        regions: Scope::All,
        customers: Scope::All,
        announced_at: None,
        data_loss_minutes: None,
    }
}

fn run(month: Month, pairs: &[PairDowntime], incidents: &[Incident], c: &Customer, tier: &TierRules) -> CustomerPeriod {
    run_with(month, pairs, incidents, c, tier, &MonitoringRules::default(), i64::MAX / 2)
}

fn run_with(
    month: Month,
    pairs: &[PairDowntime],
    incidents: &[Incident],
    c: &Customer,
    tier: &TierRules,
    monitoring: &MonitoringRules,
    now: i64,
) -> CustomerPeriod {
    let period = Period::month(month);
    let ctx = PeriodContext { period: &period, pairs, incidents, monitoring, now };
    let r = customer_period(&ctx, c, tier).expect("eligible");
    // Invariants: evidence re-adds to the reported numbers.
    let counted: Decimal = r.evidence.iter().map(|e| e.counted_seconds).sum();
    assert_eq!(counted, r.downtime_seconds, "evidence must re-add to downtime");
    let excluded: i64 = r.evidence.iter().filter(|e| e.kind == EvidenceKind::Excluded).map(|e| e.seconds).sum();
    assert_eq!(excluded, r.excluded_seconds, "evidence must re-add to excluded");
    r
}

fn uptime(r: &CustomerPeriod) -> String {
    r.uptime.truncate(4).to_string()
}

#[test]
fn spec_example_100_minutes_in_30_days() {
    let s = t("2026-09-10T00:00:00Z");
    let r = run(SEP, &[pair_down("api", "eu", &[(s, s + 6000)])], &[], &customer(), &tier());
    assert_eq!(r.eligible.len(), 2_592_000);
    assert_eq!(r.downtime_seconds, Decimal::from(6000));
    assert_eq!(uptime(&r), "99.7685");
    assert!(!r.met);
    assert_eq!(r.credit_percent, Some(dec("10")));
    assert_eq!(r.fee.unwrap().to_string(), "1000.00");
    assert_eq!(r.credit_amount.unwrap().to_string(), "100.00");
}

#[test]
fn spec_example_31_day_month_boundary() {
    let s = t("2026-10-10T00:00:00Z");
    let met = run(OCT, &[pair_down("api", "eu", &[(s, s + 1339)])], &[], &customer(), &tier());
    assert!(met.met);
    assert_eq!(met.credit_percent, Some(Decimal::ZERO));
    assert_eq!(met.credit_amount.unwrap().to_string(), "0.00");
    let missed = run(OCT, &[pair_down("api", "eu", &[(s, s + 1340)])], &[], &customer(), &tier());
    assert!(!missed.met);
    assert_eq!(uptime(&missed), "99.9499");
    assert_eq!(missed.credit_percent, Some(dec("10")));
}

#[test]
fn downtime_is_clipped_to_the_month_and_contract() {
    let mut c = customer();
    c.contract_start = Some(t("2026-09-16T00:00:00Z"));
    // Down 2026-09-15 23:00 to 09-16 01:00: only the hour after contract start counts.
    let r = run(
        SEP,
        &[pair_down("api", "eu", &[(t("2026-09-15T23:00:00Z"), t("2026-09-16T01:00:00Z"))])],
        &[],
        &c,
        &tier(),
    );
    assert_eq!(r.eligible.len(), 15 * 86_400);
    assert_eq!(r.downtime_seconds, Decimal::from(3600));
    // Fee prorated by 15/30 days.
    assert_eq!(r.fee.unwrap().to_string(), "500.00");
    c.contract_end = Some(t("2026-09-16T00:00:00Z"));
    let sep = Period::month(SEP);
    let ctx =
        PeriodContext { period: &sep, pairs: &[], incidents: &[], monitoring: &MonitoringRules::default(), now: 0 };
    assert!(customer_period(&ctx, &c, &tier()).is_none(), "empty eligible window writes no row");
}

#[test]
fn proration_can_be_switched_off() {
    let mut c = customer();
    c.contract_end = Some(t("2026-09-11T00:00:00Z"));
    let mut tr = tier();
    assert_eq!(run(SEP, &[], &[], &c, &tr).fee.unwrap().to_string(), "333.33");
    tr.prorate_fee = false;
    assert_eq!(run(SEP, &[], &[], &c, &tr).fee.unwrap().to_string(), "1000.00");
}

#[test]
fn months_follow_the_customer_zone() {
    let mut c = customer();
    c.timezone = chrono_tz::Europe::London;
    let r = run(OCT, &[], &[], &c, &tier());
    assert_eq!(r.eligible.len(), 745 * 3600);
    // Downtime on 2026-09-30 23:30Z is October in London.
    let r = run(
        OCT,
        &[pair_down("api", "eu", &[(t("2026-09-30T23:30:00Z"), t("2026-10-01T00:00:00Z"))])],
        &[],
        &c,
        &tier(),
    );
    assert_eq!(r.downtime_seconds, Decimal::from(1800));
}

#[test]
fn customer_pairs_follow_services_and_regions() {
    let mut c = customer();
    c.services = Scope::parse("api");
    c.regions = Scope::parse("eu");
    let s = t("2026-09-10T00:00:00Z");
    let pairs = [
        pair_down("api", "eu", &[(s, s + 100)]),
        pair_down("api", "us", &[(s, s + 1000)]),
        pair_down("db", "eu", &[(s, s + 1000)]),
    ];
    let r = run(SEP, &pairs, &[], &c, &tier());
    assert_eq!(r.downtime_seconds, Decimal::from(100));
    let api_eu =
        Source::Checks { pair: Pair { service: "api".into(), region: "eu".into() }, locations: None, reduced_in: None };
    assert_eq!(r.evidence.iter().map(|e| e.sources.clone()).collect::<Vec<_>>(), vec![vec![api_eu]]);
}

#[test]
fn major_incidents_count_whatever_the_category_and_overlaps_count_once() {
    let s = t("2026-09-10T00:00:00Z");
    let i = incident("INC-1", Category::EmergencyMaintenance, Impact::Major, s + 50, Some(s + 200));
    let r = run(SEP, &[pair_down("api", "eu", &[(s, s + 100)])], &[i], &customer(), &tier());
    assert_eq!(r.downtime_seconds, Decimal::from(200));
    assert_eq!(r.evidence.len(), 1);
    let inc = Source::Incident { id: "INC-1".into(), category: Category::EmergencyMaintenance, impact: Impact::Major };
    assert!(r.evidence[0].sources.contains(&inc), "{:?}", r.evidence[0].sources);
    let not_excluded = NoExclusion {
        category: Category::EmergencyMaintenance,
        incident: "INC-1".into(),
        why: Counted::CategoryNotExcluded { tier: "standard".into() },
    };
    assert_eq!(r.evidence[0].reasons, [Reason::FullDowntime, Reason::NotExcluded(not_excluded)]);
}

#[test]
fn incident_scopes() {
    let s = t("2026-09-10T00:00:00Z");
    let mut c = customer();
    c.services = Scope::parse("api;web");
    c.regions = Scope::parse("eu");
    let mut other_region = incident("A", Category::Unplanned, Impact::Major, s, Some(s + 100));
    other_region.regions = Scope::parse("us");
    let mut other_customer = incident("B", Category::Unplanned, Impact::Major, s, Some(s + 200));
    other_customer.customers = Scope::parse("C2;C3");
    let mut named = incident("C", Category::Unplanned, Impact::Major, s + 1000, Some(s + 1300));
    named.customers = Scope::parse("C1");
    named.services = Scope::parse("web;db");
    let r = run(SEP, &[], &[other_region, other_customer, named], &c, &tier());
    assert_eq!(r.downtime_seconds, Decimal::from(300));
    assert_eq!(r.incidents.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["C"]);
    assert_eq!(r.incidents[0].seconds_in_period, 300);
    assert_eq!(r.incidents[0].treatment, Treatment::FullDowntime);
}

#[test]
fn maintenance_needs_notice_and_overruns_count() {
    let s = t("2026-09-10T02:00:00Z");
    let mut m1 = incident("M1", Category::PlannedMaintenance, Impact::Major, s, Some(s + 3600));
    m1.announced_at = Some(s - 72 * 3600);
    // Checks see the service down for 90 minutes: 30 minutes past the window.
    let pairs = [pair_down("api", "eu", &[(s, s + 5400)])];
    let r = run(SEP, &pairs, std::slice::from_ref(&m1), &customer(), &tier());
    assert_eq!(r.excluded_seconds, 3600);
    assert_eq!(r.downtime_seconds, Decimal::from(1800));
    let counted = r.evidence.iter().find(|e| e.kind == EvidenceKind::Counted).unwrap();
    let overrun =
        Reason::Overrun { category: Category::PlannedMaintenance, incident: "M1".into(), window_end: s + 3600 };
    assert_eq!(counted.reasons, [Reason::FullDowntime, overrun]);
    let excluded = r.evidence.iter().find(|e| e.kind == EvidenceKind::Excluded).unwrap();
    let notice = Notice { given_seconds: 72 * 3600, required_seconds: 48 * 3600 };
    let m1_excluded = Exclusion { category: Category::PlannedMaintenance, incident: "M1".into(), notice: Some(notice) };
    assert_eq!(excluded.reasons, [Reason::Excluded(m1_excluded)]);

    // Announced 5 hours before: excludes nothing, and the evidence says why.
    let mut m2 = m1.clone();
    m2.id = "M2".into();
    m2.announced_at = Some(s - 5 * 3600);
    let r = run(SEP, &pairs, std::slice::from_ref(&m2), &customer(), &tier());
    assert_eq!(r.excluded_seconds, 0);
    assert_eq!(r.downtime_seconds, Decimal::from(5400));
    let m2_counted =
        |why| Reason::NotExcluded(NoExclusion { category: Category::PlannedMaintenance, incident: "M2".into(), why });
    let short = Counted::ShortNotice(Notice { given_seconds: 5 * 3600, required_seconds: 48 * 3600 });
    assert_eq!(r.evidence[0].reasons, [Reason::FullDowntime, m2_counted(short)]);
    // Exactly the notice is enough.
    m2.announced_at = Some(s - 48 * 3600);
    assert_eq!(run(SEP, &pairs, std::slice::from_ref(&m2), &customer(), &tier()).excluded_seconds, 3600);
    // Never announced.
    m2.announced_at = None;
    let r = run(SEP, &pairs, &[m2], &customer(), &tier());
    assert_eq!(r.excluded_seconds, 0);
    let never = Counted::NotAnnounced { required_seconds: 48 * 3600 };
    assert_eq!(r.evidence[0].reasons, [Reason::FullDowntime, m2_counted(never)]);
}

#[test]
fn excluded_categories_follow_the_tier() {
    let s = t("2026-09-10T00:00:00Z");
    let pairs = [pair_down("api", "eu", &[(s, s + 1000)])];
    for cat in [Category::ForceMajeure, Category::CustomerCaused, Category::ThirdParty] {
        let i = incident("X", cat, Impact::None, s, Some(s + 600));
        let r = run(SEP, &pairs, std::slice::from_ref(&i), &customer(), &tier());
        assert_eq!((r.excluded_seconds, r.downtime_seconds), (600, Decimal::from(400)), "{cat}");
        let mut strict = tier();
        strict.excluded_categories = vec![Category::PlannedMaintenance];
        let r = run(SEP, &pairs, &[i], &customer(), &strict);
        assert_eq!((r.excluded_seconds, r.downtime_seconds), (0, Decimal::from(1000)), "{cat}");
    }
    let em = incident("E", Category::EmergencyMaintenance, Impact::None, s, Some(s + 600));
    assert_eq!(run(SEP, &pairs, &[em], &customer(), &tier()).excluded_seconds, 0);
}

#[test]
fn partial_incidents_weigh_and_never_double_count() {
    let s = t("2026-09-10T00:00:00Z");
    let pairs = [pair_down("api", "eu", &[(s, s + 100)])];
    let p = incident("P", Category::Unplanned, Impact::Partial, s, Some(s + 1001));
    let mut tr = tier();
    let r = run(SEP, &pairs, std::slice::from_ref(&p), &customer(), &tr);
    assert_eq!(r.downtime_seconds, Decimal::from(100), "weight 0 by default");
    tr.partial_weight = dec("0.5");
    let r = run(SEP, &pairs, std::slice::from_ref(&p), &customer(), &tr);
    assert_eq!(r.partial_seconds, 901);
    assert_eq!(r.downtime_seconds.to_string(), "550.5");
    let degraded = incident("D", Category::Unplanned, Impact::Degraded, s, Some(s + 5000));
    assert_eq!(run(SEP, &pairs, &[degraded], &customer(), &tr).downtime_seconds, Decimal::from(100));
}

#[test]
fn min_downtime_drops_short_intervals_after_exclusions() {
    let s = t("2026-09-10T00:00:00Z");
    let pairs = [pair_down("api", "eu", &[(s, s + 50), (s + 1000, s + 1100), (s + 2000, s + 2100)])];
    // The exclusion cuts the third interval to 40 s, so it is dropped too.
    let fm = incident("F", Category::ForceMajeure, Impact::None, s + 2000, Some(s + 2060));
    let mut tr = tier();
    tr.min_downtime_seconds = 60;
    let r = run(SEP, &pairs, &[fm], &customer(), &tr);
    assert_eq!(r.downtime_seconds, Decimal::from(100));
    assert_eq!(r.excluded_seconds, 60);
    assert_eq!(r.evidence.iter().filter(|e| e.kind == EvidenceKind::Dropped).count(), 2);
}

#[test]
fn denominator_conventions() {
    let s = t("2026-09-10T00:00:00Z");
    let pairs = [pair_down("api", "eu", &[(s, s + 6000)])];
    let fm = incident("F", Category::ForceMajeure, Impact::None, s + 6000, Some(s + 6000 + 86_400));
    let mut tr = tier();
    let r = run(SEP, &pairs, std::slice::from_ref(&fm), &customer(), &tr);
    assert_eq!(r.denominator_seconds, 2_592_000);
    assert_eq!(r.excluded_seconds, 0, "no downtime inside the window");
    tr.exclusions_in_denominator = true;
    let r = run(SEP, &pairs, &[fm], &customer(), &tr);
    assert_eq!(r.denominator_seconds, 2_592_000 - 86_400);
    // 6000 / 2505600 -> 99.760536...
    assert_eq!(uptime(&r), "99.7605");
}

#[test]
fn whole_month_excluded_with_denominator_convention_is_100_percent() {
    let mut tr = tier();
    tr.exclusions_in_denominator = true;
    let fm = incident(
        "F",
        Category::ForceMajeure,
        Impact::Major,
        t("2026-08-01T00:00:00Z"),
        Some(t("2026-11-01T00:00:00Z")),
    );
    let r = run(SEP, &[], &[fm], &customer(), &tr);
    assert_eq!(r.denominator_seconds, 0);
    assert_eq!(uptime(&r), "100.0000");
    assert!(r.met);
}

#[test]
fn target_override_and_credit_cap() {
    let s = t("2026-09-10T00:00:00Z");
    let pairs = [pair_down("api", "eu", &[(s, s + 600)])]; // 99.9768%
    let mut c = customer();
    c.target_override = Some(dec("99.99"));
    let r = run(SEP, &pairs, &[], &c, &tier());
    assert!(!r.met);
    assert_eq!(r.target_percent, dec("99.99"));
    assert_eq!(r.credit_percent, Some(Decimal::ZERO), "no band below 99.95 applies");
    // A big outage: 100% band capped at 30.
    let big = [pair_down("api", "eu", &[(s, s + 200_000)])];
    let mut tr = tier();
    tr.credit_cap_percent = dec("30");
    let r = run(SEP, &big, &[], &customer(), &tr);
    assert_eq!(r.credit_percent, Some(dec("30")));
    assert_eq!(r.credit_amount.unwrap().to_string(), "300.00");
}

#[test]
fn credit_money_uses_the_currency_minor_unit() {
    let s = t("2026-09-10T00:00:00Z");
    let mut c = customer();
    c.currency = "JPY".into();
    c.monthly_fee = dec("150000");
    c.contract_start = Some(t("2026-09-02T00:00:00Z")); // 29/30 days
    let r = run(SEP, &[pair_down("api", "eu", &[(s, s + 6000)])], &[], &c, &tier());
    assert_eq!(r.fee.unwrap().to_string(), "145000");
    assert_eq!(r.credit_amount.unwrap().to_string(), "14500");
}

#[test]
fn open_incidents_run_until_now_or_month_end() {
    let s = t("2026-10-30T00:00:00Z");
    let open = incident("OPEN", Category::Unplanned, Impact::Major, s, None);
    let r = run_with(
        OCT,
        &[],
        std::slice::from_ref(&open),
        &customer(),
        &tier(),
        &MonitoringRules::default(),
        t("2026-11-05T00:00:00Z"),
    );
    assert_eq!(r.downtime_seconds, Decimal::from(2 * 86_400));
    let until = t("2026-11-01T00:00:00Z");
    let open_until = |until, by| Reason::StillOpen { incident: "OPEN".into(), until, by };
    assert_eq!(r.evidence[0].reasons, [Reason::FullDowntime, open_until(until, OpenUntil::EligibleEnd)]);
    let r = run_with(OCT, &[], &[open], &customer(), &tier(), &MonitoringRules::default(), s + 3600);
    assert_eq!(r.downtime_seconds, Decimal::from(3600));
    assert_eq!(r.evidence[0].reasons, [Reason::FullDowntime, open_until(s + 3600, OpenUntil::ReportTime)]);
}

#[test]
fn gaps_down_counts_missing_data_and_coverage_reports_it() {
    let s = t("2026-09-10T00:00:00Z");
    let e = SEP.bounds_in(Tz::UTC);
    let mut p = pair_down("api", "eu", &[]);
    // Data for the whole month except one hour.
    p.data = Some(IntervalSet::single(e).subtract(&IntervalSet::single(Interval::new(s, s + 3600))));
    let r = run(SEP, std::slice::from_ref(&p), &[], &customer(), &tier());
    assert_eq!(r.downtime_seconds, Decimal::ZERO);
    assert_eq!(r.coverage.unwrap().truncate(4).to_string(), "99.8611");
    let down = MonitoringRules { gaps: GapPolicy::Down, ..Default::default() };
    let r = run_with(SEP, &[p], &[], &customer(), &tier(), &down, 0);
    assert_eq!(r.downtime_seconds, Decimal::from(3600));
    assert_eq!(r.evidence[0].sources, [Source::NoData(Pair { service: "api".into(), region: "eu".into() })]);
}

#[test]
fn unmonitored_customers_get_zero_coverage_and_a_warning() {
    let r = run(SEP, &[], &[], &customer(), &tier());
    assert!(r.coverage.is_none());
    assert!(r.warnings[0].contains("nothing monitors it"));
    assert_eq!(uptime(&r), "100.0000");
}

#[test]
fn tier_summary_medians_are_exact() {
    let s = t("2026-09-10T00:00:00Z");
    let rows: Vec<CustomerPeriod> = [0i64, 1, 2, 3]
        .iter()
        .map(|&k| {
            let mut c = customer();
            c.id = format!("C{k}");
            c.currency = if k == 3 { "EUR".into() } else { "GBP".into() };
            run(SEP, &[pair_down("api", "eu", &[(s, s + 1000 * k + 1)])], &[], &c, &tier())
        })
        .collect();
    let sums = tier_summaries(["enhanced", "standard"], &rows);
    assert_eq!(sums[0].customers, 0);
    let st = &sums[1];
    assert_eq!((st.customers, st.met, st.breached), (4, 2, 2), "1001 s is within 99.95% of 30 days (1296 s)");
    // Median of 1001 and 2001 seconds down = 1501 s of 2,592,000 -> 99.94209…
    assert_eq!(st.median.unwrap().truncate(5).to_string(), "99.94209");
    assert_eq!(st.lowest.unwrap().truncate(4).to_string(), "99.8842");
    assert_eq!(st.downtime_seconds, Decimal::from(1 + 1001 + 2001 + 3001));
    assert_eq!(st.credits["GBP"].to_string(), "100.00");
    assert_eq!(st.credits["EUR"].to_string(), "100.00");
}

#[test]
fn daily_stats_cover_every_local_day_and_re_add() {
    let mut c = customer();
    c.timezone = chrono_tz::Europe::London;
    c.contract_start = Some(t("2026-10-10T12:00:00Z"));
    // 1 h on 10-25 (the 25-hour day) and 30 min across local midnight 10-26/27.
    let down = [
        (t("2026-10-25T10:00:00Z"), t("2026-10-25T11:00:00Z")),
        (t("2026-10-26T23:45:00Z"), t("2026-10-27T00:15:00Z")),
    ];
    let r = run(OCT, &[pair_down("api", "eu", &down)], &[], &c, &tier());
    assert_eq!(r.daily.len(), 31);
    assert_eq!(r.daily.iter().map(|d| d.eligible_seconds).sum::<i64>(), r.eligible.len());
    assert_eq!(r.daily.iter().map(|d| d.downtime_seconds).sum::<Decimal>(), r.downtime_seconds);
    assert_eq!(r.daily[8].eligible_seconds, 0, "before the contract");
    assert!(r.daily[8].uptime().is_none());
    assert_eq!(r.daily[9].eligible_seconds, 12 * 3600 - 3600, "from 13:00 local");
    assert_eq!(r.daily[24].eligible_seconds, 25 * 3600);
    assert_eq!(r.daily[24].downtime_seconds, Decimal::from(3600));
    // 23:45Z on 10-26 is 23:45 local (GMT): 15 min on the 26th, 15 on the 27th.
    assert_eq!(r.daily[25].downtime_seconds, Decimal::from(900));
    assert_eq!(r.daily[26].downtime_seconds, Decimal::from(900));
}

#[test]
fn incident_reach_sums_customer_seconds() {
    let s = t("2026-09-10T00:00:00Z");
    let i = incident("BIG", Category::Unplanned, Impact::Major, s, Some(s + 600));
    let mut j = incident("SMALL", Category::ThirdParty, Impact::None, s, Some(s + 60));
    j.customers = Scope::parse("C1");
    let rows: Vec<CustomerPeriod> = ["C1", "C2"]
        .iter()
        .map(|id| {
            let mut c = customer();
            c.id = id.to_string();
            run(SEP, &[], &[i.clone(), j.clone()], &c, &tier())
        })
        .collect();
    let reach = incident_reach(&rows);
    assert_eq!((reach[0].id.as_str(), reach[0].customers, reach[0].customer_seconds), ("BIG", 2, 1200));
    assert_eq!((reach[1].id.as_str(), reach[1].customers, reach[1].customer_seconds), ("SMALL", 1, 60));
    let small = Exclusion { category: Category::ThirdParty, incident: "SMALL".into(), notice: None };
    assert_eq!(rows[0].incidents[1].treatment, Treatment::Excluded(small));
}

fn run_period(label: &str, pairs: &[PairDowntime], c: &Customer) -> Option<CustomerPeriod> {
    let spec: super::period::PeriodSpec = label.parse().expect("a period");
    let period = spec.resolve(chrono::NaiveDate::MIN).expect("a period");
    let monitoring = MonitoringRules::default();
    let ctx = PeriodContext { period: &period, pairs, incidents: &[], monitoring: &monitoring, now: i64::MAX / 2 };
    customer_period(&ctx, c, &tier())
}

#[test]
fn a_period_owes_the_credits_of_its_whole_months_only() {
    let t = |s: &str| parse_instant(s, Tz::UTC).unwrap();
    // 2 h down in July, 30 min in August, 1 h on 30 September: each month below 99.95.
    let pairs = [pair_down(
        "api",
        "eu",
        &[
            (t("2026-07-10T10:00:00Z"), t("2026-07-10T12:00:00Z")),
            (t("2026-08-20T00:00:00Z"), t("2026-08-20T00:30:00Z")),
            (t("2026-09-30T10:00:00Z"), t("2026-09-30T11:00:00Z")),
        ],
    )];
    let c = customer();
    let q3 = run_period("2026-Q3", &pairs, &c).unwrap();
    assert_eq!(q3.downtime_seconds, dec("12600"));
    assert_eq!(q3.credit_percent, None);
    let months: Vec<CustomerPeriod> =
        ["2026-07", "2026-08", "2026-09"].iter().map(|m| run_period(m, &pairs, &c).unwrap()).collect();
    let sum = |f: fn(&CustomerPeriod) -> Option<Decimal>| months.iter().filter_map(f).sum::<Decimal>();
    assert_eq!(q3.credit_amount, Some(sum(|m| m.credit_amount)));
    assert_eq!(q3.fee, Some(sum(|m| m.fee)));
    assert_eq!(q3.credit_amount.unwrap().to_string(), "300.00", "each month is below 99.95: 10 % of 1000.00");
    assert_eq!(q3.months.len(), 3);
    // A span with no whole month has no credit at all; one whose whole months lie outside
    // the contract owes nothing.
    let mid = run_period("2026-07-05..2026-08-20", &pairs, &c).unwrap();
    assert_eq!((mid.fee, mid.credit_amount), (None, None));
    let mut ended = customer();
    ended.contract_end = Some(t("2026-07-20T00:00:00Z"));
    let late = run_period("2026-07-15..2026-09-30", &pairs, &ended).unwrap();
    assert!(late.months.is_empty());
    assert_eq!(late.credit_amount, Some(Decimal::ZERO));
    // A day range that is exactly a month is that month.
    let october = run_period("2026-10-01..2026-10-31", &pairs, &c).unwrap();
    assert!(october.credit_percent.is_some() && october.months.is_empty());
    assert_eq!(october.period.label, "2026-10");
}

#[test]
fn error_budget_allowed_used_remaining_and_projection() {
    use super::sla::ErrorBudget;
    let month = Interval::new(0, 2_678_400);
    let b = ErrorBudget::of(dec("1860"), dec("99.95"), 2_678_400, month, 3_000_000);
    assert_eq!(b.allowed, dec("1339.2"), "0.05 % of 31 days");
    assert_eq!(b.remaining, dec("-520.8"));
    assert_eq!(b.remaining_percent.unwrap().truncate(4), dec("-38.8888"), "truncated toward zero");
    assert_eq!(b.projected_uptime, None, "the month is over");
    // Half-way through with 600 s down: 1,200 s at the end if the rate holds.
    let half = ErrorBudget::of(dec("600"), dec("99.95"), 2_678_400, month, 1_339_200);
    assert_eq!(half.projected_uptime.unwrap().truncate(4), dec("99.9551"));
    assert_eq!(half.remaining_percent.unwrap().truncate(4), dec("55.1971"));
    // Nothing allowed at 100 %; a projection never goes below 0.
    let strict = ErrorBudget::of(dec("10"), dec("100"), 2_678_400, month, 10);
    assert_eq!((strict.allowed, strict.remaining_percent), (Decimal::ZERO, None));
    assert_eq!(strict.projected_uptime.unwrap().truncate(4), dec("0.0000"));
    // Not started yet: no projection.
    assert_eq!(ErrorBudget::of(dec("0"), dec("99.9"), 2_678_400, month, -5).projected_uptime, None);
}

// Recovery objectives (RTO / RPO).

fn recovery_tier() -> TierRules {
    let mut tr = tier();
    tr.rto_minutes = Some(dec("60"));
    tr.rpo_minutes = Some(dec("15"));
    tr.recovery_credit_percent = dec("5");
    tr
}

fn major(id: &str, start: i64, minutes: i64, loss: Option<&str>) -> Incident {
    let mut i = incident(id, Category::Unplanned, Impact::Major, start, Some(start + minutes * 60));
    i.data_loss_minutes = loss.map(dec);
    i
}

#[test]
fn recovery_rto_met_and_missed() {
    let s = t("2026-09-10T00:00:00Z");
    let r = run(SEP, &[], &[major("A", s, 60, None), major("B", s + 86_400, 61, None)], &customer(), &recovery_tier());
    assert_eq!(r.recovery.len(), 2);
    assert_eq!((r.recovery[0].restore_seconds, r.recovery[0].rto_met), (Some(3600), Some(true)), "equal meets");
    assert_eq!((r.recovery[1].restore_seconds, r.recovery[1].rto_met), (Some(3660), Some(false)));
    assert_eq!(super::recovery::all_met(&r.recovery, |x| x.rto_met), Some(false));
    assert_eq!(r.recovery[0].notes, [RecoveryNote::NoDataLoss]);
    assert_eq!(super::recovery::all_met(&r.recovery, |x| x.rpo_met), None, "no figure: not judged");
}

#[test]
fn recovery_rpo_met_and_missed() {
    let s = t("2026-09-10T00:00:00Z");
    let incidents = [major("A", s, 10, Some("15")), major("B", s + 86_400, 10, Some("15.5"))];
    let r = run(SEP, &[], &incidents, &customer(), &recovery_tier());
    assert_eq!(r.recovery[0].rpo_met, Some(true));
    assert_eq!(r.recovery[1].rpo_met, Some(false));
    assert_eq!(super::recovery::all_met(&r.recovery, |x| x.rto_met), Some(true));
    assert_eq!(super::recovery::all_met(&r.recovery, |x| x.rpo_met), Some(false));
}

#[test]
fn recovery_skips_excluded_open_and_non_major_incidents() {
    let s = t("2026-09-10T00:00:00Z");
    let mut fm = major("FM", s, 600, Some("100"));
    fm.category = Category::ForceMajeure;
    let open = incident("OPEN", Category::Unplanned, Impact::Major, s + 86_400, None);
    let mut partial = major("P", s + 2 * 86_400, 600, Some("100"));
    partial.impact = Impact::Partial;
    let now = t("2026-09-20T00:00:00Z");
    let incidents = [fm, open, partial];
    let r = run_with(SEP, &[], &incidents, &customer(), &recovery_tier(), &MonitoringRules::default(), now);
    let base = run_with(SEP, &[], &incidents, &customer(), &tier(), &MonitoringRules::default(), now);
    assert_eq!(r.recovery.len(), 2, "partial impact is not judged");
    let (fm, open) = (&r.recovery[0], &r.recovery[1]);
    assert_eq!((fm.rto_met, fm.rpo_met), (None, None));
    let fm_excluded = Exclusion { category: Category::ForceMajeure, incident: "FM".into(), notice: None };
    assert_eq!(fm.notes, [RecoveryNote::Excluded(fm_excluded)]);
    assert_eq!((open.restore_seconds, open.rto_met), (None, None));
    assert_eq!(open.notes, [RecoveryNote::StillOpen, RecoveryNote::NoDataLoss]);
    assert_eq!(super::recovery::all_met(&r.recovery, |x| x.rto_met), None);
    assert_eq!(r.credit_percent, base.credit_percent, "only the uptime band: nothing judged missed");
}

#[test]
fn recovery_objectives_per_customer_override_the_tier() {
    let s = t("2026-09-10T00:00:00Z");
    let mut c = customer();
    c.rto_override = Some(dec("120"));
    c.rpo_override = Some(dec("5"));
    let r = run(SEP, &[], &[major("A", s, 90, Some("10"))], &c, &recovery_tier());
    assert_eq!(r.recovery[0].rto_minutes, Some(dec("120")));
    assert_eq!((r.recovery[0].rto_met, r.recovery[0].rpo_met), (Some(true), Some(false)));
    // No objective at all: nothing judged, with the reasons.
    let r = run(SEP, &[], &[major("A", s, 90, Some("10"))], &customer(), &tier());
    assert_eq!(r.recovery[0].notes, [RecoveryNote::NoRto, RecoveryNote::NoRpo]);
}

#[test]
fn recovery_credit_is_added_under_the_cap_once_per_incident() {
    let s = t("2026-09-10T00:00:00Z");
    // 61 minutes of major downtime: 99.8587 %, band 10 %, plus 5 % for the RTO miss.
    let r = run(SEP, &[], &[major("A", s, 61, None)], &customer(), &recovery_tier());
    assert_eq!(r.credit_percent, Some(dec("15")));
    assert_eq!(r.credit_amount.unwrap().to_string(), "150.00");
    let mut capped = recovery_tier();
    capped.credit_cap_percent = dec("12");
    let r = run(SEP, &[], &[major("A", s, 61, None)], &customer(), &capped);
    assert_eq!(r.credit_percent, Some(dec("12")));
    // No recovery credit configured: the band alone.
    let mut none = recovery_tier();
    none.recovery_credit_percent = Decimal::ZERO;
    assert_eq!(run(SEP, &[], &[major("A", s, 61, None)], &customer(), &none).credit_percent, Some(dec("10")));
    // Across a month boundary: listed in both months, credited in the month it started.
    let late = t("2026-09-30T23:30:00Z");
    let sep = run(SEP, &[], &[major("X", late, 120, None)], &customer(), &recovery_tier());
    let oct = run(OCT, &[], &[major("X", late, 120, None)], &customer(), &recovery_tier());
    assert_eq!((sep.recovery[0].rto_met, oct.recovery[0].rto_met), (Some(false), Some(false)));
    assert_eq!(sep.credit_percent, Some(dec("15")));
    assert_eq!(oct.credit_percent, Some(dec("10")), "90 min in October: band 10 %, no second recovery credit");
}

#[test]
fn recovery_counts_from_the_downtime_monitoring_saw_first_across_months() {
    // Probes saw the service down 10 minutes before the incident was opened, and the
    // outage ran over the month's end: the time to restore is the whole outage.
    let s = t("2026-09-30T23:30:00Z");
    let probes = pair_down("api", "eu", &[(s - 600, s + 1800)]);
    let incident = major("A", s, 60, None); // 23:30 to 00:30
    for month in [SEP, OCT] {
        let r =
            run(month, std::slice::from_ref(&probes), std::slice::from_ref(&incident), &customer(), &recovery_tier());
        assert_eq!(r.recovery[0].restore_seconds, Some(4200), "{month}: 10 min before + 60 min of incident");
        assert_eq!(r.recovery[0].rto_met, Some(false), "{month}: RTO 60 missed in both months");
    }
    // Without monitoring, the incident's own duration.
    let r = run(SEP, &[], std::slice::from_ref(&incident), &customer(), &recovery_tier());
    assert_eq!(r.recovery[0].restore_seconds, Some(3600));
}
