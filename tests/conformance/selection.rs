//! Partial reads and writes, checked against the same selection applied to
//! the whole array in memory: numpy-style [`Selection`]s against a
//! reference written here from Python's slice rules, `s![]` against
//! ndarray's own slicing.

use ndarray::{array, s, Array1, Array2, Array3, ArrayD, Dimension, IxDyn};
use qnd::{Error, Recording, Selection, Value};

use crate::common::{stored, Maker};

/// One axis of a numpy index: an integer or `start:stop:step`.
#[derive(Clone, Copy, Debug)]
enum Ax {
    I(isize),
    S(Option<isize>, Option<isize>, isize),
}
use Ax::{I, S};

/// Python's `range(*slice(start, stop, step).indices(len))`.
fn py_slice(start: Option<isize>, stop: Option<isize>, step: isize, len: usize) -> Vec<usize> {
    let n = len as isize;
    let (lower, upper) = if step < 0 { (-1, n - 1) } else { (0, n) };
    let fix = |v: Option<isize>, default: isize| match v {
        None => default,
        Some(v) if v < 0 => (v + n).max(lower),
        Some(v) => v.min(upper),
    };
    let (mut i, stop) = if step < 0 {
        (fix(start, upper), fix(stop, lower))
    } else {
        (fix(start, lower), fix(stop, upper))
    };
    let mut out = Vec::new();
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    out
}

/// Indices per axis, and whether the axis is kept.
fn plan(sel: &[Ax], shape: &[usize]) -> (Vec<Vec<usize>>, Vec<bool>) {
    shape
        .iter()
        .enumerate()
        .map(
            |(k, &len)| match sel.get(k).copied().unwrap_or(S(None, None, 1)) {
                I(i) => {
                    let j = if i < 0 { i + len as isize } else { i };
                    (vec![j as usize], false)
                }
                S(a, b, c) => (py_slice(a, b, c, len), true),
            },
        )
        .unzip()
}

fn to_selection(sel: &[Ax]) -> Selection {
    sel.iter().fold(Selection::new(), |s, ax| match *ax {
        I(i) => s.index(i),
        S(a, b, c) => s.slice(a, b, c),
    })
}

/// `full[sel]` by the reference rules.
fn reference_read(full: &ArrayD<f64>, sel: &[Ax]) -> ArrayD<f64> {
    let (lists, keep) = plan(sel, full.shape());
    let slab: Vec<usize> = lists.iter().map(Vec::len).collect();
    let out: Vec<usize> = slab
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(n, _)| *n)
        .collect();
    let data = ndarray::indices(IxDyn(&slab))
        .into_iter()
        .map(|ix| {
            let at: Vec<usize> = (0..slab.len()).map(|a| lists[a][ix[a]]).collect();
            full[IxDyn(&at)]
        })
        .collect();
    ArrayD::from_shape_vec(IxDyn(&out), data).unwrap()
}

/// `full[sel] = block` by the reference rules.
fn reference_write(full: &mut ArrayD<f64>, sel: &[Ax], block: &ArrayD<f64>) {
    let (lists, _) = plan(sel, full.shape());
    let slab: Vec<usize> = lists.iter().map(Vec::len).collect();
    for (ix, &x) in ndarray::indices(IxDyn(&slab)).into_iter().zip(block.iter()) {
        let at: Vec<usize> = (0..slab.len()).map(|a| lists[a][ix[a]]).collect();
        full[IxDyn(&at)] = x;
    }
}

/// Selections of a `[4, 5, 6]` array: indices, negative indices, steps,
/// negative steps, clipped and empty slices.
fn selections() -> Vec<Vec<Ax>> {
    vec![
        vec![],
        vec![I(1)],
        vec![I(-1), I(2)],
        vec![I(0), I(-5), I(-6)],
        vec![S(None, None, 2)],
        vec![S(Some(1), Some(-1), 1), I(-2), S(None, None, -1)],
        vec![S(None, None, -2), S(Some(4), Some(0), -2)],
        vec![S(Some(-3), None, 1)],
        vec![S(Some(10), Some(20), 1)],
        vec![S(Some(-10), Some(2), 1), S(Some(-100), Some(100), 3)],
        vec![S(Some(2), Some(2), 1)],
        vec![I(0), S(None, None, 3), I(-6)],
        vec![S(None, None, 7)],
        vec![
            S(Some(3), None, -1),
            S(Some(1), Some(4), 2),
            S(Some(5), Some(0), -3),
        ],
        vec![S(None, Some(-10), -1)],
        vec![S(Some(-1), Some(-3), -1), S(Some(-2), None, -1), I(3)],
        vec![S(None, None, 1), S(None, None, 1), S(Some(1), Some(5), 2)],
    ]
}

