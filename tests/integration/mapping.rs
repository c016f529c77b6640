//! Column mapping (`columns`, `values`, `constants`, `timestamp_format`, `timezone`),
//! state-change logs (`series = "events"`) and `duration_seconds`: whole runs compared
//! with the same data in canonical form, or with figures worked out by hand.

use crate::workdir::{CONFIG, CUSTOMERS, Workdir, read_csv};

const OCT_1: i64 = 1_790_812_800; // 2026-10-01T00:00:00Z

fn run_october(w: &Workdir, out: &str) {
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", out, "--as-of", "2026-11-02T00:00:00Z"])
        .assert_ok();
}

/// A workdir with customers, no incidents, and `sla.toml` whose checks entry is `checks`.
fn setup(checks: &str) -> Workdir {
    let w = Workdir::new();
    w.write("sla.toml", CONFIG.replace("checks = [\"checks*.csv\"]", checks));
    w.write("customers.csv", CUSTOMERS);
    w.write("incidents.csv", "incident_id,title,category,impact,start,end\n");
    w
}

fn utc(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Wall-clock time in Paris as DD/MM/YYYY HH:MM:SS.
fn paris(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%d/%m/%Y %H:%M:%S")
        .to_string()
}

/// Two hours of checks every 60 s with a 5-minute outage and a paused monitor, and a
/// check a week later across the Paris DST change: (instant, status in canonical words).
fn probe_rows() -> Vec<(i64, &'static str)> {
    let mut rows = Vec::new();
    for k in 0..120 {
        let status = match k {
            10..15 => "down",
            40..43 => "unknown",
            _ => "up",
        };
        rows.push((OCT_1 + 60 * k, status));
    }
    // Summer time in Paris ends on 2026-10-25 at 01:00 UTC: 12:00 UTC is 13:00 CET.
    rows.push((OCT_1 + 24 * 86_400 + 43_200, "down"));
    rows.push((OCT_1 + 24 * 86_400 + 43_260, "up"));
    rows
}

#[test]
fn a_mapped_uptime_monitor_export_gives_the_canonical_report() {
    let canonical = setup("checks = [\"checks.csv\"]");
    let mut text = String::from("timestamp,service,region,location,status\n");
    for (t, s) in probe_rows() {
        text.push_str(&format!("{},api,eu-west,probe,{s}\n", utc(t)));
    }
    canonical.write("checks.csv", text);
    run_october(&canonical, "out");

    let entry = r#"checks = [
  { path = "exports/uptimerobot-*.csv",
    columns = { timestamp = "Date-Time", service = "Monitor", status = "Status" },
    values = { status = { Up = "up", Down = "down", Paused = "unknown" }, service = { "My API" = "api" } },
    timestamp_format = "%d/%m/%Y %H:%M:%S",
    timezone = "Europe/Paris",
    constants = { region = "eu-west", location = "probe" } },
]"#;
    let mapped = setup(entry);
    let word = |s: &str| match s {
        "up" => "Up",
        "down" => "Down",
        _ => "Paused",
    };
    // A header in another case and order, an extra column, and the rows split in two files.
    let mut a = String::from("\u{feff}Date-Time, monitor ,STATUS,Duration\n");
    let mut b = String::from("Status,Date-Time,Monitor\n");
    for (k, (t, s)) in probe_rows().into_iter().enumerate() {
        if k % 2 == 0 {
            a.push_str(&format!("{},My API,{},60\n", paris(t), word(s)));
        } else {
            b.push_str(&format!(" {} ,{}, My API \n", word(s), paris(t)));
        }
    }
    mapped.write("exports/uptimerobot-a.csv", a);
    mapped.write("exports/uptimerobot-b.csv", b);
    run_october(&mapped, "out");

    for f in ["sla_monthly.csv", "evidence.csv", "credits.csv", "tiers.csv"] {
        assert_eq!(mapped.read(&format!("out/2026-10/{f}")), canonical.read(&format!("out/2026-10/{f}")), "{f}");
    }
    let rows = read_csv(&mapped.read("out/2026-10/sla_monthly.csv"));
    // 5 down checks of 60 s, and the one after the DST change: 360 s.
    assert_eq!(rows[0]["downtime_seconds"], "360");
}

