//! The formatted view of a period's results: every number a reader sees, already turned
//! into text here, so PDF layout does no arithmetic. Chart geometry (bar heights) is
//! given as display fractions; the exact figures stay in the text labels.

use chrono_tz::Tz;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::template::{Template, fill};
use super::words;
use crate::core::interval::{Instant, Interval};
use crate::core::model::{Quorum, TierRules};
use crate::core::numbers::{Percent, minor_unit, plain};
use crate::core::period::Period;
use crate::core::sla::{CustomerPeriod, IncidentReach, TierSummary, chart_stretches, credits_by_currency};
use crate::core::time::Month;

/// What a bar of the daily chart shows, drawn in the template colour of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BarTone {
    /// No counted downtime.
    Met,
    /// Counted downtime, some of it full.
    Missed,
    /// Counted downtime, all of it partial impact.
    Partial,
    /// No part of the bar's days is inside the contract.
    OutsideContract,
}

/// One bar of the daily chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DayBar {
    pub(crate) label: String,
    /// Availability text, e.g. `99.8611 %`, or `n/a` outside the contract.
    pub(crate) value: String,
    /// Bar height as a fraction of the chart (display only).
    pub(crate) height: f32,
    pub(crate) tone: BarTone,
}

/// A month of the trend chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TrendPoint {
    pub(crate) label: String,
    pub(crate) value: String,
    pub(crate) height: f32,
    pub(crate) met: bool,
}

