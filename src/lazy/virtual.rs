//! Virtual arrays: [`VirtualSource`] (a dataset in a file, read on
//! demand), [`VirtualStack`] (lazy arrays concatenated along an axis) and
//! [`VirtualLayout`] (lazy arrays placed in regions of a larger shape).
//!
//! None of them holds data: a read asks each part only for the elements it
//! needs, and a part that cannot be read is an error, never fill values.
//! When every part is a region of a dataset in a file, they describe
//! themselves as the mappings of an HDF5 virtual dataset
//! ([`LazyArray::virtual_maps`]).

use std::path::{Path, PathBuf};

use ndarray::{ArrayD, SliceInfoElem};

use super::{invalid, Lazy, LazyArray};
use crate::backend::{Run as Slab, VirtualMap};
use crate::error::{Error, Result};
use crate::selection::{Region, Resolved, SelectRegion, Selection};
use crate::values::by_dtype;
use crate::values::{describe, with_array, Array, DType, Element};

// ------------------------------------------------------------ runs

/// An arithmetic run of indices `first, first + step, ...` (`count` of
/// them; `step` may be negative). Wide integers: no product of two indices
/// or strides overflows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Run {
    pub first: i128,
    pub count: i128,
    pub step: i128,
}

impl Run {
    /// The indices of a resolved axis.
    pub fn of(a: &Resolved) -> Run {
        Run {
            first: a.first as i128,
            count: a.count as i128,
            step: a.step as i128,
        }
    }

    /// The indices of a hyperslab axis.
    pub fn of_slab(s: &Slab) -> Run {
        Run {
            first: s.first as i128,
            count: s.count as i128,
            step: s.step as i128,
        }
    }

    /// `[first, first + 1, ..., first + count - 1]`.
    pub fn span(first: usize, count: usize) -> Run {
        Run {
            first: first as i128,
            count: count as i128,
            step: 1,
        }
    }

    /// The lowest index and the (positive) distance between indices in
    /// increasing order.
    fn ascending(&self) -> (i128, i128) {
        if self.count <= 1 {
            (self.first, 1)
        } else if self.step > 0 {
            (self.first, self.step)
        } else {
            (self.first + (self.count - 1) * self.step, -self.step)
        }
    }

    /// As a resolved axis (indices must be non-negative).
    pub fn resolved(&self, keep: bool) -> Resolved {
        let step = if self.count <= 1 {
            1
        } else {
            self.step as isize
        };
        Resolved {
            run: Slab::new(self.first as usize, self.count as usize, step),
            keep,
        }
    }

    /// As a hyperslab axis (`step` must be positive when `count > 1`).
    pub fn slab(&self) -> Slab {
        let stride = if self.count <= 1 {
            1
        } else {
            self.step as usize
        };
        Slab::strided(self.first as usize, self.count as usize, stride)
    }
}

/// `(g, x)` with `g = gcd(a, b)` and `a * x ≡ g (mod b)`, for `a, b > 0`.
fn egcd(a: i128, b: i128) -> (i128, i128) {
    let (mut r0, mut r1) = (a, b);
    let (mut x0, mut x1) = (1i128, 0i128);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (x0, x1) = (x1, x0 - q * x1);
    }
    (r0, x0)
}

