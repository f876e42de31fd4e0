//! References, links, require, remove and shared values on every backend:
//! what a backend holds works (and is kept in the file), what it cannot is
//! refused with an error naming it; HDF5 sizes (shared data stored once,
//! `qnd convert` compacting after a removal), h5py's view (optional).

#![cfg(feature = "netcdf")]

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use common::python::Python;
use common::{FileMaker, Maker, MemoryMaker};
use qnd::{DType, Error, FileMap, Item, LinkTarget, NcFormat, QRef, RefStatus, Value};

fn makers() -> Vec<Box<dyn Maker>> {
    vec![
        Box::new(MemoryMaker),
        Box::new(FileMaker::new("hdf5", "h5")),
        Box::new(FileMaker::new("netcdf4", "nc")),
        Box::new(FileMaker::new("netcdf3", "nc").netcdf(NcFormat::Classic)),
    ]
}

/// The tests here run one at a time: some start processes (`qnd`, Python),
/// which would inherit a file another test has just opened through the C
/// libraries (they open without `O_CLOEXEC`; qnd marks the descriptor
/// close-on-exec just after), and HDF5's lock on that file with it.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|p| p.into_inner())
}

#[test]
fn require_group_and_leaf_on_every_backend() {
    let _serial = serial();
    for m in makers() {
        let b = m.name().to_string();
        let f = m.create();
        let caps = f.capabilities();
        if caps.groups {
            let g = f.require_group("params").unwrap();
            g.set("dt", 0.5).unwrap();
            let again = f.require_group("params").unwrap();
            assert_eq!(again.read::<f64>("dt").unwrap(), 0.5, "{b}");
            let e = f.require_group("params/dt").unwrap_err();
            assert!(matches!(e, Error::Mismatch { .. }), "{b}: {e}");
            f.create_list("l").unwrap();
            let e = f.require_group("l").unwrap_err();
            assert!(e.to_string().contains("list"), "{b}: {e}");
        } else {
            assert!(f.require_group("params").is_err(), "{b}: no groups");
        }
        let u = f.require_leaf("u", DType::F64, &[3]).unwrap();
        u.write(vec![1.0, 2.0, 3.0]).unwrap();
        let u = f.require_leaf("u", DType::F64, &[3]).unwrap();
        assert_eq!(u.read::<Vec<f64>>().unwrap(), [1.0, 2.0, 3.0], "{b}");
        let e = f.require_leaf("u", DType::F32, &[3]).unwrap_err();
        let (path, expected, got) = common::mismatch(&e);
        assert_eq!((path, expected, got), ("/u", "f4 [3]", "f8 [3]"), "{b}");
        let e = f.require_leaf("u", DType::F64, &[4]).unwrap_err();
        assert!(
            e.to_string().contains("f8 [4]") && e.to_string().contains("f8 [3]"),
            "{b}: {e}"
        );
        f.set("n", Value::None).unwrap();
        assert!(f.require_leaf("n", DType::F64, &[]).is_err(), "{b}");
        // a record variable's records are checked
        {
            let g = f.push();
            g.set_recording(qnd::Recording::Uniform);
            g.set("t", 1.0).unwrap();
        }
        f.require_leaf("t", DType::F64, &[]).unwrap();
        assert!(f.require_leaf("t", DType::F64, &[2]).is_err(), "{b}");
        let f = common::reopened(m.as_ref(), f, "r+");
        assert_eq!(
            f.require_leaf("u", DType::F64, &[3])
                .unwrap()
                .shape()
                .unwrap(),
            [3],
            "{b}"
        );
        f.close().unwrap();
    }
}

#[test]
fn remove_on_every_backend_that_can() {
    let _serial = serial();
    for m in makers() {
        let b = m.name().to_string();
        let f = m.create();
        f.set("x", vec![1.0, 2.0]).unwrap();
        f.set("keep", 3).unwrap();
        let x = f.leaf("x").unwrap();
        if !f.capabilities().remove {
            let e = f.remove("x").unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains("netcdf") && msg.contains("no way to delete"),
                "{b}: {msg}"
            );
            assert!(f.contains("x").unwrap(), "{b}: x kept");
            f.close().unwrap();
            continue;
        }
        f.remove("x").unwrap();
        assert!(!f.contains("x").unwrap(), "{b}");
        let e = x.read::<Vec<f64>>().unwrap_err();
        assert!(e.to_string().contains("removed"), "{b}: {e}");
        assert!(matches!(f.remove("x"), Err(Error::NoItem { .. })), "{b}");
        // a group and what is in it; a list whole, not one element
        f.create_group("g").unwrap();
        f.set("g/y", 1.0).unwrap();
        let l = f.create_list("l").unwrap();
        l.append(1.0).unwrap();
        l.append(2.0).unwrap();
        let e = f.remove("l/_0").unwrap_err();
        assert!(e.to_string().contains("element of a list"), "{b}: {e}");
        f.remove("g").unwrap();
        f.remove("l").unwrap();
        // the name can be used again, for anything
        f.set("x", "text").unwrap();
        let f = common::reopened(m.as_ref(), f, "r");
        assert_eq!(f.names().unwrap(), ["keep", "x"], "{b}");
        assert_eq!(f.read::<String>("x").unwrap(), "text", "{b}");
        f.close().unwrap();
    }
}

