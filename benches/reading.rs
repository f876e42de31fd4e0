//! Reading, against h5py and netCDF4-python on the same files.
//!
//! `cargo bench --bench reading` writes, with qnd, in a temporary folder,
//! for each format (`h5`: HDF5, `nc`: netCDF-4):
//!
//! - `records`: 100,000 records of two f8 scalars, `time` (record `k` at
//!   `k * 0.01`) and `v` (recording mode 1: record variables);
//! - `big`: one f8 dataset `x` of 10,000,000 elements (80 MB), not a
//!   record variable;
//!
//! then times, on each format, with the files already open:
//!
//! - `whole_vec`, `whole_array`: `read::<Vec<f64>>("v")` and
//!   `read::<ArrayD<f64>>("v")`, all 100,000 records at once (goto off);
//! - `goto_scalar`: `goto_iter` over the 100,000 records, one
//!   `read::<f64>("v")` each;
//! - `nearest`: 1,000 `goto_nearest("time", t)` plus one `read::<f64>("v")`
//!   each, on a file just opened (the goto index is built in the time);
//! - `window_vec`, `window_array`: `read_part` of a 1,000-element window
//!   of `x` into `Vec<f64>` and `ArrayD<f64>`.
//!
//! It prints one line per case, `CASE SECONDS` (`h5/whole_vec 0.000512`),
//! the time of one operation: one whole read, one window, the 100,000
//! goto reads, the 1,000 nearest lookups. Every value read is checked.
//!
//! When the Python that `QND_PYTHON` names (default `python3`) imports
//! h5py, netCDF4 and numpy, each round also runs `benches/reading.py` on
//! the same files, which times what a Python user would write (h5py
//! `ds[:]`, `ds[k]` with the dataset kept, `np.argmin(np.abs(t - x))` on
//! the time array read once per lookup run, then `ds[k]`, and `ds[a:b]`;
//! netCDF4 the same with auto-masking off, so that both sides return plain
//! numbers) and prints `py/h5/whole`, `py/h5/goto_scalar`, `py/h5/nearest`,
//! `py/h5/window` (and `py/nc/...`). The bench then prints the ratios
//! `qnd / py` of every case and `*_vec / *_array`, each with its goal
//! (`<= 1.0` and `<= 1.2`). Without such a Python it says so and prints
//! the `vec / array` ratios only.
//!
//! The cases run in rounds (`QND_BENCH_REPEAT=n`, default 5): each round
//! opens the files, runs every qnd case and then the Python script once,
//! so that a slow spell of the machine touches both sides alike. In a
//! round, a case that takes microseconds (whole, window) is run many
//! times and its median kept; a case's time is the median of its rounds.
//! A round takes about 30 s on a 2-core machine, most of it netCDF4-python's
//! `goto_scalar` (about 0.2 ms a `v[k]`, also on a file netCDF4-python
//! wrote itself); without Python, about 3 s.
//! `QND_BENCH_ONLY=h5/goto` runs only the cases whose name contains that
//! text (and no Python, no ratios), to profile one.
//!
//! `cargo test --benches` runs this too (without `--bench`): then on a
//! small scale (2,000 records, a 100,000-element `x`, 2 rounds), only to
//! check that it works.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use ndarray::{s, Array1, ArrayD};
use qnd::{Mode, OpenOptions, Recording};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// How large the files are and how often each case runs.
#[derive(Clone, Copy, Debug)]
struct Scale {
    /// Records of `time` and `v`.
    records: usize,
    /// Elements of `x`.
    big: usize,
    /// Elements of the window of `x`.
    window: usize,
    /// `goto_nearest` lookups in `nearest`.
    lookups: usize,
    /// Rounds (each opens the files and runs every case).
    rounds: usize,
    /// Runs of a whole read in one round (median kept).
    whole_runs: usize,
    /// Runs of a window read in one round (median kept).
    window_runs: usize,
}

impl Scale {
    fn full(rounds: usize) -> Scale {
        Scale {
            records: 100_000,
            big: 10_000_000,
            window: 1_000,
            lookups: 1_000,
            rounds,
            whole_runs: 21,
            window_runs: 301,
        }
    }

    fn small(rounds: usize) -> Scale {
        Scale {
            records: 2_000,
            big: 100_000,
            window: 1_000,
            lookups: 100,
            rounds,
            whole_runs: 3,
            window_runs: 5,
        }
    }

    /// Where the window starts: the middle of `x`.
    fn window_start(&self) -> usize {
        self.big / 2
    }

    /// The record lookup `i` of `nearest` asks for (spread over the
    /// history, in no order); `reading.py` asks for the same ones.
    fn lookup_record(&self, i: usize) -> usize {
        (i * 7919) % self.records
    }
}

/// The time of record `k`.
fn time_of(k: usize) -> f64 {
    k as f64 * 0.01
}

/// `v` of record `k`: whole numbers, so that any sum of them is exact.
fn v_of(k: usize) -> f64 {
    ((k * 3) % 1001) as f64
}

/// `x[i]`.
fn x_of(i: usize) -> f64 {
    (i % 4093) as f64
}

