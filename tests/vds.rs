//! HDF5 virtual datasets: `Storage::create_virtual` through
//! `QGroup::store` / `store_virtual` (several files, the same file stored
//! as `.`, moving the files), the checks that make a missing source an
//! error instead of fill values, h5py reading the result (optional, when
//! `QND_PYTHON` or `python3` has h5py), and `store_copy` of lazy arrays
//! block by block on HDF5 and in memory.
#![cfg(feature = "hdf5")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use common::python::Python;
use ndarray::{array, s, Array1, Array2, ArrayD, IxDyn};
use qnd::backend::{Run, VirtualMap};
use qnd::lazy::{Lazy, LazyArray, LazyExt, VirtualLayout, VirtualSource, VirtualStack};
use qnd::selection::Region;
use qnd::{Array, DType, Error, Kind, QGroup, QLeaf, Result};
use qnd_hdf5::hdf5;

/// Three source files `a.h5`, `b.h5`, `c.h5` in `dir`, each with `/x`
/// (i32, 2, 3 and 1 rows of 3), and their concatenation.
fn three_sources(dir: &Path) -> (Vec<PathBuf>, Array2<i32>) {
    let parts = [
        array![[0, 1, 2], [3, 4, 5]],
        array![[10, 11, 12], [13, 14, 15], [16, 17, 18]],
        array![[20, 21, 22]],
    ];
    let mut files = Vec::new();
    for (name, part) in ["a.h5", "b.h5", "c.h5"].iter().zip(&parts) {
        let path = dir.join(name);
        let f = qnd::open(&path, "w").unwrap();
        f.set("x", part.clone()).unwrap();
        f.close().unwrap();
        files.push(path);
    }
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    (
        files,
        ndarray::concatenate(ndarray::Axis(0), &views).unwrap(),
    )
}

/// Dataset `dataset` of `file` as a lazy array.
fn source(file: &Path, dataset: &str) -> Lazy {
    Lazy::new(VirtualSource::new(file, dataset).unwrap())
}

fn stack_of(files: &[PathBuf], path: &str, axis: isize) -> Lazy {
    let sources = files.iter().map(|f| source(f, path));
    Lazy::new(VirtualStack::new(sources, axis).unwrap())
}

/// A new file `out` with `/p` = [1, 2] and `/q` = [3, 4, 5] (f64), and a
/// stack of both as `out` names them (the `p` and `q` given: with or without
/// the leading `/`).
fn p_and_q(out: &Path, [p, q]: [&str; 2]) -> Lazy {
    let f = qnd::open(out, "w").unwrap();
    f.set("p", array![1.0, 2.0]).unwrap();
    f.set("q", array![3.0, 4.0, 5.0]).unwrap();
    f.close().unwrap();
    Lazy::new(VirtualStack::new([source(out, p), source(out, q)], 0).unwrap())
}

/// The stored source file names of virtual dataset `name` (raw HDF5: the
/// hdf5 crate's `virtual_map` refuses hyperslabs of stride 1).
fn stored_files(file: &Path, name: &str) -> Vec<String> {
    use qnd_hdf5::hdf5_sys::h5p::{H5Pget_virtual_count, H5Pget_virtual_filename};
    let f = hdf5::File::open(file).unwrap();
    let ds = f.dataset(name).unwrap();
    assert_eq!(ds.layout(), hdf5::dataset::Layout::Virtual, "{name}");
    let dcpl = ds.dcpl().unwrap();
    let names = hdf5::sync::sync(|| unsafe {
        let mut n = 0;
        assert!(H5Pget_virtual_count(dcpl.id(), &mut n) >= 0);
        (0..n)
            .map(|i| {
                let mut buf = vec![0u8; 4096];
                let len = H5Pget_virtual_filename(dcpl.id(), i, buf.as_mut_ptr().cast(), buf.len());
                assert!(len >= 0);
                buf.truncate(len as usize);
                String::from_utf8(buf).unwrap()
            })
            .collect()
    });
    drop(dcpl);
    drop(ds);
    f.close().unwrap();
    names
}

fn invalid_reason(e: &Error) -> String {
    match e {
        Error::Invalid { reason, .. } => reason.clone(),
        other => panic!("expected Error::Invalid, got {other:?}"),
    }
}

