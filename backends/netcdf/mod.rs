//! The netCDF backend (work in progress: being written now).

use std::path::Path;

use crate::backend::{LeafInfo, LeafSpec, NcFormat, NodeId, NodeKind, SResult, Slab, Storage};
use crate::error::StorageError;
use crate::values::Array;

/// A netCDF file (netCDF-4 or netCDF-3).
pub struct NetcdfStorage {
    format: NcFormat,
}

fn unfinished<T>() -> SResult<T> {
    Err(StorageError::Unsupported(
        "netCDF backend unfinished".into(),
    ))
}

impl NetcdfStorage {
    /// Create (truncate) a file of `format`.
    ///
    /// # Errors
    /// When the library cannot create it.
    pub fn create(_path: &Path, format: NcFormat) -> SResult<NetcdfStorage> {
        let _ = format;
        unfinished()
    }

    /// Open an existing file.
    ///
    /// # Errors
    /// When the library cannot open it.
    pub fn open(_path: &Path, _writable: bool) -> SResult<NetcdfStorage> {
        unfinished()
    }

    /// The file's format.
    pub fn format(&self) -> NcFormat {
        self.format
    }
}

impl Storage for NetcdfStorage {
    fn backend_name(&self) -> &'static str {
        "netcdf"
    }
    fn root(&self) -> NodeId {
        NodeId(0)
    }
    fn names(&mut self, _group: NodeId) -> SResult<Vec<String>> {
        unfinished()
    }
    fn lookup(&mut self, _group: NodeId, _name: &str) -> SResult<Option<(NodeId, NodeKind)>> {
        unfinished()
    }
    fn create_group(&mut self, _parent: NodeId, _name: &str) -> SResult<NodeId> {
        unfinished()
    }
    fn create_none(&mut self, _parent: NodeId, _name: &str) -> SResult<NodeId> {
        unfinished()
    }
    fn create_leaf(&mut self, _parent: NodeId, _name: &str, _spec: &LeafSpec) -> SResult<NodeId> {
        unfinished()
    }
    fn info(&mut self, _node: NodeId) -> SResult<LeafInfo> {
        unfinished()
    }
    fn read(&mut self, _node: NodeId, _slab: &[Slab]) -> SResult<Array> {
        unfinished()
    }
    fn write(&mut self, _node: NodeId, _slab: &[Slab], _data: &Array) -> SResult<()> {
        unfinished()
    }
    fn append(&mut self, _node: NodeId, _record: &Array) -> SResult<()> {
        unfinished()
    }
    fn attr_names(&mut self, _node: NodeId) -> SResult<Vec<String>> {
        unfinished()
    }
    fn get_attr(&mut self, _node: NodeId, _name: &str) -> SResult<Option<Array>> {
        unfinished()
    }
    fn set_attr(&mut self, _node: NodeId, _name: &str, _value: &Array) -> SResult<()> {
        unfinished()
    }
    fn flush(&mut self) -> SResult<()> {
        unfinished()
    }
    fn close(&mut self) -> SResult<()> {
        Ok(())
    }
}
