//! slareport: monthly SLA compliance reports from monitoring exports and incident records.
//!
//! Layers (see ARCHITECTURE.md): [`core`] computes and is pure, [`load`] reads files,
//! [`render`] formats, [`audit`] digests, [`pipeline`] runs them in order, [`cli`] is the
//! command line.

pub mod assets;
pub mod audit;
pub mod cli;
pub mod common;
pub mod config;
pub mod core;
pub mod error;
pub mod generate;
pub mod guard;
pub mod load;
pub mod pipeline;
pub mod progress;
pub mod render;
