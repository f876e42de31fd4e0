//! The backend factory: the one place in the tree that names a concrete
//! backend. Everything else sees [`Storage`](crate::backend::Storage) and
//! asks its capabilities.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use qnd_storage::MemoryStorage;

use super::Format;

use crate::backend::{Capabilities, NcFormat};
use crate::error::{Error, Result};
use crate::parallel::Lockstep;
/// The HDF5 superblock reader and patcher, for recovery.
#[cfg(feature = "hdf5")]
pub(crate) use qnd_hdf5::superblock;
/// The netCDF-3 header reader, for recovery.
#[cfg(feature = "netcdf")]
pub(crate) use qnd_netcdf::classic;

qnd_storage::dispatch_storage! {
    /// Every backend built into this crate, dispatched with one `match`.
    pub(crate) enum AnyStorage {
        Memory(MemoryStorage),
        #[cfg(feature = "hdf5")]
        Hdf5(qnd_hdf5::Hdf5Storage),
        #[cfg(feature = "netcdf")]
        Netcdf(qnd_netcdf::NetcdfStorage),
        #[cfg(feature = "pdb")]
        Pdb(qnd_pdb::PdbStorage),
        Synced(Box<super::synced::SyncedStorage>),
    }
}

/// What a new file of `format` can hold, `None` when this build has no
/// backend for it.
#[allow(unused_variables)] // which arguments are used depends on the features
pub(super) fn capabilities(format: Format, netcdf: NcFormat) -> Option<Capabilities> {
    match format {
        #[cfg(feature = "hdf5")]
        Format::Hdf5 => Some(qnd_hdf5::CAPABILITIES),
        #[cfg(feature = "netcdf")]
        Format::NetCdf => Some(qnd_netcdf::capabilities(netcdf)),
        #[cfg(feature = "pdb")]
        Format::Pdb => Some(qnd_pdb::CAPABILITIES),
        #[allow(unreachable_patterns)] // with every backend built in
        _ => None,
    }
}

/// How [`open_storage`] gets a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Making {
    /// Open the existing file.
    Open,
    /// Create the file, truncating an existing one.
    Truncate,
    /// Create the file, which must not exist.
    New,
}

/// The file (or family) [`open_storage`] opens.
#[derive(Debug)]
pub(super) struct Target<'a> {
    /// The name, for messages (a family's pattern as written).
    pub name: &'a Path,
    /// The file itself, or a family's first member.
    pub first: &'a Path,
    /// For a family: the pattern as HDF5 takes it, and the member size of
    /// a new family (`OpenOptions::family_size`).
    pub family: Option<(PathBuf, u64)>,
}

#[allow(unused_variables)] // which arguments are used depends on the features
pub(super) fn open_storage(
    target: &Target,
    format: Format,
    making: Making,
    writable: bool,
    live: bool,
    netcdf: NcFormat,
    parallel: Option<&Arc<Lockstep>>,
) -> Result<AnyStorage> {
    let Some(step) = parallel else {
        return open_serial(target, format, making, writable, live, netcdf);
    };
    let storage = open_parallel(target, format, making, writable, netcdf, step.comm())?;
    Ok(AnyStorage::from(Box::new(super::synced::SyncedStorage {
        inner: storage,
        step: step.clone(),
    })))
}

/// The storage of a file opened by every process of `comm` together: a
/// parallel HDF5 file through MPI-IO (feature `mpi`, an MPI communicator),
/// or, for a communicator of one process that is not MPI's, the file
/// opened as usual.
#[allow(unused_variables)] // which arguments are used depends on the features
fn open_parallel(
    target: &Target,
    format: Format,
    making: Making,
    writable: bool,
    netcdf: NcFormat,
    comm: &dyn crate::parallel::Comm,
) -> Result<AnyStorage> {
    #[cfg(feature = "mpi")]
    if let Some(raw) = comm.mpi() {
        let path = target.first;
        return match (format, &target.family) {
            (Format::Hdf5, None) => create_or_open(
                target,
                Format::Hdf5,
                "hdf5",
                making != Making::Open,
                || qnd_hdf5::Hdf5Storage::create_parallel(path, raw, making == Making::New),
                || qnd_hdf5::Hdf5Storage::open_parallel(path, writable, raw),
            ),
            _ => Err(refused_in_parallel(target, format)),
        };
    }
    if comm.size() > 1 {
        return Err(refused_in_parallel(target, format));
    }
    open_serial(target, format, making, writable, false, netcdf)
}

