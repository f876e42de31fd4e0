//! Links and removal: hard links found again by address after the file is
//! opened again (one object, one id), external links and their dangling,
//! removal and links while SWMR writing, and a removed record variable's
//! kept dataspaces dropped.

use super::*;

fn f8(values: &[f64]) -> Array {
    Array::F64(ndarray::arr1(values).into_dyn())
}

#[test]
fn hard_links_found_by_lookup_are_one_node() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hard.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    let a = s
        .create_leaf(root, "a", &spec(DType::F64, &[2], false))
        .unwrap();
    s.write(a, &Run::whole(&[2]), &f8(&[1.0, 2.0])).unwrap();
    let g = s.create_group(root, "g").unwrap();
    assert_eq!(s.link(g, "b", a).unwrap(), a);
    s.close().unwrap();

    let mut s = Hdf5Storage::open(&file, true).unwrap();
    // found under its second name first, then its first: one node
    let (b, _) = path(&mut s, "g/b");
    let (a, kind) = path(&mut s, "a");
    assert_eq!((a, kind), (b, Kind::Leaf));
    s.write(b, &Run::whole(&[2]), &f8(&[3.0, 4.0])).unwrap();
    assert_eq!(whole(&mut s, a), f8(&[3.0, 4.0]));
    // a node created here, given a second name behind the table's back,
    // is found by its address
    let c = s
        .create_leaf(root, "d", &spec(DType::I32, &[], false))
        .unwrap();
    let g = path(&mut s, "g").0;
    let cname = raw::c_name("e").unwrap();
    let obj = s.node(c).unwrap().obj.id();
    raw::links::create_hard(obj, s.group(g).unwrap(), &cname, &s.plists).unwrap();
    assert_eq!(path(&mut s, "g/e").0, c, "identified by address");
    s.close().unwrap();
}

#[test]
fn external_links_read_their_target_and_dangle_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.h5");
    let mut o = Hdf5Storage::create(&other).unwrap();
    let root = o.root();
    let x = o
        .create_leaf(root, "x", &spec(DType::F64, &[3], false))
        .unwrap();
    o.write(x, &Run::whole(&[3]), &f8(&[1.0, 2.0, 3.0]))
        .unwrap();
    o.close().unwrap();

    let file = dir.path().join("main.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    s.external_link(root, "e", Path::new("other.h5"), "/x")
        .unwrap();
    s.external_link(root, "gone", Path::new("missing.h5"), "/x")
        .unwrap();
    s.soft_link(root, "s", "e").unwrap();
    assert_eq!(
        s.link_info(root, "e").unwrap(),
        Some(LinkTarget::External {
            file: "other.h5".into(),
            path: "/x".into()
        })
    );
    let (e, kind) = path(&mut s, "e");
    assert_eq!(kind, Kind::Leaf);
    assert_eq!(whole(&mut s, e), f8(&[1.0, 2.0, 3.0]));
    assert_eq!(path(&mut s, "s").0, e, "a soft link to the external link");
    let err = s.lookup(root, "gone").unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, StorageError::Dangling(_)) && msg.contains("missing.h5:/x"),
        "{msg}"
    );
    assert!(
        s.external_link(root, "e", Path::new("x.h5"), "/x").is_err(),
        "e exists"
    );
    s.remove(root, "e").unwrap();
    assert!(s.read(e, &Run::whole(&[3])).is_err(), "e's node is gone");
    assert!(matches!(
        s.lookup(root, "s"),
        Err(StorageError::Dangling(_))
    ));
    s.close().unwrap();
    // the target file is untouched
    let mut o = Hdf5Storage::open(&other, false).unwrap();
    let (x, _) = path(&mut o, "x");
    assert_eq!(whole(&mut o, x), f8(&[1.0, 2.0, 3.0]));
    o.close().unwrap();
}

#[test]
fn removal_and_links_while_recording_in_swmr_mode() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("swmr.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    let t = s
        .create_leaf(root, "t", &spec(DType::F64, &[], true))
        .unwrap();
    let u = s
        .create_leaf(root, "u", &spec(DType::F64, &[], true))
        .unwrap();
    s.append_records(t, &f8(&[0.0, 1.0])).unwrap();
    s.append_records(u, &f8(&[5.0])).unwrap();
    s.flush().unwrap();
    assert!(s.swmr_writing().unwrap());
    // u's dataspaces are kept by a read
    assert_eq!(s.records(u).unwrap(), 1);
    s.remove(root, "u").unwrap();
    assert!(s.kept.file_id(u).is_none(), "u's dataspaces dropped");
    assert!(s.records(u).is_err());
    assert_eq!(s.link(root, "time", t).unwrap(), t);
    s.soft_link(root, "latest", "/t").unwrap();
    assert!(s.swmr_writing().unwrap(), "SWMR entered again");
    s.append_records(t, &f8(&[2.0])).unwrap();
    // a new u of another type under the removed name
    let u2 = s
        .create_leaf(root, "u", &spec(DType::I32, &[], true))
        .unwrap();
    assert_ne!(u2, u);
    s.append_records(u2, &Array::I32(ndarray::arr1(&[7]).into_dyn()))
        .unwrap();
    s.flush().unwrap();
    assert_eq!(path(&mut s, "latest").0, t);
    s.close().unwrap();

    let mut s = Hdf5Storage::open(&file, false).unwrap();
    let (time, _) = path(&mut s, "time");
    assert_eq!(whole(&mut s, time), f8(&[0.0, 1.0, 2.0]));
    let (t, _) = path(&mut s, "t");
    assert_eq!(t, time);
    let (u, _) = path(&mut s, "u");
    assert_eq!(s.info(u).unwrap().dtype, DType::I32);
    s.close().unwrap();
}
