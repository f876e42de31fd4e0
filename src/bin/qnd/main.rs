//! `qnd`: look at HDF5 and netCDF files as a tree of groups, lists and
//! leaves from the command line. Run `qnd --help` for the commands.

mod cli;
mod completions;
mod convert;
mod diff;
mod dump;
mod get;
mod ls;
mod pick;
mod plot;
mod progress;
mod recover;
mod safe;
mod show;
mod vstack;

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use cli::Failure;

/// Look at HDF5 and netCDF files as a tree of groups, lists and leaves.
#[derive(Parser, Debug)]
#[command(
    name = "qnd",
    version,
    subcommand_required = true,
    arg_required_else_help = true,
    after_help = "\
A FILE may name a family of files: 'run%d.h5' (quoted in the shell).
convert, dump, diff, plot and vstack draw a progress bar on stderr when
it is a terminal and the work is large (64 MiB of data, 64 source files);
piped or redirected, nothing is drawn.

Exit status: 0 on success, 1 when a command fails (missing file, not an
HDF5 or netCDF file, no such PATH, ...), 2 for a wrong command line, 3
when dump or convert left out items qnd has no kind for (`qnd ls` lists
them as `other`; each is named on stderr).

Example:
  qnd ls run.h5 fields -r
  qnd --safe --timeout 10 dump --json damaged.nc"
)]
struct Cli {
    /// Run COMMAND in a child process: a crash or a hang there is an error
    /// naming the file
    ///
    /// Run COMMAND in a child process (this program again) and wait for
    /// it: its output and exit status pass through; a child killed by a
    /// signal (a crash inside the HDF5 or netCDF-C library on a damaged
    /// file) or one that runs past the time limit (it is killed) is an
    /// error naming the file and the signal or the timeout, exit status 1.
    #[arg(long)]
    safe: bool,

    /// With --safe: wait at most SECS seconds for COMMAND (0: no limit)
    #[arg(
        long,
        value_name = "SECS",
        requires = "safe",
        default_value = "30",
        value_parser = safe::parse_timeout
    )]
    timeout: safe::Timeout,

    #[command(subcommand)]
    command: Command,
}

/// The commands, in the order `qnd --help` lists them. Each is
/// `Name(name::NameArgs)`, whose doc comment and `after_help` example make
/// `qnd name --help`, run by `name::run(args)` (one line in [`run`]).
#[derive(Subcommand, Debug)]
enum Command {
    Ls(ls::LsArgs),
    Dump(dump::DumpArgs),
    Convert(convert::ConvertArgs),
    Vstack(vstack::VstackArgs),
    Recover(recover::RecoverArgs),
    Diff(diff::DiffArgs),
    Get(get::GetArgs),
    Plot(plot::PlotArgs),
    Completions(completions::CompletionsArgs),
}

fn main() -> ExitCode {
    match run(std::env::args_os().collect()) {
        Ok(()) | Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Error(message)) => {
            let _ = writeln!(io::stderr(), "qnd: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Exit(code)) => ExitCode::from(code),
        // clap's message, or one rendered as clap renders its own
        Err(Failure::Usage(message)) => {
            let _ = writeln!(io::stderr(), "{}", message.trim_end());
            ExitCode::from(2)
        }
    }
}

/// Run the command line `args` (the program name first).
fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let matches = match Cli::command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => return Err(clap_failure(&e)),
    };
    let subcommand = matches.subcommand_name().map(str::to_string);
    let cli = Cli::from_arg_matches(&matches).map_err(|e| clap_failure(&e))?;
    let ran = match cli.command {
        _ if cli.safe => safe::run(cli.timeout, safe::child_args(&args)),
        Command::Ls(a) => ls::run(a),
        Command::Dump(a) => dump::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Vstack(a) => vstack::run(a),
        Command::Recover(a) => recover::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Get(a) => get::run(a),
        Command::Plot(a) => plot::run(a),
        Command::Completions(a) => completions::run(a, Cli::command()),
    };
    match ran {
        Err(Failure::Usage(message)) => Err(usage_error(subcommand.as_deref(), &message)),
        other => other,
    }
}

/// What clap's error `e` means here: help and version are printed to
/// stdout (success), a usage error to stderr (exit 2).
fn clap_failure(e: &clap::Error) -> Failure {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => match e.print() {
            Ok(()) => Failure::Exit(0),
            Err(io) => Failure::from(io),
        },
        _ => Failure::Usage(e.render().to_string()),
    }
}

/// A usage error a command found after clap (one clap cannot see, as two
/// arguments that do not fit together), rendered as clap renders its own,
/// with the command's usage line.
fn usage_error(subcommand: Option<&str>, message: &str) -> Failure {
    let mut top = Cli::command();
    top.build();
    let mut command = match subcommand.and_then(|s| top.find_subcommand_mut(s)) {
        Some(sub) => sub.clone(),
        None => top,
    };
    let e = command.error(clap::error::ErrorKind::ValueValidation, message);
    Failure::Usage(e.render().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
