//! The storage contract (the `qnd-storage` crate, re-exported) and the
//! backends built into this build of qnd.
//!
//! Only the file module ([`open`](crate::open)) names a concrete backend:
//! everything else sees [`Storage`] and asks [`Storage::capabilities`].

pub use qnd_storage::{
    chunks, Array, Capabilities, DType, DTypeSet, Kind, LeafInfo, LeafSpec, MemoryStorage,
    NcFormat, NodeId, Probe, RecordDims, Run, SResult, Storage, StorageError, VirtualMap,
};

qnd_storage::dispatch_storage! {
    /// Every backend built into this crate, dispatched with one `match`.
    pub(crate) enum AnyStorage {
        Memory(MemoryStorage),
        #[cfg(feature = "hdf5")]
        Hdf5(qnd_hdf5::Hdf5Storage),
        #[cfg(feature = "netcdf")]
        Netcdf(qnd_netcdf::NetcdfStorage),
    }
}
