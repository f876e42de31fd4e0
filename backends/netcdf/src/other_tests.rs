//! Tests of items qnd has no kind for ([`crate::other`]): netCDF-4 files
//! holding variables and attributes of vlen, opaque, enum and compound
//! types, written with the raw netCDF API (no Python needed).

use std::path::Path;

use ndarray::array;
use netcdf_sys as nc;

use qnd_storage::{Array, Kind, NcFormat, NodeId, Run, Storage, StorageError};

use crate::{raw, NetcdfStorage};

/// A netCDF-4 file with one variable of each kind qnd has no kind for,
/// beside an ordinary one, a string and a bool variable, and attributes of
/// a non-bool enum type on the root and on one variable.
fn write_foreign(file: &Path) {
    let ncid = raw::create(file, nc::NC_NETCDF4).unwrap();
    let d2 = raw::def_dim(ncid, c"two", 2).unwrap();
    let d3 = raw::def_dim(ncid, c"three", 3).unwrap();
    let d4 = raw::def_dim(ncid, c"four", 4).unwrap();
    let t = raw::def_dim(ncid, c"time", nc::NC_UNLIMITED).unwrap();

    let vlen = raw::def_vlen(ncid, c"ragged_t", nc::NC_INT).unwrap();
    let opaque = raw::def_opaque(ncid, c"blob_t", 16).unwrap();
    let cloud = raw::def_enum_u8(ncid, c"cloud_t", &[(c"clear", 0), (c"cloudy", 1)]).unwrap();
    let rec = raw::def_compound(ncid, c"rec_t", 16).unwrap();
    raw::insert_compound(ncid, rec, c"a", 0, nc::NC_INT).unwrap();
    raw::insert_compound(ncid, rec, c"b", 8, nc::NC_DOUBLE).unwrap();
    let arr = raw::def_compound(ncid, c"arr_t", 32).unwrap();
    raw::insert_compound_array(ncid, arr, c"m", 0, nc::NC_FLOAT, &[2, 3]).unwrap();
    raw::insert_compound(ncid, arr, c"k", 24, cloud).unwrap();

    raw::def_var(ncid, c"ragged", vlen, &[d3]).unwrap();
    raw::def_var(ncid, c"blob", opaque, &[d2]).unwrap();
    let sky = raw::def_var(ncid, c"sky", cloud, &[d4]).unwrap();
    raw::def_var(ncid, c"table", rec, &[d3]).unwrap();
    raw::def_var(ncid, c"one", rec, &[]).unwrap();
    raw::def_var(ncid, c"history", rec, &[t, d2]).unwrap();
    raw::def_var(ncid, c"nested", arr, &[d2]).unwrap();
    let x = raw::def_var(ncid, c"x", nc::NC_DOUBLE, &[d3]).unwrap();
    let words = raw::def_var(ncid, c"words", nc::NC_STRING, &[d2]).unwrap();
    raw::put_att(ncid, nc::NC_GLOBAL, c"title", nc::NC_CHAR, b"foreign").unwrap();
    raw::put_att(ncid, nc::NC_GLOBAL, c"sky_now", cloud, &[1u8]).unwrap();
    raw::put_att(ncid, x.varid(), c"units", nc::NC_CHAR, b"m").unwrap();
    raw::put_att(ncid, x.varid(), c"flag", cloud, &[0u8, 1]).unwrap();
    raw::put(&sky, &[0], &[4], &[1], &[0u8, 1, 1, 0]).unwrap();
    raw::put(&x, &[0], &[3], &[1], &[1.0f64, 2.0, 3.0]).unwrap();
    let owned = [c"a".to_owned(), c"bc".to_owned()];
    raw::put_strings(&words, &[0], &[2], &[1], &owned).unwrap();
    raw::close(ncid).unwrap();
}

/// Member `name` of the root, which must exist.
fn member(s: &mut NetcdfStorage, name: &str) -> (NodeId, Kind) {
    let root = s.root();
    s.lookup(root, name)
        .unwrap()
        .unwrap_or_else(|| panic!("no member {name:?}"))
}

