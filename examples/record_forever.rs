//! Record a history until killed, flushing every N records: the writer of
//! the durability and live-reader tests (`tests/durability.rs`,
//! `tests/live_readers.rs`).
//!
//! `cargo run --example record_forever -- PATH [--every N] [--records M] [--pause MS] [--late K] [--netcdf3]`
//!
//! The format comes from the extension: `.h5` HDF5, `.pdb` PDB, `.nc`
//! netCDF-4, `.nc3` (or `--netcdf3`) netCDF-3 classic. Record `k` holds `time` = k * 0.01
//! (f8), `step` = k (i64; i32 in netCDF-3, which has no 64-bit integers)
//! and `u` = the 100 f8 values k, k+1, ..., k+99. After every N records
//! (default 100) it prints `flushing K` before and `flushed K` after
//! `flush()`, K the number of records written. With `--records M` it stops
//! after M records and closes the file; otherwise it records until killed.
//! With `--pause MS` it sleeps that many milliseconds after each flush (a
//! slow writer, for readers to follow). With `--late K`, records from K on
//! also hold `w` = k (f8): a variable created while recording.

use std::io::Write;
use std::path::PathBuf;

use ndarray::Array1;
use qnd::{Format, Mode, NcFormat, OpenOptions, Recording};

/// The command line.
struct Args {
    path: PathBuf,
    every: usize,
    records: Option<usize>,
    pause: u64,
    late: Option<usize>,
    netcdf3: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: record_forever PATH [--every N] [--records M] [--pause MS] [--late K] [--netcdf3]"
    );
    std::process::exit(2)
}

fn number(v: Option<String>) -> usize {
    match v.and_then(|s| s.parse().ok()) {
        Some(n) if n > 0 => n,
        _ => usage(),
    }
}

fn args() -> Args {
    let mut path = None;
    let mut every = 100;
    let mut records = None;
    let mut pause = 0;
    let mut late = None;
    let mut netcdf3 = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--every" => every = number(it.next()),
            "--records" => records = Some(number(it.next())),
            "--pause" => pause = number(it.next()) as u64,
            "--late" => late = Some(number(it.next())),
            "--netcdf3" => netcdf3 = true,
            _ if path.is_none() && !a.starts_with("--") => path = Some(PathBuf::from(a)),
            _ => usage(),
        }
    }
    let Some(path) = path else { usage() };
    netcdf3 |= path.extension().is_some_and(|e| e == "nc3");
    Args {
        path,
        every,
        records,
        pause,
        late,
        netcdf3,
    }
}

fn main() -> qnd::Result<()> {
    let args = args();
    let mut opts = OpenOptions::new(Mode::Create);
    let ext = |e: &str| !args.netcdf3 && args.path.extension().is_some_and(|x| x == e);
    opts.format = Some(if ext("h5") {
        Format::Hdf5
    } else if ext("pdb") {
        Format::Pdb
    } else {
        Format::NetCdf
    });
    if args.netcdf3 {
        opts.netcdf = NcFormat::Classic;
    }
    let f = qnd::open_with(&args.path, &opts)?;
    f.set_recording(Recording::Uniform);
    let out = std::io::stdout();
    let mut k = 0usize;
    while args.records.is_none_or(|m| k < m) {
        f.set("time", k as f64 * 0.01)?;
        if args.netcdf3 {
            f.set("step", k as i32)?;
        } else {
            f.set("step", k as i64)?;
        }
        f.set("u", Array1::from_shape_fn(100, |i| (k + i) as f64))?;
        if args.late.is_some_and(|late| k >= late) {
            f.set("w", k as f64)?;
        }
        k += 1;
        if k % args.every == 0 {
            let mut o = out.lock();
            // a closed stdout (the reader gone) is no reason to stop
            let _ = writeln!(o, "flushing {k}").and_then(|()| o.flush());
            f.flush()?;
            let _ = writeln!(o, "flushed {k}").and_then(|()| o.flush());
            if args.pause > 0 {
                std::thread::sleep(std::time::Duration::from_millis(args.pause));
            }
        }
    }
    f.close()
}