/// `e` is [`Error::Invalid`] with a reason holding each of `words`.
#[track_caller]
fn assert_invalid(e: &Error, words: &[&str]) {
    let reason = invalid_reason(e);
    for word in words {
        assert!(reason.contains(word), "{word:?} not in {reason}");
    }
}

/// Reading all of `v` in `f` fails: [`assert_invalid`] with `words`.
#[track_caller]
fn assert_v_invalid(f: &QGroup, words: &[&str]) -> Error {
    let e = f.read::<Array2<i32>>("v").unwrap_err();
    assert_invalid(&e, words);
    e
}

/// These tests run one at a time: HDF5 opens the sources of a virtual
/// dataset itself, without close-on-exec, so the Python child one test
/// starts would inherit (and keep locked) files another test has open.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where most tests start, under the lock of [`serial`]: the
/// [`three_sources`] in a temporary folder, and the path of a file
/// `out.h5` there (not created).
struct Setup {
    dir: tempfile::TempDir,
    files: Vec<PathBuf>,
    whole: Array2<i32>,
    out: PathBuf,
    _serial: MutexGuard<'static, ()>,
}

fn setup() -> Setup {
    let serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let (files, whole) = three_sources(dir.path());
    let out = dir.path().join("out.h5");
    Setup {
        dir,
        files,
        whole,
        out,
        _serial: serial,
    }
}

/// [`setup`], and `out.h5` created (open for writing).
fn setup_open() -> (Setup, QGroup) {
    let s = setup();
    let f = qnd::open(&s.out, "w").unwrap();
    (s, f)
}

/// [`setup_open`], and the stack of the three sources stored as `v` in
/// `out.h5`: the open file and the stored leaf.
fn setup_stored() -> (Setup, QGroup, QLeaf) {
    let (s, f) = setup_open();
    let leaf = f.store("v", &stack_of(&s.files, "/x", 0)).unwrap();
    (s, f, leaf)
}

#[test]
fn virtual_stack_of_several_files() {
    let (s, f, leaf) = setup_stored();
    let whole = &s.whole;
    assert_eq!(leaf.shape().unwrap(), vec![6, 3]);
    assert_eq!(leaf.dtype().unwrap(), DType::I32);
    // readable in the session that made it (sources opened read-write)
    let got: Array2<i32> = leaf.read().unwrap();
    assert_eq!(&got, whole);
    f.close().unwrap();

    // the stored names are the absolute paths, no data was copied
    let stored = stored_files(&s.out, "v");
    assert_eq!(stored.len(), 3);
    for (name, f) in stored.iter().zip(&s.files) {
        assert_eq!(Path::new(name), std::path::absolute(f).unwrap());
    }
    let size = std::fs::metadata(&s.out).unwrap().len();
    assert!(size < 20_000, "{size} bytes");

    // an ordinary leaf when read back: whole, in parts, across sources
    let f = qnd::open(&s.out, "r").unwrap();
    assert_eq!(f.kind("v").unwrap(), Kind::Leaf);
    let got: Array2<i32> = f.read("v").unwrap();
    assert_eq!(&got, whole);
    let leaf = f.leaf("v").unwrap();
    let part: Array2<i32> = leaf.read_part(s![1..4, 1..]).unwrap();
    assert_eq!(part, whole.slice(s![1..4, 1..]));
    let steps: Array2<i32> = leaf.read_part(s![..;-2, ..;2]).unwrap();
    assert_eq!(steps, whole.slice(s![..;-2, ..;2]));
    let col: Array1<i32> = leaf.read_part(s![.., -1]).unwrap();
    assert_eq!(col, whole.column(2));
}

