//! Atlassian Statuspage API v2: incidents and scheduled maintenances, as incidents.
//!
//! Accepted: a JSON array of incident objects; an object with `incidents` and/or
//! `scheduled_maintenances` arrays (`incidents.json`, `scheduled-maintenances.json`, history
//! pages) or one `incident` (`incidents/<code>.json`); or JSON lines, one incident per line.
//! The mapping (each choice and its reason) is in `sample-data/formats/statuspage/README.md`.

use serde_json::Value;
use std::path::Path;

use super::json::{self, Document, Place};
use super::{Canonical, Native, Options, Row, instant_text};
use crate::core::interval::Instant;
use crate::load::table::{InputError, quote};

const COLUMNS: [&str; 10] =
    ["incident_id", "title", "category", "impact", "start", "end", "services", "regions", "customers", "announced_at"];

/// The options of the statuspage reader and their allowed values.
const VALID: &[(&str, &[&str])] = &[
    ("services", &["name", "id"]),
    ("impact_from", &["incident", "components"]),
    ("impact_critical", json::IMPACTS),
    ("impact_major", json::IMPACTS),
    ("impact_minor", json::IMPACTS),
    ("impact_none", json::IMPACTS),
    ("impact_maintenance", json::IMPACTS),
    ("maintenance_times", &["scheduled", "actual"]),
];

/// Statuspage levels of incident impact, and the canonical impact each has by default.
const LEVELS: [(&str, &str); 5] =
    [("critical", "major"), ("major", "partial"), ("minor", "degraded"), ("none", "none"), ("maintenance", "none")];

/// Statuses of a scheduled maintenance (an incident's are investigating, identified,
/// monitoring, resolved, postmortem).
const MAINTENANCE_STATUSES: [&str; 4] = ["scheduled", "in_progress", "verifying", "completed"];

