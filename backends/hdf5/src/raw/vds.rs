//! The raw side of virtual datasets (see [`crate::vds`]): reading and
//! building the mappings of a dataset creation property list, and opening
//! source files and datasets, their shapes and types.

use std::ffi::{c_char, CStr};

use hdf5::{Dataset, Datatype, Group};
use hdf5_sys::h5d::{H5D_layout_t, H5Dclose, H5Dget_create_plist, H5Dget_type, H5Dopen2};
use hdf5_sys::h5f::{H5Fclose, H5Fopen, H5F_ACC_RDONLY, H5F_ACC_RDWR};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5p::{
    H5Pclose, H5Pcreate, H5Pget_layout, H5Pget_virtual_count, H5Pget_virtual_dsetname,
    H5Pget_virtual_filename, H5Pget_virtual_srcspace, H5Pget_virtual_vspace,
    H5Pset_attr_creation_order, H5Pset_virtual, H5P_DEFAULT,
};
use hdf5_sys::h5s::{H5S_sel_type, H5Sclose, H5Sget_select_type, H5Sget_simple_extent_ndims};
use hdf5_sys::h5t::H5Tequal;

use qnd_storage::{SResult, StorageError};

use super::{
    ck, ck_id, close_on_exec, create_dataset_with, dataset_space_hid, lib, locked, space_of, Hid,
    Plists, Space, ORDER,
};

/// Opens HDF5 file `path`, read-write or read-only, close-on-exec as every
/// file this backend opens.
pub(crate) fn open_file(path: &CStr, writable: bool) -> SResult<Hid> {
    let flags = if writable {
        H5F_ACC_RDWR
    } else {
        H5F_ACC_RDONLY
    };
    let file = locked(|| {
        // SAFETY: `path` is NUL-terminated; the new identifier is owned by the
        // `Hid`.
        let id = unsafe { H5Fopen(path.as_ptr(), flags, H5P_DEFAULT) };
        Hid::new(id, H5Fclose)
    })?;
    close_on_exec(file.id());
    Ok(file)
}

/// Opens dataset `name` from location `loc` (a file or group identifier).
pub(crate) fn open_dataset(loc: hid_t, name: &CStr) -> SResult<Hid> {
    locked(|| {
        // SAFETY: `name` is NUL-terminated; the library checks `loc`; the new
        // identifier is owned by the `Hid`.
        let id = unsafe { H5Dopen2(loc, name.as_ptr(), H5P_DEFAULT) };
        Hid::new(id, H5Dclose)
    })
}

/// The dataspace of a dataset opened with [`open_dataset`].
pub(crate) fn source_space(ds: &Hid) -> SResult<Space> {
    space_of(&dataset_space_hid(ds.id())?)
}

/// The stored type of a dataset opened with [`open_dataset`].
pub(crate) fn source_type(ds: &Hid) -> SResult<Datatype> {
    locked(|| {
        // SAFETY: no memory is handed over; the new identifier, checked,
        // is a datatype owned by nothing else, handed to the `Datatype`.
        unsafe {
            let id = ck_id(H5Dget_type(ds.id()))?;
            hdf5::from_id::<Datatype>(id).map_err(lib)
        }
    })
}

/// True when two datatypes are the same.
pub(crate) fn same_type(a: &Datatype, b: &Datatype) -> bool {
    // SAFETY: no memory is handed over; both are valid datatypes.
    locked(|| unsafe { H5Tequal(a.id(), b.id()) }) > 0
}

/// True when dataspace `space` selects all of itself.
pub(crate) fn selects_all(space: &Hid) -> bool {
    // SAFETY: no memory is handed over; the library checks `space`.
    locked(|| unsafe { H5Sget_select_type(space.id()) }) == H5S_sel_type::H5S_SEL_ALL
}

/// The rank of dataspace `space`, when the library knows it.
pub(crate) fn rank(space: &Hid) -> Option<usize> {
    // SAFETY: no memory is handed over; the library checks `space`.
    let n = locked(|| unsafe { H5Sget_simple_extent_ndims(space.id()) });
    usize::try_from(n).ok()
}

/// The mappings of a virtual dataset: its creation property list.
pub(crate) struct Mappings {
    dcpl: Hid,
    count: usize,
}

/// The source of one mapping, as stored.
pub(crate) struct Mapped {
    /// The selection of the source dataspace.
    pub srcspace: Hid,
    /// The source file name (`.` for the same file).
    pub file: String,
    /// The source dataset name.
    pub dataset: String,
}

/// A library call that writes a name of mapping `index` of a dataset
/// creation property list into a buffer of `size` bytes, returning its
/// length.
type NameCall = unsafe extern "C" fn(hid_t, usize, *mut c_char, usize) -> isize;

