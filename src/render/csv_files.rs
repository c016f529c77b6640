//! The CSV files of a period (docs/CONTRACT.md §7; the first column is `month` for a calendar
//! month, as the contract has it, and `period` for any other period). Formatting only: every number arrives
//! computed by the core; here it is turned into text (truncated percentages, money at
//! its minor unit) and cells a spreadsheet would run as formulas are neutralised.

use rust_decimal::Decimal;
use std::collections::BTreeSet;

use crate::core::numbers::{minor_unit, plain};
use crate::core::period::Period;
use crate::core::recovery::all_met;
use crate::core::sla::{CustomerPeriod, Rollup, TierSummary};
use crate::core::time::format_utc;

use super::words;
pub(crate) use crate::common::neutralise;

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().expect("writing to memory cannot fail")
}

fn money(d: Decimal, currency: &str) -> String {
    let mut d = d;
    d.rescale(minor_unit(currency));
    d.to_string()
}

pub(crate) const SLA_MONTHLY_HEADER: [&str; 28] = [
    "month",
    "customer_id",
    "customer_name",
    "tier",
    "eligible_seconds",
    "downtime_seconds",
    "excluded_seconds",
    "uptime_percent",
    "target_percent",
    "met",
    "credit_percent",
    "fee",
    "credit_amount",
    "currency",
    "monitoring_coverage_percent",
    "timezone",
    "eligible_start",
    "eligible_end",
    "denominator_seconds",
    "partial_seconds",
    "incidents",
    "budget_allowed_seconds",
    "budget_used_seconds",
    "budget_remaining_seconds",
    "budget_remaining_percent",
    "projected_uptime_percent",
    "rto_met",
    "rpo_met",
];

/// The columns of finance's `credits.csv`, a subset of `sla_monthly.csv`'s.
pub(crate) const CREDITS_HEADER: [&str; 11] = [
    "month",
    "customer_id",
    "customer_name",
    "tier",
    "uptime_percent",
    "target_percent",
    "met",
    "credit_percent",
    "fee",
    "credit_amount",
    "currency",
];

/// One cell of a customer-period row, by column name; the one place these columns are
/// formatted, so both files always agree.
fn cell(r: &CustomerPeriod, column: &str, decimals: u32) -> String {
    match column {
        "month" | "period" => r.period.to_string(),
        "customer_id" => neutralise(&r.customer_id),
        "customer_name" => neutralise(&r.customer_name),
        "tier" => neutralise(&r.tier),
        "eligible_seconds" => r.eligible.len().to_string(),
        "downtime_seconds" => plain(r.downtime_seconds),
        "excluded_seconds" => r.excluded_seconds.to_string(),
        "uptime_percent" => r.uptime.truncate(decimals).to_string(),
        "target_percent" => plain(r.target_percent),
        "met" => r.met.to_string(),
        "credit_percent" => r.credit_percent.map(plain).unwrap_or_default(),
        "fee" => r.fee.map(|f| money(f, &r.currency)).unwrap_or_default(),
        "credit_amount" => r.credit_amount.map(|c| money(c, &r.currency)).unwrap_or_default(),
        "currency" => neutralise(&r.currency),
        "monitoring_coverage_percent" => {
            r.coverage.map_or_else(|| Decimal::new(0, decimals), |c| c.truncate(decimals)).to_string()
        }
        "timezone" => r.timezone.name().to_string(),
        "eligible_start" => format_utc(r.eligible.start),
        "eligible_end" => format_utc(r.eligible.end),
        "denominator_seconds" => r.denominator_seconds.to_string(),
        "partial_seconds" => r.partial_seconds.to_string(),
        "incidents" => neutralise(&r.incidents.iter().map(|i| i.id.as_str()).collect::<Vec<_>>().join(";")),
        "budget_allowed_seconds" => plain(r.budget.allowed),
        "budget_used_seconds" => plain(r.budget.used),
        "budget_remaining_seconds" => plain(r.budget.remaining),
        "budget_remaining_percent" => {
            r.budget.remaining_percent.map(|p| p.truncate(decimals).to_string()).unwrap_or_default()
        }
        "projected_uptime_percent" => {
            r.budget.projected_uptime.map(|p| p.truncate(decimals).to_string()).unwrap_or_default()
        }
        "rto_met" => all_met(&r.recovery, |x| x.rto_met).map(|m| m.to_string()).unwrap_or_default(),
        "rpo_met" => all_met(&r.recovery, |x| x.rpo_met).map(|m| m.to_string()).unwrap_or_default(),
        other => unreachable!("unknown column {other}"),
    }
}

