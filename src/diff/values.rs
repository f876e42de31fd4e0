//! Comparing values: the blocks a leaf is read in, and one typed loop per
//! block (the dtype is matched once per block, never per element).

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use ndarray::ArrayD;

use super::{Tolerance, ValueDiff};
use crate::error::{Error, Result};
use crate::selection::Selection;
use crate::values::{Array, Complex, DType};

/// The bytes of one element, for block sizes and progress (text: 16).
pub(super) fn elem_bytes(dtype: DType) -> usize {
    match dtype {
        DType::Str => 16,
        d => d.size(),
    }
}

/// True when leaves of these dtypes have values to compare: the same
/// dtype, or two numeric ones (compared as `f64`).
pub(super) fn comparable(a: DType, b: DType) -> bool {
    a == b || (a.is_numeric() && b.is_numeric())
}

// ------------------------------------------------------------------ blocks

/// How a part of a leaf (`shape`, from the origin) is read in blocks: a
/// block is one index on each axis before `split`, a run of `step`
/// indices on axis `split`, and every index of the axes after it, so it
/// is contiguous in C order and holds at most about `block_bytes`.
pub(super) struct Plan {
    shape: Vec<usize>,
    split: usize,
    step: usize,
    inner: u64,
}

impl Plan {
    pub(super) fn new(shape: &[usize], elem: usize, block_bytes: usize) -> Plan {
        let elem = elem.max(1) as u64;
        let block = block_bytes.max(1) as u64;
        let mut split = shape.len().saturating_sub(1);
        let mut inner = 1u64;
        // The outermost axis whose rows (everything after it) fit a block.
        for k in (0..shape.len()).rev() {
            let next = inner.saturating_mul(shape[k] as u64);
            if k > 0 && next.saturating_mul(elem) <= block {
                inner = next;
                split = k - 1;
            } else {
                split = k;
                break;
            }
        }
        let row = inner.saturating_mul(elem).max(1);
        let step = usize::try_from((block / row).max(1)).unwrap_or(usize::MAX);
        Plan {
            shape: shape.to_vec(),
            split,
            step,
            inner,
        }
    }

    /// The number of elements in the part.
    pub(super) fn total(&self) -> u64 {
        self.shape.iter().map(|&n| n as u64).product()
    }

    /// The blocks: each a selection, the flat index of its first element
    /// in the part, and its number of elements.
    pub(super) fn blocks(&self) -> Blocks<'_> {
        Blocks {
            plan: self,
            prefix: vec![0; self.split],
            start: 0,
            done: self.total() == 0,
        }
    }
}

/// The blocks of a [`Plan`], in C order.
pub(super) struct Blocks<'a> {
    plan: &'a Plan,
    /// The index on each axis before the split axis.
    prefix: Vec<usize>,
    /// The start of the next run on the split axis.
    start: usize,
    done: bool,
}

impl Iterator for Blocks<'_> {
    type Item = (Selection, u64, u64);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let plan = self.plan;
        if plan.shape.is_empty() {
            self.done = true;
            return Some((Selection::all(), 0, 1));
        }
        let len = plan.shape[plan.split];
        let stop = self.start.saturating_add(plan.step).min(len);
        let mut sel = Selection::new();
        let mut flat = 0u64;
        for (&i, &n) in self.prefix.iter().zip(&plan.shape) {
            sel = sel.index(i as isize);
            flat = flat * n as u64 + i as u64;
        }
        sel = sel.slice(self.start as isize, stop as isize, 1);
        let offset = (flat * len as u64 + self.start as u64) * plan.inner;
        let count = (stop - self.start) as u64 * plan.inner;
        // Advance: along the split axis, then the prefix as an odometer.
        self.start = stop;
        if self.start >= len {
            self.start = 0;
            let mut axis = self.prefix.len();
            loop {
                if axis == 0 {
                    self.done = true;
                    break;
                }
                axis -= 1;
                self.prefix[axis] += 1;
                if self.prefix[axis] < plan.shape[axis] {
                    break;
                }
                self.prefix[axis] = 0;
            }
        }
        Some((sel, offset, count))
    }
}

// ------------------------------------------------------------- comparing

/// Two blocks of one shape read from A and B, and the flat index of their
/// first element in the part compared.
pub(super) struct Block<'a> {
    pub a: &'a Array,
    pub b: &'a Array,
    pub offset: u64,
}

