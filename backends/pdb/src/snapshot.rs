//! Writing a whole tree into a new PDB-II file at once.
//!
//! [`write()`] takes any [`Storage`] (a [`qnd_storage::MemoryStorage`], an
//! HDF5 or netCDF file, another PDB file) and writes everything it holds
//! into a new PDB-II file, laid out as LLNL's Python qnd lays out a file
//! it writes and then closes (`shared/spec/pdb.md` §2–§9, recipe §12):
//!
//! - the 128-byte header, with the chart and symbol table addresses;
//! - the data from byte 128, packed in declaration order (the order of
//!   [`Storage::names`]), depth-first, each item at the next address that
//!   is a multiple of its type's alignment (none for `char`, `text` and
//!   `NoneType`); alignment gaps are zeros;
//! - a group is a `Directory` entry; when the root holds any group, every
//!   name is absolute (`/g/x`) and the first entry is `/`;
//! - a list (a group holding a None `_` and members `_0`, `_1`, ...) has
//!   its `_` entry (`char`, address 127) and one byte reserved for it;
//! - None is a `NoneType` entry with one byte reserved;
//! - an empty array is a scalar entry of its type with no bytes reserved,
//!   plus a `:0` pseudo-attribute (type `long`) holding its shape;
//! - text is a `text` array whose last (fastest) dimension is the longest
//!   UTF-8 encoding (at least 1), shorter strings NUL-padded; a scalar
//!   string is `text` of shape `(width,)`;
//! - complex is the struct `complex` (two `double`) or `fcomplex` (two
//!   `float`);
//! - a record node is one entry describing its first record with an extra
//!   slowest dimension of length 1, plus a line of the `Blocks` extra
//!   listing one block per record; the records of one variable are
//!   written one after the other (each aligned), so one variable's records
//!   are contiguous (Python qnd interleaves the records of all variables
//!   in the order they were written, which a [`Storage`] does not keep);
//! - attributes are `:`-entries written after all data (the root's
//!   `::name`, a group's `:g:h::name`, a leaf's `:g:x:name`), in Python
//!   qnd's order: for each group depth-first its own attributes, then for
//!   each non-group member its `:0` marker and its attributes, then the
//!   subgroups;
//! - then the structure chart, the symbol table (dimensions fastest first:
//!   `Major-Order:102`) and the extras.
//!
//! Element types (§6):
//!
//! | qnd | PDB type | size/align |
//! | --- | --- | --- |
//! | `i2`, `i4`, `i8` | `short`, `integer`, `long` | 2/2, 4/4, 8/8 |
//! | `f4`, `f8` | `float`, `double` | 4/4, 8/8 |
//! | `u1` | `char` | 1/none |
//! | `i1` | `_anon_0` (as Python qnd) | 1/1 |
//! | `u2`, `u4`, `u8` | `u16`, `u32`, `u64` | 2/2, 4/4, 8/8 |
//! | `b1` | `bool` | 1/1 |
//! | `c8`, `c16` | struct `fcomplex`, `complex` | 8/4, 16/8 |
//! | text | `text` | 1/none |
//! | None | `NoneType` | 1/none |
//!
//! One deliberate difference from Python qnd: it stores bool and unsigned
//! integers under a new anonymous type per variable (`_anon_N`), which it
//! then reads back as *signed* integers. This writer names those
//! primitives `bool`, `u16`, `u32` and `u64` in `Primitive-Types`, so a
//! reader that follows §6's naming rules (a name starting with `u` is
//! unsigned, a 1-byte `bool` is bool) gets bool and unsigned back, Python
//! qnd included. Apart from these names, the 24 characters of the date in
//! `Version:11|...` and the record layout, the bytes are those Python qnd
//! writes for the same tree.
//!
//! Refused with [`StorageError::Unsupported`] before anything is written:
//! items of [`Kind::Other`], soft and external links, a node reached under
//! two names (a hard link), names PDB cannot hold (empty, holding `/`, `:`
//! or a control character, or with blanks around them, which readers
//! strip), an attribute named `0` of a leaf (it would read as an empty
//! array's shape), a record node whose records have no elements (a zero
//! in the record shape: its blocks would be empty).
//!
//! Beyond what Python qnd writes: a record node with no records is an
//! entry describing a first record that has no bytes (at the next aligned
//! address) and a `Blocks` line with no blocks (`name\x010`); an empty
//! text array's `:0` marker holds the shape of its strings (as qnd's
//! reader takes it); an empty attribute is an entry of count 0
//! with its dimensions. Attributes on a list or below one are written as
//! any other (Python qnd cannot open such a file, §7).

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use qnd_storage::{
    Array, DType, Kind, LeafInfo, LinkTarget, NodeId, Run, SResult, Storage, StorageError,
};

