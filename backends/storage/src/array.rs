//! [`Array`]: an n-d array of any element type, and the [`Element`] trait.

use ndarray::{ArrayD, IxDyn};
use num_complex::Complex;

use crate::{DType, Run, SResult, StorageError};

/// An n-d array whose element type is known only at run time.
///
/// Each variant holds an [`ndarray::ArrayD`] of one [`Element`] type.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)] // one variant per DType, named alike
pub enum Array {
    I8(ArrayD<i8>),
    I16(ArrayD<i16>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    U8(ArrayD<u8>),
    U16(ArrayD<u16>),
    U32(ArrayD<u32>),
    U64(ArrayD<u64>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
    C8(ArrayD<Complex<f32>>),
    C16(ArrayD<Complex<f64>>),
    Bool(ArrayD<bool>),
    Str(ArrayD<String>),
}

/// Runs `$body` with `$a` bound to the inner `ArrayD<T>` of any [`Array`].
#[macro_export]
#[doc(hidden)]
macro_rules! with_array {
    ($array:expr, $a:ident => $body:expr) => {
        match $array {
            $crate::Array::I8($a) => $body,
            $crate::Array::I16($a) => $body,
            $crate::Array::I32($a) => $body,
            $crate::Array::I64($a) => $body,
            $crate::Array::U8($a) => $body,
            $crate::Array::U16($a) => $body,
            $crate::Array::U32($a) => $body,
            $crate::Array::U64($a) => $body,
            $crate::Array::F32($a) => $body,
            $crate::Array::F64($a) => $body,
            $crate::Array::C8($a) => $body,
            $crate::Array::C16($a) => $body,
            $crate::Array::Bool($a) => $body,
            $crate::Array::Str($a) => $body,
        }
    };
}

/// Runs `$body` with `$t` the Rust element type of `$dtype`.
#[macro_export]
#[doc(hidden)]
macro_rules! by_dtype {
    ($dtype:expr, $t:ident => $body:expr) => {
        match $dtype {
            $crate::DType::I8 => {
                type $t = i8;
                $body
            }
            $crate::DType::I16 => {
                type $t = i16;
                $body
            }
            $crate::DType::I32 => {
                type $t = i32;
                $body
            }
            $crate::DType::I64 => {
                type $t = i64;
                $body
            }
            $crate::DType::U8 => {
                type $t = u8;
                $body
            }
            $crate::DType::U16 => {
                type $t = u16;
                $body
            }
            $crate::DType::U32 => {
                type $t = u32;
                $body
            }
            $crate::DType::U64 => {
                type $t = u64;
                $body
            }
            $crate::DType::F32 => {
                type $t = f32;
                $body
            }
            $crate::DType::F64 => {
                type $t = f64;
                $body
            }
            $crate::DType::C8 => {
                type $t = $crate::Complex<f32>;
                $body
            }
            $crate::DType::C16 => {
                type $t = $crate::Complex<f64>;
                $body
            }
            $crate::DType::Bool => {
                type $t = bool;
                $body
            }
            $crate::DType::Str => {
                type $t = String;
                $body
            }
        }
    };
}

/// Like [`with_array`], but maps the inner array to a new [`Array`] of the
/// same variant.
#[macro_export]
#[doc(hidden)]
macro_rules! map_array {
    ($array:expr, $a:ident => $body:expr) => {
        match $array {
            $crate::Array::I8($a) => $crate::Array::I8($body),
            $crate::Array::I16($a) => $crate::Array::I16($body),
            $crate::Array::I32($a) => $crate::Array::I32($body),
            $crate::Array::I64($a) => $crate::Array::I64($body),
            $crate::Array::U8($a) => $crate::Array::U8($body),
            $crate::Array::U16($a) => $crate::Array::U16($body),
            $crate::Array::U32($a) => $crate::Array::U32($body),
            $crate::Array::U64($a) => $crate::Array::U64($body),
            $crate::Array::F32($a) => $crate::Array::F32($body),
            $crate::Array::F64($a) => $crate::Array::F64($body),
            $crate::Array::C8($a) => $crate::Array::C8($body),
            $crate::Array::C16($a) => $crate::Array::C16($body),
            $crate::Array::Bool($a) => $crate::Array::Bool($body),
            $crate::Array::Str($a) => $crate::Array::Str($body),
        }
    };
}

/// A Rust type that can be an element of a leaf.
///
/// Implemented for `i8 .. i64`, `u8 .. u64`, `f32`, `f64`,
/// `Complex<f32>`, `Complex<f64>`, `bool` and `String`; sealed.
pub trait Element:
    Clone + Default + PartialEq + std::fmt::Debug + 'static + sealed::Sealed
{
    /// The element type this Rust type stores as.
    const DTYPE: DType;
    /// Wrap a typed array.
    fn wrap(a: ArrayD<Self>) -> Array;
    /// Unwrap an array of exactly this type, or give it back.
    fn unwrap(a: Array) -> Result<ArrayD<Self>, Array>;
    /// Borrow the inner array if it is of exactly this type.
    fn peek(a: &Array) -> Option<&ArrayD<Self>>;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! element {
    ($($t:ty => $v:ident),* $(,)?) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const DTYPE: DType = DType::$v;
            fn wrap(a: ArrayD<Self>) -> Array {
                Array::$v(a)
            }
            fn unwrap(a: Array) -> Result<ArrayD<Self>, Array> {
                match a {
                    Array::$v(a) => Ok(a),
                    other => Err(other),
                }
            }
            fn peek(a: &Array) -> Option<&ArrayD<Self>> {
                match a {
                    Array::$v(a) => Some(a),
                    _ => None,
                }
            }
        }
    )*};
}

