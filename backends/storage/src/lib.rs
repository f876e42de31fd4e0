//! # qnd-storage: the storage contract of qnd
//!
//! What every backend of [qnd](https://docs.rs/qnd) implements and
//! exchanges, and nothing of the tree above it:
//!
//! - values: element types ([`DType`]), n-d arrays of any of them
//!   ([`Array`]) which backends exchange, trees of them ([`Value`], what qnd
//!   reads and writes) with conversions, and index runs ([`Run`]) that
//!   address hyperslabs;
//! - the [`Storage`] trait over four kinds of node, and [`Capabilities`],
//!   which says what a backend can hold (the tree asks it, never a
//!   backend's name);
//! - the record-chunk policy every backend follows ([`chunks`]);
//! - [`RecordBuffer`], a layer over any backend that writes records many
//!   at a time;
//! - [`MemoryStorage`], the in-memory backend, the reference
//!   implementation;
//! - with the `conformance` feature, a storage-level conformance kit that
//!   each backend's tests run on it.
//!
//! The tree ([qnd](https://docs.rs/qnd)'s `QGroup`, `QList`, `QLeaf`)
//! keeps all of qnd's semantics: modes, lists (a group with members `_`,
//! `_0`, `_1`, ...), paths, value conversion and checks. A backend only
//! stores four kinds of node, each addressed by a [`NodeId`] that stays
//! valid while the file is open:
//!
//! | kind | what it is |
//! | --- | --- |
//! | [`Kind::Group`] | named members in a stable order |
//! | [`Kind::Leaf`] | an n-d array of a fixed shape (possibly with a zero-length axis) |
//! | [`Kind::Records`] | an n-d array whose leading axis grows by [`Storage::append`] |
//! | [`Kind::None`] | the value None |
//!
//! Backends keep the handles they open (a dataset, a variable) in a table
//! indexed by `NodeId`, so that per-record writes never look anything up.
//!
//! Layers inside this crate import only downward: `dtype`, `array`,
//! `value`, `runs` know nothing of storage; the trait knows the values; the buffer and the
//! memory backend know the trait.
#![warn(missing_docs)]

mod array;
pub mod buffer;
mod capabilities;
mod cast;
pub mod chunks;
#[cfg(feature = "conformance")]
pub mod conformance;
mod dispatch;
mod dtype;
mod error;
mod fnv;
pub mod links;
mod memory;
mod nodes;
pub mod part;
mod runs;
mod text;
mod value;

/// The complex number type of `c8` (`Complex<f32>`) and `c16`
/// (`Complex<f64>`) elements: `num_complex`'s, the one ndarray uses.
pub use num_complex::{self, Complex, Complex32, Complex64};

pub use array::{checked_len, slice_info, try_filled, Array, Element, FromNumber};
pub use buffer::{RecordBuffer, DEFAULT_RECORD_BUFFER};
pub use capabilities::{Capabilities, DTypeSet, RecordDims};
pub use cast::{CastError, FitError};
pub use dtype::DType;
pub use error::{BoxError, SResult, StorageError};
pub use fnv::{FastMap, Fnv};
pub use links::LinkTarget;
pub use memory::{MemoryStorage, Probe};
pub use nodes::NodeTable;
pub use part::Part;
pub use runs::Run;
pub use text::TextLayout;
pub use value::{describe, split_records, FromValue, Value, ValueError};

/// A node of an open file, as numbered by its backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub usize);

/// What an item is. Backends report [`Kind::Group`] for every group; the
/// tree tells a list (a group holding `_`, `_0`, ...) from a plain group
/// and reports [`Kind::List`] for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A group (named members).
    Group,
    /// A list (a group with `_`, `_0`, ...): the records of a recording-2
    /// variable, or a list declared as such. Never reported by a backend.
    List,
    /// A leaf: an n-d array of a fixed shape (possibly with a zero-length
    /// axis).
    Leaf,
    /// A record variable: an array whose leading (record) axis grows by
    /// [`Storage::append`]; records share dtype and shape.
    Records,
    /// None.
    None,
    /// An item qnd has no kind for: a dataset or variable of a type qnd
    /// does not read (a compound of other fields, opaque data, a reference
    /// other than qnd's own, variable-length numbers, a netCDF-4 vlen,
    /// opaque or non-bool enum type, ...). The file still opens and the
    /// item is listed; [`Storage::other_type`] says what it is, and
    /// [`Storage::info`] and [`Storage::read`] refuse it with
    /// [`StorageError::Unsupported`] naming that type.
    Other,
}

