//! `qnd --safe [--timeout SECS] COMMAND ...`: run a command in a child
//! process (this program again, without `--safe` and `--timeout`), so that a crash or a
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

/// How often the child is looked at.
const POLL: Duration = Duration::from_millis(5);

/// How long `--safe` waits for its child: `None` for no limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeout(pub Option<Duration>);

/// Parse `--timeout SECS`: a number of seconds, 0 for no limit.
///
/// # Errors
/// A message for clap when `text` is not a number of seconds.
pub fn parse_timeout(text: &str) -> Result<Timeout, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && *s >= 0.0 && *s < 1e9)
        .ok_or_else(|| format!("not a number of seconds: {text:?}"))?;
    Ok(Timeout((secs > 0.0).then(|| Duration::from_secs_f64(secs))))
}

/// The command line of the child: `args` (the program name first) without
/// the program name and the options before the command (`--safe`,
/// `--timeout SECS`, `--timeout=SECS`).
pub fn child_args(args: &[OsString]) -> Vec<OsString> {
    let mut rest = args.iter().skip(1);
    let mut child = Vec::with_capacity(args.len());
    while let Some(arg) = rest.next() {
        match arg.to_str() {
            Some("--safe") => {}
            Some("--timeout") => {
                rest.next();
            }
            Some(a) if a.starts_with("--timeout=") => {}
            _ => {
                child.push(arg.clone());
                child.extend(rest.cloned());
                break;
            }
        }
    }
    child
}

/// Run the command line `args` (without the program name and `--safe`) in
/// a child process, waiting at most `timeout` for it.
pub fn run(timeout: Timeout, args: Vec<OsString>) -> Result<(), Failure> {
    let timeout = timeout.0;
    if args.first().and_then(|c| c.to_str()).is_none() {
        return Err(Failure::Usage("--safe: no command given".into()));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_child_gets_the_command() {
        let child = |a: &[&str]| child_args(&os(a));
        assert_eq!(child(&["qnd", "--safe", "ls", "a.h5"]), os(&["ls", "a.h5"]));
        assert_eq!(
            child(&["qnd", "--timeout", "5", "--safe", "dump", "--json", "x"]),
            os(&["dump", "--json", "x"])
        );
        assert_eq!(
            child(&["qnd", "--safe", "--timeout=0.5", "ls", "--timeout", "f"]),
            os(&["ls", "--timeout", "f"])
        );
    }

    #[test]
    fn timeouts() {
        assert_eq!(
            parse_timeout("30"),
            Ok(Timeout(Some(Duration::from_secs(30))))
        );
        assert_eq!(
            parse_timeout("0.5"),
            Ok(Timeout(Some(Duration::from_millis(500))))
        );
        assert_eq!(parse_timeout("0"), Ok(Timeout(None)));
        for bad in ["soon", "-1", "inf", "NaN", ""] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }
}
