//! Entry point: parse arguments, run, print one-line errors and map them to exit codes.

use clap::Parser;
use slareport::cli::{Cli, Command, dispatch};
use slareport::render::terminal;
use std::io::{IsTerminal, Write};

/// A command-line error as one line: clap's first line, and where to read more.
fn usage_error(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let text: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect();
    let text = text.join(" ");
    let text = text.strip_prefix("error: ").unwrap_or(&text).replace(" tip: ", "; ");
    format!("{text} (see slareport --help)")
}

/// Writes a command's output. A reader that stopped reading (`| head`) is not an error:
/// the rest is dropped and the command ends as it would have.
fn to_stdout(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(_) => {
            eprintln!("slareport: error: cannot write to standard output");
            std::process::exit(5);
        }
    }
}

#[global_allocator]
static ALLOCATOR: slareport::guard::MemoryGuard = slareport::guard::MemoryGuard;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help, --version, and no subcommand at all: clap's own text.
        Err(e) if !e.use_stderr() || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            e.exit()
        }
        Err(e) => {
            eprintln!("slareport: error: {}", terminal::one_line(&usage_error(&e)));
            std::process::exit(2);
        }
    };
    let now = chrono::Utc::now().timestamp();
    // Words coloured on a terminal (never in a pipe or a file, nor with NO_COLOR set).
    let paint = match &cli.command {
        Command::Verify(a) if !a.json => Some(terminal::Paint::Verify),
        Command::Run(_) => Some(terminal::Paint::Summary),
        _ => None,
    };
    match dispatch(cli.command, now) {
        Ok(outcome) => {
            let mut text = terminal::clean(&outcome.text);
            let to_terminal =
                if outcome.data.is_some() { std::io::stderr().is_terminal() } else { std::io::stdout().is_terminal() };
            if let Some(p) = paint.filter(|_| terminal::colour_wanted(to_terminal)) {
                text = terminal::paint(&text, p);
            }
            match outcome.data {
                Some(data) => {
                    eprint!("{text}");
                    to_stdout(&data);
                }
                None => to_stdout(text.as_bytes()),
            }
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
