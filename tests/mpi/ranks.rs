//! What each rank runs (`mpi rank CASE DIR`, started by the runner under
//! `mpirun`). A case checks what it can from inside the job (every rank's
//! errors, reads from every rank) and prints `rank R: ...` lines the
//! runner checks; a failed check panics, which ends the job (qnd's
//! parallel files call `MPI_Abort` on a panic) with a nonzero status.

use std::path::PathBuf;
use std::process::ExitCode;

use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use ndarray::Array2;
use qnd::{Error, Mode, OpenOptions, Parallel, Recording, Value};

use crate::fields::{self, *};

/// The world, this rank and the rank count.
struct Ctx {
    world: SimpleCommunicator,
    rank: usize,
    ranks: usize,
    dir: PathBuf,
}

impl Ctx {
    fn file(&self, case: &str) -> PathBuf {
        fields::file(&self.dir, case, self.ranks)
    }

    fn say(&self, what: impl std::fmt::Display) {
        println!("rank {}: {what}", self.rank);
    }
}

pub fn main(args: &[String]) -> ExitCode {
    let [case, dir] = args else {
        eprintln!("usage: mpi rank CASE DIR");
        return ExitCode::from(2);
    };
    let Some(universe) = mpi::initialize() else {
        eprintln!("MPI is already initialized");
        return ExitCode::FAILURE;
    };
    let world = universe.world();
    let ctx = Ctx {
        rank: world.rank() as usize,
        ranks: world.size() as usize,
        world,
        dir: PathBuf::from(dir),
    };
    let result = match case.as_str() {
        "smoke" => smoke(&ctx),
        "record" => record(&ctx),
        "scattered" => scattered(&ctx),
        "wide" => wide_case(&ctx),
        "fail" => fail(&ctx),
        "panic" => panic_case(&ctx),
        "durable" => durable(&ctx),
        _ => {
            eprintln!("unknown case {case:?}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => {
            ctx.world.barrier();
            ctx.say(format!("{case} ok"));
            ExitCode::SUCCESS
        }
        // an unexpected error: end the job (the others may be waiting)
        Err(e) => panic!("rank {}: {case}: {e}", ctx.rank),
    }
}

/// MPI itself works: the ranks add up their numbers.
fn smoke(ctx: &Ctx) -> qnd::Result<()> {
    let mut sum = 0u64;
    ctx.world.all_reduce_into(
        &(ctx.rank as u64 + 1),
        &mut sum,
        mpi::collective::SystemOperation::sum(),
    );
    let n = ctx.ranks as u64;
    assert_eq!(sum, n * (n + 1) / 2, "allreduce");
    ctx.say(format!("of {}", ctx.ranks));
    Ok(())
}

/// `u1` (f8, contiguous, uneven, a rank with no rows on 4 ranks) and `u2`
/// (i4, [N2, C2]) recorded for RECORDS records with a replicated `time`,
/// replicated attributes, a root-only value and a single-rank write; then
/// goto and goto_nearest from every rank, through a parallel and a serial
/// open.
fn record(ctx: &Ctx) -> qnd::Result<()> {
    let path = ctx.file("record");
    let (rank, ranks) = (ctx.rank, ctx.ranks);
    let f = qnd::open_parallel(&path, "w", &ctx.world)?;
    assert_eq!((f.rank(), f.ranks()), (rank, ranks), "rank() and ranks()");
    let l1 = f.layout(sizes1(ranks)[rank])?;
    let l2 = f.layout(sizes2(ranks)[rank])?;
    f.set("nx", N1 as i64)?;
    f.attrs("")?.set("title", "qnd MPI test")?;
    f.set_from_root("host", (rank == 0).then(|| Value::from("rank 0's")))?;
    f.set_recording(Recording::Uniform);
    for k in 0..RECORDS {
        f.set("time", time(k))?;
        f.set_part("u1", u1_part(k, rank, ranks), &l1)?;
        f.set_part("u2", u2_part(k, rank, ranks), &l2)?;
        if k == 0 {
            f.attrs("u1")?.set("units", "cm")?;
        }
        if k == FLUSH_AT {
            f.flush()?;
        }
    }
    f.close()?;
    // one rank writes alone, to the closed file, with serial qnd
    let comm = qnd::parallel::MpiComm::new(&ctx.world);
    let wrote = qnd::parallel::single_rank(&comm, 0, || {
        let g = qnd::open(&path, "r+")?;
        g.set("note", "written by rank 0 alone")?;
        g.close()?;
        Ok(rank)
    })?;
    assert_eq!(
        wrote,
        (rank == 0).then_some(0),
        "single_rank: the root's result"
    );

    // every rank reads, through a parallel open ...
    let f = qnd::open_parallel(&path, "r", &ctx.world)?;
    check_gotos(&f, ctx.rank)?;
    f.close()?;
    ctx.world.barrier();
    // ... and through a serial one, all at once
    let f = qnd::open(&path, "r")?;
    check_gotos(&f, ctx.rank)?;
    let note: String = f.read("note")?;
    assert_eq!(note, "written by rank 0 alone");
    f.close()?;
    ctx.say("record read back");
    Ok(())
}

/// A field of WIDE f8 rows, spread evenly, recorded for WIDE_RECORDS
/// records (with the MPI-IO implementation the runner picked).
fn wide_case(ctx: &Ctx) -> qnd::Result<()> {
    let (rank, ranks) = (ctx.rank, ctx.ranks);
    let sizes = even(WIDE, ranks);
    let first = first_row(&sizes, rank);
    let f = qnd::open_parallel(ctx.file("wide"), "w", &ctx.world)?;
    let layout = f.layout(sizes[rank])?;
    f.set_recording(Recording::Uniform);
    for k in 0..WIDE_RECORDS {
        f.set("time", time(k))?;
        let part = ndarray::Array1::from_iter((first..first + sizes[rank]).map(|i| wide(k, i)));
        f.set_part("u", part, &layout)?;
    }
    f.close()
}

/// Scattered rows: a permutation of the rows cut into uneven pieces (a
/// rank with none on 4 ranks), each out of order; once as a plain leaf and
/// once recorded. Opened through `OpenOptions::parallel`.
fn scattered(ctx: &Ctx) -> qnd::Result<()> {
    let path = ctx.file("scattered");
    let (rank, ranks) = (ctx.rank, ctx.ranks);
    // the other way to open in parallel: OpenOptions::parallel
    let options = OpenOptions {
        parallel: Some(Parallel::mpi(&ctx.world)),
        ..OpenOptions::new(Mode::Create)
    };
    let f = qnd::open_with(&path, &options)?;
    assert_eq!((f.rank(), f.ranks()), (rank, ranks), "rank() and ranks()");
    let layout = f.scattered(&scattered_rows(rank, ranks))?;
    f.set_part("s0", s_part(usize::MAX, rank, ranks), &layout)?;
    f.set_recording(Recording::Uniform);
    for k in 0..SCATTERED_RECORDS {
        f.set("time", time(k))?;
        f.set_part("s", s_part(k, rank, ranks), &layout)?;
    }
    f.close()?;
    let f = qnd::open(&path, "r")?;
    assert_eq!(f.read::<Array2<f64>>("s0")?, s_whole(usize::MAX), "s0");
    let k = (rank * 7 + 3) % SCATTERED_RECORDS;
    f.goto(k as isize);
    assert_eq!(f.read::<Array2<f64>>("s")?, s_whole(k), "s at record {k}");
    f.close()
}

/// One rank fails at record FAIL_AT, by a part of the wrong shape and by
/// a NaN for an integer leaf: every rank gets an error, rank 1's own and
/// `Error::Parallel` naming rank 1 on the others, and no rank hangs. The
/// failed step wrote nothing: every rank retries it with the right part
/// and records on to the end. A netCDF file and an HDF5 family are
/// refused. Then rank 1 calls something else than the others
/// (`Error::OutOfStep`).
fn fail(ctx: &Ctx) -> qnd::Result<()> {
    let (rank, ranks) = (ctx.rank, ctx.ranks);
    let bad = 1.min(ranks - 1);
    for how in ["shape", "nan"] {
        let path = ctx.dir.join(format!("fail_{how}.{ranks}.h5"));
        let f = qnd::open_parallel(&path, "w", &ctx.world)?;
        let l1 = f.layout(sizes1(ranks)[rank])?;
        let l2 = f.layout(sizes2(ranks)[rank])?;
        f.set_recording(Recording::Uniform);
        let mut failed = None;
        for k in 0..RECORDS {
            f.set("time", time(k))?;
            f.set_part("u1", u1_part(k, rank, ranks), &l1)?;
            let part = u2_part(k, rank, ranks);
            let result = if rank == bad && k == FAIL_AT {
                let rows = part.nrows();
                match how {
                    "shape" => f.set_part("u2", Array2::<i32>::zeros((rows, C2 + 1)), &l2),
                    _ => f.set_part("u2", part.mapv(|_| f64::NAN), &l2),
                }
            } else {
                f.set_part("u2", part.clone(), &l2)
            };
            if let Err(e) = result {
                assert!(failed.is_none(), "{how}: a second error at record {k}: {e}");
                match &e {
                    Error::Parallel { rank: r, .. } => {
                        assert_ne!(
                            rank, bad,
                            "{how}: the failing rank got Error::Parallel: {e}"
                        );
                        assert_eq!(*r, bad, "{how}: Error::Parallel names rank {r}: {e}");
                    }
                    _ => assert_eq!(rank, bad, "{how}: rank {rank} got its own error: {e}"),
                }
                ctx.say(format!("{how}: error at record {k}: {e}"));
                failed = Some(k);
                // nothing of the failed step was kept: the retry stores it once
                f.set_part("u2", part, &l2)?;
            }
        }
        assert_eq!(
            failed,
            Some(FAIL_AT),
            "{how}: the error came at record {failed:?}"
        );
        f.close()?;
        ctx.say(format!("{how}: recorded on and closed"));
    }

    // files that cannot be written in parallel: refused on every rank
    for name in ["refused.nc", "refused%d.h5"] {
        let e = qnd::open_parallel(ctx.dir.join(name), "w", &ctx.world)
            .expect_err("a netCDF file or an HDF5 family opened in parallel");
        assert!(matches!(e, Error::Format { .. }), "{name}: {e}");
        ctx.say(format!("format: {name}: {e}"));
    }

    // out of step: rank `bad` sets another name than the others
    let f = qnd::open_parallel(
        ctx.dir.join(format!("fail_step.{ranks}.h5")),
        "w",
        &ctx.world,
    )?;
    f.set("a", 1.0)?;
    let name = if rank == bad { "c" } else { "b" };
    let e = f
        .set(name, 2.0)
        .expect_err("calls out of step are an error on every rank");
    assert!(matches!(e, Error::OutOfStep { .. }), "out of step: {e}");
    ctx.say(format!("step: error: {e}"));
    match f.close() {
        Ok(()) => ctx.say("step: closed"),
        Err(e) => ctx.say(format!("step: close: {e}")),
    }
    Ok(())
}

/// Rank 1 panics before record PANIC_AT while the others go on into the
/// collective write: the job must end (MPI_Abort), not hang.
fn panic_case(ctx: &Ctx) -> qnd::Result<()> {
    let (rank, ranks) = (ctx.rank, ctx.ranks);
    let f = qnd::open_parallel(ctx.file("panic"), "w", &ctx.world)?;
    let l1 = f.layout(sizes1(ranks)[rank])?;
    f.set_recording(Recording::Uniform);
    for k in 0..RECORDS {
        if rank == 1 && k == PANIC_AT {
            panic!("rank 1 panics on purpose at record {k}");
        }
        f.set("time", time(k))?;
        f.set_part("u1", u1_part(k, rank, ranks), &l1)?;
        f.flush()?;
    }
    ctx.say("recorded every record: rank 1 did not panic?");
    f.close()
}

/// Records until killed, flushing every 10 records; rank 0 prints
/// `flushing K` and `flushed K` around each flush (K records so far).
/// Each record waits a millisecond first, so that the runner's kill comes
/// within a few records of the line it reacts to.
fn durable(ctx: &Ctx) -> qnd::Result<()> {
    let (rank, ranks) = (ctx.rank, ctx.ranks);
    println!("rank {rank}: pid {}", std::process::id());
    let f = qnd::open_parallel(ctx.file("durable"), "w", &ctx.world)?;
    let l1 = f.layout(sizes1(ranks)[rank])?;
    let l2 = f.layout(sizes2(ranks)[rank])?;
    f.set_recording(Recording::Uniform);
    for k in 0..1_000_000 {
        std::thread::sleep(std::time::Duration::from_millis(1));
        f.set("time", time(k))?;
        f.set_part("u1", u1_part(k, rank, ranks), &l1)?;
        f.set_part("u2", u2_part(k, rank, ranks), &l2)?;
        if (k + 1) % 10 == 0 {
            if rank == 0 {
                println!("flushing {}", k + 1);
            }
            f.flush()?;
            if rank == 0 {
                println!("flushed {}", k + 1);
            }
        }
    }
    f.close()
}
