//! The storage-level conformance kit: what every backend must do, checked
//! on the [`Storage`] trait alone, with no tree above it.
//!
//! A backend's tests implement [`Maker`] (new empty files, and reopening
//! one) and call [`run_all`]; every check asks the backend's
//! [`Capabilities`] first and checks that what it cannot hold is refused
//! with an error, never a panic. The tree-level suite (qnd's
//! `tests/conformance`) checks qnd's semantics on top.
//!
//! ```
//! use qnd_storage::conformance::{run_all, Maker};
//! use qnd_storage::MemoryStorage;
//!
//! struct Memory;
//! impl Maker for Memory {
//!     type Storage = MemoryStorage;
//!     fn create(&mut self) -> MemoryStorage {
//!         MemoryStorage::new()
//!     }
//!     fn has_files(&self) -> bool {
//!         false // no file to open again
//!     }
//!     fn reopen(&mut self, s: MemoryStorage) -> MemoryStorage {
//!         s
//!     }
//! }
//! run_all(&mut Memory);
//! ```
//!
//! The read part is for backends that read files they do not write (or
//! write only whole, as a snapshot): their tests implement [`ReadMaker`]
//! (a read-only file holding what a reference tree in a
//! [`MemoryStorage`] holds) and call [`run_reads`], which checks the file
//! against [`reference_tree`] through the trait alone; [`check_same`]
//! compares any file with any reference tree (for property tests).

use ndarray::{ArrayD, IxDyn};

use crate::{
    Array, Capabilities, DType, Kind, LeafSpec, LinkTarget, NodeId, Run, Storage, StorageError,
};

/// Makes files of one backend for the checks.
pub trait Maker {
    /// The backend.
    type Storage: Storage;
    /// A new, empty, writable file.
    fn create(&mut self) -> Self::Storage;
    /// Whether the backend has files that [`Maker::reopen`] opens again
    /// (false for a backend held in memory).
    fn has_files(&self) -> bool;
    /// Close `storage` and open its file again, writable (called only when
    /// [`Maker::has_files`]).
    fn reopen(&mut self, storage: Self::Storage) -> Self::Storage;
}

/// Every check, in turn; panics naming the check and the backend at the
/// first failure.
pub fn run_all<M: Maker>(maker: &mut M) {
    groups_and_names(maker);
    none_members(maker);
    leaves_of_every_dtype(maker);
    hyperslabs(maker);
    empty_and_scalar_leaves(maker);
    records(maker);
    complex_records(maker);
    attributes(maker);
    refusals(maker);
    removal(maker);
    links(maker);
}

/// `n` elements of `dtype`, all different where the type allows, in shape
/// `shape`.
pub fn sample(dtype: DType, shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    let shape = IxDyn(shape);
    macro_rules! num {
        ($v:ident, $t:ty) => {
            Array::$v(
                ArrayD::from_shape_vec(shape, (0..n).map(|k| (k % 100 + 1) as $t).collect())
                    .expect("n elements"),
            )
        };
    }
    match dtype {
        DType::I8 => num!(I8, i8),
        DType::I16 => num!(I16, i16),
        DType::I32 => num!(I32, i32),
        DType::I64 => num!(I64, i64),
        DType::U8 => num!(U8, u8),
        DType::U16 => num!(U16, u16),
        DType::U32 => num!(U32, u32),
        DType::U64 => num!(U64, u64),
        DType::F32 => num!(F32, f32),
        DType::F64 => num!(F64, f64),
        DType::C8 => Array::C8(
            ArrayD::from_shape_vec(
                shape,
                (0..n)
                    .map(|k| crate::Complex::new((k % 100 + 1) as f32, -((k % 7) as f32) - 0.5))
                    .collect(),
            )
            .expect("n elements"),
        ),
        DType::C16 => Array::C16(
            ArrayD::from_shape_vec(
                shape,
                (0..n)
                    .map(|k| crate::Complex::new((k % 100 + 1) as f64, -((k % 7) as f64) - 0.25))
                    .collect(),
            )
            .expect("n elements"),
        ),
        DType::Bool => Array::Bool(
            ArrayD::from_shape_vec(shape, (0..n).map(|k| k % 3 == 0).collect())
                .expect("n elements"),
        ),
        DType::Str => Array::Str(
            ArrayD::from_shape_vec(shape, (0..n).map(|k| format!("s{k}")).collect())
                .expect("n elements"),
        ),
    }
}

fn spec(dtype: DType, shape: &[usize], records: bool) -> LeafSpec {
    LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 8,
    }
}

/// Close `s`; for a maker with files, open its file again first and run
/// `check` on it and its root (then close it again).
fn reopened<M: Maker>(
    maker: &mut M,
    mut s: M::Storage,
    check: impl FnOnce(&mut M::Storage, NodeId),
) {
    if maker.has_files() {
        let mut s = maker.reopen(s);
        let root = s.root();
        check(&mut s, root);
        s.close().unwrap();
    } else {
        s.close().unwrap();
    }
}

fn lookup<S: Storage>(s: &mut S, group: NodeId, name: &str) -> (NodeId, Kind) {
    s.lookup(group, name)
        .unwrap_or_else(|e| panic!("{}: lookup {name:?}: {e}", s.backend_name()))
        .unwrap_or_else(|| panic!("{}: no member {name:?}", s.backend_name()))
}

/// Groups (where the backend has them), member names in creation order,
/// lookups of present and missing members, and the root.
pub fn groups_and_names<M: Maker>(maker: &mut M) {
    let mut s = maker.create();
    let b = s.backend_name();
    let root = s.root();
    assert!(
        s.names(root).unwrap().is_empty(),
        "{b}: a new file is empty"
    );
    assert!(
        s.lookup(root, "nothing").unwrap().is_none(),
        "{b}: missing member"
    );
    let caps = s.capabilities();
    let order = ["zeta", "alpha", "mid"];
    for name in order {
        s.create_leaf(root, name, &spec(DType::F64, &[2], false))
            .unwrap_or_else(|e| panic!("{b}: create {name}: {e}"));
    }
    if caps.groups {
        let g = s.create_group(root, "g").unwrap();
        let inner = s.create_group(g, "inner").unwrap();
        s.create_leaf(inner, "x", &spec(DType::I32, &[3], false))
            .unwrap();
        assert_eq!(lookup(&mut s, root, "g"), (g, Kind::Group), "{b}");
        assert_eq!(lookup(&mut s, g, "inner"), (inner, Kind::Group), "{b}");
        assert_eq!(s.names(g).unwrap(), ["inner"], "{b}");
    }
    let names = s.names(root).unwrap();
    assert_eq!(&names[..3], order, "{b}: names come back in creation order");
    assert_eq!(lookup(&mut s, root, "alpha").1, Kind::Leaf, "{b}");
    s.flush().unwrap();
    reopened(maker, s, |s, root| {
        assert_eq!(
            &s.names(root).unwrap()[..3],
            order,
            "{b}: order kept in the file"
        );
        if caps.groups {
            let (g, _) = lookup(s, root, "g");
            let (inner, _) = lookup(s, g, "inner");
            assert_eq!(lookup(s, inner, "x").1, Kind::Leaf, "{b}");
        }
    });
}

