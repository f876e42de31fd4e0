//! Items qnd has no kind for ([`Kind::Other`]): datasets and committed
//! datatypes of types qnd does not read are listed, described by
//! [`Storage::other_type`] and refused by every read and write; attributes
//! of such types are left out of [`Storage::attr_names`] and refused by
//! [`Storage::get_attr`]. Files from the fixture (h5py), from the raw API
//! here, and from h5py run now (when `QND_PYTHON` has it).

use std::process::Command;

use hdf5::types::{
    CompoundField, CompoundType, EnumMember, EnumType, FloatSize, IntSize, Reference,
    TypeDescriptor as TD,
};
use hdf5::{Datatype, Extents};
use ndarray::array;

use super::*;
use crate::raw::types::made;

/// `Unsupported` with exactly `words`, from `r`.
#[track_caller]
fn refused<T: std::fmt::Debug>(r: SResult<T>, words: &str) {
    match r {
        Err(StorageError::Unsupported(m)) => assert_eq!(m, words),
        other => panic!("expected Unsupported({words:?}), got {other:?}"),
    }
}

/// Node `p` is of [`Kind::Other`] described as `words`, and every read and
/// write of it is refused naming that.
#[track_caller]
fn is_other(s: &mut Hdf5Storage, p: &str, words: &str) {
    let (id, kind) = path(s, p);
    assert_eq!(kind, Kind::Other, "{p}");
    assert_eq!(s.other_type(id).unwrap(), words, "{p}");
    refused(s.info(id), words);
    refused(s.read(id, &[]), words);
    refused(s.read(id, &[Run::one(0)]), words);
    refused(s.records(id), words);
    refused(s.text_width(id), words);
    if s.writable {
        let one = Array::F64(array![1.0].into_dyn());
        refused(s.write(id, &[Run::one(0)], &one), words);
        refused(s.append(id, &one), words);
        refused(s.append_records(id, &one), words);
    }
}

fn desc(d: &TD) -> Datatype {
    Datatype::from_descriptor(d).unwrap()
}

fn compound_abc() -> TD {
    TD::Compound(CompoundType {
        fields: vec![
            CompoundField::new("a", TD::Integer(IntSize::U4), 0, 0),
            CompoundField::new("b", TD::Float(FloatSize::U8), 4, 1),
            CompoundField::new("c", TD::FixedAscii(5), 12, 2),
        ],
        size: 17,
    })
}

fn rgb_enum() -> TD {
    TD::Enum(EnumType {
        size: IntSize::U2,
        signed: true,
        members: vec![
            EnumMember {
                name: "RED".into(),
                value: 0,
            },
            EnumMember {
                name: "GREEN".into(),
                value: 1,
            },
        ],
    })
}

#[test]
fn fixture_other() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/complex/other.h5");
    if !p.is_file() {
        println!("skipped: no fixture {}", p.display());
        return;
    }
    let mut s = Hdf5Storage::open(&p, false).unwrap();
    let root = s.root();
    assert_eq!(s.names(root).unwrap(), ["g", "particles", "x"]);
    is_other(&mut s, "particles", "compound {id: i4, mass: f8} [2]");
    let (x, _) = path(&mut s, "x");
    assert_eq!(
        whole(&mut s, x),
        Array::F64(array![0.0, 1.0, 2.0].into_dyn())
    );
    let (y, _) = path(&mut s, "g/y");
    assert_eq!(whole(&mut s, y), Array::scalar(7i32));
    // an item of a known type has no other type
    assert!(matches!(s.other_type(x), Err(StorageError::NotFound)));
    s.close().unwrap();
}

