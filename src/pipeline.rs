//! One reporting run: load, reduce, compute each period (a calendar month is the common
//! case), render, and publish each period directory atomically (written in a temporary
//! directory, renamed into place only when every period is complete).

use std::path::{Path, PathBuf};

use crate::audit::history::{FileRef, HistoryError, InputRef, OutputRef, RunRecord, Store};
use crate::audit::manifest::{FileDigest, InputDigest, Manifest, TrendDigest, sha256_hex, trend_digest};
use crate::config::Config;
use crate::core::checks::{PairDowntime, with_outages};
use crate::core::interval::{Instant, Interval, IntervalSet};
use crate::core::period::Period;
use crate::core::sla::incident_reach;
use crate::core::sla::{
    CustomerPeriod, MonitoringWarning, PeriodContext, TierSummary, customer_period, monitoring_warnings, tier_summaries,
};
use crate::core::time::{Month, format_utc};
use crate::load::history::{ReportedPoint, results_points};
use crate::load::{Footprint, InputFile, Inputs, load_inputs};
use crate::render::pdf::{FontSet, customer_pdf, summary_pdf};
use crate::render::template::{Template, TemplateError};
use crate::render::view::{CustomerInputs, HistoryPoint, SummaryInputs, customer_view, summary_view};
use crate::render::{csv_files, view};
use std::collections::BTreeMap;

pub(crate) use crate::error::RunError;

/// Everything loaded and reduced once, reused for every period of a run.
pub struct Prepared {
    pub(crate) config: Config,
    pub(crate) inputs: Inputs,
    pub(crate) pairs: Vec<PairDowntime>,
    pub(crate) now: Instant,
    pub(crate) as_of: Option<Instant>,
    pub(crate) template: Template,
    pub(crate) fonts: FontSet,
}

pub fn prepare(config: Config, as_of: Option<Instant>, clock_now: Instant) -> Result<Prepared, RunError> {
    let template = Template::for_config(config.template.as_deref())?;
    let fonts = FontSet::load(&template).map_err(|message| TemplateError { file: "template fonts".into(), message })?;
    let now = as_of.unwrap_or(clock_now);
    let mut inputs = load_inputs(&config, now)?;
    let pairs = with_outages(std::mem::take(&mut inputs.reduced), &inputs.outages);
    Ok(Prepared { config, inputs, pairs, now, as_of, template, fonts })
}

impl Prepared {
    /// The months the inputs cover, in the report time zone: those with data (a check,
    /// or an outage or incident boundary) on at least half of their days, so a few hours
    /// kept for customers in other zones do not add a month, and a stray old row does
    /// not either; the latest `limit` of them. When no month qualifies, the month with
    /// data on the most days (the latest of equals).
    pub(crate) fn covered_months(&self, limit: usize) -> Option<CoveredMonths> {
        let i = &self.inputs;
        // Check times come from the files' quarter-hour footprints (taken while loading),
        // not from another pass over every check.
        let check_times = i.files.iter().filter_map(|f| match &f.footprint {
            Footprint::QuarterHours(buckets) if ["checks", "reduced"].contains(&f.role) => {
                Some(buckets.keys().map(|b| b * 900))
            }
            _ => None,
        });
        let instants = check_times
            .flatten()
            .chain(i.outages.iter().flat_map(|o| [o.interval.start, o.interval.end]))
            .chain(i.incidents.iter().flat_map(|x| [Some(x.start), x.end]).flatten());
        let days: std::collections::BTreeSet<i64> = instants.map(|t| t.div_euclid(86_400)).collect();
        let (lo, hi) = (*days.first()?, *days.last()?);
        let tz = self.config.report_timezone;
        let month_of = |day: i64| {
            use chrono::Datelike;
            let local = chrono::DateTime::from_timestamp(day * 86_400 + 43_200, 0)?.with_timezone(&tz);
            Month::new(local.year(), local.month())
        };
        let mut counted: Vec<(Month, usize, usize)> = Vec::new();
        let mut m = month_of(lo)?;
        let last = month_of(hi)?;
        while m <= last {
            let b = m.bounds_in(tz);
            let (first_day, end_day) = ((b.start + 43_200).div_euclid(86_400), (b.end + 43_200).div_euclid(86_400));
            let with_data = days.range(first_day..end_day).count();
            if with_data > 0 {
                counted.push((m, with_data, (end_day - first_day) as usize));
            }
            // Skip empty stretches without walking every month in between.
            match days.range(end_day..).next() {
                Some(&d) => m = month_of(d)?.max(m.next()),
                None => break,
            }
        }
        let mut months: Vec<Month> = counted.iter().filter(|(_, n, of)| 2 * n >= *of).map(|(m, _, _)| *m).collect();
        if months.is_empty() {
            let best = counted.iter().max_by_key(|(m, n, _)| (*n, *m))?;
            months.push(best.0);
        }
        let first_with_data = months[0];
        let truncated = months.len() > limit;
        let months = months.split_off(months.len().saturating_sub(limit));
        Some(CoveredMonths { months, truncated, first_with_data })
    }

