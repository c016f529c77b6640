//! Backups and restore tests per component and period (issue 10 part 2). Pure: rows arrive
//! parsed, the period's window and "now" are parameters.
//!
//! Definitions (see the README, "Backups"):
//! - the window is the period in the report zone, cut at "now" when the period is open;
//! - `backups`: successful backups completed in the window; `failed`: failed or partial
//!   backups started in it;
//! - the largest gap: between consecutive successful completions, starting at the last
//!   success before the window (else at the first success in it) and ending at the
//!   window's end; with no success at all up to the end, the whole window;
//! - over-kept: a backup present in the window (completed before its end, not expired
//!   before its start) whose `expires_at - completed_at` exceeds `max_retention_days`, or
//!   that has no `expires_at` and is older than that at "now";
//! - short retention: a backup completed in the window with `expires_at - completed_at`
//!   below `min_retention_days`;
//! - restore tests: rows whose `restore_tested_at` lies in the window.

use super::interval::{Instant, Interval};
use super::time::format_utc;

/// How a backup run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum BackupStatus {
    Success,
    Failed,
    Partial,
}

impl BackupStatus {
    pub(crate) fn expected() -> &'static str {
        "success, failed, partial"
    }
}

impl std::str::FromStr for BackupStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "success" => Ok(BackupStatus::Success),
            "failed" => Ok(BackupStatus::Failed),
            "partial" => Ok(BackupStatus::Partial),
            _ => Err(()),
        }
    }
}

/// One row of a backups input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Backup {
    pub(crate) id: String,
    pub(crate) component: String,
    /// As written (`;`-separated), for display.
    pub(crate) services: String,
    pub(crate) regions: String,
    pub(crate) started_at: Instant,
    pub(crate) completed_at: Option<Instant>,
    pub(crate) status: BackupStatus,
    pub(crate) expires_at: Option<Instant>,
    /// When a restore of this backup was tested, and whether it passed.
    pub(crate) restore_test: Option<(Instant, bool)>,
}

/// `[backups]` of the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BackupRules {
    pub(crate) rpo_minutes: Option<i64>,
    pub(crate) max_retention_days: i64,
    pub(crate) min_retention_days: Option<i64>,
}

impl Default for BackupRules {
    fn default() -> Self {
        BackupRules { rpo_minutes: None, max_retention_days: 183, min_retention_days: None }
    }
}

/// The backups of one component in one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ComponentBackups {
    pub(crate) component: String,
    pub(crate) services: String,
    pub(crate) regions: String,
    pub(crate) backups: usize,
    pub(crate) failed: usize,
    /// Seconds, and where the gap lies.
    pub(crate) largest_gap: i64,
    pub(crate) gap: Interval,
    /// `None` when no RPO is configured.
    pub(crate) rpo_met: Option<bool>,
    /// Over-kept backups: (id, days kept or planned, whole days rounded down).
    pub(crate) over_retention: Vec<(String, i64)>,
    pub(crate) short_retention: Vec<String>,
    pub(crate) restore_tests: usize,
    /// (backup id, tested at) of the failed restore tests.
    pub(crate) restore_failed: Vec<(String, Instant)>,
    pub(crate) notes: Vec<String>,
}

/// Joins the distinct `;`-separated values of several cells, sorted.
fn union(cells: impl Iterator<Item = String>) -> String {
    let mut all: Vec<String> =
        cells.flat_map(|c| c.split(';').map(|v| v.trim().to_string()).collect::<Vec<_>>()).collect();
    all.retain(|v| !v.is_empty());
    all.sort();
    all.dedup();
    all.join(";")
}

/// The backups of every component with a backup started before the window's end, sorted
/// by component. `window` is the period in the report zone; `now` cuts it.
pub(crate) fn period_backups(
    backups: &[Backup],
    window: Interval,
    now: Instant,
    rules: &BackupRules,
) -> Vec<ComponentBackups> {
    let (start, end) = (window.start, window.end.min(now).max(window.start));
    let mut components: Vec<&str> =
        backups.iter().filter(|b| b.started_at < end).map(|b| b.component.as_str()).collect();
    components.sort();
    components.dedup();
    components
        .into_iter()
        .map(|component| {
            let rows: Vec<&Backup> = backups.iter().filter(|b| b.component == component).collect();
            component_backups(component, &rows, start, end, now, rules)
        })
        .collect()
}

