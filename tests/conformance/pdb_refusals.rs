//! The cases PDB files refuse, each with the text of its refusal (see
//! [`run`](crate::run)).

/// `(case, text)`: the case fails with a message holding `text`.
pub const REFUSED: &[(&str, &str)] = &[];
