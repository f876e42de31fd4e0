//! Opening files: modes, format detection, and the shared state behind
//! every handle of one open file.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::backend::buffered::{Buffered, DEFAULT_RECORD_BUFFER};
use crate::backend::{
    memory::MemoryStorage, AnyStorage, FastMap, NcFormat, NodeId, NodeKind, Storage,
};
use crate::error::{At, Error, Result, StorageError};
use crate::state::{Auto, Recording, State};
use crate::tree::QGroup;

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
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Hdf5 => "HDF5",
            Format::NetCdf => "netCDF",
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
        } else {
            None
        }
    }
}

/// Options for [`open_with`]: the mode, the format, and the initial modes
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
    /// chunks, and on [`QGroup::flush`], [`QGroup::close`] and drop. Reads
    /// through the file's handles see buffered records. `0` writes every
    /// record as it comes.
    pub record_buffer: usize,
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
        }
    }
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

/// Open a file and return its root group.
///
/// `mode` is a [`Mode`] or its h5py spelling (`"r"`, `"r+"`, `"a"`, `"w"`,
/// `"w-"`). The format comes from the extension, else from the first bytes.
///
/// # Errors
/// [`Error::NoFile`], [`Error::FileExists`], [`Error::Format`] (not an HDF5
/// or netCDF file, or a format this build lacks), [`Error::Invalid`] for an
/// unknown mode string, [`Error::Backend`] when the library cannot open it.
pub fn open(path: impl AsRef<Path>, mode: impl AsMode) -> Result<QGroup> {
    let path = path.as_ref();
    let mode = mode.as_mode().map_err(|e| Error::Invalid {
        file: path.into(),
        path: "/".into(),
        reason: e.to_string(),
    })?;
    open_with(path, &OpenOptions::new(mode))
}

/// Open a file with [`OpenOptions`].
///
/// # Errors
/// As [`open`].
pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<QGroup> {
    let path = path.as_ref();
    let exists = path.exists();
    let mode = options.mode;
    match mode {
        Mode::Read | Mode::ReadWrite if !exists => return Err(Error::NoFile { file: path.into() }),
        Mode::CreateNew if exists => return Err(Error::FileExists { file: path.into() }),
        _ => {}
    }
    let create =
        matches!(mode, Mode::Create | Mode::CreateNew) || (mode == Mode::Append && !exists);
    let format = match options.format {
        Some(f) => f,
        None => detect(path, create)?,
    };
    let storage = open_storage(path, format, create, mode.writable(), options.netcdf)?;
    let core = Core::share(
        Buffered::new(storage, options.record_buffer),
        path,
        mode.writable(),
    );
    let state = State {
        auto: options.auto,
        recording: options.recording,
        goto: None,
    };
    Ok(QGroup::root_of(core, state))
}

/// A new, empty file held in memory (no C library involved): what the
/// examples in these docs use.
pub fn memory() -> QGroup {
    let core = Core::share(
        Buffered::new(
            AnyStorage::from(MemoryStorage::new()),
            DEFAULT_RECORD_BUFFER,
        ),
        Path::new("<memory>"),
        true,
    );
    QGroup::root_of(core, State::default())
}

fn detect(path: &Path, create: bool) -> Result<Format> {
    if let Some(f) = Format::from_extension(path) {
        return Ok(f);
    }
    if create {
        return Ok(Format::Hdf5);
    }
    let (format, head) = sniff(path)?;
    format.ok_or_else(|| Error::Format {
        file: path.into(),
        found: format!("first bytes {:?}", String::from_utf8_lossy(&head)),
    })
}

