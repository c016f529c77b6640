//! A Prometheus `query_range` result, as the HTTP API returns it, over 0/1 series such as
//! `probe_success`: every sample is a probe check (`1` up, `0` down).
//!
//! ```json
//! {"status":"success","data":{"resultType":"matrix","result":[
//!   {"metric":{"instance":"api","region":"eu"},"values":[[1790812800,"1"],[1790812860,"0"]]}]}}
//! ```
//!
//! Options: `service_label` (default `instance`), `region_label` and `location_label`
//! (default none: the constant `prometheus`, which the entry's `constants` can override),
//! `other` (`error`, the default, `unknown` or `down`) for values other than 0 and 1.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{Canonical, Native, Options, Row, instant_text};
use crate::load::table::{InputError, clip, quote};

const OPTIONS: [&str; 4] = ["location_label", "other", "region_label", "service_label"];

/// `{instance="api", job="blackbox"}`: a series as Prometheus writes it.
fn labels_text(metric: &serde_json::Map<String, Value>) -> String {
    let parts: Vec<String> = metric
        .iter()
        .map(|(k, v)| format!("{k}={:?}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect();
    clip(&format!("{{{}}}", parts.join(", ")))
}

fn shape(display: &str, at: &str, expected: &str, found: &Value) -> InputError {
    let kind = match found {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    InputError(format!("{display}: {at}: expected {expected}, found {kind}"))
}

/// The options: which labels name the service, region and location, and how a value other
/// than 0 and 1 is read.
struct Settings<'a> {
    service_label: &'a str,
    region_label: Option<&'a str>,
    location_label: Option<&'a str>,
    /// `error`, `unknown` or `down`.
    other: &'a str,
}

fn settings<'a>(display: &str, options: &'a Options) -> Result<Settings<'a>, InputError> {
    super::check_keys(display, options, &OPTIONS)?;
    let get = |k: &str| options.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let service_label = get("service_label").unwrap_or("instance");
    let region_label = get("region_label");
    let location_label = get("location_label");
    let other = match options.get("other").map(String::as_str).unwrap_or("error") {
        o @ ("error" | "unknown" | "down") => o,
        v => {
            return Err(InputError(format!(
                "{display}: options: other: unknown value {}, expected error, unknown or down",
                quote(v)
            )));
        }
    };
    Ok(Settings { service_label, region_label, location_label, other })
}

pub(crate) fn read(path: &Path, display: &str, options: &Options) -> Result<Native, InputError> {
    let s = settings(display, options)?;
    let bytes = std::fs::read(path).map_err(|e| InputError(format!("{display}: cannot read: {e}")))?;
    let root: Value = serde_json::from_slice(&bytes).map_err(|e| {
        let text = e.to_string();
        let what = text.split(" at line ").next().unwrap_or(&text);
        InputError(format!("{display}:{}:{}: not JSON: {what}", e.line(), e.column()))
    })?;
    let result = matrix(&root, display)?;
    let mut samples = Samples::default();
    for (i, series) in result.iter().enumerate() {
        samples.series(i, series, display, &s)?;
    }
    let mut notes = Vec::new();
    if let Some((&step, _)) = samples.steps.iter().max_by_key(|(s, n)| (**n, std::cmp::Reverse(**s))) {
        notes.push(format!(
            "samples every {step} s (the query's step); set [monitoring] max_gap_seconds = {step} so a missing sample is a gap"
        ));
    }
    if samples.others > 0 {
        notes.push(format!("{} samples neither 0 nor 1 read as {} (option other)", samples.others, s.other));
    }
    let checks =
        Canonical { columns: vec!["timestamp", "service", "region", "location", "status"], rows: samples.rows };
    Ok(Native {
        checks: Some(checks),
        checks_are_events: false,
        outages: None,
        incidents: None,
        records: samples.records,
        notes,
    })
}

