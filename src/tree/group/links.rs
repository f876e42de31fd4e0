//! Creating or checking members ([`QGroup::require_group`],
//! [`QGroup::require_leaf`]), removing them ([`QGroup::remove`]), links
//! (hard, soft, external), shared values stored once
//! ([`QGroup::set_shared`]) and references stored in a file
//! ([`QGroup::set_ref`], [`QGroup::read_ref`]).
//!
//! What each backend holds is in [`Capabilities`](crate::Capabilities)
//! (`remove`, `hard_links`, `soft_links`, `external_links`); a backend
//! without one refuses with an error naming it.

use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::backend::LinkTarget;
use crate::tree::qref::{QRef, QREF_ATTR};
use crate::values::Array;

impl QGroup {
    /// What this file can hold: among others whether it can remove
    /// members and which links it has.
    pub fn capabilities(&self) -> crate::Capabilities {
        self.file.capabilities
    }

    /// Subgroup `name` (or a path whose groups exist): created if there is
    /// no such member, else the existing group (bamboost's and h5py's
    /// `require_group`).
    ///
    /// ```
    /// let f = qnd::memory();
    /// let g = f.require_group("params")?;
    /// g.set("dt", 0.1)?;
    /// assert_eq!(f.require_group("params")?.read::<f64>("dt")?, 0.1);
    /// assert!(f.require_group("params/dt").is_err()); // a leaf
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Mismatch`] when the member exists and is not a group (a
    /// list is not one); as [`QGroup::create_group`] otherwise.
    pub fn require_group(&self, name: &str) -> Result<QGroup> {
        match self.kind(name) {
            Ok(Kind::Group) => self.group(name),
            Ok(other) => Err(self
                .at(&child_path(&self.path, name))
                .mismatch("a group", kind_name(other))),
            Err(Error::NoItem { .. }) => self.create_group(name),
            Err(e) => Err(e),
        }
    }

    /// Leaf `name` (or a path) of `dtype` and `shape`: declared as
    /// [`QGroup::declare`] does if there is no such member, else the
    /// existing leaf once its dtype and shape are checked (a record
    /// variable's records: `shape` is the shape of one record).
    ///
    /// ```
    /// use qnd::DType;
    /// let f = qnd::memory();
    /// let u = f.require_leaf("u", DType::F64, &[3])?;
    /// u.write(vec![1.0, 2.0, 3.0])?;
    /// assert_eq!(f.require_leaf("u", DType::F64, &[3])?.read::<Vec<f64>>()?, [1.0, 2.0, 3.0]);
    /// let e = f.require_leaf("u", DType::F32, &[3]).unwrap_err();
    /// assert!(e.to_string().contains("expected f4 [3], got f8 [3]"), "{e}");
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Mismatch`] naming the expected and the existing dtype and
    /// shape, or the kind of a member that is no leaf; as
    /// [`QGroup::declare`] otherwise.
    pub fn require_leaf(&self, name: &str, dtype: DType, shape: &[usize]) -> Result<QLeaf> {
        let kind = match self.kind(name) {
            Err(Error::NoItem { .. }) => return self.declare(name, dtype, shape),
            other => other?,
        };
        let at_path = child_path(&self.path, name);
        let at = self.at(&at_path);
        let expected = crate::values::describe(dtype, shape);
        let (got_dtype, got_shape) = match kind {
            Kind::Leaf => {
                let leaf = self.leaf(name)?;
                let shape = leaf.shape()?;
                (leaf.dtype()?, shape)
            }
            Kind::Records => {
                let whole = self.list(name)?.as_array()?;
                let shape = whole.shape()?;
                (whole.dtype()?, shape.get(1..).unwrap_or(&[]).to_vec())
            }
            other => return Err(at.mismatch(expected, kind_name(other))),
        };
        if got_dtype != dtype || got_shape != shape {
            return Err(at.mismatch(expected, crate::values::describe(got_dtype, &got_shape)));
        }
        let _guard = self.push();
        self.goto_off();
        self.leaf(name)
    }

    /// Remove member `name` (or a path): a group with everything in it, a
    /// list, a leaf, a record variable, None, or a link (a soft or
    /// external link is removed, not its target; an object with another
    /// hard link stays under that name). Every handle on what was removed
    /// then fails, saying its node was removed.
    ///
    /// Lists: a whole list is removed like any member, but not one
    /// element: a list's elements are `_0` .. `_<n-1>`, and a gap would
    /// make it read back as a plain group (names `_`, `_<n>` are refused
    /// here). Rebuild the list instead.
    ///
    /// HDF5 does not give the space back: the file keeps its size (the
    /// space is reused by nothing qnd writes later). `qnd convert IN OUT`
    /// copies only what is reachable, so the copy is compact. netCDF
    /// (netCDF-C) has no way to delete a variable or group: refused.
    ///
    /// ```
    /// let f = qnd::memory();
    /// f.set("x", 1.0)?;
    /// f.remove("x")?;
    /// assert!(!f.contains("x")?);
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ReadOnly`], [`Error::NoItem`], [`Error::Invalid`] when the
    /// format cannot delete members (naming it) or `name` is a list
    /// element's.
    pub fn remove(&self, name: &str) -> Result<()> {
        let last = name.rsplit('/').next().unwrap_or(name);
        if write::is_list_name(last) {
            let path = child_path(&self.path, name);
            return Err(self.at(&path).invalid(
                "one element of a list cannot be removed (a gap would make it a plain group); \
                 remove the whole list",
            ));
        }
        let t = self.target(name)?;
        let path = child_path(&t.group.path, &t.name);
        let at = self.at(&path);
        let mut core = self.file.lock_for_write(&at)?;
        if !self.file.capabilities.remove {
            let why = crate::backend::links::cannot_remove(self.file.backend, &t.name);
            return Err(at.storage(why));
        }
        let exists = core
            .storage
            .link_info(t.group.id, &t.name)
            .map_err(|e| at.storage(e))?;
        if exists.is_none() {
            return Err(at.no_item());
        }
        let removed = core.storage.remove(t.group.id, &t.name);
        // every cache goes: members, list lengths and shapes of nodes that
        // are no more, and the shared values written to them
        core.invalidate();
        removed.map_err(|e| at.storage(e))
    }

    /// Make `name` a hard link to the item at `target` (a path, absolute
    /// or relative to this group): one object under two names, stored
    /// once; a write through either name shows through the other, and it
    /// stays until both are removed. Memory and HDF5 files.
    ///
    /// ```
    /// let f = qnd::memory();
    /// f.set("a", vec![1.0, 2.0])?;
    /// f.link("b", "/a")?;
    /// f.write_part("b", 0isize, 5.0)?;
    /// assert_eq!(f.read::<Vec<f64>>("a")?, [5.0, 2.0]);
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ReadOnly`], [`Error::NoItem`] for a missing target,
    /// [`Error::Invalid`] when `name` exists or the format has no hard
    /// links (netCDF).
    pub fn link(&self, name: &str, target: &str) -> Result<()> {
        let t = self.target(name)?;
        let path = child_path(&t.group.path, &t.name);
        let at = self.at(&path);
        write::check_group_member(&at, &t.name)?;
        let mut core = self.file.lock_for_write(&at)?;
        if !self.file.capabilities.hard_links {
            return Err(at.storage(crate::backend::links::no_links(
                self.file.backend,
                "hard",
                &t.name,
            )));
        }
        let (node, _, _) = self.found(&mut core, &self.at(&self.path), target)?;
        write::check_absent(&mut core, &at, t.group.id, &t.name)?;
        self.hard_link_under(&mut core, &at, t.group.id, &t.name, node)
    }

    /// Link `name` of group `parent` to `node` under the caller's lock.
    fn hard_link_under(
        &self,
        core: &mut FileState,
        at: &Where,
        parent: NodeId,
        name: &str,
        node: NodeId,
    ) -> Result<()> {
        let linked = core.storage.link(parent, name, node);
        // a new name: no cached member is wrong, but the parent's member
        // list changed
        core.forget(parent);
        linked.map(drop).map_err(|e| at.storage(e))
    }

    /// Make `name` a soft link to `target`, a path in this file (absolute,
    /// or relative to this group), which need not exist: reading `name`
    /// reads the target; a dangling link is an error naming it and its
    /// target. Memory and HDF5 files.
    ///
    /// ```
    /// let f = qnd::memory();
    /// f.set("a", 1.5)?;
    /// f.soft_link("latest", "/a")?;
    /// assert_eq!(f.read::<f64>("latest")?, 1.5);
    /// f.soft_link("gone", "/nothing")?;
    /// let e = f.read::<f64>("gone").unwrap_err();
    /// assert!(e.to_string().contains("gone -> /nothing"), "{e}");
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ReadOnly`], [`Error::Invalid`] when `name` exists or the
    /// format has no soft links (netCDF).
    pub fn soft_link(&self, name: &str, target: &str) -> Result<()> {
        self.make_link(name, "soft", |core, parent, n| {
            core.storage.soft_link(parent, n, target)
        })
    }

    /// Make `name` an external link to item `path` of HDF5 file `file`
    /// (stored as given: a relative name is found next to this file, then
    /// in the working directory). The file need not exist yet. HDF5 files
    /// only.
    ///
    /// # Errors
    /// [`Error::ReadOnly`], [`Error::Invalid`] when `name` exists, the
    /// format has no external links (memory, netCDF) or `file` is a family
    /// pattern (`run%d.h5`: HDF5 opens a link's target as one file).
    pub fn external_link(&self, name: &str, file: impl AsRef<Path>, path: &str) -> Result<()> {
        let file = file.as_ref();
        if let Some(why) = crate::file::link_target_refusal(file) {
            let t = self.target(name)?;
            return Err(self.at(&child_path(&t.group.path, &t.name)).invalid(why));
        }
        self.make_link(name, "external", |core, parent, n| {
            core.storage.external_link(parent, n, file, path)
        })
    }

    fn make_link(
        &self,
        name: &str,
        what: &str,
        make: impl FnOnce(&mut FileState, NodeId, &str) -> crate::backend::SResult<()>,
    ) -> Result<()> {
        let t = self.target(name)?;
        let path = child_path(&t.group.path, &t.name);
        let at = self.at(&path);
        write::check_group_member(&at, &t.name)?;
        let mut core = self.file.lock_for_write(&at)?;
        let caps = self.file.capabilities;
        let can = match what {
            "soft" => caps.soft_links,
            _ => caps.external_links,
        };
        if !can {
            let why = crate::backend::links::no_links(self.file.backend, what, &t.name);
            return Err(at.storage(why));
        }
        write::check_absent(&mut core, &at, t.group.id, &t.name)?;
        let made = make(&mut core, t.group.id, &t.name);
        core.forget(t.group.id);
        made.map_err(|e| at.storage(e))
    }

    /// What member `name` (or a path) is as a link: `None` when there is
    /// no such member, [`LinkTarget::Hard`] for an ordinary member. A
    /// dangling link is listed here (reading it is an error).
    ///
    /// # Errors
    /// When a group on the path is missing, or the file cannot be read.
    pub fn link_info(&self, name: &str) -> Result<Option<LinkTarget>> {
        let t = self.target(name)?;
        let path = child_path(&t.group.path, &t.name);
        let at = self.at(&path);
        let mut core = self.file.lock()?;
        core.storage
            .link_info(t.group.id, &t.name)
            .map_err(|e| at.storage(e))
    }

    /// Set `name` to a shared value: the first time a given `Arc` is
    /// written to this file it is written as [`QGroup::set`] does (with
    /// recording off); writing the same `Arc` again, under any name, makes
    /// a hard link to what was written, so the data is stored once (HDF5,
    /// memory). A format without hard links (netCDF) stores a copy. The
    /// file remembers which `Arc` went where (by address, holding a weak
    /// handle) while it is open and nothing is removed; a value changed
    /// on disk through one name shows through the other. An existing
    /// member `name` is set as [`QGroup::set`] sets it (nothing is done
    /// when it is already this value's node).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let f = qnd::memory();
    /// let grid = Arc::new(qnd::Value::from(vec![0.0, 0.5, 1.0]));
    /// f.create_group("run1")?;
    /// f.create_group("run2")?;
    /// f.set_shared("run1/grid", &grid)?;
    /// f.set_shared("run2/grid", &grid)?; // a hard link
    /// assert_eq!(f.read::<Vec<f64>>("run2/grid")?, [0.0, 0.5, 1.0]);
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`QGroup::set`] and [`QGroup::link`].
    pub fn set_shared(&self, name: &str, value: &Arc<Value>) -> Result<()> {
        let t = self.target(name)?;
        let path = child_path(&t.group.path, &t.name);
        let at = self.at(&path);
        write::check_group_member(&at, &t.name)?;
        {
            let mut core = self.file.lock_for_write(&at)?;
            if self.file.capabilities.hard_links {
                if let Some(node) = core.shared_node(value) {
                    match core
                        .lookup(t.group.id, &t.name)
                        .map_err(|e| at.storage(e))?
                    {
                        None => {
                            return self.hard_link_under(&mut core, &at, t.group.id, &t.name, node)
                        }
                        // already this value
                        Some((id, _)) if id == node => return Ok(()),
                        // an existing member: set as `set` does
                        Some(_) => {}
                    }
                }
            }
        }
        {
            let g = t.group.push();
            g.set_recording(Recording::Off);
            g.set(&t.name, (**value).clone())?;
        }
        let mut core = self.file.lock()?;
        if let Some((node, _)) = core
            .lookup(t.group.id, &t.name)
            .map_err(|e| at.storage(e))?
        {
            core.note_shared(value, node);
        }
        Ok(())
    }

    /// A reference to existing item `name` (or a path) of this file: the
    /// file's path and the item's absolute path (see [`QRef`]).
    ///
    /// # Errors
    /// [`Error::NoItem`]; [`Error::Invalid`] for a file held in memory
    /// (no file to refer to).
    pub fn qref(&self, name: &str) -> Result<QRef> {
        let path = if name.is_empty() {
            self.path.clone()
        } else {
            let t = self.target(name)?;
            let path = child_path(&t.group.path, &t.name);
            if !t.group.contains(&t.name)? {
                return Err(self.at(&path).no_item());
            }
            path
        };
        let file = self.file_path();
        if !file.is_file() {
            return Err(self
                .at(&path)
                .invalid("no file on disk to refer to (a file held in memory?)"));
        }
        Ok(QRef::new(file, &path))
    }

    /// Store reference `r` as member `name`: a scalar text leaf holding
    /// its text form (`file#/path`, the file relative to this file's
    /// folder when it is below it, see [`QRef::to_text`]), marked with
    /// the reserved attribute `__qref__` (= 1). Every backend holds it,
    /// and h5py or netCDF4 read it as that text.
    ///
    /// # Errors
    /// As [`QGroup::set`].
    pub fn set_ref(&self, name: &str, r: &QRef) -> Result<()> {
        let text = r.to_text(self.file_path().parent());
        {
            let g = self.push();
            g.set_recording(Recording::Off);
            g.set(name, text)?;
        }
        let at_path = child_path(&self.path, name);
        let at = self.at(&at_path);
        let mut core = self.file.lock_for_write(&at)?;
        let (node, _, _) = self.found(&mut core, &self.at(&self.path), name)?;
        core.storage
            .set_attr(node, QREF_ATTR, &Array::scalar(1i32))
            .map_err(|e| at.storage(e))
    }

    /// The reference stored as member `name` by [`QGroup::set_ref`]; a
    /// relative file name is taken relative to this file's folder.
    ///
    /// # Errors
    /// [`Error::NoItem`]; [`Error::Mismatch`] when the member is not a
    /// stored reference (no `__qref__` mark, or not text of the form).
    pub fn read_ref(&self, name: &str) -> Result<QRef> {
        let at_path = child_path(&self.path, name);
        let at = self.at(&at_path);
        let marked = {
            let mut core = self.file.lock()?;
            let (node, _, _) = self.found(&mut core, &self.at(&self.path), name)?;
            core.storage
                .get_attr(node, QREF_ATTR)
                .map_err(|e| at.storage(e))?
                .is_some()
        };
        if !marked {
            return Err(at.mismatch("a reference (a text leaf marked __qref__)", "no mark"));
        }
        let text: String = {
            let _guard = self.push();
            self.goto_off();
            self.read(name)?
        };
        QRef::parse(&text, self.file_path().parent())
            .ok_or_else(|| at.mismatch("a reference `file#/path`", format!("{text:?}")))
    }
}
