//! Loaders: the only code that knows file formats. They turn CSV / CSV.gz / Parquet files
//! named by the config into core types, with explicit column names and explicit value
//! formats, and fail on the first bad cell with one line naming file, line and column.

pub(crate) mod history;
pub mod native;
mod records;
mod spill;
pub(crate) mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{Config, InputPattern};
use crate::core::checks::{Check, ReducedPair, SeriesKey, SeriesMode, Spacing};
use crate::core::interval::{Instant, Interval, IntervalSet};
use crate::core::model::{Customer, Incident, Outage};
use records::Problems;
pub(crate) use table::InputError;
use table::quote;

/// The input file being read, for a process-level guard that must name it without
/// allocating (see `main`: a damaged Parquet file can make the reader ask for more memory
/// than the machine has, which would otherwise abort the process).
pub(crate) static READING: std::sync::RwLock<String> = std::sync::RwLock::new(String::new());

/// Marks `display` as the file being read.
pub(crate) fn reading(display: &str) {
    let name = display.to_string();
    if let Ok(mut r) = READING.write() {
        *r = name;
    }
}

/// One input file as read, with its digest for the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InputFile {
    /// `customers`, `checks`, `outages` or `incidents`.
    pub(crate) role: &'static str,
    /// The path relative to the config's directory, with `/` separators.
    pub(crate) name: String,
    pub(crate) path: PathBuf,
    pub(crate) sha256: String,
    /// Data rows read (blank lines are not rows).
    pub(crate) rows: usize,
    /// When the rows are, to count those inside a set of months.
    pub(crate) footprint: Footprint,
}

/// When the rows of a file are: check timestamps by quarter hour (every zone's local
/// midnight is on a quarter hour, so month bounds never split a bucket), or one interval
/// per row (outages, incidents, customers' contracts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Footprint {
    QuarterHours(std::collections::BTreeMap<i64, usize>),
    Spans(Vec<Interval>),
}

impl Footprint {
    /// How many rows lie in (instants) or touch (intervals) `window`.
    pub(crate) fn rows_inside(&self, window: &IntervalSet) -> usize {
        match self {
            Footprint::QuarterHours(b) => window
                .intervals()
                .iter()
                .map(|iv| b.range(iv.start.div_euclid(900)..iv.end.div_euclid(900)).map(|(_, n)| n).sum::<usize>())
                .sum(),
            Footprint::Spans(spans) => spans
                .iter()
                .filter(|s| {
                    window.overlaps(s)
                        || (s.is_empty() && window.intervals().iter().any(|w| w.start <= s.start && s.start < w.end))
                })
                .count(),
        }
    }
}

/// Everything read from the inputs of one configuration.
#[derive(Debug, Default)]
pub struct Inputs {
    pub(crate) customers: Vec<Customer>,
    pub(crate) series: Vec<SeriesKey>,
    /// How each series (by the index of its key in `series`) is read: probe checks or a
    /// state-change log.
    pub(crate) modes: Vec<SeriesMode>,
    /// The checks reduced per (service, region) as they were read: rows are not kept.
    pub(crate) reduced: Vec<ReducedPair>,
    /// How often each series was checked (by the index of its key in `series`).
    pub(crate) spacings: Vec<Spacing>,
    pub(crate) outages: Vec<Outage>,
    pub(crate) incidents: Vec<Incident>,
    pub(crate) files: Vec<InputFile>,
    /// What a run should know about how its inputs were read (not problems).
    pub(crate) notes: Vec<String>,
    /// Backup runs and restore tests (`[inputs] backups`).
    pub(crate) backups: Vec<crate::core::backups::Backup>,
}

pub(crate) use crate::common::sha256_file;

