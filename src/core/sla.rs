//! A customer's reporting period (docs/CONTRACT.md §4–6; a calendar month is the common case):
//! eligible window, full and partial downtime, exclusions, uptime, credit, coverage, and
//! the evidence behind every number. Credits stay contractual per calendar month: a
//! longer period carries the computations of the calendar months lying wholly inside it,
//! and its fee and credit are their sums.
//!
//! Invariants of a [`CustomerPeriod`]:
//! - the `counted_seconds` of its evidence add up to `downtime_seconds`;
//! - the `seconds` of its `excluded` evidence add up to `excluded_seconds`;
//! - `met` and the credit band are decided on the exact uptime, never a rounded one.

use chrono_tz::Tz;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::checks::PairDowntime;
use super::interval::{Instant, Interval, IntervalSet};
use super::model::{Category, Customer, GapPolicy, Impact, Incident, MonitoringRules, TierRules};
use super::numbers::{Percent, minor_unit, prorate, round_money};
use super::period::Period;
use super::reasons::{Counted, Exclusion, NoExclusion, Notice, OpenUntil, Reason, Source, Treatment};
use super::time::start_of_local_day;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum EvidenceKind {
    /// Full downtime that counts.
    Counted,
    /// Partial downtime, counted at the tier's partial weight.
    Partial,
    /// Downtime inside an exclusion window.
    Excluded,
    /// Full downtime shorter than the tier's minimum, not counted.
    Dropped,
}

impl EvidenceKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Counted => "counted",
            EvidenceKind::Partial => "partial",
            EvidenceKind::Excluded => "excluded",
            EvidenceKind::Dropped => "dropped",
        }
    }
}

/// One maximal interval of a customer's period with where it came from and why it counts
/// or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Evidence {
    pub(crate) kind: EvidenceKind,
    pub(crate) interval: Interval,
    pub(crate) seconds: i64,
    /// What this row adds to `downtime_seconds`.
    pub(crate) counted_seconds: Decimal,
    /// Check series, outage rows and incidents behind this time.
    pub(crate) sources: Vec<Source>,
    /// Why it counts or not, e.g. why an exclusion applies or does not.
    pub(crate) reasons: Vec<Reason>,
}

/// The computed period of one customer: the only source of numbers for every writer.
#[derive(Debug, Clone)]
pub struct CustomerPeriod {
    pub(crate) period: Period,
    pub customer_id: String,
    pub(crate) customer_name: String,
    pub(crate) tier: String,
    pub(crate) timezone: Tz,
    pub(crate) currency: String,
    /// The period's local days in the customer's zone.
    pub(crate) window: Interval,
    /// `E`: the period intersected with the contract.
    pub(crate) eligible: Interval,
    pub(crate) full_seconds: i64,
    pub(crate) partial_seconds: i64,
    pub downtime_seconds: Decimal,
    pub(crate) excluded_seconds: i64,
    pub(crate) denominator_seconds: i64,
    pub uptime: Percent,
    pub(crate) target_percent: Decimal,
    pub(crate) met: bool,
    /// The credit band's percent; only for a calendar month.
    pub(crate) credit_percent: Option<Decimal>,
    /// The (prorated) monthly fee; for a longer period, the sum over its whole months
    /// (`None` when none lies inside it).
    pub(crate) fee: Option<Decimal>,
    /// The credit owed; for a longer period, the sum over its whole months.
    pub(crate) credit_amount: Option<Decimal>,
    /// For a period other than a calendar month: the customer's calendar months lying
    /// wholly inside it, each computed as a month (credits are per month).
    pub(crate) months: Vec<CustomerPeriod>,
    /// `None` when no monitored pair covers the customer.
    pub(crate) coverage: Option<Percent>,
    /// The downtime the target allows in this period, what was used, and, while the
    /// period is still open, where the current rate leads.
    pub(crate) budget: ErrorBudget,
    /// Applicable incidents overlapping the eligible window, by start.
    pub(crate) incidents: Vec<IncidentNote>,
    /// One entry per local calendar day of the period, in the customer's zone.
    pub(crate) daily: Vec<DayStat>,
    pub(crate) evidence: Vec<Evidence>,
    pub(crate) warnings: Vec<String>,
    /// Major incidents judged against the recovery objectives (RTO / RPO), by start.
    pub(crate) recovery: Vec<super::recovery::RecoveryRow>,
}

/// The error budget of a customer-period: the downtime its target allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorBudget {
    /// `denominator × (100 − target) / 100` seconds, exact.
    pub(crate) allowed: Decimal,
    /// The counted downtime.
    pub(crate) used: Decimal,
    /// `allowed − used`; negative once the budget is overspent.
    pub(crate) remaining: Decimal,
    /// `remaining / allowed`; `None` when nothing is allowed (a 100 % target).
    pub(crate) remaining_percent: Option<Percent>,
    /// While the eligible window is still open at "now": the uptime at its end if
    /// downtime keeps its rate so far (a projection, never below 0 %).
    pub(crate) projected_uptime: Option<Percent>,
}