/// The error for a file that cannot be written by several processes.
fn refused_in_parallel(target: &Target, format: Format) -> Error {
    let what = match (format, &target.family) {
        (Format::Hdf5, Some(_)) => "an HDF5 file family".to_string(),
        (Format::Hdf5, None) => "an HDF5 file without MPI (build qnd with feature `mpi`)".into(),
        (other, _) => format!("a {other} file"),
    };
    Error::Format {
        file: target.name.into(),
        found: format!(
            "{what}: files written by several processes at once are single HDF5 files \
             (parallel HDF5, through MPI)"
        ),
    }
}

#[allow(unused_variables)] // which arguments are used depends on the features
fn open_serial(
    target: &Target,
    format: Format,
    making: Making,
    writable: bool,
    live: bool,
    netcdf: NcFormat,
) -> Result<AnyStorage> {
    let create = making != Making::Open;
    let new = making == Making::New;
    let path = target.first;
    match (format, &target.family) {
        #[cfg(feature = "hdf5")]
        (Format::Hdf5, Some((pattern, size))) => create_or_open(
            target,
            Format::Hdf5,
            "hdf5",
            create,
            || qnd_hdf5::Hdf5Storage::create_family(pattern, *size, new),
            || qnd_hdf5::Hdf5Storage::open_family(pattern, target.first, writable, *size),
        ),
        #[cfg(feature = "hdf5")]
        (Format::Hdf5, None) => create_or_open(
            target,
            Format::Hdf5,
            "hdf5",
            create,
            || {
                if new {
                    qnd_hdf5::Hdf5Storage::create_new(path)
                } else {
                    qnd_hdf5::Hdf5Storage::create(path)
                }
            },
            || {
                if live && !writable {
                    qnd_hdf5::Hdf5Storage::open_live(path)
                } else {
                    qnd_hdf5::Hdf5Storage::open(path, writable)
                }
            },
        ),
        #[cfg(feature = "pdb")]
        (Format::Pdb, Some((pattern, size))) if create => {
            use qnd_pdb::{snapshot::ByteOrder, PdbStorage};
            let at = crate::error::Where::new(target.name, "pdb", "/");
            let super::family::Name::Family(family) = super::family::Name::parse(pattern)? else {
                return Err(Error::Format {
                    file: target.name.into(),
                    found: "a PDB family name without %d".into(),
                });
            };
            let member = Box::new(move |i: usize| family.member(i as u64));
            PdbStorage::create_family(member, *size, ByteOrder::native(), new)
                .map(AnyStorage::from)
                .map_err(|e| at.storage(e))
        }
        (other, Some(_)) => Err(Error::Format {
            file: target.name.into(),
            found: format!("a file family of {other} files: families are HDF5 or PDB"),
        }),
        #[cfg(feature = "netcdf")]
        (Format::NetCdf, None) => create_or_open(
            target,
            Format::NetCdf,
            "netcdf",
            create,
            || {
                if new {
                    qnd_netcdf::NetcdfStorage::create_new(path, netcdf)
                } else {
                    qnd_netcdf::NetcdfStorage::create(path, netcdf)
                }
            },
            || qnd_netcdf::NetcdfStorage::open(path, writable),
        ),
        #[cfg(feature = "pdb")]
        (Format::Pdb, None) => {
            use qnd_pdb::{snapshot::ByteOrder, PdbStorage};
            let at = crate::error::Where::new(target.name, "pdb", "/");
            let storage = match (create, writable) {
                (true, _) => PdbStorage::create(path, ByteOrder::native(), new),
                (false, true) => PdbStorage::open_rw(path),
                (false, false) => PdbStorage::open(path),
            };
            storage.map(AnyStorage::from).map_err(|e| at.storage(e))
        }
        #[allow(unreachable_patterns)] // with every backend built in
        (other, None) => Err(Error::Format {
            file: path.into(),
            found: format!("a {other} file, which this build of qnd cannot open"),
        }),
    }
}