/// The format the file's bytes say, and its first (up to 8) bytes. An HDF5
/// signature may also stand at 512, 1024, 2048, ... (after a user block).
fn sniff(path: &Path) -> Result<(Option<Format>, Vec<u8>)> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |source| Error::Io {
        file: path.into(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    let mut head = Vec::with_capacity(8);
    (&mut f).take(8).read_to_end(&mut head).map_err(io)?;
    if let Some(format) = Format::from_magic(&head) {
        return Ok((Some(format), head));
    }
    let mut offset = 512u64;
    while offset + 8 <= len {
        let mut sig = [0u8; 8];
        f.seek(SeekFrom::Start(offset)).map_err(io)?;
        f.read_exact(&mut sig).map_err(io)?;
        if Format::from_magic(&sig) == Some(Format::Hdf5) {
            return Ok((Some(Format::Hdf5), head));
        }
        offset *= 2;
    }
    Ok((None, head))
}

#[allow(unused_variables)] // which arguments are used depends on the features
fn open_storage(
    path: &Path,
    format: Format,
    create: bool,
    writable: bool,
    netcdf: NcFormat,
) -> Result<AnyStorage> {
    match format {
        #[cfg(feature = "hdf5")]
        Format::Hdf5 => {
            let at = At {
                file: path,
                path: "/",
                backend: "hdf5",
            };
            if !create {
                check_magic(path, Format::Hdf5)?;
            }
            let s = if create {
                crate::backend::hdf5::Hdf5Storage::create(path)
            } else {
                crate::backend::hdf5::Hdf5Storage::open(path, writable)
            };
            s.map(AnyStorage::from).map_err(|e| at.storage(e))
        }
        #[cfg(feature = "netcdf")]
        Format::NetCdf => {
            let at = At {
                file: path,
                path: "/",
                backend: "netcdf",
            };
            if !create {
                check_magic(path, Format::NetCdf)?;
            }
            let s = if create {
                crate::backend::netcdf::NetcdfStorage::create(path, netcdf)
            } else {
                crate::backend::netcdf::NetcdfStorage::open(path, writable)
            };
            s.map(AnyStorage::from).map_err(|e| at.storage(e))
        }
        #[allow(unreachable_patterns)] // with every backend built in
        other => Err(Error::Format {
            file: path.into(),
            found: format!("a {other} file, which this build of qnd cannot open"),
        }),
    }
}

/// Refuse a file whose bytes are not those of `format`, so that a stray
/// file gets a clear error instead of a library trace. A netCDF file may
/// begin with the HDF5 signature: netCDF-4 is HDF5 underneath.
#[cfg(feature = "hdf5")]
fn check_magic(path: &Path, format: Format) -> Result<()> {
    let (found, head) = sniff(path)?;
    match (found, format) {
        (Some(f), _) if f == format => Ok(()),
        (Some(Format::Hdf5), Format::NetCdf) => Ok(()),
        (Some(f), _) => Err(Error::Format {
            file: path.into(),
            found: format!("a {f} file, not {format}"),
        }),
        (None, _) if head.is_empty() => Err(Error::Format {
            file: path.into(),
            found: format!("an empty file, not {format}"),
        }),
        (None, _) => Err(Error::Format {
            file: path.into(),
            found: format!(
                "no {format} signature (expected {}; the file starts {:?})",
                signatures(format),
                String::from_utf8_lossy(&head)
            ),
        }),
    }
}

/// The signatures a file of `format` may begin with, for messages.
#[cfg(feature = "hdf5")]
fn signatures(format: Format) -> &'static str {
    match format {
        Format::Hdf5 => r"\x89HDF\r\n\x1a\n",
        Format::NetCdf => r"CDF\x01, CDF\x02, CDF\x05 or HDF5's \x89HDF\r\n\x1a\n",
    }
}

/// The state shared by every handle of one open file.
pub(crate) struct Core {
    pub storage: Buffered,
    pub open: bool,
    pub writable: bool,
    /// For group nodes seen so far: `Some(len)` for a list, `None` for a
    /// plain group. Kept up to date by appends, so that per-record writes
    /// to a list never list its members.
    pub lists: FastMap<NodeId, Option<usize>>,
}

impl Core {
    fn share(storage: Buffered, path: &Path, writable: bool) -> FileRef {
        let backend = storage.backend_name();
        let root = storage.root();
        FileRef {
            root,
            core: Arc::new(Mutex::new(Core {
                storage,
                open: true,
                writable,
                lists: FastMap::default(),
            })),
            file: Arc::from(path),
            backend,
        }
    }

    /// Whether group `node` is a list (`Some(len)`), from the cache or by
    /// looking at its member names: a list has `_` and `_0` .. `_<n-1>`
    /// and nothing else. A group with gaps in its indices reads as a plain
    /// group, so that every member stays reachable.
    pub fn list_len(&mut self, node: NodeId) -> Result<Option<usize>, StorageError> {
        if let Some(&known) = self.lists.get(&node) {
            return Ok(known);
        }
        let names = self.storage.names(node)?;
        let len = list_indices(&names);
        self.lists.insert(node, len);
        Ok(len)
    }

