//! # qnd-pdb: PDB files for qnd, in pure Rust
//!
//! PDB ("Portable Database") is the format of LLNL's PDBLib, yorick, basis
//! and LLNL's rad-hydro codes. This crate reads PDB-II files as LLNL's
//! Python qnd writes and reads them (`shared/spec/pdb.md`), behind qnd's
//! storage contract ([`Storage`]), with no C library, and writes them:
//! [`PdbStorage::create`] makes a new file, [`PdbStorage::open_rw`] opens
//! an existing one (Python qnd's modes `r+` and `a`, its own files
//! included), [`PdbStorage::create_family`] makes a new family;
//! [`PdbStorage::open`] and existing families are read-only.
//!
//! | node | stored as |
//! | --- | --- |
//! | group | `path/` entry of type `Directory`, or any `/a/b/x` name (missing parents are made) |
//! | list | a group with members `_` (a `char` entry, reported as None) and `_0`, `_1`, ... |
//! | leaf | a symbol table entry of a number type, `text` (strings: the last dimension is the width), or a complex struct |
//! | leaf with a zero-length axis | a scalar entry plus the attribute entry `:path:0` holding the shape |
//! | records | an entry with a line in the `Blocks` extra; each block holds one or more records |
//! | none | an entry of type `NoneType` |
//! | other | pointers, other structs, odd sizes, non-IEEE floats ([`Kind::Other`]) |
//!
//! Attributes are entries whose name starts with `:` (`::a` of the root,
//! `:g:h::a` of group g/h, `:g:x:a` of leaf g/x), resolved through list
//! elements' `_N` names too.
//!
//! Element types are read as the file says (§6 of the spec): `short`,
//! `integer`, `long` and any other integer primitive signed, `char` and
//! names beginning `u`/`U` unsigned, a one-byte `bool`/`boolean` bool,
//! IEEE `float`/`double` (or `FLOAT` primitives in IEEE format) f4/f8, a
//! two-float struct named `...complex...`/`...plx...` with members re/im,
//! r/i or real/imag c8/c16; big-endian data are byte-swapped. Python qnd
//! writes unsigned and bool under made-up `_anon_N` names, which read back
//! signed, as Python qnd reads them. Text is decoded UTF-8, or Latin-1
//! where that fails, with trailing NULs dropped; names likewise.
//!
//! A family ([`PdbStorage::open_family`]) takes non-record items from the
//! first member declaring them (later declarations must agree on type and
//! shape) and joins the blocks of record variables in member order. A new
//! family puts every non-record item and attribute in member 0; records
//! roll over to the next member when a record variable gets a block other
//! than its first and the member has reached `maxsize`; a later member
//! lists only the groups and the record variables with blocks in it.
//!
//! Lenient as Python qnd: bytes after the end markers and old bytes in
//! alignment gaps are never looked at, stale digits after the header's
//! addresses are ignored. A symbol table entry whose count disagrees with
//! its dimensions (Python qnd drops it with a message) is listed as an
//! item qnd has no kind for, described as damaged ([`PdbStorage::warnings`]
//! says so too), so that nothing in the file goes unseen. PDB-I and
//! PDB-III are refused with [`StorageError::Unsupported`] naming the
//! version; anything else malformed is [`StorageError::Layout`] with the
//! byte offset and what was expected.
//!
//! The crate's rooms: this file opens files and families and implements
//! [`Storage`]; `meta` parses the metadata (header, structure chart,
//! symbol table, extras) as pure functions over bytes; `types` says what
//! a PDB type name is (§6 of the spec); `tree` builds the node table from
//! the metadata of each member (groups, leaves, records, attributes,
//! families) and maps hyperslabs to file offsets; `data` reads the byte
//! ranges a hyperslab needs (coalesced, one positioned read per range)
//! and decodes them in typed loops. `snapshot` writes whole trees;
//! `writer` writes a file open for writing.
//!
//! ## Writing
//!
//! A file open for writing is laid out as Python qnd lays out its own
//! (the table above, §7–§9 of the spec), with these rules:
//!
//! - Every new item's bytes are allocated when it is declared, aligned,
//!   past the end of the file (so past the live metadata too), and read as
//!   zeros until written; a None or a list's `_` reserves one byte, an
//!   empty leaf none (its shape is its `:0` entry). Writes into existing
//!   leaves and records go in place, one positioned write per contiguous
//!   run; they never touch the header or the live metadata.
//! - Each [`Storage::append_records`] call writes its records as one new
//!   block at the end: one `address count` pair on the variable's `Blocks`
//!   line, the count being the records' elements. The symbol table entry
//!   of a new record variable describes its first record, at its first
//!   block.
//! - Element types as [`snapshot`] names them (`bool`, `u16`, `u32`,
//!   `u64`, `_anon_0` for int8, `text`, `complex`/`fcomplex`), except that
//!   in an opened file a name already meaning something else is not
//!   reused: the file's own type names (Python qnd's `_anon_N`) are kept,
//!   its own types reused where they fit, new primitives added to
//!   `Primitive-Types`.
//! - Attributes are held in memory; a flush writes the bytes of those set
//!   since the last flush past the end (the others stay where they were).
//! - A flush writes the attributes, then the structure chart, symbol table
//!   and extras past the end of the file, then (with
//!   [`PdbStorage::set_sync`]) syncs the data, then rewrites the two
//!   addresses of the header in place: that one write inside the first 128 bytes
//!   is the commit point. A process killed at any moment
//!   leaves the state of the last completed flush (plus in-place
//!   overwrites of existing leaves, as in HDF5) or the new one. Old
//!   metadata is never overwritten nor reused: each flush that changed
//!   something grows the file by its new attribute bytes and one copy of
//!   the metadata (about 40 bytes an item plus the `Blocks` lines); a
//!   flush with nothing new writes nothing.
//! - A new file gets its header and an empty metadata block at once, so it
//!   reads as an empty group before its first flush.
//! - Removal, links and virtual datasets are refused; so are families
//!   open for writing.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod data;
mod meta;
pub mod snapshot;
#[cfg(test)]
mod tests;
mod tree;
mod types;
mod writer;

