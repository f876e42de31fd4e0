//! Property tests: random trees of groups, lists, None and leaves of every
//! dtype (scalars, text, empty arrays included) written with `set` read
//! back equal (member order included) with `to_value()`, in memory and
//! through an HDF5 file.

use indexmap::IndexMap;
use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;
use proptest::strategy::Union;
use qnd::{Array, Element, QGroup, Value};

mod common;

use common::{same_tree, Maker};

/// Member names: a safe alphabet, never starting with `_`.
fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z][a-zA-Z0-9_]{0,7}"
}

/// Shapes of rank 0..=3 with axes of length 0..=3 (so empty arrays too).
fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..4, 0..=3)
}

/// An array of `T` of a random shape with elements from `elem`.
fn array_of<T: Element>(elem: impl Strategy<Value = T> + Clone + 'static) -> BoxedStrategy<Array> {
    shape()
        .prop_flat_map(move |s| {
            let n: usize = s.iter().product();
            prop::collection::vec(elem.clone(), n).prop_map(move |v| {
                T::wrap(ArrayD::from_shape_vec(IxDyn(&s), v).expect("sized to the shape"))
            })
        })
        .boxed()
}

/// Floats of every class but NaN (NaN != NaN would fail equality).
fn f64s() -> impl Strategy<Value = f64> + Clone {
    use proptest::num::f64::*;
    POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO | INFINITE
}

fn f32s() -> impl Strategy<Value = f32> + Clone {
    use proptest::num::f32::*;
    POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO | INFINITE
}

/// Text: ASCII and multi-byte UTF-8, empty strings included, no NUL.
fn texts() -> impl Strategy<Value = String> + Clone {
    "[a-z A-Z0-9.,é日本∑ü🦀-]{0,6}"
}

/// A leaf of any dtype.
fn array() -> BoxedStrategy<Array> {
    Union::new(vec![
        array_of(any::<i8>()),
        array_of(any::<i16>()),
        array_of(any::<i32>()),
        array_of(any::<i64>()),
        array_of(any::<u8>()),
        array_of(any::<u16>()),
        array_of(any::<u32>()),
        array_of(any::<u64>()),
        array_of(f32s()),
        array_of(f64s()),
        array_of(any::<bool>()),
        array_of(texts()),
    ])
    .boxed()
}

/// Group members from (name, value) pairs, first of each name kept.
fn members(pairs: Vec<(String, Value)>) -> IndexMap<String, Value> {
    let mut m = IndexMap::new();
    for (k, v) in pairs {
        m.entry(k).or_insert(v);
    }
    m
}

/// Any tree: None, leaves, and groups and lists of trees.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![1 => Just(Value::None), 6 => array().prop_map(Value::Array)];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            prop::collection::vec((name(), inner), 0..4).prop_map(|kv| Value::Group(members(kv))),
        ]
    })
}

/// The members of a root group.
fn root() -> impl Strategy<Value = IndexMap<String, Value>> {
    prop::collection::vec((name(), value()), 0..6).prop_map(members)
}

/// Set each member of `tree` in `f`.
fn write(f: &QGroup, tree: &IndexMap<String, Value>) {
    for (k, v) in tree {
        f.set(k, v.clone())
            .unwrap_or_else(|e| panic!("set {k} = {}: {e}", v.describe()));
    }
}

/// `f` reads back as `want`.
fn check(f: &QGroup, want: &Value) -> Result<(), TestCaseError> {
    let got = f
        .to_value()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    same_tree(&got, want).map_err(TestCaseError::fail)
}

/// Write with `set` member by member, read back (and again after
/// reopening read-only, for a file backend).
fn roundtrip(m: &dyn Maker, tree: IndexMap<String, Value>) -> Result<(), TestCaseError> {
    let f = m.create();
    write(&f, &tree);
    let want = Value::Group(tree);
    check(&f, &want)?;
    if let Some(g) = m.reopen(&f, "r") {
        check(&g, &want)?;
        g.close().unwrap();
    }
    Ok(())
}

/// The whole tree set at once as one nested group value, and as a list
/// of its members appended one by one.
fn nested(m: &dyn Maker, tree: IndexMap<String, Value>) -> Result<(), TestCaseError> {
    let f = m.create();
    let whole = Value::Group(tree.clone());
    f.set("all", whole.clone()).unwrap();
    let l = f.create_list("each").unwrap();
    l.extend(tree.values().cloned()).unwrap();
    let want = common::tree([
        ("all", whole),
        ("each", Value::List(tree.into_values().collect())),
    ]);
    check(&f, &want)?;
    if let Some(g) = m.reopen(&f, "r") {
        check(&g, &want)?;
        g.close().unwrap();
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::proptest_config(32))]

    #[test]
    fn memory_roundtrip(tree in root()) {
        roundtrip(&common::MemoryMaker, tree)?;
    }

    #[test]
    fn memory_nested(tree in root()) {
        nested(&common::MemoryMaker, tree)?;
    }
}

#[cfg(feature = "hdf5")]
proptest! {
    #![proptest_config(common::proptest_config(32))]

    #[test]
    fn hdf5_roundtrip(tree in root()) {
        roundtrip(&common::FileMaker::new("hdf5", "h5"), tree)?;
    }

    #[test]
    fn hdf5_nested(tree in root()) {
        nested(&common::FileMaker::new("hdf5", "h5"), tree)?;
    }
}
