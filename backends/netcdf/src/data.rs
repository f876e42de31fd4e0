//! Moving data: hyperslabs of a variable read and written, records
//! appended, zeros and record counts stored before a flush or close, and
//! the conversions between arrays and the library's buffers: numbers and
//! bool as plain elements (bool as bytes 0 and 1), text as `NC_STRING`
//! strings or NUL-padded `NC_CHAR` bytes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ffi::{c_int, CString};

use ndarray::{ArrayD, IxDyn};
use netcdf_sys as nc;

use qnd_storage::{try_filled, Array, DType, Kind, LeafInfo, NodeId, Run, SResult};

use crate::nodes::Body;
use crate::raw::{self, c_name, AsBytes, FromBytes, VarRef};
use crate::types::Stored;
use crate::vars::Var;
use crate::{layout, unsupported, NetcdfStorage, RECORDS_ATTR};
use qnd_storage::TextLayout;

/// Where plain elements of any type come from (a hyperslab, an attribute).
pub(crate) trait Source {
    /// Fill `buf`, which holds exactly the elements to read.
    fn fill<T: FromBytes>(&self, buf: &mut [T]) -> SResult<()>;
}

/// Where plain elements of any type go.
pub(crate) trait Sink {
    /// Write `values`, exactly the elements to write.
    fn take<T: AsBytes>(&self, values: &[T]) -> SResult<()>;
}

/// A hyperslab of a variable.
struct Slab<'a> {
    at: &'a VarRef,
    start: &'a [usize],
    count: &'a [usize],
    stride: &'a [isize],
}

impl Source for Slab<'_> {
    fn fill<T: FromBytes>(&self, buf: &mut [T]) -> SResult<()> {
        raw::get(self.at, self.start, self.count, self.stride, buf)
    }
}

impl Sink for Slab<'_> {
    fn take<T: AsBytes>(&self, values: &[T]) -> SResult<()> {
        raw::put(self.at, self.start, self.count, self.stride, values)
    }
}

/// Read `shape` elements of `dtype` (not text) from `src`, which fills a
/// buffer of the file type (bool as bytes).
pub(crate) fn read_numbers(dtype: DType, shape: &[usize], src: &impl Source) -> SResult<Array> {
    fn typed<T: FromBytes, S: Source>(shape: &[usize], src: &S) -> SResult<ArrayD<T>> {
        let n = elements(shape)?;
        let mut buf = try_filled(n, T::default())?;
        if n > 0 {
            src.fill(&mut buf)?;
        }
        ArrayD::from_shape_vec(IxDyn(shape), buf).map_err(|e| layout(e.to_string()))
    }
    Ok(match dtype {
        DType::I8 => Array::I8(typed(shape, src)?),
        DType::I16 => Array::I16(typed(shape, src)?),
        DType::I32 => Array::I32(typed(shape, src)?),
        DType::I64 => Array::I64(typed(shape, src)?),
        DType::U8 => Array::U8(typed(shape, src)?),
        DType::U16 => Array::U16(typed(shape, src)?),
        DType::U32 => Array::U32(typed(shape, src)?),
        DType::U64 => Array::U64(typed(shape, src)?),
        DType::F32 => Array::F32(typed(shape, src)?),
        DType::F64 => Array::F64(typed(shape, src)?),
        DType::Bool => Array::Bool(typed::<i8, _>(shape, src)?.mapv(|x| x != 0)),
        DType::C8 => Array::C8(typed(shape, src)?),
        DType::C16 => Array::C16(typed(shape, src)?),
        DType::Str => return unsupported("text is not read through a number buffer"),
    })
}

