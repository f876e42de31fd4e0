//! Writing a PDB-II file in place: new items, overwrites, records,
//! attributes, and flushes that never overwrite the live metadata.
//!
//! The reader's node table ([`Tree`]) stays the one source of what the
//! file holds: every new item is a node pushed onto it, every new block of
//! records a block of its node, so reads see what was written before any
//! flush. Beside it the writer keeps what the metadata will say: the
//! symbol table lines of the file as opened (kept byte for byte), the
//! entries of new items in creation order, the `Blocks` lines, the
//! attributes (in memory until a flush writes their bytes), and the
//! structure chart and `Primitive-Types` lines, the file's own followed by
//! the ones new items need.
//!
//! Allocation only ever goes forward from the end of the file: new data,
//! attribute data and metadata are placed past everything live, and the
//! header's two addresses, rewritten last, are the commit point.

use std::collections::HashSet;
use std::path::Path;

use qnd_storage::{Array, DType, FastMap, LeafSpec, NodeId, Run, SResult, StorageError};

use crate::data::{self, MemberFile};
use crate::meta::{self, Metadata};
use crate::snapshot::{self, align_up, ByteOrder, PType};
use crate::tree::{Block, Body, Data, Records, Tree};
use crate::types::{Elem, Types};

/// A new symbol table entry (of an item made since the file was opened).
struct Decl {
    node: usize,
    ty: String,
    /// C shape in the file (text: with the width); `None`: a scalar entry.
    dims: Option<Vec<usize>>,
    addr: u64,
    group: bool,
}

/// An attribute held in memory, with the address its bytes were written
/// at by an earlier flush (still valid: nothing is ever overwritten).
struct Attr {
    name: String,
    value: Array,
    at: Option<(u64, String, Vec<usize>)>,
}

/// One line of the `Blocks` extra.
struct BlockLine {
    /// The symtab name as in the file (new items: without the `/` that
    /// a file with directories adds).
    name: Vec<u8>,
    raw: bool,
    node: usize,
    blocks: Vec<(u64, u64)>,
}

pub(crate) struct Writer {
    order: ByteOrder,
    column_major: bool,
    pub(crate) sync: bool,
    /// Next free address: the end of everything written.
    end: u64,
    /// Where the header's two addresses go.
    addr_at: u64,
    orig_dirs: bool,
    dirs: bool,
    struct_align: u64,
    alignment: [u8; 7],
    chart_raw: Vec<u8>,
    prim_raw: Vec<u8>,
    /// Type names the file defines (header, chart, Primitive-Types).
    types: Option<Types>,
    added_types: FastMap<String, PType>,
    /// New chart lines and primitive lines.
    chart_new: Vec<u8>,
    prim_new: Vec<u8>,
    raw_entries: Vec<Vec<u8>>,
    decls: Vec<Decl>,
    decl_of: FastMap<usize, usize>,
    blocks: Vec<BlockLine>,
    block_of: FastMap<usize, usize>,
    /// Per node: its path, and its attributes.
    paths: Vec<Vec<String>>,
    attrs: Vec<Vec<Attr>>,
    /// Empty leaves' shapes (`:0` markers): node, shape, written at.
    markers: Vec<(usize, Vec<i64>, Option<u64>)>,
    /// Metadata changed since the last flush.
    dirty: bool,
    /// The bytes of the live metadata (the header's): never written.
    live: (u64, u64),
    /// A family being written: its member paths and size limit.
    pub(crate) family: Option<Family>,
    /// The member being written (0 for a single file).
    pub(crate) cur: usize,
    /// Member 0's live metadata once a family has rolled over.
    live0: (u64, u64),
}

/// A family being written (`PdbStorage::create_family`).
pub(crate) struct Family {
    pub member: Box<dyn Fn(usize) -> std::path::PathBuf + Send + Sync>,
    pub maxsize: u64,
}

fn io(path: &Path, e: std::io::Error) -> StorageError {
    StorageError::library(format!("writing {}: {e}", path.display()))
}

fn unsupported(what: String) -> StorageError {
    StorageError::Unsupported(what)
}

/// Positioned write of `b` at `off`.
pub(crate) fn write_at(f: &MemberFile, b: &[u8], off: u64) -> SResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        f.file.write_all_at(b, off).map_err(|e| io(&f.path, e))
    }
    #[cfg(not(unix))]
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut h = &f.file;
        h.seek(SeekFrom::Start(off)).map_err(|e| io(&f.path, e))?;
        h.write_all(b).map_err(|e| io(&f.path, e))
    }
}

fn check_name(name: &str) -> SResult<()> {
    if name.is_empty()
        || name.contains(['/', ':'])
        || name.chars().any(char::is_control)
        || name.trim() != name
    {
        return Err(unsupported(format!(
            "PDB cannot hold the name {name:?} (empty, holding '/', ':' or a control character, \
             or with blanks around it, which readers strip)"
        )));
    }
    Ok(())
}

/// The alignment of an element in the file.
fn align_of(elem: &Elem) -> usize {
    match elem {
        Elem::Num { dtype, .. } => match dtype {
            DType::C8 => 4,
            DType::C16 => 8,
            d => d.size().max(1),
        },
        _ => 1,
    }
}

