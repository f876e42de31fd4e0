//! Attributes of the root, subgroups, leaves, record variables and lists;
//! pseudo-attributes; reserved names.

use ndarray::{array, ArrayD, IxDyn};
use qnd::{Array, DType, Error, QAttrs, Recording, Value};

use crate::common::{reopened, stored, Maker};

fn sorted_names(a: &QAttrs) -> Vec<String> {
    let mut n = a.names().unwrap();
    n.sort();
    n
}

fn sorted_items(a: &QAttrs) -> Vec<(String, Array)> {
    let mut items = a.items().unwrap();
    items.sort_by(|x, y| x.0.cmp(&y.0));
    items
}

pub fn root_attributes(m: &dyn Maker) {
    let f = m.create();
    let a = f.attrs("").unwrap();
    assert!(a.names().unwrap().is_empty());
    a.set("version", 3i32).unwrap();
    a.set("title", "run é").unwrap();
    a.set("scale", vec![1.0, 2.0]).unwrap();
    f.set("x", 1.0).unwrap();
    stored(m, &f, |f| {
        let a = f.attrs("").unwrap();
        assert_eq!(sorted_names(&a), ["scale", "title", "version"]);
        assert!(a.contains("version").unwrap());
        assert!(!a.contains("nope").unwrap());
        assert_eq!(a.read::<i32>("version").unwrap(), Some(3));
        assert_eq!(a.read::<i64>("version").unwrap(), Some(3), "widening");
        assert_eq!(a.read::<String>("title").unwrap().as_deref(), Some("run é"));
        assert_eq!(a.read::<Vec<f64>>("scale").unwrap(), Some(vec![1.0, 2.0]));
        assert_eq!(a.get("nope").unwrap(), None);
        assert_eq!(a.read::<f64>("nope").unwrap(), None);
        assert_eq!(
            sorted_items(&a),
            [
                ("scale".to_string(), Array::F64(array![1.0, 2.0].into_dyn())),
                ("title".to_string(), Array::scalar("run é".to_string())),
                ("version".to_string(), Array::scalar(3i32)),
            ]
        );
        assert_eq!(f.names().unwrap(), ["x"], "attributes are not members");
        assert!(f.attrs("x").unwrap().names().unwrap().is_empty());
    });
}

pub fn subgroup_attributes(m: &dyn Maker) {
    let f = m.create();
    f.set("g", Value::group()).unwrap();
    f.set("g/h", Value::group()).unwrap();
    f.attrs("g").unwrap().set("a", 1i64).unwrap();
    let g = f.group("g").unwrap();
    g.attrs("").unwrap().set("b", "bee").unwrap();
    g.attrs("h").unwrap().set("c", vec![1u8, 2]).unwrap();
    f.attrs("/g/h").unwrap().set("d", true).unwrap();
    stored(m, &f, |f| {
        let ga = f.attrs("g").unwrap();
        assert_eq!(sorted_names(&ga), ["a", "b"]);
        assert_eq!(ga.read::<i64>("a").unwrap(), Some(1));
        let g = f.group("g").unwrap();
        assert_eq!(
            g.attrs("").unwrap().read::<String>("b").unwrap().as_deref(),
            Some("bee")
        );
        let ha = f.attrs("g/h").unwrap();
        assert_eq!(sorted_names(&ha), ["c", "d"]);
        assert_eq!(ha.read::<Vec<u8>>("c").unwrap(), Some(vec![1, 2]));
        assert_eq!(ha.read::<bool>("d").unwrap(), Some(true));
        assert!(f.attrs("").unwrap().names().unwrap().is_empty());
        assert_eq!(g.names().unwrap(), ["h"]);
    });
}