/// An earlier month's result, from this run or the history's results files.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPoint {
    pub(crate) month: Month,
    pub(crate) uptime_percent: String,
    pub(crate) met: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub(crate) headers: Vec<String>,
    /// Relative column widths.
    pub(crate) widths: Vec<f32>,
    pub(crate) rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerView {
    pub(crate) document_title: String,
    pub(crate) provider: String,
    pub(crate) report_title: String,
    pub(crate) customer_name: String,
    pub(crate) customer_id: String,
    pub(crate) tier: String,
    pub(crate) period_label: String,
    /// `month` or `period`, for sentences like "Uptime this month".
    pub(crate) noun: String,
    pub(crate) timezone: String,
    pub(crate) report_id: String,
    pub(crate) uptime: String,
    pub(crate) target: String,
    pub(crate) met: bool,
    pub(crate) verdict: String,
    pub(crate) credit: String,
    pub(crate) credit_detail: String,
    /// The error budget in one line: allowed, used, left or overspent.
    pub(crate) budget: String,
    pub(crate) key_figures: Vec<(String, String)>,
    pub(crate) availability_title: String,
    /// Chart axis: the availability at the chart's bottom and the target line's height.
    pub(crate) axis_floor: String,
    pub(crate) target_height: f32,
    pub(crate) days: Vec<DayBar>,
    /// Under the chart: what a bar is, then a colour key of the tones it uses (and always
    /// met and missed).
    pub(crate) days_caption: String,
    pub(crate) days_key: Vec<(BarTone, String)>,
    pub(crate) trend_title: String,
    pub(crate) trend: Vec<TrendPoint>,
    pub(crate) intervals_title: String,
    pub(crate) intervals: Table,
    pub(crate) incidents_title: String,
    pub(crate) incidents: Table,
    pub(crate) maintenance_title: String,
    pub(crate) maintenance: Table,
    pub(crate) warnings: Vec<String>,
    /// Major incidents against the recovery objectives (RTO / RPO).
    pub(crate) recovery_title: String,
    pub(crate) recovery: Table,
    pub(crate) definitions_title: String,
    pub(crate) definitions: String,
    pub(crate) disclaimer_title: String,
    pub(crate) disclaimer: String,
    pub(crate) footer: Footer,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Footer {
    pub(crate) generated: String,
    pub(crate) fingerprint: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SummaryView {
    pub(crate) document_title: String,
    pub(crate) provider: String,
    pub(crate) title: String,
    pub(crate) period_label: String,
    pub(crate) noun: String,
    pub(crate) report_id: String,
    pub(crate) headline: Vec<(String, String)>,
    pub(crate) tiers_title: String,
    pub(crate) tiers: Table,
    pub(crate) breaches_title: String,
    pub(crate) breaches: Table,
    pub(crate) worst_title: String,
    pub(crate) worst: Table,
    /// Per tier over the whole period, when it holds whole months.
    pub(crate) rollup: Option<Table>,
    pub(crate) footer: Footer,
    /// "Backups and recovery tests" (title, table), when a backups input is configured.
    pub(crate) backups: Option<(String, Table)>,
}

/// The longest file-name stem made from an id, in bytes (before the digest suffix).
const MAX_STEM_BYTES: usize = 64;

/// Names Windows reserves for devices, in any case and with any extension.
fn reserved(stem: &str) -> bool {
    let base = stem.split('.').next().unwrap_or("").to_ascii_uppercase();
    matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (base.len() == 4
            && (base.starts_with("COM") || base.starts_with("LPT"))
            && base.as_bytes()[3].is_ascii_digit())
}

/// A file-name stem for a customer id: the id itself when it is a safe, short name;
/// otherwise letters, digits, `-`, `_` and `.` kept (others become `_`), at most 64
/// bytes, never starting with `.`, followed by `-` and the start of the id's SHA-256.
pub(crate) fn file_safe(id: &str) -> String {
    file_stem(id, 8)
}

fn file_stem(id: &str, digest_chars: usize) -> String {
    let mut s = String::new();
    for c in id.chars().map(|c| if c.is_alphanumeric() || "-_.".contains(c) { c } else { '_' }) {
        if s.len() + c.len_utf8() > MAX_STEM_BYTES {
            break;
        }
        s.push(c);
    }
    if s.starts_with('.') {
        s.replace_range(0..1, "_");
    }
    if s == id && !s.is_empty() && !reserved(&s) {
        s
    } else {
        format!("{s}-{}", &crate::common::sha256_hex(id.as_bytes())[..digest_chars])
    }
}

/// File-name stems for the customer ids of one month, unique even where file systems
/// ignore case: where two stems would clash, the changed ones take longer digests,
/// then a counter. Checked, not assumed.
pub(crate) fn file_stems(ids: &[&str]) -> Vec<String> {
    let mut stems: Vec<String> = ids.iter().map(|id| file_safe(id)).collect();
    for digest_chars in [16, 64, 0] {
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for s in &stems {
            *seen.entry(s.to_lowercase()).or_default() += 1;
        }
        let clashing: Vec<usize> = (0..stems.len()).filter(|&k| seen[&stems[k].to_lowercase()] > 1).collect();
        if clashing.is_empty() {
            return stems;
        }
        for k in clashing {
            if stems[k] != ids[k] {
                stems[k] = if digest_chars > 0 { file_stem(ids[k], digest_chars) } else { format!("{}-{k}", stems[k]) };
            }
        }
    }
    // Ids differing only in case, both already safe: number all but the first.
    let mut seen = std::collections::HashSet::new();
    for (k, s) in stems.iter_mut().enumerate() {
        if !seen.insert(s.to_lowercase()) {
            *s = format!("{s}-{k}");
            seen.insert(s.to_lowercase());
        }
    }
    stems
}

/// `October 2026`.
pub(crate) fn month_label(m: Month) -> String {
    m.first_day().format("%B %Y").to_string()
}

/// `October 2026`, `Q3 2026`, `Year 2026`, `1 Oct 2026 to 31 Dec 2026`.
pub(crate) fn period_label(p: &Period) -> String {
    if let Some(m) = p.as_month() {
        return month_label(m);
    }
    let last = p.end.pred_opt().unwrap_or(p.end);
    match p.label.split_once("-Q") {
        Some((y, q)) if !p.label.contains("..") => format!("Q{q} {y}"),
        _ if !p.label.contains('-') => format!("Year {}", p.label),
        _ => format!("{} to {}", p.first.format("%-d %b %Y"), last.format("%-d %b %Y")),
    }
}

/// `2 h 03 min 20 s`, `45 min`, `39 s`; a fractional remainder is kept exact.
pub(crate) fn duration(seconds: Decimal) -> String {
    let whole = seconds.trunc().to_i64().unwrap_or(0);
    let frac = seconds - Decimal::from(whole);
    let (d, h, m, s) = (whole / 86_400, whole % 86_400 / 3600, whole % 3600 / 60, whole % 60);
    if whole < 60 {
        return format!("{} s", plain(seconds));
    }
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} d"));
    }
    if d > 0 || h > 0 {
        parts.push(format!("{h} h"));
        parts.push(format!("{m:02} min"));
    } else {
        parts.push(format!("{m} min"));
    }
    if s > 0 || !frac.is_zero() {
        let sec = Decimal::from(s) + frac;
        parts.push(if frac.is_zero() { format!("{s:02} s") } else { format!("{} s", plain(sec)) });
    }
    parts.join(" ")
}

fn local(t: Instant, tz: Tz) -> String {
    match chrono::DateTime::from_timestamp(t, 0) {
        Some(dt) => dt.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z").to_string(),
        None => t.to_string(),
    }
}

