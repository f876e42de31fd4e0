//! The dataspaces kept between reads ([`Kept`]): a record read or record
//! count reuses them (no dataspace asked of the library), and they go
//! wherever a dataset's extent may change or its handle closes: an
//! append, leaving SWMR mode for a creation, a reader's refresh, closing.
//! None is kept for a virtual dataset. Every read stays right throughout.

use super::*;

fn f8(values: &[f64]) -> Array {
    Array::F64(ArrayD::from_shape_vec(IxDyn(&[values.len()]), values.to_vec()).unwrap())
}

fn one(v: f64) -> Array {
    f8(&[v])
}

/// Records `0..n` of `time` as read one at a time: record `k` is `k`, but
/// for those in `changed`.
fn check(s: &mut Hdf5Storage, time: NodeId, n: usize, changed: &[(usize, f64)]) {
    assert_eq!(s.records(time).unwrap(), n);
    for k in 0..n {
        let want = changed
            .iter()
            .find(|(i, _)| *i == k)
            .map_or(k as f64, |&(_, v)| v);
        assert_eq!(
            s.read(time, &[Run::one(k)]).unwrap(),
            one(want),
            "record {k}"
        );
    }
}

#[test]
fn record_reads_reuse_the_kept_dataspaces_until_the_extent_changes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kept.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    let time = s
        .create_leaf(root, "time", &spec(DType::F64, &[], true))
        .unwrap();
    let x = s
        .create_leaf(root, "x", &spec(DType::F64, &[4], false))
        .unwrap();
    s.write(x, &Run::whole(&[4]), &f8(&[0.0, 1.0, 2.0, 3.0]))
        .unwrap();
    s.append_records(time, &f8(&[0.0, 1.0, 2.0])).unwrap();
    s.flush().unwrap();
    assert_eq!(s.swmr, Swmr::On);

    // reads and counts reuse one file dataspace
    assert_eq!(s.kept.file_id(time), None, "nothing kept before a read");
    check(&mut s, time, 3, &[]);
    let kept = s.kept.file_id(time).expect("kept by the reads");
    check(&mut s, time, 3, &[]);
    assert_eq!(s.kept.file_id(time), Some(kept), "the same dataspace");

    // an append changes the extent: forgotten, and the new record read
    s.append(time, &Array::scalar(3.0)).unwrap();
    assert_eq!(s.kept.file_id(time), None, "forgotten by the append");
    check(&mut s, time, 4, &[]);
    s.append_records(time, &f8(&[4.0, 5.0])).unwrap();
    check(&mut s, time, 6, &[]);

    // a write keeps the extent (and the kept dataspaces): read back
    s.write(time, &[Run::one(2)], &one(20.0)).unwrap();
    check(&mut s, time, 6, &[(2, 20.0)]);
    s.write(x, &[Run::strided(1, 2, 1)], &f8(&[10.0, 20.0]))
        .unwrap();
    assert_eq!(
        s.read(x, &Run::whole(&[4])).unwrap(),
        f8(&[0.0, 10.0, 20.0, 3.0])
    );
    assert!(
        s.kept.file_id(x).is_some(),
        "a leaf's dataspaces are kept too"
    );

    // a creation leaves SWMR mode: every handle closed, nothing kept
    s.create_group(root, "g").unwrap();
    assert_eq!(s.left, 1);
    assert_eq!(s.kept.len(), 0, "dropped with the handles");
    check(&mut s, time, 6, &[(2, 20.0)]);
    s.append(time, &Array::scalar(6.0)).unwrap();
    check(&mut s, time, 7, &[(2, 20.0)]);

    // a virtual dataset (its extent follows its sources): never kept
    let map = VirtualMap {
        dest: Run::whole(&[4]),
        file: PathBuf::from("."),
        dataset: "/x".into(),
        src: Run::whole(&[4]),
    };
    let v = s
        .create_virtual(root, "v", DType::F64, &[4], &[map])
        .unwrap();
    assert_eq!(
        s.read(v, &Run::whole(&[4])).unwrap(),
        f8(&[0.0, 10.0, 20.0, 3.0])
    );
    assert_eq!(s.kept.file_id(v), None, "a virtual dataset keeps none");
    s.flush().unwrap();

    s.close().unwrap();
    assert_eq!(s.kept.len(), 0, "dropped at close");

    // a reader keeps them until it refreshes (the tree's tests show a
    // reader seeing a writer's new records after a refresh)
    let mut r = Hdf5Storage::open(&file, false).unwrap();
    let (rt, _) = path(&mut r, "time");
    check(&mut r, rt, 7, &[(2, 20.0)]);
    assert!(r.kept.file_id(rt).is_some());
    r.refresh().unwrap();
    assert_eq!(r.kept.len(), 0, "dropped by the refresh");
    check(&mut r, rt, 7, &[(2, 20.0)]);
    r.close().unwrap();
    assert_eq!(r.kept.len(), 0, "dropped at close");
}