/// The byte order of the numbers of a PDB file (one-byte types have none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Least significant byte first (x86, ARM): what Python qnd writes by
    /// default on those machines.
    Little,
    /// Most significant byte first (Python qnd's `order='>'`).
    Big,
}

impl ByteOrder {
    /// The order of this machine.
    pub const fn native() -> ByteOrder {
        if cfg!(target_endian = "big") {
            ByteOrder::Big
        } else {
            ByteOrder::Little
        }
    }
}

/// Write everything `src` holds into a new PDB-II file at `path` (created,
/// or truncated if it exists), with numbers in byte order `order`.
///
/// # Errors
/// [`StorageError::Unsupported`] for what PDB cannot hold (see the
/// [module docs](self)), before the file is made; an error of `src` while
/// reading it; [`StorageError::Library`] when the file cannot be written.
/// On any error after the file was made, it is removed.
pub fn write<S: Storage + ?Sized>(src: &mut S, path: &Path, order: ByteOrder) -> SResult<()> {
    let plan = Plan::make(src, order)?;
    let file = File::create(path).map_err(|e| io_error(path, e))?;
    let mut out = Out {
        w: BufWriter::new(file),
        pos: 0,
    };
    let done = plan
        .emit(src, &mut out, order)
        .and_then(|()| out.w.flush().map_err(|e| io_error(path, e)))
        .and_then(|()| out.w.get_ref().sync_all().map_err(|e| io_error(path, e)));
    if done.is_err() {
        drop(out);
        let _ = std::fs::remove_file(path);
    }
    done
}

fn io_error(path: &Path, e: std::io::Error) -> StorageError {
    StorageError::library(format!("writing {}: {e}", path.display()))
}

fn unsupported(what: String) -> StorageError {
    StorageError::Unsupported(what)
}

/// A PDB element type this writer uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PType {
    Char,
    Short,
    Integer,
    Long,
    Float,
    Double,
    Text,
    NoneType,
    Int8,
    Bool,
    U16,
    U32,
    U64,
    Complex,
    FComplex,
}

impl PType {
    pub(crate) fn of(d: DType) -> PType {
        match d {
            DType::I8 => PType::Int8,
            DType::I16 => PType::Short,
            DType::I32 => PType::Integer,
            DType::I64 => PType::Long,
            DType::U8 => PType::Char,
            DType::U16 => PType::U16,
            DType::U32 => PType::U32,
            DType::U64 => PType::U64,
            DType::F32 => PType::Float,
            DType::F64 => PType::Double,
            DType::C8 => PType::FComplex,
            DType::C16 => PType::Complex,
            DType::Bool => PType::Bool,
            DType::Str => PType::Text,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            PType::Char => "char",
            PType::Short => "short",
            PType::Integer => "integer",
            PType::Long => "long",
            PType::Float => "float",
            PType::Double => "double",
            PType::Text => "text",
            PType::NoneType => "NoneType",
            PType::Int8 => "_anon_0",
            PType::Bool => "bool",
            PType::U16 => "u16",
            PType::U32 => "u32",
            PType::U64 => "u64",
            PType::Complex => "complex",
            PType::FComplex => "fcomplex",
        }
    }

    pub(crate) fn size(self) -> usize {
        match self {
            PType::Char | PType::Text | PType::NoneType | PType::Int8 | PType::Bool => 1,
            PType::Short | PType::U16 => 2,
            PType::Integer | PType::Float | PType::U32 => 4,
            PType::Long | PType::Double | PType::U64 | PType::FComplex => 8,
            PType::Complex => 16,
        }
    }

    /// The alignment of the data address (1: none).
    pub(crate) fn align(self) -> usize {
        match self {
            PType::Char | PType::Text | PType::NoneType | PType::Int8 | PType::Bool => 1,
            PType::FComplex => 4,
            PType::Complex => 8,
            p => p.size(),
        }
    }

    /// The `Primitive-Types` line of a primitive the header does not
    /// describe.
    fn primitive_line(self, order: ByteOrder) -> Option<String> {
        self.primitive_line_named(self.name(), order)
    }

