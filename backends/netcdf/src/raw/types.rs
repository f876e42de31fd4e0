//! User-defined types beyond the bool enum: the fields of compounds and
//! the members of enums (to describe a type qnd does not read, and to find
//! complex compounds), compounds defined (complex), and, for tests, the
//! other classes defined (opaque, vlen, enums over bytes, array fields).

use std::ffi::{c_int, CStr};

use netcdf_sys as nc;
use netcdf_sys::nc_type;

use qnd_storage::SResult;

use super::{layout, len, locked, name_buf, name_from, user_type};

/// One field of a compound type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    pub name: String,
    /// Bytes from the start of the compound.
    pub offset: usize,
    pub xtype: nc_type,
    /// The field's array shape (empty for a scalar field).
    pub dims: Vec<usize>,
}

/// Field `i` of compound type `xtype`.
pub(crate) fn compound_field(ncid: c_int, xtype: nc_type, i: usize) -> SResult<Field> {
    let i = c_int::try_from(i).map_err(|_| layout(format!("compound field {i}")))?;
    locked(|| {
        let mut buf = name_buf();
        let (mut offset, mut ftype, mut ndims) = (0usize, 0, 0);
        // SAFETY: `buf` holds the longest name and its NUL; the others are
        // live locals for one value each; a null list asks for no sizes.
        call!(unsafe {
            nc::nc_inq_compound_field(
                ncid,
                xtype,
                i,
                buf.as_mut_ptr().cast(),
                &mut offset,
                &mut ftype,
                &mut ndims,
                std::ptr::null_mut(),
            )
        })?;
        let mut sizes: Vec<c_int> = vec![0; len(ndims)];
        if !sizes.is_empty() {
            // SAFETY: `sizes` has room for the `ndims` sizes just counted.
            call!(unsafe {
                nc::nc_inq_compound_fielddim_sizes(ncid, xtype, i, sizes.as_mut_ptr())
            })?;
        }
        Ok(Field {
            name: name_from(&buf),
            offset,
            xtype: ftype,
            dims: sizes.into_iter().map(len).collect(),
        })
    })
}

/// For a compound type of complex numbers, the float type of its parts
/// (`NC_FLOAT` or `NC_DOUBLE`); `None` for any other type. Complex is the
/// convention netCDF4-python (1.7 and later, `auto_complex=True`, through
/// nc-complex) reads: two scalar fields of the same float type, the first
/// named `r...` and the second `i...` (in any case: `r`/`i`,
/// `real`/`imag`, `Re`/`Im`). qnd reads such a compound as complex when
/// it is laid out as `Complex<f32>` or `Complex<f64>` is (real part at 0,
/// imaginary part right after it, nothing else), so that its elements
/// move as they are.
pub(crate) fn complex_base(ncid: c_int, xtype: nc_type) -> SResult<Option<nc_type>> {
    if xtype <= nc::NC_STRING {
        return Ok(None);
    }
    let t = user_type(ncid, xtype)?;
    if t.class != nc::NC_COMPOUND || t.members != 2 {
        return Ok(None);
    }
    let (re, im) = (
        compound_field(ncid, xtype, 0)?,
        compound_field(ncid, xtype, 1)?,
    );
    let part = match re.xtype {
        nc::NC_FLOAT => 4,
        nc::NC_DOUBLE => 8,
        _ => return Ok(None),
    };
    let starts = |f: &Field, c: char| {
        f.name
            .chars()
            .next()
            .is_some_and(|first| first.eq_ignore_ascii_case(&c))
    };
    let complex = im.xtype == re.xtype
        && re.dims.is_empty()
        && im.dims.is_empty()
        && starts(&re, 'r')
        && starts(&im, 'i')
        && re.offset == 0
        && im.offset == part
        && t.size == 2 * part;
    Ok(complex.then_some(re.xtype))
}

/// Member `i` of enum type `xtype`: its name and value, as the bytes of
/// the enum's base type (in native order) at the start of 8 bytes.
pub(crate) fn enum_member(ncid: c_int, xtype: nc_type, i: usize) -> SResult<(String, [u8; 8])> {
    let i = c_int::try_from(i).map_err(|_| layout(format!("enum member {i}")))?;
    let mut buf = name_buf();
    let mut v = [0u8; 8];
    // SAFETY: `buf` holds the longest name and its NUL, `v` a value of the
    // widest base type an enum has (8 bytes).
    call!(unsafe {
        nc::nc_inq_enum_member(
            ncid,
            xtype,
            i,
            buf.as_mut_ptr().cast(),
            v.as_mut_ptr().cast(),
        )
    })?;
    Ok((name_from(&buf), v))
}