/// The series of a successful `query_range` response (`data.result`), after checking the
/// envelope: `status` success and `resultType` matrix.
fn matrix<'a>(root: &'a Value, display: &str) -> Result<&'a Vec<Value>, InputError> {
    let Value::Object(top) = root else { return Err(shape(display, "$", "an object", root)) };
    match top.get("status") {
        Some(Value::String(s)) if s == "success" => {}
        Some(Value::String(s)) => {
            let why = top.get("error").and_then(Value::as_str).unwrap_or("no error given");
            return Err(InputError(format!(
                "{display}: status: the query did not succeed: status {}, error {}",
                quote(s),
                quote(why)
            )));
        }
        Some(v) => return Err(shape(display, "status", "\"success\"", v)),
        None => return Err(InputError(format!("{display}: status: missing (not a Prometheus API response)"))),
    }
    let data = top.get("data").ok_or_else(|| InputError(format!("{display}: data: missing")))?;
    let Value::Object(data) = data else { return Err(shape(display, "data", "an object", data)) };
    match data.get("resultType") {
        Some(Value::String(t)) if t == "matrix" => {}
        Some(Value::String(t)) => {
            return Err(InputError(format!(
                "{display}: data.resultType: expected \"matrix\" (a query_range result), found {}",
                quote(t)
            )));
        }
        Some(v) => return Err(shape(display, "data.resultType", "\"matrix\"", v)),
        None => return Err(InputError(format!("{display}: data.resultType: missing"))),
    }
    let result = data.get("result").ok_or_else(|| InputError(format!("{display}: data.result: missing")))?;
    let Value::Array(result) = result else { return Err(shape(display, "data.result", "an array", result)) };
    Ok(result)
}

/// The check rows read so far, and what the notes tell of them.
#[derive(Default)]
struct Samples {
    rows: Vec<Row>,
    records: usize,
    /// Time between consecutive samples of a series -> how often.
    steps: BTreeMap<i64, usize>,
    /// Samples neither 0 nor 1, read as the option `other` says.
    others: usize,
}

impl Samples {
    /// One series (`data.result[i]`): its labels, then each of its samples as a check.
    fn series(&mut self, i: usize, series: &Value, display: &str, s: &Settings) -> Result<(), InputError> {
        let at = format!("data.result[{i}]");
        let Value::Object(series) = series else { return Err(shape(display, &at, "an object", series)) };
        let metric = match series.get("metric") {
            Some(Value::Object(m)) => m,
            Some(v) => return Err(shape(display, &format!("{at}.metric"), "an object of labels", v)),
            None => return Err(InputError(format!("{display}: {at}.metric: missing"))),
        };
        let labels = labels_text(metric);
        let label = |name: Option<&str>, option: &str| -> Result<String, InputError> {
            let Some(name) = name else { return Ok("prometheus".to_string()) };
            match metric.get(name) {
                Some(Value::String(v)) if !v.trim().is_empty() => Ok(v.clone()),
                _ => Err(InputError(format!(
                    "{display}: {at}: series {labels} has no label {} (option {option})",
                    quote(name)
                ))),
            }
        };
        let service = label(Some(s.service_label), "service_label")?;
        let region = label(s.region_label, "region_label")?;
        let location = label(s.location_label, "location_label")?;
        let values = match series.get("values") {
            Some(Value::Array(v)) => v,
            Some(v) => return Err(shape(display, &format!("{at}.values"), "an array of [time, \"value\"]", v)),
            None => {
                return Err(InputError(format!(
                    "{display}: {at}.values: missing (a series of a query_range result has values)"
                )));
            }
        };
        let mut previous: Option<i64> = None;
        for (j, sample) in values.iter().enumerate() {
            let place = format!("{at}.values[{j}]");
            self.records += 1;
            let (secs, status) = self.sample(sample, &place, &labels, display, s.other)?;
            if let Some(p) = previous
                && secs > p
            {
                *self.steps.entry(secs - p).or_default() += 1;
            }
            previous = Some(secs);
            self.rows.push(Row {
                source: place,
                cells: vec![instant_text(secs), service.clone(), region.clone(), location.clone(), status.into()],
            });
        }
        Ok(())
    }

    /// One `[unix time, "value"]` sample: its time and status.
    fn sample<'a>(
        &mut self,
        sample: &Value,
        place: &str,
        labels: &str,
        display: &str,
        other: &'a str,
    ) -> Result<(i64, &'a str), InputError> {
        let (t, v) = match sample.as_array().map(Vec::as_slice) {
            Some([Value::Number(t), Value::String(v)]) => (t, v),
            _ => return Err(shape(display, place, "[unix time, \"value\"]", sample)),
        };
        let secs = t.as_i64().or_else(|| t.as_f64().filter(|f| f.is_finite()).map(|f| f.floor() as i64));
        let Some(secs) = secs else {
            return Err(InputError(format!("{display}: {place}: time {t} is not a Unix time")));
        };
        let status = match v.trim().parse::<f64>() {
            Ok(1.0) => "up",
            Ok(0.0) => "down",
            _ if other != "error" => {
                self.others += 1;
                other
            }
            _ => {
                return Err(InputError(format!(
                    "{display}: {place}: series {labels} at {}: value {} is neither 0 nor 1 (option other = \"unknown\" or \"down\" to read it)",
                    instant_text(secs),
                    quote(v)
                )));
            }
        };
        Ok((secs, status))
    }
}
