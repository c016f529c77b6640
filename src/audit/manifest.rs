//! `manifest.json`: what a month's reports were made from and what they contain.
//! Deterministic: no clock, sorted lists, so re-runs on the same inputs are identical.

use serde::Serialize;
use sha2::{Digest, Sha256};

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
    pub warnings: Vec<String>,
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
    pub rows: usize,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl FileDigest {
    pub fn of(path: &str, bytes: &[u8]) -> FileDigest {
        FileDigest { path: path.to_string(), sha256: sha256_hex(bytes), bytes: bytes.len() as u64 }
    }
}

impl From<&InputFile> for InputDigest {
    fn from(f: &InputFile) -> Self {
        InputDigest { role: f.role, path: f.name.clone(), sha256: f.sha256.clone(), rows: f.rows }
    }
}

impl Manifest {
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("manifest serializes");
        v.push(b'\n');
        v
    }
}