impl ErrorBudget {
    /// The budget of `downtime` against `target_percent` over `denominator` seconds of the
    /// eligible window `e`, at `now`.
    pub(crate) fn of(
        downtime: Decimal,
        target_percent: Decimal,
        denominator: i64,
        e: Interval,
        now: Instant,
    ) -> ErrorBudget {
        let den = Decimal::from(denominator);
        let allowed = (den * (Decimal::from(100) - target_percent) / Decimal::from(100)).normalize();
        let remaining = (allowed - downtime).normalize();
        let remaining_percent = (!allowed.is_zero()).then(|| Percent::of(remaining, allowed));
        let elapsed = now.clamp(e.start, e.end) - e.start;
        let projected_uptime = (now < e.end && elapsed > 0 && denominator > 0).then(|| {
            // 100 × (den − downtime × |E| / elapsed) / den, kept exact.
            let whole = den * Decimal::from(elapsed);
            let left = whole - downtime * Decimal::from(e.len());
            Percent::of(left.max(Decimal::ZERO), whole)
        });
        ErrorBudget { allowed, used: downtime.normalize(), remaining, remaining_percent, projected_uptime }
    }
}

/// An applicable incident as it touched this customer's period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IncidentNote {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) category: Category,
    pub(crate) impact: Impact,
    /// The incident's own interval (an open one runs until "now").
    pub(crate) interval: Interval,
    pub(crate) open: bool,
    pub(crate) announced_at: Option<Instant>,
    /// Seconds of the incident inside the eligible window.
    pub(crate) seconds_in_period: i64,
    /// How the tier treats it.
    pub(crate) treatment: Treatment,
}

impl IncidentNote {
    pub(crate) fn is_maintenance(&self) -> bool {
        matches!(self.category, Category::PlannedMaintenance | Category::EmergencyMaintenance)
    }
}

/// Availability of one local calendar day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DayStat {
    pub(crate) date: chrono::NaiveDate,
    /// The part of the day inside the eligible window.
    pub(crate) eligible_seconds: i64,
    pub(crate) downtime_seconds: Decimal,
    /// The seconds of full downtime in `downtime_seconds` (the rest is weighted partial
    /// impact), so a chart can tell a day of partial impact only.
    pub(crate) full_seconds: i64,
    pub(crate) excluded_seconds: i64,
}

impl DayStat {
    /// The day's availability; `None` when no part of the day is eligible.
    pub(crate) fn uptime(&self) -> Option<Percent> {
        (self.eligible_seconds > 0).then(|| {
            let e = Decimal::from(self.eligible_seconds);
            Percent::of(e - self.downtime_seconds, e)
        })
    }
}

/// Everything one customer-period computation needs; all of it already parsed.
#[derive(Clone, Copy)]
pub(crate) struct PeriodContext<'a> {
    pub(crate) period: &'a Period,
    pub(crate) pairs: &'a [PairDowntime],
    pub(crate) incidents: &'a [Incident],
    pub(crate) monitoring: &'a MonitoringRules,
    /// "Now" for open incidents: the run time or `--as-of`.
    pub(crate) now: Instant,
}

/// A set of seconds labelled with its source, or with the reason it is excluded.
struct Tagged<T> {
    set: IntervalSet,
    label: T,
}

/// For each of `ivs` (sorted, disjoint), the labels of the tags overlapping it, in tag
/// order, a label repeated by neighbouring tags named once. A sweep: every tag interval
/// enters and leaves the active list once, so this is linear in the number of intervals
/// plus overlaps, not their product.
fn attribute<T: Clone + PartialEq>(tags: &[Tagged<T>], ivs: &[Interval]) -> Vec<Vec<T>> {
    let mut spans: Vec<(Interval, usize)> =
        tags.iter().enumerate().flat_map(|(k, t)| t.set.intervals().iter().map(move |iv| (*iv, k))).collect();
    spans.sort_unstable_by_key(|(iv, _)| iv.start);
    let mut next = 0;
    let mut active: Vec<(Interval, usize)> = Vec::new();
    ivs.iter()
        .map(|iv| {
            while next < spans.len() && spans[next].0.start < iv.end {
                active.push(spans[next]);
                next += 1;
            }
            active.retain(|(a, _)| a.end > iv.start);
            let mut hit: Vec<usize> = active.iter().filter(|(a, _)| a.overlaps(iv)).map(|&(_, k)| k).collect();
            hit.sort_unstable();
            hit.dedup();
            let mut labels: Vec<T> = hit.into_iter().map(|k| tags[k].label.clone()).collect();
            labels.dedup();
            labels
        })
        .collect()
}

