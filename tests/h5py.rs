//! Files written here read the same in h5py, and files h5py writes read
//! here: checked with small inline Python scripts when `python3` (or the
//! interpreter named by `QND_PYTHON`) has h5py and numpy; otherwise each
//! test prints "skipped: ..." and passes.
#![cfg(feature = "hdf5")]

mod common;

use common::python::Python;
use common::samples::{
    write_list, write_mat_and_cube, write_none_and_empty, write_scalars, write_text, Scalars,
};
use common::text_attr;
use ndarray::array;
use qnd::{DType, Kind, Recording, Value};

/// The tests here run one at a time: each starts a Python process, which
/// would inherit a file the other test has just opened through HDF5 (HDF5
/// opens without `O_CLOEXEC`; qnd marks the descriptor close-on-exec just
/// after), and with it HDF5's lock on that file.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|p| p.into_inner())
}

const CHECK_QND_FILE: &str = r#"
import sys
import h5py, numpy as np

def text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.ndarray):
        return [text(x) for x in v.tolist()]
    return v

f = h5py.File(sys.argv[1], "r")
scalars = {"i1": (np.int8, -3), "i2": (np.int16, -300), "i4": (np.int32, -70000),
           "i8": (np.int64, -2**40), "u1": (np.uint8, 200), "u2": (np.uint16, 60000),
           "u4": (np.uint32, 4000000000), "u8": (np.uint64, 2**63 + 5),
           "f4": (np.float32, 1.5), "f8": (np.float64, 2.25)}
for name, (dt, v) in scalars.items():
    d = f[name]
    assert isinstance(d, h5py.Dataset), name
    assert d.dtype == np.dtype(dt), (name, d.dtype)
    assert d.shape == (), (name, d.shape)
    assert d[()] == v, (name, d[()])

m = f["mat"]
assert m.dtype == np.float64 and m.shape == (2, 3) and m.maxshape == (2, 3)
assert (m[()] == np.arange(6.0).reshape(2, 3)).all()
c = f["cube"]
assert c.dtype == np.int16 and c.shape == (2, 3, 4)
assert (c[()] == np.arange(24).reshape(2, 3, 4)).all()

assert text(f["text"][()]) == "héllo wörld", f["text"][()]
assert text(f["words"][()]) == ["a", "bb", "日本語"], f["words"][()]
assert f["words"].shape == (3,)

assert f["flag"].dtype == np.bool_, f["flag"].dtype
assert f["flag"][()] == True
assert f["flags"].dtype == np.bool_
assert f["flags"][()].tolist() == [True, False, True]

t = f["time"]
assert isinstance(t, h5py.Dataset)
assert t.maxshape == (None,), t.maxshape
assert t[()].tolist() == [0.0, 0.5, 1.0]
u = f["u"]
assert u.maxshape == (None, 3) and u.shape == (3, 3), (u.maxshape, u.shape)
assert u[2].tolist() == [0.0, 2.0, 4.0]

n = f["nothing"]
assert isinstance(n, h5py.Datatype), type(n)
assert n.dtype == np.uint8, n.dtype
assert bool(n.attrs["__none__"])

e = f["empty"]
assert isinstance(e, h5py.Datatype), type(e)
assert e.dtype == np.float64
assert list(e.attrs["__shape__"]) == [2, 0], e.attrs["__shape__"]

l = f["lst"]
assert isinstance(l, h5py.Group)
assert sorted(l.keys()) == ["_", "_0", "_1", "_2", "_3"], list(l.keys())
assert isinstance(l["_"], h5py.Datatype) and bool(l["_"].attrs["__none__"])
assert l["_0"][()] == 1 and l["_0"].dtype == np.int64
assert text(l["_1"][()]) == "two"
assert isinstance(l["_2"], h5py.Datatype) and bool(l["_2"].attrs["__none__"])
assert isinstance(l["_3"], h5py.Group) and l["_3"]["q"][()] == 2.5

assert isinstance(f["g"], h5py.Group) and f["g"]["y"][()] == 7
assert f.attrs["version"] == 3
assert text(f["mat"].attrs["units"]) == "cm"
assert text(f["time"].attrs["units"]) == "s"
assert text(l.attrs["kind"]) == "parts"
print("ok")
"#;