/// What one block comparison found.
#[derive(Default)]
struct Found {
    count: u64,
    first: Option<usize>,
    max_abs: Option<f64>,
    max_rel: Option<f64>,
}

impl Found {
    #[inline]
    fn hit(&mut self, i: usize, abs: f64, rel: f64) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(i);
        }
        if !abs.is_nan() {
            self.max_abs = Some(self.max_abs.map_or(abs, |m| m.max(abs)));
        }
        if !rel.is_nan() {
            self.max_rel = Some(self.max_rel.map_or(rel, |m| m.max(rel)));
        }
    }
}

/// The results of every block of one part.
pub(super) struct Acc {
    total: u64,
    count: u64,
    first: Option<(u64, Array, Array)>,
    max_abs: Option<f64>,
    max_rel: Option<f64>,
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl Acc {
    pub(super) fn new(total: u64) -> Acc {
        Acc {
            total,
            count: 0,
            first: None,
            max_abs: None,
            max_rel: None,
        }
    }

    /// Compare one block.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the two blocks read differ in shape or hold
    /// values that cannot be compared (which the walk rules out first).
    pub(super) fn add(
        &mut self,
        block: &Block<'_>,
        tol: &Tolerance,
        path: &str,
        file: &Path,
    ) -> Result<()> {
        let invalid = |reason: String| Error::Invalid {
            file: file.to_path_buf(),
            path: path.to_string(),
            reason,
        };
        if block.a.shape() != block.b.shape() {
            return Err(invalid(format!(
                "blocks read of shapes {:?} and {:?} cannot be compared",
                block.a.shape(),
                block.b.shape()
            )));
        }
        let found = compare(block.a, block.b, tol).ok_or_else(|| {
            invalid(format!(
                "values of dtypes {} and {} cannot be compared",
                block.a.dtype(),
                block.b.dtype()
            ))
        })?;
        if found.count == 0 {
            return Ok(());
        }
        self.count += found.count;
        self.max_abs = max_opt(self.max_abs, found.max_abs);
        self.max_rel = max_opt(self.max_rel, found.max_rel);
        if self.first.is_none() {
            if let Some(i) = found.first {
                if let (Some(x), Some(y)) = (elem_at(block.a, i), elem_at(block.b, i)) {
                    self.first = Some((block.offset + i as u64, x, y));
                }
            }
        }
        Ok(())
    }

    /// True when a difference was found.
    pub(super) fn differs(&self) -> bool {
        self.count > 0
    }

    /// The differences found in a part of `shape`, if any.
    pub(super) fn finish(self, shape: &[usize]) -> Option<ValueDiff> {
        if self.count == 0 {
            return None;
        }
        let (flat, a, b) = self.first?;
        Some(ValueDiff {
            count: self.count,
            total: self.total,
            first: unravel(flat, shape),
            a,
            b,
            max_abs: self.max_abs,
            max_rel: self.max_rel,
        })
    }
}

/// The n-d index (C order) of flat index `flat` in `shape`.
fn unravel(mut flat: u64, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (k, &n) in shape.iter().enumerate().rev() {
        let n = (n as u64).max(1);
        index[k] = (flat % n) as usize;
        flat /= n;
    }
    index
}

/// The elements of `a` in C order, borrowed when it is laid out so.
fn slice<T: Clone>(a: &ArrayD<T>) -> Cow<'_, [T]> {
    match a.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(a.iter().cloned().collect()),
    }
}

/// Element `i` (C order) of `a` as a 0-d array.
fn elem_at(a: &Array, i: usize) -> Option<Array> {
    qnd_storage::with_array!(a, x => slice(x).get(i).cloned().map(Array::scalar))
}