/// The storage of the PDB file or family `members` (named `name`), opened
/// read-only; for a parallel file of one process (`step`), wrapped in the
/// lockstep as every parallel file is.
///
/// # Errors
/// [`Error::Backend`] naming the file when a member is not PDB-II or is
/// damaged; [`Error::Io`] when it cannot be read.
#[cfg(feature = "pdb")]
pub(super) fn open_pdb(
    name: &Path,
    members: &[PathBuf],
    step: Option<&Arc<Lockstep>>,
) -> Result<AnyStorage> {
    let at = crate::error::Where::new(name, "pdb", "/");
    let storage = qnd_pdb::PdbStorage::open_family(members).map_err(|e| at.storage(e))?;
    let storage = AnyStorage::from(storage);
    Ok(match step {
        Some(step) => AnyStorage::from(Box::new(super::synced::SyncedStorage {
            inner: storage,
            step: step.clone(),
        })),
        None => storage,
    })
}

/// The storage `make` creates (with `create`) or `open` opens at `path`,
/// a file of `format` (checked by its first bytes before opening); errors
/// name the file and `backend`.
#[cfg(feature = "hdf5")]
fn create_or_open<S: Into<AnyStorage>>(
    target: &Target,
    format: Format,
    backend: &'static str,
    create: bool,
    make: impl FnOnce() -> qnd_storage::SResult<S>,
    open: impl FnOnce() -> qnd_storage::SResult<S>,
) -> Result<AnyStorage> {
    let at = crate::error::Where::new(target.name, backend, "/");
    let s = if create {
        make()
    } else {
        super::detect::check_magic(target.first, format)?;
        open()
    };
    s.map(Into::into)
        .map_err(|e| explain(target, create, at.storage(e)))
}

/// What the library's refusal `e` to create (`create`) or open `target`
/// means, told by what the file system says: a missing directory (for a
/// new file), or the system error the library met (a permission denied;
/// a file locked by a program through the HDF5 library). Other errors are
/// left as they are (the library's own reason: a damaged file).
#[cfg(feature = "hdf5")]
fn explain(target: &Target, create: bool, e: Error) -> Error {
    use std::io;
    let Error::Backend { source, .. } = &e else {
        return e;
    };
    let io = |source| Error::Io {
        file: target.name.into(),
        source,
    };
    if create {
        let parent = match target.first.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        match std::fs::metadata(parent) {
            Err(err) => {
                let why = format!("cannot create it: directory {}: {err}", parent.display());
                return io(io::Error::new(err.kind(), why));
            }
            Ok(m) if !m.is_dir() => {
                let why = format!("cannot create it: {} is not a directory", parent.display());
                return io(io::Error::other(why));
            }
            Ok(_) => {}
        }
    }
    let errno = errno_in(&crate::error::error_chain(source.as_ref()));
    match errno {
        #[cfg(unix)]
        #[allow(unreachable_patterns)] // EWOULDBLOCK is EAGAIN on Linux
        Some(libc::EAGAIN | libc::EWOULDBLOCK) => Error::InUse {
            file: target.name.into(),
            by: super::lock::BY_LIBRARY,
        },
        Some(n) if n > 0 => {
            let os = io::Error::from_raw_os_error(n);
            let verb = if create { "create" } else { "open" };
            io(io::Error::new(os.kind(), format!("cannot {verb} it: {os}")))
        }
        _ => e,
    }
}

/// The system error number an HDF5 message names (`errno = 13, error
/// message = 'Permission denied'`), if any.
#[cfg(feature = "hdf5")]
fn errno_in(message: &str) -> Option<i32> {
    const SAYS: &str = "errno = ";
    let at = message.find(SAYS)? + SAYS.len();
    let digits = message[at..].split(|c: char| !c.is_ascii_digit()).next()?;
    digits.parse().ok()
}