/// A read whose shape changes gets a memory dataspace of that shape;
/// scalars and slabs of a leaf read right whatever came before.
#[test]
fn reads_of_every_shape_share_the_kept_file_dataspace() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shapes.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    let m = s
        .create_leaf(root, "m", &spec(DType::I32, &[3, 4], false))
        .unwrap();
    let all = ArrayD::from_shape_fn(IxDyn(&[3, 4]), |i| (i[0] * 10 + i[1]) as i32);
    s.write(m, &Run::whole(&[3, 4]), &Array::I32(all.clone()))
        .unwrap();
    let scalar = s
        .create_leaf(root, "s", &spec(DType::F64, &[], false))
        .unwrap();
    s.write(scalar, &[], &Array::scalar(2.5)).unwrap();
    for _ in 0..2 {
        assert_eq!(s.read(scalar, &[]).unwrap(), Array::scalar(2.5));
        assert_eq!(
            s.read(m, &Run::whole(&[3, 4])).unwrap(),
            Array::I32(all.clone())
        );
        let row = s.read(m, &[Run::one(1), Run::all(4)]).unwrap();
        assert_eq!(
            row,
            Array::I32(all.slice(ndarray::s![1..2, ..]).to_owned().into_dyn())
        );
        let col = s.read(m, &[Run::all(3), Run::strided(2, 1, 1)]).unwrap();
        assert_eq!(
            col,
            Array::I32(all.slice(ndarray::s![.., 2..3]).to_owned().into_dyn())
        );
        let every_other = s.read(m, &[Run::all(3), Run::strided(0, 2, 2)]).unwrap();
        assert_eq!(
            every_other,
            Array::I32(all.slice(ndarray::s![.., 0..4;2]).to_owned().into_dyn())
        );
        // outside the extent: refused, and the next read is right
        assert!(s.read(m, &[Run::one(3), Run::all(4)]).is_err());
    }
    assert!(s.kept.file_id(m).is_some());
    s.close().unwrap();
}

/// Two handles of one file in one process share it in HDF5: the reader,
/// opened while the writer holds the file, keeps no dataspaces, and sees
/// each append at once (no refresh), as before.
#[test]
fn a_reader_sharing_the_file_with_a_writer_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shared.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    let time = s
        .create_leaf(root, "time", &spec(DType::F64, &[], true))
        .unwrap();
    s.append_records(time, &f8(&[0.0, 1.0, 2.0])).unwrap();
    s.close().unwrap();

    let mut w = Hdf5Storage::open(&file, true).unwrap();
    assert!(w.kept.on, "the writer holds the file alone");
    let mut r = Hdf5Storage::open(&file, false).unwrap();
    assert!(!r.kept.on, "the reader shares it");
    let (wt, _) = path(&mut w, "time");
    let (rt, _) = path(&mut r, "time");
    check(&mut w, wt, 3, &[]);
    check(&mut r, rt, 3, &[]);
    for k in 3..6 {
        w.append(wt, &Array::scalar(k as f64)).unwrap();
        check(&mut w, wt, k + 1, &[]);
        check(&mut r, rt, k + 1, &[]);
    }
    assert_eq!(r.kept.len(), 0);
    r.close().unwrap();
    w.close().unwrap();

    // alone again: kept
    let mut r = Hdf5Storage::open(&file, false).unwrap();
    assert!(r.kept.on);
    let (rt, _) = path(&mut r, "time");
    check(&mut r, rt, 6, &[]);
    assert_eq!(r.kept.len(), 1);
}