fn lines(b: &[u8]) -> impl Iterator<Item = &[u8]> {
    b.split(|&c| c == b'\n')
}

/// The standard chart of primitives, as Python qnd writes it.
const CHART: &str =
    "*\x018\x01\nshort\x012\x01\ninteger\x014\x01\nlong\x018\x01\nfloat\x014\x01\ndouble\x018\x01\nchar\x011\x01\n";

impl Writer {
    /// The writer of a new, empty file of byte order `order`.
    pub(crate) fn new(order: ByteOrder) -> Writer {
        Writer {
            order,
            column_major: true,
            sync: false,
            end: 128,
            addr_at: 59,
            orig_dirs: false,
            dirs: false,
            struct_align: 0,
            alignment: [1, 8, 2, 4, 8, 4, 8],
            chart_raw: CHART.as_bytes().to_vec(),
            prim_raw: Vec::new(),
            types: None,
            added_types: FastMap::default(),
            chart_new: Vec::new(),
            prim_new: Vec::new(),
            raw_entries: Vec::new(),
            decls: Vec::new(),
            decl_of: FastMap::default(),
            blocks: Vec::new(),
            block_of: FastMap::default(),
            paths: vec![Vec::new()],
            attrs: vec![Vec::new()],
            markers: Vec::new(),
            dirty: true,
            live: (128, 128),
            family: None,
            cur: 0,
            live0: (128, 128),
        }
    }

    /// The writer of an existing file: its metadata `m`, its first bytes
    /// `head`, its bytes `tail` from the chart address on, its length.
    pub(crate) fn open(
        m: &Metadata,
        head: &[u8],
        tail: &[u8],
        len: u64,
        tree: &Tree,
        files: &[MemberFile],
    ) -> SResult<Writer> {
        let h = &m.header;
        if h.sizes != [8, 2, 4, 8, 4, 8] {
            return Err(unsupported(format!(
                "qnd appends only to PDB files of 8-byte pointers and longs, 2-byte shorts, \
                 4-byte ints (this one: {:?})",
                h.sizes
            )));
        }
        let big = match (&h.int_orders, &h.float_orders) {
            (
                [meta::Order::Big, meta::Order::Big, meta::Order::Big],
                [meta::Order::Big, meta::Order::Big],
            ) => true,
            (
                [meta::Order::Little, meta::Order::Little, meta::Order::Little],
                [meta::Order::Little, meta::Order::Little],
            ) => false,
            _ => {
                return Err(unsupported(
                    "qnd appends only to PDB files whose numbers are all big- or all \
                     little-endian"
                        .into(),
                ))
            }
        };
        let order = if big {
            ByteOrder::Big
        } else {
            ByteOrder::Little
        };
        let mut w = Writer::new(order);
        w.end = len.max(128);
        // the address line follows the biases line
        let n = usize::from(*head.get(13).unwrap_or(&0));
        let from = 13 + n;
        let nl = head
            .get(from..)
            .and_then(|r| r.iter().position(|&c| c == b'\n'))
            .ok_or_else(|| StorageError::Layout("header: no line of biases".into()))?;
        w.addr_at = (from + nl + 1) as u64;
        if w.addr_at + 44 > 128 {
            return Err(unsupported(
                "the header has no room for the metadata addresses".into(),
            ));
        }
        w.struct_align = 1;
        w.live = (h.chart.min(len), len);
        w.types = Some(Types::new(m));
        if (h.chart, h.symtab) == (128, 128) {
            // never flushed: empty
        } else {
            if tail.iter().any(|&c| c == b'\r' || c == 0x1f) && !tail_clean(tail, h) {
                return Err(unsupported(
                    "qnd appends only to PDB files whose metadata lines end with \\n".into(),
                ));
            }
            w.column_major = m.extras.column_major;
            if let Some(a) = m.extras.alignment {
                w.alignment = a;
            }
            let cs = h
                .symtab
                .checked_sub(h.chart)
                .and_then(|d| usize::try_from(d).ok())
                .ok_or_else(|| {
                    StorageError::Layout(
                        "the symbol table address is below the chart address".into(),
                    )
                })?;
            let chart = tail
                .get(..cs)
                .ok_or_else(|| StorageError::Layout("chart past the end".into()))?;
            let chart = chart.strip_suffix(b"\x02\n").ok_or_else(|| {
                unsupported("the structure chart does not end with \\x02\\n".into())
            })?;
            w.chart_raw = chart.to_vec();
            // symtab lines up to the empty line
            let mut rest = tail.get(cs..).unwrap_or(&[]);
            let mut loaded: HashSet<Vec<u8>> = HashSet::new();
            // attributes the tree resolved are held in memory (rewritten at
            // the first flush); their lines are dropped
            w.paths = paths(tree);
            w.attrs = (0..tree.nodes.len()).map(|_| Vec::new()).collect();
            for (k, node) in tree.nodes.iter().enumerate() {
                for (name, d) in &node.attrs {
                    if let Ok(v) = crate::tree::read_data(files, d, None) {
                        loaded.insert(d.name.as_bytes().to_vec());
                        w.attrs[k].push(Attr {
                            name: name.clone(),
                            value: v,
                            at: None,
                        });
                    }
                }
            }
            loop {
                let Some(p) = rest.iter().position(|&c| c == b'\n') else {
                    return Err(StorageError::Layout("the symbol table has no end".into()));
                };
                let line = &rest[..p];
                rest = &rest[p + 1..];
                if line.is_empty() {
                    break;
                }
                let name = line.split(|&c| c == 1).next().unwrap_or(&[]);
                if loaded.contains(meta::decode_name(name).as_bytes()) {
                    continue;
                }
                w.raw_entries.push(line.to_vec());
            }
            // Primitive-Types body
            let mut it = lines(rest);
            while let Some(l) = it.next() {
                if l.is_empty() {
                    break;
                }
                if l == b"Primitive-Types:" {
                    for b in it.by_ref() {
                        if b == b"\x02" || b.is_empty() {
                            break;
                        }
                        w.prim_raw.extend_from_slice(b);
                        w.prim_raw.push(b'\n');
                    }
                    break;
                }
            }
            for b in &m.extras.blocks {
                let node = record_node(tree, &b.name);
                let blocks = b
                    .blocks
                    .iter()
                    .map(|&(a, c)| (u64::try_from(a).unwrap_or(0), c))
                    .collect();
                if let Some(n) = node {
                    w.block_of.insert(n, w.blocks.len());
                }
                w.blocks.push(BlockLine {
                    name: b.name.clone(),
                    raw: true,
                    node: node.unwrap_or(usize::MAX),
                    blocks,
                });
            }
            w.orig_dirs = w.raw_entries.iter().any(|l| l.starts_with(b"/"))
                || w.prim_raw.starts_with(b"Directory\x01");
            w.dirs = w.orig_dirs;
            // keep Python's Directory primitive line out of the raw ones:
            // it is written first whenever the file has directories
            if w.prim_raw.starts_with(b"Directory\x01") {
                let p = w.prim_raw.iter().position(|&c| c == b'\n').unwrap_or(0);
                w.prim_raw.drain(..=p);
            }
        }
        if w.paths.len() != tree.nodes.len() {
            w.paths = paths(tree);
            w.attrs = (0..tree.nodes.len()).map(|_| Vec::new()).collect();
        }
        w.dirty = false;
        Ok(w)
    }

