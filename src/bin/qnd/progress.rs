//! Progress bars for long work (`convert`, `vstack`, `diff`, `dump` of large
//! files), drawn on standard error only when it is a terminal: piped or
//! redirected, nothing is drawn, so scripts and tests see the same output
//! as without a bar.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Work smaller than this many bytes shows no bar (it is over before a bar
/// would be worth drawing).
pub const MIN_BYTES: u64 = 64 << 20;

/// A progress bar counting bytes of work done, or nothing at all.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar for `total` bytes of work described by `what`, drawn when
    /// standard error is a terminal and `total` is at least [`MIN_BYTES`];
    /// otherwise a progress that draws nothing.
    pub fn bytes(what: &str, total: u64) -> Progress {
        if total < MIN_BYTES || !std::io::stderr().is_terminal() {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar: Some(bar) }
    }

    /// A progress that draws nothing.
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// `bytes` more bytes of the work are done.
    pub fn add(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    /// The work is over: the bar is cleared from the terminal.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
