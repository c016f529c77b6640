//! `slareport run`: compute one month, a range of months, any period (a quarter, a year,
//! a range of days, the last N days), or every month the inputs cover.

use clap::Args;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::core::interval::Instant;
use crate::core::period::{Period, PeriodSpec};
use crate::core::time::Month;
use crate::load::InputError;
use crate::pipeline::{self, Prepared, RunError};
use crate::render::terminal;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  slareport run                                   # the built-in sample (written to sample-data/) into reports/\n  slareport run --config sla.toml --month 2026-10 --out reports/\n  slareport run --config sla.toml --from 2026-01 --to 2026-06\n  slareport run --config sla.toml --period 2026-Q3 --every month\n  slareport run --config sla.toml --period last-90-days --as-of 2026-11-26T00:00:00Z\n\nHow each figure is computed: docs/CONTRACT.md in slareport's source repository; `slareport explain` for one customer."
)]
pub struct RunArgs {
    #[command(flatten)]
    pub(crate) inputs: InputArgs,
    /// Output directory; each period goes to OUT/<period>/ (a month to OUT/YYYY-MM/).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub(crate) out: PathBuf,
    /// Seconds to wait for another run writing to the same output directory.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub(crate) wait: u64,
    /// Print nothing on success but warnings.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Treat every warning (low monitoring coverage, a customer nothing monitors) as an
    /// error: exit 4 and publish nothing.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Print the time each stage took to standard error (load and reduce, evaluate,
    /// CSVs, PDFs, publish), for benchmarks; the reports are unchanged.
    #[arg(long)]
    pub(crate) timings: bool,
}

/// The sample's configuration in the current folder.
const SAMPLE_CONFIG: &str = "sample-data/sla.toml";

/// The given config, or `./sample-data/sla.toml` (the repository's, or the one `run`
/// wrote from the sample embedded in the binary).
pub(crate) fn config_or_sample(config: Option<PathBuf>) -> Result<PathBuf, RunError> {
    match config {
        Some(c) => Ok(c),
        None if Path::new(SAMPLE_CONFIG).is_file() => Ok(PathBuf::from(SAMPLE_CONFIG)),
        None => Err(RunError::Usage(format!(
            "no --config given and no {SAMPLE_CONFIG} in this folder (`slareport run` writes the built-in sample there; `slareport init DIR` writes a starter project)"
        ))),
    }
}

/// `run`'s config: the given one, else `./sample-data/sla.toml`, which is first written
/// from the sample embedded in the binary when this folder has no `sample-data/` (with a
/// note saying so). Written out, not kept in a temporary folder, because `verify` and
/// `explain` re-read a run's config and inputs where the run read them.
fn config_or_written_sample(config: Option<PathBuf>) -> Result<(PathBuf, Option<String>), RunError> {
    let dir = Path::new(SAMPLE_CONFIG).parent().expect("a folder");
    if config.is_some() || Path::new(SAMPLE_CONFIG).is_file() || dir.symlink_metadata().is_ok() {
        return Ok((config_or_sample(config)?, None));
    }
    super::init::write_project(dir, false, false)?;
    let note = format!(
        "Wrote the sample data built into slareport to {}/ (`slareport init DIR` writes it with a template to customise)\n",
        dir.display()
    );
    Ok((PathBuf::from(SAMPLE_CONFIG), Some(note)))
}

/// What `run` and `validate` read: the configuration, the periods and "now".
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Configuration file (TOML). Default: ./sample-data/sla.toml (`run` first writes the
    /// sample built into slareport there when this folder has no sample-data/).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// One month, YYYY-MM (default: the months the inputs cover).
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["from", "to", "period"])]
    pub(crate) month: Option<Month>,
    /// First month of a range, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", requires = "to", conflicts_with = "period")]
    pub(crate) from: Option<Month>,
    /// Last month of a range (inclusive), YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", requires = "from")]
    pub(crate) to: Option<Month>,
    /// A reporting period: 2026-10, 2026-Q3, 2026, 2026-10-01..2026-12-31 (inclusive
    /// local days) or last-90-days (whole days before --as-of, or before today).
    #[arg(long, value_name = "PERIOD")]
    pub(crate) period: Option<PeriodSpec>,
    /// With --period: one report per calendar month or quarter of the period, and the
    /// period's own report with its roll-up.
    #[arg(long, value_name = "month|quarter", requires = "period")]
    pub(crate) every: Option<Every>,
    /// Fix "now" (for incidents still open) to this instant, e.g. 2026-11-01T00:00:00Z.
    #[arg(long, value_name = "INSTANT", value_parser = super::parse_as_of)]
    pub(crate) as_of: Option<Instant>,
}

