//! `qnd::diff`: two trees compared item by item. Equal trees (a file and
//! its conversion into every format) give no difference; each kind of
//! difference is found at its path, with the right index and maxima;
//! tolerances, NaN, record counts, qnd's own attributes, and leaves larger
//! than a block.
#![cfg(feature = "hdf5")]

mod common;

use std::path::{Path, PathBuf};

use ndarray::{array, Array1, Array2};
use qnd::{
    Array, Change, DType, Differ, Error, ItemKind, NcFormat, QGroup, Recording, Side, Tolerance,
    Value, ValueDiff,
};

const EXACT: Tolerance = Tolerance::EXACT;

/// The one difference of `d`, which must have exactly one.
#[track_caller]
fn only(d: &qnd::Diff) -> (&str, &Change) {
    assert_eq!(d.len(), 1, "expected one difference, got:\n{d}");
    let first = &d.differences()[0];
    (&first.path, &first.change)
}

/// The values difference of `d`, which must be its only difference, at `path`.
#[track_caller]
fn values_at<'a>(d: &'a qnd::Diff, path: &str) -> &'a ValueDiff {
    match only(d) {
        (p, Change::Values(v)) if p == path => v,
        other => panic!("expected values at {path}, got {other:?}"),
    }
}

/// One test at a time: the h5py child of one test would inherit a file
/// another test has open through the C libraries, and HDF5's lock on it
/// (as in tests/families.rs).
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|p| p.into_inner())
}

fn f64_of(a: &Array) -> f64 {
    a.to_f64()
        .expect("a number")
        .into_iter()
        .next()
        .expect("one")
}

/// A copy of `src` in a new file `dst` (its format from the extension, or
/// netCDF-3 classic with `classic`), closed and opened read-only.
fn converted(src: &QGroup, dst: &Path, classic: bool) -> QGroup {
    let to = if classic {
        common::create_netcdf(dst, NcFormat::Classic)
    } else {
        qnd::open(dst, "w").unwrap()
    };
    src.copy_to(&to)
        .unwrap_or_else(|e| panic!("copy to {}: {e}", dst.display()));
    to.close().unwrap();
    qnd::open(dst, "r").unwrap()
}

fn fixtures() -> Vec<PathBuf> {
    let mut files = common::fixtures::with_ext("h5");
    files.extend(common::fixtures::with_ext("nc"));
    files
}

#[test]
fn fixtures_equal_their_conversions() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    for file in fixtures() {
        let src = qnd::open(&file, "r").unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(qnd::diff(&src, &src, &EXACT).unwrap().is_empty());
        let mut copies = vec![
            converted(&src, &dir.path().join(format!("{name}.nc")), false),
            converted(&src, &dir.path().join(format!("{name}.h5")), false),
        ];
        if name == "classic.nc" {
            copies.push(converted(&src, &dir.path().join("c3.nc"), true));
        }
        for copy in &copies {
            let d = qnd::diff(&src, copy, &EXACT).unwrap();
            assert!(
                d.is_empty(),
                "{name} vs {}:\n{d}",
                copy.file_path().display()
            );
            let d = qnd::diff(copy, &src, &EXACT).unwrap();
            assert!(
                d.is_empty(),
                "{} vs {name}:\n{d}",
                copy.file_path().display()
            );
        }
    }
}

