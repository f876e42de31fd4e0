//! Comparing two trees: [`diff()`], [`Differ`], [`Diff`].
//!
//! `qnd::diff(&a, &b, &Tolerance::EXACT)` walks two trees (two files of
//! any formats, or two groups of one file) side by side and reports every
//! difference by item path: an item missing on one side, a different kind
//! (group, list, leaf, record variable, None), dtype, shape, number of
//! records or list elements, attributes, and values (how many elements
//! differ, the first that does as an n-d index, the two values there, the
//! largest absolute and relative difference). It is what a round-trip test
//! asserts on, and what `qnd diff A B` prints.
//!
//! ```
//! use ndarray::array;
//! use qnd::{Change, Tolerance};
//!
//! let a = qnd::memory();
//! a.set("x", array![[1.0, 2.0], [3.0, 4.0]])?;
//! a.set("n", 3i64)?;
//! let b = qnd::memory();
//! b.set("x", array![[1.0, 2.0], [3.0, 4.5]])?;
//! b.set("n", 3i64)?;
//! b.attrs("n")?.set("units", "cm")?;
//!
//! let d = qnd::diff(&a, &b, &Tolerance::EXACT)?;
//! assert_eq!(d.len(), 2);
//! assert_eq!(
//!     d.to_string(),
//!     "/x: values differ at [1, 1]: 4 vs 4.5 (1 of 4 elements; max abs 0.5, max rel 0.1111111111111111)\n\
//!      /n: attribute units only in B\n"
//! );
//! let Change::Values(v) = &d.differences()[0].change else { panic!() };
//! assert_eq!((v.count, v.first.as_slice(), v.max_abs), (1, &[1, 1][..], Some(0.5)));
//!
//! // Within a tolerance (numpy.isclose: |a - b| <= atol + rtol * |b|):
//! let d = qnd::diff(&a, &b, &Tolerance::new(0.2, 0.0))?;
//! assert_eq!(d.len(), 1);                        // the attribute still differs
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! # What is compared, and how
//!
//! - Both trees are read with goto off (record variables whole) and
//!   nothing is read whole: leaves and record variables are compared by
//!   blocks of a few MiB along their leading axes ([`Differ::block_bytes`]),
//!   each block compared in one typed loop.
//! - Numbers: equal when `|a - b| <= atol + rtol * |b|` ([`Tolerance`],
//!   numpy's `isclose`; exact by default). NaN equals NaN; infinities are
//!   equal only to themselves; `-0.0` equals `0.0`. Bool and text are
//!   compared exactly, whatever the tolerance.
//! - Two numeric leaves of different dtypes (an `i4` leaf and an `f8`
//!   leaf) are reported as a dtype difference *and* their values are
//!   compared (as `f64`, as numpy's `allclose` compares values, not
//!   types), so `[1, 2]` against `[1.0, 2.5]` gives two differences. A
//!   number against bool or text is a dtype difference only.
//! - Shapes must agree for values to be compared. Record variables compare
//!   their record shapes, then their record counts, then the records both
//!   hold (record index first in the index of the first difference); lists
//!   compare their lengths, then the elements both hold.
//! - Attributes: every stored attribute of groups, lists, leaves and
//!   record variables, by name (missing on one side, or a different
//!   dtype, shape or value; numbers within the tolerance). qnd's own
//!   reserved attributes (names beginning `__`) are never reported.
//! - Links are followed: a soft, external or hard link is compared as what
//!   it reaches, so a tree and its copy into a format without links are
//!   equal. A dangling link is compared by its target; a group that holds
//!   itself (a cycle through a hard link) is compared by the path it loops
//!   to, and not walked again.

mod values;
mod walk;

pub(crate) use values::complex_text;

use std::fmt;

use crate::error::{Error, Result};
use crate::tree::QGroup;
use crate::values::{Array, DType};

/// How close two numbers must be to count as equal, as numpy's
/// `isclose(a, b, rtol, atol, equal_nan=True)`: `|a - b| <= atol + rtol *
/// |b|` (`b` from the second tree). The default is [`Tolerance::EXACT`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    /// Relative tolerance (a fraction of `|b|`).
    pub rtol: f64,
    /// Absolute tolerance.
    pub atol: f64,
}

impl Tolerance {
    /// Exact equality (`rtol = atol = 0`; NaN still equals NaN).
    pub const EXACT: Tolerance = Tolerance {
        rtol: 0.0,
        atol: 0.0,
    };

