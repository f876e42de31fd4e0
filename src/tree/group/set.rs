//! Setting members: qnd's `f.x = value` in every recording mode,
//! declaring leaves, creating groups and lists.

use super::*;

impl QGroup {
    // ------------------------------------------------------------ writing

    /// Set member `name` (or a path) to `value`: qnd's `f.name = value`.
    ///
    /// - A new name is declared and written: a [`Value::Group`] becomes a
    ///   subgroup, a [`Value::List`] a list, None a None leaf, an array a
    ///   leaf. In recording mode 1 a new array becomes a record variable
    ///   holding it as its first record; in recording mode 2 (or for a
    ///   non-array in mode 1) a list of records.
    /// - An existing leaf is overwritten (same shape; the values cast to
    ///   its dtype, each checked: see "Casts on write" in the crate
    ///   guide).
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
    /// [`Error::Cast`] (a value the existing leaf's dtype cannot hold;
    /// nothing is written),
    /// [`Error::Invalid`], [`Error::NoItem`] for a missing group in a path;
    /// [`Error::Backend`] when the library fails, [`Error::Failed`] after an
    /// earlier failure the backend cannot recover from.
    ///
    /// A `set` that returns an error has kept nothing of its value: a
    /// record that could not be written is not kept for a later flush, so a
    /// retry stores it once. A `set` that created a member and then failed
    /// to write it leaves the member (netCDF cannot take a variable back):
    /// a new record variable then has no records and a retry appends to
    /// it. Failures that leave more than that (a leaf holding fill values,
    /// a half-written list element) are library failures, after which
    /// every call fails with [`Error::Failed`].
    pub fn set(&self, name: &str, value: impl Into<Value>) -> Result<()> {
        self.file.collective(
            "set",
            &self.path,
            name,
            crate::parallel::lockstep::state_key(self.state.get()),
            || {
                let value = value.into();
                let state = self.state.get();
                let at = self.at(&self.path);
                let record = if !name.is_empty() && !name.contains('/') {
                    // a direct member: the hot path of recording
                    self.set_member(self.id, &at, name, &value, state)?
                } else {
                    // a path: walked under one lock, then set (which locks again
                    // only to write); no string is built unless an error is made
                    let walked = {
                        let mut core = self.file.lock()?;
                        walk(&mut core, self.file.root, self.id, &at, name, state.goto)?
                    };
                    if walked.name.is_empty() {
                        return Err(at.invalid("cannot set a group itself; use update"));
                    }
                    let group_at = walked.group_at(&at);
                    let record =
                        self.set_member(walked.group, &group_at, walked.name, &value, state)?;
                    record.filter(|_| walked.group == self.id)
                };
                if let Some(r) = record {
                    // qnd leaves goto at the record just written.
                    self.goto(r as isize);
                }
                Ok(())
            },
        )
    }

    /// Set member `name` of group `group` (named `group_at` in errors);
    /// returns the record written, if a record was appended. The hot path
    /// of recording: one lock, a cached lookup, no string built unless an
    /// error is returned.
    fn set_member(
        &self,
        group: NodeId,
        group_at: &Where,
        name: &str,
        value: &Value,
        state: State,
    ) -> Result<Option<usize>> {
        let here_group = group_at;
        let at = here_group.member(name);
        write::check_group_member(&at, name)?;
        write::validate(&at, value)?;
        let mut core = self.file.lock_for_write(&at)?;
        let found = core.lookup(group, name).map_err(|e| at.storage(e))?;
        let Some((id, kind)) = found else {
            return match (state.recording, value) {
                (Recording::Off, _) => {
                    write::create(&mut core, here_group, group, name, value).map(|_| None)
                }
                (Recording::Uniform, Value::Array(a)) => {
                    let spec = write::spec_of(a, true);
                    let id = core
                        .storage
                        .create_leaf(group, name, &spec)
                        .map_err(|e| at.storage(e))?;
                    write::append_record(&mut core, &at, id, value).map(Some)
                }
                _ => {
                    let id = write::create_list(&mut core, &at, group, name)?;
                    write::append_element(&mut core, &at, id, value).map(Some)
                }
            };
        };
        match kind {
            Kind::Records | Kind::List => {
                if state.recording != Recording::Off {
                    return if kind == Kind::Records {
                        write::append_record(&mut core, &at, id, value).map(Some)
                    } else {
                        write::append_element(&mut core, &at, id, value).map(Some)
                    };
                }
                if let Some(r) = state.goto {
                    return if kind == Kind::Records {
                        let count = core.records(id).map_err(|e| at.storage(e))?;
                        let r = read::record_index(&at, r, count)?;
                        write::write_leaf(
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
                        let n = read::list_len(&mut core, &at, id)?;
                        let r = read::record_index(&at, r, n)?;
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
            // never written over: remove it first (where the format can)
            Kind::Other => Err(read::unreadable(&mut core, &at, id)),
            Kind::Leaf => {
                write::write_leaf(&mut core, &at, id, None, &Selection::all(), value, false)
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
    /// written with [`QGroup::set`] gets the width of its longest string
    /// (a record variable made by recording at least 32 bytes, room for a
    /// field that changes), and a longer string later is an error, never
    /// cut short. Declare the width you need to record longer strings.
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
        self.file.collective(
            "declare",
            &self.path,
            name,
            crate::parallel::lockstep::state_key(self.state.get()),
            || {
                let t = self.target(name)?;
                let g = &t.group;
                let path = child_path(&g.path, &t.name);
                let at = self.at(&path);
                write::check_group_member(&at, &t.name)?;
                if crate::values::checked_len(shape).is_none() {
                    return Err(at.invalid(format!("shape {shape:?} has too many elements")));
                }
                let mut core = self.file.lock_mut(&path)?;
                if core
                    .lookup(g.id, &t.name)
                    .map_err(|e| at.storage(e))?
                    .is_some()
                {
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
            },
        )
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
}