fn customer_rows<'a>(header: &[&str], rows: impl Iterator<Item = &'a CustomerPeriod>, decimals: u32) -> Vec<u8> {
    let mut w = writer();
    w.write_record(header).expect("csv");
    for r in rows {
        w.write_record(header.iter().map(|c| cell(r, c, decimals))).expect("csv");
    }
    finish(w)
}

pub(crate) fn sla_monthly(period: &Period, rows: &[CustomerPeriod], decimals: u32) -> Vec<u8> {
    let mut header = SLA_MONTHLY_HEADER;
    header[0] = period.noun();
    customer_rows(&header, rows.iter(), decimals)
}

/// Finance's file: every customer-month that breached or is owed a credit. Credits are
/// per calendar month: for a longer period, the rows are its whole months.
pub(crate) fn credits(rows: &[CustomerPeriod], decimals: u32) -> Vec<u8> {
    let months =
        rows.iter().flat_map(|r| if r.period.as_month().is_some() { std::slice::from_ref(r) } else { &r.months[..] });
    let owed = |r: &&CustomerPeriod| !r.met || r.credit_amount.is_some_and(|c| !c.is_zero());
    customer_rows(&CREDITS_HEADER, months.filter(owed), decimals)
}

/// Per tier: counts, lowest and median uptime, downtime, and one credit column per
/// currency present in the period.
pub(crate) fn tiers(period: &Period, summaries: &[TierSummary], rows: &[CustomerPeriod], decimals: u32) -> Vec<u8> {
    let currencies: BTreeSet<&str> = rows.iter().map(|r| r.currency.as_str()).collect();
    let mut w = writer();
    let mut header: Vec<String> = [
        period.noun(),
        "tier",
        "customers",
        "met",
        "breached",
        "lowest_uptime_percent",
        "median_uptime_percent",
        "downtime_seconds",
        "excluded_seconds",
    ]
    .map(String::from)
    .to_vec();
    header.extend(currencies.iter().map(|c| format!("credits_{}", neutralise(c))));
    w.write_record(&header).expect("csv");
    for s in summaries {
        let mut rec = vec![
            period.to_string(),
            neutralise(&s.tier),
            s.customers.to_string(),
            s.met.to_string(),
            s.breached.to_string(),
            s.lowest.map(|p| p.truncate(decimals).to_string()).unwrap_or_default(),
            s.median.map(|p| p.truncate(decimals).to_string()).unwrap_or_default(),
            plain(s.downtime_seconds),
            s.excluded_seconds.to_string(),
        ];
        rec.extend(currencies.iter().map(|c| money(s.credits.get(*c).copied().unwrap_or_default(), c)));
        w.write_record(&rec).expect("csv");
    }
    finish(w)
}