/// An incident as the source of its downtime.
fn incident_source(i: &Incident) -> Source {
    Source::Incident { id: i.id.clone(), category: i.category, impact: i.impact }
}

/// Whether an applicable incident excludes time for this tier, and why.
enum ExclusionVerdict {
    Excludes(Exclusion),
    DoesNot(NoExclusion),
}

fn exclusion_verdict(i: &Incident, tier: &TierRules) -> Option<ExclusionVerdict> {
    let (category, incident) = (i.category, i.id.clone());
    let does_not = |why| Some(ExclusionVerdict::DoesNot(NoExclusion { category, incident: i.id.clone(), why }));
    if !tier.excludes(category) {
        return match category {
            Category::Unplanned => None,
            _ => does_not(Counted::CategoryNotExcluded { tier: tier.name.clone() }),
        };
    }
    if category != Category::PlannedMaintenance {
        return Some(ExclusionVerdict::Excludes(Exclusion { category, incident, notice: None }));
    }
    let required_seconds = tier.maintenance_notice_seconds;
    match i.announced_at {
        None => does_not(Counted::NotAnnounced { required_seconds }),
        Some(a) => {
            let notice = Notice { given_seconds: i.start - a, required_seconds };
            if notice.given_seconds < required_seconds {
                does_not(Counted::ShortNotice(notice))
            } else {
                Some(ExclusionVerdict::Excludes(Exclusion { category, incident, notice: Some(notice) }))
            }
        }
    }
}

/// Computes one customer's period; `None` when the contract does not overlap it. The
/// stages: the customer's pairs and incidents, their tagged downtime and exclusion sets
/// ([`Tags`]), the counted sets ([`Sets`]), uptime and the credit band ([`Figures`]),
/// recovery objectives, money per calendar month, evidence and incident notes.
pub(crate) fn customer_period(ctx: &PeriodContext, customer: &Customer, tier: &TierRules) -> Option<CustomerPeriod> {
    let window = ctx.period.bounds_in(customer.timezone);
    let e = window.intersect(&customer.contract());
    if e.is_empty() {
        return None;
    }
    let pairs: Vec<&PairDowntime> = ctx
        .pairs
        .iter()
        .filter(|p| customer.services.contains(&p.pair.service) && customer.regions.contains(&p.pair.region))
        .collect();
    let applicable: Vec<&Incident> =
        ctx.incidents.iter().filter(|i| i.applies_to(customer) && i.interval(ctx.now).overlaps(&e)).collect();
    let mut tags = Tags::of(ctx, tier, e, &pairs, &applicable);
    if pairs.is_empty() {
        tags.warnings
            .insert(0, "no monitored service and region matches this customer: nothing monitors it".to_string());
    }
    let sets = Sets::of(&tags, tier);
    let f = Figures::of(&sets, customer, tier, e);
    let recovery = recovery_of(ctx, customer, tier, &pairs, &applicable, &tags.verdicts);
    let credit_percent = super::recovery::credit_with_recovery(f.band_percent, &recovery, e, tier);
    let (months, credit_percent, fee, credit_amount) = money(ctx, customer, tier, window, e, credit_percent);
    Some(CustomerPeriod {
        period: ctx.period.clone(),
        customer_id: customer.id.clone(),
        customer_name: customer.name.clone(),
        tier: customer.tier.clone(),
        timezone: customer.timezone,
        currency: customer.currency.clone(),
        window,
        eligible: e,
        full_seconds: f.full_seconds,
        partial_seconds: f.partial_seconds,
        downtime_seconds: f.downtime_seconds.normalize(),
        excluded_seconds: f.excluded_seconds,
        denominator_seconds: f.denominator_seconds,
        uptime: f.uptime,
        target_percent: f.target_percent,
        met: f.met,
        credit_percent,
        fee,
        credit_amount,
        months,
        coverage: coverage(&pairs, e),
        budget: ErrorBudget::of(f.downtime_seconds, f.target_percent, f.denominator_seconds, e, ctx.now),
        incidents: incident_notes(&applicable, &tags.verdicts, tier, e, ctx.now),
        daily: daily_stats(ctx.period, customer.timezone, e, &sets, tier.partial_weight),
        evidence: evidence(&tags, &sets, tier),
        warnings: tags.warnings,
        recovery,
    })
}

/// The figures of a customer-period from its counted sets: downtime, the denominator,
/// uptime against the target, and the uptime band's credit percent (capped, before any
/// recovery credit).
struct Figures {
    full_seconds: i64,
    partial_seconds: i64,
    /// Exact, not normalised.
    downtime_seconds: Decimal,
    excluded_seconds: i64,
    denominator_seconds: i64,
    uptime: Percent,
    target_percent: Decimal,
    met: bool,
    band_percent: Decimal,
}

