//! Parts of distributed arrays: which rows of an array one process holds.
//!
//! A distributed array is split along its first axis (for a record node,
//! the first axis of each record): each process (an MPI rank, say) holds
//! some rows, and together they hold every row once. [`Part`] says which
//! rows this process holds, as ascending, disjoint runs, and how many rows
//! the whole array has. Backends write a part with
//! [`Storage::write_part`](crate::Storage::write_part) and append records
//! of parts with [`Storage::append_parts`](crate::Storage::append_parts);
//! a backend written by one process only takes parts that are whole.

use crate::{Array, Run, SResult, StorageError};

/// The rows of a distributed array (along its first axis, or the first
/// axis of each record) that one process holds: ascending, disjoint runs
/// of step 1, and the row count of the whole array.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Part {
    runs: Vec<Run>,
    total: usize,
    len: usize,
}

impl Part {
    /// The rows `runs` of an array of `total` rows.
    ///
    /// # Errors
    /// A message when the runs are not ascending, disjoint runs of step 1
    /// inside `0..total`.
    pub fn new(runs: Vec<Run>, total: usize) -> Result<Part, String> {
        let mut end = 0usize;
        let mut len = 0usize;
        for r in &runs {
            if r.count == 0 {
                continue;
            }
            if r.step != 1 && r.count > 1 {
                return Err(format!("row run {r:?} has a step other than 1"));
            }
            if r.first < end {
                return Err(format!(
                    "row runs overlap or are out of order at row {}",
                    r.first
                ));
            }
            end = r
                .first
                .checked_add(r.count)
                .filter(|&e| e <= total)
                .ok_or_else(|| {
                    format!(
                        "rows {}..{} lie outside the {total} rows of the array",
                        r.first,
                        r.first.saturating_add(r.count)
                    )
                })?;
            len += r.count;
        }
        let runs = runs
            .into_iter()
            .filter(|r| r.count > 0)
            .map(|r| Run::span(r.first, r.count))
            .collect();
        Ok(Part { runs, total, len })
    }

    /// Every row of an array of `total` rows (what one process writing
    /// alone holds).
    pub fn whole(total: usize) -> Part {
        let runs = if total == 0 {
            Vec::new()
        } else {
            vec![Run::all(total)]
        };
        Part {
            runs,
            total,
            len: total,
        }
    }

    /// The rows, as ascending, disjoint runs of step 1 (none empty).
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// The row count of the whole array.
    pub fn total(&self) -> usize {
        self.total
    }

    /// How many rows this part holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether this part holds no row.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether this part holds every row.
    pub fn is_whole(&self) -> bool {
        self.len == self.total
    }

    /// Each run with the rows of the part's data it holds: `(run, first
    /// row in the data)`.
    pub fn pieces(&self) -> impl Iterator<Item = (Run, usize)> + '_ {
        self.runs.iter().scan(0usize, |at, r| {
            let here = *at;
            *at += r.count;
            Some((*r, here))
        })
    }
}

/// Refuse a part that is not whole on a backend written by one process
/// (named `backend`), which cannot join the parts of several.
///
/// # Errors
/// [`StorageError::Unsupported`] for a part that is not whole.
pub fn check_whole(backend: &str, part: &Part) -> SResult<()> {
    if part.is_whole() {
        return Ok(());
    }
    Err(StorageError::Unsupported(format!(
        "{backend} files here are written by one process: it must write every row of a \
         record ({} of {} given)",
        part.len(),
        part.total()
    )))
}

/// Write `data` (the part's rows, shape `[part.len(), rest...]`) run by run
/// through `write(slab, rows)`: what a backend written by one process does
/// for [`Storage::write_part`](crate::Storage::write_part).
///
/// # Errors
/// The first error of `write`.
pub fn write_by_runs<E>(
    part: &Part,
    data: &Array,
    mut write: impl FnMut(&[Run], &Array) -> Result<(), E>,
) -> Result<(), E> {
    let rest: Vec<Run> = data.shape().iter().skip(1).map(|&n| Run::all(n)).collect();
    let mut slab = Vec::with_capacity(rest.len() + 1);
    let mut rows = slab.clone();
    for (run, at) in part.pieces() {
        slab.clear();
        slab.push(run);
        slab.extend_from_slice(&rest);
        rows.clear();
        rows.push(Run::span(at, run.count));
        rows.extend_from_slice(&rest);
        if part.runs().len() == 1 && at == 0 && run.count == data.shape()[0] {
            write(&slab, data)?;
        } else {
            write(&slab, &data.take_slab(&rows))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::ArrayD;

    #[test]
    fn parts_check_their_runs() {
        let p = Part::new(vec![Run::span(2, 3), Run::span(7, 1)], 10).unwrap();
        assert_eq!(p.len(), 4);
        assert!(!p.is_whole());
        assert_eq!(
            p.pieces().collect::<Vec<_>>(),
            vec![(Run::span(2, 3), 0), (Run::span(7, 1), 3)]
        );
        assert!(Part::new(vec![Run::span(2, 3), Run::span(4, 1)], 10).is_err());
        assert!(Part::new(vec![Run::span(8, 3)], 10).is_err());
        assert!(Part::new(vec![Run::strided(0, 3, 2)], 10).is_err());
        assert!(Part::new(vec![Run::span(usize::MAX, 2)], 10).is_err());
        assert!(Part::whole(5).is_whole());
        assert!(Part::whole(0).is_empty());
        assert_eq!(Part::new(vec![Run::span(3, 0)], 3).unwrap().runs(), &[]);
    }

    #[test]
    fn writes_by_runs_hand_each_run_its_rows() {
        let data =
            Array::F64(ArrayD::from_shape_vec(vec![3, 2], vec![0., 1., 2., 3., 4., 5.]).unwrap());
        let p = Part::new(vec![Run::span(1, 1), Run::span(5, 2)], 8).unwrap();
        let mut got = Vec::new();
        write_by_runs::<()>(&p, &data, |slab, rows| {
            got.push((
                slab.to_vec(),
                rows.to_f64().unwrap().into_raw_vec_and_offset().0,
            ));
            Ok(())
        })
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, vec![Run::span(1, 1), Run::all(2)]);
        assert_eq!(got[0].1, vec![0., 1.]);
        assert_eq!(got[1].0, vec![Run::span(5, 2), Run::all(2)]);
        assert_eq!(got[1].1, vec![2., 3., 4., 5.]);
    }
}
