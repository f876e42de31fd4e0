//! `qnd recover FILE`: check and repair a file left by a writer that did
//! not close it (see [`qnd::recover`]).

use crate::cli::{self, Args, Failure};

/// What `qnd recover --help` prints.
pub const USAGE: &str = "\
Usage: qnd recover FILE

Check and repair FILE, left by a writer that did not close it (crashed,
killed, or out of disk space), then read every leaf back. Refused while
a writer has FILE open. Only what is safe is repaired, and every change
is printed:
  HDF5, netCDF-4: status flags left set by the writer are cleared (the
    superblock checksum rewritten); a file shorter than its superblock
    says is extended to that length, which recovers every flushed record.
  netCDF-3: a record count larger than the records the file wholly holds
    is lowered to the complete records.
Then each leaf that does not read is listed (for a record variable, which
records). Exit status 0 when everything reads, 1 otherwise.
";

/// `qnd recover FILE`.
pub fn run(args: &Args) -> Result<(), Failure> {
    if args.help() {
        return cli::print(USAGE);
    }
    let files = args.operands("recover", 1, 1)?;
    let report = qnd::recover(cli::path(&files[0]))?;
    cli::print(&report.to_string())?;
    if report.is_readable() {
        Ok(())
    } else {
        Err(Failure::Error(format!(
            "{}: recovery left {} items that do not read and {} problems not repaired",
            report.file.display(),
            report.unreadable.len(),
            report.unrepaired.len()
        )))
    }
}
