//! Lazy arrays: anything with a shape and a dtype that reads (and maybe
//! writes) a selection on demand, and views built on them without touching
//! data.
//!
//! [`LazyArray`] is the one "dataset-like" interface. It is implemented by
//! [`QLeaf`](crate::QLeaf) (a record variable seen with goto off is a leaf
//! whose first axis is the record; the tree builds on this module, never
//! the other way), by in-memory [`Array`]s, by [`Sliced`] (a composed
//! selection of another lazy array) and by the virtual and view types of
//! this module. [`Lazy`] shares one (views and stacks are built from it);
//! reads and writes go through [`LazyExt`], which every lazy array has:
//!
//! ```
//! use ndarray::{array, s};
//! use qnd::lazy::{Lazy, LazyArray, LazyExt};
//! use qnd::Array;
//!
//! let a = Lazy::new(Array::from(array![[1, 2, 3], [4, 5, 6]]));
//! // successive selections compose; nothing is read until `read`
//! let col = a.select(s![.., 1..])?.select(s![.., -1])?;
//! assert_eq!(col.shape()?, vec![2]);
//! let v: Vec<i32> = col.read()?;
//! assert_eq!(v, [3, 6]);
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! The types, one room each:
//!
//! - virtual arrays, which hold no data and read each part only for the
//!   elements they need (a part that cannot be read is an error, never
//!   fill values): [`VirtualSource`] (`source`, a dataset in a file),
//!   [`VirtualStack`] (`concat`, lazy arrays concatenated along an axis
//!   they have) and [`VirtualLayout`] (`layout`, lazy arrays placed in
//!   regions of a larger shape). When every part is a region of a dataset
//!   in a file they describe themselves as the mappings of an HDF5 virtual
//!   dataset ([`LazyArray::virtual_maps`]);
//! - views computed from their parts one selection at a time:
//!   [`Scaled`], [`Sum`] and [`Or`] (`elementwise`) and [`Stacked`]
//!   (`stacked`, lazy arrays stacked along a new axis);
//! - [`Sliced`] (`slice`), a selection of a lazy array.
//!
//! Below them: `runs` (arithmetic on index runs), `assemble` (joining and
//! cutting in-memory arrays along runs) and `parts` (the checks views make
//! of their parts).

mod assemble;
mod concat;
mod elementwise;
mod layout;
mod parts;
mod runs;
mod slice;
mod source;
mod stacked;

use std::sync::Arc;

pub use self::concat::VirtualStack;
pub use self::elementwise::{Or, Scaled, Sum};
pub use self::layout::VirtualLayout;
pub use self::slice::Sliced;
pub use self::source::VirtualSource;
pub use self::stacked::Stacked;
use crate::backend::VirtualMap;
use crate::error::{Error, Result, Where};
use crate::selection::{Region, SelectRegion, Selection, SelectionError};
use crate::values::{Array, DType, FromValue, Value};

/// The "dataset-like" interface: a shape, a dtype, and reads (maybe
/// writes) of a resolved [`Region`]. Use it through [`LazyExt`].
pub trait LazyArray: Send + Sync {
    /// The shape (`[]` for a scalar). Known without reading data.
    ///
    /// # Errors
    /// When the underlying file cannot be asked.
    fn shape(&self) -> Result<Vec<usize>>;

    /// The element type.
    ///
    /// # Errors
    /// When the underlying file cannot be asked.
    fn dtype(&self) -> Result<DType>;

    /// What this is, for error messages (a file and path, `stack of 3`,
    /// ...).
    fn describe(&self) -> String;

    /// Read `region` (resolved against [`LazyArray::shape`]) into an array
    /// of shape `region.out_shape()`.
    ///
    /// # Errors
    /// When a source cannot be read.
    fn read_region(&self, region: &Region) -> Result<Array>;

    /// Write `data` (of shape `region.out_shape()` and this array's dtype)
    /// to `region`. The default says the array is not writable.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the array is not writable; write errors of
    /// the source.
    fn write_region(&self, region: &Region, data: &Array) -> Result<()> {
        let _ = (region, data);
        Err(not_writable(self, "it is read-only"))
    }

    /// Where this array's data lives, as the mappings of an HDF5 virtual
    /// dataset of this array's shape, when it is made only of regions of
    /// datasets in files (a virtual source, stack or layout, or a
    /// selection of one); `None` otherwise. Mappings name source files as
    /// given (absolute or relative to the working directory).
    ///
    /// # Errors
    /// When a source cannot be asked.
    fn virtual_maps(&self) -> Option<Result<Vec<VirtualMap>>> {
        None
    }
}

