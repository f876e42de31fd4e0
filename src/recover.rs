//! Recovery of a file whose writer did not close it (it crashed, was
//! killed, or ran out of disk): [`recover`], also `qnd recover FILE`.
//!
//! Recovery takes qnd's writer lock (so it refuses a file a live writer
//! has), checks the file, repairs only what is safe to repair, and says
//! everything it found and did in the [`Recovery`] report:
//!
//! - HDF5 and netCDF-4: status flags left set by the writer are cleared
//!   and the superblock checksum rewritten (as HDF5's `h5clear -s` does);
//!   a file shorter than the end-of-file address its superblock stores is
//!   extended to it (with zeros): extending it to the stored length
//!   recovers every flushed record.
//! - netCDF-3: a header whose record count exceeds the records the file
//!   wholly holds gets the count of complete records (the records cut off
//!   were never completely written).
//!
//! Then the file is opened read-only with its library and every leaf is
//! read whole (every record of a record variable); what does not read is
//! listed, and for a record variable, which records do not. Nothing is
//! deleted or rewritten beyond the fields named above.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{error_chain, Error, Result};
use crate::file::lock::{LibraryLock, WriterLock};
use crate::file::{self, Format, Mode};
use crate::tree::{Item, QGroup, QList};
use crate::values::Value;

/// What [`recover`] found in a file and did to it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recovery {
    /// The file.
    pub file: PathBuf,
    /// Its format as found: `HDF5`, `netCDF-4`, `netCDF-3`.
    pub format: String,
    /// What was found wrong (empty for a file closed properly).
    pub found: Vec<String>,
    /// What was changed in the file, in order (empty when nothing was).
    pub repairs: Vec<String>,
    /// Problems seen and left alone (not safe to repair here).
    pub unrepaired: Vec<String>,
    /// How many leaves (and record variables) were read back whole.
    pub leaves_read: usize,
    /// What does not read after the repairs: the item path and the error.
    pub unreadable: Vec<(String, String)>,
    /// Leaves too large to read back whole (more than
    /// [`OpenOptions::max_read_bytes`](crate::OpenOptions::max_read_bytes),
    /// say a huge leaf declared and never written), and items qnd has no
    /// kind for ([`Kind::Other`](crate::Kind::Other), never read), not
    /// checked: the item path and why. They do not make the file
    /// unreadable.
    pub unchecked: Vec<(String, String)>,
}

impl Recovery {
    /// True when every leaf of the file reads (after the repairs) and no
    /// problem was left alone.
    pub fn is_readable(&self) -> bool {
        self.unreadable.is_empty() && self.unrepaired.is_empty()
    }

    /// True when the file was changed.
    pub fn repaired(&self) -> bool {
        !self.repairs.is_empty()
    }
}

impl fmt::Display for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {} file", self.file.display(), self.format)?;
        if self.found.is_empty() {
            writeln!(f, "found: nothing wrong in its header")?;
        }
        for x in &self.found {
            writeln!(f, "found: {x}")?;
        }
        for x in &self.repairs {
            writeln!(f, "repaired: {x}")?;
        }
        for x in &self.unrepaired {
            writeln!(f, "not repaired: {x}")?;
        }
        writeln!(
            f,
            "checked: {} leaves read whole, {} items do not read",
            self.leaves_read,
            self.unreadable.len()
        )?;
        for (path, e) in &self.unreadable {
            writeln!(f, "does not read: {path}: {e}")?;
        }
        for (path, e) in &self.unchecked {
            writeln!(f, "not checked: {path}: {e}")?;
        }
        Ok(())
    }
}

