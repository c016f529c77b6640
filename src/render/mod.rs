//! Renderers: turn computed results into files. They format; they never compute.
//! `view` turns results into text; `csv_files`, `pdf` and `terminal` lay that text out.
//! `words` is where the core's typed sources, reasons and treatments become words.

pub(crate) mod csv_files;
pub(crate) mod explain;
pub(crate) mod pdf;
pub(crate) mod results;
pub(crate) mod template;
pub mod terminal;
pub(crate) mod view;
pub(crate) mod words;
