//! Groups: get/set by name and path, order, update, subgroups, declare.

use indexmap::IndexMap;
use ndarray::{array, s, Array2};
use qnd::{DType, Error, Item, Kind, Value};

use crate::common::{assert_same_tree, error_path, group, reopened, stored, tree, value, Maker};

pub fn get_set_by_name(m: &dyn Maker) {
    let f = m.create();
    assert_eq!(f.len().unwrap(), 0);
    assert!(f.is_empty().unwrap());
    assert!(!f.contains("x").unwrap());
    f.set("x", 1.5).unwrap();
    f.set("y", vec![1i32, 2, 3]).unwrap();
    f.set("name", "run").unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.len().unwrap(), 3);
        assert!(!f.is_empty().unwrap());
        assert!(f.contains("x").unwrap());
        assert!(f.contains("name").unwrap());
        assert!(!f.contains("z").unwrap());
        assert!(!f.contains("X").unwrap(), "names are case sensitive");
        assert_eq!(value(f.get("x").unwrap()), Value::from(1.5));
        assert_eq!(value(f.get("y").unwrap()), Value::from(vec![1i32, 2, 3]));
        assert_eq!(f.read::<String>("name").unwrap(), "run");
        assert_eq!(f.kind("x").unwrap(), Kind::Leaf);
    });
}

pub fn names_in_insertion_order(m: &dyn Maker) {
    let f = m.create();
    let mut expected: Vec<String> = ["zeta", "alpha", "m10", "m9", "B", "a"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for (i, name) in expected.iter().enumerate() {
        f.set(name, i as i64).unwrap();
    }
    for i in 0..40 {
        let name = format!("v{}", 39 - i);
        f.set(&name, i as i64).unwrap();
        expected.push(name);
    }
    let g = f.create_group("g").unwrap();
    g.update([("y", 1.0), ("x", 2.0), ("w10", 3.0), ("w2", 4.0)])
        .unwrap();
    expected.push("g".into());
    stored(m, &f, |f| {
        assert_eq!(f.names().unwrap(), expected);
        assert_eq!(f.len().unwrap(), expected.len());
        let g = f.group("g").unwrap();
        assert_eq!(g.names().unwrap(), ["y", "x", "w10", "w2"]);
        let Value::Group(all) = f.to_value().unwrap() else {
            panic!("to_value of a group is a group")
        };
        assert_eq!(all.keys().cloned().collect::<Vec<_>>(), expected);
    });
}

pub fn items_in_order(m: &dyn Maker) {
    let f = m.create();
    f.set("b", 2i64).unwrap();
    f.set("a", "one").unwrap();
    f.set("g", Value::group()).unwrap();
    f.set("n", Value::None).unwrap();
    stored(m, &f, |f| {
        let items: Vec<(String, Item)> = f.items().unwrap().map(Result::unwrap).collect();
        let names: Vec<&str> = items.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["b", "a", "g", "n"]);
        let mut it = items.into_iter().map(|(_, i)| i);
        assert_eq!(value(it.next().unwrap()), Value::from(2i64));
        assert_eq!(value(it.next().unwrap()), Value::from("one"));
        assert_eq!(group(it.next().unwrap()).path(), "/g");
        assert_eq!(value(it.next().unwrap()), Value::None);
    });
}

pub fn update_many(m: &dyn Maker) {
    let f = m.create();
    f.update((0..150).map(|i| (format!("v{i}"), Value::from(i as i64 * 3))))
        .unwrap();
    f.update([("a", 1.0), ("b", 2.0)]).unwrap();
    let mut map = IndexMap::new();
    map.insert("t".to_string(), Value::from("x"));
    map.insert("l".to_string(), Value::List(vec![Value::from(1u8)]));
    f.update(map).unwrap();
    // update overwrites existing leaves too
    f.update(vec![("a".to_string(), Value::from(10.0))])
        .unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.len().unwrap(), 154);
        for i in [0, 1, 77, 149] {
            assert_eq!(f.read::<i64>(&format!("v{i}")).unwrap(), i * 3);
        }
        assert_eq!(f.read::<f64>("a").unwrap(), 10.0);
        assert_eq!(f.read::<f64>("b").unwrap(), 2.0);
        assert_eq!(f.read::<String>("t").unwrap(), "x");
        assert_eq!(f.kind("l").unwrap(), Kind::List);
        let names = f.names().unwrap();
        assert_eq!(names[..3], ["v0", "v1", "v2"]);
        assert_eq!(names[150..], ["a", "b", "t", "l"]);
    });
}