fn full_array() -> ArrayD<f64> {
    ArrayD::from_shape_fn(IxDyn(&[4, 5, 6]), |ix| {
        (ix[0] * 100 + ix[1] * 10 + ix[2]) as f64
    })
}

#[test]
fn reference_matches_python() {
    assert_eq!(py_slice(Some(1), Some(-1), 2, 6), [1, 3]);
    assert_eq!(py_slice(None, None, -1, 4), [3, 2, 1, 0]);
    assert_eq!(py_slice(Some(5), Some(1), -2, 8), [5, 3]);
    assert_eq!(py_slice(Some(-20), Some(2), 1, 5), [0, 1]);
    assert_eq!(py_slice(None, Some(-10), -1, 5), [4, 3, 2, 1, 0]);
    assert_eq!(py_slice(Some(7), None, -3, 5), [4, 1]);
    assert_eq!(py_slice(Some(2), Some(2), 1, 5), Vec::<usize>::new());
}

pub fn numpy_read(m: &dyn Maker) {
    let f = m.create();
    let full = full_array();
    f.set("a", full.clone()).unwrap();
    stored(m, &f, |f| {
        for sel in selections() {
            let want = reference_read(&full, &sel);
            let got: ArrayD<f64> = f
                .read_part("a", to_selection(&sel))
                .unwrap_or_else(|e| panic!("{sel:?}: {e}"));
            assert_eq!(got, want, "a[{sel:?}]");
            let leaf = f.leaf("a").unwrap();
            let got: Value = leaf.read_part(to_selection(&sel)).unwrap();
            assert_eq!(got, Value::from(want), "leaf a[{sel:?}]");
        }
    });
}

pub fn numpy_write(m: &dyn Maker) {
    let f = m.create();
    let mut full = full_array();
    f.set("a", full.clone()).unwrap();
    for (k, sel) in selections().into_iter().enumerate() {
        let shape = reference_read(&full, &sel).shape().to_vec();
        let block = ArrayD::from_shape_fn(IxDyn(&shape), |ix| {
            -(1000.0 * (k + 1) as f64) - ix.slice().iter().sum::<usize>() as f64
        });
        f.write_part("a", to_selection(&sel), block.clone())
            .unwrap_or_else(|e| panic!("{sel:?}: {e}"));
        reference_write(&mut full, &sel, &block);
        assert_eq!(
            f.read::<ArrayD<f64>>("a").unwrap(),
            full,
            "after a[{sel:?}] = .."
        );
    }
    stored(m, &f, |f| {
        assert_eq!(f.read::<ArrayD<f64>>("a").unwrap(), full);
    });
}

/// `f.read_part("a", s![..])` equals `full.slice(s![..])`.
macro_rules! check_read {
    ($f:expr, $full:expr, $($sel:tt)*) => {{
        let want = $full.slice(s![$($sel)*]).to_owned().into_dyn();
        let got: ArrayD<f64> = $f
            .read_part("a", s![$($sel)*])
            .unwrap_or_else(|e| panic!("s![{}]: {e}", stringify!($($sel)*)));
        assert_eq!(got, want, "s![{}]", stringify!($($sel)*));
    }};
}

// `1..-1` in `s![]` counts from the end; it is not an empty range.
#[allow(clippy::reversed_empty_ranges)]
pub fn ndarray_read(m: &dyn Maker) {
    let f = m.create();
    let full = Array3::from_shape_fn((4, 5, 6), |(i, j, k)| (i * 100 + j * 10 + k) as f64);
    f.set("a", full.clone()).unwrap();
    stored(m, &f, |f| {
        check_read!(f, full, .., .., ..);
        check_read!(f, full, 1, .., ..);
        check_read!(f, full, -1, 2, ..);
        check_read!(f, full, 0, -5, -6);
        check_read!(f, full, ..;2, .., ..);
        check_read!(f, full, 1..-1, -2, ..;-1);
        check_read!(f, full, ..;-2, 1..5;-2, ..);
        check_read!(f, full, -3.., .., ..);
        check_read!(f, full, 1..3, 2..2, ..);
        check_read!(f, full, .., ..;3, 1..;-2);
        check_read!(f, full, 3, 4, 5);
        check_read!(f, full, ..;-1, ..;-1, ..;-1);
        check_read!(f, full, 2.., 1..4;2, -4..-1;-1);
    });
}