/// The indices two runs have in common, as positions in each: `(ka, kb)`
/// where the `t`-th common index is `a`'s `ka.first + t * ka.step`-th and
/// `b`'s `kb.first + t * kb.step`-th element. `ka` runs forwards; `kb`
/// forwards or backwards. `None` when no index is common.
pub(super) fn intersect(a: Run, b: Run) -> Option<(Run, Run)> {
    if a.count <= 0 || b.count <= 0 {
        return None;
    }
    let (alo, ast) = a.ascending();
    let (blo, bst) = b.ascending();
    let lo = alo.max(blo);
    let hi = (alo.saturating_add((a.count - 1).saturating_mul(ast)))
        .min(blo.saturating_add((b.count - 1).saturating_mul(bst)));
    if lo > hi {
        return None;
    }
    // the common indices are x + j * l: x = alo + ast * t ≡ blo (mod bst)
    let (g, inv) = egcd(ast, bst);
    let diff = blo - alo;
    if diff % g != 0 {
        return None;
    }
    let m = bst / g;
    let t = ((diff / g).rem_euclid(m) * inv.rem_euclid(m)).rem_euclid(m);
    // x < alo + l: when it overflows it is past `hi` and lowest of all
    let x = ast.checked_mul(t)?.checked_add(alo)?;
    let l = (ast / g).checked_mul(bst);
    let x0 = match l {
        Some(l) => lo + (x - lo).rem_euclid(l),
        None => x,
    };
    if x0 < lo || x0 > hi {
        return None;
    }
    let n = l.map_or(1, |l| (hi - x0) / l + 1);
    let l = l.unwrap_or(1);
    // position of index x0 in a run, and the position step per common index
    let pos = |r: &Run, rlo: i128, rst: i128| -> Run {
        let j = (x0 - rlo) / rst;
        let (first, step) = if r.step > 0 || r.count <= 1 {
            (j, l / rst)
        } else {
            (r.count - 1 - j, -(l / rst))
        };
        Run {
            first,
            count: n,
            step: if n <= 1 { 1 } else { step },
        }
    };
    let (ka, kb) = (pos(&a, alo, ast), pos(&b, blo, bst));
    if ka.step < 0 {
        // walk the common indices the other way so that `ka` runs forwards
        let rev = |r: Run| Run {
            first: r.first + (n - 1) * r.step,
            count: n,
            step: -r.step,
        };
        Some((rev(ka), rev(kb)))
    } else {
        Some((ka, kb))
    }
}

/// The source hyperslabs of `map` restricted to the dest positions
/// `keep` (one forward run per dest axis, positions within that axis's
/// slab). `None` when the dest and source hyperslabs do not pair their
/// axes one to one (axes of one element aside), so the restriction cannot
/// be expressed.
pub(super) fn restrict_src(map: &VirtualMap, keep: &[Run]) -> Option<Vec<Slab>> {
    let whole = keep
        .iter()
        .zip(&map.dest)
        .all(|(k, d)| k.first == 0 && k.count == d.count as i128);
    if whole {
        return Some(map.src.clone());
    }
    let dest: Vec<usize> = (0..map.dest.len())
        .filter(|&i| map.dest[i].count != 1)
        .collect();
    let src: Vec<usize> = (0..map.src.len())
        .filter(|&i| map.src[i].count != 1)
        .collect();
    if dest.len() != src.len()
        || dest
            .iter()
            .zip(&src)
            .any(|(&d, &s)| map.dest[d].count != map.src[s].count)
    {
        return None;
    }
    let mut out = map.src.clone();
    for (&d, &s) in dest.iter().zip(&src) {
        let k = keep[d];
        let old = Run::of_slab(&map.src[s]);
        out[s] = Run {
            first: old.first + k.first * old.step,
            count: k.count,
            step: old.step * k.step,
        }
        .slab();
    }
    Some(out)
}

// ------------------------------------------------------------ array helpers

/// `parts` (all of `dtype`) joined along `axis`; `None` when they do not
/// fit together.
fn concat(dtype: DType, parts: &[Array], axis: usize) -> Option<Array> {
    fn go<T: Element>(parts: &[Array], axis: usize) -> Option<Array> {
        let views = parts
            .iter()
            .map(|p| T::peek(p).map(|a| a.view()))
            .collect::<Option<Vec<_>>>()?;
        ndarray::concatenate(ndarray::Axis(axis), &views)
            .ok()
            .map(T::wrap)
    }
    by_dtype!(dtype, T => go::<T>(parts, axis))
}

