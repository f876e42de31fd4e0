//! The netCDF backend: netCDF-4 (groups) and netCDF-3 (classic and 64-bit
//! offset), on the conventions of `shared/spec/format.md`:
//!
//! | node | netCDF-4 | netCDF-3 |
//! | --- | --- | --- |
//! | group | group | refused (no groups) |
//! | leaf | variable over fixed dimensions `_n` (length n) | the same |
//! | leaf with a zero-length axis | scalar variable with attribute `__shape__` | the same |
//! | records | variable whose first dimension is the group's unlimited `_0` | the file's `_0` |
//! | none | scalar `NC_UBYTE` variable with attribute `__none__` = 1 | scalar `NC_BYTE` |
//!
//! Text is `NC_STRING` in netCDF-4 and `NC_CHAR` with a trailing length
//! dimension `_n` in netCDF-3 (`NC_CHAR` arrays are read as text in both).
//! Bool is an enum type `__bool__` over `NC_BYTE` (`FALSE` = 0, `TRUE` = 1,
//! what h5py reads as bool) in netCDF-4, and `NC_BYTE` with attribute
//! `__bool__` = 1 in netCDF-3, which has no unsigned or 64-bit integers
//! either (refused there).
//!
//! Dimensions `_n` are defined in the group that uses them, except in a
//! list (a group holding `_`): its elements are named `_0`, `_1`, ... and a
//! dimension of the same name would clash with them inside the HDF5 file,
//! so lists use the dimensions of their nearest enclosing plain group.
//!
//! All record variables of a group share the length of `_0`; each record
//! node counts its own records while the file is open, so that recording
//! several variables appends each at its own next index. A file opened
//! again reports every record variable of a group with the length of `_0`.
//!
//! netCDF-3 define mode is handled here: the backend enters and leaves it
//! as calls need, reserving header space so that later definitions rarely
//! move the data. Every node looked up or created keeps its (group id,
//! variable id) in a table, so a record write is one library call.

mod classic;
mod raw;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::HashMap;
use std::ffi::{c_char, c_int, CStr, CString};
use std::path::Path;

use ndarray::{ArrayD, IxDyn};
use netcdf_sys as nc;
use netcdf_sys::nc_type;

use self::raw::c_name;
use qnd_storage::chunks::{deflate_records, direct_records, record_chunk};
use qnd_storage::{
    Array, Capabilities, DType, DTypeSet, FastMap, LeafInfo, LeafSpec, NcFormat, NodeId, Kind,
    RecordDims, SResult, Run, Storage, StorageError,
};

/// What a netCDF file of `format` can hold: netCDF-4 all but virtual
/// datasets and attributes of more than one axis; netCDF-3 no groups, no
/// unsigned or 64-bit integers, no bool attributes and no arrays of
/// strings as attributes, and one record dimension for the file.
pub const fn capabilities(format: NcFormat) -> Capabilities {
    const NETCDF4: Capabilities = Capabilities {
        attr_rank: 1,
        record_dims: RecordDims::PerGroup,
        ..Capabilities::ALL
    };
    const NOT_CLASSIC: [DType; 5] = [DType::U8, DType::U16, DType::U32, DType::U64, DType::I64];
    match format {
        NcFormat::Netcdf4 => NETCDF4,
        NcFormat::Classic | NcFormat::Offset64 => Capabilities {
            groups: false,
            leaf_dtypes: DTypeSet::ALL.without(&NOT_CLASSIC),
            attr_dtypes: DTypeSet::ALL.without(&NOT_CLASSIC).without(&[DType::Bool]),
            text_attr_arrays: false,
            record_dims: RecordDims::PerFile,
            ..NETCDF4
        },
    }
}

const NONE_ATTR: &CStr = c"__none__";
const SHAPE_ATTR: &CStr = c"__shape__";
const BOOL_ATTR: &CStr = c"__bool__";
const BOOL_TYPE: &CStr = c"__bool__";
const RECORDS_ATTR: &CStr = c"__records__";
const ORDER_ATTR: &CStr = c"__order__";
const RECORD_DIM: &str = "_0";
/// Bytes kept free after a netCDF-3 header.
const HEADER_FREE: usize = 16 * 1024;

/// How text is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Text {
    /// Not text.
    No,
    /// `NC_STRING`: one variable-length string per element.
    Strings,
    /// `NC_CHAR` with a trailing dimension of this many bytes.
    Chars(usize),
}

/// A variable: where it is and how to move its data.
#[derive(Clone, Debug)]
struct Var {
    ncid: c_int,
    varid: c_int,
    dtype: DType,
    text: Text,
    /// Dimension names (the record dimension's first, for records) and
    /// lengths (without the record axis), both without a trailing
    /// `NC_CHAR` length.
    dims: Vec<String>,
    shape: Vec<usize>,
    /// Records written so far (record nodes only).
    records: usize,
    /// The record count changed since it was last stored.
    records_dirty: bool,
    /// The record dimension (record nodes only).
    record_dim: Option<c_int>,
    /// The shape of an empty leaf (a scalar variable with `__shape__`).
    empty_shape: Option<Vec<usize>>,
    /// A leaf declared but never written: it reads as zeros, and zeros are
    /// written before any partial write, flush or close (netCDF would
    /// otherwise keep its fill values, which read as 9.97e36, not 0).
    fresh: bool,
}

