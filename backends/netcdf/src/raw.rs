//! Safe wrappers over the netCDF C calls this backend makes. Every call runs
//! under the one library lock that netcdf-sys and hdf5-metno share (netCDF-4
//! is HDF5 underneath), and every return code is checked.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::Path;

use netcdf_sys as nc;
use netcdf_sys::nc_type;

use qnd_storage::{SResult, StorageError};

/// Runs `f` holding the library lock (reentrant, shared with HDF5).
pub(super) fn locked<T>(f: impl FnOnce() -> T) -> T {
    hdf5::sync::sync(f)
}

/// A library error code as an error.
pub(super) fn nc_err(code: c_int) -> StorageError {
    StorageError::library(netcdf::Error::Netcdf(code))
}

/// Checks a status return.
pub(super) fn ck(code: c_int) -> SResult<()> {
    if code == nc::NC_NOERR {
        Ok(())
    } else {
        Err(nc_err(code))
    }
}

/// Runs one C call under the lock and checks its status.
macro_rules! call {
    ($e:expr) => {
        $crate::raw::ck($crate::raw::locked(|| unsafe { $e }))
    };
}

/// A name as a C string (netCDF names hold no NUL).
pub(super) fn c_name(name: &str) -> SResult<CString> {
    CString::new(name).map_err(|_| StorageError::Unsupported(format!("name {name:?} holds a NUL")))
}

fn path_c(path: &Path) -> SResult<CString> {
    let s = path.to_str().ok_or_else(|| {
        StorageError::Unsupported(format!("path {} is not UTF-8", path.display()))
    })?;
    c_name(s)
}

/// A name buffer the library fills.
fn name_buf() -> Vec<u8> {
    vec![0u8; nc::NC_MAX_NAME as usize + 1]
}

fn name_from(buf: &[u8]) -> String {
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// Open an existing file; returns its ncid.
pub(super) fn open(path: &Path, writable: bool) -> SResult<c_int> {
    let c = path_c(path)?;
    let mode = if writable {
        nc::NC_WRITE
    } else {
        nc::NC_NOWRITE
    };
    let mut ncid = 0;
    call!(nc::nc_open(c.as_ptr(), mode, &mut ncid))?;
    close_on_exec(path);
    Ok(ncid)
}

/// Mark the descriptors this process holds on `path` close-on-exec: the
/// library opens files without it, so a child process started while the
/// file is open would inherit it (and, for netCDF-4, HDF5's lock on it).
/// Best effort, where `/proc/self/fd` lists descriptors (Linux).
#[cfg(unix)]
fn close_on_exec(path: &Path) {
    let Ok(target) = std::fs::canonicalize(path) else {
        return;
    };
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for entry in fds.flatten() {
        let Some(fd) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<c_int>().ok())
        else {
            continue;
        };
        if std::fs::read_link(entry.path()).is_ok_and(|l| l == target) {
            // SAFETY: fcntl on a descriptor number only reads and sets its
            // flags.
            unsafe {
                let flags = libc::fcntl(fd, libc::F_GETFD);
                if flags >= 0 {
                    libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
                }
            }
        }
    }
}

#[cfg(not(unix))]
fn close_on_exec(_path: &Path) {}

/// Create (truncate) a file with creation flags `cmode`; returns its ncid
/// (in define mode).
pub(super) fn create(path: &Path, cmode: c_int) -> SResult<c_int> {
    let c = path_c(path)?;
    let mut ncid = 0;
    call!(nc::nc_create(c.as_ptr(), cmode | nc::NC_CLOBBER, &mut ncid))?;
    close_on_exec(path);
    Ok(ncid)
}

pub(super) fn close(ncid: c_int) -> SResult<()> {
    call!(nc::nc_close(ncid))
}

pub(super) fn sync(ncid: c_int) -> SResult<()> {
    call!(nc::nc_sync(ncid))
}

pub(super) fn redef(ncid: c_int) -> SResult<()> {
    call!(nc::nc_redef(ncid))
}

/// Leave define mode, keeping `header_free` bytes free after the header so
/// that later definitions rarely move the data.
pub(super) fn enddef(ncid: c_int, header_free: usize) -> SResult<()> {
    call!(nc::nc__enddef(ncid, header_free, 4, 0, 4))
}

/// The file's format (`NC_FORMAT_*`).
pub(super) fn format(ncid: c_int) -> SResult<c_int> {
    let mut f = 0;
    call!(nc::nc_inq_format(ncid, &mut f))?;
    Ok(f)
}

