//! Putting in-memory arrays together and taking them apart along index
//! runs: the parts a virtual array or view reads, joined into what the
//! caller asked for, and the parts of what is written, one per source.

use ndarray::ArrayD;

use crate::backend::Run;
use crate::selection::{Region, Resolved, SelectRegion};
use crate::values::{by_dtype, with_array, Array, DType, Element};

/// `parts` (all of `dtype`) joined along `axis`: an axis they have
/// (`new` false, numpy's `concatenate`) or a new one (`new` true, numpy's
/// `stack`). `None` when they do not fit together.
fn join(dtype: DType, parts: &[Array], axis: usize, new: bool) -> Option<Array> {
    fn go<T: Element>(parts: &[Array], axis: usize, new: bool) -> Option<Array> {
        let views = parts
            .iter()
            .map(|p| T::peek(p).map(|a| a.view()))
            .collect::<Option<Vec<_>>>()?;
        let axis = ndarray::Axis(axis);
        let joined = if new {
            ndarray::stack(axis, &views)
        } else {
            ndarray::concatenate(axis, &views)
        };
        joined.ok().map(T::wrap)
    }
    by_dtype!(dtype, T => go::<T>(parts, axis, new))
}

/// `parts` (all of `dtype`) joined along their axis `axis`; `None` when
/// they do not fit together.
pub(super) fn concat(dtype: DType, parts: &[Array], axis: usize) -> Option<Array> {
    join(dtype, parts, axis, false)
}

/// `parts` (all of `dtype`, of one shape) stacked along a new axis `axis`;
/// `None` when they do not fit together.
pub(super) fn stack(dtype: DType, parts: &[Array], axis: usize) -> Option<Array> {
    join(dtype, parts, axis, true)
}

/// The number of indices of each run: the shape of the hyperslab `runs`.
pub(super) fn counts(runs: &[Run]) -> Vec<usize> {
    runs.iter().map(|r| r.count).collect()
}

/// Copy `part` into the hyperslab `runs` (forward runs, one per axis) of
/// `out`; false when the dtype or shape does not fit.
pub(super) fn assign(out: &mut Array, runs: &[Run], part: &Array) -> bool {
    fn go<T: Element>(out: &mut ArrayD<T>, runs: &[Run], part: &Array) -> bool {
        let Some(p) = T::peek(part) else {
            return false;
        };
        if p.shape() != counts(runs) {
            return false;
        }
        // nothing to copy (and `slice_info` wants runs that are not empty)
        if p.is_empty() {
            return true;
        }
        out.slice_mut(qnd_storage::slice_info(runs).as_slice())
            .assign(p);
        true
    }
    with_array!(out, o => go(o, runs, part))
}

/// The hyperslab `runs` (forward runs, one per axis) of `a`.
pub(super) fn take(a: &Array, runs: &[Run]) -> Array {
    a.select_region(&Region {
        axes: runs.iter().map(|&r| Resolved::kept(r)).collect(),
    })
}

/// The part `part` of `a` along `axis` (an index drops the axis), all of
/// every other axis.
pub(super) fn along(a: &Array, axis: usize, part: Resolved) -> Array {
    let mut region = Region::all(a.shape());
    region.axes[axis] = part;
    a.select_region(&region)
}