/// None members.
pub fn none_members<M: Maker>(maker: &mut M) {
    let mut s = maker.create();
    let b = s.backend_name();
    let root = s.root();
    let id = s.create_none(root, "nothing").unwrap();
    assert_eq!(lookup(&mut s, root, "nothing"), (id, Kind::None), "{b}");
    reopened(maker, s, |s, root| {
        assert_eq!(lookup(s, root, "nothing").1, Kind::None, "{b}: None kept");
    });
}

/// A leaf of every element type the backend holds: written whole, read
/// back whole, with its dtype and shape.
pub fn leaves_of_every_dtype<M: Maker>(maker: &mut M) {
    let mut s = maker.create();
    let b = s.backend_name();
    let caps = s.capabilities();
    let root = s.root();
    let held: Vec<DType> = DType::ALL
        .into_iter()
        .filter(|&d| caps.holds_leaf(d))
        .collect();
    for &d in &held {
        let name = format!("x_{}", d.code());
        let a = sample(d, &[2, 3]);
        let id = s
            .create_leaf(root, &name, &spec(d, &[2, 3], false))
            .unwrap();
        s.write(id, &Run::whole(&[2, 3]), &a)
            .unwrap_or_else(|e| panic!("{b}: write {name}: {e}"));
        let info = s.info(id).unwrap();
        assert_eq!((info.dtype, info.shape), (d, vec![2, 3]), "{b}: {name}");
        assert_eq!(s.read(id, &Run::whole(&[2, 3])).unwrap(), a, "{b}: {name}");
    }
    reopened(maker, s, |s, root| {
        for &d in &held {
            let name = format!("x_{}", d.code());
            let (id, kind) = lookup(s, root, &name);
            assert_eq!(kind, Kind::Leaf, "{b}: {name}");
            assert_eq!(s.info(id).unwrap().dtype, d, "{b}: {name} dtype kept");
            assert_eq!(
                s.read(id, &Run::whole(&[2, 3])).unwrap(),
                sample(d, &[2, 3]),
                "{b}: {name} kept"
            );
        }
    });
}

/// Hyperslabs with strides and single indices, read and written.
pub fn hyperslabs<M: Maker>(maker: &mut M) {
    let mut s = maker.create();
    let b = s.backend_name();
    let root = s.root();
    let full = sample(DType::F64, &[5, 6]);
    let id = s
        .create_leaf(root, "m", &spec(DType::F64, &[5, 6], false))
        .unwrap();
    s.write(id, &Run::whole(&[5, 6]), &full).unwrap();
    let slab = [Run::strided(1, 2, 2), Run::strided(0, 2, 3)];
    let got = s.read(id, &slab).unwrap();
    assert_eq!(got, full.take_slab(&slab), "{b}: strided read");
    let patch = sample(DType::F64, &[2, 2]);
    s.write(id, &slab, &patch).unwrap();
    assert_eq!(s.read(id, &slab).unwrap(), patch, "{b}: strided write");
    let one = [Run::one(4), Run::one(5)];
    assert_eq!(
        s.read(id, &one).unwrap(),
        full.take_slab(&one),
        "{b}: one element untouched by the write"
    );
    s.close().unwrap();
}

/// Leaves with a zero-length axis, and scalars.
pub fn empty_and_scalar_leaves<M: Maker>(maker: &mut M) {
    let mut s = maker.create();
    let b = s.backend_name();
    let root = s.root();
    let e = s
        .create_leaf(root, "empty", &spec(DType::I32, &[0, 3], false))
        .unwrap();
    let x = s
        .create_leaf(root, "x", &spec(DType::F64, &[], false))
        .unwrap();
    s.write(x, &[], &Array::scalar(2.5f64)).unwrap();
    let check = |s: &mut M::Storage, e: NodeId, x: NodeId| {
        assert_eq!(s.info(e).unwrap().shape, [0, 3], "{b}: empty shape");
        assert_eq!(
            s.read(e, &Run::whole(&[0, 3])).unwrap().shape(),
            [0, 3],
            "{b}: empty read"
        );
        assert_eq!(s.info(x).unwrap().shape, Vec::<usize>::new(), "{b}");
        assert_eq!(
            s.read(x, &[]).unwrap(),
            Array::scalar(2.5f64),
            "{b}: scalar"
        );
    };
    check(&mut s, e, x);
    reopened(maker, s, |s, root| {
        let (e, _) = lookup(s, root, "empty");
        let (x, _) = lookup(s, root, "x");
        check(s, e, x);
    });
}

/// Record nodes: created with no records, appended to many at a time and
/// one at a time, read in hyperslabs across appends, a record rewritten.
pub fn records<M: Maker>(maker: &mut M) {
    let mut s = maker.create();
    let b = s.backend_name();
    let root = s.root();
    let id = s
        .create_leaf(root, "r", &spec(DType::F64, &[2], true))
        .unwrap();
    assert_eq!(lookup(&mut s, root, "r"), (id, Kind::Records), "{b}");
    assert_eq!(s.info(id).unwrap().shape, [0, 2], "{b}: no records yet");
    let three = sample(DType::F64, &[3, 2]);
    s.append_records(id, &three).unwrap();
    let one = Array::F64(ArrayD::from_elem(IxDyn(&[2]), 9.0));
    s.append(id, &one).unwrap();
    assert_eq!(s.info(id).unwrap().shape, [4, 2], "{b}: four records");
    let all = s.read(id, &Run::whole(&[4, 2])).unwrap();
    let mut want = three.clone();
    want.append_rows(&one.clone().into_shape(&[1, 2]).unwrap())
        .unwrap();
    assert_eq!(all, want, "{b}: records read whole");
    let rows = [Run::strided(1, 2, 2), Run::one(1)];
    assert_eq!(s.read(id, &rows).unwrap(), want.take_slab(&rows), "{b}");
    let new = Array::F64(ArrayD::from_elem(IxDyn(&[1, 2]), -1.0));
    s.write(id, &[Run::one(0), Run::all(2)], &new).unwrap();
    assert_eq!(
        s.read(id, &[Run::one(0), Run::all(2)]).unwrap(),
        new,
        "{b}: record rewritten"
    );
    s.flush().unwrap();
    reopened(maker, s, |s, root| {
        let (id, kind) = lookup(s, root, "r");
        assert_eq!(kind, Kind::Records, "{b}");
        assert_eq!(s.info(id).unwrap().shape, [4, 2], "{b}: records kept");
        s.append(id, &one).unwrap();
        assert_eq!(
            s.info(id).unwrap().shape,
            [5, 2],
            "{b}: appended after reopening"
        );
    });
}

