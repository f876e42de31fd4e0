//! Reading a small window from a virtual stack of many files costs about
//! what reading it from one file costs, not what reading the stack costs.
//!
//! `cargo bench --bench lazy_window` makes, in a temporary folder that is
//! removed afterwards, 100 HDF5 files each holding a 1-d `i8` dataset of
//! 1 000 000 elements (about 100 MB on disk in all), and an HDF5 virtual
//! dataset stacking them (`QGroup::store_virtual` of a `VirtualStack` of
//! `VirtualSource`s: only the mappings are written). It then times, in one
//! run, reading a 1000-element window that crosses the boundary between
//! two files:
//!
//! - (a) from the virtual dataset (HDF5 reads the two sources it touches;
//!   qnd first checks those two source files are there);
//! - (b) from one file's ordinary dataset (a window inside it);
//! - (c) from the lazy `VirtualStack` itself (each read opens the source
//!   files it touches through qnd);
//!
//! (a) and (b) with the file already open (median of many reads), with
//! the file opened, read and closed each time, and straight through the
//! hdf5 crate (HDF5's own cost, without qnd); and, for scale, reading the
//! whole stack once (through qnd and through the hdf5 crate). It prints
//! the times and the ratios (a)/(b). It takes a few seconds.

use qnd_hdf5::hdf5;
use std::path::Path;
use std::time::{Duration, Instant};

use ndarray::{s, Array1};
use qnd::lazy::{Lazy, LazyExt, VirtualSource, VirtualStack};

const FILES: usize = 100;
const LEN: usize = 1_000_000;
const WINDOW: usize = 1000;
const REPEAT: usize = 300;

/// The value at position `i` of file `k`.
fn value(k: usize, i: usize) -> i8 {
    ((k * 31 + i * 7) % 251) as i8
}

/// The median and the fastest of `REPEAT` runs of `f` (after a warm-up).
fn time(mut f: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..5 {
        f();
    }
    let mut t: Vec<Duration> = (0..REPEAT)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    t.sort();
    (t[t.len() / 2], t[0])
}