element!(
    i8 => I8, i16 => I16, i32 => I32, i64 => I64,
    u8 => U8, u16 => U16, u32 => U32, u64 => U64,
    f32 => F32, f64 => F64, Complex<f32> => C8, Complex<f64> => C16,
    bool => Bool, String => Str,
);

impl Array {
    /// An array of `dtype` and `shape` filled with zeros (false, empty text).
    pub fn zeros(dtype: DType, shape: &[usize]) -> Array {
        fn z<T: Element>(shape: &[usize]) -> Array {
            T::wrap(ArrayD::default(IxDyn(shape)))
        }
        match dtype {
            DType::I8 => z::<i8>(shape),
            DType::I16 => z::<i16>(shape),
            DType::I32 => z::<i32>(shape),
            DType::I64 => z::<i64>(shape),
            DType::U8 => z::<u8>(shape),
            DType::U16 => z::<u16>(shape),
            DType::U32 => z::<u32>(shape),
            DType::U64 => z::<u64>(shape),
            DType::F32 => z::<f32>(shape),
            DType::F64 => z::<f64>(shape),
            DType::C8 => z::<Complex<f32>>(shape),
            DType::C16 => z::<Complex<f64>>(shape),
            DType::Bool => z::<bool>(shape),
            DType::Str => z::<String>(shape),
        }
    }

