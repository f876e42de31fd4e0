//! Parallel files (feature `mpi`), run under mpirun with any number of
//! processes (and alone, as a singleton):
//!
//! ```text
//! mpirun --oversubscribe -n 4 target/.../deps/parallel-HASH
//! ```
//!
//! Every process writes its part of distributed leaves and record
//! variables and replicated data; the file is then read back by rank 0
//! alone through a serial open (and by h5py where it is installed), value
//! by value. With one process, the storage conformance kit also runs on
//! parallel files. A test binary of its own (`harness = false`): MPI is
//! initialised once, and finalised after every file is closed.

use std::path::{Path, PathBuf};
use std::process::Command;

use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use ndarray::{ArrayD, IxDyn};
use qnd_hdf5::{Hdf5Storage, MpiComm};
use qnd_storage::conformance::{run_all, Maker};
use qnd_storage::{Array, DType, Kind, LeafSpec, NodeId, Part, Run, Storage};

fn spec(dtype: DType, shape: &[usize], records: bool) -> LeafSpec {
    LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 8,
    }
}

fn f64s(shape: &[usize], v: Vec<f64>) -> Array {
    Array::F64(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
}

fn to_f64(a: &Array) -> Vec<f64> {
    a.to_f64().unwrap().into_raw_vec_and_offset().0
}

/// The rows `0..total` that rank `r` of `p` holds of a scattered array:
/// `row % p == r`, except that the last rank (of several) holds none and
/// rank 0 holds its rows too.
fn scattered(total: usize, r: usize, p: usize) -> Part {
    let last = p - 1;
    let mine = |row: usize| {
        let owner = row % p;
        if p > 1 && owner == last {
            r == 0
        } else {
            owner == r
        }
    };
    let runs: Vec<Run> = (0..total)
        .filter(|&row| mine(row))
        .map(|row| Run::span(row, 1))
        .collect();
    // adjacent rows merge into one run
    let mut merged: Vec<Run> = Vec::new();
    for run in runs {
        match merged.last_mut() {
            Some(m) if m.first + m.count == run.first => m.count += 1,
            _ => merged.push(run),
        }
    }
    Part::new(merged, total).unwrap()
}

/// The rows `0..total` that rank `r` of `p` holds of an irregularly
/// scattered array (too many irregular runs for a union of hyperslabs:
/// selected as points).
fn irregular(total: usize, r: usize, p: usize) -> Part {
    let runs: Vec<Run> = (0..total)
        .filter(|&row| (row * 7919 % 13) % p == r)
        .map(|row| Run::span(row, 1))
        .collect();
    Part::new(runs, total).unwrap()
}

/// Rank `r` of `p`'s contiguous block of `total` rows (uneven sizes).
fn block(total: usize, r: usize, p: usize) -> Part {
    let first = total * r / p;
    let end = total * (r + 1) / p;
    Part::new(vec![Run::span(first, end - first)], total).unwrap()
}

/// The rows `part` of a `[total, width]` array whose element `(i, j)` is
/// `value(i, j)`.
fn rows_of(part: &Part, width: usize, value: impl Fn(usize, usize) -> f64) -> Vec<f64> {
    let mut v = Vec::new();
    for run in part.runs() {
        for i in run.first..run.first + run.count {
            for j in 0..width {
                v.push(value(i, j));
            }
        }
    }
    v
}

const CONTIG_W: usize = 3;
const FIELD_W: usize = 2;
const RECORDS: usize = 10;
/// Rows of the irregularly scattered arrays.
const IRR: usize = 600;

fn contig_value(i: usize, j: usize) -> f64 {
    (i * 10 + j) as f64
}

fn scattered_value(i: usize, j: usize) -> f64 {
    -((i * 100 + j) as f64)
}

fn field_value(k: usize, i: usize, j: usize) -> f64 {
    (k * 1000 + i * 10 + j) as f64
}

/// Write the test file: every process calls this.
fn write_file(path: &Path, world: &SimpleCommunicator) {
    let (r, p) = (world.rank() as usize, world.size() as usize);
    let comm: MpiComm = world.as_raw();
    let mut s = Hdf5Storage::create_parallel(path, comm, true).unwrap();
    assert!(!s.capabilities().virtual_datasets);
    assert_eq!(s.rank(), Some(r));
    assert_eq!(s.ranks(), Some(p));
    let root = s.root();
    let g = s.create_group(root, "g").unwrap();
    s.set_attr(root, "ranks", &Array::scalar(p as i64)).unwrap();
    s.set_attr(g, "unit", &Array::scalar("m/s".to_string()))
        .unwrap();
    s.create_none(g, "nothing").unwrap();

    // a contiguous part per process
    let n = 4 * p + 1;
    let contig = s
        .create_leaf(g, "contig", &spec(DType::F64, &[n, CONTIG_W], false))
        .unwrap();
    let part = block(n, r, p);
    let data = f64s(
        &[part.len(), CONTIG_W],
        rows_of(&part, CONTIG_W, contig_value),
    );
    s.write_part(contig, &part, &data).unwrap();

    // scattered rows; the last process (of several) holds none
    let m = 3 * p + 2;
    let sc = s
        .create_leaf(root, "scattered", &spec(DType::I32, &[m, 2], false))
        .unwrap();
    let part = scattered(m, r, p);
    assert_eq!(part.is_empty(), p > 1 && r == p - 1);
    let data = f64s(&[part.len(), 2], rows_of(&part, 2, scattered_value));
    let data = Array::I32(data.to_f64().unwrap().mapv(|x| x as i32));
    s.write_part(sc, &part, &data).unwrap();

    // irregular rows, a leaf and 3 records of a record variable
    let irr = s
        .create_leaf(root, "irregular", &spec(DType::F64, &[IRR, 2], false))
        .unwrap();
    let part = irregular(IRR, r, p);
    let data = f64s(&[part.len(), 2], rows_of(&part, 2, scattered_value));
    s.write_part(irr, &part, &data).unwrap();
    let irr_rec = s
        .create_leaf(root, "irregular_field", &spec(DType::F64, &[IRR], true))
        .unwrap();
    let v: Vec<f64> = (0..3)
        .flat_map(|k| rows_of(&part, 1, move |i, _| field_value(k, i, 0)))
        .collect();
    s.append_parts(irr_rec, &part, &f64s(&[3, part.len()], v))
        .unwrap();

    // a leaf written in part (its first row only, by rank 0), one never
    // written: zeros elsewhere
    let half = s
        .create_leaf(root, "half", &spec(DType::F64, &[3, 2], false))
        .unwrap();
    let part = if r == 0 {
        Part::new(vec![Run::span(0, 1)], 3).unwrap()
    } else {
        Part::new(vec![], 3).unwrap()
    };
    let data = f64s(&[part.len(), 2], vec![7.0; 2 * part.len()]);
    s.write_part(half, &part, &data).unwrap();
    s.create_leaf(root, "zeros", &spec(DType::F64, &[4], false))
        .unwrap();

    // a 2-d record variable: each record [rows, FIELD_W], scattered rows
    let rows = 2 * p + 1;
    let field = s
        .create_leaf(root, "field", &spec(DType::F64, &[rows, FIELD_W], true))
        .unwrap();
    let part = scattered(rows, r, p);
    let batch = |ks: std::ops::Range<usize>| {
        let mut v = Vec::new();
        for k in ks.clone() {
            v.extend(rows_of(&part, FIELD_W, |i, j| field_value(k, i, j)));
        }
        f64s(&[ks.len(), part.len(), FIELD_W], v)
    };
    s.append_parts(field, &part, &batch(0..5)).unwrap();
    for k in 5..RECORDS {
        s.append_parts(field, &part, &batch(k..k + 1)).unwrap();
    }
    assert_eq!(s.records(field).unwrap(), RECORDS);

    // records that do not fit on one process: an error on every process,
    // nothing appended
    let bad = if r == p - 1 {
        f64s(
            &[1, part.len() + 1, FIELD_W],
            vec![0.0; (part.len() + 1) * FIELD_W],
        )
    } else {
        batch(0..1)
    };
    assert!(s.append_parts(field, &part, &bad).is_err());
    assert_eq!(s.records(field).unwrap(), RECORDS);
    // a part that does not fit on one process: an error there, no hang
    let bad_part = if r == p - 1 {
        f64s(&[1, CONTIG_W], vec![0.0; CONTIG_W])
    } else {
        f64s(&[0, CONTIG_W], vec![])
    };
    let empty = Part::new(vec![], n).unwrap();
    let done = s.write_part(contig, &empty, &bad_part);
    assert_eq!(done.is_err(), r == p - 1);

    // text records in parts: text too wide on rank 0 fails the append on
    // every process (after the dataset was extended: it shrinks back)
    let names = s
        .create_leaf(root, "names", &spec(DType::Str, &[rows], true))
        .unwrap();
    let text_of = |k: usize, wide: bool| {
        let v: Vec<String> = part
            .runs()
            .iter()
            .flat_map(|run| run.first..run.first + run.count)
            .map(|i| {
                if wide {
                    "x".repeat(9)
                } else {
                    format!("r{k}i{i}")
                }
            })
            .collect();
        Array::Str(ArrayD::from_shape_vec(IxDyn(&[1, part.len()]), v).unwrap())
    };
    s.append_parts(names, &part, &text_of(0, false)).unwrap();
    let err = s.append_parts(names, &part, &text_of(1, r == 0));
    assert!(err.is_err(), "rank {r}: a failed append fails everywhere");
    assert_eq!(s.records(names).unwrap(), 1);
    s.append_parts(names, &part, &text_of(1, false)).unwrap();
    assert_eq!(s.records(names).unwrap(), 2);

    // replicated data, from every process
    let t = s
        .create_leaf(root, "t", &spec(DType::F64, &[], true))
        .unwrap();
    for k in 0..RECORDS {
        s.append(t, &Array::scalar(k as f64 * 0.5)).unwrap();
    }
    s.append_records(t, &f64s(&[2], vec![100.0, 101.0]))
        .unwrap();
    let rep = s
        .create_leaf(root, "rep", &spec(DType::I64, &[5], false))
        .unwrap();
    let v = Array::I64(ArrayD::from_shape_vec(IxDyn(&[5]), vec![1, 2, 3, 4, 5]).unwrap());
    s.write(rep, &[Run::all(5)], &v).unwrap();
    let v = Array::I64(ArrayD::from_shape_vec(IxDyn(&[2]), vec![-2, -4]).unwrap());
    s.write(rep, &[Run::strided(1, 2, 2)], &v).unwrap();
    let text = s
        .create_leaf(root, "text", &spec(DType::Str, &[], false))
        .unwrap();
    s.write(text, &[], &Array::scalar("hello".to_string()))
        .unwrap();
    let flags = s
        .create_leaf(root, "flags", &spec(DType::Bool, &[3], true))
        .unwrap();
    let b = Array::Bool(ArrayD::from_shape_vec(IxDyn(&[3]), vec![true, false, true]).unwrap());
    s.append(flags, &b).unwrap();
    s.flush().unwrap();

    // any process reads alone (after everyone's writes are flushed)
    world.barrier();
    let got = s.read(field, &[Run::span(3, 1), Run::all(rows), Run::all(FIELD_W)]);
    let want: Vec<f64> = (0..rows)
        .flat_map(|i| (0..FIELD_W).map(move |j| field_value(3, i, j)))
        .collect();
    assert_eq!(to_f64(&got.unwrap()), want, "rank {r} reads record 3");
    assert_eq!(s.records(t).unwrap(), RECORDS + 2);
    s.close().unwrap();
}

/// Open the file again in parallel: append record `RECORDS` of `field`
/// (contiguous parts this time), then read it back read-only.
fn reopen_file(path: &Path, world: &SimpleCommunicator) {
    let (r, p) = (world.rank() as usize, world.size() as usize);
    let rows = 2 * p + 1;
    let mut s = Hdf5Storage::open_parallel(path, true, world.as_raw()).unwrap();
    let root = s.root();
    let (field, kind) = s.lookup(root, "field").unwrap().unwrap();
    assert_eq!(kind, Kind::Records);
    let part = block(rows, r, p);
    let v = rows_of(&part, FIELD_W, |i, j| field_value(RECORDS, i, j));
    s.append_parts(field, &part, &f64s(&[1, part.len(), FIELD_W], v))
        .unwrap();
    s.close().unwrap();
    world.barrier();

    let mut s = Hdf5Storage::open_parallel(path, false, world.as_raw()).unwrap();
    let root = s.root();
    let (field, _) = s.lookup(root, "field").unwrap().unwrap();
    assert_eq!(s.records(field).unwrap(), RECORDS + 1);
    let got = s
        .read(
            field,
            &[Run::span(RECORDS, 1), Run::all(rows), Run::all(FIELD_W)],
        )
        .unwrap();
    let want = rows_of(&Part::whole(rows), FIELD_W, |i, j| {
        field_value(RECORDS, i, j)
    });
    assert_eq!(to_f64(&got), want, "rank {r} reads the record appended");
    // refresh: nothing to do (no live readers of parallel files)
    s.refresh().unwrap();
    s.close().unwrap();
}

/// Check the file from one process, opened serially.
fn check_file(path: &Path, p: usize) {
    let mut s = Hdf5Storage::open(path, false).unwrap();
    assert_eq!(s.rank(), None);
    let root = s.root();
    assert_eq!(
        s.names(root).unwrap(),
        [
            "g",
            "scattered",
            "irregular",
            "irregular_field",
            "half",
            "zeros",
            "field",
            "names",
            "t",
            "rep",
            "text",
            "flags"
        ]
    );
    assert_eq!(
        to_f64(&s.get_attr(root, "ranks").unwrap().unwrap()),
        [p as f64]
    );
    let (g, _) = s.lookup(root, "g").unwrap().unwrap();
    assert_eq!(
        s.get_attr(g, "unit").unwrap(),
        Some(Array::scalar("m/s".to_string()))
    );
    assert_eq!(
        s.lookup(g, "nothing").unwrap().map(|x| x.1),
        Some(Kind::None)
    );
    let leaf = |s: &mut Hdf5Storage, at: NodeId, name: &str| {
        let (id, _) = s.lookup(at, name).unwrap().unwrap();
        let shape = s.info(id).unwrap().shape;
        (to_f64(&s.read(id, &Run::whole(&shape)).unwrap()), shape)
    };

    let n = 4 * p + 1;
    let (v, shape) = leaf(&mut s, g, "contig");
    assert_eq!(shape, [n, CONTIG_W]);
    assert_eq!(v, rows_of(&Part::whole(n), CONTIG_W, contig_value));

    let m = 3 * p + 2;
    let (v, shape) = leaf(&mut s, root, "scattered");
    assert_eq!(shape, [m, 2]);
    assert_eq!(v, rows_of(&Part::whole(m), 2, scattered_value));

    let (v, _) = leaf(&mut s, root, "irregular");
    assert_eq!(v, rows_of(&Part::whole(IRR), 2, scattered_value));
    let (v, shape) = leaf(&mut s, root, "irregular_field");
    assert_eq!(shape, [3, IRR]);
    let want: Vec<f64> = (0..3)
        .flat_map(|k| rows_of(&Part::whole(IRR), 1, move |i, _| field_value(k, i, 0)))
        .collect();
    assert_eq!(v, want);

    let (v, _) = leaf(&mut s, root, "half");
    assert_eq!(v, [7.0, 7.0, 0.0, 0.0, 0.0, 0.0]);
    let (v, _) = leaf(&mut s, root, "zeros");
    assert_eq!(v, [0.0; 4]);

    let rows = 2 * p + 1;
    let (v, shape) = leaf(&mut s, root, "field");
    assert_eq!(shape, [RECORDS + 1, rows, FIELD_W]);
    let want: Vec<f64> = (0..=RECORDS)
        .flat_map(|k| {
            rows_of(&Part::whole(rows), FIELD_W, move |i, j| {
                field_value(k, i, j)
            })
        })
        .collect();
    assert_eq!(v, want);

    let (id, _) = s.lookup(root, "names").unwrap().unwrap();
    let got = s.read(id, &[Run::all(2), Run::all(rows)]).unwrap();
    let want: Vec<String> = (0..2)
        .flat_map(|k| (0..rows).map(move |i| format!("r{k}i{i}")))
        .collect();
    assert_eq!(
        got,
        Array::Str(ArrayD::from_shape_vec(IxDyn(&[2, rows]), want).unwrap())
    );

    let (v, _) = leaf(&mut s, root, "t");
    let mut want: Vec<f64> = (0..RECORDS).map(|k| k as f64 * 0.5).collect();
    want.extend([100.0, 101.0]);
    assert_eq!(v, want);
    let (v, _) = leaf(&mut s, root, "rep");
    assert_eq!(v, [1.0, -2.0, 3.0, -4.0, 5.0]);
    let (id, _) = s.lookup(root, "text").unwrap().unwrap();
    assert_eq!(s.read(id, &[]).unwrap(), Array::scalar("hello".to_string()));
    let (id, _) = s.lookup(root, "flags").unwrap().unwrap();
    assert_eq!(
        s.read(id, &[Run::all(1), Run::all(3)]).unwrap(),
        Array::Bool(ArrayD::from_shape_vec(IxDyn(&[1, 3]), vec![true, false, true]).unwrap())
    );
    s.close().unwrap();
}

/// The same values through h5py, where it is installed.
fn check_with_h5py(path: &Path, p: usize) {
    let python = Path::new("/work/venv/bin/python");
    if !python.exists() {
        println!("skipped: h5py check (no /work/venv/bin/python)");
        return;
    }
    let script = r#"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
p = int(sys.argv[2])
assert int(f.attrs["ranks"]) == p
g = f["g"]
assert g.attrs["unit"] in ("m/s", b"m/s")
n = 4 * p + 1
i, j = np.meshgrid(np.arange(n), np.arange(3), indexing="ij")
assert np.array_equal(g["contig"][()], i * 10 + j)
m = 3 * p + 2
i, j = np.meshgrid(np.arange(m), np.arange(2), indexing="ij")
assert np.array_equal(f["scattered"][()], -(i * 100 + j))
assert f["scattered"].dtype == np.int32
i, j = np.meshgrid(np.arange(600), np.arange(2), indexing="ij")
assert np.array_equal(f["irregular"][()], -(i * 100 + j))
k, i = np.meshgrid(np.arange(3), np.arange(600), indexing="ij")
assert np.array_equal(f["irregular_field"][()], k * 1000 + i * 10)
assert np.array_equal(f["half"][()], [[7, 7], [0, 0], [0, 0]])
assert np.array_equal(f["zeros"][()], [0, 0, 0, 0])
rows = 2 * p + 1
k, i, j = np.meshgrid(np.arange(11), np.arange(rows), np.arange(2), indexing="ij")
assert np.array_equal(f["field"][()], k * 1000 + i * 10 + j)
assert f["field"].maxshape[0] is None
assert f["names"][1, 2 * p] == ("r1i%d" % (2 * p)).encode()
assert f["names"].shape == (2, rows)
assert np.array_equal(f["t"][()], list(np.arange(10) * 0.5) + [100, 101])
assert np.array_equal(f["rep"][()], [1, -2, 3, -4, 5])
assert f["text"][()] == b"hello"
assert np.array_equal(f["flags"][()], [[True, False, True]])
print("h5py ok")
"#;
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(path)
        .arg(p.to_string())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("No module named") {
        println!("skipped: h5py check (h5py is not installed)");
        return;
    }
    assert!(out.status.success(), "h5py reads the parallel file: {err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "h5py ok");
    println!("parallel: h5py reads the same values: ok");
}

/// New parallel files in a folder every process shares.
struct ParallelFiles<'w> {
    dir: PathBuf,
    world: &'w SimpleCommunicator,
    made: usize,
}

impl ParallelFiles<'_> {
    fn last(&self) -> PathBuf {
        self.dir.join(format!("c{}.h5", self.made - 1))
    }
}

