//! Crash safety under real kills: a run killed (SIGKILL) at random moments, from right
//! after its start to after its end, never damages the published reports. After every
//! kill each month holds exactly the previous run's files or exactly the new run's,
//! `verify` passes (completing an interrupted publication when it has to) and the next
//! run succeeds. The long version, with a release build and a large data set, is
//! `bash scripts/kill-test`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use sha2::Digest;

use crate::workdir::{CONFIG, Workdir};

const MONTHS: [&str; 2] = ["2026-09", "2026-10"];
const CUSTOMERS: usize = 6;

/// Every file under `dir` (relative path, SHA-256); `None` when `dir` is missing.
fn files(dir: &Path) -> Option<BTreeMap<String, String>> {
    fn walk(root: &Path, dir: &Path, into: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let kind = p.symlink_metadata().unwrap().file_type();
            if kind.is_dir() {
                walk(root, &p, into);
            } else if kind.is_file() {
                into.insert(rel, hex::encode(sha2::Sha256::digest(std::fs::read(&p).unwrap())));
            } else {
                into.insert(rel, "not a regular file".to_string());
            }
        }
    }
    dir.is_dir().then(|| {
        let mut map = BTreeMap::new();
        walk(dir, dir, &mut map);
        map
    })
}

/// The files a published month of `run_id` holds: its archive, as recorded, plus `RUN_ID`.
fn published_files_of(w: &Workdir, run_id: &str, month: &str) -> BTreeMap<String, String> {
    let archive = files(&w.path().join("out/history/runs").join(run_id).join(month))
        .unwrap_or_else(|| panic!("no archive of {run_id}/{month}"));
    let record = records(w).into_iter().find(|r| r["run_id"] == run_id).expect("a record");
    let recorded: BTreeMap<String, String> = record["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| {
            let rest = o["path"].as_str().unwrap().strip_prefix(&format!("{month}/"))?.to_string();
            Some((rest, o["sha256"].as_str().unwrap().to_string()))
        })
        .collect();
    assert_eq!(archive, recorded, "the archive of {run_id}/{month} differs from its record");
    let mut expected = archive;
    expected.insert("RUN_ID".into(), hex::encode(sha2::Sha256::digest(format!("{run_id}\n"))));
    expected
}

fn runs_text(w: &Workdir) -> String {
    std::fs::read_to_string(w.path().join("out/history/runs.jsonl")).unwrap_or_default()
}

fn records(w: &Workdir) -> Vec<serde_json::Value> {
    runs_text(w).lines().map(|l| serde_json::from_str(l).expect("a record line")).collect()
}

fn latest_run(w: &Workdir) -> String {
    records(w).last().expect("a recorded run")["run_id"].as_str().unwrap().to_string()
}

/// The run's command line, with config A (`sla.toml`) or B (`sla-b.toml`, one more
/// incident per month, so its reports differ from A's).
fn run_args(b: bool) -> Vec<&'static str> {
    let config = if b { "sla-b.toml" } else { "sla.toml" };
    let mut args = vec!["run", "--config", config, "--as-of", "2026-11-01T00:00:00Z"];
    args.extend(["--from", "2026-09", "--to", "2026-10", "--out", "out", "--quiet"]);
    args
}

/// Customers and a check series over both months, large enough that a run takes a
/// while: a PDF per customer and month, and a few thousand checks.
fn workdir() -> Workdir {
    let w = Workdir::new();
    w.write("sla.toml", CONFIG);
    w.write("sla-b.toml", CONFIG.replace("[\"incidents.csv\"]", "[\"incidents-b.csv\"]"));
    let mut customers = String::from("customer_id,name,tier,services,regions,monthly_fee,currency\n");
    for k in 1..=CUSTOMERS {
        writeln!(customers, "C{k:03},Customer number {k},standard,*,*,{}.00,GBP", 500 + 100 * k).unwrap();
    }
    w.write("customers.csv", customers);
    let mut checks = String::from("timestamp,service,region,location,status\n");
    let start = chrono::DateTime::parse_from_rfc3339("2026-09-01T00:00:00Z").unwrap();
    for k in 0..(61 * 24 * 6) {
        let t = start + chrono::Duration::minutes(10 * k);
        let status = if k % 997 == 5 { "down" } else { "up" };
        writeln!(checks, "{},api,eu,lon,{status}", t.format("%Y-%m-%dT%H:%M:%SZ")).unwrap();
    }
    w.write("checks.csv", checks);
    let incidents = "incident_id,title,category,impact,start,end,services,regions,customers,announced_at\n\
        I1,Outage,unplanned,major,2026-10-05T10:00:00Z,2026-10-05T10:30:00Z,*,*,*,\n";
    w.write("incidents.csv", incidents);
    w.write(
        "incidents-b.csv",
        format!(
            "{incidents}I2,Second outage,unplanned,major,2026-09-15T10:00:00Z,2026-09-15T11:00:00Z,*,*,*,\n\
             I3,Third outage,unplanned,major,2026-10-15T10:00:00Z,2026-10-15T10:45:00Z,*,*,*,\n"
        ),
    );
    w
}

/// A small deterministic generator (xorshift64*), seeded from the clock; the seed is in
/// every failure message.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Verifies the output directory: exit 0, nothing but "done" lines before the checks.
/// Returns how many interrupted publications it completed.
fn verify_ok(w: &Workdir, context: &str) -> usize {
    let r = w.run(&["verify", "--out", "out"]);
    let out = r.stdout();
    assert_eq!(r.code(), 0, "{context}: verify failed\n{out}{}", r.stderr());
    assert!(out.contains("is intact and reproducible"), "{context}\n{out}");
    let done = out.lines().take_while(|l| l.starts_with("done")).count();
    assert_eq!(done, out.lines().filter(|l| l.starts_with("done")).count(), "{context}\n{out}");
    done
}

