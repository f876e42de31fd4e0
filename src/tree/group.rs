//! [`QGroup`]: named members, like a dict, with qnd's modes.

use std::cell::Cell;
use std::fmt;
use std::path::PathBuf;

use crate::backend::Kind;
use crate::file::{FileRef, FileState};
use super::ops;
use super::path;
use super::{child_path, Item, QAttrs, QLeaf, QList};
use crate::backend::{NodeId, Storage};
use crate::error::{At, Error, Result};
use crate::selection::Selection;
use crate::state::{Auto, GotoIndex, Recording, State};
use crate::values::{DType, FromValue, Value};

/// A group: named members (groups, lists, leaves, None) in order, plus the
/// modes that decide what getting and setting them does.
///
/// The root group of a file is what [`open`](crate::open) returns. A
/// subgroup handle starts with the modes of the group it came from; after
/// that the two are independent.
///
/// Handles are cheap to clone. A clone shares the file but has its own
/// copy of the modes.
pub struct QGroup {
    pub(crate) file: FileRef,
    pub(crate) id: NodeId,
    pub(crate) path: String,
    state: Cell<State>,
}

impl Clone for QGroup {
    fn clone(&self) -> QGroup {
        QGroup {
            file: self.file.clone(),
            id: self.id,
            path: self.path.clone(),
            state: Cell::new(self.state.get()),
        }
    }
}

impl fmt::Debug for QGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QGroup")
            .field("file", &self.file.file)
            .field("path", &self.path)
            .field("state", &self.state.get())
            .finish()
    }
}

/// Where a path leads: the group holding the last component, and its name.
struct Target {
    group: QGroup,
    name: String,
}

impl QGroup {
    pub(crate) fn root_of(file: FileRef, state: State) -> QGroup {
        let id = file.root;
        QGroup {
            file,
            id,
            path: "/".into(),
            state: Cell::new(state),
        }
    }

    /// A handle on group node `id` (takes no lock).
    pub(crate) fn at_node(file: FileRef, id: NodeId, path: String, state: State) -> QGroup {
        QGroup {
            file,
            id,
            path,
            state: Cell::new(state),
        }
    }

    pub(crate) fn sub(&self, id: NodeId, path: String) -> QGroup {
        QGroup {
            file: self.file.clone(),
            id,
            path,
            state: Cell::new(self.state.get()),
        }
    }

    fn at<'a>(&'a self, path: &'a str) -> At<'a> {
        self.file.at(path)
    }

    // ------------------------------------------------------------ paths

    /// Split `name` (which may be a path `a/b/x` or `/a/b/x`) into the group
    /// holding its last component and that component, under one lock.
    fn target(&self, name: &str) -> Result<Target> {
        if !name.contains('/') {
            return Ok(Target {
                group: self.clone(),
                name: name.to_string(),
            });
        }
        let walked = {
            let mut core = self.file.lock()?;
            path::walk(
                &mut core,
                self.file.root,
                self.id,
                &self.at(&self.path),
                name,
                self.state.get().goto,
            )?
        };
        Ok(Target {
            group: self.sub(walked.group, walked.group_path(&self.path)),
            name: walked.name.to_string(),
        })
    }

    /// Member `name` (or a path) under the caller's lock: its node and
    /// kind, resolved with cached lookups and no string built unless an
    /// error is returned. `None` for a path naming a group itself.
    pub(crate) fn resolve(
        &self,
        core: &mut FileState,
        at: &At,
        name: &str,
    ) -> Result<Option<(NodeId, Kind)>> {
        let walked = path::walk(
            core,
            self.file.root,
            self.id,
            at,
            name,
            self.state.get().goto,
        )?;
        if walked.name.is_empty() {
            return Ok(None);
        }
        let here = at.member(name);
        let found = core
            .lookup(walked.group, walked.name)
            .map_err(|e| here.storage(e))?
            .ok_or_else(|| here.no_item())?;
        Ok(Some(found))
    }

    /// Look up a direct member.
    fn lookup(&self, core: &mut FileState, name: &str, path: &str) -> Result<Option<(NodeId, Kind)>> {
        core.lookup(self.id, name)
            .map_err(|e| self.at(path).storage(e))
    }

    fn member(&self, core: &mut FileState, name: &str, path: &str) -> Result<(NodeId, Kind)> {
        self.lookup(core, name, path)?
            .ok_or_else(|| self.at(path).no_item())
    }

