//! Whole runs: outputs, re-runs, file formats, atomic publishing, auditability.

use std::io::Write;
use std::path::Path;

use crate::workdir::{CHECKS, CONFIG, INCIDENTS, Workdir, read_csv, valid};

fn run_october(w: &Workdir, out: &str) {
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", out, "--as-of", "2026-11-02T00:00:00Z"])
        .assert_ok();
}

#[test]
fn a_month_writes_all_files_and_a_summary() {
    let w = valid();
    let run = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);
    run.assert_ok();
    for f in ["sla_monthly.csv", "credits.csv", "tiers.csv", "evidence.csv", "manifest.json"] {
        assert!(w.exists(&format!("out/2026-10/{f}")), "{f}");
    }
    let rows = read_csv(&w.read("out/2026-10/sla_monthly.csv"));
    assert_eq!(rows.len(), 1);
    // 60 s from the single-location check + 1800 s incident: 1860 s of 2,678,400.
    assert_eq!(rows[0]["downtime_seconds"], "1860");
    assert_eq!(rows[0]["uptime_percent"], "99.9305");
    assert_eq!(rows[0]["met"], "false");
    assert_eq!(rows[0]["credit_amount"], "100.00");
    let out = run.stdout();
    assert!(out.contains("2026-10") && out.contains("GBP 100.00") && out.contains("out/2026-10/"), "{out}");
}

#[test]
fn reruns_are_byte_identical() {
    let w = valid();
    run_october(&w, "a");
    run_october(&w, "b");
    for f in ["sla_monthly.csv", "credits.csv", "tiers.csv", "evidence.csv", "manifest.json"] {
        assert_eq!(w.read(&format!("a/2026-10/{f}")), w.read(&format!("b/2026-10/{f}")), "{f}");
    }
    // Re-running into the same directory replaces the month atomically.
    run_october(&w, "a");
    let left: Vec<_> = std::fs::read_dir(w.path().join("a")).unwrap().map(|e| e.unwrap().file_name()).collect();
    let mut left: Vec<String> = left.into_iter().map(|n| n.to_string_lossy().to_string()).collect();
    left.sort();
    assert_eq!(left, ["2026-10", "history"]);
}

#[test]
fn manifest_digests_inputs_and_outputs() {
    let w = valid();
    run_october(&w, "out");
    let m: serde_json::Value = serde_json::from_str(&w.read("out/2026-10/manifest.json")).unwrap();
    assert_eq!(m["month"], "2026-10");
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["as_of"], "2026-11-02T00:00:00Z");
    let sha = |bytes: &[u8]| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(bytes))
    };
    assert_eq!(m["config"]["sha256"], sha(CONFIG.as_bytes()));
    let inputs = m["inputs"].as_array().unwrap();
    let checks = inputs.iter().find(|i| i["path"] == "checks.csv").unwrap();
    assert_eq!(checks["sha256"], sha(CHECKS.as_bytes()));
    assert_eq!(checks["rows"], 3);
    for o in m["outputs"].as_array().unwrap() {
        let p = w.path().join("out/2026-10").join(o["path"].as_str().unwrap());
        assert_eq!(o["sha256"], sha(&std::fs::read(&p).unwrap()), "{}", p.display());
    }
}

#[test]
fn a_failed_run_keeps_the_previous_reports() {
    let w = valid();
    run_october(&w, "out");
    let before = w.read("out/2026-10/sla_monthly.csv");
    w.write("checks.csv", CHECKS.replace("down", "sideways"));
    let run = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);
    assert_eq!(run.code(), 4);
    assert_eq!(w.read("out/2026-10/sla_monthly.csv"), before);
}

#[test]
fn ranges_write_one_directory_per_month() {
    let w = valid();
    w.run(&["run", "--config", "sla.toml", "--from", "2026-08", "--to", "2026-10", "--out", "out"]).assert_ok();
    for m in ["2026-08", "2026-09", "2026-10"] {
        assert!(w.exists(&format!("out/{m}/sla_monthly.csv")), "{m}");
    }
    assert_eq!(read_csv(&w.read("out/2026-09/sla_monthly.csv"))[0]["uptime_percent"], "100.0000");
}

