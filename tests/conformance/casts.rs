//! Casts on write: a value written into an existing leaf or record
//! variable is cast to its dtype, each value checked (see "Casts on write"
//! in the crate guide); a value that does not fit is `Error::Cast` naming
//! the item, the value, its index and the leaf's type, and nothing is
//! written. Cases but `unsigned_casts` use only types netCDF-3 holds: the
//! values given may be of any type, the leaves are `i1`..`i4`, `f4`, `f8`.

use ndarray::{array, s, Array1};
use qnd::lazy::{Lazy, LazyExt};
use qnd::{DType, Error, QGroup, Recording, Value};

use crate::common::{stored, Maker};

/// The fields of an `Error::Cast`, after checking its message says the
/// same.
fn cast(e: &Error) -> (&str, &str, Option<&[usize]>, DType) {
    let Error::Cast {
        path,
        value,
        index,
        dtype,
        ..
    } = e
    else {
        panic!("expected Error::Cast, got {e:?} ({e})");
    };
    let msg = e.to_string();
    let at = index
        .as_ref()
        .map(|ix| format!(" (at {ix:?})"))
        .unwrap_or_default();
    let tail = format!("{path}: value {value}{at} does not fit the leaf's type {dtype}");
    assert!(msg.ends_with(&tail), "{msg:?} should end with {tail:?}");
    (path, value, index.as_deref(), *dtype)
}

/// Every record of record variable `name` (goto off, then restored).
fn records<T: qnd::FromValue>(f: &QGroup, name: &str) -> T {
    let _g = f.push();
    f.goto_off();
    f.read(name).unwrap()
}

/// Values that fit are written into leaves of narrower types and read
/// back as cast; the leaves keep their dtypes.
pub fn narrowing_values_that_fit(m: &dyn Maker) {
    let f = m.create();
    f.set("n", vec![0i32; 3]).unwrap();
    f.set("x", vec![0f32; 5]).unwrap();
    f.set("k", vec![0i16; 2]).unwrap();
    f.set("b", 0i8).unwrap();
    f.set("d", 0.0).unwrap();

    // integers into a narrower integer: the extremes of i4 fit
    let lo = i64::from(i32::MIN);
    let hi = i64::from(i32::MAX);
    f.set("n", vec![lo, 7, hi]).unwrap();
    // f8 into f4: to the nearest; NaN and the infinities as themselves
    let max = f64::from(f32::MAX);
    f.set(
        "x",
        vec![0.1, max, f64::NAN, f64::INFINITY, f64::NEG_INFINITY],
    )
    .unwrap();
    // integral floats into an integer leaf
    f.set("k", vec![2.0, -3.0]).unwrap();
    // an unsigned value that fits a signed leaf
    f.set("b", 127u8).unwrap();
    // an integer a double holds exactly
    f.set("d", 1i64 << 53).unwrap();

    stored(m, &f, |f| {
        let types = ["n", "x", "k", "b", "d"].map(|n| f.leaf(n).unwrap().dtype().unwrap());
        assert_eq!(
            types,
            [DType::I32, DType::F32, DType::I16, DType::I8, DType::F64]
        );
        assert_eq!(f.read::<Vec<i32>>("n").unwrap(), [i32::MIN, 7, i32::MAX]);
        let x = f.read::<Vec<f32>>("x").unwrap();
        assert_eq!(x[..2], [0.1f32, f32::MAX]);
        assert!(x[2].is_nan());
        assert_eq!(x[3..], [f32::INFINITY, f32::NEG_INFINITY]);
        assert_eq!(f.read::<Vec<i16>>("k").unwrap(), [2, -3]);
        assert_eq!(f.read::<i8>("b").unwrap(), 127);
        assert_eq!(f.read::<f64>("d").unwrap(), 2f64.powi(53));
    });
}

