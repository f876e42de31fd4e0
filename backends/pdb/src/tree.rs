//! The node table (§7, §8, §10 of `shared/spec/pdb.md`): groups from
//! Directory entries and from the paths of names, leaves, record
//! variables from the Blocks extra, None, list markers, attributes, and
//! the members of a family joined.

use qnd_storage::{DType, FastMap, NodeId, SResult, StorageError};

use crate::data::{self, Fmt, MemberFile};
use crate::meta::{decode_name, show, Entry, Metadata};
use crate::types::{Elem, Types};

/// Where a fixed-shape array lives.
#[derive(Clone, Debug)]
pub(crate) struct Data {
    /// A number type or text.
    pub elem: Elem,
    /// The shape qnd sees (text: without the width).
    pub shape: Vec<usize>,
    /// The shape the symbol table declares (before a `:0` marker).
    pub declared: Vec<usize>,
    /// Bytes per element (text: the width).
    pub esize: usize,
    pub member: usize,
    pub addr: i64,
    /// Symtab name, for messages.
    pub name: String,
}

/// A block of records.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    pub member: usize,
    pub addr: i64,
    pub nrec: usize,
}

/// A record variable.
#[derive(Clone, Debug)]
pub(crate) struct Records {
    pub elem: Elem,
    /// Shape of one record (text: without the width).
    pub rec_shape: Vec<usize>,
    pub esize: usize,
    /// Bytes of one record.
    pub rec_bytes: u64,
    pub blocks: Vec<Block>,
    /// Index of the first record of each block.
    pub starts: Vec<usize>,
    pub total: usize,
    pub name: String,
}

impl Records {
    /// The block holding record `i`, and `i`'s place in it.
    pub(crate) fn locate(&self, i: usize) -> Option<(&Block, usize)> {
        let k = self.starts.partition_point(|&s| s <= i).checked_sub(1)?;
        let b = self.blocks.get(k)?;
        let within = i - self.starts[k];
        (within < b.nrec).then_some((b, within))
    }
}

/// What a node is.
#[derive(Debug)]
pub(crate) enum Body {
    Group {
        names: Vec<String>,
        index: FastMap<String, NodeId>,
    },
    Leaf(Data),
    Records(Records),
    None,
    Other(String),
}

/// A node and its attributes (in file order).
#[derive(Debug)]
pub(crate) struct Node {
    pub body: Body,
    pub attrs: Vec<(String, Data)>,
    /// The member that first declared it.
    pub member: usize,
}

/// All the nodes; `NodeId(0)` is the root.
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
    pub warnings: Vec<String>,
}

fn group() -> Body {
    Body::Group {
        names: Vec::new(),
        index: FastMap::default(),
    }
}

fn bad(e: &Entry, member: usize, what: String) -> StorageError {
    StorageError::Layout(format!(
        "symbol table entry `{}` (member {member}, byte offset {}): {what}",
        show(&e.name),
        e.at
    ))
}

/// An entry's shape in C order, as u64s.
fn file_shape(e: &Entry, column_major: bool) -> Vec<u64> {
    if e.dims.is_empty() {
        return if e.count == 1 {
            Vec::new()
        } else {
            vec![e.count]
        };
    }
    let mut d = e.dims.clone();
    if column_major {
        d.reverse();
    }
    d
}

fn to_usize(v: &[u64]) -> Option<Vec<usize>> {
    v.iter().map(|&x| usize::try_from(x).ok()).collect()
}

/// Split a text shape into the string shape and the width.
fn split_text(elem: &Elem, shape: Vec<usize>) -> (Vec<usize>, usize) {
    match elem {
        Elem::Text => match shape.split_last() {
            Some((&w, rest)) => (rest.to_vec(), w),
            None => (shape, 1),
        },
        other => (shape, other.size()),
    }
}

impl Tree {
    pub(crate) fn new() -> Tree {
        Tree {
            nodes: vec![Node {
                body: group(),
                attrs: Vec::new(),
                member: 0,
            }],
            warnings: Vec::new(),
        }
    }

