//! Shell conventions: completions, the man page, `--json`, `diff --exit-code`, the diff
//! CSV's numeric columns, colour only on terminals, `--config -`.

use clap::CommandFactory;

use crate::workdir::Workdir;

/// Every subcommand name, from the command-line definition itself.
fn subcommands() -> Vec<String> {
    let names: Vec<String> =
        slareport::cli::Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
    assert!(names.len() >= 10 && names.iter().any(|n| n == "verify"), "{names:?}");
    names
}

#[test]
fn bash_completion_names_every_subcommand() {
    let w = Workdir::new();
    let r = w.run(&["completions", "bash"]);
    r.assert_ok();
    let script = r.stdout();
    assert!(script.contains("complete -F _slareport"), "{script}");
    for name in subcommands() {
        assert!(script.contains(&format!("slareport,{name})")), "bash completion lacks {name}");
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let r = w.run(&["completions", shell]);
        r.assert_ok();
        assert!(r.stdout().contains("verify"), "{shell}: {}", r.stdout());
    }
    w.run(&["completions", "tcsh"]).assert_error(2, "invalid value 'tcsh'");
}

#[test]
fn man_page_is_roff_and_names_the_subcommands() {
    let w = Workdir::new();
    let r = w.run(&["man"]);
    r.assert_ok();
    let page = r.stdout();
    assert!(page.lines().any(|l| l.starts_with(".TH slareport 1")), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for name in subcommands() {
        assert!(page.contains(&format!("slareport\\-{name}(1)")), "man page lacks {name}");
    }
}