/// Each write path casts: `set`, `QLeaf::write`, `write_part` (a part, a
/// single value filling it), `QGroup::write_part`, a lazy view's write.
pub fn every_write_path_casts(m: &dyn Maker) {
    let f = m.create();
    f.declare("z", DType::F32, &[2, 3]).unwrap();
    f.declare("i", DType::I16, &[4]).unwrap();
    let z = f.leaf("z").unwrap();
    z.write(array![[1.0f64, 2.0, 3.0], [4.0, 5.0, 6.0]])
        .unwrap();
    z.write_part(s![1, ..], array![0.5f64, 0.25, 0.125])
        .unwrap();
    f.write_part("z", s![0, 1..], 9i64).unwrap();
    f.leaf("i").unwrap().write(array![1i64, 2, 3, 4]).unwrap();
    f.leaf("i").unwrap().write_part(s![1..3], 7.0).unwrap();
    let col = Lazy::new(f.leaf("i").unwrap()).select(s![3..]).unwrap();
    col.write_part(s![..], array![-8i64]).unwrap();
    let e = col.write_part(s![..], array![40000i64]).unwrap_err();
    assert_eq!(cast(&e).1, "40000");
    stored(m, &f, |f| {
        assert_eq!(
            f.read::<ndarray::Array2<f32>>("z").unwrap(),
            array![[1.0, 9.0, 9.0], [0.5, 0.25, 0.125]]
        );
        assert_eq!(f.read::<Vec<i16>>("i").unwrap(), [1, 7, 7, -8]);
        assert_eq!(f.leaf("z").unwrap().dtype().unwrap(), DType::F32);
    });
}

/// A value that does not fit is `Error::Cast` naming the item, the first
/// value that does not fit, its index and the leaf's type; nothing of it
/// is written (the values before it neither).
pub fn values_that_do_not_fit_write_nothing(m: &dyn Maker) {
    let f = m.create();
    f.set("n", vec![1i32, 2, 3]).unwrap();
    f.set("x", vec![1f32, 2.0]).unwrap();
    f.set("d", vec![0.5, 1.5]).unwrap();
    f.set("g", Value::None).unwrap();
    f.set("s", 5i32).unwrap();
    let file = f.file_path();

    let e = f.set("n", vec![9, 1i64 << 40, 9]).unwrap_err();
    assert_eq!(
        cast(&e),
        ("/n", "1099511627776", Some(&[1][..]), DType::I32)
    );
    crate::common::assert_names(&e, &file, "/n");
    let e = f.set("s", 1i64 << 40).unwrap_err();
    assert_eq!(cast(&e), ("/s", "1099511627776", None, DType::I32));
    assert!(
        e.to_string()
            .ends_with("/s: value 1099511627776 does not fit the leaf's type i4"),
        "{e}"
    );
    let e = f.set("n", vec![1.0, 2.0, 2.5]).unwrap_err();
    assert_eq!(cast(&e), ("/n", "2.5", Some(&[2][..]), DType::I32));
    let e = f.set("n", vec![f64::NAN, 2.0, 3.0]).unwrap_err();
    assert_eq!(cast(&e).1, "NaN");
    let e = f.set("n", vec![i64::from(i32::MIN) - 1, 0, 0]).unwrap_err();
    assert_eq!(cast(&e).1, "-2147483649");
    // a finite f8 beyond f4's range; an integer f4 does not hold exactly
    let big = f64::from(f32::MAX) * 2.0;
    let e = f.set("x", vec![1.0, big]).unwrap_err();
    assert_eq!(
        cast(&e),
        ("/x", "6.805646932770577e38", Some(&[1][..]), DType::F32)
    );
    let e = f.set("x", vec![16777217i32, 0]).unwrap_err();
    assert_eq!(cast(&e), ("/x", "16777217", Some(&[0][..]), DType::F32));
    f.set("x", vec![16777216i32, 1]).unwrap();
    let e = f.set("d", vec![0i64, (1 << 53) + 1]).unwrap_err();
    assert_eq!(
        cast(&e),
        ("/d", "9007199254740993", Some(&[1][..]), DType::F64)
    );
    // a part, and a single value filling a part
    let e = f
        .leaf("n")
        .unwrap()
        .write_part(s![1..], array![5i64, 1 << 33])
        .unwrap_err();
    assert_eq!(cast(&e), ("/n", "8589934592", Some(&[1][..]), DType::I32));
    let e = f.write_part("x", s![..], 1e39).unwrap_err();
    assert_eq!(cast(&e), ("/x", "1e39", None, DType::F32));
    // the shape is checked before the values
    expect_err!(f.set("n", vec![1i64 << 40]), Error::Mismatch { .. });

    stored(m, &f, |f| {
        assert_eq!(f.read::<Vec<i32>>("n").unwrap(), [1, 2, 3]);
        assert_eq!(f.read::<Vec<f32>>("x").unwrap(), [16777216.0, 1.0]);
        assert_eq!(f.read::<Vec<f64>>("d").unwrap(), [0.5, 1.5]);
        assert_eq!(f.read::<i32>("s").unwrap(), 5);
        assert_eq!(f.leaf("n").unwrap().dtype().unwrap(), DType::I32);
    });
}

