//! Files written here read in LLNL's Python qnd to the same tree we read:
//! `../shared/fixtures/qnd_ref.py dump FILE` (Python qnd's `openh5` or
//! `opennc`, read whole with goto off) must print the JSON `qnd::to_json`
//! makes of our own reading. Optional: needs `QND_PYTHONPATH` naming a
//! folder holding LLNL's `qnd/` package (with `qnd/ncf.py`), and a Python
//! (`QND_PYTHON`, default `python3`) with numpy (and h5py for HDF5);
//! otherwise each test prints "skipped: ..." and passes.

mod common;

use std::path::PathBuf;

use common::python::{Python, QndRef};

/// The reference reader, if `QND_PYTHONPATH`, `qnd_ref.py` and the
/// interpreter (able to import `modules`) are all there; it runs with
/// `PYTHONPATH` set to `QND_PYTHONPATH`.
fn python_qnd(modules: &[&str]) -> Option<QndRef> {
    let Some(pythonpath) = std::env::var_os("QND_PYTHONPATH").map(PathBuf::from) else {
        println!("skipped: QND_PYTHONPATH not set (a folder holding LLNL's qnd/ package)");
        return None;
    };
    if !pythonpath.join("qnd").join("ncf.py").is_file() {
        println!(
            "skipped: no qnd/ncf.py in QND_PYTHONPATH={}",
            pythonpath.display()
        );
        return None;
    }
    let script = QndRef::script()?;
    let py = Python::find(modules)?.with_pythonpath(pythonpath);
    Some(QndRef { py, script })
}

#[cfg(feature = "hdf5")]
mod hdf5 {
    use super::*;
    use crate::common::samples::{
        write_list, write_mat_and_cube, write_none_and_empty, write_scalars, write_text, Scalars,
    };
    use ndarray::array;
    use qnd::{Recording, Value};

    /// Every kind of member: scalars of each dtype, arrays, text, bools,
    /// None, a zero-sized array, groups, a list, and record variables.
    #[test]
    fn python_qnd_reads_hdf5_from_qnd() {
        let Some(pq) = python_qnd(&["numpy", "h5py"]) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("for_python_qnd.h5");
        let f = qnd::open(&p, "w").unwrap();
        write_scalars(&f, Scalars::All);
        write_mat_and_cube(&f);
        f.set(
            "odd",
            vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0],
        )
        .unwrap();
        write_text(&f);
        f.set("flag", true).unwrap();
        f.set("flags", vec![true, false, true]).unwrap();
        write_none_and_empty(&f);
        write_list(&f);
        f.create_list("empty_list").unwrap();
        f.set("g", Value::group()).unwrap();
        f.set("g/y", 7i32).unwrap();
        f.set("g/inner", Value::group()).unwrap();
        f.set("g/inner/deep", vec![0i64, 1, 2]).unwrap();
        f.set("empty_group", Value::group()).unwrap();
        f.attrs("").unwrap().set("version", 3i32).unwrap();
        f.attrs("mat").unwrap().set("units", "cm").unwrap();
        {
            let f = f.push();
            f.set_recording(Recording::Uniform);
            for k in 0..3 {
                f.set("time", 0.5 * k as f64).unwrap();
                f.set("u", array![0.0, 1.0, 2.0] * k as f64).unwrap();
            }
            f.set_recording(Recording::Any);
            f.set("mesh", vec![1i32, 2]).unwrap();
            f.set("mesh", array![[1.0, 2.0], [3.0, 4.0]]).unwrap();
            f.set("mesh", "done").unwrap();
        }
        f.close().unwrap();
        pq.assert_same_tree(&p);
    }
}

#[cfg(feature = "netcdf")]
mod netcdf {
    use super::*;
    use crate::common::create_netcdf as create;
    use ndarray::array;
    use qnd::{NcFormat, Recording};
    use std::path::Path;

