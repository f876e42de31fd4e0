//! qnd over the HDF5 backend (`qnd-hdf5`), where the backend's own tests
//! cannot go without the tree: files written by LLNL's Python qnd dumped
//! through the storage read as their JSON (through [`qnd::to_json`]),
//! odd files from other tools read as trees, and recording through the
//! tree. The backend's storage-level tests are `qnd-hdf5`'s own
//! (`cargo test -p qnd-hdf5`).
#![cfg(feature = "hdf5")]

mod common;

use common::fixtures;
use ndarray::ArrayD;
use qnd::backend::{NodeId, Run, Storage};
use qnd::{Array, DType, Kind, Recording, Value};
use qnd_hdf5::{hdf5, Hdf5Storage};

fn whole(s: &mut Hdf5Storage, id: NodeId) -> qnd::Array {
    let info = s.info(id).unwrap();
    let a = s.read(id, &Run::whole(&info.shape)).unwrap();
    assert_eq!(a.shape(), &info.shape[..]);
    a
}

fn is_list(names: &[String]) -> bool {
    names.iter().any(|n| n == "_")
        && names.iter().all(|n| {
            n == "_"
                || (n.len() > 1 && n.starts_with('_') && n[1..].bytes().all(|b| b.is_ascii_digit()))
        })
}

/// The tree as auto mode 2 reads it (lists, record lists), read through
/// the storage alone, to compare with the fixtures' JSON.
fn dump(s: &mut Hdf5Storage, id: NodeId, kind: Kind) -> Value {
    match kind {
        Kind::None => Value::None,
        Kind::Other => panic!("an item qnd has no kind for: {:?}", s.other_type(id)),
        Kind::Leaf => Value::Array(whole(s, id)),
        Kind::Records => {
            let info = s.info(id).unwrap();
            Value::List(
                (0..info.shape[0])
                    .map(|i| {
                        let mut slab = vec![Run::one(i)];
                        slab.extend(Run::whole(&info.shape[1..]));
                        let a = s.read(id, &slab).unwrap();
                        Value::Array(a.into_shape(&info.shape[1..]).unwrap())
                    })
                    .collect(),
            )
        }
        Kind::Group | Kind::List => {
            let names = s.names(id).unwrap();
            if is_list(&names) {
                Value::List(
                    (0..names.len() - 1)
                        .map(|k| {
                            let (c, kind) = s.lookup(id, &format!("_{k}")).unwrap().unwrap();
                            dump(s, c, kind)
                        })
                        .collect(),
                )
            } else {
                let mut group = Value::group();
                let Value::Group(m) = &mut group else {
                    unreachable!("a group")
                };
                for n in names {
                    let (c, kind) = s.lookup(id, &n).unwrap().unwrap();
                    m.insert(n, dump(s, c, kind));
                }
                group
            }
        }
    }
}

/// Fixture `name` dumped through the storage is its JSON (`X.h5.json`).
fn check_against_json(name: &str) {
    let Some(p) = fixtures::path(name) else {
        return;
    };
    let want = fixtures::expected_json(&p);
    let mut s = Hdf5Storage::open(&p, false).unwrap();
    let root = s.root();
    let got = qnd::to_json(&dump(&mut s, root, Kind::Group));
    assert_eq!(got, want, "{name}");
    s.close().unwrap();
}

#[test]
fn fixture_types_json() {
    check_against_json("types.h5");
}

#[test]
fn fixture_tree_json() {
    check_against_json("tree.h5");
}

#[test]
fn fixture_history_json() {
    check_against_json("history.h5");
}

/// Odd shapes from other tools, read as a tree: a group `_`, `_0`, `_2`
/// has a gap, so it is a plain group and every member stays readable; a
/// dataset too large to address is an error naming it; a dataset with two
/// unlimited axes is a plain (empty) leaf. (What the storage makes of the
/// same file is `odd_shapes_through_the_storage`.)
#[test]
fn odd_shapes_and_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("odd.h5");
    write_odd_file(&file);
    let f = qnd::open(&file, "r").unwrap();
    assert_eq!(f.kind("gappy").unwrap(), Kind::Group);
    let g = f.group("gappy").unwrap();
    assert_eq!(g.names().unwrap(), ["_", "_0", "_2"]);
    assert_eq!(g.read::<i32>("_2").unwrap(), 7);
    let e = f.get("huge").unwrap_err();
    assert!(e.to_string().contains("/huge"), "{e}");
    let two = f.read::<ArrayD<f64>>("two_unlimited").unwrap();
    assert_eq!(two.shape(), [0, 0]);
}

