//! Checked casts on write: an array converted to the element type of the
//! item it is written into, every value checked before any is kept. The
//! rules are listed on [`Array::cast_checked`]; qnd's guide ("Casts on
//! write") has them as a table.

use std::borrow::Cow;

use ndarray::ArrayD;
use num_complex::Complex;

use crate::{Array, DType};

/// Why an array cannot be written into an item of another element type.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CastError {
    /// No value of `from` ever converts to `to` (bool or text to or from
    /// numbers, bool to or from text).
    #[error("{from} values never convert to {to}")]
    Never {
        /// The array's element type.
        from: DType,
        /// The item's element type.
        to: DType,
    },
    /// Complex values into a real type: the imaginary part would be lost
    /// (take the real part, or the modulus, explicitly first).
    #[error("{from} values never convert to {to}: a complex value into a real type would lose its imaginary part (take .re or .norm() first)")]
    ComplexToReal {
        /// The array's complex element type.
        from: DType,
        /// The item's real element type.
        to: DType,
    },
    /// A value that `to` cannot hold (see [`Array::cast_checked`]).
    #[error("value {value}{} does not fit {to}", index_text(.index))]
    Value {
        /// The value, as Rust's `{:?}` spells it (`1099511627776`, `2.5`,
        /// `6.805646932770577e38`).
        value: String,
        /// Its index in the array (`None` for a 0-d array).
        index: Option<Vec<usize>>,
        /// The item's element type.
        to: DType,
    },
}

/// ` (at [i, j])` for an index, nothing for a 0-d array.
fn index_text(index: &Option<Vec<usize>>) -> String {
    index
        .as_ref()
        .map(|ix| format!(" (at {ix:?})"))
        .unwrap_or_default()
}

impl DType {
    /// True when values of `self` may be written into an item of `to`,
    /// each value checked ([`Array::cast_checked`]): the same type, both
    /// real, or numeric into complex (never complex into real).
    pub fn casts_to(self, to: DType) -> bool {
        self == to || (self.is_numeric() && to.is_complex()) || (self.is_real() && to.is_real())
    }
}

/// One value of `Self` as a `T`, when `T` holds it under the rules of
/// [`Array::cast_checked`].
trait Checked<T>: Copy + std::fmt::Debug {
    fn checked(self) -> Option<T>;
}

macro_rules! from_int {
    ($s:ty => $($t:ty),*) => {
        $(impl Checked<$t> for $s {
            #[inline]
            fn checked(self) -> Option<$t> {
                <$t>::try_from(self).ok()
            }
        })*
        impl Checked<f32> for $s {
            #[inline]
            fn checked(self) -> Option<f32> {
                int_to_float!(self, f32)
            }
        }
        impl Checked<f64> for $s {
            #[inline]
            fn checked(self) -> Option<f64> {
                int_to_float!(self, f64)
            }
        }
    };
}

/// `$x` (an integer) as float type `$f` when that is exact: below
/// 2^MANTISSA_DIGITS in magnitude every integer is (the rounding is
/// monotonic, so a result below it came from a value below it); above,
/// the float must be the same integer (`as i128` is exact for every float
/// a 64-bit integer rounds to).
macro_rules! int_to_float {
    ($x:expr, $f:ty) => {{
        const EXACT: $f = (1u64 << <$f>::MANTISSA_DIGITS) as $f;
        let y = $x as $f;
        (y.abs() < EXACT || y as i128 == $x as i128).then_some(y)
    }};
}

