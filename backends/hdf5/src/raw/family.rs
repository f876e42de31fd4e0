//! The descriptors of a family's member files made close-on-exec.
//!
//! HDF5's family driver opens each member through the sec2 driver, which
//! does not mark its descriptor close-on-exec, and holds HDF5's `flock()`
//! lock on each: a process started meanwhile would inherit them, and
//! with them the lock, which would then outlive the family's closing. The
//! library hands out a member's descriptor (`H5Fget_vfd_handle` with a
//! family offset) only for a member it has, with no safe way to ask how
//! many it has (an offset one member too far is not refused), so they are
//! found instead among the process's descriptors (`/proc/self/fd`, Linux),
//! by device and inode.

use std::path::Path;

/// Mark close-on-exec every descriptor of this process open on one of the
/// member files of the family `pattern` (HDF5's `printf` pattern), asked
/// for from member 0 until one does not exist. Best effort: nothing where
/// `/proc/self/fd` cannot be read (other systems).
#[cfg(target_os = "linux")]
pub(crate) fn close_on_exec(pattern: &Path) {
    use std::collections::HashSet;
    use std::os::unix::fs::MetadataExt;
    let Some(pattern) = pattern.to_str() else {
        return;
    };
    let members: HashSet<(u64, u64)> = (0..)
        .map_while(|i| member_name(pattern, i))
        .map_while(|m| std::fs::metadata(m).ok())
        .map(|m| (m.dev(), m.ino()))
        .collect();
    if members.is_empty() {
        return;
    }
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for entry in fds.flatten() {
        let Some(fd) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let Ok(meta) = std::fs::metadata(entry.path()) else {
            continue;
        };
        if members.contains(&(meta.dev(), meta.ino())) {
            set_close_on_exec(fd);
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn close_on_exec(_pattern: &Path) {}

/// Add `FD_CLOEXEC` to descriptor `fd`'s flags.
#[cfg(target_os = "linux")]
fn set_close_on_exec(fd: std::ffi::c_int) {
    // SAFETY: `fcntl` on a descriptor number, with no pointers; had the
    // descriptor been closed meanwhile, the calls fail (EBADF) or mark
    // whatever file took its number close-on-exec, which only keeps it
    // from programs this process starts.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFD);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
        }
    }
}

/// Member `i`'s name in the `printf` pattern of a family: `%%` is `%`,
/// `%d` is `i`, `%0Nd` is `i` zero-padded to `N` digits; `None` for
/// anything else after a `%`.
pub(crate) fn member_name(pattern: &str, i: u64) -> Option<String> {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut rest = pattern;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(more) = after.strip_prefix('%') {
            out.push('%');
            rest = more;
            continue;
        }
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let more = after[digits..].strip_prefix('d')?;
        let width: usize = match &after[..digits] {
            "" => 0,
            w if w.starts_with('0') => w.parse().ok()?,
            _ => return None,
        };
        out.push_str(&format!("{i:0width$}"));
        rest = more;
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::member_name;

    #[test]
    fn members_are_named_as_printf_names_them() {
        assert_eq!(member_name("a%d.h5", 3).as_deref(), Some("a3.h5"));
        assert_eq!(member_name("a%03d.h5", 3).as_deref(), Some("a003.h5"));
        assert_eq!(
            member_name("100%%_%d.h5", 12).as_deref(),
            Some("100%_12.h5")
        );
        assert_eq!(member_name("a%s.h5", 1), None);
        assert_eq!(member_name("a%5d.h5", 1), None);
    }
}
