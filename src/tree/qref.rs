//! [`QRef`]: a reference to an item of a file (the file's path and the
//! item's path in it), opened on demand, with a [`RefStatus`]; and
//! [`FileMap`], which opens each referenced file once to resolve many
//! references (bamboost's deterministic references).
//!
//! In a file, a reference is stored by [`QGroup::set_ref`] as a scalar
//! text leaf holding its text form, `FILE#/PATH`, marked with the reserved
//! attribute `__qref__` (= 1), so that every backend holds it and any
//! tool reads it as text (h5py: `f["ref"][()]` is `b"data.h5#/run/u"`).
//! `FILE` is a name as [`open`](crate::open) takes it (`~` and `$VAR`
//! expand, `%d` names a family, `%%` is a literal `%`), with each `#` in
//! it written `##`, so that the item path follows the first single `#`
//! followed by `/` (item names may hold `#` too). `FILE` is relative to
//! the folder of the file holding the reference when it lies below it
//! (the pair can be moved together); a name starting with `~` or `$` is
//! kept as written; any other is made absolute. Text written before `#`
//! was doubled reads as it did unless its file name holds `##`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use super::{Item, QGroup};
use crate::error::{Error, Result};
use crate::file::Mode;
use crate::values::FromValue;

/// The reserved attribute marking a text leaf as a stored reference.
pub(crate) const QREF_ATTR: &str = "__qref__";

/// A reference to an item of a file: the file's name (as
/// [`open`](crate::open) takes it: `~`, `$VAR`, a family pattern `%d`,
/// `%%` for a literal `%`) and the item's absolute path in it. Cheap to
/// clone, compared and hashed by both (as written: two names of one file
/// are two references).
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
    /// The text form, `FILE#/PATH`, with the file as given (each `#` in
    /// it written `##`): [`QRef::parse`] reads it back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", escape_file(&self.file), self.path)
    }
}

/// File name `file` for the text form: each `#` written `##`.
fn escape_file(file: &Path) -> String {
    file.display().to_string().replace('#', "##")
}

/// Text form `text` split into the file (each `##` made `#`) and the
/// item path (from its `/`): at the first `#` that is followed by `/`
/// and not part of a `##`. Text with no such `#` but a `#/` (a file name
/// ending with `#`, written before `#` was doubled) is split at the first
/// `#/`.
fn split_text(text: &str) -> Option<(String, &str)> {
    let bytes = text.as_bytes();
    let mut file = String::new();
    let mut from = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'#' {
            match bytes.get(i + 1) {
                Some(b'#') => {
                    file.push_str(&text[from..=i]);
                    i += 2;
                    from = i;
                    continue;
                }
                Some(b'/') => {
                    file.push_str(&text[from..i]);
                    return Some((file, &text[i + 1..]));
                }
                _ => {}
            }
        }
        i += 1;
    }
    let at = text.find("#/")?;
    Some((text[..at].to_string(), &text[at + 1..]))
}

/// Whether file name `file` expands when opened (`~`, `$VAR`): kept as
/// written, never joined to a folder.
fn expands(file: &Path) -> bool {
    file.to_str()
        .is_some_and(|t| t.starts_with('~') || t.starts_with('$'))
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
    /// added) of `file`, a name as [`open`](crate::open) takes it (a
    /// family pattern, `%%` for a literal `%`, `~`, `$VAR`). Nothing is
    /// opened.
    pub fn new(file: impl Into<PathBuf>, path: &str) -> QRef {
        QRef {
            file: file.into(),
            path: item_path(path),
        }
    }

    /// The file's name, as given (see [`QRef::new`]).
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The item's absolute path in the file.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The text form stored in files, `FILE#/PATH` (each `#` in `FILE`
    /// written `##`), the file relative to folder `base` (the folder of
    /// the file holding the reference) when it lies below it; a name
    /// starting with `~` or `$` as written (it expands where it is
    /// opened); else absolute.
    pub fn to_text(&self, base: Option<&Path>) -> String {
        let file = if expands(&self.file) {
            self.file.clone()
        } else {
            base.and_then(|b| below(&self.file, b))
                .unwrap_or_else(|| absolute(&self.file))
        };
        format!("{}#{}", escape_file(&file), self.path)
    }

    /// Parse the text form `FILE#/PATH`: the item path follows the first
    /// `#` that is followed by `/` and not doubled, and each `##` in
    /// `FILE` is a `#` (see the module docs). A relative `FILE`
    /// (not starting with `~` or `$`) is taken relative to folder `base`
    /// when given. `None` when the text is not of that form.
    pub fn parse(text: &str, base: Option<&Path>) -> Option<QRef> {
        let (file, path) = split_text(text)?;
        if file.is_empty() {
            return None;
        }
        let file = PathBuf::from(file);
        let file = match base {
            Some(b) if file.is_relative() && !expands(&file) => b.join(file),
            _ => file,
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
    /// Each file opened, by the file itself (absolute; a family by its
    /// first member).
    files: HashMap<PathBuf, QGroup>,
    /// Each name asked for, and the file it resolved to.
    names: HashMap<PathBuf, PathBuf>,
}

impl FileMap {
    /// No file open yet.
    pub fn new() -> FileMap {
        FileMap::default()
    }

    /// The root of `file` (a name as [`open`](crate::open) takes it),
    /// opened read-only the first time it or another name of the same
    /// file (resolved as `open` resolves it: `~` and `$VAR` expanded, a
    /// family by its first member) is asked for.
    ///
    /// # Errors
    /// As [`open`](crate::open) with mode `r`.
    pub fn file(&mut self, file: &Path) -> Result<QGroup> {
        let key = match self.names.get(file) {
            Some(key) => key.clone(),
            None => {
                let key = absolute(&crate::file::resolve(file)?.first);
                self.names.insert(file.to_path_buf(), key.clone());
                key
            }
        };
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
        if !self.names.contains_key(&r.file) {
            match crate::file::resolve(&r.file) {
                Ok(name) if !name.first.exists() => return RefStatus::FileMissing,
                Ok(_) => {}
                Err(_) => return RefStatus::Unreadable,
            }
        }
        let root = match self.file(&r.file) {
            Ok(root) => root,
            Err(Error::NoFile { .. }) => return RefStatus::FileMissing,
            Err(_) => return RefStatus::Unreadable,
        };
        match root.contains(&r.path) {
            Ok(true) => RefStatus::Ok,
            Ok(false) => RefStatus::ItemMissing,
            Err(Error::Dangling { .. }) => RefStatus::ItemMissing,
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
