//! `explain`: how a customer's number for a period was obtained, in plain words an account
//! manager can paste into an email. Formatting only: every figure comes from the core.

use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::view::{duration, group_thousands, money, period_label};
use super::words;
use crate::core::interval::Instant;
use crate::core::model::TierRules;
use crate::core::numbers::plain;
use crate::core::sla::{CustomerPeriod, Evidence, EvidenceKind};
use crate::core::time::format_local;

fn grouped(n: i64) -> String {
    let g = group_thousands(&n.unsigned_abs().to_string());
    if n < 0 { format!("-{g}") } else { g }
}

fn seconds(d: Decimal) -> String {
    if d.fract().is_zero() { grouped(d.trunc().try_into().unwrap_or(0)) } else { plain(d) }
}

/// The text being written, a line at a time.
struct Lines(String);

impl Lines {
    fn line(&mut self, s: impl AsRef<str>) {
        self.0.push_str(s.as_ref());
        self.0.push('\n');
    }
}

/// A local time for reading: `2026-10-05 14:00:00+01:00`.
fn when(t: Instant, tz: Tz) -> String {
    format_local(t, tz).replace('T', " ")
}

/// The stages: who and when, the evidence by kind, downtime and uptime, the credit, the
/// period's warnings.
pub(crate) fn explain(r: &CustomerPeriod, tier: &TierRules, decimals: u32) -> String {
    let mut out = Lines(String::new());
    out.line(format!("{} ({}), {}, tier {}", r.customer_name, r.customer_id, period_label(&r.period), r.tier));
    out.line("");
    eligible_window(&mut out, r);
    evidence(&mut out, r);
    out.line("");
    uptime(&mut out, r, tier, decimals);
    let bands = Bands::of(tier);
    recovery_credit(&mut out, r, tier, &bands);
    credit(&mut out, r, tier, decimals, &bands);
    for w in &r.warnings {
        out.line(format!("Note: {w}."));
    }
    out.0
}

fn eligible_window(out: &mut Lines, r: &CustomerPeriod) {
    let tz = r.timezone;
    out.line(format!(
        "Eligible window: {} to {} ({}, {} s){}.",
        when(r.eligible.start, tz),
        when(r.eligible.end, tz),
        duration(Decimal::from(r.eligible.len())),
        grouped(r.eligible.len()),
        if r.eligible == r.window {
            format!(", the whole {} in {}", r.period.noun(), tz.name())
        } else {
            format!(", the part of the {} covered by the contract", r.period.noun())
        }
    ));
}

/// The evidence rows by kind, each with its sources and reasons.
fn evidence(out: &mut Lines, r: &CustomerPeriod) {
    let tz = r.timezone;
    let describe = |e: &Evidence| {
        let length = if e.seconds < 60 {
            duration(Decimal::from(e.seconds))
        } else {
            format!("{} ({} s)", duration(Decimal::from(e.seconds)), grouped(e.seconds))
        };
        format!(
            "  - {} to {}, {length}: {}. Why: {}.",
            when(e.interval.start, tz),
            when(e.interval.end, tz),
            words::sources(&e.sources),
            words::reasons(&e.reasons)
        )
    };
    for (kind, title, none) in [
        (EvidenceKind::Counted, "Downtime counted", "No downtime was counted."),
        (EvidenceKind::Partial, "Partial downtime", "No partial downtime."),
        (EvidenceKind::Excluded, "Excluded (does not count against the target)", "Nothing was excluded."),
        (EvidenceKind::Dropped, "Not counted because too short", ""),
    ] {
        let items: Vec<&Evidence> = r.evidence.iter().filter(|e| e.kind == kind).collect();
        if items.is_empty() {
            if !none.is_empty() {
                out.line(none);
            }
            continue;
        }
        out.line(format!("{title}:"));
        for e in items {
            out.line(describe(e));
        }
    }
}

/// Downtime, the denominator, uptime against the target.
fn uptime(out: &mut Lines, r: &CustomerPeriod, tier: &TierRules, decimals: u32) {
    let weight = plain(tier.partial_weight);
    out.line(format!(
        "Downtime = {} s full + {weight} x {} s partial = {} s.",
        grouped(r.full_seconds),
        grouped(r.partial_seconds),
        seconds(r.downtime_seconds)
    ));
    if tier.exclusions_in_denominator {
        out.line(format!(
            "The tier measures uptime against the eligible time minus the exclusion windows: {} s.",
            grouped(r.denominator_seconds)
        ));
    }
    out.line(format!(
        "Uptime = ({} - {}) / {} = {} % (truncated to {decimals} decimals, never rounded up).",
        grouped(r.denominator_seconds),
        seconds(r.downtime_seconds),
        grouped(r.denominator_seconds),
        r.uptime.truncate(decimals)
    ));
    out.line(format!("Target {} %: {}.", plain(r.target_percent), if r.met { "met" } else { "missed" }));
}

