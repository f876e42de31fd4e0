//! The in-memory backend: no file, no C library. It stores exactly what the
//! disk backends store (lists as groups with `_`, `_0`, ...), so the tree
//! behaves the same on it, and it is what the doctests run on.

use indexmap::IndexMap;
use ndarray::ArrayD;

use crate::{
    Array, Capabilities, DType, Kind, LeafInfo, LeafSpec, LinkTarget, NodeId, Run, SResult,
    Storage, StorageError,
};

/// A member of a group: a node (a hard link) or a soft link's path.
#[derive(Debug, Clone)]
enum Entry {
    Hard(NodeId),
    Soft(String),
}

#[derive(Debug)]
enum Body {
    Group(IndexMap<String, Entry>),
    Leaf(Array),
    Records(Array),
    None,
    /// An item of [`Kind::Other`]: its type text.
    Other(String),
    /// A node whose last hard link was removed: it no longer resolves.
    Removed,
}

#[derive(Debug)]
struct Node {
    body: Body,
    attrs: IndexMap<String, Array>,
    /// For text: the fixed width in bytes, as the HDF5 backend stores it.
    text_width: usize,
    /// How many hard links lead to the node.
    links: usize,
}

/// How many soft links a lookup follows before it gives up (a cycle).
const MAX_SOFT: usize = 40;

/// A file held in memory; it disappears when its last handle is dropped.
#[derive(Debug)]
pub struct MemoryStorage {
    nodes: Vec<Node>,
    /// What tests of the layers above look at and inject.
    pub probe: Probe,
}

/// Instrumentation of a [`MemoryStorage`], for tests of the layers above
/// it (the record buffer, the tree): the calls it got, and failures to
/// inject. Nothing is logged until [`Probe::log`] is set.
#[derive(Clone, Debug, Default)]
pub struct Probe {
    /// Log calls into `reads` and `appends`.
    pub log: bool,
    /// Every read while logging, as (node, hyperslab).
    pub reads: Vec<(NodeId, Vec<Run>)>,
    /// Every append while logging, as (node, number of records).
    pub appends: Vec<(NodeId, usize)>,
    /// Appends fail while this is set.
    pub fail_appends: bool,
    /// The failures [`Probe::fail_appends`] injects are library errors
    /// ([`StorageError::Library`], as a full disk gives), not refusals.
    pub fail_as_library: bool,
}

impl Default for MemoryStorage {
    fn default() -> Self {
        MemoryStorage::new()
    }
}

impl MemoryStorage {
    /// An empty file (a root group with no members).
    pub fn new() -> MemoryStorage {
        MemoryStorage {
            nodes: vec![Node {
                body: Body::Group(IndexMap::new()),
                attrs: IndexMap::new(),
                text_width: 0,
                links: 1,
            }],
            probe: Probe::default(),
        }
    }

    fn node(&mut self, id: NodeId) -> SResult<&mut Node> {
        match self.nodes.get_mut(id.0) {
            Some(Node {
                body: Body::Removed,
                ..
            }) => Err(StorageError::Layout(format!(
                "no node {} (its member was removed)",
                id.0
            ))),
            Some(n) => Ok(n),
            None => Err(StorageError::Layout(format!("no node {}", id.0))),
        }
    }

    /// The members of group `id`, to change.
    fn members(&mut self, id: NodeId) -> SResult<&mut IndexMap<String, Entry>> {
        match &mut self.node(id)?.body {
            Body::Group(m) => Ok(m),
            _ => Err(StorageError::Layout("not a group".into())),
        }
    }

    /// Make `entry` member `name` of `parent`, which must not exist.
    fn enter(&mut self, parent: NodeId, name: &str, entry: Entry) -> SResult<()> {
        let m = self.members(parent)?;
        if m.contains_key(name) {
            return Err(StorageError::Unsupported(format!("{name} exists")));
        }
        m.insert(name.to_string(), entry);
        Ok(())
    }

    /// Create member `name` of `parent` as an item of [`Kind::Other`]
    /// whose type is `what` (what [`Storage::other_type`] then says, as a
    /// disk backend would of a compound or opaque dataset: `compound {a:
    /// i4, b: f8} [3]`). Reading it, or asking its [`Storage::info`], is
    /// refused with [`StorageError::Unsupported`] naming `what`; it has
    /// attributes and can be removed, as any member. The in-memory stand-in
    /// for the items of other files that qnd lists but cannot read, for
    /// tests of the layers above.
    ///
    /// # Errors
    /// When `parent` is not a group or `name` exists.
    pub fn create_other(&mut self, parent: NodeId, name: &str, what: &str) -> SResult<NodeId> {
        self.add(parent, name, Body::Other(what.to_string()))
    }

