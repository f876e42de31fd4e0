//! Tests of complex numbers in netCDF-4 (netCDF4-python's compound of two
//! floats `r`, `i`), with qnd's own files and with compounds written by
//! the raw netCDF API as other tools write them (no Python needed).

use std::path::Path;

use ndarray::{array, ArrayD, IxDyn};
use netcdf_sys as nc;

use qnd_storage::{
    Array, Complex, DType, Kind, LeafSpec, NcFormat, NodeId, Run, Storage, StorageError,
};

use crate::{raw, NetcdfStorage};

fn spec(dtype: DType, shape: &[usize], records: bool) -> LeafSpec {
    LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 0,
    }
}

fn member(s: &mut NetcdfStorage, group: NodeId, name: &str) -> (NodeId, Kind) {
    s.lookup(group, name)
        .unwrap()
        .unwrap_or_else(|| panic!("no member {name:?}"))
}

fn c16(shape: &[usize], from: f64) -> Array {
    let n: usize = shape.iter().product();
    let v = (0..n)
        .map(|k| Complex::new(from + k as f64, 0.5 - k as f64))
        .collect();
    Array::C16(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
}

fn c8(shape: &[usize], from: f32) -> Array {
    let n: usize = shape.iter().product();
    let v = (0..n)
        .map(|k| Complex::new(from + k as f32, -(k as f32) - 0.25))
        .collect();
    Array::C8(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
}

/// Names of the types defined in the root group.
fn root_types(file: &Path) -> Vec<String> {
    let ncid = raw::open(file, false).unwrap();
    let names = raw::typeids(ncid)
        .unwrap()
        .into_iter()
        .map(|t| raw::user_type(ncid, t).unwrap().name)
        .collect();
    raw::close(ncid).unwrap();
    names
}

/// Scalars, n-d leaves, records along the unlimited dimension, partial
/// and strided reads and writes, attributes, in the root and a subgroup:
/// read back after reopening, with one complex type per float size in the
/// root, found again when the reopened file gets more.
#[test]
fn complex_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("z.nc");
    {
        let mut s = NetcdfStorage::create(&file, NcFormat::Netcdf4).unwrap();
        let root = s.root();
        let a = s
            .create_leaf(root, "a", &spec(DType::C16, &[2, 3], false))
            .unwrap();
        s.write(a, &Run::whole(&[2, 3]), &c16(&[2, 3], 1.0))
            .unwrap();
        let sc = s
            .create_leaf(root, "s", &spec(DType::C8, &[], false))
            .unwrap();
        s.write(sc, &[], &Array::scalar(Complex::new(1.5f32, -2.0)))
            .unwrap();
        let r = s
            .create_leaf(root, "r", &spec(DType::C8, &[2], true))
            .unwrap();
        s.append(r, &c8(&[2], 0.0)).unwrap();
        s.append(r, &c8(&[2], 10.0)).unwrap();
        // a partial write of a leaf never written whole: zeros elsewhere
        let p = s
            .create_leaf(root, "p", &spec(DType::C16, &[5], false))
            .unwrap();
        s.write(p, &[Run::strided(1, 2, 2)], &c16(&[2], 7.0))
            .unwrap();
        let g = s.create_group(root, "g").unwrap();
        let w = s
            .create_leaf(g, "w", &spec(DType::C16, &[2], false))
            .unwrap();
        s.write(w, &Run::whole(&[2]), &c16(&[2], -3.0)).unwrap();
        s.set_attr(a, "za", &c16(&[3], 2.0)).unwrap();
        s.set_attr(root, "z1", &Array::scalar(Complex::new(0.5f32, 4.0)))
            .unwrap();
        s.close().unwrap();
    }
    assert_eq!(
        root_types(&file),
        ["_PFNC_DOUBLE_COMPLEX_TYPE", "_PFNC_FLOAT_COMPLEX_TYPE"]
    );
    {
        let mut s = NetcdfStorage::open(&file, true).unwrap();
        let root = s.root();
        let (a, kind) = member(&mut s, root, "a");
        assert_eq!(kind, Kind::Leaf);
        assert_eq!(s.info(a).unwrap().dtype, DType::C16);
        assert_eq!(s.read(a, &Run::whole(&[2, 3])).unwrap(), c16(&[2, 3], 1.0));
        // a partial, strided read
        let part = s
            .read(a, &[Run::strided(1, 1, 1), Run::strided(0, 2, 2)])
            .unwrap();
        let Array::C16(all) = c16(&[2, 3], 1.0) else {
            unreachable!()
        };
        assert_eq!(
            part,
            Array::C16(array![[all[[1, 0]], all[[1, 2]]]].into_dyn())
        );
        let (sc, _) = member(&mut s, root, "s");
        assert_eq!(
            s.read(sc, &[]).unwrap(),
            Array::scalar(Complex::new(1.5f32, -2.0))
        );
        let (r, kind) = member(&mut s, root, "r");
        assert_eq!(kind, Kind::Records);
        assert_eq!(s.info(r).unwrap().shape, vec![2, 2]);
        let mut both = c8(&[2], 0.0).into_shape(&[1, 2]).unwrap();
        let Array::C8(x) = &mut both else {
            unreachable!()
        };
        let Array::C8(y) = c8(&[2], 10.0).into_shape(&[1, 2]).unwrap() else {
            unreachable!()
        };
        x.append(ndarray::Axis(0), y.view()).unwrap();
        assert_eq!(s.read(r, &Run::whole(&[2, 2])).unwrap(), both);
        let (p, _) = member(&mut s, root, "p");
        let z = Complex::new(0.0, 0.0);
        let Array::C16(seven) = c16(&[2], 7.0) else {
            unreachable!()
        };
        assert_eq!(
            s.read(p, &Run::whole(&[5])).unwrap(),
            Array::C16(array![z, seven[0], z, seven[1], z].into_dyn())
        );
        let (g, _) = member(&mut s, root, "g");
        let (w, _) = member(&mut s, g, "w");
        assert_eq!(s.read(w, &Run::whole(&[2])).unwrap(), c16(&[2], -3.0));
        assert_eq!(s.get_attr(a, "za").unwrap(), Some(c16(&[3], 2.0)));
        assert_eq!(
            s.get_attr(root, "z1").unwrap(),
            Some(Array::scalar(Complex::new(0.5f32, 4.0)))
        );
        // more of both sizes, in a new group: the same two types
        s.append(r, &c8(&[2], 20.0)).unwrap();
        let h = s.create_group(root, "h").unwrap();
        let v = s
            .create_leaf(h, "v", &spec(DType::C8, &[1], false))
            .unwrap();
        s.write(v, &Run::whole(&[1]), &c8(&[1], 5.0)).unwrap();
        let u = s
            .create_leaf(h, "u", &spec(DType::C16, &[1], true))
            .unwrap();
        s.append(u, &c16(&[1], 6.0)).unwrap();
        s.close().unwrap();
    }
    assert_eq!(
        root_types(&file),
        ["_PFNC_DOUBLE_COMPLEX_TYPE", "_PFNC_FLOAT_COMPLEX_TYPE"]
    );
    let mut s = NetcdfStorage::open(&file, false).unwrap();
    let root = s.root();
    let (r, _) = member(&mut s, root, "r");
    assert_eq!(s.records(r).unwrap(), 3);
    let (h, _) = member(&mut s, root, "h");
    let (u, _) = member(&mut s, h, "u");
    assert_eq!(s.read(u, &Run::whole(&[1, 1])).unwrap(), c16(&[1, 1], 6.0));
}

/// Complex compounds other tools write (netCDF4-python's documented
/// `complex128` of `real`, `imag`; `Re`, `Im` of floats) read as complex,
/// and qnd writes c16 with such a type when the root has one; compounds
/// of two floats of other names or of two sizes are not complex (items of
/// kind Other).
#[test]
fn foreign_complex_compounds() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("foreign.nc");
    let ncid = raw::create(&file, nc::NC_NETCDF4).unwrap();
    let d2 = raw::def_dim(ncid, c"two", 2).unwrap();
    let c128 = raw::def_compound(ncid, c"complex128", 16).unwrap();
    raw::insert_compound(ncid, c128, c"real", 0, nc::NC_DOUBLE).unwrap();
    raw::insert_compound(ncid, c128, c"imag", 8, nc::NC_DOUBLE).unwrap();
    let c64 = raw::def_compound(ncid, c"ReIm", 8).unwrap();
    raw::insert_compound(ncid, c64, c"Re", 0, nc::NC_FLOAT).unwrap();
    raw::insert_compound(ncid, c64, c"Im", 4, nc::NC_FLOAT).unwrap();
    let xy = raw::def_compound(ncid, c"xy_t", 16).unwrap();
    raw::insert_compound(ncid, xy, c"x", 0, nc::NC_DOUBLE).unwrap();
    raw::insert_compound(ncid, xy, c"y", 8, nc::NC_DOUBLE).unwrap();
    let mixed = raw::def_compound(ncid, c"mixed_t", 16).unwrap();
    raw::insert_compound(ncid, mixed, c"r", 0, nc::NC_FLOAT).unwrap();
    raw::insert_compound(ncid, mixed, c"i", 8, nc::NC_DOUBLE).unwrap();
    let v = raw::def_var(ncid, c"d", c128, &[d2]).unwrap();
    raw::put(&v, &[0], &[2], &[1], &[1.0f64, 2.0, 3.0, -4.0]).unwrap();
    let f = raw::def_var(ncid, c"f", c64, &[d2]).unwrap();
    raw::put(&f, &[0], &[2], &[1], &[0.5f32, 1.5, -2.5, 3.5]).unwrap();
    raw::def_var(ncid, c"xy", xy, &[d2]).unwrap();
    raw::def_var(ncid, c"mixed", mixed, &[]).unwrap();
    raw::close(ncid).unwrap();

    {
        let mut s = NetcdfStorage::open(&file, true).unwrap();
        let root = s.root();
        let (d, kind) = member(&mut s, root, "d");
        assert_eq!(kind, Kind::Leaf);
        assert_eq!(
            s.read(d, &Run::whole(&[2])).unwrap(),
            Array::C16(array![Complex::new(1.0, 2.0), Complex::new(3.0, -4.0)].into_dyn())
        );
        let (f, _) = member(&mut s, root, "f");
        assert_eq!(
            s.read(f, &Run::whole(&[2])).unwrap(),
            Array::C8(array![Complex::new(0.5, 1.5), Complex::new(-2.5, 3.5)].into_dyn())
        );
        let (xy, kind) = member(&mut s, root, "xy");
        assert_eq!(kind, Kind::Other);
        assert_eq!(s.other_type(xy).unwrap(), "compound {x: f8, y: f8} [2]");
        let (mixed, kind) = member(&mut s, root, "mixed");
        assert_eq!(kind, Kind::Other);
        assert_eq!(s.other_type(mixed).unwrap(), "compound {r: f4, i: f8}");
        // written back through the file's own types
        s.write(d, &[Run::strided(1, 1, 1)], &c16(&[1], 9.0))
            .unwrap();
        let n = s
            .create_leaf(root, "n", &spec(DType::C16, &[2], false))
            .unwrap();
        s.write(n, &Run::whole(&[2]), &c16(&[2], 1.0)).unwrap();
        let m = s
            .create_leaf(root, "m", &spec(DType::C8, &[2], false))
            .unwrap();
        s.write(m, &Run::whole(&[2]), &c8(&[2], 1.0)).unwrap();
        s.close().unwrap();
    }
    assert_eq!(root_types(&file), ["complex128", "ReIm", "xy_t", "mixed_t"]);
    let mut s = NetcdfStorage::open(&file, false).unwrap();
    let root = s.root();
    let (d, _) = member(&mut s, root, "d");
    let Array::C16(nine) = c16(&[1], 9.0) else {
        unreachable!()
    };
    assert_eq!(
        s.read(d, &Run::whole(&[2])).unwrap(),
        Array::C16(array![Complex::new(1.0, 2.0), nine[0]].into_dyn())
    );
    let (n, _) = member(&mut s, root, "n");
    assert_eq!(s.read(n, &Run::whole(&[2])).unwrap(), c16(&[2], 1.0));
    let (m, _) = member(&mut s, root, "m");
    assert_eq!(s.read(m, &Run::whole(&[2])).unwrap(), c8(&[2], 1.0));
}

