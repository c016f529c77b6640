//! Row-by-row readers of the four input kinds (docs/CONTRACT.md §2).

use chrono_tz::Tz;
use polars::prelude::StringChunked;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;

use super::Footprint;
use super::table::{Batch, InputError, RawTime, Table, TextBlock, TimeCell, quote, trim};
use crate::config::{
    BACKUP_COLUMNS, CHECK_COLUMNS, CUSTOMER_COLUMNS, Config, INCIDENT_COLUMNS, Mapping, OUTAGE_COLUMNS,
    REDUCED_COLUMNS, REDUCED_REQUIRED,
};
use crate::core::checks::{Check, OutOfOrder, Pair, Reduction, SeriesKey, SeriesMode, Status};
use crate::core::interval::{Instant, Interval};
use crate::core::model::MonitoringRules;
use crate::core::model::{Category, Customer, Impact, Incident, Outage, Scope};
use crate::core::numbers::DecimalError;
use crate::core::time::{TimeError, format_utc, in_range, parse_tz, start_of_local_day};

/// The largest monthly fee accepted (keeps exact proration inside i128).
const MAX_FEE: i64 = 1_000_000_000_000_000;
const FEE_RANGE: &str = "an amount below 10^15 with at most 6 decimal places";
const OBJECTIVE_RANGE: &str = "positive minutes up to 527040 with at most 6 decimal places";
const TARGET_RANGE: &str = "a percentage from 0 to 100 with at most 6 decimal places";

/// Text cells of an optional column, trimmed; absent columns read as empty.
struct TextCol(Option<polars::prelude::StringChunked>);

impl TextCol {
    fn get(&self, row: usize) -> &str {
        self.0.as_ref().and_then(|c| c.get(row)).map(str::trim).unwrap_or("")
    }
    fn present(&self) -> bool {
        self.0.is_some()
    }
}

fn text(t: &Table, name: &str) -> Result<TextCol, InputError> {
    Ok(TextCol(t.text(name)?))
}

/// Instants of a column (`None` for empty cells), each or its error; dates alone are
/// rejected.
type Cells = Vec<Result<Option<Instant>, InputError>>;

fn instants(t: &Table, name: &str, tz: Tz) -> Result<Cells, InputError> {
    let Some(col) = t.time(name)? else {
        return Ok(vec![Ok(None); t.len()]);
    };
    Ok(col
        .cells(tz)
        .enumerate()
        .map(|(row, cell)| match cell {
            RawTime::Empty => Ok(None),
            RawTime::Text(s) => {
                t.parse_instant(s, tz).and_then(in_range).map(Some).map_err(|e| t.error_at(row, name, e))
            }
            RawTime::Cell(Ok(TimeCell::Instant(i))) => in_range(i).map(Some).map_err(|e| t.error_at(row, name, e)),
            RawTime::Cell(Ok(TimeCell::Date(d))) => {
                Err(t.error_at(row, name, format!("expected an instant, found the date {d}")))
            }
            RawTime::Cell(Err(e)) => Err(t.error_at(row, name, e)),
        })
        .collect())
}

fn scope(t: &Table, col: &TextCol, row: usize, name: &str) -> Result<Scope, InputError> {
    if !col.present() {
        return Ok(Scope::All);
    }
    let cell = col.get(row);
    if cell.is_empty() {
        return Err(t.error_at(row, name, "empty list: write * for all, or values separated by ;"));
    }
    Ok(Scope::parse(cell))
}

/// A decimal cell, exactly. `what` says what is expected of text that is not a number;
/// `range` what is expected of a number with more digits than can be held exactly.
fn decimal(t: &Table, row: usize, name: &str, cell: &str, what: &str, range: &str) -> Result<Decimal, InputError> {
    crate::core::numbers::exact_decimal(cell).map_err(|e| {
        let expected = if e == DecimalError::TooManyDigits { range } else { what };
        t.error_at(row, name, format!("expected {expected}, found {}", quote(cell)))
    })
}

fn required<'a>(t: &Table, row: usize, name: &str, cell: &'a str) -> Result<&'a str, InputError> {
    if cell.is_empty() { Err(t.error_at(row, name, "empty value, this column is required")) } else { Ok(cell) }
}

/// Problems found in the inputs: the first stops a run; `validate` collects them all.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    collect: bool,
    pub(crate) list: Vec<InputError>,
}

impl Problems {
    /// Stop at the first problem (a run).
    pub(crate) fn fail_fast() -> Problems {
        Problems { collect: false, list: Vec::new() }
    }

    /// Keep going and list every problem (`validate`).
    pub(crate) fn collecting() -> Problems {
        Problems { collect: true, list: Vec::new() }
    }

    /// An empty sink that stops or collects as this one does.
    pub(crate) fn same_kind(&self) -> Problems {
        Problems { collect: self.collect, list: Vec::new() }
    }

    /// Whether every problem is listed (`validate`, which also wants the check spacing).
    pub(crate) fn collects(&self) -> bool {
        self.collect
    }

    /// Records a problem; `Err` when the first one ends the reading.
    pub(crate) fn report(&mut self, e: InputError) -> Result<(), InputError> {
        if self.collect {
            self.list.push(e);
            Ok(())
        } else {
            Err(e)
        }
    }
}

/// Where each unique key was first seen: `file:line` (or `file row N` in Parquet).
pub(crate) type FirstSeen = HashMap<String, String>;

fn check_unique(
    t: &Table,
    lines: Option<&[u64]>,
    seen: &mut FirstSeen,
    row: usize,
    col: &str,
    key: &str,
) -> Result<(), InputError> {
    if let Some(at) = seen.get(key) {
        return Err(t.error_at(row, col, format!("duplicate {col} {}, first seen at {at}", quote(key))));
    }
    seen.insert(key.to_string(), t.locate(row, lines));
    Ok(())
}

