//! The command line: clap definitions and one module per subcommand.

pub(crate) mod audit;
pub(crate) mod generate;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod output;
pub(crate) mod reduce;
pub(crate) mod run;
pub(crate) mod shell;
pub(crate) mod validate;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "slareport",
    version,
    about = "SLA compliance reports for months or any period, from monitoring exports and incident records",
    after_help = "Start with `slareport init DIR` (a commented sla.toml, sample inputs, a template) or `slareport run` (the built-in sample).\nThe rules behind every figure (time, inputs, reduction of checks, exclusions, credits, outputs, configuration) with worked examples: docs/CONTRACT.md in slareport's source repository; the options of every command: `slareport man`."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute SLA reports and write them to OUT/<period>/ (a month to OUT/YYYY-MM/).
    Run(run::RunArgs),
    /// Check everything a run would read; list every problem, then data-quality warnings.
    Validate(validate::ValidateArgs),
    /// Re-check a recorded run: inputs, outputs, hash chain, and byte-identical recomputation.
    Verify(audit::VerifyArgs),
    /// Show restatements between two runs (or two month directories).
    Diff(audit::DiffArgs),
    /// Explain in plain words how a customer's monthly number was obtained.
    Explain(audit::ExplainArgs),
    /// List the recorded runs; export every run's results as CSV.
    History(audit::HistoryArgs),
    /// Read a native source (statuspage, uptime-kuma, prometheus, gcp-status) and write
    /// the canonical CSV files a run would read from it.
    Import(import::ImportArgs),
    /// Reduce the checks to per-(service, region) data and down intervals: the file the
    /// `reduced` input reads (the same reduction as the SQL in sql/ for a warehouse).
    Reduce(reduce::ReduceArgs),
    /// Write a synthetic data set (config, customers, checks, outages, incidents) from a seed.
    Generate(generate::GenerateArgs),
    /// Write a shell completion script to standard output (bash, zsh, fish, elvish, powershell).
    Completions(shell::CompletionsArgs),
    /// Write the man page (roff) to standard output.
    Man,
    /// Write a starter project: a commented sla.toml, the sample inputs and a copy of the
    /// default report template to customise.
    Init(init::InitArgs),
}

/// `--as-of`: an instant (naive times are UTC) in the supported range.
pub(crate) fn parse_as_of(s: &str) -> Result<crate::core::interval::Instant, String> {
    crate::core::time::parse_instant(s, chrono_tz::Tz::UTC)
        .and_then(crate::core::time::in_range)
        .map_err(|e| e.to_string())
}

/// What a command prints on success and its exit code (non-zero for a failed check).
/// `data` (a CSV asked for with `--csv -`) goes to standard output; `text` then goes
/// to standard error so the two never mix.
pub struct Outcome {
    pub text: String,
    pub code: i32,
    pub data: Option<Vec<u8>>,
    /// Printed to standard error after `text`, each as `slareport: warning: ...`.
    pub warnings: Vec<String>,
}

/// `--json` output: the object, pretty-printed, as the command's only standard output.
fn json_outcome(value: serde_json::Value, code: i32) -> Outcome {
    let mut text = serde_json::to_string_pretty(&value).expect("JSON value serializes");
    text.push('\n');
    Outcome { text, code, data: None, warnings: Vec::new() }
}

/// Runs a parsed command line; `clock_now` is the only clock reading.
pub fn dispatch(
    command: Command,
    clock_now: crate::core::interval::Instant,
) -> Result<Outcome, crate::error::RunError> {
    match command {
        Command::Run(args) => {
            let quiet = args.quiet;
            if !quiet {
                crate::progress::enable();
            }
            run::run(args, clock_now).map(|(text, warnings)| Outcome {
                text: if quiet { String::new() } else { text },
                code: 0,
                data: None,
                warnings,
            })
        }
        Command::Validate(args) => validate::validate(args, clock_now),
        Command::Verify(args) => audit::verify(args),
        Command::Diff(args) => audit::diff(args),
        Command::Explain(args) => audit::explain(args, clock_now),
        Command::History(args) => audit::history(args),
        Command::Import(args) => import::import(args, clock_now),
        Command::Reduce(args) => {
            crate::progress::enable();
            reduce::reduce(args, clock_now)
        }
        Command::Generate(args) => generate::generate(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man => shell::man(),
        Command::Init(args) => init::init(args),
    }
}
