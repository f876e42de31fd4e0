//! Items qnd has no kind for: netCDF-4 variables of user-defined types
//! qnd does not read (vlen, opaque, enums other than the bool enum,
//! compounds other than complex numbers). Such a variable is a node of
//! [`Kind::Other`](qnd_storage::Kind::Other): listed, described in one
//! line in netCDF's and numpy's words (`vlen of i4 [3]`, `opaque 16 bytes
//! [2]`, `enum over u1 {clear=0, cloudy=1} [4]`, `compound {a: i4, b: f8}
//! [3]`), and refused by every data call with that description.
//! Attributes of such types are left out of the attribute names (so that
//! listing and dumping the rest works); asked for by name, one is refused
//! the same way.

use std::ffi::c_int;

use netcdf_sys as nc;
use netcdf_sys::nc_type;

use qnd_storage::{NodeId, SResult, StorageError};

use crate::nodes::Body;
use crate::raw;
use crate::NetcdfStorage;

/// Nested types described before the rest is elided (netCDF types cannot
/// be recursive, but may nest deeply).
const MAX_DEPTH: usize = 4;
/// Enum members and compound fields listed before the rest is elided.
const MAX_MEMBERS: usize = 12;

/// The numpy-like name of an atomic netCDF type (`i4`, `f8`, `S1` for a
/// char, `str` for a string).
fn atomic_name(xtype: nc_type) -> Option<&'static str> {
    Some(match xtype {
        nc::NC_BYTE => "i1",
        nc::NC_UBYTE => "u1",
        nc::NC_CHAR => "S1",
        nc::NC_SHORT => "i2",
        nc::NC_USHORT => "u2",
        nc::NC_INT => "i4",
        nc::NC_UINT => "u4",
        nc::NC_INT64 => "i8",
        nc::NC_UINT64 => "u8",
        nc::NC_FLOAT => "f4",
        nc::NC_DOUBLE => "f8",
        nc::NC_STRING => "str",
        _ => return None,
    })
}

/// An enum member's value: the first bytes of `v`, of base type `base`.
fn enum_value(base: nc_type, v: [u8; 8]) -> String {
    let [a, b, c, d, e, f, g, h] = v;
    match base {
        nc::NC_BYTE => i8::from_ne_bytes([a]).to_string(),
        nc::NC_UBYTE => a.to_string(),
        nc::NC_SHORT => i16::from_ne_bytes([a, b]).to_string(),
        nc::NC_USHORT => u16::from_ne_bytes([a, b]).to_string(),
        nc::NC_INT => i32::from_ne_bytes([a, b, c, d]).to_string(),
        nc::NC_UINT => u32::from_ne_bytes([a, b, c, d]).to_string(),
        nc::NC_INT64 => i64::from_ne_bytes(v).to_string(),
        nc::NC_UINT64 => u64::from_ne_bytes([a, b, c, d, e, f, g, h]).to_string(),
        _ => "?".to_string(),
    }
}

/// `items` joined by ", ", the ones past [`MAX_MEMBERS`] as "...".
fn joined(items: Vec<String>, total: usize) -> String {
    let mut s = items.join(", ");
    if total > items.len() {
        s.push_str(", ...");
    }
    s
}

/// A shape as `[3, 4]`.
pub(crate) fn shape_words(shape: &[usize]) -> String {
    format!("{shape:?}")
}

/// Type `xtype` of group `ncid` in one line.
pub(crate) fn type_words(ncid: c_int, xtype: nc_type) -> SResult<String> {
    words(ncid, xtype, 0)
}

fn words(ncid: c_int, xtype: nc_type, depth: usize) -> SResult<String> {
    if let Some(name) = atomic_name(xtype) {
        return Ok(name.to_string());
    }
    let t = raw::user_type(ncid, xtype)?;
    if depth >= MAX_DEPTH {
        return Ok(format!("{:?}", t.name));
    }
    Ok(match t.class {
        nc::NC_VLEN => format!("vlen of {}", words(ncid, t.base, depth + 1)?),
        nc::NC_OPAQUE => format!("opaque {} bytes", t.size),
        nc::NC_ENUM => {
            let base = atomic_name(t.base).unwrap_or("?");
            let members = (0..t.members.min(MAX_MEMBERS))
                .map(|i| {
                    let (name, v) = raw::enum_member(ncid, xtype, i)?;
                    Ok(format!("{name}={}", enum_value(t.base, v)))
                })
                .collect::<SResult<Vec<_>>>()?;
            format!("enum over {base} {{{}}}", joined(members, t.members))
        }
        nc::NC_COMPOUND => {
            let fields = (0..t.members.min(MAX_MEMBERS))
                .map(|i| {
                    let f = raw::compound_field(ncid, xtype, i)?;
                    let w = words(ncid, f.xtype, depth + 1)?;
                    Ok(if f.dims.is_empty() {
                        format!("{}: {w}", f.name)
                    } else {
                        format!("{}: {w} {}", f.name, shape_words(&f.dims))
                    })
                })
                .collect::<SResult<Vec<_>>>()?;
            format!("compound {{{}}}", joined(fields, t.members))
        }
        c => format!("a netCDF type of class {c} ({:?})", t.name),
    })
}

impl NetcdfStorage {
    /// What a node of [`Kind::Other`](qnd_storage::Kind::Other) is: its
    /// type in one line and its shape (a record variable's current length
    /// first), or `None` for any other node.
    pub(crate) fn other_words(&self, node: NodeId) -> SResult<Option<String>> {
        let n = self.node(node)?;
        if !matches!(n.body, Body::Other) {
            return Ok(None);
        }
        let inq = raw::var(n.ncid, n.varid)?;
        let words = type_words(n.ncid, inq.xtype)?;
        if inq.dimids.is_empty() {
            return Ok(Some(words));
        }
        let shape = inq
            .dimids
            .iter()
            .map(|&d| raw::dim_len(n.ncid, d))
            .collect::<SResult<Vec<_>>>()?;
        Ok(Some(format!("{words} {}", shape_words(&shape))))
    }

    /// An error for a data call on a node of
    /// [`Kind::Other`](qnd_storage::Kind::Other): `Unsupported` with its
    /// description; `Ok` for any other node.
    pub(crate) fn refuse_other(&self, node: NodeId) -> SResult<()> {
        match self.other_words(node)? {
            Some(words) => Err(StorageError::Unsupported(words)),
            None => Ok(()),
        }
    }

    /// True for a type qnd reads: the atomic types, and of the user-defined
    /// ones the bool enum and complex compounds.
    pub(crate) fn reads_type(&self, ncid: c_int, xtype: nc_type) -> SResult<bool> {
        if xtype <= nc::NC_STRING {
            return Ok(true);
        }
        Ok(self.is_bool_enum(ncid, xtype)? || raw::complex_base(ncid, xtype)?.is_some())
    }
}