fn has_glob_chars(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

/// Expands the patterns of one `[inputs]` role relative to `base`, sorted within a
/// pattern, each file once, with the entry that matched it. Every pattern must match at
/// least one file unless it is `optional`; the error names the pattern and what its
/// folder holds instead. A file matched by two entries that read it differently (their
/// mapping or series kind) is an error.
pub(crate) fn expand<'a>(
    base: &Path,
    patterns: &'a [InputPattern],
    role: &str,
    config_name: &str,
) -> Result<Vec<(String, PathBuf, &'a InputPattern)>, InputError> {
    let mut out: Vec<(String, PathBuf, &InputPattern)> = Vec::new();
    for entry in patterns {
        let InputPattern { pattern: pat, optional, .. } = entry;
        let full = base.join(pat);
        let mut found: Vec<PathBuf> = if has_glob_chars(pat) {
            // The directory is literal text: its own `[`, `*` or `?` are not patterns.
            let pattern =
                Path::new(&glob::Pattern::escape(&base.to_string_lossy())).join(pat).to_string_lossy().to_string();
            let mut files = Vec::new();
            for entry in glob::glob(&pattern).map_err(|e| {
                InputError(format!("{config_name}: [inputs] {role}: bad file pattern {}: {e}", quote(pat)))
            })? {
                let p = entry.map_err(|e| {
                    InputError(format!(
                        "{config_name}: [inputs] {role}: {}: cannot read: {}",
                        e.path().display(),
                        e.error()
                    ))
                })?;
                if p.is_file() {
                    files.push(p);
                }
            }
            files
        } else if full.is_file() {
            vec![full.clone()]
        } else if full.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) && !full.exists() {
            return Err(InputError(format!(
                "{config_name}: [inputs] {role}: {} is a symbolic link to a missing file ({})",
                quote(pat),
                full.display()
            )));
        } else if full.exists() {
            return Err(InputError(format!(
                "{config_name}: [inputs] {role}: {} is not a file ({})",
                quote(pat),
                full.display()
            )));
        } else {
            Vec::new()
        };
        if found.is_empty() && !optional {
            let what = if has_glob_chars(pat) { "matched no file" } else { "not found" };
            return Err(InputError(format!(
                "{config_name}: [inputs] {role}: {} {what}; {} (write {{ path = {}, optional = true }} if it may be absent)",
                quote(pat),
                near_miss(base, pat),
                quote(pat)
            )));
        }
        found.sort();
        for p in found {
            let name = p
                .strip_prefix(base)
                .unwrap_or(&p)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            match out.iter().find(|(_, q, _)| q == &p) {
                None => out.push((name, p, entry)),
                Some((_, _, first)) if first.mapping != entry.mapping || first.series != entry.series => {
                    return Err(InputError(format!(
                        "{config_name}: [inputs] {role}: {name} is matched by {} and by {}, which read it differently (mapping or series); make the patterns match different files",
                        quote(&first.pattern),
                        quote(pat)
                    )));
                }
                Some(_) => {}
            }
        }
    }
    Ok(out)
}

/// What the folder of a pattern holds, for an error about a pattern matching nothing:
/// `checks/ holds 3 .csv.gz files`, `checks/ holds no files`, `checks/ does not exist`.
fn near_miss(base: &Path, pattern: &str) -> String {
    // The literal folder: the components before the first one with glob characters.
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal: Vec<&str> =
        parts[..parts.len().saturating_sub(1)].iter().take_while(|p| !has_glob_chars(p)).copied().collect();
    let folder = literal.join("/");
    let shown = if folder.is_empty() { "the config's folder".to_string() } else { format!("{folder}/") };
    let dir = base.join(&folder);
    let dir = if dir.as_os_str().is_empty() { Path::new(".").to_path_buf() } else { dir };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return format!("{shown} does not exist");
    };
    let mut by_kind: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for e in entries.flatten() {
        if !e.path().is_file() {
            continue;
        }
        let name = e.file_name().to_string_lossy().to_lowercase();
        let kind = [".csv.gz", ".csv", ".parquet", ".gz", ".json", ".xlsx", ".tsv", ".txt"]
            .iter()
            .find(|x| name.ends_with(*x))
            .map_or("other".to_string(), |x| x.to_string());
        *by_kind.entry(kind).or_default() += 1;
    }
    if by_kind.is_empty() {
        return format!("{shown} holds no files");
    }
    let list: Vec<String> = by_kind
        .iter()
        .map(|(k, n)| {
            let files = if *n == 1 { "file" } else { "files" };
            if k == "other" { format!("{n} other {files}") } else { format!("{n} {k} {files}") }
        })
        .collect();
    format!("{shown} holds {}", list.join(", "))
}

