//! [`QList`]: members by position.

use std::cell::Cell;
use std::fmt;

use super::{elem_path, Item, Origin, QAttrs, QGroup, QLeaf};
use crate::backend::Kind;
use crate::backend::NodeId;
use crate::error::{Error, Result};
use crate::file::{kind_name, read, write, FileRef};
use crate::selection::{Axis, Selection};
use crate::state::{Auto, State};
use crate::values::{FromValue, Value};

/// A list: members addressed by position, each a group, list, leaf or
/// None. Also the view of a record variable with goto off: element `i` is
/// record `i`.
///
/// A list has its own auto-read mode (copied from the group it came from)
/// but no recording or goto mode.
pub struct QList {
    file: FileRef,
    id: NodeId,
    /// A record variable of recording mode 1 (one array with a record
    /// axis) rather than a list group.
    records: bool,
    path: String,
    auto: Cell<Auto>,
}

impl Clone for QList {
    fn clone(&self) -> QList {
        QList {
            file: self.file.clone(),
            id: self.id,
            records: self.records,
            path: self.path.clone(),
            auto: Cell::new(self.auto.get()),
        }
    }
}

impl fmt::Debug for QList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QList")
            .field("file", &self.file.file)
            .field("path", &self.path)
            .field("records", &self.records)
            .finish()
    }
}

impl QList {
    pub(crate) fn new(file: FileRef, id: NodeId, records: bool, path: String, auto: Auto) -> QList {
        QList {
            file,
            id,
            records,
            path,
            auto: Cell::new(auto),
        }
    }

    /// The item path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The file's name, for messages made outside this module.
    #[cfg(feature = "serde")]
    pub(crate) fn file_path(&self) -> std::path::PathBuf {
        self.file.file_path()
    }

    /// True when this is a record variable of recording mode 1 (every
    /// element of one dtype and shape, stored as one array).
    pub fn is_records(&self) -> bool {
        self.records
    }

    /// The auto-read mode.
    pub fn auto(&self) -> Auto {
        self.auto.get()
    }

    /// Set the auto-read mode of this list handle.
    pub fn set_auto(&self, auto: Auto) {
        self.auto.set(auto);
    }

