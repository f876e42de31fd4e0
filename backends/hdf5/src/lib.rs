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
//! attributes, `vds` makes and checks virtual datasets, `links` removes
//! members and makes hard, soft and external links (one object, one
//! `NodeId`), `parallel` (feature `mpi`) opens and writes files through
//! parallel HDF5 (MPI-IO), every process of a communicator at once. Every
//! raw HDF5 (and MPI) call, the only `unsafe` code, is in `raw` and its
//! submodules, behind safe wrappers.
#![deny(unsafe_code)]

/// The HDF5 crates this backend is built on, for code that also calls
/// HDF5 directly (qnd's benchmarks and tests), so that it links the same
/// library.
pub use {hdf5, hdf5_sys};

pub use family::names_family_driver;

/// An MPI communicator, as parallel files take it
/// ([`Hdf5Storage::create_parallel`]): rsmpi's
/// `mpi::topology::Communicator::as_raw()` gives one.
#[cfg(feature = "mpi")]
pub use mpi_sys::MPI_Comm as MpiComm;

mod attrs;
mod data;
mod family;
mod links;
#[cfg(feature = "mpi")]
pub mod parallel;
mod raw;
pub mod superblock;
mod types;
mod vds;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hdf5::plist::file_access::{FileAccessBuilder, LibraryVersion};
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
    Array, Capabilities, DType, DTypeSet, Kind, LeafInfo, LeafSpec, LinkTarget, NodeId, NodeTable,
    Part, RecordDims, Run, SResult, Storage, StorageError, VirtualMap,
};

/// What HDF5 files hold: everything, virtual datasets too.
pub const CAPABILITIES: Capabilities = Capabilities {
    // complex (c8, c16): not yet
    leaf_dtypes: DTypeSet::ALL.without(&[DType::C8, DType::C16]),
    attr_dtypes: DTypeSet::ALL.without(&[DType::C8, DType::C16]),
    virtual_datasets: true,
    record_dims: RecordDims::PerVariable,
    external_links: true,
    ..Capabilities::ALL
};

/// An open object of the file.
enum Obj {
    Group(Group),
    Dataset(Dataset),
    Type(CommittedDatatype),
    /// An object whose handle was closed (every handle is closed when the
    /// file is opened again, and committed datatypes while SWMR writing
    /// starts): opened again by its path when next used
    /// ([`Hdf5Storage::opened`]), a dataset with the access properties
    /// (chunk cache) it had.
    Closed {
        class: ObjClass,
        dapl: Option<raw::Hid>,
    },
}

impl Obj {
    fn id(&self) -> hdf5_sys::h5i::hid_t {
        match self {
            Obj::Group(g) => g.id(),
            Obj::Dataset(d) => d.id(),
            Obj::Type(t) => t.id(),
            Obj::Closed { .. } => hdf5_sys::h5i::H5I_INVALID_HID,
        }
    }

    fn class(&self) -> ObjClass {
        match self {
            Obj::Group(_) => ObjClass::Group,
            Obj::Dataset(_) => ObjClass::Dataset,
            Obj::Type(_) => ObjClass::Datatype,
            Obj::Closed { class, .. } => *class,
        }
    }

