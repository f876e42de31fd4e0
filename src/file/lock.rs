//! qnd's advisory writer lock: one writer per file, taken before any
//! library touches the file.
//!
//! Every open for writing (modes `r+`, `a`, `w`, `w-`, every format)
//! first opens the file itself (creating it if the mode may, never
//! truncating), takes an exclusive `fcntl` lock over the whole file on
//! that descriptor, and only then lets the backend create, truncate or
//! open it. A second writer (another process, or another open in this
//! one) fails with [`Error::InUse`] and leaves the file as it was: mode
//! `w` truncates only once the lock is held. The lock is held by the
//! file's state until the backend has closed the file (`close`, or drop
//! of the last handle); the process's death releases it.
//!
//! Why a lock of qnd's own: HDF5 1.10 takes a `flock()` lock only after
//! truncating for `w`, and drops it once SWMR writing starts; netCDF-3
//! takes none. Why this kind: POSIX `F_SETLK` locks belong to the process
//! and vanish as soon as *any* descriptor of the file is closed (HDF5 and
//! netCDF-C open and close their own), and do not conflict within one
//! process; so on 64-bit Linux the lock is an open-file-description lock
//! (`F_OFD_SETLK`), which belongs to qnd's descriptor alone and does not
//! interact with HDF5's `flock()` on local file systems. On other Unix
//! systems it falls back to a POSIX lock, with its caveats: two opens in
//! one process are not kept apart, and the lock is lost when the library
//! closes a descriptor of the file; on other platforms there is no lock.
//!
//! Readers take no lock (a reader never blocks a writer), but may test it
//! ([`writer_active`]) to learn whether a live writer has the file.
//!
//! File systems without locks (some NFS and Lustre mounts: `ENOLCK`,
//! `EOPNOTSUPP`, `ENOSYS`) let the open go ahead, unlocked, with a warning
//! on stderr. So does NFS for HDF5 and netCDF-4 files: there Linux turns
//! HDF5's `flock()` into a byte-range lock, which qnd's would block; HDF5's
//! own lock is then all there is (it does not guard mode `w` before
//! truncating, nor a file in SWMR mode).

mod raw;

use std::fs::File;
use std::io;
use std::path::Path;

use super::Mode;
use crate::error::{Error, Result};

/// Who holds a file that [`Error::InUse`] refuses: qnd's writer lock.
pub(crate) const BY_WRITER: &str = "another writer has it open";
/// Who holds a file that [`Error::InUse`] refuses: HDF5's own lock.
pub(crate) const BY_LIBRARY: &str = "a program has it open through the HDF5 library";

/// qnd's writer lock on one file, and the descriptor that holds it
/// (released when dropped). Also the descriptor `sync` fsyncs: fsync is
/// per file, so it covers what the library wrote through its own.
#[derive(Debug)]
pub(crate) struct WriterLock {
    file: File,
    /// False on a file system without locks: opened unlocked.
    locked: bool,
    /// fsync at every flush and at close ([`OpenOptions::sync`](super::OpenOptions::sync)).
    sync: bool,
    /// For a family (whose first member `file` is): its other members,
    /// fsynced too.
    family: Option<super::family::Family>,
}

impl WriterLock {
    /// Open (or, as `mode` allows, create without truncating) the file at
    /// `path` and lock it for writing. `flocking`: the library will take a
    /// `flock()` lock of its own on the file (HDF5 and netCDF-4 do); on NFS,
    /// where that lock is a byte-range lock that would conflict with qnd's,
    /// qnd's lock is then not taken (with a warning), leaving HDF5's.
    ///
    /// # Errors
    /// [`Error::InUse`] when another writer holds the lock (nothing is
    /// changed), [`Error::FileExists`] for `w-` on an existing file,
    /// [`Error::Io`] when the file cannot be opened or the lock fails for
    /// another reason. A file system without locks is no error: the open
    /// goes ahead with a warning on stderr.
    pub fn acquire(path: &Path, mode: Mode, flocking: bool) -> Result<WriterLock> {
        WriterLock::acquire_as(path, mode, flocking, false)
    }