enum Body {
    Group,
    Var(Box<Var>),
    None,
}

struct Node {
    /// The group's ncid (for a variable, its group's).
    ncid: c_int,
    /// `NC_GLOBAL` for a group.
    varid: c_int,
    kind: Kind,
    body: Body,
    /// The parent node (the root is its own parent).
    parent: NodeId,
}

/// An open netCDF file.
pub struct NetcdfStorage {
    ncid: Option<c_int>,
    path: std::path::PathBuf,
    format: NcFormat,
    writable: bool,
    /// netCDF-3 only: true while in define mode.
    define: bool,
    nodes: Vec<Node>,
    children: FastMap<NodeId, FastMap<String, NodeId>>,
    /// Per group ncid: fixed dimension length -> dimid, and the record
    /// dimension, as defined in that group.
    dims: HashMap<c_int, GroupDims>,
    /// Length of each record dimension when first seen, before this session
    /// appended to it: what records a variable opened later already has.
    record_len: HashMap<c_int, usize>,
    /// The netCDF-4 enum type used for bool, once looked up or defined.
    bool_type: Option<nc_type>,
}

#[derive(Default)]
struct GroupDims {
    fixed: HashMap<usize, c_int>,
    record: Option<c_int>,
    scanned: bool,
}

fn unsupported<T>(msg: impl Into<String>) -> SResult<T> {
    Err(StorageError::Unsupported(msg.into()))
}

fn layout(msg: impl Into<String>) -> StorageError {
    StorageError::Layout(msg.into())
}

impl NetcdfStorage {
    /// Create (truncate) a file of `format`.
    ///
    /// # Errors
    /// When the library cannot create it.
    pub fn create(path: &Path, format: NcFormat) -> SResult<NetcdfStorage> {
        let cmode = match format {
            NcFormat::Netcdf4 => nc::NC_NETCDF4,
            NcFormat::Classic => 0,
            NcFormat::Offset64 => nc::NC_64BIT_OFFSET,
        };
        let ncid = raw::create(path, cmode)?;
        let mut s = NetcdfStorage::with(ncid, path, format, true);
        s.define = format.is_classic();
        Ok(s)
    }

    /// Open an existing file (netCDF-4, or netCDF-3 classic, 64-bit offset
    /// or 64-bit data), read-only or read-write.
    ///
    /// # Errors
    /// When the library cannot open it.
    pub fn open(path: &Path, writable: bool) -> SResult<NetcdfStorage> {
        let ncid = raw::open(path, writable)?;
        let format = match raw::format(ncid) {
            Ok(nc::NC_FORMAT_NETCDF4) => NcFormat::Netcdf4,
            Ok(nc::NC_FORMAT_64BIT_OFFSET) => NcFormat::Offset64,
            Ok(nc::NC_FORMAT_NETCDF4_CLASSIC) => NcFormat::Netcdf4,
            Ok(_) => NcFormat::Classic,
            Err(e) => {
                let _ = raw::close(ncid);
                return Err(e);
            }
        };
        if format.is_classic() {
            if let Err(e) = check_classic_size(path) {
                let _ = raw::close(ncid);
                return Err(e);
            }
        }
        Ok(NetcdfStorage::with(ncid, path, format, writable))
    }

    fn with(ncid: c_int, path: &Path, format: NcFormat, writable: bool) -> NetcdfStorage {
        NetcdfStorage {
            ncid: Some(ncid),
            path: path.to_path_buf(),
            format,
            writable,
            define: false,
            nodes: vec![Node {
                ncid,
                varid: nc::NC_GLOBAL,
                kind: Kind::Group,
                body: Body::Group,
                parent: NodeId(0),
            }],
            children: FastMap::default(),
            dims: HashMap::new(),
            record_len: HashMap::new(),
            bool_type: None,
        }
    }

    /// The file's path, as given to [`create`](Self::create) or
    /// [`open`](Self::open).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's format.
    pub fn format(&self) -> NcFormat {
        self.format
    }

    fn classic(&self) -> bool {
        self.format.is_classic()
    }

    fn file(&self) -> SResult<c_int> {
        self.ncid.ok_or_else(|| layout("the file is closed"))
    }

    fn node(&self, id: NodeId) -> SResult<&Node> {
        self.nodes
            .get(id.0)
            .ok_or_else(|| layout(format!("no node {} (file closed?)", id.0)))
    }

