//! `qnd ls FILE [PATH] [-r]`: one line per member. Soft and external
//! links show where they point (`link  -> /a`, `link  -> other.h5:/x`,
//! `(dangling)` when the target is missing) and are not followed by `-r`;
//! stored references show theirs (`ref  -> data.h5#/u`); a hard link is an
//! ordinary member under each of its names. With `-r`, a group that is
//! already on the path to it (a hard link to a group that holds it: a
//! cycle, see [`QGroup::is_same`]) is listed as `(hard link to /g: not
//! followed)` and not descended into, as h5ls marks an object already
//! visited.

use std::path::PathBuf;

use qnd::{Auto, DType, Item, Kind, LinkTarget, QGroup, QLeaf, QList, Value};

use crate::cli::{self, Failure};

/// List the members of PATH (default: the root /), one line each
///
/// Each line is a member's name, its kind, and details:
///   NAME  group    N members
///   NAME  list     N elements
///   NAME  leaf     DTYPE SHAPE        e.g. f8 [2, 3]; i4 [] is a scalar
///   NAME  records  DTYPE SHAPE x N    a record variable: N records of SHAPE
///   NAME  none
///   NAME  link     -> /a              a soft or external link (not followed)
///   NAME  ref      -> data.h5#/u      a stored reference
/// For netCDF the dimension names follow: f8 [2, 3] (_2, _3), or for a
/// record variable f8 [3] x 5 (_0, _3) (_0 is the record dimension).
/// DTYPE is numpy's code: i1 i2 i4 i8 u1 u2 u4 u8 f4 f8 (the digit is the
/// size in bytes), b1 for bool, str for text. Names are padded to line up.
#[derive(clap::Args, Debug)]
#[command(
    verbatim_doc_comment,
    after_help = "\
Example:
  qnd ls run.h5                   the members of the root
  qnd ls run.h5 fields -r         everything below /fields, by full path
  qnd ls run.h5 'lst[2]/q'        member q of element 2 of list lst
  qnd ls run.nc 'time[0]'         record 0 of record variable time"
)]
pub struct LsArgs {
    /// The HDF5 or netCDF file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// A member, named from the root: g/inner, with [i] for element i of a
    /// list (lst[2]/q) or record i of a record variable (time[0]); i < 0
    /// counts from the end. A leaf lists just that leaf. Elements of a
    /// list are named [0], [1].
    #[arg(value_name = "PATH", default_value = "/")]
    pub path: String,

    /// List everything below PATH too (the members of groups and the
    /// elements of lists, not the records of record variables), each named
    /// by its full path from the root: /g, /g/inner, /lst[2]/q.
    #[arg(short, long)]
    pub recursive: bool,
}

/// An item of the tree, as far as listing it goes.
enum Node {
    Group(QGroup),
    /// A list, or a record variable (see [`QList::is_records`]).
    List(QList),
    Leaf(QLeaf),
    /// What a list element read as a value is (None).
    Value(Value),
    /// A soft or external link: where it points.
    Link(String),
    /// A stored reference (see `QGroup::set_ref`): its text.
    Ref(String),
    /// A group already on the path to it (a cycle): that group's path.
    Cycle(String),
    /// An item qnd has no kind for: its type (see `QGroup::other_type`).
    Other(String),
}

/// One line of output.
struct Row {
    name: String,
    kind: &'static str,
    details: String,
}

/// `qnd ls FILE [PATH] [-r]`.
pub fn run(args: LsArgs) -> Result<(), Failure> {
    let LsArgs {
        file,
        path,
        recursive,
    } = args;
    let root = cli::open_read(&file)?;
    root.goto_off();
    root.set_auto(Auto::Off);
    let text = listing(&root, &path, recursive)?;
    root.close()?;
    cli::print(&text)
}

/// What `qnd ls` prints for `path` in the file of `root` (goto off, auto
/// off): one line per member of a group or element of a list (with
/// `recursive`, everything below it), or the one line of anything else.
///
/// # Errors
/// [`Failure::Error`] when `path` names nothing or a member cannot be
/// listed.
pub fn listing(root: &QGroup, path: &str, recursive: bool) -> Result<String, Failure> {
    let (full, node) = resolve(root, path)?;
    let rows = match &node {
        Node::Group(_) | Node::List(_) if !is_records(&node) => {
            let mut rows = Vec::new();
            if recursive {
                let mut path = Vec::new();
                walk(&full, &node, &mut path, &mut rows)?;
            } else {
                for (label, child) in children(&node)? {
                    rows.push(row(label, &child)?);
                }
            }
            rows
        }
        _ => {
            let name = if recursive { full.clone() } else { last(&full) };
            vec![row(name, &node)?]
        }
    };
    Ok(format_rows(&rows))
}

fn is_records(node: &Node) -> bool {
    matches!(node, Node::List(l) if l.is_records())
}