#[test]
fn links_on_every_backend_that_has_them() {
    let _serial = serial();
    for m in makers() {
        let b = m.name().to_string();
        let f = m.create();
        let caps = f.capabilities();
        f.set("a", vec![1.0, 2.0]).unwrap();
        if !caps.hard_links {
            let e = f.link("b", "/a").unwrap_err();
            assert!(
                e.to_string().contains("netcdf files have no hard links"),
                "{b}: {e}"
            );
            let e = f.soft_link("s", "/a").unwrap_err();
            assert!(e.to_string().contains("no soft links"), "{b}: {e}");
            let e = f.external_link("e", "other.h5", "/x").unwrap_err();
            assert!(e.to_string().contains("no external links"), "{b}: {e}");
            assert_eq!(f.names().unwrap(), ["a"], "{b}");
            f.close().unwrap();
            continue;
        }
        f.link("b", "a").unwrap();
        assert!(f.link("b", "/a").is_err(), "{b}: b exists");
        assert!(
            matches!(f.link("c", "/nothing"), Err(Error::NoItem { .. })),
            "{b}"
        );
        f.write_part("b", 1isize, 7.0).unwrap();
        assert_eq!(f.read::<Vec<f64>>("a").unwrap(), [1.0, 7.0], "{b}");
        f.soft_link("s", "/a").unwrap();
        f.soft_link("d", "/nothing").unwrap();
        assert_eq!(f.read::<Vec<f64>>("s").unwrap(), [1.0, 7.0], "{b}");
        let e = f.read::<f64>("d").unwrap_err();
        assert!(matches!(e, Error::Dangling { .. }), "{b}: {e}");
        assert!(e.to_string().contains("d -> /nothing"), "{b}: {e}");
        // as h5py's `in`: a dangling link is not there, a good one is
        assert!(!f.contains("d").unwrap(), "{b}");
        assert!(f.contains("s").unwrap(), "{b}");
        assert_eq!(
            f.link_info("s").unwrap(),
            Some(LinkTarget::Soft("/a".into())),
            "{b}"
        );
        assert_eq!(f.link_info("b").unwrap(), Some(LinkTarget::Hard), "{b}");
        assert_eq!(f.link_info("zz").unwrap(), None, "{b}");
        if !caps.external_links {
            let e = f.external_link("e", "other.h5", "/x").unwrap_err();
            assert!(
                e.to_string()
                    .contains("memory files have no external links"),
                "{b}: {e}"
            );
        }
        // a group hard-linked: one group, its members under both names
        f.create_group("g").unwrap();
        f.link("h", "g").unwrap();
        f.set("g/z", 5).unwrap();
        assert_eq!(f.read::<i32>("h/z").unwrap(), 5, "{b}");
        // a record variable hard-linked: records appended (and buffered)
        // under one name read under the other
        {
            let g = f.push();
            g.set_recording(qnd::Recording::Uniform);
            g.set("t", 0.5).unwrap();
            f.link("time", "t").unwrap();
            g.set("t", 1.5).unwrap();
            g.set("time", 2.5).unwrap();
        }
        f.goto_off();
        assert_eq!(f.read::<Vec<f64>>("time").unwrap(), [0.5, 1.5, 2.5], "{b}");
        assert_eq!(f.read::<Vec<f64>>("t").unwrap(), [0.5, 1.5, 2.5], "{b}");
        // removing one name leaves the other
        f.remove("a").unwrap();
        assert_eq!(f.read::<Vec<f64>>("b").unwrap(), [1.0, 7.0], "{b}");
        assert!(f.read::<Vec<f64>>("s").is_err(), "{b}: s dangles now");
        let f = common::reopened(m.as_ref(), f, "r");
        assert_eq!(f.read::<Vec<f64>>("b").unwrap(), [1.0, 7.0], "{b}");
        assert_eq!(f.read::<i32>("h/z").unwrap(), 5, "{b}");
        assert_eq!(
            f.link_info("d").unwrap(),
            Some(LinkTarget::Soft("/nothing".into())),
            "{b}"
        );
        f.close().unwrap();
    }
}

#[test]
fn shared_values_read_back_under_both_names_everywhere() {
    let _serial = serial();
    for m in makers() {
        let b = m.name().to_string();
        let f = m.create();
        let v = Arc::new(Value::from(vec![1i32, 2, 3]));
        f.set_shared("p", &v).unwrap();
        f.set_shared("q", &v).unwrap();
        // another Arc of the same value is another value
        f.set_shared("r", &Arc::new(Value::from(vec![1i32, 2, 3])))
            .unwrap();
        // again: nothing new
        f.set_shared("q", &v).unwrap();
        let linked = f.link_info("q").unwrap();
        assert_eq!(linked, Some(LinkTarget::Hard), "{b}");
        if f.capabilities().hard_links {
            // one object: a write through p shows through q, not r
            f.write_part("p", 0isize, 9).unwrap();
            assert_eq!(f.read::<Vec<i32>>("q").unwrap(), [9, 2, 3], "{b}");
            assert_eq!(f.read::<Vec<i32>>("r").unwrap(), [1, 2, 3], "{b}");
        } else {
            // copies
            f.write_part("p", 0isize, 9).unwrap();
            assert_eq!(f.read::<Vec<i32>>("q").unwrap(), [1, 2, 3], "{b}");
        }
        let f = common::reopened(m.as_ref(), f, "r");
        assert_eq!(f.read::<Vec<i32>>("p").unwrap()[1..], [2, 3], "{b}");
        assert_eq!(f.read::<Vec<i32>>("q").unwrap()[1..], [2, 3], "{b}");
        f.close().unwrap();
    }
}

