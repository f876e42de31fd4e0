//! Backend-level tests of the netCDF backend, on [`Storage`] and the
//! crate's internals alone (the storage conformance kit is in
//! `tests/conformance.rs`; qnd's tree over netCDF files is tested in qnd's
//! `tests/netcdf_backend.rs` and `tests/conformance`).

use std::path::Path;

use ndarray::{array, ArrayD, IxDyn};
use netcdf_sys as nc;

use qnd_storage::{Array, Complex, DType, Kind, LeafSpec, NcFormat, NodeId, Run, Storage};

use crate::{classic, raw, NetcdfStorage};

fn spec(dtype: DType, shape: &[usize], records: bool) -> LeafSpec {
    LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 5,
    }
}

/// A new leaf `name` of `parent` holding `a` (written whole).
fn leaf_of(s: &mut NetcdfStorage, parent: NodeId, name: &str, a: &Array) -> NodeId {
    let x = s
        .create_leaf(parent, name, &spec(a.dtype(), a.shape(), false))
        .unwrap();
    s.write(x, &Run::whole(a.shape()), a).unwrap();
    x
}

/// Member `name` of `group`, which must exist.
fn member(s: &mut NetcdfStorage, group: NodeId, name: &str) -> (NodeId, Kind) {
    s.lookup(group, name)
        .unwrap()
        .unwrap_or_else(|| panic!("no member {name:?}"))
}

/// The whole of a leaf or record node.
fn read_whole(s: &mut NetcdfStorage, node: NodeId) -> Array {
    let shape = s.info(node).unwrap().shape;
    s.read(node, &Run::whole(&shape)).unwrap()
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
                        DType::U8
                            | DType::U16
                            | DType::U32
                            | DType::U64
                            | DType::I64
                            | DType::C8
                            | DType::C16
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
                leaf_of(&mut s, root, &format!("x_{d}"), &sample(d, &[2, 3]));
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
                s.read(x, &Run::whole(&[2, 3])).unwrap(),
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
        DType::C8 => Array::C8(f.mapv(|x| Complex::new(x as f32, 0.5 - x as f32))),
        DType::C16 => Array::C16(f.mapv(|x| Complex::new(x, -x - 0.25))),
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
        let x = leaf_of(&mut s, root, "x", &Array::F64(array![1.0, 2.0].into_dyn()));
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
        leaf_of(
            &mut s,
            root,
            "b",
            &Array::Bool(array![true, false].into_dyn()),
        );
        let y = s
            .create_leaf(root, "y", &spec(DType::I16, &[2], false))
            .unwrap();
        // declared, never written: zeros, not fill values
        assert_eq!(
            s.read(y, &Run::whole(&[2])).unwrap(),
            Array::I16(array![0, 0].into_dyn())
        );
        s.close().unwrap();
    }
    let mut s = NetcdfStorage::open(&file, false).unwrap();
    let root = s.root();
    assert_eq!(s.names(root).unwrap(), ["x", "t", "b", "y"]);
    let (x, _) = s.lookup(root, "x").unwrap().unwrap();
    assert_eq!(
        s.read(x, &Run::whole(&[2])).unwrap(),
        Array::F64(array![1.0, 2.0].into_dyn())
    );
    assert_eq!(
        s.get_attr(x, "units").unwrap(),
        Some(Array::scalar("m".to_string()))
    );
    let (t, k) = s.lookup(root, "t").unwrap().unwrap();
    assert_eq!(k, Kind::Records);
    assert_eq!(s.info(t).unwrap().shape, vec![1]);
    assert_eq!(
        s.read(t, &Run::whole(&[1])).unwrap(),
        Array::Str(array!["ab".to_string()].into_dyn())
    );
    let (b, _) = s.lookup(root, "b").unwrap().unwrap();
    assert_eq!(
        s.read(b, &Run::whole(&[2])).unwrap(),
        Array::Bool(array![true, false].into_dyn())
    );
    let (y, _) = s.lookup(root, "y").unwrap().unwrap();
    assert_eq!(
        s.read(y, &Run::whole(&[2])).unwrap(),
        Array::I16(array![0, 0].into_dyn())
    );
    assert!(s.attr_names(b).unwrap().is_empty(), "__bool__ is hidden");
}

