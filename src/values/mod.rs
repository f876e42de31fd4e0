//! Values: element types ([`DType`]), dynamic arrays ([`Array`]) and trees
//! ([`Value`]), with conversions to and from `ndarray`, `Vec` and scalars.

mod array;
mod dtype;
mod json;
mod value;

pub(crate) use array::{map_array, with_array};
pub use array::{Array, Element, FromNumber};
pub use dtype::DType;
pub use json::to_json;
pub(crate) use value::describe;
pub use value::{FromValue, Value, ValueError};
