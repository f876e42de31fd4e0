//! The runner: starts the cases under `mpirun` and checks their files from
//! this serial process.
//!
//! | test | ranks | what it proves |
//! | --- | --- | --- |
//! | `smoke` | 2 | MPI runs here (an allreduce) |
//! | `mpi_io` | 1, 2 | a wider field written through each MPI-IO of Open MPI (OMPIO, and ROMIO, which locks the ranges it writes) |
//! | `record` | 1, 2, 4 | `u1` (f8, uneven, a rank with no rows) and `u2` (i4, 2-d) recorded for 100 records with a replicated `time`, attributes, a root-only value and a single-rank write, read back exactly by serial qnd (and h5py), with goto and goto_nearest from every rank and here; the three files are the same tree |
//! | `scattered` | 1, 2, 4 | rows given by global indices (a permutation in uneven, out-of-order pieces, a rank with none), as a leaf and recorded; the three files are the same tree |
//! | `fail` | 2, 4 | a rank passing a part of the wrong shape, or NaN for an integer leaf, at record 50: every rank gets an error (`Error::Parallel` naming that rank on the others); the step kept nothing, so a retry records on; a netCDF file or an HDF5 family is refused on every rank; calls out of step are `Error::OutOfStep` on every rank |
//! | `panic` | 2 | a rank that panics ends the job (MPI_Abort) with a nonzero status, within the timeout |
//! | `durable` | 2 | the job killed with SIGKILL (every process, or rank 1 alone) between and inside flushes: after `qnd recover`, every record present is exact and the flushed ones are there |

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use ndarray::{Array1, Array2, Array3, Axis};
use qnd::QGroup;
use serde_json::Value as Json;

use crate::common::python::{Python, QndRef};
use crate::common::same_tree;
use crate::fields::{self, check_gotos, *};
use crate::job::{self, Ended, Job};

/// What every test gets.
struct Ctx {
    exe: PathBuf,
    dir: tempfile::TempDir,
    timeout: Duration,
}

impl Ctx {
    fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Start `case` on `ranks` ranks.
    fn start(&self, case: &str, ranks: usize) -> Job {
        Job::start(&self.exe, ranks, case, self.dir(), &[], self.timeout)
    }

    /// Run `case` on `ranks` ranks to its end, which must be a success.
    #[track_caller]
    fn run_ok(&self, case: &str, ranks: usize) -> Ended {
        self.run_ok_with(case, ranks, &[])
    }

    /// [`Ctx::run_ok`] with `env` added to the job's environment.
    #[track_caller]
    fn run_ok_with(&self, case: &str, ranks: usize, env: &[(&str, &str)]) -> Ended {
        let job = Job::start(&self.exe, ranks, case, self.dir(), env, self.timeout);
        let what = job.what.clone();
        let ended = job.wait();
        assert!(
            ended.success(),
            "{what}: {} after {:.1} s:\n{}",
            describe(&ended),
            ended.seconds,
            ended.output
        );
        for r in 0..ranks {
            let ok = format!("rank {r}: {case} ok");
            assert!(
                ended.output.lines().any(|l| l == ok),
                "{what}: no {ok:?} line:\n{}",
                ended.output
            );
        }
        ended
    }
}

fn describe(e: &Ended) -> String {
    match e.status {
        None => "killed at the timeout (a hang)".into(),
        Some(s) => format!("ended with {s}"),
    }
}

type Test = fn(&Ctx);

const TESTS: [(&str, Test); 7] = [
    ("smoke", smoke),
    ("mpi_io", mpi_io),
    ("record", record),
    ("scattered", scattered),
    ("fail", fail),
    ("panic", panic_ends_job),
    ("durable", durable),
];

