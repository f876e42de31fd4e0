//! Operations on a locked file: creating items from values, reading items
//! into values, checked leaf reads and writes, appends.

use indexmap::IndexMap;
use ndarray::Axis as NdAxis;

use crate::backend::Kind;
use crate::file::FileState;
use crate::backend::{LeafSpec, NodeId, Run, Storage};
use crate::error::{At, Error, Result};
use crate::selection::{Region, Selection};
use crate::values::{describe, map_array, split_records, Array, DType, Value};

/// The storage spec for a leaf holding `a` (or records shaped like it).
pub(crate) fn spec_of(a: &Array, records: bool) -> LeafSpec {
    LeafSpec {
        dtype: a.dtype(),
        shape: a.shape().to_vec(),
        records,
        text_len: text_len(a),
    }
}

/// The longest string of a text array in bytes (at least 1).
fn text_len(a: &Array) -> usize {
    match a {
        Array::Str(s) => s.iter().map(String::len).max().unwrap_or(0).max(1),
        _ => 1,
    }
}

/// A member name must be a single, non-empty path component with no NUL
/// (HDF5 and netCDF names end at the first NUL).
pub(crate) fn check_name(at: &At, name: &str) -> Result<()> {
    if name.is_empty() || name.contains(['/', '\0']) || name == "." || name == ".." {
        return Err(at.invalid(format!("{name:?} is not a valid member name")));
    }
    Ok(())
}

/// True for `_` and `_0`, `_1`, ...: the names that make a group a list.
pub(crate) fn is_list_name(name: &str) -> bool {
    name.strip_prefix('_')
        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
}

/// A name a user may give a member of a group: valid, and not one that
/// would make the group read back as a list.
pub(crate) fn check_group_member(at: &At, name: &str) -> Result<()> {
    check_name(at, name)?;
    if is_list_name(name) {
        return Err(at.invalid(format!(
            "{name:?} is reserved: a group holding `_` or `_<n>` is a list on disk"
        )));
    }
    Ok(())
}

/// Text must not hold NUL: fixed-width storage would end the string there.
pub(crate) fn check_text(at: &At, a: &Array) -> Result<()> {
    if let Array::Str(s) = a {
        if s.iter().any(|t| t.contains('\0')) {
            return Err(at.invalid("text holding a NUL character cannot be stored"));
        }
    }
    Ok(())
}

/// Check a whole value before anything is written, so that a bad name or
/// text deep inside it leaves the file untouched.
pub(crate) fn validate(at: &At, value: &Value) -> Result<()> {
    match value {
        Value::None => Ok(()),
        Value::Array(a) => check_text(at, a),
        Value::Group(members) => members.iter().try_for_each(|(k, v)| {
            let here = at.member(k);
            check_group_member(&here, k)?;
            validate(&here, v)
        }),
        Value::List(items) => items.iter().enumerate().try_for_each(|(i, v)| {
            validate(&at.record(i), v)
        }),
    }
}