    /// As [`WriterLock::acquire`], for a file written by several processes
    /// through MPI-IO (taken by rank 0): the lock is on one byte far past
    /// the end of the file ([`raw::MARKER`]) rather than on the whole
    /// file, so that it never meets the byte-range locks MPI-IO takes on
    /// the data it writes on some file systems (NFS, for one). A qnd
    /// writer's lock of the whole file still meets it: either is refused
    /// while the other is held.
    ///
    /// # Errors
    /// As [`WriterLock::acquire`].
    pub fn acquire_marker(path: &Path, mode: Mode, flocking: bool) -> Result<WriterLock> {
        WriterLock::acquire_as(path, mode, flocking, true)
    }

    fn acquire_as(path: &Path, mode: Mode, flocking: bool, marker: bool) -> Result<WriterLock> {
        let mut how = std::fs::OpenOptions::new();
        how.read(true).write(true);
        match mode {
            Mode::Read | Mode::ReadWrite => {}
            Mode::Append | Mode::Create => {
                how.create(true);
            }
            Mode::CreateNew => {
                how.create_new(true);
            }
        }
        let file = how.open(path).map_err(|source| match source.kind() {
            io::ErrorKind::AlreadyExists => Error::FileExists { file: path.into() },
            io::ErrorKind::NotFound if !matches!(mode, Mode::Append | Mode::Create) => {
                Error::NoFile { file: path.into() }
            }
            _ => Error::Io {
                file: path.into(),
                source,
            },
        })?;
        if flocking && raw::flock_is_byte_range(&file) {
            eprintln!(
                "qnd: warning: {}: opened for writing without qnd's lock: on NFS it would \
                 conflict with the HDF5 library's own lock, which alone keeps other writers out",
                path.display()
            );
            return Ok(WriterLock {
                file,
                locked: false,
                sync: false,
                family: None,
            });
        }
        let taken = if marker {
            raw::lock_marker(&file)
        } else {
            raw::lock_write(&file)
        };
        let locked = match taken.map_err(classify) {
            Ok(()) => true,
            Err(Refusal::InUse) => {
                return Err(Error::InUse {
                    file: path.into(),
                    by: BY_WRITER,
                })
            }
            Err(Refusal::NoLocks(e)) => {
                eprintln!(
                    "qnd: warning: {}: opened for writing without a lock: this file system \
                     does not support file locks ({e}), so nothing keeps a second writer out",
                    path.display()
                );
                false
            }
            Err(Refusal::Failed(source)) => {
                return Err(Error::Io {
                    file: path.into(),
                    source,
                })
            }
        };
        Ok(WriterLock {
            file,
            locked,
            sync: false,
            family: None,
        })
    }

    /// fsync at every [`WriterLock::flushed`] when `sync`.
    pub fn with_sync(mut self, sync: bool) -> WriterLock {
        self.sync = sync;
        self
    }

    /// The lock of a family's first member: [`WriterLock::flushed`] then
    /// fsyncs every member.
    pub fn of_family(mut self, family: Option<super::family::Family>) -> WriterLock {
        self.family = family;
        self
    }

    /// True when the lock is held (false on a file system without locks).
    pub fn locked(&self) -> bool {
        self.locked
    }

    /// The locked descriptor, open for reading and writing.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// After the backend flushed (or closed) the file: fsync it when
    /// `sync` was asked for.
    ///
    /// # Errors
    /// The OS error of fsync.
    pub fn flushed(&self) -> io::Result<()> {
        if self.sync {
            self.file.sync_all()?;
            if let Some(family) = &self.family {
                for member in (1..).map(|i| family.member(i)).take_while(|m| m.exists()) {
                    File::open(member)?.sync_all()?;
                }
            }
        }
        Ok(())
    }
}