pub fn main(args: &[String]) -> ExitCode {
    // cargo test passes libtest's options through; names filter the tests
    let filters: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if std::env::var_os("OMPI_COMM_WORLD_SIZE").is_some() || std::env::var_os("PMI_SIZE").is_some()
    {
        eprintln!("run this test without mpirun: it starts mpirun itself");
        return ExitCode::from(2);
    }
    if let Some(why) = job::missing() {
        println!("skipped: {why}");
        return ExitCode::SUCCESS;
    }
    let timeout = std::env::var("QND_MPI_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let ctx = Ctx {
        exe: std::env::current_exe().expect("the test binary's path"),
        dir: tempfile::tempdir().expect("a temporary folder"),
        timeout: Duration::from_secs(timeout),
    };
    let chosen: Vec<_> = TESTS
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f)))
        .collect();
    println!("\nrunning {} MPI tests", chosen.len());
    let mut failed = Vec::new();
    for (name, test) in chosen {
        let start = std::time::Instant::now();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| test(&ctx)));
        let secs = start.elapsed().as_secs_f64();
        match result {
            Ok(()) => println!("test mpi::{name} ... ok ({secs:.1} s)"),
            Err(_) => {
                println!("test mpi::{name} ... FAILED ({secs:.1} s)");
                failed.push(*name);
            }
        }
    }
    if failed.is_empty() {
        println!("\nMPI tests: ok");
        ExitCode::SUCCESS
    } else {
        println!("\nMPI tests failed: {failed:?}");
        ExitCode::FAILURE
    }
}

fn smoke(ctx: &Ctx) {
    let ended = ctx.run_ok("smoke", 2);
    assert!(ended.output.contains("rank 1: of 2"), "{}", ended.output);
}

/// Each MPI-IO implementation of Open MPI (OMPIO, ROMIO) writes a wider
/// field (`wide`), on 1 and 2 ranks. ROMIO locks the byte ranges it
/// writes when it sieves data: a lock of qnd's on the whole file would
/// deadlock it (as an early build of the parallel files did).
fn mpi_io(ctx: &Ctx) {
    let components = job::io_components();
    if components.is_empty() {
        println!("    skipped: not Open MPI (no ompi_info): the default MPI-IO only");
    }
    let mut runs: Vec<Option<&str>> = vec![None];
    runs.extend(components.iter().map(|c| Some(c.as_str())));
    for io in runs {
        for ranks in [1, 2] {
            let env: Vec<(&str, &str)> = io.map(|c| ("OMPI_MCA_io", c)).into_iter().collect();
            ctx.run_ok_with("wide", ranks, &env);
            let path = fields::file(ctx.dir(), "wide", ranks);
            let f = qnd::open(&path, "r").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            f.goto_off();
            let u: Array2<f64> = f.list("u").and_then(|l| l.read_all()).expect("u");
            let want = Array2::from_shape_fn((WIDE_RECORDS, WIDE), |(k, i)| wide(k, i));
            assert_eq!(u, want, "{} (MPI-IO {io:?})", path.display());
            f.close().expect("close");
            std::fs::remove_file(&path).expect("remove");
        }
        println!("    MPI-IO {}: ok", io.unwrap_or("(default)"));
    }
}

// ------------------------------------------------------------ record

fn record(ctx: &Ctx) {
    let mut files = Vec::new();
    for ranks in [1, 2, 4] {
        ctx.run_ok("record", ranks);
        let path = fields::file(ctx.dir(), "record", ranks);
        check_record_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        files.push(path);
    }
    same_files(&files);
    if let Some(py) = Python::find(&["h5py", "numpy"]) {
        for f in &files {
            check_record_h5py(&py, f);
        }
    }
    if let Some(reader) = python_qnd() {
        reader.assert_same_tree(&files[files.len() - 1]);
    }
}

/// LLNL's Python qnd as a reader (as in `tests/python_qnd.rs`): when
/// `QND_PYTHONPATH` names a folder holding its `qnd/` package and the
/// Python has numpy and h5py; otherwise print `skipped: ...`.
fn python_qnd() -> Option<QndRef> {
    let Some(dir) = std::env::var_os("QND_PYTHONPATH").map(PathBuf::from) else {
        println!(
            "skipped: Python qnd (QND_PYTHONPATH not set: a folder holding LLNL's qnd/ package)"
        );
        return None;
    };
    if !dir.join("qnd").join("ncf.py").is_file() {
        println!(
            "skipped: Python qnd (no qnd/ncf.py in QND_PYTHONPATH={})",
            dir.display()
        );
        return None;
    }
    let script = QndRef::script()?;
    let py = Python::find(&["numpy", "h5py"])?.with_pythonpath(dir);
    Some(QndRef { py, script })
}

