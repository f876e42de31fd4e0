//! Materializing a lazy array as a leaf of a group: as a virtual dataset
//! when the file's format has them and the array is made of regions of
//! datasets in files, otherwise copied block by block ([`QGroup::store`], [`QGroup::store_virtual`],
//! [`QGroup::store_copy`]).

use std::path::Path;

use super::{child_path, QGroup, QLeaf};
use crate::backend::{Run, Storage, VirtualMap};
use crate::error::{Error, Result};
use crate::file::{write, Format};
use crate::lazy::LazyArray;
use crate::selection::{Region, Resolved};
use crate::state::Recording;
use crate::values::{Array, DType};

/// A copy reads and writes blocks of at most this many bytes.
pub(crate) const BLOCK_BYTES: usize = 8 << 20;

/// The size assumed for one text element when sizing blocks.
const TEXT_BYTES: usize = 64;

/// Where a new leaf goes: its group, its name there and its full path.
struct NewLeaf {
    group: QGroup,
    name: String,
    path: String,
}

impl QGroup {
    /// Store lazy array `array` as leaf `name` (or a path `g/x`; its
    /// groups must exist), and return the new leaf.
    ///
    /// - In an HDF5 file, an array made only of regions of datasets in
    ///   HDF5 files (a [`VirtualSource`](crate::lazy::VirtualSource), a
    ///   [`VirtualStack`](crate::lazy::VirtualStack) or
    ///   [`VirtualLayout`](crate::lazy::VirtualLayout) of them, a
    ///   selection of one: whatever has
    ///   [`virtual_maps`](LazyArray::virtual_maps)) becomes an HDF5
    ///   virtual dataset: nothing is copied, and h5py reads it as an
    ///   ordinary dataset. See [`QGroup::store_virtual`].
    /// - Otherwise (other backends, other arrays, sources that are not
    ///   HDF5 files, 0-d arrays and arrays with no elements) the array is
    ///   copied as [`QGroup::store_copy`] does, block by block.
    ///
    /// The leaf is a plain leaf whatever the recording mode.
    ///
    /// ```
    /// use ndarray::array;
    /// use qnd::lazy::Lazy;
    /// use qnd::Array;
    ///
    /// let f = qnd::memory();
    /// let a = Lazy::new(Array::from(array![[1, 2, 3], [4, 5, 6]]));
    /// f.store("x", &a.select(ndarray::s![.., 1..])?)?;
    /// let x: ndarray::Array2<i32> = f.read("x")?;
    /// assert_eq!(x, array![[2, 3], [5, 6]]);
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`QGroup::store_virtual`] when it stores a virtual dataset, else
    /// as [`QGroup::store_copy`].
    pub fn store<A: LazyArray + ?Sized>(&self, name: &str, array: &A) -> Result<QLeaf> {
        self.file.collective("store", &self.path, name, 0, || {
            let target = self.new_leaf(name)?;
            let shape = array.shape()?;
            let dtype = array.dtype()?;
            if let Some(maps) = self.virtual_plan(array, &shape)? {
                return self.create_virtual_leaf(&target, dtype, &shape, &maps);
            }
            self.copy_leaf(&target, array, dtype, &shape)
        })
    }

    /// Store lazy array `array` as HDF5 virtual dataset `name` (or a path
    /// `g/x`; its groups must exist) without copying any data, and return
    /// the new leaf.
    ///
    /// The mappings are the array's
    /// [`virtual_maps`](LazyArray::virtual_maps). Relative source file
    /// names are relative to the working directory: they are stored as
    /// absolute paths, except that a source in this very file is stored as
    /// `.`, so that the file can be moved. (HDF5 also looks for a source
    /// whose absolute path is gone in the directory of the file holding the
    /// virtual dataset: a file moved together with its sources still
    /// reads.) Reading a part whose source file is missing or unreadable is
    /// an error naming it, never fill values.
    ///
    /// # Errors
    /// [`Error::ReadOnly`]; [`Error::Invalid`] when `name` exists, when
    /// the file is not HDF5, when the array is not made of regions of
    /// datasets in files, has no dimensions or no elements, or when a
    /// source file or dataset cannot be found (naming it) or holds another
    /// dtype; [`Error::NoItem`] for a missing group in the path.
    pub fn store_virtual<A: LazyArray + ?Sized>(&self, name: &str, array: &A) -> Result<QLeaf> {
        self.file
            .collective("store_virtual", &self.path, name, 0, || {
                let target = self.new_leaf(name)?;
                let at = self.file.at(&target.path);
                let maps = match array.virtual_maps() {
                    Some(maps) => maps?,
                    None => {
                        return Err(at.invalid(format!(
                    "{} is not made of regions of datasets in files: it cannot be a virtual \
                     dataset (store or store_copy copy it)",
                    array.describe()
                )))
                    }
                };
                let shape = array.shape()?;
                let dtype = array.dtype()?;
                self.create_virtual_leaf(&target, dtype, &shape, &absolute(maps)?)
            })
    }

    /// Store lazy array `array` as leaf `name` (or a path `g/x`; its
    /// groups must exist) by copying it: the leaf is declared, then read
    /// from `array` and written in blocks of at most 8 MiB (whole
    /// stretches of the first axes where they fit, else parts of them), so
    /// the whole array is never in memory. Text is read twice: once to
    /// learn the longest string, which sets the stored width.
    ///
    /// If a read fails after the first block, the leaf stays, partly
    /// written (the first block is read before the leaf is declared).
    ///
    /// # Errors
    /// [`Error::ReadOnly`]; [`Error::Invalid`] when `name` exists;
    /// [`Error::NoItem`] for a missing group in the path; read errors of
    /// `array`; write errors.
    pub fn store_copy<A: LazyArray + ?Sized>(&self, name: &str, array: &A) -> Result<QLeaf> {
        self.file.collective("store_copy", &self.path, name, 0, || {
            let target = self.new_leaf(name)?;
            let shape = array.shape()?;
            let dtype = array.dtype()?;
            self.copy_leaf(&target, array, dtype, &shape)
        })
    }

    /// Checks that leaf `name` can be created: a valid member name, in an
    /// existing group, of a writable file, not taken.
    fn new_leaf(&self, name: &str) -> Result<NewLeaf> {
        let (start, rest) = match name.strip_prefix('/') {
            Some(rest) => (self.root(), rest),
            None => (self.clone(), name),
        };
        let rest = rest.trim_end_matches('/');
        let (group, last) = match rest.rsplit_once('/') {
            Some((dirs, last)) if !dirs.trim_matches('/').is_empty() => {
                (start.group(dirs.trim_matches('/'))?, last)
            }
            Some((_, last)) => (start, last),
            None => (start, rest),
        };
        let path = child_path(&group.path, last);
        let at = self.file.at(&path);
        write::check_group_member(&at, last)?;
        let mut core = self.file.lock_mut(&path)?;
        write::check_absent(&mut core, &at, group.id, last)?;
        drop(core);
        Ok(NewLeaf {
            name: last.to_string(),
            group,
            path,
        })
    }

    /// The mappings to store `array` with as a virtual dataset, or `None`
    /// when it is to be copied.
    fn virtual_plan<A: LazyArray + ?Sized>(
        &self,
        array: &A,
        shape: &[usize],
    ) -> Result<Option<Vec<VirtualMap>>> {
        if !self.file.capabilities.virtual_datasets || shape.is_empty() || shape.contains(&0) {
            return Ok(None);
        }
        let Some(Ok(maps)) = array.virtual_maps() else {
            return Ok(None);
        };
        if maps.is_empty() {
            return Ok(None);
        }
        let maps = absolute(maps)?;
        // A source that exists but is not HDF5 (netCDF-3, say) cannot be
        // a virtual dataset's: copy. A missing one is left for
        // create_virtual to name.
        let mut seen: Vec<&Path> = Vec::new();
        for m in &maps {
            if m.file.as_os_str() == "." || seen.contains(&m.file.as_path()) {
                continue;
            }
            seen.push(&m.file);
            if m.file.is_file() && !is_hdf5(&m.file) {
                return Ok(None);
            }
        }
        Ok(Some(maps))
    }

    fn create_virtual_leaf(
        &self,
        target: &NewLeaf,
        dtype: DType,
        shape: &[usize],
        maps: &[VirtualMap],
    ) -> Result<QLeaf> {
        let at = self.file.at(&target.path);
        let mut core = self.file.lock_mut(&target.path)?;
        let id = core
            .storage
            .create_virtual(target.group.id, &target.name, dtype, shape, maps)
            .map_err(|e| at.storage(e))?;
        drop(core);
        Ok(QLeaf::new(self.file.clone(), id, None, target.path.clone()))
    }

    fn copy_leaf<A: LazyArray + ?Sized>(
        &self,
        target: &NewLeaf,
        array: &A,
        dtype: DType,
        shape: &[usize],
    ) -> Result<QLeaf> {
        let elem = if dtype == DType::Str {
            TEXT_BYTES
        } else {
            dtype.size().max(1)
        };
        let blocks = blocks(shape, elem, BLOCK_BYTES);
        // Text: the longest string sets the width.
        let mut width = 1;
        if dtype == DType::Str {
            for region in &blocks {
                if let Array::Str(s) = array.read_region(region)? {
                    width = s.iter().map(String::len).fold(width, usize::max);
                }
            }
        }
        let mut parts = blocks.iter();
        let first = match parts.next() {
            Some(region) => Some((region, array.read_region(region)?)),
            None => None,
        };
        let leaf = {
            let g = target.group.push();
            g.set_recording(Recording::Off);
            if dtype == DType::Str {
                g.declare_text(&target.name, width, shape)?
            } else {
                g.declare(&target.name, dtype, shape)?
            }
        };
        if let Some((region, a)) = first {
            leaf.write_part(region.to_selection(), a)?;
        }
        for region in parts {
            let a = array.read_region(region)?;
            leaf.write_part(region.to_selection(), a)?;
        }
        Ok(leaf)
    }
}

