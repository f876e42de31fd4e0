//! Variables: ids and names, definitions and their storage settings, and
//! the data calls, each checked against the [`VarRef`] the library's own
//! answers made.

use std::ffi::{c_char, c_int, c_void, CStr, CString};

use netcdf_sys as nc;
use netcdf_sys::nc_type;

use qnd_storage::SResult;

use super::{elem, fits, found, layout, len, locked, name_buf, name_from, take_strings};
use super::{AsBytes, Elem, FromBytes};

/// Variable ids of a group, in definition order.
pub(crate) fn varids(ncid: c_int) -> SResult<Vec<c_int>> {
    locked(|| {
        let mut n = 0;
        // SAFETY: `n` is a live int for the one value the call writes.
        call!(unsafe { nc::nc_inq_nvars(ncid, &mut n) })?;
        let mut ids = vec![0; len(n)];
        if n > 0 {
            // SAFETY: `ids` has room for the `n` ids just counted.
            call!(unsafe { nc::nc_inq_varids(ncid, &mut n, ids.as_mut_ptr()) })?;
        }
        Ok(ids)
    })
}

/// Variable `name` of a group, if any.
pub(crate) fn varid(ncid: c_int, name: &CStr) -> SResult<Option<c_int>> {
    let mut v = 0;
    // SAFETY: `name` is NUL-terminated and `v` a live int for the id.
    let code = locked(|| unsafe { nc::nc_inq_varid(ncid, name.as_ptr(), &mut v) });
    found(code, v, &[nc::NC_ENOTVAR])
}

pub(crate) fn var_name(ncid: c_int, varid: c_int) -> SResult<String> {
    let mut buf = name_buf();
    // SAFETY: `buf` holds the longest name and its NUL.
    call!(unsafe { nc::nc_inq_varname(ncid, varid, buf.as_mut_ptr().cast()) })?;
    Ok(name_from(&buf))
}

/// A variable, as the data calls need it: where it is, and its rank and
/// element layout as the library reports them (a variable's type and
/// dimensions never change once defined). Made only here, so that every
/// get and put can check its buffers against it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct VarRef {
    ncid: c_int,
    varid: c_int,
    ndims: usize,
    elem: Elem,
}

impl VarRef {
    /// The variable's group.
    pub(crate) fn ncid(&self) -> c_int {
        self.ncid
    }

    /// The variable's id in its group.
    pub(crate) fn varid(&self) -> c_int {
        self.varid
    }

    /// start, count and stride hold one entry per dimension: the number
    /// of elements they select.
    fn elements(&self, start: &[usize], count: &[usize], stride: &[isize]) -> SResult<usize> {
        let n = self.ndims;
        if start.len() != n || count.len() != n || stride.len() != n {
            return Err(layout(format!(
                "a selection of {} axes for a variable of {n} dimensions",
                count.len()
            )));
        }
        count
            .iter()
            .try_fold(1usize, |acc, &c| acc.checked_mul(c))
            .ok_or_else(|| layout(format!("a selection of {count:?} elements")))
    }

    /// As [`VarRef::elements`], for a variable of plain elements (numbers,
    /// chars, enums) and a buffer of `bytes` bytes that must hold exactly
    /// the selected elements (`what`: "read" or "write", for the error).
    fn plain(
        &self,
        start: &[usize],
        count: &[usize],
        stride: &[isize],
        bytes: usize,
        what: &str,
    ) -> SResult<()> {
        let n = self.elements(start, count, stride)?;
        let Elem::Plain(size) = self.elem else {
            return Err(layout("not a variable of plain elements".into()));
        };
        fits(n, size, bytes, what)
    }
}

/// What a variable is: its type, its dimension ids, and the handle data
/// calls take.
pub(crate) struct VarInq {
    pub xtype: nc_type,
    pub dimids: Vec<c_int>,
    pub at: VarRef,
}