    /// The `Primitive-Types` line of this primitive under `name`.
    pub(crate) fn primitive_line_named(self, name: &str, order: ByteOrder) -> Option<String> {
        let (align, o) = match self {
            PType::Text | PType::NoneType => (0, 2),
            PType::Int8 | PType::Bool => (1, 2),
            PType::U16 | PType::U32 | PType::U64 => {
                (self.size(), if order == ByteOrder::Big { 1 } else { 2 })
            }
            _ => return None,
        };
        Some(format!(
            "{name}\x01{}\x01{align}\x01{o}\x01DEFORDER\x01FIX\x01\n",
            self.size()
        ))
    }

    /// The structure chart line of a struct type.
    pub(crate) fn chart_line(self) -> Option<&'static str> {
        match self {
            PType::Complex => Some("complex\x0116\x01double re\x01double im\x01\n"),
            PType::FComplex => Some("fcomplex\x018\x01float re\x01float im\x01\n"),
            _ => None,
        }
    }
}

/// An item of the source tree, as it will be written.
enum Model {
    Group {
        id: NodeId,
        list: bool,
        members: Vec<(String, Model)>,
    },
    Leaf {
        id: NodeId,
        info: LeafInfo,
    },
    None {
        id: NodeId,
    },
}

/// Where bytes go: the data of a leaf or record node read from the
/// source, or an array already in hand (attributes, `:0` markers).
enum Data {
    /// A leaf of the source of `shape`, whole, at `addr`.
    Leaf {
        id: NodeId,
        addr: u64,
        width: usize,
        shape: Vec<usize>,
    },
    /// The records of a record node of `shape`, record `k` at `addrs[k]`.
    Records {
        id: NodeId,
        addrs: Vec<u64>,
        width: usize,
        shape: Vec<usize>,
    },
    /// An empty array's shape (its `:0` marker) at `addr`.
    Marker { shape: Vec<i64>, addr: u64 },
    /// An array in hand at `addr`.
    Held {
        array: Array,
        addr: u64,
        width: usize,
    },
}

/// Everything about the file but the bytes of the data.
struct Plan {
    /// What to write, in increasing address order.
    data: Vec<Data>,
    chart: u64,
    /// The chart, symtab and extras.
    meta: Vec<u8>,
    symtab: u64,
}

fn check_name(name: &str, what: &str) -> SResult<()> {
    if name.is_empty()
        || name.contains(['/', ':'])
        || name.chars().any(char::is_control)
        || name.trim() != name
    {
        return Err(unsupported(format!(
            "PDB cannot hold the {what} name {name:?} (empty, holding '/', ':' or a control \
             character, or with blanks around it, which readers strip)"
        )));
    }
    Ok(())
}

/// Build the model of group `id` (at `path`), refusing what PDB cannot
/// hold; `seen` catches hard links.
fn model_group<S: Storage + ?Sized>(
    src: &mut S,
    id: NodeId,
    path: &str,
    seen: &mut std::collections::HashSet<NodeId>,
) -> SResult<Model> {
    let names = src.names(id)?;
    let mut members = Vec::with_capacity(names.len());
    for name in names {
        let at = format!("{path}/{name}");
        check_name(&name, "item")?;
        match src.link_info(id, &name)? {
            Some(LinkTarget::Hard) | None => {}
            Some(other) => {
                return Err(unsupported(format!(
                    "PDB files have no links: cannot store {at} ({other:?})"
                )))
            }
        }
        let Some((child, kind)) = src.lookup(id, &name)? else {
            return Err(StorageError::Layout(format!(
                "{at} is listed but not found"
            )));
        };
        if !seen.insert(child) {
            return Err(unsupported(format!(
                "PDB files have no links: {at} is an item already stored under another name"
            )));
        }
        let m = match kind {
            Kind::Group | Kind::List => model_group(src, child, &at, seen)?,
            Kind::Leaf | Kind::Records => {
                let info = src.info(child)?;
                if info.records != (kind == Kind::Records)
                    || (info.records && info.shape.is_empty())
                {
                    return Err(StorageError::Layout(format!(
                        "{at}: info disagrees with its kind {kind:?}"
                    )));
                }
                if info.records && info.shape[1..].contains(&0) {
                    return Err(unsupported(format!(
                        "PDB cannot hold {at}, records of shape {:?} with no elements (its \
                         blocks would be empty)",
                        &info.shape[1..]
                    )));
                }
                Model::Leaf { id: child, info }
            }
            Kind::None => Model::None { id: child },
            Kind::Other => {
                let what = src.other_type(child).unwrap_or_else(|_| "?".into());
                return Err(unsupported(format!(
                    "PDB cannot hold {at}, an item qnd has no kind for ({what})"
                )));
            }
        };
        members.push((name, m));
    }
    let list = members
        .iter()
        .any(|(n, m)| n == "_" && matches!(m, Model::None { .. }))
        && members.iter().all(|(n, _)| {
            n.strip_prefix('_')
                .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
        });
    if list {
        // `_` first, as Python qnd declares it
        let k = members.iter().position(|(n, _)| n == "_").unwrap_or(0);
        let under = members.remove(k);
        members.insert(0, under);
    }
    Ok(Model::Group { id, list, members })
}