/// The instant of a required time column, or its error.
fn required_instant(t: &Table, cells: &Cells, row: usize, name: &str) -> Result<Instant, InputError> {
    cells[row].clone()?.ok_or_else(|| t.error_at(row, name, "empty value, this column is required"))
}

/// A cell that names none of the values its column takes.
fn unknown(t: &Table, row: usize, column: &str, what: &str, cell: &str, expected: &str) -> InputError {
    t.error_at(row, column, format!("unknown {what} {}, expected one of: {expected}", quote(cell)))
}

/// Where a row is, as `name:line` (or `name row N`): the config-relative file name, so
/// nothing depends on where the inputs live.
fn origin(t: &Table, lines: Option<&[u64]>, row: usize, display: &str, name: &str) -> String {
    let at = t.locate(row, lines);
    format!("{name}{}", at.strip_prefix(display).unwrap_or(&at))
}

/// Reads every non-blank row with `read`: a good row goes to `out`, a bad one to
/// `problems` (which ends the reading unless it collects).
fn each_row<T>(
    t: &Table,
    out: &mut Vec<T>,
    problems: &mut Problems,
    mut read: impl FnMut(usize) -> Result<T, InputError>,
) -> Result<(), InputError> {
    for row in (0..t.len()).filter(|&r| !t.is_blank(r)) {
        match read(row) {
            Ok(r) => out.push(r),
            Err(e) => problems.report(e)?,
        }
    }
    Ok(())
}

/// Customer rows; `tz` is the file's zone for naive contract instants (a contract date
/// alone is local midnight in the customer's zone).
#[allow(clippy::too_many_arguments)]
pub(crate) fn customers(
    path: &Path,
    display: &str,
    config: &Config,
    mapping: &Mapping,
    tz: Tz,
    out: &mut Vec<Customer>,
    seen: &mut FirstSeen,
    problems: &mut Problems,
) -> Result<(usize, Footprint), InputError> {
    let first = out.len();
    let t = Table::read(path, display, CUSTOMER_COLUMNS, &["customer_id", "tier"], mapping)?;
    let col = |c: &str| text(&t, c);
    let (id, name, tier, services, regions) =
        (col("customer_id")?, col("name")?, col("tier")?, col("services")?, col("regions")?);
    let (fee, currency, zone, target) =
        (col("monthly_fee")?, col("currency")?, col("timezone")?, col("target_percent")?);
    let (rto, rpo) = (col("rto_minutes")?, col("rpo_minutes")?);
    let start_col = t.time("contract_start")?;
    let end_col = t.time("contract_end")?;
    let start_cells: Vec<RawTime> = start_col.as_ref().map(|c| c.cells(tz).collect()).unwrap_or_default();
    let end_cells: Vec<RawTime> = end_col.as_ref().map(|c| c.cells(tz).collect()).unwrap_or_default();
    let tiers: Vec<&str> = config.tiers.keys().map(String::as_str).collect();
    let lines = t.row_lines();
    each_row(&t, out, problems, |row| {
        let cid = required(&t, row, "customer_id", id.get(row))?.to_string();
        check_unique(&t, lines.as_deref(), seen, row, "customer_id", &cid)?;
        let tier_name = required(&t, row, "tier", tier.get(row))?;
        if !config.tiers.contains_key(tier_name) {
            return Err(unknown(&t, row, "tier", "tier", tier_name, &tiers.join(", ")));
        }
        let timezone = customer_zone(&t, row, config, zone.get(row))?;
        let (contract_start, contract_end) = contract(&t, row, tz, timezone, &start_cells, &end_cells)?;
        let cur = currency.get(row);
        let monthly_fee = fee_and_currency(&t, row, fee.get(row), cur)?;
        let target_override = target_percent(&t, row, target.get(row))?;
        let rto_override = objective(&t, row, "rto_minutes", rto.get(row))?;
        let rpo_override = objective(&t, row, "rpo_minutes", rpo.get(row))?;
        Ok(Customer {
            name: match name.get(row) {
                "" => cid.clone(),
                n => n.to_string(),
            },
            id: cid,
            tier: tier_name.to_string(),
            services: scope(&t, &services, row, "services")?,
            regions: scope(&t, &regions, row, "regions")?,
            contract_start,
            contract_end,
            monthly_fee,
            currency: cur.to_string(),
            timezone,
            target_override,
            rto_override,
            rpo_override,
        })
    })?;
    Ok((out.len() - first, Footprint::Spans(out[first..].iter().map(Customer::contract).collect())))
}

/// A customer's zone: its `timezone` cell, else the report zone.
fn customer_zone(t: &Table, row: usize, config: &Config, cell: &str) -> Result<Tz, InputError> {
    if cell.is_empty() {
        return Ok(config.report_timezone);
    }
    parse_tz(cell).ok_or_else(|| {
        t.error_at(
            row,
            "timezone",
            format!("unknown time zone {}, expected an IANA name like Europe/London", quote(cell)),
        )
    })
}

/// A contract's start and end, the end not before the start. `tz` is the file's zone for
/// naive instants, `ctz` the customer's for dates alone.
fn contract(
    t: &Table,
    row: usize,
    tz: Tz,
    ctz: Tz,
    start: &[RawTime],
    end: &[RawTime],
) -> Result<(Option<Instant>, Option<Instant>), InputError> {
    let contract_start = contract_time(t, start, row, "contract_start", tz, ctz)?;
    let contract_end = contract_time(t, end, row, "contract_end", tz, ctz)?;
    if let (Some(s), Some(e)) = (contract_start, contract_end)
        && e < s
    {
        return Err(t.error_at(row, "contract_end", "contract_end is before contract_start"));
    }
    Ok((contract_start, contract_end))
}

