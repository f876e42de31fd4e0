//! Optional tests against netCDF4-python: files it writes with types qnd
//! has no kind for are listed and described, not read. They need a Python
//! that imports netCDF4 and numpy (`QND_PYTHON` names it, `python3` by
//! default); without one each test prints "skipped: ..." and passes.

use std::path::Path;
use std::process::Command;

use ndarray::array;
use qnd_netcdf::NetcdfStorage;
use qnd_storage::{Array, Kind, NodeId, Run, Storage, StorageError};

/// The interpreter, if it imports netCDF4 and numpy; otherwise a
/// "skipped: ..." line and `None`.
fn python() -> Option<String> {
    let exe = std::env::var("QND_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&exe)
        .args(["-c", "import netCDF4, numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(exe)
    } else {
        println!("skipped: {exe} with netCDF4, numpy not found (set QND_PYTHON to one)");
        None
    }
}

/// Run `script` with `file` as `sys.argv[1]`; its standard output.
#[track_caller]
fn run(exe: &str, script: &str, file: &Path) -> String {
    let out = Command::new(exe)
        .args(["-c", script])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn member(s: &mut NetcdfStorage, name: &str) -> (NodeId, Kind) {
    let root = s.root();
    s.lookup(root, name)
        .unwrap()
        .unwrap_or_else(|| panic!("no member {name:?}"))
}

const WRITE_TYPES: &str = r#"
import sys, netCDF4, numpy as np
with netCDF4.Dataset(sys.argv[1], "w") as f:
    f.createDimension("n", 3)
    f.createDimension("t", None)
    vl = f.createVLType(np.int32, "ragged_t")
    v = f.createVariable("ragged", vl, ("n",))
    v[0] = np.array([1, 2, 3], np.int32)
    v[1] = np.array([4], np.int32)
    v[2] = np.array([5, 6], np.int32)
    et = f.createEnumType(np.uint8, "cloud_t", {"clear": 0, "cloudy": 1})
    e = f.createVariable("sky", et, ("n",))
    e[:] = [0, 1, 1]
    ct = f.createCompoundType(np.dtype([("a", np.int32), ("b", np.float64)]), "rec_t")
    c = f.createVariable("table", ct, ("t",))
    d = np.zeros(2, ct.dtype)
    d["a"] = [1, 2]
    d["b"] = [0.5, 0.25]
    c[0:2] = d
    s = f.createVariable("words", str, ("n",))
    s[:] = np.array(["a", "bc", "def"], dtype=object)
    x = f.createVariable("x", "f8", ("n",))
    x[:] = [1, 2, 3]
    x.units = "m"
    x.setncattr("first", d[0])
"#;

/// Vlen, enum and compound variables netCDF4-python writes are items of
/// kind Other, beside strings and numbers qnd reads; a compound attribute
/// is left out of the attribute names.
#[test]
fn netcdf4_python_types_are_other() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("types.nc");
    run(&py, WRITE_TYPES, &file);

    let mut s = NetcdfStorage::open(&file, false).unwrap();
    let root = s.root();
    assert_eq!(
        s.names(root).unwrap(),
        ["ragged", "sky", "table", "words", "x"]
    );
    for (name, words) in [
        ("ragged", "vlen of i4 [3]"),
        ("sky", "enum over u1 {clear=0, cloudy=1} [3]"),
        ("table", "compound {a: i4, b: f8} [2]"),
    ] {
        let (id, kind) = member(&mut s, name);
        assert_eq!(kind, Kind::Other, "{name}");
        assert_eq!(s.other_type(id).unwrap(), words);
        match s.read(id, &[]) {
            Err(StorageError::Unsupported(m)) => assert_eq!(m, words),
            other => panic!("{name}: {other:?}"),
        }
    }
    let (w, kind) = member(&mut s, "words");
    assert_eq!(kind, Kind::Leaf);
    assert_eq!(
        s.read(w, &Run::whole(&[3])).unwrap(),
        Array::Str(array!["a".to_string(), "bc".to_string(), "def".to_string()].into_dyn())
    );
    let (x, _) = member(&mut s, "x");
    assert_eq!(
        s.read(x, &Run::whole(&[3])).unwrap(),
        Array::F64(array![1.0, 2.0, 3.0].into_dyn())
    );
    assert_eq!(s.attr_names(x).unwrap(), ["units"]);
    assert!(matches!(
        s.get_attr(x, "first"),
        Err(StorageError::Unsupported(m)) if m.contains("compound {a: i4, b: f8}")
    ));
}
