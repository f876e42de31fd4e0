//! QList: append, extend, get, slices, iteration, nesting, None elements,
//! its own auto mode, overwriting elements.

use ndarray::array;
use qnd::{Auto, Error, Item, Kind, QList, Value};

use crate::common::{assert_same_tree, group, leaf, list, stored, tree, value, Maker};

/// The values of some items that were read.
fn values(items: Vec<Item>) -> Vec<Value> {
    items.into_iter().map(value).collect()
}

fn ints(l: &QList, range: std::ops::Range<i64>) {
    l.extend(range.map(Value::from)).unwrap();
}

pub fn append_extend_get(m: &dyn Maker) {
    let f = m.create();
    let l = f.create_list("l").unwrap();
    assert_eq!(l.len().unwrap(), 0);
    assert!(l.is_empty().unwrap());
    assert_eq!(l.path(), "/l");
    l.append(1i64).unwrap();
    l.append("two").unwrap();
    l.append(vec![3.0, 3.5]).unwrap();
    l.extend([Value::from(4u8), Value::None]).unwrap();
    l.extend(vec![6.0f32, 7.0]).unwrap();
    assert_eq!(l.len().unwrap(), 7);
    assert_eq!(f.kind("l").unwrap(), Kind::List);
    stored(m, &f, |f| {
        let l = list(f.get("l").unwrap());
        assert_eq!(l.len().unwrap(), 7);
        assert!(!l.is_empty().unwrap());
        assert!(!l.is_records());
        assert_eq!(value(l.get(0).unwrap()), Value::from(1i64));
        assert_eq!(value(l.get(1).unwrap()), Value::from("two"));
        assert_eq!(value(l.get(2).unwrap()), Value::from(vec![3.0, 3.5]));
        assert_eq!(value(l.get(3).unwrap()), Value::from(4u8));
        assert_eq!(value(l.get(4).unwrap()), Value::None);
        assert_eq!(value(l.get(6).unwrap()), Value::from(7.0f32));
        assert_eq!(l.read::<String>(1).unwrap(), "two");
        assert_eq!(l.read::<Vec<f64>>(2).unwrap(), [3.0, 3.5]);
        assert_eq!(l.read::<f64>(3).unwrap(), 4.0, "widening read");
        expect_err!(l.get(7), Error::NoItem { .. });
    });
}

pub fn negative_indices(m: &dyn Maker) {
    let f = m.create();
    let l = f.create_list("l").unwrap();
    ints(&l, 0..5);
    stored(m, &f, |f| {
        let l = list(f.get("l").unwrap());
        assert_eq!(l.read::<i64>(-1).unwrap(), 4);
        assert_eq!(l.read::<i64>(-5).unwrap(), 0);
        assert_eq!(value(l.get(-2).unwrap()), Value::from(3i64));
        expect_err!(l.get(-6), Error::NoItem { .. });
        expect_err!(l.read::<i64>(5), Error::NoItem { .. });
    });
}

pub fn slices(m: &dyn Maker) {
    let f = m.create();
    let l = f.create_list("l").unwrap();
    ints(&l, 0..7);
    stored(m, &f, |f| {
        let l = list(f.get("l").unwrap());
        let v = |x: &[i64]| x.iter().map(|&i| Value::from(i)).collect::<Vec<_>>();
        assert_eq!(
            values(l.slice(None, None, 1).unwrap()),
            v(&[0, 1, 2, 3, 4, 5, 6])
        );
        assert_eq!(values(l.slice(Some(1), None, 2).unwrap()), v(&[1, 3, 5]));
        assert_eq!(values(l.slice(Some(2), Some(5), 1).unwrap()), v(&[2, 3, 4]));
        assert_eq!(
            values(l.slice(None, None, -1).unwrap()),
            v(&[6, 5, 4, 3, 2, 1, 0])
        );
        assert_eq!(values(l.slice(Some(5), Some(1), -2).unwrap()), v(&[5, 3]));
        assert_eq!(values(l.slice(Some(-2), None, 1).unwrap()), v(&[5, 6]));
        assert_eq!(values(l.slice(Some(-100), Some(2), 1).unwrap()), v(&[0, 1]));
        assert_eq!(values(l.slice(Some(9), None, 1).unwrap()), v(&[]));
        assert_eq!(values(l.slice(None, Some(-8), -3).unwrap()), v(&[6, 3, 0]));
        expect_err!(l.slice(None, None, 0), Error::Invalid { .. });
    });
}

pub fn iter_in_order(m: &dyn Maker) {
    let f = m.create();
    let l = f.create_list("l").unwrap();
    l.extend(["a", "b", "c"].map(Value::from)).unwrap();
    l.append(Value::group()).unwrap();
    stored(m, &f, |f| {
        let l = list(f.get("l").unwrap());
        let mut it = l.iter().unwrap();
        assert_eq!(value(it.next().unwrap().unwrap()), Value::from("a"));
        assert_eq!(value(it.next().unwrap().unwrap()), Value::from("b"));
        assert_eq!(value(it.next().unwrap().unwrap()), Value::from("c"));
        assert_eq!(group(it.next().unwrap().unwrap()).path(), "/l[3]");
        assert!(it.next().is_none());
        assert_eq!(l.iter().unwrap().count(), 4);
    });
}