pub(crate) fn align_up(addr: u64, align: usize) -> SResult<u64> {
    let a = align.max(1) as u64;
    addr.checked_add(a - 1)
        .map(|x| x / a * a)
        .ok_or_else(|| unsupported("the file would be larger than 2^64 bytes".into()))
}

pub(crate) fn add(addr: u64, n: usize, size: usize) -> SResult<u64> {
    (n as u64)
        .checked_mul(size as u64)
        .and_then(|b| addr.checked_add(b))
        .ok_or_else(|| unsupported("the file would be larger than 2^64 bytes".into()))
}

/// The number of elements of `shape`.
fn elems(shape: &[usize]) -> SResult<usize> {
    qnd_storage::checked_len(shape).ok_or_else(|| {
        unsupported(format!(
            "a shape of {shape:?} has more elements than this machine counts"
        ))
    })
}

/// The longest UTF-8 encoding of the strings of `a` (at least 1).
pub(crate) fn text_width(a: &Array) -> usize {
    match a {
        Array::Str(s) => s.iter().map(String::len).max().unwrap_or(0).max(1),
        _ => 0,
    }
}

/// The dimension fields of a symtab line for C shape `shape`, fastest
/// first (`Major-Order:102`), origin 1.
fn dims_text(shape: &[usize]) -> String {
    shape
        .iter()
        .rev()
        .map(|n| format!("1\x01{n}\x01"))
        .collect()
}

/// Building the metadata as the items are laid out.
struct Layout<'a, S: ?Sized> {
    src: &'a mut S,
    dirs: bool,
    next: u64,
    data: Vec<Data>,
    symtab: String,
    blocks: String,
    /// Types needed, in the order first needed.
    types: Vec<PType>,
    /// The paths of the groups that are lists.
    list_paths: Vec<Vec<String>>,
}

