//! Items made in the test: names, attributes under lists, text records,
//! items of types qnd does not read, families, unflushed files.

use qnd_pdb::PdbStorage;
use qnd_storage::{Array, Kind, Run, Storage, StorageError};

use crate::common::{self, find};

fn f64s(a: &Array) -> Vec<f64> {
    a.to_f64().unwrap().iter().copied().collect()
}

fn strs(a: &Array) -> Vec<String> {
    match a {
        Array::Str(v) => v.iter().cloned().collect(),
        other => panic!("not text: {other:?}"),
    }
}

#[test]
fn names_utf8_and_latin1() {
    let tmp = tempfile::tempdir().unwrap();
    let mut data = Vec::new();
    data.extend(1.0f64.to_le_bytes());
    data.extend(2.0f64.to_le_bytes());
    let mut sym = "donn\u{e9}es|double|1|128|\n".as_bytes().to_vec();
    sym.extend(b"caf\xe9|double|1|136|\n");
    let mut s = common::open(tmp.path(), "names.pdb", &common::pdb(&data, sym, "", false));
    assert_eq!(s.names(s.root()).unwrap(), ["données", "café"]);
    let (x, _) = find(&mut s, "café");
    assert_eq!(f64s(&s.read(x, &[]).unwrap()), [2.0]);
}

#[test]
fn attributes_under_lists_and_groups() {
    let tmp = tempfile::tempdir().unwrap();
    let mut data = Vec::new();
    data.extend(1.5f64.to_le_bytes()); // 128
    data.extend(2.5f64.to_le_bytes()); // 136
    data.extend(b"cmk\0"); // 144: "cm", "k"
    data.extend(7i32.to_le_bytes()); // 148
    let sym = "/|Directory|1|127|
/lst/|Directory|1|127|
/lst/_|char|1|127|
/lst/_0|double|1|128|
/lst/_1/|Directory|1|127|
/lst/_1/q|double|1|136|
/lst/_2|NoneType|1|152|
/:lst:_0:units|text|2|144|1|2|
/:lst:_1:q:n|integer|1|148|
/:lst:_1::kind|text|1|146|1|1|
/:lst::n|integer|1|148|
/::top|integer|1|148|
/:nosuch:a|integer|1|148|";
    let mut s = common::open(tmp.path(), "lists.pdb", &common::pdb(&data, sym, "", false));
    let (l, k) = find(&mut s, "lst");
    assert_eq!(k, Kind::Group);
    assert_eq!(s.names(l).unwrap(), ["_", "_0", "_1", "_2"]);
    assert_eq!(find(&mut s, "lst/_").1, Kind::None);
    assert_eq!(find(&mut s, "lst/_2").1, Kind::None);
    let (x, _) = find(&mut s, "lst/_0");
    assert_eq!(s.attr_names(x).unwrap(), ["units"]);
    assert_eq!(strs(&s.get_attr(x, "units").unwrap().unwrap()), ["cm"]);
    let (q, _) = find(&mut s, "lst/_1/q");
    assert_eq!(s.get_attr(q, "n").unwrap().unwrap(), Array::scalar(7i32));
    let (g, _) = find(&mut s, "lst/_1");
    assert_eq!(strs(&s.get_attr(g, "kind").unwrap().unwrap()), ["k"]);
    assert_eq!(s.get_attr(l, "n").unwrap().unwrap(), Array::scalar(7i32));
    let r = s.root();
    assert_eq!(s.attr_names(r).unwrap(), ["top"]);
    assert_eq!(s.get_attr(r, "nope").unwrap(), None);
    assert_eq!(s.warnings().len(), 1, "{:?}", s.warnings());
}

