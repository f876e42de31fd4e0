//! Format detection: the extension, then the first bytes.

use std::path::Path;

use super::Format;
use crate::error::{Error, Result};

pub(super) fn detect(path: &Path, create: bool) -> Result<Format> {
    if let Some(f) = Format::from_extension(path) {
        return Ok(f);
    }
    if create {
        return Ok(Format::Hdf5);
    }
    let (format, head) = sniff(path)?;
    format.ok_or_else(|| Error::Format {
        file: path.into(),
        found: format!("first bytes {:?}", String::from_utf8_lossy(&head)),
    })
}

/// The format of the family `pattern` (first member `first`): HDF5, from
/// `format` if given, else the extension, else (for an existing family)
/// the first member's bytes.
///
/// # Errors
/// [`Error::Format`] for netCDF (families are HDF5 and PDB only) and for
/// a first member that is neither; [`Error::Io`].
pub(super) fn family_format(
    pattern: &Path,
    first: &Path,
    format: Option<Format>,
    create: bool,
) -> Result<Format> {
    let format = match format.or_else(|| Format::from_extension(pattern)) {
        Some(f) => f,
        None if create => Format::Hdf5,
        None => detect(first, false)?,
    };
    match format {
        Format::Hdf5 | Format::Pdb => Ok(format),
        other => Err(Error::Format {
            file: pattern.into(),
            found: format!(
                "a file family (a name with %d) of {other} files: families are HDF5 or PDB \
                 (write %% for a literal % in a file name)"
            ),
        }),
    }
}

/// True when the file at `path` begins as a netCDF-3 file does (`CDF`).
pub(super) fn is_classic(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 3];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"CDF")
}

/// The format the file's bytes say, and its first (up to 16) bytes. An HDF5
/// signature may also stand at 512, 1024, 2048, ... (after a user block).
fn sniff(path: &Path) -> Result<(Option<Format>, Vec<u8>)> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |source| Error::Io {
        file: path.into(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    let mut head = Vec::with_capacity(16);
    (&mut f).take(16).read_to_end(&mut head).map_err(io)?;
    if let Some(format) = Format::from_magic(&head) {
        return Ok((Some(format), head));
    }
    let mut offset = 512u64;
    while offset + 8 <= len {
        let mut sig = [0u8; 8];
        f.seek(SeekFrom::Start(offset)).map_err(io)?;
        f.read_exact(&mut sig).map_err(io)?;
        if Format::from_magic(&sig) == Some(Format::Hdf5) {
            return Ok((Some(Format::Hdf5), head));
        }
        offset *= 2;
    }
    Ok((None, head))
}

/// Refuse a file whose bytes are not those of `format`, so that a stray
/// file gets a clear error instead of a library trace. A netCDF file may
/// begin with the HDF5 signature: netCDF-4 is HDF5 underneath.
#[cfg(feature = "hdf5")]
pub(super) fn check_magic(path: &Path, format: Format) -> Result<()> {
    let (found, head) = sniff(path)?;
    match (found, format) {
        (Some(f), _) if f == format => Ok(()),
        (Some(Format::Hdf5), Format::NetCdf) => Ok(()),
        (Some(f), _) => Err(Error::Format {
            file: path.into(),
            found: format!("a {f} file, not {format}"),
        }),
        (None, _) if head.is_empty() => Err(Error::Format {
            file: path.into(),
            found: format!("an empty file, not {format}"),
        }),
        (None, _) => Err(Error::Format {
            file: path.into(),
            found: format!(
                "no {format} signature (expected {}; the file starts {:?})",
                signatures(format),
                String::from_utf8_lossy(&head)
            ),
        }),
    }
}

/// The signatures a file of `format` may begin with, for messages.
#[cfg(feature = "hdf5")]
fn signatures(format: Format) -> &'static str {
    match format {
        Format::Hdf5 => r"\x89HDF\r\n\x1a\n",
        Format::NetCdf => r"CDF\x01, CDF\x02, CDF\x05 or HDF5's \x89HDF\r\n\x1a\n",
        Format::Pdb => "!<<PDB:",
    }
}
