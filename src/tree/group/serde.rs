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
    /// # Errors
    /// [`Error::Serde`] when `value` does not serialize (a map key that is
    /// not text or a number, ...; nothing is written); a bad member name or
    /// text holding NUL anywhere in it (nothing is written); otherwise the
    /// errors of [`QGroup::set`] for the field that failed. As with
    /// [`QGroup::update`], a struct written field by field keeps the
    /// fields written before the one that failed.
    pub fn set_serde<T: Serialize + ?Sized>(&self, name: &str, value: &T) -> Result<()> {
        let v = to_tree(value).map_err(|e| self.serde_error(name, e))?;
        if let Value::Group(_) = v {
            // checked whole before a field is written
            let path = self.item_path(name);
            write::validate(&self.at(&path), &v)?;
            self.check_holds(&path, &v, path != "/")?;
        }
        self.set_tree(name, v)
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