impl Figures {
    fn of(sets: &Sets, customer: &Customer, tier: &TierRules, e: Interval) -> Figures {
        let full_seconds = sets.kept.measure();
        let partial_seconds = sets.partial_counted.measure();
        let downtime_seconds = Decimal::from(full_seconds) + tier.partial_weight * Decimal::from(partial_seconds);
        let denominator_seconds = if tier.exclusions_in_denominator { e.len() - sets.x.measure() } else { e.len() };
        let denominator = Decimal::from(denominator_seconds);
        let uptime = Percent::of(denominator - downtime_seconds, denominator);
        let target_percent = customer.target_override.unwrap_or(tier.target_percent);
        let band_percent = tier
            .credits
            .iter()
            .filter(|b| uptime.cmp_decimal(b.below_percent) == Ordering::Less)
            .map(|b| b.credit_percent)
            .max()
            .unwrap_or(Decimal::ZERO)
            .min(tier.credit_cap_percent);
        Figures {
            full_seconds,
            partial_seconds,
            downtime_seconds,
            excluded_seconds: sets.excluded.measure(),
            denominator_seconds,
            uptime,
            target_percent,
            met: uptime.cmp_decimal(target_percent) != Ordering::Less,
            band_percent,
        }
    }
}

/// Monitoring coverage over `e`: the share of the pairs' time with data; `None` when no
/// pair covers the customer.
fn coverage(pairs: &[&PairDowntime], e: Interval) -> Option<Percent> {
    (!pairs.is_empty()).then(|| {
        let covered: i64 = pairs.iter().map(|p| p.data.as_ref().map_or(e.len(), |d| d.clip(e).measure())).sum();
        Percent::of(Decimal::from(covered), Decimal::from(e.len() * pairs.len() as i64))
    })
}

/// A customer's downtime and exclusion windows over `e`, each tagged with its source,
/// with the notes and warnings the incidents give and how the tier treats each incident.
struct Tags {
    /// Full downtime F: the pairs' contributions, no-data time with `gaps = down`, major
    /// incidents.
    full: Vec<Tagged<Source>>,
    /// Partial downtime (partial incidents).
    partial: Vec<Tagged<Source>>,
    /// Exclusion windows X, tagged with why each excludes.
    exclusion: Vec<Tagged<Reason>>,
    /// Notes on intervals (an open incident, a maintenance that does not exclude).
    notes: Vec<(Interval, Reason)>,
    /// Where each exclusion window ends, with its incident's category and id, for
    /// overrun notes.
    window_ends: Vec<(Instant, Category, String)>,
    /// How the tier treats each applicable incident, decided once.
    verdicts: Vec<Option<ExclusionVerdict>>,
    warnings: Vec<String>,
}

impl Tags {
    fn of(
        ctx: &PeriodContext,
        tier: &TierRules,
        e: Interval,
        pairs: &[&PairDowntime],
        applicable: &[&Incident],
    ) -> Tags {
        let mut tags = Tags {
            full: Vec::new(),
            partial: Vec::new(),
            exclusion: Vec::new(),
            notes: Vec::new(),
            window_ends: Vec::new(),
            verdicts: applicable.iter().map(|i| exclusion_verdict(i, tier)).collect(),
            warnings: Vec::new(),
        };
        for p in pairs {
            for c in &p.contributions {
                let set = c.down.clip(e);
                if !set.is_empty() {
                    tags.full.push(Tagged { set, label: c.source.clone() });
                }
            }
            if ctx.monitoring.gaps == GapPolicy::Down
                && let Some(data) = &p.data
            {
                let set = data.complement_within(e);
                if !set.is_empty() {
                    tags.full.push(Tagged { set, label: Source::NoData(p.pair.clone()) });
                }
            }
        }
        for (i, verdict) in applicable.iter().zip(&tags.verdicts) {
            let iv = i.interval(ctx.now);
            let set = IntervalSet::single(iv).clip(e);
            if i.end.is_none() {
                let (until, by) =
                    if ctx.now >= e.end { (e.end, OpenUntil::EligibleEnd) } else { (ctx.now, OpenUntil::ReportTime) };
                tags.notes.push((iv, Reason::StillOpen { incident: i.id.clone(), until, by }));
                tags.warnings.push(format!("incident {} is still open", i.id));
            }
            match i.impact {
                Impact::Major => tags.full.push(Tagged { set: set.clone(), label: incident_source(i) }),
                Impact::Partial => tags.partial.push(Tagged { set: set.clone(), label: incident_source(i) }),
                Impact::Degraded | Impact::None => {}
            }
            match verdict {
                Some(ExclusionVerdict::Excludes(why)) => {
                    tags.window_ends.push((iv.end, i.category, i.id.clone()));
                    tags.exclusion.push(Tagged { set, label: Reason::Excluded(why.clone()) });
                }
                Some(ExclusionVerdict::DoesNot(why)) => tags.notes.push((iv, Reason::NotExcluded(why.clone()))),
                None => {}
            }
        }
        tags
    }

