//! Rust structs (any serde `Serialize`/`Deserialize` type) as members:
//! [`QGroup::set_serde`], [`QGroup::read_serde`], [`QList::append_serde`],
//! [`QList::read_serde`] (feature `serde`).
//!
//! These are methods of their own, not `set`/`read`: those are generic
//! over `Into<Value>` and [`FromValue`], and a blanket implementation of
//! either for every `Serialize`/`Deserialize` type would overlap the
//! implementations they have (`f64`, `Vec<T>`, `Option<T>`, ...), which
//! Rust refuses.

use ::serde::de::DeserializeOwned;
use ::serde::Serialize;

use super::*;
use crate::serde::{from_tree, to_tree, SerdeError};

impl QGroup {
    /// The item path of member `name` (a name, a path, or `""` for this
    /// group), for messages.
    fn item_path(&self, name: &str) -> String {
        if name.starts_with('/') {
            name.to_string()
        } else if name.is_empty() {
            self.path.clone()
        } else {
            child_path(&self.path, name)
        }
    }

    fn serde_error(&self, name: &str, e: SerdeError) -> Error {
        e.into_error(self.file_path(), &self.item_path(name))
    }

    /// Write `value` (any serde `Serialize` type) as member `name` (or a
    /// path; `""` for this group itself): a struct or map becomes a group
    /// with a member per field, a `Vec` of numbers a 1-d leaf, and so on
    /// (the mapping is [`to_value`](crate::to_value)'s).
    ///
    /// A struct (any value that maps to a group) is written field by field,
    /// exactly as if `set` were called on each field's path
    /// (`state/x`, `state/mesh/nx`, ...), groups created as needed:
    ///
    /// - new, with recording off: the whole group is created and written;
    /// - in a recording mode, each field is a record variable (or a list
    ///   of records) and gets one record per call;
    /// - onto an existing group with recording off: each field is `set`
    ///   again (a leaf overwritten, with its shape and a dtype it widens
    ///   to; the current record of a record variable when goto is on).
    ///
    /// Any other value is `set` as it is.
    ///
    /// ```
    /// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    /// struct State { t: f64, u: Vec<f64> }
    ///
    /// let f = qnd::memory();
    /// f.set_recording(qnd::Recording::Uniform);
    /// for k in 0..3 {
    ///     let s = State { t: k as f64, u: vec![1.0 * k as f64; 2] };
    ///     f.set_serde("state", &s)?;
    /// }
    /// f.goto(1);
    /// assert_eq!(f.read_serde::<State>("state")?, State { t: 1.0, u: vec![1.0; 2] });
    /// f.goto_off();
    /// assert_eq!(f.read::<Vec<f64>>("state/t")?, [0.0, 1.0, 2.0]);
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// A struct is checked whole before any field is written: every field
    /// against the item it goes into, as [`QGroup::set`] judges it (a
    /// record of the record variable's dtype and record shape, each value
    /// cast as on write, text no wider than stored; a leaf's shape and
    /// dtype; None, a struct or a list only where one fits; a new field
    /// one the file can hold). So a call that returns an error has
    /// written no field, and the fields of a recorded struct keep the same
    /// record count: `goto(k)` + `read_serde` never pairs fields of
    /// different calls.
    ///
    /// Text record variables made by recording are at least
    /// 32 bytes wide (the first record's longest string when longer), so
    /// a unit-enum field may change variant from one record to the next;
    /// longer text is refused (never cut short): declare the field wider
    /// first with [`QGroup::declare_text`] in a recording mode
    /// (`f.declare_text("state/name", 100, &[])`).
    ///
    /// # Errors
    /// [`Error::Serde`] when `value` does not serialize (a map key that is
    /// not text or a number, ...); a bad member name or text holding NUL
    /// anywhere in it; otherwise the errors of [`QGroup::set`] for the
    /// first field that does not fit its item, naming it. In each case no
    /// field is written. Only a failure of the library itself while the
    /// fields are being written (a full disk, [`Error::Backend`],
    /// [`Error::Failed`]) leaves the fields before it written: the record
    /// counts of a recorded struct's fields then differ by one.
    pub fn set_serde<T: Serialize + ?Sized>(&self, name: &str, value: &T) -> Result<()> {
        self.file.collective(
            "set_serde",
            &self.path,
            name,
            crate::parallel::lockstep::state_key(self.state.get()),
            || {
                let v = to_tree(value).map_err(|e| self.serde_error(name, e))?;
                if let Value::Group(_) = v {
                    // checked whole before a field is written
                    let path = self.item_path(name);
                    write::validate(&self.at(&path), &v)?;
                    self.check_holds(&path, &v, path != "/")?;
                    self.check_fields(name, &path, &v)?;
                }
                self.set_tree(name, v)
            },
        )
    }

