//! Reading under the caller's lock: leaves, records, lists and groups,
//! from a node and a [`Where`] naming it (spelled out only for an error).

use indexmap::IndexMap;
use ndarray::Axis as NdAxis;

use crate::backend::{Kind, NodeId, Run, Storage};
use crate::error::{Error, Result, Where};
use crate::file::FileState;
use crate::selection::{Region, Selection};
use crate::values::{map_array, split_records, Array, DType, Value};

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
    core.lookup(id, &format!("_{i}"))
        .map_err(|e| at.storage(e))?
        .ok_or_else(|| at.no_item())
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
    let info = core.shape(id).map_err(|e| at.storage(e))?;
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
    at: &Where,
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
pub(crate) fn read_region(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    region: &Region,
) -> Result<Array> {
    let slab = slab_of(region);
    let mut a = core.storage.read(id, &slab).map_err(|e| at.storage(e))?;
    if region.has_reversal() {
        a = flip(a, region);
    }
    a.into_shape(&region.out_shape())
        .map_err(|a| at.invalid(format!("backend returned shape {:?}", a.shape())))
}

/// Read a member of kind `kind` whole. With `goto` set, a list or record
/// variable gives only that element.
pub(crate) fn read_item(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    kind: Kind,
    goto: Option<isize>,
) -> Result<Value> {
    match kind {
        Kind::None => Ok(Value::None),
        Kind::Leaf => read_leaf(core, at, id, None, &Selection::all()).map(Value::Array),
        Kind::Group => read_group(core, at, id, goto),
        Kind::Records => match goto {
            Some(r) => read_record(core, at, id, r),
            None => {
                let all = read_leaf(core, at, id, None, &Selection::all())?;
                Ok(Value::List(split_records(all)))
            }
        },
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
pub(crate) fn read_element(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    i: usize,
) -> Result<Value> {
    let here = at.record(i);
    let (eid, kind) = element(core, &here, id, i)?;
    read_item(core, &here, eid, kind, None)
}

/// Read group `id` whole; record variables inside honour `goto`.
pub(crate) fn read_group(
    core: &mut FileState,
    at: &Where,
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
