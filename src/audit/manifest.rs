//! `manifest.json`: what a month's reports were made from and what they contain.
//! Deterministic: no clock, sorted lists, so re-runs on the same inputs are identical.

use serde::Serialize;

use crate::load::InputFile;

#[derive(Debug, Serialize)]
pub(crate) struct Manifest {
    pub(crate) tool: &'static str,
    pub(crate) version: &'static str,
    pub(crate) month: String,
    /// The instant used as "now" for open incidents, when fixed by `--as-of`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) as_of: Option<String>,
    /// SHA-256 over the config, template, input and CSV digests: printed in every PDF
    /// footer, so a reader can tie a PDF to its data.
    pub(crate) data_fingerprint: String,
    pub(crate) config: FileDigest,
    /// SHA-256 of the report template's template.toml.
    pub(crate) template: String,
    pub(crate) inputs: Vec<InputDigest>,
    pub(crate) outputs: Vec<FileDigest>,
    pub(crate) customers: usize,
    /// The earlier months shown in the customer PDFs' 12-month trend, each with the
    /// digest of the figures used ([`trend_digest`]); they enter the data fingerprint.
    pub(crate) trend: Vec<TrendDigest>,
    pub(crate) warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub(crate) struct TrendDigest {
    pub(crate) month: String,
    pub(crate) customers: usize,
    pub(crate) sha256: String,
}

/// The digest of one month's trend figures: one JSON line `[id, uptime, met]` per
/// customer, by id.
pub(crate) fn trend_digest(points: &[crate::load::history::ReportedPoint]) -> String {
    let mut sorted: Vec<_> = points.iter().collect();
    sorted.sort();
    let mut text = String::new();
    for p in sorted {
        text.push_str(&serde_json::json!([p.customer_id, p.uptime_percent, p.met]).to_string());
        text.push('\n');
    }
    sha256_hex(text.as_bytes())
}

#[derive(Debug, Serialize)]
pub(crate) struct FileDigest {
    pub(crate) path: String,
    pub(crate) sha256: String,
    pub(crate) bytes: u64,
}

#[derive(Debug, Serialize)]
pub(crate) struct InputDigest {
    pub(crate) role: &'static str,
    pub(crate) path: String,
    pub(crate) sha256: String,
    /// Data rows read.
    pub(crate) rows: usize,
    /// Rows in (or, for intervals and contracts, touching) this month in some customer's zone.
    pub(crate) rows_used: usize,
    /// `rows - rows_used`.
    pub(crate) rows_outside: usize,
}

pub(crate) use crate::common::sha256_hex;

impl FileDigest {
    pub(crate) fn of(path: &str, bytes: &[u8]) -> FileDigest {
        FileDigest { path: path.to_string(), sha256: sha256_hex(bytes), bytes: bytes.len() as u64 }
    }
}

impl InputDigest {
    /// A file's digest and how many of its rows `used` counted.
    pub(crate) fn of(f: &InputFile, used: usize) -> InputDigest {
        InputDigest {
            role: f.role,
            path: f.name.clone(),
            sha256: f.sha256.clone(),
            rows: f.rows,
            rows_used: used,
            rows_outside: f.rows - used,
        }
    }
}

impl Manifest {
    pub(crate) fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("manifest serializes");
        v.push(b'\n');
        v
    }
}