struct Settings {
    by_id: bool,
    from_components: bool,
    /// Statuspage impact level -> canonical impact.
    levels: Vec<(&'static str, String)>,
    actual_maintenance: bool,
}

impl Settings {
    fn new(options: &Options) -> Settings {
        let get = |k: &str| options.get(k).map(String::as_str);
        Settings {
            by_id: get("services") == Some("id"),
            from_components: get("impact_from") == Some("components"),
            levels: LEVELS
                .iter()
                .map(|(level, default)| (*level, get(&format!("impact_{level}")).unwrap_or(default).to_string()))
                .collect(),
            actual_maintenance: get("maintenance_times") == Some("actual"),
        }
    }
}

#[derive(Default)]
struct Counts {
    incidents: usize,
    maintenances: usize,
    no_component: usize,
    open: usize,
    postmortems: usize,
    renamed: usize,
    from_components: usize,
    maintenance_fallback_end: usize,
}

pub(crate) fn read(path: &Path, display: &str, options: &Options, _now: Instant) -> Result<Native, InputError> {
    json::check_options(display, "statuspage", options, VALID)?;
    let doc = json::read_document(path, display)?;
    from_document(doc, display, options)
}

fn from_document(doc: Document, display: &str, options: &Options) -> Result<Native, InputError> {
    let settings = Settings::new(options);
    // (record, place, listed as a scheduled maintenance)
    let mut records: Vec<(&Value, Place, bool)> = Vec::new();
    let place = |path: String, line: Option<usize>| Place { path, line, what: "incident", id: None };
    match &doc {
        Document::Lines(values) => {
            for (v, line) in values {
                records.push((v, place(String::new(), Some(*line)), false));
            }
        }
        Document::One(Value::Array(a)) => {
            for (i, v) in a.iter().enumerate() {
                records.push((v, place(format!("$[{i}]"), None), false));
            }
        }
        Document::One(Value::Object(o))
            if ["incidents", "scheduled_maintenances", "incident"].iter().any(|k| o.contains_key(*k)) =>
        {
            let top = place("$".into(), None);
            for key in ["incidents", "scheduled_maintenances"] {
                for (i, v) in json::array(o, key, &top, display)?.iter().enumerate() {
                    records.push((v, place(format!("$.{key}[{i}]"), None), key == "scheduled_maintenances"));
                }
            }
            if let Some(v) = o.get("incident") {
                records.push((v, place("$.incident".into(), None), false));
            }
        }
        Document::One(v @ Value::Object(_)) => records.push((v, place("$".into(), None), false)),
        Document::One(v) => {
            return Err(InputError(format!(
                "{display}: expected a JSON array of incidents, an object with \"incidents\" or \"scheduled_maintenances\", or JSON lines; found {}",
                json::kind(v)
            )));
        }
    }
    let mut counts = Counts::default();
    let mut rows = Vec::with_capacity(records.len());
    for (v, mut place, listed) in records {
        rows.push(row(v, &mut place, listed, display, &settings, &mut counts)?);
    }
    Ok(Native {
        incidents: Some(Canonical { columns: COLUMNS.to_vec(), rows }),
        records: counts.incidents + counts.maintenances,
        notes: notes(&counts, &settings),
        ..Native::default()
    })
}

fn notes(c: &Counts, s: &Settings) -> Vec<String> {
    let mut n = vec![format!(
        "{} incidents (category unplanned) and {} scheduled maintenances (category planned_maintenance)",
        c.incidents, c.maintenances
    )];
    if c.no_component > 0 {
        n.push(format!(
            "{} records name no component: services = * (every service); map them with values or a constant if that is too wide",
            c.no_component
        ));
    }
    if c.open > 0 {
        n.push(format!("{} records are not resolved: open (they run until the report time)", c.open));
    }
    if c.postmortems > 0 {
        n.push(format!("{} postmortem updates not used for timing (they come after the resolution)", c.postmortems));
    }
    if c.renamed > 0 {
        n.push(format!("{} component names hold ';' (the list separator): written with ',' instead", c.renamed));
    }
    if s.from_components {
        n.push(format!(
            "impact from affected components' new status for {} records; the others from their impact level",
            c.from_components
        ));
    }
    if c.maintenance_fallback_end > 0 {
        n.push(format!(
            "{} maintenances have no completion recorded: they end at scheduled_until",
            c.maintenance_fallback_end
        ));
    }
    n.push("not used: update bodies, shortlinks, page ids, reminder intervals".into());
    n
}

/// One update of a record: its status, time and affected components.
struct Update<'a> {
    status: &'a str,
    at: Instant,
    affected: &'a [Value],
}

/// The fields of a record that decide its impact and its times.
struct Fields<'a> {
    status: &'a str,
    impact_level: Option<&'a str>,
    /// A scheduled maintenance (listed as one, scheduled, or with a maintenance level or status).
    maintenance: bool,
    scheduled_for: Option<Instant>,
    scheduled_until: Option<Instant>,
    created: Option<Instant>,
    started: Option<Instant>,
    resolved: Option<Instant>,
}

/// A component named by a record: (id, name).
type Component = (String, String);

/// Canonical impacts of the affected components' new statuses, worst first.
const STATES: [(&str, &str); 3] =
    [("major_outage", "major"), ("partial_outage", "partial"), ("degraded_performance", "degraded")];