/// Slices of forward runs (one per axis).
fn slice_info(runs: &[Run]) -> Vec<SliceInfoElem> {
    runs.iter()
        .map(|r| {
            let (first, step) = (r.first as isize, r.step as isize);
            SliceInfoElem::Slice {
                start: first,
                end: Some(if r.count == 0 {
                    first
                } else {
                    first + (r.count as isize - 1) * step + 1
                }),
                step: if r.count <= 1 { 1 } else { step },
            }
        })
        .collect()
}

/// Copy `part` into the hyperslab `runs` (forward runs, one per axis) of
/// `out`; false when the dtype or shape does not fit.
fn assign(out: &mut Array, runs: &[Run], part: &Array) -> bool {
    fn go<T: Element>(out: &mut ArrayD<T>, info: &[SliceInfoElem], part: &Array) -> bool {
        let Some(p) = T::peek(part) else {
            return false;
        };
        let mut view = out.slice_mut(info);
        if view.shape() != p.shape() {
            return false;
        }
        view.assign(p);
        true
    }
    let info = slice_info(runs);
    with_array!(out, o => go(o, &info, part))
}

/// The hyperslab `runs` (forward runs, one per axis) of `a`.
fn take(a: &Array, runs: &[Run]) -> Array {
    a.select_region(&Region {
        axes: runs.iter().map(|r| r.resolved(true)).collect(),
    })
}

fn counts(runs: &[Run]) -> Vec<usize> {
    runs.iter().map(|r| r.count as usize).collect()
}

/// An error about a part of a virtual array that does not fit it.
fn mismatch(path: String, expected: String, got: String) -> Error {
    Error::Mismatch {
        file: PathBuf::from("<lazy>"),
        path,
        expected,
        got,
    }
}

