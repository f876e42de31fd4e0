//! The state shared by every handle of one open file, and its caches.
//!
//! [`FileState`] owns the storage (behind its record buffer) and every
//! cache of what the tree has learnt about nodes:
//!
//! | cache | what it holds | kept up to date by |
//! | --- | --- | --- |
//! | members | `(group, name) -> (node, kind)` | creating members |
//! | lists | group -> list length, or not a list | appending to a list |
//! | shapes | leaf or record node -> dtype and shape (not record counts) | never changes |
//! | goto | scalar record node -> goto-by-value index | appending records |
//! | shared | an `Arc<Value>` written by `set_shared` -> its node | writing it; dropped when it changes |
//!
//! [`FileState::invalidate`] drops them all (a file changed by another
//! process, a failed write whose effect is unknown, a removal);
//! [`FileState::forget`] drops what is known of one node. A shared value
//! is forgotten as soon as the node it was written to (or any node below
//! it) is written, appended to, forgotten or given a new member: the file
//! no longer holds the value handed in. Nothing else in the tree caches node
//! facts. Below it, a backend may keep what makes its own reads fast (the
//! HDF5 backend keeps each dataset's dataspaces, so that a record read
//! under goto asks HDF5 for no dataspace and a record count is no library
//! call): it drops them where it alone knows they go stale (an append
//! changing an extent, handles closed at a refresh or when SWMR writing is
//! left), so that a read through [`FileState`] after an append on the
//! same handle, or after [`FileState::refresh`], sees the new records.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use qnd_storage::{FastMap, RecordBuffer};

use super::lock::WriterLock;
use super::AnyStorage;
use crate::backend::{Array, Capabilities, Kind, LeafInfo, NodeId, Storage, StorageError};
use crate::error::{Error, Result, Where};
use crate::parallel::{lockstep::call_key, Lockstep};
use crate::state::GotoIndex;
use crate::values::Value;

/// What the tree has learnt about nodes (see the [module docs](self)).
#[derive(Default)]
struct Caches {
    members: FastMap<NodeId, FastMap<Box<str>, (NodeId, Kind)>>,
    lists: FastMap<NodeId, Option<usize>>,
    shapes: FastMap<NodeId, LeafInfo>,
    goto: FastMap<NodeId, GotoIndex>,
    /// Shared values written (by address).
    shared: FastMap<usize, Shared>,
    /// For each node of a shared value (the node it was written to and
    /// every node below it), the values (by address) a change to it
    /// drops: a write looks its node up here, once, when any value is
    /// shared. An address may outlive its value here (a later value at
    /// the same address is then dropped too: written again, never wrong).
    shared_nodes: FastMap<NodeId, Vec<usize>>,
}

/// A shared value as written by `set_shared`.
struct Shared {
    /// The value (an address reused by another value does not match).
    value: Weak<Value>,
    /// The node it was written to.
    node: NodeId,
}

/// The state shared by every handle of one open file.
pub(crate) struct FileState {
    pub storage: RecordBuffer<AnyStorage>,
    pub open: bool,
    pub writable: bool,
    /// The most bytes one read may return
    /// ([`OpenOptions::max_read_bytes`](crate::OpenOptions::max_read_bytes)).
    pub max_read_bytes: usize,
    caches: Caches,
    /// The first failure the backend cannot recover from, as displayed:
    /// once set, every call on the file returns [`Error::Failed`] naming
    /// it (see [`FileState::note`]).
    failed: Option<Arc<str>>,
    /// qnd's writer lock (for a file open for writing), released only
    /// once the backend has closed the file: dropped after `storage`.
    guard: Option<WriterLock>,
    /// For a file written by several processes together: their lockstep,
    /// asked before a record is buffered (storage calls go through it in
    /// the storage layer, see `synced`).
    step: Option<Arc<Lockstep>>,
}

impl FileState {
    pub(super) fn share(
        storage: RecordBuffer<AnyStorage>,
        path: &Path,
        writable: bool,
        max_read_bytes: usize,
    ) -> FileRef {
        let backend = storage.backend_name();
        let capabilities = storage.capabilities();
        let root = storage.root();
        FileRef {
            root,
            core: Arc::new(Mutex::new(FileState {
                storage,
                open: true,
                writable,
                max_read_bytes,
                caches: Caches::default(),
                failed: None,
                guard: None,
                step: None,
            })),
            file: Arc::from(path),
            named: Named::Plain,
            backend,
            capabilities,
            step: None,
        }
    }

