//! What a datatype is, whatever its class: read whole into a [`TypeTree`]
//! (a plain Rust value) so that types qnd does not read can be described
//! (see `types::describe`), and the complex type h5py writes made.

use std::ffi::{c_char, CStr};

use hdf5::Datatype;
use hdf5_sys::h5::H5free_memory;
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5t::{
    H5T_class_t, H5T_cset_t, H5T_order_t, H5T_sign_t, H5Tclose, H5Tequal, H5Tget_array_dims2,
    H5Tget_array_ndims, H5Tget_class, H5Tget_cset, H5Tget_member_name, H5Tget_member_type,
    H5Tget_member_value, H5Tget_nmembers, H5Tget_order, H5Tget_sign, H5Tget_size, H5Tget_super,
    H5Tget_tag, H5Tis_variable_str,
};

use qnd_storage::SResult;

use super::{ck, locked, Hid, MAX_RANK};

/// How deep nested types (compounds of arrays of compounds ...) are read;
/// deeper ones are [`TypeTree::Deep`].
const MAX_DEPTH: usize = 16;

/// How many members of a compound or an enum are kept; [`Members::count`]
/// says how many there are in all.
pub(crate) const MAX_MEMBERS: usize = 8;

/// How many members of an enum are read, to keep those of the lowest
/// values.
const MAX_ENUM_READ: usize = 4096;

/// A datatype, read whole (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TypeTree {
    /// An integer of `size` bytes.
    Int {
        size: usize,
        signed: bool,
        big: bool,
    },
    /// A float of `size` bytes.
    Float { size: usize, big: bool },
    /// A string: of `size` bytes, or variable-length (`None`).
    Str { size: Option<usize>, utf8: bool },
    /// A bitfield of `size` bytes.
    Bitfield { size: usize },
    /// Opaque bytes, with the type's tag (`""` when it has none).
    Opaque { size: usize, tag: String },
    /// A time (HDF5's `H5T_TIME`, which no tool writes).
    Time { size: usize },
    /// A compound of named fields.
    Compound {
        size: usize,
        fields: Members<TypeTree>,
    },
    /// A reference.
    Reference(RefKind),
    /// An enumeration over an integer type, its members' values.
    Enum {
        base: Box<TypeTree>,
        members: Members<i128>,
    },
    /// A variable-length sequence.
    Vlen(Box<TypeTree>),
    /// A fixed-size array of `dims`.
    Array {
        dims: Vec<usize>,
        base: Box<TypeTree>,
    },
    /// A type nested deeper than this module reads.
    Deep,
    /// A class this module does not know.
    Unknown,
}

/// The first [`MAX_MEMBERS`] members of a compound (in the type's order)
/// or an enum (in the order of their values), name and what each is, and
/// how many there are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Members<T> {
    pub first: Vec<(String, T)>,
    pub count: usize,
}

/// Which reference type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefKind {
    /// An object reference (`H5T_STD_REF_OBJ`, h5py's `ref_dtype`).
    Object,
    /// A dataset region reference (`H5T_STD_REF_DSETREG`, h5py's
    /// `regionref_dtype`).
    Region,
    /// Another reference type (HDF5 1.12's `H5T_STD_REF`).
    Other,
}

/// A datatype identifier owned here (a member or base type), closed on
/// drop.
fn owned(id: hid_t) -> SResult<Hid> {
    Hid::new(id, H5Tclose)
}

