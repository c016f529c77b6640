//! The pure core: interval sets, months in time zones, checks to downtime, exclusions,
//! uptime, credits and money. No file or network I/O, no clock, no polars: every input
//! arrives parsed, "now" arrives as a parameter, and results are plain values.

pub(crate) mod backups;
pub(crate) mod checks;
pub(crate) mod interval;
pub(crate) mod model;
pub(crate) mod numbers;
pub mod period;
pub(crate) mod quality;
pub(crate) mod reasons;
pub(crate) mod recovery;
pub(crate) mod sla;
pub mod time;

#[cfg(test)]
mod sla_tests;