    /// A tolerance of `rtol` relative and `atol` absolute.
    pub fn new(rtol: f64, atol: f64) -> Tolerance {
        Tolerance { rtol, atol }
    }

    /// True when only exact equality passes.
    pub fn is_exact(&self) -> bool {
        self.rtol == 0.0 && self.atol == 0.0
    }

    /// True when `a` and `b` are equal within this tolerance (NaN equals
    /// NaN; an infinity equals only itself).
    pub fn close(&self, a: f64, b: f64) -> bool {
        if a == b || (a.is_nan() && b.is_nan()) {
            return true;
        }
        a.is_finite() && b.is_finite() && (a - b).abs() <= self.atol + self.rtol * b.abs()
    }

    fn check(&self) -> std::result::Result<(), String> {
        for (name, x) in [("rtol", self.rtol), ("atol", self.atol)] {
            if !(x >= 0.0 && x.is_finite()) {
                return Err(format!("tolerance {name} = {x}: must be finite and >= 0"));
            }
        }
        Ok(())
    }
}

impl Default for Tolerance {
    fn default() -> Tolerance {
        Tolerance::EXACT
    }
}

/// One of the two trees compared: `A` the first, `B` the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The first tree.
    A,
    /// The second tree.
    B,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::A => "A",
            Side::B => "B",
        })
    }
}

/// What an item is, as far as comparing goes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ItemKind {
    /// A group.
    Group,
    /// A list.
    List,
    /// A record variable (recording mode 1).
    Records,
    /// A leaf.
    Leaf,
    /// None.
    None,
    /// A soft or external link whose target is missing: where it points
    /// (`/x`, `other.h5:/x`).
    Dangling(String),
    /// A group already on the path to it (a hard link to one of the
    /// groups holding it): the path of that group.
    Cycle(String),
    /// An item qnd has no kind for ([`Kind::Other`](crate::Kind::Other)):
    /// its type, as [`QGroup::other_type`](crate::QGroup::other_type) says.
    /// Two such items are equal when their types are (their data is never
    /// read); their attributes are compared.
    Other(String),
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ItemKind::Group => f.write_str("group"),
            ItemKind::List => f.write_str("list"),
            ItemKind::Records => f.write_str("record variable"),
            ItemKind::Leaf => f.write_str("leaf"),
            ItemKind::None => f.write_str("none"),
            ItemKind::Dangling(to) => write!(f, "dangling link -> {to}"),
            ItemKind::Cycle(to) => write!(f, "hard link to {to}"),
            ItemKind::Other(what) => write!(f, "other ({what})"),
        }
    }
}

/// How the values of two leaves (or record variables) of one shape
/// differ.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueDiff {
    /// How many elements differ (beyond the tolerance).
    pub count: u64,
    /// How many elements were compared (for record variables, those of
    /// the records both hold).
    pub total: u64,
    /// The n-d index of the first element that differs, in C order
    /// (record variables: the record first).
    pub first: Vec<usize>,
    /// The value in A at [`ValueDiff::first`] (a 0-d array of A's dtype).
    pub a: Array,
    /// The value in B there.
    pub b: Array,
    /// The largest `|a - b|` among the elements that differ (numbers only;
    /// `None` for bool and text, or when every difference involves NaN).
    pub max_abs: Option<f64>,
    /// The largest `|a - b| / |b|` among them (infinite where `b` is 0).
    pub max_rel: Option<f64>,
}

/// What differs about one item.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Change {
    /// The item is in one tree only: the one named.
    Missing(Side),
    /// Different kinds of item; nothing more is compared.
    Kind {
        /// In A.
        a: ItemKind,
        /// In B.
        b: ItemKind,
    },
    /// Different element types (values are still compared when both are
    /// numbers).
    DType {
        /// In A.
        a: DType,
        /// In B.
        b: DType,
    },
    /// Different shapes (record variables: of one record); values are not
    /// compared.
    Shape {
        /// In A.
        a: Vec<usize>,
        /// In B.
        b: Vec<usize>,
    },
    /// Record variables with different numbers of records (the records
    /// both hold are still compared).
    Records {
        /// In A.
        a: usize,
        /// In B.
        b: usize,
    },
    /// Lists of different lengths (the elements both hold are still
    /// compared).
    Length {
        /// In A.
        a: usize,
        /// In B.
        b: usize,
    },
    /// An attribute missing on one side (`None`) or different.
    Attr {
        /// The attribute's name.
        name: String,
        /// In A.
        a: Option<Array>,
        /// In B.
        b: Option<Array>,
    },
    /// Values that differ.
    Values(ValueDiff),
}

