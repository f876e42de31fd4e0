//! The storage trait every backend implements.
//!
//! The tree ([`QGroup`](crate::QGroup), [`QList`](crate::QList),
//! [`QLeaf`](crate::QLeaf)) keeps all of qnd's semantics: modes, lists
//! (a group with members `_`, `_0`, `_1`, ...), paths, value conversion and
//! checks. A backend only stores four kinds of node, each addressed by a
//! [`NodeId`] that stays valid while the file is open:
//!
//! | kind | what it is |
//! | --- | --- |
//! | [`NodeKind::Group`] | named members in a stable order |
//! | [`NodeKind::Leaf`] | an n-d array of a fixed shape (possibly with a zero-length axis) |
//! | [`NodeKind::Records`] | an n-d array whose leading axis grows by [`Storage::append`] |
//! | [`NodeKind::None`] | the value None |
//!
//! Backends keep the handles they open (a dataset, a variable) in a table
//! indexed by `NodeId`, so that per-record writes never look anything up.
//!
//! Backends are dispatched with `enum_dispatch` over one enum, so a call
//! costs a `match`, not a virtual call.

use enum_dispatch::enum_dispatch;

use crate::error::StorageError;
use crate::values::{Array, DType};

pub(crate) mod buffered;

#[path = "../../backends/memory/mod.rs"]
pub mod memory;

#[cfg(feature = "hdf5")]
#[path = "../../backends/hdf5/mod.rs"]
pub mod hdf5;

#[cfg(feature = "netcdf")]
#[path = "../../backends/netcdf/mod.rs"]
pub mod netcdf;

/// FNV-1a, the hasher of the crate's internal maps keyed by member names
/// and node numbers: short keys hashed on every record write, where
/// SipHash's cost shows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A hash map with the [`Fnv`] hasher.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Result of a backend call.
pub type SResult<T> = Result<T, StorageError>;

/// A node of an open file, as numbered by its backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub usize);

/// What a node is (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// Named members.
    Group,
    /// A fixed-shape array.
    Leaf,
    /// An array with a growing leading (record) axis.
    Records,
    /// None.
    None,
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

/// One axis of a hyperslab: `count` indices from `start`, `stride` apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slab {
    /// First index.
    pub start: usize,
    /// Number of indices.
    pub count: usize,
    /// Distance between indices (at least 1).
    pub stride: usize,
}

impl Slab {
    /// The whole of an axis.
    pub fn all(len: usize) -> Slab {
        Slab {
            start: 0,
            count: len,
            stride: 1,
        }
    }

    /// One index.
    pub fn one(i: usize) -> Slab {
        Slab {
            start: i,
            count: 1,
            stride: 1,
        }
    }

    /// The indices of this axis.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.count).map(move |k| self.start + k * self.stride)
    }
}

/// One mapping of a virtual dataset: hyperslab `dest` of the virtual
/// dataset shows hyperslab `src` of dataset `dataset` in file `file` (`.`
/// for the file holding the virtual dataset). Both hyperslabs select the
/// same number of elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VirtualMap {
    /// Where, in the virtual dataset (one slab per axis).
    pub dest: Vec<Slab>,
    /// The source file, `.` for the same file.
    pub file: std::path::PathBuf,
    /// The source dataset's path in its file.
    pub dataset: String,
    /// Which part of the source (one slab per source axis).
    pub src: Vec<Slab>,
}

/// The chunk shape of a record variable: whole records, about 256 KiB per
/// chunk, between 1 and 1024 records (see [`buffered::records_per_chunk`]).
#[cfg(feature = "hdf5")]
pub(crate) fn record_chunk(record: &[usize], elem_bytes: usize) -> Vec<usize> {
    let record_bytes = record
        .iter()
        .fold(elem_bytes, |acc, &d| acc.saturating_mul(d))
        .max(1);
    std::iter::once(buffered::records_per_chunk(record_bytes))
        .chain(record.iter().map(|&d| d.max(1)))
        .collect()
}

/// Records of at most this many bytes (a few scalars) are stored
/// compressed (see [`deflate_records`]).
#[cfg(feature = "hdf5")]
const DEFLATE_RECORD_BYTES: usize = 64;
/// Chunks of at least this many bytes bypass the chunk cache (see
/// [`direct_records`]).
#[cfg(feature = "hdf5")]
const DIRECT_CHUNK_BYTES: usize = 32 << 10;

/// Whether records of `record_bytes` are stored shuffled and deflated:
/// only tiny ones, so that a short history of a few scalars, which fills a
/// small part of its one chunk, stays a small file; compressing them costs
/// little as there are few bytes. Larger records are stored as they are:
/// compression would cost more time than the part-filled last chunk costs
/// room.
#[cfg(feature = "hdf5")]
pub(crate) fn deflate_records(record_bytes: usize) -> bool {
    record_bytes <= DEFLATE_RECORD_BYTES
}

/// Whether chunks of records of `record_bytes` (not deflated, 32 KiB or
/// more) are written and read straight between the caller's buffer and the
/// file, not through the library's chunk cache (and with no fill value
/// written first: records are always written whole). Buffered records are
/// written in whole chunks, and reading one record then reads that record
/// only.
#[cfg(feature = "hdf5")]
pub(crate) fn direct_records(record_bytes: usize) -> bool {
    !deflate_records(record_bytes)
        && buffered::records_per_chunk(record_bytes).saturating_mul(record_bytes)
            >= DIRECT_CHUNK_BYTES
}

/// The operations a storage backend provides (see the [module docs](self)).
///
/// Every method may assume its arguments were checked by the tree: nodes
/// are of the right kind, hyperslabs lie inside the shape, data has the
/// node's dtype and the slab's shape, and the file is writable for writes.
#[enum_dispatch]
pub trait Storage {
    /// The backend's name for messages (`memory`, `hdf5`, `netcdf`).
    fn backend_name(&self) -> &'static str;
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
    fn lookup(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, NodeKind)>>;
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
    /// Read a hyperslab (one [`Slab`] per axis, record axis included) into
    /// an array of shape `counts`.
    ///
    /// # Errors
    /// When the library fails.
    fn read(&mut self, node: NodeId, slab: &[Slab]) -> SResult<Array>;
    /// Write `data` (of shape `counts`) to a hyperslab.
    ///
    /// # Errors
    /// When the library fails (text wider than the stored width included).
    fn write(&mut self, node: NodeId, slab: &[Slab], data: &Array) -> SResult<()>;
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
        let shape: Vec<usize> = std::iter::once(1)
            .chain(record.shape().iter().copied())
            .collect();
        let one = record
            .clone()
            .into_shape(&shape)
            .map_err(|_| StorageError::Layout("a record that cannot be reshaped".into()))?;
        self.append_records(node, &one)
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
    /// Push everything written so far to the file.
    ///
    /// # Errors
    /// When the library fails.
    fn flush(&mut self) -> SResult<()>;
    /// Close the file; no other call follows.
    ///
    /// # Errors
    /// When the library fails.
    fn close(&mut self) -> SResult<()>;
}

/// Every backend built into this crate.
#[enum_dispatch(Storage)]
pub(crate) enum AnyStorage {
    Memory(memory::MemoryStorage),
    #[cfg(feature = "hdf5")]
    Hdf5(hdf5::Hdf5Storage),
    #[cfg(feature = "netcdf")]
    Netcdf(netcdf::NetcdfStorage),
}

/// Which netCDF file format to create (an existing file's is detected).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