#[test]
fn a_shared_megabyte_is_stored_once_on_hdf5() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let size = |name: &str, shared: bool| {
        let path = dir.path().join(name);
        let f = qnd::open(&path, "w").unwrap();
        let data: Vec<f64> = (0..131_072).map(|i| i as f64).collect(); // 1 MiB
        let v = Arc::new(Value::from(data));
        f.set_shared("a", &v).unwrap();
        if shared {
            f.set_shared("b", &v).unwrap();
        } else {
            f.set("b", (*v).clone()).unwrap();
        }
        f.close().unwrap();
        let g = qnd::open(&path, "r").unwrap();
        assert_eq!(g.read::<Vec<f64>>("b").unwrap()[131_071], 131_071.0);
        g.close().unwrap();
        std::fs::metadata(&path).unwrap().len()
    };
    let once = size("once.h5", true);
    let twice = size("twice.h5", false);
    println!("1 MiB shared under 2 names: {once} bytes; copied: {twice} bytes");
    assert!(once < (1 << 20) + (1 << 16), "{once}");
    assert!(twice > 2 << 20, "{twice}");
    if let Some(py) = Python::find(&["h5py"]) {
        let out = py.run(
            "import sys, h5py\nf = h5py.File(sys.argv[1], 'r')\nprint(f['a'].id == f['b'].id, h5py.h5o.get_info(f['a'].id).rc)",
            &[&dir.path().join("once.h5")],
        );
        assert_eq!(out.trim(), "True 2", "h5py sees one object with two links");
    }
}

#[test]
fn removing_keeps_the_size_and_convert_compacts() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.h5");
    let f = qnd::open(&path, "w").unwrap();
    let big: Vec<f64> = (0..262_144).map(|i| i as f64).collect(); // 2 MiB
    f.set("big", big).unwrap();
    f.set("small", 1.0).unwrap();
    f.close().unwrap();
    let f = qnd::open(&path, "r+").unwrap();
    f.remove("big").unwrap();
    f.close().unwrap();
    let before = std::fs::metadata(&path).unwrap().len();
    let out = dir.path().join("compact.h5");
    let status = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .args(["convert"])
        .arg(&path)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let after = std::fs::metadata(&out).unwrap().len();
    println!("after removing 2 MiB: {before} bytes; converted: {after} bytes");
    assert!(before > 2 << 20, "HDF5 keeps the space: {before}");
    assert!(after < 64 << 10, "the copy is compact: {after}");
    let g = qnd::open(&out, "r").unwrap();
    assert_eq!(g.names().unwrap(), ["small"]);
    g.close().unwrap();
}

#[test]
fn external_links_on_hdf5() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.h5");
    let o = qnd::open(&other, "w").unwrap();
    o.set("x", vec![4.0, 5.0]).unwrap();
    o.close().unwrap();
    let path = dir.path().join("main.h5");
    let f = qnd::open(&path, "w").unwrap();
    f.external_link("e", "other.h5", "/x").unwrap();
    f.external_link("gone", "missing.h5", "/x").unwrap();
    f.close().unwrap();
    let f = qnd::open(&path, "r").unwrap();
    assert_eq!(f.read::<Vec<f64>>("e").unwrap(), [4.0, 5.0]);
    assert_eq!(
        f.link_info("e").unwrap(),
        Some(LinkTarget::External {
            file: "other.h5".into(),
            path: "/x".into()
        })
    );
    let e = f.read::<Vec<f64>>("gone").unwrap_err();
    assert!(e.to_string().contains("gone -> missing.h5:/x"), "{e}");
    f.close().unwrap();
}

#[test]
fn references_resolve_with_a_status() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.h5");
    let f = qnd::open(&data, "w").unwrap();
    f.create_group("run").unwrap();
    f.set("run/u", vec![1.0, 2.0]).unwrap();
    f.set("run/n", Value::None).unwrap();
    let r = f.qref("run/u").unwrap();
    assert_eq!(r.path(), "/run/u");
    assert!(matches!(f.qref("run/nothing"), Err(Error::NoItem { .. })));
    assert!(qnd::memory().qref("").is_err(), "no file to refer to");
    f.close().unwrap();

    assert_eq!(r.status(), RefStatus::Ok);
    assert_eq!(r.read::<Vec<f64>>().unwrap(), [1.0, 2.0]);
    assert!(matches!(r.open().unwrap(), Item::Leaf(_)));
    assert!(matches!(
        QRef::new(&data, "/run").open().unwrap(),
        Item::Group(_)
    ));
    let missing_item = QRef::new(&data, "run/v");
    assert_eq!(missing_item.status(), RefStatus::ItemMissing);
    let e = missing_item.open().unwrap_err();
    common::assert_names(&e, &data, "/run/v");
    let missing_file = QRef::new(dir.path().join("nope.h5"), "/u");
    assert_eq!(missing_file.status(), RefStatus::FileMissing);
    assert!(matches!(missing_file.open(), Err(Error::NoFile { .. })));
    let junk = dir.path().join("junk.h5");
    std::fs::write(&junk, b"not hdf5").unwrap();
    assert_eq!(QRef::new(&junk, "/u").status(), RefStatus::Unreadable);

    // one open per file
    let mut files = FileMap::new();
    for p in ["/run/u", "/run/n", "/run"] {
        files.open(&QRef::new(&data, p)).unwrap();
    }
    assert_eq!(files.len(), 1);
    assert_eq!(files.read::<Vec<f64>>(&r).unwrap(), [1.0, 2.0]);
    assert_eq!(files.status(&missing_file), RefStatus::FileMissing);
    assert_eq!(files.len(), 1);
    files.close().unwrap();

    // the text form, relative to a folder when below it
    assert_eq!(r.to_text(Some(dir.path())), "data.h5#/run/u");
    let back = QRef::parse("data.h5#/run/u", Some(dir.path())).unwrap();
    assert_eq!(back.file(), data);
    assert_eq!(
        QRef::parse("sub/a#b.h5#/x", None).unwrap().file(),
        Path::new("sub/a#b.h5")
    );
    assert!(QRef::parse("no item path", None).is_none());
}

