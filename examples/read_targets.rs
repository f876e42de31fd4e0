//! How long a read takes into each target type: `Vec<T>` against
//! `ArrayD<T>` (and `qnd::Array`), from an HDF5 file that is already open.
//!
//! `cargo run --release --example read_targets` writes, in a temporary
//! folder removed afterwards, an HDF5 file holding 100,000 records of an
//! `f8` scalar and a 1-d `f8` dataset of 10,000,000 elements, then prints
//! lines `CASE SECONDS` (the median of many reads) for:
//!
//! - `whole_vec`, `whole_array`, `whole_qarray`: the 100k records read
//!   with goto off as `Vec<f64>`, `ArrayD<f64>` and `qnd::Array`;
//! - `window_vec`, `window_array`: a 1,000-element window of the large
//!   dataset as `Vec<f64>` and `ArrayD<f64>`;
//!
//! and the ratios `*_vec / *_array` (the goal is at most 1.2). It takes a
//! few seconds. Without the `hdf5` feature it only says so.

#[cfg(feature = "hdf5")]
fn main() -> qnd::Result<()> {
    use std::time::{Duration, Instant};

    use ndarray::{s, Array1, ArrayD};
    use qnd::Recording;

    const RECORDS: usize = 100_000;
    const LEN: usize = 10_000_000;
    const WINDOW: usize = 1000;

    /// The median of `repeat` runs of `f` (after a warm-up), in seconds.
    fn median(repeat: usize, mut f: impl FnMut()) -> f64 {
        for _ in 0..3 {
            f();
        }
        let mut t: Vec<Duration> = (0..repeat)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect();
        t.sort();
        t[t.len() / 2].as_secs_f64()
    }

    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("read_targets.h5");
    {
        let f = qnd::open(&path, "w")?;
        f.set("big", Array1::from_shape_fn(LEN, |i| i as f64 * 0.5))?;
        f.set_recording(Recording::Uniform);
        for k in 0..RECORDS {
            f.set("x", k as f64)?;
        }
        f.close()?;
    }
    let f = qnd::open(&path, "r")?;
    let big = f.leaf("big")?;
    let last = (RECORDS - 1) as f64;

    let mut lines = Vec::new();
    let whole_vec = median(31, || {
        let v: Vec<f64> = f.read("x").expect("read x as Vec");
        assert_eq!(v.len(), RECORDS);
        assert_eq!(v[RECORDS - 1], last);
    });
    let whole_array = median(31, || {
        let a: ArrayD<f64> = f.read("x").expect("read x as ArrayD");
        assert_eq!(a.shape(), [RECORDS]);
        assert_eq!(a[[RECORDS - 1]], last);
    });
    lines.push(("whole_vec", whole_vec));
    lines.push(("whole_array", whole_array));
    match f.read::<qnd::Array>("x") {
        Ok(_) => {
            let whole_qarray = median(31, || {
                let a: qnd::Array = f.read("x").expect("read x as Array");
                assert_eq!(a.shape(), [RECORDS]);
            });
            lines.push(("whole_qarray", whole_qarray));
        }
        Err(e) => println!("whole_qarray fails: {e}"),
    }

    let start = LEN / 2 - WINDOW / 2;
    let window_vec = median(301, || {
        let v: Vec<f64> = big
            .read_part(s![start..start + WINDOW])
            .expect("read a window as Vec");
        assert_eq!(v[0], start as f64 * 0.5);
    });
    let window_array = median(301, || {
        let a: ArrayD<f64> = big
            .read_part(s![start..start + WINDOW])
            .expect("read a window as ArrayD");
        assert_eq!(a[[0]], start as f64 * 0.5);
    });
    lines.push(("window_vec", window_vec));
    lines.push(("window_array", window_array));

    for (case, seconds) in &lines {
        println!("{case} {seconds:.3e}");
    }
    println!(
        "ratios: whole_vec/whole_array {:.2}, window_vec/window_array {:.2}",
        whole_vec / whole_array,
        window_vec / window_array
    );
    Ok(())
}

#[cfg(not(feature = "hdf5"))]
fn main() {
    println!("read_targets: needs the hdf5 feature (the default); skipped");
}
