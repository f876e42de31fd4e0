//! Lazy views (`Scaled`, `Sum`, `Or`, `Stacked`): every read compared with
//! the same computation on fully materialized ndarray arrays with the same
//! selection (applied here by a numpy-semantics gather written
//! independently of the library), writes read back through the leaves of
//! a memory file, the errors, and property tests of random selections.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ndarray::{array, s, ArrayD, Axis as NdAxis, Dimension, IxDyn};
use proptest::prelude::*;
use qnd::backend::{Run, VirtualMap};
use qnd::lazy::{Lazy, LazyArray, LazyExt, Or, Scaled, Stacked, Sum};
use qnd::selection::Region;
use qnd::selection::SelectRegion;
use qnd::{Array, Axis, DType, Element, Error, QGroup, Selection};

// ------------------------------------------------------------------ helpers

/// The indices numpy takes for `arg` on an axis of length `n`, and whether
/// the axis is kept (written from numpy's rules, not from the library).
fn numpy_axis(arg: Axis, n: usize) -> (Vec<usize>, bool) {
    let n = n as i64;
    match arg {
        Axis::Index(i) => {
            let j = if i < 0 { i as i64 + n } else { i as i64 };
            assert!((0..n).contains(&j), "test bug: index {i} for length {n}");
            (vec![j as usize], false)
        }
        Axis::Slice { start, stop, step } => {
            let step = step as i64;
            let mut v = Vec::new();
            if step > 0 {
                let norm = |x: isize| {
                    let x = x as i64;
                    if x < 0 {
                        (x + n).max(0)
                    } else {
                        x.min(n)
                    }
                };
                let (mut k, e) = (start.map_or(0, norm), stop.map_or(n, norm));
                while k < e {
                    v.push(k as usize);
                    k += step;
                }
            } else {
                let norm = |x: isize| {
                    let x = x as i64;
                    if x < 0 {
                        (x + n).max(-1)
                    } else {
                        x.min(n - 1)
                    }
                };
                let (mut k, e) = (start.map_or(n - 1, norm), stop.map_or(-1, norm));
                while k > e {
                    v.push(k as usize);
                    k += step;
                }
            }
            (v, true)
        }
        Axis::NdSlice { .. } => unreachable!("tests use numpy slices"),
    }
}

#[test]
fn the_helper_follows_python_slicing() {
    // list(range(5))[a:b:c] in Python
    for (a, b, c, want) in [
        (None, None, -2, vec![4, 2, 0]),
        (Some(4), Some(-6), -1, vec![4, 3, 2, 1, 0]),
        (Some(-2), None, 3, vec![3]),
        (Some(5), Some(1), -2, vec![4, 2]),
        (None, Some(-5), -3, vec![4, 1]),
        (Some(1), None, -1, vec![1, 0]),
    ] {
        assert_eq!(numpy_axis(sl(a, b, c), 5), (want, true), "{a:?}:{b:?}:{c}");
    }
    assert_eq!(numpy_axis(Axis::Index(-5), 5), (vec![0], false));
}

fn full() -> Axis {
    Axis::Slice {
        start: None,
        stop: None,
        step: 1,
    }
}

fn sl(start: impl Into<Option<isize>>, stop: impl Into<Option<isize>>, step: isize) -> Axis {
    Axis::Slice {
        start: start.into(),
        stop: stop.into(),
        step,
    }
}

/// Per axis of `shape`: the indices `sel` takes and whether it is kept.
fn plan(shape: &[usize], sel: &[Axis]) -> Vec<(Vec<usize>, bool)> {
    assert!(sel.len() <= shape.len());
    shape
        .iter()
        .enumerate()
        .map(|(i, &n)| numpy_axis(sel.get(i).copied().unwrap_or_else(full), n))
        .collect()
}

fn out_shape(shape: &[usize], sel: &[Axis]) -> Vec<usize> {
    plan(shape, sel)
        .into_iter()
        .filter(|a| a.1)
        .map(|a| a.0.len())
        .collect()
}

/// The index into the full array of element `o` of the selection.
fn source_index(plan: &[(Vec<usize>, bool)], o: &[usize]) -> Vec<usize> {
    let mut k = 0;
    plan.iter()
        .map(|(ix, keep)| {
            if *keep {
                k += 1;
                ix[o[k - 1]]
            } else {
                ix[0]
            }
        })
        .collect()
}

/// numpy's `x[sel]`, element by element.
fn gather<T: Clone>(x: &ArrayD<T>, sel: &[Axis]) -> ArrayD<T> {
    let p = plan(x.shape(), sel);
    let out: Vec<usize> = p.iter().filter(|a| a.1).map(|a| a.0.len()).collect();
    ArrayD::from_shape_fn(IxDyn(&out), |o| {
        x[IxDyn(&source_index(&p, o.slice()))].clone()
    })
}

/// numpy's `x[sel] = data`, element by element.
fn scatter<T: Clone>(x: &mut ArrayD<T>, sel: &[Axis], data: &ArrayD<T>) {
    let p = plan(x.shape(), sel);
    for o in ndarray::indices(data.shape()) {
        x[IxDyn(&source_index(&p, o.slice()))] = data[&o].clone();
    }
}

/// numpy's `stack(parts, axis)`.
fn np_stack<T: Clone>(parts: &[ArrayD<T>], axis: isize) -> ArrayD<T> {
    let nd = parts[0].ndim() as isize;
    let a = if axis < 0 { axis + nd + 1 } else { axis } as usize;
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    ndarray::stack(NdAxis(a), &views).unwrap()
}

fn arange(shape: &[usize], from: i64) -> ArrayD<i64> {
    let n: usize = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), (0..n as i64).map(|k| from + k).collect()).unwrap()
}

/// Leaves `p0, p1, ...` of a memory file holding `parts`, as lazy arrays.
fn leaves<T: Element>(parts: &[ArrayD<T>]) -> (QGroup, Vec<Lazy>) {
    let f = qnd::memory();
    let lazies = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let name = format!("p{i}");
            f.set(&name, p.clone()).unwrap();
            Lazy::new(f.leaf(&name).unwrap())
        })
        .collect();
    (f, lazies)
}

