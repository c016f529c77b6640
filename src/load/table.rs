//! One input file as named columns: CSV, gzip-compressed CSV or Parquet, chosen by
//! extension. Every error names the file, the line (CSV) or row (Parquet), and the column.
//!
//! CSV is read by polars with every column as text (explicit schema, no inference) and
//! parsed here with explicit formats. Line numbers of bad cells are found again by
//! re-reading the file with the `csv` crate, only on the error path, so quoted cells
//! spanning lines still give the right line.

use chrono_tz::Tz;
use polars::prelude::*;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::core::interval::Instant;
use crate::core::time::{TimeError, resolve_naive_seconds};

/// A bad input, always one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv { gzip: bool },
    Parquet,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".csv") {
            Some(Format::Csv { gzip: false })
        } else if name.ends_with(".csv.gz") {
            Some(Format::Csv { gzip: true })
        } else if name.ends_with(".parquet") {
            Some(Format::Parquet)
        } else {
            None
        }
    }
}

/// Time values of a column, in the representation the file stores.
pub enum TimeColumn {
    Text(StringChunked),
    /// A timestamp column: seconds per unit, and whether it carries a zone (then UTC).
    Timestamps {
        values: Int64Chunked,
        per_second: i64,
        zoned: bool,
    },
    Dates(Int32Chunked),
}

/// A time cell: an instant, or a date alone (for contract dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeCell {
    Instant(Instant),
    Date(chrono::NaiveDate),
}

pub struct Table {
    pub display: String,
    path: PathBuf,
    format: Format,
    header: Vec<String>,
    df: DataFrame,
    /// Rows whose loaded cells are all empty (blank lines): readers skip them.
    blank: Vec<bool>,
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

fn open_text(path: &Path, gzip: bool) -> std::io::Result<Box<dyn Read>> {
    let f = std::fs::File::open(path)?;
    Ok(if gzip { Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(f))) } else { Box::new(BufReader::new(f)) })
}

impl Table {
    /// Reads the columns of `wanted` that the file has (others are ignored).
    pub fn read(path: &Path, display: &str, wanted: &[&str]) -> Result<Table, InputError> {
        let fail = |m: String| InputError(format!("{display}: {m}"));
        let format =
            Format::of(path).ok_or_else(|| fail("unknown file type, expected .csv, .csv.gz or .parquet".into()))?;
        let (header, df) = match format {
            Format::Csv { gzip } => {
                let mut rdr = csv::ReaderBuilder::new()
                    .from_reader(open_text(path, gzip).map_err(|e| fail(format!("cannot read: {e}")))?);
                let header: Vec<String> = rdr
                    .headers()
                    .map_err(|e| fail(format!("cannot read the header line: {e}")))?
                    .iter()
                    .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
                    .collect();
                let cols: Vec<PlSmallStr> = dedup_wanted(&header, wanted).into_iter().map(PlSmallStr::from).collect();
                let schema: Schema = header.iter().map(|h| Field::new(h.as_str().into(), DataType::String)).collect();
                let options = CsvReadOptions::default()
                    .with_has_header(true)
                    .with_schema(Some(Arc::new(schema)))
                    .with_columns(Some(cols.into()))
                    .with_raise_if_empty(false);
                let df = if gzip {
                    let mut bytes = Vec::new();
                    open_text(path, true)
                        .and_then(|mut r| r.read_to_end(&mut bytes))
                        .map_err(|e| fail(format!("cannot decompress: {e}")))?;
                    options.into_reader_with_file_handle(std::io::Cursor::new(bytes)).finish()
                } else {
                    options.try_into_reader_with_file_path(Some(path.to_path_buf())).and_then(|r| r.finish())
                }
                .map_err(|e| match ragged_row(path, gzip, header.len()) {
                    Some((line, found)) => InputError(format!(
                        "{display}:{line}: expected {} fields as in the header line, found {found}",
                        header.len()
                    )),
                    None => match bad_utf8_line(path, gzip) {
                        Some(line) => InputError(format!("{display}:{line}: not UTF-8 text (save the file as UTF-8)")),
                        None => fail(format!("cannot read CSV: {}", first_line(&e.to_string()))),
                    },
                })?;
                (header, df)
            }
            Format::Parquet => {
                let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read: {e}")))?;
                let mut reader = ParquetReader::new(file);
                let schema = reader
                    .schema()
                    .map_err(|e| fail(format!("cannot read Parquet: {}", first_line(&e.to_string()))))?;
                let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
                let cols = dedup_wanted(&header, wanted);
                let df = reader
                    .with_columns(Some(cols))
                    .finish()
                    .map_err(|e| fail(format!("cannot read Parquet: {}", first_line(&e.to_string()))))?;
                (header, df)
            }
        };
        let blank = blank_rows(&df);
        Ok(Table { display: display.to_string(), path: path.to_path_buf(), format, header, df, blank })
    }

