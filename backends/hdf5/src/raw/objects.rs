//! Objects the high-level crate cannot make or ask about the way this
//! backend needs: the property lists of everything it creates, creating
//! groups, datasets and committed types with them, creation-order
//! queries, type queries, links and attributes.

use std::ffi::CStr;

use hdf5::{CommittedDatatype, Dataset, Datatype, Group};
use hdf5_sys::h5a::{
    H5Aclose, H5Acreate2, H5Adelete, H5Aexists, H5Aget_space, H5Aget_type, H5Aopen,
};
use hdf5_sys::h5d::{
    H5D_fill_time_t, H5Dcreate2, H5Dget_create_plist, H5D_CHUNK_CACHE_NSLOTS_DEFAULT,
    H5D_CHUNK_CACHE_W0_DEFAULT,
};
use hdf5_sys::h5g::{H5Gcreate2, H5Gget_create_plist};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5l::H5Lexists;
use hdf5_sys::h5p::{
    H5Pclose, H5Pcreate, H5Pget_attr_creation_order, H5Pget_link_creation_order,
    H5Pset_attr_creation_order, H5Pset_char_encoding, H5Pset_chunk, H5Pset_chunk_cache,
    H5Pset_deflate, H5Pset_fill_time, H5Pset_fill_value, H5Pset_link_creation_order,
    H5Pset_shuffle, H5P_CRT_ORDER_INDEXED, H5P_CRT_ORDER_TRACKED, H5P_DEFAULT,
};
use hdf5_sys::h5s::H5Sclose;
use hdf5_sys::h5t::{
    H5T_cset_t, H5T_str_t, H5Tcommit2, H5Tget_create_plist, H5Tget_strpad, H5Tis_variable_str,
};

use qnd_storage::chunks::{deflate_records, direct_records, leaf_chunk};
use qnd_storage::SResult;

use super::{ck, ck_id, lib, locked, new_space, space_of, to_hsize, Hid, Space};

/// Property lists used for every object this backend creates.
pub(crate) struct Plists {
    /// Link creation: UTF-8 names.
    pub(super) lcpl: Hid,
    /// Group creation: link and attribute creation order tracked and indexed.
    gcpl: Hid,
    /// Datatype creation: attribute creation order tracked and indexed.
    tcpl: Hid,
    /// Attribute creation: UTF-8 names.
    acpl: Hid,
    /// Datasets of a parallel file (MPI-IO): no filters (parallel HDF5
    /// 1.10 writes filtered chunks only collectively), and a fill value
    /// written for every leaf (space is allocated when it is created).
    pub(crate) parallel: bool,
}

/// Creation order tracked and indexed.
pub(super) const ORDER: u32 = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

impl Plists {
    /// Builds the property lists.
    pub(crate) fn new() -> SResult<Plists> {
        use hdf5::globals::{
            H5P_ATTRIBUTE_CREATE, H5P_DATATYPE_CREATE, H5P_GROUP_CREATE, H5P_LINK_CREATE,
        };
        locked(|| {
            // SAFETY: no memory is handed over; each new identifier is
            // owned by a `Hid`, and each setting goes to a property list of
            // the class it applies to.
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
                    parallel: false,
                })
            }
        })
    }
}

