//! Home directories from the password database (`getpwnam_r`,
//! `getpwuid_r`), which `std` does not read: what Python's
//! `os.path.expanduser` gives `~user`, and `~` when `HOME` is unset. One
//! of qnd's two FFI modules (with the writer lock's), Unix only.
#![allow(unsafe_code)] // this module is an FFI boundary

use std::ffi::{CStr, CString};

/// The largest buffer tried for one password entry (its strings).
const MAX_BUFFER: usize = 1 << 20;

/// The home directory of user `name`, if the password database knows the
/// user and the directory is UTF-8.
pub(super) fn home_of(name: &str) -> Option<String> {
    let cname = CString::new(name).ok()?;
    entry_home(|pwd, buf, result| {
        // SAFETY: `cname` is NUL-terminated; `pwd` and `result` point to
        // writable entries, `buf` to `buf.len()` writable bytes, all alive
        // for the call (getpwnam_r writes only into them).
        unsafe {
            libc::getpwnam_r(
                cname.as_ptr(),
                pwd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                result,
            )
        }
    })
}

/// The home directory of the user running the process, if the password
/// database knows it and it is UTF-8.
pub(super) fn own_home() -> Option<String> {
    // SAFETY: getuid takes nothing and cannot fail.
    let uid = unsafe { libc::getuid() };
    entry_home(|pwd, buf, result| {
        // SAFETY: `pwd` and `result` point to writable entries, `buf` to
        // `buf.len()` writable bytes, all alive for the call (getpwuid_r
        // writes only into them).
        unsafe { libc::getpwuid_r(uid, pwd, buf.as_mut_ptr().cast(), buf.len(), result) }
    })
}

/// The `pw_dir` of the entry `lookup` (a `getpw*_r` call given the entry,
/// the buffer for its strings and where to say whether it found one)
/// fills, growing the buffer while the call says it is too small.
fn entry_home(
    lookup: impl Fn(*mut libc::passwd, &mut [u8], *mut *mut libc::passwd) -> libc::c_int,
) -> Option<String> {
    let mut size = 1024;
    loop {
        let mut buf = vec![0u8; size];
        // SAFETY: `passwd` is plain data (integers and pointers), for
        // which all zero bytes are a valid value.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = lookup(&mut pwd, &mut buf, &mut result);
        if rc == libc::ERANGE && size < MAX_BUFFER {
            size *= 4;
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_dir.is_null() {
            return None;
        }
        // SAFETY: the call succeeded and found an entry: `pw_dir` points to
        // a NUL-terminated string in `buf`, which is still alive here.
        let dir = unsafe { CStr::from_ptr(pwd.pw_dir) };
        return dir.to_str().ok().map(str::to_string);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_and_unknown_users() {
        // root is user 0 on Unix; its home is / or /root (or /var/root)
        let root = super::home_of("root").expect("root is in the password database");
        assert!(root.starts_with('/'), "{root}");
        assert_eq!(super::home_of("no-such-user-qnd-7f3a"), None);
        assert_eq!(super::home_of("a\0b"), None);
    }
}
