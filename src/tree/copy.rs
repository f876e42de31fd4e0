//! Copying a tree between files: [`QGroup::copy_to`].
//!
//! Groups, leaves, None and record variables are copied through the public
//! handles. List elements are walked by node (a [`ListNode`]), so that a
//! None element, which has no handle, keeps its attributes too. Links stay
//! links where the destination has them ([`Copied`]).

use std::sync::Arc;

use qnd_storage::FastMap;

use crate::backend::LinkTarget;

use super::{child_path, elem_path, QAttrs, QGroup, QLeaf, QList};
use crate::backend::Kind;
use crate::backend::{LeafSpec, NodeId, Storage};
use crate::error::Result;
use crate::file::{read, write};
use crate::state::{Auto, Recording};
use crate::values::{Array, DType, Value};

impl QGroup {
    /// Copy every member of this group into `dst`, recursively, with every
    /// attribute (this group's own attributes go to `dst`'s own).
    ///
    /// `dst` is normally the empty root of another file
    /// ([`open`](crate::open) with mode `w`), which makes this a format
    /// conversion. What each member is survives the copy: groups stay
    /// groups, lists stay lists, record variables stay record variables
    /// (written one record at a time, so a long history is never held in
    /// memory whole), None stays None; leaves are read and written whole.
    /// Members are copied in order; goto is ignored (off) on this group,
    /// and the modes of both groups are left as they were.
    ///
    /// One thing a copy cannot keep: a record variable that is an
    /// *element* of a list becomes a list of its records (a list element
    /// cannot be declared a record variable).
    ///
    /// Links stay links where `dst`'s format has them (its
    /// [`Capabilities`](crate::Capabilities)): an object reached under two
    /// names (a hard link) is copied once and linked under the second name;
    /// soft and external links are copied as links, as stored (an external
    /// link's relative file name is then found next to the new file),
    /// dangling or not. Where `dst` has no links, each name gets a copy of
    /// what it reaches, and a dangling link is an error, as is a cycle (a
    /// group holding itself through a hard link, which only a format with
    /// hard links can hold): the copy names it and stops.
    ///
    /// ```
    /// use qnd::{Kind, Recording};
    /// let src = qnd::memory();
    /// src.set("x", vec![1.0, 2.0])?;
    /// src.set_recording(Recording::Uniform);
    /// src.set("t", 0.5)?;
    /// src.set("t", 1.0)?;
    /// let dst = qnd::memory();
    /// src.copy_to(&dst)?;
    /// assert_eq!(dst.kind("t")?, Kind::Records);
    /// src.goto_off();
    /// assert_eq!(dst.to_value()?, src.to_value()?);
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// Read errors from this group's file; write errors from `dst`'s
    /// ([`Error::ReadOnly`](crate::Error::ReadOnly),
    /// [`Error::Invalid`](crate::Error::Invalid) when a member already
    /// exists in `dst` and cannot take the copy, or for a stored attribute
    /// whose name `dst` refuses, such as `shape`);
    /// [`Error::Invalid`](crate::Error::Invalid) when `dst` is this group or
    /// lies inside it (the copy would never end), or for a cycle `dst`
    /// cannot hold. Members copied before an error stay in `dst`.
    pub fn copy_to(&self, dst: &QGroup) -> Result<()> {
        self.copy_to_with(dst, &mut |_, _| {})
    }

