//! qnd's tree over netCDF files, where the netCDF backend's own tests
//! (`backends/netcdf/src/tests.rs`, on the storage contract alone) cannot
//! look: lists as the tree makes them, and errors that name the file.
#![cfg(feature = "netcdf")]

use qnd::{Mode, NcFormat, OpenOptions, Value};

/// Lists keep their dimensions in the enclosing plain group: a list
/// element `_2` and a dimension `_2` would clash inside the HDF5 file.
/// (Which group defines which dimension is checked in the backend's own
/// test of the same name.)
#[test]
fn lists_use_the_enclosing_groups_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("l.nc");
    let f = qnd::open(&file, "w").unwrap();
    let l = f.create_list("l").unwrap();
    l.extend([
        Value::from(1.0),
        Value::from(2.0),
        Value::from(vec![1i32, 2, 3]),
        Value::from(vec![1i32, 2]),
    ])
    .unwrap();
    let inner = Value::List(vec![Value::from(vec![5u8; 3]), Value::None]);
    l.append(inner.clone()).unwrap();
    f.set(
        "g",
        Value::Group([("a".to_string(), Value::from(vec![0.5; 2]))].into()),
    )
    .unwrap();
    f.close().unwrap();
    let f = qnd::open(&file, "r").unwrap();
    let l = f.list("l").unwrap();
    assert_eq!(l.len().unwrap(), 5);
    assert_eq!(
        l.read_all::<Vec<Value>>().unwrap()[3],
        Value::from(vec![1i32, 2])
    );
    assert_eq!(l.read_all::<Vec<Value>>().unwrap()[4], inner);
    let dims = l.leaf(2).unwrap().sshape().unwrap();
    assert_eq!(dims[0].name.as_deref(), Some("_3"));
    // the plain group g has its own _2
    let dims = f.leaf("g/a").unwrap().sshape().unwrap();
    assert_eq!(dims[0].name.as_deref(), Some("_2"));
    // the dimension-scale internals never show as items
    assert_eq!(f.names().unwrap(), ["l", "g"]);
}

/// Not a netCDF file, truncated, or corrupted: a clear error that names
/// the file, no panic.
#[test]
fn bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.nc");
    {
        let f = qnd::open_with(
            &good,
            &OpenOptions {
                netcdf: NcFormat::Classic,
                ..OpenOptions::new(Mode::Create)
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
        match qnd::open(&p, "r") {
            Err(e) => assert!(e.to_string().contains(name), "{name}: {e}"),
            Ok(f) => {
                // the header may survive a cut: the data must not pretend
                let e = f.read::<Vec<f64>>("x").unwrap_err();
                assert!(e.to_string().contains(name), "{name}: {e}");
            }
        }
    }
}