    fn location(&self) -> SResult<&Location> {
        match self {
            Obj::Group(g) => Ok(g),
            Obj::Dataset(d) => Ok(d),
            Obj::Type(t) => Ok(t),
            Obj::Closed { .. } => Err(StorageError::Layout("the node is closed".into())),
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

/// How long opening a file that a writer holds is tried again: the writer
/// leaves SWMR mode for a moment when it creates a variable, a group or an
/// attribute, and holds the file alone meanwhile.
const OPEN_RETRY: Duration = Duration::from_millis(2000);
/// The pause between two tries.
const OPEN_PAUSE: Duration = Duration::from_millis(20);

/// Where a file stands with HDF5's single-writer/multiple-reader (SWMR)
/// mode (see [`Hdf5Storage`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Swmr {
    /// Open for writing, never in SWMR mode: a superblock older than v3
    /// (files of h5py or Python qnd), or a driver other than sec2.
    Never,
    /// Read-only.
    Reader,
    /// Open for writing, not yet in SWMR mode: entered at the next flush
    /// once the file has a record variable.
    Off,
    /// Left for a creation: entered again at the next append or flush.
    Left,
    /// Writing in SWMR mode.
    On,
}

/// An open HDF5 file.
///
/// Every node looked up or created stays in a table indexed by
/// [`NodeId`] (the root is `NodeId(0)`) until [`Storage::close`], open,
/// so repeated lookups return the same id and appending a record touches
/// only the open dataset. When the file is opened again (leaving SWMR
/// mode, a reader's refresh) every handle is closed and each node is
/// opened again by its path when next used, so that this costs the same
/// however many nodes the table holds.
///
/// # Crash safety: SWMR
///
/// New files are created with libver bounds "latest" (superblock v3). A
/// file open for writing whose superblock is v3 (and whose driver is
/// sec2, the default) enters HDF5's SWMR write mode at the first
/// [`Storage::flush`] once it has a record variable: from then on HDF5
/// writes metadata in an order that keeps the file readable at every
/// moment, so a process killed at any point (inside a later flush too)
/// leaves every record flushed before readable; and readers in other
/// processes can open it (see [`Hdf5Storage::open`]).
///
/// SWMR mode forbids creating objects and attributes: creating a group, a
/// leaf, a None, a virtual dataset or writing an attribute first leaves
/// it (every handle and the file are closed and the file opened again
/// read-write; every `NodeId` stays valid), and enters it again as soon
/// as the object is made (or refused). From leaving to entering again
/// (about a millisecond or two), a kill may damage the file's metadata:
/// the short unprotected window of a creation.
///
/// Files with an older superblock (v0/v1: h5py's default, Python qnd)
/// and other drivers (families, parallel files) never enter SWMR mode: there a kill
/// during a flush may make earlier records unreadable. Nor does a file
/// when HDF5 refuses to start SWMR writing (another handle of the same
/// file in this process holds a None member or an empty leaf open).
pub struct Hdf5Storage {
    // dropped in this order: handles first, then the file
    /// The nodes, with the parent and name of each, to open them again by
    /// path.
    nodes: NodeTable<Node>,
    /// The mappings of the virtual datasets among the nodes.
    virtuals: HashMap<NodeId, vds::Sources>,
    /// Where the file is, to find the sources of virtual datasets.
    place: vds::Place,
    plists: Plists,
    writable: bool,
    /// The file's path, to open it again.
    path: PathBuf,
    swmr: Swmr,
    /// Whether the table holds a record variable (SWMR mode is entered
    /// only then).
    has_records: bool,
    /// Why the storage was closed after a failure (see
    /// [`Hdf5Storage::shut`]): every later append, write, flush, refresh
    /// and close fails naming it.
    broken: Option<String>,
    /// Read-only, opened while a writer records the file: opened again
    /// (at a refresh) for SWMR reading first.
    live: bool,
    /// The member size of a family (HDF5's family driver), `None` for a
    /// single file (see [`Hdf5Storage::open_family`]).
    family: Option<u64>,
    /// How many times SWMR writing was left (for tests).
    #[cfg(test)]
    left: usize,
    /// The dataspaces kept for reading (see [`Kept`]).
    kept: Kept,
    /// The identity of objects with several names (see `links`).
    objects: links::Objects,
    file: Option<File>,
    /// The communicator of a parallel file (see [`parallel`]); dropped
    /// after the file.
    #[cfg(feature = "mpi")]
    parallel: Option<parallel::Parallel>,
}

/// The dataspaces of datasets kept between reads ([`raw::Spaces`]), by
/// node, so that reading a record (and asking a record count) calls the
/// library only to select and read. None is kept for a virtual dataset.
/// A dataset's entry is dropped wherever its extent may change or its
/// handle is closed: an append ([`Storage::append_records`]), opening
/// it again ([`Hdf5Storage::opened`]), and every handle closed at once
/// (leaving SWMR mode, a reader's refresh, closing the file).
///
/// None is kept either while another handle of this process had the file
/// open when this one opened it ([`raw::alone`]): HDF5 shares the file
/// between them, so a reader's extents change with the writer's appends
/// (decided again at each reopen: a refresh).
#[derive(Default)]
struct Kept {
    spaces: Vec<Option<raw::Spaces>>,
    /// Whether dataspaces are kept at all (the file open here alone).
    on: bool,
}

impl Kept {
    /// Nothing kept yet; dataspaces kept from now on when `on`.
    fn new(on: bool) -> Kept {
        Kept {
            spaces: Vec::new(),
            on,
        }
    }

    /// The dataspaces of dataset `ds` of node `id`, kept now if they were
    /// not; `None` when none are kept.
    fn of(&mut self, id: NodeId, ds: &Dataset) -> SResult<Option<&mut raw::Spaces>> {
        if !self.on {
            return Ok(None);
        }
        if self.spaces.len() <= id.0 {
            self.spaces.resize_with(id.0 + 1, || None);
        }
        let slot = &mut self.spaces[id.0];
        if slot.is_none() {
            *slot = Some(raw::Spaces::of(ds)?);
        }
        Ok(slot.as_mut())
    }

    /// Drop what is kept of node `id`.
    fn forget(&mut self, id: NodeId) {
        if let Some(slot) = self.spaces.get_mut(id.0) {
            *slot = None;
        }
    }

    /// Drop everything kept.
    fn clear(&mut self) {
        self.spaces.clear();
    }

    /// How many datasets have dataspaces kept (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.spaces.iter().flatten().count()
    }

    /// The file dataspace kept for node `id`, if any (for tests).
    #[cfg(test)]
    fn file_id(&self, id: NodeId) -> Option<hdf5_sys::h5i::hid_t> {
        self.spaces.get(id.0)?.as_ref().map(raw::Spaces::file_id)
    }
}

/// Libver bounds "latest" on a file access property list: superblock v3
/// and the object formats SWMR needs.
fn latest(p: &mut FileAccessBuilder) -> &mut FileAccessBuilder {
    p.libver_bounds(LibraryVersion::latest(), LibraryVersion::latest())
}

/// Whether the file at `path` starts with an HDF5 superblock of version 3
/// or later (read from its first bytes, without the library).
fn superblock_v3(path: &Path) -> bool {
    use std::io::Read;
    const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";
    let mut head = [0u8; 9];
    match std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)) {
        Ok(()) => &head[..8] == SIGNATURE && head[8] >= 3,
        Err(_) => false,
    }
}

