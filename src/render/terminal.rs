//! The short summary printed after a run: per period, customers, met, breached and
//! credits per currency.

use super::view::money;
use crate::core::sla::{CustomerPeriod, credits_by_currency};

pub(crate) struct SummaryLine {
    pub(crate) month: String,
    pub(crate) customers: usize,
    pub(crate) met: usize,
    pub(crate) breached: usize,
    /// Customers whose downtime exceeds what their target allows (error budget spent).
    pub(crate) over_budget: usize,
    pub(crate) credits: String,
    pub(crate) directory: String,
}

pub(crate) fn summary_line(month: &str, rows: &[CustomerPeriod], directory: &str) -> SummaryLine {
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
pub(crate) fn table(lines: &[SummaryLine]) -> String {
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
pub(crate) fn grid(header: &[String], rows: &[Vec<String>]) -> String {
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
pub(crate) fn usage_table(usage: &[(&crate::load::InputFile, usize)]) -> String {
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

/// Which words of a command's text are coloured on a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// `verify`: `ok` green, `FAIL` red, the verdict line's `verified` / `FAILED`.
    Verify,
    /// `run`: the summary table's `met` counts green, non-zero `breached` counts red.
    Summary,
}

const GREEN: &str = "\u{1b}[32m";
const RED: &str = "\u{1b}[31m";
const RESET: &str = "\u{1b}[0m";

/// Colour is used when the stream is a terminal and `NO_COLOR` is unset or empty
/// (<https://no-color.org>).
pub fn colour_wanted(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn coloured(colour: &str, word: &str) -> String {
    format!("{colour}{word}{RESET}")
}

/// Colours `text` (already [`clean`]ed, so the only escapes are these) for a terminal.
pub fn paint(text: &str, what: Paint) -> String {
    match what {
        Paint::Verify => text.split_inclusive('\n').map(paint_verify_line).collect(),
        Paint::Summary => paint_summary(text),
    }
}

fn paint_verify_line(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("ok  ") {
        format!("{}  {rest}", coloured(GREEN, "ok"))
    } else if let Some(rest) = line.strip_prefix("FAIL") {
        format!("{}{rest}", coloured(RED, "FAIL"))
    } else if let Some(rest) = line.strip_prefix("verified:") {
        format!("{}:{rest}", coloured(GREEN, "verified"))
    } else if line.starts_with("verification of ")
        && let Some(k) = line.rfind(" FAILED:")
    {
        format!("{} {}{}", &line[..k], coloured(RED, "FAILED"), &line[k + " FAILED".len()..])
    } else {
        line.to_string()
    }
}

/// The summary table's rows follow its header (`period  customers  met  breached ...`);
/// numeric columns are right-aligned, so a count ends where its header word ends.
fn paint_summary(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut columns: Option<(usize, usize)> = None;
    for line in text.split_inclusive('\n') {
        let chars: Vec<char> = line.trim_end_matches('\n').chars().collect();
        if line.starts_with("period ") {
            let body: String = chars.iter().collect();
            let end_of = |word: &str| body.find(word).map(|b| body[..b].chars().count() + word.chars().count());
            columns = end_of("  met  ").map(|e| e - 2).zip(end_of("  breached  ").map(|e| e - 2));
            out.push_str(line);
            continue;
        }
        let Some((met_end, breached_end)) = columns else {
            out.push_str(line);
            continue;
        };
        let count = |end: usize| -> Option<(usize, usize)> {
            if end > chars.len() || chars.get(end).is_some_and(|c| *c != ' ') {
                return None;
            }
            let start = (0..end).rev().take_while(|&k| chars[k].is_ascii_digit()).last()?;
            (start > 0 && chars[start - 1] == ' ').then_some((start, end))
        };
        match (count(met_end), count(breached_end)) {
            (Some(m), Some(b)) => {
                let cell = |(a, z): (usize, usize)| chars[a..z].iter().collect::<String>();
                let (met, breached) = (cell(m), cell(b));
                let mut painted: String = chars[..m.0].iter().collect();
                painted.push_str(&if met == "0" { met } else { coloured(GREEN, &met) });
                painted.extend(&chars[m.1..b.0]);
                painted.push_str(&if breached == "0" { breached } else { coloured(RED, &breached) });
                painted.extend(&chars[b.1..]);
                out.push_str(&painted);
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            _ => {
                columns = None;
                out.push_str(line);
            }
        }
    }
    out
}

#[cfg(test)]
mod paint_tests {
    use super::*;

    #[test]
    fn verify_words_are_coloured() {
        let text = "ok    hash chain of 2 records is unbroken\nFAIL  input (checks) x\nverification of run-000001 FAILED: 1 problem(s)\n";
        assert_eq!(
            paint(text, Paint::Verify),
            "\u{1b}[32mok\u{1b}[0m    hash chain of 2 records is unbroken\n\u{1b}[31mFAIL\u{1b}[0m  input (checks) x\n\
             verification of run-000001 \u{1b}[31mFAILED\u{1b}[0m: 1 problem(s)\n"
        );
        assert_eq!(
            paint("verified: run-000002 is intact\n", Paint::Verify),
            "\u{1b}[32mverified\u{1b}[0m: run-000002 is intact\n"
        );
    }

    #[test]
    fn summary_counts_are_coloured_and_nothing_else() {
        let lines = [
            SummaryLine {
                month: "2026-10".into(),
                customers: 17,
                met: 4,
                breached: 13,
                over_budget: 13,
                credits: "EUR 1,299.00".into(),
                directory: "out/2026-10/".into(),
            },
            SummaryLine {
                month: "2026-11".into(),
                customers: 2,
                met: 2,
                breached: 0,
                over_budget: 0,
                credits: "none".into(),
                directory: "out/2026-11/".into(),
            },
        ];
        let text = format!("Run run-000001: reports\n{}input  role\nx.csv  checks\n", table(&lines));
        let painted = paint(&text, Paint::Summary);
        assert!(
            painted.contains("       17    \u{1b}[32m4\u{1b}[0m        \u{1b}[31m13\u{1b}[0m           13"),
            "{painted}"
        );
        assert!(painted.contains("        2    \u{1b}[32m2\u{1b}[0m         0            0"), "{painted}");
        let plain = [GREEN, RED, RESET].iter().fold(painted.clone(), |t, e| t.replace(e, ""));
        assert_eq!(plain, text, "only escapes were added");
        assert_eq!(painted.matches('\u{1b}').count(), 6, "{painted}");
    }
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