/// Everything the `record` case wrote, read back with serial qnd.
fn check_record_file(path: &Path) -> qnd::Result<()> {
    let f = qnd::open(path, "r")?;
    f.goto_off();
    assert_eq!(f.read::<i64>("nx")?, N1 as i64, "nx");
    assert_eq!(f.read::<String>("host")?, "rank 0's", "host");
    assert_eq!(f.read::<String>("note")?, "written by rank 0 alone", "note");
    assert_eq!(
        f.attrs("")?.read::<String>("title")?.as_deref(),
        Some("qnd MPI test"),
        "the root's title"
    );
    assert_eq!(
        f.attrs("u1")?.read::<String>("units")?.as_deref(),
        Some("cm"),
        "u1's units"
    );
    let t: Array1<f64> = f.list("time")?.read_all()?;
    assert_eq!(t, Array1::from_iter((0..RECORDS).map(time)), "time");
    let u1: Array2<f64> = f.list("u1")?.read_all()?;
    assert_eq!(
        u1,
        Array2::from_shape_fn((RECORDS, N1), |(k, i)| fields::u1(k, i)),
        "u1"
    );
    let u2: Array3<i32> = f.list("u2")?.read_all()?;
    let want = Array3::from_shape_fn((RECORDS, N2, C2), |(k, i, j)| fields::u2(k, i, j));
    assert_eq!(u2, want, "u2");
    check_gotos(&f, 3)?;
    f.close()
}

/// The files hold the same tree, with the same attributes.
fn same_files(files: &[PathBuf]) {
    let first = &files[0];
    let want = tree_of(first);
    for f in &files[1..] {
        let got = tree_of(f);
        if let Err(e) = same_tree(&got.0, &want.0) {
            panic!("{} and {} differ at {e}", f.display(), first.display());
        }
        assert_eq!(
            got.1,
            want.1,
            "attributes of {} and {}",
            f.display(),
            first.display()
        );
    }
}

/// The whole tree (goto off) and every attribute (path, name, value),
/// walking groups.
fn tree_of(path: &Path) -> (qnd::Value, Vec<(String, String, qnd::Array)>) {
    fn attrs(g: &QGroup, at: &str, out: &mut Vec<(String, String, qnd::Array)>) -> qnd::Result<()> {
        for (name, a) in g.attrs("")?.items()? {
            out.push((at.to_string(), name, a));
        }
        for name in g.names()? {
            let here = format!("{at}/{name}");
            if let Ok(sub) = g.group(&name) {
                attrs(&sub, &here, out)?;
            } else {
                for (n, a) in g.attrs(&name)?.items()? {
                    out.push((here.clone(), n, a));
                }
            }
        }
        Ok(())
    }
    let f = qnd::open(path, "r").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    f.goto_off();
    let tree = f.to_value().expect("the whole tree");
    let mut a = Vec::new();
    attrs(&f, "", &mut a).expect("the attributes");
    f.close().expect("close");
    (tree, a)
}

/// h5py reads the datasets and attributes the `record` case wrote.
fn check_record_h5py(py: &Python, path: &Path) {
    let script = r#"
import sys, json, h5py
out = {}
with h5py.File(sys.argv[1], "r") as f:
    for name in ("time", "u1", "u2"):
        d = f[name]
        out[name] = {"shape": list(d.shape), "dtype": d.dtype.str, "data": d[()].ravel().tolist()}
    out["title"] = f.attrs["title"].decode() if isinstance(f.attrs["title"], bytes) else str(f.attrs["title"])
print(json.dumps(out))
"#;
    let text = py.run(script, &[&path]);
    let got: Json = serde_json::from_str(&text).expect("h5py's JSON");
    let data = |name: &str| -> Vec<f64> {
        got[name]["data"]
            .as_array()
            .unwrap_or_else(|| panic!("h5py: no {name}: {text}"))
            .iter()
            .map(|v| v.as_f64().expect("a number"))
            .collect()
    };
    let shape = |name: &str| got[name]["shape"].clone();
    assert_eq!(
        shape("time"),
        serde_json::json!([RECORDS]),
        "h5py: time's shape"
    );
    assert_eq!(
        shape("u1"),
        serde_json::json!([RECORDS, N1]),
        "h5py: u1's shape"
    );
    assert_eq!(
        shape("u2"),
        serde_json::json!([RECORDS, N2, C2]),
        "h5py: u2's shape"
    );
    assert_eq!(got["u2"]["dtype"], "<i4", "h5py: u2's dtype");
    assert_eq!(
        data("time"),
        (0..RECORDS).map(time).collect::<Vec<_>>(),
        "h5py: time"
    );
    let u1: Vec<f64> = (0..RECORDS).flat_map(fields::u1_whole).collect();
    assert_eq!(data("u1"), u1, "h5py: u1");
    let u2: Vec<f64> = (0..RECORDS)
        .flat_map(|k| fields::u2_whole(k).into_iter().map(f64::from))
        .collect();
    assert_eq!(data("u2"), u2, "h5py: u2");
    assert_eq!(got["title"], "qnd MPI test", "h5py: the root's title");
}