/// Subgroups of a group: (name, ncid), in the library's order.
pub(super) fn groups(ncid: c_int) -> SResult<Vec<(String, c_int)>> {
    let mut n = 0;
    call!(nc::nc_inq_grps(ncid, &mut n, std::ptr::null_mut()))?;
    let mut ids = vec![0; n.max(0) as usize];
    if n > 0 {
        call!(nc::nc_inq_grps(ncid, &mut n, ids.as_mut_ptr()))?;
    }
    ids.into_iter()
        .map(|g| {
            let mut buf = name_buf();
            call!(nc::nc_inq_grpname(g, buf.as_mut_ptr().cast()))?;
            Ok((name_from(&buf), g))
        })
        .collect()
}

/// Subgroup `name` of a group, if any.
pub(super) fn group(ncid: c_int, name: &CStr) -> SResult<Option<c_int>> {
    let mut g = 0;
    let code = locked(|| unsafe { nc::nc_inq_grp_ncid(ncid, name.as_ptr(), &mut g) });
    match code {
        nc::NC_NOERR => Ok(Some(g)),
        nc::NC_ENOGRP => Ok(None),
        // netCDF-3 files have no groups at all
        nc::NC_ENOTNC4 => Ok(None),
        other => Err(nc_err(other)),
    }
}

pub(super) fn def_grp(ncid: c_int, name: &CStr) -> SResult<c_int> {
    let mut g = 0;
    call!(nc::nc_def_grp(ncid, name.as_ptr(), &mut g))?;
    Ok(g)
}

/// Variable ids of a group, in definition order.
pub(super) fn varids(ncid: c_int) -> SResult<Vec<c_int>> {
    let mut n = 0;
    call!(nc::nc_inq_nvars(ncid, &mut n))?;
    let mut ids = vec![0; n.max(0) as usize];
    if n > 0 {
        call!(nc::nc_inq_varids(ncid, &mut n, ids.as_mut_ptr()))?;
    }
    Ok(ids)
}

/// Variable `name` of a group, if any.
pub(super) fn varid(ncid: c_int, name: &CStr) -> SResult<Option<c_int>> {
    let mut v = 0;
    let code = locked(|| unsafe { nc::nc_inq_varid(ncid, name.as_ptr(), &mut v) });
    match code {
        nc::NC_NOERR => Ok(Some(v)),
        nc::NC_ENOTVAR => Ok(None),
        other => Err(nc_err(other)),
    }
}

/// What a variable is: name, type and dimension ids.
pub(super) struct VarInq {
    pub xtype: nc_type,
    pub dimids: Vec<c_int>,
}

pub(super) fn var(ncid: c_int, varid: c_int) -> SResult<VarInq> {
    let mut xtype = 0;
    let mut ndims = 0;
    call!(nc::nc_inq_var(
        ncid,
        varid,
        std::ptr::null_mut(),
        &mut xtype,
        &mut ndims,
        std::ptr::null_mut(),
        std::ptr::null_mut()
    ))?;
    let mut dimids = vec![0; ndims.max(0) as usize];
    if ndims > 0 {
        call!(nc::nc_inq_vardimid(ncid, varid, dimids.as_mut_ptr()))?;
    }
    Ok(VarInq { xtype, dimids })
}

pub(super) fn var_name(ncid: c_int, varid: c_int) -> SResult<String> {
    let mut buf = name_buf();
    call!(nc::nc_inq_varname(ncid, varid, buf.as_mut_ptr().cast()))?;
    Ok(name_from(&buf))
}

/// Name and current length of a dimension.
pub(super) fn dim(ncid: c_int, dimid: c_int) -> SResult<(String, usize)> {
    let mut buf = name_buf();
    let mut len = 0;
    call!(nc::nc_inq_dim(
        ncid,
        dimid,
        buf.as_mut_ptr().cast(),
        &mut len
    ))?;
    Ok((name_from(&buf), len))
}

pub(super) fn dim_len(ncid: c_int, dimid: c_int) -> SResult<usize> {
    let mut len = 0;
    call!(nc::nc_inq_dimlen(ncid, dimid, &mut len))?;
    Ok(len)
}

/// Dimension ids defined in this group itself (not its parents).
pub(super) fn own_dimids(ncid: c_int) -> SResult<Vec<c_int>> {
    let mut n = 0;
    call!(nc::nc_inq_dimids(ncid, &mut n, std::ptr::null_mut(), 0))?;
    let mut ids = vec![0; n.max(0) as usize];
    if n > 0 {
        call!(nc::nc_inq_dimids(ncid, &mut n, ids.as_mut_ptr(), 0))?;
    }
    Ok(ids)
}

