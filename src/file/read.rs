//! Reading under the caller's lock: leaves, records, lists and groups,
//! from a node and a [`Where`] naming it (spelled out only for an error).

use indexmap::IndexMap;
use ndarray::Axis as NdAxis;

use crate::backend::{Kind, NodeId, Run, Storage};
use crate::error::{Error, Result, Where};
use crate::file::FileState;
use crate::selection::{Region, Selection};
use crate::values::{map_array, split_records, Array, DType, Value};

/// Bytes an array of `dtype` and `shape` takes in memory (a string
/// counts its `String`, not its text), computed without overflow
/// (saturated at `u128::MAX`).
pub(crate) fn array_bytes(dtype: DType, shape: impl IntoIterator<Item = usize>) -> u128 {
    let per = match dtype {
        DType::Str => std::mem::size_of::<String>(),
        d => d.size(),
    };
    shape
        .into_iter()
        .try_fold(per as u128, |acc, n| acc.checked_mul(n as u128))
        .unwrap_or(u128::MAX)
}

/// Check that a read of `dtype` and `shape`, after `spent` bytes already
/// read by the same call, stays within the file's
/// [`max_read_bytes`](crate::OpenOptions::max_read_bytes); add it to
/// `spent`.
///
/// # Errors
/// [`Error::TooLarge`] naming `at`.
pub(crate) fn charge(
    core: &FileState,
    at: &Where,
    dtype: DType,
    shape: impl Iterator<Item = usize> + Clone,
    spent: &mut u128,
) -> Result<()> {
    // an array with a zero-length axis still may not have more elements
    // along its other axes than an address can count (ndarray's rule)
    let nonzero = shape
        .clone()
        .filter(|&n| n > 0)
        .try_fold(1usize, |acc, n| acc.checked_mul(n))
        .filter(|&n| n <= isize::MAX as usize);
    if nonzero.is_none() {
        let shape: Vec<usize> = shape.collect();
        return Err(at.invalid(format!("shape {shape:?} has too many elements")));
    }
    let total = array_bytes(dtype, shape).saturating_add(*spent);
    if total > core.max_read_bytes as u128 {
        return Err(at.too_large(total, core.max_read_bytes));
    }
    *spent = total;
    Ok(())
}

/// Resolve a record index (negative from the end) against `count`.
pub(crate) fn record_index(at: &Where, index: isize, count: usize) -> Result<usize> {
    let i = if index < 0 {
        index + count as isize
    } else {
        index
    };
    if i < 0 || i as usize >= count {
        return Err(Error::NoRecord {
            file: at.file.into(),
            path: at.path(),
            index,
            count,
        });
    }
    Ok(i as usize)
}

/// The length of list `id`.
pub(crate) fn list_len(core: &mut FileState, at: &Where, id: NodeId) -> Result<usize> {
    core.list_len(id)
        .map_err(|e| at.storage(e))?
        .ok_or_else(|| at.invalid("not a list"))
}

/// Element `i` of list `id`: its node and kind.
pub(crate) fn element(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    i: usize,
) -> Result<(NodeId, Kind)> {
    let mut buf = [0; ELEMENT_NAME];
    let found = core
        .lookup(id, element_name(&mut buf, i))
        .map_err(|e| at.storage(e))?
        .ok_or_else(|| at.no_item())?;
    if matches!(found.1, Kind::Group | Kind::List) {
        check_depth(at)?;
    }
    Ok(found)
}

/// Groups and lists nest at most this deep, counted from the root (`/g`
/// is 1 deep): deeper items are refused alike by reads, writes and serde,
/// so qnd never writes a tree it cannot read back. Whole reads and writes
/// recurse once per level; the limit keeps them within a 2 MiB thread
/// stack (a test thread's) in a debug build (measured there: whole reads
/// survive 384 levels, writes 512, [`QGroup::copy_to`](crate::QGroup::copy_to)
/// 256 but not 320; a release build's frames are several times smaller).
/// Cycles (a group holding itself through a hard link) are found as a
/// node met again on the path being read, not by this limit.
pub const MAX_DEPTH: usize = 256;

