//! Golden tests: each directory under tests/golden/ holds inputs, `sla.toml`, an `args`
//! file (one run per line, all into one output directory) and `expected/` with the exact
//! CSV files of every period directory the runs write. Set
//! `UPDATE_GOLDEN=1` to rewrite `expected/` after checking a change by hand.
//!
//! The quarter's credits are checked against its months' own. A second test runs the
//! independent per-second Python model in tests/reference/ on
//! every case and compares its `sla_monthly.csv` columns with ours.

use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/golden")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("sla.toml").is_file())
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no golden cases found");
    v
}

/// Whether a case's config sets a recovery objective (its `recovery.csv` is then golden).
fn sets_objectives(case: &Path) -> bool {
    let text = std::fs::read_to_string(case.join("sla.toml")).unwrap_or_default();
    text.contains("rto_minutes") || text.contains("rpo_minutes")
}

/// The arguments of every run of a case (one line each); all share the case's `--as-of`.
fn runs_of(case: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(case.join("args")).expect("args file");
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| l.split_whitespace().map(String::from).collect()).collect()
}

/// The arguments of the first run.
fn args_of(case: &Path) -> Vec<String> {
    runs_of(case).remove(0)
}

pub(crate) fn run_case(case: &Path, out: &Path) {
    // A case whose input is generated (a binary database) is made first.
    if case.join("generate.py").is_file() {
        let o = Command::new("python3").arg("generate.py").current_dir(case).output().expect("python3");
        assert!(o.status.success(), "{}: {}", case.display(), String::from_utf8_lossy(&o.stderr));
    }
    for args in runs_of(case) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_slareport"));
        cmd.args(["run", "--config"]).arg(case.join("sla.toml")).arg("--out").arg(out).arg("--quiet");
        cmd.args(args);
        let o = cmd.env_remove("RUST_BACKTRACE").output().unwrap();
        assert!(o.status.success(), "{}: {}", case.display(), String::from_utf8_lossy(&o.stderr));
    }
}

