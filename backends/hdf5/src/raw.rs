//! Small safe wrappers over the raw HDF5 calls the high-level crate lacks:
//! identifiers closed on drop, dataspaces, hyperslab selections, property
//! lists, object creation and attribute access. Every call runs under
//! hdf5-metno's global lock and every return code is checked.

use std::ffi::{c_void, CStr, CString};
use std::ptr;

use hdf5::{CommittedDatatype, Dataset, Datatype, Group};

use qnd_storage::chunks::{deflate_records, direct_records};
use hdf5_sys::h5::{herr_t, hsize_t};
use hdf5_sys::h5a::{H5Aclose, H5Acreate2, H5Adelete, H5Aexists, H5Aget_space, H5Aopen};
use hdf5_sys::h5d::{
    H5D_fill_time_t, H5Dcreate2, H5Dget_create_plist, H5Dget_space, H5Dset_extent,
    H5D_CHUNK_CACHE_NSLOTS_DEFAULT, H5D_CHUNK_CACHE_W0_DEFAULT,
};
use hdf5_sys::h5g::{H5Gcreate2, H5Gget_create_plist};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5p::{
    H5Pclose, H5Pcreate, H5Pget_attr_creation_order, H5Pget_link_creation_order,
    H5Pset_attr_creation_order, H5Pset_char_encoding, H5Pset_chunk, H5Pset_chunk_cache,
    H5Pset_deflate, H5Pset_fill_time, H5Pset_link_creation_order, H5Pset_shuffle,
    H5P_CRT_ORDER_INDEXED, H5P_CRT_ORDER_TRACKED, H5P_DEFAULT,
};
use hdf5_sys::h5s::{
    H5S_class_t, H5S_seloper_t, H5Sclose, H5Screate, H5Screate_simple, H5Sget_simple_extent_dims,
    H5Sget_simple_extent_ndims, H5Sget_simple_extent_type, H5Sselect_hyperslab, H5S_UNLIMITED,
};
use hdf5_sys::h5t::{H5T_cset_t, H5T_str_t, H5Tcommit2, H5Tget_create_plist, H5Tget_strpad};

use qnd_storage::{SResult, Run};
use qnd_storage::StorageError;

/// Runs `f` holding hdf5-metno's (reentrant) library lock.
pub(super) fn locked<T>(f: impl FnOnce() -> T) -> T {
    hdf5::sync::sync(f)
}

/// Wraps an error of the high-level crate.
pub(super) fn lib(e: hdf5::Error) -> StorageError {
    StorageError::library(e)
}

/// Checks a status return (`herr_t`, `htri_t`: negative is failure).
pub(super) fn ck(code: herr_t) -> SResult<herr_t> {
    hdf5::h5check(code).map_err(lib)
}

/// Checks an identifier return (negative is failure).
pub(super) fn ck_id(id: hid_t) -> SResult<hid_t> {
    hdf5::h5check(id).map_err(lib)
}

/// A name as a C string; names holding NUL bytes cannot exist in HDF5.
pub(super) fn c_name(name: &str) -> SResult<CString> {
    CString::new(name)
        .map_err(|_| StorageError::Unsupported(format!("name {name:?} holds a NUL byte")))
}

pub(super) type Closer = unsafe extern "C" fn(hid_t) -> herr_t;

/// An owned HDF5 identifier (dataspace, property list, attribute), closed
/// on drop.
pub(super) struct Hid {
    id: hid_t,
    close: Closer,
}

impl Hid {
    /// Takes ownership of the result of a raw call, checking it.
    pub(super) fn new(id: hid_t, close: Closer) -> SResult<Hid> {
        Ok(Hid {
            id: ck_id(id)?,
            close,
        })
    }

    /// The raw identifier (valid while `self` lives).
    pub(super) fn id(&self) -> hid_t {
        self.id
    }
}

impl Drop for Hid {
    fn drop(&mut self) {
        // SAFETY: `id` was returned valid by the library and is owned here.
        locked(|| unsafe {
            (self.close)(self.id);
        });
    }
}

