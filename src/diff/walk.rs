//! Walking two trees side by side.

use std::collections::HashSet;

use super::values::{self, Block};
use super::{Change, Diff, Differ, Difference, ItemKind, Side};
use crate::backend::LinkTarget;
use crate::error::{Error, Result};
use crate::selection::Selection;
use crate::state::Auto;
use crate::tree::{Item, QAttrs, QGroup, QLeaf, QList};
use crate::values::{Array, DType};

/// An item of one tree, as far as comparing goes.
enum Node {
    Group(QGroup),
    /// A list or a record variable.
    List(QList),
    Leaf(QLeaf),
    /// None, with its attributes where it has a handle for them.
    None(Option<QAttrs>),
    Dangling(String),
    Cycle(String),
    /// An item qnd has no kind for: its type, and its attributes where it
    /// has a handle for them.
    Other(String, Option<QAttrs>),
}

impl Node {
    fn kind(&self) -> ItemKind {
        match self {
            Node::Group(_) => ItemKind::Group,
            Node::List(l) if l.is_records() => ItemKind::Records,
            Node::List(_) => ItemKind::List,
            Node::Leaf(_) => ItemKind::Leaf,
            Node::None(_) => ItemKind::None,
            Node::Dangling(to) => ItemKind::Dangling(to.clone()),
            Node::Cycle(to) => ItemKind::Cycle(to.clone()),
            Node::Other(what, _) => ItemKind::Other(what.clone()),
        }
    }

    fn attrs(&self) -> Option<QAttrs> {
        match self {
            Node::Group(g) => g.attrs("").ok(),
            Node::List(l) => Some(l.attrs()),
            Node::Leaf(l) => Some(l.attrs()),
            Node::None(a) | Node::Other(_, a) => a.clone(),
            Node::Dangling(_) | Node::Cycle(_) => None,
        }
    }
}

/// One walk: the options, both roots, the groups on the current path of
/// each tree (to find cycles), and what was found.
pub(super) struct Walk<'d, 'p> {
    differ: &'d mut Differ<'p>,
    a: QGroup,
    b: QGroup,
    above: [Vec<(String, QGroup)>; 2],
    found: Vec<Difference>,
    done: u64,
    total: u64,
}

/// A handle on `g` with goto off and auto-read off, whatever `g`'s modes.
fn quiet(g: &QGroup) -> QGroup {
    let g = g.clone();
    g.goto_off();
    g.set_auto(Auto::Off);
    g
}

fn child(path: &str, name: &str) -> String {
    if path.ends_with('/') {
        format!("{path}{name}")
    } else {
        format!("{path}/{name}")
    }
}

impl<'d, 'p> Walk<'d, 'p> {
    pub(super) fn new(differ: &'d mut Differ<'p>, a: &QGroup, b: &QGroup) -> Result<Self> {
        let (a, b) = (quiet(a), quiet(b));
        Ok(Walk {
            differ,
            a,
            b,
            above: [Vec::new(), Vec::new()],
            found: Vec::new(),
            done: 0,
            total: 0,
        })
    }

    pub(super) fn run(mut self) -> Result<Diff> {
        let (a, b) = (Node::Group(self.a.clone()), Node::Group(self.b.clone()));
        self.count(&a)?;
        self.compare("/", &a, &b)?;
        Ok(Diff {
            differences: self.found,
        })
    }

    pub(super) fn run_path(mut self, path: &str) -> Result<Diff> {
        let trimmed = path.trim_start_matches('/');
        if trimmed.is_empty() {
            return self.run();
        }
        let a = lookup(&self.a, trimmed)?;
        let b = lookup(&self.b, trimmed)?;
        match (a, b) {
            (None, None) => {
                return Err(Error::NoItem {
                    file: self.a.file_path(),
                    path: format!("/{trimmed}"),
                })
            }
            (Some((p, _)), None) => self.note(&p, Change::Missing(Side::A)),
            (None, Some((p, _))) => self.note(&p, Change::Missing(Side::B)),
            (Some((p, a)), Some((_, b))) => {
                self.count(&a)?;
                self.compare(&p, &a, &b)?;
            }
        }
        Ok(Diff {
            differences: self.found,
        })
    }

    /// With a progress callback: count the bytes of the leaves under `a`
    /// (A's side of the walk), the progress total.
    fn count(&mut self, a: &Node) -> Result<()> {
        if self.differ.progress.is_some() {
            self.total = data_bytes(a, &mut Vec::new())?;
        }
        Ok(())
    }

