//! Attributes: reading and writing them whole (replacing in place where
//! the type and shape stay), and the reserved ones that mark a None node
//! and an empty leaf.

use std::ffi::CStr;

use hdf5_sys::h5i::hid_t;

use super::data;
use super::raw::{self, Plists, Space, Target};
use super::types;
use qnd_storage::TextLayout;
use qnd_storage::{Array, SResult, StorageError};

/// Marks a committed datatype that is a None node.
pub(super) const NONE_ATTR: &CStr = c"__none__";
/// Holds the shape of an empty leaf (a committed datatype).
pub(super) const SHAPE_ATTR: &CStr = c"__shape__";

/// The shape held by a `__shape__` attribute (integers, any type).
pub(super) fn shape_from(a: &Array) -> SResult<Vec<usize>> {
    let bad = || StorageError::Layout(format!("bad __shape__ attribute {a:?}"));
    if !a.dtype().is_numeric() || a.dtype().is_float() {
        return Err(bad());
    }
    let f = a.to_f64().ok_or_else(bad)?;
    f.iter()
        .map(|&x| {
            if x >= 0.0 && x.fract() == 0.0 && x < 9.0e15 {
                Ok(x as usize)
            } else {
                Err(bad())
            }
        })
        .collect()
}

/// Reads attribute `name` of object `obj`.
///
/// # Errors
/// [`StorageError::Unsupported`] naming what it is for an attribute of a
/// type qnd has no dtype for (`compound {a: i4, b: f8} [3]`, see
/// `types::describe`) or without elements (a null dataspace, h5py's
/// `Empty`); when the library fails.
pub(super) fn read_attr(obj: hid_t, name: &CStr) -> SResult<Array> {
    let a = raw::attr_open(obj, name)?;
    let ftype = raw::attr_type(&a)?;
    let space = raw::attr_space(&a)?;
    let elem = match types::classify(&ftype)? {
        types::Class::Known(e) => e,
        types::Class::Other(words) => {
            return Err(StorageError::Unsupported(match space {
                Space::Null => format!("{words} (empty: a null dataspace)"),
                s => format!("{words} {}", types::shape_words(&s.dims())),
            }))
        }
    };
    let shape = match space {
        Space::Null => {
            return Err(StorageError::Unsupported(format!(
                "{} (empty: a null dataspace)",
                types::describe(&ftype)?
            )))
        }
        s => s.dims(),
    };
    data::read_array(&Target::Attr(&a), &elem, &shape)
}

/// Whether attribute `name` of `obj` is one qnd reads: of a type it has
/// a dtype for, with elements (not a null dataspace, h5py's `Empty`).
pub(super) fn readable(obj: hid_t, name: &CStr) -> SResult<bool> {
    let a = raw::attr_open(obj, name)?;
    if raw::attr_space(&a)? == Space::Null {
        return Ok(false);
    }
    Ok(matches!(
        types::classify(&raw::attr_type(&a)?)?,
        types::Class::Known(_)
    ))
}

/// Writes attribute `name` of object `obj`, replacing it if it exists (in
/// place when the dtype and shape are the same, so that it keeps its
/// position; else it is deleted and created again, last).
pub(super) fn write_attr(obj: hid_t, name: &CStr, value: &Array, plists: &Plists) -> SResult<()> {
    if raw::attr_exists(obj, name)? {
        // Same dtype and shape: overwrite in place, keeping its position.
        let a = raw::attr_open(obj, name)?;
        let elem = types::elem(&raw::attr_type(&a)?).ok();
        let space = raw::attr_space(&a)?;
        if let Some(elem) = elem {
            let fits = elem.dtype == value.dtype()
                && space != Space::Null
                && space.dims() == value.shape()
                && matches!(elem.text, TextLayout::NotText | TextLayout::Variable);
            if fits {
                return data::write_array(&Target::Attr(&a), &elem, value);
            }
        }
        drop(a);
        raw::attr_delete(obj, name)?;
    }
    let ftype = types::attr_file_type(value.dtype())?;
    let elem = types::elem(&ftype)?;
    let a = raw::attr_create(obj, name, &ftype, value.shape(), plists)?;
    if let Err(e) = data::write_array(&Target::Attr(&a), &elem, value) {
        drop(a);
        let _ = raw::attr_delete(obj, name);
        return Err(e);
    }
    Ok(())
}