    /// A 0-d array holding `x`.
    pub fn scalar<T: Element>(x: T) -> Array {
        T::wrap(ArrayD::from_shape_vec(IxDyn(&[]), vec![x]).expect("one element, shape []"))
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            Array::I8(_) => DType::I8,
            Array::I16(_) => DType::I16,
            Array::I32(_) => DType::I32,
            Array::I64(_) => DType::I64,
            Array::U8(_) => DType::U8,
            Array::U16(_) => DType::U16,
            Array::U32(_) => DType::U32,
            Array::U64(_) => DType::U64,
            Array::F32(_) => DType::F32,
            Array::F64(_) => DType::F64,
            Array::C8(_) => DType::C8,
            Array::C16(_) => DType::C16,
            Array::Bool(_) => DType::Bool,
            Array::Str(_) => DType::Str,
        }
    }

    /// The shape (`[]` for a scalar).
    pub fn shape(&self) -> &[usize] {
        with_array!(self, a => a.shape())
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// The number of elements.
    pub fn size(&self) -> usize {
        self.shape().iter().product()
    }

    /// Convert to element type `T`, which must hold every value of this
    /// array's type exactly (see [`DType::widens_to`]).
    ///
    /// # Errors
    /// Gives the array back unchanged when the conversion could lose
    /// information.
    pub fn convert<T: Element + FromNumber>(self) -> Result<ArrayD<T>, Array> {
        if T::DTYPE == self.dtype() {
            return T::unwrap(self);
        }
        if !self.dtype().widens_to(T::DTYPE) {
            return Err(self);
        }
        macro_rules! conv {
            ($a:expr) => {
                Ok($a.mapv(|x| T::from_number(x as f64, x as i128)))
            };
        }
        match self {
            Array::I8(a) => conv!(a),
            Array::I16(a) => conv!(a),
            Array::I32(a) => conv!(a),
            Array::I64(a) => conv!(a),
            Array::U8(a) => conv!(a),
            Array::U16(a) => conv!(a),
            Array::U32(a) => conv!(a),
            Array::U64(a) => conv!(a),
            Array::F32(a) => Ok(a.mapv(|x| T::from_number(x as f64, 0))),
            Array::F64(a) => Ok(a.mapv(|x| T::from_number(x, 0))),
            Array::C8(a) => Ok(a.mapv(|z| T::from_complex(f64::from(z.re), f64::from(z.im)))),
            other => Err(other),
        }
    }

    /// Convert to `dtype` without loss (see [`DType::widens_to`]); the same
    /// dtype gives the array back as it is.
    ///
    /// # Errors
    /// Gives the array back unchanged when the conversion could lose
    /// information.
    pub fn cast(self, dtype: DType) -> Result<Array, Array> {
        if self.dtype() == dtype {
            return Ok(self);
        }
        macro_rules! to {
            ($t:ty) => {
                self.convert::<$t>().map(<$t>::wrap)
            };
        }
        match dtype {
            DType::I8 => to!(i8),
            DType::I16 => to!(i16),
            DType::I32 => to!(i32),
            DType::I64 => to!(i64),
            DType::U8 => to!(u8),
            DType::U16 => to!(u16),
            DType::U32 => to!(u32),
            DType::U64 => to!(u64),
            DType::F32 => to!(f32),
            DType::F64 => to!(f64),
            DType::C8 => to!(Complex<f32>),
            DType::C16 => to!(Complex<f64>),
            DType::Bool | DType::Str => Err(self),
        }
    }

    /// An array of `shape` filled with this array's first element (the
    /// type's zero for an empty array).
    pub fn broadcast_first(&self, shape: &[usize]) -> Array {
        map_array!(self, x => {
            let v = x.iter().next().cloned().unwrap_or_default();
            ArrayD::from_elem(IxDyn(shape), v)
        })
    }

    /// Reshape without changing the element order.
    ///
    /// # Errors
    /// Gives the array back when `shape` has a different number of elements.
    pub fn into_shape(self, shape: &[usize]) -> Result<Array, Array> {
        if shape.iter().product::<usize>() != self.size() {
            return Err(self);
        }
        Ok(map_array!(self, a => {
            // A standard-layout array is reshaped in place; only another
            // layout is copied, element by element in logical order.
            let a = if a.is_standard_layout() {
                a
            } else {
                a.as_standard_layout().into_owned()
            };
            a.into_shape_with_order(IxDyn(shape))
                .expect("sizes checked above, standard layout")
        }))
    }

    /// This array with a new leading axis of length 1 (in standard
    /// layout, as [`Array::into_shape`] makes it): one record as a batch of
    /// one record (for [`crate::Storage::append_records`]).
    pub fn to_batch_of_one(&self) -> Array {
        let shape: Vec<usize> = std::iter::once(1)
            .chain(self.shape().iter().copied())
            .collect();
        self.clone()
            .into_shape(&shape)
            .unwrap_or_else(|_| unreachable!("a leading axis of 1 keeps the size"))
    }

    /// Append `rows` along the leading axis: `rows` has this array's
    /// element type and shape `[n, rest...]` where this array has shape
    /// `[m, rest...]`.
    ///
    /// # Errors
    /// A message when the element types or the trailing shapes differ.
    pub fn append_rows(&mut self, rows: &Array) -> Result<(), String> {
        macro_rules! app {
            ($($v:ident),*) => {
                match (&mut *self, rows) {
                    $((Array::$v(a), Array::$v(r)) => {
                        a.append(ndarray::Axis(0), r.view()).map_err(|e| e.to_string())
                    })*
                    (a, r) => Err(format!("cannot append {} rows to {} rows", r.dtype(), a.dtype())),
                }
            };
        }
        app!(I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, C8, C16, Bool, Str)
    }

    /// Rows `rows` (indices along the first axis, each inside it) of this
    /// array, in that order.
    pub fn select_rows(&self, rows: &[usize]) -> Array {
        map_array!(self, a => a.select(ndarray::Axis(0), rows))
    }

    /// The hyperslab `slab` (one [`Run`] per axis, inside the shape) of
    /// this array.
    pub fn take_slab(&self, slab: &[Run]) -> Array {
        map_array!(self, a => {
            if slab.iter().any(|s| s.count == 0) {
                let shape: Vec<usize> = slab.iter().map(|s| s.count).collect();
                ArrayD::from_shape_vec(IxDyn(&shape), Vec::new()).expect("empty")
            } else {
                a.slice(slice_info(slab).as_slice()).to_owned()
            }
        })
    }

    /// The elements as `f64`, for real arrays (`None` for complex, bool
    /// and text: a complex value is never cut to its real part).
    pub fn to_f64(&self) -> Option<ArrayD<f64>> {
        Some(match self {
            Array::I8(a) => a.mapv(f64::from),
            Array::I16(a) => a.mapv(f64::from),
            Array::I32(a) => a.mapv(f64::from),
            Array::I64(a) => a.mapv(|x| x as f64),
            Array::U8(a) => a.mapv(f64::from),
            Array::U16(a) => a.mapv(f64::from),
            Array::U32(a) => a.mapv(f64::from),
            Array::U64(a) => a.mapv(|x| x as f64),
            Array::F32(a) => a.mapv(f64::from),
            Array::F64(a) => a.clone(),
            Array::C8(_) | Array::C16(_) | Array::Bool(_) | Array::Str(_) => return None,
        })
    }

    /// The elements as `Complex<f64>`, for numeric arrays (real ones get a
    /// zero imaginary part; `None` for bool and text). Exact for every
    /// type that widens to `f8` or `c16`; 64-bit integers round as
    /// [`Array::to_f64`] does.
    pub fn to_c64(&self) -> Option<ArrayD<Complex<f64>>> {
        Some(match self {
            Array::C8(a) => a.mapv(|z| Complex::new(f64::from(z.re), f64::from(z.im))),
            Array::C16(a) => a.clone(),
            other => other.to_f64()?.mapv(|x| Complex::new(x, 0.0)),
        })
    }
}