/// One contract cell: an instant, or a date alone (local midnight in `ctz`).
fn contract_time(
    t: &Table,
    cells: &[RawTime],
    row: usize,
    col: &str,
    tz: Tz,
    ctz: Tz,
) -> Result<Option<Instant>, InputError> {
    match cells.get(row) {
        None | Some(RawTime::Empty) => Ok(None),
        Some(RawTime::Text(s)) => {
            t.parse_date_or_instant(s, tz, ctz).and_then(in_range).map(Some).map_err(|e| t.error_at(row, col, e))
        }
        Some(RawTime::Cell(Ok(TimeCell::Instant(i)))) => in_range(*i).map(Some).map_err(|e| t.error_at(row, col, e)),
        Some(RawTime::Cell(Ok(TimeCell::Date(d)))) => {
            in_range(start_of_local_day(*d, ctz)).map(Some).map_err(|e| t.error_at(row, col, e))
        }
        Some(RawTime::Cell(Err(e))) => Err(t.error_at(row, col, e.clone())),
    }
}

/// The monthly fee (empty: zero), and its currency: an ISO 4217 code, optional when there
/// is no fee.
fn fee_and_currency(t: &Table, row: usize, fee_cell: &str, cur: &str) -> Result<Decimal, InputError> {
    let monthly_fee = if fee_cell.is_empty() {
        Decimal::ZERO
    } else {
        decimal(t, row, "monthly_fee", fee_cell, "a decimal amount like 1250.00", FEE_RANGE)?
    };
    if monthly_fee > Decimal::from(MAX_FEE) || monthly_fee.normalize().scale() > 6 {
        return Err(t.error_at(row, "monthly_fee", format!("expected {FEE_RANGE}, found {}", quote(fee_cell))));
    }
    if monthly_fee < Decimal::ZERO {
        return Err(t.error_at(row, "monthly_fee", format!("negative fee {}, expected 0 or more", quote(fee_cell))));
    }
    let currency_optional = cur.is_empty() && monthly_fee.is_zero();
    if !(currency_optional || crate::core::numbers::is_currency(cur)) {
        return Err(t.error_at(
            row,
            "currency",
            format!("expected an ISO 4217 currency code like GBP, found {}", quote(cur)),
        ));
    }
    Ok(monthly_fee)
}

/// A customer's own target percent, if any.
fn target_percent(t: &Table, row: usize, cell: &str) -> Result<Option<Decimal>, InputError> {
    if cell.is_empty() {
        return Ok(None);
    }
    let d = decimal(t, row, "target_percent", cell, "a percentage like 99.99", TARGET_RANGE)?;
    if d < Decimal::ZERO || d > Decimal::from(100) || d.normalize().scale() > crate::config::MAX_SCALE {
        return Err(t.error_at(row, "target_percent", format!("expected {TARGET_RANGE}, found {}", quote(cell))));
    }
    Ok(Some(d))
}

/// A customer's own recovery objective in minutes (`rto_minutes`, `rpo_minutes`), if any.
fn objective(t: &Table, row: usize, column: &str, cell: &str) -> Result<Option<Decimal>, InputError> {
    if cell.is_empty() {
        return Ok(None);
    }
    let d = decimal(t, row, column, cell, "minutes like 60", OBJECTIVE_RANGE)?;
    let max = Decimal::from(crate::config::MAX_OBJECTIVE_MINUTES);
    if d <= Decimal::ZERO || d > max || d.normalize().scale() > crate::config::MAX_SCALE {
        return Err(t.error_at(row, column, format!("expected {OBJECTIVE_RANGE}, found {}", quote(cell))));
    }
    Ok(Some(d))
}

/// Interns (service, region, location) to dense ids without allocating per row, with
/// the mode each series is read in and the file that first had it.
#[derive(Default, Clone)]
pub(crate) struct SeriesInterner {
    /// Each column's names (service, region, location) as small numbers.
    names: [HashMap<String, u32, rustc_hash::FxBuildHasher>; 3],
    ids: HashMap<(u32, u32, u32), u32, rustc_hash::FxBuildHasher>,
    keys: Vec<SeriesKey>,
    modes: Vec<(SeriesMode, String)>,
}

impl SeriesInterner {
    fn name(&mut self, column: usize, name: &str) -> u32 {
        let names = &mut self.names[column];
        match names.get(name) {
            Some(&n) => n,
            None => {
                let n = names.len() as u32;
                names.insert(name.to_string(), n);
                n
            }
        }
    }

    /// The id of a series read in `mode` from `file`; `Err` holds the mode and file of
    /// the series when an earlier file read it in another mode.
    pub(crate) fn id(
        &mut self,
        service: &str,
        region: &str,
        location: &str,
        mode: SeriesMode,
        file: &str,
    ) -> Result<u32, (SeriesMode, &str)> {
        let key = (self.name(0, service), self.name(1, region), self.name(2, location));
        if let Some(&id) = self.ids.get(&key) {
            let (first_mode, first_file) = &self.modes[id as usize];
            return if *first_mode == mode { Ok(id) } else { Err((*first_mode, first_file.as_str())) };
        }
        let id = self.keys.len() as u32;
        self.keys.push(SeriesKey { service: service.into(), region: region.into(), location: location.into() });
        self.modes.push((mode, file.to_string()));
        self.ids.insert(key, id);
        Ok(id)
    }

    pub(crate) fn keys(&self) -> &[SeriesKey] {
        &self.keys
    }

    /// How each series is read, by id.
    pub(crate) fn modes(&self) -> impl Iterator<Item = SeriesMode> + '_ {
        self.modes.iter().map(|(m, _)| *m)
    }

    /// The keys of the series by id, and how each is read.
    pub(crate) fn into_keys(self) -> (Vec<SeriesKey>, Vec<SeriesMode>) {
        (self.keys, self.modes.into_iter().map(|(m, _)| m).collect())
    }
}