#[test]
fn stack_along_the_last_axis_and_a_layout() {
    let (s, f) = setup_open();
    let (files, whole) = (&s.files, &s.whole);
    // columns of a and b side by side: [2, 3] and [2, 3] (rows 0..2 of b)
    let a = source(&files[0], "/x");
    let b = source(&files[1], "/x").select(s![..2, ..]).unwrap();
    let side = VirtualStack::new([a, b], -1).unwrap();
    f.store("side", &side).unwrap();
    let got: Array2<i32> = f.read("side").unwrap();
    let want = ndarray::concatenate(
        ndarray::Axis(1),
        &[whole.slice(s![0..2, ..]), whole.slice(s![2..4, ..])],
    )
    .unwrap();
    assert_eq!(got, want);

    // a layout with a gap (zeros) and a strided placement
    let mut layout = VirtualLayout::new(&[3, 6], DType::I32);
    layout
        .place(
            s![0, ..3],
            source(&files[2], "/x").select(s![0, ..]).unwrap(),
        )
        .unwrap();
    layout
        .place(s![1..3, ..;2], source(&files[0], "/x"))
        .unwrap();
    let layout = Lazy::new(layout);
    let expect: Array2<i32> = layout.read().unwrap();
    f.store("layout", &layout).unwrap();
    let got: Array2<i32> = f.read("layout").unwrap();
    assert_eq!(got, expect);
    assert_eq!(got.row(0).to_vec(), [20, 21, 22, 0, 0, 0]);
    f.close().unwrap();
    assert_eq!(stored_files(&s.out, "layout").len(), 2);
}

#[test]
fn same_file_sources_are_stored_as_dot_and_the_files_move() {
    let _serial = serial();
    let top = tempfile::tempdir().unwrap();
    let dir1 = top.path().join("one");
    std::fs::create_dir(&dir1).unwrap();
    let (files, whole) = three_sources(&dir1);
    let out = dir1.join("out.h5");
    // a stack of two datasets of out.h5 itself, and one of the three files
    let pq = p_and_q(&out, ["/p", "q"]);
    let f = qnd::open(&out, "a").unwrap();
    f.store("pq", &pq).unwrap();
    f.store("abc", &stack_of(&files, "/x", 0)).unwrap();
    let got: Vec<f64> = f.read("pq").unwrap();
    assert_eq!(got, [1.0, 2.0, 3.0, 4.0, 5.0]);
    f.close().unwrap();
    assert_eq!(stored_files(&out, "pq"), [".", "."]);

    // a relative name (to the working directory) is this file too
    let here = std::env::current_dir().unwrap();
    let rel = pathdiff(&out, &here);
    let f = qnd::open(&out, "a").unwrap();
    f.store("p2", &VirtualSource::new(&rel, "/p").unwrap())
        .unwrap();
    f.close().unwrap();
    assert_eq!(stored_files(&out, "p2"), ["."]);

    // move the folder: the old paths are gone, HDF5 finds the sources next
    // to the file, and "." is the file wherever it is
    let dir2 = top.path().join("two");
    std::fs::rename(&dir1, &dir2).unwrap();
    let moved = dir2.join("out.h5");
    let f = qnd::open(&moved, "r").unwrap();
    let got: Vec<f64> = f.read("pq").unwrap();
    assert_eq!(got, [1.0, 2.0, 3.0, 4.0, 5.0]);
    let got: Array2<i32> = f.read("abc").unwrap();
    assert_eq!(got, whole);
    f.close().unwrap();

    // a copy elsewhere with only out.h5: "." still reads, the others are
    // missing and say so
    let dir3 = top.path().join("three");
    std::fs::create_dir(&dir3).unwrap();
    std::fs::copy(&moved, dir3.join("out.h5")).unwrap();
    let f = qnd::open(dir3.join("out.h5"), "r").unwrap();
    let got: Vec<f64> = f.read("pq").unwrap();
    assert_eq!(got, [1.0, 2.0, 3.0, 4.0, 5.0]);
    let e = f.read::<Array2<i32>>("abc").unwrap_err();
    assert_invalid(&e, &["a.h5", "missing"]);
}

/// `path` relative to `base` (both absolute), with `..` as needed.
fn pathdiff(path: &Path, base: &Path) -> PathBuf {
    let path: Vec<_> = path.components().collect();
    let base: Vec<_> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for c in &path[common..] {
        out.push(c);
    }
    out
}

