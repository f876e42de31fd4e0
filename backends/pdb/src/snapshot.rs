//! Writing a whole tree into a new PDB-II file at once.
