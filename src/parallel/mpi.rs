//! MPI (feature `mpi`): communicators from rsmpi, files opened by every
//! rank of one, and what a panicking rank does.

use std::path::Path;
use std::sync::{Mutex, Once};

use mpi::collective::{CommunicatorCollectives, Root, SystemOperation};
use mpi::datatype::PartitionMut;
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::AsRaw;
use mpi::Count;

use super::{raw, Comm, Parallel};
use crate::error::Result;
use crate::file::{AsMode, OpenOptions};
use crate::tree::QGroup;

/// An MPI communicator for files written by its ranks together: a
/// duplicate of the communicator it is made from, so that qnd's messages
/// never meet the program's. Its calls are made one at a time (whatever
/// thread level MPI was initialised with).
pub struct MpiComm {
    comm: Mutex<raw::Owned>,
    rank: usize,
    size: usize,
}

impl MpiComm {
    /// A duplicate of `comm` (collective: every rank of `comm` calls it).
    pub fn new(comm: &impl Communicator) -> MpiComm {
        let dup = comm.duplicate();
        let rank = usize::try_from(dup.rank()).unwrap_or(0);
        let size = usize::try_from(dup.size()).unwrap_or(1);
        abort_on_panic();
        MpiComm {
            comm: Mutex::new(raw::Owned(dup)),
            rank,
            size,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&SimpleCommunicator) -> T) -> T {
        let comm = self.comm.lock().unwrap_or_else(|p| p.into_inner());
        f(&comm.0)
    }
}

impl std::fmt::Debug for MpiComm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MpiComm(rank {} of {})", self.rank, self.size)
    }
}

fn count(n: usize) -> Count {
    Count::try_from(n).unwrap_or(Count::MAX)
}

impl Comm for MpiComm {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.size
    }
    fn all_max(&self, words: &mut [u64]) {
        let send = words.to_vec();
        self.with(|c| c.all_reduce_into(&send[..], words, SystemOperation::max()));
    }
    fn all_gather(&self, x: u64) -> Vec<u64> {
        let mut all = vec![0u64; self.size];
        self.with(|c| c.all_gather_into(&x, &mut all[..]));
        all
    }
    fn all_gather_v(&self, xs: &[u64]) -> Vec<u64> {
        let counts: Vec<Count> = self
            .all_gather(xs.len() as u64)
            .into_iter()
            .map(|n| count(n as usize))
            .collect();
        let displs: Vec<Count> = counts
            .iter()
            .scan(0 as Count, |at, &n| {
                let here = *at;
                *at = at.saturating_add(n);
                Some(here)
            })
            .collect();
        let total: usize = counts.iter().map(|&n| n.max(0) as usize).sum();
        let mut all = vec![0u64; total];
        self.with(|c| {
            let mut into = PartitionMut::new(&mut all[..], counts, &displs[..]);
            c.all_gather_varcount_into(xs, &mut into);
        });
        all
    }
    fn broadcast(&self, root: usize, bytes: &mut Vec<u8>) {
        self.with(|c| {
            let from = c.process_at_rank(count(root));
            let mut len = bytes.len() as u64;
            from.broadcast_into(&mut len);
            bytes.resize(usize::try_from(len).unwrap_or(0), 0);
            from.broadcast_into(&mut bytes[..]);
        });
    }
    fn barrier(&self) {
        self.with(|c| c.barrier());
    }
    fn abort(&self, code: i32) -> ! {
        raw::abort_world(code)
    }
    fn mpi(&self) -> Option<mpi::ffi::MPI_Comm> {
        Some(self.with(|c| c.as_raw()))
    }
}

/// Make a panic on any rank end the whole job (`MPI_Abort` on
/// `MPI_COMM_WORLD`, after the panic message is printed), rather than
/// leave the other ranks waiting for it in a collective call forever.
/// Installed once, by the first [`MpiComm`].
fn abort_on_panic() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            before(info);
            eprintln!("qnd: a rank panicked: aborting the MPI job (MPI_Abort)");
            raw::abort_world(101);
        }));
    });
}

/// Open the file at `path` in every rank of `comm` together (collective):
/// a single HDF5 file written through parallel HDF5 (see
/// [`parallel`](crate::parallel) for what is collective). As
/// [`open_with`](crate::open_with) with [`OpenOptions::parallel`] set.
///
/// ```no_run
/// use mpi::traits::*;
/// let universe = mpi::initialize().unwrap();
/// let world = universe.world();
/// let f = qnd::open_parallel("run.h5", "w", &world)?;
/// let layout = f.layout(1000)?;            // 1000 rows on each rank
/// f.set_recording(qnd::Recording::Uniform);
/// for step in 0..10 {
///     f.set("time", step as f64)?;         // replicated: the same on every rank
///     let rho = ndarray::Array1::<f64>::zeros(1000);
///     f.set_part("rho", rho, &layout)?;    // each rank its own rows
/// }
/// f.close()?;                              // before MPI is finalised
/// # Ok::<(), qnd::Error>(())
/// ```
///
/// # Errors
/// As [`open_with`](crate::open_with); on every rank when the open fails
/// on any ([`Error::Parallel`]). A file that is not a single HDF5 file is
/// refused ([`Error::Format`]).
pub fn open_parallel(
    path: impl AsRef<Path>,
    mode: impl AsMode,
    comm: &impl Communicator,
) -> Result<QGroup> {
    let path = path.as_ref();
    let mode = crate::file::mode_of(path, mode)?;
    let options = OpenOptions {
        parallel: Some(Parallel::mpi(comm)),
        ..OpenOptions::new(mode)
    };
    crate::open_with(path, &options)
}
