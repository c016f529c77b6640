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

pub(crate) use crate::error::VERIFY_FAILED;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A run id (e.g. run-000003) or a month's manifest.json; default: the latest run.
    pub(crate) target: Option<String>,
    /// The output directory holding the history.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub(crate) out: PathBuf,
    /// Print the verdicts as one JSON object (see README "JSON output") instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What [`pipeline::complete_interrupted`] did (one sentence each, `--json`: `completed`),
/// as lines of a command's text output.
fn done_text(done: &[String]) -> String {
    done.iter().map(|l| format!("done  {l}\n")).collect()
}

/// `--json` and `--csv -` would both write to standard output.
fn json_and_csv_stdout(json: bool, csv: Option<&std::path::Path>) -> Result<(), RunError> {
    if json && csv.is_some_and(|p| p.as_os_str() == "-") {
        return Err(RunError::Usage("--json and --csv - both write to standard output; give --csv a file name".into()));
    }
    Ok(())
}

/// `verify`'s recomputation of a recorded run: the pipeline on its config, at its "now",
/// for its periods; every CSV as `PERIOD/NAME`.
fn recompute(
    config: &std::path::Path,
    now: crate::core::interval::Instant,
    periods: &[String],
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let config = crate::config::Config::load(config).map_err(|e| e.to_string())?;
    let prepared = crate::pipeline::prepare(config, Some(now), now).map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    for label in periods {
        let period =
            crate::core::period::Period::from_label(label).ok_or_else(|| format!("{label:?}: not a period"))?;
        let result = prepared.compute(&period);
        files.extend(prepared.render_csvs(&result).into_iter().map(|(name, bytes)| (format!("{label}/{name}"), bytes)));
    }
    Ok(files)
}

pub(crate) fn verify(args: VerifyArgs) -> Result<Outcome, RunError> {
    let target = verify::Target::parse(args.target.as_deref());
    if args.json {
        let done = pipeline::complete_interrupted(&args.out);
        let (id, checks) = verify::verify(&args.out, &target, &recompute).map_err(RunError::Usage)?;
        let failed = checks.iter().filter(|c| !c.ok).count();
        let checks: Vec<serde_json::Value> =
            checks.iter().map(|c| serde_json::json!({ "ok": c.ok, "what": c.what })).collect();
        let value = serde_json::json!({
            "run_id": id,
            "ok": failed == 0,
            "failed": failed,
            "checks": checks,
            "completed": done,
        });
        return Ok(super::json_outcome(value, if failed == 0 { 0 } else { VERIFY_FAILED }));
    }
    let mut text = done_text(&pipeline::complete_interrupted(&args.out));
    let (id, checks) = verify::verify(&args.out, &target, &recompute).map_err(RunError::Usage)?;
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
    pub(crate) a: String,
    /// The later run id or month directory.
    pub(crate) b: String,
    /// The output directory holding the history (for run ids).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub(crate) out: PathBuf,
    /// Also write the restatements as CSV to this file (- for standard output).
    #[arg(long, value_name = "FILE")]
    pub(crate) csv: Option<PathBuf>,
    /// Print the restatements and input changes as one JSON object (see README "JSON
    /// output") instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    /// Exit 1 when there are restatements, 0 when there are none (like `git diff --exit-code`).
    #[arg(long)]
    pub(crate) exit_code: bool,
}

pub(crate) use crate::error::RESTATED;

/// One side's figures for a customer-month in `diff --json` (null when absent).
fn reported_json(r: &Option<diff::Reported>) -> serde_json::Value {
    match r {
        None => serde_json::Value::Null,
        Some(r) => serde_json::json!({
            "uptime_percent": r.uptime_percent,
            "met": r.met == "true",
            "credit_percent": r.credit_percent,
            "credit_amount": r.credit_amount,
            "currency": r.currency,
        }),
    }
}