fn sel(axes: &[Axis]) -> Selection {
    Selection::from(axes.to_vec())
}

fn read_sel(a: &impl LazyArray, axes: &[Axis]) -> Array {
    a.read_part::<Array>(sel(axes)).unwrap()
}

/// Counts the elements read from an in-memory array.
struct Probe {
    a: Array,
    read: Arc<AtomicUsize>,
    name: String,
}

impl LazyArray for Probe {
    fn shape(&self) -> qnd::Result<Vec<usize>> {
        Ok(self.a.shape().to_vec())
    }
    fn dtype(&self) -> qnd::Result<DType> {
        Ok(self.a.dtype())
    }
    fn describe(&self) -> String {
        self.name.clone()
    }
    fn read_region(&self, region: &Region) -> qnd::Result<Array> {
        self.read.fetch_add(region.size(), Ordering::SeqCst);
        Ok(self.a.select_region(region))
    }
}

fn probes(parts: &[ArrayD<i64>]) -> (Vec<Lazy>, Vec<Arc<AtomicUsize>>) {
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let read = Arc::new(AtomicUsize::new(0));
            let probe = Probe {
                a: Array::from(p.clone()),
                read: read.clone(),
                name: format!("probe {i}"),
            };
            (Lazy::new(probe), read)
        })
        .unzip()
}

fn counts(c: &[Arc<AtomicUsize>]) -> Vec<usize> {
    c.iter().map(|c| c.swap(0, Ordering::SeqCst)).collect()
}

// ------------------------------------------------------------------- Scaled

#[test]
fn scaled_reads_multiply_and_writes_divide_into_the_base() {
    let m = array![[1, 2, 3], [4, 5, 6]].into_dyn();
    let (f, l) = leaves(std::slice::from_ref(&m));
    let x = Scaled::new(l[0].clone(), 0.5).unwrap();
    assert_eq!(x.shape().unwrap(), vec![2, 3]);
    assert_eq!(x.dtype().unwrap(), DType::F64);
    for axes in [
        vec![],
        vec![Axis::Index(-1), sl(None, None, -2)],
        vec![sl(1, None, 1), Axis::Index(1)],
    ] {
        let want = gather(&m, &axes).mapv(|v| v as f64 * 0.5);
        assert_eq!(read_sel(&x, &axes), Array::from(want), "{axes:?}");
    }
    // write 10.0 and 2.5 at [1, ::-2] -> 20 and 5 in the i32 base
    x.write_part(
        sel(&[Axis::Index(1), sl(None, None, -2)]),
        array![10.0, 2.5],
    )
    .unwrap();
    assert_eq!(
        f.read::<ArrayD<i32>>("p0").unwrap(),
        array![[1, 2, 3], [5, 5, 20]].into_dyn()
    );
    // a view of a view: the write lands in the tree too
    let col = Lazy::new(x.clone()).select(s![.., 1]).unwrap();
    col.write_part(s![..], array![-1.0, 7.0]).unwrap();
    assert_eq!(
        f.read::<ArrayD<i32>>("p0").unwrap(),
        array![[1, -2, 3], [5, 14, 20]].into_dyn()
    );
    assert_eq!(col.read::<Vec<f64>>().unwrap(), [-1.0, 7.0]);
    // a single value fills the selection
    x.write_part(s![0, ..], 1.5).unwrap();
    assert_eq!(
        f.read::<ArrayD<i32>>("p0").unwrap(),
        array![[3, 3, 3], [5, 14, 20]].into_dyn()
    );
}

#[test]
fn scaled_float_bases_keep_their_dtype() {
    let a32 = array![1.5f32, -2.25, 3.0].into_dyn();
    let a64 = array![1.5f64, -2.25, 3.0].into_dyn();
    let f = qnd::memory();
    f.set("a32", a32.clone()).unwrap();
    f.set("a64", a64.clone()).unwrap();
    let x32 = Scaled::new(Lazy::new(f.leaf("a32").unwrap()), 0.1).unwrap();
    let x64 = Scaled::new(Lazy::new(f.leaf("a64").unwrap()), 0.1).unwrap();
    assert_eq!(x32.dtype().unwrap(), DType::F32);
    assert_eq!(x64.dtype().unwrap(), DType::F64);
    let axes = [sl(None, None, -1)];
    let want32 = gather(&a32, &axes).mapv(|v| (f64::from(v) * 0.1) as f32);
    assert_eq!(read_sel(&x32, &axes), Array::from(want32));
    let want64 = gather(&a64, &axes).mapv(|v| v * 0.1);
    assert_eq!(read_sel(&x64, &axes), Array::from(want64));
    x32.write_part(s![1..], array![1.0f32, 2.0]).unwrap();
    assert_eq!(
        f.read::<Vec<f32>>("a32").unwrap(),
        [1.5, (1.0f64 / 0.1) as f32, (2.0f64 / 0.1) as f32]
    );
    x64.write_part(s![0], 4.0).unwrap();
    assert_eq!(f.read::<Vec<f64>>("a64").unwrap(), [4.0 / 0.1, -2.25, 3.0]);
    // a finite value whose quotient overflows f32 is refused
    let e = x32.write_part(s![0], 1e38f32).unwrap_err();
    assert!(e.to_string().contains("does not fit"), "{e}");
}

#[test]
fn scaled_integer_writes_are_exact_or_refused() {
    let f = qnd::memory();
    f.set("i", array![0i32, 0, 0]).unwrap();
    f.set("b", array![0i8, 0]).unwrap();
    let x = Scaled::new(Lazy::new(f.leaf("i").unwrap()), 0.1).unwrap();
    // 0.3 / 0.1 is 2.9999999999999996: a whole number up to rounding
    x.write_part(s![0], 0.3).unwrap();
    x.write_part(s![1], -70.0).unwrap();
    assert_eq!(f.read::<Vec<i32>>("i").unwrap(), [3, -700, 0]);
    // 0.35 / 0.1 is not a whole number: refused, nothing written
    let e = x.write_part(s![..], array![1.0, 0.35, 2.0]).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Invalid { .. }), "{e}");
    assert!(msg.contains("0.35") && msg.contains("i4"), "{msg}");
    assert!(
        msg.starts_with("<lazy>: ") && msg.contains("scaled by 0.1"),
        "{msg}"
    );
    assert_eq!(f.read::<Vec<i32>>("i").unwrap(), [3, -700, 0]);
    let e = x.write_part(s![2], f64::NAN).unwrap_err();
    assert!(e.to_string().contains("NaN"), "{e}");
    // out of the base's range
    let y = Scaled::new(Lazy::new(f.leaf("b").unwrap()), 2.0).unwrap();
    y.write_part(s![..], array![254.0, -256.0]).unwrap();
    assert_eq!(f.read::<Vec<i8>>("b").unwrap(), [127, -128]);
    let e = y.write_part(s![0], 256.0).unwrap_err();
    assert!(e.to_string().contains("i1"), "{e}");
    assert_eq!(f.read::<Vec<i8>>("b").unwrap(), [127, -128]);
}