pub(crate) fn month_dirs(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().is_some_and(|n| slareport::core::period::Period::from_label(&n.to_string_lossy()).is_some())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn golden_cases_match_expected_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for case in cases() {
        let tmp = tempfile::tempdir().unwrap();
        run_case(&case, tmp.path());
        let expected_root = case.join("expected");
        // Every expected period directory must have been written.
        if !update && let Ok(entries) = std::fs::read_dir(&expected_root) {
            let written: Vec<std::ffi::OsString> =
                month_dirs(tmp.path()).iter().filter_map(|d| d.file_name().map(|n| n.to_owned())).collect();
            for e in entries.flatten().filter(|e| e.path().is_dir()) {
                if !written.contains(&e.file_name()) {
                    failures.push(format!("{}: expected but the runs wrote no such directory", e.path().display()));
                }
            }
        }
        for dir in month_dirs(tmp.path()) {
            let month = dir.file_name().unwrap().to_string_lossy().to_string();
            // Every CSV the run wrote (sla_monthly, credits, tiers, evidence, and the
            // roll-up of a longer period).
            let mut written: Vec<String> = std::fs::read_dir(&dir)
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
                .filter(|n| n.ends_with(".csv"))
                .collect();
            written.sort();
            if !update && let Ok(entries) = std::fs::read_dir(expected_root.join(&month)) {
                // An expected file the run no longer writes is a failure too.
                for e in entries.flatten() {
                    let n = e.file_name().to_string_lossy().to_string();
                    if n.ends_with(".csv") && !written.contains(&n) {
                        failures.push(format!("{}: expected but not written", e.path().display()));
                    }
                }
            }
            for file in &written {
                let got = std::fs::read_to_string(dir.join(file)).unwrap();
                let want_path = expected_root.join(&month).join(file);
                if update {
                    std::fs::create_dir_all(want_path.parent().unwrap()).unwrap();
                    std::fs::write(&want_path, &got).unwrap();
                    continue;
                }
                match std::fs::read_to_string(&want_path) {
                    Ok(want) if want == got => {}
                    Ok(want) => {
                        failures.push(format!("{}: differs\n--- expected\n{want}\n--- got\n{got}", want_path.display()))
                    }
                    Err(_) => failures.push(format!("{}: missing (run with UPDATE_GOLDEN=1)", want_path.display())),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The first 15 columns of sla_monthly.csv are the spec's; the model prints exactly those.
fn spec_columns(csv_text: &str) -> Vec<String> {
    csv_text
        .lines()
        .map(|l| {
            let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(l.as_bytes());
            let rec = rdr.records().next().unwrap().unwrap();
            rec.iter().take(15).collect::<Vec<_>>().join("|")
        })
        .collect()
}

/// The error budget columns: 22 to 26 of sla_monthly.csv, 16 to 20 of the model's output.
fn budget_columns(csv_text: &str, from: usize) -> Vec<String> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_text.as_bytes());
    rdr.records().map(|r| r.unwrap().iter().skip(from).take(5).collect::<Vec<_>>().join("|")).collect()
}

/// The output of a reference script of `tests/reference/` for one period of a case, run
/// with the case's `--as-of`.
fn reference(script: &str, case: &Path, label: &str) -> String {
    reference_with(script, case, label, &[])
}

/// [`reference`] with more arguments after the period label.
fn reference_with(script: &str, case: &Path, label: &str, more: &[&str]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference").join(script);
    let args = args_of(case);
    let mut cmd = Command::new("python3");
    cmd.arg(&path).arg(case.join("sla.toml")).arg(label).args(more);
    if let Some(i) = args.iter().position(|a| a == "--as-of") {
        cmd.args(["--as-of", &args[i + 1]]);
    }
    let o = cmd.output().expect("python3 is needed for the reference model");
    assert!(o.status.success(), "{} {label}: {script} failed: {}", case.display(), String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn golden_cases_agree_with_the_reference_model() {
    for case in cases().into_iter().filter(|c| !c.join("reference-skip").is_file()) {
        let tmp = tempfile::tempdir().unwrap();
        run_case(&case, tmp.path());
        for dir in month_dirs(tmp.path()) {
            let month = dir.file_name().unwrap().to_string_lossy().to_string();
            let model = reference("sla_reference.py", &case, &month);
            let ours = std::fs::read_to_string(dir.join("sla_monthly.csv")).unwrap();
            assert_eq!(
                spec_columns(&ours),
                spec_columns(&model),
                "{} {month}: Rust and the reference model disagree",
                case.display()
            );
            assert_eq!(
                budget_columns(&ours, 21),
                budget_columns(&model, 15),
                "{} {month}: the error budgets disagree",
                case.display()
            );
            // A longer period's roll-up, from the model's own figures.
            if dir.join("rollup.csv").is_file() {
                let ours = std::fs::read_to_string(dir.join("rollup.csv")).unwrap();
                let model = reference("rollup_reference.py", &case, &month);
                assert_eq!(ours, model, "{} {month}: the roll-ups disagree", case.display());
            }
        }
    }
}

/// The worked examples under tests/reference/examples/ have expectations derived by hand
/// from the spec (arithmetic in each case's sla.toml); our output must match them.
#[test]
fn hand_computed_spec_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/examples");
    let mut n = 0;
    for case in std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()) {
        let args_text = std::fs::read_to_string(case.join("args")).unwrap();
        let mut args = args_text.split_whitespace();
        let month = args.next().unwrap().to_string();
        let rest: Vec<&str> = args.collect();
        let tmp = tempfile::tempdir().unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_slareport"))
            .args(["run", "--quiet", "--month", &month, "--config"])
            .arg(case.join("sla.toml"))
            .arg("--out")
            .arg(tmp.path())
            .args(&rest)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}: {}", case.display(), String::from_utf8_lossy(&o.stderr));
        let got = spec_columns(&std::fs::read_to_string(tmp.path().join(&month).join("sla_monthly.csv")).unwrap());
        let want = spec_columns(&std::fs::read_to_string(case.join("expected_sla_monthly.csv")).unwrap());
        assert_eq!(got, want, "{}", case.display());
        n += 1;
    }
    assert!(n >= 8, "expected the spec examples, found {n}");
}

/// The formatted view (every string a PDF shows) of each customer of two golden cases,
/// compared with `expected/<month>/views.txt`.
#[test]
fn formatted_views_match_expected_text() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for (case, month) in [("maintenance_notice_overrun", "2026-09"), ("dst_london_october", "2026-10")] {
        let dir = root.join(case);
        let args = args_of(&dir);
        let as_of = args.iter().position(|a| a == "--as-of").map(|i| args[i + 1].clone()).expect("--as-of");
        let as_of = slareport::core::time::parse_instant(&as_of, chrono_tz::Tz::UTC).unwrap();
        let config = slareport::config::Config::load(&dir.join("sla.toml")).unwrap();
        let prepared = slareport::pipeline::prepare(config, Some(as_of), as_of).unwrap();
        let result = prepared.compute(&slareport::core::period::Period::from_label(month).unwrap());
        let mut text = String::new();
        for row in &result.rows {
            let view = prepared.customer_view(row, "0123456789abcdef-fingerprint", "2026-11-01 00:00:00 UTC", &[]);
            text.push_str(&format!("{view:#?}\n"));
        }
        let path = dir.join("expected").join(month).join("views.txt");
        if update {
            std::fs::write(&path, &text).unwrap();
        } else {
            let want = std::fs::read_to_string(&path)
                .unwrap_or_else(|_| panic!("{}: missing (UPDATE_GOLDEN=1)", path.display()));
            assert!(want == text, "{}: the formatted view changed\n--- got\n{text}", path.display());
        }
    }
}

/// Credits stay per calendar month: a quarter's `credits.csv` lists exactly the rows of its
/// months' own `credits.csv`, and its `sla_monthly.csv` fee and credit are their sums.
#[test]
fn a_quarter_owes_the_credits_of_its_months() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/period_quarter");
    let tmp = tempfile::tempdir().unwrap();
    run_case(&case, tmp.path());
    let body =
        |p: PathBuf| -> Vec<String> { std::fs::read_to_string(p).unwrap().lines().skip(1).map(String::from).collect() };
    let mut quarter = body(tmp.path().join("2026-Q3/credits.csv"));
    let mut months: Vec<String> =
        ["2026-07", "2026-08", "2026-09"].iter().flat_map(|m| body(tmp.path().join(m).join("credits.csv"))).collect();
    assert!(!quarter.is_empty());
    quarter.sort();
    months.sort();
    assert_eq!(quarter, months, "the quarter lists its months' credit rows (by customer, then month)");
    let mut rdr = csv::Reader::from_path(tmp.path().join("2026-Q3/sla_monthly.csv")).unwrap();
    for row in rdr.records().map(Result::unwrap) {
        let owed: rust_decimal::Decimal = months
            .iter()
            .filter(|l| l.split(',').nth(1) == Some(&row[1]))
            .map(|l| l.split(',').nth(9).unwrap().parse::<rust_decimal::Decimal>().unwrap())
            .sum();
        assert_eq!(row[12].parse::<rust_decimal::Decimal>().unwrap(), owed, "{}", &row[1]);
        assert_eq!(&row[10], "", "a quarter has no single credit percent");
    }
}

