//! Shell conventions: completions, the man page, `--json`, `diff --exit-code`, the diff
//! CSV's numeric columns, colour only on terminals, `--config -`.

use clap::CommandFactory;
use serde_json::Value;

use crate::workdir::{CHECKS, CONFIG, CUSTOMERS, INCIDENTS, Workdir, read_csv, valid};

const AS_OF: &str = "2026-11-02T00:00:00Z";

fn run(w: &Workdir) {
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out", "--as-of", AS_OF]).assert_ok();
}

/// Two recorded runs of October; the second restates C1 (a late-reported incident).
fn restated() -> Workdir {
    let w = valid();
    run(&w);
    w.write(
        "incidents.csv",
        format!("{INCIDENTS}I2,Late report,unplanned,major,2026-10-20T00:00:00Z,2026-10-20T02:00:00Z,*,*,*,\n"),
    );
    run(&w);
    w
}

/// Runs a command that prints JSON: (exit code, the parsed object); stderr must be empty.
fn json(w: &Workdir, args: &[&str]) -> (i32, Value) {
    let r = w.run(args);
    assert!(r.stderr().is_empty(), "{}", r.stderr());
    let v = serde_json::from_str(&r.stdout()).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", r.stdout()));
    (r.code(), v)
}

/// Every subcommand name, from the command-line definition itself.
fn subcommands() -> Vec<String> {
    let names: Vec<String> =
        slareport::cli::Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
    assert!(names.len() >= 10 && names.iter().any(|n| n == "verify"), "{names:?}");
    names
}

#[test]
fn bash_completion_names_every_subcommand() {
    let w = Workdir::new();
    let r = w.run(&["completions", "bash"]);
    r.assert_ok();
    let script = r.stdout();
    assert!(script.contains("complete -F _slareport"), "{script}");
    for name in subcommands() {
        assert!(script.contains(&format!("slareport,{name})")), "bash completion lacks {name}");
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let r = w.run(&["completions", shell]);
        r.assert_ok();
        assert!(r.stdout().contains("verify"), "{shell}: {}", r.stdout());
    }
    w.run(&["completions", "tcsh"]).assert_error(2, "invalid value 'tcsh'");
}

