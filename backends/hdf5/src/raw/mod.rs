//! Every raw HDF5 call of the backend, behind small safe wrappers: the one
//! place with `unsafe` code. Every call runs under hdf5-metno's global lock
//! and every return code is checked; every buffer handed to the library is
//! sized here, from the object it goes to or comes from.
//!
//! - this module: identifiers closed on drop, dataspaces and hyperslab
//!   selections;
//! - [`objects`]: property lists, creating groups, datasets and committed
//!   types, attributes, links and the type and order queries;
//! - [`data`]: moving typed buffers in and out of datasets and attributes;
//! - [`vds`]: the mappings of virtual datasets and opening their sources;
//! - [`links`]: what a link is, creating and deleting links;
//! - [`elink`]: opening through external links with a default file-access
//!   list (from families);
//! - [`file`]: file descriptors (close-on-exec), and probes for the tests;
//! - [`swmr`]: superblock versions, SWMR writing and reading;
//! - [`types`]: what a datatype is, whatever its class (to describe the
//!   types qnd does not read), and the complex types this backend writes;
//! - `parallel` (feature `mpi`): the MPI-IO driver, its communicator and
//!   collective writes.
#![allow(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub(crate) mod data;
pub(crate) mod elink;
pub(crate) mod family;
pub(crate) mod file;
pub(crate) mod links;
pub(crate) mod objects;
#[cfg(feature = "mpi")]
pub(crate) mod parallel;
pub(crate) mod swmr;
pub(crate) mod types;
pub(crate) mod vds;

pub(crate) use self::data::Target;
pub(crate) use self::file::close_on_exec;
pub(crate) use self::objects::*;

use std::ffi::CString;
use std::ptr;

use hdf5::Dataset;
use hdf5_sys::h5::{herr_t, hsize_t};
use hdf5_sys::h5d::{H5Dget_space, H5Dset_extent};
use hdf5_sys::h5f::{H5Fget_obj_count, H5F_OBJ_FILE};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5s::{
    H5S_class_t, H5S_seloper_t, H5Sclose, H5Scopy, H5Screate, H5Screate_simple,
    H5Sget_select_bounds, H5Sget_select_npoints, H5Sget_simple_extent_dims,
    H5Sget_simple_extent_ndims, H5Sget_simple_extent_type, H5Sselect_hyperslab, H5S_UNLIMITED,
};

use qnd_storage::{Run, SResult, StorageError};

/// Runs `f` holding hdf5-metno's (reentrant) library lock.
pub(crate) fn locked<T>(f: impl FnOnce() -> T) -> T {
    hdf5::sync::sync(f)
}

/// An HDF5 error, spelled when it is made: the error stack's outermost
/// call and innermost cause, as hdf5-metno spells them ("H5Fopen(): unable
/// to open file: unable to lock file, errno = 11, error message = 'Resource
/// temporarily unavailable'"), on one line (HDF5 puts a line break in the
/// time stamps of its I/O messages). The stack itself is the `source()`.
#[derive(Debug)]
pub(crate) struct Hdf5Error {
    message: String,
    source: hdf5::Error,
}

impl std::fmt::Display for Hdf5Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Hdf5Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Wraps an error of the high-level crate.
pub(crate) fn lib(e: hdf5::Error) -> StorageError {
    let message = e
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    StorageError::library(Hdf5Error { message, source: e })
}

/// Checks a status return (`herr_t`, `htri_t`: negative is failure).
fn ck(code: herr_t) -> SResult<herr_t> {
    hdf5::h5check(code).map_err(lib)
}

/// Checks an identifier return (negative is failure).
fn ck_id(id: hid_t) -> SResult<hid_t> {
    hdf5::h5check(id).map_err(lib)
}

/// A name as a C string; names holding NUL bytes cannot exist in HDF5.
pub(crate) fn c_name(name: &str) -> SResult<CString> {
    CString::new(name)
        .map_err(|_| StorageError::Unsupported(format!("name {name:?} holds a NUL byte")))
}

