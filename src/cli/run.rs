//! `slareport run`: compute one month, a range, or every month the inputs cover.

use chrono_tz::Tz;
use clap::Args;
use std::path::{Path, PathBuf};

use crate::core::interval::Instant;
use crate::core::time::{Month, parse_instant};
use crate::pipeline::{self, RunError};
use crate::render::terminal;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  slareport run                                   # the bundled sample data into reports/\n  slareport run --config sla.toml --month 2026-10 --out reports/\n  slareport run --config sla.toml --from 2026-01 --to 2026-06"
)]
pub struct RunArgs {
    /// Configuration file (TOML). Default: the bundled sample-data/sla.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// One month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["from", "to"])]
    pub month: Option<Month>,
    /// First month of a range, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", requires = "to")]
    pub from: Option<Month>,
    /// Last month of a range (inclusive), YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", requires = "from")]
    pub to: Option<Month>,
    /// Output directory; each month goes to OUT/YYYY-MM/.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Fix "now" (for incidents still open) to this instant, e.g. 2026-11-01T00:00:00Z.
    #[arg(long, value_name = "INSTANT", value_parser = parse_as_of)]
    pub as_of: Option<Instant>,
    /// Seconds to wait for another run writing to the same output directory.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub wait: u64,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_as_of(s: &str) -> Result<Instant, String> {
    parse_instant(s, Tz::UTC).map_err(|e| e.to_string())
}

/// The bundled sample configuration: `./sample-data/sla.toml`, else the one in the
/// source tree this binary was built from.
fn sample_config() -> Option<PathBuf> {
    let local = Path::new("sample-data/sla.toml");
    if local.is_file() {
        return Some(local.to_path_buf());
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/sla.toml");
    built.is_file().then_some(built)
}

/// The given config, or the bundled sample's.
pub fn config_or_sample(config: Option<PathBuf>) -> Result<PathBuf, RunError> {
    match config {
        Some(c) => Ok(c),
        None => sample_config()
            .ok_or_else(|| RunError::Usage("no --config given and no bundled sample-data/sla.toml found".into())),
    }
}

pub fn run(args: RunArgs, clock_now: Instant) -> Result<String, RunError> {
    let config = config_or_sample(args.config.clone())?;
    let prepared = pipeline::prepare(&config, args.as_of, clock_now)?;
    let months = match (args.month, args.from, args.to) {
        (Some(m), _, _) => vec![m],
        (None, Some(a), Some(b)) if a <= b => a.through(b),
        (None, Some(a), Some(b)) => {
            return Err(RunError::Usage(format!("--from {a} is after --to {b}")));
        }
        _ => prepared.covered_months().ok_or_else(|| {
            RunError::Usage("the inputs contain no timestamps to take months from: give --month".into())
        })?,
    };
    let mut rendered = Vec::new();
    let mut lines = Vec::new();
    let mut results = Vec::new();
    for month in months {
        let result = prepared.compute(month);
        let dir = args.out.join(month.to_string());
        lines.push(terminal::summary_line(&month.to_string(), &result.rows, &format!("{}/", dir.display())));
        let history = prepared.history(&args.out, month, &results);
        rendered.push((month, prepared.render(&result, &history)));
        results.push(result);
    }
    let wait = std::time::Duration::from_secs(args.wait);
    let (run_id, _) = pipeline::record_and_publish(&prepared, &args.out, &results, &rendered, wait)?;
    let mut out = format!(
        "Run {run_id}: reports for {} from {}\n",
        if lines.len() == 1 { "1 month".to_string() } else { format!("{} months", lines.len()) },
        config.display()
    );
    out.push_str(&terminal::table(&lines));
    Ok(out)
}