/// Every refusal names the item and what the format lacks, and comes
/// from the capabilities: what they say the format holds is taken, what
/// they say it does not is refused, before the file is touched (an
/// attribute of the same name keeps its value).
#[test]
fn refusals_follow_the_capabilities() {
    let dir = tempfile::tempdir().unwrap();
    for format in [NcFormat::Netcdf4, NcFormat::Classic, NcFormat::Offset64] {
        let caps = crate::capabilities(format);
        let file = dir.path().join(format!("refusals_{format:?}.nc"));
        let mut s = NetcdfStorage::create(&file, format).unwrap();
        let root = s.root();
        let x = s
            .create_leaf(root, "x", &spec(DType::F64, &[2], false))
            .unwrap();
        for d in DType::ALL {
            let made = s.create_leaf(root, &format!("leaf_{d}"), &spec(d, &[2], false));
            assert_eq!(made.is_ok(), caps.holds_leaf(d), "{format:?} {d}");
            if let Err(e) = made {
                let e = e.to_string();
                if d.is_complex() {
                    let needs =
                        format!("netCDF-3 has no complex numbers: {d} needs HDF5 or netCDF-4");
                    assert!(e.contains(&needs), "{e}");
                } else {
                    assert!(e.contains(&format!("has no {d} type")), "{e}");
                }
            }
            for shape in [&[][..], &[2][..], &[2, 2][..]] {
                let value = match d {
                    DType::Str => Array::Str(ArrayD::from_elem(IxDyn(shape), "v".to_string())),
                    DType::Bool => Array::Bool(ArrayD::from_elem(IxDyn(shape), true)),
                    d => Array::zeros(d, shape),
                };
                s.set_attr(x, "a", &Array::scalar(7i32)).unwrap();
                let set = s.set_attr(x, "a", &value);
                assert_eq!(
                    set.is_ok(),
                    caps.holds_attr(d, shape),
                    "{format:?} {d} {shape:?}"
                );
                if let Err(e) = set {
                    let e = e.to_string();
                    assert!(e.contains("attribute \"a\""), "{e}");
                    assert!(
                        e.contains("netCDF attributes are 1-d") || e.contains(" has no "),
                        "{e}"
                    );
                    let kept = s.get_attr(x, "a").unwrap();
                    assert_eq!(kept, Some(Array::scalar(7i32)), "{e}");
                }
            }
        }
        let groups = s.create_group(root, "g");
        assert_eq!(groups.is_ok(), caps.groups, "{format:?}");
        s.close().unwrap();
    }
}

/// Lists keep their dimensions in the enclosing plain group: a list
/// element `_2` and a dimension `_2` would clash inside the HDF5 file.
/// (The same file through qnd's tree is checked in qnd's
/// `tests/netcdf_backend.rs`; here, a list as the tree stores it: a group
/// with the None marker `_` and elements `_0`, `_1`, ...)
#[test]
fn lists_use_the_enclosing_groups_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("l.nc");
    {
        let mut s = NetcdfStorage::create(&file, NcFormat::Netcdf4).unwrap();
        let root = s.root();
        let l = s.create_group(root, "l").unwrap();
        s.create_none(l, "_").unwrap();
        let elements = [
            Array::scalar(1.0f64),
            Array::scalar(2.0f64),
            Array::I32(array![1, 2, 3].into_dyn()),
            Array::I32(array![1, 2].into_dyn()),
        ];
        for (i, a) in elements.iter().enumerate() {
            leaf_of(&mut s, l, &format!("_{i}"), a);
        }
        let inner = s.create_group(l, "_4").unwrap();
        s.create_none(inner, "_").unwrap();
        leaf_of(&mut s, inner, "_0", &Array::U8(array![5, 5, 5].into_dyn()));
        s.create_none(inner, "_1").unwrap();
        let g = s.create_group(root, "g").unwrap();
        leaf_of(&mut s, g, "a", &Array::F64(array![0.5, 0.5].into_dyn()));
        s.close().unwrap();
    }
    let mut s = NetcdfStorage::open(&file, false).unwrap();
    let root = s.root();
    let (l, _) = member(&mut s, root, "l");
    let (x2, _) = member(&mut s, l, "_2");
    assert_eq!(s.info(x2).unwrap().dims, vec![Some("_3".to_string())]);
    assert_eq!(
        read_whole(&mut s, x2),
        Array::I32(array![1, 2, 3].into_dyn())
    );
    // the root holds _2 and _3; the plain group g its own _2
    let (g, _) = member(&mut s, root, "g");
    let (a, _) = member(&mut s, g, "a");
    assert_eq!(s.info(a).unwrap().dims, vec![Some("_2".to_string())]);
    let root_dims: Vec<String> = raw::own_dimids(s.file().unwrap())
        .unwrap()
        .into_iter()
        .map(|d| raw::dim(s.file().unwrap(), d).unwrap().0)
        .collect();
    assert!(root_dims.contains(&"_3".to_string()), "{root_dims:?}");
    // and the lists none
    for list in [l, member(&mut s, l, "_4").0] {
        let ncid = s.group_ncid(list).unwrap();
        assert!(raw::own_dimids(ncid).unwrap().is_empty());
    }
    // the dimension-scale internals never show as items
    assert_eq!(s.names(root).unwrap(), ["l", "g"]);
}

