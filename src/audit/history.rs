//! The history store of an output directory (`OUT/history/`): one record per run in
//! `runs.jsonl`, chained by hash; the files of every run archived read-only under
//! `runs/<run-id>/<month>/`; the per-customer-month results of every run in
//! `results/<run-id>.parquet`.
//!
//! Invariants:
//! - records are only ever added: a new run never changes an earlier record or archive;
//! - each record carries the SHA-256 of the previous record's line, so removing,
//!   reordering or editing a record breaks the chain;
//! - `runs.jsonl` is replaced atomically (written beside, synced, renamed) and only after
//!   the run's archive and results are in place, so a run killed at any point leaves
//!   the history as it was or with the complete new record;
//! - one run at a time: an OS lock on `lock`; a second run waits, then fails.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant as Clock};

use super::manifest::sha256_hex;

pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileRef {
    pub(crate) path: String,
    pub(crate) sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InputRef {
    pub(crate) role: String,
    /// The path as named relative to the config's directory.
    pub(crate) name: String,
    /// The absolute path when recorded.
    pub(crate) path: String,
    pub(crate) sha256: String,
    pub(crate) rows: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OutputRef {
    /// Path inside the run's archive directory, e.g. `2026-10/sla_monthly.csv`.
    pub(crate) path: String,
    pub(crate) sha256: String,
}

/// One run, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunRecord {
    pub(crate) run_id: String,
    /// The run's "now": `--as-of` when given, else the clock.
    pub(crate) recorded_at: String,
    pub(crate) as_of: Option<String>,
    pub(crate) tool_version: String,
    pub(crate) config: FileRef,
    pub(crate) template_sha256: String,
    pub(crate) inputs: Vec<InputRef>,
    pub(crate) months: Vec<String>,
    pub(crate) outputs: Vec<OutputRef>,
    /// SHA-256 of `results/<run-id>.parquet`.
    pub(crate) results_sha256: String,
    /// SHA-256 of the previous record's line, or all zeros for the first.
    pub(crate) prev_sha256: String,
}

impl RunRecord {
    pub(crate) fn line(&self) -> String {
        serde_json::to_string(self).expect("record serializes")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HistoryError(pub String);

fn io(p: &Path, what: &str, e: std::io::Error) -> HistoryError {
    HistoryError(format!("{}: cannot {what}: {e}", p.display()))
}

/// The history directory of an output directory.
pub(crate) struct Store {
    pub(crate) dir: PathBuf,
}

/// A line of `runs.jsonl` as stored, with its digest.
#[derive(Debug, Clone)]
pub(crate) struct StoredRecord {
    pub(crate) line_no: usize,
    pub(crate) line: String,
    pub(crate) record: Option<RunRecord>,
}

impl StoredRecord {
    pub(crate) fn digest(&self) -> String {
        sha256_hex(self.line.as_bytes())
    }
}

/// Exclusive use of a store: an OS file lock, released when the process lets go of the
/// file (on drop, or when it dies), so a crashed run never leaves a stale lock.
pub(crate) struct Lock {
    _file: std::fs::File,
}

impl Store {
    pub(crate) fn of(out: &Path) -> Store {
        Store { dir: out.join("history") }
    }

    pub(crate) fn runs_file(&self) -> PathBuf {
        self.dir.join("runs.jsonl")
    }

    pub(crate) fn archive(&self, run_id: &str) -> PathBuf {
        self.dir.join("runs").join(run_id)
    }

    pub(crate) fn results_file(&self, run_id: &str) -> PathBuf {
        self.dir.join("results").join(format!("{run_id}.parquet"))
    }

    /// Takes the store's lock, waiting up to `wait` for another run to finish.
    pub(crate) fn lock(&self, wait: Duration) -> Result<Lock, HistoryError> {
        self.acquire(wait)?.map_err(HistoryError)
    }

    /// The lock, or (inner `Err`) why another run still held it after `wait`.
    fn acquire(&self, wait: Duration) -> Result<Result<Lock, String>, HistoryError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| io(&self.dir, "create", e))?;
        let path = self.dir.join("lock");
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| io(&path, "open", e))?;
        let start = Clock::now();
        loop {
            match file.try_lock() {
                Ok(()) => {
                    let _ = file.set_len(0).and_then(|_| writeln!(file, "{}", std::process::id()));
                    return Ok(Ok(Lock { _file: file }));
                }
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    let who = match holder.trim() {
                        "" => "another slareport run".to_string(),
                        pid => format!("another slareport run (process {pid})"),
                    };
                    return Ok(Err(format!(
                        "{}: {who} is writing to this output directory; waited {} s",
                        path.display(),
                        wait.as_secs()
                    )));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(&path, "lock", e)),
            }
        }
    }

    /// Takes the store's lock if no one holds it; `None` when another run does.
    pub(crate) fn try_lock(&self) -> Result<Option<Lock>, HistoryError> {
        Ok(self.acquire(Duration::ZERO)?.ok())
    }

    /// Every line of `runs.jsonl` (an absent file is an empty history).
    pub(crate) fn read(&self) -> Result<Vec<StoredRecord>, HistoryError> {
        let path = self.runs_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&path, "read", e)),
        };
        Ok(text
            .lines()
            .enumerate()
            .map(|(k, l)| StoredRecord { line_no: k + 1, line: l.to_string(), record: serde_json::from_str(l).ok() })
            .collect())
    }

    /// The id the next run gets.
    pub(crate) fn next_id(records: &[StoredRecord]) -> String {
        format!("run-{:06}", records.len() + 1)
    }

    /// Moves a complete staged archive into place (an orphan left by a killed run with
    /// the same id, which has no record, is replaced).
    pub(crate) fn install_archive(&self, run_id: &str, staged: &Path) -> Result<(), HistoryError> {
        let target = self.archive(run_id);
        let parent = target.parent().expect("archive parent");
        std::fs::create_dir_all(parent).map_err(|e| io(parent, "create", e))?;
        if target.exists() {
            std::fs::remove_dir_all(&target).map_err(|e| io(&target, "remove an orphaned archive", e))?;
        }
        std::fs::rename(staged, &target).map_err(|e| io(&target, "install", e))
    }

    /// Writes the results file of a run atomically.
    pub(crate) fn install_results(&self, run_id: &str, bytes: &[u8]) -> Result<(), HistoryError> {
        let target = self.results_file(run_id);
        atomic_write(&target, bytes)
    }

    /// Appends a record: all earlier lines unchanged plus the new one, replacing the
    /// file atomically.
    pub(crate) fn append(&self, records: &[StoredRecord], record: &RunRecord) -> Result<(), HistoryError> {
        let mut text = String::new();
        for r in records {
            text.push_str(&r.line);
            text.push('\n');
        }
        text.push_str(&record.line());
        text.push('\n');
        atomic_write(&self.runs_file(), text.as_bytes())
    }
}

