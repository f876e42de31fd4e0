//! Files written by LLNL's Python qnd (`../shared/fixtures/`, made by its
//! `make_fixtures.py`) read to the same tree Python qnd reads: each `X.h5`
//! and `X.nc` read whole (goto off) and turned into JSON with
//! `qnd::to_json` equals `X.h5.json` / `X.nc.json`. Skipped, with a
//! message, when the folder is absent.

mod common;

use common::fixtures::{self, first_difference};

/// A fixture, if the folder and the file are there.
#[cfg(feature = "hdf5")]
fn fixture(name: &str) -> Option<qnd::QGroup> {
    let p = fixtures::path(name)?;
    Some(qnd::open(&p, "r").unwrap_or_else(|e| panic!("{e}")))
}

/// Every fixture `*.ext` read whole (goto off) is its `.json`; there must
/// be at least one.
#[cfg(feature = "hdf5")]
fn every_fixture_reads_as_its_json(ext: &str) {
    let mut failures = Vec::new();
    for path in &fixtures::with_ext(ext) {
        let want = fixtures::expected_json(path);
        let f = match qnd::open(path, "r") {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{}: open: {e}", path.display()));
                continue;
            }
        };
        f.goto_off();
        match f.to_value() {
            Ok(v) => {
                let got = qnd::to_json(&v);
                if let Some(d) = first_difference(&got, &want, "") {
                    failures.push(format!("{}: {d}", path.display()));
                }
            }
            Err(e) => failures.push(format!("{}: read: {e}", path.display())),
        }
        f.close().unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[cfg(feature = "hdf5")]
mod hdf5 {
    use super::*;
    use ndarray::array;
    use qnd::{DType, Kind, Value};

    #[test]
    fn every_h5_fixture_reads_as_its_json() {
        every_fixture_reads_as_its_json("h5");
    }

    /// The complex fixture (`complex/complex.h5`, c8 and c16 written by
    /// Python qnd through h5py) reads as its JSON; skipped while the HDF5
    /// backend does not hold complex.
    #[test]
    fn complex_fixture_reads_as_its_json() {
        let Some(path) = fixtures::path("complex/complex.h5") else {
            return;
        };
        let want = fixtures::expected_json(&path);
        let f = qnd::open(&path, "r").unwrap_or_else(|e| panic!("{e}"));
        f.goto_off();
        let got = qnd::to_json(&f.to_value().unwrap_or_else(|e| panic!("{e}")));
        if let Some(d) = first_difference(&got, &want, "") {
            panic!("{}: {d}", path.display());
        }
        assert_eq!(f.leaf("z").unwrap().dtype().unwrap(), DType::C16);
        assert_eq!(f.leaf("w").unwrap().dtype().unwrap(), DType::C8);
        let z: Vec<qnd::Complex64> = f.read("z").unwrap();
        assert_eq!(
            &z[..2],
            [
                qnd::Complex64::new(1.0, 2.0),
                qnd::Complex64::new(3.0, -4.0)
            ]
        );
        f.close().unwrap();
    }

    #[test]
    fn types_fixture_dtypes() {
        let Some(f) = fixture("types.h5") else { return };
        for (name, dtype, shape) in [
            ("i1", DType::I8, vec![]),
            ("i2", DType::I16, vec![]),
            ("i4", DType::I32, vec![]),
            ("i8", DType::I64, vec![]),
            ("u1", DType::U8, vec![]),
            ("u2", DType::U16, vec![]),
            ("u4", DType::U32, vec![]),
            ("u8", DType::U64, vec![]),
            ("f4", DType::F32, vec![]),
            ("f8", DType::F64, vec![]),
            ("vec", DType::F64, vec![5]),
            ("mat", DType::I32, vec![2, 3]),
            ("cube", DType::F32, vec![2, 3, 4]),
            ("flags", DType::Bool, vec![3]),
            ("text", DType::Str, vec![]),
            ("words", DType::Str, vec![3]),
            ("empty", DType::F64, vec![0]),
        ] {
            let l = f.leaf(name).unwrap();
            assert_eq!(
                (l.dtype().unwrap(), l.shape().unwrap()),
                (dtype, shape),
                "{name}"
            );
            assert_eq!(f.kind(name).unwrap(), Kind::Leaf, "{name}");
        }
        assert_eq!(f.kind("nothing").unwrap(), Kind::None);
        assert_eq!(f.read::<u64>("u8").unwrap(), (1 << 63) + 5);
        assert_eq!(f.read::<i64>("i8").unwrap(), -(1 << 40));
        assert_eq!(f.read::<String>("text").unwrap(), "hello");
        assert_eq!(f.read::<Vec<String>>("words").unwrap(), ["a", "bb", "ccc"]);
        assert_eq!(f.read::<Vec<bool>>("flags").unwrap(), [true, false, true]);
        assert_eq!(f.read::<Option<f64>>("nothing").unwrap(), None);
        assert_eq!(
            f.read_part::<Vec<i32>>("mat", ndarray::s![.., 1]).unwrap(),
            [1, 4]
        );
        let special: Vec<f64> = f.read("special").unwrap();
        assert!(special[0].is_nan());
        assert_eq!(special[1..3], [f64::INFINITY, f64::NEG_INFINITY]);
        assert!(special[3] == 0.0 && special[3].is_sign_negative());
        // the conventions' own attributes are not shown
        for name in ["nothing", "empty"] {
            assert!(f.attrs(name).unwrap().names().unwrap().is_empty(), "{name}");
        }
    }

    #[test]
    fn tree_fixture_kinds() {
        let Some(f) = fixture("tree.h5") else { return };
        assert_eq!(f.kind("g").unwrap(), Kind::Group);
        assert_eq!(f.kind("g/inner").unwrap(), Kind::Group);
        assert_eq!(f.kind("lst").unwrap(), Kind::List);
        assert_eq!(f.kind("empty_list").unwrap(), Kind::List);
        assert_eq!(f.kind("empty_group").unwrap(), Kind::Group);
        let l = f.list("lst").unwrap();
        assert_eq!(l.len().unwrap(), 5);
        assert_eq!(l.read::<i64>(0).unwrap(), 1);
        assert_eq!(l.group(2).unwrap().read::<f64>("q").unwrap(), 2.5);
        assert_eq!(l.read::<Value>(3).unwrap(), Value::None);
        assert_eq!(l.read::<Vec<i64>>(-1).unwrap(), [7, 8]);
        assert_eq!(f.list("empty_list").unwrap().len().unwrap(), 0);
        assert!(f.group("empty_group").unwrap().is_empty().unwrap());
        assert_eq!(f.read::<Vec<i64>>("/g/inner/deep").unwrap(), [0, 1, 2]);
        assert_eq!(f.read::<String>("g/b").unwrap(), "two");
    }

    #[test]
    fn history_fixture_records_and_goto() {
        let Some(f) = fixture("history.h5") else {
            return;
        };
        for name in ["time", "energy", "u"] {
            assert_eq!(f.kind(name).unwrap(), Kind::Records, "{name}");
            assert_eq!(f.list(name).unwrap().len().unwrap(), 5, "{name}");
        }
        assert_eq!(f.kind("mesh").unwrap(), Kind::List);
        assert_eq!(f.kind("nx").unwrap(), Kind::Leaf);
        assert_eq!(f.record_count().unwrap(), 5);
        f.goto(-1);
        assert_eq!(f.read::<Vec<f64>>("u").unwrap(), [0.0, 4.0, 8.0]);
        assert_eq!(f.read::<i64>("nx").unwrap(), 3);
        assert_eq!(f.read::<String>("note").unwrap(), "appended");
        assert_eq!(f.goto_nearest("time", 1.2).unwrap(), 2);
        assert_eq!(f.read::<f64>("energy").unwrap(), 8.0);
        assert_eq!(f.goto_nearest("energy", 6.9).unwrap(), 3, "decreasing");
        assert_eq!(f.read::<f64>("time").unwrap(), 1.5);
        f.goto(2);
        assert_eq!(
            f.read::<Value>("mesh").unwrap(),
            Value::Group([("pts".to_string(), Value::from(array![0i64, 1, 2]))].into())
        );
        let times: Vec<f64> = f.list("time").unwrap().as_array().unwrap().read().unwrap();
        assert_eq!(times, [0.0, 0.5, 1.0, 1.5, 2.0]);
        let mut seen = Vec::new();
        for r in f.goto_iter().unwrap() {
            seen.push((r, f.read::<f64>("time").unwrap()));
        }
        assert_eq!(seen.len(), 5);
        assert_eq!(f.current_record(), Some(2));
    }
}

/// The netCDF-3 fixtures Python qnd's ncf backend wrote.
#[cfg(feature = "netcdf")]
mod netcdf {
    use super::*;
    use qnd::{DType, Kind, Value};

    #[test]
    fn every_nc_fixture_reads_as_its_json() {
        every_fixture_reads_as_its_json("nc");
    }

    /// x, n, grid, and records t and y (3 each) in one netCDF-3 file.
    #[test]
    fn classic_fixture_kinds_dims_and_goto() {
        let Some(f) = fixture("classic.nc") else {
            return;
        };
        assert_eq!(f.names().unwrap(), ["x", "n", "grid", "t", "y"]);
        for (name, kind, dtype, shape) in [
            ("x", Kind::Leaf, DType::F64, vec![]),
            ("n", Kind::Leaf, DType::I32, vec![]),
            ("grid", Kind::Leaf, DType::F64, vec![2, 3]),
            ("t", Kind::Records, DType::F64, vec![3]),
            ("y", Kind::Records, DType::F64, vec![3, 3]),
        ] {
            assert_eq!(f.kind(name).unwrap(), kind, "{name}");
            let leaf = match kind {
                Kind::Records => f.list(name).unwrap().as_array().unwrap(),
                _ => f.leaf(name).unwrap(),
            };
            assert_eq!(leaf.dtype().unwrap(), dtype, "{name}");
            assert_eq!(leaf.shape().unwrap(), shape, "{name}");
        }
        // dimensions: shared _n by length, the record dimension _0
        let dims = |leaf: qnd::QLeaf| -> Vec<(Option<String>, usize)> {
            leaf.sshape()
                .unwrap()
                .into_iter()
                .map(|d| (d.name, d.len))
                .collect()
        };
        let named = |v: &[(&str, usize)]| -> Vec<(Option<String>, usize)> {
            v.iter().map(|&(n, l)| (Some(n.to_string()), l)).collect()
        };
        assert_eq!(
            dims(f.leaf("grid").unwrap()),
            named(&[("_2", 2), ("_3", 3)])
        );
        assert_eq!(
            dims(f.list("y").unwrap().as_array().unwrap()),
            named(&[("_0", 3), ("_3", 3)])
        );
        assert_eq!(f.record_count().unwrap(), 3);
        f.goto(1);
        assert_eq!(f.read::<f64>("t").unwrap(), 0.1);
        assert_eq!(f.read::<Vec<f64>>("y").unwrap(), [1.0, 2.0, 3.0]);
        assert_eq!(f.read::<f64>("x").unwrap(), 3.5, "plain leaves ignore goto");
        assert_eq!(f.goto_nearest("t", 0.16).unwrap(), 2);
        assert_eq!(f.read::<Vec<f64>>("y").unwrap(), [2.0, 3.0, 4.0]);
        f.goto_off();
        let y: Vec<f64> = f
            .list("y")
            .unwrap()
            .as_array()
            .unwrap()
            .read_part(ndarray::s![.., 0])
            .unwrap();
        assert_eq!(y, [0.0, 1.0, 2.0]);
        assert_eq!(f.read::<i32>("n").unwrap(), 7);
        assert_eq!(
            f.read::<Value>("grid").unwrap(),
            Value::from(ndarray::array![[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
        );
        // the conventions' own attributes are not shown
        for name in ["x", "n", "grid", "t", "y"] {
            let a = f.attrs(name).unwrap().names().unwrap();
            assert!(a.iter().all(|n| !n.starts_with("__")), "{name}: {a:?}");
        }
    }
}

#[cfg(not(feature = "hdf5"))]
#[test]
fn fixtures_need_the_hdf5_backend() {
    if fixtures::dir().is_some() {
        println!("skipped: the HDF5 fixtures need the hdf5 feature");
    }
    let null = serde_json::Value::Null;
    assert!(first_difference(&null, &null, "").is_none());
}