/// Record nodes of complex scalars (`c16`) and arrays (`c8`), where the
/// backend holds complex ([`Capabilities::holds_leaf`]): appended many
/// and one at a time, read in hyperslabs, a record rewritten, kept in the
/// file. (A backend without complex refuses it: see [`refusals`].)
pub fn complex_records<M: Maker>(maker: &mut M) {
    let mut s = maker.create();
    let b = s.backend_name();
    let caps = s.capabilities();
    if !(caps.holds_leaf(DType::C8) && caps.holds_leaf(DType::C16)) {
        s.close().unwrap();
        return;
    }
    let root = s.root();
    let z = s
        .create_leaf(root, "z", &spec(DType::C16, &[], true))
        .unwrap();
    let a = s
        .create_leaf(root, "a", &spec(DType::C8, &[2], true))
        .unwrap();
    let zs = sample(DType::C16, &[3]);
    let as_ = sample(DType::C8, &[3, 2]);
    s.append_records(z, &zs).unwrap();
    s.append_records(a, &as_).unwrap();
    let one_z = Array::scalar(crate::Complex::new(f64::NAN, -0.0));
    let one_a = sample(DType::C8, &[2]);
    s.append(z, &one_z).unwrap();
    s.append(a, &one_a).unwrap();
    let mut want_z = zs.clone();
    want_z.append_rows(&one_z.to_batch_of_one()).unwrap();
    let mut want_a = as_.clone();
    want_a.append_rows(&one_a.to_batch_of_one()).unwrap();
    let check = |s: &mut M::Storage, z: NodeId, a: NodeId, want_a: &Array| {
        assert_eq!(s.info(z).unwrap().dtype, DType::C16, "{b}");
        assert_eq!(s.info(a).unwrap().shape, [4, 2], "{b}");
        let got = s.read(z, &Run::whole(&[4])).unwrap();
        // NaN parts compare by their bits
        let bits = |x: &Array| match x {
            Array::C16(v) => v
                .iter()
                .map(|c| (c.re.to_bits(), c.im.to_bits()))
                .collect::<Vec<_>>(),
            other => panic!("{b}: c16 records read as {}", other.dtype()),
        };
        assert_eq!(bits(&got), bits(&want_z), "{b}: c16 records");
        assert_eq!(&s.read(a, &Run::whole(&[4, 2])).unwrap(), want_a, "{b}");
        let rows = [Run::strided(1, 2, 2), Run::one(1)];
        assert_eq!(s.read(a, &rows).unwrap(), want_a.take_slab(&rows), "{b}");
    };
    check(&mut s, z, a, &want_a);
    let new = Array::C8(ArrayD::from_elem(
        IxDyn(&[1, 2]),
        crate::Complex::new(-1.0, 0.5),
    ));
    s.write(a, &[Run::one(3), Run::all(2)], &new).unwrap();
    let want_a = {
        let mut w = want_a.take_slab(&[Run::all(3), Run::all(2)]);
        w.append_rows(&new).unwrap();
        w
    };
    check(&mut s, z, a, &want_a);
    s.flush().unwrap();
    reopened(maker, s, |s, root| {
        let (z, kind) = lookup(s, root, "z");
        assert_eq!(kind, Kind::Records, "{b}");
        let (a, _) = lookup(s, root, "a");
        check(s, z, a, &want_a);
    });
}

/// Attributes of the root and of a leaf: every type and shape the
/// backend holds, names in creation order, replaced by another type.
pub fn attributes<M: Maker>(maker: &mut M) {
    let mut s = maker.create();
    let b = s.backend_name();
    let caps = s.capabilities();
    let root = s.root();
    let x = s
        .create_leaf(root, "x", &spec(DType::F64, &[2], false))
        .unwrap();
    let mut kept = Vec::new();
    for d in DType::ALL {
        for shape in [&[][..], &[3][..], &[2, 2][..]] {
            if !caps.holds_attr(d, shape) {
                continue;
            }
            let name = format!("a_{}_{}", d.code(), shape.len());
            let a = sample(d, shape);
            s.set_attr(x, &name, &a)
                .unwrap_or_else(|e| panic!("{b}: attribute {name}: {e}"));
            kept.push((name, a));
        }
    }
    let names: Vec<String> = kept.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(s.attr_names(x).unwrap(), names, "{b}: attribute order");
    s.set_attr(root, "version", &Array::scalar(3i32)).unwrap();
    s.set_attr(root, "version", &Array::scalar(String::from("three")))
        .unwrap();
    assert_eq!(
        s.get_attr(root, "version").unwrap(),
        Some(Array::scalar(String::from("three"))),
        "{b}: replaced with another type"
    );
    assert_eq!(s.get_attr(x, "missing").unwrap(), None, "{b}");
    let check = |s: &mut M::Storage, x: NodeId| {
        for (name, a) in &kept {
            let got = s.get_attr(x, name).unwrap();
            assert_eq!(got.as_ref(), Some(a), "{b}: attribute {name}");
        }
    };
    check(&mut s, x);
    reopened(maker, s, |s, root| {
        let (x, _) = lookup(s, root, "x");
        check(s, x);
    });
}