/// The roll-up of a period longer than a month: per customer, then per tier, uptime from
/// the seconds of the whole span, calendar months met and missed, failures, MTTR and
/// MTBF in seconds, and one `credits_<CUR>` column per currency of the period.
pub(crate) fn rollup(period: &Period, rollups: &[Rollup], decimals: u32) -> Vec<u8> {
    let currencies: BTreeSet<&str> = rollups.iter().flat_map(|r| r.credits.keys().map(String::as_str)).collect();
    let mut w = writer();
    let mut header: Vec<String> = [
        "period",
        "scope",
        "id",
        "name",
        "denominator_seconds",
        "downtime_seconds",
        "uptime_percent",
        "months",
        "months_met",
        "months_missed",
        "failures",
        "mttr_seconds",
        "mtbf_seconds",
    ]
    .map(String::from)
    .to_vec();
    header.extend(currencies.iter().map(|c| format!("credits_{}", neutralise(c))));
    w.write_record(&header).expect("csv");
    for r in rollups {
        let mut rec = vec![
            period.to_string(),
            r.scope.to_string(),
            neutralise(&r.id),
            neutralise(&r.name),
            r.denominator_seconds.to_string(),
            plain(r.downtime_seconds),
            if r.denominator_seconds > 0 { r.uptime.truncate(decimals).to_string() } else { String::new() },
            r.months.to_string(),
            r.months_met.to_string(),
            (r.months - r.months_met).to_string(),
            r.failures.to_string(),
            r.mttr_seconds.map(plain).unwrap_or_default(),
            r.mtbf_seconds.map(plain).unwrap_or_default(),
        ];
        rec.extend(currencies.iter().map(|c| r.credits.get(*c).map(|a| money(*a, c)).unwrap_or_default()));
        w.write_record(&rec).expect("csv");
    }
    finish(w)
}

/// Every counted, partial, excluded and dropped interval per customer, with sources and
/// reasons: `counted_seconds` adds up to `downtime_seconds`, the `seconds` of excluded
/// rows to `excluded_seconds`.
pub(crate) fn evidence(period: &Period, rows: &[CustomerPeriod]) -> Vec<u8> {
    let mut w = writer();
    w.write_record([
        period.noun(),
        "customer_id",
        "kind",
        "start",
        "end",
        "seconds",
        "counted_seconds",
        "source",
        "reason",
    ])
    .expect("csv");
    for r in rows {
        for e in &r.evidence {
            w.write_record([
                r.period.to_string(),
                neutralise(&r.customer_id),
                e.kind.as_str().to_string(),
                format_utc(e.interval.start),
                format_utc(e.interval.end),
                e.seconds.to_string(),
                plain(e.counted_seconds),
                neutralise(&words::sources(&e.sources)),
                neutralise(&words::reasons(&e.reasons)),
            ])
            .expect("csv");
        }
    }
    finish(w)
}

/// Minutes as text: exact when they have at most 2 decimal places, else truncated to 2.
fn minutes(d: Decimal) -> String {
    plain(d.trunc_with_scale(2))
}

/// Every major incident judged against the recovery objectives, per customer: time to
/// restore against the RTO, data loss against the RPO, and why an objective is not judged.
pub(crate) fn recovery(period: &Period, rows: &[CustomerPeriod]) -> Vec<u8> {
    let mut w = writer();
    w.write_record([
        period.noun(),
        "customer_id",
        "incident_id",
        "start",
        "end",
        "restore_minutes",
        "rto_minutes",
        "rto_met",
        "data_loss_minutes",
        "rpo_minutes",
        "rpo_met",
        "note",
    ])
    .expect("csv");
    let flag = |m: Option<bool>| m.map(|m| m.to_string()).unwrap_or_default();
    for r in rows {
        for x in &r.recovery {
            w.write_record([
                r.period.to_string(),
                neutralise(&r.customer_id),
                neutralise(&x.incident_id),
                format_utc(x.interval.start),
                if x.open { String::new() } else { format_utc(x.interval.end) },
                x.restore_minutes().map(minutes).unwrap_or_default(),
                x.rto_minutes.map(plain).unwrap_or_default(),
                flag(x.rto_met),
                x.data_loss_minutes.map(plain).unwrap_or_default(),
                x.rpo_minutes.map(plain).unwrap_or_default(),
                flag(x.rpo_met),
                neutralise(&words::recovery_notes(&x.notes)),
            ])
            .expect("csv");
        }
    }
    finish(w)
}