/// `1234567` → `1,234,567` (digits only).
pub(crate) fn group_thousands(digits: &str) -> String {
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `GBP 1,250.00`: the amount at its minor unit, thousands grouped for reading.
pub(crate) fn money(amount: Decimal, currency: &str) -> String {
    let mut a = amount;
    a.rescale(minor_unit(currency));
    let text = a.abs().to_string();
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let grouped = group_thousands(int);
    let sign = if a.is_sign_negative() && !a.is_zero() { "-" } else { "" };
    match frac {
        Some(f) => format!("{currency} {sign}{grouped}.{f}"),
        None => format!("{currency} {sign}{grouped}"),
    }
}

fn percent_text(p: Percent, decimals: u32) -> String {
    format!("{} %", p.truncate(decimals))
}

/// A display fraction of `value` on an axis from `floor` to 100 (geometry only).
fn height(value: Decimal, floor: Decimal) -> f32 {
    let span = Decimal::from(100) - floor;
    if span <= Decimal::ZERO {
        return 1.0;
    }
    ((value - floor) / span).to_f32().unwrap_or(0.0).clamp(0.0, 1.0)
}

/// The chart's bottom: a round value below the lowest day and the target.
fn axis_floor(lowest: Decimal, target: Decimal) -> Decimal {
    let low = lowest.min(target);
    for f in ["99.9", "99.5", "99", "98", "95", "90", "80", "50"] {
        let f: Decimal = f.parse().expect("literal");
        if low > f {
            return f;
        }
    }
    Decimal::ZERO
}

fn kind_label(k: crate::core::sla::EvidenceKind) -> &'static str {
    use crate::core::sla::EvidenceKind::*;
    match k {
        Counted => "counted",
        Partial => "partial",
        Excluded => "excluded",
        Dropped => "not counted (short)",
    }
}

pub(crate) struct CustomerInputs<'a> {
    pub(crate) row: &'a CustomerPeriod,
    pub(crate) tier: &'a TierRules,
    pub(crate) quorum: Quorum,
    pub(crate) template: &'a Template,
    pub(crate) decimals: u32,
    pub(crate) fingerprint: &'a str,
    pub(crate) generated: &'a str,
    /// Earlier months of this customer, oldest first (for a calendar month's trend).
    pub(crate) history: &'a [HistoryPoint],
}

/// The stages: the headline (credit, error budget), the availability chart, the trend,
/// the tables, the template's values and the key figures.
pub(crate) fn customer_view(i: &CustomerInputs) -> CustomerView {
    let r = i.row;
    let t = i.template;
    let tz = r.timezone;
    let d = i.decimals;
    let (credit, credit_detail) = credit_lines(r);
    let (budget, budget_detail) = budget_lines(r, d);
    let chart = DayChart::of(r, d);
    let coverage = r.coverage.map_or_else(|| "0".to_string(), |c| c.truncate(d).to_string());
    let values = template_values(i, &coverage);
    CustomerView {
        document_title: format!("{} - {} - {}", t.titles.report, r.customer_name, r.period),
        provider: t.provider_name.clone(),
        report_title: t.titles.report.clone(),
        customer_name: r.customer_name.clone(),
        customer_id: r.customer_id.clone(),
        tier: r.tier.clone(),
        period_label: period_label(&r.period),
        noun: r.period.noun().to_string(),
        days_caption: format!(
            "One bar per {unit}: its height is the availability of that {unit}.",
            unit = chart.unit()
        ),
        days_key: chart.key(),
        timezone: format!("Times in {}", tz.name()),
        report_id: format!("{}-{}-{}", r.period, r.customer_id, &i.fingerprint[..12.min(i.fingerprint.len())]),
        uptime: percent_text(r.uptime, d),
        target: format!("{} %", plain(r.target_percent)),
        met: r.met,
        verdict: if r.met { "Target met".into() } else { "Target missed".into() },
        credit,
        credit_detail,
        budget,
        key_figures: key_figures(r, d, budget_detail, &coverage),
        availability_title: match chart.size {
            1 => t.titles.availability.clone(),
            7 => "Weekly availability".to_string(),
            _ => format!("Availability per {}", chart.unit()),
        },
        axis_floor: format!("{} %", plain(chart.floor)),
        target_height: height(r.target_percent, chart.floor),
        days: chart.days,
        trend_title: if r.period.as_month().is_some() {
            t.titles.trend.clone()
        } else {
            "Calendar months of this period".to_string()
        },
        trend: trend(r, i.history, d),
        intervals_title: t.titles.intervals.clone(),
        intervals: intervals_table(r, t.internal_detail),
        incidents_title: t.titles.incidents.clone(),
        incidents: incidents_table(r),
        maintenance_title: t.titles.maintenance.clone(),
        maintenance: maintenance_table(r),
        warnings: r.warnings.clone(),
        recovery_title: "Recovery".to_string(),
        recovery: recovery_table(r, tz),
        definitions_title: t.titles.definitions.clone(),
        definitions: fill(&t.text.definitions, &values),
        disclaimer_title: t.titles.disclaimer.clone(),
        disclaimer: fill(&t.text.disclaimer, &values),
        footer: Footer { generated: i.generated.to_string(), fingerprint: i.fingerprint.to_string() },
    }
}

/// The credit in the headline box and its detail.
fn credit_lines(r: &CustomerPeriod) -> (String, String) {
    match (r.credit_amount, r.credit_percent, r.fee) {
        (None, _, _) => (
            "No credit computed".to_string(),
            "credits are per calendar month; none lies wholly inside this period".to_string(),
        ),
        (Some(amount), _, _) if amount.is_zero() => {
            let detail = match (r.met, r.credit_percent) {
                (true, _) => String::new(),
                (false, Some(_)) => "uptime is above every credit band of the tier".to_string(),
                (false, None) if r.months.is_empty() => "its whole months lie outside the contract".to_string(),
                (false, None) => format!("no credit in its {} calendar months", r.months.len()),
            };
            ("No credit owed".to_string(), detail)
        }
        (Some(amount), Some(percent), Some(fee)) => (
            format!("Credit owed: {}", money(amount, &r.currency)),
            format!("{} % of the monthly fee of {}", plain(percent), money(fee, &r.currency)),
        ),
        (Some(amount), _, _) => (
            format!("Credit owed: {}", money(amount, &r.currency)),
            format!("sum of the credits of its {} calendar months", r.months.len()),
        ),
    }
}

