//! # qnd: a dict/list/array view of HDF5 and netCDF files
//!
//! (guide written below)
#![warn(missing_docs)]

pub mod backend;
mod error;
pub mod selection;
pub mod state;
mod tree;
pub mod values;

pub use error::{BoxError, Error, Result, StorageError};
pub use selection::{Axis, Selection};
pub use state::{Auto, GotoIndex, Recording, State};
pub use tree::{
    memory, open, open_with, AsMode, Dim, Format, GotoIter, Item, Kind, Mode, ModeGuard,
    OpenOptions, QAttrs, QGroup, QLeaf, QList, UnknownMode,
};
pub use values::{to_json, Array, DType, Element, FromValue, Value, ValueError};
