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

fn settings(display: &str, options: &Options) -> Result<Settings, InputError> {
    super::check_keys(display, options, &OPTIONS)?;
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

/// Runs `sql` and hands each row, as `map` reads it, to `each` in turn: an SQLite error
/// stops the reading (the database is unreadable), and so does an error of `each`.
fn each_sql_row<T>(
    db: &Connection,
    display: &str,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
    mut each: impl FnMut(T) -> Result<(), InputError>,
) -> Result<(), InputError> {
    let mut st = db.prepare(sql).map_err(|e| sql_error(display, e))?;
    let rows = st.query_map(params, map).map_err(|e| sql_error(display, e))?;
    for row in rows {
        each(row.map_err(|e| sql_error(display, e))?)?;
    }
    Ok(())
}

/// Every row of `sql`, as `map` reads it: all are read before any is used.
fn all_rows<T>(
    db: &Connection,
    display: &str,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
) -> Result<Vec<T>, InputError> {
    let mut rows = Vec::new();
    each_sql_row(db, display, sql, params, map, |row| {
        rows.push(row);
        Ok(())
    })?;
    Ok(rows)
}

fn table_columns(db: &Connection, display: &str, table: &str) -> Result<BTreeSet<String>, InputError> {
    let cols = all_rows(db, display, &format!("PRAGMA table_info({table})"), (), |r| r.get::<_, String>(1))?;
    Ok(cols.into_iter().collect())
}

/// A status-like class of one beat: what the check row says.
#[derive(Clone, Copy)]
struct Beat {
    id: i64,
    at: Instant,
    status: i64,
}

pub(crate) fn read(path: &Path, display: &str, options: &Options, now: Instant) -> Result<Native, InputError> {
    let s = settings(display, options)?;
    let (db, tables) = open(path, display)?;
    let monitors = monitors(&db, display, &s, &tables)?;
    let mut k = Kuma { db, display, s, tables, monitors, records: 0, notes: Vec::new() };
    let mut checks = Canonical { columns: CHECK_COLUMNS.to_vec(), rows: Vec::new() };
    let beats = k.heartbeats(&mut checks.rows)?;
    k.pruned_time_checks(&beats, &mut checks.rows)?;
    k.intervals_note();
    let mut incidents = Canonical { columns: INCIDENT_COLUMNS.to_vec(), rows: Vec::new() };
    let windows = k.maintenances(&mut incidents.rows)?;
    k.observed_maintenance(&beats, &windows, now, &mut incidents.rows);
    if !incidents.rows.is_empty() && k.s.announced == Announced::None {
        k.notes.push(
            "maintenance windows have no announcement time in Kuma: announced_at is empty, so they exclude nothing (option announced = \"start\" or \"72h\" to state it)".into(),
        );
    }
    Ok(Native {
        checks: Some(checks),
        checks_are_events: false,
        outages: None,
        incidents: if incidents.rows.is_empty() { None } else { Some(incidents) },
        records: k.records,
        notes: k.notes,
    })
}

/// Opens the file read-only once its header says SQLite, with the names of its tables, which
/// must include Kuma's `monitor` and `heartbeat`.
fn open(path: &Path, display: &str) -> Result<(Connection, BTreeSet<String>), InputError> {
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
    let tables: BTreeSet<String> =
        all_rows(&db, display, "SELECT name FROM sqlite_master WHERE type = 'table'", (), |r| r.get::<_, String>(0))?
            .into_iter()
            .collect();
    for t in ["monitor", "heartbeat"] {
        if !tables.contains(t) {
            return Err(InputError(format!("{display}: no table {t}: not an Uptime Kuma database")));
        }
    }
    Ok((db, tables))
}

/// Each monitor's first non-empty value of the tag named by option `region_tag`.
fn region_tags(
    db: &Connection,
    display: &str,
    tag: &str,
    tables: &BTreeSet<String>,
) -> Result<HashMap<i64, String>, InputError> {
    if !(tables.contains("tag") && tables.contains("monitor_tag")) {
        return Err(InputError(format!("{display}: options: region_tag: the database has no tag tables")));
    }
    let mut region_of: HashMap<i64, String> = HashMap::new();
    each_sql_row(
        db,
        display,
        "SELECT mt.monitor_id, mt.value FROM monitor_tag mt JOIN tag t ON t.id = mt.tag_id WHERE t.name = ?1 ORDER BY mt.id",
        [tag],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?)),
        |(m, v)| {
            let v = v.unwrap_or_default();
            if !v.trim().is_empty() {
                region_of.entry(m).or_insert_with(|| v.trim().to_string());
            }
            Ok(())
        },
    )?;
    Ok(region_of)
}