/// The error budget: a short line for the headline box, the detail for the key figures.
fn budget_lines(r: &CustomerPeriod, d: u32) -> (String, String) {
    let b = &r.budget;
    match b.remaining_percent {
        None => ("No error budget (target 100 %)".to_string(), format!("none allowed, {} used", duration(b.used))),
        Some(p) if b.remaining >= Decimal::ZERO => (
            format!("Error budget: {} % left", p.truncate(d.min(2))),
            format!("{} of {} used, {} left", duration(b.used), duration(b.allowed), duration(b.remaining)),
        ),
        Some(_) => (
            format!("Error budget overspent by {}", duration(-b.remaining)),
            format!("{} allowed, {} used", duration(b.allowed), duration(b.used)),
        ),
    }
}

/// The availability chart: one bar per day, or per stretch of `size` days, on an axis
/// from `floor` to 100 %.
struct DayChart {
    size: usize,
    floor: Decimal,
    days: Vec<DayBar>,
}

impl DayChart {
    fn of(r: &CustomerPeriod, d: u32) -> DayChart {
        let lowest = r.daily.iter().filter_map(|day| day.uptime()).min().map_or(Decimal::from(100), |p| p.truncate(6));
        let floor = axis_floor(lowest, r.target_percent);
        let (size, stretches) = chart_stretches(&r.daily);
        let bar_label = |date: chrono::NaiveDate| {
            if size == 1 && r.daily.len() <= 31 {
                date.format("%-d").to_string()
            } else {
                date.format("%-d %b").to_string()
            }
        };
        let days = stretches
            .iter()
            .map(|day| match day.uptime() {
                Some(p) => DayBar {
                    label: bar_label(day.date),
                    value: percent_text(p, d),
                    height: height(p.truncate(6), floor),
                    tone: match (day.downtime_seconds.is_zero(), day.full_seconds) {
                        (true, _) => BarTone::Met,
                        (false, 0) => BarTone::Partial,
                        (false, _) => BarTone::Missed,
                    },
                },
                None => DayBar {
                    label: bar_label(day.date),
                    value: "n/a".into(),
                    height: 0.0,
                    tone: BarTone::OutsideContract,
                },
            })
            .collect();
        DayChart { size, floor, days }
    }

    /// What one bar is: `day`, `week` or `N weeks`.
    fn unit(&self) -> String {
        match self.size {
            1 => "day".to_string(),
            7 => "week".to_string(),
            n => format!("{} weeks", n / 7),
        }
    }

    /// The colour key: met and missed always, partial and excluded when a bar has them.
    fn key(&self) -> Vec<(BarTone, String)> {
        let unit = self.unit();
        let has = |t: BarTone| self.days.iter().any(|b| b.tone == t);
        [
            (BarTone::Met, format!("no counted downtime that {unit}"), true),
            (BarTone::Missed, "counted downtime".to_string(), true),
            (BarTone::Partial, "partial impact only, counted at its weight".to_string(), has(BarTone::Partial)),
            (BarTone::OutsideContract, "outside the contract".to_string(), has(BarTone::OutsideContract)),
        ]
        .into_iter()
        .filter(|(_, _, shown)| *shown)
        .map(|(tone, words, _)| (tone, words))
        .collect()
    }
}

/// A month: up to 12 months ending with this one, on one shared axis. A longer period:
/// its whole calendar months.
fn trend(r: &CustomerPeriod, history: &[HistoryPoint], d: u32) -> Vec<TrendPoint> {
    let mut months: Vec<(Month, String, Decimal, bool)> = match r.period.as_month() {
        Some(this) => history
            .iter()
            .filter(|h| h.month < this)
            .map(|h| (h.month, h.uptime_percent.clone(), h.uptime_percent.parse().unwrap_or_default(), h.met))
            .chain(std::iter::once((this, r.uptime.truncate(d).to_string(), r.uptime.truncate(6), r.met)))
            .collect(),
        None => r
            .months
            .iter()
            .filter_map(|m| {
                let month = m.period.as_month()?;
                Some((month, m.uptime.truncate(d).to_string(), m.uptime.truncate(6), m.met))
            })
            .collect(),
    };
    months.drain(..months.len().saturating_sub(12));
    let trend_floor = axis_floor(months.iter().map(|m| m.2).min().unwrap_or(Decimal::from(100)), r.target_percent);
    months
        .into_iter()
        .map(|(m, text, v, met)| TrendPoint {
            label: m.first_day().format("%b %y").to_string(),
            value: format!("{text} %"),
            height: height(v, trend_floor),
            met,
        })
        .collect()
}