fn diff_json(a: &diff::Side, b: &diff::Side, list: &[diff::Restatement], done: Vec<String>) -> serde_json::Value {
    let restatements: Vec<serde_json::Value> = list
        .iter()
        .map(|r| {
            serde_json::json!({
                "month": r.month,
                "customer_id": r.customer_id,
                "old": reported_json(&r.old),
                "new": reported_json(&r.new),
            })
        })
        .collect();
    let changes: Vec<serde_json::Value> = diff::input_changes(a, b)
        .into_iter()
        .map(|c| {
            serde_json::json!({
                "change": c.kind,
                "input": c.input,
                "old_sha256": c.old_sha256,
                "new_sha256": c.new_sha256,
            })
        })
        .collect();
    serde_json::json!({
        "from": a.label,
        "to": b.label,
        "restatements": restatements,
        "input_changes": changes,
        "completed": done,
    })
}

pub(crate) fn diff(args: DiffArgs) -> Result<Outcome, RunError> {
    json_and_csv_stdout(args.json, args.csv.as_deref())?;
    let dest = args.csv.as_deref().map(|p| output::destination(p, &args.out)).transpose()?;
    let done = pipeline::complete_interrupted(&args.out);
    let mut text = done_text(&done);
    let a = diff::load_side(&args.out, &args.a).map_err(RunError::Usage)?;
    let b = diff::load_side(&args.out, &args.b).map_err(RunError::Usage)?;
    let list = diff::restatements(&a, &b);
    let code = if args.exit_code && !list.is_empty() { RESTATED } else { 0 };
    if args.json {
        if let Some(dest) = &dest {
            output::write(dest, diff::to_csv(&list))?;
        }
        return Ok(super::json_outcome(diff_json(&a, &b, &list, done), code));
    }
    text.push_str(&format!("Restatements from {} to {}: {}\n", a.label, b.label, list.len()));
    if !list.is_empty() {
        let header = diff::TABLE_HEADER.map(String::from).to_vec();
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
    Ok(Outcome { text, code, data, warnings: Vec::new() })
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Customer id.
    #[arg(long)]
    pub(crate) customer: String,
    /// Month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", required_unless_present = "period", conflicts_with = "period")]
    pub(crate) month: Option<Month>,
    /// Or any period: 2026-Q3, 2026, 2026-10-01..2026-12-31, last-90-days.
    #[arg(long, value_name = "PERIOD")]
    pub(crate) period: Option<PeriodSpec>,
    /// Configuration file (TOML). Default: the bundled sample-data/sla.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "run")]
    pub(crate) config: Option<PathBuf>,
    /// Fix "now" (for incidents still open).
    #[arg(long, value_name = "INSTANT", value_parser = super::parse_as_of, conflicts_with = "run")]
    pub(crate) as_of: Option<Instant>,
    /// Explain as a recorded run computed it: its config, inputs and "now" (from the
    /// history in --out); refused when an input changed since.
    #[arg(long, value_name = "RUN_ID")]
    pub(crate) run: Option<String>,
    /// The output directory holding the history (with --run).
    #[arg(long, value_name = "DIR", default_value = "reports", requires = "run")]
    pub(crate) out: PathBuf,
}

/// The config path and "now" of a recorded run, after checking that its config and
/// inputs are still the files it read.
fn recorded_run(out: &std::path::Path, run_id: &str) -> Result<(PathBuf, Instant), RunError> {
    let store = crate::audit::history::Store::of(out);
    let stored = store.read()?;
    let records: Vec<&crate::audit::history::RunRecord> = stored.iter().filter_map(|r| r.record.as_ref()).collect();
    let record = records.iter().find(|r| r.run_id == run_id).ok_or_else(|| {
        let known: Vec<&str> = records.iter().map(|r| r.run_id.as_str()).collect();
        RunError::Usage(format!(
            "{}: no run {run_id:?} (recorded: {})",
            store.runs_file().display(),
            if known.is_empty() { "none".to_string() } else { known.join(", ") }
        ))
    })?;
    let files = std::iter::once((&record.config.path, &record.config.sha256))
        .chain(record.inputs.iter().map(|i| (&i.path, &i.sha256)));
    for (path, sha256) in files {
        match crate::common::sha256_file(std::path::Path::new(path)) {
            Ok(d) if &d == sha256 => {}
            Ok(_) => {
                return Err(RunError::Input(crate::load::InputError(format!(
                    "{path}: changed since {run_id}: explain would not show what that run reported (`slareport verify {run_id}` lists the changes)"
                ))));
            }
            Err(e) => {
                return Err(RunError::Input(crate::load::InputError(format!(
                    "{path}: cannot read the file {run_id} read: {e}"
                ))));
            }
        }
    }
    let now = record.as_of.as_deref().unwrap_or(&record.recorded_at);
    let now = crate::core::time::parse_instant(now, chrono_tz::Tz::UTC)
        .map_err(|e| RunError::Usage(format!("{run_id}: bad recorded time: {e}")))?;
    Ok((PathBuf::from(&record.config.path), now))
}

pub(crate) fn explain(args: ExplainArgs, clock_now: Instant) -> Result<Outcome, RunError> {
    let (config_path, as_of) = match &args.run {
        Some(id) => {
            let (path, now) = recorded_run(&args.out, id)?;
            (path, Some(now))
        }
        None => (super::run::config_or_sample(args.config)?, args.as_of),
    };
    let config = crate::config::Config::load(&config_path)?;
    let inputs = super::run::InputArgs {
        config: None,
        month: args.month,
        from: None,
        to: None,
        period: args.period,
        every: None,
        as_of,
    };
    let period = super::run::asked_periods(&inputs, &config, clock_now)?
        .and_then(|p| p.into_iter().next())
        .ok_or_else(|| RunError::Usage("give --month or --period".into()))?;
    let prepared = pipeline::prepare(config, as_of, clock_now)?;
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
    pub(crate) out: PathBuf,
    /// Export every run's per-customer-month results as one CSV file (- for standard output).
    #[arg(long, value_name = "FILE")]
    pub(crate) csv: Option<PathBuf>,
    /// Print the recorded runs as one JSON object (see README "JSON output") instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn history(args: HistoryArgs) -> Result<Outcome, RunError> {
    json_and_csv_stdout(args.json, args.csv.as_deref())?;
    let dest = args.csv.as_deref().map(|p| output::destination(p, &args.out)).transpose()?;
    let done_lines = pipeline::complete_interrupted(&args.out);
    let done = done_text(&done_lines);
    let store = Store::of(&args.out);
    let records = store.read()?;
    if args.json {
        if let Some(dest) = &dest {
            output::write(dest, history_csv(&store, &records)?)?;
        }
        let runs: Vec<&crate::audit::history::RunRecord> = records.iter().filter_map(|r| r.record.as_ref()).collect();
        let unreadable: Vec<usize> = records.iter().filter(|r| r.record.is_none()).map(|r| r.line_no).collect();
        let value = serde_json::json!({
            "runs_file": store.runs_file().display().to_string(),
            "runs": runs,
            "unreadable_lines": unreadable,
            "completed": done_lines,
        });
        return Ok(super::json_outcome(value, 0));
    }
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
        data = output::write(dest, history_csv(&store, &records)?)?;
        if let output::Destination::File(p) = dest {
            text.push_str(&format!("Wrote {}\n", p.display()));
        }
    }
    Ok(Outcome { text, code: 0, data, warnings: Vec::new() })
}

/// Every recorded run's per-customer-month results as one CSV file.
fn history_csv(store: &Store, records: &[crate::audit::history::StoredRecord]) -> Result<Vec<u8>, RunError> {
    let ids: Vec<String> = records.iter().filter_map(|r| r.record.as_ref().map(|x| x.run_id.clone())).collect();
    let files: Vec<PathBuf> = ids.iter().map(|id| store.results_file(id)).collect();
    crate::load::history::results_csv(&files).map_err(RunError::Output)
}