    /// Check each field of group value `v` (to be written at `name`, item
    /// path `path`) against the existing item it goes into, as `set_tree`
    /// then `set` would, under one lock and writing nothing. Missing items
    /// are [`QGroup::check_holds`]'s.
    fn check_fields(&self, name: &str, path: &str, v: &Value) -> Result<()> {
        let Value::Group(members) = v else {
            return Ok(());
        };
        let state = self.state.get();
        let mut core = self.file.lock()?;
        let at = self.at(&self.path);
        let group = match walk(&mut core, self.file.root, self.id, &at, name, state.goto) {
            // the group itself (`""`, `/`)
            Ok(w) if w.name.is_empty() => w.group,
            Ok(w) => match core
                .lookup(w.group, w.name)
                .map_err(|e| at.member(name).storage(e))?
            {
                Some((id, Kind::Group)) => id,
                // not a group: set refuses a struct over it, writing
                // nothing; missing: created whole
                _ => return Ok(()),
            },
            // a missing group on the way: set_tree fails before it writes
            Err(Error::NoItem { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        check_members(&mut core, &self.at(path), group, members, state)
    }

    /// Refuse a value the file cannot hold (its capabilities: a dtype, or
    /// a group or list where there are no subgroups) before anything is
    /// written; `group` says whether a group at `path` would be a new one.
    fn check_holds(&self, path: &str, v: &Value, group: bool) -> Result<()> {
        let caps = &self.file.capabilities;
        match v {
            // recorded, None is a list of records: a group on disk
            Value::None if !caps.groups && self.recording() != Recording::Off => {
                Err(self.at(path).invalid(format!(
                    "this {} file has no groups, so a None field cannot be recorded (its records \
                     would be a list); nothing was written",
                    self.file.backend
                )))
            }
            Value::None => Ok(()),
            Value::Array(a) if caps.holds_leaf(a.dtype()) => Ok(()),
            Value::Array(a) => Err(self.at(path).invalid(format!(
                "this {} file cannot hold a leaf of {}; nothing was written",
                self.file.backend,
                a.dtype().code()
            ))),
            Value::List(_) | Value::Group(_) if group && !caps.groups => {
                Err(self.at(path).invalid(format!(
                    "this {} file has no groups, so no group or list here (write a flat struct to \
                     \"\", the root); nothing was written",
                    self.file.backend
                )))
            }
            Value::List(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, m)| self.check_holds(&elem_path(path, i), m, true)),
            Value::Group(members) => members
                .iter()
                .try_for_each(|(k, m)| self.check_holds(&child_path(path, k), m, true)),
        }
    }

    /// `set` of `v` at `name`, a group field by field: each member set
    /// through a handle on the group (with this handle's modes), as a
    /// direct member, so a field costs what a `set` of it by name costs.
    fn set_tree(&self, name: &str, v: Value) -> Result<()> {
        let Value::Group(members) = v else {
            return self.set(name, v);
        };
        let g = match self.group(name) {
            Ok(g) => g,
            Err(Error::NoItem { .. }) => {
                if self.recording() == Recording::Off {
                    // new: created and written whole
                    return self.set(name, Value::Group(members));
                }
                {
                    let g = self.push();
                    g.set_recording(Recording::Off);
                    g.set(name, Value::group())?;
                }
                self.group(name)?
            }
            // not a group: set refuses a group over it, naming it
            Err(Error::Mismatch { .. }) => return self.set(name, Value::Group(members)),
            Err(e) => return Err(e),
        };
        for (k, m) in members {
            g.set_tree(&k, m)?;
        }
        Ok(())
    }

    /// Read member `name` (or a path; `""` for this group itself) as any
    /// serde `Deserialize` type, leniently (the mapping is
    /// [`from_value`](crate::from_value)'s). Record variables honour goto,
    /// as with [`QGroup::read`]: a struct recorded with
    /// [`QGroup::set_serde`] reads back one record at a time.
    ///
    /// ```
    /// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    /// struct Mesh { nx: u32, x: Vec<f64> }
    ///
    /// let f = qnd::memory();
    /// f.set("mesh", qnd::group! { "nx" => "abc", "x" => vec![0.0] })?;
    /// let e = f.read_serde::<Mesh>("mesh").unwrap_err();
    /// assert!(e.to_string().ends_with(r#"/mesh/nx: expected u32, found text "abc""#), "{e}");
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`QGroup::read`], and [`Error::Serde`] naming the item and field
    /// path (`/params/mesh/nx`), what was expected and what was found.
    pub fn read_serde<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        let v: Value = self.read(name)?;
        from_tree(v).map_err(|e| self.serde_error(name, e))
    }
}

