//! `diff`: restatements between two runs (or two month directories): per
//! customer-month, the old and new uptime, breach and credit, and which inputs changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::history::{Store, short};

/// What a side of the comparison reported for one customer-month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reported {
    pub(crate) uptime_percent: String,
    pub(crate) met: String,
    pub(crate) credit_percent: String,
    pub(crate) credit_amount: String,
    pub(crate) currency: String,
}

/// One side: results by (month, customer id), and input digests by "role path".
pub(crate) struct Side {
    pub(crate) label: String,
    pub(crate) results: BTreeMap<(String, String), Reported>,
    pub(crate) inputs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Restatement {
    pub(crate) month: String,
    pub(crate) customer_id: String,
    pub(crate) old: Option<Reported>,
    pub(crate) new: Option<Reported>,
}

fn read_results(path: &Path, into: &mut BTreeMap<(String, String), Reported>) -> Result<(), String> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let header = rdr.headers().map_err(|e| format!("{}: {e}", path.display()))?.clone();
    let col = |n: &str| header.iter().position(|h| h == n).ok_or_else(|| format!("{}: no column {n}", path.display()));
    let (m, c, u, met, cp, ca, cur) = (
        col("month").or_else(|_| col("period"))?,
        col("customer_id")?,
        col("uptime_percent")?,
        col("met")?,
        col("credit_percent")?,
        col("credit_amount")?,
        col("currency")?,
    );
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        let get = |i: usize| rec.get(i).unwrap_or("").to_string();
        into.insert(
            (get(m), get(c)),
            Reported {
                uptime_percent: get(u),
                met: get(met),
                credit_percent: get(cp),
                credit_amount: get(ca),
                currency: get(cur),
            },
        );
    }
    Ok(())
}

/// A run id of the history in `out`, or a month directory.
pub(crate) fn load_side(out: &Path, arg: &str) -> Result<Side, String> {
    let dir = Path::new(arg);
    let mut results = BTreeMap::new();
    let mut inputs = BTreeMap::new();
    if dir.join("sla_monthly.csv").is_file() {
        read_results(&dir.join("sla_monthly.csv"), &mut results)?;
        if let Ok(text) = std::fs::read_to_string(dir.join("manifest.json"))
            && let Ok(m) = serde_json::from_str::<serde_json::Value>(&text)
        {
            for i in m["inputs"].as_array().into_iter().flatten() {
                let key = format!("{} {}", i["role"].as_str().unwrap_or(""), i["path"].as_str().unwrap_or(""));
                inputs.insert(key, i["sha256"].as_str().unwrap_or("").to_string());
            }
        }
        return Ok(Side { label: arg.to_string(), results, inputs });
    }
    let store = Store::of(out);
    let records = store.read().map_err(|e| e.to_string())?;
    let record = records
        .iter()
        .filter_map(|r| r.record.as_ref())
        .find(|r| r.run_id == arg)
        .ok_or_else(|| format!("{arg}: neither a month directory nor a run in {}", store.runs_file().display()))?;
    for month in &record.months {
        read_results(&store.archive(arg).join(month).join("sla_monthly.csv"), &mut results)?;
    }
    for i in &record.inputs {
        inputs.insert(format!("{} {}", i.role, i.name), i.sha256.clone());
    }
    Ok(Side { label: arg.to_string(), results, inputs })
}

/// Customer-months whose reported figures differ (or exist on one side only), for the
/// months both sides cover.
pub(crate) fn restatements(a: &Side, b: &Side) -> Vec<Restatement> {
    let months_a: BTreeSet<&String> = a.results.keys().map(|(m, _)| m).collect();
    let months_b: BTreeSet<&String> = b.results.keys().map(|(m, _)| m).collect();
    let common: BTreeSet<&&String> = months_a.intersection(&months_b).collect();
    let keys: BTreeSet<&(String, String)> =
        a.results.keys().chain(b.results.keys()).filter(|(m, _)| common.contains(&m)).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (old, new) = (a.results.get(k), b.results.get(k));
            (old != new).then(|| Restatement {
                month: k.0.clone(),
                customer_id: k.1.clone(),
                old: old.cloned(),
                new: new.cloned(),
            })
        })
        .collect()
}