impl Drop for WriterLock {
    /// Release the lock explicitly before the descriptor closes, so that
    /// no copy of the descriptor (in a child process another thread is
    /// starting) keeps it after the writer is gone.
    fn drop(&mut self) {
        if self.locked {
            // Nothing to do on failure: closing the descriptor, next,
            // releases the lock once its last copy is closed.
            let _ = raw::unlock(&self.file);
        }
    }
}

/// A `flock()` lock on a file, as the HDF5 library takes: held by
/// [`recover`](crate::recover()) while it repairs a file, so that it never
/// patches a file an HDF5 program (one that does not use qnd's lock) has
/// open, and no HDF5 program opens it meanwhile.
#[derive(Debug)]
pub(crate) struct LibraryLock {
    _file: File,
}

impl LibraryLock {
    /// Take it on the file at `path`, beside `ours` (qnd's lock on it).
    /// Nothing is taken (and no error) where `flock()` locks are not
    /// supported, or are byte-range locks that would conflict with `ours`
    /// (NFS).
    ///
    /// # Errors
    /// [`Error::InUse`] when a program holds HDF5's lock on the file (it
    /// has the file open, for reading or writing); [`Error::Io`].
    pub fn acquire(path: &Path, ours: &WriterLock) -> Result<Option<LibraryLock>> {
        if raw::flock_is_byte_range(&ours.file) {
            return Ok(None);
        }
        let file = File::open(path).map_err(|source| Error::Io {
            file: path.into(),
            source,
        })?;
        match raw::flock(&file, true).map_err(classify) {
            Ok(()) => Ok(Some(LibraryLock { _file: file })),
            Err(Refusal::InUse) => Err(Error::InUse {
                file: path.into(),
                by: BY_LIBRARY,
            }),
            Err(Refusal::NoLocks(_)) => Ok(None),
            Err(Refusal::Failed(source)) => Err(Error::Io {
                file: path.into(),
                source,
            }),
        }
    }
}

/// True when a program holds the HDF5 library's write lock (an exclusive
/// `flock()`) on the file at `path`: an HDF5 writer that does not take
/// qnd's lock, or the library in this process (which opens the sources of
/// a virtual dataset itself). Tested with a shared `flock()`, released at
/// once; false when it cannot be tested.
#[cfg(feature = "hdf5")]
pub(crate) fn library_writer(path: &Path) -> bool {
    File::open(path)
        .map_err(classify)
        .and_then(|f| raw::flock(&f, false).map_err(classify))
        .is_err_and(|r| matches!(r, Refusal::InUse))
}

/// True when a program holds a `flock()` lock on the file at `path`, as the
/// HDF5 library takes to write (exclusive) or read (shared) a file: an HDF5
/// program that does not take qnd's lock (h5py, netCDF4-python), or the
/// library in this process. Mode `w` must not replace such a file: HDF5
/// takes its lock only after truncating, and netCDF-3 takes none. Tested
/// with an exclusive `flock()` beside `ours` (qnd's lock on the file),
/// released at once; false where it cannot be tested (no `flock()`, or
/// NFS, where it would conflict with `ours`).
pub(crate) fn library_holder(path: &Path, ours: &WriterLock) -> bool {
    if raw::flock_is_byte_range(&ours.file) {
        return false;
    }
    File::open(path)
        .map_err(classify)
        .and_then(|f| raw::flock(&f, true).map_err(classify))
        .is_err_and(|r| matches!(r, Refusal::InUse))
}

/// True when a live writer holds qnd's lock on the file at `path` (false
/// when the file cannot be opened, or where locks cannot be tested).
pub(crate) fn writer_active(path: &Path) -> bool {
    File::open(path)
        .and_then(|f| raw::write_locked(&f))
        .unwrap_or(false)
}

/// Why a lock was not taken.
#[derive(Debug)]
enum Refusal {
    /// Another lock holds the file.
    InUse,
    /// The file system has no locks.
    NoLocks(io::Error),
    /// Any other failure.
    Failed(io::Error),
}