impl<S: Storage + ?Sized> Layout<'_, S> {
    fn need(&mut self, p: PType) {
        if !self.types.contains(&p) {
            self.types.push(p);
        }
    }

    fn entry_name(&self, path: &[&str], group: bool) -> String {
        let mut s = String::new();
        if self.dirs {
            s.push('/');
        }
        s.push_str(&path.join("/"));
        if group && !path.is_empty() {
            s.push('/');
        }
        s
    }

    fn line(&mut self, name: &str, ty: &str, count: usize, addr: u64, shape: Option<&[usize]>) {
        self.symtab.push_str(&format!(
            "{name}\x01{ty}\x01{count}\x01{addr}\x01{}\n",
            shape.map(dims_text).unwrap_or_default()
        ));
    }

    /// Lay out the items of a group, depth-first in declaration order.
    fn items(&mut self, members: &[(String, Model)], path: &mut Vec<String>) -> SResult<()> {
        for (name, m) in members {
            path.push(name.clone());
            let p: Vec<&str> = path.iter().map(String::as_str).collect();
            match m {
                Model::Group { members, .. } => {
                    let n = self.entry_name(&p, true);
                    self.line(&n, "Directory", 1, 127, None);
                    // a list's `_` comes first among its members and is
                    // written (with its reserved byte) there
                    self.items(members, path)?;
                }
                Model::None { .. } => {
                    let n = self.entry_name(&p, false);
                    let under_list = name == "_" && self.in_list(path);
                    if under_list {
                        self.line(&n, "char", 1, 127, None);
                    } else {
                        self.need(PType::NoneType);
                        self.line(&n, "NoneType", 1, self.next, None);
                    }
                    self.next = add(self.next, 1, 1)?;
                }
                Model::Leaf { id, info } => {
                    let n = self.entry_name(&p, false);
                    self.leaf(*id, info, &n)?;
                }
            }
            path.pop();
        }
        Ok(())
    }

    /// Whether the group at `path` without its last name is a list: set
    /// from the paths gathered before laying out.
    fn in_list(&self, path: &[String]) -> bool {
        self.list_paths
            .iter()
            .any(|l| l.as_slice() == &path[..path.len() - 1])
    }

    fn leaf(&mut self, id: NodeId, info: &LeafInfo, name: &str) -> SResult<()> {
        let p = PType::of(info.dtype);
        self.need(p);
        let text = info.dtype == DType::Str;
        if !info.records {
            let empty = info.shape.contains(&0);
            let width = if text && !empty {
                let a = self.src.read(id, &Run::whole(&info.shape))?;
                text_width(&a)
            } else {
                1
            };
            let mut shape = info.shape.clone();
            if text {
                shape.push(width);
            }
            let addr = align_up(self.next, p.align())?;
            if empty {
                self.line(name, p.name(), 1, addr, None);
                self.next = addr;
                return Ok(());
            }
            let count = elems(&shape)?;
            self.line(
                name,
                p.name(),
                count,
                addr,
                (!shape.is_empty()).then_some(&shape[..]),
            );
            self.next = add(addr, count, p.size())?;
            self.data.push(Data::Leaf {
                id,
                addr,
                width,
                shape: info.shape.clone(),
            });
            return Ok(());
        }
        // records
        let nrec = info.shape[0];
        let mut rec: Vec<usize> = info.shape[1..].to_vec();
        let width = if text && nrec > 0 && !rec.contains(&0) {
            let a = self.src.read(id, &Run::whole(&info.shape))?;
            text_width(&a)
        } else {
            1
        };
        if text {
            rec.push(width);
        }
        let per = elems(&rec)?;
        let mut addrs = Vec::with_capacity(nrec.min(1 << 20));
        let mut at = self.next;
        for _ in 0..nrec.max(1) {
            at = align_up(at, p.align())?;
            addrs.push(at);
            at = add(at, per, p.size())?;
        }
        let first = addrs[0];
        if nrec == 0 {
            addrs.clear();
            at = first;
        }
        let mut shape = vec![1];
        shape.extend_from_slice(&rec);
        self.line(name, p.name(), per, first, Some(&shape));
        let mut b = format!("{name}\x01{}", addrs.len());
        for a in &addrs {
            b.push_str(&format!(" {a} {per}"));
        }
        b.push('\n');
        self.blocks.push_str(&b);
        self.next = at;
        if nrec > 0 {
            self.data.push(Data::Records {
                id,
                addrs,
                width,
                shape: info.shape.clone(),
            });
        }
        Ok(())
    }

    /// Lay out the attributes, Python qnd's order: a group's own, then for
    /// each non-group member its `:0` marker and its own, then the
    /// subgroups.
    fn attrs(
        &mut self,
        id: NodeId,
        members: &[(String, Model)],
        path: &mut Vec<String>,
    ) -> SResult<()> {
        let prefix = |path: &[String]| path.iter().map(|p| format!(":{p}")).collect::<String>();
        let gp = format!("{}:", prefix(path));
        self.node_attrs(id, &gp, false)?;
        for (name, m) in members {
            let (cid, info) = match m {
                Model::Group { .. } => continue,
                Model::None { id } => (*id, None),
                Model::Leaf { id, info } => (*id, Some(info)),
            };
            path.push(name.clone());
            let lp = prefix(path);
            path.pop();
            if let Some(info) = info.filter(|i| !i.records && i.shape.contains(&0)) {
                // the shape of the value (of the strings, for text)
                let shape: Vec<i64> = info.shape.iter().map(|&n| n as i64).collect();
                self.marker(&format!("{lp}:0"), shape)?;
            }
            self.node_attrs(cid, &lp, info.is_some())?;
        }
        for (name, m) in members {
            if let Model::Group { id, members, .. } = m {
                path.push(name.clone());
                self.attrs(*id, members, path)?;
                path.pop();
            }
        }
        Ok(())
    }

    fn node_attrs(&mut self, id: NodeId, prefix: &str, leaf: bool) -> SResult<()> {
        for name in self.src.attr_names(id)? {
            check_name(&name, "attribute")?;
            if leaf && name == "0" {
                return Err(unsupported(format!(
                    "PDB cannot hold the attribute {prefix}:0 (it reads as an empty array's shape)"
                )));
            }
            let Some(a) = self.src.get_attr(id, &name)? else {
                continue;
            };
            self.attr(&format!("{prefix}:{name}"), a)?;
        }
        Ok(())
    }

    /// An empty array's `:0` marker: its shape, as a 1-d `long` array.
    fn marker(&mut self, name: &str, shape: Vec<i64>) -> SResult<()> {
        self.need(PType::Long);
        let addr = align_up(self.next, 8)?;
        let full = self.attr_entry(name);
        self.line(&full, "long", shape.len(), addr, Some(&[shape.len()]));
        self.next = add(addr, shape.len(), 8)?;
        self.data.push(Data::Marker { shape, addr });
        Ok(())
    }

    fn attr_entry(&self, name: &str) -> String {
        if self.dirs {
            format!("/{name}")
        } else {
            name.to_string()
        }
    }

    fn attr(&mut self, name: &str, a: Array) -> SResult<()> {
        let p = PType::of(a.dtype());
        self.need(p);
        let width = text_width(&a);
        let mut shape = a.shape().to_vec();
        if p == PType::Text {
            shape.push(width);
        }
        let count = elems(&shape)?;
        let addr = align_up(self.next, p.align())?;
        let full = self.attr_entry(name);
        self.line(
            &full,
            p.name(),
            count,
            addr,
            (!shape.is_empty()).then_some(&shape[..]),
        );
        self.next = add(addr, count, p.size())?;
        self.data.push(Data::Held {
            array: a,
            addr,
            width,
        });
        Ok(())
    }
}