#[test]
fn references_stored_on_every_backend() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.h5");
    let d = qnd::open(&data, "w").unwrap();
    d.set("u", vec![3.0]).unwrap();
    d.close().unwrap();
    let r = QRef::new(&data, "/u");
    for m in makers() {
        let b = m.name().to_string();
        let f = m.create();
        f.set_ref("ref", &r).unwrap();
        f.set("plain", "data.h5#/u").unwrap();
        let check = |f: &qnd::QGroup| {
            let got = f.read_ref("ref").unwrap();
            assert_eq!(got.read::<Vec<f64>>().unwrap(), [3.0], "{b}");
            // the text form, readable as text
            let text: String = f.read("ref").unwrap();
            assert!(text.ends_with("data.h5#/u"), "{b}: {text}");
            let e = f.read_ref("plain").unwrap_err();
            assert!(matches!(e, Error::Mismatch { .. }), "{b}: {e}");
        };
        common::stored(m.as_ref(), &f, check);
    }
    // next to the file: stored relative
    let holder = dir.path().join("refs.h5");
    let f = qnd::open(&holder, "w").unwrap();
    f.set_ref("ref", &r).unwrap();
    assert_eq!(f.read::<String>("ref").unwrap(), "data.h5#/u");
    f.close().unwrap();
    if let Some(py) = Python::find(&["h5py"]) {
        let out = py.run(
            "import sys, h5py\nf = h5py.File(sys.argv[1], 'r')\nprint(f['ref'][()].decode(), f['ref'].attrs['__qref__'])",
            &[&holder],
        );
        assert_eq!(out.trim(), "data.h5#/u 1", "h5py reads the text form");
    }
}

#[test]
fn ls_shows_links_and_references() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.h5");
    let f = qnd::open(&data, "w").unwrap();
    f.set("a", vec![1.0, 2.0]).unwrap();
    f.link("h", "a").unwrap();
    f.soft_link("b", "/a").unwrap();
    f.soft_link("d", "/nothing").unwrap();
    f.external_link("e", "other.h5", "/x").unwrap();
    f.set_ref("ref", &QRef::new(&data, "/a")).unwrap();
    f.close().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .arg("ls")
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let line = |name: &str| -> String {
        let found = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name));
        let l = found.unwrap_or_else(|| panic!("no {name} in\n{text}"));
        l.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
    };
    assert_eq!(line("a"), "leaf f8 [2]");
    assert_eq!(line("h"), "leaf f8 [2]");
    assert_eq!(line("b"), "link -> /a");
    assert_eq!(line("d"), "link -> /nothing (dangling)");
    assert_eq!(line("e"), "link -> other.h5:/x (dangling)");
    assert_eq!(line("ref"), "ref -> data.h5#/a");
}

/// `qnd convert` keeps links where the destination has them: a hard-linked
/// megabyte stays one object, soft and external links stay links (a
/// dangling one too); into netCDF-4 each name gets its own copy.
#[test]
fn convert_keeps_links() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("linked.h5");
    let f = qnd::open(&path, "w").unwrap();
    let data: Vec<f64> = (0..131_072).map(|i| i as f64).collect(); // 1 MiB
    f.set("a", data).unwrap();
    f.link("b", "/a").unwrap();
    f.create_group("g").unwrap();
    f.set("g/x", 2.5).unwrap();
    f.link("g/up", "/g").unwrap(); // a group holding a hard link to itself
    f.soft_link("s", "/g/x").unwrap();
    f.soft_link("d", "/nothing").unwrap();
    f.external_link("e", "other.h5", "/x").unwrap();
    f.close().unwrap();
    let convert = |to: &Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
            .arg("convert")
            .arg(&path)
            .arg(to)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let h5 = dir.path().join("copy.h5");
    let (ok, err) = convert(&h5);
    assert!(ok, "{err}");
    let size = std::fs::metadata(&h5).unwrap().len();
    assert!(size < (1 << 20) + (1 << 16), "stored once: {size}");
    let g = qnd::open(&h5, "r").unwrap();
    assert_eq!(g.read::<Vec<f64>>("b").unwrap()[131_071], 131_071.0);
    assert_eq!(
        g.link_info("s").unwrap(),
        Some(LinkTarget::Soft("/g/x".into()))
    );
    assert_eq!(g.read::<f64>("s").unwrap(), 2.5);
    assert_eq!(g.read::<f64>("g/up/up/x").unwrap(), 2.5);
    assert_eq!(
        g.link_info("d").unwrap(),
        Some(LinkTarget::Soft("/nothing".into()))
    );
    assert!(!g.contains("d").unwrap());
    assert_eq!(
        g.link_info("e").unwrap(),
        Some(LinkTarget::External {
            file: "other.h5".into(),
            path: "/x".into()
        })
    );
    g.close().unwrap();
    if let Some(py) = Python::find(&["h5py"]) {
        let out = py.run(
            "import sys, h5py\nf = h5py.File(sys.argv[1], 'r')\nprint(f['a'].id == f['b'].id, f['g'].id == f['g/up'].id)",
            &[&h5],
        );
        assert_eq!(out.trim(), "True True", "h5py sees the hard links");
    }
    // netCDF-4 has no links: the cycle cannot be copied (nor the
    // dangling link), and the copy is refused before DST is made, naming
    // both, rather than never ending
    let nc = dir.path().join("copy.nc");
    let (ok, err) = convert(&nc);
    assert!(!ok, "a cycle has no end in netCDF");
    assert!(err.contains("a cycle"), "{err}");
    assert!(
        err.contains("/g/up: a hard link to /g, which holds it (a cycle)"),
        "{err}"
    );
    assert!(err.contains("/d: a dangling link"), "{err}");
    assert!(err.contains("nothing written"), "{err}");
    assert!(!nc.exists(), "the partial copy is removed");
}

