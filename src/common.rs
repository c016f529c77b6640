//! Small helpers every layer uses, so none has to import another for them: SHA-256
//! digests (manifests, the history, PDF ids), input text quoted and clipped for one-line
//! messages, and CSV cells neutralised against spreadsheet formulas.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// SHA-256 of bytes, as lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 of a file's bytes, streamed.
pub(crate) fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// At most this many characters of input are quoted in an error message (the same bound
/// as the core's time errors).
pub(crate) const QUOTE_LIMIT: usize = crate::core::time::QUOTED_CHARS;

/// Input text for an error message: at most [`QUOTE_LIMIT`] characters, control
/// characters shown escaped, an ellipsis when cut.
pub(crate) fn clip(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().take(QUOTE_LIMIT) {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    if s.chars().nth(QUOTE_LIMIT).is_some() {
        out.push('…');
    }
    out
}

/// `"text"` as Rust's `{:?}` would quote it, clipped to [`QUOTE_LIMIT`] characters.
pub(crate) fn quote(s: &str) -> String {
    let cut: String = s.chars().take(QUOTE_LIMIT).collect();
    if cut.len() < s.len() { format!("{:?}…", cut) } else { format!("{cut:?}") }
}

/// Prefixes a `'` to text a spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab, CR).
pub(crate) fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}