pub(super) fn to_hsize(v: &[usize]) -> Vec<hsize_t> {
    v.iter().map(|&x| x as hsize_t).collect()
}

/// Shape of a dataspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Space {
    /// No elements at all (h5py's `Empty`).
    Null,
    /// One element, shape `()`.
    Scalar,
    /// An n-d array; `None` in `max` is unlimited.
    Simple {
        dims: Vec<usize>,
        max: Vec<Option<usize>>,
    },
}

impl Space {
    /// The current shape (`[]` for scalar and null).
    pub(super) fn dims(&self) -> Vec<usize> {
        match self {
            Space::Simple { dims, .. } => dims.clone(),
            _ => Vec::new(),
        }
    }
}

pub(super) fn space_of(space: &Hid) -> SResult<Space> {
    locked(|| {
        // SAFETY: `space` is a valid dataspace; the buffers hold `ndims` entries.
        unsafe {
            match H5Sget_simple_extent_type(space.id()) {
                H5S_class_t::H5S_NULL => return Ok(Space::Null),
                H5S_class_t::H5S_SCALAR => return Ok(Space::Scalar),
                H5S_class_t::H5S_SIMPLE => {}
                _ => return Err(StorageError::Layout("dataspace of unknown class".into())),
            }
            let n = ck(H5Sget_simple_extent_ndims(space.id()))? as usize;
            let mut dims = vec![0 as hsize_t; n];
            let mut max = vec![0 as hsize_t; n];
            ck(H5Sget_simple_extent_dims(
                space.id(),
                dims.as_mut_ptr(),
                max.as_mut_ptr(),
            ))?;
            Ok(Space::Simple {
                dims: dims.iter().map(|&d| d as usize).collect(),
                max: max
                    .iter()
                    .map(|&m| (m != H5S_UNLIMITED).then_some(m as usize))
                    .collect(),
            })
        }
    })
}

fn dataset_space_hid(ds: &Dataset) -> SResult<Hid> {
    // SAFETY: `ds` is an open dataset.
    locked(|| Hid::new(unsafe { H5Dget_space(ds.id()) }, H5Sclose))
}

/// The dataspace of a dataset.
pub(super) fn dataset_space(ds: &Dataset) -> SResult<Space> {
    space_of(&dataset_space_hid(ds)?)
}

/// The dataspace of an attribute.
pub(super) fn attr_space(attr: &Hid) -> SResult<Space> {
    // SAFETY: `attr` is an open attribute.
    let s = locked(|| Hid::new(unsafe { H5Aget_space(attr.id()) }, H5Sclose))?;
    space_of(&s)
}

/// A new dataspace: scalar for shape `[]`, else simple with `max` (all
/// fixed when `None`; `None` entries unlimited).
pub(super) fn new_space(dims: &[usize], max: Option<&[Option<usize>]>) -> SResult<Hid> {
    locked(|| {
        // SAFETY: the arrays hold `dims.len()` entries.
        unsafe {
            if dims.is_empty() {
                return Hid::new(H5Screate(H5S_class_t::H5S_SCALAR), H5Sclose);
            }
            let d = to_hsize(dims);
            let m: Option<Vec<hsize_t>> = max.map(|m| {
                m.iter()
                    .map(|x| x.map_or(H5S_UNLIMITED, |v| v as hsize_t))
                    .collect()
            });
            Hid::new(
                H5Screate_simple(
                    d.len() as _,
                    d.as_ptr(),
                    m.as_ref().map_or(ptr::null(), |m| m.as_ptr()),
                ),
                H5Sclose,
            )
        }
    })
}

/// A dataset transfer: the memory and file dataspaces of a hyperslab
/// (both `H5S_ALL` for a scalar).
pub(super) struct Selection {
    mem: Option<Hid>,
    file: Option<Hid>,
}