    /// [`QGroup::copy_to`], calling `each(dtype, shape)` after every leaf
    /// is copied, and after every record of a record variable (`shape` is
    /// then one record's), with what was copied: enough for a caller to
    /// count the work done, as a progress bar does. Attributes, groups,
    /// lists, None and links are not reported.
    ///
    /// ```
    /// let src = qnd::memory();
    /// src.set("x", vec![1.0, 2.0, 3.0])?;
    /// src.set("n", 7i32)?;
    /// let mut elements = 0;
    /// src.copy_to_with(&qnd::memory(), &mut |_dtype, shape| {
    ///     elements += shape.iter().product::<usize>()
    /// })?;
    /// assert_eq!(elements, 4);
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`QGroup::copy_to`].
    pub fn copy_to_with(&self, dst: &QGroup, each: &mut dyn FnMut(DType, &[usize])) -> Result<()> {
        self.copy_with(dst, each, None)
    }

    /// [`QGroup::copy_to_with`], except that an item qnd has no kind for
    /// ([`Kind::Other`]: a compound dataset of other fields, an opaque or
    /// vlen variable, ...), which a copy cannot read, is left out rather
    /// than an error: a member of a group is not created in `dst` (nor are
    /// its attributes), an element of a list becomes None there (so that
    /// the elements after it keep their indices). The items left out are
    /// returned, in the order met, for the caller to report (`qnd convert`
    /// warns of each). A soft or external link to one is copied as the
    /// link it is (where `dst` has links).
    ///
    /// ```
    /// use qnd::backend::{MemoryStorage, Storage};
    /// let mut m = MemoryStorage::new();
    /// let root = m.root();
    /// m.create_other(root, "table", "compound {a: i4, b: f8} [3]")?;
    /// let src = qnd::memory_from(m);
    /// src.set("x", vec![1.0, 2.0])?;
    /// let dst = qnd::memory();
    /// assert!(src.copy_to(&dst).is_err());               // copy_to stops at it
    /// let dst = qnd::memory();
    /// let left = src.copy_to_skipping(&dst, &mut |_, _| {})?;
    /// assert_eq!(left[0].path, "/table");
    /// assert_eq!(left[0].what, "compound {a: i4, b: f8} [3]");
    /// assert_eq!(dst.names()?, ["x"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`QGroup::copy_to`], but never [`Error::Unreadable`](crate::Error::Unreadable).
    pub fn copy_to_skipping(
        &self,
        dst: &QGroup,
        each: &mut dyn FnMut(DType, &[usize]),
    ) -> Result<Vec<LeftOut>> {
        let mut left_out = Vec::new();
        self.copy_with(dst, each, Some(&mut left_out))?;
        Ok(left_out)
    }

    /// [`QGroup::copy_to_with`]; items qnd has no kind for go to
    /// `left_out` when given, else are an error.
    fn copy_with(
        &self,
        dst: &QGroup,
        each: &mut dyn FnMut(DType, &[usize]),
        left_out: Option<&mut Vec<LeftOut>>,
    ) -> Result<()> {
        dst.file.collective("copy", &dst.path, &self.path, 0, || {
            if Arc::ptr_eq(&self.file.file, &dst.file.file) && inside(&dst.path, &self.path) {
                return Err(self.file.at(&dst.path).invalid(format!(
                    "cannot copy {} into itself or one of its members",
                    self.path
                )));
            }
            let mut copied = Copied {
                at: FastMap::default(),
                above: Vec::new(),
                each,
                left_out,
            };
            if dst.capabilities().hard_links {
                // a hard link back to this group is a link to its copy
                copied.at.insert(self.id, dst.path.clone());
            }
            self.copy_into(dst, &mut copied)
        })
    }

    /// [`QGroup::copy_to`], remembering in `copied` what was copied where.
    fn copy_into(&self, dst: &QGroup, copied: &mut Copied) -> Result<()> {
        self.not_above(dst, copied)?;
        copied.above.push((self.id, self.path.clone()));
        let done = self.copy_members(dst, copied);
        copied.above.pop();
        done
    }

    /// Refuse this group when it is one being copied (out of line, as
    /// [`own_attrs_and_names`]).
    #[inline(never)]
    fn not_above(&self, dst: &QGroup, copied: &Copied) -> Result<()> {
        // a group met again inside itself: with hard links in `dst` it was
        // linked before getting here; without, its copy would never end
        match copied.above.iter().find(|(id, _)| *id == self.id) {
            Some((_, first)) => Err(self.file.at(&self.path).invalid(format!(
                "is {first} (a hard link to a group that holds it): a cycle, \
                 which {} cannot hold (it has no hard links)",
                dst.file.backend
            ))),
            None => Ok(()),
        }
    }

    /// [`QGroup::copy_into`] once this group is on the path.
    fn copy_members(&self, dst: &QGroup, copied: &mut Copied) -> Result<()> {
        let src = self.push();
        src.goto_off();
        let out = dst.push();
        out.set_recording(Recording::Off);
        out.goto_off();
        for name in own_attrs_and_names(&src, &out)? {
            copy_member(&src, &out, &name, copied)?;
        }
        Ok(())
    }
}

