//! File families: one HDF5 file split across member files of at most a
//! given size (HDF5's family driver, `H5Pset_fapl_family`), named by a
//! `printf` pattern with one integer conversion (`run%d.h5`: `run0.h5`,
//! `run1.h5`, ...). HDF5 itself moves writes past a member's end into the
//! next member.
//!
//! The member size is a property of an existing family: HDF5 refuses to
//! open one with another size than it was written with (its superblock
//! stores the size). Opening tries the size asked for, then the size
//! HDF5's refusal names ("Family member size should be N"), then the
//! size of the first member (what a full member is, when the family has
//! more than one).
//!
//! A family never enters SWMR mode (SWMR needs the sec2 driver): see
//! [`Hdf5Storage`].
//!
//! An external link out of a family opens its target file with a default
//! file-access list (the sec2 driver), as h5py does: HDF5 would open it
//! with the family's, the family driver, and fail.

use std::path::Path;

use hdf5::plist::file_create::{AttrCreationOrder, LinkCreationOrder};
use hdf5::File;
use qnd_storage::{Kind, NodeId, SResult, StorageError};

use super::raw::elink::Opened;
use super::raw::links::RawLink;
use super::raw::{self, lib};
use super::{latest, vds, Hdf5Storage, Node, Obj, Swmr, CHUNK_INDEX_K};

impl Hdf5Storage {
    /// Open an existing family, read-only or read-write. `pattern` is the
    /// member name pattern as HDF5 spells it (`printf`: one `%d` or
    /// `%0Nd`, `%%` for a literal `%`), `first_member` its first member
    /// file; `member_size` the size of a member in bytes, tried first: HDF5
    /// refuses to open a family with another size than it was written with,
    /// and then the size its refusal names ("Family member size should be
    /// N") is tried, then the size of the first member (a full member, when
    /// the family has more than one). A family is never in SWMR mode.
    ///
    /// # Errors
    /// When the library cannot open the family with any of those sizes
    /// (the error of the first try).
    pub fn open_family(
        pattern: &Path,
        first_member: &Path,
        writable: bool,
        member_size: u64,
    ) -> SResult<Hdf5Storage> {
        let (file, size) = open_family_file(pattern, Some(first_member), writable, member_size)?;
        let swmr = if writable { Swmr::Never } else { Swmr::Reader };
        raw::family::close_on_exec(pattern);
        let mut s = Hdf5Storage::with_file(file, pattern, writable, swmr)?;
        s.family = Some(size);
        Ok(s)
    }

    /// Create a family (as [`Hdf5Storage::create`] creates a file) whose
    /// members hold at most `member_size` bytes; with `exclusive`, failing
    /// when its first member exists.
    ///
    /// # Errors
    /// When the library cannot create it (`member_size` 0 included).
    pub fn create_family(
        pattern: &Path,
        member_size: u64,
        exclusive: bool,
    ) -> SResult<Hdf5Storage> {
        let size = member_bytes(member_size)?;
        let mut builder = File::with_options();
        builder
            .with_fcpl(|p| {
                p.link_creation_order(LinkCreationOrder::Indexed)
                    .attr_creation_order(AttrCreationOrder::Indexed)
                    .istore_k(CHUNK_INDEX_K)
            })
            .with_fapl(|p| latest(p).family_options(size));
        let file = if exclusive {
            builder.create_excl(pattern)
        } else {
            builder.create(pattern)
        }
        .map_err(lib)?;
        raw::family::close_on_exec(pattern);
        let mut s = Hdf5Storage::with_file(file, pattern, true, Swmr::Never)?;
        s.family = Some(member_size);
        Ok(s)
    }

    /// For a family: mark the descriptors of its members (those made
    /// since it was opened too) close-on-exec (see `raw::family`).
    pub(super) fn family_close_on_exec(&self) {
        if self.family.is_some() {
            raw::family::close_on_exec(&self.path);
        }
    }

    /// The member size of a family (`None` for a single file).
    pub fn family_member_size(&self) -> Option<u64> {
        self.family
    }