    pub fn compute(&self, period: &Period) -> PeriodResult {
        let ctx = PeriodContext {
            period,
            pairs: &self.pairs,
            incidents: &self.inputs.incidents,
            monitoring: &self.config.monitoring,
            now: self.now,
        };
        let bar = crate::progress::bar("customers", self.inputs.customers.len() as u64, false);
        let mut rows: Vec<CustomerPeriod> = self
            .inputs
            .customers
            .iter()
            .filter_map(|c| {
                bar.inc(1);
                customer_period(&ctx, c, &self.config.tiers[&c.tier])
            })
            .collect();
        rows.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
        let tiers = tier_summaries(self.config.tiers.keys().map(String::as_str), &rows);
        let warnings = monitoring_warnings(&rows, self.config.min_coverage_percent, self.config.decimals);
        let backups = self.period_backups(period);
        // A period holding whole months rolls them up (rollup.csv and the summary PDF).
        let rollups = if period.as_month().is_none() && !period.whole_months().is_empty() {
            Some(crate::core::sla::rollups(self.config.tiers.keys().map(String::as_str), &rows))
        } else {
            None
        };
        PeriodResult { period: period.clone(), rows, tiers, warnings, backups, rollups }
    }

    /// The instants of `periods` in the report zone or any customer's zone.
    pub(crate) fn window(&self, periods: &[Period]) -> IntervalSet {
        let mut zones: Vec<chrono_tz::Tz> = self.inputs.customers.iter().map(|c| c.timezone).collect();
        zones.push(self.config.report_timezone);
        zones.sort_by_key(|z| z.name());
        zones.dedup();
        let spans = periods
            .iter()
            .map(|m| {
                let b: Vec<Interval> = zones.iter().map(|z| m.bounds_in(*z)).collect();
                Interval::new(b.iter().map(|i| i.start).min().unwrap_or(0), b.iter().map(|i| i.end).max().unwrap_or(0))
            })
            .collect();
        IntervalSet::from_intervals(spans)
    }

    /// Per input file: rows read, and rows inside `periods` (see [`Prepared::window`]).
    pub(crate) fn usage(&self, periods: &[Period]) -> Vec<(&InputFile, usize)> {
        let window = self.window(periods);
        self.inputs.files.iter().map(|f| (f, f.footprint.rows_inside(&window))).collect()
    }

    /// The files of a period directory, manifest last, in a fixed order: CSVs, then
    /// `summary.pdf` and `customers/<id>.pdf` (footers carry the data fingerprint, a
    /// digest of the config, the inputs, the template and the CSVs), then the manifest.
    /// The customer PDFs are written to `scratch` as they are rendered.
    pub(crate) fn render(
        &self,
        result: &PeriodResult,
        trend: &Trend,
        scratch: &Scratch,
    ) -> Result<PeriodFiles, RunError> {
        let month = result.period.to_string();
        let mut files: PeriodFiles =
            self.render_csvs(result).into_iter().map(|(name, bytes)| (name, Contents::Bytes(bytes))).collect();
        let config_digest = FileDigest::of(
            &self.config.path.file_name().map_or(String::new(), |n| n.to_string_lossy().to_string()),
            &self.config.bytes,
        );
        let inputs: Vec<InputDigest> = self
            .usage(std::slice::from_ref(&result.period))
            .into_iter()
            .map(|(f, used)| InputDigest::of(f, used))
            .collect();
        let fingerprint = data_fingerprint(&config_digest, &self.template.digest, &inputs, &files, trend);
        let stamp = Stamp::new(&fingerprint, self.as_of.unwrap_or(self.now));
        let summary = self.render_summary(result, &stamp);
        files.push(("summary.pdf".to_string(), Contents::Bytes(summary)));
        let pdfs = scratch.period_dir(&month).map_err(|(p, e)| output_error("create", &p, e))?;
        files.extend(self.render_customers(result, trend, &stamp, pdfs.as_deref())?);
        let manifest = Manifest {
            tool: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
            month,
            as_of: self.as_of.map(format_utc),
            data_fingerprint: fingerprint,
            config: config_digest,
            template: self.template.digest.clone(),
            inputs,
            outputs: files.iter().map(|(name, contents)| contents.digest(name)).collect(),
            customers: result.rows.len(),
            trend: trend.months.clone(),
            warnings: self.period_warnings(result),
        };
        files.push(("manifest.json".to_string(), Contents::Bytes(manifest.to_json())));
        Ok(files)
    }

    /// The summary PDF of a period.
    fn render_summary(&self, result: &PeriodResult, stamp: &Stamp) -> Vec<u8> {
        let reach = incident_reach(&result.rows);
        let mut summary = summary_view(&SummaryInputs {
            period: &result.period,
            rows: &result.rows,
            tiers: &result.tiers,
            reach: &reach,
            rollups: result.rollups.as_deref().unwrap_or_default(),
            template: &self.template,
            decimals: self.config.decimals,
            fingerprint: stamp.fingerprint,
            generated: &stamp.generated,
        });
        summary.backups =
            result.backups.as_deref().map(|b| view::backups_table(b, self.config.backup_rules.rpo_minutes));
        summary_pdf(&self.fonts, &self.template, &summary, stamp.at)
    }

