//! The MPI tests (feature `mpi`; `make test-mpi`): one binary that is both
//! the runner and the program every rank runs.
//!
//! - Run without arguments (`cargo test --features mpi --test mpi`, or with
//!   names of cases to run only those), it is the runner ([`runner`]): it
//!   starts itself under `mpirun -n 1`, `-n 2` and `-n 4` (with
//!   `--oversubscribe`), each job bounded by a timeout
//!   (`QND_MPI_TIMEOUT` seconds, 120 by default), and checks what the
//!   jobs printed and the files they wrote from this serial process: with
//!   serial qnd (`qnd::open(path, "r")`) and, when the Python that
//!   `QND_PYTHON` names (default `python3`) has it, h5py. Without `mpirun`
//!   it prints `skipped: ...` and passes.
//! - Run as `mpi rank CASE DIR` (by `mpirun`), it is one rank of case
//!   `CASE` ([`ranks`]), writing its files into `DIR`.
//!
//! The libtest harness is off (`harness = false`): MPI wants one process
//! per rank, not test threads.

#[path = "../common/mod.rs"]
mod common;

mod fields;
mod job;
mod ranks;
mod runner;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("rank") {
        ranks::main(&args[1..])
    } else {
        runner::main(&args)
    }
}
