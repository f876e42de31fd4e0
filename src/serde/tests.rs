//! Unit tests of the mapping between Rust values and trees (the round
//! trips through files are in tests/serde.rs).

use std::collections::{BTreeMap, HashMap};

use ::serde::{Deserialize, Serialize};
use ndarray::array;

use super::*;
use crate::values::{Array, DType};

fn dtype(v: &Value) -> Option<(DType, Vec<usize>)> {
    v.as_array().map(|a| (a.dtype(), a.shape().to_vec()))
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Shape {
    Point,
    Circle(f64),
    Pair(i32, String),
    Rect { w: f64, h: f64 },
}

#[test]
fn scalars_keep_their_rust_type() {
    let cases: Vec<(Value, DType)> = vec![
        (to_value(&1i8).unwrap(), DType::I8),
        (to_value(&1i16).unwrap(), DType::I16),
        (to_value(&1i32).unwrap(), DType::I32),
        (to_value(&1i64).unwrap(), DType::I64),
        (to_value(&1u8).unwrap(), DType::U8),
        (to_value(&1u16).unwrap(), DType::U16),
        (to_value(&1u32).unwrap(), DType::U32),
        (to_value(&1u64).unwrap(), DType::U64),
        (to_value(&1f32).unwrap(), DType::F32),
        (to_value(&1f64).unwrap(), DType::F64),
        (to_value(&true).unwrap(), DType::Bool),
        (to_value("x").unwrap(), DType::Str),
        (to_value(&'é').unwrap(), DType::Str),
        (to_value(&5i128).unwrap(), DType::I64),
        (to_value(&5u128).unwrap(), DType::U64),
    ];
    for (v, want) in cases {
        assert_eq!(dtype(&v), Some((want, vec![])), "{v:?}");
    }
    assert_eq!(to_value(&'é').unwrap(), Value::from("é"));
    assert_eq!(to_value(&-3i32).unwrap(), Value::from(-3i32));
    let e = to_value(&(i128::from(i64::MAX) + 1)).unwrap_err();
    assert!(e.to_string().contains("does not fit"), "{e}");
    assert!(to_value(&u128::MAX).is_err());
}

#[test]
fn none_unit_and_wrappers() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Unit;
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Meters(f64);
    assert_eq!(to_value(&None::<f64>).unwrap(), Value::None);
    assert_eq!(to_value(&Some(2.5)).unwrap(), Value::from(2.5));
    assert_eq!(to_value(&()).unwrap(), Value::None);
    assert_eq!(to_value(&Unit).unwrap(), Value::None);
    assert_eq!(to_value(&Meters(3.0)).unwrap(), Value::from(3.0));
    assert_eq!(from_value::<Meters>(Value::from(3.0)).unwrap(), Meters(3.0));
    assert_eq!(from_value::<Unit>(Value::None).unwrap(), Unit);
    assert_eq!(from_value::<()>(Value::None).unwrap(), ());
    assert_eq!(from_value::<Option<f64>>(Value::None).unwrap(), None);
    assert_eq!(
        from_value::<Option<f64>>(Value::from(1i32)).unwrap(),
        Some(1.0)
    );
    assert!(from_value::<()>(Value::from(1.0)).is_err());
}

#[test]
fn sequences_of_one_scalar_type_are_leaves() {
    assert_eq!(
        to_value(&vec![1.0, 2.0]).unwrap(),
        Value::from(vec![1.0, 2.0])
    );
    assert_eq!(
        to_value(&[1u8, 2, 3][..]).unwrap(),
        Value::from(vec![1u8, 2, 3])
    );
    assert_eq!(
        to_value(&[true, false]).unwrap(),
        Value::from(vec![true, false])
    );
    assert_eq!(
        to_value(&vec!["a", "b"]).unwrap(),
        Value::from(vec!["a", "b"])
    );
    // tuples and arrays serialize alike: one scalar type is a leaf
    assert_eq!(to_value(&(1.0, 2.0)).unwrap(), Value::from(vec![1.0, 2.0]));
    // the empty sequence is numpy's array([])
    assert_eq!(
        dtype(&to_value(&Vec::<i32>::new()).unwrap()),
        Some((DType::F64, vec![0]))
    );
    // unit variants are text: a Vec of them is a text leaf
    assert_eq!(
        to_value(&vec![Shape::Point, Shape::Point]).unwrap(),
        Value::from(vec!["Point", "Point"])
    );
}

