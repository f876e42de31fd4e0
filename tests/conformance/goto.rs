//! Goto: one record, all records, the record nearest a value, iteration.

use ndarray::{array, Array1};
use qnd::{DType, Error, QGroup, Recording, Value};

use crate::common::{list, stored, tree, value, Maker};

/// A history: `time` 0, 0.5, .., `energy` 10, 9, .., `u` arrays, and a
/// plain leaf `nx` (an `i32`, which every format holds, netCDF-3 too).
fn history(m: &dyn Maker, n: usize) -> QGroup {
    let f = m.create();
    f.set("nx", 3i32).unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..n {
        f.set("time", 0.5 * k as f64).unwrap();
        f.set("energy", 10.0 - k as f64).unwrap();
        f.set("u", array![0.0, 1.0, 2.0] * k as f64).unwrap();
    }
    f.set_recording(Recording::Off);
    f.goto_off();
    f
}

/// Scalar records of `name` with these values.
fn records_of(m: &dyn Maker, name: &str, values: &[f64]) -> QGroup {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    for &v in values {
        f.set(name, v).unwrap();
    }
    f.set_recording(Recording::Off);
    f
}

pub fn goto_record(m: &dyn Maker) {
    let f = history(m, 5);
    stored(m, &f, |f| {
        assert_eq!(f.current_record(), None, "goto is off after open");
        f.goto(0);
        assert_eq!(f.current_record(), Some(0));
        assert_eq!(f.read::<f64>("time").unwrap(), 0.0);
        assert_eq!(f.read::<f64>("energy").unwrap(), 10.0);
        f.goto(3);
        assert_eq!(f.read::<f64>("time").unwrap(), 1.5);
        assert_eq!(f.read::<Array1<f64>>("u").unwrap(), array![0.0, 3.0, 6.0]);
        assert_eq!(value(f.get("time").unwrap()), Value::from(1.5));
        f.goto(-1);
        assert_eq!(f.current_record(), Some(-1));
        assert_eq!(f.read::<f64>("time").unwrap(), 2.0);
        f.goto(-5);
        assert_eq!(f.read::<f64>("energy").unwrap(), 10.0);
        assert_eq!(f.read::<i64>("nx").unwrap(), 3, "plain leaves ignore goto");
        f.goto_off();
        assert_eq!(f.current_record(), None);
    });
}

/// After a recorded write goto points at the new record (as in qnd), so
/// reading gives what was just written.
pub fn goto_follows_recorded_writes(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    for k in 0..4 {
        f.set("t", k as f64).unwrap();
        assert_eq!(f.current_record(), Some(k as isize));
        assert_eq!(f.read::<f64>("t").unwrap(), k as f64);
    }
    f.set_recording(Recording::Any);
    f.set("m", vec![1i64]).unwrap();
    assert_eq!(f.current_record(), Some(0));
    f.set("m", vec![1i64, 2]).unwrap();
    assert_eq!(f.current_record(), Some(1));
    assert_eq!(f.read::<Vec<i64>>("m").unwrap(), [1, 2]);
    // A plain leaf written in recording mode does not move goto.
    f.set_recording(Recording::Off);
    f.set("x", 1.0).unwrap();
    assert_eq!(f.current_record(), Some(1));
}

/// With goto off a record variable reads as the list of its records.
pub fn goto_off_reads_all_records(m: &dyn Maker) {
    let f = history(m, 4);
    stored(m, &f, |f| {
        f.goto_off();
        let t: Vec<Value> = f.read("time").unwrap();
        assert_eq!(
            t,
            [0.0, 0.5, 1.0, 1.5].map(Value::from).to_vec(),
            "read gives a list, not an array"
        );
        let u: Vec<Value> = f.read("u").unwrap();
        assert_eq!(u.len(), 4);
        assert_eq!(u[2], Value::from(array![0.0, 2.0, 4.0]));
        let l = list(f.get("time").unwrap());
        assert!(l.is_records());
        assert_eq!(l.len().unwrap(), 4);
        assert_eq!(l.read::<f64>(-1).unwrap(), 1.5);
        assert_eq!(
            l.as_array().unwrap().read::<Vec<f64>>().unwrap(),
            [0.0, 0.5, 1.0, 1.5]
        );
        assert_eq!(l.to_value().unwrap(), Value::List(t.clone()));
        f.set_auto(qnd::Auto::All);
        assert_eq!(value(f.get("time").unwrap()), Value::List(t.clone()));
        f.set_auto(qnd::Auto::Leaves);
    });
}