/// Checks that `region` has one axis per axis of `shape`.
fn check_rank<A: LazyArray + ?Sized>(a: &A, region: &Region, shape: &[usize]) -> Result<()> {
    if region.axes.len() != shape.len() {
        return Err(invalid(
            a,
            format!(
                "a region of {} axes for an array of {}",
                region.axes.len(),
                shape.len()
            ),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------ VirtualSource

/// A dataset in a file, read on demand: only the file's path and the
/// dataset's path are kept (with its shape and dtype, learned once), and
/// each read opens the file, reads the region asked for and closes it.
///
/// It works with any format [`crate::open`] reads. Select part of it with
/// [`Lazy::select`]; place it in a [`VirtualStack`] or [`VirtualLayout`].
/// It is read-only.
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
        check_rank(self, region, &self.shape)?;
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
        let whole: Vec<Slab> = self.shape.iter().map(|&n| Slab::all(n)).collect();
        Some(Ok(vec![VirtualMap {
            dest: whole.clone(),
            file: self.file.clone(),
            dataset: self.dataset.clone(),
            src: whole,
        }]))
    }
}

// ------------------------------------------------------------ VirtualStack

/// Lazy arrays concatenated along an axis, without copying anything.
///
/// The sources share their dtype and their lengths on every other axis.
/// A read asks each source only for its part of the selection, steps
/// across source boundaries included (forwards or backwards, any step),
/// and joins the parts; a write sends each source its part. The stack's
/// shape is fixed by its sources' shapes as they were when added.
///
/// ```
/// use ndarray::{array, s, Array2};
/// use qnd::lazy::{Lazy, LazyArray, LazyExt, VirtualStack};
/// use qnd::Array;
///
/// let a = Lazy::new(Array::from(array![[0, 1], [2, 3]]));
/// let b = Lazy::new(Array::from(array![[4, 5], [6, 7], [8, 9]]));
/// let mut stack = VirtualStack::new([a], 0)?;
/// stack.push(b)?;
/// assert_eq!(stack.shape()?, vec![5, 2]);
/// // every other row, backwards, across the boundary between a and b
/// let rows: Array2<i32> = stack.read_part(s![..;-2, ..])?;
/// assert_eq!(rows, array![[8, 9], [4, 5], [0, 1]]);
/// // a stack is a lazy array like any other: select, then read
/// let stack = Lazy::new(stack);
/// let col: Vec<i32> = stack.select(s![1..4, 1])?.read()?;
/// assert_eq!(col, [3, 5, 7]);
/// # Ok::<(), qnd::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct VirtualStack {
    sources: Vec<Lazy>,
    /// The axis as given (negative from the end).
    axis: isize,
    /// The axis, once the first source fixes the number of dimensions.
    resolved: Option<usize>,
    dtype: Option<DType>,
    /// The shape of each source when added.
    shapes: Vec<Vec<usize>>,
    /// The stack's shape (the stacked axis summed).
    shape: Vec<usize>,
}

impl VirtualStack {
    /// `sources` concatenated along `axis` (negative counts from the end).
    ///
    /// # Errors
    /// As [`VirtualStack::push`], for each source.
    pub fn new(sources: impl IntoIterator<Item = Lazy>, axis: isize) -> Result<VirtualStack> {
        let mut stack = VirtualStack {
            sources: Vec::new(),
            axis,
            resolved: None,
            dtype: None,
            shapes: Vec::new(),
            shape: Vec::new(),
        };
        stack.extend(sources)?;
        Ok(stack)
    }

    /// Add `source` at the end.
    ///
    /// # Errors
    /// [`Error::Mismatch`] naming the source (its position and what it
    /// is) when its dtype, number of dimensions or length on an axis
    /// other than the stacked one differs from the first source's;
    /// [`Error::Invalid`] when the first source is 0-d or the axis does
    /// not fit it, or the stacked length overflows; errors asking the
    /// source its shape or dtype.
    pub fn push(&mut self, source: Lazy) -> Result<()> {
        let shape = source.shape()?;
        let dtype = source.dtype()?;
        let which = || {
            format!(
                "source {} ({}) of {}",
                self.sources.len(),
                source.describe(),
                self.describe()
            )
        };
        let ax = match (self.resolved, self.dtype) {
            (Some(ax), Some(want)) => {
                if dtype != want {
                    return Err(mismatch(
                        which(),
                        format!("dtype {} (as source 0)", want.code()),
                        format!("dtype {}", dtype.code()),
                    ));
                }
                if shape.len() != self.shape.len() {
                    return Err(mismatch(
                        which(),
                        format!("{} dimensions (as source 0)", self.shape.len()),
                        format!("{} dimensions", shape.len()),
                    ));
                }
                if let Some(i) = (0..shape.len()).find(|&i| i != ax && shape[i] != self.shape[i]) {
                    return Err(mismatch(
                        which(),
                        format!("length {} on axis {i} (as source 0)", self.shape[i]),
                        format!("length {} on axis {i}", shape[i]),
                    ));
                }
                ax
            }
            _ => {
                let ndim = shape.len() as isize;
                let ax = if self.axis < 0 {
                    self.axis + ndim
                } else {
                    self.axis
                };
                if ndim == 0 || !(0..ndim).contains(&ax) {
                    return Err(invalid(
                        self,
                        format!(
                            "axis {} does not fit source 0 ({}), of {} dimensions",
                            self.axis,
                            source.describe(),
                            ndim
                        ),
                    ));
                }
                let ax = ax as usize;
                self.resolved = Some(ax);
                self.dtype = Some(dtype);
                let mut s = shape.clone();
                s[ax] = 0;
                self.shape = s;
                ax
            }
        };
        let len = self.shape[ax]
            .checked_add(shape[ax])
            .ok_or_else(|| invalid(self, "the stacked length overflows"))?;
        self.shape[ax] = len;
        self.shapes.push(shape);
        self.sources.push(source);
        Ok(())
    }

    /// Add `source` at the end (same as [`VirtualStack::push`]).
    ///
    /// # Errors
    /// As [`VirtualStack::push`].
    pub fn append(&mut self, source: Lazy) -> Result<()> {
        self.push(source)
    }

    /// Add `sources` at the end: all of them, or (on an error) none.
    ///
    /// # Errors
    /// As [`VirtualStack::push`], for each source.
    pub fn extend(&mut self, sources: impl IntoIterator<Item = Lazy>) -> Result<()> {
        let mut next = self.clone();
        for s in sources {
            next.push(s)?;
        }
        *self = next;
        Ok(())
    }

    /// The sources, in order.
    pub fn sources(&self) -> &[Lazy] {
        &self.sources
    }

    /// The stacked axis, as given (negative counts from the end).
    pub fn axis(&self) -> isize {
        self.axis
    }

    /// The stacked axis counted from the front, once a source fixed the
    /// number of dimensions.
    pub fn resolved_axis(&self) -> Option<usize> {
        self.resolved
    }

    /// Where each source starts along the stacked axis.
    fn offsets(&self, ax: usize) -> impl Iterator<Item = (usize, &Lazy, usize)> + '_ {
        let mut off = 0;
        self.sources.iter().zip(&self.shapes).map(move |(s, sh)| {
            let start = off;
            off += sh[ax];
            (start, s, sh[ax])
        })
    }

    fn empty_error(&self) -> Error {
        invalid(self, "a virtual stack with no sources has no shape")
    }

    /// The parts of `region`: for each source it touches, the position of
    /// its part along the stacked axis of the region (a forward run), the
    /// source, and the region of the source.
    fn split(&self, region: &Region) -> Result<Vec<(Run, &Lazy, Region)>> {
        let ax = self.resolved.ok_or_else(|| self.empty_error())?;
        check_rank(self, region, &self.shape)?;
        let r = region.axes[ax];
        let run = Run::of(&r);
        let mut parts = Vec::new();
        for (off, source, n) in self.offsets(ax) {
            if let Some((k, m)) = intersect(run, Run::span(off, n)) {
                let mut sub = region.clone();
                sub.axes[ax] = Run {
                    first: m.first,
                    count: m.count,
                    step: m.step,
                }
                .resolved(r.keep);
                parts.push((k, source, sub));
            }
        }
        parts.sort_by_key(|p| p.0.first);
        Ok(parts)
    }
}

