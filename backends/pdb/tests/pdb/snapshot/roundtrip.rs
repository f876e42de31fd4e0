//! Round trips: a tree in memory, written by the snapshot writer, read
//! back, equals the source: the storage kit's read part over every dtype,
//! shape, text, None, empty arrays, groups, lists, records and attributes,
//! in both byte orders. Read back with a small parser of the tests' own
//! (`pdbparse`), until `PdbStorage::open` reads.

use crate::snapshot::pdbparse;

use std::path::Path;

use qnd_pdb::snapshot::{self, ByteOrder};
use qnd_storage::conformance::{reference_tree, run_reads, ReadMaker, ReadOnly};
use qnd_storage::{
    Array, Capabilities, Kind, LeafInfo, LeafSpec, LinkTarget, MemoryStorage, NodeId, Run, SResult,
    Storage, StorageError,
};

/// Snapshots read back by the tests' own parser.
struct Parsed(ByteOrder, tempfile::TempDir);

impl ReadMaker for Parsed {
    type Storage = ReadOnly<MemoryStorage>;
    fn snapshot(&mut self, reference: &mut MemoryStorage) -> ReadOnly<MemoryStorage> {
        let path = self.1.path().join("snap.pdb");
        snapshot::write(reference, &path, self.0).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        ReadOnly(pdbparse::to_memory(&bytes).unwrap())
    }
}

#[test]
fn reference_tree_round_trips_little_endian() {
    run_reads(&mut Parsed(ByteOrder::Little, tempfile::tempdir().unwrap()));
}

#[test]
fn reference_tree_round_trips_big_endian() {
    run_reads(&mut Parsed(ByteOrder::Big, tempfile::tempdir().unwrap()));
}

fn write_err(s: &mut MemoryStorage, path: &Path) -> StorageError {
    let e = snapshot::write(s, path, ByteOrder::Little).unwrap_err();
    assert!(!path.exists(), "nothing written for {e}");
    e
}

#[test]
fn what_pdb_cannot_hold_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no.pdb");
    let spec = LeafSpec {
        dtype: qnd_storage::DType::F64,
        shape: vec![2],
        records: false,
        text_len: 1,
    };
    type Spoil = fn(&mut MemoryStorage);
    let cases: Vec<(&str, Spoil)> = vec![
        ("no kind", |s| {
            let g = s.create_group(s.root(), "g").unwrap();
            s.create_other(g, "odd", "opaque (16 bytes)").unwrap();
        }),
        ("no links", |s| {
            s.soft_link(s.root(), "soft", "/x").unwrap();
        }),
        ("already stored under another name", |s| {
            let (x, _) = s.lookup(s.root(), "x").unwrap().unwrap();
            s.link(s.root(), "again", x).unwrap();
        }),
        ("name \"a:b\"", |s| {
            s.create_none(s.root(), "a:b").unwrap();
        }),
        ("attribute name \"u/v\"", |s| {
            s.set_attr(s.root(), "u/v", &Array::scalar(1i32)).unwrap();
        }),
        ("no elements", |s| {
            let spec = LeafSpec {
                dtype: qnd_storage::DType::I32,
                shape: vec![2, 0],
                records: true,
                text_len: 1,
            };
            s.create_leaf(s.root(), "r", &spec).unwrap();
        }),
        ("empty array's shape", |s| {
            let (x, _) = s.lookup(s.root(), "x").unwrap().unwrap();
            s.set_attr(x, "0", &Array::scalar(1i32)).unwrap();
        }),
    ];
    for (want, spoil) in cases {
        let mut s = MemoryStorage::new();
        let root = s.root();
        s.create_leaf(root, "x", &spec).unwrap();
        spoil(&mut s);
        let e = write_err(&mut s, &path);
        assert!(
            matches!(e, StorageError::Unsupported(_)) && e.to_string().contains(want),
            "{want}: {e}"
        );
    }
}

/// A storage whose reads of data fail (after the layout is made).
struct FailingReads(MemoryStorage, bool);

