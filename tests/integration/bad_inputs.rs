//! Bad inputs, table-driven: every folder of `tests/bad-inputs/` is one case (layout in
//! `tests/bad-inputs/README.md`). A case runs in a scratch copy and must fail cleanly: no
//! panic, the expected exit code, exactly one short line on stderr holding the expected
//! text, no output directory content created or changed (but the lock file), inputs
//! unchanged and nothing left behind. One test runs every case and lists every failing
//! case at the end. Two positive tests cover inputs that look hostile but are valid.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::workdir::{CONFIG, valid};

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bad-inputs");
const BIN: &str = env!("CARGO_BIN_EXE_slareport");
/// The suite must not shrink silently.
const MIN_CASES: usize = 70;
/// An error message is one line of at most this many bytes, whatever the input.
const MAX_MESSAGE_BYTES: usize = 1000;
/// A case that runs longer is killed and reported.
const TIMEOUT: Duration = Duration::from_secs(180);
/// Files of a case folder that describe the case and are not copied.
const CONTROL_FILES: &[&str] = &["cmd", "setup", "generate", "expect"];
/// Signs of a Rust `{:?}` dump of an internal value in a message meant for users.
const DEBUG_LEAKS: &[&str] = &["Field {", "Some(", "None }", "None)", "Os {", "kind: "];
/// The only path a failed command may create (or, holding the lock, rewrite) under `out/`.
const LOCK: &str = "out/history/lock";