pub fn get_or_default(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 1.0).unwrap();
    f.set("g", Value::group()).unwrap();
    f.set("n", Value::None).unwrap();
    stored(m, &f, |f| {
        // the typed form: the member read as T, or the default
        assert_eq!(f.get_or("x", 5.0).unwrap(), 1.0);
        assert_eq!(f.get_or("y", 5.0).unwrap(), 5.0);
        assert_eq!(f.get_or("y", Value::None).unwrap(), Value::None);
        assert_eq!(f.get_or("g/y", String::from("d")).unwrap(), "d");
        assert_eq!(f.get_or("nog/y", 3i32).unwrap(), 3);
        assert_eq!(f.get_or("x", Value::None).unwrap(), Value::from(1.0));
        assert_eq!(f.get_or::<Option<f64>>("n", Some(2.0)).unwrap(), None);
        // a member of another type is an error naming it, not the default
        let e = expect_err!(f.get_or("x", String::new()), Error::Mismatch { .. });
        assert_eq!(error_path(&e), Some("/x"), "{e}");
        let e = expect_err!(f.get_or("g", 0.0), Error::Mismatch { .. });
        assert_eq!(error_path(&e), Some("/g"), "{e}");
        expect_err!(f.get_or("n", 0.0), Error::Mismatch { .. });
        // a path through a leaf is no missing member
        assert!(f.get_or("x/y", 0.0).is_err());
        // the Item form
        assert_eq!(value(f.get_item_or("x", 5.0).unwrap()), Value::from(1.0));
        assert_eq!(value(f.get_item_or("y", 5.0).unwrap()), Value::from(5.0));
        assert_eq!(value(f.get_item_or("g/y", "d").unwrap()), Value::from("d"));
        assert_eq!(group(f.get_item_or("g", 0.0).unwrap()).path(), "/g");
        let e = f
            .get_item_or("y", 5.0)
            .unwrap()
            .read::<String>()
            .unwrap_err();
        assert_eq!(error_path(&e), Some("/y"), "{e}");
        assert!(!f.contains("y").unwrap(), "get_or does not create");
    });
}

pub fn paths(m: &dyn Maker) {
    let f = m.create();
    f.set("g", Value::group()).unwrap();
    f.set("g/x", 1.0).unwrap();
    f.set("/g/y", 2.0).unwrap();
    f.set("g/h", Value::group()).unwrap();
    f.set("/g/h/z", vec![3i8]).unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.read::<f64>("g/x").unwrap(), 1.0);
        assert_eq!(f.read::<f64>("/g/x").unwrap(), 1.0);
        assert_eq!(f.read::<f64>("g/y").unwrap(), 2.0);
        assert_eq!(f.read::<Vec<i8>>("g/h/z").unwrap(), [3]);
        assert_eq!(f.read::<Vec<i8>>("/g/h/z").unwrap(), [3]);
        assert_eq!(value(f.get("/g/x").unwrap()), Value::from(1.0));
        assert_eq!(f.kind("g/h").unwrap(), Kind::Group);
        assert_eq!(group(f.get("g/h").unwrap()).path(), "/g/h");
        assert_eq!(f.group("/g/h").unwrap().path(), "/g/h");
        assert_eq!(f.leaf("g/h/z").unwrap().path(), "/g/h/z");
        let g = f.group("g").unwrap();
        assert_eq!(g.names().unwrap(), ["x", "y", "h"]);
        assert_eq!(f.names().unwrap(), ["g"]);
    });
}

pub fn paths_from_subgroup(m: &dyn Maker) {
    let f = m.create();
    f.set("top", 7i32).unwrap();
    f.set("g", Value::group()).unwrap();
    f.set("g/h", Value::group()).unwrap();
    let g = f.group("g").unwrap();
    g.set("x", 1.0).unwrap();
    g.set("h/y", 2.0).unwrap();
    g.set("/g/z", 3.0).unwrap();
    g.set("/new", 4.0).unwrap();
    assert_eq!(g.read::<i32>("/top").unwrap(), 7);
    assert!(g.contains("/top").unwrap());
    assert!(!g.contains("top").unwrap());
    drop(g);
    stored(m, &f, |f| {
        let g = f.group("g").unwrap();
        assert_eq!(g.path(), "/g");
        assert_eq!(g.read::<f64>("x").unwrap(), 1.0);
        assert_eq!(g.read::<f64>("h/y").unwrap(), 2.0);
        assert_eq!(g.read::<f64>("/g/h/y").unwrap(), 2.0);
        assert_eq!(g.read::<i32>("/top").unwrap(), 7);
        assert_eq!(f.read::<f64>("g/z").unwrap(), 3.0);
        assert_eq!(f.read::<f64>("new").unwrap(), 4.0);
        assert_eq!(g.names().unwrap(), ["h", "x", "z"]);
        let h = g.group("h").unwrap();
        assert_eq!(h.path(), "/g/h");
        assert_eq!(h.read::<f64>("/g/x").unwrap(), 1.0);
        assert_eq!(f.names().unwrap(), ["top", "g", "new"]);
    });
}