/// Copy the attributes of group `src` to `dst`; the names of `src`'s
/// members. Out of line: the frames of a copy's recursion (one per level
/// of the tree) stay small, so that the deepest tree qnd writes
/// ([`MAX_DEPTH`](crate::MAX_DEPTH)) copies on a 2 MiB stack.
#[inline(never)]
fn own_attrs_and_names(src: &QGroup, dst: &QGroup) -> Result<Vec<String>> {
    copy_attrs(&src.attrs("")?, &dst.attrs("")?)?;
    src.names()
}

/// The objects of the source a copy has made, by node, with the path of
/// their copy: a second name of one of them (a hard link) becomes a hard
/// link to the copy. Filled only when the destination has hard links.
///
/// `above` holds the source groups being copied (the path to the member
/// being copied), with their paths: one met again is a cycle.
///
/// `each` is told of every leaf and record copied
/// ([`QGroup::copy_to_with`]); `left_out`, when given, gets the items of
/// [`Kind::Other`] met ([`QGroup::copy_to_skipping`]), which are otherwise
/// an error.
struct Copied<'a> {
    at: FastMap<NodeId, String>,
    above: Vec<(NodeId, String)>,
    each: &'a mut dyn FnMut(DType, &[usize]),
    left_out: Option<&'a mut Vec<LeftOut>>,
}

/// An item [`QGroup::copy_to_skipping`] left out: one qnd has no kind for
/// ([`Kind::Other`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOut {
    /// Its path in the source file (`/g/table`, `/lst[2]`).
    pub path: String,
    /// Its type, as [`QGroup::other_type`] says (`compound {a: i4, b: f8} [3]`).
    pub what: String,
}

impl Copied<'_> {
    /// Item `path` of `src`'s file, of type `what`, met by the copy: kept
    /// in `left_out`, or the error when there is none.
    ///
    /// # Errors
    /// [`Error::Unreadable`](crate::Error::Unreadable) without `left_out`.
    fn leave_out(&mut self, src: &QGroup, path: String, what: String) -> Result<()> {
        match self.left_out.as_deref_mut() {
            Some(list) => {
                list.push(LeftOut { path, what });
                Ok(())
            }
            None => Err(src.file.at(&path).unreadable(what)),
        }
    }

    /// Tell `each` of a leaf or record just copied, as [`dtype_shape`] gave it.
    fn report(&mut self, what: Option<(DType, Vec<usize>)>) {
        if let Some((dtype, shape)) = what {
            (self.each)(dtype, &shape);
        }
    }
}

/// The dtype and shape of `value`, to [`Copied::report`] once it is
/// copied.
fn dtype_shape(value: &Value) -> Option<(DType, Vec<usize>)> {
    match value {
        Value::Array(a) => Some((a.dtype(), a.shape().to_vec())),
        _ => None,
    }
}

/// How member `name` of `src` goes to `dst`: `(true, _)` when it was made
/// a link (a soft or external link `dst` can hold, or a second name of an
/// object already copied); `(false, node)` to copy what it reaches, `node`
/// being the source object to remember once copied (when `dst` has hard
/// links).
fn link_member(
    src: &QGroup,
    dst: &QGroup,
    name: &str,
    copied: &Copied,
) -> Result<(bool, Option<NodeId>)> {
    let caps = dst.capabilities();
    if !(caps.hard_links || caps.soft_links || caps.external_links) {
        return Ok((false, None));
    }
    match src.link_info(name)? {
        Some(LinkTarget::Soft(target)) if caps.soft_links => {
            dst.soft_link(name, &target).map(|()| (true, None))
        }
        Some(LinkTarget::External { file, path }) if caps.external_links => {
            dst.external_link(name, &file, &path).map(|()| (true, None))
        }
        Some(LinkTarget::Hard) if caps.hard_links => {
            let path = child_path(&src.path, name);
            let at = src.file.at(&path);
            let found = {
                let mut core = src.file.lock()?;
                core.lookup(src.id, name).map_err(|e| at.storage(e))?
            };
            match found {
                Some((node, _)) => match copied.at.get(&node) {
                    Some(first) => dst.link(name, first).map(|()| (true, None)),
                    None => Ok((false, Some(node))),
                },
                None => Ok((false, None)),
            }
        }
        _ => Ok((false, None)),
    }
}