    // ------------------------------------------------------------ modes

    /// The current modes.
    pub fn state(&self) -> State {
        self.state.get()
    }

    /// Replace all modes at once.
    pub fn set_state(&self, state: State) {
        self.state.set(state);
    }

    /// The auto-read mode.
    pub fn auto(&self) -> Auto {
        self.state.get().auto
    }

    /// Set the auto-read mode (qnd's `f.auto(n)`).
    pub fn set_auto(&self, auto: Auto) {
        self.update_state(|s| s.auto = auto);
    }

    /// The recording mode.
    pub fn recording(&self) -> Recording {
        self.state.get().recording
    }

    /// Set the recording mode (qnd's `f.recording(n)`).
    pub fn set_recording(&self, recording: Recording) {
        self.update_state(|s| s.recording = recording);
    }

    /// Go to record `record` (negative from the end): record variables then
    /// read as that one record. Nothing is checked until a read.
    pub fn goto(&self, record: isize) {
        self.update_state(|s| s.goto = Some(record));
    }

    /// Turn goto mode off: record variables read as the list of all their
    /// records.
    pub fn goto_off(&self) {
        self.update_state(|s| s.goto = None);
    }

    /// The current record, or `None` when goto mode is off.
    pub fn current_record(&self) -> Option<isize> {
        self.state.get().goto
    }

    fn update_state(&self, f: impl FnOnce(&mut State)) {
        let mut s = self.state.get();
        f(&mut s);
        self.state.set(s);
    }

    /// Go to the record where scalar record variable `name` is nearest
    /// `value` (qnd's `f.goto(time=t)`), and return that record.
    ///
    /// Only records where the variable moves monotonically count (records
    /// overlapped by a restart are skipped); a decreasing variable works
    /// too. See [`GotoIndex`].
    ///
    /// # Errors
    /// [`Error::NoItem`]; [`Error::Invalid`] when `name` is not a record
    /// variable of numeric scalars or `value` is NaN; [`Error::NoRecord`]
    /// when it has no records.
    pub fn goto_nearest(&self, name: &str, value: f64) -> Result<usize> {
        let at = self.at(&self.path);
        let here = at.member(name);
        if value.is_nan() {
            return Err(here.invalid("goto to the record nearest NaN: no record is nearest NaN"));
        }
        let mut core = self.file.lock()?;
        let Some((id, kind)) = self.resolve(&mut core, &at, name)? else {
            return Err(here.invalid("goto needs a record variable"));
        };
        let found = match core.goto_index(id) {
            Some(index) => index.nearest(value),
            None => {
                let index = self.build_goto_index(&mut core, id, kind, &here)?;
                let found = index.nearest(value);
                if kind == Kind::Records {
                    core.keep_goto_index(id, index);
                }
                found
            }
        };
        drop(core);
        let record = found.ok_or_else(|| Error::NoRecord {
            file: self.file.file_path(),
            path: here.path(),
            index: 0,
            count: 0,
        })?;
        self.goto(record as isize);
        Ok(record)
    }

    /// The goto-by-value index of scalar record variable `name`. For a
    /// record variable (recording mode 1) it is built once, on first use,
    /// and kept up to date as records are added.
    ///
    /// # Errors
    /// As [`QGroup::goto_nearest`].
    pub fn goto_index(&self, name: &str) -> Result<GotoIndex> {
        let at = self.at(&self.path);
        let here = at.member(name);
        let mut core = self.file.lock()?;
        let Some((id, kind)) = self.resolve(&mut core, &at, name)? else {
            return Err(here.invalid("goto needs a record variable"));
        };
        if let Some(index) = core.goto_index(id) {
            return Ok(index.clone());
        }
        let index = self.build_goto_index(&mut core, id, kind, &here)?;
        if kind == Kind::Records {
            core.keep_goto_index(id, index.clone());
        }
        Ok(index)
    }