/// The tier's credit bands in words (`none` without any) and its cap (empty at 100 %).
struct Bands {
    bands: String,
    cap: String,
}

impl Bands {
    fn of(tier: &TierRules) -> Bands {
        let bands: Vec<String> = tier
            .credits
            .iter()
            .map(|b| format!("{} % below {} %", plain(b.credit_percent), plain(b.below_percent)))
            .collect();
        Bands {
            bands: if bands.is_empty() { "none".to_string() } else { bands.join(", ") },
            cap: if tier.credit_cap_percent < Decimal::from(100) {
                format!(", capped at {} %", plain(tier.credit_cap_percent))
            } else {
                String::new()
            },
        }
    }
}

/// The recovery credit of a calendar month, when an objective was missed by an incident
/// whose time to restore starts inside it.
fn recovery_credit(out: &mut Lines, r: &CustomerPeriod, tier: &TierRules, b: &Bands) {
    let e = r.eligible;
    let missed: Vec<&str> = r
        .recovery
        .iter()
        .filter(|x| x.missed() && (e.start..e.end).contains(&x.restore_start))
        .map(|x| x.incident_id.as_str())
        .collect();
    if !missed.is_empty() && tier.recovery_credit_percent > Decimal::ZERO && r.period.as_month().is_some() {
        out.line(format!(
            "A recovery objective (RTO or RPO) was missed ({}): the tier's recovery credit of {} % is added to the band's percent{}.",
            missed.join(", "),
            plain(tier.recovery_credit_percent),
            b.cap
        ));
    }
}

/// The credit: a calendar month's band and fee, or the whole months of a longer period.
fn credit(out: &mut Lines, r: &CustomerPeriod, tier: &TierRules, decimals: u32, b: &Bands) {
    let (bands, cap) = (&b.bands, &b.cap);
    match (r.credit_percent, r.fee, r.credit_amount) {
        (Some(percent), Some(fee), Some(amount)) => {
            if percent.is_zero() {
                out.line(format!("Credit: none (the tier's bands: {bands})."));
            } else {
                out.line(format!(
                    "Credit: the tier's bands are {bands}{cap}; this month's band gives {} %, so {} x {} % = {}.",
                    plain(percent),
                    money(fee, &r.currency),
                    plain(percent),
                    money(amount, &r.currency)
                ));
            }
            if r.eligible != r.window && tier.prorate_fee {
                out.line(format!(
                    "The fee is the monthly fee prorated to the eligible {} of the month's {} s: {}.",
                    grouped(r.eligible.len()),
                    grouped(r.window.len()),
                    money(fee, &r.currency)
                ));
            }
        }
        (_, None, None) => out.line(
            "Credit: credits are owed per calendar month, and no calendar month lies wholly inside this period: none is computed here.",
        ),
        _ if r.months.is_empty() => out.line(
            "Credit: credits are owed per calendar month, and the whole months of this period lie outside the contract: none is owed.",
        ),
        _ => whole_months(out, r, decimals, b),
    }
}

/// The credits of the whole calendar months of a longer period, and their sum.
fn whole_months(out: &mut Lines, r: &CustomerPeriod, decimals: u32, b: &Bands) {
    out.line(format!(
        "Credit: credits are owed per calendar month (the tier's bands: {}{}); the whole months in this period:",
        b.bands, b.cap
    ));
    for m in &r.months {
        out.line(format!(
            "  - {}: uptime {} %, credit {} % of {} = {}.",
            period_label(&m.period),
            m.uptime.truncate(decimals),
            m.credit_percent.map(plain).unwrap_or_default(),
            m.fee.map(|f| money(f, &r.currency)).unwrap_or_default(),
            m.credit_amount.map(|c| money(c, &r.currency)).unwrap_or_default()
        ));
    }
    out.line(format!(
        "Total credit {} on fees of {}.",
        r.credit_amount.map(|c| money(c, &r.currency)).unwrap_or_default(),
        r.fee.map(|f| money(f, &r.currency)).unwrap_or_default()
    ));
}