impl Selection {
    /// The memory dataspace identifier.
    pub(super) fn mem_id(&self) -> hid_t {
        self.mem.as_ref().map_or(hdf5_sys::h5s::H5S_ALL, Hid::id)
    }
    /// The file dataspace identifier.
    pub(super) fn file_id(&self) -> hid_t {
        self.file.as_ref().map_or(hdf5_sys::h5s::H5S_ALL, Hid::id)
    }
}

/// Applies hyperslab `slab` (one entry per axis of `space`) to the
/// selection of `space` with `op`. A run of consecutive indices is one
/// block (not that many blocks of one element, which HDF5 handles far more
/// slowly, virtual datasets above all).
pub(super) fn select_slab(space: &Hid, slab: &[Run], op: H5S_seloper_t) -> SResult<()> {
    let start: Vec<hsize_t> = slab.iter().map(|s| s.first as hsize_t).collect();
    let stride: Vec<hsize_t> = slab.iter().map(|s| s.stride() as hsize_t).collect();
    let mut count: Vec<hsize_t> = slab.iter().map(|s| s.count as hsize_t).collect();
    let mut block: Vec<hsize_t> = vec![1; slab.len()];
    for (k, s) in slab.iter().enumerate() {
        if s.count > 1 && s.stride() <= 1 {
            block[k] = s.count as hsize_t;
            count[k] = 1;
        }
    }
    locked(|| {
        // SAFETY: every array holds one entry per axis of `space`.
        unsafe {
            ck(H5Sselect_hyperslab(
                space.id(),
                op,
                start.as_ptr(),
                stride.as_ptr(),
                count.as_ptr(),
                block.as_ptr(),
            ))
        }
    })
    .map(|_| ())
}

/// Selects the hyperslab `slab` (one entry per axis) of a dataset.
pub(super) fn select(ds: &Dataset, slab: &[Run]) -> SResult<Selection> {
    let file = dataset_space_hid(ds)?;
    let space = space_of(&file)?;
    let dims = match &space {
        Space::Null => return Err(StorageError::Layout("dataset has no elements".into())),
        Space::Scalar => Vec::new(),
        Space::Simple { dims, .. } => dims.clone(),
    };
    if dims.len() != slab.len() {
        return Err(StorageError::Layout(format!(
            "{} slab axes for a dataset of rank {}",
            slab.len(),
            dims.len()
        )));
    }
    if dims.is_empty() {
        return Ok(Selection {
            mem: None,
            file: None,
        });
    }
    for (axis, (s, &d)) in slab.iter().zip(&dims).enumerate() {
        let last = s.first + s.count.saturating_sub(1) * s.stride();
        if s.count > 0 && ((s.step <= 0 && s.count > 1) || last >= d) {
            return Err(StorageError::Layout(format!(
                "slab {s:?} outside axis {axis} of length {d}"
            )));
        }
    }
    select_slab(&file, slab, H5S_seloper_t::H5S_SELECT_SET)?;
    let count: Vec<usize> = slab.iter().map(|s| s.count).collect();
    let mem = new_space(&count, None)?;
    Ok(Selection {
        mem: Some(mem),
        file: Some(file),
    })
}

/// Sets the extent of a resizable dataset.
pub(super) fn set_extent(ds: &Dataset, dims: &[usize]) -> SResult<()> {
    let d = to_hsize(dims);
    // SAFETY: `d` holds one entry per axis of the dataset (checked by callers).
    locked(|| ck(unsafe { H5Dset_extent(ds.id(), d.as_ptr()) })).map(|_| ())
}

/// Property lists used for every object this backend creates.
pub(super) struct Plists {
    /// Link creation: UTF-8 names.
    lcpl: Hid,
    /// Group creation: link and attribute creation order tracked and indexed.
    gcpl: Hid,
    /// Datatype creation: attribute creation order tracked and indexed.
    tcpl: Hid,
    /// Attribute creation: UTF-8 names.
    acpl: Hid,
}