/// A file qnd writes reads in h5py as the conventions say.
#[test]
fn h5py_reads_what_qnd_writes() {
    let _serial = serial();
    let Some(py) = Python::find(&["h5py", "numpy"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("qnd.h5");
    let f = qnd::open(&p, "w").unwrap();
    write_scalars(&f, Scalars::All);
    write_mat_and_cube(&f);
    write_text(&f);
    f.set("flag", true).unwrap();
    f.set("flags", vec![true, false, true]).unwrap();
    write_none_and_empty(&f);
    let l = write_list(&f);
    l.attrs().set("kind", "parts").unwrap();
    f.set("g", Value::group()).unwrap();
    f.set("g/y", 7i32).unwrap();
    f.attrs("").unwrap().set("version", 3i32).unwrap();
    f.attrs("mat").unwrap().set("units", "cm").unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..3 {
        f.set("time", 0.5 * k as f64).unwrap();
        f.set("u", array![0.0, 1.0, 2.0] * k as f64).unwrap();
    }
    f.attrs("time").unwrap().set("units", "s").unwrap();
    f.close().unwrap();
    py.run(CHECK_QND_FILE, &[&p]);
}

const WRITE_H5PY_FILE: &str = r#"
import sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "w")
f["vlen"] = "variable längth"
f.create_dataset("vlen_arr", data=np.array(["x", "yy", "日本"], dtype=h5py.string_dtype()))
f["fixed"] = np.array([b"ab", b"c"], dtype="S2")
f["big_endian"] = np.arange(4, dtype=">i4")
f["be_float"] = np.array([1.5, -2.0], dtype=">f8")
f.create_dataset("zero", shape=(0, 3), dtype="f4")
f["flags"] = np.array([True, False])
f.create_dataset("rec", data=np.arange(6.0).reshape(3, 2), maxshape=(None, 2))
f.create_dataset("rec0", shape=(0,), maxshape=(None,), dtype="i8")
g = f.create_group("lst")
g["_"] = np.dtype("u1")
g["_"].attrs["__none__"] = True
g["_0"] = 5
g.create_group("_1")["a"] = 1.0
f.attrs["title"] = "from h5py"
f["vlen"].attrs["note"] = np.array(["a", "b"], dtype=h5py.string_dtype())
f.close()
"#;

/// Files h5py writes read here: variable-length and fixed text, any byte
/// order, zero-sized datasets, record datasets, lists.
#[test]
fn qnd_reads_what_h5py_writes() {
    let _serial = serial();
    let Some(py) = Python::find(&["h5py", "numpy"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("h5py.h5");
    py.run(WRITE_H5PY_FILE, &[&p]);
    let f = qnd::open(&p, "r").unwrap();
    assert_eq!(f.read::<String>("vlen").unwrap(), "variable längth");
    assert_eq!(
        f.read::<Vec<String>>("vlen_arr").unwrap(),
        ["x", "yy", "日本"]
    );
    assert_eq!(f.read::<Vec<String>>("fixed").unwrap(), ["ab", "c"]);
    assert_eq!(f.leaf("fixed").unwrap().dtype().unwrap(), DType::Str);
    assert_eq!(f.read::<Vec<i32>>("big_endian").unwrap(), [0, 1, 2, 3]);
    assert_eq!(f.read::<Vec<f64>>("be_float").unwrap(), [1.5, -2.0]);
    let z = f.leaf("zero").unwrap();
    assert_eq!(
        (z.dtype().unwrap(), z.shape().unwrap()),
        (DType::F32, vec![0, 3])
    );
    assert_eq!(f.read::<Vec<bool>>("flags").unwrap(), [true, false]);
    assert_eq!(f.kind("rec").unwrap(), Kind::Records);
    f.goto(1);
    assert_eq!(f.read::<Vec<f64>>("rec").unwrap(), [2.0, 3.0]);
    f.goto_off();
    assert_eq!(f.kind("rec0").unwrap(), Kind::Records);
    assert_eq!(f.list("rec0").unwrap().len().unwrap(), 0);
    assert_eq!(f.kind("lst").unwrap(), Kind::List);
    let l = f.list("lst").unwrap();
    assert_eq!(l.len().unwrap(), 2);
    assert_eq!(l.read::<i64>(0).unwrap(), 5);
    assert_eq!(l.group(1).unwrap().read::<f64>("a").unwrap(), 1.0);
    assert_eq!(text_attr(&f, "", "title").as_deref(), Some("from h5py"));
    assert_eq!(
        f.attrs("vlen")
            .unwrap()
            .read::<Vec<String>>("note")
            .unwrap(),
        Some(vec!["a".to_string(), "b".to_string()])
    );
    f.close().unwrap();
    // and qnd can add to it
    let f = qnd::open(&p, "r+").unwrap();
    f.set_recording(Recording::Uniform);
    f.set("rec", array![6.0, 7.0]).unwrap();
    f.set("rec0", 9i64).unwrap();
    f.list("lst").unwrap().append("more").unwrap();
    f.close().unwrap();
    py.run(
        r#"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f["rec"].shape == (4, 2) and f["rec"][3].tolist() == [6.0, 7.0]
assert f["rec0"][()].tolist() == [9]
v = f["lst"]["_2"][()]
assert (v.decode() if isinstance(v, bytes) else v) == "more"
"#,
        &[&p],
    );
}
