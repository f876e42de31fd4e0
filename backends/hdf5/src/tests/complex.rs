//! Complex numbers (`c8`, `c16`) as h5py's compound of `r` and `i`:
//! written here and read back (leaves, records, slabs, attributes, a
//! virtual dataset), as other tools lay them out (big endian, members in
//! the other order), the fixture written by Python qnd, and h5py reading
//! ours and writing its own (when `QND_PYTHON` has it).

use std::path::PathBuf;
use std::process::Command;

use hdf5::types::{CompoundField, CompoundType, FloatSize, TypeDescriptor as TD};
use ndarray::array;
use qnd_storage::Complex;

use super::*;
use crate::raw::types::made;

fn c8(v: &[(f32, f32)], shape: &[usize]) -> Array {
    let z = v.iter().map(|&(r, i)| Complex::new(r, i)).collect();
    Array::C8(ArrayD::from_shape_vec(IxDyn(shape), z).unwrap())
}

fn c16(v: &[(f64, f64)], shape: &[usize]) -> Array {
    let z = v.iter().map(|&(r, i)| Complex::new(r, i)).collect();
    Array::C16(ArrayD::from_shape_vec(IxDyn(shape), z).unwrap())
}

/// The compound h5py writes for numpy's complex of `size`-byte floats.
fn h5py_layout(size: FloatSize) -> TD {
    let n = size as usize;
    TD::Compound(CompoundType {
        fields: vec![
            CompoundField::new("r", TD::Float(size), 0, 0),
            CompoundField::new("i", TD::Float(size), n, 1),
        ],
        size: 2 * n,
    })
}

/// Everything complex this backend writes, read back through the same
/// handle and a fresh read-only one.
#[test]
fn complex_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("complex.h5");
    let w = c8(&[(1.5, 0.5)], &[]);
    let m = c16(
        &[
            (0.0, 0.0),
            (1.0, -1.0),
            (2.0, -2.0),
            (3.0, -3.0),
            (f64::INFINITY, f64::NEG_INFINITY),
            (-0.0, 5e-324),
        ],
        &[2, 3],
    );
    let rec = |k: usize| {
        let k = k as f32;
        c8(&[(k, k), (-k, 0.0)], &[1, 2])
    };
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    let wid = s
        .create_leaf(root, "w", &spec(DType::C8, &[], false))
        .unwrap();
    s.write(wid, &[], &w).unwrap();
    let mid = s
        .create_leaf(root, "m", &spec(DType::C16, &[2, 3], false))
        .unwrap();
    s.write(mid, &Run::whole(&[2, 3]), &m).unwrap();
    let amp = s
        .create_leaf(root, "amp", &spec(DType::C8, &[2], true))
        .unwrap();
    let mut two = rec(0);
    two.append_rows(&rec(1)).unwrap();
    s.append_records(amp, &two).unwrap();
    s.append(amp, &rec(2).into_shape(&[2]).unwrap()).unwrap();
    s.set_attr(root, "z", &c16(&[(1.0, 2.0), (3.0, -4.0)], &[2]))
        .unwrap();
    s.set_attr(amp, "unit", &c8(&[(0.0, 1.0)], &[])).unwrap();
    // a partial write: one element of m, strided
    s.write(
        mid,
        &[Run::one(1), Run::strided(0, 2, 2)],
        &c16(&[(7.0, 8.0), (9.0, 10.0)], &[1, 2]),
    )
    .unwrap();
    let mut want_m = m.clone();
    if let Array::C16(a) = &mut want_m {
        a[[1, 0]] = Complex::new(7.0, 8.0);
        a[[1, 2]] = Complex::new(9.0, 10.0);
    }
    let mut all = two.clone();
    all.append_rows(&rec(2)).unwrap();
    for writable in [true, false] {
        if !writable {
            s.close().unwrap();
            s = Hdf5Storage::open(&file, false).unwrap();
        }
        let (wid, kind) = path(&mut s, "w");
        assert_eq!(kind, Kind::Leaf);
        assert_eq!(s.info(wid).unwrap().dtype, DType::C8);
        assert_eq!(whole(&mut s, wid), w);
        let (mid, _) = path(&mut s, "m");
        assert_eq!(s.info(mid).unwrap().dtype, DType::C16);
        assert_eq!(whole(&mut s, mid), want_m);
        // a partial read, strided
        let slab = [Run::all(2), Run::strided(0, 2, 2)];
        assert_eq!(s.read(mid, &slab).unwrap(), want_m.take_slab(&slab));
        let (amp, kind) = path(&mut s, "amp");
        assert_eq!(kind, Kind::Records);
        let info = s.info(amp).unwrap();
        assert_eq!((info.dtype, info.shape), (DType::C8, vec![3, 2]));
        assert_eq!(whole(&mut s, amp), all);
        assert_eq!(s.read(amp, &[Run::one(2), Run::all(2)]).unwrap(), rec(2));
        assert_eq!(
            s.get_attr(root, "z").unwrap(),
            Some(c16(&[(1.0, 2.0), (3.0, -4.0)], &[2]))
        );
        assert_eq!(
            s.get_attr(amp, "unit").unwrap(),
            Some(c8(&[(0.0, 1.0)], &[]))
        );
        assert_eq!(s.attr_names(amp).unwrap(), ["unit"]);
        // stored as h5py's compound, native
        let Obj::Dataset(ds) = &s.node(mid).unwrap().obj else {
            panic!("m is not a dataset")
        };
        assert_eq!(
            ds.dtype().unwrap().to_descriptor().unwrap(),
            h5py_layout(FloatSize::U8)
        );
        let Obj::Dataset(ds) = &s.node(amp).unwrap().obj else {
            panic!("amp is not a dataset")
        };
        assert_eq!(
            ds.dtype().unwrap().to_descriptor().unwrap(),
            h5py_layout(FloatSize::U4)
        );
    }
    s.close().unwrap();
}

