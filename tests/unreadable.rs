//! Items qnd has no kind for ([`Kind::Other`]: a compound of other
//! fields, opaque data, a netCDF-4 vlen, ...): listed, never read or
//! written. The same checks ([`listed_not_read`], [`not_written`]) run on
//! the in-memory backend (no C library: [`MemoryStorage::create_other`]),
//! on the HDF5 fixture `complex/other.h5` written by h5py, and on a
//! netCDF-4 file with a vlen variable written by netCDF4-python (skipped
//! without `QND_PYTHON`).

#[macro_use]
mod common;

#[cfg(feature = "hdf5")]
use std::path::{Path, PathBuf};

use ndarray::{array, s};
use qnd::backend::{DType, LeafSpec, MemoryStorage, Storage};
use qnd::{Auto, Change, Error, ItemKind, Kind, LeftOut, QGroup, Tolerance, Value};

/// A memory file: `x` (f8 [2]), `table` (of type `what`), group `g` with
/// `y` and `inner` (a vlen), list `lst` of [leaf, other, None].
fn memory_with_other(what: &str) -> QGroup {
    let mut m = MemoryStorage::new();
    let root = m.root();
    m.create_other(root, "table", what).unwrap();
    let g = m.create_group(root, "g").unwrap();
    m.create_other(g, "inner", "vlen of i4 [2]").unwrap();
    let lst = m.create_group(root, "lst").unwrap();
    m.create_none(lst, "_").unwrap();
    let spec = LeafSpec {
        dtype: DType::F64,
        shape: vec![],
        records: false,
        text_len: 0,
    };
    m.create_leaf(lst, "_0", &spec).unwrap();
    m.create_other(lst, "_1", "opaque (16 bytes) []").unwrap();
    m.create_none(lst, "_2").unwrap();
    let f = qnd::memory_from(m);
    f.set("x", array![1.0, 2.0]).unwrap();
    f.set("g/y", 7i32).unwrap();
    f
}

const TABLE: &str = "compound {a: i4, b: f8} [3]";

/// `e` is [`Error::Unreadable`] of item `path` of type `what` in `f`'s
/// file, and says so in full.
#[track_caller]
fn is_unreadable(e: &Error, f: &QGroup, path: &str, what: &str) {
    let file = f.file_path();
    match e {
        Error::Unreadable {
            file: fe,
            path: pe,
            what: we,
        } => {
            assert_eq!((fe, pe.as_str(), we.as_str()), (&file, path, what), "{e}");
        }
        other => panic!("expected Error::Unreadable of {path}, got {other:?} ({other})"),
    }
    assert_eq!(
        e.to_string(),
        format!(
            "{}: {path}: {what}: qnd has no kind for this item (it is listed, never read or \
             written)",
            file.display()
        )
    );
}

/// Member `name` of the root of `f`, of type `what`, is listed and never
/// read, and the members beside it read as ever. `readable` is another
/// member, a leaf.
fn listed_not_read(f: &QGroup, name: &str, what: &str, readable: &str) {
    let path = format!("/{name}");
    // listed
    assert!(f.names().unwrap().iter().any(|n| n == name));
    assert!(f.contains(name).unwrap());
    assert!(f.contains(&path).unwrap());
    assert_eq!(f.kind(name).unwrap(), Kind::Other);
    assert_eq!(f.other_type(name).unwrap(), what);
    assert_eq!(f.other_type(&path).unwrap(), what);
    // asking the type of what is no such item
    let e = expect_err!(f.other_type(readable), Error::Mismatch { .. });
    assert_eq!(common::mismatch(&e).1, "an item qnd has no kind for", "{e}");
    expect_err!(f.other_type("no such"), Error::NoItem { .. });
    // every way of reading it
    let unreadable = |e: Error| is_unreadable(&e, f, &path, what);
    unreadable(f.read::<Value>(name).unwrap_err());
    unreadable(f.read::<Vec<f64>>(name).unwrap_err());
    unreadable(f.get(name).unwrap_err());
    unreadable(f.item(name).unwrap_err());
    unreadable(f.leaf(name).unwrap_err());
    unreadable(f.read_part::<Value>(name, s![..]).unwrap_err());
    unreadable(f.get_or(name, 0.0).unwrap_err());
    unreadable(f.to_value().unwrap_err());
    unreadable(f.read_all::<Value>().unwrap_err());
    {
        let f = f.push();
        f.set_auto(Auto::All);
        unreadable(f.get("/").unwrap_err());
    }
    // through a path through it
    let through = format!("{name}/z");
    let e = expect_err!(f.read::<Value>(&through), Error::Mismatch { .. });
    assert_eq!(common::mismatch(&e).2, "an item qnd has no kind for");
    // iterating the members: that one is an error, the rest read
    let mut seen = 0;
    for item in f.items().unwrap() {
        match item {
            Ok((n, _)) => assert_ne!(n, name),
            Err(e @ Error::Unreadable { .. }) if common::error_path(&e) == Some(&path) => {
                unreadable(e);
                seen += 1;
            }
            // a group or list holding another such item, read whole
            Err(e) => assert!(matches!(e, Error::Unreadable { .. }), "{e}"),
        }
    }
    assert_eq!(seen, 1);
    // the rest reads
    assert!(f.read::<Value>(readable).is_ok());
    // it has an attribute handle (attributes a backend can read are kept)
    assert!(f.attrs(name).is_ok());
}

