//! Entry point: parse arguments, run, print one-line errors and map them to exit codes.

use clap::Parser;
use slareport::cli::{Cli, dispatch};
use slareport::render::terminal;
use std::io::Write;

fn main() {
    let cli = Cli::parse();
    let now = chrono::Utc::now().timestamp();
    match dispatch(cli.command, now) {
        Ok(outcome) => {
            let text = terminal::clean(&outcome.text);
            match outcome.data {
                Some(data) => {
                    eprint!("{text}");
                    let mut stdout = std::io::stdout().lock();
                    if stdout.write_all(&data).and_then(|_| stdout.flush()).is_err() {
                        eprintln!("slareport: error: cannot write to standard output");
                        std::process::exit(5);
                    }
                }
                None => print!("{text}"),
            }
            let _ = std::io::stdout().flush();
            for w in &outcome.warnings {
                eprintln!("slareport: warning: {}", terminal::one_line(w));
            }
            std::process::exit(outcome.code);
        }
        Err(e) => {
            eprintln!("slareport: error: {}", terminal::one_line(&e.to_string()));
            std::process::exit(e.exit_code());
        }
    }
}
