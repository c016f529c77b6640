//! Uptime Kuma's SQLite database (`kuma.db`), versions 1.23 and 2.x, read-only.
//!
//! - `heartbeat` rows are probe checks: status 0 down, 1 up, 2 pending (option `pending`,
//!   default down, as Kuma's own uptime counts it), 3 maintenance (unknown: no data).
//! - 2.x `stat_minutely` / `stat_hourly` / `stat_daily` buckets (up and down counts) give
//!   synthetic checks for the time whose heartbeats were pruned: a bucket is used only when
//!   it ends at or before its monitor's first kept heartbeat (Kuma prunes the oldest first)
//!   and no finer bucket used lies inside it; its `n = up + down +
//!   maintenance` beats are spread evenly over the bucket (`start + floor(k × length / n)`),
//!   the down beats first, then the up beats, then the maintenance beats (unknown).
//! - `single` maintenance windows become `planned_maintenance` incidents scoped to their
//!   monitors; windows of the other strategies (manual, recurring, cron) are computed by
//!   Kuma and not stored, so they are read back from the heartbeats: each run of status-3
//!   beats of a monitor not inside a `single` window of it becomes one incident.
//!
//! See the README section "Uptime Kuma" for every mapping choice.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use chrono::{NaiveDateTime, TimeZone};
use rusqlite::{Connection, OpenFlags};

use super::{Canonical, Native, Options, Row, instant_text};
use crate::core::interval::Instant;
use crate::load::table::{InputError, quote};

const OPTIONS: [&str; 4] = ["announced", "pending", "region_tag", "services"];

const CHECK_COLUMNS: [&str; 5] = ["timestamp", "service", "region", "location", "status"];
const INCIDENT_COLUMNS: [&str; 10] =
    ["incident_id", "title", "category", "impact", "start", "end", "services", "regions", "customers", "announced_at"];

/// How a maintenance window's `announced_at` is filled: Kuma stores no creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Announced {
    /// Empty: the window excludes nothing (the contract needs notice).
    None,
    /// The window's own start: excludes under a tier with `maintenance_notice_hours = 0`.
    Start,
    /// The operator's statement that every window was announced this many seconds ahead.
    Before(i64),
}

struct Settings {
    by_id: bool,
    region_tag: Option<String>,
    pending: &'static str,
    announced: Announced,
}

fn option_error(display: &str, key: &str, value: &str, expected: &str) -> InputError {
    InputError(format!("{display}: options: {key}: unknown value {}, expected {expected}", quote(value)))
}

/// Unknown option keys are errors naming the valid ones.
pub(super) fn check_keys(display: &str, options: &Options, valid: &[&str]) -> Result<(), InputError> {
    for key in options.keys() {
        if !valid.contains(&key.as_str()) {
            return Err(InputError(format!(
                "{display}: options: unknown option {}, expected one of: {}",
                quote(key),
                valid.join(", ")
            )));
        }
    }
    Ok(())
}

fn settings(display: &str, options: &Options) -> Result<Settings, InputError> {
    check_keys(display, options, &OPTIONS)?;
    let get = |k: &str| options.get(k).map(String::as_str);
    let by_id = match get("services").unwrap_or("name") {
        "name" => false,
        "id" => true,
        v => return Err(option_error(display, "services", v, "name or id")),
    };
    let pending = match get("pending").unwrap_or("down") {
        "down" => "down",
        "up" => "up",
        "unknown" => "unknown",
        v => return Err(option_error(display, "pending", v, "down, up or unknown")),
    };
    let announced = match get("announced").unwrap_or("none") {
        "none" => Announced::None,
        "start" => Announced::Start,
        v => match v.strip_suffix('h').and_then(|h| h.parse::<u32>().ok()).filter(|&h| h <= 8784) {
            Some(h) => Announced::Before(i64::from(h) * 3600),
            None => {
                return Err(option_error(display, "announced", v, "none, start or hours before the start like 72h"));
            }
        },
    };
    let region_tag = get("region_tag").map(str::to_string);
    if region_tag.as_deref() == Some("") {
        return Err(InputError(format!("{display}: options: region_tag: empty tag name")));
    }
    Ok(Settings { by_id, region_tag, pending, announced })
}