/// A group that holds itself through a hard link (HDF5 allows it, h5py
/// makes it with `g['up'] = g`): whole reads end with an error naming the
/// cycle (a node met again on the path), never a stack overflow; `ls -r`
/// lists it and marks the link not followed (as h5ls marks an object
/// already visited); `dump` prints it as null and says so; `recover`
/// checks the file once; a copy into a format without hard links refuses
/// it, naming it.
#[test]
fn a_cycle_of_hard_links_is_an_error_not_a_crash() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cycle.h5");
    let f = qnd::open(&path, "w").unwrap();
    f.create_group("g").unwrap();
    f.set("g/x", 2.5).unwrap();
    f.link("g/up", "/g").unwrap();
    f.close().unwrap();
    let f = qnd::open(&path, "r").unwrap();
    assert_eq!(f.read::<f64>("g/up/up/x").unwrap(), 2.5);
    let g = f.group("g").unwrap();
    assert!(g.is_same(&f.group("g/up").unwrap()));
    assert!(g.is_same(&f.group("g/up/up").unwrap()));
    assert!(!g.is_same(&f));
    let again = qnd::open(&path, "r").unwrap();
    assert!(!g.is_same(&again.group("g").unwrap()), "another open");
    again.close().unwrap();
    let e = f.to_value().unwrap_err();
    assert!(matches!(e, Error::Invalid { .. }), "{e:?}");
    assert!(e.to_string().contains("/g/up: is /g"), "{e}");
    assert!(e.to_string().contains("a cycle"), "{e}");
    let e = g.to_value().unwrap_err();
    assert!(e.to_string().contains("/g/up: is /g"), "{e}");
    // read from inside the cycle: the path names the handle's way in
    let e = f.group("g/up").unwrap().to_value().unwrap_err();
    assert!(e.to_string().contains("/g/up/up: is /g/up"), "{e}");
    // into a format without hard links, the copy names the cycle and stops
    let nc = dir.path().join("copy.nc");
    let to = qnd::open(&nc, "w").unwrap();
    let e = f.copy_to(&to).unwrap_err();
    assert!(e.to_string().contains("/g/up: is /g"), "{e}");
    assert!(e.to_string().contains("a cycle"), "{e}");
    to.close().unwrap();
    f.close().unwrap();
    let report = qnd::recover(&path).unwrap();
    assert_eq!(report.leaves_read, 1, "{report}");
    assert!(report.unreadable.is_empty(), "{report}");

    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
            .args(args)
            .arg(&path)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["ls", "-r"]);
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("/g ") && lines[0].contains("group"),
        "{out}"
    );
    let up = lines.iter().find(|l| l.starts_with("/g/up ")).expect(&out);
    assert!(up.contains("(hard link to /g: not followed)"), "{out}");
    assert!(lines.iter().any(|l| l.starts_with("/g/x ")), "{out}");
    // listed from inside: the link back to the listed group is marked too
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .args(["ls", "-r"])
        .arg(&path)
        .arg("/g")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("(hard link to /g: not followed)"), "{text}");

    let (code, out, err) = run(&["dump", "--json"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("/g/up is /g"), "{err}");
    assert!(err.contains("a cycle"), "{err}");
    assert!(err.len() < 1000, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(json["g"]["up"].is_null(), "{out}");
    assert_eq!(json["g"]["x"]["data"][0], 2.5, "{out}");
}

/// `qnd ls -r` of a file whose group holds itself through a hard link
/// (h5py: `g["back"] = g`) lists it (the reviewer's case: it failed with
/// a path of 128 `/back`s).
#[test]
fn qnd_ls_r_lists_a_hard_link_cycle() {
    let _serial = serial();
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("cycle.h5");
    let f = qnd::open(&p, "w").unwrap();
    f.create_group("g").unwrap();
    f.set("g/a", 1.0).unwrap();
    f.link("g/back", "/g").unwrap();
    f.close().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .args(["ls", "-r"])
        .arg(&p)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("/back/back"), "{stdout}");
}

/// Into a destination without links, every name gets its own copy of what
/// it reaches.
#[test]
fn copy_without_links_copies_each_name() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let f = qnd::memory();
    f.set("a", vec![1.0, 2.0]).unwrap();
    f.link("b", "/a").unwrap();
    f.soft_link("s", "/a").unwrap();
    let nc = dir.path().join("copy.nc");
    let g = qnd::open(&nc, "w").unwrap();
    f.copy_to(&g).unwrap();
    g.close().unwrap();
    let g = qnd::open(&nc, "r").unwrap();
    for name in ["a", "b", "s"] {
        assert_eq!(g.read::<Vec<f64>>(name).unwrap(), [1.0, 2.0], "{name}");
        assert_eq!(g.link_info(name).unwrap(), Some(LinkTarget::Hard), "{name}");
    }
    g.close().unwrap();
}

