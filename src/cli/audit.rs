//! The auditors' commands: `verify`, `diff`, `explain`, `history`.

use chrono_tz::Tz;
use clap::Args;
use std::path::PathBuf;

use super::Outcome;
use crate::audit::{diff, history::Store, verify};
use crate::core::interval::Instant;
use crate::core::time::{Month, parse_instant};
use crate::pipeline::{self, RunError};
use crate::render::{explain, terminal};

fn parse_as_of(s: &str) -> Result<Instant, String> {
    parse_instant(s, Tz::UTC).map_err(|e| e.to_string())
}

/// Exit code when a verification finds a mismatch.
pub const VERIFY_FAILED: i32 = 6;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A run id (e.g. run-000003) or a month's manifest.json; default: the latest run.
    pub target: Option<String>,
    /// The output directory holding the history.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
}

pub fn verify(args: VerifyArgs) -> Result<Outcome, RunError> {
    let target = verify::Target::parse(args.target.as_deref());
    let (id, checks) = verify::verify(&args.out, &target).map_err(RunError::Usage)?;
    let mut text = String::new();
    for c in &checks {
        text.push_str(&format!("{}  {}\n", if c.ok { "ok  " } else { "FAIL" }, c.what));
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    if failed == 0 {
        text.push_str(&format!("verified: {id} is intact and reproducible\n"));
        Ok(Outcome { text, code: 0 })
    } else {
        text.push_str(&format!("verification of {id} FAILED: {failed} problem(s)\n"));
        Ok(Outcome { text, code: VERIFY_FAILED })
    }
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier run id or month directory.
    pub a: String,
    /// The later run id or month directory.
    pub b: String,
    /// The output directory holding the history (for run ids).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Also write the restatements as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

pub fn diff(args: DiffArgs) -> Result<Outcome, RunError> {
    let a = diff::load_side(&args.out, &args.a).map_err(RunError::Usage)?;
    let b = diff::load_side(&args.out, &args.b).map_err(RunError::Usage)?;
    let list = diff::restatements(&a, &b);
    let mut text = format!("Restatements from {} to {}: {}\n", a.label, b.label, list.len());
    if !list.is_empty() {
        let header = diff::CSV_HEADER.map(String::from).to_vec();
        let rows: Vec<Vec<String>> = diff::rows(&list).into_iter().map(|r| r.to_vec()).collect();
        text.push_str(&terminal::grid(&header, &rows));
    }
    let changes = diff::input_changes(&a, &b);
    text.push_str(&format!(
        "Inputs changed: {}\n",
        if changes.is_empty() { "none".to_string() } else { changes.len().to_string() }
    ));
    for c in changes {
        text.push_str(&format!("  {c}\n"));
    }
    if let Some(path) = &args.csv {
        crate::audit::history::atomic_write(path, &diff::to_csv(&list))?;
        text.push_str(&format!("Wrote {}\n", path.display()));
    }
    Ok(Outcome { text, code: 0 })
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Customer id.
    #[arg(long)]
    pub customer: String,
    /// Month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Month,
    /// Configuration file (TOML). Default: the bundled sample-data/sla.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Fix "now" (for incidents still open).
    #[arg(long, value_name = "INSTANT", value_parser = parse_as_of)]
    pub as_of: Option<Instant>,
}

pub fn explain(args: ExplainArgs, clock_now: Instant) -> Result<Outcome, RunError> {
    let config = super::run::config_or_sample(args.config)?;
    let prepared = pipeline::prepare(&config, args.as_of, clock_now)?;
    let result = prepared.compute(args.month);
    let row = result.rows.iter().find(|r| r.customer_id == args.customer).ok_or_else(|| {
        RunError::Usage(format!(
            "customer {:?} has no contract in {} (or is not in the customers file)",
            args.customer, args.month
        ))
    })?;
    let text = explain::explain(row, &prepared.config.tiers[&row.tier], prepared.config.decimals);
    Ok(Outcome { text, code: 0 })
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The output directory holding the history.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Export every run's per-customer-month results as one CSV file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

pub fn history(args: HistoryArgs) -> Result<Outcome, RunError> {
    let store = Store::of(&args.out);
    let records = store.read()?;
    let header = ["run", "recorded at", "months", "config", "inputs", "outputs"].map(String::from).to_vec();
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| match &r.record {
            Some(x) => vec![
                x.run_id.clone(),
                x.recorded_at.clone(),
                x.months.join(" "),
                crate::audit::history::short(&x.config.sha256),
                x.inputs.len().to_string(),
                x.outputs.len().to_string(),
            ],
            None => vec![
                format!("line {}: unreadable", r.line_no),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
        })
        .collect();
    let mut text = format!("{} run(s) recorded in {}\n", records.len(), store.runs_file().display());
    text.push_str(&terminal::grid(&header, &rows));
    if let Some(path) = &args.csv {
        let ids: Vec<String> = records.iter().filter_map(|r| r.record.as_ref().map(|x| x.run_id.clone())).collect();
        let files: Vec<PathBuf> = ids.iter().map(|id| store.results_file(id)).collect();
        let bytes = crate::load::history::results_csv(&files).map_err(RunError::Output)?;
        crate::audit::history::atomic_write(path, &bytes)?;
        text.push_str(&format!("Wrote {}\n", path.display()));
    }
    Ok(Outcome { text, code: 0 })
}