/// Check and repair the file at `path`, left by a writer that did not
/// close it (crashed, killed, or out of disk), then read every leaf to
/// check it. Every change is listed in the report.
///
/// Taking qnd's writer lock (and, for HDF5's sake, a `flock()` lock), it
/// refuses a file that a live writer has open. It repairs only:
///
/// - HDF5 and netCDF-4: status flags left set by the writer are cleared
///   and the superblock checksum rewritten (as HDF5's `h5clear -s` does);
///   a file shorter than the end-of-file address its superblock stores is
///   extended to it with zeros: extending it to the stored length
///   recovers every flushed record.
/// - netCDF-3: a record count larger than the records the file wholly
///   holds is lowered to the complete records.
///
/// Then the file is opened read-only and every leaf read whole; what does
/// not read is listed ([`Recovery::unreadable`]), for a record variable
/// with the records that do not read. A superblock whose checksum is wrong
/// is left alone ([`Recovery::unrepaired`]).
///
/// A file family (a name with `%d`, see
/// [`OpenOptions::family_size`](crate::OpenOptions::family_size)) has its
/// superblock, whose flags are cleared, in its first member, which is
/// locked; its length is not checked here (opening it checks that no
/// member is missing). The first member named alone is refused.
///
/// ```no_run
/// let report = qnd::recover("run.h5")?;
/// print!("{report}");
/// let f = qnd::open("run.h5", "r")?;
/// # Ok::<(), qnd::Error>(())
/// ```
///
/// # Errors
/// [`Error::NoFile`]; [`Error::InUse`] when a live writer has the file
/// (nothing is changed); [`Error::Format`] for a file that is neither HDF5
/// nor netCDF, or the first member of a family named alone; [`Error::Io`]
/// when it cannot be read or written. What does not read after the repairs
/// is not an error: it is in the report, as are leaves too large to read
/// back whole ([`Recovery::unchecked`]).
pub fn recover(path: impl AsRef<Path>) -> Result<Recovery> {
    // a family: its first member holds the superblock; no length check
    let named = file::resolve(path.as_ref())?;
    let (path, first) = (named.name.as_path(), named.first.as_path());
    if !first.exists() {
        return Err(Error::NoFile { file: path.into() });
    }
    let io = |source| Error::Io {
        file: path.into(),
        source,
    };
    let mut report = Recovery {
        file: path.into(),
        ..Recovery::default()
    };
    let mut format = match named.family {
        true => Format::Hdf5,
        false => file::detect_format(path)?,
    };
    {
        let lock = WriterLock::acquire(first, Mode::ReadWrite, false)?;
        // and HDF5's, against programs that do not take qnd's
        let _library = LibraryLock::acquire(first, &lock)?;
        if !lock.locked() {
            report.found.push(
                "this file system has no file locks: a live writer could not be ruled out".into(),
            );
        }
        let mut f = lock.file();
        let mut head = [0u8; 4];
        let n = f.read(&mut head).map_err(io)?;
        if head[..n].starts_with(b"CDF") {
            report.format = "netCDF-3".into();
            format = Format::NetCdf;
            repair_classic(f, &mut report).map_err(io)?;
        } else if format == Format::Pdb {
            // qnd writes no PDB file, so it leaves none to repair: only
            // the check below
            report.format = "PDB".into();
        } else {
            report.format = match format {
                Format::NetCdf => "netCDF-4".into(),
                other => other.to_string(),
            };
            repair_hdf5(f, named.family, &mut report).map_err(io)?;
        }
        if report.repaired() {
            f.sync_all().map_err(io)?;
        }
    } // unlocked: the check below opens the file read-only
    check(path, format, &mut report);
    Ok(report)
}

