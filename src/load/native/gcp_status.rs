//! Google Cloud Service Health's public `incidents.json` (status.cloud.google.com): a JSON
//! array of incidents (JSON lines, one incident per line, are read too). The current format
//! (`id`, `affected_products`, `*_affected_locations`) and the 2020 one (no `id`; the product
//! is `service_name` / `service_key`) are both read. The mapping (each choice and its
//! reason) is in `sample-data/formats/gcp-status/README.md`.

use serde_json::Value;
use std::path::Path;

use super::json::{self, Document, Place};
use super::{Canonical, Native, Options, Row, instant_text};
use crate::core::interval::Instant;
use crate::load::table::{InputError, quote};

const COLUMNS: [&str; 9] =
    ["incident_id", "title", "category", "impact", "start", "end", "services", "regions", "customers"];

const VALID: &[(&str, &[&str])] = &[
    ("services", &["title", "id"]),
    ("severity_high", json::IMPACTS),
    ("severity_medium", json::IMPACTS),
    ("severity_low", json::IMPACTS),
];

/// Google's severities and the canonical impact each has by default.
const SEVERITIES: [(&str, &str); 3] = [("high", "major"), ("medium", "partial"), ("low", "degraded")];

#[derive(Default)]
struct Counts {
    old_format: usize,
    no_product: usize,
    no_location: usize,
    global: usize,
    open: usize,
}

pub(crate) fn read(path: &Path, display: &str, options: &Options, _now: Instant) -> Result<Native, InputError> {
    json::check_options(display, "gcp-status", options, VALID)?;
    from_document(json::read_document(path, display)?, display, options)
}

fn from_document(doc: Document, display: &str, options: &Options) -> Result<Native, InputError> {
    let place = |path: String, line: Option<usize>| Place { path, line, what: "incident", id: None };
    let records: Vec<(&Value, Place)> = match &doc {
        Document::One(Value::Array(a)) => {
            a.iter().enumerate().map(|(i, v)| (v, place(format!("$[{i}]"), None))).collect()
        }
        Document::Lines(values) => values.iter().map(|(v, l)| (v, place(String::new(), Some(*l)))).collect(),
        Document::One(v @ Value::Object(o)) if o.contains_key("begin") => vec![(v, place("$".into(), None))],
        Document::One(v) => {
            return Err(InputError(format!(
                "{display}: expected a JSON array of incidents (Google Cloud's incidents.json), found {}",
                json::kind(v)
            )));
        }
    };
    let by_id = options.get("services").is_some_and(|s| s == "id");
    let impacts: Vec<(&str, String)> = SEVERITIES
        .iter()
        .map(|(sev, default)| (*sev, options.get(&format!("severity_{sev}")).cloned().unwrap_or(default.to_string())))
        .collect();
    let mut counts = Counts::default();
    let mut rows = Vec::with_capacity(records.len());
    for (v, mut place) in records {
        rows.push(row(v, &mut place, display, by_id, &impacts, &mut counts)?);
    }
    let n = rows.len();
    let mut notes = vec![format!("{n} incidents, all category unplanned (the feed has no cause or maintenance field)")];
    if counts.old_format > 0 {
        notes.push(format!(
            "{} incidents in the 2020 format (no id, no products): incident_id = number, services = service_name (service_key with services = \"id\")",
            counts.old_format
        ));
    }
    if counts.no_product > 0 {
        notes.push(format!("{} incidents name no product: services = *", counts.no_product));
    }
    if counts.no_location > 0 || counts.global > 0 {
        notes.push(format!(
            "regions = * for {} incidents without locations and {} with the location global",
            counts.no_location, counts.global
        ));
    }
    if counts.open > 0 {
        notes.push(format!("{} incidents have no end: open (they run until the report time)", counts.open));
    }
    notes.push("not used: most_recent_update and update texts, status_impact, uri, created/modified times".into());
    Ok(Native {
        incidents: Some(Canonical { columns: COLUMNS.to_vec(), rows }),
        records: n,
        notes,
        ..Native::default()
    })
}

