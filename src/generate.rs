//! `slareport generate`: a realistic synthetic data set of any size from a seed, so a
//! benchmark can be reproduced anywhere: `sla.toml`, `customers.csv`, the checks (CSV,
//! `.csv.gz` or Parquet, one file or several split by time), `outages.csv` and
//! `incidents.csv`.
//!
//! The same seed and arguments give byte-identical files. Checks are streamed in time
//! order (a k-way merge of the series' schedules), so memory does not grow with the row
//! count: CSV lines are formatted by hand into a buffered writer, Parquet is written one
//! row group at a time.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

use crate::core::interval::Instant;
use crate::core::time::{Month, format_utc};
use crate::error::RunError;

/// The checks file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    CsvGz,
    Parquet,
}

impl Format {
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::CsvGz => "csv.gz",
            Format::Parquet => "parquet",
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub(crate) seed: u64,
    /// About this many check rows in all (gaps remove some, duplicates add a few).
    pub(crate) checks: u64,
    pub(crate) customers: u32,
    pub(crate) services: u32,
    pub(crate) regions: u32,
    /// Probe locations per region.
    pub(crate) locations: u32,
    pub(crate) month: Month,
    pub(crate) format: Format,
    /// Check files, split by time (1: `checks.<ext>`, else `checks-0001.<ext>`, ...).
    pub(crate) files: u32,
}

/// What was written.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    pub(crate) rows: u64,
    pub(crate) series: u64,
    pub(crate) step_seconds: f64,
    pub(crate) max_gap_seconds: i64,
    pub(crate) customers: u32,
    pub(crate) outages: usize,
    pub(crate) incidents: usize,
    pub(crate) files: Vec<String>,
}

/// Data starts this long before the month (UTC) and ends this long after it, so every
/// customer's local month (UTC-12 to UTC+14) has data.
const MARGIN: i64 = 14 * 3600;
/// Rows per Parquet row group.
const ROW_GROUP: usize = 1 << 20;
/// One in this many rows is `unknown`; one in `DUPLICATE` is written twice.
const UNKNOWN: u32 = 2_500;
const DUPLICATE: u32 = 5_000;