/// Odd shapes from other tools: only a dataset whose leading axis alone is
/// unlimited is a record variable; a dataset too large to address is an
/// error on lookup (no overflow, no abort); a group `_`, `_0`, `_2` is a
/// group like any other, every member readable. (That the tree sees the
/// gap, so it is a plain group and not a list, is `odd_shapes_and_gaps`.)
#[test]
fn odd_shapes_through_the_storage() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("odd.h5");
    write_odd_file(&file);
    let mut s = Hdf5Storage::open(&file, false).unwrap();
    let root = s.root();
    assert_eq!(member(&mut s, "two_unlimited").1, Kind::Leaf);
    assert_eq!(member(&mut s, "late_unlimited").1, Kind::Leaf);
    let (late, _) = member(&mut s, "late_unlimited");
    assert_eq!(s.info(late).unwrap().shape, vec![2, 0]);
    let e = s.lookup(root, "huge").unwrap_err();
    assert!(e.to_string().contains("too many elements"), "{e}");
    let (two, _) = member(&mut s, "two_unlimited");
    assert_eq!(whole(&mut s, two), Array::zeros(DType::F64, &[0, 0]));
    let (g, kind) = member(&mut s, "gappy");
    assert_eq!(kind, Kind::Group);
    assert_eq!(s.names(g).unwrap(), ["_", "_0", "_2"]);
    let (x, _) = s.lookup(g, "_2").unwrap().expect("_2");
    assert_eq!(whole(&mut s, x), Array::scalar(7i32));
    s.close().unwrap();
}

/// Node and kind of member `name` of the root, through the storage alone.
fn member(s: &mut Hdf5Storage, name: &str) -> (NodeId, Kind) {
    let root = s.root();
    s.lookup(root, name).unwrap().expect(name)
}

/// Write at `file`, with the hdf5 crate, what other tools may: f64
/// datasets `two_unlimited` (both axes unlimited, empty) and
/// `late_unlimited` (2 rows, the second axis unlimited), `huge` (u8,
/// 2^31 x 2^31, too large to address), and a group `gappy` holding the
/// i32 scalars `_`, `_0` and `_2` (7 each): a list's names with a gap.
fn write_odd_file(file: &std::path::Path) {
    let f = hdf5::File::create(file).unwrap();
    f.new_dataset::<f64>()
        .shape((0.., 0..))
        .chunk((2, 2))
        .create("two_unlimited")
        .unwrap();
    f.new_dataset::<f64>()
        .shape((2, 0..))
        .chunk((2, 2))
        .create("late_unlimited")
        .unwrap();
    f.new_dataset::<u8>()
        .shape((1usize << 31, 1usize << 31))
        .chunk((1, 1))
        .create("huge")
        .unwrap();
    let g = f.create_group("gappy").unwrap();
    for name in ["_", "_0", "_2"] {
        g.new_dataset::<i32>()
            .shape(())
            .create(name)
            .unwrap()
            .write_scalar(&7)
            .unwrap();
    }
}

/// Recording through the tree in mode 1 (record variables) and mode 2
/// (lists), reading as it goes. (That it opens no HDF5 object per record
/// is checked at the storage level by `qnd-hdf5`'s
/// `recording_opens_nothing_per_record`.)
#[test]
fn recording_through_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let f = qnd::open(dir.path().join("hot.h5"), "w").unwrap();
    let g = f.create_group("g").unwrap();
    let step = |k: usize| {
        f.set_recording(Recording::Uniform);
        f.set("time", k as f64).unwrap();
        f.set("xy", vec![k as f32; 4]).unwrap();
        g.set_recording(Recording::Uniform);
        g.set("e", k as i64).unwrap();
        f.set_recording(Recording::Any);
        f.set("any", Value::from(vec![1u8; k % 3])).unwrap();
        assert_eq!(f.current_record(), Some(k as isize), "record {k}");
        assert_eq!(f.read::<f64>("time").unwrap(), k as f64);
    };
    for k in 0..200 {
        step(k);
    }
    f.goto_off();
    assert_eq!(f.read::<Vec<f64>>("time").unwrap().len(), 200);
}
