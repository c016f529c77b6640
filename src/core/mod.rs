//! The pure core: interval sets, months in time zones, checks to downtime, exclusions,
//! uptime, credits and money. No file or network I/O, no clock, no polars: every input
//! arrives parsed, "now" arrives as a parameter, and results are plain values.

pub mod backups;
pub mod checks;
pub mod interval;
pub mod model;
pub mod numbers;
pub mod period;
pub mod quality;
pub mod reasons;
pub mod recovery;
pub mod sla;
pub mod time;

#[cfg(test)]
mod sla_tests;