#[test]
fn scaled_factor_zero_reads_but_cannot_be_written() {
    let f = qnd::memory();
    f.set("x", array![1.0, 2.0]).unwrap();
    let z = Scaled::new(Lazy::new(f.leaf("x").unwrap()), 0.0).unwrap();
    assert_eq!(z.read::<Vec<f64>>().unwrap(), [0.0, 0.0]);
    let e = z.write_part(s![0], 1.0).unwrap_err();
    assert!(matches!(e, Error::Invalid { .. }), "{e}");
    assert!(e.to_string().contains("factor 0 cannot be inverted"), "{e}");
    assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [1.0, 2.0]);
}

#[test]
fn scaled_refuses_bool_and_text_bases() {
    for base in [
        Array::from(array![true, false]),
        Array::from(array![String::from("a")]),
    ] {
        let e = Scaled::new(Lazy::new(base), 2.0).unwrap_err();
        assert!(matches!(e, Error::Mismatch { .. }), "{e}");
        assert!(e.to_string().contains("numeric"), "{e}");
    }
    // writing text into a numeric view is a mismatch
    let x = Scaled::new(Lazy::new(Array::from(array![1.0])), 2.0).unwrap();
    assert!(x.write_part(s![0], "a").is_err());
}

// ---------------------------------------------------------------------- Sum

#[test]
fn sum_widens_to_a_common_dtype() {
    let a = array![[1i16, 2, 3], [4, 5, 6]].into_dyn();
    let b = array![[10.5f32, 20.0, 30.0], [40.0, 50.0, 60.0]].into_dyn();
    let c = array![[100i32, 200, 300], [400, 500, 600]].into_dyn();
    let u = array![[1u8, 1, 1], [1, 1, 1]].into_dyn();
    let la = Lazy::new(Array::from(a.clone()));
    let lb = Lazy::new(Array::from(b.clone()));
    let lc = Lazy::new(Array::from(c.clone()));
    let lu = Lazy::new(Array::from(u.clone()));
    let axes = [sl(None, None, -1), sl(-1, 0, -2)];
    // i2 + f4: f4
    let ab = Sum::new([la.clone(), lb.clone()]).unwrap();
    assert_eq!(ab.dtype().unwrap(), DType::F32);
    let want = gather(&a.mapv(f32::from), &axes) + gather(&b, &axes);
    assert_eq!(read_sel(&ab, &axes), Array::from(want));
    // i2 + f4 + i4: f8
    let abc = Sum::new([la.clone(), lb.clone(), lc.clone()]).unwrap();
    assert_eq!(abc.dtype().unwrap(), DType::F64);
    let want = gather(&a.mapv(f64::from), &axes)
        + gather(&b.mapv(f64::from), &axes)
        + gather(&c.mapv(f64::from), &axes);
    assert_eq!(read_sel(&abc, &axes), Array::from(want));
    // u1 + i2: i2; u1 + i4 + i2: i4
    let ua = Sum::new([lu.clone(), la.clone()]).unwrap();
    assert_eq!(ua.dtype().unwrap(), DType::I16);
    assert_eq!(
        read_sel(&ua, &[Axis::Index(1)]),
        Array::from(array![5i16, 6, 7])
    );
    let uca = Sum::new([lu.clone(), lc.clone(), la.clone()]).unwrap();
    assert_eq!(uca.dtype().unwrap(), DType::I32);
    // i8 + u8 has no common integer type: f8
    let big = Sum::new([
        Lazy::new(Array::from(array![-1i64])),
        Lazy::new(Array::from(array![3u64])),
    ])
    .unwrap();
    assert_eq!(big.dtype().unwrap(), DType::F64);
    assert_eq!(big.read::<Array>().unwrap(), Array::from(array![2.0]));
    // one part: itself
    let one = Sum::new([lc.clone()]).unwrap();
    assert_eq!(one.read::<Array>().unwrap(), Array::from(c));
}

#[test]
fn sum_of_leaves_is_read_only() {
    let (_f, l) = leaves(&[arange(&[4], 0), arange(&[4], 10)]);
    let x = Sum::new(l).unwrap();
    assert_eq!(x.read_part::<Vec<i64>>(s![1..;2]).unwrap(), [12, 16]);
    let e = x.write_part(s![0], 1i64).unwrap_err();
    assert!(e.to_string().contains("not writable"), "{e}");
}

#[test]
fn sum_errors_name_the_part() {
    let a = Lazy::new(Array::from(arange(&[2, 3], 0)));
    let b = Lazy::new(Array::from(arange(&[3, 2], 0)));
    let e = Sum::new([a.clone(), a.clone(), b.clone()]).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Mismatch { .. }), "{e}");
    assert!(
        msg.contains("part 2") && msg.contains("[3, 2]") && msg.contains("[2, 3]"),
        "{msg}"
    );
    let t = Lazy::new(Array::from(array![[true, false, true], [true, true, true]]));
    let e = Sum::new([a.clone(), t]).unwrap_err();
    assert!(
        e.to_string().contains("part 1") && e.to_string().contains("b1"),
        "{e}"
    );
    let e = Sum::new(Vec::<Lazy>::new()).unwrap_err();
    assert!(e.to_string().contains("at least one part"), "{e}");
    // an integer overflow is an error, not a wrapped sum
    let big = Lazy::new(Array::from(array![100i8, 1]));
    let x = Sum::new([big.clone(), big]).unwrap();
    assert_eq!(x.read_part::<Vec<i8>>(s![1..]).unwrap(), [2]);
    let e = x.read::<Vec<i8>>().unwrap_err();
    assert!(e.to_string().contains("overflows i1"), "{e}");
}