/// The evidence rows; sources in customer words unless the template asks for the
/// internal detail (as evidence.csv has them).
fn intervals_table(r: &CustomerPeriod, internal: bool) -> Table {
    let tz = r.timezone;
    Table {
        headers: ["Start", "End", "Duration", "Treatment", "Source", "Reason"].map(String::from).to_vec(),
        widths: vec![1.25, 1.25, 1.0, 0.85, 2.15, 2.5],
        rows: r
            .evidence
            .iter()
            .map(|e| {
                vec![
                    local(e.interval.start, tz),
                    local(e.interval.end, tz),
                    duration(Decimal::from(e.seconds)),
                    kind_label(e.kind).to_string(),
                    if internal { words::sources(&e.sources) } else { words::customer_sources(&e.sources) },
                    words::reasons(&e.reasons),
                ]
            })
            .collect(),
    }
}

/// The incidents that touched the customer: id, title, impact, times, how the tier treats
/// them.
fn incidents_table(r: &CustomerPeriod) -> Table {
    let tz = r.timezone;
    Table {
        headers: ["Incident", "Title", "Category / impact", "Start", "End", "In this report"]
            .map(String::from)
            .to_vec(),
        widths: vec![1.2, 2.0, 1.2, 1.25, 1.25, 2.4],
        rows: r
            .incidents
            .iter()
            .map(|n| {
                vec![
                    n.id.clone(),
                    n.title.clone(),
                    format!("{} / {}", n.category.as_str().replace('_', " "), n.impact),
                    local(n.interval.start, tz),
                    if n.open { "open".to_string() } else { local(n.interval.end, tz) },
                    words::treatment(&n.treatment),
                ]
            })
            .collect(),
    }
}

/// The maintenance incidents of the period, with their notice and whether they excluded
/// time.
fn maintenance_table(r: &CustomerPeriod) -> Table {
    let tz = r.timezone;
    Table {
        headers: ["Maintenance", "Title", "Window", "Announced", "Notice", "Treatment"].map(String::from).to_vec(),
        widths: vec![1.2, 1.8, 2.2, 1.3, 1.0, 2.4],
        rows: r
            .incidents
            .iter()
            .filter(|n| n.is_maintenance())
            .map(|n| {
                let window = Interval::new(n.interval.start, n.interval.end);
                vec![
                    n.id.clone(),
                    n.title.clone(),
                    format!("{} to {}", local(window.start, tz), local(window.end, tz)),
                    n.announced_at.map_or("not announced".to_string(), |a| local(a, tz)),
                    n.announced_at.map_or("-".to_string(), |a| duration(Decimal::from(window.start - a))),
                    words::treatment(&n.treatment),
                ]
            })
            .collect(),
    }
}