use std::fs::File;
use std::path::{Path, PathBuf};

use qnd_storage::{
    Array, Capabilities, DTypeSet, Kind, LeafInfo, LeafSpec, NodeId, RecordDims, Run, SResult,
    Storage, StorageError,
};

use std::sync::atomic::{AtomicU64, Ordering};

use data::MemberFile;
use tree::{Body, Tree};

/// The first bytes of a PDB-II file (`!<<PDB:II>>!`); PDB-I files begin
/// `!<><PDB><>!`.
pub const MAGIC: &[u8] = b"!<<PDB:";

/// True when `head` (the first bytes of a file) is a PDB header of any
/// version qnd recognises (to refuse the ones it does not read by name).
pub fn is_pdb(head: &[u8]) -> bool {
    head.starts_with(MAGIC) || head.starts_with(meta::TOKEN_I)
}

/// What a PDB file can hold: groups (directories) and lists, every element
/// type (unsigned and bool under primitive names `u...` and `bool`,
/// complex as two-float structs, text), attributes of any shape and type,
/// record variables each growing on its own; no links, no removal, no
/// virtual datasets.
pub const CAPABILITIES: Capabilities = Capabilities {
    groups: true,
    leaf_dtypes: DTypeSet::ALL,
    attr_dtypes: DTypeSet::ALL,
    text_attr_arrays: true,
    attr_rank: usize::MAX,
    virtual_datasets: false,
    record_dims: RecordDims::PerVariable,
    remove: false,
    hard_links: false,
    soft_links: false,
    external_links: false,
};

const READ_ONLY: &str =
    "this PDB file is open read-only (PdbStorage::open_rw and PdbStorage::create write)";

/// A PDB file (or family) open for reading, or a single file open for
/// reading and writing.
pub struct PdbStorage {
    files: Vec<MemberFile>,
    tree: Tree,
    /// Set when the file is open for writing.
    w: Option<Box<writer::Writer>>,
}

impl std::fmt::Debug for PdbStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdbStorage")
            .field(
                "members",
                &self.files.iter().map(|m| &m.path).collect::<Vec<_>>(),
            )
            .field("nodes", &self.tree.nodes.len())
            .finish()
    }
}

fn io(path: &Path, e: std::io::Error) -> StorageError {
    StorageError::library(format!("{}: {e}", path.display()))
}

/// The metadata of a file: its first bytes, and the bytes from the chart
/// address to the end (the data between are not read).
fn read_meta(f: &MemberFile) -> SResult<meta::Metadata> {
    read_meta_raw(f).map(|(m, _, _)| m)
}