/// Add a row for everything below `node` (named `path`), depth first.
/// `above` holds the groups on the path to `node` (with their names): a
/// member that is one of them (or `node` itself) is listed, not followed.
fn walk(
    path: &str,
    node: &Node,
    above: &mut Vec<(String, QGroup)>,
    rows: &mut Vec<Row>,
) -> Result<(), Failure> {
    if is_records(node) {
        return Ok(());
    }
    if let Node::Group(g) = node {
        above.push((path.to_string(), g.clone()));
    }
    let walked = walk_children(path, node, above, rows);
    if matches!(node, Node::Group(_)) {
        above.pop();
    }
    walked
}

/// [`walk`] of the children of `node`, with `node` on `above`.
fn walk_children(
    path: &str,
    node: &Node,
    above: &mut Vec<(String, QGroup)>,
    rows: &mut Vec<Row>,
) -> Result<(), Failure> {
    for (label, child) in children(node)? {
        let name = join(path, &label);
        let child = match &child {
            Node::Group(g) => match above.iter().find(|(_, a)| a.is_same(g)) {
                Some((at, _)) => Node::Cycle(at.clone()),
                None => child,
            },
            _ => child,
        };
        rows.push(row(name.clone(), &child)?);
        walk(&name, &child, above, rows)?;
    }
    Ok(())
}

/// The members of a group (by name) or elements of a list (`[i]`); nothing
/// for anything else.
fn children(node: &Node) -> Result<Vec<(String, Node)>, Failure> {
    match node {
        Node::Group(g) => g
            .names()?
            .into_iter()
            .map(|name| Ok((name.clone(), listed(g, &name)?)))
            .collect(),
        Node::List(l) if !l.is_records() => {
            let l = l.clone();
            l.set_auto(Auto::Off);
            let items = l.iter()?.enumerate();
            items
                .map(|(i, item)| Ok((format!("[{i}]"), from_item(item?))))
                .collect()
        }
        _ => Ok(Vec::new()),
    }
}

fn member(g: &QGroup, name: &str) -> Result<Node, Failure> {
    Ok(match g.kind(name)? {
        Kind::Group => Node::Group(g.group(name)?),
        Kind::List | Kind::Records => Node::List(g.list(name)?),
        Kind::Leaf => Node::Leaf(g.leaf(name)?),
        Kind::None => Node::Value(Value::None),
        Kind::Other => Node::Other(g.other_type(name)?),
    })
}

/// Member `name` of `g` as listed: a soft or external link as where it
/// points, a stored reference as its text, anything else as it is.
fn listed(g: &QGroup, name: &str) -> Result<Node, Failure> {
    let dangling = || match g.kind(name) {
        Ok(_) => "",
        Err(_) => " (dangling)",
    };
    match g.link_info(name)? {
        Some(LinkTarget::Soft(p)) => return Ok(Node::Link(format!("-> {p}{}", dangling()))),
        Some(LinkTarget::External { file, path }) => {
            let d = dangling();
            return Ok(Node::Link(format!("-> {}:{path}{d}", file.display())));
        }
        _ => {}
    }
    let node = member(g, name)?;
    if let Node::Leaf(l) = &node {
        if l.dtype()? == DType::Str && l.shape()?.is_empty() {
            if let Ok(r) = g.read_ref(name) {
                let base = g.file_path();
                return Ok(Node::Ref(format!("-> {}", r.to_text(base.parent()))));
            }
        }
    }
    Ok(node)
}

fn from_item(item: Item) -> Node {
    match item {
        Item::Group(g) => Node::Group(g),
        Item::List(l) => Node::List(l),
        Item::Leaf(l) => Node::Leaf(l),
        Item::Value(v, _) => Node::Value(v),
    }
}

/// The row of `node`.
fn row(name: String, node: &Node) -> Result<Row, Failure> {
    let (kind, details) = match node {
        Node::Group(g) => ("group", count(g.len()?, "member")),
        Node::List(l) if l.is_records() => {
            let whole = l.as_array()?;
            let shape = whole.shape()?;
            let n = shape.first().copied().unwrap_or(0);
            let record = shape.get(1..).unwrap_or(&[]);
            let dims = dim_names(&whole)?;
            (
                "records",
                format!("{} {record:?} x {n}{dims}", whole.dtype()?),
            )
        }
        Node::List(l) => ("list", count(l.len()?, "element")),
        Node::Leaf(l) => {
            let dims = dim_names(l)?;
            ("leaf", format!("{} {:?}{dims}", l.dtype()?, l.shape()?))
        }
        Node::Value(Value::None) => ("none", String::new()),
        Node::Value(Value::Array(a)) => ("leaf", format!("{} {:?}", a.dtype(), a.shape())),
        Node::Value(Value::Group(m)) => ("group", count(m.len(), "member")),
        Node::Value(Value::List(l)) => ("list", count(l.len(), "element")),
        Node::Link(to) => ("link", to.clone()),
        Node::Ref(to) => ("ref", to.clone()),
        Node::Cycle(to) => ("group", format!("(hard link to {to}: not followed)")),
        Node::Other(what) => ("other", what.clone()),
    };
    Ok(Row {
        name,
        kind,
        details,
    })
}

