//! Files written here read the same in netCDF4-python and xarray, and files
//! netCDF4-python and xarray write read here: checked with small inline
//! Python scripts when `python3` (or the interpreter named by `QND_PYTHON`)
//! has netCDF4, xarray and numpy; otherwise each test prints
//! "skipped: ..." and passes. Classic files are also read with LLNL's
//! Python qnd (its netCDF-3 reader, through `../shared/fixtures/qnd_ref.py`)
//! when that Python can import `qnd.ncf`.
#![cfg(feature = "netcdf")]

mod common;

use common::create_netcdf as create;
use common::python::{Python, QndRef};
use common::samples::{
    write_list, write_mat_and_cube, write_none_and_empty, write_scalars, write_text, Scalars,
};
use common::text_attr;
use ndarray::array;
use qnd::{DType, Kind, NcFormat, Recording, Value};

/// The Python interpreter to use, if it has netCDF4, xarray and numpy.
fn python() -> Option<Python> {
    Python::find(&["netCDF4", "xarray", "numpy"])
}

/// What both netCDF flavours hold: numbers of the netCDF-3 types, text,
/// bool, records, attributes.
fn write_common(f: &qnd::QGroup) {
    write_scalars(f, Scalars::Netcdf3);
    write_mat_and_cube(f);
    f.set("vec", vec![1.0f32, 2.0, 3.0]).unwrap();
    write_text(f);
    f.set("flags", vec![true, false, true]).unwrap();
    f.attrs("").unwrap().set("version", 3i32).unwrap();
    f.attrs("").unwrap().set("title", "a qnd file").unwrap();
    f.attrs("mat").unwrap().set("units", "cm").unwrap();
    f.attrs("mat")
        .unwrap()
        .set("range", vec![0.0, 5.0])
        .unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..3 {
        f.set("time", 0.5 * k as f64).unwrap();
        f.set("u", array![0.0, 1.0, 2.0] * k as f64).unwrap();
    }
    f.set_recording(Recording::Off);
    f.attrs("time").unwrap().set("units", "s").unwrap();
}

/// Python helpers for the checks: text out of NC_STRING, NC_CHAR or bytes.
const PY_COMMON: &str = r#"
import sys
import numpy as np
import netCDF4

def text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "S" and v.dtype.itemsize == 1 and v.ndim >= 1:
            return text(netCDF4.chartostring(v, encoding="utf-8"))
        if v.ndim == 0:
            return text(v[()])
        return [text(x) for x in v.tolist()]
    if isinstance(v, list):
        return [text(x) for x in v]
    return v

def check_common(ds):
    dims = ds.dimensions
    assert dims["_0"].isunlimited(), dims
    assert len(dims["_0"]) == 3, len(dims["_0"])
    for n in (2, 3, 4):
        assert not dims[f"_{n}"].isunlimited()
        assert len(dims[f"_{n}"]) == n, (n, len(dims[f"_{n}"]))
    v = ds.variables
    for name, dt, x in [("i1", np.int8, -3), ("i2", np.int16, -300),
                        ("i4", np.int32, -70000), ("f4", np.float32, 1.5),
                        ("f8", np.float64, 2.25)]:
        assert v[name].dtype == np.dtype(dt), (name, v[name].dtype)
        assert v[name].dimensions == (), (name, v[name].dimensions)
        assert v[name][...] == x, (name, v[name][...])
    assert v["mat"].dimensions == ("_2", "_3"), v["mat"].dimensions
    assert v["mat"].dtype == np.float64
    assert (v["mat"][:] == np.arange(6.0).reshape(2, 3)).all()
    assert v["cube"].dimensions == ("_2", "_3", "_4")
    assert v["cube"].dtype == np.int16
    assert (v["cube"][:] == np.arange(24).reshape(2, 3, 4)).all()
    assert v["vec"].dimensions == ("_3",) and v["vec"].dtype == np.float32
    assert v["vec"][:].tolist() == [1.0, 2.0, 3.0]
    assert v["time"].dimensions == ("_0",), v["time"].dimensions
    assert v["time"][:].tolist() == [0.0, 0.5, 1.0]
    assert v["u"].dimensions == ("_0", "_3"), v["u"].dimensions
    assert v["u"][2].tolist() == [0.0, 2.0, 4.0]
    assert ds.version == 3
    assert text(ds.title) == "a qnd file"
    assert text(v["mat"].units) == "cm"
    assert list(v["mat"].range) == [0.0, 5.0]
    assert text(v["time"].units) == "s"

