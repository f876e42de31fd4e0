//! Peak memory while recording, per format: is it bounded by the record
//! buffer's cap plus a fixed base and a small amount per variable, whatever
//! the length of the history?
//!
//! `cargo run --release --example memory_peak [-- --records N] [--quick] [--many]`
//!
//! Each case runs in a fresh child process (this program again, with
//! `--case`), so that peaks do not mix, and reports the peak resident set
//! (`VmHWM` from `/proc/self/status`, Linux only) once the file is closed:
//!
//! - `100 vars`: 100 f8 scalar variables recorded together for N records
//!   (300,000 by default);
//! - `400 in phases`: 400 f8 scalar variables, recorded 100 at a time in 4
//!   phases of N / 4 records each (each phase adds 100 variables);
//!
//! for HDF5, netCDF-4 and netCDF-3 (classic, 64-bit offsets), with the
//! default record buffer (64 MiB). Each line shows the bound
//! `record_buffer + B + n_vars * P` (B and P below) and whether the peak
//! is within it. Two more cases show where B and P come from: `base`, one
//! variable and one record (the program, the libraries, an open file), and
//! `1000 vars x 100`, 1,000 variables of 100 records, the per-variable
//! cost being the difference divided by 1,000 (the pages each buffer
//! touched included). `--quick` records
//! 3,000 records (for CI). `--many` also times 1,000 scalar variables x
//! 1,000 records per format.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use qnd::{Format, Mode, NcFormat, OpenOptions, Recording};

/// The base: the program, the HDF5 and netCDF libraries and the open file
/// (16-19 MiB measured, the `base` case), what the libraries allocate for
/// writing (type conversion, a batch being compressed), and HDF5's
/// metadata cache, which holds more of the chunk index as the history
/// grows, up to its default maximum of 32 MiB (HDF5 and netCDF-4 files).
const BASE: usize = 48 << 20;
/// Per variable: the library's open dataset with a chunk cache of one
/// chunk (8 KiB for scalars), its metadata, and qnd's node.
const PER_VAR: usize = 64 << 10;

