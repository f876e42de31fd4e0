//! Failed writes: a call that returns an error keeps nothing of its own,
//! and after a failure the backend cannot recover from (the disk full)
//! every later call on the file fails naming the first failure, never `Ok`
//! over lost records.
//!
//! The disk-full cases run in a child process under a file-size limit:
//! this test executable runs itself (`current_exe`, one test by `--exact`
//! name) through `sh -c "trap '' XFSZ; ulimit -S -f N; exec ..."`, so that
//! writes past the limit fail with `EFBIG` instead of killing the process.
//! An environment variable selects the child's work; the child prints what
//! it saw and checks its own calls; the parent then checks the file with no
//! limit.

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use ndarray::Array1;
use qnd::{DType, Error, Recording, Value};

// ------------------------------------------------------------ names

/// A member name holding `[` or `]` would shadow the path syntax (`l[1]` is
/// element 1 of list `l`): every way of making a member refuses it, saying
/// why, and writes nothing.
#[test]
fn names_with_brackets_are_refused() {
    let f = qnd::memory();
    f.set("l", Value::List(vec![Value::from(1.0), Value::from(2.0)]))
        .unwrap();
    let why = |e: Error| {
        let text = e.to_string();
        assert!(matches!(e, Error::Invalid { .. }), "{e:?}");
        assert!(text.contains("path syntax"), "{text}");
    };
    for name in ["l[1]", "a[", "b]", "[0]", "x]y["] {
        why(f.set(name, 1.0).unwrap_err());
        why(f.declare(name, DType::F64, &[2]).unwrap_err());
        why(f.declare_text(name, 4, &[]).unwrap_err());
        why(f.create_group(name).unwrap_err());
        why(f.create_list(name).unwrap_err());
        why(f.update([(name, 1.0)]).unwrap_err());
        let lazy = qnd::lazy::Lazy::new(qnd::Array::from(Array1::from(vec![1.0, 2.0])));
        why(f.store(name, &lazy).unwrap_err());
        why(f.store_copy(name, &lazy).unwrap_err());
        // deep inside a value: nothing of it is written
        let mut inner = indexmap::IndexMap::new();
        inner.insert(name.to_string(), Value::from(1.0));
        let g = Value::Group(inner);
        why(f.set("g", g.clone()).unwrap_err());
        assert!(!f.contains("g").unwrap());
        why(f.list("l").unwrap().append(g).unwrap_err());
        f.set_recording(Recording::Uniform);
        why(f.set(name, 1.0).unwrap_err());
        f.set_recording(Recording::Any);
        why(f.set(name, 1.0).unwrap_err());
        f.set_recording(Recording::Off);
    }
    assert_eq!(f.names().unwrap(), ["l"]);
    assert_eq!(f.list("l").unwrap().len().unwrap(), 2);
    // paths spell element 1 of `l` as `l[1]`: a member could not be told
    // from it
    assert_eq!(f.list("l").unwrap().leaf(1).unwrap().path(), "/l[1]");
}

// ------------------------------------------------------------ Send, Sync

/// Held by the tests of this process that open files, and by the parent
/// while it starts a child: a child started while a file is open in another
/// thread could inherit its descriptor (and with it HDF5's lock on it)
/// before HDF5 marks it close-on-exec.
#[cfg(feature = "hdf5")]
static FILES: std::sync::Mutex<()> = std::sync::Mutex::new(());

// ------------------------------------------------------------ refused records

/// On real files, a record the backend refuses (text wider than the stored
/// width of HDF5 or netCDF-3: text records go straight to the backend)
/// keeps nothing: the file
/// goes on, and a retry stores the record once.
#[cfg(feature = "hdf5")]
#[test]
fn a_refused_record_keeps_nothing_on_files() {
    let dir = tempfile::tempdir().unwrap();
    let _files = FILES.lock().unwrap_or_else(|p| p.into_inner());
    let mut files = vec![("s.h5", qnd::NcFormat::default())];
    if cfg!(feature = "netcdf") {
        // (netCDF-4 stores strings of any length)
        files.push(("s3.nc", qnd::NcFormat::Classic));
    }
    for (name, netcdf) in files {
        let path = dir.path().join(name);
        let f = qnd::open_with(
            &path,
            &qnd::OpenOptions {
                netcdf,
                ..qnd::OpenOptions::new(qnd::Mode::Create)
            },
        )
        .unwrap();
        f.set_recording(Recording::Uniform);
        f.declare_text("s", 4, &[]).unwrap();
        f.set("s", "ab").unwrap();
        f.set("t", 1.0).unwrap();
        let e = f.set("s", "much too wide").unwrap_err();
        assert!(!matches!(e, Error::Failed { .. }), "{name}: {e:?}");
        assert_eq!(f.list("s").unwrap().len().unwrap(), 1, "{name}");
        f.set("s", "cd").unwrap();
        f.set("t", 2.0).unwrap();
        f.close().unwrap();
        let f = qnd::open(&path, "r").unwrap_or_else(|e| panic!("{name}: {e}"));
        f.goto_off();
        assert_eq!(f.read::<Vec<String>>("s").unwrap(), ["ab", "cd"], "{name}");
        assert_eq!(f.read::<Vec<f64>>("t").unwrap(), [1.0, 2.0], "{name}");
    }
}