/// Each month holds exactly the files of the latest recorded run.
fn assert_latest_published(w: &Workdir, context: &str) {
    let latest = latest_run(w);
    for m in MONTHS {
        let now = files(&w.path().join("out").join(m));
        assert_eq!(now, Some(published_files_of(w, &latest, m)), "{context}: {m}/ is not exactly {latest}'s");
    }
}

/// Whether `dir` holds an entry whose name starts with `prefix`.
fn has_entry(dir: &Path, prefix: &str) -> bool {
    std::fs::read_dir(dir).is_ok_and(|r| r.flatten().any(|e| e.file_name().to_string_lossy().starts_with(prefix)))
}

/// Runs to its end (with config B when `b`); returns the run's duration and when it
/// started writing (its archive's staging directory appeared in the history).
fn timed_run(w: &Workdir, b: bool) -> (Duration, Duration) {
    let history = w.path().join("out/history");
    let mut child = Command::new(env!("CARGO_BIN_EXE_slareport"))
        .args(run_args(b))
        .current_dir(w.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut writing = None;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if writing.is_none() && has_entry(&history, ".run-") {
            writing = Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let duration = started.elapsed();
    assert!(status.success(), "a complete run failed: {status}");
    (duration, writing.unwrap_or(duration))
}

#[test]
fn runs_killed_at_random_moments_never_damage_the_published_reports() {
    let w = workdir();
    let seed = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut rng = Rng(seed);
    // The baseline, then a second complete run (which, like the killed ones, has a
    // history to read) to time the kill moments by.
    w.run(&run_args(false)).assert_ok();
    let (duration, writing) = timed_run(&w, true);
    verify_ok(&w, "baseline");
    assert_latest_published(&w, "baseline");
    // Right at the start, early and late in the computation (after the start), and twice
    // in the phase that writes the output directory (archive, results, record, months) or
    // just after it (after the run's archive staging directory appeared).
    let mut within = |limit: Duration| limit.mul_f64(rng.unit());
    let write_phase = duration.saturating_sub(writing).mul_f64(1.2) + Duration::from_millis(5);
    let moments = [
        (false, Duration::ZERO),
        (false, within(writing.mul_f64(0.3))),
        (false, writing.mul_f64(0.3) + within(writing.mul_f64(0.7))),
        (true, within(write_phase)),
        (true, within(write_phase)),
    ];
    let mut config_b = false;
    for (trial, (anchored, delay)) in moments.into_iter().enumerate() {
        let after = if anchored { "after it began writing" } else { "after its start" };
        let context = format!(
            "seed {seed}, trial {trial}: kill {delay:?} {after} (a complete run: {duration:?}, writing from {writing:?})"
        );
        let history = runs_text(&w);
        let before = records(&w).len();
        let new_id = format!("run-{:06}", before + 1);
        let previous: Vec<_> = MONTHS.iter().map(|m| files(&w.path().join("out").join(m)).unwrap()).collect();

        let mut child = Command::new(env!("CARGO_BIN_EXE_slareport"))
            .args(run_args(config_b))
            .current_dir(w.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if anchored {
            let staging = format!(".{new_id}.partial-");
            while child.try_wait().unwrap().is_none() && !has_entry(&w.path().join("out/history"), &staging) {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        std::thread::sleep(delay);
        let killed = match child.try_wait().unwrap() {
            Some(status) => {
                assert!(status.success(), "{context}: the run failed by itself: {status}");
                false
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                true
            }
        };

        // The history is as it was, or has exactly one new, complete record.
        let now = runs_text(&w);
        let recorded = now != history;
        if recorded {
            let added = now.strip_prefix(&history).unwrap_or_else(|| panic!("{context}: earlier records changed"));
            let record: serde_json::Value = serde_json::from_str(added.trim_end())
                .unwrap_or_else(|e| panic!("{context}: not one complete record ({e}): {added}"));
            assert_eq!(record["run_id"], new_id.as_str(), "{context}");
            assert_eq!(added.lines().count(), 1, "{context}");
        }
        // Each month: exactly the previous files, or exactly the new run's.
        let mut published = 0;
        for (m, previous) in MONTHS.iter().zip(&previous) {
            let now = files(&w.path().join("out").join(m)).unwrap_or_else(|| panic!("{context}: {m}/ is missing"));
            if &now != previous {
                assert!(recorded, "{context}: {m}/ changed but no run was recorded: {previous:?} -> {now:?}");
                assert_eq!(now, published_files_of(&w, &new_id, m), "{context}: {m}/ is neither old nor new");
                published += 1;
            }
        }
        // Verify passes, completing what the kill left unpublished, and the months then
        // hold the latest recorded run.
        let completed = verify_ok(&w, &context);
        let expected = if recorded { MONTHS.len() - published } else { 0 };
        assert_eq!(completed, expected, "{context}: publications completed by verify");
        assert_latest_published(&w, &context);
        eprintln!(
            "{context}: {}, {}, {published} month(s) published, {completed} completed by verify",
            if killed { "killed" } else { "finished" },
            if recorded { "recorded" } else { "not recorded" }
        );
        if recorded {
            config_b = !config_b;
        }
    }
    // The next run succeeds and verifies.
    w.run(&run_args(config_b)).assert_ok();
    assert_eq!(verify_ok(&w, "final run"), 0);
    assert_latest_published(&w, "final run");
}
