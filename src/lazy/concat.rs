//! [`VirtualStack`]: lazy arrays concatenated along an axis they have
//! (numpy's `concatenate`; [`Stacked`](super::Stacked) stacks along a new
//! axis).

use super::assemble::{along, concat};
use super::parts::name_source;
use super::runs::intersect;
use super::{check_data, check_rank, invalid, mismatch, out_axis, part_maps, Lazy, LazyArray};
use crate::backend::{Run, VirtualMap};
use crate::error::{Error, Result};
use crate::selection::{Region, Resolved};
use crate::values::{describe, Array, DType};

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
        let which = || name_source(self, self.sources.len(), &source);
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

    /// The sources' mappings, each moved to where its source starts
    /// (see [`LazyArray::virtual_maps`]).
    fn maps(&self) -> Result<Option<Vec<VirtualMap>>> {
        let ax = self.resolved.ok_or_else(|| self.empty_error())?;
        let mut maps = Vec::new();
        for (off, source, _) in self.offsets(ax) {
            let Some(source_maps) = part_maps(self, source, self.shape.len())? else {
                return Ok(None);
            };
            for mut m in source_maps {
                m.dest[ax].first += off;
                maps.push(m);
            }
        }
        Ok(Some(maps))
    }

    fn empty_error(&self) -> Error {
        invalid(self, "a virtual stack with no sources has no shape")
    }

    /// The parts of `region`: for each source it touches, the position of
    /// its part along the stacked axis of the region (a forward run), the
    /// source, and the region of the source.
    fn split(&self, region: &Region) -> Result<Vec<(Run, &Lazy, Region)>> {
        let ax = self.resolved.ok_or_else(|| self.empty_error())?;
        check_rank(self, region, self.shape.len())?;
        let r = region.axes[ax];
        let mut parts = Vec::new();
        for (off, source, n) in self.offsets(ax) {
            // positions k in the region's run and m in the source's axis
            if let Some((k, m)) = intersect(r.run, Run::span(off, n)) {
                let mut sub = region.clone();
                sub.axes[ax] = Resolved {
                    run: m,
                    keep: r.keep,
                };
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
            concat(dtype, &arrays, out_axis(region, ax))
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
        check_data(self, data, &region.out_shape())?;
        let keep = region.axes[ax].keep;
        for (k, source, sub) in parts {
            let part = if keep {
                along(data, out_axis(region, ax), Resolved::kept(k))
            } else {
                data.clone()
            };
            source.write_region(&sub, &part)?;
        }
        Ok(())
    }
    fn virtual_maps(&self) -> Option<Result<Vec<VirtualMap>>> {
        self.maps().transpose()
    }
}
