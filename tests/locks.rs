//! qnd's writer lock: a file open for writing (in another process, or in
//! this one) cannot be opened for writing again, in any mode, and is left
//! untouched by the attempt; every format, netCDF-3 included (which takes
//! no lock of its own).
#![cfg(all(unix, feature = "hdf5", feature = "netcdf"))]

mod child;
mod common;

use std::path::{Path, PathBuf};

use child::Child;
use qnd::{Error, Mode, NcFormat, OpenOptions, QGroup};

/// The formats, as (name, file name, netCDF flavour of a new file).
const FORMATS: [(&str, &str, NcFormat); 3] = [
    ("HDF5", "f.h5", NcFormat::Netcdf4),
    ("netCDF-4", "f.nc", NcFormat::Netcdf4),
    ("netCDF-3", "f3.nc", NcFormat::Classic),
];

/// A closed file of `flavour` at `dir/name` holding `x` = 1.5.
fn make(dir: &Path, name: &str, flavour: NcFormat) -> PathBuf {
    let path = dir.join(name);
    let f = qnd::open_with(
        &path,
        &OpenOptions {
            netcdf: flavour,
            ..OpenOptions::new(Mode::Create)
        },
    )
    .unwrap();
    f.set("x", 1.5).unwrap();
    f.close().unwrap();
    path
}

/// Not a test: the writer process the tests below start (see `child`).
/// Job: a file, opened with mode `a`; `y` is set and flushed, and the file
/// stays open until the parent lets go.
#[test]
#[ignore = "the child process of the other tests"]
fn child_writer() {
    child::serve(|job| {
        let f = qnd::open(job, "a").unwrap();
        f.set("y", 2.5).unwrap();
        f.flush().unwrap();
        child::ready_and_wait();
        f.close().unwrap();
    });
}

/// Every mode that writes fails with the in-use error naming the file, and
/// the file's bytes do not change.
#[track_caller]
fn refused_and_untouched(path: &Path, what: &str) {
    let before = std::fs::read(path).unwrap();
    for mode in ["a", "r+", "w"] {
        match qnd::open(path, mode) {
            Ok(_) => panic!("{what}: mode {mode} opened a file another writer has"),
            Err(e) => {
                assert!(matches!(e, Error::InUse { .. }), "{what}, {mode}: {e}");
                let text = e.to_string();
                assert!(
                    text.starts_with(&path.display().to_string()) && text.contains("in use"),
                    "{what}, {mode}: {text}"
                );
            }
        }
        assert_eq!(
            std::fs::read(path).unwrap(),
            before,
            "{what}: a refused open with mode {mode} changed the file"
        );
    }
    let e = qnd::open(path, "w-").unwrap_err();
    assert!(matches!(e, Error::FileExists { .. }), "{what}, w-: {e}");
}

#[test]
fn a_writer_in_another_process_keeps_every_other_writer_out() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    for (what, name, flavour) in FORMATS {
        let path = make(dir.path(), name, flavour);
        let writer = Child::start("child_writer", path.to_str().unwrap());
        refused_and_untouched(&path, what);
        writer.finish();
        // the writer is gone: the file opens for writing, with its data
        let f = qnd::open(&path, "a").unwrap();
        assert_eq!(f.read::<f64>("x").unwrap(), 1.5, "{what}");
        assert_eq!(f.read::<f64>("y").unwrap(), 2.5, "{what}");
        f.close().unwrap();
    }
}

#[test]
fn a_killed_writer_leaves_no_lock_behind() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    let (_, name, flavour) = FORMATS[2];
    let path = make(dir.path(), name, flavour);
    let writer = Child::start("child_writer", path.to_str().unwrap());
    refused_and_untouched(&path, "netCDF-3");
    writer.kill();
    let f = qnd::open(&path, "r+").unwrap();
    assert_eq!(f.read::<f64>("x").unwrap(), 1.5);
    f.close().unwrap();
}

