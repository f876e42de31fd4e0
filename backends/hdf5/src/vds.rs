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
use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};

use hdf5::{Dataset, Datatype, File, Group};
use hdf5_sys::h5::hsize_t;
use hdf5_sys::h5i::hid_t;

use super::raw::vds::{self as raw_vds, Mappings, NewMappings};
use super::raw::{self, Hid, Plists, Space};
use super::types;
use qnd_storage::{DType, Run, SResult, StorageError, VirtualMap};

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

    /// Whether HDF5 opens sources read-write when reading.
    fn intent(&self) -> bool {
        self.writable
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

/// Opens HDF5 file `path`, read-write or read-only.
fn open_file(path: &Path, writable: bool) -> SResult<Hid> {
    raw_vds::open_file(&c_path(path)?, writable)
}

/// Finds source file `name` as HDF5 will and opens it, read-write or
/// read-only; the error says why it cannot be, listing where it was looked
/// for.
fn find(name: &str, place: &Place, writable: bool) -> Result<Found, String> {
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
        match open_file(path, writable) {
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
        let how = if writable {
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
    raw_vds::open_dataset(loc, &raw::c_name(name)?)
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
    maps: Mappings,
    placed: OnceCell<Vec<Placed>>,
    details: Vec<OnceCell<Detail>>,
}

impl Sources {
    /// Where every mapping lies.
    fn placed(&self) -> SResult<&[Placed]> {
        if let Some(p) = self.placed.get() {
            return Ok(p);
        }
        let mut placed = Vec::with_capacity(self.maps.count());
        for i in 0..self.maps.count() {
            let vspace = self.maps.vspace(i)?;
            placed.push(Placed {
                bounds: raw::select_bounds(&vspace),
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
        let source = self.maps.source(i)?;
        let src_rank = if raw_vds::selects_all(&source.srcspace) {
            None
        } else {
            raw_vds::rank(&source.srcspace)
        };
        let detail = Detail {
            file: source.file,
            dataset: source.dataset,
            src_rank,
            src_end: src_rank.and_then(|_| raw::select_bounds(&source.srcspace).map(|(_, hi)| hi)),
        };
        Ok(self.details[i].get_or_init(|| detail))
    }
}

/// The mappings of `ds` when it is a virtual dataset.
///
/// # Errors
/// When the library cannot read its creation property list.
pub(super) fn sources_of(ds: &Dataset) -> SResult<Option<Sources>> {
    Ok(Mappings::of(ds)?.map(|maps| Sources {
        details: (0..maps.count()).map(|_| OnceCell::new()).collect(),
        maps,
        placed: OnceCell::new(),
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
    // `m.vspace` has the dataset's rank, one axis per slab entry; when the
    // library cannot tell, check the source anyway.
    raw::selection_meets(&m.vspace, slab).unwrap_or(true)
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
        let dims = raw_vds::source_space(&ds)?.dims();
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
    name: &CStr,
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
            let found = find(given, place, false).map_err(|why| {
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
            let dims = match raw_vds::source_space(&ds)? {
                Space::Simple { dims, .. } => dims,
                _ => {
                    return unsupported(format!(
                        "{what}: the source is not an array (scalar or empty dataspace)"
                    ))
                }
            };
            let ftype = raw_vds::source_type(&ds)?;
            let got = types::elem(&ftype)?.dtype;
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
    let same = types_seen.all(|t| raw_vds::same_type(first, t));
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
    let mut dcpl = NewMappings::new()?;
    for m in &maps {
        let (stored, _) = &files[m.file.as_path()];
        let info = &infos[&(stored.clone(), m.dataset.clone())];
        let vspace = raw::slab_space(shape, &m.dest)?;
        let srcspace = raw::slab_space(&info.dims, &m.src)?;
        let f = raw::c_name(stored)?;
        let d = raw::c_name(&m.dataset)?;
        dcpl.add(&vspace, &f, &d, &srcspace)?;
    }
    drop(files);
    dcpl.create(parent, name, ftype, shape, pl)
}
