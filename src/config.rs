//! The TOML configuration (docs/CONTRACT.md §8), read exactly.
//!
//! TOML floats would lose exactness (`99.95` is not a binary float), so before
//! deserializing, every float literal is replaced by a string holding the literal as
//! written; decimal settings accept strings and integers. Unknown keys are errors.

use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::quote;
use crate::core::checks::SeriesMode;
use crate::core::model::{Category, CreditBand, GapPolicy, MonitoringRules, Quorum, TierRules};
use crate::core::numbers::DecimalError;
use crate::core::time::{InstantFormat, parse_tz};

#[derive(Debug, thiserror::Error)]
#[error("{file}{at}: {message}", at = .line.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
pub struct ConfigError {
    pub(crate) file: String,
    pub(crate) line: Option<(usize, usize)>,
    pub(crate) message: String,
}

/// Bounds that keep every exact computation inside i128 (see core::numbers): decimal
/// settings have at most 6 places, `decimals` at most 8.
pub(crate) const MAX_SCALE: u32 = 6;
/// The largest recovery objective (`rto_minutes`, `rpo_minutes`): 366 days in minutes.
pub(crate) const MAX_OBJECTIVE_MINUTES: i64 = 527_040;
pub(crate) const MAX_DECIMALS: u32 = 8;
pub(crate) const MAX_GAP_SECONDS: i64 = 366 * 86_400;
pub(crate) const MAX_NOTICE_HOURS: i64 = 366 * 24;

/// A decimal written as a TOML number or string; `Err` holds a number written with more
/// digits than can be held exactly, reported with its key when the value is used.
#[derive(Debug, Clone)]
struct Dec(Result<Decimal, String>);

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Dec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a decimal number, e.g. 99.95 or \"99.95\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Dec, E> {
                Ok(Dec(Ok(Decimal::from(v))))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Dec, E> {
                Ok(Dec(Ok(Decimal::from(v))))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Dec, E> {
                let clean = v.trim().replace('_', "");
                match crate::core::numbers::exact_decimal(&clean) {
                    Ok(d) => Ok(Dec(Ok(d))),
                    Err(DecimalError::TooManyDigits) => Ok(Dec(Err(crate::common::clip(v)))),
                    Err(DecimalError::NotANumber) => {
                        Err(E::custom(format!("expected a decimal number, found {}", quote(v))))
                    }
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// The canonical columns of each `[inputs]` role, in the order loaders read them.
pub(crate) const CUSTOMER_COLUMNS: &[&str] = &[
    "customer_id",
    "name",
    "tier",
    "services",
    "regions",
    "contract_start",
    "contract_end",
    "monthly_fee",
    "currency",
    "timezone",
    "target_percent",
    "rto_minutes",
    "rpo_minutes",
];
pub(crate) const CHECK_COLUMNS: &[&str] = &["timestamp", "service", "region", "location", "status"];
pub(crate) const OUTAGE_COLUMNS: &[&str] = &["service", "region", "start", "end", "duration_seconds"];
pub(crate) const INCIDENT_COLUMNS: &[&str] = &[
    "incident_id",
    "title",
    "category",
    "impact",
    "start",
    "end",
    "duration_seconds",
    "services",
    "regions",
    "customers",
    "announced_at",
    "data_loss_minutes",
];
/// The reduced checks (`slareport reduce`, or the SQL in `sql/`): intervals per pair.
pub(crate) const REDUCED_COLUMNS: &[&str] =
    &["service", "region", "kind", "start", "end", "locations_down", "locations"];
pub(crate) const REDUCED_REQUIRED: &[&str] = &["service", "region", "kind", "start", "end"];
pub(crate) const BACKUP_COLUMNS: &[&str] = &[
    "backup_id",
    "component",
    "services",
    "regions",
    "started_at",
    "completed_at",
    "status",
    "expires_at",
    "restore_tested_at",
    "restore_result",
];

/// How one input file's own columns and values become the canonical ones. Plain data,
/// checked when the config is read; the default maps nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Mapping {
    /// Canonical column -> its header name in the file.
    pub(crate) columns: BTreeMap<String, String>,
    /// Canonical column -> (value as written in the file, trimmed -> canonical value).
    pub(crate) values: BTreeMap<String, BTreeMap<String, String>>,
    /// How the file writes its instants; `None` = the canonical forms.
    pub(crate) timestamp_format: Option<InstantFormat>,
    /// Zone of the file's naive timestamps; `None` = `[inputs] timezone`.
    pub(crate) timezone: Option<Tz>,
    /// Canonical column -> the value of every row (the column is not read from the file).
    pub(crate) constants: BTreeMap<String, String>,
}

/// A native source format (`format = ...` on an `[inputs]` entry; read by `load::native`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NativeFormat {
    /// Atlassian Statuspage API v2: incidents and scheduled maintenances (JSON or JSON lines).
    Statuspage,
    /// Uptime Kuma's SQLite database (`kuma.db`), 1.23 and 2.x.
    UptimeKuma,
    /// A Prometheus `query_range` result over 0/1 series such as `probe_success`.
    Prometheus,
    /// Google Cloud's public `incidents.json`.
    GcpStatus,
}

impl NativeFormat {
    pub(crate) const ALL: [NativeFormat; 4] =
        [NativeFormat::Statuspage, NativeFormat::UptimeKuma, NativeFormat::Prometheus, NativeFormat::GcpStatus];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            NativeFormat::Statuspage => "statuspage",
            NativeFormat::UptimeKuma => "uptime-kuma",
            NativeFormat::Prometheus => "prometheus",
            NativeFormat::GcpStatus => "gcp-status",
        }
    }
}

impl std::fmt::Display for NativeFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for NativeFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NativeFormat::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = NativeFormat::ALL.iter().map(|f| f.as_str()).collect();
            format!("format: unknown format {}, expected one of: {}", quote(s), names.join(", "))
        })
    }
}

/// One entry of an `[inputs]` list: a path or glob pattern, relative to the config's
/// directory. It must match at least one file unless it is `optional`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputPattern {
    pub pattern: String,
    pub(crate) optional: bool,
    pub(crate) mapping: Mapping,
    /// How check rows are read (probe results or a state-change log); checks only.
    pub(crate) series: SeriesMode,
    /// A native source format (`statuspage`, `uptime-kuma`, `prometheus`, `gcp-status`)
    /// instead of a table file, with its own options.
    pub(crate) format: Option<NativeFormat>,
    pub(crate) options: BTreeMap<String, String>,
}

impl InputPattern {
    /// A plain path or glob, with no mapping.
    pub(crate) fn plain(pattern: &str) -> InputPattern {
        InputPattern {
            pattern: pattern.to_string(),
            optional: false,
            mapping: Mapping::default(),
            series: SeriesMode::Checks,
            format: None,
            options: BTreeMap::new(),
        }
    }
}