pub fn contains_paths(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 1.0).unwrap();
    f.set("g", Value::group()).unwrap();
    f.set("g/y", 1.0).unwrap();
    stored(m, &f, |f| {
        assert!(f.contains("g/y").unwrap());
        assert!(f.contains("/g/y").unwrap());
        assert!(f.contains("g").unwrap());
        assert!(!f.contains("g/x").unwrap());
        assert!(!f.contains("nog/y").unwrap(), "missing intermediate group");
        assert!(
            !f.contains("x/y").unwrap(),
            "a path through a leaf names nothing (and the file reads fine)"
        );
    });
}

pub fn subgroups_from_values(m: &dyn Maker) {
    let f = m.create();
    f.set("g", Value::group()).unwrap();
    assert_eq!(f.kind("g").unwrap(), Kind::Group);
    let g = f.group("g").unwrap();
    assert!(g.is_empty().unwrap());
    g.update([("a", 1i64), ("b", 2i64)]).unwrap();
    let h = f.create_group("h").unwrap();
    h.set("c", "three").unwrap();
    // Setting an existing group to an empty group does nothing.
    f.set("g", Value::group()).unwrap();
    stored(m, &f, |f| {
        assert_same_tree(
            &f.to_value().unwrap(),
            &tree([
                ("g", tree([("a", 1i64), ("b", 2i64)])),
                ("h", tree([("c", "three")])),
            ]),
        );
        assert_eq!(f.group("h").unwrap().read::<String>("c").unwrap(), "three");
    });
}

pub fn nested_group_values(m: &dyn Maker) {
    let f = m.create();
    let inner = tree([
        ("deep", Value::from(vec![0i64, 1, 2])),
        ("none", Value::None),
    ]);
    let v = tree([
        ("a", Value::from(1.0)),
        ("b", Value::from("two")),
        ("inner", inner.clone()),
        (
            "l",
            Value::List(vec![
                Value::from(1i64),
                tree([("q", 2.5)]),
                Value::List(vec![Value::from(7i64)]),
            ]),
        ),
        ("empty", Value::group()),
    ]);
    f.set("g", v.clone()).unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.kind("g").unwrap(), Kind::Group);
        assert_eq!(f.kind("g/inner").unwrap(), Kind::Group);
        assert_eq!(f.kind("g/l").unwrap(), Kind::List);
        assert_eq!(f.kind("g/inner/none").unwrap(), Kind::None);
        assert_same_tree(&f.read::<Value>("g").unwrap(), &v);
        assert_same_tree(&f.group("g").unwrap().to_value().unwrap(), &v);
        assert_same_tree(&f.read::<Value>("g/inner").unwrap(), &inner);
        assert_eq!(f.read::<Vec<i64>>("/g/inner/deep").unwrap(), [0, 1, 2]);
        assert!(f.group("g/empty").unwrap().is_empty().unwrap());
        assert_same_tree(&f.to_value().unwrap(), &tree([("g", v.clone())]));
    });
}

pub fn root_and_is_root(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 1.0).unwrap();
    f.set("g", Value::group()).unwrap();
    f.set("g/h", Value::group()).unwrap();
    stored(m, &f, |f| {
        assert!(f.is_root());
        assert_eq!(f.path(), "/");
        let g = f.group("g").unwrap();
        let h = g.group("h").unwrap();
        assert!(!g.is_root());
        assert!(!h.is_root());
        assert_eq!(h.path(), "/g/h");
        let r = h.root();
        assert!(r.is_root());
        assert_eq!(r.path(), "/");
        assert_eq!(r.names().unwrap(), ["x", "g"]);
        assert_eq!(r.read::<f64>("x").unwrap(), 1.0);
        assert_eq!(r.file_path(), f.file_path());
        assert!(f.root().is_root());
    });
}

