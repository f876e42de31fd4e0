//! Recording modes: 1 appends records of one dtype and shape (checked,
//! nothing written on a mismatch), 2 appends records of any kind.

use ndarray::{array, Array1, Array2};
use qnd::{DType, Error, Kind, QGroup, Recording, Value};

use crate::common::{assert_same_tree, mismatch, reopened, stored, tree, Maker};

/// The number of records of record variable `name`.
fn count(f: &QGroup, name: &str) -> usize {
    f.list(name).unwrap().len().unwrap()
}

fn u(k: usize) -> Array1<f64> {
    array![0.0, 1.0, 2.0] * k as f64
}

pub fn uniform_appends_records(m: &dyn Maker) {
    let f = m.create();
    f.set("nx", 3i32).unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..5 {
        f.set("time", 0.5 * k as f64).unwrap();
        f.set("u", u(k)).unwrap();
    }
    stored(m, &f, |f| {
        assert_eq!(f.kind("time").unwrap(), Kind::Records);
        assert_eq!(f.kind("u").unwrap(), Kind::Records);
        assert_eq!(f.kind("nx").unwrap(), Kind::Leaf);
        assert_eq!(count(f, "time"), 5);
        assert!(f.list("time").unwrap().is_records());
        f.goto_off();
        let times: Vec<Value> = f.read("time").unwrap();
        let want: Vec<Value> = (0..5).map(|k| Value::from(0.5 * k as f64)).collect();
        assert_eq!(times, want);
        let us: Vec<Value> = f.read("u").unwrap();
        assert_eq!(us, (0..5).map(|k| Value::from(u(k))).collect::<Vec<_>>());
        for k in 0..5 {
            f.goto(k as isize);
            assert_eq!(f.read::<f64>("time").unwrap(), 0.5 * k as f64);
            assert_eq!(f.read::<Array1<f64>>("u").unwrap(), u(k));
            assert_eq!(f.read::<i64>("nx").unwrap(), 3);
        }
        assert_eq!(f.record_count().unwrap(), 5);
    });
}

pub fn uniform_records_share_dtype_and_shape(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    for k in 0..4 {
        f.set("m", Array2::from_elem((2, 3), k as i16)).unwrap();
        f.set("s", format!("r{k}")).unwrap();
    }
    stored(m, &f, |f| {
        let all = f.list("m").unwrap().as_array().unwrap();
        assert_eq!(all.shape().unwrap(), [4, 2, 3]);
        assert_eq!(all.dtype().unwrap(), DType::I16);
        let l = f.list("m").unwrap();
        for k in 0..4 {
            let r = l.leaf(k).unwrap();
            assert_eq!(r.dtype().unwrap(), DType::I16);
            assert_eq!(r.shape().unwrap(), [2, 3]);
            assert_eq!(
                r.read::<Array2<i16>>().unwrap(),
                Array2::from_elem((2, 3), k as i16)
            );
        }
        let s = f.list("s").unwrap();
        assert_eq!(s.as_array().unwrap().shape().unwrap(), [4]);
        assert_eq!(s.read::<String>(2).unwrap(), "r2");
    });
}

pub fn uniform_refuses_wrong_dtype(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    f.set("t", 1.0).unwrap();
    f.set("t", 2.0).unwrap();
    f.set("n", 1i32).unwrap();
    let before = f.current_record();
    let file = f.file_path();

    let e = expect_err!(f.set("t", "text"), Error::Mismatch { .. });
    let (path, expected, got) = mismatch(&e);
    assert_eq!(path, "/t");
    assert!(expected.contains("f8"), "expected: {expected}");
    assert!(got.contains("str"), "got: {got}");
    crate::common::assert_names(&e, &file, "/t");
    let msg = e.to_string();
    assert!(msg.contains("f8") && msg.contains("str"), "{msg}");

    // a number that does not fit the record's type (see casts.rs)
    let e = expect_err!(f.set("n", 1.5), Error::Cast { .. });
    assert_eq!(crate::common::error_path(&e), Some("/n"));
    let msg = e.to_string();
    assert!(msg.contains("1.5") && msg.contains("i4"), "{msg}");
    expect_err!(f.set("n", 1i64 << 40), Error::Cast { .. });
    expect_err!(f.set("n", true), Error::Mismatch { .. });
    expect_err!(f.set("t", true), Error::Mismatch { .. });

    assert_eq!(f.current_record(), before, "a refused record moves nothing");
    assert_eq!(count(&f, "t"), 2);
    assert_eq!(count(&f, "n"), 1);
    stored(m, &f, |f| {
        assert_eq!(count(f, "t"), 2);
        assert_eq!(count(f, "n"), 1);
        f.goto_off();
        assert_eq!(
            f.read::<Vec<Value>>("t").unwrap(),
            [Value::from(1.0), Value::from(2.0)]
        );
        assert_eq!(f.read::<Vec<Value>>("n").unwrap(), [Value::from(1i32)]);
    });
}

