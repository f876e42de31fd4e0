//! Backend-level tests of the netCDF backend (the tree-level ones are in
//! `tests/conformance`).

use super::*;

fn all(shape: &[usize]) -> Vec<Run> {
    shape.iter().map(|&n| Run::all(n)).collect()
}

fn spec(dtype: DType, shape: &[usize], records: bool) -> LeafSpec {
    LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 5,
    }
}

/// Every dtype as leaf and records, in both formats, read back after
/// reopening.
#[test]
fn round_trip_backend() {
    let dir = tempfile::tempdir().unwrap();
    for format in [NcFormat::Netcdf4, NcFormat::Classic] {
        let file = dir.path().join(format!("rt{format:?}.nc"));
        let dtypes: Vec<DType> = DType::ALL
            .iter()
            .copied()
            .filter(|d| {
                !format.is_classic()
                    || !matches!(
                        d,
                        DType::U8 | DType::U16 | DType::U32 | DType::U64 | DType::I64
                    )
            })
            .collect();
        let sample = |d: DType, shape: &[usize]| {
            let n: usize = shape.iter().product();
            let f: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
            let a = Array::F64(ArrayD::from_shape_vec(IxDyn(shape), f).unwrap());
            match d {
                DType::Str => Array::Str(
                    ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(|i| format!("s{i}")).collect())
                        .unwrap(),
                ),
                DType::Bool => Array::Bool(
                    ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(|i| i % 2 == 1).collect())
                        .unwrap(),
                ),
                d => convert(a, d),
            }
        };
        {
            let mut s = NetcdfStorage::create(&file, format).unwrap();
            let root = s.root();
            for &d in &dtypes {
                let x = s
                    .create_leaf(root, &format!("x_{d}"), &spec(d, &[2, 3], false))
                    .unwrap();
                s.write(x, &all(&[2, 3]), &sample(d, &[2, 3])).unwrap();
                let r = s
                    .create_leaf(root, &format!("r_{d}"), &spec(d, &[3], true))
                    .unwrap();
                s.append(r, &sample(d, &[3])).unwrap();
                s.append(r, &sample(d, &[3])).unwrap();
                let e = s
                    .create_leaf(root, &format!("e_{d}"), &spec(d, &[0, 2], false))
                    .unwrap();
                assert_eq!(s.info(e).unwrap().shape, vec![0, 2]);
            }
            s.create_none(root, "none").unwrap();
            s.set_attr(root, "title", &Array::scalar("hello".to_string()))
                .unwrap();
            s.close().unwrap();
        }
        let mut s = NetcdfStorage::open(&file, false).unwrap();
        assert_eq!(s.format(), format);
        let root = s.root();
        for &d in &dtypes {
            let (x, k) = s.lookup(root, &format!("x_{d}")).unwrap().unwrap();
            assert_eq!(k, Kind::Leaf);
            assert_eq!(s.info(x).unwrap().dtype, d, "{format:?} {d}");
            assert_eq!(
                s.read(x, &all(&[2, 3])).unwrap(),
                sample(d, &[2, 3]),
                "{format:?} {d}"
            );
            let (r, k) = s.lookup(root, &format!("r_{d}")).unwrap().unwrap();
            assert_eq!(k, Kind::Records);
            let info = s.info(r).unwrap();
            assert_eq!(info.shape, vec![2, 3]);
            assert_eq!(info.dims, vec![Some("_0".into()), Some("_3".into())]);
            let (e, _) = s.lookup(root, &format!("e_{d}")).unwrap().unwrap();
            assert_eq!(s.info(e).unwrap().shape, vec![0, 2]);
        }
        assert_eq!(s.lookup(root, "none").unwrap().unwrap().1, Kind::None);
        assert_eq!(
            s.get_attr(root, "title").unwrap(),
            Some(Array::scalar("hello".to_string()))
        );
        s.close().unwrap();
    }
}

fn convert(a: Array, d: DType) -> Array {
    let Array::F64(f) = a else { unreachable!() };
    match d {
        DType::I8 => Array::I8(f.mapv(|x| x as i8)),
        DType::I16 => Array::I16(f.mapv(|x| x as i16)),
        DType::I32 => Array::I32(f.mapv(|x| x as i32)),
        DType::I64 => Array::I64(f.mapv(|x| x as i64)),
        DType::U8 => Array::U8(f.mapv(|x| x as u8)),
        DType::U16 => Array::U16(f.mapv(|x| x as u16)),
        DType::U32 => Array::U32(f.mapv(|x| x as u32)),
        DType::U64 => Array::U64(f.mapv(|x| x as u64)),
        DType::F32 => Array::F32(f.mapv(|x| x as f32)),
        DType::F64 => Array::F64(f),
        _ => unreachable!(),
    }
}