#[test]
fn equal_arrays_stack_and_ragged_ones_are_lists() {
    let grid = vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]];
    assert_eq!(
        to_value(&grid).unwrap(),
        Value::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    );
    let cube = vec![vec![vec![1i32; 2]; 3]; 4];
    assert_eq!(
        dtype(&to_value(&cube).unwrap()),
        Some((DType::I32, vec![4, 3, 2]))
    );
    let ragged = vec![vec![1.0], vec![2.0, 3.0]];
    assert_eq!(
        to_value(&ragged).unwrap(),
        Value::List(vec![Value::from(vec![1.0]), Value::from(vec![2.0, 3.0])])
    );
    // mixed types are a list, each element its own type
    assert_eq!(
        to_value(&(1i32, "a", 2.5)).unwrap(),
        Value::List(vec![Value::from(1i32), Value::from("a"), Value::from(2.5)])
    );
    let holes = vec![Some(1.0), None];
    assert_eq!(
        to_value(&holes).unwrap(),
        Value::List(vec![Value::from(1.0), Value::None])
    );
    // and all of them read back
    assert_eq!(
        from_value::<Vec<Vec<f64>>>(to_value(&grid).unwrap()).unwrap(),
        grid
    );
    assert_eq!(
        from_value::<Vec<Vec<Vec<i32>>>>(to_value(&cube).unwrap()).unwrap(),
        cube
    );
    assert_eq!(
        from_value::<Vec<Vec<f64>>>(to_value(&ragged).unwrap()).unwrap(),
        ragged
    );
    assert_eq!(
        from_value::<Vec<Option<f64>>>(to_value(&holes).unwrap()).unwrap(),
        holes
    );
    assert_eq!(
        from_value::<(i32, String, f64)>(to_value(&(1i32, "a", 2.5)).unwrap()).unwrap(),
        (1, "a".to_string(), 2.5)
    );
    assert_eq!(
        from_value::<[f64; 2]>(Value::from(vec![1.0, 2.0])).unwrap(),
        [1.0, 2.0]
    );
}

#[test]
fn a_2d_leaf_is_not_a_flat_vec() {
    let v = Value::from(array![[1.0, 2.0], [3.0, 4.0]]);
    let e = from_value::<Vec<f64>>(v.clone()).unwrap_err();
    assert_eq!(e.to_string(), "[0]: expected f64, found a 1-d leaf f8 [2]");
    assert_eq!(
        from_value::<Vec<Vec<f32>>>(v).unwrap(),
        vec![vec![1.0, 2.0], vec![3.0, 4.0]]
    );
    let e = from_value::<(f64,)>(Value::from(vec![1.0, 2.0])).unwrap_err();
    assert_eq!(e.to_string(), ".: expected 1 elements, found 2");
}

#[test]
fn bytes_are_u1_leaves() {
    struct Raw(Vec<u8>);
    impl Serialize for Raw {
        fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(&self.0)
        }
    }
    #[derive(Debug, PartialEq)]
    struct Buf(Vec<u8>);
    impl<'de> Deserialize<'de> for Buf {
        fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Buf, D::Error> {
            struct V;
            impl<'de> ::serde::de::Visitor<'de> for V {
                type Value = Buf;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Buf, E> {
                    Ok(Buf(v))
                }
            }
            d.deserialize_byte_buf(V)
        }
    }
    let v = to_value(&Raw(vec![0, 255, 7])).unwrap();
    assert_eq!(v, Value::from(vec![0u8, 255, 7]));
    assert_eq!(from_value::<Buf>(v).unwrap(), Buf(vec![0, 255, 7]));
}

