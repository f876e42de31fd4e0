//! [`VirtualLayout`]: lazy arrays placed in regions of a larger array.

use ndarray::ArrayD;

use super::assemble::{assign, counts, take};
use super::parts::name_source;
use super::runs::{bounds, compose, intersect};
use super::{
    check_data, check_rank, invalid, mismatch, part_maps, selection_error, Lazy, LazyArray,
};
use crate::backend::{Run, VirtualMap};
use crate::error::Result;
use crate::selection::{Region, Resolved, Selection};
use crate::values::{describe, Array, DType};

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
    /// [`Error::OutOfBounds`](crate::Error::OutOfBounds) naming the axis when `dest` does not fit the
    /// layout; as [`VirtualLayout::place_region`].
    pub fn place(&mut self, dest: impl Into<Selection>, source: Lazy) -> Result<()> {
        let region = dest
            .into()
            .resolve(&self.shape)
            .map_err(|e| selection_error(self, e))?;
        self.place_region(region, source)
    }

    /// Place `source` at `dest`, a region resolved against the layout's
    /// shape.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) when `dest` does not lie inside the layout;
    /// [`Error::Mismatch`](crate::Error::Mismatch) naming the source when its dtype is not the
    /// layout's or its shape is not `dest.out_shape()`; errors asking the
    /// source its shape or dtype.
    pub fn place_region(&mut self, dest: Region, source: Lazy) -> Result<()> {
        check_rank(self, &dest, self.shape.len())?;
        for (i, (a, &n)) in dest.axes.iter().zip(&self.shape).enumerate() {
            let inside = a.count == 0 || {
                let (lo, _, hi) = bounds(a);
                lo >= 0 && hi < n as i128
            };
            if !inside || (!a.keep && a.count != 1) {
                return Err(invalid(
                    self,
                    format!("placement region {a:?} does not fit axis {i} of length {n}"),
                ));
            }
        }
        let which = || name_source(self, self.placements.len(), &source);
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
        check_rank(self, region, self.shape.len())?;
        let mut pieces = Vec::new();
        'placements: for (dest, source) in &self.placements {
            let mut src = Vec::new();
            let mut out = Vec::new();
            for (r, d) in region.axes.iter().zip(&dest.axes) {
                // positions k in the region's run and m in the placement's
                let Some((k, m)) = intersect(r.run, d.run) else {
                    continue 'placements;
                };
                if d.keep {
                    src.push(Resolved {
                        run: m,
                        keep: r.keep,
                    });
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

    /// The placed arrays' mappings, each moved to its placement (see
    /// [`LazyArray::virtual_maps`]): none when placements overlap or run
    /// backwards.
    fn maps(&self) -> Result<Option<Vec<VirtualMap>>> {
        if self.overlapping() {
            return Ok(None);
        }
        let mut maps = Vec::new();
        for (dest, source) in &self.placements {
            if dest.has_reversal() {
                return Ok(None);
            }
            let Some(source_maps) = part_maps(self, source, dest.out_shape().len())? else {
                return Ok(None);
            };
            for m in source_maps {
                // the source's kept axes are the placement's kept axes
                let mut inner = m.dest.iter();
                let mut slabs = Vec::with_capacity(dest.axes.len());
                for d in &dest.axes {
                    let slab = if d.keep {
                        inner.next().and_then(|s| compose(d, s))
                    } else {
                        Some(Run::one(d.first))
                    };
                    let Some(slab) = slab else {
                        return Ok(None);
                    };
                    slabs.push(slab);
                }
                maps.push(VirtualMap {
                    dest: slabs,
                    file: m.file,
                    dataset: m.dataset,
                    src: m.src,
                });
            }
        }
        Ok(Some(maps))
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
                    .all(|(a, b)| intersect(a.run, b.run).is_some())
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
        check_data(self, data, &out_shape)?;
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
        self.maps().transpose()
    }
}
