//! Element types of leaves.

use std::fmt;

/// The element type of a leaf: one of numpy's codes `i1 .. f8`, `c8`,
/// `c16`, `b1`, `str`.
///
/// The digit in a code is the size in bytes, so [`DType::I64`] is `i8` and
/// [`DType::C8`] (two `f32`) is `c8`.
///
/// Kinds of type: the *real* types are the integers and floats
/// ([`DType::is_real`]); the *complex* types are [`DType::C8`] and
/// [`DType::C16`] ([`DType::is_complex`]); both are *numeric*
/// ([`DType::is_numeric`], as numpy's `np.number`). Code that turns values
/// into `f64` (ordering, plotting, goto) asks [`DType::is_real`]: a complex
/// value has no order and is never silently cut to its real part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    /// `i8` in Rust, numpy `i1`.
    I8,
    /// `i16`, numpy `i2`.
    I16,
    /// `i32`, numpy `i4`.
    I32,
    /// `i64`, numpy `i8`.
    I64,
    /// `u8`, numpy `u1`.
    U8,
    /// `u16`, numpy `u2`.
    U16,
    /// `u32`, numpy `u4`.
    U32,
    /// `u64`, numpy `u8`.
    U64,
    /// `f32`, numpy `f4`.
    F32,
    /// `f64`, numpy `f8`.
    F64,
    /// `Complex<f32>` ([`num_complex::Complex32`]), numpy `c8` (`complex64`).
    C8,
    /// `Complex<f64>` ([`num_complex::Complex64`]), numpy `c16` (`complex128`).
    C16,
    /// `bool`, numpy `b1` (stored as h5py's enum over int8).
    Bool,
    /// UTF-8 text, one string per element.
    Str,
}

impl DType {
    /// Every element type, in the order of numpy's codes.
    pub const ALL: [DType; 14] = [
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F32,
        DType::F64,
        DType::C8,
        DType::C16,
        DType::Bool,
        DType::Str,
    ];

    /// numpy's code for this type (`"i8"` for [`DType::I64`], `"str"` for text).
    pub fn code(self) -> &'static str {
        match self {
            DType::I8 => "i1",
            DType::I16 => "i2",
            DType::I32 => "i4",
            DType::I64 => "i8",
            DType::U8 => "u1",
            DType::U16 => "u2",
            DType::U32 => "u4",
            DType::U64 => "u8",
            DType::F32 => "f4",
            DType::F64 => "f8",
            DType::C8 => "c8",
            DType::C16 => "c16",
            DType::Bool => "b1",
            DType::Str => "str",
        }
    }

    /// The type with numpy code `code`, if any.
    pub fn from_code(code: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|d| d.code() == code)
    }

    /// Size of one element in bytes (text: 0, its size varies).
    pub fn size(self) -> usize {
        match self {
            DType::I8 | DType::U8 | DType::Bool => 1,
            DType::I16 | DType::U16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 | DType::C8 => 8,
            DType::C16 => 16,
            DType::Str => 0,
        }
    }

    /// True for the integer, float and complex types (numpy's `np.number`;
    /// not bool, not text). See [`DType::is_real`] for the types that
    /// convert to `f64` and have an order.
    pub fn is_numeric(self) -> bool {
        !matches!(self, DType::Bool | DType::Str)
    }

    /// True for the integer and float types: the numeric types whose
    /// values are ordered and convert to `f64` (not complex).
    pub fn is_real(self) -> bool {
        self.is_numeric() && !self.is_complex()
    }

    /// True for [`DType::C8`] and [`DType::C16`].
    pub fn is_complex(self) -> bool {
        matches!(self, DType::C8 | DType::C16)
    }

    /// The complex type that holds every value of this real type exactly,
    /// as [`DType::widens_to`] says (`c8` for types that widen to `f4`,
    /// `c16` for those that widen to `f8`; the complex types give
    /// themselves); `None` for bool, text and 64-bit integers.
    pub fn complex_of(self) -> Option<DType> {
        use DType::*;
        [C8, C16].into_iter().find(|&c| self.widens_to(c))
    }

    /// True for the real float types (`f4`, `f8`; not complex).
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }

    /// True when every value of `self` is exactly representable in `to`
    /// (the conversions a read may make silently).
    pub fn widens_to(self, to: DType) -> bool {
        use DType::*;
        self == to
            || matches!(
                (self, to),
                (I8, I16 | I32 | I64 | F32 | F64)
                    | (I16, I32 | I64 | F32 | F64)
                    | (I32, I64 | F64)
                    | (U8, I16 | I32 | I64 | U16 | U32 | U64 | F32 | F64)
                    | (U16, I32 | I64 | U32 | U64 | F32 | F64)
                    | (U32, I64 | U64 | F64)
                    | (F32, F64)
                    | (C8, C16)
            )
            || (self.is_real() && {
                // A real value is a complex one with a zero imaginary
                // part: exact when the real part's float holds it.
                let part = if to == C8 { F32 } else { F64 };
                to.is_complex() && self.widens_to(part)
            })
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for d in DType::ALL {
            assert_eq!(DType::from_code(d.code()), Some(d));
        }
        assert_eq!(DType::from_code("c16"), Some(DType::C16));
        assert_eq!(DType::from_code("c32"), None);
        assert_eq!(DType::C8.size(), 8);
        assert_eq!(DType::C16.size(), 16);
        assert_eq!(DType::I64.code(), "i8");
    }

    #[test]
    fn widening_is_lossless_only() {
        assert!(DType::I32.widens_to(DType::F64));
        assert!(!DType::I64.widens_to(DType::F64));
        assert!(!DType::F64.widens_to(DType::F32));
        assert!(!DType::U8.widens_to(DType::I8));
        assert!(!DType::Bool.widens_to(DType::I8));
        assert!(DType::C8.widens_to(DType::C16));
        assert!(!DType::C16.widens_to(DType::C8));
        assert!(DType::F32.widens_to(DType::C8));
        assert!(DType::I16.widens_to(DType::C8));
        assert!(!DType::I32.widens_to(DType::C8));
        assert!(DType::I32.widens_to(DType::C16));
        assert!(!DType::I64.widens_to(DType::C16));
        assert!(!DType::C8.widens_to(DType::F64));
        assert!(!DType::Bool.widens_to(DType::C8));
        assert_eq!(DType::U8.complex_of(), Some(DType::C8));
        assert_eq!(DType::F64.complex_of(), Some(DType::C16));
        assert_eq!(DType::U64.complex_of(), None);
    }

    #[test]
    fn kinds() {
        assert!(DType::C8.is_numeric() && DType::C8.is_complex() && !DType::C8.is_real());
        assert!(DType::F32.is_real() && !DType::F32.is_complex());
        assert!(!DType::C16.is_float());
        assert!(!DType::Bool.is_real() && !DType::Str.is_numeric());
    }
}