/// A string the library allocated, copied and freed; `""` for null.
///
/// # Safety
/// `p` is null or a NUL-terminated string allocated by the library, not
/// used after this call.
unsafe fn take_string(p: *mut c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: NUL-terminated and alive until freed below (the caller's
    // contract).
    let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
    // SAFETY: allocated by the library, freed once.
    unsafe { H5free_memory(p.cast()) };
    s
}

/// What datatype `dtype` is.
///
/// # Errors
/// When the library fails.
pub(crate) fn type_tree(dtype: &Datatype) -> SResult<TypeTree> {
    tree_of(dtype.id(), 0)
}

fn tree_of(id: hid_t, depth: usize) -> SResult<TypeTree> {
    if depth > MAX_DEPTH {
        return Ok(TypeTree::Deep);
    }
    // SAFETY: no memory is handed over; the library checks `id`.
    let (class, size) = locked(|| unsafe { (H5Tget_class(id), H5Tget_size(id)) });
    // SAFETY: as above.
    let big = || locked(|| unsafe { H5Tget_order(id) }) == H5T_order_t::H5T_ORDER_BE;
    Ok(match class {
        H5T_class_t::H5T_INTEGER => TypeTree::Int {
            size,
            // SAFETY: no memory is handed over.
            signed: locked(|| unsafe { H5Tget_sign(id) }) == H5T_sign_t::H5T_SGN_2,
            big: big(),
        },
        H5T_class_t::H5T_FLOAT => TypeTree::Float { size, big: big() },
        H5T_class_t::H5T_STRING => {
            // SAFETY: no memory is handed over.
            let variable = ck(locked(|| unsafe { H5Tis_variable_str(id) }))? > 0;
            // SAFETY: no memory is handed over.
            let utf8 = locked(|| unsafe { H5Tget_cset(id) }) == H5T_cset_t::H5T_CSET_UTF8;
            TypeTree::Str {
                size: (!variable).then_some(size),
                utf8,
            }
        }
        H5T_class_t::H5T_BITFIELD => TypeTree::Bitfield { size },
        H5T_class_t::H5T_TIME => TypeTree::Time { size },
        H5T_class_t::H5T_OPAQUE => TypeTree::Opaque {
            size,
            // SAFETY: the library returns a new string (or null), taken
            // once.
            tag: locked(|| unsafe { take_string(H5Tget_tag(id)) }),
        },
        H5T_class_t::H5T_REFERENCE => TypeTree::Reference(ref_kind(id)?),
        H5T_class_t::H5T_COMPOUND => TypeTree::Compound {
            size,
            fields: members(id, MAX_MEMBERS, |k| {
                // SAFETY: `k` is a member index below the member count; the
                // new identifier is owned by the `Hid`.
                let t = owned(locked(|| unsafe { H5Tget_member_type(id, k) }))?;
                tree_of(t.id(), depth + 1)
            })?,
        },
        H5T_class_t::H5T_ENUM => {
            // SAFETY: no memory is handed over; the new identifier is owned
            // by the `Hid`.
            let base_id = owned(locked(|| unsafe { H5Tget_super(id) }))?;
            let base = tree_of(base_id.id(), depth + 1)?;
            let (signed, big) = match base {
                TypeTree::Int { signed, big, .. } => (signed, big),
                _ => (true, false),
            };
            let mut values = members(id, MAX_ENUM_READ, |k| {
                let mut buf = vec![0u8; size];
                // SAFETY: `buf` holds `size` bytes, the enum's size, which
                // the library writes one value of.
                ck(locked(|| unsafe {
                    H5Tget_member_value(id, k, buf.as_mut_ptr().cast())
                }))?;
                Ok(int_value(&buf, signed, big))
            })?;
            values.first.sort_by_key(|(_, v)| *v);
            values.first.truncate(MAX_MEMBERS);
            TypeTree::Enum {
                base: Box::new(base),
                members: values,
            }
        }
        H5T_class_t::H5T_VLEN => {
            // SAFETY: no memory is handed over; the new identifier is owned
            // by the `Hid`.
            let base = owned(locked(|| unsafe { H5Tget_super(id) }))?;
            TypeTree::Vlen(Box::new(tree_of(base.id(), depth + 1)?))
        }
        H5T_class_t::H5T_ARRAY => {
            // SAFETY: no memory is handed over.
            let n = ck(locked(|| unsafe { H5Tget_array_ndims(id) }))? as usize;
            if n > MAX_RANK {
                return Ok(TypeTree::Unknown);
            }
            let mut dims = [0u64; MAX_RANK];
            // SAFETY: `dims` holds `MAX_RANK` entries, at least the `n` the
            // library writes.
            ck(locked(|| unsafe {
                H5Tget_array_dims2(id, dims.as_mut_ptr())
            }))?;
            // SAFETY: no memory is handed over; the new identifier is owned
            // by the `Hid`.
            let base = owned(locked(|| unsafe { H5Tget_super(id) }))?;
            TypeTree::Array {
                dims: dims[..n].iter().map(|&d| d as usize).collect(),
                base: Box::new(tree_of(base.id(), depth + 1)?),
            }
        }
        _ => TypeTree::Unknown,
    })
}

/// The first `limit` members of compound or enum `id`, each as `each`
/// reads it by index.
fn members<T>(
    id: hid_t,
    limit: usize,
    mut each: impl FnMut(u32) -> SResult<T>,
) -> SResult<Members<T>> {
    // SAFETY: no memory is handed over.
    let count = ck(locked(|| unsafe { H5Tget_nmembers(id) }))? as usize;
    let mut first = Vec::new();
    for k in 0..count.min(limit) as u32 {
        // SAFETY: `k` is below the member count; the library returns a new
        // string, taken once.
        let name = locked(|| unsafe { take_string(H5Tget_member_name(id, k)) });
        first.push((name, each(k)?));
    }
    Ok(Members { first, count })
}

/// An integer of `bytes` (at most 16 read), in that byte order.
fn int_value(bytes: &[u8], signed: bool, big: bool) -> i128 {
    let mut b: Vec<u8> = bytes.iter().copied().take(16).collect();
    if big {
        b.reverse();
    }
    let negative = signed && b.last().is_some_and(|&x| x & 0x80 != 0);
    let mut full = [if negative { 0xff } else { 0 }; 16];
    full[..b.len()].copy_from_slice(&b);
    i128::from_le_bytes(full)
}

/// Which reference type `id` (of class reference) is.
fn ref_kind(id: hid_t) -> SResult<RefKind> {
    let is = |other: hid_t| -> SResult<bool> {
        // SAFETY: no memory is handed over; both are datatypes.
        Ok(ck(locked(|| unsafe { H5Tequal(id, other) }))? > 0)
    };
    Ok(if is(*hdf5::globals::H5T_STD_REF_OBJ)? {
        RefKind::Object
    } else if is(*hdf5::globals::H5T_STD_REF_DSETREG)? {
        RefKind::Region
    } else {
        RefKind::Other
    })
}

/// Types other tools write that the high-level crate cannot make, for
/// the tests: opaque, bitfield, time, n-d arrays.
#[cfg(test)]
pub(crate) mod made {
    use std::ffi::CStr;

    use hdf5::Datatype;
    use hdf5_sys::h5t::{H5T_class_t, H5Tarray_create2, H5Tcopy, H5Tcreate, H5Tinsert, H5Tset_tag};

    use super::super::{ck, ck_id, lib, locked};
    use qnd_storage::SResult;

    /// A new datatype from an identifier a raw call returned.
    fn adopt(id: hdf5_sys::h5i::hid_t) -> SResult<Datatype> {
        let id = ck_id(id)?;
        // SAFETY: a new datatype identifier, checked, owned by nothing
        // else: handed to the `Datatype`.
        locked(|| unsafe { hdf5::from_id::<Datatype>(id) }).map_err(lib)
    }

    /// Opaque data of `size` bytes tagged `tag`.
    pub(crate) fn opaque(size: usize, tag: &CStr) -> SResult<Datatype> {
        // SAFETY: no memory is handed over.
        let t = adopt(locked(|| unsafe {
            H5Tcreate(H5T_class_t::H5T_OPAQUE, size)
        }))?;
        // SAFETY: `tag` is NUL-terminated; `t` is a transient opaque type.
        ck(locked(|| unsafe { H5Tset_tag(t.id(), tag.as_ptr()) }))?;
        Ok(t)
    }

    /// A copy of predefined type `base` (a bitfield, a time).
    pub(crate) fn copy(base: hdf5_sys::h5i::hid_t) -> SResult<Datatype> {
        // SAFETY: no memory is handed over.
        adopt(locked(|| unsafe { H5Tcopy(base) }))
    }

    /// A compound of `size` bytes of `fields` (name, offset, type).
    pub(crate) fn compound(size: usize, fields: &[(&CStr, usize, &Datatype)]) -> SResult<Datatype> {
        // SAFETY: no memory is handed over.
        let t = adopt(locked(|| unsafe {
            H5Tcreate(H5T_class_t::H5T_COMPOUND, size)
        }))?;
        for (name, offset, member) in fields {
            // SAFETY: `name` is NUL-terminated; the library copies the
            // member type.
            ck(locked(|| unsafe {
                H5Tinsert(t.id(), name.as_ptr(), *offset, member.id())
            }))?;
        }
        Ok(t)
    }

    /// An array of `dims` of `base`.
    pub(crate) fn array(base: &Datatype, dims: &[u64]) -> SResult<Datatype> {
        // SAFETY: `dims` holds the `dims.len()` entries passed as the rank.
        adopt(locked(|| unsafe {
            H5Tarray_create2(base.id(), dims.len() as u32, dims.as_ptr())
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_values_in_either_order() {
        assert_eq!(int_value(&[0xff, 0xff], true, false), -1);
        assert_eq!(int_value(&[0xff, 0xff], false, false), 65535);
        assert_eq!(int_value(&[0x01, 0x00], true, true), 256);
        assert_eq!(int_value(&[0x00, 0x01], true, false), 256);
        assert_eq!(int_value(&[0x80], true, false), -128);
        assert_eq!(int_value(&[], true, false), 0);
    }
}
