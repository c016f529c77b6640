//! The audit trail: manifests with digests of every input and output, and the
//! hash-chained history of runs.

pub(crate) mod diff;
pub(crate) mod history;
pub(crate) mod manifest;
pub(crate) mod verify;