/// What the capabilities say a backend cannot hold is refused with an
/// error (and the file stays usable); what they say it holds is not.
pub fn refusals<M: Maker>(maker: &mut M) {
    let mut s = maker.create();
    let b = s.backend_name();
    let caps: Capabilities = s.capabilities();
    let root = s.root();
    assert_eq!(
        s.create_group(root, "g").is_ok(),
        caps.groups,
        "{b}: groups as the capabilities say"
    );
    for d in DType::ALL {
        if !caps.holds_leaf(d) {
            let name = format!("no_{}", d.code());
            assert!(
                s.create_leaf(root, &name, &spec(d, &[2], false)).is_err(),
                "{b}: a {d} leaf is refused"
            );
        }
        for shape in [&[][..], &[3][..], &[2, 2][..]] {
            if !caps.holds_attr(d, shape) {
                let name = format!("no_{}_{}", d.code(), shape.len());
                assert!(
                    s.set_attr(root, &name, &sample(d, shape)).is_err(),
                    "{b}: a {d} attribute of shape {shape:?} is refused"
                );
            }
        }
    }
    if !caps.virtual_datasets {
        assert!(
            s.create_virtual(root, "v", DType::F64, &[2], &[]).is_err(),
            "{b}: no virtual datasets"
        );
    }
    // text: the width a backend reports is the one it holds to
    let text = |n: usize| {
        Array::Str(ArrayD::from_shape_vec(&[][..], vec!["x".repeat(n)]).expect("one element"))
    };
    for records in [false, true] {
        let name = if records { "text_records" } else { "text_leaf" };
        let id = s
            .create_leaf(root, name, &spec(DType::Str, &[], records))
            .unwrap();
        let put = |s: &mut M::Storage, a: &Array| {
            if records {
                s.append(id, a)
            } else {
                s.write(id, &Run::whole(&[]), a)
            }
        };
        match s.text_width(id).unwrap() {
            Some(w) => {
                assert_eq!(w, 8, "{b}: the text width created");
                assert!(put(&mut s, &text(w)).is_ok(), "{b}: text of the width");
                assert!(
                    put(&mut s, &text(w + 1)).is_err(),
                    "{b}: text wider than text_width is refused"
                );
            }
            None => assert!(
                put(&mut s, &text(20)).is_ok(),
                "{b}: text with no width reported has no limit"
            ),
        }
    }
    let id = s
        .create_leaf(root, "number", &spec(DType::F64, &[], false))
        .unwrap();
    assert_eq!(s.text_width(id).unwrap(), None, "{b}: no width but text");
    // still usable
    let id = s
        .create_leaf(root, "after", &spec(DType::F64, &[2], false))
        .unwrap();
    s.write(id, &Run::whole(&[2]), &sample(DType::F64, &[2]))
        .unwrap();
    s.flush().unwrap();
    s.close().unwrap();
}

/// Removing members, where the backend can
/// ([`Capabilities::remove`]): the member and what only it reached are
/// gone (their ids no longer resolve), in the file too; a backend that
/// cannot refuses, saying so, and keeps the member.
pub fn removal<M: Maker>(maker: &mut M) {
    let mut s = maker.create();
    let b = s.backend_name();
    let caps = s.capabilities();
    let root = s.root();
    let x = s
        .create_leaf(root, "x", &spec(DType::F64, &[2], false))
        .unwrap();
    s.write(x, &Run::whole(&[2]), &sample(DType::F64, &[2]))
        .unwrap();
    let r = s
        .create_leaf(root, "r", &spec(DType::I32, &[], true))
        .unwrap();
    s.append(r, &sample(DType::I32, &[])).unwrap();
    s.create_leaf(root, "keep", &spec(DType::F64, &[1], false))
        .unwrap();
    if !caps.remove {
        let e = s.remove(root, "x").unwrap_err();
        assert!(
            matches!(e, StorageError::Unsupported(_)) && e.to_string().contains("delete"),
            "{b}: removal refused saying why: {e}"
        );
        assert!(s.lookup(root, "x").unwrap().is_some(), "{b}: x kept");
        s.close().unwrap();
        return;
    }
    s.remove(root, "x").unwrap();
    s.remove(root, "r").unwrap();
    assert!(s.lookup(root, "x").unwrap().is_none(), "{b}: x removed");
    assert!(s.read(x, &Run::whole(&[2])).is_err(), "{b}: x's id is gone");
    assert!(s.records(r).is_err(), "{b}: r's id is gone");
    assert_eq!(s.names(root).unwrap(), ["keep"], "{b}");
    assert!(
        s.remove(root, "x").is_err(),
        "{b}: removing a missing member fails"
    );
    // a name removed can be made again
    let x2 = s
        .create_leaf(root, "x", &spec(DType::I8, &[3], false))
        .unwrap();
    assert_ne!(x2, x, "{b}: ids are not reused");
    assert_eq!(s.info(x2).unwrap().dtype, DType::I8, "{b}");
    if caps.groups {
        let g = s.create_group(root, "g").unwrap();
        let inner = s.create_group(g, "inner").unwrap();
        let y = s
            .create_leaf(inner, "y", &spec(DType::F64, &[1], false))
            .unwrap();
        s.remove(root, "g").unwrap();
        assert!(
            s.names(inner).is_err(),
            "{b}: a removed group's member is gone"
        );
        assert!(s.info(y).is_err(), "{b}: and its members'");
    }
    s.flush().unwrap();
    reopened(maker, s, |s, root| {
        assert_eq!(
            s.names(root).unwrap(),
            ["keep", "x"],
            "{b}: removed in the file"
        );
        let (x, _) = lookup(s, root, "x");
        assert_eq!(s.info(x).unwrap().dtype, DType::I8, "{b}");
    });
}