    /// In a family, the object member `name` of `group` leads to when it
    /// is an external link (`None` otherwise, and in a single file):
    /// opened with a default file-access list for the target file (see
    /// `raw::elink`), where HDF5 would use the family driver and fail.
    fn family_external_target(&self, group: NodeId, name: &str) -> SResult<Option<Opened>> {
        if self.family.is_none() {
            return Ok(None);
        }
        let c = raw::c_name(name)?;
        let g = self.group(group)?;
        let RawLink::External(file, path) = raw::links::link_of(g, &c)? else {
            return Ok(None);
        };
        let lapl = raw::elink::link_access()?;
        raw::elink::open(g, &c, &lapl)
            .map(Some)
            .map_err(|e| StorageError::Dangling(format!("{name} -> {file}:{path}: {e}")))
    }

    /// [`qnd_storage::Storage::lookup`] of member `name` of `group` (which exists) when
    /// it is an external link in a family: the node of its target, kept.
    /// `None` otherwise.
    ///
    /// # Errors
    /// [`StorageError::Dangling`] when the target cannot be opened.
    pub(super) fn family_external(
        &mut self,
        group: NodeId,
        name: &str,
    ) -> SResult<Option<(NodeId, Kind)>> {
        let Some(opened) = self.family_external_target(group, name)? else {
            return Ok(None);
        };
        let mut sources = None;
        let node = match opened {
            Opened::Group(g) => Node::group(g),
            Opened::Dataset(ds) => {
                sources = vds::sources_of(&ds)?;
                Hdf5Storage::dataset_node(ds)?
            }
            Opened::Type(t) => Hdf5Storage::type_node(t)?,
        };
        let info = node.obj.location()?.loc_info().map_err(lib)?;
        let kind = node.kind;
        let id = self.keep(group, name, node);
        // the identity `links::meet` notes for every object it opens
        self.met(id, (info.fileno, format!("{:?}", info.token)));
        if let Some(s) = sources {
            self.virtuals.insert(id, s);
        }
        Ok(Some((id, kind)))
    }

    /// [`Hdf5Storage::opened`] of a node that is member `name` of `group`:
    /// in a family, the object of an external link opened again (as
    /// [`Hdf5Storage::family_external`] opens it); `None` otherwise.
    ///
    /// # Errors
    /// [`StorageError::Dangling`] when the target cannot be opened.
    pub(super) fn family_external_again(&self, group: NodeId, name: &str) -> SResult<Option<Obj>> {
        Ok(self
            .family_external_target(group, name)?
            .map(|opened| match opened {
                Opened::Group(g) => Obj::Group(g),
                Opened::Dataset(ds) => Obj::Dataset(ds),
                Opened::Type(t) => Obj::Type(t),
            }))
    }
}

/// Whether the HDF5 file at `path` was written through the family driver
/// (is a family's first member): its superblock's driver information
/// (version 0 and 1 superblocks) or superblock extension (versions 2 and
/// 3), both written next to the superblock, name the driver `NCSAfami`.
/// Looked for in the first 4 KiB of the file; false when it cannot be
/// read.
pub fn names_family_driver(path: &Path) -> bool {
    use std::io::Read;
    const DRIVER: &[u8] = b"NCSAfami";
    let mut head = Vec::with_capacity(4096);
    let read = std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
    read.is_ok() && head.windows(DRIVER.len()).any(|w| w == DRIVER)
}

/// `size` as the library takes it; 0 is refused here (HDF5 would take
/// it as "the default").
fn member_bytes(size: u64) -> SResult<usize> {
    match usize::try_from(size) {
        Ok(0) => Err(StorageError::Unsupported(
            "a family's member size must be at least 1 byte".into(),
        )),
        Ok(s) => Ok(s),
        Err(_) => Err(StorageError::Unsupported(format!(
            "a family member size of {size} bytes is too large for this machine"
        ))),
    }
}

/// Open the family `pattern` with `member_size` or, when HDF5 refuses it,
/// the size it was written with (named by HDF5, or the size of
/// `first_member`, the family's first member file): the file and the size
/// used.
pub(super) fn open_family_file(
    pattern: &Path,
    first_member: Option<&Path>,
    writable: bool,
    member_size: u64,
) -> SResult<(File, u64)> {
    let first = match open_sized(pattern, writable, member_size) {
        Ok(f) => return Ok((f, member_size)),
        Err(e) => e,
    };
    let mut others = Vec::new();
    if let Some(named) = size_named(&first.to_string()) {
        others.push(named);
    }
    if let Some(Ok(meta)) = first_member.map(std::fs::metadata) {
        others.push(meta.len());
    }
    for size in others {
        if size != member_size && size > 0 {
            if let Ok(f) = open_sized(pattern, writable, size) {
                return Ok((f, size));
            }
        }
    }
    Err(first)
}

