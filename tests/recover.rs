//! Files left by a writer that did not close them: opening one is an error
//! that says so and how to recover; `qnd recover` (and `qnd::recover`)
//! repairs what is safe, says what it did, and the file then opens (with
//! h5py too, when Python has it: set `QND_PYTHON`).
#![cfg(all(unix, feature = "hdf5", feature = "netcdf"))]

mod child;
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use child::Child;
use common::python::Python;
use qnd::{Error, Mode, NcFormat, OpenOptions, Recording};
use qnd_hdf5::hdf5;
use qnd_hdf5::superblock::Superblock;

const RECORDS: usize = 40;

/// Record `n` of the histories written here: `time` = n/100, `u` = 8
/// values n..n+8.
fn record(f: &qnd::QGroup, n: usize) {
    f.set("time", n as f64 * 0.01).unwrap();
    f.set("u", (n..n + 8).map(|v| v as f64).collect::<Vec<_>>())
        .unwrap();
}

/// Check that `f` holds exactly records 0..n of `record`.
#[track_caller]
fn check_records(f: &qnd::QGroup, n: usize) {
    f.goto_off();
    let time: Vec<f64> = f.list("time").unwrap().as_array().unwrap().read().unwrap();
    assert_eq!(time.len(), n);
    for (k, t) in time.iter().enumerate() {
        assert_eq!(*t, k as f64 * 0.01, "time[{k}]");
    }
    let u = f.list("u").unwrap();
    assert_eq!(u.len().unwrap(), n);
    for k in [0, n / 2, n - 1] {
        let want: Vec<f64> = (k..k + 8).map(|v| v as f64).collect();
        assert_eq!(u.read::<Vec<f64>>(k as isize).unwrap(), want, "u[{k}]");
    }
}

/// Not a test: the recording process the tests below kill (see `child`).
/// Job: a file (that exists), opened `r+`: [`RECORDS`] records, a flush,
/// then it waits to be killed.
#[test]
#[ignore = "the child process of the other tests"]
fn child_recorder() {
    child::serve(|job| {
        let f = qnd::open(job, "r+").unwrap();
        f.set_recording(Recording::Uniform);
        for n in 0..RECORDS {
            record(&f, n);
        }
        f.flush().unwrap();
        child::ready_and_wait();
        f.close().unwrap();
    });
}

/// A new, empty HDF5 file with a version 3 superblock (`libver` latest),
/// which HDF5 flags while a writer has it open.
fn make_v3(path: &Path) {
    let f = hdf5::File::with_options()
        .with_fapl(|p| p.libver_latest())
        .create(path)
        .unwrap();
    f.close().unwrap();
}