pub fn leaf_attributes(m: &dyn Maker) {
    let f = m.create();
    f.set("x", vec![1.0, 2.0, 3.0]).unwrap();
    f.set("g", Value::group()).unwrap();
    f.set("g/y", 1i32).unwrap();
    f.attrs("x").unwrap().set("units", "cm").unwrap();
    f.leaf("x")
        .unwrap()
        .attrs()
        .set("valid", array![0.0, 10.0])
        .unwrap();
    f.attrs("g/y").unwrap().set("n", 5u32).unwrap();
    stored(m, &f, |f| {
        let a = f.attrs("x").unwrap();
        assert_eq!(sorted_names(&a), ["units", "valid"]);
        assert_eq!(a.read::<String>("units").unwrap().as_deref(), Some("cm"));
        let b = f.leaf("x").unwrap().attrs();
        assert_eq!(b.read::<Vec<f64>>("valid").unwrap(), Some(vec![0.0, 10.0]));
        assert_eq!(
            f.group("g")
                .unwrap()
                .attrs("y")
                .unwrap()
                .read::<u32>("n")
                .unwrap(),
            Some(5)
        );
        assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [1.0, 2.0, 3.0]);
    });
}

pub fn record_variable_attributes(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    f.set("t", 0.0).unwrap();
    f.set("t", 1.0).unwrap();
    f.attrs("t").unwrap().set("units", "s").unwrap();
    f.list("t").unwrap().attrs().set("step", 0.5).unwrap();
    f.set("t", 2.0).unwrap();
    f.set("t", 3.0).unwrap();
    let f = reopened(m, f, "r+");
    f.set_recording(Recording::Uniform);
    f.set("t", 4.0).unwrap();
    stored(m, &f, |f| {
        let a = f.attrs("t").unwrap();
        assert_eq!(sorted_names(&a), ["step", "units"]);
        assert_eq!(a.read::<String>("units").unwrap().as_deref(), Some("s"));
        assert_eq!(
            f.list("t").unwrap().attrs().read::<f64>("step").unwrap(),
            Some(0.5)
        );
        f.goto(1);
        let r = f.leaf("t").unwrap().attrs();
        assert_eq!(r.read::<String>("units").unwrap().as_deref(), Some("s"));
        assert_eq!(f.list("t").unwrap().len().unwrap(), 5);
        assert_eq!(a.read::<String>("dtype").unwrap().as_deref(), Some("f8"));
    });
}

pub fn list_attributes(m: &dyn Maker) {
    let f = m.create();
    let l = f.create_list("l").unwrap();
    l.append(1.0).unwrap();
    f.attrs("l").unwrap().set("kind", "parts").unwrap();
    l.attrs().set("count", 2i32).unwrap();
    l.append("two").unwrap();
    f.set_recording(Recording::Any);
    f.set("r", 1.0).unwrap();
    f.attrs("r").unwrap().set("units", "m").unwrap();
    f.set("r", vec![1.0, 2.0]).unwrap();
    stored(m, &f, |f| {
        let l = f.list("l").unwrap();
        assert_eq!(l.len().unwrap(), 2, "attributes are not elements");
        assert_eq!(sorted_names(&l.attrs()), ["count", "kind"]);
        assert_eq!(
            l.attrs().read::<String>("kind").unwrap().as_deref(),
            Some("parts")
        );
        assert_eq!(f.attrs("l").unwrap().read::<i32>("count").unwrap(), Some(2));
        assert_eq!(
            f.attrs("r")
                .unwrap()
                .read::<String>("units")
                .unwrap()
                .as_deref(),
            Some("m")
        );
        assert_eq!(f.list("r").unwrap().len().unwrap(), 2);
        assert_eq!(f.kind("l").unwrap(), qnd::Kind::List);
    });
}