    fn var(&self, id: NodeId) -> SResult<&Var> {
        match &self.node(id)?.body {
            Body::Var(v) => Ok(v),
            _ => Err(layout("not a leaf or record node")),
        }
    }

    fn var_mut(&mut self, id: NodeId) -> SResult<&mut Var> {
        match self.nodes.get_mut(id.0).map(|n| &mut n.body) {
            Some(Body::Var(v)) => Ok(v),
            _ => Err(layout("not a leaf or record node")),
        }
    }

    /// Write zeros over a fresh leaf.
    fn write_zeros(&mut self, node: NodeId) -> SResult<()> {
        let v = self.var(node)?;
        let slab: Vec<Run> = v.shape.iter().map(|&n| Run::all(n)).collect();
        let zeros = Array::zeros(v.dtype, &v.shape);
        let mut plain = v.clone();
        plain.fresh = false;
        plain.write(&slab, &zeros)?;
        self.var_mut(node)?.fresh = false;
        Ok(())
    }

    /// Before a flush or close: zeros into fresh leaves, and the record
    /// count of each record variable that holds fewer records than its
    /// record dimension (attribute `__records__`).
    fn store_pending(&mut self) -> SResult<()> {
        if !self.writable || self.ncid.is_none() {
            return Ok(());
        }
        for i in 0..self.nodes.len() {
            let id = NodeId(i);
            let (fresh, dirty) = match &self.nodes[i].body {
                Body::Var(v) => (v.fresh, v.records_dirty),
                _ => continue,
            };
            if fresh {
                self.data_mode()?;
                self.write_zeros(id)?;
            }
            if dirty {
                let v = self.var(id)?;
                let (ncid, varid, records) = (v.ncid, v.varid, v.records);
                let Some(dimid) = v.record_dim else { continue };
                let len = raw::dim_len(ncid, dimid)?;
                let stored = raw::att(ncid, varid, RECORDS_ATTR)?.is_some();
                if records < len {
                    self.define_mode()?;
                    let n = records as i32;
                    unsafe {
                        raw::put_att(
                            ncid,
                            varid,
                            RECORDS_ATTR,
                            nc::NC_INT,
                            1,
                            (&n as *const i32).cast(),
                        )?
                    };
                } else if stored {
                    self.define_mode()?;
                    raw::del_att(ncid, varid, RECORDS_ATTR)?;
                }
                self.var_mut(id)?.records_dirty = false;
            }
        }
        Ok(())
    }

    fn group_ncid(&self, id: NodeId) -> SResult<c_int> {
        let n = self.node(id)?;
        match n.body {
            Body::Group => Ok(n.ncid),
            _ => Err(layout("not a group")),
        }
    }

    /// netCDF-3: enter define mode (before defining anything).
    fn define_mode(&mut self) -> SResult<()> {
        if self.classic() && !self.define {
            raw::redef(self.file()?)?;
            self.define = true;
        }
        Ok(())
    }

    /// netCDF-3: leave define mode (before moving data).
    fn data_mode(&mut self) -> SResult<()> {
        if self.classic() && self.define {
            raw::enddef(self.file()?, HEADER_FREE)?;
            self.define = false;
        }
        Ok(())
    }

    /// netCDF-4: after creating member `name` of `parent`, keep the order
    /// of creation across variables and groups in `__order__`, once the
    /// group has subgroups (lists need none: their order is by index).
    fn note_order(&mut self, parent: NodeId, name: &str) -> SResult<()> {
        let g = self.group_ncid(parent)?;
        if self.classic() || raw::groups(g)?.is_empty() || self.is_list(parent)? {
            return Ok(());
        }
        let mut names = self.names(parent)?;
        names.retain(|n| n != name);
        names.push(name.to_string());
        let owned: Vec<CString> = names.iter().map(|n| c_name(n)).collect::<SResult<_>>()?;
        let ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
        unsafe {
            raw::put_att(
                g,
                nc::NC_GLOBAL,
                ORDER_ATTR,
                nc::NC_STRING,
                ptrs.len(),
                ptrs.as_ptr().cast(),
            )
        }
    }

    fn push(&mut self, parent: NodeId, name: &str, node: Node) -> NodeId {
        let id = NodeId(self.nodes.len());
        self.nodes.push(node);
        self.children
            .entry(parent)
            .or_default()
            .insert(name.to_string(), id);
        id
    }

    /// A name not yet used in `parent`, as a C string.
    fn new_member(&mut self, parent: NodeId, name: &str) -> SResult<(c_int, CString)> {
        let g = self.group_ncid(parent)?;
        if self.lookup(parent, name)?.is_some() {
            return unsupported(format!("{name:?} exists"));
        }
        Ok((g, c_name(name)?))
    }

    // ------------------------------------------------------------ types

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