/// Gives every UTC day that `iv` touches a (possibly empty) bucket in a quarter-hour
/// footprint: time a status or a reduced interval covers is time with data.
fn mark_days(buckets: &mut BTreeMap<i64, usize>, iv: Interval) {
    if iv.is_empty() {
        return;
    }
    for day in iv.start.div_euclid(86_400)..=(iv.end - 1).div_euclid(86_400) {
        buckets.entry(day * 96).or_insert(0);
    }
}

/// A state-change log has few rows, but its statuses hold between them: every UTC day
/// that a hold touches (as `core::checks` reads the log: until the series' next row, at
/// most `max_hold`, the last until `now`; `unknown` holds nothing) gets an empty bucket
/// in the log file's footprint, so the months a log covers count as months with data.
/// Row counts are unchanged: a row is counted at its own instant.
fn mark_held_days(inputs: &mut Inputs, log_rows: &[Check], logs: &[(usize, std::ops::Range<usize>)], now: Instant) {
    if logs.is_empty() {
        return;
    }
    // (series, at, log) of every row of every log, by series and time.
    let mut rows: Vec<(u32, Instant, usize, bool)> = Vec::new();
    for (k, (_, range)) in logs.iter().enumerate() {
        for c in &log_rows[range.clone()] {
            rows.push((c.series, c.at, k, c.status != crate::core::checks::Status::Unknown));
        }
    }
    rows.sort_unstable();
    let mut held: Vec<Vec<Interval>> = vec![Vec::new(); logs.len()];
    // Backwards: the series and instant of the row after, and the next later instant.
    let mut after: Option<(u32, Instant, Option<Instant>)> = None;
    for &(series, at, k, data) in rows.iter().rev() {
        let next = match after {
            Some((s, t, later)) if s == series && t == at => later,
            Some((s, t, _)) if s == series => Some(t),
            _ => None,
        };
        after = Some((series, at, next));
        let max_hold = match inputs.modes.get(series as usize) {
            Some(SeriesMode::Events { max_hold }) => *max_hold,
            _ => None,
        };
        let end = next.unwrap_or(now);
        let end = max_hold.map_or(end, |h| end.min(at.saturating_add(h)));
        if data && end > at {
            held[k].push(Interval::new(at, end));
        }
    }
    for ((file, _), spans) in logs.iter().zip(held) {
        let Footprint::QuarterHours(buckets) = &mut inputs.files[*file].footprint else { continue };
        for iv in IntervalSet::from_intervals(spans).intervals() {
            mark_days(buckets, *iv);
        }
    }
}

/// Reads every input of a configuration, stopping at the first problem. `now` closes
/// open outages and incidents.
pub fn load_inputs(config: &Config, now: Instant) -> Result<Inputs, InputError> {
    read_inputs(config, now, &mut Problems::fail_fast())
}

/// Reads only the checks of a configuration (for `slareport reduce`), stopping at the
/// first problem.
pub(crate) fn load_checks(config: &Config, now: Instant) -> Result<Inputs, InputError> {
    let only_checks = Config {
        customers: Vec::new(),
        outages: Vec::new(),
        incidents: Vec::new(),
        backups: Vec::new(),
        reduced: Vec::new(),
        ..config.clone()
    };
    read_inputs(&only_checks, now, &mut Problems::fail_fast())
}