    /// What netCDF-3 holds: each of its types, arrays, text, and record
    /// variables of scalars, arrays and text.
    fn write_netcdf3(p: &Path, netcdf: NcFormat) {
        let f = create(p, netcdf);
        f.set("x", 3.5).unwrap();
        f.set("n", 7i32).unwrap();
        f.set("s", -300i16).unwrap();
        f.set("b", -3i8).unwrap();
        f.set("h", 1.5f32).unwrap();
        f.set("grid", array![[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
            .unwrap();
        f.set("ints", vec![1i32, -2, 3]).unwrap();
        f.set("name", "qnd").unwrap();
        f.attrs("").unwrap().set("title", "run 1").unwrap();
        f.attrs("x").unwrap().set("units", "cm").unwrap();
        f.set_recording(Recording::Uniform);
        for k in 0..3i32 {
            f.set("t", 0.1 * f64::from(k)).unwrap();
            f.set("y", array![0.0, 1.0, 2.0] + f64::from(k)).unwrap();
            f.set("step", k).unwrap();
        }
        f.close().unwrap();
    }

    /// [`write_netcdf3`] as `name` in `netcdf` reads in Python qnd as here.
    fn python_qnd_reads_netcdf3(netcdf: NcFormat, name: &str) {
        let Some(pq) = python_qnd(&["numpy"]) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        write_netcdf3(&p, netcdf);
        pq.assert_same_tree(&p);
    }

    #[test]
    fn python_qnd_reads_classic_from_qnd() {
        python_qnd_reads_netcdf3(NcFormat::Classic, "classic.nc");
    }

    #[test]
    fn python_qnd_reads_64bit_offset_from_qnd() {
        python_qnd_reads_netcdf3(NcFormat::Offset64, "offset64.nc");
    }
}

/// PDB files qnd writes, and Python qnd's PDB files appended to by qnd,
/// read in Python qnd (`pdb/qnd_ref_pdb.py dump`, its `openpdb`; its
/// reader works on numpy 1 and 2) to the tree we read.
#[cfg(feature = "pdb")]
mod pdb {
    use super::*;
    use crate::common::fixtures;
    use ndarray::array;
    use qnd::{Recording, Value};

    fn python_qnd_pdb() -> Option<QndRef> {
        let pq = python_qnd(&["numpy"])?;
        let script = fixtures::path("pdb/qnd_ref_pdb.py")?;
        Some(QndRef { script, ..pq })
    }

    /// Every kind of member, bool and unsigned included (which qnd names
    /// `bool` and `u...`, so that Python qnd reads them as such), a group,
    /// a list, attributes and record variables.
    #[test]
    fn python_qnd_reads_pdb_from_qnd() {
        let Some(pq) = python_qnd_pdb() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("for_python_qnd.pdb");
        let f = qnd::open(&p, "w").unwrap();
        f.set("i1", -3i8).unwrap();
        f.set("i2", vec![-300i16, 7]).unwrap();
        f.set("i4", 70_000i32).unwrap();
        f.set("i8", vec![1i64 << 40, -1]).unwrap();
        f.set("u1", vec![200u8, 3]).unwrap();
        f.set("u2", 60_000u16).unwrap();
        f.set("u4", vec![4_000_000_000u32]).unwrap();
        f.set("u8", 1u64 << 63).unwrap();
        f.set("f4", 1.5f32).unwrap();
        f.set("mat", array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
            .unwrap();
        f.set("flag", true).unwrap();
        f.set("flags", vec![true, false]).unwrap();
        f.set("text", "données").unwrap();
        f.set("z", qnd::Complex64::new(1.0, -2.0)).unwrap();
        f.set("nothing", Value::None).unwrap();
        f.set("g", Value::group()).unwrap();
        f.set("g/y", 7i32).unwrap();
        let l = f.create_list("lst").unwrap();
        l.append(1.0).unwrap();
        l.append("a").unwrap();
        f.attrs("").unwrap().set("version", 3i32).unwrap();
        f.attrs("mat").unwrap().set("units", "cm").unwrap();
        f.set_recording(Recording::Uniform);
        for k in 0..5 {
            f.set("time", 0.5 * k as f64).unwrap();
            f.set("u", array![0.0, 1.0, 2.0] * k as f64).unwrap();
            if k == 2 {
                f.flush().unwrap();
            }
        }
        f.close().unwrap();
        pq.assert_same_tree(&p);
    }

    /// A history Python qnd wrote, appended to by qnd (more records and a
    /// new variable), still opens in Python qnd, to the tree we read.
    #[test]
    fn python_qnd_reads_its_pdb_appended_to_by_qnd() {
        let Some(pq) = python_qnd_pdb() else {
            return;
        };
        let Some(src) = fixtures::path("pdb/history.pdb") else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("history.pdb");
        std::fs::copy(&src, &p).unwrap();
        let f = qnd::open(&p, "a").unwrap();
        f.set_recording(Recording::Uniform);
        for k in 7..10i32 {
            f.set("time", 0.5 * k as f64).unwrap();
            f.set("energy", 10.0 - k as f64).unwrap();
            f.set("step", k).unwrap();
            f.set("u", array![1.0, 2.0, 3.0] * k as f64).unwrap();
        }
        f.set_recording(Recording::Off);
        f.set("more", vec![1.0, 2.0]).unwrap();
        f.close().unwrap();
        pq.assert_same_tree(&p);
    }
}

/// Without the backends there is nothing to write; the helpers still build.
#[cfg(not(feature = "hdf5"))]
#[test]
fn python_qnd_needs_the_hdf5_backend() {
    println!("skipped: writing files needs the hdf5 feature");
    let null = serde_json::Value::Null;
    assert!(common::fixtures::first_difference(&null, &null, "").is_none());
    let _ = python_qnd;
}
