//! Renderers: turn computed results into files. They format; they never compute.
//! `view` turns results into text; `csv_files`, `pdf` and `terminal` lay that text out.
//! `words` is where the core's typed sources, reasons and treatments become words.

pub mod csv_files;
pub mod explain;
pub mod pdf;
pub mod results;
pub mod template;
pub mod terminal;
pub mod view;
pub mod words;