impl Storage for FailingReads {
    fn backend_name(&self) -> &'static str {
        "failing"
    }
    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }
    fn root(&self) -> NodeId {
        self.0.root()
    }
    fn names(&mut self, group: NodeId) -> SResult<Vec<String>> {
        self.0.names(group)
    }
    fn lookup(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, Kind)>> {
        self.0.lookup(group, name)
    }
    fn create_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.0.create_group(parent, name)
    }
    fn create_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.0.create_none(parent, name)
    }
    fn create_leaf(&mut self, parent: NodeId, name: &str, spec: &LeafSpec) -> SResult<NodeId> {
        self.0.create_leaf(parent, name, spec)
    }
    fn info(&mut self, node: NodeId) -> SResult<LeafInfo> {
        self.0.info(node)
    }
    fn read(&mut self, node: NodeId, slab: &[Run]) -> SResult<Array> {
        if self.1 {
            return Err(StorageError::library("the disk went away"));
        }
        self.0.read(node, slab)
    }
    fn write(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()> {
        self.0.write(node, slab, data)
    }
    fn append_records(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        self.0.append_records(node, records)
    }
    fn attr_names(&mut self, node: NodeId) -> SResult<Vec<String>> {
        self.0.attr_names(node)
    }
    fn get_attr(&mut self, node: NodeId, name: &str) -> SResult<Option<Array>> {
        self.0.get_attr(node, name)
    }
    fn set_attr(&mut self, node: NodeId, name: &str, value: &Array) -> SResult<()> {
        self.0.set_attr(node, name, value)
    }
    fn link_info(&mut self, group: NodeId, name: &str) -> SResult<Option<LinkTarget>> {
        self.0.link_info(group, name)
    }
    fn flush(&mut self) -> SResult<()> {
        Ok(())
    }
    fn close(&mut self) -> SResult<()> {
        Ok(())
    }
}

#[test]
fn a_failure_while_writing_removes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.pdb");
    let mut s = FailingReads(MemoryStorage::new(), false);
    let root = s.root();
    let spec = LeafSpec {
        dtype: qnd_storage::DType::F64,
        shape: vec![3],
        records: false,
        text_len: 1,
    };
    s.create_leaf(root, "x", &spec).unwrap();
    s.1 = true;
    let e = snapshot::write(&mut s, &path, ByteOrder::Little).unwrap_err();
    assert!(e.to_string().contains("the disk went away"), "{e}");
    assert!(!path.exists(), "the partial file is removed");
    // and an unwritable place is an error, not a panic
    let e = snapshot::write(
        &mut reference_tree(&Capabilities::ALL),
        &dir.path().join("no/such/dir.pdb"),
        ByteOrder::Big,
    )
    .unwrap_err();
    assert!(matches!(e, StorageError::Library(_)), "{e}");
}

#[test]
fn blanks_around_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = MemoryStorage::new();
    s.create_none(s.root(), " x").unwrap();
    let e = write_err(&mut s, &dir.path().join("blank.pdb"));
    assert!(e.to_string().contains("blanks"), "{e}");
}

#[test]
fn record_nodes_with_no_records_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zero.pdb");
    let mut s = MemoryStorage::new();
    let root = s.root();
    let spec = |dtype, shape: &[usize]| LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records: true,
        text_len: 4,
    };
    s.create_leaf(root, "none_yet", &spec(qnd_storage::DType::F64, &[2]))
        .unwrap();
    let t = s
        .create_leaf(root, "after", &spec(qnd_storage::DType::I32, &[]))
        .unwrap();
    s.append(t, &Array::scalar(5i32)).unwrap();
    snapshot::write(&mut s, &path, ByteOrder::Little).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let p = pdbparse::parse(&bytes).unwrap();
    assert_eq!(
        p.blocks,
        [
            ("none_yet".to_string(), vec![]),
            ("after".to_string(), vec![(128, 1)])
        ]
    );
    let mut opened = qnd_pdb::PdbStorage::open(&path).unwrap();
    let (id, kind) = opened.lookup(opened.root(), "none_yet").unwrap().unwrap();
    assert_eq!(kind, Kind::Records);
    assert_eq!(opened.info(id).unwrap().shape, [0, 2]);
    assert_eq!(opened.records(id).unwrap(), 0);
    let mut back = pdbparse::to_memory(&bytes).unwrap();
    let (id, kind) = back.lookup(back.root(), "none_yet").unwrap().unwrap();
    assert_eq!(kind, Kind::Records);
    assert_eq!(back.info(id).unwrap().shape, [0, 2]);
    let (id, _) = back.lookup(back.root(), "after").unwrap().unwrap();
    assert_eq!(
        back.read(id, &Run::whole(&[1])).unwrap(),
        Array::scalar(5i32).to_batch_of_one()
    );
}

