//! Renderers: turn computed results into files. They format; they never compute.

pub mod csv_files;
pub mod terminal;