#[test]
fn a_changed_element_of_a_converted_fixture_is_found() {
    let _serial = serial();
    let Some(file) = common::fixtures::path("history.h5") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let src = qnd::open(&file, "r").unwrap();
    let path = dir.path().join("h.nc");
    converted(&src, &path, false).close().unwrap();
    // Pick the first record variable of floats and change its last element.
    src.goto_off();
    let name = src
        .names()
        .unwrap()
        .into_iter()
        .find(|n| {
            src.kind(n).unwrap() == qnd::Kind::Records
                && src.list(n).unwrap().as_array().unwrap().dtype().unwrap() == DType::F64
        })
        .expect("a record variable of f8 in history.h5");
    let whole = src.list(&name).unwrap().as_array().unwrap();
    let shape = whole.shape().unwrap();
    let last: Vec<usize> = shape.iter().map(|n| n - 1).collect();
    let mut sel = qnd::Selection::new();
    for &i in &last {
        sel = sel.index(i as isize);
    }
    let old: f64 = whole.read_part(sel.clone()).unwrap();
    let copy = qnd::open(&path, "r+").unwrap();
    copy.list(&name)
        .unwrap()
        .as_array()
        .unwrap()
        .write_part(sel, old + 1.0)
        .unwrap();
    copy.close().unwrap();
    let copy = qnd::open(&path, "r").unwrap();
    let d = qnd::diff(&src, &copy, &EXACT).unwrap();
    let v = values_at(&d, &format!("/{name}"));
    assert_eq!(v.first, last);
    assert_eq!(v.count, 1);
    assert_eq!(v.total, shape.iter().product::<usize>() as u64);
    assert_eq!(f64_of(&v.a), old);
    assert_eq!(f64_of(&v.b), old + 1.0);
    assert_eq!(v.max_abs, Some(1.0));
    // Within an absolute tolerance of 1 they are equal.
    assert!(qnd::diff(&src, &copy, &Tolerance::new(0.0, 1.0))
        .unwrap()
        .is_empty());
}

#[test]
fn missing_items_on_either_side() {
    let _serial = serial();
    let a = qnd::memory();
    a.set("x", 1.0).unwrap();
    a.set("g", Value::group()).unwrap();
    a.set("g/only_a", 2).unwrap();
    let b = qnd::memory();
    b.set("x", 1.0).unwrap();
    b.set("g", Value::group()).unwrap();
    b.set("g/only_b", vec![1u8]).unwrap();
    b.set("y", "text").unwrap();
    let d = qnd::diff(&a, &b, &EXACT).unwrap();
    let got: Vec<(&str, &Change)> = d.iter().map(|x| (x.path.as_str(), &x.change)).collect();
    assert_eq!(
        got,
        [
            ("/g/only_a", &Change::Missing(Side::A)),
            ("/g/only_b", &Change::Missing(Side::B)),
            ("/y", &Change::Missing(Side::B)),
        ]
    );
    assert_eq!(
        d.to_string(),
        "/g/only_a: only in A\n/g/only_b: only in B\n/y: only in B\n"
    );
}

#[test]
fn kinds_differ() {
    let _serial = serial();
    let a = qnd::memory();
    a.set("g", Value::group()).unwrap();
    a.set("n", Value::None).unwrap();
    a.create_list("l").unwrap().append(1).unwrap();
    a.set_recording(Recording::Uniform);
    a.set("t", 1.0).unwrap();
    let b = qnd::memory();
    b.set("g", 1.0).unwrap();
    b.set("n", 0).unwrap();
    b.set("l", Value::group()).unwrap();
    b.set("t", 1.0).unwrap();
    let d = qnd::diff(&a, &b, &EXACT).unwrap();
    let kinds: Vec<(&str, &Change)> = d.iter().map(|x| (x.path.as_str(), &x.change)).collect();
    let kind = |a, b| Change::Kind { a, b };
    assert_eq!(
        kinds,
        [
            ("/g", &kind(ItemKind::Group, ItemKind::Leaf)),
            ("/n", &kind(ItemKind::None, ItemKind::Leaf)),
            ("/l", &kind(ItemKind::List, ItemKind::Group)),
            ("/t", &kind(ItemKind::Records, ItemKind::Leaf)),
        ]
    );
    assert_eq!(
        d.differences()[3].to_string(),
        "/t: kind differs: record variable vs leaf"
    );
}