#[test]
fn a_missing_source_is_an_error_naming_it() {
    let (s, f, _) = setup_stored();
    let (files, whole, out) = (&s.files, &s.whole, &s.out);
    f.close().unwrap();
    std::fs::remove_file(&files[1]).unwrap();

    let f = qnd::open(out, "r").unwrap();
    // looking it up works: ls shows it
    let leaf = f.leaf("v").unwrap();
    assert_eq!(leaf.shape().unwrap(), vec![6, 3]);
    // reading what b held is an error naming b.h5
    let e = assert_v_invalid(&f, &["b.h5", "missing"]);
    assert!(e.to_string().contains("b.h5"), "{e}");
    let e = leaf.read_part::<Array2<i32>>(s![1..3, ..]).unwrap_err();
    assert_invalid(&e, &["b.h5"]);
    // parts that only touch a and c read
    let top: Array2<i32> = leaf.read_part(s![..2, ..]).unwrap();
    assert_eq!(top, whole.slice(s![..2, ..]));
    let last: Array1<i32> = leaf.read_part(s![5, ..]).unwrap();
    assert_eq!(last, whole.row(5));
    // a stride that steps over b's rows touches only a and c
    let skip: Array2<i32> = leaf.read_part(s![0..6;5, ..]).unwrap();
    assert_eq!(skip, whole.slice(s![0..6;5, ..]));
    f.close().unwrap();

    // a file that is not HDF5 where b was: unreadable, named
    std::fs::write(&files[1], b"not an HDF5 file at all").unwrap();
    let f = qnd::open(out, "r").unwrap();
    assert_v_invalid(&f, &["b.h5", "cannot be opened"]);
    f.close().unwrap();

    // an HDF5 file without the dataset: named too
    std::fs::remove_file(&files[1]).unwrap();
    let g = qnd::open(&files[1], "w").unwrap();
    g.set("y", 1).unwrap();
    g.close().unwrap();
    let f = qnd::open(out, "r").unwrap();
    assert_v_invalid(&f, &["b.h5", "no dataset /x"]);
    // too small for its mapping
    drop(f);
    std::fs::remove_file(&files[1]).unwrap();
    let g = qnd::open(&files[1], "w").unwrap();
    g.set("x", array![[1, 2, 3]]).unwrap();
    g.close().unwrap();
    let f = qnd::open(out, "r").unwrap();
    assert_v_invalid(&f, &["too small"]);
}

#[test]
fn a_missing_source_of_a_foreign_virtual_dataset_is_an_error() {
    // made with the hdf5 crate, relative source names as h5py users write
    let Setup { dir, whole, .. } = &setup();
    let out = dir.path().join("foreign.h5");
    {
        let f = hdf5::File::create(&out).unwrap();
        let ds = f
            .new_dataset::<i32>()
            .shape([6, 3])
            .virtual_map("a.h5", "x", (2, 3), (.., ..), (6, 3), (0..2, ..))
            .virtual_map("b.h5", "x", (3, 3), (.., ..), (6, 3), (2..5, ..))
            .virtual_map("c.h5", "x", (1, 3), (.., ..), (6, 3), (5..6, ..))
            .create("v")
            .unwrap();
        drop(ds);
        f.close().unwrap();
    }
    // relative names resolve next to the file, whatever the working folder
    let f = qnd::open(&out, "r").unwrap();
    let got: Array2<i32> = f.read("v").unwrap();
    assert_eq!(&got, whole);
    f.close().unwrap();
    std::fs::remove_file(dir.path().join("c.h5")).unwrap();
    let f = qnd::open(&out, "r").unwrap();
    assert_v_invalid(&f, &["\"c.h5\"", "looked for"]);
    let top: Array2<i32> = f.leaf("v").unwrap().read_part(s![..5, ..]).unwrap();
    assert_eq!(top, whole.slice(s![..5, ..]));
}

#[test]
fn sources_open_read_only_elsewhere_are_an_error_in_a_writable_file() {
    // HDF5 opens the sources of a virtual dataset in a file open for
    // writing read-write; a source this process holds open read-only then
    // cannot be, and HDF5 would read fill values
    let (s, f, _) = setup_stored();
    let held = qnd::open(&s.files[2], "r").unwrap();
    assert_v_invalid(&f, &["c.h5", "read-write"]);
    held.close().unwrap();
    let got: Array2<i32> = f.read("v").unwrap();
    assert_eq!(got, s.whole);
}