#[test]
fn two_writers_in_one_process() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    for (what, name, flavour) in FORMATS {
        let path = make(dir.path(), name, flavour);
        let first = qnd::open(&path, "a").unwrap();
        first.set("y", 2.5).unwrap();
        first.flush().unwrap();
        refused_and_untouched(&path, what);
        // the first writer is unharmed by the refused opens
        first.set("z", 3.5).unwrap();
        first.close().unwrap();
        let again: QGroup = qnd::open(&path, "r+").unwrap();
        assert_eq!(again.read::<f64>("y").unwrap(), 2.5, "{what}");
        assert_eq!(again.read::<f64>("z").unwrap(), 3.5, "{what}");
        drop(again); // the lock goes with the last handle
        qnd::open(&path, "a").unwrap().close().unwrap();
    }
}

#[test]
fn a_writer_that_replaced_the_file_keeps_it_locked() {
    let _serial = child::serial();
    // mode w replaces the file through the library: the lock must hold
    // the file the library writes (the same file, not an unlinked one)
    let dir = tempfile::tempdir().unwrap();
    for (what, name, flavour) in FORMATS {
        let path = make(dir.path(), name, flavour);
        let ino = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).unwrap());
        let first = qnd::open_with(
            &path,
            &OpenOptions {
                netcdf: flavour,
                ..OpenOptions::new(Mode::Create)
            },
        )
        .unwrap();
        first.set("w", 4.5).unwrap();
        first.flush().unwrap();
        let now = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).unwrap());
        assert_eq!(now, ino, "{what}: mode w made a new file");
        refused_and_untouched(&path, what);
        first.close().unwrap();
        let f = qnd::open(&path, "r").unwrap();
        assert_eq!(f.names().unwrap(), ["w"], "{what}");
    }
}

#[test]
fn readers_take_no_lock() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    for (what, name, flavour) in FORMATS {
        let path = make(dir.path(), name, flavour);
        let reader = qnd::open(&path, "r").unwrap();
        let writer = qnd::open(&path, "a");
        // HDF5 itself may refuse a writer while this process reads the
        // file; qnd's lock never does
        if let Err(e) = &writer {
            assert!(!matches!(e, Error::InUse { .. }), "{what}: {e}");
        }
        drop(writer);
        reader.close().unwrap();
    }
}

#[test]
fn netcdf3_is_read_while_it_is_written() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    let (_, name, flavour) = FORMATS[2];
    let path = make(dir.path(), name, flavour);
    let writer = Child::start("child_writer", path.to_str().unwrap());
    let f = qnd::open(&path, "r").unwrap();
    assert_eq!(f.read::<f64>("x").unwrap(), 1.5);
    assert_eq!(f.read::<f64>("y").unwrap(), 2.5);
    f.close().unwrap();
    writer.finish();
}

#[test]
fn netcdf4_being_written_is_refused_to_readers_with_a_reason() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    let (_, name, flavour) = FORMATS[1];
    let path = make(dir.path(), name, flavour);
    let writer = Child::start("child_writer", path.to_str().unwrap());
    let e = qnd::open(&path, "r").unwrap_err();
    assert!(matches!(e, Error::BeingWritten { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        format!(
            "{} is being written by another process; live reading works for HDF5 files \
             (with the v3 superblock qnd writes; not file families) and netCDF-3 files",
            path.display()
        )
    );
    writer.finish();
    qnd::open(&path, "r").unwrap().close().unwrap();
}

#[test]
fn sync_flushes_to_disk_and_the_file_reads_back() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    for (what, name, flavour) in FORMATS {
        let path = dir.path().join(name);
        let options = OpenOptions {
            netcdf: flavour,
            sync: true,
            ..OpenOptions::new(Mode::Create)
        };
        let f = qnd::open_with(&path, &options).unwrap();
        f.set_recording(qnd::Recording::Uniform);
        for k in 0..3 {
            f.set("t", f64::from(k)).unwrap();
            f.flush().unwrap();
        }
        f.close().unwrap();
        let r = qnd::open(&path, "r").unwrap();
        assert_eq!(r.list("t").unwrap().len().unwrap(), 3, "{what}");
    }
}