    pub(crate) fn child(&self, g: NodeId, name: &str) -> Option<NodeId> {
        match &self.nodes.get(g.0)?.body {
            Body::Group { index, .. } => index.get(name).copied(),
            _ => None,
        }
    }

    pub(crate) fn push(
        &mut self,
        parent: NodeId,
        name: &str,
        body: Body,
        member: usize,
    ) -> SResult<NodeId> {
        let id = NodeId(self.nodes.len());
        match &mut self.nodes[parent.0].body {
            Body::Group { names, index } => {
                names.push(name.to_string());
                index.insert(name.to_string(), id);
            }
            _ => {
                return Err(StorageError::Layout(format!(
                    "`{name}` is below an item that is not a group"
                )))
            }
        }
        self.nodes.push(Node {
            body,
            attrs: Vec::new(),
            member,
        });
        Ok(id)
    }

    /// The group at `path`, made (with its parents) where missing.
    fn groups(&mut self, path: &[String], member: usize) -> SResult<NodeId> {
        let mut at = NodeId(0);
        for name in path {
            at = match self.child(at, name) {
                Some(id) if matches!(self.nodes[id.0].body, Body::Group { .. }) => id,
                Some(_) => {
                    return Err(StorageError::Layout(format!(
                        "`{}` is used as a group but is not one",
                        path.join("/")
                    )))
                }
                None => self.push(at, name, group(), member)?,
            };
        }
        Ok(at)
    }