#[test]
fn store_virtual_refusals() {
    let (s, f) = setup_open();
    let files = &s.files;
    let stack = stack_of(files, "/x", 0);
    f.store("v", &stack).unwrap();
    // the name is taken
    let e = f.store("v", &stack).unwrap_err();
    assert_invalid(&e, &["already exists"]);
    let e = f.store_virtual("v", &stack).unwrap_err();
    assert_invalid(&e, &["already exists"]);
    // not made of files
    let mem = Lazy::new(Array::from(array![1, 2, 3]));
    let e = f.store_virtual("m", &mem).unwrap_err();
    assert_invalid(&e, &["cannot be a virtual dataset"]);
    // a missing source file at creation
    let gone = Maps::whole(s.dir.path().join("nowhere.h5"), "/x", &[3]);
    let e = f.store_virtual("g", &gone).unwrap_err();
    assert_invalid(&e, &["nowhere.h5", "no such file"]);
    // a missing dataset
    let nods = Maps::whole(files[0].clone(), "/nope", &[2, 3]);
    let e = f.store_virtual("g", &nods).unwrap_err();
    assert_invalid(&e, &["no dataset /nope"]);
    // a mapping outside the source
    let big = Maps::whole(files[0].clone(), "/x", &[4, 3]);
    let e = f.store_virtual("g", &big).unwrap_err();
    assert_invalid(&e, &["outside axis 0"]);
    // nothing was created by the failures
    assert!(!f.contains("g").unwrap() && !f.contains("m").unwrap());
    // a group in the path, created first
    f.create_group("g").unwrap();
    f.store("g/v", &stack).unwrap();
    f.store("/g/w", &stack).unwrap();
    assert_eq!(f.group("g").unwrap().names().unwrap(), ["v", "w"]);
    let e = f.store("nogroup/v", &stack).unwrap_err();
    assert!(matches!(e, Error::NoItem { .. }), "{e:?}");
    f.close().unwrap();

    // read-only
    let f = qnd::open(&s.out, "r").unwrap();
    let e = f.store("w", &stack).unwrap_err();
    assert!(matches!(e, Error::ReadOnly { .. }), "{e:?}");
    // memory files copy instead
    let m = qnd::memory();
    m.store("v", &stack).unwrap();
    let e = m.store_virtual("w", &stack).unwrap_err();
    assert_invalid(&e, &["no virtual datasets"]);
}

/// A lazy array that is only its virtual mappings (for refusals).
struct Maps(Vec<VirtualMap>, Vec<usize>);

impl Maps {
    /// One mapping: all of `dataset` of `file`, of `shape`, to all of the
    /// array.
    fn whole(file: PathBuf, dataset: &str, shape: &[usize]) -> Maps {
        let runs = Run::whole(shape);
        let map = VirtualMap {
            dest: runs.clone(),
            file,
            dataset: dataset.into(),
            src: runs,
        };
        Maps(vec![map], shape.to_vec())
    }
}

impl LazyArray for Maps {
    fn shape(&self) -> Result<Vec<usize>> {
        Ok(self.1.clone())
    }
    fn dtype(&self) -> Result<DType> {
        Ok(DType::I32)
    }
    fn describe(&self) -> String {
        "maps".into()
    }
    fn read_region(&self, _: &Region) -> Result<Array> {
        unreachable!("never read")
    }
    fn virtual_maps(&self) -> Option<Result<Vec<VirtualMap>>> {
        Some(Ok(self.0.clone()))
    }
}

/// An in-memory array that records the size of every read.
struct Counting {
    inner: Array,
    reads: Arc<Mutex<Vec<usize>>>,
}

impl LazyArray for Counting {
    fn shape(&self) -> Result<Vec<usize>> {
        LazyArray::shape(&self.inner)
    }
    fn dtype(&self) -> Result<DType> {
        LazyArray::dtype(&self.inner)
    }
    fn describe(&self) -> String {
        "counting".into()
    }
    fn read_region(&self, region: &Region) -> Result<Array> {
        self.reads.lock().unwrap().push(region.size());
        self.inner.read_region(region)
    }
}

