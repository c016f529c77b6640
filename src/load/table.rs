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

use crate::config::Mapping;
use crate::core::interval::Instant;
use crate::core::time::{
    Stamp, TimeError, parse_date_or_instant, parse_formatted, parse_instant, resolve_naive_seconds, start_of_local_day,
};

/// A bad input, always one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv { gzip: bool },
    Parquet,
}

impl Format {
    pub(crate) fn of(path: &Path) -> Option<Format> {
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
pub(crate) enum TimeColumn {
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
pub(crate) enum TimeCell {
    Instant(Instant),
    Date(chrono::NaiveDate),
}

pub(crate) struct Table {
    pub(crate) display: String,
    path: PathBuf,
    format: Format,
    header: Vec<String>,
    /// Each loaded column's canonical name and its index in the header.
    positions: Vec<(&'static str, usize)>,
    /// How the file's columns and values become canonical (header names, value maps,
    /// constants, the format and zone of its instants).
    mapping: Mapping,
    df: DataFrame,
    /// Rows whose loaded cells are all empty (blank lines): readers skip them. Found on
    /// first need (a reader of checks asks only about rows that fail).
    blank: std::sync::OnceLock<Vec<bool>>,
    /// The file's rows before this table's first (a table may be one batch of a file),
    /// and how many of them are blank.
    row_offset: usize,
    blank_before: usize,
    /// Line and field count of every CSV record of the file, read on first need (shared
    /// by the batches of a file).
    records: Records,
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

fn open_text(path: &Path, gzip: bool) -> std::io::Result<Box<dyn Read>> {
    let f = std::fs::File::open(path)?;
    Ok(if gzip { Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(f))) } else { Box::new(BufReader::new(f)) })
}

pub(crate) use crate::common::{clip, quote};

/// A header cell as matched against column names: no BOM, no surrounding spaces, any case.
fn header_key(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// The header, as shown in an error: cells joined, clipped.
fn show_header(header: &[String]) -> String {
    clip(&header.join(", "))
}

/// A column as named in messages: `'status'`, or `'Status' (status)` when the mapping
/// gives it another header name (`header` is that name as the file or the config has it).
fn column_label(canonical: &str, header: Option<&str>) -> String {
    match header {
        Some(h) if h != canonical => format!("'{}' ({canonical})", clip(h)),
        _ => format!("'{canonical}'"),
    }
}

/// Where each wanted column is in the header (by [`header_key`]), under the header name
/// the mapping gives it, if any; constants are not looked for. Fails naming every
/// missing required column, and a wanted column given twice. A required `end` is also
/// satisfied by a `duration_seconds` column or constant (end = start + duration).
fn locate_columns(
    display: &str,
    at: &str,
    header: &[String],
    wanted: &[&'static str],
    required: &[&'static str],
    mapping: &Mapping,
) -> Result<Vec<(usize, &'static str)>, InputError> {
    let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
    // Header names that a mapping claims are not found again under a canonical name.
    let claimed: Vec<String> = mapping.columns.values().map(|h| header_key(h)).collect();
    let mut found = Vec::new();
    for w in wanted {
        if mapping.constants.contains_key(*w) {
            continue;
        }
        let mapped = mapping.columns.get(*w);
        let target = mapped.map_or_else(|| w.to_string(), |h| header_key(h));
        let hits: Vec<usize> = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| **k == target && (mapped.is_some() || !claimed.contains(k)))
            .map(|(i, _)| i)
            .collect();
        match hits.as_slice() {
            [] => {}
            [i] => found.push((*i, *w)),
            [a, b, ..] => {
                return Err(InputError(format!(
                    "{display}{at}: column {} appears twice in the header (columns {} and {})",
                    column_label(w, mapped.map(String::as_str)),
                    a + 1,
                    b + 1
                )));
            }
        }
    }
    let present = |c: &str| found.iter().any(|(_, f)| *f == c) || mapping.constants.contains_key(c);
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|r| !present(r))
        .filter(|r| !(*r == "end" && wanted.contains(&"duration_seconds") && present("duration_seconds")))
        .collect();
    if !missing.is_empty() {
        let names = missing
            .iter()
            .map(|m| {
                let name = column_label(m, mapping.columns.get(*m).map(String::as_str));
                if *m == "end" && wanted.contains(&"duration_seconds") {
                    format!("{name} (or 'duration_seconds')")
                } else {
                    name
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let plural = if missing.len() == 1 { "column" } else { "columns" };
        let shown = if header.iter().all(|h| h.trim().is_empty()) {
            "the header line is empty".to_string()
        } else {
            format!("the header has: {}", show_header(header))
        };
        let hint = match header {
            [one] if one.contains(';') => "; the file looks separated by ';', slareport reads comma-separated files",
            [one] if one.contains('\t') => "; the file looks tab-separated, slareport reads comma-separated files",
            _ => "",
        };
        return Err(InputError(format!("{display}{at}: missing {plural} {names} ({shown}){hint}")));
    }
    Ok(found)
}

/// Why a Parquet column type cannot be read, in words; `None` for the types a loader
/// reads: text, numbers, decimals, booleans, dates and timestamps.
fn unreadable_parquet_type(dt: &ArrowDataType) -> Option<&'static str> {
    use ArrowDataType as A;
    match dt {
        A::Null
        | A::Boolean
        | A::Int8
        | A::Int16
        | A::Int32
        | A::Int64
        | A::UInt8
        | A::UInt16
        | A::UInt32
        | A::UInt64
        | A::Float32
        | A::Float64
        | A::Utf8
        | A::LargeUtf8
        | A::Utf8View
        | A::Date32
        | A::Timestamp(_, _) => None,
        A::Decimal(p, _) | A::Decimal32(p, _) | A::Decimal64(p, _) if *p <= 38 => None,
        A::Decimal(_, _) | A::Decimal32(_, _) | A::Decimal64(_, _) => Some("decimals of more than 38 digits"),
        A::Dictionary(_, values, _) if matches!(values.as_ref(), A::Utf8 | A::LargeUtf8 | A::Utf8View) => None,
        A::Dictionary(_, _, _) => Some("dictionary values that are not text"),
        A::List(_) | A::LargeList(_) | A::FixedSizeList(_, _) => Some("lists"),
        A::Struct(_) => Some("structs"),
        A::Map(_, _) => Some("maps"),
        A::Binary | A::LargeBinary | A::BinaryView | A::FixedSizeBinary(_) => Some("binary values"),
        A::Time32(_) | A::Time64(_) => Some("times of day"),
        A::Duration(_) => Some("durations"),
        A::Interval(_) => Some("intervals"),
        A::Date64 => Some("64-bit dates"),
        A::Float16 => Some("16-bit floats"),
        A::Decimal256(_, _) => Some("256-bit decimals"),
        A::Union(_) => Some("unions"),
        _ => Some("an unsupported type"),
    }
}

/// (line, number of fields) of every CSV record of a file, read on first need and shared
/// by the file's batches.
type Records = Arc<std::sync::OnceLock<Option<Vec<(u64, usize)>>>>;

/// Bytes of CSV text read per batch; a record never straddles two batches.
const BLOCK_BYTES: usize = 24 << 20;
/// Rows of Parquet read per batch, in whole row groups.
const PARQUET_BATCH_ROWS: usize = 1 << 20;

/// A batch size, overridden in test builds by the environment variable `var` (so tests
/// cross batch boundaries with small files).
pub(crate) fn batch_size(default: usize, var: &str) -> usize {
    #[cfg(feature = "fault-injection")]
    if let Some(n) = std::env::var(var).ok().and_then(|v| v.parse::<usize>().ok()) {
        return n.max(1);
    }
    let _ = var;
    default
}

/// The batches of a CSV file: one thread reads, hashes and splits the text into blocks
/// (parsing those that are not plain with polars) while this one hands them to `each`; a
/// block of at most 24 MiB waits in between. Returns the file's SHA-256.
fn read_csv_batches(
    layout: &Layout,
    gzip: bool,
    mut each: impl FnMut(Batch) -> Result<(), InputError>,
) -> Result<String, InputError> {
    let file = std::fs::File::open(&layout.path).map_err(|e| layout.fail(format!("cannot read: {e}")))?;
    let size = file.metadata().map_or(0, |m| m.len());
    let bar = crate::progress::bar(&short_name(&layout.display), size, true);
    let hashed = Hashing::new(file);
    let read = hashed.count.clone();
    let records: Records = Arc::new(std::sync::OnceLock::new());
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Piece, InputError>>(1);
        let producer = scope.spawn(move || read_pieces(layout, gzip, hashed, tx));
        // The csv crate's records (non-empty lines) before the next block: where a frame's
        // rows are in the file.
        let (mut rows, mut records_before) = (0u64, 0usize);
        for piece in rx {
            let n = match piece? {
                Piece::Frame(df) => {
                    let table = layout.table(df, records_before, 0, records.clone());
                    each(Batch::Frame(&table))?;
                    let blanks = table.blank().iter().filter(|&&b| b).count();
                    records_before += table.len() - blanks;
                    table.len()
                }
                Piece::Text { block, first_line, first, records } => {
                    // The header line is not a row.
                    let (text, first_line, lines) = match (first, block.find('\n')) {
                        (true, Some(nl)) => (&block[nl + 1..], first_line + 1, records.saturating_sub(1)),
                        (true, None) => ("", first_line + 1, 0),
                        (false, _) => (block.as_str(), first_line, records),
                    };
                    each(Batch::Text(&TextBlock { text, first_line, layout }))?;
                    records_before += lines;
                    lines
                }
            };
            rows += n as u64;
            bar.set(read.load(std::sync::atomic::Ordering::Relaxed));
            bar.message(format!("{rows} rows"));
        }
        bar.done();
        match producer.join() {
            Ok(Ok(Some(digest))) => Ok(digest),
            Ok(Ok(None)) => Err(layout.fail("cannot read: the reader stopped".into())),
            Ok(Err(e)) => Err(e),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// The reading thread of [`read_csv_batches`]: blocks of whole records to `tx`, plain text as
/// it is, the rest parsed by polars. `Ok(None)` when it stopped at a problem (sent) or
/// because the receiver stopped; else the file's digest.
fn read_pieces(
    layout: &Layout,
    gzip: bool,
    mut hashed: Hashing,
    tx: std::sync::mpsc::SyncSender<Result<Piece, InputError>>,
) -> Result<Option<String>, InputError> {
    let plain = layout.mapping.constants.is_empty() && layout.mapping.values.is_empty();
    let mut blocks = Blocks::default();
    {
        let mut text: Box<dyn Read + '_> = if gzip {
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, &mut hashed)))
        } else {
            Box::new(&mut hashed)
        };
        let what = if gzip { "cannot decompress" } else { "cannot read" };
        let mut line = 1u64;
        loop {
            let piece = match blocks.next(&mut text) {
                Ok(None) => break,
                Ok(Some(block)) => {
                    let first = blocks.count == 1;
                    let first_line = line;
                    line += memchr::memchr_iter(b'\n', &block).count() as u64;
                    // UTF-8 is checked once, here (the String keeps the bytes).
                    // A first line that is empty is not the header (the csv crate skips it): polars then.
                    let header_first = !(first && (block.starts_with(b"\n") || block.starts_with(b"\r\n")));
                    match TextBlock::records(&block, layout.header.len()).filter(|_| plain && header_first) {
                        Some(records) => match String::from_utf8(block) {
                            Ok(block) => Ok(Piece::Text { block, first_line, first, records }),
                            Err(e) => layout.csv_frame(Some(e.into_bytes()), first).map(Piece::Frame),
                        },
                        None => layout.csv_frame(Some(block), first).map(Piece::Frame),
                    }
                }
                Err(e) => Err(layout.fail(format!("{what}: {}", first_line(&e.to_string())))),
            };
            let failed = piece.is_err();
            // A closed channel: the reader stopped at a problem.
            if tx.send(piece).is_err() || failed {
                return Ok(None);
            }
        }
    }
    hashed.finish().map(Some).map_err(|e| layout.fail(format!("cannot read: {e}")))
}

/// The batches of a Parquet file, in whole row groups: one thread decodes the next batch
/// while this one hands the last to `each`, another takes the file's SHA-256.
fn read_parquet_batches(
    layout: &Layout,
    mut each: impl FnMut(Batch) -> Result<(), InputError>,
) -> Result<String, InputError> {
    let records: Records = Arc::new(std::sync::OnceLock::new());
    std::thread::scope(|scope| {
        let digest = scope.spawn(|| super::sha256_file(&layout.path));
        let batches = layout.parquet_batches()?;
        let total = batches.iter().map(|b| b.1 as u64).sum();
        let bar = crate::progress::bar(&short_name(&layout.display), total, false);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<(DataFrame, usize), InputError>>(1);
        scope.spawn(move || {
            for (offset, len) in batches {
                let frame = layout.parquet_frame(Some((offset, len))).map(|df| (df, len));
                let failed = frame.is_err();
                // A closed channel: the reader stopped at a problem.
                if tx.send(frame).is_err() || failed {
                    return;
                }
            }
        });
        let mut row_offset = 0;
        for frame in rx {
            let (df, len) = frame?;
            let table = layout.table(df, row_offset, 0, records.clone());
            each(Batch::Frame(&table))?;
            row_offset += table.len();
            bar.inc(len as u64);
        }
        bar.done();
        digest
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the digest failed")))
            .map_err(|e| layout.fail(format!("cannot read: {e}")))
    })
}

/// What the reading thread hands over: a parsed frame, or a block of plain text.
enum Piece {
    Frame(DataFrame),
    /// Whole lines of plain CSV; `records`: its non-empty lines (the header among them
    /// in the first block).
    Text {
        block: String,
        first_line: u64,
        first: bool,
        records: usize,
    },
}

/// One batch of a file's rows: a frame parsed by polars, or a block of plain CSV text
/// read directly (see [`TextBlock`]).
pub(crate) enum Batch<'a> {
    Frame(&'a Table),
    Text(&'a TextBlock<'a>),
}

/// A block of whole CSV lines with no quote character, every line either empty or with
/// exactly the header's number of fields, valid UTF-8, and no carriage return but at a
/// line's end: its cells are the text between commas, read without a dataframe (the
/// common case of a machine export). Any other block is parsed by polars.
pub(crate) struct TextBlock<'a> {
    text: &'a str,
    /// The file's line number of the first line of `text`.
    first_line: u64,
    layout: &'a Layout,
}

impl<'a> TextBlock<'a> {
    /// Whether `text` (whole lines) qualifies; `fields` is the header's number of fields.
    /// The number of its records (non-empty lines) when it qualifies.
    fn records(text: &[u8], fields: usize) -> Option<usize> {
        if memchr::memchr(b'"', text).is_some() {
            return None;
        }
        let mut commas = 0usize;
        let mut line_start = 0usize;
        let mut records = 0usize;
        for i in memchr::memchr3_iter(b',', b'\n', b'\r', text) {
            match text[i] {
                b',' => commas += 1,
                b'\r' => {
                    if text.get(i + 1) != Some(&b'\n') {
                        return None;
                    }
                }
                _ => {
                    let line = &text[line_start..i];
                    if !(line.is_empty() || line == b"\r") {
                        if commas + 1 != fields {
                            return None;
                        }
                        records += 1;
                    }
                    commas = 0;
                    line_start = i + 1;
                }
            }
        }
        // A last line without a line end.
        match line_start == text.len() {
            true => Some(records),
            false if commas + 1 == fields => Some(records + 1),
            false => None,
        }
    }

    /// Calls `each` with every non-empty line's number and its wanted cells (in the order
    /// of the layout's columns, `None` for a column not in the file).
    pub(crate) fn rows(
        &self,
        wanted: &[&'static str],
        mut each: impl FnMut(u64, &[Option<&'a str>]) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let positions: Vec<Option<usize>> =
            wanted.iter().map(|w| self.layout.columns.iter().find(|(_, c)| c == w).map(|(i, _)| *i)).collect();
        let mut fields: Vec<&'a str> = Vec::with_capacity(self.layout.header.len());
        let mut cells: Vec<Option<&'a str>> = vec![None; wanted.len()];
        let text: &'a str = self.text;
        for (k, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            fields.clear();
            fields.extend(line.split(','));
            for (cell, pos) in cells.iter_mut().zip(&positions) {
                *cell = pos.and_then(|p| fields.get(p).copied());
            }
            each(self.first_line + k as u64, &cells)?;
        }
        Ok(())
    }

    /// An error at a cell, worded as [`Table::error_at`] words it for CSV.
    pub(crate) fn error_at(&self, line: u64, column: &str, message: impl std::fmt::Display) -> InputError {
        let l = self.layout;
        let index = l.columns.iter().find(|(_, c)| *c == column).map(|(i, _)| *i);
        let shown = index.and_then(|i| l.header.get(i)).map(|h| h.trim_start_matches('\u{feff}').trim());
        let label = column_label(column, shown.filter(|_| l.mapping.columns.contains_key(column)));
        match index {
            Some(i) => InputError(format!("{}:{line}:{}: column {label}: {message}", l.display, i + 1)),
            None => InputError(format!("{}:{line}: column {label}: {message}", l.display)),
        }
    }

    /// An instant written in this file (its `timestamp_format`, else the canonical forms).
    pub(crate) fn parse_instant(&self, s: &str, tz: Tz) -> Result<Instant, TimeError> {
        parse_with(&self.layout.mapping, s, tz)
    }

    pub(crate) fn timestamp_format(&self) -> Option<&crate::core::time::InstantFormat> {
        self.layout.mapping.timestamp_format.as_ref()
    }
}

/// An instant as a file with `mapping` writes it.
fn parse_with(mapping: &Mapping, s: &str, tz: Tz) -> Result<Instant, TimeError> {
    match &mapping.timestamp_format {
        None => parse_instant(s, tz),
        Some(f) => match parse_formatted(s, f, tz)? {
            Stamp::Instant(i) => Ok(i),
            Stamp::Date(d) => Ok(start_of_local_day(d, tz)),
        },
    }
}

/// A file's format, header and the columns to read, known before any data is read.
struct Layout {
    display: String,
    path: PathBuf,
    format: Format,
    header: Vec<String>,
    columns: Vec<(usize, &'static str)>,
    mapping: Mapping,
}

impl Layout {
    fn fail(&self, m: String) -> InputError {
        InputError(format!("{}: {m}", self.display))
    }

    fn open(
        path: &Path,
        display: &str,
        wanted: &[&'static str],
        required: &[&'static str],
        mapping: &Mapping,
    ) -> Result<Layout, InputError> {
        let fail = |m: String| InputError(format!("{display}: {m}"));
        let format =
            Format::of(path).ok_or_else(|| fail("unknown file type, expected .csv, .csv.gz or .parquet".into()))?;
        super::reading(display);
        let (header, columns) = match format {
            Format::Csv { gzip } => {
                let mut rdr = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(open_text(path, gzip).map_err(|e| fail(format!("cannot read: {e}")))?);
                let mut first = csv::ByteRecord::new();
                let has_header = rdr.read_byte_record(&mut first).map_err(|e| match e.kind() {
                    csv::ErrorKind::Io(io) => fail(format!("cannot read: {}", first_line(&io.to_string()))),
                    _ => fail(format!("cannot read the header line: {}", first_line(&e.to_string()))),
                })?;
                if !has_header {
                    let names: Vec<&str> = required
                        .iter()
                        .filter(|c| !mapping.constants.contains_key(**c))
                        .map(|c| mapping.columns.get(*c).map_or(*c, String::as_str))
                        .collect();
                    return Err(fail(format!(
                        "the file is empty, expected a header line with the columns {}",
                        clip(&names.join(", "))
                    )));
                }
                let header: Vec<String> = match std::str::from_utf8(first.as_slice()) {
                    Ok(_) => first.iter().map(|h| String::from_utf8_lossy(h).into_owned()).collect(),
                    Err(_) => return Err(InputError(format!("{display}:1: not UTF-8 text (save the file as UTF-8)"))),
                };
                let columns = locate_columns(display, ":1", &header, wanted, required, mapping)?;
                (header, columns)
            }
            Format::Parquet => {
                let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read: {e}")))?;
                check_parquet_frame(&file).map_err(fail)?;
                let mut reader = ParquetReader::new(file);
                let schema = quiet_catch(|| reader.schema().map_err(|e| e.to_string()))
                    .map_err(|e| fail(format!("cannot read Parquet: {}", clip(&first_line(&e)))))?;
                let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
                let columns = locate_columns(display, "", &header, wanted, required, mapping)?;
                for (i, name) in &columns {
                    let dt = &schema.get_at_index(*i).expect("index of the schema").1.dtype;
                    if let Some(what) = unreadable_parquet_type(dt) {
                        return Err(fail(format!(
                            "column {}: a Parquet column of {what} cannot be read, expected text, a number, a boolean, a date or a timestamp",
                            column_label(name, Some(&header[*i]))
                        )));
                    }
                }
                (header, columns)
            }
        };
        Ok(Layout {
            display: display.to_string(),
            path: path.to_path_buf(),
            format,
            header,
            columns,
            mapping: mapping.clone(),
        })
    }

    /// CSV text as a frame of the wanted columns, all as text: the whole file (`bytes`
    /// `None` reads the path), or a block of whole records (`has_header`: the first).
    fn csv_frame(&self, bytes: Option<Vec<u8>>, has_header: bool) -> Result<DataFrame, InputError> {
        let gzip = self.format == Format::Csv { gzip: true };
        let (path, display) = (&self.path, &self.display);
        // Positional names: the header's own names may repeat or be empty.
        let schema: Schema =
            (0..self.header.len()).map(|i| Field::new(format!("c{i}").into(), DataType::String)).collect();
        let projection: Vec<usize> = self.columns.iter().map(|(i, _)| *i).collect();
        let options = CsvReadOptions::default()
            .with_has_header(has_header)
            .with_schema(Some(Arc::new(schema)))
            .with_projection(Some(Arc::new(projection)))
            .with_raise_if_empty(false);
        let mut df = quiet_catch(|| {
            match bytes {
                Some(b) => options.into_reader_with_file_handle(std::io::Cursor::new(b)).finish(),
                None => options.try_into_reader_with_file_path(Some(path.to_path_buf())).and_then(|r| r.finish()),
            }
            .map_err(|e| e.to_string())
        })
        .map_err(|e| match ragged_row(path, gzip, self.header.len(), display) {
            Some(err) => err,
            None => match bad_utf8_cell(path, gzip) {
                Some((line, 0)) => InputError(format!("{display}:{line}: not UTF-8 text (save the file as UTF-8)")),
                Some((line, col)) => {
                    InputError(format!("{display}:{line}:{col}: not UTF-8 text (save the file as UTF-8)"))
                }
                None => self.fail(format!("cannot read CSV: {}", clip(&first_line(&e)))),
            },
        })?;
        // polars returns projected columns in file order: name each by its position.
        let names = canonical_names(&df, &self.columns, |n| n.strip_prefix('c').and_then(|i| i.parse().ok()));
        df.set_column_names(&names)
            .map_err(|e| self.fail(format!("cannot read CSV: {}", first_line(&e.to_string()))))?;
        Ok(df)
    }

    /// The (first row, rows) of each batch of whole row groups.
    fn parquet_batches(&self) -> Result<Vec<(usize, usize)>, InputError> {
        let file = std::fs::File::open(&self.path).map_err(|e| self.fail(format!("cannot read: {e}")))?;
        let mut reader = ParquetReader::new(file);
        let groups: Vec<usize> = quiet_catch(|| {
            reader
                .get_metadata()
                .map(|m| m.row_groups.iter().map(|g| g.num_rows()).collect())
                .map_err(|e| e.to_string())
        })
        .map_err(|m| self.fail(format!("cannot read Parquet: {}", clip(&first_line(&m)))))?;
        let batch_rows = batch_size(PARQUET_BATCH_ROWS, "SLAREPORT_TEST_BATCH_ROWS");
        let mut batches = Vec::new();
        let (mut start, mut len) = (0, 0);
        for rows in groups {
            len += rows;
            if len >= batch_rows {
                batches.push((start, len));
                start += len;
                len = 0;
            }
        }
        if len > 0 || batches.is_empty() {
            batches.push((start, len));
        }
        Ok(batches)
    }

    /// The wanted columns of a Parquet file, typed as stored: all rows, or a slice.
    fn parquet_frame(&self, slice: Option<(usize, usize)>) -> Result<DataFrame, InputError> {
        let file = std::fs::File::open(&self.path).map_err(|e| self.fail(format!("cannot read: {e}")))?;
        let selected: Vec<String> = self.columns.iter().map(|(i, _)| self.header[*i].clone()).collect();
        let reader = ParquetReader::new(file).with_columns(Some(selected)).with_slice(slice);
        let mut df = quiet_catch(|| reader.finish().map_err(|e| e.to_string()))
            .map_err(|m| self.fail(format!("cannot read Parquet: {}", clip(&first_line(&m)))))?;
        let names = canonical_names(&df, &self.columns, |n| self.header.iter().position(|h| h == n));
        df.set_column_names(&names)
            .map_err(|e| self.fail(format!("cannot read Parquet: {}", first_line(&e.to_string()))))?;
        Ok(df)
    }

    fn table(&self, df: DataFrame, row_offset: usize, blank_before: usize, records: Records) -> Table {
        Table {
            display: self.display.clone(),
            path: self.path.clone(),
            format: self.format,
            header: self.header.clone(),
            positions: self.columns.iter().map(|(i, n)| (*n, *i)).collect(),
            mapping: self.mapping.clone(),
            df,
            blank: std::sync::OnceLock::new(),
            row_offset,
            blank_before,
            records,
        }
    }
}

/// A cell without surrounding white space (the same fast path as instants).
pub(crate) use crate::core::time::trim;

/// A file's name as a progress bar's label: its last 12 characters.
fn short_name(display: &str) -> String {
    let name = Path::new(display).file_name().map_or(display.to_string(), |n| n.to_string_lossy().into_owned());
    let chars: Vec<char> = name.chars().collect();
    if chars.len() > 12 { format!("…{}", chars[chars.len() - 11..].iter().collect::<String>()) } else { name }
}

/// A reader that takes the SHA-256 of the bytes read through it.
struct Hashing {
    inner: std::fs::File,
    hash: sha2::Sha256,
    /// Bytes read so far (readable while a decoder holds the reader).
    count: Arc<std::sync::atomic::AtomicU64>,
}

impl Hashing {
    fn new(inner: std::fs::File) -> Hashing {
        Hashing { inner, hash: sha2::Digest::new(), count: Default::default() }
    }

    /// The digest of the whole file: bytes a decoder left unread are read here.
    fn finish(mut self) -> std::io::Result<String> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        Ok(hex::encode(sha2::Digest::finalize(self.hash)))
    }
}

impl Read for Hashing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        sha2::Digest::update(&mut self.hash, &buf[..n]);
        self.count.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Splits CSV text into blocks of whole records: each block ends after a line end that is
/// outside quotes (an even number of `"` before it, counted from the file's start).
#[derive(Default)]
struct Blocks {
    /// Text read past the end of the last block.
    carry: Vec<u8>,
    /// Whether an odd number of quotes came before `carry`.
    odd: bool,
    done: bool,
    /// Blocks given out.
    count: usize,
}

impl Blocks {
    fn next(&mut self, text: &mut dyn Read) -> std::io::Result<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        let mut buf = std::mem::take(&mut self.carry);
        let block = batch_size(BLOCK_BYTES, "SLAREPORT_TEST_BLOCK_BYTES");
        let mut want = block;
        loop {
            let eof = fill(text, &mut buf, want)?;
            if eof {
                self.done = true;
                self.count += 1;
                return Ok((!buf.is_empty() || self.count == 1).then_some(buf));
            }
            if let Some(cut) = last_record_end(&buf, self.odd) {
                self.carry = buf.split_off(cut);
                self.odd ^= memchr::memchr_iter(b'"', &buf).count() % 2 == 1;
                self.count += 1;
                return Ok(Some(buf));
            }
            // One record longer than a block: read on.
            want = buf.len() + block;
        }
    }
}

/// Reads until `buf` holds `len` bytes; `true` at the end of the text.
fn fill(text: &mut dyn Read, buf: &mut Vec<u8>, len: usize) -> std::io::Result<bool> {
    while buf.len() < len {
        let have = buf.len();
        buf.resize(len, 0);
        match text.read(&mut buf[have..]) {
            Ok(0) => {
                buf.truncate(have);
                return Ok(true);
            }
            Ok(n) => buf.truncate(have + n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(have),
            Err(e) => {
                buf.truncate(have);
                return Err(e);
            }
        }
    }
    Ok(false)
}

/// The index just after the last `\n` of `buf` outside quotes (`odd`: the text before
/// `buf` left a quote open).
fn last_record_end(buf: &[u8], odd: bool) -> Option<usize> {
    let mut quotes_after = 0usize;
    let total = memchr::memchr_iter(b'"', buf).count();
    for i in memchr::memchr2_iter(b'\n', b'"', buf).rev() {
        if buf[i] == b'"' {
            quotes_after += 1;
        } else if ((total - quotes_after) % 2 == 1) == odd {
            return Some(i + 1);
        }
    }
    None
}

impl Table {
    /// Reads the columns of `wanted` (canonical names) that the file has (others are
    /// ignored), matching header names ignoring case, surrounding spaces and a BOM, under
    /// the names `mapping` gives them; columns the mapping makes constant are not read.
    /// Fails, before reading any data, naming every column of `required` the file lacks.
    pub(crate) fn read(
        path: &Path,
        display: &str,
        wanted: &[&'static str],
        required: &[&'static str],
        mapping: &Mapping,
    ) -> Result<Table, InputError> {
        let layout = Layout::open(path, display, wanted, required, mapping)?;
        let df = match layout.format {
            Format::Csv { gzip } => {
                let bytes = if gzip {
                    let mut bytes = Vec::new();
                    open_text(path, true)
                        .and_then(|mut r| r.read_to_end(&mut bytes))
                        .map_err(|e| layout.fail(format!("cannot decompress: {e}")))?;
                    Some(bytes)
                } else {
                    None
                };
                layout.csv_frame(bytes, true)?
            }
            Format::Parquet => layout.parquet_frame(None)?,
        };
        Ok(layout.table(df, 0, 0, Arc::new(std::sync::OnceLock::new())))
    }

    /// Reads a file in batches of rows, as [`Table::read`] reads it whole, calling `each`
    /// with each batch as a table whose errors name the file's own lines and rows:
    /// memory is one batch, whatever the file's size. Returns the SHA-256 of the file's
    /// bytes, taken while reading them.
    pub(crate) fn for_each_batch(
        path: &Path,
        display: &str,
        wanted: &[&'static str],
        required: &[&'static str],
        mapping: &Mapping,
        each: impl FnMut(Batch) -> Result<(), InputError>,
    ) -> Result<String, InputError> {
        let layout = Layout::open(path, display, wanted, required, mapping)?;
        match layout.format {
            Format::Csv { gzip } => read_csv_batches(&layout, gzip, each),
            Format::Parquet => read_parquet_batches(&layout, each),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.df.height()
    }

    /// Whether every loaded cell of the row is empty (a blank line).
    pub(crate) fn is_blank(&self, row: usize) -> bool {
        self.blank().get(row).copied().unwrap_or(false)
    }

    fn blank(&self) -> &[bool] {
        self.blank.get_or_init(|| blank_rows(&self.df))
    }

    /// The line on which each row starts (CSV), in one pass; `None` for Parquet.
    pub(crate) fn row_lines(&self) -> Option<Vec<u64>> {
        self.scan_lines(usize::MAX)
    }

    fn scan_lines(&self, upto: usize) -> Option<Vec<u64>> {
        let records = self.scan_records()?;
        // Align with the table's rows: blank lines are rows here but not records there.
        let mut lines = Vec::with_capacity(records.len());
        let mut next = records.iter().skip(self.row_offset - self.blank_before);
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
        self.row_offset + row
            - self.blank_before
            - self.blank()[..row.min(self.blank().len())].iter().filter(|&&b| b).count()
    }

    /// (line, number of fields) of every record, read as the `csv` crate sees them:
    /// blank lines skipped, `\n` or `\r\n` line ends. Read once, on the first need (an
    /// error, or the lines of outage rows), so many errors cost one pass.
    fn scan_records(&self) -> Option<&[(u64, usize)]> {
        self.records
            .get_or_init(|| {
                let Format::Csv { gzip } = self.format else {
                    return None;
                };
                let mut rdr = record_reader(&self.path, gzip)?;
                let mut rec = csv::ByteRecord::new();
                let mut out = Vec::new();
                while rdr.read_byte_record(&mut rec).ok()? {
                    out.push((rec.position().map_or(0, |p| p.line()), rec.len()));
                }
                Some(out)
            })
            .as_deref()
    }

    /// Where a row is: `file:line` for CSV, `file row N` for Parquet.
    pub(crate) fn locate(&self, row: usize, lines: Option<&[u64]>) -> String {
        let line = match lines {
            Some(l) => l.get(row).copied(),
            None => self.scan_lines(row).and_then(|l| l.get(row).copied()),
        };
        match line {
            Some(line) => format!("{}:{line}", self.display),
            None => format!("{} row {}", self.display, self.row_offset + row + 1),
        }
    }

    /// A column as named in messages: `'status'`, `'Status' (status)` when the file's
    /// header names it otherwise, `'status' (constant)` when the mapping fills it.
    pub(crate) fn label(&self, column: &str) -> String {
        if self.mapping.constants.contains_key(column) {
            return format!("'{column}' (constant)");
        }
        let header = self.positions.iter().find(|(n, _)| *n == column).and_then(|(_, i)| self.header.get(*i));
        let shown = header.map(|h| h.trim_start_matches('\u{feff}').trim());
        column_label(column, shown.filter(|_| self.mapping.columns.contains_key(column)))
    }

    /// An error at a cell: `file:line:column: column 'name': message` for CSV,
    /// `file row N: column 'name': message` for Parquet (the name as [`Table::label`]
    /// gives it; a constant has no column number). A CSV row with missing or extra
    /// fields is reported as such, whatever the cell.
    pub(crate) fn error_at(&self, row: usize, column: &str, message: impl std::fmt::Display) -> InputError {
        let col_no = self.positions.iter().find(|(n, _)| *n == column).map(|(_, i)| i + 1);
        let record = self.scan_records().and_then(|r| r.get(self.record_index(row)).copied());
        let label = self.label(column);
        InputError(match (self.format, record) {
            (Format::Csv { .. }, Some((line, fields))) if fields != self.header.len() => format!(
                "{}:{line}: expected {} fields as in the header line, found {fields}",
                self.display,
                self.header.len()
            ),
            (Format::Csv { .. }, Some((line, _))) => match col_no {
                Some(col) => format!("{}:{line}:{col}: column {label}: {message}", self.display),
                None => format!("{}:{line}: column {label}: {message}", self.display),
            },
            _ => format!("{} row {}: column {label}: {message}", self.display, self.row_offset + row + 1),
        })
    }

    /// Whether a CSV row has all the header's fields (an empty last field is then a
    /// real empty value, not a missing one).
    pub(crate) fn row_is_complete(&self, row: usize) -> bool {
        let k = self.record_index(row);
        match self.scan_records() {
            Some(r) => r.get(k).is_some_and(|&(_, fields)| fields == self.header.len()),
            None => true,
        }
    }

    /// A column as text (numbers, decimals and booleans in Parquet are cast; dates and
    /// timestamps are not text), with the mapping applied: a constant gives every row its
    /// value; a `values` map replaces each trimmed cell (an empty cell stays empty unless
    /// `""` is mapped) and a value it lacks is an error at that cell. `None` if absent.
    pub(crate) fn text(&self, name: &str) -> Result<Option<StringChunked>, InputError> {
        if let Some(v) = self.mapping.constants.get(name) {
            return Ok(Some(StringChunked::full(name.into(), v, self.len())));
        }
        let Some(ca) = self.stored_text(name)? else {
            return Ok(None);
        };
        let Some(map) = self.mapping.values.get(name) else {
            return Ok(Some(ca));
        };
        let mut mapped: Vec<Option<&str>> = Vec::with_capacity(ca.len());
        for (row, cell) in ca.iter().enumerate() {
            let trimmed = cell.map_or("", str::trim);
            mapped.push(match map.get(trimmed) {
                Some(v) => Some(v.as_str()),
                None if trimmed.is_empty() => cell,
                None => {
                    let keys: Vec<String> =
                        map.keys().map(|k| if k.is_empty() { "\"\"".to_string() } else { clip(k) }).collect();
                    return Err(self.error_at(
                        row,
                        name,
                        format!(
                            "value {} has no mapping in values.{name} (mapped: {})",
                            quote(trimmed),
                            clip(&keys.join(", "))
                        ),
                    ));
                }
            });
        }
        Ok(Some(mapped.into_iter().collect::<StringChunked>().with_name(name.into())))
    }

    /// A column as the file stores it, as text. `None` if absent.
    fn stored_text(&self, name: &str) -> Result<Option<StringChunked>, InputError> {
        let Ok(col) = self.df.column(name) else {
            return Ok(None);
        };
        let fail = |m: String| InputError(format!("{}: column {}: {m}", self.display, self.label(name)));
        if col.dtype().is_temporal() {
            return Err(fail(format!("expected text, found a column of {}", col.dtype())));
        }
        let col = if col.dtype() == &DataType::String {
            col.clone()
        } else {
            quiet_catch(|| col.cast(&DataType::String).map_err(|e| e.to_string()))
                .map_err(|e| fail(format!("cannot read as text: {}", clip(&first_line(&e)))))?
        };
        col.str()
            .cloned()
            .map(Some)
            .map_err(|e| fail(format!("cannot read as text: {}", clip(&first_line(&e.to_string())))))
    }

    /// How this file writes its instants, when not in the canonical forms.
    pub(crate) fn timestamp_format(&self) -> Option<&crate::core::time::InstantFormat> {
        self.mapping.timestamp_format.as_ref()
    }

    /// An instant written as text in this file: in its `timestamp_format` when it has one
    /// (a date alone is local midnight in `tz`), else in the canonical forms; naive
    /// times are read in `tz`, the file's zone.
    pub(crate) fn parse_instant(&self, s: &str, tz: Tz) -> Result<Instant, TimeError> {
        parse_with(&self.mapping, s, tz)
    }

    /// A contract date or instant written as text in this file: a date alone is local
    /// midnight in `date_tz` (the customer's zone), naive times are read in `tz`.
    pub(crate) fn parse_date_or_instant(&self, s: &str, tz: Tz, date_tz: Tz) -> Result<Instant, TimeError> {
        match &self.mapping.timestamp_format {
            None => parse_date_or_instant(s, tz, date_tz),
            Some(f) => match parse_formatted(s, f, tz)? {
                Stamp::Instant(i) => Ok(i),
                Stamp::Date(d) => Ok(start_of_local_day(d, date_tz)),
            },
        }
    }

    /// A time column in its stored representation. `None` if absent.
    pub(crate) fn time(&self, name: &str) -> Result<Option<TimeColumn>, InputError> {
        if self.mapping.constants.contains_key(name) {
            return Ok(self.text(name)?.map(TimeColumn::Text));
        }
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
            dt if dt.is_temporal() => {
                return Err(InputError(format!(
                    "{}: column {}: expected a date or a timestamp, found a column of {dt}",
                    self.display,
                    self.label(name)
                )));
            }
            _ => TimeColumn::Text(self.text(name)?.expect("present")),
        }))
    }
}

impl TimeColumn {
    /// Iterates cells as raw values: text, or already-decoded time cells.
    pub(crate) fn cells<'a>(&'a self, naive_tz: Tz) -> Box<dyn Iterator<Item = RawTime<'a>> + 'a> {
        match self {
            TimeColumn::Text(ca) => Box::new(ca.iter().map(|v| match v.map(trim) {
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

pub(crate) enum RawTime<'a> {
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
                    *b &= v.is_none_or(|s| trim(s).is_empty());
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

/// The first record whose field count differs from the header's, as an error: an
/// unclosed quote (the last record swallowing line ends) is named as such.
fn ragged_row(path: &Path, gzip: bool, fields: usize, display: &str) -> Option<InputError> {
    let mut rdr = record_reader(path, gzip)?;
    let mut rec = csv::ByteRecord::new();
    let mut found: Option<(u64, usize, bool)> = None;
    while rdr.read_byte_record(&mut rec).ok()? {
        if found.is_some() {
            // A later record exists: the ragged one was not swallowed by an open quote.
            break;
        }
        if rec.len() != fields {
            let multiline = rec.iter().any(|f| f.contains(&b'\n'));
            found = Some((rec.position().map_or(0, |p| p.line()), rec.len(), multiline));
        }
    }
    let (line, n, multiline) = found?;
    let at_end = rdr.is_done();
    Some(InputError(if multiline && at_end {
        format!(
            "{display}:{line}: a quote opened in this record is never closed (the rest of the file became one value)"
        )
    } else {
        format!("{display}:{line}: expected {fields} fields as in the header line, found {n}")
    }))
}

/// The line and column of the first cell that is not UTF-8.
fn bad_utf8_cell(path: &Path, gzip: bool) -> Option<(u64, usize)> {
    let mut bytes = Vec::new();
    open_text(path, gzip).ok()?.read_to_end(&mut bytes).ok()?;
    let bad = std::str::from_utf8(&bytes).err()?.valid_up_to();
    let line = bytes[..bad].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(bytes.as_slice());
    let mut rec = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec).unwrap_or(false) {
        if let Some(col) = rec.iter().position(|f| std::str::from_utf8(f).is_err()) {
            return Some((rec.position().map_or(line, |p| p.line()), col + 1));
        }
    }
    Some((line, 0))
}

/// The canonical names of a frame's columns, whatever order polars returned them in:
/// `index_of` gives a column's index in the header from its name in the frame.
fn canonical_names(
    df: &DataFrame,
    columns: &[(usize, &'static str)],
    index_of: impl Fn(&str) -> Option<usize>,
) -> Vec<PlSmallStr> {
    df.get_column_names()
        .iter()
        .map(|n| {
            let at = index_of(n.as_str());
            let canonical = columns.iter().find(|(i, _)| Some(*i) == at).map_or(n.as_str(), |(_, c)| *c);
            PlSmallStr::from(canonical)
        })
        .collect()
}

/// The frame of a Parquet file: `PAR1` at both ends and a footer length that fits the
/// file, checked before polars reads the footer.
fn check_parquet_frame(file: &std::fs::File) -> Result<(), String> {
    use std::io::{Seek, SeekFrom};
    let mut f = file;
    let len = f.metadata().map_err(|e| format!("cannot read: {e}"))?.len();
    let damaged = |why: &str| Err(format!("not a Parquet file, or a damaged one ({why})"));
    if len == 0 {
        return Err("the file is empty, expected a Parquet file".into());
    }
    if len < 12 {
        return damaged("too short");
    }
    let mut head = [0u8; 4];
    let mut tail = [0u8; 8];
    f.seek(SeekFrom::Start(0)).and_then(|_| f.read_exact(&mut head)).map_err(|e| format!("cannot read: {e}"))?;
    f.seek(SeekFrom::End(-8)).and_then(|_| f.read_exact(&mut tail)).map_err(|e| format!("cannot read: {e}"))?;
    f.seek(SeekFrom::Start(0)).map_err(|e| format!("cannot read: {e}"))?;
    if &head != b"PAR1" || &tail[4..] != b"PAR1" {
        return damaged("no PAR1 marker");
    }
    let footer = u32::from_le_bytes(tail[..4].try_into().expect("4 bytes")) as u64;
    if footer + 12 > len {
        return damaged("its footer is longer than the file");
    }
    Ok(())
}

/// Runs a reader at the point where a file's bytes are first parsed, turning a panic of
/// polars' decoders on a corrupt file into an error for that file (the panic hook is
/// silenced meanwhile).
pub(crate) fn quiet_catch<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    use std::sync::Mutex;
    static HOOK: Mutex<()> = Mutex::new(());
    let _guard = HOOK.lock().unwrap_or_else(|p| p.into_inner());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    match result {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the reader failed".to_string());
            Err(format!("the file is damaged or not supported ({})", clip(&first_line(&what))))
        }
    }
}
