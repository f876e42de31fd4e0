//! The snapshot writer against Python qnd's own files: the fixture trees
//! rebuilt in memory, written, and compared with what Python qnd wrote.

use crate::snapshot::pdbparse;

use std::path::{Path, PathBuf};

use ndarray::{ArrayD, IxDyn};
use qnd_pdb::snapshot::{self, ByteOrder};
use qnd_storage::{Array, Complex, LeafSpec, MemoryStorage, NodeId, Run, Storage};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/pdb")
        .join(name)
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    let p = fixture(name);
    let p = if p.exists() {
        p
    } else {
        Path::new("/work/shared/fixtures/pdb").join(name)
    };
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn text_len(a: &Array) -> usize {
    match a {
        Array::Str(s) => s.iter().map(String::len).max().unwrap_or(0).max(1),
        _ => 0,
    }
}

/// A leaf holding `a`.
fn leaf(s: &mut MemoryStorage, parent: NodeId, name: &str, a: Array) -> NodeId {
    let spec = LeafSpec {
        dtype: a.dtype(),
        shape: a.shape().to_vec(),
        records: false,
        text_len: text_len(&a),
    };
    let id = s.create_leaf(parent, name, &spec).unwrap();
    s.write(id, &Run::whole(a.shape()), &a).unwrap();
    id
}

/// A record node holding `recs` (shape `[n, record...]`).
fn records(s: &mut MemoryStorage, parent: NodeId, name: &str, recs: Array) -> NodeId {
    let spec = LeafSpec {
        dtype: recs.dtype(),
        shape: recs.shape()[1..].to_vec(),
        records: true,
        text_len: text_len(&recs),
    };
    let id = s.create_leaf(parent, name, &spec).unwrap();
    s.append_records(id, &recs).unwrap();
    id
}

fn list(s: &mut MemoryStorage, parent: NodeId, name: &str) -> NodeId {
    let g = s.create_group(parent, name).unwrap();
    s.create_none(g, "_").unwrap();
    g
}

fn arr<T: qnd_storage::Element>(shape: &[usize], v: Vec<T>) -> Array {
    Array::from(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
}

fn i64s(v: &[i64]) -> Array {
    arr(&[v.len()], v.to_vec())
}

fn text(s: &str) -> Array {
    Array::scalar(s.to_string())
}

/// tree.pdb's tree (make_pdb_fixtures.py, `tree`).
fn tree() -> MemoryStorage {
    let mut s = MemoryStorage::new();
    let r = s.root();
    leaf(&mut s, r, "top", Array::scalar(1i64));
    let g = s.create_group(r, "g").unwrap();
    let a = leaf(&mut s, g, "a", Array::scalar(1.0f64));
    leaf(&mut s, g, "b", text("two"));
    let inner = s.create_group(g, "inner").unwrap();
    let deep = leaf(&mut s, inner, "deep", i64s(&[0, 1, 2]));
    let deeper = s.create_group(inner, "deeper").unwrap();
    leaf(&mut s, deeper, "x", Array::scalar(0.5f32));
    let lst = list(&mut s, r, "lst");
    leaf(&mut s, lst, "_0", Array::scalar(1i64));
    leaf(&mut s, lst, "_1", i64s(&[0, 1, 2, 3]));
    let l2 = s.create_group(lst, "_2").unwrap();
    leaf(&mut s, l2, "q", Array::scalar(2.5f64));
    s.create_none(lst, "_3").unwrap();
    leaf(&mut s, lst, "_4", i64s(&[7, 8]));
    let l5 = list(&mut s, lst, "_5");
    leaf(&mut s, l5, "_0", i64s(&[0, 1]));
    leaf(&mut s, l5, "_1", text("s"));
    list(&mut s, l5, "_2");
    s.create_group(lst, "_6").unwrap();
    list(&mut s, r, "empty_list");
    s.create_group(r, "empty_group").unwrap();
    let mesh = list(&mut s, r, "mesh");
    leaf(&mut s, mesh, "_0", i64s(&[0, 1]));
    leaf(&mut s, mesh, "_1", text("two"));
    let m2 = s.create_group(mesh, "_2").unwrap();
    leaf(&mut s, m2, "pts", i64s(&[0, 1, 2]));
    s.create_none(mesh, "_3").unwrap();
    s.set_attr(g, "kind", &text("group attribute")).unwrap();
    s.set_attr(a, "units", &text("kg")).unwrap();
    s.set_attr(deep, "n", &Array::scalar(3i16)).unwrap();
    s
}

/// history.pdb's tree (make_pdb_fixtures.py, `history`).
fn history() -> MemoryStorage {
    let mut s = MemoryStorage::new();
    let r = s.root();
    leaf(&mut s, r, "nx", Array::scalar(3i32));
    leaf(&mut s, r, "title", text("history"));
    let ks = 0..7;
    let time = records(
        &mut s,
        r,
        "time",
        arr(&[7], ks.clone().map(|k| 0.25 * f64::from(k)).collect()),
    );
    records(
        &mut s,
        r,
        "energy",
        arr(
            &[7],
            ks.clone().map(|k| 10.0 - 0.5 * f64::from(k * k)).collect(),
        ),
    );
    records(
        &mut s,
        r,
        "step",
        arr(&[7], ks.clone().collect::<Vec<i32>>()),
    );
    records(
        &mut s,
        r,
        "u",
        arr(
            &[7, 3],
            ks.flat_map(|k| (0..3).map(move |j| f64::from(j * k)))
                .collect(),
        ),
    );
    leaf(&mut s, r, "note", text("done"));
    s.set_attr(time, "units", &text("s")).unwrap();
    s
}

/// `b` with the 24 characters of the date after `Version:11|` blanked.
fn mask_date(b: &[u8]) -> Vec<u8> {
    let mut b = b.to_vec();
    let key = b"Version:11|";
    if let Some(k) = b.windows(key.len()).position(|w| w == key) {
        for x in b.iter_mut().skip(k + key.len()).take(24) {
            *x = b'?';
        }
    }
    b
}

fn snap(s: &mut MemoryStorage, order: ByteOrder) -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.pdb");
    snapshot::write(s, &path, order).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    (dir, path, bytes)
}