def open_xarray(path):
    """The file at path in xarray, with what both flavours hold checked."""
    import xarray as xr
    x = xr.open_dataset(path, decode_times=False)
    assert x["mat"].dims == ("_2", "_3"), x["mat"].dims
    assert x["u"].dims == ("_0", "_3"), x["u"].dims
    assert x.sizes["_0"] == 3
    assert x["u"].values[1].tolist() == [0.0, 1.0, 2.0]
    assert x["time"].values.tolist() == [0.0, 0.5, 1.0]
    assert x.attrs["version"] == 3
    assert x["mat"].attrs["units"] == "cm"
    return x
"#;

const CHECK_NETCDF4: &str = r#"
ds = netCDF4.Dataset(sys.argv[1], "r")
assert ds.data_model == "NETCDF4", ds.data_model
check_common(ds)
v = ds.variables
for name, dt, x in [("i8", np.int64, -2**40), ("u1", np.uint8, 200),
                    ("u2", np.uint16, 60000), ("u4", np.uint32, 4000000000),
                    ("u8", np.uint64, 2**63 + 5)]:
    assert v[name].dtype == np.dtype(dt), (name, v[name].dtype)
    assert int(v[name][...]) == x, (name, v[name][...])
# text is NC_STRING
assert v["text"].dtype == str, v["text"].dtype
assert text(v["text"][...]) == "héllo wörld", v["text"][...]
assert v["words"].dtype == str and v["words"].dimensions == ("_3",)
assert text(v["words"][:]) == ["a", "bb", "日本語"], v["words"][:]
# bool is an enum over int8 with FALSE=0, TRUE=1
b = v["flags"]
assert isinstance(b.datatype, netCDF4.EnumType), b.datatype
assert b.datatype.enum_dict == {"FALSE": 0, "TRUE": 1}, b.datatype.enum_dict
assert b.datatype.dtype == np.int8
assert b[:].tolist() == [1, 0, 1]
# None: a scalar NC_UBYTE with __none__ = 1
n = v["nothing"]
assert n.dtype == np.uint8 and n.dimensions == () and n.getncattr("__none__") == 1
# a zero-length leaf: a scalar of its type with __shape__
e = v["empty"]
assert e.dtype == np.float64 and e.dimensions == ()
assert list(e.getncattr("__shape__")) == [2, 0], e.getncattr("__shape__")
# groups, with their own dimensions
g = ds.groups["g"]
assert g.variables["y"][...] == 7
assert g.variables["z"].dimensions == ("_2",), g.variables["z"].dimensions
assert "_2" in g.dimensions
assert g.level == 1
# a list: a group with _ and _0, _1, ...
l = ds.groups["lst"]
members = sorted(list(l.variables) + list(l.groups))
assert members == ["_", "_0", "_1", "_2", "_3"], members
assert l.variables["_"].getncattr("__none__") == 1
assert l.variables["_0"][...] == 1 and l.variables["_0"].dtype == np.int64
assert text(l.variables["_1"][...]) == "two"
assert l.variables["_2"].getncattr("__none__") == 1
assert l.groups["_3"].variables["q"][...] == 2.5
assert text(l.kind) == "parts"
# a record variable in a group uses that group's own _0
h = ds.groups["h"]
assert h.dimensions["_0"].isunlimited() and len(h.dimensions["_0"]) == 2
assert h.variables["w"].dimensions == ("_0",)
assert h.variables["w"][:].tolist() == [10, 20]
ds.close()

x = open_xarray(sys.argv[1])
assert x["cube"].values.sum() == sum(range(24))
assert text(x["words"].values) == ["a", "bb", "日本語"], x["words"].values
assert text(x["text"].values) == "héllo wörld"
assert x["u8"].values == 2**63 + 5
x.close()
import xarray as xr
xg = xr.open_dataset(sys.argv[1], group="g")
assert xg["z"].dims == ("_2",) and xg["z"].values.tolist() == [1.0, 2.0]
xg.close()
xh = xr.open_dataset(sys.argv[1], group="h")
assert xh["w"].dims == ("_0",) and xh["w"].values.tolist() == [10, 20]
xh.close()
print("ok")
"#;

