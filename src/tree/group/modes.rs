//! qnd's file state on a group handle: the auto-read and recording modes,
//! goto (one record, or the record nearest a value), push and iteration
//! over records.

use super::*;

impl QGroup {
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
        let Some((id, kind, through)) = self.resolve(&mut core, &at, name)? else {
            return Err(here.no_item()); // the path names a group itself
        };
        let here = at.member_through(name, through);
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
        let Some((id, kind, through)) = self.resolve(&mut core, &at, name)? else {
            return Err(here.no_item()); // the path names a group itself
        };
        let here = at.member_through(name, through);
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
        at: &Where,
    ) -> Result<GotoIndex> {
        let at = *at;
        let core = &mut *core;
        let values: Vec<f64> = match kind {
            Kind::Records => {
                let info = core.shape(id).map_err(|e| at.storage(e))?;
                if info.shape.len() != 1 {
                    return Err(at.invalid(format!(
                        "goto needs a scalar record variable; records have shape {:?}",
                        &info.shape[1..]
                    )));
                }
                let a = read::read_leaf(core, &at, id, None, &Selection::all())?;
                let f = a
                    .to_f64()
                    .ok_or_else(|| at.invalid(goto_needs(a.dtype())))?;
                f.iter().copied().collect()
            }
            Kind::List => {
                let n = read::list_len(core, &at, id)?;
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    let v = read::read_element(core, &at, id, i)?;
                    let x = match &v {
                        Value::Array(a) if a.ndim() == 0 => a.to_f64().map(|f| f[[]]),
                        _ => None,
                    };
                    let x = x.ok_or_else(|| {
                        let why = match &v {
                            Value::Array(a) if a.dtype().is_complex() => goto_needs(a.dtype()),
                            _ => "goto needs scalar numeric records".into(),
                        };
                        at.invalid(format!("{why}; record {i} is {}", v.describe()))
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
            let here = at.member(&name);
            match core.lookup(self.id, &name).map_err(|e| here.storage(e))? {
                Some((id, Kind::Records)) => {
                    n = n.max(core.records(id).map_err(|e| here.storage(e))?);
                }
                Some((id, Kind::List)) => n = n.max(read::list_len(&mut core, &here, id)?),
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

/// Why goto cannot use values of `dtype` (not real numbers).
fn goto_needs(dtype: crate::DType) -> String {
    if dtype.is_complex() {
        format!("goto needs real numbers, which have an order; {dtype} (complex) values have none")
    } else {
        format!("goto needs numbers, not {dtype}")
    }
}