/// Foreign netCDF-4 content: NC_CHAR arrays read as text, unsigned bytes
/// as numbers, a variable over an unlimited dimension as records named
/// after that dimension.
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
        let dims = [
            raw::dimid(ncid, c"n").unwrap(),
            raw::dimid(ncid, c"len").unwrap(),
        ];
        let v = raw::def_var(ncid, c"names", nc::NC_CHAR, &dims).unwrap();
        raw::put(&v, &[0, 0], &[2, 4], &[1, 1], b"ab\0\0cdef").unwrap();
        raw::close(ncid).unwrap();
    }
    let mut s = NetcdfStorage::open(&file, false).unwrap();
    let root = s.root();
    let (names, _) = member(&mut s, root, "names");
    assert_eq!(
        read_whole(&mut s, names),
        Array::Str(array!["ab".to_string(), "cdef".to_string()].into_dyn())
    );
    let (bytes, _) = member(&mut s, root, "chars_as_bytes");
    assert_eq!(
        read_whole(&mut s, bytes),
        Array::U8(array![1, 2].into_dyn())
    );
    let (t, kind) = member(&mut s, root, "t");
    assert_eq!(kind, Kind::Records);
    assert_eq!(
        read_whole(&mut s, t),
        Array::F64(array![0.5, 1.5, 2.5].into_dyn())
    );
    assert_eq!(s.info(t).unwrap().dims[0].as_deref(), Some("time"));
}

/// The raw calls check every buffer against the variable or attribute:
/// a wrong size or rank is an error, never a read or write out of bounds.
#[test]
fn raw_calls_check_their_buffers() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("raw.nc");
    let mut s = NetcdfStorage::create(&file, NcFormat::Netcdf4).unwrap();
    let root = s.root();
    let x = s
        .create_leaf(root, "x", &spec(DType::F64, &[4], false))
        .unwrap();
    let t = s
        .create_leaf(root, "t", &spec(DType::Str, &[2], false))
        .unwrap();
    s.set_attr(x, "n", &Array::I32(array![1, 2, 3].into_dyn()))
        .unwrap();
    let at = s.var(x).unwrap().at;
    let text = s.var(t).unwrap().at;
    let ncid = at.ncid();
    // right: four f64
    raw::put(&at, &[0], &[4], &[1], &[1.0f64, 2.0, 3.0, 4.0]).unwrap();
    let mut back = [0f64; 4];
    raw::get(&at, &[0], &[4], &[1], &mut back).unwrap();
    assert_eq!(back, [1.0, 2.0, 3.0, 4.0]);
    // too few, too many, elements of the wrong size, the wrong rank
    assert!(raw::put(&at, &[0], &[4], &[1], &[1.0f64; 3]).is_err());
    assert!(raw::get(&at, &[0], &[4], &[1], &mut [0f64; 5]).is_err());
    assert!(raw::put(&at, &[0], &[4], &[1], &[1.0f32; 4]).is_err());
    assert!(raw::get(&at, &[0, 0], &[4, 1], &[1, 1], &mut [0f64; 4]).is_err());
    assert!(raw::get(&at, &[], &[], &[], &mut [0f64; 1]).is_err());
    // strings only through the string calls, and the other way round
    assert!(raw::get(&text, &[0], &[2], &[1], &mut [0u64; 2]).is_err());
    assert!(raw::get_strings(&at, &[0], &[4], &[1]).is_err());
    let one = [std::ffi::CString::new("a").unwrap()];
    assert!(raw::put_strings(&text, &[0], &[2], &[1], &one).is_err());
    // attributes: exactly their length, of their type's size
    let mut n = [0i32; 3];
    raw::get_att(ncid, at.varid(), c"n", &mut n).unwrap();
    assert_eq!(n, [1, 2, 3]);
    assert!(raw::get_att(ncid, at.varid(), c"n", &mut [0i32; 2]).is_err());
    assert!(raw::get_att(ncid, at.varid(), c"n", &mut [0i64; 3]).is_err());
    assert!(raw::put_att(ncid, at.varid(), c"m", nc::NC_DOUBLE, &[1i32]).is_err());
    assert!(raw::get_att_strings(ncid, at.varid(), c"n").is_err());
    s.close().unwrap();
}

