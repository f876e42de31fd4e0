//! Live readers: while the example `record_forever` records a history in
//! another process, a reader opens the file read-only and follows it with
//! `refresh()` (HDF5 through SWMR, netCDF-3 by reading its header again):
//! every record it sees is exact, and the counts grow. `qnd ls` and
//! `qnd dump --json` work on an HDF5 file being recorded.
#![cfg(all(feature = "hdf5", feature = "netcdf"))]

#[path = "common/recorder.rs"]
mod recorder;

use std::path::Path;
use std::process::{Child, Command};
use std::thread::JoinHandle;
use std::time::Duration;

use recorder::{check_records, spawn_with, Event, Fmt, Lines};

/// A writer that keeps recording; killed when dropped.
struct Writer {
    child: Child,
    output: Option<JoinHandle<()>>,
}

impl Writer {
    /// The example recording to `path` with a pause after each flush,
    /// once its first flush has returned.
    fn start(path: &Path, pause_ms: u64) -> Writer {
        Writer::start_with(path, pause_ms, &[])
    }

    /// As [`Writer::start`], with more arguments for the example.
    fn start_with(path: &Path, pause_ms: u64, more: &[&str]) -> Writer {
        let pause = pause_ms.to_string();
        let mut args = vec!["--pause", pause.as_str()];
        args.extend_from_slice(more);
        let (child, mut lines) = spawn_with(path, 100, &args);
        loop {
            match lines.next_event() {
                Some(Event::Flushed(_)) => break,
                Some(_) => {}
                None => panic!("the writer stopped before its first flush"),
            }
        }
        // keep reading its output, so that it never waits on a full pipe
        let output = std::thread::spawn(move || {
            let mut lines: Lines = lines;
            while lines.next_event().is_some() {}
        });
        Writer {
            child,
            output: Some(output),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(t) = self.output.take() {
            let _ = t.join();
        }
    }
}

/// A reader follows a writer: records exact, counts never go back and
/// grow across refreshes.
fn follow(fmt: Fmt) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("live.{}", fmt.ext()));
    let writer = Writer::start(&path, 20);
    let f = qnd::open(&path, "r").unwrap_or_else(|e| panic!("{fmt:?}: open: {e}"));
    let mut last = check_records(&f).unwrap_or_else(|e| panic!("{fmt:?}: {e}"));
    assert!(last.min() >= 100, "{fmt:?}: {last:?} after the first flush");
    let (mut grew, mut refreshes) = (0, 0);
    // until the counts grew 5 times (a slow machine only takes longer)
    while grew < 5 && refreshes < 500 {
        std::thread::sleep(Duration::from_millis(40));
        f.refresh()
            .unwrap_or_else(|e| panic!("{fmt:?}: refresh: {e}"));
        refreshes += 1;
        let now = check_records(&f).unwrap_or_else(|e| panic!("{fmt:?}: {e}"));
        assert!(
            now.time >= last.time && now.step >= last.step && now.u >= last.u,
            "{fmt:?}: {now:?} after {last:?}"
        );
        grew += usize::from(now.min() > last.min());
        last = now;
    }
    drop(writer);
    println!("{fmt:?}: counts grew at {grew} of {refreshes} refreshes, to {last:?}");
    assert!(grew >= 5, "{fmt:?}: counts grew at {grew} refreshes only");
    f.close().unwrap();
}

#[test]
fn hdf5_reader_follows_a_writer() {
    follow(Fmt::Hdf5);
}

#[test]
fn netcdf3_reader_follows_a_writer() {
    follow(Fmt::Netcdf3);
}

/// A variable the writer creates while recording (it leaves SWMR mode for
/// a moment) shows after a refresh, its records exact.
fn new_variable_shows(fmt: Fmt) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("late.{}", fmt.ext()));
    let late = 1000;
    let _writer = Writer::start_with(&path, 20, &["--late", &late.to_string()]);
    let f = qnd::open(&path, "r").unwrap_or_else(|e| panic!("{fmt:?}: open: {e}"));
    see_new_variable(fmt, &f, late);
}

/// Refresh `f` until variable `w`, created by the writer at record `late`,
/// shows with records, checking every record seen.
fn see_new_variable(fmt: Fmt, f: &qnd::QGroup, late: usize) {
    let mut seen = None;
    // until `w` shows (a slow machine only takes longer)
    for _ in 0..500 {
        f.refresh()
            .unwrap_or_else(|e| panic!("{fmt:?}: refresh: {e}"));
        check_records(f).unwrap_or_else(|e| panic!("{fmt:?}: {e}"));
        if f.contains("w").unwrap() {
            let w: Vec<f64> = f.read("w").unwrap();
            for (j, &v) in w.iter().enumerate() {
                assert_eq!(v, (late + j) as f64, "{fmt:?}: w[{j}]");
            }
            if !w.is_empty() {
                seen = Some(w.len());
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    assert!(seen.is_some(), "{fmt:?}: w never showed");
}

#[test]
fn hdf5_reader_sees_a_new_variable() {
    new_variable_shows(Fmt::Hdf5);
}

/// netCDF-3: defining a variable rewrites the record section (every
/// record's layout changes), so a reader cannot follow the writer across
/// it; once the writer is done, a refresh shows the new variable and every
/// record exact.
#[test]
fn netcdf3_reader_sees_a_new_variable_after_the_writer() {
    let fmt = Fmt::Netcdf3;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("late.{}", fmt.ext()));
    let late = 1000;
    let mut writer = Writer::start_with(&path, 1, &["--late", "1000", "--records", "1500"]);
    let f = qnd::open(&path, "r").unwrap_or_else(|e| panic!("{fmt:?}: open: {e}"));
    let before = check_records(&f).unwrap_or_else(|e| panic!("{fmt:?}: {e}"));
    assert!(before.min() >= 100, "{before:?} after the first flush");
    let status = writer.child.wait().unwrap();
    assert!(status.success(), "the writer: {status}");
    see_new_variable(fmt, &f, late);
    let after = check_records(&f).unwrap_or_else(|e| panic!("{fmt:?}: {e}"));
    assert_eq!(after.min(), 1500, "{after:?}");
}

/// A handle sees nothing new until it refreshes.
#[test]
fn hdf5_reader_sees_new_records_only_after_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.h5");
    let _writer = Writer::start(&path, 20);
    let f = qnd::open(&path, "r").unwrap();
    let mut before = check_records(&f).unwrap();
    for _ in 0..500 {
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(check_records(&f).unwrap(), before, "without a refresh");
        f.refresh().unwrap();
        let after = check_records(&f).unwrap();
        assert!(after.min() >= before.min(), "{after:?} after {before:?}");
        if after.min() > before.min() {
            return;
        }
        before = after;
    }
    panic!("no new record after 500 refreshes");
}

/// `qnd ls` and `qnd dump --json` on an HDF5 file being recorded.
#[test]
fn cli_reads_an_hdf5_file_being_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.h5");
    let _writer = Writer::start(&path, 100);
    let qnd = env!("CARGO_BIN_EXE_qnd");
    let ls = Command::new(qnd).arg("ls").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&ls.stdout);
    assert!(
        ls.status.success(),
        "qnd ls: {}",
        String::from_utf8_lossy(&ls.stderr)
    );
    for name in ["time", "step", "u"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(name) && l.contains("records")),
            "{text}"
        );
    }
    let dump = Command::new(qnd)
        .args(["dump", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        dump.status.success(),
        "qnd dump: {}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&dump.stdout).unwrap();
    let time = v["time"].as_array().expect("time is a list of records");
    assert!(time.len() >= 100, "{} records of time", time.len());
}
