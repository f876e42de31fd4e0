//! Record the history of a small simulation, append to it later, and read
//! it back with goto and goto-by-time: in an HDF5 file and (with the netcdf
//! feature, the default) the same history in a netCDF-4 file. Run with
//! `make demo` or `cargo run --example history [FILE]` (FILE alone when
//! given: `.h5`, `.nc`, ...).

use std::path::{Path, PathBuf};

use ndarray::Array1;
use qnd::{Recording, Result, Value};

/// One step of a toy diffusion: a few scalars and an array per record.
fn step(u: &Array1<f64>) -> Array1<f64> {
    let n = u.len();
    Array1::from_shape_fn(n, |i| {
        let left = u[(i + n - 1) % n];
        let right = u[(i + 1) % n];
        u[i] + 0.25 * (left - 2.0 * u[i] + right)
    })
}

fn run(path: &Path, mode: &str, steps: std::ops::Range<usize>, u: &mut Array1<f64>) -> Result<()> {
    let f = qnd::open(path, mode)?;
    if mode == "w" {
        f.set("nx", u.len() as i64)?;
        f.set("title", "toy diffusion")?;
        f.attrs("")?.set("code", "qnd examples/history.rs")?;
    }
    f.set_recording(Recording::Uniform);
    for k in steps {
        let time = 0.1 * k as f64;
        f.update([
            ("time", Value::from(time)),
            ("energy", Value::from(u.iter().map(|x| x * x).sum::<f64>())),
            ("step", Value::from(k as i64)),
            ("u", Value::from(u.clone())),
        ])?;
        *u = step(u);
    }
    f.close()
}

/// Write, append to and read back the history in `path`; the whole file
/// (goto off) is returned for comparison.
fn history(path: &Path) -> Result<Value> {
    let mut u = Array1::from_shape_fn(8, |i| if i == 3 { 1.0 } else { 0.0 });

    run(path, "w", 0..5, &mut u)?;
    println!("wrote 5 records to {}", path.display());
    run(path, "a", 5..8, &mut u)?;
    println!("reopened in append mode and added 3 records");

    let f = qnd::open(path, "r")?;
    let times: Vec<f64> = f.list("time")?.as_array()?.read()?;
    println!("{} records, times {:.2?}", times.len(), times);
    println!("title: {}", f.read::<String>("title")?);
    let u_all = f.list("u")?.as_array()?;
    let shape = u_all.shape()?;
    let dims: Vec<String> = u_all.sshape()?.into_iter().filter_map(|d| d.name).collect();
    let dims = if dims.is_empty() {
        String::new()
    } else {
        format!(" (dimensions {})", dims.join(", "))
    };
    println!(
        "u: {} records of {} {:?}{dims}",
        shape[0],
        u_all.dtype()?,
        &shape[1..]
    );

    f.goto(-1);
    let last: Vec<f64> = f.read("u")?;
    println!(
        "last record: step {} u = {:.4?}",
        f.read::<i64>("step")?,
        last
    );

    let r = f.goto_nearest("time", 0.33)?;
    println!(
        "nearest time 0.33: record {r}, time {:.2}, energy {:.4}",
        f.read::<f64>("time")?,
        f.read::<f64>("energy")?
    );

    for r in f.goto_iter()? {
        let e: f64 = f.read("energy")?;
        println!("  record {r}: energy {e:.4}");
    }
    assert_eq!(
        f.current_record(),
        Some(r as isize),
        "goto_iter restores goto"
    );

    f.goto_off();
    let energies: Vec<Value> = f.read("energy")?;
    println!("goto off: energy is a list of {} records", energies.len());
    let whole = f.to_value()?;
    f.close()?;
    Ok(whole)
}

/// The files to write when none is given: HDF5, and netCDF-4 when built in.
fn default_paths() -> Vec<PathBuf> {
    let dir = std::env::temp_dir();
    let mut paths = vec![dir.join("qnd-history.h5")];
    if cfg!(feature = "netcdf") {
        paths.push(dir.join("qnd-history.nc"));
    }
    paths
}

fn main() -> Result<()> {
    let paths = match std::env::args().nth(1) {
        Some(p) => vec![PathBuf::from(p)],
        None => default_paths(),
    };
    let mut histories = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        if i > 0 {
            println!();
        }
        histories.push(history(path)?);
    }
    if let [first, rest @ ..] = histories.as_slice() {
        if !rest.is_empty() {
            assert!(rest.iter().all(|h| h == first), "the files differ");
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            println!("\n{} hold the same history", names.join(" and "));
        }
    }
    Ok(())
}