pub fn uniform_refuses_wrong_shape(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    f.set("u", u(1)).unwrap();
    f.set("s", 1.0).unwrap();
    let e = expect_err!(f.set("u", array![1.0, 2.0]), Error::Mismatch { .. });
    let (path, expected, got) = mismatch(&e);
    assert_eq!(path, "/u");
    assert!(expected.contains("[3]"), "expected: {expected}");
    assert!(got.contains("[2]"), "got: {got}");
    expect_err!(f.set("u", 1.0), Error::Mismatch { .. });
    expect_err!(f.set("u", array![[1.0, 2.0, 3.0]]), Error::Mismatch { .. });
    expect_err!(f.set("u", Array1::<f64>::zeros(0)), Error::Mismatch { .. });
    expect_err!(f.set("s", vec![1.0]), Error::Mismatch { .. });
    assert_eq!(count(&f, "u"), 1);
    assert_eq!(count(&f, "s"), 1);
    f.set("u", u(2)).unwrap();
    stored(m, &f, |f| {
        assert_eq!(count(f, "u"), 2);
        f.goto(-1);
        assert_eq!(f.read::<Array1<f64>>("u").unwrap(), u(2));
    });
}

pub fn uniform_refuses_wrong_kind(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    f.set("t", 1.0).unwrap();
    expect_err!(f.set("t", Value::group()), Error::Mismatch { .. });
    expect_err!(f.set("t", tree([("a", 1.0)])), Error::Mismatch { .. });
    expect_err!(f.set("t", Value::None), Error::Mismatch { .. });
    expect_err!(
        f.set("t", Value::List(vec![Value::from(1.0)])),
        Error::Mismatch { .. }
    );
    stored(m, &f, |f| assert_eq!(count(f, "t"), 1));
}

pub fn uniform_accepts_lossless_widening(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    f.set("t", 0.5).unwrap();
    f.set("t", 2i32).unwrap();
    f.set("t", 3u8).unwrap();
    f.set("n", 1i32).unwrap();
    f.set("n", 7u8).unwrap();
    f.set("n", -3i16).unwrap();
    f.set("v", array![1.5f32, 2.5]).unwrap();
    f.set("v", array![-1i8, 1]).unwrap();
    stored(m, &f, |f| {
        f.goto_off();
        assert_eq!(
            f.read::<Vec<Value>>("t").unwrap(),
            [Value::from(0.5), Value::from(2.0), Value::from(3.0)]
        );
        assert_eq!(
            f.read::<Vec<Value>>("n").unwrap(),
            [Value::from(1i32), Value::from(7i32), Value::from(-3i32)]
        );
        assert_eq!(
            f.list("t").unwrap().as_array().unwrap().dtype().unwrap(),
            DType::F64
        );
        f.goto(1);
        assert_eq!(f.read::<Vec<f32>>("v").unwrap(), [-1.0, 1.0]);
        assert_eq!(f.leaf("v").unwrap().dtype().unwrap(), DType::F32);
    });
}

