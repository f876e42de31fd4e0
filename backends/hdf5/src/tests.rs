use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use ndarray::{array, ArrayD, IxDyn};

use super::*;
use crate::values::{to_json, Value};

fn fixture(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(name);
    if p.is_file() {
        Some(p)
    } else {
        println!("skipped: no fixture {}", p.display());
        None
    }
}

fn all(shape: &[usize]) -> Vec<Run> {
    shape.iter().map(|&d| Run::all(d)).collect()
}

fn whole(s: &mut Hdf5Storage, id: NodeId) -> Array {
    let info = s.info(id).unwrap();
    let a = s.read(id, &all(&info.shape)).unwrap();
    assert_eq!(a.shape(), &info.shape[..]);
    a
}

fn path(s: &mut Hdf5Storage, p: &str) -> (NodeId, Kind) {
    let mut at = (s.root(), Kind::Group);
    for part in p.split('/').filter(|x| !x.is_empty()) {
        at = s
            .lookup(at.0, part)
            .unwrap()
            .unwrap_or_else(|| panic!("no {part} in {p}"));
    }
    at
}

fn is_list(names: &[String]) -> bool {
    names.iter().any(|n| n == "_")
        && names.iter().all(|n| {
            n == "_"
                || (n.len() > 1 && n.starts_with('_') && n[1..].bytes().all(|b| b.is_ascii_digit()))
        })
}

/// The tree as auto mode 2 reads it (lists, record lists), to compare with
/// the fixtures' JSON.
fn dump(s: &mut Hdf5Storage, id: NodeId, kind: Kind) -> Value {
    match kind {
        Kind::None => Value::None,
        Kind::Leaf => Value::Array(whole(s, id)),
        Kind::Records => {
            let info = s.info(id).unwrap();
            Value::List(
                (0..info.shape[0])
                    .map(|i| {
                        let mut slab = vec![Run::one(i)];
                        slab.extend(all(&info.shape[1..]));
                        let a = s.read(id, &slab).unwrap();
                        Value::Array(a.into_shape(&info.shape[1..]).unwrap())
                    })
                    .collect(),
            )
        }
        Kind::Group => {
            let names = s.names(id).unwrap();
            if is_list(&names) {
                Value::List(
                    (0..names.len() - 1)
                        .map(|k| {
                            let (c, kind) = s.lookup(id, &format!("_{k}")).unwrap().unwrap();
                            dump(s, c, kind)
                        })
                        .collect(),
                )
            } else {
                let mut m = IndexMap::new();
                for n in names {
                    let (c, kind) = s.lookup(id, &n).unwrap().unwrap();
                    m.insert(n, dump(s, c, kind));
                }
                Value::Group(m)
            }
        }
    }
}

fn check_against_json(name: &str) -> Option<Hdf5Storage> {
    let p = fixture(name)?;
    let want: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.with_extension("h5.json")).unwrap())
            .unwrap();
    let mut s = Hdf5Storage::open(&p, false).unwrap();
    let root = s.root();
    let got = to_json(&dump(&mut s, root, Kind::Group));
    assert_eq!(got, want, "{name}");
    Some(s)
}

