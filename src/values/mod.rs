//! Values: element types ([`DType`]), dynamic arrays ([`Array`]) and trees
//! ([`Value`]), with conversions to and from `ndarray`, `Vec` and scalars.

mod array;
mod dtype;
mod json;
mod value;

pub(crate) use array::{by_dtype, map_array, slice_info, with_array};
pub use array::{Array, Element, FromNumber};
pub use dtype::DType;
pub use json::to_json;
pub(crate) use value::{describe, split_records};
pub use value::{FromValue, Value, ValueError};

/// The number of elements of `shape`, or `None` when it is too large to
/// hold in memory on this machine (the product overflows, or leaves no room
/// for 32 bytes per element).
pub(crate) fn checked_len(shape: &[usize]) -> Option<usize> {
    if shape.contains(&0) {
        return Some(0);
    }
    shape
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .filter(|&n| n <= isize::MAX as usize / 32)
}