/// recovery.csv of every case that sets a recovery objective, against the independent
/// reference in tests/reference/recovery_reference.py: every column but `note` exactly, and
/// the model's reasons (key words) inside our note.
#[test]
fn recovery_csv_agrees_with_the_reference_model() {
    let records = |text: &str| -> Vec<Vec<String>> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        rdr.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect()
    };
    let mut checked = 0;
    for case in cases().into_iter().filter(|c| sets_objectives(c)) {
        let tmp = tempfile::tempdir().unwrap();
        run_case(&case, tmp.path());
        for dir in month_dirs(tmp.path()) {
            let month = dir.file_name().unwrap().to_string_lossy().to_string();
            let want = records(&reference("recovery_reference.py", &case, &month));
            let got = records(&std::fs::read_to_string(dir.join("recovery.csv")).unwrap());
            assert_eq!(got.len(), want.len(), "{} {month}: rows differ", case.display());
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g[..11], w[..11], "{} {month}: recovery rows disagree", case.display());
                for reason in w[11].split("; ").filter(|r| !r.is_empty()) {
                    assert!(g[11].contains(reason), "{} {month}: note {:?} lacks {reason:?}", case.display(), g[11]);
                }
            }
            checked += got.len() - 1;
        }
    }
    assert!(checked >= 9, "expected the recovery_rto_rpo case, checked {checked} rows");
}

