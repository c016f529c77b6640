//! Progress bars on a terminal (`indicatif`): files read (bytes or rows), customers
//! evaluated, PDFs written. Off unless the command line turns them on ([`enable`]), and
//! then drawn only when standard error is a terminal; never part of any output file.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::OnceLock;

static BARS: OnceLock<MultiProgress> = OnceLock::new();

/// Turns progress bars on for this process (a terminal command without `--quiet`).
pub(crate) fn enable() {
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let _ = BARS.set(MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(8)));
    }
}

/// A bar of `total` units (`bytes` shows sizes), or a hidden one when bars are off.
pub(crate) fn bar(label: &str, total: u64, bytes: bool) -> Bar {
    let Some(multi) = BARS.get() else { return Bar(None) };
    let template = if bytes {
        "{prefix:>12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {msg}"
    } else {
        "{prefix:>12} [{bar:30}] {human_pos}/{human_len} {per_sec} {msg}"
    };
    let style = ProgressStyle::with_template(template).expect("a valid template").progress_chars("=> ");
    let pb = multi.add(ProgressBar::new(total).with_style(style).with_prefix(label.to_string()));
    Bar(Some(pb))
}

/// One stage's bar; every call is a no-op when bars are off.
pub(crate) struct Bar(Option<ProgressBar>);

impl Bar {
    pub(crate) fn set(&self, pos: u64) {
        if let Some(b) = &self.0 {
            b.set_position(pos);
        }
    }

    pub(crate) fn inc(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
        }
    }

    pub(crate) fn message(&self, m: String) {
        if let Some(b) = &self.0 {
            b.set_message(m);
        }
    }

    /// Leaves the bar, complete, above the next one.
    pub(crate) fn done(self) {
        if let Some(b) = self.0 {
            b.finish();
        }
    }
}
