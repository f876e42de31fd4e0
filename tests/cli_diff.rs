//! `qnd diff A B [PATH] [--rtol R] [--atol A] [-q]` run as a program: its
//! output, and its exit status (0 equal, 1 different, 2 errors).
#![cfg(feature = "hdf5")]

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use ndarray::Array1;
use qnd::Recording;

/// One test at a time: a child started while another test has a file
/// open would inherit its descriptor (the C libraries open without
/// `O_CLOEXEC`; qnd marks it close-on-exec just after), and HDF5's lock on
/// that file with it (as in tests/families.rs).
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Exit status, stdout and stderr of `qnd diff ARGS`.
fn diff<S: AsRef<OsStr>>(args: &[S]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .arg("diff")
        .args(args)
        .output()
        .expect("run qnd");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A file at `path` with a few members; `u` scaled by `scale`.
fn write(path: &Path, scale: f64) {
    let f = qnd::open(path, "w").unwrap();
    f.set("g", qnd::group! {"x" => vec![1.0, 2.0, 3.0]})
        .unwrap();
    f.attrs("g/x").unwrap().set("units", "cm").unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..4 {
        f.set("time", k as f64).unwrap();
        f.set("u", Array1::from_elem(2, k as f64 * scale)).unwrap();
    }
    f.close().unwrap();
}

#[test]
fn equal_files_exit_0_and_print_nothing() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.h5"), dir.path().join("b.nc"));
    write(&a, 1.0);
    write(&b, 1.0);
    assert_eq!(diff(&[&a, &b]), (Some(0), String::new(), String::new()));
    assert_eq!(diff(&[&a, &a]).0, Some(0));
    if let Some(tree) = common::fixtures::path("tree.h5") {
        let copy = dir.path().join("tree.nc");
        let run = Command::new(env!("CARGO_BIN_EXE_qnd"))
            .arg("convert")
            .args([&tree, &copy])
            .output()
            .unwrap();
        assert!(run.status.success());
        assert_eq!(
            diff(&[&tree, &copy]),
            (Some(0), String::new(), String::new())
        );
    }
}

#[test]
fn different_files_exit_1_with_one_line_per_difference() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.h5"), dir.path().join("b.h5"));
    write(&a, 1.0);
    write(&b, 1.5);
    let f = qnd::open(&b, "r+").unwrap();
    f.attrs("g/x").unwrap().set("units", "m").unwrap();
    f.set("extra", 1).unwrap();
    f.close().unwrap();
    let (code, out, err) = diff(&[&a, &b]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(err, "");
    assert_eq!(
        out,
        "/g/x: attribute units differs: \"cm\" vs \"m\"\n\
         /u: values differ at [1, 0]: 1 vs 1.5 (6 of 8 elements; max abs 1.5, max rel 0.3333333333333333)\n\
         /extra: only in B\n"
    );
    // -q: the status alone.
    assert_eq!(
        diff(&[&a as &dyn AsRef<OsStr>, &b, &"-q"]),
        (Some(1), String::new(), String::new())
    );
    // Within the tolerance only the attribute and the extra member remain.
    let (code, out, _) = diff(&[&a as &dyn AsRef<OsStr>, &b, &"--rtol", &"0.34"]);
    assert_eq!(code, Some(1));
    assert_eq!(out.lines().count(), 2, "{out}");
    let (code, out, _) = diff(&[&a as &dyn AsRef<OsStr>, &b, &"--atol=1.5"]);
    assert_eq!((code, out.lines().count()), (Some(1), 2));
    // PATH: only that item.
    let (code, out, _) = diff(&[&a as &dyn AsRef<OsStr>, &b, &"/u", &"--rtol", &"0.34"]);
    assert_eq!((code, out.as_str()), (Some(0), ""));
    let (code, out, _) = diff(&[&a as &dyn AsRef<OsStr>, &b, &"u[1]"]);
    assert_eq!(code, Some(1));
    assert!(
        out.starts_with("/u[1]: values differ at [0]: 1 vs 1.5 (2 of 2 elements"),
        "{out}"
    );
    let (code, out, _) = diff(&[&a as &dyn AsRef<OsStr>, &b, &"extra"]);
    assert_eq!((code, out.as_str()), (Some(1), "/extra: only in B\n"));
}

#[test]
fn errors_exit_2() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.h5");
    write(&a, 1.0);
    let missing = dir.path().join("missing.h5");
    let (code, out, err) = diff(&[&a, &missing]);
    assert_eq!((code, out.as_str()), (Some(2), ""));
    assert!(err.contains("missing.h5: no such file"), "{err}");
    // No such PATH in either file.
    let (code, _, err) = diff(&[&a as &dyn AsRef<OsStr>, &a, &"/nothing"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no item /nothing"), "{err}");
    // Not a file qnd can open.
    let junk = dir.path().join("junk.nc");
    std::fs::write(&junk, b"not a netCDF file").unwrap();
    assert_eq!(diff(&[&a, &junk]).0, Some(2));
    // Usage errors.
    assert_eq!(diff(&[&a]).0, Some(2));
    let (code, _, err) = diff(&[&a as &dyn AsRef<OsStr>, &a, &"--rtol", &"-1"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("finite and >= 0"), "{err}");
    assert_eq!(
        diff(&[&a as &dyn AsRef<OsStr>, &a, &"--atol", &"x"]).0,
        Some(2)
    );
    assert_eq!(
        diff(&[&a as &dyn AsRef<OsStr>, &a, &"--frobnicate"]).0,
        Some(2)
    );
    // --help: the exit statuses and an example, exit 0.
    let (code, out, _) = diff(&["--help"]);
    assert_eq!(code, Some(0));
    for words in [
        "Exit status",
        "qnd diff run.h5 run.nc",
        "--rtol",
        "numpy.isclose",
    ] {
        assert!(out.contains(words), "{words} not in\n{out}");
    }
}

#[test]
fn piped_output_shows_no_progress() {
    let _serial = serial();
    // 72 MB a file: over the size a progress bar appears for on a
    // terminal; piped, stderr stays empty.
    let dir = tempfile::tempdir().unwrap();
    let n = 9_000_000;
    let (a, b) = (dir.path().join("a.h5"), dir.path().join("b.h5"));
    for (path, last) in [(&a, 0.0), (&b, 1.0)] {
        let f = qnd::open(path, "w").unwrap();
        let mut x = Array1::<f64>::zeros(n);
        x[n - 1] = last;
        f.set("x", x).unwrap();
        f.close().unwrap();
    }
    let (code, out, err) = diff(&[&a, &b]);
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        "/x: values differ at [8999999]: 0 vs 1 (1 of 9000000 elements; max abs 1, max rel 1)\n"
    );
    assert_eq!(err, "");
}
