//! Helpers shared by the integration tests: the backends a case runs on
//! ([`Maker`]), handles out of an [`Item`], ordered tree comparison and
//! error checks; [`fixtures`] finds the shared fixture files, [`python`]
//! runs Python for the optional interop tests, [`samples`] writes what
//! their scripts check.
#![allow(dead_code)] // each test crate uses its own part of this

pub mod fixtures;
pub mod python;
pub mod samples;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use qnd::{Error, Item, Mode, NcFormat, OpenOptions, QGroup, QLeaf, QList, Value};

/// Makes empty files of one backend, and reopens them.
pub trait Maker {
    /// The backend's name, for messages.
    fn name(&self) -> &str;
    /// A new, empty, writable file (its root group).
    fn create(&self) -> QGroup;
    /// Close `f`'s file and open it again in `mode`; `None` for a backend
    /// without files (memory), where `f` stays as it is.
    fn reopen(&self, f: &QGroup, mode: &str) -> Option<QGroup>;
    /// The files made so far (none for a backend without files).
    fn files(&self) -> Vec<PathBuf> {
        Vec::new()
    }
}

/// The in-memory backend.
pub struct MemoryMaker;

impl Maker for MemoryMaker {
    fn name(&self) -> &str {
        "memory"
    }
    fn create(&self) -> QGroup {
        qnd::memory()
    }
    fn reopen(&self, _f: &QGroup, _mode: &str) -> Option<QGroup> {
        None
    }
}

/// The in-memory backend as a file written by processes together, of one
/// process (`qnd::parallel::memory`): every collective call goes through
/// the processes' lockstep.
pub struct ParallelMemoryMaker;

impl Maker for ParallelMemoryMaker {
    fn name(&self) -> &str {
        "parallel-memory"
    }
    fn create(&self) -> QGroup {
        qnd::parallel::memory(&qnd::Parallel::single())
    }
    fn reopen(&self, _f: &QGroup, _mode: &str) -> Option<QGroup> {
        None
    }
}

/// A backend with files: new files `f0.EXT`, `f1.EXT`, ... in a temporary
/// folder that is removed when the maker is dropped.
pub struct FileMaker {
    name: &'static str,
    ext: &'static str,
    netcdf: Option<NcFormat>,
    parallel: Option<qnd::Parallel>,
    dir: tempfile::TempDir,
    paths: RefCell<Vec<PathBuf>>,
}

impl FileMaker {
    /// Files named `*.ext` (the extension picks the format).
    pub fn new(name: &'static str, ext: &'static str) -> FileMaker {
        FileMaker {
            name,
            ext,
            netcdf: None,
            parallel: None,
            dir: tempfile::tempdir().expect("a temporary folder"),
            paths: RefCell::new(Vec::new()),
        }
    }

    /// New files made as netCDF files of `format` (with an `.nc` extension).
    pub fn netcdf(mut self, format: NcFormat) -> FileMaker {
        self.netcdf = Some(format);
        self
    }

    /// Files opened (and opened again) as written by processes together,
    /// with `parallel`.
    pub fn parallel(mut self, parallel: qnd::Parallel) -> FileMaker {
        self.parallel = Some(parallel);
        self
    }

    /// A path for a new file (not created).
    pub fn new_path(&self) -> PathBuf {
        let mut paths = self.paths.borrow_mut();
        let path = self
            .dir
            .path()
            .join(format!("f{}.{}", paths.len(), self.ext));
        paths.push(path.clone());
        path
    }
}

impl Maker for FileMaker {
    fn name(&self) -> &str {
        self.name
    }
    fn create(&self) -> QGroup {
        let path = self.new_path();
        let options = OpenOptions {
            netcdf: self.netcdf.unwrap_or_default(),
            parallel: self.parallel.clone(),
            ..OpenOptions::new(Mode::Create)
        };
        qnd::open_with(&path, &options)
            .unwrap_or_else(|e| panic!("{}: cannot create {}: {e}", self.name, path.display()))
    }
    fn files(&self) -> Vec<PathBuf> {
        self.paths.borrow().clone()
    }
    fn reopen(&self, f: &QGroup, mode: &str) -> Option<QGroup> {
        let path = f.file_path();
        f.close()
            .unwrap_or_else(|e| panic!("{}: cannot close {}: {e}", self.name, path.display()));
        let options = OpenOptions {
            parallel: self.parallel.clone(),
            ..OpenOptions::new(mode.parse().expect("a mode"))
        };
        Some(qnd::open_with(&path, &options).unwrap_or_else(|e| {
            panic!(
                "{}: cannot reopen {} ({mode}): {e}",
                self.name,
                path.display()
            )
        }))
    }
}