    /// The customer PDFs of a period, `customers/<stem>.pdf`, in customer order, each
    /// written to `dir` (the period's scratch directory) as soon as it is rendered, so
    /// only its name, size and digest stay in memory (without a scratch directory, its
    /// bytes do). They are independent: rendered on every core.
    fn render_customers(
        &self,
        result: &PeriodResult,
        trend: &Trend,
        stamp: &Stamp,
        dir: Option<&Path>,
    ) -> Result<Vec<(String, Contents)>, RunError> {
        let history = &trend.points;
        let no_history = Vec::new();
        let ids: Vec<&str> = result.rows.iter().map(|r| r.customer_id.as_str()).collect();
        let jobs: Vec<(&CustomerPeriod, String)> = result.rows.iter().zip(view::file_stems(&ids)).collect();
        let render_one = |(row, stem): &(&CustomerPeriod, String)| -> Result<(String, Contents), RunError> {
            let points = history.get(&row.customer_id).unwrap_or(&no_history);
            let v = self.customer_view(row, stamp.fingerprint, &stamp.generated, points);
            let name = format!("customers/{stem}.pdf");
            let pdf = customer_pdf(&self.fonts, &self.template, &v, stamp.at);
            let contents = match dir {
                Some(dir) => {
                    let path = dir.join(&name);
                    Contents::written(path.clone(), &pdf).map_err(|e| output_error("write", &path, e))?
                }
                None => Contents::Bytes(pdf),
            };
            Ok((name, contents))
        };
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(jobs.len().max(1));
        let chunk = jobs.len().div_ceil(workers).max(1);
        let bar = crate::progress::bar("PDFs", jobs.len() as u64, false);
        let render_one = |job| {
            let pdf = render_one(job);
            bar.inc(1);
            pdf
        };
        let render_one = &render_one;
        let rendered: Vec<Vec<Result<(String, Contents), RunError>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = jobs
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().map(render_one).collect::<Vec<_>>()))
                .collect();
            handles.into_iter().map(|h| h.join().expect("a PDF renderer thread")).collect()
        });
        rendered.into_iter().flatten().collect()
    }

    /// The warnings of a period for its manifest: each customer's, low coverage, backups.
    fn period_warnings(&self, result: &PeriodResult) -> Vec<String> {
        result
            .rows
            .iter()
            .flat_map(|r| r.warnings.iter().map(move |w| format!("{}: {w}", r.customer_id)))
            // Unmonitored customers are already among their rows' warnings.
            .chain(
                result
                    .warnings
                    .iter()
                    .filter(|w| matches!(w, MonitoringWarning::LowCoverage { .. }))
                    .map(ToString::to_string),
            )
            .chain(result.backup_warnings(&self.config.backup_rules))
            .collect()
    }

    /// The formatted view of one customer's period, as its PDF shows it.
    pub fn customer_view(
        &self,
        row: &CustomerPeriod,
        fingerprint: &str,
        generated: &str,
        history: &[HistoryPoint],
    ) -> view::CustomerView {
        customer_view(&CustomerInputs {
            row,
            tier: &self.config.tiers[&row.tier],
            quorum: self.config.monitoring.quorum,
            template: &self.template,
            decimals: self.config.decimals,
            fingerprint,
            generated,
            history,
        })
    }

    /// The CSV files of a period, in a fixed order: (file name, contents).
    pub(crate) fn render_csvs(&self, result: &PeriodResult) -> Vec<(String, Vec<u8>)> {
        let d = self.config.decimals;
        let p = &result.period;
        let mut files = vec![
            ("sla_monthly.csv".to_string(), csv_files::sla_monthly(p, &result.rows, d)),
            ("credits.csv".to_string(), csv_files::credits(&result.rows, d)),
            ("tiers.csv".to_string(), csv_files::tiers(p, &result.tiers, &result.rows, d)),
            ("evidence.csv".to_string(), csv_files::evidence(p, &result.rows)),
            ("recovery.csv".to_string(), csv_files::recovery(p, &result.rows)),
        ];
        if let Some(b) = &result.backups {
            files.push(("backups.csv".to_string(), csv_files::backups(b, self.config.backup_rules.rpo_minutes)));
        }
        if let Some(rollups) = &result.rollups {
            files.push(("rollup.csv".to_string(), csv_files::rollup(p, rollups, d)));
        }
        files
    }

    /// Backups per component over `period` in the report zone, cut at "now"; `None`
    /// without a backups input.
    pub(crate) fn period_backups(&self, period: &Period) -> Option<Vec<crate::core::backups::ComponentBackups>> {
        if self.config.backups.is_empty() {
            return None;
        }
        let window = period.bounds_in(self.config.report_timezone);
        Some(crate::core::backups::period_backups(&self.inputs.backups, window, self.now, &self.config.backup_rules))
    }

    /// The 12-month trend of a calendar month: each of the 11 months before it, from
    /// this run when it computed that month, else from `recorded` (see
    /// [`recorded_points`]). Other periods show their own whole months instead: no trend.
    pub(crate) fn history(&self, recorded: &RecordedPoints, period: &Period, earlier: &[PeriodResult]) -> Trend {
        let Some(month) = period.as_month() else {
            return Trend::default();
        };
        let window = trend_window(month);
        let mut by_month: BTreeMap<Month, Vec<ReportedPoint>> =
            recorded.iter().filter(|(m, _)| window.contains(m)).map(|(m, p)| (*m, p.clone())).collect();
        for (m, r) in earlier.iter().filter_map(|r| Some((r.period.as_month()?, r))).filter(|(m, _)| window.contains(m))
        {
            let points = r
                .rows
                .iter()
                .map(|row| ReportedPoint {
                    customer_id: row.customer_id.clone(),
                    uptime_percent: row.uptime.truncate(self.config.decimals).to_string(),
                    met: row.met,
                })
                .collect();
            by_month.insert(m, points);
        }
        let mut trend = Trend::default();
        for (m, points) in by_month {
            trend.months.push(TrendDigest {
                month: m.to_string(),
                customers: points.len(),
                sha256: trend_digest(&points),
            });
            for p in points {
                trend.points.entry(p.customer_id).or_default().push(HistoryPoint {
                    month: m,
                    uptime_percent: p.uptime_percent,
                    met: p.met,
                });
            }
        }
        trend
    }
}

