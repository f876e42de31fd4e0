//! HDF5 virtual datasets: creating them from [`VirtualMap`]s, and checking
//! their sources before every read and write.
//!
//! # Creating
//!
//! [`create`] makes a dataset whose dataset creation property list holds
//! one `H5Pset_virtual` mapping per [`VirtualMap`]: the `dest` hyperslab
//! of the virtual dataspace shows the `src` hyperslab of the source
//! dataset, in a source dataspace of that dataset's shape. Each source is
//! opened read-only with HDF5 to learn its shape and type, found the way
//! HDF5 finds it when reading (see below). A source that turns out to be
//! the file holding the virtual dataset is stored with the file name `.`,
//! so the file can be moved; other file names are stored as given.
//!
//! # Reading
//!
//! HDF5 reads fill values, silently, where a source file is missing or
//! cannot be opened. The backend does not let that happen: before each
//! read or write of a virtual dataset it finds every source the hyperslab
//! touches, as HDF5 will, opens it with the access HDF5 will use (the
//! access of the file holding the virtual dataset: read-write for a file
//! open for writing), checks that it holds the source dataset and that the
//! source selection lies inside it, and keeps the source files open until
//! the read is done (HDF5 then uses those same open files). Any failure is
//! an error naming the source file; a read touching only sources that are
//! there succeeds. Looking a virtual dataset up never fails for its
//! sources, so `ls` shows it whatever state its sources are in.
//!
//! Where HDF5 looks for a source file named `name` (HDF5 1.10's
//! `H5F_prefix_open_file`; the first that opens wins):
//!
//! 1. `.` is the file holding the virtual dataset;
//! 2. an absolute `name` as it is; if that fails, only its last component
//!    is used below;
//! 3. each prefix of the environment variable `HDF5_VDS_PREFIX` (`:`
//!    separated; `${ORIGIN}` is the virtual dataset's file's directory);
//! 4. the directory of the virtual dataset's file (as it was named when
//!    opened, made absolute);
//! 5. the name relative to the working directory;
//! 6. the directory of the virtual dataset's file with symbolic links
//!    resolved.
//!
//! Mappings whose file or dataset names are printf-style patterns (`%b`,
//! for unlimited virtual datasets made elsewhere) are not checked.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::ffi::{c_char, c_uint, CString};
use std::path::{Path, PathBuf};
use std::ptr;

use hdf5::{Dataset, Datatype, File, Group};
use hdf5_sys::h5::hsize_t;
use hdf5_sys::h5d::{
    H5D_layout_t, H5Dclose, H5Dget_create_plist, H5Dget_space, H5Dget_type, H5Dopen2,
};
use hdf5_sys::h5f::{H5Fclose, H5Fopen, H5F_ACC_RDONLY, H5F_ACC_RDWR};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5p::{
    H5Pclose, H5Pcreate, H5Pget_layout, H5Pget_virtual_count, H5Pget_virtual_dsetname,
    H5Pget_virtual_filename, H5Pget_virtual_srcspace, H5Pget_virtual_vspace,
    H5Pset_attr_creation_order, H5Pset_virtual, H5P_DEFAULT,
};
use hdf5_sys::h5s::{
    H5S_sel_type, H5S_seloper_t, H5Sclose, H5Scopy, H5Sget_select_bounds, H5Sget_select_npoints,
    H5Sget_select_type, H5Sget_simple_extent_ndims,
};
use hdf5_sys::h5t::H5Tequal;

use super::raw::{self, ck, ck_id, lib, locked, Hid, Plists, Space};
use super::types;
use qnd_storage::{SResult, Run, VirtualMap};
use qnd_storage::StorageError;
use qnd_storage::DType;

/// Where the file holding virtual datasets is, for finding their sources
/// as HDF5 does.
pub(super) struct Place {
    /// The directory of the file as named when opened, made absolute
    /// (HDF5's "extpath").
    extpath: Option<PathBuf>,
    /// The file with symbolic links resolved.
    actual: Option<PathBuf>,
    /// Whether the file is open for writing: HDF5 opens the sources of its
    /// virtual datasets with the same access.
    writable: bool,
}