    /// Build the goto index of member `id` from all its records.
    fn build_goto_index(
        &self,
        core: &mut FileState,
        id: NodeId,
        kind: Kind,
        at: &At,
    ) -> Result<GotoIndex> {
        let at = *at;
        let core = &mut *core;
        let values: Vec<f64> = match kind {
            Kind::Records => {
                let info = core.storage.info(id).map_err(|e| at.storage(e))?;
                if info.shape.len() != 1 {
                    return Err(at.invalid(format!(
                        "goto needs a scalar record variable; records have shape {:?}",
                        &info.shape[1..]
                    )));
                }
                let a = ops::read_leaf(core, &at, id, None, &Selection::all())?;
                let f = a
                    .to_f64()
                    .ok_or_else(|| at.invalid(format!("goto needs numbers, not {}", a.dtype())))?;
                f.iter().copied().collect()
            }
            Kind::List => {
                let n = ops::list_len(core, &at, id)?;
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    let v = ops::read_element(core, &at, id, i)?;
                    let x = match &v {
                        Value::Array(a) if a.ndim() == 0 => a.to_f64().map(|f| f[[]]),
                        _ => None,
                    };
                    let x = x.ok_or_else(|| {
                        at.invalid(format!(
                            "goto needs scalar numeric records; record {i} is {}",
                            v.describe()
                        ))
                    })?;
                    out.push(x);
                }
                out
            }
            _ => return Err(at.invalid("goto needs a record variable")),
        };
        if values.is_empty() {
            return Err(Error::NoRecord {
                file: self.file.file_path(),
                path: at.path(),
                index: 0,
                count: 0,
            });
        }
        Ok(GotoIndex::new(&values))
    }

    /// The largest record count among the record variables of this group
    /// (0 when there are none).
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn record_count(&self) -> Result<usize> {
        let mut core = self.file.lock()?;
        let at = self.at(&self.path);
        let names = core.storage.names(self.id).map_err(|e| at.storage(e))?;
        let mut n = 0;
        for name in names {
            let path = child_path(&self.path, &name);
            let here = self.at(&path);
            match self.lookup(&mut core, &name, &path)? {
                Some((id, Kind::Records)) => {
                    let info = core.storage.info(id).map_err(|e| here.storage(e))?;
                    n = n.max(info.shape.first().copied().unwrap_or(0));
                }
                Some((id, Kind::List)) => n = n.max(ops::list_len(&mut core, &here, id)?),
                _ => {}
            }
        }
        Ok(n)
    }

    /// Iterate over every record (`0..record_count()`), going to each in
    /// turn (qnd's `gotoit`). The goto state from before is restored when
    /// the iterator is dropped, however the loop ends.
    ///
    /// # Errors
    /// As [`QGroup::record_count`].
    pub fn goto_iter(&self) -> Result<GotoIter<'_>> {
        let n = self.record_count()?;
        Ok(GotoIter::new(self, (0..n).collect()))
    }

    /// Iterate over the records that count for goto-by-value on `name`, in
    /// increasing order of its values (qnd's `gotoit(name)`).
    ///
    /// # Errors
    /// As [`QGroup::goto_nearest`].
    pub fn goto_iter_by(&self, name: &str) -> Result<GotoIter<'_>> {
        let index = self.goto_index(name)?;
        Ok(GotoIter::new(self, index.records()))
    }

    /// Save the modes; they are restored when the guard is dropped (qnd's
    /// `push`/`drop`). The guard derefs to this group.
    pub fn push(&self) -> ModeGuard<'_> {
        ModeGuard {
            group: self,
            saved: self.state.get(),
        }
    }

    // ------------------------------------------------------------ file

    /// The root group of the file (with this group's modes).
    pub fn root(&self) -> QGroup {
        QGroup::root_of(self.file.clone(), self.state.get())
    }

    /// True for the root group.
    pub fn is_root(&self) -> bool {
        self.path == "/"
    }

    /// The path of this group in the file (`/` for the root).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The file's name.
    pub fn file_path(&self) -> PathBuf {
        self.file.file_path()
    }

    /// Write everything to the file (the file stays open).
    ///
    /// # Errors
    /// [`Error::Backend`] when the library fails, [`Error::Closed`].
    pub fn flush(&self) -> Result<()> {
        self.file.flush()
    }

    /// Close the file. Every handle of it then gives [`Error::Closed`].
    /// Dropping the last handle also closes the file, but only `close`
    /// reports errors.
    ///
    /// # Errors
    /// [`Error::Backend`] when the library fails to close the file.
    pub fn close(&self) -> Result<()> {
        self.file.close()
    }

    // ------------------------------------------------------------ dict

    /// Names of the members, in order.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn names(&self) -> Result<Vec<String>> {
        let mut core = self.file.lock()?;
        core.storage
            .names(self.id)
            .map_err(|e| self.at(&self.path).storage(e))
    }

    /// The number of members.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn len(&self) -> Result<usize> {
        Ok(self.names()?.len())
    }

    /// True when the group has no members.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// True when `name` (a member or a path) exists.
    ///
    /// # Errors
    /// When the file cannot be read (a missing intermediate group is just
    /// `false`).
    pub fn contains(&self, name: &str) -> Result<bool> {
        let t = match self.target(name) {
            Ok(t) => t,
            Err(Error::NoItem { .. } | Error::Mismatch { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        if t.name.is_empty() {
            return Ok(true);
        }
        let path = child_path(&t.group.path, &t.name);
        let mut core = self.file.lock()?;
        Ok(t.group.lookup(&mut core, &t.name, &path)?.is_some())
    }

    /// What member `name` (or a path) is, without reading it.
    ///
    /// # Errors
    /// [`Error::NoItem`], and when the file cannot be read.
    pub fn kind(&self, name: &str) -> Result<Kind> {
        let t = self.target(name)?;
        if t.name.is_empty() {
            return Ok(Kind::Group);
        }
        let path = child_path(&t.group.path, &t.name);
        let mut core = self.file.lock()?;
        Ok(t.group.member(&mut core, &t.name, &path)?.1)
    }

    /// Get member `name` (or a path such as `g/x`, `/g/x`) as the auto-read
    /// and goto modes say (see [`Auto`], [`QGroup::goto`]).
    ///
    /// # Errors
    /// [`Error::NoItem`], [`Error::NoRecord`] when goto points past a record
    /// variable's records, and read errors.
    pub fn get(&self, name: &str) -> Result<Item> {
        let t = self.target(name)?;
        t.group.get_member(&t.name, self.state.get())
    }

    /// Like [`QGroup::get`], but `default` when there is no such member.
    ///
    /// # Errors
    /// As [`QGroup::get`], except [`Error::NoItem`].
    pub fn get_or(&self, name: &str, default: impl Into<Value>) -> Result<Item> {
        match self.get(name) {
            Err(Error::NoItem { .. }) => Ok(Item::Value(default.into())),
            other => other,
        }
    }

    /// Get a member with auto mode 0: a handle, nothing read (qnd's
    /// `f(0, name)`).
    ///
    /// # Errors
    /// As [`QGroup::get`].
    pub fn item(&self, name: &str) -> Result<Item> {
        let t = self.target(name)?;
        let state = State {
            auto: Auto::Off,
            ..self.state.get()
        };
        t.group.get_member(&t.name, state)
    }

    fn get_member(&self, name: &str, state: State) -> Result<Item> {
        if name.is_empty() {
            return Ok(if state.auto == Auto::All {
                Item::Value(self.to_value()?)
            } else {
                Item::Group(self.clone())
            });
        }
        let path = child_path(&self.path, name);
        let at = self.at(&path);
        let mut core = self.file.lock()?;
        let (id, kind) = self.member(&mut core, name, &path)?;
        match kind {
            Kind::Group => {
                let mut g = self.sub(id, path);
                g.state = Cell::new(state);
                if state.auto == Auto::All {
                    drop(core);
                    return g.to_value().map(Item::Value);
                }
                Ok(Item::Group(g))
            }
            Kind::None => Ok(Item::Value(Value::None)),
            Kind::Leaf => {
                if state.auto == Auto::Off {
                    Ok(Item::Leaf(QLeaf::new(self.file.clone(), id, None, path)))
                } else {
                    ops::read_item(&mut core, &at, id, kind, None).map(Item::Value)
                }
            }
            Kind::Records | Kind::List => match state.goto {
                None => {
                    let list = QList::new(
                        self.file.clone(),
                        id,
                        kind == Kind::Records,
                        path,
                        state.auto,
                    );
                    if state.auto == Auto::All {
                        drop(core);
                        list.to_value().map(Item::Value)
                    } else {
                        Ok(Item::List(list))
                    }
                }
                Some(r) => {
                    let count = if kind == Kind::Records {
                        let info = core.storage.info(id).map_err(|e| at.storage(e))?;
                        info.shape.first().copied().unwrap_or(0)
                    } else {
                        ops::list_len(&mut core, &at, id)?
                    };
                    let r = ops::record_index(&at, r, count)?;
                    let list = QList::new(
                        self.file.clone(),
                        id,
                        kind == Kind::Records,
                        path,
                        state.auto,
                    );
                    drop(core);
                    list.get(r as isize)
                }
            },
        }
    }

    /// Read member `name` (or a path) whole, whatever the auto mode, and
    /// convert it to `T`. Record variables honour goto: one record with
    /// goto on, the list of all records with goto off.
    ///
    /// ```
    /// let f = qnd::memory();
    /// f.set("x", vec![1.0, 2.0])?;
    /// let x: Vec<f64> = f.read("x")?;
    /// assert_eq!(x, [1.0, 2.0]);
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`QGroup::get`], and [`Error::Mismatch`] when the value is not a
    /// `T`.
    pub fn read<T: FromValue>(&self, name: &str) -> Result<T> {
        let goto = self.state.get().goto;
        let at = self.at(&self.path);
        let here = at.member(name);
        let mut core = self.file.lock()?;
        let Some((id, kind)) = self.resolve(&mut core, &at, name)? else {
            // the path names a group itself
            drop(core);
            return self.target(name)?.group.read_all();
        };
        let value = match (kind, goto) {
            // a whole record variable: one read, converted whole
            (Kind::Records, None) => {
                let a = ops::read_leaf(&mut core, &here, id, None, &Selection::all())?;
                drop(core);
                return T::from_records(a).map_err(|e| here.value(e));
            }
            // one record: the hot path of reading under goto
            (Kind::Records, Some(r)) => ops::read_record(&mut core, &here, id, r)?,
            _ => ops::read_item(&mut core, &here, id, kind, goto)?,
        };
        drop(core);
        T::from_value(value).map_err(|e| here.value(e))
    }

    /// Read part of leaf `name` (qnd's `f['x', idx]`), reading only that
    /// part. For a record variable with goto on, the selection applies to
    /// the current record; with goto off, its first axis is the record
    /// axis.
    ///
    /// # Errors
    /// As [`QGroup::read`], and [`Error::OutOfBounds`] for an index outside
    /// the leaf.
    pub fn read_part<T: FromValue>(&self, name: &str, sel: impl Into<Selection>) -> Result<T> {
        let leaf = self.leaf(name)?;
        leaf.read_part(sel)
    }

    /// Write part of leaf `name` (qnd's `f['x', idx] = v`). The value must
    /// have the selection's shape (or be a single value, which fills it).
    ///
    /// # Errors
    /// [`Error::ReadOnly`], [`Error::OutOfBounds`], [`Error::Mismatch`] for
    /// a dtype or shape that does not fit.
    pub fn write_part(
        &self,
        name: &str,
        sel: impl Into<Selection>,
        value: impl Into<Value>,
    ) -> Result<()> {
        let leaf = self.leaf(name)?;
        leaf.write_part(sel, value)
    }

    /// A handle on leaf `name` without reading it (qnd's `f(0, name)`).
    /// With goto on, a record variable gives its current record.
    ///
    /// # Errors
    /// [`Error::NoItem`]; [`Error::Mismatch`] when `name` is not a leaf;
    /// [`Error::NoRecord`].
    pub fn leaf(&self, name: &str) -> Result<QLeaf> {
        let t = self.target(name)?;
        let path = child_path(&t.group.path, &t.name);
        let at = self.at(&path);
        let mut core = self.file.lock()?;
        let (id, kind) = t.group.member(&mut core, &t.name, &path)?;
        let goto = t.group.state.get().goto;
        match (kind, goto) {
            (Kind::Leaf, _) => Ok(QLeaf::new(self.file.clone(), id, None, path)),
            (Kind::Records, Some(r)) => {
                let info = core.storage.info(id).map_err(|e| at.storage(e))?;
                let r = ops::record_index(&at, r, info.shape.first().copied().unwrap_or(0))?;
                Ok(QLeaf::new(self.file.clone(), id, Some(r), path))
            }
            (Kind::Records, None) => Ok(QLeaf::new(self.file.clone(), id, None, path)),
            (Kind::List, Some(r)) => {
                let n = ops::list_len(&mut core, &at, id)?;
                let r = ops::record_index(&at, r, n)?;
                let epath = super::elem_path(&path, r);
                let (eid, ekind) = ops::element(&mut core, &self.at(&epath), id, r)?;
                if ekind != Kind::Leaf {
                    return Err(self.at(&epath).mismatch("a leaf", kind_name(ekind)));
                }
                Ok(QLeaf::new(self.file.clone(), eid, None, epath))
            }
            (other, _) => Err(at.mismatch("a leaf", kind_name(other))),
        }
    }

    /// A handle on subgroup `name`, whatever the auto mode.
    ///
    /// # Errors
    /// [`Error::NoItem`]; [`Error::Mismatch`] when it is not a group.
    pub fn group(&self, name: &str) -> Result<QGroup> {
        match self.item(name)? {
            Item::Group(g) => {
                g.set_auto(self.auto());
                Ok(g)
            }
            other => Err(self
                .at(&child_path(&self.path, name))
                .mismatch("a group", item_name(&other))),
        }
    }

    /// A handle on list `name` (a list, or a record variable with goto
    /// off), whatever the auto mode.
    ///
    /// # Errors
    /// [`Error::NoItem`]; [`Error::Mismatch`] when it is not a list.
    pub fn list(&self, name: &str) -> Result<QList> {
        let _guard = self.push();
        self.goto_off();
        match self.item(name)? {
            Item::List(l) => {
                l.set_auto(self.auto());
                Ok(l)
            }
            other => Err(self
                .at(&child_path(&self.path, name))
                .mismatch("a list", item_name(&other))),
        }
    }

    /// Read the whole group recursively into a [`Value::Group`] (qnd's
    /// `f(2)`), honouring goto for record variables.
    ///
    /// # Errors
    /// Read errors, [`Error::NoRecord`].
    pub fn to_value(&self) -> Result<Value> {
        let mut core = self.file.lock()?;
        ops::read_group(
            &mut core,
            &self.at(&self.path),
            self.id,
            self.state.get().goto,
        )
    }

    /// Read the whole group and convert it.
    ///
    /// # Errors
    /// As [`QGroup::to_value`], and [`Error::Mismatch`].
    pub fn read_all<T: FromValue>(&self) -> Result<T> {
        T::from_value(self.to_value()?).map_err(|e| self.at(&self.path).value(e))
    }

    /// The members as (name, item) pairs, each got as the modes say.
    ///
    /// # Errors
    /// When the names cannot be listed; each item may fail on its own.
    pub fn items(&self) -> Result<impl Iterator<Item = Result<(String, Item)>> + '_> {
        let names = self.names()?;
        Ok(names.into_iter().map(move |n| {
            let item = self.get_member(&n, self.state.get())?;
            Ok((n, item))
        }))
    }

    // ------------------------------------------------------------ writing

    /// Set member `name` (or a path) to `value`: qnd's `f.name = value`.
    ///
    /// - A new name is declared and written: a [`Value::Group`] becomes a
    ///   subgroup, a [`Value::List`] a list, None a None leaf, an array a
    ///   leaf. In recording mode 1 a new array becomes a record variable
    ///   holding it as its first record; in recording mode 2 (or for a
    ///   non-array in mode 1) a list of records.
    /// - An existing leaf is overwritten (same shape; same dtype or one
    ///   that widens to it without loss).
    /// - An existing record variable gets a new record when recording is
    ///   on; with recording off and goto on, the current record is
    ///   overwritten; otherwise it is an error. After a record is added,
    ///   goto points at it (as in qnd), so reading gives the latest record.
    /// - Setting an existing group to an empty group, a list to an empty
    ///   list, or None to None does nothing; any other value is an error
    ///   (use [`QGroup::update`], [`QList::append`]).
    ///
    /// # Errors
    /// [`Error::ReadOnly`], [`Error::Mismatch`] (a dtype or shape that does
    /// not fit, named with expected and got; nothing is written),
    /// [`Error::Invalid`], [`Error::NoItem`] for a missing group in a path.
    pub fn set(&self, name: &str, value: impl Into<Value>) -> Result<()> {
        let value = value.into();
        if !name.is_empty() && !name.contains('/') {
            // a direct member: the hot path of recording
            let record = self.set_member(name, &value, self.state.get())?;
            if let Some(r) = record {
                self.goto(r as isize);
            }
            return Ok(());
        }
        let t = self.target(name)?;
        if t.name.is_empty() {
            return Err(self
                .at(&self.path)
                .invalid("cannot set a group itself; use update"));
        }
        let record = t.group.set_member(&t.name, &value, self.state.get())?;
        if let (Some(r), true) = (record, t.group.id == self.id) {
            // qnd leaves goto at the record just written.
            self.goto(r as isize);
        }
        Ok(())
    }

    /// Returns the record written, if a record was appended. The hot path
    /// of recording: one lock, a cached lookup, no string built unless an
    /// error is returned.
    fn set_member(&self, name: &str, value: &Value, state: State) -> Result<Option<usize>> {
        let here_group = self.at(&self.path);
        let at = here_group.member(name);
        ops::check_group_member(&at, name)?;
        ops::validate(&at, value)?;
        let mut core = self.file.lock_for_write(&at)?;
        let found = core
            .lookup(self.id, name)
            .map_err(|e| at.storage(e))?;
        let Some((id, kind)) = found else {
            return match (state.recording, value) {
                (Recording::Off, _) => {
                    ops::create(&mut core, &here_group, self.id, name, value).map(|_| None)
                }
                (Recording::Uniform, Value::Array(a)) => {
                    let spec = ops::spec_of(a, true);
                    let id = core
                        .storage
                        .create_leaf(self.id, name, &spec)
                        .map_err(|e| at.storage(e))?;
                    ops::append_record(&mut core, &at, id, value).map(Some)
                }
                _ => {
                    let id = ops::create_list(&mut core, &at, self.id, name)?;
                    ops::append_element(&mut core, &at, id, value).map(Some)
                }
            };
        };
        match kind {
            Kind::Records | Kind::List => {
                if state.recording != Recording::Off {
                    return if kind == Kind::Records {
                        ops::append_record(&mut core, &at, id, value).map(Some)
                    } else {
                        ops::append_element(&mut core, &at, id, value).map(Some)
                    };
                }
                if let Some(r) = state.goto {
                    return if kind == Kind::Records {
                        let count = core.shape(id).map_err(|e| at.storage(e))?.records();
                        let r = ops::record_index(&at, r, count)?;
                        ops::write_leaf(
                            &mut core,
                            &at.record(r),
                            id,
                            Some(r),
                            &Selection::all(),
                            value,
                            false,
                        )
                        .map(|_| None)
                    } else {
                        let n = ops::list_len(&mut core, &at, id)?;
                        let r = ops::record_index(&at, r, n)?;
                        drop(core);
                        let list = QList::new(self.file.clone(), id, false, at.path(), state.auto);
                        list.set(r as isize, value.clone()).map(|_| None)
                    };
                }
                if kind == Kind::List && matches!(value, Value::List(l) if l.is_empty()) {
                    return Ok(None);
                }
                Err(at.invalid("cannot set an existing list or record variable; use append, goto, or recording"))
            }
            Kind::Group => {
                if matches!(value, Value::Group(m) if m.is_empty()) {
                    return Ok(None);
                }
                Err(at.invalid("cannot set an existing group; use update"))
            }
            Kind::None => match value {
                Value::None => Ok(None),
                other => Err(at.mismatch("None (declared as None)", other.describe())),
            },
            Kind::Leaf => {
                ops::write_leaf(&mut core, &at, id, None, &Selection::all(), value, false)
                    .map(|_| None)
            }
        }
    }

    /// Set several members, in order (qnd's `f.update(...)`).
    ///
    /// # Errors
    /// The first error of [`QGroup::set`]; members before it are written.
    pub fn update<K, V, I>(&self, items: I) -> Result<()>
    where
        K: AsRef<str>,
        V: Into<Value>,
        I: IntoIterator<Item = (K, V)>,
    {
        for (k, v) in items {
            self.set(k.as_ref(), v)?;
        }
        Ok(())
    }

    /// Declare leaf `name` of `dtype` and `shape` without writing it (qnd's
    /// `f.x = dtype, shape`); it reads as zeros until written. In a
    /// recording mode this declares a record variable with records of that
    /// dtype and shape and no records yet (Python qnd adds one unwritten
    /// record). Text declared this way holds 1-byte strings: see
    /// [`QGroup::declare_text`].
    ///
    /// # Errors
    /// [`Error::ReadOnly`], [`Error::Invalid`] when `name` exists.
    pub fn declare(&self, name: &str, dtype: DType, shape: &[usize]) -> Result<QLeaf> {
        self.declare_spec(name, dtype, shape, 1)
    }

    /// Declare a text leaf (or text record variable, in recording mode)
    /// whose strings may be up to `width` bytes of UTF-8. Text is stored
    /// with a fixed width (numpy's `S<n>`); a value declared or first
    /// written with [`QGroup::set`] gets the width of its longest string,
    /// and a longer string later is an error, never cut short. Declare
    /// the width you need to record strings that grow.
    ///
    /// # Errors
    /// As [`QGroup::declare`].
    pub fn declare_text(&self, name: &str, width: usize, shape: &[usize]) -> Result<QLeaf> {
        self.declare_spec(name, DType::Str, shape, width.max(1))
    }

    fn declare_spec(
        &self,
        name: &str,
        dtype: DType,
        shape: &[usize],
        text_len: usize,
    ) -> Result<QLeaf> {
        let t = self.target(name)?;
        let g = &t.group;
        let path = child_path(&g.path, &t.name);
        let at = self.at(&path);
        ops::check_group_member(&at, &t.name)?;
        if crate::values::checked_len(shape).is_none() {
            return Err(at.invalid(format!("shape {shape:?} has too many elements")));
        }
        let mut core = self.file.lock_mut(&path)?;
        if g.lookup(&mut core, &t.name, &path)?.is_some() {
            return Err(at.invalid("already exists"));
        }
        let spec = crate::backend::LeafSpec {
            dtype,
            shape: shape.to_vec(),
            records: self.state.get().recording != Recording::Off,
            text_len,
        };
        let id = core
            .storage
            .create_leaf(g.id, &t.name, &spec)
            .map_err(|e| at.storage(e))?;
        Ok(QLeaf::new(self.file.clone(), id, None, path))
    }

    /// Create subgroup `name` and return it, whatever the recording mode
    /// (setting an empty group with recording off, then
    /// [`QGroup::group`]). The subgroup starts with this group's modes.
    ///
    /// # Errors
    /// As [`QGroup::set`].
    pub fn create_group(&self, name: &str) -> Result<QGroup> {
        {
            let g = self.push();
            g.set_recording(Recording::Off);
            g.set(name, Value::group())?;
        }
        self.group(name)
    }

    /// Create list `name` and return it (qnd's `f.x = list`).
    ///
    /// # Errors
    /// As [`QGroup::set`].
    pub fn create_list(&self, name: &str) -> Result<QList> {
        let _guard = self.push();
        self.set_recording(Recording::Off);
        self.set(name, Value::list())?;
        self.list(name)
    }

    // ------------------------------------------------------------ attributes

    /// The attributes of member `name` (or a path); `""` for this group
    /// itself (qnd's `f.attrs().x`, `f.attrs()._`).
    ///
    /// # Errors
    /// [`Error::NoItem`].
    pub fn attrs(&self, name: &str) -> Result<QAttrs> {
        if name.is_empty() {
            return Ok(QAttrs::new(
                self.file.clone(),
                self.id,
                Kind::Group,
                self.path.clone(),
            ));
        }
        let t = self.target(name)?;
        let path = child_path(&t.group.path, &t.name);
        let mut core = self.file.lock()?;
        let (id, kind) = t.group.member(&mut core, &t.name, &path)?;
        Ok(QAttrs::new(self.file.clone(), id, kind, path))
    }
}

