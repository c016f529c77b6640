//! `slareport import`: a native source (a status page's JSON, a monitor's database, a
//! Prometheus range query) as the canonical CSV files a run reads from it, so a user sees
//! what was understood before a report relies on it.

use clap::Args;
use std::path::PathBuf;

use super::Outcome;
use crate::core::interval::Instant;
use crate::error::RunError;
use crate::load::InputError;
use crate::load::native::{self, Canonical, Format};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  slareport import statuspage incidents.json --out canonical/\n  slareport import uptime-kuma kuma.db --option pending=down --out canonical/\n\nWrites checks.csv, outages.csv and incidents.csv (those the source has), each with a last column source_record naming the record each row comes from."
)]
pub struct ImportArgs {
    /// The source format: statuspage, uptime-kuma, prometheus or gcp-status.
    #[arg(value_name = "FORMAT", value_parser = |s: &str| s.parse::<Format>())]
    pub format: Format,
    /// The source file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output directory for the canonical CSV files.
    #[arg(long, value_name = "DIR", default_value = "canonical")]
    pub out: PathBuf,
    /// A reader option, as in the config's `options = { KEY = "VALUE" }`; repeatable.
    #[arg(long = "option", value_name = "KEY=VALUE", value_parser = parse_option)]
    pub options: Vec<(String, String)>,
    /// "Now" for open incidents, e.g. 2026-11-01T00:00:00Z.
    #[arg(long, value_name = "INSTANT", value_parser = super::parse_as_of)]
    pub as_of: Option<Instant>,
}

fn parse_option(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once('=').ok_or_else(|| format!("expected KEY=VALUE, found {s:?}"))?;
    Ok((k.trim().to_string(), v.trim().to_string()))
}

/// The CSV of a canonical table with a last column `source_record` (ignored by the
/// loaders, which read only their columns).
fn with_sources(table: &Canonical) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let mut header: Vec<&str> = table.columns.clone();
    header.push("source_record");
    w.write_record(&header).expect("writing to memory");
    for row in &table.rows {
        w.write_record(row.cells.iter().map(String::as_str).chain(std::iter::once(row.source.as_str())))
            .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

pub fn import(args: ImportArgs, clock_now: Instant) -> Result<Outcome, RunError> {
    let display = args.file.display().to_string();
    if !args.file.is_file() {
        return Err(RunError::Input(InputError(format!("{display}: not found, or not a file"))));
    }
    super::run::check_out_dir(&args.out)?;
    let options: native::Options = args.options.into_iter().collect();
    let native = native::read(args.format, &args.file, &display, &options, args.as_of.unwrap_or(clock_now))?;
    let tables = [("checks", &native.checks), ("outages", &native.outages), ("incidents", &native.incidents)];
    let fail = |p: &std::path::Path, e: std::io::Error| RunError::Output(format!("{}: cannot write: {e}", p.display()));
    std::fs::create_dir_all(&args.out).map_err(|e| fail(&args.out, e))?;
    let mut text = format!("{display}: {} records read as {}\n", native.records, args.format);
    for (role, table) in tables {
        let Some(table) = table else { continue };
        let path = args.out.join(format!("{role}.csv"));
        // Written whole, then renamed: never a half-written file.
        let mut tmp = tempfile::NamedTempFile::new_in(&args.out).map_err(|e| fail(&args.out, e))?;
        std::io::Write::write_all(&mut tmp, &with_sources(table)).map_err(|e| fail(&path, e))?;
        tmp.persist(&path).map_err(|e| fail(&path, e.error))?;
        let kind = if role == "checks" && native.checks_are_events { " (a state-change log)" } else { "" };
        text.push_str(&format!("  {} {role}{kind} -> {}\n", table.rows.len(), path.display()));
    }
    for n in &native.notes {
        text.push_str(&format!("  note: {n}\n"));
    }
    Ok(Outcome { text, code: 0, data: None, warnings: Vec::new() })
}