/// Complex as other tools may lay it out: big endian, `i` before `r`,
/// padded; written and read through the library's conversion. Other
/// compounds of floats are not complex.
#[test]
fn foreign_complex_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("foreign.h5");
    let be = made::copy(*hdf5::globals::H5T_IEEE_F64BE).unwrap();
    let le4 = made::copy(*hdf5::globals::H5T_IEEE_F32LE).unwrap();
    {
        let f = h5_create(&file);
        let swapped = made::compound(16, &[(c"i", 0, &be), (c"r", 8, &be)]).unwrap();
        f.new_dataset_builder()
            .empty_as(&swapped)
            .shape(2)
            .create("be")
            .unwrap();
        let padded = made::compound(16, &[(c"r", 0, &le4), (c"i", 8, &le4)]).unwrap();
        f.new_dataset_builder()
            .empty_as(&padded)
            .shape(())
            .create("padded")
            .unwrap();
        let mixed = made::compound(12, &[(c"r", 0, &le4), (c"i", 4, &be)]).unwrap();
        f.new_dataset_builder()
            .empty_as(&mixed)
            .shape(1)
            .create("mixed")
            .unwrap();
        let named = made::compound(8, &[(c"re", 0, &le4), (c"im", 4, &le4)]).unwrap();
        f.new_dataset_builder()
            .empty_as(&named)
            .shape(1)
            .create("named")
            .unwrap();
        let three =
            made::compound(12, &[(c"r", 0, &le4), (c"i", 4, &le4), (c"j", 8, &le4)]).unwrap();
        f.new_dataset_builder()
            .empty_as(&three)
            .shape(1)
            .create("three")
            .unwrap();
    }
    let z = c16(&[(1.0, -2.0), (f64::NAN, 0.25)], &[2]);
    {
        let mut s = Hdf5Storage::open(&file, true).unwrap();
        let (be, kind) = path(&mut s, "be");
        assert_eq!(kind, Kind::Leaf);
        s.write(be, &Run::whole(&[2]), &z).unwrap();
        let (p, _) = path(&mut s, "padded");
        assert_eq!(s.info(p).unwrap().dtype, DType::C8);
        s.write(p, &[], &c8(&[(3.0, 4.0)], &[])).unwrap();
        s.close().unwrap();
    }
    // the file type stays big endian, `i` first (written converted)
    {
        let f = h5_open(&file);
        let t = f.dataset("be").unwrap().dtype().unwrap();
        assert_eq!(types::describe(&t).unwrap(), "compound {i: >f8, r: >f8}");
    }
    let mut s = Hdf5Storage::open(&file, false).unwrap();
    let (be, _) = path(&mut s, "be");
    assert_eq!(s.info(be).unwrap().dtype, DType::C16);
    let Array::C16(got) = whole(&mut s, be) else {
        panic!("be is not c16")
    };
    assert_eq!(got[0], Complex::new(1.0, -2.0));
    assert!(got[1].re.is_nan() && got[1].im == 0.25);
    let (p, _) = path(&mut s, "padded");
    assert_eq!(whole(&mut s, p), c8(&[(3.0, 4.0)], &[]));
    for (name, words) in [
        ("mixed", "compound {r: f4, i: >f8} [1]"),
        ("named", "compound {re: f4, im: f4} [1]"),
        ("three", "compound {r: f4, i: f4, j: f4} [1]"),
    ] {
        let (id, kind) = path(&mut s, name);
        assert_eq!(kind, Kind::Other, "{name}");
        assert_eq!(s.other_type(id).unwrap(), words);
    }
    s.close().unwrap();
}

