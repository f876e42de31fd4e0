//! Files written by LLNL's Python qnd (`shared/fixtures`, made by its
//! `make_fixtures.py`), read through the storage: kinds, dtypes, values,
//! strided reads, member order and lookups. That each reads as its JSON
//! (`X.h5.json`, through qnd's `to_json`) is checked by qnd's
//! `tests/hdf5_backend.rs`.

use ndarray::array;

use super::*;

/// Fixture `name`, open read-only, if it is there.
fn open_fixture(name: &str) -> Option<Hdf5Storage> {
    let p = fixture(name)?;
    Some(Hdf5Storage::open(&p, false).unwrap())
}

#[test]
fn fixture_types() {
    let Some(mut s) = open_fixture("types.h5") else {
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
            &[Run::one(1), Run::strided(0, 2, 2), Run::strided(1, 2, 2)],
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
    let Some(mut s) = open_fixture("tree.h5") else {
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
    let Some(mut s) = open_fixture("history.h5") else {
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
