//! Files: opening (modes, format detection, the backend factory) and the
//! state behind every handle of one open file.
//!
//! This module is the one owner of per-file state: [`FileState`] holds the
//! storage (behind its record buffer), and every cache the tree keeps
//! (member lookups, list lengths, leaf shapes, goto indexes), with one
//! place that invalidates them ([`FileState::invalidate`]). It is also the
//! only place that names a concrete backend ([`factory`]).

mod detect;
mod factory;
mod family;
pub(crate) mod lock;
mod path;
pub(crate) mod read;
mod shared;
mod synced;
pub(crate) mod write;
#[cfg(test)]
mod write_tests;

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use qnd_storage::{MemoryStorage, RecordBuffer, DEFAULT_RECORD_BUFFER};

use crate::backend::{Capabilities, NcFormat};
use crate::error::{Error, Result};
use crate::parallel::{lockstep::call_key, Lockstep};
use crate::state::{Auto, Recording, State};

#[cfg(feature = "netcdf")]
pub(crate) use factory::classic;
#[cfg(feature = "hdf5")]
pub(crate) use factory::superblock;
pub(crate) use factory::AnyStorage;
pub(crate) use family::link_target;
pub use family::DEFAULT_FAMILY_SIZE;
pub(crate) use path::{child_path, elem_path, expand_name, join, kind_name, walk, Through};
pub(crate) use shared::{FileRef, FileState, Named};

/// How to open a file: the h5py modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `r`: read only; the file must exist.
    Read,
    /// `r+`: read and write; the file must exist.
    ReadWrite,
    /// `a`: read and write; the file is created if it does not exist.
    Append,
    /// `w`: create; an existing file is replaced.
    Create,
    /// `w-`: create; an error if the file exists.
    CreateNew,
}

impl Mode {
    /// The h5py spelling (`"r+"`, `"w-"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Read => "r",
            Mode::ReadWrite => "r+",
            Mode::Append => "a",
            Mode::Create => "w",
            Mode::CreateNew => "w-",
        }
    }

    /// True for every mode but `r`.
    pub fn writable(self) -> bool {
        self != Mode::Read
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mode string that is not one of `r`, `r+`, `a`, `w`, `w-`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown open mode {0:?} (use r, r+, a, w or w-)")]
pub struct UnknownMode(pub String);

impl FromStr for Mode {
    type Err = UnknownMode;
    fn from_str(s: &str) -> Result<Mode, UnknownMode> {
        Ok(match s {
            "r" => Mode::Read,
            "r+" => Mode::ReadWrite,
            "a" => Mode::Append,
            "w" => Mode::Create,
            "w-" | "x" => Mode::CreateNew,
            other => return Err(UnknownMode(other.to_string())),
        })
    }
}

/// A file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// HDF5.
    Hdf5,
    /// netCDF (any variant).
    NetCdf,
    /// PDB (LLNL's Portable Database, version II); families read-only.
    Pdb,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Hdf5 => "HDF5",
            Format::NetCdf => "netCDF",
            Format::Pdb => "PDB",
        })
    }
}

impl Format {
    /// The format a file name's extension means, if any.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "h5" | "hdf5" | "hdf" | "he5" => Some(Format::Hdf5),
            "nc" | "nc4" | "cdf" => Some(Format::NetCdf),
            "pdb" => Some(Format::Pdb),
            _ => None,
        }
    }

    /// The format the first bytes of a file mean, if any.
    pub fn from_magic(head: &[u8]) -> Option<Format> {
        if head.starts_with(b"\x89HDF\r\n\x1a\n") {
            Some(Format::Hdf5)
        } else if head.starts_with(b"CDF\x01")
            || head.starts_with(b"CDF\x02")
            || head.starts_with(b"CDF\x05")
        {
            Some(Format::NetCdf)
        } else if head.starts_with(b"!<<PDB:") || head.starts_with(b"!<><PDB><>!") {
            Some(Format::Pdb)
        } else {
            None
        }
    }
}

