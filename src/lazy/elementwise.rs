//! Elementwise views: [`Scaled`], [`Sum`] and [`Or`], each element
//! computed from the same element of its parts, one selection at a time.
//!
//! Each is a [`LazyArray`] over [`Lazy`] handles. Its shape and dtype are
//! known without reading data; a read of a region reads only the same
//! region of each part, so views of large files can be sliced cheaply.
//! Views compose with selections ([`Lazy::select`]) and with each other.

use ndarray::ArrayD;

use super::parts::{check_part, check_read, common_shape, list_parts};
use super::{invalid, mismatch, Lazy, LazyArray};
use crate::error::Result;
use crate::selection::Region;
use crate::values::{Array, Complex, DType, Element};

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
/// - **Complex:** a complex base (`c8`, `c16`) keeps its dtype, scaled by
///   a real or a complex factor ([`Scaled::new_complex`]); a real base
///   scaled by a complex factor is complex (`c8` for an `f32` base, as
///   numpy's `float32 * complex`, `c16` for the others). Each element is
///   computed in `Complex<f64>` and rounded once. Writing divides by the
///   factor into a complex base (into `c8` a finite quotient must stay
///   finite); a real base scaled by a complex factor is not writable (the
///   quotient would be complex).
#[derive(Clone, Debug)]
pub struct Scaled {
    base: Lazy,
    factor: f64,
    /// The imaginary part of a complex factor (`Some` for
    /// [`Scaled::new_complex`], even when zero).
    im: Option<f64>,
}

/// The dtype of a scaled view of a base of dtype `d`, `None` when `d`
/// cannot be scaled.
fn scaled_dtype(d: DType, complex_factor: bool) -> Option<DType> {
    match d {
        DType::Bool | DType::Str => None,
        DType::C8 | DType::C16 => Some(d),
        DType::F32 if complex_factor => Some(DType::C8),
        _ if complex_factor => Some(DType::C16),
        DType::F32 => Some(DType::F32),
        _ => Some(DType::F64),
    }
}

/// Relative tolerance for "a whole number up to rounding".
const WHOLE_TOLERANCE: f64 = 4.0 * f64::EPSILON;

impl Scaled {
    /// `base` multiplied by `factor`.
    ///
    /// # Errors
    /// [`Error::Mismatch`](crate::Error::Mismatch) when `base` is not numeric; errors asking the
    /// base its dtype.
    pub fn new(base: Lazy, factor: f64) -> Result<Scaled> {
        Scaled::make(base, factor, None)
    }

    /// `base` multiplied by a complex `factor`: a complex view whatever the
    /// base (see the type's docs).
    ///
    /// # Errors
    /// As [`Scaled::new`].
    pub fn new_complex(base: Lazy, factor: Complex<f64>) -> Result<Scaled> {
        Scaled::make(base, factor.re, Some(factor.im))
    }

    fn make(base: Lazy, factor: f64, im: Option<f64>) -> Result<Scaled> {
        let d = base.dtype()?;
        if scaled_dtype(d, im.is_some()).is_none() {
            return Err(mismatch(
                format!("{} scaled by {factor}", base.describe()),
                "a numeric base",
                format!("dtype {d} ({})", base.describe()),
            ));
        }
        Ok(Scaled { base, factor, im })
    }

    /// The array this scales.
    pub fn base(&self) -> &Lazy {
        &self.base
    }