// ------------------------------------------------------------ causes

/// An error of the storage library shows the library's own account in its
/// message (and keeps it as its `source()`): HDF5's error stack, netCDF's
/// message and the system's text for an errno.
#[cfg(feature = "hdf5")]
#[test]
fn library_errors_show_their_cause() {
    let dir = tempfile::tempdir().unwrap();
    let _files = FILES.lock().unwrap_or_else(|p| p.into_inner());
    let mut cases = vec![(
        "x.h5",
        qnd::NcFormat::default(),
        "No such file or directory",
    )];
    if cfg!(feature = "netcdf") {
        // netCDF-4 says "Permission denied" for a missing folder, and HDF5
        // underneath says what happened
        cases.push((
            "x.nc",
            qnd::NcFormat::default(),
            "No such file or directory",
        ));
        cases.push(("y.nc", qnd::NcFormat::Classic, "No such file or directory"));
    }
    for (name, netcdf, cause) in cases {
        let path = dir.path().join("missing").join(name);
        let options = qnd::OpenOptions {
            netcdf,
            ..qnd::OpenOptions::new(qnd::Mode::Create)
        };
        let e = qnd::open_with(&path, &options).unwrap_err();
        // qnd's writer lock opens (creates) the file before the library
        // does, so a missing folder may be an OS error rather than the
        // library's: either way, the cause shows
        assert!(
            matches!(e, Error::Backend { .. } | Error::Io { .. }),
            "{e:?}"
        );
        let text = e.to_string();
        assert!(text.contains(cause), "{name}: {text}");
        let source = std::error::Error::source(&e).expect("the library's error");
        assert!(text.contains(&source.to_string()), "{text} / {source}");
    }
}

// ------------------------------------------------------------ disk full

/// Disk full, in a child process under a file-size limit (see the module
/// docs).
#[cfg(feature = "hdf5")]
mod disk_full {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use ndarray::{Array1, Array2};
    use qnd::{Error, Mode, OpenOptions, QGroup, Recording};

    /// The environment variable that makes [`child_process_entry`] work: the
    /// format to record (`hdf5`, `netcdf4`, `netcdf3`).
    const CHILD: &str = "QND_WRITE_SAFETY_CHILD";
    /// The file the child records to.
    const CHILD_PATH: &str = "QND_WRITE_SAFETY_PATH";
    /// The child's file-size limit, in the shell's `ulimit -f` blocks (512
    /// bytes for dash and POSIX sh, 1024 for bash).
    const LIMIT_BLOCKS: usize = 4096;
    /// Records between flushes (`0`: never flush, so that records go out
    /// in the record buffer's batches, from `set`).
    const CHILD_EVERY: &str = "QND_WRITE_SAFETY_EVERY";
    /// The text the child's first failure must hold.
    const CHILD_CAUSE: &str = "QND_WRITE_SAFETY_CAUSE";

    /// Options for a new file of `format`.
    fn options(format: &str) -> OpenOptions {
        let mut o = OpenOptions::new(Mode::Create);
        o.netcdf = match format {
            "netcdf3" => qnd::NcFormat::Offset64,
            _ => qnd::NcFormat::default(),
        };
        o
    }