/// One difference: the item (`/g/x`, `/l[2]`) and what differs.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// The item path, from the root of the trees compared (`/` for the
    /// root itself).
    pub path: String,
    /// What differs.
    pub change: Change,
}

/// Every difference between two trees, in the order the walk met them
/// (A's members in order, then those only in B). Displayed one line per
/// difference.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diff {
    differences: Vec<Difference>,
}

impl Diff {
    /// True when the trees are equal (within the tolerance).
    pub fn is_empty(&self) -> bool {
        self.differences.is_empty()
    }

    /// The number of differences.
    pub fn len(&self) -> usize {
        self.differences.len()
    }

    /// The differences.
    pub fn differences(&self) -> &[Difference] {
        &self.differences
    }

    /// The differences, one by one.
    pub fn iter(&self) -> std::slice::Iter<'_, Difference> {
        self.differences.iter()
    }

    /// The differences at item `path`.
    pub fn at<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a Change> + 'a {
        self.differences
            .iter()
            .filter(move |d| d.path == path)
            .map(|d| &d.change)
    }
}

impl IntoIterator for Diff {
    type Item = Difference;
    type IntoIter = std::vec::IntoIter<Difference>;
    fn into_iter(self) -> Self::IntoIter {
        self.differences.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diff {
    type Item = &'a Difference;
    type IntoIter = std::slice::Iter<'a, Difference>;
    fn into_iter(self) -> Self::IntoIter {
        self.differences.iter()
    }
}

impl fmt::Display for Diff {
    /// One line per difference, each ending in a newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.differences {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.change)
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Missing(side) => write!(f, "only in {side}"),
            Change::Kind { a, b } => write!(f, "kind differs: {a} vs {b}"),
            Change::DType { a, b } => write!(f, "dtype differs: {a} vs {b}"),
            Change::Shape { a, b } => write!(f, "shape differs: {a:?} vs {b:?}"),
            Change::Records { a, b } => write!(f, "record count differs: {a} vs {b}"),
            Change::Length { a, b } => write!(f, "list length differs: {a} vs {b}"),
            Change::Attr { name, a, b } => match (a, b) {
                (Some(_), None) => write!(f, "attribute {name} only in A"),
                (None, Some(_)) => write!(f, "attribute {name} only in B"),
                (Some(a), Some(b)) => {
                    let typed = a.dtype() != b.dtype() || a.shape() != b.shape();
                    write!(f, "attribute {name} differs: ")?;
                    values::show_attr(f, a, typed)?;
                    f.write_str(" vs ")?;
                    values::show_attr(f, b, typed)
                }
                (None, None) => write!(f, "attribute {name}"),
            },
            Change::Values(v) => {
                write!(f, "values differ at {:?}: ", v.first)?;
                values::show_elem(f, &v.a)?;
                f.write_str(" vs ")?;
                values::show_elem(f, &v.b)?;
                write!(f, " ({} of {} elements", v.count, v.total)?;
                let float = |x: f64| values::float(x, x);
                match (v.max_abs, v.max_rel) {
                    (Some(abs), Some(rel)) => {
                        write!(f, "; max abs {}, max rel {})", float(abs), float(rel))
                    }
                    (Some(abs), None) => write!(f, "; max abs {})", float(abs)),
                    _ => f.write_str(")"),
                }
            }
        }
    }
}

/// The default size of the blocks leaves are read in, per side: 4 MiB.
pub const BLOCK_BYTES: usize = 4 << 20;

type Progress<'p> = Box<dyn FnMut(u64, u64) + 'p>;

/// Compares two trees, with options: a tolerance, the block size, a
/// progress callback. [`diff()`] is `Differ::new().tolerance(*tol).diff(a, b)`.
///
/// ```
/// let a = qnd::memory();
/// a.set("u", vec![1.0, 2.0, 3.0])?;
/// let b = qnd::memory();
/// b.set("u", vec![1.0, 2.0, 3.001])?;
/// let mut seen = 0;
/// let d = qnd::Differ::new()
///     .rtol(1e-3)
///     .on_progress(|done, _total| seen = done)
///     .diff(&a, &b)?;
/// assert!(d.is_empty());
/// assert_eq!(seen, 24);   // the bytes of A's leaves compared so far
/// # Ok::<(), qnd::Error>(())
/// ```
pub struct Differ<'p> {
    tol: Tolerance,
    block_bytes: usize,
    first_only: bool,
    progress: Option<Progress<'p>>,
}

