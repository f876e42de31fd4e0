//! One file written by many processes: MPI ranks recording one history
//! together through parallel HDF5.
//!
//! A file opened in parallel (`qnd::open_parallel` with
//! the `mpi` feature, or [`OpenOptions::parallel`](crate::OpenOptions::parallel))
//! is open in every process of a communicator, and every process holds
//! the same tree. Two kinds of call write it:
//!
//! - **collective** calls, which every process makes, in the same order,
//!   with the same arguments: creating and declaring items (`set` of a new
//!   name, `declare`, `create_group`, `require_*`), `set` of a value every
//!   process holds the same (a *replicated* value: the time, a parameter),
//!   attributes, links and removal, recording mode changes, `flush` and
//!   `close`. Writes of replicated values put their data in the file once
//!   (from rank 0).
//! - **distributed** writes ([`QGroup::set_part`](crate::QGroup::set_part)),
//!   also collective, where each process passes its own part of a global
//!   array: rows laid out one rank after the other ([`QGroup::layout`](crate::QGroup::layout))
//!   or scattered by global row indices ([`QGroup::scattered`](crate::QGroup::scattered)).
//!
//! Reads are not collective: any process reads anything, alone (goto and
//! `goto_nearest` included).
//!
//! Every collective call ends by combining the outcome of every process:
//! a call that fails on one process fails on all of them (the others get
//! [`Error::Parallel`], naming the rank and its
//! error), rather than leaving them waiting. Before each step that touches
//! the file or the record buffers, the processes compare a hash of the
//! call (its kind, the item's path and name, the group's recording mode):
//! processes calling different things get [`Error::OutOfStep`]
//! before anything is written. The checks cost one small all-reduce per
//! step (microseconds on one node).
//!
//! The communication itself goes through [`Comm`]: MPI with the `mpi`
//! feature, or [`SingleProcess`], a communicator of one (what every
//! C-free build and the conformance tests use).

pub(crate) mod codec;
pub(crate) mod layout;
pub(crate) mod lockstep;
#[cfg(feature = "mpi")]
mod mpi;
#[cfg(feature = "mpi")]
mod raw;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{Error, Result};

pub use layout::Layout;
pub(crate) use lockstep::Lockstep;
#[cfg(feature = "mpi")]
pub use mpi::{open_parallel, MpiComm};

/// The communication a file written by several processes needs: a few
/// collective operations over the processes of a communicator. Every
/// process calls each of them, in the same order.
///
/// Implemented by [`SingleProcess`] and, with the `mpi` feature, by
/// `MpiComm` (any rsmpi communicator).
pub trait Comm: Send + Sync {
    /// This process's rank (0-based).
    fn rank(&self) -> usize;
    /// How many processes.
    fn size(&self) -> usize;
    /// The element-wise maximum of `words` over every process, in place.
    fn all_max(&self, words: &mut [u64]);
    /// `x` of every process, by rank.
    fn all_gather(&self, x: u64) -> Vec<u64>;
    /// `xs` of every process (of any length), concatenated in rank order.
    fn all_gather_v(&self, xs: &[u64]) -> Vec<u64>;
    /// The bytes of process `root` in `bytes` on every process.
    fn broadcast(&self, root: usize, bytes: &mut Vec<u8>);
    /// Wait for every process.
    fn barrier(&self);
    /// End every process of the job at once (`MPI_Abort`); what a
    /// process that panics does, so that the others do not wait for it
    /// forever.
    fn abort(&self, code: i32) -> !;
    /// The MPI communicator parallel HDF5 opens files with; `None` for
    /// a communicator of one process that is not MPI's (files are then
    /// opened as usual).
    #[cfg(feature = "mpi")]
    fn mpi(&self) -> Option<::mpi::ffi::MPI_Comm> {
        None
    }
}

/// A communicator of one process: a file opened with it is an ordinary
/// file, and every collective call runs the checks a parallel file runs,
/// trivially. What builds without MPI use, and what tests of code written
/// for MPI run on.
#[derive(Clone, Copy, Debug, Default)]
pub struct SingleProcess;

impl Comm for SingleProcess {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn all_max(&self, _words: &mut [u64]) {}
    fn all_gather(&self, x: u64) -> Vec<u64> {
        vec![x]
    }
    fn all_gather_v(&self, xs: &[u64]) -> Vec<u64> {
        xs.to_vec()
    }
    fn broadcast(&self, _root: usize, _bytes: &mut Vec<u8>) {}
    fn barrier(&self) {}
    fn abort(&self, code: i32) -> ! {
        std::process::exit(code)
    }
}

/// The processes a file is opened by (see the [module docs](self)): the
/// value of [`OpenOptions::parallel`](crate::OpenOptions::parallel).
#[derive(Clone)]
pub struct Parallel(pub(crate) Arc<dyn Comm>);

impl Parallel {
    /// Open files with communicator `comm`.
    pub fn new(comm: impl Comm + 'static) -> Parallel {
        Parallel(Arc::new(comm))
    }

    /// A communicator of one process ([`SingleProcess`]).
    pub fn single() -> Parallel {
        Parallel::new(SingleProcess)
    }

    /// Open files with (a duplicate of) MPI communicator `comm`, for
    /// parallel HDF5 (feature `mpi`).
    #[cfg(feature = "mpi")]
    pub fn mpi(comm: &impl ::mpi::traits::Communicator) -> Parallel {
        Parallel::new(MpiComm::new(comm))
    }

    /// The communicator.
    pub fn comm(&self) -> &dyn Comm {
        &*self.0
    }
}

impl fmt::Debug for Parallel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Parallel(rank {} of {})", self.0.rank(), self.0.size())
    }
}

/// Run `f` on process `root` of `comm` alone while the others wait
/// (collective), and tell every process how it went: `Some(result)` on
/// `root`, `None` on the others.
///
/// # Errors
/// `f`'s error on `root`; [`Error::Parallel`] naming it on the others.
pub fn single_rank<T>(
    comm: &dyn Comm,
    root: usize,
    f: impl FnOnce() -> Result<T>,
) -> Result<Option<T>> {
    let here = comm.rank() == root;
    let done = if here { Some(f()) } else { None };
    let failed = matches!(done, Some(Err(_)));
    let mut words = [u64::from(failed)];
    comm.all_max(&mut words);
    if words[0] == 0 {
        return Ok(done.and_then(Result::ok));
    }
    let mut message = match &done {
        Some(Err(e)) => crate::error_chain(e).into_bytes(),
        _ => Vec::new(),
    };
    comm.broadcast(root, &mut message);
    match done {
        Some(Err(e)) => Err(e),
        _ => Err(Error::Parallel {
            file: PathBuf::new(),
            path: "/".into(),
            call: "single_rank",
            rank: root,
            message: String::from_utf8_lossy(&message).into_owned(),
        }),
    }
}

/// A new, empty file held in memory by each process of `parallel`, every
/// collective call checked and combined as on a parallel file: code
/// written for a parallel file runs on it unchanged, without MPI or a
/// file. Each process holds its own copy of the tree (the same, as long
/// as the processes make the same calls). Parts of distributed arrays are
/// not joined between copies: with more than one process, a distributed
/// leaf holds this process's rows only (zeros elsewhere), and records of a
/// distributed variable fail when they are written out.
pub fn memory(parallel: &Parallel) -> crate::QGroup {
    crate::tree::memory_in(parallel)
}
