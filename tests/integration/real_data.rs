//! Proof on real published figures (tests/real-data/, each set with its SOURCE.md).

use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::process::Command;

use slareport::core::period::Period;

fn real_data(set: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real-data").join(set)
}

/// 263 components on 31 Statuspage pages, each with the 90-day uptime its page published.
/// `convert.py` turns each page's per-day partial and major outage seconds into incidents;
/// each page's published window is then reported as a `--period`. Statuspage divides by
/// 86,400 s per day, slareport by the real length of the window in the page's zone, so the
/// one window holding a 25-hour day with enough downtime to move the second decimal
/// (Acme API Co. / Acme.js Server, America/Denver, 2020-11-01) is the one miss.
#[test]
fn statuspage_published_90_day_uptime_is_reproduced() {
    let tmp = tempfile::tempdir().unwrap();
    let o = Command::new("python3")
        .arg(real_data("statuspage-uptime-showcase").join("convert.py"))
        .arg(tmp.path())
        .output()
        .expect("python3 runs the converter");
    assert!(o.status.success(), "convert.py: {}", String::from_utf8_lossy(&o.stderr));
    let as_of = slareport::core::time::parse_instant("2021-03-01T00:00:00Z", chrono_tz::Tz::UTC).unwrap();
    let (mut total, mut matched, mut misses) = (0, 0, Vec::new());
    let mut pages: Vec<PathBuf> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().path()).collect();
    pages.sort();
    for page in pages.iter().filter(|p| p.join("sla.toml").is_file()) {
        let config = slareport::config::Config::load(&page.join("sla.toml")).unwrap();
        let prepared = slareport::pipeline::prepare(config, Some(as_of), as_of).unwrap();
        let mut expected = csv::Reader::from_path(page.join("expected.csv")).unwrap();
        let mut by_period = std::collections::BTreeMap::new();
        for row in expected.records().map(Result::unwrap) {
            let period = Period::from_label(&row[3]).expect("a period label");
            let result = by_period.entry(row[3].to_string()).or_insert_with(|| prepared.compute(&period));
            let ours = result.rows.iter().find(|r| r.customer_id == row[1]).expect("a row per component");
            let published: Decimal = row[4].parse().unwrap();
            total += 1;
            if ours.uptime.truncate(2) == published {
                matched += 1;
            } else {
                misses.push(format!("{}/{} published {published}, ours {}", &row[0], &row[1], ours.uptime.truncate(2)));
            }
        }
    }
    assert_eq!(total, 263, "every published figure is compared");
    assert_eq!(misses, ["acme-api-co/ygl4tcvwx9qy published 70.14, ours 70.15"], "{matched} of {total} matched");
    assert_eq!(matched, 262);

    // The same window through the command line, as a user would run it.
    let page = tmp.path().join("acme-api-co");
    let out = tmp.path().join("reports");
    let o = Command::new(env!("CARGO_BIN_EXE_slareport"))
        .args(["run", "--quiet", "--period", "2020-10-25..2021-01-22", "--as-of", "2021-03-01T00:00:00Z", "--config"])
        .arg(page.join("sla.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(out.join("2020-10-25..2021-01-22/sla_monthly.csv")).unwrap();
    let line = csv.lines().find(|l| l.contains(",ygl4tcvwx9qy,")).expect("Acme.js Server");
    assert!(line.contains(",7779600,"), "the window has a 25-hour day: {line}");
    assert!(line.contains(",70.15,"), "{line}");
}

/// Upptime's event log for three ClouDesire sites (2,290 status commits, 2024-04 to
/// 2026-06), read through a column mapping as a state-change log and reported per calendar
/// month, against the monthly uptime derived from Upptime's published daily downtime. The
/// differences are Upptime's, explained in tests/real-data/upptime-cloudesire/README.md:
/// it deletes outages shorter than 15 minutes, rounds each outage to whole minutes per
/// day, and its first and last months are partial. Every month also equals the
/// independent reading of the log in `reference.py` (its output is committed).
#[test]
fn upptime_event_log_gives_the_published_monthly_uptime() {
    use std::collections::BTreeMap;
    let dir = real_data("upptime-cloudesire");
    let as_of = slareport::core::time::parse_instant("2026-06-11T00:54:33Z", chrono_tz::Tz::UTC).unwrap();
    let config = slareport::config::Config::load(&dir.join("sla.toml")).unwrap();
    let prepared = slareport::pipeline::prepare(config, Some(as_of), as_of).unwrap();
    let trunc2 = |d: Decimal| d.trunc_with_scale(2);
    let mut published: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    let mut rdr = csv::Reader::from_path(dir.join("derived_calendar_month_uptime_from_published_daily.csv")).unwrap();
    for row in rdr.records().map(Result::unwrap) {
        published.insert((row[0].to_string(), row[1].to_string()), row[4].parse().unwrap());
    }
    // `site month eligible_s down_s cover% ref% ...` rows of the reference's output.
    let reference = std::fs::read_to_string(dir.join("reference-output.txt")).unwrap();
    let mut expected: BTreeMap<(String, String), (i64, Decimal)> = BTreeMap::new();
    for line in reference.lines().filter(|l| l.starts_with("https-") && !l.contains(':')) {
        let f: Vec<&str> = line.split_whitespace().collect();
        expected.insert((f[0].to_string(), f[1].to_string()), (f[3].parse().unwrap(), f[5].parse().unwrap()));
    }
    assert_eq!(published.len(), 81);
    let (mut matched, mut by_site) = (0, BTreeMap::<String, usize>::new());
    for ((site, month), want) in &published {
        let period = Period::from_label(month).unwrap();
        let result = prepared.compute(&period);
        let row = result.rows.iter().find(|r| &r.customer_id == site).expect("a row per site and month");
        let (down, reference_pct) = expected[&(site.clone(), month.clone())];
        assert_eq!(
            row.downtime_seconds,
            Decimal::from(down),
            "{site} {month}: the reference reads the log the same way"
        );
        assert_eq!(row.uptime.truncate(2), reference_pct, "{site} {month}");
        if row.uptime.truncate(2) == trunc2(*want) {
            matched += 1;
            *by_site.entry(site.clone()).or_default() += 1;
        }
    }
    assert_eq!(matched, 71, "months matching the published figure to 2 decimals: {by_site:?}");
    assert_eq!(by_site["https-marketplace-cloudeng-it"], 26);
    assert_eq!(by_site["https-backend-staging-eng-cloudesire-com"], 23);
    assert_eq!(by_site["https-vc2-cloudeng-it"], 22);
}

/// GitHub's component status log as a state-change log: the 2023 report per component
/// equals the independent reading of the log in `reference.py` (committed output).
#[test]
fn github_status_log_2023_per_component() {
    let dir = real_data("statuspage-github");
    let reference = std::fs::read_to_string(dir.join("reference-output.txt")).unwrap();
    let as_of = slareport::core::time::parse_instant("2026-06-30T00:00:00Z", chrono_tz::Tz::UTC).unwrap();
    let year = Period::from_label("2023").unwrap();
    for (config, column) in [("sla.toml", 6), ("sla-major-only.toml", 7)] {
        let config = slareport::config::Config::load(&dir.join(config)).unwrap();
        let prepared = slareport::pipeline::prepare(config, Some(as_of), as_of).unwrap();
        let result = prepared.compute(&year);
        assert_eq!(result.rows.len(), 10, "one report per component with a contract in 2023");
        for row in &result.rows {
            let line = reference.lines().find(|l| l.starts_with(&row.customer_id)).expect("a reference line");
            let f: Vec<&str> = line.split_whitespace().collect();
            // The component name may hold spaces: count the columns from the end.
            let want: Decimal = f[f.len() - (9 - column)].parse().unwrap();
            assert_eq!(row.uptime.truncate(4), want, "{line}");
        }
    }
}