#[test]
fn fixture_types() {
    let Some(mut s) = check_against_json("types.h5") else {
        return;
    };
    let (u8_, k) = path(&mut s, "u8");
    assert_eq!(k, Kind::Leaf);
    assert_eq!(whole(&mut s, u8_), Array::scalar(9223372036854775813u64));
    let (w, _) = path(&mut s, "words");
    let words = Array::Str(array!["a".to_string(), "bb".into(), "ccc".into()].into_dyn());
    assert_eq!(whole(&mut s, w), words);
    let (sp, _) = path(&mut s, "special");
    let Array::F64(x) = whole(&mut s, sp) else {
        panic!("special is not f8")
    };
    assert!(x[0].is_nan() && x[1] == f64::INFINITY && x[2] == f64::NEG_INFINITY);
    assert!(x[3] == 0.0 && x[3].is_sign_negative());
    let (e, k) = path(&mut s, "empty");
    assert_eq!(k, Kind::Leaf);
    let info = s.info(e).unwrap();
    assert_eq!((info.dtype, info.shape), (DType::F64, vec![0]));
    assert_eq!(whole(&mut s, e), Array::F64(ArrayD::zeros(IxDyn(&[0]))));
    assert_eq!(s.attr_names(e).unwrap(), Vec::<String>::new());
    assert_eq!(path(&mut s, "nothing").1, Kind::None);
    let (f, _) = path(&mut s, "flags");
    assert_eq!(
        whole(&mut s, f),
        Array::Bool(array![true, false, true].into_dyn())
    );
    let (t, _) = path(&mut s, "text");
    assert_eq!(whole(&mut s, t), Array::scalar(String::from("hello")));
    let (cube, _) = path(&mut s, "cube");
    // a strided hyperslab of a 2x3x4 f4 array
    let sub = s
        .read(
            cube,
            &[
                Run::one(1),
                Run::strided(0, 2, 2),
                Run::strided(1, 2, 2),
            ],
        )
        .unwrap();
    assert_eq!(
        sub,
        Array::F32(array![[[13.0f32, 15.0], [21.0, 23.0]]].into_dyn())
    );
    s.close().unwrap();
}

#[test]
fn fixture_tree() {
    let Some(mut s) = check_against_json("tree.h5") else {
        return;
    };
    assert_eq!(path(&mut s, "lst/_").1, Kind::None);
    assert_eq!(path(&mut s, "lst/_3").1, Kind::None);
    assert_eq!(path(&mut s, "empty_list").1, Kind::Group);
    let (g, _) = path(&mut s, "g");
    // the file does not track creation order: name order
    assert_eq!(s.names(g).unwrap(), ["a", "b", "inner"]);
    let root = s.root();
    assert_eq!(s.lookup(root, "missing").unwrap(), None);
    assert_eq!(s.lookup(root, "g/a").unwrap(), None);
    assert_eq!(s.lookup(root, ".").unwrap(), None);
    s.close().unwrap();
}

#[test]
fn fixture_history() {
    let Some(mut s) = check_against_json("history.h5") else {
        return;
    };
    let (t, k) = path(&mut s, "time");
    assert_eq!(k, Kind::Records);
    assert_eq!(s.info(t).unwrap().shape, vec![5]);
    assert_eq!(
        whole(&mut s, t),
        Array::F64(array![0.0, 0.5, 1.0, 1.5, 2.0].into_dyn())
    );
    let (u, k) = path(&mut s, "u");
    assert_eq!(k, Kind::Records);
    assert_eq!(s.info(u).unwrap().shape, vec![5, 3]);
    let (m, k) = path(&mut s, "mesh");
    assert_eq!(k, Kind::Group);
    assert_eq!(s.names(m).unwrap(), ["_", "_0", "_1", "_2"]);
    s.close().unwrap();
}

/// A deterministic array of any dtype; text of varied UTF-8 lengths.
fn sample(dtype: DType, shape: &[usize], seed: usize) -> Array {
    let n: usize = shape.iter().product();
    let k = (0..n).map(|i| i + seed);
    macro_rules! arr {
        ($v:ident, $f:expr) => {
            Array::$v(ArrayD::from_shape_vec(IxDyn(shape), k.map($f).collect()).unwrap())
        };
    }
    match dtype {
        DType::I8 => arr!(I8, |i| i as i8 - 100),
        DType::I16 => arr!(I16, |i| -(i as i16) * 300),
        DType::I32 => arr!(I32, |i| -(i as i32) * 70000),
        DType::I64 => arr!(I64, |i| -(1i64 << 40) - i as i64),
        DType::U8 => arr!(U8, |i| 200 + i as u8),
        DType::U16 => arr!(U16, |i| 60000 + i as u16),
        DType::U32 => arr!(U32, |i| 4_000_000_000 + i as u32),
        DType::U64 => arr!(U64, |i| u64::MAX - i as u64),
        DType::F32 => arr!(F32, |i| i as f32 * 0.25 - 1.0),
        DType::F64 => arr!(F64, |i| if i == 1 {
            f64::NAN
        } else {
            i as f64 * 0.5 - 3.0
        }),
        DType::Bool => arr!(Bool, |i| i % 3 == 0),
        DType::Str => arr!(Str, |i| ["", "a", "héllo", "zz"][i % 4].to_string()),
    }
}