/// An input that changed, appeared or disappeared between the sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InputChange {
    /// `changed`, `added` or `removed`.
    pub(crate) kind: &'static str,
    /// "role path" (or "role name" for a run).
    pub(crate) input: String,
    pub(crate) old_sha256: Option<String>,
    pub(crate) new_sha256: Option<String>,
}

impl std::fmt::Display for InputChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.old_sha256, &self.new_sha256) {
            (Some(x), Some(y)) => write!(f, "{}: {} ({} -> {})", self.kind, self.input, short(x), short(y)),
            _ => write!(f, "{}: {}", self.kind, self.input),
        }
    }
}

/// Inputs that changed, appeared or disappeared between the sides.
pub(crate) fn input_changes(a: &Side, b: &Side) -> Vec<InputChange> {
    let keys: BTreeSet<&String> = a.inputs.keys().chain(b.inputs.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (old, new) = (a.inputs.get(k), b.inputs.get(k));
            let kind = match (old, new) {
                (Some(x), Some(y)) if x != y => "changed",
                (Some(_), None) => "removed",
                (None, Some(_)) => "added",
                _ => return None,
            };
            Some(InputChange { kind, input: k.clone(), old_sha256: old.cloned(), new_sha256: new.cloned() })
        })
        .collect()
}

fn cells(r: &Option<Reported>) -> [String; 3] {
    match r {
        None => ["-".into(), "-".into(), "-".into()],
        Some(r) => [
            r.uptime_percent.clone(),
            r.met.clone(),
            format!("{} {} ({} %)", r.currency, r.credit_amount, r.credit_percent),
        ],
    }
}

/// The columns of the terminal table (credit as one readable cell).
pub(crate) const TABLE_HEADER: [&str; 8] = [
    "month",
    "customer_id",
    "old_uptime_percent",
    "new_uptime_percent",
    "old_met",
    "new_met",
    "old_credit",
    "new_credit",
];

/// The rows of the terminal table; `-` for a side without the customer-month.
pub(crate) fn rows(list: &[Restatement]) -> Vec<[String; 8]> {
    list.iter()
        .map(|r| {
            let [ou, om, oc] = cells(&r.old);
            let [nu, nm, nc] = cells(&r.new);
            [r.month.clone(), r.customer_id.clone(), ou, nu, om, nm, oc, nc]
        })
        .collect()
}

/// The columns of `diff --csv`: every figure in a column of its own, old then new, so a
/// spreadsheet can sum them.
pub(crate) const CSV_HEADER: [&str; 12] = [
    "month",
    "customer_id",
    "old_uptime_percent",
    "new_uptime_percent",
    "old_met",
    "new_met",
    "old_credit_percent",
    "new_credit_percent",
    "old_credit_amount",
    "new_credit_amount",
    "old_currency",
    "new_currency",
];

/// A CSV row; the cells of a side without the customer-month are empty.
fn csv_row(r: &Restatement) -> [String; 12] {
    let field =
        |side: &Option<Reported>, f: fn(&Reported) -> &String| side.as_ref().map(f).cloned().unwrap_or_default();
    let pair = |f: fn(&Reported) -> &String| [field(&r.old, f), field(&r.new, f)];
    let [ou, nu] = pair(|x| &x.uptime_percent);
    let [om, nm] = pair(|x| &x.met);
    let [ocp, ncp] = pair(|x| &x.credit_percent);
    let [oca, nca] = pair(|x| &x.credit_amount);
    let [ocur, ncur] = pair(|x| &x.currency);
    [r.month.clone(), r.customer_id.clone(), ou, nu, om, nm, ocp, ncp, oca, nca, ocur, ncur]
}

pub(crate) fn to_csv(list: &[Restatement]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    w.write_record(CSV_HEADER).expect("csv");
    for r in list {
        w.write_record(csv_row(r).iter().map(|c| crate::common::neutralise(c))).expect("csv");
    }
    w.into_inner().expect("memory")
}