    /// Add the items of family member `member` (of `nmembers`).
    pub(crate) fn add(
        &mut self,
        meta: &Metadata,
        member: usize,
        nmembers: usize,
        files: &[MemberFile],
    ) -> SResult<()> {
        let types = Types::new(meta);
        let cm = meta.extras.column_major;
        self.warnings.extend(
            meta.warnings
                .iter()
                .map(|w| format!("member {member}: {w}")),
        );
        let mut blocks: FastMap<&[u8], &crate::meta::BlockLine> = FastMap::default();
        for b in &meta.extras.blocks {
            blocks.insert(b.name.as_slice(), b);
        }
        let mut attrs = Vec::new();
        for e in &meta.symtab {
            let full = decode_name(&e.name);
            let name = full.strip_prefix('/').unwrap_or(&full);
            if name.starts_with(':') {
                if e.unreadable.is_none() {
                    attrs.push((e, name.to_string()));
                }
                continue;
            }
            let comps: Vec<String> = name
                .split('/')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            let elem = types.resolve(&e.ty);
            if name.ends_with('/') || elem == Elem::Group {
                self.groups(&comps, member)?;
                continue;
            }
            let Some((last, parents)) = comps.split_last() else {
                self.warnings.push(format!(
                    "member {member}: symbol table entry `{full}` has no name; ignored"
                ));
                continue;
            };
            let parent = self.groups(parents, member)?;
            let body = match &e.unreadable {
                Some(why) => Body::Other(why.clone()),
                None => {
                    let shape = to_usize(&file_shape(e, cm))
                        .ok_or_else(|| bad(e, member, "a dimension too large".into()))?;
                    if elem == Elem::None || (last == "_" && e.ty == "char" && e.count == 1) {
                        Body::None
                    } else if let Elem::Other(what) = &elem {
                        Body::Other(format!("{what} {shape:?}"))
                    } else if let Some(bl) = blocks.get(e.name.as_slice()) {
                        let (rec_file, _) = match shape.split_first() {
                            Some((_, rest)) => (rest.to_vec(), ()),
                            None => (Vec::new(), ()),
                        };
                        let per: u64 = rec_file
                            .iter()
                            .try_fold(1u64, |a, &d| a.checked_mul(d as u64))
                            .ok_or_else(|| bad(e, member, "record too large".into()))?;
                        if per == 0 {
                            return Err(bad(
                                e,
                                member,
                                "a record variable with empty records".into(),
                            ));
                        }
                        let (rec_shape, esize) = split_text(&elem, rec_file);
                        let rec_bytes = per
                            .checked_mul(elem.size() as u64)
                            .ok_or_else(|| bad(e, member, "record too large".into()))?;
                        let mut bs = Vec::new();
                        for &(addr, count) in &bl.blocks {
                            if count % per != 0 {
                                return Err(bad(e, member, format!("its Blocks line (byte offset {}) has a block of {count} elements, not a whole number of records of {per}", bl.at)));
                            }
                            let nrec = usize::try_from(count / per)
                                .map_err(|_| bad(e, member, "too many records".into()))?;
                            bs.push(Block { member, addr, nrec });
                        }
                        let mut r = Records {
                            elem: elem.clone(),
                            rec_shape,
                            esize,
                            rec_bytes,
                            blocks: Vec::new(),
                            starts: Vec::new(),
                            total: 0,
                            name: full.clone(),
                        };
                        extend_records(&mut r, bs).map_err(|w| bad(e, member, w))?;
                        Body::Records(r)
                    } else {
                        let (shape, esize) = split_text(&elem, shape);
                        let (m, addr) = family_addr(member, e.addr, nmembers);
                        Body::Leaf(Data {
                            elem,
                            declared: shape.clone(),
                            shape,
                            esize,
                            member: m,
                            addr,
                            name: full.clone(),
                        })
                    }
                }
            };
            match self.child(parent, last) {
                None => {
                    self.push(parent, last, body, member)?;
                }
                Some(id) => {
                    let node = &mut self.nodes[id.0];
                    if node.member == member {
                        self.warnings.push(format!("member {member}: `{full}` declared twice; the first declaration is kept"));
                        continue;
                    }
                    match (&mut node.body, body) {
                        (Body::Records(old), Body::Records(new)) => {
                            if old.elem != new.elem
                                || old.rec_shape != new.rec_shape
                                || old.esize != new.esize
                            {
                                return Err(bad(e, member, format!(
                                    "records of type {} shape {:?} here, {} {:?} in an earlier member",
                                    new.elem, new.rec_shape, old.elem, old.rec_shape
                                )));
                            }
                            extend_records(old, new.blocks).map_err(|w| bad(e, member, w))?;
                        }
                        (Body::Leaf(old), Body::Leaf(new)) => {
                            if old.elem != new.elem
                                || old.declared != new.declared
                                || old.esize != new.esize
                            {
                                return Err(bad(
                                    e,
                                    member,
                                    format!(
                                        "type {} shape {:?} here, {} {:?} in an earlier member",
                                        new.elem, new.declared, old.elem, old.declared
                                    ),
                                ));
                            }
                        }
                        (Body::None, Body::None) | (Body::Other(_), Body::Other(_)) => {}
                        (Body::Records(_), Body::Leaf(_)) => {
                            // A record variable with no block in this member.
                        }
                        _ => {
                            return Err(bad(
                                e,
                                member,
                                "not the same kind of item as in an earlier member".into(),
                            ))
                        }
                    }
                }
            }
        }
        for (e, name) in attrs {
            self.attr(e, &name, &types, cm, member, files)?;
        }
        Ok(())
    }

    fn attr(
        &mut self,
        e: &Entry,
        name: &str,
        types: &Types,
        cm: bool,
        member: usize,
        files: &[MemberFile],
    ) -> SResult<()> {
        let Some((left, aname)) = name.rsplit_once(':') else {
            return Ok(());
        };
        let left = left.strip_prefix(':').unwrap_or(left);
        let mut comps: Vec<&str> = left.split(':').collect();
        if comps.last() == Some(&"") {
            comps.pop();
        }
        let mut at = NodeId(0);
        for c in &comps {
            match self.child(at, c) {
                Some(id) => at = id,
                None => {
                    self.warnings.push(format!(
                        "member {member}: attribute entry `{}` names no item; ignored",
                        show(&e.name)
                    ));
                    return Ok(());
                }
            }
        }
        let elem = types.resolve(&e.ty);
        if !matches!(elem, Elem::Num { .. } | Elem::Text) {
            self.warnings.push(format!(
                "member {member}: attribute entry `{}` of type {} ignored",
                show(&e.name),
                e.ty
            ));
            return Ok(());
        }
        let shape = to_usize(&file_shape(e, cm))
            .ok_or_else(|| bad(e, member, "a dimension too large".into()))?;
        let (shape, esize) = split_text(&elem, shape);
        let (member, addr) = family_addr(member, e.addr, files.len());
        let d = Data {
            elem,
            declared: shape.clone(),
            shape,
            esize,
            member,
            addr,
            name: decode_name(&e.name),
        };
        let node = &mut self.nodes[at.0];
        if node.attrs.iter().any(|(n, _)| n == aname) {
            return Ok(());
        }
        if aname == "0" {
            if let (Body::Leaf(leaf), Elem::Num { dtype, .. }) = (&mut node.body, &d.elem) {
                let int = matches!(
                    dtype,
                    DType::I8
                        | DType::I16
                        | DType::I32
                        | DType::I64
                        | DType::U8
                        | DType::U16
                        | DType::U32
                        | DType::U64
                );
                if int && d.shape.len() == 1 && d.shape[0] <= 32 {
                    let v = read_data(files, &d, None)?;
                    if let Some(v) = v.to_f64() {
                        let dims: Vec<f64> = v.iter().copied().collect();
                        if dims.contains(&0.0) && dims.iter().all(|x| (0.0..1e15).contains(x)) {
                            leaf.shape = dims.iter().map(|&x| x as usize).collect();
                            return Ok(());
                        }
                    }
                }
            }
        }
        node.attrs.push((aname.to_string(), d));
        Ok(())
    }
}