/// A series mode in words, for messages.
fn mode_words(mode: SeriesMode) -> String {
    match mode {
        SeriesMode::Checks => "probe checks".into(),
        SeriesMode::Events { max_hold: None } => "a state-change log (series = \"events\")".into(),
        SeriesMode::Events { max_hold: Some(h) } => {
            format!("a state-change log (series = \"events\", max_hold_seconds = {h})")
        }
    }
}

/// `up`/`ok`/`1`/`true`, `down`/`fail`/`error`/`0`/`false`, or `unknown`, any case.
pub(crate) fn parse_status(s: &str) -> Option<Status> {
    const UP: [&str; 4] = ["up", "ok", "1", "true"];
    const DOWN: [&str; 5] = ["down", "fail", "error", "0", "false"];
    if UP.iter().any(|u| s.eq_ignore_ascii_case(u)) {
        Some(Status::Up)
    } else if DOWN.iter().any(|d| s.eq_ignore_ascii_case(d)) {
        Some(Status::Down)
    } else if s.eq_ignore_ascii_case("unknown") {
        Some(Status::Unknown)
    } else {
        None
    }
}

/// Check rows of one file, in batches, into `sink` (the run's reduction and series
/// names). Returns the rows read, their footprint and the file's SHA-256.
pub(crate) fn checks(
    path: &Path,
    display: &str,
    tz: Tz,
    mapping: &Mapping,
    mode: SeriesMode,
    sink: &mut CheckSink,
    problems: &mut Problems,
) -> Result<(usize, Footprint, String), InputError> {
    let mut file = CheckFile {
        display,
        tz,
        mode,
        rows: 0,
        footprint: QuarterHours::default(),
        conflicting: Default::default(),
        problems,
    };
    let sha256 = Table::for_each_batch(path, display, CHECK_COLUMNS, CHECK_COLUMNS, mapping, |batch| match batch {
        Batch::Frame(t) => file.frame(t, sink),
        Batch::Text(b) => file.text(b, sink),
    })?;
    Ok((file.rows, file.footprint.finish(), sha256))
}

/// The reading of one check file: where its rows go and what was counted.
struct CheckFile<'a> {
    display: &'a str,
    tz: Tz,
    mode: SeriesMode,
    rows: usize,
    footprint: QuarterHours,
    /// A series read in another mode by an earlier file is reported once per file.
    conflicting: std::collections::HashSet<String>,
    problems: &'a mut Problems,
}

impl CheckFile<'_> {
    /// A row read: a check goes to the sink, a problem to the problems.
    fn take(&mut self, row: Result<Option<Check>, InputError>, sink: &mut CheckSink) -> Result<(), InputError> {
        match row {
            Ok(Some(c)) => {
                // Not a problem of the input: never collected, always the end.
                sink.push(c, self.mode, self.display)
                    .map_err(|e| InputError(format!("{}: cannot sort the checks on disk: {e}", self.display)))?;
                self.footprint.add(c.at);
                self.rows += 1;
            }
            Ok(None) => {}
            Err(e) => self.problems.report(e)?,
        }
        Ok(())
    }

    /// The rows of a batch parsed into a dataframe (Parquet, or CSV that is not plain).
    fn frame(&mut self, t: &Table, sink: &mut CheckSink) -> Result<(), InputError> {
        let tz = self.tz;
        let time = t.time("timestamp")?.expect("required");
        let [service, region, location, status] =
            ["service", "region", "location", "status"].map(|c| t.text(c).map(|o| o.expect("required")));
        let (service, region, location, status) = (service?, region?, location?, status?);
        let columns = [service, region, location, status].map(|c| c.rechunk().into_owned());
        let views = columns.each_ref().map(Views::of);
        // Within a batch, a row whose four cells are the same strings as an earlier good
        // row's (compared by their arrow views) is that series with that status.
        let mut known = ViewCache::default();
        for (row, ts) in time.cells(tz).enumerate() {
            let at = match ts {
                RawTime::Text(s) => t.parse_instant(s, tz).and_then(in_range),
                RawTime::Cell(Ok(TimeCell::Instant(i))) => in_range(i),
                RawTime::Cell(Ok(TimeCell::Date(_))) | RawTime::Empty => Err(empty_time(t.timestamp_format())),
                RawTime::Cell(Err(e)) => Err(e),
            };
            let key = [views[0].at(row), views[1].at(row), views[2].at(row), views[3].at(row)];
            if let (Ok(at), [Some(a), Some(b), Some(c), Some(d)]) = (&at, key)
                && let Some((series, status)) = known.get(&[a, b, c, d])
            {
                self.take(Ok(Some(Check { series, at: *at, status })), sink)?;
                continue;
            }
            let [sv, rg, lc, st] = columns.each_ref().map(|c| c.get(row));
            let cells = CheckCells { at, service: sv, region: rg, location: lc, status: st };
            let checked =
                check_row(cells, self.mode, self.display, &mut sink.interner, &mut self.conflicting, &|c, m| {
                    t.error_at(row, c, m)
                });
            // A blank line fails on its empty cells: it is skipped, not reported.
            if checked.is_err() && t.is_blank(row) {
                continue;
            }
            if let (Ok(Some(c)), [Some(a), Some(b), Some(cc), Some(d)]) = (&checked, key) {
                known.insert([a, b, cc, d], c.series, c.status);
            }
            self.take(checked, sink)?;
        }
        Ok(())
    }

    /// The rows of a block of plain CSV text.
    fn text(&mut self, b: &TextBlock, sink: &mut CheckSink) -> Result<(), InputError> {
        b.rows(CHECK_COLUMNS, |line, cells| {
            let [ts, sv, rg, lc, st] = [cells[0], cells[1], cells[2], cells[3], cells[4]];
            if [ts, sv, rg, lc, st].iter().all(|c| c.is_none_or(|c| trim(c).is_empty())) {
                return Ok(());
            }
            let at = match ts.map(trim) {
                None | Some("") => Err(empty_time(b.timestamp_format())),
                Some(s) => b.parse_instant(s, self.tz).and_then(in_range),
            };
            let cells = CheckCells { at, service: sv, region: rg, location: lc, status: st };
            let row = check_row(cells, self.mode, self.display, &mut sink.interner, &mut self.conflicting, &|c, m| {
                b.error_at(line, c, m)
            });
            self.take(row, sink)
        })
    }
}