fn unsupported_text<T: std::fmt::Debug>(r: Result<T, StorageError>) -> String {
    match r {
        Err(StorageError::Unsupported(m)) => m,
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn foreign_types_are_other() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("foreign.nc");
    write_foreign(&file);
    let mut s = NetcdfStorage::open(&file, true).unwrap();
    let root = s.root();
    assert_eq!(
        s.names(root).unwrap(),
        ["ragged", "blob", "sky", "table", "one", "history", "nested", "x", "words"]
    );
    let expected = [
        ("ragged", "vlen of i4 [3]"),
        ("blob", "opaque 16 bytes [2]"),
        ("sky", "enum over u1 {clear=0, cloudy=1} [4]"),
        ("table", "compound {a: i4, b: f8} [3]"),
        ("one", "compound {a: i4, b: f8}"),
        ("history", "compound {a: i4, b: f8} [0, 2]"),
        (
            "nested",
            "compound {m: f4 [2, 3], k: enum over u1 {clear=0, cloudy=1}} [2]",
        ),
    ];
    for (name, words) in expected {
        let (id, kind) = member(&mut s, name);
        assert_eq!(kind, Kind::Other, "{name}");
        assert_eq!(s.other_type(id).unwrap(), words, "{name}");
        // every data call is refused with that description
        assert_eq!(unsupported_text(s.info(id)), words, "{name}");
        assert_eq!(unsupported_text(s.read(id, &[])), words, "{name}");
        let data = Array::F64(array![1.0].into_dyn());
        assert_eq!(unsupported_text(s.write(id, &[], &data)), words);
        assert_eq!(unsupported_text(s.append_records(id, &data)), words);
        assert_eq!(unsupported_text(s.records(id)), words);
        // attributes of the item itself still work
        s.set_attr(id, "note", &Array::scalar("kept".to_string()))
            .unwrap();
        assert_eq!(s.attr_names(id).unwrap(), ["note"]);
    }
    // what qnd reads is unchanged beside them
    let (x, kind) = member(&mut s, "x");
    assert_eq!(kind, Kind::Leaf);
    assert!(matches!(s.other_type(x), Err(StorageError::NotFound)));
    assert_eq!(
        s.read(x, &Run::whole(&[3])).unwrap(),
        Array::F64(array![1.0, 2.0, 3.0].into_dyn())
    );
    let (w, kind) = member(&mut s, "words");
    assert_eq!(kind, Kind::Leaf);
    assert_eq!(
        s.read(w, &Run::whole(&[2])).unwrap(),
        Array::Str(array!["a".to_string(), "bc".to_string()].into_dyn())
    );
    // attributes of a type qnd does not read are left out of the names,
    // and refused by name with their type
    assert_eq!(s.attr_names(root).unwrap(), ["title"]);
    assert_eq!(s.attr_names(x).unwrap(), ["units"]);
    let e = unsupported_text(s.get_attr(x, "flag"));
    assert!(e.contains("\"flag\"") && e.contains("enum over u1"), "{e}");
    assert_eq!(
        s.get_attr(x, "units").unwrap(),
        Some(Array::scalar("m".to_string()))
    );
    // the file still takes new items beside them
    let y = s
        .create_leaf(
            root,
            "y",
            &qnd_storage::LeafSpec {
                dtype: qnd_storage::DType::I32,
                shape: vec![2],
                records: false,
                text_len: 0,
            },
        )
        .unwrap();
    s.write(y, &Run::whole(&[2]), &Array::I32(array![4, 5].into_dyn()))
        .unwrap();
    s.close().unwrap();

    let mut s = NetcdfStorage::open(&file, false).unwrap();
    let (y, _) = member(&mut s, "y");
    assert_eq!(
        s.read(y, &Run::whole(&[2])).unwrap(),
        Array::I32(array![4, 5].into_dyn())
    );
    let (sky, kind) = member(&mut s, "sky");
    assert_eq!(kind, Kind::Other);
    assert_eq!(
        s.other_type(sky).unwrap(),
        "enum over u1 {clear=0, cloudy=1} [4]"
    );
}

/// qnd's own bool enum (and one written by h5py's convention, over
/// unsigned bytes) is bool, not other.
#[test]
fn bool_enum_is_not_other() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bools.nc");
    {
        let mut s = NetcdfStorage::create(&file, NcFormat::Netcdf4).unwrap();
        let root = s.root();
        let b = s
            .create_leaf(
                root,
                "b",
                &qnd_storage::LeafSpec {
                    dtype: qnd_storage::DType::Bool,
                    shape: vec![2],
                    records: false,
                    text_len: 0,
                },
            )
            .unwrap();
        s.write(
            b,
            &Run::whole(&[2]),
            &Array::Bool(array![true, false].into_dyn()),
        )
        .unwrap();
        s.close().unwrap();
    }
    let ncid = raw::open(&file, true).unwrap();
    let t = raw::def_enum_u8(ncid, c"h5py_bool", &[(c"FALSE", 0), (c"TRUE", 1)]).unwrap();
    let d = raw::def_dim(ncid, c"n3", 3).unwrap();
    let v = raw::def_var(ncid, c"ub", t, &[d]).unwrap();
    raw::put(&v, &[0], &[3], &[1], &[1u8, 0, 1]).unwrap();
    raw::close(ncid).unwrap();

    let mut s = NetcdfStorage::open(&file, false).unwrap();
    for (name, want) in [
        ("b", array![true, false].into_dyn()),
        ("ub", array![true, false, true].into_dyn()),
    ] {
        let (id, kind) = member(&mut s, name);
        assert_eq!(kind, Kind::Leaf, "{name}");
        let shape = s.info(id).unwrap().shape;
        assert_eq!(s.read(id, &Run::whole(&shape)).unwrap(), Array::Bool(want));
    }
}

/// Long enums and compounds are cut short, on one line.
#[test]
fn long_types_stay_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.nc");
    let ncid = raw::create(&file, nc::NC_NETCDF4).unwrap();
    let names: Vec<std::ffi::CString> = (0..20)
        .map(|i| std::ffi::CString::new(format!("m{i}")).unwrap())
        .collect();
    let members: Vec<(&std::ffi::CStr, u8)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_c_str(), i as u8))
        .collect();
    let t = raw::def_enum_u8(ncid, c"many_t", &members).unwrap();
    raw::def_var(ncid, c"many", t, &[]).unwrap();
    raw::close(ncid).unwrap();
    let mut s = NetcdfStorage::open(&file, false).unwrap();
    let (id, kind) = member(&mut s, "many");
    assert_eq!(kind, Kind::Other);
    let words = s.other_type(id).unwrap();
    assert!(
        words.starts_with("enum over u1 {m0=0, m1=1,") && words.ends_with("m11=11, ...}"),
        "{words}"
    );
    assert!(!words.contains('\n'));
}