/// Compare two blocks of one shape; `None` when their dtypes have no
/// values in common (a number against bool or text).
fn compare(a: &Array, b: &Array, tol: &Tolerance) -> Option<Found> {
    use Array::*;
    Some(match (a, b) {
        (F64(x), F64(y)) => numbers(&slice(x), &slice(y), tol),
        (F32(x), F32(y)) => numbers(&slice(x), &slice(y), tol),
        (I8(x), I8(y)) => numbers(&slice(x), &slice(y), tol),
        (I16(x), I16(y)) => numbers(&slice(x), &slice(y), tol),
        (I32(x), I32(y)) => numbers(&slice(x), &slice(y), tol),
        (I64(x), I64(y)) => numbers(&slice(x), &slice(y), tol),
        (U8(x), U8(y)) => numbers(&slice(x), &slice(y), tol),
        (U16(x), U16(y)) => numbers(&slice(x), &slice(y), tol),
        (U32(x), U32(y)) => numbers(&slice(x), &slice(y), tol),
        (U64(x), U64(y)) => numbers(&slice(x), &slice(y), tol),
        (C16(x), C16(y)) => complex(&slice(x), &slice(y), tol),
        (Bool(x), Bool(y)) => exact(&slice(x), &slice(y)),
        (Str(x), Str(y)) => exact(&slice(x), &slice(y)),
        _ if a.dtype().is_complex() || b.dtype().is_complex() => {
            // complex with c8 or a real dtype: as complex128 (exact for
            // every type but 64-bit integers, which round as for f64)
            let (x, y) = (a.to_c64()?, b.to_c64()?);
            complex(&slice(&x), &slice(&y), tol)
        }
        _ => {
            // Two numeric dtypes: compare the values as f64.
            let (x, y) = (a.to_f64()?, b.to_f64()?);
            numbers(&slice(&x), &slice(&y), tol)
        }
    })
}

/// A number type the comparison loop works on.
trait Num: Copy {
    /// The bits, to find equal runs fast (equal bits: equal values).
    fn bits(self) -> u64;
    /// Equal exactly (NaN equals NaN; `-0.0` equals `0.0`).
    fn same(self, other: Self) -> bool;
    /// `|self - other|`, exact for integers up to `f64`'s rounding.
    fn abs_diff(self, other: Self) -> f64;
    /// `|self|`.
    fn magnitude(self) -> f64;
    /// Not NaN nor infinite.
    fn finite(self) -> bool;
}

macro_rules! int_num {
    ($($t:ty),*) => {$(
        impl Num for $t {
            #[inline(always)]
            fn bits(self) -> u64 {
                self as u64
            }
            #[inline(always)]
            fn same(self, other: Self) -> bool {
                self == other
            }
            #[inline(always)]
            fn abs_diff(self, other: Self) -> f64 {
                (self as i128 - other as i128).unsigned_abs() as f64
            }
            #[inline(always)]
            fn magnitude(self) -> f64 {
                (self as i128).unsigned_abs() as f64
            }
            #[inline(always)]
            fn finite(self) -> bool {
                true
            }
        }
    )*};
}
int_num!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! float_num {
    ($($t:ty),*) => {$(
        impl Num for $t {
            #[inline(always)]
            fn bits(self) -> u64 {
                u64::from(self.to_bits())
            }
            #[inline(always)]
            fn same(self, other: Self) -> bool {
                self == other || (self.is_nan() && other.is_nan())
            }
            #[inline(always)]
            fn abs_diff(self, other: Self) -> f64 {
                (f64::from(self) - f64::from(other)).abs()
            }
            #[inline(always)]
            fn magnitude(self) -> f64 {
                f64::from(self).abs()
            }
            #[inline(always)]
            fn finite(self) -> bool {
                self.is_finite()
            }
        }
    )*};
}
float_num!(f32, f64);

/// Elements compared at a time by the fast pass: a run whose bits are all
/// equal is equal, whatever the tolerance.
const RUN: usize = 1024;

/// Compare two slices of numbers within `tol`.
fn numbers<T: Num>(a: &[T], b: &[T], tol: &Tolerance) -> Found {
    let mut found = Found::default();
    let exact = tol.is_exact();
    for (r, (ra, rb)) in a.chunks(RUN).zip(b.chunks(RUN)).enumerate() {
        // No early exit, so this vectorises: OR of XORs of the bits.
        let bits = ra
            .iter()
            .zip(rb)
            .fold(0u64, |acc, (&x, &y)| acc | (x.bits() ^ y.bits()));
        if bits == 0 {
            continue;
        }
        for (i, (&x, &y)) in ra.iter().zip(rb).enumerate() {
            if x.same(y) {
                continue;
            }
            let abs = x.abs_diff(y);
            let mag = y.magnitude();
            if !exact && x.finite() && y.finite() && abs <= tol.atol + tol.rtol * mag {
                continue;
            }
            found.hit(r * RUN + i, abs, abs / mag);
        }
    }
    found
}

