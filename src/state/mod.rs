//! File state as in qnd: auto-read mode, recording mode and goto record,
//! and the rule for goto-by-value.

use std::fmt;

/// Auto-read mode: what getting an item returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Auto {
    /// 0: handles only, nothing is read ([`QLeaf`](crate::QLeaf),
    /// [`QGroup`](crate::QGroup), [`QList`](crate::QList)).
    Off,
    /// 1 (the default): leaves are read; groups and lists are handles.
    #[default]
    Leaves,
    /// 2: everything is read, groups and lists recursively.
    All,
}

/// Recording mode: what setting an existing or new variable does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Recording {
    /// 0 (the default): setting a variable declares it or overwrites it.
    #[default]
    Off,
    /// 1: a new variable becomes a record variable whose records all share
    /// one dtype and shape (stored with an unlimited leading dimension);
    /// setting it again appends a record.
    Uniform,
    /// 2: a new variable becomes a list of records of any type or shape.
    Any,
}

macro_rules! mode_from_u8 {
    ($t:ident, $what:literal, $a:ident, $b:ident, $c:ident) => {
        impl TryFrom<u8> for $t {
            type Error = InvalidMode;
            fn try_from(v: u8) -> Result<$t, InvalidMode> {
                match v {
                    0 => Ok($t::$a),
                    1 => Ok($t::$b),
                    2 => Ok($t::$c),
                    _ => Err(InvalidMode {
                        what: $what,
                        value: v,
                    }),
                }
            }
        }
        impl From<$t> for u8 {
            fn from(m: $t) -> u8 {
                match m {
                    $t::$a => 0,
                    $t::$b => 1,
                    $t::$c => 2,
                }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", u8::from(*self))
            }
        }
    };
}
mode_from_u8!(Auto, "auto", Off, Leaves, All);
mode_from_u8!(Recording, "recording", Off, Uniform, Any);

/// A mode number other than 0, 1, 2.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} mode must be 0, 1 or 2, not {value}")]
pub struct InvalidMode {
    what: &'static str,
    value: u8,
}

/// The modes of a group: what [`QGroup::push`](crate::QGroup::push) saves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// Auto-read mode.
    pub auto: Auto,
    /// Recording mode.
    pub recording: Recording,
    /// Current record (negative from the end), or `None` when goto is off.
    pub goto: Option<isize>,
}

/// qnd's goto-by-value index: the records that count and their values,
/// strictly increasing.
///
/// Only records where the variable moves monotonically count: scanning
/// back from the last record, a record is kept when its value is below
/// every value kept after it (a restart, where the value jumps back, hides
/// the earlier records it overlaps). When the last value is below the
/// first the variable is taken as decreasing and the same is done on its
/// negation. NaN values never count.
///
/// The index is built once and then kept up to date record by record
/// ([`GotoIndex::push`]): the kept records form a monotonic stack, so an
/// append costs O(1) amortized. Only when an append changes the direction
/// (the last value passes the first) is it rebuilt.
#[derive(Clone, Debug, PartialEq)]
pub struct GotoIndex {
    /// Every record's value.
    all: Vec<f64>,
    /// The direction: last value below the first.
    decreasing: bool,
    /// The records that count, in record order, with their values
    /// (increasing, or decreasing for a decreasing variable).
    stack: Vec<(usize, f64)>,
}

impl GotoIndex {
    /// Build from the values of every record.
    pub fn new(values: &[f64]) -> GotoIndex {
        let mut g = GotoIndex {
            all: values.to_vec(),
            decreasing: false,
            stack: Vec::new(),
        };
        g.rebuild();
        g
    }

    fn direction(all: &[f64]) -> bool {
        matches!((all.first(), all.last()), (Some(first), Some(last)) if last < first)
    }

    fn rebuild(&mut self) {
        self.decreasing = GotoIndex::direction(&self.all);
        self.stack.clear();
        for i in 0..self.all.len() {
            self.keep(i);
        }
    }

    /// Record `i` (the newest so far) counts; records before it whose
    /// values it passes no longer do.
    fn keep(&mut self, i: usize) {
        let v = self.all[i];
        if v.is_nan() {
            return;
        }
        let sign = if self.decreasing { -1.0 } else { 1.0 };
        while self
            .stack
            .last()
            .is_some_and(|&(_, w)| sign * w >= sign * v)
        {
            self.stack.pop();
        }
        self.stack.push((i, v));
    }

    /// Add the value of a new last record.
    pub fn push(&mut self, value: f64) {
        self.all.push(value);
        if GotoIndex::direction(&self.all) == self.decreasing {
            self.keep(self.all.len() - 1);
        } else {
            self.rebuild();
        }
    }

    /// How many records the index was built from.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// True when built from no records.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// Entry `i` of the records that count, in order of increasing value.
    fn at(&self, i: usize) -> (usize, f64) {
        if self.decreasing {
            self.stack[self.stack.len() - 1 - i]
        } else {
            self.stack[i]
        }
    }