#[test]
fn dtypes_differ_and_values_are_still_compared() {
    let _serial = serial();
    let a = qnd::memory();
    a.set("same", vec![1i32, 2, 3]).unwrap();
    a.set("other", vec![1i32, 2, 3]).unwrap();
    a.set("flags", vec![true, false]).unwrap();
    let b = qnd::memory();
    b.set("same", vec![1.0, 2.0, 3.0]).unwrap();
    b.set("other", vec![1.0, 2.5, 3.0]).unwrap();
    b.set("flags", vec![1u8, 0]).unwrap();
    let d = qnd::diff(&a, &b, &EXACT).unwrap();
    let dtype = Change::DType {
        a: DType::I32,
        b: DType::F64,
    };
    assert_eq!(d.at("/same").collect::<Vec<_>>(), [&dtype]);
    let other: Vec<&Change> = d.at("/other").collect();
    assert_eq!(other.len(), 2, "{d}");
    assert_eq!(other[0], &dtype);
    let Change::Values(v) = other[1] else {
        panic!("{d}")
    };
    assert_eq!((v.count, v.first.as_slice()), (1, &[1][..]));
    assert_eq!((v.a.dtype(), v.b.dtype()), (DType::I32, DType::F64));
    assert_eq!((f64_of(&v.a), f64_of(&v.b)), (2.0, 2.5));
    assert_eq!((v.max_abs, v.max_rel), (Some(0.5), Some(0.2)));
    // bool against numbers: a dtype difference only.
    assert_eq!(
        d.at("/flags").collect::<Vec<_>>(),
        [&Change::DType {
            a: DType::Bool,
            b: DType::U8
        }]
    );
    assert_eq!(
        d.to_string(),
        "/same: dtype differs: i4 vs f8\n\
         /other: dtype differs: i4 vs f8\n\
         /other: values differ at [1]: 2 vs 2.5 (1 of 3 elements; max abs 0.5, max rel 0.2)\n\
         /flags: dtype differs: b1 vs u1\n"
    );
}

#[test]
fn shapes_differ() {
    let _serial = serial();
    let a = qnd::memory();
    a.set("m", Array2::<f64>::zeros((2, 3))).unwrap();
    let b = qnd::memory();
    b.set("m", Array2::<f64>::zeros((3, 2))).unwrap();
    let d = qnd::diff(&a, &b, &EXACT).unwrap();
    assert_eq!(
        only(&d),
        (
            "/m",
            &Change::Shape {
                a: vec![2, 3],
                b: vec![3, 2]
            }
        )
    );
    assert_eq!(d.to_string(), "/m: shape differs: [2, 3] vs [3, 2]\n");
}

#[test]
fn values_first_index_and_maxima() {
    let _serial = serial();
    let a = qnd::memory();
    let x = Array2::from_shape_fn((4, 30), |(i, j)| (i * 30 + j) as f64);
    a.set("g", Value::group()).unwrap();
    a.set("g/x", x.clone()).unwrap();
    let b = qnd::memory();
    let mut y = x.clone();
    y[[3, 1]] = 91.25; // 91 in A: abs 0.25, rel 0.25 / 91.25
    y[[3, 20]] = 100.0; // 110 in A: abs 10, rel 0.1
    y[[0, 0]] = -0.0; // 0 in A: equal
    b.set("g", Value::group()).unwrap();
    b.set("g/x", y).unwrap();
    let d = qnd::diff(&a, &b, &EXACT).unwrap();
    let v = values_at(&d, "/g/x");
    assert_eq!(v.first, [3, 1]);
    assert_eq!((v.count, v.total), (2, 120));
    assert_eq!((f64_of(&v.a), f64_of(&v.b)), (91.0, 91.25));
    assert_eq!(v.max_abs, Some(10.0));
    assert_eq!(v.max_rel, Some(0.1));
    assert_eq!(
        d.to_string(),
        "/g/x: values differ at [3, 1]: 91 vs 91.25 (2 of 120 elements; max abs 10, max rel 0.1)\n"
    );
    // Text and bool: exact, whatever the tolerance; no maxima.
    let a = qnd::memory();
    a.set("s", vec!["a", "b", "c"]).unwrap();
    a.set("f", array![[true, false], [true, true]]).unwrap();
    let b = qnd::memory();
    b.set("s", vec!["a", "b", "C"]).unwrap();
    b.set("f", array![[true, false], [false, true]]).unwrap();
    let d = qnd::diff(&a, &b, &Tolerance::new(1.0, 1.0)).unwrap();
    assert_eq!(
        d.to_string(),
        "/s: values differ at [2]: \"c\" vs \"C\" (1 of 3 elements)\n\
         /f: values differ at [1, 0]: true vs false (1 of 4 elements)\n"
    );
}