/// A soft-link cycle on HDF5 read as a 761-byte message ("s -> /s: through
/// s -> /s: through ..." 40 times); memory says it in one line. The error
/// names the link and says "cycle" once.
#[test]
fn soft_link_cycle_error_is_one_line() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("memory", qnd::memory()),
        ("hdf5", qnd::open(dir.path().join("cy.h5"), "w").unwrap()),
    ];
    for (b, f) in files {
        f.soft_link("s", "/s").unwrap();
        let e = f.read::<Value>("s").unwrap_err().to_string();
        assert!(e.len() < 300, "{b}: {} bytes: {e}", e.len());
        assert_eq!(e.matches("cycle").count(), 1, "{b}: {e}");
    }
}

// ------------------------------------------------ review of issue 13 (links)

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// A memory file and a new HDF5 file in `dir`: the backends with links
/// and removal.
fn mem_and_h5(dir: &Path, stem: &str) -> Vec<(&'static str, qnd::QGroup)> {
    vec![
        ("memory", qnd::memory()),
        (
            "hdf5",
            qnd::open(dir.join(format!("{stem}.h5")), "w").unwrap(),
        ),
    ]
}

/// h5py's `f.get("d", default)` returns the default for a dangling soft
/// or external link (`"d" in f` is False, as `contains` says).
#[test]
fn get_or_gives_the_default_for_a_dangling_link() {
    let _serial = serial();
    let d = tmp();
    for (b, f) in mem_and_h5(d.path(), "g") {
        f.soft_link("d", "/nothing").unwrap();
        assert!(!f.contains("d").unwrap(), "{b}");
        let got = f.get_or("d", 7.0);
        assert!(matches!(got, Ok(7.0)), "{b}: {got:?}");
        let item = f.get_item_or("d", 7.0).unwrap();
        assert!(matches!(item, Item::Value(..)), "{b}: {item:?}");
        // a member that is there is read, not defaulted
        f.set("x", 1.0).unwrap();
        f.soft_link("to_x", "/x").unwrap();
        assert_eq!(f.get_or("to_x", 7.0).unwrap(), 1.0, "{b}");
    }
}

/// `status()` of a reference into a file family is that of the family
/// (resolved as `open` resolves it), not of a file named like the pattern.
#[test]
fn qref_status_of_an_item_in_a_family_is_ok() {
    let _serial = serial();
    let d = tmp();
    let pattern = d.path().join("fam%d.h5");
    let f = qnd::open(&pattern, "w").unwrap();
    f.set("x", 1.0).unwrap();
    f.close().unwrap();
    let r = QRef::new(&pattern, "/x");
    assert_eq!(r.read::<f64>().unwrap(), 1.0);
    assert_eq!(r.status(), RefStatus::Ok);
    assert_eq!(QRef::new(&pattern, "/y").status(), RefStatus::ItemMissing);
    let gone = QRef::new(d.path().join("gone%d.h5"), "/x");
    assert_eq!(gone.status(), RefStatus::FileMissing);
}

/// `f.qref("x")` on a file family refers to the family.
#[test]
fn qref_of_an_item_of_a_family() {
    let _serial = serial();
    let d = tmp();
    let pattern = d.path().join("run%d.h5");
    let f = qnd::open(&pattern, "w").unwrap();
    f.set("x", 1.0).unwrap();
    let r = f.qref("x");
    assert!(r.is_ok(), "{}", r.unwrap_err());
    let r = r.unwrap();
    assert_eq!(r.file(), pattern);
    f.close().unwrap();
    assert_eq!(r.read::<f64>().unwrap(), 1.0);
    // a memory file has no file to refer to
    let m = qnd::memory();
    m.set("x", 1.0).unwrap();
    assert!(matches!(m.qref("x"), Err(Error::Invalid { .. })));
}

/// `status()` expands `$VAR` and `~` as `open` does, and a [`FileMap`]
/// opens a file named two ways once.
#[test]
fn qref_status_expands_variables_as_open_does() {
    let _serial = serial();
    let d = tmp();
    std::env::set_var("QND_LINKS_TEST_DIR", d.path());
    let f = qnd::open(d.path().join("plain.h5"), "w").unwrap();
    f.set("y", 2.0).unwrap();
    f.close().unwrap();
    let r = QRef::new("$QND_LINKS_TEST_DIR/plain.h5", "/y");
    assert_eq!(r.read::<f64>().unwrap(), 2.0);
    assert_eq!(r.status(), RefStatus::Ok);
    let mut files = FileMap::new();
    assert_eq!(files.status(&r), RefStatus::Ok);
    let same = QRef::new(d.path().join("plain.h5"), "/y");
    assert_eq!(files.read::<f64>(&same).unwrap(), 2.0);
    assert_eq!(files.len(), 1);
    files.close().unwrap();
}