/// Refuse a group or list nested deeper than [`MAX_DEPTH`].
///
/// # Errors
/// [`Error::Invalid`] naming the item.
pub(crate) fn check_depth(at: &Where) -> Result<()> {
    if at.depth() > MAX_DEPTH {
        return Err(at.too_deep(MAX_DEPTH));
    }
    Ok(())
}

/// The groups and lists a whole read is inside, outermost first: a member
/// that is one of them is a cycle.
type Ancestors = Vec<NodeId>;

/// Refuse group or list `id` at `at` if it is one of `ancestors` (the
/// last of which holds it).
fn check_cycle(at: &Where, id: NodeId, ancestors: &Ancestors) -> Result<()> {
    match ancestors.iter().position(|&a| a == id) {
        Some(k) => Err(at.cycle(&at.up(ancestors.len() - k))),
        None => Ok(()),
    }
}

/// Room for the name of any list element: `_` and the digits of a `usize`.
const ELEMENT_NAME: usize = 1 + 20;

/// The member name of list element `i` (`_<i>`), spelled in `buf`: no
/// string is built on each read of a list under goto.
pub(crate) fn element_name(buf: &mut [u8; ELEMENT_NAME], i: usize) -> &str {
    let mut end = buf.len();
    let mut rest = i;
    loop {
        end -= 1;
        buf[end] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    end -= 1;
    buf[end] = b'_';
    // only ASCII digits and `_` were written
    std::str::from_utf8(&buf[end..]).unwrap_or_default()
}

/// A leaf's or record's dtype and shape (for a record, the record shape).
pub(crate) fn leaf_shape(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    record: Option<usize>,
) -> Result<(DType, Vec<usize>)> {
    match record {
        None => {
            let info = core.shape(id).map_err(|e| at.storage(e))?;
            let (dtype, mut shape, records) = (info.dtype, info.shape.clone(), info.records);
            if records {
                shape[0] = core.records(id).map_err(|e| at.storage(e))?;
            }
            Ok((dtype, shape))
        }
        Some(r) => {
            let count = core.records(id).map_err(|e| at.storage(e))?;
            record_index(at, r as isize, count)?;
            let info = core.shape(id).map_err(|e| at.storage(e))?;
            Ok((info.dtype, info.record_shape().to_vec()))
        }
    }
}

/// The most axes a hyperslab is built for on the stack.
const STACK_RANK: usize = 8;

/// Record `r` (negative from the end) of record node `id`, whole: the hot
/// path of reading under goto. The hyperslab is built on the stack; only
/// the array read is allocated.
pub(crate) fn read_record(core: &mut FileState, at: &Where, id: NodeId, r: isize) -> Result<Value> {
    let count = core.records(id).map_err(|e| at.storage(e))?;
    let r = record_index(at, r, count)?;
    read_record_in(core, at, id, r, &mut 0)
}

/// [`read_record`] of resolved record `r`, as part of a read that has
/// already read `spent` bytes.
fn read_record_in(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    r: usize,
    spent: &mut u128,
) -> Result<Value> {
    let info = core.shape(id).map_err(|e| at.storage(e))?;
    let rank = info.shape.len();
    if rank > STACK_RANK {
        return read_leaf_in(core, &at.record(r), id, Some(r), &Selection::all(), spent)
            .map(Value::Array);
    }
    let mut runs = [Run::one(r); STACK_RANK];
    let mut dims = [0usize; STACK_RANK];
    for (k, &n) in info.record_shape().iter().enumerate() {
        runs[k + 1] = Run::all(n);
        dims[k] = n;
    }
    let dtype = info.dtype;
    charge(
        core,
        &at.record(r),
        dtype,
        dims[..rank - 1].iter().copied(),
        spent,
    )?;
    let a = core
        .storage
        .read(id, &runs[..rank])
        .map_err(|e| at.record(r).storage(e))?;
    a.into_shape(&dims[..rank - 1])
        .map(Value::Array)
        .map_err(|a| at.invalid(format!("backend returned shape {:?}", a.shape())))
}

/// Read `sel` of a leaf (or of record `record` of a record node).
pub(crate) fn read_leaf(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    record: Option<usize>,
    sel: &Selection,
) -> Result<Array> {
    read_leaf_in(core, at, id, record, sel, &mut 0)
}

/// [`read_leaf`] as part of a read that has already read `spent` bytes.
fn read_leaf_in(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    record: Option<usize>,
    sel: &Selection,
    spent: &mut u128,
) -> Result<Array> {
    let (_, shape) = leaf_shape(core, at, id, record)?;
    let region = sel.resolve(&shape).map_err(|e| at.selection(e))?;
    let region = match record {
        Some(r) => region.with_leading_index(r),
        None => region,
    };
    read_region_in(core, at, id, &region, spent)
}

/// Read a resolved region of node `id`.
pub(crate) fn read_region(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    region: &Region,
) -> Result<Array> {
    read_region_in(core, at, id, region, &mut 0)
}

/// [`read_region`] as part of a read that has already read `spent` bytes:
/// the size is checked against the limit before anything is read.
fn read_region_in(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    region: &Region,
    spent: &mut u128,
) -> Result<Array> {
    let dtype = core.shape(id).map_err(|e| at.storage(e))?.dtype;
    let slab = slab_of(region);
    charge(core, at, dtype, slab.iter().map(|s| s.count), spent)?;
    let mut a = core.storage.read(id, &slab).map_err(|e| at.storage(e))?;
    if region.has_reversal() {
        a = flip(a, region);
    }
    a.into_shape(&region.out_shape())
        .map_err(|a| at.invalid(format!("backend returned shape {:?}", a.shape())))
}

/// Read a member of kind `kind` whole. With `goto` set, a list or record
/// variable gives only that element. Everything it reads counts towards
/// one [`max_read_bytes`](crate::OpenOptions::max_read_bytes).
pub(crate) fn read_item(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    kind: Kind,
    goto: Option<isize>,
) -> Result<Value> {
    read_item_in(core, at, id, kind, goto, &mut 0, &mut Vec::new())
}

/// [`read_item`] as part of a read that has already read `spent` bytes.
fn read_item_in(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    kind: Kind,
    goto: Option<isize>,
    spent: &mut u128,
    ancestors: &mut Ancestors,
) -> Result<Value> {
    if !matches!(kind, Kind::Group | Kind::List) {
        return read_array_item(core, at, id, kind, goto, spent);
    }
    check_depth(at)?;
    check_cycle(at, id, ancestors)?;
    ancestors.push(id);
    let v = match kind {
        Kind::Group => read_group_in(core, at, id, goto, spent, ancestors),
        _ => read_list_in(core, at, id, goto, spent, ancestors),
    };
    ancestors.pop();
    v
}

/// [`read_item_in`] of a None, leaf or record variable. Kept out of the
/// recursion of a whole read (never inlined), whose frames stay small:
/// see [`MAX_DEPTH`].
#[inline(never)]
fn read_array_item(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    kind: Kind,
    goto: Option<isize>,
    spent: &mut u128,
) -> Result<Value> {
    match kind {
        Kind::Records => match goto {
            Some(r) => {
                let count = core.records(id).map_err(|e| at.storage(e))?;
                let r = record_index(at, r, count)?;
                read_record_in(core, at, id, r, spent)
            }
            None => {
                let all = read_leaf_in(core, at, id, None, &Selection::all(), spent)?;
                Ok(Value::List(split_records(all)))
            }
        },
        Kind::Leaf => read_leaf_in(core, at, id, None, &Selection::all(), spent).map(Value::Array),
        Kind::Other => Err(unreadable(core, at, id)),
        _ => Ok(Value::None),
    }
}

/// What item `id` (of [`Kind::Other`]) is, in its format's words
/// ([`Storage::other_type`]).
///
/// # Errors
/// When the backend cannot say.
pub(crate) fn other_type(core: &mut FileState, at: &Where, id: NodeId) -> Result<String> {
    core.storage.other_type(id).map_err(|e| at.storage(e))
}

/// The [`Error::Unreadable`] of item `id` (of [`Kind::Other`]) at `at`,
/// naming its type (`unknown type` when the backend cannot say). Out of
/// line: see [`read_array_item`].
#[inline(never)]
pub(crate) fn unreadable(core: &mut FileState, at: &Where, id: NodeId) -> Error {
    let what = core
        .storage
        .other_type(id)
        .unwrap_or_else(|e| format!("unknown type ({e})"));
    at.unreadable(what)
}

/// Read list `id` whole (with `goto`, only that element).
fn read_list_in(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    goto: Option<isize>,
    spent: &mut u128,
    ancestors: &mut Ancestors,
) -> Result<Value> {
    let n = list_len(core, at, id)?;
    match goto {
        Some(r) => {
            let r = record_index(at, r, n)?;
            read_element_in(core, at, id, r, spent, ancestors)
        }
        None => {
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                out.push(read_element_in(core, at, id, i, spent, ancestors)?);
            }
            Ok(Value::List(out))
        }
    }
}

