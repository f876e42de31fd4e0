//! [`Stacked`]: lazy arrays of one shape stacked along a new axis (numpy's
//! `stack`; [`VirtualStack`](super::VirtualStack) concatenates along an
//! axis they have).

use super::assemble::{along, stack};
use super::parts::{check_part, check_read, common_shape, list_parts};
use super::{check_data, check_rank, invalid, mismatch, out_axis, part_maps, Lazy, LazyArray};
use crate::backend::{Run, VirtualMap};
use crate::error::Result;
use crate::selection::{Region, Resolved};
use crate::values::{Array, DType};

/// Lazy arrays of one shape and dtype stacked along a new axis (numpy's
/// `stack`): for parts of `n` dimensions the new axis is at position
/// `axis` of the result, `-(n + 1) <= axis <= n`, negative positions
/// counting from the end (`-1` is a new last axis).
///
/// Reads and writes take any region, the stacked axis included (an
/// integer, a range with any step, negative steps too); each touches only
/// the members the region selects, and of each only the corresponding
/// region. A list of members (repeats allowed) is [`Stacked::take`],
/// whose result composes with further selections. A write goes to the
/// members in order of the region; an error in one stops there (members
/// before it are written).
///
/// Where every member is made of regions of datasets in files
/// ([`LazyArray::virtual_maps`]), so is the stack.
///
/// # Example
///
/// Stacking two leaves of a memory file, writing through the stack, and
/// the (scaled) sum of the same leaves:
///
/// ```
/// use ndarray::{array, s, Array2};
/// use qnd::lazy::{Lazy, LazyArray, LazyExt, Scaled, Stacked, Sum};
///
/// let f = qnd::memory();
/// f.set("a", array![1, 2, 3])?;
/// f.set("b", array![10, 20, 30])?;
/// let a = Lazy::new(f.leaf("a")?);
/// let b = Lazy::new(f.leaf("b")?);
///
/// // stacked along a new last axis: shape [3, 2]
/// let ab = Stacked::new([a.clone(), b.clone()], -1)?;
/// assert_eq!(ab.shape()?, vec![3, 2]);
/// let tail: Array2<i32> = ab.read_part(s![1.., ..])?;
/// assert_eq!(tail, array![[2, 20], [3, 30]]);
/// // writes go to the members (here only to "b")
/// ab.write_part(s![.., 1], array![5, 6, 7])?;
/// assert_eq!(f.read::<Vec<i32>>("b")?, [5, 6, 7]);
/// // a list of members (negative from the end), then a selection
/// let ba = Lazy::new(ab.take(&[-1, 0])?).select(s![-1, ..])?;
/// assert_eq!(ba.read::<Vec<i32>>()?, [7, 3]);
///
/// // the sum of both, scaled by 0.5 (f64); writing it is an error
/// let half = Scaled::new(Lazy::new(Sum::new([a.clone(), b])?), 0.5)?;
/// assert_eq!(half.read::<Vec<f64>>()?, [3.0, 4.0, 5.0]);
/// assert!(half.write_part(s![0], 1.0).is_err());
/// // a scaled leaf writes back divided
/// Scaled::new(a, 0.5)?.write_part(s![0], 4.0)?;
/// assert_eq!(f.read::<Vec<i32>>("a")?, [8, 2, 3]);
/// # Ok::<(), qnd::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Stacked {
    parts: Vec<Lazy>,
    /// The shape of every part.
    part_shape: Vec<usize>,
    dtype: DType,
    /// The new axis, in `0..=part_shape.len()`.
    axis: usize,
}

impl Stacked {
    /// `parts` (at least one, all of one shape and dtype) stacked along a
    /// new axis at position `axis` (negative: from the end).
    ///
    /// # Errors
    /// [`Error::Mismatch`](crate::Error::Mismatch) naming the part when there are no parts, or a
    /// part's shape or dtype differs from part 0's; [`Error::Invalid`](crate::Error::Invalid)
    /// when `axis` is out of range; errors asking the parts their shapes
    /// and dtypes.
    pub fn new(parts: impl IntoIterator<Item = Lazy>, axis: isize) -> Result<Stacked> {
        let parts: Vec<Lazy> = parts.into_iter().collect();
        let what = format!("stack along axis {axis} of {}", list_parts(&parts));
        let part_shape = common_shape(&what, &parts)?;
        let dtype = parts[0].dtype()?;
        for (i, p) in parts.iter().enumerate().skip(1) {
            let d = p.dtype()?;
            if d != dtype {
                return Err(mismatch(
                    &what,
                    format!(
                        "dtype {dtype} (the dtype of part 0, {})",
                        parts[0].describe()
                    ),
                    format!("dtype {d} in part {i} ({})", p.describe()),
                ));
            }
        }
        let n = part_shape.len() as i128;
        let a = axis as i128;
        if a < -(n + 1) || a > n {
            return Err(super::lazy_at(&what).invalid(format!(
                "axis {axis} is out of range for stacking {n}-d parts (-{} to {n})",
                n + 1
            )));
        }
        let axis = if a < 0 { a + n + 1 } else { a } as usize;
        Ok(Stacked {
            parts,
            part_shape,
            dtype,
            axis,
        })
    }