    /// True when the walk may stop: asked to stop at the first item found
    /// different, and one was.
    fn stopped(&self) -> bool {
        self.differ.first_only && !self.found.is_empty()
    }

    fn note(&mut self, path: &str, change: Change) {
        self.found.push(Difference {
            path: path.to_string(),
            change,
        });
    }

    /// Compare two items at `path`, and everything under them.
    fn compare(&mut self, path: &str, a: &Node, b: &Node) -> Result<()> {
        let (ka, kb) = (a.kind(), b.kind());
        if ka != kb {
            self.note(path, Change::Kind { a: ka, b: kb });
            return Ok(());
        }
        match (a, b) {
            (Node::Group(ga), Node::Group(gb)) => {
                self.attributes(path, a, b)?;
                self.above[0].push((path.to_string(), ga.clone()));
                self.above[1].push((path.to_string(), gb.clone()));
                let members = self.members(path, ga, gb);
                self.above[0].pop();
                self.above[1].pop();
                members
            }
            (Node::List(la), Node::List(lb)) if la.is_records() => {
                self.records(path, la, lb)?;
                self.attributes(path, a, b)
            }
            (Node::List(la), Node::List(lb)) => {
                self.attributes(path, a, b)?;
                self.elements(path, la, lb)
            }
            (Node::Leaf(la), Node::Leaf(lb)) => {
                self.leaves(path, la, lb)?;
                self.attributes(path, a, b)
            }
            (Node::None(_), Node::None(_)) | (Node::Other(..), Node::Other(..)) => {
                self.attributes(path, a, b)
            }
            _ => Ok(()), // dangling links, cycles: equal kinds are equal
        }
    }

    /// The members of two groups: A's in order, then those only in B.
    fn members(&mut self, path: &str, a: &QGroup, b: &QGroup) -> Result<()> {
        let names_a = a.names()?;
        let names_b = b.names()?;
        let in_a: HashSet<&str> = names_a.iter().map(String::as_str).collect();
        let in_b: HashSet<&str> = names_b.iter().map(String::as_str).collect();
        for name in &names_a {
            if self.stopped() {
                return Ok(());
            }
            let p = child(path, name);
            if !in_b.contains(name.as_str()) {
                self.note(&p, Change::Missing(Side::A));
                continue;
            }
            let na = member(a, name, &self.above[0])?;
            let nb = member(b, name, &self.above[1])?;
            self.compare(&p, &na, &nb)?;
        }
        for name in names_b.iter().filter(|n| !in_a.contains(n.as_str())) {
            if self.stopped() {
                return Ok(());
            }
            self.note(&child(path, name), Change::Missing(Side::B));
        }
        Ok(())
    }

    /// The elements of two lists: the lengths, then the elements both hold.
    fn elements(&mut self, path: &str, a: &QList, b: &QList) -> Result<()> {
        let (na, nb) = (a.len()?, b.len()?);
        if na != nb {
            self.note(path, Change::Length { a: na, b: nb });
        }
        let (a, b) = (a.clone(), b.clone());
        a.set_auto(Auto::Off);
        b.set_auto(Auto::Off);
        for i in 0..na.min(nb) {
            if self.stopped() {
                return Ok(());
            }
            let p = format!("{path}[{i}]");
            let ea = element(&a, i, &self.above[0])?;
            let eb = element(&b, i, &self.above[1])?;
            self.compare(&p, &ea, &eb)?;
        }
        Ok(())
    }

    /// Two record variables: dtype, record shape, record count, then the
    /// records both hold.
    fn records(&mut self, path: &str, a: &QList, b: &QList) -> Result<()> {
        let (la, lb) = (a.as_array()?, b.as_array()?);
        let (da, sa) = (la.dtype()?, la.shape()?);
        let (db, sb) = (lb.dtype()?, lb.shape()?);
        if da != db {
            self.note(path, Change::DType { a: da, b: db });
        }
        let (ra, rb) = (
            sa.first().copied().unwrap_or(0),
            sb.first().copied().unwrap_or(0),
        );
        let (reca, recb) = (sa.get(1..).unwrap_or(&[]), sb.get(1..).unwrap_or(&[]));
        if reca != recb {
            self.note(
                path,
                Change::Shape {
                    a: reca.to_vec(),
                    b: recb.to_vec(),
                },
            );
        }
        if ra != rb {
            self.note(path, Change::Records { a: ra, b: rb });
        }
        if reca == recb && values::comparable(da, db) {
            let mut shape = sa.clone();
            shape[0] = ra.min(rb);
            self.values(path, &la, &lb, &shape, (da, db))?;
        }
        Ok(())
    }