/// Write the elements of a numeric or bool array, in C order, to `sink`
/// (bool as bytes: Rust stores `false`/`true` as 0/1). A standard-layout
/// array is borrowed, not copied.
pub(crate) fn write_numbers(a: &Array, sink: &impl Sink) -> SResult<()> {
    fn c_order<T: Copy>(x: &ArrayD<T>) -> Cow<'_, [T]> {
        match x.as_slice() {
            Some(v) => Cow::Borrowed(v),
            None => Cow::Owned(x.iter().copied().collect()),
        }
    }
    match a {
        Array::I8(x) => sink.take(&c_order(x)),
        Array::I16(x) => sink.take(&c_order(x)),
        Array::I32(x) => sink.take(&c_order(x)),
        Array::I64(x) => sink.take(&c_order(x)),
        Array::U8(x) => sink.take(&c_order(x)),
        Array::U16(x) => sink.take(&c_order(x)),
        Array::U32(x) => sink.take(&c_order(x)),
        Array::U64(x) => sink.take(&c_order(x)),
        Array::F32(x) => sink.take(&c_order(x)),
        Array::F64(x) => sink.take(&c_order(x)),
        Array::Bool(x) => sink.take(&c_order(x)),
        Array::C8(x) => sink.take(&c_order(x)),
        Array::C16(x) => sink.take(&c_order(x)),
        Array::Str(_) => unsupported("text is not written through a number buffer"),
    }
}

/// Text from `NC_CHAR` bytes: up to the first NUL, UTF-8 (lossy).
pub(crate) fn text_from(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// `NC_CHAR` bytes of `width` per string, NUL padded.
fn char_bytes(s: &ArrayD<String>, width: usize) -> SResult<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * width);
    for t in s.iter() {
        if t.len() > width {
            return unsupported(format!(
                "text of {} bytes is wider than the {width} bytes stored",
                t.len()
            ));
        }
        out.extend_from_slice(t.as_bytes());
        out.resize(out.len() + width - t.len(), 0);
    }
    Ok(out)
}

fn check_shape(data: &Array, counts: &[usize]) -> SResult<()> {
    if data.shape() != counts {
        return Err(layout(format!(
            "data of shape {:?} for a selection of shape {counts:?}",
            data.shape()
        )));
    }
    Ok(())
}

/// Zeros written over a fresh leaf go in blocks of about this many bytes.
const ZERO_BLOCK: usize = 8 << 20;

/// The number of elements of `shape`, or an error when it overflows.
fn elements(shape: &[usize]) -> SResult<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .ok_or_else(|| layout(format!("a shape of too many elements: {shape:?}")))
}

/// start, count and stride vectors of a slab.
fn split(slab: &[Run]) -> (Vec<usize>, Vec<usize>, Vec<isize>) {
    (
        slab.iter().map(|s| s.first).collect(),
        slab.iter().map(|s| s.count).collect(),
        slab.iter().map(|s| s.stride() as isize).collect(),
    )
}

impl Var {
    /// Read a hyperslab (`slab` over the variable's dimensions, records
    /// included, without the `NC_CHAR` length).
    pub(crate) fn read(&self, slab: &[Run]) -> SResult<Array> {
        let counts: Vec<usize> = slab.iter().map(|s| s.count).collect();
        if self.empty_shape.is_some() || self.fresh || counts.contains(&0) {
            return Ok(Array::zeros(self.dtype, &counts));
        }
        let (mut start, mut count, mut stride) = split(slab);
        let n = elements(&counts)?;
        let strings = match self.text {
            TextLayout::NotText => {
                let src = Slab {
                    at: &self.at,
                    start: &start,
                    count: &count,
                    stride: &stride,
                };
                return read_numbers(self.dtype, &counts, &src);
            }
            TextLayout::Variable => raw::get_strings(&self.at, &start, &count, &stride)?,
            TextLayout::Fixed { width: 0, .. } => try_filled(n, String::new())?,
            TextLayout::Fixed { width, .. } => {
                start.push(0);
                count.push(width);
                stride.push(1);
                let bytes = n
                    .checked_mul(width)
                    .ok_or_else(|| layout(format!("{n} strings of {width} bytes")))?;
                let mut buf = try_filled(bytes, 0u8)?;
                raw::get(&self.at, &start, &count, &stride, &mut buf)?;
                buf.chunks(width).map(text_from).collect()
            }
        };
        Ok(Array::Str(
            ArrayD::from_shape_vec(IxDyn(&counts), strings).map_err(|e| layout(e.to_string()))?,
        ))
    }

