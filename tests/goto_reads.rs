//! Reads under goto stay right while the file changes: the backend keeps a
//! dataset's dataspaces between reads (and the tree a leaf's shape), so
//! every way a file changes must show in the next read through the same
//! handle: appending records (buffered or not, from another handle of the
//! same file), writing part of a record, creating a variable (HDF5 leaves
//! SWMR mode and opens every node again), flushing, and for a reader,
//! refreshing after another process wrote.
#![cfg(feature = "hdf5")]

use ndarray::array;
use qnd::{Mode, OpenOptions, QGroup, Recording};

/// A new HDF5 file with `record_buffer`, recording mode 1.
fn recording(dir: &tempfile::TempDir, name: &str, record_buffer: usize) -> QGroup {
    let opts = OpenOptions {
        record_buffer,
        ..OpenOptions::new(Mode::Create)
    };
    let f = qnd::open_with(dir.path().join(name), &opts).unwrap();
    f.set_recording(Recording::Uniform);
    f
}

/// Record `k` of `t` and `x`.
fn record(f: &QGroup, k: usize) {
    f.set("t", k as f64).unwrap();
    f.set("x", array![k as i32, -(k as i32)]).unwrap();
}

/// Every record read under goto, one at a time, through `f`.
fn check_all(f: &QGroup, n: usize, what: &str) {
    assert_eq!(f.record_count().unwrap(), n, "{what}: record count");
    let mut seen = 0;
    for k in f.goto_iter().unwrap() {
        assert_eq!(f.read::<f64>("t").unwrap(), k as f64, "{what}: t[{k}]");
        assert_eq!(
            f.read::<Vec<i32>>("x").unwrap(),
            [k as i32, -(k as i32)],
            "{what}: x[{k}]"
        );
        seen += 1;
    }
    assert_eq!(seen, n, "{what}: records iterated");
}

fn appends_show_in_the_next_read(record_buffer: usize) {
    let dir = tempfile::tempdir().unwrap();
    let f = recording(&dir, "a.h5", record_buffer);
    let other = f.root(); // another handle of the same file
    for k in 0..5 {
        record(&f, k);
    }
    check_all(&f, 5, "after 5 records");
    for k in 5..8 {
        record(&other, k);
        other.goto(-1);
        assert_eq!(
            other.read::<f64>("t").unwrap(),
            k as f64,
            "last, record {k}"
        );
        f.goto(k as isize);
        assert_eq!(
            f.read::<f64>("t").unwrap(),
            k as f64,
            "other handle, record {k}"
        );
        f.goto_off();
    }
    check_all(&f, 8, "after 8 records");
    f.flush().unwrap(); // buffered records written out, SWMR entered
    check_all(&f, 8, "after the flush");
    record(&f, 8);
    check_all(&f, 9, "after a record in SWMR mode");
    // a new variable: HDF5 leaves SWMR mode, opening every node again
    f.set_recording(Recording::Off);
    f.set("late", 1.5).unwrap();
    f.set_recording(Recording::Uniform);
    check_all(&f, 9, "after a creation");
    record(&f, 9);
    check_all(&f, 10, "after a record past the creation");
    f.close().unwrap();
    let r = qnd::open(dir.path().join("a.h5"), "r").unwrap();
    check_all(&r, 10, "read back");
}

#[test]
fn appends_show_in_the_next_read_unbuffered() {
    appends_show_in_the_next_read(0);
}

#[test]
fn appends_show_in_the_next_read_buffered() {
    appends_show_in_the_next_read(qnd::OpenOptions::new(Mode::Create).record_buffer);
}

#[test]
fn a_written_record_shows_in_the_next_read() {
    let dir = tempfile::tempdir().unwrap();
    let f = recording(&dir, "w.h5", 0);
    for k in 0..4 {
        record(&f, k);
    }
    f.flush().unwrap();
    check_all(&f, 4, "before");
    f.goto(2);
    f.write_part("x", 0..2, array![7, 8]).unwrap();
    assert_eq!(f.read::<Vec<i32>>("x").unwrap(), [7, 8]);
    f.goto(1);
    assert_eq!(f.read::<Vec<i32>>("x").unwrap(), [1, -1]);
    f.goto(3);
    assert_eq!(f.read::<Vec<i32>>("x").unwrap(), [3, -3]);
    f.close().unwrap();
    let r = qnd::open(dir.path().join("w.h5"), "r").unwrap();
    r.goto(2);
    assert_eq!(r.read::<Vec<i32>>("x").unwrap(), [7, 8]);
}

/// A reader in the same process as the writer sees the records appended
/// after it first read, once it refreshes (HDF5 shares the file between
/// the two handles, so the reader keeps no extents; a reader in another
/// process, which keeps them until it refreshes, is
/// `tests/live_readers.rs`).
#[test]
fn a_reader_sees_new_records_after_a_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.h5");
    let w = recording(&dir, "r.h5", 0);
    for k in 0..6 {
        record(&w, k);
    }
    w.flush().unwrap();
    let r = qnd::open(&path, "r").unwrap();
    check_all(&r, 6, "reader before");
    for k in 6..9 {
        record(&w, k);
    }
    w.flush().unwrap();
    r.refresh().unwrap();
    check_all(&r, 9, "reader after the refresh");
    r.goto(-1);
    assert_eq!(r.read::<f64>("t").unwrap(), 8.0);
    record(&w, 9);
    w.close().unwrap();
    r.refresh().unwrap();
    check_all(&r, 10, "reader after the writer closed");
}