/// The member and offset of an address: Python qnd lists items it
/// allocated while member k >= 1 was current at k × 2^42 + offset (§10).
fn family_addr(member: usize, addr: i64, nmembers: usize) -> (usize, i64) {
    if addr >= 1 << 42 {
        let k = usize::try_from(addr >> 42).unwrap_or(usize::MAX);
        if k < nmembers {
            return (k, addr & ((1 << 42) - 1));
        }
    }
    (member, addr)
}

fn extend_records(r: &mut Records, blocks: Vec<Block>) -> Result<(), String> {
    for b in blocks {
        r.starts.push(r.total);
        r.total = r.total.checked_add(b.nrec).ok_or("too many records")?;
        r.blocks.push(b);
    }
    Ok(())
}

/// Total bytes of all members.
fn total_len(files: &[MemberFile]) -> u64 {
    files.iter().map(|f| f.len).sum()
}

/// The dtype of a readable element.
///
/// # Errors
/// Unsupported for anything else.
pub(crate) fn dtype(elem: &Elem) -> SResult<DType> {
    elem_fmt(elem, 0).map(|(d, _)| d)
}

fn elem_fmt(elem: &Elem, esize: usize) -> SResult<(DType, Fmt)> {
    match elem {
        Elem::Num { dtype, big } => Ok((
            *dtype,
            Fmt {
                big: *big,
                width: esize,
            },
        )),
        Elem::Text => Ok((
            DType::Str,
            Fmt {
                big: false,
                width: esize,
            },
        )),
        other => Err(StorageError::Unsupported(format!(
            "cannot read elements of {other:?}"
        ))),
    }
}

fn check_size(files: &[MemberFile], n: usize, esize: usize, name: &str) -> SResult<()> {
    let bytes = (n as u128) * (esize.max(1) as u128);
    if bytes > u128::from(total_len(files)) {
        return Err(StorageError::Layout(format!(
            "`{name}`: {n} elements of {esize} bytes are more than the file holds ({} bytes)",
            total_len(files)
        )));
    }
    Ok(())
}

fn addr(d_addr: i64, name: &str) -> SResult<u64> {
    u64::try_from(d_addr)
        .map_err(|_| StorageError::Layout(format!("`{name}`: negative address {d_addr}")))
}

/// What a hyperslab `slab` of elements `elem` (`esize` bytes each) of
/// item `name` selects: the count along each axis, the element count
/// (checked against what the files hold), and the dtype and format to
/// decode.
fn selected(
    files: &[MemberFile],
    slab: &[qnd_storage::Run],
    elem: &Elem,
    esize: usize,
    name: &str,
) -> SResult<(Vec<usize>, usize, DType, Fmt)> {
    let counts: Vec<usize> = slab.iter().map(|r| r.count).collect();
    let (dtype, fmt) = elem_fmt(elem, esize)?;
    let n = counts
        .iter()
        .try_fold(1usize, |a, &c| a.checked_mul(c))
        .unwrap_or(usize::MAX);
    if n > 0 {
        check_size(files, n, esize, name)?;
    }
    Ok((counts, n, dtype, fmt))
}