/// Classic files: no groups, no unsigned or 64-bit integers, no bool or
/// string-array attributes: each refused with a message that says why, and
/// the file stays valid. Definitions after data (define mode) work.
#[test]
fn classic_refusals_and_define_mode() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.nc");
    {
        let mut s = NetcdfStorage::create(&file, NcFormat::Classic).unwrap();
        let root = s.root();
        let e = s.create_group(root, "g").unwrap_err();
        assert!(e.to_string().contains("netCDF-3 has no groups"), "{e}");
        for d in [DType::U8, DType::U16, DType::U32, DType::U64, DType::I64] {
            let e = s.create_leaf(root, "u", &spec(d, &[2], false)).unwrap_err();
            assert!(e.to_string().contains("netCDF-3 has no"), "{e}");
        }
        let x = s
            .create_leaf(root, "x", &spec(DType::F64, &[2], false))
            .unwrap();
        s.write(
            x,
            &all(&[2]),
            &Array::F64(ndarray::array![1.0, 2.0].into_dyn()),
        )
        .unwrap();
        // define after data, then data again
        let t = s
            .create_leaf(root, "t", &spec(DType::Str, &[], true))
            .unwrap();
        s.append(t, &Array::scalar("ab".to_string())).unwrap();
        let e = s
            .append(t, &Array::scalar("toolong".to_string()))
            .unwrap_err();
        assert!(e.to_string().contains("wider"), "{e}");
        s.set_attr(x, "units", &Array::scalar("m".to_string()))
            .unwrap();
        let e = s.set_attr(x, "flag", &Array::scalar(true)).unwrap_err();
        assert!(e.to_string().contains("netCDF-3"), "{e}");
        let b = s
            .create_leaf(root, "b", &spec(DType::Bool, &[2], false))
            .unwrap();
        s.write(
            b,
            &all(&[2]),
            &Array::Bool(ndarray::array![true, false].into_dyn()),
        )
        .unwrap();
        let y = s
            .create_leaf(root, "y", &spec(DType::I16, &[2], false))
            .unwrap();
        // declared, never written: zeros, not fill values
        assert_eq!(
            s.read(y, &all(&[2])).unwrap(),
            Array::I16(ndarray::array![0, 0].into_dyn())
        );
        s.close().unwrap();
    }
    let mut s = NetcdfStorage::open(&file, false).unwrap();
    let root = s.root();
    assert_eq!(s.names(root).unwrap(), ["x", "t", "b", "y"]);
    let (x, _) = s.lookup(root, "x").unwrap().unwrap();
    assert_eq!(
        s.read(x, &all(&[2])).unwrap(),
        Array::F64(ndarray::array![1.0, 2.0].into_dyn())
    );
    assert_eq!(
        s.get_attr(x, "units").unwrap(),
        Some(Array::scalar("m".to_string()))
    );
    let (t, k) = s.lookup(root, "t").unwrap().unwrap();
    assert_eq!(k, Kind::Records);
    assert_eq!(s.info(t).unwrap().shape, vec![1]);
    assert_eq!(
        s.read(t, &all(&[1])).unwrap(),
        Array::Str(ndarray::array!["ab".to_string()].into_dyn())
    );
    let (b, _) = s.lookup(root, "b").unwrap().unwrap();
    assert_eq!(
        s.read(b, &all(&[2])).unwrap(),
        Array::Bool(ndarray::array![true, false].into_dyn())
    );
    let (y, _) = s.lookup(root, "y").unwrap().unwrap();
    assert_eq!(
        s.read(y, &all(&[2])).unwrap(),
        Array::I16(ndarray::array![0, 0].into_dyn())
    );
    assert!(s.attr_names(b).unwrap().is_empty(), "__bool__ is hidden");
}