#[test]
fn bad_inputs_fail_cleanly() {
    let mut names: Vec<String> = std::fs::read_dir(CASES)
        .expect("tests/bad-inputs")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(['.', '_']))
        .collect();
    names.sort();
    assert!(names.len() >= MIN_CASES, "expected at least {MIN_CASES} cases, found {}", names.len());
    let only = std::env::var("BAD_INPUTS_ONLY").ok();
    let mut failures = Vec::new();
    let mut ran = 0;
    for name in &names {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        ran += 1;
        if let Err(problems) = run_case(&Path::new(CASES).join(name)) {
            failures.push(format!("{name}:\n{problems}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} bad-input cases failed:\n\n{}\n\n{} of {ran} bad-input cases failed",
        failures.len(),
        failures.join("\n"),
        failures.len()
    );
}

/// What `expect` says: exit code, a substring of the one stderr line, and a comment.
struct Expect {
    code: i32,
    needle: String,
}

fn read_expect(case: &Path) -> Result<Expect, String> {
    let text = std::fs::read_to_string(case.join("expect")).map_err(|e| format!("expect: {e}"))?;
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() < 3 || lines[1].is_empty() || lines[2].trim().is_empty() {
        return Err("expect: want an exit code, a non-empty substring and a comment line".into());
    }
    let code = lines[0].trim().parse().map_err(|_| format!("expect: line 1 {:?} is not an exit code", lines[0]))?;
    Ok(Expect { code, needle: lines[1].to_string() })
}

/// Non-empty lines of a control file; an absent file has none.
fn control_lines(case: &Path, file: &str) -> Result<Vec<String>, String> {
    match std::fs::read_to_string(case.join(file)) {
        Ok(t) => Ok(t.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("{file}: {e}")),
    }
}

/// Runs one case; `Err` lists everything that went wrong, one problem a line.
fn run_case(case: &Path) -> Result<(), String> {
    let expect = read_expect(case)?;
    let cmd = control_lines(case, "cmd")?;
    if cmd.is_empty() {
        return Err("cmd: missing or empty".into());
    }
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = work.path();
    copy_case(case, dir, Path::new("")).map_err(|e| format!("copying the case: {e}"))?;
    for line in control_lines(case, "generate")? {
        generate(dir, &line).map_err(|e| format!("generate {line:?}: {e}"))?;
    }
    for line in control_lines(case, "setup")? {
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let program = if words[0] == "slareport" { BIN } else { words[0].as_str() };
        let run = execute(dir, program, &words[1..])?;
        if !run.status.success() {
            return Err(format!("setup {line:?} failed: {}", run.describe()));
        }
    }
    let before = snapshot(dir);
    let run = execute(dir, BIN, &cmd)?;
    let after = snapshot(dir);
    if std::env::var_os("BAD_INPUTS_SHOW").is_some() {
        let name = case.file_name().unwrap_or_default().to_string_lossy();
        eprintln!("{name}: exit {:?}: {}", run.status.code(), run.stderr.trim_end());
    }

    let mut problems = Vec::new();
    let err = &run.stderr;
    match run.status.code() {
        None => problems.push(format!("killed by a signal ({})", signal_of(run.status))),
        Some(101) => problems.push("exit 101: a panic".into()),
        Some(c) if c != expect.code => problems.push(format!("exit {c}, expected {}", expect.code)),
        Some(_) => {}
    }
    if run.timed_out {
        problems.push(format!("killed after {}s", TIMEOUT.as_secs()));
    }
    if err.contains("panicked") {
        problems.push("stderr reports a panic".into());
    }
    if err.lines().count() != 1 {
        problems.push(format!("stderr has {} lines, expected exactly 1", err.lines().count()));
    }
    if !err.contains(&expect.needle) {
        problems.push(format!("stderr lacks {:?}", expect.needle));
    }
    if err.chars().any(|c| c.is_control() && c != '\n') {
        problems.push("stderr holds control characters (input text must be shown escaped)".into());
    }
    if let Some(leak) = DEBUG_LEAKS.iter().find(|l| err.contains(*l)) {
        problems.push(format!("stderr shows internal Rust debug output ({leak:?})"));
    }
    if !run.stdout.is_empty() {
        problems.push("a failed command printed to stdout".into());
    }
    if err.len() > MAX_MESSAGE_BYTES {
        problems.push(format!("stderr is {} bytes, expected at most {MAX_MESSAGE_BYTES}", err.len()));
    }
    problems.extend(compare(&before, &after));
    if problems.is_empty() { Ok(()) } else { Err(format!("  - {}\n  {}", problems.join("\n  - "), run.describe())) }
}

/// Copies the input files of a case folder (not its control files) into `to`.
fn copy_case(from: &Path, to: &Path, rel: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from.join(rel))? {
        let entry = entry?;
        let name = rel.join(entry.file_name());
        if rel.as_os_str().is_empty() && CONTROL_FILES.iter().any(|c| entry.file_name() == *c) {
            continue;
        }
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(to.join(&name))?;
            copy_case(from, to, &name)?;
        } else {
            std::fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

/// One command's result, stdout and stderr captured through files (no pipe to fill up).
struct Executed {
    status: ExitStatus,
    timed_out: bool,
    stdout: String,
    stderr: String,
}

impl Executed {
    fn describe(&self) -> String {
        let clip = |s: &str| -> String {
            if s.len() <= 2000 {
                s.to_string()
            } else {
                format!("{}… ({} bytes)", &s[..s.floor_char_boundary(2000)], s.len())
            }
        };
        let status = self.status.code().map_or_else(|| signal_of(self.status), |c| format!("exit {c}"));
        format!("{status}; stderr: {:?}; stdout: {:?}", clip(&self.stderr), clip(&self.stdout))
    }
}

fn execute(dir: &Path, program: &str, args: &[String]) -> Result<Executed, String> {
    let logs = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (out_path, err_path) = (logs.path().join("stdout"), logs.path().join("stderr"));
    let file = |p: &Path| std::fs::File::create(p).map_err(|e| e.to_string());
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .env_remove("SLAREPORT_CRASH_AT")
        .stdin(Stdio::null())
        .stdout(file(&out_path)?)
        .stderr(file(&err_path)?)
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().map_err(|e| e.to_string())?;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Ok(Executed { status, timed_out, stdout: read(&out_path), stderr: read(&err_path) })
}

fn signal_of(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    status.signal().map_or("unknown".into(), |s| format!("signal {s}"))
}

/// A file system entry as found, without following symbolic links.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Dir,
    File(Vec<u8>),
    Link(PathBuf),
    Other,
}

/// Every entry under `root` by relative path.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Node> {
    fn walk(root: &Path, dir: &Path, into: &mut BTreeMap<PathBuf, Node>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(root).expect("under the root").to_path_buf();
            let Ok(kind) = entry.file_type() else { continue };
            let node = if kind.is_symlink() {
                Node::Link(std::fs::read_link(&path).unwrap_or_default())
            } else if kind.is_dir() {
                walk(root, &path, into);
                Node::Dir
            } else if kind.is_file() {
                Node::File(std::fs::read(&path).unwrap_or_default())
            } else {
                Node::Other
            };
            into.insert(rel, node);
        }
    }
    let mut map = BTreeMap::new();
    walk(root, root, &mut map);
    map
}

