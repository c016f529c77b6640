//! The audit trail: manifests with digests of every input and output, and the
//! hash-chained history of runs.

pub mod diff;
pub mod history;
pub mod manifest;
pub mod verify;
