//! The HDF5 backend, on the conventions of LLNL's Python qnd (see
//! `shared/spec/format.md`):
//!
//! | node | stored as |
//! | --- | --- |
//! | group | HDF5 group |
//! | leaf | dataset with no unlimited leading axis (scalar dataspace for shape `[]`) |
//! | leaf with a zero-length axis | committed datatype of the element type with attribute `__shape__` (1-d `i64`) |
//! | records | chunked dataset whose leading axis is unlimited (the only unlimited one), created with extent 0 |
//! | none | committed datatype `u1` with attribute `__none__` = true (h5py's bool enum, scalar) |
//!
//! Element types: native integers and floats (any byte order read), bool
//! as h5py's enum over `i8` (`FALSE` = 0, `TRUE` = 1), text written as
//! fixed-length NUL-padded strings of `text_len` bytes (character set
//! tagged ASCII, like numpy `S<n>` through h5py, holding UTF-8) and read from
//! fixed or variable-length strings of either character set. Text
//! attributes are written as variable-length UTF-8 strings.
//!
//! Record chunks hold `clamp(262144 / record_bytes, 1, 1024)` records, each
//! chunk spanning the whole record; tiny records are shuffled and deflated,
//! chunks of 32 KiB or more bypass the chunk cache (see `record_chunk`).
//!
//! Groups and committed datatypes created here track and index the
//! creation order of their links and attributes (the root group too,
//! through the file creation property list), so member and attribute names
//! come back in insertion order; for files that do not track it they come
//! back in name order, HDF5's default.
//!
//! Read also, from other tools: zero-sized datasets as empty leaves,
//! datasets with a null dataspace (h5py's `Empty`) as None, other integer
//! enums as their integer values.
//!
//! Virtual datasets ([`Storage::create_virtual`], or made by other tools)
//! are leaves like any other dataset: HDF5 reads them. Sources in the file
//! itself are stored with the file name `.`. Where HDF5 would silently
//! read fill values for a source file that is missing or cannot be opened
//! (with the file's own access: read-write for a file open for writing),
//! a read or write here is an error naming that source; every source the
//! hyperslab touches is found as HDF5 finds it (an absolute name, then
//! its last component in `HDF5_VDS_PREFIX`, next to the file, in the
//! working directory) and checked first. Looking one up always works.
//!
//! Code layout: this file keeps the node table and implements
//! [`Storage`] on it; `types` says which dtype an HDF5 datatype reads as,
//! `data` moves arrays through typed buffers, `attrs` reads and writes
//! attributes, `vds` makes and checks virtual datasets. Every raw HDF5
//! call, the only `unsafe` code, is in `raw` and its submodules, behind
//! safe wrappers.
#![deny(unsafe_code)]

/// The HDF5 crates this backend is built on, for code that also calls
/// HDF5 directly (qnd's benchmarks and tests), so that it links the same
/// library.
pub use {hdf5, hdf5_sys};

mod attrs;
mod data;
mod raw;
mod types;
mod vds;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::ffi::CString;
use std::path::Path;

use hdf5::plist::file_create::{AttrCreationOrder, LinkCreationOrder};
use hdf5::{
    CommittedDatatype, Dataset, File, Group, IndexType, IterationOrder, Location, LocationType,
};
use ndarray::{ArrayD, IxDyn};

use self::attrs::{read_attr, shape_from, write_attr, NONE_ATTR, SHAPE_ATTR};
use self::raw::{lib, ObjClass, Plists, Space, Target};
use self::types::Elem;
use qnd_storage::chunks::record_chunk;
use qnd_storage::{
    Array, Capabilities, DType, Kind, LeafInfo, LeafSpec, NodeId, NodeTable, RecordDims, Run,
    SResult, Storage, StorageError, VirtualMap,
};

/// What HDF5 files hold: everything, virtual datasets too.
pub const CAPABILITIES: Capabilities = Capabilities {
    virtual_datasets: true,
    record_dims: RecordDims::PerVariable,
    ..Capabilities::ALL
};

/// An open object of the file.
enum Obj {
    Group(Group),
    Dataset(Dataset),
    Type(CommittedDatatype),
}

impl Obj {
    fn id(&self) -> hdf5_sys::h5i::hid_t {
        match self {
            Obj::Group(g) => g.id(),
            Obj::Dataset(d) => d.id(),
            Obj::Type(t) => t.id(),
        }
    }