/// Unlimited dimension ids visible in a group (its own and its parents').
pub(super) fn unlimited_dimids(ncid: c_int) -> SResult<Vec<c_int>> {
    let mut out = Vec::new();
    let mut g = ncid;
    loop {
        let mut n = 0;
        call!(nc::nc_inq_unlimdims(g, &mut n, std::ptr::null_mut()))?;
        if n > 0 {
            let mut ids = vec![0; n as usize];
            call!(nc::nc_inq_unlimdims(g, &mut n, ids.as_mut_ptr()))?;
            out.extend(ids);
        }
        let mut parent = 0;
        let code = locked(|| unsafe { nc::nc_inq_grp_parent(g, &mut parent) });
        if code != nc::NC_NOERR {
            // the root (NC_ENOGRP), or a netCDF-3 file (NC_ENOTNC4)
            break;
        }
        g = parent;
    }
    Ok(out)
}

pub(super) fn def_dim(ncid: c_int, name: &CStr, len: usize) -> SResult<c_int> {
    let mut id = 0;
    call!(nc::nc_def_dim(ncid, name.as_ptr(), len, &mut id))?;
    Ok(id)
}

pub(super) fn def_var(
    ncid: c_int,
    name: &CStr,
    xtype: nc_type,
    dimids: &[c_int],
) -> SResult<c_int> {
    let mut id = 0;
    call!(nc::nc_def_var(
        ncid,
        name.as_ptr(),
        xtype,
        dimids.len() as c_int,
        dimids.as_ptr(),
        &mut id
    ))?;
    Ok(id)
}

pub(super) fn def_chunking(ncid: c_int, varid: c_int, chunk: &[usize]) -> SResult<()> {
    call!(nc::nc_def_var_chunking(
        ncid,
        varid,
        nc::NC_CHUNKED,
        chunk.as_ptr()
    ))
}

/// Chunks of 32 KiB or more: no fill value written before the data and
/// no chunk cache, so that each record goes straight to the file.
pub(super) fn direct_records(ncid: c_int, varid: c_int) -> SResult<()> {
    call!(nc::nc_def_var_fill(ncid, varid, 1, std::ptr::null()))?;
    // (a size of 0 would mean "the default": 1 byte is below any chunk)
    call!(nc::nc_set_var_chunk_cache(ncid, varid, 1, 1, 0.75))
}

/// Small records, many per chunk: shuffled and deflated (level 1), so
/// that the unwritten rest of a short history's one chunk takes no room.
pub(super) fn deflate_records(ncid: c_int, varid: c_int) -> SResult<()> {
    call!(nc::nc_def_var_deflate(ncid, varid, 1, 1, 1))
}

/// The class and base type of a user-defined type (`NC_ENUM`, ...).
pub(super) fn user_type(ncid: c_int, xtype: nc_type) -> SResult<(c_int, nc_type, usize)> {
    let mut buf = name_buf();
    let mut size = 0;
    let mut base = 0;
    let mut nfields = 0;
    let mut class = 0;
    call!(nc::nc_inq_user_type(
        ncid,
        xtype,
        buf.as_mut_ptr().cast(),
        &mut size,
        &mut base,
        &mut nfields,
        &mut class
    ))?;
    Ok((class, base, nfields))
}

/// The (name, value) members of an enum type with an 8-bit base.
pub(super) fn enum_members_i8(ncid: c_int, xtype: nc_type, n: usize) -> SResult<Vec<(String, i8)>> {
    (0..n)
        .map(|i| {
            let mut buf = name_buf();
            // room for any base type; an 8-bit base writes the first byte
            let mut v = [0u8; 8];
            call!(nc::nc_inq_enum_member(
                ncid,
                xtype,
                i as c_int,
                buf.as_mut_ptr().cast(),
                v.as_mut_ptr().cast()
            ))?;
            Ok((name_from(&buf), v[0] as i8))
        })
        .collect()
}

/// Define the enum type `name` over `NC_BYTE` with `members`.
pub(super) fn def_enum_i8(ncid: c_int, name: &CStr, members: &[(&CStr, i8)]) -> SResult<nc_type> {
    let mut t = 0;
    call!(nc::nc_def_enum(ncid, nc::NC_BYTE, name.as_ptr(), &mut t))?;
    for (m, v) in members {
        call!(nc::nc_insert_enum(
            ncid,
            t,
            m.as_ptr(),
            (v as *const i8).cast()
        ))?;
    }
    Ok(t)
}

/// A type id by name, searching the group and its parents.
pub(super) fn typeid(ncid: c_int, name: &CStr) -> SResult<Option<nc_type>> {
    let mut t = 0;
    let code = locked(|| unsafe { nc::nc_inq_typeid(ncid, name.as_ptr(), &mut t) });
    match code {
        nc::NC_NOERR => Ok(Some(t)),
        nc::NC_EBADTYPE | nc::NC_ENOTNC4 => Ok(None),
        other => Err(nc_err(other)),
    }
}

