//! Recording a history at full speed, against hand-written loops.
//!
//! `cargo bench --bench recording` prints one line per case, `CASE SECONDS`,
//! then the ratios the README reports. Each case writes a new file:
//!
//! - `small`: 10,000 records of 11 f8 scalars (`time` and `v0`..`v9`);
//! - `wide`: 2,000 records of `time` and one 10,000-element f8 array `x`;
//!
//! written by `qnd_h5` / `qnd_nc` / `qnd_pdb` (this crate, recording mode 1),
//! `naive_h5` (hdf5-metno: resize by one and write, per record and variable),
//! `naive_nc` (the netcdf crate: one put per record and variable) and `raw`
//! (the same bytes through a `BufWriter`: the storage floor). `read_goto`
//! does 10,000 goto-by-time lookups plus one scalar read each on the
//! `small` HDF5 file.
//!
//! `QND_BENCH_REPEAT=n` runs each case n times (default 7), going round
//! all cases each time; a case's time is the median of its runs (the
//! fastest is shown too), so that neither a hiccup nor a lucky run of the
//! machine decides a ratio.
//! `QND_BENCH_BUFFER=bytes` sets qnd's record buffer (0: unbuffered).
//! `QND_BENCH_ONLY=small/qnd_h5` runs only the cases whose name contains
//! that text (to profile one), and prints no ratios.

use qnd_hdf5::hdf5;
use qnd_netcdf::netcdf;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use ndarray::{Array1, ArrayView1};
use qnd::{Mode, OpenOptions, Recording};

const SMALL_RECORDS: usize = 10_000;
const SMALL_VARS: usize = 10;
const WIDE_RECORDS: usize = 2_000;
const WIDE_LEN: usize = 10_000;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// One workload: how many records, and the record `k` of each variable.
#[derive(Clone, Copy)]
enum Workload {
    Small,
    Wide,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Small => "small",
            Workload::Wide => "wide",
        }
    }

    fn records(self) -> usize {
        match self {
            Workload::Small => SMALL_RECORDS,
            Workload::Wide => WIDE_RECORDS,
        }
    }
}

fn time_of(k: usize) -> f64 {
    k as f64 * 0.01
}

fn scalar_of(k: usize, v: usize) -> f64 {
    (k * 31 + v) as f64 * 0.5
}

/// Variable `v` of record `k` where variable 0 is the time and the others
/// the scalars: what the naive writers store, one dataset per variable.
fn variable_of(k: usize, v: usize) -> f64 {
    if v == 0 {
        time_of(k)
    } else {
        scalar_of(k, v - 1)
    }
}

/// The wide array of record `k`: one buffer, changed in place each record,
/// as a simulation's state is.
fn step_wide(x: &mut Array1<f64>, k: usize) {
    x[k % WIDE_LEN] += 1.0;
}

fn scalar_names() -> Vec<String> {
    (0..SMALL_VARS).map(|v| format!("v{v}")).collect()
}

fn qnd_case(path: &Path, w: Workload) -> Res<()> {
    let f = qnd::open_with(
        path,
        &OpenOptions {
            recording: Recording::Uniform,
            record_buffer: std::env::var("QND_BENCH_BUFFER")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(OpenOptions::new(Mode::Create).record_buffer),
            ..OpenOptions::new(Mode::Create)
        },
    )?;
    match w {
        Workload::Small => {
            let names = scalar_names();
            for k in 0..w.records() {
                f.set("time", time_of(k))?;
                for (v, name) in names.iter().enumerate() {
                    f.set(name, scalar_of(k, v))?;
                }
            }
        }
        Workload::Wide => {
            let mut x = Array1::<f64>::zeros(WIDE_LEN);
            for k in 0..w.records() {
                step_wide(&mut x, k);
                f.set("time", time_of(k))?;
                f.set("x", x.view())?;
            }
        }
    }
    f.close()?;
    Ok(())
}