#[test]
fn without_a_month_the_covered_months_are_reported() {
    let w = valid();
    let run = w.run(&["run", "--config", "sla.toml", "--out", "out"]);
    run.assert_ok();
    assert!(w.exists("out/2026-10") && !w.exists("out/2026-09") && !w.exists("out/2026-11"));
}

#[test]
fn gzip_and_parquet_inputs_give_the_same_reports() {
    use polars::prelude::*;
    let w = valid();
    run_october(&w, "plain");
    // The same checks gzip-compressed, and as Parquet with a zoned timestamp column.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(CHECKS.as_bytes()).unwrap();
    std::fs::remove_file(w.path().join("checks.csv")).unwrap();
    w.write("checks.csv.gz", gz.finish().unwrap());
    w.write("sla.toml", CONFIG.replace("checks*.csv", "checks*"));
    run_october(&w, "gz");
    std::fs::remove_file(w.path().join("checks.csv.gz")).unwrap();
    let ts: Vec<i64> = [0i64, 60, 120].iter().map(|s| (1_790_812_800 + s) * 1_000_000).collect();
    let mut df = df!(
        "status" => ["up", "down", "up"],
        "service" => ["api"; 3],
        "region" => ["eu"; 3],
        "location" => ["lon"; 3],
        "timestamp" => ts,
        "extra" => [1i32, 2, 3],
    )
    .unwrap();
    let zoned =
        df.column("timestamp").unwrap().cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))).unwrap();
    df.with_column(zoned).unwrap();
    let mut f = std::fs::File::create(w.path().join("checks.parquet")).unwrap();
    ParquetWriter::new(&mut f).finish(&mut df).unwrap();
    run_october(&w, "pq");
    for dir in ["gz", "pq"] {
        assert_eq!(w.read(&format!("{dir}/2026-10/sla_monthly.csv")), w.read("plain/2026-10/sla_monthly.csv"), "{dir}");
        assert_eq!(w.read(&format!("{dir}/2026-10/evidence.csv")), w.read("plain/2026-10/evidence.csv"), "{dir}");
    }
}

#[test]
fn columns_in_any_order_with_extras() {
    let w = valid();
    run_october(&w, "a");
    w.write("checks.csv", "status,extra,location,region,service,timestamp\nup,x,lon,eu,api,2026-10-01T00:00:00Z\ndown,y,lon,eu,api,2026-10-01T00:01:00Z\nup,z,lon,eu,api,2026-10-01T00:02:00Z\n");
    run_october(&w, "b");
    assert_eq!(w.read("a/2026-10/sla_monthly.csv"), w.read("b/2026-10/sla_monthly.csv"));
}

#[test]
fn formulas_in_names_are_neutralised() {
    let w = valid();
    w.write(
        "customers.csv",
        "customer_id,name,tier,monthly_fee,currency\nC1,\"=HYPERLINK(\"\"http://x\"\")\",standard,10.00,GBP\n",
    );
    run_october(&w, "out");
    let rows = read_csv(&w.read("out/2026-10/sla_monthly.csv"));
    assert_eq!(rows[0]["customer_name"], "'=HYPERLINK(\"http://x\")");
}