impl LazyArray for VirtualStack {
    fn shape(&self) -> Result<Vec<usize>> {
        if self.sources.is_empty() {
            return Err(self.empty_error());
        }
        Ok(self.shape.clone())
    }
    fn dtype(&self) -> Result<DType> {
        self.dtype.ok_or_else(|| self.empty_error())
    }
    fn describe(&self) -> String {
        format!(
            "virtual stack of {} along axis {}",
            self.sources.len(),
            self.axis
        )
    }
    fn read_region(&self, region: &Region) -> Result<Array> {
        let parts = self.split(region)?;
        let (ax, dtype) = (self.resolved.unwrap_or(0), self.dtype()?);
        let out = region.out_shape();
        if region.size() == 0 {
            return Ok(Array::zeros(dtype, &out));
        }
        let arrays = parts
            .into_iter()
            .map(|(_, s, sub)| s.read_region(&sub))
            .collect::<Result<Vec<_>>>()?;
        let joined = if region.axes[ax].keep {
            let out_axis = region.axes[..ax].iter().filter(|a| a.keep).count();
            concat(dtype, &arrays, out_axis)
        } else {
            arrays.into_iter().next()
        };
        match joined {
            Some(a) if a.shape() == out && a.dtype() == dtype => Ok(a),
            Some(a) => Err(mismatch(
                self.describe(),
                describe(dtype, &out),
                format!("{} from its sources", describe(a.dtype(), a.shape())),
            )),
            None => Err(invalid(self, "the sources' parts do not fit together")),
        }
    }
    fn write_region(&self, region: &Region, data: &Array) -> Result<()> {
        let parts = self.split(region)?;
        let ax = self.resolved.unwrap_or(0);
        let out = region.out_shape();
        if data.shape() != out {
            return Err(mismatch(
                self.describe(),
                describe(self.dtype()?, &out),
                describe(data.dtype(), data.shape()),
            ));
        }
        let keep = region.axes[ax].keep;
        let out_axis = region.axes[..ax].iter().filter(|a| a.keep).count();
        for (k, source, sub) in parts {
            let part = if keep {
                let mut runs: Vec<Run> = out.iter().map(|&n| Run::span(0, n)).collect();
                runs[out_axis] = k;
                take(data, &runs)
            } else {
                data.clone()
            };
            source.write_region(&sub, &part)?;
        }
        Ok(())
    }
    fn virtual_maps(&self) -> Option<Result<Vec<VirtualMap>>> {
        let Some(ax) = self.resolved else {
            return Some(Err(self.empty_error()));
        };
        let mut maps = Vec::new();
        for (off, source, _) in self.offsets(ax) {
            let source_maps = match source.virtual_maps()? {
                Ok(m) => m,
                Err(e) => return Some(Err(e)),
            };
            for mut m in source_maps {
                if m.dest.len() != self.shape.len() {
                    return Some(Err(invalid(
                        self,
                        format!("{} gave mappings of the wrong rank", source.describe()),
                    )));
                }
                m.dest[ax].first += off;
                maps.push(m);
            }
        }
        Some(Ok(maps))
    }
}