/// Read element `i` of list `id` (lists inside lists ignore goto).
pub(crate) fn read_element(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    i: usize,
) -> Result<Value> {
    read_element_in(core, at, id, i, &mut 0, &mut Vec::new())
}

/// [`read_element`] as part of a read that has already read `spent` bytes.
fn read_element_in(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    i: usize,
    spent: &mut u128,
    ancestors: &mut Ancestors,
) -> Result<Value> {
    let here = at.record(i);
    let (eid, kind) = element(core, &here, id, i)?;
    if ancestors.is_empty() {
        // an element read on its own: its list is the path's top
        ancestors.push(id);
        let v = read_item_in(core, &here, eid, kind, None, spent, ancestors);
        ancestors.pop();
        return v;
    }
    read_item_in(core, &here, eid, kind, None, spent, ancestors)
}

/// Read group `id` whole; record variables inside honour `goto`.
pub(crate) fn read_group(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    goto: Option<isize>,
) -> Result<Value> {
    read_group_in(core, at, id, goto, &mut 0, &mut vec![id])
}

/// [`read_group`] as part of a read that has already read `spent` bytes.
fn read_group_in(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    goto: Option<isize>,
    spent: &mut u128,
    ancestors: &mut Ancestors,
) -> Result<Value> {
    let names = names_of(core, at, id)?;
    let mut out = IndexMap::with_capacity(names.len());
    for name in names {
        let here = at.member(&name);
        let (cid, kind) = member_of(core, &here, id, &name)?;
        let v = read_item_in(core, &here, cid, kind, goto, spent, ancestors)?;
        out.insert(name, v);
    }
    Ok(Value::Group(out))
}