/// Paths of the groups that are lists.
fn list_paths(members: &[(String, Model)], path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    for (name, m) in members {
        if let Model::Group { list, members, .. } = m {
            path.push(name.clone());
            if *list {
                out.push(path.clone());
            }
            list_paths(members, path, out);
            path.pop();
        }
    }
}

/// ctime()'s date (`Mon Nov 30 08:39:48 2026`), in UTC.
pub(crate) fn ctime_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    ctime(secs)
}

fn ctime(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = secs / 86400;
    let rem = secs % 86400;
    // civil from days (Howard Hinnant's algorithm)
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{} {}{:3} {:02}:{:02}:{:02} {}",
        DAYS[(days % 7) as usize],
        MONTHS[(m - 1) as usize],
        d,
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        y
    )
}

impl Plan {
    fn make<S: Storage + ?Sized>(src: &mut S, order: ByteOrder) -> SResult<Plan> {
        let root = src.root();
        let mut seen = std::collections::HashSet::from([root]);
        let Model::Group { members, .. } = model_group(src, root, "", &mut seen)? else {
            return Err(StorageError::Layout("the root is not a group".into()));
        };
        let dirs = members
            .iter()
            .any(|(_, m)| matches!(m, Model::Group { .. }));
        let mut lists = Vec::new();
        list_paths(&members, &mut Vec::new(), &mut lists);
        let mut l = Layout {
            src,
            dirs,
            next: 128,
            data: Vec::new(),
            symtab: String::new(),
            blocks: String::new(),
            types: vec![PType::Text],
            list_paths: lists,
        };
        if dirs {
            l.line("/", "Directory", 1, 127, None);
        }
        l.items(&members, &mut Vec::new())?;
        l.attrs(root, &members, &mut Vec::new())?;
        let chart = l.next;
        let mut meta = String::from(
            "*\x018\x01\nshort\x012\x01\ninteger\x014\x01\nlong\x018\x01\nfloat\x014\x01\ndouble\x018\x01\nchar\x011\x01\n",
        );
        for t in &l.types {
            if let Some(c) = t.chart_line() {
                meta.push_str(c);
            }
        }
        meta.push_str("\x02\n");
        let symtab = add(chart, meta.len(), 1)?;
        meta.push_str(&l.symtab);
        meta.push('\n');
        meta.push_str("Offset:1\nAlignment:\x01\x08\x02\x04\x08\x04\x08\nStruct-Alignment:0\n");
        meta.push_str(&format!("Version:11|{}\n", ctime_now()));
        meta.push_str(&format!(
            "Major-Order:102\nHas-Directories:{}\nBlocks:\n",
            u8::from(dirs)
        ));
        meta.push_str(&l.blocks);
        meta.push_str("\x02\nCasts:\n\x02\nPrimitive-Types:\n");
        if dirs {
            meta.push_str("Directory\x011\x010\x01-1\x01DEFORDER\x01NO-CONV\x01\n");
        }
        for t in &l.types {
            if let Some(line) = t.primitive_line(order) {
                meta.push_str(&line);
            }
        }
        meta.push_str("\x02\n\n\n");
        Ok(Plan {
            data: l.data,
            chart,
            meta: meta.into_bytes(),
            symtab,
        })
    }