/// Creation order tracked and indexed.
pub(super) const ORDER: u32 = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

impl Plists {
    /// Builds the property lists.
    pub(super) fn new() -> SResult<Plists> {
        use hdf5::globals::{
            H5P_ATTRIBUTE_CREATE, H5P_DATATYPE_CREATE, H5P_GROUP_CREATE, H5P_LINK_CREATE,
        };
        locked(|| {
            // SAFETY: each call gets a property list of the class it applies to.
            unsafe {
                let lcpl = Hid::new(H5Pcreate(*H5P_LINK_CREATE), H5Pclose)?;
                ck(H5Pset_char_encoding(lcpl.id(), H5T_cset_t::H5T_CSET_UTF8))?;
                let gcpl = Hid::new(H5Pcreate(*H5P_GROUP_CREATE), H5Pclose)?;
                ck(H5Pset_link_creation_order(gcpl.id(), ORDER))?;
                ck(H5Pset_attr_creation_order(gcpl.id(), ORDER))?;
                let tcpl = Hid::new(H5Pcreate(*H5P_DATATYPE_CREATE), H5Pclose)?;
                ck(H5Pset_attr_creation_order(tcpl.id(), ORDER))?;
                let acpl = Hid::new(H5Pcreate(*H5P_ATTRIBUTE_CREATE), H5Pclose)?;
                ck(H5Pset_char_encoding(acpl.id(), H5T_cset_t::H5T_CSET_UTF8))?;
                Ok(Plists {
                    lcpl,
                    gcpl,
                    tcpl,
                    acpl,
                })
            }
        })
    }
}

/// Creates group `name` in `parent`.
pub(super) fn create_group(parent: &Group, name: &CStr, pl: &Plists) -> SResult<Group> {
    locked(|| {
        // SAFETY: valid identifiers and a NUL-terminated name; the new
        // identifier is handed to the `Group` that owns it.
        unsafe {
            let id = ck_id(H5Gcreate2(
                parent.id(),
                name.as_ptr(),
                pl.lcpl.id(),
                pl.gcpl.id(),
                H5P_DEFAULT,
            ))?;
            hdf5::from_id::<Group>(id).map_err(lib)
        }
    })
}

/// Creates dataset `name` in `parent` of file type `ftype`, shape `dims`,
/// maximum shape `max` (fixed when `None`) and chunk shape `chunk`
/// (contiguous when `None`).
pub(super) fn create_dataset(
    parent: &Group,
    name: &CStr,
    ftype: &Datatype,
    dims: &[usize],
    max: Option<&[Option<usize>]>,
    chunk: Option<&[usize]>,
    pl: &Plists,
) -> SResult<Dataset> {
    use hdf5::globals::{H5P_DATASET_ACCESS, H5P_DATASET_CREATE};
    let space = new_space(dims, max)?;
    locked(|| {
        // SAFETY: valid identifiers, `chunk` holds one entry per axis; the
        // new identifier is handed to the `Dataset` that owns it.
        unsafe {
            let dcpl = Hid::new(H5Pcreate(*H5P_DATASET_CREATE), H5Pclose)?;
            ck(H5Pset_attr_creation_order(dcpl.id(), ORDER))?;
            let dapl = Hid::new(H5Pcreate(*H5P_DATASET_ACCESS), H5Pclose)?;
            if let Some(chunk) = chunk {
                let c = to_hsize(chunk);
                ck(H5Pset_chunk(dcpl.id(), c.len() as _, c.as_ptr()))?;
                // Records are written whole: no fill value is ever seen, so
                // none is written before the data.
                ck(H5Pset_fill_time(
                    dcpl.id(),
                    H5D_fill_time_t::H5D_FILL_TIME_NEVER,
                ))?;
                let record_bytes = chunk[1..]
                    .iter()
                    .product::<usize>()
                    .saturating_mul(ftype.size());
                if deflate_records(record_bytes) && deflate_available() {
                    ck(H5Pset_shuffle(dcpl.id()))?;
                    ck(H5Pset_deflate(dcpl.id(), 1))?;
                }
                if direct_records(record_bytes) {
                    ck(H5Pset_chunk_cache(
                        dapl.id(),
                        H5D_CHUNK_CACHE_NSLOTS_DEFAULT,
                        0,
                        H5D_CHUNK_CACHE_W0_DEFAULT as f64,
                    ))?;
                }
            }
            let id = ck_id(H5Dcreate2(
                parent.id(),
                name.as_ptr(),
                ftype.id(),
                space.id(),
                pl.lcpl.id(),
                dcpl.id(),
                dapl.id(),
            ))?;
            hdf5::from_id::<Dataset>(id).map_err(lib)
        }
    })
}