/// Options for [`open_with`](crate::open_with): the mode, the format, and the initial modes
/// of the root.
///
/// ```no_run
/// use qnd::{Mode, NcFormat, OpenOptions};
/// // A netCDF-3 classic file: root group only, no unsigned or 64-bit integers.
/// let opts = OpenOptions {
///     netcdf: NcFormat::Classic,
///     ..OpenOptions::new(Mode::Create)
/// };
/// let f = qnd::open_with("run.nc", &opts)?;
/// f.set("x", 2.5)?;
/// # Ok::<(), qnd::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// How to open.
    pub mode: Mode,
    /// The format; `None` detects it (extension, then first bytes; HDF5 for
    /// a new file with an unknown extension).
    pub format: Option<Format>,
    /// Initial auto-read mode of the root group.
    pub auto: Auto,
    /// Initial recording mode of the root group.
    pub recording: Recording,
    /// Which netCDF format a *new* netCDF file gets (netCDF-4 by default;
    /// [`NcFormat::Classic`] or [`NcFormat::Offset64`] for netCDF-3). An
    /// existing file keeps its own format, which is detected.
    pub netcdf: NcFormat,
    /// The most bytes of records held in memory before they are written
    /// (64 MiB by default): records are written many at a time, in whole
    /// chunks, and on [`QGroup::flush`](crate::QGroup::flush), [`QGroup::close`](crate::QGroup::close) and drop. Reads
    /// through the file's handles see buffered records. `0` writes every
    /// record as it comes.
    pub record_buffer: usize,
    /// fsync the file at every [`QGroup::flush`](crate::QGroup::flush) and
    /// at close (false by default), so that what was flushed survives a
    /// crash of the machine, not only of the process. It costs a wait for
    /// the disk at each flush (see the README for measured times). Every
    /// member of a family is fsynced.
    pub sync: bool,
    /// The most bytes one read may return (a leaf, a selection, a record,
    /// or a group or list read whole, counted together): a larger read is
    /// [`Error::TooLarge`], checked before anything is allocated, never an
    /// abort. By default a quarter of the machine's physical memory (see
    /// [`default_max_read_bytes`]).
    pub max_read_bytes: usize,
    /// The most bytes of each member file of a new HDF5 file family
    /// ([`DEFAULT_FAMILY_SIZE`], 128 MiB, by default, as Python qnd's
    /// `maxsize`).
    ///
    /// A file name holding one `%d` or `%0Nd` (`run%d.h5`, `run%03d.h5`)
    /// names a family: one HDF5 file split across member files `run0.h5`,
    /// `run1.h5`, ... (`run000.h5`, ... for `%03d`), through HDF5's family
    /// driver. Writing past a member's size goes on in the next member.
    /// Every mode works on a family (`w-` fails when member 0 exists; `w`
    /// empties every member, and HDF5 leaves those past the new end as
    /// empty files); the writer lock is taken on member 0. Opening an
    /// existing family checks that no member is missing (an error names
    /// it). In a file name `%%` is a literal `%`, any other `%` (`100%.h5`)
    /// is itself, and two `%d` are an error.
    ///
    /// An existing family keeps the member size it was written with: it
    /// is opened with this size when that is its size, otherwise with the
    /// size HDF5 says it was written with (or the size of member 0). So
    /// families of Python qnd or h5py open whatever their size.
    ///
    /// Families are HDF5 only (a pattern with a netCDF extension is
    /// refused) and never enter SWMR mode (HDF5 allows it only for single
    /// files): no live readers (a reader is refused while a writer has the
    /// family open), and a writer killed during a flush may leave records
    /// flushed before unreadable, as for files of h5py.
    /// [`recover`](crate::recover()) clears the status flags a killed
    /// writer leaves in member 0. h5py opens them with
    /// `h5py.File("run%d.h5", "r", driver="family", memb_size=SIZE)`.
    pub family_size: u64,
    /// Open the file in every process of a communicator together (`None`,
    /// the default: this process alone). Every process of the
    /// communicator opens the same file with the same options; see
    /// [`parallel`](crate::parallel) for what is collective. With an MPI
    /// communicator (feature `mpi`, `Parallel::mpi`)
    /// the file is a single HDF5 file written through parallel HDF5
    /// (MPI-IO); with [`Parallel::single`](crate::parallel::Parallel::single),
    /// a file of any format opened as usual by one process, with every
    /// check a parallel file makes.
    pub parallel: Option<crate::parallel::Parallel>,
}

