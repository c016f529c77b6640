//! One reporting run: load, reduce, compute each month, render, and publish each month
//! directory atomically (written in a temporary directory, renamed into place only when
//! every month is complete).

use std::path::{Path, PathBuf};

use crate::audit::manifest::{FileDigest, InputDigest, Manifest};
use crate::config::{Config, ConfigError};
use crate::core::checks::{PairDowntime, pair_downtime};
use crate::core::interval::{Instant, Interval};
use crate::core::sla::{CustomerMonth, MonthContext, TierSummary, customer_month, tier_summaries};
use crate::core::time::{Month, format_utc};
use crate::load::{InputError, Inputs, load_inputs};
use crate::render::csv_files;

/// Why a run failed; each maps to its own exit code.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{0}")]
    Output(String),
}

impl RunError {
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Usage(_) => 2,
            RunError::Config(_) => 3,
            RunError::Input(_) => 4,
            RunError::Output(_) => 5,
        }
    }
}

/// Everything loaded and reduced once, reused for every month of a run.
pub struct Prepared {
    pub config: Config,
    pub inputs: Inputs,
    pub pairs: Vec<PairDowntime>,
    pub now: Instant,
    pub as_of: Option<Instant>,
}

pub fn prepare(
    config_path: &Path,
    as_of: Option<Instant>,
    clock_now: Instant,
) -> Result<Prepared, RunError> {
    let config = Config::load(config_path)?;
    let now = as_of.unwrap_or(clock_now);
    let mut inputs = load_inputs(&config, now)?;
    let pairs = pair_downtime(
        &inputs.series,
        &mut inputs.checks,
        &inputs.outages,
        &config.monitoring,
    );
    Ok(Prepared {
        config,
        inputs,
        pairs,
        now,
        as_of,
    })
}

impl Prepared {
    /// The months the inputs cover, in the report time zone: those at least half inside
    /// the span from the earliest to the latest instant of any check, outage or incident
    /// (so a few hours of data before or after, kept for customers in other zones, do not
    /// add a month); when no month is, the month of the span's middle.
    pub fn covered_months(&self) -> Option<Vec<Month>> {
        let i = &self.inputs;
        let instants = i
            .checks
            .iter()
            .map(|c| c.at)
            .chain(
                i.outages
                    .iter()
                    .flat_map(|o| [o.interval.start, o.interval.end]),
            )
            .chain(
                i.incidents
                    .iter()
                    .flat_map(|x| [Some(x.start), x.end])
                    .flatten(),
            );
        let (lo, hi) = instants.fold(
            (None, None),
            |(lo, hi): (Option<Instant>, Option<Instant>), t| {
                (
                    Some(lo.map_or(t, |l| l.min(t))),
                    Some(hi.map_or(t, |h| h.max(t))),
                )
            },
        );
        let (lo, hi) = (lo?, hi?);
        let tz = self.config.report_timezone;
        let month_of = |t: Instant| {
            use chrono::Datelike;
            let local = chrono::DateTime::from_timestamp(t, 0)?.with_timezone(&tz);
            Month::new(local.year(), local.month())
        };
        let span = Interval::new(lo, hi);
        let months: Vec<Month> = month_of(lo)?
            .through(month_of(hi)?)
            .into_iter()
            .filter(|m| {
                let b = m.bounds_in(tz);
                2 * b.intersect(&span).len() >= b.len()
            })
            .collect();
        if months.is_empty() {
            Some(vec![month_of(lo + (hi - lo) / 2)?])
        } else {
            Some(months)
        }
    }

    pub fn compute(&self, month: Month) -> MonthResult {
        let ctx = MonthContext {
            month,
            pairs: &self.pairs,
            incidents: &self.inputs.incidents,
            monitoring: &self.config.monitoring,
            now: self.now,
        };
        let mut rows: Vec<CustomerMonth> = self
            .inputs
            .customers
            .iter()
            .filter_map(|c| customer_month(&ctx, c, &self.config.tiers[&c.tier]))
            .collect();
        rows.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
        let tiers = tier_summaries(self.config.tiers.keys().map(String::as_str), &rows);
        MonthResult { month, rows, tiers }
    }

    /// The files of a month directory, manifest last, in a fixed order.
    pub fn render(&self, result: &MonthResult) -> MonthFiles {
        let d = self.config.decimals;
        let month = result.month.to_string();
        let files = vec![
            (
                "sla_monthly.csv".to_string(),
                csv_files::sla_monthly(&result.rows, d),
            ),
            (
                "credits.csv".to_string(),
                csv_files::credits(&result.rows, d),
            ),
            (
                "tiers.csv".to_string(),
                csv_files::tiers(&month, &result.tiers, &result.rows, d),
            ),
            (
                "evidence.csv".to_string(),
                csv_files::evidence(&result.rows),
            ),
        ];
        let warnings = result
            .rows
            .iter()
            .flat_map(|r| {
                r.warnings
                    .iter()
                    .map(move |w| format!("{}: {w}", r.customer_id))
            })
            .collect();
        let manifest = Manifest {
            tool: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
            month,
            as_of: self.as_of.map(format_utc),
            config: FileDigest::of(
                &self
                    .config
                    .path
                    .file_name()
                    .map_or(String::new(), |n| n.to_string_lossy().to_string()),
                &self.config.bytes,
            ),
            inputs: self.inputs.files.iter().map(InputDigest::from).collect(),
            outputs: files
                .iter()
                .map(|(name, bytes)| FileDigest::of(name, bytes))
                .collect(),
            customers: result.rows.len(),
            warnings,
        };
        let mut files = files;
        files.push(("manifest.json".to_string(), manifest.to_json()));
        files
    }
}

/// The files of one month directory: (file name, contents), in writing order.
pub type MonthFiles = Vec<(String, Vec<u8>)>;

pub struct MonthResult {
    pub month: Month,
    pub rows: Vec<CustomerMonth>,
    pub tiers: Vec<TierSummary>,
}

/// Writes every month into a temporary directory inside `out`, then renames them into
/// place. On any error nothing is published and the temporary directories are removed.
pub fn publish(out: &Path, months: &[(Month, MonthFiles)]) -> Result<Vec<PathBuf>, RunError> {
    let fail = |what: &str, p: &Path, e: std::io::Error| {
        RunError::Output(format!("{}: cannot {what}: {e}", p.display()))
    };
    std::fs::create_dir_all(out).map_err(|e| fail("create the output directory", out, e))?;
    let mut staged = Vec::new();
    for (month, files) in months {
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{month}.partial-"))
            .tempdir_in(out)
            .map_err(|e| fail("create a temporary directory", out, e))?;
        for (name, bytes) in files {
            let p = tmp.path().join(name);
            std::fs::write(&p, bytes).map_err(|e| fail("write", &p, e))?;
        }
        staged.push((out.join(month.to_string()), tmp));
    }
    let mut published = Vec::new();
    for (target, tmp) in staged {
        let old = if target.exists() {
            let old = tempfile::Builder::new()
                .prefix(".replaced-")
                .tempdir_in(out)
                .map_err(|e| fail("create a temporary directory", out, e))?;
            let aside = old.path().join("previous");
            std::fs::rename(&target, &aside).map_err(|e| fail("move aside", &target, e))?;
            Some(old)
        } else {
            None
        };
        let tmp_path = tmp.keep();
        std::fs::rename(&tmp_path, &target).map_err(|e| fail("publish", &target, e))?;
        drop(old); // removes the previous version
        published.push(target);
    }
    Ok(published)
}