/// Whether this HDF5 has the deflate (zlib) filter.
fn deflate_available() -> bool {
    use hdf5_sys::h5z::{H5Zfilter_avail, H5Z_FILTER_DEFLATE};
    // SAFETY: a query with no identifiers involved.
    unsafe { H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 }
}

/// Creates dataset `name` in `parent` of file type `ftype` and shape
/// `dims` with the dataset creation property list `dcpl` (a virtual
/// dataset's mappings, say).
pub(super) fn create_dataset_with(
    parent: &Group,
    name: &CStr,
    ftype: &Datatype,
    dims: &[usize],
    dcpl: &Hid,
    pl: &Plists,
) -> SResult<Dataset> {
    let space = new_space(dims, None)?;
    locked(|| {
        // SAFETY: valid identifiers and a NUL-terminated name; the new
        // identifier is handed to the `Dataset` that owns it.
        unsafe {
            let id = ck_id(H5Dcreate2(
                parent.id(),
                name.as_ptr(),
                ftype.id(),
                space.id(),
                pl.lcpl.id(),
                dcpl.id(),
                H5P_DEFAULT,
            ))?;
            hdf5::from_id::<Dataset>(id).map_err(lib)
        }
    })
}

/// Commits `dtype` (a transient type, which becomes the committed one) as
/// `name` in `parent`.
pub(super) fn commit_type(
    parent: &Group,
    name: &CStr,
    dtype: Datatype,
    pl: &Plists,
) -> SResult<CommittedDatatype> {
    locked(|| {
        // SAFETY: valid identifiers and a NUL-terminated name.
        ck(unsafe {
            H5Tcommit2(
                parent.id(),
                name.as_ptr(),
                dtype.id(),
                pl.lcpl.id(),
                pl.tcpl.id(),
                H5P_DEFAULT,
            )
        })
    })?;
    CommittedDatatype::try_from(dtype).map_err(lib)
}

/// Which kind of object an identifier is, to get its creation plist.
#[derive(Clone, Copy)]
pub(super) enum ObjClass {
    Group,
    Dataset,
    Datatype,
}

fn create_plist(obj: hid_t, class: ObjClass) -> SResult<Hid> {
    locked(|| {
        // SAFETY: `obj` is an open object of `class`.
        let id = unsafe {
            match class {
                ObjClass::Group => H5Gget_create_plist(obj),
                ObjClass::Dataset => H5Dget_create_plist(obj),
                ObjClass::Datatype => H5Tget_create_plist(obj),
            }
        };
        Hid::new(id, H5Pclose)
    })
}

/// True when the object records the creation order of its attributes.
pub(super) fn attr_order_tracked(obj: hid_t, class: ObjClass) -> SResult<bool> {
    let pl = create_plist(obj, class)?;
    let mut flags = 0u32;
    // SAFETY: `pl` is an object creation property list.
    locked(|| ck(unsafe { H5Pget_attr_creation_order(pl.id(), &mut flags) }))?;
    Ok(flags & H5P_CRT_ORDER_TRACKED != 0)
}