/// [`read_meta`], with the first bytes and the bytes from the chart on.
fn read_meta_raw(f: &MemberFile) -> SResult<(meta::Metadata, Vec<u8>, Vec<u8>)> {
    let mut head = vec![0u8; f.len.min(4096) as usize];
    data::read_at(f, &mut head, 0)?;
    let mut tail = vec![0u8; f.len.min(64) as usize];
    let at = f.len - tail.len() as u64;
    data::read_at(f, &mut tail, at)?;
    meta::check_version(&head, &tail)?;
    let header = meta::parse_header(&head, f.len)?;
    let from = header.chart.min(f.len);
    let n = usize::try_from(f.len - from)
        .map_err(|_| StorageError::Layout("metadata too large".into()))?;
    let mut buf = Vec::new();
    buf.try_reserve_exact(n)
        .map_err(|_| StorageError::Layout(format!("cannot allocate {n} bytes of metadata")))?;
    buf.resize(n, 0);
    data::read_at(f, &mut buf, from)?;
    let m = meta::parse_parts(&head, f.len, &buf, from)?;
    Ok((m, head, buf))
}

impl PdbStorage {
    /// Open one PDB file read-only.
    ///
    /// # Errors
    /// [`StorageError`] when the file cannot be read or is not PDB-II
    /// ([`StorageError::Unsupported`] naming the version for PDB-I and
    /// PDB-III, [`StorageError::Layout`] with the byte offset for
    /// malformed metadata).
    pub fn open(path: &Path) -> SResult<PdbStorage> {
        PdbStorage::open_family(&[path.to_path_buf()])
    }

    /// Open the members of a family, in order, read-only: non-record
    /// items from the first member declaring them, the blocks of record
    /// variables joined in member order.
    ///
    /// # Errors
    /// [`StorageError`] when a member cannot be read or is not PDB-II, or
    /// members disagree on the type or shape of an item.
    pub fn open_family(members: &[PathBuf]) -> SResult<PdbStorage> {
        if members.is_empty() {
            return Err(StorageError::Layout("a PDB family of no members".into()));
        }
        let mut files = Vec::with_capacity(members.len());
        for p in members {
            let file = File::open(p).map_err(|e| io(p, e))?;
            let len = file.metadata().map_err(|e| io(p, e))?.len();
            files.push(MemberFile {
                file,
                len,
                path: p.clone(),
                read: AtomicU64::new(0),
            });
        }
        let mut tree = Tree::new();
        for (k, f) in files.iter().enumerate() {
            let m = read_meta(f).map_err(|e| in_member(e, &f.path, members.len()))?;
            tree.add(&m, k, files.len(), &files)
                .map_err(|e| in_member(e, &f.path, members.len()))?;
        }
        Ok(PdbStorage {
            files,
            tree,
            w: None,
        })
    }

    /// Create a PDB-II file at `path` for writing, numbers in byte order
    /// `order`. The header and an empty metadata block are written at
    /// once, so the new file reads as an empty group from the start.
    /// `new`: fail if the file exists (else it is truncated).
    ///
    /// # Errors
    /// [`StorageError::Library`] when the file cannot be made (or exists
    /// and `new` is set).
    pub fn create(path: &Path, order: snapshot::ByteOrder, new: bool) -> SResult<PdbStorage> {
        let mut o = std::fs::OpenOptions::new();
        o.read(true).write(true);
        if new {
            o.create_new(true);
        } else {
            o.create(true).truncate(true);
        }
        let file = o.open(path).map_err(|e| io(path, e))?;
        let f = MemberFile {
            file,
            len: 0,
            path: path.to_path_buf(),
            read: AtomicU64::new(0),
        };
        writer::write_at(&f, &writer::new_header(order), 0)?;
        let mut s = PdbStorage {
            files: vec![MemberFile { len: 128, ..f }],
            tree: Tree::new(),
            w: Some(Box::new(writer::Writer::new(order))),
        };
        s.rw()?.flush()?;
        Ok(s)
    }

    /// Create a new family of PDB files: member `k` is the file
    /// `member(k)`, member 0 made at once like [`PdbStorage::create`].
    /// When a record variable gets a block other than its first and the
    /// current member's end is at `maxsize` or beyond, the member is
    /// flushed and the next one started (spec §10): a fresh header, then
    /// the record blocks from offset 128. Member 0 holds every non-record
    /// item and attribute; a later member's symbol table lists only the
    /// groups and the record variables with blocks in it, so each member
    /// is a PDB file of its own and [`PdbStorage::open_family`] reads the
    /// whole. Once member 1 exists, new items and attributes are refused;
    /// non-record leaves can still be overwritten (in member 0), records
    /// cannot. Later members are truncated if they exist.
    ///
    /// # Errors
    /// [`StorageError::Library`] when member 0 cannot be made (or exists
    /// and `new` is set).
    pub fn create_family(
        member: Box<dyn Fn(usize) -> PathBuf + Send + Sync>,
        maxsize: u64,
        order: snapshot::ByteOrder,
        new: bool,
    ) -> SResult<PdbStorage> {
        let first = member(0);
        let mut s = PdbStorage::create(&first, order, new)?;
        if let Some(w) = &mut s.w {
            w.family = Some(writer::Family { member, maxsize });
        }
        Ok(s)
    }