/// Reads every input it can, listing every problem in `problems` (for `validate`): a
/// file with a problem in its header or format is skipped, a bad row is left out.
pub(crate) fn load_inputs_collecting(config: &Config, now: Instant) -> (Inputs, Vec<InputError>) {
    let mut problems = Problems::collecting();
    let inputs = read_inputs(config, now, &mut problems).unwrap_or_default();
    (inputs, problems.list)
}

/// A file an `[inputs]` pattern matched: its config-relative name, its path, its entry.
type Expanded<'a> = (String, PathBuf, &'a InputPattern);

/// One file read as an input of a role: a table file, or the canonical CSV made from a
/// native source (then `origin` says where its rows come from).
struct Source {
    /// The config-relative name of the file as the user gave it.
    name: String,
    /// The file the loader reads.
    path: PathBuf,
    /// The file whose digest the manifest records (the source itself).
    source_path: PathBuf,
    entry: InputPattern,
    origin: Option<native::Origin>,
}

impl Source {
    fn display(&self) -> String {
        self.path.display().to_string()
    }

    /// The source as an input file of the run. A table file's digest is taken while it is
    /// read (`digest`); a native source's, or one not taken while reading, here.
    fn input_file(
        &self,
        role: &'static str,
        read: (usize, Footprint),
        digest: Option<String>,
    ) -> Result<InputFile, InputError> {
        let path = &self.source_path;
        let sha256 = match (digest, &self.origin) {
            (Some(d), None) => d,
            _ => sha256_file(path).map_err(|e| InputError(format!("{}: cannot read: {e}", path.display())))?,
        };
        Ok(InputFile {
            role,
            name: self.name.clone(),
            path: path.to_path_buf(),
            sha256,
            rows: read.0,
            footprint: read.1,
        })
    }

    /// A loader's problem, told about the source.
    fn relocate(&self, e: InputError) -> InputError {
        match &self.origin {
            Some(o) => o.relocate(e),
            None => e,
        }
    }
}

/// The sources of each role: table files as they are, native sources turned into
/// canonical CSV files in `tmp` (a native source may give rows of several roles).
fn sources(
    listed: Vec<(&'static str, Vec<Expanded>)>,
    now: Instant,
    tmp: &mut Option<tempfile::TempDir>,
    problems: &mut Problems,
) -> Result<BTreeMap<&'static str, Vec<Source>>, InputError> {
    let mut out: BTreeMap<&'static str, Vec<Source>> = BTreeMap::new();
    let mut made = 0usize;
    for (role, files) in listed {
        for (name, path, entry) in files {
            let Some(format) = entry.format else {
                out.entry(role).or_default().push(Source {
                    name,
                    path: path.clone(),
                    source_path: path,
                    entry: entry.clone(),
                    origin: None,
                });
                continue;
            };
            let display = path.display().to_string();
            reading(&display);
            let native = match native::read(format, &path, &display, &entry.options, now) {
                Ok(n) => n,
                Err(e) => {
                    problems.report(e)?;
                    continue;
                }
            };
            let events = native.checks_are_events;
            for (table_role, table) in
                [("checks", native.checks), ("outages", native.outages), ("incidents", native.incidents)]
            {
                let Some(table) = table else { continue };
                made += 1;
                if tmp.is_none() {
                    *tmp = Some(
                        tempfile::Builder::new()
                            .prefix("slareport-native-")
                            .tempdir()
                            .map_err(|e| InputError(format!("cannot create a temporary directory: {e}")))?,
                    );
                }
                let dir = tmp.as_ref().expect("created above").path();
                let csv_path = dir.join(format!("{made}-{table_role}.csv"));
                let (bytes, starts) = native::to_csv(&table);
                std::fs::write(&csv_path, bytes)
                    .map_err(|e| InputError(format!("{}: cannot write: {e}", csv_path.display())))?;
                // The entry's mapping (values, constants) applies to the rows of its own role.
                let mut own = if table_role == role { entry.clone() } else { InputPattern::plain(&entry.pattern) };
                own.mapping.columns.clear();
                own.mapping.timestamp_format = None;
                if table_role == "checks" && events && own.series == SeriesMode::Checks {
                    own.series = SeriesMode::Events { max_hold: None };
                }
                let origin = native::Origin {
                    display: display.clone(),
                    csv_display: csv_path.display().to_string(),
                    starts,
                    sources: table.rows.into_iter().map(|r| r.source).collect(),
                };
                out.entry(table_role).or_default().push(Source {
                    name: name.clone(),
                    path: csv_path,
                    source_path: path.clone(),
                    entry: own,
                    origin: Some(origin),
                });
            }
        }
    }
    Ok(out)
}