    fn is_bool_enum(&self, ncid: c_int, xtype: nc_type) -> SResult<bool> {
        let (class, base, n) = raw::user_type(ncid, xtype)?;
        if class != nc::NC_ENUM || (base != nc::NC_BYTE && base != nc::NC_UBYTE) || n != 2 {
            return Ok(false);
        }
        let mut m = raw::enum_members_i8(ncid, xtype, n)?;
        m.sort_by_key(|(_, v)| *v);
        Ok(m.len() == 2 && m[0] == ("FALSE".into(), 0) && m[1] == ("TRUE".into(), 1))
    }

    /// The file type of `dtype` and how text is laid out.
    fn file_type(&mut self, dtype: DType, text_len: usize) -> SResult<(nc_type, Text)> {
        if self.classic() {
            let t = match dtype {
                DType::I8 | DType::Bool => nc::NC_BYTE,
                DType::I16 => nc::NC_SHORT,
                DType::I32 => nc::NC_INT,
                DType::F32 => nc::NC_FLOAT,
                DType::F64 => nc::NC_DOUBLE,
                DType::Str => return Ok((nc::NC_CHAR, Text::Chars(text_len.max(1)))),
                other => {
                    return unsupported(format!(
                        "netCDF-3 has no {other} type (only i1, i2, i4, f4, f8, bool and text); \
                         use netCDF-4"
                    ))
                }
            };
            return Ok((t, Text::No));
        }
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
            DType::Bool => self.bool_type()?,
            DType::Str => return Ok((nc::NC_STRING, Text::Strings)),
        };
        Ok((t, Text::No))
    }

    /// The dtype a file type reads as.
    fn dtype_of(&self, ncid: c_int, xtype: nc_type) -> SResult<(DType, Text)> {
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
            nc::NC_STRING => return Ok((DType::Str, Text::Strings)),
            nc::NC_CHAR => return Ok((DType::Str, Text::Chars(0))),
            t if t > nc::NC_STRING && self.is_bool_enum(ncid, t)? => DType::Bool,
            t => {
                return Err(layout(format!(
                    "a netCDF type ({t}) that is not a number, bool or text"
                )))
            }
        };
        Ok((d, Text::No))
    }

    // ------------------------------------------------------------ dimensions

    /// The group whose dimensions group `g` uses: itself, or for a list its
    /// nearest enclosing plain group.
    fn dim_home(&mut self, g: NodeId) -> SResult<NodeId> {
        let mut g = g;
        while g != NodeId(0) && self.is_list(g)? {
            g = self.node(g)?.parent;
        }
        Ok(g)
    }

    fn is_list(&mut self, g: NodeId) -> SResult<bool> {
        let ncid = self.group_ncid(g)?;
        Ok(raw::varid(ncid, c"_")?.is_some())
    }

    fn scan_dims(&mut self, ncid: c_int) -> SResult<()> {
        if self.dims.get(&ncid).is_some_and(|d| d.scanned) {
            return Ok(());
        }
        let unlimited = raw::unlimited_dimids(ncid)?;
        let mut found = GroupDims {
            scanned: true,
            ..GroupDims::default()
        };
        for id in raw::own_dimids(ncid)? {
            let (name, len) = raw::dim(ncid, id)?;
            if unlimited.contains(&id) {
                if found.record.is_none() || name == RECORD_DIM {
                    found.record = Some(id);
                }
            } else if name == format!("_{len}") {
                found.fixed.insert(len, id);
            }
        }
        // netCDF-3: the one unlimited dimension, whatever its name
        if self.classic() && found.record.is_none() {
            found.record = unlimited.first().copied();
        }
        self.dims.insert(ncid, found);
        Ok(())
    }

    /// The dimension `_len` of group `ncid`, defined when missing.
    fn fixed_dim(&mut self, ncid: c_int, len: usize) -> SResult<c_int> {
        self.scan_dims(ncid)?;
        if let Some(&id) = self.dims.get(&ncid).and_then(|d| d.fixed.get(&len)) {
            return Ok(id);
        }
        self.define_mode()?;
        let id = raw::def_dim(ncid, &c_name(&format!("_{len}"))?, len)?;
        self.dims.entry(ncid).or_default().fixed.insert(len, id);
        Ok(id)
    }

    /// The record dimension `_0` of group `ncid`, defined when missing.
    fn record_dim(&mut self, ncid: c_int) -> SResult<c_int> {
        self.scan_dims(ncid)?;
        if let Some(id) = self.dims.get(&ncid).and_then(|d| d.record) {
            return Ok(id);
        }
        self.define_mode()?;
        let id = raw::def_dim(ncid, &c_name(RECORD_DIM)?, nc::NC_UNLIMITED)?;
        self.dims.entry(ncid).or_default().record = Some(id);
        Ok(id)
    }

    // ------------------------------------------------------------ nodes

    /// Classify variable `varid` of group `ncid`.
    fn var_node(&mut self, parent: NodeId, ncid: c_int, varid: c_int) -> SResult<Node> {
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
        if let Text::Chars(_) = text {
            // the last dimension is the string length
            let width = match shape.pop() {
                Some(w) => {
                    dims.pop();
                    w
                }
                None => 1,
            };
            text = Text::Chars(width);
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
            let own = if has(RECORDS_ATTR)? {
                let a = self.read_attr(ncid, varid, RECORDS_ATTR)?;
                shape_from(&a)?.first().copied().unwrap_or(len).min(len)
            } else {
                len
            };
            (Kind::Records, own)
        } else {
            (Kind::Leaf, 0)
        };
        Ok(node(
            kind,
            Body::Var(Box::new(Var {
                ncid,
                varid,
                dtype,
                text,
                dims,
                shape,
                records: count,
                records_dirty: false,
                record_dim: records.then(|| inq.dimids[0]),
                empty_shape,
                fresh: false,
            })),
        ))
    }

    fn read_attr(&self, ncid: c_int, varid: c_int, name: &CStr) -> SResult<Array> {
        let Some((xtype, len)) = raw::att(ncid, varid, name)? else {
            return Err(StorageError::NotFound);
        };
        let (dtype, text) = self.dtype_of(ncid, xtype)?;
        let a = match text {
            Text::Chars(_) => {
                let mut buf = vec![0u8; len];
                if len > 0 {
                    unsafe { raw::get_att(ncid, varid, name, buf.as_mut_ptr().cast())? };
                }
                return Ok(Array::scalar(text_from(&buf)));
            }
            Text::Strings => {
                let mut ptrs: Vec<*mut c_char> = vec![std::ptr::null_mut(); len];
                if len > 0 {
                    unsafe { raw::get_att(ncid, varid, name, ptrs.as_mut_ptr().cast())? };
                }
                let strings = strings_from(&ptrs);
                raw::free_strings(&mut ptrs);
                Array::Str(vec1(strings)?)
            }
            Text::No => read_buffer(dtype, &[len], |buf| unsafe {
                raw::get_att(ncid, varid, name, buf)
            })?,
        };
        // netCDF attributes are 1-d: one value reads as a scalar
        Ok(if len == 1 {
            a.into_shape(&[]).unwrap_or_else(|a| a)
        } else {
            a
        })
    }
}

