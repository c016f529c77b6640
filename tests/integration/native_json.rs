//! The JSON readers on real data: GitHub's Statuspage incident archive and maintenances
//! (tests/real-data/statuspage-github/) and Google Cloud's incidents.json
//! (tests/real-data/gcp-incidents/), each imported completely and reported on; the
//! sample-data examples run; a problem in a record is reported at its source place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use slareport::load::native::{self, Format, Native, Options};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn read(format: Format, rel: &str, options: &[(&str, &str)]) -> Native {
    let options: Options = options.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let path = repo(rel);
    native::read(format, &path, rel, &options, 2_000_000_000).unwrap_or_else(|e| panic!("{}", e.0))
}

/// The canonical row of an incident id, as column -> cell.
fn row<'a>(n: &'a Native, id: &str) -> (BTreeMap<&'static str, &'a str>, &'a str) {
    let t = n.incidents.as_ref().unwrap();
    let r = t.rows.iter().find(|r| r.cells[0] == id).unwrap_or_else(|| panic!("incident {id}"));
    (t.columns.iter().copied().zip(r.cells.iter().map(String::as_str)).collect(), &r.source)
}

fn run(args: &[&str]) -> (bool, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_slareport")).args(args).output().unwrap();
    (o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// `sla_monthly.csv` of a period as customer id -> (uptime, met, incidents).
fn results(out: &Path, period: &str) -> BTreeMap<String, (String, String, String)> {
    let mut r = csv::Reader::from_path(out.join(period).join("sla_monthly.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (id, up, met, inc) = (col("customer_id"), col("uptime_percent"), col("met"), col("incidents"));
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (x[id].to_string(), (x[up].to_string(), x[met].to_string(), x[inc].to_string()))
        })
        .collect()
}

/// All 1,282 incidents of GitHub's archive (JSON lines, one Statuspage API incident per
/// line) become canonical rows; three are checked by hand against the JSON.
#[test]
fn github_incident_archive_imports_completely() {
    let n = read(Format::Statuspage, "tests/real-data/statuspage-github/incidents_2010-2023.jsonl", &[]);
    let t = n.incidents.as_ref().unwrap();
    assert_eq!((n.records, t.rows.len()), (1282, 1282));
    let ids: std::collections::BTreeSet<&str> = t.rows.iter().map(|r| r.cells[0].as_str()).collect();
    assert_eq!(ids.len(), 1282, "ids are unique");
    assert!(t.rows.iter().all(|r| r.cells[2] == "unplanned" && !r.cells[5].is_empty()), "all resolved incidents");
    let impacts = |i: &str| t.rows.iter().filter(|r| r.cells[3] == i).count();
    // impact: minor 1,048, major 199, none 33, critical 2 (SOURCE.md).
    assert_eq!([impacts("major"), impacts("partial"), impacts("degraded"), impacts("none")], [2, 199, 1048, 33]);
    // 184 incidents have no components[]; 20 of them name components in their updates.
    assert_eq!(t.rows.iter().filter(|r| r.cells[6] == "*").count(), 164);
    assert!(n.notes.iter().any(|x| x.starts_with("164 records name no component")), "{:?}", n.notes);

    // Line 1: a backfilled 2010 incident, minor, no component, resolved when created.
    let (r, source) = row(&n, "rcwk6twq397d");
    assert_eq!(source, "line 1 (incident rcwk6twq397d)");
    assert_eq!(
        [r["impact"], r["start"], r["end"], r["services"]],
        ["degraded", "2010-02-07T06:00:00Z", "2010-02-07T06:00:00Z", "*"]
    );
    // Line 1051: "Incident with Codespaces", minor, started_at 01:43:14.818, resolved 03:35:00.692.
    let (r, source) = row(&n, "5jfkz8q1mlql");
    assert_eq!(source, "line 1051 (incident 5jfkz8q1mlql)");
    assert_eq!(
        [r["impact"], r["start"], r["end"], r["services"]],
        ["degraded", "2022-03-26T01:43:14Z", "2022-03-26T03:35:00Z", "Codespaces"]
    );
    // Line 1232: critical, ten components, 17:52:11.466 to 18:36:19.
    let (r, _) = row(&n, "gqx5l06jjxhp");
    assert_eq!([r["impact"], r["start"], r["end"]], ["major", "2023-06-29T17:52:11Z", "2023-06-29T18:36:19Z"]);
    assert_eq!(
        r["services"],
        "Git Operations;API Requests;Webhooks;Issues;Pull Requests;Actions;Packages;Pages;Codespaces;Copilot"
    );
    let ids =
        read(Format::Statuspage, "tests/real-data/statuspage-github/incidents_2010-2023.jsonl", &[("services", "id")]);
    assert_eq!(row(&ids, "5jfkz8q1mlql").0["services"], "h2ftsgbw7kmk");
}

/// GitHub's 30 observed scheduled maintenances: planned, scheduled window, announced at creation.
#[test]
fn github_maintenances_are_planned_with_their_notice() {
    let rel = "tests/real-data/statuspage-github/scheduled_maintenances_observed_2020-2025.json";
    let n = read(Format::Statuspage, rel, &[("services", "id")]);
    let t = n.incidents.as_ref().unwrap();
    assert_eq!(t.rows.len(), 30);
    assert!(t.rows.iter().all(|r| r.cells[2] == "planned_maintenance" && r.cells[3] == "none"));
    let (r, source) = row(&n, "3ktldkb3r6f8");
    assert_eq!(source, "$.scheduled_maintenances[19] (maintenance 3ktldkb3r6f8)");
    assert_eq!(
        [r["start"], r["end"], r["announced_at"], r["services"]],
        ["2022-11-04T03:00:00Z", "2022-11-04T04:00:00Z", "2022-10-27T17:00:36Z", "*"]
    );
    let (r, _) = row(&n, "qt1dj8v3whg9");
    assert_eq!(r["services"], "br0l2tvcx85d", "GitHub Actions, by id");
    // Never completed in the archive (it saw them only while scheduled or in progress).
    let actual = read(Format::Statuspage, rel, &[("maintenance_times", "actual")]);
    assert!(actual.notes.iter().any(|x| x.starts_with("30 maintenances have no completion")), "{:?}", actual.notes);
    assert_eq!(row(&actual, "3jr0nb7zjpbm").0["start"], "2020-12-15T10:00:40Z", "the in_progress update");
}

/// A 2022 report per component from the incidents and maintenances alone.
#[test]
fn github_2022_report_per_component_runs() {
    let out = tempfile::tempdir().unwrap();
    let (ok, err) = run(&[
        "run",
        "--quiet",
        "--config",
        repo("tests/real-data/statuspage-github/sla-incidents.toml").to_str().unwrap(),
        "--period",
        "2022",
        "--as-of",
        "2023-10-07T00:00:00Z",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let r = results(out.path(), "2022");
    assert_eq!(r.len(), 10, "one row per component");
    assert_eq!(r["br0l2tvcx85d"].0, "99.9580", "Actions");
    assert_eq!(r["h2ftsgbw7kmk"].0, "99.9000", "Codespaces");
    assert_eq!(r["8l4ygp009s5s"].0, "99.9736", "Git Operations");
    assert!(r.values().all(|x| x.1 == "true"));
    // Actions' incidents include a maintenance on Actions and the incident checked above.
    assert!(r["br0l2tvcx85d"].2.split(';').any(|i| i == "qt1dj8v3whg9"));
    assert!(r["h2ftsgbw7kmk"].2.split(';').any(|i| i == "5jfkz8q1mlql"));
}

/// Every incident of Google Cloud's feed is imported (both formats).
#[test]
fn gcp_incidents_import_completely() {
    let rel = "tests/real-data/gcp-incidents/gcp_incidents_2019-2026.json";
    let in_file: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(repo(rel)).unwrap()).unwrap();
    let n = read(Format::GcpStatus, rel, &[]);
    let t = n.incidents.as_ref().unwrap();
    assert_eq!((n.records, t.rows.len()), (in_file.len(), 1002));
    let sev = |i: &str| t.rows.iter().filter(|r| r.cells[3] == i).count();
    // severity low 487, medium 427, high 88 (SOURCE.md).
    assert_eq!([sev("major"), sev("partial"), sev("degraded")], [88, 427, 487]);
    assert_eq!(t.rows.iter().filter(|r| r.cells[5].is_empty()).count(), 2, "two never seen resolved");
    assert!(n.notes.iter().any(|x| x.starts_with("33 incidents in the 2020 format")), "{:?}", n.notes);
    let (r, source) = row(&n, "5feV12qHeQoD3VdD8byK");
    assert!(source.starts_with("$[") && source.ends_with(" (incident 5feV12qHeQoD3VdD8byK)"), "{source}");
    assert_eq!(
        [r["title"], r["impact"], r["start"], r["end"], r["regions"]],
        [
            "Multiple services impacted in australia-southeast1.",
            "major",
            "2024-05-09T02:00:00Z",
            "2024-05-09T05:28:53Z",
            "australia-southeast1"
        ]
    );
    assert!(r["services"].starts_with("Apigee;Cloud Filestore;Cloud Logging;"), "{}", r["services"]);
    let (r, _) = row(&n, "19007");
    assert_eq!([r["impact"], r["services"], r["regions"]], ["partial", "Google Cloud Datastore", "*"]);
}

/// 2024-Q2 per product affected in that quarter.
#[test]
fn gcp_quarter_report_per_product_runs() {
    let out = tempfile::tempdir().unwrap();
    let (ok, err) = run(&[
        "run",
        "--quiet",
        "--config",
        repo("tests/real-data/gcp-incidents/sla.toml").to_str().unwrap(),
        "--period",
        "2024-Q2",
        "--as-of",
        "2026-08-21T00:00:00Z",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let r = results(out.path(), "2024-Q2");
    assert_eq!(r.len(), 64);
    assert_eq!(r.values().filter(|x| x.1 == "true").count(), 15);
    // The australia-southeast1 incident (high, 3 h 28 min 53 s) is all Bigtable's downtime.
    assert_eq!(r["LfZSuE3xdQU46YMFV5fy"].2, "5feV12qHeQoD3VdD8byK");
    assert_eq!(r["LfZSuE3xdQU46YMFV5fy"].0, "99.8405");
}

/// The examples in sample-data/formats/ run as their READMEs say.
#[test]
fn format_examples_run() {
    for (dir, period) in [("statuspage", "2026-10"), ("gcp-status", "2026-10")] {
        let out = tempfile::tempdir().unwrap();
        let config = repo(&format!("sample-data/formats/{dir}/sla.toml"));
        let (ok, err) = run(&[
            "run",
            "--quiet",
            "--config",
            config.to_str().unwrap(),
            "--period",
            period,
            "--as-of",
            "2026-11-15T00:00:00Z",
            "--out",
            out.path().to_str().unwrap(),
        ]);
        assert!(ok, "{dir}: {err}");
        assert!(!results(out.path(), period).is_empty(), "{dir}");
    }
}

/// A loader's problem with a canonical row is told at the JSON record it came from, and a
/// reader's own problem (an unknown option) names the option.
#[test]
fn problems_are_reported_at_the_source_record() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("customers.csv"),
        "customer_id,name,tier,services,regions,contract_start,contract_end,monthly_fee,currency,timezone,target_percent\n\
         c1,C1,t,api,*,2026-01-01,,100,EUR,UTC,\n",
    )
    .unwrap();
    std::fs::write(
        p.join("incidents.json"),
        r#"{"incidents": [
  {"id": "ok1", "name": "fine", "status": "resolved", "impact": "critical",
   "started_at": "2026-10-01T10:00:00Z", "resolved_at": "2026-10-01T11:00:00Z", "components": [{"id": "x", "name": "api"}]},
  {"id": "bad2", "name": "minor one", "status": "resolved", "impact": "minor",
   "started_at": "2026-10-02T10:00:00Z", "resolved_at": "2026-10-02T11:00:00Z", "components": []}]}"#,
    )
    .unwrap();
    let config = |entry: &str| {
        let toml = format!(
            "[inputs]\ncustomers = \"customers.csv\"\nincidents = [{entry}]\n[tiers.t]\ntarget_percent = 99.9\n"
        );
        std::fs::write(p.join("sla.toml"), toml).unwrap();
        p.join("sla.toml").to_string_lossy().into_owned()
    };
    let out = p.join("out");
    let args = |c: &str| -> Vec<String> {
        ["run", "--quiet", "--config", c, "--period", "2026-10", "--as-of", "2026-11-15T00:00:00Z", "--out"]
            .iter()
            .map(|s| s.to_string())
            .chain([out.to_string_lossy().into_owned()])
            .collect()
    };
    let go = |c: String| {
        let a = args(&c);
        run(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let (ok, err) = go(config(
        r#"{ path = "incidents.json", format = "statuspage", values = { impact = { degraded = "none" } } }"#,
    ));
    assert!(!ok);
    assert!(err.contains("incidents.json: $.incidents[0] (incident ok1): column 'impact'"), "{err}");
    let (ok, err) = go(config(r#"{ path = "incidents.json", format = "statuspage", options = { service = "id" } }"#));
    assert!(!ok);
    assert!(err.contains("unknown option \"service\" for format statuspage, expected one of: services,"), "{err}");
    let (ok, err) = go(config(r#"{ path = "incidents.json", format = "statuspage" }"#));
    assert!(ok, "{err}");
}