/// A netCDF-4 file qnd writes reads in netCDF4-python and xarray as the
/// conventions say: `_n` fixed dimensions, the `_0` unlimited record
/// dimension of each group, NC_STRING text, bool as an enum, None and
/// empty leaves, groups and lists, attributes.
#[test]
fn netcdf4_python_and_xarray_read_netcdf4_from_qnd() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("qnd4.nc");
    let f = create(&p, NcFormat::Netcdf4);
    write_common(&f);
    write_scalars(&f, Scalars::NotNetcdf3);
    write_none_and_empty(&f);
    let g = f.create_group("g").unwrap();
    g.set("y", 7i32).unwrap();
    g.set("z", vec![1.0, 2.0]).unwrap();
    g.attrs("").unwrap().set("level", 1i32).unwrap();
    let l = write_list(&f);
    l.attrs().set("kind", "parts").unwrap();
    let h = f.create_group("h").unwrap();
    h.set_recording(Recording::Uniform);
    h.set("w", 10i32).unwrap();
    h.set("w", 20i32).unwrap();
    f.close().unwrap();
    py.run(&format!("{PY_COMMON}{CHECK_NETCDF4}"), &[&p]);
}

const CHECK_CLASSIC: &str = r#"
ds = netCDF4.Dataset(sys.argv[1], "r")
assert ds.data_model == sys.argv[2], (ds.data_model, sys.argv[2])
assert not ds.groups
check_common(ds)
v = ds.variables
# text is NC_CHAR with a trailing length dimension _n (UTF-8 bytes)
t = v["text"]
assert t.dtype == np.dtype("S1"), t.dtype
nbytes = len("héllo wörld".encode())
assert t.dimensions == (f"_{nbytes}",), t.dimensions
t.set_auto_chartostring(False)
assert text(t[:]) == "héllo wörld", t[:]
w = v["words"]
w.set_auto_chartostring(False)
assert w.dimensions == ("_3", "_9"), w.dimensions
assert text(w[:]) == ["a", "bb", "日本語"], w[:]
# bool is NC_BYTE with __bool__ = 1
b = v["flags"]
assert b.dtype == np.int8 and b.getncattr("__bool__") == 1
assert b[:].tolist() == [1, 0, 1]
# text records: _0 then the width (at least 32 bytes: room to grow)
r = v["word"]
assert r.dimensions == ("_0", "_32"), r.dimensions
r.set_auto_chartostring(False)
assert text(r[:]) == ["ccc", "a", "bb"], r[:]
ds.close()

x = open_xarray(sys.argv[1])
assert x["i2"].values == -300
x.close()
print("ok")
"#;

/// netCDF-3 files (classic and 64-bit offset) qnd writes read in
/// netCDF4-python and xarray: one root group, `_n` dimensions, one `_0`
/// record dimension, NC_CHAR text with a trailing length dimension.
#[test]
fn netcdf4_python_and_xarray_read_netcdf3_from_qnd() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (netcdf, model) in [
        (NcFormat::Classic, "NETCDF3_CLASSIC"),
        (NcFormat::Offset64, "NETCDF3_64BIT_OFFSET"),
    ] {
        let p = dir.path().join(format!("{model}.nc"));
        let f = create(&p, netcdf);
        write_common(&f);
        f.set_recording(Recording::Uniform);
        for w in ["ccc", "a", "bb"] {
            f.set("word", w).unwrap();
        }
        f.close().unwrap();
        let script = format!("{PY_COMMON}{CHECK_CLASSIC}");
        py.run(&script, &[&p, &model]);
    }
}

const WRITE_NETCDF4_FILE: &str = r#"
import sys
import numpy as np
import netCDF4
ds = netCDF4.Dataset(sys.argv[1], "w", format="NETCDF4")
ds.title = "from netCDF4-python"
ds.createDimension("time", None)
ds.createDimension("x", 3)
ds.createDimension("n", 2)
t = ds.createVariable("time", "f8", ("time",))
t.units = "s"
t[:] = [0.0, 0.5, 1.0, 1.5]
u = ds.createVariable("u", "f4", ("time", "x"))
u[:] = np.arange(12, dtype="f4").reshape(4, 3)
for code in ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4", "f8"]:
    v = ds.createVariable("v_" + code, code, ("x",))
    v[:] = np.array([1, 2, 3], dtype=code)
