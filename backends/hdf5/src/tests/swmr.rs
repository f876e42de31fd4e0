//! SWMR: new files have a v3 superblock; recording enters SWMR writing at
//! a flush once a record variable exists, leaves it to create anything
//! (every node id staying valid) and enters it again at the next append;
//! committed datatypes (None, empty leaves) do not keep it from starting;
//! files with an older superblock never enter it; a read-only handle
//! refreshes keeping its ids.

use super::*;

fn f8_records(k: usize, n: usize) -> Array {
    Array::F64(ArrayD::from_shape_fn(IxDyn(&[n]), |i| (k + i[0]) as f64))
}

#[test]
fn new_files_have_a_v3_superblock() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let v = raw::swmr::superblock_version(s.file.as_ref().unwrap()).unwrap();
    assert_eq!(v, 3);
    s.close().unwrap();
    assert!(superblock_v3(&file));
}

#[test]
fn recording_enters_swmr_at_flush_and_leaves_it_to_create() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("swmr.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    let none = s.create_none(root, "nothing").unwrap();
    let empty = s
        .create_leaf(root, "empty", &spec(DType::I32, &[0, 2], false))
        .unwrap();
    let g = s.create_group(root, "g").unwrap();
    s.set_attr(g, "units", &Array::scalar(String::from("cm")))
        .unwrap();
    // declared, written only once in SWMR mode
    let state = s
        .create_leaf(root, "state", &spec(DType::F64, &[3], false))
        .unwrap();
    // no record variable yet: a flush does not enter SWMR
    s.flush().unwrap();
    assert!(!s.swmr_writing().unwrap());
    let time = s
        .create_leaf(g, "time", &spec(DType::F64, &[], true))
        .unwrap();
    s.append_records(time, &f8_records(0, 5)).unwrap();
    s.flush().unwrap();
    assert!(s.swmr_writing().unwrap(), "in SWMR after the flush");
    assert_eq!(s.swmr, Swmr::On);
    // appends, writes and flushes stay in SWMR
    s.append_records(time, &f8_records(5, 5)).unwrap();
    s.write(state, &Run::whole(&[3]), &f8_records(7, 3))
        .unwrap();
    s.flush().unwrap();
    assert!(s.swmr_writing().unwrap());

    // a creation leaves SWMR (the file is opened again) and enters it
    // again right after; every id still names its node
    assert_eq!(s.left, 0);
    let u = s
        .create_leaf(root, "u", &spec(DType::F64, &[], true))
        .unwrap();
    assert_eq!(s.left, 1, "left for the creation");
    assert!(s.swmr_writing().unwrap(), "entered again after it");
    assert_eq!(s.lookup(root, "g").unwrap(), Some((g, Kind::Group)));
    assert_eq!(s.lookup(g, "time").unwrap(), Some((time, Kind::Records)));
    assert_eq!(s.records(time).unwrap(), 10);
    assert_eq!(s.info(empty).unwrap().shape, [0, 2]);
    assert_eq!(
        s.get_attr(g, "units").unwrap(),
        Some(Array::scalar(String::from("cm")))
    );
    assert!(s.get_attr(none, "x").unwrap().is_none());
    s.append_records(u, &f8_records(0, 3)).unwrap();
    s.append_records(time, &f8_records(10, 2)).unwrap();
    assert!(s.swmr_writing().unwrap());
    // attributes leave it too, for as long
    s.set_attr(time, "units", &Array::scalar(String::from("s")))
        .unwrap();
    assert_eq!(s.left, 2, "left for the attribute");
    assert!(s.swmr_writing().unwrap(), "entered again after it");
    // a refused creation too
    assert!(s.create_group(root, "g").is_err());
    assert!(s.swmr_writing().unwrap(), "entered again after a refusal");
    s.flush().unwrap();
    assert!(s.swmr_writing().unwrap());
    s.close().unwrap();

    let mut r = Hdf5Storage::open(&file, false).unwrap();
    let (time, _) = path(&mut r, "g/time");
    assert_eq!(whole(&mut r, time), f8_records(0, 12));
    let (u, _) = path(&mut r, "u");
    assert_eq!(whole(&mut r, u), f8_records(0, 3));
    assert_eq!(path(&mut r, "nothing").1, Kind::None);
    let (state, _) = path(&mut r, "state");
    assert_eq!(whole(&mut r, state), f8_records(7, 3));
    let (empty, _) = path(&mut r, "empty");
    assert_eq!(r.info(empty).unwrap().shape, [0, 2]);
    assert_eq!(
        r.get_attr(time, "units").unwrap(),
        Some(Array::scalar(String::from("s")))
    );
    // a refresh opens the file again: the same ids, the same data
    r.refresh().unwrap();
    assert_eq!(whole(&mut r, time), f8_records(0, 12));
    assert_eq!(path(&mut r, "u").0, u);
    r.close().unwrap();
}

