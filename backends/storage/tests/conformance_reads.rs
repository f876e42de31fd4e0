//! The read part of the conformance kit on the in-memory backend (a copy
//! of the reference, read-only), and on makers that break it.

use qnd_storage::conformance::{copy_tree, reference_tree, run_reads, ReadMaker, ReadOnly};
use qnd_storage::{Array, Capabilities, MemoryStorage, Run, Storage};

struct Memory;
impl ReadMaker for Memory {
    type Storage = ReadOnly<MemoryStorage>;
    fn snapshot(&mut self, reference: &mut MemoryStorage) -> ReadOnly<MemoryStorage> {
        ReadOnly(copy_tree(reference))
    }
}

#[test]
fn memory_reads_its_reference() {
    run_reads(&mut Memory);
}

#[test]
fn the_reference_holds_what_the_capabilities_say() {
    let mut s = reference_tree(&Capabilities::ALL);
    let root = s.root();
    let names = s.names(root).unwrap();
    for want in [
        "s_i1", "v_c16", "m_b1", "words", "empty", "nothing", "rs_str", "ra_u8", "g", "lst",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} missing");
    }
    let mut caps = Capabilities::ALL;
    caps.groups = false;
    caps.leaf_dtypes = caps.leaf_dtypes.without(&[qnd_storage::DType::C8]);
    let mut s = reference_tree(&caps);
    let names = s.names(s.root()).unwrap();
    assert!(!names.iter().any(|n| n == "g" || n == "v_c8"));
}

/// A maker whose file differs from the reference by `spoil`.
struct Spoiled(fn(&mut MemoryStorage));
impl ReadMaker for Spoiled {
    type Storage = ReadOnly<MemoryStorage>;
    fn snapshot(&mut self, reference: &mut MemoryStorage) -> ReadOnly<MemoryStorage> {
        let mut s = copy_tree(reference);
        if !s.names(s.root()).unwrap().is_empty() {
            (self.0)(&mut s);
        }
        ReadOnly(s)
    }
}

#[test]
#[should_panic(expected = "whole read of /m_f4")]
fn a_changed_element_is_found() {
    run_reads(&mut Spoiled(|s| {
        let (id, _) = s.lookup(s.root(), "m_f4").unwrap().unwrap();
        let slab = [Run::one(1), Run::one(2), Run::one(3)];
        s.write(
            id,
            &slab,
            &Array::F32(ndarray::ArrayD::from_elem(ndarray::IxDyn(&[1, 1, 1]), -9.0)),
        )
        .unwrap();
    }));
}

#[test]
#[should_panic(expected = "attribute names of /g")]
fn a_missing_attribute_is_found() {
    run_reads(&mut Spoiled(|s| {
        let (g, _) = s.lookup(s.root(), "g").unwrap().unwrap();
        s.set_attr(g, "extra", &Array::scalar(1i32)).unwrap();
    }));
}

#[test]
#[should_panic(expected = "names (and their order) of /lst")]
fn a_missing_list_element_is_found() {
    run_reads(&mut Spoiled(|s| {
        let (l, _) = s.lookup(s.root(), "lst").unwrap().unwrap();
        s.remove(l, "_3").unwrap();
    }));
}

#[test]
#[should_panic(expected = "create_group on a read-only file is refused")]
fn a_writable_file_is_found() {
    struct Writable;
    impl ReadMaker for Writable {
        type Storage = MemoryStorage;
        fn snapshot(&mut self, reference: &mut MemoryStorage) -> MemoryStorage {
            copy_tree(reference)
        }
    }
    run_reads(&mut Writable);
}

/// A read-only copy that reads every run as if it had no stride (a
/// backend getting strides wrong): whole reads and spans are right.
struct BadSlabs(ReadOnly<MemoryStorage>);

impl Storage for BadSlabs {
    fn backend_name(&self) -> &'static str {
        "bad-slabs"
    }
    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }
    fn root(&self) -> qnd_storage::NodeId {
        self.0.root()
    }
    fn names(&mut self, g: qnd_storage::NodeId) -> qnd_storage::SResult<Vec<String>> {
        self.0.names(g)
    }
    fn lookup(
        &mut self,
        g: qnd_storage::NodeId,
        name: &str,
    ) -> qnd_storage::SResult<Option<(qnd_storage::NodeId, qnd_storage::Kind)>> {
        self.0.lookup(g, name)
    }
    fn create_group(
        &mut self,
        p: qnd_storage::NodeId,
        name: &str,
    ) -> qnd_storage::SResult<qnd_storage::NodeId> {
        self.0.create_group(p, name)
    }
    fn create_none(
        &mut self,
        p: qnd_storage::NodeId,
        name: &str,
    ) -> qnd_storage::SResult<qnd_storage::NodeId> {
        self.0.create_none(p, name)
    }
    fn create_leaf(
        &mut self,
        p: qnd_storage::NodeId,
        name: &str,
        spec: &qnd_storage::LeafSpec,
    ) -> qnd_storage::SResult<qnd_storage::NodeId> {
        self.0.create_leaf(p, name, spec)
    }
    fn info(&mut self, n: qnd_storage::NodeId) -> qnd_storage::SResult<qnd_storage::LeafInfo> {
        self.0.info(n)
    }
    fn text_width(&mut self, n: qnd_storage::NodeId) -> qnd_storage::SResult<Option<usize>> {
        self.0.text_width(n)
    }
    fn read(&mut self, n: qnd_storage::NodeId, slab: &[Run]) -> qnd_storage::SResult<Array> {
        // every run read as if its step were 1
        let contiguous: Vec<Run> = slab.iter().map(|r| Run::span(r.first, r.count)).collect();
        self.0.read(n, &contiguous)
    }
    fn write(&mut self, n: qnd_storage::NodeId, s: &[Run], d: &Array) -> qnd_storage::SResult<()> {
        self.0.write(n, s, d)
    }
    fn append_records(&mut self, n: qnd_storage::NodeId, r: &Array) -> qnd_storage::SResult<()> {
        self.0.append_records(n, r)
    }
    fn attr_names(&mut self, n: qnd_storage::NodeId) -> qnd_storage::SResult<Vec<String>> {
        self.0.attr_names(n)
    }
    fn get_attr(
        &mut self,
        n: qnd_storage::NodeId,
        name: &str,
    ) -> qnd_storage::SResult<Option<Array>> {
        self.0.get_attr(n, name)
    }
    fn set_attr(
        &mut self,
        n: qnd_storage::NodeId,
        name: &str,
        v: &Array,
    ) -> qnd_storage::SResult<()> {
        self.0.set_attr(n, name, v)
    }
    fn flush(&mut self) -> qnd_storage::SResult<()> {
        Ok(())
    }
    fn close(&mut self) -> qnd_storage::SResult<()> {
        Ok(())
    }
}

#[test]
#[should_panic(expected = "partial read of /v_i1 [Run { first: 1, count: 3, step: 2 }]")]
fn wrong_partial_reads_are_found() {
    struct Maker;
    impl ReadMaker for Maker {
        type Storage = BadSlabs;
        fn snapshot(&mut self, reference: &mut MemoryStorage) -> BadSlabs {
            BadSlabs(ReadOnly(copy_tree(reference)))
        }
    }
    run_reads(&mut Maker);
}
