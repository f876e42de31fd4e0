//! Values: every dtype in every rank, text, empty arrays, None, and the
//! conversions a read makes (lossless widening only).

use indexmap::IndexMap;
use ndarray::{arr0, array, Array1, Array2, Array3, ArrayD, IxDyn};
use qnd::values::FromNumber;
use qnd::{Array, DType, Element, Error, FromValue, Item, Kind, Value};

use crate::common::{stored, Maker};

/// Distinct values of an element type, extremes included.
trait Sample: Element + FromNumber + FromValue {
    fn sample(k: usize) -> Self;
}

macro_rules! sample_ints {
    ($($t:ty),*) => {$(
        impl Sample for $t {
            fn sample(k: usize) -> Self {
                let few = [<$t>::MIN, <$t>::MAX, 0, 1, 42, <$t>::MAX / 3];
                few[k % few.len()].wrapping_add((k / few.len()) as $t)
            }
        }
    )*};
}
sample_ints!(i8, i16, i32, i64, u8, u16, u32, u64);

impl Sample for f32 {
    fn sample(k: usize) -> Self {
        let few = [0.0, -1.5, f32::MAX, f32::MIN_POSITIVE, 1e-30, 3.25, -7e20];
        few[k % few.len()] + (k / few.len()) as f32
    }
}

impl Sample for f64 {
    fn sample(k: usize) -> Self {
        let few = [0.0, -1.5, f64::MAX, f64::MIN_POSITIVE, 1e-300, 0.1, -7e200];
        few[k % few.len()] + (k / few.len()) as f64
    }
}

impl Sample for bool {
    fn sample(k: usize) -> Self {
        k % 3 != 1
    }
}

impl Sample for String {
    fn sample(k: usize) -> Self {
        let few = [
            "",
            "a",
            "héllo",
            "日本語のテキスト",
            "∑ x²",
            "plain text",
            "Ωmega",
        ];
        format!("{}{}", few[k % few.len()], "z".repeat(k / few.len()))
    }
}

/// A scalar, a 1-d, a 2-d and a 3-d leaf of `T`, read back in every form.
fn every_rank<T: Sample>(m: &dyn Maker) {
    let f = m.create();
    let scalar = T::sample(1);
    let v1: Vec<T> = (0..7).map(T::sample).collect();
    let a2 = Array2::from_shape_fn((2, 3), |(i, j)| T::sample(i * 3 + j + 2));
    let a3 = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| T::sample(i * 12 + j * 4 + k));
    f.set("s", Value::from(Array::scalar(scalar.clone())))
        .unwrap();
    f.set("v", v1.clone()).unwrap();
    f.set("m", a2.clone()).unwrap();
    f.set("c", a3.clone()).unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.read::<T>("s").unwrap(), scalar);
        assert_eq!(
            f.read::<ArrayD<T>>("s").unwrap(),
            arr0(scalar.clone()).into_dyn()
        );
        assert_eq!(f.read::<Vec<T>>("v").unwrap(), v1);
        assert_eq!(f.read::<Array1<T>>("v").unwrap(), Array1::from(v1.clone()));
        assert_eq!(f.read::<Array2<T>>("m").unwrap(), a2);
        assert_eq!(f.read::<ArrayD<T>>("m").unwrap(), a2.clone().into_dyn());
        assert_eq!(f.read::<Array3<T>>("c").unwrap(), a3);
        assert_eq!(f.read::<Value>("c").unwrap(), Value::from(a3.clone()));
        assert_eq!(
            f.read::<Array>("m").unwrap(),
            T::wrap(a2.clone().into_dyn())
        );
        for (name, shape) in [
            ("s", vec![]),
            ("v", vec![7]),
            ("m", vec![2, 3]),
            ("c", vec![2, 3, 4]),
        ] {
            let leaf = f.leaf(name).unwrap();
            assert_eq!(leaf.dtype().unwrap(), T::DTYPE, "dtype of {name}");
            assert_eq!(leaf.shape().unwrap(), shape, "shape of {name}");
            assert_eq!(f.kind(name).unwrap(), Kind::Leaf);
        }
    });
}

