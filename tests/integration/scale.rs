//! Checks read in batches and reduced as they stream: the results must not depend on
//! where the batches end, nor on the order of the rows (out-of-order series are sorted on
//! disk in a second reading). Test builds shrink the batch sizes through environment
//! variables (`SLAREPORT_TEST_*`, honoured only with the `fault-injection` feature).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::golden::{cases, month_dirs};

/// The plain CSV check files of a case (header with timestamp, location and status).
fn check_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() && p.file_name().is_some_and(|n| n != "expected") {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "csv") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                let header = text.lines().next().unwrap_or("").to_lowercase();
                if ["timestamp", "location", "status"].iter().all(|c| header.contains(c)) {
                    found.push(p);
                }
            }
        }
    }
    found.sort();
    found
}

/// Copies a case's files (not `expected/`) into `to`.
fn copy_case(case: &Path, to: &Path) {
    for e in std::fs::read_dir(case).unwrap().flatten() {
        let (p, t) = (e.path(), to.join(e.file_name()));
        if p.is_dir() {
            if e.file_name() != "expected" {
                std::fs::create_dir_all(&t).unwrap();
                copy_case(&p, &t);
            }
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// Runs a case (copied to `dir`) with extra environment, returning every CSV written, by
/// period directory and name.
fn run_with(dir: &Path, env: &[(&str, &str)]) -> (Vec<(String, String)>, String) {
    let out = dir.join("out");
    let text = std::fs::read_to_string(dir.join("args")).unwrap();
    let mut stderr = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_slareport"));
        cmd.args(["run", "--config"]).arg(dir.join("sla.toml")).arg("--out").arg(&out);
        cmd.args(line.split_whitespace());
        cmd.envs(env.iter().copied()).env_remove("RUST_BACKTRACE");
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}: {}", dir.display(), String::from_utf8_lossy(&o.stderr));
        stderr.push_str(&String::from_utf8_lossy(&o.stderr));
    }
    let mut files = Vec::new();
    for d in month_dirs(&out) {
        let mut names: Vec<String> = std::fs::read_dir(&d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".csv"))
            .collect();
        names.sort();
        for n in names {
            let label = format!("{}/{n}", d.file_name().unwrap().to_string_lossy());
            files.push((label, std::fs::read_to_string(d.join(&n)).unwrap()));
        }
    }
    (files, stderr)
}

/// A fixed permutation of a file's data lines (the header stays first).
fn shuffle_rows(path: &Path, seed: u64) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let mut state = seed;
    for i in (1..lines.len()).rev() {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let j = (state >> 33) as usize % (i + 1);
        lines.swap(i, j);
    }
    std::fs::write(path, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
}

fn cases_with_checks() -> Vec<PathBuf> {
    let v: Vec<PathBuf> = cases().into_iter().filter(|c| !check_files(c).is_empty()).collect();
    assert!(v.len() >= 5, "golden cases with plain check files: {v:?}");
    v
}

#[test]
fn small_batches_give_the_same_reports() {
    for case in cases_with_checks() {
        let tmp = tempfile::tempdir().unwrap();
        copy_case(&case, tmp.path());
        let (whole, _) = run_with(tmp.path(), &[]);
        std::fs::remove_dir_all(tmp.path().join("out")).unwrap();
        let (small, _) = run_with(tmp.path(), &[("SLAREPORT_TEST_BLOCK_BYTES", "61")]);
        assert!(!whole.is_empty());
        assert_eq!(whole, small, "{}", case.display());
    }
}

#[test]
fn rows_in_any_order_give_the_same_reports() {
    let mut sorted_twice = 0;
    for case in cases_with_checks() {
        let tmp = tempfile::tempdir().unwrap();
        copy_case(&case, tmp.path());
        // (duplicate_checks already has a series whose second file goes back in time.)
        let (in_order, _) = run_with(tmp.path(), &[]);
        std::fs::remove_dir_all(tmp.path().join("out")).unwrap();
        for (k, f) in check_files(tmp.path()).iter().enumerate() {
            shuffle_rows(f, 7 + k as u64);
        }
        let env = [("SLAREPORT_TEST_SORT_RUN_ROWS", "5"), ("SLAREPORT_TEST_BLOCK_BYTES", "200")];
        let (shuffled, notes) = run_with(tmp.path(), &env);
        assert_eq!(in_order, shuffled, "{}", case.display());
        sorted_twice += notes.contains("not in time order") as usize;
    }
    assert!(sorted_twice >= 5, "the shuffled files were sorted on disk in {sorted_twice} cases");
}