/// The first difference of two byte strings, as a message.
fn first_difference(got: &[u8], want: &[u8]) -> Option<String> {
    if got == want {
        return None;
    }
    let k = got
        .iter()
        .zip(want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    let show = |b: &[u8]| {
        String::from_utf8_lossy(&b[k.saturating_sub(16)..(k + 32).min(b.len())]).into_owned()
    };
    Some(format!(
        "lengths {} vs {}, first difference at byte {k}: got {:?}, want {:?}",
        got.len(),
        want.len(),
        show(got),
        show(want)
    ))
}

#[test]
fn tree_is_python_qnds_bytes() {
    let (_d, _p, got) = snap(&mut tree(), ByteOrder::Little);
    let want = fixture_bytes("tree.pdb");
    if let Some(d) = first_difference(&mask_date(&got), &mask_date(&want)) {
        panic!("tree.pdb: {d}");
    }
}

#[test]
fn history_matches_python_qnd_but_for_the_record_layout() {
    let (_d, _p, got) = snap(&mut history(), ByteOrder::Little);
    let want = fixture_bytes("history.pdb");
    // same header but the addresses; same chart; same entries, types,
    // shapes and data; same extras but the date and block addresses
    let g = pdbparse::parse(&got).unwrap();
    let w = pdbparse::parse(&want).unwrap();
    assert_eq!(got[..59], want[..59], "header");
    assert_eq!(g.chart_text, w.chart_text, "chart");
    pdbparse::same_content(&g, &w, &got, &want);
    assert_eq!(g.extras_but_blocks(), w.extras_but_blocks(), "extras");
    // the records of one variable are contiguous
    let (_, blocks) = &g.blocks[0];
    assert_eq!(blocks.len(), 7);
    for pair in blocks.windows(2) {
        assert_eq!(pair[1].0, pair[0].0 + 8, "time records back to back");
    }
}

/// types.pdb's tree (make_pdb_fixtures.py, `types`).
fn types() -> MemoryStorage {
    let mut s = MemoryStorage::new();
    let r = s.root();
    leaf(&mut s, r, "i1", Array::scalar(-3i8));
    leaf(&mut s, r, "i2", Array::scalar(-300i16));
    leaf(&mut s, r, "i4", Array::scalar(-70000i32));
    leaf(&mut s, r, "i8", Array::scalar(-(1i64 << 40)));
    leaf(&mut s, r, "u1", Array::scalar(200u8));
    leaf(&mut s, r, "u2", Array::scalar(60000u16));
    leaf(&mut s, r, "u4", Array::scalar(4_000_000_000u32));
    leaf(&mut s, r, "u8", Array::scalar((1u64 << 63) + 5));
    leaf(&mut s, r, "u2small", Array::scalar(7u16));
    leaf(&mut s, r, "f4", Array::scalar(1.5f32));
    let f8 = leaf(&mut s, r, "f8", Array::scalar(2.25f64));
    leaf(&mut s, r, "pyint", Array::scalar(42i64));
    let vec = leaf(
        &mut s,
        r,
        "vec",
        arr(&[5], vec![0.0f64, 1.0, 2.0, 3.0, 4.0]),
    );
    leaf(&mut s, r, "mat", arr(&[2, 3], (0..6).collect::<Vec<i32>>()));
    leaf(
        &mut s,
        r,
        "cube",
        arr(&[2, 3, 4], (0..24u8).map(f32::from).collect()),
    );
    leaf(&mut s, r, "i1arr", arr(&[3], vec![-128i8, 0, 127]));
    leaf(&mut s, r, "i2arr", arr(&[3], vec![-1i16, 2, 300]));
    leaf(&mut s, r, "u1arr", arr(&[3], vec![0u8, 128, 255]));
    leaf(&mut s, r, "flags", arr(&[3], vec![true, false, true]));
    leaf(&mut s, r, "flag", Array::scalar(true));
    leaf(&mut s, r, "text", text("hello"));
    let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    leaf(&mut s, r, "words", arr(&[3], strs(&["a", "bb", "ccc"])));
    leaf(
        &mut s,
        r,
        "grid",
        arr(&[2, 2], strs(&["ab", "c", "", "def"])),
    );
    leaf(&mut s, r, "blank", text(""));
    leaf(&mut s, r, "uni", text("h\u{e9}llo \u{2603}"));
    s.create_none(r, "nothing").unwrap();
    leaf(&mut s, r, "empty", arr::<f64>(&[0], vec![]));
    leaf(&mut s, r, "empty2", arr::<i32>(&[3, 0], vec![]));
    leaf(
        &mut s,
        r,
        "special",
        arr(&[4], vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0]),
    );
    leaf(
        &mut s,
        r,
        "z",
        arr(
            &[3],
            vec![
                Complex::new(1.0f64, 2.0),
                Complex::new(3.0, -4.0),
                Complex::new(f64::NAN, f64::INFINITY),
            ],
        ),
    );
    leaf(&mut s, r, "w", Array::scalar(Complex::new(1.5f32, 0.5)));
    s.set_attr(r, "title", &text("types fixture")).unwrap();
    s.set_attr(r, "version", &Array::scalar(2i32)).unwrap();
    s.set_attr(vec, "units", &text("m")).unwrap();
    s.set_attr(vec, "scale", &arr(&[2], vec![1.5f64, 2.5]))
        .unwrap();
    s.set_attr(f8, "note", &text("scalar")).unwrap();
    s
}