impl Mappings {
    /// The mappings of `ds` when it is a virtual dataset.
    ///
    /// # Errors
    /// When the library cannot read its creation property list.
    pub(crate) fn of(ds: &Dataset) -> SResult<Option<Mappings>> {
        // SAFETY: no memory is handed over; the new identifier is owned by
        // the `Hid`.
        let dcpl = locked(|| Hid::new(unsafe { H5Dget_create_plist(ds.id()) }, H5Pclose))?;
        // SAFETY: no memory is handed over; `dcpl` is a dataset creation
        // property list.
        let layout = locked(|| unsafe { H5Pget_layout(dcpl.id()) });
        if layout != H5D_layout_t::H5D_VIRTUAL {
            return Ok(None);
        }
        let mut count = 0usize;
        // SAFETY: `count` is the one `size_t` the library writes.
        locked(|| ck(unsafe { H5Pget_virtual_count(dcpl.id(), &mut count) }))?;
        Ok(Some(Mappings { dcpl, count }))
    }

    /// The number of mappings.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    fn check(&self, i: usize) -> SResult<()> {
        if i >= self.count {
            return Err(StorageError::Layout(format!(
                "no mapping {i} of {}",
                self.count
            )));
        }
        Ok(())
    }

    /// The selection of the virtual dataspace mapping `i` fills.
    pub(crate) fn vspace(&self, i: usize) -> SResult<Hid> {
        self.check(i)?;
        locked(|| {
            // SAFETY: no memory is handed over; the new identifier is owned by
            // the `Hid`.
            let id = unsafe { H5Pget_virtual_vspace(self.dcpl.id(), i) };
            Hid::new(id, H5Sclose)
        })
    }

    /// The source of mapping `i`.
    pub(crate) fn source(&self, i: usize) -> SResult<Mapped> {
        self.check(i)?;
        let srcspace = locked(|| {
            // SAFETY: no memory is handed over; the new identifier is owned by
            // the `Hid`.
            let id = unsafe { H5Pget_virtual_srcspace(self.dcpl.id(), i) };
            Hid::new(id, H5Sclose)
        })?;
        Ok(Mapped {
            srcspace,
            file: self.name(i, H5Pget_virtual_filename)?,
            dataset: self.name(i, H5Pget_virtual_dsetname)?,
        })
    }

    /// A name of mapping `i` that `call` writes: asked once for its length.
    fn name(&self, i: usize, call: NameCall) -> SResult<String> {
        let failed = || StorageError::Layout("cannot read a virtual dataset mapping's name".into());
        let dcpl = self.dcpl.id();
        // SAFETY: a null buffer of size 0: the library only returns the
        // length.
        let n = locked(|| unsafe { call(dcpl, i, std::ptr::null_mut(), 0) });
        if n < 0 {
            return Err(failed());
        }
        let mut buf = vec![0u8; n as usize + 1];
        // SAFETY: the library writes at most `buf.len()` bytes into `buf`.
        let m = locked(|| unsafe { call(dcpl, i, buf.as_mut_ptr().cast(), buf.len()) });
        if m < 0 {
            return Err(failed());
        }
        buf.truncate(m as usize);
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
}

/// The creation property list of a new virtual dataset, mapping by
/// mapping.
pub(crate) struct NewMappings {
    dcpl: Hid,
}

impl NewMappings {
    /// A dataset creation property list tracking and indexing the
    /// creation order of attributes, with no mappings yet.
    pub(crate) fn new() -> SResult<NewMappings> {
        use hdf5::globals::H5P_DATASET_CREATE;
        // SAFETY: no memory is handed over; the new identifier is owned by
        // the `Hid`.
        let dcpl = locked(|| Hid::new(unsafe { H5Pcreate(*H5P_DATASET_CREATE) }, H5Pclose))?;
        // SAFETY: no memory is handed over; `dcpl` is a dataset creation
        // property list.
        locked(|| ck(unsafe { H5Pset_attr_creation_order(dcpl.id(), ORDER) }))?;
        Ok(NewMappings { dcpl })
    }

    /// Adds a mapping: the selection of `vspace` shows the selection of
    /// `srcspace` of dataset `dataset` in file `file`.
    pub(crate) fn add(
        &mut self,
        vspace: &Hid,
        file: &CStr,
        dataset: &CStr,
        srcspace: &Hid,
    ) -> SResult<()> {
        locked(|| {
            // SAFETY: the names are NUL-terminated; every other argument is
            // an identifier.
            ck(unsafe {
                H5Pset_virtual(
                    self.dcpl.id(),
                    vspace.id(),
                    file.as_ptr(),
                    dataset.as_ptr(),
                    srcspace.id(),
                )
            })
        })
        .map(|_| ())
    }

    /// Creates the virtual dataset `name` in `parent` of file type `ftype`
    /// and shape `dims`.
    pub(crate) fn create(
        &self,
        parent: &Group,
        name: &CStr,
        ftype: &Datatype,
        dims: &[usize],
        pl: &Plists,
    ) -> SResult<Dataset> {
        create_dataset_with(parent, name, ftype, dims, &self.dcpl, pl)
    }
}