/// The backups of one component (`rows`: all of its backups) in the window
/// `[start, end)`, already cut at `now`.
fn component_backups(
    component: &str,
    rows: &[&Backup],
    start: Instant,
    end: Instant,
    now: Instant,
    rules: &BackupRules,
) -> ComponentBackups {
    let (backups, gap) = successes(rows, start, end);
    let largest_gap = gap.end - gap.start;
    let failed = rows
        .iter()
        .filter(|b| b.status != BackupStatus::Success && b.started_at >= start && b.started_at < end)
        .count();
    let (over_retention, short_retention) = retention(rows, start, end, now, rules);
    let tests: Vec<(&str, Instant, bool)> = rows
        .iter()
        .filter_map(|b| b.restore_test.map(|(at, ok)| (b.id.as_str(), at, ok)))
        .filter(|(_, at, _)| *at >= start && *at < end)
        .collect();
    let mut restore_failed: Vec<(String, Instant)> =
        tests.iter().filter(|t| !t.2).map(|t| (t.0.to_string(), t.1)).collect();
    restore_failed.sort_by_key(|f| (f.1, f.0.clone()));
    let mut c = ComponentBackups {
        component: component.to_string(),
        services: union(rows.iter().map(|b| b.services.clone())),
        regions: union(rows.iter().map(|b| b.regions.clone())),
        backups,
        failed,
        largest_gap,
        gap,
        rpo_met: rules.rpo_minutes.map(|m| largest_gap <= m * 60),
        over_retention,
        short_retention,
        restore_tests: tests.len(),
        restore_failed,
        notes: Vec::new(),
    };
    c.notes = notes(&c, rules);
    c
}

/// The successful backups completed in the window, and the largest gap between
/// successful completions: from the last before the window (else the window's start) to
/// the window's end; the earliest of equal gaps.
fn successes(rows: &[&Backup], start: Instant, end: Instant) -> (usize, Interval) {
    let mut done: Vec<Instant> = rows
        .iter()
        .filter(|b| b.status == BackupStatus::Success)
        .filter_map(|b| b.completed_at)
        .filter(|&c| c < end)
        .collect();
    done.sort();
    let inside: Vec<Instant> = done.iter().copied().filter(|&c| c >= start).collect();
    let prior = done.iter().copied().rfind(|&c| c < start);
    let mut points: Vec<Instant> = prior.into_iter().chain(inside.iter().copied()).collect();
    if points.is_empty() {
        points.push(start);
    }
    points.push(end);
    let gap = points
        .windows(2)
        .map(|w| Interval::new(w[0], w[1]))
        .max_by_key(|iv| (iv.end - iv.start, std::cmp::Reverse(iv.start)))
        .unwrap_or(Interval::new(start, end));
    (inside.len(), gap)
}

/// The ids of the backups present in the window kept longer than `max_retention_days`
/// (with the days kept), and of those completed in it kept less than
/// `min_retention_days`; both sorted.
fn retention(
    rows: &[&Backup],
    start: Instant,
    end: Instant,
    now: Instant,
    rules: &BackupRules,
) -> (Vec<(String, i64)>, Vec<String>) {
    let max = rules.max_retention_days * 86_400;
    let mut over_retention = Vec::new();
    let mut short_retention = Vec::new();
    for b in rows {
        let Some(done_at) = b.completed_at else { continue };
        if done_at >= end || b.expires_at.is_some_and(|e| e <= start) {
            continue;
        }
        let kept = b.expires_at.unwrap_or(now) - done_at;
        if kept > max {
            over_retention.push((b.id.clone(), kept.div_euclid(86_400)));
        }
        if let (Some(min), Some(e)) = (rules.min_retention_days, b.expires_at)
            && done_at >= start
            && e - done_at < min * 86_400
        {
            short_retention.push(b.id.clone());
        }
    }
    over_retention.sort();
    short_retention.sort();
    (over_retention, short_retention)
}

