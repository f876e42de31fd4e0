//! Virtual arrays: stacks, layouts and sources. Every read is compared with
//! the same selection applied to the fully materialized array; mappings
//! (`virtual_maps`) are checked by building the array they describe.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use ndarray::{s, ArrayD, Axis as NdAxis, IxDyn};
use proptest::prelude::*;
use qnd::backend::{Run, VirtualMap};
use qnd::lazy::{Lazy, LazyArray, LazyExt, VirtualLayout, VirtualStack};
use qnd::selection::Region;
use qnd::selection::SelectRegion;
use qnd::{Array, Axis, DType, Error, Result, Selection};

// ------------------------------------------------------------ helpers

/// `0, 1, 2, ...` plus `offset`, of `shape`.
fn arange(shape: &[usize], offset: i64) -> ArrayD<i64> {
    let n: usize = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), (0..n as i64).map(|x| x + offset).collect()).unwrap()
}

fn lazy(a: ArrayD<i64>) -> Lazy {
    Lazy::new(Array::from(a))
}

/// The arrays joined along `axis` (negative from the end).
fn concat(parts: &[ArrayD<i64>], axis: isize) -> ArrayD<i64> {
    let ndim = parts[0].ndim() as isize;
    let ax = if axis < 0 { axis + ndim } else { axis } as usize;
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    ndarray::concatenate(NdAxis(ax), &views).unwrap()
}

/// `sel` of `full`, materialized.
fn expected(full: &ArrayD<i64>, sel: &Selection) -> Array {
    let region = sel.resolve(full.shape()).unwrap();
    Array::from(full.clone()).select_region(&region)
}

/// `sel` read from `a` equals `sel` of `full`, read directly, through a
/// lazy selection (shape known before reading) and through a selection of
/// the selection.
fn check(a: &Lazy, full: &ArrayD<i64>, sel: &Selection) {
    let want = expected(full, sel);
    let got: Array = a
        .read_part(sel.clone())
        .unwrap_or_else(|e| panic!("{sel:?}: {e}"));
    assert_eq!(got, want, "{sel:?} of {}", a.describe());
    let v = a.select(sel.clone()).unwrap();
    assert_eq!(v.shape().unwrap(), want.shape().to_vec(), "{sel:?}");
    assert_eq!(v.read::<Array>().unwrap(), want, "{sel:?} (lazy)");
    // and every other element of that, backwards, on the first axis
    if !want.shape().is_empty() {
        let back = Selection::new().slice(None, None, -2);
        let want2 = want.select_region(&back.resolve(want.shape()).unwrap());
        let w = v.select(back).unwrap();
        assert_eq!(w.read::<Array>().unwrap(), want2, "{sel:?} then ::-2");
    }
}

fn sl(start: Option<isize>, stop: Option<isize>, step: isize) -> Axis {
    Axis::Slice { start, stop, step }
}

/// Selections on an axis of length 7 (the stacked one below).
fn axis_selections() -> Vec<Axis> {
    vec![
        sl(None, None, 1),
        sl(Some(1), Some(6), 1),
        sl(Some(2), Some(3), 1), // inside one source
        sl(None, None, 2),
        sl(Some(1), None, 3),
        sl(None, None, 5),
        sl(None, None, -1),
        sl(Some(-2), None, -2),
        sl(Some(5), Some(0), -3),
        sl(Some(6), Some(-8), -4),
        sl(Some(4), Some(4), 1), // empty
        sl(Some(9), Some(2), 1), // empty
        Axis::Index(0),
        Axis::Index(2),
        Axis::Index(3),
        Axis::Index(-1),
        Axis::Index(-5),
        Axis::NdSlice {
            start: 1,
            end: Some(-1),
            step: -2,
        },
    ]
}

/// Source lengths 2, 0, 1, 4 along the stacked axis (7 in all).
const LENS: [usize; 4] = [2, 0, 1, 4];

/// Sources of shape `other` with `LENS[i]` inserted at `axis`.
fn parts(other: &[usize], axis: isize) -> Vec<ArrayD<i64>> {
    let ndim = other.len() as isize + 1;
    let ax = if axis < 0 { axis + ndim } else { axis } as usize;
    LENS.iter()
        .enumerate()
        .map(|(i, &n)| {
            let mut shape = other.to_vec();
            shape.insert(ax, n);
            arange(&shape, 100 * i as i64)
        })
        .collect()
}

/// Every selection of `axis_selections` on the stacked axis `ax`, with a
/// few on the other axes.
fn selections(ndim: usize, ax: usize) -> Vec<Selection> {
    let others = [
        sl(None, None, 1),
        sl(None, None, -1),
        sl(Some(1), None, 2),
        Axis::Index(-1),
    ];
    let mut out = Vec::new();
    for (i, on_ax) in axis_selections().into_iter().enumerate() {
        let mut axes = Vec::new();
        for d in 0..ndim {
            axes.push(if d == ax {
                on_ax
            } else {
                others[(i + d) % others.len()]
            });
        }
        out.push(Selection::from(axes));
    }
    out
}

// ------------------------------------------------------------ a mapped source

/// An in-memory array that says it is dataset `/x` of file `name`: its
/// mappings can be checked against its data without files.
struct Mapped {
    name: String,
    data: Array,
}