/// Equality with NaN equal to itself.
fn same(a: &Array, b: &Array) -> bool {
    match (a, b) {
        (Array::F64(x), Array::F64(y)) => {
            x.shape() == y.shape()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| p == q || (p.is_nan() && q.is_nan()))
        }
        _ => a == b,
    }
}

fn spec(dtype: DType, shape: &[usize], records: bool) -> LeafSpec {
    LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 6,
    }
}

const SHAPES: [&[usize]; 3] = [&[], &[3], &[2, 3]];

#[test]
fn round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rt.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();

    // leaves of every dtype, scalar, 1-d and 2-d
    for d in DType::ALL {
        for (k, shape) in SHAPES.iter().enumerate() {
            let id = s
                .create_leaf(root, &format!("{d}_{k}"), &spec(d, shape, false))
                .unwrap();
            let v = sample(d, shape, k);
            s.write(id, &all(shape), &v).unwrap();
            assert!(same(&whole(&mut s, id), &v), "{d} {shape:?}");
        }
    }
    // a partial, strided write
    let id = s
        .create_leaf(root, "part", &spec(DType::I32, &[3, 4], false))
        .unwrap();
    let patch = Array::I32(array![[1, 2], [3, 4]].into_dyn());
    let slab = [
        Run::strided(0, 2, 2),
        Run::strided(1, 2, 2),
    ];
    s.write(id, &slab, &patch).unwrap();
    assert_eq!(s.read(id, &slab).unwrap(), patch);

    // text wider than the stored width is an error, never truncated
    let (t, _) = s.lookup(root, "str_0").unwrap().unwrap();
    let long = Array::scalar(String::from("1234567"));
    assert!(matches!(
        s.write(t, &[], &long),
        Err(StorageError::Unsupported(m)) if m.contains("7 bytes") && m.contains("width 6")
    ));

    // empty leaves
    let e1 = s
        .create_leaf(root, "empty_f8", &spec(DType::F64, &[0], false))
        .unwrap();
    let e2 = s
        .create_leaf(root, "empty_str", &spec(DType::Str, &[2, 0], false))
        .unwrap();
    s.write(e2, &all(&[2, 0]), &Array::zeros(DType::Str, &[2, 0]))
        .unwrap();
    assert_eq!(s.info(e1).unwrap().shape, vec![0]);

    // None, a group with members in creation order, a list
    s.create_none(root, "nothing").unwrap();
    let g = s.create_group(root, "g").unwrap();
    for n in ["b", "a", "c"] {
        s.create_group(g, n).unwrap();
    }
    assert_eq!(s.names(g).unwrap(), ["b", "a", "c"]);
    let l = s.create_group(root, "lst").unwrap();
    s.create_none(l, "_").unwrap();
    let x = s
        .create_leaf(l, "_0", &spec(DType::I64, &[], false))
        .unwrap();
    s.write(x, &[], &Array::scalar(7i64)).unwrap();
    assert!(matches!(
        s.create_group(root, "g"),
        Err(StorageError::Unsupported(_))
    ));
    assert!(s.create_group(root, "a/b").is_err());

    // records: f8 of shape [2, 3], scalar i4, text, bool
    let r = s
        .create_leaf(root, "rec", &spec(DType::F64, &[2, 3], true))
        .unwrap();
    assert_eq!(s.info(r).unwrap().shape, vec![0, 2, 3]);
    for k in 0..3 {
        let rec = Array::F64(ArrayD::from_shape_fn(IxDyn(&[2, 3]), |i| {
            (100 * k + 10 * i[0] + i[1]) as f64
        }));
        s.append(r, &rec).unwrap();
    }
    assert_eq!(s.info(r).unwrap().shape, vec![3, 2, 3]);
    let slab = [
        Run::strided(0, 2, 2),
        Run::one(1),
        Run::strided(0, 2, 2),
    ];
    assert_eq!(
        s.read(r, &slab).unwrap(),
        Array::F64(array![[[10.0, 12.0]], [[210.0, 212.0]]].into_dyn())
    );
    let rs = s
        .create_leaf(root, "rec_s", &spec(DType::I32, &[], true))
        .unwrap();
    let rt = s
        .create_leaf(root, "rec_t", &spec(DType::Str, &[2], true))
        .unwrap();
    let rb = s
        .create_leaf(root, "rec_b", &spec(DType::Bool, &[], true))
        .unwrap();
    let rz = s
        .create_leaf(root, "rec_z", &spec(DType::F64, &[0], true))
        .unwrap();
    for k in 0..3 {
        s.append(rs, &Array::scalar(k as i32 * 5)).unwrap();
        s.append(rt, &sample(DType::Str, &[2], k)).unwrap();
        s.append(rb, &Array::scalar(k != 1)).unwrap();
        s.append(rz, &Array::zeros(DType::F64, &[0])).unwrap();
    }
    assert!(s
        .append(
            rt,
            &Array::Str(array!["x".to_string(), "1234567".into()].into_dyn())
        )
        .is_err());
    assert_eq!(
        s.info(rt).unwrap().shape,
        vec![3, 2],
        "failed append rolled back"
    );
    assert_eq!(s.info(rz).unwrap().shape, vec![3, 0]);

    // attributes of each dtype and rank on a group, a dataset, None and an
    // empty leaf
    let targets = ["/", "f8_1", "nothing", "empty_f8"];
    for t in targets {
        let (id, _) = path(&mut s, t);
        for d in DType::ALL {
            for (k, shape) in SHAPES.iter().enumerate() {
                s.set_attr(id, &format!("{d}_{k}"), &sample(d, shape, k))
                    .unwrap();
            }
        }
        s.set_attr(id, "zero", &Array::zeros(DType::I32, &[0]))
            .unwrap();
        s.set_attr(id, "i8_0", &Array::scalar(String::from("replaced")))
            .unwrap();
        s.set_attr(id, "f8_0", &Array::scalar(42.0f64)).unwrap();
        s.set_attr(id, "__hidden", &Array::scalar(1u8)).unwrap();
    }

    let open = s.open_objects().unwrap();
    assert!(open > 1, "nodes are open: {open}");
    s.flush().unwrap();
    s.close().unwrap();
    assert!(s.lookup(root, "g").is_err(), "closed");

    // read everything back from a fresh read-only handle
    let mut s = Hdf5Storage::open(&file, false).unwrap();
    let root = s.root();
    for d in DType::ALL {
        for (k, shape) in SHAPES.iter().enumerate() {
            let (id, kind) = path(&mut s, &format!("{d}_{k}"));
            assert_eq!(kind, Kind::Leaf);
            let info = s.info(id).unwrap();
            assert_eq!((info.dtype, &info.shape[..]), (d, *shape));
            assert!(
                same(&whole(&mut s, id), &sample(d, shape, k)),
                "{d} {shape:?}"
            );
        }
    }
    let (id, _) = path(&mut s, "part");
    assert_eq!(
        whole(&mut s, id),
        Array::I32(array![[0, 1, 0, 2], [0, 0, 0, 0], [0, 3, 0, 4]].into_dyn())
    );
    let (e2, kind) = path(&mut s, "empty_str");
    assert_eq!(kind, Kind::Leaf);
    let info = s.info(e2).unwrap();
    assert_eq!((info.dtype, info.shape.clone()), (DType::Str, vec![2, 0]));
    assert_eq!(whole(&mut s, e2), Array::zeros(DType::Str, &[2, 0]));
    assert_eq!(path(&mut s, "nothing").1, Kind::None);
    assert_eq!(path(&mut s, "lst/_").1, Kind::None);
    let (g, _) = path(&mut s, "g");
    assert_eq!(s.names(g).unwrap(), ["b", "a", "c"]);
    let names = s.names(root).unwrap();
    assert_eq!(
        &names[..3],
        ["i1_0", "i1_1", "i1_2"],
        "root keeps creation order"
    );
    assert_eq!(names.last().map(String::as_str), Some("rec_z"));

    let (r, kind) = path(&mut s, "rec");
    assert_eq!(kind, Kind::Records);
    assert_eq!(s.info(r).unwrap().shape, vec![3, 2, 3]);
    let slab = [
        Run::strided(0, 2, 2),
        Run::all(2),
        Run::strided(1, 1, 1),
    ];
    assert_eq!(
        s.read(r, &slab).unwrap(),
        Array::F64(array![[[1.0], [11.0]], [[201.0], [211.0]]].into_dyn())
    );
    let (rs, _) = path(&mut s, "rec_s");
    assert_eq!(whole(&mut s, rs), Array::I32(array![0, 5, 10].into_dyn()));
    let (rt, _) = path(&mut s, "rec_t");
    let want: Vec<String> = (0..3)
        .flat_map(|k| match sample(DType::Str, &[2], k) {
            Array::Str(a) => a.into_iter(),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        whole(&mut s, rt),
        Array::Str(ArrayD::from_shape_vec(IxDyn(&[3, 2]), want).unwrap())
    );
    let (rb, _) = path(&mut s, "rec_b");
    assert_eq!(
        whole(&mut s, rb),
        Array::Bool(array![true, false, true].into_dyn())
    );
    let (rz, kind) = path(&mut s, "rec_z");
    assert_eq!(kind, Kind::Records);
    assert_eq!(s.info(rz).unwrap().shape, vec![3, 0]);

    for t in targets {
        let (id, _) = path(&mut s, t);
        let names = s.attr_names(id).unwrap();
        assert_eq!(names.len(), 37, "{t}: {names:?}");
        assert_eq!(&names[..2], ["i1_0", "i1_1"], "{t}: creation order");
        assert!(names.iter().all(|n| !n.starts_with("__")));
        assert_eq!(
            &names[names.len() - 2..],
            ["zero", "i8_0"],
            "{t}: replaced last"
        );
        let f8 = names.iter().position(|n| n == "f8_0").unwrap();
        assert_eq!(names[f8 + 1], "f8_1", "{t}: replaced in place");
        for d in DType::ALL {
            for (k, shape) in SHAPES.iter().enumerate() {
                let name = format!("{d}_{k}");
                let got = s.get_attr(id, &name).unwrap().unwrap();
                if name == "i8_0" {
                    assert_eq!(got, Array::scalar(String::from("replaced")));
                } else if name == "f8_0" {
                    assert_eq!(got, Array::scalar(42.0f64));
                } else {
                    assert!(same(&got, &sample(d, shape, k)), "{t} {name}: {got:?}");
                }
            }
        }
        assert_eq!(
            s.get_attr(id, "zero").unwrap(),
            Some(Array::zeros(DType::I32, &[0]))
        );
        assert_eq!(
            s.get_attr(id, "__hidden").unwrap(),
            Some(Array::scalar(1u8))
        );
        assert_eq!(s.get_attr(id, "missing").unwrap(), None);
    }
    s.close().unwrap();

    // really closed: the file can be replaced
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    assert_eq!(s.names(root).unwrap(), Vec::<String>::new());
    s.close().unwrap();
}