/// Compare two slices of complex numbers within `tol`: `|a - b| <= atol +
/// rtol * |b|` with the complex modulus (numpy's `isclose`); a NaN part
/// equals a NaN part in the same place; non-finite values must be equal.
fn complex(a: &[Complex<f64>], b: &[Complex<f64>], tol: &Tolerance) -> Found {
    let part = |x: f64, y: f64| x == y || (x.is_nan() && y.is_nan());
    let mut found = Found::default();
    let exact = tol.is_exact();
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        if part(x.re, y.re) && part(x.im, y.im) {
            continue;
        }
        let abs = (x - y).norm();
        let mag = y.norm();
        if !exact && x.is_finite() && y.is_finite() && abs <= tol.atol + tol.rtol * mag {
            continue;
        }
        found.hit(i, abs, abs / mag);
    }
    found
}

/// Compare two slices exactly (bool, text).
fn exact<T: PartialEq>(a: &[T], b: &[T]) -> Found {
    let mut found = Found::default();
    if a == b {
        return found;
    }
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            found.count += 1;
            if found.first.is_none() {
                found.first = Some(i);
            }
        }
    }
    found
}

/// True when two attribute values are equal: dtype, shape, and values
/// (numbers within `tol`).
pub(super) fn attr_equal(a: &Array, b: &Array, tol: &Tolerance) -> bool {
    a.dtype() == b.dtype()
        && a.shape() == b.shape()
        && compare(a, b, tol).is_some_and(|f| f.count == 0)
}

// ------------------------------------------------------------- display

/// Write one element as a value (text quoted).
fn show_one(f: &mut fmt::Formatter<'_>, a: &Array, i: usize) -> fmt::Result {
    use Array::*;
    let s = |x| match x {
        Some(x) => x,
        None => String::from("?"),
    };
    let text = match a {
        Str(x) => s(slice(x).get(i).map(|v| format!("{v:?}"))),
        Bool(x) => s(slice(x).get(i).map(|v| v.to_string())),
        F64(x) => s(slice(x).get(i).map(|&v| float(v, v))),
        F32(x) => s(slice(x).get(i).map(|&v| float(v, f64::from(v)))),
        C16(x) => s(slice(x).get(i).map(|&z| complex_text(z.re, z.im))),
        C8(x) => s(slice(x).get(i).map(|&z| {
            let (re, im) = (f64::from(z.re), f64::from(z.im));
            complex_repr(float(z.re, re), re, float(z.im.abs(), im.abs()), im)
        })),
        I8(x) => s(slice(x).get(i).map(|v| v.to_string())),
        I16(x) => s(slice(x).get(i).map(|v| v.to_string())),
        I32(x) => s(slice(x).get(i).map(|v| v.to_string())),
        I64(x) => s(slice(x).get(i).map(|v| v.to_string())),
        U8(x) => s(slice(x).get(i).map(|v| v.to_string())),
        U16(x) => s(slice(x).get(i).map(|v| v.to_string())),
        U32(x) => s(slice(x).get(i).map(|v| v.to_string())),
        U64(x) => s(slice(x).get(i).map(|v| v.to_string())),
    };
    f.write_str(&text)
}

/// `x` in its shortest form that reads back, as numpy's `repr` shows a
/// float: positional from 1e-4 to 1e16 (`0.25`, `1234.5`), else with an
/// exponent (`1e-9`, `2.5e20`); `value` is `x` as f64, to choose.
pub(super) fn float<T: fmt::Display + fmt::LowerExp>(x: T, value: f64) -> String {
    let size = value.abs();
    if size == 0.0 || !size.is_finite() || (1e-4..1e16).contains(&size) {
        x.to_string()
    } else {
        format!("{x:e}")
    }
}

/// A complex value as numpy's repr writes it: `(1+2j)`, `(1.5-0.25j)`,
/// `2j` for a real part of +0, `(nan+infj)`; `re` and `im_abs` are the
/// parts already written (the imaginary part without its sign).
pub(super) fn complex_repr(re: String, re_value: f64, im_abs: String, im_value: f64) -> String {
    let im_abs = match im_abs.as_str() {
        "NaN" => "nan".to_string(),
        "inf" => "inf".to_string(),
        _ => im_abs,
    };
    let sign = if im_value.is_sign_negative() && !im_value.is_nan() {
        '-'
    } else {
        '+'
    };
    if re_value == 0.0 && re_value.is_sign_positive() {
        return if sign == '-' {
            format!("-{im_abs}j")
        } else {
            format!("{im_abs}j")
        };
    }
    let re = if re_value.is_nan() {
        "nan".to_string()
    } else {
        re
    };
    format!("({re}{sign}{im_abs}j)")
}