/// How `--every` cuts a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Every {
    Month,
    Quarter,
}

/// The most months (or periods) one run writes; a longer range is split into several runs.
pub(crate) const MAX_MONTHS: usize = 36;

/// Checks that `--out` can be an output directory: a folder, or a path that does not
/// exist yet (it is created), not a file nor a link to nothing.
pub(crate) fn check_out_dir(out: &Path) -> Result<(), RunError> {
    let bad = |why: &str| RunError::Usage(format!("--out {}: {why}", out.display()));
    match (out.symlink_metadata(), out.metadata()) {
        (Err(_), _) => Ok(()),
        (Ok(l), Err(_)) if l.file_type().is_symlink() => Err(bad("is a symbolic link to a missing folder")),
        (Ok(_), Ok(m)) if !m.is_dir() => Err(bad("is not a folder")),
        _ => Ok(()),
    }
}

/// The periods asked for on the command line, bounded: in the supported years and at
/// most [`MAX_MONTHS`] of them. `today` (the date of `--as-of` or of the clock in the
/// report zone) closes `last-N-days`.
pub(crate) fn asked_periods(
    args: &InputArgs,
    config: &Config,
    clock_now: Instant,
) -> Result<Option<Vec<Period>>, RunError> {
    let Some(spec) = args.period else {
        return Ok(asked_months(args)?.map(|months| months.into_iter().map(Period::month).collect()));
    };
    let now = args.as_of.unwrap_or(clock_now);
    let today = chrono::DateTime::from_timestamp(now, 0)
        .map(|t| t.with_timezone(&config.report_timezone).date_naive())
        .ok_or_else(|| RunError::Usage("the clock is outside the supported years".into()))?;
    let period = spec.resolve(today).map_err(|e| RunError::Usage(format!("--period: {e}")))?;
    let (earliest, latest) = (chrono::NaiveDate::from_ymd_opt(1990, 1, 1), chrono::NaiveDate::from_ymd_opt(2100, 1, 1));
    if Some(period.first) < earliest || Some(period.end) > latest {
        return Err(RunError::Usage(format!("--period {period} is outside the supported years 1990 to 2099")));
    }
    let label = period.label.clone();
    let periods = match args.every {
        None => vec![period],
        // The parts, then the whole period (its report carries the roll-up of its months).
        Some(every) => {
            let mut parts = period.split(every == Every::Quarter);
            if !parts.contains(&period) {
                parts.push(period);
            }
            parts
        }
    };
    if periods.len() > MAX_MONTHS {
        return Err(RunError::Usage(format!(
            "--period {label} --every month is {} reports; a run writes at most {MAX_MONTHS}, split the period",
            periods.len()
        )));
    }
    Ok(Some(periods))
}

/// The months asked for with `--month` or `--from/--to`, bounded: in the supported years
/// and at most [`MAX_MONTHS`].
pub(crate) fn asked_months(args: &InputArgs) -> Result<Option<Vec<Month>>, RunError> {
    let months = match (args.month, args.from, args.to) {
        (Some(m), _, _) => vec![m],
        (None, Some(a), Some(b)) if a <= b => {
            let span = (b.year - a.year) as i64 * 12 + b.month as i64 - a.month as i64 + 1;
            if span > MAX_MONTHS as i64 {
                return Err(RunError::Usage(format!(
                    "--from {a} --to {b} is {span} months; a run covers at most {MAX_MONTHS}, split the range"
                )));
            }
            a.through(b)
        }
        (None, Some(a), Some(b)) => return Err(RunError::Usage(format!("--from {a} is after --to {b}"))),
        _ => return Ok(None),
    };
    if let Some(m) = months.iter().find(|m| !(1990..=2099).contains(&m.year)) {
        return Err(RunError::Usage(format!("month {m} is outside the supported years 1990 to 2099")));
    }
    Ok(Some(months))
}

/// The periods to report: those asked for, else the months the inputs cover (at most
/// 12), with a note when earlier months with data were left out. `None` when nothing was
/// asked and the inputs hold no timestamps.
pub(crate) fn periods_to_report(prepared: &Prepared, asked: Option<Vec<Period>>) -> Option<(Vec<Period>, Vec<String>)> {
    if let Some(periods) = asked {
        return Some((periods, Vec::new()));
    }
    let covered = prepared.covered_months(MAX_MONTHS.min(12))?;
    let mut notes = Vec::new();
    if covered.truncated {
        notes.push(format!(
            "the inputs have data in months from {} to {}; without --month or --from/--to a run covers the latest {} of them",
            covered.first_with_data,
            covered.months.last().expect("at least one month"),
            covered.months.len()
        ));
    }
    Some((covered.months.into_iter().map(Period::month).collect(), notes))
}