/// Records are cast into the record variable's dtype; a record that does
/// not fit is refused whole and not kept (not even for a later flush).
pub fn records_cast_and_refused_whole(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    f.set("n", 3).unwrap(); // an i4 record variable
    f.set("n", 7i64).unwrap();
    f.set("x", array![0.5f32, 1.5]).unwrap();
    f.set("x", array![0.1f64, -2.0]).unwrap();
    f.set("x", array![4i64, 5]).unwrap();
    f.set("x", array![1i64 << 30, 1]).unwrap(); // 2^30 is exact in f4
    let before = f.current_record();
    let e = f.set("n", 1i64 << 40).unwrap_err();
    assert_eq!(cast(&e), ("/n", "1099511627776", None, DType::I32));
    let e = f.set("n", 2.5).unwrap_err();
    assert_eq!(cast(&e).1, "2.5");
    let e = f.set("x", array![0.0, 1e300]).unwrap_err();
    assert_eq!(cast(&e), ("/x", "1e300", Some(&[1][..]), DType::F32));
    let e = f.set("x", array![1i64 << 30, (1 << 24) + 1]).unwrap_err();
    assert_eq!(cast(&e), ("/x", "16777217", Some(&[1][..]), DType::F32));
    expect_err!(f.set("n", true), Error::Mismatch { .. });
    assert_eq!(f.current_record(), before, "a refused record moves nothing");
    f.flush().unwrap();
    assert_eq!(records::<Vec<i32>>(&f, "n"), [3, 7]);

    // QList::append and QList::set of a record variable cast too
    let n = f.list("n").unwrap();
    n.append(-5i16).unwrap();
    let e = n.append(u32::MAX).unwrap_err();
    assert_eq!(cast(&e), ("/n", "4294967295", None, DType::I32));
    n.set(0, 30i64).unwrap();
    let e = n.set(1, i64::MAX).unwrap_err();
    assert_eq!(cast(&e), ("/n[1]", "9223372036854775807", None, DType::I32));
    // recording off, goto on: the current record is overwritten, cast
    f.set_recording(Recording::Off);
    f.goto(1);
    f.set("n", 70.0).unwrap();
    let e = f.set("n", 1e10).unwrap_err();
    assert_eq!(cast(&e), ("/n[1]", "10000000000.0", None, DType::I32));
    f.goto_off();

    stored(m, &f, |f| {
        assert_eq!(records::<Vec<i32>>(f, "n"), [30, 70, -5]);
        let x: ndarray::Array2<f32> = records(f, "x");
        let want = array![[0.5, 1.5], [0.1, -2.0], [4.0, 5.0], [1073741824.0, 1.0]];
        assert_eq!(records::<Vec<f64>>(f, "n"), [30.0, 70.0, -5.0]);
        assert_eq!(x, want);
        assert_eq!(
            f.list("n").unwrap().as_array().unwrap().dtype().unwrap(),
            DType::I32
        );
        assert_eq!(
            f.list("x").unwrap().as_array().unwrap().dtype().unwrap(),
            DType::F32
        );
    });
}

