//! `qnd --safe [--timeout SECS] COMMAND ...`: run a command in a child
//! process (this program again, without `--safe`), so that a crash or a
//! hang inside a C library (netCDF-C and HDF5 crash or loop on some
//! damaged files) is reported as an error instead of taking the caller
//! down. The child's output and exit status pass through; a child killed
//! by a signal, or still running after the timeout (it is then killed),
//! is an error naming the file and the signal or the timeout.

use std::ffi::OsString;
use std::process::{Child, Command, ExitStatus};
use std::thread;
use std::time::{Duration, Instant};

use crate::cli::Failure;

/// How long a command may run under `--safe` unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the child is looked at.
const POLL: Duration = Duration::from_millis(5);

/// Run `qnd --safe` with `args` (what follows `--safe`).
pub fn run(mut args: Vec<OsString>) -> Result<(), Failure> {
    let timeout = take_timeout(&mut args)?;
    let Some(command) = args.first().and_then(|c| c.to_str()) else {
        return Err(Failure::Usage("--safe: no command given".into()));
    };
    if command == "--safe" {
        return Err(Failure::Usage("--safe given twice".into()));
    }
    let what = describe(&args);
    let exe = std::env::current_exe()
        .map_err(|e| Failure::Error(format!("--safe: cannot find this program: {e}")))?;
    let mut child = Command::new(exe)
        .args(&args)
        .spawn()
        .map_err(|e| Failure::Error(format!("--safe: cannot start a child process: {e}")))?;
    let status = wait(&mut child, timeout)
        .map_err(|e| Failure::Error(format!("{what}: --safe: waiting for the child: {e}")))?;
    match status {
        None => Err(Failure::Error(format!(
            "{what}: no answer after {} s (the child process was killed; \
             change the limit with qnd --safe --timeout SECS)",
            timeout.map_or(0.0, |t| t.as_secs_f64())
        ))),
        Some(status) => pass_through(&what, status),
    }
}

/// The exit status of the child, or `None` when it ran past `timeout` (it
/// is then killed).
fn wait(child: &mut Child, timeout: Option<Duration>) -> std::io::Result<Option<ExitStatus>> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if timeout.is_some_and(|t| start.elapsed() >= t) {
            child.kill()?;
            child.wait()?;
            return Ok(None);
        }
        thread::sleep(POLL);
    }
}

/// The child's exit status as this program's: its code, or an error for
/// a child killed by a signal.
fn pass_through(what: &str, status: ExitStatus) -> Result<(), Failure> {
    if let Some(code) = status.code() {
        // the child already printed its own message
        return match code {
            0 => Ok(()),
            code => Err(Failure::Exit(u8::try_from(code).unwrap_or(1))),
        };
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Err(Failure::Error(format!(
                "{what}: crashed (killed by signal {signal}{})",
                signal_name(signal)
                    .map(|n| format!(", {n}"))
                    .unwrap_or_default()
            )));
        }
    }
    Err(Failure::Error(format!(
        "{what}: ended abnormally ({status})"
    )))
}

/// The name of a few signals a crash or a kill gives.
#[cfg(unix)]
fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => return None,
    })
}

/// Take `--timeout SECS` (or `--timeout=SECS`) from the front of `args`:
/// the timeout, `None` for 0 (no timeout), [`DEFAULT_TIMEOUT`] when not
/// given.
fn take_timeout(args: &mut Vec<OsString>) -> Result<Option<Duration>, Failure> {
    let first = args.first().and_then(|a| a.to_str()).unwrap_or("");
    let value = if first == "--timeout" {
        if args.len() < 2 {
            return Err(Failure::Usage("--timeout: missing SECS".into()));
        }
        let v = args[1].to_string_lossy().into_owned();
        args.drain(..2);
        v
    } else if let Some(v) = first.strip_prefix("--timeout=") {
        let v = v.to_string();
        args.remove(0);
        v
    } else {
        return Ok(Some(DEFAULT_TIMEOUT));
    };
    let secs: f64 = value
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && *s >= 0.0 && *s < 1e9)
        .ok_or_else(|| Failure::Usage(format!("--timeout: not a number of seconds: {value}")))?;
    Ok((secs > 0.0).then(|| Duration::from_secs_f64(secs)))
}

/// What ran, for messages: the file (the first operand after the command)
/// and the command line.
fn describe(args: &[OsString]) -> String {
    let line = args
        .iter()
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    let file = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy())
        .find(|a| !a.starts_with('-'));
    match file {
        Some(f) => format!("{f} (qnd {line})"),
        None => format!("qnd {line}"),
    }
}