// ------------------------------------------------------------ VirtualLayout

/// Lazy arrays placed in regions of a larger array of a given shape and
/// dtype. A read takes each placed array's part of the selection (later
/// placements win where placements overlap) and zeros where nothing is
/// placed; a write sends each placed array its part, and is refused (with
/// nothing written) where the selection reaches an unplaced element.
///
/// ```
/// use ndarray::{array, s, Array2};
/// use qnd::lazy::{Lazy, LazyExt, VirtualLayout};
/// use qnd::{Array, DType};
///
/// let mut layout = VirtualLayout::new(&[2, 5], DType::I32);
/// layout.place(s![.., 0..2], Lazy::new(Array::from(array![[1, 2], [3, 4]])))?;
/// layout.place(s![1, 3..], Lazy::new(Array::from(array![8, 9])))?;
/// let all: Array2<i32> = layout.read()?;
/// assert_eq!(all, array![[1, 2, 0, 0, 0], [3, 4, 0, 8, 9]]);
/// # Ok::<(), qnd::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct VirtualLayout {
    shape: Vec<usize>,
    dtype: DType,
    placements: Vec<(Region, Lazy)>,
}

/// One placement's part of a region of a layout.
struct Piece<'a> {
    source: &'a Lazy,
    /// The region of the source.
    src: Region,
    /// Where its elements go in the region's output (forward runs, one per
    /// kept axis of the region).
    out: Vec<Run>,
}

impl VirtualLayout {
    /// An empty layout (it reads as zeros) of `shape` and `dtype`.
    pub fn new(shape: &[usize], dtype: DType) -> VirtualLayout {
        VirtualLayout {
            shape: shape.to_vec(),
            dtype,
            placements: Vec::new(),
        }
    }

    /// Place `source` at the selection `dest` of the layout: the source's
    /// shape is the selection's shape (an integer index drops the axis, as
    /// in a read).
    ///
    /// # Errors
    /// [`Error::OutOfBounds`] naming the axis when `dest` does not fit the
    /// layout; as [`VirtualLayout::place_region`].
    pub fn place(&mut self, dest: impl Into<Selection>, source: Lazy) -> Result<()> {
        let region = dest
            .into()
            .resolve(&self.shape)
            .map_err(|e| super::selection_error(self, e))?;
        self.place_region(region, source)
    }