// ----------------------------------------------------------------------- Or

#[test]
fn or_of_flags() {
    let a = array![[true, false, false], [false, false, true]].into_dyn();
    let b = array![[false, false, true], [false, false, false]].into_dyn();
    let c = array![[false, true, false], [false, false, false]].into_dyn();
    let (_f, l) = leaves(&[a.clone(), b.clone(), c.clone()]);
    let x = Or::new(l.clone()).unwrap();
    assert_eq!(x.dtype().unwrap(), DType::Bool);
    assert_eq!(x.shape().unwrap(), vec![2, 3]);
    for axes in [
        vec![],
        vec![sl(None, None, -1), sl(2, None, -2)],
        vec![full(), Axis::Index(-1)],
    ] {
        let want = ndarray::Zip::from(&gather(&a, &axes))
            .and(&gather(&b, &axes))
            .and(&gather(&c, &axes))
            .map_collect(|&x, &y, &z| x || y || z);
        assert_eq!(read_sel(&x, &axes), Array::from(want), "{axes:?}");
    }
    let e = x.write_part(s![0, 0], false).unwrap_err();
    assert!(e.to_string().contains("not writable"), "{e}");
    // not bool, or not the same shape: named
    let n = Lazy::new(Array::from(arange(&[2, 3], 0)));
    let e = Or::new([l[0].clone(), n]).unwrap_err();
    assert!(
        e.to_string().contains("part 1") && e.to_string().contains("bool"),
        "{e}"
    );
    let short = Lazy::new(Array::from(array![true, false]));
    let e = Or::new([l[0].clone(), l[1].clone(), short]).unwrap_err();
    assert!(
        e.to_string().contains("part 2") && e.to_string().contains("[2]"),
        "{e}"
    );
}

// ------------------------------------------------------------------ Stacked

#[test]
fn stacked_at_every_position() {
    let parts: Vec<_> = (0..3).map(|k| arange(&[2, 4], 100 * k)).collect();
    let (_f, l) = leaves(&parts);
    for (axis, shape) in [
        (0, [3, 2, 4]),
        (1, [2, 3, 4]),
        (2, [2, 4, 3]),
        (-1, [2, 4, 3]),
        (-2, [2, 3, 4]),
        (-3, [3, 2, 4]),
    ] {
        let x = Stacked::new(l.clone(), axis).unwrap();
        assert_eq!(x.shape().unwrap(), shape.to_vec(), "axis {axis}");
        assert_eq!(x.axis(), if axis < 0 { axis + 3 } else { axis } as usize);
        let all = np_stack(&parts, axis);
        assert_eq!(x.read::<Array>().unwrap(), Array::from(all.clone()));
        let axes = [sl(None, None, -1), Axis::Index(-1), sl(3, 0, -2)];
        assert_eq!(read_sel(&x, &axes), Array::from(gather(&all, &axes)));
    }
    for axis in [3, -4, isize::MAX, isize::MIN] {
        let e = Stacked::new(l.clone(), axis).unwrap_err();
        assert!(matches!(e, Error::Invalid { .. }), "{e}");
        assert!(e.to_string().contains("out of range"), "{e}");
    }
    // 0-d parts stack into a vector
    let s = Stacked::new(
        [Lazy::new(Array::scalar(1.5)), Lazy::new(Array::scalar(2.5))],
        -1,
    )
    .unwrap();
    assert_eq!(s.read::<Vec<f64>>().unwrap(), [1.5, 2.5]);
}

#[test]
fn stacked_mismatches_are_named() {
    let a = Lazy::new(Array::from(arange(&[2, 3], 0)));
    let b = Lazy::new(Array::from(arange(&[2, 2], 0)));
    let c = Lazy::new(Array::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    let e = Stacked::new([a.clone(), a.clone(), b], 0).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Mismatch { .. }), "{e}");
    assert!(
        msg.contains("part 2") && msg.contains("[2, 2]") && msg.contains("[2, 3]"),
        "{msg}"
    );
    let e = Stacked::new([a.clone(), c], 0).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("part 1") && msg.contains("f8") && msg.contains("i8"),
        "{msg}"
    );
    assert!(Stacked::new(Vec::<Lazy>::new(), 0).is_err());
}

