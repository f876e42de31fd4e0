//! What a lazy array made of parts (a view, a stack, a layout) asks of
//! them: one shape for all, still that shape when read, reads of the shape
//! asked for; and how it names them in errors and descriptions.

use super::{mismatch, Lazy, LazyArray};
use crate::error::Result;
use crate::values::Array;

/// The parts of a view for its description: up to three, then how many
/// more.
pub(super) fn list_parts(parts: &[Lazy]) -> String {
    let mut s = parts
        .iter()
        .take(3)
        .map(LazyArray::describe)
        .collect::<Vec<_>>()
        .join(", ");
    if parts.len() > 3 {
        s.push_str(&format!(", ... ({} in all)", parts.len()));
    }
    s
}

/// Source `i`, `source`, of `whole`, for an error about it.
pub(super) fn name_source<A: LazyArray + ?Sized>(whole: &A, i: usize, source: &Lazy) -> String {
    format!("source {i} ({}) of {}", source.describe(), whole.describe())
}

/// The shape every part has: that of part 0, checked against the others.
/// `what` describes the view being made.
pub(super) fn common_shape(what: &str, parts: &[Lazy]) -> Result<Vec<usize>> {
    let Some(first) = parts.first() else {
        return Err(mismatch(what, "at least one part", "none"));
    };
    let shape = first.shape()?;
    for (i, p) in parts.iter().enumerate().skip(1) {
        let s = p.shape()?;
        if s != shape {
            return Err(mismatch(
                what,
                format!(
                    "shape {shape:?} (the shape of part 0, {})",
                    first.describe()
                ),
                format!("shape {s:?} in part {i} ({})", p.describe()),
            ));
        }
    }
    Ok(shape)
}

/// Check that part `i` of `view` still has `shape` (a leaf can be
/// replaced, a record variable can grow) before reading or writing it.
pub(super) fn check_part<V: LazyArray + ?Sized>(
    view: &V,
    i: usize,
    part: &Lazy,
    shape: &[usize],
) -> Result<()> {
    let s = part.shape()?;
    if s != shape {
        return Err(mismatch(
            view.describe(),
            format!("part {i} of shape {shape:?}"),
            format!("shape {s:?} in part {i} ({})", part.describe()),
        ));
    }
    Ok(())
}

/// Check that `a`, read from part `i` of `view`, has shape `out`.
pub(super) fn check_read<V: LazyArray + ?Sized>(
    view: &V,
    i: usize,
    part: &Lazy,
    a: &Array,
    out: &[usize],
) -> Result<()> {
    if a.shape() != out {
        return Err(mismatch(
            view.describe(),
            format!("a read of shape {out:?} from part {i}"),
            format!(
                "{} from part {i} ({})",
                crate::values::describe(a.dtype(), a.shape()),
                part.describe()
            ),
        ));
    }
    Ok(())
}