impl LazyArray for Mapped {
    fn shape(&self) -> Result<Vec<usize>> {
        Ok(self.data.shape().to_vec())
    }
    fn dtype(&self) -> Result<DType> {
        Ok(self.data.dtype())
    }
    fn describe(&self) -> String {
        self.name.clone()
    }
    fn read_region(&self, region: &Region) -> Result<Array> {
        Ok(self.data.select_region(region))
    }
    fn virtual_maps(&self) -> Option<Result<Vec<VirtualMap>>> {
        let whole = Run::whole(self.data.shape());
        Some(Ok(vec![VirtualMap {
            dest: whole.clone(),
            file: PathBuf::from(&self.name),
            dataset: "/x".into(),
            src: whole,
        }]))
    }
}

fn mapped(name: &str, a: ArrayD<i64>) -> Lazy {
    Lazy::new(Mapped {
        name: name.into(),
        data: Array::from(a),
    })
}

/// The indices of a hyperslab, in row-major order.
fn slab_indices(slabs: &[Run]) -> Vec<Vec<usize>> {
    let mut out = vec![vec![]];
    for s in slabs {
        out = out
            .into_iter()
            .flat_map(|p| {
                s.indices().map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    out
}

/// The array that `maps` describe (zeros where nothing is mapped), the
/// files being the arrays of `files`; every map's selections pair off and
/// lie inside their arrays, and no element is mapped twice.
fn build(maps: &[VirtualMap], shape: &[usize], files: &HashMap<PathBuf, ArrayD<i64>>) -> Array {
    let mut out = ArrayD::<i64>::zeros(IxDyn(shape));
    let mut seen = ArrayD::<bool>::from_elem(IxDyn(shape), false);
    for m in maps {
        assert_eq!(m.dataset, "/x");
        let src = &files[&m.file];
        assert_eq!(m.dest.len(), shape.len(), "{m:?}");
        assert_eq!(m.src.len(), src.ndim(), "{m:?}");
        let (d, s) = (slab_indices(&m.dest), slab_indices(&m.src));
        assert_eq!(d.len(), s.len(), "{m:?}");
        for (di, si) in d.iter().zip(&s) {
            assert!(!seen[IxDyn(di)], "{di:?} mapped twice");
            seen[IxDyn(di)] = true;
            out[IxDyn(di)] = src[IxDyn(si)];
        }
    }
    Array::from(out)
}

/// Mapping `map` places runs `src` of its source at runs `dest` of the
/// array.
#[track_caller]
fn assert_map(map: &VirtualMap, dest: &[Run], src: &[Run]) {
    assert_eq!(map.dest, dest, "dest");
    assert_eq!(map.src, src, "src");
}

/// When `a` has mappings, they describe what it reads.
fn check_maps(a: &Lazy, files: &HashMap<PathBuf, ArrayD<i64>>) -> bool {
    match a.virtual_maps() {
        None => false,
        Some(maps) => {
            let maps = maps.unwrap();
            let shape = a.shape().unwrap();
            assert_eq!(
                build(&maps, &shape, files),
                a.read::<Array>().unwrap(),
                "maps of {}: {maps:?}",
                a.describe()
            );
            true
        }
    }
}

// ------------------------------------------------------------ stacks

#[test]
fn virtual_arrays_are_send_and_sync() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<VirtualStack>();
    send_sync::<VirtualLayout>();
    send_sync::<qnd::lazy::VirtualSource>();
}

#[test]
fn stacks_read_what_the_concatenation_holds() {
    for (other, axis) in [
        (vec![3], 0isize),
        (vec![3], 1),
        (vec![3], -1),
        (vec![3], -2),
        (vec![2, 3], 0),
        (vec![2, 3], 1),
        (vec![2, 3], -1),
        (vec![], 0),
    ] {
        let ps = parts(&other, axis);
        let full = concat(&ps, axis);
        let stack = VirtualStack::new(ps.iter().cloned().map(lazy), axis).unwrap();
        assert_eq!(stack.shape().unwrap(), full.shape().to_vec());
        assert_eq!(stack.dtype().unwrap(), DType::I64);
        assert_eq!(stack.axis(), axis);
        assert_eq!(stack.sources().len(), LENS.len());
        let ax = stack.resolved_axis().unwrap();
        let stack = Lazy::new(stack);
        check(&stack, &full, &Selection::all());
        for sel in selections(full.ndim(), ax) {
            check(&stack, &full, &sel);
        }
    }
}

#[test]
fn steps_across_boundaries_and_single_sources() {
    // three sources of 3, 1 and 5 rows
    let ps = vec![arange(&[3, 2], 0), arange(&[1, 2], 10), arange(&[5, 2], 20)];
    let full = concat(&ps, 0);
    let stack = Lazy::new(VirtualStack::new(ps.into_iter().map(lazy), 0).unwrap());
    let rows = |sel: Selection| -> Vec<i64> {
        let a: ArrayD<i64> = stack.read_part(sel.index(0)).unwrap();
        a.iter().copied().collect()
    };
    assert_eq!(
        rows(Selection::new().slice(None, None, 2)),
        [0, 4, 20, 24, 28]
    );
    assert_eq!(rows(Selection::new().slice(Some(1), None, 3)), [2, 20, 26]);
    assert_eq!(rows(Selection::new().slice(None, None, -3)), [28, 22, 4]);
    assert_eq!(
        rows(Selection::new().slice(Some(7), Some(0), -2)),
        [26, 22, 10, 2]
    );
    assert_eq!(rows(Selection::new().slice(None, None, 100)), [0]);
    assert_eq!(rows(Selection::new().slice(None, None, -100)), [28]);
    // an integer index on the stacked axis reads one source
    let one: ArrayD<i64> = stack.read_part(s![3, ..]).unwrap();
    assert_eq!(one, full.slice(s![3, ..]).to_owned().into_dyn());
    let last: Vec<i64> = stack.read_part(s![-1, ..]).unwrap();
    assert_eq!(last, [28, 29]);
}

#[test]
fn out_of_bounds_names_the_axis() {
    let stack = Lazy::new(
        VirtualStack::new([lazy(arange(&[2, 3], 0)), lazy(arange(&[2, 2], 0))], 1).unwrap(),
    );
    assert_eq!(stack.shape().unwrap(), vec![2, 5]);
    for (sel, axis, index, len) in [
        (Selection::new().full().index(5), 1, 5, 5),
        (Selection::new().full().index(-6), 1, -6, 5),
        (Selection::new().index(2), 0, 2, 2),
    ] {
        let e = stack.read_part::<Array>(sel.clone()).unwrap_err();
        assert!(
            matches!(e, Error::OutOfBounds { axis: a, index: i, len: n, .. } if (a, i, n) == (axis, index, len)),
            "{sel:?}: {e}"
        );
        let e = stack.select(sel).unwrap_err();
        assert!(
            matches!(e, Error::OutOfBounds { axis: a, .. } if a == axis),
            "{e}"
        );
    }
    // through a selection: the axis of the selection
    let v = stack.select(s![1, 1..]).unwrap();
    let e = v.read_part::<Array>(s![4]).unwrap_err();
    assert!(
        matches!(
            e,
            Error::OutOfBounds {
                axis: 0,
                len: 4,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn mismatched_sources_are_named() {
    let a = lazy(arange(&[2, 3], 0));
    let mut stack = VirtualStack::new([a.clone()], 0).unwrap();
    // another length on the other axis
    let e = stack.push(lazy(arange(&[2, 4], 0))).unwrap_err();
    let (path, expected, got) = common::mismatch(&e);
    assert!(path.contains("source 1"), "{e}");
    assert!(expected.contains("length 3 on axis 1"), "{e}");
    assert!(got.contains("length 4 on axis 1"), "{e}");
    // another dtype
    let f = Lazy::new(Array::from(ndarray::array![[1.0, 2.0, 3.0]]));
    let e = stack.push(f).unwrap_err();
    assert!(
        matches!(&e, Error::Mismatch { expected, got, .. } if expected.contains("i8") && got.contains("f8")),
        "{e}"
    );
    // another number of dimensions
    let e = stack.push(lazy(arange(&[3], 0))).unwrap_err();
    assert!(e.to_string().contains("dimensions"), "{e}");
    assert_eq!(stack.sources().len(), 1);
    // extend is all or nothing
    let e = stack
        .extend([a.clone(), lazy(arange(&[1, 5], 0))])
        .unwrap_err();
    assert!(e.to_string().contains("source 2"), "{e}");
    assert_eq!(stack.sources().len(), 1);
    stack.extend([a.clone(), a.clone()]).unwrap();
    stack.append(lazy(arange(&[1, 3], 50))).unwrap();
    assert_eq!(stack.shape().unwrap(), vec![7, 3]);
    // an axis that does not fit, 0-d sources
    let e = VirtualStack::new([a.clone()], 2).unwrap_err();
    assert!(e.to_string().contains("axis 2"), "{e}");
    let e = VirtualStack::new([a.clone()], -3).unwrap_err();
    assert!(e.to_string().contains("axis -3"), "{e}");
    let e = VirtualStack::new([Lazy::new(Array::scalar(1i64))], 0).unwrap_err();
    assert!(e.to_string().contains("0 dimensions"), "{e}");
    // an empty stack has no shape
    let empty = VirtualStack::new(Vec::<Lazy>::new(), -1).unwrap();
    for e in [
        empty.shape().unwrap_err(),
        empty.dtype().unwrap_err(),
        empty.read::<Array>().unwrap_err(),
        empty.virtual_maps().unwrap().unwrap_err(),
    ] {
        assert!(e.to_string().contains("no sources"), "{e}");
    }
}

#[test]
fn writes_go_to_each_source() {
    let f = qnd::memory();
    f.set("a", arange(&[3, 2], 0)).unwrap();
    f.set("b", arange(&[4, 2], 10)).unwrap();
    let leaves = ["a", "b"].map(|n| Lazy::new(f.leaf(n).unwrap()));
    let stack = Lazy::new(VirtualStack::new(leaves, 0).unwrap());
    let mut full = concat(&[arange(&[3, 2], 0), arange(&[4, 2], 10)], 0);
    // every other row backwards, across the boundary
    let sel = Selection::new().slice(Some(6), None, -2);
    let data = arange(&[4, 2], 1000);
    stack.write_part(sel.clone(), data.clone()).unwrap();
    full.slice_mut(s![..;-2, ..]).assign(&data);
    assert_eq!(stack.read::<ArrayD<i64>>().unwrap(), full);
    // an integer index on the stacked axis, one value filling it
    stack.write_part(s![1, ..], -1i64).unwrap();
    full.slice_mut(s![1, ..]).fill(-1);
    let a: ArrayD<i64> = f.read("a").unwrap();
    assert_eq!(a, full.slice(s![..3, ..]).to_owned().into_dyn());
    let b: ArrayD<i64> = f.read("b").unwrap();
    assert_eq!(b, full.slice(s![3.., ..]).to_owned().into_dyn());
    // through a selection of the stack
    let v = stack.select(s![2..5, 1]).unwrap();
    v.write_part(Selection::all(), ndarray::array![7i64, 8, 9])
        .unwrap();
    full.slice_mut(s![2..5, 1])
        .assign(&ndarray::array![7i64, 8, 9]);
    assert_eq!(stack.read::<ArrayD<i64>>().unwrap(), full);
    // arrays are not writable
    let ro = VirtualStack::new([lazy(arange(&[2], 0))], 0).unwrap();
    assert!(ro.write_part(s![0], 1i64).is_err());
}

// ------------------------------------------------------------ layouts

/// A layout of shape [6, 5] with a gap, overlaps, a backwards placement
/// and an integer-index placement; and the array it shows.
fn layout() -> (VirtualLayout, ArrayD<i64>) {
    let mut layout = VirtualLayout::new(&[6, 5], DType::I64);
    let mut full = ArrayD::<i64>::zeros(IxDyn(&[6, 5]));
    let a = arange(&[3, 5], 100);
    layout.place(s![0..3, ..], lazy(a.clone())).unwrap();
    full.slice_mut(s![0..3, ..]).assign(&a);
    // overlaps the first; it wins where they overlap
    let b = arange(&[2, 2], 200);
    layout.place(s![2..4, 1..3], lazy(b.clone())).unwrap();
    full.slice_mut(s![2..4, 1..3]).assign(&b);
    // rows 5, 3 backwards, every other column
    let c = arange(&[2, 3], 300);
    layout
        .place(
            Selection::new()
                .slice(Some(5), Some(2), -2)
                .slice(None, None, 2),
            lazy(c.clone()),
        )
        .unwrap();
    full.slice_mut(s![3..=5;-2, ..;2]).assign(&c);
    // one row: column 4, rows 3..6 (an index drops the axis)
    let d = arange(&[3], 400);
    layout.place(s![3..6, 4], lazy(d.clone())).unwrap();
    full.slice_mut(s![3..6, 4]).assign(&d);
    // row 4, columns 1 and 3 are still a gap
    (layout, full)
}

#[test]
fn layouts_read_placements_and_zeros() {
    let (layout, full) = layout();
    assert_eq!(full[[4, 1]], 0);
    assert_eq!(layout.placements().count(), 4);
    let layout = Lazy::new(layout);
    check(&layout, &full, &Selection::all());
    let axes = axis_selections();
    for (i, a) in axes.iter().enumerate() {
        for b in axes.iter().skip(i % 3).step_by(3) {
            check(&layout, &full, &Selection::from(vec![*a, *b]));
        }
    }
}

#[test]
fn layout_placements_are_checked() {
    let mut layout = VirtualLayout::new(&[4, 3], DType::I64);
    let e = layout.place(s![.., 5], lazy(arange(&[4], 0))).unwrap_err();
    assert!(matches!(e, Error::OutOfBounds { axis: 1, .. }), "{e}");
    let e = layout
        .place(s![1.., ..], lazy(arange(&[2, 3], 0)))
        .unwrap_err();
    assert!(
        matches!(&e, Error::Mismatch { expected, got, .. } if expected.contains("[3, 3]") && got.contains("[2, 3]")),
        "{e}"
    );
    let e = layout
        .place(
            s![0, ..],
            Lazy::new(Array::from(ndarray::array![1u8, 2, 3])),
        )
        .unwrap_err();
    assert!(e.to_string().contains("dtype"), "{e}");
    assert!(e.to_string().contains("source 0"), "{e}");
    // a region that does not fit
    let bad = Region {
        axes: vec![
            qnd::selection::Resolved::all(5),
            qnd::selection::Resolved::all(3),
        ],
    };
    assert!(layout.place_region(bad, lazy(arange(&[5, 3], 0))).is_err());
    assert_eq!(layout.placements().count(), 0);
    // an empty layout reads as zeros
    let z: ArrayD<i64> = layout.read().unwrap();
    assert_eq!(z, ArrayD::<i64>::zeros(IxDyn(&[4, 3])));
}

#[test]
fn layout_writes_reach_placements_and_refuse_gaps() {
    let f = qnd::memory();
    f.set("a", arange(&[2, 4], 0)).unwrap();
    f.set("b", arange(&[4], 10)).unwrap();
    let mut layout = VirtualLayout::new(&[4, 4], DType::I64);
    layout
        .place(s![0..2, ..], Lazy::new(f.leaf("a").unwrap()))
        .unwrap();
    // row 3, backwards
    layout
        .place(
            Selection::new().index(3).slice(None, None, -1),
            Lazy::new(f.leaf("b").unwrap()),
        )
        .unwrap();
    let layout = Lazy::new(layout);
    layout
        .write_part(s![1.., 1..3], ndarray::array![[1i64, 2], [0, 0], [3, 4]])
        .unwrap_err(); // row 2 is a gap: nothing is written
    assert_eq!(f.read::<Vec<i64>>("b").unwrap(), [10, 11, 12, 13]);
    layout
        .write_part(
            Selection::new()
                .slice(None, None, 3)
                .slice(Some(1), Some(3), 1),
            ndarray::array![[51i64, 52], [3, 4]],
        )
        .unwrap();
    assert_eq!(
        f.read::<ArrayD<i64>>("a").unwrap(),
        ndarray::array![[0i64, 51, 52, 3], [4, 5, 6, 7]].into_dyn()
    );
    assert_eq!(f.read::<Vec<i64>>("b").unwrap(), [10, 4, 3, 13]);
}

// ------------------------------------------------------------ mappings

fn files_of(named: &[(&str, &ArrayD<i64>)]) -> HashMap<PathBuf, ArrayD<i64>> {
    named
        .iter()
        .map(|(n, a)| (PathBuf::from(n), (*a).clone()))
        .collect()
}

#[test]
fn stack_maps_offset_each_source() {
    let (p, q, r) = (arange(&[2, 3], 0), arange(&[4, 3], 10), arange(&[1, 3], 50));
    let files = files_of(&[("p", &p), ("q", &q), ("r", &r)]);
    let stack = VirtualStack::new(
        [
            mapped("p", p.clone()),
            mapped("q", q.clone()),
            mapped("r", r.clone()),
        ],
        0,
    )
    .unwrap();
    let maps = stack.virtual_maps().unwrap().unwrap();
    let starts: Vec<(usize, usize)> = maps
        .iter()
        .map(|m| (m.dest[0].first, m.dest[0].count))
        .collect();
    assert_eq!(starts, [(0, 2), (2, 4), (6, 1)]);
    assert!(maps
        .iter()
        .all(|m| m.dest[1] == Run::all(3) && m.dest.len() == 2));
    assert_eq!(maps[1].src, vec![Run::all(4), Run::all(3)]);
    assert_eq!(maps[2].file, PathBuf::from("r"));
    let stack = Lazy::new(stack);
    assert!(check_maps(&stack, &files));
    // along the last axis
    let s2 =
        Lazy::new(VirtualStack::new([mapped("p", p.clone()), mapped("p", p.clone())], -1).unwrap());
    let maps = s2.virtual_maps().unwrap().unwrap();
    assert_eq!(maps[1].dest, vec![Run::all(2), Run::strided(3, 3, 1)]);
    assert!(check_maps(&s2, &files));
    // in-memory arrays have none, nor a stack holding one
    let mixed = VirtualStack::new([mapped("p", p.clone()), lazy(p.clone())], 0).unwrap();
    assert!(mixed.virtual_maps().is_none());
}

#[test]
fn selection_maps_restrict_the_base() {
    let (p, q) = (arange(&[3, 4], 0), arange(&[5, 4], 100));
    let files = files_of(&[("p", &p), ("q", &q)]);
    let stack = Lazy::new(VirtualStack::new([mapped("p", p), mapped("q", q)], 0).unwrap());
    // rows 1, 3, 5, 7 (across the boundary), columns 1 and 3
    let v = stack.select(s![1..8;2, 1..;2]).unwrap();
    let maps = v.virtual_maps().unwrap().unwrap();
    assert_eq!(maps.len(), 2);
    assert_map(
        &maps[0],
        &[Run::strided(0, 1, 1), Run::strided(0, 2, 1)],
        &[Run::strided(1, 1, 1), Run::strided(1, 2, 2)],
    );
    assert_map(
        &maps[1],
        &[Run::strided(1, 3, 1), Run::strided(0, 2, 1)],
        &[Run::strided(0, 3, 2), Run::strided(1, 2, 2)],
    );
    assert!(check_maps(&v, &files));
    // an integer index: a one-element slab on the source side, no axis on
    // this side
    let w = stack.select(s![4, 1..3]).unwrap();
    let maps = w.virtual_maps().unwrap().unwrap();
    assert_eq!(maps.len(), 1);
    assert_map(
        &maps[0],
        &[Run::strided(0, 2, 1)],
        &[Run::one(1), Run::strided(1, 2, 1)],
    );
    assert!(check_maps(&w, &files));
    // a selection of a selection
    let x = v.select(s![1.., 1]).unwrap();
    assert!(check_maps(&x, &files));
    // backwards: not hyperslabs
    let r = stack.select(s![..;-1, ..]).unwrap();
    assert!(r.virtual_maps().is_none());
    // backwards on one element is fine
    let one = stack
        .select(Selection::new().slice(Some(2), Some(1), -1))
        .unwrap();
    assert!(check_maps(&one, &files));
}

#[test]
fn layout_maps_place_each_source() {
    let (p, q) = (arange(&[2, 3], 0), arange(&[3], 100));
    let files = files_of(&[("p", &p), ("q", &q)]);
    let mut layout = VirtualLayout::new(&[5, 7], DType::I64);
    layout
        .place(s![1..5;2, 1..7;2], mapped("p", p.clone()))
        .unwrap();
    layout.place(s![4, 4..7], mapped("q", q.clone())).unwrap();
    let maps = layout.virtual_maps().unwrap().unwrap();
    assert_eq!(
        maps[0].dest,
        vec![Run::strided(1, 2, 2), Run::strided(1, 3, 2)]
    );
    assert_map(
        &maps[1],
        &[Run::one(4), Run::strided(4, 3, 1)],
        &[Run::all(3)],
    );
    let layout = Lazy::new(layout);
    assert!(check_maps(&layout, &files));
    assert!(check_maps(&layout.select(s![1.., 2..]).unwrap(), &files));
    // overlapping placements, or backwards ones: no mappings
    let mut over = VirtualLayout::new(&[5, 7], DType::I64);
    over.place(s![0..2, 0..3], mapped("p", p.clone())).unwrap();
    over.place(s![1..3, 2..5], mapped("p", p.clone())).unwrap();
    assert!(over.virtual_maps().is_none());
    let mut back = VirtualLayout::new(&[5, 7], DType::I64);
    back.place(s![0, 3..6;-1], mapped("q", q.clone())).unwrap();
    assert!(back.virtual_maps().is_none());
    // a stack of layouts
    let mut l2 = VirtualLayout::new(&[2, 3], DType::I64);
    l2.place(s![1, ..], mapped("q", q.clone())).unwrap();
    let st = Lazy::new(VirtualStack::new([mapped("p", p.clone()), Lazy::new(l2)], 0).unwrap());
    assert!(check_maps(&st, &files));
}

// ------------------------------------------------------------ files

#[cfg(feature = "hdf5")]
mod files {
    use super::*;
    use qnd::lazy::VirtualSource;

    /// Files `s0.h5`, `s1.h5`, ... in `dir`, each holding `/g/x` =
    /// `parts[i]`.
    fn write_files(dir: &std::path::Path, parts: &[ArrayD<i64>]) -> Vec<PathBuf> {
        parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let path = dir.join(format!("s{i}.h5"));
                let f = qnd::open(&path, "w").unwrap();
                f.set("g", qnd::Value::group()).unwrap();
                f.set("g/x", Array::from(p.clone())).unwrap();
                f.close().unwrap();
                path
            })
            .collect()
    }

    fn sources(paths: &[PathBuf]) -> Vec<Lazy> {
        paths
            .iter()
            .map(|p| Lazy::new(VirtualSource::new(p, "g/x").unwrap()))
            .collect()
    }

    #[test]
    fn sources_read_on_demand() {
        let dir = tempfile::tempdir().unwrap();
        let full = arange(&[7, 5], 0);
        let paths = write_files(dir.path(), std::slice::from_ref(&full));
        let src = VirtualSource::new(&paths[0], "g/x").unwrap();
        assert_eq!(src.file(), paths[0]);
        assert_eq!(src.dataset(), "/g/x");
        assert_eq!(src.shape().unwrap(), vec![7, 5]);
        assert_eq!(src.dtype().unwrap(), DType::I64);
        let maps = src.virtual_maps().unwrap().unwrap();
        assert_eq!(
            maps,
            vec![VirtualMap {
                dest: vec![Run::all(7), Run::all(5)],
                file: paths[0].clone(),
                dataset: "/g/x".into(),
                src: vec![Run::all(7), Run::all(5)],
            }]
        );
        let src = Lazy::new(src);
        check(&src, &full, &Selection::all());
        for sel in selections(2, 0) {
            check(&src, &full, &sel);
        }
        // a selection of it maps a part of the dataset
        let v = src.select(s![1..6;2, 3]).unwrap();
        let maps = v.virtual_maps().unwrap().unwrap();
        assert_eq!(maps.len(), 1);
        assert_map(
            &maps[0],
            &[Run::strided(0, 3, 1)],
            &[Run::strided(1, 3, 2), Run::one(3)],
        );
        assert_eq!(v.read::<Vec<i64>>().unwrap(), [8, 18, 28]);
        // not writable
        assert!(src.write_part(s![0, 0], 1i64).is_err());
        // errors name the file
        let e = VirtualSource::new(dir.path().join("nope.h5"), "g/x").unwrap_err();
        assert!(
            matches!(&e, Error::NoFile { file } if file.ends_with("nope.h5")),
            "{e}"
        );
        let e = VirtualSource::new(&paths[0], "g/y").unwrap_err();
        assert!(matches!(&e, Error::NoItem { .. }), "{e}");
        assert!(e.to_string().contains("s0.h5"), "{e}");
    }

    #[test]
    fn stacks_of_files() {
        let dir = tempfile::tempdir().unwrap();
        for (k, axis) in [0isize, 1, -1].into_iter().enumerate() {
            let sub = dir.path().join(format!("axis{k}"));
            std::fs::create_dir(&sub).unwrap();
            let ps: Vec<_> = parts(&[3], axis)
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect();
            let full = concat(&ps, axis);
            let paths = write_files(&sub, &ps);
            let stack = VirtualStack::new(sources(&paths), axis).unwrap();
            let ax = stack.resolved_axis().unwrap();
            let stack = Lazy::new(stack);
            assert_eq!(stack.shape().unwrap(), full.shape().to_vec());
            check(&stack, &full, &Selection::all());
            for sel in selections(2, ax) {
                check(&stack, &full, &sel);
            }
            // mappings: one per file, offset along the axis
            let maps = stack.virtual_maps().unwrap().unwrap();
            assert_eq!(maps.len(), paths.len());
            let mut off = 0;
            for (m, (p, a)) in maps.iter().zip(paths.iter().zip(&ps)) {
                assert_eq!((&m.file, m.dataset.as_str()), (p, "/g/x"));
                assert_eq!(m.dest[ax].first, off);
                assert_eq!(m.dest[ax].count, a.shape()[ax]);
                off += a.shape()[ax];
            }
        }
    }

    #[test]
    fn a_missing_source_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let ps = vec![arange(&[2, 2], 0), arange(&[3, 2], 10), arange(&[2, 2], 20)];
        let paths = write_files(dir.path(), &ps);
        let stack = Lazy::new(VirtualStack::new(sources(&paths), 0).unwrap());
        std::fs::remove_file(&paths[1]).unwrap();
        // reads that do not touch it still work
        let first: ArrayD<i64> = stack.read_part(s![..2, ..]).unwrap();
        assert_eq!(first, ps[0]);
        let e = stack.read::<Array>().unwrap_err();
        assert!(
            matches!(&e, Error::NoFile { file } if file == &paths[1]),
            "{e}"
        );
        assert!(e.to_string().contains("s1.h5"), "{e}");
        // a file that is not one qnd reads
        std::fs::write(&paths[1], b"not a file").unwrap();
        let e = stack.read_part::<Array>(s![3, ..]).unwrap_err();
        assert!(e.to_string().contains("s1.h5"), "{e}");
        // in a layout too
        let mut layout = VirtualLayout::new(&[3, 2], DType::I64);
        layout
            .place(s![..], stack.select(s![2..5, ..]).unwrap())
            .unwrap();
        let e = layout.read::<Array>().unwrap_err();
        assert!(e.to_string().contains("s1.h5"), "{e}");
    }

    #[test]
    fn writes_through_a_stack_of_files() {
        let dir = tempfile::tempdir().unwrap();
        let ps = vec![arange(&[2, 3], 0), arange(&[2, 2], 10), arange(&[2, 4], 20)];
        let paths = write_files(dir.path(), &ps);
        let mut full = concat(&ps, 1);
        {
            let files: Vec<_> = paths.iter().map(|p| qnd::open(p, "r+").unwrap()).collect();
            let leaves: Vec<Lazy> = files
                .iter()
                .map(|f| Lazy::new(f.leaf("g/x").unwrap()))
                .collect();
            let stack = Lazy::new(VirtualStack::new(leaves, -1).unwrap());
            // columns 8, 5, 2 (one in each file), both rows
            let data = arange(&[2, 3], 1000);
            stack
                .write_part(
                    Selection::new().full().slice(Some(8), None, -3),
                    data.clone(),
                )
                .unwrap();
            full.slice_mut(s![.., 2..=8;-3]).assign(&data);
            stack.write_part(s![1, 3..6], -5i64).unwrap();
            full.slice_mut(s![1, 3..6]).fill(-5);
            assert_eq!(stack.read::<ArrayD<i64>>().unwrap(), full);
            for f in files {
                f.close().unwrap();
            }
        }
        // read back through sources of the closed files
        let stack = Lazy::new(VirtualStack::new(sources(&paths), 1).unwrap());
        assert_eq!(stack.read::<ArrayD<i64>>().unwrap(), full);
    }
}

// ------------------------------------------------------------ property tests

/// A selection argument for an axis of length `n`: an index (negative too)
/// when `n > 0`, or a numpy slice with random bounds (out of range too) and
/// a random step (negative too).
fn axis_arg(n: usize) -> BoxedStrategy<Axis> {
    let n = n as isize;
    let bound = proptest::option::of(-n - 2..n + 3);
    let step = prop_oneof![-5isize..0, 1isize..6];
    let slice = (bound.clone(), bound, step).prop_map(|(start, stop, step)| Axis::Slice {
        start,
        stop,
        step,
    });
    if n > 0 {
        prop_oneof![1 => (-n..n).prop_map(Axis::Index), 3 => slice].boxed()
    } else {
        slice.boxed()
    }
}

fn selection_for(shape: Vec<usize>) -> BoxedStrategy<Selection> {
    shape
        .into_iter()
        .map(axis_arg)
        .collect::<Vec<_>>()
        .prop_map(Selection::from)
        .boxed()
}

/// A stack: the other axes' lengths, the axis (negative too), each
/// source's length along it; and two selections, the second applied to the
/// first's result.
#[derive(Debug, Clone)]
struct StackCase {
    parts: Vec<ArrayD<i64>>,
    axis: isize,
    first: Selection,
    second: Selection,
}

fn stack_case() -> impl Strategy<Value = StackCase> {
    (
        prop::collection::vec(0usize..4, 0..3),
        prop::collection::vec(0usize..4, 1..5),
    )
        .prop_flat_map(|(other, lens)| {
            let ndim = other.len() + 1;
            let axis = -(ndim as isize)..ndim as isize;
            (Just(other), Just(lens), axis)
        })
        .prop_flat_map(|(other, lens, axis)| {
            let ndim = other.len() as isize + 1;
            let ax = if axis < 0 { axis + ndim } else { axis } as usize;
            let parts: Vec<ArrayD<i64>> = lens
                .iter()
                .enumerate()
                .map(|(i, &n)| {
                    let mut shape = other.clone();
                    shape.insert(ax, n);
                    arange(&shape, 1000 * i as i64)
                })
                .collect();
            let full = concat(&parts, axis);
            let shape = full.shape().to_vec();
            (Just(parts), Just(axis), selection_for(shape))
        })
        .prop_flat_map(|(parts, axis, first)| {
            let full = concat(&parts, axis);
            let shape = first.resolve(full.shape()).unwrap().out_shape();
            (Just(parts), Just(axis), Just(first), selection_for(shape))
        })
        .prop_map(|(parts, axis, first, second)| StackCase {
            parts,
            axis,
            first,
            second,
        })
}

/// A layout of a random shape with random placements (slices of random
/// steps, both signs, and indices), later ones over earlier ones; and a
/// selection.
#[derive(Debug, Clone)]
struct LayoutCase {
    shape: Vec<usize>,
    places: Vec<Selection>,
    read: Selection,
}

fn layout_case() -> impl Strategy<Value = LayoutCase> {
    prop::collection::vec(1usize..6, 1..3)
        .prop_flat_map(|shape| {
            (
                Just(shape.clone()),
                prop::collection::vec(selection_for(shape.clone()), 0..4),
                selection_for(shape),
            )
        })
        .prop_map(|(shape, places, read)| LayoutCase {
            shape,
            places,
            read,
        })
}

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

proptest! {
    #![proptest_config(common::proptest_config(64))]

    #[test]
    fn random_stack_selections(case in stack_case()) {
        let full = concat(&case.parts, case.axis);
        let names: Vec<String> = (0..case.parts.len()).map(|i| format!("f{i}")).collect();
        let files: HashMap<PathBuf, ArrayD<i64>> = names
            .iter()
            .zip(&case.parts)
            .map(|(n, p)| (PathBuf::from(n), p.clone()))
            .collect();
        for with_maps in [false, true] {
            let sources = case.parts.iter().zip(&names).map(|(p, n)| {
                if with_maps { mapped(n, p.clone()) } else { lazy(p.clone()) }
            });
            let stack = Lazy::new(VirtualStack::new(sources, case.axis).map_err(fail)?);
            prop_assert_eq!(stack.shape().map_err(fail)?, full.shape().to_vec());
            let want = expected(&full, &case.first);
            let got: Array = stack.read_part(case.first.clone()).map_err(fail)?;
            prop_assert_eq!(&got, &want);
            let v = stack.select(case.first.clone()).map_err(fail)?;
            prop_assert_eq!(v.shape().map_err(fail)?, want.shape().to_vec());
            let region = case.second.resolve(want.shape()).map_err(fail)?;
            let want2 = want.select_region(&region);
            let w = v.select(case.second.clone()).map_err(fail)?;
            prop_assert_eq!(w.read::<Array>().map_err(fail)?, want2.clone());
            prop_assert_eq!(v.read_part::<Array>(case.second.clone()).map_err(fail)?, want2);
            if with_maps {
                check_maps(&stack, &files);
                let has = check_maps(&v, &files);
                let forwards = case.first.resolve(full.shape()).unwrap().axes.iter()
                    .all(|a| a.step > 0 || a.count <= 1);
                prop_assert!(has || !forwards, "forward selections have mappings");
                check_maps(&w, &files);
            } else {
                prop_assert!(v.virtual_maps().is_none());
            }
        }
    }

    #[test]
    fn random_layouts(case in layout_case()) {
        let mut layout = VirtualLayout::new(&case.shape, DType::I64);
        let mut full = ArrayD::<i64>::zeros(IxDyn(&case.shape));
        let mut files = HashMap::new();
        for (i, sel) in case.places.iter().enumerate() {
            let region = sel.resolve(&case.shape).map_err(fail)?;
            let src = arange(&region.out_shape(), 100 * (i as i64 + 1));
            let name = format!("f{i}");
            files.insert(PathBuf::from(&name), src.clone());
            layout.place(sel.clone(), mapped(&name, src.clone())).map_err(fail)?;
            // later placements win: write them in order
            for (k, v) in slab_indices(&region.axes.iter().map(|a| Run::strided(0, a.count, 1)).collect::<Vec<_>>())
                .into_iter()
                .zip(src.iter())
            {
                let at: Vec<usize> = k.iter().zip(&region.axes).map(|(&k, a)| a.index(k)).collect();
                full[IxDyn(&at)] = *v;
            }
        }
        let layout = Lazy::new(layout);
        prop_assert_eq!(layout.read::<Array>().map_err(fail)?, Array::from(full.clone()));
        let want = expected(&full, &case.read);
        prop_assert_eq!(layout.read_part::<Array>(case.read.clone()).map_err(fail)?, want.clone());
        let v = layout.select(case.read.clone()).map_err(fail)?;
        prop_assert_eq!(v.read::<Array>().map_err(fail)?, want);
        check_maps(&layout, &files);
        check_maps(&v, &files);
    }
}
