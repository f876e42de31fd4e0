//! `qnd recover FILE`: check and repair a file left by a writer that did
//! not close it (see [`qnd::recover`]).

use std::path::PathBuf;

use crate::cli::{self, Failure};

/// Check and repair a file its writer did not close (crashed or killed)
///
/// FILE is one its writer left open: it crashed, was killed, or ran out of
/// disk space. Refused while a writer has FILE open. Only what is safe is
/// repaired, and every change is printed:
///   HDF5, netCDF-4: status flags left set by the writer are cleared (the
///     superblock checksum rewritten); a file shorter than its superblock
///     says is extended to that length, which recovers every flushed record.
///   netCDF-3: a record count larger than the records the file wholly holds
///     is lowered to the complete records.
/// Then every leaf is read back, and each that does not read is listed (for
/// a record variable, which records). Exit status 0 when everything reads,
/// 1 otherwise.
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    after_help = "\
Example:
  qnd recover run.h5
  qnd --safe recover run.nc       (netCDF-C may crash on a damaged file)"
)]
pub struct RecoverArgs {
    /// The HDF5 or netCDF file to check and repair.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `qnd recover FILE`.
pub fn run(args: RecoverArgs) -> Result<(), Failure> {
    let report = qnd::recover(&args.file)?;
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