    /// Open an existing single PDB-II file for reading and writing
    /// (Python qnd's modes `r+` and `a`), Python qnd's files included:
    /// new items and records go past the end, the file's own type names
    /// are kept and new primitives added as needed.
    ///
    /// # Errors
    /// As [`PdbStorage::open`]; [`StorageError::Unsupported`] for a file
    /// qnd does not append to (not all big- or all little-endian, other
    /// sizes of the C types than Python qnd's, line ends other than `\n`).
    pub fn open_rw(path: &Path) -> SResult<PdbStorage> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| io(path, e))?;
        let len = file.metadata().map_err(|e| io(path, e))?.len();
        let files = vec![MemberFile {
            file,
            len,
            path: path.to_path_buf(),
            read: AtomicU64::new(0),
        }];
        let (m, head, tail) = read_meta_raw(&files[0])?;
        let mut tree = Tree::new();
        tree.add(&m, 0, 1, &files)?;
        let w = writer::Writer::open(&m, &head, &tail, len, &tree, &files)?;
        Ok(PdbStorage {
            files,
            tree,
            w: Some(Box::new(w)),
        })
    }

    /// Whether each flush syncs the data to the disk before and after it
    /// rewrites the header (off by default).
    pub fn set_sync(&mut self, sync: bool) {
        if let Some(w) = &mut self.w {
            w.sync = sync;
        }
    }

    /// The file's path (its first member's, for a family).
    pub fn path(&self) -> &Path {
        self.files
            .first()
            .map_or(Path::new(""), |f| f.path.as_path())
    }

    /// Flush, calling `step` with `attributes`, `metadata` and `header`
    /// after each part is written (to test what a kill leaves).
    ///
    /// # Errors
    /// As [`Storage::flush`].
    #[doc(hidden)]
    pub fn flush_steps(&mut self, step: &mut dyn FnMut(&str)) -> SResult<()> {
        self.rw()?.flush_with(step)
    }

    fn rw(&mut self) -> SResult<writer::Rw<'_>> {
        match &mut self.w {
            Some(w) => Ok(writer::Rw {
                w,
                tree: &mut self.tree,
                files: &mut self.files,
            }),
            None => read_only(),
        }
    }

    /// Bytes read from the member files since they were opened, metadata
    /// included: what a read costs (`bytes_read` before and after).
    pub fn bytes_read(&self) -> u64 {
        self.files
            .iter()
            .map(|f| f.read.load(Ordering::Relaxed))
            .sum()
    }

    /// What was ignored while opening, as Python qnd ignores it (symbol
    /// table entries whose count disagrees with their dimensions, listed
    /// as items of [`Kind::Other`],
    /// attributes of no item, duplicate names), one message each.
    pub fn warnings(&self) -> &[String] {
        &self.tree.warnings
    }

    fn node(&self, id: NodeId) -> SResult<&tree::Node> {
        self.tree
            .nodes
            .get(id.0)
            .ok_or_else(|| StorageError::Layout(format!("no node {}", id.0)))
    }
}

impl Drop for PdbStorage {
    /// A file open for writing is flushed (as [`Storage::close`] does);
    /// errors are for `close` to report, a drop can only try.
    fn drop(&mut self) {
        if self.w.is_some() {
            let _ = self.flush();
        }
    }
}

/// Name the member in a family's error.
fn in_member(e: StorageError, path: &Path, n: usize) -> StorageError {
    if n <= 1 {
        return e;
    }
    let p = path.display();
    match e {
        StorageError::Layout(m) => StorageError::Layout(format!("{p}: {m}")),
        StorageError::Unsupported(m) => StorageError::Unsupported(format!("{p}: {m}")),
        other => other,
    }
}

fn read_only<T>() -> SResult<T> {
    Err(StorageError::Unsupported(READ_ONLY.into()))
}

fn kind(b: &Body) -> Kind {
    match b {
        Body::Group { .. } => Kind::Group,
        Body::Leaf(_) => Kind::Leaf,
        Body::Records(_) => Kind::Records,
        Body::None => Kind::None,
        Body::Other(_) => Kind::Other,
    }
}

impl Storage for PdbStorage {
    fn backend_name(&self) -> &'static str {
        "pdb"
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    fn root(&self) -> NodeId {
        NodeId(0)
    }