/// Bool and text never convert to numbers, nor numbers to bool or text.
pub fn bool_and_text_never_convert(m: &dyn Maker) {
    let f = m.create();
    f.set("n", vec![1i32, 2]).unwrap();
    f.set("x", 1.5).unwrap();
    f.set("b", vec![true, false]).unwrap();
    f.set("s", "abc").unwrap();
    for (name, value) in [
        ("n", Value::from(vec![true, false])),
        ("n", Value::from(vec!["1", "2"])),
        ("x", Value::from(true)),
        ("x", Value::from("1.5")),
        ("b", Value::from(vec![1i8, 0])),
        ("b", Value::from(vec![1.0, 0.0])),
        ("s", Value::from(1i32)),
        ("s", Value::from(true)),
    ] {
        let what = value.describe();
        let e = expect_err!(f.set(name, value), Error::Mismatch { .. });
        assert_eq!(
            crate::common::error_path(&e),
            Some(format!("/{name}").as_str()),
            "{what}"
        );
    }
    f.set_recording(Recording::Uniform);
    f.set("t", 1.0).unwrap();
    expect_err!(f.set("t", true), Error::Mismatch { .. });
    expect_err!(f.set("t", "1"), Error::Mismatch { .. });
    stored(m, &f, |f| {
        assert_eq!(f.read::<Vec<i32>>("n").unwrap(), [1, 2]);
        assert_eq!(f.read::<f64>("x").unwrap(), 1.5);
        assert_eq!(f.read::<Vec<bool>>("b").unwrap(), [true, false]);
        assert_eq!(f.read::<String>("s").unwrap(), "abc");
        assert_eq!(records::<Vec<f64>>(f, "t"), [1.0]);
    });
}

/// Unsigned and 64-bit leaves (not on netCDF-3): negative values never
/// fit an unsigned type, nor values past the signed range a signed one.
pub fn unsigned_casts(m: &dyn Maker) {
    let f = m.create();
    f.set("u", vec![0u8; 2]).unwrap();
    f.set("w", 0u32).unwrap();
    f.set("l", 0i64).unwrap();
    f.set("q", 0u64).unwrap();
    f.set("u", vec![3i64, 255]).unwrap();
    let e = f.set("u", vec![3i64, 256]).unwrap_err();
    assert_eq!(cast(&e), ("/u", "256", Some(&[1][..]), DType::U8));
    let e = f.set("w", -1i32).unwrap_err();
    assert_eq!(cast(&e), ("/w", "-1", None, DType::U32));
    let e = f.set("q", -1i8).unwrap_err();
    assert_eq!(cast(&e), ("/q", "-1", None, DType::U64));
    let e = f.set("l", u64::MAX).unwrap_err();
    assert_eq!(cast(&e), ("/l", "18446744073709551615", None, DType::I64));
    f.set("l", i64::MAX as u64).unwrap();
    f.set("q", 1e19).unwrap();
    let e = f.set("w", -0.5f32).unwrap_err();
    assert_eq!(cast(&e).1, "-0.5");
    f.set_recording(Recording::Uniform);
    f.set("r", Array1::<u16>::zeros(2)).unwrap();
    f.set("r", array![1i8, 2]).unwrap();
    let e = f.set("r", array![1i8, -2]).unwrap_err();
    assert_eq!(cast(&e), ("/r", "-2", Some(&[1][..]), DType::U16));
    stored(m, &f, |f| {
        assert_eq!(f.read::<Vec<u8>>("u").unwrap(), [3, 255]);
        assert_eq!(f.read::<u32>("w").unwrap(), 0);
        assert_eq!(f.read::<i64>("l").unwrap(), i64::MAX);
        assert_eq!(f.read::<u64>("q").unwrap(), 10_000_000_000_000_000_000);
        let r: ndarray::Array2<u16> = records(f, "r");
        assert_eq!(r, array![[0, 0], [1, 2]]);
    });
}
