//! [`QGroup`]: named members, like a dict, with qnd's modes: getting and
//! reading members here, the modes and goto in [`modes`], setting and
//! declaring members in [`set`].

mod links;
mod modes;
mod parallel;
#[cfg(feature = "serde")]
mod serde;
mod set;

pub use modes::{GotoIter, ModeGuard};

use std::cell::Cell;
use std::fmt;
use std::path::PathBuf;

use super::{child_path, Item, Origin, QAttrs, QLeaf, QList};
use crate::backend::Kind;
use crate::backend::{NodeId, Storage};
use crate::error::{Error, Result, Where};
use crate::file::{elem_path, kind_name, read, walk, write, FileRef, FileState, Through};
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
///
/// # Threads
///
/// Every handle ([`QGroup`], [`QList`], [`QLeaf`], [`QAttrs`], [`Item`])
/// is `Send`: the state of an open file is shared behind a lock, and every
/// HDF5 and netCDF call is made under the one lock the two libraries share,
/// so handles of one file, or of different files, may be used from several
/// threads at once (the calls take turns in the libraries). [`QLeaf`] and
/// [`QAttrs`] are `Sync` too, as are [`Value`], [`Array`](crate::Array),
/// lazy arrays and [`Error`]. `QGroup`, `QList` and `Item` are not `Sync`:
/// each handle keeps its own modes (recording, goto, auto) in a `Cell`;
/// give each thread its own clone.
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

    fn at<'a>(&'a self, path: &'a str) -> Where<'a> {
        self.file.at(path)
    }

    /// The [`Origin`] of a value read at `at`.
    fn origin(&self, at: &Where) -> Origin {
        Origin::of(&self.file.file, at)
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
            walk(
                &mut core,
                self.file.root,
                self.id,
                &self.at(&self.path),
                name,
                self.state.get().goto,
            )?
        };
        let at = self.at(&self.path);
        Ok(Target {
            group: self.sub(walked.group, walked.group_at(&at).path()),
            name: walked.name.to_string(),
        })
    }

    /// Member `name` (or a path) under the caller's lock: its node, its
    /// kind, and where the path went through a list's current record (see
    /// [`Where::member_through`]), resolved with cached lookups and no
    /// string built unless an error is returned. `None` for a path naming
    /// a group itself.
    pub(crate) fn resolve(
        &self,
        core: &mut FileState,
        at: &Where,
        name: &str,
    ) -> Result<Option<(NodeId, Kind, Through)>> {
        let walked = walk(
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
        let here = at.member_through(name, walked.through);
        let (node, kind) = core
            .lookup(walked.group, walked.name)
            .map_err(|e| here.storage(e))?
            .ok_or_else(|| here.no_item())?;
        if matches!(kind, Kind::Group | Kind::List) {
            read::check_depth(&here)?;
        }
        Ok(Some((node, kind, walked.through)))
    }

    /// As [`QGroup::resolve`], but a path naming a group itself is no
    /// member: [`Error::NoItem`].
    fn found(
        &self,
        core: &mut FileState,
        at: &Where,
        name: &str,
    ) -> Result<(NodeId, Kind, Through)> {
        self.resolve(core, at, name)?
            .ok_or_else(|| at.member(name).no_item())
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

    /// The name that opens this file again: the name it was opened by,
    /// expanded (`~`, `$VAR`); a family's pattern; a plain name holding a
    /// `%` that would read as a family pattern with every `%` written `%%`
    /// (a file `r%d.h5` opened as `r%%d.h5` is `r%%d.h5`); `<memory>`
    /// for a file held in memory.
    pub fn file_path(&self) -> PathBuf {
        self.file.file_path()
    }

    /// Write everything to the file (the file stays open).
    ///
    /// # Errors
    /// [`Error::Backend`] when the library fails (the records it could not
    /// write stay buffered, but a library failure makes every later call
    /// fail with [`Error::Failed`]), [`Error::Closed`].
    pub fn flush(&self) -> Result<()> {
        self.file.flush()
    }

    /// Show what a writer in another process has added to the file since
    /// it was opened (or last refreshed): new records and new members.
    /// Every handle of the file sees them (their node ids stay valid; what
    /// qnd had learnt of the file is read again).
    ///
    /// For a file open read-only while another process records it (HDF5
    /// files qnd created, netCDF-3): a record of a variable shows only
    /// once its data is all written, never partly. Variables are written
    /// one after the other, so one may show more records than another
    /// (`time` a record or a flush ahead of `u`, say): read each record
    /// variable up to the smallest count. HDF5: the file is closed and
    /// opened again (tried for up to 2 s while the writer creates a
    /// variable); records show as the writer writes them out (at its
    /// `flush()`, or when a buffer fills). netCDF-3: the header is read
    /// again; records show at the writer's `flush()`. A netCDF-3 writer
    /// that defines a new variable rewrites the whole record section (the
    /// layout of every record changes): a reader reading while it does may
    /// see wrong values until its next refresh after the writer's flush;
    /// create every variable in the first record when readers follow live.
    /// netCDF-4 shows nothing new. A file open for writing has nothing to refresh:
    /// buffered records are written out.
    ///
    /// # Errors
    /// [`Error::Backend`] when the file cannot be read again (for HDF5 the
    /// file is then closed: open it again; a library failure makes every
    /// later call fail with [`Error::Failed`], as in [`QGroup::flush`]),
    /// [`Error::Closed`].
    pub fn refresh(&self) -> Result<()> {
        self.file.refresh()
    }

    /// Close the file. Every handle of it then gives [`Error::Closed`].
    /// Dropping the last handle also closes the file, but only `close`
    /// reports errors.
    ///
    /// # Errors
    /// [`Error::Backend`] when the library fails to close the file;
    /// [`Error::Failed`] (the file is closed all the same, and closing
    /// again gives it again) after an earlier failure the backend cannot
    /// recover from: `close` never returns `Ok` over lost records.
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
    /// When the file cannot be read (a missing intermediate group, or a
    /// dangling soft or external link, is just `false`, as h5py's `in`).
    pub fn contains(&self, name: &str) -> Result<bool> {
        let at = self.at(&self.path);
        let mut core = self.file.lock()?;
        match self.resolve(&mut core, &at, name) {
            Ok(_) => Ok(true),
            Err(Error::NoItem { .. } | Error::Mismatch { .. } | Error::Dangling { .. }) => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// What member `name` (or a path) is, without reading it.
    ///
    /// # Errors
    /// [`Error::NoItem`], and when the file cannot be read.
    pub fn kind(&self, name: &str) -> Result<Kind> {
        let at = self.at(&self.path);
        let mut core = self.file.lock()?;
        Ok(self
            .resolve(&mut core, &at, name)?
            .map_or(Kind::Group, |(_, kind, _)| kind))
    }

    /// What member `name` (or a path) of [`Kind::Other`] is: its type in
    /// the words of its format, with its shape where it has one
    /// (`compound {a: i4, b: f8} [3]`, `opaque (16 bytes) [4]`, `vlen of
    /// i4 [2]`). Nothing is read. Such an item is listed ([`QGroup::names`],
    /// [`QGroup::kind`], [`QGroup::contains`]) but never read or written:
    /// see [`Error::Unreadable`].
    ///
    /// ```
    /// use qnd::backend::{MemoryStorage, Storage};
    /// use qnd::{Error, Kind, Value};
    /// let mut m = MemoryStorage::new();
    /// let root = m.root();
    /// m.create_other(root, "table", "compound {a: i4, b: f8} [3]")?;
    /// let f = qnd::memory_from(m);
    /// assert_eq!(f.kind("table")?, Kind::Other);
    /// assert_eq!(f.other_type("table")?, "compound {a: i4, b: f8} [3]");
    /// assert!(matches!(f.read::<Value>("table"), Err(Error::Unreadable { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NoItem`]; [`Error::Mismatch`] when the member is of
    /// another kind (a group, a leaf, ...), which [`QGroup::kind`] tells.
    pub fn other_type(&self, name: &str) -> Result<String> {
        let at = self.at(&self.path);
        let mut core = self.file.lock()?;
        let (id, kind, through) = self.found(&mut core, &at, name)?;
        let here = at.member_through(name, through);
        if kind != Kind::Other {
            return Err(here.mismatch(kind_name(Kind::Other), kind_name(kind)));
        }
        read::other_type(&mut core, &here, id)
    }

    /// Get member `name` (or a path such as `g/x`, `/g/x`) as the auto-read
    /// and goto modes say (see [`Auto`], [`QGroup::goto`]).
    ///
    /// # Errors
    /// [`Error::NoItem`], [`Error::NoRecord`] when goto points past a record
    /// variable's records, and read errors.
    pub fn get(&self, name: &str) -> Result<Item> {
        self.get_member(name, self.state.get())
    }

    /// Read member `name` (or a path) as a `T`, as [`QGroup::read`] does,
    /// or return `default` when there is no such member (Python's
    /// `f.get(name, default)`). Nothing is created.
    ///
    /// A member that exists but is not a `T` is an error, not the default;
    /// a None member reads as `T = Option<_>` (or [`Value`]), not as the
    /// default. [`QGroup::get_item_or`] gives the [`Item`] instead (a
    /// handle, as the auto mode says).
    ///
    /// ```
    /// let f = qnd::memory();
    /// f.set("t0", 2.5)?;
    /// let t0 = f.get_or("t0", 0.0)?;            // an f64
    /// let dt = f.get_or("dt", 0.1)?;            // no member dt: the default
    /// assert_eq!((t0, dt), (2.5, 0.1));
    /// assert!(f.get_or("t0", String::new()).is_err()); // a number, not text
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`QGroup::read`], except [`Error::NoItem`] for the member itself
    /// (or a missing group on its path) and [`Error::Dangling`] (a
    /// dangling link gives the default): [`Error::Mismatch`] when it is not
    /// a `T`, [`Error::NoRecord`], read errors.
    pub fn get_or<T: FromValue>(&self, name: &str, default: T) -> Result<T> {
        if self.exists(name)? {
            self.read(name)
        } else {
            Ok(default)
        }
    }

    /// Like [`QGroup::get`], but `default` (as an [`Item::Value`]) when
    /// there is no such member: the [`Item`] form of [`QGroup::get_or`].
    ///
    /// # Errors
    /// As [`QGroup::get`], except [`Error::NoItem`] for the member itself.
    pub fn get_item_or(&self, name: &str, default: impl Into<Value>) -> Result<Item> {
        if self.exists(name)? {
            self.get(name)
        } else {
            let origin = Origin::new(&self.file.file, child_path(&self.path, name));
            Ok(Item::Value(default.into(), origin))
        }
    }

    /// True when `name` (or a path) resolves; false on [`Error::NoItem`]
    /// and on [`Error::Dangling`] (a dangling soft or external link is
    /// absent, as for [`QGroup::contains`] and h5py's `get(name,
    /// default)`); a path through a leaf is an error, as for
    /// [`QGroup::get`].
    fn exists(&self, name: &str) -> Result<bool> {
        let at = self.at(&self.path);
        let mut core = self.file.lock()?;
        match self.resolve(&mut core, &at, name) {
            Ok(_) => Ok(true),
            Err(Error::NoItem { .. } | Error::Dangling { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Get a member with auto mode 0: a handle, nothing read (qnd's
    /// `f(0, name)`).
    ///
    /// # Errors
    /// As [`QGroup::get`].
    pub fn item(&self, name: &str) -> Result<Item> {
        let state = State {
            auto: Auto::Off,
            ..self.state.get()
        };
        self.get_member(name, state)
    }

    /// Member `name` (or a path) as `state` says: resolved under one lock,
    /// read there when a value is asked for; the item path is spelled out
    /// only for a handle or an error.
    fn get_member(&self, name: &str, state: State) -> Result<Item> {
        let group_at = self.at(&self.path);
        let mut core = self.file.lock()?;
        let Some((id, kind, through)) = self.resolve(&mut core, &group_at, name)? else {
            // the path names a group itself
            drop(core);
            let g = if name.is_empty() {
                self.clone()
            } else {
                self.target(name)?.group
            };
            return Ok(if state.auto == Auto::All {
                let origin = Origin::new(&self.file.file, g.path.clone());
                Item::Value(g.to_value()?, origin)
            } else {
                Item::Group(g)
            });
        };
        let at = group_at.member_through(name, through);
        // the item path, spelled out for a handle only
        let path = || at.path();
        match kind {
            Kind::Group => {
                let mut g = self.sub(id, path());
                g.state = Cell::new(state);
                if state.auto == Auto::All {
                    drop(core);
                    let origin = Origin::new(&self.file.file, g.path.clone());
                    return g.to_value().map(|v| Item::Value(v, origin));
                }
                Ok(Item::Group(g))
            }
            Kind::None => Ok(Item::Value(Value::None, self.origin(&at))),
            Kind::Other => Err(read::unreadable(&mut core, &at, id)),
            Kind::Leaf => {
                if state.auto == Auto::Off {
                    Ok(Item::Leaf(QLeaf::new(self.file.clone(), id, None, path())))
                } else {
                    let v = read::read_item(&mut core, &at, id, kind, None)?;
                    Ok(Item::Value(v, self.origin(&at)))
                }
            }
            Kind::Records | Kind::List => {
                let records = kind == Kind::Records;
                let handle = |path| QList::new(self.file.clone(), id, records, path, state.auto);
                match state.goto {
                    None => {
                        let list = handle(path());
                        if state.auto == Auto::All {
                            drop(core);
                            let origin = Origin::new(&self.file.file, list.path().to_string());
                            list.to_value().map(|v| Item::Value(v, origin))
                        } else {
                            Ok(Item::List(list))
                        }
                    }
                    // one record, read under this lock unless a handle is asked for
                    Some(r) if records && state.auto != Auto::Off => {
                        let v = read::read_record(&mut core, &at, id, r)?;
                        // the record read, named as its leaf handle would be
                        let count = core.records(id).map_err(|e| at.storage(e))?;
                        let origin = match read::record_index(&at, r, count) {
                            Ok(i) => self.origin(&at.record(i)),
                            Err(_) => self.origin(&at),
                        };
                        Ok(Item::Value(v, origin))
                    }
                    Some(r) => {
                        let count = if records {
                            core.records(id).map_err(|e| at.storage(e))?
                        } else {
                            read::list_len(&mut core, &at, id)?
                        };
                        let r = read::record_index(&at, r, count)?;
                        let list = handle(path());
                        drop(core);
                        list.get(r as isize)
                    }
                }
            }
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
        let mut core = self.file.lock()?;
        let Some((id, kind, through)) = self.resolve(&mut core, &at, name)? else {
            // the path names a group itself
            drop(core);
            return self.target(name)?.group.read_all();
        };
        let here = at.member_through(name, through);
        let value = match (kind, goto) {
            // a whole record variable: one read, converted whole
            (Kind::Records, None) => {
                let a = read::read_leaf(&mut core, &here, id, None, &Selection::all())?;
                drop(core);
                return T::from_records(a).map_err(|e| here.value(e));
            }
            // one record: the hot path of reading under goto
            (Kind::Records, Some(r)) => read::read_record(&mut core, &here, id, r)?,
            _ => read::read_item(&mut core, &here, id, kind, goto)?,
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
        let goto = self.state.get().goto;
        let at = self.at(&self.path);
        let mut core = self.file.lock()?;
        let (id, kind, through) = match self.resolve(&mut core, &at, name)? {
            Some(found @ (_, Kind::Leaf | Kind::Records, _)) => found,
            // lists under goto, and what is no leaf: through the handle
            _ => {
                drop(core);
                return self.leaf(name)?.read_part(sel);
            }
        };
        let member = at.member_through(name, through);
        let record = match (kind, goto) {
            (Kind::Records, Some(r)) => {
                let count = core.records(id).map_err(|e| member.storage(e))?;
                Some(read::record_index(&member, r, count)?)
            }
            _ => None,
        };
        // a record's errors name it, as its leaf handle does: `/x[3]`
        let here = match record {
            Some(r) => member.record(r),
            None => member,
        };
        let a = read::read_leaf(&mut core, &here, id, record, &sel.into())?;
        drop(core);
        T::from_value(Value::Array(a)).map_err(|e| here.value(e))
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
        self.file.collective("write_part", &self.path, name, 0, || {
            let leaf = self.leaf(name)?;
            leaf.write_part(sel, value)
        })
    }

    /// A handle on leaf `name` without reading it (qnd's `f(0, name)`).
    /// With goto on, a record variable gives its current record.
    ///
    /// # Errors
    /// [`Error::NoItem`]; [`Error::Mismatch`] when `name` is not a leaf;
    /// [`Error::NoRecord`].
    pub fn leaf(&self, name: &str) -> Result<QLeaf> {
        let group_at = self.at(&self.path);
        let mut core = self.file.lock()?;
        let (id, kind, through) = self.found(&mut core, &group_at, name)?;
        let at = group_at.member_through(name, through);
        let path = || at.path();
        match (kind, self.state.get().goto) {
            (Kind::Leaf, _) | (Kind::Records, None) => {
                Ok(QLeaf::new(self.file.clone(), id, None, path()))
            }
            (Kind::Records, Some(r)) => {
                let count = core.records(id).map_err(|e| at.storage(e))?;
                let r = read::record_index(&at, r, count)?;
                Ok(QLeaf::new(self.file.clone(), id, Some(r), path()))
            }
            (Kind::List, Some(r)) => {
                let n = read::list_len(&mut core, &at, id)?;
                let r = read::record_index(&at, r, n)?;
                let (eid, ekind) = read::element(&mut core, &at.record(r), id, r)?;
                if ekind != Kind::Leaf {
                    return Err(at.record(r).mismatch("a leaf", kind_name(ekind)));
                }
                Ok(QLeaf::new(
                    self.file.clone(),
                    eid,
                    None,
                    elem_path(&path(), r),
                ))
            }
            (Kind::Other, _) => Err(read::unreadable(&mut core, &at, id)),
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
            other => Err(self.not_a(name, "a group", &other)),
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
            other => Err(self.not_a(name, "a list", &other)),
        }
    }

    /// The [`Error::Mismatch`] of member `name` when it is `other`, not
    /// `what` ("a group", ...).
    fn not_a(&self, name: &str, what: &str, other: &Item) -> Error {
        self.at(&child_path(&self.path, name))
            .mismatch(what, other.describe())
    }

    /// Read the whole group recursively into a [`Value::Group`] (qnd's
    /// `f(2)`), honouring goto for record variables.
    ///
    /// # Errors
    /// Read errors, [`Error::NoRecord`].
    pub fn to_value(&self) -> Result<Value> {
        let mut core = self.file.lock()?;
        read::read_group(
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
        let group_at = self.at(&self.path);
        let mut core = self.file.lock()?;
        let (id, kind, through) = self.found(&mut core, &group_at, name)?;
        Ok(QAttrs::new(
            self.file.clone(),
            id,
            kind,
            group_at.member_through(name, through).path(),
        ))
    }
}