impl OpenOptions {
    /// Options with `mode` and everything else default.
    pub fn new(mode: Mode) -> OpenOptions {
        OpenOptions {
            mode,
            format: None,
            auto: Auto::default(),
            recording: Recording::default(),
            netcdf: NcFormat::default(),
            record_buffer: DEFAULT_RECORD_BUFFER,
            sync: false,
            max_read_bytes: default_max_read_bytes(),
            family_size: DEFAULT_FAMILY_SIZE,
            parallel: None,
        }
    }
}

/// Physical memory assumed where it cannot be read (4 GiB, so the default
/// limit is then 1 GiB).
const FALLBACK_MEMORY: usize = 4 << 30;

/// The default of [`OpenOptions::max_read_bytes`]: a quarter of the
/// memory the process may use: the physical memory, as `MemTotal` of
/// `/proc/meminfo` says on Linux, or the memory limit of its control group
/// (a container's) when that is smaller; a quarter of 4 GiB (1 GiB)
/// elsewhere or when neither can be read. Computed once per process.
pub fn default_max_read_bytes() -> usize {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        let memory = match (physical_memory(), cgroup_memory_limit()) {
            (Some(m), Some(c)) => m.min(c),
            (m, c) => m.or(c).unwrap_or(FALLBACK_MEMORY),
        };
        memory / 4
    })
}

/// The memory limit of this process's control group (cgroup v2
/// `memory.max`, v1 `memory.limit_in_bytes`), when one is set.
fn cgroup_memory_limit() -> Option<usize> {
    let groups = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let mut files = Vec::new();
    for line in groups.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if controllers.is_empty() {
            files.push(format!("/sys/fs/cgroup{path}/memory.max"));
        } else if controllers.split(',').any(|c| c == "memory") {
            files.push(format!("/sys/fs/cgroup/memory{path}/memory.limit_in_bytes"));
        }
    }
    // inside a container the group is often mounted as the root
    files.push("/sys/fs/cgroup/memory.max".into());
    files.push("/sys/fs/cgroup/memory/memory.limit_in_bytes".into());
    files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .filter_map(|text| text.trim().parse::<usize>().ok())
        .filter(|&b| b > 0)
        .min()
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn physical_memory() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line.split_whitespace().skip(1);
    let n: usize = words.next()?.parse().ok()?;
    let unit = match words.next() {
        Some("kB") | Some("KB") => 1024,
        None => 1,
        Some(_) => return None,
    };
    n.checked_mul(unit).filter(|&b| b > 0)
}

/// Anything that names an open mode: a [`Mode`] or a string such as `"r+"`.
pub trait AsMode {
    /// The mode, or the string that is not one.
    ///
    /// # Errors
    /// [`UnknownMode`] for a string that is not a mode.
    fn as_mode(&self) -> Result<Mode, UnknownMode>;
}

impl AsMode for Mode {
    fn as_mode(&self) -> Result<Mode, UnknownMode> {
        Ok(*self)
    }
}

impl AsMode for &str {
    fn as_mode(&self) -> Result<Mode, UnknownMode> {
        self.parse()
    }
}

/// The mode a mode string names, as an error naming `path` when it names
/// none.
///
/// # Errors
/// [`Error::Invalid`] for an unknown mode string.
pub(crate) fn mode_of(path: &Path, mode: impl AsMode) -> Result<Mode> {
    mode.as_mode().map_err(|e| Error::Invalid {
        file: path.into(),
        path: "/".into(),
        reason: e.to_string(),
    })
}