#[test]
fn tolerance_boundaries() {
    let _serial = serial();
    let a = qnd::memory();
    a.set("x", vec![1.0, 100.0, 0.0]).unwrap();
    a.set("i", vec![10i64, 20]).unwrap();
    let b = qnd::memory();
    b.set("x", vec![1.5, 101.0, 1e-9]).unwrap();
    b.set("i", vec![11i64, 20]).unwrap();
    let count = |tol: Tolerance| -> u64 {
        qnd::diff(&a, &b, &tol)
            .unwrap()
            .iter()
            .map(|d| match &d.change {
                Change::Values(v) => v.count,
                other => panic!("{other:?}"),
            })
            .sum()
    };
    assert_eq!(count(EXACT), 4);
    // atol 0.5: 1 vs 1.5 exactly at the boundary (equal), 1e-9 equal,
    // 100 vs 101 not, 10 vs 11 not.
    assert_eq!(count(Tolerance::new(0.0, 0.5)), 2);
    assert_eq!(count(Tolerance::new(0.0, 0.4999)), 3);
    assert_eq!(count(Tolerance::new(0.0, 1.0)), 0);
    // rtol is relative to |b| (numpy.isclose): 100 vs 101 passes with
    // rtol 0.01 (1 <= 1.01), not with 0.0099 (1 > 0.9999).
    assert_eq!(count(Tolerance::new(0.01, 0.0)), 3);
    assert_eq!(count(Tolerance::new(0.5, 1e-9)), 0); // 1 vs 1.5: 0.5 <= 0.75
    assert_eq!(count(Tolerance::new(0.0099, 1e-9)), 3);
    // Differ's builder says the same.
    let d = Differ::new().rtol(0.5).atol(1e-9).diff(&a, &b).unwrap();
    assert!(d.is_empty());
    // A negative or NaN tolerance is an error.
    let e = qnd::diff(&a, &b, &Tolerance::new(-1.0, 0.0)).unwrap_err();
    assert!(matches!(e, Error::Invalid { .. }), "{e}");
    assert!(qnd::diff(&a, &b, &Tolerance::new(0.0, f64::NAN)).is_err());
}

#[test]
fn nan_equals_nan_and_infinities_only_themselves() {
    let _serial = serial();
    let a = qnd::memory();
    a.set("x", vec![f64::NAN, 1.0, f64::INFINITY, f64::NAN])
        .unwrap();
    a.set("y", vec![f32::NAN, f32::NEG_INFINITY]).unwrap();
    let b = qnd::memory();
    b.set("x", vec![f64::NAN, 1.0, f64::INFINITY, 2.0]).unwrap();
    b.set("y", vec![f32::NAN, f32::NEG_INFINITY]).unwrap();
    let d = qnd::diff(&a, &b, &Tolerance::new(10.0, 10.0)).unwrap();
    let v = values_at(&d, "/x");
    assert_eq!((v.count, v.first.as_slice()), (1, &[3][..]));
    assert!(f64_of(&v.a).is_nan());
    assert_eq!(v.max_abs, None); // NaN against 2: no finite difference
    let b2 = qnd::memory();
    b2.set("x", vec![f64::NAN, 1.0, 1e308, f64::NAN]).unwrap();
    b2.set("y", vec![f32::NAN, f32::NEG_INFINITY]).unwrap();
    let d = qnd::diff(&a, &b2, &Tolerance::new(1.0, 1.0)).unwrap();
    let v = values_at(&d, "/x");
    assert_eq!(v.first, [2]);
    assert_eq!(v.max_abs, Some(f64::INFINITY));
}

