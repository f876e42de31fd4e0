//! The crate's one error type.

use std::path::PathBuf;

use crate::selection::SelectionError;
use crate::values::{describe, DType, ValueError};
use qnd_storage::{CastError, FitError};

pub use qnd_storage::{BoxError, StorageError};

/// Everything that can go wrong. Each variant names the file, and where it
/// applies the item path inside it (`/g/x`; `/g/x[3]` for record 3).
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file does not exist (modes `r`, `r+`).
    #[error("{file}: no such file")]
    NoFile {
        /// The file.
        file: PathBuf,
    },
    /// Mode `w-` on a file that exists.
    #[error("{file}: file exists (mode w- never replaces a file)")]
    FileExists {
        /// The file.
        file: PathBuf,
    },
    /// The file is neither HDF5, netCDF nor PDB (or its format was not built
    /// in).
    #[error("{file}: not a file qnd can open: {found}")]
    Format {
        /// The file.
        file: PathBuf,
        /// What was found instead.
        found: String,
    },
    /// The file was opened read-only.
    #[error("{file}: opened read-only, cannot write {path}")]
    ReadOnly {
        /// The file.
        file: PathBuf,
        /// The item that would have been written.
        path: String,
    },
    /// The file was closed.
    #[error("{file}: the file is closed")]
    Closed {
        /// The file.
        file: PathBuf,
    },
    /// No item of that name or index.
    #[error("{file}: no item {path}")]
    NoItem {
        /// The file.
        file: PathBuf,
        /// The missing item.
        path: String,
    },
    /// A record index past the records of a record variable (or any record
    /// of one that has none).
    #[error("{file}: {path}: record {index} out of range ({count} records)")]
    NoRecord {
        /// The file.
        file: PathBuf,
        /// The record variable.
        path: String,
        /// The record asked for.
        index: isize,
        /// How many records there are.
        count: usize,
    },
    /// An index outside an axis of a leaf.
    #[error("{file}: {path}: index {index} out of bounds for axis {axis} of length {len}")]
    OutOfBounds {
        /// The file.
        file: PathBuf,
        /// The leaf.
        path: String,
        /// The axis (0 first).
        axis: usize,
        /// The index given.
        index: isize,
        /// The length of that axis.
        len: usize,
    },
    /// A value that does not fit the item: dtype, shape, or kind.
    #[error("{file}: {path}: expected {expected}, got {got}")]
    Mismatch {
        /// The file.
        file: PathBuf,
        /// The item.
        path: String,
        /// What the item takes.
        expected: String,
        /// What was given.
        got: String,
    },
    /// An operation the item does not allow (setting an existing group,
    /// goto by a non-scalar variable, a bad selection, ...).
    #[error("{file}: {path}: {reason}")]
    Invalid {
        /// The file.
        file: PathBuf,
        /// The item.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The storage library failed. The message holds the library's own
    /// account of it (HDF5's error stack, from the call made to the frame
    /// that failed; netCDF's message, with HDF5's under netCDF-4; the
    /// system's text for an errno such as "No space left on device"),
    /// which is also the error's `source()`.
    #[error("{file}: {path}: {backend} error: {source}")]
    Backend {
        /// The file.
        file: PathBuf,
        /// The item being worked on (`/` for the file itself).
        path: String,
        /// Which backend (`hdf5`, `netcdf`, `memory`).
        backend: &'static str,
        /// The library's error.
        #[source]
        source: BoxError,
    },
    /// Another writer has the file open for writing: qnd's writer lock is
    /// held (by another process, or another open in this one); or, for mode
    /// `w`, a program has the file open through the HDF5 library (its own
    /// file lock is held: h5py, netCDF4-python, reading or writing), which
    /// replacing the file would destroy. Nothing was changed.
    #[error("{file}: in use: {by} (file is locked)")]
    InUse {
        /// The file.
        file: PathBuf,
        /// Who has it: "another writer has it open" (qnd's writer lock),
        /// or "a program has it open through the HDF5 library".
        by: &'static str,
    },
    /// The file was not closed by its writer (which crashed or was killed),
    /// and no live writer has it: HDF5's status flags are still set, or
    /// the file is shorter than its superblock says. `qnd recover FILE`
    /// ([`recover`](crate::recover())) checks and repairs it.
    #[error(
        "{file}: {reason}: the file was not closed by its writer (crashed or killed); \
         run `qnd recover {file}` (or qnd::recover) to check and repair it"
    )]
    NeedsRecovery {
        /// The file.
        file: PathBuf,
        /// What was found.
        reason: String,
    },
    /// A read-only open of a file that a live writer is recording, in a
    /// format that cannot be read while it is written (netCDF-4, HDF5
    /// with a superblock older than v3, an HDF5 file family).
    #[error(
        "{file} is being written by another process; live reading works for HDF5 files (with \
         the v3 superblock qnd writes; not file families) and netCDF-3 files"
    )]
    BeingWritten {
        /// The file.
        file: PathBuf,
    },
    /// A read whose result would take more memory than
    /// [`OpenOptions::max_read_bytes`](crate::OpenOptions::max_read_bytes)
    /// allows; nothing was allocated.
    #[error(
        "{file}: {path}: this read needs {bytes} bytes, more than the limit of {limit} bytes \
         (OpenOptions::max_read_bytes); read a part instead (a selection, one member, one record)"
    )]
    TooLarge {
        /// The file.
        file: PathBuf,
        /// The item being read (for a group or list read whole, the member
        /// where the total passed the limit).
        path: String,
        /// The bytes the read needs (saturated at `u128::MAX`).
        bytes: u128,
        /// The limit.
        limit: usize,
    },
    /// An earlier call failed in a way the backend cannot recover from (a
    /// library error while writing data, flushing or closing: the disk
    /// full, an I/O error), so what the file holds is not known: every
    /// later call on the file (through any handle: reads, writes, flush,
    /// close) returns this error, naming that first failure, rather than
    /// carry on over lost data. Open the file again to see what it holds.
    #[error(
        "{file}: an earlier call failed and the file is in an unknown state \
         (open it again to see what it holds): {first}"
    )]
    Failed {
        /// The file.
        file: PathBuf,
        /// The first failure, as it was displayed.
        first: String,
    },
    /// An OS error on the file itself.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A value that the element type of the existing leaf (or record
    /// variable) it is written into cannot hold: see "Casts on write" in
    /// the crate guide. Nothing was written.
    #[error("{file}: {path}: value {value}{} does not fit the leaf's type {dtype}", at_index(.index))]
    Cast {
        /// The file.
        file: PathBuf,
        /// The item written.
        path: String,
        /// The first value that does not fit, as Rust's `{:?}` spells it.
        value: String,
        /// Its index in the value given (`None` for a single value).
        index: Option<Vec<usize>>,
        /// The leaf's element type.
        dtype: DType,
    },
    /// A Rust value that does not convert to a qnd tree, or a tree that
    /// does not convert to a Rust type, through serde (feature `serde`):
    /// `qnd::to_value`, `qnd::from_value`, `QGroup::set_serde`,
    /// `QGroup::read_serde`.
    #[error("{}{path}: {reason}", file.as_ref().map(|f| format!("{}: ", f.display())).unwrap_or_default())]
    Serde {
        /// The file, when a file was being read or written.
        file: Option<PathBuf>,
        /// Where: the item path extended by the field path (`/params/mesh/nx`,
        /// `/runs[2]/t`) for a file; the field path in the value (`mesh.nx`,
        /// `runs[2].t`, `.` for the value itself) otherwise.
        path: String,
        /// What is wrong (`expected u32, found text "abc"`, `missing field
        /// `nx``).
        reason: String,
    },
    /// A soft or external link whose target is missing (or cannot be
    /// opened): reading through it fails, `contains` says false (as h5py's
    /// `in`), and `link_info` still shows where it points.
    #[error("{file}: {path}: dangling link: {reason}")]
    Dangling {
        /// The file.
        file: PathBuf,
        /// The item read through the link.
        path: String,
        /// The link, its target and why the target cannot be reached.
        reason: String,
    },
    /// An item qnd has no kind for ([`Kind::Other`](crate::Kind::Other)):
    /// a dataset or variable of a type qnd does not read (a compound of
    /// other fields, opaque data, a netCDF-4 vlen, ...). It is listed
    /// ([`QGroup::names`](crate::QGroup::names),
    /// [`QGroup::kind`](crate::QGroup::kind),
    /// [`QGroup::other_type`](crate::QGroup::other_type)) but never read
    /// or written: any read of it (or of a group or list holding it,
    /// whole), any write over it, is this error.
    #[error("{file}: {path}: {what}: qnd has no kind for this item (it is listed, never read or written)")]
    Unreadable {
        /// The file.
        file: PathBuf,
        /// The item.
        path: String,
        /// Its type, in the words of its format, with its shape
        /// (`compound {a: i4, b: f8} [3]`): what
        /// [`QGroup::other_type`](crate::QGroup::other_type) gives.
        what: String,
    },
    /// A collective call on a file written by several processes (see
    /// [`parallel`](crate::parallel)) failed on another process: every
    /// process gets an error, this one naming the lowest rank that failed
    /// and its error. Nothing was written by the step that failed.
    #[error("{file}: {path}: {call} failed on rank {rank}: {message}")]
    Parallel {
        /// The file.
        file: PathBuf,
        /// The item the call was made on.
        path: String,
        /// The call (`set`, `flush`, ...).
        call: &'static str,
        /// The lowest rank where it failed.
        rank: usize,
        /// Its error there, as displayed.
        message: String,
    },
    /// The processes writing a file together made different collective
    /// calls (a different call, item, name or recording mode): every
    /// process gets this error before anything is written. The processes
    /// are then out of step for good: end the job.
    #[error(
        "{file}: {path}: collective calls out of step: rank {rank} called {call} here while \
         another rank called something else (every process must make the same collective \
         calls in the same order)"
    )]
    OutOfStep {
        /// The file.
        file: PathBuf,
        /// The item this process's call was made on.
        path: String,
        /// This process's call.
        call: &'static str,
        /// This process's rank.
        rank: usize,
    },
}