// ------------------------------------------------------------ scattered

fn scattered(ctx: &Ctx) {
    let mut files = Vec::new();
    for ranks in [1, 2, 4] {
        ctx.run_ok("scattered", ranks);
        let path = fields::file(ctx.dir(), "scattered", ranks);
        let f = qnd::open(&path, "r").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        f.goto_off();
        let s0: Array2<f64> = f.read("s0").expect("s0");
        assert_eq!(s0, s_whole(usize::MAX), "{}: s0", path.display());
        let s: Array3<f64> = f.list("s").and_then(|l| l.read_all()).expect("s");
        assert_eq!(
            s.len_of(Axis(0)),
            SCATTERED_RECORDS,
            "{}: records of s",
            path.display()
        );
        for (k, rec) in s.outer_iter().enumerate() {
            assert_eq!(rec, s_whole(k), "{}: s at record {k}", path.display());
        }
        f.close().expect("close");
        files.push(path);
    }
    same_files(&files);
}

// ------------------------------------------------------------ failures

fn fail(ctx: &Ctx) {
    for ranks in [2, 4] {
        let ended = ctx.run_ok("fail", ranks);
        for how in ["shape", "nan", "format", "step"] {
            for r in 0..ranks {
                let line = match how {
                    "step" => format!("rank {r}: step: error: "),
                    "format" => format!("rank {r}: format: refused%d.h5: "),
                    _ => format!("rank {r}: {how}: error at record {FAIL_AT}: "),
                };
                assert!(
                    ended.output.lines().any(|l| l.starts_with(&line)),
                    "-n {ranks}: no {line:?} line:\n{}",
                    ended.output
                );
            }
            if how == "format" {
                for name in ["refused.nc", "refused%d.h5", "refused0.h5"] {
                    let p = ctx.dir().join(name);
                    assert!(!p.exists(), "{}: a refused open made a file", p.display());
                }
            }
            if how == "step" || how == "format" {
                continue;
            }
            // the failed step kept nothing, its retry stored the record once
            let path = ctx.dir().join(format!("fail_{how}.{ranks}.h5"));
            let f = qnd::open(&path, "r")
                .unwrap_or_else(|e| panic!("{}: {e}\n{}", path.display(), ended.output));
            f.goto_off();
            let t: Array1<f64> = f.list("time").and_then(|l| l.read_all()).expect("time");
            assert_eq!(
                t,
                Array1::from_iter((0..RECORDS).map(time)),
                "{}: time",
                path.display()
            );
            let u2: Array3<i32> = f.list("u2").and_then(|l| l.read_all()).expect("u2");
            let want = Array3::from_shape_fn((RECORDS, N2, C2), |(k, i, j)| fields::u2(k, i, j));
            assert_eq!(u2, want, "{}: u2", path.display());
            f.close().expect("close");
        }
        println!(
            "    -n {ranks}: every rank got each error, in {:.1} s",
            ended.seconds
        );
    }
}

fn panic_ends_job(ctx: &Ctx) {
    let job = ctx.start("panic", 2);
    let ended = job.wait();
    assert!(
        ended.status.is_some(),
        "a panicking rank left the job hanging until the timeout ({:.0} s):\n{}",
        ended.seconds,
        ended.output
    );
    assert!(
        !ended.success(),
        "the job of a panicking rank ended with status 0:\n{}",
        ended.output
    );
    assert!(
        ended.output.contains("panics on purpose"),
        "rank 1's panic message is missing:\n{}",
        ended.output
    );
    println!(
        "    the job ended ({}) in {:.1} s",
        describe(&ended),
        ended.seconds
    );
}

