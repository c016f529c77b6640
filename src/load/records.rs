//! Row-by-row readers of the four input kinds (spec section 2).

use chrono_tz::Tz;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;

use super::Footprint;
use super::table::{InputError, RawTime, Table, TimeCell, quote};
use crate::config::Config;
use crate::core::checks::{Check, SeriesKey};
use crate::core::interval::{Instant, Interval};
use crate::core::model::{Category, Customer, Impact, Incident, Outage, Scope};
use crate::core::numbers::DecimalError;
use crate::core::time::{TimeError, in_range, parse_date_or_instant, parse_instant, parse_tz, start_of_local_day};

/// The largest monthly fee accepted (keeps exact proration inside i128).
const MAX_FEE: i64 = 1_000_000_000_000_000;
const FEE_RANGE: &str = "an amount below 10^15 with at most 6 decimal places";
const TARGET_RANGE: &str = "a percentage from 0 to 100 with at most 6 decimal places";

/// Text cells of an optional column, trimmed; absent columns read as empty.
struct TextCol(Option<polars::prelude::StringChunked>);

impl TextCol {
    fn get(&self, row: usize) -> &str {
        self.0.as_ref().and_then(|c| c.get(row)).map(str::trim).unwrap_or("")
    }
    fn present(&self) -> bool {
        self.0.is_some()
    }
}

fn text(t: &Table, name: &str) -> Result<TextCol, InputError> {
    Ok(TextCol(t.text(name)?))
}

/// Instants of a column (`None` for empty cells), each or its error; dates alone are
/// rejected.
type Cells = Vec<Result<Option<Instant>, InputError>>;

fn instants(t: &Table, name: &str, tz: Tz) -> Result<Cells, InputError> {
    let Some(col) = t.time(name)? else {
        return Ok(vec![Ok(None); t.len()]);
    };
    Ok(col
        .cells(tz)
        .enumerate()
        .map(|(row, cell)| match cell {
            RawTime::Empty => Ok(None),
            RawTime::Text(s) => parse_instant(s, tz).and_then(in_range).map(Some).map_err(|e| t.error_at(row, name, e)),
            RawTime::Cell(Ok(TimeCell::Instant(i))) => in_range(i).map(Some).map_err(|e| t.error_at(row, name, e)),
            RawTime::Cell(Ok(TimeCell::Date(d))) => {
                Err(t.error_at(row, name, format!("expected an instant, found the date {d}")))
            }
            RawTime::Cell(Err(e)) => Err(t.error_at(row, name, e)),
        })
        .collect())
}

fn scope(t: &Table, col: &TextCol, row: usize, name: &str) -> Result<Scope, InputError> {
    if !col.present() {
        return Ok(Scope::All);
    }
    let cell = col.get(row);
    if cell.is_empty() {
        return Err(t.error_at(row, name, "empty list: write * for all, or values separated by ;"));
    }
    Ok(Scope::parse(cell))
}

/// A decimal cell, exactly. `what` says what is expected of text that is not a number;
/// `range` what is expected of a number with more digits than can be held exactly.
fn decimal(t: &Table, row: usize, name: &str, cell: &str, what: &str, range: &str) -> Result<Decimal, InputError> {
    crate::core::numbers::exact_decimal(cell).map_err(|e| {
        let expected = if e == DecimalError::TooManyDigits { range } else { what };
        t.error_at(row, name, format!("expected {expected}, found {}", quote(cell)))
    })
}

fn required<'a>(t: &Table, row: usize, name: &str, cell: &'a str) -> Result<&'a str, InputError> {
    if cell.is_empty() { Err(t.error_at(row, name, "empty value, this column is required")) } else { Ok(cell) }
}

/// Problems found in the inputs: the first stops a run; `validate` collects them all.
#[derive(Debug, Default)]
pub struct Problems {
    collect: bool,
    pub list: Vec<InputError>,
}

impl Problems {
    /// Stop at the first problem (a run).
    pub fn fail_fast() -> Problems {
        Problems { collect: false, list: Vec::new() }
    }

    /// Keep going and list every problem (`validate`).
    pub fn collecting() -> Problems {
        Problems { collect: true, list: Vec::new() }
    }