/// A virtual dataset of complex sources reads as complex.
#[test]
fn complex_virtual_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vds.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    let a = c16(&[(1.0, 1.0), (2.0, -2.0)], &[2]);
    let b = c16(&[(3.0, 0.5)], &[1]);
    for (name, v) in [("a", &a), ("b", &b)] {
        let n = v.shape()[0];
        let id = s
            .create_leaf(root, name, &spec(DType::C16, &[n], false))
            .unwrap();
        s.write(id, &Run::whole(&[n]), v).unwrap();
    }
    let map = |dest: usize, n: usize, src: &str| VirtualMap {
        dest: vec![Run::strided(dest, n, 1)],
        file: PathBuf::from("."),
        dataset: src.into(),
        src: Run::whole(&[n]),
    };
    let v = s
        .create_virtual(
            root,
            "v",
            DType::C16,
            &[3],
            &[map(0, 2, "/a"), map(2, 1, "/b")],
        )
        .unwrap();
    let mut want = a.clone();
    want.append_rows(&b).unwrap();
    assert_eq!(s.read(v, &Run::whole(&[3])).unwrap(), want);
    // c8 sources do not make a c16 virtual dataset
    let c = s
        .create_leaf(root, "c", &spec(DType::C8, &[1], false))
        .unwrap();
    s.write(c, &Run::whole(&[1]), &c8(&[(1.0, 0.0)], &[1]))
        .unwrap();
    assert!(s
        .create_virtual(root, "w", DType::C16, &[1], &[map(0, 1, "/c")])
        .is_err());
    s.close().unwrap();
}

/// The fixture written by Python qnd through h5py, through the storage:
/// the values of `complex.h5.json`.
#[test]
fn fixture_complex() {
    let Some(p) = fixture("complex/complex.h5") else {
        return;
    };
    let mut s = Hdf5Storage::open(&p, false).unwrap();
    let root = s.root();
    assert_eq!(s.names(root).unwrap(), ["amp", "m", "time", "w", "z"]);
    let (z, kind) = path(&mut s, "z");
    assert_eq!(kind, Kind::Leaf);
    assert_eq!(s.info(z).unwrap().dtype, DType::C16);
    let Array::C16(got) = whole(&mut s, z) else {
        panic!("z is not c16")
    };
    assert_eq!(got.shape(), [3]);
    assert_eq!(got[0], Complex::new(1.0, 2.0));
    assert_eq!(got[1], Complex::new(3.0, -4.0));
    assert!(got[2].re.is_nan() && got[2].im == f64::INFINITY);
    let (w, _) = path(&mut s, "w");
    assert_eq!(whole(&mut s, w), c8(&[(1.5, 0.5)], &[]));
    let (m, _) = path(&mut s, "m");
    let want: Vec<(f64, f64)> = (0..6).map(|k| (k as f64, -(k as f64))).collect();
    assert_eq!(whole(&mut s, m), c16(&want, &[2, 3]));
    let (amp, kind) = path(&mut s, "amp");
    assert_eq!(kind, Kind::Records);
    assert_eq!(
        whole(&mut s, amp),
        c8(
            &[
                (0.0, 0.0),
                (0.0, 0.0),
                (1.0, 1.0),
                (-1.0, 0.0),
                (2.0, 2.0),
                (-2.0, 0.0)
            ],
            &[3, 2]
        )
    );
    let (t, kind) = path(&mut s, "time");
    assert_eq!(kind, Kind::Records);
    assert_eq!(
        whole(&mut s, t),
        Array::F64(array![0.0, 0.5, 1.0].into_dyn())
    );
    s.close().unwrap();
}