fn naive_h5(path: &Path, w: Workload) -> Res<()> {
    let file = hdf5::File::create(path)?;
    match w {
        Workload::Small => {
            let mut sets = vec![file
                .new_dataset::<f64>()
                .chunk(1024)
                .shape(0..)
                .create("time")?];
            for name in scalar_names() {
                sets.push(
                    file.new_dataset::<f64>()
                        .chunk(1024)
                        .shape(0..)
                        .create(name.as_str())?,
                );
            }
            for k in 0..w.records() {
                for (v, ds) in sets.iter().enumerate() {
                    let x = variable_of(k, v);
                    ds.resize(k + 1)?;
                    ds.write_slice(&[x], k..k + 1)?;
                }
            }
        }
        Workload::Wide => {
            let time = file
                .new_dataset::<f64>()
                .chunk(1024)
                .shape(0..)
                .create("time")?;
            let xs = file
                .new_dataset::<f64>()
                .chunk((1, WIDE_LEN))
                .shape((0.., WIDE_LEN))
                .create("x")?;
            let mut x = Array1::<f64>::zeros(WIDE_LEN);
            for k in 0..w.records() {
                step_wide(&mut x, k);
                time.resize(k + 1)?;
                time.write_slice(&[time_of(k)], k..k + 1)?;
                xs.resize((k + 1, WIDE_LEN))?;
                xs.write_slice(x.view().insert_axis(ndarray::Axis(0)), (k..k + 1, ..))?;
            }
        }
    }
    file.close()?;
    Ok(())
}

fn naive_nc(path: &Path, w: Workload) -> Res<()> {
    let mut file = netcdf::create(path)?;
    file.add_unlimited_dimension("record")?;
    match w {
        Workload::Small => {
            let mut names = vec!["time".to_string()];
            names.extend(scalar_names());
            for name in &names {
                file.add_variable::<f64>(name, &["record"])?;
            }
            for k in 0..w.records() {
                for (v, name) in names.iter().enumerate() {
                    let x = variable_of(k, v);
                    let mut var = file.variable_mut(name).ok_or("no variable")?;
                    var.put_value(x, [k])?;
                }
            }
        }
        Workload::Wide => {
            file.add_dimension("n", WIDE_LEN)?;
            file.add_variable::<f64>("time", &["record"])?;
            file.add_variable::<f64>("x", &["record", "n"])?;
            let mut x = Array1::<f64>::zeros(WIDE_LEN);
            for k in 0..w.records() {
                step_wide(&mut x, k);
                let mut t = file.variable_mut("time").ok_or("no variable")?;
                t.put_value(time_of(k), [k])?;
                let mut var = file.variable_mut("x").ok_or("no variable")?;
                let s = x.as_slice().ok_or("contiguous")?;
                var.put_values(s, [k..k + 1, 0..WIDE_LEN])?;
            }
        }
    }
    file.close()?;
    Ok(())
}

fn raw(path: &Path, w: Workload) -> Res<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let put = |out: &mut std::io::BufWriter<std::fs::File>, v: ArrayView1<f64>| -> Res<()> {
        for x in v {
            out.write_all(&x.to_ne_bytes())?;
        }
        Ok(())
    };
    match w {
        Workload::Small => {
            let mut rec = Array1::<f64>::zeros(SMALL_VARS + 1);
            for k in 0..w.records() {
                rec[0] = time_of(k);
                for v in 0..SMALL_VARS {
                    rec[v + 1] = scalar_of(k, v);
                }
                put(&mut out, rec.view())?;
            }
        }
        Workload::Wide => {
            let mut x = Array1::<f64>::zeros(WIDE_LEN);
            for k in 0..w.records() {
                step_wide(&mut x, k);
                out.write_all(&time_of(k).to_ne_bytes())?;
                // the array's bytes as they are in memory, not copied
                let s = x.as_slice().ok_or("contiguous")?;
                // SAFETY: f64s viewed as their bytes; u8 has alignment 1.
                let bytes = unsafe {
                    std::slice::from_raw_parts(s.as_ptr().cast::<u8>(), std::mem::size_of_val(s))
                };
                out.write_all(bytes)?;
            }
        }
    }
    out.into_inner().map_err(|e| e.into_error())?;
    Ok(())
}

fn read_goto(path: &Path) -> Res<()> {
    let f = qnd::open(path, "r")?;
    let mut sum = 0.0;
    for k in 0..SMALL_RECORDS {
        // a time between records, nearest record k
        let t = time_of(k) + 0.001;
        let r = f.goto_nearest("time", t)?;
        if r != k {
            return Err(format!("goto {t} gave record {r}, expected {k}").into());
        }
        sum += f.read::<f64>("v3")?;
    }
    let expected: f64 = (0..SMALL_RECORDS).map(|k| scalar_of(k, 3)).sum();
    if sum != expected {
        return Err(format!("read {sum}, expected {expected}").into());
    }
    Ok(())
}

