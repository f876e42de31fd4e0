//! Lazy views: [`Scaled`], [`Sum`], [`Or`] and [`Stacked`], computed from
//! other lazy arrays one selection at a time.
//!
//! Each view is a [`LazyArray`] over [`Lazy`] handles. Its shape and dtype
//! are known without reading data; a read of a region reads only the
//! corresponding region of each part it needs (a [`Stacked`] read touches
//! only the members the region selects), so views of large files can be
//! sliced cheaply. Views compose with selections ([`Lazy::select`]) and
//! with each other.

use std::path::PathBuf;

use ndarray::ArrayD;

use super::{invalid, Lazy, LazyArray};
use crate::backend::{Run, VirtualMap};
use crate::error::{Error, Result};
use crate::selection::Region;
use crate::values::by_dtype;
use crate::values::{Array, DType, Element};

// ------------------------------------------------------------------ helpers

/// A mismatch error about the view described as `what`.
fn mismatch(what: &str, expected: impl Into<String>, got: impl Into<String>) -> Error {
    Error::Mismatch {
        file: PathBuf::from("<lazy>"),
        path: what.to_string(),
        expected: expected.into(),
        got: got.into(),
    }
}

/// The parts of a view for its description: up to three, then how many
/// more.
fn list_parts(parts: &[Lazy]) -> String {
    let mut s = parts
        .iter()
        .take(3)
        .map(LazyArray::describe)
        .collect::<Vec<_>>()
        .join(", ");
    if parts.len() > 3 {
        s.push_str(&format!(", ... ({} in all)", parts.len()));
    }
    s
}

/// The shape every part has: that of part 0, checked against the others.
/// `what` describes the view being made.
fn common_shape(what: &str, parts: &[Lazy]) -> Result<Vec<usize>> {
    let Some(first) = parts.first() else {
        return Err(mismatch(what, "at least one part", "none"));
    };
    let shape = first.shape()?;
    for (i, p) in parts.iter().enumerate().skip(1) {
        let s = p.shape()?;
        if s != shape {
            return Err(mismatch(
                what,
                format!(
                    "shape {shape:?} (the shape of part 0, {})",
                    first.describe()
                ),
                format!("shape {s:?} in part {i} ({})", p.describe()),
            ));
        }
    }
    Ok(shape)
}

/// Check that part `i` of `view` still has `shape` (a leaf can be
/// replaced, a record variable can grow) before reading or writing it.
fn check_part<V: LazyArray + ?Sized>(
    view: &V,
    i: usize,
    part: &Lazy,
    shape: &[usize],
) -> Result<()> {
    let s = part.shape()?;
    if s != shape {
        return Err(mismatch(
            &view.describe(),
            format!("part {i} of shape {shape:?}"),
            format!("shape {s:?} in part {i} ({})", part.describe()),
        ));
    }
    Ok(())
}

