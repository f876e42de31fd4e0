//! `qnd`: look at HDF5 and netCDF files as a tree of groups, lists and
//! leaves from the command line. Run `qnd --help` for the commands.

mod cli;
mod convert;
mod dump;
mod ls;
mod pick;
mod plot;
mod progress;
mod recover;
mod safe;
mod vstack;

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use cli::{Args, Failure};

const USAGE: &str = "\
qnd: look at HDF5 and netCDF files as a tree of groups, lists and leaves

Usage:
  qnd ls FILE [PATH] [-r]    list the members of PATH (default: the root /)
  qnd dump --json FILE       print the whole file as one JSON value
  qnd convert SRC DST        copy SRC into a new file DST (--classic or
                             --64bit-offset: a netCDF-3 DST)
  qnd vstack OUT NAME SRC:PATH... [--axis N]
                             join datasets PATH of files SRC along axis N
                             into virtual dataset NAME of OUT, copying
                             no data
  qnd recover FILE           check and repair a file its writer did not
                             close (crashed or killed); see
                             `qnd recover --help`
  qnd --safe [--timeout SECS] COMMAND ...
                             run COMMAND in a child process: a crash or a
                             hang there is an error naming the file
  qnd help                   print this help (also -h, --help)
  qnd --version              print the version

ls prints one line per member: its name, its kind, and details.
  NAME  group    N members
  NAME  list     N elements
  NAME  leaf     DTYPE SHAPE        e.g. f8 [2, 3]; i4 [] is a scalar
  NAME  records  DTYPE SHAPE x N    a record variable: N records of SHAPE
  NAME  none
  For netCDF the dimension names follow: f8 [2, 3] (_2, _3), or for a
  record variable f8 [3] x 5 (_0, _3) (_0 is the record dimension).
  DTYPE is numpy's code: i1 i2 i4 i8 u1 u2 u4 u8 f4 f8 (the digit is the
  size in bytes), b1 for bool, str for text. Names are padded to line up.
  PATH names a member from the root: g/inner, with [i] for element i of a
  list (lst[2]/q) or record i of a record variable (time[0]). PATH may be
  a leaf, which lists just that leaf. Elements of a list are named [0], [1].
  -r, --recursive: list everything below PATH too (the members of groups
  and the elements of lists, not the records of record variables), each
  named by its full path from the root: /g, /g/inner, /lst[2]/q.

dump --json prints the file read whole with goto off, in the schema of
  `qnd dump --json` (spec/dump-json.md): a group is an object, a list or a
  record variable an array, None null, a leaf {\"dtype\", \"shape\", \"data\"}.
  A member that cannot be read (larger than the read limit, a quarter of
  the memory, or damaged) is printed as null, its error goes to stderr,
  the rest is printed, and the exit status is 1.

convert opens SRC read-only and copies every member and attribute into DST,
  which is created (an existing DST is replaced) in the format of its
  extension (.h5 .hdf5 .hdf .he5: HDF5; .nc .nc4 .cdf: netCDF-4; any other:
  HDF5). Groups, lists, record variables and None keep what they are. If
  the copy fails, the partial DST is removed.
  --classic, --64bit-offset: make a netCDF DST netCDF-3 (classic, or with
  64-bit offsets for files over 2 GiB). netCDF-3 has no groups, no lists
  and no unsigned or 64-bit integers: a SRC holding any is refused, listing
  them, and DST is left alone.

vstack stores in OUT (an HDF5 file; created if it does not exist, else
  added to) an HDF5 virtual dataset NAME (a path: missing groups are
  created) that is the concatenation of the datasets along axis N (default
  0; negative counts from the end). Only the mappings are written: reading
  NAME reads the sources, which must stay where they are (or move together
  with OUT: HDF5 looks for a source next to OUT when its path is gone).
  SRC:PATH is a file and a dataset in it, split at the last colon, as in
  run1.h5:/fields/rho. The sources must share their dtype and their
  lengths on every other axis; a mismatch is named. Source file names are
  stored as absolute paths, a source in OUT itself as \".\". h5py reads NAME
  as an ordinary dataset; here, reading a part whose source file is missing
  is an error naming it.

--safe runs the command in a child process (this program again) and waits
  at most SECS seconds (default 30; 0: no limit) for it. Its output and
  exit status pass through; a child killed by a signal (a crash inside
  the HDF5 or netCDF-C library on a damaged file) or one that runs past
  the limit (it is killed) is an error naming the file and the signal or
  the timeout, exit status 1.

Exit status: 0 on success, 1 when a command fails (missing file, not an
HDF5 or netCDF file, no such PATH, ...), 2 for a wrong command line.
";

fn main() -> ExitCode {
    match run(std::env::args_os().skip(1).collect()) {
        Ok(()) | Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Error(message)) => {
            let _ = writeln!(io::stderr(), "qnd: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Exit(code)) => ExitCode::from(code),
        Err(Failure::Usage(message)) => {
            let _ = writeln!(io::stderr(), "qnd: {message}\nTry 'qnd --help'.");
            ExitCode::from(2)
        }
    }
}

/// Run the command in `args` (the arguments after the program name).
fn run(mut args: Vec<OsString>) -> Result<(), Failure> {
    if args.is_empty() {
        return Err(Failure::Usage("no command given".into()));
    }
    let command = args.remove(0);
    match command.to_str() {
        Some("help" | "-h" | "--help") => cli::print(USAGE),
        Some("-V" | "--version") => cli::print(&format!("qnd {}\n", env!("CARGO_PKG_VERSION"))),
        Some("ls") => ls::run(Args::parse(args, &["-r", "--recursive"])?),
        Some("dump") => dump::run(&Args::parse(args, &["--json"])?, USAGE),
        Some("--safe") => safe::run(args),
        Some("convert") => convert::run(&Args::parse(args, convert::FLAGS)?),
        Some("vstack") => vstack::run(args),
        Some("plot") => plot::main_glue(args),
        Some("recover") => recover::run(&Args::parse(args, &[])?),
        _ => Err(Failure::Usage(format!(
            "unknown command {}",
            command.to_string_lossy()
        ))),
    }
}