/// be.pdb's tree (make_pdb_fixtures.py, `be`).
fn be() -> MemoryStorage {
    let mut s = MemoryStorage::new();
    let r = s.root();
    leaf(&mut s, r, "i1", Array::scalar(-1i8));
    leaf(&mut s, r, "i2", Array::scalar(-2i16));
    leaf(&mut s, r, "i4", Array::scalar(70000i32));
    leaf(&mut s, r, "i8", Array::scalar(-(1i64 << 40) - 1));
    leaf(&mut s, r, "u1", Array::scalar(250u8));
    leaf(&mut s, r, "f4", Array::scalar(2.5f32));
    leaf(&mut s, r, "f8", Array::scalar(1.5f64));
    leaf(
        &mut s,
        r,
        "mat",
        arr(&[2, 3], vec![0.0f64, 1.0, 2.0, 3.0, 4.0, 5.0]),
    );
    leaf(&mut s, r, "ivec", arr(&[3], vec![1i32, -2, 3]));
    leaf(&mut s, r, "t", text("big"));
    s.create_none(r, "nothing").unwrap();
    leaf(&mut s, r, "empty", arr::<i16>(&[0], vec![]));
    leaf(&mut s, r, "zc", Array::scalar(Complex::new(-1.0f64, 0.25)));
    records(&mut s, r, "time", arr(&[3], vec![0.0f64, 0.5, 1.0]));
    records(&mut s, r, "vec", arr(&[3, 2], vec![0i16, 1, 1, 2, 2, 3]));
    s
}

