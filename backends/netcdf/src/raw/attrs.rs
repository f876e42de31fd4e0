//! Attributes: counts, names, types and lengths, and their values read
//! and written, each buffer checked against what the library says of the
//! attribute or its type.

use std::ffi::{c_char, c_int, CStr, CString};

use netcdf_sys as nc;
use netcdf_sys::nc_type;

use qnd_storage::{SResult, StorageError};

use super::{elem, fits, found, layout, len, locked, name_buf, name_from, take_strings};
use super::{AsBytes, Elem, FromBytes};

/// Number of attributes of a variable (`NC_GLOBAL` for a group).
pub(crate) fn natts(ncid: c_int, varid: c_int) -> SResult<usize> {
    let mut n = 0;
    if varid == nc::NC_GLOBAL {
        // SAFETY: `n` is a live int for the one value the call writes.
        call!(unsafe { nc::nc_inq_natts(ncid, &mut n) })?;
    } else {
        // SAFETY: as above.
        call!(unsafe { nc::nc_inq_varnatts(ncid, varid, &mut n) })?;
    }
    Ok(len(n))
}

pub(crate) fn att_name(ncid: c_int, varid: c_int, i: usize) -> SResult<String> {
    let mut buf = name_buf();
    let i = c_int::try_from(i).map_err(|_| layout(format!("attribute {i}")))?;
    // SAFETY: `buf` holds the longest name and its NUL.
    call!(unsafe { nc::nc_inq_attname(ncid, varid, i, buf.as_mut_ptr().cast()) })?;
    Ok(name_from(&buf))
}

/// Type and length of attribute `name`, if it exists.
pub(crate) fn att(ncid: c_int, varid: c_int, name: &CStr) -> SResult<Option<(nc_type, usize)>> {
    let mut t = 0;
    let mut len = 0;
    // SAFETY: `name` is NUL-terminated; `t` and `len` are live, one
    // value each.
    let code = locked(|| unsafe { nc::nc_inq_att(ncid, varid, name.as_ptr(), &mut t, &mut len) });
    found(code, (t, len), &[nc::NC_ENOTATT])
}

/// The length of attribute `name`, which must be of plain elements of
/// `size_of::<T>()` bytes.
fn att_len<T>(ncid: c_int, varid: c_int, name: &CStr) -> SResult<usize> {
    let (xtype, len) = att(ncid, varid, name)?.ok_or(StorageError::NotFound)?;
    match elem(ncid, xtype)? {
        Elem::Plain(size) if size == std::mem::size_of::<T>() => Ok(len),
        _ => Err(layout(format!(
            "attribute {name:?} is not of {}-byte values",
            std::mem::size_of::<T>()
        ))),
    }
}

/// Read attribute `name` (plain elements: numbers, chars, enums) into
/// `buf`, which must hold exactly its values.
pub(crate) fn get_att<T: FromBytes>(
    ncid: c_int,
    varid: c_int,
    name: &CStr,
    buf: &mut [T],
) -> SResult<()> {
    // asked and read under one hold of the lock
    locked(|| {
        let len = att_len::<T>(ncid, varid, name)?;
        fits(
            len,
            std::mem::size_of::<T>(),
            std::mem::size_of_val(buf),
            "attribute",
        )?;
        if len == 0 {
            return Ok(());
        }
        // SAFETY: `buf` is exactly the attribute's `len` values of
        // `size_of::<T>()` bytes, the size of its type; any bytes are a `T`.
        call!(unsafe { nc::nc_get_att(ncid, varid, name.as_ptr(), buf.as_mut_ptr().cast()) })
    })
}

/// Read an `NC_STRING` attribute.
pub(crate) fn get_att_strings(ncid: c_int, varid: c_int, name: &CStr) -> SResult<Vec<String>> {
    locked(|| {
        let (xtype, len) = att(ncid, varid, name)?.ok_or(StorageError::NotFound)?;
        if xtype != nc::NC_STRING {
            return Err(layout(format!("attribute {name:?} is not of strings")));
        }
        if len == 0 {
            return Ok(Vec::new());
        }
        let mut ptrs: Vec<*mut c_char> = vec![std::ptr::null_mut(); len];
        // SAFETY: `ptrs` has room for the attribute's `len` string
        // pointers.
        let got =
            call!(unsafe { nc::nc_get_att(ncid, varid, name.as_ptr(), ptrs.as_mut_ptr().cast()) });
        // after a failed read the pointers are not trusted (nor freed)
        got?;
        // SAFETY: the read succeeded: each pointer is a string it
        // allocated.
        Ok(unsafe { take_strings(ptrs) })
    })
}

/// Write attribute `name` of type `xtype` (plain elements of
/// `size_of::<T>()` bytes) from `values`.
pub(crate) fn put_att<T: AsBytes>(
    ncid: c_int,
    varid: c_int,
    name: &CStr,
    xtype: nc_type,
    values: &[T],
) -> SResult<()> {
    match elem(ncid, xtype)? {
        Elem::Plain(size) if size == std::mem::size_of::<T>() => {}
        _ => {
            return Err(layout(format!(
                "attribute {name:?}: {}-byte values for type {xtype}",
                std::mem::size_of::<T>()
            )))
        }
    }
    // SAFETY: `values` holds `values.len()` initialised elements of the
    // size of `xtype`, what the call reads.
    call!(unsafe {
        nc::nc_put_att(
            ncid,
            varid,
            name.as_ptr(),
            xtype,
            values.len(),
            values.as_ptr().cast(),
        )
    })
}

/// Write `NC_STRING` attribute `name`.
pub(crate) fn put_att_strings(
    ncid: c_int,
    varid: c_int,
    name: &CStr,
    values: &[CString],
) -> SResult<()> {
    let ptrs: Vec<*const c_char> = values.iter().map(|c| c.as_ptr()).collect();
    // SAFETY: `ptrs` holds `ptrs.len()` NUL-terminated strings, alive in
    // `values` for the call.
    call!(unsafe {
        nc::nc_put_att(
            ncid,
            varid,
            name.as_ptr(),
            nc::NC_STRING,
            ptrs.len(),
            ptrs.as_ptr().cast(),
        )
    })
}

pub(crate) fn del_att(ncid: c_int, varid: c_int, name: &CStr) -> SResult<()> {
    // SAFETY: `name` is NUL-terminated.
    call!(unsafe { nc::nc_del_att(ncid, varid, name.as_ptr()) })
}