/// Open the file at `path` as `options` say: the file's shared state, and
/// the modes its root starts with.
///
/// An open for writing first takes qnd's writer lock (see [`lock`]), before
/// the backend creates, truncates or opens the file. An existing file that
/// is not replaced is checked for a writer that did not close it (see
/// [`factory::check_closed`]).
///
/// The name is expanded first (`~`, `$VAR`: [`expand_name`]). A family
/// pattern (`run%d.h5`, see [`OpenOptions::family_size`]) is locked,
/// checked and detected by its first member, after checking that none of
/// its members is missing. When the library refuses the file, what the
/// file system says tells why where it can (see `factory::explain`).
///
/// # Errors
/// [`Error::NoFile`], [`Error::FileExists`], [`Error::InUse`] (another
/// writer has the file), [`Error::NeedsRecovery`] (left unclosed by a
/// writer), [`Error::BeingWritten`] (a netCDF-4 file being written),
/// [`Error::Format`] (not an HDF5 or netCDF file, or a format this build
/// lacks; a netCDF family), [`Error::Io`] (a missing family member, a
/// missing directory, a permission denied), [`Error::Invalid`] (a name with
/// two `%d`), [`Error::Backend`] when the library cannot open it.
pub(crate) fn open_file(path: &Path, options: &OpenOptions) -> Result<(FileRef, State)> {
    let Some(parallel) = &options.parallel else {
        return open_in(path, options, None);
    };
    // every process opens the file: one collective step
    let step = Arc::new(Lockstep::new(parallel.0.clone()));
    let name = path.to_string_lossy();
    let key = call_key("open", &name, options.mode.as_str(), 0);
    step.run(path, "open", "/", key, || {
        open_in(path, options, Some(&step))
    })
}

/// [`open_file`] in this process, with `step` the lockstep of the
/// processes opening the file together, if any: then only rank 0 takes
/// qnd's writer lock and checks that the file was closed, and every
/// process opens the storage together.
fn open_in(
    path: &Path,
    options: &OpenOptions,
    step: Option<&Arc<Lockstep>>,
) -> Result<(FileRef, State)> {
    let first_rank = step.is_none_or(|s| s.comm().rank() == 0);
    let (path, family) = match family::Name::parse(&expand_name(path))? {
        family::Name::Plain(p) => (p, None),
        family::Name::Family(f) => (f.pattern.clone(), Some(f)),
    };
    let path = path.as_path();
    #[cfg(feature = "pdb")]
    if family.is_none() && family::is_glob(path) && !path.exists() {
        // a glob names a PDB family (`run*.pdb`), as in Python qnd
        return open_pdb(path, family::glob_members(path)?, true, options, step);
    }
    // the file locked, checked and detected: a family's first member
    let first = family.as_ref().map(|f| f.member(0));
    let first = first.as_deref().unwrap_or(path);
    let exists = first.exists();
    let mode = options.mode;
    match mode {
        Mode::Read | Mode::ReadWrite if !exists => return Err(Error::NoFile { file: path.into() }),
        Mode::CreateNew if exists => return Err(Error::FileExists { file: path.into() }),
        _ => {}
    }
    let create =
        matches!(mode, Mode::Create | Mode::CreateNew) || (mode == Mode::Append && !exists);
    let format = match (options.format, &family) {
        (_, Some(_)) => detect::family_format(path, first, options.format, create)?,
        (Some(f), None) => f,
        (None, None) => detect::detect(path, create)?,
    };
    #[cfg(feature = "pdb")]
    if format == Format::Pdb && (mode == Mode::Read || (family.is_some() && !create)) {
        // read-only: no lock to take (a single file written goes on below)
        let members = match &family {
            Some(f) => f.pdb_members(),
            None => vec![path.to_path_buf()],
        };
        return open_pdb(path, members, family.is_some(), options, step);
    }
    if let (Some(f), false) = (&family, create) {
        f.check_members()?;
    }
    // HDF5 (and so netCDF-4) take a flock() lock of their own
    let flocking = match format {
        Format::NetCdf if create => !options.netcdf.is_classic(),
        Format::NetCdf => !detect::is_classic(first),
        Format::Pdb => false,
        _ => true,
    };
    // A file that exists is locked before the library touches it (mode `w`
    // truncates only once the lock is held). A new one is made by the
    // library, exclusively (an error if another process made it
    // meanwhile), and locked next: locking first would mean creating it
    // empty and having the library truncate it, and ext4 writes a file
    // truncated to nothing back whole when it is closed (`auto_da_alloc`),
    // which made closing a 160 MB history take tens of milliseconds.
    let new = create && !exists;
    let lock = if mode.writable() && !new && first_rank {
        let lock = match step {
            Some(_) => lock::WriterLock::acquire_marker(first, mode, flocking)?,
            None => lock::WriterLock::acquire(first, mode, flocking)?,
        };
        Some(lock.with_sync(options.sync).of_family(family.clone()))
    } else {
        None
    };
    let making = match (create, new) {
        (false, _) => factory::Making::Open,
        (true, false) => factory::Making::Truncate,
        (true, true) => factory::Making::New,
    };
    // a reader of a file a live writer records
    let live = !create && lock.is_none() && lock::writer_active(first);
    let target = factory::Target {
        name: path,
        first,
        family: family
            .as_ref()
            .map(|f| (f.hdf5_pattern(), options.family_size)),
    };
    let storage = (|| {
        if let (Some(lock), true, true) = (&lock, create, exists) {
            // replacing a file an HDF5 program has open would destroy it
            if lock::library_holder(first, lock) {
                return Err(Error::InUse {
                    file: path.into(),
                    by: lock::BY_LIBRARY,
                });
            }
        }
        if !create && first_rank {
            factory::check_closed(&target, format, mode.writable(), live)?;
        }
        if let Some(step) = step {
            // every process is here, and none has failed
            let at = crate::error::Where::new(path, "", "/");
            step.before_change().map_err(|e| at.storage(e))?;
        }
        factory::open_storage(
            &target,
            format,
            making,
            mode.writable(),
            live,
            options.netcdf,
            step,
        )
    })()
    .map_err(|e| match (&e, &family, create) {
        // what could not be opened: the first member of a family?
        (Error::Backend { .. } | Error::NeedsRecovery { .. }, None, false) => {
            family_member_alone(path).unwrap_or(e)
        }
        _ => e,
    })?;
    let lock = match lock {
        Some(lock) => Some(lock),
        None if new && first_rank => {
            // the file the library just made; if another writer opened
            // it meanwhile, it is theirs: this open fails, and the file
            // stays
            let lock = match step {
                Some(_) => lock::WriterLock::acquire_marker(first, Mode::ReadWrite, flocking),
                None => lock::WriterLock::acquire(first, Mode::ReadWrite, flocking),
            };
            Some(lock?.with_sync(options.sync).of_family(family.clone()))
        }
        None => None,
    };
    let mut file = FileState::share(
        RecordBuffer::new(storage, options.record_buffer),
        path,
        mode.writable(),
        options.max_read_bytes,
    );
    file.set_lockstep(step.cloned());
    if family.is_some() {
        file.named = Named::Family;
    }
    if let Some(lock) = lock {
        file.hold(lock);
    }
    let state = State {
        auto: options.auto,
        recording: options.recording,
        goto: None,
    };
    Ok((file, state))
}