fn us(d: Duration) -> String {
    format!("{:9.1} us", d.as_secs_f64() * 1e6)
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    println!(
        "lazy_window: {FILES} HDF5 files x {LEN} i8 elements (~{} MB) in a temporary folder {}",
        FILES * LEN / 1_000_000,
        dir.path().display()
    );
    let start = Instant::now();
    let files: Vec<_> = (0..FILES)
        .map(|k| {
            let path = dir.path().join(format!("part{k:03}.h5"));
            let f = qnd::open(&path, "w").expect("create a source");
            let data = Array1::from_shape_fn(LEN, |i| value(k, i));
            f.set("x", data).expect("write a source");
            f.close().expect("close a source");
            path
        })
        .collect();
    println!("  made the files in {:.2} s", start.elapsed().as_secs_f64());

    let start = Instant::now();
    let sources = files
        .iter()
        .map(|p| VirtualSource::new(p, "/x").map(Lazy::new))
        .collect::<qnd::Result<Vec<_>>>()
        .expect("sources");
    let stack = Lazy::new(VirtualStack::new(sources, 0).expect("a stack"));
    let vds_path = dir.path().join("stack.h5");
    let out = qnd::open(&vds_path, "w").expect("create the stack file");
    out.store_virtual("x", &stack)
        .expect("store the virtual dataset");
    out.close().expect("close");
    println!(
        "  made the virtual dataset in {:.3} s; stack.h5 is {} bytes",
        start.elapsed().as_secs_f64(),
        std::fs::metadata(&vds_path).expect("stack.h5").len()
    );

    // the window: 500 elements at the end of file 49, 500 at the start of 50
    let k = FILES / 2;
    let lo = k * LEN - WINDOW / 2;
    let expect: Vec<i8> = (lo..lo + WINDOW).map(|j| value(j / LEN, j % LEN)).collect();
    let one_lo = LEN / 2;
    let expect_one: Vec<i8> = (one_lo..one_lo + WINDOW).map(|i| value(k, i)).collect();

    // (a) the virtual dataset, (b) one file, with the files open
    let vds = qnd::open(&vds_path, "r").expect("open stack.h5");
    let vleaf = vds.leaf("x").expect("x");
    let one = qnd::open(&files[k], "r").expect("open one file");
    let oleaf = one.leaf("x").expect("x");
    let got: Vec<i8> = vleaf.read_part(s![lo..lo + WINDOW]).expect("read");
    assert_eq!(got, expect, "the virtual dataset's window");
    let got: Vec<i8> = oleaf.read_part(s![one_lo..one_lo + WINDOW]).expect("read");
    assert_eq!(got, expect_one, "one file's window");
    let (a, a_min) = time(|| {
        let w: Vec<i8> = vleaf.read_part(s![lo..lo + WINDOW]).expect("read");
        assert_eq!(w.len(), WINDOW);
    });
    let (b, b_min) = time(|| {
        let w: Vec<i8> = oleaf.read_part(s![one_lo..one_lo + WINDOW]).expect("read");
        assert_eq!(w.len(), WINDOW);
    });
    // (c) the lazy stack (opens the sources it touches on each read)
    let got: Vec<i8> = stack.read_part(s![lo..lo + WINDOW]).expect("read");
    assert_eq!(got, expect, "the lazy stack's window");
    let (c, c_min) = time(|| {
        let w: Vec<i8> = stack.read_part(s![lo..lo + WINDOW]).expect("read");
        assert_eq!(w.len(), WINDOW);
    });
    drop((vleaf, oleaf));
    vds.close().expect("close");
    one.close().expect("close");

    // the same reads straight through the hdf5 crate: HDF5's own cost,
    // without qnd's checks of the sources and its conversions
    let (a_raw, b_raw) = {
        let vds = hdf5::File::open(&vds_path).expect("open stack.h5");
        let vx = vds.dataset("x").expect("x");
        let one = hdf5::File::open(&files[k]).expect("open one file");
        let ox = one.dataset("x").expect("x");
        let got = vx.read_slice_1d::<i8, _>(lo..lo + WINDOW).expect("read");
        assert_eq!(got.to_vec(), expect);
        let (a_raw, _) = time(|| {
            let w = vx.read_slice_1d::<i8, _>(lo..lo + WINDOW).expect("read");
            assert_eq!(w.len(), WINDOW);
        });
        let (b_raw, _) = time(|| {
            let w = ox
                .read_slice_1d::<i8, _>(one_lo..one_lo + WINDOW)
                .expect("read");
            assert_eq!(w.len(), WINDOW);
        });
        (a_raw, b_raw)
    };

    // opening the file, reading the window and closing it, each time
    fn cold(path: &Path, from: usize) -> impl FnMut() + '_ {
        move || {
            let f = qnd::open(path, "r").expect("open");
            let w: Vec<i8> = f
                .leaf("x")
                .expect("x")
                .read_part(s![from..from + WINDOW])
                .expect("read");
            assert_eq!(w.len(), WINDOW);
            f.close().expect("close");
        }
    }
    let (a_cold, _) = time(cold(&vds_path, lo));
    let (b_cold, _) = time(cold(&files[k], one_lo));

    // for scale: the whole stack, once through qnd, once through the
    // hdf5 crate
    let start = Instant::now();
    let vds = qnd::open(&vds_path, "r").expect("open stack.h5");
    let all: qnd::Array = vds.read("x").expect("read the whole stack");
    let whole = start.elapsed();
    assert_eq!(all.size(), FILES * LEN);
    drop(all);
    vds.close().expect("close");
    let start = Instant::now();
    let all: Vec<i8> = hdf5::File::open(&vds_path)
        .and_then(|f| f.dataset("x"))
        .and_then(|x| x.read_raw())
        .expect("read the whole stack");
    let whole_raw = start.elapsed();
    assert_eq!(&all[lo..lo + WINDOW], &expect[..]);
    drop(all);

    println!(
        "reading a {WINDOW}-element window across the boundary of files {} and {k} \
         (median of {REPEAT}; fastest in brackets):",
        k - 1
    );
    println!(
        "  (a) HDF5 virtual dataset, file open:   {} ({})",
        us(a),
        us(a_min)
    );
    println!(
        "  (b) one file's dataset, file open:     {} ({})",
        us(b),
        us(b_min)
    );
    println!(
        "  (c) lazy VirtualStack (qnd opens):     {} ({})",
        us(c),
        us(c_min)
    );
    println!("  (a) open + read + close:               {}", us(a_cold));
    println!("  (b) open + read + close:               {}", us(b_cold));
    println!("  (a) through the hdf5 crate alone:      {}", us(a_raw));
    println!("  (b) through the hdf5 crate alone:      {}", us(b_raw));
    println!(
        "  for scale, the whole stack ({} MB):     {} ({} through the hdf5 crate)",
        FILES * LEN / 1_000_000,
        us(whole),
        us(whole_raw).trim()
    );
    let ratio = |x: Duration, y: Duration| x.as_secs_f64() / y.as_secs_f64();
    println!(
        "ratio (a)/(b): {:.1} with the files open, {:.1} opening them, {:.1} through the \
         hdf5 crate; the whole stack / (a): {:.0}",
        ratio(a, b),
        ratio(a_cold, b_cold),
        ratio(a_raw, b_raw),
        ratio(whole_raw, a)
    );
}
