//! Variables: the [`Var`] each leaf and record node keeps, defining one for
//! a new node (its dimensions, chunking, and the conventions' attributes)
//! and telling what an existing one is.

use std::ffi::{c_int, CStr};

use qnd_storage::chunks::{deflate_records, direct_records, leaf_chunk, record_chunk};
use qnd_storage::{DType, Kind, LeafSpec, NcFormat, NodeId, SResult, StorageError};

use crate::attrs::shape_from;
use crate::nodes::{Body, Node};
use crate::raw::{self, VarRef};
use crate::{layout, unsupported, NetcdfStorage, BOOL_ATTR, NONE_ATTR, RECORDS_ATTR, SHAPE_ATTR};
use qnd_storage::TextLayout;

/// A variable: where it is and how to move its data.
#[derive(Clone, Debug)]
pub(crate) struct Var {
    /// The variable, for the data calls.
    pub(crate) at: VarRef,
    pub(crate) dtype: DType,
    pub(crate) text: TextLayout,
    /// Dimension names (the record dimension's first, for records) and
    /// lengths (without the record axis), both without a trailing
    /// `NC_CHAR` length.
    pub(crate) dims: Vec<String>,
    pub(crate) shape: Vec<usize>,
    /// Records written so far (record nodes only).
    pub(crate) records: usize,
    /// The record count changed since it was last stored.
    pub(crate) records_dirty: bool,
    /// The record dimension (record nodes only).
    pub(crate) record_dim: Option<c_int>,
    /// The shape of an empty leaf (a scalar variable with `__shape__`).
    pub(crate) empty_shape: Option<Vec<usize>>,
    /// A leaf declared but never written, with no fill value of 0: it
    /// reads as zeros, and zeros are written before any partial write,
    /// flush or close (netCDF would otherwise keep its default fill values,
    /// which read as 9.97e36, not 0). Big netCDF-4 leaves have fill value
    /// 0 instead (see [`NetcdfStorage::new_leaf`]) and are never fresh.
    pub(crate) fresh: bool,
    /// A netCDF-4 record variable whose chunk cache is not yet set to
    /// qnd's (one chunk, see [`raw::record_chunk_cache`]): one of an
    /// existing file, set at its first append.
    pub(crate) default_cache: bool,
    /// A complex variable of a file opened for writing, of this type,
    /// whose stored layout is not yet checked (see
    /// [`NetcdfStorage::stored_packed`]): checked at its first write.
    pub(crate) unchecked_complex: Option<netcdf_sys::nc_type>,
}