fn open_sized(pattern: &Path, writable: bool, size: u64) -> SResult<File> {
    let size = member_bytes(size)?;
    let mut options = File::with_options();
    options.with_fapl(|p| p.family_options(size));
    if writable {
        options.open_rw(pattern)
    } else {
        options.open(pattern)
    }
    .map_err(lib)
}

/// The member size HDF5's refusal of another one names: "Family member
/// size should be N. But the size from file access property is M".
fn size_named(message: &str) -> Option<u64> {
    const SAYS: &str = "member size should be ";
    let at = message.find(SAYS)? + SAYS.len();
    let digits: String = message[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::size_named;
    use crate::Hdf5Storage;
    use qnd_storage::{Array, DType, LeafSpec, Storage};

    /// A family of one short member (shorter than its member size) opens
    /// with another size asked for: the size HDF5 names is used.
    #[test]
    fn a_family_opens_with_the_size_it_was_written_with() {
        let dir = tempfile::tempdir().unwrap();
        let pattern = dir.path().join("f%d.h5");
        let first = dir.path().join("f0.h5");
        let mut s = Hdf5Storage::create_family(&pattern, 65536, true).unwrap();
        let root = s.root();
        let x = s
            .create_leaf(
                root,
                "x",
                &LeafSpec {
                    dtype: DType::F64,
                    shape: vec![],
                    records: false,
                    text_len: 0,
                },
            )
            .unwrap();
        s.write(x, &[], &Array::scalar(2.5f64)).unwrap();
        s.close().unwrap();
        assert!(std::fs::metadata(&first).unwrap().len() < 65536);
        assert!(!dir.path().join("f1.h5").exists());
        for writable in [false, true] {
            let mut s = Hdf5Storage::open_family(&pattern, &first, writable, 1 << 20).unwrap();
            assert_eq!(s.family_member_size(), Some(65536));
            let root = s.root();
            let (x, _) = s.lookup(root, "x").unwrap().unwrap();
            assert_eq!(s.read(x, &[]).unwrap(), Array::scalar(2.5f64));
            s.close().unwrap();
        }
        // exclusive creation refuses an existing family
        assert!(Hdf5Storage::create_family(&pattern, 65536, true).is_err());
        assert!(Hdf5Storage::create_family(&pattern, 0, false).is_err());
    }

    /// Every descriptor of the process open on a member file is
    /// close-on-exec, members made while writing included.
    #[cfg(target_os = "linux")]
    #[test]
    fn member_descriptors_are_close_on_exec() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let pattern = dir.path().join("c%d.h5");
        let mut s = Hdf5Storage::create_family(&pattern, 4096, false).unwrap();
        let root = s.root();
        let spec = LeafSpec {
            dtype: DType::F64,
            shape: vec![4000],
            records: false,
            text_len: 0,
        };
        let x = s.create_leaf(root, "x", &spec).unwrap();
        let data = Array::F64(ndarray::ArrayD::from_elem(vec![4000], 1.5f64));
        s.write(x, &qnd_storage::Run::whole(&[4000]), &data)
            .unwrap();
        s.flush().unwrap();
        let members: Vec<(u64, u64)> = (0..)
            .map(|i| dir.path().join(format!("c{i}.h5")))
            .map_while(|m| std::fs::metadata(m).ok())
            .map(|m| (m.dev(), m.ino()))
            .collect();
        assert!(members.len() > 3, "{} members", members.len());
        let mut seen = 0;
        for entry in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
            let Ok(meta) = std::fs::metadata(entry.path()) else {
                continue;
            };
            if !members.contains(&(meta.dev(), meta.ino())) {
                continue;
            }
            let fd = entry.file_name().into_string().unwrap();
            let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).unwrap();
            let flags = info
                .lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .map(|f| u32::from_str_radix(f.trim(), 8).unwrap())
                .unwrap();
            assert_ne!(flags & 0o2000000, 0, "descriptor {fd} is not close-on-exec");
            seen += 1;
        }
        assert!(seen >= members.len(), "{seen} descriptors of {members:?}");
        s.close().unwrap();
    }

    #[test]
    fn the_size_hdf5_asks_for_is_read_from_its_refusal() {
        assert_eq!(
            size_named(
                "H5FD_family_sb_decode(): Family member size should be 65536.  But the size \
                 from file access property is 134217728"
            ),
            Some(65536)
        );
        assert_eq!(size_named("unable to open file"), None);
    }
}