    /// Note the outcome of a call that changes the file (writing data,
    /// appending records, flushing, closing): a library error there leaves
    /// the file in a state the backend cannot vouch for (HDF5's and
    /// netCDF-C's caches may hold data that never reached the disk), so
    /// the first one is kept and every later call fails naming it. Errors
    /// the backend raises before touching the file (a refused value, a
    /// format that cannot hold something) are not failures of the file.
    fn note<T>(&mut self, done: Result<T, StorageError>, at: &Where) -> Result<T> {
        done.map_err(|e| {
            let library = matches!(e, StorageError::Library(_));
            let e = at.storage(e);
            if library && self.failed.is_none() {
                self.failed = Some(e.to_string().into());
            }
            e
        })
    }

    /// [`Error::Failed`] once a call failed in a way the backend cannot
    /// recover from.
    fn check_failed(&self, file: &Path) -> Result<()> {
        match &self.failed {
            Some(first) => Err(Error::Failed {
                file: file.to_path_buf(),
                first: first.to_string(),
            }),
            None => Ok(()),
        }
    }

    /// Drop every cache: what is known of nodes is read again from storage.
    pub fn invalidate(&mut self) {
        self.caches = Caches::default();
    }

    /// Show what another process has written to the file since it was
    /// opened: the backend refreshes ([`Storage::refresh`]), then every
    /// cache is dropped (see [`FileState::invalidate`]), whether or not
    /// the refresh succeeded.
    ///
    /// # Errors
    /// When the backend fails.
    pub fn refresh(&mut self) -> Result<(), StorageError> {
        let refreshed = self.storage.refresh();
        self.invalidate();
        refreshed
    }

    /// Drop what is known of node `node` (its shape, goto index, list
    /// length), after a write whose effect on it is not known.
    pub fn forget(&mut self, node: NodeId) {
        self.caches.shapes.remove(&node);
        self.caches.goto.remove(&node);
        self.caches.lists.remove(&node);
        self.changed(node);
    }

    /// Note that node `node` changed (written, appended to, a member
    /// added): the shared values written to it or to a group holding it
    /// are forgotten, so that `set_shared` of the same value writes it
    /// again rather than linking to what the file holds now. Costs one
    /// test when no shared value was written, one lookup otherwise.
    pub fn changed(&mut self, node: NodeId) {
        if self.caches.shared_nodes.is_empty() {
            return;
        }
        if let Some(keys) = self.caches.shared_nodes.remove(&node) {
            for key in keys {
                self.caches.shared.remove(&key);
            }
            if self.caches.shared.is_empty() {
                self.caches.shared_nodes.clear();
            }
        }
    }

    /// Whether group `node` is a list (`Some(len)`), from the cache or by
    /// looking at its member names: a list has `_` and `_0` .. `_<n-1>`
    /// and nothing else. A group with gaps in its indices reads as a plain
    /// group, so that every member stays reachable.
    ///
    /// # Errors
    /// When the backend fails.
    pub fn list_len(&mut self, node: NodeId) -> Result<Option<usize>, StorageError> {
        if let Some(&known) = self.caches.lists.get(&node) {
            return Ok(known);
        }
        let names = self.storage.names(node)?;
        let len = list_indices(&names);
        self.caches.lists.insert(node, len);
        Ok(len)
    }

    /// Record that group `node` is a list of `len` elements (`None`: a
    /// plain group), after creating it or appending to it.
    pub fn set_list_len(&mut self, node: NodeId, len: Option<usize>) {
        self.caches.lists.insert(node, len);
    }

