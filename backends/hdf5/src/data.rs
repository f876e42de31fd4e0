//! Moving [`Array`]s in and out of datasets and attributes through typed
//! buffers.

use std::ffi::{c_char, c_void, CStr, CString};
use std::mem::size_of;

use hdf5::{Dataset, Datatype};
use ndarray::{ArrayD, IxDyn};

use super::raw::{self, Hid, Selection};
use super::types::{Elem, Text};
use qnd_storage::SResult;
use qnd_storage::StorageError;
use qnd_storage::{Array, DType};

/// Where data goes: a selection of a dataset, or a whole attribute.
pub(super) enum Target<'a> {
    /// A hyperslab of a dataset.
    Dataset(&'a Dataset, &'a Selection),
    /// An attribute.
    Attr(&'a Hid),
}

impl Target<'_> {
    /// # Safety
    /// `buf` must hold as many elements of `mem` as the target has.
    unsafe fn read(&self, mem: &Datatype, buf: *mut c_void) -> SResult<()> {
        match self {
            Target::Dataset(ds, sel) => raw::dataset_read(ds, sel, mem, buf),
            Target::Attr(a) => raw::attr_read(a, mem, buf),
        }
    }

    /// # Safety
    /// `buf` must hold as many elements of `mem` as the target has.
    unsafe fn write(&self, mem: &Datatype, buf: *const c_void) -> SResult<()> {
        match self {
            Target::Dataset(ds, sel) => raw::dataset_write(ds, sel, mem, buf),
            Target::Attr(a) => raw::attr_write(a, mem, buf),
        }
    }
}

/// The buffers below are sized from the memory type: make sure it is the
/// size they assume.
fn check_size(mem: &Datatype, size: usize) -> SResult<()> {
    if mem.size() != size {
        return Err(StorageError::Layout(format!(
            "memory type of {} bytes, expected {size}",
            mem.size()
        )));
    }
    Ok(())
}

fn shaped<T>(shape: &[usize], v: Vec<T>) -> SResult<ArrayD<T>> {
    ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| StorageError::Layout(e.to_string()))
}

fn read_plain<T: Copy + Default>(t: &Target, mem: &Datatype, n: usize) -> SResult<Vec<T>> {
    check_size(mem, size_of::<T>())?;
    let mut v = vec![T::default(); n];
    // SAFETY: `v` holds `n` elements of the memory type's size, `n` being
    // the number of elements of the target (checked by the callers).
    unsafe { t.read(mem, v.as_mut_ptr().cast())? };
    Ok(v)
}

fn write_plain<T: Copy>(t: &Target, mem: &Datatype, v: &[T]) -> SResult<()> {
    check_size(mem, size_of::<T>())?;
    // SAFETY: as in `read_plain`.
    unsafe { t.write(mem, v.as_ptr().cast()) }
}

/// Decodes stored text: UTF-8, invalid sequences replaced.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn read_text(t: &Target, e: &Elem, n: usize) -> SResult<Vec<String>> {
    match e.text {
        Text::Fixed { size, .. } => {
            check_size(&e.mem, size)?;
            let mut buf = vec![0u8; n * size];
            // SAFETY: `buf` holds `n` strings of `size` bytes.
            unsafe { t.read(&e.mem, buf.as_mut_ptr().cast())? };
            Ok(buf
                .chunks(size.max(1))
                .take(n)
                .map(|s| {
                    let end = s.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
                    text(&s[..end])
                })
                .collect())
        }
        Text::VarLen => {
            check_size(&e.mem, size_of::<*mut c_char>())?;
            let mut ptrs: Vec<*mut c_char> = vec![std::ptr::null_mut(); n];
            // SAFETY: `ptrs` holds `n` string pointers.
            unsafe { t.read(&e.mem, ptrs.as_mut_ptr().cast())? };
            let out = ptrs
                .iter()
                .map(|&p| {
                    if p.is_null() {
                        String::new()
                    } else {
                        // SAFETY: the library wrote a NUL-terminated string.
                        text(unsafe { CStr::from_ptr(p) }.to_bytes())
                    }
                })
                .collect();
            for p in ptrs {
                // SAFETY: allocated by the library during the read.
                unsafe { raw::free(p.cast()) };
            }
            Ok(out)
        }
        Text::No => Err(StorageError::Layout("text without a string type".into())),
    }
}

fn write_text(t: &Target, e: &Elem, strings: &[&String]) -> SResult<()> {
    match e.text {
        Text::Fixed { size, width } => {
            check_size(&e.mem, size)?;
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
            // SAFETY: `buf` holds one string of `size` bytes per element.
            unsafe { t.write(&e.mem, buf.as_ptr().cast()) }
        }
        Text::VarLen => {
            check_size(&e.mem, size_of::<*const c_char>())?;
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
            let ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
            // SAFETY: `ptrs` holds one pointer per element, each to a
            // NUL-terminated string alive until the call returns.
            unsafe { t.write(&e.mem, ptrs.as_ptr().cast()) }
        }
        Text::No => Err(StorageError::Layout("text without a string type".into())),
    }
}

/// Reads the whole target, which has `shape`, as an array of `e`'s dtype.
pub(super) fn read_array(t: &Target, e: &Elem, shape: &[usize]) -> SResult<Array> {
    let n: usize = shape.iter().product();
    if n == 0 {
        return Ok(Array::zeros(e.dtype, shape));
    }
    macro_rules! plain {
        ($v:ident, $t:ty) => {
            Array::$v(shaped(shape, read_plain::<$t>(t, &e.mem, n)?)?)
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
            let v = read_plain::<u8>(t, &e.mem, n)?;
            Array::Bool(shaped(shape, v.into_iter().map(|b| b != 0).collect())?)
        }
        DType::Str => Array::Str(shaped(shape, read_text(t, e, n)?)?),
    })
}

/// Writes `data` (of the target's size, checked by the callers) to the
/// whole target.
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
                Some(s) => write_plain(t, &e.mem, s),
                None => write_plain(t, &e.mem, &$a.iter().copied().collect::<Vec<_>>()),
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
        Array::Bool(a) => write_plain(
            t,
            &e.mem,
            &a.iter().map(|&b| u8::from(b)).collect::<Vec<_>>(),
        ),
        Array::Str(a) => write_text(t, e, &a.iter().collect::<Vec<_>>()),
    }
}
