//! `slareport generate`: a synthetic data set of any size from a seed (see
//! `crate::generate`), for benchmarks anyone can reproduce.

use clap::Args;
use std::path::PathBuf;

use super::Outcome;
use crate::core::time::Month;
use crate::error::RunError;
use crate::generate::{Format, Spec};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  slareport generate bench/ --checks 10000000\n  slareport generate bench-pq/ --checks 10000000 --format parquet --files 4\n  slareport run --config bench/sla.toml --month 2026-10 --out reports/ --as-of 2026-11-02T00:00:00Z\n\nThe same seed and arguments give byte-identical files."
)]
pub struct GenerateArgs {
    /// Output directory (created; must be empty unless --force).
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,
    /// Seed of the random story: the same seed and arguments give the same bytes.
    #[arg(long, default_value_t = 42)]
    pub(crate) seed: u64,
    /// About this many check rows in all, spread evenly over the series and the month.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub(crate) checks: u64,
    /// Customers in customers.csv.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub(crate) customers: u32,
    /// Services probed (in every region).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub(crate) services: u32,
    /// Regions.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub(crate) regions: u32,
    /// Probe locations per region.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub(crate) locations: u32,
    /// The month the data covers (with 14 hours on each side), YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", default_value = "2026-10")]
    pub(crate) month: Month,
    /// Checks file format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Csv)]
    pub(crate) format: CheckFormat,
    /// Split the checks into N files by time (checks-0001.csv, ...).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(crate) files: u32,
    /// Write into a folder that is not empty (replacing the files generate writes).
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CheckFormat {
    Csv,
    #[value(name = "csv.gz")]
    CsvGz,
    Parquet,
}

pub(crate) fn generate(args: GenerateArgs) -> Result<Outcome, RunError> {
    let spec = Spec {
        seed: args.seed,
        checks: args.checks,
        customers: args.customers,
        services: args.services,
        regions: args.regions,
        locations: args.locations,
        month: args.month,
        format: match args.format {
            CheckFormat::Csv => Format::Csv,
            CheckFormat::CsvGz => Format::CsvGz,
            CheckFormat::Parquet => Format::Parquet,
        },
        files: args.files,
    };
    // The command line that reproduces the set, without the folder or --force.
    let command_line = format!(
        "slareport generate DIR --seed {} --checks {} --customers {} --services {} --regions {} --locations {} --month {} --format {} --files {}",
        spec.seed,
        spec.checks,
        spec.customers,
        spec.services,
        spec.regions,
        spec.locations,
        spec.month,
        spec.format.extension(),
        spec.files
    );
    let s = crate::generate::generate(&args.dir, &spec, args.force, &command_line)?;
    let files = match s.files.as_slice() {
        [one] => one.clone(),
        many => format!("{} files {} .. {}", many.len(), many[0], many[many.len() - 1]),
    };
    let text = format!(
        "{dir}: {rows} checks of {series} series (one every {step:.1} s; max_gap_seconds = {gap}) in {files}; \
         {customers} customers, {outages} outages, {incidents} incidents, sla.toml\n",
        dir = args.dir.display(),
        rows = s.rows,
        series = s.series,
        step = s.step_seconds,
        gap = s.max_gap_seconds,
        customers = s.customers,
        outages = s.outages,
        incidents = s.incidents,
    );
    Ok(Outcome { text, code: 0, data: None, warnings: Vec::new() })
}