/// The monitors by id, each with its service (name or id, option `services`) and region
/// (`kuma`, or its region tag: then every monitor must have one).
fn monitors(
    db: &Connection,
    display: &str,
    s: &Settings,
    tables: &BTreeSet<String>,
) -> Result<BTreeMap<i64, Monitor>, InputError> {
    let region_of = match &s.region_tag {
        Some(tag) => region_tags(db, display, tag, tables)?,
        None => HashMap::new(),
    };
    let mut monitors: BTreeMap<i64, Monitor> = BTreeMap::new();
    each_sql_row(
        db,
        display,
        "SELECT id, name, interval FROM monitor ORDER BY id",
        (),
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<i64>>(2)?)),
        |(id, name, interval)| {
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
            Ok(())
        },
    )?;
    Ok(monitors)
}

/// `monitor 3 "API"` (or `monitor 3` for an id no monitor has): a monitor in messages.
fn label(monitors: &BTreeMap<i64, Monitor>, id: i64) -> String {
    match monitors.get(&id) {
        Some(m) => format!("monitor {id} {}", quote(&m.name)),
        None => format!("monitor {id}"),
    }
}

/// A check row of a monitor.
fn check(source: String, at: Instant, m: &Monitor, word: &str) -> Row {
    Row { source, cells: vec![instant_text(at), m.service.clone(), m.region.clone(), "kuma".into(), word.into()] }
}

/// The open database and what the stages after the monitors share.
struct Kuma<'a> {
    db: Connection,
    display: &'a str,
    s: Settings,
    tables: BTreeSet<String>,
    monitors: BTreeMap<i64, Monitor>,
    /// Source records read (heartbeats, buckets, maintenances).
    records: usize,
    notes: Vec<String>,
}

