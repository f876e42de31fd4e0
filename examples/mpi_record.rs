//! Benchmark: recording a distributed field under MPI.
//!
//! Every rank holds a contiguous part of a field of `--n` f8 values (1e6 by
//! default; the first `n % ranks` ranks hold one more) and records it, with a
//! replicated `time`, for `--records` records (200), in three ways:
//!
//! - `parallel`: one HDF5 file opened by every rank with
//!   [`qnd::open_parallel`]; each record is appended with
//!   [`QGroup::set_part`](qnd::QGroup::set_part) (collective, through
//!   MPI-IO);
//! - `per_rank`: each rank records its own part to its own file with serial
//!   qnd (`NAME.RANK.h5`): no communication, but `ranks` files to stitch
//!   together afterwards;
//! - `gather`: each record is gathered to rank 0 (`MPI_Gatherv`), which
//!   records the whole field with serial qnd.
//!
//! Each case runs `--runs` times (5), going round the cases, and rank 0
//! prints the median seconds (from a barrier before the open to a barrier
//! after the close), the MB/s that gives (field bytes only:
//! `n * 8 * records / seconds / 1e6`) and the fastest and slowest run. Files go to `--dir` (the system's
//! temporary folder by default) and are removed after each run. Run it in
//! a release build under mpirun, once per rank count:
//!
//! ```sh
//! make bench-mpi        # mpirun -n 1, 2, 4 of:
//! mpirun -n 4 target/mpi/release/examples/mpi_record [--n N] [--records R] [--runs K] [--dir DIR] [--cases parallel,per_rank,gather]
//! ```
//!
//! The file's data is written to the page cache (no fsync), as in the
//! serial recording benchmark.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use mpi::datatype::PartitionMut;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use ndarray::Array1;
use qnd::Recording;

/// One way to record the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Parallel,
    PerRank,
    Gather,
}

impl Case {
    fn name(self) -> &'static str {
        match self {
            Case::Parallel => "parallel",
            Case::PerRank => "per_rank",
            Case::Gather => "gather",
        }
    }

    fn parse(s: &str) -> Option<Case> {
        [Case::Parallel, Case::PerRank, Case::Gather]
            .into_iter()
            .find(|c| c.name() == s)
    }
}

/// The command line.
struct Args {
    n: usize,
    records: usize,
    runs: usize,
    dir: PathBuf,
    cases: Vec<Case>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        n: 1_000_000,
        records: 200,
        runs: 5,
        dir: std::env::temp_dir(),
        cases: vec![Case::Parallel, Case::PerRank, Case::Gather],
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--n" => args.n = number(&value()?)?,
            "--records" => args.records = number(&value()?)?,
            "--runs" => args.runs = number::<usize>(&value()?)?.max(1),
            "--dir" => args.dir = PathBuf::from(value()?),
            "--cases" => {
                args.cases = value()?
                    .split(',')
                    .map(|c| Case::parse(c).ok_or(format!("unknown case {c:?}")))
                    .collect::<Result<_, _>>()?
            }
            _ => return Err(format!("unknown argument {a:?}")),
        }
    }
    Ok(args)
}

fn number<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.replace('_', "")
        .parse()
        .map_err(|_| format!("not a number: {s:?}"))
}

/// The rows rank `rank` of `ranks` holds of `n`: (first row, count).
fn my_rows(n: usize, rank: usize, ranks: usize) -> (usize, usize) {
    let base = n / ranks;
    let extra = n % ranks;
    let count = base + usize::from(rank < extra);
    let first = rank * base + rank.min(extra);
    (first, count)
}

fn main() -> ExitCode {
    let Some(universe) = mpi::initialize() else {
        eprintln!("mpi_record: MPI is already initialized");
        return ExitCode::FAILURE;
    };
    let world = universe.world();
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if world.rank() == 0 {
                eprintln!("mpi_record: {e}");
            }
            return ExitCode::from(2);
        }
    };
    match run(&world, &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mpi_record: rank {}: {e}", world.rank());
            // the others may be waiting in a collective call
            world.abort(1)
        }
    }
}