    /// The records that count, in the order of increasing values.
    pub fn records(&self) -> Vec<usize> {
        (0..self.stack.len()).map(|i| self.at(i).0).collect()
    }

    /// The record nearest `value` (ties to the one with the larger value),
    /// or `None` when no record counts.
    pub fn nearest(&self, value: f64) -> Option<usize> {
        let n = self.stack.len();
        if n == 0 {
            return None;
        }
        let v = |i: usize| self.at(i).1;
        // qnd: int(interp(x, values, arange(n) + 0.5)), clamped to n - 1.
        let pos = if n == 1 || value <= v(0) || value.is_nan() {
            0.5
        } else if value >= v(n - 1) {
            n as f64 - 0.5
        } else {
            // the last k with v(k) <= value (v(0) <= value < v(n - 1))
            let (mut lo, mut hi) = (0, n - 1);
            while hi - lo > 1 {
                let mid = (lo + hi) / 2;
                if v(mid) <= value {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let t = (value - v(lo)) / (v(lo + 1) - v(lo));
            lo as f64 + 0.5 + t
        };
        let i = (pos as usize).min(n - 1);
        Some(self.at(i).0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_from_numbers() {
        assert_eq!(Auto::try_from(2), Ok(Auto::All));
        assert_eq!(Recording::try_from(1), Ok(Recording::Uniform));
        assert!(Auto::try_from(3).is_err());
        assert_eq!(u8::from(Recording::Any), 2);
    }

    #[test]
    fn nearest_increasing() {
        let g = GotoIndex::new(&[0.0, 0.5, 1.0, 1.5, 2.0]);
        assert_eq!(g.nearest(1.2), Some(2));
        assert_eq!(g.nearest(1.3), Some(3));
        assert_eq!(g.nearest(1.25), Some(3), "ties go to the later record");
        assert_eq!(g.nearest(-5.0), Some(0));
        assert_eq!(g.nearest(99.0), Some(4));
    }

    #[test]
    fn nearest_decreasing() {
        let g = GotoIndex::new(&[10.0, 9.0, 8.0, 7.0]);
        assert_eq!(g.nearest(8.2), Some(2));
        assert_eq!(g.nearest(100.0), Some(0));
        assert_eq!(g.nearest(0.0), Some(3));
    }

    #[test]
    fn restarts_hide_overlapped_records() {
        // time ran 0,1,2,3 then restarted from 1.5: records 2 and 3 are
        // overwritten history.
        let g = GotoIndex::new(&[0.0, 1.0, 2.0, 3.0, 1.5, 2.5]);
        assert_eq!(g.records(), [0, 1, 4, 5]);
        assert_eq!(g.nearest(1.9), Some(4));
        assert_eq!(g.nearest(2.0), Some(5), "a tie goes to the later record");
        assert_eq!(g.nearest(3.0), Some(5));
    }

    #[test]
    fn single_record_and_empty() {
        assert_eq!(GotoIndex::new(&[4.0]).nearest(-1.0), Some(0));
        assert_eq!(GotoIndex::new(&[]).nearest(0.0), None);
    }

    /// Pushing values one at a time gives the index built from all of
    /// them, whatever they are: increasing, decreasing, restarts, NaN,
    /// direction changes.
    #[test]
    fn push_matches_build() {
        let series: [&[f64]; 6] = [
            &[0.0, 1.0, 2.0, 3.0, 1.5, 2.5, 4.0],
            &[10.0, 9.0, 8.0, 9.5, 7.0, 6.0],
            &[1.0, f64::NAN, 2.0, 0.5, 3.0],
            &[5.0, 6.0, 4.0, 3.0, 7.0, 2.0, 8.0],
            &[2.0, 2.0, 2.0, 1.0],
            &[f64::NAN, 1.0, 0.0],
        ];
        for values in series {
            let mut g = GotoIndex::new(&[]);
            for (k, &v) in values.iter().enumerate() {
                g.push(v);
                let built = GotoIndex::new(&values[..=k]);
                assert_eq!(g.records(), built.records(), "{values:?} after {k}");
                for x in [-1.0, 0.0, 0.7, 1.5, 2.2, 5.5, 9.0, 11.0] {
                    assert_eq!(g.nearest(x), built.nearest(x), "{values:?} after {k}, {x}");
                }
            }
            assert_eq!(g.len(), values.len());
        }
    }

    /// The stack gives the same records as the scan from the back that
    /// defines the index.
    #[test]
    fn stack_matches_definition() {
        let values = [3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0, 5.5, 3.5, 5.8, 9.7];
        // scan back from the last: kept when below every value kept after
        let mut kept = Vec::new();
        let mut next = f64::INFINITY;
        for i in (0..values.len()).rev() {
            if values[i] < next {
                kept.push(i);
                next = values[i];
            }
        }
        kept.reverse();
        assert_eq!(GotoIndex::new(&values).records(), kept);
    }
}