/// Open the PDB file or family `members` (named `path`: the file, the
/// pattern or the glob), read-only: no writer lock is taken. (A single
/// PDB file opened for writing goes through [`open_in`] as other formats
/// do; families are read-only.)
///
/// # Errors
/// [`Error::Invalid`] for a mode other than `r`; [`Error::Format`] when
/// opened by several processes; [`Error::NoFile`] when no member exists;
/// [`Error::Backend`] when the file is not PDB-II or is damaged.
#[cfg(feature = "pdb")]
fn open_pdb(
    path: &Path,
    members: Vec<std::path::PathBuf>,
    family: bool,
    options: &OpenOptions,
    step: Option<&Arc<Lockstep>>,
) -> Result<(FileRef, State)> {
    if options.mode != Mode::Read {
        return Err(Error::Invalid {
            file: path.into(),
            path: "/".into(),
            reason: format!(
                "PDB file families cannot be appended to in this version of qnd: open with \
                 mode r, or w to write a new family, not {}",
                options.mode.as_str()
            ),
        });
    }
    if step.is_some_and(|s| s.comm().size() > 1) {
        return Err(Error::Format {
            file: path.into(),
            found: "a PDB file: files opened by several processes at once are single HDF5 \
                    files (parallel HDF5, through MPI)"
                .into(),
        });
    }
    if members.is_empty() {
        return Err(Error::NoFile { file: path.into() });
    }
    let storage = factory::open_pdb(path, &members, step)?;
    let mut file = FileState::share(
        RecordBuffer::new(storage, options.record_buffer),
        path,
        false,
        options.max_read_bytes,
    );
    file.set_lockstep(step.cloned());
    if family {
        file.named = Named::Family;
    }
    let state = State {
        auto: options.auto,
        recording: options.recording,
        goto: None,
    };
    Ok((file, state))
}