/// Creates group `name` in `parent`.
pub(crate) fn create_group(parent: &Group, name: &CStr, pl: &Plists) -> SResult<Group> {
    locked(|| {
        // SAFETY: `name` is NUL-terminated; the new identifier, checked,
        // is a group owned by nothing else, handed to the `Group` that
        // owns it.
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
pub(crate) fn create_dataset(
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
        // SAFETY: `c` holds the `c.len()` entries passed as the chunk rank;
        // `zero` holds one element of the file type `ftype` (not a
        // variable-length string: no pointer in it), which the library
        // copies; every other argument is an identifier.
        let (dcpl, dapl) = unsafe {
            let dcpl = Hid::new(H5Pcreate(*H5P_DATASET_CREATE), H5Pclose)?;
            ck(H5Pset_attr_creation_order(dcpl.id(), ORDER))?;
            let dapl = Hid::new(H5Pcreate(*H5P_DATASET_ACCESS), H5Pclose)?;
            // A leaf reads as zeros until written: HDF5's default fill
            // value is 0 and a contiguous dataset takes no room until it
            // is written. A big leaf is chunked, with fill value 0 (set,
            // so that every tool sees it), and its chunks are allocated
            // only as they are written: a partial write takes the room of
            // the chunks it touches, not of the whole leaf.
            let big = match (chunk, max) {
                (None, None) => leaf_chunk(dims, ftype.size()),
                _ => None,
            };
            // In a parallel file every leaf's space is allocated when it
            // is created (parallel HDF5 allocates early): with the fill
            // value set, HDF5 writes it there then, so that a leaf declared
            // and never written reads as zeros (without it, as whatever
            // the space held).
            if let Some(c) = &big {
                let c = to_hsize(c);
                ck(H5Pset_chunk(dcpl.id(), c.len() as _, c.as_ptr()))?;
            }
            if (big.is_some() || (pl.parallel && chunk.is_none()))
                && H5Tis_variable_str(ftype.id()) <= 0
            {
                let zero = vec![0u8; ftype.size().max(1)];
                ck(H5Pset_fill_value(
                    dcpl.id(),
                    ftype.id(),
                    zero.as_ptr().cast(),
                ))?;
            }
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
                // (no filters in a parallel file: see `Plists::parallel`)
                if !pl.parallel && deflate_records(record_bytes) && deflate_available() {
                    ck(H5Pset_shuffle(dcpl.id()))?;
                    ck(H5Pset_deflate(dcpl.id(), 1))?;
                }
                // The chunk cache holds one chunk (HDF5's default is 1 MiB
                // per open dataset, which a file of many record datasets
                // pays for each): records are written in whole chunks,
                // and a read or an append to the last, part-filled chunk
                // needs that chunk only. Big chunks bypass the cache.
                let cache = if direct_records(record_bytes) {
                    0
                } else {
                    record_bytes.saturating_mul(chunk[0])
                };
                ck(H5Pset_chunk_cache(
                    dapl.id(),
                    H5D_CHUNK_CACHE_NSLOTS_DEFAULT,
                    cache,
                    H5D_CHUNK_CACHE_W0_DEFAULT as f64,
                ))?;
            }
            (dcpl, dapl)
        };
        dcreate(parent, name, ftype, &space, pl, dcpl.id(), dapl.id())
    })
}

/// Whether this HDF5 has the deflate (zlib) filter.
fn deflate_available() -> bool {
    use hdf5_sys::h5z::{H5Zfilter_avail, H5Z_FILTER_DEFLATE};
    // SAFETY: a query with no identifiers or memory involved.
    locked(|| unsafe { H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 })
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
    dcreate(parent, name, ftype, &space, pl, dcpl.id(), H5P_DEFAULT)
}

/// `H5Dcreate2`: dataset `name` in `parent` of file type `ftype` over the
/// dataspace `space`, with the creation and access property lists `dcpl`
/// and `dapl`.
fn dcreate(
    parent: &Group,
    name: &CStr,
    ftype: &Datatype,
    space: &Hid,
    pl: &Plists,
    dcpl: hid_t,
    dapl: hid_t,
) -> SResult<Dataset> {
    locked(|| {
        // SAFETY: `name` is NUL-terminated; every other argument is an
        // identifier. The new dataset identifier, checked, is owned by
        // nothing else and handed to the `Dataset` that owns it.
        unsafe {
            let id = ck_id(H5Dcreate2(
                parent.id(),
                name.as_ptr(),
                ftype.id(),
                space.id(),
                pl.lcpl.id(),
                dcpl,
                dapl,
            ))?;
            hdf5::from_id::<Dataset>(id).map_err(lib)
        }
    })
}