#[test]
fn attributes_differ_by_name_and_value() {
    let _serial = serial();
    let a = qnd::memory();
    a.set("x", 1.0).unwrap();
    a.attrs("x").unwrap().set("units", "cm").unwrap();
    a.attrs("x").unwrap().set("scale", 2.0).unwrap();
    a.attrs("x").unwrap().set("only_a", 1).unwrap();
    a.attrs("").unwrap().set("version", 3i32).unwrap();
    let b = qnd::memory();
    b.set("x", 1.0).unwrap();
    b.attrs("x").unwrap().set("units", "m").unwrap();
    b.attrs("x").unwrap().set("scale", 2.0 + 1e-12).unwrap();
    b.attrs("x").unwrap().set("only_b", vec![1.0, 2.0]).unwrap();
    b.attrs("").unwrap().set("version", 3i64).unwrap();
    let d = qnd::diff(&a, &b, &EXACT).unwrap();
    assert_eq!(
        d.to_string(),
        "/: attribute version differs: i4 3 vs i8 3\n\
         /x: attribute units differs: \"cm\" vs \"m\"\n\
         /x: attribute scale differs: 2 vs 2.000000000001\n\
         /x: attribute only_a only in A\n\
         /x: attribute only_b only in B\n"
    );
    let Change::Attr { name, a: va, b: vb } = &d.differences()[1].change else {
        panic!("{d}")
    };
    assert_eq!(name, "units");
    assert_eq!(va.as_ref().unwrap(), &Array::scalar("cm".to_string()));
    assert_eq!(vb.as_ref().unwrap(), &Array::scalar("m".to_string()));
    // Numeric attributes within the tolerance are equal.
    let d = qnd::diff(&a, &b, &Tolerance::new(1e-9, 0.0)).unwrap();
    assert_eq!(d.len(), 4, "{d}");
}

#[test]
fn reserved_attributes_are_not_reported() {
    let _serial = serial();
    // netCDF-4 keeps `__records__` on a variable holding fewer records
    // than `_0` and `__order__` on a group with subgroups; HDF5 has
    // neither. The trees are the same.
    let dir = tempfile::tempdir().unwrap();
    let write = |f: &QGroup| {
        f.set("g", Value::group()).unwrap();
        f.set("v", 1.0).unwrap();
        f.set_recording(Recording::Uniform);
        for k in 0..4 {
            f.set("t", k as f64).unwrap();
            if k % 2 == 0 {
                f.set("slow", array![1.0, 2.0] * k as f64).unwrap();
            }
        }
        f.close().unwrap();
    };
    let (h5, nc) = (dir.path().join("a.h5"), dir.path().join("a.nc"));
    write(&qnd::open(&h5, "w").unwrap());
    write(&qnd::open(&nc, "w").unwrap());
    let (a, b) = (qnd::open(&h5, "r").unwrap(), qnd::open(&nc, "r").unwrap());
    let d = qnd::diff(&a, &b, &EXACT).unwrap();
    assert!(d.is_empty(), "{d}");

    // An attribute `__x` written by another program (h5py) is not
    // reported either.
    let Some(py) = common::python::Python::find(&["h5py"]) else {
        return;
    };
    let c = dir.path().join("c.h5");
    std::fs::copy(&h5, &c).unwrap();
    py.run(
        "import h5py, sys\nf = h5py.File(sys.argv[1], 'r+')\n\
         f['v'].attrs['__mine__'] = 1\nf.attrs['__top__'] = 2\nf['v'].attrs['seen'] = 3\nf.close()",
        &[&c],
    );
    let c = qnd::open(&c, "r").unwrap();
    let d = qnd::diff(&a, &c, &EXACT).unwrap();
    assert_eq!(d.to_string(), "/v: attribute seen only in B\n");
}

