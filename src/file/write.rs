//! Writing under the caller's lock: checking names and values whole
//! before anything is written, creating members, writing leaves and
//! appending records and list elements.

use std::borrow::Cow;

use super::read::{check_depth, flip, leaf_shape, list_len, slab_of};
use crate::backend::{LeafSpec, NodeId, Run, Storage};
use crate::error::{Result, Where};
use crate::file::FileState;
use crate::selection::{Region, Selection};
use crate::values::{describe, Array, DType, Value};

/// The storage spec for a leaf holding `a` (or records shaped like it).
pub(crate) fn spec_of(a: &Array, records: bool) -> LeafSpec {
    LeafSpec {
        dtype: a.dtype(),
        shape: a.shape().to_vec(),
        records,
        text_len: if records && a.dtype() == DType::Str {
            // room to grow: a record variable's width is fixed when it is
            // created (see RECORD_TEXT_WIDTH)
            text_len(a).max(RECORD_TEXT_WIDTH)
        } else {
            text_len(a)
        },
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
/// (HDF5 and netCDF names end at the first NUL) and no `[` or `]`: paths
/// (of handles, in messages) spell element `i` of list `l` (or record `i`
/// of record variable `l`) as `l[i]`, so a member named `l[1]` could not
/// be told from element 1 of `l`.
pub(crate) fn check_name(at: &Where, name: &str) -> Result<()> {
    if name.is_empty() || name.contains(['/', '\0']) || name == "." || name == ".." {
        return Err(at.invalid(format!("{name:?} is not a valid member name")));
    }
    if name.contains(['[', ']']) {
        return Err(at.invalid(format!(
            "{name:?} is not a valid member name: `[` and `]` are path syntax \
             (`l[1]` is element 1 of list `l`)"
        )));
    }
    Ok(())
}

/// True for `_` and `_0`, `_1`, ...: the names that make a group a list.
pub(crate) fn is_list_name(name: &str) -> bool {
    name.strip_prefix('_')
        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
}

/// Member `name` of `parent` does not exist yet (to be created).
pub(crate) fn check_absent(
    core: &mut FileState,
    at: &Where,
    parent: NodeId,
    name: &str,
) -> Result<()> {
    match core.lookup(parent, name).map_err(|e| at.storage(e))? {
        Some(_) => Err(at.invalid("already exists")),
        None => Ok(()),
    }
}

/// A name a user may give a member of a group: valid, and not one that
/// would make the group read back as a list.
pub(crate) fn check_group_member(at: &Where, name: &str) -> Result<()> {
    check_name(at, name)?;
    if is_list_name(name) {
        return Err(at.invalid(format!(
            "{name:?} is reserved: a group holding `_` or `_<n>` is a list on disk"
        )));
    }
    Ok(())
}

/// Text must not hold NUL: fixed-width storage would end the string there.
pub(crate) fn check_text(at: &Where, a: &Array) -> Result<()> {
    if let Array::Str(s) = a {
        if s.iter().any(|t| t.contains('\0')) {
            return Err(at.invalid("text holding a NUL character cannot be stored"));
        }
    }
    Ok(())
}

/// Check a whole value before anything is written, so that a bad name or
/// text deep inside it, or a group or list nested deeper than
/// [`MAX_DEPTH`](super::read::MAX_DEPTH) from the root (which [`build`] could not recurse into, nor
/// a read read back), leaves the file untouched.
pub(crate) fn validate(at: &Where, value: &Value) -> Result<()> {
    if matches!(value, Value::Group(_) | Value::List(_)) {
        check_depth(at)?;
    }
    match value {
        Value::None => Ok(()),
        Value::Array(a) => check_text(at, a),
        Value::Group(members) => members.iter().try_for_each(|(k, v)| {
            let here = at.member(k);
            check_group_member(&here, k)?;
            validate(&here, v)
        }),
        Value::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| validate(&at.record(i), v)),
    }
}

/// Create member `name` of group `parent` holding `value`, after checking
/// the name and the whole value.
pub(crate) fn create(
    core: &mut FileState,
    at: &Where,
    parent: NodeId,
    name: &str,
    value: &Value,
) -> Result<NodeId> {
    let here = at.member(name);
    check_group_member(&here, name)?;
    validate(&here, value)?;
    build(core, at, parent, name, value)
}

/// Create member `name` of `parent` holding a validated `value` (so
/// nested at most [`MAX_DEPTH`](super::read::MAX_DEPTH) deep: the recursion is bounded).
fn build(
    core: &mut FileState,
    at: &Where,
    parent: NodeId,
    name: &str,
    value: &Value,
) -> Result<NodeId> {
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
                let slab = Run::whole(a.shape());
                core.write(id, &slab, a, &here)?;
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
pub(crate) fn create_list(
    core: &mut FileState,
    at: &Where,
    parent: NodeId,
    name: &str,
) -> Result<NodeId> {
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

/// Append `value` as the next element of list `id`, after checking the
/// whole value; returns its index.
pub(crate) fn append_element(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    value: &Value,
) -> Result<usize> {
    // checked as element n (its depth and the path its errors name)
    let n = list_len(core, at, id)?;
    validate(&at.record(n), value)?;
    push_element(core, at, id, value)
}

fn push_element(core: &mut FileState, at: &Where, id: NodeId, value: &Value) -> Result<usize> {
    let n = list_len(core, at, id)?;
    let built = build(core, at, id, &format!("_{n}"), value);
    // Whatever happened, the length is recounted from storage next time.
    core.forget(id);
    built?;
    core.set_list_len(id, Some(n + 1));
    Ok(n)
}

/// Write `value` to `sel` of a leaf (or of record `record`); with `fill`
/// a single value fills the selection.
pub(crate) fn write_leaf(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    record: Option<usize>,
    sel: &Selection,
    value: &Value,
    fill: bool,
) -> Result<()> {
    let (a, region) = fit_leaf(core, at, id, record, sel, value, fill)?;
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
    core.write(id, &slab, &a, at)
}

/// Append one record to record node `id` after checking it fits. This is
/// the hot path of recording: no lookup, no copy of the node's shape, and
/// the record's path is only spelled out for an error.
pub(crate) fn append_record(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    value: &Value,
) -> Result<usize> {
    let (a, dtype) = record_of(core, at, id, value)?;
    let n = core.records(id).map_err(|e| at.storage(e))?;
    let here = at.record(n);
    if a.dtype() == dtype && dtype != DType::Str {
        // the hot path of recording: nothing to cast, no width to check
        core.append(id, a, &here)?;
    } else {
        let a = fit_array(core, at, id, a, dtype)?;
        core.append(id, &a, &here)?;
    }
    Ok(n)
}

// ------------------------------------------------------------ checks

/// `value` as it is written to `sel` of a leaf (or of record `record`),
/// checked whole (an array, no NUL, the selection, shape, every value
/// cast to the leaf's dtype, text no wider than stored), and the region
/// it goes to: what [`write_leaf`] writes, and what a caller checks before
/// it writes anything (`set_serde`).
pub(crate) fn fit_leaf(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    record: Option<usize>,
    sel: &Selection,
    value: &Value,
    fill: bool,
) -> Result<(Array, Region)> {
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
        .map_err(|e| at.misfit(dtype, &out, e))?;
    if a.dtype() == DType::Str {
        check_width(core, at, id, &a, false)?;
    }
    Ok((a, region))
}

/// `value` as it is appended to record node `id`, checked whole (an
/// array, no NUL, the record shape, every value cast to the record dtype,
/// text no wider than stored): what [`append_record`] appends, and what a
/// caller checks before it appends anything (`set_serde`). Borrowed when
/// no cast is needed: the hot path of recording copies nothing.
#[cfg(feature = "serde")]
pub(crate) fn fit_record<'a>(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    value: &'a Value,
) -> Result<Cow<'a, Array>> {
    let (a, dtype) = record_of(core, at, id, value)?;
    fit_array(core, at, id, a, dtype)
}

/// `value` as a record of record node `id` (an array of the record shape,
/// no NUL, of a dtype that may cast to the record dtype, which is
/// returned); its values are not checked yet ([`fit_array`]).
fn record_of<'a>(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    value: &'a Value,
) -> Result<(&'a Array, DType)> {
    let Value::Array(a) = value else {
        return Err(at.mismatch("an array record", value.describe()));
    };
    check_text(at, a)?;
    let info = core.shape(id).map_err(|e| at.storage(e))?;
    let dtype = info.dtype;
    let rec_shape = info.record_shape();
    if a.shape() != rec_shape || !a.dtype().casts_to(dtype) {
        return Err(at.mismatch(
            format!("a record of {}", describe(dtype, rec_shape)),
            describe(a.dtype(), a.shape()),
        ));
    }
    Ok((a, dtype))
}

