//! Attributes of groups and variables: names (the conventions' `__` names
//! hidden), values read (one value reads as a scalar: netCDF attributes
//! are 1-d) and written (a replaced attribute may change type).

use std::ffi::{c_int, CStr, CString};

use ndarray::{ArrayD, IxDyn};
use netcdf_sys as nc;
use netcdf_sys::nc_type;

use qnd_storage::{Array, NodeId, SResult, StorageError};

use crate::data::{read_numbers, text_from, write_numbers, Sink, Source};
use crate::other::type_words;
use crate::raw::{self, c_name, AsBytes, FromBytes};
use crate::{layout, NetcdfStorage};
use qnd_storage::TextLayout;

/// One attribute, as a source or sink of plain elements of `xtype`.
struct Att<'a> {
    ncid: c_int,
    varid: c_int,
    name: &'a CStr,
    xtype: nc_type,
}

impl Source for Att<'_> {
    fn fill<T: FromBytes>(&self, buf: &mut [T]) -> SResult<()> {
        raw::get_att(self.ncid, self.varid, self.name, buf)
    }
}

impl Sink for Att<'_> {
    fn take<T: AsBytes>(&self, values: &[T]) -> SResult<()> {
        raw::put_att(self.ncid, self.varid, self.name, self.xtype, values)
    }
}

/// A 1-d array.
fn vec1<T>(v: Vec<T>) -> SResult<ArrayD<T>> {
    let n = v.len();
    ArrayD::from_shape_vec(IxDyn(&[n]), v).map_err(|e| layout(e.to_string()))
}

/// A shape stored as numbers (`__shape__`, `__records__`).
pub(crate) fn shape_from(a: &Array) -> SResult<Vec<usize>> {
    let f = a
        .to_f64()
        .ok_or_else(|| layout("__shape__ is not numeric"))?;
    f.iter()
        .map(|&x| {
            if x >= 0.0 && x.fract() == 0.0 && x < 9.0e15 {
                Ok(x as usize)
            } else {
                Err(layout(format!("__shape__ holds {x}")))
            }
        })
        .collect()
}

impl NetcdfStorage {
    /// Attribute `name` of variable `varid` (`NC_GLOBAL`: of the group).
    pub(crate) fn read_attr(&self, ncid: c_int, varid: c_int, name: &CStr) -> SResult<Array> {
        let Some((xtype, len)) = raw::att(ncid, varid, name)? else {
            return Err(StorageError::NotFound);
        };
        if !self.reads_type(ncid, xtype)? {
            return Err(StorageError::Unsupported(format!(
                "attribute {:?} is of type {}, which qnd does not read",
                name.to_string_lossy(),
                type_words(ncid, xtype)?
            )));
        }
        let (dtype, text) = self.dtype_of(ncid, xtype)?;
        let a = match text {
            TextLayout::Fixed { .. } => {
                let mut buf = qnd_storage::try_filled(len, 0u8)?;
                raw::get_att(ncid, varid, name, &mut buf)?;
                return Ok(Array::scalar(text_from(&buf)));
            }
            TextLayout::Variable => Array::Str(vec1(raw::get_att_strings(ncid, varid, name)?)?),
            TextLayout::NotText => {
                let src = Att {
                    ncid,
                    varid,
                    name,
                    xtype,
                };
                read_numbers(dtype, &[len], &src)?
            }
        };
        // netCDF attributes are 1-d: one value reads as a scalar
        Ok(if len == 1 {
            a.into_shape(&[]).unwrap_or_else(|a| a)
        } else {
            a
        })
    }

    /// Names of the attributes of a node, the conventions' `__` names left
    /// out, and so are attributes of types qnd does not read (user-defined
    /// types other than bool and complex: see [`crate::other`]).
    pub(crate) fn attribute_names(&self, node: NodeId) -> SResult<Vec<String>> {
        let n = self.node(node)?;
        let (ncid, varid) = (n.ncid, n.varid);
        let mut names = Vec::new();
        for i in 0..raw::natts(ncid, varid)? {
            let name = raw::att_name(ncid, varid, i)?;
            if name.starts_with("__") {
                continue;
            }
            let c = c_name(&name)?;
            match raw::att(ncid, varid, &c)? {
                Some((xtype, _)) if !self.reads_type(ncid, xtype)? => {}
                _ => names.push(name),
            }
        }
        Ok(names)
    }

    /// Attribute `name` of a node, if there is one.
    pub(crate) fn attribute(&self, node: NodeId, name: &str) -> SResult<Option<Array>> {
        let n = self.node(node)?;
        let (ncid, varid) = (n.ncid, n.varid);
        let Ok(c) = CString::new(name) else {
            return Ok(None);
        };
        if raw::att(ncid, varid, &c)?.is_none() {
            return Ok(None);
        }
        self.read_attr(ncid, varid, &c).map(Some)
    }

    /// Set (create or replace) attribute `name` of a node; what the format
    /// cannot hold is refused before the file is touched.
    pub(crate) fn store_attribute(
        &mut self,
        node: NodeId,
        name: &str,
        value: &Array,
    ) -> SResult<()> {
        let n = self.node(node)?;
        let (ncid, varid) = (n.ncid, n.varid);
        let c = c_name(name)?;
        self.check_attr(name, value)?;
        self.define_mode()?;
        // a replaced attribute may change type: delete it first
        if raw::att(ncid, varid, &c)?.is_some() {
            raw::del_att(ncid, varid, &c)?;
        }
        match value {
            Array::Str(s) if s.ndim() == 0 => {
                let t = s.iter().next().cloned().unwrap_or_default();
                raw::put_att(ncid, varid, &c, nc::NC_CHAR, t.as_bytes())
            }
            Array::Str(s) => {
                let owned: Vec<CString> = s.iter().map(|t| c_name(t)).collect::<SResult<_>>()?;
                raw::put_att_strings(ncid, varid, &c, &owned)
            }
            a => {
                let (xtype, _) = self.file_type(a.dtype(), 1)?;
                let sink = Att {
                    ncid,
                    varid,
                    name: &c,
                    xtype,
                };
                write_numbers(a, &sink)
            }
        }
    }
}