/// True when group path `path` is `root` or lies inside it.
fn inside(path: &str, root: &str) -> bool {
    let root = root.trim_end_matches('/');
    path == root
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Copy member `name` of `src` (goto off) into `dst` (recording off).
fn copy_member(src: &QGroup, dst: &QGroup, name: &str, copied: &mut Copied) -> Result<()> {
    match copy_unless_group(src, dst, name, copied)? {
        // The subgroup copies its own attributes.
        Some((from, to)) => from.copy_into(&to, copied),
        None => Ok(()),
    }
}

/// [`copy_member`], except that a group to copy is only created: it is
/// returned with its copy, for the caller to copy into (out of line, as
/// [`own_attrs_and_names`]).
#[inline(never)]
fn copy_unless_group(
    src: &QGroup,
    dst: &QGroup,
    name: &str,
    copied: &mut Copied,
) -> Result<Option<(QGroup, QGroup)>> {
    let (linked, node) = link_member(src, dst, name, copied)?;
    if linked {
        return Ok(None);
    }
    let kind = src.kind(name)?;
    if kind == Kind::Other {
        let what = src.other_type(name)?;
        copied.leave_out(src, child_path(&src.path, name), what)?;
        return Ok(None);
    }
    if let Some(node) = node {
        copied.at.insert(node, child_path(&dst.path, name));
    }
    match kind {
        Kind::Group => {
            let to = dst.create_group(name)?;
            return Ok(Some((src.group(name)?, to)));
        }
        Kind::List => {
            dst.create_list(name)?;
            copy_list(
                &ListNode::member(src, name)?,
                &ListNode::member(dst, name)?,
                copied,
            )?;
        }
        Kind::Records => copy_records(&src.list(name)?, dst, name, copied)?,
        Kind::Leaf => {
            let value = src.read::<Value>(name)?;
            let done = dtype_shape(&value);
            dst.set(name, value)?;
            copied.report(done);
        }
        Kind::None => dst.set(name, Value::None)?,
        // left out above
        Kind::Other => return Ok(None),
    }
    copy_attrs(&src.attrs(name)?, &dst.attrs(name)?)?;
    Ok(None)
}

/// Copy record variable `records` into new member `name` of `dst`, one
/// record at a time.
///
/// The record node is created here rather than by setting the first record
/// in recording mode 1, because that would make text records only as wide
/// as the first one (and [`QGroup::declare`] makes them 1 byte wide): text
/// records are read twice, once to find the widest.
fn copy_records(records: &QList, dst: &QGroup, name: &str, copied: &mut Copied) -> Result<()> {
    let whole = records.as_array()?;
    let dtype = whole.dtype()?;
    let shape = whole.shape()?;
    let count = shape.first().copied().unwrap_or(0);
    let mut text_len = 1;
    if dtype == DType::Str {
        for i in 0..count {
            if let Value::Array(Array::Str(a)) = records.read::<Value>(i as isize)? {
                text_len = a.iter().map(String::len).fold(text_len, usize::max);
            }
        }
    }
    let spec = LeafSpec {
        dtype,
        shape: shape.get(1..).unwrap_or(&[]).to_vec(),
        records: true,
        text_len,
    };
    let path = child_path(&dst.path, name);
    let at = dst.file.at(&path);
    write::check_name(&at, name)?;
    let id = {
        let mut core = dst.file.lock_mut(&path)?;
        write::check_absent(&mut core, &at, dst.id, name)?;
        core.storage
            .create_leaf(dst.id, name, &spec)
            .map_err(|e| at.storage(e))?
    };
    let out = QList::new(dst.file.clone(), id, true, path, Auto::Off);
    for i in 0..count {
        let record = records.read::<Value>(i as isize)?;
        let done = dtype_shape(&record);
        out.append(record)?;
        copied.report(done);
    }
    Ok(())
}

/// A list by node: any group of its file (for the file and the modes),
/// the list's node, and its item path.
struct ListNode<'a> {
    owner: &'a QGroup,
    id: NodeId,
    path: String,
}