/// PDB files, read-only in this version of qnd: each case writes an HDF5
/// file (qnd's semantics come from the tree, whatever the backend), and
/// every read-only reopen (the checks of [`stored`]) reads a PDB snapshot
/// of it (`qnd_pdb::snapshot::write`, in `order`) through qnd's PDB
/// backend. A writable reopen goes on with the HDF5 file.
#[cfg(all(feature = "pdb", feature = "hdf5"))]
pub struct PdbMaker {
    name: &'static str,
    h5: FileMaker,
    order: qnd_pdb::snapshot::ByteOrder,
}

#[cfg(all(feature = "pdb", feature = "hdf5"))]
impl PdbMaker {
    /// PDB snapshots in byte order `order`, named `name` in messages.
    pub fn new(name: &'static str, order: qnd_pdb::snapshot::ByteOrder) -> PdbMaker {
        PdbMaker {
            name,
            h5: FileMaker::new(name, "h5"),
            order,
        }
    }
}

#[cfg(all(feature = "pdb", feature = "hdf5"))]
impl Maker for PdbMaker {
    fn name(&self) -> &str {
        self.name
    }
    fn create(&self) -> QGroup {
        self.h5.create()
    }
    fn files(&self) -> Vec<PathBuf> {
        self.h5.files()
    }
    fn reopen(&self, f: &QGroup, mode: &str) -> Option<QGroup> {
        let path = f.file_path();
        f.close()
            .unwrap_or_else(|e| panic!("{}: cannot close {}: {e}", self.name, path.display()));
        let h5 = path.with_extension("h5");
        if mode != "r" {
            return Some(qnd::open(&h5, mode).unwrap_or_else(|e| {
                panic!(
                    "{}: cannot reopen {} ({mode}): {e}",
                    self.name,
                    h5.display()
                )
            }));
        }
        let pdb = path.with_extension("pdb");
        let mut src = qnd_hdf5::Hdf5Storage::open(&h5, false)
            .unwrap_or_else(|e| panic!("{}: open {}: {e}", self.name, h5.display()));
        qnd_pdb::snapshot::write(&mut src, &pdb, self.order)
            .unwrap_or_else(|e| panic!("{}: snapshot of {}: {e}", self.name, h5.display()));
        drop(src);
        Some(
            qnd::open(&pdb, "r")
                .unwrap_or_else(|e| panic!("{}: cannot open {}: {e}", self.name, pdb.display())),
        )
    }
}

/// A new netCDF file of `format` at `path` (its root group).
pub fn create_netcdf(path: &Path, format: NcFormat) -> QGroup {
    let options = OpenOptions {
        netcdf: format,
        ..OpenOptions::new(Mode::Create)
    };
    qnd::open_with(path, &options).unwrap_or_else(|e| panic!("create {format:?}: {e}"))
}

/// Run `check` on `f`, then (backends with files) on the file closed and
/// reopened read-only. `f` must not be used afterwards on a file backend:
/// use [`reopened`] to go on writing.
pub fn stored(m: &dyn Maker, f: &QGroup, check: impl Fn(&QGroup)) {
    check(f);
    if let Some(g) = m.reopen(f, "r") {
        check(&g);
        g.close().expect("close after the read-only check");
    }
}

/// `f`'s file closed and reopened in `mode` (`f` itself for memory).
pub fn reopened(m: &dyn Maker, f: QGroup, mode: &str) -> QGroup {
    m.reopen(&f, mode).unwrap_or(f)
}

/// Property tests of `cases` cases each, failures shown (not saved in the
/// source tree).
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

// ------------------------------------------------------------ items

/// The value of an item that must have been read.
#[track_caller]
pub fn value(item: Item) -> Value {
    match item {
        Item::Value(v, _) => v,
        other => panic!("expected Item::Value, got {}", item_kind(&other)),
    }
}

/// The leaf handle of an item that must be one.
#[track_caller]
pub fn leaf(item: Item) -> QLeaf {
    match item {
        Item::Leaf(l) => l,
        other => panic!("expected Item::Leaf, got {}", item_kind(&other)),
    }
}

/// The group handle of an item that must be one.
#[track_caller]
pub fn group(item: Item) -> QGroup {
    match item {
        Item::Group(g) => g,
        other => panic!("expected Item::Group, got {}", item_kind(&other)),
    }
}

/// The list handle of an item that must be one.
#[track_caller]
pub fn list(item: Item) -> QList {
    match item {
        Item::List(l) => l,
        other => panic!("expected Item::List, got {}", item_kind(&other)),
    }
}

