//! What every command shares: failures and their exit codes, opening a
//! file, writing to stdout. (clap parses the command line: see main.rs.)

use std::io::{self, Write};
use std::path::Path;

/// The exit status of `dump` and `convert` when they did all they could
/// but left out items qnd has no kind for (each named on stderr): not 0,
/// so that a script notices, and not 1 (nothing failed) or 2 (the command
/// line).
pub const LEFT_OUT: u8 = 3;

/// Why a command stopped.
#[derive(Debug)]
pub enum Failure {
    /// The command line is wrong: message, exit code 2. A command's own
    /// message (say `give --classic or --64bit-offset, not both`) is shown
    /// as clap shows its usage errors, with the command's usage line.
    Usage(String),
    /// The command failed: message, exit code 1.
    Error(String),
    /// stdout was closed by its reader (`qnd dump ... | head`): stop
    /// quietly.
    Closed,
    /// Exit with this code, saying nothing more (`--safe`: the child
    /// process already said why).
    Exit(u8),
}

impl From<qnd::Error> for Failure {
    fn from(e: qnd::Error) -> Failure {
        Failure::Error(qnd::error_chain(&e))
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Error(format!("writing the output: {}", qnd::error_chain(&e)))
        }
    }
}

/// Open `file` read-only.
///
/// # Errors
/// As [`qnd::open`].
pub fn open_read(file: &Path) -> Result<qnd::QGroup, Failure> {
    Ok(qnd::open(file, qnd::Mode::Read)?)
}

/// Write `text` to stdout.
///
/// # Errors
/// [`Failure::Closed`] when the reader went away, else [`Failure::Error`].
pub fn print(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