/// Whether an open failed because a writer holds the file: HDF5's lock
/// ("unable to lock (the) file"), or the superblock's flags of a file open for
/// writing ("file is already open for write", "... for write/SWMR write").
/// Other messages that hold "lock" (a damaged "superblock") are not.
fn busy(e: &StorageError) -> bool {
    let msg = e.to_string();
    [
        "unable to lock file",
        "unable to lock the file",
        "already open for write",
    ]
    .iter()
    .any(|m| msg.contains(m))
}

/// Try `open` until it succeeds, fails otherwise than [`busy`], or
/// [`OPEN_RETRY`] has passed; the last error then.
fn retrying<T>(mut open: impl FnMut() -> SResult<T>) -> SResult<T> {
    let deadline = Instant::now() + OPEN_RETRY;
    loop {
        match open() {
            Ok(v) => return Ok(v),
            Err(e) if !busy(&e) || Instant::now() >= deadline => return Err(e),
            Err(_) => std::thread::sleep(OPEN_PAUSE),
        }
    }
}

/// Open `path` read-only: as usual, or, when that fails because a writer
/// holds the file and its superblock is v3, for SWMR reading (what reads
/// a file that a writer in SWMR mode holds), tried again for a while (the
/// writer may be in its short window outside SWMR mode, creating a
/// variable). SWMR reading comes second: HDF5 opens the sources of
/// virtual datasets with the file's own flags, and this process may hold
/// them open without SWMR.
///
/// With `live` (a writer is known to be recording the file), a v3 file is
/// opened for SWMR reading first: a usual open could succeed in the
/// writer's short window outside SWMR mode (the writer then holds no
/// HDF5 lock) and read stale metadata once it writes in SWMR mode again.
fn open_read(path: &Path, live: bool) -> SResult<File> {
    let swmr = || -> SResult<File> {
        let fapl = latest(&mut FileAccessBuilder::new())
            .finish()
            .map_err(lib)?;
        retrying(|| {
            raw::swmr::open_swmr_read(path, &fapl).or_else(|_| File::open(path).map_err(lib))
        })
    };
    if live && superblock_v3(path) {
        return swmr();
    }
    let first = match File::open(path).map_err(lib) {
        Ok(f) => return Ok(f),
        Err(e) => e,
    };
    if !busy(&first) || !superblock_v3(path) {
        return Err(first);
    }
    swmr()
}

/// Open `path` read-write with libver bounds "latest" (what SWMR writing
/// needs) and without HDF5's file lock, to leave SWMR mode: readers in
/// SWMR mode hold a shared lock on the file, which would keep the writer
/// out. (This process still holds the file: it has just closed it; qnd's
/// own lock keeps other writers out.) Tried again for a while.
fn reopen_rw(path: &Path) -> SResult<File> {
    retrying(|| {
        File::with_options()
            .with_fapl(|p| latest(p).file_locking(false))
            .open_rw(path)
            .map_err(lib)
    })
}

/// Whether SWMR writing can be used on `file`: superblock v3 or later,
/// sec2 driver.
fn swmr_capable(file: &File) -> SResult<bool> {
    Ok(raw::file::is_sec2(file.id()) && raw::swmr::superblock_version(file)? >= 3)
}

impl Hdf5Storage {
    /// Open an existing file, read-only or read-write.
    ///
    /// Read-only, a file that a writer in SWMR mode holds (a history being
    /// recorded) is opened for SWMR reading: when the usual open fails
    /// because a writer holds the file and its superblock is v3, it is
    /// opened with `H5F_ACC_SWMR_READ`, tried again for up to 2 s while the
    /// writer is in its short window outside SWMR mode (creating a
    /// variable). [`Storage::refresh`] shows what the writer adds. (HDF5
    /// 1.10 readers keep a shared lock on the file: a writer that opens it
    /// later is refused; one already recording is not.)
    ///
    /// Read-write, a file whose superblock is v3 is opened with libver
    /// bounds "latest", so that recording can enter SWMR mode.
    ///
    /// # Errors
    /// When the library cannot open it (for reading: after the retries).
    pub fn open(path: &Path, writable: bool) -> SResult<Hdf5Storage> {
        Hdf5Storage::open_with(path, writable, false)
    }

    /// Open read-only a file that a writer in another process is known to
    /// be recording: as [`Hdf5Storage::open`], but a v3 file is opened
    /// for SWMR reading first (and again at every refresh), never with a
    /// usual open in the writer's short window outside SWMR mode.
    ///
    /// # Errors
    /// When the library cannot open it (after the retries).
    pub fn open_live(path: &Path) -> SResult<Hdf5Storage> {
        Hdf5Storage::open_with(path, false, true)
    }