    /// The notes of an evidence interval: those of incidents it touches, and the overrun
    /// of an exclusion window it starts right after.
    fn notes_for(&self, iv: &Interval) -> Vec<Reason> {
        let mut v: Vec<Reason> = self
            .notes
            .iter()
            .filter(|(n, _)| n.overlaps(iv) || n.end == iv.start)
            .map(|(_, why)| why.clone())
            .collect();
        for (end, category, id) in &self.window_ends {
            if *end == iv.start {
                v.push(Reason::Overrun { category: *category, incident: id.clone(), window_end: *end });
            }
        }
        v.dedup();
        v
    }
}

/// The counted sets of a customer-period, from its tags.
struct Sets {
    /// Exclusion windows X.
    x: IntervalSet,
    /// Full downtime outside X, runs shorter than `min_downtime_seconds` removed.
    kept: IntervalSet,
    /// Those removed runs.
    dropped: IntervalSet,
    /// Partial downtime (not full) outside X.
    partial_counted: IntervalSet,
    /// Full or partial downtime inside X.
    excluded: IntervalSet,
}

impl Sets {
    fn of(tags: &Tags, tier: &TierRules) -> Sets {
        let f = IntervalSet::union_all(tags.full.iter().map(|t| &t.set));
        let p = IntervalSet::union_all(tags.partial.iter().map(|t| &t.set)).subtract(&f);
        let x = IntervalSet::union_all(tags.exclusion.iter().map(|t| &t.set));
        let (kept, dropped) = f.subtract(&x).drop_shorter_than(tier.min_downtime_seconds);
        let partial_counted = p.subtract(&x);
        let excluded = f.union(&p).intersect(&x);
        Sets { x, kept, dropped, partial_counted, excluded }
    }
}

/// Time to restore and data loss of the customer's major incidents (the monitored
/// downtime, unclipped, is needed only for those).
fn recovery_of(
    ctx: &PeriodContext,
    customer: &Customer,
    tier: &TierRules,
    pairs: &[&PairDowntime],
    applicable: &[&Incident],
    verdicts: &[Option<ExclusionVerdict>],
) -> Vec<super::recovery::RecoveryRow> {
    let observed = if applicable.iter().any(|i| i.impact == Impact::Major) {
        IntervalSet::union_all(pairs.iter().map(|p| &p.down))
    } else {
        IntervalSet::default()
    };
    let judged: Vec<(&Incident, Option<&Exclusion>)> = applicable
        .iter()
        .zip(verdicts)
        .map(|(i, v)| (*i, if let Some(ExclusionVerdict::Excludes(why)) = v { Some(why) } else { None }))
        .collect();
    super::recovery::recovery_rows(&judged, &observed, customer, tier, ctx.now)
}

/// Credits are per calendar month: a month's own (fee prorated to `e` when the tier
/// says so), or the sums over the whole months of a longer period, each computed as a
/// month. Returns (those months, credit percent, fee, credit amount).
type Money = (Vec<CustomerPeriod>, Option<Decimal>, Option<Decimal>, Option<Decimal>);

fn money(
    ctx: &PeriodContext,
    customer: &Customer,
    tier: &TierRules,
    window: Interval,
    e: Interval,
    credit_percent: Decimal,
) -> Money {
    if ctx.period.as_month().is_some() {
        let places = minor_unit(&customer.currency);
        let fee = if tier.prorate_fee {
            prorate(customer.monthly_fee, e.len(), window.len(), places)
        } else {
            round_money(customer.monthly_fee, places)
        };
        let credit_amount = round_money(fee * credit_percent / Decimal::from(100), places);
        return (Vec::new(), Some(credit_percent), Some(fee), Some(credit_amount));
    }
    let whole = ctx.period.whole_months();
    // A whole month outside the contract has no row, and owes nothing.
    let months: Vec<CustomerPeriod> = whole
        .iter()
        .filter_map(|m| {
            let period = Period::month(*m);
            customer_period(&PeriodContext { period: &period, ..*ctx }, customer, tier)
        })
        .collect();
    let sum = |f: fn(&CustomerPeriod) -> Option<Decimal>| -> Option<Decimal> {
        (!whole.is_empty()).then(|| months.iter().filter_map(f).sum())
    };
    let (fee, credit_amount) = (sum(|m| m.fee), sum(|m| m.credit_amount));
    (months, None, fee, credit_amount)
}

