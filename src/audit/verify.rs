//! `verify`: re-checks a recorded run: the hash chain, the digests of its inputs and
//! outputs, and that recomputing from the inputs gives byte-identical CSV.

use std::path::{Path, PathBuf};

use super::history::{Check, RunRecord, Store, check_chain, short};
use super::manifest::{TrendDigest, sha256_hex, trend_digest};
use crate::core::period::Period;
use crate::core::time::parse_instant;
use crate::load::history::results_points;
use crate::load::sha256_file;

/// The file in a published month directory naming the run that wrote it.
pub(crate) const RUN_ID_FILE: &str = "RUN_ID";

/// Which run to verify: the latest, a run id, or the run that wrote a manifest.
pub(crate) enum Target {
    Latest,
    Run(String),
    Manifest(PathBuf),
}

impl Target {
    pub(crate) fn parse(arg: Option<&str>) -> Target {
        match arg {
            None => Target::Latest,
            Some(a) if a.ends_with(".json") || Path::new(a).is_file() => Target::Manifest(PathBuf::from(a)),
            Some(a) => Target::Run(a.to_string()),
        }
    }
}

fn pass(what: String) -> Check {
    Check { ok: true, what }
}

fn fail(what: String) -> Check {
    Check { ok: false, what }
}

/// Recomputes a recorded run's CSVs: from its config file, "now" and periods, every
/// file as `PERIOD/NAME` with its bytes (the caller runs the pipeline: `audit` does not
/// depend on it).
pub(crate) type Recompute<'a> =
    &'a dyn Fn(&Path, crate::core::interval::Instant, &[String]) -> Result<Vec<(String, Vec<u8>)>, String>;

/// Runs every check; `Err` only when the store cannot be read or the run not found.
pub(crate) fn verify(out: &Path, target: &Target, recompute: Recompute) -> Result<(String, Vec<Check>), String> {
    let store = Store::of(out);
    let records = store.read().map_err(|e| e.to_string())?;
    if records.is_empty() {
        return Err(format!("{}: no recorded runs", store.runs_file().display()));
    }
    let mut checks = check_chain(&records);
    let parsed: Vec<&RunRecord> = records.iter().filter_map(|r| r.record.as_ref()).collect();
    let record = find_record(&store, &parsed, target)?;
    check_inputs(record, &mut checks);
    check_archive(&store, record, &mut checks);
    check_published(out, record, &parsed, &mut checks);
    check_trends(&store, record, &parsed, &mut checks);
    check_results(&store, record, &mut checks);
    check_recomputed(record, recompute, &mut checks)?;
    Ok((record.run_id.clone(), checks))
}

/// The record of the run to verify.
fn find_record<'a>(store: &Store, parsed: &[&'a RunRecord], target: &Target) -> Result<&'a RunRecord, String> {
    Ok(match target {
        Target::Latest => parsed.last().ok_or("no readable record")?,
        Target::Run(id) => parsed
            .iter()
            .find(|r| &r.run_id == id)
            .ok_or_else(|| format!("no run {id} in {}", store.runs_file().display()))?,
        Target::Manifest(p) => {
            let digest = sha256_file(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
            parsed
                .iter()
                .rev()
                .find(|r| r.outputs.iter().any(|o| o.path.ends_with("manifest.json") && o.sha256 == digest))
                .ok_or_else(|| {
                    format!("{}: no recorded run wrote this manifest (it may have been edited)", p.display())
                })?
        }
    })
}

/// Inputs and config still have their digests.
fn check_inputs(record: &RunRecord, checks: &mut Vec<Check>) {
    let id = &record.run_id;
    let mut file_check = |label: &str, path: &str, recorded: &str| match sha256_file(Path::new(path)) {
        Ok(now) if now == recorded => checks.push(pass(format!("{label} {path} unchanged"))),
        Ok(now) => checks.push(fail(format!(
            "{label} {path} changed since {id} (recorded {}, now {})",
            short(recorded),
            short(&now)
        ))),
        Err(e) => checks.push(fail(format!("{label} {path} cannot be read: {e}"))),
    };
    file_check("config", &record.config.path, &record.config.sha256);
    for i in &record.inputs {
        file_check(&format!("input ({})", i.role), &i.path, &i.sha256);
    }
}

/// The archived outputs of the run have their recorded digests.
fn check_archive(store: &Store, record: &RunRecord, checks: &mut Vec<Check>) {
    let id = &record.run_id;
    let archive = store.archive(id);
    let mut bad_outputs = 0;
    for o in &record.outputs {
        let p = archive.join(&o.path);
        match sha256_file(&p) {
            Ok(d) if d == o.sha256 => {}
            Ok(_) => {
                bad_outputs += 1;
                checks.push(fail(format!("archived output {} was edited after {id}", p.display())));
            }
            Err(_) => {
                bad_outputs += 1;
                checks.push(fail(format!("archived output {} is missing", p.display())));
            }
        }
    }
    if bad_outputs == 0 {
        checks.push(pass(format!("{} archived outputs of {id} have their recorded digests", record.outputs.len())));
    }
}