    /// The number of elements.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn len(&self) -> Result<usize> {
        let mut core = self.file.lock()?;
        let at = self.file.at(&self.path);
        if self.records {
            Ok(core.records(self.id).map_err(|e| at.storage(e))?)
        } else {
            read::list_len(&mut core, &at, self.id)
        }
    }

    /// True when the list has no elements.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    fn index(&self, i: isize) -> Result<usize> {
        let n = self.len()?;
        let j = if i < 0 { i + n as isize } else { i };
        if j < 0 || j as usize >= n {
            return Err(Error::NoItem {
                file: self.file.file_path(),
                path: format!("{}[{i}] ({n} elements)", self.path),
            });
        }
        Ok(j as usize)
    }

    /// What element `i` (negative from the end) is, without reading it.
    ///
    /// # Errors
    /// [`Error::NoItem`] for an index out of range.
    pub fn kind(&self, i: isize) -> Result<Kind> {
        let i = self.index(i)?;
        if self.records {
            return Ok(Kind::Leaf);
        }
        let path = elem_path(&self.path, i);
        let mut core = self.file.lock()?;
        Ok(read::element(&mut core, &self.file.at(&path), self.id, i)?.1)
    }

    /// What element `i` (negative from the end) of [`Kind::Other`] is, as
    /// [`QGroup::other_type`] says of a member.
    ///
    /// # Errors
    /// [`Error::NoItem`] for an index out of range; [`Error::Mismatch`]
    /// when the element is of another kind.
    pub fn other_type(&self, i: isize) -> Result<String> {
        let i = self.index(i)?;
        let path = elem_path(&self.path, i);
        let at = self.file.at(&path);
        let mut core = self.file.lock()?;
        let kind = if self.records {
            Kind::Leaf
        } else {
            read::element(&mut core, &at, self.id, i)?.1
        };
        if kind != Kind::Other {
            return Err(at.mismatch(kind_name(Kind::Other), kind_name(kind)));
        }
        let (id, _) = read::element(&mut core, &at, self.id, i)?;
        read::other_type(&mut core, &at, id)
    }

    /// Element `i` (negative from the end) as the list's auto mode says.
    ///
    /// # Errors
    /// [`Error::NoItem`] for an index out of range; read errors.
    pub fn get(&self, i: isize) -> Result<Item> {
        let i = self.index(i)?;
        self.get_at(i, self.auto.get())
    }

    fn get_at(&self, i: usize, auto: Auto) -> Result<Item> {
        if self.records {
            let leaf = QLeaf::new(self.file.clone(), self.id, Some(i), self.path.clone());
            return if auto == Auto::Off {
                Ok(Item::Leaf(leaf))
            } else {
                let origin = Origin::new(&self.file.file, leaf.path().to_string());
                leaf.read().map(|v| Item::Value(v, origin))
            };
        }
        let path = elem_path(&self.path, i);
        let at = self.file.at(&path);
        let mut core = self.file.lock()?;
        let (id, kind) = read::element(&mut core, &at, self.id, i)?;
        let origin = || Origin::new(&self.file.file, path.clone());
        match kind {
            Kind::None => Ok(Item::Value(Value::None, origin())),
            Kind::Other => Err(read::unreadable(&mut core, &at, id)),
            Kind::Leaf if auto == Auto::Off => {
                Ok(Item::Leaf(QLeaf::new(self.file.clone(), id, None, path)))
            }
            Kind::Leaf => {
                let v = read::read_item(&mut core, &at, id, kind, None)?;
                Ok(Item::Value(v, origin()))
            }
            Kind::Group => {
                let state = State {
                    auto,
                    ..State::default()
                };
                let g = QGroup::at_node(self.file.clone(), id, path.clone(), state);
                drop(core);
                if auto == Auto::All {
                    g.to_value().map(|v| Item::Value(v, origin()))
                } else {
                    Ok(Item::Group(g))
                }
            }
            Kind::List | Kind::Records => {
                let l = QList::new(
                    self.file.clone(),
                    id,
                    kind == Kind::Records,
                    path.clone(),
                    auto,
                );
                drop(core);
                if auto == Auto::All {
                    l.to_value().map(|v| Item::Value(v, origin()))
                } else {
                    Ok(Item::List(l))
                }
            }
        }
    }

    /// Read element `i` whole and convert it.
    ///
    /// # Errors
    /// As [`QList::get`], and [`Error::Mismatch`].
    pub fn read<T: FromValue>(&self, i: isize) -> Result<T> {
        let i = self.index(i)?;
        let v = self.get_at(i, Auto::All)?.into_value()?;
        let path = elem_path(&self.path, i);
        T::from_value(v).map_err(|e| self.file.at(&path).value(e))
    }

    /// Elements `start:stop:step` (numpy rules: negative from the end,
    /// bounds clipped) as the list's auto mode says.
    ///
    /// # Errors
    /// As [`QList::get`]; a step of 0 is [`Error::Invalid`].
    pub fn slice(
        &self,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    ) -> Result<Vec<Item>> {
        let n = self.len()?;
        let region = Selection::from(vec![Axis::Slice { start, stop, step }])
            .resolve(&[n])
            .map_err(|e| self.file.at(&self.path).invalid(e.to_string()))?;
        let ax = region.axes[0];
        (0..ax.count)
            .map(|k| self.get_at(ax.index(k), self.auto.get()))
            .collect()
    }

    /// Iterate over the elements, each as the auto mode says.
    ///
    /// # Errors
    /// When the length cannot be read; each element may fail on its own.
    pub fn iter(&self) -> Result<impl Iterator<Item = Result<Item>> + '_> {
        let n = self.len()?;
        let auto = self.auto.get();
        Ok((0..n).map(move |i| self.get_at(i, auto)))
    }

    /// Read every element into a [`Value::List`].
    ///
    /// # Errors
    /// Read errors.
    pub fn to_value(&self) -> Result<Value> {
        let mut core = self.file.lock()?;
        let at = self.file.at(&self.path);
        let kind = if self.records {
            Kind::Records
        } else {
            Kind::List
        };
        read::read_item(&mut core, &at, self.id, kind, None)
    }

    /// Read every element and convert.
    ///
    /// # Errors
    /// As [`QList::to_value`], and [`Error::Mismatch`].
    pub fn read_all<T: FromValue>(&self) -> Result<T> {
        let at = self.file.at(&self.path);
        if self.records {
            // one read, converted whole
            let mut core = self.file.lock()?;
            let a = read::read_leaf(&mut core, &at, self.id, None, &Selection::all())?;
            drop(core);
            return T::from_records(a).map_err(|e| at.value(e));
        }
        T::from_value(self.to_value()?).map_err(|e| at.value(e))
    }

    /// Append an element. For a record variable of recording mode 1 it must
    /// have the records' shape, its values cast to their dtype, each
    /// checked ("Casts on write" in the crate guide).
    ///
    /// # Errors
    /// [`Error::ReadOnly`], [`Error::Mismatch`], [`Error::Cast`] (nothing
    /// is written).
    pub fn append(&self, value: impl Into<Value>) -> Result<()> {
        self.file.collective("append", &self.path, "", 0, || {
            let value = value.into();
            let at = self.file.at(&self.path);
            let mut core = self.file.lock_mut(&self.path)?;
            if self.records {
                write::append_record(&mut core, &at, self.id, &value)?;
            } else {
                write::append_element(&mut core, &at, self.id, &value)?;
            }
            Ok(())
        })
    }

    /// Append several elements.
    ///
    /// # Errors
    /// The first error of [`QList::append`].
    pub fn extend<V: Into<Value>>(&self, values: impl IntoIterator<Item = V>) -> Result<()> {
        for v in values {
            self.append(v)?;
        }
        Ok(())
    }

    /// Overwrite element `i`, which must be a leaf (or record) of the same
    /// shape, the values cast to its dtype, each checked ("Casts on write"
    /// in the crate guide); or None set to None, an empty group or list to
    /// an empty one.
    ///
    /// # Errors
    /// [`Error::NoItem`], [`Error::Mismatch`], [`Error::Cast`] (nothing is
    /// written), [`Error::ReadOnly`].
    pub fn set(&self, i: isize, value: impl Into<Value>) -> Result<()> {
        self.file.collective("set", &self.path, "", i as u64, || {
            let value = value.into();
            let i = self.index(i)?;
            let path = elem_path(&self.path, i);
            let at = self.file.at(&path);
            let mut core = self.file.lock_mut(&path)?;
            if self.records {
                return write::write_leaf(
                    &mut core,
                    &at,
                    self.id,
                    Some(i),
                    &Selection::all(),
                    &value,
                    false,
                );
            }
            let (id, kind) = read::element(&mut core, &at, self.id, i)?;
            match (kind, &value) {
                (Kind::Leaf, _) => {
                    write::write_leaf(&mut core, &at, id, None, &Selection::all(), &value, false)
                }
                (Kind::None, Value::None) => Ok(()),
                (Kind::Other, _) => Err(read::unreadable(&mut core, &at, id)),
                (Kind::Group, Value::Group(m)) if m.is_empty() => Ok(()),
                (Kind::List, Value::List(l)) if l.is_empty() => Ok(()),
                (kind, v) => Err(at.mismatch(kind_name(kind), v.describe())),
            }
        })
    }

    /// A leaf handle on element `i` (record `i` of a record variable).
    ///
    /// # Errors
    /// [`Error::NoItem`], [`Error::Mismatch`] when it is not a leaf.
    pub fn leaf(&self, i: isize) -> Result<QLeaf> {
        match self.get_at(self.index(i)?, Auto::Off)? {
            Item::Leaf(l) => Ok(l),
            other => Err(self.not_a("a leaf element", &other)),
        }
    }

    /// A group handle on element `i`.
    ///
    /// # Errors
    /// [`Error::NoItem`], [`Error::Mismatch`] when it is not a group.
    pub fn group(&self, i: isize) -> Result<QGroup> {
        match self.get_at(self.index(i)?, Auto::Off)? {
            Item::Group(g) => Ok(g),
            other => Err(self.not_a("a group element", &other)),
        }
    }

    /// A list handle on element `i`.
    ///
    /// # Errors
    /// [`Error::NoItem`], [`Error::Mismatch`] when it is not a list.
    pub fn list(&self, i: isize) -> Result<QList> {
        match self.get_at(self.index(i)?, Auto::Off)? {
            Item::List(l) => Ok(l),
            other => Err(self.not_a("a list element", &other)),
        }
    }

    /// The [`Error::Mismatch`] of an element that is `other`, not `what`.
    fn not_a(&self, what: &str, other: &Item) -> Error {
        self.file.at(&self.path).mismatch(what, other.describe())
    }

    /// A leaf handle on the whole record variable as one array whose first
    /// axis is the record (only for [`QList::is_records`]), to read a slab
    /// of history without reading all of it.
    ///
    /// # Errors
    /// [`Error::Mismatch`] for a list that is not a record variable.
    pub fn as_array(&self) -> Result<QLeaf> {
        if !self.records {
            return Err(self
                .file
                .at(&self.path)
                .mismatch("a record variable", "a list"));
        }
        Ok(QLeaf::new(
            self.file.clone(),
            self.id,
            None,
            self.path.clone(),
        ))
    }

    /// The attributes of this list (on its group, or its dataset for a
    /// record variable).
    pub fn attrs(&self) -> QAttrs {
        let kind = if self.records {
            Kind::Records
        } else {
            Kind::List
        };
        QAttrs::new(self.file.clone(), self.id, kind, self.path.clone())
    }
}