ds.createVariable("scalar", "i4", ())[...] = 42
s = ds.createVariable("names", str, ("n",))
s[0] = "alpha"
s[1] = "βeta"
c = ds.createVariable("chars", "S1", ("n", "x"))
c[:] = netCDF4.stringtochar(np.array([b"abc", b"de"], dtype="S3"))
m = ds.createVariable("mat", "f8", ("n", "x"))
m[:] = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
m.long_name = "a matrix"
m.valid_range = np.array([0.0, 10.0])
g = ds.createGroup("grp")
g.createDimension("k", 2)
g.createVariable("a", "f8", ("k",))[:] = [7.0, 8.0]
g.note = "inside"
sub = g.createGroup("sub")
sub.createVariable("b", "i2", ())[...] = -5
ds.close()
"#;

/// A netCDF-4 file netCDF4-python writes reads here: groups, every number
/// type, NC_STRING and NC_CHAR text, a record variable over an unlimited
/// dimension of any name, attributes, dimension names as the symbolic
/// shape.
#[test]
fn qnd_reads_netcdf4_from_netcdf4_python() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("py4.nc");
    py.run(WRITE_NETCDF4_FILE, &[&p]);
    let f = qnd::open(&p, "r").unwrap();
    let mut names = f.names().unwrap();
    names.sort();
    let mut want = vec![
        "time", "u", "scalar", "names", "chars", "mat", "grp", "v_i1", "v_i2", "v_i4", "v_i8",
        "v_u1", "v_u2", "v_u4", "v_u8", "v_f4", "v_f8",
    ];
    want.sort();
    assert_eq!(names, want);
    for (code, dtype) in [
        ("i1", DType::I8),
        ("i2", DType::I16),
        ("i4", DType::I32),
        ("i8", DType::I64),
        ("u1", DType::U8),
        ("u2", DType::U16),
        ("u4", DType::U32),
        ("u8", DType::U64),
        ("f4", DType::F32),
        ("f8", DType::F64),
    ] {
        let name = format!("v_{code}");
        let l = f.leaf(&name).unwrap();
        assert_eq!((l.dtype().unwrap(), l.shape().unwrap()), (dtype, vec![3]));
        let Value::Array(a) = f.read::<Value>(&name).unwrap() else {
            panic!("{name} is not an array");
        };
        let values: Vec<f64> = a.to_f64().unwrap().iter().copied().collect();
        assert_eq!((a.dtype(), values), (dtype, vec![1.0, 2.0, 3.0]), "{name}");
    }
    assert_eq!(f.read::<i32>("scalar").unwrap(), 42);
    assert_eq!(f.read::<Vec<String>>("names").unwrap(), ["alpha", "βeta"]);
    assert_eq!(f.leaf("chars").unwrap().dtype().unwrap(), DType::Str);
    assert_eq!(f.read::<Vec<String>>("chars").unwrap(), ["abc", "de"]);
    // a record variable over the unlimited dimension "time"
    assert_eq!(f.kind("time").unwrap(), Kind::Records);
    assert_eq!(f.kind("u").unwrap(), Kind::Records);
    let u = f.list("u").unwrap();
    assert_eq!(u.len().unwrap(), 4);
    let dims: Vec<Option<String>> = u
        .as_array()
        .unwrap()
        .sshape()
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(dims, [Some("time".into()), Some("x".into())]);
    assert_eq!(f.goto_nearest("time", 1.1).unwrap(), 2);
    assert_eq!(f.read::<Vec<f32>>("u").unwrap(), [6.0, 7.0, 8.0]);
    f.goto_off();
    // dimension names are the symbolic shape of a leaf
    let m = f.leaf("mat").unwrap();
    let sshape: Vec<(Option<String>, usize)> = m
        .sshape()
        .unwrap()
        .into_iter()
        .map(|d| (d.name, d.len))
        .collect();
    assert_eq!(
        sshape,
        [(Some("n".to_string()), 2), (Some("x".to_string()), 3)]
    );
    assert_eq!(
        f.read::<ndarray::Array2<f64>>("mat").unwrap(),
        array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    );
    // attributes
    assert_eq!(
        text_attr(&f, "", "title").as_deref(),
        Some("from netCDF4-python")
    );
    assert_eq!(
        text_attr(&f, "mat", "long_name").as_deref(),
        Some("a matrix")
    );
    let ma = f.attrs("mat").unwrap();
    assert_eq!(
        ma.read::<Vec<f64>>("valid_range").unwrap(),
        Some(vec![0.0, 10.0])
    );
    assert_eq!(text_attr(&f, "time", "units").as_deref(), Some("s"));
    // groups, and no dimension internals among the members
    assert_eq!(f.kind("grp").unwrap(), Kind::Group);
    let g = f.group("grp").unwrap();
    assert_eq!(g.names().unwrap(), ["a", "sub"]);
    assert_eq!(g.read::<Vec<f64>>("a").unwrap(), [7.0, 8.0]);
    assert_eq!(g.read::<i16>("sub/b").unwrap(), -5);
    assert_eq!(text_attr(&g, "", "note").as_deref(), Some("inside"));
    f.close().unwrap();

    // and qnd can add to it, which netCDF4-python then reads
    let f = qnd::open(&p, "r+").unwrap();
    f.set_recording(Recording::Uniform);
    f.set("time", 2.0).unwrap();
    f.set("u", vec![12.0f32, 13.0, 14.0]).unwrap();
    f.set_recording(Recording::Off);
    f.group("grp").unwrap().set("c", "added").unwrap();
    f.close().unwrap();
    py.run(
        r#"
import sys, netCDF4
ds = netCDF4.Dataset(sys.argv[1], "r")
assert len(ds.dimensions["time"]) == 5, len(ds.dimensions["time"])
assert ds["time"][:].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0], ds["time"][:]
assert ds["u"][4].tolist() == [12.0, 13.0, 14.0], ds["u"][4]
c = ds.groups["grp"].variables["c"][...]
assert (c if isinstance(c, str) else c.item()) == "added", c
"#,
        &[&p],
    );
}

