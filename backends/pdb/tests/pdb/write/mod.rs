//! The tests of writing PDB files through [`qnd_pdb::PdbStorage`]: the
//! storage kit (`conformance`), Python qnd's files appended to
//! (`append`), what a kill leaves (`durability`), record blocks and
//! big-endian files (`layout`), and random trees (`props`).

mod append;
mod conformance;
mod durability;
mod family;
mod hostile;
mod layout;
mod props;