/// With goto off, a record variable reads into every array target the
/// same way: `qnd::Array`, `ArrayD`, `Array2`, `Vec` and scalars take its
/// records stacked along a leading axis (widened on request), while
/// `Value` and `Vec<Value>` give the list of records; a declared variable
/// with no records keeps its record shape.
pub fn goto_off_reads_records_as_arrays(m: &dyn Maker) {
    let f = history(m, 4);
    f.set_recording(Recording::Uniform);
    f.set("k", 7i16).unwrap();
    f.declare("none_yet", DType::F32, &[2]).unwrap();
    f.set_recording(Recording::Off);
    f.goto_off();
    stored(m, &f, |f| {
        f.goto_off();
        let u: qnd::Array = f.read("u").unwrap();
        assert_eq!((u.dtype(), u.shape()), (DType::F64, &[4, 3][..]));
        let stacked: ndarray::ArrayD<f64> = f.read("u").unwrap();
        assert_eq!(u, qnd::Array::from(stacked.clone()));
        let rows: ndarray::Array2<f64> = f.read("u").unwrap();
        assert_eq!(rows.row(3).to_vec(), [0.0, 3.0, 6.0]);
        assert_eq!(stacked.into_dimensionality().unwrap(), rows);
        let records = list(f.get("u").unwrap());
        assert_eq!(records.read_all::<qnd::Array>().unwrap(), u);
        let each: Vec<Value> = f.read("u").unwrap();
        assert_eq!(each.len(), 4);
        for (k, record) in each.iter().enumerate() {
            assert_eq!(*record, Value::from(rows.row(k).to_owned()));
        }
        assert!(f.read::<Vec<f64>>("u").is_err(), "2-d is not a Vec");

        let t: qnd::Array = f.read("time").unwrap();
        let times: Vec<f64> = f.read("time").unwrap();
        assert_eq!(times, [0.0, 0.5, 1.0, 1.5]);
        assert_eq!(t, qnd::Array::from(Array1::from(times)));

        // one record of an i16: as an Array, widened, and as a number
        let k: qnd::Array = f.read("k").unwrap();
        assert_eq!((k.dtype(), k.shape()), (DType::I16, &[1][..]));
        assert_eq!(f.read::<Vec<f64>>("k").unwrap(), [7.0]);
        assert_eq!(f.read::<i64>("k").unwrap(), 7);
        assert!(f.read::<Vec<i8>>("k").is_err(), "i16 does not fit in i8");

        let none_yet: qnd::Array = f.read("none_yet").unwrap();
        assert_eq!(
            (none_yet.dtype(), none_yet.shape()),
            (DType::F32, &[0, 2][..])
        );
    });
}

pub fn goto_nearest_increasing(m: &dyn Maker) {
    let f = history(m, 5); // time 0, 0.5, 1, 1.5, 2
    stored(m, &f, |f| {
        assert_eq!(f.goto_nearest("time", 1.2).unwrap(), 2);
        assert_eq!(f.current_record(), Some(2));
        assert_eq!(f.read::<f64>("time").unwrap(), 1.0);
        assert_eq!(f.read::<f64>("energy").unwrap(), 8.0);
        assert_eq!(f.goto_nearest("time", 1.3).unwrap(), 3);
        assert_eq!(f.goto_nearest("time", 1.25).unwrap(), 3, "ties go up");
        assert_eq!(f.goto_nearest("time", -5.0).unwrap(), 0);
        assert_eq!(f.goto_nearest("time", 99.0).unwrap(), 4);
        assert_eq!(f.goto_nearest("time", 0.5).unwrap(), 1);
        assert_eq!(f.read::<f64>("time").unwrap(), 0.5);
    });
}