impl Default for Differ<'_> {
    fn default() -> Self {
        Differ::new()
    }
}

impl fmt::Debug for Differ<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Differ")
            .field("tol", &self.tol)
            .field("block_bytes", &self.block_bytes)
            .field("first_only", &self.first_only)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl<'p> Differ<'p> {
    /// Exact comparison, blocks of [`BLOCK_BYTES`], no progress.
    pub fn new() -> Differ<'p> {
        Differ {
            tol: Tolerance::EXACT,
            block_bytes: BLOCK_BYTES,
            first_only: false,
            progress: None,
        }
    }

    /// The relative tolerance ([`Tolerance::rtol`]).
    #[must_use]
    pub fn rtol(mut self, rtol: f64) -> Self {
        self.tol.rtol = rtol;
        self
    }

    /// The absolute tolerance ([`Tolerance::atol`]).
    #[must_use]
    pub fn atol(mut self, atol: f64) -> Self {
        self.tol.atol = atol;
        self
    }

    /// Both tolerances.
    #[must_use]
    pub fn tolerance(mut self, tol: Tolerance) -> Self {
        self.tol = tol;
        self
    }

    /// Read leaves in blocks of about `bytes` bytes per side (at least one
    /// element; [`BLOCK_BYTES`] by default). Memory use is about twice
    /// this, whatever the size of the files.
    #[must_use]
    pub fn block_bytes(mut self, bytes: usize) -> Self {
        self.block_bytes = bytes.max(1);
        self
    }

    /// Stop at the first item found different (`cmp -s`, `qnd diff -q`):
    /// the [`Diff`] then holds that item's differences only, and a values
    /// difference counts the elements of the blocks read so far.
    #[must_use]
    pub fn first_only(mut self, yes: bool) -> Self {
        self.first_only = yes;
        self
    }

    /// Call `f(done, total)` after each block: `done` bytes of A's leaves
    /// compared so far, out of about `total` (A's leaves and record
    /// variables, counted before the walk; text counts its bytes as 16 per
    /// element).
    #[must_use]
    pub fn on_progress(mut self, f: impl FnMut(u64, u64) + 'p) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// Compare the trees under groups `a` and `b` (each with its
    /// attributes). The modes of `a` and `b` are left as they were.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a negative or non-finite tolerance; read
    /// errors of either file (each names its file and item).
    pub fn diff(&mut self, a: &QGroup, b: &QGroup) -> Result<Diff> {
        self.check(a)?;
        walk::Walk::new(self, a, b)?.run()
    }

    /// Compare item `path` (a path from each tree's root, as
    /// [`QGroup::get`] takes it: `/g/x`, `l[2]`, `/` for the root) of the
    /// two trees, and everything under it. An item in one tree only is a
    /// difference ([`Change::Missing`]).
    ///
    /// # Errors
    /// [`Error::NoItem`] when neither tree has `path`; as [`Differ::diff`].
    pub fn diff_path(&mut self, a: &QGroup, b: &QGroup, path: &str) -> Result<Diff> {
        self.check(a)?;
        walk::Walk::new(self, a, b)?.run_path(path)
    }

    fn check(&self, a: &QGroup) -> Result<()> {
        self.tol.check().map_err(|reason| Error::Invalid {
            file: a.file_path(),
            path: a.path().to_string(),
            reason,
        })
    }
}

/// Compare the trees under `a` and `b` within `tol`: see the
/// [module](mod@crate::diff) for what is compared.
///
/// ```
/// let a = qnd::memory();
/// a.set("t", vec![0.0, f64::NAN])?;
/// let b = qnd::memory();
/// b.set("t", vec![0.0, f64::NAN])?;
/// assert!(qnd::diff(&a, &b, &qnd::Tolerance::EXACT)?.is_empty());  // NaN == NaN
/// # Ok::<(), qnd::Error>(())
/// ```
///
/// # Errors
/// As [`Differ::diff`].
pub fn diff(a: &QGroup, b: &QGroup, tol: &Tolerance) -> Result<Diff> {
    Differ::new().tolerance(*tol).diff(a, b)
}

/// Compare item `path` of both trees within `tol`, as
/// [`Differ::diff_path`].
///
/// # Errors
/// As [`Differ::diff_path`].
pub fn diff_path(a: &QGroup, b: &QGroup, path: &str, tol: &Tolerance) -> Result<Diff> {
    Differ::new().tolerance(*tol).diff_path(a, b, path)
}