from_int!(i8 => i8, i16, i32, i64, u8, u16, u32, u64);
from_int!(i16 => i8, i16, i32, i64, u8, u16, u32, u64);
from_int!(i32 => i8, i16, i32, i64, u8, u16, u32, u64);
from_int!(i64 => i8, i16, i32, i64, u8, u16, u32, u64);
from_int!(u8 => i8, i16, i32, i64, u8, u16, u32, u64);
from_int!(u16 => i8, i16, i32, i64, u8, u16, u32, u64);
from_int!(u32 => i8, i16, i32, i64, u8, u16, u32, u64);
from_int!(u64 => i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! from_float {
    ($s:ty => $($t:ty),*) => {$(
        impl Checked<$t> for $s {
            #[inline]
            fn checked(self) -> Option<$t> {
                // integral and in [MIN, MAX + 1) (both powers of two or
                // zero, exact in any float type); NaN fails every
                // comparison, ±inf the range
                const LO: $s = <$t>::MIN as $s;
                const HI: $s = (<$t>::MAX as u128 + 1) as $s;
                (self.trunc() == self && (LO..HI).contains(&self)).then(|| self as $t)
            }
        }
    )*};
}
from_float!(f32 => i8, i16, i32, i64, u8, u16, u32, u64);
from_float!(f64 => i8, i16, i32, i64, u8, u16, u32, u64);

impl Checked<f32> for f32 {
    #[inline]
    fn checked(self) -> Option<f32> {
        Some(self)
    }
}
impl Checked<f64> for f64 {
    #[inline]
    fn checked(self) -> Option<f64> {
        Some(self)
    }
}
impl Checked<f64> for f32 {
    #[inline]
    fn checked(self) -> Option<f64> {
        Some(f64::from(self))
    }
}
impl Checked<f32> for f64 {
    #[inline]
    fn checked(self) -> Option<f32> {
        // to the nearest f32; a finite value must not become ±inf
        let y = self as f32;
        (y.is_finite() || !self.is_finite()).then_some(y)
    }
}

/// A real value into a complex type: its float part as the real part,
/// checked as into that float, and a zero imaginary part.
macro_rules! into_complex {
    ($($s:ty),*) => {$(
        impl Checked<Complex<f32>> for $s {
            #[inline]
            fn checked(self) -> Option<Complex<f32>> {
                Checked::<f32>::checked(self).map(|re| Complex::new(re, 0.0))
            }
        }
        impl Checked<Complex<f64>> for $s {
            #[inline]
            fn checked(self) -> Option<Complex<f64>> {
                Checked::<f64>::checked(self).map(|re| Complex::new(re, 0.0))
            }
        }
    )*};
}
into_complex!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

/// Complex into complex: each part as float into float (`c16` into `c8`
/// to the nearest, a finite part staying finite).
macro_rules! complex_into_complex {
    ($($s:ty => $t:ty),*) => {$(
        impl Checked<Complex<$t>> for Complex<$s> {
            #[inline]
            fn checked(self) -> Option<Complex<$t>> {
                Some(Complex::new(
                    Checked::<$t>::checked(self.re)?,
                    Checked::<$t>::checked(self.im)?,
                ))
            }
        }
    )*};
}
complex_into_complex!(f32 => f32, f32 => f64, f64 => f32, f64 => f64);

/// Every element of `a` as a `T`, in one typed loop, or the first that
/// does not fit (in row-major order).
fn cast_all<S: Checked<T>, T>(a: &ArrayD<S>, to: DType) -> Result<ArrayD<T>, CastError> {
    fn run<S: Checked<T>, T>(
        items: impl Iterator<Item = S>,
        n: usize,
    ) -> Result<Vec<T>, (usize, S)> {
        let mut out = Vec::with_capacity(n);
        for (i, x) in items.enumerate() {
            match x.checked() {
                Some(y) => out.push(y),
                None => return Err((i, x)),
            }
        }
        Ok(out)
    }
    let got = match a.as_slice() {
        Some(s) => run(s.iter().copied(), s.len()),
        None => run(a.iter().copied(), a.len()),
    };
    match got {
        Ok(out) => {
            Ok(ArrayD::from_shape_vec(a.raw_dim(), out)
                .expect("one element out for each element in"))
        }
        Err((i, x)) => Err(CastError::Value {
            value: format!("{x:?}"),
            index: multi_index(a.shape(), i),
            to,
        }),
    }
}

/// The row-major index of flat position `i` in `shape` (`None` for 0-d).
fn multi_index(shape: &[usize], mut i: usize) -> Option<Vec<usize>> {
    if shape.is_empty() {
        return None;
    }
    let mut ix = vec![0; shape.len()];
    for (k, &n) in shape.iter().enumerate().rev() {
        if n > 0 {
            ix[k] = i % n;
            i /= n;
        }
    }
    Some(ix)
}

impl Array {
    /// This array converted to `to` for writing into an item of that
    /// type, every value checked first:
    ///
    /// - the same type: the array itself, borrowed (no copy, no check);
    /// - integer into integer (any size, signed or unsigned): each value
    ///   must fit exactly (`-1` does not fit `u4`, `2^40` not `i4`);
    /// - integer into float: each value must be held exactly (`2^24 + 1`
    ///   does not fit `f4`, `2^53 + 1` not `f8`);
    /// - float into a narrower float: each value to its nearest; a finite
    ///   value must stay finite (NaN and ±inf pass as themselves);
    /// - float into integer: each value must be integral and fit (`2.0`
    ///   into `i1` is `2`; `2.5`, NaN and inf are refused), where h5py
    ///   would truncate;
    /// - widening (`f4` into `f8`, `i4` into `i8`) always fits;
    /// - integer or float into complex: as into the complex type's float
    ///   (`f4` for `c8`, `f8` for `c16`), with a zero imaginary part
    ///   (`2^24 + 1` does not fit `c8`);
    /// - `c8` into `c16` always fits; `c16` into `c8` takes each part to
    ///   its nearest `f4`, a finite part staying finite;
    /// - complex into a real type never: the imaginary part would be lost
    ///   ([`CastError::ComplexToReal`]), even when it is zero;
    /// - bool and text convert to nothing but themselves.
    ///
    /// A converted array is a new array in standard layout, made in one
    /// typed loop over the elements.
    ///
    /// # Errors
    /// [`CastError::Never`] for bool or text to or from another type;
    /// [`CastError::ComplexToReal`] for complex into a real type;
    /// [`CastError::Value`] naming the first value (in row-major order)
    /// that does not fit and its index. Nothing of the array is kept.
    pub fn cast_checked(&self, to: DType) -> Result<Cow<'_, Array>, CastError> {
        let from = self.dtype();
        if from == to {
            return Ok(Cow::Borrowed(self));
        }
        if from.is_complex() && to.is_real() {
            return Err(CastError::ComplexToReal { from, to });
        }
        if !from.casts_to(to) {
            return Err(CastError::Never { from, to });
        }
        macro_rules! into {
            ($a:expr) => {
                match to {
                    DType::C8 => cast_all::<_, Complex<f32>>($a, to).map(Array::C8),
                    DType::C16 => cast_all::<_, Complex<f64>>($a, to).map(Array::C16),
                    DType::I8 => cast_all::<_, i8>($a, to).map(Array::I8),
                    DType::I16 => cast_all::<_, i16>($a, to).map(Array::I16),
                    DType::I32 => cast_all::<_, i32>($a, to).map(Array::I32),
                    DType::I64 => cast_all::<_, i64>($a, to).map(Array::I64),
                    DType::U8 => cast_all::<_, u8>($a, to).map(Array::U8),
                    DType::U16 => cast_all::<_, u16>($a, to).map(Array::U16),
                    DType::U32 => cast_all::<_, u32>($a, to).map(Array::U32),
                    DType::U64 => cast_all::<_, u64>($a, to).map(Array::U64),
                    DType::F32 => cast_all::<_, f32>($a, to).map(Array::F32),
                    DType::F64 => cast_all::<_, f64>($a, to).map(Array::F64),
                    DType::Bool | DType::Str => Err(CastError::Never { from, to }),
                }
            };
        }
        macro_rules! into_c {
            ($a:expr) => {
                match to {
                    DType::C8 => cast_all::<_, Complex<f32>>($a, to).map(Array::C8),
                    DType::C16 => cast_all::<_, Complex<f64>>($a, to).map(Array::C16),
                    _ => Err(CastError::ComplexToReal { from, to }),
                }
            };
        }
        let cast = match self {
            Array::I8(a) => into!(a),
            Array::I16(a) => into!(a),
            Array::I32(a) => into!(a),
            Array::I64(a) => into!(a),
            Array::U8(a) => into!(a),
            Array::U16(a) => into!(a),
            Array::U32(a) => into!(a),
            Array::U64(a) => into!(a),
            Array::F32(a) => into!(a),
            Array::F64(a) => into!(a),
            Array::C8(a) => into_c!(a),
            Array::C16(a) => into_c!(a),
            Array::Bool(_) | Array::Str(_) => Err(CastError::Never { from, to }),
        };
        cast.map(Cow::Owned)
    }
}