/// The two formats: the name in case names, the file extension.
const FORMATS: [(&str, &str); 2] = [("h5", "h5"), ("nc", "nc")];

/// Write `records` and `big` of one format with qnd.
fn write_files(records: &Path, big: &Path, scale: Scale) -> Res<()> {
    let f = qnd::open_with(
        records,
        &OpenOptions {
            recording: Recording::Uniform,
            ..OpenOptions::new(Mode::Create)
        },
    )?;
    for k in 0..scale.records {
        f.set("time", time_of(k))?;
        f.set("v", v_of(k))?;
    }
    f.close()?;
    let f = qnd::open(big, "w")?;
    f.set("x", Array1::from_shape_fn(scale.big, x_of))?;
    f.close()?;
    Ok(())
}

/// The median of some times.
fn median(mut secs: Vec<f64>) -> f64 {
    secs.sort_by(f64::total_cmp);
    secs[secs.len() / 2]
}

/// The median of `runs` runs of `f`, each timed alone (the result
/// dropped in the time), in seconds, after one run not counted whose
/// result `check` checks (outside the time).
fn median_of<T>(
    runs: usize,
    mut f: impl FnMut() -> Res<T>,
    check: impl FnOnce(&T) -> Res<()>,
) -> Res<f64> {
    check(&f()?)?;
    let mut secs = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        drop(std::hint::black_box(f()?));
        secs.push(t.elapsed().as_secs_f64());
    }
    Ok(median(secs))
}

/// One run of `f`, in seconds.
fn once(f: impl FnOnce() -> Res<()>) -> Res<f64> {
    let t = Instant::now();
    f()?;
    Ok(t.elapsed().as_secs_f64())
}

fn check(what: &str, ok: bool) -> Res<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("{what}: wrong values read").into())
    }
}

/// The whole `v`, as read: all records, in order.
fn check_whole(v: &[f64], scale: Scale) -> Res<()> {
    check(
        "whole",
        v.len() == scale.records && v.iter().enumerate().all(|(k, &x)| x == v_of(k)),
    )
}

fn check_window(w: &[f64], scale: Scale) -> Res<()> {
    let a = scale.window_start();
    check(
        "window",
        w.len() == scale.window && w.iter().enumerate().all(|(i, &x)| x == x_of(a + i)),
    )
}

/// The qnd cases of one format in one round: case name (without the
/// format) and seconds, for the cases `wanted` picks.
fn qnd_round(
    records: &Path,
    big: &Path,
    scale: Scale,
    wanted: &dyn Fn(&str) -> bool,
) -> Res<Vec<(&'static str, f64)>> {
    let mut out = Vec::new();
    let r = qnd::open(records, "r")?;
    let b = qnd::open(big, "r")?;
    if wanted("whole_vec") {
        out.push((
            "whole_vec",
            median_of(
                scale.whole_runs,
                || Ok(r.read::<Vec<f64>>("v")?),
                |v| check_whole(v, scale),
            )?,
        ));
    }
    if wanted("whole_array") {
        out.push((
            "whole_array",
            median_of(
                scale.whole_runs,
                || Ok(r.read::<ArrayD<f64>>("v")?),
                |v| check_whole(v.as_slice().ok_or("not contiguous")?, scale),
            )?,
        ));
    }
    if wanted("goto_scalar") {
        let expected: f64 = (0..scale.records).map(v_of).sum();
        let mut sum = 0.0;
        let secs = once(|| {
            for _ in r.goto_iter()? {
                sum += r.read::<f64>("v")?;
            }
            Ok(())
        })?;
        check("goto_scalar", sum == expected)?;
        out.push(("goto_scalar", secs));
    }
    if wanted("nearest") {
        // a file just opened: its goto index is built in the time
        let f = qnd::open(records, "r")?;
        let expected: f64 = (0..scale.lookups)
            .map(|i| v_of(scale.lookup_record(i)))
            .sum();
        let mut sum = 0.0;
        let secs = once(|| {
            for i in 0..scale.lookups {
                let k = scale.lookup_record(i);
                // between records, nearest record k
                let t = time_of(k) + 0.003;
                let got = f.goto_nearest("time", t)?;
                if got != k {
                    return Err(format!("goto_nearest {t} gave record {got}, not {k}").into());
                }
                sum += f.read::<f64>("v")?;
            }
            Ok(())
        })?;
        check("nearest", sum == expected)?;
        out.push(("nearest", secs));
    }
    let window = s![scale.window_start()..scale.window_start() + scale.window];
    if wanted("window_vec") {
        out.push((
            "window_vec",
            median_of(
                scale.window_runs,
                || Ok(b.read_part::<Vec<f64>>("x", window)?),
                |w| check_window(w, scale),
            )?,
        ));
    }
    if wanted("window_array") {
        out.push((
            "window_array",
            median_of(
                scale.window_runs,
                || Ok(b.read_part::<ArrayD<f64>>("x", window)?),
                |w| check_window(w.as_slice().ok_or("not contiguous")?, scale),
            )?,
        ));
    }
    Ok(out)
}