    fn file_name(format: &str) -> &'static str {
        match format {
            "hdf5" => "full.h5",
            _ => "full.nc",
        }
    }

    /// Record `k`: `time` = k * 0.01, `step` = k (i32: netCDF-3 has no i64),
    /// `u` = k .. k + 99.
    fn record(f: &QGroup, k: usize) -> qnd::Result<()> {
        f.set("time", k as f64 * 0.01)?;
        f.set("step", k as i32)?;
        f.set("u", Array1::from_iter((k..k + 100).map(|v| v as f64)))
    }

    /// The child's work (run by [`disk_full`] under a file-size limit; does
    /// nothing in an ordinary test run): record and flush every
    /// [`CHILD_EVERY`] records until a call fails, printing `flushed K` after each flush that
    /// returns; then check that every later call fails naming that first
    /// failure.
    #[test]
    fn child_process_entry() {
        let Ok(format) = std::env::var(CHILD) else {
            return;
        };
        let path = PathBuf::from(std::env::var(CHILD_PATH).expect("the child's file"));
        let every: usize = std::env::var(CHILD_EVERY).unwrap().parse().unwrap();
        let f = qnd::open_with(&path, &options(&format)).unwrap();
        f.set_recording(Recording::Uniform);
        let mut first = None;
        for k in 0..200_000 {
            if let Err(e) = record(&f, k) {
                first = Some(("set", e));
                break;
            }
            if every > 0 && (k + 1) % every == 0 {
                match f.flush() {
                    Ok(()) => println!("flushed {}", k + 1),
                    Err(e) => {
                        first = Some(("flush", e));
                        break;
                    }
                }
            }
        }
        let (call, first) = first.expect("a call fails when the disk is full");
        println!("failed in {call}: {first}");
        assert!(matches!(first, Error::Backend { .. }), "{first:?}");
        // the cause, in the message: EFBIG's or ENOSPC's text
        let cause = std::env::var(CHILD_CAUSE).unwrap();
        assert!(first.to_string().contains(&cause), "{first}");
        let first = first.to_string();
        let names_first = |what: &str, r: qnd::Result<()>| {
            let e = r.expect_err(what);
            assert!(matches!(e, Error::Failed { .. }), "{what}: {e:?}");
            let text = e.to_string();
            assert!(
                text.contains(&first),
                "{what}: {text} does not name {first}"
            );
            println!("then {what}: error");
        };
        // the retry, other writes, reads, flush and close all fail
        names_first("retry", record(&f, 0));
        names_first("set", f.set("other", 1.0));
        names_first("read", f.read::<f64>("time").map(|_| ()));
        names_first("names", f.names().map(|_| ()));
        names_first("flush", f.flush());
        names_first("close", f.close());
        names_first("close again", f.close());
        println!("checked");
    }

    /// The end-of-file address an HDF5 superblock (versions 0 to 3) stores.
    fn hdf5_eof(head: &[u8]) -> Option<u64> {
        let version = *head.get(8)?;
        let (offsets, at) = match version {
            0 | 1 => (
                usize::from(*head.get(13)?),
                24 + if version == 1 { 4 } else { 0 },
            ),
            2 | 3 => (usize::from(*head.get(9)?), 12),
            _ => return None,
        };
        // base address, then (v0/1) free space or (v2/3) extension, then EOF
        let start = at + 2 * offsets;
        let bytes = head.get(start..start + offsets)?;
        Some(bytes.iter().rev().fold(0u64, |n, &b| n << 8 | u64::from(b)))
    }

    /// Record under a file-size limit in a child process until the disk is
    /// "full" (`EFBIG`), flushing every `every` records (or never), and
    /// check the child's calls and then the file.
    fn disk_full(format: &str, every: usize) {
        let dir = tempfile::tempdir().unwrap();
        record_until_full(dir.path(), true, format, every);
    }

    /// Record in a child process until the disk is full (with `limit`, a
    /// file-size limit: `EFBIG`; else the file system of `dir` must fill:
    /// `ENOSPC`), and check the child's calls and then the file, which is
    /// removed.
    fn record_until_full(dir: &Path, limit: bool, format: &str, every: usize) {
        let path = dir.join(file_name(format));
        let _ = std::fs::remove_file(&path);
        let exe = std::env::current_exe().unwrap();
        let ulimit = if limit {
            format!("ulimit -S -f {LIMIT_BLOCKS};")
        } else {
            String::new()
        };
        let script = format!(
            "trap '' XFSZ; {ulimit} \
             exec \"$0\" --exact disk_full::child_process_entry --nocapture --test-threads=1"
        );
        let cause = if limit {
            "File too large"
        } else {
            "No space left on device"
        };
        // no other test of this process opens a file while the child starts
        let _files = super::FILES.lock().unwrap_or_else(|p| p.into_inner());
        let out = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(&exe)
            .env(CHILD, format)
            .env(CHILD_PATH, &path)
            .env(CHILD_EVERY, every.to_string())
            .env(CHILD_CAUSE, cause)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        println!("{format}: child stdout:\n{stdout}\nchild stderr:\n{stderr}");
        assert!(out.status.success(), "{format}: the child failed");
        assert!(
            stdout.contains("checked"),
            "{format}: the child did not run"
        );
        let flushed = stdout
            .lines()
            .filter_map(|l| l.strip_prefix("flushed "))
            .filter_map(|n| n.trim().parse::<usize>().ok())
            .next_back()
            .unwrap_or(0);
        let len = std::fs::metadata(&path).unwrap().len();
        println!("{format}: {flushed} records flushed, file of {len} bytes");
        if format != "netcdf3" {
            // HDF5 (and netCDF-4, which is HDF5) may leave a superblock whose
            // end of file is past the bytes the limit let it write:
            // `qnd recover` extends the file to it, so what was flushed reads
            let head = std::fs::read(&path).unwrap();
            let short = hdf5_eof(&head).filter(|&eof| eof > len);
            let r = qnd::recover(&path).unwrap_or_else(|e| panic!("{format}: recover: {e}"));
            println!("{format}: {r}");
            if let Some(eof) = short {
                assert!(r.repaired(), "{format}: a short file left alone: {r}");
                assert_eq!(std::fs::metadata(&path).unwrap().len(), eof, "{format}");
            }
        }
        if every == 0 {
            // with no flush the records went out from `set`, in batches;
            // a file never flushed promises nothing
            assert!(stdout.contains("failed in set"), "{format}");
        } else {
            check_records(&path, flushed, format);
        }
        std::fs::remove_file(&path).unwrap();
    }

    /// As [`disk_full`] on a file system that really fills (`ENOSPC`): a
    /// small one named by `QND_FULL_DIR` (say a 2 MiB tmpfs:
    /// `mount -t tmpfs -o size=2m tmpfs DIR`); skipped without it.
    #[test]
    fn disk_full_on_a_full_file_system() {
        let Some(dir) = std::env::var_os("QND_FULL_DIR") else {
            println!("skipped: set QND_FULL_DIR to a small, empty file system");
            return;
        };
        let mut formats = vec!["hdf5"];
        if cfg!(feature = "netcdf") {
            formats.extend(["netcdf4", "netcdf3"]);
        }
        for format in formats {
            for every in [10, 0] {
                record_until_full(Path::new(&dir), false, format, every);
            }
        }
    }

    /// The file at `path` holds at least `flushed` records, every one exact.
    fn check_records(path: &Path, flushed: usize, format: &str) {
        let f = qnd::open(path, "r").unwrap_or_else(|e| panic!("{format}: {e}"));
        f.goto_off();
        let time: Vec<f64> = f.read("time").unwrap();
        let step: Vec<i32> = f.read("step").unwrap();
        let u: Array2<f64> = f.read("u").unwrap();
        let n = time.len();
        println!("{format}: {n} records read back");
        assert!(n >= flushed, "{format}: {n} records, {flushed} flushed");
        assert_eq!(step.len(), n, "{format}");
        assert_eq!(u.nrows(), n, "{format}");
        let exact = |k: usize| {
            let want = Array1::from_iter((k..k + 100).map(|v| v as f64));
            time[k] == k as f64 * 0.01 && step[k] == k as i32 && u.row(k) == want.view()
        };
        for k in 0..flushed {
            assert!(exact(k), "{format}: flushed record {k} is not as written");
        }
        // records after the last flush that returned may be there or not, and
        // are not checked: the flush that failed may have stored some of them
        let wrong = (flushed..n).filter(|&k| !exact(k)).count();
        println!(
            "{format}: {} records after the last flush, {wrong} of them not as written",
            n - flushed
        );
        f.close().unwrap();
    }

    #[cfg(feature = "hdf5")]
    #[test]
    fn disk_full_hdf5() {
        disk_full("hdf5", 10);
        disk_full("hdf5", 0);
    }

    #[cfg(feature = "netcdf")]
    #[test]
    fn disk_full_netcdf4() {
        disk_full("netcdf4", 10);
        disk_full("netcdf4", 0);
    }

    #[cfg(feature = "netcdf")]
    #[test]
    fn disk_full_netcdf3() {
        disk_full("netcdf3", 10);
        disk_full("netcdf3", 0);
    }
}
