//! Arithmetic on index runs ([`Run`], the one run type of selections, lazy
//! arrays and backends): which indices two runs share, a run of positions
//! seen through another run, a mapping's source restricted to part of its
//! destination.
//!
//! Runs hold `usize` indices and `isize` steps; the arithmetic here is done
//! in `i128` locals, where no index a run reaches (even one that leaves
//! `usize`) nor a product of two steps overflows, and a result is converted
//! back only at the end, where a result that does not fit a [`Run`] is
//! `None`.

use crate::backend::{Run, VirtualMap};

/// The lowest index of `r`, the (positive) distance between neighbouring
/// indices, and the highest index, in wide integers (so a run that would
/// leave `usize` is still described). `r` must not be empty.
pub(super) fn bounds(r: &Run) -> (i128, i128, i128) {
    let (first, last) = (r.first as i128, r.count as i128 - 1);
    let step = r.step as i128;
    if r.count <= 1 {
        (first, 1, first)
    } else if step > 0 {
        (first, step, first + last * step)
    } else {
        (first + last * step, -step, first)
    }
}

/// `count` indices from `first`, `step` apart, as a [`Run`] (the step is 1
/// for at most one index, the first 0 for none); `None` when an index or
/// the step does not fit.
fn narrow(first: i128, count: i128, step: i128) -> Option<Run> {
    let (first, step) = match count {
        0 => (0, 1),
        1 => (first, 1),
        _ => (first, step),
    };
    let last = first + (count - 1).max(0) * step;
    usize::try_from(last).ok()?;
    Some(Run::new(
        usize::try_from(first).ok()?,
        usize::try_from(count).ok()?,
        isize::try_from(step).ok()?,
    ))
}

/// `(g, x)` with `g = gcd(a, b)` and `a * x ≡ g (mod b)`, for `a, b > 0`.
fn egcd(a: i128, b: i128) -> (i128, i128) {
    let (mut r0, mut r1) = (a, b);
    let (mut x0, mut x1) = (1i128, 0i128);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (x0, x1) = (x1, x0 - q * x1);
    }
    (r0, x0)
}

/// The indices two runs have in common, as positions in each: `(ka, kb)`
/// where the `t`-th common index is `a`'s `ka.index(t)`-th and `b`'s
/// `kb.index(t)`-th element. `ka` runs forwards; `kb` forwards or
/// backwards. `None` when no index is common (or, only possible for runs
/// of more than `isize::MAX` indices, when a step between positions does
/// not fit a [`Run`]).
pub(super) fn intersect(a: Run, b: Run) -> Option<(Run, Run)> {
    if a.count == 0 || b.count == 0 {
        return None;
    }
    let (alo, ast, ahi) = bounds(&a);
    let (blo, bst, bhi) = bounds(&b);
    let (lo, hi) = (alo.max(blo), ahi.min(bhi));
    if lo > hi {
        return None;
    }
    // the common indices are x + j * l: x = alo + ast * t ≡ blo (mod bst)
    let (g, inv) = egcd(ast, bst);
    let diff = blo - alo;
    if diff % g != 0 {
        return None;
    }
    let m = bst / g;
    let t = ((diff / g).rem_euclid(m) * inv.rem_euclid(m)).rem_euclid(m);
    // x < alo + l: when it overflows it is past `hi` and lowest of all
    let x = ast.checked_mul(t)?.checked_add(alo)?;
    let l = (ast / g).checked_mul(bst);
    let x0 = match l {
        Some(l) => lo + (x - lo).rem_euclid(l),
        None => x,
    };
    if x0 < lo || x0 > hi {
        return None;
    }
    let n = l.map_or(1, |l| (hi - x0) / l + 1);
    let l = l.unwrap_or(1);
    // the position of index x0 in a run, and the position step per common
    // index, as (first, step)
    let pos = |r: &Run, rlo: i128, rst: i128| {
        let j = (x0 - rlo) / rst;
        if r.is_ascending() {
            (j, l / rst)
        } else {
            (r.count as i128 - 1 - j, -(l / rst))
        }
    };
    let (mut ka, mut kb) = (pos(&a, alo, ast), pos(&b, blo, bst));
    if n > 1 && ka.1 < 0 {
        // walk the common indices the other way so that `ka` runs forwards
        let rev = |(first, step): (i128, i128)| (first + (n - 1) * step, -step);
        (ka, kb) = (rev(ka), rev(kb));
    }
    Some((narrow(ka.0, n, ka.1)?, narrow(kb.0, n, kb.1)?))
}

/// The indices that the positions `inner` pick out of `outer`: the
/// `inner.index(t)`-th index of `outer`, for each `t`. `None` when `inner`
/// reaches past `outer` or the result does not fit a [`Run`].
pub(super) fn compose(outer: &Run, inner: &Run) -> Option<Run> {
    if inner.count == 0 {
        return narrow(0, 0, 1);
    }
    let (lo, _, hi) = bounds(inner);
    if lo < 0 || hi >= outer.count as i128 {
        return None;
    }
    let step = outer.step as i128;
    narrow(
        outer.first as i128 + inner.first as i128 * step,
        inner.count as i128,
        inner.step as i128 * step,
    )
}