fn read_inputs(config: &Config, now: Instant, problems: &mut Problems) -> Result<Inputs, InputError> {
    let cfg_name = config.path.display().to_string();
    let mut inputs = Inputs::default();
    let mut files = |role: &str, patterns| {
        expand(&config.base_dir, patterns, role, &cfg_name).or_else(|e| problems.report(e).map(|_| Vec::new()))
    };
    let listed = vec![
        ("customers", files("customers", &config.customers)?),
        ("checks", files("checks", &config.checks)?),
        ("outages", files("outages", &config.outages)?),
        ("incidents", files("incidents", &config.incidents)?),
        ("backups", files("backups", &config.backups)?),
        ("reduced", files("reduced", &config.reduced)?),
    ];
    // Canonical CSV of native sources, made only when there are some; removed on return.
    let mut tmp = None;
    let mut by_role = sources(listed, now, &mut tmp, problems)?;
    let mut take = |role: &str| by_role.remove(role).unwrap_or_default();
    let (customer_files, check_files, outage_files, incident_files) =
        (take("customers"), take("checks"), take("outages"), take("incidents"));
    read_customers(config, customer_files, &mut inputs, problems)?;
    read_check_files(config, check_files, now, &mut inputs, problems)?;
    read_reduced(config, take("reduced"), &mut inputs, problems)?;
    read_outages(config, outage_files, now, &mut inputs, problems)?;
    read_incidents(config, incident_files, now, &mut inputs, problems)?;
    read_backups(config, take("backups"), &mut inputs, problems)?;
    Ok(inputs)
}

/// The zone of a file's naive timestamps: its own, else `[inputs] timezone`.
fn file_zone(config: &Config, entry: &InputPattern) -> chrono_tz::Tz {
    entry.mapping.timezone.unwrap_or(config.inputs_timezone)
}

/// Reads the customer files: a report needs at least one customer row.
fn read_customers(
    config: &Config,
    files: Vec<Source>,
    inputs: &mut Inputs,
    problems: &mut Problems,
) -> Result<(), InputError> {
    let mut customer_lines = std::collections::HashMap::new();
    for src in &files {
        let (path, display, entry) = (&src.path, src.display(), &src.entry);
        let read = records::customers(
            path,
            &display,
            config,
            &entry.mapping,
            file_zone(config, entry),
            &mut inputs.customers,
            &mut customer_lines,
            problems,
        );
        match read {
            Ok(read) => inputs.files.push(src.input_file("customers", read, None)?),
            Err(e) => problems.report(e)?,
        }
    }
    if inputs.customers.is_empty() && !files.is_empty() {
        let names: Vec<&str> = files.iter().map(|s| s.name.as_str()).collect();
        problems.report(InputError(format!(
            "{}: no customers: a report needs at least one customer row",
            names.join(", ")
        )))?;
    }
    Ok(())
}

