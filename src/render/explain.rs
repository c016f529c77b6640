//! `explain`: how a customer's monthly number was obtained, in plain words an account
//! manager can paste into an email. Formatting only: every figure comes from the core.

use rust_decimal::Decimal;

use super::view::{duration, group_thousands, money};
use crate::core::model::TierRules;
use crate::core::numbers::plain;
use crate::core::sla::{CustomerMonth, EvidenceKind};
use crate::core::time::format_local;

fn grouped(n: i64) -> String {
    let g = group_thousands(&n.unsigned_abs().to_string());
    if n < 0 { format!("-{g}") } else { g }
}

fn seconds(d: Decimal) -> String {
    if d.fract().is_zero() { grouped(d.trunc().try_into().unwrap_or(0)) } else { plain(d) }
}

pub fn explain(r: &CustomerMonth, tier: &TierRules, decimals: u32) -> String {
    let tz = r.timezone;
    let when = |t| format_local(t, tz).replace('T', " ");
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("{} ({}), {}, tier {}", r.customer_name, r.customer_id, super::view::month_label(r.month), r.tier));
    line(String::new());
    let whole = r.eligible == r.month_window;
    line(format!(
        "Eligible window: {} to {} ({}, {} s){}.",
        when(r.eligible.start),
        when(r.eligible.end),
        duration(Decimal::from(r.eligible.len())),
        grouped(r.eligible.len()),
        if whole {
            ", the whole month in ".to_string() + tz.name()
        } else {
            ", the part of the month covered by the contract".to_string()
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
    if r.credit_percent.is_zero() {
        line(format!(
            "Credit: none (the tier's bands: {}).",
            if bands.is_empty() { "none".to_string() } else { bands.join(", ") }
        ));
    } else {
        line(format!(
            "Credit: the tier's bands are {}{}; this month's band gives {} %, so {} x {} % = {}.",
            bands.join(", "),
            if tier.credit_cap_percent < Decimal::from(100) {
                format!(", capped at {} %", plain(tier.credit_cap_percent))
            } else {
                String::new()
            },
            plain(r.credit_percent),
            money(r.fee, &r.currency),
            plain(r.credit_percent),
            money(r.credit_amount, &r.currency)
        ));
    }
    if r.eligible != r.month_window && tier.prorate_fee {
        line(format!(
            "The fee is the monthly fee prorated to the eligible {} of the month's {} s: {}.",
            grouped(r.eligible.len()),
            grouped(r.month_window.len()),
            money(r.fee, &r.currency)
        ));
    }
    for w in &r.warnings {
        line(format!("Note: {w}."));
    }
    out
}