/// Every golden case with a backups input: the largest gaps and the over-kept backups of
/// its backups.csv agree with the independent Python check in
/// tests/reference/backups_reference.py.
#[test]
fn golden_backups_agree_with_the_reference_check() {
    let mut n = 0;
    for case in cases().into_iter().filter(|c| c.join("backups.csv").is_file()) {
        let tmp = tempfile::tempdir().unwrap();
        run_case(&case, tmp.path());
        assert!(args_of(&case).iter().any(|a| a == "--as-of"), "{}: a backups case needs --as-of", case.display());
        for dir in month_dirs(tmp.path()) {
            let month = dir.file_name().unwrap().to_string_lossy().to_string();
            let output = reference("backups_reference.py", &case, &month);
            let ours = std::fs::read_to_string(dir.join("backups.csv")).unwrap();
            let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(ours.as_bytes());
            // component, largest_gap_minutes, over_retention: columns 1, 6 and 9.
            let got: Vec<String> = rdr
                .records()
                .map(|r| {
                    let r = r.unwrap();
                    format!("{},{},{}", &r[0], &r[5], &r[8])
                })
                .collect();
            let want: Vec<String> = output.lines().map(String::from).collect();
            assert_eq!(got, want, "{} {month}: backups.csv and the reference check disagree", case.display());
            n += 1;
        }
    }
    assert!(n >= 1, "no golden case with backups");
}

/// The reference model's own self-test (hand-derived examples in tests/reference/examples/)
/// runs with the suite: an oracle that drifted would otherwise agree with a wrong slareport.
#[test]
fn the_reference_model_passes_its_own_examples() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/check_examples.py");
    let o = Command::new("python3").arg(&script).output().expect("python3 is needed for the reference model");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}{}", String::from_utf8_lossy(&o.stderr));
    let last = out.lines().last().unwrap_or("");
    assert!(last.ends_with(" passed, 0 failed") && !last.starts_with("0 passed"), "{out}");
}

/// credits.csv and tiers.csv of every golden period are also what the independent model
/// writes from its own figures (tests/reference/summary_reference.py).
#[test]
fn golden_credits_and_tiers_agree_with_the_reference_model() {
    let mut compared = 0;
    for case in cases().into_iter().filter(|c| !c.join("reference-skip").is_file()) {
        let tmp = tempfile::tempdir().unwrap();
        run_case(&case, tmp.path());
        for dir in month_dirs(tmp.path()) {
            let period = dir.file_name().unwrap().to_string_lossy().to_string();
            for file in ["credits", "tiers"] {
                let ours = std::fs::read_to_string(dir.join(format!("{file}.csv"))).unwrap();
                let model = reference_with("summary_reference.py", &case, &period, &[file]);
                assert_eq!(ours, model, "{} {period}: {file}.csv disagrees with the reference model", case.display());
                compared += 1;
            }
        }
    }
    assert!(compared >= 30, "files compared: {compared}");
}

/// The intervals of evidence.csv (adjacent rows of one customer and kind merged), as
/// `customer,kind,start,end` lines in the reference's order: customers by id, kinds
/// counted, dropped, excluded, partial, intervals by start.
fn evidence_intervals(csv_text: &str) -> Vec<String> {
    let kinds = ["counted", "dropped", "excluded", "partial"];
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let mut rows: Vec<(String, usize, String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            let kind = kinds.iter().position(|k| *k == &r[2]).unwrap_or_else(|| panic!("kind {}", &r[2]));
            (r[1].to_string(), kind, r[3].to_string(), r[4].to_string())
        })
        .collect();
    rows.sort();
    let mut merged: Vec<(String, usize, String, String)> = Vec::new();
    for row in rows {
        match merged.last_mut() {
            Some(last) if last.0 == row.0 && last.1 == row.1 && last.3 == row.2 => last.3 = row.3,
            _ => merged.push(row),
        }
    }
    merged.into_iter().map(|(c, k, s, e)| format!("{c},{},{s},{e}", kinds[k])).collect()
}

/// evidence.csv of every golden period holds, per customer and kind, exactly the seconds
/// the independent model counts, drops, excludes and weighs as partial.
#[test]
fn golden_evidence_agrees_with_the_reference_model() {
    let mut intervals = 0;
    for case in cases().into_iter().filter(|c| !c.join("reference-skip").is_file()) {
        let tmp = tempfile::tempdir().unwrap();
        run_case(&case, tmp.path());
        for dir in month_dirs(tmp.path()) {
            let period = dir.file_name().unwrap().to_string_lossy().to_string();
            let ours = evidence_intervals(&std::fs::read_to_string(dir.join("evidence.csv")).unwrap());
            let model: Vec<String> =
                reference("evidence_reference.py", &case, &period).lines().map(String::from).collect();
            assert_eq!(ours, model, "{} {period}: evidence.csv disagrees with the reference model", case.display());
            intervals += ours.len();
        }
    }
    assert!(intervals >= 40, "intervals compared: {intervals}");
}