pub fn dtype_i8(m: &dyn Maker) {
    every_rank::<i8>(m);
}
pub fn dtype_i16(m: &dyn Maker) {
    every_rank::<i16>(m);
}
pub fn dtype_i32(m: &dyn Maker) {
    every_rank::<i32>(m);
}
pub fn dtype_i64(m: &dyn Maker) {
    every_rank::<i64>(m);
}
pub fn dtype_u8(m: &dyn Maker) {
    every_rank::<u8>(m);
}
pub fn dtype_u16(m: &dyn Maker) {
    every_rank::<u16>(m);
}
pub fn dtype_u32(m: &dyn Maker) {
    every_rank::<u32>(m);
}
pub fn dtype_u64(m: &dyn Maker) {
    every_rank::<u64>(m);
}
pub fn dtype_f32(m: &dyn Maker) {
    every_rank::<f32>(m);
}
pub fn dtype_f64(m: &dyn Maker) {
    every_rank::<f64>(m);
}
pub fn dtype_bool(m: &dyn Maker) {
    every_rank::<bool>(m);
}
pub fn dtype_text(m: &dyn Maker) {
    every_rank::<String>(m);
}

/// UTF-8 text of mixed lengths, as scalars and arrays, read as `String`,
/// `Vec<String>` and arrays.
pub fn text_utf8(m: &dyn Maker) {
    let f = m.create();
    f.set("ascii", "hello").unwrap();
    f.set("accents", "héllo wörld — ça va?").unwrap();
    f.set("cjk", String::from("漢字とかな")).unwrap();
    f.set("emoji", "🦀 + 🐍").unwrap();
    f.set("empty", "").unwrap();
    f.set("spaces", "  padded  ").unwrap();
    f.set("words", vec!["a", "", "ünïcödé", "a much longer string"])
        .unwrap();
    let grid = array![["α", "ββ", "γγγ"], ["", "d", "ε"]].mapv(String::from);
    f.set("grid", grid.clone()).unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.read::<String>("ascii").unwrap(), "hello");
        assert_eq!(f.read::<String>("accents").unwrap(), "héllo wörld — ça va?");
        assert_eq!(f.read::<String>("cjk").unwrap(), "漢字とかな");
        assert_eq!(f.read::<String>("emoji").unwrap(), "🦀 + 🐍");
        assert_eq!(f.read::<String>("empty").unwrap(), "");
        assert_eq!(f.read::<String>("spaces").unwrap(), "  padded  ");
        assert_eq!(
            f.read::<Vec<String>>("words").unwrap(),
            ["a", "", "ünïcödé", "a much longer string"]
        );
        assert_eq!(f.read::<Array2<String>>("grid").unwrap(), grid);
        assert_eq!(f.leaf("grid").unwrap().dtype().unwrap(), DType::Str);
        assert_eq!(
            f.leaf("emoji").unwrap().shape().unwrap(),
            Vec::<usize>::new()
        );
    });
}

/// Arrays with a zero-length axis keep their dtype and shape.
pub fn empty_arrays(m: &dyn Maker) {
    let f = m.create();
    let cases: Vec<(&str, Array)> = vec![
        ("f0", Array::zeros(DType::F64, &[0])),
        ("i20", Array::zeros(DType::I32, &[2, 0])),
        ("u03", Array::zeros(DType::U8, &[0, 3])),
        ("b0", Array::zeros(DType::Bool, &[0])),
        ("s0", Array::zeros(DType::Str, &[0])),
        ("s20", Array::zeros(DType::Str, &[2, 0])),
        ("i64_000", Array::zeros(DType::I64, &[0, 0, 0])),
    ];
    for (name, a) in &cases {
        f.set(name, a.clone()).unwrap();
    }
    f.set("vec", Vec::<f32>::new()).unwrap();
    stored(m, &f, |f| {
        for (name, a) in &cases {
            assert_eq!(
                f.read::<Value>(name).unwrap(),
                Value::from(a.clone()),
                "{name}"
            );
            let leaf = f.leaf(name).unwrap();
            assert_eq!(leaf.dtype().unwrap(), a.dtype(), "dtype of {name}");
            assert_eq!(leaf.shape().unwrap(), a.shape(), "shape of {name}");
            assert_eq!(leaf.size().unwrap(), 0, "size of {name}");
            assert_eq!(f.kind(name).unwrap(), Kind::Leaf, "kind of {name}");
        }
        assert_eq!(f.read::<Vec<f64>>("f0").unwrap(), Vec::<f64>::new());
        assert_eq!(f.read::<Array2<i32>>("i20").unwrap().dim(), (2, 0));
        assert_eq!(f.read::<Vec<f32>>("vec").unwrap(), Vec::<f32>::new());
        assert_eq!(f.read::<Vec<String>>("s0").unwrap(), Vec::<String>::new());
        let part: Array2<u8> = f.read_part("u03", ndarray::s![.., 1..]).unwrap();
        assert_eq!(part.dim(), (0, 2));
    });
}