/// ` (at [i, j])` for an index, nothing for none.
fn at_index(index: &Option<Vec<usize>>) -> String {
    index
        .as_ref()
        .map(|ix| format!(" (at {ix:?})"))
        .unwrap_or_default()
}

/// Short for `Result<T, qnd::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error and its sources, `: `-separated, a source already spelled out
/// by the error above it not repeated: the whole account of `e` (the
/// library's own reason included) on one line, as `qnd` prints errors.
///
/// ```
/// let e = qnd::open("/no/such/file.h5", "r").unwrap_err();
/// assert!(qnd::error_chain(&e).contains("/no/such/file.h5"));
/// ```
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !more.is_empty() && !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// Where an error happened: the file, the backend and the item path.
/// The path is spelled out only when an error is made: the hot paths
/// (recording, reads under goto) describe where they are with
/// [`Where::member`] and [`Where::record`], which build no string.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Where<'a> {
    pub file: &'a std::path::Path,
    pub backend: &'static str,
    path: ItemPath<'a>,
}

/// An item path, as parts not yet joined.
#[derive(Clone, Copy, Debug)]
enum ItemPath<'a> {
    /// A path spelled out (`/`, `/g/x`).
    Spelled(&'a str),
    /// Member (or relative path, or absolute path) `name` of a group;
    /// with `Some((end, r))`, the path went through record `r` of the list
    /// whose component ends at byte `end` of `name`.
    Member(&'a ItemPath<'a>, &'a str, Option<(usize, usize)>),
    /// Element or record `i`.
    Record(&'a ItemPath<'a>, usize),
}

impl ItemPath<'_> {
    /// The number of components (a record or element counts as one).
    fn depth(&self) -> usize {
        let components =
            |p: &str| p.split('/').filter(|c| !c.is_empty()).count() + p.matches('[').count();
        match *self {
            ItemPath::Spelled(p) => components(p),
            ItemPath::Member(parent, name, through) => {
                let base = if name.starts_with('/') {
                    0
                } else {
                    parent.depth()
                };
                base + components(name) + usize::from(through.is_some())
            }
            ItemPath::Record(parent, _) => parent.depth() + 1,
        }
    }

    fn write(&self, out: &mut String) {
        match *self {
            ItemPath::Spelled(p) => out.push_str(p),
            ItemPath::Member(parent, name, through) => {
                // components joined as the tree spells paths: an absolute
                // path from the root, empty components left out
                let rest = match name.strip_prefix('/') {
                    Some(rest) => {
                        out.push('/');
                        rest
                    }
                    None => {
                        parent.write(out);
                        name
                    }
                };
                let skip = name.len() - rest.len();
                let mut start = skip;
                for part in rest.split('/') {
                    let end = start + part.len();
                    if !part.is_empty() {
                        if !out.ends_with('/') {
                            out.push('/');
                        }
                        out.push_str(part);
                        if let Some((at, r)) = through {
                            if at == end {
                                use std::fmt::Write;
                                let _ = write!(out, "[{r}]");
                            }
                        }
                    }
                    start = end + 1;
                }
            }
            ItemPath::Record(parent, i) => {
                use std::fmt::Write;
                parent.write(out);
                let _ = write!(out, "[{i}]");
            }
        }
    }
}