#[test]
fn an_error_in_a_later_batch_names_its_own_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut checks = String::from("timestamp,service,region,location,status\n");
    for i in 0..40 {
        checks.push_str(&format!("2026-10-01T00:{:02}:00Z,api,eu,\"lon\ndon\",up\n", i % 60));
        if i == 20 {
            checks.push('\n');
        }
    }
    checks.push_str("2026-10-01T00:41:00Z,api,eu,lon,sideways\n");
    std::fs::write(dir.join("checks.csv"), checks).unwrap();
    std::fs::write(dir.join("customers.csv"), "customer_id,name,tier,services,regions,currency,monthly_fee,timezone,contract_start\nc1,C,standard,api,eu,EUR,100,UTC,2026-01-01\n").unwrap();
    std::fs::write(
        dir.join("sla.toml"),
        "[inputs]\ncustomers = \"customers.csv\"\nchecks = \"checks.csv\"\n\n[tiers.standard]\ntarget_percent = \"99.9\"\n",
    )
    .unwrap();
    let run = |block: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_slareport"))
            .args(["run", "--month", "2026-10", "--as-of", "2026-11-01T00:00:00Z", "--config"])
            .arg(dir.join("sla.toml"))
            .arg("--out")
            .arg(dir.join("out"))
            .env("SLAREPORT_TEST_BLOCK_BYTES", block)
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(4), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    let whole = run("100000000");
    assert!(whole.contains("checks.csv:83:5: column 'status'"), "{whole}");
    for block in ["50", "97", "333"] {
        assert_eq!(run(block), whole, "block of {block} bytes");
    }
}

/// The case's config with its checks replaced by a reduced file.
fn with_reduced_input(config: &Path, reduced: &str) {
    let text = std::fs::read_to_string(config).unwrap();
    let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
    let inputs = doc["inputs"].as_table_mut().unwrap();
    inputs.remove("checks");
    inputs.insert("reduced", toml_edit::value(reduced));
    std::fs::write(config, doc.to_string()).unwrap();
}

fn as_of(case: &Path) -> String {
    let args = std::fs::read_to_string(case.join("args")).unwrap();
    let words: Vec<&str> = args.split_whitespace().collect();
    let k = words.iter().position(|w| *w == "--as-of").expect("--as-of in args");
    words[k + 1].to_string()
}

#[test]
fn runs_over_reduced_checks_equal_runs_over_raw_checks() {
    let mut compared = 0;
    for case in cases() {
        let config = std::fs::read_to_string(case.join("sla.toml")).unwrap();
        let doc: toml_edit::DocumentMut = config.parse().unwrap();
        let has_checks = doc["inputs"].get("checks").is_some_and(|c| c.as_array().is_none_or(|a| !a.is_empty()));
        // A native source whose checks entry also gives incidents (Uptime Kuma's
        // maintenance) would lose them with its checks: it is compared through Prometheus.
        if !has_checks || config.contains("format = \"uptime-kuma\"") {
            continue;
        }
        // A generated input (a database) is made in the case, as the golden test does.
        if case.join("generate.py").is_file() {
            let o = Command::new("python3").arg("generate.py").current_dir(&case).output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let tmp = tempfile::tempdir().unwrap();
        copy_case(&case, tmp.path());
        let (raw, _) = run_with(tmp.path(), &[]);
        std::fs::remove_dir_all(tmp.path().join("out")).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_slareport"))
            .args(["reduce", "--out", "reduced.csv", "--as-of", &as_of(&case), "--config", "sla.toml"])
            .current_dir(tmp.path())
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}: {}", case.display(), String::from_utf8_lossy(&o.stderr));
        with_reduced_input(&tmp.path().join("sla.toml"), "reduced.csv");
        let (reduced, _) = run_with(tmp.path(), &[]);
        let monthly = |files: &[(String, String)]| -> Vec<(String, String)> {
            files.iter().filter(|(n, _)| n.ends_with("/sla_monthly.csv")).cloned().collect()
        };
        assert!(!monthly(&raw).is_empty(), "{}", case.display());
        assert_eq!(monthly(&raw), monthly(&reduced), "{}", case.display());
        compared += 1;
    }
    assert!(compared >= 10, "cases compared: {compared}");
}