    fn big(&self) -> bool {
        self.order == ByteOrder::Big
    }

    /// The name of PDB type `p` in this file, defining it where needed.
    fn type_name(&mut self, p: PType) -> SResult<String> {
        let (cands, want): (&[&str], Option<DType>) = match p {
            PType::Int8 => (&["_anon_0", "int8", "i8"], Some(DType::I8)),
            PType::Bool => (&["bool", "boolean"], Some(DType::Bool)),
            PType::U16 => (&["u16", "uint16"], Some(DType::U16)),
            PType::U32 => (&["u32", "uint32"], Some(DType::U32)),
            PType::U64 => (&["u64", "uint64"], Some(DType::U64)),
            PType::Complex => (&["complex", "qnd_complex"], Some(DType::C16)),
            PType::FComplex => (&["fcomplex", "qnd_fcomplex"], Some(DType::C8)),
            PType::Text => (&["text"], None),
            PType::NoneType => (&["NoneType"], None),
            other => return Ok(other.name().to_string()),
        };
        for &c in cands {
            if let Some(&q) = self.added_types.get(c) {
                if q == p {
                    return Ok(c.to_string());
                }
                continue;
            }
            let known = self.types.as_ref().map(|t| t.resolve(c));
            let fits = match &known {
                None => None,
                Some(Elem::Other(s)) if s.starts_with("unknown type") => None,
                Some(Elem::Num { dtype, .. }) => Some(Some(*dtype) == want),
                Some(Elem::Text) => Some(p == PType::Text),
                Some(Elem::None) => Some(p == PType::NoneType),
                Some(_) => Some(false),
            };
            match fits {
                Some(true) => return Ok(c.to_string()),
                Some(false) => continue,
                None => {
                    self.added_types.insert(c.to_string(), p);
                    if let Some(line) = p.chart_line() {
                        let line = line.replacen(p.name(), c, 1);
                        self.chart_new.extend_from_slice(line.as_bytes());
                    } else if let Some(line) = p.primitive_line_named(c, self.order) {
                        self.prim_new.extend_from_slice(line.as_bytes());
                    }
                    return Ok(c.to_string());
                }
            }
        }
        Err(unsupported(format!(
            "this PDB file already uses every name qnd has for {} for other types",
            p.name()
        )))
    }
}

/// Whether the metadata uses only `\n` line ends in its chart and
/// symbol table (a `\r` or `\x1f` may appear in binary extras).
fn tail_clean(tail: &[u8], h: &meta::Header) -> bool {
    let cs = usize::try_from(h.symtab.saturating_sub(h.chart)).unwrap_or(usize::MAX);
    let Some(rest) = tail.get(cs..) else {
        return false;
    };
    let end = rest
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or(rest.len(), |p| p + 2);
    !tail[..cs.saturating_add(end).min(tail.len())]
        .iter()
        .any(|&c| c == b'\r' || c == 0x1f)
}

