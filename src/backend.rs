//! The storage contract: the `qnd-storage` crate, re-exported.
//!
//! Only the file module's backend factory names a concrete backend:
//! everything else sees [`Storage`] and asks [`Storage::capabilities`]
//! (see also [`capabilities`](crate::capabilities), what a format holds
//! before a file is made).

pub use qnd_storage::{
    chunks, Array, Capabilities, DType, DTypeSet, Kind, LeafInfo, LeafSpec, MemoryStorage,
    NcFormat, NodeId, Probe, RecordDims, Run, SResult, Storage, StorageError, VirtualMap,
};
pub use qnd_storage::{links, LinkTarget};
