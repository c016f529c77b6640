//! Uptime Kuma's database read natively (`format = "uptime-kuma"`): a database built from
//! the real 1.23 schema (tests/real-data/uptime-kuma/) with 2.x aggregate tables added,
//! whose monthly uptimes are worked out by hand in tests/real-data/uptime-kuma/README.md.

use std::path::Path;

use rusqlite::{Connection, params};

use crate::workdir::{Workdir, read_csv};

const OCT_1: i64 = 1_790_812_800; // 2026-10-01T00:00:00Z
const STEP: i64 = 300; // every monitor beats every 5 minutes
const DAY: i64 = 86_400;

fn kuma_time(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).unwrap().format("%Y-%m-%d %H:%M:%S%.3f").to_string()
}

/// The 2.x aggregate tables, as the knex migrations create them (create-uptime,
/// hourly-uptime, stat-ping-min-max, stats-extras), and the heartbeat column of 2.x.
const KUMA_2X: &str = "
ALTER TABLE heartbeat ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
CREATE TABLE stat_minutely (id INTEGER PRIMARY KEY AUTOINCREMENT, monitor_id INTEGER NOT NULL REFERENCES monitor(id) ON DELETE CASCADE ON UPDATE CASCADE, timestamp INTEGER NOT NULL, ping FLOAT NOT NULL, up SMALLINT NOT NULL, down SMALLINT NOT NULL, ping_min FLOAT NOT NULL DEFAULT 0, ping_max FLOAT NOT NULL DEFAULT 0, extras TEXT NULL, UNIQUE (monitor_id, timestamp));
CREATE TABLE stat_hourly (id INTEGER PRIMARY KEY AUTOINCREMENT, monitor_id INTEGER NOT NULL REFERENCES monitor(id) ON DELETE CASCADE ON UPDATE CASCADE, timestamp INTEGER NOT NULL, ping FLOAT NOT NULL, up SMALLINT NOT NULL, down SMALLINT NOT NULL, ping_min FLOAT NOT NULL DEFAULT 0, ping_max FLOAT NOT NULL DEFAULT 0, extras TEXT NULL, UNIQUE (monitor_id, timestamp));
CREATE TABLE stat_daily (id INTEGER PRIMARY KEY AUTOINCREMENT, monitor_id INTEGER NOT NULL REFERENCES monitor(id) ON DELETE CASCADE ON UPDATE CASCADE, timestamp INTEGER NOT NULL, ping FLOAT NOT NULL, up SMALLINT NOT NULL, down SMALLINT NOT NULL, ping_min FLOAT NOT NULL DEFAULT 0, ping_max FLOAT NOT NULL DEFAULT 0, extras TEXT NULL, UNIQUE (monitor_id, timestamp));
";