#[test]
fn text_records_and_empty_text() {
    let tmp = tempfile::tempdir().unwrap();
    let data = b"ab\0cd\xe9xyz".to_vec(); // records "ab", "cdé" (Latin-1), at 128, 131; "xyz" at 134
    let sym = "s|text|3|128|1|3|1|1|\nw|text|3|134|1|3|\ne|text|1|137|\n:e:0|long|1|128|1|1|";
    let blocks = "s|2 128 3 131 3";
    let mut file = common::pdb(&data, sym, blocks, false);
    // The :0 marker must hold a zero: put 0 (as long) where it points.
    file[128..136].copy_from_slice(&0i64.to_le_bytes());
    let mut s = common::open(tmp.path(), "text.pdb", &file);
    let (e, _) = find(&mut s, "e");
    assert_eq!(s.info(e).unwrap().shape, [0]);
    assert_eq!(s.read(e, &[Run::all(0)]).unwrap().shape(), [0]);
    assert!(s.attr_names(e).unwrap().is_empty());
    // Records from fresh bytes.
    let mut s = common::open(
        tmp.path(),
        "text2.pdb",
        &common::pdb(
            &data,
            sym.replace("\n:e:0|long|1|128|1|1|", ""),
            blocks,
            false,
        ),
    );
    let (r, k) = find(&mut s, "s");
    assert_eq!(k, Kind::Records);
    assert_eq!(s.records(r).unwrap(), 2);
    assert_eq!(s.text_width(r).unwrap(), Some(3));
    let info = s.info(r).unwrap();
    assert_eq!(
        (info.shape.as_slice(), info.records),
        ([2usize].as_slice(), true)
    );
    assert_eq!(strs(&s.read(r, &[Run::all(2)]).unwrap()), ["ab", "cdé"]);
    assert_eq!(strs(&s.read(r, &[Run::one(1)]).unwrap()), ["cdé"]);
    let (w, _) = find(&mut s, "w");
    assert_eq!(strs(&s.read(w, &[]).unwrap()), ["xyz"]);
}

#[test]
fn items_qnd_does_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let data = vec![0u8; 40];
    let sym = "p|double *|1|128|\nr|pair|2|128|1|2|\nq|quad|1|128|";
    let mut s = common::open(tmp.path(), "other.pdb", &common::pdb(&data, sym, "", false));
    for (name, what) in [
        ("p", "pointer double* []"),
        ("r", "struct pair {double a; long b} (16 bytes) [2]"),
        ("q", "unknown type quad []"),
    ] {
        let (id, k) = find(&mut s, name);
        assert_eq!(k, Kind::Other, "{name}");
        assert_eq!(s.other_type(id).unwrap(), what);
        assert!(matches!(s.info(id), Err(StorageError::Unsupported(m)) if m.contains(what)));
        assert!(matches!(s.read(id, &[]), Err(StorageError::Unsupported(_))));
    }
}

#[test]
fn families_join_records_and_check_agreement() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let vals = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    // Member 0: x[2] at 128, t records 0, 1 at 144, 152.
    let m0 = common::pdb(
        &vals(&[5.0, 6.0, 0.0, 1.0]),
        "x|double|2|128|1|2|\nt|double|1|144|1|1|",
        "t|2 144 1 152 1",
        false,
    );
    // Member 1: x again (member-0 offset, unrelated bytes), t record 2 at
    // 128, and y listed at Python qnd's internal address 2^42 + 136.
    let y = (1u64 << 42) + 136;
    let m1 = common::pdb(
        &vals(&[2.0, 9.0]),
        format!("x|double|2|128|1|2|\nt|double|1|128|1|1|\ny|double|1|{y}|"),
        "t|1 128 1",
        false,
    );
    let (p0, p1) = (d.join("f00.pdb"), d.join("f01.pdb"));
    std::fs::write(&p0, &m0).unwrap();
    std::fs::write(&p1, &m1).unwrap();
    let mut s = PdbStorage::open_family(&[p0.clone(), p1.clone()]).unwrap();
    let (x, _) = find(&mut s, "x");
    assert_eq!(f64s(&s.read(x, &[Run::all(2)]).unwrap()), [5.0, 6.0]);
    let (t, _) = find(&mut s, "t");
    assert_eq!(s.records(t).unwrap(), 3);
    assert_eq!(f64s(&s.read(t, &[Run::all(3)]).unwrap()), [0.0, 1.0, 2.0]);
    assert_eq!(
        f64s(&s.read(t, &[Run::strided(0, 2, 2)]).unwrap()),
        [0.0, 2.0]
    );
    let (yy, _) = find(&mut s, "y");
    assert_eq!(f64s(&s.read(yy, &[]).unwrap()), [9.0]);
    // A member that disagrees on x's shape.
    let bad = common::pdb(
        &vals(&[2.0]),
        "x|double|1|128|\nt|double|1|128|1|1|",
        "t|1 128 1",
        false,
    );
    std::fs::write(&p1, &bad).unwrap();
    match PdbStorage::open_family(&[p0, p1]) {
        Err(StorageError::Layout(m)) => assert!(m.contains("f01.pdb") && m.contains("`x`"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        PdbStorage::open_family(&[]),
        Err(StorageError::Layout(_))
    ));
}