/// A name resolved as [`open_with`](crate::open_with) resolves it: `~`
/// and variables expanded; for a family pattern, its first member.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    /// The name (a family's pattern as written, expanded).
    pub name: std::path::PathBuf,
    /// The file itself, or a family's first member.
    pub first: std::path::PathBuf,
    /// Whether the name is a family pattern.
    pub family: bool,
}

/// `path` resolved (see [`Resolved`]).
///
/// # Errors
/// [`Error::Invalid`] for a name with more than one `%d`; [`Error::Format`]
/// for a plain name that is a family's first member (see
/// [`family_member_alone`]).
pub(crate) fn resolve(path: &Path) -> Result<Resolved> {
    match family::Name::parse(&expand_name(path))? {
        family::Name::Plain(p) => match family_member_alone(&p) {
            Some(e) => Err(e),
            None => Ok(Resolved {
                first: p.clone(),
                name: p,
                family: false,
            }),
        },
        family::Name::Family(f) => Ok(Resolved {
            first: f.member(0),
            name: f.pattern,
            family: true,
        }),
    }
}

/// The error for the first member of an HDF5 file family named alone (a
/// plain name), which HDF5 cannot open without the rest of the family:
/// `None` when `path` is not one.
pub(crate) fn family_member_alone(path: &Path) -> Option<Error> {
    #[cfg(feature = "hdf5")]
    if qnd_hdf5::names_family_driver(path) {
        return Some(Error::Format {
            file: path.into(),
            found: "the first member of an HDF5 file family (written through HDF5's family \
                    driver): open the family by its name with %d in place of the member number \
                    (run0.h5, run1.h5, ... as run%d.h5)"
                .into(),
        });
    }
    #[cfg(not(feature = "hdf5"))]
    let _ = path;
    None
}

/// The format of the existing file at `path` (extension, then first bytes).
///
/// # Errors
/// As format detection: [`Error::Format`], [`Error::Io`].
pub(crate) fn detect_format(path: &Path) -> Result<Format> {
    detect::detect(path, false)
}

/// A new, empty file held in memory (no C library involved).
pub(crate) fn memory_file() -> FileRef {
    memory_file_from(MemoryStorage::new())
}

/// A file held in memory, over `storage` (no C library involved).
pub(crate) fn memory_file_from(storage: MemoryStorage) -> FileRef {
    let mut file = FileState::share(
        RecordBuffer::new(AnyStorage::from(storage), DEFAULT_RECORD_BUFFER),
        Path::new("<memory>"),
        true,
        default_max_read_bytes(),
    );
    file.named = Named::Memory;
    file
}

/// A new, empty file held in memory by each process of `parallel`, kept
/// in step as a parallel file is (see [`crate::parallel::memory`]).
pub(crate) fn memory_file_in(parallel: &crate::parallel::Parallel) -> FileRef {
    let step = Arc::new(Lockstep::new(parallel.0.clone()));
    let storage = AnyStorage::from(Box::new(synced::SyncedStorage {
        inner: AnyStorage::from(MemoryStorage::new()),
        step: step.clone(),
    }));
    let mut file = FileState::share(
        RecordBuffer::new(storage, DEFAULT_RECORD_BUFFER),
        Path::new("<memory>"),
        true,
        default_max_read_bytes(),
    );
    file.named = Named::Memory;
    file.set_lockstep(Some(step));
    file
}

/// What a file of `format` (for netCDF, of `netcdf`'s flavour) can hold,
/// before any file is made; `None` when this build cannot write `format`.
pub fn capabilities(format: Format, netcdf: NcFormat) -> Option<Capabilities> {
    factory::capabilities(format, netcdf)
}
