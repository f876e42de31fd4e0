//! Layouts: how the rows of a distributed array are spread over the
//! processes writing a file.

use qnd_storage::{Part, Run};

use crate::values::Array;

/// Which rows of a distributed array (along its first axis; for a record
/// variable, the first axis of each record) this process holds, made
/// collectively by [`QGroup::layout`](crate::QGroup::layout) (rows one
/// rank after the other) or [`QGroup::scattered`](crate::QGroup::scattered)
/// (rows by global index), and given to every
/// [`QGroup::set_part`](crate::QGroup::set_part) of arrays spread that way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub(crate) part: Part,
    /// For rows given out of order: the local row that goes to each
    /// position of the part, in the part's (ascending) order.
    pub(crate) order: Option<Vec<usize>>,
    /// The rank and number of processes it was made for.
    pub(crate) rank: usize,
    pub(crate) ranks: usize,
}

impl Layout {
    /// The rows of this process, ascending (see [`Part`]).
    pub fn part(&self) -> &Part {
        &self.part
    }

    /// How many rows this process holds (the length of the first axis of
    /// the arrays it passes).
    pub fn rows_here(&self) -> usize {
        self.part.len()
    }

    /// The row count of the whole array.
    pub fn total(&self) -> usize {
        self.part.total()
    }

    /// Rows `first .. first + count` of `total`, in order.
    pub(crate) fn span(
        first: usize,
        count: usize,
        total: usize,
        rank: usize,
        ranks: usize,
    ) -> Layout {
        let part =
            Part::new(vec![Run::span(first, count)], total).unwrap_or_else(|_| Part::whole(0));
        Layout {
            part,
            order: None,
            rank,
            ranks,
        }
    }

    /// The rows `rows` (global indices, in the order of this process's
    /// data) of an array of `total` rows.
    ///
    /// # Errors
    /// A message when an index is out of range or given twice.
    pub(crate) fn of_rows(
        rows: &[usize],
        total: usize,
        rank: usize,
        ranks: usize,
    ) -> Result<Layout, String> {
        let sorted = rows.windows(2).all(|w| w[0] < w[1]);
        let order = if sorted {
            None
        } else {
            let mut order: Vec<usize> = (0..rows.len()).collect();
            order.sort_unstable_by_key(|&i| rows[i]);
            Some(order)
        };
        let mut runs: Vec<Run> = Vec::new();
        let at = |k: usize| match &order {
            Some(o) => rows[o[k]],
            None => rows[k],
        };
        for k in 0..rows.len() {
            let i = at(k);
            if i >= total {
                return Err(format!("row {i} is outside the {total} rows of the array"));
            }
            match runs.last_mut() {
                Some(r) if r.first + r.count == i => r.count += 1,
                Some(r) if r.first + r.count > i => {
                    return Err(format!("row {i} is given twice"));
                }
                _ => runs.push(Run::span(i, 1)),
            }
        }
        Ok(Layout {
            part: Part::new(runs, total)?,
            order,
            rank,
            ranks,
        })
    }

    /// `data` (this process's rows, in the order they were given) in the
    /// part's ascending order.
    pub(crate) fn arrange<'a>(&self, data: &'a Array) -> std::borrow::Cow<'a, Array> {
        match &self.order {
            None => std::borrow::Cow::Borrowed(data),
            Some(order) => std::borrow::Cow::Owned(data.select_rows(order)),
        }
    }
}

/// Check that the rows every process gave (`all`, concatenated) are each
/// of `0..total` exactly once.
///
/// # Errors
/// A message naming the first row missing or given twice.
pub(crate) fn check_cover(all: &[u64], total: usize) -> Result<(), String> {
    let mut seen = vec![false; total];
    for &i in all {
        let slot = usize::try_from(i)
            .ok()
            .and_then(|i| seen.get_mut(i))
            .ok_or_else(|| format!("row {i} is outside the {total} rows of the array"))?;
        if *slot {
            return Err(format!(
                "row {i} is given by more than one process, or twice"
            ));
        }
        *slot = true;
    }
    match seen.iter().position(|s| !s) {
        Some(i) => Err(format!("row {i} is given by no process")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_out_of_order_are_runs_and_an_order() {
        let l = Layout::of_rows(&[7, 2, 3, 9], 10, 0, 1).unwrap();
        assert_eq!(
            l.part.runs(),
            &[Run::span(2, 2), Run::span(7, 1), Run::span(9, 1)]
        );
        assert_eq!(l.order, Some(vec![1, 2, 0, 3]));
        assert!(Layout::of_rows(&[1, 1], 10, 0, 1).is_err());
        assert!(Layout::of_rows(&[10], 10, 0, 1).is_err());
        let sorted = Layout::of_rows(&[0, 1, 2, 5], 6, 0, 1).unwrap();
        assert_eq!(sorted.order, None);
        assert_eq!(sorted.part.runs(), &[Run::span(0, 3), Run::span(5, 1)]);
    }

    #[test]
    fn covers_are_checked() {
        assert!(check_cover(&[2, 0, 1], 3).is_ok());
        assert!(check_cover(&[2, 0], 3).unwrap_err().contains("row 1"));
        assert!(check_cover(&[2, 0, 2, 1], 3).unwrap_err().contains("row 2"));
        assert!(check_cover(&[3], 3).is_err());
    }
}
