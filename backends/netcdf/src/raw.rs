//! Safe wrappers over the netCDF C calls this backend makes: the one module
//! of the crate with `unsafe` code (the crate root denies it everywhere
//! else). Here: the lock, files, groups, dimensions and types; in `vars`
//! the variables and their data calls; in `attrs` the attributes; in
//! `types` compounds and enums beyond the bool enum (complex compounds
//! found and defined, other types described).
//!
//! Every call runs under the one library lock that netcdf-sys and
//! hdf5-metno share (netCDF-4 is HDF5 underneath), every return code is
//! checked, and every buffer handed to the library is checked here, against
//! what the library itself says of the variable or attribute, to be exactly
//! as large as what the call reads or writes. Callers cannot get that
//! wrong: a mismatch is an error, never undefined behaviour. Each `unsafe`
//! block says why it holds in its `SAFETY:` comment (a lint checks that
//! there is one).
#![allow(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

use std::ffi::{c_char, c_int, CStr, CString};
use std::path::Path;

use netcdf_sys as nc;
use netcdf_sys::nc_type;

use qnd_storage::{SResult, StorageError};

/// Runs `f` holding the library lock (reentrant, shared with HDF5), with
/// HDF5's first error during `f` kept for [`nc_err`].
pub(super) fn locked<T>(f: impl FnOnce() -> T) -> T {
    hdf5::sync::sync(|| {
        hdf5_errors::watch();
        f()
    })
}

/// HDF5's account of its errors under netCDF-C. netCDF-C turns a failed
/// HDF5 call into `NC_EHDFERR` ("NetCDF: HDF error") and, by the time it
/// returns, has made other HDF5 calls that cleared HDF5's error stack. So
/// an HDF5 "automatic" error handler (the one HDF5 calls, in the failing
/// thread, as an API call fails: by default it prints the stack, which
/// netCDF-C and hdf5-metno turn off) keeps the description of the first
/// failure since the netCDF call began, without changing the stack.
mod hdf5_errors {
    use std::cell::RefCell;
    use std::ffi::{c_uint, c_void, CStr};

    use hdf5_sys::h5::herr_t;
    use hdf5_sys::h5e::{
        H5E_auto2_t, H5E_direction_t, H5E_error2_t, H5Eget_auto2, H5Eset_auto2, H5Ewalk2,
        H5E_DEFAULT,
    };
    use hdf5_sys::h5i::hid_t;

