//! netCDF types: the file type of each dtype and the dtype each file type
//! reads as (bool as an enum or a flagged byte, text as strings or chars),
//! and the refusals of what the file's format cannot hold. Those are
//! decided by [`capabilities`](crate::capabilities) alone, which states
//! netCDF-3's rules once; here they only become messages.

use std::ffi::c_int;

use netcdf_sys as nc;
use netcdf_sys::nc_type;

use hdf5::types::{CompoundField, CompoundType, FloatSize, TypeDescriptor};
use qnd_storage::{Array, DType, DTypeSet, NcFormat, SResult, StorageError};

use crate::raw;
use crate::{layout, unsupported, NetcdfStorage, BOOL_TYPE, COMPLEX_F4_TYPE, COMPLEX_F8_TYPE};
use qnd_storage::TextLayout;

/// A complex compound found in a file: a type (group ncid, type id), or
/// the type of a variable (group ncid, variable id, type id).
pub(crate) enum Stored {
    Type(c_int, nc_type),
    Var(c_int, c_int, nc_type),
}

/// The HDF5 path of object `name` of netCDF group `ncid`.
fn hdf5_path(ncid: c_int, name: &str) -> SResult<String> {
    let group = raw::group_path(ncid)?;
    Ok(format!("{}/{name}", group.trim_end_matches('/')))
}

/// The format's name in messages.
fn format_name(format: NcFormat) -> &'static str {
    if format.is_classic() {
        "netCDF-3"
    } else {
        "netCDF-4"
    }
}

/// A dtype's name in messages.
fn dtype_name(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "bool",
        DType::Str => "text",
        d => d.code(),
    }
}

/// The dtypes of `set`, as in "i1, i2, f8 and text".
fn listing(set: DTypeSet) -> String {
    let names: Vec<&str> = DType::ALL
        .into_iter()
        .filter(|&d| set.contains(d))
        .map(dtype_name)
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => "nothing".to_string(),
    }
}

impl NetcdfStorage {
    /// Refuse a group (or list) `name` where the format has no groups.
    pub(crate) fn check_groups(&self, name: &str) -> SResult<()> {
        if self.caps().groups {
            return Ok(());
        }
        unsupported(format!(
            "{} has no groups: cannot create group or list {name:?} (use netCDF-4 or HDF5)",
            format_name(self.format)
        ))
    }

    /// Refuse a leaf or record variable of `dtype` the format cannot hold.
    fn check_leaf(&self, dtype: DType) -> SResult<()> {
        let caps = self.caps();
        if caps.holds_leaf(dtype) {
            return Ok(());
        }
        if dtype.is_complex() {
            return unsupported(format!(
                "{} has no complex numbers: {dtype} needs HDF5 or netCDF-4",
                format_name(self.format)
            ));
        }
        unsupported(format!(
            "{} has no {} type (only {}){}",
            format_name(self.format),
            dtype_name(dtype),
            listing(caps.leaf_dtypes),
            if self.classic() { "; use netCDF-4" } else { "" }
        ))
    }

    /// Refuse attribute `name` of `value` when the format cannot hold it,
    /// saying what it lacks.
    pub(crate) fn check_attr(&self, name: &str, value: &Array) -> SResult<()> {
        let caps = self.caps();
        let (dtype, shape) = (value.dtype(), value.shape());
        if caps.holds_attr(dtype, shape) {
            return Ok(());
        }
        let format = format_name(self.format);
        if shape.len() > caps.attr_rank {
            let axes = match caps.attr_rank {
                1 => "1-d".to_string(),
                r => format!("at most {r}-d"),
            };
            unsupported(format!(
                "netCDF attributes are {axes}; attribute {name:?} has shape {shape:?}"
            ))
        } else if dtype.is_complex() && !caps.attr_dtypes.contains(dtype) {
            unsupported(format!(
                "{format} has no complex numbers: attribute {name:?} of {dtype} needs HDF5 or \
                 netCDF-4"
            ))
        } else if !caps.attr_dtypes.contains(dtype) {
            unsupported(format!(
                "{format} has no {} attributes (only {}): attribute {name:?}",
                dtype_name(dtype),
                listing(caps.attr_dtypes)
            ))
        } else {
            unsupported(format!(
                "{format} has no arrays of strings: attribute {name:?}"
            ))
        }
    }

