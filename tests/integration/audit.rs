//! The audit trail: hash-chained history, verify (and each tamper case), diff of a
//! restatement, explain, crash safety and concurrent runs.

use std::process::Command;

use crate::workdir::{INCIDENTS, Workdir, valid};

const AS_OF: &str = "2026-11-02T00:00:00Z";

fn run(w: &Workdir) -> String {
    let r = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out", "--as-of", AS_OF]);
    r.assert_ok();
    r.stdout()
}

fn verify(w: &Workdir, target: Option<&str>) -> (i32, String) {
    let mut args = vec!["verify", "--out", "out"];
    args.extend(target);
    let r = w.run(&args);
    (r.code(), r.stdout())
}

fn runs_file(w: &Workdir) -> String {
    w.read("out/history/runs.jsonl")
}

#[test]
fn runs_are_recorded_in_a_chain_and_verify() {
    let w = valid();
    assert!(run(&w).contains("Run run-000001"));
    assert!(run(&w).contains("Run run-000002"));
    let lines: Vec<serde_json::Value> = runs_file(&w).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["prev_sha256"], "0".repeat(64));
    let first_line = runs_file(&w).lines().next().unwrap().to_string();
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(first_line.as_bytes()))
    };
    assert_eq!(lines[1]["prev_sha256"], digest);
    assert_eq!(lines[1]["recorded_at"], AS_OF);
    let (code, out) = verify(&w, None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("hash chain of 2 records is unbroken"), "{out}");
    assert!(out.contains("recomputed 2026-10/sla_monthly.csv is byte-identical"), "{out}");
    assert!(out.contains("verified: run-000002 is intact and reproducible"), "{out}");
    // The older run and its files stay readable and verifiable.
    assert!(w.exists("out/history/runs/run-000001/2026-10/sla_monthly.csv"));
    let (code, out) = verify(&w, Some("run-000001"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("published 2026-10/ is from the later run run-000002, whose files it matches"), "{out}");
    // A month's manifest names its run.
    let (code, out) = verify(&w, Some("out/2026-10/manifest.json"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("run-000002"), "{out}");
    // Results of every run are in Parquet and exportable as CSV.
    assert!(w.exists("out/history/results/run-000001.parquet"));
    let r = w.run(&["history", "--out", "out", "--csv", "all.csv"]);
    r.assert_ok();
    let csv = w.read("all.csv");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("run-000001,2026-11-02T00:00:00Z,2026-10,C1,Acme,standard,2678400,1860"), "{csv}");
}

#[test]
fn a_changed_input_is_detected() {
    let w = valid();
    run(&w);
    w.write("checks.csv", w.read("checks.csv").replace("00:02:00Z,api,eu,lon,up", "00:02:00Z,api,eu,lon,down"));
    let (code, out) = verify(&w, None);
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("FAIL  input (checks)") && out.contains("checks.csv changed since run-000001"), "{out}");
    assert!(out.contains("FAIL  recomputed 2026-10/sla_monthly.csv differs from what run-000001 reported"), "{out}");
    assert!(out.contains("verification of run-000001 FAILED"), "{out}");
}

#[test]
fn an_edited_output_is_detected() {
    let w = valid();
    run(&w);
    let p = "out/2026-10/credits.csv";
    w.write(p, w.read(p).replace("100.00", "10.00"));
    let (code, out) = verify(&w, None);
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("FAIL  published files edited after run-000001: 2026-10/credits.csv"), "{out}");
    // An edit inside the archive is caught too.
    let a = "out/history/runs/run-000001/2026-10/evidence.csv";
    w.write(a, w.read(a) + "x\n");
    let (_, out) = verify(&w, None);
    assert!(out.contains("archived output") && out.contains("evidence.csv was edited after run-000001"), "{out}");
    // So is a swapped results file, and an edited month relabelled as another run's.
    w.write("out/history/results/run-000001.parquet", "not parquet");
    let (_, out) = verify(&w, None);
    assert!(out.contains("results/run-000001.parquet was changed after run-000001"), "{out}");
}

#[test]
fn a_removed_or_reordered_record_breaks_the_chain() {
    let w = valid();
    for _ in 0..3 {
        run(&w);
    }
    let lines: Vec<String> = runs_file(&w).lines().map(String::from).collect();
    w.write("out/history/runs.jsonl", format!("{}\n{}\n", lines[0], lines[2]));
    let (code, out) = verify(&w, None);
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("FAIL  chain broken at run-000003 (line 2)"), "{out}");
    w.write("out/history/runs.jsonl", format!("{}\n{}\n{}\n", lines[1], lines[0], lines[2]));
    let (code, out) = verify(&w, None);
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("chain broken at run-000002 (line 1)"), "{out}");
    // Removing the newest record leaves a valid chain, but its month no longer matches.
    w.write("out/history/runs.jsonl", format!("{}\n{}\n", lines[0], lines[1]));
    let (code, out) = verify(&w, None);
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("published 2026-10/ was written by run-000003, which is not in the history"), "{out}");
}