    /// Write `data` (of the slab's shape and this variable's dtype).
    pub(crate) fn write(&self, slab: &[Run], data: &Array) -> SResult<()> {
        let counts: Vec<usize> = slab.iter().map(|s| s.count).collect();
        check_shape(data, &counts)?;
        if data.size() == 0 || self.empty_shape.is_some() {
            return Ok(());
        }
        let (mut start, mut count, mut stride) = split(slab);
        if data.dtype() != self.dtype {
            return Err(layout(format!(
                "data of {} for a {} variable",
                data.dtype(),
                self.dtype
            )));
        }
        match (data, self.text) {
            (Array::Str(s), TextLayout::Variable) => {
                let owned: Vec<CString> = s.iter().map(|t| c_name(t)).collect::<SResult<_>>()?;
                raw::put_strings(&self.at, &start, &count, &stride, &owned)
            }
            (Array::Str(s), TextLayout::Fixed { width, .. }) => {
                let bytes = char_bytes(s, width)?;
                start.push(0);
                count.push(width);
                stride.push(1);
                raw::put(&self.at, &start, &count, &stride, &bytes)
            }
            (a, TextLayout::NotText) => {
                let sink = Slab {
                    at: &self.at,
                    start: &start,
                    count: &count,
                    stride: &stride,
                };
                write_numbers(a, &sink)
            }
            (a, _) => Err(layout(format!("{} data for a text variable", a.dtype()))),
        }
    }
}

impl NetcdfStorage {
    /// Type and shape of a leaf or record node.
    pub(crate) fn leaf_info(&self, node: NodeId) -> SResult<LeafInfo> {
        let n = self.node(node)?;
        let v = self.var(node)?;
        let (shape, dims) = if let Some(s) = &v.empty_shape {
            (s.clone(), vec![None; s.len()])
        } else {
            let mut shape = v.shape.clone();
            let dims: Vec<Option<String>> = v.dims.iter().cloned().map(Some).collect();
            if n.kind == Kind::Records {
                shape.insert(0, v.records);
            }
            (shape, dims)
        };
        Ok(LeafInfo {
            dtype: v.dtype,
            shape,
            dims,
            records: n.kind == Kind::Records,
        })
    }

    /// The record count of a record node (0 for a leaf).
    pub(crate) fn record_count(&self, node: NodeId) -> SResult<usize> {
        let n = self.node(node)?;
        let v = self.var(node)?;
        Ok(if n.kind == Kind::Records {
            v.records
        } else {
            0
        })
    }

    pub(crate) fn read_slab(&mut self, node: NodeId, slab: &[Run]) -> SResult<Array> {
        self.data_mode()?;
        self.var(node)?.read(slab)
    }