/// The Python interpreter `QND_PYTHON` names (default `python3`), if it
/// imports h5py, netCDF4 and numpy; otherwise say why it is skipped.
fn python() -> Option<String> {
    let exe = std::env::var("QND_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&exe)
        .args(["-c", "import h5py, netCDF4, numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(exe)
    } else {
        println!(
            "skipped: the h5py/netCDF4 cases ({exe} with h5py, netCDF4, numpy not found; \
             set QND_PYTHON to one)"
        );
        None
    }
}

/// One round of `reading.py` on the files: `(case, seconds)` as it prints
/// them (`py/h5/whole` ...).
fn python_round(
    exe: &str,
    files: &[(&str, PathBuf, PathBuf)],
    scale: Scale,
) -> Res<Vec<(String, f64)>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reading.py");
    let mut cmd = Command::new(exe);
    cmd.arg(&script);
    for n in [
        scale.records,
        scale.window_start(),
        scale.window,
        scale.lookups,
        scale.whole_runs,
        scale.window_runs,
    ] {
        cmd.arg(n.to_string());
    }
    for (format, records, big) in files {
        cmd.arg(format).arg(records).arg(big);
    }
    let out = cmd.output()?;
    if !out.status.success() {
        return Err(format!(
            "{} failed:\n{}{}",
            script.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    String::from_utf8(out.stdout)?
        .lines()
        .map(|line| {
            let (case, secs) = line
                .split_once(' ')
                .ok_or_else(|| format!("reading.py printed {line:?}"))?;
            Ok((case.to_string(), secs.trim().parse()?))
        })
        .collect()
}

fn main() -> Res<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this
    // too and only wants it to work, on a small scale.
    let bench = std::env::args().any(|a| a == "--bench");
    let rounds = std::env::var("QND_BENCH_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if bench { 5 } else { 2 })
        .max(1);
    let scale = if bench {
        Scale::full(rounds)
    } else {
        Scale::small(rounds)
    };
    let only = std::env::var("QND_BENCH_ONLY").ok();
    let wanted = |name: &str| only.as_deref().is_none_or(|o| name.contains(o));

    let dir = tempfile::tempdir()?;
    let t = Instant::now();
    let mut files = Vec::new();
    for (format, ext) in FORMATS {
        let records = dir.path().join(format!("records.{ext}"));
        let big = dir.path().join(format!("big.{ext}"));
        write_files(&records, &big, scale)?;
        files.push((format, records, big));
    }
    println!(
        "reading: {} records, a {}-element window of {} f8, {} lookups, {} rounds \
         (files written in {:.1} s)",
        scale.records,
        scale.window,
        scale.big,
        scale.lookups,
        scale.rounds,
        t.elapsed().as_secs_f64()
    );
    let py = if only.is_none() { python() } else { None };

    let mut times: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for _ in 0..scale.rounds {
        for (format, records, big) in &files {
            let wanted_here = |case: &str| wanted(&format!("{format}/{case}"));
            for (case, secs) in qnd_round(records, big, scale, &wanted_here)? {
                times
                    .entry(format!("{format}/{case}"))
                    .or_default()
                    .push(secs);
            }
        }
        if let Some(exe) = &py {
            for (case, secs) in python_round(exe, &files, scale)? {
                times.entry(case).or_default().push(secs);
            }
        }
    }
    let times: BTreeMap<String, f64> = times.into_iter().map(|(k, v)| (k, median(v))).collect();
    // qnd's cases first, in the order they run, then Python's
    let order = [
        "whole_vec",
        "whole_array",
        "goto_scalar",
        "nearest",
        "window_vec",
        "window_array",
    ];
    let py_order = ["whole", "goto_scalar", "nearest", "window"];
    for (prefix, cases) in [("", &order[..]), ("py/", &py_order[..])] {
        for (format, _) in FORMATS {
            for case in cases {
                let name = format!("{prefix}{format}/{case}");
                if let Some(secs) = times.get(&name) {
                    println!("{name} {secs:.6}");
                }
            }
        }
    }
    if only.is_some() {
        return Ok(());
    }
    println!("ratios (of medians):");
    let ratio = |a: &str, b: &str, goal: f64| {
        let (Some(ta), Some(tb)) = (times.get(a), times.get(b)) else {
            println!("{a} / {b}: not measured");
            return;
        };
        let r = ta / tb;
        let verdict = if r <= goal { "ok" } else { "MISSED" };
        println!("{a} / {b} {r:.2} (goal <= {goal:.1}: {verdict})");
    };
    for (format, _) in FORMATS {
        if py.is_some() {
            for case in order {
                let theirs = case.trim_end_matches("_vec").trim_end_matches("_array");
                ratio(
                    &format!("{format}/{case}"),
                    &format!("py/{format}/{theirs}"),
                    1.0,
                );
            }
        }
        for case in ["whole", "window"] {
            ratio(
                &format!("{format}/{case}_vec"),
                &format!("{format}/{case}_array"),
                1.2,
            );
        }
    }
    Ok(())
}