/// An events log whose statuses hold until the next row.
fn events_setup(extra: &str, gaps: &str) -> Workdir {
    let entry = format!(
        r#"checks = [
  {{ path = "status-log.csv", series = "events", timestamp_format = "unix",
    columns = {{ timestamp = "when", service = "check", status = "state" }},
    values = {{ status = {{ OPERATIONAL = "up", OUTAGE = "down", PAUSED = "unknown" }} }},
    constants = {{ region = "eu", location = "statuspage" }}{extra} }},
]"#
    );
    let w = setup(&entry);
    w.write("sla.toml", w.read("sla.toml").replace("max_gap_seconds = 120", &format!("max_gap_seconds = 120\n{gaps}")));
    let day = 86_400;
    let rows = [
        (OCT_1, "OPERATIONAL"),
        (OCT_1 + 9 * day, "OUTAGE"),
        (OCT_1 + 9 * day + 3600, "OPERATIONAL"),
        (OCT_1 + 19 * day, "PAUSED"),
        (OCT_1 + 20 * day, "OPERATIONAL"),
    ];
    let mut text = String::from("when,check,state\n");
    for (t, s) in rows {
        text.push_str(&format!("{t},api,{s}\n"));
    }
    w.write("status-log.csv", text);
    w
}

#[test]
fn a_state_change_log_holds_each_status_until_the_next_row() {
    let w = events_setup("", "");
    run_october(&w, "out");
    let row = &read_csv(&w.read("out/2026-10/sla_monthly.csv"))[0];
    // One hour down; the paused day is no data; the last row holds until now (November).
    assert_eq!(row["downtime_seconds"], "3600");
    assert_eq!(row["monitoring_coverage_percent"], "96.7741"); // 30 of 31 days
    let evidence = w.read("out/2026-10/evidence.csv");
    assert!(evidence.contains("2026-10-10T00:00:00Z,2026-10-10T01:00:00Z,3600"), "{evidence}");

    // gaps = "down": the paused day counts as downtime.
    let w = events_setup("", "gaps = \"down\"");
    run_october(&w, "out");
    assert_eq!(read_csv(&w.read("out/2026-10/sla_monthly.csv"))[0]["downtime_seconds"], "90000");

    // max_hold_seconds: a status holds at most a day; a day of data after each row.
    let w = events_setup(", max_hold_seconds = 86400", "");
    run_october(&w, "out");
    let row = &read_csv(&w.read("out/2026-10/sla_monthly.csv"))[0];
    assert_eq!(row["downtime_seconds"], "3600");
    // Oct 1, Oct 10 (1 h + 1 day after the recovery), Oct 21: 3 days and 1 hour of 31 days.
    assert_eq!(row["monitoring_coverage_percent"], "9.8118");
}

#[test]
fn a_state_change_log_is_not_an_irregular_series_for_validate() {
    let w = events_setup("", "");
    let r = w.run(&["validate", "--config", "sla.toml", "--month", "2026-10", "--as-of", "2026-11-01T00:00:00Z"]);
    assert!(!r.stdout().contains("irregular"), "{}", r.stdout());
    // The same rows read as checks are sparse and irregular.
    w.write("sla.toml", w.read("sla.toml").replace("series = \"events\", ", ""));
    let r = w.run(&["validate", "--config", "sla.toml", "--month", "2026-10", "--as-of", "2026-11-01T00:00:00Z"]);
    assert!(r.stdout().contains("irregular checks: api/eu/statuspage"), "{}", r.stdout());
}