/// The arrow views of a text column of one chunk (16 bytes each: the length and the
/// bytes of a short string, or the length, a prefix and the place of a longer one): two
/// cells with the same view hold the same text.
struct Views<'a> {
    array: Option<&'a <polars::prelude::StringType as polars::prelude::PolarsDataType>::Array>,
}

impl<'a> Views<'a> {
    fn of(ca: &'a StringChunked) -> Views<'a> {
        // Only a column without nulls (a null cell's view is not text).
        let mut chunks = ca.downcast_iter();
        match (chunks.next(), chunks.next()) {
            (Some(array), None) if ca.null_count() == 0 => Views { array: Some(array) },
            _ => Views { array: None },
        }
    }

    /// The view of a row's cell; `None` when the column has nulls.
    #[inline]
    fn at(&self, row: usize) -> Option<u128> {
        self.array?.views().get(row).map(|v| v.as_u128())
    }
}

/// Series and status by the views of a row's four text cells: a direct-mapped table (a
/// batch has a few hundred series; a collision only costs a reading of the text).
struct ViewCache {
    slots: Vec<Option<([u128; 4], u32, Status)>>,
}

impl Default for ViewCache {
    fn default() -> Self {
        ViewCache { slots: vec![None; 4096] }
    }
}

impl ViewCache {
    #[inline]
    fn slot(key: &[u128; 4]) -> usize {
        let h =
            key.iter().fold(0u64, |h, v| (h ^ (*v as u64) ^ ((*v >> 64) as u64)).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        (h >> 52) as usize
    }

    #[inline]
    fn get(&self, key: &[u128; 4]) -> Option<(u32, Status)> {
        match &self.slots[Self::slot(key)] {
            Some((k, series, status)) if k == key => Some((*series, *status)),
            _ => None,
        }
    }

    fn insert(&mut self, key: [u128; 4], series: u32, status: Status) {
        self.slots[Self::slot(&key)] = Some((key, series, status));
    }
}

/// The cells of one check row, its instant already read.
struct CheckCells<'a> {
    at: Result<Instant, TimeError>,
    service: Option<&'a str>,
    region: Option<&'a str>,
    location: Option<&'a str>,
    status: Option<&'a str>,
}

/// The error of an empty timestamp cell.
fn empty_time(format: Option<&crate::core::time::InstantFormat>) -> TimeError {
    match format {
        Some(f) => TimeError::NotInFormat(Box::new((f.to_string(), String::new()))),
        None => TimeError::Malformed(String::new()),
    }
}

/// One check row (not blank) as a check: `Ok(None)` for a row of a series already
/// reported as read in two modes. `error(column, message)` names the row's cell.
fn check_row(
    cells: CheckCells,
    mode: SeriesMode,
    display: &str,
    interner: &mut SeriesInterner,
    conflicting: &mut std::collections::HashSet<String>,
    error: &dyn Fn(&str, String) -> InputError,
) -> Result<Option<Check>, InputError> {
    let at = cells.at.map_err(|e| error("timestamp", e.to_string()))?;
    fn trimmed(c: Option<&str>) -> &str {
        trim(c.unwrap_or(""))
    }
    let (sv, rg, lc) = (trimmed(cells.service), trimmed(cells.region), trimmed(cells.location));
    for (v, c) in [(sv, "service"), (rg, "region"), (lc, "location")] {
        if v.is_empty() {
            return Err(error(c, "empty value, this column is required".into()));
        }
    }
    let st = trimmed(cells.status);
    let status = parse_status(st).ok_or_else(|| {
        error(
            "status",
            format!("unknown status {}, expected up, ok, 1, true, down, fail, error, 0, false or unknown", quote(st)),
        )
    })?;
    let series = match interner.id(sv, rg, lc, mode, display) {
        Ok(id) => id,
        Err((other, file)) => {
            let name = format!("{sv}/{rg}/{lc}");
            if conflicting.contains(&name) {
                return Ok(None);
            }
            let message = format!(
                "series {} is read as {} here but as {} in {}; a series is either checks or a state-change log, not both",
                quote(&name),
                mode_words(mode),
                mode_words(other),
                file
            );
            conflicting.insert(name);
            return Err(error("service", message));
        }
    };
    Ok(Some(Check { series, at, status }))
}

/// Where check rows go as they are read.
pub(crate) struct CheckSink {
    pub(crate) interner: SeriesInterner,
    pub(crate) feed: Feed,
    /// The rows of state-change logs (a row per change: few), for their footprints.
    pub(crate) logs: Vec<Check>,
}

/// How check rows are reduced: streamed into the reduction while every series arrives in
/// time order; once one does not, the reduction is dropped and the files are read again
/// into an on-disk sort.
pub(crate) enum Feed {
    Stream { reduction: Reduction, disorder: Option<(OutOfOrder, String)> },
    Sort(super::spill::ExternalSort),
}

impl CheckSink {
    /// `spacing`: keep each series' spacing histogram (for `validate`).
    pub(crate) fn new(rules: &MonitoringRules, spacing: bool) -> CheckSink {
        let reduction = Reduction::new(rules).with_spacing(spacing);
        CheckSink {
            interner: SeriesInterner::default(),
            feed: Feed::Stream { reduction, disorder: None },
            logs: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, c: Check, mode: SeriesMode, display: &str) -> std::io::Result<()> {
        if matches!(mode, SeriesMode::Events { .. }) {
            self.logs.push(c);
        }
        match &mut self.feed {
            Feed::Stream { reduction, disorder: None } => {
                reduction.add_series(c.series, mode);
                if let Err(o) = reduction.push(c)
                    && let Feed::Stream { disorder, .. } = &mut self.feed
                {
                    *disorder = Some((o, display.to_string()));
                }
                Ok(())
            }
            Feed::Stream { .. } => Ok(()),
            Feed::Sort(sort) => sort.push(c),
        }
    }
}

/// Check timestamps counted by quarter hour, as they are read.
#[derive(Default)]
pub(crate) struct QuarterHours {
    buckets: std::collections::BTreeMap<i64, usize>,
    /// Exports are mostly in time order: a run of one bucket is counted, then inserted.
    run: Option<(i64, usize)>,
}

impl QuarterHours {
    #[inline]
    pub(crate) fn add(&mut self, t: Instant) {
        let b = t.div_euclid(900);
        match &mut self.run {
            Some((current, n)) if *current == b => *n += 1,
            _ => {
                if let Some((current, n)) = self.run.replace((b, 1)) {
                    *self.buckets.entry(current).or_insert(0) += n;
                }
            }
        }
    }