/// The Python that `QND_PYTHON` names (default `python3`), if it imports
/// h5py and numpy; otherwise `None`, saying the test is skipped.
fn python_with_h5py() -> Option<String> {
    let exe = std::env::var("QND_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&exe)
        .args(["-c", "import h5py, numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(exe)
    } else {
        println!("skipped: {exe} with h5py, numpy not found (set QND_PYTHON to one)");
        None
    }
}

#[track_caller]
fn run_python(py: &str, script: &str, file: &Path) -> String {
    let out = Command::new(py)
        .args(["-c", script])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// h5py reads ours as complex64 and complex128, and we read its own
/// (big endian too, and attributes).
#[test]
fn h5py_and_complex() {
    let Some(py) = python_with_h5py() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.h5");
    let mut s = Hdf5Storage::create(&ours).unwrap();
    let root = s.root();
    let z = s
        .create_leaf(root, "z", &spec(DType::C16, &[2], false))
        .unwrap();
    s.write(z, &Run::whole(&[2]), &c16(&[(1.0, 2.0), (-3.5, 0.0)], &[2]))
        .unwrap();
    let r = s
        .create_leaf(root, "r", &spec(DType::C8, &[], true))
        .unwrap();
    for k in 0..3 {
        s.append(r, &c8(&[(k as f32, -0.5)], &[])).unwrap();
    }
    s.set_attr(root, "a", &c8(&[(0.25, 4.0)], &[])).unwrap();
    s.close().unwrap();
    let script = r#"
import sys
import h5py
with h5py.File(sys.argv[1], "r") as f:
    for name in ("z", "r"):
        d = f[name]
        print(name, d.dtype, d.maxshape, [complex(x) for x in d[()].flat])
    a = f.attrs["a"]
    print("a", a.dtype, complex(a))
"#;
    let out = run_python(&py, script, &ours);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "z complex128 (2,) [(1+2j), (-3.5+0j)]",
            "r complex64 (None,) [-0.5j, (1-0.5j), (2-0.5j)]",
            "a complex64 (0.25+4j)",
        ]
    );

    let theirs = dir.path().join("theirs.h5");
    let script = r#"
import sys
import numpy as np
import h5py
with h5py.File(sys.argv[1], "w") as f:
    f["le"] = np.array([1 + 2j, 3 - 4j], dtype="<c16")
    f["be"] = np.array([[1 + 2j], [3 - 4j]], dtype=">c8")
    d = f.create_dataset("rec", (0, 2), maxshape=(None, 2), dtype="c16", chunks=(4, 2))
    d.resize((2, 2))
    d[:] = [[1j, 2], [3, 4j]]
    f.attrs["ca"] = np.array([5 - 6j], dtype="c16")
    f.attrs["cs"] = np.complex64(7 + 8j)
"#;
    run_python(&py, script, &theirs);
    let mut s = Hdf5Storage::open(&theirs, false).unwrap();
    let root = s.root();
    let (le, _) = path(&mut s, "le");
    assert_eq!(whole(&mut s, le), c16(&[(1.0, 2.0), (3.0, -4.0)], &[2]));
    let (be, _) = path(&mut s, "be");
    assert_eq!(whole(&mut s, be), c8(&[(1.0, 2.0), (3.0, -4.0)], &[2, 1]));
    let (rec, kind) = path(&mut s, "rec");
    assert_eq!(kind, Kind::Records);
    assert_eq!(
        whole(&mut s, rec),
        c16(&[(0.0, 1.0), (2.0, 0.0), (3.0, 0.0), (0.0, 4.0)], &[2, 2])
    );
    assert_eq!(s.attr_names(root).unwrap(), ["ca", "cs"]);
    assert_eq!(
        s.get_attr(root, "ca").unwrap(),
        Some(c16(&[(5.0, -6.0)], &[1]))
    );
    assert_eq!(
        s.get_attr(root, "cs").unwrap(),
        Some(c8(&[(7.0, 8.0)], &[]))
    );
    s.close().unwrap();
}
