//! Python qnd's files appended to: copies of the fixtures opened with
//! `open_rw`, more records of every record variable, new variables of
//! every type, attributes; read back, the old content is the fixture's
//! JSON and the whole is what a `MemoryStorage` given the same calls
//! holds.

use crate::common;

use std::path::Path;

use qnd_pdb::PdbStorage;
use qnd_storage::conformance::{check_same, copy_tree, sample};
use qnd_storage::{DType, Kind, LeafSpec, Run, Storage};
use serde_json::Value;

/// Append to `s`: two more records (copies of the first ones) of every
/// record variable of the root, a new record variable, a new leaf of
/// every dtype, a group with a leaf, attributes.
fn grow<S: Storage>(s: &mut S) {
    let root = s.root();
    for name in s.names(root).unwrap() {
        let (id, kind) = s.lookup(root, &name).unwrap().unwrap();
        if kind == Kind::Records {
            let info = s.info(id).unwrap();
            let mut slab = vec![Run::span(0, 2.min(info.shape[0]))];
            slab.extend(info.record_shape().iter().map(|&n| Run::all(n)));
            let recs = s.read(id, &slab).unwrap();
            s.append_records(id, &recs).unwrap();
            s.append_records(id, &recs).unwrap();
        }
    }
    let r = s
        .create_leaf(
            root,
            "new_rec",
            &LeafSpec {
                dtype: DType::F64,
                shape: vec![2],
                records: true,
                text_len: 1,
            },
        )
        .unwrap();
    s.append_records(r, &sample(DType::F64, &[3, 2])).unwrap();
    s.set_attr(r, "units", &sample(DType::Str, &[])).unwrap();
    for d in DType::ALL {
        let name = format!("new_{}", d.code());
        let a = sample(d, &[2, 3]);
        let id = s
            .create_leaf(
                root,
                &name,
                &LeafSpec {
                    dtype: d,
                    shape: vec![2, 3],
                    records: false,
                    text_len: 16,
                },
            )
            .unwrap();
        s.write(id, &Run::whole(&[2, 3]), &a).unwrap();
    }
    let g = s.create_group(root, "new_group").unwrap();
    let x = s
        .create_leaf(
            g,
            "x",
            &LeafSpec {
                dtype: DType::I16,
                shape: vec![0, 2],
                records: false,
                text_len: 1,
            },
        )
        .unwrap();
    s.set_attr(x, "note", &sample(DType::I64, &[2])).unwrap();
    s.set_attr(g, "gattr", &sample(DType::U8, &[])).unwrap();
}

fn load(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// `got` without the items `grow` made and with record lists cut to the
/// lengths of `want`.
fn old_part(got: &Value, want: &Value) -> Value {
    let (Value::Object(g), Value::Object(w)) = (got, want) else {
        return got.clone();
    };
    let mut out = serde_json::Map::new();
    for (k, v) in g {
        let Some(wv) = w.get(k) else { continue };
        let v = match (v, wv) {
            (Value::Array(a), Value::Array(b)) => Value::Array(a[..b.len().min(a.len())].to_vec()),
            (Value::Object(_), Value::Object(_)) => old_part(v, wv),
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    Value::Object(out)
}

fn append_to(name: &str, with_attrs: bool) {
    let Some(dir) = common::fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(name);
    std::fs::copy(dir.join(name), &path).unwrap();
    let mut want = copy_tree(&mut PdbStorage::open(&path).unwrap());
    grow(&mut want);
    let mut s = PdbStorage::open_rw(&path).unwrap();
    grow(&mut s);
    check_same(&mut s, &mut want);
    s.close().unwrap();
    drop(s);
    // the bytes before the old metadata are those Python qnd wrote
    let old = std::fs::read(dir.join(name)).unwrap();
    let new = std::fs::read(&path).unwrap();
    assert!(new.len() > old.len());
    assert_eq!(&new[128..old.len()], &old[128..], "{name}: old bytes kept");
    let mut back = PdbStorage::open(&path).unwrap();
    check_same(&mut back, &mut want);
    let fixture = load(&dir.join(format!("{name}.json")));
    let got = old_part(&common::dump(&mut back), &fixture);
    if let Err(e) = common::same(&got, &fixture, name) {
        panic!("{name}: the old content changed: {e}");
    }
    if with_attrs {
        let fixture = load(&dir.join(format!("{name}.attrs.json")));
        let got = old_part(&common::attrs(&mut back), &fixture);
        if let Err(e) = common::same(&got, &fixture, name) {
            panic!("{name}: the old attributes changed: {e}");
        }
    }
    // and once more, after a reopen
    let mut s = PdbStorage::open_rw(&path).unwrap();
    let root = s.root();
    let (r, _) = s.lookup(root, "new_rec").unwrap().unwrap();
    s.append_records(r, &sample(DType::F64, &[1, 2])).unwrap();
    s.close().unwrap();
    drop(s);
    let mut back = PdbStorage::open(&path).unwrap();
    let (r, _) = back.lookup(back.root(), "new_rec").unwrap().unwrap();
    assert_eq!(back.info(r).unwrap().shape, [4, 2]);
}

#[test]
fn history_gets_more_records_and_new_variables() {
    append_to("history.pdb", true);
}

#[test]
fn types_gets_new_leaves() {
    append_to("types.pdb", true);
}

#[test]
fn tree_gets_new_items() {
    append_to("tree.pdb", true);
}

#[test]
fn big_endian_file_gets_new_items() {
    append_to("be.pdb", false);
}

#[test]
fn appended_file_appended_again() {
    append_to("append.pdb", true);
}

#[test]
fn new_primitives_are_added_and_python_names_kept() {
    let Some(dir) = common::fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("types.pdb");
    std::fs::copy(dir.join("types.pdb"), &path).unwrap();
    let mut s = PdbStorage::open_rw(&path).unwrap();
    grow(&mut s);
    s.close().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let last = &text[text.rfind("Primitive-Types:\n").unwrap()..];
    for line in [
        "_anon_0\x011\x011\x012\x01DEFORDER\x01FIX\x01\n",
        "_anon_1\x012\x012\x012\x01DEFORDER\x01FIX\x01\n",
        "u16\x012\x012\x012\x01DEFORDER\x01FIX\x01\n",
        "bool\x011\x011\x012\x01DEFORDER\x01FIX\x01\n",
    ] {
        assert!(last.contains(line), "{line:?} in {last:?}");
    }
    assert!(
        last.starts_with("Primitive-Types:\nDirectory\x01"),
        "{last:?}"
    );
    // int8 reuses Python qnd's _anon_0 (an int8 there)
    assert!(text.contains("/new_i1\x01_anon_0\x016\x01"), "new_i1 entry");
}