/// What a failed attempt to lock means, from its OS error.
fn classify(e: io::Error) -> Refusal {
    match e.raw_os_error() {
        #[cfg(unix)]
        #[allow(unreachable_patterns)] // EWOULDBLOCK is EAGAIN on Linux
        Some(libc::EAGAIN | libc::EACCES | libc::EWOULDBLOCK) => Refusal::InUse,
        #[cfg(unix)]
        Some(libc::ENOLCK | libc::EOPNOTSUPP | libc::ENOSYS) => Refusal::NoLocks(e),
        #[cfg(unix)]
        #[allow(unreachable_patterns)] // ENOTSUP is EOPNOTSUPP on Linux
        Some(libc::ENOTSUP) => Refusal::NoLocks(e),
        _ if e.kind() == io::ErrorKind::Unsupported => Refusal::NoLocks(e),
        _ => Refusal::Failed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_marker_lock_and_a_whole_file_lock_exclude_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.h5");
        let ranks = WriterLock::acquire_marker(&path, Mode::Create, false).unwrap();
        assert!(writer_active(&path));
        assert!(matches!(
            WriterLock::acquire(&path, Mode::ReadWrite, false).unwrap_err(),
            Error::InUse { .. }
        ));
        drop(ranks);
        assert!(!writer_active(&path));
        let one = WriterLock::acquire(&path, Mode::ReadWrite, false).unwrap();
        assert!(matches!(
            WriterLock::acquire_marker(&path, Mode::ReadWrite, false).unwrap_err(),
            Error::InUse { .. }
        ));
        drop(one);
    }

    #[test]
    fn lock_errors_are_classified() {
        let os = io::Error::from_raw_os_error;
        assert!(matches!(classify(os(libc::EAGAIN)), Refusal::InUse));
        assert!(matches!(classify(os(libc::EACCES)), Refusal::InUse));
        for no_locks in [libc::ENOLCK, libc::EOPNOTSUPP, libc::ENOTSUP, libc::ENOSYS] {
            assert!(
                matches!(classify(os(no_locks)), Refusal::NoLocks(_)),
                "errno {no_locks}"
            );
        }
        assert!(matches!(classify(os(libc::EBADF)), Refusal::Failed(_)));
        assert!(matches!(classify(os(libc::EIO)), Refusal::Failed(_)));
        assert!(matches!(
            classify(io::ErrorKind::Unsupported.into()),
            Refusal::NoLocks(_)
        ));
    }

    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    #[test]
    fn one_writer_at_a_time_and_readers_see_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        std::fs::write(&path, b"data").unwrap();
        assert!(!writer_active(&path));
        let first = WriterLock::acquire(&path, Mode::Create, true).unwrap();
        assert!(first.locked());
        assert_eq!(std::fs::read(&path).unwrap(), b"data", "the lock truncated");
        assert!(writer_active(&path));
        for mode in [Mode::ReadWrite, Mode::Append, Mode::Create] {
            let err = WriterLock::acquire(&path, mode, false).unwrap_err();
            assert!(matches!(err, Error::InUse { .. }), "{mode}: {err}");
        }
        assert!(matches!(
            WriterLock::acquire(&path, Mode::CreateNew, false).unwrap_err(),
            Error::FileExists { .. }
        ));
        // another descriptor of the file closed in this process: the lock
        // stays (a POSIX lock would be gone)
        drop(File::open(&path).unwrap());
        assert!(writer_active(&path));
        drop(first);
        assert!(!writer_active(&path));
        let again = WriterLock::acquire(&path, Mode::ReadWrite, false).unwrap();
        assert!(again.locked());
    }

    #[test]
    fn creates_only_where_the_mode_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.bin");
        assert!(matches!(
            WriterLock::acquire(&path, Mode::ReadWrite, false).unwrap_err(),
            Error::NoFile { .. }
        ));
        assert!(!path.exists());
        let l = WriterLock::acquire(&path, Mode::CreateNew, false).unwrap();
        assert!(path.exists());
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        drop(l);
    }
}
