//! Links: what a link is (hard, soft, external, with its value), and
//! creating each kind with the backend's link creation properties (UTF-8
//! names).

use std::ffi::{c_char, c_uint, c_void, CStr};
use std::ptr;

use hdf5::Group;
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5l::{
    H5L_info1_t, H5L_type_t, H5Lcreate_external, H5Lcreate_hard, H5Lcreate_soft, H5Ldelete,
    H5Lget_info1, H5Lget_val, H5Lunpack_elink_val,
};
use hdf5_sys::h5p::H5P_DEFAULT;

use qnd_storage::{SResult, StorageError};

use super::{ck, locked, Plists};

/// A link as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawLink {
    /// A hard link.
    Hard,
    /// A soft link and its path.
    Soft(String),
    /// An external link: the file and the object's path in it.
    External(String, String),
    /// A user-defined link of another class.
    Other,
}

/// The C string at `p`, which the caller holds alive.
///
/// # Safety
/// `p` is null or points at a NUL-terminated string.
unsafe fn text_at(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the caller's promise.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// What link `name` of `group` is (it must exist: see `link_exists`).
pub(crate) fn link_of(group: &Group, name: &CStr) -> SResult<RawLink> {
    locked(|| {
        let mut info = H5L_info1_t::default();
        // SAFETY: `name` is NUL-terminated; `info` is a live H5L_info_t
        // the call fills (the 1.10 layout, which H5Lget_info1 names in
        // every supported version).
        ck(unsafe { H5Lget_info1(group.id(), name.as_ptr(), &mut info, H5P_DEFAULT) })?;
        let kind = info.type_;
        if kind == H5L_type_t::H5L_TYPE_HARD {
            return Ok(RawLink::Hard);
        }
        if kind != H5L_type_t::H5L_TYPE_SOFT && kind != H5L_type_t::H5L_TYPE_EXTERNAL {
            return Ok(RawLink::Other);
        }
        // SAFETY: for soft and external links the union holds the size of
        // the link's value; the pointer is read at once.
        let size = unsafe { *info.u.val_size() };
        let mut buf = vec![0u8; size.max(1)];
        // SAFETY: `buf` holds `buf.len()` bytes, the size the call may
        // write (the library truncates to it).
        ck(unsafe {
            H5Lget_val(
                group.id(),
                name.as_ptr(),
                buf.as_mut_ptr().cast::<c_void>(),
                buf.len(),
                H5P_DEFAULT,
            )
        })?;
        if kind == H5L_type_t::H5L_TYPE_SOFT {
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            return Ok(RawLink::Soft(
                String::from_utf8_lossy(&buf[..end]).into_owned(),
            ));
        }
        let mut flags: c_uint = 0;
        let mut file: *const c_char = ptr::null();
        let mut path: *const c_char = ptr::null();
        // SAFETY: `buf` holds the link's value of `size` bytes; the two
        // pointers are set to NUL-terminated strings inside `buf`, which
        // lives until they are copied below.
        ck(unsafe {
            H5Lunpack_elink_val(
                buf.as_ptr().cast::<c_void>(),
                size,
                &mut flags,
                &mut file,
                &mut path,
            )
        })?;
        // SAFETY: null or NUL-terminated strings inside `buf`, alive.
        let (file, path) = unsafe { (text_at(file), text_at(path)) };
        Ok(RawLink::External(file, path))
    })
}

/// Make `name` in `group` a hard link to object `target` (an open object
/// of the same file).
pub(crate) fn create_hard(target: hid_t, group: &Group, name: &CStr, pl: &Plists) -> SResult<()> {
    let here = c".";
    locked(|| {
        // SAFETY: both names are NUL-terminated; the identifiers are open
        // objects the library checks.
        ck(unsafe {
            H5Lcreate_hard(
                target,
                here.as_ptr(),
                group.id(),
                name.as_ptr(),
                pl.lcpl.id(),
                H5P_DEFAULT,
            )
        })
    })
    .map(drop)
}

/// Make `name` in `group` a soft link to `target`.
pub(crate) fn create_soft(target: &CStr, group: &Group, name: &CStr, pl: &Plists) -> SResult<()> {
    locked(|| {
        // SAFETY: both strings are NUL-terminated; the library checks
        // `group`.
        ck(unsafe {
            H5Lcreate_soft(
                target.as_ptr(),
                group.id(),
                name.as_ptr(),
                pl.lcpl.id(),
                H5P_DEFAULT,
            )
        })
    })
    .map(drop)
}

/// Make `name` in `group` an external link to object `path` of `file`.
pub(crate) fn create_external(
    file: &CStr,
    path: &CStr,
    group: &Group,
    name: &CStr,
    pl: &Plists,
) -> SResult<()> {
    locked(|| {
        // SAFETY: every string is NUL-terminated; the library checks
        // `group`.
        ck(unsafe {
            H5Lcreate_external(
                file.as_ptr(),
                path.as_ptr(),
                group.id(),
                name.as_ptr(),
                pl.lcpl.id(),
                H5P_DEFAULT,
            )
        })
    })
    .map(drop)
}

/// Delete link `name` of `group`.
pub(crate) fn delete(group: &Group, name: &CStr) -> SResult<()> {
    // SAFETY: `name` is NUL-terminated; the library checks `group`.
    locked(|| ck(unsafe { H5Ldelete(group.id(), name.as_ptr(), H5P_DEFAULT) })).map(drop)
}

/// A refusal for a name that cannot be a link's value (a NUL inside).
pub(crate) fn c_text(what: &str, text: &str) -> SResult<std::ffi::CString> {
    std::ffi::CString::new(text)
        .map_err(|_| StorageError::Unsupported(format!("{what} {text:?} holds a NUL byte")))
}
