//! The one system call qnd's writer lock needs that `std` lacks: `fcntl`
//! record locks over a whole file, set without waiting and tested. The
//! only `unsafe` code of the crate.
//!
//! On 64-bit Linux these are open-file-description locks
//! (`F_OFD_SETLK`/`F_OFD_GETLK`): owned by the descriptor that set them,
//! they conflict with every other open of the file (in this process too),
//! stay until that descriptor is closed (not when the C libraries close
//! their own descriptors of the file), and do not interact with the
//! `flock()` lock HDF5 takes on local file systems. Elsewhere on Unix they
//! are POSIX record locks (`F_SETLK`/`F_GETLK`), with POSIX's caveats (see
//! the parent module).
#![allow(unsafe_code)] // this module is the crate's FFI boundary

use std::fs::File;
use std::io;

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
const SET: libc::c_int = libc::F_OFD_SETLK;
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
const GET: libc::c_int = libc::F_OFD_GETLK;
#[cfg(all(unix, not(all(target_os = "linux", target_pointer_width = "64"))))]
const SET: libc::c_int = libc::F_SETLK;
#[cfg(all(unix, not(all(target_os = "linux", target_pointer_width = "64"))))]
const GET: libc::c_int = libc::F_GETLK;

/// Take a write (exclusive) lock on all of `file`, which must be open for
/// writing, without waiting.
///
/// # Errors
/// The OS error: `EAGAIN` or `EACCES` when another lock holds the file.
#[cfg(unix)]
pub(super) fn lock_write(file: &File) -> io::Result<()> {
    fcntl(file, SET, libc::F_WRLCK).map(|_| ())
}

/// The byte [`lock_marker`] locks: far past the end of any file, so that
/// no lock on data (MPI-IO's, on file systems where it locks the ranges
/// it writes) ever meets it, while a lock of the whole file (a qnd writer,
/// [`write_locked`]) does.
pub(super) const MARKER: i64 = 1 << 62;

/// Take a write lock on byte [`MARKER`] of `file` alone, without waiting:
/// qnd's writer lock for a file that MPI-IO writes.
///
/// # Errors
/// As [`lock_write`].
#[cfg(unix)]
pub(super) fn lock_marker(file: &File) -> io::Result<()> {
    fcntl_range(file, SET, libc::F_WRLCK, MARKER, 1).map(|_| ())
}

/// Release the lock `file` holds. Closing `file` releases it too, but only
/// once every copy of its descriptor is closed: a child process forked by
/// another thread holds a copy until it runs its program, and the lock
/// would outlive the writer until then.
///
/// # Errors
/// The OS error.
#[cfg(unix)]
pub(super) fn unlock(file: &File) -> io::Result<()> {
    fcntl(file, SET, libc::F_UNLCK).map(|_| ())
}

/// True when a write lock that is not `file`'s holds the file `file` is
/// open on (`file` may be read-only).
///
/// # Errors
/// The OS error.
#[cfg(unix)]
pub(super) fn write_locked(file: &File) -> io::Result<bool> {
    let found = fcntl(file, GET, libc::F_RDLCK)?;
    Ok(i32::from(found.l_type) != libc::F_UNLCK)
}

/// Take a `flock()` lock on `file` (exclusive, or shared) without waiting
/// (released when `file` is closed): the kind of lock the HDF5 library
/// takes (exclusive to write, shared to read).
///
/// # Errors
/// The OS error: `EWOULDBLOCK` when another descriptor holds a `flock()`
/// lock on the file that conflicts.
#[cfg(unix)]
pub(super) fn flock(file: &File, exclusive: bool) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let how = if exclusive {
        libc::LOCK_EX
    } else {
        libc::LOCK_SH
    };
    // SAFETY: flock on a descriptor that `file` keeps open for the call.
    let r = unsafe { libc::flock(file.as_raw_fd(), how | libc::LOCK_NB) };
    if r == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

#[cfg(not(unix))]
pub(super) fn flock(_file: &File, _exclusive: bool) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// True when `file` is on NFS, where Linux emulates `flock()` with
/// byte-range locks over the whole file, so that qnd's lock would
/// conflict with the `flock()` lock HDF5 takes on its own descriptor.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(super) fn flock_is_byte_range(file: &File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: `statfs` is a C struct of plain integers, for which all
    // zero bytes are a valid value.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: the descriptor is `file`'s, open for the whole call, and
    // `st` a valid `struct statfs` the call writes.
    let r = unsafe { libc::fstatfs(file.as_raw_fd(), &mut st as *mut libc::statfs) };
    r == 0 && st.f_type == libc::NFS_SUPER_MAGIC
}

/// Elsewhere: not known to emulate `flock()` with byte-range locks.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(super) fn flock_is_byte_range(_file: &File) -> bool {
    false
}

/// `fcntl(file, cmd, &lock)` with a lock of type `l_type` over the whole
/// file (from byte 0, growing with it); the lock as the call left it.
#[cfg(unix)]
fn fcntl(file: &File, cmd: libc::c_int, l_type: libc::c_int) -> io::Result<libc::flock> {
    // to the end of the file, however it grows
    fcntl_range(file, cmd, l_type, 0, 0)
}

/// As [`fcntl`], over `len` bytes from `start` (0: to the end).
#[cfg(unix)]
fn fcntl_range(
    file: &File,
    cmd: libc::c_int,
    l_type: libc::c_int,
    start: i64,
    len: i64,
) -> io::Result<libc::flock> {
    use std::os::fd::AsRawFd;
    // SAFETY: `flock` is a C struct of plain integers, for which all zero
    // bytes are a valid value (and `l_pid` must be 0 for OFD locks).
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    // the type constants are small (0 to 2) and `SEEK_SET` is 0: they fit
    lock.l_type = l_type as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    lock.l_start = start as libc::off_t;
    lock.l_len = len as libc::off_t;
    // SAFETY: the descriptor is `file`'s, open for the whole call; `lock`
    // is a valid `struct flock` that the call reads and (for GET) writes,
    // and nothing else refers to it.
    let r = unsafe { libc::fcntl(file.as_raw_fd(), cmd, &mut lock as *mut libc::flock) };
    if r == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(lock)
    }
}

#[cfg(not(unix))]
pub(super) fn lock_write(_file: &File) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(not(unix))]
pub(super) fn lock_marker(_file: &File) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(not(unix))]
pub(super) fn unlock(_file: &File) -> io::Result<()> {
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn write_locked(_file: &File) -> io::Result<bool> {
    Err(io::ErrorKind::Unsupported.into())
}