/// Run `qnd ARGS`: (success, stdout, stderr).
fn qnd(args: &[&dyn AsRef<std::ffi::OsStr>]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The error opening `path` in `mode` must be NeedsRecovery, saying so.
#[track_caller]
fn needs_recovery(path: &Path, mode: &str, why: &str) {
    let e = qnd::open(path, mode).unwrap_err();
    assert!(matches!(e, Error::NeedsRecovery { .. }), "{mode}: {e}");
    let text = e.to_string();
    for part in [
        &path.display().to_string(),
        why,
        "not closed by its writer (crashed or killed)",
        &format!("run `qnd recover {}`", path.display()),
    ] {
        assert!(text.contains(part), "{mode}: {text:?} lacks {part:?}");
    }
}

/// h5py opens `path` and reads `time` whole: its length.
fn h5py_time_len(py: &Python, path: &Path) -> usize {
    let out = py.run(
        "import sys, h5py\nf = h5py.File(sys.argv[1], 'r')\nprint(len(f['time'][()]))",
        &[&path],
    );
    out.trim().parse().unwrap()
}

#[test]
fn a_killed_hdf5_writer_leaves_flags_that_recover_clears() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.h5");
    make_v3(&path);
    let writer = Child::start("child_recorder", path.to_str().unwrap());
    writer.kill();

    let sb = Superblock::read_path(&path).unwrap().unwrap();
    assert_eq!(sb.version, 3);
    assert_eq!(
        sb.describe_flags(),
        "write access, SWMR write access",
        "after a kill of a recorder in SWMR mode"
    );
    // readers read what was flushed (in SWMR mode, with a warning); a
    // writer is refused until the file is recovered
    check_records(&qnd::open(&path, "r").unwrap(), RECORDS);
    needs_recovery(&path, "a", "status flags");
    needs_recovery(&path, "r+", "status flags");
    let py = Python::find(&["h5py"]);
    if let Some(py) = &py {
        let opened = py.run(
            "import sys, h5py\ntry:\n    h5py.File(sys.argv[1], 'r')\n    print('opened')\n\
             except OSError:\n    print('refused')",
            &[&path],
        );
        assert_eq!(opened.trim(), "refused", "h5py and a flagged file");
    }

    let (ok, out, err) = qnd(&[&"recover", &path]);
    assert!(ok, "qnd recover failed: {out}{err}");
    assert!(
        out.contains("found: status flags set (write access"),
        "{out}"
    );
    assert!(
        out.contains("repaired: cleared the status flags and rewrote the superblock checksum"),
        "{out}"
    );
    assert!(out.contains("0 items do not read"), "{out}");
    let sb = Superblock::read_path(&path).unwrap().unwrap();
    assert_eq!(sb.flags, 0);
    assert!(sb.checksum_ok());

    let f = qnd::open(&path, "r").unwrap();
    check_records(&f, RECORDS);
    f.close().unwrap();
    if let Some(py) = &py {
        assert_eq!(h5py_time_len(py, &path), RECORDS);
    }
    // recovered, the file takes more records
    let f = qnd::open(&path, "a").unwrap();
    f.set_recording(Recording::Uniform);
    record(&f, RECORDS);
    f.close().unwrap();
    check_records(&qnd::open(&path, "r").unwrap(), RECORDS + 1);
}

#[test]
fn a_file_shorter_than_its_superblock_says_is_extended() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.h5");
    let f = qnd::open(&path, "w").unwrap();
    f.set("x", 2.5).unwrap();
    // written last, so that its data ends the file
    f.set("big", vec![7.0f64; 100_000]).unwrap();
    f.close().unwrap();
    let len = std::fs::metadata(&path).unwrap().len();
    let end = {
        let h = hdf5::File::open(&path).unwrap();
        let big = h.dataset("big").unwrap();
        big.offset().unwrap() + big.storage_size()
    };
    assert!(
        end + 4096 >= len,
        "the data of big ({end}) does not end the file ({len}): the test cannot cut it"
    );
    let cut = len - 4096;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(cut)
        .unwrap();
    needs_recovery(&path, "r", &format!("is {cut} bytes long"));

    let report = qnd::recover(&path).unwrap();
    assert!(
        report.format.starts_with("HDF5 (superblock version"),
        "{report}"
    );
    assert_eq!(report.repairs.len(), 1, "{report}");
    assert!(
        report.repairs[0].starts_with(&format!("extended the file from {cut} to {len} bytes")),
        "{report}"
    );
    assert!(report.is_readable(), "{report}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), len);
    let f = qnd::open(&path, "r").unwrap();
    assert_eq!(f.read::<f64>("x").unwrap(), 2.5);
    let big: Vec<f64> = f.read("big").unwrap();
    // what was cut reads as zeros; what was not is intact
    assert_eq!(big.len(), 100_000);
    assert!(big[..99_000].iter().all(|&v| v == 7.0));
    f.close().unwrap();
    if let Some(py) = Python::find(&["h5py"]) {
        py.run(
            "import sys, h5py\nf = h5py.File(sys.argv[1], 'r')\nassert f['x'][()] == 2.5",
            &[&path],
        );
    }
}

