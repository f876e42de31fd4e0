//! Property test: random trees (groups, lists, leaves of every dtype and
//! up to three axes, empty ones included, record nodes, None, attributes)
//! written through the trait into a new PDB file and a `MemoryStorage`,
//! flushed, reopened with `open_rw`, appended to (more records of every
//! root record node, a new leaf), closed, and read back the same.

use proptest::prelude::*;
use qnd_pdb::snapshot::ByteOrder;
use qnd_pdb::PdbStorage;
use qnd_storage::conformance::{check_same, sample};
use qnd_storage::{Array, DType, Kind, LeafSpec, MemoryStorage, NodeId, Run, Storage};

#[derive(Clone, Debug)]
enum Item {
    Leaf(DType, Vec<usize>),
    Records(DType, Vec<usize>, usize),
    None,
    Group(Vec<Item>),
    List(Vec<Item>),
}

fn dtype() -> impl Strategy<Value = DType> {
    prop::sample::select(DType::ALL.to_vec())
}

/// Attributes of an item: dtype and shape.
type Attrs = Vec<(DType, Vec<usize>)>;

fn tree() -> impl Strategy<Value = Vec<(Item, Attrs)>> {
    let leaf = prop_oneof![
        (dtype(), prop::collection::vec(0usize..4, 0..=3)).prop_map(|(d, s)| Item::Leaf(d, s)),
        (dtype(), prop::collection::vec(1usize..3, 0..=2), 0usize..4)
            .prop_map(|(d, s, n)| Item::Records(d, s, n)),
        Just(Item::None),
    ];
    let node = leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Item::Group),
            prop::collection::vec(inner, 0..5).prop_map(Item::List),
        ]
    });
    let attrs = prop::collection::vec((dtype(), prop::collection::vec(0usize..3, 0..=2)), 0..3);
    prop::collection::vec((node, attrs), 0..8)
}

/// The widest string of `a` (at least 1 byte).
fn width(a: &Array) -> usize {
    match a {
        Array::Str(v) => v.iter().map(String::len).max().unwrap_or(0).max(1),
        _ => 1,
    }
}

fn build<S: Storage>(s: &mut S, parent: NodeId, name: &str, item: &Item) -> NodeId {
    match item {
        Item::Leaf(d, shape) => {
            let a = sample(*d, shape);
            let spec = LeafSpec {
                dtype: *d,
                shape: shape.clone(),
                records: false,
                text_len: width(&a),
            };
            let id = s.create_leaf(parent, name, &spec).unwrap();
            s.write(id, &Run::whole(shape), &a).unwrap();
            id
        }
        Item::Records(d, shape, n) => {
            let mut all = vec![*n];
            all.extend_from_slice(shape);
            let a = sample(*d, &all);
            let mut most = vec![8];
            most.extend_from_slice(shape);
            let spec = LeafSpec {
                dtype: *d,
                shape: shape.clone(),
                records: true,
                text_len: width(&sample(*d, &most)),
            };
            let id = s.create_leaf(parent, name, &spec).unwrap();
            s.append_records(id, &a).unwrap();
            id
        }
        Item::None => s.create_none(parent, name).unwrap(),
        Item::Group(members) => {
            let g = s.create_group(parent, name).unwrap();
            for (k, m) in members.iter().enumerate() {
                build(s, g, &format!("m\u{e9}{k}"), m);
            }
            g
        }
        Item::List(members) => {
            let g = s.create_group(parent, name).unwrap();
            s.create_none(g, "_").unwrap();
            for (k, m) in members.iter().enumerate() {
                build(s, g, &format!("_{k}"), m);
            }
            g
        }
    }
}

/// More records for every record node of the root, and a new leaf.
fn more<S: Storage>(s: &mut S) {
    let root = s.root();
    for name in s.names(root).unwrap() {
        let (id, kind) = s.lookup(root, &name).unwrap().unwrap();
        if kind == Kind::Records {
            let info = s.info(id).unwrap();
            let mut shape = vec![2];
            shape.extend_from_slice(info.record_shape());
            s.append_records(id, &sample(info.dtype, &shape)).unwrap();
        }
    }
    let id = s
        .create_leaf(
            root,
            "late",
            &LeafSpec {
                dtype: DType::I32,
                shape: vec![3],
                records: false,
                text_len: 1,
            },
        )
        .unwrap();
    s.write(id, &Run::whole(&[3]), &sample(DType::I32, &[3]))
        .unwrap();
    s.set_attr(id, "late_attr", &sample(DType::F64, &[2]))
        .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn any_tree_round_trips(nodes in tree(), big in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.pdb");
        let order = if big { ByteOrder::Big } else { ByteOrder::Little };
        let mut m = MemoryStorage::new();
        let mut f = PdbStorage::create(&path, order, true).unwrap();
        for (k, (item, attrs)) in nodes.iter().enumerate() {
            let name = format!("x{k}");
            let (mr, fr) = (m.root(), f.root());
            let a = build(&mut m, mr, &name, item);
            let b = build(&mut f, fr, &name, item);
            for (j, (d, shape)) in attrs.iter().enumerate() {
                m.set_attr(a, &format!("a{j}"), &sample(*d, shape)).unwrap();
                f.set_attr(b, &format!("a{j}"), &sample(*d, shape)).unwrap();
            }
        }
        check_same(&mut f, &mut m);
        f.close().unwrap();
        drop(f);
        let mut f = PdbStorage::open_rw(&path).unwrap();
        check_same(&mut f, &mut m);
        more(&mut m);
        more(&mut f);
        f.close().unwrap();
        drop(f);
        let mut back = PdbStorage::open(&path).unwrap();
        check_same(&mut back, &mut m);
        // and read by the tests' own parser, not the crate's reader
        let mut other = crate::snapshot::pdbparse::to_memory(&std::fs::read(&path).unwrap()).unwrap();
        check_same(&mut other, &mut m);
    }
}
