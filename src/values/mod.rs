//! Values: trees ([`Value`]) of dynamic arrays ([`Array`]) of element types
//! ([`DType`]), with conversions to and from `ndarray`, `Vec` and scalars.
//! They live in the storage contract (`qnd-storage`), at its bottom layer,
//! which knows nothing of storage: the one definition of values.

mod json;

pub use json::to_json;
pub(crate) use qnd_storage::{by_dtype, describe, map_array, split_records, with_array};
pub use qnd_storage::{
    Array, Complex, Complex32, Complex64, DType, Element, FromNumber, FromValue, Value, ValueError,
};

pub(crate) use qnd_storage::checked_len;