pub fn declare_then_fill(m: &dyn Maker) {
    let f = m.create();
    let s = f.declare("s", DType::F64, &[]).unwrap();
    let z = f.declare("z", DType::I32, &[3, 4]).unwrap();
    f.declare("g/x", DType::F64, &[2])
        .map(|_| ())
        .expect_err("no group g yet");
    f.set("g", Value::group()).unwrap();
    f.declare("g/x", DType::F64, &[2]).unwrap();
    assert_eq!(s.read::<f64>().unwrap(), 0.0);
    assert_eq!(f.read::<f64>("s").unwrap(), 0.0);
    assert_eq!(
        f.read::<Array2<i32>>("z").unwrap(),
        Array2::<i32>::zeros((3, 4))
    );
    assert_eq!(
        (z.dtype().unwrap(), z.shape().unwrap()),
        (DType::I32, vec![3, 4])
    );
    assert_eq!(f.kind("z").unwrap(), Kind::Leaf);
    assert_eq!(f.read::<Vec<f64>>("g/x").unwrap(), [0.0, 0.0]);
    // Fill by parts, through the handle and by name.
    z.write_part(s![0, ..], array![1, 2, 3, 4]).unwrap();
    f.write_part("z", s![1.., 0], array![5, 9]).unwrap();
    f.write_part("z", s![2, 1..], array![6, 7, 8]).unwrap();
    z.write_part(s![1, 1..], array![10, 11, 12]).unwrap();
    s.write(2.5).unwrap();
    f.write_part("g/x", s![1], 4.0).unwrap();
    let full = array![[1, 2, 3, 4], [5, 10, 11, 12], [9, 6, 7, 8]];
    stored(m, &f, |f| {
        assert_eq!(f.read::<Array2<i32>>("z").unwrap(), full);
        assert_eq!(f.read::<f64>("s").unwrap(), 2.5);
        assert_eq!(f.read::<Vec<f64>>("g/x").unwrap(), [0.0, 4.0]);
        assert_eq!(f.names().unwrap(), ["s", "z", "g"]);
    });
}

/// Declared leaves of every dtype read as zeros (false, empty text).
pub fn declare_every_dtype(m: &dyn Maker) {
    let f = m.create();
    // complex has its own cases (`complex::`)
    let real = || DType::ALL.into_iter().filter(|d| !d.is_complex());
    for (i, d) in real().enumerate() {
        f.declare(&format!("d{i}"), d, &[2, 3]).unwrap();
        f.declare(&format!("s{i}"), d, &[]).unwrap();
        f.declare(&format!("e{i}"), d, &[0]).unwrap();
    }
    stored(m, &f, |f| {
        for (i, d) in real().enumerate() {
            let v = f.read::<Value>(&format!("d{i}")).unwrap();
            assert_eq!(v, Value::from(qnd::Array::zeros(d, &[2, 3])), "{d}");
            let v = f.read::<Value>(&format!("s{i}")).unwrap();
            assert_eq!(v, Value::from(qnd::Array::zeros(d, &[])), "{d}");
            let e = f.leaf(&format!("e{i}")).unwrap();
            assert_eq!((e.dtype().unwrap(), e.shape().unwrap()), (d, vec![0]));
        }
    });
}

/// A declared text leaf takes text later; it is never silently cut.
pub fn declare_text(m: &dyn Maker) {
    let f = m.create();
    let t = f.declare("t", DType::Str, &[2]).unwrap();
    assert_eq!(t.read::<Vec<String>>().unwrap(), ["", ""]);
    match t.write(vec!["first", "sécond"]) {
        Ok(()) => assert_eq!(t.read::<Vec<String>>().unwrap(), ["first", "sécond"]),
        Err(e) => {
            // Refusing is allowed (fixed-width storage), cutting is not.
            assert_eq!(crate::common::error_path(&e), Some("/t"), "{e}");
            assert_eq!(t.read::<Vec<String>>().unwrap(), ["", ""]);
        }
    }
    t.write(vec!["a", "b"]).unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.read::<Vec<String>>("t").unwrap(), ["a", "b"]);
    });
}