/// Writing over member `name` of `f` (open for writing) is refused and
/// leaves it as it was; copies stop at it or leave it out; removing it
/// works.
fn not_written(f: &QGroup, name: &str, what: &str) {
    let path = format!("/{name}");
    is_unreadable(&f.set(name, 1.0).unwrap_err(), f, &path, what);
    is_unreadable(&f.set(name, Value::None).unwrap_err(), f, &path, what);
    let mut m = indexmap::IndexMap::new();
    m.insert(name.to_string(), Value::from(2.0));
    assert!(f.update(m).is_err());
    assert_eq!(f.kind(name).unwrap(), Kind::Other);
    assert_eq!(f.other_type(name).unwrap(), what);

    // a copy stops at it; a copy that skips leaves it out and says so
    let e = expect_err!(f.copy_to(&qnd::memory()), Error::Unreadable { .. });
    assert!(e.to_string().contains(what), "{e}");
    let dst = qnd::memory();
    let left = f.copy_to_skipping(&dst, &mut |_, _| {}).unwrap();
    assert!(
        left.contains(&LeftOut {
            path: path.clone(),
            what: what.into()
        }),
        "{left:?}"
    );
    assert!(!dst.contains(name).unwrap());
    let others: Vec<String> = f
        .names()
        .unwrap()
        .into_iter()
        .filter(|n| n != name)
        .collect();
    let mut kept = dst.names().unwrap();
    kept.retain(|n| others.contains(n));
    assert_eq!(kept, others, "every other member is copied, in order");

    // a file compared with itself: the same
    let d = qnd::diff(f, f, &Tolerance::EXACT).unwrap();
    assert!(d.is_empty(), "{d}");
    // with the copy: only it is missing
    let d = qnd::diff(f, &dst, &Tolerance::EXACT).unwrap();
    assert!(
        d.at(&path).any(|c| *c == Change::Missing(qnd::Side::A)),
        "{d}"
    );

    // removing it (where the format removes members) works
    if f.capabilities().remove {
        f.remove(name).unwrap();
        assert!(!f.contains(name).unwrap());
        expect_err!(f.other_type(name), Error::NoItem { .. });
    }
}

#[test]
fn memory_listed_not_read() {
    let f = memory_with_other(TABLE);
    listed_not_read(&f, "table", TABLE, "x");
}

#[test]
fn memory_not_written() {
    let f = memory_with_other(TABLE);
    not_written(&f, "table", TABLE);
}

