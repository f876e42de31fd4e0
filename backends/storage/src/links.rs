//! Links and removal in the storage contract: what a member of a group is
//! as a link ([`LinkTarget`]), and the refusals of a backend that has no
//! links or cannot delete members (the defaults of the
//! [`Storage`](crate::Storage) methods).
//!
//! | operation | memory | HDF5 | netCDF-4, netCDF-3 |
//! | --- | --- | --- | --- |
//! | [`remove`](crate::Storage::remove) | yes | yes (`H5Ldelete`; the space is not given back) | refused: netCDF-C cannot delete a variable or group |
//! | [`link`](crate::Storage::link) (hard) | yes | yes (`H5Lcreate_hard`) | refused: no links |
//! | [`soft_link`](crate::Storage::soft_link) | yes | yes (`H5Lcreate_soft`) | refused |
//! | [`external_link`](crate::Storage::external_link) | refused (no file) | yes (`H5Lcreate_external`) | refused |
//!
//! A backend says which it has in [`Capabilities`](crate::Capabilities)
//! (`remove`, `hard_links`, `soft_links`, `external_links`): the tree asks
//! those, never a backend's name.

use std::path::PathBuf;

use crate::StorageError;

/// What a member of a group is, as a link.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LinkTarget {
    /// A hard link: the member is the object itself (every member of a
    /// format without links is one). An object with two hard links is one
    /// object under two names, stored once.
    Hard,
    /// A soft link to a path in the same file (absolute, or relative to
    /// the group holding the link); it may dangle.
    Soft(String),
    /// An external link to object `path` of file `file` (as stored: HDF5
    /// finds a relative name next to the file holding the link, then in
    /// the working directory); it may dangle.
    External {
        /// The file, as stored in the link.
        file: PathBuf,
        /// The object's path in that file.
        path: String,
    },
}

impl std::fmt::Display for LinkTarget {
    /// `hard link`, `-> /a` (soft), `-> other.h5:/x` (external).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkTarget::Hard => f.write_str("hard link"),
            LinkTarget::Soft(p) => write!(f, "-> {p}"),
            LinkTarget::External { file, path } => write!(f, "-> {}:{path}", file.display()),
        }
    }
}

/// The refusal of a backend that cannot delete members.
pub fn cannot_remove(backend: &str, name: &str) -> StorageError {
    StorageError::Unsupported(format!(
        "{backend} files cannot delete members: cannot remove {name:?} \
         ({backend} has no way to delete a variable or group)"
    ))
}

/// The refusal of a backend without links of kind `what` (`hard`, `soft`,
/// `external`).
pub fn no_links(backend: &str, what: &str, name: &str) -> StorageError {
    StorageError::Unsupported(format!(
        "{backend} files have no {what} links: cannot make {name:?} one"
    ))
}
