//! The `qnd` command line on PDB files written by Python qnd
//! (`../shared/fixtures/pdb/`): `ls`, `dump --json` (the fixture's JSON),
//! `convert` to HDF5 and netCDF-4 and back to PDB (then `diff` finds
//! nothing), `get`, `plot`, `diff` and `recover`; what PDB cannot hold
//! is refused. Skipped, with a message, when
//! the folder is absent.
#![cfg(all(feature = "pdb", feature = "hdf5", feature = "netcdf"))]

mod common;

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;

use common::fixtures::{self, first_difference};
use serde_json::Value as Json;

/// What a run of the program gave.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn qnd<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .args(args)
        .output()
        .expect("run qnd");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn pdb(name: &str) -> Option<PathBuf> {
    let p = fixtures::dir()?.join("pdb").join(name);
    if p.exists() {
        Some(p)
    } else {
        println!("skipped: no PDB fixture {}", p.display());
        None
    }
}

fn want_json(name: &str) -> Json {
    let p = fixtures::dir().unwrap().join("pdb").join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn ls_lists_the_tree_with_record_counts() {
    let Some(f) = pdb("history.pdb") else {
        return;
    };
    let run = qnd(&[OsStr::new("ls"), f.as_os_str()]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let line = |name: &str| {
        run.stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} in {}", run.stdout))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("time"), "time records f8 [] x 7");
    assert_eq!(line("u"), "u records f8 [3] x 7");
    assert_eq!(line("nx"), "nx leaf i4 []");
}

#[test]
fn dump_json_is_the_fixtures_json() {
    for name in [
        "types.pdb",
        "tree.pdb",
        "history.pdb",
        "append.pdb",
        "be.pdb",
    ] {
        let Some(f) = pdb(name) else {
            return;
        };
        let run = qnd(&[OsStr::new("dump"), OsStr::new("--json"), f.as_os_str()]);
        assert_eq!(run.code, Some(0), "{name}: {run:?}");
        let got: Json = serde_json::from_str(&run.stdout).unwrap();
        let want = want_json(&format!("{name}.json"));
        assert_eq!(first_difference(&got, &want, ""), None, "{name}");
    }
    // a family by pattern
    let Some(first) = pdb("fam00.pdb") else {
        return;
    };
    let pattern = first.with_file_name("fam%02d.pdb");
    let run = qnd(&[
        OsStr::new("dump"),
        OsStr::new("--json"),
        pattern.as_os_str(),
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let got: Json = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(first_difference(&got, &want_json("fam.json"), ""), None);
}

#[test]
fn convert_to_hdf5_and_netcdf_then_diff_finds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["types.pdb", "tree.pdb", "history.pdb", "be.pdb"] {
        let Some(src) = pdb(name) else {
            return;
        };
        for ext in ["h5", "nc"] {
            let dst = tmp.path().join(format!("{name}.{ext}"));
            let run = qnd(&[OsStr::new("convert"), src.as_os_str(), dst.as_os_str()]);
            assert_eq!(run.code, Some(0), "{name} -> {ext}: {run:?}");
            let run = qnd(&[OsStr::new("diff"), src.as_os_str(), dst.as_os_str()]);
            assert_eq!(run.code, Some(0), "{name} vs {ext}: {run:?}");
            assert_eq!(run.stdout, "", "{name} vs {ext}");
            // and the copy dumps to the fixture's JSON
            let run = qnd(&[OsStr::new("dump"), OsStr::new("--json"), dst.as_os_str()]);
            let got: Json = serde_json::from_str(&run.stdout).unwrap();
            let want = want_json(&format!("{name}.json"));
            assert_eq!(first_difference(&got, &want, ""), None, "{name} as {ext}");
        }
    }
}

#[test]
fn get_and_plot_read_a_history() {
    let Some(f) = pdb("history.pdb") else {
        return;
    };
    let want = want_json("history.pdb.json");
    let run = qnd(&[
        OsStr::new("get"),
        f.as_os_str(),
        OsStr::new("u"),
        OsStr::new("--record"),
        OsStr::new("2"),
        OsStr::new("--json"),
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let got: Json = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(got, want["u"][2]);
    let tmp = tempfile::tempdir().unwrap();
    let svg = tmp.path().join("energy.svg");
    let run = qnd(&[
        OsStr::new("plot"),
        f.as_os_str(),
        OsStr::new("energy"),
        OsStr::new("--vs"),
        OsStr::new("time"),
        OsStr::new("-o"),
        svg.as_os_str(),
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg") && text.contains("polyline"),
        "{text:.200}"
    );
}

#[test]
fn diff_of_two_pdb_files_reports_by_path() {
    let (Some(a), Some(b)) = (pdb("history.pdb"), pdb("append.pdb")) else {
        return;
    };
    let run = qnd(&[OsStr::new("diff"), a.as_os_str(), a.as_os_str()]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = qnd(&[OsStr::new("diff"), a.as_os_str(), b.as_os_str()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.lines().all(|l| l.starts_with('/')), "{run:?}");
}

#[test]
fn convert_to_pdb_from_hdf5_and_netcdf_then_diff_finds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["types.pdb", "tree.pdb", "history.pdb", "be.pdb"] {
        let Some(src) = pdb(name) else {
            return;
        };
        for ext in ["h5", "nc"] {
            let mid = tmp.path().join(format!("{name}.{ext}"));
            let back = tmp.path().join(format!("{name}.{ext}.pdb"));
            for (a, b) in [(&src, &mid), (&mid, &back)] {
                let run = qnd(&[OsStr::new("convert"), a.as_os_str(), b.as_os_str()]);
                assert_eq!(run.code, Some(0), "{name} via {ext}: {run:?}");
            }
            let run = qnd(&[OsStr::new("diff"), src.as_os_str(), back.as_os_str()]);
            assert_eq!(run.code, Some(0), "{name} via {ext}: {run:?}");
            let run = qnd(&[OsStr::new("dump"), OsStr::new("--json"), back.as_os_str()]);
            let got: Json = serde_json::from_str(&run.stdout).unwrap();
            let want = want_json(&format!("{name}.json"));
            assert_eq!(first_difference(&got, &want, ""), None, "{name} via {ext}");
        }
    }
}

#[test]
fn convert_to_pdb_refuses_what_pdb_cannot_hold() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("odd.h5");
    let f = qnd::open(&src, "w").unwrap();
    f.set("ok", 1.0).unwrap();
    f.set("a:b", vec![1.0, 2.0]).unwrap();
    f.close().unwrap();
    let dst = tmp.path().join("odd.pdb");
    let run = qnd(&[OsStr::new("convert"), src.as_os_str(), dst.as_os_str()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("a:b") && run.stderr.contains("PDB"),
        "{run:?}"
    );
    assert!(!dst.exists());
}

#[test]
fn recover_checks_a_pdb_file_and_changes_nothing() {
    let Some(src) = pdb("history.pdb") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("history.pdb");
    std::fs::copy(&src, &copy).unwrap();
    let run = qnd(&[OsStr::new("recover"), copy.as_os_str()]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("PDB file"), "{run:?}");
    assert!(run.stdout.contains("0 items do not read"), "{run:?}");
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&src).unwrap());
}