/// The published month directories hold the files of the run that wrote them, this one
/// or a later one.
fn check_published(out: &Path, record: &RunRecord, parsed: &[&RunRecord], checks: &mut Vec<Check>) {
    let id = &record.run_id;
    let position = |run: &str| parsed.iter().position(|r| r.run_id == run);
    for month in &record.months {
        let published = out.join(month);
        let owner = std::fs::read_to_string(published.join(RUN_ID_FILE)).map(|t| t.trim().to_string()).ok();
        let Some(owner) = owner else {
            checks.push(fail(format!("{} names no run (missing {RUN_ID_FILE})", published.display())));
            continue;
        };
        let (Some(at), Some(this)) = (position(&owner), position(id)) else {
            checks.push(fail(format!(
                "published {month}/ was written by {owner}, which is not in the history (a record was removed?)"
            )));
            continue;
        };
        if at < this {
            checks.push(fail(format!(
                "published {month}/ still holds the earlier {owner}: {id} was recorded but its reports were not published (interrupted run?)"
            )));
            continue;
        }
        // Published files must match the run that wrote them, this one or a later one.
        let writer = parsed[at];
        let edited: Vec<String> = writer
            .outputs
            .iter()
            .filter(|o| o.path.starts_with(&format!("{month}/")))
            .filter(|o| sha256_file(&out.join(&o.path)).ok().as_deref() != Some(o.sha256.as_str()))
            .map(|o| o.path.clone())
            .collect();
        match (edited.is_empty(), at == this) {
            (true, true) => checks.push(pass(format!("published {month}/ matches {id}"))),
            (true, false) => {
                checks.push(pass(format!("published {month}/ is from the later run {owner}, whose files it matches")))
            }
            (false, _) => checks.push(fail(format!("published files edited after {owner}: {}", edited.join(", ")))),
        }
    }
}

/// The trend months shown in the PDFs: each must be the figures of a recorded run (this
/// one or an earlier one).
fn check_trends(store: &Store, record: &RunRecord, parsed: &[&RunRecord], checks: &mut Vec<Check>) {
    let archive = store.archive(&record.run_id);
    let this = parsed.iter().position(|r| r.run_id == record.run_id).unwrap_or(parsed.len());
    for month in &record.months {
        let manifest = archive.join(month).join("manifest.json");
        let Some(trend) = std::fs::read(&manifest)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| serde_json::from_value::<Vec<TrendDigest>>(v["trend"].clone()).ok())
        else {
            continue;
        };
        let unmatched: Vec<String> = trend
            .iter()
            .filter(|t| {
                !parsed[..=this.min(parsed.len() - 1)].iter().rev().any(|r| {
                    r.months.contains(&t.month) && {
                        let path = store.results_file(&r.run_id);
                        sha256_file(&path).ok().as_deref() == Some(r.results_sha256.as_str())
                            && results_points(&path, &t.month).is_ok_and(|p| trend_digest(&p) == t.sha256)
                    }
                })
            })
            .map(|t| t.month.clone())
            .collect();
        if unmatched.is_empty() {
            checks.push(pass(format!(
                "trend of {month}/: {} earlier month(s), each the figures of a recorded run",
                trend.len()
            )));
        } else {
            checks.push(fail(format!(
                "trend of {month}/ shows months whose figures no recorded run reported: {}",
                unmatched.join(", ")
            )));
        }
    }
}

/// The results Parquet of the run has its recorded digest.
fn check_results(store: &Store, record: &RunRecord, checks: &mut Vec<Check>) {
    let id = &record.run_id;
    match sha256_file(&store.results_file(id)) {
        Ok(d) if d == record.results_sha256 => checks.push(pass(format!("results of {id} have their recorded digest"))),
        Ok(_) => checks.push(fail(format!("{} was changed after {id}", store.results_file(id).display()))),
        Err(_) => checks.push(fail(format!("{} is missing", store.results_file(id).display()))),
    }
}

/// Recomputing from the inputs gives the recorded CSVs, byte for byte. `Err` when the
/// recorded time cannot be read.
fn check_recomputed(record: &RunRecord, recompute: Recompute, checks: &mut Vec<Check>) -> Result<(), String> {
    let id = &record.run_id;
    let now = parse_instant(record.as_of.as_deref().unwrap_or(&record.recorded_at), chrono_tz::Tz::UTC)
        .map_err(|e| format!("{id}: bad recorded time: {e}"))?;
    let periods: Vec<String> = record.months.iter().filter(|m| Period::from_label(m).is_some()).cloned().collect();
    for month in record.months.iter().filter(|m| Period::from_label(m).is_none()) {
        checks.push(fail(format!("{id} recorded {month:?}, which is not a period")));
    }
    match recompute(Path::new(&record.config.path), now, &periods) {
        Err(e) => checks.push(fail(format!("recomputing {id} failed: {e}"))),
        Ok(files) => {
            for (rel, bytes) in files {
                match record.outputs.iter().find(|o| o.path == rel) {
                    Some(o) if o.sha256 == sha256_hex(&bytes) => {
                        checks.push(pass(format!("recomputed {rel} is byte-identical")))
                    }
                    Some(_) => checks.push(fail(format!("recomputed {rel} differs from what {id} reported"))),
                    None => checks.push(fail(format!("{id} recorded no {rel}"))),
                }
            }
        }
    }
    Ok(())
}