/// The library call that closes an identifier of some class.
type Closer = unsafe extern "C" fn(hid_t) -> herr_t;

/// An owned HDF5 identifier (dataspace, property list, attribute, a
/// source file or dataset of a virtual dataset), closed on drop.
pub(crate) struct Hid {
    id: hid_t,
    close: Closer,
}

impl Hid {
    /// Takes ownership of the result of a raw call, checking it; `close`
    /// must be the call that closes identifiers of its class.
    fn new(id: hid_t, close: Closer) -> SResult<Hid> {
        Ok(Hid {
            id: ck_id(id)?,
            close,
        })
    }

    /// The raw identifier (valid while `self` lives).
    pub(crate) fn id(&self) -> hid_t {
        self.id
    }
}

impl Drop for Hid {
    fn drop(&mut self) {
        // SAFETY: `id` was returned valid by the library, is owned here and
        // closed once, by the call for its class.
        locked(|| unsafe {
            (self.close)(self.id);
        });
    }
}

fn to_hsize(v: &[usize]) -> Vec<hsize_t> {
    v.iter().map(|&x| x as hsize_t).collect()
}

/// Shape of a dataspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Space {
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
    pub(crate) fn dims(&self) -> Vec<usize> {
        match self {
            Space::Simple { dims, .. } => dims.clone(),
            _ => Vec::new(),
        }
    }

    /// The number of elements.
    fn len(&self) -> usize {
        match self {
            Space::Null => 0,
            Space::Scalar => 1,
            Space::Simple { dims, .. } => dims.iter().fold(1, |a, &d| a.saturating_mul(d)),
        }
    }
}

