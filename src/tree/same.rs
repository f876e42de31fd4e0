//! Telling two handles on one object apart from handles on two objects:
//! [`QGroup::is_same`].

use std::sync::Arc;

use super::QGroup;

impl QGroup {
    /// True when `other` is a handle on the same group of the same open
    /// file as this one, whatever the path each was reached by: a group
    /// with several names (hard links, as h5py's `g["up"] = g` makes) is
    /// one object under each. This is h5py's `a.id == b.id`.
    ///
    /// A walk of the tree (`qnd ls -r`, `dump`) finds a cycle with it: a
    /// member that is the same as a group on the path to it.
    ///
    /// Handles from two opens of one file are never the same (each open
    /// has its own handles).
    ///
    /// ```
    /// let f = qnd::memory();
    /// f.create_group("g")?;
    /// f.link("g/up", "/g")?;
    /// let g = f.group("g")?;
    /// assert!(g.is_same(&f.group("g/up")?));
    /// assert!(g.is_same(&f.group("g/up/up")?));
    /// assert!(!g.is_same(&f));
    /// # Ok::<(), qnd::Error>(())
    /// ```
    pub fn is_same(&self, other: &QGroup) -> bool {
        self.id == other.id && Arc::ptr_eq(&self.file.file, &other.file.file)
    }
}