/// Read a hyperslab of a fixed-shape array (the whole of it for `None`).
pub(crate) fn read_data(
    files: &[MemberFile],
    d: &Data,
    slab: Option<&[qnd_storage::Run]>,
) -> SResult<qnd_storage::Array> {
    let whole = qnd_storage::Run::whole(&d.shape);
    let slab = slab.unwrap_or(&whole);
    let (counts, n, dtype, fmt) = selected(files, slab, &d.elem, d.esize, &d.name)?;
    let base = if n > 0 { addr(d.addr, &d.name)? } else { 0 };
    let esize = d.esize as u64;
    data::read_typed(files, dtype, fmt, d.esize, &counts, &mut |piece| {
        data::runs(&d.shape, slab, |off, k| {
            let at = off
                .checked_mul(esize)
                .and_then(|o| o.checked_add(base))
                .ok_or_else(|| StorageError::Layout(format!("`{}`: offset overflows", d.name)))?;
            piece(d.member, at, k)
        })
    })
}

/// Read a hyperslab of a record variable (record axis first).
pub(crate) fn read_records(
    files: &[MemberFile],
    r: &Records,
    slab: &[qnd_storage::Run],
) -> SResult<qnd_storage::Array> {
    let (counts, _, dtype, fmt) = selected(files, slab, &r.elem, r.esize, &r.name)?;
    let Some((first, rest)) = slab.split_first() else {
        return Err(StorageError::Layout(format!(
            "`{}`: a hyperslab without the record axis",
            r.name
        )));
    };
    let esize = r.esize as u64;
    let whole_records = rest.len() == r.rec_shape.len()
        && rest
            .iter()
            .zip(&r.rec_shape)
            .all(|(x, &n)| x.first == 0 && x.count == n && (x.step == 1 || n <= 1))
        && (first.step == 1 || first.count <= 1);
    if whole_records {
        // Whole records in a row: one run per block.
        let per: usize = r.rec_shape.iter().product();
        return data::read_typed(files, dtype, fmt, r.esize, &counts, &mut |piece| {
            let mut k = 0;
            while k < first.count {
                let i = first.first + k;
                let (b, within) = r.locate(i).ok_or_else(|| {
                    StorageError::Layout(format!(
                        "`{}`: no record {i} (it has {})",
                        r.name, r.total
                    ))
                })?;
                let take = (b.nrec - within).min(first.count - k);
                let base = (within as u64)
                    .checked_mul(r.rec_bytes)
                    .and_then(|o| o.checked_add(addr(b.addr, &r.name).ok()?))
                    .ok_or_else(|| {
                        StorageError::Layout(format!("`{}`: record {i} offset overflows", r.name))
                    })?;
                let n = take.checked_mul(per).ok_or_else(|| {
                    StorageError::Layout(format!("`{}`: too many elements", r.name))
                })?;
                piece(b.member, base, n)?;
                k += take;
            }
            Ok(())
        });
    }
    data::read_typed(files, dtype, fmt, r.esize, &counts, &mut |piece| {
        for k in 0..first.count {
            let i = first.index(k);
            let (b, within) = r.locate(i).ok_or_else(|| {
                StorageError::Layout(format!("`{}`: no record {i} (it has {})", r.name, r.total))
            })?;
            let base = (within as u64)
                .checked_mul(r.rec_bytes)
                .and_then(|o| o.checked_add(addr(b.addr, &r.name).ok()?))
                .ok_or_else(|| {
                    StorageError::Layout(format!("`{}`: record {i} offset overflows", r.name))
                })?;
            data::runs(&r.rec_shape, rest, |off, c| {
                let at = off
                    .checked_mul(esize)
                    .and_then(|o| o.checked_add(base))
                    .ok_or_else(|| {
                        StorageError::Layout(format!("`{}`: offset overflows", r.name))
                    })?;
                piece(b.member, at, c)
            })?;
        }
        Ok(())
    })
}
