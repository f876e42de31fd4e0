//! HDF5's single-writer/multiple-reader (SWMR) mode: the superblock
//! version a file has, starting SWMR writing, opening a file for SWMR
//! reading, and reopening a dataset with the access settings it had.
//!
//! SWMR writing makes HDF5 write metadata in an order that keeps the file
//! readable at every moment (what makes recording survive a kill), and
//! lets readers in other processes open the file (`H5F_ACC_SWMR_READ`).

use std::ffi::CStr;
use std::path::Path;

use hdf5::{Dataset, File, Group};
use hdf5_sys::h5d::{H5Dget_access_plist, H5Dopen2};
use hdf5_sys::h5f::{
    H5F_info2_t, H5Fget_info2, H5Fopen, H5Fstart_swmr_write, H5F_ACC_RDONLY, H5F_ACC_SWMR_READ,
};
use hdf5_sys::h5p::H5Pclose;

use super::{ck, ck_id, lib, locked, Hid};
use qnd_storage::{SResult, StorageError};

/// The version of the file's superblock (0 and 1 from HDF5 1.8 and
/// earlier, h5py's default; 2 with libver 1.8; 3 with libver 1.10 or
/// later, which SWMR needs).
pub(crate) fn superblock_version(file: &File) -> SResult<u32> {
    let mut info = H5F_info2_t::default();
    locked(|| {
        // SAFETY: `info` is a writable `H5F_info2_t`, the struct the call
        // fills; `file` is an open file.
        ck(unsafe { H5Fget_info2(file.id(), &mut info) })
    })?;
    Ok(info.super_.version)
}

/// Whether the file is open for SWMR writing.
#[cfg(test)]
pub(crate) fn in_swmr_write(file: &File) -> SResult<bool> {
    use hdf5_sys::h5f::{H5Fget_intent, H5F_ACC_SWMR_WRITE};
    let mut intent: std::ffi::c_uint = 0;
    locked(|| {
        // SAFETY: `intent` is a writable `unsigned`, what the call fills;
        // `file` is an open file.
        ck(unsafe { H5Fget_intent(file.id(), &mut intent) })
    })?;
    Ok(intent & H5F_ACC_SWMR_WRITE != 0)
}

/// Start SWMR writing (`H5Fstart_swmr_write`): the file is flushed, its
/// superblock marked, and from then on HDF5 writes metadata in an order
/// that keeps the file readable. No committed datatype or attribute of
/// the file may be open.
pub(crate) fn start_swmr_write(file: &File) -> SResult<()> {
    locked(|| {
        // SAFETY: no memory is handed over; `file` is an open file.
        ck(unsafe { H5Fstart_swmr_write(file.id()) })
    })?;
    Ok(())
}

/// Open `path` read-only for SWMR reading (`H5F_ACC_SWMR_READ`), with the
/// file access property list `fapl`: the way to read a file a writer in
/// SWMR mode holds.
pub(crate) fn open_swmr_read(path: &Path, fapl: &hdf5::plist::FileAccess) -> SResult<File> {
    let name = path
        .to_str()
        .ok_or_else(|| StorageError::Unsupported(format!("{} is not UTF-8", path.display())))?;
    let c = super::c_name(name)?;
    locked(|| {
        // SAFETY: `c` is NUL-terminated; `fapl` is a file access property
        // list. The new identifier, checked, is a file owned by nothing
        // else, handed to the `File` that owns it.
        unsafe {
            let id = ck_id(H5Fopen(
                c.as_ptr(),
                H5F_ACC_RDONLY | H5F_ACC_SWMR_READ,
                fapl.id(),
            ))?;
            hdf5::from_id::<File>(id).map_err(lib)
        }
    })
}

/// The access property list of an open dataset (its chunk cache setting,
/// say), to open it again alike.
pub(crate) fn dataset_access(ds: &Dataset) -> SResult<Hid> {
    locked(|| {
        // SAFETY: no memory is handed over; the new identifier is owned by
        // the `Hid`, closed by the call for property lists.
        Hid::new(unsafe { H5Dget_access_plist(ds.id()) }, H5Pclose)
    })
}

/// Open dataset `name` of `parent` with access property list `dapl` (from
/// [`dataset_access`]), or the default one.
pub(crate) fn open_dataset(parent: &Group, name: &CStr, dapl: Option<&Hid>) -> SResult<Dataset> {
    use hdf5_sys::h5p::H5P_DEFAULT;
    let dapl = dapl.map_or(H5P_DEFAULT, Hid::id);
    locked(|| {
        // SAFETY: `name` is NUL-terminated; every other argument is an
        // identifier. The new identifier, checked, is a dataset owned by
        // nothing else, handed to the `Dataset` that owns it.
        unsafe {
            let id = ck_id(H5Dopen2(parent.id(), name.as_ptr(), dapl))?;
            hdf5::from_id::<Dataset>(id).map_err(lib)
        }
    })
}

/// A dataset access property list whose chunk cache holds `bytes` (0:
/// none), to open a record dataset of an existing file as qnd creates
/// them (see `create_dataset`): HDF5's default is 1 MiB per open dataset.
pub(crate) fn chunk_cache_access(bytes: usize) -> SResult<Hid> {
    use hdf5::globals::H5P_DATASET_ACCESS;
    use hdf5_sys::h5d::{H5D_CHUNK_CACHE_NSLOTS_DEFAULT, H5D_CHUNK_CACHE_W0_DEFAULT};
    use hdf5_sys::h5p::{H5Pcreate, H5Pset_chunk_cache};
    locked(|| {
        // SAFETY: no memory is handed over; the new identifier is owned by
        // the `Hid`, closed by the call for property lists.
        let dapl = Hid::new(unsafe { H5Pcreate(*H5P_DATASET_ACCESS) }, H5Pclose)?;
        // SAFETY: `dapl` is an open dataset access property list; no
        // memory is handed over.
        ck(unsafe {
            H5Pset_chunk_cache(
                dapl.id(),
                H5D_CHUNK_CACHE_NSLOTS_DEFAULT,
                bytes,
                H5D_CHUNK_CACHE_W0_DEFAULT as f64,
            )
        })?;
        Ok(dapl)
    })
}