pub(crate) fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Group => "a group",
        Kind::List => "a list",
        Kind::Leaf => "a leaf",
        Kind::Records => "a record variable",
        Kind::None => "None",
    }
}

fn item_name(item: &Item) -> String {
    match item {
        Item::Group(_) => "a group".into(),
        Item::List(_) => "a list".into(),
        Item::Leaf(_) => "a leaf".into(),
        Item::Value(v) => v.describe(),
    }
}

/// Restores a group's modes when dropped; see [`QGroup::push`].
pub struct ModeGuard<'a> {
    group: &'a QGroup,
    saved: State,
}

impl std::ops::Deref for ModeGuard<'_> {
    type Target = QGroup;
    fn deref(&self) -> &QGroup {
        self.group
    }
}

impl Drop for ModeGuard<'_> {
    fn drop(&mut self) {
        self.group.state.set(self.saved);
    }
}

/// Iterator over records that goes to each in turn; see
/// [`QGroup::goto_iter`].
pub struct GotoIter<'a> {
    group: &'a QGroup,
    saved: Option<isize>,
    records: std::vec::IntoIter<usize>,
}

impl<'a> GotoIter<'a> {
    fn new(group: &'a QGroup, records: Vec<usize>) -> GotoIter<'a> {
        GotoIter {
            group,
            saved: group.current_record(),
            records: records.into_iter(),
        }
    }
}

impl Iterator for GotoIter<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        let r = self.records.next()?;
        self.group.goto(r as isize);
        Some(r)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.records.size_hint()
    }
}

impl Drop for GotoIter<'_> {
    fn drop(&mut self) {
        let saved = self.saved;
        self.group.update_state(|s| s.goto = saved);
    }
}