/// Clear HDF5 status flags and extend a short file, as the superblock says.
#[cfg(feature = "hdf5")]
fn repair_hdf5(mut f: &File, family: bool, report: &mut Recovery) -> std::io::Result<()> {
    use file::superblock::{clear_flags, Superblock};
    let sb = match Superblock::read(&mut f) {
        Ok(Some(sb)) => sb,
        Ok(None) => {
            report.format = format!("{} by its name", report.format);
            report.unrepaired.push(
                "neither an HDF5 superblock nor a netCDF-3 header was found: nothing to repair"
                    .into(),
            );
            return Ok(());
        }
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            report
                .unrepaired
                .push(format!("the HDF5 superblock cannot be read: {e}"));
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    report.format = format!("{} (superblock version {})", report.format, sb.version);
    if !sb.checksum_ok() {
        let (stored, computed) = sb.checksum.unwrap_or_default();
        report.unrepaired.push(format!(
            "the superblock checksum is wrong (stored {stored:#010x}, its bytes give \
             {computed:#010x}): the superblock is damaged; nothing changed in it"
        ));
    } else if sb.flags != 0 {
        report.found.push(format!(
            "status flags set ({}): the writer did not close the file",
            sb.describe_flags()
        ));
        clear_flags(&mut f)?;
        report.repairs.push(if sb.version >= 2 {
            "cleared the status flags and rewrote the superblock checksum".into()
        } else {
            "cleared the status flags".into()
        });
    }
    if family {
        // its length is that of all its members: checked when opened
        return Ok(());
    }
    let len = f.metadata()?.len();
    if sb.flagged() && sb.checksum_ok() && sb.end_of_file().is_some_and(|eof| eof < len) {
        // a crashed SWMR writer can leave an end older than the data its
        // flushed chunk indexes point to (HDF5: "addr overflow")
        if let Some(old) = file::superblock::raise_end_of_file(&mut f, len)? {
            report.found.push(format!(
                "the superblock's end of file ({old}) is before the file's end ({len}): \
                 a writer killed during a flush can leave it so"
            ));
            report.repairs.push(format!(
                "raised the superblock's end of file from {old} to {len} bytes, as \
                 h5clear --increment does, so that every flushed record reads"
            ));
        }
    }
    if let Some(eof) = sb.end_of_file() {
        if len < eof {
            report.found.push(format!(
                "the file is {len} bytes long but its superblock says {eof}: \
                 its writer stopped before writing its end"
            ));
            f.set_len(eof)?;
            report.repairs.push(format!(
                "extended the file from {len} to {eof} bytes, the length its superblock \
                 stores (the missing bytes read as zeros): extending it to the stored \
                 length recovers every flushed record"
            ));
        }
    }
    Ok(())
}

#[cfg(not(feature = "hdf5"))]
fn repair_hdf5(_f: &File, _family: bool, report: &mut Recovery) -> std::io::Result<()> {
    report
        .unrepaired
        .push("this build of qnd has no HDF5: the superblock was not checked".into());
    Ok(())
}

/// Lower a netCDF-3 record count that exceeds the complete records.
#[cfg(feature = "netcdf")]
fn repair_classic(mut f: &File, report: &mut Recovery) -> std::io::Result<()> {
    use file::classic;
    use std::io::{Seek, SeekFrom, Write};
    let len = f.metadata()?.len();
    let mut head = Vec::new();
    f.seek(SeekFrom::Start(0))?;
    f.take(1 << 22).read_to_end(&mut head)?;
    let Some(h) = classic::Header::parse(&head) else {
        report.unrepaired.push(
            "the header cannot be read (cut short, streaming, or not understood here)".into(),
        );
        return Ok(());
    };
    if len < h.fixed_end {
        report.unrepaired.push(format!(
            "the file is {len} bytes long but its fixed-size variables need {}: \
             not repaired (their data was never written)",
            h.fixed_end
        ));
    }
    let held = h.complete_records(len);
    if h.numrecs > held {
        report.found.push(format!(
            "the header counts {} records but the file holds only {held} complete ones",
            h.numrecs
        ));
        f.seek(SeekFrom::Start(4))?;
        if h.cdf5 {
            f.write_all(&held.to_be_bytes())?;
        } else {
            // held < numrecs, which fits in 32 bits
            f.write_all(&(held as u32).to_be_bytes())?;
        }
        f.flush()?;
        report.repairs.push(format!(
            "set the record count from {} to {held}: the records after it were cut \
             off before they were completely written",
            h.numrecs
        ));
    }
    Ok(())
}

#[cfg(not(feature = "netcdf"))]
fn repair_classic(_f: &File, report: &mut Recovery) -> std::io::Result<()> {
    report
        .unrepaired
        .push("this build of qnd has no netCDF: the header was not checked".into());
    Ok(())
}

/// Open the file read-only and read every leaf, noting what does not read.
fn check(path: &Path, format: Format, report: &mut Recovery) {
    let options = crate::OpenOptions {
        format: Some(format),
        ..crate::OpenOptions::new(Mode::Read)
    };
    match crate::open_with(path, &options) {
        Ok(root) => {
            check_group(&root, &mut Vec::new(), report);
            if let Err(e) = root.close() {
                report.unreadable.push(("/".into(), error_chain(&e)));
            }
        }
        Err(e) => report.unreadable.push(("/".into(), error_chain(&e))),
    }
}

/// Check every member of `g`, recursively. `above` holds the groups on the
/// path to `g`: a member that is one of them (a hard link to a group that
/// holds it: a cycle) is checked once, not followed.
fn check_group(g: &QGroup, above: &mut Vec<QGroup>, report: &mut Recovery) {
    if above.iter().any(|a| a.is_same(g)) {
        return;
    }
    above.push(g.clone());
    check_members(g, above, report);
    above.pop();
}

fn check_members(g: &QGroup, above: &mut Vec<QGroup>, report: &mut Recovery) {
    let names = match g.names() {
        Ok(n) => n,
        Err(e) => return report.unreadable.push((g.path().into(), error_chain(&e))),
    };
    for name in names {
        let path = crate::file::join(g.path(), &name);
        match g.item(&name) {
            Ok(item) => check_item(item, &path, above, report),
            Err(e) => not_read(e, path, report),
        }
    }
}

/// Item `path` that gave `e` instead of a handle: an item qnd has no kind
/// for is not checked (it is never read), anything else does not read.
fn not_read(e: Error, path: String, report: &mut Recovery) {
    match e {
        Error::Unreadable { what, .. } => report
            .unchecked
            .push((path, format!("{what}: qnd has no kind for it"))),
        e => report.unreadable.push((path, error_chain(&e))),
    }
}

fn check_item(item: Item, path: &str, above: &mut Vec<QGroup>, report: &mut Recovery) {
    match item {
        Item::Group(g) => check_group(&g, above, report),
        Item::List(l) if l.is_records() => check_records(&l, path, report),
        Item::List(l) => check_list(&l, path, above, report),
        Item::Leaf(leaf) => match leaf.read::<Value>() {
            Ok(_) => report.leaves_read += 1,
            Err(e @ Error::TooLarge { .. }) => {
                report.unchecked.push((path.into(), error_chain(&e)));
            }
            Err(e) => report.unreadable.push((path.into(), error_chain(&e))),
        },
        Item::Value(..) => {}
    }
}

fn check_list(l: &QList, path: &str, above: &mut Vec<QGroup>, report: &mut Recovery) {
    l.set_auto(crate::Auto::Off);
    let n = match l.len() {
        Ok(n) => n,
        Err(e) => return report.unreadable.push((path.into(), error_chain(&e))),
    };
    for i in 0..n {
        let at = format!("{path}[{i}]");
        match l.get(i as isize) {
            Ok(item) => check_item(item, &at, above, report),
            Err(e) => not_read(e, at, report),
        }
    }
}

/// A record variable: read whole; if that fails, record by record, and
/// name the records that do not read (as ranges).
fn check_records(l: &QList, path: &str, report: &mut Recovery) {
    let whole = l.as_array().and_then(|a| a.read::<Value>());
    if whole.is_ok() {
        report.leaves_read += 1;
        return;
    }
    let n = match l.len() {
        Ok(n) => n,
        Err(e) => return report.unreadable.push((path.into(), error_chain(&e))),
    };
    l.set_auto(crate::Auto::Off);
    let mut bad: Vec<(usize, usize, String)> = Vec::new();
    for i in 0..n {
        let r = l.get(i as isize).and_then(|item| item.into_value());
        if let Err(e) = r {
            match bad.last_mut() {
                Some((_, end, _)) if *end + 1 == i => *end = i,
                _ => bad.push((i, i, error_chain(&e))),
            }
        }
    }
    if bad.is_empty() {
        match whole {
            // each record reads, the whole is only too large to read at once
            Err(Error::TooLarge { .. }) => report.leaves_read += 1,
            // each record reads, but not the whole: say so
            Err(e) => report.unreadable.push((path.into(), error_chain(&e))),
            Ok(_) => {}
        }
        return;
    }
    let count: usize = bad.iter().map(|(a, b, _)| b - a + 1).sum();
    let ranges: Vec<String> = bad
        .iter()
        .map(|(a, b, _)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}..={b}")
            }
        })
        .collect();
    report.unreadable.push((
        path.into(),
        format!(
            "{count} of {n} records do not read (records {}): {}",
            ranges.join(", "),
            bad[0].2
        ),
    ));
}