/// `f.write_part("a", s![..], b)` does what `full.slice_mut(s![..]).assign(b)` does.
macro_rules! check_write {
    ($f:expr, $full:expr, $k:expr, $($sel:tt)*) => {{
        let shape = $full.slice(s![$($sel)*]).shape().to_vec();
        let block = ArrayD::from_shape_fn(IxDyn(&shape), |ix| {
            -(($k) as f64) * 1000.0 - ix.slice().iter().sum::<usize>() as f64
        });
        $f.write_part("a", s![$($sel)*], block.clone())
            .unwrap_or_else(|e| panic!("s![{}]: {e}", stringify!($($sel)*)));
        $full.slice_mut(s![$($sel)*]).assign(&block);
        assert_eq!(
            $f.read::<Array3<f64>>("a").unwrap(),
            $full,
            "after s![{}] = ..",
            stringify!($($sel)*)
        );
    }};
}

// `1..-1` in `s![]` counts from the end; it is not an empty range.
#[allow(clippy::reversed_empty_ranges)]
pub fn ndarray_write(m: &dyn Maker) {
    let f = m.create();
    let mut full = Array3::from_shape_fn((4, 5, 6), |(i, j, k)| (i * 100 + j * 10 + k) as f64);
    f.set("a", full.clone()).unwrap();
    check_write!(f, full, 1, 1, .., ..);
    check_write!(f, full, 2, -1, 2, ..);
    check_write!(f, full, 3, ..;2, .., 1..;2);
    check_write!(f, full, 4, 1..-1, -2, ..;-1);
    check_write!(f, full, 5, ..;-2, 1..5;-2, ..);
    check_write!(f, full, 6, 3, 4, 5);
    check_write!(f, full, 7, 2.., 1..4;2, -4..-1;-1);
    stored(m, &f, |f| {
        assert_eq!(f.read::<Array3<f64>>("a").unwrap(), full);
    });
}

/// Partial reads and writes of integer, bool and text leaves.
pub fn other_dtypes(m: &dyn Maker) {
    let f = m.create();
    let ints = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as i64 - 5);
    let flags = array![true, false, true, true, false];
    let words = array!["zero", "one", "two", "three", "four"].mapv(String::from);
    f.set("i", ints.clone()).unwrap();
    f.set("b", flags.clone()).unwrap();
    f.set("w", words.clone()).unwrap();
    assert_eq!(
        f.read_part::<Array2<i64>>("i", s![..;2, ..;-1]).unwrap(),
        ints.slice(s![..;2, ..;-1])
    );
    assert_eq!(
        f.read_part::<Array1<bool>>("b", s![1..;2]).unwrap(),
        flags.slice(s![1..;2])
    );
    assert_eq!(
        f.read_part::<Vec<String>>("w", Selection::new().slice(None, None, -2))
            .unwrap(),
        ["four", "two", "zero"]
    );
    assert_eq!(f.read_part::<String>("w", s![-2]).unwrap(), "three");
    f.write_part("i", s![1, ..], array![7i64, 8, 9, 10])
        .unwrap();
    f.write_part("b", s![..2], array![false, true]).unwrap();
    f.write_part("w", s![1..3], array!["uno", "dos"].mapv(String::from))
        .unwrap();
    stored(m, &f, |f| {
        let mut ints = ints.clone();
        ints.row_mut(1).assign(&array![7, 8, 9, 10]);
        assert_eq!(f.read::<Array2<i64>>("i").unwrap(), ints);
        assert_eq!(
            f.read::<Vec<bool>>("b").unwrap(),
            [false, true, true, true, false]
        );
        assert_eq!(
            f.read::<Vec<String>>("w").unwrap(),
            ["zero", "uno", "dos", "three", "four"]
        );
    });
}