/// netCDF-3 reads past the end of a file as zeros: refuse a file too short
/// to hold the data its header describes.
fn check_classic_size(path: &Path) -> SResult<()> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(StorageError::library)?;
    let len = file.metadata().map_err(StorageError::library)?.len();
    // headers are small; a header longer than this is not checked
    let mut head = Vec::new();
    file.take(1 << 20)
        .read_to_end(&mut head)
        .map_err(StorageError::library)?;
    match classic::required(&head) {
        classic::Size::Needs(need) if len < need => Err(layout(format!(
            "truncated netCDF-3 file: {len} bytes, but its variables need {need}"
        ))),
        classic::Size::HeaderCut if len == head.len() as u64 => Err(layout(format!(
            "truncated netCDF-3 file: {len} bytes end inside its header"
        ))),
        _ => Ok(()),
    }
}

/// A 1-d array.
fn vec1<T>(v: Vec<T>) -> SResult<ArrayD<T>> {
    let n = v.len();
    ArrayD::from_shape_vec(IxDyn(&[n]), v).map_err(|e| layout(e.to_string()))
}

/// Text from `NC_CHAR` bytes: up to the first NUL, UTF-8 (lossy).
fn text_from(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Strings from `NC_STRING` pointers (a null pointer reads as "").
fn strings_from(ptrs: &[*mut c_char]) -> Vec<String> {
    ptrs.iter()
        .map(|&p| {
            if p.is_null() {
                String::new()
            } else {
                unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
            }
        })
        .collect()
}

fn shape_from(a: &Array) -> SResult<Vec<usize>> {
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

/// Read `shape` elements of `dtype` (not text) with `get`, which fills a
/// buffer of the file type (bool as bytes).
fn read_buffer(
    dtype: DType,
    shape: &[usize],
    get: impl FnOnce(*mut std::ffi::c_void) -> SResult<()>,
) -> SResult<Array> {
    let n: usize = shape.iter().product();
    macro_rules! rd {
        ($t:ty, $v:ident) => {{
            let mut buf: Vec<$t> = vec![<$t>::default(); n];
            if n > 0 {
                get(buf.as_mut_ptr().cast())?;
            }
            Array::$v(ArrayD::from_shape_vec(IxDyn(shape), buf).map_err(|e| layout(e.to_string()))?)
        }};
    }
    Ok(match dtype {
        DType::I8 => rd!(i8, I8),
        DType::I16 => rd!(i16, I16),
        DType::I32 => rd!(i32, I32),
        DType::I64 => rd!(i64, I64),
        DType::U8 => rd!(u8, U8),
        DType::U16 => rd!(u16, U16),
        DType::U32 => rd!(u32, U32),
        DType::U64 => rd!(u64, U64),
        DType::F32 => rd!(f32, F32),
        DType::F64 => rd!(f64, F64),
        DType::Bool => {
            let Array::I8(b) = rd!(i8, I8) else {
                unreachable!("read as i8")
            };
            Array::Bool(b.mapv(|x| x != 0))
        }
        DType::Str => return unsupported("text is not read through a number buffer"),
    })
}

/// The elements of a numeric or bool array in C order, as the bytes of the
/// file type (bool as `i8`: Rust stores `false`/`true` as the bytes 0/1),
/// ready for a put. A standard-layout array is borrowed, not copied.
fn number_bytes(a: &Array) -> SResult<Cow<'_, [u8]>> {
    fn bytes<T: Copy>(x: &ArrayD<T>) -> Cow<'_, [u8]> {
        fn as_bytes<T: Copy>(v: &[T]) -> &[u8] {
            // SAFETY: plain numbers (or bools, one byte of 0 or 1 each)
            // viewed as the bytes they are made of; u8 has alignment 1.
            unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), std::mem::size_of_val(v)) }
        }
        match x.as_slice() {
            Some(v) => Cow::Borrowed(as_bytes(v)),
            None => Cow::Owned(as_bytes(&x.iter().copied().collect::<Vec<T>>()).to_vec()),
        }
    }
    Ok(match a {
        Array::I8(x) => bytes(x),
        Array::I16(x) => bytes(x),
        Array::I32(x) => bytes(x),
        Array::I64(x) => bytes(x),
        Array::U8(x) => bytes(x),
        Array::U16(x) => bytes(x),
        Array::U32(x) => bytes(x),
        Array::U64(x) => bytes(x),
        Array::F32(x) => bytes(x),
        Array::F64(x) => bytes(x),
        Array::Bool(x) => bytes(x),
        Array::Str(_) => return unsupported("text is not written through a number buffer"),
    })
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