fn row(
    v: &Value,
    place: &mut Place,
    listed: bool,
    display: &str,
    s: &Settings,
    counts: &mut Counts,
) -> Result<Row, InputError> {
    let o = json::object(v, place, display)?;
    let Some(id) = json::text_or_number(o, "id", place, display)?.filter(|i| !i.trim().is_empty()) else {
        return Err(place.error(display, "missing field \"id\""));
    };
    place.id = Some(id.clone());
    let status = json::text(o, "status", place, display)?.unwrap_or("");
    let impact_level = json::text(o, "impact", place, display)?;
    let scheduled_for = json::instant(o, "scheduled_for", place, display)?;
    let scheduled_until = json::instant(o, "scheduled_until", place, display)?;
    let maintenance = listed
        || scheduled_for.is_some()
        || impact_level == Some("maintenance")
        || MAINTENANCE_STATUSES.contains(&status);
    if maintenance {
        place.what = "maintenance";
    }
    let title = json::text(o, "name", place, display)?.map(json::first_line).unwrap_or("").to_string();
    let f = Fields {
        status,
        impact_level,
        maintenance,
        scheduled_for,
        scheduled_until,
        created: json::instant(o, "created_at", place, display)?,
        started: json::instant(o, "started_at", place, display)?,
        resolved: json::instant(o, "resolved_at", place, display)?,
    };
    let updates = updates(o, place, display, counts)?;
    let (components, worst) = components(o, &updates, place, display)?;
    let services = services(&components, s, counts);
    let impact = impact(&f, worst, place, display, s, counts)?;
    let (category, start, end, announced) = times(&f, &updates, place, display, s, counts)?;
    if end.is_none() {
        counts.open += 1;
    }
    Ok(Row {
        source: place.source(),
        cells: vec![
            id,
            title,
            category.into(),
            impact,
            instant_text(start),
            end.map(instant_text).unwrap_or_default(),
            services,
            "*".into(),
            "*".into(),
            announced,
        ],
    })
}

/// The record's updates but postmortems (counted: they come after the resolution), each at
/// its `display_at` time, else its `created_at`.
fn updates<'a>(
    o: &'a serde_json::Map<String, Value>,
    place: &Place,
    display: &str,
    counts: &mut Counts,
) -> Result<Vec<Update<'a>>, InputError> {
    let mut updates = Vec::new();
    for (k, u) in json::array(o, "incident_updates", place, display)?.iter().enumerate() {
        let at_place = Place { path: format!("{}.incident_updates[{k}]", place.path), ..place.clone() };
        let uo = json::object(u, &at_place, display)?;
        let ustatus = json::text(uo, "status", &at_place, display)?.unwrap_or("");
        let at = match json::instant(uo, "display_at", &at_place, display)? {
            Some(t) => t,
            None => json::instant(uo, "created_at", &at_place, display)?.ok_or_else(|| {
                at_place.error(display, format!("incident_updates[{k}]: no display_at or created_at"))
            })?,
        };
        let affected = json::array(uo, "affected_components", &at_place, display)?;
        if ustatus == "postmortem" {
            counts.postmortems += 1;
            continue;
        }
        updates.push(Update { status: ustatus, at, affected });
    }
    Ok(updates)
}

/// The components, (id, name): the record's own, then those its updates name, each once
/// (by id); and the worst new status the updates give them (an index into `STATES`).
fn components(
    o: &serde_json::Map<String, Value>,
    updates: &[Update],
    place: &Place,
    display: &str,
) -> Result<(Vec<Component>, Option<usize>), InputError> {
    let mut components: Vec<Component> = Vec::new();
    for c in json::array(o, "components", place, display)? {
        let co = json::object(c, place, display)?;
        let cid = json::text_or_number(co, "id", place, display)?.unwrap_or_default();
        let name = json::text(co, "name", place, display)?.unwrap_or("").to_string();
        if !components.iter().any(|(i, _)| *i == cid) {
            components.push((cid, name));
        }
    }
    let mut worst: Option<usize> = None;
    for u in updates {
        for c in u.affected {
            let co = json::object(c, place, display)?;
            let code = json::text_or_number(co, "code", place, display)?.unwrap_or_default();
            let name = json::text(co, "name", place, display)?.unwrap_or("").to_string();
            if !components.iter().any(|(i, _)| *i == code) {
                components.push((code, name));
            }
            if let Some(new) = json::text(co, "new_status", place, display)?
                && let Some(k) = STATES.iter().position(|(st, _)| *st == new)
            {
                worst = Some(worst.map_or(k, |w| w.min(k)));
            }
        }
    }
    Ok((components, worst))
}

/// The `services` cell: each component's name (its id with `services = "id"`, or when the
/// name is empty or `*`), once; `*` when there is none.
fn services(components: &[Component], s: &Settings, counts: &mut Counts) -> String {
    let mut names: Vec<String> = Vec::new();
    for (cid, name) in components {
        let shown = if s.by_id || name.trim().is_empty() || name.trim() == "*" { cid } else { name };
        let (shown, renamed) = json::scope_name(shown);
        if renamed {
            counts.renamed += 1;
        }
        if !shown.is_empty() && !names.contains(&shown) {
            names.push(shown);
        }
    }
    if names.is_empty() {
        counts.no_component += 1;
        "*".to_string()
    } else {
        names.join(";")
    }
}