#[test]
fn evidence_re_adds_to_the_reported_numbers() {
    let w = valid();
    w.write("incidents.csv", format!("{INCIDENTS}M1,Maint,planned_maintenance,major,2026-10-09T00:00:00Z,2026-10-09T01:00:00Z,*,*,*,2026-10-01T00:00:00Z\nM2,Late,planned_maintenance,major,2026-10-10T00:00:00Z,2026-10-10T01:00:00Z,*,*,*,2026-10-09T19:00:00Z\n"));
    run_october(&w, "out");
    let rows = read_csv(&w.read("out/2026-10/sla_monthly.csv"));
    let ev = read_csv(&w.read("out/2026-10/evidence.csv"));
    let counted: i64 = ev.iter().map(|e| e["counted_seconds"].parse::<i64>().unwrap()).sum();
    let excluded: i64 =
        ev.iter().filter(|e| e["kind"] == "excluded").map(|e| e["seconds"].parse::<i64>().unwrap()).sum();
    assert_eq!(counted.to_string(), rows[0]["downtime_seconds"]);
    assert_eq!(excluded.to_string(), rows[0]["excluded_seconds"]);
    assert_eq!(excluded, 3600);
    let late = ev.iter().find(|e| e["source"].contains("M2")).expect("M2 evidence");
    assert_eq!(late["kind"], "counted");
    assert!(
        late["reason"].contains("maintenance M2 announced 5h before start: notice 48h required, counted"),
        "{late:?}"
    );
}

#[test]
fn the_bundled_sample_runs_without_arguments() {
    let w = Workdir::new();
    let run = w.run(&["run"]);
    run.assert_ok();
    let out = run.stdout();
    assert!(out.contains("2026-09") && out.contains("2026-10") && out.contains("reports/2026-10/"), "{out}");
    let rows = read_csv(&w.read("reports/2026-10/sla_monthly.csv"));
    assert!(rows.len() >= 10, "{} customers", rows.len());
    assert!(rows.iter().any(|r| r["met"] == "false"), "the sample tells a story with breaches");
    assert!(rows.iter().any(|r| r["met"] == "true"));
    // sample-data/README.md lists every customer's figures per month: they are what a run writes.
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/README.md")).unwrap();
    for month in ["2026-09", "2026-10"] {
        let expected = readme_table(&readme, &format!("### {month} "));
        let written = read_csv(&w.read(&format!("reports/{month}/sla_monthly.csv")));
        assert_eq!(expected.len(), written.len(), "{month}: customers in the README table and the CSV");
        for (want, got) in expected.iter().zip(&written) {
            let cell = |k: &str| want[k].replace("**", "");
            let first = |k: &str| cell(k).split_whitespace().next().unwrap_or("").to_string();
            let who = format!("{month} {}", cell("customer"));
            assert_eq!(got["customer_id"], cell("customer"), "{who}");
            assert_eq!(got["tier"], cell("tier"), "{who}");
            for (readme_col, csv_col) in [
                ("eligible", "eligible_seconds"),
                ("downtime", "downtime_seconds"),
                ("excluded", "excluded_seconds"),
                ("uptime", "uptime_percent"),
                ("target", "target_percent"),
                ("met", "met"),
                ("credit", "credit_percent"),
            ] {
                assert_eq!(got[csv_col], first(readme_col), "{who}: {readme_col}");
            }
            // "1250.00 → 125.00 GBP (…)": fee, credit amount, currency.
            let money = cell("fee → credit");
            let words: Vec<&str> = money.split_whitespace().collect();
            assert_eq!(
                (got["fee"].as_str(), got["credit_amount"].as_str(), got["currency"].as_str()),
                (words[0], words[2], words[3].trim_end_matches(';')),
                "{who}: {money}"
            );
            if let Some(coverage) = want.get("coverage") {
                assert_eq!(got["monitoring_coverage_percent"], coverage.replace("**", ""), "{who}: coverage");
            }
        }
    }
}

/// The Markdown table after the heading that starts with `heading`, as rows of named cells.
fn readme_table(readme: &str, heading: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = readme.lines().skip_while(|l| !l.starts_with(heading)).skip(1);
    let table: Vec<&str> =
        lines.by_ref().skip_while(|l| !l.starts_with('|')).take_while(|l| l.starts_with('|')).collect();
    let cells = |l: &str| -> Vec<String> { l.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect() };
    let header = cells(table[0]);
    table[2..].iter().map(|l| header.iter().cloned().zip(cells(l)).collect()).collect()
}

