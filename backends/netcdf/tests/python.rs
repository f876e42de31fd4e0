//! Optional tests against netCDF4-python: files it writes with types qnd
//! has no kind for are listed and described, not read; complex numbers
//! (its `auto_complex=True` compounds) go both ways. They need a Python
//! that imports netCDF4 and numpy (`QND_PYTHON` names it, `python3` by
//! default); without one each test prints "skipped: ..." and passes.

use std::path::Path;
use std::process::Command;

use ndarray::array;
use qnd_netcdf::NetcdfStorage;
use qnd_storage::{
    Array, Complex, DType, Kind, LeafSpec, NcFormat, NodeId, Run, Storage, StorageError,
};

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

fn c16(shape: &[usize], from: f64) -> Array {
    let n: usize = shape.iter().product();
    let v = (0..n)
        .map(|k| Complex::new(from + k as f64, 0.5 - k as f64))
        .collect();
    Array::C16(ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(shape), v).unwrap())
}

fn c8(shape: &[usize], from: f32) -> Array {
    let n: usize = shape.iter().product();
    let v = (0..n)
        .map(|k| Complex::new(from + k as f32, -(k as f32) - 0.25))
        .collect();
    Array::C8(ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(shape), v).unwrap())
}

/// `[[re, im], ...]` of an array's elements in C order, with its dtype
/// and shape, as the Python side prints them.
fn pairs(a: &Array) -> String {
    let z = a.to_c64().unwrap();
    let items: Vec<String> = z
        .iter()
        .map(|c| format!("[{:?}, {:?}]", c.re, c.im))
        .collect();
    format!("{} {:?} [{}]", a.dtype(), a.shape(), items.join(", "))
}

/// What netCDF4-python with `auto_complex=True` reads, one line per
/// variable: `path dtype shape [[re, im], ...]`.
const READ_COMPLEX: &str = r#"
import sys, netCDF4, numpy as np
def walk(g, prefix):
    for name, v in g.variables.items():
        a = np.asarray(v[...])
        code = {"complex64": "c8", "complex128": "c16"}.get(a.dtype.name, a.dtype.name)
        items = ", ".join("[%r, %r]" % (float(z.real), float(z.imag)) for z in a.reshape(-1))
        print("%s%s %s %s [%s]" % (prefix, name, code, list(a.shape), items))
    for name, sub in g.groups.items():
        walk(sub, prefix + name + "/")
with netCDF4.Dataset(sys.argv[1], auto_complex=True) as f:
    walk(f, "")
    print("types", sorted(f.cmptypes))
"#;