    /// This process's rank in the communicator of a parallel file (see
    /// `Hdf5Storage::create_parallel`, feature `mpi`); `None` for a file
    /// opened by this process alone.
    pub fn rank(&self) -> Option<usize> {
        #[cfg(feature = "mpi")]
        if let Some((rank, _)) = self.rank_and_size() {
            return Some(rank);
        }
        None
    }

    /// The number of processes writing a parallel file together (see
    /// [`Hdf5Storage::rank`]); `None` for a file opened by this process
    /// alone.
    pub fn ranks(&self) -> Option<usize> {
        #[cfg(feature = "mpi")]
        if let Some((_, size)) = self.rank_and_size() {
            return Some(size);
        }
        None
    }

    fn open_with(path: &Path, writable: bool, live: bool) -> SResult<Hdf5Storage> {
        if !writable {
            let mut s = Hdf5Storage::with_file(open_read(path, live)?, path, false, Swmr::Reader)?;
            s.live = live;
            return Ok(s);
        }
        let file = File::open_rw(path).map_err(lib)?;
        if !swmr_capable(&file)? {
            return Hdf5Storage::with_file(file, path, true, Swmr::Never);
        }
        file.close().map_err(lib)?;
        let file = File::with_options()
            .with_fapl(latest)
            .open_rw(path)
            .map_err(lib)?;
        Hdf5Storage::with_file(file, path, true, Swmr::Off)
    }

    /// Create a file, truncating an existing one, with libver bounds
    /// "latest" (superblock v3, for SWMR writing). Its root group tracks
    /// the creation order of links and attributes.
    ///
    /// # Errors
    /// When the library cannot create it.
    pub fn create(path: &Path) -> SResult<Hdf5Storage> {
        Hdf5Storage::make(path, false)
    }

    /// Create a new file, as [`Hdf5Storage::create`], failing if the file
    /// exists. Unlike truncating an existing file, this leaves ext4 no
    /// reason to write the whole file back when it is closed (its
    /// `auto_da_alloc` does that for a file truncated to nothing).
    ///
    /// # Errors
    /// When the file exists, or the library cannot create it.
    pub fn create_new(path: &Path) -> SResult<Hdf5Storage> {
        Hdf5Storage::make(path, true)
    }

    fn make(path: &Path, exclusive: bool) -> SResult<Hdf5Storage> {
        let mut builder = File::with_options();
        builder
            .with_fcpl(|p| {
                p.link_creation_order(LinkCreationOrder::Indexed)
                    .attr_creation_order(AttrCreationOrder::Indexed)
                    .istore_k(CHUNK_INDEX_K)
            })
            .with_fapl(latest);
        let file = if exclusive {
            builder.create_excl(path)
        } else {
            builder.create(path)
        }
        .map_err(lib)?;
        let swmr = if swmr_capable(&file)? {
            Swmr::Off
        } else {
            Swmr::Never
        };
        Hdf5Storage::with_file(file, path, true, swmr)
    }

    fn with_file(file: File, path: &Path, writable: bool, swmr: Swmr) -> SResult<Hdf5Storage> {
        raw::close_on_exec(file.id());
        let root = file.group("/").map_err(lib)?;
        Ok(Hdf5Storage {
            nodes: NodeTable::new(Node::group(root)),
            virtuals: HashMap::new(),
            kept: Kept::new(raw::alone(file.id())),
            objects: links::Objects::default(),
            place: vds::Place::new(path, writable),
            plists: Plists::new()?,
            writable,
            path: path.to_path_buf(),
            swmr,
            has_records: false,
            broken: None,
            live: false,
            family: None,
            #[cfg(test)]
            left: 0,
            file: Some(file),
            #[cfg(feature = "mpi")]
            parallel: None,
        })
    }

    /// Keep `node` as member `name` of `parent`; its id.
    fn keep(&mut self, parent: NodeId, name: &str, node: Node) -> NodeId {
        self.has_records |= node.kind == Kind::Records;
        self.nodes.push(parent, name, node)
    }

    /// Whether the file is writing in SWMR mode now (for tests).
    #[cfg(test)]
    fn swmr_writing(&self) -> SResult<bool> {
        match &self.file {
            Some(f) => raw::swmr::in_swmr_write(f),
            None => Ok(false),
        }
    }

