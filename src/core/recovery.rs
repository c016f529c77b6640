//! Recovery objectives (RTO / RPO) of a customer-period: for every applicable incident of
//! impact `major` touching the eligible window, the time to restore against the recovery
//! time objective and the data lost against the recovery point objective.
//!
//! Definitions (README, "Recovery objectives"):
//! - time to restore = the customer's counted downtime this incident is part of (the
//!   incident with any downtime its monitoring saw adjoining it, across period boundaries),
//!   from its start (clipped to the customer's contract) to its end; with no monitoring,
//!   the incident's own duration; the same in every period it touches;
//! - met when time to restore ≤ RTO (exactly equal meets), data loss ≤ RPO likewise;
//! - not judged: an incident the tier excludes (both objectives), an incident still open at
//!   "now" (the RTO; the RPO is judged when a figure is given), an objective that does not
//!   apply, an empty `data_loss_minutes` (the RPO).
//! - A miss adds the tier's `recovery_credit_percent` to the credit of the calendar month in
//!   which the time to restore starts, so an incident across a month boundary is credited
//!   once.

use rust_decimal::Decimal;

use super::interval::{Instant, Interval, IntervalSet};
use super::model::{Customer, Impact, Incident, TierRules};
use super::reasons::Exclusion;

/// One major incident as the recovery objectives judge it for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecoveryRow {
    pub(crate) incident_id: String,
    /// The incident's own interval (an open one runs until "now").
    pub(crate) interval: Interval,
    pub(crate) open: bool,
    /// Time to restore in seconds (`None` while the incident is open).
    pub(crate) restore_seconds: Option<i64>,
    /// Where the time to restore starts: the incident's start, clipped to the contract.
    pub(crate) restore_start: Instant,
    pub(crate) rto_minutes: Option<Decimal>,
    /// `None`: not judged (see `notes`).
    pub(crate) rto_met: Option<bool>,
    pub(crate) data_loss_minutes: Option<Decimal>,
    pub(crate) rpo_minutes: Option<Decimal>,
    pub(crate) rpo_met: Option<bool>,
    /// Why an objective is not judged.
    pub(crate) notes: Vec<RecoveryNote>,
}

/// Why a recovery objective is not judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RecoveryNote {
    /// The tier excludes the incident: neither objective is judged.
    Excluded(Exclusion),
    NoRto,
    /// Still open: the time to restore is not known.
    StillOpen,
    NoRpo,
    /// No `data_loss_minutes` given.
    NoDataLoss,
}

impl RecoveryRow {
    /// Whether an objective was missed.
    pub(crate) fn missed(&self) -> bool {
        self.rto_met == Some(false) || self.rpo_met == Some(false)
    }

    /// Time to restore in minutes, exact up to the division by 60.
    pub(crate) fn restore_minutes(&self) -> Option<Decimal> {
        self.restore_seconds.map(|s| Decimal::from(s) / Decimal::from(60))
    }
}

/// The recovery rows of a customer-period: `applicable` are the incidents that apply to
/// the customer and overlap its eligible window `e`, each with `Some(exclusion)` when its
/// tier excludes it. Rows are sorted by start, then id.
pub(crate) fn recovery_rows(
    applicable: &[(&Incident, Option<&Exclusion>)],
    observed: &IntervalSet,
    customer: &Customer,
    tier: &TierRules,
    now: Instant,
) -> Vec<RecoveryRow> {
    let rto = customer.rto_override.or(tier.rto_minutes);
    let rpo = customer.rpo_override.or(tier.rpo_minutes);
    let contract = customer.contract();
    let mut rows: Vec<RecoveryRow> = applicable
        .iter()
        .filter(|(i, _)| i.impact == Impact::Major)
        .map(|&(i, excluded)| {
            let interval = i.interval(now);
            let open = i.end.is_none_or(|end| end > now);
            // The customer's downtime this incident is part of: the incident and any
            // downtime its monitoring saw adjoining it, over period boundaries.
            let span = observed
                .union(&IntervalSet::single(interval))
                .intervals()
                .iter()
                .copied()
                .find(|s| s.start <= interval.start && interval.start <= s.end)
                .unwrap_or(interval);
            let restore_start = span.start.max(contract.start);
            let restore_seconds = (!open).then(|| span.end.max(interval.end) - restore_start);
            let mut notes = Vec::new();
            let (mut rto_met, mut rpo_met) = (None, None);
            if let Some(why) = excluded {
                notes.push(RecoveryNote::Excluded(why.clone()));
            } else {
                match (rto, restore_seconds) {
                    (None, _) => notes.push(RecoveryNote::NoRto),
                    (Some(_), None) => notes.push(RecoveryNote::StillOpen),
                    (Some(m), Some(s)) => rto_met = Some(Decimal::from(s) <= m * Decimal::from(60)),
                }
                match (rpo, i.data_loss_minutes) {
                    (None, _) => notes.push(RecoveryNote::NoRpo),
                    (Some(_), None) => notes.push(RecoveryNote::NoDataLoss),
                    (Some(m), Some(loss)) => rpo_met = Some(loss <= m),
                }
            }
            RecoveryRow {
                incident_id: i.id.clone(),
                interval,
                open,
                restore_seconds,
                restore_start,
                rto_minutes: rto,
                rto_met,
                data_loss_minutes: i.data_loss_minutes,
                rpo_minutes: rpo,
                rpo_met,
                notes,
            }
        })
        .collect();
    rows.sort_by(|a, b| (a.interval.start, &a.incident_id).cmp(&(b.interval.start, &b.incident_id)));
    rows
}

/// The period's verdict on one objective: `None` when no row was judged on it, else
/// whether every judged row met it.
pub(crate) fn all_met(rows: &[RecoveryRow], flag: fn(&RecoveryRow) -> Option<bool>) -> Option<bool> {
    let judged: Vec<bool> = rows.iter().filter_map(flag).collect();
    (!judged.is_empty()).then(|| judged.iter().all(|&m| m))
}

/// A calendar month's credit percent with the recovery credit added: the tier's
/// `recovery_credit_percent` when an objective was missed by an incident whose time to
/// restore starts inside the eligible window `e`, under the tier's cap. `band` is the
/// uptime band's percent, already capped (adding a non-negative amount and capping again
/// equals capping the sum).
pub(crate) fn credit_with_recovery(band: Decimal, rows: &[RecoveryRow], e: Interval, tier: &TierRules) -> Decimal {
    let missed_here = rows.iter().any(|r| r.missed() && (e.start..e.end).contains(&r.restore_start));
    if missed_here && tier.recovery_credit_percent > Decimal::ZERO {
        (band + tier.recovery_credit_percent).min(tier.credit_cap_percent)
    } else {
        band
    }
}