#[test]
fn outages_may_give_a_duration_instead_of_an_end() {
    let with_end = setup("checks = []");
    with_end.write("sla.toml", with_end.read("sla.toml").replace("outages = []", "outages = [\"outages.csv\"]"));
    with_end.write(
        "outages.csv",
        "service,region,start,end\napi,eu,2026-10-03T10:00:00Z,2026-10-03T10:25:00Z\napi,eu,2026-10-07T00:00:00Z,2026-10-07T00:00:30Z\n",
    );
    run_october(&with_end, "out");

    let with_duration = setup("checks = []");
    with_duration.write(
        "sla.toml",
        with_duration
            .read("sla.toml")
            .replace("outages = []", "outages = [{ path = \"outages.csv\", constants = { region = \"eu\" } }]"),
    );
    // Only a duration, both in agreement, and a duration written as a whole decimal.
    with_duration.write(
        "outages.csv",
        "service,start,end,duration_seconds\napi,2026-10-03T10:00:00Z,,1500\napi,2026-10-07T00:00:00Z,2026-10-07T00:00:30Z,30.0\n",
    );
    run_october(&with_duration, "out");
    for f in ["sla_monthly.csv", "credits.csv", "tiers.csv"] {
        assert_eq!(with_duration.read(&format!("out/2026-10/{f}")), with_end.read(&format!("out/2026-10/{f}")), "{f}");
    }
    assert_eq!(read_csv(&with_end.read("out/2026-10/sla_monthly.csv"))[0]["downtime_seconds"], "1530");

    // No end column at all: the duration is enough; a fractional duration is refused.
    with_duration.write("outages.csv", "service,start,duration_seconds\napi,2026-10-03T10:00:00Z,1500.5\n");
    let r = with_duration.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);
    r.assert_error(4, "outages.csv:2:3: column 'duration_seconds': expected a whole number of seconds");
}

#[test]
fn incidents_may_give_a_duration_and_be_mapped() {
    let w = setup("checks = []");
    w.write(
        "sla.toml",
        w.read("sla.toml").replace(
            "incidents = [\"incidents.csv\"]",
            r#"incidents = [{ path = "incidents.csv", columns = { incident_id = "Ticket", start = "Opened" },
  values = { category = { Unplanned = "unplanned" }, impact = { P1 = "major" } },
  timestamp_format = "%Y-%m-%d %H:%M", timezone = "Europe/London" }]"#,
        ),
    );
    w.write(
        "incidents.csv",
        "Ticket,title,category,impact,Opened,duration_seconds\nINC-1,Outage,Unplanned,P1,2026-10-05 11:00,1800\n",
    );
    run_october(&w, "out");
    let row = &read_csv(&w.read("out/2026-10/sla_monthly.csv"))[0];
    assert_eq!(row["downtime_seconds"], "1800");
    assert_eq!(row["incidents"], "INC-1");
    let evidence = w.read("out/2026-10/evidence.csv");
    assert!(evidence.contains("2026-10-05T10:00:00Z,2026-10-05T10:30:00Z"), "{evidence}");
}

#[test]
fn cell_errors_name_the_column_as_the_file_has_it() {
    let entry = r#"checks = [{ path = "export.csv", columns = { timestamp = "Date-Time", service = "Monitor", status = "Status" },
  values = { status = { Up = "up", Down = "down" } }, constants = { region = "eu", location = "probe" } }]"#;
    let w = setup(entry);
    w.write("export.csv", "Monitor,Status,Date-Time\napi,Up,2026-10-01T00:00:00Z\napi,Sideways,2026-10-01T00:01:00Z\n");
    let r = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);
    r.assert_error(
        4,
        "export.csv:3:2: column 'Status' (status): value \"Sideways\" has no mapping in values.status (mapped: Down, Up)",
    );
    w.write("export.csv", "Monitor,Status,Date-Time\napi,Up,yesterday\n");
    let r = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);
    r.assert_error(4, "export.csv:2:3: column 'Date-Time' (timestamp): expected an instant like");
    // A constant that is not a valid value fails on the first row, without a column number.
    w.write(
        "sla.toml",
        w.read("sla.toml")
            .replace("location = \"probe\"", "location = \"probe\", status = \"maybe\"")
            .replace(", status = \"Status\"", "")
            .replace("values = { status = { Up = \"up\", Down = \"down\" } }, ", ""),
    );
    w.write("export.csv", "Monitor,Date-Time\napi,2026-10-01T00:00:00Z\n");
    let r = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);
    r.assert_error(4, "export.csv:2: column 'status' (constant): unknown status \"maybe\"");
}