/// The values the template's definitions and disclaimer may name.
fn template_values(i: &CustomerInputs, coverage: &str) -> [(&'static str, String); 13] {
    let (r, tier) = (i.row, i.tier);
    let excluded: Vec<String> = tier.excluded_categories.iter().map(|c| c.as_str().replace('_', " ")).collect();
    [
        ("tier", r.tier.clone()),
        ("target_percent", plain(r.target_percent)),
        ("excluded_categories", if excluded.is_empty() { "nothing".into() } else { excluded.join(", ") }),
        ("notice_hours", plain(Decimal::from(tier.maintenance_notice_seconds) / Decimal::from(3600))),
        (
            "denominator",
            if tier.exclusions_in_denominator {
                "the eligible time minus the exclusion windows".to_string()
            } else {
                "the whole eligible time".to_string()
            },
        ),
        ("partial_weight", plain(tier.partial_weight)),
        ("min_downtime_seconds", tier.min_downtime_seconds.to_string()),
        ("coverage_percent", coverage.to_string()),
        ("timezone", r.timezone.name().to_string()),
        ("period", r.period.noun().to_string()),
        (
            "span",
            if r.period.as_month().is_some() {
                "the calendar month".to_string()
            } else {
                format!("the reporting period {}", period_label(&r.period))
            },
        ),
        ("provider", i.template.provider_name.clone()),
        (
            "quorum",
            match i.quorum {
                Quorum::Majority => "a majority of",
                Quorum::Any => "any of",
                Quorum::All => "all of",
            }
            .to_string(),
        ),
    ]
}

/// The labelled figures under the headline: eligible time, downtime counted and excluded,
/// the error budget, the fee, the monitoring coverage.
fn key_figures(r: &CustomerPeriod, d: u32, budget_detail: String, coverage: &str) -> Vec<(String, String)> {
    let mut key_figures = vec![
        (
            "Eligible time".to_string(),
            format!("{} ({} s)", duration(Decimal::from(r.eligible.len())), r.eligible.len()),
        ),
        ("Counted downtime".to_string(), format!("{} ({} s)", duration(r.downtime_seconds), plain(r.downtime_seconds))),
        ("Error budget".to_string(), budget_detail),
        (
            "Excluded downtime".to_string(),
            format!("{} ({} s)", duration(Decimal::from(r.excluded_seconds)), r.excluded_seconds),
        ),
        match (r.period.as_month(), r.fee) {
            (Some(_), Some(fee)) => ("Monthly fee".to_string(), money(fee, &r.currency)),
            (_, Some(fee)) => ("Fees".to_string(), money(fee, &r.currency)),
            (_, None) => ("Fees".to_string(), "no whole month".to_string()),
        },
        ("Monitoring coverage".to_string(), format!("{coverage} %")),
    ];
    if let Some(p) = r.budget.projected_uptime {
        key_figures.push((
            "Projection".to_string(),
            format!("{} at the {}'s end if downtime keeps its rate so far", percent_text(p, d), r.period.noun()),
        ));
    }
    key_figures
}

/// Time to restore against the RTO and data loss against the RPO, one line per major
/// incident; objectives not judged say why.
fn recovery_table(r: &CustomerPeriod, tz: Tz) -> Table {
    let verdict = |met: Option<bool>, objective: Option<Decimal>| -> String {
        match (met, objective) {
            (Some(true), Some(o)) => format!("met ({} min)", plain(o)),
            (Some(false), Some(o)) => format!("missed ({} min)", plain(o)),
            _ => "-".to_string(),
        }
    };
    Table {
        headers: ["Incident", "Start", "Restored", "Time to restore", "RTO", "Data loss", "RPO", "Note"]
            .map(String::from)
            .to_vec(),
        widths: vec![1.0, 1.25, 1.25, 1.0, 1.35, 0.9, 1.35, 1.9],
        rows: r
            .recovery
            .iter()
            .map(|x| {
                vec![
                    x.incident_id.clone(),
                    local(x.interval.start, tz),
                    if x.open { "open".to_string() } else { local(x.interval.end, tz) },
                    x.restore_seconds.map_or("-".to_string(), |s| duration(Decimal::from(s))),
                    verdict(x.rto_met, x.rto_minutes),
                    x.data_loss_minutes.map_or("-".to_string(), |m| format!("{} min", plain(m))),
                    verdict(x.rpo_met, x.rpo_minutes),
                    words::recovery_notes(&x.notes),
                ]
            })
            .collect(),
    }
}

/// The summary's "Backups and recovery tests" table: one row per component.
pub(crate) fn backups_table(
    rows: &[crate::core::backups::ComponentBackups],
    rpo_minutes: Option<i64>,
) -> (String, Table) {
    // Hours and minutes (seconds dropped): "48 h 00 min".
    let hours = |s: i64| format!("{} h {:02} min", s / 3600, s % 3600 / 60);
    let gap = |r: &crate::core::backups::ComponentBackups| {
        let text = hours(r.largest_gap);
        match (r.rpo_met, rpo_minutes) {
            (Some(true), Some(m)) => format!("{text} (RPO {} met)", hours(m * 60)),
            (Some(false), Some(m)) => format!("{text} (RPO {} missed)", hours(m * 60)),
            _ => text,
        }
    };
    let table = Table {
        headers: ["Component", "Backups", "Failed", "Largest gap", "Kept too long", "Restore tests", "Notes"]
            .map(String::from)
            .to_vec(),
        widths: vec![1.1, 0.8, 0.6, 1.9, 1.7, 0.9, 2.0],
        rows: rows
            .iter()
            .map(|r| {
                let over: Vec<&str> = r.over_retention.iter().map(|(id, _)| id.as_str()).collect();
                let tests = if r.restore_failed.is_empty() {
                    r.restore_tests.to_string()
                } else {
                    format!("{} ({} failed)", r.restore_tests, r.restore_failed.len())
                };
                vec![
                    r.component.clone(),
                    r.backups.to_string(),
                    r.failed.to_string(),
                    gap(r),
                    if over.is_empty() { "-".to_string() } else { over.join(", ") },
                    tests,
                    if r.notes.is_empty() { "-".to_string() } else { r.notes.join("; ") },
                ]
            })
            .collect(),
    };
    ("Backups and recovery tests".to_string(), table)
}

pub(crate) struct SummaryInputs<'a> {
    pub(crate) period: &'a Period,
    pub(crate) rows: &'a [CustomerPeriod],
    pub(crate) tiers: &'a [TierSummary],
    pub(crate) reach: &'a [IncidentReach],
    /// The tiers' roll-ups of a period holding whole months (empty otherwise).
    pub(crate) rollups: &'a [crate::core::sla::Rollup],
    pub(crate) template: &'a Template,
    pub(crate) decimals: u32,
    pub(crate) fingerprint: &'a str,
    pub(crate) generated: &'a str,
}

