//! The `qnd` command line on a file holding an item qnd has no kind for:
//! the HDF5 fixture `complex/other.h5` (h5py: `x`, `g/y`, and `particles`,
//! a compound of `id` and `mass`). `ls` lists it as `other` with its type,
//! `dump --json` prints it as null with a warning (exit 3), `convert`
//! leaves it out with a warning (exit 3; DST is a good file), `get` of it
//! fails naming it (exit 1), `diff` compares it by its type.
#![cfg(feature = "hdf5")]

mod common;

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;
use std::thread;
use std::time::Duration;

use serde_json::Value as Json;

const PARTICLES: &str = "compound {id: i4, mass: f8} [2]";

/// What a run of the program gave.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run `qnd args...`; a run that met another test's child holding HDF5's
/// lock on the file (see tests/cli.rs) is tried again.
fn qnd<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let mut run = qnd_once(args);
    for _ in 0..5 {
        if !run.stderr.contains("unable to lock file")
            && !run
                .stderr
                .contains("a program has it open through the HDF5 library")
        {
            break;
        }
        thread::sleep(Duration::from_millis(200));
        run = qnd_once(args);
    }
    run
}

fn qnd_once<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .args(args)
        .output()
        .expect("cannot start qnd");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The fixture, when it is there and this build lists its compound (the
/// HDF5 backend reports such items); otherwise a skip message and `None`.
fn fixture() -> Option<PathBuf> {
    let path = common::fixtures::path("complex/other.h5")?;
    let run = qnd(&[OsStr::new("ls"), path.as_os_str()]);
    if run.code != Some(0) {
        println!(
            "skipped: qnd ls {} fails on this branch: {}",
            path.display(),
            run.stderr
        );
        return None;
    }
    Some(path)
}

#[test]
fn ls_lists_it_with_its_type() {
    let Some(f) = fixture() else { return };
    let run = qnd(&[OsStr::new("ls"), f.as_os_str()]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(
        run.stdout,
        format!(
            "g          group    1 member\n\
             particles  other    {PARTICLES}\n\
             x          leaf     f8 [3]\n"
        )
    );
    let run = qnd(&[OsStr::new("ls"), f.as_os_str(), OsStr::new("-r")]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(
        run.stdout,
        format!(
            "/g          group    1 member\n\
             /g/y        leaf     i4 []\n\
             /particles  other    {PARTICLES}\n\
             /x          leaf     f8 [3]\n"
        )
    );
    let run = qnd(&[OsStr::new("ls"), f.as_os_str(), OsStr::new("particles")]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout, format!("particles  other    {PARTICLES}\n"));
}

#[test]
fn dump_prints_null_warns_and_exits_3() {
    let Some(f) = fixture() else { return };
    let run = qnd(&[OsStr::new("dump"), OsStr::new("--json"), f.as_os_str()]);
    assert_eq!(run.code, Some(3), "{run:?}");
    let json: Json = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["particles"], Json::Null);
    assert_eq!(json["x"]["data"], serde_json::json!([0.0, 1.0, 2.0]));
    assert_eq!(json["g"]["y"]["dtype"], "i4");
    assert_eq!(
        run.stderr,
        format!(
            "qnd: warning: /particles: {PARTICLES}: not dumped (qnd has no kind for it)\n\
             qnd: dump: 1 item qnd has no kind for printed as null\n"
        )
    );
}

#[test]
fn get_of_it_fails_naming_it() {
    let Some(f) = fixture() else { return };
    let expected = format!(
        "{}: /particles: {PARTICLES}: qnd has no kind for this item",
        f.display()
    );
    for extra in [&[][..], &["--json"][..], &["--slice", "0"][..]] {
        let mut args = vec![OsStr::new("get"), f.as_os_str(), OsStr::new("particles")];
        args.extend(extra.iter().map(OsStr::new));
        let run = qnd(&args);
        assert_eq!(run.code, Some(1), "{extra:?}: {run:?}");
        assert!(run.stderr.contains(&expected), "{extra:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    // the rest reads
    let run = qnd(&[OsStr::new("get"), f.as_os_str(), OsStr::new("x")]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "[0. 1. 2.]\n"));
}

/// Convert to HDF5 and to netCDF-4: exit 3, a warning naming the item,
/// and a DST holding everything else (qnd diff says only it is missing).
#[test]
fn convert_leaves_it_out_warns_and_exits_3() {
    let Some(f) = fixture() else { return };
    let dir = tempfile::tempdir().unwrap();
    for ext in ["h5", "nc"] {
        let to = dir.path().join(format!("copy.{ext}"));
        let run = qnd(&[OsStr::new("convert"), f.as_os_str(), to.as_os_str()]);
        assert_eq!(run.code, Some(3), "{ext}: {run:?}");
        assert_eq!(
            run.stderr,
            format!(
                "qnd: warning: /particles: {PARTICLES}: not copied (qnd has no kind for it)\n\
                 qnd: convert: {} written without 1 item qnd has no kind for\n",
                to.display()
            )
        );
        let g = qnd::open(&to, "r").unwrap();
        assert_eq!(g.names().unwrap(), ["g", "x"]);
        assert_eq!(g.read::<Vec<f64>>("x").unwrap(), [0.0, 1.0, 2.0]);
        assert_eq!(g.read::<i32>("g/y").unwrap(), 7);
        g.close().unwrap();
        let run = qnd(&[OsStr::new("diff"), f.as_os_str(), to.as_os_str()]);
        assert_eq!(run.code, Some(1), "{ext}: {run:?}");
        assert_eq!(run.stdout, "/particles: only in A\n", "{ext}");
    }
}

#[test]
fn diff_compares_it_by_type() {
    let Some(f) = fixture() else { return };
    let run = qnd(&[OsStr::new("diff"), f.as_os_str(), f.as_os_str()]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), ""), "{run:?}");
    let Some(py) = common::python::Python::find(&["h5py", "numpy"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let other = |name: &str, particles: &str| -> PathBuf {
        let path = dir.path().join(name);
        py.run(
            &format!(
                "import sys, numpy as np, h5py\n\
                 with h5py.File(sys.argv[1], 'w') as h:\n\
                 \x20   h['x'] = np.arange(3.0)\n\
                 \x20   h['particles'] = {particles}\n\
                 \x20   h['g/y'] = np.int32(7)\n"
            ),
            &[&path],
        );
        path
    };
    let fields = other(
        "fields.h5",
        "np.array([(1, 2.5), (2, 3.5)], dtype=[('id', 'i4'), ('m', 'f4')])",
    );
    let run = qnd(&[OsStr::new("diff"), f.as_os_str(), fields.as_os_str()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stdout,
        format!(
            "/particles: kind differs: other ({PARTICLES}) vs other (compound {{id: i4, m: \
             f4}} [2])\n"
        )
    );
    let leaf = other("leaf.h5", "np.arange(2.0)");
    let run = qnd(&[OsStr::new("diff"), f.as_os_str(), leaf.as_os_str()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stdout,
        format!("/particles: kind differs: other ({PARTICLES}) vs leaf\n")
    );
    // a path naming it
    let run = qnd(&[
        OsStr::new("diff"),
        f.as_os_str(),
        leaf.as_os_str(),
        OsStr::new("/particles"),
    ]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stdout,
        format!("/particles: kind differs: other ({PARTICLES}) vs leaf\n")
    );
}

/// An element of a list that qnd has no kind for (h5py puts a compound in
/// place of element 1 of a list qnd wrote): `ls` lists it, `dump` prints
/// null for it, `convert` keeps the list's length with None in its place.
#[test]
fn a_list_element_of_no_kind() {
    if fixture().is_none() {
        return;
    }
    let Some(py) = common::python::Python::find(&["h5py", "numpy"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lst.h5");
    let f = qnd::open(&path, "w").unwrap();
    f.set(
        "lst",
        qnd::Value::List(vec![1.0.into(), 2.0.into(), 3.0.into()]),
    )
    .unwrap();
    f.close().unwrap();
    py.run(
        "import sys, numpy as np, h5py\n\
         with h5py.File(sys.argv[1], 'r+') as h:\n\
         \x20   del h['lst/_1']\n\
         \x20   h['lst/_1'] = np.array([(1, 2.5)], dtype=[('a', 'i4'), ('b', 'f8')])\n",
        &[&path],
    );
    let what = "compound {a: i4, b: f8} [1]";
    let run = qnd(&[OsStr::new("ls"), path.as_os_str(), OsStr::new("-r")]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(
        run.stdout,
        format!(
            "/lst     list     3 elements\n\
             /lst[0]  leaf     f8 []\n\
             /lst[1]  other    {what}\n\
             /lst[2]  leaf     f8 []\n"
        )
    );
    let run = qnd(&[OsStr::new("ls"), path.as_os_str(), OsStr::new("lst[1]")]);
    assert_eq!(run.stdout, format!("lst[1]  other    {what}\n"), "{run:?}");

    let run = qnd(&[OsStr::new("dump"), OsStr::new("--json"), path.as_os_str()]);
    assert_eq!(run.code, Some(3), "{run:?}");
    let json: Json = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["lst"][1], Json::Null);
    assert_eq!(json["lst"][2]["data"], serde_json::json!([3.0]));
    assert!(
        run.stderr.starts_with(&format!(
            "qnd: warning: /lst[1]: {what}: not dumped (qnd has no kind for it)\n"
        )),
        "{}",
        run.stderr
    );

    let to = dir.path().join("copy.nc");
    let run = qnd(&[OsStr::new("convert"), path.as_os_str(), to.as_os_str()]);
    assert_eq!(run.code, Some(3), "{run:?}");
    assert!(run.stderr.contains(&format!("/lst[1]: {what}: not copied")));
    let g = qnd::open(&to, "r").unwrap();
    assert_eq!(
        g.read::<qnd::Value>("lst").unwrap(),
        qnd::Value::List(vec![1.0.into(), qnd::Value::None, 3.0.into()])
    );
    g.close().unwrap();
}

/// `qnd recover` does not count it as damage: not checked, exit 0.
#[test]
fn recover_does_not_count_it_as_damage() {
    let Some(f) = fixture() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.h5");
    std::fs::write(&path, std::fs::read(&f).unwrap()).unwrap();
    let run = qnd(&[OsStr::new("recover"), path.as_os_str()]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "not checked: /particles: {PARTICLES}: qnd has no kind for it"
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("0 items do not read"), "{}", run.stdout);
}