#[test]
fn lookup_is_cached() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cache.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    let g = s.create_group(root, "g").unwrap();
    let x = s
        .create_leaf(g, "x", &spec(DType::F64, &[2], false))
        .unwrap();
    assert_eq!(s.lookup(root, "g").unwrap(), Some((g, Kind::Group)));
    assert_eq!(s.lookup(g, "x").unwrap(), Some((x, Kind::Leaf)));
    s.close().unwrap();

    let mut s = Hdf5Storage::open(&file, true).unwrap();
    let root = s.root();
    let a = s.lookup(root, "g").unwrap().unwrap();
    let b = s.lookup(root, "g").unwrap().unwrap();
    assert_eq!(a, b);
    let x1 = s.lookup(a.0, "x").unwrap().unwrap();
    let x2 = s.lookup(a.0, "x").unwrap().unwrap();
    assert_eq!(x1, x2);
    assert_eq!(s.nodes.len(), 3, "nothing reopened");
    // r+ : append to the file
    let y = s
        .create_leaf(a.0, "y", &spec(DType::U8, &[], false))
        .unwrap();
    assert_eq!(s.lookup(a.0, "y").unwrap(), Some((y, Kind::Leaf)));
    assert_eq!(s.names(a.0).unwrap(), ["x", "y"]);
    s.close().unwrap();
}