/// The data fingerprint of a period: a digest of its config, template, inputs, CSVs and
/// trend months.
fn data_fingerprint(
    config: &FileDigest,
    template: &str,
    inputs: &[InputDigest],
    files: &PeriodFiles,
    trend: &Trend,
) -> String {
    let mut fingerprint_text = format!("config {}\ntemplate {}\n", config.sha256, template);
    for i in inputs {
        fingerprint_text.push_str(&format!("input {} {} {}\n", i.role, i.path, i.sha256));
    }
    for (name, contents) in files {
        fingerprint_text.push_str(&format!("output {name} {}\n", contents.sha256()));
    }
    for t in &trend.months {
        fingerprint_text.push_str(&format!("trend {} {}\n", t.month, t.sha256));
    }
    crate::audit::manifest::sha256_hex(fingerprint_text.as_bytes())
}

/// The earlier months of a customer's trend, and the digest of each month's figures
/// (recorded in the manifest and the data fingerprint).
#[derive(Default)]
pub(crate) struct Trend {
    pub(crate) points: BTreeMap<String, Vec<HistoryPoint>>,
    pub(crate) months: Vec<TrendDigest>,
}

/// The 11 months before `month`, the earlier months of its trend.
fn trend_window(month: Month) -> Vec<Month> {
    let mut first = month;
    for _ in 0..11 {
        first = first.prev();
    }
    first.through(month.prev())
}

/// Figures of earlier months by month, as last recorded in a history.
pub(crate) type RecordedPoints = BTreeMap<Month, Vec<ReportedPoint>>;

/// The figures of the trend months of the calendar months among `periods` as last
/// recorded in `out`'s history (when the results file has its recorded digest), read
/// once for a whole run.
pub(crate) fn recorded_points(out: &Path, periods: &[Period]) -> RecordedPoints {
    let months: std::collections::BTreeSet<Month> =
        periods.iter().filter_map(Period::as_month).flat_map(trend_window).collect();
    let store = Store::of(out);
    let records = store.read().unwrap_or_default();
    let parsed: Vec<&RunRecord> = records.iter().filter_map(|r| r.record.as_ref()).collect();
    let mut found = BTreeMap::new();
    let mut intact: BTreeMap<&str, bool> = BTreeMap::new(); // each results file hashed once
    for m in months {
        let name = m.to_string();
        let Some(rec) = parsed.iter().rev().find(|r| r.months.contains(&name)) else { continue };
        let path = store.results_file(&rec.run_id);
        let ok = *intact
            .entry(rec.run_id.as_str())
            .or_insert_with(|| crate::load::sha256_file(&path).ok().as_deref() == Some(rec.results_sha256.as_str()));
        if !ok {
            continue;
        }
        if let Ok(points) = results_points(&path, &name) {
            found.insert(m, points);
        }
    }
    found
}

/// The months a run without a period covers.
pub(crate) struct CoveredMonths {
    pub(crate) months: Vec<Month>,
    /// Whether earlier months with data were left out by the limit.
    pub(crate) truncated: bool,
    pub(crate) first_with_data: Month,
}

/// What every page footer of a period's PDFs carries: the data fingerprint and the
/// generation instant (`--as-of`, else the run's "now"), as text and as the PDF date.
struct Stamp<'a> {
    fingerprint: &'a str,
    generated: String,
    at: Instant,
}

