//! Damaged files opened for writing: errors, never panics; a write that
//! would land on the header or the live metadata is refused.

use proptest::prelude::*;
use qnd_pdb::PdbStorage;
use qnd_storage::{Array, DType, Kind, LeafSpec, Run, Storage};

use crate::common;

const FILES: [&str; 5] = [
    "history.pdb",
    "types.pdb",
    "tree.pdb",
    "be.pdb",
    "append.pdb",
];

/// Open `bytes` for writing and use it: write zeros to every small leaf
/// and record variable of the root, append a record, add a leaf, flush.
fn exercise(bytes: &[u8]) {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("h.pdb");
    std::fs::write(&p, bytes).unwrap();
    let Ok(mut s) = PdbStorage::open_rw(&p) else {
        assert_eq!(
            std::fs::read(&p).unwrap(),
            bytes,
            "a refused file is left alone"
        );
        return;
    };
    let root = s.root();
    for name in s.names(root).unwrap_or_default() {
        let Ok(Some((id, kind))) = s.lookup(root, &name) else {
            continue;
        };
        let Ok(info) = s.info(id) else { continue };
        if qnd_storage::checked_len(&info.shape).is_none_or(|n| n > 4096) {
            continue;
        }
        let zeros = Array::zeros(info.dtype, &info.shape);
        let _ = s.write(id, &Run::whole(&info.shape), &zeros);
        if kind == Kind::Records {
            let mut one = vec![1];
            one.extend_from_slice(info.record_shape());
            let _ = s.append_records(id, &Array::zeros(info.dtype, &one));
        }
    }
    let spec = LeafSpec {
        dtype: DType::F64,
        shape: vec![2],
        records: false,
        text_len: 1,
    };
    let _ = s.create_leaf(root, "added", &spec);
    let _ = s.close();
    // whatever was written, the header is still a PDB-II header
    let after = std::fs::read(&p).unwrap();
    assert_eq!(&after[..13], &bytes[..13]);
}

#[test]
fn a_leaf_pointing_into_the_metadata_is_not_written() {
    let Some(dir) = common::fixtures() else {
        return;
    };
    let mut b = std::fs::read(dir.join("history.pdb")).unwrap();
    // nx (an int at 128) moved onto the chart, at 485
    let text = b"nx\x01integer\x011\x01128\x01\n";
    let at = b.windows(text.len()).position(|w| w == text).unwrap();
    b[at..at + text.len()].copy_from_slice(b"nx\x01integer\x011\x01485\x01\n");
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("h.pdb");
    std::fs::write(&p, &b).unwrap();
    let mut s = PdbStorage::open_rw(&p).unwrap();
    let (nx, _) = s.lookup(s.root(), "nx").unwrap().unwrap();
    let e = s
        .write(nx, &[], &Array::zeros(DType::I32, &[]))
        .unwrap_err();
    assert!(e.to_string().contains("live metadata"), "{e}");
    drop(s);
    assert_eq!(std::fs::read(&p).unwrap(), b);
}

#[test]
fn undamaged_fixtures_are_exercised() {
    let Some(dir) = common::fixtures() else {
        return;
    };
    for f in FILES {
        exercise(&std::fs::read(dir.join(f)).unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn damaged_files_opened_for_writing_never_panic(
        which in 0..FILES.len(),
        muts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let Some(dir) = common::fixtures() else { return Ok(()) };
        let mut b = std::fs::read(dir.join(FILES[which])).unwrap();
        // aim at the metadata (the last 40%) and the header's addresses
        let meta = b.len() * 6 / 10;
        for (k, (i, x)) in muts.into_iter().enumerate() {
            let at = if k == 0 && x % 4 == 0 {
                59 + i.index(16)
            } else {
                meta + i.index(b.len() - meta)
            };
            b[at] = x;
        }
        exercise(&b);
    }
}

#[test]
fn wrong_records_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("w.pdb");
    let mut s = PdbStorage::create(&p, qnd_pdb::snapshot::ByteOrder::Little, true).unwrap();
    let root = s.root();
    let spec = LeafSpec {
        dtype: DType::I32,
        shape: vec![2],
        records: true,
        text_len: 1,
    };
    let r = s.create_leaf(root, "r", &spec).unwrap();
    for bad in [
        Array::zeros(DType::I32, &[]),
        Array::zeros(DType::I32, &[3]),
        Array::zeros(DType::I32, &[1, 3]),
        Array::zeros(DType::F32, &[1, 2]),
    ] {
        assert!(s.append_records(r, &bad).is_err(), "{bad:?}");
    }
    assert_eq!(s.records(r).unwrap(), 0);
    s.append_records(r, &Array::zeros(DType::I32, &[2, 2]))
        .unwrap();
    assert_eq!(s.records(r).unwrap(), 2);
}