impl Var {
    /// Read a hyperslab (`slab` over the variable's dimensions, records
    /// included, without the `NC_CHAR` length).
    fn read(&self, slab: &[Run]) -> SResult<Array> {
        let counts: Vec<usize> = slab.iter().map(|s| s.count).collect();
        if self.empty_shape.is_some() || self.fresh || counts.contains(&0) {
            return Ok(Array::zeros(self.dtype, &counts));
        }
        let (mut start, mut count, mut stride) = split(slab);
        let n: usize = counts.iter().product();
        let strings = match self.text {
            Text::No => {
                return read_buffer(self.dtype, &counts, |buf| unsafe {
                    raw::get(self.ncid, self.varid, &start, &count, &stride, buf)
                })
            }
            Text::Strings => {
                let mut ptrs: Vec<*mut c_char> = vec![std::ptr::null_mut(); n];
                let got = unsafe {
                    raw::get(
                        self.ncid,
                        self.varid,
                        &start,
                        &count,
                        &stride,
                        ptrs.as_mut_ptr().cast(),
                    )
                };
                let strings = strings_from(&ptrs);
                raw::free_strings(&mut ptrs);
                got?;
                strings
            }
            Text::Chars(0) => vec![String::new(); n],
            Text::Chars(width) => {
                start.push(0);
                count.push(width);
                stride.push(1);
                let mut buf = vec![0u8; n * width];
                unsafe {
                    raw::get(
                        self.ncid,
                        self.varid,
                        &start,
                        &count,
                        &stride,
                        buf.as_mut_ptr().cast(),
                    )?
                };
                buf.chunks(width).map(text_from).collect()
            }
        };
        Ok(Array::Str(
            ArrayD::from_shape_vec(IxDyn(&counts), strings).map_err(|e| layout(e.to_string()))?,
        ))
    }

    /// Write `data` (of the slab's shape and this variable's dtype).
    fn write(&self, slab: &[Run], data: &Array) -> SResult<()> {
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
            (Array::Str(s), Text::Strings) => {
                let owned: Vec<CString> = s.iter().map(|t| c_name(t)).collect::<SResult<_>>()?;
                let ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
                unsafe {
                    raw::put(
                        self.ncid,
                        self.varid,
                        &start,
                        &count,
                        &stride,
                        ptrs.as_ptr().cast(),
                    )
                }
            }
            (Array::Str(s), Text::Chars(width)) => {
                let bytes = char_bytes(s, width)?;
                start.push(0);
                count.push(width);
                stride.push(1);
                unsafe {
                    raw::put(
                        self.ncid,
                        self.varid,
                        &start,
                        &count,
                        &stride,
                        bytes.as_ptr().cast(),
                    )
                }
            }
            (a, Text::No) => {
                let buf = number_bytes(a)?;
                unsafe {
                    raw::put(
                        self.ncid,
                        self.varid,
                        &start,
                        &count,
                        &stride,
                        buf.as_ptr().cast(),
                    )
                }
            }
            (a, _) => Err(layout(format!("{} data for a text variable", a.dtype()))),
        }
    }
}