/// The source hyperslabs of `map` restricted to the dest positions `keep`
/// (one forward run per dest axis, positions within that axis's slab).
/// `None` when the dest and source hyperslabs do not pair their axes one to
/// one (axes of one element aside), so the restriction cannot be expressed.
pub(super) fn restrict_src(map: &VirtualMap, keep: &[Run]) -> Option<Vec<Run>> {
    let whole = keep
        .iter()
        .zip(&map.dest)
        .all(|(k, d)| k.first == 0 && k.count == d.count);
    if whole {
        return Some(map.src.clone());
    }
    let dest: Vec<usize> = (0..map.dest.len())
        .filter(|&i| map.dest[i].count != 1)
        .collect();
    let src: Vec<usize> = (0..map.src.len())
        .filter(|&i| map.src[i].count != 1)
        .collect();
    if dest.len() != src.len()
        || dest
            .iter()
            .zip(&src)
            .any(|(&d, &s)| map.dest[d].count != map.src[s].count)
    {
        return None;
    }
    let mut out = map.src.clone();
    for (&d, &s) in dest.iter().zip(&src) {
        out[s] = compose(&map.src[s], &keep[d])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every run of a few indices, forwards and backwards, whose indices
    /// are all valid.
    fn small_runs() -> Vec<Run> {
        let mut runs = Vec::new();
        for first in 0..9usize {
            for count in 0..5usize {
                for step in [-4isize, -3, -2, -1, 1, 2, 3, 5] {
                    let last = first as isize + (count as isize - 1).max(0) * step;
                    if last >= 0 {
                        runs.push(Run::new(first, count, step));
                    }
                }
            }
        }
        runs
    }

    fn indices(r: Run) -> Vec<usize> {
        r.indices().collect()
    }

    /// The common indices, by brute force, as positions in both runs.
    fn brute(a: Run, b: Run) -> Vec<(usize, usize)> {
        let (ia, ib) = (indices(a), indices(b));
        let mut out = Vec::new();
        for (k, x) in ia.iter().enumerate() {
            if let Some(m) = ib.iter().position(|y| y == x) {
                out.push((k, m));
            }
        }
        out
    }

    #[test]
    fn intersections_match_brute_force() {
        let runs = small_runs();
        for &a in &runs {
            for &b in &runs {
                let want = brute(a, b);
                let got = intersect(a, b).map_or_else(Vec::new, |(ka, kb)| {
                    assert!(ka.is_ascending(), "{a:?} {b:?}");
                    assert_eq!(ka.count, kb.count, "{a:?} {b:?}");
                    indices(ka).into_iter().zip(indices(kb)).collect()
                });
                assert_eq!(got, want, "{a:?} ∩ {b:?}");
            }
        }
    }

    #[test]
    fn huge_steps_do_not_overflow() {
        let m = isize::MAX;
        let a = Run::new(0, 2, m);
        let b = Run::new(m as usize, 2, -m);
        let (ka, kb) = intersect(a, b).unwrap();
        assert_eq!((indices(ka), indices(kb)), (vec![0, 1], vec![1, 0]));
        let c = Run::new(1, 2, m - 2);
        assert_eq!(intersect(a, c), None);
        // the last indices of usize
        let top = Run::new(usize::MAX - 1, 2, -1);
        let (kt, kall) = intersect(top, Run::all(usize::MAX)).unwrap();
        assert_eq!(indices(kt), [0, 1]);
        assert_eq!(indices(kall), [usize::MAX - 1, usize::MAX - 2]);
    }

    #[test]
    fn compositions_pick_positions() {
        let runs = small_runs();
        for &outer in &runs {
            let idx = indices(outer);
            for &inner in &runs {
                let want: Option<Vec<usize>> =
                    inner.indices().map(|k| idx.get(k).copied()).collect();
                assert_eq!(
                    compose(&outer, &inner).map(indices),
                    want,
                    "{outer:?} through {inner:?}"
                );
            }
        }
        // steps that multiply past isize
        let wide = Run::new(0, 3, isize::MAX / 2 + 1);
        assert_eq!(compose(&wide, &Run::new(0, 2, 2)), None);
    }

    #[test]
    fn restrictions_follow_the_paired_axes() {
        let map = VirtualMap {
            dest: vec![Run::one(3), Run::strided(2, 4, 2)],
            file: "f.h5".into(),
            dataset: "/x".into(),
            src: vec![Run::strided(10, 4, 3), Run::one(0)],
        };
        let keep = [Run::one(0), Run::strided(1, 2, 2)];
        let src = restrict_src(&map, &keep).unwrap();
        assert_eq!(src, [Run::strided(13, 2, 6), Run::one(0)]);
        assert_eq!(
            restrict_src(&map, &[Run::one(0), Run::all(4)]).unwrap(),
            map.src
        );
        // axes that do not pair one to one
        let odd = VirtualMap {
            src: vec![Run::all(2), Run::all(2)],
            ..map
        };
        assert_eq!(restrict_src(&odd, &keep), None);
    }
}