#[test]
fn a_file_never_flushed_is_an_empty_group() {
    let tmp = tempfile::tempdir().unwrap();
    let mut b = common::pdb(&[], "", "", false);
    let at = b.windows(2).position(|w| w == b"\x01\n").unwrap() + 2; // after the biases
    let addr = b"128\x01128\x01\n";
    b[at..at + addr.len()].copy_from_slice(addr);
    b.truncate(200);
    let mut s = common::open(tmp.path(), "new.pdb", &b);
    assert!(s.names(s.root()).unwrap().is_empty());
    assert_eq!(s.warnings().len(), 1);
}

/// The bytes of `a` in the file's order, and the text width.
fn encode(a: &Array, big: bool) -> (Vec<u8>, usize) {
    macro_rules! bytes {
        ($v:expr) => {
            $v.iter()
                .flat_map(|x| {
                    if big {
                        x.to_be_bytes().to_vec()
                    } else {
                        x.to_le_bytes().to_vec()
                    }
                })
                .collect()
        };
    }
    let out: Vec<u8> = match a {
        Array::I8(v) => bytes!(v),
        Array::I16(v) => bytes!(v),
        Array::I32(v) => bytes!(v),
        Array::I64(v) => bytes!(v),
        Array::U8(v) => bytes!(v),
        Array::U16(v) => bytes!(v),
        Array::U32(v) => bytes!(v),
        Array::U64(v) => bytes!(v),
        Array::F32(v) => bytes!(v),
        Array::F64(v) => bytes!(v),
        Array::C8(v) => bytes!(v.iter().flat_map(|c| [c.re, c.im]).collect::<Vec<f32>>()),
        Array::C16(v) => bytes!(v.iter().flat_map(|c| [c.re, c.im]).collect::<Vec<f64>>()),
        Array::Bool(v) => v.iter().map(|&b| u8::from(b)).collect(),
        Array::Str(v) => {
            let w = v.iter().map(String::len).max().unwrap_or(1);
            let out = v
                .iter()
                .flat_map(|x| {
                    let mut b = x.as_bytes().to_vec();
                    b.resize(w, 0);
                    b
                })
                .collect();
            return (out, w);
        }
    };
    (out, 1)
}

