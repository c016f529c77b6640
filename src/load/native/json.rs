//! What the JSON readers share: reading a file as one JSON document or as JSON lines,
//! checking a reader's options, and typed field access that names the record on error.

use chrono_tz::Tz;
use serde_json::{Map, Value};
use std::path::Path;

use super::super::table::{InputError, quote};
use super::Options;
use crate::core::interval::Instant;

/// A JSON file as read: one document, or JSON lines (several values, one per line).
pub(crate) enum Document {
    One(Value),
    /// Each value with the 1-based line it starts on.
    Lines(Vec<(Value, usize)>),
}

/// Reads `path` as one JSON document or as JSON lines. A syntax error is one line with
/// the file's line and column: `incidents.json:3:17: malformed JSON: expected value`.
pub(crate) fn read_document(path: &Path, display: &str) -> Result<Document, InputError> {
    let bytes = std::fs::read(path).map_err(|e| InputError(format!("{display}: cannot read: {e}")))?;
    parse_document(&bytes, display)
}

pub(crate) fn parse_document(bytes: &[u8], display: &str) -> Result<Document, InputError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError(format!("{display}: the file is empty (no JSON value)")));
    }
    let mut values = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
    // Line of the next value: count newlines incrementally up to each value's start.
    let (mut line, mut counted) = (1usize, 0usize);
    loop {
        let before = stream.byte_offset();
        let start = before + bytes[before..].iter().take_while(|b| b.is_ascii_whitespace()).count();
        line += bytes[counted..start].iter().filter(|&&b| b == b'\n').count();
        counted = start;
        match stream.next() {
            None => break,
            Some(Ok(v)) => values.push((v, line)),
            Some(Err(e)) => return Err(syntax_error(display, &e)),
        }
    }
    if values.len() == 1 {
        return Ok(Document::One(values.pop().expect("one value").0));
    }
    Ok(Document::Lines(values))
}

fn syntax_error(display: &str, e: &serde_json::Error) -> InputError {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let what = text.strip_suffix(&suffix).unwrap_or(&text);
    InputError(format!("{display}:{}:{}: malformed JSON: {what}", e.line(), e.column()))
}

/// The canonical impacts an option of a JSON reader may map a source level to.
pub(crate) const IMPACTS: &[&str] = &["major", "partial", "degraded", "none"];

/// Checks a reader's options: every key known, every value one of the allowed ones
/// (an empty list of allowed values accepts any text).
pub(crate) fn check_options(
    display: &str,
    format: &str,
    options: &Options,
    valid: &[(&str, &[&str])],
) -> Result<(), InputError> {
    for (key, value) in options {
        let Some((_, allowed)) = valid.iter().find(|(k, _)| k == key) else {
            let names: Vec<&str> = valid.iter().map(|(k, _)| *k).collect();
            return Err(InputError(format!(
                "{display}: options: unknown option {} for format {format}, expected one of: {}",
                quote(key),
                names.join(", ")
            )));
        };
        if !allowed.is_empty() && !allowed.contains(&value.as_str()) {
            return Err(InputError(format!(
                "{display}: options: {key} = {}: expected one of: {}",
                quote(value),
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

/// Where a record is: in a JSON document (`$[12]`, `$.incidents[3]`) or on a line of
/// JSON lines; with the record's id once known.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    pub(crate) path: String,
    pub(crate) line: Option<usize>,
    pub(crate) what: &'static str,
    pub(crate) id: Option<String>,
}

impl Place {
    /// The record's place as a canonical row's source: `$[12] (incident kmlq6qgd1g4c)`,
    /// `line 57 (incident kmlq6qgd1g4c)`.
    pub(crate) fn source(&self) -> String {
        let at = match self.line {
            Some(l) => format!("line {l}"),
            None => self.path.clone(),
        };
        match &self.id {
            Some(id) => format!("{at} ({} {id})", self.what),
            None => at,
        }
    }

    /// An error about this record: `file: $[12] (incident x): msg`, `file:57: incident x: msg`.
    pub(crate) fn error(&self, display: &str, msg: impl std::fmt::Display) -> InputError {
        match self.line {
            Some(l) => {
                let id = self.id.as_ref().map(|id| format!("{} {id}: ", self.what)).unwrap_or_default();
                InputError(format!("{display}:{l}: {id}{msg}"))
            }
            None => InputError(format!("{display}: {}: {msg}", self.source())),
        }
    }
}

/// The name of a JSON value's type, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A record as an object.
pub(crate) fn object<'a>(v: &'a Value, place: &Place, display: &str) -> Result<&'a Map<String, Value>, InputError> {
    v.as_object().ok_or_else(|| place.error(display, format!("expected an object, found {}", kind(v))))
}

/// A text field; absent or null is `None`, any other type an error.
pub(crate) fn text<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    place: &Place,
    display: &str,
) -> Result<Option<&'a str>, InputError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(place.error(display, format!("field \"{key}\": expected text, found {}", kind(v)))),
    }
}