/// Every kind of type, made with the crate and the raw API.
#[test]
fn other_types_from_the_raw_api() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("other.h5");
    {
        let f = h5_create(&file);
        let empty = |name: &str, t: &Datatype, shape: Extents| {
            f.new_dataset_builder()
                .empty_as(t)
                .shape(shape)
                .create(name)
                .unwrap();
        };
        empty("cmp", &desc(&compound_abc()), 3.into());
        empty("cmp0", &desc(&compound_abc()), ().into());
        empty("opq", &made::opaque(16, c"blob").unwrap(), 2.into());
        empty("opq_untagged", &made::opaque(3, c"").unwrap(), 1.into());
        empty("oref", &desc(&TD::Reference(Reference::Object)), 4.into());
        empty("rref", &desc(&TD::Reference(Reference::Region)), 1.into());
        let vlen = TD::VarLenArray(Box::new(TD::Integer(IntSize::U4)));
        empty("vlen", &desc(&vlen), 3.into());
        empty("enum", &desc(&rgb_enum()), 5.into());
        let f8 = desc(&TD::Float(FloatSize::U8));
        empty("arr", &made::array(&f8, &[2, 3]).unwrap(), 4.into());
        let i4x4 = TD::FixedArray(Box::new(TD::Integer(IntSize::U4)), 4);
        empty("arr1", &desc(&i4x4), (2, 2).into());
        let bits = made::copy(*hdf5::globals::H5T_STD_B16LE).unwrap();
        empty("bits", &bits, 3.into());
        // a compound of records: not a record variable
        f.new_dataset_builder()
            .empty_as(desc(&compound_abc()))
            .shape((0.., 2))
            .chunk((4, 2))
            .create("crec")
            .unwrap();
        // a nested compound: a bool, a complex, an enum, a vlen string
        let nested = TD::Compound(CompoundType {
            fields: vec![
                CompoundField::new("ok", TD::Boolean, 0, 0),
                CompoundField::new(
                    "z",
                    TD::Compound(CompoundType {
                        fields: vec![
                            CompoundField::new("r", TD::Float(FloatSize::U8), 0, 0),
                            CompoundField::new("i", TD::Float(FloatSize::U8), 8, 1),
                        ],
                        size: 16,
                    }),
                    1,
                    1,
                ),
                CompoundField::new("e", rgb_enum(), 17, 2),
                CompoundField::new("s", TD::VarLenUnicode, 19, 3),
            ],
            size: 27,
        });
        empty("nested", &desc(&nested), 1.into());
        // a compound of many fields: the first 8 listed
        let many = TD::Compound(CompoundType {
            fields: (0..20)
                .map(|k| CompoundField::new(&format!("f{k}"), TD::Unsigned(IntSize::U1), k, k))
                .collect(),
            size: 20,
        });
        empty("many", &desc(&many), 1.into());
        // a named type of another tool, and qnd's empty leaf of a compound
        f.commit_datatype("named", &desc(&compound_abc())).unwrap();
        f.commit_datatype("named_i4", &desc(&TD::Integer(IntSize::U4)))
            .unwrap();
        f.commit_datatype("empty_cmp", &desc(&compound_abc()))
            .unwrap();
        f.committed_datatype("empty_cmp")
            .unwrap()
            .new_attr::<i64>()
            .shape(2)
            .create("__shape__")
            .unwrap()
            .write_raw(&[0i64, 3])
            .unwrap();
        // attributes: of a compound, empty (null dataspace), an opaque one,
        // and an ordinary one
        f.new_attr_builder()
            .empty_as(desc(&compound_abc()))
            .shape(2)
            .create("cattr")
            .unwrap();
        f.new_attr::<f32>()
            .shape(Extents::Null)
            .create("nullattr")
            .unwrap();
        f.new_attr_builder()
            .empty_as(made::opaque(4, c"x").unwrap())
            .create("oattr")
            .unwrap();
        f.new_attr::<i16>()
            .shape(2)
            .create("ok")
            .unwrap()
            .write_raw(&[1i16, 2])
            .unwrap();
        f.new_dataset::<f64>().shape(2).create("plain").unwrap();
    }
    for writable in [false, true] {
        let mut s = Hdf5Storage::open(&file, writable).unwrap();
        let root = s.root();
        let names = s.names(root).unwrap();
        assert_eq!(names.len(), 18, "{names:?}");
        for (p, words) in [
            ("cmp", "compound {a: i4, b: f8, c: S5} [3]"),
            ("cmp0", "compound {a: i4, b: f8, c: S5} []"),
            ("opq", "opaque 16 bytes \"blob\" [2]"),
            ("opq_untagged", "opaque 3 bytes [1]"),
            ("oref", "object reference [4]"),
            ("rref", "region reference [1]"),
            ("vlen", "vlen of i4 [3]"),
            ("enum", "enum over i2 {RED=0, GREEN=1} [5]"),
            ("arr", "array (2, 3) of f8 [4]"),
            ("arr1", "array (4,) of i4 [2, 2]"),
            ("bits", "bitfield 2 bytes [3]"),
            ("crec", "compound {a: i4, b: f8, c: S5} [0, 2]"),
            (
                "nested",
                "compound {ok: b1, z: c16, e: enum over i2 {RED=0, GREEN=1}, s: str} [1]",
            ),
            (
                "many",
                "compound {f0: u1, f1: u1, f2: u1, f3: u1, f4: u1, f5: u1, f6: u1, f7: u1, \
                 ... 20 fields} [1]",
            ),
            ("named", "committed datatype compound {a: i4, b: f8, c: S5}"),
            ("named_i4", "committed datatype i4"),
            ("empty_cmp", "compound {a: i4, b: f8, c: S5} [0, 3]"),
        ] {
            is_other(&mut s, p, words);
        }
        let (plain, kind) = path(&mut s, "plain");
        assert_eq!(kind, Kind::Leaf);
        assert_eq!(
            whole(&mut s, plain),
            Array::F64(array![0.0, 0.0].into_dyn())
        );
        // attributes qnd cannot read are left out, and refused by name
        assert_eq!(s.attr_names(root).unwrap(), ["ok"]);
        refused(
            s.get_attr(root, "cattr"),
            "compound {a: i4, b: f8, c: S5} [2]",
        );
        refused(s.get_attr(root, "oattr"), "opaque 4 bytes \"x\" []");
        refused(s.get_attr(root, "nullattr"), "f4 (empty: a null dataspace)");
        assert_eq!(
            s.get_attr(root, "ok").unwrap(),
            Some(Array::I16(array![1, 2].into_dyn()))
        );
        if writable {
            // replacing an attribute of another type works
            s.set_attr(root, "cattr", &Array::scalar(1.5f64)).unwrap();
            assert_eq!(s.attr_names(root).unwrap(), ["cattr", "ok"]);
        }
        s.close().unwrap();
    }
}