/// A copy of the real schema with October 2026 of three monitors (see the README):
/// API (a `single` maintenance, a 30-minute outage), Web (pending beats every morning, a
/// recurring maintenance seen only in its status-3 beats), DB (heartbeats before Oct 16
/// pruned, left in stat_hourly / stat_daily).
fn build(path: &Path) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real-data/uptime-kuma/kuma-1.23-schema.db");
    std::fs::copy(schema, path).unwrap();
    let mut db = Connection::open(path).unwrap();
    db.execute_batch(KUMA_2X).unwrap();
    let tx = db.transaction().unwrap();
    for (id, name) in [(1, "API"), (2, "Web"), (3, "DB")] {
        tx.execute(
            "INSERT INTO monitor (id, name, interval, type, url) VALUES (?1, ?2, 300, 'http', 'https://example.com')",
            params![id, name],
        )
        .unwrap();
    }
    tx.execute("INSERT INTO tag (id, name, color) VALUES (1, 'region', '#059669')", []).unwrap();
    for m in 1..=3 {
        tx.execute("INSERT INTO monitor_tag (monitor_id, tag_id, value) VALUES (?1, 1, 'eu')", [m]).unwrap();
    }
    // A single window in Paris time (CEST, UTC+2): 2026-10-10 02:00 to 04:00 UTC.
    tx.execute(
        "INSERT INTO maintenance (id, title, description, strategy, start_date, end_date, timezone) VALUES (1, 'Database upgrade', '', 'single', '2026-10-10 04:00:00', '2026-10-10 06:00:00', 'Europe/Paris')",
        [],
    )
    .unwrap();
    tx.execute("INSERT INTO monitor_maintenance (monitor_id, maintenance_id) VALUES (1, 1)", []).unwrap();
    // A weekly window on Sundays 01:00-01:30 UTC: computed by Kuma, not stored.
    tx.execute(
        "INSERT INTO maintenance (id, title, description, strategy, start_time, end_time, weekdays, timezone, duration) VALUES (2, 'Weekly restart', '', 'recurring-weekday', '01:00', '01:30', '[7]', 'UTC', 30)",
        [],
    )
    .unwrap();
    tx.execute("INSERT INTO monitor_maintenance (monitor_id, maintenance_id) VALUES (2, 2)", []).unwrap();

    let mut beat = tx
        .prepare("INSERT INTO heartbeat (monitor_id, status, time, msg, ping, duration, important) VALUES (?1, ?2, ?3, '', 42, 300, 0)")
        .unwrap();
    let beats = 31 * DAY / STEP;
    for k in 0..beats {
        let t = OCT_1 + k * STEP;
        let (day, sec) = ((t - OCT_1) / DAY, (t - OCT_1) % DAY);
        // API: maintenance 2026-10-10 02:00-04:00, down 2026-10-20 12:00-12:30.
        let api = if day == 9 && (7200..14_400).contains(&sec) {
            3
        } else if day == 19 && (43_200..45_000).contains(&sec) {
            0
        } else {
            1
        };
        // Web: pending at 06:00 and 06:05 every day; on the 15th pending 09:00 then down
        // 09:05 and 09:10; maintenance beats on Sunday 2026-10-04 01:00-01:30.
        let web = if (21_600..22_200).contains(&sec) || (day == 14 && sec == 32_400) {
            2
        } else if day == 14 && (32_700..33_300).contains(&sec) {
            0
        } else if day == 3 && (3600..5400).contains(&sec) {
            3
        } else {
            1
        };
        beat.execute(params![1, api, kuma_time(t)]).unwrap();
        beat.execute(params![2, web, kuma_time(t)]).unwrap();
        // DB: heartbeats before Oct 16 were pruned; down 2026-10-25 03:00-03:10.
        if day >= 15 {
            let db = if day == 24 && (10_800..11_400).contains(&sec) { 0 } else { 1 };
            beat.execute(params![3, db, kuma_time(t)]).unwrap();
        }
    }
    drop(beat);
    // DB's aggregates as Kuma keeps them on 2026-11-01: daily for the year, hourly for 30
    // days (from Oct 2), minutely for the last day; the buckets under the kept heartbeats
    // hold figures the reader must not use (they are there to be ignored).
    for day in 0..31 {
        let (up, down) = match day {
            4 => (282, 6),
            7 => (276, 12),
            d if d >= 15 => (1, 287),
            _ => (288, 0),
        };
        tx.execute(
            "INSERT INTO stat_daily (monitor_id, timestamp, ping, up, down) VALUES (3, ?1, 40, ?2, ?3)",
            params![OCT_1 + day * DAY, up, down],
        )
        .unwrap();
    }
    for hour in 24..31 * 24 {
        let t = OCT_1 + hour * 3600;
        let (up, down) = match hour {
            h if h == 4 * 24 => (6, 6),       // Oct 5 00:00
            h if h == 7 * 24 + 12 => (0, 12), // Oct 8 12:00
            h if h >= 15 * 24 => (0, 12),     // under kept heartbeats: ignored
            _ => (12, 0),
        };
        tx.execute(
            "INSERT INTO stat_hourly (monitor_id, timestamp, ping, up, down) VALUES (3, ?1, 40, ?2, ?3)",
            params![t, up, down],
        )
        .unwrap();
    }
    for minute in 0..1440 {
        tx.execute(
            "INSERT INTO stat_minutely (monitor_id, timestamp, ping, up, down) VALUES (3, ?1, 40, 0, 1)",
            params![OCT_1 + 30 * DAY + minute * 60],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

const CUSTOMERS: &str = "customer_id,name,tier,services,regions,monthly_fee,currency
C-API,Api Co,standard,API,eu,1000.00,EUR
C-WEB,Web Co,standard,Web,eu,1000.00,EUR
C-DB,Db Co,standard,DB,eu,1000.00,EUR
";

fn config(options: &str) -> String {
    format!(
        r#"[report]
timezone = "UTC"

[inputs]
customers = "customers.csv"
checks = [{{ path = "kuma.db", format = "uptime-kuma", options = {{ region_tag = "region"{options} }} }}]

[monitoring]
max_gap_seconds = 300
gaps = "down"

[tiers.standard]
target_percent = 99.9
maintenance_notice_hours = 0
credits = [{{ below_percent = 99.9, credit_percent = 10 }}]
"#
    )
}

/// Runs October with these options: (customer, uptime_percent, downtime_seconds).
fn october(w: &Workdir, options: &str) -> Vec<(String, String, String)> {
    w.write("sla.toml", config(options));
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out", "--as-of", "2026-11-02T00:00:00Z"])
        .assert_ok();
    let mut rows: Vec<_> = read_csv(&w.read("out/2026-10/sla_monthly.csv"))
        .into_iter()
        .map(|r| (r["customer_id"].clone(), r["uptime_percent"].clone(), r["downtime_seconds"].clone()))
        .collect();
    rows.sort();
    rows
}

fn row(c: &str, uptime: &str, down: &str) -> (String, String, String) {
    (c.to_string(), uptime.to_string(), down.to_string())
}

#[test]
fn kuma_uptime_per_monitor_equals_the_hand_computed_figures() {
    let w = Workdir::new();
    let db = w.path().join("kuma.db");
    build(&db);
    let before = std::fs::read(&db).unwrap();
    w.write("customers.csv", CUSTOMERS);

    // Maintenance announced at its start, notice 0 h: both windows are excluded.
    // E = 31 × 86,400 = 2,678,400 s (README: tests/real-data/uptime-kuma/README.md).
    assert_eq!(
        october(&w, r#", announced = "start""#),
        [
            row("C-API", "99.9327", "1800"),  // the 30-minute outage; the 2 h window excluded
            row("C-DB", "99.7759", "6000"),   // 1800 (Oct 5, hourly) + 3600 (Oct 8, hourly) + 600 (raw)
            row("C-WEB", "99.2719", "19500"), // 31 × 600 pending + 900 (pending + 2 down)
        ]
    );
    // Pending read as up: Web only loses its two down beats.
    assert_eq!(october(&w, r#", announced = "start", pending = "up""#)[2], row("C-WEB", "99.9775", "600"));
    // No announcement (the default): maintenance is counted, as time without data (gaps = down).
    assert_eq!(
        october(&w, ""),
        [row("C-API", "99.6639", "9000"), row("C-DB", "99.7759", "6000"), row("C-WEB", "99.2047", "21300")]
    );
    let evidence = w.read("out/2026-10/evidence.csv");
    assert!(evidence.contains("maintenance kuma-maintenance-1 was not announced"), "{evidence}");
    // The database is never modified.
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn kuma_problems_are_one_line_at_the_source_row() {
    let w = Workdir::new();
    w.write("customers.csv", CUSTOMERS);
    w.write("kuma.db", "timestamp,service\n");
    w.write("sla.toml", config(""));
    let run = || w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);
    run().assert_error(4, "kuma.db: not an SQLite database");

    let db = w.path().join("kuma.db");
    std::fs::remove_file(&db).unwrap();
    build(&db);
    w.write("sla.toml", config(r#", pendng = "up""#));
    run().assert_error(
        4,
        "options: unknown option \"pendng\", expected one of: announced, pending, region_tag, services",
    );

    let conn = Connection::open(&db).unwrap();
    conn.execute("UPDATE heartbeat SET time = 'soon' WHERE id = 5", []).unwrap();
    drop(conn);
    w.write("sla.toml", config(""));
    run().assert_error(4, "kuma.db: heartbeat rowid 5 (monitor 1 \"API\"): column 'time': expected UTC text");
}