/// The median and the smallest of some times.
fn median_min(mut secs: Vec<f64>) -> (f64, f64) {
    secs.sort_by(f64::total_cmp);
    (secs[secs.len() / 2], secs[0])
}

/// The fastest of `repeat` runs of `f` writing `path`, in seconds. The
/// file of the run before is removed first, outside the time taken, so
/// that no case pays for dropping another's pages.
fn best(repeat: usize, path: &Path, mut f: impl FnMut() -> Res<()>) -> Res<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..repeat {
        if path.exists() {
            std::fs::remove_file(path)?;
        }
        let t = Instant::now();
        f()?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(best)
}

fn main() -> Res<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too
    // and only wants it to work, on a smaller scale of repeats.
    let repeat: usize = std::env::var("QND_BENCH_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let only = std::env::var("QND_BENCH_ONLY").ok();
    let wanted = |name: &str| only.as_deref().is_none_or(|o| name.contains(o));
    let dir = tempfile::tempdir()?;
    type Case = fn(&Path, Workload) -> Res<()>;
    let cases: [(&str, &str, Case); 6] = [
        ("qnd_h5", "h5", qnd_case),
        ("qnd_nc", "nc", qnd_case),
        ("qnd_pdb", "pdb", qnd_case),
        ("naive_h5", "h5", naive_h5),
        ("naive_nc", "nc", naive_nc),
        ("raw", "bin", raw),
    ];
    // Repeats go round all cases of a workload, so that a slow spell of
    // the machine (page cache write-back, say) touches every case alike.
    let mut times = std::collections::HashMap::new();
    for w in [Workload::Small, Workload::Wide] {
        let mut runs: Vec<(String, std::path::PathBuf, Case, Vec<f64>)> = cases
            .iter()
            .map(|&(case, ext, run)| {
                let name = format!("{}/{case}", w.name());
                let path = dir.path().join(format!("{}_{case}.{ext}", w.name()));
                (name, path, run, Vec::new())
            })
            .filter(|(name, ..)| wanted(name))
            .collect();
        for _ in 0..repeat {
            for (_, path, run, secs) in &mut runs {
                secs.push(best(1, path, || run(path, w))?);
            }
        }
        for (name, _, _, secs) in runs {
            let (median, min) = median_min(secs);
            println!("{name} {median:.4} (fastest {min:.4})");
            times.insert(name, (median, min));
        }
    }
    if only.is_some() {
        if wanted("read_goto") {
            let small = dir.path().join("small_qnd_h5.h5");
            qnd_case(&small, Workload::Small)?;
            let secs = best(repeat, Path::new(""), || read_goto(&small))?;
            println!("read_goto {secs:.4}");
        }
        return Ok(());
    }
    let small = dir.path().join("small_qnd_h5.h5");
    let secs = best(repeat, Path::new(""), || read_goto(&small))?;
    println!("read_goto {secs:.4}");
    println!("ratios (of medians; of the fastest runs):");
    let ratio = |a: &str, b: &str, goal: &str| {
        let (ma, fa) = times[a];
        let (mb, fb) = times[b];
        println!("{a} / {b} {:.2}; {:.2} (goal {goal})", ma / mb, fa / fb);
    };
    ratio("small/naive_h5", "small/qnd_h5", ">= 20");
    ratio("small/naive_nc", "small/qnd_nc", ">= 10");
    ratio("wide/qnd_h5", "wide/raw", "<= 1.3");
    ratio("wide/qnd_nc", "wide/raw", "<= 1.3");
    ratio("small/qnd_pdb", "small/qnd_h5", "<= 1.5");
    ratio("wide/qnd_pdb", "wide/qnd_h5", "<= 1.5");
    for w in ["small", "wide"] {
        for case in ["qnd_h5", "qnd_nc", "qnd_pdb", "naive_h5", "naive_nc", "raw"] {
            let ext = match case {
                "raw" => "bin",
                "qnd_pdb" => "pdb",
                c if c.ends_with("h5") => "h5",
                _ => "nc",
            };
            let p = dir.path().join(format!("{w}_{case}.{ext}"));
            let size = std::fs::metadata(&p)?.len();
            println!("size {w}/{case} {size}");
        }
    }
    Ok(())
}