    /// Member `name` of group `parent`, telling lists from groups; cached,
    /// so that looking up a member again builds nothing and asks no
    /// backend.
    ///
    /// # Errors
    /// When the backend fails.
    pub fn lookup(
        &mut self,
        parent: NodeId,
        name: &str,
    ) -> Result<Option<(NodeId, Kind)>, StorageError> {
        if let Some(found) = self.caches.members.get(&parent).and_then(|m| m.get(name)) {
            return Ok(Some(*found));
        }
        let Some((node, kind)) = self.storage.lookup(parent, name)? else {
            return Ok(None);
        };
        let kind = match kind {
            Kind::Group | Kind::List => {
                if self.list_len(node)?.is_some() {
                    Kind::List
                } else {
                    Kind::Group
                }
            }
            other => other,
        };
        let found = (node, kind);
        self.caches
            .members
            .entry(parent)
            .or_default()
            .insert(name.into(), found);
        Ok(Some(found))
    }

    /// The dtype and shape of leaf or record node `node` as first seen
    /// (cached: they do not change, but for the record count of a record
    /// node, which [`FileState::records`] gives as it is now).
    ///
    /// # Errors
    /// When the backend fails.
    pub fn shape(&mut self, node: NodeId) -> Result<&LeafInfo, StorageError> {
        if !self.caches.shapes.contains_key(&node) {
            let info = self.storage.info(node)?;
            self.caches.shapes.insert(node, info);
        }
        Ok(&self.caches.shapes[&node])
    }

    /// The record count of record node `node` now, from storage (never
    /// cached: another handle of the same file may have appended).
    ///
    /// # Errors
    /// When the backend fails.
    pub fn records(&mut self, node: NodeId) -> Result<usize, StorageError> {
        self.storage.records(node)
    }

    /// Append one `record` (of the node's dtype and record shape, checked
    /// by the caller) to record node `node`, keeping its goto index up to
    /// date.
    ///
    /// # Errors
    /// When the backend fails (named `at`); what is known of the node is
    /// then read again from storage. The record is not kept: a retry
    /// stores it once. A library error is a failure of the file (see
    /// [`FileState::note`]).
    pub fn append(&mut self, node: NodeId, record: &Array, at: &Where) -> Result<()> {
        self.before_change(at)?;
        self.changed(node);
        let appended = self.storage.append(node, record);
        if appended.is_err() {
            self.forget(node);
            return self.note(appended, at);
        }
        if let Some(index) = self.caches.goto.get_mut(&node) {
            match record.to_f64() {
                Some(v) if v.ndim() == 0 => index.push(v[[]]),
                _ => {
                    self.caches.goto.remove(&node);
                }
            }
        }
        Ok(())
    }

    /// On a file written by several processes: wait until every process
    /// is ready to change the file or its buffers the same way (see
    /// [`crate::parallel`]); nothing on other files.
    ///
    /// # Errors
    /// When the change must not be made (another process failed, or made
    /// another call).
    pub fn before_change(&self, at: &Where) -> Result<()> {
        match &self.step {
            Some(step) => step.before_change().map_err(|e| at.storage(e)),
            None => Ok(()),
        }
    }

    /// Append one record of distributed record node `node`, this
    /// process's `part` of it (checked by the caller), buffered (see
    /// [`RecordBuffer::append_part`]).
    ///
    /// # Errors
    /// As [`FileState::append`].
    pub fn append_part(
        &mut self,
        node: NodeId,
        part: &qnd_storage::Part,
        record: &Array,
        at: &Where,
    ) -> Result<()> {
        self.before_change(at)?;
        self.changed(node);
        self.caches.goto.remove(&node);
        let appended = self.storage.append_part(node, part, record);
        if appended.is_err() {
            self.forget(node);
        }
        self.note(appended, at)
    }

    /// Write this process's `part` of distributed leaf `node` (see
    /// [`Storage::write_part`]).
    ///
    /// # Errors
    /// As [`FileState::write`].
    pub fn write_part(
        &mut self,
        node: NodeId,
        part: &qnd_storage::Part,
        data: &Array,
        at: &Where,
    ) -> Result<()> {
        self.caches.goto.remove(&node);
        self.changed(node);
        let written = self.storage.write_part(node, part, data);
        self.note(written, at)
    }