impl<'a> Stamp<'a> {
    fn new(fingerprint: &'a str, at: Instant) -> Stamp<'a> {
        let generated = format!("{} UTC", format_utc(at).replace('T', " ").trim_end_matches('Z'));
        Stamp { fingerprint, generated, at }
    }
}

/// The files of one period directory: (file name, contents), in writing order.
pub(crate) type PeriodFiles = Vec<(String, Contents)>;

/// What a file of a period directory holds: small files (CSVs, the summary PDF, the
/// manifest) in memory; a customer PDF, written to the run's [`Scratch`] directory as
/// soon as it is rendered (or, published from an archive, the archived file), on disk,
/// with its size and digest.
#[derive(Clone)]
pub(crate) enum Contents {
    Bytes(Vec<u8>),
    File { path: PathBuf, bytes: u64, sha256: String },
}

impl Contents {
    /// Writes `bytes` to `path` and keeps only where, their size and digest.
    fn written(path: PathBuf, bytes: &[u8]) -> std::io::Result<Contents> {
        std::fs::write(&path, bytes)?;
        Ok(Contents::File { path, bytes: bytes.len() as u64, sha256: sha256_hex(bytes) })
    }

    /// SHA-256 of the contents, hex.
    pub(crate) fn sha256(&self) -> String {
        match self {
            Contents::Bytes(bytes) => sha256_hex(bytes),
            Contents::File { sha256, .. } => sha256.clone(),
        }
    }

    /// The manifest entry of the file `name` with these contents.
    fn digest(&self, name: &str) -> FileDigest {
        match self {
            Contents::Bytes(bytes) => FileDigest::of(name, bytes),
            Contents::File { bytes, sha256, .. } => {
                FileDigest { path: name.to_string(), sha256: sha256.clone(), bytes: *bytes }
            }
        }
    }

    /// Creates `dest` with these contents: bytes are written; a file on disk is
    /// hard-linked when `link` (the run's own archive: the scratch copy goes away), else,
    /// or when linking fails (another file system), copied, so a published report never
    /// shares its inode with the archive it is verified against.
    fn put(&self, dest: &Path, link: bool) -> std::io::Result<()> {
        match self {
            Contents::Bytes(bytes) => std::fs::write(dest, bytes),
            Contents::File { path, .. } if link && std::fs::hard_link(path, dest).is_ok() => Ok(()),
            Contents::File { path, .. } => std::fs::copy(path, dest).map(|_| ()),
        }
    }
}

/// The name prefix of a run's [`Scratch`] directory inside the output directory.
const SCRATCH_PREFIX: &str = ".rendering-";

/// A run's private directory inside the output directory, `OUT/.rendering-XXXXXX/`,
/// where customer PDFs go as soon as they are rendered (`<period>/customers/<stem>.pdf`),
/// so a run's memory does not grow with its customers; the archive links them, the
/// publication copies them. Its first entry, `lock`, is locked (an OS lock) while the run
/// lives. Removed when dropped; one left by a killed run (its lock free) is removed by
/// the next command on the output directory ([`recover_interrupted`]). When the output
/// directory cannot take it, the PDFs stay in memory (and the run fails where it always
/// did, when writing).
pub(crate) struct Scratch {
    dir: Option<tempfile::TempDir>,
    lock: Option<std::fs::File>,
    /// The output directory and its parents, innermost first, when this created them:
    /// removed again when still empty (a run that failed before writing anything).
    created: Vec<PathBuf>,
}

impl Scratch {
    pub(crate) fn new(out: &Path) -> Scratch {
        let created: Vec<PathBuf> = out
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && a.symlink_metadata().is_err())
            .map(Path::to_path_buf)
            .collect();
        let made = std::fs::create_dir_all(out).ok().and_then(|()| {
            let dir = tempfile::Builder::new().prefix(SCRATCH_PREFIX).tempdir_in(out).ok()?;
            let lock = std::fs::File::create_new(dir.path().join("lock")).ok()?;
            lock.try_lock().ok()?;
            Some((dir, lock))
        });
        let (dir, lock) = made.unzip();
        Scratch { dir, lock, created }
    }

    /// The directory of a period's customer PDFs (`<period>/customers/` created), or
    /// `None` without a scratch directory.
    fn period_dir(&self, period: &str) -> Result<Option<PathBuf>, (PathBuf, std::io::Error)> {
        let Some(dir) = &self.dir else { return Ok(None) };
        let p = dir.path().join(period);
        std::fs::create_dir_all(p.join("customers")).map_err(|e| (p.clone(), e))?;
        Ok(Some(p))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        drop(self.lock.take());
        drop(self.dir.take());
        for d in &self.created {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
        }
    }
}

/// Removes a [`Scratch`] directory left by a run that is gone: its lock is free (held
/// while removing, so a new run cannot take it meanwhile), or it is empty (the run was
/// killed before creating the lock; a live run that has not yet created it fails to and
/// keeps its PDFs in memory).
fn remove_abandoned_scratch(dir: &Path) {
    match std::fs::File::open(dir.join("lock")) {
        Ok(lock) => {
            if lock.try_lock().is_ok() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let _ = std::fs::remove_dir(dir);
        }
        Err(_) => {}
    }
}

/// An error writing to the output directory.
fn output_error(what: &str, p: &Path, e: std::io::Error) -> RunError {
    RunError::Output(format!("{}: cannot {what}: {e}", p.display()))
}

