//! The tree: [`QGroup`] (named members), [`QList`] (members by position),
//! [`QLeaf`] (an n-d array), and [`Item`], what getting a member gives.
//!
//! Handles are cheap to clone and share the open file; the file closes when
//! [`QGroup::close`] is called or the last handle is dropped.

mod attrs;
mod copy;
mod group;
mod lazy_leaf;
mod leaf;
mod list;
mod materialize;
mod qref;
mod same;

pub use attrs::QAttrs;
pub use copy::LeftOut;
pub use group::{GotoIter, ModeGuard, QGroup};
pub use leaf::{Dim, QLeaf};
pub use list::QList;
pub use qref::{FileMap, QRef, RefStatus};

use std::path::Path;
use std::sync::Arc;

use crate::error::Result;
use crate::file::{self, AsMode, OpenOptions};
use crate::state::State;
use crate::values::{FromValue, Value};

/// What getting a member gives: a handle or a value, depending on the
/// auto-read mode (see [`Auto`](crate::Auto)).
///
/// A value carries its [`Origin`] (the file and item path it was read
/// from), so that [`Item::read`] names them when the value is not the
/// type asked for. Match it as `Item::Value(v, _)`.
#[derive(Clone, Debug)]
pub enum Item {
    /// A subgroup handle.
    Group(QGroup),
    /// A list handle (also the whole of a record variable with goto off).
    List(QList),
    /// A leaf handle (auto mode 0).
    Leaf(QLeaf),
    /// A value that was read (auto modes 1 and 2; None in every mode), and
    /// where it was read from.
    Value(Value, Origin),
}

/// Where a value in an [`Item::Value`] was read from: the file and the
/// item path inside it (`/g/x`; `/t[3]` for a record, `/l[2]` for a list
/// element), for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    file: Arc<Path>,
    path: String,
}

impl Origin {
    pub(crate) fn new(file: &Arc<Path>, path: String) -> Origin {
        Origin {
            file: Arc::clone(file),
            path,
        }
    }

    /// Where `at` points.
    pub(crate) fn of(file: &Arc<Path>, at: &crate::error::Where) -> Origin {
        Origin::new(file, at.path())
    }

    /// The file the value was read from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The item path inside the file.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl Item {
    /// Read whatever this is into a [`Value`] (handles are read whole,
    /// recursively).
    ///
    /// # Errors
    /// As the read of the handle.
    pub fn into_value(self) -> Result<Value> {
        match self {
            Item::Group(g) => g.to_value(),
            Item::List(l) => l.to_value(),
            Item::Leaf(l) => l.read(),
            Item::Value(v, _) => Ok(v),
        }
    }