    /// Enter SWMR writing. Committed datatypes (None members, empty
    /// leaves) may not be open meanwhile: they are closed first, and
    /// opened again when next used. When HDF5 refuses, the file stays
    /// outside SWMR mode for good.
    fn enter_swmr(&mut self) -> SResult<()> {
        for i in 1..self.nodes.len() {
            if let Some(n) = self.nodes.get_mut(NodeId(i)) {
                if matches!(n.obj, Obj::Type(_)) {
                    n.obj = Obj::Closed {
                        class: ObjClass::Datatype,
                        dapl: None,
                    };
                }
            }
        }
        // Starting SWMR writing reopens every open dataset with the default
        // access property list, losing its chunk cache (one chunk for
        // records, see `raw::objects`): note each, to open it again with
        // its own when next used.
        let mut dapls = Vec::new();
        for i in 1..self.nodes.len() {
            if let Some(Obj::Dataset(ds)) = self.nodes.get_mut(NodeId(i)).map(|n| &n.obj) {
                dapls.push((i, raw::swmr::dataset_access(ds)?));
            }
        }
        let started = match &self.file {
            Some(f) => raw::swmr::start_swmr_write(f),
            None => Ok(()),
        };
        if started.is_ok() {
            for (i, dapl) in dapls {
                if let Some(n) = self.nodes.get_mut(NodeId(i)) {
                    n.obj = Obj::Closed {
                        class: ObjClass::Dataset,
                        dapl: Some(dapl),
                    };
                }
            }
        }
        // HDF5 refuses while another handle of this process holds a
        // committed datatype or an attribute of the file: the file is
        // written as it is then, without SWMR. A refusal leaves the file
        // as it was, so it flushes; a failure to write (the disk full)
        // does not, and is the error of this call.
        self.swmr = match started {
            Ok(()) => Swmr::On,
            Err(refused) => {
                if let Some(f) = &self.file {
                    f.flush().map_err(|e| {
                        StorageError::library(format!(
                            "{e} (after starting SWMR writing failed: {refused})"
                        ))
                    })?;
                }
                Swmr::Never
            }
        };
        Ok(())
    }

    /// Open node `id` again if its handle was closed (see [`Obj::Closed`]),
    /// its parents first, by its path.
    fn opened(&mut self, id: NodeId) -> SResult<()> {
        let class = match &self.node(id)?.obj {
            Obj::Closed { class, .. } => *class,
            _ => return Ok(()),
        };
        let (parent, name) = self.nodes.link(id).ok_or(StorageError::NotFound)?;
        if parent == id {
            return Err(StorageError::Layout("the root group is closed".into()));
        }
        let name = name.to_string();
        self.opened(parent)?;
        let obj = match self.family_external_again(parent, &name)? {
            Some(obj) => obj,
            None => {
                let g = self.group(parent)?;
                match class {
                    ObjClass::Group => Obj::Group(g.group(&name).map_err(lib)?),
                    ObjClass::Dataset => {
                        let dapl = match &self.node(id)?.obj {
                            Obj::Closed { dapl, .. } => dapl.as_ref(),
                            _ => None,
                        };
                        let c = raw::c_name(&name)?;
                        Obj::Dataset(raw::swmr::open_dataset(g, &c, dapl)?)
                    }
                    ObjClass::Datatype => Obj::Type(g.committed_datatype(&name).map_err(lib)?),
                }
            }
        };
        self.kept.forget(id);
        if let Some(n) = self.nodes.get_mut(id) {
            n.obj = obj;
        }
        Ok(())
    }

    /// Around a call that creates an object or writes an attribute: leave
    /// SWMR writing first (it forbids them), and enter it again right
    /// after, whether `make` succeeded or not, so that the file is outside
    /// SWMR mode only while the object is made.
    fn creating<T>(&mut self, make: impl FnOnce(&mut Self) -> SResult<T>) -> SResult<T> {
        self.leave_swmr()?;
        let made = make(self);
        let entered = if self.swmr == Swmr::Left {
            self.enter_swmr()
        } else {
            Ok(())
        };
        let made = made?;
        entered?;
        Ok(made)
    }

    /// Before creating an object or writing an attribute: leave SWMR
    /// writing (which forbids them) by opening the file again.
    fn leave_swmr(&mut self) -> SResult<()> {
        if self.swmr == Swmr::On {
            self.reopen()?;
            self.swmr = Swmr::Left;
            #[cfg(test)]
            {
                self.left += 1;
            }
        }
        Ok(())
    }

    /// Close every handle and the file, open the file again (for writing:
    /// read-write, outside SWMR mode; otherwise read-only, see
    /// [`Hdf5Storage::open`]) and every node of the table by its path, so
    /// that every `NodeId` stays valid. On error the storage is closed
    /// (every call fails).
    fn reopen(&mut self) -> SResult<()> {
        let done = self.try_reopen();
        if let Err(e) = &done {
            self.shut(e);
        }
        done
    }

    fn try_reopen(&mut self) -> SResult<()> {
        // every handle first, so that closing the file really closes it;
        // nodes are opened again when next used (`opened`)
        self.kept.clear();
        for i in 0..self.nodes.len() {
            let Some(n) = self.nodes.get_mut(NodeId(i)) else {
                continue;
            };
            let dapl = match &mut n.obj {
                Obj::Dataset(ds) => Some(raw::swmr::dataset_access(ds)?),
                Obj::Closed { dapl, .. } => dapl.take(),
                _ => None,
            };
            n.obj = Obj::Closed {
                class: n.obj.class(),
                dapl,
            };
        }
        if let Some(f) = self.file.take() {
            f.close().map_err(lib)?;
        }
        let file = if let Some(size) = self.family {
            let file = family::open_family_file(&self.path, None, self.writable, size)?.0;
            raw::family::close_on_exec(&self.path);
            file
        } else if self.writable {
            reopen_rw(&self.path)?
        } else {
            open_read(&self.path, self.live)?
        };
        raw::close_on_exec(file.id());
        self.kept = Kept::new(raw::alone(file.id()));
        self.objects.clear();
        let root = file.group("/").map_err(lib)?;
        if let Some(n) = self.nodes.get_mut(NodeId(0)) {
            n.obj = Obj::Group(root);
        }
        self.file = Some(file);
        Ok(())
    }