    pub fn len(&self) -> usize {
        self.df.height()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every loaded cell of the row is empty (a blank line).
    pub fn is_blank(&self, row: usize) -> bool {
        self.blank.get(row).copied().unwrap_or(false)
    }

    pub fn has(&self, name: &str) -> bool {
        self.header.iter().any(|h| h == name)
    }

    /// Fails naming the first required column the file lacks.
    pub fn require(&self, names: &[&str]) -> Result<(), InputError> {
        for n in names {
            if !self.has(n) {
                return Err(InputError(format!(
                    "{}:1: missing column '{n}' (the header has: {})",
                    self.display,
                    self.header.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// The line on which each row starts (CSV), in one pass; `None` for Parquet.
    pub fn row_lines(&self) -> Option<Vec<u64>> {
        self.scan_lines(usize::MAX)
    }

    fn scan_lines(&self, upto: usize) -> Option<Vec<u64>> {
        let records = self.scan_records(self.record_index(upto))?;
        // Align with the table's rows: blank lines are rows here but not records there.
        let mut lines = Vec::with_capacity(records.len());
        let mut next = records.iter();
        for row in 0..=upto.min(self.len().saturating_sub(1)) {
            if self.is_blank(row) {
                lines.push(0);
            } else {
                lines.push(next.next()?.0);
            }
        }
        Some(lines)
    }

    /// The `csv` crate's record index of a table row (it skips blank lines).
    fn record_index(&self, row: usize) -> usize {
        if row == usize::MAX {
            return row;
        }
        row - self.blank[..row.min(self.blank.len())].iter().filter(|&&b| b).count()
    }

    /// (line, number of fields) of each record up to `upto`, read as the `csv` crate
    /// sees them: blank lines skipped, `\n` or `\r\n` line ends.
    fn scan_records(&self, upto: usize) -> Option<Vec<(u64, usize)>> {
        let Format::Csv { gzip } = self.format else {
            return None;
        };
        let mut rdr = record_reader(&self.path, gzip)?;
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while out.len() <= upto && rdr.read_byte_record(&mut rec).ok()? {
            out.push((rec.position().map_or(0, |p| p.line()), rec.len()));
        }
        Some(out)
    }

    /// Where a row is: `file:line` for CSV, `file row N` for Parquet.
    pub fn locate(&self, row: usize, lines: Option<&[u64]>) -> String {
        let line = match lines {
            Some(l) => l.get(row).copied(),
            None => self.scan_lines(row).and_then(|l| l.get(row).copied()),
        };
        match line {
            Some(line) => format!("{}:{line}", self.display),
            None => format!("{} row {}", self.display, row + 1),
        }
    }

    /// An error at a cell: `file:line:column: column 'name': message` for CSV,
    /// `file row N: column 'name': message` for Parquet. A CSV row with missing or extra
    /// fields is reported as such, whatever the cell.
    pub fn error_at(&self, row: usize, column: &str, message: impl std::fmt::Display) -> InputError {
        let col_no = self.header.iter().position(|h| h == column).map_or(0, |i| i + 1);
        let record = self.scan_records(self.record_index(row)).and_then(|r| r.get(self.record_index(row)).copied());
        InputError(match (self.format, record) {
            (Format::Csv { .. }, Some((line, fields))) if fields != self.header.len() => format!(
                "{}:{line}: expected {} fields as in the header line, found {fields}",
                self.display,
                self.header.len()
            ),
            (Format::Csv { .. }, Some((line, _))) => {
                format!("{}:{line}:{col_no}: column '{column}': {message}", self.display)
            }
            _ => format!("{} row {}: column '{column}': {message}", self.display, row + 1),
        })
    }

    /// Whether a CSV row has all the header's fields (an empty last field is then a
    /// real empty value, not a missing one).
    pub fn row_is_complete(&self, row: usize) -> bool {
        let k = self.record_index(row);
        match self.scan_records(k) {
            Some(r) => r.get(k).is_some_and(|&(_, fields)| fields == self.header.len()),
            None => true,
        }
    }

    /// A column as text (numbers and booleans in Parquet are cast). `None` if absent.
    pub fn text(&self, name: &str) -> Result<Option<StringChunked>, InputError> {
        let Ok(col) = self.df.column(name) else {
            return Ok(None);
        };
        let col = if col.dtype() == &DataType::String {
            col.clone()
        } else {
            col.cast(&DataType::String).map_err(|e| {
                InputError(format!(
                    "{}: column '{name}': cannot read as text: {}",
                    self.display,
                    first_line(&e.to_string())
                ))
            })?
        };
        Ok(Some(col.str().expect("string column").clone()))
    }

    /// A time column in its stored representation. `None` if absent.
    pub fn time(&self, name: &str) -> Result<Option<TimeColumn>, InputError> {
        let Ok(col) = self.df.column(name) else {
            return Ok(None);
        };
        Ok(Some(match col.dtype() {
            DataType::Datetime(unit, zone) => {
                let per_second = match unit {
                    TimeUnit::Nanoseconds => 1_000_000_000,
                    TimeUnit::Microseconds => 1_000_000,
                    TimeUnit::Milliseconds => 1_000,
                };
                let values = col.datetime().expect("datetime").physical().clone();
                TimeColumn::Timestamps { values, per_second, zoned: zone.is_some() }
            }
            DataType::Date => TimeColumn::Dates(col.date().expect("date").physical().clone()),
            _ => TimeColumn::Text(self.text(name)?.expect("present")),
        }))
    }
}

impl TimeColumn {
    /// Iterates cells as raw values: text, or already-decoded time cells.
    pub fn cells<'a>(&'a self, naive_tz: Tz) -> Box<dyn Iterator<Item = RawTime<'a>> + 'a> {
        match self {
            TimeColumn::Text(ca) => Box::new(ca.iter().map(|v| match v.map(str::trim) {
                None | Some("") => RawTime::Empty,
                Some(s) => RawTime::Text(s),
            })),
            TimeColumn::Timestamps { values, per_second, zoned } => {
                let (per_second, zoned) = (*per_second, *zoned);
                Box::new(values.iter().map(move |v| match v {
                    None => RawTime::Empty,
                    Some(v) => {
                        let secs = v.div_euclid(per_second);
                        if zoned {
                            RawTime::Cell(Ok(TimeCell::Instant(secs)))
                        } else {
                            RawTime::Cell(resolve_naive_seconds(secs, naive_tz).map(TimeCell::Instant))
                        }
                    }
                }))
            }
            TimeColumn::Dates(days) => Box::new(days.iter().map(|v| {
                match v {
                    None => RawTime::Empty,
                    Some(d) => RawTime::Cell(
                        d.checked_add(719_163)
                            .and_then(chrono::NaiveDate::from_num_days_from_ce_opt)
                            .map(TimeCell::Date)
                            .ok_or_else(|| TimeError::MalformedDate(format!("day {d} after 1970-01-01"))),
                    ),
                }
            })),
        }
    }
}

pub enum RawTime<'a> {
    Empty,
    Text(&'a str),
    Cell(Result<TimeCell, TimeError>),
}

/// The first record whose field count differs from the header's: (line, fields).
fn blank_rows(df: &DataFrame) -> Vec<bool> {
    let mut blank = vec![true; df.height()];
    for col in df.columns() {
        match col.str() {
            Ok(ca) => {
                for (b, v) in blank.iter_mut().zip(ca.iter()) {
                    *b &= v.is_none_or(|s| s.trim().is_empty());
                }
            }
            Err(_) => {
                for (b, null) in blank.iter_mut().zip(col.is_null().iter()) {
                    *b &= null.unwrap_or(true);
                }
            }
        }
    }
    blank
}

fn record_reader(path: &Path, gzip: bool) -> Option<csv::Reader<Box<dyn Read>>> {
    Some(
        csv::ReaderBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(open_text(path, gzip).ok()?),
    )
}

/// The first record whose field count differs from the header's: (line, fields).
fn ragged_row(path: &Path, gzip: bool, fields: usize) -> Option<(u64, usize)> {
    let mut rdr = record_reader(path, gzip)?;
    let mut rec = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec).ok()? {
        if rec.len() != fields {
            return Some((rec.position().map_or(0, |p| p.line()), rec.len()));
        }
    }
    None
}

/// The line of the first byte that is not UTF-8.
fn bad_utf8_line(path: &Path, gzip: bool) -> Option<u64> {
    let mut bytes = Vec::new();
    open_text(path, gzip).ok()?.read_to_end(&mut bytes).ok()?;
    let bad = std::str::from_utf8(&bytes).err()?.valid_up_to();
    Some(bytes[..bad].iter().filter(|&&b| b == b'\n').count() as u64 + 1)
}

fn dedup_wanted(header: &[String], wanted: &[&str]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for w in wanted {
        if header.iter().any(|h| h == w) && !cols.iter().any(|c| c == w) {
            cols.push(w.to_string());
        }
    }
    cols
}