impl<'a> ListNode<'a> {
    /// List member `name` of `g`.
    fn member(g: &'a QGroup, name: &str) -> Result<ListNode<'a>> {
        let path = child_path(&g.path, name);
        let at = g.file.at(&path);
        let mut core = g.file.lock()?;
        let (id, _) = core
            .lookup(g.id, name)
            .map_err(|e| at.storage(e))?
            .ok_or_else(|| at.no_item())?;
        Ok(ListNode { owner: g, id, path })
    }

    fn len(&self) -> Result<usize> {
        let mut core = self.owner.file.lock()?;
        read::list_len(&mut core, &self.owner.file.at(&self.path), self.id)
    }

    /// Element `i`: its node, kind and path.
    fn element(&self, i: usize) -> Result<(NodeId, Kind, String)> {
        let path = elem_path(&self.path, i);
        let mut core = self.owner.file.lock()?;
        let (id, kind) = read::element(&mut core, &self.owner.file.at(&path), self.id, i)?;
        Ok((id, kind, path))
    }

    /// Append `value`; returns the new element's node and path.
    fn append(&self, value: &Value) -> Result<(NodeId, String)> {
        let at = self.owner.file.at(&self.path);
        let mut core = self.owner.file.lock_mut(&self.path)?;
        let i = write::append_element(&mut core, &at, self.id, value)?;
        let path = elem_path(&self.path, i);
        let (id, _) = read::element(&mut core, &self.owner.file.at(&path), self.id, i)?;
        Ok((id, path))
    }

    fn at(&self, id: NodeId, path: String) -> ListNode<'a> {
        ListNode {
            owner: self.owner,
            id,
            path,
        }
    }

    fn attrs(&self, id: NodeId, kind: Kind, path: &str) -> QAttrs {
        QAttrs::new(self.owner.file.clone(), id, kind, path.to_string())
    }
}

/// Append every element of list `src` to the (empty) list `dst`,
/// recursively, with the elements' attributes (not the list's own).
fn copy_list(src: &ListNode, dst: &ListNode, copied: &mut Copied) -> Result<()> {
    for i in 0..src.len()? {
        let (id, kind, path) = src.element(i)?;
        let (to, to_path, to_kind) = match kind {
            Kind::Group => {
                let (to, to_path) = dst.append(&Value::group())?;
                let from = src.owner.sub(id, path);
                // The element group copies its own attributes.
                if dst.owner.capabilities().hard_links {
                    // a hard link back to it is a link to its copy
                    copied.at.insert(id, to_path.clone());
                }
                from.copy_into(&dst.owner.sub(to, to_path), copied)?;
                continue;
            }
            Kind::List => {
                let (to, to_path) = dst.append(&Value::list())?;
                copy_list(
                    &src.at(id, path.clone()),
                    &dst.at(to, to_path.clone()),
                    copied,
                )?;
                (to, to_path, Kind::List)
            }
            Kind::Records => {
                let (to, to_path) = dst.append(&Value::list())?;
                let file = src.owner.file.clone();
                let records = QList::new(file, id, true, path.clone(), Auto::Off);
                let out = QList::new(
                    dst.owner.file.clone(),
                    to,
                    false,
                    to_path.clone(),
                    Auto::Off,
                );
                for r in 0..records.len()? {
                    let record = records.read::<Value>(r as isize)?;
                    let done = dtype_shape(&record);
                    out.append(record)?;
                    copied.report(done);
                }
                (to, to_path, Kind::List)
            }
            Kind::Leaf => {
                let leaf = QLeaf::new(src.owner.file.clone(), id, None, path.clone());
                let value = leaf.read::<Value>()?;
                let done = dtype_shape(&value);
                let (to, to_path) = dst.append(&value)?;
                copied.report(done);
                (to, to_path, Kind::Leaf)
            }
            Kind::None => {
                let (to, to_path) = dst.append(&Value::None)?;
                (to, to_path, Kind::None)
            }
            Kind::Other => {
                let what = {
                    let mut core = src.owner.file.lock()?;
                    read::other_type(&mut core, &src.owner.file.at(&path), id)?
                };
                copied.leave_out(src.owner, path, what)?;
                // None in its place: the elements after it keep their indices
                dst.append(&Value::None)?;
                continue;
            }
        };
        copy_attrs(
            &src.attrs(id, kind, &path),
            &dst.attrs(to, to_kind, &to_path),
        )?;
    }
    Ok(())
}