    /// The netCDF-4 enum type for bool (defined in the root on first use).
    fn bool_type(&mut self) -> SResult<nc_type> {
        if let Some(t) = self.bool_type {
            return Ok(t);
        }
        let root = self.file()?;
        let t = match raw::typeid(root, BOOL_TYPE)? {
            Some(t) if self.is_bool_enum(root, t)? => t,
            Some(_) => {
                return unsupported("the file has a type named `__bool__` that is not a bool enum")
            }
            None => raw::def_enum_i8(root, BOOL_TYPE, &[(c"FALSE", 0), (c"TRUE", 1)])?,
        };
        self.bool_type = Some(t);
        Ok(t)
    }

    /// The netCDF-4 compound type for complex numbers of `base` (`NC_FLOAT`
    /// for c8, `NC_DOUBLE` for c16), one per file: netCDF4-python's own
    /// (`_PFNC_FLOAT_COMPLEX_TYPE` or `_PFNC_DOUBLE_COMPLEX_TYPE`, fields
    /// `r` and `i`), or else any complex compound of that base already in
    /// the root group, or else that type, defined in the root group (every
    /// group sees the root's types).
    fn complex_type(&mut self, base: nc_type) -> SResult<nc_type> {
        let (slot, name) = if base == nc::NC_FLOAT {
            (0, COMPLEX_F4_TYPE)
        } else {
            (1, COMPLEX_F8_TYPE)
        };
        if let Some(t) = self.complex_types[slot] {
            return Ok(t);
        }
        let root = self.file()?;
        let part = if base == nc::NC_FLOAT { 4 } else { 8 };
        let t = match raw::typeid(root, name)? {
            Some(t) if raw::complex_base(root, t)? == Some(base) => {
                if !self.stored_packed(&Stored::Type(root, t), part)? {
                    return unsupported(format!(
                        "the file's type `{}` is stored in a layout netCDF-C does not write \
                         correctly (padded or byte-swapped): qnd reads its values but does not \
                         write complex numbers into this file",
                        name.to_string_lossy()
                    ));
                }
                t
            }
            Some(_) => {
                return unsupported(format!(
                    "the file has a type named `{}` that is not a compound of two {}",
                    name.to_string_lossy(),
                    if base == nc::NC_FLOAT { "f4" } else { "f8" }
                ))
            }
            None => {
                let mut found = None;
                for t in raw::typeids(root)? {
                    if raw::complex_base(root, t)? == Some(base)
                        && self.stored_packed(&Stored::Type(root, t), part)?
                    {
                        found = Some(t);
                        break;
                    }
                }
                match found {
                    Some(t) => t,
                    None => {
                        self.define_mode()?;
                        let t = raw::def_compound(root, name, 2 * part)?;
                        raw::insert_compound(root, t, c"r", 0, base)?;
                        raw::insert_compound(root, t, c"i", part, base)?;
                        t
                    }
                }
            }
        };
        self.complex_types[slot] = Some(t);
        Ok(t)
    }

    /// True when a complex compound found in the file (a type, or the type
    /// of a variable) is stored as netCDF-C reports it: two native floats
    /// of `part` bytes each, packed, in the order of its fields. netCDF-C
    /// (4.9) reports every compound it finds packed in the platform's
    /// layout, but writes values with the layout stored in the file, so
    /// writing through a type stored otherwise (padded, byte-swapped) would
    /// read past the values given; reading is right either way. Asked of
    /// HDF5 (netCDF-4 files are HDF5 files), before qnd writes through a
    /// type it did not define.
    pub(crate) fn stored_packed(&self, what: &Stored, part: usize) -> SResult<bool> {
        let lib = |e: hdf5::Error| StorageError::library(e);
        let file = hdf5::File::open(&self.path).map_err(lib)?;
        let (stored, ncid, xtype) = match *what {
            Stored::Type(ncid, xtype) => {
                let path = hdf5_path(ncid, &raw::user_type(ncid, xtype)?.name)?;
                let t = file.committed_datatype(&path).map_err(lib)?;
                (t.as_datatype().clone(), ncid, xtype)
            }
            Stored::Var(ncid, varid, xtype) => {
                let name = raw::var_name(ncid, varid)?;
                let ds = match file.dataset(&hdf5_path(ncid, &name)?) {
                    Ok(ds) => ds,
                    // a variable named as a dimension it does not use
                    Err(_) => file
                        .dataset(&hdf5_path(ncid, &format!("_nc4_non_coord_{name}"))?)
                        .map_err(lib)?,
                };
                (ds.dtype().map_err(lib)?, ncid, xtype)
            }
        };
        let float = match part {
            4 => FloatSize::U4,
            _ => FloatSize::U8,
        };
        let field = |i: usize| -> SResult<CompoundField> {
            Ok(CompoundField {
                name: raw::compound_field(ncid, xtype, i)?.name,
                ty: TypeDescriptor::Float(float),
                offset: i * part,
                index: i,
            })
        };
        let packed = TypeDescriptor::Compound(CompoundType {
            fields: vec![field(0)?, field(1)?],
            size: 2 * part,
        });
        let packed = hdf5::Datatype::from_descriptor(&packed).map_err(lib)?;
        Ok(stored == packed)
    }

