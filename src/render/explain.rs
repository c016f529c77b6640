//! `explain`: how a customer's number for a period was obtained, in plain words an account
//! manager can paste into an email. Formatting only: every figure comes from the core.

use rust_decimal::Decimal;

use super::view::{duration, group_thousands, money};
use crate::core::model::TierRules;
use crate::core::numbers::plain;
use crate::core::sla::{CustomerPeriod, EvidenceKind};
use crate::core::time::format_local;

fn grouped(n: i64) -> String {
    let g = group_thousands(&n.unsigned_abs().to_string());
    if n < 0 { format!("-{g}") } else { g }
}

fn seconds(d: Decimal) -> String {
    if d.fract().is_zero() { grouped(d.trunc().try_into().unwrap_or(0)) } else { plain(d) }
}

pub fn explain(r: &CustomerPeriod, tier: &TierRules, decimals: u32) -> String {
    let tz = r.timezone;
    let when = |t| format_local(t, tz).replace('T', " ");
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("{} ({}), {}, tier {}", r.customer_name, r.customer_id, super::view::period_label(&r.period), r.tier));
    line(String::new());
    let whole = r.eligible == r.window;
    line(format!(
        "Eligible window: {} to {} ({}, {} s){}.",
        when(r.eligible.start),
        when(r.eligible.end),
        duration(Decimal::from(r.eligible.len())),
        grouped(r.eligible.len()),
        if whole {
            format!(", the whole {} in {}", r.period.noun(), tz.name())
        } else {
            format!(", the part of the {} covered by the contract", r.period.noun())
        }
    ));
    let section = |kind: EvidenceKind| r.evidence.iter().filter(move |e| e.kind == kind).collect::<Vec<_>>();
    let describe = |e: &crate::core::sla::Evidence| {
        let length = if e.seconds < 60 {
            duration(Decimal::from(e.seconds))
        } else {
            format!("{} ({} s)", duration(Decimal::from(e.seconds)), grouped(e.seconds))
        };
        format!(
            "  - {} to {}, {length}: {}. Why: {}.",
            when(e.interval.start),
            when(e.interval.end),
            e.sources.join("; "),
            e.reasons.join("; ")
        )
    };
    for (kind, title, none) in [
        (EvidenceKind::Counted, "Downtime counted", "No downtime was counted."),
        (EvidenceKind::Partial, "Partial downtime", "No partial downtime."),
        (EvidenceKind::Excluded, "Excluded (does not count against the target)", "Nothing was excluded."),
        (EvidenceKind::Dropped, "Not counted because too short", ""),
    ] {
        let items = section(kind);
        if items.is_empty() {
            if !none.is_empty() {
                line(none.to_string());
            }
            continue;
        }
        line(format!("{title}:"));
        for e in items {
            line(describe(e));
        }
    }
    line(String::new());
    let weight = plain(tier.partial_weight);
    line(format!(
        "Downtime = {} s full + {weight} x {} s partial = {} s.",
        grouped(r.full_seconds),
        grouped(r.partial_seconds),
        seconds(r.downtime_seconds)
    ));
    if tier.exclusions_in_denominator {
        line(format!(
            "The tier measures uptime against the eligible time minus the exclusion windows: {} s.",
            grouped(r.denominator_seconds)
        ));
    }
    line(format!(
        "Uptime = ({} - {}) / {} = {} % (truncated to {decimals} decimals, never rounded up).",
        grouped(r.denominator_seconds),
        seconds(r.downtime_seconds),
        grouped(r.denominator_seconds),
        r.uptime.truncate(decimals)
    ));
    line(format!("Target {} %: {}.", plain(r.target_percent), if r.met { "met" } else { "missed" }));
    let bands: Vec<String> = tier
        .credits
        .iter()
        .map(|b| format!("{} % below {} %", plain(b.credit_percent), plain(b.below_percent)))
        .collect();
    let bands = if bands.is_empty() { "none".to_string() } else { bands.join(", ") };
    let cap = if tier.credit_cap_percent < Decimal::from(100) {
        format!(", capped at {} %", plain(tier.credit_cap_percent))
    } else {
        String::new()
    };
    let e = r.eligible;
    let missed: Vec<&str> = r
        .recovery
        .iter()
        .filter(|x| x.missed() && (e.start..e.end).contains(&x.restore_start))
        .map(|x| x.incident_id.as_str())
        .collect();
    if !missed.is_empty() && tier.recovery_credit_percent > Decimal::ZERO && r.period.as_month().is_some() {
        line(format!(
            "A recovery objective (RTO or RPO) was missed ({}): the tier's recovery credit of {} % is added to the band's percent{cap}.",
            missed.join(", "),
            plain(tier.recovery_credit_percent)
        ));
    }
    match (r.credit_percent, r.fee, r.credit_amount) {
        (Some(percent), Some(fee), Some(amount)) => {
            if percent.is_zero() {
                line(format!("Credit: none (the tier's bands: {bands})."));
            } else {
                line(format!(
                    "Credit: the tier's bands are {bands}{cap}; this month's band gives {} %, so {} x {} % = {}.",
                    plain(percent),
                    money(fee, &r.currency),
                    plain(percent),
                    money(amount, &r.currency)
                ));
            }
            if r.eligible != r.window && tier.prorate_fee {
                line(format!(
                    "The fee is the monthly fee prorated to the eligible {} of the month's {} s: {}.",
                    grouped(r.eligible.len()),
                    grouped(r.window.len()),
                    money(fee, &r.currency)
                ));
            }
        }
        (_, None, None) => line(
            "Credit: credits are owed per calendar month, and no calendar month lies wholly inside this period: none is computed here."
                .to_string(),
        ),
        _ if r.months.is_empty() => line(
            "Credit: credits are owed per calendar month, and the whole months of this period lie outside the contract: none is owed."
                .to_string(),
        ),
        _ => {
            line(format!(
                "Credit: credits are owed per calendar month (the tier's bands: {bands}{cap}); the whole months in this period:"
            ));
            for m in &r.months {
                line(format!(
                    "  - {}: uptime {} %, credit {} % of {} = {}.",
                    super::view::period_label(&m.period),
                    m.uptime.truncate(decimals),
                    m.credit_percent.map(plain).unwrap_or_default(),
                    m.fee.map(|f| money(f, &r.currency)).unwrap_or_default(),
                    m.credit_amount.map(|c| money(c, &r.currency)).unwrap_or_default()
                ));
            }
            line(format!(
                "Total credit {} on fees of {}.",
                r.credit_amount.map(|c| money(c, &r.currency)).unwrap_or_default(),
                r.fee.map(|f| money(f, &r.currency)).unwrap_or_default()
            ));
        }
    }
    for w in &r.warnings {
        line(format!("Note: {w}."));
    }
    out
}
