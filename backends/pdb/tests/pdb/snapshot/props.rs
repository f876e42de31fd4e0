//! Property test: any tree of groups, lists, leaves (every dtype, any
//! shape up to three axes, empty ones included), record nodes (no records
//! included), None and attributes, written by the snapshot writer in
//! either byte order, reads back through `PdbStorage::open` as it was.

use proptest::prelude::*;
use qnd_pdb::snapshot::{self, ByteOrder};
use qnd_pdb::PdbStorage;
use qnd_storage::conformance::{check_same, sample};
use qnd_storage::{DType, LeafSpec, MemoryStorage, NodeId, Run, Storage};

#[derive(Clone, Debug)]
enum Item {
    Leaf(DType, Vec<usize>),
    Records(DType, Vec<usize>, usize),
    None,
    Group(Vec<Item>),
    List(Vec<Item>),
}

#[derive(Clone, Debug)]
struct Node {
    item: Item,
    /// Attributes (dtype, shape), on the items of the root only.
    attrs: Vec<(DType, Vec<usize>)>,
}

fn dtype() -> impl Strategy<Value = DType> {
    prop::sample::select(DType::ALL.to_vec())
}

fn shape(max: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..max, 0..=3)
}

fn attrs() -> impl Strategy<Value = Vec<(DType, Vec<usize>)>> {
    prop::collection::vec((dtype(), prop::collection::vec(0usize..3, 0..=2)), 0..3)
}

fn tree() -> impl Strategy<Value = Vec<Node>> {
    let leaf = prop_oneof![
        (dtype(), shape(4)).prop_map(|(d, s)| Item::Leaf(d, s)),
        // records of no elements are refused (tested apart)
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
    prop::collection::vec((node, attrs()), 0..8).prop_map(|v| {
        v.into_iter()
            .map(|(item, attrs)| Node { item, attrs })
            .collect()
    })
}

fn build(s: &mut MemoryStorage, parent: NodeId, name: &str, item: &Item) -> NodeId {
    match item {
        Item::Leaf(d, shape) => {
            let a = sample(*d, shape);
            let spec = LeafSpec {
                dtype: *d,
                shape: shape.clone(),
                records: false,
                text_len: 6,
            };
            let id = s.create_leaf(parent, name, &spec).unwrap();
            s.write(id, &Run::whole(shape), &a).unwrap();
            id
        }
        Item::Records(d, shape, n) => {
            let spec = LeafSpec {
                dtype: *d,
                shape: shape.clone(),
                records: true,
                text_len: 6,
            };
            let id = s.create_leaf(parent, name, &spec).unwrap();
            let mut all = vec![*n];
            all.extend_from_slice(shape);
            s.append_records(id, &sample(*d, &all)).unwrap();
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_tree_round_trips(nodes in tree(), big in any::<bool>()) {
        let mut s = MemoryStorage::new();
        let root = s.root();
        for (k, n) in nodes.iter().enumerate() {
            let id = build(&mut s, root, &format!("x{k}"), &n.item);
            for (j, (d, shape)) in n.attrs.iter().enumerate() {
                s.set_attr(id, &format!("a{j}"), &sample(*d, shape)).unwrap();
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.pdb");
        let order = if big { ByteOrder::Big } else { ByteOrder::Little };
        snapshot::write(&mut s, &path, order).unwrap();
        let mut back = PdbStorage::open(&path).unwrap();
        check_same(&mut back, &mut s);
    }
}