/// Lists keep their dimensions in the enclosing plain group: a list
/// element `_2` and a dimension `_2` would clash inside the HDF5 file.
#[test]
fn lists_use_the_enclosing_groups_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("l.nc");
    let f = crate::open(&file, "w").unwrap();
    let l = f.create_list("l").unwrap();
    l.extend([
        crate::Value::from(1.0),
        crate::Value::from(2.0),
        crate::Value::from(vec![1i32, 2, 3]),
        crate::Value::from(vec![1i32, 2]),
    ])
    .unwrap();
    let inner = crate::Value::List(vec![crate::Value::from(vec![5u8; 3]), crate::Value::None]);
    l.append(inner.clone()).unwrap();
    f.set(
        "g",
        crate::Value::Group([("a".to_string(), crate::Value::from(vec![0.5; 2]))].into()),
    )
    .unwrap();
    f.close().unwrap();
    let f = crate::open(&file, "r").unwrap();
    let l = f.list("l").unwrap();
    assert_eq!(l.len().unwrap(), 5);
    assert_eq!(
        l.read_all::<Vec<crate::Value>>().unwrap()[3],
        crate::Value::from(vec![1i32, 2])
    );
    assert_eq!(l.read_all::<Vec<crate::Value>>().unwrap()[4], inner);
    let dims = l.leaf(2).unwrap().sshape().unwrap();
    assert_eq!(dims[0].name.as_deref(), Some("_3"));
    // the root holds _2 and _3; the plain group g its own _2
    let mut s = NetcdfStorage::open(&file, false).unwrap();
    let root = s.root();
    let (g, _) = s.lookup(root, "g").unwrap().unwrap();
    let (a, _) = s.lookup(g, "a").unwrap().unwrap();
    assert_eq!(s.info(a).unwrap().dims, vec![Some("_2".to_string())]);
    let root_dims: Vec<String> = raw::own_dimids(s.file().unwrap())
        .unwrap()
        .into_iter()
        .map(|d| raw::dim(s.file().unwrap(), d).unwrap().0)
        .collect();
    assert!(root_dims.contains(&"_3".to_string()), "{root_dims:?}");
    // the dimension-scale internals never show as items
    assert_eq!(s.names(root).unwrap(), ["l", "g"]);
}

/// Foreign netCDF-4 content: NC_CHAR arrays read as text, an enum that is
/// not bool reads as integers, several unlimited dimensions make a plain
/// leaf, a variable with fewer records than its dimension reads its own.
#[test]
fn foreign_netcdf4() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("foreign.nc");
    {
        let mut f = netcdf::create(&file).unwrap();
        f.add_dimension("n", 2).unwrap();
        f.add_dimension("len", 4).unwrap();
        f.add_unlimited_dimension("time").unwrap();
        let mut c = f.add_variable::<u8>("chars_as_bytes", &["n"]).unwrap();
        c.put_values(&[1u8, 2], ..).unwrap();
        f.add_variable::<f32>("both", &["time", "n"]).unwrap();
        let mut t = f.add_variable::<f64>("t", &["time"]).unwrap();
        t.put_values(&[0.5, 1.5, 2.5], ..).unwrap();
    }
    // a char variable, written raw
    {
        let ncid = raw::open(&file, true).unwrap();
        let mut dims = [0; 2];
        let n = c"n";
        let len = c"len";
        raw::call_inq_dimid(ncid, n, &mut dims[0]);
        raw::call_inq_dimid(ncid, len, &mut dims[1]);
        let v = raw::def_var(ncid, c"names", nc::NC_CHAR, &dims).unwrap();
        let bytes = *b"ab\0\0cdef";
        unsafe { raw::put(ncid, v, &[0, 0], &[2, 4], &[1, 1], bytes.as_ptr().cast()).unwrap() };
        raw::close(ncid).unwrap();
    }
    let f = crate::open(&file, "r").unwrap();
    assert_eq!(f.read::<Vec<String>>("names").unwrap(), ["ab", "cdef"]);
    assert_eq!(f.read::<Vec<u8>>("chars_as_bytes").unwrap(), [1, 2]);
    assert_eq!(f.kind("t").unwrap(), crate::Kind::Records);
    assert_eq!(f.read::<Vec<f64>>("t").unwrap(), [0.5, 1.5, 2.5]);
    assert_eq!(
        f.leaf("t").unwrap().sshape().unwrap()[0].name.as_deref(),
        Some("time")
    );
}