#[test]
fn stacked_reads_and_writes_any_selection() {
    let parts: Vec<_> = (0..4).map(|k| arange(&[3, 5], 100 * k)).collect();
    let (f, l) = leaves(&parts);
    let x = Stacked::new(l.clone(), 1).unwrap();
    let mut all = np_stack(&parts, 1);
    let cases = [
        vec![full(), Axis::Index(2)],
        vec![full(), Axis::Index(-1), sl(None, None, -2)],
        vec![sl(None, None, -1), sl(None, None, -1)],
        vec![Axis::Index(1), sl(3, 0, -2), sl(1, 4, 2)],
        vec![sl(-2, None, 1), sl(1, None, 2), Axis::Index(-2)],
        vec![full(), sl(2, 2, 1)],
    ];
    for (n, axes) in cases.iter().enumerate() {
        assert_eq!(
            read_sel(&x, axes),
            Array::from(gather(&all, axes)),
            "{axes:?}"
        );
        // write new values there and read every leaf back
        let out = out_shape(all.shape(), axes);
        let data = arange(&out, 1000 * (n as i64 + 1));
        x.write_part(sel(axes), data.clone()).unwrap();
        scatter(&mut all, axes, &data);
        for (k, name) in ["p0", "p1", "p2", "p3"].iter().enumerate() {
            assert_eq!(
                f.read::<ArrayD<i64>>(name).unwrap(),
                all.index_axis(NdAxis(1), k).to_owned(),
                "{axes:?} {name}"
            );
        }
        assert_eq!(x.read::<Array>().unwrap(), Array::from(all.clone()));
    }
    // selections compose (a view of a view of the stack)
    let v = Lazy::new(x.clone())
        .select(sel(&[sl(None, None, -1), sl(None, None, -1)]))
        .unwrap()
        .select(sel(&[full(), sl(1, None, 2)]))
        .unwrap();
    let want = gather(
        &gather(&all, &[sl(None, None, -1), sl(None, None, -1)]),
        &[full(), sl(1, None, 2)],
    );
    assert_eq!(v.read::<Array>().unwrap(), Array::from(want));
    // out of bounds names the axis
    let e = x.read_part::<Array>(s![.., 4]).unwrap_err();
    assert!(
        matches!(
            e,
            Error::OutOfBounds {
                axis: 1,
                index: 4,
                len: 4,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn stacked_take_lists_members() {
    let parts: Vec<_> = (0..5).map(|k| arange(&[2, 3], 10 * k)).collect();
    let (f, l) = leaves(&parts);
    let x = Stacked::new(l, -2).unwrap();
    assert_eq!(x.axis(), 1);
    let t = x.take(&[-1, 0, 3, -1]).unwrap();
    assert_eq!(t.shape().unwrap(), vec![2, 4, 3]);
    let picked: Vec<_> = [4, 0, 3, 4].iter().map(|&k| parts[k].clone()).collect();
    let want = np_stack(&picked, -2);
    assert_eq!(t.read::<Array>().unwrap(), Array::from(want.clone()));
    // take then select
    let axes = [Axis::Index(-1), sl(None, None, -2), sl(None, None, 2)];
    assert_eq!(read_sel(&t, &axes), Array::from(gather(&want, &axes)));
    let v = Lazy::new(t.clone()).select(s![.., 1..3, ..]).unwrap();
    assert_eq!(
        v.read::<Array>().unwrap(),
        Array::from(want.slice(s![.., 1..3, ..]).to_owned())
    );
    // writes through a taken member land in its leaf
    t.write_part(
        sel(&[full(), Axis::Index(2)]),
        array![[-1i64, -2, -3], [-4, -5, -6]],
    )
    .unwrap();
    assert_eq!(
        f.read::<ArrayD<i64>>("p3").unwrap(),
        array![[-1i64, -2, -3], [-4, -5, -6]].into_dyn()
    );
    // no members: an empty stack of the same part shape
    let none = x.take(&[]).unwrap();
    assert_eq!(none.shape().unwrap(), vec![2, 0, 3]);
    assert_eq!(none.read::<Array>().unwrap().shape(), &[2, 0, 3]);
    // out of range names the stacked axis
    for bad in [5, -6, isize::MIN, isize::MAX] {
        let e = x.take(&[0, bad]).unwrap_err();
        assert!(
            matches!(e, Error::OutOfBounds { axis: 1, index, len: 5, .. } if index == bad),
            "{e}"
        );
    }
}

#[test]
fn reads_touch_only_what_they_need() {
    let parts: Vec<_> = (0..5).map(|k| arange(&[4, 6], 100 * k)).collect();
    let (l, c) = probes(&parts);
    let x = Stacked::new(l.clone(), 0).unwrap();
    // one member, one window of it
    assert_eq!(
        x.read_part::<Vec<i64>>(s![3, 1, 2..5]).unwrap(),
        [308, 309, 310]
    );
    assert_eq!(counts(&c), [0, 0, 0, 3, 0]);
    // every other member, backwards
    let a: Array = x.read_part(s![..;-2, 0, ..2]).unwrap();
    assert_eq!(a.shape(), &[3, 2]);
    assert_eq!(counts(&c), [2, 0, 2, 0, 2]);
    // through take and a selection
    let t = Lazy::new(x.take(&[-1, 1]).unwrap())
        .select(s![1, ..2, 0])
        .unwrap();
    assert_eq!(t.read::<Vec<i64>>().unwrap(), [100, 106]);
    assert_eq!(counts(&c), [0, 2, 0, 0, 0]);
    // a sum reads the same window of each part
    let y = Sum::new(l[..2].to_vec()).unwrap();
    assert_eq!(y.read_part::<Vec<i64>>(s![2, 1..3]).unwrap(), [126, 128]);
    assert_eq!(counts(&c), [2, 2, 0, 0, 0]);
    // a scaled view reads its window only
    let z = Scaled::new(l[4].clone(), 2.0).unwrap();
    assert_eq!(z.read_part::<Vec<f64>>(s![3, 5]).unwrap(), [2.0 * 423.0]);
    assert_eq!(counts(&c), [0, 0, 0, 0, 1]);
}

/// A lazy array whose data lives in a dataset of a file.
struct InFile(usize, &'static str);

impl LazyArray for InFile {
    fn shape(&self) -> qnd::Result<Vec<usize>> {
        Ok(vec![self.0])
    }
    fn dtype(&self) -> qnd::Result<DType> {
        Ok(DType::F64)
    }
    fn describe(&self) -> String {
        self.1.to_string()
    }
    fn read_region(&self, _: &Region) -> qnd::Result<Array> {
        unreachable!("not read")
    }
    fn virtual_maps(&self) -> Option<qnd::Result<Vec<VirtualMap>>> {
        Some(Ok(vec![VirtualMap {
            dest: vec![Run::all(self.0)],
            file: self.1.into(),
            dataset: "/x".into(),
            src: vec![Run::all(self.0)],
        }]))
    }
}

#[test]
fn stacks_of_file_regions_are_file_regions() {
    let a = Lazy::new(InFile(4, "a.h5"));
    let b = Lazy::new(InFile(4, "b.h5"));
    let x = Stacked::new([a.clone(), b.clone(), a.clone()], -1).unwrap();
    let maps = x.virtual_maps().unwrap().unwrap();
    assert_eq!(maps.len(), 3);
    for (k, (m, file)) in maps.iter().zip(["a.h5", "b.h5", "a.h5"]).enumerate() {
        assert_eq!(m.dest, vec![Run::all(4), Run::one(k)]);
        assert_eq!(m.file, std::path::Path::new(file));
    }
    // not when a member is in memory, nor for computed views
    let m = Lazy::new(Array::from(array![1.0, 2.0, 3.0, 4.0]));
    assert!(Stacked::new([a.clone(), m], 0)
        .unwrap()
        .virtual_maps()
        .is_none());
    assert!(Scaled::new(a.clone(), 2.0)
        .unwrap()
        .virtual_maps()
        .is_none());
    assert!(Sum::new([a, b]).unwrap().virtual_maps().is_none());
}

#[test]
fn views_are_send_and_sync() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<Scaled>();
    check::<Sum>();
    check::<Or>();
    check::<Stacked>();
}

// --------------------------------------------------------------- proptests

/// Shapes of rank 0..=3 with axes of length 0..=3.
fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..4, 0..=3)
}

/// A numpy argument for an axis of length `len`.
fn axis_arg(len: usize) -> BoxedStrategy<Axis> {
    let slice = (
        prop::option::of(-5isize..6),
        prop::option::of(-5isize..6),
        prop::sample::select(vec![-3isize, -2, -1, 1, 2, 3]),
    )
        .prop_map(|(start, stop, step)| Axis::Slice { start, stop, step });
    if len == 0 {
        slice.boxed()
    } else {
        let n = len as isize;
        prop_oneof![(-n..n).prop_map(Axis::Index), slice].boxed()
    }
}

/// A selection of some leading axes of `shape`.
fn selection(shape: Vec<usize>) -> BoxedStrategy<Vec<Axis>> {
    (0..=shape.len())
        .prop_flat_map(move |k| shape[..k].iter().map(|&n| axis_arg(n)).collect::<Vec<_>>())
        .boxed()
}

fn stacked_shape(part: &[usize], n: usize, axis: isize) -> Vec<usize> {
    let nd = part.len() as isize;
    let a = if axis < 0 { axis + nd + 1 } else { axis } as usize;
    let mut s = part.to_vec();
    s.insert(a, n);
    s
}

#[derive(Debug, Clone)]
struct StackCase {
    part: Vec<usize>,
    n: usize,
    axis: isize,
    members: Vec<isize>,
    first: Vec<Axis>,
    second: Vec<Axis>,
}

fn stack_case() -> impl Strategy<Value = StackCase> {
    (shape(), 1usize..4)
        .prop_flat_map(|(part, n)| {
            let nd = part.len() as isize;
            let members = prop::collection::vec(-(n as isize)..n as isize, 0..5);
            (Just(part), Just(n), -(nd + 1)..=nd, members)
        })
        .prop_flat_map(|(part, n, axis, members)| {
            let full = stacked_shape(&part, n, axis);
            (
                Just(part),
                Just(n),
                Just(axis),
                Just(members),
                selection(full),
            )
        })
        .prop_flat_map(|(part, n, axis, members, first)| {
            let out = out_shape(&stacked_shape(&part, n, axis), &first);
            (
                Just(part),
                Just(n),
                Just(axis),
                Just(members),
                Just(first),
                selection(out),
            )
        })
        .prop_map(|(part, n, axis, members, first, second)| StackCase {
            part,
            n,
            axis,
            members,
            first,
            second,
        })
}

fn check_stack(c: StackCase) -> Result<(), TestCaseError> {
    let parts: Vec<_> = (0..c.n).map(|k| arange(&c.part, 1000 * k as i64)).collect();
    let (f, l) = leaves(&parts);
    let x = Stacked::new(l, c.axis).unwrap();
    let mut all = np_stack(&parts, c.axis);
    prop_assert_eq!(x.shape().unwrap(), all.shape().to_vec());
    // a read, and a selection of a selection
    prop_assert_eq!(read_sel(&x, &c.first), Array::from(gather(&all, &c.first)));
    let v = Lazy::new(x.clone()).select(sel(&c.first)).unwrap();
    let want = gather(&gather(&all, &c.first), &c.second);
    prop_assert_eq!(read_sel(&v, &c.second), Array::from(want));
    // take, then the first selection when it fits
    let t = x.take(&c.members).unwrap();
    let picked: Vec<_> = c
        .members
        .iter()
        .map(|&m| {
            all.index_axis(NdAxis(x.axis()), m.rem_euclid(c.n as isize) as usize)
                .to_owned()
        })
        .collect();
    let tall = if picked.is_empty() {
        let mut s = c.part.clone();
        s.insert(x.axis(), 0);
        ArrayD::zeros(IxDyn(&s))
    } else {
        let views: Vec<_> = picked.iter().map(|p| p.view()).collect();
        ndarray::stack(NdAxis(x.axis()), &views).unwrap()
    };
    prop_assert_eq!(t.read::<Array>().unwrap(), Array::from(tall.clone()));
    if let Ok(got) = t.read_part::<Array>(sel(&c.first)) {
        prop_assert_eq!(got, Array::from(gather(&tall, &c.first)));
    }
    // a write through the view of a view, read back from the leaves
    let out = out_shape(&out_shape(all.shape(), &c.first), &c.second);
    let data = arange(&out, -1_000_000);
    v.write_part(sel(&c.second), data.clone()).unwrap();
    let mut inner = gather(&all, &c.first);
    scatter(&mut inner, &c.second, &data);
    scatter(&mut all, &c.first, &inner);
    for k in 0..c.n {
        prop_assert_eq!(
            f.read::<ArrayD<i64>>(&format!("p{k}")).unwrap(),
            all.index_axis(NdAxis(x.axis()), k).to_owned()
        );
    }
    Ok(())
}

#[derive(Debug, Clone)]
struct ScaleCase {
    shape: Vec<usize>,
    dtype: DType,
    factor: f64,
    values: Vec<i16>,
    sel: Vec<Axis>,
}

fn scale_case() -> impl Strategy<Value = ScaleCase> {
    (
        shape(),
        prop::sample::select(vec![DType::I32, DType::U8, DType::F32, DType::F64]),
        prop::sample::select(vec![0.5, -2.0, 0.1, 3.0, 1e-3, 7.25]),
    )
        .prop_flat_map(|(shape, dtype, factor)| {
            let n: usize = shape.iter().product();
            (
                Just(shape.clone()),
                Just(dtype),
                Just(factor),
                prop::collection::vec(0i16..100, n),
                selection(shape),
            )
        })
        .prop_map(|(shape, dtype, factor, values, sel)| ScaleCase {
            shape,
            dtype,
            factor,
            values,
            sel,
        })
}

/// `values` of `shape` as an array of `dtype`.
fn typed(shape: &[usize], dtype: DType, values: &[i16]) -> Array {
    let a = ArrayD::from_shape_vec(IxDyn(shape), values.to_vec()).unwrap();
    match dtype {
        DType::I16 => Array::from(a),
        DType::I32 => Array::from(a.mapv(i32::from)),
        DType::U8 => Array::from(a.mapv(|v| v as u8)),
        DType::F32 => Array::from(a.mapv(f32::from)),
        DType::F64 => Array::from(a.mapv(f64::from)),
        _ => unreachable!(),
    }
}

fn check_scale(c: ScaleCase) -> Result<(), TestCaseError> {
    let f = qnd::memory();
    f.set("x", typed(&c.shape, c.dtype, &c.values)).unwrap();
    let x = Scaled::new(Lazy::new(f.leaf("x").unwrap()), c.factor).unwrap();
    let base = ArrayD::from_shape_vec(IxDyn(&c.shape), c.values.clone()).unwrap();
    let picked = gather(&base, &c.sel);
    let got = read_sel(&x, &c.sel);
    if c.dtype == DType::F32 {
        let want = picked.mapv(|v| (f64::from(v) * c.factor) as f32);
        prop_assert_eq!(got, Array::from(want));
    } else {
        let want = picked.mapv(|v| f64::from(v) * c.factor);
        prop_assert_eq!(got, Array::from(want));
    }
    // write k * factor for whole k: the base gets k (or the float quotient)
    let out = out_shape(&c.shape, &c.sel);
    let ks = arange(&out, 3).mapv(|k| (k % 100) as i16);
    let data = ks.mapv(|k| f64::from(k) * c.factor);
    let data = if c.dtype == DType::F32 {
        Array::from(data.mapv(|v| v as f32))
    } else {
        Array::from(data)
    };
    x.write_part(sel(&c.sel), data.clone()).unwrap();
    let mut want = base.clone();
    scatter(&mut want, &c.sel, &ks);
    let stored: Array = f.read("x").unwrap();
    match c.dtype {
        DType::F32 | DType::F64 => {
            // the quotient as the library computes it: data / factor
            let q = data.to_f64().unwrap().mapv(|v| v / c.factor);
            let mut wf = base.mapv(f64::from);
            scatter(&mut wf, &c.sel, &q);
            let wf = if c.dtype == DType::F32 {
                Array::from(wf.mapv(|v| v as f32))
            } else {
                Array::from(wf)
            };
            prop_assert_eq!(stored, wf);
        }
        d => prop_assert_eq!(stored, typed(&c.shape, d, want.as_slice().unwrap())),
    }
    Ok(())
}

#[derive(Debug, Clone)]
struct SumCase {
    shape: Vec<usize>,
    parts: Vec<(DType, Vec<i16>)>,
    sel: Vec<Axis>,
}

fn sum_case() -> impl Strategy<Value = SumCase> {
    let dtypes = vec![DType::U8, DType::I16, DType::I32, DType::F32, DType::F64];
    (
        shape(),
        prop::collection::vec(prop::sample::select(dtypes), 1..4),
    )
        .prop_flat_map(|(shape, ds)| {
            let n: usize = shape.iter().product();
            let parts = ds
                .into_iter()
                .map(|d| (Just(d), prop::collection::vec(0i16..50, n)))
                .collect::<Vec<_>>();
            (Just(shape.clone()), parts, selection(shape))
        })
        .prop_map(|(shape, parts, sel)| SumCase { shape, parts, sel })
}

/// numpy's promotion for the dtypes of `sum_case`.
fn promoted(ds: &[DType]) -> DType {
    let has = |d| ds.contains(&d);
    if has(DType::F64) || (has(DType::F32) && has(DType::I32)) {
        DType::F64
    } else if has(DType::F32) {
        DType::F32
    } else if has(DType::I32) {
        DType::I32
    } else if has(DType::I16) {
        DType::I16
    } else {
        DType::U8
    }
}

fn check_sum(c: SumCase) -> Result<(), TestCaseError> {
    let lazies: Vec<Lazy> = c
        .parts
        .iter()
        .map(|(d, v)| Lazy::new(typed(&c.shape, *d, v)))
        .collect();
    let x = Sum::new(lazies).unwrap();
    let ds: Vec<DType> = c.parts.iter().map(|p| p.0).collect();
    prop_assert_eq!(x.dtype().unwrap(), promoted(&ds));
    let mut want = gather(&ArrayD::<f64>::zeros(IxDyn(&c.shape)), &c.sel);
    for (_, v) in &c.parts {
        let a = ArrayD::from_shape_vec(IxDyn(&c.shape), v.clone()).unwrap();
        want = want + gather(&a, &c.sel).mapv(f64::from);
    }
    let got = read_sel(&x, &c.sel);
    prop_assert_eq!(got.dtype(), promoted(&ds));
    prop_assert_eq!(got.to_f64().unwrap(), want);
    Ok(())
}

proptest! {
    #![proptest_config(common::proptest_config(64))]

    #[test]
    fn stacked_matches_materialized(c in stack_case()) {
        check_stack(c)?;
    }

    #[test]
    fn scaled_matches_materialized(c in scale_case()) {
        check_scale(c)?;
    }

    #[test]
    fn sum_matches_materialized(c in sum_case()) {
        check_sum(c)?;
    }
}

/// Stacks of datasets in HDF5 files: reads open only the members' files,
/// and the stack maps onto the files' datasets.
#[cfg(feature = "hdf5")]
#[test]
fn stacks_of_hdf5_sources() {
    use qnd::lazy::VirtualSource;
    let dir = tempfile::tempdir().unwrap();
    let parts: Vec<_> = (0..3).map(|k| arange(&[2, 5], 100 * k)).collect();
    let mut sources = Vec::new();
    for (k, p) in parts.iter().enumerate() {
        let path = dir.path().join(format!("s{k}.h5"));
        let f = qnd::open(&path, "w").unwrap();
        f.set("x", p.clone()).unwrap();
        f.close().unwrap();
        sources.push(Lazy::new(VirtualSource::new(&path, "/x").unwrap()));
    }
    let x = Stacked::new(sources.clone(), -1).unwrap();
    let all = np_stack(&parts, -1);
    let axes = [sl(None, None, -1), sl(1, None, 2), sl(None, None, -2)];
    assert_eq!(read_sel(&x, &axes), Array::from(gather(&all, &axes)));
    // the stack is made of the files' datasets
    let maps = x.virtual_maps().unwrap().unwrap();
    assert_eq!(maps.len(), 3);
    for (k, m) in maps.iter().enumerate() {
        assert_eq!(m.dest, vec![Run::all(2), Run::all(5), Run::one(k)]);
        assert_eq!(m.file, dir.path().join(format!("s{k}.h5")));
        assert_eq!(m.dataset, "/x");
    }
    // the sources are read-only
    let e = x.write_part(s![0, 0, 0], 1i64).unwrap_err();
    assert!(e.to_string().contains("not writable"), "{e}");
    // a missing member file is an error when (and only when) it is read
    std::fs::remove_file(dir.path().join("s1.h5")).unwrap();
    assert_eq!(
        x.read_part::<Array>(s![.., .., 2]).unwrap(),
        Array::from(parts[2].clone())
    );
    let e = x.read_part::<Array>(s![.., .., 1]).unwrap_err();
    assert!(e.to_string().contains("s1.h5"), "{e}");
}

// ----------------------------------------------------------------- complex

/// `Scaled` of complex: a complex base by a real or complex factor keeps
/// its dtype, a real base by a complex factor is complex (`c8` from `f4`),
/// writes divide into a complex base, a real base under a complex factor
/// is not writable; `Sum` and `Stacked` of complex; `Or` refuses complex.
#[test]
fn complex_views() {
    use qnd::{Complex32, Complex64};
    let c = Complex64::new;
    let f = qnd::memory();
    f.set("z", array![c(1.0, 2.0), c(-3.0, 0.5)]).unwrap();
    f.set(
        "w",
        array![Complex32::new(1.0, 1.0), Complex32::new(2.0, -2.0)],
    )
    .unwrap();
    f.set("x", array![1.0f32, 2.0]).unwrap();
    f.set("i", array![1i32, -2]).unwrap();
    let z = Lazy::new(f.leaf("z").unwrap());
    let w = Lazy::new(f.leaf("w").unwrap());
    let x = Lazy::new(f.leaf("x").unwrap());
    let i = Lazy::new(f.leaf("i").unwrap());

    // a complex base by a real factor
    let z2 = Scaled::new(z.clone(), 2.0).unwrap();
    assert_eq!(z2.dtype().unwrap(), DType::C16);
    assert_eq!(
        z2.read::<Vec<Complex64>>().unwrap(),
        [c(2.0, 4.0), c(-6.0, 1.0)]
    );
    // by a complex factor: (1+2j)*1j = -2+1j
    let zj = Scaled::new_complex(z.clone(), c(0.0, 1.0)).unwrap();
    assert_eq!(zj.dtype().unwrap(), DType::C16);
    assert_eq!(
        zj.read::<Vec<Complex64>>().unwrap(),
        [c(-2.0, 1.0), c(-0.5, -3.0)]
    );
    assert!(zj.describe().contains("1j"), "{}", zj.describe());
    // c8 keeps c8; f4 by a complex factor is c8, i4 is c16
    let wj = Scaled::new_complex(w.clone(), c(0.0, 1.0)).unwrap();
    assert_eq!(wj.dtype().unwrap(), DType::C8);
    let xj = Scaled::new_complex(x.clone(), c(1.0, 1.0)).unwrap();
    assert_eq!(xj.dtype().unwrap(), DType::C8);
    assert_eq!(
        xj.read::<Array>().unwrap(),
        Array::C8(array![Complex32::new(1.0, 1.0), Complex32::new(2.0, 2.0)].into_dyn())
    );
    let ij = Scaled::new_complex(i.clone(), c(0.0, 2.0)).unwrap();
    assert_eq!(ij.dtype().unwrap(), DType::C16);
    assert_eq!(ij.read_part::<Complex64>(s![1]).unwrap(), c(0.0, -4.0));
    // writes: divided by the factor into the complex base
    zj.write_part(s![0], c(1.0, 1.0)).unwrap();
    assert_eq!(f.read::<Vec<Complex64>>("z").unwrap()[0], c(1.0, -1.0));
    z2.write_part(s![1], 4.0).unwrap();
    assert_eq!(f.read::<Vec<Complex64>>("z").unwrap()[1], c(2.0, 0.0));
    let e = xj.write_part(s![0], c(1.0, 1.0)).unwrap_err();
    assert!(e.to_string().contains("not writable"), "{e}");
    let e = Scaled::new_complex(z.clone(), c(0.0, 0.0))
        .unwrap()
        .write_part(s![0], c(1.0, 0.0))
        .unwrap_err();
    assert!(e.to_string().contains("cannot be inverted"), "{e}");

    // Sum: c8 + f4 is c8; c8 + c16 or i4 is c16
    let s8 = Sum::new([w.clone(), x.clone()]).unwrap();
    assert_eq!(s8.dtype().unwrap(), DType::C8);
    assert_eq!(
        s8.read::<Vec<Complex32>>().unwrap(),
        [Complex32::new(2.0, 1.0), Complex32::new(4.0, -2.0)]
    );
    let s16 = Sum::new([z.clone(), w.clone(), i.clone()]).unwrap();
    assert_eq!(s16.dtype().unwrap(), DType::C16);
    assert_eq!(
        s16.read::<Vec<Complex64>>().unwrap(),
        [c(1.0 + 1.0 + 1.0, -1.0 + 1.0), c(2.0 + 2.0 - 2.0, -2.0)]
    );
    // Stacked
    let st = Stacked::new([z.clone(), z.clone()], 0).unwrap();
    assert_eq!(st.dtype().unwrap(), DType::C16);
    assert_eq!(
        st.read_part::<Vec<Complex64>>(s![1, ..]).unwrap(),
        f.read::<Vec<Complex64>>("z").unwrap()
    );
    // Or takes bool only
    let e = Or::new([z.clone()]).unwrap_err();
    assert!(e.to_string().contains("c16"), "{e}");
}
