//! The backend's own tests, on the [`Storage`] trait and the crate's
//! internals (the node table, open objects, raw probes). Tests of qnd's
//! tree over HDF5 files are qnd's (`tests/hdf5_backend.rs`); the storage
//! conformance kit runs in `tests/conformance.rs`.
//!
//! - this module: helpers, lookups, bad files, close-on-exec;
//! - [`fixtures`]: files written by LLNL's Python qnd;
//! - [`round_trip`]: everything this backend writes, read back;
//! - [`foreign`]: files as other tools write them (odd shapes and gaps
//!   are in qnd's `tests/hdf5_backend.rs`, through the storage and the
//!   tree, on one file);
//! - [`hot_path`]: recording opens nothing per record;
//! - [`kept`]: the dataspaces kept between reads, and when they go;
//! - [`links`]: hard, soft and external links, and removal;
//! - [`swmr`]: SWMR writing entered, left and entered again;
//! - [`chunk_cache`]: record datasets cache one chunk;
//! - [`parts`]: parts of distributed arrays in a file of one process.

mod chunk_cache;
mod fixtures;
mod foreign;
mod hot_path;
mod kept;
mod links;
mod parts;
mod round_trip;
mod swmr;

use std::path::{Path, PathBuf};

use ndarray::{ArrayD, IxDyn};

use super::*;

/// A fixture written by LLNL's Python qnd (`shared/fixtures`, next to the
/// workspace), if it is there.
fn fixture(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures")
        .join(name);
    if p.is_file() {
        Some(p)
    } else {
        println!("skipped: no fixture {}", p.display());
        None
    }
}

fn whole(s: &mut Hdf5Storage, id: NodeId) -> Array {
    let info = s.info(id).unwrap();
    let a = s.read(id, &Run::whole(&info.shape)).unwrap();
    assert_eq!(a.shape(), &info.shape[..]);
    a
}

fn path(s: &mut Hdf5Storage, p: &str) -> (NodeId, Kind) {
    let mut at = (s.root(), Kind::Group);
    for part in p.split('/').filter(|x| !x.is_empty()) {
        at = s
            .lookup(at.0, part)
            .unwrap()
            .unwrap_or_else(|| panic!("no {part} in {p}"));
    }
    at
}

/// A deterministic array of any dtype; text of varied UTF-8 lengths.
fn sample(dtype: DType, shape: &[usize], seed: usize) -> Array {
    let n: usize = shape.iter().product();
    let k = (0..n).map(|i| i + seed);
    macro_rules! arr {
        ($v:ident, $f:expr) => {
            Array::$v(ArrayD::from_shape_vec(IxDyn(shape), k.map($f).collect()).unwrap())
        };
    }
    match dtype {
        DType::I8 => arr!(I8, |i| i as i8 - 100),
        DType::I16 => arr!(I16, |i| -(i as i16) * 300),
        DType::I32 => arr!(I32, |i| -(i as i32) * 70000),
        DType::I64 => arr!(I64, |i| -(1i64 << 40) - i as i64),
        DType::U8 => arr!(U8, |i| 200 + i as u8),
        DType::U16 => arr!(U16, |i| 60000 + i as u16),
        DType::U32 => arr!(U32, |i| 4_000_000_000 + i as u32),
        DType::U64 => arr!(U64, |i| u64::MAX - i as u64),
        DType::F32 => arr!(F32, |i| i as f32 * 0.25 - 1.0),
        DType::F64 => arr!(F64, |i| if i == 1 {
            f64::NAN
        } else {
            i as f64 * 0.5 - 3.0
        }),
        DType::C8 => arr!(C8, |i| qnd_storage::Complex::new(
            i as f32 * 0.5,
            -(i as f32)
        )),
        DType::C16 => arr!(C16, |i| qnd_storage::Complex::new(
            i as f64 - 3.0,
            i as f64 * 0.25
        )),
        DType::Bool => arr!(Bool, |i| i % 3 == 0),
        DType::Str => arr!(Str, |i| ["", "a", "héllo", "zz"][i % 4].to_string()),
    }
}

/// Equality with NaN equal to itself.
fn same(a: &Array, b: &Array) -> bool {
    match (a, b) {
        (Array::F64(x), Array::F64(y)) => {
            x.shape() == y.shape()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| p == q || (p.is_nan() && q.is_nan()))
        }
        _ => a == b,
    }
}

fn spec(dtype: DType, shape: &[usize], records: bool) -> LeafSpec {
    LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 6,
    }
}

const SHAPES: [&[usize]; 3] = [&[], &[3], &[2, 3]];

#[test]
fn lookup_is_cached() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cache.h5");
    let mut s = Hdf5Storage::create(&file).unwrap();
    let root = s.root();
    let g = s.create_group(root, "g").unwrap();
    let x = s
        .create_leaf(g, "x", &spec(DType::F64, &[2], false))
        .unwrap();
    assert_eq!(s.lookup(root, "g").unwrap(), Some((g, Kind::Group)));
    assert_eq!(s.lookup(g, "x").unwrap(), Some((x, Kind::Leaf)));
    s.close().unwrap();

    let mut s = Hdf5Storage::open(&file, true).unwrap();
    let root = s.root();
    let a = s.lookup(root, "g").unwrap().unwrap();
    let b = s.lookup(root, "g").unwrap().unwrap();
    assert_eq!(a, b);
    let x1 = s.lookup(a.0, "x").unwrap().unwrap();
    let x2 = s.lookup(a.0, "x").unwrap().unwrap();
    assert_eq!(x1, x2);
    assert_eq!(s.nodes.len(), 3, "nothing reopened");
    // r+ : append to the file
    let y = s
        .create_leaf(a.0, "y", &spec(DType::U8, &[], false))
        .unwrap();
    assert_eq!(s.lookup(a.0, "y").unwrap(), Some((y, Kind::Leaf)));
    assert_eq!(s.names(a.0).unwrap(), ["x", "y"]);
    s.close().unwrap();
}

#[test]
fn bad_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.h5");
    std::fs::write(&file, b"\x89HDF\r\n\x1a\nnot really").unwrap();
    assert!(matches!(
        Hdf5Storage::open(&file, false),
        Err(StorageError::Library(_))
    ));
    assert!(Hdf5Storage::open(&dir.path().join("missing.h5"), false).is_err());
}

/// Files are opened close-on-exec, so a child process never inherits one
/// (and HDF5's lock on it): a Python reader started while another file is
/// open must be able to open a file this process has closed.
#[cfg(unix)]
#[test]
fn files_are_close_on_exec() {
    let dir = tempfile::tempdir().unwrap();
    for writable in [true, false] {
        let file = dir.path().join("cloexec.h5");
        let s = if writable {
            Hdf5Storage::create(&file).unwrap()
        } else {
            Hdf5Storage::open(&file, false).unwrap()
        };
        let f = s.file.as_ref().unwrap();
        let flags = raw::file::descriptor_flags(f).unwrap();
        assert!(flags >= 0 && flags & libc::FD_CLOEXEC != 0, "flags {flags}");
    }
}
