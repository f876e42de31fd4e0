//! Parts of distributed arrays in a file written by one process: written
//! run by run, appended whole only (parallel files: `tests/parallel.rs`,
//! feature `mpi`, under mpirun).

use super::*;
use qnd_storage::Part;

fn spec(dtype: DType, shape: &[usize], records: bool) -> LeafSpec {
    LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 8,
    }
}

fn f64s(shape: &[usize], v: Vec<f64>) -> Array {
    Array::F64(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
}

#[test]
fn a_serial_file_writes_parts_run_by_run_and_appends_whole_parts() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Hdf5Storage::create(&dir.path().join("p.h5")).unwrap();
    assert_eq!((s.rank(), s.ranks()), (None, None));
    let root = s.root();
    let leaf = s
        .create_leaf(root, "y", &spec(DType::F64, &[5, 2], false))
        .unwrap();
    let part = Part::new(vec![Run::span(0, 1), Run::span(3, 2)], 5).unwrap();
    s.write_part(leaf, &part, &f64s(&[3, 2], vec![1., 2., 3., 4., 5., 6.]))
        .unwrap();
    assert_eq!(
        whole(&mut s, leaf),
        f64s(&[5, 2], vec![1., 2., 0., 0., 0., 0., 3., 4., 5., 6.])
    );
    let rec = s
        .create_leaf(root, "x", &spec(DType::F64, &[2], true))
        .unwrap();
    let half = Part::new(vec![Run::span(1, 1)], 2).unwrap();
    let refused = s.append_parts(rec, &half, &f64s(&[1, 1], vec![1.]));
    assert!(matches!(refused, Err(StorageError::Unsupported(_))));
    assert_eq!(s.records(rec).unwrap(), 0);
    s.append_parts(rec, &Part::whole(2), &f64s(&[2, 2], vec![1., 2., 3., 4.]))
        .unwrap();
    assert_eq!(whole(&mut s, rec), f64s(&[2, 2], vec![1., 2., 3., 4.]));
    s.close().unwrap();
}
