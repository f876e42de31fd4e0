//! Complex numbers (`c8`, `c16`): leaves of every rank, partial reads and
//! writes, records with goto, attributes, casts, and values. A backend
//! that cannot hold complex refuses these cases with a clear error,
//! listed like netCDF-3's other refusals ([`crate::netcdf3`]).

use ndarray::{array, s, Array2, ArrayD};
use qnd::{Array, Complex32, Complex64, DType, Error, Recording, Value};

use crate::common::{stored, Maker};

fn c(re: f64, im: f64) -> Complex64 {
    Complex64::new(re, im)
}

fn c8(re: f32, im: f32) -> Complex32 {
    Complex32::new(re, im)
}

/// c8 and c16 scalars, 1-d and 2-d leaves, read back as complex, as
/// `Array`, `Value`, and as `Complex64` from `c8` (a widening); never as
/// a real number.
pub fn leaves(m: &dyn Maker) {
    let f = m.create();
    let m2 = Array2::from_shape_fn((2, 3), |(i, j)| c(i as f64, -(j as f64) - 0.5));
    f.set("s", c(1.0, -2.0)).unwrap();
    f.set("w", c8(1.5, 0.5)).unwrap();
    f.set(
        "v",
        vec![c(1.0, 2.0), c(3.0, -4.0), c(f64::MAX, f64::MIN_POSITIVE)],
    )
    .unwrap();
    f.set("m", m2.clone()).unwrap();
    f.set("v8", vec![c8(0.1, -0.2), c8(f32::MAX, 0.0)]).unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.read::<Complex64>("s").unwrap(), c(1.0, -2.0));
        assert_eq!(f.read::<Complex32>("w").unwrap(), c8(1.5, 0.5));
        assert_eq!(f.read::<Complex64>("w").unwrap(), c(1.5, 0.5), "c8 widens");
        assert_eq!(
            f.read::<Vec<Complex64>>("v").unwrap(),
            [c(1.0, 2.0), c(3.0, -4.0), c(f64::MAX, f64::MIN_POSITIVE)]
        );
        assert_eq!(f.read::<Array2<Complex64>>("m").unwrap(), m2);
        assert_eq!(
            f.read::<Array>("v8").unwrap(),
            Array::C8(array![c8(0.1, -0.2), c8(f32::MAX, 0.0)].into_dyn())
        );
        for (name, dtype, shape) in [
            ("s", DType::C16, vec![]),
            ("w", DType::C8, vec![]),
            ("v", DType::C16, vec![3]),
            ("m", DType::C16, vec![2, 3]),
            ("v8", DType::C8, vec![2]),
        ] {
            let l = f.leaf(name).unwrap();
            assert_eq!((l.dtype().unwrap(), l.shape().unwrap()), (dtype, shape));
        }
        // never cut to the real part
        expect_err!(f.read::<f64>("s"), Error::Mismatch { .. });
        expect_err!(f.read::<Vec<f64>>("v"), Error::Mismatch { .. });
        expect_err!(f.read::<Complex32>("s"), Error::Mismatch { .. });
    });
}

/// Partial reads and writes of complex leaves, and a declared complex
/// leaf reading as zeros.
pub fn partial(m: &dyn Maker) {
    let f = m.create();
    let m2 = Array2::from_shape_fn((3, 4), |(i, j)| c(i as f64, j as f64));
    f.set("m", m2.clone()).unwrap();
    f.declare("d", DType::C8, &[2, 2]).unwrap();
    f.write_part("m", s![1, 1..3], array![c(-1.0, -1.0), c(-2.0, -2.0)])
        .unwrap();
    f.write_part("m", s![2, 0], c(9.0, 9.5)).unwrap();
    f.write_part("d", s![0, ..], array![c8(1.0, 2.0), c8(3.0, 4.0)])
        .unwrap();
    let mut want = m2;
    want[[1, 1]] = c(-1.0, -1.0);
    want[[1, 2]] = c(-2.0, -2.0);
    want[[2, 0]] = c(9.0, 9.5);
    stored(m, &f, |f| {
        assert_eq!(f.read::<Array2<Complex64>>("m").unwrap(), want);
        assert_eq!(
            f.read_part::<Vec<Complex64>>("m", s![.., 2]).unwrap(),
            [c(0.0, 2.0), c(-2.0, -2.0), c(2.0, 2.0)]
        );
        assert_eq!(
            f.read::<Array2<Complex32>>("d").unwrap(),
            array![[c8(1.0, 2.0), c8(3.0, 4.0)], [c8(0.0, 0.0), c8(0.0, 0.0)]]
        );
    });
}