#[test]
fn enums_are_externally_tagged() {
    let cases = [
        (Shape::Point, Value::from("Point")),
        (Shape::Circle(2.0), crate::group! {"Circle" => 2.0}),
        (
            Shape::Pair(3, "x".into()),
            crate::group! {"Pair" => Value::List(vec![Value::from(3i32), Value::from("x")])},
        ),
        (
            Shape::Rect { w: 1.0, h: 2.0 },
            crate::group! {"Rect" => crate::group! {"w" => 1.0, "h" => 2.0}},
        ),
    ];
    for (shape, tree) in cases {
        assert_eq!(to_value(&shape).unwrap(), tree, "{shape:?}");
        assert_eq!(from_value::<Shape>(tree).unwrap(), shape);
    }
    let e = from_value::<Shape>(Value::from("Hexagon")).unwrap_err();
    assert!(e.to_string().contains("unknown variant `Hexagon`"), "{e}");
    let e = from_value::<Shape>(Value::from("Circle")).unwrap_err();
    assert!(e.to_string().contains("newtype variant Circle"), "{e}");
    let e = from_value::<Shape>(crate::group! {"Rect" => crate::group!{"w" => 1.0}}).unwrap_err();
    assert_eq!(e.to_string(), "Rect: missing field `h`");
    let e = from_value::<Shape>(crate::group! {"a" => 1.0, "b" => 2.0}).unwrap_err();
    assert!(e.to_string().contains("a group of one member"), "{e}");
    // a unit variant also reads from a group of its name holding None
    assert_eq!(
        from_value::<Shape>(crate::group! {"Point" => Value::None}).unwrap(),
        Shape::Point
    );
}

#[test]
fn maps_are_groups_with_text_keys() {
    let mut h = HashMap::new();
    h.insert("a".to_string(), 1.0);
    h.insert("b".to_string(), 2.0);
    let v = to_value(&h).unwrap();
    assert_eq!(v.get("b"), Some(&Value::from(2.0)));
    assert_eq!(from_value::<HashMap<String, f64>>(v).unwrap(), h);
    let mut b = BTreeMap::new();
    b.insert(10u32, "ten".to_string());
    b.insert(2u32, "two".to_string());
    let v = to_value(&b).unwrap();
    assert_eq!(v, crate::group! {"2" => "two", "10" => "ten"});
    assert_eq!(from_value::<BTreeMap<u32, String>>(v).unwrap(), b);
    let mut bad = HashMap::new();
    bad.insert((1, 2), 0.5);
    let e = to_value(&bad).unwrap_err();
    assert!(e.to_string().contains("map key must be"), "{e}");
    let e = from_value::<BTreeMap<u32, f64>>(crate::group! {"x" => 1.0}).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"x: expected a member name that is a u32, found "x""#
    );
}

