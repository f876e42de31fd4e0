//! Property tests: random trees of groups, lists, None and leaves of every
//! dtype (scalars, text, empty arrays included) written with `set` read
//! back equal (member order included) with `to_value()`, in memory and
//! through an HDF5 file; and `qnd::diff` finds no difference between a
//! file and the same tree in memory, nor between an HDF5 file and its
//! copies into netCDF-4 and memory.

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
    let mem = in_memory(&tree);
    let want = Value::Group(tree);
    check(&f, &want)?;
    if let Some(g) = m.reopen(&f, "r") {
        check(&g, &want)?;
        no_difference(&mem, &g)?;
        g.close().unwrap();
    }
    Ok(())
}

/// `tree` written into a new in-memory file.
fn in_memory(tree: &IndexMap<String, Value>) -> QGroup {
    let mem = qnd::memory();
    write(&mem, tree);
    mem
}

/// `qnd::diff` finds `a` and `b` equal, both ways.
fn no_difference(a: &QGroup, b: &QGroup) -> Result<(), TestCaseError> {
    for (x, y) in [(a, b), (b, a)] {
        let d = qnd::diff(x, y, &qnd::Tolerance::EXACT)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(d.is_empty(), "qnd::diff found:\n{}", d);
    }
    Ok(())
}

/// An HDF5 file copied (`copy_to`, as `qnd convert`) into a netCDF-4 file
/// and into memory: `qnd::diff` finds them all equal, and one changed
/// element of the HDF5 file is then found in each comparison.
#[cfg(feature = "netcdf")]
fn converted(tree: IndexMap<String, Value>) -> Result<(), TestCaseError> {
    let h5 = common::FileMaker::new("hdf5", "h5");
    let f = h5.create();
    write(&f, &tree);
    let f = common::reopened(&h5, f, "r");
    let dir = tempfile::tempdir().unwrap();
    let nc_path = dir.path().join("copy.nc");
    let nc = qnd::open(&nc_path, "w").unwrap();
    f.copy_to(&nc)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    nc.close().unwrap();
    let nc = qnd::open(&nc_path, "r").unwrap();
    let mem = qnd::memory();
    f.copy_to(&mem).unwrap();
    no_difference(&f, &nc)?;
    no_difference(&f, &mem)?;
    no_difference(&nc, &in_memory(&tree))?;
    // Change the first element of the first non-empty f8 leaf at the top.
    let Some(name) = tree.iter().find_map(|(k, v)| match v {
        Value::Array(Array::F64(a)) if !a.is_empty() => Some(k.clone()),
        _ => None,
    }) else {
        return Ok(());
    };
    let f = common::reopened(&h5, f, "r+");
    let leaf = f.leaf(&name).unwrap();
    let shape = leaf.shape().unwrap();
    let mut sel = qnd::Selection::new();
    for _ in &shape {
        sel = sel.index(0);
    }
    let old: f64 = leaf.read_part(sel.clone()).unwrap();
    let new = if old == 1.0 { 2.0 } else { 1.0 };
    leaf.write_part(sel, new).unwrap();
    for other in [&nc, &mem] {
        let d = qnd::diff(&f, other, &qnd::Tolerance::EXACT).unwrap();
        prop_assert_eq!(d.len(), 1, "{}", d);
        let qnd::Change::Values(v) = &d.differences()[0].change else {
            return Err(TestCaseError::fail(format!("expected values: {d}")));
        };
        prop_assert_eq!(&d.differences()[0].path, &format!("/{name}"));
        prop_assert_eq!(&v.first, &vec![0; shape.len()]);
        prop_assert_eq!(v.count, 1);
    }
    f.close().unwrap();
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

#[cfg(feature = "netcdf")]
proptest! {
    #![proptest_config(common::proptest_config(32))]

    #[test]
    fn hdf5_converted_to_netcdf4_and_memory(tree in root()) {
        converted(tree)?;
    }
}