/// Read a hyperslab into `buf` (memory type = the variable's type).
///
/// # Safety
/// `buf` must hold `count.product()` elements of the variable's type.
pub(super) unsafe fn get(
    ncid: c_int,
    varid: c_int,
    start: &[usize],
    count: &[usize],
    stride: &[isize],
    buf: *mut c_void,
) -> SResult<()> {
    if stride.iter().all(|&s| s == 1) {
        call!(nc::nc_get_vara(
            ncid,
            varid,
            start.as_ptr(),
            count.as_ptr(),
            buf
        ))
    } else {
        call!(nc::nc_get_vars(
            ncid,
            varid,
            start.as_ptr(),
            count.as_ptr(),
            stride.as_ptr(),
            buf
        ))
    }
}

/// Write a hyperslab from `buf` (memory type = the variable's type).
///
/// # Safety
/// `buf` must hold `count.product()` elements of the variable's type.
pub(super) unsafe fn put(
    ncid: c_int,
    varid: c_int,
    start: &[usize],
    count: &[usize],
    stride: &[isize],
    buf: *const c_void,
) -> SResult<()> {
    if stride.iter().all(|&s| s == 1) {
        call!(nc::nc_put_vara(
            ncid,
            varid,
            start.as_ptr(),
            count.as_ptr(),
            buf
        ))
    } else {
        call!(nc::nc_put_vars(
            ncid,
            varid,
            start.as_ptr(),
            count.as_ptr(),
            stride.as_ptr(),
            buf
        ))
    }
}

/// Free strings the library allocated for an `NC_STRING` read.
pub(super) fn free_strings(ptrs: &mut [*mut c_char]) {
    let len = ptrs.len();
    if len > 0 {
        let _ = locked(|| unsafe { nc::nc_free_string(len, ptrs.as_mut_ptr()) });
    }
}

/// Number of attributes of a variable (`NC_GLOBAL` for a group).
pub(super) fn natts(ncid: c_int, varid: c_int) -> SResult<usize> {
    let mut n = 0;
    if varid == nc::NC_GLOBAL {
        call!(nc::nc_inq_natts(ncid, &mut n))?;
    } else {
        call!(nc::nc_inq_varnatts(ncid, varid, &mut n))?;
    }
    Ok(n.max(0) as usize)
}

pub(super) fn att_name(ncid: c_int, varid: c_int, i: usize) -> SResult<String> {
    let mut buf = name_buf();
    call!(nc::nc_inq_attname(
        ncid,
        varid,
        i as c_int,
        buf.as_mut_ptr().cast()
    ))?;
    Ok(name_from(&buf))
}

/// Type and length of attribute `name`, if it exists.
pub(super) fn att(ncid: c_int, varid: c_int, name: &CStr) -> SResult<Option<(nc_type, usize)>> {
    let mut t = 0;
    let mut len = 0;
    let code = locked(|| unsafe { nc::nc_inq_att(ncid, varid, name.as_ptr(), &mut t, &mut len) });
    match code {
        nc::NC_NOERR => Ok(Some((t, len))),
        nc::NC_ENOTATT => Ok(None),
        other => Err(nc_err(other)),
    }
}

/// Read an attribute's values into `buf`.
///
/// # Safety
/// `buf` must hold the attribute's length in elements of its type.
pub(super) unsafe fn get_att(
    ncid: c_int,
    varid: c_int,
    name: &CStr,
    buf: *mut c_void,
) -> SResult<()> {
    call!(nc::nc_get_att(ncid, varid, name.as_ptr(), buf))
}

/// Write an attribute of type `xtype` from `len` elements at `buf`.
///
/// # Safety
/// `buf` must hold `len` elements of `xtype`.
pub(super) unsafe fn put_att(
    ncid: c_int,
    varid: c_int,
    name: &CStr,
    xtype: nc_type,
    len: usize,
    buf: *const c_void,
) -> SResult<()> {
    call!(nc::nc_put_att(ncid, varid, name.as_ptr(), xtype, len, buf))
}

pub(super) fn del_att(ncid: c_int, varid: c_int, name: &CStr) -> SResult<()> {
    call!(nc::nc_del_att(ncid, varid, name.as_ptr()))
}

/// The id of dimension `name` (tests build foreign files with it).
#[cfg(test)]
pub(super) fn call_inq_dimid(ncid: c_int, name: &CStr, id: &mut c_int) {
    call!(nc::nc_inq_dimid(ncid, name.as_ptr(), id)).unwrap();
}
