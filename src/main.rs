//! Entry point: parse arguments, run, print one-line errors and map them to exit codes.

use clap::Parser;
use slareport::cli::{Cli, Command, run};

fn main() {
    let cli = Cli::parse();
    let now = chrono::Utc::now().timestamp();
    let result = match cli.command {
        Command::Run(args) => {
            let quiet = args.quiet;
            run::run(args, now).map(|text| if quiet { String::new() } else { text })
        }
    };
    match result {
        Ok(text) => print!("{text}"),
        Err(e) => {
            eprintln!("slareport: error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