    fn class(&self) -> ObjClass {
        match self {
            Obj::Group(_) => ObjClass::Group,
            Obj::Dataset(_) => ObjClass::Dataset,
            Obj::Type(_) => ObjClass::Datatype,
        }
    }

    fn location(&self) -> &Location {
        match self {
            Obj::Group(g) => g,
            Obj::Dataset(d) => d,
            Obj::Type(t) => t,
        }
    }
}

/// One entry of the node table.
struct Node {
    obj: Obj,
    kind: Kind,
    /// The element type of a leaf or record node.
    elem: Option<Elem>,
    /// The shape of an empty leaf (a committed datatype).
    empty_shape: Option<Vec<usize>>,
}

impl Node {
    fn group(g: Group) -> Node {
        Node {
            obj: Obj::Group(g),
            kind: Kind::Group,
            elem: None,
            empty_shape: None,
        }
    }
}

/// Half the fan-out of the B-tree indexing each chunked dataset's chunks.
/// HDF5's default, 32, makes every index node 2 KiB, which is most of a
/// short history's file (one node per record variable); 8 keeps a node a
/// quarter of that and a long history's tree one level deeper at most.
const CHUNK_INDEX_K: u32 = 8;

/// An open HDF5 file.
///
/// Every node looked up or created stays open in a table indexed by
/// [`NodeId`] (the root is `NodeId(0)`) until [`Storage::close`], so
/// repeated lookups return the same id and appending a record touches only
/// the open dataset.
pub struct Hdf5Storage {
    // dropped in this order: handles first, then the file
    nodes: NodeTable<Node>,
    /// The mappings of the virtual datasets among the nodes.
    virtuals: HashMap<NodeId, vds::Sources>,
    /// Where the file is, to find the sources of virtual datasets.
    place: vds::Place,
    plists: Plists,
    writable: bool,
    file: Option<File>,
}

impl Hdf5Storage {
    /// Open an existing file, read-only or read-write.
    ///
    /// # Errors
    /// When the library cannot open it.
    pub fn open(path: &Path, writable: bool) -> SResult<Hdf5Storage> {
        let file = if writable {
            File::open_rw(path)
        } else {
            File::open(path)
        }
        .map_err(lib)?;
        Hdf5Storage::with_file(file, path, writable)
    }

    /// Create a file, truncating an existing one. Its root group tracks the
    /// creation order of links and attributes.
    ///
    /// # Errors
    /// When the library cannot create it.
    pub fn create(path: &Path) -> SResult<Hdf5Storage> {
        let file = File::with_options()
            .with_fcpl(|p| {
                p.link_creation_order(LinkCreationOrder::Indexed)
                    .attr_creation_order(AttrCreationOrder::Indexed)
                    .istore_k(CHUNK_INDEX_K)
            })
            .create(path)
            .map_err(lib)?;
        Hdf5Storage::with_file(file, path, true)
    }

    fn with_file(file: File, path: &Path, writable: bool) -> SResult<Hdf5Storage> {
        raw::close_on_exec(file.id());
        let root = file.group("/").map_err(lib)?;
        Ok(Hdf5Storage {
            nodes: NodeTable::new(Node::group(root)),
            virtuals: HashMap::new(),
            place: vds::Place::new(path, writable),
            plists: Plists::new()?,
            writable,
            file: Some(file),
        })
    }

    fn node(&self, id: NodeId) -> SResult<&Node> {
        self.nodes.node(id)
    }

    fn group(&self, id: NodeId) -> SResult<&Group> {
        match &self.node(id)?.obj {
            Obj::Group(g) => Ok(g),
            _ => Err(StorageError::Layout("not a group".into())),
        }
    }

    fn leaf(&self, id: NodeId) -> SResult<(&Node, &Elem)> {
        let n = self.node(id)?;
        match &n.elem {
            Some(e) => Ok((n, e)),
            None => Err(StorageError::Layout("not a leaf or record node".into())),
        }
    }

    /// The C name of a new member of `parent`, which must not exist yet.
    fn new_member(&self, parent: NodeId, name: &str) -> SResult<CString> {
        if !plain_name(name) {
            return Err(StorageError::Unsupported(format!(
                "{name:?} cannot name an HDF5 group member"
            )));
        }
        let c = raw::c_name(name)?;
        if raw::link_exists(self.group(parent)?, &c)? {
            return Err(StorageError::Unsupported(format!("{name} exists")));
        }
        Ok(c)
    }