#[test]
fn a_netcdf3_record_count_past_the_data_is_lowered() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.nc");
    let options = OpenOptions {
        netcdf: NcFormat::Classic,
        recording: Recording::Uniform,
        ..OpenOptions::new(Mode::Create)
    };
    let f = qnd::open_with(&path, &options).unwrap();
    for n in 0..10 {
        record(&f, n);
    }
    f.close().unwrap();
    let len = std::fs::metadata(&path).unwrap().len();
    // cut into the last record: its `u` part is incomplete
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len - 20)
        .unwrap();
    assert!(qnd::open(&path, "r").is_err(), "a cut netCDF-3 file opened");

    let (ok, out, err) = qnd(&[&"recover", &path]);
    assert!(ok, "qnd recover failed: {out}{err}");
    assert!(out.contains("netCDF-3 file"), "{out}");
    assert!(
        out.contains("found: the header counts 10 records but the file holds only 9 complete ones"),
        "{out}"
    );
    assert!(
        out.contains("repaired: set the record count from 10 to 9"),
        "{out}"
    );
    let f = qnd::open(&path, "r").unwrap();
    check_records(&f, 9);
    f.close().unwrap();
}

#[test]
fn a_killed_netcdf4_writer_is_checked() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.nc");
    qnd::open(&path, "w").unwrap().close().unwrap();
    let writer = Child::start("child_recorder", path.to_str().unwrap());
    writer.kill();
    // netCDF-C's files have a version 2 superblock, whose flags HDF5 sets
    // but does not check: readers go ahead (with a warning), writers not
    let sb = Superblock::read_path(&path).unwrap().unwrap();
    assert_eq!(sb.version, 2);
    assert!(sb.flagged() && !sb.refused(), "flags {:#x}", sb.flags);
    check_records(&qnd::open(&path, "r").unwrap(), RECORDS);
    needs_recovery(&path, "a", "status flags");

    let report = qnd::recover(&path).unwrap();
    assert!(report.format.starts_with("netCDF-4"), "{report}");
    assert_eq!(
        report.repairs,
        ["cleared the status flags and rewrote the superblock checksum"],
        "{report}"
    );
    // the writer was killed while idle after its flush: everything reads
    assert!(report.is_readable(), "{report}");
    assert_eq!(report.leaves_read, 2, "{report}");
    let f = qnd::open(&path, "a").unwrap();
    check_records(&f, RECORDS);
    f.close().unwrap();
}

#[test]
fn a_clean_file_is_left_as_it_is() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    for name in ["clean.h5", "clean.nc"] {
        let path = dir.path().join(name);
        let f = qnd::open(&path, "w").unwrap();
        f.set_recording(Recording::Uniform);
        for n in 0..3 {
            record(&f, n);
        }
        f.create_group("g").unwrap().set("x", 1i64).unwrap();
        f.close().unwrap();
        let before = std::fs::read(&path).unwrap();
        let report = qnd::recover(&path).unwrap();
        assert!(report.found.is_empty() && !report.repaired(), "{report}");
        assert!(report.is_readable(), "{report}");
        assert_eq!(report.leaves_read, 3, "{report}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "{name} changed");
    }
}

#[test]
fn recover_refuses_a_file_with_a_live_writer() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("live.h5");
    make_v3(&path);
    let before = std::fs::read(&path).unwrap();
    let writer = Child::start("child_recorder", path.to_str().unwrap());
    let during = std::fs::read(&path).unwrap();
    assert_ne!(during, before, "the writer wrote nothing");
    let e = qnd::recover(&path).unwrap_err();
    assert!(matches!(e, Error::InUse { .. }), "{e}");
    let (ok, _, err) = qnd(&[&"recover", &path]);
    assert!(!ok);
    assert!(err.contains("in use"), "{err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        during,
        "recover changed a live file"
    );
    writer.finish();
    let report = qnd::recover(&path).unwrap();
    assert!(report.found.is_empty() && report.is_readable(), "{report}");
    check_records(&qnd::open(&path, "r").unwrap(), RECORDS);
}

