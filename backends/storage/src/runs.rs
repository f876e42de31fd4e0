//! Index runs: the hyperslab axes backends read and write.

/// One axis of a hyperslab: `count` indices from `start`, `stride` apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slab {
    /// First index.
    pub start: usize,
    /// Number of indices.
    pub count: usize,
    /// Distance between indices (at least 1).
    pub stride: usize,
}

impl Slab {
    /// The whole of an axis.
    pub fn all(len: usize) -> Slab {
        Slab {
            start: 0,
            count: len,
            stride: 1,
        }
    }

    /// One index.
    pub fn one(i: usize) -> Slab {
        Slab {
            start: i,
            count: 1,
            stride: 1,
        }
    }

    /// The indices of this axis.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.count).map(move |k| self.start + k * self.stride)
    }
}

