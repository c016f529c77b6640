//! The audit trail: manifests with digests of every input and output.

pub mod manifest;
