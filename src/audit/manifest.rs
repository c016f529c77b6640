//! `manifest.json`: what a month's reports were made from and what they contain.
//! Deterministic: no clock, sorted lists, so re-runs on the same inputs are identical.

use serde::Serialize;

use crate::load::InputFile;

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub version: &'static str,
    pub month: String,
    /// The instant used as "now" for open incidents, when fixed by `--as-of`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// SHA-256 over the config, template, input and CSV digests: printed in every PDF
    /// footer, so a reader can tie a PDF to its data.
    pub data_fingerprint: String,
    pub config: FileDigest,
    /// SHA-256 of the report template's template.toml.
    pub template: String,
    pub inputs: Vec<InputDigest>,
    pub outputs: Vec<FileDigest>,
    pub customers: usize,
    /// The earlier months shown in the customer PDFs' 12-month trend, each with the
    /// digest of the figures used ([`trend_digest`]); they enter the data fingerprint.
    pub trend: Vec<TrendDigest>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TrendDigest {
    pub month: String,
    pub customers: usize,
    pub sha256: String,
}

/// The digest of one month's trend figures: one JSON line `[id, uptime, met]` per
/// customer, by id.
pub fn trend_digest(points: &[crate::load::history::ReportedPoint]) -> String {
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
pub struct FileDigest {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Serialize)]
pub struct InputDigest {
    pub role: &'static str,
    pub path: String,
    pub sha256: String,
    /// Data rows read.
    pub rows: usize,
    /// Rows in (or, for intervals and contracts, touching) this month in some customer's zone.
    pub rows_used: usize,
    /// `rows - rows_used`.
    pub rows_outside: usize,
}

pub use crate::common::sha256_hex;

impl FileDigest {
    pub fn of(path: &str, bytes: &[u8]) -> FileDigest {
        FileDigest { path: path.to_string(), sha256: sha256_hex(bytes), bytes: bytes.len() as u64 }
    }
}

impl InputDigest {
    /// A file's digest and how many of its rows `used` counted.
    pub fn of(f: &InputFile, used: usize) -> InputDigest {
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
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("manifest serializes");
        v.push(b'\n');
        v
    }
}