#[test]
fn reports_do_not_depend_on_where_the_inputs_live() {
    let outages = "service,region,start,end\napi,eu,2026-10-07T00:00:00Z,2026-10-07T00:10:00Z\n";
    let config = CONFIG.replace("outages = []", "outages = [\"outages.csv\"]");
    let (a, b) = (valid(), valid());
    for w in [&a, &b] {
        w.write("sla.toml", &config);
        w.write("outages.csv", outages);
        run_october(w, "out");
    }
    assert_ne!(a.path(), b.path());
    for f in ["sla_monthly.csv", "evidence.csv", "manifest.json"] {
        assert_eq!(a.read(&format!("out/2026-10/{f}")), b.read(&format!("out/2026-10/{f}")), "{f}");
    }
    assert!(a.read("out/2026-10/evidence.csv").contains("outage outages.csv:2"));
}

#[test]
fn low_coverage_is_a_warning_and_strict_makes_it_an_error() {
    // The fixture's checks cover 240 s of October's 2,678,400: 0.00896... %, far below 90 %.
    let w = valid();
    let r = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);
    r.assert_ok();
    let warning = "slareport: warning: 2026-10: C1: monitoring coverage 0.0089 % is below the minimum of 90 %";
    assert!(r.stderr().contains(warning), "{}", r.stderr());
    let m: serde_json::Value = serde_json::from_str(&w.read("out/2026-10/manifest.json")).unwrap();
    assert!(m["warnings"].to_string().contains("C1: monitoring coverage 0.0089 % is below the minimum of 90 %"));
    // The minimum is configurable and compared exactly: 0.0089 is met, 0.009 is not.
    let lenient =
        w.read("sla.toml").replace("max_gap_seconds = 120", "max_gap_seconds = 120\nmin_coverage_percent = 0.0089");
    w.write("lenient.toml", lenient);
    let r = w.run(&["run", "--config", "lenient.toml", "--month", "2026-10", "--out", "out2", "--strict"]);
    r.assert_ok();
    assert!(!r.stderr().contains("warning"), "{}", r.stderr());
    // --strict: the warning is an error and nothing is published.
    let before = w.read("out/2026-10/sla_monthly.csv");
    let r = w.run(&[
        "run",
        "--config",
        "sla.toml",
        "--month",
        "2026-10",
        "--out",
        "out",
        "--strict",
        "--as-of",
        "2026-11-05T00:00:00Z",
    ]);
    r.assert_error(4, "--strict: 1 warning(s), nothing published; the first: 2026-10: C1: monitoring coverage");
    assert_eq!(w.read("out/2026-10/sla_monthly.csv"), before);
    assert_eq!(w.read("out/history/runs.jsonl").lines().count(), 1, "no run recorded");
}

#[test]
fn the_summary_shows_rows_read_used_and_outside() {
    let w = valid();
    w.write("checks.csv", format!("{CHECKS}2026-09-15T00:00:00Z,api,eu,lon,up\n"));
    let r = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);
    r.assert_ok();
    let line = r.stdout().lines().find(|l| l.starts_with("checks.csv")).unwrap_or_default().to_string();
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cells, ["checks.csv", "checks", "4", "3", "1"], "{}", r.stdout());
    let m: serde_json::Value = serde_json::from_str(&w.read("out/2026-10/manifest.json")).unwrap();
    let checks = m["inputs"].as_array().unwrap().iter().find(|i| i["role"] == "checks").unwrap().clone();
    assert_eq!(
        (checks["rows"].as_u64(), checks["rows_used"].as_u64(), checks["rows_outside"].as_u64()),
        (Some(4), Some(3), Some(1))
    );
}

