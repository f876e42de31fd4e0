//! # qnd-pdb: PDB files for qnd, in pure Rust
//!
//! PDB ("Portable Database") is the format of LLNL's PDBLib, yorick, basis
//! and LLNL's rad-hydro codes. This crate reads PDB-II files as LLNL's
//! Python qnd writes and reads them (`shared/spec/pdb.md`), behind qnd's
//! storage contract ([`Storage`]), with no C library.
#![warn(missing_docs)]

pub mod snapshot;

use std::path::{Path, PathBuf};

use qnd_storage::{Capabilities, SResult, StorageError};

/// The first bytes of a PDB-II file (`!<<PDB:II>>!`); PDB-I files begin
/// `!<><PDB><>!`.
pub const MAGIC: &[u8] = b"!<<PDB:";

/// True when `head` (the first bytes of a file) is a PDB header of any
/// version qnd recognises (to refuse the ones it does not read by name).
pub fn is_pdb(head: &[u8]) -> bool {
    head.starts_with(MAGIC) || head.starts_with(b"!<><PDB><>!")
}

/// What a PDB file can hold.
pub const CAPABILITIES: Capabilities = Capabilities::ALL.without_links();

/// A PDB file (or family) open for reading.
pub struct PdbStorage {
    _members: Vec<PathBuf>,
}

impl PdbStorage {
    /// Open one PDB file read-only.
    ///
    /// # Errors
    /// [`StorageError`] when the file cannot be read or is not PDB-II.
    pub fn open(path: &Path) -> SResult<PdbStorage> {
        PdbStorage::open_family(&[path.to_path_buf()])
    }

    /// Open the members of a family, in order, read-only.
    ///
    /// # Errors
    /// [`StorageError`] when a member cannot be read or is not PDB-II.
    pub fn open_family(members: &[PathBuf]) -> SResult<PdbStorage> {
        let _ = members;
        Err(StorageError::Unsupported(
            "PDB reading is not written yet".into(),
        ))
    }
}