/// What a failed command changed: nothing but `out/history/lock` (and the folders that
/// hold it) may appear; runs.jsonl is checked on its own as the audit trail.
fn compare(before: &BTreeMap<PathBuf, Node>, after: &BTreeMap<PathBuf, Node>) -> Vec<String> {
    let lock_dirs = [Path::new("out"), Path::new("out/history")];
    let lock = Path::new(LOCK);
    let allowed = |p: &Path, n: &Node| {
        p == lock && matches!(n, Node::File(_)) || lock_dirs.contains(&p) && *n == Node::Dir && after.contains_key(lock)
    };
    let (mut out_changes, mut other_changes) = (Vec::new(), Vec::new());
    for (path, node) in after {
        let change = match before.get(path) {
            None if allowed(path, node) => continue,
            None => format!("+{}", path.display()),
            Some(old) if old == node || allowed(path, node) => continue,
            Some(_) => format!("~{}", path.display()),
        };
        if path.starts_with("out") { out_changes.push(change) } else { other_changes.push(change) }
    }
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        let change = format!("-{}", path.display());
        if path.starts_with("out") { out_changes.push(change) } else { other_changes.push(change) }
    }
    let mut problems = Vec::new();
    // Top-level entries of out/ that are neither a month nor the history: temporaries.
    let stray: Vec<String> = after
        .keys()
        .filter(|p| p.parent() == Some(Path::new("out")) && !before.contains_key(*p))
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .filter(|n| n != "history" && !is_month(n))
        .collect();
    if !stray.is_empty() {
        problems.push(format!("temporary files or folders left in out/: {}", stray.join(", ")));
    }
    let runs = Path::new("out/history/runs.jsonl");
    if before.get(runs) != after.get(runs) {
        problems.push("out/history/runs.jsonl is not byte-identical afterwards".into());
    }
    let show = |v: &[String]| {
        let mut s = v.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
        if v.len() > 8 {
            let _ = write!(s, ", … ({} in all)", v.len());
        }
        s
    };
    if !out_changes.is_empty() {
        problems
            .push(format!("out/ changed (month directory, history or temporary left behind): {}", show(&out_changes)));
    }
    if !other_changes.is_empty() {
        problems.push(format!("inputs or files outside out/ changed: {}", show(&other_changes)));
    }
    problems
}

/// `YYYY-MM`.
fn is_month(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 7 && b[4] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit())
}

// ---------------------------------------------------------------------------------------
// Generated inputs: binary or large files made at run time from a recipe (`generate`).

const CHECKS_HEADER: &str = "timestamp,service,region,location,status\n";

/// `n` checks of api/eu from lon, one a minute from 2026-10-01T00:00:00Z, every 7th down.
fn checks_text(n: usize) -> String {
    let mut s = CHECKS_HEADER.to_string();
    for i in 0..n {
        let status = if i % 7 == 3 { "down" } else { "up" };
        let _ = writeln!(s, "2026-10-01T{:02}:{:02}:00Z,api,eu,lon,{status}", i / 60, i % 60);
    }
    s
}

/// Deterministic noise (xorshift), so a failure reproduces.
fn noise(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).expect("gzip in memory");
    gz.finish().expect("gzip in memory")
}

/// 2026-10-01T00:00:00Z in microseconds.
const OCT_1_US: i64 = 1_790_812_800_000_000;

/// Parquet checks with the given timestamp column (3 rows).
fn checks_parquet(timestamp: polars::prelude::Column) -> Result<Vec<u8>, String> {
    use polars::prelude::*;
    let mut df = df!(
        "service" => ["api"; 3],
        "region" => ["eu"; 3],
        "location" => ["lon"; 3],
        "status" => ["up", "down", "up"],
    )
    .map_err(|e| e.to_string())?;
    df.with_column(timestamp).map_err(|e| e.to_string())?;
    parquet_bytes(&mut df)
}

fn parquet_bytes(df: &mut polars::prelude::DataFrame) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    polars::prelude::ParquetWriter::new(&mut bytes).finish(df).map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// A zoned (UTC) microsecond timestamp column.
fn utc_timestamps(values: &[i64]) -> Result<polars::prelude::Column, String> {
    use polars::prelude::*;
    Column::new("timestamp".into(), values)
        .cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))
        .map_err(|e| e.to_string())
}

