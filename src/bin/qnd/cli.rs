//! What every command shares: argument splitting, failures and their exit
//! codes, writing to stdout.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a command stopped.
#[derive(Debug)]
pub enum Failure {
    /// The command line is wrong: message, exit code 2.
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

/// A command's arguments: the operands in order, and which of the flags it
/// knows were given.
pub struct Args {
    /// Operands (files, paths).
    pub operands: Vec<OsString>,
    flags: Vec<&'static str>,
}

impl Args {
    /// Split `args` into operands and flags; every flag must be one of
    /// `known` (`-h` and `--help` always are). After `--` everything is an
    /// operand, and so is `-` alone.
    pub fn parse(args: Vec<OsString>, known: &[&'static str]) -> Result<Args, Failure> {
        let mut operands = Vec::new();
        let mut flags = Vec::new();
        let mut only_operands = false;
        for arg in args {
            let text = arg.to_str();
            match text {
                Some("--") if !only_operands => only_operands = true,
                Some(t) if !only_operands && t.starts_with('-') && t != "-" => {
                    let flag = ["-h", "--help"]
                        .iter()
                        .chain(known)
                        .find(|k| **k == t)
                        .ok_or_else(|| Failure::Usage(format!("unknown option {t}")))?;
                    flags.push(*flag);
                }
                _ => operands.push(arg),
            }
        }
        Ok(Args { operands, flags })
    }

    /// True when any of `names` was given.
    pub fn has(&self, names: &[&str]) -> bool {
        self.flags.iter().any(|f| names.contains(f))
    }

    /// True when help was asked for.
    pub fn help(&self) -> bool {
        self.has(&["-h", "--help"])
    }

    /// The operands, which must number between `min` and `max`.
    ///
    /// # Errors
    /// [`Failure::Usage`] naming the command.
    pub fn operands(&self, command: &str, min: usize, max: usize) -> Result<&[OsString], Failure> {
        let n = self.operands.len();
        if n < min {
            return Err(Failure::Usage(format!("{command}: missing operand")));
        }
        if n > max {
            let extra = self.operands[max].to_string_lossy();
            return Err(Failure::Usage(format!(
                "{command}: unexpected operand {extra}"
            )));
        }
        Ok(&self.operands)
    }
}

/// A file operand as a path.
pub fn path(arg: &OsString) -> PathBuf {
    PathBuf::from(arg)
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