impl QList {
    /// Append `value` (any serde `Serialize` type) as a new element, as
    /// [`QList::append`] of [`to_value`](crate::to_value)'s value.
    ///
    /// # Errors
    /// [`Error::Serde`] when `value` does not serialize; as
    /// [`QList::append`].
    pub fn append_serde<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let v = to_tree(value).map_err(|e| e.into_error(self.file_path(), self.path()))?;
        self.append(v)
    }

    /// Read element `i` (negative from the end) as any serde `Deserialize`
    /// type (see [`QGroup::read_serde`]).
    ///
    /// # Errors
    /// As [`QList::read`], and [`Error::Serde`] naming the element and
    /// field path.
    pub fn read_serde<T: DeserializeOwned>(&self, i: isize) -> Result<T> {
        let v: Value = self.read(i)?;
        from_tree(v).map_err(|e| {
            // the element was read, so `i` is in range
            let n = self.len().unwrap_or_default() as isize;
            let at = if i < 0 { i + n } else { i };
            e.into_error(
                self.file_path(),
                &elem_path(self.path(), at.max(0) as usize),
            )
        })
    }
}

/// Check `members` against the members of group `group` (named `at`) they
/// go into, in recording and goto state `state`, as [`QGroup::set`] would
/// judge each (see `set_member`), writing nothing.
fn check_members(
    core: &mut FileState,
    at: &Where,
    group: NodeId,
    members: &indexmap::IndexMap<String, Value>,
    state: State,
) -> Result<()> {
    for (k, m) in members {
        let here = at.member(k);
        let Some((id, kind)) = core.lookup(group, k).map_err(|e| here.storage(e))? else {
            continue;
        };
        let recording = state.recording != Recording::Off;
        match (kind, m) {
            (Kind::Group, Value::Group(sub)) => check_members(core, &here, id, sub, state)?,
            (Kind::Group, _) => {
                return Err(here.mismatch("a struct or map (a group)", m.describe()))
            }
            (Kind::Records, Value::Array(_)) if recording => {
                write::fit_record(core, &here, id, m)?;
            }
            (Kind::Records, _) if recording => {
                let info = core.shape(id).map_err(|e| here.storage(e))?;
                return Err(here.mismatch(
                    format!(
                        "a record of {}",
                        crate::values::describe(info.dtype, info.record_shape())
                    ),
                    format!(
                        "{}: a record variable takes an array of the same shape each \
                         record, not None, a struct, a map or an enum variant holding data",
                        m.describe()
                    ),
                ));
            }
            (Kind::Records, _) => match state.goto {
                Some(r) => {
                    let count = core.records(id).map_err(|e| here.storage(e))?;
                    let r = read::record_index(&here, r, count)?;
                    let rec = here.record(r);
                    write::fit_leaf(core, &rec, id, Some(r), &Selection::all(), m, false)?;
                }
                None => return Err(not_settable(&here)),
            },
            (Kind::List, _) if recording => {}
            (Kind::List, _) => match state.goto {
                Some(r) => {
                    let n = read::list_len(core, &here, id)?;
                    read::record_index(&here, r, n)?;
                }
                None if matches!(m, Value::List(l) if l.is_empty()) => {}
                None => return Err(not_settable(&here)),
            },
            (Kind::Other, _) => return Err(read::unreadable(core, &here, id)),
            (Kind::None, Value::None) => {}
            (Kind::None, _) => {
                return Err(here.mismatch("None (declared as None)", m.describe()));
            }
            (Kind::Leaf, _) => {
                write::fit_leaf(core, &here, id, None, &Selection::all(), m, false)?;
            }
        }
    }
    Ok(())
}

/// What `set` says of an existing list or record variable with recording
/// and goto off.
fn not_settable(at: &Where) -> Error {
    at.invalid("cannot set an existing list or record variable; use append, goto, or recording")
}