#[test]
fn man_page_is_roff_and_names_the_subcommands() {
    let w = Workdir::new();
    let r = w.run(&["man"]);
    r.assert_ok();
    let page = r.stdout();
    assert!(page.lines().any(|l| l.starts_with(".TH slareport 1")), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for name in subcommands() {
        assert!(page.contains(&format!("slareport\\-{name}(1)")), "man page lacks {name}");
    }
    // The page and --help point to the contract.
    assert!(page.contains("docs/CONTRACT.md"), "{page}");
    let help = w.run(&["--help"]);
    help.assert_ok();
    assert!(help.stdout().contains("docs/CONTRACT.md") && help.stdout().contains("slareport init DIR"));
}

#[test]
fn verify_json_gives_every_verdict_and_the_same_exit_code() {
    let w = restated();
    let (code, v) = json(&w, &["verify", "--out", "out", "--json"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["run_id"], "run-000002");
    assert_eq!(v["ok"], true);
    assert_eq!(v["failed"], 0);
    assert_eq!(v["completed"], serde_json::json!([]));
    let checks = v["checks"].as_array().unwrap();
    assert!(checks.iter().all(|c| c["ok"] == true), "{v:#}");
    assert!(
        checks.iter().any(|c| c["what"].as_str().unwrap().contains("hash chain of 2 records is unbroken")),
        "{v:#}"
    );
    // A changed input: exit 6, the failed checks named.
    w.write("incidents.csv", INCIDENTS);
    let (code, v) = json(&w, &["verify", "--out", "out", "--json"]);
    assert_eq!(code, 6, "{v:#}");
    assert_eq!(v["ok"], false);
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["what"].as_str().unwrap())
        .collect();
    assert_eq!(v["failed"], failed.len());
    assert!(failed.iter().any(|f| f.contains("incidents.csv changed since run-000002")), "{v:#}");
}

#[test]
fn diff_json_gives_old_and_new_figures_and_input_changes() {
    let w = restated();
    let (code, v) = json(&w, &["diff", "run-000001", "run-000002", "--out", "out", "--json"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["from"], "run-000001");
    assert_eq!(v["to"], "run-000002");
    let list = v["restatements"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{v:#}");
    let r = &list[0];
    assert_eq!(r["month"], "2026-10");
    assert_eq!(r["customer_id"], "C1");
    assert_eq!(r["old"]["uptime_percent"], "99.9305");
    assert_eq!(r["new"]["uptime_percent"], "99.6617");
    assert_eq!(r["new"]["met"], false);
    assert_eq!(r["new"]["credit_percent"], "10");
    assert_eq!(r["new"]["credit_amount"], "100.00");
    assert_eq!(r["new"]["currency"], "GBP");
    let changes = v["input_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{v:#}");
    assert_eq!(changes[0]["change"], "changed");
    assert_eq!(changes[0]["input"], "incidents incidents.csv");
    assert_eq!(changes[0]["old_sha256"].as_str().unwrap().len(), 64);
    assert_ne!(changes[0]["old_sha256"], changes[0]["new_sha256"]);
    // Nothing restated: empty lists.
    let (code, v) = json(&w, &["diff", "run-000002", "out/2026-10", "--out", "out", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(v["restatements"], serde_json::json!([]));
    assert_eq!(v["input_changes"], serde_json::json!([]));
    // --json and --csv - would both write to standard output.
    w.run(&["diff", "run-000001", "run-000002", "--out", "out", "--json", "--csv", "-"])
        .assert_error(2, "--json and --csv - both write to standard output");
}

#[test]
fn history_json_lists_the_recorded_runs() {
    let w = restated();
    let (code, v) = json(&w, &["history", "--out", "out", "--json"]);
    assert_eq!(code, 0, "{v:#}");
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{v:#}");
    assert_eq!(runs[0]["run_id"], "run-000001");
    assert_eq!(runs[1]["run_id"], "run-000002");
    assert_eq!(runs[1]["recorded_at"], AS_OF);
    assert_eq!(runs[1]["months"], serde_json::json!(["2026-10"]));
    assert_eq!(runs[0]["prev_sha256"], "0".repeat(64));
    assert_eq!(runs[1]["inputs"].as_array().unwrap().len(), 3, "{v:#}");
    assert_eq!(v["unreadable_lines"], serde_json::json!([]));
    assert!(v["runs_file"].as_str().unwrap().ends_with("runs.jsonl"), "{v:#}");
    // Each run is its runs.jsonl record, field for field.
    let line: Value = serde_json::from_str(w.read("out/history/runs.jsonl").lines().next().unwrap()).unwrap();
    assert_eq!(runs[0], line);
}

#[test]
fn validate_json_lists_problems_and_warnings_with_the_same_exit_code() {
    let w = valid();
    let base = ["validate", "--config", "sla.toml", "--month", "2026-10", "--as-of", "2026-11-01T00:00:00Z", "--json"];
    let (code, v) = json(&w, &base);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["status"], "warnings");
    assert_eq!(v["config"], "sla.toml");
    assert_eq!(v["problem_count"], 0);
    assert_eq!(v["problems"], serde_json::json!([]));
    let warnings = v["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|x| x.as_str().unwrap().starts_with("monitoring gap: ")), "{v:#}");
    w.write("checks.csv", CHECKS.replace(",up\n", ",sideways\n"));
    let (code, v) = json(&w, &base);
    assert_eq!(code, 4, "{v:#}");
    assert_eq!(v["status"], "problems");
    assert_eq!(v["problem_count"], 2);
    let first = v["problems"][0].as_str().unwrap();
    assert!(first.starts_with("checks.csv:2:5: column 'status': unknown status \"sideways\""), "{v:#}");
}

#[test]
fn diff_exit_code_is_one_only_with_restatements() {
    let w = restated();
    let restating = ["diff", "run-000001", "run-000002", "--out", "out"];
    // Without --exit-code: 0 either way.
    let r = w.run(&restating);
    assert_eq!(r.code(), 0, "{}", r.stdout());
    assert!(r.stdout().contains("Restatements from run-000001 to run-000002: 1"), "{}", r.stdout());
    let r = w.run(&[&restating[..], &["--exit-code"]].concat());
    assert_eq!(r.code(), 1, "{}{}", r.stdout(), r.stderr());
    assert!(r.stdout().contains("Restatements from run-000001 to run-000002: 1"), "{}", r.stdout());
    assert!(r.stderr().is_empty(), "{}", r.stderr());
    let (code, v) = json(&w, &[&restating[..], &["--exit-code", "--json"]].concat());
    assert_eq!(code, 1, "{v:#}");
    // Nothing restated: 0.
    let r = w.run(&["diff", "run-000002", "out/2026-10", "--out", "out", "--exit-code"]);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    assert!(r.stdout().contains(": 0\n"), "{}", r.stdout());
    // An error keeps its own code.
    w.run(&["diff", "run-000001", "run-000009", "--out", "out", "--exit-code"]).assert_error(2, "run-000009");
}

#[test]
fn diff_csv_has_numeric_credit_columns_a_spreadsheet_can_sum() {
    let w = valid();
    run(&w);
    // October restated: a 10-hour incident (credit 10 % -> 25 %), and a customer added.
    w.write(
        "incidents.csv",
        format!("{INCIDENTS}I2,Late report,unplanned,major,2026-10-20T00:00:00Z,2026-10-20T10:00:00Z,*,*,*,\n"),
    );
    w.write("customers.csv", format!("{CUSTOMERS}C2,Beta,standard,*,*,500.00,EUR\n"));
    run(&w);
    w.run(&["diff", "run-000001", "run-000002", "--out", "out", "--csv", "restated.csv"]).assert_ok();
    let text = w.read("restated.csv");
    assert_eq!(
        text.lines().next().unwrap(),
        "month,customer_id,old_uptime_percent,new_uptime_percent,old_met,new_met,\
         old_credit_percent,new_credit_percent,old_credit_amount,new_credit_amount,old_currency,new_currency"
    );
    let rows = read_csv(&text);
    assert_eq!(rows.len(), 2, "{text}");
    let c1 = &rows[0];
    assert_eq!(c1["customer_id"], "C1");
    assert_eq!(c1["old_credit_percent"], "10");
    assert_eq!(c1["new_credit_percent"], "25");
    assert_eq!(c1["old_credit_amount"], "100.00");
    assert_eq!(c1["new_credit_amount"], "250.00");
    assert_eq!((c1["old_currency"].as_str(), c1["new_currency"].as_str()), ("GBP", "GBP"));
    // A customer-month on one side only: that side's cells are empty.
    let c2 = &rows[1];
    assert_eq!(c2["customer_id"], "C2");
    assert_eq!(
        [
            &c2["old_uptime_percent"],
            &c2["old_met"],
            &c2["old_credit_percent"],
            &c2["old_credit_amount"],
            &c2["old_currency"]
        ],
        ["", "", "", "", ""]
    );
    assert_eq!(c2["new_credit_amount"], "125.00");
    assert_eq!(c2["new_currency"], "EUR");
    // Every credit cell parses as a number (or is empty), so a column sums.
    let sum: f64 = rows.iter().map(|r| r["new_credit_amount"].parse::<f64>().unwrap()).sum();
    assert_eq!(sum, 375.0);
}

/// `args` run on a pseudo-terminal by util-linux `script` (None when it is not installed),
/// with `NO_COLOR` as given: the terminal's output.
fn on_a_terminal(w: &Workdir, args: &str, no_color: Option<&str>) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"].into_iter().find(|p| std::path::Path::new(p).exists())?;
    let mut cmd = std::process::Command::new(script);
    cmd.args(["-qec", &format!("'{}' {args}", env!("CARGO_BIN_EXE_slareport")), "/dev/null"])
        .current_dir(w.path())
        .stdin(std::process::Stdio::null())
        .env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let o = cmd.output().unwrap();
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let w = valid();
    // To a pipe: no escape codes, with or without NO_COLOR.
    let r = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out", "--as-of", AS_OF]);
    r.assert_ok();
    assert!(r.stdout().contains("period ") && r.stdout().contains(" met "), "{}", r.stdout());
    assert!(!r.stdout().contains('\u{1b}') && !r.stderr().contains('\u{1b}'), "{}{}", r.stdout(), r.stderr());
    w.write(
        "incidents.csv",
        format!("{INCIDENTS}I2,Late,unplanned,major,2026-10-20T00:00:00Z,2026-10-20T01:00:00Z,*,*,*,\n"),
    );
    let r = w.run(&["verify", "--out", "out"]);
    assert_eq!(r.code(), 6);
    assert!(r.stdout().contains("ok  ") && r.stdout().contains("FAIL  "), "{}", r.stdout());
    assert!(!r.stdout().contains('\u{1b}') && !r.stderr().contains('\u{1b}'), "{}{}", r.stdout(), r.stderr());
    // On a terminal: coloured, unless NO_COLOR is set (an empty NO_COLOR counts as unset).
    let Some(tty) = on_a_terminal(&w, "verify --out out", None) else {
        eprintln!("util-linux script not installed: the terminal half of this test is skipped");
        return;
    };
    assert!(tty.contains("\u{1b}[32mok\u{1b}[0m  ") && tty.contains("\u{1b}[31mFAIL\u{1b}[0m  "), "{tty:?}");
    assert!(tty.contains("\u{1b}[31mFAILED\u{1b}[0m: "), "{tty:?}");
    let tty = on_a_terminal(&w, "verify --out out", Some("")).unwrap();
    assert!(tty.contains("\u{1b}[32mok"), "{tty:?}");
    let tty = on_a_terminal(&w, "verify --out out", Some("1")).unwrap();
    assert!(tty.contains("FAIL  ") && !tty.contains('\u{1b}'), "{tty:?}");
    let tty = on_a_terminal(&w, "verify --out out --json", None).unwrap();
    assert!(tty.contains("\"ok\": false") && !tty.contains('\u{1b}'), "{tty:?}");
    // The run summary: C1 breached (red), nobody met (a zero is not coloured).
    let tty =
        on_a_terminal(&w, &format!("run --config sla.toml --month 2026-10 --out out --as-of {AS_OF}"), None).unwrap();
    let row = tty.lines().find(|l| l.starts_with("2026-10 ")).unwrap_or_else(|| panic!("{tty:?}"));
    assert!(row.contains("    0         \u{1b}[31m1\u{1b}[0m            1  GBP"), "{row:?}");
}

/// Runs the binary in `dir` with `input` on standard input: (exit code, stdout, stderr).
fn with_stdin(dir: &std::path::Path, args: &[&str], input: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_slareport"))
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (o.status.code().unwrap_or(-1), text(&o.stdout), text(&o.stderr))
}

#[test]
fn config_from_standard_input_resolves_inputs_against_the_current_directory() {
    let w = valid();
    std::fs::remove_file(w.path().join("sla.toml")).unwrap();
    let validate = ["validate", "--config", "-", "--month", "2026-10", "--as-of", "2026-11-01T00:00:00Z"];
    let (code, out, err) = with_stdin(w.path(), &validate, CONFIG);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("Validated <stdin>\n") && out.contains("usable, with warnings: 0 problem(s)"), "{out}");
    // The same config from a subdirectory: its relative inputs are not found there.
    std::fs::create_dir(w.path().join("sub")).unwrap();
    let (code, out, _) = with_stdin(&w.path().join("sub"), &validate, CONFIG);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("customers.csv"), "{out}");
    // Errors name <stdin> and the line.
    let (code, _, err) = with_stdin(
        w.path(),
        &["explain", "--config", "-", "--customer", "C1", "--month", "2026-10"],
        "[report]\nnope = 1\n",
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.starts_with("slareport: error: <stdin>:2:") && err.lines().count() == 1, "{err}");
    // explain reads it too.
    let args = ["explain", "--config", "-", "--customer", "C1", "--month", "2026-10", "--as-of", AS_OF];
    let (code, out, err) = with_stdin(w.path(), &args, CONFIG);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("C1"), "{out}");
    // A run records its config file for verify: - is refused.
    let (code, _, err) = with_stdin(w.path(), &["run", "--config", "-", "--month", "2026-10", "--out", "out"], CONFIG);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--config -: a run records its config file") && err.lines().count() == 1, "{err}");
    assert!(!w.exists("out"));
}

/// Runs the binary with the bytes of `input` on standard input: (exit code, stdout, stderr).
fn with_stdin_bytes(args: &[&str], input: &[u8]) -> (i32, Vec<u8>, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_slareport"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Written from a thread: a child that exits early (or fills its output pipe before it
    // reads) must not block or fail the test before its exit code is seen.
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (o.status.code().unwrap_or(-1), o.stdout, String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn import_reads_standard_input_and_writes_one_table_to_standard_output() {
    let formats = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/formats");
    let as_of = ["--as-of", "2026-11-15T00:00:00Z"];
    // The Uptime Kuma example is generated (its 2 MB database is not committed).
    let kuma = tempfile::tempdir().unwrap();
    let generated = std::process::Command::new("python3")
        .arg(formats.join("uptime-kuma/generate.py"))
        .arg(kuma.path())
        .status()
        .expect("python3 (scripts/test installs it)");
    assert!(generated.success());
    // (format, example, the tables it gives, the one asked for with --table).
    for (format, source, tables, role) in [
        ("statuspage", formats.join("statuspage/incidents.json"), &["incidents"][..], "incidents"),
        ("uptime-kuma", kuma.path().join("kuma.db"), &["checks", "incidents"][..], "checks"),
        ("prometheus", formats.join("prometheus/probe_success.json"), &["checks"][..], "checks"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("canonical");
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_slareport"))
            .args(["import", format, source.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .args(as_of)
            .output()
            .unwrap();
        assert!(o.status.success(), "{format}: {}", String::from_utf8_lossy(&o.stderr));
        let mut written: Vec<String> =
            std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        written.sort();
        assert_eq!(written, tables.iter().map(|t| format!("{t}.csv")).collect::<Vec<_>>(), "{format}");
        let want = std::fs::read(out.join(format!("{role}.csv"))).unwrap();
        let bytes = std::fs::read(&source).unwrap();
        let piped = |extra: &[&str]| {
            let mut args = vec!["import", format, "-", "--out", "-", as_of[0], as_of[1]];
            args.extend_from_slice(extra);
            with_stdin_bytes(&args, &bytes)
        };
        // --table picks the table whatever else the source gives.
        let (code, stdout, stderr) = piped(&["--table", role]);
        assert_eq!(code, 0, "{format}: {stderr}");
        assert_eq!(stdout, want, "{format}: standard output differs from {role}.csv");
        assert!(stderr.starts_with("<stdin>: ") && stderr.contains("-> standard output"), "{format}: {stderr}");
        // Without it, one table goes out; several ask for --table or a directory.
        let (code, stdout, stderr) = piped(&[]);
        if tables.len() == 1 {
            assert_eq!((code, &stdout), (0, &want), "{format}: {stderr}");
        } else {
            assert_eq!(code, 2, "{format}: {stderr}");
            assert!(stdout.is_empty(), "{format}");
            let e =
                "gives 2 tables (checks, incidents), and standard output takes one; give --table ROLE or a directory";
            assert!(stderr.contains(e) && stderr.lines().count() == 1, "{stderr}");
        }
    }
    // A table the source does not give is named with those it gives.
    let json = std::fs::read(formats.join("prometheus/probe_success.json")).unwrap();
    let (code, _, stderr) = with_stdin_bytes(&["import", "prometheus", "-", "--table", "outages", "--out", "-"], &json);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("<stdin>: --table outages: the source gives no outages (it gives: checks)"), "{stderr}");
    // A problem in the piped source is named at <stdin>.
    let (code, stdout, stderr) = with_stdin_bytes(&["import", "statuspage", "-", "--out", "-"], b"{\"incidents\": [");
    assert_eq!(code, 4, "{stderr}");
    assert!(stdout.is_empty() && stderr.starts_with("slareport: error: <stdin>"), "{stderr}");
    // A bad --out (here a file) is told before standard input is read.
    let file = tempfile::NamedTempFile::new().unwrap();
    let out = file.path().to_str().unwrap();
    let (code, _, stderr) = with_stdin_bytes(&["import", "statuspage", "-", "--out", out], b"");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&format!("--out {out}: is not a folder")) && !stderr.contains("<stdin>"), "{stderr}");
}

/// `slareport … | head -1`: a reader that stops reading ends the output quietly, with the
/// command's own exit code, not an error.
#[test]
fn a_closed_pipe_on_standard_output_is_not_an_error() {
    let json =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/formats/prometheus/probe_success.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_slareport"))
        .args(["import", "prometheus", json.to_str().unwrap(), "--out", "-"])
        .env_remove("RUST_BACKTRACE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Its ~75 KB of CSV is more than a pipe holds, so a write fails once the reader is gone.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error") && !stderr.contains("panicked"), "{stderr}");
}

/// Standard output that cannot be written (a full disk) is an output error, exit 5, with
/// one line on standard error, for text (`history`) and data (`man`, `completions`) alike.
#[test]
fn a_full_standard_output_is_an_output_error() {
    let empty = tempfile::tempdir().unwrap();
    let history = ["history", "--out", empty.path().to_str().unwrap()];
    for args in [&["man"][..], &["completions", "bash"][..], &history[..]] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_slareport"))
            .args(args)
            .env_remove("RUST_BACKTRACE")
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(5), "{args:?}: {stderr}");
        assert_eq!(stderr, "slareport: error: cannot write to standard output\n", "{args:?}");
    }
}