/// The types defined in group `ncid` itself (not its parents).
pub(crate) fn typeids(ncid: c_int) -> SResult<Vec<nc_type>> {
    locked(|| {
        let mut n = 0;
        // SAFETY: `n` is a live int; a null list asks for the count only.
        call!(unsafe { nc::nc_inq_typeids(ncid, &mut n, std::ptr::null_mut()) })?;
        let mut ids = vec![0; len(n)];
        if n > 0 {
            // SAFETY: `ids` has room for the `n` ids just counted.
            call!(unsafe { nc::nc_inq_typeids(ncid, &mut n, ids.as_mut_ptr()) })?;
        }
        Ok(ids)
    })
}

/// Define compound type `name` of `size` bytes (fields are inserted with
/// [`insert_compound`]).
pub(crate) fn def_compound(ncid: c_int, name: &CStr, size: usize) -> SResult<nc_type> {
    let mut t = 0;
    // SAFETY: `name` is NUL-terminated and `t` a live int for the id.
    call!(unsafe { nc::nc_def_compound(ncid, size, name.as_ptr(), &mut t) })?;
    Ok(t)
}

/// Insert scalar field `name` of `ftype` at byte `offset` of compound `t`.
pub(crate) fn insert_compound(
    ncid: c_int,
    t: nc_type,
    name: &CStr,
    offset: usize,
    ftype: nc_type,
) -> SResult<()> {
    // SAFETY: `name` is NUL-terminated; the rest are numbers.
    call!(unsafe { nc::nc_insert_compound(ncid, t, name.as_ptr(), offset, ftype) })
}

/// Insert array field `name` of `ftype` and shape `dims` at byte
/// `offset` of compound `t` (tests build foreign files with it).
#[cfg(test)]
pub(crate) fn insert_compound_array(
    ncid: c_int,
    t: nc_type,
    name: &CStr,
    offset: usize,
    ftype: nc_type,
    dims: &[c_int],
) -> SResult<()> {
    let n = c_int::try_from(dims.len()).map_err(|_| layout("too many dimensions".into()))?;
    // SAFETY: `name` is NUL-terminated and `dims` holds the `n` sizes the
    // call reads.
    call!(unsafe {
        nc::nc_insert_array_compound(ncid, t, name.as_ptr(), offset, ftype, n, dims.as_ptr())
    })
}

/// Define opaque type `name` of `size` bytes (for tests).
#[cfg(test)]
pub(crate) fn def_opaque(ncid: c_int, name: &CStr, size: usize) -> SResult<nc_type> {
    let mut t = 0;
    // SAFETY: `name` is NUL-terminated and `t` a live int for the id.
    call!(unsafe { nc::nc_def_opaque(ncid, size, name.as_ptr(), &mut t) })?;
    Ok(t)
}

/// Define vlen type `name` of `base` (for tests).
#[cfg(test)]
pub(crate) fn def_vlen(ncid: c_int, name: &CStr, base: nc_type) -> SResult<nc_type> {
    let mut t = 0;
    // SAFETY: `name` is NUL-terminated and `t` a live int for the id.
    call!(unsafe { nc::nc_def_vlen(ncid, name.as_ptr(), base, &mut t) })?;
    Ok(t)
}

/// Define enum type `name` over `NC_UBYTE` with `members` (for tests).
#[cfg(test)]
pub(crate) fn def_enum_u8(ncid: c_int, name: &CStr, members: &[(&CStr, u8)]) -> SResult<nc_type> {
    let mut t = 0;
    // SAFETY: `name` is NUL-terminated and `t` a live int for the id.
    call!(unsafe { nc::nc_def_enum(ncid, nc::NC_UBYTE, name.as_ptr(), &mut t) })?;
    for (m, v) in members {
        // SAFETY: `m` is NUL-terminated and `v` one value of the base
        // type, NC_UBYTE (one byte).
        call!(unsafe { nc::nc_insert_enum(ncid, t, m.as_ptr(), (v as *const u8).cast()) })?;
    }
    Ok(t)
}