/// start, count and stride vectors of a slab.
fn split(slab: &[Run]) -> (Vec<usize>, Vec<usize>, Vec<isize>) {
    (
        slab.iter().map(|s| s.first).collect(),
        slab.iter().map(|s| s.count).collect(),
        slab.iter().map(|s| s.stride() as isize).collect(),
    )
}

impl Storage for NetcdfStorage {
    fn backend_name(&self) -> &'static str {
        "netcdf"
    }

    fn capabilities(&self) -> Capabilities {
        capabilities(self.format)
    }

    fn root(&self) -> NodeId {
        NodeId(0)
    }

    fn names(&mut self, group: NodeId) -> SResult<Vec<String>> {
        let g = self.group_ncid(group)?;
        let mut names = Vec::new();
        for v in raw::varids(g)? {
            names.push(raw::var_name(g, v)?);
        }
        if self.classic() {
            return Ok(names);
        }
        let groups = raw::groups(g)?;
        if groups.is_empty() {
            return Ok(names);
        }
        names.extend(groups.into_iter().map(|(n, _)| n));
        // netCDF keeps variables and groups in two lists: the order they
        // were created in, across both, is in `__order__`
        if raw::att(g, nc::NC_GLOBAL, ORDER_ATTR)?.is_none() {
            return Ok(names);
        }
        let order = match self.read_attr(g, nc::NC_GLOBAL, ORDER_ATTR)? {
            Array::Str(o) => o.into_iter().collect::<Vec<_>>(),
            _ => return Ok(names),
        };
        let mut out: Vec<String> = order.into_iter().filter(|n| names.contains(n)).collect();
        out.dedup();
        for n in names {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        Ok(out)
    }

    fn lookup(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, Kind)>> {
        if let Some(&id) = self.children.get(&group).and_then(|m| m.get(name)) {
            return Ok(Some((id, self.node(id)?.kind)));
        }
        let g = self.group_ncid(group)?;
        let Ok(c) = CString::new(name) else {
            return Ok(None);
        };
        if name.is_empty() || name.contains('/') {
            return Ok(None);
        }
        let node = if let Some(v) = raw::varid(g, &c)? {
            self.var_node(group, g, v)?
        } else if let Some(sub) = (!self.classic())
            .then(|| raw::group(g, &c))
            .transpose()?
            .flatten()
        {
            Node {
                ncid: sub,
                varid: nc::NC_GLOBAL,
                kind: Kind::Group,
                body: Body::Group,
                parent: group,
            }
        } else {
            return Ok(None);
        };
        let kind = node.kind;
        Ok(Some((self.push(group, name, node), kind)))
    }

    fn create_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        if self.classic() {
            return unsupported(format!(
                "netCDF-3 has no groups: cannot create group or list {name:?} \
                 (use netCDF-4 or HDF5)"
            ));
        }
        let (g, c) = self.new_member(parent, name)?;
        let sub = raw::def_grp(g, &c)?;
        self.note_order(parent, name)?;
        Ok(self.push(
            parent,
            name,
            Node {
                ncid: sub,
                varid: nc::NC_GLOBAL,
                kind: Kind::Group,
                body: Body::Group,
                parent,
            },
        ))
    }

    fn create_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        let (g, c) = self.new_member(parent, name)?;
        self.define_mode()?;
        let xtype = if self.classic() {
            nc::NC_BYTE
        } else {
            nc::NC_UBYTE
        };
        let v = raw::def_var(g, &c, xtype, &[])?;
        let one = 1u8;
        unsafe { raw::put_att(g, v, NONE_ATTR, xtype, 1, (&one as *const u8).cast())? };
        self.note_order(parent, name)?;
        Ok(self.push(
            parent,
            name,
            Node {
                ncid: g,
                varid: v,
                kind: Kind::None,
                body: Body::None,
                parent,
            },
        ))
    }

    fn create_leaf(&mut self, parent: NodeId, name: &str, spec: &LeafSpec) -> SResult<NodeId> {
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
            if let Text::Chars(w) = text {
                dimids.push(self.fixed_dim(home_ncid, w)?);
            }
        }
        self.define_mode()?;
        let v = raw::def_var(g, &c, xtype, &dimids)?;
        if spec.records && !self.classic() {
            let elem = match text {
                Text::Strings => std::mem::size_of::<usize>(),
                _ => spec.dtype.size().max(1),
            };
            let chunk = record_chunk(&spec.shape, elem);
            raw::def_chunking(g, v, &chunk)?;
            let record_bytes = chunk[1..].iter().product::<usize>().saturating_mul(elem);
            if text != Text::Strings && deflate_records(record_bytes) {
                raw::deflate_records(g, v)?;
            } else if text == Text::No && direct_records(record_bytes) {
                raw::direct_records(g, v)?;
            }
        }
        if spec.dtype == DType::Bool && self.classic() {
            let one = 1i8;
            unsafe { raw::put_att(g, v, BOOL_ATTR, nc::NC_BYTE, 1, (&one as *const i8).cast())? };
        }
        if empty {
            let shape: Vec<i32> = spec
                .shape
                .iter()
                .map(|&d| i32::try_from(d))
                .collect::<Result<_, _>>()
                .map_err(|_| StorageError::Unsupported("an axis too long for netCDF".into()))?;
            unsafe {
                raw::put_att(
                    g,
                    v,
                    SHAPE_ATTR,
                    nc::NC_INT,
                    shape.len(),
                    shape.as_ptr().cast(),
                )?
            };
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
                ncid: g,
                varid: v,
                dtype: spec.dtype,
                text,
                dims,
                shape: spec.shape.clone(),
                records: 0,
                // stored at close when other variables have records
                records_dirty: spec.records,
                record_dim: spec.records.then(|| dimids[0]),
                empty_shape: empty.then(|| spec.shape.clone()),
                fresh: !spec.records && !empty,
            })),
            parent,
        };
        Ok(self.push(parent, name, node))
    }

    fn info(&mut self, node: NodeId) -> SResult<LeafInfo> {
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
        })
    }

    fn read(&mut self, node: NodeId, slab: &[Run]) -> SResult<Array> {
        self.data_mode()?;
        self.var(node)?.read(slab)
    }

    fn write(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()> {
        self.data_mode()?;
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

    fn append_records(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        self.data_mode()?;
        if self.node(node)?.kind != Kind::Records {
            return Err(layout("not a record node"));
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
        .chain(v.shape.iter().map(|&d| Run::all(d)))
        .collect();
        v.write(&slab, records)?;
        let v = self.var_mut(node)?;
        v.records += added;
        v.records_dirty = true;
        Ok(())
    }

    fn attr_names(&mut self, node: NodeId) -> SResult<Vec<String>> {
        let n = self.node(node)?;
        let (ncid, varid) = (n.ncid, n.varid);
        (0..raw::natts(ncid, varid)?)
            .map(|i| raw::att_name(ncid, varid, i))
            .filter(|r| !matches!(r, Ok(name) if name.starts_with("__")))
            .collect()
    }

    fn get_attr(&mut self, node: NodeId, name: &str) -> SResult<Option<Array>> {
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

    fn set_attr(&mut self, node: NodeId, name: &str, value: &Array) -> SResult<()> {
        let n = self.node(node)?;
        let (ncid, varid) = (n.ncid, n.varid);
        let c = c_name(name)?;
        if value.ndim() > 1 {
            return unsupported(format!(
                "netCDF attributes are 1-d; attribute {name:?} has shape {:?}",
                value.shape()
            ));
        }
        self.define_mode()?;
        // a replaced attribute may change type: delete it first
        if raw::att(ncid, varid, &c)?.is_some() {
            raw::del_att(ncid, varid, &c)?;
        }
        match value {
            Array::Str(s) if s.ndim() == 0 => {
                let t = s.iter().next().cloned().unwrap_or_default();
                unsafe { raw::put_att(ncid, varid, &c, nc::NC_CHAR, t.len(), t.as_ptr().cast()) }
            }
            Array::Str(s) => {
                if self.classic() {
                    return unsupported(format!(
                        "netCDF-3 has no arrays of strings: attribute {name:?}"
                    ));
                }
                let owned: Vec<CString> = s.iter().map(|t| c_name(t)).collect::<SResult<_>>()?;
                let ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
                unsafe {
                    raw::put_att(
                        ncid,
                        varid,
                        &c,
                        nc::NC_STRING,
                        ptrs.len(),
                        ptrs.as_ptr().cast(),
                    )
                }
            }
            Array::Bool(_) if self.classic() => unsupported(format!(
                "netCDF-3 has no bool attributes: attribute {name:?}"
            )),
            a => {
                let (xtype, _) = self.file_type(a.dtype(), 1)?;
                let buf = number_bytes(a)?;
                unsafe { raw::put_att(ncid, varid, &c, xtype, a.size(), buf.as_ptr().cast()) }
            }
        }
    }

    fn flush(&mut self) -> SResult<()> {
        if !self.writable {
            return Ok(());
        }
        self.store_pending()?;
        self.data_mode()?;
        raw::sync(self.file()?)
    }

    fn close(&mut self) -> SResult<()> {
        let pending = self.store_pending();
        self.nodes.clear();
        self.children.clear();
        self.dims.clear();
        match self.ncid.take() {
            // netCDF-3 leaves define mode on close by itself
            Some(ncid) => {
                let closed = raw::close(ncid);
                pending.and(closed)
            }
            None => pending,
        }
    }
}

impl Drop for NetcdfStorage {
    fn drop(&mut self) {
        if self.ncid.is_some() {
            // errors are for close() to report; drop can only try
            let _ = self.close();
        }
    }
}