/// Attribute values of every dtype, scalar and 1-d.
pub fn every_dtype(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 0u8).unwrap();
    let a = f.attrs("x").unwrap();
    let values: Vec<(String, Array)> = vec![
        ("i1".into(), Array::scalar(-5i8)),
        ("i2".into(), Array::scalar(-300i16)),
        ("i4".into(), Array::scalar(-70000i32)),
        ("i8".into(), Array::scalar(i64::MIN)),
        ("u1".into(), Array::scalar(200u8)),
        ("u2".into(), Array::scalar(60000u16)),
        ("u4".into(), Array::scalar(u32::MAX)),
        ("u8".into(), Array::scalar(u64::MAX)),
        ("f4".into(), Array::scalar(1.5f32)),
        ("f8".into(), Array::scalar(-2.25f64)),
        ("b1".into(), Array::scalar(true)),
        ("str".into(), Array::scalar("ünïcode".to_string())),
        ("vi4".into(), Array::I32(array![1, -2, 3].into_dyn())),
        ("vu8".into(), Array::U64(array![0, u64::MAX].into_dyn())),
        ("vf4".into(), Array::F32(array![0.5f32, -0.5].into_dyn())),
        ("vb1".into(), Array::Bool(array![true, false].into_dyn())),
        (
            "vstr".into(),
            Array::Str(array!["a".to_string(), "bcd".to_string(), "é".to_string()].into_dyn()),
        ),
        (
            "m".into(),
            Array::F64(ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1.0, 2.0, 3.0, 4.0]).unwrap()),
        ),
    ];
    let mut values = values;
    if m.name().starts_with("netcdf") {
        // netCDF attributes are 1-d by the format: a 2-d one is refused
        let (n, v) = values.pop().unwrap();
        let e = a.set(&n, v).unwrap_err();
        assert!(e.to_string().contains("1-d"), "{e}");
    }
    for (n, v) in &values {
        a.set(n, v.clone())
            .unwrap_or_else(|e| panic!("attribute {n}: {e}"));
    }
    stored(m, &f, |f| {
        let a = f.attrs("x").unwrap();
        for (n, v) in &values {
            assert_eq!(a.get(n).unwrap().as_ref(), Some(v), "attribute {n}");
        }
        let mut want: Vec<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
        want.sort();
        assert_eq!(sorted_names(&a), want);
    });
}

pub fn pseudo_attributes(m: &dyn Maker) {
    let f = m.create();
    f.set("m", ndarray::Array2::<f32>::zeros((2, 3))).unwrap();
    f.set("s", 1i16).unwrap();
    f.set("t", "text").unwrap();
    f.set("g", Value::group()).unwrap();
    f.create_list("l").unwrap();
    stored(m, &f, |f| {
        let a = f.attrs("m").unwrap();
        assert_eq!(a.read::<String>("dtype").unwrap().as_deref(), Some("f4"));
        assert_eq!(a.read::<Vec<i64>>("shape").unwrap(), Some(vec![2, 3]));
        assert_eq!(a.read::<i64>("size").unwrap(), Some(6));
        assert_eq!(a.read::<i64>("ndim").unwrap(), Some(2));
        assert_eq!(
            a.get("sshape").unwrap().map(|s| s.shape().to_vec()),
            Some(vec![2])
        );
        assert!(
            a.names().unwrap().is_empty(),
            "pseudo-attributes are not stored"
        );
        assert!(!a.contains("dtype").unwrap());
        let s = f.attrs("s").unwrap();
        assert_eq!(s.read::<String>("dtype").unwrap().as_deref(), Some("i2"));
        assert_eq!(s.read::<Vec<i64>>("shape").unwrap(), Some(vec![]));
        assert_eq!(s.read::<i64>("size").unwrap(), Some(1));
        assert_eq!(s.read::<i64>("ndim").unwrap(), Some(0));
        let t = f.attrs("t").unwrap();
        assert_eq!(t.read::<String>("dtype").unwrap().as_deref(), Some("str"));
        let g = f.attrs("g").unwrap();
        assert_eq!(g.read::<String>("dtype").unwrap().as_deref(), Some("dict"));
        assert_eq!(g.get("shape").unwrap(), None);
        let l = f.attrs("l").unwrap();
        assert_eq!(l.read::<String>("dtype").unwrap().as_deref(), Some("list"));
        assert_eq!(l.get("size").unwrap(), None);
        let root = f.attrs("").unwrap();
        assert_eq!(
            root.read::<String>("dtype").unwrap().as_deref(),
            Some("dict")
        );
        assert_eq!(
            f.leaf("m").unwrap().attrs().read::<i64>("ndim").unwrap(),
            Some(2)
        );
    });
}