/// Recording mode 2: records of any dtype, shape or kind, stored as a list.
pub fn any_records_of_any_kind(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Any);
    let records = vec![
        Value::from(Array2::<f64>::zeros((2, 3))),
        Value::from(Array2::<i32>::ones((4, 1))),
        Value::from("text"),
        tree([("pts", Value::from(vec![0i64, 1, 2]))]),
        Value::None,
        Value::List(vec![Value::from(1u8), Value::None]),
        Value::from(5.0),
    ];
    for r in &records {
        f.set("x", r.clone()).unwrap();
    }
    assert_eq!(f.current_record(), Some(6));
    stored(m, &f, |f| {
        assert_eq!(f.kind("x").unwrap(), Kind::List);
        let l = f.list("x").unwrap();
        assert_eq!(l.len().unwrap(), records.len());
        assert!(!l.is_records());
        for (k, r) in records.iter().enumerate() {
            f.goto(k as isize);
            assert_same_tree(&f.read::<Value>("x").unwrap(), r);
        }
        f.goto_off();
        assert_same_tree(
            &f.read::<Value>("x").unwrap(),
            &Value::List(records.clone()),
        );
    });
}

/// A variable declared with recording off stays a plain leaf: setting it
/// in a recording mode overwrites it.
pub fn declared_leaf_stays_plain(m: &dyn Maker) {
    let f = m.create();
    f.declare("x", DType::F64, &[2]).unwrap();
    for mode in [Recording::Uniform, Recording::Any] {
        f.set_recording(mode);
        f.set("x", array![1.0, 2.0]).unwrap();
        f.set("x", array![3.0, 4.0]).unwrap();
        assert_eq!(f.kind("x").unwrap(), Kind::Leaf, "recording {mode}");
        assert_eq!(f.current_record(), None, "no record was written");
    }
    stored(m, &f, |f| {
        assert_eq!(f.kind("x").unwrap(), Kind::Leaf);
        assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [3.0, 4.0]);
    });
}

/// qnd's guide: `f.x = xa; f.recording(1); f.x = xb`: x remains a
/// non-record variable, xb overwrites xa.
pub fn set_leaf_stays_plain(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 1.0).unwrap();
    f.set_recording(Recording::Uniform);
    f.set("time", 0.0).unwrap();
    f.set("x", 2.0).unwrap();
    f.set("time", 1.0).unwrap();
    f.set("x", 3.0).unwrap();
    expect_err!(f.set("x", vec![1.0, 2.0]), Error::Mismatch { .. });
    stored(m, &f, |f| {
        assert_eq!(f.kind("x").unwrap(), Kind::Leaf);
        assert_eq!(f.kind("time").unwrap(), Kind::Records);
        assert_eq!(count(f, "time"), 2);
        f.goto(0);
        assert_eq!(f.read::<f64>("x").unwrap(), 3.0, "goto does not apply to x");
    });
}

/// Setting a record variable with recording off: an error with goto off,
/// an overwrite of the current record with goto on.
pub fn record_variable_recording_off(m: &dyn Maker) {
    let f = m.create();
    crate::record_t(&f);
    f.set_recording(Recording::Any);
    f.set("l", 1.0).unwrap();
    f.set("l", vec![2.0, 3.0]).unwrap();
    f.set_recording(Recording::Off);
    f.goto_off();
    let e = expect_err!(f.set("t", 5.0), Error::Invalid { .. });
    assert_eq!(crate::common::error_path(&e), Some("/t"));
    expect_err!(f.set("l", 5.0), Error::Invalid { .. });
    assert_eq!(count(&f, "t"), 3);
    assert_eq!(count(&f, "l"), 2);

    f.goto(1);
    f.set("t", 10.0).unwrap();
    assert_eq!(f.current_record(), Some(1));
    f.goto(-1);
    f.set("t", 20.0).unwrap();
    expect_err!(f.set("t", vec![1.0, 2.0]), Error::Mismatch { .. });
    f.goto(0);
    f.set("l", 5.0).unwrap();
    f.goto(1);
    f.set("l", vec![6.0, 7.0]).unwrap();
    expect_err!(f.set("l", vec![1.0, 2.0, 3.0]), Error::Mismatch { .. });
    assert_eq!(count(&f, "t"), 3);
    stored(m, &f, |f| {
        f.goto_off();
        assert_eq!(
            f.read::<Vec<Value>>("t").unwrap(),
            [Value::from(0.0), Value::from(10.0), Value::from(20.0)]
        );
        assert_eq!(
            f.read::<Vec<Value>>("l").unwrap(),
            [Value::from(5.0), Value::from(vec![6.0, 7.0])]
        );
    });
}

