//! QLeaf: properties without reading, whole and partial reads and writes.

use ndarray::{array, s, Array2, Array3};
use qnd::{Auto, DType, Error, Recording, Value};

use crate::common::{leaf, stored, Maker};

pub fn properties(m: &dyn Maker) {
    let f = m.create();
    f.set("s", 1.5f32).unwrap();
    f.set("v", vec![1u16, 2, 3]).unwrap();
    f.set("c", Array3::<i64>::zeros((2, 3, 4))).unwrap();
    f.set("t", vec!["a", "bcd"]).unwrap();
    f.set("b", array![[true], [false]]).unwrap();
    f.set("e", qnd::Array::zeros(DType::F64, &[2, 0])).unwrap();
    f.declare("d", DType::U32, &[5, 1]).unwrap();
    let cases: [(&str, DType, Vec<usize>); 7] = [
        ("s", DType::F32, vec![]),
        ("v", DType::U16, vec![3]),
        ("c", DType::I64, vec![2, 3, 4]),
        ("t", DType::Str, vec![2]),
        ("b", DType::Bool, vec![2, 1]),
        ("e", DType::F64, vec![2, 0]),
        ("d", DType::U32, vec![5, 1]),
    ];
    stored(m, &f, |f| {
        for (name, dtype, shape) in &cases {
            let l = f.leaf(name).unwrap();
            assert_eq!(l.path(), format!("/{name}"));
            assert_eq!(l.dtype().unwrap(), *dtype, "{name}");
            assert_eq!(&l.shape().unwrap(), shape, "{name}");
            assert_eq!(l.ndim().unwrap(), shape.len(), "{name}");
            assert_eq!(l.size().unwrap(), shape.iter().product::<usize>(), "{name}");
            let lens: Vec<usize> = l.sshape().unwrap().iter().map(|d| d.len).collect();
            assert_eq!(&lens, shape, "sshape of {name}");
            assert_eq!(l.record(), None);
            // the same through auto mode 0
            let g = f.push();
            g.set_auto(Auto::Off);
            let h = leaf(g.get(name).unwrap());
            assert_eq!(h.dtype().unwrap(), *dtype);
            assert_eq!(&h.shape().unwrap(), shape);
        }
    });
}

