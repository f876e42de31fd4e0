//! Record the history of a small simulation, append to it later, and read
//! it back with goto and goto-by-time. Run with `make demo` or
//! `cargo run --example history [FILE]`.

use ndarray::Array1;
use qnd::{Recording, Result};

/// One step of a toy diffusion: a few scalars and an array per record.
fn step(u: &Array1<f64>) -> Array1<f64> {
    let n = u.len();
    Array1::from_shape_fn(n, |i| {
        let left = u[(i + n - 1) % n];
        let right = u[(i + 1) % n];
        u[i] + 0.25 * (left - 2.0 * u[i] + right)
    })
}

fn run(
    path: &std::path::Path,
    mode: &str,
    steps: std::ops::Range<usize>,
    u: &mut Array1<f64>,
) -> Result<()> {
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
            ("time", qnd::Value::from(time)),
            (
                "energy",
                qnd::Value::from(u.iter().map(|x| x * x).sum::<f64>()),
            ),
            ("step", qnd::Value::from(k as i64)),
            ("u", qnd::Value::from(u.clone())),
        ])?;
        *u = step(u);
    }
    f.close()
}

fn main() -> Result<()> {
    let path = std::env::args().nth(1).map_or_else(
        || std::env::temp_dir().join("qnd-history.h5"),
        std::path::PathBuf::from,
    );
    let mut u = Array1::from_shape_fn(8, |i| if i == 3 { 1.0 } else { 0.0 });

    run(&path, "w", 0..5, &mut u)?;
    println!("wrote 5 records to {}", path.display());
    run(&path, "a", 5..8, &mut u)?;
    println!("reopened in append mode and added 3 records");

    let f = qnd::open(&path, "r")?;
    let times: Vec<f64> = f.list("time")?.as_array()?.read()?;
    println!("{} records, times {:.2?}", times.len(), times);
    println!("title: {}", f.read::<String>("title")?);

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
    let energies: Vec<qnd::Value> = f.read("energy")?;
    println!("goto off: energy is a list of {} records", energies.len());
    Ok(())
}