impl Maker for ParallelFiles<'_> {
    type Storage = Hdf5Storage;
    fn create(&mut self) -> Hdf5Storage {
        let path = self.dir.join(format!("c{}.h5", self.made));
        self.made += 1;
        Hdf5Storage::create_parallel(&path, self.world.as_raw(), false).unwrap()
    }
    fn has_files(&self) -> bool {
        true
    }
    fn reopen(&mut self, mut s: Hdf5Storage) -> Hdf5Storage {
        s.close().unwrap();
        Hdf5Storage::open_parallel(&self.last(), true, self.world.as_raw()).unwrap()
    }
}

/// A folder every process shares: made by rank 0 (which keeps it until
/// the end), its path broadcast.
fn shared_dir(world: &SimpleCommunicator) -> (Option<tempfile::TempDir>, PathBuf) {
    let mut buf = [0u8; 4096];
    let dir = if world.rank() == 0 {
        let d = tempfile::tempdir().unwrap();
        let b = d.path().to_str().unwrap().as_bytes();
        buf[..b.len()].copy_from_slice(b);
        Some(d)
    } else {
        None
    };
    world.process_at_rank(0).broadcast_into(&mut buf[..]);
    let end = buf.iter().position(|&b| b == 0).unwrap();
    let path = PathBuf::from(std::str::from_utf8(&buf[..end]).unwrap());
    (dir, path)
}