/// A seeded ChaCha8 stream with the few draws the generator needs (integer arithmetic
/// only, so the output does not depend on a `rand` version's sampling algorithms).
struct Rng(ChaCha8Rng);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        // splitmix64 spreads the seed over the 32-byte key.
        let mut x = seed;
        let mut key = [0u8; 32];
        for chunk in key.chunks_mut(8) {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
        }
        let mut rng = ChaCha8Rng::from_seed(key);
        rng.set_stream(stream);
        Rng(rng)
    }
    fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((self.u64() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..hi` (`lo < hi`).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as u64) as i64
    }
    /// True with probability `percent` / 100.
    fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// Roughly log-uniform in `lo..hi` seconds (`0 < lo < hi`): many short, few long. A
    /// doubling of `lo` is picked, then a point in it: integers only, so the same on every
    /// platform (a libm's `ln`/`exp` may differ in the last bit).
    fn log_seconds(&mut self, lo: i64, hi: i64) -> i64 {
        let mut doublings = 0;
        while lo << (doublings + 1) < hi {
            doublings += 1;
        }
        let a = lo << self.below(doublings + 1);
        self.range(a, (2 * a).min(hi))
    }
    /// `k` distinct indices of `0..n`, sorted.
    fn subset(&mut self, n: u32, k: u32) -> Vec<u32> {
        let mut all: Vec<u32> = (0..n).collect();
        for i in 0..k.min(n) as usize {
            let j = i + self.below((n as usize - i) as u64) as usize;
            all.swap(i, j);
        }
        let mut out = all[..k.min(n) as usize].to_vec();
        out.sort_unstable();
        out
    }
}

const SERVICES: &[&str] = &[
    "api",
    "auth",
    "dashboard",
    "storage",
    "cdn",
    "search",
    "billing",
    "queue",
    "database",
    "cache",
    "email",
    "dns",
    "webhooks",
    "analytics",
    "payments",
    "files",
    "streaming",
    "notifications",
    "scheduler",
    "gateway",
];
const REGIONS: &[&str] = &[
    "eu-west",
    "us-east",
    "ap-southeast",
    "us-west",
    "eu-central",
    "ap-northeast",
    "sa-east",
    "ca-central",
    "me-south",
    "af-south",
];
const CITIES: &[&str] = &[
    "dublin",
    "london",
    "paris",
    "amsterdam",
    "madrid",
    "ashburn",
    "new-york",
    "toronto",
    "atlanta",
    "chicago",
    "singapore",
    "jakarta",
    "sydney",
    "mumbai",
    "hong-kong",
    "san-jose",
    "seattle",
    "los-angeles",
    "phoenix",
    "denver",
    "frankfurt",
    "zurich",
    "warsaw",
    "vienna",
    "milan",
    "tokyo",
    "osaka",
    "seoul",
    "taipei",
    "manila",
    "sao-paulo",
    "santiago",
    "bogota",
    "buenos-aires",
    "lima",
    "montreal",
    "vancouver",
    "calgary",
    "quebec",
    "ottawa",
    "bahrain",
    "dubai",
    "riyadh",
    "doha",
    "muscat",
    "johannesburg",
    "cape-town",
    "lagos",
    "nairobi",
    "cairo",
];

fn service_name(i: u32) -> String {
    SERVICES.get(i as usize).map(|s| s.to_string()).unwrap_or_else(|| format!("svc-{:03}", i + 1))
}
fn region_name(i: u32) -> String {
    REGIONS.get(i as usize).map(|s| s.to_string()).unwrap_or_else(|| format!("region-{:02}", i + 1))
}
/// Locations are named per region: 5 cities for each of the first 10 regions.
fn location_name(region: u32, i: u32) -> String {
    if i < 5
        && let Some(c) = CITIES.get((region * 5 + i) as usize)
    {
        return c.to_string();
    }
    format!("{}-probe-{}", region_name(region), i + 1)
}

/// A time interval `[start, end)` in seconds.
type Span = (Instant, Instant);

/// Sorted, merged intervals.
fn merged(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

struct Customer {
    id: String,
    name: String,
    tier: &'static str,
    services: String,
    regions: String,
    start: String,
    end: String,
    fee: String,
    currency: &'static str,
    timezone: &'static str,
    target: &'static str,
}

struct Incident {
    start: Instant,
    end: Instant,
    category: &'static str,
    impact: &'static str,
    title: String,
    services: String,
    regions: String,
    customers: String,
    announced: Option<Instant>,
    data_loss: Option<u32>,
}

struct Outage {
    service: u32,
    region: u32,
    start: Instant,
    end: Instant,
    source: &'static str,
}

/// The whole story except the rows: who, what went down when, and what was logged.
struct Plan {
    customers: Vec<Customer>,
    incidents: Vec<Incident>,
    outages: Vec<Outage>,
    /// Per series: down intervals and intervals without data, merged.
    down: Vec<Vec<Span>>,
    gaps: Vec<Vec<Span>>,
}

/// A CSV field, quoted when it needs to be.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

const NAME_A: &[&str] = &[
    "Bright", "North", "Blue", "Silver", "Red", "Green", "Harbour", "Summit", "Cedar", "Atlas", "Kestrel", "Orchid",
    "Pine", "Quokka", "Fjord", "Vale", "Éclat", "Müller", "Étoile", "Sol",
];
const NAME_B: &[&str] =
    &["line", "gate", "water", "field", "wood", "crest", "stone", "bridge", "point", "wave", "peak", "ridge"];
const NAME_C: &[&str] = &[
    "Logistics Ltd",
    "Analytics AS",
    "Health Systems Inc.",
    "Retail Group",
    "Payments Ltd",
    "Shipping Co.",
    "Learning Pte. Ltd.",
    "Insurance plc",
    "Freight Brokers LLC",
    "Media SAS",
    "Energy Co-operative",
    "Games Pty Ltd",
    "GmbH",
    "Comércio Ltda.",
    "& Partners LLP",
];

fn customers(spec: &Spec, rng: &mut Rng) -> Vec<Customer> {
    let width = spec.customers.to_string().len().max(4);
    let first = spec.month.first_day();
    let days = spec.month.days() as i64;
    (0..spec.customers)
        .map(|i| {
            let tier = match rng.below(10) {
                0..=5 => "standard",
                6..=7 => "enhanced",
                _ => "essential",
            };
            let mut name = format!("{}{} {}", rng.pick(NAME_A), rng.pick(NAME_B), rng.pick(NAME_C));
            if rng.percent(5) {
                name = format!("{}, {} & Partners LLP", rng.pick(NAME_A), rng.pick(NAME_A));
            }
            let services = if rng.percent(25) {
                "*".to_string()
            } else {
                let k = 1 + rng.below(spec.services.min(4) as u64) as u32;
                let picked = rng.subset(spec.services, k);
                picked.into_iter().map(service_name).collect::<Vec<_>>().join(";")
            };
            let regions = if rng.percent(30) {
                "*".to_string()
            } else {
                let k = 1 + rng.below(spec.regions.min(2) as u64) as u32;
                let picked = rng.subset(spec.regions, k);
                picked.into_iter().map(region_name).collect::<Vec<_>>().join(";")
            };
            let currency = *rng.pick(&["USD", "USD", "USD", "USD", "EUR", "EUR", "EUR", "GBP", "GBP", "JPY"]);
            let base = match tier {
                "enhanced" => rng.range(200, 900),
                "essential" => rng.range(10, 80),
                _ => rng.range(20, 300),
            } * 10;
            let fee = if currency == "JPY" { format!("{}", base * 150) } else { format!("{base}.00") };
            let timezone = if rng.percent(75) {
                ""
            } else {
                *rng.pick(&["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"])
            };
            let (mut start, mut end) = (String::new(), String::new());
            match rng.below(100) {
                // A contract starting in the month (prorated), or ending in it.
                0..=5 => start = (first + chrono::Days::new(rng.range(4, days - 5) as u64)).to_string(),
                6..=8 => {
                    start = format!("{}-{:02}-01", first.year() - 2, 1 + rng.below(12));
                    end = (first + chrono::Days::new(rng.range(9, days - 5) as u64)).to_string();
                }
                9..=12 => {}
                _ => start = format!("{}-{:02}-01", first.year() - 1 - rng.below(3) as i32, 1 + rng.below(12)),
            }
            let target = if tier == "standard" && rng.percent(4) { "99.98" } else { "" };
            Customer {
                id: format!("C{:0width$}", i + 1),
                name,
                tier,
                services,
                regions,
                start,
                end,
                fee,
                currency,
                timezone,
                target,
            }
        })
        .collect()
}

/// The story of the month: events on the series, the incidents and outages that log
/// them, and monitoring gaps.
fn plan(spec: &Spec, step: f64) -> Plan {
    let mut story = Story::new(spec, step);
    story.blips();
    story.unplanned_outages();
    story.maintenance();
    story.region_failures();
    story.informational_incidents();
    story.monitoring_gaps();
    let outages = story.external_outages();

    let mut crng = Rng::new(spec.seed, 1);
    let customers = customers(spec, &mut crng);
    story.customer_caused(spec, &customers, &mut crng);
    let Story { mut incidents, down, gaps, .. } = story;
    incidents.sort_by(|a, b| (a.start, a.end, &a.title).cmp(&(b.start, b.end, &b.title)));
    Plan {
        customers,
        incidents,
        outages,
        down: down.into_iter().map(merged).collect(),
        gaps: gaps.into_iter().map(merged).collect(),
    }
}

/// The story as [`plan`] writes it, stage by stage from one random stream: per series
/// the down intervals and those without data (unsorted), and the incidents.
struct Story {
    /// The month, UTC.
    ms: Instant,
    me: Instant,
    svc: u32,
    reg: u32,
    loc: u32,
    /// Seconds between two checks of a series, rounded up.
    step_s: i64,
    rng: Rng,
    down: Vec<Vec<Span>>,
    gaps: Vec<Vec<Span>>,
    incidents: Vec<Incident>,
}

impl Story {
    fn new(spec: &Spec, step: f64) -> Story {
        let (ms, me) = month_bounds(spec.month);
        let series = (spec.services * spec.regions * spec.locations) as usize;
        Story {
            ms,
            me,
            svc: spec.services,
            reg: spec.regions,
            loc: spec.locations,
            step_s: step.ceil() as i64,
            rng: Rng::new(spec.seed, 2),
            down: vec![Vec::new(); series],
            gaps: vec![Vec::new(); series],
            incidents: Vec::new(),
        }
    }

    fn series(&self) -> usize {
        (self.svc * self.reg * self.loc) as usize
    }

    fn pairs(&self) -> u64 {
        (self.svc * self.reg) as u64
    }

    fn index(&self, s: u32, r: u32, l: u32) -> usize {
        ((s * self.reg + r) * self.loc + l) as usize
    }

    /// An event start: inside the month, leaving room for the longest event.
    fn when(&mut self) -> Instant {
        self.rng.range(self.ms + 3600, self.me - 6 * 3600)
    }

    /// A random service and region.
    fn pair(&mut self) -> (u32, u32) {
        (self.rng.below(self.svc as u64) as u32, self.rng.below(self.reg as u64) as u32)
    }

    /// Every location of a pair is down; each recovers within a check or two of the others.
    fn pair_down(&mut self, s: u32, r: u32, start: Instant, end: Instant) {
        for l in 0..self.loc {
            let a = start + self.rng.below(self.step_s as u64 + 1) as i64;
            let b = end + self.rng.below(2 * self.step_s as u64 + 1) as i64;
            let i = self.index(s, r, l);
            self.down[i].push((a, b));
        }
    }

    /// Short blips at one location: not confirmed by the quorum of a pair's locations.
    fn blips(&mut self) {
        for i in 0..self.down.len() {
            for _ in 0..self.rng.below(4) {
                let start = self.when();
                let end = start + self.step_s * (1 + self.rng.below(3) as i64);
                self.down[i].push((start, end));
            }
        }
    }

    /// Unplanned outages of one service in one region, most of them logged as incidents.
    fn unplanned_outages(&mut self) {
        for _ in 0..(self.pairs() / 8).max(2) {
            let (s, r) = self.pair();
            let start = self.when();
            let end = start + self.rng.log_seconds(90, 5400);
            self.pair_down(s, r, start, end);
            if self.rng.percent(70) {
                let major = self.rng.percent(85);
                // Opened a little after the probes saw it.
                let late = self.rng.range(30, 300).min((end - start) / 2);
                self.incidents.push(Incident {
                    start: start + late,
                    end: end + self.rng.range(0, 120),
                    category: "unplanned",
                    impact: if major { "major" } else { "partial" },
                    title: format!("Errors from {} in {}: service unavailable", service_name(s), region_name(r)),
                    services: service_name(s),
                    regions: region_name(r),
                    customers: "*".into(),
                    announced: None,
                    data_loss: (major && self.rng.percent(50)).then(|| self.rng.below(30) as u32),
                });
            }
        }
    }

    /// Planned maintenance at night, announced with more or less notice; some overrun.
    fn maintenance(&mut self) {
        for _ in 0..(self.pairs() / 10).max(2) {
            let (s, r) = self.pair();
            let day = (self.when() - self.ms) / 86_400;
            let start = self.ms + day * 86_400 + 3600 * self.rng.range(1, 4);
            let end = start + 1800 * self.rng.range(1, 5);
            let notice = *self.rng.pick(&[5i64, 24, 60, 72, 96, 120, 168, 168, 240, 336]);
            let overrun = if self.rng.percent(20) { self.rng.range(300, 1500) } else { 0 };
            let late = self.rng.range(60, 600);
            self.pair_down(s, r, start + late, end - 600 + overrun);
            self.incidents.push(Incident {
                start,
                end,
                category: "planned_maintenance",
                impact: "major",
                title: format!("Scheduled maintenance of {} in {}", service_name(s), region_name(r)),
                services: service_name(s),
                regions: region_name(r),
                customers: "*".into(),
                announced: Some(start - notice * 3600),
                data_loss: None,
            });
        }
    }

    /// Region-wide: force majeure (power, fibre cuts) and third-party (DNS, transit) failures.
    fn region_failures(&mut self) {
        for k in 0..(self.reg as u64 / 3).max(1) + 1 {
            let r = self.rng.below(self.reg as u64) as u32;
            let start = self.when();
            let third_party = k == 0;
            let end = start + if third_party { self.rng.range(1200, 4200) } else { self.rng.range(1800, 3 * 3600) };
            // The probes see recovery before the incident is closed (no tail beyond it).
            let recovered = (end - 2 * self.step_s - 60).max(start + 60);
            for s in 0..self.svc {
                self.pair_down(s, r, start, recovered);
            }
            self.incidents.push(Incident {
                start,
                end,
                category: if third_party { "third_party" } else { "force_majeure" },
                impact: "major",
                title: if third_party {
                    format!("Upstream DNS provider outage in {}", region_name(r))
                } else {
                    format!("Power grid failure at the {} data centre", region_name(r))
                },
                services: "*".into(),
                regions: region_name(r),
                customers: "*".into(),
                announced: None,
                data_loss: (!third_party).then(|| self.rng.below(10) as u32),
            });
        }
    }

    /// Informational incidents (degraded, none) and partial ones nothing probes.
    fn informational_incidents(&mut self) {
        for k in 0..(self.pairs() / 8).max(2) {
            let (s, r) = self.pair();
            let start = self.when();
            let impact = ["degraded", "none", "partial"][k as usize % 3];
            self.incidents.push(Incident {
                start,
                end: start + self.rng.range(600, 4 * 3600),
                category: "unplanned",
                impact,
                title: format!("Slow responses from {} in {}", service_name(s), region_name(r)),
                services: service_name(s),
                regions: region_name(r),
                customers: "*".into(),
                announced: None,
                data_loss: None,
            });
        }
    }

    /// Monitoring gaps: a series, a whole location (every service), a whole pair.
    fn monitoring_gaps(&mut self) {
        for _ in 0..(self.series() as u64 / 20).max(1) {
            let i = self.rng.below(self.series() as u64) as usize;
            let start = self.when();
            let end = start + self.rng.range(600, 3600);
            self.gaps[i].push((start, end));
        }
        for r in 0..self.reg {
            let l = self.rng.below(self.loc as u64) as u32;
            let start = self.when();
            let end = start + self.rng.range(1800, 7200);
            for s in 0..self.svc {
                let i = self.index(s, r, l);
                self.gaps[i].push((start, end));
            }
        }
        for _ in 0..(self.pairs() / 30).max(1) {
            let (s, r) = self.pair();
            let start = self.when();
            let end = start + self.rng.range(1200, 5400);
            for l in 0..self.loc {
                let i = self.index(s, r, l);
                self.gaps[i].push((start, end));
            }
        }
    }

    /// External monitors: short outages of a pair the probes may or may not see.
    fn external_outages(&mut self) -> Vec<Outage> {
        let mut outages = Vec::new();
        for _ in 0..(self.pairs() / 12).max(1) {
            let (s, r) = self.pair();
            let start = self.when();
            outages.push(Outage {
                service: s,
                region: r,
                start,
                end: start + self.rng.range(60, 900),
                source: ["external-synthetics", "cdn-vendor-status"][self.rng.below(2) as usize],
            });
        }
        outages.sort_by_key(|o| (o.start, o.service, o.region));
        outages
    }

    /// Customer-caused incidents: one customer's own doing, excluded for it alone (drawn
    /// from the customers' stream `crng`).
    fn customer_caused(&mut self, spec: &Spec, customers: &[Customer], crng: &mut Rng) {
        for _ in 0..(spec.customers as u64 / 20).clamp(1, 200) {
            let c = &customers[crng.below(customers.len() as u64) as usize];
            let start = crng.range(self.ms + 3600, self.me - 6 * 3600);
            self.incidents.push(Incident {
                start,
                end: start + 1800 * crng.range(1, 8),
                category: "customer_caused",
                impact: "major",
                title: "Customer deployment revoked its production API keys".into(),
                services: "*".into(),
                regions: "*".into(),
                customers: c.id.clone(),
                announced: None,
                data_loss: None,
            });
        }
    }
}

fn month_bounds(m: Month) -> Span {
    let b = m.bounds_in(chrono_tz::Tz::UTC);
    (b.start, b.end)
}

/// Seconds between two checks of one series, and `max_gap_seconds` bridging them.
fn cadence(spec: &Spec) -> (f64, i64) {
    let (ms, me) = month_bounds(spec.month);
    let span = (me - ms + 2 * MARGIN) as f64;
    let series = spec.services as f64 * spec.regions as f64 * spec.locations as f64;
    let step = span * series / spec.checks as f64;
    (step, (step * 1.5).ceil() as i64 + 3)
}

fn check_spec(spec: &Spec) -> Result<(), RunError> {
    let bad = |m: String| Err(RunError::Usage(m));
    for (name, v, max) in [
        ("--customers", spec.customers, 1_000_000),
        ("--services", spec.services, 1_000),
        ("--regions", spec.regions, 100),
        ("--locations", spec.locations, 100),
        ("--files", spec.files, 9_999),
    ] {
        if v == 0 || v > max {
            return bad(format!("{name} {v}: expected 1 to {max}"));
        }
    }
    if !(1990..=2099).contains(&spec.month.year) {
        return bad(format!("--month {}: outside the supported years 1990 to 2099", spec.month));
    }
    let series = spec.services as u64 * spec.regions as u64 * spec.locations as u64;
    if series > 1_000_000 {
        return bad(format!("{series} series (services x regions x locations): at most 1,000,000"));
    }
    if spec.checks < series {
        return bad(format!("--checks {}: fewer than one check per series ({series} series)", spec.checks));
    }
    let (step, max_gap) = cadence(spec);
    if step < 1.0 {
        return bad(format!("--checks {}: more than one check per second per series ({series} series)", spec.checks));
    }
    if max_gap > 366 * 86_400 {
        return bad(format!("--checks {}: too few for {series} series (a check every {step:.0} s)", spec.checks));
    }
    Ok(())
}

/// A file being written under a temporary name in the output directory, renamed into
/// place by [`Pending::persist`].
struct Pending {
    temp: tempfile::TempPath,
    dest: PathBuf,
}

fn out_err(p: &Path, e: impl std::fmt::Display) -> RunError {
    RunError::Output(format!("{}: cannot write: {e}", p.display()))
}

fn create(dir: &Path, name: &str) -> Result<(File, Pending), RunError> {
    let dest = dir.join(name);
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| out_err(&dest, e))?;
    let (file, temp) = tmp.into_parts();
    // A temporary file is private (0600); the data set is ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(|e| out_err(&dest, e))?;
    }
    Ok((file, Pending { temp, dest }))
}

fn write_small(dir: &Path, name: &str, text: &str) -> Result<Pending, RunError> {
    let (mut file, pending) = create(dir, name)?;
    file.write_all(text.as_bytes()).map_err(|e| out_err(&pending.dest, e))?;
    Ok(pending)
}

/// Generates the data set into `dir`: refuses a non-empty directory unless `force`.
pub(crate) fn generate(dir: &Path, spec: &Spec, force: bool, command_line: &str) -> Result<Summary, RunError> {
    check_spec(spec)?;
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(RunError::Usage(format!(
                    "{}: the folder is not empty (--force writes into it anyway)",
                    dir.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| out_err(dir, e))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory || dir.exists() => {
            return Err(RunError::Usage(format!("{}: not a folder", dir.display())));
        }
        Err(e) => return Err(out_err(dir, e)),
    }
    let (step, max_gap) = cadence(spec);
    let plan = plan(spec, step);
    let ext = spec.format.extension();
    let check_names: Vec<String> = if spec.files == 1 {
        vec![format!("checks.{ext}")]
    } else {
        (1..=spec.files).map(|i| format!("checks-{i:04}.{ext}")).collect()
    };
    let checks_glob = if spec.files == 1 { check_names[0].clone() } else { format!("checks-*.{ext}") };

    let mut pending = vec![
        write_small(dir, "sla.toml", &config_text(spec, step, max_gap, &checks_glob, command_line))?,
        write_small(dir, "customers.csv", &customers_text(&plan.customers))?,
        write_small(dir, "outages.csv", &outages_text(&plan.outages))?,
        write_small(dir, "incidents.csv", &incidents_text(&plan.incidents))?,
    ];
    let (rows, files) = write_checks(dir, spec, &plan, &check_names)?;
    pending.extend(files);
    // Checks files of an earlier set with another format or split would match no entry of
    // the new sla.toml, but a stale `checks-0003.csv` would match its glob: removed.
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let ours = name.starts_with("checks")
                && [".csv", ".csv.gz", ".parquet"].iter().any(|x| name.ends_with(x))
                && !check_names.contains(&name);
            if ours {
                std::fs::remove_file(e.path()).map_err(|e| out_err(&dir.join(&name), e))?;
            }
        }
    }
    for p in pending {
        p.temp.persist(&p.dest).map_err(|e| out_err(&p.dest, e.error))?;
    }
    // What a killed earlier run left under temporary names (ours are all renamed by now).
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let ours = ["sla.toml", "customers.csv", "outages.csv", "incidents.csv", "checks"]
                .iter()
                .any(|n| name.starts_with(&format!(".{n}")));
            if ours && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(Summary {
        rows,
        series: spec.services as u64 * spec.regions as u64 * spec.locations as u64,
        step_seconds: step,
        max_gap_seconds: max_gap,
        customers: spec.customers,
        outages: plan.outages.len(),
        incidents: plan.incidents.len(),
        files: check_names,
    })
}

fn config_text(spec: &Spec, step: f64, max_gap: i64, checks: &str, command_line: &str) -> String {
    format!(
        r#"# Synthetic data written by `{command_line}` (see README.md, "Generating data").
# {services} services x {regions} regions x {locations} probe locations, checked every {step:.1} s.

[report]
timezone = "UTC"
decimals = 4

[inputs]
timezone = "UTC"
customers = "customers.csv"
checks = ["{checks}"]
outages = ["outages.csv"]
incidents = ["incidents.csv"]

[monitoring]
# One check per series every {step:.1} s (+0..2 s jitter); 1.5 intervals bridge that.
max_gap_seconds = {max_gap}
confirm_checks = 2
quorum = "majority"
gaps = "up"

[tiers.standard]
target_percent = 99.95
maintenance_notice_hours = 48
excluded_categories = ["planned_maintenance", "force_majeure", "customer_caused", "third_party"]
credits = [
  {{ below_percent = 99.95, credit_percent = 10 }},
  {{ below_percent = 99.0,  credit_percent = 25 }},
  {{ below_percent = 95.0,  credit_percent = 100 }},
]

# Enhanced: the formally agreed 99.99 %, 72 h notice, third-party failures not excluded,
# recovery objectives for major incidents.
[tiers.enhanced]
target_percent = 99.99
maintenance_notice_hours = 72
excluded_categories = ["planned_maintenance", "force_majeure", "customer_caused"]
rto_minutes = 60
rpo_minutes = 15
recovery_credit_percent = 5
credit_cap_percent = 100
credits = [
  {{ below_percent = 99.99, credit_percent = 10 }},
  {{ below_percent = 99.95, credit_percent = 25 }},
  {{ below_percent = 99.5,  credit_percent = 50 }},
  {{ below_percent = 99.0,  credit_percent = 100 }},
]

# Essential: blips under a minute ignored, partial impact counts half, exclusion windows
# leave the denominator, credits capped at 30 %.
[tiers.essential]
target_percent = 99.9
min_downtime_seconds = 60
partial_weight = 0.5
exclusions_in_denominator = true
credit_cap_percent = 30
credits = [
  {{ below_percent = 99.9, credit_percent = 10 }},
  {{ below_percent = 99.5, credit_percent = 20 }},
  {{ below_percent = 99.0, credit_percent = 40 }},
]
"#,
        services = spec.services,
        regions = spec.regions,
        locations = spec.locations,
    )
}

fn customers_text(customers: &[Customer]) -> String {
    let mut s = String::from(
        "customer_id,name,tier,services,regions,contract_start,contract_end,monthly_fee,currency,timezone,target_percent\n",
    );
    for c in customers {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            c.id,
            field(&c.name),
            c.tier,
            c.services,
            c.regions,
            c.start,
            c.end,
            c.fee,
            c.currency,
            c.timezone,
            c.target
        ));
    }
    s
}

fn outages_text(outages: &[Outage]) -> String {
    let mut s = String::from("service,region,start,end,source\n");
    for o in outages {
        s.push_str(&format!(
            "{},{},{},{},{}\n",
            service_name(o.service),
            region_name(o.region),
            format_utc(o.start),
            format_utc(o.end),
            o.source
        ));
    }
    s
}

fn incidents_text(incidents: &[Incident]) -> String {
    let mut s = String::from(
        "incident_id,title,category,impact,start,end,services,regions,customers,announced_at,data_loss_minutes\n",
    );
    let width = incidents.len().to_string().len().max(4);
    for (i, x) in incidents.iter().enumerate() {
        s.push_str(&format!(
            "INC-{:0width$},{},{},{},{},{},{},{},{},{},{}\n",
            i + 1,
            field(&x.title),
            x.category,
            x.impact,
            format_utc(x.start),
            format_utc(x.end),
            x.services,
            x.regions,
            x.customers,
            x.announced.map(format_utc).unwrap_or_default(),
            x.data_loss.map(|d| d.to_string()).unwrap_or_default()
        ));
    }
    s
}

/// One series' schedule: `n` checks spread evenly over the span from a random phase, and
/// where it stands in its down and gap lists.
struct Schedule {
    next: u64,
    n: u64,
    phase: u64,
    down: usize,
    gap: usize,
    /// `service,region,location,` as CSV bytes.
    prefix: Vec<u8>,
    service: u32,
    region: u32,
    location: u32,
}

/// Where the rows go: plain CSV, gzip CSV or Parquet row groups.
enum Sink {
    Csv(BufWriter<File>),
    Gz(Box<flate2::write::GzEncoder<BufWriter<File>>>),
    Parquet(Box<ParquetSink>),
}

struct ParquetSink {
    writer: polars::io::parquet::write::BatchedWriter<BufWriter<File>>,
    ts: Vec<i64>,
    series: Vec<u32>,
    status: Vec<u8>,
}

const STATUS: [&str; 3] = ["up", "down", "unknown"];

impl Sink {
    fn open(file: File, format: Format) -> Result<Sink, String> {
        let buf = BufWriter::with_capacity(1 << 20, file);
        Ok(match format {
            Format::Csv => Sink::Csv(buf),
            // No file name and mtime 0 in the header: the same bytes every time.
            Format::CsvGz => {
                Sink::Gz(Box::new(flate2::GzBuilder::new().mtime(0).write(buf, flate2::Compression::fast())))
            }
            Format::Parquet => {
                use polars::prelude::*;
                let schema = Schema::from_iter([
                    Field::new("timestamp".into(), DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))),
                    Field::new("service".into(), DataType::String),
                    Field::new("region".into(), DataType::String),
                    Field::new("location".into(), DataType::String),
                    Field::new("status".into(), DataType::String),
                ]);
                let writer = ParquetWriter::new(buf)
                    .with_compression(ParquetCompression::Zstd(None))
                    .batched(&schema)
                    .map_err(|e| e.to_string())?;
                Sink::Parquet(Box::new(ParquetSink {
                    writer,
                    ts: Vec::with_capacity(ROW_GROUP),
                    series: Vec::with_capacity(ROW_GROUP),
                    status: Vec::with_capacity(ROW_GROUP),
                }))
            }
        })
    }

    fn header(&mut self) -> std::io::Result<()> {
        self.write(b"timestamp,service,region,location,status\n")
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Csv(w) => w.write_all(bytes),
            Sink::Gz(w) => w.write_all(bytes),
            Sink::Parquet(_) => Ok(()),
        }
    }

    fn flush_group(p: &mut ParquetSink, all: &[Schedule], names: &Names) -> Result<(), String> {
        use polars::prelude::*;
        if p.ts.is_empty() {
            return Ok(());
        }
        let ts = Series::new("timestamp".into(), std::mem::take(&mut p.ts))
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)))
            .map_err(|e| e.to_string())?;
        let of = |i: &u32| &all[*i as usize];
        let service: Vec<&str> = p.series.iter().map(|i| names.services[of(i).service as usize].as_str()).collect();
        let region: Vec<&str> = p.series.iter().map(|i| names.regions[of(i).region as usize].as_str()).collect();
        let location: Vec<&str> =
            p.series.iter().map(|i| names.locations[of(i).region as usize][of(i).location as usize].as_str()).collect();
        let columns = vec![
            ts.into_column(),
            Column::new("service".into(), service),
            Column::new("region".into(), region),
            Column::new("location".into(), location),
            Column::new("status".into(), p.status.iter().map(|&s| STATUS[s as usize]).collect::<Vec<&str>>()),
        ];
        let df = DataFrame::new(p.series.len(), columns).map_err(|e| e.to_string())?;
        p.writer.write_batch(&df).map_err(|e| e.to_string())?;
        p.series.clear();
        p.status.clear();
        p.ts = Vec::with_capacity(ROW_GROUP);
        Ok(())
    }

    fn finish(self, all: &[Schedule], names: &Names) -> Result<(), String> {
        match self {
            Sink::Csv(mut w) => w.flush().map_err(|e| e.to_string()),
            Sink::Gz(w) => w.finish().and_then(|mut w| w.flush()).map_err(|e| e.to_string()),
            Sink::Parquet(mut p) => {
                Sink::flush_group(&mut p, all, names)?;
                p.writer.finish().map_err(|e| e.to_string())?;
                Ok(())
            }
        }
    }
}

struct Names {
    services: Vec<String>,
    regions: Vec<String>,
    locations: Vec<Vec<String>>,
}

/// `YYYY-MM-DDTHH:MM:SSZ` of an instant, the date part cached per day.
struct Stamp {
    day: i64,
    text: [u8; 20],
}

impl Stamp {
    fn set(&mut self, t: Instant) {
        let day = t.div_euclid(86_400);
        if day != self.day {
            let date = NaiveDate::from_num_days_from_ce_opt((day + 719_163) as i32).expect("in range");
            self.text[..10].copy_from_slice(date.format("%Y-%m-%d").to_string().as_bytes());
            self.text[10] = b'T';
            self.text[19] = b'Z';
            self.day = day;
        }
        let s = t.rem_euclid(86_400);
        let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
        for (i, v) in [(11, h), (14, m), (17, sec)] {
            self.text[i] = b'0' + (v / 10) as u8;
            self.text[i + 1] = b'0' + (v % 10) as u8;
        }
        self.text[13] = b':';
        self.text[16] = b':';
    }
}

/// Streams every check row, in time order across series, into the files (split by time).
fn write_checks(dir: &Path, spec: &Spec, plan: &Plan, names_out: &[String]) -> Result<(u64, Vec<Pending>), RunError> {
    let names = Names::of(spec);
    let mut merge = Merge::new(spec, &names);
    let mut out = CheckFiles::new(dir, spec.format, names_out, merge.clock)?;
    let mut rows = 0u64;
    while let Some(check) = merge.pop(plan) {
        if check.in_gap {
            continue;
        }
        out.reach(check.t, &merge.series, &names)?;
        for copy in 0..check.copies {
            let st = if check.conflict && copy == 1 { 1 - check.status.min(1) } else { check.status };
            rows += 1;
            out.row(check.t, check.series, st, &merge.series, &names)?;
        }
    }
    Ok((rows, out.finish(&merge.series, &names)?))
}

impl Names {
    fn of(spec: &Spec) -> Names {
        Names {
            services: (0..spec.services).map(service_name).collect(),
            regions: (0..spec.regions).map(region_name).collect(),
            locations: (0..spec.regions).map(|r| (0..spec.locations).map(|l| location_name(r, l)).collect()).collect(),
        }
    }
}

/// When the checks of a series fall: `n` of them evenly over `span` seconds from
/// `start`, shifted by the series' phase.
#[derive(Clone, Copy)]
struct Clock {
    start: Instant,
    span: u64,
    /// Jitter of 0..2 s when checks of a series are far enough apart to stay in order.
    jitter: bool,
}

impl Clock {
    fn time_of(&self, s: &Schedule, rng: &mut Rng) -> Instant {
        let t = self.start + ((s.next as u128 * self.span as u128 + s.phase as u128) / s.n as u128) as i64;
        if self.jitter { t + rng.below(3) as i64 } else { t }
    }
}

/// One check row as [`Merge::pop`] draws it (not yet written; not `core::checks::Check`).
struct DrawnCheck {
    t: Instant,
    series: u32,
    /// Index in [`STATUS`].
    status: u8,
    /// Some exports repeat a row at one instant; a few repeats disagree (down wins).
    copies: u32,
    conflict: bool,
    /// In a monitoring gap of its series: no row.
    in_gap: bool,
}

/// The k-way merge of the series' schedules (the next check of each in a heap), with the
/// one random stream of their phases, jitter and statuses.
struct Merge {
    clock: Clock,
    rng: Rng,
    series: Vec<Schedule>,
    heap: BinaryHeap<Reverse<(Instant, u32)>>,
}

impl Merge {
    /// Every series' schedule, the checks shared out evenly, and its first check.
    fn new(spec: &Spec, names: &Names) -> Merge {
        let (ms, me) = month_bounds(spec.month);
        let clock = Clock { start: ms - MARGIN, span: (me - ms + 2 * MARGIN) as u64, jitter: cadence(spec).0 >= 10.0 };
        let count = spec.services as u64 * spec.regions as u64 * spec.locations as u64;
        let (base, extra) = (spec.checks / count, spec.checks % count);
        let mut rng = Rng::new(spec.seed, 3);
        let mut series = Vec::with_capacity(count as usize);
        for s in 0..spec.services {
            for r in 0..spec.regions {
                for l in 0..spec.locations {
                    let i = series.len() as u64;
                    let prefix = format!(
                        "{},{},{},",
                        names.services[s as usize], names.regions[r as usize], names.locations[r as usize][l as usize]
                    );
                    series.push(Schedule {
                        next: 0,
                        n: base + u64::from(i < extra),
                        phase: rng.below(clock.span),
                        down: 0,
                        gap: 0,
                        prefix: prefix.into_bytes(),
                        service: s,
                        region: r,
                        location: l,
                    });
                }
            }
        }
        let mut heap = BinaryHeap::with_capacity(series.len());
        for (i, s) in series.iter().enumerate() {
            if s.n > 0 {
                heap.push(Reverse((clock.time_of(s, &mut rng), i as u32)));
            }
        }
        Merge { clock, rng, series, heap }
    }

    /// The next check in time order, drawn against the series' down and gap intervals;
    /// the series' check after it is scheduled.
    fn pop(&mut self, plan: &Plan) -> Option<DrawnCheck> {
        let Reverse((t, i)) = self.heap.pop()?;
        let s = &mut self.series[i as usize];
        s.next += 1;
        let (down, gaps) = (&plan.down[i as usize], &plan.gaps[i as usize]);
        while s.gap < gaps.len() && gaps[s.gap].1 <= t {
            s.gap += 1;
        }
        while s.down < down.len() && down[s.down].1 <= t {
            s.down += 1;
        }
        let in_gap = s.gap < gaps.len() && gaps[s.gap].0 <= t;
        let is_down = s.down < down.len() && down[s.down].0 <= t;
        let r = self.rng.u64() as u32;
        let status: u8 = if is_down {
            1
        } else if r.is_multiple_of(UNKNOWN) {
            2
        } else {
            0
        };
        let copies = if (r / UNKNOWN).is_multiple_of(DUPLICATE) { 2 } else { 1 };
        let conflict = copies == 2 && (r >> 28) == 0;
        if s.next < s.n {
            let next = self.clock.time_of(s, &mut self.rng);
            self.heap.push(Reverse((next, i)));
        }
        Some(DrawnCheck { t, series: i, status, copies, conflict, in_gap })
    }
}

/// Creates a check file, ready for rows (a CSV file has its header).
fn open_checks(dir: &Path, format: Format, name: &str) -> Result<(Sink, Pending), RunError> {
    let (file, p) = create(dir, name)?;
    let mut sink = Sink::open(file, format).map_err(|e| out_err(&p.dest, e))?;
    sink.header().map_err(|e| out_err(&p.dest, e))?;
    Ok((sink, p))
}

/// The check files being written, split by time: the one open now and those done, and
/// the CSV line being formatted.
struct CheckFiles<'a> {
    dir: &'a Path,
    format: Format,
    file_names: &'a [String],
    clock: Clock,
    /// Which of `file_names` is open.
    index: i64,
    sink: Sink,
    current: Pending,
    done: Vec<Pending>,
    stamp: Stamp,
    stamped: Instant,
    line: Vec<u8>,
}

impl<'a> CheckFiles<'a> {
    fn new(dir: &'a Path, format: Format, file_names: &'a [String], clock: Clock) -> Result<CheckFiles<'a>, RunError> {
        let (sink, current) = open_checks(dir, format, &file_names[0])?;
        Ok(CheckFiles {
            dir,
            format,
            file_names,
            clock,
            index: 0,
            sink,
            current,
            done: Vec::new(),
            stamp: Stamp { day: i64::MIN, text: [0; 20] },
            stamped: i64::MIN,
            line: Vec::with_capacity(128),
        })
    }

    /// Where file `k` begins.
    fn bound(&self, k: i64) -> Instant {
        self.clock.start + (self.clock.span as i64 * k) / self.file_names.len() as i64
    }

    /// Finishes the files that end at or before `t` and opens the one `t` falls in.
    fn reach(&mut self, t: Instant, all: &[Schedule], names: &Names) -> Result<(), RunError> {
        while self.index + 1 < self.file_names.len() as i64 && t >= self.bound(self.index + 1) {
            let (next_sink, next_pending) =
                open_checks(self.dir, self.format, &self.file_names[self.index as usize + 1])?;
            let done = std::mem::replace(&mut self.sink, next_sink);
            done.finish(all, names).map_err(|e| out_err(&self.current.dest, e))?;
            self.done.push(std::mem::replace(&mut self.current, next_pending));
            self.index += 1;
        }
        Ok(())
    }

    /// One row: series `i` has status `st` at `t`.
    fn row(&mut self, t: Instant, i: u32, st: u8, all: &[Schedule], names: &Names) -> Result<(), RunError> {
        match &mut self.sink {
            Sink::Parquet(p) => {
                p.ts.push(t * 1000);
                p.series.push(i);
                p.status.push(st);
                if p.ts.len() == ROW_GROUP {
                    Sink::flush_group(p, all, names).map_err(|e| out_err(&self.current.dest, e))?;
                }
            }
            _ => {
                if t != self.stamped {
                    self.stamp.set(t);
                    self.stamped = t;
                }
                let line = &mut self.line;
                line.clear();
                line.extend_from_slice(&self.stamp.text);
                line.push(b',');
                line.extend_from_slice(&all[i as usize].prefix);
                line.extend_from_slice(STATUS[st as usize].as_bytes());
                line.push(b'\n');
                self.sink.write(line).map_err(|e| out_err(&self.current.dest, e))?;
            }
        }
        Ok(())
    }

    /// Finishes the open file; the files after the last row (a tiny set split many ways)
    /// still exist, with a header. All the files, in order.
    fn finish(self, all: &[Schedule], names: &Names) -> Result<Vec<Pending>, RunError> {
        let CheckFiles { dir, format, file_names: names_out, sink, current, mut done, .. } = self;
        sink.finish(all, names).map_err(|e| out_err(&current.dest, e))?;
        done.push(current);
        while done.len() < names_out.len() {
            let (sink, p) = open_checks(dir, format, &names_out[done.len()])?;
            sink.finish(all, names).map_err(|e| out_err(&p.dest, e))?;
            done.push(p);
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_canonical() {
        let mut s = Stamp { day: i64::MIN, text: [0; 20] };
        for t in [0i64, 1_790_812_800, 1_790_812_800 + 86_399, 1_793_491_199] {
            s.set(t);
            assert_eq!(std::str::from_utf8(&s.text).unwrap(), format_utc(t));
        }
    }

    #[test]
    fn merged_spans_are_disjoint_and_sorted() {
        assert_eq!(merged(vec![(5, 9), (1, 3), (2, 6), (20, 21)]), vec![(1, 9), (20, 21)]);
    }

    #[test]
    fn rng_draws_stay_in_range() {
        let mut r = Rng::new(7, 0);
        for _ in 0..1000 {
            assert!(r.below(3) < 3);
            let x = r.log_seconds(120, 10_800);
            assert!((120..10_800).contains(&x));
        }
        assert_eq!(r.subset(5, 5), vec![0, 1, 2, 3, 4]);
    }
}