    thread_local! {
        /// The first HDF5 failure in this thread since [`watch`].
        static FIRST: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Forget the last failure and make sure the handler is HDF5's (netCDF-C
    /// and hdf5-metno set theirs when they start, and HDF5 keeps one per
    /// thread in thread-safe builds). Called under the library lock.
    pub(super) fn watch() {
        static STARTED: std::sync::Once = std::sync::Once::new();
        // netCDF-C sets its handler as it starts (at the first open): start
        // it first, so that the first open's errors are seen too.
        STARTED.call_once(|| {
            // SAFETY: nc_initialize takes no arguments; it runs once.
            let _ = unsafe { netcdf_sys::nc_initialize() };
        });
        FIRST.with(|f| f.borrow_mut().take());
        let mut current: H5E_auto2_t = None;
        let mut data = std::ptr::null_mut();
        // SAFETY: both out-pointers are live for the one value each gets.
        let got = unsafe { H5Eget_auto2(H5E_DEFAULT, &mut current, &mut data) };
        let ours: unsafe extern "C" fn(hid_t, *mut c_void) -> herr_t = keep;
        if got < 0 || current.map(|f| f as usize) != Some(ours as usize) {
            // SAFETY: `keep` has the handler's signature, never unwinds
            // and needs no client data.
            unsafe { H5Eset_auto2(H5E_DEFAULT, Some(keep), std::ptr::null_mut()) };
        }
    }

    /// The first HDF5 failure since the last [`watch`], taken.
    pub(super) fn take() -> Option<String> {
        FIRST.with(|f| f.borrow_mut().take())
    }

    /// What a walk of the stack collects.
    #[derive(Default)]
    struct Frames {
        /// `func(): desc` of the outermost frame.
        outer: Option<String>,
        /// `desc` of the innermost frame, when there are several.
        inner: Option<String>,
    }

    /// The automatic error handler: the stack's outermost call and
    /// innermost cause, as hdf5-metno spells an error, kept if it is the
    /// first since [`watch`].
    unsafe extern "C" fn keep(estack: hid_t, _: *mut c_void) -> herr_t {
        std::panic::catch_unwind(|| {
            if FIRST.with(|f| f.borrow().is_some()) {
                return;
            }
            let mut frames = Frames::default();
            let data: *mut Frames = &mut frames;
            // SAFETY: `estack` is the stack HDF5 hands its handler; `frame`
            // gets `data`, live for the walk. Walking reads the stack only.
            unsafe {
                H5Ewalk2(
                    estack,
                    H5E_direction_t::H5E_WALK_DOWNWARD,
                    Some(frame),
                    data.cast(),
                )
            };
            let text = match frames {
                Frames {
                    outer: Some(o),
                    inner: Some(i),
                } => format!("{o}: {i}"),
                Frames { outer: Some(o), .. } => o,
                _ => return,
            };
            // one line: HDF5's I/O messages hold a time stamp ending in one
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            FIRST.with(|f| *f.borrow_mut() = Some(text));
        })
        .map_or(-1, |()| 0)
    }

    /// One frame of a walk: `data` is the walk's [`Frames`].
    unsafe extern "C" fn frame(n: c_uint, e: *const H5E_error2_t, data: *mut c_void) -> herr_t {
        std::panic::catch_unwind(|| {
            // SAFETY: HDF5 hands each frame's live record, and `data` is the
            // `Frames` the walk was given.
            let (e, frames) = unsafe { (&*e, &mut *data.cast::<Frames>()) };
            let text = |p: *const std::ffi::c_char| {
                if p.is_null() {
                    String::new()
                } else {
                    // SAFETY: HDF5's strings in a frame are NUL-terminated.
                    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
                }
            };
            if n == 0 {
                frames.outer = Some(format!("{}(): {}", text(e.func_name), text(e.desc)));
            } else {
                frames.inner = Some(text(e.desc));
            }
        })
        .map_or(-1, |()| 0)
    }
}

/// A netCDF-C error: the library's message for its code (for codes that
/// are errno values, the system's text: "No space left on device"), and,
/// when HDF5 failed under the call (netCDF-4), HDF5's account of that
/// failure ("unable to lock file, errno = 11, ...").
#[derive(Debug)]
pub(crate) struct NcError {
    /// The error code (`NC_E*`, or an errno value).
    pub code: c_int,
    /// HDF5's account of its failure under the call, if it failed.
    pub hdf5: Option<String>,
    source: netcdf::Error,
}

impl std::fmt::Display for NcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // netcdf::Error spells it "netcdf error(CODE): MESSAGE"
        let message = self.source.to_string();
        let message = message
            .split_once("): ")
            .map_or(message.as_str(), |(_, m)| m);
        write!(f, "{message} (netCDF code {})", self.code)?;
        if let Some(h) = &self.hdf5 {
            write!(f, ": {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for NcError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A library error code as an error. Called under the library lock, right
/// after the failing call, so that HDF5's error stack is still the one that
/// call left.
fn nc_err(code: c_int) -> StorageError {
    // netCDF-C also turns some HDF5 failures into errno codes (a missing
    // folder reads "Permission denied"): HDF5's account goes with any code
    let hdf5 = hdf5_errors::take();
    StorageError::library(NcError {
        code,
        hdf5,
        source: netcdf::Error::Netcdf(code),
    })
}

/// Checks a status return.
fn ck(code: c_int) -> SResult<()> {
    if code == nc::NC_NOERR {
        Ok(())
    } else {
        Err(nc_err(code))
    }
}

/// What a lookup by name wrote (an id, a type and length): `None` when
/// `code` is one of `absent` (the library's "no such ..." answers), an
/// error for any other failure.
fn found<T>(code: c_int, id: T, absent: &[c_int]) -> SResult<Option<T>> {
    match code {
        nc::NC_NOERR => Ok(Some(id)),
        c if absent.contains(&c) => Ok(None),
        other => Err(nc_err(other)),
    }
}

/// Runs one C call (an `unsafe` block, with its `SAFETY:` comment at the
/// call site) under the lock and checks its status.
macro_rules! call {
    ($e:expr) => {
        $crate::raw::locked(|| $crate::raw::ck($e))
    };
}

// (after the macro, which they use)
mod attrs;
mod types;
mod vars;

pub(super) use self::attrs::{
    att, att_name, del_att, get_att, get_att_strings, natts, put_att, put_att_strings,
};
pub(super) use self::types::{
    complex_base, compound_field, def_compound, enum_member, insert_compound, typeids,
};
#[cfg(test)]
pub(super) use self::types::{def_enum_u8, def_opaque, def_vlen, insert_compound_array};
#[cfg(test)]
pub(super) use self::vars::chunk_cache_size;
pub(super) use self::vars::{
    def_chunking, def_fill_zero, def_var, deflate_records, direct_records, fit_chunk_cache, get,
    get_strings, put, put_strings, record_chunk_cache, var, var_name, varid, varids, VarRef,
};

fn layout(msg: String) -> StorageError {
    StorageError::Layout(msg)
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

/// A name buffer the library fills: `NC_MAX_NAME` bytes and a NUL, the
/// most any call that returns a name writes.
fn name_buf() -> Vec<u8> {
    vec![0u8; nc::NC_MAX_NAME as usize + 1]
}

fn name_from(buf: &[u8]) -> String {
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// A count the library returned, as a length.
fn len(n: c_int) -> usize {
    usize::try_from(n).unwrap_or(0)
}

// ------------------------------------------------------------ files

/// Open an existing file; returns its ncid.
pub(super) fn open(path: &Path, writable: bool) -> SResult<c_int> {
    let c = path_c(path)?;
    let mode = if writable {
        nc::NC_WRITE
    } else {
        nc::NC_NOWRITE
    };
    let mut ncid = 0;
    // SAFETY: `c` is a NUL-terminated path and `ncid` a live int for the
    // id the call writes.
    call!(unsafe { nc::nc_open(c.as_ptr(), mode, &mut ncid) })?;
    close_on_exec(path);
    Ok(ncid)
}

/// Create a file with creation flags `cmode` (truncating an existing one
/// unless they hold `NC_NOCLOBBER`); returns its ncid (in define mode).
pub(super) fn create(path: &Path, cmode: c_int) -> SResult<c_int> {
    let c = path_c(path)?;
    let mut ncid = 0;
    // SAFETY: as in `open`.
    call!(unsafe { nc::nc_create(c.as_ptr(), cmode | nc::NC_CLOBBER, &mut ncid) })?;
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
    for fd in descriptors_on(&target) {
        if let Some(flags) = fd_flags(fd) {
            // SAFETY: fcntl on a descriptor number only sets its flags.
            unsafe { libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC) };
        }
    }
}

#[cfg(not(unix))]
fn close_on_exec(_path: &Path) {}

/// The descriptors this process holds open on `target` (a canonical path),
/// where `/proc/self/fd` lists them (Linux; none elsewhere).
#[cfg(unix)]
pub(super) fn descriptors_on(target: &Path) -> Vec<c_int> {
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    fds.flatten()
        .filter(|entry| std::fs::read_link(entry.path()).is_ok_and(|l| l == target))
        .filter_map(|entry| entry.file_name().to_str()?.parse::<c_int>().ok())
        .collect()
}

/// The flags (`F_GETFD`) of descriptor `fd`, `None` when it is not open.
#[cfg(unix)]
pub(super) fn fd_flags(fd: c_int) -> Option<c_int> {
    // SAFETY: fcntl on a descriptor number only reads its flags (an
    // error for a number that is not open).
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    (flags >= 0).then_some(flags)
}

/// Close a file. A failed write underneath that netCDF-C did not report
/// (HDF5 failed with an OS error, say the disk full, and nc_close
/// returned success) is an error too: closing never says Ok over data
/// that did not reach the file.
pub(super) fn close(ncid: c_int) -> SResult<()> {
    locked(|| {
        // SAFETY: a plain call on an id; a stale id is an error code.
        ck(unsafe { nc::nc_close(ncid) })?;
        unreported_io()
    })
}

/// Write a file's data and metadata out; as [`close`], a failed write
/// underneath that netCDF-C did not report is an error.
pub(super) fn sync(ncid: c_int) -> SResult<()> {
    locked(|| {
        // SAFETY: a plain call on an id.
        ck(unsafe { nc::nc_sync(ncid) })?;
        unreported_io()
    })
}

/// An error if HDF5 failed with an OS error ("errno = ..." in its message:
/// a write, a file extension) during the netCDF call just made, which
/// returned success.
fn unreported_io() -> SResult<()> {
    match hdf5_errors::take() {
        Some(h) if h.contains("errno =") => Err(StorageError::library(NcError {
            code: nc::NC_EHDFERR,
            hdf5: Some(format!(
                "netCDF-C reported success, but HDF5 failed under it: {h}"
            )),
            source: netcdf::Error::Netcdf(nc::NC_EHDFERR),
        })),
        _ => Ok(()),
    }
}

pub(super) fn redef(ncid: c_int) -> SResult<()> {
    // SAFETY: a plain call on an id.
    call!(unsafe { nc::nc_redef(ncid) })
}

/// Leave define mode, keeping `header_free` bytes free after the header so
/// that later definitions rarely move the data.
pub(super) fn enddef(ncid: c_int, header_free: usize) -> SResult<()> {
    // SAFETY: a plain call on an id and numbers.
    call!(unsafe { nc::nc__enddef(ncid, header_free, 4, 0, 4) })
}

/// The file's format (`NC_FORMAT_*`).
pub(super) fn format(ncid: c_int) -> SResult<c_int> {
    let mut f = 0;
    // SAFETY: `f` is a live int for the one value the call writes.
    call!(unsafe { nc::nc_inq_format(ncid, &mut f) })?;
    Ok(f)
}

// ------------------------------------------------------------ groups

/// Subgroups of a group: (name, ncid), in the library's order.
pub(super) fn groups(ncid: c_int) -> SResult<Vec<(String, c_int)>> {
    // counted and listed under one hold of the lock
    locked(|| {
        let mut n = 0;
        // SAFETY: `n` is a live int; a null list asks for the count only.
        call!(unsafe { nc::nc_inq_grps(ncid, &mut n, std::ptr::null_mut()) })?;
        let mut ids = vec![0; len(n)];
        if n > 0 {
            // SAFETY: `ids` has room for the `n` ids just counted.
            call!(unsafe { nc::nc_inq_grps(ncid, &mut n, ids.as_mut_ptr()) })?;
        }
        ids.into_iter()
            .map(|g| {
                let mut buf = name_buf();
                // SAFETY: `buf` holds the longest name and its NUL.
                call!(unsafe { nc::nc_inq_grpname(g, buf.as_mut_ptr().cast()) })?;
                Ok((name_from(&buf), g))
            })
            .collect()
    })
}

/// Subgroup `name` of a group, if any.
pub(super) fn group(ncid: c_int, name: &CStr) -> SResult<Option<c_int>> {
    let mut g = 0;
    // SAFETY: `name` is NUL-terminated and `g` a live int for the id.
    let code = locked(|| unsafe { nc::nc_inq_grp_ncid(ncid, name.as_ptr(), &mut g) });
    // netCDF-3 files have no groups at all
    found(code, g, &[nc::NC_ENOGRP, nc::NC_ENOTNC4])
}

/// The full path of a group (`/` for the root, `/a/b`).
pub(super) fn group_path(ncid: c_int) -> SResult<String> {
    locked(|| {
        let mut n = 0usize;
        // SAFETY: `n` is a live size_t; a null name asks for the length.
        call!(unsafe { nc::nc_inq_grpname_full(ncid, &mut n, std::ptr::null_mut()) })?;
        let mut buf = vec![0u8; n + 1];
        // SAFETY: `buf` holds the `n` bytes of the path and its NUL.
        call!(unsafe { nc::nc_inq_grpname_full(ncid, &mut n, buf.as_mut_ptr().cast()) })?;
        Ok(name_from(&buf))
    })
}

pub(super) fn def_grp(ncid: c_int, name: &CStr) -> SResult<c_int> {
    let mut g = 0;
    // SAFETY: `name` is NUL-terminated and `g` a live int for the id.
    call!(unsafe { nc::nc_def_grp(ncid, name.as_ptr(), &mut g) })?;
    Ok(g)
}

// ------------------------------------------------------------ dimensions

/// Name and current length of a dimension.
pub(super) fn dim(ncid: c_int, dimid: c_int) -> SResult<(String, usize)> {
    let mut buf = name_buf();
    let mut len = 0;
    // SAFETY: `buf` holds the longest name and its NUL; `len` is live.
    call!(unsafe { nc::nc_inq_dim(ncid, dimid, buf.as_mut_ptr().cast(), &mut len) })?;
    Ok((name_from(&buf), len))
}

pub(super) fn dim_len(ncid: c_int, dimid: c_int) -> SResult<usize> {
    let mut len = 0;
    // SAFETY: `len` is a live size_t for the one value the call writes.
    call!(unsafe { nc::nc_inq_dimlen(ncid, dimid, &mut len) })?;
    Ok(len)
}

/// Dimension ids defined in this group itself (not its parents).
pub(super) fn own_dimids(ncid: c_int) -> SResult<Vec<c_int>> {
    locked(|| {
        let mut n = 0;
        // SAFETY: `n` is a live int; a null list asks for the count only.
        call!(unsafe { nc::nc_inq_dimids(ncid, &mut n, std::ptr::null_mut(), 0) })?;
        let mut ids = vec![0; len(n)];
        if n > 0 {
            // SAFETY: `ids` has room for the `n` ids just counted.
            call!(unsafe { nc::nc_inq_dimids(ncid, &mut n, ids.as_mut_ptr(), 0) })?;
        }
        Ok(ids)
    })
}

/// Unlimited dimension ids visible in a group (its own and its parents').
pub(super) fn unlimited_dimids(ncid: c_int) -> SResult<Vec<c_int>> {
    locked(|| {
        let mut out = Vec::new();
        let mut g = ncid;
        loop {
            let mut n = 0;
            // SAFETY: `n` is a live int; a null list asks for the count.
            call!(unsafe { nc::nc_inq_unlimdims(g, &mut n, std::ptr::null_mut()) })?;
            if n > 0 {
                let mut ids = vec![0; len(n)];
                // SAFETY: `ids` has room for the `n` ids just counted.
                call!(unsafe { nc::nc_inq_unlimdims(g, &mut n, ids.as_mut_ptr()) })?;
                out.extend(ids);
            }
            let mut parent = 0;
            // SAFETY: `parent` is a live int for the id the call writes.
            let code = unsafe { nc::nc_inq_grp_parent(g, &mut parent) };
            if code != nc::NC_NOERR {
                // the root (NC_ENOGRP), or a netCDF-3 file (NC_ENOTNC4)
                break;
            }
            g = parent;
        }
        Ok(out)
    })
}

pub(super) fn def_dim(ncid: c_int, name: &CStr, len: usize) -> SResult<c_int> {
    let mut id = 0;
    // SAFETY: `name` is NUL-terminated and `id` a live int for the id.
    call!(unsafe { nc::nc_def_dim(ncid, name.as_ptr(), len, &mut id) })?;
    Ok(id)
}

/// The id of dimension `name` (tests build foreign files with it).
#[cfg(test)]
pub(super) fn dimid(ncid: c_int, name: &CStr) -> SResult<c_int> {
    let mut id = 0;
    // SAFETY: `name` is NUL-terminated and `id` a live int for the id.
    call!(unsafe { nc::nc_inq_dimid(ncid, name.as_ptr(), &mut id) })?;
    Ok(id)
}

// ------------------------------------------------------------ types

/// What a user-defined type (`NC_ENUM`, ...) is.
#[derive(Debug)]
pub(super) struct UserType {
    pub name: String,
    pub class: c_int,
    pub base: nc_type,
    pub size: usize,
    pub members: usize,
}

pub(super) fn user_type(ncid: c_int, xtype: nc_type) -> SResult<UserType> {
    let mut buf = name_buf();
    let (mut size, mut base, mut members, mut class) = (0, 0, 0, 0);
    // SAFETY: `buf` holds the longest name and its NUL; the other
    // pointers are to live locals, one value each.
    call!(unsafe {
        nc::nc_inq_user_type(
            ncid,
            xtype,
            buf.as_mut_ptr().cast(),
            &mut size,
            &mut base,
            &mut members,
            &mut class,
        )
    })?;
    Ok(UserType {
        name: name_from(&buf),
        class,
        base,
        size,
        members,
    })
}

/// The (name, value) members of an enum type with an 8-bit base.
pub(super) fn enum_members_i8(ncid: c_int, xtype: nc_type, n: usize) -> SResult<Vec<(String, i8)>> {
    (0..n)
        .map(|i| {
            let mut buf = name_buf();
            // room for any base type; an 8-bit base writes the first byte
            let mut v = [0u8; 8];
            let i = c_int::try_from(i).map_err(|_| layout(format!("enum member {i}")))?;
            // SAFETY: `buf` holds the longest name and its NUL, `v` the
            // widest base type (8 bytes).
            call!(unsafe {
                nc::nc_inq_enum_member(
                    ncid,
                    xtype,
                    i,
                    buf.as_mut_ptr().cast(),
                    v.as_mut_ptr().cast(),
                )
            })?;
            Ok((name_from(&buf), i8::from_ne_bytes([v[0]])))
        })
        .collect()
}

/// Define the enum type `name` over `NC_BYTE` with `members`.
pub(super) fn def_enum_i8(ncid: c_int, name: &CStr, members: &[(&CStr, i8)]) -> SResult<nc_type> {
    let mut t = 0;
    // SAFETY: `name` is NUL-terminated and `t` a live int for the id.
    call!(unsafe { nc::nc_def_enum(ncid, nc::NC_BYTE, name.as_ptr(), &mut t) })?;
    for (m, v) in members {
        // SAFETY: `m` is NUL-terminated and `v` one value of the base
        // type, NC_BYTE (one byte).
        call!(unsafe { nc::nc_insert_enum(ncid, t, m.as_ptr(), (v as *const i8).cast()) })?;
    }
    Ok(t)
}

/// A type id by name, searching the group and its parents.
pub(super) fn typeid(ncid: c_int, name: &CStr) -> SResult<Option<nc_type>> {
    let mut t = 0;
    // SAFETY: `name` is NUL-terminated and `t` a live int for the id.
    let code = locked(|| unsafe { nc::nc_inq_typeid(ncid, name.as_ptr(), &mut t) });
    found(code, t, &[nc::NC_EBADTYPE, nc::NC_ENOTNC4])
}

/// How the elements of a type sit in memory for a get or put.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Elem {
    /// Plain values of this many bytes (numbers, chars, enums, complex
    /// compounds).
    Plain(usize),
    /// `NC_STRING`: one pointer per element.
    Strings,
    /// Anything else (other compounds, opaque, variable-length): not moved
    /// here.
    Other,
}

fn elem(ncid: c_int, xtype: nc_type) -> SResult<Elem> {
    if xtype == nc::NC_STRING {
        return Ok(Elem::Strings);
    }
    if (nc::NC_BYTE..nc::NC_STRING).contains(&xtype) {
        let mut size = 0;
        // SAFETY: a null name asks for none; `size` is a live size_t.
        call!(unsafe { nc::nc_inq_type(ncid, xtype, std::ptr::null_mut(), &mut size) })?;
        return Ok(Elem::Plain(size));
    }
    if xtype > nc::NC_STRING {
        let t = user_type(ncid, xtype)?;
        if t.class == nc::NC_ENUM || complex_base(ncid, xtype)?.is_some() {
            // (a complex compound: two floats, no pointers, see
            // `complex_base`)
            return Ok(Elem::Plain(t.size));
        }
    }
    Ok(Elem::Other)
}

/// Element types the library may read as the bytes they are made of.
///
/// # Safety
/// A value has no padding: each of its bytes is initialised.
pub(super) unsafe trait AsBytes: Copy {}

/// Element types the library may also write into.
///
/// # Safety
/// Every bit pattern of the type's size is a value of it.
pub(super) unsafe trait FromBytes: AsBytes + Default {}

macro_rules! plain {
    ($($t:ty),*) => {$(
        // SAFETY: a primitive number: no padding, and any bits are one.
        unsafe impl AsBytes for $t {}
        // SAFETY: as above.
        unsafe impl FromBytes for $t {}
    )*};
}
plain!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
// (complex numbers: `#[repr(C)]` pairs of floats, real part first, as the
// complex compounds hold them, see `complex_base`)
plain!(qnd_storage::Complex<f32>, qnd_storage::Complex<f64>);

// SAFETY: a bool is one byte, 0 or 1, with no padding (but not every byte
// is a bool: no `FromBytes`).
unsafe impl AsBytes for bool {}

/// `len` elements of `size` bytes fill exactly `bytes` bytes.
fn fits(len: usize, size: usize, bytes: usize, what: &str) -> SResult<()> {
    if len.checked_mul(size) == Some(bytes) {
        Ok(())
    } else {
        Err(layout(format!(
            "a buffer of {bytes} bytes for {len} elements of {size} bytes ({what})"
        )))
    }
}

// ------------------------------------------------------------ strings

/// Strings from the pointers one successful read filled in, which are
/// then freed.
///
/// # Safety
/// Every pointer is null or a NUL-terminated string the library allocated
/// for that read, held by nothing else.
unsafe fn take_strings(mut ptrs: Vec<*mut c_char>) -> Vec<String> {
    let strings = ptrs
        .iter()
        .map(|&p| {
            if p.is_null() {
                return String::new();
            }
            // SAFETY: not null, so a NUL-terminated string (the caller's
            // promise), alive until freed below.
            unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
        })
        .collect();
    if !ptrs.is_empty() {
        // SAFETY: every pointer is null or a string the library allocated
        // for the read and that nothing else holds (the caller's promise).
        let _ = locked(|| unsafe { nc::nc_free_string(ptrs.len(), ptrs.as_mut_ptr()) });
    }
    strings
}
