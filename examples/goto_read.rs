//! Reading one scalar per record under goto, against h5py's `ds[k]`.
//!
//! `cargo run --release --example goto_read [DIR]` writes `DIR/goto.h5`
//! (default: the system's temporary directory): 100,000 records of an f8
//! scalar `t` (increasing) and `v`. Then, opened read-only, medians of 5:
//!
//! - `goto_scalar`: `goto_iter` over every record, `read::<f64>("v")` each;
//! - `nearest`: 1,000 `goto_nearest("t", ..)` plus `read::<f64>("v")`;
//! - `h5py_scalar`, `h5py_nearest`: the same through h5py (`ds[k]` with the
//!   dataset kept; `numpy.searchsorted` for the nearest), when
//!   `QND_PYTHON` (default `python3`) has h5py; skipped with a message
//!   otherwise.
//!
//! Each line is `CASE SECONDS`, then the ratios qnd/h5py.
//! `QND_GOTO_PROFILE=n` runs `goto_scalar` n times and nothing else (to
//! profile it).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use qnd::Recording;

const RECORDS: usize = 100_000;
const NEAREST: usize = 1_000;
const RUNS: usize = 5;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn write(path: &std::path::Path) -> Res<()> {
    let f = qnd::open(path, "w")?;
    f.set_recording(Recording::Uniform);
    for k in 0..RECORDS {
        f.set("t", k as f64 * 0.5)?;
        f.set("v", k as f64)?;
    }
    f.close()?;
    Ok(())
}

fn goto_scalar(path: &std::path::Path) -> Res<f64> {
    let f = qnd::open(path, "r")?;
    let start = Instant::now();
    let mut sum = 0.0;
    for _ in f.goto_iter()? {
        sum += f.read::<f64>("v")?;
    }
    let secs = start.elapsed().as_secs_f64();
    let want = (RECORDS * (RECORDS - 1) / 2) as f64;
    if sum != want {
        return Err(format!("sum {sum}, expected {want}").into());
    }
    Ok(secs)
}

fn nearest(path: &std::path::Path) -> Res<f64> {
    let f = qnd::open(path, "r")?;
    f.goto_index("t")?; // built once, as h5py's reader loads `t` once
    let start = Instant::now();
    let step = RECORDS / NEAREST;
    for i in 0..NEAREST {
        let k = i * step;
        let r = f.goto_nearest("t", k as f64 * 0.5 + 0.1)?;
        let v = f.read::<f64>("v")?;
        if r != k || v != k as f64 {
            return Err(format!("record {r} value {v}, expected {k}").into());
        }
    }
    Ok(start.elapsed().as_secs_f64())
}

const PY: &str = r#"
import sys, time, statistics, h5py, numpy as np
path, n, m, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sc, ne = [], []
for _ in range(runs):
    with h5py.File(path, "r") as f:
        ds = f["v"]
        s = time.perf_counter(); tot = 0.0
        for k in range(n):
            tot += ds[k]
        sc.append(time.perf_counter() - s)
    with h5py.File(path, "r") as f:
        ds = f["v"]; t = f["t"][()]
        s = time.perf_counter(); step = n // m
        for i in range(m):
            x = i * step * 0.5 + 0.1
            j = int(np.searchsorted(t, x))
            if j == len(t) or (j > 0 and x - t[j - 1] <= t[j] - x):
                j -= 1
            v = ds[j]
        ne.append(time.perf_counter() - s)
print(statistics.median(sc), statistics.median(ne))
"#;

fn h5py(path: &std::path::Path) -> Option<(f64, f64)> {
    let python = std::env::var("QND_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python)
        .arg("-c")
        .arg(PY)
        .arg(path)
        .args([RECORDS, NEAREST, RUNS].map(|n| n.to_string()))
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let s = String::from_utf8_lossy(&o.stdout);
            let mut it = s.split_whitespace().filter_map(|x| x.parse().ok());
            Some((it.next()?, it.next()?))
        }
        Ok(o) => {
            println!(
                "skipped: h5py ({python}): {}",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
            None
        }
        Err(e) => {
            println!("skipped: h5py ({python}): {e}");
            None
        }
    }
}

fn main() -> Res<()> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(std::env::temp_dir, PathBuf::from);
    let path = dir.join("goto.h5");
    write(&path)?;
    if let Some(n) = std::env::var("QND_GOTO_PROFILE")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        let secs: Vec<f64> = (0..n).map(|_| goto_scalar(&path)).collect::<Res<_>>()?;
        println!("goto_scalar {:.4}", median(secs));
        return Ok(());
    }
    let mut sc = Vec::new();
    let mut ne = Vec::new();
    for _ in 0..RUNS {
        sc.push(goto_scalar(&path)?);
        ne.push(nearest(&path)?);
    }
    let (sc, ne) = (median(sc), median(ne));
    println!("goto_scalar {sc:.4}");
    println!("nearest {ne:.5}");
    if let Some((psc, pne)) = h5py(&path) {
        println!("h5py_scalar {psc:.4}");
        println!("h5py_nearest {pne:.5}");
        println!("ratio goto_scalar {:.2}", sc / psc);
        println!("ratio nearest {:.2}", ne / pne);
    }
    std::fs::remove_file(&path)?;
    Ok(())
}