#[test]
fn files_with_an_older_superblock_never_enter_swmr() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("old.h5");
    h5_create(&file).close().unwrap();
    assert!(!superblock_v3(&file));
    let mut s = Hdf5Storage::open(&file, true).unwrap();
    assert_eq!(s.swmr, Swmr::Never);
    let root = s.root();
    let time = s
        .create_leaf(root, "time", &spec(DType::F64, &[], true))
        .unwrap();
    s.append_records(time, &f8_records(0, 4)).unwrap();
    s.flush().unwrap();
    assert!(!s.swmr_writing().unwrap());
    s.close().unwrap();
    let mut r = Hdf5Storage::open(&file, false).unwrap();
    let (time, _) = path(&mut r, "time");
    assert_eq!(whole(&mut r, time), f8_records(0, 4));
}

/// A committed datatype open through another handle of the file in this
/// process keeps HDF5 from starting SWMR writing: the flush still works,
/// the file stays outside SWMR mode.
#[test]
fn a_refused_start_leaves_the_file_outside_swmr() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shared.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    s.create_none(root, "nothing").unwrap();
    let time = s
        .create_leaf(root, "time", &spec(DType::F64, &[], true))
        .unwrap();
    s.append_records(time, &f8_records(0, 3)).unwrap();
    s.flush().unwrap();
    s.close().unwrap();

    let mut w = Hdf5Storage::open(&file, true).unwrap();
    let mut r = Hdf5Storage::open(&file, false).unwrap();
    assert_eq!(path(&mut r, "nothing").1, Kind::None);
    let (time, _) = path(&mut w, "time");
    w.append_records(time, &f8_records(3, 2)).unwrap();
    w.flush().unwrap();
    assert_eq!(w.swmr, Swmr::Never);
    assert!(!w.swmr_writing().unwrap());
    let (rt, _) = path(&mut r, "time");
    assert_eq!(whole(&mut r, rt), f8_records(0, 5));
    r.close().unwrap();
    w.close().unwrap();
}

/// A virtual dataset made while recording (SWMR left for it) stays
/// readable once SWMR writing starts again with it open.
#[test]
fn a_virtual_dataset_stays_readable_in_swmr() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vds.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    let x = s
        .create_leaf(root, "x", &spec(DType::F64, &[4], false))
        .unwrap();
    s.write(x, &Run::whole(&[4]), &f8_records(0, 4)).unwrap();
    let time = s
        .create_leaf(root, "time", &spec(DType::F64, &[], true))
        .unwrap();
    s.append_records(time, &f8_records(0, 3)).unwrap();
    s.flush().unwrap();
    assert_eq!(s.swmr, Swmr::On);
    let map = VirtualMap {
        dest: Run::whole(&[4]),
        file: PathBuf::from("."),
        dataset: "/x".into(),
        src: Run::whole(&[4]),
    };
    let v = s
        .create_virtual(root, "v", DType::F64, &[4], &[map])
        .unwrap();
    s.append_records(time, &f8_records(3, 1)).unwrap();
    assert_eq!(s.swmr, Swmr::On, "entered again with the VDS open");
    assert_eq!(whole(&mut s, v), f8_records(0, 4));
    s.flush().unwrap();
    s.close().unwrap();
    let mut r = Hdf5Storage::open(&file, false).unwrap();
    let (v, _) = path(&mut r, "v");
    assert_eq!(whole(&mut r, v), f8_records(0, 4));
}

/// A writer that cannot open its file again to leave SWMR mode (here the
/// file was moved away) is closed, and every later append, flush and
/// close fails naming that failure: never Ok from a storage that holds no
/// file.
#[test]
fn a_failed_reopen_fails_every_later_call() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("moved.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    let time = s
        .create_leaf(root, "time", &spec(DType::F64, &[], true))
        .unwrap();
    s.append_records(time, &f8_records(0, 5)).unwrap();
    s.flush().unwrap();
    assert_eq!(s.swmr, Swmr::On);
    std::fs::rename(&file, dir.path().join("elsewhere.h5")).unwrap();
    let first = s
        .create_leaf(root, "u", &spec(DType::F64, &[], true))
        .unwrap_err()
        .to_string();
    for (call, e) in [
        ("append", s.append_records(time, &f8_records(5, 1)).err()),
        ("flush", s.flush().err()),
        ("close", s.close().err()),
    ] {
        let e = e.unwrap_or_else(|| panic!("{call} said Ok after the file was closed"));
        assert!(matches!(e, StorageError::Library(_)), "{call}: {e:?}");
        assert!(e.to_string().contains(&first), "{call}: {e} lacks {first}");
    }
}

/// Only a writer holding the file makes an open wait and try again: HDF5's
/// lock or the flags of a file open for writing, not any message that
/// happens to hold "lock" (a damaged "superblock").
#[test]
fn only_a_busy_file_is_tried_again() {
    let e = |m: &str| StorageError::Unsupported(m.into());
    assert!(busy(&e(
        "H5Fopen(): unable to open file: unable to lock file, errno = 11, error message = \
         'Resource temporarily unavailable'"
    )));
    assert!(busy(&e(
        "H5Fopen(): unable to open file: file is already open for write (may use <h5clear \
         file> to clear file consistency flags)"
    )));
    for damaged in [
        "H5Fopen(): unable to open file: bad superblock version number",
        "H5Fopen(): unable to open file: unable to load superblock",
        "H5Dread(): can't read data: block read failed",
    ] {
        assert!(!busy(&e(damaged)), "{damaged}");
    }
}