// ------------------------------------------------------------ durability

/// Kill the job (SIGKILL to mpirun and every rank) right after `flushed K`
/// and right after `flushing K` (inside a flush, when the kill is quick
/// enough), or kill rank 1 alone (Open MPI then ends the job); then
/// recover the file and check every record present, and that at least
/// the flushed ones are.
fn durable(ctx: &Ctx) {
    let path = fields::file(ctx.dir(), "durable", 2);
    let kills = [
        ("flushed", 30, "job"),
        ("flushing", 50, "job"),
        ("flushed", 70, "job"),
        ("flushing", 90, "job"),
        ("flushing", 110, "job"),
        ("flushed", 150, "job"),
        ("flushed", 40, "rank 1"),
        ("flushing", 60, "rank 1"),
    ];
    for (after, target, whom) in kills {
        let mut job = ctx.start("durable", 2);
        let mut flushed = 0;
        let mut rank1 = None;
        loop {
            let Some(line) = job.next_line() else {
                let ended = job.kill();
                panic!(
                    "the recorder stopped or hung before {after} {target} ({}):\n{}",
                    describe(&ended),
                    ended.output
                );
            };
            if let Some(k) = line.strip_prefix("flushed ") {
                flushed = k.parse().expect("a record count");
            }
            if let Some(pid) = line.strip_prefix("rank 1: pid ") {
                rank1 = Some(pid.to_string());
            }
            if line == format!("{after} {target}") {
                break;
            }
        }
        let ended = if whom == "job" {
            job.kill()
        } else {
            let pid = rank1.expect("rank 1 printed its process id");
            let killed = std::process::Command::new("kill")
                .args(["-KILL", &pid])
                .status()
                .is_ok_and(|s| s.success());
            assert!(killed, "kill -KILL {pid} (rank 1) failed");
            let ended = job.wait();
            assert!(
                ended.status.is_some() && !ended.success(),
                "killing rank 1 did not end the job by itself ({}):\n{}",
                describe(&ended),
                ended.output
            );
            ended
        };
        assert!(
            !ended.output.contains("panicked"),
            "a rank panicked:\n{}",
            ended.output
        );
        // what a serial reader finds before any repair
        let before = match qnd::open(&path, "r") {
            Ok(f) => {
                let n = f.list("time").and_then(|l| l.len());
                let _ = f.close();
                format!("opens ({n:?} records of time)")
            }
            Err(e) => format!("does not open ({e})"),
        };
        let report = qnd::recover(&path)
            .unwrap_or_else(|e| panic!("recover {}: {e}\n{}", path.display(), ended.output));
        assert!(
            report.is_readable(),
            "{}: after recover:\n{report}",
            path.display()
        );
        let f = qnd::open(&path, "r").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        f.goto_off();
        let t: Array1<f64> = f.list("time").and_then(|l| l.read_all()).expect("time");
        let u1: Array2<f64> = f.list("u1").and_then(|l| l.read_all()).expect("u1");
        let u2: Array3<i32> = f.list("u2").and_then(|l| l.read_all()).expect("u2");
        f.close().expect("close");
        let counts = [t.len(), u1.nrows(), u2.len_of(Axis(0))];
        assert!(
            counts.iter().all(|&n| n >= flushed),
            "killed after {after} {target}: records (time, u1, u2) {counts:?}, fewer than the {flushed} flushed"
        );
        for (k, &x) in t.iter().enumerate() {
            assert_eq!(x, time(k), "time at record {k}");
        }
        for (k, rec) in u1.outer_iter().enumerate() {
            assert_eq!(rec.to_vec(), u1_whole(k), "u1 at record {k}");
        }
        for (k, rec) in u2.outer_iter().enumerate() {
            assert_eq!(rec, u2_whole(k), "u2 at record {k}");
        }
        println!(
            "    {whom} killed after {after} {target}: {flushed} flushed; before recover the file {before}; \
             recover: {:?}; then records (time, u1, u2) {counts:?}",
            report.repairs
        );
    }
}