#[test]
fn bad_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.h5");
    std::fs::write(&file, b"\x89HDF\r\n\x1a\nnot really").unwrap();
    assert!(matches!(
        Hdf5Storage::open(&file, false),
        Err(StorageError::Library(_))
    ));
    assert!(Hdf5Storage::open(&dir.path().join("missing.h5"), false).is_err());
}

/// A transient copy of a predefined type, with `edit` applied.
fn raw_type(base: hdf5_sys::h5i::hid_t, edit: impl FnOnce(hdf5_sys::h5i::hid_t)) -> hdf5::Datatype {
    raw::locked(|| unsafe {
        let id = hdf5_sys::h5t::H5Tcopy(base);
        assert!(id >= 0);
        edit(id);
        hdf5::from_id::<hdf5::Datatype>(id).unwrap()
    })
}

/// A file as other tools write it: big-endian numbers, a half float,
/// variable-length strings, zero-sized and null datasets, a record dataset
/// with a chunk of its own, and no creation-order tracking.
#[test]
fn foreign_file() {
    use hdf5::types::VarLenUnicode;
    use hdf5::{Conversion, Extents};
    use hdf5_sys::h5t::{H5Tset_ebias, H5Tset_fields, H5Tset_size};

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("foreign.h5");
    {
        let f = hdf5::File::create(&file).unwrap();
        let be = raw_type(*hdf5::globals::H5T_STD_I32BE, |_| {});
        let ds = f
            .new_dataset_builder()
            .empty_as(&be)
            .shape(3)
            .create("be")
            .unwrap();
        ds.write_raw(&[1i32, -2, 3]).unwrap();
        let half = raw_type(*hdf5::globals::H5T_IEEE_F32LE, |id| unsafe {
            assert!(H5Tset_fields(id, 15, 10, 5, 0, 10) >= 0);
            assert!(H5Tset_size(id, 2) >= 0);
            assert!(H5Tset_ebias(id, 15) >= 0);
        });
        let ds = f
            .new_dataset_builder()
            .empty_as(&half)
            .shape(2)
            .create("half")
            .unwrap();
        ds.as_writer()
            .conversion(Conversion::Soft)
            .write_raw(&[1.5f32, -0.25])
            .unwrap();
        let vs: Vec<VarLenUnicode> = ["héllo", "", "x"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let ds = f
            .new_dataset::<VarLenUnicode>()
            .shape(3)
            .create("vs")
            .unwrap();
        ds.write_raw(&vs).unwrap();
        f.new_dataset::<f64>().shape((0, 3)).create("zero").unwrap();
        f.new_dataset::<f64>()
            .shape(Extents::Null)
            .create("null")
            .unwrap();
        f.new_dataset::<f32>()
            .shape((0.., 2))
            .chunk((4, 2))
            .create("rec")
            .unwrap();
        f.create_group("z").unwrap();
        f.create_group("a").unwrap();
        f.new_attr::<VarLenUnicode>()
            .create("title")
            .unwrap()
            .write_scalar(&"héllo".parse::<VarLenUnicode>().unwrap())
            .unwrap();
        f.new_attr::<i16>()
            .shape(2)
            .create("b_attr")
            .unwrap()
            .write_raw(&[1i16, 2])
            .unwrap();
    }
    let mut s = Hdf5Storage::open(&file, true).unwrap();
    let root = s.root();
    assert_eq!(
        s.names(root).unwrap(),
        ["a", "be", "half", "null", "rec", "vs", "z", "zero"]
    );
    let (be, _) = path(&mut s, "be");
    assert_eq!(whole(&mut s, be), Array::I32(array![1, -2, 3].into_dyn()));
    s.write(be, &[Run::one(1)], &Array::I32(array![7].into_dyn()))
        .unwrap();
    assert_eq!(whole(&mut s, be), Array::I32(array![1, 7, 3].into_dyn()));
    let (half, _) = path(&mut s, "half");
    assert_eq!(s.info(half).unwrap().dtype, DType::F32);
    assert_eq!(
        whole(&mut s, half),
        Array::F32(array![1.5, -0.25].into_dyn())
    );
    let (vs, _) = path(&mut s, "vs");
    let strs = |v: &[&str]| {
        Array::Str(
            ArrayD::from_shape_vec(IxDyn(&[v.len()]), v.iter().map(|x| x.to_string()).collect())
                .unwrap(),
        )
    };
    assert_eq!(whole(&mut s, vs), strs(&["héllo", "", "x"]));
    let long = "a much longer string than any before";
    s.write(vs, &[Run::one(1)], &strs(&[long])).unwrap();
    assert_eq!(whole(&mut s, vs), strs(&["héllo", long, "x"]));
    assert!(s.write(vs, &[Run::one(1)], &strs(&["nul\0byte"])).is_err());
    let (zero, kind) = path(&mut s, "zero");
    assert_eq!(kind, Kind::Leaf);
    assert_eq!(s.info(zero).unwrap().shape, vec![0, 3]);
    assert_eq!(whole(&mut s, zero), Array::zeros(DType::F64, &[0, 3]));
    assert_eq!(path(&mut s, "null").1, Kind::None);
    let (rec, kind) = path(&mut s, "rec");
    assert_eq!(kind, Kind::Records);
    s.append(rec, &Array::F32(array![1.0, 2.0].into_dyn()))
        .unwrap();
    assert_eq!(
        whole(&mut s, rec),
        Array::F32(array![[1.0, 2.0]].into_dyn())
    );
    assert_eq!(s.attr_names(root).unwrap(), ["b_attr", "title"]);
    assert_eq!(
        s.get_attr(root, "title").unwrap(),
        Some(Array::scalar(String::from("héllo")))
    );
    s.close().unwrap();
}

/// Odd shapes from other tools: only a dataset whose leading axis alone is
/// unlimited is a record variable; a dataset too large to address is an
/// error on lookup (no overflow, no abort); a group `_`, `_0`, `_2` has a
/// gap, so it is a plain group and every member stays readable.
#[test]
fn odd_shapes_and_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("odd.h5");
    {
        let f = hdf5::File::create(&file).unwrap();
        f.new_dataset::<f64>()
            .shape((0.., 0..))
            .chunk((2, 2))
            .create("two_unlimited")
            .unwrap();
        f.new_dataset::<f64>()
            .shape((2, 0..))
            .chunk((2, 2))
            .create("late_unlimited")
            .unwrap();
        f.new_dataset::<u8>()
            .shape((1usize << 31, 1usize << 31))
            .chunk((1, 1))
            .create("huge")
            .unwrap();
        let g = f.create_group("gappy").unwrap();
        for name in ["_", "_0", "_2"] {
            g.new_dataset::<i32>()
                .shape(())
                .create(name)
                .unwrap()
                .write_scalar(&7)
                .unwrap();
        }
    }
    let mut s = Hdf5Storage::open(&file, false).unwrap();
    let root = s.root();
    assert_eq!(path(&mut s, "two_unlimited").1, Kind::Leaf);
    assert_eq!(path(&mut s, "late_unlimited").1, Kind::Leaf);
    let (late, _) = path(&mut s, "late_unlimited");
    assert_eq!(s.info(late).unwrap().shape, vec![2, 0]);
    let e = s.lookup(root, "huge").unwrap_err();
    assert!(e.to_string().contains("too many elements"), "{e}");
    s.close().unwrap();

    let f = crate::open(&file, "r").unwrap();
    assert_eq!(f.kind("gappy").unwrap(), crate::Kind::Group);
    let g = f.group("gappy").unwrap();
    assert_eq!(g.names().unwrap(), ["_", "_0", "_2"]);
    assert_eq!(g.read::<i32>("_2").unwrap(), 7);
    let e = f.get("huge").unwrap_err();
    assert!(e.to_string().contains("/huge"), "{e}");
    let two = f.read::<ArrayD<f64>>("two_unlimited").unwrap();
    assert_eq!(two.shape(), [0, 0]);
}