pub(crate) const BACKUPS_HEADER: [&str; 12] = [
    "component",
    "services",
    "regions",
    "backups",
    "failed",
    "largest_gap_minutes",
    "rpo_minutes",
    "rpo_met",
    "over_retention",
    "restore_tests",
    "restore_failed",
    "notes",
];

/// `backups.csv`: one row per component with backups (see `core::backups`).
pub(crate) fn backups(rows: &[crate::core::backups::ComponentBackups], rpo_minutes: Option<i64>) -> Vec<u8> {
    let mut w = writer();
    w.write_record(BACKUPS_HEADER).expect("writing to memory cannot fail");
    for r in rows {
        let over: Vec<&str> = r.over_retention.iter().map(|(id, _)| id.as_str()).collect();
        let record = [
            r.component.clone(),
            r.services.clone(),
            r.regions.clone(),
            r.backups.to_string(),
            r.failed.to_string(),
            minutes(Decimal::from(r.largest_gap) / Decimal::from(60)),
            rpo_minutes.map_or(String::new(), |m| m.to_string()),
            r.rpo_met.map_or(String::new(), |m| m.to_string()),
            over.join(";"),
            r.restore_tests.to_string(),
            r.restore_failed.len().to_string(),
            r.notes.join("; "),
        ];
        w.write_record(record.iter().map(|c| neutralise(c))).expect("writing to memory cannot fail");
    }
    finish(w)
}

/// The reduced checks (the `reduced` input): per pair, its data intervals and its
/// quorum-down intervals with the locations down, sorted by pair, kind, start. A pair
/// whose rows were all `unknown` gets one empty data interval at its first row.
pub(crate) fn reduced(pairs: &[crate::core::checks::ReducedPair]) -> Vec<u8> {
    let mut w = writer();
    w.write_record(["service", "region", "kind", "start", "end", "locations_down", "locations"])
        .expect("writing to memory");
    let mut sorted: Vec<&crate::core::checks::ReducedPair> = pairs.iter().collect();
    sorted.sort_by(|a, b| {
        (a.pair.service.as_bytes(), a.pair.region.as_bytes())
            .cmp(&(b.pair.service.as_bytes(), b.pair.region.as_bytes()))
    });
    for p in sorted {
        let total = p.locations.map_or(String::new(), |n| n.to_string());
        let mut row = |kind: &str, start: i64, end: i64, down: &str| {
            let cells = [&p.pair.service, &p.pair.region, kind, &format_utc(start), &format_utc(end), down, &total];
            // Data for a program, not a spreadsheet: names are written as they are.
            w.write_record(cells).expect("writing to memory");
        };
        match (p.data.intervals(), p.first) {
            ([], Some(first)) => row("data", first, first, ""),
            (ivs, _) => ivs.iter().for_each(|iv| row("data", iv.start, iv.end, "")),
        }
        for d in &p.down {
            row("down", d.interval.start, d.interval.end, &d.locations_down.join(", "));
        }
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for bad in ["=1+1", "+44", "-3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(bad).starts_with('\''), "{bad}");
        }
        assert_eq!(neutralise("Acme = Co"), "Acme = Co");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn every_column_has_a_cell() {
        // `cell` panics on an unknown column: both headers must be covered.
        assert!(CREDITS_HEADER.iter().all(|c| SLA_MONTHLY_HEADER.contains(c)));
    }

    #[test]
    fn money_shows_the_minor_unit() {
        assert_eq!(money(Decimal::new(5, 0), "GBP"), "5.00");
        assert_eq!(money(Decimal::new(5, 0), "JPY"), "5");
        assert_eq!(money(Decimal::new(5, 1), "KWD"), "0.500");
    }
}
