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
//! either (refused there). Complex (c8, c16) is, in netCDF-4, the compound
//! type netCDF4-python (1.7 and later, `auto_complex=True`) writes and
//! reads as complex: `_PFNC_FLOAT_COMPLEX_TYPE` or
//! `_PFNC_DOUBLE_COMPLEX_TYPE` of two fields `r`, `i` of `NC_FLOAT` or
//! `NC_DOUBLE`, one per float size per file, defined in the root group
//! (or a complex compound of that size the root already has); any
//! compound of two fields of one float type named `r...`, `i...` (in any
//! case, as nc-complex recognises them) reads as complex, in variables
//! and attributes. netCDF-3 refuses complex: it needs HDF5 or netCDF-4. What each format can hold is stated once, by
//! [`capabilities`]; every refusal of the backend asks it.
//!
//! Dimensions `_n` are defined in the group that uses them, except in a
//! list (a group holding `_`): its elements are named `_0`, `_1`, ... and a
//! dimension of the same name would clash with them inside the HDF5 file,
//! so lists use the dimensions of their nearest enclosing plain group.
//!
//! All record variables of a group share the length of `_0`; each record
//! node counts its own records while the file is open, so that recording
//! several variables appends each at its own next index. A file opened
//! again reports every record variable of a group with the length of `_0`,
//! or the count in its attribute `__records__` where it has fewer.
//!
//! netCDF-3 define mode is handled here: the backend enters and leaves it
//! as calls need, reserving header space so that later definitions rarely
//! move the data. Every node looked up or created keeps its (group id,
//! variable id) in a table, so a record write is one library call.
//!
//! The crate's rooms: this file opens and closes files and implements
//! [`Storage`] by delegating to `nodes` (the node table, member names and
//! lookups, groups and None members), `vars` (defining a variable for a
//! leaf or record node, and telling what an existing variable is), `dims`
//! (the dimensions `_n` and `_0`), `types` (netCDF types of dtypes, and
//! the refusals of what the format cannot hold), `data` (hyperslabs,
//! records, and the buffers the library reads and writes), `attrs`
//! (attributes), `other` (variables of types qnd does not read: netCDF-4
//! vlen, opaque, non-bool enum and compound types, each a node of
//! [`Kind::Other`] described in one line by [`Storage::other_type`], and
//! refused by every data call; attributes of such types are left out of
//! the attribute names), `classic` (the netCDF-3 header reader that catches
//! truncated files, public for recovery) and `raw` (with `raw/vars.rs` and `raw/attrs.rs`),
//! the only module with `unsafe` code: safe wrappers over the C calls,
//! which check every buffer they hand the library.
#![deny(unsafe_code)]

/// The netCDF crates this backend is built on, for code that also calls
/// netCDF directly (qnd's benchmarks), so that it links the same library.
pub use {netcdf, netcdf_sys};

mod attrs;
pub mod classic;
mod data;
mod dims;
mod nodes;
mod other;
mod raw;
mod types;
mod vars;

#[cfg(test)]
mod complex_tests;
#[cfg(test)]
mod other_tests;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::ffi::{c_int, CStr};
use std::path::{Path, PathBuf};

use netcdf_sys as nc;
use netcdf_sys::nc_type;

use qnd_storage::{
    Array, Capabilities, DType, Kind, LeafInfo, LeafSpec, NcFormat, NodeId, NodeTable, RecordDims,
    Run, SResult, Storage, StorageError,
};

use self::dims::GroupDims;
use self::nodes::Node;

/// What a netCDF file of `format` can hold: netCDF-4 all but virtual
/// datasets and attributes of more than one axis; netCDF-3 no groups, no
/// unsigned or 64-bit integers, no complex numbers, no bool attributes and
/// no arrays of strings as attributes, and one record dimension for the
/// file.
pub const fn capabilities(format: NcFormat) -> Capabilities {
    // netCDF-C cannot delete a variable or group, and has no links
    const NETCDF4: Capabilities = Capabilities {
        attr_rank: 1,
        record_dims: RecordDims::PerGroup,
        ..Capabilities::ALL
    }
    .without_links();
    const NOT_CLASSIC: [DType; 7] = [
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::I64,
        DType::C8,
        DType::C16,
    ];
    match format {
        NcFormat::Netcdf4 => NETCDF4,
        NcFormat::Classic | NcFormat::Offset64 => Capabilities {
            groups: false,
            leaf_dtypes: NETCDF4.leaf_dtypes.without(&NOT_CLASSIC),
            attr_dtypes: NETCDF4
                .attr_dtypes
                .without(&NOT_CLASSIC)
                .without(&[DType::Bool]),
            text_attr_arrays: false,
            record_dims: RecordDims::PerFile,
            ..NETCDF4
        },
    }
}

// The conventions' names (see the table above).
const NONE_ATTR: &CStr = c"__none__";
const SHAPE_ATTR: &CStr = c"__shape__";
const BOOL_ATTR: &CStr = c"__bool__";
const BOOL_TYPE: &CStr = c"__bool__";
/// netCDF4-python's (nc-complex's) names of its complex compounds.
const COMPLEX_F4_TYPE: &CStr = c"_PFNC_FLOAT_COMPLEX_TYPE";
const COMPLEX_F8_TYPE: &CStr = c"_PFNC_DOUBLE_COMPLEX_TYPE";
const RECORDS_ATTR: &CStr = c"__records__";
const ORDER_ATTR: &CStr = c"__order__";
const RECORD_DIM: &str = "_0";
/// Bytes kept free after a netCDF-3 header.
const HEADER_FREE: usize = 16 * 1024;