pub struct PeriodResult {
    pub(crate) period: Period,
    pub rows: Vec<CustomerPeriod>,
    pub(crate) tiers: Vec<TierSummary>,
    /// Monitoring warnings (coverage below the minimum, customers nothing monitors).
    pub(crate) warnings: Vec<MonitoringWarning>,
    /// Backups per component, when a backups input is configured.
    pub(crate) backups: Option<Vec<crate::core::backups::ComponentBackups>>,
    /// Per customer and per tier, for a period holding whole calendar months.
    pub(crate) rollups: Option<Vec<crate::core::sla::Rollup>>,
}

impl PeriodResult {
    /// The run warnings of the period's backups (a missed RPO, an over-kept backup, a
    /// failed restore test).
    pub(crate) fn backup_warnings(&self, rules: &crate::core::backups::BackupRules) -> Vec<String> {
        self.backups.as_deref().map_or(Vec::new(), |b| crate::core::backups::backup_warnings(b, rules))
    }
}

/// Writes every period into a temporary directory inside `out`, then moves them into
/// place. On any error before the first move nothing is published and the temporary
/// directories are removed. An existing period directory is swapped with the new one in
/// one atomic step (see [`replace_dir`]), so it never goes missing.
pub(crate) fn publish(out: &Path, months: &[(Period, PeriodFiles)]) -> Result<Vec<PathBuf>, RunError> {
    let fail =
        |what: &str, p: &Path, e: std::io::Error| RunError::Output(format!("{}: cannot {what}: {e}", p.display()));
    std::fs::create_dir_all(out).map_err(|e| fail("create the output directory", out, e))?;
    let mut staged = Vec::new();
    for (month, files) in months {
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{month}.partial-"))
            .tempdir_in(out)
            .map_err(|e| fail("create a temporary directory", out, e))?;
        for (name, contents) in files {
            let p = tmp.path().join(name);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| fail("create", parent, e))?;
            }
            contents.put(&p, false).map_err(|e| fail("write", &p, e))?;
        }
        staged.push((out.join(month.to_string()), tmp));
    }
    let mut published = Vec::new();
    for (target, tmp) in staged {
        replace_dir(out, &tmp.keep(), &target).map_err(|e| fail("publish", &target, e))?;
        crash_point("between-months");
        published.push(target);
    }
    Ok(published)
}

/// Puts the complete directory `staged` at `target`. On Linux an existing `target` is
/// exchanged with `staged` by `renameat2(RENAME_EXCHANGE)`, one atomic step, and the old
/// version (now at `staged`) removed. Where that is not available (another OS, or a file
/// system without exchange), the old version is first moved aside, then the new one
/// renamed in: `target` is then missing for that moment, and a run killed in it is
/// repaired by the next command on the output directory (`recover_interrupted`).
fn replace_dir(out: &Path, staged: &Path, target: &Path) -> std::io::Result<()> {
    if target.symlink_metadata().is_err() {
        return std::fs::rename(staged, target).inspect_err(|_| {
            let _ = std::fs::remove_dir_all(staged);
        });
    }
    match exchange(staged, target) {
        Ok(()) => {
            crash_point("after-exchange");
            let _ = std::fs::remove_dir_all(staged); // the previous version
            return Ok(());
        }
        Err(e) if !exchange_unsupported(&e) => {
            let _ = std::fs::remove_dir_all(staged);
            return Err(e);
        }
        Err(_) => {}
    }
    let month = target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let old = tempfile::Builder::new().prefix(&format!(".replaced.{month}.")).tempdir_in(out)?;
    let aside = old.path().join("previous");
    std::fs::rename(target, &aside)?;
    if let Err(e) = std::fs::rename(staged, target) {
        // Put the previous reports back before giving up.
        let _ = std::fs::rename(&aside, target);
        let _ = std::fs::remove_dir_all(staged);
        return Err(e);
    }
    drop(old); // removes the previous version
    Ok(())
}

/// Swaps two paths atomically (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Whether an exchange failed only because the system or file system lacks it.
fn exchange_unsupported(e: &std::io::Error) -> bool {
    #[cfg(target_os = "linux")]
    if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)) {
        return true;
    }
    e.kind() == std::io::ErrorKind::Unsupported
}

