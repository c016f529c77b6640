//! `slareport generate`: a seeded data set that `run` accepts, byte-identical for the same
//! seed, the same reports from its CSV and Parquet forms.

use crate::workdir::{Workdir, read_csv};

const SMALL: &[&str] =
    &["--checks", "20000", "--customers", "6", "--services", "2", "--regions", "2", "--locations", "3"];

fn generate(w: &Workdir, dir: &str, extra: &[&str]) {
    let mut args = vec!["generate", dir];
    args.extend_from_slice(SMALL);
    args.extend_from_slice(extra);
    w.run(&args).assert_ok();
}

fn run_october(w: &Workdir, dir: &str) -> String {
    let config = format!("{dir}/sla.toml");
    let out = format!("{dir}-out");
    w.run(&["run", "--config", &config, "--month", "2026-10", "--out", &out, "--as-of", "2026-11-02T00:00:00Z"])
        .assert_ok();
    w.read(&format!("{out}/2026-10/sla_monthly.csv"))
}

fn bytes(w: &Workdir, path: &str) -> Vec<u8> {
    std::fs::read(w.path().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const FILES: [&str; 5] = ["sla.toml", "customers.csv", "checks.csv", "outages.csv", "incidents.csv"];

#[test]
fn a_generated_set_runs_and_its_checks_are_an_ordered_export() {
    let w = Workdir::new();
    generate(&w, "data", &[]);
    let checks = w.read("data/checks.csv");
    let mut lines = checks.lines();
    assert_eq!(lines.next(), Some("timestamp,service,region,location,status"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // About --checks rows: monitoring gaps remove a few, duplicates add a few.
    assert!((19_000..=20_100).contains(&rows.len()), "{} rows", rows.len());
    assert!(rows.windows(2).all(|p| p[0][0] <= p[1][0]), "rows are in time order");
    for r in &rows {
        assert_eq!(r.len(), 5);
        let t = r[0].as_bytes();
        assert!(t.len() == 20 && t[10] == b'T' && t[19] == b'Z' && r[0].starts_with("2026-"), "{}", r[0]);
        assert!(["up", "down", "unknown"].contains(&r[4]), "{}", r[4]);
    }
    let series: std::collections::BTreeSet<(&str, &str, &str)> = rows.iter().map(|r| (r[1], r[2], r[3])).collect();
    assert_eq!(series.len(), 2 * 2 * 3);
    assert!(rows.iter().any(|r| r[4] == "down"));

    let customers = read_csv(&w.read("data/customers.csv"));
    assert_eq!(customers.len(), 6);
    let monthly = read_csv(&run_october(&w, "data"));
    assert!(!monthly.is_empty() && monthly.len() <= 6);
    for row in &monthly {
        assert!(customers.iter().any(|c| c["customer_id"] == row["customer_id"]), "{}", row["customer_id"]);
    }
    // Incidents name services and regions that exist.
    for i in read_csv(&w.read("data/incidents.csv")) {
        for s in i["services"].split(';') {
            assert!(s == "*" || series.iter().any(|x| x.0 == s), "{s}");
        }
        for r in i["regions"].split(';') {
            assert!(r == "*" || series.iter().any(|x| x.1 == r), "{r}");
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_data() {
    let w = Workdir::new();
    generate(&w, "a", &["--seed", "7"]);
    generate(&w, "b", &["--seed", "7"]);
    generate(&w, "c", &["--seed", "8"]);
    for f in FILES {
        assert_eq!(bytes(&w, &format!("a/{f}")), bytes(&w, &format!("b/{f}")), "{f}");
    }
    assert_ne!(bytes(&w, "a/checks.csv"), bytes(&w, "c/checks.csv"));
    assert_ne!(bytes(&w, "a/customers.csv"), bytes(&w, "c/customers.csv"));
    assert_ne!(bytes(&w, "a/incidents.csv"), bytes(&w, "c/incidents.csv"));
}

#[test]
fn csv_gzip_and_parquet_forms_give_the_same_reports() {
    let w = Workdir::new();
    generate(&w, "csv", &[]);
    generate(&w, "gz", &["--format", "csv.gz"]);
    generate(&w, "pq", &["--format", "parquet"]);
    generate(&w, "pq2", &["--format", "parquet"]);
    assert_eq!(bytes(&w, "pq/checks.parquet"), bytes(&w, "pq2/checks.parquet"));
    let csv = run_october(&w, "csv");
    assert_eq!(csv, run_october(&w, "gz"));
    assert_eq!(csv, run_october(&w, "pq"));
}

#[test]
fn split_files_hold_the_same_rows_in_time_order() {
    let w = Workdir::new();
    generate(&w, "one", &[]);
    generate(&w, "three", &["--files", "3"]);
    assert!(!w.exists("three/checks.csv"));
    let mut joined = String::new();
    for i in 1..=3 {
        let part = w.read(&format!("three/checks-{i:04}.csv"));
        let (header, rows) = part.split_once('\n').unwrap();
        assert_eq!(header, "timestamp,service,region,location,status");
        assert!(!rows.is_empty(), "part {i} has rows");
        joined.push_str(rows);
    }
    assert_eq!(joined, w.read("one/checks.csv").split_once('\n').unwrap().1);
    assert!(w.read("three/sla.toml").contains(r#"checks = ["checks-*.csv"]"#));
    assert_eq!(run_october(&w, "one"), run_october(&w, "three"));
}

#[test]
fn a_folder_that_is_not_empty_is_refused_unless_forced() {
    let w = Workdir::new();
    w.write("data/notes.txt", "mine");
    let mut args = vec!["generate", "data"];
    args.extend_from_slice(SMALL);
    w.run(&args).assert_error(2, "data: the folder is not empty (--force writes into it anyway)");
    assert!(!w.exists("data/checks.csv"));
    args.push("--force");
    w.run(&args).assert_ok();
    assert!(w.exists("data/checks.csv") && w.read("data/notes.txt") == "mine");
    // Nothing is left under a temporary name.
    let names: Vec<String> = std::fs::read_dir(w.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    w.run(&["generate", "x", "--checks", "3", "--services", "2"])
        .assert_error(2, "--checks 3: fewer than one check per series");
}