/// None is its own kind, reads as None in every auto mode, and is
/// replaced only by None.
pub fn none_values(m: &dyn Maker) {
    let f = m.create();
    f.set("n", Value::None).unwrap();
    f.set("unit", ()).unwrap();
    f.set("opt", None::<f64>).unwrap();
    f.set("some", Some(2.5)).unwrap();
    stored(m, &f, |f| {
        for name in ["n", "unit", "opt"] {
            assert_eq!(f.kind(name).unwrap(), Kind::None, "{name}");
            assert_eq!(f.read::<Value>(name).unwrap(), Value::None);
            assert_eq!(f.read::<Option<f64>>(name).unwrap(), None);
            assert_eq!(f.read::<Option<String>>(name).unwrap(), None);
            for auto in [qnd::Auto::Off, qnd::Auto::Leaves, qnd::Auto::All] {
                let g = f.push();
                g.set_auto(auto);
                assert!(
                    matches!(g.get(name).unwrap(), Item::Value(Value::None, _)),
                    "{name} in auto {auto}"
                );
            }
            assert!(matches!(f.item(name).unwrap(), Item::Value(Value::None, _)));
        }
        assert_eq!(f.read::<Option<f64>>("some").unwrap(), Some(2.5));
        assert_eq!(f.kind("some").unwrap(), Kind::Leaf);
    });
    let f = crate::common::reopened(m, f, "r+");
    f.set("n", Value::None).unwrap();
    let e = expect_err!(f.set("n", 1.0), Error::Mismatch { .. });
    assert_eq!(crate::common::error_path(&e), Some("/n"));
    assert_eq!(f.read::<Value>("n").unwrap(), Value::None);
    assert!(f.read::<f64>("n").is_err());
}

/// Every type a read converts to.
pub fn read_conversions(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 2.5).unwrap();
    f.set("n", -7i32).unwrap();
    f.set("one", vec![4.5]).unwrap();
    f.set("v", vec![1i64, 2, 3]).unwrap();
    f.set("m", array![[1u16, 2], [3, 4], [5, 6]]).unwrap();
    f.set("t", "text").unwrap();
    f.set("b", true).unwrap();
    f.set("none", Value::None).unwrap();
    f.set("g", Value::group()).unwrap();
    f.set("g/y", 1u8).unwrap();
    f.set("l", Value::List(vec![Value::from(1i8), Value::None]))
        .unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.read::<f64>("x").unwrap(), 2.5);
        assert_eq!(f.read::<Option<f64>>("x").unwrap(), Some(2.5));
        assert_eq!(f.read::<i32>("n").unwrap(), -7);
        assert_eq!(f.read::<Vec<i32>>("n").unwrap(), [-7], "0-d as Vec");
        assert_eq!(
            f.read::<f64>("one").unwrap(),
            4.5,
            "one-element 1-d as scalar"
        );
        assert_eq!(f.read::<Vec<i64>>("v").unwrap(), [1, 2, 3]);
        assert_eq!(f.read::<Array1<i64>>("v").unwrap(), array![1, 2, 3]);
        assert_eq!(
            f.read::<ArrayD<i64>>("v").unwrap(),
            ArrayD::from_shape_vec(IxDyn(&[3]), vec![1, 2, 3]).unwrap()
        );
        assert_eq!(
            f.read::<Array2<u16>>("m").unwrap(),
            array![[1, 2], [3, 4], [5, 6]]
        );
        assert_eq!(f.read::<String>("t").unwrap(), "text");
        assert_eq!(
            f.read::<Option<String>>("t").unwrap().as_deref(),
            Some("text")
        );
        assert!(f.read::<bool>("b").unwrap());
        assert_eq!(f.read::<Vec<bool>>("b").unwrap(), [true]);
        assert_eq!(f.read::<Option<i32>>("none").unwrap(), None);
        assert_eq!(
            f.read::<Array>("v").unwrap(),
            Array::I64(array![1i64, 2, 3].into_dyn())
        );
        assert_eq!(
            f.read::<Value>("m").unwrap(),
            Value::from(array![[1u16, 2], [3, 4], [5, 6]])
        );
        let g: IndexMap<String, Value> = f.read("g").unwrap();
        assert_eq!(g.keys().collect::<Vec<_>>(), ["y"]);
        assert_eq!(g["y"], Value::from(1u8));
        let l: Vec<Value> = f.read("l").unwrap();
        assert_eq!(l, vec![Value::from(1i8), Value::None]);
    });
}