fn store_in_blocks(f: &QGroup) {
    // 24 MiB of i16: copied in blocks of at most 8 MiB
    let n = 3000 * 4000;
    let data = ArrayD::from_shape_vec(
        IxDyn(&[3000, 4000]),
        (0..n).map(|i| (i % 32749) as i16).collect(),
    )
    .unwrap();
    let reads = Arc::new(Mutex::new(Vec::new()));
    let lazy = Lazy::new(Counting {
        inner: Array::from(data.clone()),
        reads: reads.clone(),
    });
    let leaf = f.store("big", &lazy).unwrap();
    assert_eq!(leaf.shape().unwrap(), vec![3000, 4000]);
    let sizes = reads.lock().unwrap().clone();
    assert!(sizes.len() >= 3, "{sizes:?}");
    assert!(sizes.iter().all(|&s| s * 2 <= 8 << 20), "{sizes:?}");
    assert_eq!(sizes.iter().sum::<usize>(), n);
    let back: ArrayD<i16> = f.read("big").unwrap();
    assert_eq!(back, data);

    // rows wider than a block: parts of rows
    let wide = ArrayD::from_shape_vec(
        IxDyn(&[2, 1_200_000]),
        (0..2_400_000).map(|i| i as f64).collect(),
    )
    .unwrap();
    let reads = Arc::new(Mutex::new(Vec::new()));
    f.store(
        "wide",
        &Counting {
            inner: Array::from(wide.clone()),
            reads: reads.clone(),
        },
    )
    .unwrap();
    let sizes = reads.lock().unwrap().clone();
    assert!(sizes.iter().all(|&s| s * 8 <= 8 << 20), "{sizes:?}");
    assert_eq!(sizes.len(), 4, "{sizes:?}");
    let back: ArrayD<f64> = f.read("wide").unwrap();
    assert_eq!(back, wide);

    // a selection of an array, text, a scalar, an empty array, bool
    let a = Lazy::new(Array::from(array![[1u8, 2, 3], [4, 5, 6]]));
    f.store("sel", &a.select(s![..;-1, 1..]).unwrap()).unwrap();
    let got: Array2<u8> = f.read("sel").unwrap();
    assert_eq!(got, array![[5, 6], [2, 3]]);
    let words = Array::from(array!["a".to_string(), "longer one".into(), "日本".into()]);
    f.store("words", &words).unwrap();
    let got: Vec<String> = f.read("words").unwrap();
    assert_eq!(got, ["a", "longer one", "日本"]);
    f.store("one", &Array::scalar(2.5)).unwrap();
    assert_eq!(f.read::<f64>("one").unwrap(), 2.5);
    let empty = Array::zeros(DType::F32, &[0, 4]);
    let leaf = f.store("empty", &empty).unwrap();
    assert_eq!(leaf.shape().unwrap(), vec![0, 4]);
    f.store("flags", &Array::from(array![true, false])).unwrap();
    assert_eq!(f.read::<Vec<bool>>("flags").unwrap(), [true, false]);
    // recording mode does not make record variables
    f.set_recording(qnd::Recording::Uniform);
    f.store("plain", &Array::from(array![1, 2])).unwrap();
    assert_eq!(f.kind("plain").unwrap(), Kind::Leaf);
    f.set_recording(qnd::Recording::Off);
    // a missing source fails before anything is declared
    let gone = VirtualSource::new(
        {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("s.h5");
            let s = qnd::open(&p, "w").unwrap();
            s.set("x", array![1, 2]).unwrap();
            s.close().unwrap();
            std::mem::forget(dir);
            p
        },
        "/x",
    )
    .unwrap();
    std::fs::remove_file(gone.file()).unwrap();
    assert!(f.store_copy("gone", &gone).is_err());
    assert!(!f.contains("gone").unwrap());
}

#[test]
fn store_copies_block_by_block_on_hdf5() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let f = qnd::open(dir.path().join("copy.h5"), "w").unwrap();
    store_in_blocks(&f);
    f.close().unwrap();
}

#[test]
fn store_copies_block_by_block_in_memory() {
    let _serial = serial();
    store_in_blocks(&qnd::memory());
}