/// Runs the reports; returns the summary and the warnings.
pub(crate) fn run(args: RunArgs, clock_now: Instant) -> Result<(String, Vec<String>), RunError> {
    if args.inputs.config.as_ref().is_some_and(|c| c.as_os_str() == "-") {
        return Err(RunError::Usage(
            "--config -: a run records its config file for verify; give a file (validate, explain and reduce read - as standard input)".into(),
        ));
    }
    check_out_dir(&args.out)?;
    let (config, wrote_sample) = config_or_written_sample(args.inputs.config.clone())?;
    let loaded = Config::load(&config)?;
    let asked = asked_periods(&args.inputs, &loaded, clock_now)?;
    let mut stages = Stages::new(args.timings);
    let prepared = pipeline::prepare(loaded, args.inputs.as_of, clock_now)?;
    stages.done("load and reduce");
    let (periods, notes) = periods_to_report(&prepared, asked).ok_or_else(|| {
        RunError::Usage("the inputs contain no timestamps to take months from: give --month or --period".into())
    })?;
    let recorded = pipeline::recorded_points(&args.out, &periods);
    // Customer PDFs go there as they are rendered; removed when the run ends.
    let scratch = pipeline::Scratch::new(&args.out);
    let mut rendered = Vec::new();
    let mut lines = Vec::new();
    let mut results = Vec::new();
    for period in &periods {
        let result = prepared.compute(period);
        stages.done("evaluate");
        if args.timings {
            // Measured apart (render writes them again with the PDFs).
            std::hint::black_box(prepared.render_csvs(&result));
            stages.done("CSVs");
        }
        let dir = args.out.join(&period.label);
        lines.push(terminal::summary_line(&period.label, &result.rows, &format!("{}/", dir.display())));
        let history = prepared.history(&recorded, period, &results);
        rendered.push((period.clone(), prepared.render(&result, &history, &scratch)?));
        stages.done("CSVs and PDFs");
        results.push(result);
    }
    let mut warnings = notes;
    let now = prepared.now;
    // In every customer's zone: a period ends at the latest local midnight of them all.
    for p in
        periods.iter().filter(|p| prepared.window(std::slice::from_ref(*p)).intervals().iter().any(|w| w.end > now))
    {
        warnings.push(format!(
            "{p}: the period is not over at the report time {}: what happens later is not in this report",
            crate::core::time::format_utc(now)
        ));
    }
    for r in &results {
        warnings.extend(r.warnings.iter().map(|w| format!("{}: {w}", r.period)));
        warnings.extend(r.backup_warnings(&prepared.config.backup_rules).iter().map(|w| format!("{}: {w}", r.period)));
    }
    if args.strict && !warnings.is_empty() {
        return Err(RunError::Input(InputError(format!(
            "--strict: {} warning(s), nothing published; the first: {}",
            warnings.len(),
            warnings[0]
        ))));
    }
    // How the inputs were read (slower, not wrong): told, never a --strict failure.
    warnings.extend(prepared.inputs.notes.iter().cloned());
    let wait = std::time::Duration::from_secs(args.wait);
    let (run_id, _) = pipeline::record_and_publish(&prepared, &args.out, &results, &rendered, wait)?;
    stages.done("record and publish");
    stages.print();
    let noun = if periods.iter().all(|p| p.as_month().is_some()) { "month" } else { "period" };
    let mut out = wrote_sample.unwrap_or_default();
    out += &format!(
        "Run {run_id}: reports for {} {noun}{} from {}\n",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" },
        config.display()
    );
    out.push_str(&terminal::table(&lines));
    out.push_str(&terminal::usage_table(&prepared.usage(&periods)));
    Ok((out, warnings))
}

/// Wall time per stage, for `--timings` (never in a report: the reports have no clock).
struct Stages {
    on: bool,
    last: std::time::Instant,
    taken: Vec<(&'static str, std::time::Duration)>,
}

impl Stages {
    fn new(on: bool) -> Stages {
        Stages { on, last: std::time::Instant::now(), taken: Vec::new() }
    }

    fn done(&mut self, stage: &'static str) {
        if self.on {
            let now = std::time::Instant::now();
            match self.taken.iter_mut().find(|(s, _)| *s == stage) {
                Some((_, d)) => *d += now - self.last,
                None => self.taken.push((stage, now - self.last)),
            }
            self.last = now;
        }
    }

    fn print(&self) {
        if self.on {
            let parts: Vec<String> = self.taken.iter().map(|(s, d)| format!("{s} {:.2} s", d.as_secs_f64())).collect();
            eprintln!("slareport: timings: {}", parts.join("; "));
        }
    }
}
