use ndarray::{s, ArrayD, IxDyn};

use super::*;
use crate::selection::SelectRegion;

fn arange(shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    Array::I64(ArrayD::from_shape_vec(IxDyn(shape), (0..n as i64).collect()).unwrap())
}

#[test]
fn composed_selections_read_what_they_show() {
    let a = arange(&[6, 5, 4]);
    let lazy = Lazy::new(a.clone());
    let first = Selection::from(s![1..6;2, ..;-1, 2]);
    let v = lazy.select(first.clone()).unwrap();
    assert_eq!(v.shape().unwrap(), vec![3, 5]);
    let direct = a.select_region(&first.resolve(&[6, 5, 4]).unwrap());
    assert_eq!(v.read::<Array>().unwrap(), direct);
    let second = Selection::new()
        .slice(None, None, -1)
        .slice(Some(1), Some(5), 3);
    let w = v.select(second.clone()).unwrap();
    let expected = direct.select_region(&second.resolve(&[3, 5]).unwrap());
    assert_eq!(w.shape().unwrap(), expected.shape().to_vec());
    assert_eq!(w.read::<Array>().unwrap(), expected);
    // an index drops the axis; out of bounds names it
    let x = w.select(Selection::new().index(-1)).unwrap();
    assert_eq!(x.shape().unwrap(), vec![2]);
    let e = w.select(Selection::new().full().index(2)).unwrap_err();
    assert!(
        matches!(
            e,
            Error::OutOfBounds {
                axis: 1,
                index: 2,
                len: 2,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn arrays_are_read_only() {
    let a = Lazy::new(arange(&[3]));
    let e = a.write_part(s![0], 1i64).unwrap_err();
    assert!(e.to_string().contains("not writable"), "{e}");
}
