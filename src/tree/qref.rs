//! [`QRef`]: a reference to an item of a file (the file's path and the
//! item's path in it), opened on demand, with a [`RefStatus`]; and
//! [`FileMap`], which opens each referenced file once to resolve many
//! references (bamboost's deterministic references).
//!
//! In a file, a reference is stored by [`QGroup::set_ref`] as a scalar
//! text leaf holding its text form, `FILE#/PATH`, marked with the reserved
//! attribute `__qref__` (= 1), so that every backend holds it and any
//! tool reads it as text (h5py: `f["ref"][()]` is `b"data.h5#/run/u"`).
//! `FILE` is relative to the folder of the file holding the reference
//! when it lies below it (the pair can be moved together), else absolute;
//! the item path follows the first `#/`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use super::{Item, QGroup};
use crate::error::{Error, Result};
use crate::file::Mode;
use crate::values::FromValue;

/// The reserved attribute marking a text leaf as a stored reference.
pub(crate) const QREF_ATTR: &str = "__qref__";

/// A reference to an item of a file: the file's path and the item's
/// absolute path in it. Cheap to clone, compared and hashed by both.
///
/// ```no_run
/// use qnd::{QRef, RefStatus};
/// let r = QRef::new("runs/a.h5", "/fields/u");
/// if r.status() == RefStatus::Ok {
///     let u: Vec<f64> = r.read()?;
/// }
/// # Ok::<(), qnd::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QRef {
    file: PathBuf,
    path: String,
}

/// Whether a [`QRef`] can be resolved now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefStatus {
    /// The file opens and holds the item.
    Ok,
    /// There is no file at the path.
    FileMissing,
    /// The file opens but has no such item (a dangling link included).
    ItemMissing,
    /// The file is there but cannot be opened or read (not HDF5 or
    /// netCDF, no permission, damaged): opening the reference says why.
    Unreadable,
}

impl fmt::Display for QRef {
    /// The text form, `FILE#/PATH`, with the file as given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file.display(), self.path)
    }
}

/// `path` as an absolute item path: a leading `/`, no empty components.
fn item_path(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

/// `path` made absolute against the working directory, lexically.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `file` relative to folder `base` when it lies below it.
fn below(file: &Path, base: &Path) -> Option<PathBuf> {
    let (file, base) = (absolute(file), absolute(base));
    let rel = file.strip_prefix(&base).ok()?;
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| rel.to_path_buf())
}

impl QRef {
    /// A reference to item `path` (absolute; a missing leading `/` is
    /// added) of `file`. Nothing is opened.
    pub fn new(file: impl Into<PathBuf>, path: &str) -> QRef {
        QRef {
            file: file.into(),
            path: item_path(path),
        }
    }

    /// The file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The item's absolute path in the file.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The text form stored in files, `FILE#/PATH`, the file relative to
    /// folder `base` (the folder of the file holding the reference) when
    /// it lies below it, else absolute.
    pub fn to_text(&self, base: Option<&Path>) -> String {
        let file = base
            .and_then(|b| below(&self.file, b))
            .unwrap_or_else(|| absolute(&self.file));
        format!("{}#{}", file.display(), self.path)
    }

    /// Parse the text form `FILE#/PATH` (split at the first `#/`); a
    /// relative `FILE` is taken relative to folder `base` when given.
    /// `None` when the text is not of that form.
    pub fn parse(text: &str, base: Option<&Path>) -> Option<QRef> {
        let at = text.find("#/")?;
        let (file, path) = (&text[..at], &text[at + 1..]);
        if file.is_empty() {
            return None;
        }
        let file = Path::new(file);
        let file = match base {
            Some(b) if file.is_relative() => b.join(file),
            _ => file.to_path_buf(),
        };
        Some(QRef::new(file, path))
    }

    /// Whether the reference resolves now (the file is opened read-only
    /// and closed again; use a [`FileMap`] for many references).
    pub fn status(&self) -> RefStatus {
        FileMap::new().status(self)
    }

    /// Open the file read-only and return the item as a handle (auto mode
    /// off: nothing is read; a None member is `Item::Value(None)`). The
    /// file stays open while the handle lives.
    ///
    /// # Errors
    /// [`Error::NoFile`] when the file is missing, [`Error::NoItem`]
    /// (naming the file and the path) when the item is, and the errors of
    /// [`open`](crate::open) for a file that cannot be opened.
    pub fn open(&self) -> Result<Item> {
        FileMap::new().open(self)
    }

    /// Read the item whole and convert it.
    ///
    /// # Errors
    /// As [`QRef::open`], and read errors.
    pub fn read<T: FromValue>(&self) -> Result<T> {
        self.open()?.read()
    }
}

/// Files opened (read-only) to resolve references, each once: resolving
/// many references into a few files opens each file one time.
///
/// ```no_run
/// use qnd::{FileMap, QRef};
/// let refs = [QRef::new("a.h5", "/u"), QRef::new("a.h5", "/v")];
/// let mut files = FileMap::new();
/// for r in &refs {
///     let x: Vec<f64> = files.read(r)?;
/// }
/// assert_eq!(files.len(), 1);
/// # Ok::<(), qnd::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct FileMap {
    files: HashMap<PathBuf, QGroup>,
}

impl FileMap {
    /// No file open yet.
    pub fn new() -> FileMap {
        FileMap::default()
    }

    /// The root of `file`, opened read-only the first time it is asked
    /// for.
    ///
    /// # Errors
    /// As [`open`](crate::open) with mode `r`.
    pub fn file(&mut self, file: &Path) -> Result<QGroup> {
        let key = absolute(file);
        if let Some(root) = self.files.get(&key) {
            return Ok(root.clone());
        }
        let root = crate::open(file, Mode::Read)?;
        self.files.insert(key, root.clone());
        Ok(root)
    }

    /// The item `r` refers to, as a handle (see [`QRef::open`]).
    ///
    /// # Errors
    /// As [`QRef::open`].
    pub fn open(&mut self, r: &QRef) -> Result<Item> {
        let root = self.file(&r.file)?;
        if r.path == "/" {
            return Ok(Item::Group(root));
        }
        root.item(&r.path)
    }

    /// Read the item `r` refers to whole and convert it.
    ///
    /// # Errors
    /// As [`QRef::read`].
    pub fn read<T: FromValue>(&mut self, r: &QRef) -> Result<T> {
        self.open(r)?.read()
    }

    /// Whether `r` resolves now.
    pub fn status(&mut self, r: &QRef) -> RefStatus {
        if !r.file.exists() {
            return RefStatus::FileMissing;
        }
        let root = match self.file(&r.file) {
            Ok(root) => root,
            Err(Error::NoFile { .. }) => return RefStatus::FileMissing,
            Err(_) => return RefStatus::Unreadable,
        };
        match root.contains(&r.path) {
            Ok(true) => RefStatus::Ok,
            Ok(false) => RefStatus::ItemMissing,
            Err(e) if e.to_string().contains("dangling link") => RefStatus::ItemMissing,
            Err(_) => RefStatus::Unreadable,
        }
    }

    /// How many files are open.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file is open.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Close every file.
    ///
    /// # Errors
    /// The first error of [`QGroup::close`]; every file is closed.
    pub fn close(self) -> Result<()> {
        let mut first = Ok(());
        for root in self.files.into_values() {
            if let Err(e) = root.close() {
                if first.is_ok() {
                    first = Err(e);
                }
            }
        }
        first
    }
}
