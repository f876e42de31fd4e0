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