/// Every element type of the storage contract, in a leaf and in a record
/// variable, little- and big-endian, under the type names §6 maps to it.
#[test]
fn every_dtype_little_and_big_endian() {
    use qnd_storage::conformance::sample;
    use qnd_storage::DType;
    let tmp = tempfile::tempdir().unwrap();
    for big in [false, true] {
        let o = if big { 1 } else { 2 };
        let prims = format!(
            "i8t|1|1|2|DEFORDER|FIX|\nu16|2|2|{o}|DEFORDER|FIX|\nuint|4|4|{o}|DEFORDER|FIX|\n\
             ULONG|8|8|{o}|DEFORDER|FIX|\nbool|1|1|2|DEFORDER|FIX|"
        );
        let mut data = Vec::new();
        let mut sym = String::new();
        let mut blocks = String::new();
        for d in DType::ALL {
            let ty = match d {
                DType::I8 => "i8t",
                DType::I16 => "short",
                DType::I32 => "integer",
                DType::I64 => "long",
                DType::U8 => "char",
                DType::U16 => "u16",
                DType::U32 => "uint",
                DType::U64 => "ULONG",
                DType::F32 => "float",
                DType::F64 => "double",
                DType::C8 => "fcomplex",
                DType::C16 => "complex",
                DType::Bool => "bool",
                DType::Str => "text",
            };
            let a = sample(d, &[2, 3]);
            let (bytes, w) = encode(&a, big);
            let (count, dims) = if d == DType::Str {
                (6 * w, format!("1|{w}|1|3|1|2|"))
            } else {
                (6, "1|3|1|2|".to_string())
            };
            let at = 128 + data.len();
            data.extend(&bytes);
            sym.push_str(&format!("x_{}|{ty}|{count}|{at}|{dims}\n", d.code()));
            // Two records of that shape, in two blocks, with a gap.
            let r0 = 128 + data.len();
            data.extend(&bytes);
            data.extend([0xEE; 3]);
            let r1 = 128 + data.len();
            data.extend(&bytes);
            sym.push_str(&format!("r_{}|{ty}|{count}|{r0}|{dims}1|1|\n", d.code()));
            blocks.push_str(&format!("r_{}|2 {r0} {count} {r1} {count}\n", d.code()));
        }
        let file = common::pdb_with(&data, sym, &blocks, big, &prims);
        let mut s = common::open(tmp.path(), "dtypes.pdb", &file);
        for d in DType::ALL {
            let a = sample(d, &[2, 3]);
            let (x, k) = find(&mut s, &format!("x_{}", d.code()));
            assert_eq!(k, Kind::Leaf);
            let info = s.info(x).unwrap();
            assert_eq!(
                (info.dtype, info.shape.as_slice()),
                (d, [2usize, 3].as_slice()),
                "{d} big {big}"
            );
            assert_eq!(s.read(x, &Run::whole(&[2, 3])).unwrap(), a, "{d} big {big}");
            let (r, k) = find(&mut s, &format!("r_{}", d.code()));
            assert_eq!(k, Kind::Records);
            assert_eq!(s.info(r).unwrap().shape, [2, 2, 3]);
            let rec1 = s.read(r, &[Run::one(1), Run::all(2), Run::all(3)]).unwrap();
            assert_eq!(
                rec1.into_shape(&[2, 3]).unwrap(),
                a,
                "{d} big {big} record 1"
            );
            let col = s
                .read(r, &[Run::all(2), Run::one(1), Run::strided(0, 2, 2)])
                .unwrap();
            let want = a.take_slab(&[Run::one(1), Run::strided(0, 2, 2)]);
            assert_eq!(
                col.take_slab(&[Run::one(0), Run::all(1), Run::all(2)])
                    .into_shape(&[1, 2])
                    .unwrap(),
                want
            );
        }
    }
}

#[test]
fn families_with_empty_arrays_in_every_member() {
    let tmp = tempfile::tempdir().unwrap();
    let sym = "e|double|1|128|\n:e:0|long|2|136|1|2|\nt|double|1|152|1|1|";
    let mut data = vec![0u8; 8];
    data.extend(2i64.to_le_bytes());
    data.extend(0i64.to_le_bytes());
    data.extend(1.0f64.to_le_bytes());
    let m = common::pdb(&data, sym, "t|1 152 1", false);
    let (p0, p1) = (tmp.path().join("e00.pdb"), tmp.path().join("e01.pdb"));
    std::fs::write(&p0, &m).unwrap();
    std::fs::write(&p1, &m).unwrap();
    let mut s = PdbStorage::open_family(&[p0, p1]).unwrap();
    let (e, _) = find(&mut s, "e");
    // The :0 marker holds the shape in the file's order: (2, 0).
    assert_eq!(s.info(e).unwrap().shape, [2, 0]);
    assert!(s.attr_names(e).unwrap().is_empty());
    let (t, _) = find(&mut s, "t");
    assert_eq!(f64s(&s.read(t, &[Run::all(2)]).unwrap()), [1.0, 1.0]);
}