    fn add(&mut self, parent: NodeId, name: &str, body: Body) -> SResult<NodeId> {
        let id = NodeId(self.nodes.len());
        self.enter(parent, name, Entry::Hard(id))?;
        self.nodes.push(Node {
            body,
            attrs: IndexMap::new(),
            text_width: 0,
            links: 1,
        });
        Ok(id)
    }

    /// One hard link to `id` less: at none, the node is removed, and its
    /// members lose theirs in turn.
    fn release(&mut self, id: NodeId) {
        let mut pending = vec![id];
        while let Some(id) = pending.pop() {
            let Some(n) = self.nodes.get_mut(id.0) else {
                continue;
            };
            n.links = n.links.saturating_sub(1);
            if n.links > 0 {
                continue;
            }
            if let Body::Group(m) = std::mem::replace(&mut n.body, Body::Removed) {
                pending.extend(m.values().filter_map(|e| match e {
                    Entry::Hard(c) => Some(*c),
                    Entry::Soft(_) => None,
                }));
            }
            n.attrs.clear();
        }
    }

    /// The node member `name` of `group` leads to, soft links followed
    /// (`hops` so far); `None` when there is no such member.
    fn resolve(&mut self, group: NodeId, name: &str, hops: usize) -> SResult<Option<NodeId>> {
        let entry = self.members(group)?.get(name).cloned();
        match entry {
            None => Ok(None),
            Some(Entry::Hard(id)) => Ok(Some(id)),
            Some(Entry::Soft(path)) => {
                let dangling =
                    |why: &str| StorageError::Dangling(format!("{name} -> {path}: {why}"));
                if hops >= MAX_SOFT {
                    return Err(dangling("too many soft links (a cycle?)"));
                }
                let mut at = if path.starts_with('/') {
                    NodeId(0)
                } else {
                    group
                };
                for part in path.split('/').filter(|p| !p.is_empty() && *p != ".") {
                    let found = match self.node(at)?.body {
                        Body::Group(_) => self.resolve(at, part, hops + 1)?,
                        _ => None,
                    };
                    at = found.ok_or_else(|| dangling("no such item"))?;
                }
                Ok(Some(at))
            }
        }
    }

    /// Refuse text wider than the node's fixed width (as HDF5 does).
    fn check_width(&mut self, id: NodeId, data: &Array) -> SResult<()> {
        let width = self.node(id)?.text_width;
        if let Array::Str(s) = data {
            if let Some(n) = s.iter().map(String::len).find(|&n| n > width) {
                return Err(StorageError::Unsupported(format!(
                    "text of {n} bytes does not fit width {width}"
                )));
            }
        }
        Ok(())
    }

    fn array(&mut self, id: NodeId) -> SResult<&mut Array> {
        match &mut self.node(id)?.body {
            Body::Leaf(a) | Body::Records(a) => Ok(a),
            Body::Other(what) => Err(StorageError::Unsupported(format!(
                "qnd has no kind for {what}"
            ))),
            _ => Err(StorageError::Layout("not an array".into())),
        }
    }
}

fn put<T: Clone>(a: &mut ArrayD<T>, slab: &[Run], data: &ArrayD<T>) {
    if slab.iter().any(|s| s.count == 0) {
        return;
    }
    a.slice_mut(crate::slice_info(slab).as_slice()).assign(data);
}