/// The notes of a component's period: no successful backup, a missed RPO, short
/// retention, no restore test.
fn notes(c: &ComponentBackups, rules: &BackupRules) -> Vec<String> {
    let mut notes = Vec::new();
    if c.backups == 0 {
        notes.push("no successful backup in the period".to_string());
    }
    if c.rpo_met == Some(false) {
        notes.push(format!(
            "RPO missed: no successful backup from {} to {}",
            format_utc(c.gap.start),
            format_utc(c.gap.end)
        ));
    }
    if !c.short_retention.is_empty() {
        notes.push(format!(
            "retention below {} days: {}",
            rules.min_retention_days.unwrap_or(0),
            c.short_retention.join(" ")
        ));
    }
    if c.restore_tests == 0 {
        notes.push("no restore test in the period".to_string());
    }
    notes
}

/// The run warnings of a period's backups: a missed RPO, an over-kept backup, a failed
/// restore test.
pub(crate) fn backup_warnings(rows: &[ComponentBackups], rules: &BackupRules) -> Vec<String> {
    let mut out = Vec::new();
    for r in rows {
        if let (Some(false), Some(rpo)) = (r.rpo_met, rules.rpo_minutes) {
            out.push(format!(
                "backups: {}: RPO of {rpo} minutes missed: no successful backup for {} minutes, from {} to {}",
                r.component,
                r.largest_gap / 60,
                format_utc(r.gap.start),
                format_utc(r.gap.end)
            ));
        }
        for (id, days) in &r.over_retention {
            out.push(format!(
                "backups: {}: backup {id} is kept {days} days, beyond max_retention_days = {}",
                r.component, rules.max_retention_days
            ));
        }
        for (id, at) in &r.restore_failed {
            out.push(format!(
                "backups: {}: the restore test of backup {id} at {} failed",
                r.component,
                format_utc(*at)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const H: i64 = 3_600;

    fn b(id: &str, done: i64) -> Backup {
        Backup {
            id: id.into(),
            component: "db".into(),
            services: "api".into(),
            regions: "eu".into(),
            started_at: done - H,
            completed_at: Some(done),
            status: BackupStatus::Success,
            expires_at: Some(done + 30 * DAY),
            restore_test: None,
        }
    }

    fn rules(rpo: i64) -> BackupRules {
        BackupRules { rpo_minutes: Some(rpo), ..BackupRules::default() }
    }

    /// Nightly at 02:00 over days 0..10 of a window [0, 10 days), night 4 missed.
    fn nightly() -> Vec<Backup> {
        (-1..10).filter(|&d| d != 4).map(|d| b(&format!("b{d}"), d * DAY + 2 * H)).collect()
    }

    #[test]
    fn the_largest_gap_spans_a_missed_night() {
        let w = Interval::new(0, 10 * DAY);
        let r = &period_backups(&nightly(), w, 100 * DAY, &rules(26 * 60))[0];
        assert_eq!(r.backups, 9);
        assert_eq!(r.largest_gap, 2 * DAY);
        assert_eq!(r.gap, Interval::new(3 * DAY + 2 * H, 5 * DAY + 2 * H));
        assert_eq!(r.rpo_met, Some(false));
        assert!(r.notes.iter().any(|n| n.starts_with("RPO missed")), "{:?}", r.notes);
        assert!(r.notes.contains(&"no restore test in the period".to_string()));
        let w = backup_warnings(std::slice::from_ref(r), &rules(26 * 60));
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("no successful backup for 2880 minutes"), "{}", w[0]);
    }

    #[test]
    fn boundary_gaps_count_from_the_last_success_before_and_to_the_end_or_now() {
        // The last success before the window is 2 days before its start: the first gap.
        let rows = vec![b("a", -2 * DAY), b("b", DAY)];
        let r = &period_backups(&rows, Interval::new(0, 3 * DAY), 100 * DAY, &rules(1))[0];
        assert_eq!(r.gap, Interval::new(-2 * DAY, DAY));
        // The gap to the window's end; "now" cuts it when earlier.
        let rows = vec![b("a", 0), b("b", DAY)];
        let r = &period_backups(&rows, Interval::new(0, 10 * DAY), 100 * DAY, &rules(1))[0];
        assert_eq!(r.gap, Interval::new(DAY, 10 * DAY));
        let r = &period_backups(&rows, Interval::new(0, 10 * DAY), 3 * DAY, &rules(1))[0];
        assert_eq!(r.gap, Interval::new(DAY, 3 * DAY));
        // No success before or in the window: the whole window; a failure is not a success.
        let mut f = b("f", DAY);
        f.status = BackupStatus::Failed;
        let r = &period_backups(&[f], Interval::new(0, 10 * DAY), 100 * DAY, &BackupRules::default())[0];
        assert_eq!((r.largest_gap, r.backups, r.failed, r.rpo_met), (10 * DAY, 0, 1, None));
        assert!(r.notes.contains(&"no successful backup in the period".to_string()));
        // No earlier success: the gap starts at the first success in the window.
        let rows = vec![b("a", 5 * DAY), b("b", 6 * DAY)];
        let r = &period_backups(&rows, Interval::new(0, 7 * DAY), 100 * DAY, &rules(1))[0];
        assert_eq!(r.gap, Interval::new(5 * DAY, 6 * DAY));
    }

    #[test]
    fn over_kept_and_short_retention() {
        let mut long = b("long", DAY);
        long.expires_at = Some(DAY + 200 * DAY);
        let mut open = b("open", -190 * DAY);
        open.expires_at = None;
        let mut young = b("young", 2 * DAY);
        young.expires_at = None;
        let mut expired = b("expired", -300 * DAY);
        expired.expires_at = Some(-DAY);
        let mut short = b("short", 3 * DAY);
        short.expires_at = Some(3 * DAY + 5 * DAY);
        let rows = vec![long, open, young, expired, short];
        let rules = BackupRules { min_retention_days: Some(7), ..BackupRules::default() };
        let r = &period_backups(&rows, Interval::new(0, 10 * DAY), 10 * DAY, &rules)[0];
        assert_eq!(r.over_retention, vec![("long".to_string(), 200), ("open".to_string(), 200)]);
        assert_eq!(r.short_retention, vec!["short".to_string()]);
        assert!(r.notes.contains(&"retention below 7 days: short".to_string()));
        let w = backup_warnings(std::slice::from_ref(r), &rules);
        assert_eq!(w.len(), 2);
        assert!(w[0].contains("backup long is kept 200 days, beyond max_retention_days = 183"), "{}", w[0]);
    }

    #[test]
    fn restore_tests_in_the_period() {
        let mut rows = nightly();
        rows[2].restore_test = Some((DAY + 5 * H, true));
        rows[3].restore_test = Some((2 * DAY + 5 * H, false));
        rows[4].restore_test = Some((20 * DAY, true)); // after the window
        let r = &period_backups(&rows, Interval::new(0, 10 * DAY), 100 * DAY, &BackupRules::default())[0];
        assert_eq!(r.restore_tests, 2);
        assert_eq!(r.restore_failed, vec![(rows[3].id.clone(), 2 * DAY + 5 * H)]);
        assert!(!r.notes.iter().any(|n| n.contains("restore")));
        let w = backup_warnings(std::slice::from_ref(r), &BackupRules::default());
        assert_eq!(w, vec!["backups: db: the restore test of backup b2 at 1970-01-03T05:00:00Z failed".to_string()]);
    }

    #[test]
    fn components_start_with_their_first_backup() {
        let mut later = b("x", 20 * DAY);
        later.component = "later".into();
        let mut rows = nightly();
        rows.push(later);
        let r = period_backups(&rows, Interval::new(0, 10 * DAY), 100 * DAY, &BackupRules::default());
        assert_eq!(r.len(), 1);
    }
}