/// Reads the check files into `inputs` (series, their reduction, spacings, notes) and
/// marks the days the holds of state-change logs reach.
fn read_check_files(
    config: &Config,
    files: Vec<Source>,
    now: Instant,
    inputs: &mut Inputs,
    problems: &mut Problems,
) -> Result<(), InputError> {
    let checks = reduce_check_files(config, &files, now, problems)?;
    // (index in `inputs.files`, its rows in `checks.log_rows`) of each state-change log.
    let mut logs: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    for file in checks.files {
        if let Some(range) = file.log_rows {
            logs.push((inputs.files.len(), range));
        }
        inputs.files.push(files[file.source].input_file("checks", file.read, Some(file.digest))?);
    }
    (inputs.series, inputs.modes, inputs.reduced, inputs.spacings) =
        (checks.series, checks.modes, checks.reduced, checks.spacings);
    inputs.notes.extend(checks.notes);
    mark_held_days(inputs, &checks.log_rows, &logs, now);
    Ok(())
}

/// Reads the outage files; the source of an outage from a native file names its record.
fn read_outages(
    config: &Config,
    files: Vec<Source>,
    now: Instant,
    inputs: &mut Inputs,
    problems: &mut Problems,
) -> Result<(), InputError> {
    for src in &files {
        let (path, display, entry) = (&src.path, src.display(), &src.entry);
        let first = inputs.outages.len();
        let mut own = problems.same_kind();
        let read = records::outages(
            path,
            &display,
            &src.name,
            file_zone(config, entry),
            &entry.mapping,
            now,
            &mut inputs.outages,
            &mut own,
        );
        relay(src, own, problems)?;
        if let Some(origin) = &src.origin {
            for o in &mut inputs.outages[first..] {
                o.source = origin.relocate_source(&o.source, &src.name);
            }
        }
        match read {
            Ok(read) => inputs.files.push(src.input_file("outages", read, None)?),
            Err(e) => problems.report(src.relocate(e))?,
        }
    }
    Ok(())
}

/// Reads the incident files; an incident id is unique across them.
fn read_incidents(
    config: &Config,
    files: Vec<Source>,
    now: Instant,
    inputs: &mut Inputs,
    problems: &mut Problems,
) -> Result<(), InputError> {
    let mut incident_lines = std::collections::HashMap::new();
    for src in &files {
        let (path, display, entry) = (&src.path, src.display(), &src.entry);
        let mut own = problems.same_kind();
        let read = records::incidents(
            path,
            &display,
            file_zone(config, entry),
            &entry.mapping,
            now,
            &mut inputs.incidents,
            &mut incident_lines,
            &mut own,
        );
        relay(src, own, problems)?;
        match read {
            Ok(read) => inputs.files.push(src.input_file("incidents", read, None)?),
            Err(e) => problems.report(src.relocate(e))?,
        }
    }
    Ok(())
}

/// A check file as read: its index among the sources, rows and footprint, digest, and
/// where its rows are in `log_rows` when it is a state-change log.
struct CheckFile {
    source: usize,
    read: (usize, Footprint),
    digest: String,
    log_rows: Option<std::ops::Range<usize>>,
}

/// The checks of a run, reduced as they were read.
struct ChecksRead {
    files: Vec<CheckFile>,
    series: Vec<SeriesKey>,
    modes: Vec<SeriesMode>,
    reduced: Vec<ReducedPair>,
    spacings: Vec<Spacing>,
    log_rows: Vec<Check>,
    notes: Vec<String>,
}