#[test]
fn diff_shows_a_restatement_and_the_changed_input() {
    let w = valid();
    run(&w);
    // A late-reported incident restates October.
    w.write(
        "incidents.csv",
        format!("{INCIDENTS}I2,Late report,unplanned,major,2026-10-20T00:00:00Z,2026-10-20T02:00:00Z,*,*,*,\n"),
    );
    run(&w);
    let r = w.run(&["diff", "run-000001", "run-000002", "--out", "out", "--csv", "restated.csv"]);
    r.assert_ok();
    let out = r.stdout();
    assert!(out.contains("Restatements from run-000001 to run-000002: 1"), "{out}");
    assert!(out.contains("2026-10  C1") && out.contains("99.9305") && out.contains("99.6617"), "{out}");
    assert!(out.contains("changed: incidents incidents.csv"), "{out}");
    // The same run against its own month directory: nothing restated, no input changed.
    let r = w.run(&["diff", "run-000002", "out/2026-10", "--out", "out"]);
    assert!(r.stdout().contains(": 0\nInputs changed: none"), "{}", r.stdout());
    assert_eq!(
        w.read("restated.csv"),
        "month,customer_id,old_uptime_percent,new_uptime_percent,old_met,new_met,old_credit_percent,new_credit_percent,\
         old_credit_amount,new_credit_amount,old_currency,new_currency\n\
         2026-10,C1,99.9305,99.6617,false,false,10,10,100.00,100.00,GBP,GBP\n"
    );
    // The same from two month directories.
    let r = w.run(&["diff", "out/history/runs/run-000001/2026-10", "out/2026-10"]);
    r.assert_ok();
    assert!(r.stdout().contains(": 1\n"), "{}", r.stdout());
}