impl Place {
    /// The place of the file `path`, open read-only or read-write.
    pub(super) fn new(path: &Path, writable: bool) -> Place {
        let extpath = std::path::absolute(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        Place {
            extpath,
            actual: path.canonicalize().ok(),
            writable,
        }
    }

    /// True when `path` is this file.
    fn is_this(&self, path: &Path) -> bool {
        self.actual.is_some() && path.canonicalize().ok() == self.actual
    }

    /// The flags HDF5 opens sources with when reading.
    fn intent(&self) -> c_uint {
        if self.writable {
            H5F_ACC_RDWR
        } else {
            H5F_ACC_RDONLY
        }
    }
}

// ------------------------------------------------------------ finding sources

/// A source file found.
enum Found {
    /// The file holding the virtual dataset.
    This,
    /// Another file, open.
    Other { file: Hid, path: PathBuf },
}

impl Found {
    /// The identifier to open the source dataset from.
    fn loc(&self, this: hid_t) -> hid_t {
        match self {
            Found::This => this,
            Found::Other { file, .. } => file.id(),
        }
    }

    /// The file, for messages.
    fn describe(&self, name: &str) -> String {
        match self {
            Found::This => format!("{name:?} (this file)"),
            Found::Other { path, .. } if path.as_os_str() == name => format!("{name:?}"),
            Found::Other { path, .. } => format!("{name:?} (found as {})", path.display()),
        }
    }
}

/// `prefix` with a leading `${ORIGIN}` replaced by the file's directory.
fn expand_origin(prefix: &Path, place: &Place) -> PathBuf {
    match (prefix.to_str(), &place.extpath) {
        (Some(p), Some(dir)) if p.starts_with("${ORIGIN}") => {
            let rest = p["${ORIGIN}".len()..].trim_start_matches('/');
            dir.join(rest)
        }
        _ => prefix.to_path_buf(),
    }
}

/// Where HDF5 looks for source file `name`, in order (see the module
/// docs); `name` is not `.`.
fn candidates(name: &str, place: &Place) -> Vec<PathBuf> {
    let path = Path::new(name);
    let mut out = Vec::new();
    let temp = if path.is_absolute() {
        out.push(path.to_path_buf());
        path.file_name()
            .map_or_else(|| path.to_path_buf(), PathBuf::from)
    } else {
        path.to_path_buf()
    };
    if let Some(env) = std::env::var_os("HDF5_VDS_PREFIX") {
        for prefix in std::env::split_paths(&env) {
            if !prefix.as_os_str().is_empty() {
                out.push(expand_origin(&prefix, place).join(&temp));
            }
        }
    }
    if let Some(dir) = &place.extpath {
        out.push(dir.join(&temp));
    }
    out.push(temp.clone());
    if let Some(dir) = place.actual.as_deref().and_then(Path::parent) {
        out.push(dir.join(&temp));
    }
    let mut seen = Vec::new();
    out.retain(|p| {
        let new = !seen.contains(p);
        seen.push(p.clone());
        new
    });
    out
}

/// A path as a C string.
fn c_path(path: &Path) -> SResult<CString> {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = path
        .to_str()
        .ok_or_else(|| StorageError::Unsupported(format!("{} is not UTF-8", path.display())))?
        .as_bytes()
        .to_vec();
    CString::new(bytes).map_err(|_| {
        StorageError::Unsupported(format!("file name {} holds a NUL byte", path.display()))
    })
}

/// Opens HDF5 file `path` with `flags`.
fn open_file(path: &Path, flags: c_uint) -> SResult<Hid> {
    let c = c_path(path)?;
    // SAFETY: a NUL-terminated name and the default access list.
    let file = locked(|| Hid::new(unsafe { H5Fopen(c.as_ptr(), flags, H5P_DEFAULT) }, H5Fclose))?;
    // as every file this backend opens: never inherited by a child process
    super::raw::close_on_exec(file.id());
    Ok(file)
}

/// Finds source file `name` as HDF5 will and opens it with `flags`; the
/// error says why it cannot be, listing where it was looked for.
fn find(name: &str, place: &Place, flags: c_uint) -> Result<Found, String> {
    if name == "." {
        return Ok(Found::This);
    }
    let tried = candidates(name, place);
    let mut failures = Vec::new();
    for path in &tried {
        if !path.exists() {
            continue;
        }
        if place.is_this(path) {
            return Ok(Found::This);
        }
        match open_file(path, flags) {
            Ok(file) => {
                return Ok(Found::Other {
                    file,
                    path: path.clone(),
                })
            }
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    if failures.is_empty() {
        let list: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
        Err(format!("no such file (looked for {})", list.join(", ")))
    } else {
        let how = if flags == H5F_ACC_RDWR {
            " read-write (HDF5 opens the sources of a virtual dataset in a file open \
             for writing read-write; open the file read-only to read them)"
        } else {
            ""
        };
        Err(format!(
            "cannot be opened as an HDF5 file{how}: {}",
            failures.join("; ")
        ))
    }
}

/// Opens dataset `name` from location `loc`.
fn open_dataset(loc: hid_t, name: &str) -> SResult<Hid> {
    let c = raw::c_name(name)?;
    // SAFETY: a valid location and a NUL-terminated name.
    locked(|| Hid::new(unsafe { H5Dopen2(loc, c.as_ptr(), H5P_DEFAULT) }, H5Dclose))
}

/// The dataspace of an open dataset.
fn dataset_dims(ds: &Hid) -> SResult<Space> {
    // SAFETY: `ds` is an open dataset.
    let space = locked(|| Hid::new(unsafe { H5Dget_space(ds.id()) }, H5Sclose))?;
    raw::space_of(&space)
}

// ------------------------------------------------------------ reading

/// Where one mapping of a virtual dataset lies in it.
struct Placed {
    /// The selection of the virtual dataspace it fills.
    vspace: Hid,
    /// The bounds of `vspace`'s selection (first and last index per
    /// axis), when known.
    bounds: Option<(Vec<hsize_t>, Vec<hsize_t>)>,
}

/// The source of one mapping of a virtual dataset.
struct Detail {
    /// The source file name as stored (`.` for the same file).
    file: String,
    /// The source dataset name.
    dataset: String,
    /// The rank of the source dataspace, when known (not for a selection
    /// of all of the source, whose extent HDF5 learns from the source).
    src_rank: Option<usize>,
    /// The last index of the source selection per axis, when known.
    src_end: Option<Vec<hsize_t>>,
}

/// The mappings of a virtual dataset. Only its creation property list is
/// read when it is looked up; where each mapping lies is read at the first
/// read or write, and a mapping's source when a read first touches it.
pub(super) struct Sources {
    dcpl: Hid,
    count: usize,
    placed: OnceCell<Vec<Placed>>,
    details: Vec<OnceCell<Detail>>,
}

impl Sources {
    /// Where every mapping lies.
    fn placed(&self) -> SResult<&[Placed]> {
        if let Some(p) = self.placed.get() {
            return Ok(p);
        }
        let mut placed = Vec::with_capacity(self.count);
        for i in 0..self.count {
            // SAFETY: `i` is below the mapping count; the new identifier
            // is owned by the `Hid`.
            let vspace = locked(|| {
                Hid::new(
                    unsafe { H5Pget_virtual_vspace(self.dcpl.id(), i) },
                    H5Sclose,
                )
            })?;
            placed.push(Placed {
                bounds: select_bounds(&vspace),
                vspace,
            });
        }
        Ok(self.placed.get_or_init(|| placed))
    }

    /// The source of mapping `i`.
    fn detail(&self, i: usize) -> SResult<&Detail> {
        if let Some(d) = self.details[i].get() {
            return Ok(d);
        }
        let dcpl = self.dcpl.id();
        // SAFETY: `i` is below the mapping count; each call returns a new
        // identifier owned by the `Hid`, or writes at most `size` bytes.
        let (srcspace, file, dataset) = locked(|| unsafe {
            let srcspace = Hid::new(H5Pget_virtual_srcspace(dcpl, i), H5Sclose)?;
            let file = get_string(|b, n| H5Pget_virtual_filename(dcpl, i, b, n))?;
            let dataset = get_string(|b, n| H5Pget_virtual_dsetname(dcpl, i, b, n))?;
            SResult::Ok((srcspace, file, dataset))
        })?;
        // SAFETY: `srcspace` is a dataspace.
        let (all, src_rank) = locked(|| unsafe {
            (
                H5Sget_select_type(srcspace.id()) == H5S_sel_type::H5S_SEL_ALL,
                H5Sget_simple_extent_ndims(srcspace.id()),
            )
        });
        let known = !all && src_rank >= 0;
        let detail = Detail {
            file,
            dataset,
            src_rank: known.then_some(src_rank as usize),
            src_end: known
                .then(|| select_bounds(&srcspace).map(|(_, hi)| hi))
                .flatten(),
        };
        Ok(self.details[i].get_or_init(|| detail))
    }
}

/// A string the library writes into a buffer: asked once for its length.
fn get_string(f: impl Fn(*mut c_char, usize) -> isize) -> SResult<String> {
    let n = f(ptr::null_mut(), 0);
    if n < 0 {
        return Err(StorageError::Layout(
            "cannot read a virtual dataset mapping's name".into(),
        ));
    }
    let mut buf = vec![0u8; n as usize + 1];
    let m = f(buf.as_mut_ptr().cast(), buf.len());
    if m < 0 {
        return Err(StorageError::Layout(
            "cannot read a virtual dataset mapping's name".into(),
        ));
    }
    buf.truncate(m as usize);
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// The first and last index per axis of a dataspace's selection.
fn select_bounds(space: &Hid) -> Option<(Vec<hsize_t>, Vec<hsize_t>)> {
    locked(|| {
        // SAFETY: `space` is a dataspace; the buffers hold its rank.
        unsafe {
            let n = H5Sget_simple_extent_ndims(space.id());
            if n < 0 {
                return None;
            }
            let mut lo = vec![0 as hsize_t; n as usize];
            let mut hi = vec![0 as hsize_t; n as usize];
            (H5Sget_select_bounds(space.id(), lo.as_mut_ptr(), hi.as_mut_ptr()) >= 0)
                .then_some((lo, hi))
        }
    })
}

/// The mappings of `ds` when it is a virtual dataset.
///
/// # Errors
/// When the library cannot read its creation property list.
pub(super) fn sources_of(ds: &Dataset) -> SResult<Option<Sources>> {
    // SAFETY: `ds` is an open dataset.
    let dcpl = locked(|| Hid::new(unsafe { H5Dget_create_plist(ds.id()) }, H5Pclose))?;
    // SAFETY: `dcpl` is a dataset creation property list.
    let layout = locked(|| unsafe { H5Pget_layout(dcpl.id()) });
    if layout != H5D_layout_t::H5D_VIRTUAL {
        return Ok(None);
    }
    let mut count = 0usize;
    // SAFETY: as above.
    locked(|| ck(unsafe { H5Pget_virtual_count(dcpl.id(), &mut count) }))?;
    Ok(Some(Sources {
        dcpl,
        count,
        placed: OnceCell::new(),
        details: (0..count).map(|_| OnceCell::new()).collect(),
    }))
}

/// True when the hyperslab `slab` meets the selection of mapping `m`.
fn touches(m: &Placed, slab: &[Run]) -> bool {
    if slab.is_empty() {
        return true;
    }
    if let Some((lo, hi)) = &m.bounds {
        if lo.len() == slab.len() {
            let apart = slab.iter().zip(lo.iter().zip(hi)).any(|(s, (&l, &h))| {
                let first = s.first as hsize_t;
                let last = (s.first + s.count.saturating_sub(1) * s.stride()) as hsize_t;
                last < l || first > h
            });
            if apart {
                return false;
            }
        }
    }
    // Exactly: intersect a copy of the mapping's selection with the slab.
    // SAFETY: `m.vspace` is a dataspace.
    let Ok(copy) = locked(|| Hid::new(unsafe { H5Scopy(m.vspace.id()) }, H5Sclose)) else {
        return true;
    };
    // `m.vspace` has the dataset's rank, one axis per slab entry; when the
    // library cannot tell, check the source anyway
    if raw::select_slab(&copy, slab, H5S_seloper_t::H5S_SELECT_AND).is_err() {
        return true;
    }
    // SAFETY: `copy` is a dataspace.
    locked(|| unsafe { H5Sget_select_npoints(copy.id()) }) != 0
}

/// True for a printf-style source name (unlimited virtual datasets).
fn is_pattern(name: &str) -> bool {
    name.contains('%')
}

/// Source files held open across a read or write of a virtual dataset.
pub(super) struct Held {
    _files: Vec<Hid>,
}

/// Checks every source that hyperslab `slab` of the virtual dataset with
/// `sources` touches (see the module docs), and returns the source files,
/// open, to keep open until the read or write is done.
///
/// # Errors
/// [`StorageError::Unsupported`] naming the source file (as stored and
/// where it was looked for) when it is missing, cannot be opened with the
/// access HDF5 will use, lacks the source dataset or is too small for its
/// selection.
pub(super) fn check(sources: &Sources, slab: &[Run], place: &Place, this: &File) -> SResult<Held> {
    let flags = place.intent();
    let mut found: HashMap<&str, Found> = HashMap::new();
    let mut checked: Vec<(&str, &str, Option<&[hsize_t]>)> = Vec::new();
    for (i, p) in sources.placed()?.iter().enumerate() {
        if !touches(p, slab) {
            continue;
        }
        let m = sources.detail(i)?;
        if is_pattern(&m.file) || is_pattern(&m.dataset) {
            continue;
        }
        if !found.contains_key(m.file.as_str()) {
            let f = find(&m.file, place, flags).map_err(|why| {
                StorageError::Unsupported(format!(
                    "virtual dataset source file {:?} (dataset {}) is missing or unreadable: {why}",
                    m.file, m.dataset
                ))
            })?;
            found.insert(&m.file, f);
        }
        let f = &found[m.file.as_str()];
        let key = (m.file.as_str(), m.dataset.as_str(), m.src_end.as_deref());
        if checked.contains(&key) {
            continue;
        }
        let ds = open_dataset(f.loc(this.id()), &m.dataset).map_err(|e| {
            StorageError::Unsupported(format!(
                "virtual dataset source file {} has no dataset {}: {e}",
                f.describe(&m.file),
                m.dataset
            ))
        })?;
        let dims = dataset_dims(&ds)?.dims();
        let fits = m.src_rank.is_none_or(|r| r == dims.len())
            && m.src_end.as_ref().is_none_or(|end| {
                end.len() == dims.len() && end.iter().zip(&dims).all(|(&e, &d)| (e as usize) < d)
            });
        if !fits {
            return Err(StorageError::Unsupported(format!(
                "virtual dataset source {}:{} has shape {dims:?}, too small for its mapping",
                f.describe(&m.file),
                m.dataset
            )));
        }
        checked.push(key);
    }
    let files = found
        .into_values()
        .filter_map(|f| match f {
            Found::Other { file, .. } => Some(file),
            Found::This => None,
        })
        .collect();
    Ok(Held { _files: files })
}

// ------------------------------------------------------------ creating

/// What a source dataset is.
struct SourceInfo {
    dims: Vec<usize>,
    ftype: Datatype,
}

/// A hyperslab selection `slab` of a new dataspace of shape `dims`.
fn slab_space(dims: &[usize], slab: &[Run]) -> SResult<Hid> {
    let space = raw::new_space(dims, None)?;
    raw::select_slab(&space, slab, H5S_seloper_t::H5S_SELECT_SET)?;
    Ok(space)
}

/// Checks that `slab` has one entry per axis of `dims` and lies inside.
fn check_slab(slab: &[Run], dims: &[usize], what: &str) -> SResult<()> {
    if slab.len() != dims.len() {
        return Err(StorageError::Unsupported(format!(
            "{what}: {} slab axes for shape {dims:?}",
            slab.len()
        )));
    }
    for (axis, (s, &d)) in slab.iter().zip(dims).enumerate() {
        let last = s
            .count
            .checked_sub(1)
            .and_then(|k| k.checked_mul(s.stride()))
            .and_then(|k| k.checked_add(s.first));
        if s.count > 0 && last.is_none_or(|l| l >= d) {
            return Err(StorageError::Unsupported(format!(
                "{what}: {s:?} outside axis {axis} of length {d}"
            )));
        }
    }
    Ok(())
}

/// Creates virtual dataset `name` in `parent` (of the file `this`, at
/// `place`) of `dtype` and `shape` from `maps` (see the module docs).
///
/// # Errors
/// [`StorageError::Unsupported`] for a shape with no elements or no
/// dimensions, no mappings, a mapping that does not fit, a source file
/// that cannot be found or opened, a source dataset that is missing or of
/// another dtype, text sources of different string types; library errors.
#[allow(clippy::too_many_arguments)]
pub(super) fn create(
    parent: &Group,
    name: &std::ffi::CStr,
    dtype: DType,
    shape: &[usize],
    maps: &[VirtualMap],
    place: &Place,
    this: &File,
    pl: &Plists,
) -> SResult<Dataset> {
    let unsupported = |m: String| Err(StorageError::Unsupported(m));
    if shape.is_empty() {
        return unsupported("a virtual dataset needs at least one dimension".into());
    }
    if shape.contains(&0) {
        return unsupported(format!(
            "a virtual dataset of shape {shape:?} would have no elements"
        ));
    }
    let maps: Vec<&VirtualMap> = maps
        .iter()
        .filter(|m| m.dest.iter().all(|s| s.count > 0))
        .collect();
    if maps.is_empty() {
        return unsupported("a virtual dataset needs at least one mapping".into());
    }
    // Find each source file once, read-only, as HDF5 will find it.
    let mut files: HashMap<&Path, (String, Found)> = HashMap::new();
    let mut infos: HashMap<(String, String), SourceInfo> = HashMap::new();
    for (i, m) in maps.iter().enumerate() {
        let what = format!("mapping {i} ({}:{})", m.file.display(), m.dataset);
        check_slab(&m.dest, shape, &what)?;
        let n_dest: usize = m.dest.iter().map(|s| s.count).product();
        let n_src: usize = m.src.iter().map(|s| s.count).product();
        if n_dest != n_src {
            return unsupported(format!(
                "{what}: {n_dest} elements in the virtual dataset for {n_src} of the source"
            ));
        }
        if !files.contains_key(m.file.as_path()) {
            let given = m.file.to_str().ok_or_else(|| {
                StorageError::Unsupported(format!(
                    "source file name {} is not UTF-8",
                    m.file.display()
                ))
            })?;
            let found = find(given, place, H5F_ACC_RDONLY).map_err(|why| {
                StorageError::Unsupported(format!(
                    "virtual dataset source file {}: {why}",
                    m.file.display()
                ))
            })?;
            let stored = match found {
                Found::This => ".".to_string(),
                Found::Other { .. } => given.to_string(),
            };
            files.insert(m.file.as_path(), (stored, found));
        }
        let (stored, found) = &files[m.file.as_path()];
        let key = (stored.clone(), m.dataset.clone());
        if !infos.contains_key(&key) {
            let ds = open_dataset(found.loc(this.id()), &m.dataset).map_err(|e| {
                StorageError::Unsupported(format!(
                    "virtual dataset source file {} has no dataset {}: {e}",
                    m.file.display(),
                    m.dataset
                ))
            })?;
            let dims = match dataset_dims(&ds)? {
                Space::Simple { dims, .. } => dims,
                _ => {
                    return unsupported(format!(
                        "{what}: the source is not an array (scalar or empty dataspace)"
                    ))
                }
            };
            // SAFETY: `ds` is an open dataset; the new identifier is handed
            // to the `Datatype` that owns it.
            let ftype = locked(|| unsafe {
                let id = ck_id(H5Dget_type(ds.id()))?;
                hdf5::from_id::<Datatype>(id).map_err(lib)
            })?;
            let got = types::classify(&ftype)?.dtype;
            if got != dtype {
                return unsupported(format!(
                    "{what}: the source holds {}, not {}",
                    got.code(),
                    dtype.code()
                ));
            }
            infos.insert(key.clone(), SourceInfo { dims, ftype });
        }
        check_slab(&m.src, &infos[&key].dims, &what)?;
    }
    // The stored type: the sources' own when they all agree.
    let mut types_seen = infos.values().map(|s| &s.ftype);
    let first = types_seen.next().expect("at least one mapping");
    let same = types_seen.all(|t| {
        // SAFETY: both are valid datatypes.
        locked(|| unsafe { H5Tequal(first.id(), t.id()) }) > 0
    });
    let own;
    let ftype = if same {
        first
    } else if dtype == DType::Str {
        return unsupported("text sources of different string types".into());
    } else {
        own = types::file_type(dtype, 1)?;
        &own
    };
    // One H5Pset_virtual per mapping.
    use hdf5::globals::H5P_DATASET_CREATE;
    // SAFETY: creates a property list of the dataset creation class.
    let dcpl = locked(|| Hid::new(unsafe { H5Pcreate(*H5P_DATASET_CREATE) }, H5Pclose))?;
    // SAFETY: `dcpl` is a dataset creation property list.
    locked(|| ck(unsafe { H5Pset_attr_creation_order(dcpl.id(), raw::ORDER) }))?;
    for m in &maps {
        let (stored, _) = &files[m.file.as_path()];
        let info = &infos[&(stored.clone(), m.dataset.clone())];
        let vspace = slab_space(shape, &m.dest)?;
        let srcspace = slab_space(&info.dims, &m.src)?;
        let f = raw::c_name(stored)?;
        let d = raw::c_name(&m.dataset)?;
        // SAFETY: valid identifiers and NUL-terminated names.
        locked(|| unsafe {
            ck(H5Pset_virtual(
                dcpl.id(),
                vspace.id(),
                f.as_ptr(),
                d.as_ptr(),
                srcspace.id(),
            ))
        })?;
    }
    drop(files);
    raw::create_dataset_with(parent, name, ftype, shape, &dcpl, pl)
}