/// The error for a write to something that cannot be written.
pub(crate) fn not_writable<A: LazyArray + ?Sized>(a: &A, why: &str) -> Error {
    lazy_at(&a.describe()).invalid(format!("not writable: {why}"))
}

/// An error about lazy array `a` that is not tied to one file.
pub(crate) fn invalid<A: LazyArray + ?Sized>(a: &A, reason: impl Into<String>) -> Error {
    lazy_at(&a.describe()).invalid(reason)
}

/// Errors about lazy array `a`, which is not tied to one file: the file
/// is `<lazy>`, the path what `a` describes itself as.
pub(crate) fn lazy_at(path: &str) -> Where<'_> {
    Where::new(std::path::Path::new("<lazy>"), "lazy", path)
}

/// A selection error on lazy array `a`: out of bounds names the axis.
pub(crate) fn selection_error<A: LazyArray + ?Sized>(a: &A, e: SelectionError) -> Error {
    lazy_at(&a.describe()).selection(e)
}

/// Reads, writes and views on every [`LazyArray`].
pub trait LazyExt: LazyArray {
    /// The number of dimensions.
    ///
    /// # Errors
    /// As [`LazyArray::shape`].
    fn ndim(&self) -> Result<usize> {
        Ok(self.shape()?.len())
    }

    /// The number of elements.
    ///
    /// # Errors
    /// As [`LazyArray::shape`].
    fn size(&self) -> Result<usize> {
        Ok(self.shape()?.iter().product())
    }

    /// Resolve `sel` against the shape.
    ///
    /// # Errors
    /// [`Error::OutOfBounds`] naming the axis, [`Error::Invalid`].
    fn resolve(&self, sel: &Selection) -> Result<Region> {
        sel.resolve(&self.shape()?)
            .map_err(|e| selection_error(self, e))
    }

    /// Read everything, converted to `T` (an `ndarray`, a `Vec`, a scalar,
    /// an [`Array`] or a [`Value`]).
    ///
    /// # Errors
    /// As [`LazyExt::read_part`].
    fn read<T: FromValue>(&self) -> Result<T> {
        self.read_part(Selection::all())
    }

    /// Read a selection, touching only what it needs.
    ///
    /// # Errors
    /// [`Error::OutOfBounds`] naming the axis; read errors of the sources;
    /// [`Error::Mismatch`] when the data does not convert to `T`;
    /// [`Error::TooLarge`] when the result would take more than
    /// [`default_max_read_bytes`](crate::default_max_read_bytes).
    fn read_part<T: FromValue>(&self, sel: impl Into<Selection>) -> Result<T> {
        let region = self.resolve(&sel.into())?;
        check_size(self, &region)?;
        let a = self.read_region(&region)?;
        T::from_value(Value::Array(a)).map_err(|e| lazy_at(&self.describe()).value(e))
    }

    /// Write a selection: `value` has its shape (or is one value, which
    /// fills it), its values cast to this array's dtype as a write into a
    /// leaf casts them ("Casts on write" in the crate guide).
    ///
    /// # Errors
    /// [`Error::Invalid`] when not writable, [`Error::Mismatch`],
    /// [`Error::Cast`] (a value that does not fit; nothing is written),
    /// [`Error::OutOfBounds`].
    fn write_part(&self, sel: impl Into<Selection>, value: impl Into<Value>) -> Result<()> {
        let region = self.resolve(&sel.into())?;
        let Value::Array(a) = value.into() else {
            return Err(invalid(self, "only arrays can be written"));
        };
        let out = region.out_shape();
        let dtype = self.dtype()?;
        let a = fit(self, a, dtype, &out)?;
        self.write_region(&region, &a)
    }
}

impl<A: LazyArray + ?Sized> LazyExt for A {}

/// Checks that reading `region` of `a` stays within
/// [`default_max_read_bytes`](crate::default_max_read_bytes) (a region of a
/// file is also checked against that file's own limit).
fn check_size<A: LazyArray + ?Sized>(a: &A, region: &Region) -> Result<()> {
    let limit = crate::default_max_read_bytes();
    let bytes = crate::file::read::array_bytes(a.dtype()?, region.out_shape());
    if bytes > limit as u128 {
        return Err(lazy_at(&a.describe()).too_large(bytes, limit));
    }
    Ok(())
}

/// A shared lazy array: what views, stacks and layouts are built from.
/// Cloning shares the array.
#[derive(Clone)]
pub struct Lazy(Arc<dyn LazyArray>);

impl std::fmt::Debug for Lazy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lazy({})", self.0.describe())
    }
}