/// Hard and soft links where the backend has them
/// ([`Capabilities::hard_links`], [`Capabilities::soft_links`]): one
/// object, one id, whatever name reaches it; a dangling soft link is
/// [`StorageError::Dangling`]; a backend without them refuses. External
/// links need a second file: each backend's own tests check them.
pub fn links<M: Maker>(maker: &mut M) {
    let mut s = maker.create();
    let b = s.backend_name();
    let caps = s.capabilities();
    let root = s.root();
    let a = s
        .create_leaf(root, "a", &spec(DType::F64, &[2], false))
        .unwrap();
    let data = sample(DType::F64, &[2]);
    s.write(a, &Run::whole(&[2]), &data).unwrap();
    assert_eq!(
        s.link_info(root, "a").unwrap(),
        Some(LinkTarget::Hard),
        "{b}"
    );
    assert_eq!(s.link_info(root, "none").unwrap(), None, "{b}");
    if !caps.hard_links {
        let e = s.link(root, "b", a).unwrap_err();
        assert!(e.to_string().contains("no hard links"), "{b}: {e}");
    }
    if !caps.soft_links {
        let e = s.soft_link(root, "s", "/a").unwrap_err();
        assert!(e.to_string().contains("no soft links"), "{b}: {e}");
    }
    if !caps.external_links {
        let e = s
            .external_link(root, "e", std::path::Path::new("other"), "/a")
            .unwrap_err();
        assert!(e.to_string().contains("no external links"), "{b}: {e}");
    }
    if !caps.hard_links && !caps.soft_links {
        assert_eq!(s.names(root).unwrap(), ["a"], "{b}: nothing made");
        s.close().unwrap();
        return;
    }
    if caps.hard_links {
        assert_eq!(
            s.link(root, "b", a).unwrap(),
            a,
            "{b}: a hard link is its target"
        );
        assert!(s.link(root, "b", a).is_err(), "{b}: b exists");
        assert_eq!(lookup(&mut s, root, "b"), (a, Kind::Leaf), "{b}");
        assert_eq!(
            s.link_info(root, "b").unwrap(),
            Some(LinkTarget::Hard),
            "{b}"
        );
        let twice = Array::F64(ndarray::arr1(&[7.0, 8.0]).into_dyn());
        s.write(a, &Run::whole(&[2]), &twice).unwrap();
        let (bid, _) = lookup(&mut s, root, "b");
        assert_eq!(s.read(bid, &Run::whole(&[2])).unwrap(), twice, "{b}");
        s.write(a, &Run::whole(&[2]), &data).unwrap();
    }
    if caps.soft_links {
        s.soft_link(root, "s", "/a").unwrap();
        s.soft_link(root, "d", "/nothing/here").unwrap();
        assert_eq!(
            s.link_info(root, "s").unwrap(),
            Some(LinkTarget::Soft("/a".into())),
            "{b}"
        );
        assert_eq!(
            lookup(&mut s, root, "s"),
            (a, Kind::Leaf),
            "{b}: a soft link reads as its target"
        );
        let e = s.lookup(root, "d").unwrap_err();
        assert!(
            matches!(e, StorageError::Dangling(_)) && e.to_string().contains("/nothing/here"),
            "{b}: a dangling soft link names its target: {e}"
        );
        assert!(s.names(root).unwrap().contains(&"d".to_string()), "{b}");
    }
    if caps.hard_links && caps.remove {
        // the object stays while a hard link is left
        s.remove(root, "a").unwrap();
        let (bid, _) = lookup(&mut s, root, "b");
        assert_eq!(bid, a, "{b}: the same node under its other name");
        assert_eq!(s.read(bid, &Run::whole(&[2])).unwrap(), data, "{b}");
        if caps.soft_links {
            assert!(
                matches!(s.lookup(root, "s"), Err(StorageError::Dangling(_))),
                "{b}: a soft link to a removed name dangles"
            );
        }
    }
    s.flush().unwrap();
    reopened(maker, s, |s, root| {
        if caps.hard_links {
            let (bid, kind) = lookup(s, root, "b");
            assert_eq!(kind, Kind::Leaf, "{b}");
            assert_eq!(
                s.read(bid, &Run::whole(&[2])).unwrap(),
                data,
                "{b}: kept in the file"
            );
        }
        if caps.soft_links {
            assert_eq!(
                s.link_info(root, "d").unwrap(),
                Some(LinkTarget::Soft("/nothing/here".into())),
                "{b}"
            );
        }
    });
}

// ---------------------------------------------------------------------
// The read part: files made read-only from a reference tree.

use crate::MemoryStorage;

/// Makes read-only files of one backend from a reference tree, for
/// [`run_reads`]: a backend that reads a format it does not write (PDB)
/// checks its reader with it, given a writer of its format (a snapshot).
///
/// ```
/// use qnd_storage::conformance::{copy_tree, run_reads, ReadMaker, ReadOnly};
/// use qnd_storage::MemoryStorage;
///
/// /// The in-memory backend, read-only: the snapshot is a copy.
/// struct Memory;
/// impl ReadMaker for Memory {
///     type Storage = ReadOnly<MemoryStorage>;
///     fn snapshot(&mut self, reference: &mut MemoryStorage) -> Self::Storage {
///         ReadOnly(copy_tree(reference))
///     }
/// }
/// run_reads(&mut Memory);
/// ```
pub trait ReadMaker {
    /// The backend.
    type Storage: Storage;
    /// A file of this backend holding what `reference` holds, opened
    /// read-only.
    fn snapshot(&mut self, reference: &mut MemoryStorage) -> Self::Storage;
}

/// A [`Storage`] that forwards every read to `S` and refuses every
/// write with [`StorageError::Unsupported`]: a file open read-only, made of
/// any backend (the kit's own tests run [`run_reads`] on a
/// [`MemoryStorage`] through it).
#[derive(Debug)]
pub struct ReadOnly<S>(pub S);

fn read_only<T>(what: &str) -> crate::SResult<T> {
    Err(StorageError::Unsupported(format!(
        "the file is open read-only: cannot {what}"
    )))
}

impl<S: Storage> Storage for ReadOnly<S> {
    fn backend_name(&self) -> &'static str {
        self.0.backend_name()
    }
    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }
    fn root(&self) -> NodeId {
        self.0.root()
    }
    fn names(&mut self, group: NodeId) -> crate::SResult<Vec<String>> {
        self.0.names(group)
    }
    fn lookup(&mut self, group: NodeId, name: &str) -> crate::SResult<Option<(NodeId, Kind)>> {
        self.0.lookup(group, name)
    }
    fn create_group(&mut self, _: NodeId, _: &str) -> crate::SResult<NodeId> {
        read_only("create a group")
    }
    fn create_none(&mut self, _: NodeId, _: &str) -> crate::SResult<NodeId> {
        read_only("create a None")
    }
    fn create_leaf(&mut self, _: NodeId, _: &str, _: &LeafSpec) -> crate::SResult<NodeId> {
        read_only("create a leaf")
    }
    fn info(&mut self, node: NodeId) -> crate::SResult<crate::LeafInfo> {
        self.0.info(node)
    }
    fn other_type(&mut self, node: NodeId) -> crate::SResult<String> {
        self.0.other_type(node)
    }
    fn text_width(&mut self, node: NodeId) -> crate::SResult<Option<usize>> {
        self.0.text_width(node)
    }
    fn records(&mut self, node: NodeId) -> crate::SResult<usize> {
        self.0.records(node)
    }
    fn read(&mut self, node: NodeId, slab: &[Run]) -> crate::SResult<Array> {
        self.0.read(node, slab)
    }
    fn write(&mut self, _: NodeId, _: &[Run], _: &Array) -> crate::SResult<()> {
        read_only("write")
    }
    fn append_records(&mut self, _: NodeId, _: &Array) -> crate::SResult<()> {
        read_only("append records")
    }
    fn attr_names(&mut self, node: NodeId) -> crate::SResult<Vec<String>> {
        self.0.attr_names(node)
    }
    fn get_attr(&mut self, node: NodeId, name: &str) -> crate::SResult<Option<Array>> {
        self.0.get_attr(node, name)
    }
    fn set_attr(&mut self, _: NodeId, _: &str, _: &Array) -> crate::SResult<()> {
        read_only("set an attribute")
    }
    fn remove(&mut self, _: NodeId, _: &str) -> crate::SResult<()> {
        read_only("remove a member")
    }
    fn link_info(&mut self, group: NodeId, name: &str) -> crate::SResult<Option<LinkTarget>> {
        self.0.link_info(group, name)
    }
    fn flush(&mut self) -> crate::SResult<()> {
        Ok(())
    }
    fn close(&mut self) -> crate::SResult<()> {
        self.0.close()
    }
}