#[test]
fn record_counts_and_records() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let record = |path: &Path, n: usize, change: Option<(usize, usize)>| {
        let f = qnd::open(path, "w").unwrap();
        f.set_recording(Recording::Uniform);
        for k in 0..n {
            f.set("time", k as f64 * 0.5).unwrap();
            let mut u = Array1::from_shape_fn(3, |i| (k * 10 + i) as f64);
            if let Some((r, i)) = change {
                if r == k {
                    u[i] += 1.0;
                }
            }
            f.set("u", u).unwrap();
        }
        f.close().unwrap();
        qnd::open(path, "r").unwrap()
    };
    let a = record(&dir.path().join("a.h5"), 5, None);
    let b = record(&dir.path().join("b.nc"), 7, None);
    let d = qnd::diff(&a, &b, &EXACT).unwrap();
    assert_eq!(
        d.to_string(),
        "/time: record count differs: 5 vs 7\n/u: record count differs: 5 vs 7\n"
    );
    // The records both hold are compared: record 3, element 2.
    let c = record(&dir.path().join("c.h5"), 7, Some((3, 2)));
    let d = qnd::diff(&a, &c, &EXACT).unwrap();
    let u: Vec<&Change> = d.at("/u").collect();
    assert_eq!(u[0], &Change::Records { a: 5, b: 7 });
    let Change::Values(v) = u[1] else {
        panic!("{d}")
    };
    assert_eq!(v.first, [3, 2]);
    assert_eq!((v.count, v.total), (1, 15));
    assert_eq!((f64_of(&v.a), f64_of(&v.b)), (32.0, 33.0));
    // One record of both: PATH with an index.
    let one = qnd::diff_path(&a, &c, "u[3]", &EXACT).unwrap();
    assert_eq!(values_at(&one, "/u[3]").first, [2]);
    // Negative indices count from each end: A's record 4 against C's 6,
    // named by A's.
    let last = qnd::diff_path(&a, &c, "/u[-1]", &EXACT).unwrap();
    let v = values_at(&last, "/u[4]");
    assert_eq!((f64_of(&v.a), f64_of(&v.b), v.count), (40.0, 60.0, 3));
    let e = qnd::diff_path(&a, &c, "u[x]", &EXACT).unwrap_err();
    assert!(matches!(e, Error::Invalid { .. }), "{e}");
    // goto is set on A: the whole histories are compared all the same, and
    // A's goto is left as it was.
    a.goto(1);
    let d2 = qnd::diff(&a, &c, &EXACT).unwrap();
    assert_eq!(d, d2);
    assert_eq!(a.current_record(), Some(1));
    // Lists: the length, then the elements both hold.
    let l = qnd::memory();
    l.create_list("l").unwrap().extend([1.0, 2.0]).unwrap();
    let m = qnd::memory();
    m.create_list("l").unwrap().extend([1.0, 2.5, 3.0]).unwrap();
    assert_eq!(
        qnd::diff(&l, &m, &EXACT).unwrap().to_string(),
        "/l: list length differs: 2 vs 3\n\
         /l[1]: values differ at []: 2 vs 2.5 (1 of 1 elements; max abs 0.5, max rel 0.2)\n"
    );
}