/// Type and shape of a leaf or record node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafInfo {
    /// Element type.
    pub dtype: DType,
    /// Shape; for records the leading axis is the record count.
    pub shape: Vec<usize>,
    /// Dimension names where the format has them (netCDF), else `None`s.
    pub dims: Vec<Option<String>>,
    /// True for a record node: the leading axis is the record count.
    pub records: bool,
}

impl LeafInfo {
    /// The shape of one record of a record node (the shape after the
    /// record axis).
    pub fn record_shape(&self) -> &[usize] {
        self.shape.get(1..).unwrap_or(&[])
    }
}

/// What to create: the element type, the shape (of one record, for a record
/// node) and, for text, the longest string in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafSpec {
    /// Element type.
    pub dtype: DType,
    /// Shape of the leaf, or of one record.
    pub shape: Vec<usize>,
    /// True for a record node.
    pub records: bool,
    /// For text: the width in bytes to reserve (at least 1).
    pub text_len: usize,
}

/// One mapping of a virtual dataset: hyperslab `dest` of the virtual
/// dataset shows hyperslab `src` of dataset `dataset` in file `file` (`.`
/// for the file holding the virtual dataset). Both hyperslabs select the
/// same number of elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VirtualMap {
    /// Where, in the virtual dataset (one slab per axis).
    pub dest: Vec<Run>,
    /// The source file, `.` for the same file.
    pub file: std::path::PathBuf,
    /// The source dataset's path in its file.
    pub dataset: String,
    /// Which part of the source (one slab per source axis).
    pub src: Vec<Run>,
}

/// The operations a storage backend provides (see the [module docs](self)).
///
/// Every method may assume its arguments were checked by the tree: nodes
/// are of the right kind, hyperslabs lie inside the shape, data has the
/// node's dtype and the slab's shape, and the file is writable for writes.
pub trait Storage {
    /// The backend's name for messages (`memory`, `hdf5`, `netcdf`).
    fn backend_name(&self) -> &'static str;
    /// What this backend (this file's format) can hold.
    fn capabilities(&self) -> Capabilities;
    /// The root group.
    fn root(&self) -> NodeId;
    /// Names of the members of `group`, in a stable order.
    ///
    /// # Errors
    /// When the library fails.
    fn names(&mut self, group: NodeId) -> SResult<Vec<String>>;
    /// Member `name` of `group`, if there is one.
    ///
    /// # Errors
    /// When the library fails or the member breaks the conventions.
    fn lookup(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, Kind)>>;
    /// Create an empty subgroup.
    ///
    /// # Errors
    /// When the library fails or the format has no groups.
    fn create_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId>;
    /// Create a None member.
    ///
    /// # Errors
    /// When the library fails.
    fn create_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId>;
    /// Create a leaf or record node (zero records).
    ///
    /// # Errors
    /// When the library fails or the format cannot hold it.
    fn create_leaf(&mut self, parent: NodeId, name: &str, spec: &LeafSpec) -> SResult<NodeId>;
    /// Type and shape of a leaf or record node.
    ///
    /// # Errors
    /// When the library fails.
    fn info(&mut self, node: NodeId) -> SResult<LeafInfo>;

