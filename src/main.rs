//! Entry point: parse arguments, run, print one-line errors and map them to exit codes.

use clap::Parser;
use slareport::cli::{Cli, dispatch};

fn main() {
    let cli = Cli::parse();
    let now = chrono::Utc::now().timestamp();
    match dispatch(cli.command, now) {
        Ok(outcome) => {
            print!("{}", outcome.text);
            std::process::exit(outcome.code);
        }
        Err(e) => {
            eprintln!("slareport: error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
