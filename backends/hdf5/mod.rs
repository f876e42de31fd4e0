//! HDF5 backend (placeholder while it is written).
use crate::backend::{LeafInfo, LeafSpec, NodeId, NodeKind, SResult, Slab, Storage};
use crate::values::Array;

/// An open HDF5 file.
pub struct Hdf5Storage {}

impl Storage for Hdf5Storage {
    fn backend_name(&self) -> &'static str {
        "hdf5"
    }
    fn root(&self) -> NodeId {
        NodeId(0)
    }
    fn names(&mut self, _g: NodeId) -> SResult<Vec<String>> {
        todo!()
    }
    fn lookup(&mut self, _g: NodeId, _n: &str) -> SResult<Option<(NodeId, NodeKind)>> {
        todo!()
    }
    fn create_group(&mut self, _p: NodeId, _n: &str) -> SResult<NodeId> {
        todo!()
    }
    fn create_none(&mut self, _p: NodeId, _n: &str) -> SResult<NodeId> {
        todo!()
    }
    fn create_leaf(&mut self, _p: NodeId, _n: &str, _s: &LeafSpec) -> SResult<NodeId> {
        todo!()
    }
    fn info(&mut self, _n: NodeId) -> SResult<LeafInfo> {
        todo!()
    }
    fn read(&mut self, _n: NodeId, _s: &[Slab]) -> SResult<Array> {
        todo!()
    }
    fn write(&mut self, _n: NodeId, _s: &[Slab], _d: &Array) -> SResult<()> {
        todo!()
    }
    fn append(&mut self, _n: NodeId, _r: &Array) -> SResult<()> {
        todo!()
    }
    fn attr_names(&mut self, _n: NodeId) -> SResult<Vec<String>> {
        todo!()
    }
    fn get_attr(&mut self, _n: NodeId, _a: &str) -> SResult<Option<Array>> {
        todo!()
    }
    fn set_attr(&mut self, _n: NodeId, _a: &str, _v: &Array) -> SResult<()> {
        todo!()
    }
    fn flush(&mut self) -> SResult<()> {
        todo!()
    }
    fn close(&mut self) -> SResult<()> {
        todo!()
    }
}