/// True when the group records the creation order of its links.
pub(super) fn link_order_tracked(group: &Group) -> SResult<bool> {
    let pl = create_plist(group.id(), ObjClass::Group)?;
    let mut flags = 0u32;
    // SAFETY: `pl` is a group creation property list.
    locked(|| ck(unsafe { H5Pget_link_creation_order(pl.id(), &mut flags) }))?;
    Ok(flags & H5P_CRT_ORDER_TRACKED != 0)
}

/// True when the string type is NUL-terminated (so it holds one byte less
/// than its size).
pub(super) fn is_nullterm(dtype: &Datatype) -> bool {
    // SAFETY: `dtype` is a valid string datatype.
    locked(|| unsafe { H5Tget_strpad(dtype.id()) }) == H5T_str_t::H5T_STR_NULLTERM
}

/// True for a floating-point type of fewer than 4 bytes.
pub(super) fn is_small_float(dtype: &Datatype) -> bool {
    use hdf5_sys::h5t::{H5T_class_t, H5Tget_class};
    // SAFETY: `dtype` is a valid datatype.
    let class = locked(|| unsafe { H5Tget_class(dtype.id()) });
    class == H5T_class_t::H5T_FLOAT && dtype.size() < 4
}

/// True when object `obj` has attribute `name`.
pub(super) fn attr_exists(obj: hid_t, name: &CStr) -> SResult<bool> {
    // SAFETY: valid identifier and NUL-terminated name.
    locked(|| ck(unsafe { H5Aexists(obj, name.as_ptr()) })).map(|r| r > 0)
}

/// Opens attribute `name` of `obj`.
pub(super) fn attr_open(obj: hid_t, name: &CStr) -> SResult<Hid> {
    // SAFETY: valid identifier and NUL-terminated name.
    locked(|| {
        Hid::new(
            unsafe { H5Aopen(obj, name.as_ptr(), H5P_DEFAULT) },
            H5Aclose,
        )
    })
}

/// Deletes attribute `name` of `obj`.
pub(super) fn attr_delete(obj: hid_t, name: &CStr) -> SResult<()> {
    // SAFETY: valid identifier and NUL-terminated name.
    locked(|| ck(unsafe { H5Adelete(obj, name.as_ptr()) })).map(|_| ())
}

/// Creates attribute `name` of `obj` with file type `ftype` and shape
/// `dims` (scalar for `[]`).
pub(super) fn attr_create(
    obj: hid_t,
    name: &CStr,
    ftype: &Datatype,
    dims: &[usize],
    pl: &Plists,
) -> SResult<Hid> {
    let space = new_space(dims, None)?;
    locked(|| {
        // SAFETY: valid identifiers and NUL-terminated name.
        let id = unsafe {
            H5Acreate2(
                obj,
                name.as_ptr(),
                ftype.id(),
                space.id(),
                pl.acpl.id(),
                H5P_DEFAULT,
            )
        };
        Hid::new(id, H5Aclose)
    })
}

/// Number of objects (the file itself included) open in a file.
#[cfg(test)]
pub(super) fn open_objects(file: &hdf5::File) -> SResult<usize> {
    use hdf5_sys::h5f::{H5Fget_obj_count, H5F_OBJ_ALL};
    // SAFETY: `file` is an open file.
    let n = locked(|| unsafe { H5Fget_obj_count(file.id(), H5F_OBJ_ALL) });
    if n < 0 {
        return Err(StorageError::Layout("cannot count open objects".into()));
    }
    Ok(n as usize)
}

/// Raw read of a whole attribute into `buf` (as `mem` type elements).
///
/// # Safety
/// `buf` must hold as many elements of `mem` as the attribute has.
pub(super) unsafe fn attr_read(attr: &Hid, mem: &Datatype, buf: *mut c_void) -> SResult<()> {
    locked(|| ck(hdf5_sys::h5a::H5Aread(attr.id(), mem.id(), buf))).map(|_| ())
}

