//! What a backend can hold: the tree, `store` and the command line ask
//! [`Capabilities`], never a backend's name.

use crate::DType;

/// A set of element types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DTypeSet(u16);

impl DTypeSet {
    /// Every element type.
    pub const ALL: DTypeSet = DTypeSet((1 << DType::ALL.len()) - 1);

    /// The set of `dtypes`.
    pub const fn of(dtypes: &[DType]) -> DTypeSet {
        let mut bits = 0;
        let mut k = 0;
        while k < dtypes.len() {
            bits |= 1 << dtypes[k] as u16;
            k += 1;
        }
        DTypeSet(bits)
    }

    /// This set less `dtypes`.
    pub const fn without(self, dtypes: &[DType]) -> DTypeSet {
        DTypeSet(self.0 & !DTypeSet::of(dtypes).0)
    }

    /// Whether `dtype` is in the set.
    pub const fn contains(self, dtype: DType) -> bool {
        self.0 & (1 << dtype as u16) != 0
    }
}

/// Where record variables get their record (unlimited) dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordDims {
    /// Each record variable grows on its own (HDF5, memory).
    PerVariable,
    /// Record variables of one group share its record dimension (netCDF-4).
    PerGroup,
    /// One record dimension for the whole file (netCDF-3).
    PerFile,
}

/// What a backend can hold. Backends build theirs from
/// [`Capabilities::ALL`] with `..`, so a field added here is the contract's
/// default until a backend says otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Capabilities {
    /// Groups below the root (and so lists, which are stored as groups).
    pub groups: bool,
    /// Element types of leaves and record variables.
    pub leaf_dtypes: DTypeSet,
    /// Element types of attributes.
    pub attr_dtypes: DTypeSet,
    /// Whether a text attribute may be an array of strings (else one
    /// string only).
    pub text_attr_arrays: bool,
    /// The most axes an attribute may have (`usize::MAX`: any).
    pub attr_rank: usize,
    /// Virtual datasets ([`Storage::create_virtual`](crate::Storage::create_virtual)).
    pub virtual_datasets: bool,
    /// Where record variables get their record dimension.
    pub record_dims: RecordDims,
    /// Members can be deleted ([`Storage::remove`](crate::Storage::remove)).
    pub remove: bool,
    /// Hard links ([`Storage::link`](crate::Storage::link)): one object
    /// under two names, stored once.
    pub hard_links: bool,
    /// Soft links ([`Storage::soft_link`](crate::Storage::soft_link)).
    pub soft_links: bool,
    /// External links to objects of other files
    /// ([`Storage::external_link`](crate::Storage::external_link)).
    pub external_links: bool,
}

impl Capabilities {
    /// Everything the storage contract has (the in-memory backend).
    pub const ALL: Capabilities = Capabilities {
        groups: true,
        leaf_dtypes: DTypeSet::ALL,
        attr_dtypes: DTypeSet::ALL,
        text_attr_arrays: true,
        attr_rank: usize::MAX,
        virtual_datasets: false,
        record_dims: RecordDims::PerVariable,
        remove: true,
        hard_links: true,
        soft_links: true,
        external_links: false,
    };

    /// `self` with no links and no removal (a format that has neither).
    pub const fn without_links(self) -> Capabilities {
        Capabilities {
            remove: false,
            hard_links: false,
            soft_links: false,
            external_links: false,
            ..self
        }
    }

    /// Whether every tree qnd makes can be stored: groups, every element
    /// type in leaves and attributes, attributes of any shape.
    pub fn holds_every_tree(&self) -> bool {
        self.groups
            && self.leaf_dtypes == DTypeSet::ALL
            && self.attr_dtypes == DTypeSet::ALL
            && self.text_attr_arrays
            && self.attr_rank == usize::MAX
    }

    /// Whether a leaf or record variable of `dtype` can be stored.
    pub fn holds_leaf(&self, dtype: DType) -> bool {
        self.leaf_dtypes.contains(dtype)
    }

    /// Whether an attribute of `dtype` with `shape` can be stored.
    pub fn holds_attr(&self, dtype: DType, shape: &[usize]) -> bool {
        self.attr_dtypes.contains(dtype)
            && shape.len() <= self.attr_rank
            && (dtype != DType::Str || shape.is_empty() || self.text_attr_arrays)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_hold_what_they_are_made_of() {
        let s = DTypeSet::ALL.without(&[DType::U8, DType::I64]);
        for d in DType::ALL {
            assert_eq!(s.contains(d), d != DType::U8 && d != DType::I64, "{d}");
            assert!(DTypeSet::ALL.contains(d));
            assert!(DTypeSet::of(&[d]).contains(d));
        }
        assert!(!DTypeSet::of(&[]).contains(DType::F64));
    }

    #[test]
    fn text_attribute_arrays_are_a_capability() {
        let mut c = Capabilities::ALL;
        assert!(c.holds_attr(DType::Str, &[2]));
        c.text_attr_arrays = false;
        assert!(c.holds_attr(DType::Str, &[]));
        assert!(!c.holds_attr(DType::Str, &[2]));
        assert!(c.holds_attr(DType::F64, &[2]));
        assert!(c.holds_attr(DType::F64, &[2, 3]));
        assert!(!c.holds_every_tree());
        assert!(Capabilities::ALL.holds_every_tree());
        c.attr_rank = 1;
        assert!(!c.holds_attr(DType::F64, &[2, 3]));
    }
}