/// A stored reference is replaced by a longer one (memory and HDF5 make
/// the text leaf anew; netCDF-4 writes its variable-length text).
#[test]
fn set_ref_replaces_a_stored_reference_with_a_longer_one() {
    let _serial = serial();
    let d = tmp();
    for (b, f) in mem_and_h5(d.path(), "r") {
        f.set_ref("r", &QRef::new(d.path().join("a.h5"), "/x"))
            .unwrap();
        let long = QRef::new(d.path().join("a_much_longer_name.h5"), "/x/y/z");
        let r = f.set_ref("r", &long);
        assert!(r.is_ok(), "{b}: {}", r.unwrap_err());
        assert_eq!(f.read_ref("r").unwrap(), long, "{b}");
        // and a shorter one again
        let short = QRef::new(d.path().join("b.h5"), "/x");
        f.set_ref("r", &short).unwrap();
        assert_eq!(f.read_ref("r").unwrap(), short, "{b}");
        // a member that is no reference is not replaced
        f.set("v", 1.0).unwrap();
        let e = f.set_ref("v", &short).unwrap_err();
        assert!(matches!(e, Error::Mismatch { .. }), "{b}: {e:?}");
        assert_eq!(f.read::<f64>("v").unwrap(), 1.0, "{b}");
    }
}

/// A folder whose name ends with `#` (and an item name holding `#`)
/// survive `set_ref` + `read_ref`.
#[test]
fn qref_round_trip_through_a_folder_ending_with_hash() {
    let _serial = serial();
    let d = tmp();
    let f = qnd::open(d.path().join("holder.h5"), "w").unwrap();
    for r in [
        QRef::new("/data/run#/out.h5", "/u"),
        QRef::new("/data/run##/o#ut.h5#", "/a#/b#"),
        QRef::new("/data/plain.h5", "/a#/b"),
    ] {
        f.set_ref("r", &r).unwrap();
        assert_eq!(f.read_ref("r").unwrap(), r);
        assert_eq!(QRef::parse(&r.to_string(), None), Some(r.clone()));
    }
    // text written before `#` was doubled reads as it did
    assert_eq!(
        QRef::parse("/x/a#b.h5#/u#/v", None),
        Some(QRef::new("/x/a#b.h5", "/u#/v"))
    );
}

/// `set_shared("a", &grid)`, `a` overwritten in place, `set_shared("b",
/// &grid)`: `b` holds `grid`, not what `a` holds now.
#[test]
fn set_shared_after_the_first_copy_was_overwritten() {
    let _serial = serial();
    let d = tmp();
    for (b, f) in mem_and_h5(d.path(), "sh") {
        let grid = Arc::new(Value::from(vec![1.0, 2.0]));
        f.set_shared("a", &grid).unwrap();
        f.set("a", vec![7.0, 8.0]).unwrap();
        f.set_shared("b", &grid).unwrap();
        assert_eq!(f.read::<Vec<f64>>("b").unwrap(), [1.0, 2.0], "{b}");
        // unchanged, it is linked again
        f.set_shared("c", &grid).unwrap();
        f.write_part("b", 0isize, 5.0).unwrap();
        assert_eq!(f.read::<Vec<f64>>("c").unwrap(), [5.0, 2.0], "{b}");
        // a group: a member written, or one added, is a change
        let mut g = Value::group();
        if let Value::Group(m) = &mut g {
            m.insert("u".into(), Value::from(vec![1.0]));
        }
        let g = Arc::new(g);
        f.set_shared("g1", &g).unwrap();
        f.set("g1/u", vec![9.0]).unwrap();
        f.set_shared("g2", &g).unwrap();
        assert_eq!(f.read::<Vec<f64>>("g2/u").unwrap(), [1.0], "{b}");
        f.set("g2/extra", 1.0).unwrap();
        f.set_shared("g3", &g).unwrap();
        assert!(!f.contains("g3/extra").unwrap(), "{b}");
        assert_eq!(f.read::<Vec<f64>>("g3/u").unwrap(), [1.0], "{b}");
        // a change to one shared value leaves another linked
        let (p, q) = (
            Arc::new(Value::from(vec![1.0, 1.0])),
            Arc::new(Value::from(vec![2.0, 2.0])),
        );
        f.set_shared("p1", &p).unwrap();
        f.set_shared("q1", &q).unwrap();
        f.write_part("p1", 0isize, 9.0).unwrap();
        f.set_shared("p2", &p).unwrap();
        f.set_shared("q2", &q).unwrap();
        f.write_part("q2", 0isize, 5.0).unwrap();
        assert_eq!(f.read::<Vec<f64>>("q1").unwrap(), [5.0, 2.0], "{b}");
        assert_eq!(f.read::<Vec<f64>>("p2").unwrap(), [1.0, 1.0], "{b}");
    }
}

/// `remove("")`, `"/"`, `"//"` (the group itself) are refused alike.
#[test]
fn remove_of_the_group_itself_is_a_clear_refusal() {
    let _serial = serial();
    let d = tmp();
    for (b, f) in mem_and_h5(d.path(), "rm") {
        f.set("x", 1.0).unwrap();
        f.create_group("g").unwrap();
        for name in ["", "/", "//", "g/", "g//"] {
            let e = f.remove(name).unwrap_err();
            assert!(
                matches!(e, Error::Invalid { .. }),
                "{b}: remove({name:?}): {e:?}"
            );
        }
        assert!(f.contains("x").unwrap(), "{b}");
        assert!(f.contains("g").unwrap(), "{b}");
    }
}

