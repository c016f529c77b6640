//! Integration tests: one binary (see Cargo.toml `autotests = false`), one module per area.

mod audit;
mod errors;
mod golden;
mod pdfs;
mod runs;
mod workdir;