    fn names(&mut self, group: NodeId) -> SResult<Vec<String>> {
        match &self.node(group)?.body {
            Body::Group { names, .. } => Ok(names.clone()),
            _ => Err(StorageError::Layout(format!(
                "node {} is not a group",
                group.0
            ))),
        }
    }

    fn lookup(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, Kind)>> {
        self.node(group)?;
        Ok(self
            .tree
            .child(group, name)
            .map(|id| (id, kind(&self.tree.nodes[id.0].body))))
    }

    fn create_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.rw()?.create_group(parent, name)
    }

    fn create_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.rw()?.create_none(parent, name)
    }

    fn create_leaf(&mut self, parent: NodeId, name: &str, spec: &LeafSpec) -> SResult<NodeId> {
        self.rw()?.create_leaf(parent, name, spec)
    }

    fn info(&mut self, node: NodeId) -> SResult<LeafInfo> {
        let (dtype, shape, records) = match &self.node(node)?.body {
            Body::Leaf(d) => (tree::dtype(&d.elem)?, d.shape.clone(), false),
            Body::Records(r) => {
                let mut s = vec![r.total];
                s.extend_from_slice(&r.rec_shape);
                (tree::dtype(&r.elem)?, s, true)
            }
            Body::Other(what) => {
                return Err(StorageError::Unsupported(format!(
                    "qnd does not read PDB items of type {what}"
                )))
            }
            _ => {
                return Err(StorageError::Layout(format!(
                    "node {} is not a leaf",
                    node.0
                )))
            }
        };
        Ok(LeafInfo {
            dtype,
            dims: vec![None; shape.len()],
            shape,
            records,
        })
    }

    fn other_type(&mut self, node: NodeId) -> SResult<String> {
        match &self.node(node)?.body {
            Body::Other(what) => Ok(what.clone()),
            _ => Err(StorageError::NotFound),
        }
    }

    fn text_width(&mut self, node: NodeId) -> SResult<Option<usize>> {
        Ok(match &self.node(node)?.body {
            Body::Leaf(d) if d.elem == types::Elem::Text => Some(d.esize),
            Body::Records(r) if r.elem == types::Elem::Text => Some(r.esize),
            _ => None,
        })
    }

    fn records(&mut self, node: NodeId) -> SResult<usize> {
        match &self.node(node)?.body {
            Body::Records(r) => Ok(r.total),
            _ => Err(StorageError::Layout(format!(
                "node {} is not a record variable",
                node.0
            ))),
        }
    }

    fn read(&mut self, node: NodeId, slab: &[Run]) -> SResult<Array> {
        match &self.node(node)?.body {
            Body::Leaf(d) => tree::read_data(&self.files, d, Some(slab)),
            Body::Records(r) => tree::read_records(&self.files, r, slab),
            Body::Other(what) => Err(StorageError::Unsupported(format!(
                "qnd does not read PDB items of type {what}"
            ))),
            _ => Err(StorageError::Layout(format!(
                "node {} is not a leaf",
                node.0
            ))),
        }
    }

    fn write(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()> {
        self.rw()?.write(node, slab, data)
    }

    fn append_records(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        self.rw()?.append_records(node, records)
    }

    fn attr_names(&mut self, node: NodeId) -> SResult<Vec<String>> {
        if self.w.is_some() {
            self.node(node)?;
            return Ok(self.rw()?.attr_names(node));
        }
        Ok(self
            .node(node)?
            .attrs
            .iter()
            .map(|(n, _)| n.clone())
            .collect())
    }

    fn get_attr(&mut self, node: NodeId, name: &str) -> SResult<Option<Array>> {
        if self.w.is_some() {
            self.node(node)?;
            return Ok(self.rw()?.get_attr(node, name));
        }
        let n = self.node(node)?;
        match n.attrs.iter().find(|(a, _)| a == name) {
            Some((_, d)) => tree::read_data(&self.files, d, None).map(Some),
            None => Ok(None),
        }
    }

    fn set_attr(&mut self, node: NodeId, name: &str, value: &Array) -> SResult<()> {
        self.rw()?.set_attr(node, name, value)
    }

    fn remove(&mut self, _: NodeId, name: &str) -> SResult<()> {
        if self.w.is_some() {
            return Err(qnd_storage::links::cannot_remove("pdb", name));
        }
        read_only()
    }

    fn flush(&mut self) -> SResult<()> {
        if self.w.is_none() {
            return Ok(());
        }
        self.rw()?.flush()
    }

    fn close(&mut self) -> SResult<()> {
        self.flush()
    }
}
