//! Integration tests: one binary (see Cargo.toml `autotests = false`), one module per area.

/// The same memory guard as the binary, so the in-process fuzzing sees what `slareport`
/// does with a damaged file that asks for more memory than the machine has.
#[global_allocator]
static ALLOCATOR: slareport::guard::MemoryGuard = slareport::guard::MemoryGuard;

mod anywhere;
mod audit;
mod bad_inputs;
mod errors;
mod fuzz;
mod generate;
mod golden;
mod kill;
mod mapping;
mod native_import;
mod native_json;
mod native_kuma;
mod native_prometheus;
mod pdfs;
mod real_data;
mod runs;
mod scale;
mod shell;
mod structure;
mod validate;
mod warehouse;
mod workdir;