    fn header(&self, order: ByteOrder) -> Vec<u8> {
        header_bytes(order, self.chart, self.symtab)
    }

    fn emit<S: Storage + ?Sized>(
        &self,
        src: &mut S,
        out: &mut Out,
        order: ByteOrder,
    ) -> SResult<()> {
        out.put(&self.header(order))?;
        for d in &self.data {
            match d {
                Data::Leaf {
                    id,
                    addr,
                    width,
                    shape,
                } => {
                    out.pad_to(*addr)?;
                    by_rows(src, *id, shape, |_, a| out.put(&encode(&a, order, *width)))?;
                }
                Data::Records {
                    id,
                    addrs,
                    width,
                    shape,
                } => {
                    let per = elems(&shape[1..])?;
                    by_rows(src, *id, shape, |first, a| {
                        let bytes = encode(&a, order, *width);
                        let rec = bytes.len() / a.shape()[0].max(1);
                        for k in 0..a.shape()[0] {
                            let addr = addrs.get(first + k).ok_or_else(|| {
                                StorageError::Layout(format!(
                                    "internal: record {} of {per} elements has no block",
                                    first + k
                                ))
                            })?;
                            out.pad_to(*addr)?;
                            out.put(&bytes[k * rec..(k + 1) * rec])?;
                        }
                        Ok(())
                    })?;
                }
                Data::Marker { shape, addr } => {
                    out.pad_to(*addr)?;
                    for n in shape {
                        out.put(&match order {
                            ByteOrder::Little => n.to_le_bytes(),
                            ByteOrder::Big => n.to_be_bytes(),
                        })?;
                    }
                }
                Data::Held { array, addr, width } => {
                    out.pad_to(*addr)?;
                    out.put(&encode(array, order, *width))?;
                }
            }
        }
        out.pad_to(self.chart)?;
        out.put(&self.meta)
    }
}

/// The 128 bytes of a PDB-II header pointing at `chart` and `symtab`.
pub(crate) fn header_bytes(order: ByteOrder, chart: u64, symtab: u64) -> Vec<u8> {
    let mut h = b"!<<PDB:II>>!\n\x24\x08\x02\x04\x08\x04\x08".to_vec();
    match order {
        ByteOrder::Little => {
            h.extend_from_slice(&[2, 2, 2, 4, 3, 2, 1, 8, 7, 6, 5, 4, 3, 2, 1]);
        }
        ByteOrder::Big => {
            h.extend_from_slice(&[1, 1, 1, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8]);
        }
    }
    h.extend_from_slice(&[0x20, 8, 0x17, 0, 1, 9, 0, 0x40, 0x0b, 0x34, 0, 1, 0x0c, 0]);
    h.extend_from_slice(format!("127\x011023\x01\n{}\x01{}\x01\n", chart, symtab).as_bytes());
    h.resize(128, 0);
    h
}

/// About how many elements [`by_rows`] reads at a time.
const CHUNK: usize = 1 << 20;

/// Read node `id` of `shape` from `src` a few rows (of the first axis) at
/// a time, giving `put` the index of the first row and the rows.
fn by_rows<S: Storage + ?Sized>(
    src: &mut S,
    id: NodeId,
    shape: &[usize],
    mut put: impl FnMut(usize, Array) -> SResult<()>,
) -> SResult<()> {
    let Some((&rows, rest)) = shape.split_first() else {
        return put(0, src.read(id, &[])?);
    };
    let per = elems(rest)?.max(1);
    let step = (CHUNK / per).max(1);
    let mut first = 0;
    while first < rows {
        let n = step.min(rows - first);
        let mut slab = vec![Run::span(first, n)];
        slab.extend(rest.iter().map(|&k| Run::all(k)));
        let a = src.read(id, &slab)?;
        if a.shape() != [&[n][..], rest].concat() {
            return Err(StorageError::Layout(format!(
                "reading {slab:?} gave shape {:?}",
                a.shape()
            )));
        }
        put(first, a)?;
        first += n;
    }
    Ok(())
}