/// The tiers' roll-ups as a table: uptime from seconds, months, MTTR, MTBF, credits.
fn rollup_table(rollups: &[crate::core::sla::Rollup], d: u32) -> Option<Table> {
    let tiers: Vec<&crate::core::sla::Rollup> = rollups.iter().filter(|r| r.scope == "tier").collect();
    if tiers.is_empty() {
        return None;
    }
    // To the second for reading; rollup.csv has the exact figures.
    let opt = |v: Option<Decimal>| v.map_or("-".to_string(), |x| duration(x.round()));
    Some(Table {
        headers: ["Tier", "Uptime (whole span)", "Months met / missed", "Failures", "MTTR", "MTBF", "Credits"]
            .map(String::from)
            .to_vec(),
        widths: vec![1.1, 1.2, 1.2, 0.8, 1.1, 1.4, 2.0],
        rows: tiers
            .iter()
            .map(|r| {
                let owed: Vec<String> =
                    r.credits.iter().filter(|(_, a)| !a.is_zero()).map(|(c, a)| money(*a, c)).collect();
                vec![
                    r.id.clone(),
                    if r.denominator_seconds > 0 { percent_text(r.uptime, d) } else { "-".to_string() },
                    format!("{} / {}", r.months_met, r.months - r.months_met),
                    r.failures.to_string(),
                    opt(r.mttr_seconds),
                    opt(r.mtbf_seconds),
                    if owed.is_empty() { "none".to_string() } else { owed.join(", ") },
                ]
            })
            .collect(),
    })
}

/// The stages: the headline figures, then the tables of tiers, breaches, the incidents
/// that reached most customer-time and the tiers' roll-ups.
pub(crate) fn summary_view(i: &SummaryInputs) -> SummaryView {
    let t = i.template;
    let d = i.decimals;
    SummaryView {
        document_title: format!("{} - {}", t.titles.summary, i.period),
        provider: t.provider_name.clone(),
        title: t.titles.summary.clone(),
        period_label: period_label(i.period),
        noun: i.period.noun().to_string(),
        report_id: format!("{}-summary-{}", i.period, &i.fingerprint[..12.min(i.fingerprint.len())]),
        headline: headline(i.rows),
        tiers_title: t.titles.tiers.clone(),
        tiers: tiers_table(i.tiers, d),
        breaches_title: t.titles.breaches.clone(),
        breaches: breaches_table(i.rows, d),
        rollup: rollup_table(i.rollups, d),
        worst_title: t.titles.worst_incidents.clone(),
        worst: worst_table(i.reach),
        footer: Footer { generated: i.generated.to_string(), fingerprint: i.fingerprint.to_string() },
        backups: None,
    }
}

/// Customers, met, breached, and the credits owed per currency (or "none").
fn headline(rows: &[CustomerPeriod]) -> Vec<(String, String)> {
    let all = credits_by_currency(rows);
    let breached = rows.iter().filter(|r| !r.met).count();
    let mut headline = vec![
        ("Customers".to_string(), rows.len().to_string()),
        ("Met".to_string(), (rows.len() - breached).to_string()),
        ("Breached".to_string(), breached.to_string()),
    ];
    let owed: Vec<(String, String)> =
        all.iter().filter(|(_, a)| !a.is_zero()).map(|(c, a)| (format!("Credits in {c}"), money(*a, c))).collect();
    if owed.is_empty() {
        headline.push(("Credits".to_string(), "none".to_string()));
    }
    headline.extend(owed);
    headline
}

fn tiers_table(tiers: &[TierSummary], d: u32) -> Table {
    let credits_text = |credits: &std::collections::BTreeMap<String, Decimal>| {
        let v: Vec<String> = credits.iter().filter(|(_, a)| !a.is_zero()).map(|(c, a)| money(*a, c)).collect();
        if v.is_empty() { "none".to_string() } else { v.join(", ") }
    };
    Table {
        headers: ["Tier", "Customers", "Met", "Breached", "Lowest", "Median", "Credits"].map(String::from).to_vec(),
        widths: vec![1.2, 0.9, 0.6, 0.8, 1.1, 1.1, 2.6],
        rows: tiers
            .iter()
            .map(|s| {
                vec![
                    s.tier.clone(),
                    s.customers.to_string(),
                    s.met.to_string(),
                    s.breached.to_string(),
                    s.lowest.map_or("-".into(), |p| percent_text(p, d)),
                    s.median.map_or("-".into(), |p| percent_text(p, d)),
                    credits_text(&s.credits),
                ]
            })
            .collect(),
    }
}

/// The customers that missed their target: by currency, credit owed (largest first),
/// then customer id.
fn breaches_table(rows: &[CustomerPeriod], d: u32) -> Table {
    let mut breaches: Vec<&CustomerPeriod> = rows.iter().filter(|r| !r.met).collect();
    breaches.sort_by(|a, b| {
        (&a.currency, std::cmp::Reverse(a.credit_amount), &a.customer_id).cmp(&(
            &b.currency,
            std::cmp::Reverse(b.credit_amount),
            &b.customer_id,
        ))
    });
    Table {
        headers: ["Customer", "Tier", "Uptime", "Target", "Credit %", "Credit"].map(String::from).to_vec(),
        widths: vec![2.6, 1.0, 1.1, 0.8, 0.8, 1.3],
        rows: breaches
            .iter()
            .map(|r| {
                vec![
                    format!("{} ({})", r.customer_name, r.customer_id),
                    r.tier.clone(),
                    percent_text(r.uptime, d),
                    format!("{} %", plain(r.target_percent)),
                    r.credit_percent.map_or("-".to_string(), plain),
                    r.credit_amount.map_or("-".to_string(), |c| money(c, &r.currency)),
                ]
            })
            .collect(),
    }
}

