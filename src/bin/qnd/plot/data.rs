//! Reading what a plot shows: by blocks of at most [`BLOCK`] values, and
//! reduced to what the picture can show, so a history of any length is
//! drawn in constant memory.
//!
//! - A line of more than [`line_limit`] points keeps, for each of
//!   `limit / 2` runs of consecutive points (about one pixel column each),
//!   its smallest and largest value in their order (min/max decimation: the
//!   drawn envelope is the one the full line would draw).
//! - A history image is a grid of at most one cell per pixel: each cell is
//!   the mean of the finite values of the records and indices it covers.
//!
//! Both read every value once (a plot must not miss a spike), in blocks
//! along the record axis, with a progress bar on a terminal for large
//! reads.

use qnd::{QLeaf, Selection, Value};

use super::Var;
use crate::cli::Failure;
use crate::progress::Progress;

/// Values read at once.
pub const BLOCK: usize = 1 << 20;

/// The most points a line of a picture `width` pixels wide keeps: four per
/// pixel column; longer lines are decimated.
pub fn line_limit(width: u32) -> usize {
    4 * width as usize
}

/// A 1-d run of numbers in the file: a scalar record variable over its
/// records, one record of a 1-d record variable, or a 1-d leaf.
pub struct Seq {
    leaf: QLeaf,
    /// The record, for one record of a record variable.
    record: Option<usize>,
    len: usize,
    name: String,
}

impl Seq {
    /// `var` whole (`record` `None`), or its record `record`.
    pub fn new(var: &Var, record: Option<usize>) -> Seq {
        let len = match (&var.shape, record) {
            (super::Shape::Records { count, .. }, None) => *count,
            _ => var.line_len().unwrap_or(0),
        };
        Seq {
            leaf: var.leaf.clone(),
            record,
            len,
            name: var.name.clone(),
        }
    }

    /// Values `start..end`, as `f64`.
    pub fn read(&self, start: usize, end: usize) -> Result<Vec<f64>, Failure> {
        let mut sel = Selection::new();
        if let Some(k) = self.record {
            sel = sel.index(as_isize(k)?);
        }
        sel = sel.slice(as_isize(start)?, as_isize(end)?, 1);
        numbers(self.leaf.read_part(sel)?, &self.name)
    }
}

fn as_isize(i: usize) -> Result<isize, Failure> {
    isize::try_from(i).map_err(|_| Failure::Error(format!("index {i} is too large")))
}

/// The numbers of a value read from a numeric leaf.
fn numbers(value: Value, name: &str) -> Result<Vec<f64>, Failure> {
    match value {
        Value::Array(a) => a
            .to_f64()
            .map(|a| a.iter().copied().collect())
            .ok_or_else(|| Failure::Error(format!("/{name}: not numbers"))),
        other => Err(Failure::Error(format!(
            "/{name}: read {}, not numbers",
            other.describe()
        ))),
    }
}

/// The points of a line.
pub struct Line {
    /// (x, y); a non-finite value breaks the line.
    pub points: Vec<(f64, f64)>,
}

/// A point kept from a run: its index, x and y.
#[derive(Clone, Copy)]
struct Kept {
    i: usize,
    x: f64,
    y: f64,
}