#[test]
fn mapped_parquet_columns_are_read_and_named_by_row() {
    use polars::prelude::*;
    let entry = r#"checks = [{ path = "export.parquet", timestamp_format = "unix_ms",
  columns = { timestamp = "ts", status = "ok" }, values = { status = { "true" = "up", "false" = "down" } },
  constants = { service = "api", region = "eu", location = "probe" } }]"#;
    let w = setup(entry);
    let ts: Vec<i64> = [0i64, 60, 120].iter().map(|s| (OCT_1 + s) * 1000 + 999).collect();
    let mut df = df!("ts" => ts, "ok" => [true, false, true]).unwrap();
    let mut f = std::fs::File::create(w.path().join("export.parquet")).unwrap();
    ParquetWriter::new(&mut f).finish(&mut df).unwrap();
    run_october(&w, "out");
    assert_eq!(read_csv(&w.read("out/2026-10/sla_monthly.csv"))[0]["downtime_seconds"], "60");
    let mut df = df!("ts" => [OCT_1 * 1000], "ok" => [Some("maybe")]).unwrap();
    let mut f = std::fs::File::create(w.path().join("export.parquet")).unwrap();
    ParquetWriter::new(&mut f).finish(&mut df).unwrap();
    let r = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);
    r.assert_error(4, "export.parquet row 1: column 'ok' (status): value \"maybe\" has no mapping in values.status");
}

#[test]
fn without_a_month_a_state_change_log_covers_the_months_its_statuses_hold() {
    // Three rows in September and October; the last holds until --as-of in December
    // (19 of its 31 days: at least half, so December is reported too).
    let w = setup(r#"checks = [{ path = "log.csv", series = "events" }]"#);
    w.write(
        "log.csv",
        "timestamp,service,region,location,status\n2026-09-01T00:00:00Z,api,eu,page,up\n2026-09-20T00:00:00Z,api,eu,page,down\n2026-10-02T00:00:00Z,api,eu,page,up\n",
    );
    let r = w.run(&["run", "--config", "sla.toml", "--out", "out", "--as-of", "2026-12-20T00:00:00Z"]);
    r.assert_ok();
    for m in ["2026-09", "2026-10", "2026-11", "2026-12"] {
        assert!(w.exists(&format!("out/{m}/sla_monthly.csv")), "{m}\n{}", r.stdout());
    }
    assert!(!w.exists("out/2026-08") && !w.exists("out/2027-01"));
    // Rows are counted at their own instants: 2 in September, 1 in October.
    let m: serde_json::Value = serde_json::from_str(&w.read("out/2026-10/manifest.json")).unwrap();
    let log = m["inputs"].as_array().unwrap().iter().find(|i| i["path"] == "log.csv").unwrap().clone();
    assert_eq!((log["rows"].as_u64(), log["rows_used"].as_u64()), (Some(3), Some(1)), "{log}");
    let sept = read_csv(&w.read("out/2026-09/sla_monthly.csv"));
    assert_eq!(sept[0]["downtime_seconds"], (11 * 86_400).to_string());
}

/// The bundled mapping examples run as their README says and give its hand-worked figures.
#[test]
fn the_bundled_mapping_examples_give_their_documented_figures() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_slareport"))
        .args(["run", "--quiet", "--period", "2026-10", "--as-of", "2026-11-01T00:00:00Z", "--config"])
        .arg(root.join("sample-data/mappings/sla.toml"))
        .arg("--out")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = read_csv(&std::fs::read_to_string(tmp.path().join("2026-10/sla_monthly.csv")).unwrap());
    let readme = std::fs::read_to_string(root.join("sample-data/mappings/README.md")).unwrap();
    let got: Vec<(&str, &str)> =
        rows.iter().map(|r| (r["customer_id"].as_str(), r["uptime_percent"].as_str())).collect();
    assert_eq!(got, [("C101", "99.6374"), ("C102", "98.1472"), ("C103", "98.1029")]);
    for (_, uptime) in got {
        assert!(readme.contains(uptime), "the README documents {uptime}");
    }
}

/// Every preset is a valid set of tiers for a configuration.
#[test]
fn the_tier_presets_are_valid_configuration() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/presets");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let preset = std::fs::read_to_string(&path).unwrap();
        let text = format!("[inputs]\ncustomers = \"customers.csv\"\n\n{preset}");
        let config = slareport::config::Config::parse(&text, "sla.toml", dir.clone(), text.clone().into_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!config.tiers.is_empty(), "{}", path.display());
        n += 1;
    }
    assert!(n >= 2, "the Statuspage and cloud credit presets");
}