/// `declare` in recording mode 1 makes a record variable with no records.
pub fn declare_record_variable(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    f.declare("t", DType::F64, &[]).unwrap();
    f.declare("u", DType::I32, &[2]).unwrap();
    assert_eq!(f.kind("t").unwrap(), Kind::Records);
    assert_eq!(count(&f, "t"), 0);
    assert_eq!(
        f.list("u").unwrap().as_array().unwrap().shape().unwrap(),
        [0, 2]
    );
    f.goto_off();
    assert_eq!(f.read::<Vec<Value>>("t").unwrap(), vec![]);
    let f = reopened(m, f, "r+");
    assert_eq!(f.kind("t").unwrap(), Kind::Records);
    assert_eq!(count(&f, "u"), 0);
    f.set_recording(Recording::Uniform);
    f.set("t", 1.0).unwrap();
    f.set("u", array![1, 2]).unwrap();
    expect_err!(f.set("u", array![1, 2, 3]), Error::Mismatch { .. });
    stored(m, &f, |f| {
        assert_eq!(count(f, "t"), 1);
        assert_eq!(
            f.list("u").unwrap().as_array().unwrap().shape().unwrap(),
            [1, 2]
        );
        f.goto(0);
        assert_eq!(f.read::<Vec<i32>>("u").unwrap(), [1, 2]);
    });
}

/// Records go on after the file is closed and opened again (`a`, `r+`).
pub fn records_after_reopen(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    for k in 0..3 {
        f.set("time", k as f64).unwrap();
        f.set("u", u(k)).unwrap();
    }
    f.set_recording(Recording::Any);
    f.set("mesh", vec![0i64]).unwrap();
    let f = reopened(m, f, "a");
    f.set_recording(Recording::Uniform);
    for k in 3..5 {
        f.set("time", k as f64).unwrap();
        f.set("u", u(k)).unwrap();
    }
    f.set_recording(Recording::Any);
    f.set("mesh", vec![0i64, 1]).unwrap();
    let f = reopened(m, f, "r+");
    f.set_recording(Recording::Uniform);
    f.set("time", 5.0).unwrap();
    f.set("u", u(5)).unwrap();
    expect_err!(f.set("u", array![1.0]), Error::Mismatch { .. });
    stored(m, &f, |f| {
        assert_eq!(count(f, "time"), 6);
        assert_eq!(count(f, "mesh"), 2);
        for k in 0..6 {
            f.goto(k as isize);
            assert_eq!(f.read::<f64>("time").unwrap(), k as f64);
            assert_eq!(f.read::<Array1<f64>>("u").unwrap(), u(k));
        }
        assert_eq!(f.goto_nearest("time", 3.2).unwrap(), 3);
    });
}

pub fn update_in_recording_mode(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    for k in 0..4 {
        f.update([
            ("time", Value::from(k as f64)),
            ("step", Value::from(k as i32)),
            ("u", Value::from(u(k))),
        ])
        .unwrap();
    }
    stored(m, &f, |f| {
        for name in ["time", "step", "u"] {
            assert_eq!(f.kind(name).unwrap(), Kind::Records);
            assert_eq!(count(f, name), 4);
        }
        f.goto(2);
        assert_eq!(f.read::<i64>("step").unwrap(), 2);
    });
}