struct Out {
    w: BufWriter<File>,
    pos: u64,
}

impl Out {
    fn put(&mut self, b: &[u8]) -> SResult<()> {
        self.w
            .write_all(b)
            .map_err(|e| StorageError::library(format!("writing a PDB file: {e}")))?;
        self.pos += b.len() as u64;
        Ok(())
    }

    fn pad_to(&mut self, addr: u64) -> SResult<()> {
        if addr < self.pos {
            return Err(StorageError::Layout(format!(
                "internal: data at {addr} overlaps data written up to {}",
                self.pos
            )));
        }
        let zeros = [0u8; 64];
        while self.pos < addr {
            let n = ((addr - self.pos) as usize).min(zeros.len());
            self.put(&zeros[..n])?;
        }
        Ok(())
    }
}

/// `a` as its bytes in a file of byte order `order`: the array's own
/// memory when that is the machine's byte order and `a` is contiguous (a
/// batch of records or a leaf written with no copy), else [`encode`]d.
pub(crate) fn encoded(a: &Array, order: ByteOrder, width: usize) -> Cow<'_, [u8]> {
    macro_rules! raw {
        ($v:expr) => {
            if let Some(s) = $v.as_slice() {
                return Cow::Borrowed(bytemuck::cast_slice(s));
            }
        };
    }
    if order == ByteOrder::native() {
        match a {
            Array::I8(v) => raw!(v),
            Array::I16(v) => raw!(v),
            Array::I32(v) => raw!(v),
            Array::I64(v) => raw!(v),
            Array::U8(v) => raw!(v),
            Array::U16(v) => raw!(v),
            Array::U32(v) => raw!(v),
            Array::U64(v) => raw!(v),
            Array::F32(v) => raw!(v),
            Array::F64(v) => raw!(v),
            _ => {}
        }
    }
    Cow::Owned(encode(a, order, width))
}

/// The bytes of `a` in C order, numbers in `order`, text NUL-padded to
/// `width` bytes a string.
pub(crate) fn encode(a: &Array, order: ByteOrder, width: usize) -> Vec<u8> {
    macro_rules! num {
        ($v:expr) => {{
            let n = std::mem::size_of_val(&$v.first().copied().unwrap_or_default());
            let mut b = vec![0u8; $v.len() * n];
            match order {
                ByteOrder::Little => {
                    for (c, x) in b.chunks_exact_mut(n).zip($v.iter()) {
                        c.copy_from_slice(&x.to_le_bytes());
                    }
                }
                ByteOrder::Big => {
                    for (c, x) in b.chunks_exact_mut(n).zip($v.iter()) {
                        c.copy_from_slice(&x.to_be_bytes());
                    }
                }
            }
            b
        }};
    }
    macro_rules! cplx {
        ($v:expr) => {{
            let mut b = Vec::new();
            for x in $v.iter() {
                for part in [x.re, x.im] {
                    match order {
                        ByteOrder::Little => b.extend_from_slice(&part.to_le_bytes()),
                        ByteOrder::Big => b.extend_from_slice(&part.to_be_bytes()),
                    }
                }
            }
            b
        }};
    }
    match a {
        Array::I8(v) => num!(v),
        Array::I16(v) => num!(v),
        Array::I32(v) => num!(v),
        Array::I64(v) => num!(v),
        Array::U8(v) => v.iter().copied().collect(),
        Array::U16(v) => num!(v),
        Array::U32(v) => num!(v),
        Array::U64(v) => num!(v),
        Array::F32(v) => num!(v),
        Array::F64(v) => num!(v),
        Array::C8(v) => cplx!(v),
        Array::C16(v) => cplx!(v),
        Array::Bool(v) => v.iter().map(|&x| u8::from(x)).collect(),
        Array::Str(v) => {
            let mut b = Vec::with_capacity(v.len() * width);
            for s in v.iter() {
                let s = s.as_bytes();
                let n = s.len().min(width);
                b.extend_from_slice(&s[..n]);
                b.resize(b.len() + width - n, 0);
            }
            b
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctime_format() {
        assert_eq!(ctime(0), "Thu Jan  1 00:00:00 1970");
        // 2026-11-30 08:45:25 UTC
        assert_eq!(ctime(1_796_028_325), "Mon Nov 30 08:45:25 2026");
    }
}
