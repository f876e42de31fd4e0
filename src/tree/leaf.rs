//! [`QLeaf`]: a handle on an n-d array in a file.

use std::fmt;

use super::QAttrs;
use crate::backend::Kind;
use crate::backend::{NodeId, Storage};
use crate::error::Result;
use crate::file::{read, write, FileRef};
use crate::selection::Selection;
use crate::values::{DType, FromValue, Value};

/// A handle on a leaf (or on one record of a record variable, or on a
/// whole record variable seen as an array whose first axis is the record):
/// query it without reading, read or write it whole or in part.
#[derive(Clone)]
pub struct QLeaf {
    file: FileRef,
    id: NodeId,
    record: Option<usize>,
    path: String,
}

impl fmt::Debug for QLeaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QLeaf")
            .field("file", &self.file.file)
            .field("path", &self.path)
            .field("record", &self.record)
            .finish()
    }
}

/// One dimension of a symbolic shape: its length and, where the format
/// names dimensions (netCDF), its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dim {
    /// Dimension name, if any.
    pub name: Option<String>,
    /// Length.
    pub len: usize,
}

impl QLeaf {
    pub(crate) fn new(file: FileRef, id: NodeId, record: Option<usize>, path: String) -> QLeaf {
        let path = match record {
            Some(r) => super::elem_path(&path, r),
            None => path,
        };
        QLeaf {
            file,
            id,
            record,
            path,
        }
    }

    /// The file this leaf is in.
    pub fn file_path(&self) -> std::path::PathBuf {
        self.file.file_path()
    }

    /// The item path inside the file (`/g/x`; `/t[3]` for a record).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The record of a record variable this handle is on, if any.
    pub fn record(&self) -> Option<usize> {
        self.record
    }

    fn info(&self) -> Result<(DType, Vec<usize>)> {
        let mut core = self.file.lock()?;
        read::leaf_shape(&mut core, &self.file.at(&self.path), self.id, self.record)
    }

    /// The element type.
    ///
    /// # Errors
    /// When the file cannot be read, [`Error::NoRecord`](crate::Error::NoRecord).
    pub fn dtype(&self) -> Result<DType> {
        Ok(self.info()?.0)
    }

    /// The shape (`[]` for a scalar).
    ///
    /// # Errors
    /// As [`QLeaf::dtype`].
    pub fn shape(&self) -> Result<Vec<usize>> {
        Ok(self.info()?.1)
    }

    /// The number of dimensions.
    ///
    /// # Errors
    /// As [`QLeaf::dtype`].
    pub fn ndim(&self) -> Result<usize> {
        Ok(self.info()?.1.len())
    }

    /// The number of elements.
    ///
    /// # Errors
    /// As [`QLeaf::dtype`].
    pub fn size(&self) -> Result<usize> {
        Ok(self.info()?.1.iter().product())
    }

    /// The symbolic shape (qnd's `sshape`): each dimension's length and
    /// name, where the format names dimensions.
    ///
    /// # Errors
    /// As [`QLeaf::dtype`].
    pub fn sshape(&self) -> Result<Vec<Dim>> {
        let mut core = self.file.lock()?;
        let at = self.file.at(&self.path);
        let info = core.storage.info(self.id).map_err(|e| at.storage(e))?;
        let skip = usize::from(self.record.is_some());
        Ok(info
            .shape
            .iter()
            .zip(info.dims)
            .skip(skip)
            .map(|(&len, name)| Dim { name, len })
            .collect())
    }

    /// Read the whole leaf (qnd's `x()`).
    ///
    /// # Errors
    /// Read errors; [`Error::Mismatch`](crate::Error::Mismatch) when it is
    /// not a `T`.
    pub fn read<T: FromValue>(&self) -> Result<T> {
        self.read_part(Selection::all())
    }

    /// Read part of the leaf (qnd's `x[idx]`), reading only that part.
    ///
    /// ```
    /// use ndarray::{array, s, Array2};
    /// let f = qnd::memory();
    /// f.set("m", array![[1, 2, 3], [4, 5, 6]])?;
    /// let m = f.leaf("m")?;
    /// let col: Vec<i32> = m.read_part(s![.., -1])?;
    /// assert_eq!(col, [3, 6]);
    /// let odd: Array2<i32> = m.read_part(qnd::Selection::new().full().slice(None, None, 2))?;
    /// assert_eq!(odd, array![[1, 3], [4, 6]]);
    /// # Ok::<(), qnd::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::OutOfBounds`](crate::Error::OutOfBounds) naming the axis,
    /// and as [`QLeaf::read`].
    pub fn read_part<T: FromValue>(&self, sel: impl Into<Selection>) -> Result<T> {
        let at = self.file.at(&self.path);
        let a = {
            let mut core = self.file.lock()?;
            read::read_leaf(&mut core, &at, self.id, self.record, &sel.into())?
        };
        T::from_value(Value::Array(a)).map_err(|e| at.value(e))
    }

    /// Write the whole leaf (qnd's `x(value)`): same shape, the values
    /// cast to the leaf's dtype, each checked ("Casts on write" in the
    /// crate guide).
    ///
    /// # Errors
    /// [`Error::ReadOnly`](crate::Error::ReadOnly),
    /// [`Error::Mismatch`](crate::Error::Mismatch),
    /// [`Error::Cast`](crate::Error::Cast) (a value that does not fit;
    /// nothing is written).
    pub fn write(&self, value: impl Into<Value>) -> Result<()> {
        self.write_sel(Selection::all(), value.into(), false)
    }

    /// Write part of the leaf (qnd's `x[idx] = value`). A single value
    /// fills the whole selection.
    ///
    /// # Errors
    /// As [`QLeaf::write`], and
    /// [`Error::OutOfBounds`](crate::Error::OutOfBounds).
    pub fn write_part(&self, sel: impl Into<Selection>, value: impl Into<Value>) -> Result<()> {
        self.write_sel(sel.into(), value.into(), true)
    }

    fn write_sel(&self, sel: Selection, value: Value, fill: bool) -> Result<()> {
        self.file
            .collective("write", &self.path, "", u64::from(fill), || {
                let at = self.file.at(&self.path);
                let mut core = self.file.lock_mut(&self.path)?;
                write::write_leaf(&mut core, &at, self.id, self.record, &sel, &value, fill)
            })
    }

    /// The attributes of this leaf (of its record variable, for a record).
    pub fn attrs(&self) -> QAttrs {
        let path = match self.record {
            Some(_) => self
                .path
                .rsplit_once('[')
                .map_or(self.path.clone(), |(p, _)| p.to_string()),
            None => self.path.clone(),
        };
        let kind = if self.record.is_some() {
            Kind::Records
        } else {
            Kind::Leaf
        };
        QAttrs::new(self.file.clone(), self.id, kind, path)
    }
}