const MIB: f64 = (1 << 20) as f64;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut records = 300_000;
    let mut many = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--case" => {
                let rest: Vec<String> = args.collect();
                return child(&rest);
            }
            "--records" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => records = n,
                None => usage(),
            },
            "--quick" => records = 3_000,
            "--many" => many = true,
            _ => usage(),
        }
    }
    if !Path::new("/proc/self/status").exists() {
        println!("memory_peak: no /proc/self/status (not Linux): nothing to measure");
        return;
    }
    let dir = std::env::temp_dir().join(format!("qnd-memory-peak-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("memory_peak: {}: {e}", dir.display());
        std::process::exit(1);
    }
    let cap = qnd::OpenOptions::new(Mode::Create).record_buffer;
    println!(
        "bound = record_buffer ({} MiB) + B ({} MiB) + n_vars * P ({} KiB); {records} records",
        cap >> 20,
        BASE >> 20,
        PER_VAR >> 10
    );
    let mut all_hold = true;
    for format in ["hdf5", "nc4", "nc3"] {
        let peak = |case: &str, n: usize| {
            let out = run(&dir, &["--case", format, case, &n.to_string()]);
            field(&out, "peak").unwrap_or_else(|| {
                eprintln!("memory_peak: case {format} {case} failed:\n{out}");
                std::process::exit(1)
            })
        };
        let base = peak("base", 1);
        let wide = peak("wide", 100);
        let per_var = wide.saturating_sub(base) / 1000;
        println!(
            "{format:5} base (1 var, 1 record): {:.1} MiB; 1000 vars x 100 records: {:.1} MiB, \
             about {} KiB per variable",
            base as f64 / MIB,
            wide as f64 / MIB,
            per_var >> 10
        );
        all_hold &= base <= BASE && per_var <= PER_VAR;
        for (case, vars) in [("together", 100), ("phases", 400)] {
            let out = run(&dir, &["--case", format, case, &records.to_string()]);
            let Some(peak) = field(&out, "peak") else {
                eprintln!("memory_peak: case {format} {case} failed:\n{out}");
                std::process::exit(1);
            };
            let bound = cap + BASE + vars * PER_VAR;
            let holds = peak <= bound;
            all_hold &= holds;
            println!(
                "{format:5} {vars:3} vars {:12}: peak {:7.1} MiB, bound {:6.1} MiB: {}",
                if case == "together" {
                    "together"
                } else {
                    "in 4 phases"
                },
                peak as f64 / MIB,
                bound as f64 / MIB,
                if holds { "holds" } else { "EXCEEDED" }
            );
        }
    }
    if many {
        for format in ["hdf5", "nc4", "nc3"] {
            let out = run(&dir, &["--case", format, "many", "1000"]);
            match field(&out, "micros") {
                Some(us) => println!(
                    "{format:5} 1000 scalar vars x 1000 records: {:.2} s",
                    us as f64 / 1e6
                ),
                None => {
                    eprintln!("memory_peak: case {format} many failed:\n{out}");
                    std::process::exit(1);
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if !all_hold {
        std::process::exit(1);
    }
}

fn usage() -> ! {
    eprintln!("usage: memory_peak [--records N] [--quick] [--many]");
    std::process::exit(2)
}

/// Run this program with `args`; its output (stdout and stderr).
fn run(dir: &Path, args: &[&str]) -> String {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("memory_peak: {e}");
            std::process::exit(1)
        }
    };
    match Command::new(exe).args(args).current_dir(dir).output() {
        Ok(o) => {
            let mut s = String::from_utf8_lossy(&o.stdout).into_owned();
            s.push_str(&String::from_utf8_lossy(&o.stderr));
            s
        }
        Err(e) => format!("cannot run: {e}"),
    }
}

/// The number after `name=` in `out`.
fn field(out: &str, name: &str) -> Option<usize> {
    out.split_whitespace()
        .find_map(|w| w.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
}

/// `VmHWM` of this process, in bytes.
fn peak_rss() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib << 10)
}

/// A child: record one case and print `peak=BYTES` (and `micros=` for
/// `many`).
fn child(args: &[String]) {
    let [format, case, records] = args else {
        usage()
    };
    let Ok(records) = records.parse::<usize>() else {
        usage()
    };
    let (path, fmt, nc) = match format.as_str() {
        "hdf5" => ("peak.h5", Format::Hdf5, NcFormat::default()),
        "nc4" => ("peak.nc", Format::NetCdf, NcFormat::default()),
        "nc3" => ("peak3.nc", Format::NetCdf, NcFormat::Offset64),
        _ => usage(),
    };
    let path = PathBuf::from(path);
    let t = Instant::now();
    let recorded = match case.as_str() {
        "together" => record(&path, fmt, nc, &[(0, 100, records)]),
        "phases" => {
            let n = records / 4;
            record(
                &path,
                fmt,
                nc,
                &[(0, 100, n), (100, 100, n), (200, 100, n), (300, 100, n)],
            )
        }
        "many" | "wide" => record(&path, fmt, nc, &[(0, 1000, records)]),
        "base" => record(&path, fmt, nc, &[(0, 1, records)]),
        _ => usage(),
    };
    let micros = t.elapsed().as_micros();
    if let Err(e) = recorded {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    let _ = std::fs::remove_file(&path);
    match peak_rss() {
        Some(peak) => println!("peak={peak} micros={micros}"),
        None => std::process::exit(1),
    }
}

/// Record phases `(first variable, variables, records)` of f8 scalars
/// into a new file at `path`: in each phase, every record sets each of
/// its variables once.
fn record(
    path: &Path,
    format: Format,
    nc: NcFormat,
    phases: &[(usize, usize, usize)],
) -> qnd::Result<()> {
    let mut opts = OpenOptions::new(Mode::Create);
    opts.format = Some(format);
    opts.netcdf = nc;
    let f = qnd::open_with(path, &opts)?;
    f.set_recording(Recording::Uniform);
    let names: Vec<String> = (0..phases.iter().map(|p| p.0 + p.1).max().unwrap_or(0))
        .map(|k| format!("v{k}"))
        .collect();
    for &(first, vars, n) in phases {
        for k in 0..n {
            for name in &names[first..first + vars] {
                f.set(name, k as f64)?;
            }
        }
    }
    f.close()
}