/// Why an array does not fit an item ([`Array::fit`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FitError {
    /// Its element type never converts, or its shape differs: the array
    /// as given (or as broadcast), for the message.
    Misfit(Array),
    /// A value does not fit the item's element type.
    Value(CastError),
}

impl Array {
    /// This array as it is written into an item of `dtype` and `shape`:
    /// each value cast to `dtype` as [`Array::cast_checked`] says (the same
    /// dtype costs nothing), and the same shape or, with `fill`, a single
    /// value that fills the shape (numpy's broadcasting of a scalar).
    ///
    /// # Errors
    /// [`FitError::Misfit`] when the element type never converts or the
    /// shape differs; [`FitError::Value`] when a value does not fit. The
    /// shape is checked before any value.
    pub fn fit(self, dtype: DType, shape: &[usize], fill: bool) -> Result<Array, FitError> {
        if !self.dtype().casts_to(dtype) {
            return Err(FitError::Misfit(self));
        }
        if fill && self.size() == 1 && self.shape() != shape {
            // cast the one value, then fill
            let one = self.cast_checked(dtype).map_err(FitError::Value)?;
            return Ok(one.broadcast_first(shape));
        }
        if self.shape() != shape {
            return Err(FitError::Misfit(self));
        }
        if self.dtype() == dtype {
            return Ok(self);
        }
        match self.cast_checked(dtype) {
            Ok(a) => Ok(a.into_owned()),
            Err(e) => Err(FitError::Value(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, IxDyn};

    /// The cast as an owned array.
    trait Owned {
        fn cc(&self, to: DType) -> Result<Array, CastError>;
    }
    impl Owned for Array {
        fn cc(&self, to: DType) -> Result<Array, CastError> {
            self.cast_checked(to).map(Cow::into_owned)
        }
    }

    fn ix(shape: &[usize]) -> IxDyn {
        IxDyn(shape)
    }

    fn one<T: crate::Element>(x: T) -> Array {
        Array::scalar(x)
    }

    fn refused(a: Array, to: DType) -> (String, Option<Vec<usize>>) {
        match a.cc(to) {
            Err(CastError::Value {
                value,
                index,
                to: t,
            }) => {
                assert_eq!(t, to);
                (value, index)
            }
            other => panic!("expected a value that does not fit {to}, got {other:?}"),
        }
    }

    #[test]
    fn same_type_is_the_array_itself() {
        let a = Array::F32(array![1.5f32, f32::NAN].into_dyn());
        assert!(matches!(a.cast_checked(DType::F32), Ok(Cow::Borrowed(b)) if std::ptr::eq(b, &a)));
        let b = a.clone().cc(DType::F32).unwrap();
        assert_eq!(b.dtype(), DType::F32);
        assert_eq!(b.size(), 2);
        let s = one(String::from("x")).cc(DType::Str).unwrap();
        assert_eq!(s, one(String::from("x")));
    }

    #[test]
    fn integers_into_integers_when_they_fit() {
        assert_eq!(one(3i64).cc(DType::U8).unwrap(), one(3u8));
        assert_eq!(one(7i64).cc(DType::I32).unwrap(), one(7i32));
        let max = i64::from(i32::MAX);
        assert_eq!(one(max).cc(DType::I32).unwrap(), one(i32::MAX));
        assert_eq!(
            refused(one(max + 1), DType::I32),
            ("2147483648".into(), None)
        );
        let min = i64::from(i32::MIN);
        assert_eq!(one(min).cc(DType::I32).unwrap(), one(i32::MIN));
        assert_eq!(refused(one(min - 1), DType::I32).0, "-2147483649");
        assert_eq!(one(255i32).cc(DType::U8).unwrap(), one(255u8));
        assert_eq!(refused(one(256i32), DType::U8).0, "256");
        let (v, ix) = refused(Array::I64(array![1, 1i64 << 40].into_dyn()), DType::I32);
        assert_eq!((v.as_str(), ix), ("1099511627776", Some(vec![1])));
        // negative into unsigned, and unsigned past the signed range
        assert_eq!(refused(one(-1i32), DType::U32).0, "-1");
        assert_eq!(refused(one(-1i8), DType::U64).0, "-1");
        assert_eq!(refused(one(u64::MAX), DType::I64).0, u64::MAX.to_string());
        assert_eq!(refused(one(128u8), DType::I8).0, "128");
        assert_eq!(one(127u8).cc(DType::I8).unwrap(), one(127i8));
        assert_eq!(one(i64::MAX as u64).cc(DType::I64).unwrap(), one(i64::MAX));
        // widening always fits
        let w = Array::I8(array![i8::MIN, i8::MAX].into_dyn());
        assert_eq!(
            w.cc(DType::I64).unwrap(),
            Array::I64(array![-128i64, 127].into_dyn())
        );
    }

    #[test]
    fn integers_into_floats_only_exactly() {
        assert_eq!(one(1i64 << 24).cc(DType::F32).unwrap(), one(16777216f32));
        assert_eq!(refused(one((1i64 << 24) + 1), DType::F32).0, "16777217");
        assert_eq!(refused(one((1i32 << 24) + 1), DType::F32).0, "16777217");
        assert_eq!(refused(one(-(1i32 << 24) - 1), DType::F32).0, "-16777217");
        assert_eq!(
            one(-(1i32 << 24)).cc(DType::F32).unwrap(),
            one(-16777216f32)
        );
        // above 2^24 only values f4 holds: 2^30 is, 2^30 + 1 is not
        assert_eq!(one(1u32 << 30).cc(DType::F32).unwrap(), one(1073741824f32));
        assert_eq!(refused(one((1u32 << 30) + 1), DType::F32).0, "1073741825");
        assert_eq!(one(1u64 << 63).cc(DType::F64).unwrap(), one(2f64.powi(63)));
        assert_eq!(one(1i64 << 53).cc(DType::F64).unwrap(), one(2f64.powi(53)));
        assert_eq!(
            refused(one((1i64 << 53) + 1), DType::F64).0,
            "9007199254740993"
        );
        // the largest integers round to a power of two that is not them
        assert_eq!(refused(one(i64::MAX), DType::F64).0, i64::MAX.to_string());
        assert_eq!(refused(one(u64::MAX), DType::F64).0, u64::MAX.to_string());
        assert_eq!(refused(one(u64::MAX), DType::F32).0, u64::MAX.to_string());
        assert_eq!(one(i64::MIN).cc(DType::F64).unwrap(), one(-(2f64.powi(63))));
        assert_eq!(one(i32::MAX).cc(DType::F64).unwrap(), one(2147483647.0));
        assert_eq!(refused(one(i32::MAX), DType::F32).0, "2147483647");
        assert_eq!(one(-3i16).cc(DType::F32).unwrap(), one(-3f32));
    }

    #[test]
    fn floats_into_narrower_floats_to_the_nearest() {
        assert_eq!(one(0.1f64).cc(DType::F32).unwrap(), one(0.1f32));
        let max = f64::from(f32::MAX);
        assert_eq!(one(max).cc(DType::F32).unwrap(), one(f32::MAX));
        assert_eq!(one(-max).cc(DType::F32).unwrap(), one(f32::MIN));
        let (v, ix) = refused(Array::F64(array![1.0, max * 2.0].into_dyn()), DType::F32);
        assert_eq!((v.as_str(), ix), ("6.805646932770577e38", Some(vec![1])));
        assert_eq!(
            refused(one(-max * 2.0), DType::F32).0,
            "-6.805646932770577e38"
        );
        assert_eq!(refused(one(1e300), DType::F32).0, "1e300");
        // NaN and the infinities pass as themselves
        let a = Array::F64(array![f64::NAN, f64::INFINITY, f64::NEG_INFINITY].into_dyn());
        let Array::F32(b) = a.cc(DType::F32).unwrap() else {
            panic!("not f32")
        };
        assert!(b[[0]].is_nan());
        assert_eq!((b[[1]], b[[2]]), (f32::INFINITY, f32::NEG_INFINITY));
        // tiny values go to the nearest, zero included
        assert_eq!(one(1e-300).cc(DType::F32).unwrap(), one(0f32));
        assert_eq!(one(2.5f32).cc(DType::F64).unwrap(), one(2.5f64));
    }

    #[test]
    fn floats_into_integers_only_when_integral_and_in_range() {
        assert_eq!(one(2.0f64).cc(DType::I8).unwrap(), one(2i8));
        assert_eq!(one(-0.0f64).cc(DType::U8).unwrap(), one(0u8));
        assert_eq!(refused(one(2.5f64), DType::I32).0, "2.5");
        assert_eq!(refused(one(-1.0f32), DType::U16).0, "-1.0");
        assert_eq!(refused(one(256.0f64), DType::U8).0, "256.0");
        assert_eq!(refused(one(f64::NAN), DType::I64).0, "NaN");
        assert_eq!(refused(one(f64::INFINITY), DType::I64).0, "inf");
        assert_eq!(refused(one(f32::NEG_INFINITY), DType::I32).0, "-inf");
        assert_eq!(
            refused(one(2f64.powi(63)), DType::I64).0,
            "9.223372036854776e18"
        );
        assert_eq!(one(-(2f64.powi(63))).cc(DType::I64).unwrap(), one(i64::MIN));
        assert_eq!(one(2f64.powi(63)).cc(DType::U64).unwrap(), one(1u64 << 63));
        assert_eq!(
            refused(one(2f64.powi(64)), DType::U64).0,
            "1.8446744073709552e19"
        );
        assert_eq!(refused(one(1e300), DType::I64).0, "1e300");
        // from f4: the same bounds, exact as powers of two
        assert_eq!(one(-2147483648f32).cc(DType::I32).unwrap(), one(i32::MIN));
        assert_eq!(refused(one(2147483648f32), DType::I32).0, "2147483600.0");
        assert_eq!(
            one(1.8446743e19f32).cc(DType::U64).unwrap(),
            one(18446742974197923840u64)
        );
        assert_eq!(refused(one(1.8446744e19f32), DType::U64).0, "1.8446744e19");
        assert_eq!(refused(one(f32::NAN), DType::U8).0, "NaN");
    }

    #[test]
    fn numbers_into_complex_when_exact() {
        let c = |re: f64, im: f64| Complex::new(re, im);
        let c8 = |re: f32, im: f32| Complex::new(re, im);
        assert_eq!(one(3i64).cc(DType::C16).unwrap(), one(c(3.0, 0.0)));
        assert_eq!(one(-7i8).cc(DType::C8).unwrap(), one(c8(-7.0, 0.0)));
        assert_eq!(
            one(1i64 << 24).cc(DType::C8).unwrap(),
            one(c8(16777216.0, 0.0))
        );
        assert_eq!(refused(one((1i64 << 24) + 1), DType::C8).0, "16777217");
        assert_eq!(
            refused(one((1i64 << 53) + 1), DType::C16).0,
            "9007199254740993"
        );
        assert_eq!(one(0.5f32).cc(DType::C16).unwrap(), one(c(0.5, 0.0)));
        assert_eq!(one(0.1f64).cc(DType::C8).unwrap(), one(c8(0.1, 0.0)));
        assert_eq!(refused(one(1e300), DType::C8).0, "1e300");
        // c8 <-> c16: widening exact, narrowing to the nearest, finite stays finite
        assert_eq!(
            one(c8(1.5, -2.0)).cc(DType::C16).unwrap(),
            one(c(1.5, -2.0))
        );
        assert_eq!(one(c(0.1, 0.2)).cc(DType::C8).unwrap(), one(c8(0.1, 0.2)));
        let (v, _) = refused(one(c(1.0, 1e300)), DType::C8);
        assert_eq!(v, "Complex { re: 1.0, im: 1e300 }");
        let Array::C8(n) = one(c(f64::NAN, f64::INFINITY)).cc(DType::C8).unwrap() else {
            panic!("not c8")
        };
        assert!(n[[]].re.is_nan() && n[[]].im == f32::INFINITY);
    }

    #[test]
    fn complex_never_into_real() {
        for to in [DType::F64, DType::F32, DType::I64, DType::U8] {
            for a in [
                one(Complex::new(1.0f32, 0.0)),
                one(Complex::new(1.0f64, 0.0)),
            ] {
                let from = a.dtype();
                let e = a.cc(to).unwrap_err();
                assert_eq!(e, CastError::ComplexToReal { from, to });
                assert!(e.to_string().contains("imaginary part"), "{e}");
                assert!(!from.casts_to(to));
            }
        }
        assert!(DType::I8.casts_to(DType::C16));
        assert!(DType::C16.casts_to(DType::C8));
        assert_eq!(
            one(true).cc(DType::C8),
            Err(CastError::Never {
                from: DType::Bool,
                to: DType::C8
            })
        );
        assert_eq!(
            one(Complex::new(1.0f64, 0.0)).cc(DType::Str),
            Err(CastError::Never {
                from: DType::C16,
                to: DType::Str
            })
        );
    }

    #[test]
    fn bool_and_text_never_convert() {
        let never = |a: Array, to: DType| {
            let from = a.dtype();
            assert_eq!(a.cc(to), Err(CastError::Never { from, to }));
            assert!(!from.casts_to(to));
        };
        never(one(true), DType::I8);
        never(one(true), DType::F64);
        never(one(String::from("1")), DType::I64);
        never(one(String::from("1")), DType::Bool);
        never(one(1i8), DType::Bool);
        never(one(1.0f64), DType::Str);
        never(one(0u8), DType::Bool);
        never(one(false), DType::Str);
    }

    #[test]
    fn the_index_is_the_row_major_index_of_the_first_misfit() {
        let a = Array::I64(array![[1, 2, 3], [4, 300, 500]].into_dyn());
        let e = a.clone().cc(DType::U8).unwrap_err();
        assert_eq!(e.to_string(), "value 300 (at [1, 1]) does not fit u1");
        // a transposed view is walked in its own logical order
        let t = Array::I64(array![[1, 2, 3], [4, 300, 500]].reversed_axes().into_dyn());
        let e = t.cc(DType::U8).unwrap_err();
        assert_eq!(e.to_string(), "value 300 (at [1, 1]) does not fit u1");
        let t = Array::I64(array![[1, 2], [500, 300]].reversed_axes().into_dyn());
        let (v, ix) = refused(t, DType::U8);
        assert_eq!((v.as_str(), ix), ("500", Some(vec![0, 1])));
        assert_eq!(
            one(1e40).cc(DType::F32).unwrap_err().to_string(),
            "value 1e40 does not fit f4"
        );
        // a converted transposed array keeps its logical order
        let t = Array::I64(array![[1, 2], [3, 4]].reversed_axes().into_dyn());
        assert_eq!(
            t.cc(DType::U8).unwrap(),
            Array::U8(array![[1, 3], [2, 4]].into_dyn())
        );
        let empty = Array::I64(ArrayD::zeros(IxDyn(&[0, 3])));
        assert_eq!(empty.cc(DType::U8).unwrap().shape(), &[0, 3]);
    }

    #[test]
    fn fit_checks_shape_then_values_and_fills_with_the_cast_value() {
        let a = Array::I64(array![1, 2].into_dyn());
        assert_eq!(
            a.clone().fit(DType::I32, &[2], false).unwrap(),
            Array::I32(array![1, 2].into_dyn())
        );
        assert!(matches!(
            a.clone().fit(DType::I32, &[3], false),
            Err(FitError::Misfit(_))
        ));
        assert!(matches!(
            a.fit(DType::Bool, &[2], false),
            Err(FitError::Misfit(_))
        ));
        let big = Array::I64(array![1, 1 << 40].into_dyn());
        assert!(matches!(
            big.clone().fit(DType::I32, &[3], false),
            Err(FitError::Misfit(_))
        ));
        assert!(matches!(
            big.fit(DType::I32, &[2], false),
            Err(FitError::Value(_))
        ));
        assert_eq!(
            one(7.0f64).fit(DType::I16, &[2, 2], true).unwrap(),
            Array::I16(ArrayD::from_elem(ix(&[2, 2]), 7))
        );
        assert_eq!(
            one(1e40f64).fit(DType::F32, &[3], true),
            Err(FitError::Value(CastError::Value {
                value: "1e40".into(),
                index: None,
                to: DType::F32
            }))
        );
    }
}