    /// Write `data` to hyperslab `slab` of node `node`: a write that is not
    /// an append drops the node's goto index.
    ///
    /// # Errors
    /// When the backend fails (named `at`); a library error is a failure
    /// of the file (see [`FileState::note`]).
    pub fn write(
        &mut self,
        node: NodeId,
        slab: &[crate::backend::Run],
        data: &Array,
        at: &Where,
    ) -> Result<()> {
        self.caches.goto.remove(&node);
        self.changed(node);
        let written = self.storage.write(node, slab, data);
        self.note(written, at)
    }

    /// The node shared value `value` was written to, if it was and that
    /// node still holds it: no node of it was written since (see
    /// [`FileState::changed`]) and, for a group or list, it has the
    /// members the value has, no more (their names are compared, not
    /// their data).
    ///
    /// # Errors
    /// When the backend fails.
    pub fn shared_node(&mut self, value: &Arc<Value>) -> Result<Option<NodeId>, StorageError> {
        let key = Arc::as_ptr(value) as usize;
        let Some(s) = self.caches.shared.get(&key) else {
            return Ok(None);
        };
        let node = s.node;
        let live = s.value.upgrade().is_some_and(|v| Arc::ptr_eq(&v, value));
        if live && self.same_members(node, value)? {
            return Ok(Some(node));
        }
        self.caches.shared.remove(&key);
        Ok(None)
    }

    /// Whether node `node` has the members `value` has, all the way down
    /// (names only; an array or None has none).
    fn same_members(&mut self, node: NodeId, value: &Value) -> Result<bool, StorageError> {
        let mut todo = vec![(node, value)];
        while let Some((node, value)) = todo.pop() {
            let expected = match value {
                Value::Group(members) => members.len(),
                Value::List(items) => items.len() + 1,
                _ => continue,
            };
            if self.storage.names(node)?.len() != expected {
                return Ok(false);
            }
            let named: Vec<(String, &Value)> = match value {
                Value::Group(members) => members.iter().map(|(k, v)| (k.clone(), v)).collect(),
                Value::List(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("_{i}"), v))
                    .collect(),
                _ => Vec::new(),
            };
            for (name, v) in named {
                match self.storage.lookup(node, &name)? {
                    Some((id, _)) => todo.push((id, v)),
                    None => return Ok(false),
                }
            }
        }
        Ok(true)
    }

    /// Note that shared value `value` was just written to node `node` (of
    /// `kind`): the node and every node below it are looked up, to be
    /// watched for changes.
    ///
    /// # Errors
    /// When the backend fails (nothing is noted).
    pub fn note_shared(
        &mut self,
        value: &Arc<Value>,
        node: NodeId,
        kind: Kind,
    ) -> Result<(), StorageError> {
        let mut nodes = vec![node];
        let mut groups = Vec::new();
        if matches!(kind, Kind::Group | Kind::List) {
            groups.push(node);
        }
        while let Some(group) = groups.pop() {
            for name in self.storage.names(group)? {
                if let Some((id, kind)) = self.storage.lookup(group, &name)? {
                    // a value just written holds no link: no node twice
                    if matches!(kind, Kind::Group | Kind::List) {
                        groups.push(id);
                    }
                    nodes.push(id);
                }
            }
        }
        let key = Arc::as_ptr(value) as usize;
        let shared = Shared {
            value: Arc::downgrade(value),
            node,
        };
        self.caches.shared.insert(key, shared);
        for id in nodes {
            self.caches.shared_nodes.entry(id).or_default().push(key);
        }
        Ok(())
    }

    /// The goto-by-value index of record node `node`, if one is kept.
    pub fn goto_index(&self, node: NodeId) -> Option<&GotoIndex> {
        self.caches.goto.get(&node)
    }

    /// Keep `index` for record node `node` (built from all its records), to
    /// be kept up to date by appends.
    pub fn keep_goto_index(&mut self, node: NodeId, index: GotoIndex) {
        self.caches.goto.insert(node, index);
    }
}

/// The length of a list with member `names`, or `None` when they are not
/// exactly `_`, `_0`, ..., `_<n-1>`.
fn list_indices(names: &[String]) -> Option<usize> {
    let n = names.len().checked_sub(1)?;
    let mut seen = vec![false; n];
    let mut marker = false;
    for name in names {
        let digits = name.strip_prefix('_')?;
        if digits.is_empty() {
            marker = true;
            continue;
        }
        if !digits.bytes().all(|b| b.is_ascii_digit())
            || (digits.len() > 1 && digits.starts_with('0'))
        {
            return None;
        }
        let i: usize = digits.parse().ok()?;
        *seen.get_mut(i)? = true;
    }
    (marker && seen.iter().all(|&s| s)).then_some(n)
}