const WRITE_XARRAY_FILE: &str = r#"
import sys
import numpy as np
import xarray as xr
ds = xr.Dataset(
    {"temp": (("time", "x"), np.arange(6.0).reshape(2, 3), {"units": "K"}),
     "count": (("x",), np.array([1, 2, 3], dtype="i4"))},
    coords={"x": [10.0, 20.0, 30.0], "time": [0.0, 1.0]},
    attrs={"source": "xarray"},
)
ds.to_netcdf(sys.argv[1], format=sys.argv[2], unlimited_dims=["time"])
"#;

/// Files xarray writes (netCDF-4 and classic, with coordinates and an
/// unlimited dimension) read here.
#[test]
fn qnd_reads_files_xarray_writes() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    for format in ["NETCDF4", "NETCDF3_CLASSIC"] {
        let p = dir.path().join(format!("xr_{format}.nc"));
        py.run(WRITE_XARRAY_FILE, &[&p, &format]);
        let f = qnd::open(&p, "r").unwrap();
        assert_eq!(f.kind("temp").unwrap(), Kind::Records, "{format}");
        assert_eq!(f.list("temp").unwrap().len().unwrap(), 2, "{format}");
        f.goto(1);
        assert_eq!(f.read::<Vec<f64>>("temp").unwrap(), [3.0, 4.0, 5.0]);
        f.goto_off();
        assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [10.0, 20.0, 30.0]);
        assert_eq!(f.read::<Vec<i32>>("count").unwrap(), [1, 2, 3]);
        assert_eq!(text_attr(&f, "temp", "units").as_deref(), Some("K"));
        assert_eq!(text_attr(&f, "", "source").as_deref(), Some("xarray"));
        f.close().unwrap();
    }
}

/// Classic files written here read in LLNL's Python qnd (its netCDF-3
/// reader) as the same tree `qnd dump --json` prints. Needs a Python that
/// imports `qnd.ncf` (PYTHONPATH at a checkout of LLNL/qnd).
#[test]
fn python_qnd_reads_classic_files_from_qnd() {
    let hint = "set QND_PYTHON, and PYTHONPATH to a checkout of LLNL/qnd";
    let Some(py) = Python::find_with(&["qnd.ncf", "numpy"], hint) else {
        return;
    };
    let Some(script) = QndRef::script() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("for_python_qnd.nc");
    let f = create(&p, NcFormat::Classic);
    f.set("x", 3.5).unwrap();
    f.set("n", 7i32).unwrap();
    f.set("grid", array![[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
        .unwrap();
    f.set("name", "qnd").unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..3 {
        f.set("t", 0.1 * k as f64).unwrap();
        f.set("y", array![0.0, 1.0, 2.0] + k as f64).unwrap();
    }
    f.close().unwrap();
    QndRef { py, script }.assert_same_tree(&p);
}