/// Snapshots opened with the crate's reader.
struct Opened(ByteOrder, tempfile::TempDir, usize);

impl ReadMaker for Opened {
    type Storage = qnd_pdb::PdbStorage;
    fn snapshot(&mut self, reference: &mut MemoryStorage) -> qnd_pdb::PdbStorage {
        self.2 += 1;
        let path = self.1.path().join(format!("snap{}.pdb", self.2));
        snapshot::write(reference, &path, self.0).unwrap();
        qnd_pdb::PdbStorage::open(&path).unwrap()
    }
}

#[test]
fn reference_tree_round_trips_through_the_reader_little_endian() {
    run_reads(&mut Opened(
        ByteOrder::Little,
        tempfile::tempdir().unwrap(),
        0,
    ));
}

#[test]
fn reference_tree_round_trips_through_the_reader_big_endian() {
    run_reads(&mut Opened(ByteOrder::Big, tempfile::tempdir().unwrap(), 0));
}

#[test]
fn big_leaves_are_read_a_few_rows_at_a_time() {
    use ndarray::{ArrayD, IxDyn};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.pdb");
    let mut s = MemoryStorage::new();
    let root = s.root();
    let n = 3 * 600_000;
    let big = Array::F64(
        ArrayD::from_shape_vec(IxDyn(&[3, 600_000]), (0..n).map(|k| k as f64).collect()).unwrap(),
    );
    let spec = |records| LeafSpec {
        dtype: qnd_storage::DType::F64,
        shape: if records {
            vec![600_000]
        } else {
            vec![3, 600_000]
        },
        records,
        text_len: 1,
    };
    let leaf = s.create_leaf(root, "leaf", &spec(false)).unwrap();
    s.write(leaf, &Run::whole(&[3, 600_000]), &big).unwrap();
    let recs = s.create_leaf(root, "recs", &spec(true)).unwrap();
    s.append_records(recs, &big).unwrap();
    s.probe.log = true;
    snapshot::write(&mut s, &path, ByteOrder::Big).unwrap();
    // one row (600 000 elements) at a time: three reads of each
    assert_eq!(s.probe.reads.len(), 6, "{:?}", s.probe.reads);
    assert!(s.probe.reads.iter().all(|(_, slab)| slab[0].count == 1));
    let mut back = qnd_pdb::PdbStorage::open(&path).unwrap();
    for name in ["leaf", "recs"] {
        let (id, _) = back.lookup(back.root(), name).unwrap().unwrap();
        assert_eq!(
            back.read(id, &Run::whole(&[3, 600_000])).unwrap(),
            big,
            "{name}"
        );
    }
    // in the machine's byte order a whole leaf is read straight into its
    // output; a part of it, and records, the usual way
    let native = path.with_file_name("native.pdb");
    snapshot::write(&mut s, &native, ByteOrder::native()).unwrap();
    let mut back = qnd_pdb::PdbStorage::open(&native).unwrap();
    for name in ["leaf", "recs"] {
        let (id, _) = back.lookup(back.root(), name).unwrap().unwrap();
        assert_eq!(
            back.read(id, &Run::whole(&[3, 600_000])).unwrap(),
            big,
            "{name}"
        );
        let part = [Run::span(1, 2), Run::span(1000, 400_000)];
        let want = Array::F64(ArrayD::from_shape_fn(IxDyn(&[2, 400_000]), |i| {
            ((i[0] + 1) * 600_000 + i[1] + 1000) as f64
        }));
        assert_eq!(back.read(id, &part).unwrap(), want, "{name} part");
    }
}