fn row(
    v: &Value,
    place: &mut Place,
    display: &str,
    by_id: bool,
    impacts: &[(&str, String)],
    counts: &mut Counts,
) -> Result<Row, InputError> {
    let o = json::object(v, place, display)?;
    let id = match json::text(o, "id", place, display)?.filter(|s| !s.trim().is_empty()) {
        Some(id) => id.to_string(),
        None => {
            let Some(number) = json::text_or_number(o, "number", place, display)? else {
                return Err(place.error(display, "missing field \"id\" (and \"number\")"));
            };
            counts.old_format += 1;
            number
        }
    };
    place.id = Some(id.clone());
    let title = json::text(o, "external_desc", place, display)?.map(json::first_line).unwrap_or("").to_string();
    let severity =
        json::text(o, "severity", place, display)?.ok_or_else(|| place.error(display, "missing field \"severity\""))?;
    let impact = impacts.iter().find(|(s, _)| *s == severity).map(|(_, i)| i.clone()).ok_or_else(|| {
        place.error(
            display,
            format!("field \"severity\": unknown severity {}, expected one of: high, medium, low", quote(severity)),
        )
    })?;
    let start =
        json::instant(o, "begin", place, display)?.ok_or_else(|| place.error(display, "missing field \"begin\""))?;
    let end = json::instant(o, "end", place, display)?;
    if end.is_none() {
        counts.open += 1;
    }

    let services = services(o, place, display, by_id, counts)?;
    let regions = regions(o, place, display, counts)?;
    Ok(Row {
        source: place.source(),
        cells: vec![
            id,
            title,
            "unplanned".into(),
            impact,
            instant_text(start),
            end.map(instant_text).unwrap_or_default(),
            services,
            regions,
            "*".into(),
        ],
    })
}

/// The affected products as the `services` cell (`*` when none is named): each product's
/// title (id with `services = "id"`), else the 2020 format's `service_name` (`service_key`).
fn services(
    o: &serde_json::Map<String, Value>,
    place: &Place,
    display: &str,
    by_id: bool,
    counts: &mut Counts,
) -> Result<String, InputError> {
    let mut services: Vec<String> = Vec::new();
    for p in json::array(o, "affected_products", place, display)? {
        let po = json::object(p, place, display)?;
        let key = if by_id { "id" } else { "title" };
        let name = json::text(po, key, place, display)?
            .ok_or_else(|| place.error(display, format!("affected_products: a product without \"{key}\"")))?;
        let (name, _) = json::scope_name(name);
        if !name.is_empty() && !services.contains(&name) {
            services.push(name);
        }
    }
    if services.is_empty() {
        let key = if by_id { "service_key" } else { "service_name" };
        if let Some(name) = json::text(o, key, place, display)?.filter(|_| !o.contains_key("affected_products")) {
            services.push(json::scope_name(name).0);
        }
    }
    Ok(if services.is_empty() {
        counts.no_product += 1;
        "*".to_string()
    } else {
        services.join(";")
    })
}