    /// Records a problem; `Err` when the first one ends the reading.
    pub fn report(&mut self, e: InputError) -> Result<(), InputError> {
        if self.collect {
            self.list.push(e);
            Ok(())
        } else {
            Err(e)
        }
    }
}

/// Where each unique key was first seen: `file:line` (or `file row N` in Parquet).
pub type FirstSeen = HashMap<String, String>;

fn check_unique(
    t: &Table,
    lines: Option<&[u64]>,
    seen: &mut FirstSeen,
    row: usize,
    col: &str,
    key: &str,
) -> Result<(), InputError> {
    if let Some(at) = seen.get(key) {
        return Err(t.error_at(row, col, format!("duplicate {col} {}, first seen at {at}", quote(key))));
    }
    seen.insert(key.to_string(), t.locate(row, lines));
    Ok(())
}

pub fn customers(
    path: &Path,
    display: &str,
    config: &Config,
    out: &mut Vec<Customer>,
    seen: &mut FirstSeen,
    problems: &mut Problems,
) -> Result<(usize, Footprint), InputError> {
    let first = out.len();
    let cols = [
        "customer_id",
        "name",
        "tier",
        "services",
        "regions",
        "contract_start",
        "contract_end",
        "monthly_fee",
        "currency",
        "timezone",
        "target_percent",
    ];
    let t = Table::read(path, display, &cols, &["customer_id", "tier"])?;
    let col = |c: &str| text(&t, c);
    let (id, name, tier, services, regions) =
        (col("customer_id")?, col("name")?, col("tier")?, col("services")?, col("regions")?);
    let (fee, currency, zone, target) =
        (col("monthly_fee")?, col("currency")?, col("timezone")?, col("target_percent")?);
    let start_col = t.time("contract_start")?;
    let end_col = t.time("contract_end")?;
    let start_cells: Vec<RawTime> =
        start_col.as_ref().map(|c| c.cells(config.inputs_timezone).collect()).unwrap_or_default();
    let end_cells: Vec<RawTime> =
        end_col.as_ref().map(|c| c.cells(config.inputs_timezone).collect()).unwrap_or_default();
    let contract_time = |cells: &[RawTime], row: usize, col: &str, ctz: Tz| -> Result<Option<Instant>, InputError> {
        match cells.get(row) {
            None | Some(RawTime::Empty) => Ok(None),
            Some(RawTime::Text(s)) => parse_date_or_instant(s, config.inputs_timezone, ctz)
                .and_then(in_range)
                .map(Some)
                .map_err(|e| t.error_at(row, col, e)),
            Some(RawTime::Cell(Ok(TimeCell::Instant(i)))) => {
                in_range(*i).map(Some).map_err(|e| t.error_at(row, col, e))
            }
            Some(RawTime::Cell(Ok(TimeCell::Date(d)))) => {
                in_range(start_of_local_day(*d, ctz)).map(Some).map_err(|e| t.error_at(row, col, e))
            }
            Some(RawTime::Cell(Err(e))) => Err(t.error_at(row, col, e.clone())),
        }
    };
    let tiers: Vec<&str> = config.tiers.keys().map(String::as_str).collect();
    let lines = t.row_lines();
    for row in (0..t.len()).filter(|&r| !t.is_blank(r)) {
        let mut body = || -> Result<(), InputError> {
            let cid = required(&t, row, "customer_id", id.get(row))?.to_string();
            check_unique(&t, lines.as_deref(), seen, row, "customer_id", &cid)?;
            let tier_name = required(&t, row, "tier", tier.get(row))?;
            if !config.tiers.contains_key(tier_name) {
                return Err(t.error_at(
                    row,
                    "tier",
                    format!("unknown tier {}, expected one of: {}", quote(tier_name), tiers.join(", ")),
                ));
            }
            let zone_cell = zone.get(row);
            let timezone = if zone_cell.is_empty() {
                config.report_timezone
            } else {
                parse_tz(zone_cell).ok_or_else(|| {
                    t.error_at(
                        row,
                        "timezone",
                        format!("unknown time zone {}, expected an IANA name like Europe/London", quote(zone_cell)),
                    )
                })?
            };
            let contract_start = contract_time(&start_cells, row, "contract_start", timezone)?;
            let contract_end = contract_time(&end_cells, row, "contract_end", timezone)?;
            if let (Some(s), Some(e)) = (contract_start, contract_end)
                && e < s
            {
                return Err(t.error_at(row, "contract_end", "contract_end is before contract_start"));
            }
            let fee_cell = fee.get(row);
            let monthly_fee = if fee_cell.is_empty() {
                Decimal::ZERO
            } else {
                decimal(&t, row, "monthly_fee", fee_cell, "a decimal amount like 1250.00", FEE_RANGE)?
            };
            if monthly_fee > Decimal::from(MAX_FEE) || monthly_fee.normalize().scale() > 6 {
                return Err(t.error_at(row, "monthly_fee", format!("expected {FEE_RANGE}, found {fee_cell}")));
            }
            if monthly_fee < Decimal::ZERO {
                return Err(t.error_at(row, "monthly_fee", format!("negative fee {fee_cell}, expected 0 or more")));
            }
            let cur = currency.get(row);
            let currency_optional = cur.is_empty() && monthly_fee.is_zero();
            if !(currency_optional || crate::core::numbers::is_currency(cur)) {
                return Err(t.error_at(
                    row,
                    "currency",
                    format!("expected an ISO 4217 currency code like GBP, found {}", quote(cur)),
                ));
            }
            let target_cell = target.get(row);
            let target_override = if target_cell.is_empty() {
                None
            } else {
                let d = decimal(&t, row, "target_percent", target_cell, "a percentage like 99.99", TARGET_RANGE)?;
                if d < Decimal::ZERO || d > Decimal::from(100) || d.normalize().scale() > crate::config::MAX_SCALE {
                    return Err(t.error_at(row, "target_percent", format!("expected {TARGET_RANGE}, found {d}")));
                }
                Some(d)
            };
            out.push(Customer {
                name: match name.get(row) {
                    "" => cid.clone(),
                    n => n.to_string(),
                },
                id: cid,
                tier: tier_name.to_string(),
                services: scope(&t, &services, row, "services")?,
                regions: scope(&t, &regions, row, "regions")?,
                contract_start,
                contract_end,
                monthly_fee,
                currency: cur.to_string(),
                timezone,
                target_override,
            });
            Ok(())
        };
        if let Err(e) = body() {
            problems.report(e)?;
        }
    }
    Ok((out.len() - first, Footprint::Spans(out[first..].iter().map(Customer::contract).collect())))
}