#[test]
fn store_copy_of_a_virtual_stack_copies() {
    let (s, f) = setup_open();
    let (files, whole, out) = (&s.files, &s.whole, &s.out);
    f.store_copy("c", &stack_of(files, "/x", 0)).unwrap();
    f.close().unwrap();
    for file in files {
        std::fs::remove_file(file).unwrap();
    }
    let f = qnd::open(out, "r").unwrap();
    let got: Array2<i32> = f.read("c").unwrap();
    assert_eq!(&got, whole);
    let e = hdf5::File::open(out)
        .unwrap()
        .dataset("c")
        .unwrap()
        .layout();
    assert_ne!(e, hdf5::dataset::Layout::Virtual);
}

// ------------------------------------------------------------ h5py

const CHECK_VDS: &str = r#"
import sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
v = f["v"]
assert isinstance(v, h5py.Dataset) and v.is_virtual
assert v.dtype == np.int32 and v.shape == (6, 3), (v.dtype, v.shape)
want = np.concatenate([np.array([[0, 1, 2], [3, 4, 5]]),
                       np.array([[10, 11, 12], [13, 14, 15], [16, 17, 18]]),
                       np.array([[20, 21, 22]])])
assert (v[()] == want).all(), v[()]
assert (v[1:5:3, 1] == want[1:5:3, 1]).all()
pq = f["pq"]
assert pq.is_virtual and [s.file_name for s in pq.virtual_sources()] == [".", "."]
assert (pq[()] == np.array([1.0, 2.0, 3.0, 4.0, 5.0])).all(), pq[()]
"#;

#[test]
fn h5py_reads_virtual_datasets_as_ordinary_datasets() {
    let Setup { files, out, .. } = &setup();
    let Some(py) = Python::find(&["h5py", "numpy"]) else {
        return;
    };
    // p and q differ in length: a stack of both, in the same file
    let pq = p_and_q(out, ["/p", "/q"]);
    let f = qnd::open(out, "a").unwrap();
    f.store("v", &stack_of(files, "/x", 0)).unwrap();
    f.store("pq", &pq).unwrap();
    f.close().unwrap();
    py.run(CHECK_VDS, &[out]);
}

#[test]
fn writes_through_a_virtual_dataset_reach_the_sources() {
    let (s, f, leaf) = setup_stored();
    let (files, mut whole) = (&s.files, s.whole.clone());
    leaf.write_part(s![1..3, 0], array![-1, -2]).unwrap();
    f.close().unwrap();
    whole[[1, 0]] = -1;
    whole[[2, 0]] = -2;
    let a: Array2<i32> = qnd::open(&files[0], "r").unwrap().read("x").unwrap();
    assert_eq!(a, whole.slice(s![0..2, ..]));
    let b: Array2<i32> = qnd::open(&files[1], "r").unwrap().read("x").unwrap();
    assert_eq!(b, whole.slice(s![2..5, ..]));
    // a write reaching a missing source is an error, not lost silently
    std::fs::remove_file(&files[2]).unwrap();
    let f = qnd::open(&s.out, "r+").unwrap();
    let e = f.leaf("v").unwrap().write_part(s![5, ..], 7).unwrap_err();
    assert_invalid(&e, &["c.h5"]);
    f.leaf("v").unwrap().write_part(s![0, ..], 7).unwrap();
}

#[test]
fn a_stack_along_a_new_axis_is_virtual_too() {
    // a lazy view whose members are file regions: sources of rank 2 in a
    // virtual dataset of rank 3
    let Setup { files, out, .. } = &setup();
    let parts: Vec<Lazy> = files[..2]
        .iter()
        .map(|p| source(p, "/x").select(s![..2, ..]).unwrap())
        .collect();
    let stacked = Lazy::new(qnd::lazy::Stacked::new(parts, -1).unwrap());
    let expect: ArrayD<i32> = stacked.read().unwrap();
    assert_eq!(expect.shape(), [2, 3, 2]);
    let f = qnd::open(out, "w").unwrap();
    let virtual_ok = stacked.virtual_maps().is_some_and(|m| m.is_ok());
    assert!(virtual_ok, "Stacked of file regions has virtual maps");
    f.store("s", &stacked).unwrap();
    let got: ArrayD<i32> = f.read("s").unwrap();
    assert_eq!(got, expect);
    f.close().unwrap();
    let h = hdf5::File::open(out).unwrap();
    let layout = h.dataset("s").unwrap().layout();
    assert_eq!(layout == hdf5::dataset::Layout::Virtual, virtual_ok);
}
