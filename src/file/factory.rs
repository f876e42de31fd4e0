//! The backend factory: the one place in the tree that names a concrete
//! backend. Everything else sees [`Storage`](crate::backend::Storage) and
//! asks its capabilities.

use std::path::Path;

use qnd_storage::MemoryStorage;

use super::Format;
use crate::backend::{Capabilities, NcFormat};
use crate::error::{Error, Result};

qnd_storage::dispatch_storage! {
    /// Every backend built into this crate, dispatched with one `match`.
    pub(crate) enum AnyStorage {
        Memory(MemoryStorage),
        #[cfg(feature = "hdf5")]
        Hdf5(qnd_hdf5::Hdf5Storage),
        #[cfg(feature = "netcdf")]
        Netcdf(qnd_netcdf::NetcdfStorage),
    }
}

/// What a new file of `format` can hold, `None` when this build has no
/// backend for it.
#[allow(unused_variables)] // which arguments are used depends on the features
pub(super) fn capabilities(format: Format, netcdf: NcFormat) -> Option<Capabilities> {
    match format {
        #[cfg(feature = "hdf5")]
        Format::Hdf5 => Some(qnd_hdf5::CAPABILITIES),
        #[cfg(feature = "netcdf")]
        Format::NetCdf => Some(qnd_netcdf::capabilities(netcdf)),
        #[allow(unreachable_patterns)] // with every backend built in
        _ => None,
    }
}

#[allow(unused_variables)] // which arguments are used depends on the features
pub(super) fn open_storage(
    path: &Path,
    format: Format,
    create: bool,
    writable: bool,
    netcdf: NcFormat,
) -> Result<AnyStorage> {
    match format {
        #[cfg(feature = "hdf5")]
        Format::Hdf5 => create_or_open(
            path,
            Format::Hdf5,
            "hdf5",
            create,
            || qnd_hdf5::Hdf5Storage::create(path),
            || qnd_hdf5::Hdf5Storage::open(path, writable),
        ),
        #[cfg(feature = "netcdf")]
        Format::NetCdf => create_or_open(
            path,
            Format::NetCdf,
            "netcdf",
            create,
            || qnd_netcdf::NetcdfStorage::create(path, netcdf),
            || qnd_netcdf::NetcdfStorage::open(path, writable),
        ),
        #[allow(unreachable_patterns)] // with every backend built in
        other => Err(Error::Format {
            file: path.into(),
            found: format!("a {other} file, which this build of qnd cannot open"),
        }),
    }
}

/// The storage `make` creates (with `create`) or `open` opens at `path`,
/// a file of `format` (checked by its first bytes before opening); errors
/// name the file and `backend`.
#[cfg(feature = "hdf5")]
fn create_or_open<S: Into<AnyStorage>>(
    path: &Path,
    format: Format,
    backend: &'static str,
    create: bool,
    make: impl FnOnce() -> qnd_storage::SResult<S>,
    open: impl FnOnce() -> qnd_storage::SResult<S>,
) -> Result<AnyStorage> {
    let at = crate::error::Where::new(path, backend, "/");
    let s = if create {
        make()
    } else {
        super::detect::check_magic(path, format)?;
        open()
    };
    s.map(Into::into).map_err(|e| at.storage(e))
}
