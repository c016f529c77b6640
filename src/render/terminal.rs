//! The short summary printed after a run: per month, customers, met, breached and
//! credits per currency.

use std::collections::BTreeMap;

use crate::core::numbers::minor_unit;
use crate::core::sla::CustomerMonth;

pub struct SummaryLine {
    pub month: String,
    pub customers: usize,
    pub met: usize,
    pub breached: usize,
    pub credits: String,
    pub directory: String,
}

pub fn summary_line(month: &str, rows: &[CustomerMonth], directory: &str) -> SummaryLine {
    let mut credits: BTreeMap<&str, rust_decimal::Decimal> = BTreeMap::new();
    for r in rows.iter().filter(|r| !r.credit_amount.is_zero()) {
        *credits.entry(r.currency.as_str()).or_default() += r.credit_amount;
    }
    let credits = if credits.is_empty() {
        "none".to_string()
    } else {
        credits
            .iter()
            .map(|(c, a)| {
                let mut a = *a;
                a.rescale(minor_unit(c));
                format!("{c} {a}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    SummaryLine {
        month: month.to_string(),
        customers: rows.len(),
        met: rows.iter().filter(|r| r.met).count(),
        breached: rows.iter().filter(|r| !r.met).count(),
        credits,
        directory: directory.to_string(),
    }
}

/// A plain aligned table.
pub fn table(lines: &[SummaryLine]) -> String {
    let header = ["month", "customers", "met", "breached", "credits", "written to"];
    let cells: Vec<[String; 6]> = lines
        .iter()
        .map(|l| {
            [
                l.month.clone(),
                l.customers.to_string(),
                l.met.to_string(),
                l.breached.to_string(),
                l.credits.clone(),
                l.directory.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let fmt = |row: &[String]| {
        row.iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| if (1..=3).contains(&i) { format!("{c:>w$}") } else { format!("{c:<w$}") })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = fmt(&header.map(String::from));
    out.push('\n');
    for row in &cells {
        out.push_str(&fmt(row));
        out.push('\n');
    }
    out
}