impl<'a> Where<'a> {
    /// Errors about `path` of `file`.
    pub fn new(file: &'a std::path::Path, backend: &'static str, path: &'a str) -> Where<'a> {
        Where {
            file,
            backend,
            path: ItemPath::Spelled(path),
        }
    }

    /// How many groups and lists deep the item is (`/` is 0, `/g/x` and
    /// `/l[1]` are 2).
    pub fn depth(&self) -> usize {
        self.path.depth()
    }

    /// The refusal of an item nested more than `max` groups or lists deep
    /// (the limit that keeps recursive reads and writes off the end of the
    /// stack).
    pub fn too_deep(&self, max: usize) -> Error {
        self.invalid(format!(
            "nested more than {max} groups or lists deep (qnd's limit for reading \
             or writing a tree); read or write its members by name"
        ))
    }

    /// The refusal of a group or list that is `ancestor` (an item on the
    /// path to it, read in the same call) met again: a hard link to a group
    /// that holds it.
    pub fn cycle(&self, ancestor: &Where) -> Error {
        self.invalid(format!(
            "is {} (a hard link to a group that holds it): a cycle; read its \
             members by name",
            ancestor.path()
        ))
    }

    /// The item `n` steps up (each member or element step is one) from
    /// this one; the top of the path if it has fewer steps.
    pub fn up(&self, n: usize) -> Where<'a> {
        let mut path = self.path;
        for _ in 0..n {
            path = match path {
                ItemPath::Member(parent, ..) | ItemPath::Record(parent, _) => *parent,
                ItemPath::Spelled(_) => break,
            };
        }
        Where {
            file: self.file,
            backend: self.backend,
            path,
        }
    }