/// Builds a numeric element from an exact number (used by [`Array::convert`]
/// only along lossless widenings).
pub trait FromNumber {
    /// From the value as a float and as an integer (the integer is 0 for
    /// float sources).
    fn from_number(f: f64, i: i128) -> Self;

    /// From a complex value (reached only from `c8` to `c16`; a real type
    /// is never a complex value's widening, so the default, for real
    /// types, is never called with a nonzero `im`).
    fn from_complex(re: f64, im: f64) -> Self
    where
        Self: Sized,
    {
        let _ = im;
        Self::from_number(re, 0)
    }
}

impl FromNumber for Complex<f32> {
    fn from_number(f: f64, _i: i128) -> Self {
        // Only reached along lossless widenings (to `f4` exactly).
        Complex::new(f as f32, 0.0)
    }
    fn from_complex(re: f64, im: f64) -> Self {
        Complex::new(re as f32, im as f32)
    }
}
impl FromNumber for Complex<f64> {
    fn from_number(f: f64, _i: i128) -> Self {
        Complex::new(f, 0.0)
    }
    fn from_complex(re: f64, im: f64) -> Self {
        Complex::new(re, im)
    }
}

macro_rules! from_number_int {
    ($($t:ty),*) => {$(
        impl FromNumber for $t {
            fn from_number(_f: f64, i: i128) -> Self {
                // Only reached along lossless widenings, so `i` fits.
                i as $t
            }
        }
    )*};
}
from_number_int!(i8, i16, i32, i64, u8, u16, u32, u64);

impl FromNumber for f32 {
    fn from_number(f: f64, _i: i128) -> Self {
        f as f32
    }
}
impl FromNumber for f64 {
    fn from_number(f: f64, _i: i128) -> Self {
        f
    }
}
impl FromNumber for bool {
    fn from_number(f: f64, _i: i128) -> Self {
        f != 0.0
    }
}
impl FromNumber for String {
    fn from_number(f: f64, _i: i128) -> Self {
        f.to_string()
    }
}

impl<T: Element, D: ndarray::Dimension> From<ndarray::Array<T, D>> for Array {
    fn from(a: ndarray::Array<T, D>) -> Array {
        T::wrap(a.into_dyn())
    }
}

/// The ndarray slice of a hyperslab with no empty axis.
pub fn slice_info(slab: &[Run]) -> Vec<ndarray::SliceInfoElem> {
    slab.iter()
        .map(|s| ndarray::SliceInfoElem::Slice {
            start: s.first as isize,
            end: Some((s.first + (s.count - 1) * s.stride() + 1) as isize),
            step: s.stride() as isize,
        })
        .collect()
}