/// Raw write of a whole attribute from `buf`.
///
/// # Safety
/// `buf` must hold as many elements of `mem` as the attribute has.
pub(super) unsafe fn attr_write(attr: &Hid, mem: &Datatype, buf: *const c_void) -> SResult<()> {
    locked(|| ck(hdf5_sys::h5a::H5Awrite(attr.id(), mem.id(), buf))).map(|_| ())
}

/// Raw read of a selection of a dataset into `buf`.
///
/// # Safety
/// `buf` must hold as many elements of `mem` as the selection has.
pub(super) unsafe fn dataset_read(
    ds: &Dataset,
    sel: &Selection,
    mem: &Datatype,
    buf: *mut c_void,
) -> SResult<()> {
    locked(|| {
        ck(hdf5_sys::h5d::H5Dread(
            ds.id(),
            mem.id(),
            sel.mem_id(),
            sel.file_id(),
            H5P_DEFAULT,
            buf,
        ))
    })
    .map(|_| ())
}

/// Raw write of a selection of a dataset from `buf`.
///
/// # Safety
/// `buf` must hold as many elements of `mem` as the selection has.
pub(super) unsafe fn dataset_write(
    ds: &Dataset,
    sel: &Selection,
    mem: &Datatype,
    buf: *const c_void,
) -> SResult<()> {
    locked(|| {
        ck(hdf5_sys::h5d::H5Dwrite(
            ds.id(),
            mem.id(),
            sel.mem_id(),
            sel.file_id(),
            H5P_DEFAULT,
            buf,
        ))
    })
    .map(|_| ())
}

/// Frees memory the library allocated (variable-length strings).
///
/// # Safety
/// `p` must come from the library's allocator (or be null).
pub(super) unsafe fn free(p: *mut c_void) {
    if !p.is_null() {
        locked(|| hdf5_sys::h5::H5free_memory(p));
    }
}

/// The stored datatype of an attribute.
pub(super) fn attr_type(attr: &Hid) -> SResult<Datatype> {
    locked(|| {
        // SAFETY: `attr` is an open attribute; the new identifier is handed
        // to the `Datatype` that owns it.
        unsafe {
            let id = ck_id(hdf5_sys::h5a::H5Aget_type(attr.id()))?;
            hdf5::from_id::<Datatype>(id).map_err(lib)
        }
    })
}

/// True when `group` has a link called `name` (a plain name, no `/`).
pub(super) fn link_exists(group: &Group, name: &CStr) -> SResult<bool> {
    // SAFETY: valid identifier and NUL-terminated name.
    locked(|| ck(unsafe { hdf5_sys::h5l::H5Lexists(group.id(), name.as_ptr(), H5P_DEFAULT) }))
        .map(|r| r > 0)
}

/// Mark the file's descriptor close-on-exec (the sec2 driver, the default,
/// does not): otherwise every process the program starts while the file is
/// open inherits the descriptor, and with it HDF5's lock on the file, which
/// then stays locked after this program closes it. Best effort: a driver
/// without a plain descriptor is left alone.
#[cfg(unix)]
pub(super) fn close_on_exec(file: hid_t) {
    use hdf5_sys::h5f::{H5Fget_access_plist, H5Fget_vfd_handle};
    use hdf5_sys::h5p::H5Pget_driver;
    locked(|| unsafe {
        let fapl = H5Fget_access_plist(file);
        if fapl < 0 {
            return;
        }
        let driver = H5Pget_driver(fapl);
        H5Pclose(fapl);
        if driver != *hdf5::globals::H5FD_SEC2 {
            return;
        }
        let mut handle: *mut c_void = ptr::null_mut();
        if H5Fget_vfd_handle(file, H5P_DEFAULT, &mut handle) < 0 || handle.is_null() {
            return;
        }
        // For sec2 the handle points at the POSIX descriptor.
        let fd = *handle.cast::<std::ffi::c_int>();
        let flags = libc::fcntl(fd, libc::F_GETFD);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
        }
    });
}

#[cfg(not(unix))]
pub(super) fn close_on_exec(_file: hid_t) {}
