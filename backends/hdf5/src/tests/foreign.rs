//! Files as other tools write them, made with the high-level crate (and
//! raw types from [`raw::file`] where it has none): byte orders, half
//! floats, variable-length strings, null and zero-sized datasets, other
//! chunkings, several unlimited axes, datasets too large to address.

use ndarray::array;

use super::*;

/// A file as other tools write it: big-endian numbers, a half float,
/// variable-length strings, zero-sized and null datasets, a record dataset
/// with a chunk of its own, and no creation-order tracking.
#[test]
fn foreign_file() {
    use hdf5::types::VarLenUnicode;
    use hdf5::{Conversion, Extents};

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("foreign.h5");
    {
        let f = h5_create(&file);
        let be = raw::file::copy_type(*hdf5::globals::H5T_STD_I32BE).unwrap();
        let ds = f
            .new_dataset_builder()
            .empty_as(&be)
            .shape(3)
            .create("be")
            .unwrap();
        ds.write_raw(&[1i32, -2, 3]).unwrap();
        let half = raw::file::half_float().unwrap();
        let ds = f
            .new_dataset_builder()
            .empty_as(&half)
            .shape(2)
            .create("half")
            .unwrap();
        ds.as_writer()
            .conversion(Conversion::Soft)
            .write_raw(&[1.5f32, -0.25])
            .unwrap();
        let vs: Vec<VarLenUnicode> = ["héllo", "", "x"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let ds = f
            .new_dataset::<VarLenUnicode>()
            .shape(3)
            .create("vs")
            .unwrap();
        ds.write_raw(&vs).unwrap();
        f.new_dataset::<f64>().shape((0, 3)).create("zero").unwrap();
        f.new_dataset::<f64>()
            .shape(Extents::Null)
            .create("null")
            .unwrap();
        f.new_dataset::<f32>()
            .shape((0.., 2))
            .chunk((4, 2))
            .create("rec")
            .unwrap();
        f.create_group("z").unwrap();
        f.create_group("a").unwrap();
        f.new_attr::<VarLenUnicode>()
            .create("title")
            .unwrap()
            .write_scalar(&"héllo".parse::<VarLenUnicode>().unwrap())
            .unwrap();
        f.new_attr::<i16>()
            .shape(2)
            .create("b_attr")
            .unwrap()
            .write_raw(&[1i16, 2])
            .unwrap();
    }
    let mut s = Hdf5Storage::open(&file, true).unwrap();
    let root = s.root();
    assert_eq!(
        s.names(root).unwrap(),
        ["a", "be", "half", "null", "rec", "vs", "z", "zero"]
    );
    let (be, _) = path(&mut s, "be");
    assert_eq!(whole(&mut s, be), Array::I32(array![1, -2, 3].into_dyn()));
    s.write(be, &[Run::one(1)], &Array::I32(array![7].into_dyn()))
        .unwrap();
    assert_eq!(whole(&mut s, be), Array::I32(array![1, 7, 3].into_dyn()));
    let (half, _) = path(&mut s, "half");
    assert_eq!(s.info(half).unwrap().dtype, DType::F32);
    assert_eq!(
        whole(&mut s, half),
        Array::F32(array![1.5, -0.25].into_dyn())
    );
    let (vs, _) = path(&mut s, "vs");
    let strs = |v: &[&str]| {
        Array::Str(
            ArrayD::from_shape_vec(IxDyn(&[v.len()]), v.iter().map(|x| x.to_string()).collect())
                .unwrap(),
        )
    };
    assert_eq!(whole(&mut s, vs), strs(&["héllo", "", "x"]));
    let long = "a much longer string than any before";
    s.write(vs, &[Run::one(1)], &strs(&[long])).unwrap();
    assert_eq!(whole(&mut s, vs), strs(&["héllo", long, "x"]));
    assert!(s.write(vs, &[Run::one(1)], &strs(&["nul\0byte"])).is_err());
    let (zero, kind) = path(&mut s, "zero");
    assert_eq!(kind, Kind::Leaf);
    assert_eq!(s.info(zero).unwrap().shape, vec![0, 3]);
    assert_eq!(whole(&mut s, zero), Array::zeros(DType::F64, &[0, 3]));
    assert_eq!(path(&mut s, "null").1, Kind::None);
    let (rec, kind) = path(&mut s, "rec");
    assert_eq!(kind, Kind::Records);
    s.append(rec, &Array::F32(array![1.0, 2.0].into_dyn()))
        .unwrap();
    assert_eq!(
        whole(&mut s, rec),
        Array::F32(array![[1.0, 2.0]].into_dyn())
    );
    assert_eq!(s.attr_names(root).unwrap(), ["b_attr", "title"]);
    assert_eq!(
        s.get_attr(root, "title").unwrap(),
        Some(Array::scalar(String::from("héllo")))
    );
    s.close().unwrap();
}