/// The number of elements of `shape`, or `None` when it is too large to
/// hold in memory on this machine (the product overflows, or leaves no room
/// for 32 bytes per element).
pub fn checked_len(shape: &[usize]) -> Option<usize> {
    if shape.contains(&0) {
        return Some(0);
    }
    shape
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .filter(|&n| n <= isize::MAX as usize / 32)
}

/// `n` copies of `value` in a new `Vec`, or an error when memory for them
/// cannot be had (a size read from a damaged file, say): never an abort.
///
/// # Errors
///
/// [`StorageError::Unsupported`] naming the size, when the allocator cannot
/// give room for `n` elements.
pub fn try_filled<T: Clone>(n: usize, value: T) -> SResult<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        StorageError::Unsupported(format!(
            "cannot allocate {n} elements of {} bytes: not enough memory",
            std::mem::size_of::<T>()
        ))
    })?;
    v.resize(n, value);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn try_filled_refuses_what_cannot_be_had() {
        assert_eq!(try_filled(3, 7u8).unwrap(), vec![7u8; 3]);
        let e = try_filled(usize::MAX / 2, 0u64).unwrap_err();
        assert!(e.to_string().contains("not enough memory"), "{e}");
    }

    #[test]
    fn dtype_shape_size() {
        let a = Array::F64(array![[1.0, 2.0], [3.0, 4.0]].into_dyn());
        assert_eq!(a.dtype(), DType::F64);
        assert_eq!(a.shape(), &[2, 2]);
        assert_eq!(a.size(), 4);
        let s = Array::scalar(String::from("x"));
        assert_eq!(s.shape(), &[] as &[usize]);
        assert_eq!(s.size(), 1);
    }

    #[test]
    fn convert_widens_and_refuses_narrowing() {
        let a = Array::I32(array![1, -2, 3].into_dyn());
        let f: ArrayD<f64> = a.clone().convert().unwrap();
        assert_eq!(f, array![1.0, -2.0, 3.0].into_dyn());
        let i: ArrayD<i64> = a.clone().convert().unwrap();
        assert_eq!(i, array![1i64, -2, 3].into_dyn());
        assert!(a.convert::<i8>().is_err());
        let big = Array::U32(array![4_000_000_000u32].into_dyn());
        assert_eq!(big.convert::<i64>().unwrap()[[0]], 4_000_000_000i64);
    }

    #[test]
    fn convert_to_complex_widens_exactly() {
        let z = Array::C8(array![Complex::new(1.5f32, -2.0)].into_dyn());
        let w: ArrayD<Complex<f64>> = z.clone().convert().unwrap();
        assert_eq!(w[[0]], Complex::new(1.5, -2.0));
        assert!(z.clone().convert::<f64>().is_err());
        assert_eq!(z.clone().cast(DType::C8).unwrap(), z);
        let i = Array::I16(array![3i16, -4].into_dyn());
        assert_eq!(
            i.cast(DType::C8).unwrap(),
            Array::C8(array![Complex::new(3.0f32, 0.0), Complex::new(-4.0, 0.0)].into_dyn())
        );
        assert!(Array::I32(array![1].into_dyn()).cast(DType::C8).is_err());
        let f = Array::F64(array![0.1].into_dyn());
        assert_eq!(
            f.cast(DType::C16).unwrap(),
            Array::C16(array![Complex::new(0.1, 0.0)].into_dyn())
        );
        assert_eq!(
            Array::C16(array![Complex::new(1.0, 2.0)].into_dyn())
                .to_c64()
                .unwrap()[[0]],
            Complex::new(1.0, 2.0)
        );
        assert!(z.to_f64().is_none());
    }

    #[test]
    fn zeros_and_reshape() {
        let z = Array::zeros(DType::Str, &[2, 0]);
        assert_eq!(z.size(), 0);
        let r = Array::I8(array![1i8, 2, 3, 4].into_dyn())
            .into_shape(&[2, 2])
            .unwrap();
        assert_eq!(r.shape(), &[2, 2]);
        assert!(r.into_shape(&[3]).is_err());
    }

    #[test]
    fn a_record_as_a_batch_of_one() {
        let r = Array::I32(array![[1, 2], [3, 4]].reversed_axes().into_dyn());
        let b = r.to_batch_of_one();
        assert_eq!(b.shape(), &[1, 2, 2]);
        assert_eq!(b, Array::I32(array![[[1, 3], [2, 4]]].into_dyn()));
        assert_eq!(Array::scalar(2.5).to_batch_of_one().shape(), &[1]);
    }
}
