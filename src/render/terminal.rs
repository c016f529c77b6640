//! The short summary printed after a run: per period, customers, met, breached and
//! credits per currency.

use super::view::money;
use crate::core::sla::{CustomerPeriod, credits_by_currency};

pub struct SummaryLine {
    pub month: String,
    pub customers: usize,
    pub met: usize,
    pub breached: usize,
    /// Customers whose downtime exceeds what their target allows (error budget spent).
    pub over_budget: usize,
    pub credits: String,
    pub directory: String,
}

pub fn summary_line(month: &str, rows: &[CustomerPeriod], directory: &str) -> SummaryLine {
    let owed: Vec<String> =
        credits_by_currency(rows).iter().filter(|(_, a)| !a.is_zero()).map(|(c, a)| money(*a, c)).collect();
    let credits = if owed.is_empty() { "none".to_string() } else { owed.join(", ") };
    SummaryLine {
        month: month.to_string(),
        customers: rows.len(),
        met: rows.iter().filter(|r| r.met).count(),
        breached: rows.iter().filter(|r| !r.met).count(),
        over_budget: rows.iter().filter(|r| r.budget.remaining < rust_decimal::Decimal::ZERO).count(),
        credits,
        directory: directory.to_string(),
    }
}

/// The run summary as an aligned table.
pub fn table(lines: &[SummaryLine]) -> String {
    let header =
        ["period", "customers", "met", "breached", "over budget", "credits", "written to"].map(String::from).to_vec();
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.month.clone(),
                l.customers.to_string(),
                l.met.to_string(),
                l.breached.to_string(),
                l.over_budget.to_string(),
                l.credits.clone(),
                l.directory.clone(),
            ]
        })
        .collect();
    grid(&header, &rows)
}

/// A plain aligned table; cells that look like numbers are right-aligned.
pub fn grid(header: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let numeric = |c: &str| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit() || ch == '.' || ch == ',');
    // A column whose cells are all numbers has its header right-aligned too.
    let right: Vec<bool> = (0..header.len())
        .map(|k| !rows.is_empty() && rows.iter().all(|r| r.get(k).is_some_and(|c| numeric(c))))
        .collect();
    let fmt = |row: &[String], is_header: bool| {
        row.iter()
            .zip(&widths)
            .enumerate()
            .map(|(k, (c, &w))| {
                let pad = w.saturating_sub(c.chars().count());
                let right = if is_header { right[k] } else { numeric(c) };
                if right { format!("{}{c}", " ".repeat(pad)) } else { format!("{c}{}", " ".repeat(pad)) }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = fmt(header, true);
    out.push('\n');
    for row in rows {
        out.push_str(&fmt(row, false));
        out.push('\n');
    }
    out
}

/// Rows read per input file, and how many lie inside and outside the reported periods.
pub fn usage_table(usage: &[(&crate::load::InputFile, usize)]) -> String {
    let header = ["input", "role", "rows read", "used", "outside the periods"].map(String::from).to_vec();
    let rows: Vec<Vec<String>> = usage
        .iter()
        .map(|(f, used)| vec![f.name.clone(), f.role.to_string(), group(f.rows), group(*used), group(f.rows - used)])
        .collect();
    grid(&header, &rows)
}

fn group(n: usize) -> String {
    super::view::group_thousands(&n.to_string())
}

/// Text for a terminal: control characters (escape sequences from names in the data,
/// say) removed, except line breaks and tabs.
pub fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect()
}

/// An error message as one clean line of at most 500 characters.
pub fn one_line(text: &str) -> String {
    let flat: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let mut line: String = flat.chars().take(500).collect();
    if flat.chars().nth(500).is_some() {
        line.push('…');
    }
    line
}

#[cfg(test)]
mod clean_tests {
    use super::*;

    #[test]
    fn escapes_are_removed_and_errors_are_one_short_line() {
        assert_eq!(clean("a\u{1b}[31mred\u{1b}[0m\tb\n\u{7}"), "a[31mred[0m\tb\n");
        assert_eq!(one_line("x\ny"), "x y");
        assert_eq!(one_line(&"z".repeat(2000)).chars().count(), 501);
    }
}
