//! The auditors' commands: `verify`, `diff`, `explain`, `history`.

use clap::Args;
use std::path::PathBuf;

use super::{Outcome, output};
use crate::audit::{diff, history::Store, verify};
use crate::core::interval::Instant;
use crate::core::period::PeriodSpec;
use crate::core::time::Month;
use crate::pipeline::{self, RunError};
use crate::render::{explain, terminal};

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

/// Lines telling what [`pipeline::complete_interrupted`] did, for a command's output.
fn completed(out: &std::path::Path) -> String {
    pipeline::complete_interrupted(out).into_iter().map(|l| format!("done  {l}\n")).collect()
}

pub fn verify(args: VerifyArgs) -> Result<Outcome, RunError> {
    let target = verify::Target::parse(args.target.as_deref());
    let mut text = completed(&args.out);
    let (id, checks) = verify::verify(&args.out, &target).map_err(RunError::Usage)?;
    for c in &checks {
        text.push_str(&format!("{}  {}\n", if c.ok { "ok  " } else { "FAIL" }, c.what));
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    if failed == 0 {
        text.push_str(&format!("verified: {id} is intact and reproducible\n"));
        Ok(Outcome { text, code: 0, data: None, warnings: Vec::new() })
    } else {
        text.push_str(&format!("verification of {id} FAILED: {failed} problem(s)\n"));
        Ok(Outcome { text, code: VERIFY_FAILED, data: None, warnings: Vec::new() })
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
    /// Also write the restatements as CSV to this file (- for standard output).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

pub fn diff(args: DiffArgs) -> Result<Outcome, RunError> {
    let dest = args.csv.as_deref().map(|p| output::destination(p, &args.out)).transpose()?;
    let mut text = completed(&args.out);
    let a = diff::load_side(&args.out, &args.a).map_err(RunError::Usage)?;
    let b = diff::load_side(&args.out, &args.b).map_err(RunError::Usage)?;
    let list = diff::restatements(&a, &b);
    text.push_str(&format!("Restatements from {} to {}: {}\n", a.label, b.label, list.len()));
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
    let mut data = None;
    if let Some(dest) = &dest {
        data = output::write(dest, diff::to_csv(&list))?;
        if let output::Destination::File(p) = dest {
            text.push_str(&format!("Wrote {}\n", p.display()));
        }
    }
    Ok(Outcome { text, code: 0, data, warnings: Vec::new() })
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Customer id.
    #[arg(long)]
    pub customer: String,
    /// Month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", required_unless_present = "period", conflicts_with = "period")]
    pub month: Option<Month>,
    /// Or any period: 2026-Q3, 2026, 2026-10-01..2026-12-31, last-90-days.
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<PeriodSpec>,
    /// Configuration file (TOML). Default: the bundled sample-data/sla.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Fix "now" (for incidents still open).
    #[arg(long, value_name = "INSTANT", value_parser = super::parse_as_of)]
    pub as_of: Option<Instant>,
}

pub fn explain(args: ExplainArgs, clock_now: Instant) -> Result<Outcome, RunError> {
    let config = crate::config::Config::load(&super::run::config_or_sample(args.config)?)?;
    let inputs = super::run::InputArgs {
        config: None,
        month: args.month,
        from: None,
        to: None,
        period: args.period,
        every: None,
        as_of: args.as_of,
    };
    let period = super::run::asked_periods(&inputs, &config, clock_now)?
        .and_then(|p| p.into_iter().next())
        .ok_or_else(|| RunError::Usage("give --month or --period".into()))?;
    let prepared = pipeline::prepare(config, args.as_of, clock_now)?;
    let result = prepared.compute(&period);
    let row = result.rows.iter().find(|r| r.customer_id == args.customer).ok_or_else(|| {
        RunError::Usage(format!(
            "customer {:?} has no contract in {} (or is not in the customers file)",
            args.customer, period
        ))
    })?;
    let text = explain::explain(row, &prepared.config.tiers[&row.tier], prepared.config.decimals);
    Ok(Outcome { text, code: 0, data: None, warnings: Vec::new() })
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The output directory holding the history.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Export every run's per-customer-month results as one CSV file (- for standard output).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

pub fn history(args: HistoryArgs) -> Result<Outcome, RunError> {
    let dest = args.csv.as_deref().map(|p| output::destination(p, &args.out)).transpose()?;
    let done = completed(&args.out);
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
    let mut text = done;
    text.push_str(&format!("{} run(s) recorded in {}\n", records.len(), store.runs_file().display()));
    text.push_str(&terminal::grid(&header, &rows));
    let mut data = None;
    if let Some(dest) = &dest {
        let ids: Vec<String> = records.iter().filter_map(|r| r.record.as_ref().map(|x| x.run_id.clone())).collect();
        let files: Vec<PathBuf> = ids.iter().map(|id| store.results_file(id)).collect();
        let bytes = crate::load::history::results_csv(&files).map_err(RunError::Output)?;
        data = output::write(dest, bytes)?;
        if let output::Destination::File(p) = dest {
            text.push_str(&format!("Wrote {}\n", p.display()));
        }
    }
    Ok(Outcome { text, code: 0, data, warnings: Vec::new() })
}
