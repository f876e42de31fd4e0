//! Record buffering ([`OpenOptions::record_buffer`]) on every file format:
//! HDF5, netCDF-4 and netCDF-3 classic.
//!
//! - buffered records reach the file on close, on drop of the last handle
//!   and when buffers fill (tiny buffers, and 0: no buffering);
//! - reads through the same handle see them while recording goes on: goto
//!   reads, whole histories, partial reads across the written/buffered
//!   boundary, goto by value (its index kept up to date by appends, with a
//!   restart that hides the records it overlaps);
//! - a write to an existing record while records are buffered;
//! - `flush` puts the records on disk mid-run;
//! - a small history makes a small file.
//!
//! Every value is compared exactly. `cargo test --test recording --
//! --nocapture` shows the file sizes.

#![cfg(feature = "netcdf")]

use std::path::{Path, PathBuf};

use ndarray::{array, s, Array1, Array2, ArrayD};
use qnd::{DType, Error, Kind, Mode, NcFormat, OpenOptions, QGroup, Recording, Selection};

#[macro_use]
mod common;

// ------------------------------------------------------------ formats

/// The file formats under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Hdf5,
    NetCdf4,
    Classic,
}

const FORMATS: [Format; 3] = [Format::Hdf5, Format::NetCdf4, Format::Classic];

impl Format {
    fn ext(self) -> &'static str {
        match self {
            Format::Hdf5 => "h5",
            Format::NetCdf4 | Format::Classic => "nc",
        }
    }

    fn netcdf(self) -> NcFormat {
        match self {
            Format::Classic => NcFormat::Classic,
            Format::Hdf5 | Format::NetCdf4 => NcFormat::default(),
        }
    }

    /// netCDF-3 has no groups.
    fn has_groups(self) -> bool {
        self != Format::Classic
    }
}

/// A temporary folder for the files of one test.
struct Files(tempfile::TempDir);

impl Files {
    fn new() -> Files {
        Files(tempfile::tempdir().expect("a temporary folder"))
    }

    /// The path of a new file `name` of format `format`.
    fn path(&self, format: Format, name: &str) -> PathBuf {
        self.0
            .path()
            .join(format!("{name}-{format:?}.{}", format.ext()))
    }
}

/// A new file in recording mode 1, with a record buffer of `buffer` bytes
/// (`None`: the default).
fn create(path: &Path, format: Format, buffer: Option<usize>) -> QGroup {
    let mut options = OpenOptions {
        recording: Recording::Uniform,
        netcdf: format.netcdf(),
        ..OpenOptions::new(Mode::Create)
    };
    if let Some(bytes) = buffer {
        options.record_buffer = bytes;
    }
    qnd::open_with(path, &options)
        .unwrap_or_else(|e| panic!("{format:?}: cannot create {}: {e}", path.display()))
}

/// The file at `path`, opened read-only.
fn open_read(path: &Path) -> QGroup {
    qnd::open(path, "r").unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()))
}