/// Kuma's UTC text `YYYY-MM-DD HH:MM:SS(.sss)` (also with `T` or a trailing `Z`).
fn parse_utc(text: &str) -> Option<Instant> {
    let t = text.trim().trim_end_matches('Z').replacen('T', " ", 1);
    let t = t.split('.').next()?;
    NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok().map(|d| d.and_utc().timestamp())
}

/// A maintenance's local date-time (`YYYY-MM-DD HH:MM(:SS)`) in its zone.
fn parse_local(text: &str, tz: chrono_tz::Tz) -> Option<Instant> {
    let t = text.trim().replacen('T', " ", 1);
    let t = t.split('.').next()?;
    let naive = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .ok()?;
    tz.from_local_datetime(&naive).earliest().map(|d| d.timestamp())
}

struct Monitor {
    name: String,
    service: String,
    region: String,
    interval: i64,
}

fn sql_error(display: &str, e: rusqlite::Error) -> InputError {
    InputError(format!("{display}: cannot read the Uptime Kuma database: {e}"))
}

fn table_columns(db: &Connection, display: &str, table: &str) -> Result<BTreeSet<String>, InputError> {
    let mut st = db.prepare(&format!("PRAGMA table_info({table})")).map_err(|e| sql_error(display, e))?;
    let cols = st
        .query_map([], |r| r.get::<_, String>(1))
        .map_err(|e| sql_error(display, e))?
        .collect::<Result<BTreeSet<_>, _>>()
        .map_err(|e| sql_error(display, e))?;
    Ok(cols)
}

/// A status-like class of one beat: what the check row says.
#[derive(Clone, Copy)]
struct Beat {
    id: i64,
    at: Instant,
    status: i64,
}

