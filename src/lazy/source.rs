//! [`VirtualSource`]: a dataset in a file, read on demand.

use std::path::{Path, PathBuf};

use super::{check_rank, LazyArray};
use crate::backend::{Run, VirtualMap};
use crate::error::{Error, Result};
use crate::selection::Region;
use crate::values::{describe, Array, DType};

/// A dataset in a file, read on demand: only the file's path and the
/// dataset's path are kept (with its shape and dtype, learned once), and
/// each read opens the file, reads the region asked for and closes it.
///
/// It works with any format [`crate::open`] reads. Select part of it with
/// [`Lazy::select`](super::Lazy::select); place it in a
/// [`VirtualStack`](super::VirtualStack) or
/// [`VirtualLayout`](super::VirtualLayout). It is read-only.
#[derive(Clone, Debug)]
pub struct VirtualSource {
    file: PathBuf,
    dataset: String,
    shape: Vec<usize>,
    dtype: DType,
}

impl VirtualSource {
    /// Dataset `dataset` (a leaf path such as `/g/x`) of file `file`. The
    /// file is opened once, to learn the dataset's shape and dtype, and
    /// closed again.
    ///
    /// # Errors
    /// The errors of [`crate::open`] (naming the file:
    /// [`Error::NoFile`], [`Error::Format`], ...) and of
    /// [`QGroup::leaf`](crate::QGroup::leaf) ([`Error::NoItem`] when there
    /// is no such dataset, [`Error::Mismatch`] when it is not a leaf).
    pub fn new(file: impl AsRef<Path>, dataset: &str) -> Result<VirtualSource> {
        let file = file.as_ref().to_path_buf();
        let f = crate::open(&file, "r")?;
        let leaf = f.leaf(dataset)?;
        let (shape, dtype) = (leaf.shape()?, leaf.dtype()?);
        let dataset = leaf.path().to_string();
        drop(leaf);
        f.close()?;
        Ok(VirtualSource {
            file,
            dataset,
            shape,
            dtype,
        })
    }

    /// The file, as given.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The dataset's path in its file.
    pub fn dataset(&self) -> &str {
        &self.dataset
    }
}

impl LazyArray for VirtualSource {
    fn shape(&self) -> Result<Vec<usize>> {
        Ok(self.shape.clone())
    }
    fn dtype(&self) -> Result<DType> {
        Ok(self.dtype)
    }
    fn describe(&self) -> String {
        format!("{}:{}", self.file.display(), self.dataset)
    }
    fn read_region(&self, region: &Region) -> Result<Array> {
        check_rank(self, region, self.shape.len())?;
        let f = crate::open(&self.file, "r")?;
        let leaf = f.leaf(&self.dataset)?;
        let (shape, dtype) = (leaf.shape()?, leaf.dtype()?);
        if shape != self.shape || dtype != self.dtype {
            return Err(Error::Mismatch {
                file: self.file.clone(),
                path: self.dataset.clone(),
                expected: format!(
                    "{} (as when the source was made)",
                    describe(self.dtype, &self.shape)
                ),
                got: describe(dtype, &shape),
            });
        }
        let a: Array = leaf.read_part(region.to_selection())?;
        drop(leaf);
        f.close()?;
        Ok(a)
    }
    fn virtual_maps(&self) -> Option<Result<Vec<VirtualMap>>> {
        let whole: Vec<Run> = self.shape.iter().map(|&n| Run::all(n)).collect();
        Some(Ok(vec![VirtualMap {
            dest: whole.clone(),
            file: self.file.clone(),
            dataset: self.dataset.clone(),
            src: whole,
        }]))
    }
}