/// The canonical impact: from the components' worst new status with `impact_from =
/// "components"`, else from the record's impact level (`maintenance` for a maintenance
/// without one).
fn impact(
    f: &Fields,
    worst: Option<usize>,
    place: &Place,
    display: &str,
    s: &Settings,
    counts: &mut Counts,
) -> Result<String, InputError> {
    Ok(match worst {
        Some(k) if s.from_components => {
            counts.from_components += 1;
            STATES[k].1.to_string()
        }
        _ if f.maintenance && f.impact_level.is_none() => level_impact(Some("maintenance"), place, display, s)?,
        _ => level_impact(f.impact_level, place, display, s)?,
    })
}

/// The canonical impact of a Statuspage impact level, as the options map it.
fn level_impact(level: Option<&str>, place: &Place, display: &str, s: &Settings) -> Result<String, InputError> {
    let Some(level) = level else {
        let levels: Vec<&str> = LEVELS.iter().map(|l| l.0).collect();
        return Err(place.error(display, format!("missing field \"impact\" ({})", levels.join(", "))));
    };
    match s.levels.iter().find(|(l, _)| *l == level) {
        Some((_, canonical)) => Ok(canonical.clone()),
        None => {
            let levels: Vec<&str> = LEVELS.iter().map(|l| l.0).collect();
            Err(place.error(
                display,
                format!("field \"impact\": unknown impact {}, expected one of: {}", quote(level), levels.join(", ")),
            ))
        }
    }
}