impl Storage for MemoryStorage {
    fn backend_name(&self) -> &'static str {
        "memory"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }

    fn root(&self) -> NodeId {
        NodeId(0)
    }

    fn names(&mut self, group: NodeId) -> SResult<Vec<String>> {
        Ok(self.members(group)?.keys().cloned().collect())
    }

    fn lookup(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, Kind)>> {
        let Some(id) = self.resolve(group, name, 0)? else {
            return Ok(None);
        };
        let kind = match self.node(id)?.body {
            Body::Group(_) => Kind::Group,
            Body::Leaf(_) => Kind::Leaf,
            Body::Records(_) => Kind::Records,
            Body::Other(_) => Kind::Other,
            Body::None | Body::Removed => Kind::None,
        };
        Ok(Some((id, kind)))
    }

    fn other_type(&mut self, node: NodeId) -> SResult<String> {
        match &self.node(node)?.body {
            Body::Other(what) => Ok(what.clone()),
            _ => Err(StorageError::NotFound),
        }
    }

    fn create_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.add(parent, name, Body::Group(IndexMap::new()))
    }

    fn create_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.add(parent, name, Body::None)
    }

    fn create_leaf(&mut self, parent: NodeId, name: &str, spec: &LeafSpec) -> SResult<NodeId> {
        // A leaf held in memory takes its room now: one too big for the
        // memory there is is an error, never an abort.
        let elem = match spec.dtype {
            DType::Str => std::mem::size_of::<String>(),
            d => d.size(),
        };
        let bytes = crate::checked_len(&spec.shape).and_then(|n| n.checked_mul(elem));
        let room = bytes.filter(|&b| Vec::<u8>::new().try_reserve_exact(b).is_ok());
        if !spec.records && room.is_none() {
            return Err(StorageError::Unsupported(format!(
                "a leaf of shape {:?} and {} does not fit in memory",
                spec.shape, spec.dtype
            )));
        }
        let body = if spec.records {
            let mut shape = vec![0];
            shape.extend_from_slice(&spec.shape);
            Body::Records(Array::zeros(spec.dtype, &shape))
        } else {
            Body::Leaf(Array::zeros(spec.dtype, &spec.shape))
        };
        let id = self.add(parent, name, body)?;
        self.node(id)?.text_width = spec.text_len.max(1);
        Ok(id)
    }

    fn info(&mut self, node: NodeId) -> SResult<LeafInfo> {
        let records = matches!(self.node(node)?.body, Body::Records(_));
        let a = self.array(node)?;
        Ok(LeafInfo {
            dtype: a.dtype(),
            shape: a.shape().to_vec(),
            dims: vec![None; a.ndim()],
            records,
        })
    }

    fn text_width(&mut self, node: NodeId) -> SResult<Option<usize>> {
        let width = self.node(node)?.text_width;
        Ok(matches!(self.array(node)?, Array::Str(_)).then_some(width))
    }

    fn records(&mut self, node: NodeId) -> SResult<usize> {
        Ok(self.array(node)?.shape().first().copied().unwrap_or(0))
    }

    fn read(&mut self, node: NodeId, slab: &[Run]) -> SResult<Array> {
        if self.probe.log {
            self.probe.reads.push((node, slab.to_vec()));
        }
        let a = self.array(node)?;
        Ok(a.take_slab(slab))
    }

    fn write(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()> {
        self.check_width(node, data)?;
        let a = self.array(node)?;
        macro_rules! w {
            ($($v:ident),*) => {
                match (a, data) {
                    $((Array::$v(a), Array::$v(d)) => put(a, slab, d),)*
                    _ => return Err(StorageError::Layout("dtype changed".into())),
                }
            };
        }
        w!(I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, C8, C16, Bool, Str);
        Ok(())
    }

    fn append_records(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        if self.probe.fail_appends {
            let why = "appends fail (test)";
            return Err(if self.probe.fail_as_library {
                StorageError::library(why)
            } else {
                StorageError::Unsupported(why.into())
            });
        }
        if self.probe.log {
            self.probe
                .appends
                .push((node, records.shape().first().copied().unwrap_or(0)));
        }
        self.check_width(node, records)?;
        self.array(node)?
            .append_rows(records)
            .map_err(StorageError::Layout)
    }

    fn attr_names(&mut self, node: NodeId) -> SResult<Vec<String>> {
        Ok(self.node(node)?.attrs.keys().cloned().collect())
    }

    fn get_attr(&mut self, node: NodeId, name: &str) -> SResult<Option<Array>> {
        Ok(self.node(node)?.attrs.get(name).cloned())
    }

    fn set_attr(&mut self, node: NodeId, name: &str, value: &Array) -> SResult<()> {
        self.node(node)?
            .attrs
            .insert(name.to_string(), value.clone());
        Ok(())
    }

    fn remove(&mut self, parent: NodeId, name: &str) -> SResult<()> {
        match self.members(parent)?.shift_remove(name) {
            Some(Entry::Hard(id)) => {
                self.release(id);
                Ok(())
            }
            Some(Entry::Soft(_)) => Ok(()),
            None => Err(StorageError::NotFound),
        }
    }

    fn link(&mut self, parent: NodeId, name: &str, target: NodeId) -> SResult<NodeId> {
        self.node(target)?;
        self.enter(parent, name, Entry::Hard(target))?;
        self.node(target)?.links += 1;
        Ok(target)
    }

    fn soft_link(&mut self, parent: NodeId, name: &str, target: &str) -> SResult<()> {
        // as HDF5: an empty target (the group holding the link, a cycle)
        // or one holding a NUL is no path
        if target.is_empty() || target.contains('\0') {
            return Err(StorageError::Unsupported(format!(
                "a soft link target must be a non-empty path with no NUL byte, not {target:?}"
            )));
        }
        self.enter(parent, name, Entry::Soft(target.to_string()))
    }

    fn link_info(&mut self, group: NodeId, name: &str) -> SResult<Option<LinkTarget>> {
        Ok(self.members(group)?.get(name).map(|e| match e {
            Entry::Hard(_) => LinkTarget::Hard,
            Entry::Soft(p) => LinkTarget::Soft(p.clone()),
        }))
    }

    fn flush(&mut self) -> SResult<()> {
        Ok(())
    }

    fn close(&mut self) -> SResult<()> {
        Ok(())
    }
}