/// `QList::append` on a record variable adds a checked record.
pub fn list_append_to_records(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    f.set("t", 0.0).unwrap();
    f.set_recording(Recording::Off);
    let l = f.list("t").unwrap();
    assert!(l.is_records());
    l.append(1.0).unwrap();
    l.extend([2.0, 3.0]).unwrap();
    l.append(4i32).unwrap();
    expect_err!(l.append("x"), Error::Mismatch { .. });
    expect_err!(l.append(vec![1.0]), Error::Mismatch { .. });
    assert_eq!(l.len().unwrap(), 5);
    l.set(0, -1.0).unwrap();
    expect_err!(l.set(1, vec![1.0, 2.0]), Error::Mismatch { .. });
    stored(m, &f, |f| {
        let l = f.list("t").unwrap();
        assert_eq!(
            l.as_array().unwrap().read::<Vec<f64>>().unwrap(),
            [-1.0, 1.0, 2.0, 3.0, 4.0]
        );
        assert_eq!(l.read::<f64>(-1).unwrap(), 4.0);
    });
}

/// Text records: equal lengths work; a longer record is kept whole or
/// refused, never cut.
pub fn text_records(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    f.set("name", "ab").unwrap();
    f.set("name", "cd").unwrap();
    f.set("name", "é").unwrap(); // two bytes too
    let mut want = vec!["ab", "cd", "é"];
    match f.set("name", "a longer name") {
        Ok(()) => want.push("a longer name"),
        Err(e) => {
            let path = crate::common::error_path(&e).unwrap_or_default();
            assert!(path.starts_with("/name"), "{e:?}");
        }
    }
    stored(m, &f, |f| {
        let l = f.list("name").unwrap();
        assert_eq!(l.len().unwrap(), want.len());
        assert_eq!(l.as_array().unwrap().read::<Vec<String>>().unwrap(), want);
    });
}

/// Many records: the record axis grows past any first allocation.
pub fn many_records(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    let n = 300;
    for k in 0..n {
        f.set("time", 0.01 * k as f64).unwrap();
        f.set("u", u(k)).unwrap();
        f.set("k", k as i32).unwrap();
    }
    f.set_recording(Recording::Off);
    stored(m, &f, |f| {
        assert_eq!(count(f, "time"), n);
        assert_eq!(f.record_count().unwrap(), n);
        let all = f.list("u").unwrap().as_array().unwrap();
        assert_eq!(all.shape().unwrap(), [n, 3]);
        let last: Vec<f64> = all.read_part(ndarray::s![-1, ..]).unwrap();
        assert_eq!(last, u(n - 1).to_vec());
        let ks: Vec<i32> = f.list("k").unwrap().as_array().unwrap().read().unwrap();
        assert_eq!(ks, (0..n as i32).collect::<Vec<_>>());
        assert_eq!(f.goto_nearest("time", 1.234).unwrap(), 123);
        assert_eq!(f.read::<i32>("k").unwrap(), 123);
    });
}

/// A record variable declared with record shape `[4]` and no records keeps
/// its record shape: it reads as an array of shape `[0, 4]`, before and
/// after the file is opened again.
pub fn empty_record_shape(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    f.declare("u", DType::F64, &[4]).unwrap();
    f.declare("m", DType::I16, &[2, 3]).unwrap();
    f.declare("t", DType::F64, &[]).unwrap();
    f.goto_off();
    let check = |f: &QGroup| {
        let u: ndarray::ArrayD<f64> = f.read("u").unwrap();
        assert_eq!(u.shape(), [0, 4]);
        let u: Array2<f64> = f.read("u").unwrap();
        assert_eq!(u.dim(), (0, 4));
        let l: ndarray::ArrayD<f64> = f.list("u").unwrap().read_all().unwrap();
        assert_eq!(l.shape(), [0, 4]);
        let mm: ndarray::ArrayD<i16> = f.read("m").unwrap();
        assert_eq!(mm.shape(), [0, 2, 3]);
        let t: ndarray::ArrayD<f64> = f.read("t").unwrap();
        assert_eq!(t.shape(), [0]);
        assert_eq!(f.read::<Vec<f64>>("t").unwrap(), Vec::<f64>::new());
        assert_eq!(
            f.list("u").unwrap().as_array().unwrap().shape().unwrap(),
            [0, 4]
        );
        assert_eq!(f.read::<Vec<Value>>("u").unwrap(), vec![]);
    };
    check(&f);
    stored(m, &f, |f| {
        f.goto_off();
        check(f)
    });
}