    /// Two leaves: dtype, shape, then the values.
    fn leaves(&mut self, path: &str, a: &QLeaf, b: &QLeaf) -> Result<()> {
        let (da, sa) = (a.dtype()?, a.shape()?);
        let (db, sb) = (b.dtype()?, b.shape()?);
        if da != db {
            self.note(path, Change::DType { a: da, b: db });
        }
        if sa != sb {
            self.note(path, Change::Shape { a: sa, b: sb });
            return Ok(());
        }
        if values::comparable(da, db) {
            self.values(path, a, b, &sa, (da, db))?;
        }
        Ok(())
    }

    /// Compare the part `shape` (from the origin) of leaves `a` and `b`,
    /// block by block.
    fn values(
        &mut self,
        path: &str,
        a: &QLeaf,
        b: &QLeaf,
        shape: &[usize],
        dtypes: (DType, DType),
    ) -> Result<()> {
        let elem = values::elem_bytes(dtypes.0).max(values::elem_bytes(dtypes.1));
        let plan = values::Plan::new(shape, elem, self.differ.block_bytes);
        let mut acc = values::Acc::new(plan.total());
        let tol = self.differ.tol;
        for (sel, offset, count) in plan.blocks() {
            let xa: Array = read_block(a, &sel)?;
            let xb: Array = read_block(b, &sel)?;
            let block = Block {
                a: &xa,
                b: &xb,
                offset,
            };
            acc.add(&block, &tol, path, &a.file_path())?;
            self.done += count * values::elem_bytes(dtypes.0) as u64;
            let (done, total) = (self.done, self.total);
            if let Some(f) = self.differ.progress.as_mut() {
                f(done, total.max(done));
            }
            if self.differ.first_only && acc.differs() {
                break;
            }
        }
        if let Some(v) = acc.finish(shape) {
            self.note(path, Change::Values(v));
        }
        Ok(())
    }

    /// The attributes of two items, by name (those beginning `__` left
    /// out): A's in order, then those only in B.
    fn attributes(&mut self, path: &str, a: &Node, b: &Node) -> Result<()> {
        let (Some(qa), Some(qb)) = (a.attrs(), b.attrs()) else {
            return Ok(());
        };
        let ia = stored(&qa)?;
        let ib = stored(&qb)?;
        let tol = self.differ.tol;
        for (name, va) in &ia {
            match ib.iter().find(|(n, _)| n == name) {
                None => self.note(
                    path,
                    Change::Attr {
                        name: name.clone(),
                        a: Some(va.clone()),
                        b: None,
                    },
                ),
                Some((_, vb)) => {
                    if !values::attr_equal(va, vb, &tol) {
                        self.note(
                            path,
                            Change::Attr {
                                name: name.clone(),
                                a: Some(va.clone()),
                                b: Some(vb.clone()),
                            },
                        );
                    }
                }
            }
        }
        for (name, vb) in &ib {
            if !ia.iter().any(|(n, _)| n == name) {
                self.note(
                    path,
                    Change::Attr {
                        name: name.clone(),
                        a: None,
                        b: Some(vb.clone()),
                    },
                );
            }
        }
        Ok(())
    }
}

fn read_block(leaf: &QLeaf, sel: &Selection) -> Result<Array> {
    leaf.read_part::<Array>(sel.clone())
}

/// The stored attributes of an item but qnd's own (`__...`).
fn stored(attrs: &QAttrs) -> Result<Vec<(String, Array)>> {
    Ok(attrs
        .items()?
        .into_iter()
        .filter(|(n, _)| !n.starts_with("__"))
        .collect())
}

/// The node of a handle or value got with auto-read off.
fn node_of(item: Item, attrs: impl FnOnce() -> Option<QAttrs>, above: &[(String, QGroup)]) -> Node {
    match item {
        Item::Group(g) => match above.iter().find(|(_, up)| up.is_same(&g)) {
            Some((at, _)) => Node::Cycle(at.clone()),
            None => Node::Group(g),
        },
        Item::List(l) => {
            l.set_auto(Auto::Off);
            Node::List(l)
        }
        Item::Leaf(l) => Node::Leaf(l),
        // Auto-read off reads nothing but None (an element or member
        // that holds no data).
        Item::Value(_, _) => Node::None(attrs()),
    }
}

