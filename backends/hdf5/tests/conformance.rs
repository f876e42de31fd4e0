//! The storage conformance kit on HDF5 files, bare and behind a record
//! buffer.

use std::path::PathBuf;

use qnd_hdf5::Hdf5Storage;
use qnd_storage::conformance::{run_all, Maker};
use qnd_storage::{
    Array, Capabilities, DType, Kind, LeafInfo, LeafSpec, NodeId, RecordBuffer, Run, SResult,
    Storage, VirtualMap, DEFAULT_RECORD_BUFFER,
};

/// An HDF5 file and where it is, so that [`Maker::reopen`] opens that
/// file again, whatever other files were made since (the kit makes one to
/// learn whether the backend has files at all). Every call goes to the
/// file as it is.
struct Placed {
    file: Hdf5Storage,
    path: PathBuf,
}

impl Storage for Placed {
    fn backend_name(&self) -> &'static str {
        self.file.backend_name()
    }
    fn capabilities(&self) -> Capabilities {
        self.file.capabilities()
    }
    fn root(&self) -> NodeId {
        self.file.root()
    }
    fn names(&mut self, group: NodeId) -> SResult<Vec<String>> {
        self.file.names(group)
    }
    fn lookup(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, Kind)>> {
        self.file.lookup(group, name)
    }
    fn create_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.file.create_group(parent, name)
    }
    fn create_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.file.create_none(parent, name)
    }
    fn create_leaf(&mut self, parent: NodeId, name: &str, spec: &LeafSpec) -> SResult<NodeId> {
        self.file.create_leaf(parent, name, spec)
    }
    fn info(&mut self, node: NodeId) -> SResult<LeafInfo> {
        self.file.info(node)
    }
    fn read(&mut self, node: NodeId, slab: &[Run]) -> SResult<Array> {
        self.file.read(node, slab)
    }
    fn write(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()> {
        self.file.write(node, slab, data)
    }
    fn append_records(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        self.file.append_records(node, records)
    }
    fn append(&mut self, node: NodeId, record: &Array) -> SResult<()> {
        self.file.append(node, record)
    }
    fn attr_names(&mut self, node: NodeId) -> SResult<Vec<String>> {
        self.file.attr_names(node)
    }
    fn get_attr(&mut self, node: NodeId, name: &str) -> SResult<Option<Array>> {
        self.file.get_attr(node, name)
    }
    fn set_attr(&mut self, node: NodeId, name: &str, value: &Array) -> SResult<()> {
        self.file.set_attr(node, name, value)
    }
    fn create_virtual(
        &mut self,
        parent: NodeId,
        name: &str,
        dtype: DType,
        shape: &[usize],
        maps: &[VirtualMap],
    ) -> SResult<NodeId> {
        self.file.create_virtual(parent, name, dtype, shape, maps)
    }
    fn flush(&mut self) -> SResult<()> {
        self.file.flush()
    }
    fn close(&mut self) -> SResult<()> {
        self.file.close()
    }
}

/// New files `f0.h5`, `f1.h5`, ... in a temporary folder.
struct Files {
    dir: tempfile::TempDir,
    made: usize,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
            made: 0,
        }
    }

    fn next(&mut self) -> PathBuf {
        let path = self.dir.path().join(format!("f{}.h5", self.made));
        self.made += 1;
        path
    }
}

/// Closes `s` and opens its file again, writable.
fn again(mut s: Placed) -> Placed {
    s.close().unwrap();
    let file = Hdf5Storage::open(&s.path, true).unwrap();
    Placed { file, path: s.path }
}

impl Maker for Files {
    type Storage = Placed;
    fn create(&mut self) -> Placed {
        let path = self.next();
        let file = Hdf5Storage::create(&path).unwrap();
        Placed { file, path }
    }
    fn reopen(&mut self, s: Placed) -> Option<Placed> {
        Some(again(s))
    }
}

struct Buffered(Files);

impl Maker for Buffered {
    type Storage = RecordBuffer<Placed>;
    fn create(&mut self) -> Self::Storage {
        RecordBuffer::new(self.0.create(), DEFAULT_RECORD_BUFFER)
    }
    fn reopen(&mut self, mut s: Self::Storage) -> Option<Self::Storage> {
        let path = s.inner().path.clone();
        s.close().unwrap();
        let file = Hdf5Storage::open(&path, true).unwrap();
        Some(RecordBuffer::new(
            Placed { file, path },
            DEFAULT_RECORD_BUFFER,
        ))
    }
}

#[test]
fn hdf5() {
    run_all(&mut Files::new());
}

#[test]
fn hdf5_behind_a_record_buffer() {
    run_all(&mut Buffered(Files::new()));
}
