//! `slareport reduce`: the checks of a configuration reduced per (service, region) to
//! data and down intervals (contract section 3), written as the file the `reduced` input
//! reads. The same reduction exists as SQL for DuckDB and Spark (`sql/`), for check
//! exports that live in a warehouse.

use clap::Args;
use std::path::PathBuf;

use super::Outcome;
use crate::config::Config;
use crate::core::interval::Instant;
use crate::error::RunError;

#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  slareport reduce --config sla.toml --out reduced.csv\n\nThen, in a config: [inputs] reduced = \"reduced.csv\" (instead of checks). Uses [inputs] checks and [monitoring] (max_gap_seconds, confirm_checks, quorum) of the config."
)]
pub struct ReduceArgs {
    /// Configuration file (TOML) whose checks are reduced. Default: the bundled sample.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// The reduced file to write (CSV), or - for standard output.
    #[arg(long, value_name = "FILE", default_value = "reduced.csv")]
    pub(crate) out: PathBuf,
    /// "Now": the end of the last row of a state-change log, e.g. 2026-11-01T00:00:00Z.
    #[arg(long, value_name = "INSTANT", value_parser = super::parse_as_of)]
    pub(crate) as_of: Option<Instant>,
}

pub(crate) fn reduce(args: ReduceArgs, clock_now: Instant) -> Result<Outcome, RunError> {
    let config = Config::load(&super::run::config_or_sample(args.config)?)?;
    let now = args.as_of.unwrap_or(clock_now);
    let inputs = crate::load::load_checks(&config, now)?;
    let bytes = crate::render::csv_files::reduced(&inputs.reduced);
    // A pair's data intervals (one empty one when it never had data) and its down intervals.
    let rows: usize = inputs.reduced.iter().map(|p| p.data.intervals().len().max(1) + p.down.len()).sum();
    let files = inputs.files.iter().filter(|f| f.role == "checks").count();
    let checks: usize = inputs.files.iter().filter(|f| f.role == "checks").map(|f| f.rows).sum();
    let warnings = inputs.notes.clone();
    if args.out.as_os_str() == "-" {
        let text = format!(
            "{checks} checks of {files} file(s) reduced to {rows} intervals of {} pairs\n",
            inputs.reduced.len()
        );
        return Ok(Outcome { text, code: 0, data: Some(bytes), warnings });
    }
    let fail = |e: std::io::Error| RunError::Output(format!("{}: cannot write: {e}", args.out.display()));
    let dir = match args.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Written whole, then renamed: never a half-written file.
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(fail)?;
    std::io::Write::write_all(&mut tmp, &bytes).map_err(fail)?;
    tmp.persist(&args.out).map_err(|e| fail(e.error))?;
    let text = format!(
        "{checks} checks of {files} file(s) reduced to {rows} intervals of {} pairs -> {}\n",
        inputs.reduced.len(),
        args.out.display()
    );
    Ok(Outcome { text, code: 0, data: None, warnings })
}