/// Conversions that do not fit are `Error::Mismatch` naming the item.
pub fn read_conversion_errors(m: &dyn Maker) {
    let f = m.create();
    f.set("m", array![[1.0, 2.0], [3.0, 4.0]]).unwrap();
    f.set("v", vec![1.0, 2.0]).unwrap();
    f.set("t", "text").unwrap();
    f.set("x", 1.0).unwrap();
    f.set("g", Value::group()).unwrap();
    stored(m, &f, |f| {
        let e = expect_err!(f.read::<Array1<f64>>("m"), Error::Mismatch { .. });
        assert_eq!(crate::common::error_path(&e), Some("/m"));
        expect_err!(f.read::<Vec<f64>>("m"), Error::Mismatch { .. });
        expect_err!(f.read::<f64>("v"), Error::Mismatch { .. });
        expect_err!(f.read::<Array2<f64>>("v"), Error::Mismatch { .. });
        expect_err!(f.read::<f64>("t"), Error::Mismatch { .. });
        expect_err!(f.read::<String>("x"), Error::Mismatch { .. });
        expect_err!(f.read::<Option<bool>>("x"), Error::Mismatch { .. });
        expect_err!(f.read::<f64>("g"), Error::Mismatch { .. });
        expect_err!(f.read::<Vec<Value>>("g"), Error::Mismatch { .. });
        expect_err!(
            f.read::<IndexMap<String, Value>>("x"),
            Error::Mismatch { .. }
        );
        // The leaves are intact.
        assert_eq!(f.read::<Vec<f64>>("v").unwrap(), [1.0, 2.0]);
    });
}

/// A read converts to a wider type when no value can change.
pub fn lossless_widening_on_read(m: &dyn Maker) {
    let f = m.create();
    f.set("i8", -100i8).unwrap();
    f.set("u8", 250u8).unwrap();
    f.set("i16", -30000i16).unwrap();
    f.set("u16", 65000u16).unwrap();
    f.set("i32", i32::MIN).unwrap();
    f.set("u32", u32::MAX).unwrap();
    f.set("f32", 1.25f32).unwrap();
    f.set("m", array![[1i32, -2], [3, 4]]).unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.read::<i16>("i8").unwrap(), -100);
        assert_eq!(f.read::<i64>("i8").unwrap(), -100);
        assert_eq!(f.read::<f32>("i8").unwrap(), -100.0);
        assert_eq!(f.read::<u16>("u8").unwrap(), 250);
        assert_eq!(f.read::<i16>("u8").unwrap(), 250);
        assert_eq!(f.read::<u64>("u8").unwrap(), 250);
        assert_eq!(f.read::<f32>("u8").unwrap(), 250.0);
        assert_eq!(f.read::<i32>("i16").unwrap(), -30000);
        assert_eq!(f.read::<f64>("i16").unwrap(), -30000.0);
        assert_eq!(f.read::<i32>("u16").unwrap(), 65000);
        assert_eq!(f.read::<u32>("u16").unwrap(), 65000);
        assert_eq!(f.read::<f64>("i32").unwrap(), f64::from(i32::MIN));
        assert_eq!(f.read::<i64>("i32").unwrap(), i64::from(i32::MIN));
        assert_eq!(f.read::<i64>("u32").unwrap(), i64::from(u32::MAX));
        assert_eq!(f.read::<u64>("u32").unwrap(), u64::from(u32::MAX));
        assert_eq!(f.read::<f64>("u32").unwrap(), f64::from(u32::MAX));
        assert_eq!(f.read::<f64>("f32").unwrap(), 1.25);
        assert_eq!(
            f.read::<Array2<f64>>("m").unwrap(),
            array![[1.0, -2.0], [3.0, 4.0]]
        );
        assert_eq!(f.read::<Vec<i64>>("u8").unwrap(), [250]);
    });
}