impl Kuma<'_> {
    /// Every heartbeat as a check row; returned by monitor, in time order, for the stages
    /// that look at runs of beats.
    fn heartbeats(&mut self, checks: &mut Vec<Row>) -> Result<BTreeMap<i64, Vec<Beat>>, InputError> {
        let (display, monitors, s) = (self.display, &self.monitors, &self.s);
        let mut beats: BTreeMap<i64, Vec<Beat>> = BTreeMap::new();
        let mut records = 0usize;
        let mut pending = 0usize;
        each_sql_row(
            &self.db,
            display,
            "SELECT id, monitor_id, status, time FROM heartbeat ORDER BY monitor_id, time, id",
            (),
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, rusqlite::types::Value>(3)?,
                ))
            },
            |(id, mid, status, time)| {
                records += 1;
                let place = format!("heartbeat rowid {id} ({})", label(monitors, mid));
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
                checks.push(check(place, at, m, word));
                Ok(())
            },
        )?;
        self.records += records;
        if pending > 0 {
            self.notes.push(format!("{pending} pending heartbeats (status 2) read as {} (option pending)", s.pending));
        }
        Ok(beats)
    }

    /// 2.x aggregates for pruned time, finest first: each bucket used becomes its beats as
    /// synthetic check rows.
    fn pruned_time_checks(
        &mut self,
        beats: &BTreeMap<i64, Vec<Beat>>,
        checks: &mut Vec<Row>,
    ) -> Result<(), InputError> {
        let mut used: BTreeMap<i64, Vec<(Instant, Instant)>> = BTreeMap::new();
        let mut synthetic = 0usize;
        for (table, len) in [("stat_minutely", 60i64), ("stat_hourly", 3600), ("stat_daily", 86_400)] {
            if !self.tables.contains(table) {
                continue;
            }
            let this = self.bucket_table(table, len, beats, &used, checks, &mut synthetic)?;
            for (mid, spans) in this {
                used.entry(mid).or_default().extend(spans);
            }
        }
        if synthetic > 0 {
            self.notes.push(format!(
                "{synthetic} checks made from stat_minutely/stat_hourly/stat_daily buckets of time whose heartbeats were pruned (each bucket's beats spread evenly over it, down beats first)"
            ));
        }
        Ok(())
    }

    /// The buckets of one `stat_*` table (`len` seconds each) that end at or before their
    /// monitor's first kept heartbeat and hold no finer bucket already `used`: each one's
    /// beats spread evenly over it, down first, then up, then maintenance. Returns the spans
    /// of the buckets used, by monitor.
    fn bucket_table(
        &mut self,
        table: &str,
        len: i64,
        beats: &BTreeMap<i64, Vec<Beat>>,
        used: &BTreeMap<i64, Vec<(Instant, Instant)>>,
        checks: &mut Vec<Row>,
        synthetic: &mut usize,
    ) -> Result<BTreeMap<i64, Vec<(Instant, Instant)>>, InputError> {
        let cols = table_columns(&self.db, self.display, table)?;
        let extras = if cols.contains("extras") { "extras" } else { "NULL" };
        let monitors = &self.monitors;
        let mut records = 0usize;
        let mut this: BTreeMap<i64, Vec<(Instant, Instant)>> = BTreeMap::new();
        each_sql_row(
            &self.db,
            self.display,
            &format!(
                "SELECT id, monitor_id, timestamp, up, down, {extras} FROM {table} ORDER BY monitor_id, timestamp"
            ),
            (),
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            },
            |(id, mid, start, up, down, extras)| {
                records += 1;
                let end = start + len;
                // Heartbeats are pruned oldest first: a bucket is for time before the first kept one.
                let raw = beats.get(&mid).and_then(|b| b.first()).is_some_and(|first| end > first.at);
                let finer = used.get(&mid).is_some_and(|spans| spans.iter().any(|&(a, b)| a < end && start < b));
                if raw || finer {
                    return Ok(());
                }
                let maintenance = extras
                    .and_then(|e| serde_json::from_str::<serde_json::Value>(&e).ok())
                    .and_then(|v| v.get("maintenance").and_then(serde_json::Value::as_i64))
                    .unwrap_or(0);
                let (up, down, maintenance) = (up.max(0), down.max(0), maintenance.max(0));
                let n = up + down + maintenance;
                let Some(m) = monitors.get(&mid) else { return Ok(()) };
                if n == 0 {
                    return Ok(());
                }
                this.entry(mid).or_default().push((start, end));
                let place = format!(
                    "{table} rowid {id} ({}, {}: {up} up, {down} down, {maintenance} maintenance)",
                    label(monitors, mid),
                    instant_text(start)
                );
                for k in 0..n {
                    let word = if k < down {
                        "down"
                    } else if k < down + up {
                        "up"
                    } else {
                        "unknown"
                    };
                    *synthetic += 1;
                    checks.push(check(place.clone(), start + k * len / n, m, word));
                }
                Ok(())
            },
        )?;
        self.records += records;
        Ok(this)
    }

    /// Monitor intervals, for max_gap_seconds.
    fn intervals_note(&mut self) {
        let mut intervals: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
        for m in self.monitors.values() {
            intervals.entry(m.interval).or_default().push(&m.name);
        }
        if let Some((&longest, _)) = intervals.iter().next_back() {
            let list: Vec<String> =
                intervals.iter().map(|(i, names)| format!("{i} s ({})", names.join(", "))).collect();
            self.notes.push(format!(
                "monitor intervals: {}; set [monitoring] max_gap_seconds to the interval (at least {longest}) so a missed beat is a gap",
                list.join("; ")
            ));
        }
    }

    /// A maintenance window's `announced_at` (option `announced`).
    fn announce(&self, start: Instant) -> String {
        match self.s.announced {
            Announced::None => String::new(),
            Announced::Start => instant_text(start),
            Announced::Before(secs) => instant_text(start - secs),
        }
    }

    /// The server's time zone setting (`serverTimezone`), for windows in its zone.
    fn server_zone(&self) -> Option<String> {
        if !self.tables.contains("setting") {
            return None;
        }
        self.db
            .query_row("SELECT value FROM setting WHERE key = 'serverTimezone'", [], |r| r.get::<_, Option<String>>(0))
            .ok()
            .flatten()
            .map(|v| serde_json::from_str::<String>(&v).unwrap_or(v))
    }

    /// The active `single` maintenance windows as incidents; returns each monitor's windows.
    /// Windows of the other strategies are only noted: they are read back from the beats.
    fn maintenances(&mut self, incidents: &mut Vec<Row>) -> Result<HashMap<i64, Vec<(Instant, Instant)>>, InputError> {
        let mut windows: HashMap<i64, Vec<(Instant, Instant)>> = HashMap::new();
        if !(self.tables.contains("maintenance") && self.tables.contains("monitor_maintenance")) {
            return Ok(windows);
        }
        let server_zone = self.server_zone();
        let cols = table_columns(&self.db, self.display, "maintenance")?;
        let tz_col = if cols.contains("timezone") { "timezone" } else { "NULL" };
        let rows = all_rows(
            &self.db,
            self.display,
            &format!("SELECT id, title, strategy, active, start_date, end_date, {tz_col} FROM maintenance ORDER BY id"),
            (),
            |r| {
                Ok(Maintenance {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    strategy: r.get(2)?,
                    active: r.get(3)?,
                    start: r.get(4)?,
                    end: r.get(5)?,
                    zone: r.get(6)?,
                })
            },
        )?;
        let mut other = Vec::new();
        for w in rows {
            self.records += 1;
            let strategy = w.strategy.clone().unwrap_or_default();
            if strategy != "single" {
                other.push(format!("{} ({strategy})", w.id));
                continue;
            }
            if w.active == Some(false) {
                self.notes.push(format!("maintenance {} is inactive: not read", w.id));
                continue;
            }
            if let Some(row) = self.single_window(w, server_zone.as_deref(), &mut windows)? {
                incidents.push(row);
            }
        }
        if !other.is_empty() {
            self.notes.push(format!(
                "maintenance {}: windows of these strategies are computed by Kuma, not stored; read back from runs of status-3 heartbeats",
                other.join(", ")
            ));
        }
        Ok(windows)
    }

    /// One active `single` window, in its time zone (or the server's, or UTC), as an incident
    /// scoped to its monitors, added to their `windows`; none when it affects no monitor.
    fn single_window(
        &mut self,
        w: Maintenance,
        server_zone: Option<&str>,
        windows: &mut HashMap<i64, Vec<(Instant, Instant)>>,
    ) -> Result<Option<Row>, InputError> {
        let (display, id) = (self.display, w.id);
        let place = format!("maintenance rowid {id}");
        let zone_name = match w.zone.as_deref() {
            None | Some("") | Some("SAME_AS_SERVER") => server_zone.map(str::to_string).unwrap_or_else(|| "UTC".into()),
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
        let (start, end) = (at(&w.start, "start_date")?, at(&w.end, "end_date")?);
        let mids: Vec<i64> = all_rows(
            &self.db,
            display,
            "SELECT monitor_id FROM monitor_maintenance WHERE maintenance_id = ?1 ORDER BY monitor_id",
            [id],
            |r| r.get(0),
        )?;
        let services: Vec<String> =
            mids.iter().filter_map(|m| self.monitors.get(m)).map(|m| m.service.clone()).collect();
        if services.is_empty() {
            self.notes.push(format!("maintenance {id} affects no monitor: not read"));
            return Ok(None);
        }
        for m in &mids {
            windows.entry(*m).or_default().push((start, end));
        }
        Ok(Some(self.maintenance_row(
            place,
            format!("kuma-maintenance-{id}"),
            w.title.unwrap_or_default(),
            (start, end),
            services.join(";"),
        )))
    }

    /// Runs of maintenance beats outside a `single` window: observed maintenance, one
    /// incident per run, ending at the next beat (or one interval on, at most `now`).
    fn observed_maintenance(
        &self,
        beats: &BTreeMap<i64, Vec<Beat>>,
        windows: &HashMap<i64, Vec<(Instant, Instant)>>,
        now: Instant,
        incidents: &mut Vec<Row>,
    ) {
        for (mid, list) in beats {
            let Some(m) = self.monitors.get(mid) else { continue };
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
                incidents.push(self.maintenance_row(
                    format!(
                        "heartbeat rowid {} ({}): {} maintenance beats",
                        list[first].id,
                        label(&self.monitors, *mid),
                        k - first
                    ),
                    format!("kuma-maintenance-monitor-{mid}-{start}"),
                    format!("{} under maintenance", m.name),
                    (start, end),
                    m.service.clone(),
                ));
            }
        }
    }

    /// A `planned_maintenance` incident row of no impact, every region and customer.
    fn maintenance_row(
        &self,
        source: String,
        id: String,
        title: String,
        (start, end): (Instant, Instant),
        services: String,
    ) -> Row {
        Row {
            source,
            cells: vec![
                id,
                title,
                "planned_maintenance".into(),
                "none".into(),
                instant_text(start),
                instant_text(end),
                services,
                "*".into(),
                "*".into(),
                self.announce(start),
            ],
        }
    }
}

/// A row of the `maintenance` table.
struct Maintenance {
    id: i64,
    title: Option<String>,
    strategy: Option<String>,
    active: Option<bool>,
    start: Option<String>,
    end: Option<String>,
    zone: Option<String>,
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