    /// The stack of `members` (indices along the stacked axis, negative
    /// from the end, repeats allowed, in any order): numpy's
    /// `x[..., members, ...]` on the stacked axis. Nothing is read; the
    /// result is a stack along the same axis, to select from further.
    ///
    /// # Errors
    /// [`Error::OutOfBounds`](crate::Error::OutOfBounds) naming the stacked axis for a member out of
    /// range.
    pub fn take(&self, members: &[isize]) -> Result<Stacked> {
        let n = self.parts.len();
        let parts = members
            .iter()
            .map(|&m| {
                let j = if m < 0 {
                    m as i128 + n as i128
                } else {
                    m as i128
                };
                if j < 0 || j >= n as i128 {
                    return Err(super::lazy_at(&self.describe()).out_of_bounds(self.axis, m, n));
                }
                Ok(self.parts[j as usize].clone())
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Stacked {
            parts,
            part_shape: self.part_shape.clone(),
            dtype: self.dtype,
            axis: self.axis,
        })
    }

    /// The stacked axis (from 0).
    pub fn axis(&self) -> usize {
        self.axis
    }

    /// The members, in order along the stacked axis.
    pub fn parts(&self) -> &[Lazy] {
        &self.parts
    }

    /// Member `i`, checked to still have the parts' shape.
    fn member(&self, i: usize) -> Result<&Lazy> {
        let p = self
            .parts
            .get(i)
            .ok_or_else(|| invalid(self, format!("no member {i}")))?;
        check_part(self, i, p, &self.part_shape)?;
        Ok(p)
    }

    /// Split `region` of the stack into the region of the stacked axis,
    /// the region of each member, and the position of the stacked axis in
    /// the output.
    fn split(&self, region: &Region) -> Result<(Resolved, Region, usize)> {
        check_rank(self, region, self.part_shape.len() + 1)?;
        let mut axes = region.axes.clone();
        let r = axes.remove(self.axis);
        Ok((r, Region { axes }, out_axis(region, self.axis)))
    }

    /// The members' mappings, each given its place on the stacked axis
    /// (see [`LazyArray::virtual_maps`]).
    fn maps(&self) -> Result<Option<Vec<VirtualMap>>> {
        let mut all = Vec::new();
        for (k, p) in self.parts.iter().enumerate() {
            let Some(maps) = part_maps(self, p, self.part_shape.len())? else {
                return Ok(None);
            };
            for mut m in maps {
                m.dest.insert(self.axis, Run::one(k));
                all.push(m);
            }
        }
        Ok(Some(all))
    }

    /// Read member `i`'s `region`.
    fn read_member(&self, i: usize, region: &Region, out: &[usize]) -> Result<Array> {
        let p = self.member(i)?;
        let a = p.read_region(region)?;
        check_read(self, i, p, &a, out)?;
        if a.dtype() != self.dtype {
            return Err(mismatch(
                self.describe(),
                format!("{} values from member {i}", self.dtype),
                format!("dtype {} ({})", a.dtype(), p.describe()),
            ));
        }
        Ok(a)
    }
}

impl LazyArray for Stacked {
    fn shape(&self) -> Result<Vec<usize>> {
        let mut s = self.part_shape.clone();
        s.insert(self.axis, self.parts.len());
        Ok(s)
    }

    fn dtype(&self) -> Result<DType> {
        Ok(self.dtype)
    }

    fn describe(&self) -> String {
        format!(
            "stack along axis {} of {}",
            self.axis,
            list_parts(&self.parts)
        )
    }

    fn read_region(&self, region: &Region) -> Result<Array> {
        let (r, part_region, out_axis) = self.split(region)?;
        let part_out = part_region.out_shape();
        if !r.keep {
            return self.read_member(r.first, &part_region, &part_out);
        }
        if r.count == 0 {
            return Ok(Array::zeros(self.dtype, &region.out_shape()));
        }
        let arrays = r
            .indices()
            .map(|i| self.read_member(i, &part_region, &part_out))
            .collect::<Result<Vec<_>>>()?;
        stack(self.dtype, &arrays, out_axis)
            .ok_or_else(|| invalid(self, "members read with different shapes"))
    }

    fn write_region(&self, region: &Region, data: &Array) -> Result<()> {
        let (r, part_region, out_axis) = self.split(region)?;
        check_data(self, data, &region.out_shape())?;
        if !r.keep {
            return self.member(r.first)?.write_region(&part_region, data);
        }
        for (k, i) in r.indices().enumerate() {
            let slice = along(data, out_axis, Resolved::dropped(k));
            self.member(i)?.write_region(&part_region, &slice)?;
        }
        Ok(())
    }

    fn virtual_maps(&self) -> Option<Result<Vec<VirtualMap>>> {
        self.maps().transpose()
    }
}