    /// The node for an existing dataset.
    fn dataset_node(ds: Dataset) -> SResult<Node> {
        let space = raw::dataset_space(&ds)?;
        let kind = match &space {
            Space::Null => Kind::None,
            Space::Scalar => Kind::Leaf,
            Space::Simple { dims, max } => {
                if qnd_storage::checked_len(dims).is_none() {
                    return Err(StorageError::Layout(format!(
                        "dataset of shape {dims:?} has too many elements to address"
                    )));
                }
                // Records: the leading axis alone is unlimited.
                match max.split_first() {
                    Some((None, rest)) if rest.iter().all(Option::is_some) => Kind::Records,
                    _ => Kind::Leaf,
                }
            }
        };
        let elem = if kind == Kind::None {
            None
        } else {
            Some(types::classify(&ds.dtype().map_err(lib)?)?)
        };
        Ok(Node {
            obj: Obj::Dataset(ds),
            kind,
            elem,
            empty_shape: None,
        })
    }

    /// The node for an existing committed datatype: None or an empty leaf.
    fn type_node(t: CommittedDatatype) -> SResult<Node> {
        if raw::attr_exists(t.id(), NONE_ATTR)? {
            return Ok(Node {
                obj: Obj::Type(t),
                kind: Kind::None,
                elem: None,
                empty_shape: None,
            });
        }
        if !raw::attr_exists(t.id(), SHAPE_ATTR)? {
            return Err(StorageError::Layout(
                "committed datatype with neither __none__ nor __shape__".into(),
            ));
        }
        let shape = shape_from(&read_attr(t.id(), SHAPE_ATTR)?)?;
        if qnd_storage::checked_len(&shape) != Some(0) {
            return Err(StorageError::Layout(format!(
                "__shape__ {shape:?} of a committed datatype has elements"
            )));
        }
        let elem = types::classify(t.as_datatype())?;
        Ok(Node {
            obj: Obj::Type(t),
            kind: Kind::Leaf,
            elem: Some(elem),
            empty_shape: Some(shape),
        })
    }

    /// For a virtual dataset, checks the sources `slab` touches and holds
    /// them open (see [`vds`]); nothing for other nodes.
    fn hold_sources(&self, node: NodeId, slab: &[Run]) -> SResult<Option<vds::Held>> {
        match (self.virtuals.get(&node), &self.file) {
            (Some(sources), Some(file)) => vds::check(sources, slab, &self.place, file).map(Some),
            _ => Ok(None),
        }
    }

    #[cfg(test)]
    fn open_objects(&self) -> SResult<usize> {
        match &self.file {
            Some(f) => raw::file::open_objects(f),
            None => Ok(0),
        }
    }
}

/// True for a name that is one member of a group (no path).
fn plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && !name.contains('/') && !name.contains('\0')
}

fn check_shape(data: &Array, counts: &[usize]) -> SResult<()> {
    check_shape_of(data.shape(), counts)
}

fn check_shape_of(shape: &[usize], counts: &[usize]) -> SResult<()> {
    if shape != counts {
        return Err(StorageError::Layout(format!(
            "data of shape {shape:?} for a hyperslab of shape {counts:?}"
        )));
    }
    Ok(())
}

impl Storage for Hdf5Storage {
    fn backend_name(&self) -> &'static str {
        "hdf5"
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    fn root(&self) -> NodeId {
        NodeId(0)
    }

    fn names(&mut self, group: NodeId) -> SResult<Vec<String>> {
        let g = self.group(group)?;
        if raw::link_order_tracked(g)? {
            if let Ok(v) = g.member_names_by(IndexType::CreationOrder, IterationOrder::Increasing) {
                return Ok(v);
            }
        }
        g.member_names_by(IndexType::Name, IterationOrder::Increasing)
            .map_err(lib)
    }

    fn lookup(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, Kind)>> {
        if let Some(id) = self.nodes.member(group, name) {
            return Ok(Some((id, self.node(id)?.kind)));
        }
        let g = self.group(group)?;
        if !plain_name(name) {
            return Ok(None);
        }
        let c = raw::c_name(name)?;
        if !raw::link_exists(g, &c)? {
            return Ok(None);
        }
        let info = g.loc_info_by_name(name).map_err(lib)?;
        let mut sources = None;
        let node = match info.loc_type {
            LocationType::Group => Node::group(g.group(name).map_err(lib)?),
            LocationType::Dataset => {
                let ds = g.dataset(name).map_err(lib)?;
                sources = vds::sources_of(&ds)?;
                Hdf5Storage::dataset_node(ds)?
            }
            LocationType::NamedDatatype => {
                Hdf5Storage::type_node(g.committed_datatype(name).map_err(lib)?)?
            }
            #[allow(unreachable_patterns)]
            other => {
                return Err(StorageError::Layout(format!(
                    "unsupported HDF5 object {other:?}"
                )))
            }
        };
        let kind = node.kind;
        let id = self.nodes.push(group, name, node);
        if let Some(s) = sources {
            self.virtuals.insert(id, s);
        }
        Ok(Some((id, kind)))
    }