/// Interns (service, region, location) to dense ids without allocating per row.
#[derive(Default)]
pub struct SeriesInterner {
    ids: HashMap<String, u32>,
    keys: Vec<SeriesKey>,
    buf: String,
}

impl SeriesInterner {
    pub fn id(&mut self, service: &str, region: &str, location: &str) -> u32 {
        self.buf.clear();
        for part in [service, region, location] {
            self.buf.push_str(part);
            self.buf.push('\u{1f}');
        }
        if let Some(&id) = self.ids.get(self.buf.as_str()) {
            return id;
        }
        let id = self.keys.len() as u32;
        self.keys.push(SeriesKey { service: service.into(), region: region.into(), location: location.into() });
        self.ids.insert(self.buf.clone(), id);
        id
    }

    pub fn into_keys(self) -> Vec<SeriesKey> {
        self.keys
    }
}

/// `up`/`ok`/`1`/`true` or `down`/`fail`/`error`/`0`/`false`, any case.
pub fn parse_status(s: &str) -> Option<bool> {
    const UP: [&str; 4] = ["up", "ok", "1", "true"];
    const DOWN: [&str; 5] = ["down", "fail", "error", "0", "false"];
    if UP.iter().any(|u| s.eq_ignore_ascii_case(u)) {
        Some(false)
    } else if DOWN.iter().any(|d| s.eq_ignore_ascii_case(d)) {
        Some(true)
    } else {
        None
    }
}