    /// Place `source` at `dest`, a region resolved against the layout's
    /// shape.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `dest` does not lie inside the layout;
    /// [`Error::Mismatch`] naming the source when its dtype is not the
    /// layout's or its shape is not `dest.out_shape()`; errors asking the
    /// source its shape or dtype.
    pub fn place_region(&mut self, dest: Region, source: Lazy) -> Result<()> {
        check_rank(self, &dest, &self.shape)?;
        for (i, (a, &n)) in dest.axes.iter().zip(&self.shape).enumerate() {
            let r = Run::of(a);
            let (lo, st) = r.ascending();
            let inside = a.count == 0 || (lo >= 0 && lo + (r.count - 1) * st < n as i128);
            if !inside || (!a.keep && a.count != 1) {
                return Err(invalid(
                    self,
                    format!("placement region {a:?} does not fit axis {i} of length {n}"),
                ));
            }
        }
        let which = || {
            format!(
                "source {} ({}) of {}",
                self.placements.len(),
                source.describe(),
                self.describe()
            )
        };
        let dtype = source.dtype()?;
        if dtype != self.dtype {
            return Err(mismatch(
                which(),
                format!("dtype {}", self.dtype.code()),
                format!("dtype {}", dtype.code()),
            ));
        }
        let shape = source.shape()?;
        if shape != dest.out_shape() {
            return Err(mismatch(
                which(),
                format!("shape {:?} (the placement's)", dest.out_shape()),
                format!("shape {shape:?}"),
            ));
        }
        self.placements.push((dest, source));
        Ok(())
    }

    /// The placements, in order: each region of the layout and what is
    /// placed there.
    pub fn placements(&self) -> impl Iterator<Item = (&Region, &Lazy)> {
        self.placements.iter().map(|(r, s)| (r, s))
    }

    /// Each placement's part of `region`, in placement order.
    fn pieces(&self, region: &Region) -> Result<Vec<Piece<'_>>> {
        check_rank(self, region, &self.shape)?;
        let mut pieces = Vec::new();
        'placements: for (dest, source) in &self.placements {
            let mut src = Vec::new();
            let mut out = Vec::new();
            for (r, d) in region.axes.iter().zip(&dest.axes) {
                // positions k in the region's run and m in the placement's
                let Some((k, m)) = intersect(Run::of(r), Run::of(d)) else {
                    continue 'placements;
                };
                if d.keep {
                    src.push(m.resolved(r.keep));
                }
                if r.keep {
                    out.push(k);
                }
            }
            pieces.push(Piece {
                source,
                src: Region { axes: src },
                out,
            });
        }
        Ok(pieces)
    }

    /// True when two placements share an element.
    fn overlapping(&self) -> bool {
        let p = &self.placements;
        (0..p.len()).any(|i| {
            (0..i).any(|j| {
                p[i].0
                    .axes
                    .iter()
                    .zip(&p[j].0.axes)
                    .all(|(a, b)| intersect(Run::of(a), Run::of(b)).is_some())
            })
        })
    }
}

