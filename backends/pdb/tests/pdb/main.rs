//! The integration tests of qnd-pdb, in one binary: every fixture against
//! Python qnd's JSON (`fixtures`), partial reads and speed (`reads`),
//! hostile files, refusals and read-only calls (`hostile`); `common` holds
//! the JSON maker and a small PDB-II file maker.

mod common;
mod fixtures;
mod hostile;
mod items;
mod reads;
mod snapshot;
mod write;
