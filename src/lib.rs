//! slareport: monthly SLA compliance reports from monitoring exports and incident records.
//!
//! Layers (see ARCHITECTURE.md): [`core`] computes, [`load`] reads files, [`render`]
//! formats, [`cli`] wires them to the command line.

pub mod core;