impl LazyArray for VirtualLayout {
    fn shape(&self) -> Result<Vec<usize>> {
        Ok(self.shape.clone())
    }
    fn dtype(&self) -> Result<DType> {
        Ok(self.dtype)
    }
    fn describe(&self) -> String {
        format!(
            "virtual layout {} of {} placements",
            describe(self.dtype, &self.shape),
            self.placements.len()
        )
    }
    fn read_region(&self, region: &Region) -> Result<Array> {
        let out_shape = region.out_shape();
        let mut out = Array::zeros(self.dtype, &out_shape);
        if region.size() == 0 {
            return Ok(out);
        }
        for p in self.pieces(region)? {
            let part = p.source.read_region(&p.src)?;
            let got = describe(part.dtype(), part.shape());
            let fits = part
                .into_shape(&counts(&p.out))
                .is_ok_and(|part| assign(&mut out, &p.out, &part));
            if !fits {
                return Err(mismatch(
                    p.source.describe(),
                    describe(self.dtype, &p.src.out_shape()),
                    got,
                ));
            }
        }
        Ok(out)
    }
    fn write_region(&self, region: &Region, data: &Array) -> Result<()> {
        let out_shape = region.out_shape();
        if data.shape() != out_shape {
            return Err(mismatch(
                self.describe(),
                describe(self.dtype, &out_shape),
                describe(data.dtype(), data.shape()),
            ));
        }
        let pieces = self.pieces(region)?;
        let mut covered = Array::Bool(ArrayD::from_elem(ndarray::IxDyn(&out_shape), false));
        let all = Array::Bool(ArrayD::from_elem(ndarray::IxDyn(&[]), true));
        for p in &pieces {
            let ones = all.broadcast_first(&counts(&p.out));
            assign(&mut covered, &p.out, &ones);
        }
        if let Array::Bool(c) = &covered {
            if c.iter().any(|&b| !b) {
                return Err(invalid(
                    self,
                    "not writable where no source is placed (nothing was written)",
                ));
            }
        }
        for p in pieces {
            let part = take(data, &p.out)
                .into_shape(&p.src.out_shape())
                .map_err(|_| invalid(self, "a placement's part does not fit its source"))?;
            p.source.write_region(&p.src, &part)?;
        }
        Ok(())
    }
    fn virtual_maps(&self) -> Option<Result<Vec<VirtualMap>>> {
        if self.overlapping() {
            return None;
        }
        let mut maps = Vec::new();
        for (dest, source) in &self.placements {
            if dest.has_reversal() {
                return None;
            }
            let source_maps = match source.virtual_maps()? {
                Ok(m) => m,
                Err(e) => return Some(Err(e)),
            };
            for m in source_maps {
                let mut inner = m.dest.iter();
                let mut slabs = Vec::with_capacity(dest.axes.len());
                for d in &dest.axes {
                    if !d.keep {
                        slabs.push(Slab::one(d.first));
                        continue;
                    }
                    let Some(s) = inner.next() else {
                        return Some(Err(invalid(
                            self,
                            format!("{} gave mappings of the wrong rank", source.describe()),
                        )));
                    };
                    let (d0, ds) = (d.first as i128, d.step as i128);
                    slabs.push(
                        Run {
                            first: d0 + s.first as i128 * ds,
                            count: s.count as i128,
                            step: s.step as i128 * ds,
                        }
                        .slab(),
                    );
                }
                if inner.next().is_some() {
                    return Some(Err(invalid(
                        self,
                        format!("{} gave mappings of the wrong rank", source.describe()),
                    )));
                }
                maps.push(VirtualMap {
                    dest: slabs,
                    file: m.file,
                    dataset: m.dataset,
                    src: m.src,
                });
            }
        }
        Some(Ok(maps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indices(r: Run) -> Vec<i128> {
        (0..r.count).map(|k| r.first + k * r.step).collect()
    }

    /// The common indices, by brute force, as positions in both runs.
    fn brute(a: Run, b: Run) -> Vec<(i128, i128)> {
        let (ia, ib) = (indices(a), indices(b));
        let mut out = Vec::new();
        for (k, x) in ia.iter().enumerate() {
            if let Some(m) = ib.iter().position(|y| y == x) {
                out.push((k as i128, m as i128));
            }
        }
        out
    }

    #[test]
    fn intersections_match_brute_force() {
        let mut runs = Vec::new();
        for first in 0..9 {
            for count in 0..5 {
                for step in [-4i128, -3, -2, -1, 1, 2, 3, 5] {
                    let last = first + (count - 1).max(0) * step;
                    if last >= 0 {
                        runs.push(Run { first, count, step });
                    }
                }
            }
        }
        for &a in &runs {
            for &b in &runs {
                let want = brute(a, b);
                let got = intersect(a, b).map_or_else(Vec::new, |(ka, kb)| {
                    assert!(ka.step > 0, "{a:?} {b:?}");
                    indices(ka).into_iter().zip(indices(kb)).collect()
                });
                assert_eq!(got, want, "{a:?} ∩ {b:?}");
            }
        }
    }

    #[test]
    fn huge_steps_do_not_overflow() {
        let m = isize::MAX as i128;
        let a = Run {
            first: 0,
            count: 2,
            step: m,
        };
        let b = Run {
            first: m,
            count: 2,
            step: -m,
        };
        let (ka, kb) = intersect(a, b).unwrap();
        assert_eq!((indices(ka), indices(kb)), (vec![0, 1], vec![1, 0]));
        let c = Run {
            first: 1,
            count: 2,
            step: m - 2,
        };
        assert_eq!(intersect(a, c), None);
    }
}