/// Record `a` of record node `id` cast to `dtype`, every value checked,
/// text no wider than stored; borrowed when no cast is needed.
fn fit_array<'a>(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    a: &'a Array,
    dtype: DType,
) -> Result<Cow<'a, Array>> {
    let a = if a.dtype() == dtype {
        Cow::Borrowed(a)
    } else {
        a.cast_checked(dtype).map_err(|e| at.cast(e))?
    };
    if a.dtype() == DType::Str {
        check_width(core, at, id, &a, true)?;
    }
    Ok(a)
}

/// Refuse text wider than the fixed width node `id` stores (the storage
/// would refuse it too, but only as it writes): named with both widths
/// and how to get a wider one.
fn check_width(
    core: &mut FileState,
    at: &Where,
    id: NodeId,
    a: &Array,
    records: bool,
) -> Result<()> {
    let Array::Str(s) = a else {
        return Ok(());
    };
    let Some(width) = core.storage.text_width(id).map_err(|e| at.storage(e))? else {
        return Ok(());
    };
    match s.iter().map(String::len).max() {
        Some(n) if n > width => Err(at.invalid(format!(
            "text of {n} bytes does not fit the {width} bytes this {} stores per string \
             (text is never cut short; its width was set when it was created: declare a \
             wider one with declare_text)",
            if records { "record variable" } else { "leaf" }
        ))),
        _ => Ok(()),
    }
}

/// The least width in bytes of a text record variable created by
/// recording (its first record's longest string when that is longer):
/// later records may hold longer text (an enum field that changes
/// variant) up to this width. Text is stored with a fixed width on HDF5,
/// netCDF-3 and in memory (netCDF-4 strings have none); wider text is an
/// error, never cut short: declare a wider record variable with
/// `declare_text` in a recording mode.
pub(crate) const RECORD_TEXT_WIDTH: usize = 32;