pub fn nested_lists_and_groups(m: &dyn Maker) {
    let f = m.create();
    let l = f.create_list("l").unwrap();
    l.append(Value::List(vec![Value::from(1i64), Value::from(2i64)]))
        .unwrap();
    l.append(tree([("q", 2.5)])).unwrap();
    l.append(Value::list()).unwrap();
    let inner = l.list(2).unwrap();
    inner.append("deep").unwrap();
    inner.append(Value::List(vec![Value::None])).unwrap();
    let g = l.group(1).unwrap();
    g.set("r", vec![1u8]).unwrap();
    assert_eq!(g.path(), "/l[1]");
    let expected = Value::List(vec![
        Value::List(vec![Value::from(1i64), Value::from(2i64)]),
        tree([("q", Value::from(2.5)), ("r", Value::from(vec![1u8]))]),
        Value::List(vec![Value::from("deep"), Value::List(vec![Value::None])]),
    ]);
    stored(m, &f, |f| {
        let l = list(f.get("l").unwrap());
        assert_eq!(list(l.get(0).unwrap()).len().unwrap(), 2);
        assert_eq!(list(l.get(0).unwrap()).read::<i64>(1).unwrap(), 2);
        assert_eq!(group(l.get(1).unwrap()).read::<f64>("q").unwrap(), 2.5);
        assert_eq!(l.group(1).unwrap().names().unwrap(), ["q", "r"]);
        let inner = l.list(-1).unwrap();
        assert_eq!(inner.path(), "/l[2]");
        assert_eq!(inner.list(1).unwrap().len().unwrap(), 1);
        assert_same_tree(&l.to_value().unwrap(), &expected);
        assert_same_tree(&f.read::<Value>("l").unwrap(), &expected);
        expect_err!(l.group(0), Error::Mismatch { .. });
        expect_err!(l.list(1), Error::Mismatch { .. });
    });
}

pub fn none_elements(m: &dyn Maker) {
    let f = m.create();
    let l = f.create_list("l").unwrap();
    l.extend([Value::None, Value::from(1.0), Value::None])
        .unwrap();
    stored(m, &f, |f| {
        let l = f.list("l").unwrap();
        assert_eq!(l.len().unwrap(), 3);
        for auto in [Auto::Off, Auto::Leaves, Auto::All] {
            l.set_auto(auto);
            assert!(matches!(l.get(0).unwrap(), Item::Value(Value::None, _)));
            assert!(matches!(l.get(-1).unwrap(), Item::Value(Value::None, _)));
        }
        assert_eq!(l.read::<Option<f64>>(0).unwrap(), None);
        assert_eq!(l.read::<Option<f64>>(1).unwrap(), Some(1.0));
        assert_eq!(
            l.to_value().unwrap(),
            Value::List(vec![Value::None, Value::from(1.0), Value::None])
        );
    });
}

/// A list handle has an auto mode of its own.
pub fn own_auto_mode(m: &dyn Maker) {
    let f = m.create();
    f.set(
        "l",
        Value::List(vec![Value::from(1.5), tree([("x", 1i32)]), Value::list()]),
    )
    .unwrap();
    stored(m, &f, |f| {
        let l = list(f.get("l").unwrap());
        assert_eq!(l.auto(), Auto::Leaves);
        assert_eq!(value(l.get(0).unwrap()), Value::from(1.5));
        assert_eq!(group(l.get(1).unwrap()).path(), "/l[1]");
        assert_eq!(list(l.get(2).unwrap()).len().unwrap(), 0);
        l.set_auto(Auto::Off);
        assert_eq!(l.auto(), Auto::Off);
        assert_eq!(
            leaf(l.get(0).unwrap()).shape().unwrap(),
            Vec::<usize>::new()
        );
        assert_eq!(f.auto(), Auto::Leaves, "the group's mode is unchanged");
        let again = list(f.get("l").unwrap());
        assert_eq!(again.auto(), Auto::Leaves);
        assert_eq!(value(again.get(0).unwrap()), Value::from(1.5));
        l.set_auto(Auto::All);
        assert_eq!(value(l.get(1).unwrap()), tree([("x", 1i32)]));
        assert_eq!(value(l.get(2).unwrap()), Value::list());
        // iter and slice follow the list's mode too
        assert!(l
            .iter()
            .unwrap()
            .all(|i| matches!(i.unwrap(), Item::Value(..))));
        l.set_auto(Auto::Off);
        assert!(matches!(
            l.slice(Some(0), Some(1), 1).unwrap()[0],
            Item::Leaf(_)
        ));
    });
}