/// The affected locations as the `regions` cell, sorted (`*` when none is named or one is
/// `global`).
fn regions(
    o: &serde_json::Map<String, Value>,
    place: &Place,
    display: &str,
    counts: &mut Counts,
) -> Result<String, InputError> {
    let mut regions: Vec<String> = Vec::new();
    let mut global = false;
    for key in ["currently_affected_locations", "previously_affected_locations"] {
        for l in json::array(o, key, place, display)? {
            let lo = json::object(l, place, display)?;
            let Some(lid) = json::text(lo, "id", place, display)? else {
                return Err(place.error(display, format!("{key}: a location without \"id\"")));
            };
            let (lid, _) = json::scope_name(lid);
            global |= lid == "global";
            if !lid.is_empty() && !regions.contains(&lid) {
                regions.push(lid);
            }
        }
    }
    regions.sort();
    Ok(if global {
        counts.global += 1;
        "*".to_string()
    } else if regions.is_empty() {
        counts.no_location += 1;
        "*".to_string()
    } else {
        regions.join(";")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str, options: &[(&str, &str)]) -> Result<Native, InputError> {
        let options: Options = options.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        json::check_options("gcp.json", "gcp-status", &options, VALID)?;
        from_document(json::parse_document(text.as_bytes(), "gcp.json")?, "gcp.json", &options)
    }

    fn cells(n: &Native) -> Vec<Vec<String>> {
        n.incidents.as_ref().unwrap().rows.iter().map(|r| r.cells.clone()).collect()
    }

    const NEW: &str = r#"{"id":"utF3","number":"578","begin":"2026-08-20T15:40:00+00:00","end":"2026-08-20T19:20:00+00:00",
        "external_desc":"Timeouts in us-west1\nsecond line","severity":"high","status_impact":"SERVICE_OUTAGE",
        "affected_products":[{"title":"Cloud Run","id":"9D7d"},{"title":"Google BigQuery","id":"9CcR"}],
        "currently_affected_locations":[],"previously_affected_locations":[{"title":"Oregon (us-west1)","id":"us-west1"},{"title":"Multi-region: us","id":"us"}]}"#;
    const OLD: &str = r#"{"begin":"2019-11-11T10:09:50Z","end":null,"external_desc":"Firestore issue","number":19007,
        "severity":"low","service_key":"cloud-datastore","service_name":"Google Cloud Datastore"}"#;

    #[test]
    fn both_formats_become_canonical_rows() {
        let n = read_text(&format!("[{NEW}, {OLD}]"), &[]).unwrap();
        assert_eq!(
            cells(&n),
            [
                [
                    "utF3",
                    "Timeouts in us-west1",
                    "unplanned",
                    "major",
                    "2026-08-20T15:40:00Z",
                    "2026-08-20T19:20:00Z",
                    "Cloud Run;Google BigQuery",
                    "us;us-west1",
                    "*"
                ],
                [
                    "19007",
                    "Firestore issue",
                    "unplanned",
                    "degraded",
                    "2019-11-11T10:09:50Z",
                    "",
                    "Google Cloud Datastore",
                    "*",
                    "*"
                ]
            ]
        );
        let rows = &n.incidents.as_ref().unwrap().rows;
        assert_eq!(rows[1].source, "$[1] (incident 19007)");
        assert_eq!(n.records, 2);
        assert!(n.notes.iter().any(|x| x.starts_with("1 incidents in the 2020 format")), "{:?}", n.notes);
        assert!(n.notes.iter().any(|x| x.starts_with("1 incidents have no end")), "{:?}", n.notes);
    }

    #[test]
    fn options_choose_ids_and_impacts_and_global_is_everywhere() {
        let n = read_text(&format!("[{NEW}, {OLD}]"), &[("services", "id"), ("severity_high", "partial")]).unwrap();
        assert_eq!(cells(&n)[0][3], "partial");
        assert_eq!(cells(&n)[0][6], "9D7d;9CcR");
        assert_eq!(cells(&n)[1][6], "cloud-datastore");
        let global = NEW.replace("\"us-west1\"}", "\"global\"}");
        let n = read_text(&format!("{}\n", global.replace('\n', " ")), &[]).unwrap();
        assert_eq!(cells(&n)[0][7], "*");
        assert_eq!(n.incidents.as_ref().unwrap().rows[0].source, "$ (incident utF3)");
    }

    #[test]
    fn every_error_names_its_record() {
        let err = |text: &str| read_text(text, &[]).expect_err("an error").0;
        assert_eq!(err("\n"), "gcp.json: the file is empty (no JSON value)");
        assert_eq!(err("[{\"id\": 1"), "gcp.json:1:9: malformed JSON: EOF while parsing an object");
        assert_eq!(
            err("{\"x\": 1}"),
            "gcp.json: expected a JSON array of incidents (Google Cloud's incidents.json), found an object"
        );
        assert_eq!(
            err("[{\"begin\":\"2020-01-01T00:00:00Z\"}]"),
            "gcp.json: $[0]: missing field \"id\" (and \"number\")"
        );
        assert_eq!(
            err("[{\"id\":\"a\",\"severity\":\"low\"}]"),
            "gcp.json: $[0] (incident a): missing field \"begin\""
        );
        assert_eq!(
            err("[{\"id\":\"a\",\"begin\":\"2020-01-01T00:00:00Z\"}]"),
            "gcp.json: $[0] (incident a): missing field \"severity\""
        );
        assert_eq!(
            err("[{\"id\":\"a\",\"severity\":\"extreme\",\"begin\":\"2020-01-01T00:00:00Z\"}]"),
            "gcp.json: $[0] (incident a): field \"severity\": unknown severity \"extreme\", expected one of: high, medium, low"
        );
        assert_eq!(
            err("[{\"id\":\"a\",\"severity\":\"low\",\"begin\":20200101}]"),
            "gcp.json: $[0] (incident a): field \"begin\": expected text, found a number"
        );
        assert_eq!(
            err(
                "[{\"id\":\"a\",\"severity\":\"low\",\"begin\":\"2020-01-01T00:00:00Z\",\"affected_products\":[{\"id\":\"x\"}]}]"
            ),
            "gcp.json: $[0] (incident a): affected_products: a product without \"title\""
        );
        assert_eq!(
            err(
                "{\"id\":\"a\",\"severity\":\"low\",\"begin\":\"2020-01-01T00:00:00Z\"}\n{\"id\":\"b\",\"severity\":\"low\",\"begin\":\"2020-01-01T00:00:00Z\",\"previously_affected_locations\":\"us\"}"
            ),
            "gcp.json:2: incident b: field \"previously_affected_locations\": expected an array, found text"
        );
        let e = read_text("[]", &[("regions", "title")]).err().unwrap().0;
        assert_eq!(
            e,
            "gcp.json: options: unknown option \"regions\" for format gcp-status, expected one of: services, severity_high, severity_medium, severity_low"
        );
    }
}