#[test]
fn recover_of_what_is_not_a_data_file() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    assert!(matches!(
        qnd::recover(&text).unwrap_err(),
        Error::Format { .. }
    ));
    assert_eq!(std::fs::read(&text).unwrap(), b"hello");
    // the name says HDF5, the bytes say nothing: reported, left alone
    let junk = dir.path().join("junk.h5");
    std::fs::write(&junk, vec![7u8; 5000]).unwrap();
    let report = qnd::recover(&junk).unwrap();
    assert_eq!(report.format, "HDF5 by its name");
    assert!(!report.repaired() && !report.is_readable(), "{report}");
    assert_eq!(std::fs::read(&junk).unwrap(), vec![7u8; 5000]);
    // a netCDF-3 file named .h5 is checked as what it is
    let classic = dir.path().join("classic.h5");
    let options = OpenOptions {
        netcdf: NcFormat::Classic,
        format: Some(qnd::Format::NetCdf),
        ..OpenOptions::new(Mode::Create)
    };
    let f = qnd::open_with(&classic, &options).unwrap();
    f.set("x", 1.5).unwrap();
    f.close().unwrap();
    let report = qnd::recover(&classic).unwrap();
    assert_eq!(report.format, "netCDF-3");
    assert!(report.is_readable() && report.leaves_read == 1, "{report}");
    let missing = dir.path().join("missing.h5");
    assert!(matches!(
        qnd::recover(&missing).unwrap_err(),
        Error::NoFile { .. }
    ));
    assert!(!missing.exists());
}

#[test]
fn recover_leaves_alone_a_file_an_hdf5_program_has_open() {
    let _serial = child::serial();
    // a program that does not take qnd's lock, but HDF5's (h5py, ...):
    // its file is flagged while open, and must not be "repaired"
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h5py.h5");
    make_v3(&path);
    let other = hdf5::File::open_rw(&path).unwrap();
    assert!(Superblock::read_path(&path).unwrap().unwrap().flagged());
    let before = std::fs::read(&path).unwrap();
    let e = qnd::recover(&path).unwrap_err();
    assert!(matches!(e, Error::InUse { .. }), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    other.close().unwrap();
    let report = qnd::recover(&path).unwrap();
    assert!(report.found.is_empty() && report.is_readable(), "{report}");
}

#[test]
fn records_that_do_not_read_are_named() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    // netCDF-4 too: what a kill inside a flush does to it
    for name in ["damaged.h5", "damaged.nc"] {
        damaged_chunk(&dir.path().join(name));
    }
}

/// A history at `path` with one compressed chunk of `u` damaged: recover
/// names the records of that chunk.
fn damaged_chunk(path: &Path) {
    let path = path.to_path_buf();
    let n = 3000;
    let f = qnd::open(&path, "w").unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..n {
        record(&f, k);
    }
    f.close().unwrap();
    // damage the compressed bytes of the second chunk of `u`
    let (rows, addr, size) = {
        let h = hdf5::File::open(&path).unwrap();
        let u = h.dataset("u").unwrap();
        let rows = u.chunk().unwrap()[0];
        let second = (0..u.num_chunks().unwrap())
            .filter_map(|i| u.chunk_info(i))
            .find(|c| c.offset[0] == rows as u64)
            .expect("a second chunk");
        (rows, second.addr, second.size)
    };
    assert!(rows < n && 2 * rows <= n, "chunks of {rows} records");
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = usize::try_from(addr + size / 2).unwrap();
    for b in &mut bytes[mid..mid + 16] {
        *b ^= 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();

    let report = qnd::recover(&path).unwrap();
    assert!(!report.repaired(), "{report}");
    assert_eq!(report.leaves_read, 1, "time reads: {report}");
    assert_eq!(report.unreadable.len(), 1, "{report}");
    let (item, why) = &report.unreadable[0];
    assert_eq!(item, "/u");
    let want = format!(
        "{rows} of {n} records do not read (records {rows}..={})",
        2 * rows - 1
    );
    assert!(why.starts_with(&want), "{why:?} is not {want:?}...");
    let (ok, out, err) = qnd(&[&"recover", &path]);
    assert!(!ok, "qnd recover succeeded on a damaged file: {out}");
    assert!(out.contains(&format!("does not read: /u: {want}")), "{out}");
    assert!(err.contains("1 items that do not read"), "{err}");
}

#[test]
fn flags_of_a_writer_outside_qnd() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("open.h5");
    make_v3(&path);
    {
        let f = hdf5::File::open_rw(&path).unwrap();
        f.new_dataset::<f64>()
            .shape([2])
            .create("x")
            .unwrap()
            .write(&[1.0, 2.0])
            .unwrap();
        f.flush().unwrap();
    }
    // HDF5 in this process has it open for writing (no qnd lock, but the
    // library's): the library judges, and shares its open file
    let other = hdf5::File::open_rw(&path).unwrap();
    let r = qnd::open(&path, "r").unwrap();
    assert_eq!(r.read::<Vec<f64>>("x").unwrap(), [1.0, 2.0]);
    r.close().unwrap();
    // a copy of its bytes: flagged for writing (not SWMR), no writer at
    // all: HDF5 cannot open it, and qnd says why
    let copy = dir.path().join("copy.h5");
    std::fs::copy(&path, &copy).unwrap();
    other.close().unwrap();
    let sb = Superblock::read_path(&copy).unwrap().unwrap();
    assert_eq!(sb.describe_flags(), "write access");
    needs_recovery(
        &copy,
        "r",
        "status flags say it is open for writing (write access)",
    );
    let report = qnd::recover(&copy).unwrap();
    assert!(report.repaired() && report.is_readable(), "{report}");
    let r = qnd::open(&copy, "r").unwrap();
    assert_eq!(r.read::<Vec<f64>>("x").unwrap(), [1.0, 2.0]);
}