/// Evidence: one row per maximal interval of each kind, by start, with its sources and
/// reasons.
fn evidence(tags: &Tags, sets: &Sets, tier: &TierRules) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    let row = |kind, iv: Interval, counted_seconds, sources, reasons| Evidence {
        kind,
        interval: iv,
        seconds: iv.len(),
        counted_seconds,
        sources,
        reasons,
    };
    for (&iv, sources) in sets.kept.intervals().iter().zip(attribute(&tags.full, sets.kept.intervals())) {
        let mut reasons = vec![Reason::FullDowntime];
        reasons.extend(tags.notes_for(&iv));
        evidence.push(row(EvidenceKind::Counted, iv, Decimal::from(iv.len()), sources, reasons));
    }
    for (&iv, sources) in sets.dropped.intervals().iter().zip(attribute(&tags.full, sets.dropped.intervals())) {
        let why = Reason::TooShort { min_downtime_seconds: tier.min_downtime_seconds, tier: tier.name.clone() };
        evidence.push(row(EvidenceKind::Dropped, iv, Decimal::ZERO, sources, vec![why]));
    }
    let partial = sets.partial_counted.intervals();
    for (&iv, sources) in partial.iter().zip(attribute(&tags.partial, partial)) {
        let mut reasons = vec![Reason::PartialAtWeight(tier.partial_weight)];
        reasons.extend(tags.notes_for(&iv));
        let counted = tier.partial_weight * Decimal::from(iv.len());
        evidence.push(row(EvidenceKind::Partial, iv, counted, sources, reasons));
    }
    let ex = sets.excluded.intervals();
    let ex_sources = attribute(&tags.full, ex).into_iter().zip(attribute(&tags.partial, ex));
    for ((&iv, (mut sources, partial)), reasons) in ex.iter().zip(ex_sources).zip(attribute(&tags.exclusion, ex)) {
        sources.extend(partial);
        evidence.push(row(EvidenceKind::Excluded, iv, Decimal::ZERO, sources, reasons));
    }
    evidence.sort_by_key(|ev| (ev.interval.start, ev.kind));
    evidence
}

/// The incidents that touch the customer's period, with how the tier treats each, by start.
fn incident_notes(
    applicable: &[&Incident],
    verdicts: &[Option<ExclusionVerdict>],
    tier: &TierRules,
    e: Interval,
    now: Instant,
) -> Vec<IncidentNote> {
    let mut incidents: Vec<IncidentNote> = applicable
        .iter()
        .zip(verdicts)
        .map(|(i, verdict)| {
            let iv = i.interval(now);
            let treatment = match (verdict, i.impact) {
                (Some(ExclusionVerdict::Excludes(why)), _) => Treatment::Excluded(why.clone()),
                (Some(ExclusionVerdict::DoesNot(why)), _) => Treatment::NotExcluded(why.clone()),
                (None, Impact::Major) => Treatment::FullDowntime,
                (None, Impact::Partial) if tier.partial_weight.is_zero() => Treatment::PartialNotCounted,
                (None, Impact::Partial) => Treatment::PartialAtWeight(tier.partial_weight),
                (None, impact @ (Impact::Degraded | Impact::None)) => Treatment::NotDowntime(impact),
            };
            IncidentNote {
                id: i.id.clone(),
                title: i.title.clone(),
                category: i.category,
                impact: i.impact,
                interval: iv,
                open: i.end.is_none(),
                announced_at: i.announced_at,
                seconds_in_period: iv.intersect(&e).len(),
                treatment,
            }
        })
        .collect();
    incidents.sort_by(|a, b| (a.interval.start, &a.id).cmp(&(b.interval.start, &b.id)));
    incidents
}

/// Per local day of `period` in `tz`: eligible, counted and excluded seconds.
fn daily_stats(period: &Period, tz: Tz, e: Interval, sets: &Sets, weight: Decimal) -> Vec<DayStat> {
    let (full, partial, excluded) = (&sets.kept, &sets.partial_counted, &sets.excluded);
    period
        .dates()
        .map(|date| {
            let next = date.succ_opt().expect("next day");
            let day = Interval::new(start_of_local_day(date, tz), start_of_local_day(next, tz)).intersect(&e);
            let full_s = full.clip(day).measure();
            let partial_s = partial.clip(day).measure();
            DayStat {
                date,
                eligible_seconds: day.len(),
                downtime_seconds: (Decimal::from(full_s) + weight * Decimal::from(partial_s)).normalize(),
                full_seconds: full_s,
                excluded_seconds: excluded.clip(day).measure(),
            }
        })
        .collect()
}