/// A TOML string, integer or boolean, as text (constants and value maps).
#[derive(Debug, Clone)]
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, a number or a boolean")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// An `[inputs]` entry as written, checked per role by [`RawPattern::check`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPattern {
    path: String,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, Scalar>>,
    timestamp_format: Option<String>,
    timezone: Option<String>,
    #[serde(default)]
    constants: BTreeMap<String, Scalar>,
    series: Option<String>,
    max_hold_seconds: Option<i64>,
    format: Option<String>,
    #[serde(default)]
    options: BTreeMap<String, Scalar>,
}

impl RawPattern {
    /// Checks the entry for `role` (whose canonical columns are `canonical`); `Err` is
    /// the message after `[inputs] ROLE: `.
    fn check(self, role: &str, canonical: &[&str]) -> Result<InputPattern, String> {
        self.check_columns(canonical)?;
        let timezone = match self.timezone.as_deref() {
            None => None,
            Some(name) => Some(parse_tz(name).ok_or_else(|| {
                format!("timezone: unknown time zone {}, expected an IANA name like Europe/London", quote(name))
            })?),
        };
        let timestamp_format = match self.timestamp_format.as_deref() {
            None => None,
            Some(f) => Some(InstantFormat::parse(f).map_err(|m| format!("timestamp_format: {m}"))?),
        };
        let series = series_mode(role, self.series.as_deref(), self.max_hold_seconds)?;
        let format = self.native_format(role, timestamp_format.is_some())?;
        if format.is_none() && !self.options.is_empty() {
            return Err("options: only an input with a format has options".into());
        }
        let scalar = |m: BTreeMap<String, Scalar>| m.into_iter().map(|(k, v)| (k, v.0)).collect();
        Ok(InputPattern {
            format,
            options: scalar(self.options),
            pattern: self.path,
            optional: self.optional,
            mapping: Mapping {
                columns: self.columns,
                values: self.values.into_iter().map(|(k, m)| (k, scalar(m))).collect(),
                timestamp_format,
                timezone,
                constants: scalar(self.constants),
            },
            series,
        })
    }

    /// The columns of `columns`, `values` and `constants` are canonical ones, no two are
    /// mapped to one header, and a constant is neither mapped nor given a values map.
    fn check_columns(&self, canonical: &[&str]) -> Result<(), String> {
        let expected = canonical.join(", ");
        let known = |what: &str, col: &str| -> Result<(), String> {
            if canonical.contains(&col) {
                Ok(())
            } else {
                Err(format!("{what}: unknown column {}, expected one of: {expected}", single_quoted(col)))
            }
        };
        for col in self.columns.keys() {
            known("columns", col)?;
        }
        for col in self.values.keys() {
            known("values", col)?;
        }
        for col in self.constants.keys() {
            known("constants", col)?;
        }
        let mut headers: BTreeMap<String, &str> = BTreeMap::new();
        for (col, header) in &self.columns {
            let key = header.trim_start_matches('\u{feff}').trim().to_lowercase();
            if key.is_empty() {
                return Err(format!("columns: {col}: empty header name"));
            }
            if let Some(other) = headers.insert(key, col) {
                return Err(format!(
                    "columns: {other} and {col} are both mapped to the header {}",
                    single_quoted(header)
                ));
            }
            if self.constants.contains_key(col) {
                return Err(format!(
                    "column {} is both mapped (columns) and a constant (constants); keep one",
                    single_quoted(col)
                ));
            }
        }
        for col in self.values.keys() {
            if self.constants.contains_key(col) {
                return Err(format!(
                    "values: {} is a constant: constants are canonical values, a values map never applies to them",
                    single_quoted(col)
                ));
            }
        }
        Ok(())
    }

    /// The native `format` of the entry, if any: not for customers, and not with the
    /// table-file settings `columns` and `timestamp_format` (`has_timestamp_format`).
    fn native_format(&self, role: &str, has_timestamp_format: bool) -> Result<Option<NativeFormat>, String> {
        let Some(name) = self.format.as_deref() else { return Ok(None) };
        let f = name.parse::<NativeFormat>()?;
        if role == "customers" {
            return Err(format!("format {name}: customers are read from a table file, a native source holds none"));
        }
        if !self.columns.is_empty() || has_timestamp_format {
            return Err(format!(
                "format {name}: columns and timestamp_format are for table files; a native format has its own fields (values and constants still apply)"
            ));
        }
        Ok(Some(f))
    }
}

/// How the rows of a `role` entry are read, from its `series` and `max_hold_seconds`:
/// only checks may be a state-change log (`events`), and only such a log has a hold.
fn series_mode(role: &str, series: Option<&str>, max_hold_seconds: Option<i64>) -> Result<SeriesMode, String> {
    Ok(match (role, series, max_hold_seconds) {
        (_, None, None) => SeriesMode::Checks,
        ("checks", Some("checks"), None) => SeriesMode::Checks,
        ("checks", Some("events"), hold) => {
            if let Some(h) = hold
                && !(1..=MAX_HOLD_SECONDS).contains(&h)
            {
                return Err(format!("max_hold_seconds: expected 1 to {MAX_HOLD_SECONDS} seconds, found {h}"));
            }
            SeriesMode::Events { max_hold: hold }
        }
        ("checks", Some(other), _) if other != "checks" => {
            return Err(format!("series: unknown series kind {}, expected checks or events", quote(other)));
        }
        ("checks", _, Some(_)) => {
            return Err("max_hold_seconds: only a state-change log has it; add series = \"events\"".into());
        }
        (_, Some(_), _) => return Err("series: only checks inputs have a series kind".into()),
        (_, None, Some(_)) => {
            return Err("max_hold_seconds: only checks inputs with series = \"events\" have it".into());
        }
    })
}

/// `'name'`, clipped, for column names in messages.
fn single_quoted(s: &str) -> String {
    format!("'{}'", crate::common::clip(s))
}

/// The longest `max_hold_seconds` of a state-change log: 366 days, like `max_gap_seconds`.
pub(crate) const MAX_HOLD_SECONDS: i64 = MAX_GAP_SECONDS;

/// `"checks/*.csv"` or `{ path = "checks/*.csv", optional = true, columns = ..., ... }`.
struct PatternVisitor;

impl<'de> serde::de::Visitor<'de> for PatternVisitor {
    type Value = RawPattern;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a path, or a table like { path = \"checks/*.csv\", optional = true }")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawPattern, E> {
        Ok(RawPattern { path: v.to_string(), ..RawPattern::default() })
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawPattern, A::Error> {
        RawPattern::deserialize(serde::de::value::MapAccessDeserializer::new(map))
    }
}

/// One list entry.
struct PatternEntry(RawPattern);

impl<'de> Deserialize<'de> for PatternEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PatternVisitor).map(PatternEntry)
    }
}

