//! `slareport import`: a native source (a status page's JSON, a monitor's database, a
//! Prometheus range query) as the canonical CSV files a run reads from it, so a user sees
//! what was understood before a report relies on it.

use clap::Args;
use std::path::{Path, PathBuf};

use super::Outcome;
use crate::config::STDIN_NAME;
use crate::core::interval::Instant;
use crate::error::RunError;
use crate::load::InputError;
use crate::load::native::{self, Canonical, Format};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  slareport import statuspage incidents.json --out canonical/\n  slareport import uptime-kuma kuma.db --option pending=down --out canonical/\n  curl -s https://status.example.com/api/v2/incidents.json | slareport import statuspage - --out - > incidents.csv\n  slareport import uptime-kuma kuma.db --table checks --out - | head\n\nWrites checks.csv, outages.csv and incidents.csv (those the source has), each with a last column source_record naming the record each row comes from; with --out - the one table the source gives (or --table names) goes to standard output and the summary to standard error."
)]
pub struct ImportArgs {
    /// The source format: statuspage, uptime-kuma, prometheus or gcp-status.
    #[arg(value_name = "FORMAT", value_parser = |s: &str| s.parse::<Format>())]
    pub(crate) format: Format,
    /// The source file; - reads standard input.
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// Output directory for the canonical CSV files; - writes the one table a source
    /// gives to standard output.
    #[arg(long, value_name = "DIR", default_value = "canonical")]
    pub(crate) out: PathBuf,
    /// Only this table: checks, outages or incidents (for --out - when a source gives
    /// several, such as an Uptime Kuma database with maintenance windows).
    #[arg(long, value_name = "ROLE", value_parser = ["checks", "outages", "incidents"])]
    pub(crate) table: Option<String>,
    /// A reader option, as in the config's `options = { KEY = "VALUE" }`; repeatable.
    #[arg(long = "option", value_name = "KEY=VALUE", value_parser = parse_option)]
    pub(crate) options: Vec<(String, String)>,
    /// "Now" for open incidents, e.g. 2026-11-01T00:00:00Z.
    #[arg(long, value_name = "INSTANT", value_parser = super::parse_as_of)]
    pub(crate) as_of: Option<Instant>,
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

/// The source file to read: the named file, or standard input copied whole into a
/// temporary file (`-`; a database must be a file for SQLite, and every reader takes a
/// path), named `<stdin>` in messages.
fn source_file(file: &Path) -> Result<(PathBuf, String, Option<tempfile::NamedTempFile>), RunError> {
    if file.as_os_str() != "-" {
        let display = file.display().to_string();
        if !file.is_file() {
            return Err(RunError::Input(InputError(format!("{display}: not found, or not a file"))));
        }
        return Ok((file.to_path_buf(), display, None));
    }
    let fail = |e: std::io::Error| RunError::Input(InputError(format!("{STDIN_NAME}: cannot read: {e}")));
    let mut tmp = tempfile::NamedTempFile::new().map_err(fail)?;
    std::io::copy(&mut std::io::stdin().lock(), &mut tmp).map_err(fail)?;
    Ok((tmp.path().to_path_buf(), STDIN_NAME.to_string(), Some(tmp)))
}

pub(crate) fn import(args: ImportArgs, clock_now: Instant) -> Result<Outcome, RunError> {
    let to_stdout = args.out.as_os_str() == "-";
    let stdin = args.file.as_os_str() == "-";
    // A bad --out is told before standard input is read; a missing file before a bad --out.
    if stdin && !to_stdout {
        super::run::check_out_dir(&args.out)?;
    }
    let (file, display, _stdin_copy) = source_file(&args.file)?;
    if !stdin && !to_stdout {
        super::run::check_out_dir(&args.out)?;
    }
    let options: native::Options = args.options.into_iter().collect();
    let native = native::read(args.format, &file, &display, &options, args.as_of.unwrap_or(clock_now))?;
    let tables = chosen_tables(&native, args.table.as_deref(), &display)?;
    let mut text = format!("{display}: {} records read as {}\n", native.records, args.format);
    let kind = |role: &str| if role == "checks" && native.checks_are_events { " (a state-change log)" } else { "" };
    let data = if to_stdout {
        let [(role, table)] = tables[..] else {
            let roles: Vec<&str> = tables.iter().map(|(r, _)| *r).collect();
            return Err(RunError::Usage(format!(
                "--out -: {display} gives {} tables ({}), and standard output takes one; give --table ROLE or a directory",
                roles.len(),
                roles.join(", ")
            )));
        };
        text.push_str(&format!("  {} {role}{} -> standard output\n", table.rows.len(), kind(role)));
        Some(with_sources(table))
    } else {
        std::fs::create_dir_all(&args.out)
            .map_err(|e| RunError::Output(format!("{}: cannot write: {e}", args.out.display())))?;
        for (role, table) in tables {
            let path = write_table(&args.out, role, table)?;
            text.push_str(&format!("  {} {role}{} -> {}\n", table.rows.len(), kind(role), path.display()));
        }
        None
    };
    for n in &native.notes {
        text.push_str(&format!("  note: {n}\n"));
    }
    Ok(Outcome { text, code: 0, data, warnings: Vec::new() })
}

/// The tables of a source to write: all it gives, or the one `--table` names (an error
/// when the source gives none of that role).
fn chosen_tables<'a>(
    native: &'a native::Native,
    only: Option<&str>,
    display: &str,
) -> Result<Vec<(&'static str, &'a Canonical)>, RunError> {
    let all: Vec<(&'static str, &Canonical)> =
        [("checks", &native.checks), ("outages", &native.outages), ("incidents", &native.incidents)]
            .into_iter()
            .filter_map(|(role, t)| t.as_ref().map(|t| (role, t)))
            .collect();
    let Some(only) = only else { return Ok(all) };
    let given: Vec<&str> = all.iter().map(|(r, _)| *r).collect();
    let chosen: Vec<_> = all.into_iter().filter(|(r, _)| *r == only).collect();
    if chosen.is_empty() {
        return Err(RunError::Input(InputError(format!(
            "{display}: --table {only}: the source gives no {only} (it gives: {})",
            if given.is_empty() { "nothing".to_string() } else { given.join(", ") }
        ))));
    }
    Ok(chosen)
}

/// Writes `OUT/ROLE.csv` whole under a temporary name, then renames it: never a
/// half-written file.
fn write_table(out: &Path, role: &str, table: &Canonical) -> Result<PathBuf, RunError> {
    let fail = |p: &Path, e: std::io::Error| RunError::Output(format!("{}: cannot write: {e}", p.display()));
    let path = out.join(format!("{role}.csv"));
    let mut tmp = tempfile::NamedTempFile::new_in(out).map_err(|e| fail(out, e))?;
    std::io::Write::write_all(&mut tmp, &with_sources(table)).map_err(|e| fail(&path, e))?;
    tmp.persist(&path).map_err(|e| fail(&path, e.error))?;
    Ok(path)
}