    /// Write a hyperslab; zeros first over the rest of a fresh leaf.
    pub(crate) fn write_slab(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()> {
        self.data_mode()?;
        self.check_complex(node)?;
        let v = self.var(node)?;
        let whole = slab.len() == v.shape.len()
            && slab
                .iter()
                .zip(&v.shape)
                .all(|(s, &n)| s.first == 0 && s.count == n && (s.stride() == 1 || n <= 1));
        if v.fresh && !whole {
            self.write_zeros(node)?;
        }
        self.var(node)?.write(slab, data)?;
        self.var_mut(node)?.fresh = false;
        Ok(())
    }

    /// Append records (`[n, record shape...]`) with one library call.
    pub(crate) fn append_rows(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        self.data_mode()?;
        if self.node(node)?.kind != Kind::Records {
            return Err(layout("not a record node"));
        }
        self.check_complex(node)?;
        if self.var(node)?.default_cache {
            let v = self.var_mut(node)?;
            let elem = match v.text {
                TextLayout::Fixed { .. } => 1,
                TextLayout::Variable => std::mem::size_of::<usize>(),
                TextLayout::NotText => v.dtype.size().max(1),
            };
            raw::fit_chunk_cache(&v.at, elem)?;
            v.default_cache = false;
        }
        let v = self.var(node)?;
        let Some((&added, shape)) = records.shape().split_first() else {
            return Err(layout("records of rank 0"));
        };
        if shape != v.shape.as_slice() {
            return Err(layout(format!(
                "records of shape {shape:?} for a variable of records {:?}",
                v.shape
            )));
        }
        let slab: Vec<Run> = std::iter::once(Run::strided(v.records, added, 1))
            .chain(Run::whole(&v.shape))
            .collect();
        v.write(&slab, records)?;
        let v = self.var_mut(node)?;
        v.records += added;
        v.records_dirty = true;
        Ok(())
    }

    /// Before the first write to a complex variable found in the file: its
    /// stored layout must be the one netCDF-C writes correctly.
    fn check_complex(&mut self, node: NodeId) -> SResult<()> {
        let v = self.var(node)?;
        let Some(xtype) = v.unchecked_complex else {
            return Ok(());
        };
        let (ncid, varid) = (v.at.ncid(), v.at.varid());
        let part = if v.dtype == DType::C8 { 4 } else { 8 };
        if !self.stored_packed(&Stored::Var(ncid, varid, xtype), part)? {
            return unsupported(format!(
                "this variable's complex type is stored in a layout netCDF-C does not write \
                 correctly (padded or byte-swapped): qnd reads it but does not write it ({})",
                raw::var_name(ncid, varid)?
            ));
        }
        self.var_mut(node)?.unchecked_complex = None;
        Ok(())
    }

    /// Write zeros over a fresh leaf, in blocks of about 8 MiB along its
    /// first axis (never the whole leaf in memory at once).
    fn write_zeros(&mut self, node: NodeId) -> SResult<()> {
        let v = self.var(node)?;
        let mut slab = Run::whole(&v.shape);
        if let Some((&rows, rest)) = v.shape.split_first() {
            let row_bytes = rest
                .iter()
                .fold(v.dtype.size().max(8), |acc, &d| acc.saturating_mul(d));
            let step = (ZERO_BLOCK / row_bytes.max(1)).clamp(1, rows.max(1));
            let mut shape = v.shape.clone();
            let mut first = 0;
            while first < rows {
                let n = step.min(rows - first);
                slab[0] = Run::strided(first, n, 1);
                shape[0] = n;
                v.write(&slab, &Array::zeros(v.dtype, &shape))?;
                first += n;
            }
        } else {
            v.write(&slab, &Array::zeros(v.dtype, &v.shape))?;
        }
        self.var_mut(node)?.fresh = false;
        Ok(())
    }

    /// Before a flush or close: zeros into fresh leaves, and the record
    /// count of each record variable that holds fewer records than its
    /// record dimension (attribute `__records__`).
    pub(crate) fn store_pending(&mut self) -> SResult<()> {
        if !self.writable || self.ncid.is_none() {
            return Ok(());
        }
        // The length of each record dimension, asked once: netCDF-C finds
        // the length of an unlimited dimension by asking every variable of
        // the file for its extent (`nc4_find_dim_len`), so asking once per
        // variable would cost the square of the number of variables.
        let mut lens: HashMap<(c_int, c_int), usize> = HashMap::new();
        for i in 0..self.nodes.len() {
            let id = NodeId(i);
            let (fresh, dirty) = match self.nodes.get(id).map(|n| &n.body) {
                Some(Body::Var(v)) => (v.fresh, v.records_dirty),
                _ => continue,
            };
            if fresh {
                self.data_mode()?;
                self.write_zeros(id)?;
            }
            if dirty {
                let v = self.var(id)?;
                let (ncid, varid, records) = (v.at.ncid(), v.at.varid(), v.records);
                let Some(dimid) = v.record_dim else { continue };
                let len = match lens.get(&(ncid, dimid)) {
                    Some(&len) => len,
                    None => {
                        let len = raw::dim_len(ncid, dimid)?;
                        lens.insert((ncid, dimid), len);
                        len
                    }
                };
                let stored = raw::att(ncid, varid, RECORDS_ATTR)?.is_some();
                if records < len {
                    self.define_mode()?;
                    raw::put_att(ncid, varid, RECORDS_ATTR, nc::NC_INT, &[records as i32])?;
                } else if stored {
                    self.define_mode()?;
                    raw::del_att(ncid, varid, RECORDS_ATTR)?;
                }
                self.var_mut(id)?.records_dirty = false;
            }
        }
        Ok(())
    }
}