/// Reads every check file once, reducing each series as its rows arrive. When some
/// series is not in time order (unsorted files, or a series whose files are named out of
/// order), the files are read a second time into a sort on disk, and the sorted rows are
/// reduced: memory stays bounded either way.
fn reduce_check_files(
    config: &Config,
    sources: &[Source],
    now: Instant,
    problems: &mut Problems,
) -> Result<ChecksRead, InputError> {
    let spacing = problems.collects();
    let mut sink = records::CheckSink::new(&config.monitoring, spacing);
    let mut files = Vec::new();
    for (k, src) in sources.iter().enumerate() {
        let entry = &src.entry;
        let first = sink.logs.len();
        let mut own = problems.same_kind();
        let read = read_one_check_file(config, src, &mut sink, &mut own);
        relay(src, own, problems)?;
        match read {
            Ok((rows, footprint, digest)) => files.push(CheckFile {
                source: k,
                read: (rows, footprint),
                digest,
                log_rows: matches!(entry.series, SeriesMode::Events { .. }).then(|| first..sink.logs.len()),
            }),
            Err(e) => problems.report(src.relocate(e))?,
        }
    }
    let records::CheckSink { interner, feed, logs: log_rows } = sink;
    let mut notes = Vec::new();
    let reduction = match feed {
        records::Feed::Stream { reduction, disorder: None } => reduction,
        records::Feed::Stream { disorder: Some((o, file)), .. } => {
            let key = &interner.keys()[o.series as usize];
            notes.push(format!(
                "checks are not in time order ({file}: {}/{}/{} at {} after {}): the check files were read twice and sorted on disk; files sorted by time are read once",
                key.service,
                key.region,
                key.location,
                crate::core::time::format_utc(o.at),
                crate::core::time::format_utc(o.after)
            ));
            sorted_reduction(config, sources, &files, interner.clone(), spacing)?
        }
        records::Feed::Sort(_) => unreachable!("the first reading streams"),
    };
    let (series, modes) = interner.into_keys();
    let (reduced, spacings) = reduction.finish(&series, now);
    Ok(ChecksRead { files, series, modes, reduced, spacings, log_rows, notes })
}

/// One check file of `src` into `sink`, in its entry's zone, mapping and series mode.
fn read_one_check_file(
    config: &Config,
    src: &Source,
    sink: &mut records::CheckSink,
    problems: &mut Problems,
) -> Result<(usize, Footprint, String), InputError> {
    let entry = &src.entry;
    records::checks(&src.path, &src.display(), file_zone(config, entry), &entry.mapping, entry.series, sink, problems)
}

/// The second reading of check files that were not in time order: the rows the first
/// reading accepted, sorted on disk by series and time, then reduced.
fn sorted_reduction(
    config: &Config,
    sources: &[Source],
    files: &[CheckFile],
    interner: records::SeriesInterner,
    spacing: bool,
) -> Result<crate::core::checks::Reduction, InputError> {
    let mut sink =
        records::CheckSink { interner, feed: records::Feed::Sort(spill::ExternalSort::default()), logs: Vec::new() };
    for file in files {
        let src = &sources[file.source];
        // The first reading reported every problem; the same rows are left out again.
        let mut ignored = Problems::collecting();
        read_one_check_file(config, src, &mut sink, &mut ignored).map_err(|e| src.relocate(e))?;
    }
    let records::Feed::Sort(sort) = sink.feed else { unreachable!("sorting") };
    let mut reduction = crate::core::checks::Reduction::new(&config.monitoring).with_spacing(spacing);
    for (id, mode) in sink.interner.modes().enumerate() {
        reduction.add_series(id as u32, mode);
    }
    let mut result = Ok(());
    sort.finish(|c| {
        if result.is_ok() {
            result = reduction.push(c);
        }
    })
    .map_err(|e| InputError(format!("cannot sort the checks on disk: {e}")))?;
    result.expect("rows sorted by series and time");
    Ok(reduction)
}

