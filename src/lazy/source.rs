//! [`VirtualSource`]: a dataset in a file, read on demand.

use std::path::{Path, PathBuf};

use super::{check_rank, LazyArray};
use crate::backend::{Kind, NodeId, Run, VirtualMap};
use crate::error::{Error, Result};
use crate::file::{self, join, kind_name, read, walk, FileRef, Mode, OpenOptions};
use crate::selection::Region;
use crate::values::{describe, Array, DType};

/// Leaf `dataset` of the file at `path`, opened read-only: the open file,
/// the leaf's node, dtype and shape.
fn open_leaf(path: &Path, dataset: &str) -> Result<(FileRef, NodeId, DType, Vec<usize>)> {
    let (f, _) = file::open_file(path, &OpenOptions::new(Mode::Read))?;
    let root = f.at("/");
    let here = root.member(dataset);
    let found = {
        let mut core = f.lock()?;
        let walked = walk(&mut core, f.root, f.root, &root, dataset, None)?;
        let (id, kind) = core
            .lookup(walked.group, walked.name)
            .map_err(|e| here.storage(e))?
            .filter(|_| !walked.name.is_empty())
            .ok_or_else(|| here.no_item())?;
        if kind == Kind::Other {
            return Err(read::unreadable(&mut core, &here, id));
        }
        if !matches!(kind, Kind::Leaf | Kind::Records) {
            return Err(here.mismatch("a leaf", kind_name(kind)));
        }
        let shape = core.shape(id).map_err(|e| here.storage(e))?;
        (id, shape.dtype, shape.shape.clone())
    };
    Ok((f, found.0, found.1, found.2))
}

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
        let (f, _, dtype, shape) = open_leaf(&file, dataset)?;
        f.close()?;
        let dataset = join("/", dataset);
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
        let (f, id, dtype, shape) = open_leaf(&self.file, &self.dataset)?;
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
        let at = f.at(&self.dataset);
        let a = {
            let mut core = f.lock()?;
            read::read_region(&mut core, &at, id, region)?
        };
        f.close()?;
        Ok(a)
    }
    fn virtual_maps(&self) -> Option<Result<Vec<VirtualMap>>> {
        let whole = Run::whole(&self.shape);
        Some(Ok(vec![VirtualMap {
            dest: whole.clone(),
            file: self.file.clone(),
            dataset: self.dataset.clone(),
            src: whole,
        }]))
    }
}