#[test]
fn explain_matches_its_golden_text() {
    let case = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/maintenance_notice_overrun");
    let o = Command::new(env!("CARGO_BIN_EXE_slareport"))
        .args(["explain", "--customer", "S1", "--month", "2026-09", "--as-of", "2026-10-01T00:00:00Z", "--config"])
        .arg(case.join("sla.toml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = String::from_utf8(o.stdout).unwrap();
    let path = case.join("expected/2026-09/explain-S1.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    assert_eq!(got, std::fs::read_to_string(&path).expect("golden explain text"));
}

#[test]
fn a_run_killed_at_any_point_leaves_a_valid_history() {
    let w = valid();
    run(&w);
    let before = runs_file(&w);
    for point in ["after-archive", "before-record"] {
        let o = Command::new(env!("CARGO_BIN_EXE_slareport"))
            .args(["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out", "--as-of", AS_OF])
            .current_dir(w.path())
            .env("SLAREPORT_CRASH_AT", point)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{point}: the run must die");
        assert_eq!(runs_file(&w), before, "{point}: history as it was");
        assert_eq!(verify(&w, None).0, 0, "{point}: still verifies");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_slareport"))
        .args(["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out", "--as-of", AS_OF])
        .current_dir(w.path())
        .env("SLAREPORT_CRASH_AT", "after-record")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(runs_file(&w).lines().count(), 2, "the complete new record");
    assert_eq!(w.read("out/2026-10/RUN_ID"), "run-000001\n", "killed before publishing");
    // The next command on the output directory completes the publication from the archive.
    let (code, out) = verify(&w, None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("hash chain of 2 records is unbroken"), "{out}");
    assert!(
        out.contains("done  completed the interrupted publication of run-000002: 2026-10/ published from its archive"),
        "{out}"
    );
    assert_eq!(w.read("out/2026-10/RUN_ID"), "run-000002\n");
    assert!(!verify(&w, None).1.contains("done"), "completed once");
    // A kill between two months of one run is completed the same way.
    let o = Command::new(env!("CARGO_BIN_EXE_slareport"))
        .args(["run", "--config", "sla.toml", "--from", "2026-09", "--to", "2026-10", "--out", "out", "--as-of", AS_OF])
        .current_dir(w.path())
        .env("SLAREPORT_CRASH_AT", "between-months")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(w.read("out/2026-09/RUN_ID"), "run-000003\n");
    assert_eq!(w.read("out/2026-10/RUN_ID"), "run-000002\n", "the second month not yet published");
    let (code, out) = verify(&w, None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("completed the interrupted publication of run-000003: 2026-10/"), "{out}");
    // Leftovers of a run killed while writing are cleaned up by the next run.
    std::fs::create_dir_all(w.path().join("out/.2026-10.partial-x")).unwrap();
    std::fs::create_dir_all(w.path().join("out/history/.run-000009.partial-y")).unwrap();
    w.write("out/history/.slareport-write-abc", "half a runs.jsonl");
    w.write("out/history/results/.slareport-write-def", "half a results file");
    // The next run continues the chain (the orphaned archive of a killed run is replaced).
    assert!(run(&w).contains("run-000004"));
    assert!(!w.exists("out/.2026-10.partial-x") && !w.exists("out/history/.run-000009.partial-y"));
    assert!(!w.exists("out/history/.slareport-write-abc") && !w.exists("out/history/results/.slareport-write-def"));
    assert_eq!(verify(&w, None).0, 0);
}

#[test]
fn a_run_killed_after_rendering_leaves_its_scratch_directory_to_the_next_run() {
    let w = valid();
    let scratch = |w: &Workdir| -> Vec<String> {
        std::fs::read_dir(w.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with(".rendering-"))
            .collect()
    };
    // The first run into a new output directory: killed with its PDFs rendered on disk.
    let o = Command::new(env!("CARGO_BIN_EXE_slareport"))
        .args(["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out", "--as-of", AS_OF])
        .current_dir(w.path())
        .env("SLAREPORT_CRASH_AT", "after-render")
        .output()
        .unwrap();
    assert!(!o.status.success(), "the run must die");
    let left = scratch(&w);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(w.exists(&format!("out/{}/2026-10/customers", left[0])));
    assert!(!w.exists("out/2026-10") && !w.exists("out/history/runs.jsonl"), "nothing published or recorded");
    // The next run removes it (its lock is free) and publishes as usual.
    assert!(run(&w).contains("run-000001"));
    assert_eq!(scratch(&w), Vec::<String>::new());
    assert_eq!(verify(&w, None).0, 0);
    // A failing run into a new output directory leaves no directory behind.
    let r = w.run(&[
        "run",
        "--config",
        "sla.toml",
        "--month",
        "2026-10",
        "--out",
        "new/out",
        "--strict",
        "--as-of",
        "2026-10-15T00:00:00Z",
    ]);
    r.assert_error(4, "--strict");
    assert!(!w.exists("new"), "the output directory is removed again");
}

#[test]
fn concurrent_runs_are_serialised_by_the_lock() {
    let w = valid();
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_slareport"))
            .args(["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out", "--as-of", AS_OF, "--quiet"])
            .current_dir(w.path())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
    assert_eq!(runs_file(&w).lines().count(), 2);
    assert_eq!(verify(&w, None).0, 0);
    // A lock held by a live process makes a run with no patience fail clearly.
    let held = std::fs::OpenOptions::new().write(true).open(w.path().join("out/history/lock")).unwrap();
    held.lock().unwrap();
    let r = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out", "--wait", "0"]);
    r.assert_error(5, "is writing to this output directory");
    drop(held);
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out", "--wait", "0"]).assert_ok();
}

#[test]
fn a_published_month_relabelled_as_another_run_is_caught() {
    let w = valid();
    run(&w);
    run(&w);
    w.write("out/2026-10/sla_monthly.csv", w.read("out/2026-10/sla_monthly.csv").replace("false", "true"));
    w.write("out/2026-10/RUN_ID", "run-000001\n");
    let (code, out) = verify(&w, None);
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("published 2026-10/ still holds the earlier run-000001"), "{out}");
    let (code, out) = verify(&w, Some("run-000001"));
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("published files edited after run-000001: 2026-10/sla_monthly.csv"), "{out}");
}

#[test]
fn terminal_output_carries_no_control_characters_from_the_data() {
    let w = valid();
    w.write("customers.csv", crate::workdir::CUSTOMERS.replace("Acme", "\"Acme\u{1b}[31m red\u{1b}[0m\u{7}\""));
    let r = w.run(&["explain", "--config", "sla.toml", "--customer", "C1", "--month", "2026-10", "--as-of", AS_OF]);
    r.assert_ok();
    assert!(r.stdout().contains("Acme[31m red[0m"), "{}", r.stdout());
    assert!(!r.stdout().chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{:?}", r.stdout());
}

#[test]
fn explain_a_recorded_run_needs_nothing_but_its_id() {
    let w = valid();
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out", "--as-of", AS_OF]).assert_ok();
    let direct =
        w.run(&["explain", "--config", "sla.toml", "--customer", "C1", "--month", "2026-10", "--as-of", AS_OF]);
    direct.assert_ok();
    // The recorded run's config, inputs and "now": no --config, no --as-of.
    let recorded = w.run(&["explain", "--run", "run-000001", "--out", "out", "--customer", "C1", "--month", "2026-10"]);
    recorded.assert_ok();
    assert_eq!(recorded.stdout(), direct.stdout());
    assert!(recorded.stdout().contains("C1"), "{}", recorded.stdout());
    let unknown = w.run(&["explain", "--run", "run-000009", "--out", "out", "--customer", "C1", "--month", "2026-10"]);
    assert_eq!(unknown.code(), 2, "{}", unknown.stderr());
    assert!(unknown.stderr().contains("no run \"run-000009\" (recorded: run-000001)"), "{}", unknown.stderr());
    // An input changed since: refused, not explained from other data.
    w.write("checks.csv", format!("{}2026-10-20T00:00:00Z,api,eu,lon,down\n", w.read("checks.csv")));
    let changed = w.run(&["explain", "--run", "run-000001", "--out", "out", "--customer", "C1", "--month", "2026-10"]);
    assert_eq!(changed.code(), 4, "{}", changed.stderr());
    assert!(changed.stderr().contains("checks.csv: changed since run-000001"), "{}", changed.stderr());
}