/// A parallel file's storage moves between threads as a serial one does
/// (qnd's handles are `Send`).
fn storage_is_send() {
    fn send<T: Send>() {}
    send::<Hdf5Storage>();
}

fn main() {
    storage_is_send();
    // a failing process takes the others down rather than leaving them
    // waiting in a collective call
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default(info);
        SimpleCommunicator::world().abort(1);
    }));
    // without MPI running, parallel files are refused (no crash)
    let dir0 = tempfile::tempdir().unwrap();
    let world_handle = SimpleCommunicator::world().as_raw();
    let early = Hdf5Storage::create_parallel(&dir0.path().join("x.h5"), world_handle, true);
    assert!(early.is_err(), "a parallel file before MPI_Init is refused");
    let universe = mpi::initialize().expect("MPI initialised once");
    let world = universe.world();
    let (r, p) = (world.rank() as usize, world.size() as usize);
    let (_keep, dir) = shared_dir(&world);

    let path = dir.join("parts.h5");
    write_file(&path, &world);
    world.barrier();
    // opened again in parallel: one more record, by parts; then read-only,
    // every process reads every row alone
    reopen_file(&path, &world);
    world.barrier();
    if r == 0 {
        check_file(&path, p);
        check_with_h5py(&path, p);
        println!("parallel: parts, records, replicated data on {p} process(es): ok");
    }
    world.barrier();

    // not a parallel file: the serial contract holds (whole parts only)
    if r == 0 {
        let serial = dir.join("serial.h5");
        let mut s = Hdf5Storage::create(&serial).unwrap();
        let root = s.root();
        let id = s
            .create_leaf(root, "x", &spec(DType::F64, &[2], true))
            .unwrap();
        let half = Part::new(vec![Run::span(0, 1)], 2).unwrap();
        assert!(s
            .append_parts(id, &half, &f64s(&[1, 1], vec![1.0]))
            .is_err());
        s.append_parts(id, &Part::whole(2), &f64s(&[1, 2], vec![1.0, 2.0]))
            .unwrap();
        let leaf = s
            .create_leaf(root, "y", &spec(DType::F64, &[4], false))
            .unwrap();
        let part = Part::new(vec![Run::span(0, 1), Run::span(2, 2)], 4).unwrap();
        s.write_part(leaf, &part, &f64s(&[3], vec![1.0, 3.0, 4.0]))
            .unwrap();
        assert_eq!(
            to_f64(&s.read(leaf, &[Run::all(4)]).unwrap()),
            [1.0, 0.0, 3.0, 4.0]
        );
        s.close().unwrap();
    }

    // the storage conformance kit, every process calling every method
    // alike (so replicated data throughout)
    {
        let mut files = ParallelFiles {
            dir: dir.clone(),
            world: &world,
            made: 0,
        };
        run_all(&mut files);
        if r == 0 {
            println!("parallel: the storage conformance kit on parallel files: ok");
        }
    }
    world.barrier();
    drop(world);
    drop(universe);
    let late = Hdf5Storage::open_parallel(&dir0.path().join("x.h5"), false, world_handle);
    assert!(
        late.is_err(),
        "a parallel file after MPI_Finalize is refused"
    );
    if r == 0 {
        println!("parallel: all ok");
    }
}