/// The name prefix of a file being written by [`atomic_write`]; one left by a killed
/// run is removed by the next command on the output directory.
pub(crate) const TEMP_PREFIX: &str = ".slareport-write-";

/// Writes `bytes` beside `target`, syncs, and renames over it.
pub(crate) fn atomic_write(target: &Path, bytes: &[u8]) -> Result<(), HistoryError> {
    let parent = target.parent().expect("a parent directory");
    std::fs::create_dir_all(parent).map_err(|e| io(parent, "create", e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(parent)
        .map_err(|e| io(parent, "create a temporary file in", e))?;
    tmp.write_all(bytes).map_err(|e| io(target, "write", e))?;
    // Readable by auditors like any other report file (temporary files start as 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.as_file().sync_all().map_err(|e| io(target, "sync", e))?;
    tmp.persist(target).map_err(|e| io(target, "replace", e.error))?;
    if let Ok(d) = std::fs::File::open(parent) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The verdict of one check of `verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Check {
    pub(crate) ok: bool,
    pub(crate) what: String,
}

/// Checks the hash chain and record numbering of a history.
pub(crate) fn check_chain(records: &[StoredRecord]) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut prev = GENESIS.to_string();
    for (k, r) in records.iter().enumerate() {
        let Some(rec) = &r.record else {
            checks.push(Check { ok: false, what: format!("record on line {} is not a valid record", r.line_no) });
            prev = r.digest();
            continue;
        };
        let expected_id = format!("run-{:06}", k + 1);
        if rec.prev_sha256 != prev {
            checks.push(Check {
                ok: false,
                what: format!(
                    "chain broken at {} (line {}): it names previous record {}, but the previous line hashes to {}",
                    rec.run_id,
                    r.line_no,
                    short(&rec.prev_sha256),
                    short(&prev)
                ),
            });
        } else if rec.run_id != expected_id {
            checks.push(Check {
                ok: false,
                what: format!(
                    "record on line {} is {}, expected {expected_id}: a record was removed or moved",
                    r.line_no, rec.run_id
                ),
            });
        }
        prev = r.digest();
    }
    if checks.is_empty() {
        checks.push(Check { ok: true, what: format!("hash chain of {} records is unbroken", records.len()) });
    }
    checks
}

pub(crate) fn short(hex: &str) -> String {
    hex.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, prev: &str) -> RunRecord {
        RunRecord {
            run_id: id.into(),
            recorded_at: "2026-11-01T00:00:00Z".into(),
            as_of: None,
            tool_version: "0".into(),
            config: FileRef { path: "sla.toml".into(), sha256: "c".into() },
            template_sha256: "t".into(),
            inputs: vec![],
            months: vec!["2026-10".into()],
            outputs: vec![],
            results_sha256: "r".into(),
            prev_sha256: prev.into(),
        }
    }

    fn stored(records: &[RunRecord]) -> Vec<StoredRecord> {
        records
            .iter()
            .enumerate()
            .map(|(k, r)| StoredRecord { line_no: k + 1, line: r.line(), record: Some(r.clone()) })
            .collect()
    }

    fn chain(n: usize) -> Vec<RunRecord> {
        let mut v: Vec<RunRecord> = Vec::new();
        let mut prev = GENESIS.to_string();
        for k in 0..n {
            let r = record(&format!("run-{:06}", k + 1), &prev);
            prev = sha256_hex(r.line().as_bytes());
            v.push(r);
        }
        v
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = check_chain(&stored(&chain(3)));
        assert_eq!(c, vec![Check { ok: true, what: "hash chain of 3 records is unbroken".into() }]);
    }

    #[test]
    fn removing_reordering_or_editing_breaks_the_chain() {
        let mut removed = chain(3);
        removed.remove(1);
        assert!(check_chain(&stored(&removed)).iter().any(|c| !c.ok && c.what.contains("chain broken at run-000003")));
        let mut reordered = chain(3);
        reordered.swap(1, 2);
        assert!(check_chain(&stored(&reordered)).iter().any(|c| !c.ok));
        let mut edited = stored(&chain(3));
        edited[0].line = edited[0].line.replace("2026-10", "2026-09");
        assert!(check_chain(&edited).iter().any(|c| !c.ok && c.what.contains("chain broken at run-000002")));
        let mut last_removed = chain(3);
        last_removed.remove(0);
        assert!(check_chain(&stored(&last_removed)).iter().any(|c| !c.ok));
    }

    #[test]
    fn append_is_atomic_and_keeps_earlier_lines() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::of(tmp.path());
        let c = chain(2);
        store.append(&[], &c[0]).unwrap();
        let first = std::fs::read_to_string(store.runs_file()).unwrap();
        let records = store.read().unwrap();
        store.append(&records, &c[1]).unwrap();
        let both = std::fs::read_to_string(store.runs_file()).unwrap();
        assert!(both.starts_with(&first));
        assert_eq!(store.read().unwrap().len(), 2);
        assert_eq!(Store::next_id(&store.read().unwrap()), "run-000003");
    }

    #[test]
    fn a_held_lock_makes_others_wait_then_fail() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::of(tmp.path());
        let held = store.lock(Duration::ZERO).unwrap();
        let e = store.lock(Duration::from_millis(200)).err().unwrap().to_string();
        assert!(e.contains("is writing to this output directory"), "{e}");
        drop(held);
        assert!(store.lock(Duration::ZERO).is_ok());
        // A lock file left behind by a process that is gone holds no lock.
        std::fs::write(store.dir.join("lock"), "999999999\n").unwrap();
        assert!(store.lock(Duration::ZERO).is_ok());
    }
}