/// Mode `w` of a file that a program outside qnd has open through the
/// HDF5 library (h5py here, writing or reading: HDF5's own `flock()` lock,
/// not qnd's) is refused as in use, and the file is left untouched. (HDF5
/// takes its lock only after truncating for `w`, and netCDF-3 takes none:
/// without qnd's check the file was destroyed.) Skipped without h5py.
#[test]
fn mode_w_leaves_alone_a_file_an_hdf5_program_has_open() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    // before looking for Python: that starts a process, which must not
    // inherit a file another test is opening through HDF5
    let _serial = child::serial();
    let Some(_python) = common::python::Python::find(&["h5py"]) else {
        return;
    };
    let exe = std::env::var("QND_PYTHON").unwrap_or_else(|_| "python3".into());
    let dir = tempfile::tempdir().unwrap();
    for (h5py_mode, name, flavour) in [
        ("r+", "w.h5", NcFormat::Netcdf4),
        ("r", "r.h5", NcFormat::Netcdf4),
        ("r+", "w4.nc", NcFormat::Netcdf4),
        ("r+", "w3.nc", NcFormat::Classic),
    ] {
        let path = dir.path().join(name);
        make(dir.path(), name, NcFormat::Netcdf4);
        let mut holder = Command::new(&exe)
            .args([
                "-c",
                "import sys, h5py\n\
                 f = h5py.File(sys.argv[1], sys.argv[2])\n\
                 print('ready', flush=True)\n\
                 sys.stdin.read()\n\
                 f.close()",
            ])
            .arg(&path)
            .arg(h5py_mode)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(holder.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "h5py did not open {name}");
        let before = std::fs::read(&path).unwrap();
        let what = format!("{name} open in h5py ({h5py_mode}), qnd mode w as {flavour:?}");
        let opened = qnd::open_with(
            &path,
            &OpenOptions {
                netcdf: flavour,
                ..OpenOptions::new(Mode::Create)
            },
        );
        let after = std::fs::read(&path).unwrap();
        holder.stdin.take().unwrap().write_all(b"").unwrap();
        assert!(holder.wait().unwrap().success(), "{what}: h5py failed");
        match opened {
            Ok(f) => {
                drop(f);
                panic!("{what}: opened");
            }
            Err(e) => assert!(matches!(e, Error::InUse { .. }), "{what}: {e}"),
        }
        assert_eq!(after, before, "{what}: the refused open changed the file");
        let f = qnd::open(&path, "r").unwrap();
        assert_eq!(f.read::<f64>("x").unwrap(), 1.5, "{what}");
        f.close().unwrap();
    }
}

/// An HDF5 file with an old superblock (v0, h5py's default) cannot be
/// read while a writer records it (no SWMR): readers are told so, not
/// given HDF5's lock error.
#[test]
fn an_old_hdf5_file_being_written_is_refused_to_readers_with_a_reason() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.h5");
    {
        use qnd_hdf5::hdf5;
        let f = hdf5::File::create(&path).unwrap();
        f.new_dataset::<f64>()
            .create("x")
            .unwrap()
            .write_scalar(&1.5)
            .unwrap();
        f.close().unwrap();
    }
    let writer = Child::start("child_writer", path.to_str().unwrap());
    let e = qnd::open(&path, "r").unwrap_err();
    assert!(matches!(e, Error::BeingWritten { .. }), "{e}");
    writer.finish();
    let f = qnd::open(&path, "r").unwrap();
    assert_eq!(f.read::<f64>("y").unwrap(), 2.5);
    f.close().unwrap();
}
