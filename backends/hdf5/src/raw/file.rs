//! Files: their descriptors made close-on-exec, and, for the tests, what
//! the high-level crate cannot tell about an open file or make as other
//! tools do.

use hdf5_sys::h5i::hid_t;

#[cfg(any(unix, test))]
use super::locked;
#[cfg(test)]
use super::{ck, ck_id, lib};
#[cfg(test)]
use qnd_storage::{SResult, StorageError};

/// The POSIX descriptor behind an open file of the sec2 driver (the
/// default), or `None` for another driver.
#[cfg(unix)]
fn sec2_descriptor(file: hid_t) -> Option<std::ffi::c_int> {
    use hdf5_sys::h5f::{H5Fget_access_plist, H5Fget_vfd_handle};
    use hdf5_sys::h5p::{H5Pclose, H5Pget_driver, H5P_DEFAULT};
    use std::ffi::c_void;
    locked(|| {
        // SAFETY: `handle` is the one pointer the library writes; for the
        // sec2 driver (checked first) it points at the descriptor, an
        // `int` that lives as long as the file, which is open here.
        unsafe {
            let fapl = H5Fget_access_plist(file);
            if fapl < 0 {
                return None;
            }
            let driver = H5Pget_driver(fapl);
            H5Pclose(fapl);
            if driver != *hdf5::globals::H5FD_SEC2 {
                return None;
            }
            let mut handle: *mut c_void = std::ptr::null_mut();
            if H5Fget_vfd_handle(file, H5P_DEFAULT, &mut handle) < 0 || handle.is_null() {
                return None;
            }
            Some(*handle.cast::<std::ffi::c_int>())
        }
    })
}

/// Mark the file's descriptor close-on-exec (the sec2 driver, the default,
/// does not): otherwise every process the program starts while the file is
/// open inherits the descriptor, and with it HDF5's lock on the file, which
/// then stays locked after this program closes it. Best effort: a driver
/// without a plain descriptor is left alone.
#[cfg(unix)]
pub(crate) fn close_on_exec(file: hid_t) {
    locked(|| {
        let Some(fd) = sec2_descriptor(file) else {
            return;
        };
        // SAFETY: `fcntl` on the descriptor of a file open here, with no
        // pointers.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
            }
        }
    });
}

#[cfg(not(unix))]
pub(crate) fn close_on_exec(_file: hid_t) {}

/// Whether the file is open through the sec2 driver (the default: not a
/// family of files, not in memory), the one SWMR writing is used with.
#[cfg(unix)]
pub(crate) fn is_sec2(file: hid_t) -> bool {
    sec2_descriptor(file).is_some()
}

#[cfg(not(unix))]
pub(crate) fn is_sec2(_file: hid_t) -> bool {
    false
}

/// The descriptor flags (`F_GETFD`) of an open file of the sec2 driver.
#[cfg(all(test, unix))]
pub(crate) fn descriptor_flags(file: &hdf5::File) -> SResult<std::ffi::c_int> {
    let fd = sec2_descriptor(file.id())
        .ok_or_else(|| StorageError::Layout("no sec2 descriptor".into()))?;
    // SAFETY: `fcntl` on the descriptor of a file open here, with no
    // pointers.
    Ok(unsafe { libc::fcntl(fd, libc::F_GETFD) })
}

/// Number of objects (the file itself included) open in a file.
#[cfg(test)]
pub(crate) fn open_objects(file: &hdf5::File) -> SResult<usize> {
    use hdf5_sys::h5f::{H5Fget_obj_count, H5F_OBJ_ALL};
    // SAFETY: no memory is handed over; `file` is an open file.
    let n = locked(|| unsafe { H5Fget_obj_count(file.id(), H5F_OBJ_ALL) });
    if n < 0 {
        return Err(StorageError::Layout("cannot count open objects".into()));
    }
    Ok(n as usize)
}

/// A transient copy of predefined type `base` (`H5T_STD_I32BE`, say), as
/// other tools write.
#[cfg(test)]
pub(crate) fn copy_type(base: hid_t) -> SResult<hdf5::Datatype> {
    locked(|| {
        // SAFETY: no memory is handed over; the new identifier, checked,
        // is a datatype owned by nothing else, handed to the `Datatype`.
        unsafe {
            let id = ck_id(hdf5_sys::h5t::H5Tcopy(base))?;
            hdf5::from_id::<hdf5::Datatype>(id).map_err(lib)
        }
    })
}

/// A half-precision float (1 sign, 5 exponent, 10 mantissa bits, little
/// endian), as h5py writes numpy's `f2`.
#[cfg(test)]
pub(crate) fn half_float() -> SResult<hdf5::Datatype> {
    use hdf5_sys::h5t::{H5Tset_ebias, H5Tset_fields, H5Tset_size};
    let t = copy_type(*hdf5::globals::H5T_IEEE_F32LE)?;
    locked(|| {
        // SAFETY: no memory is handed over; `t` is a transient float type
        // owned by `t`.
        unsafe {
            ck(H5Tset_fields(t.id(), 15, 10, 5, 0, 10))?;
            ck(H5Tset_size(t.id(), 2))?;
            ck(H5Tset_ebias(t.id(), 15))
        }
    })?;
    Ok(t)
}