/// The record node named `name` (a symtab name) in `tree`.
fn record_node(tree: &Tree, name: &[u8]) -> Option<usize> {
    let full = meta::decode_name(name);
    let mut at = NodeId(0);
    for c in full.split('/').filter(|c| !c.is_empty()) {
        at = tree.child(at, c)?;
    }
    matches!(tree.nodes.get(at.0)?.body, Body::Records(_)).then_some(at.0)
}

/// The path of every node of `tree`.
fn paths(tree: &Tree) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new(); tree.nodes.len()];
    let mut stack = vec![NodeId(0)];
    while let Some(g) = stack.pop() {
        if let Body::Group { names, .. } = &tree.nodes[g.0].body {
            for n in names {
                if let Some(c) = tree.child(g, n) {
                    let mut p = out[g.0].clone();
                    p.push(n.clone());
                    out[c.0] = p;
                    stack.push(c);
                }
            }
        }
    }
    out
}

/// The dimension fields of a symtab line for C shape `shape`.
fn dims_text(shape: &[usize], column_major: bool) -> String {
    let f = |n: &usize| format!("1\x01{n}\x01");
    if column_major {
        shape.iter().rev().map(f).collect()
    } else {
        shape.iter().map(f).collect()
    }
}

fn elems(shape: &[usize]) -> SResult<usize> {
    qnd_storage::checked_len(shape)
        .ok_or_else(|| unsupported(format!("a shape of {shape:?} has too many elements")))
}

/// The writable side of [`crate::PdbStorage`].
pub(crate) struct Rw<'a> {
    pub w: &'a mut Writer,
    pub tree: &'a mut Tree,
    pub files: &'a mut Vec<MemberFile>,
}

