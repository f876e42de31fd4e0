//! The storage of a file written by several processes: every call that
//! changes the file is an action of the processes' lockstep (see
//! [`crate::parallel`]), taken only when every process takes it.

use std::path::Path;
use std::sync::Arc;

use qnd_storage::{
    Array, Capabilities, DType, Kind, LeafInfo, LeafSpec, LinkTarget, NodeId, Part, Run, SResult,
    Storage, VirtualMap,
};

use super::AnyStorage;
use crate::parallel::Lockstep;

/// A backend whose changes go through a [`Lockstep`]; reads go straight
/// through.
pub(crate) struct SyncedStorage {
    pub inner: AnyStorage,
    pub step: Arc<Lockstep>,
}

impl Storage for SyncedStorage {
    fn backend_name(&self) -> &'static str {
        self.inner.backend_name()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn root(&self) -> NodeId {
        self.inner.root()
    }
    fn names(&mut self, group: NodeId) -> SResult<Vec<String>> {
        self.inner.names(group)
    }
    fn lookup(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, Kind)>> {
        self.inner.lookup(group, name)
    }
    fn create_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        let inner = &mut self.inner;
        self.step
            .action("create_group", || inner.create_group(parent, name))
    }
    fn create_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        let inner = &mut self.inner;
        self.step
            .action("create_none", || inner.create_none(parent, name))
    }
    fn create_leaf(&mut self, parent: NodeId, name: &str, spec: &LeafSpec) -> SResult<NodeId> {
        let inner = &mut self.inner;
        self.step
            .action("create_leaf", || inner.create_leaf(parent, name, spec))
    }
    fn info(&mut self, node: NodeId) -> SResult<LeafInfo> {
        self.inner.info(node)
    }
    fn other_type(&mut self, node: NodeId) -> SResult<String> {
        self.inner.other_type(node)
    }
    fn text_width(&mut self, node: NodeId) -> SResult<Option<usize>> {
        self.inner.text_width(node)
    }
    fn records(&mut self, node: NodeId) -> SResult<usize> {
        self.inner.records(node)
    }
    fn read(&mut self, node: NodeId, slab: &[Run]) -> SResult<Array> {
        self.inner.read(node, slab)
    }
    fn write(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()> {
        let inner = &mut self.inner;
        self.step.action("write", || inner.write(node, slab, data))
    }
    fn write_part(&mut self, node: NodeId, part: &Part, data: &Array) -> SResult<()> {
        let inner = &mut self.inner;
        self.step
            .action("write_part", || inner.write_part(node, part, data))
    }
    fn append_records(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        let inner = &mut self.inner;
        self.step
            .action("append", || inner.append_records(node, records))
    }
    fn append(&mut self, node: NodeId, record: &Array) -> SResult<()> {
        let inner = &mut self.inner;
        self.step.action("append", || inner.append(node, record))
    }
    fn append_parts(&mut self, node: NodeId, part: &Part, records: &Array) -> SResult<()> {
        let inner = &mut self.inner;
        self.step
            .action("append_parts", || inner.append_parts(node, part, records))
    }
    fn attr_names(&mut self, node: NodeId) -> SResult<Vec<String>> {
        self.inner.attr_names(node)
    }
    fn get_attr(&mut self, node: NodeId, name: &str) -> SResult<Option<Array>> {
        self.inner.get_attr(node, name)
    }
    fn set_attr(&mut self, node: NodeId, name: &str, value: &Array) -> SResult<()> {
        let inner = &mut self.inner;
        self.step
            .action("set_attr", || inner.set_attr(node, name, value))
    }
    fn create_virtual(
        &mut self,
        parent: NodeId,
        name: &str,
        dtype: DType,
        shape: &[usize],
        maps: &[VirtualMap],
    ) -> SResult<NodeId> {
        let inner = &mut self.inner;
        self.step.action("create_virtual", || {
            inner.create_virtual(parent, name, dtype, shape, maps)
        })
    }
    fn remove(&mut self, parent: NodeId, name: &str) -> SResult<()> {
        let inner = &mut self.inner;
        self.step.action("remove", || inner.remove(parent, name))
    }
    fn link(&mut self, parent: NodeId, name: &str, target: NodeId) -> SResult<NodeId> {
        let inner = &mut self.inner;
        self.step
            .action("link", || inner.link(parent, name, target))
    }
    fn soft_link(&mut self, parent: NodeId, name: &str, target: &str) -> SResult<()> {
        let inner = &mut self.inner;
        self.step
            .action("soft_link", || inner.soft_link(parent, name, target))
    }
    fn external_link(
        &mut self,
        parent: NodeId,
        name: &str,
        file: &Path,
        path: &str,
    ) -> SResult<()> {
        let inner = &mut self.inner;
        self.step.action("external_link", || {
            inner.external_link(parent, name, file, path)
        })
    }
    fn link_info(&mut self, group: NodeId, name: &str) -> SResult<Option<LinkTarget>> {
        self.inner.link_info(group, name)
    }
    fn flush(&mut self) -> SResult<()> {
        let inner = &mut self.inner;
        self.step.action("flush", || inner.flush())
    }
    fn refresh(&mut self) -> SResult<()> {
        let inner = &mut self.inner;
        self.step.action("refresh", || inner.refresh())
    }
    fn close(&mut self) -> SResult<()> {
        let inner = &mut self.inner;
        self.step.action("close", || inner.close())
    }
}