/// netCDF4-python (auto_complex=True) reads qnd's complex variables as
/// complex, with the same values: scalars, n-d, records, partial writes,
/// a subgroup; the file holds netCDF4-python's own type names.
#[test]
fn netcdf4_python_reads_our_complex() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ours.nc");
    let spec = |dtype, shape: &[usize], records| LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 0,
    };
    let mut expected = Vec::new();
    {
        let mut s = NetcdfStorage::create(&file, NcFormat::Netcdf4).unwrap();
        let root = s.root();
        let a = s
            .create_leaf(root, "a", &spec(DType::C16, &[2, 3], false))
            .unwrap();
        s.write(a, &Run::whole(&[2, 3]), &c16(&[2, 3], 1.0))
            .unwrap();
        expected.push(format!("a {}", pairs(&c16(&[2, 3], 1.0))));
        let sc = s
            .create_leaf(root, "s", &spec(DType::C8, &[], false))
            .unwrap();
        let one = Array::scalar(Complex::new(1.5f32, -2.0));
        s.write(sc, &[], &one).unwrap();
        expected.push(format!("s {}", pairs(&one)));
        let r = s
            .create_leaf(root, "r", &spec(DType::C8, &[2], true))
            .unwrap();
        s.append(r, &c8(&[2], 0.0)).unwrap();
        s.append(r, &c8(&[2], 2.0)).unwrap();
        let both = Array::C8(
            array![
                [Complex::new(0.0, -0.25), Complex::new(1.0, -1.25)],
                [Complex::new(2.0, -0.25), Complex::new(3.0, -1.25)]
            ]
            .into_dyn(),
        );
        expected.push(format!("r {}", pairs(&both)));
        let p = s
            .create_leaf(root, "p", &spec(DType::C16, &[3], false))
            .unwrap();
        s.write(p, &[Run::strided(1, 1, 1)], &c16(&[1], 7.0))
            .unwrap();
        let z = Complex::new(0.0, 0.0);
        let Array::C16(seven) = c16(&[1], 7.0) else {
            unreachable!()
        };
        let whole = Array::C16(array![z, seven[0], z].into_dyn());
        expected.push(format!("p {}", pairs(&whole)));
        let g = s.create_group(root, "g").unwrap();
        let w = s
            .create_leaf(g, "w", &spec(DType::C16, &[2], false))
            .unwrap();
        s.write(w, &Run::whole(&[2]), &c16(&[2], -3.0)).unwrap();
        expected.push(format!("g/w {}", pairs(&c16(&[2], -3.0))));
        s.set_attr(a, "za", &c16(&[2], 2.0)).unwrap();
        s.set_attr(root, "z1", &Array::scalar(Complex::new(0.5f32, 4.0)))
            .unwrap();
        s.close().unwrap();
    }
    // netCDF4-python has no complex attributes: it reads ours as
    // structured (r, i) values
    let attrs = run(
        &py,
        r#"
import sys, netCDF4, numpy as np
with netCDF4.Dataset(sys.argv[1], auto_complex=True) as f:
    for name, a in [("za", f["a"].getncattr("za")), ("z1", f.getncattr("z1"))]:
        a = np.atleast_1d(a)
        print(name, a.dtype.names, [(float(x["r"]), float(x["i"])) for x in a])
"#,
        &file,
    );
    assert_eq!(
        attrs,
        "za ('r', 'i') [(2.0, 0.5), (3.0, -0.5)]\nz1 ('r', 'i') [(0.5, 4.0)]\n"
    );
    let out = run(&py, READ_COMPLEX, &file);
    let mut lines: Vec<&str> = out.lines().collect();
    let types = lines.pop().unwrap();
    assert_eq!(
        types,
        "types ['_PFNC_DOUBLE_COMPLEX_TYPE', '_PFNC_FLOAT_COMPLEX_TYPE']"
    );
    assert_eq!(lines, expected);
}

const WRITE_COMPLEX: &str = r#"
import sys, netCDF4, numpy as np
path, kind = sys.argv[1], sys.argv[2]
with netCDF4.Dataset(path, "w", auto_complex=True) as f:
    f.createDimension("x", 3)
    f.createDimension("t", None)
    a = f.createVariable("a", kind, ("x",))
    a[:] = np.array([1 + 2j, 3 - 4j, 0.5j])
    s = f.createVariable("s", kind, ())
    s[...] = 7 + 8j
    r = f.createVariable("r", kind, ("t", "x"))
    r[0:2] = np.array([[1 + 1j, 2, 3], [4, 5, 6j]])
    g = f.createGroup("g")
    u = g.createVariable("u", kind, ("x",))
    u[:] = [1j, 2j, 3j]
"#;