impl Lazy {
    /// Share `a` as a lazy array.
    pub fn new(a: impl LazyArray + 'static) -> Lazy {
        Lazy(Arc::new(a))
    }

    /// A lazy view of a selection: nothing is read, and selections of the
    /// view compose with this one.
    ///
    /// # Errors
    /// [`Error::OutOfBounds`] naming the axis, [`Error::Invalid`].
    pub fn select(&self, sel: impl Into<Selection>) -> Result<Lazy> {
        Sliced::new(self.clone(), &sel.into()).map(Lazy::new)
    }

    /// The shared array.
    pub fn as_arc(&self) -> &Arc<dyn LazyArray> {
        &self.0
    }
}

impl From<Arc<dyn LazyArray>> for Lazy {
    fn from(a: Arc<dyn LazyArray>) -> Lazy {
        Lazy(a)
    }
}

impl LazyArray for Lazy {
    fn shape(&self) -> Result<Vec<usize>> {
        self.0.shape()
    }
    fn dtype(&self) -> Result<DType> {
        self.0.dtype()
    }
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn read_region(&self, region: &Region) -> Result<Array> {
        self.0.read_region(region)
    }
    fn write_region(&self, region: &Region, data: &Array) -> Result<()> {
        self.0.write_region(region, data)
    }
    fn virtual_maps(&self) -> Option<Result<Vec<VirtualMap>>> {
        self.0.virtual_maps()
    }
}

/// `a` as `dtype` and `shape`: each value cast as on a write into a leaf
/// (checked, see "Casts on write" in the crate guide), a single value
/// filling the shape.
pub(crate) fn fit<A: LazyArray + ?Sized>(
    lazy: &A,
    a: Array,
    dtype: DType,
    shape: &[usize],
) -> Result<Array> {
    a.fit(dtype, shape, true)
        .map_err(|e| lazy_at(&lazy.describe()).misfit(dtype, shape, e))
}

// ------------------------------------------------------------ implementations

impl LazyArray for Array {
    fn shape(&self) -> Result<Vec<usize>> {
        Ok(Array::shape(self).to_vec())
    }
    fn dtype(&self) -> Result<DType> {
        Ok(Array::dtype(self))
    }
    fn describe(&self) -> String {
        format!(
            "array {}",
            crate::values::describe(Array::dtype(self), Array::shape(self))
        )
    }
    fn read_region(&self, region: &Region) -> Result<Array> {
        Ok(self.select_region(region))
    }
}

// ------------------------------------------------------------ shared checks

/// A mismatch about the lazy array described as `what`.
fn mismatch(what: impl Into<String>, expected: impl Into<String>, got: impl Into<String>) -> Error {
    lazy_at(&what.into()).mismatch(expected, got)
}

/// Checks that `region` has one axis per dimension of `a` (`ndim`).
fn check_rank<A: LazyArray + ?Sized>(a: &A, region: &Region, ndim: usize) -> Result<()> {
    if region.axes.len() != ndim {
        return Err(invalid(
            a,
            format!(
                "a region of {} axes for an array of {ndim} dimensions",
                region.axes.len()
            ),
        ));
    }
    Ok(())
}

/// Checks that `data`, to be written to a region of `a` that reads as
/// `out`, has that shape.
fn check_data<A: LazyArray + ?Sized>(a: &A, data: &Array, out: &[usize]) -> Result<()> {
    if data.shape() != out {
        return Err(mismatch(
            a.describe(),
            crate::values::describe(a.dtype()?, out),
            crate::values::describe(data.dtype(), data.shape()),
        ));
    }
    Ok(())
}

/// The position of axis `axis` of `region` among the axes it reads
/// (dropped axes before it do not count).
fn out_axis(region: &Region, axis: usize) -> usize {
    region.axes[..axis].iter().filter(|a| a.keep).count()
}

/// The mappings of `part`, a part of `whole`, checked to have `ndim` dest
/// axes each: `None` when `part` has none ([`LazyArray::virtual_maps`]).
fn part_maps<A: LazyArray + ?Sized>(
    whole: &A,
    part: &Lazy,
    ndim: usize,
) -> Result<Option<Vec<VirtualMap>>> {
    let Some(maps) = part.virtual_maps().transpose()? else {
        return Ok(None);
    };
    if maps.iter().any(|m| m.dest.len() != ndim) {
        return Err(invalid(
            whole,
            format!("{} gave mappings of the wrong rank", part.describe()),
        ));
    }
    Ok(Some(maps))
}

#[cfg(test)]
mod tests;
