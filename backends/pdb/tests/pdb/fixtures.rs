//! Every fixture Python qnd wrote, read through the `Storage` trait and
//! compared with what Python qnd reads (`X.json`, `X.attrs.json`).

use crate::common;

use std::path::Path;

use qnd_pdb::PdbStorage;
use qnd_storage::{Kind, Storage};
use serde_json::Value;

fn load(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn check(s: &mut PdbStorage, dir: &Path, json: &str, attrs: Option<&str>) {
    let got = common::dump(s);
    let want = load(&dir.join(json));
    if let Err(e) = common::same(&got, &want, json) {
        panic!("{e}\ngot {got}");
    }
    if let Some(a) = attrs {
        let got = common::attrs(s);
        let want = load(&dir.join(a));
        if let Err(e) = common::same(&got, &want, a) {
            panic!("{e}\ngot {got}");
        }
    }
}

fn single(name: &str, attrs: bool) {
    let Some(dir) = common::fixtures() else {
        return;
    };
    let mut s = PdbStorage::open(&dir.join(name)).unwrap();
    assert!(s.warnings().is_empty(), "{:?}", s.warnings());
    let a = format!("{name}.attrs.json");
    check(
        &mut s,
        &dir,
        &format!("{name}.json"),
        attrs.then_some(a.as_str()),
    );
    assert_eq!(s.backend_name(), "pdb");
}

#[test]
fn types_fixture() {
    single("types.pdb", true);
}

#[test]
fn tree_fixture() {
    single("tree.pdb", true);
}

#[test]
fn history_fixture() {
    single("history.pdb", true);
}

#[test]
fn append_fixture_with_old_bytes_in_gaps() {
    single("append.pdb", true);
}

#[test]
fn big_endian_fixture() {
    single("be.pdb", false);
}

#[test]
fn family_fixture() {
    let Some(dir) = common::fixtures() else {
        return;
    };
    let members: Vec<_> = (0..3).map(|k| dir.join(format!("fam{k:02}.pdb"))).collect();
    let mut s = PdbStorage::open_family(&members).unwrap();
    check(&mut s, &dir, "fam.json", None);
    // Record variables span the members.
    let (g, _) = s.lookup(s.root(), "probe").unwrap().unwrap();
    let (t, k) = s.lookup(g, "temp").unwrap().unwrap();
    assert_eq!(k, Kind::Records);
    assert_eq!(s.records(t).unwrap(), 10);
}

#[test]
fn text_widths_and_kinds() {
    let Some(dir) = common::fixtures() else {
        return;
    };
    let mut s = PdbStorage::open(&dir.join("types.pdb")).unwrap();
    let r = s.root();
    let (w, k) = s.lookup(r, "words").unwrap().unwrap();
    assert_eq!(k, Kind::Leaf);
    assert_eq!(s.text_width(w).unwrap(), Some(3));
    let (n, k) = s.lookup(r, "nothing").unwrap().unwrap();
    assert_eq!(k, Kind::None);
    assert!(s.info(n).is_err());
    let (f, _) = s.lookup(r, "f8").unwrap().unwrap();
    assert_eq!(s.text_width(f).unwrap(), None);
    // Members in declaration order.
    let names = s.names(r).unwrap();
    assert_eq!(&names[..4], ["i1", "i2", "i4", "i8"]);
    let mut t = PdbStorage::open(&dir.join("tree.pdb")).unwrap();
    let r = t.root();
    let (l, k) = t.lookup(r, "lst").unwrap().unwrap();
    assert_eq!(k, Kind::Group);
    assert_eq!(
        t.names(l).unwrap(),
        ["_", "_0", "_1", "_2", "_3", "_4", "_5", "_6"]
    );
    assert_eq!(t.lookup(l, "_").unwrap().unwrap().1, Kind::None);
}

/// The comparison the fixture tests rest on tells differences apart.
#[test]
fn the_json_comparison_can_fail() {
    let Some(dir) = common::fixtures() else {
        return;
    };
    let mut s = PdbStorage::open(&dir.join("types.pdb")).unwrap();
    let got = common::dump(&mut s);
    let want = load(&dir.join("types.pdb.json"));
    assert!(common::same(&got, &want, "").is_ok());
    let mut worse = want.clone();
    worse["i4"]["data"][0] = serde_json::json!(-70001);
    assert!(common::same(&got, &worse, "").is_err());
    let mut worse = want.clone();
    worse["z"]["dtype"] = serde_json::json!("c8");
    assert!(common::same(&got, &worse, "").is_err());
    let mut worse = want.clone();
    worse.as_object_mut().unwrap().remove("nothing");
    assert!(common::same(&got, &worse, "").is_err());
    let mut worse = want;
    worse["special"]["data"][0] = serde_json::json!(0.0);
    assert!(common::same(&got, &worse, "").is_err());
}
