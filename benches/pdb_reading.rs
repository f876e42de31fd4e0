//! Reading PDB files: at the speed of the disk, and goto as fast as HDF5.
//!
//! `cargo bench --bench pdb_reading` writes, in a temporary folder, with
//! qnd into HDF5 and then as a PDB snapshot of the same tree
//! (`qnd_pdb::snapshot::write`):
//!
//! - `big`: one f8 leaf `x` of 10,000,000 elements (80 MB);
//! - `records`: 100,000 records of two f8 scalars, `time` (record `k` at
//!   `k * 0.01`) and `v`.
//!
//! and times, with the files already open (the page cache warm: the bytes
//! come from memory on both sides, so the comparison is of the work done
//! around them):
//!
//! - `pdb/whole_x`: `read::<ArrayD<f64>>("x")` of the PDB file, against
//!   `fs/whole_x`: the same 80 MB read with `std::fs` (`read_exact_at`
//!   into a buffer allocated for it), goal `pdb / fs <= 1.2`;
//! - `pdb/goto_scalar` and `h5/goto_scalar`: `goto_iter` over the 100,000
//!   records, one `read::<f64>("v")` each, goal `pdb / h5 <= 1.5`;
//! - `pdb/nearest` and `h5/nearest`: 1,000 `goto_nearest("time", t)` plus a
//!   `read::<f64>("v")` each, on a file just opened, goal `pdb / h5 <= 1.5`.
//!
//! Each case runs in rounds (`QND_BENCH_REPEAT=n`, default 7) that go round
//! all cases, so that a slow spell touches every side alike; a case's time
//! is the median of its rounds. Every value read is checked.
//!
//! `cargo test --benches` runs it small (100,000 elements, 2,000 records,
//! 2 rounds), only to check that it works.

use std::collections::BTreeMap;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::Instant;

use ndarray::ArrayD;
use qnd::{QGroup, Recording};

struct Scale {
    elements: usize,
    records: usize,
    rounds: usize,
}

fn scale() -> Scale {
    let bench = std::env::args().any(|a| a == "--bench");
    let rounds = std::env::var("QND_BENCH_REPEAT")
        .ok()
        .and_then(|r| r.parse().ok());
    if bench {
        Scale {
            elements: 10_000_000,
            records: 100_000,
            rounds: rounds.unwrap_or(7),
        }
    } else {
        Scale {
            elements: 100_000,
            records: 2_000,
            rounds: rounds.unwrap_or(2),
        }
    }
}

fn x_value(i: usize) -> f64 {
    (i as f64 * 0.37).sin()
}

fn v_value(k: usize) -> f64 {
    k as f64 * 0.5 - 3.0
}

/// Write `big.h5` and `records.h5` with qnd, and their PDB snapshots.
fn write_files(dir: &Path, s: &Scale) {
    let f = qnd::open(dir.join("big.h5"), "w").unwrap();
    let x: Vec<f64> = (0..s.elements).map(x_value).collect();
    f.set("x", x).unwrap();
    f.close().unwrap();
    let f = qnd::open(dir.join("records.h5"), "w").unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..s.records {
        f.set("time", k as f64 * 0.01).unwrap();
        f.set("v", v_value(k)).unwrap();
    }
    f.close().unwrap();
    for name in ["big", "records"] {
        let h5 = dir.join(format!("{name}.h5"));
        let mut src = qnd_hdf5::Hdf5Storage::open(&h5, false).unwrap();
        let pdb = dir.join(format!("{name}.pdb"));
        qnd_pdb::snapshot::write(&mut src, &pdb, qnd_pdb::snapshot::ByteOrder::Little).unwrap();
    }
}

/// The byte offset of `x`'s data in `big.pdb`: the 80 MB before the
/// metadata at the end, after the 128-byte header.
fn whole_x_fs(path: &Path, n: usize) -> Vec<u8> {
    let file = std::fs::File::open(path).unwrap();
    let mut buf = vec![0u8; n * 8];
    file.read_exact_at(&mut buf, 128).unwrap();
    buf
}

fn whole_x_pdb(f: &QGroup, n: usize) {
    let x: ArrayD<f64> = f.read("x").unwrap();
    assert_eq!(x.len(), n);
    assert_eq!(x[[n - 1]], x_value(n - 1));
}

fn goto_scalar(f: &QGroup, records: usize) {
    let mut k = 0;
    for _ in f.goto_iter().unwrap() {
        let v: f64 = f.read("v").unwrap();
        assert_eq!(v, v_value(k));
        k += 1;
    }
    assert_eq!(k, records);
}

fn nearest(path: &Path, records: usize) {
    let f = qnd::open(path, "r").unwrap();
    for i in 0..1000 {
        let k = (i * 7919) % records;
        let got = f.goto_nearest("time", k as f64 * 0.01 + 0.001).unwrap();
        assert_eq!(got, k);
        let v: f64 = f.read("v").unwrap();
        assert_eq!(v, v_value(k));
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

fn main() {
    let s = scale();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_files(dir, &s);
    let mut times: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for _ in 0..s.rounds {
        let big = qnd::open(dir.join("big.pdb"), "r").unwrap();
        times
            .entry("pdb/whole_x")
            .or_default()
            .push(time(|| whole_x_pdb(&big, s.elements)));
        times
            .entry("pdb_storage/whole_x")
            .or_default()
            .push(time(|| {
                use qnd::backend::{Run, Storage};
                let mut st = qnd_pdb::PdbStorage::open(&dir.join("big.pdb")).unwrap();
                let root = st.root();
                let (x, _) = st.lookup(root, "x").unwrap().unwrap();
                let a = st.read(x, &[Run::new(0, s.elements, 1)]).unwrap();
                assert_eq!(a.size(), s.elements);
            }));
        times.entry("fs/whole_x").or_default().push(time(|| {
            let b = whole_x_fs(&dir.join("big.pdb"), s.elements);
            assert_eq!(b.len(), s.elements * 8);
        }));
        for ext in ["pdb", "h5"] {
            let f = qnd::open(dir.join(format!("records.{ext}")), "r").unwrap();
            let name: &'static str = if ext == "pdb" {
                "pdb/goto_scalar"
            } else {
                "h5/goto_scalar"
            };
            times
                .entry(name)
                .or_default()
                .push(time(|| goto_scalar(&f, s.records)));
            f.close().unwrap();
            let name: &'static str = if ext == "pdb" {
                "pdb/nearest"
            } else {
                "h5/nearest"
            };
            let path = dir.join(format!("records.{ext}"));
            times
                .entry(name)
                .or_default()
                .push(time(|| nearest(&path, s.records)));
        }
    }
    let mut m = BTreeMap::new();
    for (name, mut v) in times {
        let med = median(&mut v);
        println!("{name} {med:.6}");
        m.insert(name, med);
    }
    for (a, b, goal) in [
        ("pdb/whole_x", "fs/whole_x", 1.2),
        ("pdb/goto_scalar", "h5/goto_scalar", 1.5),
        ("pdb/nearest", "h5/nearest", 1.5),
    ] {
        println!("{a} / {b} {:.2} (goal <= {goal})", m[a] / m[b]);
    }
}