/// A text or number field as text (ids are numbers in some sources).
pub(crate) fn text_or_number(
    o: &Map<String, Value>,
    key: &str,
    place: &Place,
    display: &str,
) -> Result<Option<String>, InputError> {
    match o.get(key) {
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        _ => Ok(text(o, key, place, display)?.map(str::to_string)),
    }
}

/// An array field; absent or null is empty.
pub(crate) fn array<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    place: &Place,
    display: &str,
) -> Result<&'a [Value], InputError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(v) => Err(place.error(display, format!("field \"{key}\": expected an array, found {}", kind(v)))),
    }
}

/// An instant field (`2026-10-03T14:05:00.000Z`, `2026-10-03T14:05:00+00:00`); absent,
/// null or empty is `None`. Naive text is read as UTC (neither source writes it).
pub(crate) fn instant(
    o: &Map<String, Value>,
    key: &str,
    place: &Place,
    display: &str,
) -> Result<Option<Instant>, InputError> {
    match text(o, key, place, display)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => crate::core::time::parse_instant(s, Tz::UTC)
            .map(Some)
            .map_err(|e| place.error(display, format!("field \"{key}\": {e}"))),
    }
}

/// A name usable as one entry of a `;`-separated scope list: `;` becomes `,`, and
/// surrounding spaces go. Returns whether it was changed by more than trimming.
pub(crate) fn scope_name(name: &str) -> (String, bool) {
    let t = name.trim();
    if t.contains(';') { (t.replace(';', ","), true) } else { (t.to_string(), false) }
}

/// The first line of a text, trimmed.
pub(crate) fn first_line(s: &str) -> &str {
    s.trim().lines().next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_lines() {
        assert!(matches!(parse_document(b" [1, 2] ", "f").unwrap(), Document::One(_)));
        let Document::Lines(v) = parse_document(b"{\"a\":1}\n\n{\"a\":2}\n  {\"a\":3}", "f").unwrap() else {
            panic!("lines")
        };
        assert_eq!(v.iter().map(|x| x.1).collect::<Vec<_>>(), [1, 3, 4]);
        let e = parse_document(b"{\"a\":1}\n{\"a\":}\n", "f.jsonl").err().unwrap();
        assert_eq!(e.0, "f.jsonl:2:6: malformed JSON: expected value");
        let e = parse_document(b"  \n", "f.json").err().unwrap();
        assert_eq!(e.0, "f.json: the file is empty (no JSON value)");
        let e = parse_document(b"[1,\n2", "f.json").err().unwrap();
        assert!(e.0.starts_with("f.json:2:1: malformed JSON: EOF"), "{}", e.0);
    }

    #[test]
    fn options_are_checked() {
        let mut o = Options::new();
        o.insert("servics".into(), "id".into());
        let e = check_options("f", "statuspage", &o, &[("services", &["name", "id"])]).unwrap_err();
        assert_eq!(e.0, "f: options: unknown option \"servics\" for format statuspage, expected one of: services");
        let mut o = Options::new();
        o.insert("services".into(), "code".into());
        let e = check_options("f", "statuspage", &o, &[("services", &["name", "id"])]).unwrap_err();
        assert_eq!(e.0, "f: options: services = \"code\": expected one of: name, id");
    }
}
