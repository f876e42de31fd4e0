//! Index runs: the one type for a run of indices along one axis, shared by
//! selections, lazy arrays and backends.

/// An arithmetic run of indices along one axis: `count` indices from
/// `first`, `step` apart. A negative `step` walks the axis backwards (what a
/// numpy slice `::-1` selects); backends are only ever given ascending runs
/// (see [`Run::ascending`]), one per axis of a hyperslab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Run {
    /// The first index taken.
    pub first: usize,
    /// How many indices.
    pub count: usize,
    /// Distance from one index to the next (never 0; 1 when `count <= 1`
    /// in runs this crate makes).
    pub step: isize,
}

impl Run {
    /// `count` indices from `first`, `step` apart.
    pub const fn new(first: usize, count: usize, step: isize) -> Run {
        Run { first, count, step }
    }

    /// `count` increasing indices from `first`, `stride` apart (a
    /// hyperslab axis).
    pub const fn strided(first: usize, count: usize, stride: usize) -> Run {
        Run {
            first,
            count,
            step: stride as isize,
        }
    }

    /// `first, first + 1, ..., first + count - 1`.
    pub const fn span(first: usize, count: usize) -> Run {
        Run {
            first,
            count,
            step: 1,
        }
    }

    /// The whole of an axis of length `len`.
    pub const fn all(len: usize) -> Run {
        Run::span(0, len)
    }

    /// The whole of an array of `shape`: [`Run::all`] along each axis.
    pub fn whole(shape: &[usize]) -> Vec<Run> {
        shape.iter().map(|&n| Run::all(n)).collect()
    }

    /// One index.
    pub const fn one(i: usize) -> Run {
        Run::span(i, 1)
    }

    /// The distance between neighbouring indices, at least 1.
    pub const fn stride(&self) -> usize {
        let s = self.step.unsigned_abs();
        if s == 0 {
            1
        } else {
            s
        }
    }

    /// The `k`-th index taken (`k < count`).
    pub const fn index(&self, k: usize) -> usize {
        if self.step >= 0 {
            self.first + k * self.step.unsigned_abs()
        } else {
            self.first - k * self.step.unsigned_abs()
        }
    }

    /// The last index taken, `None` for an empty run.
    pub const fn last(&self) -> Option<usize> {
        if self.count == 0 {
            None
        } else {
            Some(self.index(self.count - 1))
        }
    }

    /// Whether the indices increase (or there are at most one).
    pub const fn is_ascending(&self) -> bool {
        self.step > 0 || self.count <= 1
    }

    /// The same indices in increasing order: the run a backend reads or
    /// writes.
    pub const fn ascending(&self) -> Run {
        if self.count <= 1 {
            Run::span(self.first, self.count)
        } else if self.step > 0 {
            *self
        } else {
            Run::strided(
                self.first - (self.count - 1) * self.step.unsigned_abs(),
                self.count,
                self.step.unsigned_abs(),
            )
        }
    }

    /// The indices, in the run's order.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.count).map(move |k| self.index(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_both_ways() {
        let up = Run::strided(2, 3, 4);
        assert_eq!(up.indices().collect::<Vec<_>>(), [2, 6, 10]);
        assert_eq!(up.last(), Some(10));
        assert!(up.is_ascending());
        let down = Run::new(10, 3, -4);
        assert_eq!(down.indices().collect::<Vec<_>>(), [10, 6, 2]);
        assert!(!down.is_ascending());
        assert_eq!(down.ascending(), up);
        assert_eq!(Run::new(5, 1, -3).ascending(), Run::one(5));
        assert_eq!(Run::new(5, 0, -3).last(), None);
        assert_eq!(Run::all(4).indices().count(), 4);
        assert_eq!(Run::new(0, 2, 0).stride(), 1);
    }
}