    fn create_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        let c = self.new_member(parent, name)?;
        let g = raw::create_group(self.group(parent)?, &c, &self.plists)?;
        Ok(self.nodes.push(parent, name, Node::group(g)))
    }

    fn create_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        let c = self.new_member(parent, name)?;
        let dtype = types::file_type(DType::U8, 0)?;
        let t = raw::commit_type(self.group(parent)?, &c, dtype, &self.plists)?;
        write_attr(t.id(), NONE_ATTR, &Array::scalar(true), &self.plists)?;
        let node = Node {
            obj: Obj::Type(t),
            kind: Kind::None,
            elem: None,
            empty_shape: None,
        };
        Ok(self.nodes.push(parent, name, node))
    }

    fn create_leaf(&mut self, parent: NodeId, name: &str, spec: &LeafSpec) -> SResult<NodeId> {
        let c = self.new_member(parent, name)?;
        let g = self.group(parent)?;
        let ftype = types::file_type(spec.dtype, spec.text_len)?;
        let elem = types::classify(&ftype)?;
        let node = if spec.records {
            let mut dims = vec![0];
            dims.extend_from_slice(&spec.shape);
            // A zero-length record axis gets maximum 1: a chunk axis may
            // not exceed a fixed maximum, and only axis 0 is unlimited.
            let max: Vec<Option<usize>> = std::iter::once(None)
                .chain(spec.shape.iter().map(|&d| Some(d.max(1))))
                .collect();
            let chunk = record_chunk(&spec.shape, ftype.size());
            let ds =
                raw::create_dataset(g, &c, &ftype, &dims, Some(&max), Some(&chunk), &self.plists)?;
            Node {
                obj: Obj::Dataset(ds),
                kind: Kind::Records,
                elem: Some(elem),
                empty_shape: None,
            }
        } else if spec.shape.contains(&0) {
            let t = raw::commit_type(g, &c, ftype, &self.plists)?;
            let shape: Vec<i64> = spec.shape.iter().map(|&d| d as i64).collect();
            let shape = ArrayD::from_shape_vec(IxDyn(&[shape.len()]), shape)
                .map_err(|e| StorageError::Layout(e.to_string()))?;
            write_attr(t.id(), SHAPE_ATTR, &Array::I64(shape), &self.plists)?;
            Node {
                obj: Obj::Type(t),
                kind: Kind::Leaf,
                elem: Some(elem),
                empty_shape: Some(spec.shape.clone()),
            }
        } else {
            let ds = raw::create_dataset(g, &c, &ftype, &spec.shape, None, None, &self.plists)?;
            Node {
                obj: Obj::Dataset(ds),
                kind: Kind::Leaf,
                elem: Some(elem),
                empty_shape: None,
            }
        };
        Ok(self.nodes.push(parent, name, node))
    }

    fn info(&mut self, node: NodeId) -> SResult<LeafInfo> {
        let (n, e) = self.leaf(node)?;
        let shape = match (&n.obj, &n.empty_shape) {
            (Obj::Dataset(ds), _) => raw::dataset_space(ds)?.dims(),
            (_, Some(s)) => s.clone(),
            _ => return Err(StorageError::Layout("not a leaf or record node".into())),
        };
        Ok(LeafInfo {
            dtype: e.dtype,
            dims: vec![None; shape.len()],
            shape,
            records: n.kind == Kind::Records,
        })
    }

    fn records(&mut self, node: NodeId) -> SResult<usize> {
        let (n, _) = self.leaf(node)?;
        match &n.obj {
            Obj::Dataset(ds) => raw::dataset_len(ds),
            _ => Ok(0),
        }
    }

    fn read(&mut self, node: NodeId, slab: &[Run]) -> SResult<Array> {
        let (n, e) = self.leaf(node)?;
        let counts: Vec<usize> = slab.iter().map(|s| s.count).collect();
        match &n.obj {
            Obj::Dataset(ds) if !counts.contains(&0) => {
                let _held = self.hold_sources(node, slab)?;
                let sel = raw::select(ds, slab)?;
                data::read_array(&Target::Dataset(ds, &sel), e, &counts)
            }
            _ => Ok(Array::zeros(e.dtype, &counts)),
        }
    }

    fn write(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()> {
        let (n, e) = self.leaf(node)?;
        let counts: Vec<usize> = slab.iter().map(|s| s.count).collect();
        check_shape(data, &counts)?;
        match &n.obj {
            Obj::Dataset(ds) if data.size() > 0 => {
                let _held = self.hold_sources(node, slab)?;
                let sel = raw::select(ds, slab)?;
                data::write_array(&Target::Dataset(ds, &sel), e, data)
            }
            _ => Ok(()),
        }
    }

    fn append_records(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        let (n, e) = self.leaf(node)?;
        let ds = match (&n.obj, n.kind) {
            (Obj::Dataset(ds), Kind::Records) => ds,
            _ => return Err(StorageError::Layout("not a record node".into())),
        };
        let dims = raw::dataset_space(ds)?.dims();
        let Some((&count, record_shape)) = dims.split_first() else {
            return Err(StorageError::Layout("record dataset of rank 0".into()));
        };
        let Some((&added, shape)) = records.shape().split_first() else {
            return Err(StorageError::Layout("records of rank 0".into()));
        };
        check_shape_of(shape, record_shape)?;
        let mut grown = dims.clone();
        grown[0] = count + added;
        raw::set_extent(ds, &grown)?;
        if records.size() == 0 {
            return Ok(());
        }
        let slab: Vec<Run> = std::iter::once(Run::strided(count, added, 1))
            .chain(Run::whole(record_shape))
            .collect();
        let written = raw::select(ds, &slab)
            .and_then(|sel| data::write_array(&Target::Dataset(ds, &sel), e, records));
        if let Err(err) = written {
            // leave the record count as it was
            let _ = raw::set_extent(ds, &dims);
            return Err(err);
        }
        Ok(())
    }

    fn attr_names(&mut self, node: NodeId) -> SResult<Vec<String>> {
        let n = self.node(node)?;
        let loc = n.obj.location();
        let mut names = None;
        if raw::attr_order_tracked(n.obj.id(), n.obj.class())? {
            names = loc
                .attr_names_by(IndexType::CreationOrder, IterationOrder::Increasing)
                .ok();
        }
        let names = match names {
            Some(v) => v,
            None => loc
                .attr_names_by(IndexType::Name, IterationOrder::Increasing)
                .map_err(lib)?,
        };
        Ok(names.into_iter().filter(|s| !s.starts_with("__")).collect())
    }

    fn get_attr(&mut self, node: NodeId, name: &str) -> SResult<Option<Array>> {
        let obj = self.node(node)?.obj.id();
        let Ok(c) = CString::new(name) else {
            return Ok(None);
        };
        if !raw::attr_exists(obj, &c)? {
            return Ok(None);
        }
        read_attr(obj, &c).map(Some)
    }

    fn set_attr(&mut self, node: NodeId, name: &str, value: &Array) -> SResult<()> {
        let obj = self.node(node)?.obj.id();
        let c = raw::c_name(name)?;
        write_attr(obj, &c, value, &self.plists)
    }

    /// A virtual dataset (see the module docs): sources that are this file
    /// are stored as `.`; other file names as given, found as HDF5 finds
    /// them when reading, to learn their shapes and types.
    fn create_virtual(
        &mut self,
        parent: NodeId,
        name: &str,
        dtype: DType,
        shape: &[usize],
        maps: &[VirtualMap],
    ) -> SResult<NodeId> {
        let c = self.new_member(parent, name)?;
        let file = self
            .file
            .as_ref()
            .ok_or_else(|| StorageError::Layout("the file is closed".into()))?;
        let g = self.group(parent)?;
        let ds = vds::create(g, &c, dtype, shape, maps, &self.place, file, &self.plists)?;
        let sources = vds::sources_of(&ds)?;
        let node = Hdf5Storage::dataset_node(ds)?;
        let id = self.nodes.push(parent, name, node);
        if let Some(s) = sources {
            self.virtuals.insert(id, s);
        }
        Ok(id)
    }

    fn flush(&mut self) -> SResult<()> {
        match &self.file {
            Some(f) if self.writable => f.flush().map_err(lib),
            _ => Ok(()),
        }
    }

    fn close(&mut self) -> SResult<()> {
        self.virtuals.clear();
        self.nodes.clear();
        match self.file.take() {
            Some(f) => f.close().map_err(lib),
            None => Ok(()),
        }
    }
}