pub fn checks(
    path: &Path,
    display: &str,
    tz: Tz,
    interner: &mut SeriesInterner,
    out: &mut Vec<Check>,
    problems: &mut Problems,
) -> Result<(usize, Footprint), InputError> {
    let first = out.len();
    let cols = ["timestamp", "service", "region", "location", "status"];
    let t = Table::read(path, display, &cols, &cols)?;
    let time = t.time("timestamp")?.expect("required");
    let [service, region, location, status] =
        ["service", "region", "location", "status"].map(|c| t.text(c).map(|o| o.expect("required")));
    let (service, region, location, status) = (service?, region?, location?, status?);
    out.reserve(t.len());
    let rows = time.cells(tz).zip(service.iter()).zip(region.iter()).zip(location.iter()).zip(status.iter());
    for (row, ((((ts, sv), rg), lc), st)) in rows.enumerate() {
        let body = || -> Result<(), InputError> {
            if t.is_blank(row) {
                return Ok(());
            }
            let at = match ts {
                RawTime::Text(s) => {
                    parse_instant(s, tz).and_then(in_range).map_err(|e| t.error_at(row, "timestamp", e))?
                }
                RawTime::Cell(Ok(TimeCell::Instant(i))) => in_range(i).map_err(|e| t.error_at(row, "timestamp", e))?,
                RawTime::Cell(Ok(TimeCell::Date(_))) | RawTime::Empty => {
                    return Err(t.error_at(row, "timestamp", TimeError::Malformed(String::new())));
                }
                RawTime::Cell(Err(e)) => return Err(t.error_at(row, "timestamp", e)),
            };
            let (sv, rg, lc) = (sv.unwrap_or("").trim(), rg.unwrap_or("").trim(), lc.unwrap_or("").trim());
            for (v, c) in [(sv, "service"), (rg, "region"), (lc, "location")] {
                required(&t, row, c, v)?;
            }
            let st = st.unwrap_or("").trim();
            let down = parse_status(st).ok_or_else(|| {
                t.error_at(
                    row,
                    "status",
                    format!("unknown status {}, expected up, ok, 1, true, down, fail, error, 0 or false", quote(st)),
                )
            })?;
            out.push(Check { series: interner.id(sv, rg, lc), at, down });
            Ok(())
        };
        if let Err(e) = body() {
            problems.report(e)?;
        }
    }
    Ok((out.len() - first, Footprint::of_instants(out[first..].iter().map(|c| c.at))))
}

/// Outage rows; each keeps `name:line` (the config-relative file name) as its source, so
/// evidence does not depend on where the inputs live.
pub fn outages(
    path: &Path,
    display: &str,
    name: &str,
    tz: Tz,
    now: Instant,
    out: &mut Vec<Outage>,
    problems: &mut Problems,
) -> Result<(usize, Footprint), InputError> {
    let first = out.len();
    let t = Table::read(path, display, &["service", "region", "start", "end"], &["service", "region", "start", "end"])?;
    let (service, region) = (text(&t, "service")?, text(&t, "region")?);
    let starts = instants(&t, "start", tz)?;
    let ends = instants(&t, "end", tz)?;
    let lines = t.row_lines();
    for row in (0..t.len()).filter(|&r| !t.is_blank(r)) {
        let mut body = || -> Result<(), InputError> {
            let start =
                starts[row].clone()?.ok_or_else(|| t.error_at(row, "start", "empty value, this column is required"))?;
            let end_cell = ends[row].clone()?;
            let end = match end_cell {
                Some(e) if e < start => return Err(t.error_at(row, "end", "end is before start")),
                Some(e) => e,
                None if !t.row_is_complete(row) => return Err(t.error_at(row, "end", "missing field")),
                None => now.max(start),
            };
            let at = t.locate(row, lines.as_deref());
            let source = format!("{name}{}", at.strip_prefix(display).unwrap_or(&at));
            out.push(Outage {
                service: required(&t, row, "service", service.get(row))?.to_string(),
                region: required(&t, row, "region", region.get(row))?.to_string(),
                interval: Interval::new(start, end),
                source: if end_cell.is_none() { format!("{source} (open)") } else { source },
            });
            Ok(())
        };
        if let Err(e) = body() {
            problems.report(e)?;
        }
    }
    Ok((out.len() - first, Footprint::Spans(out[first..].iter().map(|o| o.interval).collect())))
}