/// Python qnd's names of the anonymous types of types.pdb, as this
/// writer names them (bool and unsigned by name, §6 and issue 18).
fn rename_types(p: &mut pdbparse::Pdb) {
    for e in &mut p.entries {
        let new = match e.ty.as_str() {
            "_anon_1" | "_anon_4" => "u16",
            "_anon_2" => "u32",
            "_anon_3" => "u64",
            "_anon_5" | "_anon_6" => "bool",
            _ => continue,
        };
        e.ty = new.to_string();
    }
    for (from, to) in [
        ("_anon_1", "u16"),
        ("_anon_2", "u32"),
        ("_anon_3", "u64"),
        ("_anon_5", "bool"),
    ] {
        let s = p.sizes[from];
        p.sizes.insert(to.to_string(), s);
    }
}

#[test]
fn types_is_python_qnds_data_with_bool_and_unsigned_named() {
    let (_d, _p, got) = snap(&mut types(), ByteOrder::Little);
    let want = fixture_bytes("types.pdb");
    let g = pdbparse::parse(&got).unwrap();
    let mut w = pdbparse::parse(&want).unwrap();
    // the data and the attributes are at the same addresses, byte for byte
    assert_eq!(got[..59], want[..59], "header");
    assert_eq!(g.chart, w.chart, "chart address");
    if let Some(d) = first_difference(&got[128..g.chart], &want[128..w.chart]) {
        panic!("types.pdb data: {d}");
    }
    assert_eq!(g.chart_text, w.chart_text, "chart");
    rename_types(&mut w);
    assert_eq!(g.entries, w.entries, "symtab");
    pdbparse::same_content(&g, &w, &got, &want);
    let prims = |p: &pdbparse::Pdb| {
        let k = p
            .extras
            .iter()
            .position(|l| l == "Primitive-Types:")
            .unwrap();
        (p.extras[..k].to_vec(), p.extras[k..].to_vec())
    };
    let (g_before, g_prims) = prims(&g);
    let (w_before, _) = prims(&w);
    let mask = |v: Vec<String>| {
        v.into_iter()
            .map(|l| {
                if l.starts_with("Version:11|") {
                    "date".into()
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(mask(g_before), mask(w_before), "extras");
    assert_eq!(
        g_prims,
        [
            "Primitive-Types:",
            "text\x011\x010\x012\x01DEFORDER\x01FIX\x01",
            "_anon_0\x011\x011\x012\x01DEFORDER\x01FIX\x01",
            "u16\x012\x012\x012\x01DEFORDER\x01FIX\x01",
            "u32\x014\x014\x012\x01DEFORDER\x01FIX\x01",
            "u64\x018\x018\x012\x01DEFORDER\x01FIX\x01",
            "bool\x011\x011\x012\x01DEFORDER\x01FIX\x01",
            "NoneType\x011\x010\x012\x01DEFORDER\x01FIX\x01",
            "\x02",
        ]
    );
    assert!(got.ends_with(b"\x02\n\n\n"));
}

#[test]
fn big_endian_matches_python_qnd_but_for_the_record_layout() {
    let (_d, _p, got) = snap(&mut be(), ByteOrder::Big);
    let want = fixture_bytes("be.pdb");
    let g = pdbparse::parse(&got).unwrap();
    let w = pdbparse::parse(&want).unwrap();
    assert!(g.big);
    assert_eq!(got[..59], want[..59], "header");
    // everything before the records is Python qnd's bytes
    let first_record = w.blocks[0].1[0].0;
    assert_eq!(got[128..first_record], want[128..first_record], "data");
    assert_eq!(g.chart_text, w.chart_text, "chart");
    pdbparse::same_content(&g, &w, &got, &want);
    assert_eq!(g.extras_but_blocks(), w.extras_but_blocks(), "extras");
    assert_eq!(
        g.blocks,
        [
            ("time".to_string(), vec![(240, 1), (248, 1), (256, 1)]),
            ("vec".to_string(), vec![(264, 2), (268, 2), (272, 2)]),
        ]
    );
}