    /// Close everything, ignoring errors: after a failed reopen (`why`), so
    /// that every later call fails (no node resolves, and appends, writes,
    /// flushes, refreshes and close name `why`) rather than reaching a
    /// handle of the wrong object or saying Ok.
    fn shut(&mut self, why: &StorageError) {
        self.broken.get_or_insert_with(|| why.to_string());
        self.kept.clear();
        self.objects.clear();
        self.virtuals.clear();
        self.nodes.clear();
        if let Some(f) = self.file.take() {
            let _ = f.close();
        }
    }

    fn node(&self, id: NodeId) -> SResult<&Node> {
        self.nodes.node(id)
    }

    /// The error of every call after [`Hdf5Storage::shut`].
    fn check_broken(&self) -> SResult<()> {
        match &self.broken {
            Some(why) => Err(StorageError::library(format!(
                "the file was closed after an earlier failure: {why}"
            ))),
            None => Ok(()),
        }
    }

    fn group(&self, id: NodeId) -> SResult<&Group> {
        match &self.node(id)?.obj {
            Obj::Group(g) => Ok(g),
            _ => Err(StorageError::Layout("not a group".into())),
        }
    }

    fn leaf(&self, id: NodeId) -> SResult<(&Node, &Elem)> {
        leaf_in(&self.nodes, id)
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

    /// What leaf or record node `node`, open, holds.
    fn leaf_info(&self, node: NodeId) -> SResult<LeafInfo> {
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

    /// A new None member `name` of `parent` (a committed datatype).
    fn new_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.opened(parent)?;
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
        Ok(self.keep(parent, name, node))
    }

    /// A new leaf or record variable `name` of `parent`.
    fn new_leaf(&mut self, parent: NodeId, name: &str, spec: &LeafSpec) -> SResult<NodeId> {
        self.opened(parent)?;
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
        Ok(self.keep(parent, name, node))
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

/// Leaf or record node `id` of `nodes`, and its element type.
fn leaf_in(nodes: &NodeTable<Node>, id: NodeId) -> SResult<(&Node, &Elem)> {
    let n = nodes.node(id)?;
    match &n.elem {
        Some(e) => Ok((n, e)),
        None => Err(StorageError::Layout("not a leaf or record node".into())),
    }
}

/// The counts of hyperslab `slab`, in `buf` (no allocation: this runs on
/// every read).
fn counts_in<'b>(buf: &'b mut [usize; raw::MAX_RANK], slab: &[Run]) -> SResult<&'b [usize]> {
    let counts = buf
        .get_mut(..slab.len())
        .ok_or_else(|| StorageError::Layout(format!("a hyperslab of {} axes", slab.len())))?;
    for (c, s) in counts.iter_mut().zip(slab) {
        *c = s.count;
    }
    Ok(counts)
}

/// Dataset `ds`, member `name` of `g`, opened again with a chunk cache of
/// one chunk when it is a record dataset (chunked, its leading axis alone
/// unlimited), as qnd creates them (HDF5's default is 1 MiB per open
/// dataset, which a file of many record variables pays for each).
fn record_cache(g: &Group, name: &str, ds: Dataset) -> SResult<Dataset> {
    let Some(chunk) = ds.chunk() else {
        return Ok(ds);
    };
    let record = match raw::dataset_space(&ds)? {
        Space::Simple { max, .. }
            if max.first() == Some(&None) && max[1..].iter().all(Option::is_some) =>
        {
            chunk.get(1..).unwrap_or(&[]).iter().product::<usize>()
        }
        _ => return Ok(ds),
    };
    let record_bytes = record.saturating_mul(ds.dtype().map_err(lib)?.size());
    let bytes = if qnd_storage::chunks::direct_records(record_bytes) {
        0
    } else {
        record_bytes.saturating_mul(chunk.first().copied().unwrap_or(1))
    };
    let dapl = raw::swmr::chunk_cache_access(bytes)?;
    drop(ds);
    raw::swmr::open_dataset(g, &raw::c_name(name)?, Some(&dapl))
}

/// True for a name that is one member of a group (no path).
fn plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && !name.contains('/') && !name.contains('\0')
}