/// What a file's name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Named {
    /// A file held in memory: no name opens it.
    Memory,
    /// A file on disk, by its own name.
    Plain,
    /// An HDF5 file family, by its pattern.
    Family,
}

/// A handle on one open file: the shared state plus what never changes
/// while it is open (its name, backend, capabilities and root).
#[derive(Clone)]
pub(crate) struct FileRef {
    core: Arc<Mutex<FileState>>,
    /// The file (a plain name with `%%` made `%`) or a family's pattern,
    /// for messages.
    pub file: Arc<Path>,
    /// What `file` is.
    pub named: Named,
    /// The backend's name, for messages.
    pub backend: &'static str,
    /// What the file can hold.
    pub capabilities: Capabilities,
    /// The root group's node.
    pub root: NodeId,
    /// For a file written by several processes together: their lockstep.
    pub step: Option<Arc<Lockstep>>,
}

impl FileRef {
    /// Lock the state of an open file.
    ///
    /// # Errors
    /// [`Error::Failed`] once a call failed in a way the backend cannot
    /// recover from; [`Error::Closed`] once the file is closed.
    pub fn lock(&self) -> Result<MutexGuard<'_, FileState>> {
        // A panic while the lock was held leaves the data as it was; keep
        // going rather than poisoning every later call.
        let core = self.core.lock().unwrap_or_else(|p| p.into_inner());
        core.check_failed(&self.file)?;
        if !core.open {
            return Err(Error::Closed {
                file: self.file.to_path_buf(),
            });
        }
        Ok(core)
    }

    /// Lock for a write to `path`: the file must be writable.
    ///
    /// # Errors
    /// As [`FileRef::lock`], and [`Error::ReadOnly`].
    pub fn lock_mut(&self, path: &str) -> Result<MutexGuard<'_, FileState>> {
        self.lock_for_write(&self.at(path))
    }

    /// Lock for a write to the item `at` names: the file must be writable.
    ///
    /// # Errors
    /// As [`FileRef::lock`], and [`Error::ReadOnly`].
    pub fn lock_for_write(&self, at: &Where) -> Result<MutexGuard<'_, FileState>> {
        let core = self.lock()?;
        if !core.writable {
            return Err(at.read_only());
        }
        Ok(core)
    }

    /// Error context for `path`.
    pub fn at<'a>(&'a self, path: &'a str) -> Where<'a> {
        Where::new(&self.file, self.backend, path)
    }

    /// The name that opens this file again: a family's pattern as
    /// written; a plain name with every `%` written `%%` when it would
    /// otherwise read as a family pattern or lose a `%` (`r%d.h5`, opened
    /// as `r%%d.h5`, is `r%%d.h5`), else as it is.
    pub fn file_path(&self) -> PathBuf {
        if self.named != Named::Plain {
            return self.file.to_path_buf();
        }
        match super::family::Name::parse(&self.file) {
            Ok(super::family::Name::Plain(p)) if *p == *self.file => p,
            _ => match self.file.to_str() {
                Some(text) => PathBuf::from(text.replace('%', "%%")),
                None => self.file.to_path_buf(),
            },
        }
    }

    /// Make this a file written by the processes of `step` together.
    pub(super) fn set_lockstep(&mut self, step: Option<Arc<Lockstep>>) {
        let mut core = self.core.lock().unwrap_or_else(|p| p.into_inner());
        core.step.clone_from(&step);
        self.step = step;
    }

    /// Run `body` as collective call `what` on item `path` (with its
    /// `name` argument and `extra`, which must agree between processes),
    /// on a file written by several processes (see [`crate::parallel`]);
    /// on any other file, just run it.
    ///
    /// # Errors
    /// The body's error; on a parallel file, [`Error::Parallel`] when it
    /// failed on another process, [`Error::OutOfStep`].
    pub fn collective<T>(
        &self,
        what: &'static str,
        path: &str,
        name: &str,
        extra: u64,
        body: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        match &self.step {
            None => body(),
            Some(step) => {
                let key = call_key(what, path, name, extra);
                step.run(&self.file, what, path, key, body)
            }
        }
    }

    /// This process's rank and the number of processes writing the file
    /// (0 and 1 for a file written by one).
    pub fn ranks(&self) -> (usize, usize) {
        match &self.step {
            Some(step) => (step.comm().rank(), step.comm().size()),
            None => (0, 1),
        }
    }

    /// Hold qnd's writer `lock` until the file is closed.
    pub(super) fn hold(&self, lock: WriterLock) {
        let mut core = self.core.lock().unwrap_or_else(|p| p.into_inner());
        core.guard = Some(lock);
    }

    /// Flush the file (and fsync it, with [`OpenOptions::sync`](super::OpenOptions::sync)).
    ///
    /// # Errors
    /// When the backend or fsync fails.
    pub fn flush(&self) -> Result<()> {
        self.collective("flush", "/", "", 0, || {
            let mut core = self.lock()?;
            let flushed = core.storage.flush();
            core.note(flushed, &self.at("/"))?;
            core.synced(&self.file)
        })
    }

    /// Refresh the file (see [`FileState::refresh`]).
    ///
    /// # Errors
    /// When the backend fails; a library error is a failure of the file
    /// (see [`FileState::note`]): on a file open for writing, refreshing
    /// writes buffered records out, as a flush does.
    pub fn refresh(&self) -> Result<()> {
        self.collective("refresh", "/", "", 0, || {
            let mut core = self.lock()?;
            let refreshed = core.refresh();
            core.note(refreshed, &self.at("/"))
        })
    }

    /// Close the file; later calls through any handle get [`Error::Closed`].
    ///
    /// # Errors
    /// When the backend fails; [`Error::Failed`] (the file is closed all
    /// the same) after a failure the backend cannot recover from.
    pub fn close(&self) -> Result<()> {
        self.collective("close", "/", "", 0, || self.close_here())
    }

    /// [`FileRef::close`] in this process.
    fn close_here(&self) -> Result<()> {
        let mut core = self.core.lock().unwrap_or_else(|p| p.into_inner());
        if !core.open {
            return core.check_failed(&self.file);
        }
        core.open = false;
        core.invalidate();
        let closed = core.storage.close();
        let synced = match closed {
            Ok(()) => core.synced(&self.file),
            Err(_) => Ok(()),
        };
        core.guard = None; // the backend has closed the file: unlock
        core.check_failed(&self.file)?;
        core.note(closed, &self.at("/"))?;
        synced
    }

    /// The in-memory backend under this file, for tests.
    #[cfg(test)]
    pub fn with_memory<R>(&self, f: impl FnOnce(&mut qnd_storage::MemoryStorage) -> R) -> R {
        let mut core = self.core.lock().unwrap_or_else(|p| p.into_inner());
        match core.storage.inner_mut() {
            AnyStorage::Memory(m) => f(m),
            #[allow(unreachable_patterns)] // without the C backends
            _ => panic!("not an in-memory file"),
        }
    }
}

impl FileState {
    /// fsync the file after a flush or close, if asked for. A failed
    /// fsync is a failure of the file (see [`FileState::note`]): what the
    /// disk holds is not known, and a later fsync may not say so again.
    fn synced(&mut self, file: &Path) -> Result<()> {
        let Some(Err(source)) = self.guard.as_ref().map(WriterLock::flushed) else {
            return Ok(());
        };
        let e = Error::Io {
            file: file.into(),
            source,
        };
        if self.failed.is_none() {
            self.failed = Some(e.to_string().into());
        }
        Err(e)
    }
}

impl Drop for FileState {
    fn drop(&mut self) {
        if self.open {
            self.open = false;
            // Nothing can return this error: say it, so that records lost
            // in a failed write at drop do not go unnoticed.
            if let Err(e) = self.storage.close() {
                eprintln!("qnd: error writing buffered records or closing the file at drop: {e}");
            }
            if let Some(Err(e)) = self.guard.as_ref().map(WriterLock::flushed) {
                eprintln!("qnd: error syncing the file to disk at drop: {e}");
            }
        }
    }
}