pub fn read_write_whole_and_part(m: &dyn Maker) {
    let f = m.create();
    f.set("m", array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        .unwrap();
    let l = f.leaf("m").unwrap();
    assert_eq!(
        l.read::<Array2<f64>>().unwrap(),
        array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    );
    assert_eq!(l.read::<Value>().unwrap(), f.read::<Value>("m").unwrap());
    assert_eq!(l.read_part::<Vec<f64>>(s![.., -1]).unwrap(), [3.0, 6.0]);
    assert_eq!(l.read_part::<f64>(s![1, 0]).unwrap(), 4.0);
    l.write(array![[6.0, 5.0, 4.0], [3.0, 2.0, 1.0]]).unwrap();
    assert_eq!(
        f.read_part::<Vec<f64>>("m", s![0, ..]).unwrap(),
        [6.0, 5.0, 4.0]
    );
    l.write_part(s![1, ..;2], array![-1.0, -3.0]).unwrap();
    l.write_part(s![.., 1], array![7i32, 8]).unwrap(); // i32 widens to f64
    let e = expect_err!(l.write(array![1.0, 2.0]), Error::Mismatch { .. });
    assert_eq!(crate::common::error_path(&e), Some("/m"));
    expect_err!(
        l.write_part(s![0, ..], array![1.0, 2.0]),
        Error::Mismatch { .. }
    );
    expect_err!(
        l.write_part(s![0, ..2], vec!["a", "b"]),
        Error::Mismatch { .. }
    );
    expect_err!(l.write(Value::group()), Error::Mismatch { .. });
    let want = array![[6.0, 7.0, 4.0], [-1.0, 8.0, -3.0]];
    stored(m, &f, |f| {
        let l = f.leaf("m").unwrap();
        assert_eq!(l.read::<Array2<f64>>().unwrap(), want);
        assert_eq!(l.dtype().unwrap(), DType::F64);
    });
}

/// With goto on, a record variable's leaf is its current record; the
/// list's `as_array` is the whole history.
pub fn record_leaf(m: &dyn Maker) {
    let f = m.create();
    f.set_recording(Recording::Uniform);
    for k in 0..3 {
        f.set("u", vec![k as f64, 10.0 * k as f64]).unwrap();
    }
    f.set_recording(Recording::Off);
    f.goto(1);
    let r = f.leaf("u").unwrap();
    assert_eq!(r.record(), Some(1));
    assert_eq!(r.shape().unwrap(), [2]);
    assert_eq!(r.dtype().unwrap(), DType::F64);
    assert_eq!(r.ndim().unwrap(), 1);
    assert_eq!(r.size().unwrap(), 2);
    assert_eq!(r.read::<Vec<f64>>().unwrap(), [1.0, 10.0]);
    r.write(vec![-1.0, -10.0]).unwrap();
    r.write_part(s![1], 5.0).unwrap();
    f.goto(-1);
    let last = f.leaf("u").unwrap();
    assert_eq!(last.record(), Some(2));
    assert_eq!(last.read::<Vec<f64>>().unwrap(), [2.0, 20.0]);
    f.goto_off();
    let all = f.list("u").unwrap().as_array().unwrap();
    assert_eq!(all.shape().unwrap(), [3, 2]);
    assert_eq!(
        all.read_part::<Vec<f64>>(s![.., 0]).unwrap(),
        [0.0, -1.0, 2.0]
    );
    let whole = f.leaf("u").unwrap();
    assert_eq!(whole.record(), None);
    assert_eq!(whole.shape().unwrap(), [3, 2]);
    stored(m, &f, |f| {
        let all = f.list("u").unwrap().as_array().unwrap();
        assert_eq!(
            all.read::<Array2<f64>>().unwrap(),
            array![[0.0, 0.0], [-1.0, 5.0], [2.0, 20.0]]
        );
    });
}

/// Handles share the file: a write through one is seen by every other.
pub fn handles_share_the_file(m: &dyn Maker) {
    let f = m.create();
    f.set("x", vec![1, 2, 3]).unwrap();
    f.set("g", Value::group()).unwrap();
    let a = f.leaf("x").unwrap();
    let b = a.clone();
    let g = f.group("g").unwrap();
    let c = g.root().leaf("x").unwrap();
    a.write_part(s![0], 10).unwrap();
    assert_eq!(b.read::<Vec<i32>>().unwrap(), [10, 2, 3]);
    assert_eq!(c.read::<Vec<i32>>().unwrap(), [10, 2, 3]);
    g.set("/x", vec![4, 5, 6]).unwrap();
    assert_eq!(a.read::<Vec<i32>>().unwrap(), [4, 5, 6]);
    g.set("y", 1u8).unwrap();
    assert_eq!(f.read::<u8>("g/y").unwrap(), 1);
    stored(m, &f, |f| {
        assert_eq!(f.read::<Vec<i32>>("x").unwrap(), [4, 5, 6]);
    });
}

/// The leaf handle of a list element.
pub fn list_element_leaf(m: &dyn Maker) {
    let f = m.create();
    let l = f.create_list("l").unwrap();
    l.append(vec![1.0, 2.0]).unwrap();
    l.append(Value::group()).unwrap();
    let e = l.leaf(0).unwrap();
    assert_eq!(e.shape().unwrap(), [2]);
    assert_eq!(e.path(), "/l[0]");
    e.write_part(s![1], 9.0).unwrap();
    expect_err!(l.leaf(1), Error::Mismatch { .. });
    stored(m, &f, |f| {
        let l = f.list("l").unwrap();
        assert_eq!(l.leaf(-2).unwrap().read::<Vec<f64>>().unwrap(), [1.0, 9.0]);
    });
}