/// The dimension names of a leaf where the format has them (netCDF), as
/// ` (_0, _3)`; empty when no dimension is named (HDF5, scalars). An
/// unnamed dimension among named ones shows as `-`.
fn dim_names(leaf: &QLeaf) -> Result<String, Failure> {
    let dims = leaf.sshape()?;
    if dims.iter().all(|d| d.name.is_none()) {
        return Ok(String::new());
    }
    let names: Vec<&str> = dims
        .iter()
        .map(|d| d.name.as_deref().unwrap_or("-"))
        .collect();
    Ok(format!(" ({})", names.join(", ")))
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The rows, names and kinds padded to line up.
fn format_rows(rows: &[Row]) -> String {
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for r in rows {
        let line = format!("{:<width$}  {:<7}  {}", r.name, r.kind, r.details);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `parent/label`, or `parent[i]` for an element label.
fn join(parent: &str, label: &str) -> String {
    if label.starts_with('[') || parent.ends_with('/') {
        format!("{parent}{label}")
    } else {
        format!("{parent}/{label}")
    }
}

/// The last component of a full path, indices included (`deep` of
/// `/g/inner/deep`, `lst[2]` of `/lst[2]`).
fn last(full: &str) -> String {
    full.rsplit('/').next().unwrap_or(full).to_string()
}

/// Follow `path` from the root: member names separated by `/`, each
/// optionally followed by `[i]` indices. Returns the full path from the
/// root and the item.
fn resolve(root: &QGroup, path: &str) -> Result<(String, Node), Failure> {
    let file = root.file_path();
    let fail = |m: String| Failure::Error(format!("{}: {m}", file.display()));
    let mut node = Node::Group(root.clone());
    let mut full = "/".to_string();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        let Node::Group(g) = &node else {
            return Err(fail(format!("{full} is {}, not a group", what(&node))));
        };
        // A member whose name has brackets in it wins over indexing.
        let (name, indices) = if g.contains(part)? {
            (part, Vec::new())
        } else {
            split_indices(part).ok_or_else(|| {
                fail(format!(
                    "bad index in {part} (say name[i], i a whole number)"
                ))
            })?
        };
        let next = member(g, name)?;
        full = join(&full, name);
        node = next;
        for i in indices {
            let Node::List(l) = &node else {
                return Err(fail(format!("{full} is {}, not a list", what(&node))));
            };
            let n = l.len()?;
            let at = if i < 0 { i + n as isize } else { i };
            if at < 0 || at as usize >= n {
                let unit = if l.is_records() { "record" } else { "element" };
                return Err(fail(format!("no item {full}[{i}] ({})", count(n, unit))));
            }
            let l = l.clone();
            l.set_auto(Auto::Off);
            node = from_item(l.get(at)?);
            full = format!("{full}[{at}]");
        }
    }
    Ok((full, node))
}

/// What `node` is, for messages.
fn what(node: &Node) -> &'static str {
    match node {
        Node::Group(_) | Node::Value(Value::Group(_)) | Node::Cycle(_) => "a group",
        Node::List(l) if l.is_records() => "a record variable",
        Node::List(_) | Node::Value(Value::List(_)) => "a list",
        Node::Leaf(_) | Node::Value(Value::Array(_)) => "a leaf",
        Node::Value(Value::None) => "None",
        Node::Link(_) => "a link",
        Node::Ref(_) => "a reference",
        Node::Other(_) => "an item qnd has no kind for",
    }
}

/// `name[1][2]` into `name` and `[1, 2]`; `None` for a malformed index.
fn split_indices(part: &str) -> Option<(&str, Vec<isize>)> {
    let Some(open) = part.find('[') else {
        return Some((part, Vec::new()));
    };
    let (name, mut rest) = part.split_at(open);
    let mut indices = Vec::new();
    while !rest.is_empty() {
        let (i, r) = rest.strip_prefix('[')?.split_once(']')?;
        indices.push(i.trim().parse::<isize>().ok()?);
        rest = r;
    }
    Some((name, indices))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices() {
        let ok = split_indices;
        assert_eq!(ok("a"), Some(("a", vec![])));
        assert_eq!(ok("lst[2][-1]"), Some(("lst", vec![2, -1])));
        assert_eq!(ok("lst[ 3 ]"), Some(("lst", vec![3])));
        assert!(split_indices("lst[x]").is_none());
        assert!(split_indices("lst[1").is_none());
        assert!(split_indices("lst[1]x").is_none());
    }

    #[test]
    fn paths() {
        assert_eq!(join("/", "g"), "/g");
        assert_eq!(join("/g", "h"), "/g/h");
        assert_eq!(join("/lst", "[2]"), "/lst[2]");
        assert_eq!(last("/g/inner/deep"), "deep");
        assert_eq!(last("/lst[2]"), "lst[2]");
        assert_eq!(last("/"), "");
    }
}
