//! Why a command failed, and its exit code: the one place both are defined (README
//! "Exit codes"). Typed errors of each layer convert into [`RunError`].

use crate::audit::history::HistoryError;
use crate::config::ConfigError;
use crate::load::InputError;
use crate::render::template::TemplateError;

/// `validate`: warnings only.
pub(crate) const WARNINGS_ONLY: i32 = 1;
/// `diff --exit-code`: there are restatements.
pub(crate) const RESTATED: i32 = 1;
/// `validate`: problems in the inputs (as a run would fail on them).
pub(crate) const PROBLEMS: i32 = 4;
/// `verify` found a check that failed.
pub(crate) const VERIFY_FAILED: i32 = 6;

/// Why a run failed; each maps to its own exit code.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("{0}")]
    Output(String),
    #[error(transparent)]
    History(#[from] HistoryError),
}

impl RunError {
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Usage(_) => 2,
            RunError::Config(_) | RunError::Template(_) => 3,
            RunError::Input(_) => 4,
            RunError::Output(_) | RunError::History(_) => 5,
        }
    }
}
