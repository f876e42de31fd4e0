//! Open errors name the file and say why: no such file, not an HDF5 or
//! netCDF file (and what was found), in use by another writer, permission
//! denied, a directory, a missing directory, a damaged file, a missing
//! member of a file family.
#![cfg(feature = "hdf5")]

mod common;

use std::path::Path;

use qnd::Error;

/// `qnd::open(path, mode)` fails, and its message (with its sources) names
/// the file and holds each of `words`: the error.
#[track_caller]
fn refused(path: &Path, mode: &str, words: &[&str]) -> Error {
    let e = match qnd::open(path, mode) {
        Ok(_) => panic!("{} opened in mode {mode}", path.display()),
        Err(e) => e,
    };
    let text = qnd::error_chain(&e);
    assert!(
        text.contains(&*path.to_string_lossy()),
        "{mode}: no file name in {text:?}"
    );
    for w in words {
        assert!(text.contains(w), "{mode}: {w:?} not in {text:?}");
    }
    e
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
fn a_missing_file() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    for mode in ["r", "r+"] {
        let e = refused(&dir.path().join("missing.h5"), mode, &["no such file"]);
        assert!(matches!(e, Error::NoFile { .. }), "{e:?}");
    }
}

#[test]
fn a_missing_directory_for_a_new_file() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nodir").join("x.h5");
    for mode in ["w", "w-", "a"] {
        let e = refused(
            &p,
            mode,
            &["cannot create it", "nodir", "No such file or directory"],
        );
        assert!(matches!(e, Error::Io { .. }), "{e:?}");
    }
    let p = dir.path().join("nodir").join("x.nc");
    refused(&p, "w", &["cannot create it", "No such file or directory"]);
    // a file where a directory should be
    std::fs::write(dir.path().join("plain"), b"x").unwrap();
    refused(
        &dir.path().join("plain").join("x.h5"),
        "w",
        &["not a directory"],
    );
}

#[test]
fn not_an_hdf5_or_netcdf_file() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("text.h5"), b"hello, world").unwrap();
    std::fs::write(p("text.nc"), b"hello, world").unwrap();
    std::fs::write(p("text"), b"hello, world").unwrap();
    std::fs::write(p("empty.h5"), b"").unwrap();
    for mode in ["r", "r+", "a"] {
        let e = refused(&p("text.h5"), mode, &["no HDF5 signature", "hello, w"]);
        assert!(matches!(e, Error::Format { .. }), "{e:?}");
        refused(&p("text.nc"), mode, &["netCDF", "hello, w"]);
        refused(&p("text"), mode, &["not a file qnd can open", "hello, w"]);
        refused(&p("empty.h5"), mode, &["an empty file"]);
    }
    // nothing was changed
    assert_eq!(std::fs::read(p("text.h5")).unwrap(), b"hello, world");
}

#[test]
fn a_damaged_hdf5_file() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("damaged.h5");
    let mut bytes = b"\x89HDF\r\n\x1a\n".to_vec();
    bytes.extend([0u8; 200]);
    std::fs::write(&p, &bytes).unwrap();
    for mode in ["r", "r+"] {
        // the library's own reason
        refused(&p, mode, &["hdf5", "unable to open file"]);
    }
}

#[test]
fn a_file_another_writer_has() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("held.h5");
    let held = qnd::open(&p, "w").unwrap();
    held.set("x", 1.0).unwrap();
    held.flush().unwrap();
    for mode in ["r+", "a", "w"] {
        let e = refused(&p, mode, &["in use", "another writer", "locked"]);
        assert!(matches!(e, Error::InUse { .. }), "{e:?}");
    }
    let e = refused(&p, "w-", &["exists"]);
    assert!(matches!(e, Error::FileExists { .. }), "{e:?}");
    held.close().unwrap();
    assert_eq!(qnd::open(&p, "r").unwrap().read::<f64>("x").unwrap(), 1.0);
}

#[test]
fn a_directory() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    for name in ["dir.h5", "dir.nc", "dir"] {
        let p = dir.path().join(name);
        std::fs::create_dir(&p).unwrap();
        for mode in ["r", "r+", "a", "w"] {
            let e = refused(&p, mode, &["Is a directory"]);
            assert!(matches!(e, Error::Io { .. }), "{e:?}");
        }
        refused(&p, "w-", &["exists"]);
        assert!(p.is_dir());
    }
}

#[test]
fn permission_denied() {
    let _serial = serial();
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("secret.h5");
    qnd::open(&p, "w").unwrap().close().unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&p).is_ok() {
        println!("skipped: permissions are not enforced here (running as root?)");
        return;
    }
    for mode in ["r", "r+", "a", "w"] {
        let e = refused(&p, mode, &["Permission denied"]);
        assert!(matches!(e, Error::Io { .. }), "{e:?}");
    }
    // a new file in a directory that cannot be written
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    refused(
        &ro.join("new.h5"),
        "w",
        &["cannot create it", "Permission denied"],
    );
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_missing_family_member() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("fam%d.h5");
    let opts = qnd::OpenOptions {
        family_size: 4096,
        ..qnd::OpenOptions::new(qnd::Mode::Create)
    };
    let f = qnd::open_with(&pattern, &opts).unwrap();
    f.set("x", ndarray::Array1::from_iter((0..2000).map(f64::from)))
        .unwrap();
    f.close().unwrap();
    std::fs::remove_file(dir.path().join("fam2.h5")).unwrap();
    for mode in ["r", "r+", "a"] {
        refused(&pattern, mode, &["member", "fam2.h5", "missing"]);
    }
    // the first member alone is not an HDF5 file HDF5 opens
    refused(
        &dir.path().join("fam0.h5"),
        "r",
        &["first member", "file family", "%d"],
    );
    std::fs::remove_file(dir.path().join("fam0.h5")).unwrap();
    let e = refused(&pattern, "r", &["no such file"]);
    assert!(matches!(e, Error::NoFile { .. }), "{e:?}");
}

/// A file an HDF5 program (h5py) has open for writing: HDF5's own lock
/// keeps readers and writers out, and qnd says so. Skipped without h5py.
#[test]
fn a_file_an_hdf5_program_writes() {
    let _serial = serial();
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    if common::python::Python::find(&["h5py"]).is_none() {
        return;
    }
    let exe = std::env::var("QND_PYTHON").unwrap_or_else(|_| "python3".into());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("h5py.h5");
    let f = qnd::open(&p, "w").unwrap();
    f.set("x", 1.5).unwrap();
    f.close().unwrap();
    let mut holder = Command::new(&exe)
        .args([
            "-c",
            "import sys, h5py\n\
             f = h5py.File(sys.argv[1], 'r+')\n\
             print('ready', flush=True)\n\
             sys.stdin.read()\n\
             f.close()",
        ])
        .arg(&p)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "h5py did not open the file");
    let e = qnd::open(&p, "r").map(drop).unwrap_err();
    holder.stdin.take().unwrap().write_all(b"").unwrap();
    assert!(holder.wait().unwrap().success(), "h5py failed");
    let text = e.to_string();
    assert!(matches!(e, Error::InUse { .. }), "{text}");
    assert!(
        text.contains("h5py.h5") && text.contains("through the HDF5 library"),
        "{text}"
    );
}