#[test]
fn a_large_leaf_is_compared_block_by_block() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    // 3,000,000 f8 (24 MB, about six blocks of 4 MiB); the difference is
    // in the very last element.
    let n = 3_000_000;
    let x = Array1::from_shape_fn(n, |i| i as f64);
    let write = |name: &str, last: f64| {
        let path = dir.path().join(name);
        let f = qnd::open(&path, "w").unwrap();
        let mut x = x.clone();
        x[n - 1] = last;
        f.set("x", x).unwrap();
        f.close().unwrap();
        qnd::open(&path, "r").unwrap()
    };
    let a = write("a.h5", (n - 1) as f64);
    let b = write("b.h5", 0.5);
    let mut calls = Vec::new();
    let d = Differ::new()
        .on_progress(|done, total| calls.push((done, total)))
        .diff(&a, &b)
        .unwrap();
    let v = values_at(&d, "/x");
    assert_eq!(v.first, [n - 1]);
    assert_eq!((v.count, v.total), (1, n as u64));
    assert_eq!(v.max_abs, Some((n - 1) as f64 - 0.5));
    assert_eq!(calls.len(), 6, "{calls:?}");
    assert_eq!(calls.last(), Some(&(8 * n as u64, 8 * n as u64)));
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0), "{calls:?}");

    // Stopping at the first difference: one block read of the leaf.
    let mut blocks = 0;
    let a_two = qnd::memory();
    a_two.set("y", vec![1.0; 1000]).unwrap();
    a_two.set("z", 1).unwrap();
    let b_two = qnd::memory();
    b_two.set("y", vec![2.0; 1000]).unwrap();
    b_two.set("z", 2).unwrap();
    let d = Differ::new()
        .block_bytes(800)
        .first_only(true)
        .on_progress(|_, _| blocks += 1)
        .diff(&a_two, &b_two)
        .unwrap();
    let v = values_at(&d, "/y");
    assert_eq!((v.count, v.total, blocks), (100, 1000, 1));
    assert_eq!(qnd::diff(&a_two, &b_two, &EXACT).unwrap().len(), 2);

    // A 2-d leaf in blocks smaller than a row: the index is still right.
    let a = qnd::memory();
    let m = Array2::from_shape_fn((3, 1000), |(i, j)| (i * 1000 + j) as i64);
    a.set("m", m.clone()).unwrap();
    let b = qnd::memory();
    let mut m2 = m;
    m2[[2, 999]] = -1;
    m2[[1, 500]] = 0;
    b.set("m", m2).unwrap();
    let mut blocks = 0;
    let d = Differ::new()
        .block_bytes(800)
        .on_progress(|_, _| blocks += 1)
        .diff(&a, &b)
        .unwrap();
    let v = values_at(&d, "/m");
    assert_eq!(v.first, [1, 500]);
    assert_eq!(v.count, 2);
    assert_eq!(v.max_abs, Some(2999.0 + 1.0));
    assert_eq!(blocks, 3 * 10);
}

#[test]
fn diff_of_one_path() {
    let _serial = serial();
    let a = qnd::memory();
    a.set("g", qnd::group! {"x" => 1.0, "y" => 2.0}).unwrap();
    a.set("h", 1).unwrap();
    a.create_list("l")
        .unwrap()
        .extend([Value::group()])
        .unwrap();
    a.list("l").unwrap().group(0).unwrap().set("q", 1).unwrap();
    let b = qnd::memory();
    b.set("g", qnd::group! {"x" => 1.0, "y" => 3.0}).unwrap();
    b.set("h", 2).unwrap();
    b.set("k", 2).unwrap();
    b.create_list("l")
        .unwrap()
        .extend([Value::group()])
        .unwrap();
    b.list("l").unwrap().group(0).unwrap().set("q", 2).unwrap();
    let mut progress = Vec::new();
    let d = Differ::new()
        .on_progress(|done, total| progress.push((done, total)))
        .diff_path(&a, &b, "/g")
        .unwrap();
    assert_eq!(only(&d).0, "/g/y");
    assert_eq!(progress, [(8, 16), (16, 16)]); // x, then y: of /g only
    let d = qnd::diff_path(&a, &b, "g/x", &EXACT).unwrap();
    assert!(d.is_empty());
    let d = qnd::diff_path(&a, &b, "l[0]/q", &EXACT).unwrap();
    assert_eq!(only(&d).0, "/l[0]/q");
    let d = qnd::diff_path(&a, &b, "k", &EXACT).unwrap();
    assert_eq!(only(&d), ("/k", &Change::Missing(Side::B)));
    let e = qnd::diff_path(&a, &b, "/nothing", &EXACT).unwrap_err();
    assert!(matches!(e, Error::NoItem { .. }), "{e}");
    assert_eq!(qnd::diff_path(&a, &b, "/", &EXACT).unwrap().len(), 4);
}

