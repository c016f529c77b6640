//! `slareport validate`: every problem listed (not only the first), data-quality
//! warnings, exit 0 / 1 / 4, and nothing written.

use crate::workdir::{CHECKS, CONFIG, CUSTOMERS, INCIDENTS, Workdir, valid};

fn validate(w: &Workdir, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["validate", "--config", "sla.toml", "--as-of", "2026-11-01T00:00:00Z"];
    args.extend_from_slice(extra);
    let r = w.run(&args);
    assert!(r.stderr().is_empty(), "{}", r.stderr());
    (r.code(), r.stdout())
}

/// A month of checks every 60 s from three locations, all up.
fn steady_checks() -> String {
    let mut s = String::from("timestamp,service,region,location,status\n");
    let start = 1_790_812_800i64; // 2026-10-01T00:00:00Z
    for k in 0..(31 * 1440) {
        let t = chrono::DateTime::from_timestamp(start + 60 * k, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ");
        for loc in ["lon", "fra", "ams"] {
            s.push_str(&format!("{t},api,eu,{loc},up\n"));
        }
    }
    s
}

#[test]
fn clean_inputs_exit_zero_and_write_nothing() {
    let w = valid();
    w.write("checks.csv", steady_checks());
    w.write("incidents.csv", INCIDENTS);
    let (code, out) = validate(&w, &["--month", "2026-10"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("clean: 0 problem(s), 0 warning(s)\n"), "{out}");
    assert!(!w.exists("reports") && !w.exists("out"));
}

#[test]
fn every_problem_is_listed_with_its_place() {
    let w = valid();
    w.write("customers.csv", format!("{CUSTOMERS}C2,Beta,gold,*,*,5.00,GBP\nC3,Gamma,standard,*,*,5.00,XYZ\n"));
    let checks = CHECKS.replace("2026-10-01T00:01:00Z", "yesterday").replace(",up\n", ",sideways\n");
    w.write("checks.csv", checks);
    w.write("incidents.csv", format!("{INCIDENTS}I1,Again,unplanned,major,2026-10-06T10:00:00Z,,*,*,*,\n"));
    let (code, out) = validate(&w, &["--month", "2026-10"]);
    assert_eq!(code, 4, "{out}");
    for want in [
        "customers.csv:3:3: column 'tier': unknown tier \"gold\"",
        "customers.csv:4:7: column 'currency': expected an ISO 4217 currency code like GBP, found \"XYZ\"",
        "checks.csv:2:5: column 'status': unknown status \"sideways\"",
        "checks.csv:3:1: column 'timestamp': expected an instant",
        "checks.csv:4:5: column 'status': unknown status \"sideways\"",
        "incidents.csv:3:1: column 'incident_id': duplicate incident_id \"I1\", first seen at incidents.csv:2",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    assert!(out.contains("problems (6):"), "{out}");
    assert!(
        out.ends_with("a run would fail: 6 problem(s), 0 warning(s)\n")
            || out.contains("a run would fail: 6 problem(s)"),
        "{out}"
    );
    // A run stops at the first of them.
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]).assert_error(4, "customers.csv:3:3");
}

#[test]
fn data_quality_warnings_exit_one() {
    let w = valid();
    let config = CONFIG.replace("outages = []", "outages = []\n");
    w.write("sla.toml", config);
    // A customer naming a region nothing monitors, an open incident, two overlapping
    // maintenance windows, a hole in the checks, and a check in September.
    w.write("customers.csv", format!("{CUSTOMERS}C2,Beta,standard,api,eu;eu-wset,5.00,GBP\n"));
    let mut checks = steady_checks();
    checks = checks
        .replace("2026-10-10T00", "2026-10-10X00")
        .lines()
        .filter(|l| !l.contains("2026-10-10X00"))
        .collect::<Vec<_>>()
        .join("\n");
    checks.push_str("\n2026-09-30T12:00:00Z,api,eu,lon,up\n");
    w.write("checks.csv", checks);
    let incidents = format!(
        "{INCIDENTS}I2,Still going,unplanned,major,2026-10-20T10:00:00Z,,*,*,*,\nM1,Upgrade,planned_maintenance,major,2026-10-12T01:00:00Z,2026-10-12T03:00:00Z,api,*,*,2026-10-01T00:00:00Z\nM2,Patch,planned_maintenance,major,2026-10-12T02:00:00Z,2026-10-12T04:00:00Z,*,eu,*,2026-10-01T00:00:00Z\n"
    );
    w.write("incidents.csv", incidents);
    let (code, out) = validate(&w, &["--month", "2026-10"]);
    assert_eq!(code, 1, "{out}");
    for want in [
        "monitoring gap: api/eu has no monitoring data for 59 min in 1 gap(s) in 2026-10; the longest 59 min from 2026-10-10T00:01:00Z to 2026-10-10T01:00:00Z",
        "irregular checks: api/eu/ams is checked every 1 min typically, but 1 of 44,579 intervals between its checks are over twice that (the longest 1 h 01 min)",
        "open incident: I2 (unplanned) started 2026-10-20T10:00:00Z and has no end: it counts until 2026-11-01T00:00:00Z",
        "unmonitored name: customer C2 names regions \"eu-wset\", which no check or outage measures",
        "overlapping maintenance: planned maintenance windows M1 and M2 overlap",
        "checks outside the months: checks.csv: 1 of its 133,741 rows lie outside 2026-10",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    assert!(out.ends_with("warning(s)\n") && out.contains("usable, with warnings: 0 problem(s)"), "{out}");
}

#[test]
fn a_broken_config_is_a_problem() {
    let w = valid();
    w.write("sla.toml", CONFIG.replace("[monitoring]", "[monitoring]\nmax_gap = 5"));
    let (code, out) = validate(&w, &[]);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("sla.toml:11:1: unknown field `max_gap`"), "{out}");
}