    /// Read and convert to `T`.
    ///
    /// ```
    /// let f = qnd::memory();
    /// f.set("x", 1.5)?;
    /// assert_eq!(f.get("x")?.read::<f64>()?, 1.5);
    /// let e = f.get("x")?.read::<String>().unwrap_err();
    /// assert_eq!(e.to_string(), "<memory>: /x: expected elements of type str, got f8 []");
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Item::into_value`], and [`Error::Mismatch`](crate::Error::Mismatch),
    /// naming the file and the item path, when the value is not a `T`.
    pub fn read<T: FromValue>(self) -> Result<T> {
        match self {
            Item::Group(g) => g.read_all(),
            Item::List(l) => l.read_all(),
            Item::Leaf(l) => l.read(),
            Item::Value(v, origin) => T::from_value(v).map_err(|e| crate::Error::Mismatch {
                file: origin.file.to_path_buf(),
                path: origin.path,
                expected: e.expected,
                got: e.got,
            }),
        }
    }

    /// The group handle, if this is one.
    pub fn as_group(&self) -> Option<&QGroup> {
        match self {
            Item::Group(g) => Some(g),
            _ => None,
        }
    }

    /// The list handle, if this is one.
    pub fn as_list(&self) -> Option<&QList> {
        match self {
            Item::List(l) => Some(l),
            _ => None,
        }
    }

    /// The leaf handle, if this is one.
    pub fn as_leaf(&self) -> Option<&QLeaf> {
        match self {
            Item::Leaf(l) => Some(l),
            _ => None,
        }
    }

    /// What this is, for messages: "a group", "a list", "a leaf", or the
    /// value's dtype and shape.
    pub(crate) fn describe(&self) -> String {
        match self {
            Item::Group(_) => "a group".into(),
            Item::List(_) => "a list".into(),
            Item::Leaf(_) => "a leaf".into(),
            Item::Value(v, _) => v.describe(),
        }
    }

    /// The value, if this is one.
    pub fn as_value(&self) -> Option<&Value> {
        match self {
            Item::Value(v, _) => Some(v),
            _ => None,
        }
    }

    /// Where the value was read from, if this is one.
    pub fn origin(&self) -> Option<&Origin> {
        match self {
            Item::Value(_, o) => Some(o),
            _ => None,
        }
    }
}

pub(crate) use crate::file::{child_path, elem_path};

/// Open a file and return its root group.
///
/// `mode` is a [`Mode`](crate::Mode) or its h5py spelling (`"r"`, `"r+"`, `"a"`, `"w"`,
/// `"w-"`). The format comes from the extension, else from the first bytes.
///
/// # Errors
/// [`Error::NoFile`](crate::Error::NoFile),
/// [`Error::FileExists`](crate::Error::FileExists),
/// [`Error::Format`](crate::Error::Format) (not an HDF5 or netCDF file, or
/// a format this build lacks), [`Error::Invalid`](crate::Error::Invalid)
/// for an unknown mode string, [`Error::Backend`](crate::Error::Backend)
/// when the library cannot open it.
pub fn open(path: impl AsRef<Path>, mode: impl AsMode) -> Result<QGroup> {
    let path = path.as_ref();
    open_with(path, &OpenOptions::new(file::mode_of(path, mode)?))
}

/// Open a file with [`OpenOptions`].
///
/// # Errors
/// As [`open`].
pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<QGroup> {
    let (file, state) = file::open_file(path.as_ref(), options)?;
    Ok(QGroup::root_of(file, state))
}

/// A new, empty file held in memory (no C library involved): what the
/// examples in these docs use.
pub fn memory() -> QGroup {
    QGroup::root_of(file::memory_file(), State::default())
}

/// A file held in memory over `storage`, an in-memory backend made (and
/// filled) by hand: for tests of what only a backend can make, such as an
/// item qnd has no kind for
/// ([`MemoryStorage::create_other`](crate::backend::MemoryStorage::create_other)).
/// [`memory`] is `memory_from(MemoryStorage::new())`.
///
/// ```
/// use qnd::backend::{MemoryStorage, Storage};
/// use qnd::Kind;
/// let mut m = MemoryStorage::new();
/// let root = m.root();
/// m.create_other(root, "table", "compound {a: i4, b: f8} [3]")?;
/// let f = qnd::memory_from(m);
/// assert_eq!(f.kind("table")?, Kind::Other);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn memory_from(storage: crate::backend::MemoryStorage) -> QGroup {
    QGroup::root_of(file::memory_file_from(storage), State::default())
}

/// A new, empty in-memory file held by each process of `parallel` (see
/// [`crate::parallel::memory`]).
pub(crate) fn memory_in(parallel: &crate::parallel::Parallel) -> QGroup {
    QGroup::root_of(file::memory_file_in(parallel), State::default())
}

#[cfg(test)]
mod file_state_tests;

#[cfg(test)]
mod tests {
    /// Handles can move to another thread (the file is shared behind a
    /// lock); they are not `Sync` because each handle's modes are its own.
    #[test]
    fn handles_are_send() {
        fn send<T: Send>() {}
        send::<super::QGroup>();
        send::<super::QList>();
        send::<super::QLeaf>();
        send::<super::QAttrs>();
        send::<super::Item>();
        let f = crate::memory();
        f.set("x", 1.0).unwrap();
        let x = std::thread::spawn(move || f.read::<f64>("x").unwrap())
            .join()
            .unwrap();
        assert_eq!(x, 1.0);
    }
}