/// Set every stored attribute of `src` on `dst`.
fn copy_attrs(src: &QAttrs, dst: &QAttrs) -> Result<()> {
    for (name, value) in src.items()? {
        dst.set(&name, value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{memory, Error};
    use indexmap::IndexMap;
    use ndarray::array;

    /// The attributes of element `i` of list `name` of `g`, whatever it is.
    fn element_attrs(g: &QGroup, name: &str, i: usize) -> Result<QAttrs> {
        let list = ListNode::member(g, name)?;
        let (id, kind, path) = list.element(i)?;
        Ok(list.attrs(id, kind, &path))
    }

    /// A source with one of everything, attributes included.
    fn source() -> Result<QGroup> {
        let f = memory();
        f.set("x", array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])?;
        f.set("n", 7i32)?;
        f.set("text", vec!["a", "bb"])?;
        f.set("empty", Value::from(Vec::<f64>::new()))?;
        f.set("nothing", Value::None)?;
        let g = f.create_group("g")?;
        g.set("flags", vec![true, false])?;
        g.create_group("inner")?.set("deep", array![1u8, 2, 3])?;
        let mut q = IndexMap::new();
        q.insert("q".to_string(), Value::from(2.5));
        f.set(
            "lst",
            Value::List(vec![
                Value::from(1i64),
                Value::None,
                Value::Group(q),
                Value::List(vec![Value::from("in a list"), Value::list()]),
                Value::from(vec![7i16, 8]),
            ]),
        )?;
        {
            let f = f.push();
            f.set_recording(Recording::Uniform);
            for k in 0..4 {
                f.set("t", f64::from(k) * 0.5)?;
                f.set("u", array![k, 2 * k, 3 * k])?;
            }
            f.declare("later", DType::F32, &[2])?;
            f.set_recording(Recording::Any);
            f.set("mixed", 1i64)?;
            f.set("mixed", vec![1.0, 2.0])?;
        }
        f.goto(1);
        f.attrs("")?.set("title", "a test")?;
        f.attrs("x")?.set("units", "cm")?;
        f.attrs("t")?.set("units", "s")?;
        f.attrs("g")?.set("level", 1i64)?;
        f.attrs("g/inner")?.set("level", 2i64)?;
        f.attrs("lst")?.set("kind", "parts")?;
        f.attrs("nothing")?.set("why", "none")?;
        element_attrs(&f, "lst", 1)?.set("why", "a hole")?;
        element_attrs(&f, "lst", 2)?.set("level", 3i64)?;
        element_attrs(&f, "lst", 3)?.set("depth", 2i64)?;
        element_attrs(&f, "lst", 4)?.set("units", "m")?;
        Ok(f)
    }

    fn whole(g: &QGroup) -> Result<Value> {
        let g = g.push();
        g.goto_off();
        g.to_value()
    }

    fn attr(a: &QAttrs, name: &str) -> Result<Option<Value>> {
        Ok(a.get(name)?.map(Value::Array))
    }

    #[test]
    fn copy_equals_source() -> Result<()> {
        let src = source()?;
        let dst = memory();
        src.copy_to(&dst)?;
        assert_eq!(whole(&dst)?, whole(&src)?);
        assert_eq!(dst.names()?, src.names()?, "member order is kept");
        // The modes are as they were.
        assert_eq!(src.current_record(), Some(1));
        assert_eq!(dst.current_record(), None);
        assert_eq!(dst.recording(), Recording::Off);
        Ok(())
    }

    #[test]
    fn kinds_survive() -> Result<()> {
        let src = source()?;
        let dst = memory();
        src.copy_to(&dst)?;
        for name in src.names()? {
            assert_eq!(dst.kind(&name)?, src.kind(&name)?, "{name}");
        }
        assert_eq!(dst.kind("t")?, Kind::Records);
        assert_eq!(dst.kind("u")?, Kind::Records);
        assert_eq!(dst.kind("later")?, Kind::Records);
        let later = dst.list("later")?;
        assert_eq!(later.len()?, 0);
        assert_eq!(later.as_array()?.shape()?, vec![0, 2]);
        assert_eq!(later.as_array()?.dtype()?, DType::F32);
        assert_eq!(dst.kind("mixed")?, Kind::List);
        assert_eq!(dst.kind("lst")?, Kind::List);
        assert_eq!(dst.kind("g")?, Kind::Group);
        assert_eq!(dst.kind("g/inner")?, Kind::Group);
        assert_eq!(dst.kind("nothing")?, Kind::None);
        assert_eq!(dst.kind("empty")?, Kind::Leaf);
        assert!(dst.list("t")?.is_records());
        assert!(!dst.list("lst")?.is_records());
        assert!(!dst.list("lst")?.list(3)?.is_records());
        assert_eq!(dst.list("u")?.len()?, 4);
        // Goto on the copy works as on the source.
        dst.goto(2);
        assert_eq!(dst.read::<Vec<i32>>("u")?, vec![2, 4, 6]);
        Ok(())
    }

    #[test]
    fn attributes_survive() -> Result<()> {
        let src = source()?;
        let dst = memory();
        src.copy_to(&dst)?;
        let s = |v: &str| Some(Value::from(v));
        let i = |v: i64| Some(Value::from(v));
        assert_eq!(attr(&dst.attrs("")?, "title")?, s("a test"));
        assert_eq!(attr(&dst.attrs("x")?, "units")?, s("cm"));
        assert_eq!(attr(&dst.attrs("t")?, "units")?, s("s"));
        assert_eq!(attr(&dst.attrs("g")?, "level")?, i(1));
        assert_eq!(attr(&dst.attrs("g/inner")?, "level")?, i(2));
        assert_eq!(attr(&dst.attrs("lst")?, "kind")?, s("parts"));
        assert_eq!(attr(&dst.attrs("nothing")?, "why")?, s("none"));
        assert_eq!(attr(&element_attrs(&dst, "lst", 1)?, "why")?, s("a hole"));
        assert_eq!(attr(&element_attrs(&dst, "lst", 2)?, "level")?, i(3));
        assert_eq!(attr(&element_attrs(&dst, "lst", 3)?, "depth")?, i(2));
        assert_eq!(attr(&element_attrs(&dst, "lst", 4)?, "units")?, s("m"));
        // Nothing extra anywhere.
        assert_eq!(dst.attrs("")?.names()?, ["title"]);
        assert_eq!(dst.attrs("t")?.names()?, ["units"]);
        assert!(dst.attrs("u")?.names()?.is_empty());
        assert_eq!(dst.attrs("lst")?.names()?, ["kind"]);
        assert!(element_attrs(&dst, "lst", 0)?.names()?.is_empty());
        Ok(())
    }

    #[test]
    fn records_inside_a_list_become_a_list() -> Result<()> {
        // Only other tools write this: a list element with a record axis.
        let src = memory();
        src.create_list("l")?;
        {
            let l = ListNode::member(&src, "l")?;
            let mut core = src.file.lock_mut("/l")?;
            let spec = crate::backend::LeafSpec {
                dtype: DType::I32,
                shape: vec![2],
                records: true,
                text_len: 1,
            };
            let id = crate::backend::Storage::create_leaf(&mut core.storage, l.id, "_0", &spec)
                .map_err(|e| src.file.at("/l").storage(e))?;
            core.forget(l.id);
            drop(core);
            let r = QList::new(src.file.clone(), id, true, "/l[0]".into(), Auto::Off);
            r.append(vec![1, 2])?;
            r.append(vec![3, 4])?;
            r.attrs().set("units", "m")?;
        }
        let dst = memory();
        src.copy_to(&dst)?;
        assert_eq!(whole(&dst)?, whole(&src)?);
        let inner = dst.list("l")?.list(0)?;
        assert!(!inner.is_records());
        assert_eq!(inner.len()?, 2);
        assert_eq!(attr(&inner.attrs(), "units")?, Some(Value::from("m")));
        Ok(())
    }

    /// `copy_to_with` reports every leaf (members and list elements) and
    /// every record, with its dtype and shape, and nothing else.
    #[test]
    fn copy_reports_each_leaf_and_record() -> Result<()> {
        let src = memory();
        src.set("x", vec![1.0f64, 2.0, 3.0])?;
        src.set("nothing", Value::None)?;
        src.create_group("g")?.set("n", 7i32)?;
        src.set("lst", Value::list())?;
        src.list("lst")?.append(vec![1u8, 2])?;
        {
            let src = src.push();
            src.set_recording(Recording::Uniform);
            for t in [0.5, 1.0] {
                src.set("t", vec![t, t])?;
            }
        }
        let mut seen = Vec::new();
        src.copy_to_with(&memory(), &mut |dtype, shape| {
            seen.push((dtype, shape.to_vec()))
        })?;
        seen.sort_by_key(|(d, s)| (d.code(), s.clone()));
        assert_eq!(
            seen,
            [
                (DType::F64, vec![2]),
                (DType::F64, vec![2]),
                (DType::F64, vec![3]),
                (DType::I32, vec![]),
                (DType::U8, vec![2]),
            ]
        );
        Ok(())
    }

    #[test]
    fn copy_of_a_subgroup_and_into_a_subgroup() -> Result<()> {
        let src = source()?;
        let dst = memory();
        let to = dst.create_group("copy")?;
        src.group("g")?.copy_to(&to)?;
        assert_eq!(whole(&to)?, whole(&src.group("g")?)?);
        assert_eq!(attr(&dst.attrs("copy")?, "level")?, Some(Value::from(1i64)));
        // Within one file, to a sibling, is fine.
        let side = src.create_group("side")?;
        src.group("g")?.copy_to(&side)?;
        assert_eq!(whole(&side)?, whole(&src.group("g")?)?);
        Ok(())
    }

    #[test]
    fn copy_into_itself_is_refused() -> Result<()> {
        let src = source()?;
        let inner = src.group("g/inner")?;
        assert!(matches!(src.copy_to(&src), Err(Error::Invalid { .. })));
        assert!(matches!(src.copy_to(&inner), Err(Error::Invalid { .. })));
        let g = src.group("g")?;
        assert!(matches!(g.copy_to(&inner), Err(Error::Invalid { .. })));
        // Into a group that holds the source is fine: it ends.
        let other = memory();
        let h = other.create_group("h")?;
        h.set("y", 1i64)?;
        h.copy_to(&other)?;
        assert_eq!(other.read::<i64>("y")?, 1);
        Ok(())
    }

    #[test]
    fn empty_source_and_conflicts() -> Result<()> {
        let dst = memory();
        memory().copy_to(&dst)?;
        assert!(dst.is_empty()?);
        // A member that exists in dst and cannot take the copy.
        let src = memory();
        src.set("x", 1.0)?;
        dst.set("x", vec![1, 2])?;
        assert!(src.copy_to(&dst).is_err());
        Ok(())
    }

    #[test]
    fn paths_inside() {
        assert!(inside("/", "/"));
        assert!(inside("/g", "/g"));
        assert!(inside("/g/h", "/g"));
        assert!(inside("/g", "/"));
        assert!(inside("/l[2]/h", "/l[2]"));
        assert!(!inside("/gh", "/g"));
        assert!(!inside("/h", "/g"));
        assert!(!inside("/", "/g"));
    }
}
