//! Structs through serde against h5py (optional: skipped without a
//! Python that imports h5py and numpy; `QND_PYTHON` names it).
//!
//! A test binary of its own: spawning a process copies this process's
//! descriptors into the child until it runs its program, and qnd's writer
//! lock (an open-file-description lock) lives as long as any copy of its
//! descriptor, so a file another test thread has just closed could look
//! still written to its next open; tests/serde.rs reopens files all the
//! time.
#![cfg(feature = "serde")]

use serde::{Deserialize, Serialize};

mod common;

use common::{FileMaker, Maker};

/// One test of this binary at a time: each may start a process (see the
/// top of this file).
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Mesh {
    nx: u32,
    x: Vec<f64>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Scheme {
    Upwind,
    Theta(f64),
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Params {
    dt: f64,
    steps: i32,
    level: u8,
    u: Vec<f64>,
    grid: Vec<Vec<f64>>,
    mesh: Mesh,
    newtype: Scheme,
    unit: Scheme,
}

fn params() -> Params {
    Params {
        dt: 0.25,
        steps: -7,
        level: 200,
        u: vec![1.0, 2.5, -3.0],
        grid: vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]],
        mesh: Mesh {
            nx: 3,
            x: vec![0.0, 0.5, 1.0],
        },
        newtype: Scheme::Theta(0.5),
        unit: Scheme::Upwind,
    }
}

/// A struct written here is plain datasets to h5py (each field of its
/// Rust type); a group h5py writes (int64 and float64, as numpy does)
/// reads into a struct of narrower types. Skipped without h5py.
#[test]
fn h5py_sees_fields_as_datasets_and_writes_structs_we_read() {
    let _serial = serial();
    let Some(py) = common::python::Python::find(&["h5py", "numpy"]) else {
        return;
    };
    let m = FileMaker::new("hdf5", "h5");
    let f = m.create();
    let p = params();
    f.set_serde("params", &p).unwrap();
    let path = f.file_path();
    f.close().unwrap();
    let out = py.run(
        r#"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    g = f["params"]
    for name in ["dt", "steps", "level", "u", "grid", "mesh/nx", "newtype/Theta"]:
        d = g[name]
        print(name, d.dtype.str[1:], list(d.shape))
    print("mesh/x", g["mesh/x"][()].tolist())
    unit = g["unit"][()]
    print("unit", unit.decode() if isinstance(unit, bytes) else unit)
"#,
        &[&path],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "dt f8 []",
            "steps i4 []",
            "level u1 []",
            "u f8 [3]",
            "grid f8 [3, 2]",
            "mesh/nx u4 []",
            "newtype/Theta f8 []",
            "mesh/x [0.0, 0.5, 1.0]",
            "unit Upwind",
        ],
        "{out}"
    );

    let theirs = m.new_path();
    py.run(
        r#"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    g = f.create_group("mesh")
    g["nx"] = np.int64(7)
    g["x"] = np.arange(3.0)
"#,
        &[&theirs],
    );
    let g = qnd::open(&theirs, "r").unwrap();
    assert_eq!(
        g.read_serde::<Mesh>("mesh").unwrap(),
        Mesh {
            nx: 7,
            x: vec![0.0, 1.0, 2.0]
        }
    );
}

/// A recorded unit-enum field is a text record variable with room to
/// grow: h5py reads it as fixed-width bytes (`S32`), one per record, the
/// variant changing from record to record. Skipped without h5py.
#[test]
fn h5py_reads_a_recorded_enum_field() {
    let _serial = serial();
    let Some(py) = common::python::Python::find(&["h5py", "numpy"]) else {
        return;
    };
    #[derive(Serialize)]
    enum Phase {
        A,
        Bbbbb,
    }
    #[derive(Serialize)]
    struct Phased {
        t: f64,
        phase: Phase,
    }
    let m = FileMaker::new("hdf5", "h5");
    let f = m.create();
    f.set_recording(qnd::Recording::Uniform);
    for (k, phase) in [Phase::A, Phase::Bbbbb, Phase::A].into_iter().enumerate() {
        f.set_serde("s", &Phased { t: k as f64, phase }).unwrap();
    }
    let path = f.file_path();
    f.close().unwrap();
    let out = py.run(
        r#"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    d = f["s/phase"]
    print(d.dtype.str[1:], list(d.shape), [x.decode() for x in d[()]])
"#,
        &[&path],
    );
    assert_eq!(out.trim(), "S32 [3] ['A', 'Bbbbb', 'A']", "{out}");
}