/// Records a run in the history of `out` and publishes its months: under the store's
/// lock, the run's files are archived, its results written as Parquet, its record
/// appended to the chain, and only then the month directories replaced.
pub(crate) fn record_and_publish(
    prepared: &Prepared,
    out: &Path,
    results: &[PeriodResult],
    rendered: &[(Period, PeriodFiles)],
    wait: std::time::Duration,
) -> Result<(String, Vec<PathBuf>), RunError> {
    crash_point("after-render");
    refuse_foreign_months(out, rendered)?;
    let store = Store::of(out);
    let _lock = store.lock(wait)?;
    recover_interrupted(out, &store);
    let records = store.read()?;
    if let Some(broken) = crate::audit::history::check_chain(&records).into_iter().find(|c| !c.ok) {
        return Err(RunError::History(HistoryError(format!(
            "{}: the history is damaged ({}); no run is added to it: see `slareport verify`, or move {} aside to start a new history",
            store.runs_file().display(),
            broken.what,
            store.dir.display()
        ))));
    }
    finish_publication(out, &store, &records);
    let run_id = Store::next_id(&records);
    let recorded_at = format_utc(prepared.as_of.unwrap_or(prepared.now));
    // 1. The archive of this run, staged then moved into place.
    let outputs = archive_run(&store, &run_id, rendered)?;
    crash_point("after-archive");
    // 2. Results of every customer-month, for auditors' own tools.
    let rows: Vec<&CustomerPeriod> = results.iter().flat_map(|r| r.rows.iter()).collect();
    let parquet = crate::render::results::results_parquet(&run_id, &recorded_at, &rows, prepared.config.decimals);
    store.install_results(&run_id, &parquet)?;
    // 3. The record, chained to the previous one.
    let record = RunRecord {
        run_id: run_id.clone(),
        recorded_at,
        as_of: prepared.as_of.map(format_utc),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        config: FileRef { path: absolute(&prepared.config.path), sha256: sha256_hex(&prepared.config.bytes) },
        template_sha256: prepared.template.digest.clone(),
        inputs: input_refs(&prepared.inputs.files),
        months: rendered.iter().map(|(m, _)| m.to_string()).collect(),
        outputs,
        results_sha256: sha256_hex(&parquet),
        prev_sha256: records.last().map_or(crate::audit::history::GENESIS.to_string(), |r| r.digest()),
    };
    crash_point("before-record");
    store.append(&records, &record)?;
    crash_point("after-record");
    // 4. The latest reports.
    let published = publish(out, &with_run_id(rendered, &run_id))?;
    Ok((run_id, published))
}

/// Refuses month paths that are not report directories (a user's file, a link), before
/// anything is written.
fn refuse_foreign_months(out: &Path, rendered: &[(Period, PeriodFiles)]) -> Result<(), RunError> {
    for (m, _) in rendered {
        let target = out.join(m.to_string());
        if let Ok(meta) = target.symlink_metadata()
            && !meta.is_dir()
        {
            return Err(RunError::Output(format!(
                "{}: exists and is not a report directory; move it away and run again",
                target.display()
            )));
        }
    }
    Ok(())
}

/// Writes the run's files in a staging directory of the store and moves it into place as
/// the run's archive; returns the files written, as `PERIOD/NAME` with their digests.
fn archive_run(store: &Store, run_id: &str, rendered: &[(Period, PeriodFiles)]) -> Result<Vec<OutputRef>, RunError> {
    let fail =
        |what: &str, p: &Path, e: std::io::Error| RunError::Output(format!("{}: cannot {what}: {e}", p.display()));
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{run_id}.partial-"))
        .tempdir_in(&store.dir)
        .map_err(|e| fail("create a temporary directory in", &store.dir, e))?;
    let mut outputs = Vec::new();
    for (month, files) in rendered {
        for (name, contents) in files {
            let rel = format!("{month}/{name}");
            let p = staging.path().join(&rel);
            std::fs::create_dir_all(p.parent().expect("parent")).map_err(|e| fail("create", &p, e))?;
            contents.put(&p, true).map_err(|e| fail("write", &p, e))?;
            outputs.push(OutputRef { path: rel, sha256: contents.sha256() });
        }
    }
    store.install_archive(run_id, &staging.keep())?;
    Ok(outputs)
}

/// A path as recorded: absolute when it can be resolved, else as given.
fn absolute(p: &Path) -> String {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()).display().to_string()
}

/// The inputs of a run as its record names them.
fn input_refs(files: &[InputFile]) -> Vec<InputRef> {
    files
        .iter()
        .map(|f| InputRef {
            role: f.role.to_string(),
            name: f.name.clone(),
            path: absolute(&f.path),
            sha256: f.sha256.clone(),
            rows: f.rows,
        })
        .collect()
}

/// The period directories to publish: each with the file naming the run that wrote it.
fn with_run_id(rendered: &[(Period, PeriodFiles)], run_id: &str) -> Vec<(Period, PeriodFiles)> {
    rendered
        .iter()
        .map(|(m, files)| {
            let mut files = files.clone();
            files.push((
                crate::audit::verify::RUN_ID_FILE.to_string(),
                Contents::Bytes(format!("{run_id}\n").into_bytes()),
            ));
            (m.clone(), files)
        })
        .collect()
}

/// Completes what an interrupted run left unpublished, for any command that touches an
/// output directory with a history: when no other run holds the lock, leftovers are
/// cleaned up and every month whose latest recorded run was not published is published
/// from that run's archive. Returns what was done, in words.
pub(crate) fn complete_interrupted(out: &Path) -> Vec<String> {
    let store = Store::of(out);
    if !store.runs_file().is_file() {
        return Vec::new();
    }
    // A run holding the lock completes the history itself; a read-only output directory
    // (an auditor's copy) is only read: verify then reports what is unpublished.
    let Ok(Some(_lock)) = store.try_lock() else {
        return Vec::new();
    };
    recover_interrupted(out, &store);
    match store.read() {
        Ok(records) => finish_publication(out, &store, &records),
        Err(_) => Vec::new(),
    }
}