    /// Look up `name` in group `parent`, telling lists from groups.
    pub fn lookup(
        &mut self,
        parent: NodeId,
        name: &str,
    ) -> Result<Option<(NodeId, Kind)>, StorageError> {
        let Some((id, kind)) = self.storage.lookup(parent, name)? else {
            return Ok(None);
        };
        let kind = match kind {
            NodeKind::Group => {
                if self.list_len(id)?.is_some() {
                    Kind::List
                } else {
                    Kind::Group
                }
            }
            NodeKind::Leaf => Kind::Leaf,
            NodeKind::Records => Kind::Records,
            NodeKind::None => Kind::None,
        };
        Ok(Some((id, kind)))
    }
}

/// The length of a list with member `names`, or `None` when they are not
/// exactly `_`, `_0`, ..., `_<n-1>`.
fn list_indices(names: &[String]) -> Option<usize> {
    let n = names.len().checked_sub(1)?;
    let mut seen = vec![false; n];
    let mut marker = false;
    for name in names {
        let digits = name.strip_prefix('_')?;
        if digits.is_empty() {
            marker = true;
            continue;
        }
        if !digits.bytes().all(|b| b.is_ascii_digit())
            || (digits.len() > 1 && digits.starts_with('0'))
        {
            return None;
        }
        let i: usize = digits.parse().ok()?;
        *seen.get_mut(i)? = true;
    }
    (marker && seen.iter().all(|&s| s)).then_some(n)
}

/// What an item is, as the tree sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A group (named members).
    Group,
    /// A list (a group with `_`, `_0`, ...): the records of a recording-2
    /// variable, or a list declared as such.
    List,
    /// A leaf: an n-d array.
    Leaf,
    /// A record variable of recording mode 1: records sharing dtype and
    /// shape.
    Records,
    /// None.
    None,
}

/// A handle on one open file: the shared core plus its name.
#[derive(Clone)]
pub(crate) struct FileRef {
    core: Arc<Mutex<Core>>,
    pub file: Arc<Path>,
    pub backend: &'static str,
    /// The root group's node.
    pub root: NodeId,
}

impl FileRef {
    /// Lock the core of an open file.
    pub fn lock(&self) -> Result<MutexGuard<'_, Core>> {
        // A panic while the lock was held leaves the data as it was; keep
        // going rather than poisoning every later call.
        let core = self.core.lock().unwrap_or_else(|p| p.into_inner());
        if !core.open {
            return Err(Error::Closed {
                file: self.file.to_path_buf(),
            });
        }
        Ok(core)
    }

    /// Lock for a write to `path`: the file must be writable.
    pub fn lock_mut(&self, path: &str) -> Result<MutexGuard<'_, Core>> {
        let core = self.lock()?;
        if !core.writable {
            return Err(self.at(path).read_only());
        }
        Ok(core)
    }

    /// Error context for `path`.
    pub fn at<'a>(&'a self, path: &'a str) -> At<'a> {
        At {
            file: &self.file,
            path,
            backend: self.backend,
        }
    }

    pub fn file_path(&self) -> PathBuf {
        self.file.to_path_buf()
    }

    /// Flush the file.
    pub fn flush(&self) -> Result<()> {
        let mut core = self.lock()?;
        core.storage.flush().map_err(|e| self.at("/").storage(e))
    }

    /// Close the file; later calls through any handle get [`Error::Closed`].
    pub fn close(&self) -> Result<()> {
        let mut core = self.core.lock().unwrap_or_else(|p| p.into_inner());
        if !core.open {
            return Ok(());
        }
        core.open = false;
        core.lists.clear();
        core.storage.close().map_err(|e| self.at("/").storage(e))
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        if self.open {
            self.open = false;
            // Nothing can return this error: say it, so that records lost
            // in a failed write at drop do not go unnoticed.
            if let Err(e) = self.storage.close() {
                eprintln!("qnd: error writing buffered records or closing the file at drop: {e}");
            }
        }
    }
}