    pub(crate) fn is_bool_enum(&self, ncid: c_int, xtype: nc_type) -> SResult<bool> {
        let t = raw::user_type(ncid, xtype)?;
        if t.class != nc::NC_ENUM
            || (t.base != nc::NC_BYTE && t.base != nc::NC_UBYTE)
            || t.members != 2
        {
            return Ok(false);
        }
        let mut m = raw::enum_members_i8(ncid, xtype, t.members)?;
        m.sort_by_key(|(_, v)| *v);
        Ok(m.len() == 2 && m[0] == ("FALSE".into(), 0) && m[1] == ("TRUE".into(), 1))
    }

    /// The file type of `dtype` and how text is laid out (`text_len`
    /// bytes per string in netCDF-3); refused where the format cannot
    /// hold a variable of `dtype`.
    pub(crate) fn file_type(
        &mut self,
        dtype: DType,
        text_len: usize,
    ) -> SResult<(nc_type, TextLayout)> {
        self.check_leaf(dtype)?;
        let t = match dtype {
            DType::I8 => nc::NC_BYTE,
            DType::I16 => nc::NC_SHORT,
            DType::I32 => nc::NC_INT,
            DType::I64 => nc::NC_INT64,
            DType::U8 => nc::NC_UBYTE,
            DType::U16 => nc::NC_USHORT,
            DType::U32 => nc::NC_UINT,
            DType::U64 => nc::NC_UINT64,
            DType::F32 => nc::NC_FLOAT,
            DType::F64 => nc::NC_DOUBLE,
            // netCDF-3 has no enums: a byte with attribute `__bool__`
            DType::Bool if self.classic() => nc::NC_BYTE,
            DType::Bool => self.bool_type()?,
            // netCDF-3 has no strings: characters
            DType::Str if self.classic() => {
                return Ok((nc::NC_CHAR, TextLayout::padded(text_len.max(1))))
            }
            DType::Str => return Ok((nc::NC_STRING, TextLayout::Variable)),
            // netCDF4-python's compound of two floats `r`, `i`
            DType::C8 => self.complex_type(nc::NC_FLOAT)?,
            DType::C16 => self.complex_type(nc::NC_DOUBLE)?,
        };
        Ok((t, TextLayout::NotText))
    }

    /// The dtype a file type reads as.
    pub(crate) fn dtype_of(&self, ncid: c_int, xtype: nc_type) -> SResult<(DType, TextLayout)> {
        let d = match xtype {
            nc::NC_BYTE => DType::I8,
            nc::NC_UBYTE => DType::U8,
            nc::NC_SHORT => DType::I16,
            nc::NC_USHORT => DType::U16,
            nc::NC_INT => DType::I32,
            nc::NC_UINT => DType::U32,
            nc::NC_INT64 => DType::I64,
            nc::NC_UINT64 => DType::U64,
            nc::NC_FLOAT => DType::F32,
            nc::NC_DOUBLE => DType::F64,
            nc::NC_STRING => return Ok((DType::Str, TextLayout::Variable)),
            nc::NC_CHAR => return Ok((DType::Str, TextLayout::padded(0))),
            t if t > nc::NC_STRING && self.is_bool_enum(ncid, t)? => DType::Bool,
            t if t > nc::NC_STRING => match raw::complex_base(ncid, t)? {
                Some(nc::NC_FLOAT) => DType::C8,
                Some(_) => DType::C16,
                None => {
                    return Err(layout(format!(
                        "a netCDF type ({t}) that is not a number, bool, complex or text"
                    )))
                }
            },
            t => {
                return Err(layout(format!(
                    "a netCDF type ({t}) that is not a number, bool or text"
                )))
            }
        };
        Ok((d, TextLayout::NotText))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_read_as_english() {
        let classic = crate::capabilities(NcFormat::Classic);
        assert_eq!(
            listing(classic.leaf_dtypes),
            "i1, i2, i4, f4, f8, bool and text"
        );
        assert_eq!(listing(classic.attr_dtypes), "i1, i2, i4, f4, f8 and text");
        assert_eq!(listing(DTypeSet::of(&[DType::F64])), "f8");
        assert_eq!(listing(DTypeSet::of(&[])), "nothing");
    }
}