impl NetcdfStorage {
    /// Create a leaf or record node (zero records): a variable over the
    /// dimensions of its group's dimension home.
    pub(crate) fn new_leaf(
        &mut self,
        parent: NodeId,
        name: &str,
        spec: &LeafSpec,
    ) -> SResult<NodeId> {
        let (g, c) = self.new_member(parent, name)?;
        let (xtype, text) = self.file_type(spec.dtype, spec.text_len)?;
        let home = self.dim_home(parent)?;
        let home_ncid = self.group_ncid(home)?;
        let empty = !spec.records && spec.shape.contains(&0);
        if spec.records && spec.shape.contains(&0) {
            return unsupported(format!(
                "netCDF cannot hold records of shape {:?} (a zero-length axis)",
                spec.shape
            ));
        }
        if self.classic() && !empty {
            classic_fits(self.format, name, spec)?;
        }
        let mut dimids = Vec::new();
        if spec.records {
            let d = self.record_dim(home_ncid)?;
            let now = raw::dim_len(home_ncid, d)?;
            self.record_len.entry(d).or_insert(now);
            dimids.push(d);
        }
        if !empty {
            for &n in &spec.shape {
                dimids.push(self.fixed_dim(home_ncid, n)?);
            }
            if let TextLayout::Fixed { width: w, .. } = text {
                dimids.push(self.fixed_dim(home_ncid, w)?);
            }
        }
        self.define_mode()?;
        let at = raw::def_var(g, &c, xtype, &dimids)?;
        let v = at.varid();
        if spec.records && !self.classic() {
            let elem = match text {
                TextLayout::Variable => std::mem::size_of::<usize>(),
                _ => spec.dtype.size().max(1),
            };
            let chunk = record_chunk(&spec.shape, elem);
            raw::def_chunking(&at, &chunk)?;
            let record_bytes = chunk[1..].iter().product::<usize>().saturating_mul(elem);
            if text != TextLayout::Variable && deflate_records(record_bytes) {
                raw::deflate_records(&at)?;
                raw::record_chunk_cache(&at, &chunk, elem)?;
            } else if text == TextLayout::NotText && direct_records(record_bytes) {
                raw::direct_records(&at)?;
            } else {
                raw::record_chunk_cache(&at, &chunk, elem)?;
            }
        }
        // A big netCDF-4 leaf is stored in chunks, allocated as they are
        // written, with fill value 0 for numbers (text's default fill, NUL
        // or "", reads as "" already): declaring it writes nothing. Other
        // leaves get zeros written at the first partial write, flush or
        // close (`fresh`), so that only big leaves carry a `_FillValue`
        // (which tools such as xarray read as "missing").
        let mut filled = false;
        if !spec.records && !empty && !self.classic() {
            let mut lens = spec.shape.clone();
            let elem = match text {
                TextLayout::Fixed { width, .. } => {
                    lens.push(width);
                    1
                }
                TextLayout::Variable => std::mem::size_of::<usize>(),
                TextLayout::NotText => spec.dtype.size().max(1),
            };
            if let Some(chunk) = leaf_chunk(&lens, elem) {
                raw::def_chunking(&at, &chunk)?;
                if text == TextLayout::NotText {
                    raw::def_fill_zero(&at)?;
                }
                filled = true;
            }
        }
        if spec.dtype == DType::Bool && self.classic() {
            raw::put_att(g, v, BOOL_ATTR, netcdf_sys::NC_BYTE, &[1i8])?;
        }
        if empty {
            let shape: Vec<i32> = spec
                .shape
                .iter()
                .map(|&d| i32::try_from(d))
                .collect::<Result<_, _>>()
                .map_err(|_| StorageError::Unsupported("an axis too long for netCDF".into()))?;
            raw::put_att(g, v, SHAPE_ATTR, netcdf_sys::NC_INT, &shape)?;
        }
        let dims = spec
            .shape
            .iter()
            .map(|n| {
                if empty {
                    String::new()
                } else {
                    format!("_{n}")
                }
            })
            .collect();
        self.note_order(parent, name)?;
        let node = Node {
            ncid: g,
            varid: v,
            kind: if spec.records {
                Kind::Records
            } else {
                Kind::Leaf
            },
            body: Body::Var(Box::new(Var {
                at,
                dtype: spec.dtype,
                text,
                dims,
                shape: spec.shape.clone(),
                records: 0,
                // stored at close when other variables have records
                records_dirty: spec.records,
                record_dim: spec.records.then(|| dimids[0]),
                empty_shape: empty.then(|| spec.shape.clone()),
                fresh: !spec.records && !empty && !filled,
                default_cache: false,
                unchecked_complex: None,
            })),
            parent,
        };
        Ok(self.nodes.push(parent, name, node))
    }

    /// The record count of record variable `varid` of group `ncid` over
    /// record dimension `dimid` of length `len`: `len`, or its attribute
    /// `__records__` where it has fewer.
    fn own_records(&self, ncid: c_int, varid: c_int, len: usize) -> SResult<usize> {
        if raw::att(ncid, varid, RECORDS_ATTR)?.is_none() {
            return Ok(len);
        }
        let a = self.read_attr(ncid, varid, RECORDS_ATTR)?;
        Ok(shape_from(&a)?.first().copied().unwrap_or(len).min(len))
    }

    /// After the header was read again (a read-only file another process
    /// writes): every record variable of the table counts its records
    /// again, from its record dimension and `__records__`.
    pub(crate) fn recount(&mut self) -> SResult<()> {
        self.record_len.clear();
        self.dims.clear();
        for i in 0..self.nodes.len() {
            let id = NodeId(i);
            let (ncid, varid, dimid) = match self.nodes.get(id).map(|n| &n.body) {
                Some(Body::Var(v)) => match v.record_dim {
                    Some(d) => (v.at.ncid(), v.at.varid(), d),
                    None => continue,
                },
                _ => continue,
            };
            let len = raw::dim_len(ncid, dimid)?;
            self.record_len.insert(dimid, len);
            let own = self.own_records(ncid, varid, len)?;
            self.var_mut(id)?.records = own;
        }
        Ok(())
    }