#[test]
fn timings_name_every_stage_and_change_no_report() {
    let case = cases_with_checks().remove(0);
    let tmp = tempfile::tempdir().unwrap();
    copy_case(&case, tmp.path());
    let (plain, _) = run_with(tmp.path(), &[]);
    std::fs::remove_dir_all(tmp.path().join("out")).unwrap();
    let text = std::fs::read_to_string(tmp.path().join("args")).unwrap();
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_slareport"))
        .args(["run", "--timings", "--config"])
        .arg(tmp.path().join("sla.toml"))
        .arg("--out")
        .arg(tmp.path().join("out"))
        .args(line.split_whitespace())
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    assert!(o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    let timings = stderr.lines().find(|l| l.starts_with("slareport: timings: ")).expect("a timings line");
    for stage in ["load and reduce", "evaluate", "CSVs", "CSVs and PDFs", "record and publish"] {
        assert!(timings.contains(&format!("{stage} ")), "{stage} in {timings}");
    }
    let dirs = month_dirs(&tmp.path().join("out"));
    let first = dirs[0].join("sla_monthly.csv");
    let label = format!("{}/sla_monthly.csv", dirs[0].file_name().unwrap().to_string_lossy());
    let want = plain.iter().find(|(n, _)| *n == label).expect("the same period").1.clone();
    assert_eq!(std::fs::read_to_string(first).unwrap(), want);
}

/// A CSV of text columns rewritten as Parquet with row groups of `group` rows.
fn csv_to_parquet(csv: &Path, parquet: &Path, group: usize) {
    use polars::prelude::*;
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.filter(|l| !l.is_empty()).map(|l| l.split(',').collect()).collect();
    let columns: Vec<Column> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let values: Vec<&str> = rows.iter().map(|r| r[i]).collect();
            Column::new(h.trim().into(), values)
        })
        .collect();
    let mut df = DataFrame::new_infer_height(columns).unwrap();
    let file = std::fs::File::create(parquet).unwrap();
    ParquetWriter::new(file).with_row_group_size(Some(group)).finish(&mut df).unwrap();
}

#[test]
fn parquet_read_in_many_batches_gives_the_csv_reports() {
    let mut compared = 0;
    for case in cases_with_checks() {
        let files = check_files(&case);
        // Plain single-file cases (no quotes in the checks).
        if files.len() != 1 || std::fs::read_to_string(&files[0]).unwrap().contains('"') {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        copy_case(&case, tmp.path());
        let (csv, _) = run_with(tmp.path(), &[]);
        std::fs::remove_dir_all(tmp.path().join("out")).unwrap();
        let name = files[0].file_name().unwrap().to_string_lossy().to_string();
        let parquet_name = name.replace(".csv", ".parquet");
        csv_to_parquet(&tmp.path().join(&name), &tmp.path().join(&parquet_name), 7);
        std::fs::remove_file(tmp.path().join(&name)).unwrap();
        let config = std::fs::read_to_string(tmp.path().join("sla.toml")).unwrap();
        std::fs::write(
            tmp.path().join("sla.toml"),
            config.replace(&format!("\"{name}\""), &format!("\"{parquet_name}\"")),
        )
        .unwrap();
        let (parquet, _) = run_with(tmp.path(), &[("SLAREPORT_TEST_BATCH_ROWS", "10")]);
        assert_eq!(csv, parquet, "{}", case.display());
        compared += 1;
    }
    assert!(compared >= 5, "cases compared: {compared}");
}