pub fn goto_nearest_decreasing(m: &dyn Maker) {
    let f = history(m, 5); // energy 10, 9, 8, 7, 6
    stored(m, &f, |f| {
        assert_eq!(f.goto_nearest("energy", 8.2).unwrap(), 2);
        assert_eq!(f.read::<f64>("time").unwrap(), 1.0);
        assert_eq!(f.goto_nearest("energy", 100.0).unwrap(), 0);
        assert_eq!(f.goto_nearest("energy", 0.0).unwrap(), 4);
        assert_eq!(f.goto_nearest("energy", 7.0).unwrap(), 3);
        assert_eq!(f.read::<f64>("energy").unwrap(), 7.0);
    });
}

/// A restart (the value jumps back) hides the records it overlaps.
pub fn goto_nearest_restart(m: &dyn Maker) {
    let f = records_of(m, "time", &[0.0, 1.0, 2.0, 3.0, 1.5, 2.5]);
    stored(m, &f, |f| {
        assert_eq!(f.goto_index("time").unwrap().records(), [0, 1, 4, 5]);
        assert_eq!(f.goto_nearest("time", 1.9).unwrap(), 4);
        assert_eq!(f.read::<f64>("time").unwrap(), 1.5);
        assert_eq!(f.goto_nearest("time", 2.0).unwrap(), 5, "ties go up");
        assert_eq!(f.goto_nearest("time", 3.0).unwrap(), 5);
        assert_eq!(f.goto_nearest("time", 1.0).unwrap(), 1);
        assert_eq!(f.goto_nearest("time", 0.2).unwrap(), 0);
        let seen: Vec<f64> = f
            .goto_iter_by("time")
            .unwrap()
            .map(|_| f.read::<f64>("time").unwrap())
            .collect();
        assert_eq!(seen, [0.0, 1.0, 1.5, 2.5]);
    });
}

/// Goto by value also works on scalar records of recording mode 2.
pub fn goto_nearest_list_records(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Any);
    for k in 0..4 {
        f.set("t", k as f64 * 2.0).unwrap();
        f.set("x", vec![k as i64; k + 1]).unwrap();
    }
    stored(m, &f, |f| {
        assert_eq!(f.goto_nearest("t", 4.4).unwrap(), 2);
        assert_eq!(f.read::<Vec<i64>>("x").unwrap(), [2, 2, 2]);
        assert_eq!(f.goto_nearest("t", 5.1).unwrap(), 3);
        expect_err!(f.goto_nearest("x", 1.0), Error::Invalid { .. });
    });
}

pub fn goto_iter_sets_and_restores(m: &dyn Maker) {
    let f = history(m, 4);
    stored(m, &f, |f| {
        assert_eq!(f.record_count().unwrap(), 4);
        for before in [None, Some(1), Some(-1)] {
            match before {
                Some(r) => f.goto(r),
                None => f.goto_off(),
            }
            let mut seen = Vec::new();
            for r in f.goto_iter().unwrap() {
                assert_eq!(f.current_record(), Some(r as isize));
                seen.push((r, f.read::<f64>("time").unwrap()));
            }
            assert_eq!(seen, [(0, 0.0), (1, 0.5), (2, 1.0), (3, 1.5)]);
            assert_eq!(f.current_record(), before, "goto restored");
        }
    });
}

pub fn goto_iter_break_restores(m: &dyn Maker) {
    let f = history(m, 5);
    f.goto(4);
    for r in f.goto_iter().unwrap() {
        if r == 2 {
            assert_eq!(f.read::<f64>("time").unwrap(), 1.0);
            break;
        }
    }
    assert_eq!(f.current_record(), Some(4));
    let found = f
        .goto_iter()
        .unwrap()
        .find(|_| f.read::<f64>("energy").unwrap() < 8.5);
    assert_eq!(found, Some(2));
    assert_eq!(f.current_record(), Some(4));
    f.goto_off();
    let it = f.goto_iter().unwrap();
    assert_eq!(it.size_hint(), (5, Some(5)));
    drop(it);
    assert_eq!(f.current_record(), None);
}

