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
mod path;
mod read;
mod store;
mod write;

pub use attrs::QAttrs;
pub use group::{GotoIter, ModeGuard, QGroup};
pub use leaf::{Dim, QLeaf};
pub use list::QList;

use crate::error::Result;
use crate::values::{FromValue, Value};

/// What getting a member gives: a handle or a value, depending on the
/// auto-read mode (see [`Auto`](crate::Auto)).
#[derive(Clone, Debug)]
pub enum Item {
    /// A subgroup handle.
    Group(QGroup),
    /// A list handle (also the whole of a record variable with goto off).
    List(QList),
    /// A leaf handle (auto mode 0).
    Leaf(QLeaf),
    /// A value that was read (auto modes 1 and 2; None in every mode).
    Value(Value),
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
            Item::Value(v) => Ok(v),
        }
    }

    /// Read and convert to `T`.
    ///
    /// # Errors
    /// As [`Item::into_value`], and [`Error::Mismatch`](crate::Error::Mismatch)
    /// when the value is not a `T`.
    pub fn read<T: FromValue>(self) -> Result<T> {
        match self {
            Item::Group(g) => g.read_all(),
            Item::List(l) => l.read_all(),
            Item::Leaf(l) => l.read(),
            Item::Value(v) => T::from_value(v).map_err(|e| crate::Error::Mismatch {
                file: "<value>".into(),
                path: String::new(),
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

    /// The value, if this is one.
    pub fn as_value(&self) -> Option<&Value> {
        match self {
            Item::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// `parent/name` as an item path.
pub(crate) fn child_path(parent: &str, name: &str) -> String {
    // built by hand: this runs on every record write
    let mut path = String::with_capacity(parent.len() + name.len() + 1);
    path.push_str(parent);
    if !parent.ends_with('/') {
        path.push('/');
    }
    path.push_str(name);
    path
}

/// `parent[i]`: element `i` of a list or record `i` of a record variable.
pub(crate) fn elem_path(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

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