pub(crate) fn var(ncid: c_int, varid: c_int) -> SResult<VarInq> {
    let (xtype, dimids) = locked(|| {
        let mut xtype = 0;
        let mut ndims = 0;
        // SAFETY: null pointers ask for nothing; `xtype` and `ndims` are
        // live ints for one value each.
        call!(unsafe {
            nc::nc_inq_var(
                ncid,
                varid,
                std::ptr::null_mut(),
                &mut xtype,
                &mut ndims,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        })?;
        let mut dimids = vec![0; len(ndims)];
        if ndims > 0 {
            // SAFETY: `dimids` has room for the `ndims` ids just counted.
            call!(unsafe { nc::nc_inq_vardimid(ncid, varid, dimids.as_mut_ptr()) })?;
        }
        SResult::Ok((xtype, dimids))
    })?;
    let at = VarRef {
        ncid,
        varid,
        ndims: dimids.len(),
        elem: elem(ncid, xtype)?,
    };
    Ok(VarInq { xtype, dimids, at })
}

/// Define a variable of `xtype` over `dimids`.
pub(crate) fn def_var(
    ncid: c_int,
    name: &CStr,
    xtype: nc_type,
    dimids: &[c_int],
) -> SResult<VarRef> {
    let mut id = 0;
    let ndims = c_int::try_from(dimids.len()).map_err(|_| layout("too many dimensions".into()))?;
    // SAFETY: `name` is NUL-terminated, `dimids` holds the `ndims` ids
    // the call reads and `id` is a live int for the new id.
    call!(unsafe { nc::nc_def_var(ncid, name.as_ptr(), xtype, ndims, dimids.as_ptr(), &mut id) })?;
    Ok(VarRef {
        ncid,
        varid: id,
        ndims: dimids.len(),
        elem: elem(ncid, xtype)?,
    })
}

/// Chunk a variable by `chunk` (one length per dimension).
pub(crate) fn def_chunking(v: &VarRef, chunk: &[usize]) -> SResult<()> {
    if chunk.len() != v.ndims {
        return Err(layout(format!(
            "{} chunk lengths for a variable of {} dimensions",
            chunk.len(),
            v.ndims
        )));
    }
    // SAFETY: `chunk` holds the one length per dimension the call reads.
    call!(unsafe { nc::nc_def_var_chunking(v.ncid, v.varid, nc::NC_CHUNKED, chunk.as_ptr()) })
}

/// Fill value 0 (of the variable's type, a number): what is never written
/// reads as zeros.
pub(crate) fn def_fill_zero(v: &VarRef) -> SResult<()> {
    let Elem::Plain(size) = v.elem else {
        return Err(layout(
            "a fill value of 0 for a variable not of numbers".into(),
        ));
    };
    let zero = [0u8; 16];
    if size > zero.len() {
        return Err(layout(format!("a fill value of {size} bytes")));
    }
    // SAFETY: fill on (0); `zero` holds at least one element of the
    // variable's type (`size` bytes, checked above), which the call copies.
    call!(unsafe { nc::nc_def_var_fill(v.ncid, v.varid, 0, zero.as_ptr().cast()) })
}

/// Chunks of 32 KiB or more: no fill value written before the data and
/// no chunk cache, so that each record goes straight to the file.
pub(crate) fn direct_records(v: &VarRef) -> SResult<()> {
    // SAFETY: no fill (1): the null fill value is not read.
    call!(unsafe { nc::nc_def_var_fill(v.ncid, v.varid, 1, std::ptr::null()) })?;
    // (a size of 0 would mean "the default": 1 byte is below any chunk)
    // SAFETY: a plain call on ids and numbers.
    call!(unsafe { nc::nc_set_var_chunk_cache(v.ncid, v.varid, 1, 1, 0.75) })
}

/// A chunk cache of one chunk of `chunk` (elements of `elem` bytes) for a
/// record variable, in place of netCDF-C's default of several MiB per
/// variable, which fills with written chunks and keeps them (a file of
/// many variables would grow by that much for each): records are written
/// in whole chunks, and a read or an append to the last, part-filled
/// chunk needs that chunk only. Records of 32 KiB chunks or more bypass
/// the cache instead ([`direct_records`]).
pub(crate) fn record_chunk_cache(v: &VarRef, chunk: &[usize], elem: usize) -> SResult<()> {
    let bytes = chunk
        .iter()
        .fold(elem.max(1), |acc, &d| acc.saturating_mul(d))
        .max(1);
    // SAFETY: a plain call on ids and numbers.
    call!(unsafe { nc::nc_set_var_chunk_cache(v.ncid, v.varid, bytes, 1, 0.75) })
}

/// For a record variable of an existing netCDF-4 file, before its first
/// append: the chunk cache of [`record_chunk_cache`], one of its chunks
/// (of `elem`-byte elements), when it is chunked.
pub(crate) fn fit_chunk_cache(v: &VarRef, elem: usize) -> SResult<()> {
    let mut storage: c_int = 0;
    let mut chunk = vec![0usize; v.ndims];
    // SAFETY: `chunk` has room for the one length per dimension the call
    // writes, `storage` is a live int.
    call!(unsafe { nc::nc_inq_var_chunking(v.ncid, v.varid, &mut storage, chunk.as_mut_ptr()) })?;
    if storage != nc::NC_CHUNKED as c_int {
        return Ok(());
    }
    record_chunk_cache(v, &chunk, elem)
}

/// The chunk cache size of `v`, in bytes (for tests).
#[cfg(test)]
pub(crate) fn chunk_cache_size(v: &VarRef) -> SResult<usize> {
    let (mut size, mut nelems, mut preemption) = (0usize, 0usize, 0f32);
    // SAFETY: the three live locals take the one value each the call
    // writes.
    call!(unsafe {
        nc::nc_get_var_chunk_cache(v.ncid, v.varid, &mut size, &mut nelems, &mut preemption)
    })?;
    Ok(size)
}

/// Small records, many per chunk: shuffled and deflated (level 1), so
/// that the unwritten rest of a short history's one chunk takes no room.
pub(crate) fn deflate_records(v: &VarRef) -> SResult<()> {
    // SAFETY: a plain call on ids and numbers.
    call!(unsafe { nc::nc_def_var_deflate(v.ncid, v.varid, 1, 1, 1) })
}

/// Read the hyperslab `start`, `count`, `stride` of `v` into `p`:
/// `nc_get_vara`, or `nc_get_vars` when a stride is not 1.
///
/// # Safety
/// `start`, `count` and `stride` hold one entry per dimension of `v`, and
/// `p` has room for the selected elements as the call writes them.
unsafe fn get_slab(
    v: &VarRef,
    start: &[usize],
    count: &[usize],
    stride: &[isize],
    p: *mut c_void,
) -> SResult<()> {
    if stride.iter().all(|&s| s == 1) {
        // SAFETY: start and count hold one entry per dimension and `p`
        // has room for what the call writes (the caller's promise).
        call!(unsafe { nc::nc_get_vara(v.ncid, v.varid, start.as_ptr(), count.as_ptr(), p) })
    } else {
        // SAFETY: as above, and stride holds one entry per dimension.
        call!(unsafe {
            nc::nc_get_vars(
                v.ncid,
                v.varid,
                start.as_ptr(),
                count.as_ptr(),
                stride.as_ptr(),
                p,
            )
        })
    }
}

/// Write the hyperslab `start`, `count`, `stride` of `v` from `p`:
/// `nc_put_vara`, or `nc_put_vars` when a stride is not 1.
///
/// # Safety
/// `start`, `count` and `stride` hold one entry per dimension of `v`, and
/// `p` holds the selected elements as the call reads them, initialised.
unsafe fn put_slab(
    v: &VarRef,
    start: &[usize],
    count: &[usize],
    stride: &[isize],
    p: *const c_void,
) -> SResult<()> {
    if stride.iter().all(|&s| s == 1) {
        // SAFETY: start and count hold one entry per dimension and `p`
        // holds what the call reads (the caller's promise).
        call!(unsafe { nc::nc_put_vara(v.ncid, v.varid, start.as_ptr(), count.as_ptr(), p) })
    } else {
        // SAFETY: as above, and stride holds one entry per dimension.
        call!(unsafe {
            nc::nc_put_vars(
                v.ncid,
                v.varid,
                start.as_ptr(),
                count.as_ptr(),
                stride.as_ptr(),
                p,
            )
        })
    }
}

/// Read a hyperslab of plain elements (numbers, chars, enums) into `buf`,
/// which holds exactly the selected elements.
pub(crate) fn get<T: FromBytes>(
    v: &VarRef,
    start: &[usize],
    count: &[usize],
    stride: &[isize],
    buf: &mut [T],
) -> SResult<()> {
    v.plain(start, count, stride, std::mem::size_of_val(buf), "read")?;
    // SAFETY: just checked: start, count and stride hold one entry per
    // dimension, and `buf` is exactly the selected elements, whose bytes
    // the call writes; any bytes are a `T`.
    unsafe { get_slab(v, start, count, stride, buf.as_mut_ptr().cast()) }
}

/// Write a hyperslab of plain elements from `buf`, which holds exactly
/// the selected elements.
pub(crate) fn put<T: AsBytes>(
    v: &VarRef,
    start: &[usize],
    count: &[usize],
    stride: &[isize],
    buf: &[T],
) -> SResult<()> {
    v.plain(start, count, stride, std::mem::size_of_val(buf), "write")?;
    // SAFETY: just checked: start, count and stride hold one entry per
    // dimension, and `buf` is exactly the selected elements, initialised,
    // whose bytes the call reads.
    unsafe { put_slab(v, start, count, stride, buf.as_ptr().cast()) }
}

/// Read a hyperslab of an `NC_STRING` variable.
pub(crate) fn get_strings(
    v: &VarRef,
    start: &[usize],
    count: &[usize],
    stride: &[isize],
) -> SResult<Vec<String>> {
    let n = v.elements(start, count, stride)?;
    if v.elem != Elem::Strings {
        return Err(layout("not a variable of strings".into()));
    }
    let mut ptrs: Vec<*mut c_char> = vec![std::ptr::null_mut(); n];
    // SAFETY: start, count and stride hold one entry per dimension (just
    // checked); `ptrs` has room for the `n` string pointers the call
    // writes.
    let got = unsafe { get_slab(v, start, count, stride, ptrs.as_mut_ptr().cast()) };
    // after a failed read the pointers are not trusted (nor freed)
    got?;
    // SAFETY: the read succeeded: each pointer is null or a string it
    // allocated.
    Ok(unsafe { take_strings(ptrs) })
}

/// Write a hyperslab of an `NC_STRING` variable.
pub(crate) fn put_strings(
    v: &VarRef,
    start: &[usize],
    count: &[usize],
    stride: &[isize],
    strings: &[CString],
) -> SResult<()> {
    let n = v.elements(start, count, stride)?;
    if v.elem != Elem::Strings || n != strings.len() {
        return Err(layout(format!(
            "{} strings for {n} elements",
            strings.len()
        )));
    }
    let ptrs: Vec<*const c_char> = strings.iter().map(|c| c.as_ptr()).collect();
    // SAFETY: start, count and stride hold one entry per dimension (just
    // checked); `ptrs` holds the `n` NUL-terminated strings the call reads,
    // alive in `strings` for the call.
    unsafe { put_slab(v, start, count, stride, ptrs.as_ptr().cast()) }
}