/// A copy of the tree of `src` (groups, leaves, record nodes, None,
/// attributes; text widths kept) in a new [`MemoryStorage`].
///
/// # Panics
/// When `src` fails or holds what a copy cannot make (links, items of
/// [`Kind::Other`]): it is for tests.
pub fn copy_tree<S: Storage + ?Sized>(src: &mut S) -> MemoryStorage {
    fn group<S: Storage + ?Sized>(src: &mut S, from: NodeId, dst: &mut MemoryStorage, to: NodeId) {
        copy_attrs(src, from, dst, to);
        for name in src.names(from).expect("names") {
            let (id, kind) = src.lookup(from, &name).expect("lookup").expect("listed");
            let new = match kind {
                Kind::Group | Kind::List => {
                    let g = dst.create_group(to, &name).expect("group");
                    group(src, id, dst, g);
                    continue;
                }
                Kind::None => dst.create_none(to, &name).expect("none"),
                Kind::Leaf | Kind::Records => {
                    let info = src.info(id).expect("info");
                    let data = src.read(id, &Run::whole(&info.shape)).expect("read");
                    let width = src.text_width(id).expect("text width").unwrap_or(1);
                    let shape = if info.records {
                        info.shape[1..].to_vec()
                    } else {
                        info.shape.clone()
                    };
                    let spec = LeafSpec {
                        dtype: info.dtype,
                        shape,
                        records: info.records,
                        text_len: width,
                    };
                    let new = dst.create_leaf(to, &name, &spec).expect("leaf");
                    if info.records {
                        dst.append_records(new, &data).expect("append");
                    } else {
                        dst.write(new, &Run::whole(&info.shape), &data)
                            .expect("write");
                    }
                    new
                }
                Kind::Other => panic!("copy_tree: {name} is an item of no kind"),
            };
            copy_attrs(src, id, dst, new);
        }
    }
    fn copy_attrs<S: Storage + ?Sized>(
        src: &mut S,
        from: NodeId,
        dst: &mut MemoryStorage,
        to: NodeId,
    ) {
        for a in src.attr_names(from).expect("attribute names") {
            let v = src.get_attr(from, &a).expect("attribute").expect("listed");
            dst.set_attr(to, &a, &v).expect("set attribute");
        }
    }
    let mut dst = MemoryStorage::new();
    let (from, to) = (src.root(), dst.root());
    group(src, from, &mut dst, to);
    dst
}

fn put_leaf(s: &mut MemoryStorage, parent: NodeId, name: &str, a: &Array) -> NodeId {
    let width = match a {
        Array::Str(v) => v.iter().map(String::len).max().unwrap_or(0).max(1),
        _ => 1,
    };
    let spec = LeafSpec {
        dtype: a.dtype(),
        shape: a.shape().to_vec(),
        records: false,
        text_len: width,
    };
    let id = s.create_leaf(parent, name, &spec).expect("reference leaf");
    s.write(id, &Run::whole(a.shape()), a)
        .expect("reference write");
    id
}

fn put_records(s: &mut MemoryStorage, parent: NodeId, name: &str, recs: &Array) -> NodeId {
    let width = match recs {
        Array::Str(v) => v.iter().map(String::len).max().unwrap_or(0).max(1),
        _ => 1,
    };
    let spec = LeafSpec {
        dtype: recs.dtype(),
        shape: recs.shape()[1..].to_vec(),
        records: true,
        text_len: width,
    };
    let id = s
        .create_leaf(parent, name, &spec)
        .expect("reference records");
    s.append_records(id, recs).expect("reference append");
    id
}

/// Attributes of every type and shape `caps` holds, on `node`.
fn put_attrs(s: &mut MemoryStorage, node: NodeId, caps: &Capabilities, tag: &str) {
    for d in DType::ALL {
        for shape in [&[][..], &[3][..], &[2, 2][..]] {
            if caps.holds_attr(d, shape) {
                let name = format!("{tag}_{}_{}", d.code(), shape.len());
                s.set_attr(node, &name, &sample(d, shape))
                    .expect("reference attribute");
            }
        }
    }
    if caps.holds_attr(DType::Str, &[]) {
        let v = Array::scalar(String::from("h\u{e9}llo \u{2603}"));
        s.set_attr(node, &format!("{tag}_utf8"), &v)
            .expect("reference attribute");
    }
}