/// Runs one `generate` line: `RECIPE FILE [ARG]`.
fn generate(dir: &Path, line: &str) -> Result<(), String> {
    use polars::prelude::*;
    let words: Vec<&str> = line.split_whitespace().collect();
    let (recipe, file, arg) = match words.as_slice() {
        [r, f] => (*r, *f, None),
        [r, f, a] => (*r, *f, Some(a.parse::<usize>().map_err(|_| format!("{a:?} is not a number"))?)),
        _ => return Err("expected RECIPE FILE [NUMBER]".into()),
    };
    let path = dir.join(file);
    let bytes: Vec<u8> = match (recipe, arg) {
        // A valid gzip-compressed checks file of 200 rows.
        ("checks-csv-gz", None) => gzip(checks_text(200).as_bytes()),
        // A valid Parquet checks file.
        ("checks-parquet", None) => {
            checks_parquet(utc_timestamps(&[OCT_1_US, OCT_1_US + 60_000_000, OCT_1_US + 120_000_000])?)?
        }
        ("checks-parquet-bool-timestamp", None) => {
            checks_parquet(Column::new("timestamp".into(), [true, false, true]))?
        }
        ("checks-parquet-float-timestamp", None) => {
            checks_parquet(Column::new("timestamp".into(), [1_790_812_800.0f64, 1_790_812_860.0, 1_790_812_920.0]))?
        }
        // The status column is a list of strings.
        ("checks-parquet-list-status", None) => {
            let ts = utc_timestamps(&[OCT_1_US, OCT_1_US + 60_000_000, OCT_1_US + 120_000_000])?;
            let status = Series::new(
                "status".into(),
                [
                    Series::new("".into(), ["up"]),
                    Series::new("".into(), ["down", "up"]),
                    Series::new("".into(), ["up"]),
                ],
            );
            let mut df = df!("service" => ["api"; 3], "region" => ["eu"; 3], "location" => ["lon"; 3])
                .map_err(|e| e.to_string())?;
            df.with_column(ts).map_err(|e| e.to_string())?;
            df.with_column(status.into_column()).map_err(|e| e.to_string())?;
            parquet_bytes(&mut df)?
        }
        // The second check is at 1900-01-01T00:00:00Z.
        ("checks-parquet-1900", None) => {
            checks_parquet(utc_timestamps(&[OCT_1_US, -2_208_988_800_000_000, OCT_1_US + 120_000_000])?)?
        }
        ("random", Some(n)) => noise(n),
        // Replaces FILE by FILE.gz, its gzip-compressed bytes.
        ("gzip", None) => {
            let b = std::fs::read(&path).map_err(|e| e.to_string())?;
            std::fs::remove_file(&path).map_err(|e| e.to_string())?;
            return std::fs::write(dir.join(format!("{file}.gz")), gzip(&b)).map_err(|e| e.to_string());
        }
        // Re-encodes a UTF-8 FILE as UTF-16LE with a byte order mark.
        ("utf16", None) => {
            let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            let mut b = vec![0xFF, 0xFE];
            b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            b
        }
        // Keeps the first PERCENT of an already generated or copied file.
        ("truncate", Some(percent)) => {
            let mut b = std::fs::read(&path).map_err(|e| e.to_string())?;
            b.truncate(b.len() * percent / 100);
            b
        }
        // Checks whose line 3 is one cell of MEGABYTES MB, a timestamp followed by junk.
        ("long-cell", Some(mb)) => {
            let mut b = checks_text(1).into_bytes();
            b.extend_from_slice(b"2026-10-01T00:01:00Z");
            b.resize(b.len() + mb * 1_000_000, b'x');
            b.extend_from_slice(b",api,eu,lon,down\n2026-10-01T00:02:00Z,api,eu,lon,up\n");
            b
        }
        // `x = [[[…]]]`, DEPTH arrays deep.
        ("nested-toml", Some(depth)) => format!("x = {}{}\n", "[".repeat(depth), "]".repeat(depth)).into_bytes(),
        _ => return Err(format!("unknown recipe {recipe:?} with argument {arg:?}")),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    std::fs::write(&path, bytes).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------
// Valid inputs that a careless reader would get wrong.

/// Reads a CSV text into rows of column name to value.
fn rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().expect("header").clone();
    rdr.records()
        .map(|r| header.iter().zip(r.expect("record").iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

#[test]
fn bad_inputs_parquet_decimal_fee_is_read_exactly() {
    use polars::prelude::*;
    let w = valid();
    // 1234.56 as DECIMAL(12, 2): C1 breaches (uptime 99.9305 < 99.95) and gets 10 %,
    // 123.456 rounded half away from zero to 123.46.
    let fee = Int128Chunked::from_slice("monthly_fee".into(), &[123_456])
        .into_decimal(12, 2)
        .expect("decimal")
        .into_series()
        .into_column();
    let mut df = df!(
        "customer_id" => ["C1"],
        "name" => ["Acme"],
        "tier" => ["standard"],
        "services" => ["*"],
        "regions" => ["*"],
        "currency" => ["GBP"],
    )
    .unwrap();
    df.with_column(fee).unwrap();
    w.write("customers.parquet", parquet_bytes(&mut df).unwrap());
    std::fs::remove_file(w.path().join("customers.csv")).unwrap();
    w.write("sla.toml", CONFIG.replace("\"customers.csv\"", "\"customers.parquet\""));
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]).assert_ok();
    let credits = rows(&w.read("out/2026-10/credits.csv"));
    assert_eq!(credits.len(), 1, "{credits:?}");
    let c = &credits[0];
    assert_eq!(
        (c["customer_id"].as_str(), c["fee"].as_str(), c["credit_percent"].as_str()),
        ("C1", "1234.56", "10"),
        "{c:?}"
    );
    assert_eq!((c["credit_amount"].as_str(), c["currency"].as_str()), ("123.46", "GBP"), "{c:?}");
}

#[test]
fn bad_inputs_hostile_customer_ids_are_valid() {
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(b"a/b"));
    let mut ids: Vec<String> = ["../x", "/abs", "CON", ".hidden", "ctl\u{1}id", "a/b"].map(String::from).to_vec();
    ids.push(format!("a_b-{}", &hash[..8]));
    ids.push("i".repeat(300));
    ids.push("漢".repeat(100));
    let nul_accepted = {
        let w = valid();
        w.write("customers.csv", "customer_id,name,tier,monthly_fee,currency\nn\0l,Nul,standard,1.00,GBP\n");
        w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]).code() == 0
    };
    if nul_accepted {
        ids.push("nul\0id".into());
    }
    let w = valid();
    let mut customers = String::from("customer_id,name,tier,services,regions,monthly_fee,currency\n");
    for (i, id) in ids.iter().enumerate() {
        let _ = writeln!(customers, "{id},Customer {i},standard,*,*,100.00,GBP");
    }
    w.write("customers.csv", &customers);
    let outside = |s: &BTreeMap<PathBuf, Node>| {
        s.iter().filter(|(p, _)| !p.starts_with("out")).map(|(p, n)| (p.clone(), n.clone())).collect::<Vec<_>>()
    };
    let before = outside(&snapshot(w.path()));
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]).assert_ok();
    assert_eq!(before, outside(&snapshot(w.path())), "nothing may be written outside out/");
    assert!(!Path::new("/abs.pdf").exists() && !w.path().join("x.pdf").exists(), "no PDF outside out/");

    let month = w.path().join("out/2026-10");
    let mut top: Vec<String> =
        std::fs::read_dir(&month).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    top.sort();
    let expected = [
        "RUN_ID",
        "credits.csv",
        "customers",
        "evidence.csv",
        "manifest.json",
        "recovery.csv",
        "sla_monthly.csv",
        "summary.pdf",
        "tiers.csv",
    ];
    assert_eq!(top, expected, "out/2026-10 holds the reports and nothing else");
    let mut pdfs = Vec::new();
    for entry in std::fs::read_dir(month.join("customers")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().expect("a UTF-8 file name");
        assert!(entry.file_type().unwrap().is_file(), "{name:?} is a plain file");
        assert!(name.len() <= 255, "{name:?} is {} bytes", name.len());
        assert!(!name.starts_with('.'), "{name:?} is hidden");
        assert!(name.ends_with(".pdf"), "{name:?}");
        pdfs.push(name);
    }
    assert_eq!(pdfs.len(), ids.len(), "one PDF per customer (NUL accepted: {nul_accepted}): {pdfs:?}");
    let reported = rows(&w.read("out/2026-10/sla_monthly.csv"));
    assert_eq!(reported.len(), ids.len(), "one row per customer");
}