/// An open netCDF file.
pub struct NetcdfStorage {
    ncid: Option<c_int>,
    path: PathBuf,
    format: NcFormat,
    writable: bool,
    /// netCDF-3 only: true while in define mode.
    define: bool,
    nodes: NodeTable<Node>,
    /// Per group ncid: fixed dimension length -> dimid, and the record
    /// dimension, as defined in that group.
    dims: HashMap<c_int, GroupDims>,
    /// Length of each record dimension when first seen, before this session
    /// appended to it: what records a variable opened later already has.
    record_len: HashMap<c_int, usize>,
    /// The netCDF-4 enum type used for bool, once looked up or defined.
    bool_type: Option<nc_type>,
    /// The netCDF-4 compound types used for c8 and c16, once looked up or
    /// defined.
    complex_types: [Option<nc_type>; 2],
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
        NetcdfStorage::make(path, format, 0)
    }

    /// Create a new file of `format`, failing if the file exists. Unlike
    /// truncating an existing file, this leaves ext4 no reason to write
    /// the whole file back when it is closed (its `auto_da_alloc` does
    /// that for a file truncated to nothing).
    ///
    /// # Errors
    /// When the file exists, or the library cannot create it.
    pub fn create_new(path: &Path, format: NcFormat) -> SResult<NetcdfStorage> {
        NetcdfStorage::make(path, format, nc::NC_NOCLOBBER)
    }

    fn make(path: &Path, format: NcFormat, flags: std::ffi::c_int) -> SResult<NetcdfStorage> {
        let cmode = match format {
            NcFormat::Netcdf4 => nc::NC_NETCDF4,
            NcFormat::Classic => 0,
            NcFormat::Offset64 => nc::NC_64BIT_OFFSET,
        };
        let ncid = raw::create(path, cmode | flags)?;
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
            if let Err(e) = classic::check_size(path) {
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
            nodes: NodeTable::new(Node::group(ncid, NodeId(0))),
            dims: HashMap::new(),
            record_len: HashMap::new(),
            bool_type: None,
            complex_types: [None; 2],
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

    /// What the file's format can hold.
    fn caps(&self) -> Capabilities {
        capabilities(self.format)
    }

    fn classic(&self) -> bool {
        self.format.is_classic()
    }

    fn file(&self) -> SResult<c_int> {
        self.ncid.ok_or_else(|| layout("the file is closed"))
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
}

impl Storage for NetcdfStorage {
    fn backend_name(&self) -> &'static str {
        "netcdf"
    }

    fn capabilities(&self) -> Capabilities {
        self.caps()
    }

    fn root(&self) -> NodeId {
        NodeId(0)
    }

    fn names(&mut self, group: NodeId) -> SResult<Vec<String>> {
        self.member_names(group)
    }

    fn lookup(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, Kind)>> {
        self.find(group, name)
    }

    fn create_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.new_group(parent, name)
    }

    fn create_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.new_none(parent, name)
    }

    fn create_leaf(&mut self, parent: NodeId, name: &str, spec: &LeafSpec) -> SResult<NodeId> {
        self.new_leaf(parent, name, spec)
    }

    fn info(&mut self, node: NodeId) -> SResult<LeafInfo> {
        self.refuse_other(node)?;
        self.leaf_info(node)
    }

    fn other_type(&mut self, node: NodeId) -> SResult<String> {
        self.other_words(node)?.ok_or(StorageError::NotFound)
    }

    fn text_width(&mut self, node: NodeId) -> SResult<Option<usize>> {
        self.refuse_other(node)?;
        Ok(match self.var(node)?.text {
            qnd_storage::TextLayout::Fixed { width, .. } => Some(width),
            qnd_storage::TextLayout::Variable | qnd_storage::TextLayout::NotText => None,
        })
    }

    fn records(&mut self, node: NodeId) -> SResult<usize> {
        self.refuse_other(node)?;
        self.record_count(node)
    }

    fn read(&mut self, node: NodeId, slab: &[Run]) -> SResult<Array> {
        self.refuse_other(node)?;
        self.read_slab(node, slab)
    }

    fn write(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()> {
        self.refuse_other(node)?;
        self.write_slab(node, slab, data)
    }

    fn append_records(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        self.refuse_other(node)?;
        self.append_rows(node, records)
    }

    fn attr_names(&mut self, node: NodeId) -> SResult<Vec<String>> {
        self.attribute_names(node)
    }

    fn get_attr(&mut self, node: NodeId, name: &str) -> SResult<Option<Array>> {
        self.attribute(node, name)
    }

    fn set_attr(&mut self, node: NodeId, name: &str, value: &Array) -> SResult<()> {
        self.store_attribute(node, name, value)
    }

    fn flush(&mut self) -> SResult<()> {
        if !self.writable {
            return Ok(());
        }
        self.store_pending()?;
        self.data_mode()?;
        raw::sync(self.file()?)
    }

    /// Read-only: the library reads the header again (`nc_sync` does so
    /// on a read-only netCDF-3 file), and every record variable counts its
    /// records again, so that records and variables a writer in another
    /// process has added since show. A netCDF-3 writer stores the record
    /// count in the header when it syncs (qnd's flush and close), after
    /// the records' data (and each shorter variable's `__records__`), so a
    /// record shows only once its data is written. (A writer that defines
    /// a variable also writes the header: with records written through,
    /// unbuffered, a reader may then see the record count of the last
    /// variable written until the next flush.) Nothing for a file open for
    /// writing, and
    /// nothing new shows in a netCDF-4 file (netCDF-C reads it through
    /// HDF5 without SWMR).
    ///
    /// # Errors
    /// When the library fails.
    fn refresh(&mut self) -> SResult<()> {
        if self.writable {
            return Ok(());
        }
        raw::sync(self.file()?)?;
        self.recount()
    }

    fn close(&mut self) -> SResult<()> {
        let pending = self.store_pending();
        self.nodes.clear();
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