/// The record's category, start, end (none: open) and `announced_at` text: a maintenance
/// runs as scheduled (or as its updates tell with `maintenance_times = "actual"`) and was
/// announced when created; an incident runs from its first known time to its resolution.
fn times(
    f: &Fields,
    updates: &[Update],
    place: &Place,
    display: &str,
    s: &Settings,
    counts: &mut Counts,
) -> Result<(&'static str, Instant, Option<Instant>, String), InputError> {
    let first_update = updates.iter().map(|u| u.at).min();
    let resolving = updates.iter().filter(|u| u.status == "resolved").map(|u| u.at).max();
    if f.maintenance {
        counts.maintenances += 1;
        let in_progress = updates.iter().filter(|u| u.status == "in_progress").map(|u| u.at).min();
        let completed = updates.iter().filter(|u| u.status == "completed").map(|u| u.at).max().or(f.resolved);
        let start =
            if s.actual_maintenance { in_progress.or(f.scheduled_for) } else { f.scheduled_for.or(in_progress) }
                .or(f.started)
                .ok_or_else(|| place.error(display, "no start: scheduled_for, an in_progress update or started_at"))?;
        let end = if s.actual_maintenance {
            if completed.is_none() && f.scheduled_until.is_some() {
                counts.maintenance_fallback_end += 1;
            }
            completed.or(f.scheduled_until)
        } else {
            f.scheduled_until.or(completed)
        };
        Ok(("planned_maintenance", start, end, f.created.or(first_update).map(instant_text).unwrap_or_default()))
    } else {
        counts.incidents += 1;
        let start = [f.started.or(f.created), first_update]
            .into_iter()
            .flatten()
            .min()
            .ok_or_else(|| place.error(display, "no start: started_at, created_at or an update"))?;
        let end = resolving.or(f.resolved);
        if end.is_none() && f.status == "resolved" {
            return Err(place.error(display, "status resolved, but no resolved_at and no resolved update"));
        }
        Ok(("unplanned", start, end, String::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str, options: &[(&str, &str)]) -> Result<Native, InputError> {
        let options: Options = options.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        json::check_options("sp.json", "statuspage", &options, VALID)?;
        from_document(json::parse_document(text.as_bytes(), "sp.json")?, "sp.json", &options)
    }

    fn cells(n: &Native) -> Vec<Vec<String>> {
        n.incidents.as_ref().unwrap().rows.iter().map(|r| r.cells.clone()).collect()
    }

    const INCIDENT: &str = r#"{"id":"abc","name":"Git is slow\nmore","status":"resolved","impact":"major",
        "created_at":"2022-01-01T10:05:00.000Z","started_at":"2022-01-01T10:00:00.000Z","resolved_at":"2022-01-01T11:00:00.000Z",
        "components":[{"id":"c1","name":"Git Operations"}],
        "incident_updates":[
          {"status":"postmortem","display_at":"2022-01-03T00:00:00Z","affected_components":null},
          {"status":"resolved","display_at":"2022-01-01T11:00:00.000Z","created_at":"2022-01-01T11:00:01Z","affected_components":null},
          {"status":"investigating","display_at":"2022-01-01T09:58:00.000Z","affected_components":[{"code":"c2","name":"API; v3","old_status":"operational","new_status":"major_outage"}]}]}"#;

    #[test]
    fn an_incident_becomes_one_canonical_row() {
        let n = read_text(&format!("[{INCIDENT}]"), &[]).unwrap();
        assert_eq!(
            cells(&n),
            [[
                "abc",
                "Git is slow",
                "unplanned",
                "partial",
                "2022-01-01T09:58:00Z",
                "2022-01-01T11:00:00Z",
                "Git Operations;API, v3",
                "*",
                "*",
                ""
            ]]
        );
        assert_eq!(n.incidents.as_ref().unwrap().rows[0].source, "$[0] (incident abc)");
        assert_eq!(n.records, 1);
        assert!(n.notes.iter().any(|x| x.contains("1 postmortem")), "{:?}", n.notes);
        assert!(n.notes.iter().any(|x| x.contains("';'")), "{:?}", n.notes);
    }

    #[test]
    fn options_choose_ids_and_component_impact_and_levels() {
        let n = read_text(&format!("[{INCIDENT}]"), &[("services", "id"), ("impact_from", "components")]).unwrap();
        assert_eq!(cells(&n)[0][3], "major");
        assert_eq!(cells(&n)[0][6], "c1;c2");
        let n = read_text(&format!("[{INCIDENT}]"), &[("impact_major", "major")]).unwrap();
        assert_eq!(cells(&n)[0][3], "major");
    }

    #[test]
    fn json_lines_objects_and_maintenances() {
        let lines = format!(
            "{}\n{}\n",
            INCIDENT.replace('\n', " "),
            r#"{"id":"open1","name":"x","status":"investigating","impact":"minor","created_at":"2022-02-01T00:00:00Z","components":[]}"#
        );
        let n = read_text(&lines, &[]).unwrap();
        let c = cells(&n);
        assert_eq!(c[1][3], "degraded");
        assert_eq!(c[1][5], "", "unresolved is open");
        assert_eq!(c[1][6], "*", "no component: every service");
        assert_eq!(n.incidents.as_ref().unwrap().rows[1].source, "line 2 (incident open1)");
        assert!(n.notes.iter().any(|x| x.starts_with("1 records name no component")), "{:?}", n.notes);

        let m = r#"{"scheduled_maintenances":[{"id":"m1","name":"DB upgrade","status":"in_progress","impact":"maintenance",
            "created_at":"2022-03-01T00:00:00Z","scheduled_for":"2022-03-05T10:00:00Z","scheduled_until":"2022-03-05T12:00:00Z",
            "components":[{"id":"c1","name":"Git Operations"}],
            "incident_updates":[{"status":"in_progress","display_at":"2022-03-05T10:07:00Z"},
                                {"status":"completed","display_at":"2022-03-05T11:30:00Z"}]}],
            "incidents":[]}"#;
        let n = read_text(m, &[]).unwrap();
        assert_eq!(
            cells(&n),
            [[
                "m1",
                "DB upgrade",
                "planned_maintenance",
                "none",
                "2022-03-05T10:00:00Z",
                "2022-03-05T12:00:00Z",
                "Git Operations",
                "*",
                "*",
                "2022-03-01T00:00:00Z"
            ]]
        );
        assert_eq!(n.incidents.as_ref().unwrap().rows[0].source, "$.scheduled_maintenances[0] (maintenance m1)");
        let n = read_text(m, &[("maintenance_times", "actual"), ("impact_maintenance", "major")]).unwrap();
        assert_eq!(cells(&n)[0][3..6], ["major", "2022-03-05T10:07:00Z", "2022-03-05T11:30:00Z"]);
        // A single incident response, `{"incident": {...}}`.
        let n = read_text(&format!("{{\"incident\": {INCIDENT}}}"), &[]).unwrap();
        assert_eq!(n.incidents.as_ref().unwrap().rows[0].source, "$.incident (incident abc)");
    }

    #[test]
    fn every_error_names_its_record() {
        let err = |text: &str| read_text(text, &[]).expect_err("an error").0;
        assert_eq!(err(""), "sp.json: the file is empty (no JSON value)");
        assert_eq!(err("[{\"id\": \"a\",}]"), "sp.json:1:13: malformed JSON: trailing comma");
        assert!(err("{\"id\":\"a\"}\n{\"id\" 1}\n").starts_with("sp.json:2:7: malformed JSON: expected `:`"));
        assert_eq!(err("[{\"name\": \"x\"}]"), "sp.json: $[0]: missing field \"id\"");
        assert_eq!(
            err("{\"id\":\"a\",\"impact\":\"minor\",\"created_at\":\"2022-01-01T00:00:00Z\"}\n{\"name\":\"b\"}"),
            "sp.json:2: missing field \"id\""
        );
        assert_eq!(
            err("[{\"id\":\"a\",\"impact\":\"minor\",\"status\":\"resolved\"}]"),
            "sp.json: $[0] (incident a): no start: started_at, created_at or an update"
        );
        assert_eq!(
            err("[{\"id\":\"a\",\"impact\":\"minor\",\"started_at\":5}]"),
            "sp.json: $[0] (incident a): field \"started_at\": expected text, found a number"
        );
        assert!(
            err("[{\"id\":\"a\",\"impact\":\"minor\",\"started_at\":\"yesterday\"}]")
                .starts_with("sp.json: $[0] (incident a): field \"started_at\": ")
        );
        assert_eq!(
            err("[{\"id\":\"a\",\"impact\":\"huge\",\"started_at\":\"2022-01-01T00:00:00Z\"}]"),
            "sp.json: $[0] (incident a): field \"impact\": unknown impact \"huge\", expected one of: critical, major, minor, none, maintenance"
        );
        assert_eq!(
            err(
                "[{\"id\":\"a\",\"impact\":\"minor\",\"status\":\"resolved\",\"started_at\":\"2022-01-01T00:00:00Z\"}]"
            ),
            "sp.json: $[0] (incident a): status resolved, but no resolved_at and no resolved update"
        );
        assert_eq!(
            err("[{\"id\":\"a\",\"impact\":\"minor\",\"started_at\":\"2022-01-01T00:00:00Z\",\"components\":{}}]"),
            "sp.json: $[0] (incident a): field \"components\": expected an array, found an object"
        );
        assert_eq!(err("[3]"), "sp.json: $[0]: expected an object, found a number");
        assert_eq!(
            err("\"x\""),
            "sp.json: expected a JSON array of incidents, an object with \"incidents\" or \"scheduled_maintenances\", or JSON lines; found text"
        );
        assert_eq!(err("{\"incidents\": 3}"), "sp.json: $: field \"incidents\": expected an array, found a number");
        let e = read_text("[]", &[("impact_minor", "small")]).err().unwrap().0;
        assert_eq!(e, "sp.json: options: impact_minor = \"small\": expected one of: major, partial, degraded, none");
        let e = read_text("[]", &[("region", "eu")]).err().unwrap().0;
        assert!(e.starts_with("sp.json: options: unknown option \"region\" for format statuspage, expected one of: services, impact_from,"), "{e}");
    }
}