/// Resolve a record index (negative from the end) against `count`.
pub(crate) fn record_index(at: &At, index: isize, count: usize) -> Result<usize> {
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

/// Create member `name` of group `parent` holding `value`, after checking
/// the name and the whole value.
pub(crate) fn create(
    core: &mut FileState,
    at: &At,
    parent: NodeId,
    name: &str,
    value: &Value,
) -> Result<NodeId> {
    let here = at.member(name);
    check_group_member(&here, name)?;
    validate(&here, value)?;
    build(core, at, parent, name, value)
}

/// Create member `name` of `parent` holding a validated `value`.
fn build(core: &mut FileState, at: &At, parent: NodeId, name: &str, value: &Value) -> Result<NodeId> {
    let here = at.member(name);
    let err = |e| here.storage(e);
    match value {
        Value::None => core.storage.create_none(parent, name).map_err(err),
        Value::Array(a) => {
            let id = core
                .storage
                .create_leaf(parent, name, &spec_of(a, false))
                .map_err(err)?;
            if a.size() > 0 {
                let slab: Vec<Run> = a.shape().iter().map(|&n| Run::all(n)).collect();
                core.write(id, &slab, a).map_err(err)?;
            }
            Ok(id)
        }
        Value::Group(members) => {
            let id = core.storage.create_group(parent, name).map_err(err)?;
            core.set_list_len(id, None);
            for (k, v) in members {
                build(core, &here, id, k, v)?;
            }
            Ok(id)
        }
        Value::List(items) => {
            let id = create_list(core, &here, parent, name)?;
            for v in items {
                push_element(core, &here, id, v)?;
            }
            Ok(id)
        }
    }
}

/// Create an empty list: a group with the None marker `_`.
pub(crate) fn create_list(core: &mut FileState, at: &At, parent: NodeId, name: &str) -> Result<NodeId> {
    let id = core
        .storage
        .create_group(parent, name)
        .map_err(|e| at.storage(e))?;
    core.storage
        .create_none(id, "_")
        .map_err(|e| at.storage(e))?;
    core.set_list_len(id, Some(0));
    Ok(id)
}

/// The length of list `id`.
pub(crate) fn list_len(core: &mut FileState, at: &At, id: NodeId) -> Result<usize> {
    core.list_len(id)
        .map_err(|e| at.storage(e))?
        .ok_or_else(|| at.invalid("not a list"))
}

/// Append `value` as the next element of list `id`, after checking the
/// whole value; returns its index.
pub(crate) fn append_element(core: &mut FileState, at: &At, id: NodeId, value: &Value) -> Result<usize> {
    validate(at, value)?;
    push_element(core, at, id, value)
}

fn push_element(core: &mut FileState, at: &At, id: NodeId, value: &Value) -> Result<usize> {
    let n = list_len(core, at, id)?;
    let built = build(core, at, id, &format!("_{n}"), value);
    // Whatever happened, the length is recounted from storage next time.
    core.forget(id);
    built?;
    core.set_list_len(id, Some(n + 1));
    Ok(n)
}

/// Element `i` of list `id`: its node and kind.
pub(crate) fn element(core: &mut FileState, at: &At, id: NodeId, i: usize) -> Result<(NodeId, Kind)> {
    core.lookup(id, &format!("_{i}"))
        .map_err(|e| at.storage(e))?
        .ok_or_else(|| at.no_item())
}

/// A leaf's or record's dtype and shape (for a record, the record shape).
pub(crate) fn leaf_shape(
    core: &mut FileState,
    at: &At,
    id: NodeId,
    record: Option<usize>,
) -> Result<(DType, Vec<usize>)> {
    let info = core.shape(id).map_err(|e| at.storage(e))?;
    match record {
        None => Ok((info.dtype, info.shape.clone())),
        Some(r) => {
            record_index(at, r as isize, info.records())?;
            Ok((info.dtype, info.record_shape().to_vec()))
        }
    }
}

/// The most axes a hyperslab is built for on the stack.
const STACK_RANK: usize = 8;

/// Record `r` (negative from the end) of record node `id`, whole: the hot
/// path of reading under goto. The hyperslab is built on the stack; only
/// the array read is allocated.
pub(crate) fn read_record(core: &mut FileState, at: &At, id: NodeId, r: isize) -> Result<Value> {
    let info = core.shape(id).map_err(|e| at.storage(e))?;
    let r = record_index(at, r, info.records())?;
    let rank = info.shape.len();
    if rank > STACK_RANK {
        return read_leaf(core, &at.record(r), id, Some(r), &Selection::all()).map(Value::Array);
    }
    let mut runs = [Run::one(r); STACK_RANK];
    let mut dims = [0usize; STACK_RANK];
    for (k, &n) in info.record_shape().iter().enumerate() {
        runs[k + 1] = Run::all(n);
        dims[k] = n;
    }
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
    at: &At,
    id: NodeId,
    record: Option<usize>,
    sel: &Selection,
) -> Result<Array> {
    let (_, shape) = leaf_shape(core, at, id, record)?;
    let region = sel.resolve(&shape).map_err(|e| at.selection(e))?;
    let region = match record {
        Some(r) => region.with_leading_index(r),
        None => region,
    };
    read_region(core, at, id, &region)
}

/// Read a resolved region of node `id`.
pub(crate) fn read_region(core: &mut FileState, at: &At, id: NodeId, region: &Region) -> Result<Array> {
    let slab = slab_of(region);
    let mut a = core.storage.read(id, &slab).map_err(|e| at.storage(e))?;
    if region.has_reversal() {
        a = flip(a, region);
    }
    a.into_shape(&region.out_shape())
        .map_err(|a| at.invalid(format!("backend returned shape {:?}", a.shape())))
}

/// Write `value` to `sel` of a leaf (or of record `record`); with `fill`
/// a single value fills the selection.
pub(crate) fn write_leaf(
    core: &mut FileState,
    at: &At,
    id: NodeId,
    record: Option<usize>,
    sel: &Selection,
    value: &Value,
    fill: bool,
) -> Result<()> {
    let Value::Array(a) = value else {
        return Err(at.mismatch("an array", value.describe()));
    };
    check_text(at, a)?;
    let (dtype, shape) = leaf_shape(core, at, id, record)?;
    let region = sel.resolve(&shape).map_err(|e| at.selection(e))?;
    let out = region.out_shape();
    // With `fill`, a single value fills the whole selection, as in numpy.
    let a = a
        .clone()
        .fit(dtype, &out, fill)
        .map_err(|a| at.misfit(dtype, &out, &a))?;
    let region = match record {
        Some(r) => region.with_leading_index(r),
        None => region,
    };
    if region.size() == 0 {
        return Ok(());
    }
    let slab_shape = region.slab_shape();
    let mut a = a.into_shape(&slab_shape).expect("same size");
    if region.has_reversal() {
        a = flip(a, &region);
    }
    let slab = slab_of(&region);
    core.write(id, &slab, &a).map_err(|e| at.storage(e))
}

/// Append one record to record node `id` after checking it fits. This is
/// the hot path of recording: no lookup, no copy of the node's shape, and
/// the record's path is only spelled out for an error.
pub(crate) fn append_record(core: &mut FileState, at: &At, id: NodeId, value: &Value) -> Result<usize> {
    let Value::Array(a) = value else {
        return Err(at.mismatch("an array record", value.describe()));
    };
    check_text(at, a)?;
    let info = core.shape(id).map_err(|e| at.storage(e))?;
    let (n, dtype) = (info.records(), info.dtype);
    let rec_shape = info.record_shape();
    if a.shape() != rec_shape || !a.dtype().widens_to(dtype) {
        return Err(at.mismatch(
            format!("a record of {}", describe(dtype, rec_shape)),
            describe(a.dtype(), a.shape()),
        ));
    }
    let pushed = if a.dtype() == dtype {
        core.append(id, a)
    } else {
        let a = a.clone().cast(dtype).map_err(|a| at.misfit(dtype, a.shape(), &a))?;
        core.append(id, &a)
    };
    pushed.map_err(|e| at.record(n).storage(e))?;
    Ok(n)
}

/// Read a member of kind `kind` whole. With `goto` set, a list or record
/// variable gives only that element.
pub(crate) fn read_item(
    core: &mut FileState,
    at: &At,
    id: NodeId,
    kind: Kind,
    goto: Option<isize>,
) -> Result<Value> {
    match kind {
        Kind::None => Ok(Value::None),
        Kind::Leaf => read_leaf(core, at, id, None, &Selection::all()).map(Value::Array),
        Kind::Group => read_group(core, at, id, goto),
        Kind::Records => {
            match goto {
                Some(r) => read_record(core, at, id, r),
                None => {
                    let all = read_leaf(core, at, id, None, &Selection::all())?;
                    Ok(Value::List(split_records(all)))
                }
            }
        }
        Kind::List => {
            let n = list_len(core, at, id)?;
            match goto {
                Some(r) => {
                    let r = record_index(at, r, n)?;
                    read_element(core, at, id, r)
                }
                None => (0..n)
                    .map(|i| read_element(core, at, id, i))
                    .collect::<Result<_>>()
                    .map(Value::List),
            }
        }
    }
}

/// Read element `i` of list `id` (lists inside lists ignore goto).
pub(crate) fn read_element(core: &mut FileState, at: &At, id: NodeId, i: usize) -> Result<Value> {
    let here = at.record(i);
    let (eid, kind) = element(core, &here, id, i)?;
    read_item(core, &here, eid, kind, None)
}

/// Read group `id` whole; record variables inside honour `goto`.
pub(crate) fn read_group(
    core: &mut FileState,
    at: &At,
    id: NodeId,
    goto: Option<isize>,
) -> Result<Value> {
    let names = core.storage.names(id).map_err(|e| at.storage(e))?;
    let mut out = IndexMap::with_capacity(names.len());
    for name in names {
        let here = at.member(&name);
        let (cid, kind) = core
            .lookup(id, &name)
            .map_err(|e| here.storage(e))?
            .ok_or_else(|| here.no_item())?;
        let v = read_item(core, &here, cid, kind, goto)?;
        out.insert(name, v);
    }
    Ok(Value::Group(out))
}

/// The ascending hyperslab a backend reads or writes for `region`.
fn slab_of(region: &Region) -> Vec<Run> {
    region.axes.iter().map(|ax| ax.ascending()).collect()
}

/// Reverse the axes that `region` walks backwards (hyperslabs are always
/// read and written ascending).
fn flip(a: Array, region: &Region) -> Array {
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