/// A read never narrows: `Error::Mismatch` naming the item, what was
/// expected and what was found.
pub fn narrowing_refused_on_read(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 2.0).unwrap();
    f.set("i64", 5i64).unwrap();
    f.set("u8", 5u8).unwrap();
    f.set("i32", 5i32).unwrap();
    f.set("u64", 5u64).unwrap();
    f.set("b", true).unwrap();
    f.set("v", vec![1.0, 2.0]).unwrap();
    stored(m, &f, |f| {
        let e = expect_err!(f.read::<i32>("x"), Error::Mismatch { .. });
        let (path, expected, got) = crate::common::mismatch(&e);
        assert_eq!(path, "/x");
        assert!(expected.contains("i4"), "expected: {expected}");
        assert!(got.contains("f8"), "got: {got}");
        crate::common::assert_names(&e, &f.file_path(), "/x");
        expect_err!(f.read::<f32>("x"), Error::Mismatch { .. });
        expect_err!(f.read::<Vec<i32>>("v"), Error::Mismatch { .. });
        expect_err!(f.read::<f64>("i64"), Error::Mismatch { .. });
        expect_err!(f.read::<i8>("u8"), Error::Mismatch { .. });
        expect_err!(f.read::<i16>("i32"), Error::Mismatch { .. });
        expect_err!(f.read::<f32>("i32"), Error::Mismatch { .. });
        expect_err!(f.read::<i64>("u64"), Error::Mismatch { .. });
        expect_err!(f.read::<u32>("i32"), Error::Mismatch { .. });
        expect_err!(f.read::<i8>("b"), Error::Mismatch { .. });
        expect_err!(f.read::<bool>("u8"), Error::Mismatch { .. });
        assert_eq!(f.read::<f64>("x").unwrap(), 2.0);
    });
}

/// Overwriting a leaf accepts a value that widens to its dtype and keeps
/// the dtype; a narrower value that does not fit is refused and nothing is
/// written (more in casts.rs).
pub fn widening_on_write(m: &dyn Maker) {
    let f = m.create();
    f.set("x", vec![0.5, 1.5]).unwrap();
    f.set("n", vec![1i32, 2]).unwrap();
    f.set("w", 0i64).unwrap();
    f.set("x", vec![3i32, -4]).unwrap();
    f.set("w", u32::MAX).unwrap();
    let e = expect_err!(f.set("n", vec![1.5, 2.5]), Error::Cast { .. });
    assert_eq!(crate::common::error_path(&e), Some("/n"));
    expect_err!(f.set("n", vec![1i64, 1 << 40]), Error::Cast { .. });
    expect_err!(f.set("n", vec!["a", "b"]), Error::Mismatch { .. });
    stored(m, &f, |f| {
        assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [3.0, -4.0]);
        assert_eq!(f.leaf("x").unwrap().dtype().unwrap(), DType::F64);
        assert_eq!(f.read::<i64>("w").unwrap(), i64::from(u32::MAX));
        assert_eq!(f.leaf("w").unwrap().dtype().unwrap(), DType::I64);
        assert_eq!(f.read::<Vec<i32>>("n").unwrap(), [1, 2]);
        assert_eq!(f.leaf("n").unwrap().dtype().unwrap(), DType::I32);
    });
}

/// NaN, infinities, -0.0, subnormals and extremes come back bit for bit.
pub fn special_floats(m: &dyn Maker) {
    let f = m.create();
    let d = vec![
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        f64::MIN_POSITIVE / 4.0,
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
    ];
    let s = vec![
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        -0.0f32,
        f32::MIN_POSITIVE / 4.0,
        f32::MAX,
    ];
    f.set("d", d.clone()).unwrap();
    f.set("s", s.clone()).unwrap();
    f.set("nan", f64::NAN).unwrap();
    stored(m, &f, |f| {
        let got: Vec<f64> = f.read("d").unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&d), "{got:?}");
        let got: Vec<f32> = f.read("s").unwrap();
        let bits32 = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits32(&got), bits32(&s), "{got:?}");
        assert!(f.read::<f64>("nan").unwrap().is_nan());
    });
}