/// A `c16` value as numpy's repr writes it (see [`complex_repr`]).
pub(crate) fn complex_text(re: f64, im: f64) -> String {
    complex_repr(float(re, re), re, float(im.abs(), im.abs()), im)
}

/// Write a 0-d array (an element) as its value.
pub(super) fn show_elem(f: &mut fmt::Formatter<'_>, a: &Array) -> fmt::Result {
    show_one(f, a, 0)
}

/// At most this many elements of an attribute are shown.
const SHOWN: usize = 8;

/// Write an attribute's value: a scalar as itself, an array as `[1, 2,
/// ...]`; with `typed`, its dtype (and shape, for an array) first.
pub(super) fn show_attr(f: &mut fmt::Formatter<'_>, a: &Array, typed: bool) -> fmt::Result {
    if typed {
        write!(f, "{} ", a.dtype())?;
        if !a.shape().is_empty() {
            write!(f, "{:?} ", a.shape())?;
        }
    }
    if a.shape().is_empty() {
        return show_one(f, a, 0);
    }
    f.write_str("[")?;
    let n = a.size();
    for i in 0..n.min(SHOWN) {
        if i > 0 {
            f.write_str(", ")?;
        }
        show_one(f, a, i)?;
    }
    if n > SHOWN {
        f.write_str(", ...")?;
    }
    f.write_str("]")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(shape: &[usize], elem: usize, block: usize) -> Vec<(String, u64, u64)> {
        Plan::new(shape, elem, block)
            .blocks()
            .map(|(s, o, c)| (format!("{:?}", s.axes()), o, c))
            .collect()
    }

    #[test]
    fn plans_cover_the_part_in_order() {
        // Rows of 3 f8 (24 bytes), blocks of 50 bytes: 2 rows a block.
        let b = blocks(&[5, 3], 8, 50);
        let offsets: Vec<(u64, u64)> = b.iter().map(|(_, o, c)| (*o, *c)).collect();
        assert_eq!(offsets, [(0, 6), (6, 6), (12, 3)]);
        // A row larger than a block: split the next axis, one index on axis 0.
        let b = blocks(&[2, 4, 3], 8, 50);
        let offsets: Vec<(u64, u64)> = b.iter().map(|(_, o, c)| (*o, *c)).collect();
        assert_eq!(offsets, [(0, 6), (6, 6), (12, 6), (18, 6)]);
        assert!(b[1].0.contains("Index(0)"), "{b:?}");
        assert!(b[2].0.contains("Index(1)"), "{b:?}");
        // Scalars: one block; empty parts: none.
        assert_eq!(blocks(&[], 8, 50).len(), 1);
        assert!(blocks(&[3, 0], 8, 50).is_empty());
        // Elements larger than a block: one element at a time.
        let b = blocks(&[2, 2], 8, 1);
        assert_eq!(b.len(), 4);
        assert_eq!(b[3].1, 3);
        // Everything in one block.
        assert_eq!(blocks(&[4, 5, 6], 8, 1 << 20).len(), 1);
    }

    #[test]
    fn unravel_is_c_order() {
        assert_eq!(unravel(7, &[3, 4]), [1, 3]);
        assert_eq!(unravel(0, &[]), Vec::<usize>::new());
        assert_eq!(unravel(23, &[2, 3, 4]), [1, 2, 3]);
    }

    #[test]
    fn complex_shows_as_numpy_repr() {
        assert_eq!(complex_text(1.0, 2.0), "(1+2j)");
        assert_eq!(complex_text(1.5, -0.25), "(1.5-0.25j)");
        assert_eq!(complex_text(0.0, 2.0), "2j");
        assert_eq!(complex_text(-0.0, 2.0), "(-0+2j)");
        assert_eq!(complex_text(f64::NAN, f64::INFINITY), "(nan+infj)");
        assert_eq!(complex_text(1.0, f64::NEG_INFINITY), "(1-infj)");
    }

    #[test]
    fn complex_compares_by_modulus() {
        let c = |re, im| Complex::new(re, im);
        let a = Array::C16(ndarray::array![c(1.0, 1.0), c(f64::NAN, 2.0), c(3.0, 0.0)].into_dyn());
        let b = Array::C16(ndarray::array![c(1.0, 1.0), c(f64::NAN, 2.0), c(3.0, 1e-9)].into_dyn());
        let f = compare(&a, &b, &Tolerance::EXACT).unwrap();
        assert_eq!((f.count, f.first), (1, Some(2)));
        let tol = Tolerance {
            rtol: 0.0,
            atol: 1e-8,
        };
        assert_eq!(compare(&a, &b, &tol).unwrap().count, 0);
        // the imaginary part counts: a real 3 is not 3+1j
        let r = Array::F64(ndarray::array![1.0, 2.0, 3.0].into_dyn());
        let c8 = |re: f32, im: f32| Complex::new(re, im);
        let z = Array::C8(ndarray::array![c8(1.0, 0.0), c8(2.0, 0.0), c8(3.0, 1.0)].into_dyn());
        let f = compare(
            &r,
            &z,
            &Tolerance {
                rtol: 0.1,
                atol: 0.0,
            },
        )
        .unwrap();
        assert_eq!((f.count, f.first), (1, Some(2)));
        assert!(comparable(DType::C8, DType::F64));
    }

    #[test]
    fn floats_show_as_numpy_repr() {
        assert_eq!(float(0.25, 0.25), "0.25");
        assert_eq!(float(1e-9, 1e-9), "1e-9");
        assert_eq!(float(-2.5e20, -2.5e20), "-2.5e20");
        assert_eq!(float(0.0, 0.0), "0");
        assert_eq!(float(f64::NAN, f64::NAN), "NaN");
        assert_eq!(float(1e-3f32, f64::from(1e-3f32)), "0.001");
        assert_eq!(float(1.1e-5f32, f64::from(1.1e-5f32)), "1.1e-5");
    }

    #[test]
    fn numbers_find_first_and_maxima() {
        let tol = Tolerance::EXACT;
        let a: Vec<f64> = (0..3000).map(f64::from).collect();
        let mut b = a.clone();
        b[2500] = 2500.5;
        b[2999] = 3001.0;
        let f = numbers(&a, &b, &tol);
        assert_eq!((f.count, f.first), (2, Some(2500)));
        assert_eq!(f.max_abs, Some(2.0));
        assert_eq!(f.max_rel, Some(2.0 / 3001.0));
        // NaN equals NaN; NaN against a number differs with no maximum.
        let f = numbers(&[f64::NAN, 1.0, 0.0], &[f64::NAN, f64::NAN, -0.0], &tol);
        assert_eq!((f.count, f.first, f.max_abs), (1, Some(1), None));
        // Integers: exact differences, even at the ends of i64.
        let f = numbers(&[i64::MIN], &[i64::MAX], &tol);
        assert_eq!(f.max_abs, Some(u64::MAX as f64));
        // Tolerance boundary: |a - b| <= atol + rtol |b|.
        let t = Tolerance::new(0.0, 0.5);
        assert_eq!(numbers(&[1.0], &[1.5], &t).count, 0);
        assert_eq!(numbers(&[1.0], &[1.5000001], &t).count, 1);
        let t = Tolerance::new(0.5, 0.0);
        assert_eq!(numbers(&[1i32], &[2], &t).count, 0); // 1 <= 0.5 * 2
        assert_eq!(numbers(&[2i32], &[1], &t).count, 1); // 1 > 0.5 * 1
                                                         // Infinities: only themselves, whatever the tolerance.
        let t = Tolerance::new(1.0, 1.0);
        assert_eq!(numbers(&[f64::INFINITY], &[f64::INFINITY], &t).count, 0);
        assert_eq!(numbers(&[1.0], &[f64::INFINITY], &t).count, 1);
    }

    #[test]
    fn tolerance_close_matches_the_loop() {
        let t = Tolerance::new(1e-3, 1e-6);
        for (x, y) in [
            (1.0, 1.001),
            (1.0, 1.0011),
            (0.0, 1e-6),
            (f64::NAN, f64::NAN),
        ] {
            let looped = numbers(&[x], &[y], &t).count == 0;
            assert_eq!(t.close(x, y), looped, "{x} {y}");
        }
    }
}