/// A soft link to `""` (or holding a NUL) is refused alike, before
/// anything is made.
#[test]
fn soft_link_to_an_empty_path_is_refused_alike() {
    let _serial = serial();
    let d = tmp();
    for (b, f) in mem_and_h5(d.path(), "sl") {
        for target in ["", "a\0b"] {
            let e = f.soft_link("e", target).unwrap_err();
            assert!(matches!(e, Error::Invalid { .. }), "{b}: {target:?}: {e:?}");
            assert!(f.link_info("e").unwrap().is_none(), "{b}");
        }
    }
}

/// HDF5 cannot hard-link across files: a hard link to an item reached
/// through an external link is refused before the library is called.
#[test]
fn hard_link_to_an_item_of_another_file_is_a_clear_refusal() {
    let _serial = serial();
    let d = tmp();
    let o = d.path().join("other.h5");
    let g = qnd::open(&o, "w").unwrap();
    g.set("a", 1.0).unwrap();
    g.create_group("sub").unwrap();
    g.set("sub/b", 2.0).unwrap();
    g.close().unwrap();
    let f = qnd::open(d.path().join("f.h5"), "w").unwrap();
    f.external_link("e", &o, "/a").unwrap();
    f.external_link("s", &o, "/sub").unwrap();
    for target in ["/e", "/s", "/s/b"] {
        let e = f.link("h", target).unwrap_err();
        assert!(matches!(e, Error::Invalid { .. }), "{target}: {e:?}");
        assert!(e.to_string().contains("external_link"), "{e}");
        assert!(f.link_info("h").unwrap().is_none());
    }
    // in the file itself it works
    f.set("x", 1.0).unwrap();
    f.link("h", "/x").unwrap();
    assert_eq!(f.read::<f64>("h").unwrap(), 1.0);
}

/// A file literally named `r%d.h5` (opened as `r%%d.h5`): `file_path()`
/// and its references give the name that opens that file again.
#[test]
fn qref_to_a_file_whose_name_holds_percent_d() {
    let _serial = serial();
    let d = tmp();
    let f = qnd::open(d.path().join("r%%d.h5"), "w").unwrap();
    f.set("x", 1.0).unwrap();
    assert_eq!(f.file_path(), d.path().join("r%%d.h5"));
    let r = f.qref("x").unwrap();
    f.close().unwrap();
    assert!(d.path().join("r%d.h5").is_file());
    assert_eq!(r.status(), RefStatus::Ok);
    assert_eq!(r.read::<f64>().unwrap(), 1.0);
    // a `%` that names no family stays as it is
    let f = qnd::open(d.path().join("50%.h5"), "w").unwrap();
    assert_eq!(f.file_path(), d.path().join("50%.h5"));
}

/// `require_leaf` on a record variable checks the shape of one record and
/// returns the whole history (as h5py's `require_dataset` returns the
/// dataset): shape `[records, ..shape]`, read whole or one record at a
/// time. (The reviewer's test asked for a leaf of the checked shape; the
/// documented behaviour is asserted instead.)
#[test]
fn require_leaf_on_a_record_variable_gives_the_whole_history() {
    let _serial = serial();
    for m in makers() {
        let b = m.name().to_string();
        let f = m.create();
        {
            let g = f.push();
            g.set_recording(qnd::Recording::Uniform);
            for k in 0..3 {
                g.set("t", vec![k as f64, 1.0]).unwrap();
            }
        }
        let leaf = f.require_leaf("t", DType::F64, &[2]).unwrap();
        assert_eq!(leaf.shape().unwrap(), [3, 2], "{b}");
        let whole: ndarray::Array2<f64> = leaf.read().unwrap();
        assert_eq!(
            whole,
            ndarray::array![[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]],
            "{b}"
        );
        let e = f.require_leaf("t", DType::F64, &[3, 2]).unwrap_err();
        assert!(matches!(e, Error::Mismatch { .. }), "{b}: {e}");
        // recording goes on through the group, and the leaf sees it
        {
            let g = f.push();
            g.set_recording(qnd::Recording::Uniform);
            g.set("t", vec![3.0, 1.0]).unwrap();
        }
        assert_eq!(leaf.shape().unwrap(), [4, 2], "{b}");
        f.close().unwrap();
    }
}

/// Replacing a stored reference on every backend: by a longer one where
/// the backend removes members or has variable-length text; netCDF-3
/// writes in place and refuses clearly what does not fit, keeping the old.
#[test]
fn set_ref_replaces_on_every_backend() {
    let _serial = serial();
    for m in makers() {
        let b = m.name().to_string();
        let f = m.create();
        let short = QRef::new("/d/a.h5", "/x");
        let long = QRef::new("/d/a_much_longer_name.h5", "/x/y/z");
        f.set_ref("r", &short).unwrap();
        match f.set_ref("r", &long) {
            Ok(()) => assert_eq!(f.read_ref("r").unwrap(), long, "{b}"),
            Err(e) => {
                assert!(!f.capabilities().remove, "{b}: {e}");
                assert!(matches!(e, Error::Invalid { .. }), "{b}: {e:?}");
                assert!(e.to_string().contains("cannot remove"), "{b}: {e}");
                assert_eq!(f.read_ref("r").unwrap(), short, "{b}");
            }
        }
        let shorter = QRef::new("/d/b.h5", "/x");
        f.set_ref("r", &shorter).unwrap();
        assert_eq!(f.read_ref("r").unwrap(), shorter, "{b}");
        let f = common::reopened(m.as_ref(), f, "r");
        assert_eq!(f.read_ref("r").unwrap(), shorter, "{b}");
        f.close().unwrap();
    }
}
