//! The command line: clap definitions and one module per subcommand.

pub mod run;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "slareport",
    version,
    about = "Monthly SLA compliance reports from monitoring exports and incident records"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute monthly SLA reports and write them to OUT/YYYY-MM/.
    Run(run::RunArgs),
}
