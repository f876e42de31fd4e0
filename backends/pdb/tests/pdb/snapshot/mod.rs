//! The tests of the snapshot writer (`qnd_pdb::snapshot`), in one binary:
//! Python qnd's bytes for the fixture trees rebuilt in memory (`bytes`);
//! round trips through the storage kit's read part, refusals and failures
//! (`roundtrip`); Python qnd's files read and written again (`resnapshot`);
//! any tree round-tripping (`props`). `pdbparse` is a small PDB-II parser
//! of the tests' own, to compare files and read them without the crate's
//! reader.

mod bytes;
pub mod pdbparse;
mod props;
mod resnapshot;
mod roundtrip;
