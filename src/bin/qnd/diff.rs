//! `qnd diff A B [PATH] [--rtol R] [--atol A] [-q]`: compare two files of
//! any formats (through [`qnd::Differ`]) and print each difference by
//! path; exit 0 when equal, 1 when different, 2 on errors, as `diff` and
//! `cmp` do.

use std::io::IsTerminal;
use std::io::Write;
use std::path::PathBuf;

use crate::cli::{self, Failure};
use crate::progress::Progress;

const AFTER_HELP: &str = "\
Examples:
  qnd diff run.h5 run.nc                   # a file and its conversion
  qnd diff run.h5 ref.h5 /fields --rtol 1e-12
  qnd diff -q 'run%d.h5' run.h5 && echo same

Output: one line per difference, by item path, for example
  /g/x: values differ at [3, 1]: 1.5 vs 1.25 (2 of 120 elements; max abs 0.25, max rel 0.2)
  /g/y: only in B
  /t: record count differs: 10 vs 12
  /t: attribute units differs: \"s\" vs \"ms\"
A is the first file, B the second. Values: how many elements differ, the
first that does (n-d index; the record first for record variables), the two
values there, and the largest absolute and relative (|a - b| / |b|)
difference. Other lines: kind, dtype, shape, record count, list length,
attribute. Record variables and lists compare the records (elements) both
hold. Numbers of two numeric dtypes are compared as values (and the dtype
difference reported). Links are followed; qnd's own attributes (__*) are
not reported. Nothing is read whole: leaves are compared in blocks of a
few MiB.

Tolerance: two numbers are equal when |a - b| <= ATOL + RTOL * |b|
(numpy.isclose); by default exactly. NaN equals NaN; infinities equal only
themselves. Bool and text are always compared exactly.

Exit status: 0 when the files are equal (within the tolerance), 1 when they
differ, 2 on an error (a missing or unreadable file, no PATH in either
file, a wrong command line).";

/// Compare two files (any formats: HDF5, netCDF-3 or -4, families) and
/// print each difference by path.
#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct DiffArgs {
    /// The first file (A).
    pub a: PathBuf,
    /// The second file (B).
    pub b: PathBuf,
    /// Compare only this item (and everything under it), a path from each
    /// root such as /fields/rho or lst[2]. An item in one file only is a
    /// difference; in neither, an error.
    pub path: Option<String>,
    /// Relative tolerance: numbers are equal when |a - b| <= ATOL + RTOL * |b|.
    #[arg(long, value_name = "RTOL", default_value_t = 0.0, value_parser = tolerance, allow_hyphen_values = true)]
    pub rtol: f64,
    /// Absolute tolerance (see --rtol).
    #[arg(long, value_name = "ATOL", default_value_t = 0.0, value_parser = tolerance, allow_hyphen_values = true)]
    pub atol: f64,
    /// Print nothing, and stop at the first difference: only the exit
    /// status tells (0 equal, 1 different).
    #[arg(short, long)]
    pub quiet: bool,
}

/// A tolerance: a finite number >= 0.
fn tolerance(text: &str) -> Result<f64, String> {
    let x: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(format!("{text:?}: a tolerance must be finite and >= 0"))
    }
}

/// An error of the comparison: said on stderr, exit status 2 (1 means
/// "different").
fn error(e: &qnd::Error) -> Failure {
    let _ = writeln!(std::io::stderr(), "qnd: {}", qnd::error_chain(e));
    Failure::Exit(2)
}

/// `qnd diff`.
pub fn run(args: DiffArgs) -> Result<(), Failure> {
    let a = qnd::open(&args.a, qnd::Mode::Read).map_err(|e| error(&e))?;
    let b = qnd::open(&args.b, qnd::Mode::Read).map_err(|e| error(&e))?;
    let found = {
        let mut differ = qnd::Differ::new()
            .rtol(args.rtol)
            .atol(args.atol)
            .first_only(args.quiet);
        if std::io::stderr().is_terminal() {
            // The bar appears for work of 64 MiB or more (Progress decides).
            let mut bar: Option<Progress> = None;
            let mut shown = 0;
            differ = differ.on_progress(move |done, total| {
                let bar = bar.get_or_insert_with(|| Progress::bytes("diff", total));
                bar.add(done.saturating_sub(shown));
                shown = done;
            });
        }
        match &args.path {
            Some(path) => differ.diff_path(&a, &b, path),
            None => differ.diff(&a, &b),
        }
        .map_err(|e| error(&e))?
    };
    if found.is_empty() {
        return Ok(());
    }
    if !args.quiet {
        // A reader that went away early (`| head -1`) still gets status 1.
        match cli::print(&found.to_string()) {
            Ok(()) | Err(Failure::Closed) => {}
            Err(other) => return Err(other),
        }
    }
    Err(Failure::Exit(1))
}
