//! What a kill leaves: copies of the file's bytes taken between the
//! writes after a flush, and between the steps of the next flush (data
//! written; attributes and metadata written but the header not yet
//! rewritten; header rewritten), each read as the state of the last
//! completed flush or the new one.

use crate::common;

use std::path::Path;

use qnd_pdb::snapshot::ByteOrder;
use qnd_pdb::PdbStorage;
use qnd_storage::conformance::sample;
use qnd_storage::{DType, LeafSpec, Run, Storage};
use serde_json::Value;

fn spec(dtype: DType, shape: &[usize], records: bool) -> LeafSpec {
    LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 8,
    }
}

/// What a file holds, as JSON (tree and attributes), or the error
/// opening it gives.
fn state(bytes: &[u8]) -> Result<(Value, Value), String> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("copy.pdb");
    std::fs::write(&p, bytes).unwrap();
    let mut s = PdbStorage::open(&p).map_err(|e| e.to_string())?;
    Ok((common::dump(&mut s), common::attrs(&mut s)))
}

fn is(got: &(Value, Value), want: &(Value, Value)) -> bool {
    common::same(&got.0, &want.0, "").is_ok() && common::same(&got.1, &want.1, "").is_ok()
}

/// Change `s` (new records, leaves, a group, None, attributes set and
/// replaced), copying the file's bytes after every call.
fn change(s: &mut PdbStorage, path: &Path, copies: &mut Vec<(String, Vec<u8>)>) {
    let mut snap = |what: &str| copies.push((what.to_string(), std::fs::read(path).unwrap()));
    let root = s.root();
    let (t, _) = s.lookup(root, "t").unwrap().unwrap();
    s.append_records(t, &sample(DType::F64, &[3, 2])).unwrap();
    snap("records appended");
    let y = s
        .create_leaf(root, "y", &spec(DType::I32, &[4], false))
        .unwrap();
    snap("leaf declared");
    s.write(y, &Run::whole(&[4]), &sample(DType::I32, &[4]))
        .unwrap();
    snap("leaf written");
    let g = s.create_group(root, "g2").unwrap();
    let r = s.create_leaf(g, "r", &spec(DType::Str, &[], true)).unwrap();
    s.append_records(r, &sample(DType::Str, &[2])).unwrap();
    snap("group and text records");
    s.create_none(g, "nothing").unwrap();
    let (x, _) = s.lookup(root, "x").unwrap().unwrap();
    s.set_attr(x, "units", &sample(DType::Str, &[2])).unwrap();
    s.set_attr(root, "new", &sample(DType::U16, &[3])).unwrap();
    snap("attributes set");
}

fn check(path: &Path, mut s: PdbStorage) {
    let before = state(&std::fs::read(path).unwrap()).unwrap();
    let mut copies = Vec::new();
    change(&mut s, path, &mut copies);
    s.set_sync(true);
    let mut steps = Vec::new();
    s.flush_steps(&mut |step| steps.push((step.to_string(), std::fs::read(path).unwrap())))
        .unwrap();
    assert_eq!(
        steps.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        ["attributes", "metadata", "header"]
    );
    let after = state(&std::fs::read(path).unwrap()).unwrap();
    assert!(
        !is(&after, &before),
        "the flush changed what the file holds"
    );
    let new_leaf = after.0.get("y").expect("y after the flush");
    assert_eq!(new_leaf, &common::leaf(&sample(DType::I32, &[4])));
    for (what, bytes) in copies.iter().chain(&steps[..2]) {
        let got = state(bytes).unwrap_or_else(|e| panic!("killed after {what}: {e}"));
        assert!(
            is(&got, &before),
            "killed after {what}: not the last flushed state"
        );
    }
    let got = state(&steps[2].1).unwrap();
    assert!(is(&got, &after), "killed after the header: the new state");
    s.close().unwrap();
}

#[test]
fn a_kill_leaves_the_last_flushed_state_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.pdb");
    let mut s = PdbStorage::create(&path, ByteOrder::Little, true).unwrap();
    let root = s.root();
    let x = s
        .create_leaf(root, "x", &spec(DType::F64, &[3], false))
        .unwrap();
    s.write(x, &Run::whole(&[3]), &sample(DType::F64, &[3]))
        .unwrap();
    let t = s
        .create_leaf(root, "t", &spec(DType::F64, &[2], true))
        .unwrap();
    s.append_records(t, &sample(DType::F64, &[5, 2])).unwrap();
    s.set_attr(x, "units", &sample(DType::Str, &[])).unwrap();
    s.flush().unwrap();
    check(&path, s);
    // and again on the reopened file
    let path2 = path;
    let mut s = PdbStorage::open_rw(&path2).unwrap();
    let root = s.root();
    let x2 = s
        .create_leaf(root, "x2", &spec(DType::F64, &[3], false))
        .unwrap();
    s.write(x2, &Run::whole(&[3]), &sample(DType::F64, &[3]))
        .unwrap();
    let t2 = s
        .create_leaf(root, "t2", &spec(DType::I8, &[], true))
        .unwrap();
    s.append_records(t2, &sample(DType::I8, &[4])).unwrap();
    s.flush().unwrap();
    let before = state(&std::fs::read(&path2).unwrap()).unwrap();
    let len = std::fs::metadata(&path2).unwrap().len();
    // a flush with nothing new writes nothing
    s.flush().unwrap();
    assert_eq!(std::fs::metadata(&path2).unwrap().len(), len);
    drop(s);
    assert!(is(
        &state(&std::fs::read(&path2).unwrap()).unwrap(),
        &before
    ));
}

#[test]
fn a_kill_while_appending_to_python_qnd_file_leaves_it_as_python_wrote_it() {
    let Some(fx) = common::fixtures() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.pdb");
    std::fs::copy(fx.join("history.pdb"), &path).unwrap();
    let mut s = PdbStorage::open_rw(&path).unwrap();
    let root = s.root();
    let x = s
        .create_leaf(root, "x", &spec(DType::F64, &[3], false))
        .unwrap();
    s.write(x, &Run::whole(&[3]), &sample(DType::F64, &[3]))
        .unwrap();
    let t = s
        .create_leaf(root, "t", &spec(DType::F64, &[2], true))
        .unwrap();
    s.append_records(t, &sample(DType::F64, &[1, 2])).unwrap();
    // killed before any flush: the file is Python qnd's, unchanged
    let bytes = std::fs::read(&path).unwrap();
    let got = state(&bytes).unwrap();
    let want: Value =
        serde_json::from_slice(&std::fs::read(fx.join("history.pdb.json")).unwrap()).unwrap();
    common::same(&got.0, &want, "history").unwrap();
    s.flush().unwrap();
    check(&path, s);
}