/// One entry or a list of them.
#[derive(Debug)]
struct Patterns(Vec<RawPattern>);

impl<'de> Deserialize<'de> for Patterns {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Patterns;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a path, a table { path = ..., optional = ... }, or a list of them")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Patterns, E> {
                PatternVisitor.visit_str(v).map(|p| Patterns(vec![p]))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Patterns, A::Error> {
                PatternVisitor.visit_map(map).map(|p| Patterns(vec![p]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Patterns, A::Error> {
                let mut v = Vec::new();
                while let Some(p) = seq.next_element::<PatternEntry>()? {
                    v.push(p.0);
                }
                Ok(Patterns(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl Patterns {
    /// The checked entries of one role.
    fn check(self, role: &str, canonical: &[&str]) -> Result<Vec<InputPattern>, String> {
        self.0.into_iter().map(|p| p.check(role, canonical)).collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    report: RawReport,
    inputs: RawInputs,
    #[serde(default)]
    monitoring: RawMonitoring,
    tiers: BTreeMap<String, RawTier>,
    #[serde(default)]
    backups: Option<RawBackups>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBackups {
    rpo_minutes: Option<i64>,
    max_retention_days: Option<i64>,
    min_retention_days: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    timezone: Option<String>,
    decimals: Option<u32>,
    template: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInputs {
    timezone: Option<String>,
    customers: Patterns,
    #[serde(default)]
    checks: Option<Patterns>,
    #[serde(default)]
    outages: Option<Patterns>,
    #[serde(default)]
    incidents: Option<Patterns>,
    #[serde(default)]
    backups: Option<Patterns>,
    #[serde(default)]
    reduced: Option<Patterns>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMonitoring {
    max_gap_seconds: Option<i64>,
    confirm_checks: Option<u32>,
    quorum: Option<String>,
    gaps: Option<String>,
    min_coverage_percent: Option<Dec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    target_percent: Dec,
    maintenance_notice_hours: Option<Dec>,
    excluded_categories: Option<Vec<String>>,
    min_downtime_seconds: Option<i64>,
    partial_weight: Option<Dec>,
    exclusions_in_denominator: Option<bool>,
    prorate_fee: Option<bool>,
    credit_cap_percent: Option<Dec>,
    #[serde(default)]
    credits: Vec<RawBand>,
    rto_minutes: Option<Dec>,
    rpo_minutes: Option<Dec>,
    recovery_credit_percent: Option<Dec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    below_percent: Dec,
    credit_percent: Dec,
}

/// A parsed, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) path: PathBuf,
    /// Directory that relative input paths are resolved against.
    pub(crate) base_dir: PathBuf,
    /// The exact bytes of the file, for the manifest digest.
    pub(crate) bytes: Vec<u8>,
    pub(crate) report_timezone: Tz,
    pub(crate) decimals: u32,
    /// Report template directory; `None` = the bundled default.
    pub(crate) template: Option<PathBuf>,
    pub(crate) inputs_timezone: Tz,
    pub customers: Vec<InputPattern>,
    pub checks: Vec<InputPattern>,
    pub outages: Vec<InputPattern>,
    pub incidents: Vec<InputPattern>,
    pub(crate) monitoring: MonitoringRules,
    /// A customer-month whose monitoring coverage is below this is a warning.
    pub(crate) min_coverage_percent: Decimal,
    pub tiers: BTreeMap<String, TierRules>,
    /// `[inputs] backups`: backup runs and restore tests per component (optional).
    pub(crate) backups: Vec<InputPattern>,
    /// `[backups]`: the RPO and retention limits the backups are held to.
    pub(crate) backup_rules: crate::core::backups::BackupRules,
    /// `[inputs] reduced`: checks already reduced per pair (`slareport reduce`, `sql/`).
    pub(crate) reduced: Vec<InputPattern>,
}

/// Replaces every float literal by a string of its literal text, keeping layout.
fn floats_to_strings(text: &str) -> Result<String, toml_edit::TomlError> {
    use toml_edit::{Item, Value};
    fn value(v: &mut Value) {
        match v {
            Value::Float(f) => {
                let raw = f.display_repr().into_owned();
                let decor = f.decor().clone();
                let mut s = toml_edit::Formatted::new(raw);
                *s.decor_mut() = decor;
                *v = Value::String(s);
            }
            Value::Array(a) => a.iter_mut().for_each(value),
            Value::InlineTable(t) => t.iter_mut().for_each(|(_, v)| value(v)),
            _ => {}
        }
    }
    fn item(i: &mut Item) {
        match i {
            Item::Value(v) => value(v),
            Item::Table(t) => t.iter_mut().for_each(|(_, i)| item(i)),
            Item::ArrayOfTables(a) => a.iter_mut().for_each(|t| t.iter_mut().for_each(|(_, i)| item(i))),
            Item::None => {}
        }
    }
    let mut doc: toml_edit::DocumentMut = text.parse()?;
    doc.iter_mut().for_each(|(_, i)| item(i));
    Ok(doc.to_string())
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(before.len(), |p| before.len() - p - 1) + 1;
    (line, col)
}

/// Maps a column of the rewritten text back to the original: the rewrite only wrapped
/// float literals in quotes, so skip the quotes it added before the column.
fn original_column(original: &str, rewritten: &str, line: usize, col: usize) -> usize {
    let (Some(o), Some(r)) = (original.lines().nth(line - 1), rewritten.lines().nth(line - 1)) else { return col };
    let (o, r): (Vec<char>, Vec<char>) = (o.chars().collect(), r.chars().collect());
    let (mut i, mut j) = (0, 0);
    while j + 1 < col && j < r.len() {
        if i < o.len() && o[i] == r[j] {
            i += 1;
        }
        j += 1;
    }
    i + 1
}

fn one_line(msg: &str) -> String {
    msg.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How a config read from standard input (`--config -`) is named.
pub(crate) const STDIN_NAME: &str = "<stdin>";

impl Config {
    /// Reads and parses a config file; `-` reads standard input (named `<stdin>` in
    /// messages), whose relative paths resolve against the current directory.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let stdin = path.as_os_str() == "-";
        let file = if stdin { STDIN_NAME.to_string() } else { path.display().to_string() };
        let read = if stdin {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes).map(|_| bytes)
        } else {
            std::fs::read(path)
        };
        let bytes =
            read.map_err(|e| ConfigError { file: file.clone(), line: None, message: format!("cannot read: {e}") })?;
        let text = String::from_utf8(bytes.clone()).map_err(|_| ConfigError {
            file: file.clone(),
            line: None,
            message: "not UTF-8 text".into(),
        })?;
        let base_dir = if stdin { PathBuf::new() } else { path.parent().map(Path::to_path_buf).unwrap_or_default() };
        Self::parse(&text, &file, base_dir, bytes)
    }

    pub fn parse(text: &str, file: &str, base_dir: PathBuf, bytes: Vec<u8>) -> Result<Config, ConfigError> {
        let RawConfig { report, inputs, monitoring, tiers, backups } = raw_config(text, file)?;
        let keys = Keys { file };
        let report_timezone = keys.zone("[report] timezone", report.timezone.as_deref())?;
        let inputs_timezone = keys.zone("[inputs] timezone", inputs.timezone.as_deref())?;
        let decimals = report.decimals.unwrap_or(4);
        if decimals > MAX_DECIMALS {
            return Err(keys.err("[report] decimals", format!("expected 0 to {MAX_DECIMALS}, found {decimals}")));
        }
        let (monitoring, min_coverage_percent) = monitoring_rules(keys, monitoring)?;
        let tiers = tier_rules(keys, tiers)?;
        let lists = input_lists(keys, inputs, backups)?;
        Ok(Config {
            path: PathBuf::from(file),
            bytes,
            report_timezone,
            decimals,
            template: report.template.map(|t| base_dir.join(t)),
            inputs_timezone,
            customers: lists.customers,
            checks: lists.checks,
            outages: lists.outages,
            incidents: lists.incidents,
            monitoring,
            min_coverage_percent,
            tiers,
            base_dir,
            backups: lists.backups,
            backup_rules: lists.backup_rules,
            reduced: lists.reduced,
        })
    }
}

/// The TOML text read into the raw tables: a syntax error or an unknown key is named
/// with its line and column in `text`.
fn raw_config(text: &str, file: &str) -> Result<RawConfig, ConfigError> {
    let err = |line: Option<(usize, usize)>, message: String| ConfigError { file: file.to_string(), line, message };
    let rewritten =
        floats_to_strings(text).map_err(|e| err(e.span().map(|s| line_col(text, s.start)), one_line(e.message())))?;
    toml::from_str(&rewritten).map_err(|e| {
        let at =
            e.span().map(|s| line_col(&rewritten, s.start)).map(|(l, c)| (l, original_column(text, &rewritten, l, c)));
        err(at, one_line(e.message()))
    })
}

/// The errors of one config file that name a key (`KEY: what is wrong`), without a line.
#[derive(Clone, Copy)]
struct Keys<'a> {
    file: &'a str,
}

impl Keys<'_> {
    fn err(self, key: &str, message: String) -> ConfigError {
        ConfigError { file: self.file.to_string(), line: None, message: format!("{key}: {message}") }
    }

    /// A time zone setting: UTC when absent.
    fn zone(self, key: &str, name: Option<&str>) -> Result<Tz, ConfigError> {
        match name {
            None => Ok(Tz::UTC),
            Some(name) => parse_tz(name).ok_or_else(|| {
                self.err(key, format!("unknown time zone {}, expected an IANA name like Europe/London", quote(name)))
            }),
        }
    }

    /// A number with more digits than a decimal holds, named with its key.
    fn exact(self, key: &str, d: Dec) -> Result<Decimal, ConfigError> {
        d.0.map_err(|t| {
            self.err(
                key,
                format!("expected a number of at most 28 significant digits and {MAX_SCALE} decimal places, found {t}"),
            )
        })
    }
}

/// `[monitoring]`: the rules that turn checks into downtime, and the coverage below which
/// a customer-month is a warning.
fn monitoring_rules(keys: Keys, m: RawMonitoring) -> Result<(MonitoringRules, Decimal), ConfigError> {
    let min_coverage_percent = match m.min_coverage_percent {
        None => Decimal::from(90),
        Some(d) => keys.exact("[monitoring] min_coverage_percent", d)?,
    };
    if min_coverage_percent < Decimal::ZERO
        || min_coverage_percent > Decimal::from(100)
        || min_coverage_percent.normalize().scale() > MAX_SCALE
    {
        return Err(keys.err(
            "[monitoring] min_coverage_percent",
            format!(
                "expected a percentage from 0 to 100 with at most {MAX_SCALE} decimal places, found {min_coverage_percent}"
            ),
        ));
    }
    let monitoring = MonitoringRules {
        max_gap_seconds: m.max_gap_seconds.unwrap_or(300),
        confirm_checks: m.confirm_checks.unwrap_or(1),
        quorum: match m.quorum {
            None => Quorum::Majority,
            Some(q) => q.parse().map_err(|_| {
                keys.err(
                    "[monitoring] quorum",
                    format!("unknown quorum {}, expected one of: {}", quote(&q), Quorum::expected()),
                )
            })?,
        },
        gaps: match m.gaps {
            None => GapPolicy::Up,
            Some(g) => g.parse().map_err(|_| {
                keys.err(
                    "[monitoring] gaps",
                    format!("unknown gap policy {}, expected one of: {}", quote(&g), GapPolicy::expected()),
                )
            })?,
        },
    };
    if monitoring.max_gap_seconds <= 0 || monitoring.max_gap_seconds > MAX_GAP_SECONDS {
        return Err(keys.err(
            "[monitoring] max_gap_seconds",
            format!("expected 1 to {MAX_GAP_SECONDS} seconds, found {}", monitoring.max_gap_seconds),
        ));
    }
    if monitoring.confirm_checks == 0 {
        return Err(keys.err("[monitoring] confirm_checks", "expected at least 1".into()));
    }
    Ok((monitoring, min_coverage_percent))
}

/// `[tiers.NAME]`: at least one, each checked in name order.
fn tier_rules(keys: Keys, raw: BTreeMap<String, RawTier>) -> Result<BTreeMap<String, TierRules>, ConfigError> {
    if raw.is_empty() {
        return Err(keys.err("[tiers]", "at least one tier is required".into()));
    }
    let mut tiers = BTreeMap::new();
    for (name, t) in raw {
        let tier = Tier { keys, name: &name }.rules(t)?;
        tiers.insert(name, tier);
    }
    Ok(tiers)
}

/// One `[tiers.NAME]` table being checked: its errors name `[tiers.NAME] FIELD`.
struct Tier<'a> {
    keys: Keys<'a>,
    name: &'a str,
}

impl Tier<'_> {
    fn key(&self, field: &str) -> String {
        format!("[tiers.{}] {field}", self.name)
    }

    fn err(&self, field: &str, message: String) -> ConfigError {
        self.keys.err(&self.key(field), message)
    }

    fn exact(&self, field: &str, d: Dec) -> Result<Decimal, ConfigError> {
        self.keys.exact(&self.key(field), d)
    }

    /// An optional decimal field, `default` when absent.
    fn dec(&self, field: &str, d: Option<Dec>, default: Decimal) -> Result<Decimal, ConfigError> {
        d.map_or(Ok(default), |d| self.exact(field, d))
    }

    /// A percentage: 0 to 100, with at most `MAX_SCALE` decimal places.
    fn percent(&self, field: &str, d: Decimal) -> Result<Decimal, ConfigError> {
        if d < Decimal::ZERO || d > Decimal::from(100) {
            Err(self.err(field, format!("expected a percentage from 0 to 100, found {d}")))
        } else if d.normalize().scale() > MAX_SCALE {
            Err(self.err(field, format!("at most {MAX_SCALE} decimal places, found {d}")))
        } else {
            Ok(d)
        }
    }

    /// The checked tier, its fields checked in the order they are listed here.
    fn rules(&self, t: RawTier) -> Result<TierRules, ConfigError> {
        let notice_seconds = self.notice_seconds(t.maintenance_notice_hours)?;
        let excluded_categories = self.excluded_categories(t.excluded_categories)?;
        let min_downtime_seconds = t.min_downtime_seconds.unwrap_or(0);
        if min_downtime_seconds < 0 {
            return Err(self.err("min_downtime_seconds", "expected 0 or more".into()));
        }
        let partial_weight = self.partial_weight(t.partial_weight)?;
        let credits = self.credits(&t.credits)?;
        Ok(TierRules {
            name: self.name.to_string(),
            target_percent: self.percent("target_percent", self.exact("target_percent", t.target_percent)?)?,
            maintenance_notice_seconds: notice_seconds.try_into().unwrap_or(i64::MAX),
            excluded_categories,
            min_downtime_seconds,
            partial_weight,
            exclusions_in_denominator: t.exclusions_in_denominator.unwrap_or(false),
            prorate_fee: t.prorate_fee.unwrap_or(true),
            credit_cap_percent: self.percent(
                "credit_cap_percent",
                self.dec("credit_cap_percent", t.credit_cap_percent, Decimal::from(100))?,
            )?,
            credits,
            rto_minutes: self.objective("rto_minutes", t.rto_minutes)?,
            rpo_minutes: self.objective("rpo_minutes", t.rpo_minutes)?,
            recovery_credit_percent: self.percent(
                "recovery_credit_percent",
                self.dec("recovery_credit_percent", t.recovery_credit_percent, Decimal::ZERO)?,
            )?,
        })
    }

    /// `maintenance_notice_hours` (default 48) as whole seconds, at most a year.
    fn notice_seconds(&self, hours: Option<Dec>) -> Result<Decimal, ConfigError> {
        let notice_hours = self.dec("maintenance_notice_hours", hours, Decimal::from(48))?;
        if notice_hours > Decimal::from(MAX_NOTICE_HOURS) {
            return Err(self.err(
                "maintenance_notice_hours",
                format!("expected at most {MAX_NOTICE_HOURS} hours, found {notice_hours}"),
            ));
        }
        if notice_hours < Decimal::ZERO {
            return Err(self.err("maintenance_notice_hours", format!("expected 0 or more hours, found {notice_hours}")));
        }
        let notice_seconds = notice_hours * Decimal::from(3600);
        if !notice_seconds.fract().is_zero() {
            return Err(self.err(
                "maintenance_notice_hours",
                format!("expected whole seconds of notice, found {notice_hours} hours"),
            ));
        }
        Ok(notice_seconds)
    }

    /// `excluded_categories`: known category names, the default exclusions when absent.
    fn excluded_categories(&self, list: Option<Vec<String>>) -> Result<Vec<Category>, ConfigError> {
        match list {
            None => Ok(TierRules::DEFAULT_EXCLUDED.to_vec()),
            Some(list) => list
                .iter()
                .map(|c| {
                    c.parse::<Category>().map_err(|_| {
                        self.err(
                            "excluded_categories",
                            format!("unknown category {}, expected one of: {}", quote(c), Category::expected()),
                        )
                    })
                })
                .collect(),
        }
    }

    /// `partial_weight` (default 0): from 0 to 1.
    fn partial_weight(&self, d: Option<Dec>) -> Result<Decimal, ConfigError> {
        let partial_weight = self.dec("partial_weight", d, Decimal::ZERO)?;
        if partial_weight < Decimal::ZERO
            || partial_weight > Decimal::ONE
            || partial_weight.normalize().scale() > MAX_SCALE
        {
            return Err(self.err(
                "partial_weight",
                format!(
                    "expected a weight from 0 to 1 with at most {MAX_SCALE} decimal places, found {partial_weight}"
                ),
            ));
        }
        Ok(partial_weight)
    }

    /// `credits`: each band's two percentages, band by band.
    fn credits(&self, bands: &[RawBand]) -> Result<Vec<CreditBand>, ConfigError> {
        let mut credits = Vec::new();
        for (n, b) in bands.iter().enumerate() {
            let (below, credit) = (format!("credits[{n}].below_percent"), format!("credits[{n}].credit_percent"));
            credits.push(CreditBand {
                below_percent: self.percent(&below, self.exact(&below, b.below_percent.clone())?)?,
                credit_percent: self.percent(&credit, self.exact(&credit, b.credit_percent.clone())?)?,
            });
        }
        Ok(credits)
    }

    /// A recovery objective: positive minutes, exact, at most a year.
    fn objective(&self, field: &str, d: Option<Dec>) -> Result<Option<Decimal>, ConfigError> {
        let Some(d) = d else { return Ok(None) };
        let d = self.exact(field, d)?;
        if d <= Decimal::ZERO || d > Decimal::from(MAX_OBJECTIVE_MINUTES) || d.normalize().scale() > MAX_SCALE {
            return Err(self.err(
                field,
                format!(
                    "expected positive minutes up to {MAX_OBJECTIVE_MINUTES} with at most {MAX_SCALE} decimal places, found {d}"
                ),
            ));
        }
        Ok(Some(d))
    }
}

/// The checked `[inputs]` lists and the `[backups]` rules.
struct InputLists {
    customers: Vec<InputPattern>,
    checks: Vec<InputPattern>,
    outages: Vec<InputPattern>,
    incidents: Vec<InputPattern>,
    backups: Vec<InputPattern>,
    backup_rules: crate::core::backups::BackupRules,
    reduced: Vec<InputPattern>,
}

/// `[inputs]` role by role (at least one customers file; backups and reduced checks are
/// table files), with `[backups]` checked after the backups inputs.
fn input_lists(keys: Keys, inputs: RawInputs, backups: Option<RawBackups>) -> Result<InputLists, ConfigError> {
    let pats = |role: &str, canonical: &[&str], p: Option<Patterns>| -> Result<Vec<InputPattern>, ConfigError> {
        p.map_or(Ok(Vec::new()), |p| p.check(role, canonical)).map_err(|m| keys.err(&format!("[inputs] {role}"), m))
    };
    let customers = pats("customers", CUSTOMER_COLUMNS, Some(inputs.customers))?;
    let checks = pats("checks", CHECK_COLUMNS, inputs.checks)?;
    let outages = pats("outages", OUTAGE_COLUMNS, inputs.outages)?;
    let incidents = pats("incidents", INCIDENT_COLUMNS, inputs.incidents)?;
    if customers.is_empty() {
        return Err(keys.err("[inputs] customers", "at least one file is required".into()));
    }
    let backup_inputs = pats("backups", BACKUP_COLUMNS, inputs.backups)?;
    if let Some(p) = backup_inputs.iter().find(|p| p.format.is_some()) {
        return Err(keys.err(
            "[inputs] backups",
            format!("{}: backups are read from a table file, a native format holds none", p.pattern),
        ));
    }
    let backup_rules = backup_rules(backups.unwrap_or_default()).map_err(|(k, m)| keys.err(k, m))?;
    let reduced = pats("reduced", REDUCED_COLUMNS, inputs.reduced)?;
    if let Some(p) = reduced.iter().find(|p| p.format.is_some() || p.series != SeriesMode::Checks) {
        return Err(keys.err(
            "[inputs] reduced",
            format!("{}: reduced checks are read from a table file (no format, no series)", p.pattern),
        ));
    }
    Ok(InputLists { customers, checks, outages, incidents, backups: backup_inputs, backup_rules, reduced })
}

/// `[backups]`: whole minutes and days, each at least 1 (at most 100 years).
fn backup_rules(raw: RawBackups) -> Result<crate::core::backups::BackupRules, (&'static str, String)> {
    let check = |k: &'static str, v: Option<i64>, max: i64, unit: &str| match v {
        Some(n) if !(1..=max).contains(&n) => Err((k, format!("expected 1 to {max} {unit}, found {n}"))),
        _ => Ok(v),
    };
    const YEARS_100_DAYS: i64 = 36_525;
    let rpo_minutes = check("[backups] rpo_minutes", raw.rpo_minutes, YEARS_100_DAYS * 1440, "minutes")?;
    let max = check("[backups] max_retention_days", raw.max_retention_days, YEARS_100_DAYS, "days")?;
    let min_retention_days = check("[backups] min_retention_days", raw.min_retention_days, YEARS_100_DAYS, "days")?;
    let max_retention_days = max.unwrap_or(183);
    if let Some(min) = min_retention_days
        && min > max_retention_days
    {
        return Err((
            "[backups] min_retention_days",
            format!("{min} is more than max_retention_days = {max_retention_days}"),
        ));
    }
    Ok(crate::core::backups::BackupRules { rpo_minutes, max_retention_days, min_retention_days })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_EXAMPLE: &str = r#"
[report]
timezone = "UTC"          # default month zone; a customer's own `timezone` wins
decimals = 4

[inputs]
timezone = "UTC"          # zone for naive timestamps in input files
customers = "customers.csv"
checks = ["checks/*.csv"] # files or glob patterns; each list may be empty
outages = []
incidents = ["incidents.csv"]

[monitoring]
max_gap_seconds = 300
confirm_checks = 1
quorum = "majority"       # or "any", "all"
gaps = "up"               # or "down"

[tiers.standard]
target_percent = 99.95
maintenance_notice_hours = 48
excluded_categories = ["planned_maintenance", "force_majeure", "customer_caused", "third_party"]
min_downtime_seconds = 0
partial_weight = 0
exclusions_in_denominator = false
prorate_fee = true
credit_cap_percent = 100
credits = [
  { below_percent = 99.95, credit_percent = 10 },
  { below_percent = 99.0,  credit_percent = 25 },
  { below_percent = 95.0,  credit_percent = 100 },
]
"#;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "sla.toml", PathBuf::new(), text.as_bytes().to_vec())
    }

    #[test]
    fn the_spec_example_parses_exactly() {
        let c = parse(SPEC_EXAMPLE).unwrap();
        let t = &c.tiers["standard"];
        assert_eq!(t.target_percent.to_string(), "99.95");
        assert_eq!(t.credits[1].below_percent.to_string(), "99.0");
        assert_eq!(t.maintenance_notice_seconds, 48 * 3600);
        assert_eq!(c.checks, vec![InputPattern::plain("checks/*.csv")]);
        assert_eq!(c.customers, vec![InputPattern::plain("customers.csv")]);
        assert!(c.outages.is_empty());
        assert_eq!(c.monitoring, MonitoringRules::default());
    }

    #[test]
    fn decimals_as_strings_and_exotic_floats_are_exact() {
        let text = SPEC_EXAMPLE
            .replace("target_percent = 99.95", "target_percent = \"99.995\"")
            .replace("partial_weight = 0", "partial_weight = 0.333333");
        let c = parse(&text).unwrap();
        assert_eq!(c.tiers["standard"].target_percent.to_string(), "99.995");
        assert_eq!(c.tiers["standard"].partial_weight.to_string(), "0.333333");
        let too_fine = SPEC_EXAMPLE.replace("partial_weight = 0", "partial_weight = 0.3333333333");
        assert!(parse(&too_fine).unwrap_err().to_string().contains("at most 6 decimal places"));
    }

    #[test]
    fn inputs_may_be_optional_tables() {
        let text = SPEC_EXAMPLE.replace(
            "outages = []",
            "outages = [\"a.csv\", { path = \"late/*.csv\", optional = true }, { path = \"b.csv\" }]",
        );
        let c = parse(&text).unwrap();
        let got: Vec<(&str, bool)> = c.outages.iter().map(|p| (p.pattern.as_str(), p.optional)).collect();
        assert_eq!(got, vec![("a.csv", false), ("late/*.csv", true), ("b.csv", false)]);
        let single = SPEC_EXAMPLE.replace("outages = []", "outages = { path = \"o.csv\", optional = true }");
        assert_eq!(
            parse(&single).unwrap().outages,
            vec![InputPattern { optional: true, ..InputPattern::plain("o.csv") }]
        );
        let bad = SPEC_EXAMPLE.replace("outages = []", "outages = [{ path = \"o.csv\", optinal = true }]");
        let e = parse(&bad).unwrap_err().to_string();
        assert!(e.contains("unknown field `optinal`"), "{e}");
    }

    const MAPPED: &str = r#"checks = [
  { path = "exports/uptimerobot-*.csv",
    columns = { timestamp = "Date-Time", service = "Monitor", status = "Status" },
    values = { status = { Up = "up", Down = "down", Paused = "unknown" }, service = { "My API" = "api" } },
    timestamp_format = "%d/%m/%Y %H:%M:%S",
    timezone = "Europe/Paris",
    constants = { region = "eu-west", location = "probe" },
    series = "events",
    max_hold_seconds = 86400 },
  "checks/*.csv",
]"#;

    fn with_checks(entry: &str) -> String {
        SPEC_EXAMPLE.replace("checks = [\"checks/*.csv\"] # files or glob patterns; each list may be empty", entry)
    }

    #[test]
    fn inputs_may_map_columns_values_formats_and_series() {
        let c = parse(&with_checks(MAPPED)).unwrap();
        assert_eq!(c.checks.len(), 2);
        let p = &c.checks[0];
        assert_eq!(p.pattern, "exports/uptimerobot-*.csv");
        assert_eq!(p.series, SeriesMode::Events { max_hold: Some(86400) });
        let m = &p.mapping;
        assert_eq!(m.columns["timestamp"], "Date-Time");
        assert_eq!(m.values["status"]["Paused"], "unknown");
        assert_eq!(m.values["service"]["My API"], "api");
        assert_eq!(m.timestamp_format, Some(InstantFormat::Strftime("%d/%m/%Y %H:%M:%S".into())));
        assert_eq!(m.timezone, Some(chrono_tz::Europe::Paris));
        assert_eq!(m.constants["location"], "probe");
        assert_eq!(c.checks[1], InputPattern::plain("checks/*.csv"));
        // Constants may be numbers (a float stays exact text); outages may have durations.
        let text = SPEC_EXAMPLE.replace(
            "outages = []",
            "outages = [{ path = \"o.csv\", constants = { region = 7, service = 1.50 }, timestamp_format = \"unix\" }]",
        );
        let c = parse(&text).unwrap();
        assert_eq!(c.outages[0].mapping.constants["service"], "1.50");
        assert_eq!(c.outages[0].mapping.constants["region"], "7");
        assert_eq!(c.outages[0].mapping.timestamp_format, Some(InstantFormat::Unix));
        assert_eq!(c.outages[0].series, SeriesMode::Checks);
        let events = with_checks("checks = { path = \"e.csv\", series = \"events\" }");
        assert_eq!(parse(&events).unwrap().checks[0].series, SeriesMode::Events { max_hold: None });
    }

    #[test]
    fn bad_mappings_name_the_key() {
        let cases = [
            (
                MAPPED.replace("timestamp = \"Date-Time\"", "timestmp = \"Date-Time\""),
                "sla.toml: [inputs] checks: columns: unknown column 'timestmp', expected one of: timestamp, service, region, location, status",
            ),
            (
                MAPPED.replace("service = { \"My API\"", "servce = { \"My API\""),
                "[inputs] checks: values: unknown column 'servce', expected one of: timestamp",
            ),
            (
                MAPPED.replace("location = \"probe\"", "locaton = \"probe\""),
                "[inputs] checks: constants: unknown column 'locaton'",
            ),
            (
                MAPPED.replace("region = \"eu-west\"", "service = \"api\""),
                "[inputs] checks: column 'service' is both mapped (columns) and a constant",
            ),
            (
                MAPPED
                    .replace("region = \"eu-west\"", "region = \"eu\", status = \"up\"")
                    .replace("status = \"Status\"", ""),
                "[inputs] checks: values: 'status' is a constant",
            ),
            (
                MAPPED.replace("Europe/Paris", "Europe/Pariss"),
                "[inputs] checks: timezone: unknown time zone \"Europe/Pariss\"",
            ),
            (
                MAPPED.replace("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%Q"),
                "[inputs] checks: timestamp_format: \"%d/%m/%Y %H:%M:%Q\" is not a valid strftime format",
            ),
            (
                MAPPED.replace("%d/%m/%Y %H:%M:%S", "%H:%M:%S"),
                "[inputs] checks: timestamp_format: \"%H:%M:%S\" cannot be read back into an instant",
            ),
            (
                MAPPED.replace("series = \"events\",", ""),
                "[inputs] checks: max_hold_seconds: only a state-change log has it; add series = \"events\"",
            ),
            (
                MAPPED.replace("series = \"events\"", "series = \"log\""),
                "[inputs] checks: series: unknown series kind \"log\"",
            ),
            (
                MAPPED.replace("86400", "0"),
                "[inputs] checks: max_hold_seconds: expected 1 to 31622400 seconds, found 0",
            ),
            (
                MAPPED.replace("Monitor", "Status"),
                "[inputs] checks: columns: service and status are both mapped to the header 'Status'",
            ),
            (MAPPED.replace("\"Monitor\"", "\" \""), "[inputs] checks: columns: service: empty header name"),
        ];
        for (entry, want) in cases {
            let e = parse(&with_checks(&entry)).unwrap_err().to_string();
            assert!(e.contains(want), "{e}\nshould contain\n{want}");
            assert!(!e.contains('\n'), "{e}");
        }
        let outages = |entry: &str| SPEC_EXAMPLE.replace("outages = []", entry);
        for (entry, want) in [
            ("outages = [{ path = \"o.csv\", series = \"events\" }]", "[inputs] outages: series: only checks inputs"),
            (
                "outages = [{ path = \"o.csv\", max_hold_seconds = 60 }]",
                "[inputs] outages: max_hold_seconds: only checks inputs",
            ),
            (
                "outages = [{ path = \"o.csv\", columns = { end = \"Ende\", status = \"x\" } }]",
                "[inputs] outages: columns: unknown column 'status', expected one of: service, region, start, end, duration_seconds",
            ),
        ] {
            let e = parse(&outages(entry)).unwrap_err().to_string();
            assert!(e.contains(want), "{e}\nshould contain\n{want}");
        }
        // An unknown key of the table keeps its line and column.
        let e = parse(&with_checks(&MAPPED.replace("series =", "serie ="))).unwrap_err().to_string();
        assert!(e.starts_with("sla.toml:") && e.contains("unknown field `serie`"), "{e}");
        let at: Vec<&str> = e.splitn(4, ':').collect();
        assert!(at[1].parse::<usize>().is_ok() && at[2].parse::<usize>().is_ok(), "{e}");
    }

    #[test]
    fn long_decimals_are_refused_not_rounded() {
        let text =
            SPEC_EXAMPLE.replace("target_percent = 99.95", "target_percent = \"99.999999999999999999999999999\"");
        let e = parse(&text).unwrap_err().to_string();
        assert!(
            e.contains("[tiers.standard] target_percent: expected a number of at most 28 significant digits and 6 decimal places, found 99.999999999999999999999999999"),
            "{e}"
        );
        let text = SPEC_EXAMPLE.replace("target_percent = 99.95", "target_percent = 99.999999999999999999999999999");
        assert!(parse(&text).is_err());
    }

    #[test]
    fn unknown_keys_are_named() {
        let text = SPEC_EXAMPLE.replace("min_downtime_seconds = 0", "min_downtime_secs = 0");
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.starts_with("sla.toml:23:1: unknown field `min_downtime_secs`"), "{e}");
        let e = parse(&SPEC_EXAMPLE.replace("[report]", "[reprot]")).unwrap_err().to_string();
        assert!(e.contains("unknown field `reprot`"), "{e}");
    }

    #[test]
    fn bad_values_name_the_key() {
        let cases = [
            ("quorum = \"majority\"", "quorum = \"most\"", "[monitoring] quorum: unknown quorum \"most\""),
            ("gaps = \"up\"", "gaps = \"maybe\"", "[monitoring] gaps: unknown gap policy"),
            (
                "target_percent = 99.95",
                "target_percent = 101",
                "[tiers.standard] target_percent: expected a percentage",
            ),
            ("\"third_party\"]", "\"aliens\"]", "[tiers.standard] excluded_categories: unknown category \"aliens\""),
            (
                "timezone = \"UTC\"          # zone",
                "timezone = \"Mars/Base\" # zone",
                "[inputs] timezone: unknown time zone",
            ),
            ("partial_weight = 0", "partial_weight = 2", "[tiers.standard] partial_weight: expected a weight"),
            ("max_gap_seconds = 300", "max_gap_seconds = 0", "[monitoring] max_gap_seconds"),
            ("max_gap_seconds = 300", "max_gap_seconds = 9223372036854775807", "expected 1 to 31622400 seconds"),
            (
                "maintenance_notice_hours = 48",
                "maintenance_notice_hours = \"9999999999999999999999999999\"",
                "expected at most 8784 hours",
            ),
            (
                "maintenance_notice_hours = 48",
                "maintenance_notice_hours = -1e27",
                "[tiers.standard] maintenance_notice_hours: expected 0 or more hours",
            ),
            ("decimals = 4", "decimals = 9", "[report] decimals: expected 0 to 8"),
            ("target_percent = 99.95", "target_percent = \"lots\"", "expected a decimal number, found \"lots\""),
        ];
        for (from, to, want) in cases {
            let text = SPEC_EXAMPLE.replacen(from, to, 1);
            assert_ne!(text, SPEC_EXAMPLE, "{from}");
            let e = parse(&text).unwrap_err().to_string();
            assert!(e.contains(want), "{e} should contain {want}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn columns_refer_to_the_original_text() {
        let text = "[inputs]\ncustomers = \"c.csv\"\n[tiers.a]\ntarget_percent = 99.9\ncredits = [{ below_percent = 99.9, credit_percent = 10, extra = 1 }]\n";
        let e = parse(text).unwrap_err().to_string();
        assert!(e.starts_with("sla.toml:5:57: unknown field `extra`"), "{e}");
    }

    #[test]
    fn backups_inputs_and_rules() {
        let c = parse(SPEC_EXAMPLE).unwrap();
        assert!(c.backups.is_empty());
        assert_eq!(c.backup_rules, crate::core::backups::BackupRules::default());
        assert_eq!(c.backup_rules.max_retention_days, 183);
        let text = SPEC_EXAMPLE.replace("outages = []", "outages = []\nbackups = \"backups.csv\"")
            + "\n[backups]\nrpo_minutes = 1500\nmin_retention_days = 7\n";
        let c = parse(&text).unwrap();
        assert_eq!(c.backups, vec![InputPattern::plain("backups.csv")]);
        assert_eq!(
            c.backup_rules,
            crate::core::backups::BackupRules {
                rpo_minutes: Some(1500),
                max_retention_days: 183,
                min_retention_days: Some(7)
            }
        );
        for (extra, want) in [
            ("[backups]\nrpo_minutes = 0\n", "[backups] rpo_minutes: expected 1 to"),
            (
                "[backups]\nmin_retention_days = 200\n",
                "[backups] min_retention_days: 200 is more than max_retention_days = 183",
            ),
            ("[backups]\nrpo_minute = 5\n", "unknown field `rpo_minute`"),
        ] {
            let e = parse(&format!("{SPEC_EXAMPLE}\n{extra}")).unwrap_err().to_string();
            assert!(e.contains(want), "{e}");
        }
        let bad = SPEC_EXAMPLE.replace(
            "outages = []",
            "outages = []\nbackups = [{ path = \"b.csv\", columns = { status = \"State\", up = \"x\" } }]",
        );
        let e = parse(&bad).unwrap_err().to_string();
        assert!(e.contains("[inputs] backups: columns: unknown column 'up'"), "{e}");
        let native = SPEC_EXAMPLE
            .replace("outages = []", "outages = []\nbackups = [{ path = \"b.json\", format = \"statuspage\" }]");
        let e = parse(&native).unwrap_err().to_string();
        assert!(e.contains("[inputs] backups: b.json: backups are read from a table file"), "{e}");
    }

    #[test]
    fn toml_syntax_errors_have_a_line() {
        let e = parse("[report]\ndecimals = = 4\n").unwrap_err().to_string();
        assert!(e.starts_with("sla.toml:2:"), "{e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn recovery_objectives_are_exact_positive_minutes() {
        let c = parse(&SPEC_EXAMPLE.replace(
            "credit_cap_percent = 100",
            "credit_cap_percent = 100\nrto_minutes = 60\nrpo_minutes = \"7.5\"\nrecovery_credit_percent = 5",
        ))
        .unwrap();
        let t = &c.tiers["standard"];
        assert_eq!((t.rto_minutes, t.rpo_minutes), (Some(Decimal::from(60)), Some(Decimal::new(75, 1))));
        assert_eq!(t.recovery_credit_percent, Decimal::from(5));
        let t = &parse(SPEC_EXAMPLE).unwrap().tiers["standard"];
        assert_eq!((t.rto_minutes, t.rpo_minutes, t.recovery_credit_percent), (None, None, Decimal::ZERO));
        for (bad, msg) in [
            ("rto_minutes = 0", "[tiers.standard] rto_minutes: expected positive minutes"),
            ("rpo_minutes = -5", "[tiers.standard] rpo_minutes: expected positive minutes"),
            ("recovery_credit_percent = 101", "[tiers.standard] recovery_credit_percent: expected a percentage"),
        ] {
            let e =
                parse(&SPEC_EXAMPLE.replace("credit_cap_percent = 100", &format!("credit_cap_percent = 100\n{bad}")))
                    .unwrap_err()
                    .to_string();
            assert!(e.contains(msg), "{bad}: {e}");
        }
    }
}