/// A type of netCDF4-python's name that is not complex is not taken over.
#[test]
fn a_false_complex_type_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("false.nc");
    let ncid = raw::create(&file, nc::NC_NETCDF4).unwrap();
    let t = raw::def_compound(ncid, c"_PFNC_DOUBLE_COMPLEX_TYPE", 8).unwrap();
    raw::insert_compound(ncid, t, c"n", 0, nc::NC_INT64).unwrap();
    raw::close(ncid).unwrap();
    let mut s = NetcdfStorage::open(&file, true).unwrap();
    let root = s.root();
    match s.create_leaf(root, "z", &spec(DType::C16, &[2], false)) {
        Err(StorageError::Unsupported(m)) => {
            assert!(m.contains("_PFNC_DOUBLE_COMPLEX_TYPE"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    // c8 has a type of its own
    let z = s
        .create_leaf(root, "z8", &spec(DType::C8, &[2], false))
        .unwrap();
    s.write(z, &Run::whole(&[2]), &c8(&[2], 3.0)).unwrap();
    assert_eq!(s.read(z, &Run::whole(&[2])).unwrap(), c8(&[2], 3.0));
}

/// netCDF-3 refuses complex leaves, records and attributes, saying that
/// complex needs HDF5 or netCDF-4, and the file stays valid.
#[test]
fn netcdf3_refuses_complex() {
    let dir = tempfile::tempdir().unwrap();
    for format in [NcFormat::Classic, NcFormat::Offset64] {
        let file = dir.path().join(format!("c{format:?}.nc"));
        let mut s = NetcdfStorage::create(&file, format).unwrap();
        let root = s.root();
        for d in [DType::C8, DType::C16] {
            for records in [false, true] {
                match s.create_leaf(root, "z", &spec(d, &[2], records)) {
                    Err(StorageError::Unsupported(m)) => assert_eq!(
                        m,
                        format!("netCDF-3 has no complex numbers: {d} needs HDF5 or netCDF-4")
                    ),
                    other => panic!("{other:?}"),
                }
            }
            match s.set_attr(root, "za", &Array::zeros(d, &[])) {
                Err(StorageError::Unsupported(m)) => {
                    assert!(m.contains("needs HDF5 or netCDF-4"), "{m}");
                    assert!(m.contains("\"za\""), "{m}");
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(s.lookup(root, "z").unwrap().is_none());
        let x = s
            .create_leaf(root, "x", &spec(DType::F64, &[2], false))
            .unwrap();
        s.write(
            x,
            &Run::whole(&[2]),
            &Array::F64(array![1.0, 2.0].into_dyn()),
        )
        .unwrap();
        s.close().unwrap();
        let mut s = NetcdfStorage::open(&file, false).unwrap();
        let root = s.root();
        assert_eq!(s.names(root).unwrap(), ["x"]);
        assert!(s.attr_names(root).unwrap().is_empty());
    }
}

/// A compound of `r`, `i` stored with padding (`r` at 0 and `i` at 8 of
/// 16 bytes) is complex when read (netCDF-C hands it over packed), but
/// writing into it, or through it as the file's complex type, is refused:
/// netCDF-C would write with the stored layout and read past the values.
#[test]
fn padded_complex_is_read_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gap.nc");
    let ncid = raw::create(&file, nc::NC_NETCDF4).unwrap();
    let gap = raw::def_compound(ncid, c"_PFNC_FLOAT_COMPLEX_TYPE", 16).unwrap();
    raw::insert_compound(ncid, gap, c"r", 0, nc::NC_FLOAT).unwrap();
    raw::insert_compound(ncid, gap, c"i", 8, nc::NC_FLOAT).unwrap();
    let d2 = raw::def_dim(ncid, c"two", 2).unwrap();
    raw::def_var(ncid, c"g", gap, &[d2]).unwrap();
    raw::close(ncid).unwrap();

    let mut s = NetcdfStorage::open(&file, true).unwrap();
    let root = s.root();
    let (g, kind) = member(&mut s, root, "g");
    assert_eq!(kind, Kind::Leaf);
    assert_eq!(s.info(g).unwrap().dtype, DType::C8);
    assert_eq!(
        s.read(g, &Run::whole(&[2])).unwrap(),
        Array::zeros(DType::C8, &[2])
    );
    match s.write(g, &Run::whole(&[2]), &c8(&[2], 4.0)) {
        Err(StorageError::Unsupported(m)) => assert!(m.contains("does not write"), "{m}"),
        other => panic!("{other:?}"),
    }
    match s.create_leaf(root, "n", &spec(DType::C8, &[2], false)) {
        Err(StorageError::Unsupported(m)) => {
            assert!(m.contains("_PFNC_FLOAT_COMPLEX_TYPE"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    // c16 is not concerned
    let n = s
        .create_leaf(root, "n16", &spec(DType::C16, &[2], false))
        .unwrap();
    s.write(n, &Run::whole(&[2]), &c16(&[2], 1.0)).unwrap();
    assert_eq!(s.read(n, &Run::whole(&[2])).unwrap(), c16(&[2], 1.0));
    assert_eq!(
        s.read(g, &Run::whole(&[2])).unwrap(),
        Array::zeros(DType::C8, &[2])
    );
}
