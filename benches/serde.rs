//! What serde costs over building values by hand.
//!
//! `cargo bench --bench serde` times (best of 5):
//! - `qnd::to_value` of a `Vec<f64>` of 1e6 elements against
//!   `Value::from(vec)`, and `qnd::from_value::<Vec<f64>>` against
//!   `Value::convert::<Vec<f64>>`;
//! - recording 1000 records of a struct of 5 fields (two nested) with
//!   `set_serde`, against the same `set` calls by hand, in memory and to
//!   an HDF5 file in `QND_BENCH_DIR` (default: the system's temporary
//!   directory).

use std::time::Instant;

use qnd::{QGroup, Recording, Value};
use serde::{Deserialize, Serialize};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

#[derive(Serialize, Deserialize)]
struct Sub {
    e: f64,
    n: i32,
}

#[derive(Serialize, Deserialize)]
struct State {
    t: f64,
    step: i64,
    u: Vec<f64>,
    sub: Sub,
}

fn state(k: usize) -> State {
    State {
        t: k as f64 * 0.01,
        step: k as i64,
        u: (k..k + 100).map(|v| v as f64).collect(),
        sub: Sub {
            e: 1.0 / (1.0 + k as f64),
            n: k as i32,
        },
    }
}

const RECORDS: usize = 1000;

/// Seconds of the fastest of 5 runs of `f`.
fn best(mut f: impl FnMut() -> Res<()>) -> Res<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        f()?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(best)
}

fn record_serde(f: &QGroup) -> Res<()> {
    f.set_recording(Recording::Uniform);
    for k in 0..RECORDS {
        f.set_serde("state", &state(k))?;
    }
    f.flush()?;
    Ok(())
}

fn record_by_hand(f: &QGroup) -> Res<()> {
    f.create_group("state")?;
    f.create_group("state/sub")?;
    f.set_recording(Recording::Uniform);
    for k in 0..RECORDS {
        let s = state(k);
        f.set("state/t", s.t)?;
        f.set("state/step", s.step)?;
        f.set("state/u", s.u)?;
        f.set("state/sub/e", s.sub.e)?;
        f.set("state/sub/n", s.sub.n)?;
    }
    f.flush()?;
    Ok(())
}

fn main() -> Res<()> {
    let v: Vec<f64> = (0..1_000_000).map(|i| i as f64).collect();
    let ser = best(|| {
        std::hint::black_box(qnd::to_value(&v)?);
        Ok(())
    })?;
    let direct = best(|| {
        std::hint::black_box(Value::from(v.clone()));
        Ok(())
    })?;
    println!(
        "to_value(Vec<f64> of 1e6):          {:8.2} ms   (Value::from(vec.clone()): {:.2} ms)",
        ser * 1e3,
        direct * 1e3
    );
    let value = Value::from(v.clone());
    let de = best(|| {
        std::hint::black_box(qnd::from_value::<Vec<f64>>(value.clone())?);
        Ok(())
    })?;
    let conv = best(|| {
        std::hint::black_box(value.clone().convert::<Vec<f64>>()?);
        Ok(())
    })?;
    println!(
        "from_value::<Vec<f64>> of 1e6:      {:8.2} ms   (convert, clone included: {:.2} ms)",
        de * 1e3,
        conv * 1e3
    );

    let base = std::env::var_os("QND_BENCH_DIR")
        .map(Into::into)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base)?;
    let mut n = 0;
    let mut file = || -> Res<QGroup> {
        n += 1;
        Ok(qnd::open(dir.path().join(format!("s{n}.h5")), "w")?)
    };
    for (name, serde) in [("set_serde", true), ("set by hand", false)] {
        let run = |f: QGroup| -> Res<()> {
            if serde {
                record_serde(&f)
            } else {
                record_by_hand(&f)
            }
        };
        let mem = best(|| run(qnd::memory()))?;
        let mut files = Vec::new();
        for _ in 0..5 {
            files.push(file()?);
        }
        let mut files = files.into_iter();
        let h5 = best(|| run(files.next().ok_or("no file")?))?;
        println!(
            "{RECORDS} records of a 5-field struct, {name:11}: memory {:6.2} us/record, HDF5 {:6.2} us/record",
            mem / RECORDS as f64 * 1e6,
            h5 / RECORDS as f64 * 1e6
        );
    }
    Ok(())
}