    /// What an item of [`Kind::Other`] is, in the words of its format and
    /// in one line (`compound {a: i4, b: f8}`, `opaque (16 bytes)`,
    /// `vlen of i4`, `enum over u1 {RED=0, GREEN=1}`), with its shape
    /// where it has one (`[3, 4]`).
    ///
    /// # Errors
    /// [`StorageError::NotFound`] for a node that is not of
    /// [`Kind::Other`] (the default, for backends that have none).
    fn other_type(&mut self, node: NodeId) -> SResult<String> {
        let _ = node;
        Err(StorageError::NotFound)
    }
    /// For a text leaf or record node stored with a fixed width: the most
    /// bytes of text a string holds; `None` for variable-length text, for
    /// anything else, and for a backend that does not say (the default).
    /// Lets a caller refuse text too wide before it writes anything.
    ///
    /// # Errors
    /// When the library fails.
    fn text_width(&mut self, node: NodeId) -> SResult<Option<usize>> {
        let _ = node;
        Ok(None)
    }
    /// The record count of a record node, as the file has it now (another
    /// handle of the same file may have appended since this one last
    /// looked). The default asks [`Storage::info`]; backends answer it more
    /// cheaply.
    ///
    /// # Errors
    /// When the library fails.
    fn records(&mut self, node: NodeId) -> SResult<usize> {
        Ok(self.info(node)?.shape.first().copied().unwrap_or(0))
    }
    /// Read a hyperslab (one [`Run`] per axis, record axis included) into
    /// an array of shape `counts`.
    ///
    /// # Errors
    /// When the library fails.
    fn read(&mut self, node: NodeId, slab: &[Run]) -> SResult<Array>;
    /// Write `data` (of shape `counts`) to a hyperslab.
    ///
    /// # Errors
    /// When the library fails (text wider than the stored width included).
    fn write(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()>;
    /// Append records to a record node: `records` has shape
    /// `[n, record shape...]` and holds `n` records, written with one
    /// library call. On error the record count stays as it was.
    ///
    /// # Errors
    /// When the library fails.
    fn append_records(&mut self, node: NodeId, records: &Array) -> SResult<()>;
    /// Append one record (of the record shape) to a record node.
    ///
    /// # Errors
    /// When the library fails.
    fn append(&mut self, node: NodeId, record: &Array) -> SResult<()> {
        self.append_records(node, &record.to_batch_of_one())
    }
    /// Write `data`, this process's part of a distributed leaf (its rows
    /// `part`, along the first axis; shape `[part.len(), rest...]`). On a
    /// file written by several processes at once (parallel HDF5) this is
    /// one collective write: every process calls it, each with its own
    /// part (possibly empty). The default writes run by run, through
    /// [`Storage::write`].
    ///
    /// # Errors
    /// When the library fails.
    fn write_part(&mut self, node: NodeId, part: &Part, data: &Array) -> SResult<()> {
        part::write_by_runs(part, data, |slab, rows| self.write(node, slab, rows))
    }
    /// Append records of a distributed record node, this process's part
    /// of each: `records` has shape `[n, part.len(), rest...]` and holds
    /// rows `part` of `n` records. On a file written by several processes
    /// at once this is one collective call (the record count grows by `n`
    /// on every process). A backend written by one process (the default)
    /// takes only whole parts, as [`Storage::append_records`].
    ///
    /// # Errors
    /// When the part is not whole on a backend written by one process, or
    /// the library fails.
    fn append_parts(&mut self, node: NodeId, part: &Part, records: &Array) -> SResult<()> {
        part::check_whole(self.backend_name(), part)?;
        self.append_records(node, records)
    }
    /// Names of the attributes of a node (reserved `__` names left out).
    ///
    /// # Errors
    /// When the library fails.
    fn attr_names(&mut self, node: NodeId) -> SResult<Vec<String>>;
    /// Attribute `name` of a node.
    ///
    /// # Errors
    /// When the library fails.
    fn get_attr(&mut self, node: NodeId, name: &str) -> SResult<Option<Array>>;
    /// Set (create or replace) attribute `name` of a node.
    ///
    /// # Errors
    /// When the library fails.
    fn set_attr(&mut self, node: NodeId, name: &str, value: &Array) -> SResult<()>;
    /// Create a virtual dataset of `dtype` and `shape` made of `maps`
    /// (HDF5 only; other backends say they cannot).
    ///
    /// # Errors
    /// When the backend has no virtual datasets, or the library fails.
    fn create_virtual(
        &mut self,
        parent: NodeId,
        name: &str,
        dtype: DType,
        shape: &[usize],
        maps: &[VirtualMap],
    ) -> SResult<NodeId> {
        let _ = (parent, dtype, shape, maps);
        Err(StorageError::Unsupported(format!(
            "{} files have no virtual datasets: cannot store {name:?} as one",
            self.backend_name()
        )))
    }
    /// Delete member `name` of `parent` (its link: an object with another
    /// hard link stays under that name). Every [`NodeId`] reached only
    /// through it no longer resolves. Backends without
    /// [`Capabilities::remove`] refuse (the default).
    ///
    /// # Errors
    /// When the backend cannot delete members, there is no such member, or
    /// the library fails.
    fn remove(&mut self, parent: NodeId, name: &str) -> SResult<()> {
        let _ = parent;
        Err(links::cannot_remove(self.backend_name(), name))
    }
    /// Make member `name` of `parent` a hard link to node `target` (of
    /// the same file): one object under two names. Returns the node,
    /// which is `target` (a backend gives one object one id).
    ///
    /// # Errors
    /// When the backend has no hard links ([`Capabilities::hard_links`];
    /// the default refuses), `name` exists, or the library fails.
    fn link(&mut self, parent: NodeId, name: &str, target: NodeId) -> SResult<NodeId> {
        let _ = (parent, target);
        Err(links::no_links(self.backend_name(), "hard", name))
    }
    /// Make member `name` of `parent` a soft link to `target`, a path in
    /// the same file (absolute, or relative to `parent`), which need not
    /// exist yet.
    ///
    /// # Errors
    /// When the backend has no soft links ([`Capabilities::soft_links`];
    /// the default refuses), `name` exists, or the library fails.
    fn soft_link(&mut self, parent: NodeId, name: &str, target: &str) -> SResult<()> {
        let _ = (parent, target);
        Err(links::no_links(self.backend_name(), "soft", name))
    }
    /// Make member `name` of `parent` an external link to object `path` of
    /// file `file`, which need not exist yet.
    ///
    /// # Errors
    /// When the backend has no external links
    /// ([`Capabilities::external_links`]; the default refuses), `name`
    /// exists, or the library fails.
    fn external_link(
        &mut self,
        parent: NodeId,
        name: &str,
        file: &std::path::Path,
        path: &str,
    ) -> SResult<()> {
        let _ = (parent, file, path);
        Err(links::no_links(self.backend_name(), "external", name))
    }
    /// What member `name` of `group` is as a link; `None` when there is no
    /// such member. The default (a format without links) says every
    /// member is a hard link. A dangling soft or external link is listed
    /// here; looking it up ([`Storage::lookup`]) gives
    /// [`StorageError::Dangling`].
    ///
    /// # Errors
    /// When the library fails.
    fn link_info(&mut self, group: NodeId, name: &str) -> SResult<Option<LinkTarget>> {
        Ok(self.lookup(group, name)?.map(|_| LinkTarget::Hard))
    }
    /// Push everything written so far to the file.
    ///
    /// # Errors
    /// When the library fails.
    fn flush(&mut self) -> SResult<()>;
    /// Make what another process has written to the file since it was
    /// opened (or last refreshed) visible through this handle: new records
    /// and new members. Every [`NodeId`] handed out stays valid. Only a
    /// file open read-only needs it (nothing else writes a file open for
    /// writing); the default does nothing.
    ///
    /// # Errors
    /// When the library fails; a backend says what state it is then left
    /// in.
    fn refresh(&mut self) -> SResult<()> {
        Ok(())
    }
    /// Close the file; no other call follows.
    ///
    /// # Errors
    /// When the library fails.
    fn close(&mut self) -> SResult<()>;
}

/// Which netCDF file format to create (an existing file's is detected).
///
/// Here rather than in `qnd-netcdf` because qnd's `OpenOptions` carries it
/// in every build, with or without the netCDF backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NcFormat {
    /// netCDF-4 (HDF5 underneath): groups, every integer type, strings.
    #[default]
    Netcdf4,
    /// netCDF-3 classic: root group only, one record dimension, the types
    /// i1, i2, i4, f4, f8 and text as characters.
    Classic,
    /// netCDF-3 with 64-bit offsets (large files), otherwise as classic.
    Offset64,
}

impl NcFormat {
    /// True for the netCDF-3 formats.
    pub fn is_classic(self) -> bool {
        self != NcFormat::Netcdf4
    }
}