pub fn goto_iter_by(m: &dyn Maker) {
    let f = history(m, 4);
    stored(m, &f, |f| {
        // energy decreases: the records in order of increasing energy
        f.goto(1);
        let order: Vec<(usize, f64)> = f
            .goto_iter_by("energy")
            .unwrap()
            .map(|r| (r, f.read::<f64>("energy").unwrap()))
            .collect();
        assert_eq!(order, [(3, 7.0), (2, 8.0), (1, 9.0), (0, 10.0)]);
        assert_eq!(f.current_record(), Some(1));
        let times: Vec<usize> = f.goto_iter_by("time").unwrap().collect();
        assert_eq!(times, [0, 1, 2, 3]);
    });
}

pub fn goto_errors(m: &dyn Maker) {
    let f = history(m, 3);
    f.set("v", vec![1.0, 2.0]).unwrap();
    f.set("g", Value::group()).unwrap();
    f.set_recording(Recording::Uniform);
    f.declare("empty", DType::F64, &[]).unwrap();
    f.set_recording(Recording::Off);
    stored(m, &f, |f| {
        f.goto(3);
        let e = expect_err!(f.read::<f64>("time"), Error::NoRecord { .. });
        // the file read (a reopened copy, for a backend that reads another format)
        crate::common::assert_names(&e, &f.file_path(), "/time");
        expect_err!(f.get("u"), Error::NoRecord { .. });
        expect_err!(f.leaf("u"), Error::NoRecord { .. });
        expect_err!(f.to_value(), Error::NoRecord { .. });
        f.goto(-4);
        let e = expect_err!(f.read::<f64>("energy"), Error::NoRecord { .. });
        assert!(e.to_string().contains("/energy"), "{e}");
        assert_eq!(f.read::<i64>("nx").unwrap(), 3, "plain leaves still read");

        let e = expect_err!(f.goto_nearest("empty", 1.0), Error::NoRecord { .. });
        assert_eq!(crate::common::error_path(&e), Some("/empty"));
        let e = expect_err!(f.goto_nearest("u", 1.0), Error::Invalid { .. });
        assert_eq!(crate::common::error_path(&e), Some("/u"));
        expect_err!(f.goto_nearest("nx", 1.0), Error::Invalid { .. });
        expect_err!(f.goto_nearest("v", 1.0), Error::Invalid { .. });
        expect_err!(f.goto_nearest("g", 1.0), Error::Invalid { .. });
        expect_err!(f.goto_nearest("nothing", 1.0), Error::NoItem { .. });
        expect_err!(f.goto_iter_by("u").map(|_| ()), Error::Invalid { .. });
        assert_eq!(f.current_record(), Some(-4), "failed gotos move nothing");
        f.goto(2);
        assert_eq!(f.read::<f64>("time").unwrap(), 1.0);
    });
}

/// Plain leaves, groups and `to_value` of a subgroup without records are
/// the same with goto on or off; partial reads of plain leaves too.
pub fn goto_and_plain_leaves(m: &dyn Maker) {
    let f = history(m, 2);
    f.set("g", tree([("a", 1.0)])).unwrap();
    stored(m, &f, |f| {
        for r in [None, Some(0), Some(1)] {
            match r {
                Some(r) => f.goto(r),
                None => f.goto_off(),
            }
            assert_eq!(f.read::<i64>("nx").unwrap(), 3);
            assert_eq!(f.read::<Value>("g").unwrap(), tree([("a", 1.0)]));
            assert_eq!(f.read_part::<i64>("nx", qnd::Selection::all()).unwrap(), 3);
        }
    });
}