    /// Member `name` (a name, or a relative or absolute path) of this
    /// group.
    pub fn member<'b>(&'b self, name: &'b str) -> Where<'b> {
        self.member_through(name, None)
    }

    /// Member `name` of this group, reached through record `r` of the list
    /// whose component of `name` ends at byte `end` (`through` is
    /// `Some((end, r))`), as a walk under goto goes.
    pub fn member_through<'b>(
        &'b self,
        name: &'b str,
        through: Option<(usize, usize)>,
    ) -> Where<'b> {
        Where {
            file: self.file,
            backend: self.backend,
            path: ItemPath::Member(&self.path, name, through),
        }
    }

    /// Element or record `i` of this list or record variable.
    pub fn record(&self, i: usize) -> Where<'_> {
        Where {
            file: self.file,
            backend: self.backend,
            path: ItemPath::Record(&self.path, i),
        }
    }

    /// The item path, spelled out.
    pub fn path(&self) -> String {
        let mut out = String::new();
        self.path.write(&mut out);
        out
    }
}

impl Where<'_> {
    pub fn storage(&self, e: StorageError) -> Error {
        match e {
            StorageError::Library(source) => Error::Backend {
                file: self.file.into(),
                path: self.path(),
                backend: self.backend,
                source,
            },
            StorageError::Unsupported(reason) => self.invalid(reason),
            StorageError::Layout(reason) => self.invalid(format!("unexpected structure: {reason}")),
            StorageError::NotFound => self.no_item(),
            StorageError::Dangling(reason) => Error::Dangling {
                file: self.file.into(),
                path: self.path(),
                reason,
            },
            other => self.invalid(other.to_string()),
        }
    }
    pub fn no_item(&self) -> Error {
        Error::NoItem {
            file: self.file.into(),
            path: self.path(),
        }
    }
    pub fn invalid(&self, reason: impl Into<String>) -> Error {
        Error::Invalid {
            file: self.file.into(),
            path: self.path(),
            reason: reason.into(),
        }
    }
    pub fn mismatch(&self, expected: impl Into<String>, got: impl Into<String>) -> Error {
        Error::Mismatch {
            file: self.file.into(),
            path: self.path(),
            expected: expected.into(),
            got: got.into(),
        }
    }
    /// A value that does not fit an item of `dtype` and `shape` (see
    /// [`Array::fit`](crate::Array::fit)).
    pub fn misfit(&self, dtype: DType, shape: &[usize], e: FitError) -> Error {
        match e {
            FitError::Misfit(got) => {
                let mut g = describe(got.dtype(), got.shape());
                if got.dtype().is_complex() && dtype.is_real() {
                    g.push_str(
                        " (complex values never convert to a real type: the imaginary part would be lost)",
                    );
                }
                self.mismatch(describe(dtype, shape), g)
            }
            FitError::Value(e) => self.cast(e),
            other => self.invalid(format!("{other:?}")),
        }
    }
    /// A value that does not fit the item's element type.
    pub fn cast(&self, e: CastError) -> Error {
        match e {
            CastError::Value { value, index, to } => Error::Cast {
                file: self.file.into(),
                path: self.path(),
                value,
                index,
                dtype: to,
            },
            other => self.invalid(other.to_string()),
        }
    }
    /// A selection that does not fit: an index out of bounds names the
    /// axis.
    pub fn selection(&self, e: SelectionError) -> Error {
        match e {
            SelectionError::OutOfBounds { axis, index, len } => {
                self.out_of_bounds(axis, index, len)
            }
            other => self.invalid(other.to_string()),
        }
    }
    /// Index `index` outside axis `axis` of length `len`.
    pub fn out_of_bounds(&self, axis: usize, index: isize, len: usize) -> Error {
        Error::OutOfBounds {
            file: self.file.into(),
            path: self.path(),
            axis,
            index,
            len,
        }
    }
    pub fn value(&self, e: ValueError) -> Error {
        self.mismatch(e.expected, e.got)
    }
    /// A read of `bytes` bytes over the limit of `limit` bytes.
    pub fn too_large(&self, bytes: u128, limit: usize) -> Error {
        Error::TooLarge {
            file: self.file.into(),
            path: self.path(),
            bytes,
            limit,
        }
    }
    /// Item of [`Kind::Other`](crate::Kind::Other) `what` (its type text)
    /// read or written.
    pub fn unreadable(&self, what: impl Into<String>) -> Error {
        Error::Unreadable {
            file: self.file.into(),
            path: self.path(),
            what: what.into(),
        }
    }
    pub fn read_only(&self) -> Error {
        Error::ReadOnly {
            file: self.file.into(),
            path: self.path(),
        }
    }
}