/// The dataset of record node `n` and its dimensions (at least one: the
/// record count first).
fn record_dataset(n: &Node) -> SResult<(&Dataset, Vec<usize>)> {
    let ds = match (&n.obj, n.kind) {
        (Obj::Dataset(ds), Kind::Records) => ds,
        _ => return Err(StorageError::Layout("not a record node".into())),
    };
    let dims = raw::dataset_space(ds)?.dims();
    if dims.is_empty() {
        return Err(StorageError::Layout("record dataset of rank 0".into()));
    }
    Ok((ds, dims))
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
        #[cfg(feature = "mpi")]
        if self.parallel.is_some() {
            return parallel::CAPABILITIES;
        }
        CAPABILITIES
    }

    fn root(&self) -> NodeId {
        NodeId(0)
    }

    fn names(&mut self, group: NodeId) -> SResult<Vec<String>> {
        self.opened(group)?;
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
        self.opened(group)?;
        let g = self.group(group)?;
        if !plain_name(name) {
            return Ok(None);
        }
        let c = raw::c_name(name)?;
        if !raw::link_exists(g, &c)? {
            return Ok(None);
        }
        if let Some(found) = self.family_external(group, name)? {
            return Ok(Some(found));
        }
        let (info, address) = match self.meet(group, name)? {
            links::Met::Known(id, kind) => return Ok(Some((id, kind))),
            links::Met::New(info, address) => (info, address),
        };
        let g = self.group(group)?;
        let mut sources = None;
        let node = match info.loc_type {
            LocationType::Group => Node::group(g.group(name).map_err(lib)?),
            LocationType::Dataset => {
                let ds = record_cache(g, name, g.dataset(name).map_err(lib)?)?;
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
        let id = self.keep(group, name, node);
        self.met(id, address);
        if let Some(s) = sources {
            self.virtuals.insert(id, s);
        }
        Ok(Some((id, kind)))
    }

    fn create_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.creating(|s| {
            s.opened(parent)?;
            let c = s.new_member(parent, name)?;
            let g = raw::create_group(s.group(parent)?, &c, &s.plists)?;
            Ok(s.keep(parent, name, Node::group(g)))
        })
    }

    fn create_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.creating(|s| s.new_none(parent, name))
    }

    fn create_leaf(&mut self, parent: NodeId, name: &str, spec: &LeafSpec) -> SResult<NodeId> {
        self.creating(|s| s.new_leaf(parent, name, spec))
    }

    fn info(&mut self, node: NodeId) -> SResult<LeafInfo> {
        self.opened(node)?;
        self.leaf_info(node)
    }

    fn text_width(&mut self, node: NodeId) -> SResult<Option<usize>> {
        self.opened(node)?;
        let (_, e) = leaf_in(&self.nodes, node)?;
        Ok(match e.text {
            qnd_storage::TextLayout::Fixed { width, .. } => Some(width),
            qnd_storage::TextLayout::Variable | qnd_storage::TextLayout::NotText => None,
        })
    }

    fn records(&mut self, node: NodeId) -> SResult<usize> {
        self.opened(node)?;
        let (n, _) = leaf_in(&self.nodes, node)?;
        match &n.obj {
            Obj::Dataset(ds) => {
                if !self.virtuals.contains_key(&node) {
                    if let Some(kept) = self.kept.of(node, ds)? {
                        return Ok(kept.leading());
                    }
                }
                raw::dataset_len(ds)
            }
            _ => Ok(0),
        }
    }

    fn read(&mut self, node: NodeId, slab: &[Run]) -> SResult<Array> {
        self.opened(node)?;
        let mut buf = [0; raw::MAX_RANK];
        let counts = counts_in(&mut buf, slab)?;
        let (n, e) = leaf_in(&self.nodes, node)?;
        match &n.obj {
            Obj::Dataset(ds) if !counts.contains(&0) => {
                if !self.virtuals.contains_key(&node) {
                    if let Some(kept) = self.kept.of(node, ds)? {
                        let sel = kept.select(slab)?;
                        return data::read_array(&Target::Dataset(ds, &sel), e, counts);
                    }
                }
                let _held = self.hold_sources(node, slab)?;
                let sel = raw::select(ds, slab)?;
                data::read_array(&Target::Dataset(ds, &sel), e, counts)
            }
            _ => Ok(Array::zeros(e.dtype, counts)),
        }
    }

    fn write(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()> {
        self.check_broken()?;
        #[cfg(feature = "mpi")]
        if self.parallel.is_some() {
            return self.par_write(node, slab, data);
        }
        self.opened(node)?;
        let mut buf = [0; raw::MAX_RANK];
        let counts = counts_in(&mut buf, slab)?;
        let (n, e) = leaf_in(&self.nodes, node)?;
        check_shape(data, counts)?;
        match &n.obj {
            Obj::Dataset(ds) if data.size() > 0 => {
                if !self.virtuals.contains_key(&node) {
                    if let Some(kept) = self.kept.of(node, ds)? {
                        let sel = kept.select(slab)?;
                        return data::write_array(&Target::Dataset(ds, &sel), e, data);
                    }
                }
                let _held = self.hold_sources(node, slab)?;
                let sel = raw::select(ds, slab)?;
                data::write_array(&Target::Dataset(ds, &sel), e, data)
            }
            _ => Ok(()),
        }
    }

    fn append_records(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        self.check_broken()?;
        #[cfg(feature = "mpi")]
        if self.parallel.is_some() {
            return self.par_append(node, parallel::Rows::Replicated, records);
        }
        if self.swmr == Swmr::Left {
            self.enter_swmr()?;
        }
        self.opened(node)?;
        // the extent changes: the kept dataspaces are read again when next
        // used
        self.kept.forget(node);
        let (n, e) = self.leaf(node)?;
        let (ds, dims) = record_dataset(n)?;
        let (&count, record_shape) = dims.split_first().expect("checked: rank 1 or more");
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

    /// In a parallel file, one collective write (see the `parallel`
    /// module, feature `mpi`); otherwise run by run, as every backend
    /// written by one process.
    fn write_part(&mut self, node: NodeId, part: &Part, data: &Array) -> SResult<()> {
        self.check_broken()?;
        #[cfg(feature = "mpi")]
        if self.parallel.is_some() {
            return self.par_write_part(node, part, data);
        }
        qnd_storage::part::write_by_runs(part, data, |slab, rows| self.write(node, slab, rows))
    }

    /// In a parallel file, one collective append (see the `parallel`
    /// module, feature `mpi`); otherwise whole parts only, as every
    /// backend written by one process.
    fn append_parts(&mut self, node: NodeId, part: &Part, records: &Array) -> SResult<()> {
        self.check_broken()?;
        #[cfg(feature = "mpi")]
        if self.parallel.is_some() {
            return self.par_append(node, parallel::Rows::Part(part), records);
        }
        qnd_storage::part::check_whole(self.backend_name(), part)?;
        self.append_records(node, records)
    }

    fn attr_names(&mut self, node: NodeId) -> SResult<Vec<String>> {
        self.opened(node)?;
        let n = self.node(node)?;
        let loc = n.obj.location()?;
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
        self.opened(node)?;
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
        self.creating(|s| {
            s.opened(node)?;
            let obj = s.node(node)?.obj.id();
            let c = raw::c_name(name)?;
            write_attr(obj, &c, value, &s.plists)
        })
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
        #[cfg(feature = "mpi")]
        if self.parallel.is_some() {
            return Err(StorageError::Unsupported(format!(
                "parallel files hold no virtual datasets made here: cannot store {name:?} as one"
            )));
        }
        self.creating(|s| {
            s.opened(parent)?;
            let c = s.new_member(parent, name)?;
            let file = s
                .file
                .as_ref()
                .ok_or_else(|| StorageError::Layout("the file is closed".into()))?;
            let g = s.group(parent)?;
            let ds = vds::create(g, &c, dtype, shape, maps, &s.place, file, &s.plists)?;
            let sources = vds::sources_of(&ds)?;
            let node = Hdf5Storage::dataset_node(ds)?;
            let id = s.keep(parent, name, node);
            if let Some(found) = sources {
                s.virtuals.insert(id, found);
            }
            Ok(id)
        })
    }

    fn remove(&mut self, parent: NodeId, name: &str) -> SResult<()> {
        self.remove_member(parent, name)
    }

    fn link(&mut self, parent: NodeId, name: &str, target: NodeId) -> SResult<NodeId> {
        self.hard_link(parent, name, target)
    }

    fn soft_link(&mut self, parent: NodeId, name: &str, target: &str) -> SResult<()> {
        self.soft(parent, name, target)
    }

    fn external_link(
        &mut self,
        parent: NodeId,
        name: &str,
        file: &Path,
        path: &str,
    ) -> SResult<()> {
        self.external(parent, name, file, path)
    }

    fn link_info(&mut self, group: NodeId, name: &str) -> SResult<Option<LinkTarget>> {
        self.link_target(group, name)
    }

    /// Write everything to the file; then, for a file that can (see
    /// [`Hdf5Storage`]) and has a record variable, enter SWMR writing.
    fn flush(&mut self) -> SResult<()> {
        self.check_broken()?;
        match &self.file {
            Some(f) if self.writable => f.flush().map_err(lib)?,
            _ => return Ok(()),
        }
        self.family_close_on_exec();
        if matches!(self.swmr, Swmr::Off | Swmr::Left) && self.has_records {
            self.enter_swmr()?;
        }
        Ok(())
    }

    /// Read-only: close the file and open it again (for SWMR reading when
    /// a writer holds it), every node opened again by its path, so that
    /// records and members a writer in another process has added since
    /// show (see [`Hdf5Storage::open`]). Opening is tried again for up to
    /// 2 s while the writer is outside SWMR mode. Nothing for a file open
    /// for writing (no other process writes it).
    ///
    /// What a reader sees: a writer in SWMR mode writes the data of
    /// records, then the chunk index, then the new extent, so a record of
    /// a variable shows only once its data is written; variables are
    /// written one after the other, so one may show more records than
    /// another (all of a flush show once it returns).
    ///
    /// # Errors
    /// When the file cannot be opened again (the storage is then closed:
    /// every later call fails).
    fn refresh(&mut self) -> SResult<()> {
        self.check_broken()?;
        if self.writable || self.file.is_none() {
            return Ok(());
        }
        // a parallel file has no live readers: nothing to see
        #[cfg(feature = "mpi")]
        if self.parallel.is_some() {
            return Ok(());
        }
        self.reopen()
    }

    fn close(&mut self) -> SResult<()> {
        self.kept.clear();
        self.objects.clear();
        self.virtuals.clear();
        self.nodes.clear();
        let closed = match self.file.take() {
            Some(f) => f.close().map_err(lib),
            None => self.check_broken(),
        };
        // the communicator after the file
        #[cfg(feature = "mpi")]
        {
            self.parallel = None;
        }
        closed
    }
}