/// What an item is, in words.
pub fn item_kind(item: &Item) -> String {
    match item {
        Item::Group(g) => format!("Item::Group({})", g.path()),
        Item::List(l) => format!("Item::List({})", l.path()),
        Item::Leaf(l) => format!("Item::Leaf({})", l.path()),
        Item::Value(v, _) => format!("Item::Value({})", v.describe()),
    }
}

/// The text attribute `name` of `item` in `f`, if it has one.
#[track_caller]
pub fn text_attr(f: &QGroup, item: &str, name: &str) -> Option<String> {
    f.attrs(item).unwrap().read::<String>(name).unwrap()
}

// ------------------------------------------------------------ trees

/// `a` and `b` are the same tree, with group members in the same order
/// (`Value`'s own `==` ignores the order of group members).
pub fn same_tree(a: &Value, b: &Value) -> Result<(), String> {
    fn walk(a: &Value, b: &Value, at: &str) -> Result<(), String> {
        match (a, b) {
            (Value::Group(x), Value::Group(y)) => {
                let kx: Vec<&String> = x.keys().collect();
                let ky: Vec<&String> = y.keys().collect();
                if kx != ky {
                    return Err(format!("{at}: members {kx:?} != {ky:?}"));
                }
                for (k, v) in x {
                    walk(v, &y[k], &format!("{at}/{k}"))?;
                }
                Ok(())
            }
            (Value::List(x), Value::List(y)) => {
                if x.len() != y.len() {
                    return Err(format!("{at}: {} elements != {}", x.len(), y.len()));
                }
                for (i, (v, w)) in x.iter().zip(y).enumerate() {
                    walk(v, w, &format!("{at}[{i}]"))?;
                }
                Ok(())
            }
            (Value::Array(x), Value::Array(y)) => {
                if x == y {
                    Ok(())
                } else {
                    Err(format!("{at}: {x:?} != {y:?}"))
                }
            }
            (Value::None, Value::None) => Ok(()),
            (x, y) => Err(format!("{at}: {} != {}", x.describe(), y.describe())),
        }
    }
    walk(a, b, "")
}

/// Assert [`same_tree`].
#[track_caller]
pub fn assert_same_tree(got: &Value, expected: &Value) {
    if let Err(e) = same_tree(got, expected) {
        panic!("trees differ at {e}\n got: {got:?}\nwant: {expected:?}");
    }
}

/// A group value from (name, value) pairs, in order.
pub fn tree<K: Into<String>, V: Into<Value>>(items: impl IntoIterator<Item = (K, V)>) -> Value {
    Value::Group(
        items
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
    )
}

// ------------------------------------------------------------ errors

/// The file name an error message of `f`'s file shows.
pub fn file_name(f: &QGroup) -> String {
    f.file_path().display().to_string()
}

/// The message of `e` names the file and the item `path`.
#[track_caller]
pub fn assert_names(e: &Error, file: &Path, path: &str) {
    let msg = e.to_string();
    let file = file.display().to_string();
    assert!(
        msg.contains(&file),
        "message {msg:?} does not name the file {file:?}"
    );
    assert!(
        msg.contains(path),
        "message {msg:?} does not name the item {path:?}"
    );
}

/// The item path, what the item takes and what was given, of an
/// [`Error::Mismatch`]; a panic for any other error.
#[track_caller]
pub fn mismatch(e: &Error) -> (&str, &str, &str) {
    match e {
        Error::Mismatch {
            path,
            expected,
            got,
            ..
        } => (path, expected, got),
        other => panic!("expected Error::Mismatch, got {other:?} ({other})"),
    }
}

/// The item path an error carries, for the variants that have one.
pub fn error_path(e: &Error) -> Option<&str> {
    match e {
        Error::ReadOnly { path, .. }
        | Error::NoItem { path, .. }
        | Error::NoRecord { path, .. }
        | Error::OutOfBounds { path, .. }
        | Error::Mismatch { path, .. }
        | Error::Invalid { path, .. }
        | Error::Cast { path, .. }
        | Error::Backend { path, .. }
        | Error::Unreadable { path, .. } => Some(path),
        _ => None,
    }
}

/// Unwrap the error of `$res`, which must match `$pat`.
#[macro_export]
macro_rules! expect_err {
    ($res:expr, $pat:pat) => {
        match $res {
            Err(e) => {
                if !matches!(e, $pat) {
                    panic!(
                        "{}: expected {}, got the error {e:?} ({e})",
                        stringify!($res),
                        stringify!($pat)
                    );
                }
                e
            }
            Ok(v) => panic!(
                "{}: expected {}, got Ok({v:?})",
                stringify!($res),
                stringify!($pat)
            ),
        }
    };
}