/// In a subgroup and in a list: listed, errors name the element, a list
/// read whole fails, a copy that skips puts None in the list's place.
#[test]
fn memory_in_groups_and_lists() {
    let f = memory_with_other(TABLE);
    let g = f.group("g").unwrap();
    assert_eq!(g.other_type("inner").unwrap(), "vlen of i4 [2]");
    assert_eq!(f.other_type("g/inner").unwrap(), "vlen of i4 [2]");
    is_unreadable(
        &f.read::<Value>("g/inner").unwrap_err(),
        &f,
        "/g/inner",
        "vlen of i4 [2]",
    );
    is_unreadable(&g.to_value().unwrap_err(), &f, "/g/inner", "vlen of i4 [2]");
    assert_eq!(g.read::<i32>("y").unwrap(), 7);

    let l = f.list("lst").unwrap();
    assert_eq!(l.len().unwrap(), 3);
    assert_eq!(l.kind(1).unwrap(), Kind::Other);
    assert_eq!(l.other_type(1).unwrap(), "opaque (16 bytes) []");
    assert_eq!(l.other_type(-2).unwrap(), "opaque (16 bytes) []");
    expect_err!(l.other_type(0), Error::Mismatch { .. });
    let opaque = "opaque (16 bytes) []";
    is_unreadable(&l.get(1).unwrap_err(), &f, "/lst[1]", opaque);
    is_unreadable(&l.read::<Value>(1).unwrap_err(), &f, "/lst[1]", opaque);
    is_unreadable(&l.leaf(1).unwrap_err(), &f, "/lst[1]", opaque);
    is_unreadable(&l.to_value().unwrap_err(), &f, "/lst[1]", opaque);
    is_unreadable(&l.set(1, 2.0).unwrap_err(), &f, "/lst[1]", opaque);
    assert_eq!(l.read::<f64>(0).unwrap(), 0.0);

    let dst = qnd::memory();
    let left = f.copy_to_skipping(&dst, &mut |_, _| {}).unwrap();
    let paths: Vec<&str> = left.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(paths, ["/table", "/g/inner", "/lst[1]"]);
    assert_eq!(dst.names().unwrap(), ["g", "lst", "x"]);
    assert_eq!(dst.group("g").unwrap().names().unwrap(), ["y"]);
    // the list keeps its length: None stands in for the item left out
    assert_eq!(
        dst.read::<Value>("lst").unwrap(),
        Value::List(vec![Value::from(0.0), Value::None, Value::None])
    );
}

/// Writing a new value over one through serde is refused, as `set` is.
#[cfg(feature = "serde")]
#[test]
fn memory_serde_refused() {
    #[derive(serde::Serialize)]
    struct G {
        inner: f64,
        y: i32,
    }
    let f = memory_with_other(TABLE);
    let e = f.set_serde("g", &G { inner: 1.0, y: 3 }).unwrap_err();
    is_unreadable(&e, &f, "/g/inner", "vlen of i4 [2]");
    assert_eq!(f.read::<i32>("g/y").unwrap(), 7, "nothing written");
    assert!(f
        .read_serde::<std::collections::BTreeMap<String, f64>>("g")
        .is_err());
}

/// diff: two items of one type are equal; of two types, or against
/// another kind, a kind difference; the diff goes on past them.
#[test]
fn memory_diff() {
    let a = memory_with_other(TABLE);
    let b = memory_with_other(TABLE);
    let d = qnd::diff(&a, &b, &Tolerance::EXACT).unwrap();
    assert!(d.is_empty(), "{d}");

    let c = memory_with_other("compound {a: i4, c: f4} [3]");
    c.set("g/y", 8i32).unwrap();
    let d = qnd::diff(&a, &c, &Tolerance::EXACT).unwrap();
    let kinds: Vec<&Change> = d.at("/table").collect();
    assert_eq!(
        kinds,
        [&Change::Kind {
            a: ItemKind::Other(TABLE.into()),
            b: ItemKind::Other("compound {a: i4, c: f4} [3]".into()),
        }]
    );
    assert!(d.to_string().contains(
        "/table: kind differs: other (compound {a: i4, b: f8} [3]) vs other (compound {a: i4, \
         c: f4} [3])"
    ));
    // the rest is still compared
    assert_eq!(d.at("/g/y").count(), 1, "{d}");

    let leaf = qnd::memory();
    leaf.set("table", array![1.0, 2.0, 3.0]).unwrap();
    let d = qnd::diff_path(&a, &leaf, "/table", &Tolerance::EXACT).unwrap();
    assert_eq!(
        d.differences()[0].change,
        Change::Kind {
            a: ItemKind::Other(TABLE.into()),
            b: ItemKind::Leaf,
        }
    );
    // attributes of two such items are compared
    a.attrs("table").unwrap().set("units", "cm").unwrap();
    let d = qnd::diff(&a, &b, &Tolerance::EXACT).unwrap();
    assert_eq!(d.to_string(), "/table: attribute units only in A\n");
}

