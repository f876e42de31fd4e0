//! qnd
#![warn(missing_docs)]

pub mod backend;
mod error;
pub mod selection;
pub mod values;

pub use error::{BoxError, Error, Result, StorageError};
pub use selection::{Axis, Selection};
pub use values::{Array, DType, Element, FromValue, Value, ValueError};
