//! Shell conventions: `completions SHELL` and `man`, both written to standard output.

use clap::{Args, CommandFactory};

use super::{Cli, Outcome};
use crate::error::RunError;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

fn to_stdout(bytes: Vec<u8>) -> Outcome {
    Outcome { text: String::new(), code: 0, data: Some(bytes), warnings: Vec::new() }
}

/// The completion script for `args.shell`.
pub(crate) fn completions(args: CompletionsArgs) -> Result<Outcome, RunError> {
    let mut bytes = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "slareport", &mut bytes);
    Ok(to_stdout(bytes))
}

/// The roff man page of `slareport` (section 1).
pub(crate) fn man() -> Result<Outcome, RunError> {
    let mut bytes = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut bytes)
        .map_err(|e| RunError::Output(format!("cannot render the man page: {e}")))?;
    Ok(to_stdout(bytes))
}