/// Publishes, from its archive, each month whose latest recorded run is not the one
/// published: a run killed after its record, or between two of its months. Only when
/// the month directory is missing or still holds exactly the files of an earlier run
/// (anything else is an edit, which `verify` reports, never overwritten here) and the
/// archive has its recorded digests.
fn finish_publication(out: &Path, store: &Store, records: &[crate::audit::history::StoredRecord]) -> Vec<String> {
    let parsed: Vec<&RunRecord> = records.iter().filter_map(|r| r.record.as_ref()).collect();
    let mut latest: BTreeMap<Period, usize> = BTreeMap::new();
    for (k, r) in parsed.iter().enumerate() {
        for m in &r.months {
            if let Some(period) = Period::from_label(m) {
                latest.insert(period, k);
            }
        }
    }
    let digest_of = |p: &Path| crate::load::sha256_file(p).ok();
    let files_of = |r: &RunRecord, month: &str| -> Vec<OutputRef> {
        r.outputs
            .iter()
            .filter(|o| o.path.strip_prefix(month).is_some_and(|rest| rest.starts_with('/')))
            .cloned()
            .collect()
    };
    let mut done = Vec::new();
    for (month, k) in latest {
        let (rec, name) = (parsed[k], month.to_string());
        let dir = out.join(&name);
        let owner = std::fs::read_to_string(dir.join(crate::audit::verify::RUN_ID_FILE)).ok();
        let owner = owner.as_deref().map(str::trim);
        if owner == Some(rec.run_id.as_str()) {
            continue;
        }
        let untouched_earlier = match owner.and_then(|o| parsed[..k].iter().find(|r| r.run_id == o)) {
            Some(earlier) => {
                files_of(earlier, &name).iter().all(|o| digest_of(&out.join(&o.path)).as_deref() == Some(&o.sha256))
            }
            None => dir.symlink_metadata().is_err(),
        };
        let archive = store.archive(&rec.run_id);
        let files = files_of(rec, &name);
        let archive_intact =
            !files.is_empty() && files.iter().all(|o| digest_of(&archive.join(&o.path)).as_deref() == Some(&o.sha256));
        if !untouched_earlier || !archive_intact {
            continue;
        }
        let mut contents: PeriodFiles = Vec::new();
        for o in &files {
            // Copied from the archive when published, never read into memory.
            let path = archive.join(&o.path);
            match path.metadata() {
                Ok(meta) => contents.push((
                    o.path[name.len() + 1..].to_string(),
                    Contents::File { path, bytes: meta.len(), sha256: o.sha256.clone() },
                )),
                Err(_) => continue,
            }
        }
        let run_id = format!("{}\n", rec.run_id).into_bytes();
        contents.push((crate::audit::verify::RUN_ID_FILE.to_string(), Contents::Bytes(run_id)));
        if publish(out, &[(month, contents)]).is_ok() {
            done.push(format!(
                "completed the interrupted publication of {}: {name}/ published from its archive",
                rec.run_id
            ));
        }
    }
    done
}

/// Cleans up after a run killed part-way (called under the lock): staged directories are
/// removed, and a month whose directory was moved aside but not replaced gets it back.
fn recover_interrupted(out: &Path, store: &Store) {
    let entries = |dir: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(dir).map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default()
    };
    for p in entries(out) {
        let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if let Some(rest) = name.strip_prefix(".replaced.") {
            // `.replaced.<period>.<random>`: a period label may hold dots (`a..b`).
            let month = rest.rsplit_once('.').map_or("", |(label, _)| label);
            let target = out.join(month);
            if !month.is_empty() && !target.exists() && p.join("previous").is_dir() {
                let _ = std::fs::rename(p.join("previous"), &target);
            }
            let _ = std::fs::remove_dir_all(&p);
        } else if name.starts_with('.') && name.contains(".partial-") {
            let _ = std::fs::remove_dir_all(&p);
        } else if name.starts_with(SCRATCH_PREFIX) {
            remove_abandoned_scratch(&p);
        }
    }
    for p in entries(&store.dir) {
        let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if name.starts_with(".run-") && name.contains(".partial-") {
            let _ = std::fs::remove_dir_all(&p);
        }
    }
    // Half-written history files (records, results) of a killed run.
    for dir in [store.dir.clone(), store.dir.join("results")] {
        for p in entries(&dir) {
            let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            if name.starts_with(crate::audit::history::TEMP_PREFIX) && p.is_file() {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
}

/// Fault injection for the crash-safety tests: `SLAREPORT_CRASH_AT=<point>` aborts the
/// process there, as a kill would. Only in builds with the `fault-injection` feature
/// (the test script's); a release binary has no such hook.
#[cfg(feature = "fault-injection")]
fn crash_point(point: &str) {
    if std::env::var("SLAREPORT_CRASH_AT").is_ok_and(|p| p == point) {
        std::process::abort();
    }
}

#[cfg(not(feature = "fault-injection"))]
fn crash_point(_point: &str) {}
