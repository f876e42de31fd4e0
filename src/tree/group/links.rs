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
use crate::file::Named;
use crate::selection::Selection;
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
        self.file
            .collective("require_group", &self.path, name, 0, || {
                match self.kind(name) {
                    Ok(Kind::Group) => self.group(name),
                    Ok(other) => Err(self
                        .at(&child_path(&self.path, name))
                        .mismatch("a group", kind_name(other))),
                    Err(Error::NoItem { .. }) => self.create_group(name),
                    Err(e) => Err(e),
                }
            })
    }

    /// Leaf `name` (or a path) of `dtype` and `shape`: declared as
    /// [`QGroup::declare`] does if there is no such member, else the
    /// existing leaf once its dtype and shape are checked.
    ///
    /// For a record variable, `shape` is the shape of one record, and the
    /// leaf returned is the whole history, of shape `[records, ..shape]`
    /// (as h5py's `require_dataset` returns the dataset, and as
    /// [`QGroup::leaf`] gives it with goto off): read it whole or by
    /// record; records are appended by setting the name with recording on.
    ///
    /// ```
    /// use qnd::{DType, Recording};
    /// let f = qnd::memory();
    /// let u = f.require_leaf("u", DType::F64, &[3])?;
    /// u.write(vec![1.0, 2.0, 3.0])?;
    /// assert_eq!(f.require_leaf("u", DType::F64, &[3])?.read::<Vec<f64>>()?, [1.0, 2.0, 3.0]);
    /// let e = f.require_leaf("u", DType::F32, &[3]).unwrap_err();
    /// assert!(e.to_string().contains("expected f4 [3], got f8 [3]"), "{e}");
    /// {
    ///     let g = f.push();
    ///     g.set_recording(Recording::Uniform);
    ///     g.set("t", vec![0.0, 1.0])?;
    ///     g.set("t", vec![1.0, 1.0])?;
    /// }
    /// // one record is [2]; the leaf is the history, [2, 2]
    /// assert_eq!(f.require_leaf("t", DType::F64, &[2])?.shape()?, [2, 2]);
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Mismatch`] naming the expected and the existing dtype and
    /// shape, or the kind of a member that is no leaf; as
    /// [`QGroup::declare`] otherwise.
    pub fn require_leaf(&self, name: &str, dtype: DType, shape: &[usize]) -> Result<QLeaf> {
        self.file.collective(
            "require_leaf",
            &self.path,
            name,
            crate::parallel::lockstep::state_key(self.state.get()),
            || {
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
                    return Err(
                        at.mismatch(expected, crate::values::describe(got_dtype, &got_shape))
                    );
                }
                let _guard = self.push();
                self.goto_off();
                self.leaf(name)
            },
        )
    }

    /// Remove member `name` (or a path): a group with everything in it, a
    /// list, a leaf, a record variable, None, an item qnd has no kind for
    /// (the one way to write over one), or a link (a soft or
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
    /// format cannot delete members (naming it), `name` is a list
    /// element's, or `name` names no member but a group itself (`""`,
    /// `"/"`, a path ending with `/`).
    pub fn remove(&self, name: &str) -> Result<()> {
        self.file.collective("remove", &self.path, name, 0, || {
            let last = name.rsplit('/').next().unwrap_or(name);
            if last.is_empty() {
                let path = child_path(&self.path, name);
                return Err(self.at(&path).invalid(format!(
                    "remove takes the name of a member; {name:?} names a group itself \
                 (remove it by its name from the group holding it)"
                )));
            }
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
        })
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
    /// [`Error::Invalid`] when `name` exists, the format has no hard
    /// links (netCDF), or the target is reached through an external link
    /// (it is in another file: hard links stay inside one file, use
    /// [`QGroup::external_link`]).
    pub fn link(&self, name: &str, target: &str) -> Result<()> {
        self.file.collective("link", &self.path, name, 0, || {
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
            if let Some(external) = self.external_on_path(&mut core, target)? {
                return Err(at.invalid(format!(
                    "a hard link stays inside one file, and {target} is in another file \
                 (through external link {external}): use external_link"
                )));
            }
            write::check_absent(&mut core, &at, t.group.id, &t.name)?;
            self.hard_link_under(&mut core, &at, t.group.id, &t.name, node)
        })
    }

    /// The first external link on the way to `target` (a path, absolute or
    /// relative to this group; soft links followed), named by its path:
    /// the target is then in another file. `None` when there is none or
    /// the way cannot be walked (the caller has found the target).
    fn external_on_path(&self, core: &mut FileState, target: &str) -> Result<Option<String>> {
        let at = self.at(&self.path);
        let mut parts: Vec<String> = crate::file::join(&self.path, target)
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .map(str::to_string)
            .collect();
        let (mut group, mut i, mut hops) = (self.file.root, 0, 0);
        while i < parts.len() {
            let here = format!("/{}", parts[..=i].join("/"));
            let link = core
                .storage
                .link_info(group, &parts[i])
                .map_err(|e| at.storage(e))?;
            match link {
                Some(LinkTarget::External { .. }) => return Ok(Some(here)),
                Some(LinkTarget::Soft(to)) if hops < MAX_SOFT_HOPS => {
                    hops += 1;
                    let base = format!("/{}", parts[..i].join("/"));
                    let mut next: Vec<String> = crate::file::join(&base, &to)
                        .split('/')
                        .filter(|p| !p.is_empty() && *p != ".")
                        .map(str::to_string)
                        .collect();
                    next.extend(parts.drain(i + 1..));
                    (parts, group, i) = (next, self.file.root, 0);
                }
                Some(LinkTarget::Hard) => match core.lookup(group, &parts[i]) {
                    Ok(Some((id, Kind::Group | Kind::List))) => {
                        group = id;
                        i += 1;
                    }
                    _ => return Ok(None),
                },
                _ => return Ok(None),
            }
        }
        Ok(None)
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
    /// [`Error::ReadOnly`], [`Error::Invalid`] when `name` exists, the
    /// format has no soft links (netCDF), or `target` is empty or holds a
    /// NUL byte.
    pub fn soft_link(&self, name: &str, target: &str) -> Result<()> {
        self.file.collective("soft_link", &self.path, name, 0, || {
            self.make_link(name, "soft", &[("target", target)], |core, parent, n| {
                core.storage.soft_link(parent, n, target)
            })
        })
    }

    /// Make `name` an external link to item `path` of HDF5 file `file`
    /// (stored as given, `%%` made `%` as `open` reads names: a relative
    /// name is found next to this file, then in the working directory). The file need not exist yet. HDF5 files
    /// only.
    ///
    /// # Errors
    /// [`Error::ReadOnly`], [`Error::Invalid`] when `name` exists, the
    /// format has no external links (memory, netCDF), `file` is a family
    /// pattern (`run%d.h5`: HDF5 opens a link's target as one file), or
    /// `file` or `path` is empty or holds a NUL byte.
    pub fn external_link(&self, name: &str, file: impl AsRef<Path>, path: &str) -> Result<()> {
        self.file
            .collective("external_link", &self.path, name, 0, || {
                let file = match crate::file::link_target(file.as_ref()) {
                    Ok(literal) => literal,
                    Err(why) => {
                        let t = self.target(name)?;
                        return Err(self.at(&child_path(&t.group.path, &t.name)).invalid(why));
                    }
                };
                let file = file.as_path();
                let file_text = file.to_string_lossy();
                let texts = [("file", file_text.as_ref()), ("target path", path)];
                self.make_link(name, "external", &texts, |core, parent, n| {
                    core.storage.external_link(parent, n, file, path)
                })
            })
    }

    /// Make link `name` (of kind `what`) with `make`, once `texts` (what
    /// names the target) are checked: none empty, none holding a NUL.
    fn make_link(
        &self,
        name: &str,
        what: &str,
        texts: &[(&str, &str)],
        make: impl FnOnce(&mut FileState, NodeId, &str) -> crate::backend::SResult<()>,
    ) -> Result<()> {
        let t = self.target(name)?;
        let path = child_path(&t.group.path, &t.name);
        let at = self.at(&path);
        write::check_group_member(&at, &t.name)?;
        for (part, text) in texts {
            if text.is_empty() || text.contains('\0') {
                return Err(at.invalid(format!(
                    "the {part} of a {what} link must be a non-empty name with no NUL byte, \
                     not {text:?}"
                )));
            }
        }
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
    /// handle) while it is open, nothing is removed and what was written
    /// is unchanged: once the item is written to (any name of it, any
    /// member of it), appended to, or given or deprived of a member, the
    /// next `set_shared` of that `Arc` writes the value again rather than
    /// linking to what the file holds now. A value changed on disk
    /// through one name shows through the other names linked so far. An
    /// existing member `name` is set as [`QGroup::set`] sets it (nothing
    /// is done when it is already this value's node).
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
        self.file.collective(
            "set_shared",
            &self.path,
            name,
            crate::parallel::lockstep::state_key(self.state.get()),
            || {
                let t = self.target(name)?;
                let path = child_path(&t.group.path, &t.name);
                let at = self.at(&path);
                write::check_group_member(&at, &t.name)?;
                {
                    let mut core = self.file.lock_for_write(&at)?;
                    if self.file.capabilities.hard_links {
                        let shared = core.shared_node(value).map_err(|e| at.storage(e))?;
                        if let Some(node) = shared {
                            match core
                                .lookup(t.group.id, &t.name)
                                .map_err(|e| at.storage(e))?
                            {
                                None => {
                                    return self
                                        .hard_link_under(&mut core, &at, t.group.id, &t.name, node)
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
                if let Some((node, kind)) = core
                    .lookup(t.group.id, &t.name)
                    .map_err(|e| at.storage(e))?
                {
                    core.note_shared(value, node, kind)
                        .map_err(|e| at.storage(e))?;
                }
                Ok(())
            },
        )
    }

    /// A reference to existing item `name` (or a path) of this file: the
    /// name that opens the file again ([`QGroup::file_path`]: a family's
    /// pattern, a plain name with `%` doubled where needed) and the
    /// item's absolute path (see [`QRef`]).
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
        if self.file.named == Named::Memory {
            return Err(self
                .at(&path)
                .invalid("a file held in memory has no name to refer to"));
        }
        Ok(QRef::new(self.file_path(), &path))
    }

    /// Store reference `r` as member `name`: a scalar text leaf holding
    /// its text form (`file#/path`, the file relative to this file's
    /// folder when it is below it, see [`QRef::to_text`]), marked with
    /// the reserved attribute `__qref__` (= 1). Every backend holds it,
    /// and h5py or netCDF4 read it as that text.
    ///
    /// A reference stored there before is replaced, whatever the lengths
    /// of the two: where the format can remove members (memory, HDF5) the
    /// leaf is removed and made anew (if making it fails, the old one is
    /// made again; handles on the old leaf then fail, as after
    /// [`QGroup::remove`]); elsewhere the text is written in place, which
    /// netCDF-4 (variable-length text) always can and netCDF-3 (fixed
    /// width) only when the new text is no longer than the first.
    ///
    /// ```
    /// use qnd::QRef;
    /// let f = qnd::memory();
    /// f.set_ref("r", &QRef::new("/data/a.h5", "/x"))?;
    /// let longer = QRef::new("/data/a_longer_name.h5", "/x/y");
    /// f.set_ref("r", &longer)?;
    /// assert_eq!(f.read_ref("r")?, longer);
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Mismatch`] when member `name` exists and is not a stored
    /// reference (it is left alone); [`Error::Invalid`] when the text does
    /// not fit a reference that cannot be removed; as [`QGroup::set`]
    /// otherwise.
    pub fn set_ref(&self, name: &str, r: &QRef) -> Result<()> {
        self.file.collective(
            "set_ref",
            &self.path,
            name,
            crate::parallel::lockstep::state_key(self.state.get()),
            || {
                let text = r.to_text(self.file_path().parent());
                let value = Value::from(text);
                let t = self.target(name)?;
                let path = child_path(&t.group.path, &t.name);
                let at = self.at(&path);
                let group_at = self.at(&t.group.path);
                write::check_group_member(&at, &t.name)?;
                write::validate(&at, &value)?;
                let mut core = self.file.lock_for_write(&at)?;
                let parent = t.group.id;
                let found = core.lookup(parent, &t.name).map_err(|e| at.storage(e))?;
                let Some((old, kind)) = found else {
                    return make_ref(&mut core, &group_at, parent, &t.name, &value);
                };
                let marked = kind == Kind::Leaf
                    && core
                        .storage
                        .get_attr(old, QREF_ATTR)
                        .map_err(|e| at.storage(e))?
                        .is_some();
                if !marked {
                    return Err(at.mismatch(
                        "a stored reference to replace (a text leaf marked __qref__)",
                        kind_name(kind),
                    ));
                }
                if !self.file.capabilities.remove {
                    // in place: fits unless the format's text has a fixed width
                    return write::write_leaf(
                        &mut core,
                        &at,
                        old,
                        None,
                        &Selection::all(),
                        &value,
                        false,
                    )
                    .map_err(|e| {
                        let why = match &e {
                            Error::Invalid { reason, .. } => reason.clone(),
                            Error::Mismatch { .. } => e.to_string(),
                            _ => return e,
                        };
                        at.invalid(format!(
                            "the new reference does not fit the one stored ({why}), and this \
                         format cannot remove a member to make it anew"
                        ))
                    });
                }
                let before = core.storage.read(old, &[]).map_err(|e| at.storage(e))?;
                let removed = core.storage.remove(parent, &t.name);
                core.invalidate();
                removed.map_err(|e| at.storage(e))?;
                let made = make_ref(&mut core, &group_at, parent, &t.name, &value);
                if made.is_err() {
                    // put the old reference back, as far as the backend lets us
                    core.invalidate();
                    if let Ok(Some(_)) = core.storage.link_info(parent, &t.name) {
                        let _ = core.storage.remove(parent, &t.name);
                        core.invalidate();
                    }
                    let _ = make_ref(&mut core, &group_at, parent, &t.name, &Value::Array(before));
                }
                made
            },
        )
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

/// How many soft links [`QGroup::link`] follows looking for an external
/// link on the way to its target.
const MAX_SOFT_HOPS: usize = 40;

/// Make member `name` of `parent` (named `group_at` in errors) a stored
/// reference holding text `value`, under the caller's lock.
fn make_ref(
    core: &mut FileState,
    group_at: &Where,
    parent: NodeId,
    name: &str,
    value: &Value,
) -> Result<()> {
    let node = write::create(core, group_at, parent, name, value)?;
    core.storage
        .set_attr(node, QREF_ATTR, &Array::scalar(1i32))
        .map_err(|e| group_at.member(name).storage(e))
}
