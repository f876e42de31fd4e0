//! How fast `qnd::diff` compares two large HDF5 files, against `cmp` on
//! the same two files. Run with
//!
//! ```sh
//! cargo run --release --example diff_speed [-- DIR [ELEMENTS] [RUNS]]
//! ```
//!
//! It writes an HDF5 file into DIR (default: `/dev/shm` when it exists,
//! else the system's temporary folder) holding one leaf of ELEMENTS `f8`
//! (default 125,000,000: 1 GB), and a byte-for-byte copy of it (so that
//! `cmp` reads both to the end); times RUNS (default 5) runs of `qnd::diff`
//! and of `cmp` on them and prints the medians side by side; then changes
//! the bytes of the last element in the copy (only those: `cmp` still
//! reads to there, the end of the data) and does it again. The files are
//! removed at the end. The same again with the data as a recorded
//! history (a record variable of 100 kB records, as a simulation writes
//! it: chunked).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use ndarray::{s, Array1};
use qnd::{DType, Tolerance};

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// The record length of the history layout: 12,500 f8 (100 kB a record).
const RECORD: usize = 12_500;

/// Write `n` f8 (the value at flat index i is i * 0.5) into a new file: as
/// one leaf `x`, or (`history`) as a record variable `u` of records of
/// [`RECORD`] elements, recorded one at a time.
fn write(path: &Path, n: usize, history: bool) -> qnd::Result<()> {
    let f = qnd::open(path, "w")?;
    if history {
        f.set_recording(qnd::Recording::Uniform);
        for k in 0..n / RECORD {
            let u = Array1::from_shape_fn(RECORD, |i| (k * RECORD + i) as f64 * 0.5);
            f.set("u", u)?;
        }
        return f.close();
    }
    let x = f.declare("x", DType::F64, &[n])?;
    let block = 1 << 20;
    let mut start = 0;
    while start < n {
        let stop = (start + block).min(n);
        let part = Array1::from_shape_fn(stop - start, |i| (start + i) as f64 * 0.5);
        x.write_part(s![start as isize..stop as isize], part)?;
        start = stop;
    }
    f.close()
}

fn io(path: &Path, source: std::io::Error) -> qnd::Error {
    qnd::Error::Io {
        file: path.to_path_buf(),
        source,
    }
}

/// Overwrite the bytes of the last element (its value is known, and it is
/// the last place they occur) with those of -1.0.
fn change_last(path: &Path, n: usize) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let want = ((n - 1) as f64 * 0.5).to_le_bytes();
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)?;
    let len = f.metadata()?.len();
    let window = 64u64 << 20;
    let mut end = len;
    let at = loop {
        let start = end.saturating_sub(window);
        f.seek(SeekFrom::Start(start))?;
        let mut buf = vec![0; (end - start) as usize];
        f.read_exact(&mut buf)?;
        if let Some(i) = buf.windows(8).rposition(|w| w == want) {
            break start + i as u64;
        }
        if start == 0 {
            return Err(std::io::Error::other("last element not found"));
        }
        end = start + 7; // windows overlap by 7 bytes
    };
    f.seek(SeekFrom::Start(at))?;
    f.write_all(&(-1.0f64).to_le_bytes())?;
    println!("changed the last element at byte {at} of {len}");
    Ok(())
}

/// Seconds of `runs` runs of `qnd::diff` (median), and the differences
/// found.
fn time_diff(a: &Path, b: &Path, runs: usize) -> qnd::Result<(f64, usize)> {
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let fa = qnd::open(a, "r")?;
        let fb = qnd::open(b, "r")?;
        let d = qnd::diff(&fa, &fb, &Tolerance::EXACT)?;
        times.push(t.elapsed().as_secs_f64());
        found = d.len();
        if found > 0 && times.len() == 1 {
            print!("    {d}");
        }
    }
    Ok((median(times), found))
}

/// Seconds of `runs` runs of `cmp a b` (median), and its exit status.
fn time_cmp(a: &Path, b: &Path, runs: usize) -> (f64, Option<i32>) {
    let mut times = Vec::new();
    let mut code = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = Command::new("cmp").arg(a).arg(b).output();
        times.push(t.elapsed().as_secs_f64());
        code = out.ok().and_then(|o| o.status.code());
    }
    (median(times), code)
}

fn main() -> qnd::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().map(PathBuf::from).unwrap_or_else(|| {
        let shm = PathBuf::from("/dev/shm");
        if shm.is_dir() {
            shm
        } else {
            std::env::temp_dir()
        }
    });
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(125_000_000);
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    for history in [false, true] {
        let n = if history { n / RECORD * RECORD } else { n };
        compare(&dir, n, runs, history)?;
    }
    Ok(())
}

/// Write the pair (one layout), time both cases, print, remove the files.
fn compare(dir: &Path, n: usize, runs: usize, history: bool) -> qnd::Result<()> {
    let a = dir.join(format!("qnd-diff-speed-{}-a.h5", std::process::id()));
    let b = dir.join(format!("qnd-diff-speed-{}-b.h5", std::process::id()));
    let result = (|| {
        write(&a, n, history)?;
        std::fs::copy(&a, &b).map_err(|e| io(&b, e))?;
        let size = std::fs::metadata(&a).map(|m| m.len()).unwrap_or(0);
        let layout = if history {
            format!("a record variable of {} records of {RECORD} f8", n / RECORD)
        } else {
            format!("one f8 leaf of {n} elements")
        };
        println!(
            "two HDF5 files of {layout}, {:.1} MB each, in {}; median of {runs} runs",
            size as f64 / 1e6,
            dir.display()
        );
        for case in ["equal", "last element differs"] {
            if case != "equal" {
                change_last(&b, n).map_err(|e| io(&b, e))?;
            }
            let (qnd_s, found) = time_diff(&a, &b, runs)?;
            let (cmp_s, code) = time_cmp(&a, &b, runs);
            println!(
                "{case:>22}: qnd::diff {qnd_s:.3} s ({found} differences, {:.2} GB/s), \
                 cmp {cmp_s:.3} s (exit {code:?}); qnd/cmp = {:.2}",
                2.0 * size as f64 / qnd_s / 1e9,
                qnd_s / cmp_s
            );
            let want = usize::from(case != "equal");
            if found != want {
                return Err(qnd::Error::Invalid {
                    file: b.clone(),
                    path: String::from("/"),
                    reason: format!("qnd::diff found {found} differences, not {want}"),
                });
            }
        }
        Ok(())
    })();
    let _ = std::fs::remove_file(&a);
    let _ = std::fs::remove_file(&b);
    result
}
