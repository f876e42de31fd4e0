//! Element types of leaves.

use std::fmt;

/// The element type of a leaf: one of numpy's codes `i1 .. f8`, `b1`, `str`.
///
/// The digit in a code is the size in bytes, so [`DType::I64`] is `i8`.
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
    /// `bool`, numpy `b1` (stored as h5py's enum over int8).
    Bool,
    /// UTF-8 text, one string per element.
    Str,
}

impl DType {
    /// Every element type, in the order of numpy's codes.
    pub const ALL: [DType; 12] = [
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
            DType::I64 | DType::U64 | DType::F64 => 8,
            DType::Str => 0,
        }
    }

    /// True for the integer and float types.
    pub fn is_numeric(self) -> bool {
        !matches!(self, DType::Bool | DType::Str)
    }

    /// True for the float types.
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
            )
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
        assert_eq!(DType::from_code("c16"), None);
        assert_eq!(DType::I64.code(), "i8");
    }

    #[test]
    fn widening_is_lossless_only() {
        assert!(DType::I32.widens_to(DType::F64));
        assert!(!DType::I64.widens_to(DType::F64));
        assert!(!DType::F64.widens_to(DType::F32));
        assert!(!DType::U8.widens_to(DType::I8));
        assert!(!DType::Bool.widens_to(DType::I8));
    }
}