/// Not a netCDF file, truncated, or corrupted: a clear error, no panic.
#[test]
fn bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.nc");
    {
        let f = crate::open_with(
            &good,
            &crate::OpenOptions {
                netcdf: NcFormat::Classic,
                ..crate::OpenOptions::new(crate::Mode::Create)
            },
        )
        .unwrap();
        f.set("x", vec![1.0; 100]).unwrap();
        f.close().unwrap();
    }
    let bytes = std::fs::read(&good).unwrap();
    for (name, content) in [
        ("text.nc", b"hello, not netCDF".to_vec()),
        ("empty.nc", Vec::new()),
        ("truncated.nc", bytes[..40].to_vec()),
        ("cut.nc", bytes[..bytes.len() - 400].to_vec()),
        ("cut8.nc", bytes[..bytes.len() - 8].to_vec()),
        ("hdf5sig.nc", b"\x89HDF\r\n\x1a\nthen nothing".to_vec()),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, &content).unwrap();
        match crate::open(&p, "r") {
            Err(e) => assert!(e.to_string().contains(name), "{name}: {e}"),
            Ok(f) => {
                // the header may survive a cut: the data must not pretend
                let e = f.read::<Vec<f64>>("x").unwrap_err();
                assert!(e.to_string().contains(name), "{name}: {e}");
            }
        }
    }
}

/// The header reader never panics, whatever the bytes.
#[test]
fn header_reader_takes_any_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("h.nc");
    let f = crate::open_with(
        &p,
        &crate::OpenOptions {
            netcdf: NcFormat::Offset64,
            ..crate::OpenOptions::new(crate::Mode::Create)
        },
    )
    .unwrap();
    f.set("x", vec![1i16; 7]).unwrap();
    f.attrs("x").unwrap().set("units", "m").unwrap();
    f.set_recording(crate::Recording::Uniform);
    f.set("t", 1.0f32).unwrap();
    f.set("t", 2.0f32).unwrap();
    f.close().unwrap();
    let bytes = std::fs::read(&p).unwrap();
    let classic::Size::Needs(need) = classic::required(&bytes) else {
        panic!("a header this reader knows")
    };
    assert_eq!(need, bytes.len() as u64);
    for cut in 0..bytes.len().min(400) {
        let _ = classic::required(&bytes[..cut]);
        let mut flipped = bytes.clone();
        flipped[cut] ^= 0xA5;
        let _ = classic::required(&flipped);
    }
    assert_eq!(classic::required(&bytes[..10]), classic::Size::HeaderCut);
}

/// The header reader agrees with Python qnd's classic writer, which puts
/// the whole record size in each record variable's vsize.
#[test]
fn header_reader_on_the_fixture() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/classic.nc");
    let Ok(bytes) = std::fs::read(&p) else {
        eprintln!("skipped: {} not found", p.display());
        return;
    };
    let whole = classic::Size::Needs(bytes.len() as u64);
    assert_eq!(classic::required(&bytes), whole);
    assert_eq!(classic::required(&bytes[..bytes.len() - 1]), whole);
}

/// Files are close-on-exec: no child process inherits one (nor, for
/// netCDF-4, HDF5's lock on it).
#[cfg(target_os = "linux")]
#[test]
fn files_are_close_on_exec() {
    let dir = tempfile::tempdir().unwrap();
    for format in [NcFormat::Netcdf4, NcFormat::Classic] {
        let file = dir.path().join(format!("cloexec_{format:?}.nc"));
        let target = {
            let s = NetcdfStorage::create(&file, format).unwrap();
            let target = std::fs::canonicalize(&file).unwrap();
            check_cloexec(&target);
            drop(s);
            target
        };
        for writable in [false, true] {
            let s = NetcdfStorage::open(&file, writable).unwrap();
            check_cloexec(&target);
            drop(s);
        }
    }
}

#[cfg(target_os = "linux")]
fn check_cloexec(target: &Path) {
    let mut seen = 0;
    for entry in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        if std::fs::read_link(entry.path()).is_ok_and(|l| l == target) {
            let fd: std::ffi::c_int = entry.file_name().to_str().unwrap().parse().unwrap();
            let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
            assert!(
                flags >= 0 && flags & libc::FD_CLOEXEC != 0,
                "{target:?} fd {fd}"
            );
            seen += 1;
        }
    }
    assert!(seen > 0, "the file is open");
}