/// Check that `a`, read from part `i` of `view`, has shape `out`.
fn check_read<V: LazyArray + ?Sized>(
    view: &V,
    i: usize,
    part: &Lazy,
    a: &Array,
    out: &[usize],
) -> Result<()> {
    if a.shape() != out {
        return Err(mismatch(
            &view.describe(),
            format!("a read of shape {out:?} from part {i}"),
            format!(
                "{} from part {i} ({})",
                crate::values::describe(a.dtype(), a.shape()),
                part.describe()
            ),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------- Scaled

/// A lazy view of a numeric array multiplied by `factor`.
///
/// - **Dtype:** `f32` for an `f32` base (as numpy does for an `f32` array
///   times a Python float; each element is computed in `f64` and rounded
///   once to `f32`), `f64` for every other numeric base (integers too:
///   a scaled integer is not an integer). `i64` and `u64` values beyond
///   2⁵³ lose precision on the way to `f64`. Bool and text bases are
///   refused when the view is made.
/// - **Read:** reads the same region of the base and multiplies.
/// - **Write:** divides by `factor` and writes the quotient into the same
///   region of the base, as the base's dtype. Into an integer base the
///   quotient must be a whole number that fits the type: a quotient within
///   floating-point rounding of the division (a relative 4·2⁻⁵²) of an
///   integer stores that integer (so writing `0.3` at factor `0.1` stores
///   `3`); anything else (`0.35` at factor `0.1`, NaN, out of range) is an
///   error and nothing is written, never a silent rounding. Into a float
///   base a finite value whose quotient overflows is an error too. A
///   factor of 0 (or an infinite or NaN factor) cannot be inverted:
///   writing through it is an error.
#[derive(Clone, Debug)]
pub struct Scaled {
    base: Lazy,
    factor: f64,
}

/// The dtype of a scaled view of a base of dtype `d`, `None` when `d`
/// cannot be scaled.
fn scaled_dtype(d: DType) -> Option<DType> {
    match d {
        DType::F32 => Some(DType::F32),
        DType::Bool | DType::Str => None,
        _ => Some(DType::F64),
    }
}

/// Relative tolerance for "a whole number up to rounding".
const WHOLE_TOLERANCE: f64 = 4.0 * f64::EPSILON;

impl Scaled {
    /// `base` multiplied by `factor`.
    ///
    /// # Errors
    /// [`Error::Mismatch`] when `base` is not numeric; errors asking the
    /// base its dtype.
    pub fn new(base: Lazy, factor: f64) -> Result<Scaled> {
        let d = base.dtype()?;
        if scaled_dtype(d).is_none() {
            return Err(mismatch(
                &format!("{} scaled by {factor}", base.describe()),
                "a numeric base",
                format!("dtype {d} ({})", base.describe()),
            ));
        }
        Ok(Scaled { base, factor })
    }

    /// The array this scales.
    pub fn base(&self) -> &Lazy {
        &self.base
    }

    /// The factor.
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// `x / factor` as the base's dtype `dtype` (see the type's docs).
    fn unscale(&self, x: &ArrayD<f64>, dtype: DType) -> Result<Array> {
        let f = self.factor;
        let refuse = |v: f64, q: f64| {
            invalid(
                self,
                format!("cannot write {v}: {v} / {f} = {q} does not fit the base's dtype {dtype} exactly"),
            )
        };
        macro_rules! int {
            ($t:ty) => {{
                let lo = <$t>::MIN as f64;
                // MAX + 1 is a power of two, exact in f64
                let hi = <$t>::MAX as f64 + 1.0;
                let mut out = Vec::with_capacity(x.len());
                for &v in x.iter() {
                    let q = v / f;
                    let n = q.round();
                    if !(n >= lo && n < hi && (q - n).abs() <= WHOLE_TOLERANCE * q.abs()) {
                        return Err(refuse(v, q));
                    }
                    out.push(n as $t);
                }
                <$t>::wrap(ArrayD::from_shape_vec(x.raw_dim(), out).expect("one per element"))
            }};
        }
        macro_rules! float {
            ($t:ty) => {{
                let mut out = Vec::with_capacity(x.len());
                for &v in x.iter() {
                    let q = v / f;
                    let r = q as $t;
                    if v.is_finite() && !r.is_finite() {
                        return Err(refuse(v, q));
                    }
                    out.push(r);
                }
                <$t>::wrap(ArrayD::from_shape_vec(x.raw_dim(), out).expect("one per element"))
            }};
        }
        Ok(match dtype {
            DType::I8 => int!(i8),
            DType::I16 => int!(i16),
            DType::I32 => int!(i32),
            DType::I64 => int!(i64),
            DType::U8 => int!(u8),
            DType::U16 => int!(u16),
            DType::U32 => int!(u32),
            DType::U64 => int!(u64),
            DType::F32 => float!(f32),
            DType::F64 => float!(f64),
            DType::Bool | DType::Str => {
                return Err(invalid(self, format!("the base has dtype {dtype}")))
            }
        })
    }
}

impl LazyArray for Scaled {
    fn shape(&self) -> Result<Vec<usize>> {
        self.base.shape()
    }

    fn dtype(&self) -> Result<DType> {
        let d = self.base.dtype()?;
        scaled_dtype(d).ok_or_else(|| invalid(self, format!("the base now has dtype {d}")))
    }

    fn describe(&self) -> String {
        format!("{} scaled by {}", self.base.describe(), self.factor)
    }

    fn read_region(&self, region: &Region) -> Result<Array> {
        let a = self.base.read_region(region)?;
        let f = self.factor;
        match a {
            Array::F32(x) => Ok(Array::F32(x.mapv(|v| (f64::from(v) * f) as f32))),
            other => match other.to_f64() {
                Some(x) => Ok(Array::F64(x * f)),
                None => Err(invalid(
                    self,
                    format!("the base gave {} values", other.dtype()),
                )),
            },
        }
    }

    fn write_region(&self, region: &Region, data: &Array) -> Result<()> {
        let f = self.factor;
        if f == 0.0 || !f.is_finite() {
            return Err(invalid(self, format!("factor {f} cannot be inverted")));
        }
        let Some(x) = data.to_f64() else {
            return Err(mismatch(
                &self.describe(),
                "numbers",
                crate::values::describe(data.dtype(), data.shape()),
            ));
        };
        let d = self.base.dtype()?;
        let a = self.unscale(&x, d)?;
        self.base.write_region(region, &a)
    }
}

// ---------------------------------------------------------------------- Sum

/// A lazy, read-only elementwise sum of numeric arrays of one shape.
///
/// - **Dtype:** the first of `i8, u8, i16, u16, i32, u32, i64, u64, f32,
///   f64` that every part's dtype widens to without loss
///   ([`DType::widens_to`]), and `f64` when there is none (`i64` with
///   `u64`, `i32` with `f32`, `i64` with `f64`; `i64`/`u64` values beyond
///   2⁵³ then lose precision). These are numpy's promotions (`u8 + i16`
///   is `i16`, `i16 + f32` is `f32`, `i32 + f32` is `f64`). Each part is
///   converted to that dtype and the parts are added in order.
/// - **Overflow:** an integer sum that overflows the dtype is an error,
///   never a wrapped value.
/// - Bool and text parts are refused when the view is made; writing is an
///   error ("not writable").
#[derive(Clone, Debug)]
pub struct Sum {
    parts: Vec<Lazy>,
    shape: Vec<usize>,
    dtype: DType,
}

/// The dtype a sum of parts of dtypes `ds` has (see [`Sum`]).
fn sum_dtype(ds: &[DType]) -> DType {
    use DType::*;
    [I8, U8, I16, U16, I32, U32, I64, U64, F32, F64]
        .into_iter()
        .find(|&c| ds.iter().all(|d| d.widens_to(c)))
        .unwrap_or(F64)
}

/// `x + y` elementwise, `None` on overflow.
fn add_checked<T: Copy>(
    mut x: ArrayD<T>,
    y: &ArrayD<T>,
    add: fn(T, T) -> Option<T>,
) -> Option<ArrayD<T>> {
    let mut ok = true;
    x.zip_mut_with(y, |a, &b| match add(*a, b) {
        Some(s) => *a = s,
        None => ok = false,
    });
    ok.then_some(x)
}

impl Sum {
    /// The elementwise sum of `parts` (at least one, all of one shape).
    ///
    /// # Errors
    /// [`Error::Mismatch`] naming the part when there are no parts, when a
    /// part's shape differs from part 0's or a part is not numeric; errors
    /// asking the parts their shapes and dtypes.
    pub fn new(parts: impl IntoIterator<Item = Lazy>) -> Result<Sum> {
        let parts: Vec<Lazy> = parts.into_iter().collect();
        let what = format!("sum of {}", list_parts(&parts));
        let shape = common_shape(&what, &parts)?;
        let mut ds = Vec::with_capacity(parts.len());
        for (i, p) in parts.iter().enumerate() {
            let d = p.dtype()?;
            if !d.is_numeric() {
                return Err(mismatch(
                    &what,
                    "numeric parts",
                    format!("dtype {d} in part {i} ({})", p.describe()),
                ));
            }
            ds.push(d);
        }
        let dtype = sum_dtype(&ds);
        Ok(Sum {
            parts,
            shape,
            dtype,
        })
    }

    /// The parts.
    pub fn parts(&self) -> &[Lazy] {
        &self.parts
    }

    /// Part `i`'s values of `region` as this sum's dtype.
    fn read_as(&self, i: usize, part: &Lazy, region: &Region, out: &[usize]) -> Result<Array> {
        check_part(self, i, part, &self.shape)?;
        let a = part.read_region(region)?;
        check_read(self, i, part, &a, out)?;
        let got = a.dtype();
        let converted = if self.dtype == DType::F64 {
            a.to_f64().map(Array::F64)
        } else {
            a.cast(self.dtype).ok()
        };
        converted.ok_or_else(|| {
            mismatch(
                &self.describe(),
                format!("values that widen to {} from part {i}", self.dtype),
                format!("dtype {got} ({})", part.describe()),
            )
        })
    }
}

impl LazyArray for Sum {
    fn shape(&self) -> Result<Vec<usize>> {
        Ok(self.shape.clone())
    }

    fn dtype(&self) -> Result<DType> {
        Ok(self.dtype)
    }

    fn describe(&self) -> String {
        format!("sum of {}", list_parts(&self.parts))
    }

    fn read_region(&self, region: &Region) -> Result<Array> {
        let out = region.out_shape();
        let mut acc: Option<Array> = None;
        for (i, p) in self.parts.iter().enumerate() {
            let a = self.read_as(i, p, region, &out)?;
            let Some(s) = acc else {
                acc = Some(a);
                continue;
            };
            let sum = match (s, a) {
                (Array::I8(x), Array::I8(y)) => add_checked(x, &y, i8::checked_add).map(Array::I8),
                (Array::I16(x), Array::I16(y)) => {
                    add_checked(x, &y, i16::checked_add).map(Array::I16)
                }
                (Array::I32(x), Array::I32(y)) => {
                    add_checked(x, &y, i32::checked_add).map(Array::I32)
                }
                (Array::I64(x), Array::I64(y)) => {
                    add_checked(x, &y, i64::checked_add).map(Array::I64)
                }
                (Array::U8(x), Array::U8(y)) => add_checked(x, &y, u8::checked_add).map(Array::U8),
                (Array::U16(x), Array::U16(y)) => {
                    add_checked(x, &y, u16::checked_add).map(Array::U16)
                }
                (Array::U32(x), Array::U32(y)) => {
                    add_checked(x, &y, u32::checked_add).map(Array::U32)
                }
                (Array::U64(x), Array::U64(y)) => {
                    add_checked(x, &y, u64::checked_add).map(Array::U64)
                }
                (Array::F32(x), Array::F32(y)) => Some(Array::F32(x + y)),
                (Array::F64(x), Array::F64(y)) => Some(Array::F64(x + y)),
                _ => return Err(invalid(self, "parts of different dtypes")),
            };
            acc = Some(sum.ok_or_else(|| {
                invalid(
                    self,
                    format!(
                        "adding part {i} ({}) overflows {}",
                        p.describe(),
                        self.dtype
                    ),
                )
            })?);
        }
        acc.ok_or_else(|| invalid(self, "no parts"))
    }
}

// ----------------------------------------------------------------------- Or

/// A lazy, read-only elementwise boolean or of bool arrays of one shape.
/// Its dtype is bool; writing is an error ("not writable").
#[derive(Clone, Debug)]
pub struct Or {
    parts: Vec<Lazy>,
    shape: Vec<usize>,
}

impl Or {
    /// The elementwise or of `parts` (at least one, all bool, all of one
    /// shape).
    ///
    /// # Errors
    /// [`Error::Mismatch`] naming the part when there are no parts, when a
    /// part's shape differs from part 0's or a part is not bool; errors
    /// asking the parts their shapes and dtypes.
    pub fn new(parts: impl IntoIterator<Item = Lazy>) -> Result<Or> {
        let parts: Vec<Lazy> = parts.into_iter().collect();
        let what = format!("or of {}", list_parts(&parts));
        let shape = common_shape(&what, &parts)?;
        for (i, p) in parts.iter().enumerate() {
            let d = p.dtype()?;
            if d != DType::Bool {
                return Err(mismatch(
                    &what,
                    "bool parts",
                    format!("dtype {d} in part {i} ({})", p.describe()),
                ));
            }
        }
        Ok(Or { parts, shape })
    }

    /// The parts.
    pub fn parts(&self) -> &[Lazy] {
        &self.parts
    }
}

impl LazyArray for Or {
    fn shape(&self) -> Result<Vec<usize>> {
        Ok(self.shape.clone())
    }

    fn dtype(&self) -> Result<DType> {
        Ok(DType::Bool)
    }

    fn describe(&self) -> String {
        format!("or of {}", list_parts(&self.parts))
    }

    fn read_region(&self, region: &Region) -> Result<Array> {
        let out = region.out_shape();
        let mut acc: Option<ArrayD<bool>> = None;
        for (i, p) in self.parts.iter().enumerate() {
            check_part(self, i, p, &self.shape)?;
            let a = p.read_region(region)?;
            check_read(self, i, p, &a, &out)?;
            let a = match a {
                Array::Bool(a) => a,
                other => {
                    return Err(mismatch(
                        &self.describe(),
                        format!("bool values from part {i}"),
                        format!("dtype {} ({})", other.dtype(), p.describe()),
                    ))
                }
            };
            acc = Some(match acc {
                None => a,
                Some(mut x) => {
                    x.zip_mut_with(&a, |x, &y| *x |= y);
                    x
                }
            });
        }
        acc.map(Array::Bool)
            .ok_or_else(|| invalid(self, "no parts"))
    }
}

// ------------------------------------------------------------------ Stacked

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
    /// [`Error::Mismatch`] naming the part when there are no parts, or a
    /// part's shape or dtype differs from part 0's; [`Error::Invalid`]
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
            return Err(Error::Invalid {
                file: PathBuf::from("<lazy>"),
                path: what,
                reason: format!(
                    "axis {axis} is out of range for stacking {n}-d parts (-{} to {n})",
                    n + 1
                ),
            });
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
    /// [`Error::OutOfBounds`] naming the stacked axis for a member out of
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
                    return Err(Error::OutOfBounds {
                        file: PathBuf::from("<lazy>"),
                        path: self.describe(),
                        axis: self.axis,
                        index: m,
                        len: n,
                    });
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
    fn split(&self, region: &Region) -> Result<(crate::selection::Resolved, Region, usize)> {
        if region.axes.len() != self.part_shape.len() + 1 {
            return Err(invalid(
                self,
                format!(
                    "a region of {} axes for {} dimensions",
                    region.axes.len(),
                    self.part_shape.len() + 1
                ),
            ));
        }
        let mut axes = region.axes.clone();
        let r = axes.remove(self.axis);
        let out_axis = region.axes[..self.axis].iter().filter(|a| a.keep).count();
        Ok((r, Region { axes }, out_axis))
    }

    /// Read member `i`'s `region`.
    fn read_member(&self, i: usize, region: &Region, out: &[usize]) -> Result<Array> {
        let p = self.member(i)?;
        let a = p.read_region(region)?;
        check_read(self, i, p, &a, out)?;
        if a.dtype() != self.dtype {
            return Err(mismatch(
                &self.describe(),
                format!("{} values from member {i}", self.dtype),
                format!("dtype {} ({})", a.dtype(), p.describe()),
            ));
        }
        Ok(a)
    }
}

/// `arrays` (all `T`, of one shape) stacked along a new axis `axis`.
fn stack_as<T: Element>(arrays: &[Array], axis: usize) -> Option<Array> {
    let views = arrays
        .iter()
        .map(|a| T::peek(a).map(|x| x.view()))
        .collect::<Option<Vec<_>>>()?;
    ndarray::stack(ndarray::Axis(axis), &views)
        .ok()
        .map(T::wrap)
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
        let arrays = (0..r.count)
            .map(|k| self.read_member(r.index(k), &part_region, &part_out))
            .collect::<Result<Vec<_>>>()?;
        by_dtype!(self.dtype, T => stack_as::<T>(&arrays, out_axis))
            .ok_or_else(|| invalid(self, "members read with different shapes"))
    }

    fn write_region(&self, region: &Region, data: &Array) -> Result<()> {
        let (r, part_region, out_axis) = self.split(region)?;
        let out = region.out_shape();
        if data.shape() != out {
            return Err(mismatch(
                &self.describe(),
                crate::values::describe(self.dtype, &out),
                crate::values::describe(data.dtype(), data.shape()),
            ));
        }
        if !r.keep {
            return self.member(r.first)?.write_region(&part_region, data);
        }
        for k in 0..r.count {
            let member = self.member(r.index(k))?;
            let slice = crate::values::map_array!(data, x => {
                x.index_axis(ndarray::Axis(out_axis), k).to_owned()
            });
            member.write_region(&part_region, &slice)?;
        }
        Ok(())
    }

    fn virtual_maps(&self) -> Option<Result<Vec<VirtualMap>>> {
        let mut all = Vec::new();
        for (k, p) in self.parts.iter().enumerate() {
            let maps = match p.virtual_maps()? {
                Ok(maps) => maps,
                Err(e) => return Some(Err(e)),
            };
            for mut m in maps {
                m.dest.insert(self.axis, Run::one(k));
                all.push(m);
            }
        }
        Some(Ok(all))
    }
}