    /// Classify variable `varid` of group `ncid`, a member of `parent`.
    pub(crate) fn var_node(&mut self, parent: NodeId, ncid: c_int, varid: c_int) -> SResult<Node> {
        let inq = raw::var(ncid, varid)?;
        let has = |name: &CStr| raw::att(ncid, varid, name).map(|a| a.is_some());
        let node = |kind, body| Node {
            ncid,
            varid,
            kind,
            body,
            parent,
        };
        if has(NONE_ATTR)? {
            return Ok(node(Kind::None, Body::None));
        }
        if !self.reads_type(ncid, inq.xtype)? {
            return Ok(node(Kind::Other, Body::Other));
        }
        let (mut dtype, mut text) = self.dtype_of(ncid, inq.xtype)?;
        if dtype == DType::I8 && has(BOOL_ATTR)? {
            dtype = DType::Bool;
        }
        let unlimited = raw::unlimited_dimids(ncid)?;
        let mut dims = Vec::with_capacity(inq.dimids.len());
        let mut shape = Vec::with_capacity(inq.dimids.len());
        for &d in &inq.dimids {
            let (name, len) = raw::dim(ncid, d)?;
            dims.push(name);
            shape.push(len);
        }
        if let TextLayout::Fixed { .. } = text {
            // the last dimension is the string length
            let width = match shape.pop() {
                Some(w) => {
                    dims.pop();
                    w
                }
                None => 1,
            };
            text = TextLayout::padded(width);
        }
        let records = match inq.dimids.split_first() {
            Some((first, rest)) => {
                unlimited.contains(first) && !rest.iter().any(|d| unlimited.contains(d))
            }
            None => false,
        };
        let empty_shape = if !records && has(SHAPE_ATTR)? {
            let a = self.read_attr(ncid, varid, SHAPE_ATTR)?;
            let shape = shape_from(&a)?;
            if qnd_storage::checked_len(&shape) != Some(0) {
                return Err(layout(format!(
                    "__shape__ {shape:?} of a netCDF variable has elements"
                )));
            }
            Some(shape)
        } else {
            None
        };
        if empty_shape.is_none() && qnd_storage::checked_len(&shape).is_none() {
            return Err(layout(format!(
                "variable of shape {shape:?} has too many elements to address"
            )));
        }
        let (kind, count) = if records {
            // `dims` keeps the record dimension's name
            let now = shape.remove(0);
            let len = *self.record_len.entry(inq.dimids[0]).or_insert(now);
            // fewer records than the shared record dimension holds
            let own = self.own_records(ncid, varid, len)?;
            (Kind::Records, own)
        } else {
            (Kind::Leaf, 0)
        };
        Ok(node(
            kind,
            Body::Var(Box::new(Var {
                at: inq.at,
                dtype,
                text,
                dims,
                shape,
                records: count,
                records_dirty: false,
                record_dim: records.then(|| inq.dimids[0]),
                empty_shape,
                fresh: false,
                default_cache: records && !self.classic(),
                unchecked_complex: (self.writable && dtype.is_complex()).then_some(inq.xtype),
            })),
        ))
    }
}

/// The largest variable (for a record variable, the largest record) of
/// the netCDF-3 formats, in bytes: 2 GiB - 4 for classic, 4 GiB - 4 for
/// 64-bit offsets; and the longest dimension, 2^31 - 1.
fn classic_limits(format: NcFormat) -> (u128, usize) {
    let bytes = match format {
        NcFormat::Offset64 => (1u128 << 32) - 4,
        _ => (1u128 << 31) - 4,
    };
    (bytes, i32::MAX as usize)
}

/// Checks that `spec` fits the netCDF-3 format `format`, before anything
/// is defined: an error naming the limit otherwise.
fn classic_fits(format: NcFormat, name: &str, spec: &LeafSpec) -> SResult<()> {
    let (max_bytes, max_dim) = classic_limits(format);
    let what = match format {
        NcFormat::Offset64 => "netCDF-3 (64-bit offset)",
        _ => "netCDF-3 classic",
    };
    let elem = match spec.dtype {
        DType::Str => spec.text_len.max(1),
        d => d.size().max(1),
    };
    if let Some(&d) = spec.shape.iter().find(|&&d| d > max_dim) {
        return unsupported(format!(
            "{what} dimensions hold at most {max_dim} elements: {name} has an axis of {d} \
             (use netCDF-4 or HDF5)"
        ));
    }
    let bytes = spec
        .shape
        .iter()
        .try_fold(elem as u128, |acc, &d| acc.checked_mul(d as u128))
        .unwrap_or(u128::MAX);
    if bytes > max_bytes {
        let of = if spec.records { "records" } else { "variables" };
        return unsupported(format!(
            "{what} holds {of} of at most {max_bytes} bytes: {name} of shape {:?} takes {bytes} \
             bytes (use netCDF-4 or HDF5)",
            spec.shape
        ));
    }
    Ok(())
}