/// A copy of the HDF5 fixture `complex/other.h5` (h5py: `x`, `g/y`, and
/// `particles`, a compound of `id` and `mass`), writable; `None` (and a
/// skip message) without the fixture or without HDF5 reporting such items.
#[cfg(feature = "hdf5")]
fn hdf5_fixture(dir: &Path) -> Option<PathBuf> {
    let src = common::fixtures::path("complex/other.h5")?;
    let path = dir.join("other.h5");
    std::fs::copy(&src, &path).unwrap();
    // the file has mode r--r--r--: make the copy writable
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)] // a test's own temporary copy
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    match qnd::open(&path, "r") {
        Ok(f) => {
            f.close().unwrap();
            Some(path)
        }
        Err(e) => {
            println!(
                "skipped: {} does not open on this branch: {e}",
                src.display()
            );
            None
        }
    }
}

#[cfg(feature = "hdf5")]
const PARTICLES: &str = "compound {id: i4, mass: f8} [2]";

#[cfg(feature = "hdf5")]
#[test]
fn hdf5_listed_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let Some(path) = hdf5_fixture(dir.path()) else {
        return;
    };
    let f = qnd::open(&path, "r").unwrap();
    listed_not_read(&f, "particles", PARTICLES, "x");
    f.close().unwrap();
}

#[cfg(feature = "hdf5")]
#[test]
fn hdf5_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let Some(path) = hdf5_fixture(dir.path()) else {
        return;
    };
    let f = qnd::open(&path, "r+").unwrap();
    not_written(&f, "particles", PARTICLES);
    f.close().unwrap();
    // what was removed stays removed; the rest is as it was
    let f = qnd::open(&path, "r").unwrap();
    assert_eq!(f.names().unwrap(), ["g", "x"]);
    assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [0.0, 1.0, 2.0]);
    f.close().unwrap();
}

/// Copies to HDF5 and netCDF-4 leave it out and are good files.
#[cfg(feature = "netcdf")]
#[test]
fn hdf5_copies_leave_it_out() {
    let dir = tempfile::tempdir().unwrap();
    let Some(path) = hdf5_fixture(dir.path()) else {
        return;
    };
    let src = qnd::open(&path, "r").unwrap();
    for ext in ["h5", "nc"] {
        let to = dir.path().join(format!("copy.{ext}"));
        let dst = qnd::open(&to, "w").unwrap();
        let left = src.copy_to_skipping(&dst, &mut |_, _| {}).unwrap();
        assert_eq!(
            left,
            [LeftOut {
                path: "/particles".into(),
                what: PARTICLES.into()
            }]
        );
        dst.close().unwrap();
        let dst = qnd::open(&to, "r").unwrap();
        assert_eq!(dst.names().unwrap(), ["g", "x"], "{ext}");
        let d = qnd::diff(&src, &dst, &Tolerance::EXACT).unwrap();
        assert_eq!(d.to_string(), "/particles: only in A\n", "{ext}");
        dst.close().unwrap();
    }
    src.close().unwrap();
}

/// netCDF-4 from netCDF4-python: a vlen variable beside ordinary ones.
#[cfg(feature = "netcdf")]
#[test]
fn netcdf_vlen_listed_not_read() {
    let Some(py) = common::python::Python::find(&["netCDF4", "numpy"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vlen.nc");
    py.run(
        "import sys, numpy as np, netCDF4\n\
         with netCDF4.Dataset(sys.argv[1], 'w') as d:\n\
         \x20   d.createDimension('n', 2)\n\
         \x20   x = d.createVariable('x', 'f8', ('n',)); x[:] = [1.0, 2.0]\n\
         \x20   t = d.createVLType(np.int32, 'ragged_t')\n\
         \x20   v = d.createVariable('ragged', t, ('n',))\n\
         \x20   v[0] = np.array([1, 2, 3], np.int32); v[1] = np.array([4], np.int32)\n",
        &[&path],
    );
    let f = qnd::open(&path, "r").unwrap();
    if f.kind("ragged").unwrap() != Kind::Other {
        println!("skipped: this branch's netCDF backend does not report vlen as Kind::Other");
        return;
    }
    let what = f.other_type("ragged").unwrap();
    assert!(what.contains("vlen"), "{what}");
    listed_not_read(&f, "ragged", &what, "x");
    f.close().unwrap();
    let f = qnd::open(&path, "r+").unwrap();
    not_written(&f, "ragged", &what);
    f.close().unwrap();
}