    pub(crate) fn finish(mut self) -> Footprint {
        if let Some((current, n)) = self.run.take() {
            *self.buckets.entry(current).or_insert(0) += n;
        }
        Footprint::QuarterHours(self.buckets)
    }
}

/// The largest `duration_seconds`: ten years.
const MAX_DURATION_SECONDS: i64 = 10 * 366 * 86_400;

/// The end of an outage or incident row from its `end` and `duration_seconds` cells:
/// `end` (not before `start`) when only it is given, `start + duration` when only the
/// duration is, and both must agree when both are. `None`: neither (open).
fn end_of(
    t: &Table,
    row: usize,
    start: Instant,
    end: Option<Instant>,
    duration: &TextCol,
) -> Result<Option<Instant>, InputError> {
    if let Some(e) = end
        && e < start
    {
        return Err(t.error_at(row, "end", "end is before start"));
    }
    let cell = duration.get(row);
    if cell.is_empty() {
        return Ok(end);
    }
    let expected = format!("a whole number of seconds from 0 to {MAX_DURATION_SECONDS} (ten years)");
    let bad = || t.error_at(row, "duration_seconds", format!("expected {expected}, found {}", quote(cell)));
    let d = crate::core::numbers::exact_decimal(cell).map_err(|_| bad())?;
    if !d.fract().is_zero() || d.is_sign_negative() && !d.is_zero() || d > Decimal::from(MAX_DURATION_SECONDS) {
        return Err(bad());
    }
    let secs: i64 = d.trunc().try_into().map_err(|_| bad())?;
    let from_duration = in_range(start + secs).map_err(|e| t.error_at(row, "duration_seconds", e))?;
    match end {
        Some(e) if e != from_duration => Err(t.error_at(
            row,
            "duration_seconds",
            format!(
                "end {} and duration_seconds {secs} disagree: start + {secs} s is {}",
                format_utc(e),
                format_utc(from_duration)
            ),
        )),
        _ => Ok(Some(from_duration)),
    }
}

/// Outage rows; each keeps `name:line` (the config-relative file name) as its source, so
/// evidence does not depend on where the inputs live. `tz` is the file's zone.
#[allow(clippy::too_many_arguments)]
pub(crate) fn outages(
    path: &Path,
    display: &str,
    name: &str,
    tz: Tz,
    mapping: &Mapping,
    now: Instant,
    out: &mut Vec<Outage>,
    problems: &mut Problems,
) -> Result<(usize, Footprint), InputError> {
    let first = out.len();
    let t = Table::read(path, display, OUTAGE_COLUMNS, &["service", "region", "start", "end"], mapping)?;
    let (service, region, duration) = (text(&t, "service")?, text(&t, "region")?, text(&t, "duration_seconds")?);
    let starts = instants(&t, "start", tz)?;
    let ends = instants(&t, "end", tz)?;
    let lines = t.row_lines();
    each_row(&t, out, problems, |row| {
        let start = required_instant(&t, &starts, row, "start")?;
        let end_cell = end_of(&t, row, start, ends[row].clone()?, &duration)?;
        let end = match end_cell {
            Some(e) => e,
            None if !t.row_is_complete(row) => return Err(t.error_at(row, "end", "missing field")),
            None => now.max(start),
        };
        let source = origin(&t, lines.as_deref(), row, display, name);
        Ok(Outage {
            service: required(&t, row, "service", service.get(row))?.to_string(),
            region: required(&t, row, "region", region.get(row))?.to_string(),
            interval: Interval::new(start, end),
            source: if end_cell.is_none() { format!("{source} (open)") } else { source },
        })
    })?;
    Ok((out.len() - first, Footprint::Spans(out[first..].iter().map(|o| o.interval).collect())))
}

/// One row of a reduced file (`slareport reduce`, or the SQL in `sql/`).
#[derive(Debug, Clone)]
pub(crate) struct ReducedRow {
    pub(crate) pair: Pair,
    /// `data` (false) or `down` (true).
    pub(crate) down: bool,
    pub(crate) interval: Interval,
    pub(crate) locations_down: Vec<String>,
    pub(crate) locations: Option<usize>,
    /// `name:line` (or `name row N`).
    pub(crate) origin: String,
}

/// Rows of a reduced file; `tz` is the file's zone for naive instants.
#[allow(clippy::too_many_arguments)]
pub(crate) fn reduced(
    path: &Path,
    display: &str,
    name: &str,
    tz: Tz,
    mapping: &Mapping,
    out: &mut Vec<ReducedRow>,
    problems: &mut Problems,
) -> Result<(usize, Footprint), InputError> {
    let first = out.len();
    let t = Table::read(path, display, REDUCED_COLUMNS, REDUCED_REQUIRED, mapping)?;
    let (service, region, kind) = (text(&t, "service")?, text(&t, "region")?, text(&t, "kind")?);
    let (down_names, locations) = (text(&t, "locations_down")?, text(&t, "locations")?);
    let starts = instants(&t, "start", tz)?;
    let ends = instants(&t, "end", tz)?;
    let lines = t.row_lines();
    each_row(&t, out, problems, |row| {
        let service = required(&t, row, "service", service.get(row))?.to_string();
        let region = required(&t, row, "region", region.get(row))?.to_string();
        let down = reduced_kind(&t, row, kind.get(row))?;
        let start = required_instant(&t, &starts, row, "start")?;
        let end = required_instant(&t, &ends, row, "end")?;
        if end < start || (down && end == start) {
            return Err(t.error_at(row, "end", if down { "end is not after start" } else { "end is before start" }));
        }
        let locations = location_count(&t, row, locations.get(row))?;
        let names = locations_down(&t, row, down_names.get(row), locations, down)?;
        Ok(ReducedRow {
            pair: Pair { service, region },
            down,
            interval: Interval::new(start, end),
            locations_down: names,
            locations,
            origin: origin(&t, lines.as_deref(), row, display, name),
        })
    })?;
    Ok((out.len() - first, reduced_footprint(&out[first..])))
}

/// A reduced row's `kind`: `data` (false) or `down` (true).
fn reduced_kind(t: &Table, row: usize, cell: &str) -> Result<bool, InputError> {
    match cell.trim().to_ascii_lowercase().as_str() {
        "data" => Ok(false),
        "down" => Ok(true),
        other => Err(t.error_at(row, "kind", format!("unknown kind {}, expected data or down", quote(other)))),
    }
}

/// The `locations` of a reduced row: how many locations monitor its pair, if given.
fn location_count(t: &Table, row: usize, cell: &str) -> Result<Option<usize>, InputError> {
    match cell.trim() {
        "" => Ok(None),
        n => Ok(Some(n.parse::<usize>().ok().filter(|n| (1..=1_000_000).contains(n)).ok_or_else(|| {
            t.error_at(row, "locations", format!("expected a whole number from 1 to 1000000, found {}", quote(n)))
        })?)),
    }
}

/// The `locations_down` of a reduced row: names separated by commas, no more than its
/// `locations`, and none on a data row.
fn locations_down(
    t: &Table,
    row: usize,
    cell: &str,
    locations: Option<usize>,
    down: bool,
) -> Result<Vec<String>, InputError> {
    let names: Vec<String> = match cell.trim() {
        "" => Vec::new(),
        list => list.split(',').map(|n| n.trim().to_string()).collect(),
    };
    if let (Some(total), true) = (locations, names.len() > locations.unwrap_or(0)) {
        return Err(t.error_at(row, "locations_down", format!("{} locations down of {total} locations", names.len())));
    }
    if !down && !names.is_empty() {
        return Err(t.error_at(row, "locations_down", "a data row names no locations down"));
    }
    Ok(names)
}

/// The footprint of a reduced file's rows: every day a data interval touches has data (as
/// for a state-change log's holds).
fn reduced_footprint(rows: &[ReducedRow]) -> Footprint {
    let mut q = QuarterHours::default();
    for r in rows {
        q.add(r.interval.start);
    }
    let Footprint::QuarterHours(mut buckets) = q.finish() else { unreachable!("quarter hours") };
    for r in rows.iter().filter(|r| !r.down) {
        super::mark_days(&mut buckets, r.interval);
    }
    Footprint::QuarterHours(buckets)
}

/// Incident rows; `tz` is the file's zone.
#[allow(clippy::too_many_arguments)]
pub(crate) fn incidents(
    path: &Path,
    display: &str,
    tz: Tz,
    mapping: &Mapping,
    now: Instant,
    out: &mut Vec<Incident>,
    seen: &mut FirstSeen,
    problems: &mut Problems,
) -> Result<(usize, Footprint), InputError> {
    let first = out.len();
    let t = Table::read(path, display, INCIDENT_COLUMNS, &["incident_id", "category", "impact", "start"], mapping)?;
    let (id, title, category, impact) =
        (text(&t, "incident_id")?, text(&t, "title")?, text(&t, "category")?, text(&t, "impact")?);
    let (services, regions, customers) = (text(&t, "services")?, text(&t, "regions")?, text(&t, "customers")?);
    let (data_loss, duration) = (text(&t, "data_loss_minutes")?, text(&t, "duration_seconds")?);
    let starts = instants(&t, "start", tz)?;
    let ends = instants(&t, "end", tz)?;
    let announced = instants(&t, "announced_at", tz)?;
    let lines = t.row_lines();
    each_row(&t, out, problems, |row| {
        let iid = required(&t, row, "incident_id", id.get(row))?.to_string();
        check_unique(&t, lines.as_deref(), seen, row, "incident_id", &iid)?;
        let cat = required(&t, row, "category", category.get(row))?;
        let category = cat
            .parse::<Category>()
            .map_err(|_| unknown(&t, row, "category", "category", cat, &Category::expected()))?;
        let imp = required(&t, row, "impact", impact.get(row))?;
        let impact =
            imp.parse::<Impact>().map_err(|_| unknown(&t, row, "impact", "impact", imp, &Impact::expected()))?;
        let start = required_instant(&t, &starts, row, "start")?;
        let end = end_of(&t, row, start, ends[row].clone()?, &duration)?;
        let data_loss_minutes = data_loss_minutes(&t, row, data_loss.get(row))?;
        Ok(Incident {
            title: title.get(row).to_string(),
            id: iid,
            category,
            impact,
            start,
            end,
            services: scope(&t, &services, row, "services")?,
            regions: scope(&t, &regions, row, "regions")?,
            customers: scope(&t, &customers, row, "customers")?,
            announced_at: announced[row].clone()?,
            data_loss_minutes,
        })
    })?;
    Ok((out.len() - first, Footprint::Spans(out[first..].iter().map(|i| i.interval(now)).collect())))
}

/// An incident's `data_loss_minutes`, if given.
fn data_loss_minutes(t: &Table, row: usize, cell: &str) -> Result<Option<Decimal>, InputError> {
    if cell.is_empty() {
        return Ok(None);
    }
    let range = "a number of minutes of at most 28 significant digits";
    Ok(Some(decimal(t, row, "data_loss_minutes", cell, "a number of minutes", range)?))
}

/// Backup rows (`[inputs] backups`); `tz` is the file's zone. A backup id is unique
/// across files; `completed_at` is not before `started_at`; a restore test has both its
/// instant and its result.
#[allow(clippy::too_many_arguments)]
pub(crate) fn backups(
    path: &Path,
    display: &str,
    tz: Tz,
    mapping: &Mapping,
    out: &mut Vec<crate::core::backups::Backup>,
    seen: &mut FirstSeen,
    problems: &mut Problems,
) -> Result<(usize, Footprint), InputError> {
    use crate::core::backups::{Backup, BackupStatus};
    let first = out.len();
    let t = Table::read(path, display, BACKUP_COLUMNS, &["backup_id", "component", "started_at", "status"], mapping)?;
    let (id, component, status) = (text(&t, "backup_id")?, text(&t, "component")?, text(&t, "status")?);
    let (services, regions, result) = (text(&t, "services")?, text(&t, "regions")?, text(&t, "restore_result")?);
    let starts = instants(&t, "started_at", tz)?;
    let completes = instants(&t, "completed_at", tz)?;
    let expires = instants(&t, "expires_at", tz)?;
    let tested = instants(&t, "restore_tested_at", tz)?;
    let lines = t.row_lines();
    each_row(&t, out, problems, |row| {
        let bid = required(&t, row, "backup_id", id.get(row))?.to_string();
        check_unique(&t, lines.as_deref(), seen, row, "backup_id", &bid)?;
        let component = required(&t, row, "component", component.get(row))?.to_string();
        let started_at = required_instant(&t, &starts, row, "started_at")?;
        let st = required(&t, row, "status", status.get(row))?;
        let status = st
            .parse::<BackupStatus>()
            .map_err(|_| unknown(&t, row, "status", "status", st, BackupStatus::expected()))?;
        let completed_at = completes[row].clone()?;
        if completed_at.is_some_and(|c| c < started_at) {
            return Err(t.error_at(row, "completed_at", "completed_at is before started_at"));
        }
        if status == BackupStatus::Success && completed_at.is_none() {
            return Err(t.error_at(row, "completed_at", "empty value, a successful backup has a completion time"));
        }
        let expires_at = expires[row].clone()?;
        if let (Some(e), Some(c)) = (expires_at, completed_at.or(Some(started_at)))
            && e < c
        {
            return Err(t.error_at(row, "expires_at", "expires_at is before the backup completed"));
        }
        Ok(Backup {
            id: bid,
            component,
            services: services.get(row).to_string(),
            regions: regions.get(row).to_string(),
            started_at,
            completed_at,
            status,
            expires_at,
            restore_test: restore_test(&t, row, tested[row].clone()?, result.get(row))?,
        })
    })?;
    let spans = out[first..]
        .iter()
        .map(|b| Interval::new(b.started_at, b.completed_at.unwrap_or(b.started_at).max(b.started_at)))
        .collect();
    Ok((out.len() - first, Footprint::Spans(spans)))
}

/// A backup's restore test from its `restore_tested_at` and `restore_result` cells: both
/// or neither.
fn restore_test(
    t: &Table,
    row: usize,
    tested: Option<Instant>,
    res: &str,
) -> Result<Option<(Instant, bool)>, InputError> {
    match (tested, res.to_ascii_lowercase().as_str()) {
        (None, "") => Ok(None),
        (Some(at), "passed") => Ok(Some((at, true))),
        (Some(at), "failed") => Ok(Some((at, false))),
        (None, _) => {
            Err(t.error_at(row, "restore_tested_at", "empty value, a restore_result needs the time of the test"))
        }
        (Some(_), "") => {
            Err(t.error_at(row, "restore_result", "empty value, a restore test has a result: passed or failed"))
        }
        (Some(_), _) => Err(unknown(t, row, "restore_result", "restore result", res, "passed, failed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        for s in ["up", "OK", "1", "True"] {
            assert_eq!(parse_status(s), Some(Status::Up), "{s}");
        }
        for s in ["down", "FAIL", "Error", "0", "false"] {
            assert_eq!(parse_status(s), Some(Status::Down), "{s}");
        }
        assert_eq!(parse_status("Unknown"), Some(Status::Unknown));
        assert_eq!(parse_status("degraded"), None);
        assert_eq!(parse_status(""), None);
    }

    #[test]
    fn interner_is_dense_and_stable() {
        let mut i = SeriesInterner::default();
        let c = SeriesMode::Checks;
        assert_eq!(i.id("api", "eu", "lon", c, "a.csv"), Ok(0));
        assert_eq!(i.id("api", "eu", "fra", c, "a.csv"), Ok(1));
        assert_eq!(i.id("api", "eu", "lon", c, "b.csv"), Ok(0));
        assert_eq!(i.id("api", "eul", "on", c, "a.csv"), Ok(2), "separator keeps fields apart");
        let events = SeriesMode::Events { max_hold: None };
        assert_eq!(i.id("api", "eu", "lon", events, "e.csv"), Err((c, "a.csv")), "one series, two modes");
        assert_eq!(i.id("web", "eu", "lon", events, "e.csv"), Ok(3));
        let (keys, modes) = i.into_keys();
        assert_eq!(keys.len(), 4);
        assert_eq!(modes, [c, c, c, events]);
    }
}
