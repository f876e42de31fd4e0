//! Everything this backend writes, read back: leaves of every dtype and
//! rank, partial and strided writes, text widths, empty leaves, None,
//! groups and lists in creation order, records of every kind, attributes
//! of every dtype and rank on every kind of node; then a fresh read-only
//! handle, and the file replaced once closed.

use ndarray::array;

use super::*;

#[test]
fn round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rt.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();

    // leaves of every dtype, scalar, 1-d and 2-d
    for d in DType::ALL
        .into_iter()
        .filter(|&d| crate::CAPABILITIES.holds_leaf(d))
    {
        for (k, shape) in SHAPES.iter().enumerate() {
            let id = s
                .create_leaf(root, &format!("{d}_{k}"), &spec(d, shape, false))
                .unwrap();
            let v = sample(d, shape, k);
            s.write(id, &Run::whole(shape), &v).unwrap();
            assert!(same(&whole(&mut s, id), &v), "{d} {shape:?}");
        }
    }
    // a partial, strided write
    let id = s
        .create_leaf(root, "part", &spec(DType::I32, &[3, 4], false))
        .unwrap();
    let patch = Array::I32(array![[1, 2], [3, 4]].into_dyn());
    let slab = [Run::strided(0, 2, 2), Run::strided(1, 2, 2)];
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
    s.write(e2, &Run::whole(&[2, 0]), &Array::zeros(DType::Str, &[2, 0]))
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
    let slab = [Run::strided(0, 2, 2), Run::one(1), Run::strided(0, 2, 2)];
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
        for d in DType::ALL
            .into_iter()
            .filter(|&d| crate::CAPABILITIES.holds_leaf(d))
        {
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
    for d in DType::ALL
        .into_iter()
        .filter(|&d| crate::CAPABILITIES.holds_leaf(d))
    {
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
    let slab = [Run::strided(0, 2, 2), Run::all(2), Run::strided(1, 1, 1)];
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
        for d in DType::ALL
            .into_iter()
            .filter(|&d| crate::CAPABILITIES.holds_leaf(d))
        {
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
