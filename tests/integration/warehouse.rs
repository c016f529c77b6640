//! The warehouse path: the checks reduction as SQL (sql/reduce.duckdb.sql, run by
//! sql/reduce.py on DuckDB) must give reports identical to slareport's own reading of the
//! raw checks. For every golden case that reads plain canonical checks, the case is run
//! twice, once as it is and once with its checks replaced by the DuckDB-reduced file
//! (`[inputs] reduced`), and every period's `sla_monthly.csv` must be byte-identical.
//!
//! DuckDB comes from the venv `scripts/test` prepares (`scripts/sql-venv`:
//! `$SLAREPORT_VENV`, else `~/.cache/slareport-venv`), else from `python3`; when neither
//! can import `duckdb` the test says so and checks nothing else. The Spark form is
//! checked by `scripts/sql-check --spark` (too slow for every test run).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A Python that can import duckdb: the venv's, else python3; `None` when neither can.
fn python_with_duckdb() -> Option<PathBuf> {
    let venv = std::env::var_os("SLAREPORT_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/slareport-venv")));
    let candidates = venv.map(|v| v.join("bin/python")).into_iter().chain([PathBuf::from("python3")]);
    candidates
        .into_iter()
        .find(|py| Command::new(py).args(["-c", "import duckdb"]).output().is_ok_and(|o| o.status.success()))
}

/// Keys of a checks entry that change how its file is read (the SQL reads canonical files).
const NOT_PLAIN: [&str; 8] =
    ["format", "options", "columns", "values", "constants", "timestamp_format", "timezone", "series"];

/// Whether a case's checks are plain canonical checks files (what the SQL reads): some
/// checks, none through a native reader, a column mapping or a state-change log.
fn plain_checks(config: &toml_edit::DocumentMut) -> bool {
    use toml_edit::{Item, Value};
    let plain = |keys: Vec<&str>| !keys.iter().any(|k| NOT_PLAIN.contains(k));
    match config.get("inputs").and_then(|i| i.get("checks")) {
        Some(Item::Value(Value::String(_))) => true,
        Some(Item::Value(Value::Array(a))) => {
            !a.is_empty()
                && a.iter().all(|e| match e {
                    Value::String(_) => true,
                    Value::InlineTable(t) => plain(t.iter().map(|(k, _)| k).collect()),
                    _ => false,
                })
        }
        Some(Item::ArrayOfTables(a)) => a.iter().all(|t| plain(t.iter().map(|(k, _)| k).collect())),
        _ => false,
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().map(Result::unwrap) {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            if e.file_name() != "expected" {
                copy_dir(&e.path(), &target);
            }
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Runs every line of the case's `args` with `config`; returns each period's sla_monthly.csv.
fn run_reports(case: &Path, config: &Path, out: &Path) -> Vec<(String, String)> {
    let args = std::fs::read_to_string(case.join("args")).unwrap();
    for line in args.lines().filter(|l| !l.trim().is_empty()) {
        let o = Command::new(env!("CARGO_BIN_EXE_slareport"))
            .args(["run", "--quiet", "--config"])
            .arg(config)
            .arg("--out")
            .arg(out)
            .args(line.split_whitespace())
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}: {}", config.display(), String::from_utf8_lossy(&o.stderr));
    }
    let mut v: Vec<(String, String)> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("sla_monthly.csv").is_file())
        .map(|p| {
            let label = p.file_name().unwrap().to_string_lossy().to_string();
            (label, std::fs::read_to_string(p.join("sla_monthly.csv")).unwrap())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn duckdb_reduced_checks_give_the_same_reports_as_raw_checks() {
    let Some(python) = python_with_duckdb() else {
        eprintln!(
            "warehouse: SKIPPED: no Python with the duckdb module (bash scripts/sql-venv installs it; scripts/test does)"
        );
        return;
    };
    let mut golden: Vec<PathBuf> = std::fs::read_dir(root().join("tests/golden"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("sla.toml").is_file())
        .collect();
    golden.sort();
    let mut checked = Vec::new();
    for case in &golden {
        let text = std::fs::read_to_string(case.join("sla.toml")).unwrap();
        let mut config: toml_edit::DocumentMut = text.parse().unwrap();
        if !plain_checks(&config) {
            continue;
        }
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(&name);
        copy_dir(case, &dir);
        // The SQL's reduction of the case's checks.
        let reduced = dir.join("reduced-by-duckdb.csv");
        let o = Command::new(&python)
            .arg(root().join("sql/reduce.py"))
            .args(["--engine", "duckdb", "--config"])
            .arg(dir.join("sla.toml"))
            .arg("--out")
            .arg(&reduced)
            .output()
            .unwrap();
        assert!(o.status.success(), "{name}: sql/reduce.py failed: {}", String::from_utf8_lossy(&o.stderr));
        // The same case reading the reduced file instead of the checks.
        let inputs = config["inputs"].as_table_like_mut().unwrap();
        inputs.remove("checks");
        inputs.insert("reduced", toml_edit::value("reduced-by-duckdb.csv"));
        let via_sql = dir.join("sla-reduced.toml");
        std::fs::write(&via_sql, config.to_string()).unwrap();
        let raw = run_reports(case, &dir.join("sla.toml"), &tmp.path().join("raw"));
        let sql = run_reports(case, &via_sql, &tmp.path().join("sql"));
        assert!(!raw.is_empty(), "{name}: no report written");
        assert_eq!(
            raw.iter().map(|r| &r.0).collect::<Vec<_>>(),
            sql.iter().map(|r| &r.0).collect::<Vec<_>>(),
            "{name}: the periods differ"
        );
        for ((label, want), (_, got)) in raw.iter().zip(&sql) {
            assert!(
                want == got,
                "{name} {label}: sla_monthly.csv over the DuckDB-reduced checks differs\n--- raw checks\n{want}\n--- reduced by DuckDB\n{got}\n--- the reduced file\n{}",
                std::fs::read_to_string(&reduced).unwrap()
            );
        }
        checked.push(name);
    }
    eprintln!(
        "warehouse: {} golden cases reduced by DuckDB give the same reports: {}",
        checked.len(),
        checked.join(", ")
    );
    assert!(checked.len() >= 8, "expected the 8 golden cases with plain checks, checked {checked:?}");
}