/// A 64-bit data (CDF5) file, written by netCDF4-python, cut inside its
/// last record: opening it is refused (not read with zeros), and recovery
/// lowers its 8-byte record count to the complete records.
#[test]
fn a_cdf5_record_count_past_the_data_is_lowered() {
    let Some(py) = Python::find(&["netCDF4", "numpy"]) else {
        return;
    };
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut5.nc");
    py.run(
        "import sys, netCDF4, numpy as np\n\
         d = netCDF4.Dataset(sys.argv[1], 'w', format='NETCDF3_64BIT_DATA')\n\
         d.createDimension('t', None)\n\
         d.createDimension('n', 8)\n\
         t = d.createVariable('time', 'f8', ('t',))\n\
         u = d.createVariable('u', 'f8', ('t', 'n'))\n\
         for k in range(10):\n\
         \x20   t[k] = k * 0.01\n\
         \x20   u[k] = np.arange(k, k + 8)\n\
         d.close()",
        &[&path],
    );
    assert_eq!(&std::fs::read(&path).unwrap()[..4], b"CDF\x05");
    let len = std::fs::metadata(&path).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len - 20)
        .unwrap();
    assert!(qnd::open(&path, "r").is_err(), "a cut CDF5 file opened");

    let report = qnd::recover(&path).unwrap();
    assert!(
        report
            .repairs
            .iter()
            .any(|r| r.contains("set the record count from 10 to 9")),
        "{report}"
    );
    let f = qnd::open(&path, "r").unwrap();
    check_records(&f, 9);
    f.close().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[4..12], &9u64.to_be_bytes(), "the 8-byte count");
}

/// A leaf larger than the read limit (declared huge, never written) is
/// not an unreadable item: it is listed as not checked whole, and the
/// file counts as readable (`qnd recover` exits 0).
#[test]
fn a_leaf_larger_than_the_read_limit_is_not_unreadable() {
    let _serial = child::serial();
    let dir = tempfile::tempdir().unwrap();
    for name in ["big.h5", "big.nc"] {
        let path = dir.path().join(name);
        let f = qnd::open(&path, "w").unwrap();
        f.declare("big", qnd::DType::F64, &[1 << 36]).unwrap();
        f.set("x", 1.5).unwrap();
        f.close().unwrap();
        let report = qnd::recover(&path).unwrap();
        assert!(report.is_readable(), "{name}: {report}");
        assert_eq!(report.leaves_read, 1, "{name}: {report}");
        assert_eq!(report.unchecked.len(), 1, "{name}: {report}");
        assert_eq!(report.unchecked[0].0, "/big", "{name}: {report}");
        assert!(
            report.to_string().contains("not checked: /big"),
            "{name}: {report}"
        );
        let (ok, out, err) = qnd(&[&"recover", &path]);
        assert!(ok, "{name}: qnd recover failed: {out}{err}");
    }
}
