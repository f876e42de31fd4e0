//! What the MPI test programs write, and so what the checks expect: the
//! distributed fields, their values at each record, and how their rows are
//! shared out among the ranks (unevenly, a rank holding none included).

use ndarray::{Array1, Array2};
use qnd::QGroup;

/// Records of the `record` case.
pub const RECORDS: usize = 100;
/// The record after which the `record` case flushes (and records on).
pub const FLUSH_AT: usize = 49;
/// Rows of the 1-d field `u1` (f8).
pub const N1: usize = 10;
/// Rows of the 2-d field `u2` (i4, [N2, C2]).
pub const N2: usize = 7;
/// Columns of `u2`.
pub const C2: usize = 3;
/// Rows of the scattered field `s` ([NS, 2] f8).
pub const NS: usize = 9;
/// Records of the scattered field.
pub const SCATTERED_RECORDS: usize = 20;
/// The record at which one rank fails in the `fail` case.
pub const FAIL_AT: usize = 50;
/// The record before which one rank panics in the `panic` case.
pub const PANIC_AT: usize = 10;

/// Rows of the field of the `wide` case (f8).
pub const WIDE: usize = 1000;
/// Records of the `wide` case.
pub const WIDE_RECORDS: usize = 5;

/// The field of the `wide` case at record `k`, global row `i`.
pub fn wide(k: usize, i: usize) -> f64 {
    (k * WIDE + i) as f64
}

/// The replicated record variable `time` at record `k`.
pub fn time(k: usize) -> f64 {
    0.25 * k as f64
}

/// `u1` at record `k`, global row `i`.
pub fn u1(k: usize, i: usize) -> f64 {
    k as f64 * 100.0 + i as f64 + 0.5
}

/// `u2` at record `k`, global row `i`, column `j`.
pub fn u2(k: usize, i: usize, j: usize) -> i32 {
    (k * 1000 + i * 10 + j) as i32
}

/// The scattered field at record `k` (`usize::MAX` for the leaf written
/// outside recording), global row `i`, column `j`.
pub fn s(k: usize, i: usize, j: usize) -> f64 {
    let k = if k == usize::MAX { -1.0 } else { k as f64 };
    k * 1000.0 + i as f64 * 2.0 + j as f64 * 0.25
}

/// How many of `n` rows each of `ranks` ranks holds, unevenly (the first
/// `n % ranks` hold one more).
pub fn even(n: usize, ranks: usize) -> Vec<usize> {
    (0..ranks)
        .map(|r| n / ranks + usize::from(r < n % ranks))
        .collect()
}

/// The rows of `u1` each rank holds: uneven, and on 4 ranks rank 1 holds
/// none.
pub fn sizes1(ranks: usize) -> Vec<usize> {
    match ranks {
        1 => vec![N1],
        2 => vec![4, 6],
        4 => vec![3, 0, 5, 2],
        _ => even(N1, ranks),
    }
}

/// The rows of `u2` each rank holds.
pub fn sizes2(ranks: usize) -> Vec<usize> {
    even(N2, ranks)
}

/// The first global row rank `rank` holds under `sizes`.
pub fn first_row(sizes: &[usize], rank: usize) -> usize {
    sizes[..rank].iter().sum()
}

/// The global rows rank `rank` of `ranks` holds of the scattered field, in
/// the order it passes them: a permutation of `0..NS` cut into uneven
/// pieces (on 4 ranks rank 1 holds none), each piece out of order.
pub fn scattered_rows(rank: usize, ranks: usize) -> Vec<usize> {
    const PERM: [usize; NS] = [7, 2, 5, 0, 8, 1, 4, 6, 3];
    let sizes = match ranks {
        1 => vec![NS],
        2 => vec![6, 3],
        4 => vec![3, 0, 4, 2],
        _ => even(NS, ranks),
    };
    let first = first_row(&sizes, rank);
    PERM[first..first + sizes[rank]].to_vec()
}

/// This rank's part of `u1` at record `k`.
pub fn u1_part(k: usize, rank: usize, ranks: usize) -> Array1<f64> {
    let sizes = sizes1(ranks);
    let first = first_row(&sizes, rank);
    Array1::from_iter((first..first + sizes[rank]).map(|i| u1(k, i)))
}

/// This rank's part of `u2` at record `k`.
pub fn u2_part(k: usize, rank: usize, ranks: usize) -> Array2<i32> {
    let sizes = sizes2(ranks);
    let first = first_row(&sizes, rank);
    Array2::from_shape_fn((sizes[rank], C2), |(i, j)| u2(k, first + i, j))
}

/// This rank's part of the scattered field at record `k`, its rows in the
/// order of [`scattered_rows`].
pub fn s_part(k: usize, rank: usize, ranks: usize) -> Array2<f64> {
    let rows = scattered_rows(rank, ranks);
    Array2::from_shape_fn((rows.len(), 2), |(i, j)| s(k, rows[i], j))
}

/// The whole `u1` at record `k`.
pub fn u1_whole(k: usize) -> Vec<f64> {
    (0..N1).map(|i| u1(k, i)).collect()
}

/// The whole `u2` at record `k`.
pub fn u2_whole(k: usize) -> Array2<i32> {
    Array2::from_shape_fn((N2, C2), |(i, j)| u2(k, i, j))
}

/// The whole scattered field at record `k`.
pub fn s_whole(k: usize) -> Array2<f64> {
    Array2::from_shape_fn((NS, 2), |(i, j)| s(k, i, j))
}

/// The file a case writes for a rank count.
pub fn file(dir: &std::path::Path, case: &str, ranks: usize) -> std::path::PathBuf {
    dir.join(format!("{case}.{ranks}.h5"))
}

/// goto and goto_nearest on a `record` file, at records picked by `seed`
/// (each rank its own), and goto -1.
pub fn check_gotos(f: &QGroup, seed: usize) -> qnd::Result<()> {
    for j in 0..5 {
        let k = (seed * 37 + j * 13 + 5) % RECORDS;
        f.goto(k as isize);
        assert_eq!(f.read::<f64>("time")?, time(k), "time at goto {k}");
        assert_eq!(f.read::<Vec<f64>>("u1")?, u1_whole(k), "u1 at goto {k}");
        let got = f.goto_nearest("time", time(k) + 0.1)?;
        assert_eq!(got, k, "goto_nearest(time, {})", time(k) + 0.1);
        assert_eq!(
            f.read::<Array2<i32>>("u2")?,
            u2_whole(k),
            "u2 at record {k}"
        );
    }
    f.goto(-1);
    assert_eq!(
        f.read::<Vec<f64>>("u1")?,
        u1_whole(RECORDS - 1),
        "u1 at goto -1"
    );
    f.goto_off();
    assert_eq!(f.list("time")?.len()?, RECORDS, "records of time");
    Ok(())
}