pub fn read(path: &Path, display: &str, options: &Options, now: Instant) -> Result<Native, InputError> {
    let s = settings(display, options)?;
    let mut head = [0u8; 16];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| InputError(format!("{display}: cannot read: {e}")))?;
    if n < 16 || &head != b"SQLite format 3\0" {
        return Err(InputError(format!(
            "{display}: not an SQLite database (format uptime-kuma reads Uptime Kuma's kuma.db)"
        )));
    }
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| sql_error(display, e))?;
    let tables: BTreeSet<String> = {
        let mut st =
            db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").map_err(|e| sql_error(display, e))?;
        st.query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| sql_error(display, e))?
            .collect::<Result<_, _>>()
            .map_err(|e| sql_error(display, e))?
    };
    for t in ["monitor", "heartbeat"] {
        if !tables.contains(t) {
            return Err(InputError(format!("{display}: no table {t}: not an Uptime Kuma database")));
        }
    }
    let mut notes = Vec::new();

    // Monitors, with the region tag.
    let mut region_of: HashMap<i64, String> = HashMap::new();
    if let Some(tag) = &s.region_tag {
        if !(tables.contains("tag") && tables.contains("monitor_tag")) {
            return Err(InputError(format!("{display}: options: region_tag: the database has no tag tables")));
        }
        let mut st = db
            .prepare("SELECT mt.monitor_id, mt.value FROM monitor_tag mt JOIN tag t ON t.id = mt.tag_id WHERE t.name = ?1 ORDER BY mt.id")
            .map_err(|e| sql_error(display, e))?;
        let rows = st
            .query_map([tag], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?)))
            .map_err(|e| sql_error(display, e))?;
        for row in rows {
            let (m, v) = row.map_err(|e| sql_error(display, e))?;
            let v = v.unwrap_or_default();
            if !v.trim().is_empty() {
                region_of.entry(m).or_insert_with(|| v.trim().to_string());
            }
        }
    }
    let mut monitors: BTreeMap<i64, Monitor> = BTreeMap::new();
    {
        let mut st =
            db.prepare("SELECT id, name, interval FROM monitor ORDER BY id").map_err(|e| sql_error(display, e))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<i64>>(2)?)))
            .map_err(|e| sql_error(display, e))?;
        for row in rows {
            let (id, name, interval) = row.map_err(|e| sql_error(display, e))?;
            let name = name.unwrap_or_default();
            let service = if s.by_id { id.to_string() } else { name.clone() };
            let region = match &s.region_tag {
                None => "kuma".to_string(),
                Some(tag) => match region_of.get(&id) {
                    Some(r) => r.clone(),
                    None => {
                        return Err(InputError(format!(
                            "{display}: monitor {id} {}: no value for tag {} (option region_tag); tag every monitor or drop the option",
                            quote(&name),
                            quote(tag)
                        )));
                    }
                },
            };
            monitors.insert(id, Monitor { name, service, region, interval: interval.unwrap_or(0) });
        }
    }
    let label = |id: i64| match monitors.get(&id) {
        Some(m) => format!("monitor {id} {}", quote(&m.name)),
        None => format!("monitor {id}"),
    };

    // Heartbeats.
    let mut checks = Canonical { columns: CHECK_COLUMNS.to_vec(), rows: Vec::new() };
    let mut beats: BTreeMap<i64, Vec<Beat>> = BTreeMap::new();
    let mut records = 0usize;
    let mut pending = 0usize;
    {
        let mut st = db
            .prepare("SELECT id, monitor_id, status, time FROM heartbeat ORDER BY monitor_id, time, id")
            .map_err(|e| sql_error(display, e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, rusqlite::types::Value>(3)?,
                ))
            })
            .map_err(|e| sql_error(display, e))?;
        for row in rows {
            let (id, mid, status, time) = row.map_err(|e| sql_error(display, e))?;
            records += 1;
            let place = format!("heartbeat rowid {id} ({})", label(mid));
            let Some(m) = monitors.get(&mid) else {
                return Err(InputError(format!("{display}: {place}: no such monitor")));
            };
            let at = match &time {
                rusqlite::types::Value::Text(t) => parse_utc(t),
                _ => None,
            };
            let Some(at) = at else {
                return Err(InputError(format!(
                    "{display}: {place}: column 'time': expected UTC text like 2026-10-03 14:05:00.000, found {}",
                    match &time {
                        rusqlite::types::Value::Text(t) => quote(t),
                        rusqlite::types::Value::Null => "NULL".into(),
                        other => format!("{other:?}"),
                    }
                )));
            };
            let word = match status {
                0 => "down",
                1 => "up",
                2 => {
                    pending += 1;
                    s.pending
                }
                3 => "unknown",
                other => {
                    return Err(InputError(format!(
                        "{display}: {place}: column 'status': unknown heartbeat status {other}, expected 0 (down), 1 (up), 2 (pending) or 3 (maintenance)"
                    )));
                }
            };
            beats.entry(mid).or_default().push(Beat { id, at, status });
            checks.rows.push(Row {
                source: place,
                cells: vec![instant_text(at), m.service.clone(), m.region.clone(), "kuma".into(), word.into()],
            });
        }
    }
    if pending > 0 {
        notes.push(format!("{pending} pending heartbeats (status 2) read as {} (option pending)", s.pending));
    }

    // 2.x aggregates for pruned time, finest first.
    let mut used: BTreeMap<i64, Vec<(Instant, Instant)>> = BTreeMap::new();
    let mut synthetic = 0usize;
    for (table, len) in [("stat_minutely", 60i64), ("stat_hourly", 3600), ("stat_daily", 86_400)] {
        if !tables.contains(table) {
            continue;
        }
        let cols = table_columns(&db, display, table)?;
        let extras = if cols.contains("extras") { "extras" } else { "NULL" };
        let mut st = db
            .prepare(&format!(
                "SELECT id, monitor_id, timestamp, up, down, {extras} FROM {table} ORDER BY monitor_id, timestamp"
            ))
            .map_err(|e| sql_error(display, e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(|e| sql_error(display, e))?;
        let mut this: BTreeMap<i64, Vec<(Instant, Instant)>> = BTreeMap::new();
        for row in rows {
            let (id, mid, start, up, down, extras) = row.map_err(|e| sql_error(display, e))?;
            records += 1;
            let end = start + len;
            // Heartbeats are pruned oldest first: a bucket is for time before the first kept one.
            let raw = beats.get(&mid).and_then(|b| b.first()).is_some_and(|first| end > first.at);
            let finer = used.get(&mid).is_some_and(|spans| spans.iter().any(|&(a, b)| a < end && start < b));
            if raw || finer {
                continue;
            }
            let maintenance = extras
                .and_then(|e| serde_json::from_str::<serde_json::Value>(&e).ok())
                .and_then(|v| v.get("maintenance").and_then(serde_json::Value::as_i64))
                .unwrap_or(0);
            let (up, down, maintenance) = (up.max(0), down.max(0), maintenance.max(0));
            let n = up + down + maintenance;
            let Some(m) = monitors.get(&mid) else { continue };
            if n == 0 {
                continue;
            }
            this.entry(mid).or_default().push((start, end));
            let place = format!(
                "{table} rowid {id} ({}, {}: {up} up, {down} down, {maintenance} maintenance)",
                label(mid),
                instant_text(start)
            );
            for k in 0..n {
                let at = start + k * len / n;
                let word = if k < down {
                    "down"
                } else if k < down + up {
                    "up"
                } else {
                    "unknown"
                };
                synthetic += 1;
                checks.rows.push(Row {
                    source: place.clone(),
                    cells: vec![instant_text(at), m.service.clone(), m.region.clone(), "kuma".into(), word.into()],
                });
            }
        }
        for (mid, spans) in this {
            used.entry(mid).or_default().extend(spans);
        }
    }
    if synthetic > 0 {
        notes.push(format!(
            "{synthetic} checks made from stat_minutely/stat_hourly/stat_daily buckets of time whose heartbeats were pruned (each bucket's beats spread evenly over it, down beats first)"
        ));
    }

    // Monitor intervals, for max_gap_seconds.
    let mut intervals: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    for m in monitors.values() {
        intervals.entry(m.interval).or_default().push(&m.name);
    }
    if let Some((&longest, _)) = intervals.iter().next_back() {
        let list: Vec<String> = intervals.iter().map(|(i, names)| format!("{i} s ({})", names.join(", "))).collect();
        notes.push(format!(
            "monitor intervals: {}; set [monitoring] max_gap_seconds to the interval (at least {longest}) so a missed beat is a gap",
            list.join("; ")
        ));
    }

    // Maintenance windows.
    let mut incidents = Canonical { columns: INCIDENT_COLUMNS.to_vec(), rows: Vec::new() };
    let mut windows: HashMap<i64, Vec<(Instant, Instant)>> = HashMap::new();
    let announce = |start: Instant| match s.announced {
        Announced::None => String::new(),
        Announced::Start => instant_text(start),
        Announced::Before(secs) => instant_text(start - secs),
    };
    if tables.contains("maintenance") && tables.contains("monitor_maintenance") {
        let server_zone: Option<String> = if tables.contains("setting") {
            db.query_row("SELECT value FROM setting WHERE key = 'serverTimezone'", [], |r| {
                r.get::<_, Option<String>>(0)
            })
            .ok()
            .flatten()
            .map(|v| serde_json::from_str::<String>(&v).unwrap_or(v))
        } else {
            None
        };
        let cols = table_columns(&db, display, "maintenance")?;
        let tz_col = if cols.contains("timezone") { "timezone" } else { "NULL" };
        let mut st = db
            .prepare(&format!(
                "SELECT id, title, strategy, active, start_date, end_date, {tz_col} FROM maintenance ORDER BY id"
            ))
            .map_err(|e| sql_error(display, e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<bool>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })
            .map_err(|e| sql_error(display, e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| sql_error(display, e))?;
        let mut other = Vec::new();
        for (id, title, strategy, active, start, end, zone) in rows {
            records += 1;
            let place = format!("maintenance rowid {id}");
            let strategy = strategy.unwrap_or_default();
            if strategy != "single" {
                other.push(format!("{id} ({strategy})"));
                continue;
            }
            if active == Some(false) {
                notes.push(format!("maintenance {id} is inactive: not read"));
                continue;
            }
            let zone_name = match zone.as_deref() {
                None | Some("") | Some("SAME_AS_SERVER") => server_zone.clone().unwrap_or_else(|| "UTC".into()),
                Some(z) => z.to_string(),
            };
            let tz = chrono_tz::Tz::from_str(&zone_name).map_err(|_| {
                InputError(format!("{display}: {place}: column 'timezone': unknown time zone {}", quote(&zone_name)))
            })?;
            let at = |v: &Option<String>, col: &str| {
                v.as_deref().and_then(|t| parse_local(t, tz)).ok_or_else(|| {
                    InputError(format!(
                        "{display}: {place}: column '{col}': expected a date-time like 2026-10-03 14:05:00, found {}",
                        quote(v.as_deref().unwrap_or(""))
                    ))
                })
            };
            let (start, end) = (at(&start, "start_date")?, at(&end, "end_date")?);
            let mut st = db
                .prepare("SELECT monitor_id FROM monitor_maintenance WHERE maintenance_id = ?1 ORDER BY monitor_id")
                .map_err(|e| sql_error(display, e))?;
            let mids: Vec<i64> = st
                .query_map([id], |r| r.get(0))
                .map_err(|e| sql_error(display, e))?
                .collect::<Result<_, _>>()
                .map_err(|e| sql_error(display, e))?;
            let services: Vec<String> =
                mids.iter().filter_map(|m| monitors.get(m)).map(|m| m.service.clone()).collect();
            if services.is_empty() {
                notes.push(format!("maintenance {id} affects no monitor: not read"));
                continue;
            }
            for m in &mids {
                windows.entry(*m).or_default().push((start, end));
            }
            incidents.rows.push(Row {
                source: place,
                cells: vec![
                    format!("kuma-maintenance-{id}"),
                    title.unwrap_or_default(),
                    "planned_maintenance".into(),
                    "none".into(),
                    instant_text(start),
                    instant_text(end),
                    services.join(";"),
                    "*".into(),
                    "*".into(),
                    announce(start),
                ],
            });
        }
        if !other.is_empty() {
            notes.push(format!(
                "maintenance {}: windows of these strategies are computed by Kuma, not stored; read back from runs of status-3 heartbeats",
                other.join(", ")
            ));
        }
    }

    // Runs of maintenance beats outside a `single` window: observed maintenance.
    for (mid, list) in &beats {
        let Some(m) = monitors.get(mid) else { continue };
        let own = windows.get(mid).map(Vec::as_slice).unwrap_or(&[]);
        let mut k = 0;
        while k < list.len() {
            if list[k].status != 3 {
                k += 1;
                continue;
            }
            let first = k;
            while k < list.len() && list[k].status == 3 {
                k += 1;
            }
            let start = list[first].at;
            let end = match list.get(k) {
                Some(next) => next.at,
                None => (list[k - 1].at + m.interval.max(1)).min(now.max(list[k - 1].at)),
            };
            if own.iter().any(|&(a, b)| a <= start && end <= b) || end <= start {
                continue;
            }
            incidents.rows.push(Row {
                source: format!(
                    "heartbeat rowid {} ({}): {} maintenance beats",
                    list[first].id,
                    label(*mid),
                    k - first
                ),
                cells: vec![
                    format!("kuma-maintenance-monitor-{mid}-{start}"),
                    format!("{} under maintenance", m.name),
                    "planned_maintenance".into(),
                    "none".into(),
                    instant_text(start),
                    instant_text(end),
                    m.service.clone(),
                    "*".into(),
                    "*".into(),
                    announce(start),
                ],
            });
        }
    }
    if !incidents.rows.is_empty() && s.announced == Announced::None {
        notes.push(
            "maintenance windows have no announcement time in Kuma: announced_at is empty, so they exclude nothing (option announced = \"start\" or \"72h\" to state it)".into(),
        );
    }

    Ok(Native {
        checks: Some(checks),
        checks_are_events: false,
        outages: None,
        incidents: if incidents.rows.is_empty() { None } else { Some(incidents) },
        records,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kuma_times_are_utc_text() {
        assert_eq!(parse_utc("2026-10-01 00:05:00.123"), Some(1_790_813_100));
        assert_eq!(parse_utc("2026-10-01 00:05:00"), Some(1_790_813_100));
        assert_eq!(parse_utc("2026-10-01T00:05:00Z"), Some(1_790_813_100));
        assert_eq!(parse_utc("yesterday"), None);
        let paris = chrono_tz::Europe::Paris;
        assert_eq!(parse_local("2026-10-01 02:05", paris), Some(1_790_813_100));
    }

    #[test]
    fn options_are_checked() {
        let o: Options = [("pendng".to_string(), "up".to_string())].into();
        let e = settings("kuma.db", &o).err().unwrap().0;
        assert_eq!(
            e,
            "kuma.db: options: unknown option \"pendng\", expected one of: announced, pending, region_tag, services"
        );
        let o: Options = [("announced".to_string(), "soon".to_string())].into();
        assert!(settings("kuma.db", &o).err().unwrap().0.contains("expected none, start or hours"));
    }
}
