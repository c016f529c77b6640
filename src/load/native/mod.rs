//! Native readers: sources that are not flat tables (a status page's incident JSON, a
//! monitor's SQLite database, a Prometheus range query, a cloud status feed).
//!
//! Each reader turns its source into canonical rows (the columns a CSV input of that role
//! has), each with the place it came from: a JSON path, a table and rowid, series labels.
//! The rows are written as canonical CSV into a temporary directory and read by the same
//! loaders as any CSV input, so a native source is validated exactly as a file is, and a
//! problem in a row is reported at its source place. `slareport import` writes the same
//! CSV files for a user to look at before a report relies on them.

mod gcp_status;
mod json;
mod statuspage;

use std::collections::BTreeMap;
use std::path::Path;

mod prometheus;
mod uptime_kuma;

use super::table::InputError;
use crate::common::quote;
use crate::core::interval::Instant;

pub use crate::config::NativeFormat as Format;

/// The canonical rows of one role read from a native source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Canonical {
    /// Canonical column names, in order (a subset of the role's columns).
    pub columns: Vec<&'static str>,
    pub rows: Vec<Row>,
}

/// One canonical row and where in the source it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The record's place in the source: `$[12].incident_updates[0]`, `heartbeat rowid 5`, ...
    pub source: String,
    /// One cell per column of its table, canonical text (instants as `2026-10-03T14:05:00Z`).
    pub cells: Vec<String>,
}

/// Everything a native source holds, as canonical rows per role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Native {
    pub(crate) checks: Option<Canonical>,
    /// Whether the checks are a state-change log (each status holds until the next row).
    pub(crate) checks_are_events: bool,
    pub(crate) outages: Option<Canonical>,
    pub incidents: Option<Canonical>,
    /// Source records read (incidents, heartbeats, samples).
    pub records: usize,
    /// What was read but not used, and why, in words (shown by `import`).
    pub notes: Vec<String>,
}

/// The options of a native input (`options = { ... }` in its config entry).
pub type Options = BTreeMap<String, String>;

/// Reads a native source. `now` is the report time (a source may hold open incidents).
pub fn read(format: Format, path: &Path, display: &str, options: &Options, now: Instant) -> Result<Native, InputError> {
    match format {
        Format::Statuspage => statuspage::read(path, display, options, now),
        Format::GcpStatus => gcp_status::read(path, display, options, now),
        Format::UptimeKuma => uptime_kuma::read(path, display, options, now),
        Format::Prometheus => prometheus::read(path, display, options),
    }
}

/// `2026-10-03T14:05:00Z`: the canonical text of an instant.
pub(crate) fn instant_text(t: Instant) -> String {
    crate::core::time::format_utc(t)
}

/// A canonical table as CSV bytes, and the line on which each row starts (1-based; line 1
/// is the header).
pub(crate) fn to_csv(table: &Canonical) -> (Vec<u8>, Vec<u64>) {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    w.write_record(&table.columns).expect("writing to memory");
    w.flush().expect("writing to memory");
    let mut starts = Vec::with_capacity(table.rows.len());
    let mut line = 2u64;
    // Only the bytes written since the last row are counted: a table of many rows stays linear.
    let mut counted = w.get_ref().len();
    for row in &table.rows {
        starts.push(line);
        w.write_record(&row.cells).expect("writing to memory");
        w.flush().expect("writing to memory");
        let written = w.get_ref();
        line += written[counted..].iter().filter(|&&b| b == b'\n').count() as u64;
        counted = written.len();
    }
    (w.into_inner().expect("writing to memory"), starts)
}

/// Where the canonical rows of one table came from, to report a problem at its source.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    /// The source file as shown in messages.
    pub(crate) display: String,
    /// The canonical CSV as shown by the loader (its path in the temporary directory).
    pub(crate) csv_display: String,
    pub(crate) starts: Vec<u64>,
    pub(crate) sources: Vec<String>,
}