/// Member `name` of `g`.
fn member(g: &QGroup, name: &str, above: &[(String, QGroup)]) -> Result<Node> {
    match g.item(name) {
        Ok(item) => Ok(node_of(item, || g.attrs(name).ok(), above)),
        Err(Error::Dangling { .. }) => Ok(Node::Dangling(link_text(g, name)?)),
        Err(Error::Unreadable { what, .. }) => Ok(Node::Other(what, g.attrs(name).ok())),
        Err(e) => Err(e),
    }
}

/// Element `i` of list `l`.
fn element(l: &QList, i: usize, above: &[(String, QGroup)]) -> Result<Node> {
    let i = isize::try_from(i).unwrap_or(isize::MAX);
    match l.get(i) {
        Ok(item) => Ok(node_of(item, || None, above)),
        Err(Error::Unreadable { what, .. }) => Ok(Node::Other(what, None)),
        Err(e) => Err(e),
    }
}

/// Where the link `name` of `g` points, as `qnd ls` shows it.
fn link_text(g: &QGroup, name: &str) -> Result<String> {
    Ok(match g.link_info(name)? {
        Some(LinkTarget::Soft(p)) => p,
        Some(LinkTarget::External { file, path }) => format!("{}:{path}", file.display()),
        _ => name.to_string(),
    })
}

/// Item `path` of the tree under `root` (`/g/x`, `l[2]/q`, `time[-1]`:
/// element or record `i` of a list or record variable, negative from the
/// end; a member whose name holds brackets wins over indexing), and its
/// path spelled out; `None` when there is none.
fn lookup(root: &QGroup, path: &str) -> Result<Option<(String, Node)>> {
    let mut node = Node::Group(root.clone());
    let mut full = String::from("/");
    for part in path.split('/').filter(|p| !p.is_empty()) {
        let Node::Group(g) = &node else {
            return Ok(None);
        };
        let (name, indices) = if g.contains(part)? {
            (part, Vec::new())
        } else {
            split_indices(part).ok_or_else(|| Error::Invalid {
                file: root.file_path(),
                path: path.to_string(),
                reason: format!("bad index in {part:?} (say name[i], i a whole number)"),
            })?
        };
        node = match member(g, name, &[]) {
            Ok(n) => n,
            Err(Error::NoItem { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        full = child(&full, name);
        for i in indices {
            let Node::List(l) = &node else {
                return Ok(None);
            };
            let n = l.len()?;
            let at = if i < 0 {
                i.checked_add_unsigned(n)
            } else {
                Some(i)
            };
            let Some(at) = at.and_then(|a| usize::try_from(a).ok()).filter(|&a| a < n) else {
                return Ok(None);
            };
            node = element(l, at, &[])?;
            full = format!("{full}[{at}]");
        }
    }
    Ok(Some((full, node)))
}

/// `name[1][-2]` into `name` and `[1, -2]`; `None` when malformed.
fn split_indices(part: &str) -> Option<(&str, Vec<isize>)> {
    let Some(open) = part.find('[') else {
        return Some((part, Vec::new()));
    };
    let (name, mut rest) = part.split_at(open);
    let mut indices = Vec::new();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        indices.push(inner[..close].trim().parse().ok()?);
        rest = &inner[close + 1..];
    }
    if name.is_empty() {
        return None;
    }
    Some((name, indices))
}

/// The bytes of the leaves and record variables under `node` (text: 16 a
/// element), for a progress total.
fn data_bytes(node: &Node, above: &mut Vec<QGroup>) -> Result<u64> {
    Ok(match node {
        Node::Group(g) => {
            if above.iter().any(|up| up.is_same(g)) {
                return Ok(0);
            }
            above.push(g.clone());
            let mut sum = 0u64;
            for name in g.names()? {
                match member(g, &name, &[]) {
                    Ok(child) => sum = sum.saturating_add(data_bytes(&child, above)?),
                    Err(_) => continue, // reported (or failed) by the walk itself
                }
            }
            above.pop();
            sum
        }
        Node::List(l) if l.is_records() => {
            let leaf = l.as_array()?;
            leaf_bytes(&leaf)?
        }
        Node::List(l) => {
            let mut sum = 0u64;
            for i in 0..l.len()? {
                let child = element(l, i, &[])?;
                sum = sum.saturating_add(data_bytes(&child, above)?);
            }
            sum
        }
        Node::Leaf(l) => leaf_bytes(l)?,
        _ => 0,
    })
}

fn leaf_bytes(l: &QLeaf) -> Result<u64> {
    let n: u64 = l.shape()?.iter().map(|&n| n as u64).product();
    Ok(n.saturating_mul(values::elem_bytes(l.dtype()?) as u64))
}