/// Types described without a dataset: time (which HDF5 cannot store in a
/// dataset through every path) and big-endian numbers.
#[test]
fn more_words() {
    let words = |t: &Datatype| types::describe(t).unwrap();
    let time = made::copy(*hdf5::globals::H5T_UNIX_D32LE).unwrap();
    assert_eq!(words(&time), "time 4 bytes");
    let be = made::copy(*hdf5::globals::H5T_STD_I32BE).unwrap();
    assert_eq!(words(&be), ">i4");
    let be = made::copy(*hdf5::globals::H5T_IEEE_F64BE).unwrap();
    assert_eq!(words(&be), ">f8");
    assert_eq!(words(&desc(&TD::VarLenUnicode)), "str");
    assert_eq!(words(&desc(&TD::FixedAscii(7))), "S7");
    assert_eq!(words(&desc(&TD::Boolean)), "b1");
    let vv = TD::VarLenArray(Box::new(TD::VarLenArray(Box::new(TD::Float(
        FloatSize::U4,
    )))));
    assert_eq!(words(&desc(&vv)), "vlen of vlen of f4");
    // a big-endian integer reads as a number: it is no other type
    assert!(matches!(
        types::classify(&be).unwrap(),
        types::Class::Known(_)
    ));
    assert!(matches!(
        types::classify(&time).unwrap(),
        types::Class::Other(_)
    ));
}

/// The Python that `QND_PYTHON` names (default `python3`), if it imports
/// h5py and numpy; otherwise `None`, saying the test is skipped.
fn python_with_h5py() -> Option<String> {
    let exe = std::env::var("QND_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&exe)
        .args(["-c", "import h5py, numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(exe)
    } else {
        println!("skipped: {exe} with h5py, numpy not found (set QND_PYTHON to one)");
        None
    }
}

/// Each kind as h5py writes it.
#[test]
fn other_types_from_h5py() {
    let Some(py) = python_with_h5py() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("h5py_other.h5");
    let script = r#"
import sys
import numpy as np
import h5py
with h5py.File(sys.argv[1], "w") as f:
    f["cmp"] = np.zeros(3, dtype=[("a", "i4"), ("b", "f8"), ("c", "S5")])
    f["opq"] = np.zeros(2, dtype="V16")
    f.create_dataset("oref", (4,), dtype=h5py.ref_dtype)
    f["oref"][0] = f["cmp"].ref
    f.create_dataset("rref", (2,), dtype=h5py.regionref_dtype)
    v = f.create_dataset("vlen", (3,), dtype=h5py.vlen_dtype(np.dtype("i4")))
    v[0] = [1, 2, 3]
    e = f.create_dataset("enum", (5,), dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1}, basetype="i2"))
    f.create_dataset("arr", (4,), dtype=np.dtype(("f8", (2, 3))))
    h5py.h5d.create(f.id, b"bits", h5py.h5t.STD_B8LE, h5py.h5s.create_simple((3,)))
    f["flags"] = np.array([True, False])
    f["x"] = np.arange(3.0)
    f.attrs["cattr"] = np.zeros(2, dtype=[("a", "i4")])
    f.attrs["title"] = "hello"
"#;
    let out = Command::new(&py)
        .args(["-c", script])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "h5py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut s = Hdf5Storage::open(&file, false).unwrap();
    let root = s.root();
    assert_eq!(
        s.names(root).unwrap(),
        ["arr", "bits", "cmp", "enum", "flags", "opq", "oref", "rref", "vlen", "x"]
    );
    for (p, words) in [
        ("cmp", "compound {a: i4, b: f8, c: S5} [3]"),
        ("opq", "opaque 16 bytes [2]"),
        ("oref", "object reference [4]"),
        ("rref", "region reference [2]"),
        ("vlen", "vlen of i4 [3]"),
        ("enum", "enum over i2 {RED=0, GREEN=1} [5]"),
        ("arr", "array (2, 3) of f8 [4]"),
        ("bits", "bitfield 1 byte [3]"),
    ] {
        is_other(&mut s, p, words);
    }
    let (flags, _) = path(&mut s, "flags");
    assert_eq!(
        whole(&mut s, flags),
        Array::Bool(array![true, false].into_dyn())
    );
    assert_eq!(s.attr_names(root).unwrap(), ["title"]);
    refused(s.get_attr(root, "cattr"), "compound {a: i4} [2]");
    s.close().unwrap();
}