/// What netCDF4-python writes with auto_complex=True (c16 and c8, each in
/// a file of its own) reads as complex in qnd; qnd appends records and
/// writes part of a variable, and netCDF4-python reads those back.
#[test]
fn we_read_netcdf4_python_complex() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    for kind in ["c16", "c8"] {
        let file = dir.path().join(format!("py_{kind}.nc"));
        let out = Command::new(&py)
            .args(["-c", WRITE_COMPLEX])
            .arg(&file)
            .arg(kind)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let z = |v: &[(f64, f64)], shape: &[usize]| {
            let v: Vec<Complex<f64>> = v.iter().map(|&(re, im)| Complex::new(re, im)).collect();
            let a = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(shape), v).unwrap();
            if kind == "c8" {
                Array::C8(a.mapv(|c| Complex::new(c.re as f32, c.im as f32)))
            } else {
                Array::C16(a)
            }
        };
        {
            let mut s = NetcdfStorage::open(&file, true).unwrap();
            let root = s.root();
            let (a, k) = member(&mut s, "a");
            assert_eq!(k, Kind::Leaf);
            assert_eq!(
                s.read(a, &Run::whole(&[3])).unwrap(),
                z(&[(1.0, 2.0), (3.0, -4.0), (0.0, 0.5)], &[3]),
                "{kind}"
            );
            let (sc, _) = member(&mut s, "s");
            assert_eq!(s.read(sc, &[]).unwrap(), z(&[(7.0, 8.0)], &[]));
            let (r, k) = member(&mut s, "r");
            assert_eq!(k, Kind::Records);
            assert_eq!(s.info(r).unwrap().shape, vec![2, 3]);
            assert_eq!(
                s.read(r, &Run::whole(&[2, 3])).unwrap(),
                z(
                    &[
                        (1.0, 1.0),
                        (2.0, 0.0),
                        (3.0, 0.0),
                        (4.0, 0.0),
                        (5.0, 0.0),
                        (0.0, 6.0)
                    ],
                    &[2, 3]
                )
            );
            let g = s.lookup(root, "g").unwrap().unwrap().0;
            let u = s.lookup(g, "u").unwrap().unwrap().0;
            assert_eq!(
                s.read(u, &Run::whole(&[3])).unwrap(),
                z(&[(0.0, 1.0), (0.0, 2.0), (0.0, 3.0)], &[3])
            );
            // ours into theirs: a record appended, part of a leaf written
            s.append(r, &z(&[(9.0, -9.0), (8.0, 0.0), (7.0, 1.0)], &[3]))
                .unwrap();
            s.write(a, &[Run::strided(2, 1, 1)], &z(&[(-1.0, -1.0)], &[1]))
                .unwrap();
            s.close().unwrap();
        }
        let out = run(&py, READ_COMPLEX, &file);
        let line = |name: &str| {
            out.lines()
                .find(|l| l.starts_with(&format!("{name} ")))
                .unwrap_or_else(|| panic!("{name} not in {out}"))
                .to_string()
        };
        assert_eq!(
            line("a"),
            format!(
                "a {}",
                pairs(&z(&[(1.0, 2.0), (3.0, -4.0), (-1.0, -1.0)], &[3]))
            )
        );
        assert_eq!(
            line("r"),
            format!(
                "r {}",
                pairs(&z(
                    &[
                        (1.0, 1.0),
                        (2.0, 0.0),
                        (3.0, 0.0),
                        (4.0, 0.0),
                        (5.0, 0.0),
                        (0.0, 6.0),
                        (9.0, -9.0),
                        (8.0, 0.0),
                        (7.0, 1.0)
                    ],
                    &[3, 3]
                ))
            )
        );
    }
}

/// A complex compound netCDF4-python writes from a padded numpy dtype
/// (`r` at 0, `i` at 8 of 16 bytes) reads with its values; a write into
/// it is either refused (a layout netCDF-C does not write correctly) or
/// reads back as written.
#[test]
fn padded_complex_from_netcdf4_python() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("padded.nc");
    run(
        &py,
        r#"
import sys, netCDF4, numpy as np
dt = np.dtype({"names": ["r", "i"], "formats": ["<f4", "<f4"], "offsets": [0, 8], "itemsize": 16})
with netCDF4.Dataset(sys.argv[1], "w") as f:
    f.createDimension("n", 2)
    v = f.createVariable("g", f.createCompoundType(dt, "padded_t"), ("n",))
    a = np.zeros(2, dt)
    a["r"] = [5, 6]
    a["i"] = [7, 8]
    v[:] = a
"#,
        &file,
    );
    let mut s = NetcdfStorage::open(&file, true).unwrap();
    let (g, kind) = member(&mut s, "g");
    assert_eq!(kind, Kind::Leaf);
    let want = Array::C8(array![Complex::new(5.0f32, 7.0), Complex::new(6.0, 8.0)].into_dyn());
    assert_eq!(s.read(g, &Run::whole(&[2])).unwrap(), want);
    let other = Array::C8(array![Complex::new(-1.0f32, 2.0), Complex::new(3.0, -4.0)].into_dyn());
    match s.write(g, &Run::whole(&[2]), &other) {
        Ok(()) => assert_eq!(s.read(g, &Run::whole(&[2])).unwrap(), other),
        Err(StorageError::Unsupported(m)) => {
            assert!(m.contains("does not write"), "{m}");
            assert_eq!(s.read(g, &Run::whole(&[2])).unwrap(), want);
        }
        Err(e) => panic!("{e}"),
    }
}