/// Setting an existing leaf overwrites it in place.
pub fn overwrite_leaf(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 1.0).unwrap();
    f.set("v", vec![1u8, 2, 3]).unwrap();
    f.set("t", "abc").unwrap();
    f.set("after", 0i8).unwrap();
    f.set("x", 2.0).unwrap();
    f.set("v", vec![4u8, 5, 6]).unwrap();
    f.set("t", "xyz").unwrap();
    let e = expect_err!(f.set("v", vec![1u8, 2]), Error::Mismatch { .. });
    assert_eq!(crate::common::error_path(&e), Some("/v"));
    let f = reopened(m, f, "r+");
    f.set("x", 3.0).unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.read::<f64>("x").unwrap(), 3.0);
        assert_eq!(f.read::<Vec<u8>>("v").unwrap(), [4, 5, 6]);
        assert_eq!(f.read::<String>("t").unwrap(), "xyz");
        assert_eq!(f.names().unwrap(), ["x", "v", "t", "after"]);
    });
}

pub fn whole_tree_to_value(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 1.0).unwrap();
    f.set("g", tree([("a", Value::from(vec![true, false]))]))
        .unwrap();
    f.set(
        "l",
        Value::List(vec![Value::None, Value::from("s"), Value::list()]),
    )
    .unwrap();
    f.set("n", Value::None).unwrap();
    let expected = tree([
        ("x", Value::from(1.0)),
        ("g", tree([("a", Value::from(vec![true, false]))])),
        (
            "l",
            Value::List(vec![Value::None, Value::from("s"), Value::list()]),
        ),
        ("n", Value::None),
    ]);
    stored(m, &f, |f| {
        assert_same_tree(&f.to_value().unwrap(), &expected);
        assert_same_tree(&f.read_all::<Value>().unwrap(), &expected);
        assert_eq!(
            qnd::to_json(&f.to_value().unwrap()),
            qnd::to_json(&expected)
        );
        // the root reads as a whole under the name "" / "/"
        assert_same_tree(&f.read::<Value>("/").unwrap(), &expected);
    });
}

/// A whole write (`set` of an existing leaf, `QLeaf::write`, `QList::set`,
/// overwriting a record) needs the leaf's shape: the docs say "same shape",
/// and only a partial write fills a selection with a single value.
pub fn set_needs_same_shape(m: &dyn Maker) {
    let f = m.create();
    f.set("x", vec![1.0, 2.0, 3.0]).unwrap();
    f.set("l", Value::List(vec![Value::from(vec![1i32, 2])]))
        .unwrap();
    f.set_recording(qnd::Recording::Uniform);
    f.set("t", vec![0.0, 0.0]).unwrap();
    f.set_recording(qnd::Recording::Off);
    let e = expect_err!(f.set("x", 5.0), Error::Mismatch { .. });
    assert_eq!(crate::common::error_path(&e), Some("/x"));
    expect_err!(f.set("x", vec![5.0]), Error::Mismatch { .. });
    expect_err!(f.leaf("x").unwrap().write(5.0), Error::Mismatch { .. });
    expect_err!(f.update([("x", 5.0)]), Error::Mismatch { .. });
    expect_err!(f.list("l").unwrap().set(0, 7i32), Error::Mismatch { .. });
    f.goto(0);
    expect_err!(f.set("t", 9.0), Error::Mismatch { .. });
    stored(m, &f, |f| {
        assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [1.0, 2.0, 3.0]);
        assert_eq!(f.list("l").unwrap().read::<Vec<i32>>(0).unwrap(), [1, 2]);
        f.goto(0);
        assert_eq!(f.read::<Vec<f64>>("t").unwrap(), [0.0, 0.0]);
    });
}

/// Member names with spaces, dots, digits, non-ASCII letters, and names
/// that are pseudo-attributes elsewhere.
pub fn unusual_names(m: &dyn Maker) {
    let f = m.create();
    let names = [
        "with space",
        "a.b",
        "x-y",
        "123",
        "température",
        "日本",
        "dtype",
        "shape",
        "CamelCase",
        "trailing_",
    ];
    for (i, n) in names.iter().enumerate() {
        f.set(n, i as i64).unwrap();
    }
    f.set("g", Value::group()).unwrap();
    f.set("g/über", "ü").unwrap();
    stored(m, &f, |f| {
        let mut want: Vec<&str> = names.to_vec();
        want.push("g");
        assert_eq!(f.names().unwrap(), want);
        for (i, n) in names.iter().enumerate() {
            assert_eq!(f.read::<i64>(n).unwrap(), i as i64, "{n}");
            assert!(f.contains(n).unwrap(), "{n}");
        }
        assert_eq!(f.read::<String>("/g/über").unwrap(), "ü");
        assert_eq!(
            f.attrs("dtype")
                .unwrap()
                .read::<String>("dtype")
                .unwrap()
                .as_deref(),
            Some("i8")
        );
    });
}