#[test]
fn links_are_followed() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("links.h5");
    let f = qnd::open(&path, "w").unwrap();
    f.set("g", qnd::group! {"x" => vec![1.0, 2.0]}).unwrap();
    f.soft_link("s", "/g/x").unwrap();
    f.link("h", "g").unwrap();
    f.group("g").unwrap().link("up", "/g").unwrap(); // a cycle
    f.soft_link("gone", "/nothing").unwrap();
    f.close().unwrap();
    let a = qnd::open(&path, "r").unwrap();
    // The same file: equal, cycle and dangling link included.
    assert!(qnd::diff(&a, &a, &EXACT).unwrap().is_empty());
    // Against plain copies of what the links reach.
    let b = qnd::memory();
    b.set("g", qnd::group! {"x" => vec![1.0, 2.0]}).unwrap();
    b.set("s", vec![1.0, 2.0]).unwrap();
    b.set("h", qnd::group! {"x" => vec![1.0, 2.5]}).unwrap();
    b.set("gone", Value::None).unwrap();
    let d = qnd::diff(&a, &b, &EXACT).unwrap();
    let lines: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "/g/up: only in A",
            "/h/x: values differ at [1]: 2 vs 2.5 (1 of 2 elements; max abs 0.5, max rel 0.2)",
            "/h/up: only in A",
            "/gone: kind differs: dangling link -> /nothing vs none",
        ]
    );
}

/// Complex leaves and records: copied trees are equal; a changed imaginary
/// part is found, by the complex modulus (`|a - b| <= atol + rtol * |b|`),
/// NaN parts equal NaN parts, and the values show as numpy's repr.
#[test]
fn complex_values_compare_by_modulus() {
    use qnd::{Complex32, Complex64};
    let c = Complex64::new;
    let a = qnd::memory();
    a.set("z", array![c(1.0, 2.0), c(f64::NAN, 1.0), c(3.0, -4.0)])
        .unwrap();
    a.set_recording(Recording::Uniform);
    for k in 0..3 {
        a.set("amp", Complex32::new(k as f32, 1.0)).unwrap();
    }
    a.set_recording(Recording::Off);
    let b = qnd::memory();
    a.copy_to(&b).unwrap();
    assert!(qnd::diff(&a, &b, &EXACT).unwrap().is_empty());
    b.write_part("z", ndarray::s![2], c(3.0, -4.0 + 1e-9))
        .unwrap();
    let d = qnd::diff(&a, &b, &EXACT).unwrap();
    let v = values_at(&d, "/z");
    assert_eq!((v.count, v.first.clone()), (1, vec![2]));
    assert!((v.max_abs.unwrap() - 1e-9).abs() < 1e-12, "{v:?}");
    let shown = d.to_string();
    assert!(shown.contains("(3-4j)"), "{shown}");
    let loose = Tolerance {
        rtol: 1e-9,
        atol: 0.0,
    };
    assert!(qnd::diff(&a, &b, &loose).unwrap().is_empty(), "|b| = 5");
    // a c16 against a real leaf of the same values: the imaginary part counts
    let r = qnd::memory();
    r.set("z", array![1.0, 2.0]).unwrap();
    let z = qnd::memory();
    z.set("z", array![c(1.0, 0.0), c(2.0, 0.5)]).unwrap();
    let d = qnd::diff(&r, &z, &EXACT).unwrap();
    assert!(!d.is_empty(), "{d}");
}