/// The days of a period taken together for a chart: each day when the period has at most
/// 62 of them, otherwise runs of 7 days (or of a multiple of 7, so at most 60 bars),
/// each dated by its first day. Sums of exact figures, no rounding.
pub(crate) fn chart_stretches(daily: &[DayStat]) -> (usize, Vec<DayStat>) {
    let size = match daily.len() {
        0..=62 => 1,
        n => n.div_ceil(60).div_ceil(7) * 7,
    };
    let stretches = daily
        .chunks(size)
        .map(|days| DayStat {
            date: days[0].date,
            eligible_seconds: days.iter().map(|d| d.eligible_seconds).sum(),
            downtime_seconds: days.iter().map(|d| d.downtime_seconds).sum::<Decimal>().normalize(),
            full_seconds: days.iter().map(|d| d.full_seconds).sum(),
            excluded_seconds: days.iter().map(|d| d.excluded_seconds).sum(),
        })
        .collect();
    (size, stretches)
}

/// Customer-seconds per incident over a period's rows: how long each incident overlapped
/// each affected customer's eligible window, summed; largest first.
pub(crate) fn incident_reach(rows: &[CustomerPeriod]) -> Vec<IncidentReach> {
    let mut by_id: BTreeMap<&str, IncidentReach> = BTreeMap::new();
    for r in rows {
        for i in &r.incidents {
            let e = by_id.entry(&i.id).or_insert_with(|| IncidentReach {
                id: i.id.clone(),
                title: i.title.clone(),
                category: i.category,
                impact: i.impact,
                customers: 0,
                customer_seconds: 0,
            });
            e.customers += 1;
            e.customer_seconds += i.seconds_in_period;
        }
    }
    let mut v: Vec<IncidentReach> = by_id.into_values().collect();
    v.sort_by(|a, b| b.customer_seconds.cmp(&a.customer_seconds).then_with(|| a.id.cmp(&b.id)));
    v
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IncidentReach {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) category: Category,
    pub(crate) impact: Impact,
    pub(crate) customers: usize,
    pub(crate) customer_seconds: i64,
}

/// Credits owed over some customer-periods, summed per currency (exact).
pub(crate) fn credits_by_currency<'a>(rows: impl IntoIterator<Item = &'a CustomerPeriod>) -> BTreeMap<String, Decimal> {
    let mut credits = BTreeMap::new();
    for r in rows {
        *credits.entry(r.currency.clone()).or_insert(Decimal::ZERO) += r.credit_amount.unwrap_or_default();
    }
    credits
}

/// Per-tier roll-up of a period, computed from the exact customer values.
#[derive(Debug, Clone)]
pub(crate) struct TierSummary {
    pub(crate) tier: String,
    pub(crate) customers: usize,
    pub(crate) met: usize,
    pub(crate) breached: usize,
    pub(crate) lowest: Option<Percent>,
    pub(crate) median: Option<Percent>,
    pub(crate) downtime_seconds: Decimal,
    pub(crate) excluded_seconds: i64,
    pub(crate) credits: BTreeMap<String, Decimal>,
}

/// Summaries per tier, in tier-name order (tiers without customers are included).
pub(crate) fn tier_summaries<'a>(
    tiers: impl IntoIterator<Item = &'a str>,
    rows: &[CustomerPeriod],
) -> Vec<TierSummary> {
    tiers
        .into_iter()
        .map(|tier| {
            let members: Vec<&CustomerPeriod> = rows.iter().filter(|r| r.tier == tier).collect();
            let mut ups: Vec<Percent> = members.iter().map(|r| r.uptime).collect();
            ups.sort();
            let median = match ups.len() {
                0 => None,
                n if n % 2 == 1 => Some(ups[n / 2]),
                n => Some(ups[n / 2 - 1].midpoint(&ups[n / 2])),
            };
            let credits = credits_by_currency(members.iter().copied());
            TierSummary {
                tier: tier.to_string(),
                customers: members.len(),
                met: members.iter().filter(|r| r.met).count(),
                breached: members.iter().filter(|r| !r.met).count(),
                lowest: ups.first().copied(),
                median,
                downtime_seconds: members.iter().map(|r| r.downtime_seconds).sum::<Decimal>().normalize(),
                excluded_seconds: members.iter().map(|r| r.excluded_seconds).sum(),
                credits,
            }
        })
        .collect()
}

/// A monitoring warning of a customer-period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MonitoringWarning {
    /// No monitored service and region matches the customer (also in its row's warnings).
    Unmonitored { customer: String },
    /// Coverage (truncated for display) below the configured minimum, decided exactly.
    LowCoverage { customer: String, coverage: Decimal, minimum: Decimal },
}

impl std::fmt::Display for MonitoringWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MonitoringWarning::Unmonitored { customer } => {
                write!(f, "{customer}: nothing monitors this customer (no monitored service and region matches it)")
            }
            MonitoringWarning::LowCoverage { customer, coverage, minimum } => {
                write!(f, "{customer}: monitoring coverage {coverage} % is below the minimum of {minimum} %")
            }
        }
    }
}