/// `y` against `x` (or its index), at most `limit` points: see the
/// module's description.
///
/// # Errors
/// Read errors.
pub fn line(y: &Seq, x: Option<&Seq>, limit: usize) -> Result<Line, Failure> {
    let len = y.len;
    let decimate = len > limit;
    let runs = (limit / 2).max(1);
    let mut points = Vec::with_capacity(len.min(limit + 2));
    // the run being reduced: its number, smallest and largest point, and
    // whether it had a non-finite value
    let mut run: Option<(usize, Option<Kept>, Option<Kept>, bool)> = None;
    let progress = Progress::bytes(&format!("reading /{}", y.name), bytes(len, x.is_some()));
    let mut start = 0;
    while start < len {
        let end = len.min(start + BLOCK);
        let ys = y.read(start, end)?;
        let xs = match x {
            Some(x) => Some(x.read(start, end)?),
            None => None,
        };
        for (j, &yv) in ys.iter().enumerate() {
            let i = start + j;
            let xv = xs
                .as_ref()
                .and_then(|xs| xs.get(j).copied())
                .unwrap_or(i as f64);
            if !decimate {
                points.push((xv, yv));
                continue;
            }
            let r = ((i as u128 * runs as u128) / len as u128) as usize;
            if run.as_ref().is_some_and(|(at, ..)| *at != r) {
                flush(&mut run, &mut points);
            }
            let (_, lo, hi, gap) = run.get_or_insert((r, None, None, false));
            if !(yv.is_finite() && xv.is_finite()) {
                *gap = true;
                continue;
            }
            let here = Kept { i, x: xv, y: yv };
            if lo.is_none_or(|k| yv < k.y) {
                *lo = Some(here);
            }
            if hi.is_none_or(|k| yv > k.y) {
                *hi = Some(here);
            }
        }
        progress.add(8 * (end - start) as u64 * (1 + u64::from(x.is_some())));
        start = end;
    }
    flush(&mut run, &mut points);
    progress.finish();
    Ok(Line { points })
}

/// Bytes a line of `len` values reads.
fn bytes(len: usize, with_x: bool) -> u64 {
    8 * len as u64 * (1 + u64::from(with_x))
}

/// End a run: its smallest and largest points in index order (one when
/// they are the same), then a break when it held a non-finite value.
fn flush(
    run: &mut Option<(usize, Option<Kept>, Option<Kept>, bool)>,
    points: &mut Vec<(f64, f64)>,
) {
    let Some((_, lo, hi, gap)) = run.take() else {
        return;
    };
    let mut kept: Vec<Kept> = [lo, hi].into_iter().flatten().collect();
    kept.sort_by_key(|k| k.i);
    kept.dedup_by_key(|k| k.i);
    points.extend(kept.iter().map(|k| (k.x, k.y)));
    if gap {
        let x = kept.last().map_or(f64::NAN, |k| k.x);
        points.push((x, f64::NAN));
    }
}

/// The history of a 1-d record variable reduced to a grid.
pub struct Grid {
    /// Columns (runs of records).
    pub cols: usize,
    /// Rows (runs of indices).
    pub rows: usize,
    /// The mean of each cell, row by row from index 0 (NaN: no finite
    /// value).
    pub values: Vec<f64>,
    /// The x of each column's left edge, and the right edge of the last:
    /// record numbers, or XVAR's values (record `r` spans `x[r]..x[r+1]`).
    pub x_edges: Vec<f64>,
    /// The length of a record (the y axis spans `0..len`).
    pub len: usize,
}

/// Why a history image could not be made.
pub enum HistoryError {
    /// Reading failed.
    Read(Failure),
    /// XVAR does not increase at the column edges.
    NotIncreasing,
}

impl From<Failure> for HistoryError {
    fn from(f: Failure) -> HistoryError {
        HistoryError::Read(f)
    }
}

impl From<qnd::Error> for HistoryError {
    fn from(e: qnd::Error) -> HistoryError {
        HistoryError::Read(e.into())
    }
}

/// The first record of column `c` of `cols` over `n` records (column of
/// record r: `r * cols / n`).
fn first_of(c: usize, cols: usize, n: usize) -> usize {
    ((c as u128 * n as u128).div_ceil(cols as u128)) as usize
}