impl Rw<'_> {
    fn file(&self) -> SResult<&MemberFile> {
        self.files
            .get(self.w.cur)
            .ok_or_else(|| StorageError::Layout("no file".into()))
    }

    /// Refuse a new item once a family has rolled over to member 1.
    fn no_rollover(&self, what: &str) -> SResult<()> {
        if self.w.cur > 0 {
            return Err(unsupported(format!(
                "{what}: a family takes new items and attributes only while its member 0 \
                 is being written (member {} is)",
                self.w.cur
            )));
        }
        Ok(())
    }

    /// Flush the current member and start the next one: a fresh header,
    /// the record blocks from offset 128, a symbol table listing only the
    /// groups and the record variables with blocks in it.
    fn rollover(&mut self) -> SResult<()> {
        self.w.dirty = true;
        self.flush()?;
        let Some(fam) = &self.w.family else {
            return Ok(());
        };
        let k = self.w.cur + 1;
        let path = (fam.member)(k);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        let f = MemberFile {
            file,
            len: 0,
            path,
            read: std::sync::atomic::AtomicU64::new(0),
        };
        write_at(&f, &new_header(self.w.order), 0)?;
        if self.files.len() != k {
            return Err(StorageError::Layout(format!(
                "family member {k}: {} member files open",
                self.files.len()
            )));
        }
        self.files.push(MemberFile { len: 128, ..f });
        if k == 1 {
            self.w.live0 = self.w.live;
        }
        self.w.cur = k;
        self.w.end = 128;
        self.w.live = (128, 128);
        for b in &mut self.w.blocks {
            b.blocks.clear();
        }
        Ok(())
    }

    /// Reserve `bytes` at the end, aligned to `align`; the bytes read as
    /// zeros.
    fn alloc(&mut self, bytes: u64, align: usize) -> SResult<u64> {
        let at = align_up(self.w.end, align)?;
        let end = at
            .checked_add(bytes)
            .ok_or_else(|| unsupported("the file would be larger than 2^64 bytes".into()))?;
        let f = self.file()?;
        if end > f.len {
            f.file.set_len(end).map_err(|e| io(&f.path, e))?;
            self.files[self.w.cur].len = end;
        }
        self.w.end = end;
        Ok(at)
    }

    /// Write `b` at the end, aligned to `align`.
    fn put(&mut self, b: &[u8], align: usize) -> SResult<u64> {
        let at = align_up(self.w.end, align)?;
        let f = self.file()?;
        write_at(f, b, at)?;
        let end = at + b.len() as u64;
        if end > f.len {
            self.files[self.w.cur].len = end;
        }
        self.w.end = self.w.end.max(end);
        Ok(at)
    }

    fn push(&mut self, parent: NodeId, name: &str, body: Body) -> SResult<NodeId> {
        check_name(name)?;
        if self.tree.child(parent, name).is_some() {
            return Err(unsupported(format!("{name:?} exists already")));
        }
        if !matches!(
            self.tree.nodes.get(parent.0).map(|n| &n.body),
            Some(Body::Group { .. })
        ) {
            return Err(StorageError::Layout(format!(
                "node {} is not a group",
                parent.0
            )));
        }
        let id = self.tree.push(parent, name, body, 0)?;
        let mut p = self.w.paths.get(parent.0).cloned().unwrap_or_default();
        p.push(name.to_string());
        self.w.paths.push(p);
        self.w.attrs.push(Vec::new());
        self.w.dirty = true;
        Ok(id)
    }

    fn decl(&mut self, d: Decl) {
        self.w.decl_of.insert(d.node, self.w.decls.len());
        self.w.decls.push(d);
    }

    pub(crate) fn create_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.no_rollover(name)?;
        let id = self.push(
            parent,
            name,
            Body::Group {
                names: Vec::new(),
                index: FastMap::default(),
            },
        )?;
        self.w.dirs = true;
        self.decl(Decl {
            node: id.0,
            ty: "Directory".into(),
            dims: None,
            addr: 127,
            group: true,
        });
        Ok(id)
    }

    pub(crate) fn create_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.no_rollover(name)?;
        let ty = if name == "_" {
            "char".to_string()
        } else {
            self.w.type_name(PType::NoneType)?
        };
        let id = self.push(parent, name, Body::None)?;
        let at = self.alloc(1, 1)?;
        self.decl(Decl {
            node: id.0,
            ty,
            dims: None,
            addr: if name == "_" { 127 } else { at },
            group: false,
        });
        Ok(id)
    }

    pub(crate) fn create_leaf(
        &mut self,
        parent: NodeId,
        name: &str,
        spec: &LeafSpec,
    ) -> SResult<NodeId> {
        check_name(name)?;
        self.no_rollover(name)?;
        let p = PType::of(spec.dtype);
        let ty = self.w.type_name(p)?;
        let text = spec.dtype == DType::Str;
        let elem = match p {
            PType::Text => Elem::Text,
            _ => Elem::Num {
                dtype: spec.dtype,
                big: self.w.big(),
            },
        };
        let width = if text { spec.text_len.max(1) } else { p.size() };
        let mut fshape = spec.shape.clone();
        if text {
            fshape.push(width);
        }
        let count = elems(&fshape)?;
        if spec.records {
            if spec.shape.contains(&0) {
                return Err(unsupported(format!(
                    "PDB cannot hold {name}, records of shape {:?} with no elements",
                    spec.shape
                )));
            }
            let rec_bytes = (count as u64)
                .checked_mul(p.size() as u64)
                .ok_or_else(|| unsupported("records too large".into()))?;
            let body = Body::Records(Records {
                elem,
                rec_shape: spec.shape.clone(),
                esize: width,
                rec_bytes,
                blocks: Vec::new(),
                starts: Vec::new(),
                total: 0,
                name: name.to_string(),
            });
            let id = self.push(parent, name, body)?;
            let mut dims = vec![1];
            dims.extend_from_slice(&fshape);
            let addr = align_up(self.w.end, p.align())?;
            self.decl(Decl {
                node: id.0,
                ty,
                dims: Some(dims),
                addr,
                group: false,
            });
            self.w.block_of.insert(id.0, self.w.blocks.len());
            self.w.blocks.push(BlockLine {
                name: Vec::new(),
                raw: false,
                node: id.0,
                blocks: Vec::new(),
            });
            return Ok(id);
        }
        let empty = spec.shape.contains(&0);
        let bytes = if empty {
            0
        } else {
            (count as u64)
                .checked_mul(p.size() as u64)
                .ok_or_else(|| unsupported("leaf too large".into()))?
        };
        // check the size before touching the file
        let id = self.push(
            parent,
            name,
            Body::Leaf(Data {
                elem,
                shape: spec.shape.clone(),
                declared: spec.shape.clone(),
                esize: width,
                member: 0,
                addr: 0,
                name: name.to_string(),
            }),
        )?;
        let at = self.alloc(bytes, p.align())?;
        if let Body::Leaf(d) = &mut self.tree.nodes[id.0].body {
            d.addr = i64::try_from(at).map_err(|_| unsupported("address too large".into()))?;
        }
        if empty {
            self.w
                .markers
                .push((id.0, spec.shape.iter().map(|&n| n as i64).collect(), None));
        }
        self.decl(Decl {
            node: id.0,
            ty,
            dims: (!empty && !fshape.is_empty()).then_some(fshape),
            addr: at,
            group: false,
        });
        Ok(id)
    }

    pub(crate) fn write(&mut self, node: NodeId, slab: &[Run], a: &Array) -> SResult<()> {
        if self.w.cur > 0 {
            if let Some(Body::Records(r)) = self.tree.nodes.get(node.0).map(|n| &n.body) {
                return Err(unsupported(format!(
                    "`{}`: a family's records cannot be overwritten once member 1 exists",
                    r.name
                )));
            }
        }
        // (file offset, bytes) of each run of the slab, in C order
        let mut pieces: Vec<(u64, usize)> = Vec::new();
        let (elem, esize, name) = match self.tree.nodes.get(node.0).map(|n| &n.body) {
            Some(Body::Leaf(d)) => {
                let base = addr(d.addr, &d.name)?;
                let es = d.esize as u64;
                data::runs(&d.shape, slab, |off, k| {
                    pieces.push((offset(base, off, es, &d.name)?, k * d.esize));
                    Ok(())
                })?;
                (d.elem.clone(), d.esize, d.name.clone())
            }
            Some(Body::Records(r)) => {
                let Some((first, rest)) = slab.split_first() else {
                    return Err(short());
                };
                let es = r.esize as u64;
                for k in 0..first.count {
                    let i = first.index(k);
                    let (b, within) = r.locate(i).ok_or_else(|| {
                        StorageError::Layout(format!("`{}`: no record {i}", r.name))
                    })?;
                    let base = offset(addr(b.addr, &r.name)?, within as u64, r.rec_bytes, &r.name)?;
                    data::runs(&r.rec_shape, rest, |off, c| {
                        pieces.push((offset(base, off, es, &r.name)?, c * r.esize));
                        Ok(())
                    })?;
                }
                (r.elem.clone(), r.esize, r.name.clone())
            }
            _ => {
                return Err(StorageError::Layout(format!(
                    "node {} is not a leaf",
                    node.0
                )))
            }
        };
        let (_, order) = fmt_of(&elem, esize)?;
        check_text(a, &elem, esize, &name)?;
        if a.dtype() != crate::tree::dtype(&elem)? {
            return Err(StorageError::Layout(format!(
                "`{name}`: writing {} to {elem}",
                a.dtype()
            )));
        }
        let bytes = snapshot::encoded(a, order, esize);
        // after a rollover, leaves are overwritten in member 0
        let live = if self.w.cur > 0 {
            self.w.live0
        } else {
            self.w.live
        };
        let guard = |at: u64, n: usize| -> SResult<()> {
            let end = at.saturating_add(n as u64);
            if at < 128 || (at < live.1 && end > live.0) {
                return Err(StorageError::Layout(format!(
                    "`{name}`: its bytes {at}..{end} overlap the header or the live metadata \
                     ({}..{}); not written",
                    live.0, live.1
                )));
            }
            Ok(())
        };
        for &(at, n) in &pieces {
            if n > 0 {
                guard(at, n)?;
            }
        }
        let f = if self.w.cur == 0 {
            self.file()?
        } else if matches!(
            self.tree.nodes.get(node.0).map(|n| &n.body),
            Some(Body::Leaf(_))
        ) {
            // a family's non-record leaves all live in member 0
            self.files
                .first()
                .ok_or_else(|| StorageError::Layout("no file".into()))?
        } else {
            return Err(unsupported(format!(
                "`{name}`: a family's records cannot be overwritten once member 1 exists"
            )));
        };
        let mut pos = 0usize;
        let mut run: Option<(u64, usize, usize)> = None; // (file off, from, len)
        for (at, n) in pieces {
            match &mut run {
                Some((o, _, l)) if *o + *l as u64 == at => *l += n,
                _ => {
                    if let Some((o, from, l)) = run.take() {
                        write_at(f, bytes.get(from..from + l).ok_or_else(short)?, o)?;
                    }
                    run = Some((at, pos, n));
                }
            }
            pos += n;
        }
        if let Some((o, from, l)) = run {
            write_at(f, bytes.get(from..from + l).ok_or_else(short)?, o)?;
        }
        Ok(())
    }

    pub(crate) fn append_records(&mut self, node: NodeId, a: &Array) -> SResult<()> {
        let r = match self.tree.nodes.get(node.0).map(|n| &n.body) {
            Some(Body::Records(r)) => r,
            _ => {
                return Err(StorageError::Layout(format!(
                    "node {} is not a record variable",
                    node.0
                )))
            }
        };
        let n = a.shape().first().copied().unwrap_or(0);
        if a.shape().get(1..) != Some(&r.rec_shape[..]) {
            return Err(StorageError::Layout(format!(
                "`{}`: records of shape {:?}, not {:?}",
                r.name,
                a.shape().get(1..).unwrap_or(&[]),
                r.rec_shape
            )));
        }
        if a.dtype() != crate::tree::dtype(&r.elem)? {
            return Err(StorageError::Layout(format!(
                "`{}`: appending {} to records of {}",
                r.name,
                a.dtype(),
                r.elem
            )));
        }
        if n == 0 {
            return Ok(());
        }
        check_text(a, &r.elem, r.esize, &r.name)?;
        let (_, order) = fmt_of(&r.elem, r.esize)?;
        let per = r.rec_bytes / r.elem.size().max(1) as u64;
        let align = align_of(&r.elem);
        let bytes = snapshot::encoded(a, order, r.esize);
        if bytes.len() as u64 != n as u64 * r.rec_bytes {
            return Err(StorageError::Layout(format!(
                "`{}`: {} bytes for {n} records of {}",
                r.name,
                bytes.len(),
                r.rec_bytes
            )));
        }
        let later = !r.blocks.is_empty();
        if let Some(fam) = &self.w.family {
            if later && self.w.end >= fam.maxsize {
                self.rollover()?;
            }
        }
        let at = self.put(&bytes, align)?;
        let member = self.w.cur;
        if let Some(Body::Records(r)) = self.tree.nodes.get_mut(node.0).map(|n| &mut n.body) {
            r.starts.push(r.total);
            r.total += n;
            r.blocks.push(Block {
                member,
                addr: at as i64,
                nrec: n,
            });
        }
        let Some(&k) = self.w.block_of.get(&node.0) else {
            return Err(StorageError::Layout(format!(
                "node {} has no Blocks line",
                node.0
            )));
        };
        let first = self.w.blocks[k].blocks.is_empty();
        self.w.blocks[k].blocks.push((at, n as u64 * per));
        if first {
            if let Some(&i) = self.w.decl_of.get(&node.0) {
                self.w.decls[i].addr = at;
            }
        }
        self.w.dirty = true;
        Ok(())
    }

    pub(crate) fn set_attr(&mut self, node: NodeId, name: &str, a: &Array) -> SResult<()> {
        self.no_rollover(name)?;
        check_name(name)?;
        let leaf = matches!(
            self.tree.nodes.get(node.0).map(|n| &n.body),
            Some(Body::Leaf(_) | Body::Records(_) | Body::None)
        );
        if leaf && name == "0" {
            return Err(unsupported(
                "PDB cannot hold an attribute named 0 (it reads as an empty array's shape)".into(),
            ));
        }
        let list = self
            .w
            .attrs
            .get_mut(node.0)
            .ok_or_else(|| StorageError::Layout(format!("no node {}", node.0)))?;
        let v = Attr {
            name: name.to_string(),
            value: a.clone(),
            at: None,
        };
        match list.iter_mut().find(|x| x.name == name) {
            Some(x) => *x = v,
            None => list.push(v),
        }
        self.w.dirty = true;
        Ok(())
    }

    pub(crate) fn attr_names(&self, node: NodeId) -> Vec<String> {
        self.w
            .attrs
            .get(node.0)
            .map(|l| l.iter().map(|a| a.name.clone()).collect())
            .unwrap_or_default()
    }

    pub(crate) fn get_attr(&self, node: NodeId, name: &str) -> Option<Array> {
        self.w
            .attrs
            .get(node.0)?
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.clone())
    }

    /// Write the attributes and metadata past the end, then the header's
    /// addresses: the commit point.
    pub(crate) fn flush(&mut self) -> SResult<()> {
        self.flush_with(&mut |_| {})
    }

    /// [`Rw::flush`], calling `at` after each step (for tests of a kill).
    pub(crate) fn flush_with(&mut self, step: &mut dyn FnMut(&str)) -> SResult<()> {
        if self.w.sync && self.w.cur > 0 {
            // a family's leaves overwritten in member 0 since its last flush
            if let Some(f) = self.files.first() {
                f.file.sync_data().map_err(|e| io(&f.path, e))?;
            }
        }
        if !self.w.dirty {
            if self.w.sync {
                let f = self.file()?;
                f.file.sync_data().map_err(|e| io(&f.path, e))?;
            }
            return Ok(());
        }
        let dirs = self.w.dirs;
        let slash = |s: String| if dirs { format!("/{s}") } else { s };
        let cm = self.w.column_major;
        let mut attr_lines = String::new();
        // a later family member lists only groups and its record blocks
        let later = self.w.cur > 0;
        let nmarkers = if later { 0 } else { self.w.markers.len() };
        let nattrs = if later { 0 } else { self.w.attrs.len() };
        // `:0` markers
        for k in 0..nmarkers {
            let (node, shape, done) = self.w.markers[k].clone();
            let addr = match done {
                Some(a) => a,
                None => {
                    let b: Vec<u8> = shape
                        .iter()
                        .flat_map(|n| match self.w.order {
                            ByteOrder::Little => n.to_le_bytes(),
                            ByteOrder::Big => n.to_be_bytes(),
                        })
                        .collect();
                    let a = self.put(&b, 8)?;
                    self.w.markers[k].2 = Some(a);
                    a
                }
            };
            let prefix: String = self.w.paths[node].iter().map(|p| format!(":{p}")).collect();
            attr_lines.push_str(&format!(
                "{}\x01long\x01{}\x01{addr}\x01{}\n",
                slash(format!("{prefix}:0")),
                shape.len(),
                dims_text(&[shape.len()], cm)
            ));
        }
        for node in 0..nattrs {
            let group = matches!(self.tree.nodes[node].body, Body::Group { .. });
            let mut prefix: String = self.w.paths[node].iter().map(|p| format!(":{p}")).collect();
            if group {
                prefix.push(':');
            }
            for k in 0..self.w.attrs[node].len() {
                if self.w.attrs[node][k].at.is_none() {
                    let a = self.w.attrs[node][k].value.clone();
                    let p = PType::of(a.dtype());
                    let ty = self.w.type_name(p)?;
                    let width = snapshot::text_width(&a);
                    let mut shape = a.shape().to_vec();
                    if p == PType::Text {
                        shape.push(width);
                    }
                    let bytes = snapshot::encode(&a, self.w.order, width);
                    let addr = self.put(&bytes, p.align())?;
                    self.w.attrs[node][k].at = Some((addr, ty, shape));
                }
                let at = &self.w.attrs[node][k];
                if let Some((addr, ty, shape)) = &at.at {
                    let count = elems(shape)?;
                    attr_lines.push_str(&format!(
                        "{}\x01{ty}\x01{count}\x01{addr}\x01{}\n",
                        slash(format!("{prefix}:{}", at.name)),
                        dims_text(shape, cm)
                    ));
                }
            }
        }
        step("attributes");
        // chart, symtab, extras
        let mut m: Vec<u8> = self.w.chart_raw.clone();
        m.extend_from_slice(&self.w.chart_new);
        m.extend_from_slice(b"\x02\n");
        let symtab_off = m.len() as u64;
        let fix = dirs && !self.w.orig_dirs;
        if fix {
            m.extend_from_slice(b"/\x01Directory\x011\x01127\x01\n");
        }
        for l in self.w.raw_entries.iter().filter(|_| !later) {
            if fix {
                m.push(b'/');
            }
            m.extend_from_slice(l);
            m.push(b'\n');
        }
        for d in &self.w.decls {
            if later && !d.group {
                let here = self
                    .w
                    .block_of
                    .get(&d.node)
                    .and_then(|&k| self.w.blocks.get(k))
                    .is_some_and(|b| !b.blocks.is_empty());
                if !here {
                    continue;
                }
            }
            let mut name = self.w.paths[d.node].join("/");
            if d.group {
                name.push('/');
            }
            let count = d.dims.as_deref().map_or(Ok(1), elems)?;
            m.extend_from_slice(
                format!(
                    "{}\x01{}\x01{count}\x01{}\x01{}\n",
                    slash(name),
                    d.ty,
                    d.addr,
                    d.dims
                        .as_deref()
                        .map(|s| dims_text(s, cm))
                        .unwrap_or_default()
                )
                .as_bytes(),
            );
        }
        m.extend_from_slice(attr_lines.as_bytes());
        m.push(b'\n');
        m.extend_from_slice(
            format!(
                "Offset:1\nAlignment:{}\nStruct-Alignment:{}\nVersion:11|{}\nMajor-Order:{}\nHas-Directories:{}\nBlocks:\n",
                String::from_utf8_lossy(&self.w.alignment),
                self.w.struct_align,
                snapshot::ctime_now(),
                if cm { 102 } else { 101 },
                u8::from(dirs)
            )
            .as_bytes(),
        );
        for b in self
            .w
            .blocks
            .iter()
            .filter(|b| !later || !b.blocks.is_empty())
        {
            if fix || (dirs && !b.raw) {
                m.push(b'/');
            }
            if b.raw {
                m.extend_from_slice(&b.name);
            } else {
                m.extend_from_slice(self.w.paths[b.node].join("/").as_bytes());
            }
            m.extend_from_slice(format!("\x01{}", b.blocks.len()).as_bytes());
            for (a, c) in &b.blocks {
                m.extend_from_slice(format!(" {a} {c}").as_bytes());
            }
            m.push(b'\n');
        }
        m.extend_from_slice(b"\x02\nCasts:\n\x02\nPrimitive-Types:\n");
        if dirs {
            m.extend_from_slice(b"Directory\x011\x010\x01-1\x01DEFORDER\x01NO-CONV\x01\n");
        }
        m.extend_from_slice(&self.w.prim_raw);
        m.extend_from_slice(&self.w.prim_new);
        m.extend_from_slice(b"\x02\n\n\n");
        let chart = self.put(&m, 1)?;
        let symtab = chart + symtab_off;
        let meta_end = chart + m.len() as u64;
        step("metadata");
        let f = self.file()?;
        if self.w.sync {
            f.file.sync_data().map_err(|e| io(&f.path, e))?;
        }
        let mut h = format!("{chart}\x01{symtab}\x01\n").into_bytes();
        let room = 128 - self.w.addr_at as usize;
        if h.len() > room {
            return Err(unsupported(
                "metadata addresses too long for the header".into(),
            ));
        }
        h.resize(room, 0);
        write_at(f, &h, self.w.addr_at)?;
        if self.w.sync {
            f.file.sync_data().map_err(|e| io(&f.path, e))?;
        }
        step("header");
        self.w.live = (chart, meta_end);
        self.w.dirty = false;
        Ok(())
    }
}