/// An integer and a range convert to selections of the first axis.
pub fn index_and_range_selections(m: &dyn Maker) {
    let f = m.create();
    f.set("v", vec![0.0, 1.0, 2.0, 3.0, 4.0]).unwrap();
    f.set("m", array![[1, 2], [3, 4], [5, 6]]).unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.read_part::<f64>("v", 2isize).unwrap(), 2.0);
        assert_eq!(f.read_part::<f64>("v", -1isize).unwrap(), 4.0);
        assert_eq!(f.read_part::<Vec<f64>>("v", 1isize..3).unwrap(), [1.0, 2.0]);
        assert_eq!(
            f.read_part::<Vec<f64>>("v", -2isize..5).unwrap(),
            [3.0, 4.0]
        );
        assert_eq!(f.read_part::<Vec<i32>>("m", 1isize).unwrap(), [3, 4]);
        assert_eq!(
            f.read_part::<Array2<i32>>("m", 1isize..3).unwrap(),
            array![[3, 4], [5, 6]]
        );
        assert_eq!(
            f.read_part::<Vec<i32>>("m", Selection::new().full().index(-1))
                .unwrap(),
            [2, 4, 6]
        );
        assert_eq!(
            f.read_part::<Vec<f64>>("v", Selection::all()).unwrap(),
            [0.0, 1.0, 2.0, 3.0, 4.0]
        );
    });
}

/// A single value fills the whole selection.
pub fn single_value_fills(m: &dyn Maker) {
    let f = m.create();
    f.declare("z", qnd::DType::F64, &[3, 4]).unwrap();
    f.write_part("z", s![.., 1], 5.0).unwrap();
    f.write_part("z", Selection::new().index(-1).slice(None, None, 2), 9.0)
        .unwrap();
    f.write_part("z", s![0, 2..], 7i32).unwrap();
    f.write_part("z", s![1, ..1], vec![3.0]).unwrap();
    let want = array![
        [0.0, 5.0, 7.0, 7.0],
        [3.0, 5.0, 0.0, 0.0],
        [9.0, 5.0, 9.0, 0.0]
    ];
    stored(m, &f, |f| {
        assert_eq!(f.read::<Array2<f64>>("z").unwrap(), want);
    });
}

/// Empty selections read as empty arrays and writing them changes nothing.
pub fn empty_selections(m: &dyn Maker) {
    let f = m.create();
    f.set("v", vec![1i32, 2, 3]).unwrap();
    f.set("m", Array2::<f64>::zeros((2, 3))).unwrap();
    assert_eq!(
        f.read_part::<Vec<i32>>("v", s![3..]).unwrap(),
        Vec::<i32>::new()
    );
    assert_eq!(
        f.read_part::<Array2<f64>>("m", Selection::new().full().slice(5, 9, 1))
            .unwrap()
            .dim(),
        (2, 0)
    );
    f.write_part("v", s![3..], Vec::<i32>::new()).unwrap();
    f.write_part("m", s![.., 1..1], Array2::<f64>::zeros((2, 0)))
        .unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.read::<Vec<i32>>("v").unwrap(), [1, 2, 3]);
        assert_eq!(
            f.read::<Array2<f64>>("m").unwrap(),
            Array2::<f64>::zeros((2, 3))
        );
    });
}

/// With goto on a selection applies to the current record; with goto off
/// the first axis is the record axis.
pub fn record_selections(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    for k in 0..4 {
        f.set(
            "u",
            array![[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] + 10.0 * k as f64,
        )
        .unwrap();
    }
    f.set_recording(Recording::Off);
    let check = |f: &qnd::QGroup| {
        f.goto(2);
        assert_eq!(
            f.read_part::<Vec<f64>>("u", s![1, ..;-1]).unwrap(),
            [25.0, 24.0, 23.0]
        );
        assert_eq!(f.read_part::<f64>("u", s![-1, -1]).unwrap(), 25.0);
        f.goto_off();
        assert_eq!(
            f.read_part::<Vec<f64>>("u", s![.., 0, 1]).unwrap(),
            [1.0, 11.0, 21.0, 31.0]
        );
        assert_eq!(
            f.read_part::<Array2<f64>>("u", s![1..;2, 1, ..2]).unwrap(),
            array![[13.0, 14.0], [33.0, 34.0]]
        );
    };
    check(&f);
    // Write part of one record: the others are untouched.
    f.goto(1);
    f.write_part("u", s![0, 1..], array![-1.0, -2.0]).unwrap();
    let e = expect_err!(f.write_part("u", s![2, 0], 1.0), Error::OutOfBounds { .. });
    assert!(e.to_string().contains("/u"), "{e}");
    stored(m, &f, |f| {
        f.goto(1);
        assert_eq!(
            f.read::<Array2<f64>>("u").unwrap(),
            array![[10.0, -1.0, -2.0], [13.0, 14.0, 15.0]]
        );
        f.goto(0);
        assert_eq!(
            f.read::<Array2<f64>>("u").unwrap(),
            array![[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
        );
        f.goto(3);
        assert_eq!(f.read_part::<f64>("u", s![1, 2]).unwrap(), 35.0);
    });
}