/// `maps` with relative file names (relative to the working directory)
/// made absolute; `.` (this file) stays.
fn absolute(mut maps: Vec<VirtualMap>) -> Result<Vec<VirtualMap>> {
    for m in &mut maps {
        if m.file.as_os_str() != "." && m.file.is_relative() {
            m.file = std::path::absolute(&m.file).map_err(|source| Error::Io {
                file: m.file.clone(),
                source,
            })?;
        }
    }
    Ok(maps)
}

/// True when `path` begins with the HDF5 signature (at 0, or after a user
/// block at 512, 1024, ...).
fn is_hdf5(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let len = f.metadata().map_or(0, |m| m.len());
    let mut offset = 0u64;
    while offset + 8 <= len {
        let mut sig = [0u8; 8];
        if f.seek(SeekFrom::Start(offset)).is_err() || f.read_exact(&mut sig).is_err() {
            return false;
        }
        if Format::from_magic(&sig) == Some(Format::Hdf5) {
            return true;
        }
        offset = if offset == 0 { 512 } else { offset * 2 };
    }
    false
}

/// The regions a copy of an array of `shape` (elements of `elem` bytes)
/// reads and writes, in order, each of at most `limit` bytes (or one
/// element): a stretch of axis `k`, the first axis whose trailing
/// sub-arrays fit, at each index of the axes before it. None when the
/// array has no elements; the whole for a 0-d array.
pub(crate) fn blocks(shape: &[usize], elem: usize, limit: usize) -> Vec<Region> {
    if shape.is_empty() {
        return vec![Region::all(shape)];
    }
    if shape.contains(&0) {
        return Vec::new();
    }
    let elem = elem.max(1);
    // bytes of one index of each axis: product of the axes after it
    let mut row = vec![elem; shape.len()];
    for k in (0..shape.len() - 1).rev() {
        row[k] = row[k + 1].saturating_mul(shape[k + 1]);
    }
    let k = (0..shape.len())
        .find(|&k| row[k] <= limit)
        .unwrap_or(shape.len() - 1);
    let per = (limit / row[k]).max(1);
    let mut out = Vec::new();
    let mut index = vec![0usize; k];
    loop {
        let mut start = 0;
        while start < shape[k] {
            let count = per.min(shape[k] - start);
            let axes = (0..shape.len())
                .map(|a| {
                    if a < k {
                        Resolved::kept(Run::one(index[a]))
                    } else if a == k {
                        Resolved::kept(Run::span(start, count))
                    } else {
                        Resolved::all(shape[a])
                    }
                })
                .collect();
            out.push(Region { axes });
            start += count;
        }
        // next index of the axes before k, last fastest
        let mut a = k;
        loop {
            if a == 0 {
                return out;
            }
            a -= 1;
            index[a] += 1;
            if index[a] < shape[a] {
                break;
            }
            index[a] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::blocks;

    #[test]
    fn blocks_cover_the_array_once_and_stay_small() {
        for (shape, elem, limit) in [
            (vec![10usize], 1usize, 4usize),
            (vec![3, 5], 2, 10),
            (vec![3, 5], 2, 7),
            (vec![2, 3, 4], 8, 8),
            (vec![2, 3, 4], 8, 1000),
            (vec![7, 1, 9], 4, 36),
        ] {
            let n: usize = shape.iter().product();
            let mut seen = vec![0u32; n];
            for r in blocks(&shape, elem, limit) {
                assert!(r.size() * elem <= limit.max(elem), "{shape:?} {r:?}");
                let mut idx = vec![0usize; shape.len()];
                loop {
                    let flat = idx
                        .iter()
                        .zip(&r.axes)
                        .zip(&shape)
                        .fold(0, |acc, ((&i, a), &d)| acc * d + a.index(i));
                    seen[flat] += 1;
                    let mut ax = shape.len();
                    loop {
                        if ax == 0 {
                            break;
                        }
                        ax -= 1;
                        idx[ax] += 1;
                        if idx[ax] < r.axes[ax].count {
                            break;
                        }
                        idx[ax] = 0;
                    }
                    if idx.iter().all(|&i| i == 0) {
                        break;
                    }
                }
            }
            assert!(seen.iter().all(|&c| c == 1), "{shape:?}: {seen:?}");
        }
        assert_eq!(blocks(&[], 8, 4).len(), 1);
        assert!(blocks(&[3, 0], 8, 4).is_empty());
    }
}