/// The 15 incidents that reached most customer-time.
fn worst_table(reach: &[IncidentReach]) -> Table {
    Table {
        headers: ["Incident", "Title", "Category / impact", "Customers", "Customer-minutes"].map(String::from).to_vec(),
        widths: vec![1.2, 2.5, 1.4, 0.9, 1.5],
        rows: reach
            .iter()
            .filter(|x| x.customer_seconds > 0)
            .take(15)
            .map(|x| {
                vec![
                    x.id.clone(),
                    x.title.clone(),
                    format!("{} / {}", x.category.as_str().replace('_', " "), x.impact),
                    x.customers.to_string(),
                    plain(Decimal::from(x.customer_seconds) / Decimal::from(60)),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(Decimal::from(0)), "0 s");
        assert_eq!(duration(Decimal::from(59)), "59 s");
        assert_eq!(duration(Decimal::from(7)), "7 s");
        assert_eq!(duration(Decimal::from(1339)), "22 min 19 s");
        assert_eq!(duration(Decimal::from(7440)), "2 h 04 min");
        assert_eq!(duration(Decimal::from(7445)), "2 h 04 min 05 s");
        assert_eq!(duration(Decimal::from(2_682_000)), "31 d 1 h 00 min");
        assert_eq!(duration("550.5".parse().unwrap()), "9 min 10.5 s");
    }

    #[test]
    fn money_is_grouped_for_reading() {
        assert_eq!(money("1250".parse().unwrap(), "GBP"), "GBP 1,250.00");
        assert_eq!(money("150000".parse().unwrap(), "JPY"), "JPY 150,000");
        assert_eq!(money("999.5".parse().unwrap(), "EUR"), "EUR 999.50");
        assert_eq!(money("1234567.891".parse().unwrap(), "KWD"), "KWD 1,234,567.891");
    }

    #[test]
    fn axis_and_heights() {
        assert_eq!(axis_floor("99.97".parse().unwrap(), "99.95".parse().unwrap()).to_string(), "99.9");
        assert_eq!(axis_floor("97.2".parse().unwrap(), "99.95".parse().unwrap()).to_string(), "95");
        assert_eq!(height(Decimal::from(100), "99.9".parse().unwrap()), 1.0);
        assert!((height("99.95".parse().unwrap(), "99.9".parse().unwrap()) - 0.5).abs() < 1e-6);
    }

    #[test]
    fn file_names_never_collide() {
        assert_eq!(file_safe("C001"), "C001");
        assert_ne!(file_safe("A 1"), file_safe("A_1"));
        assert!(file_safe("../etc").starts_with("_._etc-") && !file_safe("../etc").contains('/'));
        assert!(file_safe("").starts_with('-'));
        assert!(file_safe(".hidden").starts_with("_hidden-"));
        assert!(file_safe("CON").starts_with("CON-") && file_safe("nul.txt").starts_with("nul.txt-"));
        assert!(file_safe("a\0b").starts_with("a_b-"));
        let long = "x".repeat(300);
        assert!(file_safe(&long).len() <= 64 + 9);
        let cjk = "顧".repeat(100);
        assert!(file_safe(&cjk).len() <= 64 + 9 && file_safe(&cjk).starts_with('顧'));
    }

    #[test]
    fn file_stems_are_unique_in_a_month() {
        let clash = format!("a_b-{}", &crate::common::sha256_hex(b"a/b")[..8]);
        let ids = ["a/b", clash.as_str(), "C1", "c1", "X", "x/", "x?"];
        let stems = file_stems(&ids);
        let lower: std::collections::HashSet<String> = stems.iter().map(|s| s.to_lowercase()).collect();
        assert_eq!(lower.len(), ids.len(), "{stems:?}");
        assert_eq!(stems[1], clash, "a safe id keeps its own name");
        assert_eq!(stems[2], "C1");
        proptest::proptest!(|(ids in proptest::collection::vec("[a-zA-Z_./-]{0,6}", 1..20))| {
            let mut ids = ids;
            ids.sort();
            ids.dedup();
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let stems = file_stems(&refs);
            let lower: std::collections::HashSet<String> = stems.iter().map(|s| s.to_lowercase()).collect();
            proptest::prop_assert_eq!(lower.len(), ids.len());
            for s in &stems {
                proptest::prop_assert!(!s.starts_with('.') && !s.contains('/') && !s.is_empty());
            }
        });
    }

    #[test]
    fn month_labels() {
        assert_eq!(month_label(Month::new(2026, 10).unwrap()), "October 2026");
    }
}
