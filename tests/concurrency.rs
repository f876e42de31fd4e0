//! Threads: which types cross threads (checked when this test compiles),
//! and files recorded from several threads at once.

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use std::path::PathBuf;

use ndarray::{Array1, Array2};
use qnd::lazy::{Lazy, VirtualLayout, VirtualSource, VirtualStack};
use qnd::{
    Array, Error, GotoIndex, Item, QAttrs, QGroup, QLeaf, QList, Recording, Selection, Value,
};
#[cfg(feature = "hdf5")]
use {
    qnd::{Mode, NcFormat, OpenOptions},
    std::path::Path,
};

fn send<T: Send>() {}
fn sync<T: Sync>() {}

/// Compile-time checks: a test that builds has passed them. Handles are
/// `Send` (the file is shared behind a lock, and every library call is
/// made under the one HDF5/netCDF lock); `QLeaf` and `QAttrs` are `Sync`
/// too, as are values, lazy arrays and errors. `QGroup`, `QList` and
/// `Item` are not `Sync`: each handle has its own modes (recording, goto,
/// auto) in a `Cell`; clone the handle for another thread.
const _: fn() = || {
    send::<QGroup>();
    send::<QList>();
    send::<QLeaf>();
    send::<QAttrs>();
    send::<Item>();
    send::<Lazy>();
    send::<VirtualSource>();
    send::<VirtualStack>();
    send::<VirtualLayout>();
    send::<Error>();
    send::<Value>();
    send::<Array>();
    send::<Selection>();
    send::<GotoIndex>();
    sync::<QLeaf>();
    sync::<QAttrs>();
    sync::<Lazy>();
    sync::<VirtualSource>();
    sync::<VirtualStack>();
    sync::<VirtualLayout>();
    sync::<Error>();
    sync::<Value>();
    sync::<Array>();
    sync::<Selection>();
    sync::<GotoIndex>();
};

/// Records per thread, and records between flushes.
const RECORDS: usize = 600;
#[cfg(feature = "hdf5")]
const EVERY: usize = 50;

/// Record `k` of writer `w`: `time` = k, `step` = w * 1000000 + k (i32),
/// `u` = 64 values from w * 1000 + k.
fn u(w: usize, k: usize) -> Array1<f64> {
    Array1::from_iter((0..64).map(|i| (w * 1000 + k + i) as f64))
}

/// Record [`RECORDS`] records as writer `w` into a new file at `path`.
#[cfg(feature = "hdf5")]
fn record(w: usize, path: &Path, netcdf: NcFormat) -> qnd::Result<()> {
    let f = qnd::open_with(
        path,
        &OpenOptions {
            netcdf,
            recording: Recording::Uniform,
            ..OpenOptions::new(Mode::Create)
        },
    )?;
    f.set_recording(Recording::Off);
    f.set("writer", w as i32)?;
    f.set_recording(Recording::Uniform);
    for k in 0..RECORDS {
        f.set("time", k as f64)?;
        f.set("step", (w * 1_000_000 + k) as i32)?;
        f.set("u", u(w, k))?;
        if (k + 1) % EVERY == 0 {
            f.flush()?;
        }
    }
    f.close()
}

/// The file of writer `w` holds exactly what it recorded.
#[cfg(feature = "hdf5")]
fn check(w: usize, path: &Path) {
    let f = qnd::open(path, "r").unwrap();
    f.goto_off();
    assert_eq!(f.read::<i32>("writer").unwrap(), w as i32);
    let time: Vec<f64> = f.read("time").unwrap();
    let step: Vec<i32> = f.read("step").unwrap();
    let all: Array2<f64> = f.read("u").unwrap();
    assert_eq!(time.len(), RECORDS, "{}", path.display());
    assert_eq!(all.nrows(), RECORDS);
    for k in 0..RECORDS {
        assert_eq!(time[k], k as f64);
        assert_eq!(step[k], (w * 1_000_000 + k) as i32);
        assert_eq!(all.row(k), u(w, k).view(), "{}: record {k}", path.display());
    }
    f.close().unwrap();
}

/// Files of `formats` (`hdf5`, `netcdf4`, `netcdf3`), one per thread,
/// recorded at once; each then holds what its thread wrote.
#[cfg(feature = "hdf5")]
fn record_at_once(formats: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let jobs: Vec<(usize, PathBuf, NcFormat)> = formats
        .iter()
        .enumerate()
        .map(|(w, &format)| {
            let (ext, nc) = match format {
                "hdf5" => ("h5", NcFormat::default()),
                "netcdf4" => ("nc", NcFormat::default()),
                _ => ("nc", NcFormat::Offset64),
            };
            (w, dir.path().join(format!("{w}-{format}.{ext}")), nc)
        })
        .collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|(w, path, nc)| s.spawn(move || record(*w, path, *nc)))
            .collect();
        for h in handles {
            h.join().expect("no panic").expect("recorded");
        }
    });
    for (w, path, _) in &jobs {
        check(*w, path);
    }
}

#[cfg(feature = "hdf5")]
#[test]
fn two_threads_record_two_hdf5_files() {
    record_at_once(&["hdf5", "hdf5"]);
}

#[cfg(feature = "netcdf")]
#[test]
fn two_threads_record_two_netcdf4_files() {
    record_at_once(&["netcdf4", "netcdf4"]);
}

#[cfg(feature = "netcdf")]
#[test]
fn two_threads_record_two_netcdf3_files() {
    record_at_once(&["netcdf3", "netcdf3"]);
}

#[cfg(feature = "netcdf")]
#[test]
fn threads_record_every_format_at_once() {
    record_at_once(&["hdf5", "netcdf4", "netcdf3", "hdf5", "netcdf4", "netcdf3"]);
}

/// Two threads record into one file through clones of one handle (each
/// with its own modes): every record of both is there.
#[test]
fn two_threads_share_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let hdf5 = cfg!(feature = "hdf5").then(|| dir.path().join("shared.h5"));
    let files: Vec<Option<PathBuf>> = std::iter::once(None).chain(hdf5.map(Some)).collect();
    for path in files {
        let f = match &path {
            Some(p) => qnd::open(p, "w").unwrap(),
            None => qnd::memory(),
        };
        f.create_group("a").unwrap();
        f.create_group("b").unwrap();
        std::thread::scope(|s| {
            for (w, name) in [(0, "a"), (1, "b")] {
                let g = f.group(name).unwrap();
                s.spawn(move || {
                    g.set_recording(Recording::Uniform);
                    for k in 0..RECORDS {
                        g.set("u", u(w, k)).unwrap();
                    }
                });
            }
        });
        f.goto_off();
        for (w, name) in [(0, "a"), (1, "b")] {
            let all: Array2<f64> = f.group(name).unwrap().read("u").unwrap();
            assert_eq!(all.nrows(), RECORDS);
            for k in 0..RECORDS {
                assert_eq!(all.row(k), u(w, k).view());
            }
        }
        f.close().unwrap();
    }
}