fn run(world: &SimpleCommunicator, args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let rank = world.rank() as usize;
    let ranks = world.size() as usize;
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); args.cases.len()];
    // file names shared by every rank: rank 0's process id
    let mut id = std::process::id();
    world.process_at_rank(0).broadcast_into(&mut id);
    for _ in 0..args.runs {
        for (i, &case) in args.cases.iter().enumerate() {
            let path = args
                .dir
                .join(format!("qnd_mpi_record_{}_{ranks}_{}.h5", case.name(), id));
            world.barrier();
            let start = Instant::now();
            match case {
                Case::Parallel => parallel(world, &path, args)?,
                Case::PerRank => per_rank(world, &path, args)?,
                Case::Gather => gather(world, &path, args)?,
            }
            world.barrier();
            times[i].push(start.elapsed().as_secs_f64());
            remove(&path, case, rank, ranks);
            world.barrier();
        }
    }
    if rank == 0 {
        let mb = (args.n * 8 * args.records) as f64 / 1e6;
        println!(
            "ranks {ranks}, {} f8 per record x {} records ({mb:.0} MB), median of {} runs",
            args.n, args.records, args.runs
        );
        println!(
            "{:<10} {:>9} {:>8} {:>15}",
            "case", "seconds", "MB/s", "min-max (s)"
        );
        for (case, t) in args.cases.iter().zip(&mut times) {
            let m = median(t);
            let (lo, hi) = (t[0], t[t.len() - 1]);
            println!(
                "{:<10} {m:>9.3} {:>8.0} {:>15}",
                case.name(),
                mb / m,
                format!("{lo:.3}-{hi:.3}")
            );
        }
    }
    Ok(())
}

/// Remove what a run wrote (a missing file is no error).
fn remove(path: &Path, case: Case, rank: usize, ranks: usize) {
    match case {
        Case::PerRank => {
            let _ = std::fs::remove_file(per_rank_path(path, rank));
        }
        Case::Parallel | Case::Gather => {
            if rank == 0 {
                let _ = std::fs::remove_file(path);
            }
        }
    }
    let _ = ranks;
}

fn median(t: &mut [f64]) -> f64 {
    t.sort_by(f64::total_cmp);
    let n = t.len();
    if n % 2 == 1 {
        t[n / 2]
    } else {
        (t[n / 2 - 1] + t[n / 2]) / 2.0
    }
}

/// This rank's part of the field at record 0: its global row indices.
fn local_field(world: &SimpleCommunicator, n: usize) -> Array1<f64> {
    let (first, count) = my_rows(n, world.rank() as usize, world.size() as usize);
    Array1::from_iter((first..first + count).map(|i| i as f64))
}

/// `path` with the rank before the extension: `x.h5` -> `x.RANK.h5`.
fn per_rank_path(path: &Path, rank: usize) -> PathBuf {
    path.with_extension(format!("{rank}.h5"))
}

/// Every rank records its part to its own file.
fn per_rank(world: &SimpleCommunicator, path: &Path, args: &Args) -> qnd::Result<()> {
    let rank = world.rank() as usize;
    let mut u = local_field(world, args.n);
    let f = qnd::open(per_rank_path(path, rank), "w")?;
    f.set_recording(Recording::Uniform);
    for k in 0..args.records {
        f.set("time", k as f64)?;
        f.set("u", u.view())?;
        u += 1.0;
    }
    f.close()
}

/// Each record is gathered to rank 0, which records the whole field.
fn gather(world: &SimpleCommunicator, path: &Path, args: &Args) -> qnd::Result<()> {
    let rank = world.rank() as usize;
    let ranks = world.size() as usize;
    let root = world.process_at_rank(0);
    let mut u = local_field(world, args.n);
    if rank != 0 {
        for _ in 0..args.records {
            root.gather_varcount_into(u.as_slice().expect("contiguous"));
            u += 1.0;
        }
        return Ok(());
    }
    let counts: Vec<i32> = (0..ranks)
        .map(|r| my_rows(args.n, r, ranks).1 as i32)
        .collect();
    let displs: Vec<i32> = (0..ranks)
        .map(|r| my_rows(args.n, r, ranks).0 as i32)
        .collect();
    let mut whole = Array1::<f64>::zeros(args.n);
    let f = qnd::open(path, "w")?;
    f.set_recording(Recording::Uniform);
    for k in 0..args.records {
        {
            let buf = whole.as_slice_mut().expect("contiguous");
            let mut part = PartitionMut::new(buf, &counts[..], &displs[..]);
            root.gather_varcount_into_root(u.as_slice().expect("contiguous"), &mut part);
        }
        f.set("time", k as f64)?;
        f.set("u", whole.view())?;
        u += 1.0;
    }
    f.close()
}

/// One parallel file: every rank appends its part of each record.
fn parallel(world: &SimpleCommunicator, path: &Path, args: &Args) -> qnd::Result<()> {
    let mut u = local_field(world, args.n);
    let f = qnd::open_parallel(path, "w", world)?;
    let layout = f.layout(u.len())?;
    f.set_recording(Recording::Uniform);
    for k in 0..args.records {
        f.set("time", k as f64)?;
        f.set_part("u", u.view(), &layout)?;
        u += 1.0;
    }
    f.close()
}