/// Records of complex scalars and arrays, read by goto and whole; goto
/// by nearest value refuses a complex variable (complex has no order).
pub fn records(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    for k in 0..4 {
        let x = k as f64;
        f.set("time", 0.5 * x).unwrap();
        f.set("z", c(x, -x)).unwrap();
        f.set("amp", array![c8(x as f32, 1.0), c8(-(x as f32), 0.0)])
            .unwrap();
    }
    f.set_recording(Recording::Off);
    stored(m, &f, |f| {
        f.goto(2);
        assert_eq!(f.read::<Complex64>("z").unwrap(), c(2.0, -2.0));
        assert_eq!(
            f.read::<Vec<Complex32>>("amp").unwrap(),
            [c8(2.0, 1.0), c8(-2.0, 0.0)]
        );
        assert_eq!(f.goto_nearest("time", 1.4).unwrap(), 3);
        assert_eq!(f.read::<Complex64>("z").unwrap(), c(3.0, -3.0));
        let e = expect_err!(f.goto_nearest("z", 1.0), Error::Invalid { .. });
        assert!(e.to_string().contains("complex"), "{e}");
        f.goto_off();
        let all: ArrayD<Complex32> = f.read("amp").unwrap();
        assert_eq!(all.shape(), &[4, 2]);
        assert_eq!(all[[3, 0]], c8(3.0, 1.0));
        assert_eq!(f.list("z").unwrap().len().unwrap(), 4);
    });
}

/// Attributes of complex type, scalar and 1-d.
pub fn attributes(m: &dyn Maker) {
    let f = m.create();
    f.set("x", vec![1.0, 2.0]).unwrap();
    let a = f.attrs("x").unwrap();
    a.set("gain", c(0.5, -0.25)).unwrap();
    a.set("poles", vec![c8(1.0, 1.0), c8(1.0, -1.0)]).unwrap();
    stored(m, &f, |f| {
        let a = f.attrs("x").unwrap();
        assert_eq!(a.read::<Complex64>("gain").unwrap(), Some(c(0.5, -0.25)));
        assert_eq!(
            a.get("poles").unwrap(),
            Some(Array::C8(array![c8(1.0, 1.0), c8(1.0, -1.0)].into_dyn()))
        );
    });
}

/// Casts on write: real values into complex leaves when exact, `c16`
/// into `c8` to the nearest; complex into a real leaf refused, saying
/// why, and nothing written.
pub fn casts(m: &dyn Maker) {
    let f = m.create();
    f.declare("z", DType::C16, &[3]).unwrap();
    f.declare("w", DType::C8, &[2]).unwrap();
    f.set("r", vec![1.0, 2.0]).unwrap();
    f.write_part("z", s![..], vec![1i32, -2, 3]).unwrap();
    f.write_part("w", s![..], vec![c(0.1, 0.2), c(-1.0, 1e30)])
        .unwrap();
    let e = expect_err!(f.write_part("w", s![0], 16_777_217i64), Error::Cast { .. });
    assert!(e.to_string().contains("16777217"), "{e}");
    let e = expect_err!(
        f.write_part("r", s![..], vec![c(1.0, 0.0), c(2.0, 0.0)]),
        Error::Mismatch { .. } | Error::Invalid { .. }
    );
    assert!(e.to_string().contains("c16"), "{e}");
    assert!(e.to_string().contains("imaginary part"), "{e}");
    stored(m, &f, |f| {
        assert_eq!(
            f.read::<Vec<Complex64>>("z").unwrap(),
            [c(1.0, 0.0), c(-2.0, 0.0), c(3.0, 0.0)]
        );
        assert_eq!(
            f.read::<Vec<Complex32>>("w").unwrap(),
            [c8(0.1, 0.2), c8(-1.0, 1e30)]
        );
        assert_eq!(
            f.read::<Vec<f64>>("r").unwrap(),
            [1.0, 2.0],
            "nothing written"
        );
    });
}

/// A tree holding complex values, whole, and its JSON (pairs).
pub fn values(m: &dyn Maker) {
    let f = m.create();
    f.set("z", vec![c(1.0, 2.0), c(f64::NAN, f64::INFINITY)])
        .unwrap();
    f.set("w", c8(1.5, 0.5)).unwrap();
    stored(m, &f, |f| {
        let v = f.to_value().unwrap();
        let Value::Group(g) = &v else {
            panic!("a group: {v:?}")
        };
        assert_eq!(g["w"], Value::from(c8(1.5, 0.5)));
        let j = qnd::to_json(&v);
        assert_eq!(
            j["z"],
            serde_json::json!({"dtype": "c16", "shape": [2], "data": [[1.0, 2.0], ["nan", "inf"]]})
        );
        assert_eq!(
            j["w"],
            serde_json::json!({"dtype": "c8", "shape": [], "data": [[1.5, 0.5]]})
        );
    });
}
