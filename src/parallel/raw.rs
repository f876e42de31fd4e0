//! The unsafe parts of the MPI support (feature `mpi`).

use mpi::topology::SimpleCommunicator;

/// An rsmpi communicator that may be moved between threads: every call on
/// it is made under [`MpiComm`](super::MpiComm)'s mutex, one at a time.
pub(super) struct Owned(pub SimpleCommunicator);

// SAFETY: an MPI communicator handle is a plain handle that MPI lets any
// thread use (MPI 3.1, section 12.4); what MPI restricts below
// MPI_THREAD_MULTIPLE is concurrent calls, and `MpiComm` makes every call
// on it under a mutex.
unsafe impl Send for Owned {}

/// `MPI_Abort` on `MPI_COMM_WORLD`: ends every process of the job.
pub(super) fn abort_world(code: i32) -> ! {
    use mpi::topology::Communicator;
    SimpleCommunicator::world().abort(code)
}