/// Reads the files of `[inputs] reduced` and adds their pairs to `inputs.reduced`: a
/// pair is either reduced here from checks or read reduced, not both.
fn read_reduced(
    config: &Config,
    files: Vec<Source>,
    inputs: &mut Inputs,
    problems: &mut Problems,
) -> Result<(), InputError> {
    let mut rows = Vec::new();
    for src in &files {
        let (path, display, entry) = (&src.path, src.display(), &src.entry);
        let zone = file_zone(config, entry);
        let mut own = problems.same_kind();
        let read = records::reduced(path, &display, &src.name, zone, &entry.mapping, &mut rows, &mut own);
        relay(src, own, problems)?;
        match read {
            Ok(read) => inputs.files.push(src.input_file("reduced", read, None)?),
            Err(e) => problems.report(src.relocate(e))?,
        }
    }
    let mut by_pair: BTreeMap<crate::core::checks::Pair, Vec<records::ReducedRow>> = BTreeMap::new();
    for r in rows {
        by_pair.entry(r.pair.clone()).or_default().push(r);
    }
    for (pair, mut rows) in by_pair {
        if let Some(first) = rows.first()
            && inputs.reduced.iter().any(|p| p.pair == pair)
        {
            problems.report(InputError(format!(
                "{}: {pair} is in the checks too: a pair is read from checks or reduced, not both",
                first.origin
            )))?;
            continue;
        }
        match reduced_pair(pair, &mut rows) {
            Ok(p) => inputs.reduced.push(p),
            Err(e) => problems.report(e)?,
        }
    }
    inputs.reduced.sort_by(|a, b| a.pair.cmp(&b.pair));
    Ok(())
}

/// One pair of a reduced file: its data intervals, and its down intervals, each inside
/// the data (down time is only known where a location had data).
fn reduced_pair(
    pair: crate::core::checks::Pair,
    rows: &mut [records::ReducedRow],
) -> Result<crate::core::checks::ReducedPair, InputError> {
    use crate::core::checks::{DownSpan, ReducedPair};
    rows.sort_by_key(|r| (r.down, r.interval));
    let locations = rows[0].locations;
    if let Some(r) = rows.iter().find(|r| r.locations != locations) {
        return Err(InputError(format!(
            "{}: column 'locations': {pair} has {} locations here but {} in {}",
            r.origin,
            r.locations.map_or("no count of".into(), |n| n.to_string()),
            locations.map_or("no count of".into(), |n| n.to_string()),
            rows[0].origin
        )));
    }
    let data = IntervalSet::from_intervals(rows.iter().filter(|r| !r.down).map(|r| r.interval).collect());
    let mut down = Vec::new();
    for r in rows.iter().filter(|r| r.down) {
        if !data.contains(&r.interval) {
            return Err(InputError(format!(
                "{}: {pair}: down {}..{} is not inside the pair's data intervals (down time is only known where there is data)",
                r.origin,
                crate::core::time::format_utc(r.interval.start),
                crate::core::time::format_utc(r.interval.end)
            )));
        }
        down.push(DownSpan {
            interval: r.interval,
            locations_down: r.locations_down.clone(),
            origin: Some(r.origin.clone()),
        });
    }
    Ok(ReducedPair { pair, data, locations, down, first: rows.iter().map(|r| r.interval.start).min() })
}

/// Reads the files of `[inputs] backups`.
fn read_backups(
    config: &Config,
    files: Vec<Source>,
    inputs: &mut Inputs,
    problems: &mut Problems,
) -> Result<(), InputError> {
    let mut seen = std::collections::HashMap::new();
    for src in &files {
        let (path, display, entry) = (&src.path, src.display(), &src.entry);
        let zone = file_zone(config, entry);
        let mut own = problems.same_kind();
        let read = records::backups(path, &display, zone, &entry.mapping, &mut inputs.backups, &mut seen, &mut own);
        relay(src, own, problems)?;
        match read {
            Ok(read) => inputs.files.push(src.input_file("backups", read, None)?),
            Err(e) => problems.report(src.relocate(e))?,
        }
    }
    Ok(())
}

/// Passes on the problems a loader collected for one source, told about the source.
fn relay(src: &Source, own: Problems, problems: &mut Problems) -> Result<(), InputError> {
    for e in own.list {
        problems.report(src.relocate(e))?;
    }
    Ok(())
}
