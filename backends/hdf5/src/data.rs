//! Moving [`Array`]s in and out of datasets and attributes through typed
//! buffers (moved by [`Target`], in the raw module).

use std::ffi::CString;

use ndarray::{ArrayD, IxDyn};

use super::raw::Target;
use super::types::Elem;
use qnd_storage::TextLayout;
use qnd_storage::{Array, DType, SResult, StorageError};

fn shaped<T>(shape: &[usize], v: Vec<T>) -> SResult<ArrayD<T>> {
    ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| StorageError::Layout(e.to_string()))
}

/// Decodes stored text: UTF-8, invalid sequences replaced.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn read_text(t: &Target, e: &Elem, n: usize) -> SResult<Vec<String>> {
    match e.text {
        TextLayout::Fixed { size, .. } => {
            let buf = t.read_fixed(&e.mem, n, size)?;
            Ok(buf
                .chunks(size.max(1))
                .take(n)
                .map(|s| {
                    let end = s.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
                    text(&s[..end])
                })
                .collect())
        }
        TextLayout::Variable => t.read_varlen(&e.mem, n, text),
        TextLayout::NotText => Err(StorageError::Layout("text without a string type".into())),
    }
}

fn write_text(t: &Target, e: &Elem, strings: &[&String]) -> SResult<()> {
    match e.text {
        TextLayout::Fixed { size, width } => {
            let mut buf = vec![0u8; strings.len() * size];
            for (k, s) in strings.iter().enumerate() {
                let b = s.as_bytes();
                if b.len() > width {
                    return Err(StorageError::Unsupported(format!(
                        "text of {} bytes does not fit width {width}",
                        b.len()
                    )));
                }
                buf[k * size..k * size + b.len()].copy_from_slice(b);
            }
            t.write_fixed(&e.mem, &buf, size)
        }
        TextLayout::Variable => {
            let owned = strings
                .iter()
                .map(|s| {
                    CString::new(s.as_bytes()).map_err(|_| {
                        StorageError::Unsupported(
                            "text holding a NUL byte cannot be a variable-length string".into(),
                        )
                    })
                })
                .collect::<SResult<Vec<CString>>>()?;
            t.write_varlen(&e.mem, &owned)
        }
        TextLayout::NotText => Err(StorageError::Layout("text without a string type".into())),
    }
}

/// Reads the whole target, which has `shape`, as an array of `e`'s dtype.
pub(super) fn read_array(t: &Target, e: &Elem, shape: &[usize]) -> SResult<Array> {
    let n = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| StorageError::Layout(format!("a shape of too many elements: {shape:?}")))?;
    if n == 0 {
        return Ok(Array::zeros(e.dtype, shape));
    }
    macro_rules! plain {
        ($v:ident, $t:ty) => {
            Array::$v(shaped(shape, t.read_plain::<$t>(&e.mem, n)?)?)
        };
    }
    Ok(match e.dtype {
        DType::I8 => plain!(I8, i8),
        DType::I16 => plain!(I16, i16),
        DType::I32 => plain!(I32, i32),
        DType::I64 => plain!(I64, i64),
        DType::U8 => plain!(U8, u8),
        DType::U16 => plain!(U16, u16),
        DType::U32 => plain!(U32, u32),
        DType::U64 => plain!(U64, u64),
        DType::F32 => plain!(F32, f32),
        DType::F64 => plain!(F64, f64),
        DType::Bool => {
            // bytes, not `bool`: a value other than 0/1 must not become UB
            let v = t.read_plain::<u8>(&e.mem, n)?;
            Array::Bool(shaped(shape, v.into_iter().map(|b| b != 0).collect())?)
        }
        DType::C8 | DType::C16 => {
            return Err(StorageError::Unsupported(format!(
                "complex ({}) in HDF5 files: not yet",
                e.dtype
            )))
        }
        DType::Str => Array::Str(shaped(shape, read_text(t, e, n)?)?),
    })
}

/// Checks that `data` can be written as `e` (its dtype; text: each string
/// fits the stored width, and holds no NUL byte where stored as a
/// variable-length string), without writing: what [`write_array`] would
/// refuse before calling the library.
#[cfg(feature = "mpi")]
pub(super) fn check_array(e: &Elem, data: &Array) -> SResult<()> {
    if data.dtype() != e.dtype {
        return Err(StorageError::Layout(format!(
            "data of dtype {}, stored as {}",
            data.dtype(),
            e.dtype
        )));
    }
    let Array::Str(a) = data else {
        return Ok(());
    };
    match e.text {
        TextLayout::Fixed { width, .. } => match a.iter().find(|s| s.len() > width) {
            Some(s) => Err(StorageError::Unsupported(format!(
                "text of {} bytes does not fit width {width}",
                s.len()
            ))),
            None => Ok(()),
        },
        TextLayout::Variable if a.iter().any(|s| s.contains('\0')) => {
            Err(StorageError::Unsupported(
                "text holding a NUL byte cannot be a variable-length string".into(),
            ))
        }
        TextLayout::Variable => Ok(()),
        TextLayout::NotText => Err(StorageError::Layout("text without a string type".into())),
    }
}

/// Writes `data` (of the target's size, checked by the callers, and again
/// by [`Target`]) to the whole target.
pub(super) fn write_array(t: &Target, e: &Elem, data: &Array) -> SResult<()> {
    if data.dtype() != e.dtype {
        return Err(StorageError::Layout(format!(
            "data of dtype {}, stored as {}",
            data.dtype(),
            e.dtype
        )));
    }
    if data.size() == 0 {
        return Ok(());
    }
    macro_rules! plain {
        ($a:expr) => {
            match $a.as_slice() {
                Some(s) => t.write_plain(&e.mem, s),
                None => t.write_plain(&e.mem, &$a.iter().copied().collect::<Vec<_>>()),
            }
        };
    }
    match data {
        Array::I8(a) => plain!(a),
        Array::I16(a) => plain!(a),
        Array::I32(a) => plain!(a),
        Array::I64(a) => plain!(a),
        Array::U8(a) => plain!(a),
        Array::U16(a) => plain!(a),
        Array::U32(a) => plain!(a),
        Array::U64(a) => plain!(a),
        Array::F32(a) => plain!(a),
        Array::F64(a) => plain!(a),
        Array::Bool(a) => {
            t.write_plain(&e.mem, &a.iter().map(|&b| u8::from(b)).collect::<Vec<_>>())
        }
        Array::C8(_) | Array::C16(_) => Err(StorageError::Unsupported(format!(
            "complex ({}) in HDF5 files: not yet",
            data.dtype()
        ))),
        Array::Str(a) => write_text(t, e, &a.iter().collect::<Vec<_>>()),
    }
}