/// The header reader never panics, whatever the bytes.
#[test]
fn header_reader_takes_any_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("h.nc");
    {
        let mut s = NetcdfStorage::create(&p, NcFormat::Offset64).unwrap();
        let root = s.root();
        let x = leaf_of(
            &mut s,
            root,
            "x",
            &Array::I16(ArrayD::from_elem(IxDyn(&[7]), 1)),
        );
        s.set_attr(x, "units", &Array::scalar("m".to_string()))
            .unwrap();
        let t = s
            .create_leaf(root, "t", &spec(DType::F32, &[], true))
            .unwrap();
        s.append(t, &Array::scalar(1.0f32)).unwrap();
        s.append(t, &Array::scalar(2.0f32)).unwrap();
        s.close().unwrap();
    }
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
    // the shared folder sits next to the workspace
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/classic.nc");
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
    let fds = raw::descriptors_on(target);
    for &fd in &fds {
        let flags = raw::fd_flags(fd);
        assert!(
            flags.is_some_and(|f| f & libc::FD_CLOEXEC != 0),
            "{target:?} fd {fd}"
        );
    }
    assert!(!fds.is_empty(), "the file is open");
}

/// Record variables of netCDF-4 get a chunk cache of one chunk (netCDF-C's
/// default of several MiB per variable keeps written chunks, and a file
/// of many variables grows by that much for each), also those of an
/// existing file, at their first append.
#[test]
fn record_chunk_caches_hold_one_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cache.nc");
    let record = |k: f64| Array::F64(ArrayD::from_elem(IxDyn(&[1]), k));
    let cache =
        |s: &NetcdfStorage, x: NodeId| raw::chunk_cache_size(&s.var(x).unwrap().at).unwrap();
    // f8 scalars: 1024 records, 8 KiB, per chunk
    let one_chunk = qnd_storage::chunks::records_per_chunk(8) * 8;
    {
        let mut s = NetcdfStorage::create(&file, NcFormat::Netcdf4).unwrap();
        let root = s.root();
        let x = s
            .create_leaf(root, "x", &spec(DType::F64, &[], true))
            .unwrap();
        s.append_records(x, &record(1.0)).unwrap();
        assert_eq!(cache(&s, x), one_chunk);
        s.close().unwrap();
    }
    let mut s = NetcdfStorage::open(&file, true).unwrap();
    let root = s.root();
    let (x, _) = member(&mut s, root, "x");
    assert!(
        cache(&s, x) > one_chunk,
        "netCDF-C's default before the first append"
    );
    s.append_records(x, &record(2.0)).unwrap();
    assert_eq!(cache(&s, x), one_chunk);
    assert_eq!(
        read_whole(&mut s, x),
        Array::F64(ArrayD::from_shape_vec(IxDyn(&[2]), vec![1.0, 2.0]).unwrap())
    );
    s.close().unwrap();
}