/// The reference tree [`run_reads`] checks a backend against, of what
/// `caps` holds: every held dtype as scalars, 1-d and 3-d arrays; text
/// arrays of several widths; empty leaves; None; nested groups and lists
/// (where the backend has groups); records of scalars and of arrays;
/// attributes of every held type and shape on the root, a group, a leaf
/// and a record node.
pub fn reference_tree(caps: &Capabilities) -> MemoryStorage {
    let mut s = MemoryStorage::new();
    let root = s.root();
    let held: Vec<DType> = DType::ALL
        .into_iter()
        .filter(|&d| caps.holds_leaf(d))
        .collect();
    let mut first_leaf = None;
    for &d in &held {
        let c = d.code();
        put_leaf(&mut s, root, &format!("s_{c}"), &sample(d, &[]));
        let v = put_leaf(&mut s, root, &format!("v_{c}"), &sample(d, &[7]));
        first_leaf.get_or_insert(v);
        put_leaf(&mut s, root, &format!("m_{c}"), &sample(d, &[2, 3, 4]));
    }
    if caps.holds_leaf(DType::Str) {
        let words = ["a", "bb", "", "ccc", "h\u{e9}llo \u{2603}"].map(String::from);
        let a =
            Array::Str(ArrayD::from_shape_vec(IxDyn(&[5]), words.to_vec()).expect("five strings"));
        put_leaf(&mut s, root, "words", &a);
        let grid = ["ab", "c", "", "def", "g", "hi"].map(String::from);
        let a =
            Array::Str(ArrayD::from_shape_vec(IxDyn(&[2, 3]), grid.to_vec()).expect("six strings"));
        put_leaf(&mut s, root, "grid", &a);
        put_leaf(&mut s, root, "blank", &Array::scalar(String::new()));
    }
    for (name, d, shape) in [
        ("empty", DType::F64, &[0][..]),
        ("empty2", DType::I32, &[3, 0][..]),
        ("empty_text", DType::Str, &[0][..]),
    ] {
        if caps.holds_leaf(d) {
            put_leaf(&mut s, root, name, &sample(d, shape));
        }
    }
    s.create_none(root, "nothing").expect("reference None");
    // records of scalars and of arrays
    let mut first_records = None;
    for &d in &held {
        let c = d.code();
        let r = put_records(&mut s, root, &format!("rs_{c}"), &sample(d, &[5]));
        first_records.get_or_insert(r);
        put_records(&mut s, root, &format!("ra_{c}"), &sample(d, &[4, 2, 3]));
    }
    put_attrs(&mut s, root, caps, "root");
    if let Some(v) = first_leaf {
        put_attrs(&mut s, v, caps, "leaf");
    }
    if let Some(r) = first_records {
        put_attrs(&mut s, r, caps, "rec");
    }
    if caps.groups {
        let g = s.create_group(root, "g").expect("reference group");
        let f = held.first().copied().unwrap_or(DType::F64);
        put_leaf(&mut s, g, "a", &sample(f, &[3]));
        let inner = s.create_group(g, "inner").expect("reference group");
        put_leaf(&mut s, inner, "deep", &sample(f, &[2, 2]));
        put_records(&mut s, inner, "hist", &sample(f, &[3, 2]));
        s.create_group(inner, "deeper").expect("reference group");
        s.create_none(g, "none").expect("reference None");
        put_attrs(&mut s, g, caps, "group");
        // a list: `_`, then `_0`, `_1`, ..., one of them a list
        let l = s.create_group(root, "lst").expect("reference list");
        s.create_none(l, "_").expect("reference list");
        put_leaf(&mut s, l, "_0", &sample(f, &[]));
        put_leaf(&mut s, l, "_1", &sample(f, &[4]));
        let e2 = s.create_group(l, "_2").expect("reference list");
        put_leaf(&mut s, e2, "q", &sample(f, &[]));
        s.create_none(l, "_3").expect("reference list");
        let e4 = s.create_group(l, "_4").expect("reference list");
        s.create_none(e4, "_").expect("reference list");
        put_leaf(&mut s, e4, "_0", &sample(f, &[2]));
        s.create_group(root, "empty_group")
            .expect("reference group");
        let el = s.create_group(root, "empty_list").expect("reference list");
        s.create_none(el, "_").expect("reference list");
    }
    s
}

/// Slabs of an array of `shape` to read: single elements (first, last),
/// strided runs, and sub-spans along each axis, combined over the axes.
fn slabs(shape: &[usize]) -> Vec<Vec<Run>> {
    let per_axis = |n: usize| -> Vec<Run> {
        let mut v = vec![Run::all(n)];
        if n > 0 {
            v.push(Run::one(0));
            v.push(Run::one(n - 1));
        }
        if n > 2 {
            v.push(Run::strided(1, (n - 1).div_ceil(2), 2));
            v.push(Run::span(1, n - 2));
        }
        if n > 3 {
            v.push(Run::strided(0, n.div_ceil(3), 3));
        }
        v
    };
    let mut out: Vec<Vec<Run>> = vec![Vec::new()];
    for &n in shape {
        let runs = per_axis(n);
        out = out
            .into_iter()
            .flat_map(|s| {
                runs.iter().map(move |r| {
                    let mut s = s.clone();
                    s.push(*r);
                    s
                })
            })
            .collect();
    }
    out
}

/// Compare `got` (the file) with `want` (the reference), both whole or a
/// slab of `what`.
fn same_array(b: &str, what: &str, got: &Array, want: &Array) {
    assert_eq!(got.dtype(), want.dtype(), "{b}: {what}: dtype");
    assert_eq!(got.shape(), want.shape(), "{b}: {what}: shape");
    assert!(
        got == want || same_with_nans(got, want),
        "{b}: {what}: values differ: got {got:?}, want {want:?}"
    );
}

/// Whether two float or complex arrays of one shape are equal, a NaN
/// equal to any NaN.
fn same_with_nans(a: &Array, b: &Array) -> bool {
    fn eq<T: Copy>(x: &ArrayD<T>, y: &ArrayD<T>, same: impl Fn(T, T) -> bool) -> bool {
        x.shape() == y.shape() && x.iter().zip(y.iter()).all(|(&p, &q)| same(p, q))
    }
    let f32s = |p: f32, q: f32| p == q || (p.is_nan() && q.is_nan());
    let f64s = |p: f64, q: f64| p == q || (p.is_nan() && q.is_nan());
    match (a, b) {
        (Array::F32(x), Array::F32(y)) => eq(x, y, f32s),
        (Array::F64(x), Array::F64(y)) => eq(x, y, f64s),
        (Array::C8(x), Array::C8(y)) => eq(x, y, |p, q| f32s(p.re, q.re) && f32s(p.im, q.im)),
        (Array::C16(x), Array::C16(y)) => eq(x, y, |p, q| f64s(p.re, q.re) && f64s(p.im, q.im)),
        _ => false,
    }
}

/// Check node `fid` of `file` against node `rid` of the reference, `path`
/// for messages, recursively for groups.
fn check_node<S: Storage>(
    file: &mut S,
    fid: NodeId,
    reference: &mut MemoryStorage,
    rid: NodeId,
    kind: Kind,
    path: &str,
) {
    let b = file.backend_name();
    let shown = if path.is_empty() { "/" } else { path };
    // attributes
    let want_names = reference.attr_names(rid).expect("reference");
    let got_names = file
        .attr_names(fid)
        .unwrap_or_else(|e| panic!("{b}: attribute names of {shown}: {e}"));
    assert_eq!(got_names, want_names, "{b}: attribute names of {shown}");
    for name in &want_names {
        let want = reference
            .get_attr(rid, name)
            .expect("reference")
            .expect("listed");
        let got = file
            .get_attr(fid, name)
            .unwrap_or_else(|e| panic!("{b}: attribute {shown}:{name}: {e}"))
            .unwrap_or_else(|| panic!("{b}: attribute {shown}:{name} listed but missing"));
        same_array(b, &format!("attribute {shown}:{name}"), &got, &want);
    }
    assert_eq!(
        file.get_attr(fid, "no_such_attribute").ok().flatten(),
        None,
        "{b}: a missing attribute of {shown}"
    );
    match kind {
        Kind::Group | Kind::List => {
            let want = reference.names(rid).expect("reference");
            let got = file
                .names(fid)
                .unwrap_or_else(|e| panic!("{b}: names of {shown}: {e}"));
            assert_eq!(got, want, "{b}: names (and their order) of {shown}");
            assert!(
                file.lookup(fid, "no_such_member")
                    .expect("lookup")
                    .is_none(),
                "{b}: lookup of a missing member of {shown}"
            );
            for name in want {
                let at = format!("{path}/{name}");
                let (rc, rk) = reference
                    .lookup(rid, &name)
                    .expect("reference")
                    .expect("listed");
                let (fc, fk) = file
                    .lookup(fid, &name)
                    .unwrap_or_else(|e| panic!("{b}: lookup {at}: {e}"))
                    .unwrap_or_else(|| panic!("{b}: lookup {at}: listed but not found"));
                assert_eq!(fk, rk, "{b}: lookup kind of {at}");
                check_node(file, fc, reference, rc, rk, &at);
            }
        }
        Kind::None => {}
        Kind::Leaf | Kind::Records => check_array(file, fid, reference, rid, shown),
        Kind::Other => panic!("the reference holds no Other"),
    }
}