impl Origin {
    /// The source place of the row starting at or before `line` of the canonical CSV.
    pub(crate) fn place(&self, line: u64) -> Option<&str> {
        let k = self.starts.partition_point(|&s| s <= line).checked_sub(1)?;
        self.sources.get(k).map(String::as_str)
    }

    /// A loader's message about the canonical CSV, told about the source instead:
    /// `kuma.db: heartbeat rowid 12: column 'status': ...`.
    pub(crate) fn relocate(&self, e: InputError) -> InputError {
        let Some(rest) = e.0.strip_prefix(&self.csv_display) else { return e };
        let Some(rest) = rest.strip_prefix(':') else {
            return InputError(format!("{}{rest}", self.display));
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let Ok(line) = digits.parse::<u64>() else {
            return InputError(format!("{}:{rest}", self.display));
        };
        // Skip `LINE:` and an optional `COL:`.
        let mut tail = &rest[digits.len()..];
        tail = tail.strip_prefix(':').unwrap_or(tail);
        let col: String = tail.chars().take_while(char::is_ascii_digit).collect();
        if !col.is_empty() {
            tail = tail[col.len()..].strip_prefix(':').unwrap_or(&tail[col.len()..]);
        }
        match self.place(line) {
            Some(place) => InputError(format!("{}: {place}:{tail}", self.display)),
            None => InputError(format!("{}:{tail}", self.display)),
        }
    }

    /// An evidence source `name:LINE` of the canonical CSV, as `name: <source place>`.
    pub(crate) fn relocate_source(&self, source: &str, name: &str) -> String {
        let Some(rest) = source.strip_prefix(name).and_then(|r| r.strip_prefix(':')) else { return source.to_string() };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        match digits.parse::<u64>().ok().and_then(|l| self.place(l)) {
            Some(place) => format!("{name} {place}{}", &rest[digits.len()..]),
            None => source.to_string(),
        }
    }
}

/// Unknown option keys are errors naming the valid ones.
fn check_keys(display: &str, options: &Options, valid: &[&str]) -> Result<(), InputError> {
    for key in options.keys() {
        if !valid.contains(&key.as_str()) {
            return Err(InputError(format!(
                "{display}: options: unknown option {}, expected one of: {}",
                quote(key),
                valid.join(", ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Canonical {
        Canonical {
            columns: vec!["incident_id", "title"],
            rows: vec![
                Row { source: "$[0]".into(), cells: vec!["A".into(), "one".into()] },
                Row { source: "$[1]".into(), cells: vec!["B".into(), "two\nlines".into()] },
                Row { source: "$[2]".into(), cells: vec!["C".into(), "three".into()] },
            ],
        }
    }

    #[test]
    fn rows_are_found_again_by_line_even_across_quoted_newlines() {
        let (bytes, starts) = to_csv(&table());
        assert_eq!(String::from_utf8(bytes).unwrap(), "incident_id,title\nA,one\nB,\"two\nlines\"\nC,three\n");
        assert_eq!(starts, [2, 3, 5]);
        let o = Origin {
            display: "src.json".into(),
            csv_display: "/tmp/x/incidents.csv".into(),
            starts,
            sources: vec!["$[0]".into(), "$[1]".into(), "$[2]".into()],
        };
        let e = o.relocate(InputError("/tmp/x/incidents.csv:5:1: column 'impact': unknown impact".into()));
        assert_eq!(e.0, "src.json: $[2]: column 'impact': unknown impact");
        let e = o.relocate(InputError("/tmp/x/incidents.csv:4: expected 2 fields".into()));
        assert_eq!(e.0, "src.json: $[1]: expected 2 fields");
        let e = o.relocate(InputError("/tmp/x/incidents.csv: missing columns 'start'".into()));
        assert_eq!(e.0, "src.json: missing columns 'start'");
        assert_eq!(o.relocate_source("status.json:3", "status.json"), "status.json $[1]");
        assert_eq!(o.relocate_source("status.json:5 (open)", "status.json"), "status.json $[2] (open)");
    }

    #[test]
    fn formats_by_name() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
        }
        assert!("kuma".parse::<Format>().unwrap_err().contains("uptime-kuma"));
    }
}