/// Commits `dtype` (a transient type, which becomes the committed one) as
/// `name` in `parent`.
pub(crate) fn commit_type(
    parent: &Group,
    name: &CStr,
    dtype: Datatype,
    pl: &Plists,
) -> SResult<CommittedDatatype> {
    locked(|| {
        // SAFETY: `name` is NUL-terminated; every other argument is an
        // identifier, and `dtype` stays owned by its `Datatype`.
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
pub(crate) enum ObjClass {
    Group,
    Dataset,
    Datatype,
}

/// The creation property list of object `obj` of class `class`.
fn create_plist(obj: hid_t, class: ObjClass) -> SResult<Hid> {
    locked(|| {
        // SAFETY: no memory is handed over (the library checks `obj` is of
        // `class`); the new identifier is owned by the `Hid`.
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
pub(crate) fn attr_order_tracked(obj: hid_t, class: ObjClass) -> SResult<bool> {
    let pl = create_plist(obj, class)?;
    let mut flags = 0u32;
    // SAFETY: `flags` is the one `unsigned` the library writes.
    locked(|| ck(unsafe { H5Pget_attr_creation_order(pl.id(), &mut flags) }))?;
    Ok(flags & H5P_CRT_ORDER_TRACKED != 0)
}

/// True when the group records the creation order of its links.
pub(crate) fn link_order_tracked(group: &Group) -> SResult<bool> {
    let pl = create_plist(group.id(), ObjClass::Group)?;
    let mut flags = 0u32;
    // SAFETY: `flags` is the one `unsigned` the library writes.
    locked(|| ck(unsafe { H5Pget_link_creation_order(pl.id(), &mut flags) }))?;
    Ok(flags & H5P_CRT_ORDER_TRACKED != 0)
}

/// True when the string type is NUL-terminated (so it holds one byte less
/// than its size).
pub(crate) fn is_nullterm(dtype: &Datatype) -> bool {
    // SAFETY: no memory is handed over; `dtype` is a valid datatype.
    locked(|| unsafe { H5Tget_strpad(dtype.id()) }) == H5T_str_t::H5T_STR_NULLTERM
}

/// True for a floating-point type of fewer than 4 bytes.
pub(crate) fn is_small_float(dtype: &Datatype) -> bool {
    use hdf5_sys::h5t::{H5T_class_t, H5Tget_class};
    // SAFETY: no memory is handed over; `dtype` is a valid datatype.
    let class = locked(|| unsafe { H5Tget_class(dtype.id()) });
    class == H5T_class_t::H5T_FLOAT && dtype.size() < 4
}

/// True when `group` has a link called `name` (a plain name, no `/`).
pub(crate) fn link_exists(group: &Group, name: &CStr) -> SResult<bool> {
    // SAFETY: `name` is NUL-terminated; `group` is an identifier.
    locked(|| ck(unsafe { H5Lexists(group.id(), name.as_ptr(), H5P_DEFAULT) })).map(|r| r > 0)
}

/// True when object `obj` has attribute `name`.
pub(crate) fn attr_exists(obj: hid_t, name: &CStr) -> SResult<bool> {
    // SAFETY: `name` is NUL-terminated; the library checks `obj`.
    locked(|| ck(unsafe { H5Aexists(obj, name.as_ptr()) })).map(|r| r > 0)
}

/// Opens attribute `name` of `obj`.
pub(crate) fn attr_open(obj: hid_t, name: &CStr) -> SResult<Hid> {
    locked(|| {
        // SAFETY: `name` is NUL-terminated; the library checks `obj`; the
        // new identifier is owned by the `Hid`.
        Hid::new(
            unsafe { H5Aopen(obj, name.as_ptr(), H5P_DEFAULT) },
            H5Aclose,
        )
    })
}

/// Deletes attribute `name` of `obj`.
pub(crate) fn attr_delete(obj: hid_t, name: &CStr) -> SResult<()> {
    // SAFETY: `name` is NUL-terminated; the library checks `obj`.
    locked(|| ck(unsafe { H5Adelete(obj, name.as_ptr()) })).map(|_| ())
}

/// Creates attribute `name` of `obj` with file type `ftype` and shape
/// `dims` (scalar for `[]`).
pub(crate) fn attr_create(
    obj: hid_t,
    name: &CStr,
    ftype: &Datatype,
    dims: &[usize],
    pl: &Plists,
) -> SResult<Hid> {
    let space = new_space(dims, None)?;
    locked(|| {
        // SAFETY: `name` is NUL-terminated; every other argument is an
        // identifier; the new identifier is owned by the `Hid`.
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

/// The dataspace of an attribute.
pub(crate) fn attr_space(attr: &Hid) -> SResult<Space> {
    // SAFETY: no memory is handed over; the library checks that `attr` is
    // an attribute; the new identifier is owned by the `Hid`.
    let s = locked(|| Hid::new(unsafe { H5Aget_space(attr.id()) }, H5Sclose))?;
    space_of(&s)
}

/// The stored datatype of an attribute.
pub(crate) fn attr_type(attr: &Hid) -> SResult<Datatype> {
    locked(|| {
        // SAFETY: no memory is handed over; the new identifier, checked,
        // is a datatype owned by nothing else, handed to the `Datatype`
        // that owns it.
        unsafe {
            let id = ck_id(H5Aget_type(attr.id()))?;
            hdf5::from_id::<Datatype>(id).map_err(lib)
        }
    })
}
