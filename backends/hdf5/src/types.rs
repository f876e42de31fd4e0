//! Element types: which [`DType`] an HDF5 datatype reads as, the memory
//! type to move it with, and the file types this backend writes.

use hdf5::types::{FloatSize, IntSize, TypeDescriptor as TD};
use hdf5::Datatype;

use super::raw::{is_nullterm, is_small_float, lib};
use qnd_storage::DType;
use qnd_storage::SResult;
use qnd_storage::{StorageError, TextLayout};

/// An element type as stored: its [`DType`], the memory type to read and
/// write it with (the library converts byte order, string padding and enum
/// values), and the text layout.
#[derive(Clone, Debug)]
pub(super) struct Elem {
    pub dtype: DType,
    pub mem: Datatype,
    pub text: TextLayout,
}

fn int_size(n: usize) -> IntSize {
    match n {
        1 => IntSize::U1,
        2 => IntSize::U2,
        4 => IntSize::U4,
        _ => IntSize::U8,
    }
}

/// The native-order descriptor of a non-text dtype.
fn native(d: DType) -> Option<TD> {
    Some(match d {
        DType::I8 | DType::I16 | DType::I32 | DType::I64 => TD::Integer(int_size(d.size())),
        DType::U8 | DType::U16 | DType::U32 | DType::U64 => TD::Unsigned(int_size(d.size())),
        DType::F32 => TD::Float(FloatSize::U4),
        DType::F64 => TD::Float(FloatSize::U8),
        DType::Bool => TD::Boolean,
        // complex: refused by `file_type`/`attr_file_type` before this
        DType::C8 | DType::C16 | DType::Str => return None,
    })
}

/// Complex is not written yet (h5py's compound {r, i} comes next).
fn refuse_complex(dtype: DType) -> SResult<()> {
    if dtype.is_complex() {
        return Err(StorageError::Unsupported(format!(
            "complex ({dtype}) in HDF5 files: not yet"
        )));
    }
    Ok(())
}

fn int_dtype(size: IntSize, signed: bool) -> DType {
    match (size, signed) {
        (IntSize::U1, true) => DType::I8,
        (IntSize::U2, true) => DType::I16,
        (IntSize::U4, true) => DType::I32,
        (IntSize::U8, true) => DType::I64,
        (IntSize::U1, false) => DType::U8,
        (IntSize::U2, false) => DType::U16,
        (IntSize::U4, false) => DType::U32,
        (IntSize::U8, false) => DType::U64,
    }
}

fn from_desc(desc: &TD) -> SResult<Datatype> {
    Datatype::from_descriptor(desc).map_err(lib)
}

/// What a stored datatype reads as.
///
/// # Errors
/// [`StorageError::Layout`] for types qnd has no dtype for (compound,
/// array, reference, opaque, odd-sized numbers).
pub(super) fn classify(ftype: &Datatype) -> SResult<Elem> {
    let desc = match ftype.to_descriptor() {
        Ok(d) => d,
        // half floats (h5py's f2), which the crate knows only with its
        // `f16` feature: read as f32, the library converts
        Err(_) if is_small_float(ftype) => TD::Float(FloatSize::U4),
        Err(e) => {
            return Err(StorageError::Layout(format!(
                "unsupported HDF5 datatype: {e}"
            )))
        }
    };
    let num = |dtype: DType| -> SResult<Elem> {
        let d = native(dtype).ok_or_else(|| StorageError::Layout("not a number".into()))?;
        Ok(Elem {
            dtype,
            mem: from_desc(&d)?,
            text: TextLayout::NotText,
        })
    };
    match desc {
        TD::Integer(s) => num(int_dtype(s, true)),
        TD::Unsigned(s) => num(int_dtype(s, false)),
        TD::Float(FloatSize::U8) => num(DType::F64),
        // f4, and f2 where the crate knows it: read as f32
        TD::Float(_) => num(DType::F32),
        TD::Boolean => num(DType::Bool),
        // Other enums read as their integer values (as h5py does); the
        // memory type is the same enum over the native integer.
        TD::Enum(e) => Ok(Elem {
            dtype: int_dtype(e.size, e.signed),
            mem: from_desc(&TD::Enum(e))?,
            text: TextLayout::NotText,
        }),
        TD::FixedAscii(size) | TD::FixedUnicode(size) => {
            let width = if is_nullterm(ftype) {
                size.saturating_sub(1)
            } else {
                size
            };
            Ok(Elem {
                dtype: DType::Str,
                // same size and character set, NUL padded
                mem: from_desc(&desc)?,
                text: TextLayout::Fixed { size, width },
            })
        }
        TD::VarLenAscii | TD::VarLenUnicode => Ok(Elem {
            dtype: DType::Str,
            mem: from_desc(&desc)?,
            text: TextLayout::Variable,
        }),
        other => Err(StorageError::Layout(format!(
            "unsupported HDF5 datatype: {other:?}"
        ))),
    }
}

/// The file type of new leaves: native numbers, h5py's bool enum, and for
/// text fixed-length NUL-padded ASCII-tagged strings of `text_len` bytes
/// (at least 1), which is what h5py writes for numpy `S<n>`.
pub(super) fn file_type(dtype: DType, text_len: usize) -> SResult<Datatype> {
    refuse_complex(dtype)?;
    match native(dtype) {
        Some(d) => from_desc(&d),
        None => from_desc(&TD::FixedAscii(text_len.max(1))),
    }
}

/// The file type of new attributes: as [`file_type`], but text is
/// variable-length UTF-8 (what h5py writes for a Python `str`).
pub(super) fn attr_file_type(dtype: DType) -> SResult<Datatype> {
    refuse_complex(dtype)?;
    match native(dtype) {
        Some(d) => from_desc(&d),
        None => from_desc(&TD::VarLenUnicode),
    }
}