#[test]
fn periods_write_their_own_directory_and_say_when_they_are_not_over() {
    let w = valid();
    let run = |args: &str| w.run(&args.split_whitespace().collect::<Vec<_>>());
    let quarter = run("run --config sla.toml --period 2026-Q4 --as-of 2026-11-26T00:00:00Z --out out");
    quarter.assert_ok();
    let warning = "2026-Q4: the period is not over at the report time 2026-11-26T00:00:00Z";
    assert!(quarter.stderr().contains(warning), "{}", quarter.stderr());
    let rows = read_csv(&w.read("out/2026-Q4/sla_monthly.csv"));
    assert_eq!(rows[0]["period"], "2026-Q4");
    assert_eq!(rows[0]["credit_percent"], "", "a quarter has no single credit band");
    assert_eq!(rows[0]["downtime_seconds"], "1860", "October's downtime, the only data in the quarter");
    // October lies wholly inside Q4: its credit is the quarter's.
    let october = run("run --config sla.toml --month 2026-10 --as-of 2026-11-26T00:00:00Z --out out");
    october.assert_ok();
    let month = read_csv(&w.read("out/2026-10/sla_monthly.csv"));
    assert!(!october.stderr().contains("not over"), "{}", october.stderr());
    assert_eq!(month[0]["met"], "false");
    // Q4's credits are October's row (November and December have no downtime).
    assert_eq!(w.read("out/2026-Q4/credits.csv"), w.read("out/2026-10/credits.csv"));
    assert_eq!(rows[0]["credit_amount"], month[0]["credit_amount"]);
    // --strict refuses a period that is not over.
    run("run --config sla.toml --period 2026-Q4 --as-of 2026-11-26T00:00:00Z --out s --strict")
        .assert_error(4, "--strict");
    // A bad period is a usage error naming the syntax.
    run("run --config sla.toml --period 2026-Q5 --out x").assert_error(2, "2026-Q3");
    run("run --config sla.toml --period last-2000-days --out x").assert_error(2, "last-N-days");
    run("run --config sla.toml --every month --out x").assert_error(2, "--period");
}

#[test]
fn a_period_is_not_over_while_any_customer_zone_is_still_in_it() {
    let w = valid();
    // Los Angeles' 20 October ends at 07:00Z on the 21st: at 01:00Z it is not over there.
    w.write("customers.csv", "customer_id,name,tier,services,regions,monthly_fee,currency,timezone\nC1,Acme,standard,*,*,1000.00,GBP,America/Los_Angeles\n");
    let run = |args: &str| w.run(&args.split_whitespace().collect::<Vec<_>>());
    let r = run("run --config sla.toml --period last-1-days --as-of 2026-10-21T01:00:00Z --out out");
    r.assert_ok();
    assert!(r.stderr().contains("2026-10-20..2026-10-20: the period is not over"), "{}", r.stderr());
    run("run --config sla.toml --period last-1-days --as-of 2026-10-21T07:00:00Z --out out2").assert_ok();
    assert!(
        !run("run --config sla.toml --period last-1-days --as-of 2026-10-21T07:00:00Z --out out3")
            .stderr()
            .contains("not over")
    );
}

#[test]
fn diff_compares_runs_of_any_period() {
    let w = valid();
    let run = |args: &str| w.run(&args.split_whitespace().collect::<Vec<_>>());
    run("run --config sla.toml --period 2026-Q4 --as-of 2027-01-05T00:00:00Z --out out").assert_ok();
    w.write(
        "incidents.csv",
        format!("{INCIDENTS}I9,Late,unplanned,major,2026-11-05T10:00:00Z,2026-11-05T11:00:00Z,*,*,*,\n"),
    );
    run("run --config sla.toml --period 2026-Q4 --as-of 2027-01-05T00:00:00Z --out out").assert_ok();
    let d = run("diff run-000001 run-000002 --out out");
    assert_eq!(d.code(), 0, "{}", d.stderr());
    assert!(d.stdout().contains("2026-Q4"), "{}", d.stdout());
    // --every quarter names a partial quarter by its days, never as the whole quarter.
    run("run --config sla.toml --period 2026-08-01..2026-12-31 --every quarter --as-of 2027-01-05T00:00:00Z --out q")
        .assert_ok();
    assert!(w.exists("q/2026-08-01..2026-09-30/sla_monthly.csv") && w.exists("q/2026-Q4/sla_monthly.csv"));
    assert!(!w.exists("q/2026-Q3"));
    run("verify --out q").assert_ok();
}