#[test]
fn numbers_read_into_any_type_that_holds_them() {
    assert_eq!(from_value::<u8>(Value::from(200i64)).unwrap(), 200);
    assert_eq!(from_value::<i8>(Value::from(-5i64)).unwrap(), -5);
    assert_eq!(from_value::<u64>(Value::from(7u8)).unwrap(), 7);
    assert_eq!(from_value::<i32>(Value::from(3.0)).unwrap(), 3);
    assert_eq!(from_value::<f32>(Value::from(0.5)).unwrap(), 0.5);
    assert_eq!(
        from_value::<f64>(Value::from(1i32 << 20)).unwrap(),
        1048576.0
    );
    assert!(from_value::<f32>(Value::from(f64::NAN)).unwrap().is_nan());
    assert_eq!(
        from_value::<f32>(Value::from(f64::INFINITY)).unwrap(),
        f32::INFINITY
    );
    // one-element arrays are scalars too
    assert_eq!(from_value::<f64>(Value::from(vec![4.0])).unwrap(), 4.0);
    let refused: Vec<(Result<()>, &str)> = vec![
        (
            from_value::<u8>(Value::from(300i64)).map(drop),
            "expected u8, found 300 (i8)",
        ),
        (
            from_value::<u32>(Value::from(-1i32)).map(drop),
            "expected u32, found -1 (i4)",
        ),
        (
            from_value::<i32>(Value::from(2.5)).map(drop),
            "expected i32, found 2.5 (f8)",
        ),
        (
            from_value::<f32>(Value::from(1e300)).map(drop),
            "expected f32, found 1e300 (f8)",
        ),
        (
            from_value::<f64>(Value::from(i64::MAX)).map(drop),
            "expected f64, found 9223372036854775807 (i8)",
        ),
        (
            from_value::<f64>(Value::from(true)).map(drop),
            "expected f64, found true (b1)",
        ),
        (
            from_value::<bool>(Value::from(1u8)).map(drop),
            "expected bool, found 1 (u1)",
        ),
        (
            from_value::<u32>(Value::from("abc")).map(drop),
            r#"expected u32, found text "abc""#,
        ),
        (
            from_value::<String>(Value::from(1.0)).map(drop),
            "expected text, found 1.0 (f8)",
        ),
        (
            from_value::<f64>(Value::from(vec![1.0, 2.0])).map(drop),
            "expected f64, found a 1-d leaf f8 [2]",
        ),
        (
            from_value::<f64>(Value::None).map(drop),
            "expected f64, found None",
        ),
        (
            from_value::<char>(Value::from("ab")).map(drop),
            r#"expected char (text of one character), found text "ab""#,
        ),
    ];
    for (got, want) in refused {
        let e = got.unwrap_err();
        assert_eq!(e.to_string(), format!(".: {want}"));
        assert!(matches!(e, Error::Serde { file: None, .. }), "{e:?}");
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Mesh {
    nx: u32,
    x: Vec<f64>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Params {
    name: String,
    mesh: Mesh,
    parts: Vec<Mesh>,
}

#[test]
fn structs_are_groups_in_field_order() {
    let p = Params {
        name: "run".into(),
        mesh: Mesh {
            nx: 2,
            x: vec![0.0, 1.0],
        },
        parts: vec![
            Mesh {
                nx: 1,
                x: vec![0.5],
            },
            Mesh { nx: 0, x: vec![] },
        ],
    };
    let v = to_value(&p).unwrap();
    let Value::Group(m) = &v else { panic!("{v:?}") };
    assert_eq!(m.keys().collect::<Vec<_>>(), ["name", "mesh", "parts"]);
    assert_eq!(
        v.get("mesh"),
        Some(&crate::group! {"nx" => 2u32, "x" => vec![0.0, 1.0]})
    );
    assert!(matches!(v.get("parts"), Some(Value::List(l)) if l.len() == 2));
    assert_eq!(from_value::<Params>(v).unwrap(), p);
}

#[test]
fn errors_name_the_field_path() {
    let tree = |nx: Value, second_x: Value| {
        crate::group! {
            "name" => "run",
            "mesh" => crate::group! {"nx" => nx, "x" => vec![0.0]},
            "parts" => Value::List(vec![
                crate::group! {"nx" => 1i32, "x" => vec![0.5]},
                crate::group! {"nx" => 1i32, "x" => second_x},
            ]),
        }
    };
    let e = from_value::<Params>(tree(Value::from("abc"), Value::from(vec![1.0]))).unwrap_err();
    assert_eq!(e.to_string(), r#"mesh.nx: expected u32, found text "abc""#);
    let e = from_value::<Params>(tree(Value::from(1u8), Value::from("no"))).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"parts[1].x: expected a sequence (a list or a leaf of 1 dimension or more), found text "no""#
    );
    let Error::Serde { file, path, reason } = e else {
        panic!("{e:?}")
    };
    assert_eq!((file, path.as_str()), (None, "parts[1].x"));
    assert!(reason.starts_with("expected a sequence"), "{reason}");
    let mut missing = tree(Value::from(1u8), Value::from(vec![1.0]));
    if let Value::Group(m) = &mut missing {
        if let Some(Value::Group(mesh)) = m.get_mut("mesh") {
            mesh.shift_remove("x");
        }
    }
    let e = from_value::<Params>(missing).unwrap_err();
    assert_eq!(e.to_string(), "mesh: missing field `x`");
    let e = from_value::<Params>(Value::from(1.0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        ".: expected a group (struct Params), found 1.0 (f8)"
    );
}

#[test]
fn any_value_reads_into_self_describing_types() {
    // deserialize_any: what each value is, for serde_json::Value and the like
    let tree = crate::group! {"a" => 1i32, "b" => vec![1.5, 2.5], "c" => "x", "d" => Value::None};
    let j: serde_json::Value = from_value(tree).unwrap();
    assert_eq!(
        j,
        serde_json::json!({"a": 1, "b": [1.5, 2.5], "c": "x", "d": null})
    );
    let back = to_value(&j).unwrap();
    assert_eq!(back.get("c"), Some(&Value::from("x")));
    assert_eq!(
        // serde_json holds a positive integer as a u64
        back.get("a").and_then(Value::as_array).map(Array::dtype),
        Some(DType::U64)
    );
}