pub fn reserved_names_refused(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 1.0).unwrap();
    let file = f.file_path();
    for a in [f.attrs("").unwrap(), f.attrs("x").unwrap()] {
        for name in [
            "__x",
            "__none__",
            "__shape__",
            "__class__",
            "dtype",
            "shape",
            "size",
            "ndim",
            "sshape",
            "",
        ] {
            let e = expect_err!(a.set(name, 1i32), Error::Invalid { .. });
            assert!(e.to_string().contains(&file.display().to_string()), "{e}");
        }
        expect_err!(a.set("ok", Value::group()), Error::Invalid { .. });
        expect_err!(a.set("ok", Value::None), Error::Invalid { .. });
        expect_err!(a.set("ok", Value::list()), Error::Invalid { .. });
        assert!(a.names().unwrap().is_empty());
        a.set("_single", 1i32).unwrap();
    }
    let e = expect_err!(
        f.attrs("x").unwrap().set("__x", 1i32),
        Error::Invalid { .. }
    );
    assert_eq!(crate::common::error_path(&e), Some("/x"));
    stored(m, &f, |f| {
        assert_eq!(f.attrs("x").unwrap().names().unwrap(), ["_single"]);
        assert_eq!(f.attrs("").unwrap().names().unwrap(), ["_single"]);
        assert_eq!(f.read::<f64>("x").unwrap(), 1.0);
    });
}

pub fn replace_attribute(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 1.0).unwrap();
    let a = f.attrs("x").unwrap();
    a.set("a", 1i32).unwrap();
    a.set("a", "now text").unwrap();
    a.set("b", 1.0).unwrap();
    a.set("b", 2.0).unwrap();
    let f = reopened(m, f, "r+");
    let a = f.attrs("x").unwrap();
    a.set("a", vec![1.0, 2.0, 3.0]).unwrap();
    stored(m, &f, |f| {
        let a = f.attrs("x").unwrap();
        assert_eq!(sorted_names(&a), ["a", "b"]);
        assert_eq!(a.read::<Vec<f64>>("a").unwrap(), Some(vec![1.0, 2.0, 3.0]));
        assert_eq!(a.read::<f64>("b").unwrap(), Some(2.0));
    });
}

/// The attributes the conventions use (`__none__`, `__shape__`, ...) are
/// not shown; user attributes on such items work.
pub fn conventions_hidden(m: &dyn Maker) {
    let f = m.create();
    f.set("nothing", Value::None).unwrap();
    f.set("empty", Array::zeros(DType::F64, &[0])).unwrap();
    f.set("empty2", Array::zeros(DType::I32, &[2, 0])).unwrap();
    f.create_list("l").unwrap().append(Value::None).unwrap();
    f.set_recording(Recording::Uniform);
    f.set("t", 1.0).unwrap();
    f.set_recording(Recording::Off);
    f.attrs("empty2").unwrap().set("note", "kept").unwrap();
    stored(m, &f, |f| {
        for name in ["nothing", "empty", "l", "t"] {
            assert!(
                f.attrs(name).unwrap().names().unwrap().is_empty(),
                "{name}: {:?}",
                f.attrs(name).unwrap().names()
            );
            assert!(f.attrs(name).unwrap().items().unwrap().is_empty());
        }
        assert_eq!(f.attrs("empty2").unwrap().names().unwrap(), ["note"]);
        assert_eq!(f.leaf("empty2").unwrap().shape().unwrap(), [2, 0]);
        assert!(f.list("l").unwrap().attrs().names().unwrap().is_empty());
        assert_eq!(f.list("l").unwrap().len().unwrap(), 1);
    });
}

pub fn attribute_errors(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 1.0).unwrap();
    f.attrs("x").unwrap().set("title", "t").unwrap();
    let e = expect_err!(f.attrs("missing"), Error::NoItem { .. });
    assert_eq!(crate::common::error_path(&e), Some("/missing"));
    expect_err!(f.attrs("nog/x"), Error::NoItem { .. });
    let e = expect_err!(
        f.attrs("x").unwrap().read::<f64>("title"),
        Error::Mismatch { .. }
    );
    assert!(e.to_string().contains("/x"), "{e}");
    expect_err!(
        f.attrs("x").unwrap().read::<f64>("dtype"),
        Error::Mismatch { .. }
    );
    if let Some(r) = m.reopen(&f, "r") {
        let a = r.attrs("x").unwrap();
        let e = expect_err!(a.set("more", 1i32), Error::ReadOnly { .. });
        assert_eq!(crate::common::error_path(&e), Some("/x"));
        expect_err!(
            r.attrs("").unwrap().set("more", 1i32),
            Error::ReadOnly { .. }
        );
        assert_eq!(a.names().unwrap(), ["title"]);
        assert_eq!(a.read::<String>("title").unwrap().as_deref(), Some("t"));
    }
}