/// Refuse to open the existing file at `path` (of `format`, opened without
/// being replaced; for writing when `writable`) when it was left unclosed
/// by a writer, or when it is being written and cannot be read meanwhile.
/// `live` says whether a live writer holds qnd's writer lock on it (never
/// for an open for writing, which holds the lock itself).
///
/// Only files with an HDF5 superblock (HDF5 and netCDF-4) are looked at;
/// a superblock that cannot be read is left for the library to report.
/// Flags set while a program holds the HDF5 library's own write lock (an
/// HDF5 writer that does not use qnd, or the library in this process) are
/// left for the library to judge. With no writer at all:
///
/// - a writer is refused;
/// - a reader is refused when the library cannot open the file either: a
///   version 3 superblock flagged for writing but not for SWMR writing, or
///   a file shorter than its superblock says;
/// - a reader goes ahead, with a warning on stderr, where the library
///   reads such a file: a killed SWMR writer's file (read in SWMR mode:
///   every flushed record is there), or a flagged version 2 superblock
///   (netCDF-4 files), whose flags HDF5 does not check.
///
/// # Errors
/// [`Error::NeedsRecovery`] as above; [`Error::BeingWritten`] for a
/// netCDF-4 file with a live writer.
///
/// A family (flags in its first member; its length is checked against
/// its members before) is never read live: a reader is refused while a
/// writer has it.
#[allow(unused_variables)] // without HDF5 there is nothing to look at
pub(super) fn check_closed(
    target: &Target,
    format: Format,
    writable: bool,
    live: bool,
) -> Result<()> {
    #[cfg(feature = "hdf5")]
    {
        use qnd_hdf5::superblock::SWMR_WRITE_ACCESS;
        let path = target.first;
        let family = target.family.is_some();
        if live && family {
            return Err(Error::BeingWritten {
                file: target.name.into(),
            });
        }
        let Ok(Some(sb)) = qnd_hdf5::superblock::Superblock::read_path(path) else {
            return Ok(());
        };
        if live {
            // no SWMR under netCDF-C, nor before superblock v3
            return match format {
                Format::NetCdf => Err(Error::BeingWritten {
                    file: target.name.into(),
                }),
                _ if sb.version < 3 => Err(Error::BeingWritten {
                    file: target.name.into(),
                }),
                _ => Ok(()),
            };
        }
        let reason = match family {
            true if sb.flagged() => Some(format!(
                "its HDF5 status flags (in {}) say it is open for writing ({}), but no qnd \
                 writer has it open",
                path.display(),
                sb.describe_flags()
            )),
            true => None,
            false => unclosed(path, &sb),
        };
        let Some(reason) = reason else {
            return Ok(());
        };
        let flagged = sb.flagged(); // else the file is short
        if flagged && super::lock::library_writer(path) {
            return Ok(());
        }
        let readable = flagged && (!sb.refused() || sb.flags & SWMR_WRITE_ACCESS != 0);
        if writable || !readable {
            return Err(Error::NeedsRecovery {
                file: target.name.into(),
                reason,
            });
        }
        eprintln!(
            "qnd: warning: {}: {reason}: the file was not closed by its writer (crashed or \
             killed); it is read as it was last flushed, but other tools may refuse it and \
             writers will: run `qnd recover {}` to check and repair it",
            target.name.display(),
            target.name.display()
        );
    }
    Ok(())
}

/// What says that the HDF5 file at `path`, with superblock `sb`, was not
/// closed by its writer: its status flags, or a length short of its
/// end-of-file address.
#[cfg(feature = "hdf5")]
pub(crate) fn unclosed(path: &Path, sb: &qnd_hdf5::superblock::Superblock) -> Option<String> {
    if sb.flagged() {
        return Some(format!(
            "its HDF5 status flags say it is open for writing ({}), but no qnd writer has it open",
            sb.describe_flags()
        ));
    }
    let len = std::fs::metadata(path).ok()?.len();
    match sb.end_of_file() {
        Some(eof) if len < eof => Some(format!(
            "the file is {len} bytes long but its HDF5 superblock says {eof}"
        )),
        _ => None,
    }
}
