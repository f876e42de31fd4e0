//! Opening the target of an external link with a default file-access
//! list. HDF5 opens the file an external link names with the file-access
//! list of the file holding the link, unless the link-access list of the
//! call names another (`H5Pset_elink_fapl`): from a file family that is the
//! family driver, which cannot open an ordinary file ("unable to open
//! external file"). h5py gives every lookup a link-access list naming a
//! default file-access list; a family's lookups through external links
//! here do the same ([`link_access`], [`open`]).

use std::ffi::CStr;

use hdf5::{CommittedDatatype, Dataset, Group};
use hdf5_sys::h5i::{H5I_type_t, H5Iget_type};
use hdf5_sys::h5o::{H5Oclose, H5Oopen};
use hdf5_sys::h5p::{H5Pclose, H5Pcreate, H5Pset_elink_fapl};

use qnd_storage::{SResult, StorageError};

use super::{ck, ck_id, lib, locked, Hid};

/// An object opened through a link, by class.
pub(crate) enum Opened {
    Group(Group),
    Dataset(Dataset),
    Type(CommittedDatatype),
}

/// A link-access list whose external links open their files with the
/// default file-access list (the sec2 driver, default settings), whatever
/// the driver of the file holding the link.
pub(crate) fn link_access() -> SResult<Hid> {
    use hdf5::globals::{H5P_FILE_ACCESS, H5P_LINK_ACCESS};
    locked(|| {
        // SAFETY: no memory is handed over; each new identifier is owned
        // by a `Hid` (closed by the call for property lists), and
        // H5Pset_elink_fapl, given a link-access list and a file-access
        // list, keeps its own copy of the latter.
        unsafe {
            let lapl = Hid::new(H5Pcreate(*H5P_LINK_ACCESS), H5Pclose)?;
            let fapl = Hid::new(H5Pcreate(*H5P_FILE_ACCESS), H5Pclose)?;
            ck(H5Pset_elink_fapl(lapl.id(), fapl.id()))?;
            Ok(lapl)
        }
    })
}

/// Open the object member `name` of `parent` leads to, following links
/// with the link-access list `lapl`.
///
/// # Errors
/// The library's, and [`StorageError::Layout`] for an object that is not
/// a group, a dataset or a committed datatype.
pub(crate) fn open(parent: &Group, name: &CStr, lapl: &Hid) -> SResult<Opened> {
    locked(|| {
        // SAFETY: `name` is NUL-terminated; every other argument is an
        // identifier. The new identifier, checked, is owned by nothing
        // else: handed to the object that owns it, or closed here.
        unsafe {
            let id = ck_id(H5Oopen(parent.id(), name.as_ptr(), lapl.id()))?;
            match H5Iget_type(id) {
                H5I_type_t::H5I_GROUP => hdf5::from_id::<Group>(id).map(Opened::Group),
                H5I_type_t::H5I_DATASET => hdf5::from_id::<Dataset>(id).map(Opened::Dataset),
                H5I_type_t::H5I_DATATYPE => {
                    hdf5::from_id::<CommittedDatatype>(id).map(Opened::Type)
                }
                other => {
                    H5Oclose(id);
                    return Err(StorageError::Layout(format!(
                        "unsupported HDF5 object {other:?}"
                    )));
                }
            }
            .map_err(lib)
        }
    })
}