    /// The factor (its real part for a view made by
    /// [`Scaled::new_complex`]; see [`Scaled::complex_factor`]).
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// The factor as a complex number (a zero imaginary part for a real
    /// factor).
    pub fn complex_factor(&self) -> Complex<f64> {
        Complex::new(self.factor, self.im.unwrap_or(0.0))
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
            DType::C8 | DType::C16 | DType::Bool | DType::Str => {
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
        scaled_dtype(d, self.im.is_some())
            .ok_or_else(|| invalid(self, format!("the base now has dtype {d}")))
    }

    fn describe(&self) -> String {
        match self.im {
            Some(im) => format!(
                "{} scaled by {}",
                self.base.describe(),
                crate::diff::complex_text(self.factor, im)
            ),
            None => format!("{} scaled by {}", self.base.describe(), self.factor),
        }
    }

    fn read_region(&self, region: &Region) -> Result<Array> {
        let a = self.base.read_region(region)?;
        let f = self.factor;
        if self.im.is_some() || a.dtype().is_complex() {
            let z = self.complex_factor();
            let single = matches!(a.dtype(), DType::C8 | DType::F32);
            let Some(x) = a.to_c64() else {
                return Err(invalid(self, format!("the base gave {} values", a.dtype())));
            };
            let y = x.mapv(|v| v * z);
            return Ok(if single {
                Array::C8(y.mapv(|v| Complex::new(v.re as f32, v.im as f32)))
            } else {
                Array::C16(y)
            });
        }
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
        let d = self.base.dtype()?;
        if self.im.is_some() || d.is_complex() {
            return self.write_complex(region, data, d);
        }
        let f = self.factor;
        if f == 0.0 || !f.is_finite() {
            return Err(invalid(self, format!("factor {f} cannot be inverted")));
        }
        let Some(x) = data.to_f64() else {
            return Err(mismatch(
                self.describe(),
                "numbers",
                crate::values::describe(data.dtype(), data.shape()),
            ));
        };
        let a = self.unscale(&x, d)?;
        self.base.write_region(region, &a)
    }
}

impl Scaled {
    /// Writing through a complex factor or into a complex base `d`.
    fn write_complex(&self, region: &Region, data: &Array, d: DType) -> Result<()> {
        let z = self.complex_factor();
        if !d.is_complex() {
            return Err(invalid(
                self,
                format!("a {d} base scaled by a complex factor is not writable: the quotient would be complex"),
            ));
        }
        if z == Complex::new(0.0, 0.0) || !z.is_finite() {
            return Err(invalid(
                self,
                format!(
                    "factor {} cannot be inverted",
                    crate::diff::complex_text(z.re, z.im)
                ),
            ));
        }
        let Some(x) = data.to_c64() else {
            return Err(mismatch(
                self.describe(),
                "numbers",
                crate::values::describe(data.dtype(), data.shape()),
            ));
        };
        let q = Array::C16(x.mapv(|v| v / z));
        let a = q
            .cast_checked(d)
            .map_err(|e| invalid(self, format!("cannot write: {e}")))?;
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
/// - **Complex:** with a complex part the sum is complex: `c8` when every
///   part widens to it (`c8`, `f4` and the integers up to 16 bits), else
///   `c16` (`i64`/`u64` parts then round as for `f64`).
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
    let complex = ds.iter().any(|d| d.is_complex());
    let candidates: &[DType] = if complex {
        &[C8, C16]
    } else {
        &[I8, U8, I16, U16, I32, U32, I64, U64, F32, F64]
    };
    candidates
        .iter()
        .copied()
        .find(|&c| ds.iter().all(|d| d.widens_to(c)))
        .unwrap_or(if complex { C16 } else { F64 })
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
    /// [`Error::Mismatch`](crate::Error::Mismatch) naming the part when there are no parts, when a
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
        } else if self.dtype == DType::C16 {
            a.to_c64().map(Array::C16)
        } else {
            a.cast(self.dtype).ok()
        };
        converted.ok_or_else(|| {
            mismatch(
                self.describe(),
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
            macro_rules! add {
                ($($v:ident => $add:expr),* $(,)?) => {
                    match (s, a) {
                        $((Array::$v(x), Array::$v(y)) => {
                            add_checked(x, &y, $add).map(Array::$v)
                        })*
                        _ => return Err(invalid(self, "parts of different dtypes")),
                    }
                };
            }
            let sum = add!(
                I8 => i8::checked_add,
                I16 => i16::checked_add,
                I32 => i32::checked_add,
                I64 => i64::checked_add,
                U8 => u8::checked_add,
                U16 => u16::checked_add,
                U32 => u32::checked_add,
                U64 => u64::checked_add,
                F32 => |x, y| Some(x + y),
                F64 => |x, y| Some(x + y),
                C8 => |x, y| Some(x + y),
                C16 => |x, y| Some(x + y),
            );
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
    /// [`Error::Mismatch`](crate::Error::Mismatch) naming the part when there are no parts, when a
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
                        self.describe(),
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
