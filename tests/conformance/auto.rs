//! Auto-read modes: 0 gives handles, 1 reads leaves, 2 reads everything;
//! `item()` always gives handles and `to_value()` always reads.

use ndarray::array;
use qnd::{Auto, DType, Item, QGroup, Value};

use crate::common::{assert_same_tree, group, item_kind, leaf, list, stored, tree, value, Maker};

/// x (leaf), g (group with y), l (list); the sample adds n (None) and t
/// (3 records).
fn members() -> [(&'static str, Value); 3] {
    [
        ("x", Value::from(array![[1i32, 2], [3, 4]])),
        ("g", tree([("y", Value::from(2.5)), ("h", Value::group())])),
        ("l", Value::List(vec![Value::from("a"), tree([("z", 1u8)])])),
    ]
}

fn sample(m: &dyn Maker) -> QGroup {
    crate::sample_file(m, &members())
}

fn expected() -> Value {
    crate::sample_tree(&members())
}

pub fn auto0_gives_handles(m: &dyn Maker) {
    let f = sample(m);
    stored(m, &f, |f| {
        f.set_auto(Auto::Off);
        let x = leaf(f.get("x").unwrap());
        assert_eq!(
            (x.dtype().unwrap(), x.shape().unwrap()),
            (DType::I32, vec![2, 2])
        );
        assert_eq!(x.path(), "/x");
        let g = group(f.get("g").unwrap());
        assert_eq!(g.path(), "/g");
        assert_eq!(g.auto(), Auto::Off);
        let y = leaf(g.get("y").unwrap());
        assert_eq!(y.read::<f64>().unwrap(), 2.5);
        let l = list(f.get("l").unwrap());
        assert_eq!(l.len().unwrap(), 2);
        assert!(matches!(l.get(0).unwrap(), Item::Leaf(_)));
        assert!(matches!(l.get(1).unwrap(), Item::Group(_)));
        assert_eq!(value(f.get("n").unwrap()), Value::None);
        let t = list(f.get("t").unwrap());
        assert!(t.is_records());
        assert_eq!(t.len().unwrap(), 3);
        f.goto(1);
        let t1 = leaf(f.get("t").unwrap());
        assert_eq!(t1.record(), Some(1));
        assert_eq!(t1.read::<f64>().unwrap(), 1.0);
        assert!(matches!(f.get("/g/y").unwrap(), Item::Leaf(_)));
    });
}

pub fn auto1_reads_leaves(m: &dyn Maker) {
    let f = sample(m);
    stored(m, &f, |f| {
        assert_eq!(f.auto(), Auto::Leaves, "the default");
        assert_eq!(
            value(f.get("x").unwrap()),
            Value::from(array![[1i32, 2], [3, 4]])
        );
        let g = group(f.get("g").unwrap());
        assert_eq!(value(g.get("y").unwrap()), Value::from(2.5));
        assert!(matches!(g.get("h").unwrap(), Item::Group(_)));
        let l = list(f.get("l").unwrap());
        assert_eq!(value(l.get(0).unwrap()), Value::from("a"));
        assert!(matches!(l.get(1).unwrap(), Item::Group(_)));
        assert_eq!(value(f.get("n").unwrap()), Value::None);
        assert!(list(f.get("t").unwrap()).is_records());
        f.goto(2);
        assert_eq!(value(f.get("t").unwrap()), Value::from(2.0));
        assert_eq!(value(f.get("g/y").unwrap()), Value::from(2.5));
    });
}

pub fn auto2_reads_everything(m: &dyn Maker) {
    let f = sample(m);
    let want = expected();
    stored(m, &f, |f| {
        f.set_auto(Auto::All);
        for (name, v) in want
            .clone()
            .convert::<indexmap::IndexMap<String, Value>>()
            .unwrap()
        {
            let got = value(f.get(&name).unwrap());
            assert_same_tree(&got, &v);
        }
        f.goto(0);
        assert_eq!(value(f.get("t").unwrap()), Value::from(0.0));
        assert_eq!(
            value(f.get("g").unwrap()),
            tree([("y", Value::from(2.5)), ("h", Value::group())])
        );
    });
}

pub fn item_ignores_auto(m: &dyn Maker) {
    let f = sample(m);
    stored(m, &f, |f| {
        for auto in [Auto::Off, Auto::Leaves, Auto::All] {
            f.set_auto(auto);
            f.goto_off();
            assert!(matches!(f.item("x").unwrap(), Item::Leaf(_)), "{auto}");
            assert!(matches!(f.item("g").unwrap(), Item::Group(_)), "{auto}");
            assert!(matches!(f.item("l").unwrap(), Item::List(_)), "{auto}");
            assert!(matches!(f.item("t").unwrap(), Item::List(_)), "{auto}");
            assert!(matches!(f.item("g/y").unwrap(), Item::Leaf(_)), "{auto}");
            assert!(
                matches!(f.item("n").unwrap(), Item::Value(Value::None, _)),
                "{auto}"
            );
            f.goto(0);
            let t = leaf(f.item("t").unwrap());
            assert_eq!(t.record(), Some(0));
            assert_eq!(f.auto(), auto, "item does not change the mode");
        }
    });
}

pub fn to_value_ignores_auto(m: &dyn Maker) {
    let f = sample(m);
    let want = expected();
    stored(m, &f, |f| {
        for auto in [Auto::Off, Auto::Leaves, Auto::All] {
            f.set_auto(auto);
            assert_same_tree(&f.to_value().unwrap(), &want);
            assert_eq!(f.read::<f64>("g/y").unwrap(), 2.5, "read ignores auto");
            assert_same_tree(&f.read::<Value>("l").unwrap(), want.get("l").unwrap());
        }
    });
}

pub fn items_follow_auto(m: &dyn Maker) {
    let f = sample(m);
    stored(m, &f, |f| {
        f.set_auto(Auto::Off);
        let kinds: Vec<String> = f
            .items()
            .unwrap()
            .map(|r| {
                let (n, i) = r.unwrap();
                format!("{n}: {}", item_kind(&i))
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "x: Item::Leaf(/x)",
                "g: Item::Group(/g)",
                "l: Item::List(/l)",
                "n: Item::Value(none)",
                "t: Item::List(/t)"
            ]
        );
        f.set_auto(Auto::All);
        let got: Vec<(String, Value)> = f
            .items()
            .unwrap()
            .map(|r| {
                let (n, i) = r.unwrap();
                (n, value(i))
            })
            .collect();
        assert_same_tree(&Value::Group(got.into_iter().collect()), &expected());
    });
}

/// Record variables: a list handle with goto off (a list value in auto 2),
/// one record with goto on.
pub fn records_follow_auto(m: &dyn Maker) {
    let f = sample(m);
    stored(m, &f, |f| {
        f.goto_off();
        f.set_auto(Auto::Off);
        assert!(list(f.get("t").unwrap()).is_records());
        f.set_auto(Auto::Leaves);
        assert!(list(f.get("t").unwrap()).is_records());
        f.set_auto(Auto::All);
        assert_eq!(
            value(f.get("t").unwrap()),
            Value::List(vec![Value::from(0.0), Value::from(1.0), Value::from(2.0)])
        );
        f.goto(-1);
        f.set_auto(Auto::Off);
        assert_eq!(leaf(f.get("t").unwrap()).read::<f64>().unwrap(), 2.0);
        f.set_auto(Auto::Leaves);
        assert_eq!(value(f.get("t").unwrap()), Value::from(2.0));
        f.set_auto(Auto::All);
        assert_eq!(value(f.get("t").unwrap()), Value::from(2.0));
    });
}

/// `Item::into_value` and `Item::read` read any item whole.
pub fn item_read_and_into_value(m: &dyn Maker) {
    let f = sample(m);
    let want = expected();
    stored(m, &f, |f| {
        f.set_auto(Auto::Off);
        for name in ["x", "g", "l", "n", "t"] {
            let v = f.get(name).unwrap().into_value().unwrap();
            assert_same_tree(&v, want.get(name).unwrap());
        }
        let x: ndarray::Array2<i32> = f.get("x").unwrap().read().unwrap();
        assert_eq!(x, array![[1, 2], [3, 4]]);
        let y: f64 = f.get("g/y").unwrap().read().unwrap();
        assert_eq!(y, 2.5);
        let l: Vec<Value> = f.get("l").unwrap().read().unwrap();
        assert_eq!(l.len(), 2);
        f.set_auto(Auto::Leaves);
        let s: String = f.get("l").unwrap().as_list().unwrap().read(0).unwrap();
        assert_eq!(s, "a");
        assert!(f.get("x").unwrap().as_value().is_some());
        assert!(f.get("g").unwrap().as_group().is_some());
        assert!(f.item("x").unwrap().as_leaf().is_some());
        assert!(f.get("x").unwrap().read::<String>().is_err());
    });
}