/// The member names of group `id` (out of line: see [`read_array_item`]).
#[inline(never)]
fn names_of(core: &mut FileState, at: &Where, id: NodeId) -> Result<Vec<String>> {
    core.storage.names(id).map_err(|e| at.storage(e))
}

/// Member `name` of group `id`, at `here` (out of line: see
/// [`read_array_item`]).
#[inline(never)]
fn member_of(core: &mut FileState, here: &Where, id: NodeId, name: &str) -> Result<(NodeId, Kind)> {
    core.lookup(id, name)
        .map_err(|e| here.storage(e))?
        .ok_or_else(|| here.no_item())
}

/// The ascending hyperslab a backend reads or writes for `region`.
pub(super) fn slab_of(region: &Region) -> Vec<Run> {
    region.axes.iter().map(|ax| ax.ascending()).collect()
}

/// Reverse the axes that `region` walks backwards (hyperslabs are always
/// read and written ascending).
pub(super) fn flip(a: Array, region: &Region) -> Array {
    map_array!(a, x => {
        let mut x = x;
        for (k, ax) in region.axes.iter().enumerate() {
            if ax.step < 0 {
                x.invert_axis(NdAxis(k));
            }
        }
        x.as_standard_layout().into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::element_name;

    #[test]
    fn element_names_are_spelled_as_format_does() {
        let mut buf = Default::default();
        for i in [0, 7, 10, 99, 12_345, usize::MAX] {
            assert_eq!(element_name(&mut buf, i), format!("_{i}"));
        }
    }
}