/// The shape of dataspace `space`.
fn space_of(space: &Hid) -> SResult<Space> {
    locked(|| {
        // SAFETY: `space` is an open identifier (the library checks it is a
        // dataspace); `dims` and `max` hold the `n` entries the library
        // writes, `n` being its rank.
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

/// The dataspace of the dataset with identifier `ds`.
fn dataset_space_hid(ds: hid_t) -> SResult<Hid> {
    // SAFETY: no memory is handed over; the library checks that `ds` is a
    // dataset and the new identifier is owned by the `Hid`.
    locked(|| Hid::new(unsafe { H5Dget_space(ds) }, H5Sclose))
}

/// The dataspace of a dataset.
pub(crate) fn dataset_space(ds: &Dataset) -> SResult<Space> {
    space_of(&dataset_space_hid(ds.id())?)
}

/// Whether `file` is the one identifier open on its file in this process.
/// HDF5 shares a file opened twice in one process (a writer's handle and a
/// reader's): what one appends, the other sees at once, without a refresh.
pub(crate) fn alone(file: hid_t) -> bool {
    // SAFETY: no memory is handed over; the library checks `file`.
    let n = locked(|| unsafe { H5Fget_obj_count(file, H5F_OBJ_FILE) });
    n == 1
}

/// HDF5's largest rank (`H5S_MAX_RANK`).
pub(crate) const MAX_RANK: usize = 32;

/// The length of a dataset's leading axis now (0 for a scalar or null
/// dataspace): the record count of a record node, asked on every read
/// under goto, so it allocates nothing.
pub(crate) fn dataset_len(ds: &Dataset) -> SResult<usize> {
    let space = dataset_space_hid(ds.id())?;
    locked(|| {
        // SAFETY: `space` is an open dataspace identifier; the rank is
        // checked to be at most `MAX_RANK` before the library writes that
        // many entries into `dims`.
        unsafe {
            let n = ck(H5Sget_simple_extent_ndims(space.id()))? as usize;
            if n == 0 {
                return Ok(0);
            }
            if n > MAX_RANK {
                return Err(StorageError::Layout(format!("a dataspace of rank {n}")));
            }
            let mut dims = [0 as hsize_t; MAX_RANK];
            ck(H5Sget_simple_extent_dims(
                space.id(),
                dims.as_mut_ptr(),
                std::ptr::null_mut(),
            ))?;
            Ok(dims[0] as usize)
        }
    })
}

/// A new dataspace: scalar for shape `[]`, else simple with `max` (all
/// fixed when `None`; `None` entries unlimited).
fn new_space(dims: &[usize], max: Option<&[Option<usize>]>) -> SResult<Hid> {
    if max.is_some_and(|m| m.len() != dims.len()) {
        return Err(StorageError::Layout(format!(
            "maximum shape {max:?} for a dataspace of shape {dims:?}"
        )));
    }
    let d = to_hsize(dims);
    let m: Option<Vec<hsize_t>> = max.map(|m| {
        m.iter()
            .map(|x| x.map_or(H5S_UNLIMITED, |v| v as hsize_t))
            .collect()
    });
    locked(|| {
        // SAFETY: `d` and `m` (when given) hold `d.len()` entries, the rank
        // passed; the new identifier is owned by the `Hid`.
        unsafe {
            if dims.is_empty() {
                return Hid::new(H5Screate(H5S_class_t::H5S_SCALAR), H5Sclose);
            }
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

/// A dataspace a [`Selection`] uses: `H5S_ALL`, one of its own, or one
/// kept by the dataset's [`Spaces`].
enum SpaceRef<'a> {
    All,
    Own(Hid),
    Kept(&'a Hid),
}

impl SpaceRef<'_> {
    fn id(&self) -> hid_t {
        match self {
            SpaceRef::All => hdf5_sys::h5s::H5S_ALL,
            SpaceRef::Own(h) => h.id(),
            SpaceRef::Kept(h) => h.id(),
        }
    }
}

/// A dataset transfer: the memory and file dataspaces of a hyperslab
/// (both `H5S_ALL` for a scalar), and how many elements it has.
pub(crate) struct Selection<'a> {
    mem: SpaceRef<'a>,
    file: SpaceRef<'a>,
    len: usize,
}

impl Selection<'_> {
    /// The memory dataspace identifier.
    fn mem_id(&self) -> hid_t {
        self.mem.id()
    }

    /// The file dataspace identifier.
    fn file_id(&self) -> hid_t {
        self.file.id()
    }

    /// The number of elements selected.
    fn len(&self) -> usize {
        self.len
    }
}

/// The dataspaces of one dataset, kept between transfers so that reading
/// a record asks the library for no dataspace and allocates none: the
/// file dataspace (its extent as read when kept) and the memory
/// dataspace of the last transfer's shape.
///
/// Valid while the dataset's extent stays as it was: its owner drops it
/// whenever it sets the extent or closes the dataset's handle (and keeps
/// none for a virtual dataset, whose extent follows its sources).
pub(crate) struct Spaces {
    file: Hid,
    /// The extent (`[]`: scalar); `None` for a null dataspace.
    dims: Option<Vec<usize>>,
    /// The memory dataspace of the last transfer, and its shape.
    mem: Option<(Vec<usize>, Hid)>,
}

impl Spaces {
    /// The dataspaces of dataset `ds` as it is now.
    pub(crate) fn of(ds: &Dataset) -> SResult<Spaces> {
        let file = dataset_space_hid(ds.id())?;
        let dims = match space_of(&file)? {
            Space::Null => None,
            Space::Scalar => Some(Vec::new()),
            Space::Simple { dims, .. } => Some(dims),
        };
        Ok(Spaces {
            file,
            dims,
            mem: None,
        })
    }

    /// The identifier of the kept file dataspace (for tests).
    #[cfg(test)]
    pub(crate) fn file_id(&self) -> hid_t {
        self.file.id()
    }

    /// The extent (`[]` for a scalar or null dataspace).
    pub(crate) fn dims(&self) -> &[usize] {
        self.dims.as_deref().unwrap_or(&[])
    }

    /// The length of the leading axis (0 for a scalar or null dataspace).
    pub(crate) fn leading(&self) -> usize {
        self.dims().first().copied().unwrap_or(0)
    }

    /// Selects hyperslab `slab` (one entry per axis), reusing the kept
    /// dataspaces: one library call (the hyperslab) when the shape read is
    /// the last one's.
    pub(crate) fn select(&mut self, slab: &[Run]) -> SResult<Selection<'_>> {
        let Some(dims) = &self.dims else {
            return Err(StorageError::Layout("dataset has no elements".into()));
        };
        check_slab(dims, slab)?;
        if dims.is_empty() {
            return Ok(Selection {
                mem: SpaceRef::All,
                file: SpaceRef::All,
                len: 1,
            });
        }
        select_slab(&self.file, dims.len(), slab, H5S_seloper_t::H5S_SELECT_SET)?;
        let same = matches!(&self.mem, Some((shape, _))
            if shape.len() == slab.len() && shape.iter().zip(slab).all(|(&n, s)| n == s.count));
        if !same {
            let shape: Vec<usize> = slab.iter().map(|s| s.count).collect();
            let mem = new_space(&shape, None)?;
            self.mem = Some((shape, mem));
        }
        let Some((shape, mem)) = &self.mem else {
            return Err(StorageError::Layout("no memory dataspace".into()));
        };
        Ok(Selection {
            mem: SpaceRef::Kept(mem),
            file: SpaceRef::Kept(&self.file),
            len: shape.iter().fold(1, |a, &d| a.saturating_mul(d)),
        })
    }
}

/// Checks that hyperslab `slab` lies inside extent `dims`, ascending.
fn check_slab(dims: &[usize], slab: &[Run]) -> SResult<()> {
    if dims.len() != slab.len() {
        return Err(StorageError::Layout(format!(
            "{} slab axes for a dataset of rank {}",
            slab.len(),
            dims.len()
        )));
    }
    for (axis, (s, &d)) in slab.iter().zip(dims).enumerate() {
        let last = s.first + s.count.saturating_sub(1) * s.stride();
        if s.count > 0 && ((s.step <= 0 && s.count > 1) || last >= d) {
            return Err(StorageError::Layout(format!(
                "slab {s:?} outside axis {axis} of length {d}"
            )));
        }
    }
    Ok(())
}

/// Applies hyperslab `slab` to the selection of dataspace `space`, of rank
/// `rank`, with `op`. A run of consecutive indices is one block (not that
/// many blocks of one element, which HDF5 handles far more slowly, virtual
/// datasets above all).
///
/// `rank` must be the rank of `space`: the library reads that many entries
/// from each array passed (callers here know it, or ask the library).
fn select_slab(space: &Hid, rank: usize, slab: &[Run], op: H5S_seloper_t) -> SResult<()> {
    if rank != slab.len() {
        return Err(StorageError::Layout(format!(
            "{} slab axes for a dataspace of rank {rank}",
            slab.len()
        )));
    }
    if rank > MAX_RANK {
        return Err(StorageError::Layout(format!("a dataspace of rank {rank}")));
    }
    // on the stack: this runs on every read
    let mut start = [0 as hsize_t; MAX_RANK];
    let mut stride = [1 as hsize_t; MAX_RANK];
    let mut count = [1 as hsize_t; MAX_RANK];
    let mut block = [1 as hsize_t; MAX_RANK];
    for (k, s) in slab.iter().enumerate() {
        start[k] = s.first as hsize_t;
        stride[k] = s.stride() as hsize_t;
        if s.count > 1 && s.stride() <= 1 {
            block[k] = s.count as hsize_t;
        } else {
            count[k] = s.count as hsize_t;
        }
    }
    locked(|| {
        // SAFETY: every array holds one entry per axis of `space` (`rank`
        // entries, checked above).
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

/// The rank of dataspace `space`.
fn rank_of(space: &Hid) -> SResult<usize> {
    // SAFETY: no memory is handed over; the library checks `space`.
    locked(|| ck(unsafe { H5Sget_simple_extent_ndims(space.id()) })).map(|n| n as usize)
}

/// A new dataspace of shape `dims` with hyperslab `slab` selected.
pub(crate) fn slab_space(dims: &[usize], slab: &[Run]) -> SResult<Hid> {
    let space = new_space(dims, None)?;
    select_slab(&space, dims.len(), slab, H5S_seloper_t::H5S_SELECT_SET)?;
    Ok(space)
}

/// True when the selection of dataspace `space` meets hyperslab `slab`
/// (one entry per axis); an error when the library cannot tell.
pub(crate) fn selection_meets(space: &Hid, slab: &[Run]) -> SResult<bool> {
    // SAFETY: no memory is handed over; the new identifier is owned by the
    // `Hid`.
    let copy = locked(|| Hid::new(unsafe { H5Scopy(space.id()) }, H5Sclose))?;
    select_slab(&copy, rank_of(&copy)?, slab, H5S_seloper_t::H5S_SELECT_AND)?;
    // SAFETY: no memory is handed over; `copy` is a dataspace.
    let n = locked(|| unsafe { H5Sget_select_npoints(copy.id()) });
    Ok(n != 0)
}

/// The first and last index per axis of a dataspace's selection, when the
/// library knows them.
pub(crate) fn select_bounds(space: &Hid) -> Option<(Vec<hsize_t>, Vec<hsize_t>)> {
    locked(|| {
        // SAFETY: `lo` and `hi` hold the `n` entries the library writes,
        // `n` being the rank of `space`.
        unsafe {
            let n = H5Sget_simple_extent_ndims(space.id());
            if n < 0 {
                return None;
            }
            let mut lo = vec![0 as hsize_t; n as usize];
            let mut hi = vec![0 as hsize_t; n as usize];
            (H5Sget_select_bounds(space.id(), lo.as_mut_ptr(), hi.as_mut_ptr()) >= 0)
                .then_some((lo, hi))
        }
    })
}

/// Selects the hyperslab `slab` (one entry per axis) of a dataset, with
/// dataspaces of its own (see [`Spaces::select`] for the kept ones).
pub(crate) fn select(ds: &Dataset, slab: &[Run]) -> SResult<Selection<'static>> {
    let file = dataset_space_hid(ds.id())?;
    let dims = match space_of(&file)? {
        Space::Null => return Err(StorageError::Layout("dataset has no elements".into())),
        Space::Scalar => Vec::new(),
        Space::Simple { dims, .. } => dims,
    };
    check_slab(&dims, slab)?;
    if dims.is_empty() {
        return Ok(Selection {
            mem: SpaceRef::All,
            file: SpaceRef::All,
            len: 1,
        });
    }
    select_slab(&file, dims.len(), slab, H5S_seloper_t::H5S_SELECT_SET)?;
    let count: Vec<usize> = slab.iter().map(|s| s.count).collect();
    let mem = new_space(&count, None)?;
    Ok(Selection {
        mem: SpaceRef::Own(mem),
        file: SpaceRef::Own(file),
        len: count.iter().fold(1, |a, &d| a.saturating_mul(d)),
    })
}

/// Sets the extent of a resizable dataset.
pub(crate) fn set_extent(ds: &Dataset, dims: &[usize]) -> SResult<()> {
    let rank = dataset_space(ds)?.dims().len();
    if rank != dims.len() {
        return Err(StorageError::Layout(format!(
            "extent {dims:?} for a dataset of rank {rank}"
        )));
    }
    let d = to_hsize(dims);
    // SAFETY: `d` holds one entry per axis of the dataset (checked above).
    locked(|| ck(unsafe { H5Dset_extent(ds.id(), d.as_ptr()) })).map(|_| ())
}