pub fn incidents(
    path: &Path,
    display: &str,
    tz: Tz,
    now: Instant,
    out: &mut Vec<Incident>,
    seen: &mut FirstSeen,
    problems: &mut Problems,
) -> Result<(usize, Footprint), InputError> {
    let first = out.len();
    let cols = [
        "incident_id",
        "title",
        "category",
        "impact",
        "start",
        "end",
        "services",
        "regions",
        "customers",
        "announced_at",
        "data_loss_minutes",
    ];
    let t = Table::read(path, display, &cols, &["incident_id", "category", "impact", "start"])?;
    let (id, title, category, impact) =
        (text(&t, "incident_id")?, text(&t, "title")?, text(&t, "category")?, text(&t, "impact")?);
    let (services, regions, customers) = (text(&t, "services")?, text(&t, "regions")?, text(&t, "customers")?);
    let data_loss = text(&t, "data_loss_minutes")?;
    let starts = instants(&t, "start", tz)?;
    let ends = instants(&t, "end", tz)?;
    let announced = instants(&t, "announced_at", tz)?;
    let lines = t.row_lines();
    for row in (0..t.len()).filter(|&r| !t.is_blank(r)) {
        let mut body = || -> Result<(), InputError> {
            let iid = required(&t, row, "incident_id", id.get(row))?.to_string();
            check_unique(&t, lines.as_deref(), seen, row, "incident_id", &iid)?;
            let cat = category.get(row);
            let category = cat.parse::<Category>().map_err(|_| {
                t.error_at(
                    row,
                    "category",
                    format!("unknown category {}, expected one of: {}", quote(cat), Category::expected()),
                )
            })?;
            let imp = impact.get(row);
            let impact = imp.parse::<Impact>().map_err(|_| {
                t.error_at(
                    row,
                    "impact",
                    format!("unknown impact {}, expected one of: {}", quote(imp), Impact::expected()),
                )
            })?;
            let start =
                starts[row].clone()?.ok_or_else(|| t.error_at(row, "start", "empty value, this column is required"))?;
            let end = ends[row].clone()?;
            if let Some(e) = end
                && e < start
            {
                return Err(t.error_at(row, "end", "end is before start"));
            }
            let loss = data_loss.get(row);
            let data_loss_minutes = if loss.is_empty() {
                None
            } else {
                Some(decimal(
                    &t,
                    row,
                    "data_loss_minutes",
                    loss,
                    "a number of minutes",
                    "a number of minutes of at most 28 significant digits",
                )?)
            };
            out.push(Incident {
                title: title.get(row).to_string(),
                id: iid,
                category,
                impact,
                start,
                end,
                services: scope(&t, &services, row, "services")?,
                regions: scope(&t, &regions, row, "regions")?,
                customers: scope(&t, &customers, row, "customers")?,
                announced_at: announced[row].clone()?,
                data_loss_minutes,
            });
            Ok(())
        };
        if let Err(e) = body() {
            problems.report(e)?;
        }
    }
    Ok((out.len() - first, Footprint::Spans(out[first..].iter().map(|i| i.interval(now)).collect())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        for s in ["up", "OK", "1", "True"] {
            assert_eq!(parse_status(s), Some(false), "{s}");
        }
        for s in ["down", "FAIL", "Error", "0", "false"] {
            assert_eq!(parse_status(s), Some(true), "{s}");
        }
        assert_eq!(parse_status("degraded"), None);
        assert_eq!(parse_status(""), None);
    }

    #[test]
    fn interner_is_dense_and_stable() {
        let mut i = SeriesInterner::default();
        assert_eq!(i.id("api", "eu", "lon"), 0);
        assert_eq!(i.id("api", "eu", "fra"), 1);
        assert_eq!(i.id("api", "eu", "lon"), 0);
        assert_eq!(i.id("api", "eul", "on"), 2, "separator keeps fields apart");
        assert_eq!(i.into_keys().len(), 3);
    }
}