/// The hot path: recording through the tree opens no new HDF5 object per
/// record, in mode 1 (datasets) and mode 2 (list groups), nor per read.
#[test]
fn recording_opens_nothing_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let f = crate::open(dir.path().join("hot.h5"), "w").unwrap();
    let counts = |f: &crate::QGroup| {
        let core = f.file.lock().unwrap();
        match core.storage.inner() {
            crate::backend::AnyStorage::Hdf5(s) => (s.nodes.len(), s.open_objects().unwrap()),
            _ => unreachable!("an HDF5 file"),
        }
    };
    let g = f.create_group("g").unwrap();
    let step = |k: usize| {
        f.set_recording(crate::Recording::Uniform);
        f.set("time", k as f64).unwrap();
        f.set("xy", vec![k as f32; 4]).unwrap();
        g.set_recording(crate::Recording::Uniform);
        g.set("e", k as i64).unwrap();
        f.set_recording(crate::Recording::Any);
        f.set("any", Value::from(vec![1u8; k % 3])).unwrap();
        assert_eq!(f.current_record(), Some(k as isize), "record {k}");
        assert_eq!(f.read::<f64>("time").unwrap(), k as f64);
    };
    step(0);
    step(1);
    let (nodes, open) = counts(&f);
    for k in 2..200 {
        step(k);
    }
    // Mode 2 creates one dataset per record; mode 1 creates nothing.
    let (nodes2, open2) = counts(&f);
    assert_eq!(nodes2 - nodes, 198, "one new node per mode-2 record only");
    assert_eq!(
        open2 - open,
        198,
        "one new open object per mode-2 record only"
    );
    f.goto_off();
    assert_eq!(f.read::<Vec<f64>>("time").unwrap().len(), 200);
}

/// Files are opened close-on-exec, so a child process never inherits one
/// (and HDF5's lock on it): a Python reader started while another file is
/// open must be able to open a file this process has closed.
#[cfg(unix)]
#[test]
fn files_are_close_on_exec() {
    use hdf5_sys::h5f::H5Fget_vfd_handle;
    let dir = tempfile::tempdir().unwrap();
    for writable in [true, false] {
        let file = dir.path().join("cloexec.h5");
        let s = if writable {
            Hdf5Storage::create(&file).unwrap()
        } else {
            Hdf5Storage::open(&file, false).unwrap()
        };
        let f = s.file.as_ref().unwrap();
        let flags = raw::locked(|| unsafe {
            let mut handle: *mut std::ffi::c_void = std::ptr::null_mut();
            assert!(H5Fget_vfd_handle(f.id(), hdf5_sys::h5p::H5P_DEFAULT, &mut handle) >= 0);
            libc::fcntl(*handle.cast::<std::ffi::c_int>(), libc::F_GETFD)
        });
        assert!(flags >= 0 && flags & libc::FD_CLOEXEC != 0, "flags {flags}");
    }
}
