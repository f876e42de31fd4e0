//! What `OpenOptions::sync` costs: the time of one `flush()` with and
//! without fsync, per format.
//!
//! `cargo bench --bench flush_sync` records, for each format (HDF5,
//! netCDF-4, netCDF-3) and each setting of `sync`, 10 records (`time`,
//! `step` and 100 f8 values `u`) then a flush, 60 times, to a new file in
//! `QND_BENCH_DIR` (default: the system's temporary directory: put it on
//! the disk whose cost you want to know, not a tmpfs), and prints the
//! median and the 90th percentile of the flush times (the writes of the
//! records themselves are not timed). `QND_BENCH_REPEAT=n` (default 3)
//! repeats every case, interleaved; the median is over all flushes.

use std::path::Path;
use std::time::Instant;

use qnd::{Mode, NcFormat, OpenOptions, Recording};

const FLUSHES: usize = 60;
const PER_FLUSH: usize = 10;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The flush times (seconds) of one run.
fn run(dir: &Path, name: &str, netcdf: NcFormat, sync: bool) -> Res<Vec<f64>> {
    let path = dir.join(name);
    let options = OpenOptions {
        netcdf,
        sync,
        recording: Recording::Uniform,
        ..OpenOptions::new(Mode::Create)
    };
    let f = qnd::open_with(&path, &options)?;
    let mut times = Vec::with_capacity(FLUSHES);
    let mut k = 0usize;
    for _ in 0..FLUSHES {
        for _ in 0..PER_FLUSH {
            f.set("time", k as f64 * 0.01)?;
            f.set("step", k as i32)?;
            f.set("u", (k..k + 100).map(|v| v as f64).collect::<Vec<_>>())?;
            k += 1;
        }
        let t = Instant::now();
        f.flush()?;
        times.push(t.elapsed().as_secs_f64());
    }
    f.close()?;
    std::fs::remove_file(&path)?;
    Ok(times)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn main() -> Res<()> {
    let base = std::env::var_os("QND_BENCH_DIR")
        .map(Into::into)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base)?;
    let repeat: usize = std::env::var("QND_BENCH_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let cases = [
        ("HDF5", "f.h5", NcFormat::Netcdf4),
        ("netCDF-4", "f.nc", NcFormat::Netcdf4),
        ("netCDF-3", "f3.nc", NcFormat::Classic),
    ];
    let mut all: Vec<Vec<f64>> = vec![Vec::new(); cases.len() * 2];
    for _ in 0..repeat {
        for (i, (_, name, netcdf)) in cases.iter().enumerate() {
            for (j, sync) in [false, true].into_iter().enumerate() {
                all[i * 2 + j].extend(run(dir.path(), name, *netcdf, sync)?);
            }
        }
    }
    println!(
        "{:<10} {:>5} {:>12} {:>12}",
        "format", "sync", "median ms", "p90 ms"
    );
    for (i, (what, _, _)) in cases.iter().enumerate() {
        for (j, sync) in [false, true].into_iter().enumerate() {
            let t = &mut all[i * 2 + j];
            t.sort_by(f64::total_cmp);
            println!(
                "{what:<10} {sync:>5} {:>12.3} {:>12.3}",
                quantile(t, 0.5) * 1e3,
                quantile(t, 0.9) * 1e3
            );
        }
    }
    Ok(())
}