pub fn set_overwrites_leaf(m: &dyn Maker) {
    let f = m.create();
    let l = f.create_list("l").unwrap();
    l.extend([
        Value::from(1.0),
        Value::from(vec![1i32, 2]),
        Value::from("ab"),
    ])
    .unwrap();
    l.set(0, 2.0).unwrap();
    l.set(-2, vec![3i32, 4]).unwrap();
    l.set(2, "cd").unwrap();
    l.set(0, 7i32).unwrap(); // widens to f64
    stored(m, &f, |f| {
        let l = f.list("l").unwrap();
        assert_eq!(l.read::<f64>(0).unwrap(), 7.0);
        assert_eq!(l.leaf(0).unwrap().dtype().unwrap(), qnd::DType::F64);
        assert_eq!(l.read::<Vec<i32>>(1).unwrap(), [3, 4]);
        assert_eq!(l.read::<String>(2).unwrap(), "cd");
        assert_eq!(l.len().unwrap(), 3);
    });
}

pub fn set_refuses_other_kinds(m: &dyn Maker) {
    let f = m.create();
    let l = f.create_list("l").unwrap();
    l.extend([
        Value::from(vec![1i32, 2]),
        Value::None,
        tree([("a", 1.0)]),
        Value::List(vec![Value::from(1i8)]),
    ])
    .unwrap();
    let e = expect_err!(l.set(0, vec![1i32, 2, 3]), Error::Mismatch { .. });
    assert!(e.to_string().contains("/l[0]"), "{e}");
    expect_err!(l.set(0, vec![1.5, 2.5]), Error::Cast { .. });
    expect_err!(l.set(1, 1.0), Error::Mismatch { .. });
    expect_err!(l.set(2, 1.0), Error::Mismatch { .. });
    expect_err!(
        l.set(3, Value::List(vec![Value::None])),
        Error::Mismatch { .. }
    );
    expect_err!(l.set(4, 1.0), Error::NoItem { .. });
    l.set(1, Value::None).unwrap();
    l.set(2, Value::group()).unwrap();
    l.set(3, Value::list()).unwrap();
    let expected = Value::List(vec![
        Value::from(vec![1i32, 2]),
        Value::None,
        tree([("a", 1.0)]),
        Value::List(vec![Value::from(1i8)]),
    ]);
    stored(m, &f, |f| {
        assert_same_tree(&f.read::<Value>("l").unwrap(), &expected);
    });
}

/// Setting a `Value::List` makes a list of those elements.
pub fn list_from_value(m: &dyn Maker) {
    let f = m.create();
    let v = Value::List(vec![
        Value::from(1i64),
        Value::from(array![0i64, 1, 2, 3]),
        tree([("q", 2.5)]),
        Value::None,
        Value::List(vec![Value::from(7i64), Value::from(8i64)]),
    ]);
    f.set("lst", v.clone()).unwrap();
    f.set("g", Value::group()).unwrap();
    f.set("g/l", Value::list()).unwrap();
    // setting an existing list to an empty list does nothing
    f.set("lst", Value::list()).unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.kind("lst").unwrap(), Kind::List);
        assert_eq!(f.kind("g/l").unwrap(), Kind::List);
        assert_same_tree(&f.read::<Value>("lst").unwrap(), &v);
        assert_eq!(f.read::<Vec<Value>>("lst").unwrap().len(), 5);
        assert_eq!(f.list("g/l").unwrap().len().unwrap(), 0);
    });
}

pub fn empty_list(m: &dyn Maker) {
    let f = m.create();
    f.create_list("l").unwrap();
    stored(m, &f, |f| {
        let l = f.list("l").unwrap();
        assert_eq!(l.len().unwrap(), 0);
        assert!(l.is_empty().unwrap());
        expect_err!(l.get(0), Error::NoItem { .. });
        expect_err!(l.get(-1), Error::NoItem { .. });
        assert_eq!(l.to_value().unwrap(), Value::list());
        assert_eq!(l.iter().unwrap().count(), 0);
        assert!(l.slice(None, None, 1).unwrap().is_empty());
        assert_eq!(f.read::<Vec<Value>>("l").unwrap(), vec![]);
        assert_eq!(f.kind("l").unwrap(), Kind::List);
    });
}

/// `read` reads a whole element whatever the auto mode.
pub fn read_elements(m: &dyn Maker) {
    let f = m.create();
    let l = f.create_list("l").unwrap();
    l.append(tree([("a", Value::from(1i64)), ("b", Value::list())]))
        .unwrap();
    l.append(array![[1u8, 2], [3, 4]]).unwrap();
    stored(m, &f, |f| {
        let l = f.list("l").unwrap();
        l.set_auto(Auto::Off);
        assert_eq!(
            l.read::<Value>(0).unwrap(),
            tree([("a", Value::from(1i64)), ("b", Value::list())])
        );
        assert_eq!(
            l.read::<ndarray::Array2<u8>>(-1).unwrap(),
            array![[1, 2], [3, 4]]
        );
        let e = expect_err!(l.read::<String>(1), Error::Mismatch { .. });
        assert!(e.to_string().contains("/l[1]"), "{e}");
        assert_eq!(l.read_all::<Vec<Value>>().unwrap().len(), 2);
    });
}