/// A file address, refusing a negative one.
fn addr(a: i64, name: &str) -> SResult<u64> {
    u64::try_from(a).map_err(|_| StorageError::Layout(format!("`{name}`: negative address {a}")))
}

/// `base + k * size`, checked.
fn offset(base: u64, k: u64, size: u64, name: &str) -> SResult<u64> {
    k.checked_mul(size)
        .and_then(|o| o.checked_add(base))
        .ok_or_else(|| StorageError::Layout(format!("`{name}`: offset overflows")))
}

fn short() -> StorageError {
    StorageError::Layout("the data are shorter than the hyperslab".into())
}

fn fmt_of(elem: &Elem, esize: usize) -> SResult<(usize, ByteOrder)> {
    match elem {
        Elem::Num { big, dtype } => Ok((
            dtype.size(),
            if *big {
                ByteOrder::Big
            } else {
                ByteOrder::Little
            },
        )),
        Elem::Text => Ok((esize, ByteOrder::Little)),
        other => Err(unsupported(format!(
            "qnd does not write PDB items of type {other}"
        ))),
    }
}

fn check_text(a: &Array, elem: &Elem, width: usize, name: &str) -> SResult<()> {
    if let (Array::Str(v), Elem::Text) = (a, elem) {
        if let Some(s) = v.iter().find(|s| s.len() > width) {
            return Err(unsupported(format!(
                "`{name}` holds text of at most {width} bytes, not {} ({s:?})",
                s.len()
            )));
        }
    }
    Ok(())
}

/// The header of a new file pointing at an empty metadata block at 128.
pub(crate) fn new_header(order: ByteOrder) -> Vec<u8> {
    snapshot::header_bytes(order, 128, 128)
}