/// The monitoring warnings of a period: customers that nothing monitors, and customers
/// whose monitoring coverage is below `min_coverage_percent` (decided on the exact value).
pub(crate) fn monitoring_warnings(
    rows: &[CustomerPeriod],
    min_coverage_percent: Decimal,
    decimals: u32,
) -> Vec<MonitoringWarning> {
    rows.iter()
        .filter_map(|r| match &r.coverage {
            None => Some(MonitoringWarning::Unmonitored { customer: r.customer_id.clone() }),
            Some(c) if c.cmp_decimal(min_coverage_percent) == Ordering::Less => Some(MonitoringWarning::LowCoverage {
                customer: r.customer_id.clone(),
                coverage: c.truncate(decimals),
                minimum: min_coverage_percent.normalize(),
            }),
            Some(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod attribute_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn attribute_matches_the_naive_overlap_scan(
            tags in prop::collection::vec(prop::collection::vec((0i64..300, 1i64..60), 1..4), 0..8),
            probes in prop::collection::vec((0i64..300, 1i64..40), 0..10),
        ) {
            let tags: Vec<Tagged<String>> = tags.iter().enumerate().map(|(k, ivs)| Tagged {
                set: IntervalSet::from_intervals(ivs.iter().map(|&(s, l)| Interval::new(s, s + l)).collect()),
                label: format!("t{}", k / 2), // neighbouring tags share names: dedup must hold
            }).collect();
            let probes = IntervalSet::from_intervals(probes.iter().map(|&(s, l)| Interval::new(s, s + l)).collect());
            let got = attribute(&tags, probes.intervals());
            for (iv, names) in probes.intervals().iter().zip(got) {
                let mut want: Vec<String> = tags.iter().filter(|t| t.set.overlaps(iv)).map(|t| t.label.clone()).collect();
                want.dedup();
                prop_assert_eq!(names, want);
            }
        }
    }
}

/// A roll-up of a period longer than a month, for one customer or one tier: uptime from
/// the seconds of the whole span (never an average of percentages), the calendar months
/// met and missed, credits summed per currency, and how often and how long the service
/// was down (MTTR, MTBF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rollup {
    /// `customer` or `tier`.
    pub(crate) scope: &'static str,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) denominator_seconds: i64,
    pub(crate) downtime_seconds: Decimal,
    pub(crate) uptime: Percent,
    pub(crate) months: usize,
    pub(crate) months_met: usize,
    /// Maximal intervals of counted downtime.
    pub(crate) failures: usize,
    /// Mean time to restore: counted downtime per failure, in seconds.
    pub(crate) mttr_seconds: Option<Decimal>,
    /// Mean time between failures: time up per failure, in seconds.
    pub(crate) mtbf_seconds: Option<Decimal>,
    pub(crate) credits: BTreeMap<String, Decimal>,
}

impl Rollup {
    fn of<'a>(scope: &'static str, id: &str, name: &str, rows: impl IntoIterator<Item = &'a CustomerPeriod>) -> Rollup {
        let rows: Vec<&CustomerPeriod> = rows.into_iter().collect();
        let denominator_seconds: i64 = rows.iter().map(|r| r.denominator_seconds).sum();
        let downtime_seconds: Decimal = rows.iter().map(|r| r.downtime_seconds).sum::<Decimal>().normalize();
        let failures = rows.iter().flat_map(|r| &r.evidence).filter(|e| e.kind == EvidenceKind::Counted).count();
        let up = Decimal::from(denominator_seconds) - downtime_seconds;
        let per_failure = |x: Decimal| (failures > 0).then(|| (x / Decimal::from(failures)).round_dp(3).normalize());
        let months = rows.iter().flat_map(|r| &r.months);
        Rollup {
            scope,
            id: id.to_string(),
            name: name.to_string(),
            denominator_seconds,
            downtime_seconds,
            uptime: Percent::of(up, Decimal::from(denominator_seconds)),
            months: months.clone().count(),
            months_met: months.filter(|m| m.met).count(),
            failures,
            mttr_seconds: per_failure(downtime_seconds),
            mtbf_seconds: per_failure(up),
            credits: credits_by_currency(rows.iter().copied()),
        }
    }
}

/// The roll-ups of a period's rows: one per customer, then one per tier (tier-name order).
pub(crate) fn rollups<'a>(tiers: impl IntoIterator<Item = &'a str>, rows: &[CustomerPeriod]) -> Vec<Rollup> {
    let mut out: Vec<Rollup> =
        rows.iter().map(|r| Rollup::of("customer", &r.customer_id, &r.customer_name, [r])).collect();
    for tier in tiers {
        out.push(Rollup::of("tier", tier, tier, rows.iter().filter(|r| r.tier == tier)));
    }
    out
}