fn check_array<S: Storage>(
    file: &mut S,
    fid: NodeId,
    reference: &mut MemoryStorage,
    rid: NodeId,
    shown: &str,
) {
    let b = file.backend_name();
    let want_info = reference.info(rid).expect("reference");
    let info = file
        .info(fid)
        .unwrap_or_else(|e| panic!("{b}: info of {shown}: {e}"));
    assert_eq!(info.dtype, want_info.dtype, "{b}: info (dtype) of {shown}");
    assert_eq!(info.shape, want_info.shape, "{b}: info (shape) of {shown}");
    assert_eq!(
        info.records, want_info.records,
        "{b}: info (records) of {shown}"
    );
    assert_eq!(
        info.dims.len(),
        info.shape.len(),
        "{b}: info (dims) of {shown}"
    );
    if info.records {
        assert_eq!(
            file.records(fid)
                .unwrap_or_else(|e| panic!("{b}: records of {shown}: {e}")),
            want_info.shape[0],
            "{b}: records of {shown}"
        );
    }
    let whole = reference
        .read(rid, &Run::whole(&want_info.shape))
        .expect("reference");
    match file.text_width(fid) {
        Ok(Some(w)) => {
            let longest = match &whole {
                Array::Str(v) => v.iter().map(String::len).max().unwrap_or(0),
                _ => panic!("{b}: text_width of {shown}, which is not text, is {w}"),
            };
            assert!(
                w >= longest,
                "{b}: text_width of {shown} ({w}) below its longest string ({longest})"
            );
        }
        Ok(None) => {}
        Err(e) => panic!("{b}: text_width of {shown}: {e}"),
    }
    let got = file
        .read(fid, &Run::whole(&info.shape))
        .unwrap_or_else(|e| panic!("{b}: whole read of {shown}: {e}"));
    same_array(b, &format!("whole read of {shown}"), &got, &whole);
    for slab in slabs(&info.shape) {
        let got = file
            .read(fid, &slab)
            .unwrap_or_else(|e| panic!("{b}: read of {shown} {slab:?}: {e}"));
        same_array(
            b,
            &format!("partial read of {shown} {slab:?}"),
            &got,
            &whole.take_slab(&slab),
        );
    }
}

/// Writes to a read-only file are refused with an error (not a panic),
/// and change nothing.
fn check_refusals<S: Storage>(file: &mut S, reference: &mut MemoryStorage) {
    let b = file.backend_name();
    let root = file.root();
    let refused = |r: bool, what: &str| assert!(r, "{b}: {what} on a read-only file is refused");
    refused(
        file.create_group(root, "new_group").is_err(),
        "create_group",
    );
    refused(file.create_none(root, "new_none").is_err(), "create_none");
    let spec = LeafSpec {
        dtype: DType::F64,
        shape: vec![2],
        records: false,
        text_len: 1,
    };
    refused(
        file.create_leaf(root, "new_leaf", &spec).is_err(),
        "create_leaf",
    );
    refused(
        file.set_attr(root, "new_attr", &Array::scalar(1.0f64))
            .is_err(),
        "set_attr",
    );
    let names = reference.names(reference.root()).expect("reference");
    for name in names {
        let (rid, kind) = reference
            .lookup(reference.root(), &name)
            .expect("reference")
            .expect("listed");
        if !matches!(kind, Kind::Leaf | Kind::Records) {
            continue;
        }
        let info = reference.info(rid).expect("reference");
        if info.shape.contains(&0) {
            continue;
        }
        let (fid, _) = file.lookup(root, &name).expect("lookup").expect("listed");
        let data = reference
            .read(rid, &Run::whole(&info.shape))
            .expect("reference");
        refused(
            file.write(fid, &Run::whole(&info.shape), &data).is_err(),
            "write",
        );
        if info.records {
            refused(file.append_records(fid, &data).is_err(), "append_records");
        }
        let again = file.read(fid, &Run::whole(&info.shape)).expect("read");
        same_array(b, &format!("{name} after refused writes"), &again, &data);
        break;
    }
    assert!(
        file.lookup(root, "new_group").expect("lookup").is_none(),
        "{b}: a refused create_group made nothing"
    );
}

/// Check through the [`Storage`] trait alone that `file` holds what
/// `reference` holds, as [`run_reads`] does for its reference tree (names
/// and order, kinds, info, records, text widths, whole and partial reads,
/// attributes), for any tree: a backend's property tests use it. Panics
/// naming the check and the item at the first difference.
pub fn check_same<S: Storage>(file: &mut S, reference: &mut MemoryStorage) {
    let (froot, rroot) = (file.root(), reference.root());
    check_node(file, froot, reference, rroot, Kind::Group, "");
}

/// The read part of the kit: a reference tree of what the backend holds
/// (see [`reference_tree`]) made into a read-only file by `maker`, then
/// checked through the [`Storage`] trait alone: names and their order,
/// [`Storage::lookup`] kinds, [`Storage::info`], [`Storage::records`],
/// [`Storage::text_width`] (at least the longest string), whole reads,
/// partial reads over many slabs (single elements, strided runs, spans,
/// record slabs; backends are only given ascending runs, see
/// [`Run::ascending`]), attribute names, order and values, and that writes
/// are refused with an error, not a panic. An empty reference tree is
/// checked first, to learn the backend's [`Capabilities`]. Panics naming
/// the check and the item at the first difference.
pub fn run_reads<M: ReadMaker>(maker: &mut M) {
    let mut empty = MemoryStorage::new();
    let mut file = maker.snapshot(&mut empty);
    let b = file.backend_name();
    let root = file.root();
    assert!(
        file.names(root).expect("names").is_empty(),
        "{b}: an empty tree reads as an empty root"
    );
    let caps = file.capabilities();
    let _ = file.close();
    let mut reference = reference_tree(&caps);
    let mut file = maker.snapshot(&mut reference);
    check_same(&mut file, &mut reference);
    check_refusals(&mut file, &mut reference);
    let _ = file.close();
}