/// The history of `whole` (`n` records of `len` values) reduced to at
/// most `cols` x `rows` cells, the column edges at records or at `x`'s
/// values.
///
/// # Errors
/// Read errors; [`HistoryError::NotIncreasing`] when `x` does not increase
/// from column to column.
pub fn history(
    whole: &QLeaf,
    n: usize,
    len: usize,
    cols: usize,
    rows: usize,
    x: Option<&Seq>,
) -> Result<Grid, HistoryError> {
    let cols = cols.clamp(1, n.max(1));
    let rows = rows.clamp(1, len.max(1));
    let x_edges = edges(n, cols, x)?;
    let mut sums = vec![0.0f64; cols * rows];
    let mut counts = vec![0u64; cols * rows];
    let records_per = (BLOCK / len.max(1)).max(1);
    let width = len.clamp(1, BLOCK);
    let name = whole.path().trim_start_matches('/').to_string();
    let progress = Progress::bytes(&format!("reading /{name}"), 8 * n as u64 * len as u64);
    let mut r0 = 0;
    while r0 < n {
        let r1 = n.min(r0 + records_per);
        let mut c0 = 0;
        while c0 < len {
            let c1 = len.min(c0 + width);
            let sel = Selection::new()
                .slice(as_isize(r0)?, as_isize(r1)?, 1)
                .slice(as_isize(c0)?, as_isize(c1)?, 1);
            let block = numbers(whole.read_part(sel)?, &name)?;
            let w = c1 - c0;
            let row_of: Vec<usize> = (c0..c1)
                .map(|i| ((i as u128 * rows as u128) / len as u128) as usize)
                .collect();
            for (j, v) in block.iter().enumerate() {
                if !v.is_finite() {
                    continue;
                }
                let r = r0 + j / w;
                let col = ((r as u128 * cols as u128) / n as u128) as usize;
                let cell = row_of[j % w] * cols + col;
                sums[cell] += v;
                counts[cell] += 1;
            }
            progress.add(8 * block.len() as u64);
            c0 = c1;
        }
        r0 = r1;
    }
    progress.finish();
    let values = sums
        .iter()
        .zip(&counts)
        .map(|(s, &c)| if c == 0 { f64::NAN } else { s / c as f64 })
        .collect();
    Ok(Grid {
        cols,
        rows,
        values,
        x_edges,
        len,
    })
}

/// The column edges: record numbers, or `x` at each column's first record
/// and one step past the last record.
fn edges(n: usize, cols: usize, x: Option<&Seq>) -> Result<Vec<f64>, HistoryError> {
    let Some(x) = x else {
        let mut e: Vec<f64> = (0..cols).map(|c| first_of(c, cols, n) as f64).collect();
        e.push(n as f64);
        return Ok(e);
    };
    let wanted: Vec<usize> = (0..cols).map(|c| first_of(c, cols, n)).collect();
    let mut e = Vec::with_capacity(cols + 1);
    let mut next = wanted.iter().peekable();
    let mut last_two = [f64::NAN; 2];
    let mut start = 0;
    while start < n {
        let end = n.min(start + BLOCK);
        let xs = x.read(start, end)?;
        while let Some(&&r) = next.peek() {
            if r >= end {
                break;
            }
            e.push(xs.get(r - start).copied().unwrap_or(f64::NAN));
            next.next();
        }
        for v in xs.iter().rev().take(2).rev() {
            last_two = [last_two[1], *v];
        }
        start = end;
    }
    let step = if n >= 2 {
        last_two[1] - last_two[0]
    } else {
        1.0
    };
    e.push(last_two[1] + step);
    let increasing = e.iter().all(|v| v.is_finite()) && e.windows(2).all(|w| w[0] < w[1]);
    if increasing {
        Ok(e)
    } else {
        Err(HistoryError::NotIncreasing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_records() {
        // 10 records in 4 columns: r * 4 / 10 = 0 0 0 1 1 2 2 2 3 3
        let firsts: Vec<usize> = (0..4).map(|c| first_of(c, 4, 10)).collect();
        assert_eq!(firsts, [0, 3, 5, 8]);
        let all: Vec<usize> = (0..5).map(|c| first_of(c, 5, 5)).collect();
        assert_eq!(all, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn runs_keep_min_and_max_in_order() {
        let mut points = Vec::new();
        let lo = Kept {
            i: 7,
            x: 7.0,
            y: -1.0,
        };
        let hi = Kept {
            i: 3,
            x: 3.0,
            y: 5.0,
        };
        let mut run = Some((0, Some(lo), Some(hi), false));
        flush(&mut run, &mut points);
        assert_eq!(points, [(3.0, 5.0), (7.0, -1.0)]);
        let one = Kept {
            i: 2,
            x: 2.0,
            y: 1.0,
        };
        let mut run = Some((1, Some(one), Some(one), true));
        flush(&mut run, &mut points);
        assert_eq!(points.len(), 4);
        assert_eq!(points[2], (2.0, 1.0));
        assert!(points[3].1.is_nan());
    }
}