/// A copy of the bytes of `path` as they are on disk now (the file may be
/// open for writing), opened read-only.
fn open_copy(path: &Path, name: &str) -> QGroup {
    let copy = path.with_file_name(format!(
        "{name}-{}",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::copy(path, &copy).unwrap();
    open_read(&copy)
}

// ------------------------------------------------------------ histories

/// Records of the tests: `time`, `xy` (3 f32) and `n` (i32), plus a plain
/// leaf `nx` written before recording.
const NX: i32 = 7;

fn time(k: usize) -> f64 {
    0.5 * k as f64
}

/// `time` with a restart at record 50: it runs 0, 0.5, .. 24.5, then back
/// to 15.25, 15.75, .. (records 31..49, 15.5 and up, then no longer count
/// for goto by value).
fn restart_time(k: usize) -> f64 {
    if k < 50 {
        time(k)
    } else {
        15.25 + 0.5 * (k - 50) as f64
    }
}

fn xy(k: usize) -> Array1<f32> {
    array![k as f32, 0.25 - k as f32, (k % 7) as f32 * 1.5]
}

fn count(k: usize) -> i32 {
    3 * k as i32 - 1000
}

/// Declare `nx` (a plain leaf) and leave the file in recording mode 1.
fn start(f: &QGroup) {
    f.set_recording(Recording::Off);
    f.set("nx", NX).unwrap();
    f.set_recording(Recording::Uniform);
}

/// Append record `k` of every record variable, with time `t`.
#[track_caller]
fn record(f: &QGroup, k: usize, t: f64) {
    f.set("time", t).unwrap();
    f.set("xy", xy(k)).unwrap();
    f.set("n", count(k)).unwrap();
}

/// A new file at `path` (see [`create`]), [`start`]ed, with a
/// [`record`] at each of `times`.
fn recorded(path: &Path, format: Format, buffer: Option<usize>, times: &[f64]) -> QGroup {
    let f = create(path, format, buffer);
    start(&f);
    for (k, &t) in times.iter().enumerate() {
        record(&f, k, t);
    }
    f
}

/// The file at `path`, opened read-only, holds `want` (see
/// [`check_history`]).
fn check_file(path: &Path, want: &Expected, context: &str) {
    let g = open_read(path);
    check_history(&g, want, context);
    g.close().unwrap();
}

/// What a file holds after recording.
#[derive(Clone, Debug)]
struct Expected {
    time: Vec<f64>,
    xy: Array2<f32>,
    n: Vec<i32>,
}

impl Expected {
    /// Records `0..times.len()` written by [`record`] with these times.
    fn new(times: &[f64]) -> Expected {
        let rows = times.len();
        Expected {
            time: times.to_vec(),
            xy: Array2::from_shape_fn((rows, 3), |(k, j)| xy(k)[j]),
            n: (0..rows).map(count).collect(),
        }
    }

    fn len(&self) -> usize {
        self.time.len()
    }
}

/// `f` holds the records of `want` (and `nx`), read whole, one at a time
/// with goto, and through list handles. Goto is left as it was.
#[track_caller]
fn check_history(f: &QGroup, want: &Expected, context: &str) {
    let n = want.len();
    let before = f.current_record();
    f.goto_off();
    for name in ["time", "xy", "n"] {
        assert_eq!(f.kind(name).unwrap(), Kind::Records, "{context}: {name}");
        assert_eq!(
            f.list(name).unwrap().len().unwrap(),
            n,
            "{context}: records of {name}"
        );
    }
    assert_eq!(f.record_count().unwrap(), n, "{context}: record_count");
    assert_eq!(f.kind("nx").unwrap(), Kind::Leaf, "{context}: nx");
    assert_eq!(f.read::<i32>("nx").unwrap(), NX, "{context}: nx");

    let all = f.list("xy").unwrap().as_array().unwrap();
    assert_eq!(all.dtype().unwrap(), DType::F32, "{context}: xy dtype");
    assert_eq!(all.shape().unwrap(), [n, 3], "{context}: xy shape");
    let all = f.list("n").unwrap().as_array().unwrap();
    assert_eq!(all.dtype().unwrap(), DType::I32, "{context}: n dtype");
    assert_eq!(
        f.list("time").unwrap().as_array().unwrap().dtype().unwrap(),
        DType::F64,
        "{context}: time dtype"
    );

    assert_eq!(f.read::<Vec<f64>>("time").unwrap(), want.time, "{context}");
    assert_eq!(f.read::<Array2<f32>>("xy").unwrap(), want.xy, "{context}");
    assert_eq!(f.read::<Vec<i32>>("n").unwrap(), want.n, "{context}");
    let stacked: ArrayD<f32> = f.read("xy").unwrap();
    assert_eq!(stacked.shape(), [n, 3], "{context}: stacked xy");
    assert_eq!(stacked, want.xy.clone().into_dyn(), "{context}");

    let mut some = vec![0, 1, n / 3, n / 2, n.saturating_sub(2), n - 1];
    some.dedup();
    for k in some.into_iter().filter(|&k| k < n) {
        f.goto(k as isize);
        assert_eq!(
            f.read::<f64>("time").unwrap(),
            want.time[k],
            "{context}: {k}"
        );
        assert_eq!(
            f.read::<Array1<f32>>("xy").unwrap(),
            want.xy.row(k),
            "{context}: {k}"
        );
        assert_eq!(f.read::<i32>("n").unwrap(), want.n[k], "{context}: {k}");
        assert_eq!(f.read::<i32>("nx").unwrap(), NX, "{context}: {k}");
    }
    f.goto(-1);
    assert_eq!(
        f.read::<f64>("time").unwrap(),
        want.time[n - 1],
        "{context}"
    );
    assert_eq!(f.read::<i32>("n").unwrap(), want.n[n - 1], "{context}");
    let l = f.list("xy").unwrap();
    assert_eq!(
        l.read::<Array1<f32>>(-1).unwrap(),
        want.xy.row(n - 1),
        "{context}"
    );
    match before {
        Some(r) => f.goto(r),
        None => f.goto_off(),
    }
}

// ------------------------------------------------------------ goto by value

/// The records that count for goto by value on a history whose last value
/// is not below its first (qnd: scanning back from the last record, a
/// record counts when its value is below every value counted after it).
fn counted(values: &[f64]) -> Vec<usize> {
    assert!(values.last() >= values.first(), "an increasing history");
    let mut kept = Vec::new();
    let mut next = f64::INFINITY;
    for (i, &v) in values.iter().enumerate().rev() {
        if v < next {
            kept.push(i);
            next = v;
        }
    }
    kept.reverse();
    kept
}

/// The counted record whose value is nearest `x` (a tie goes to the
/// larger value).
fn nearest(values: &[f64], x: f64) -> usize {
    let mut best: Option<(usize, f64)> = None;
    for i in counted(values) {
        let d = (values[i] - x).abs();
        // counted records come in order of increasing value
        if best.is_none_or(|(_, bd)| d <= bd) {
            best = Some((i, d));
        }
    }
    best.expect("a record").0
}

/// Values to look up: 0.01, 2.11, .., 29.41 (never halfway between two
/// records of the histories here, which are multiples of 0.125).
fn lookups() -> impl Iterator<Item = f64> {
    (0..100).step_by(7).map(|j| 0.3 * j as f64 + 0.01)
}

// ------------------------------------------------------------ 1. close

const N: usize = 2500;

/// Records buffered with the default buffer are all in the file after
/// `close`.
#[test]
fn close_writes_buffered_records() {
    let files = Files::new();
    let times: Vec<f64> = (0..N).map(time).collect();
    let want = Expected::new(&times);
    for format in FORMATS {
        let path = files.path(format, "close");
        let f = recorded(&path, format, None, &times);
        let other = f.clone();
        check_history(&f, &want, &format!("{format:?} before close"));
        f.close().unwrap();
        expect_err!(f.read::<f64>("time"), Error::Closed { .. });
        expect_err!(other.read::<f64>("nx"), Error::Closed { .. });
        expect_err!(f.set("time", 1.0), Error::Closed { .. });
        f.close().expect("a second close does nothing");

        check_file(&path, &want, &format!("{format:?} reopened"));
    }
}

// ------------------------------------------------------------ 2. drop

/// Records buffered with the default buffer are all in the file after the
/// last handle is dropped, with no close or flush; the file stays open
/// while any handle is left.
#[test]
fn drop_writes_buffered_records() {
    let files = Files::new();
    let times: Vec<f64> = (0..N).map(time).collect();
    let want = Expected::new(&times);
    for format in FORMATS {
        let path = files.path(format, "drop");
        {
            let f = recorded(&path, format, None, &times);
            let l = f.list("time").unwrap();
            drop(f);
            // the list handle keeps the file open, records and all
            assert_eq!(l.len().unwrap(), N, "{format:?}");
            assert_eq!(l.read::<f64>(-1).unwrap(), time(N - 1), "{format:?}");
            assert_eq!(
                l.as_array().unwrap().read::<Vec<f64>>().unwrap(),
                times,
                "{format:?}"
            );
        }
        let g = open_read(&path);
        check_history(&g, &want, &format!("{format:?} after drop"));
        drop(g);

        if !format.has_groups() {
            continue;
        }
        // A subgroup handle outlives the root handle and goes on recording.
        let path = files.path(format, "drop-group");
        {
            let f = create(&path, format, None);
            start(&f);
            let g = f.create_group("g").unwrap();
            start(&g);
            for (k, &t) in times.iter().enumerate().take(N / 2) {
                record(&f, k, t);
                record(&g, k, t);
            }
            drop(f);
            for (k, &t) in times.iter().enumerate().skip(N / 2) {
                record(&g, k, t);
            }
            check_history(&g, &want, &format!("{format:?} subgroup, root dropped"));
        }
        let f = open_read(&path);
        let half = Expected::new(&times[..N / 2]);
        check_history(&f, &half, &format!("{format:?} root after drop"));
        let g = f.group("g").unwrap();
        check_history(&g, &want, &format!("{format:?} subgroup after drop"));
    }
}

// ------------------------------------------------------------ 3. full buffers

/// With tiny buffers (and none) records are written as buffers fill; what
/// is read is the same, through the same handle and after close. An HDF5
/// reader opened alongside sees the records written out so far.
#[test]
fn small_buffers_write_as_they_fill() {
    let files = Files::new();
    let n = 600;
    let times: Vec<f64> = (0..n).map(time).collect();
    let want = Expected::new(&times);
    for format in FORMATS {
        for buffer in [Some(0), Some(1), Some(256), None] {
            let context = format!("{format:?}, buffer {buffer:?}");
            let path = files.path(format, &format!("buffer{buffer:?}"));
            let f = recorded(&path, format, buffer, &times);
            check_history(&f, &want, &format!("{context}: same handle"));
            if format == Format::Hdf5 {
                // A second reader sees what reached the library: with a
                // tiny buffer all but the last few records, with the
                // default buffer none yet.
                let g = open_read(&path);
                let seen = g.list("time").unwrap().len().unwrap();
                match buffer {
                    Some(0) => assert_eq!(seen, n, "{context}"),
                    Some(bytes) => assert!(
                        seen + bytes.max(24) / 24 >= n && seen <= n,
                        "{context}: a reader sees {seen} of {n} records"
                    ),
                    None => assert!(seen < n, "{context}: {seen} records seen"),
                }
                g.goto_off();
                let some: Vec<f64> = g.read("time").unwrap();
                assert_eq!(some, times[..seen], "{context}: second reader");
                g.close().unwrap();
            }
            f.close().unwrap();
            check_file(&path, &want, &format!("{context}: reopened"));
        }
    }
}

// ------------------------------------------------------------ 4. read your writes

/// Reads through the recording handle after every append: goto reads,
/// whole histories, partial reads spanning records in the file and in the
/// buffer, and goto by value with its index kept up to date through a
/// restart.
#[test]
fn reads_see_buffered_records() {
    let files = Files::new();
    let n = 80;
    let times: Vec<f64> = (0..n).map(restart_time).collect();
    let want = Expected::new(&times);
    for format in FORMATS {
        // default (all buffered), 500 bytes (written out every ~21 records:
        // some records in the file, the newest in memory), none
        for buffer in [None, Some(500), Some(0)] {
            let context = format!("{format:?}, buffer {buffer:?}");
            let path = files.path(format, &format!("ryw{buffer:?}"));
            let f = create(&path, format, buffer);
            start(&f);
            for k in 0..n {
                read_your_writes(&f, &want, k, &format!("{context}, record {k}"));
            }
            if format == Format::Hdf5 {
                // The records were read from both sides of the boundary: a
                // second reader sees those written out so far.
                let g = open_read(&path);
                let stored = g.list("time").unwrap().len().unwrap();
                match buffer {
                    Some(0) => assert_eq!(stored, n, "{context}"),
                    Some(_) => assert!(0 < stored && stored < n, "{context}: {stored}"),
                    None => assert!(stored < n, "{context}: {stored}"),
                }
                g.close().unwrap();
            }
            check_history(&f, &want, &context);
            restart_lookups(&f, &context);
            f.close().unwrap();

            let g = open_read(&path);
            check_history(&g, &want, &format!("{context}, reopened"));
            restart_lookups(&g, &format!("{context}, reopened"));
            g.close().unwrap();
        }
    }
}

/// Append record `k` of `want` and check what `f` reads.
#[track_caller]
fn read_your_writes(f: &QGroup, want: &Expected, k: usize, context: &str) {
    let m = k + 1;
    let times = &want.time[..m];
    let xys = want.xy.slice(s![..m, ..]);
    let t = times[k];

    // one variable ahead of the others
    f.set("time", t).unwrap();
    assert_eq!(f.current_record(), Some(k as isize), "{context}");
    assert_eq!(f.read::<f64>("time").unwrap(), t, "{context}");
    assert_eq!(f.list("time").unwrap().len().unwrap(), m, "{context}");
    let before = f.list("xy").map(|l| l.len().unwrap()).unwrap_or(0);
    assert_eq!(before, k, "{context}: records of xy");
    if k > 0 {
        expect_err!(f.read::<Array1<f32>>("xy"), Error::NoRecord { .. });
    }
    f.set("xy", xy(k)).unwrap();
    f.set("n", count(k)).unwrap();

    // goto
    assert_eq!(f.current_record(), Some(k as isize), "{context}");
    assert_eq!(f.read::<f64>("time").unwrap(), t, "{context}");
    assert_eq!(f.read::<Array1<f32>>("xy").unwrap(), xy(k), "{context}");
    assert_eq!(f.read::<i32>("n").unwrap(), count(k), "{context}");
    let last = f
        .read_part::<f32>("xy", Selection::new().index(-1))
        .unwrap();
    assert_eq!(last, xy(k)[2], "{context}");
    let back: Vec<f32> = f.read_part("xy", s![..;-1]).unwrap();
    assert_eq!(back, [xy(k)[2], xy(k)[1], xy(k)[0]], "{context}");
    f.goto(-1);
    assert_eq!(f.read::<i32>("n").unwrap(), count(k), "{context}");
    f.goto(-(m as isize));
    assert_eq!(f.read::<f64>("time").unwrap(), times[0], "{context}");
    f.goto((k / 2) as isize);
    assert_eq!(f.read::<f64>("time").unwrap(), times[k / 2], "{context}");
    assert_eq!(f.read::<Array1<f32>>("xy").unwrap(), xy(k / 2), "{context}");
    f.goto(m as isize);
    expect_err!(f.read::<f64>("time"), Error::NoRecord { .. });

    // whole histories: as one array, and (every few records, it is slow)
    // as the list of records that goto off reads
    let whole = |name: &str| f.list(name).unwrap().as_array().unwrap();
    let got: Vec<f64> = whole("time").read().unwrap();
    assert_eq!(got, times, "{context}");
    let got: Array2<f32> = whole("xy").read().unwrap();
    assert_eq!(got, xys, "{context}");
    let got: Vec<i32> = whole("n").read().unwrap();
    assert_eq!(got, want.n[..m], "{context}");
    f.goto_off();
    if k % 4 == 0 {
        assert_eq!(f.read::<Vec<f64>>("time").unwrap(), times, "{context}");
        assert_eq!(f.read::<Array2<f32>>("xy").unwrap(), xys, "{context}");
        assert_eq!(f.read::<Vec<i32>>("n").unwrap(), want.n[..m], "{context}");
    }
    assert_eq!(f.record_count().unwrap(), m, "{context}");

    // partial reads along the record axis (numpy slices, then ndarray's)
    let pick = |rows: Vec<usize>| -> Vec<f64> { rows.iter().map(|&i| times[i]).collect() };
    let part = |sel: Selection| -> Vec<f64> { f.read_part("time", sel).unwrap() };
    assert_eq!(
        part(Selection::new().slice(3, None, 2)),
        pick((3..m).step_by(2).collect()),
        "{context}: time[3::2]"
    );
    assert_eq!(
        part(Selection::new().slice(None, None, -2)),
        pick((0..m).rev().step_by(2).collect()),
        "{context}: time[::-2]"
    );
    assert_eq!(
        part(Selection::new().slice(-1, 2, -3)),
        pick((3..m).rev().step_by(3).collect()),
        "{context}: time[-1:2:-3]"
    );
    assert_eq!(
        part(Selection::new().slice(-5, None, 1)),
        pick((m.saturating_sub(5)..m).collect()),
        "{context}: time[-5:]"
    );
    let rows: Vec<usize> = (0..m).rev().step_by(3).collect();
    let sel = Selection::new().slice(None, None, -3).slice(None, None, -1);
    let got: Array2<f32> = f.read_part("xy", sel).unwrap();
    let expected = xys.select(ndarray::Axis(0), &rows);
    assert_eq!(
        got,
        expected.slice(s![.., ..;-1]),
        "{context}: xy[::-3, ::-1]"
    );
    let got: Array2<f32> = f.read_part("xy", s![..;-2, ..]).unwrap();
    assert_eq!(got, xys.slice(s![..;-2, ..]), "{context}: s![..;-2, ..]");
    if m > 3 {
        let got: Vec<f32> = f.read_part("xy", s![3..;2, 1]).unwrap();
        assert_eq!(got, xys.slice(s![3..;2, 1]).to_vec(), "{context}");
        let got: Array2<f32> = f.read_part("xy", s![1..m - 1;-2, 1..]).unwrap();
        assert_eq!(got, xys.slice(s![1..m - 1;-2, 1..]), "{context}");
    }
    let got: i32 = f.read_part("n", Selection::new().index(-1)).unwrap();
    assert_eq!(got, count(k), "{context}");
    let got: i32 = f
        .read_part("n", Selection::new().index((k / 2) as isize))
        .unwrap();
    assert_eq!(got, count(k / 2), "{context}");

    // goto by value: the index is built at the first record and must
    // follow every append after it
    assert_eq!(
        f.goto_nearest("time", t + 0.01).unwrap(),
        k,
        "{context}: the newest record has the largest time that counts"
    );
    assert_eq!(f.current_record(), Some(k as isize), "{context}");
    assert_eq!(f.read::<i32>("n").unwrap(), count(k), "{context}");
    assert_eq!(
        f.goto_index("time").unwrap().records(),
        counted(times),
        "{context}: records that count"
    );
    for x in lookups() {
        let r = f.goto_nearest("time", x).unwrap();
        assert_eq!(r, nearest(times, x), "{context}: nearest {x}");
        assert_eq!(f.read::<f64>("time").unwrap(), times[r], "{context}: {x}");
    }
    if k == 49 {
        assert_eq!(f.goto_nearest("time", 20.0).unwrap(), 40, "{context}");
    }
    if k == 50 {
        // the restart: records 31..49 (15.5 and up) no longer count
        assert_eq!(f.goto_nearest("time", 20.0).unwrap(), 50, "{context}");
        assert_eq!(f.goto_nearest("time", 15.4).unwrap(), 50, "{context}");
        assert_eq!(f.goto_nearest("time", 15.1).unwrap(), 30, "{context}");
    }
}

/// Lookups on the history of [`restart_time`] after 80 records.
#[track_caller]
fn restart_lookups(f: &QGroup, context: &str) {
    let times: Vec<f64> = (0..80).map(restart_time).collect();
    let index = f.goto_index("time").unwrap();
    let want: Vec<usize> = (0..=30).chain(50..80).collect();
    assert_eq!(index.records(), want, "{context}");
    assert_eq!(index.records(), counted(&times), "{context}");
    // 22.5 was record 45 before the restart; now it lies halfway between
    // records 64 (22.25) and 65 (22.75): ties go up
    assert_eq!(f.goto_nearest("time", 22.5).unwrap(), 65, "{context}");
    assert_eq!(f.read::<f64>("time").unwrap(), 22.75, "{context}");
    assert_eq!(f.goto_nearest("time", 10.1).unwrap(), 20, "{context}");
    assert_eq!(f.goto_nearest("time", 99.0).unwrap(), 79, "{context}");
    assert_eq!(f.goto_nearest("time", -1.0).unwrap(), 0, "{context}");
    assert_eq!(f.read::<Array1<f32>>("xy").unwrap(), xy(0), "{context}");
    for x in lookups() {
        let r = f.goto_nearest("time", x).unwrap();
        assert_eq!(r, nearest(&times, x), "{context}: nearest {x}");
    }
}

// ------------------------------------------------------------ 5. overwrite

/// With recording off and goto on, setting a record variable overwrites
/// the current record, buffered or not; reads and goto by value see the
/// new values, before and after close.
#[test]
fn overwrite_records_while_buffered() {
    let files = Files::new();
    let n = 40;
    for format in FORMATS {
        // default: every record buffered; 100 bytes: the first records in
        // the file, the last ones buffered
        for buffer in [None, Some(100)] {
            let context = format!("{format:?}, buffer {buffer:?}");
            let path = files.path(format, &format!("overwrite{buffer:?}"));
            let f = create(&path, format, buffer);
            start(&f);
            for k in 0..n {
                record(&f, k, time(k));
            }
            let mut want = Expected::new(&(0..n).map(time).collect::<Vec<_>>());
            // builds the goto index: 1.3 is nearer 1.5 (record 3) than 1.0
            assert_eq!(f.goto_nearest("time", 1.3).unwrap(), 3, "{context}");
            assert_eq!(f.goto_nearest("time", 2.6).unwrap(), 5, "{context}");

            f.set_recording(Recording::Off);
            f.goto(2);
            f.set("time", 1.4).unwrap();
            f.set("xy", array![-1.0f32, -2.0, -3.0]).unwrap();
            assert_eq!(f.current_record(), Some(2), "{context}");
            assert_eq!(f.read::<f64>("time").unwrap(), 1.4, "{context}");
            assert_eq!(f.read::<Vec<f32>>("xy").unwrap(), [-1.0, -2.0, -3.0]);
            want.time[2] = 1.4;
            want.xy.row_mut(2).assign(&array![-1.0f32, -2.0, -3.0]);
            f.goto(5);
            f.set("time", 99.0).unwrap();
            want.time[5] = 99.0;
            f.goto(-1);
            f.set("n", 12345).unwrap();
            want.n[n - 1] = 12345;
            f.goto(7);
            f.write_part("xy", Selection::new().index(1), 7.5f32)
                .unwrap();
            want.xy[[7, 1]] = 7.5;
            assert_eq!(f.record_count().unwrap(), n, "{context}: no record added");
            check_history(&f, &want, &context);
            check_lookups(&f, &want.time, &context);

            // recording again: the index follows the new record too
            f.set_recording(Recording::Uniform);
            record(&f, n, 20.0);
            want.time.push(20.0);
            want.xy.push_row(xy(n).view()).unwrap();
            want.n.push(count(n));
            assert_eq!(f.goto_nearest("time", 20.1).unwrap(), n, "{context}");
            check_history(&f, &want, &format!("{context}, one more"));
            check_lookups(&f, &want.time, &format!("{context}, one more"));
            f.close().unwrap();

            let g = open_read(&path);
            check_history(&g, &want, &format!("{context}, reopened"));
            check_lookups(&g, &want.time, &format!("{context}, reopened"));
            g.close().unwrap();
        }
    }
}

/// Goto by value on the history of [`overwrite_records_while_buffered`]:
/// record 2 is 1.4 (was 1.0), record 5 is 99 (was 2.5) and no longer
/// counts.
#[track_caller]
fn check_lookups(f: &QGroup, times: &[f64], context: &str) {
    let records = f.goto_index("time").unwrap().records();
    assert_eq!(records, counted(times), "{context}");
    assert!(!records.contains(&5), "{context}: record 5 counts");
    assert_eq!(f.goto_nearest("time", 1.3).unwrap(), 2, "{context}");
    assert_eq!(f.read::<f64>("time").unwrap(), 1.4, "{context}");
    assert_eq!(f.read::<Vec<f32>>("xy").unwrap(), [-1.0, -2.0, -3.0]);
    assert_eq!(f.goto_nearest("time", 2.6).unwrap(), 6, "{context}");
    assert_eq!(f.goto_nearest("time", 98.0).unwrap(), times.len() - 1);
    for x in lookups() {
        assert_eq!(
            f.goto_nearest("time", x).unwrap(),
            nearest(times, x),
            "{context}: nearest {x}"
        );
    }
}

// ------------------------------------------------------------ 6. flush

/// After `flush` the records are on disk while the file stays open: a copy
/// of the file's bytes holds them, and (HDF5) a second read-only open of
/// the file in this process reads them.
#[test]
fn flush_puts_records_on_disk() {
    let files = Files::new();
    let n = 300;
    let times: Vec<f64> = (0..n + 100).map(time).collect();
    let first = Expected::new(&times[..n]);
    let all = Expected::new(&times);
    for format in FORMATS {
        let path = files.path(format, "flush");
        let f = recorded(&path, format, None, &times[..n]);
        f.flush().unwrap();
        let copy = open_copy(&path, "first-flush");
        check_history(&copy, &first, &format!("{format:?} copy after flush"));
        copy.close().unwrap();
        if format == Format::Hdf5 {
            check_file(
                &path,
                &first,
                &format!("{format:?} second open after flush"),
            );
        }

        // recording goes on after a flush, and a second flush adds the rest
        for (k, &t) in times.iter().enumerate().skip(n) {
            record(&f, k, t);
        }
        check_history(&f, &all, &format!("{format:?} same handle"));
        f.flush().unwrap();
        let copy = open_copy(&path, "second-flush");
        check_history(&copy, &all, &format!("{format:?} copy after 2nd flush"));
        copy.close().unwrap();
        if format == Format::Hdf5 {
            check_file(&path, &all, &format!("{format:?} second open, 2nd flush"));
        }
        f.close().unwrap();
        check_file(&path, &all, &format!("{format:?} after close"));
    }
}

// ------------------------------------------------------------ 7. sizes

/// A small history makes a small file: 3 records of 10 f64 scalars.
#[test]
fn small_history_small_file() {
    let files = Files::new();
    let names: Vec<String> = (0..10).map(|v| format!("v{v}")).collect();
    let value = |k: usize, v: usize| (k * 10 + v) as f64 * 0.5;
    let mut sizes = Vec::new();
    for format in FORMATS {
        let path = files.path(format, "small");
        let f = create(&path, format, None);
        for k in 0..3 {
            for (v, name) in names.iter().enumerate() {
                f.set(name, value(k, v)).unwrap();
            }
        }
        f.close().unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        println!("{format:?}: 3 records of 10 f64 scalars: {size} bytes");
        sizes.push((format, size));

        let g = open_read(&path);
        g.goto_off();
        for (v, name) in names.iter().enumerate() {
            let got: Vec<f64> = g.read(name).unwrap();
            assert_eq!(got, (0..3).map(|k| value(k, v)).collect::<Vec<_>>());
        }
        g.close().unwrap();
    }
    for (format, size) in sizes {
        // HDF5: mostly the chunk index node of each variable (qnd creates
        // files with small index nodes). netCDF-4: netCDF-C creates the
        // file itself, with HDF5's 2 KiB index nodes (10 variables, 20 KiB)
        // and a 4 KiB global heap, and has no setting for either. Classic:
        // mostly the 16 KiB of header room qnd reserves for new variables.
        let bound = match format {
            Format::Hdf5 => 16 * 1024,
            Format::NetCdf4 => 40 * 1024,
            Format::Classic => 24 * 1024,
        };
        assert!(size < bound, "{format:?}: {size} bytes, more than {bound}");
    }
}

// ------------------------------------------------------------ other types

/// Records of other types: bool, i8, i16 and 2-d f64 are buffered, text is
/// written through between them.
#[test]
fn other_record_types() {
    let files = Files::new();
    let n = 300;
    let text = |k: usize| format!("r{k:03}");
    let grid = |k: usize| array![[k as f64, -0.5], [0.25, k as f64 * 2.0]];
    for format in FORMATS {
        for buffer in [None, Some(100)] {
            let context = format!("{format:?}, buffer {buffer:?}");
            let path = files.path(format, &format!("types{buffer:?}"));
            let f = create(&path, format, buffer);
            for k in 0..n {
                f.set("flag", k % 3 == 0).unwrap();
                f.set("small", ((k % 200) as i32 - 100) as i8).unwrap();
                f.set("short", k as i16 * -7).unwrap();
                f.set("label", text(k)).unwrap();
                f.set("grid", grid(k)).unwrap();
            }
            let check = |f: &QGroup, context: &str| {
                f.goto_off();
                let flags: Vec<bool> = f.read("flag").unwrap();
                assert_eq!(flags, (0..n).map(|k| k % 3 == 0).collect::<Vec<_>>());
                let small: Vec<i8> = f.read("small").unwrap();
                let want: Vec<i8> = (0..n).map(|k| ((k % 200) as i32 - 100) as i8).collect();
                assert_eq!(small, want, "{context}");
                let short: Vec<i16> = f.read("short").unwrap();
                assert_eq!(short, (0..n).map(|k| k as i16 * -7).collect::<Vec<_>>());
                let labels: Vec<String> =
                    f.list("label").unwrap().as_array().unwrap().read().unwrap();
                assert_eq!(labels, (0..n).map(text).collect::<Vec<_>>(), "{context}");
                let grids: ndarray::Array3<f64> = f.read("grid").unwrap();
                assert_eq!(grids.shape(), [n, 2, 2], "{context}");
                for k in [0, n / 2, n - 1] {
                    assert_eq!(grids.index_axis(ndarray::Axis(0), k), grid(k), "{context}");
                    f.goto(k as isize);
                    assert_eq!(f.read::<bool>("flag").unwrap(), k % 3 == 0, "{context}");
                    assert_eq!(f.read::<String>("label").unwrap(), text(k), "{context}");
                    assert_eq!(f.read::<Array2<f64>>("grid").unwrap(), grid(k));
                }
                f.goto_off();
                let part: Array2<f64> = f.read_part("grid", s![n - 10..;-3, .., 1]).unwrap();
                let rows: Vec<usize> = (n - 10..n).rev().step_by(3).collect();
                let want = Array2::from_shape_fn((rows.len(), 2), |(i, j)| grid(rows[i])[[j, 1]]);
                assert_eq!(part, want, "{context}");
            };
            check(&f, &format!("{context}: same handle"));
            f.close().unwrap();
            let g = open_read(&path);
            check(&g, &format!("{context}: reopened"));
            g.close().unwrap();
        }
    }
}

/// Two handles of one HDF5 file in one process: records that the writing
/// handle has flushed are seen by the reading one (its record counts are
/// asked of the file, never kept from before), whole, under goto and by
/// goto-by-value.
#[test]
fn a_second_handle_sees_flushed_records() {
    let files = Files::new();
    let path = files.path(Format::Hdf5, "shared");
    let writer = create(&path, Format::Hdf5, Some(0));
    writer.set("time", 1.0).unwrap();
    writer.flush().unwrap();
    let reader = open_read(&path);
    assert_eq!(reader.list("time").unwrap().len().unwrap(), 1);
    reader.goto(-1);
    assert_eq!(reader.read::<f64>("time").unwrap(), 1.0);
    writer.set("time", 2.0).unwrap();
    writer.flush().unwrap();
    assert_eq!(reader.list("time").unwrap().len().unwrap(), 2);
    assert_eq!(
        reader.read::<f64>("time").unwrap(),
        2.0,
        "goto -1 is the newest"
    );
    reader.goto_off();
    assert_eq!(reader.read::<Vec<f64>>("time").unwrap(), [1.0, 2.0]);
    assert_eq!(reader.record_count().unwrap(), 2);
    drop(reader);
    writer.close().unwrap();
}