/// `to_value` honours goto: one record per record variable.
pub fn goto_to_value(m: &dyn Maker) {
    let f = history(m, 3);
    stored(m, &f, |f| {
        f.goto(1);
        let v = f.to_value().unwrap();
        assert_eq!(v.get("time"), Some(&Value::from(0.5)));
        assert_eq!(v.get("energy"), Some(&Value::from(9.0)));
        assert_eq!(v.get("u"), Some(&Value::from(array![0.0, 1.0, 2.0])));
        assert_eq!(v.get("nx"), Some(&Value::from(3i32)));
        f.goto_off();
        let v = f.to_value().unwrap();
        assert_eq!(
            v.get("time"),
            Some(&Value::List([0.0, 0.5, 1.0].map(Value::from).to_vec()))
        );
    });
}

/// Record variables in a subgroup follow the goto of the group they are
/// read through; subgroups get a copy of goto when they are made.
pub fn goto_in_subgroup(m: &dyn Maker) {
    let f = m.create();
    f.set("g", Value::group()).unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..3 {
        f.set("g/t", k as f64).unwrap();
    }
    f.set_recording(Recording::Off);
    stored(m, &f, |f| {
        f.goto(1);
        assert_eq!(f.read::<f64>("g/t").unwrap(), 1.0);
        let g = crate::common::group(f.get("g").unwrap());
        assert_eq!(g.current_record(), Some(1));
        assert_eq!(g.read::<f64>("t").unwrap(), 1.0);
        g.goto(2);
        assert_eq!(g.read::<f64>("t").unwrap(), 2.0);
        assert_eq!(f.read::<f64>("g/t").unwrap(), 1.0);
        assert_eq!(g.goto_nearest("t", 0.1).unwrap(), 0);
        assert_eq!(g.read::<f64>("t").unwrap(), 0.0);
        assert_eq!(f.goto_nearest("g/t", 2.2).unwrap(), 2);
        assert_eq!(f.current_record(), Some(2));
    });
}

/// A path goes through the current record of a recording-2 list of
/// groups: with goto on, `g/a` is member `a` of that record (read, get,
/// contains, kind, set, leaf handles and error paths naming `g[r]`); with
/// goto off, or past the records, it is an error naming the list.
pub fn goto_paths_through_list_records(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Any);
    let record = |a: f64| Value::Group([("a".to_string(), Value::from(a))].into());
    f.set("g", record(1.0)).unwrap();
    f.set("g", record(2.0)).unwrap();
    f.set_recording(Recording::Off);
    // set through the current record
    f.goto(1);
    f.set("g/a", 5.0).unwrap();
    assert_eq!(f.read::<f64>("g/a").unwrap(), 5.0);
    stored(m, &f, |f| {
        f.goto(0);
        assert_eq!(f.read::<f64>("g/a").unwrap(), 1.0);
        assert_eq!(f.read::<f64>("/g/a").unwrap(), 1.0);
        assert!(f.contains("g/a").unwrap());
        assert_eq!(f.kind("g/a").unwrap(), qnd::Kind::Leaf);
        assert_eq!(value(f.get("g/a").unwrap()), Value::from(1.0));
        assert_eq!(f.leaf("g/a").unwrap().path(), "/g[0]/a");
        f.goto(-1);
        assert_eq!(f.read::<f64>("g/a").unwrap(), 5.0);
        let e = f.read::<f64>("g/b").unwrap_err();
        assert!(
            matches!(&e, Error::NoItem { path, .. } if path == "/g[1]/b"),
            "{e}"
        );
        f.goto(5);
        let e = f.read::<f64>("g/a").unwrap_err();
        assert!(
            matches!(&e, Error::NoRecord { path, .. } if path == "/g"),
            "{e}"
        );
        f.goto_off();
        let e = f.read::<f64>("g/a").unwrap_err();
        assert!(
            matches!(&e, Error::Mismatch { got, .. } if got == "a list"),
            "{e}"
        );
        assert!(!f.contains("g/a").unwrap());
    });
}
