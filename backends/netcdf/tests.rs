//! Backend-level tests of the netCDF backend (the tree-level ones are in
//! `tests/conformance`).

use super::*;

fn all(shape: &[usize]) -> Vec<Slab> {
    shape.iter().map(|&n| Slab::all(n)).collect()
}

fn spec(dtype: DType, shape: &[usize], records: bool) -> LeafSpec {
    LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 5,
    }
}

/// Every dtype as leaf and records, in both formats, read back after
/// reopening.
#[test]
fn round_trip_backend() {
    let dir = tempfile::tempdir().unwrap();
    for format in [NcFormat::Netcdf4, NcFormat::Classic] {
        let file = dir.path().join(format!("rt{format:?}.nc"));
        let dtypes: Vec<DType> = DType::ALL
            .iter()
            .copied()
            .filter(|d| {
                !format.is_classic()
                    || !matches!(
                        d,
                        DType::U8 | DType::U16 | DType::U32 | DType::U64 | DType::I64
                    )
            })
            .collect();
        let sample = |d: DType, shape: &[usize]| {
            let n: usize = shape.iter().product();
            let f: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
            let a = Array::F64(ArrayD::from_shape_vec(IxDyn(shape), f).unwrap());
            match d {
                DType::Str => Array::Str(
                    ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(|i| format!("s{i}")).collect())
                        .unwrap(),
                ),
                DType::Bool => Array::Bool(
                    ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(|i| i % 2 == 1).collect())
                        .unwrap(),
                ),
                d => convert(a, d),
            }
        };
        {
            let mut s = NetcdfStorage::create(&file, format).unwrap();
            let root = s.root();
            for &d in &dtypes {
                let x = s
                    .create_leaf(root, &format!("x_{d}"), &spec(d, &[2, 3], false))
                    .unwrap();
                s.write(x, &all(&[2, 3]), &sample(d, &[2, 3])).unwrap();
                let r = s
                    .create_leaf(root, &format!("r_{d}"), &spec(d, &[3], true))
                    .unwrap();
                s.append(r, &sample(d, &[3])).unwrap();
                s.append(r, &sample(d, &[3])).unwrap();
                let e = s
                    .create_leaf(root, &format!("e_{d}"), &spec(d, &[0, 2], false))
                    .unwrap();
                assert_eq!(s.info(e).unwrap().shape, vec![0, 2]);
            }
            s.create_none(root, "none").unwrap();
            s.set_attr(root, "title", &Array::scalar("hello".to_string()))
                .unwrap();
            s.close().unwrap();
        }
        let mut s = NetcdfStorage::open(&file, false).unwrap();
        assert_eq!(s.format(), format);
        let root = s.root();
        for &d in &dtypes {
            let (x, k) = s.lookup(root, &format!("x_{d}")).unwrap().unwrap();
            assert_eq!(k, NodeKind::Leaf);
            assert_eq!(s.info(x).unwrap().dtype, d, "{format:?} {d}");
            assert_eq!(
                s.read(x, &all(&[2, 3])).unwrap(),
                sample(d, &[2, 3]),
                "{format:?} {d}"
            );
            let (r, k) = s.lookup(root, &format!("r_{d}")).unwrap().unwrap();
            assert_eq!(k, NodeKind::Records);
            let info = s.info(r).unwrap();
            assert_eq!(info.shape, vec![2, 3]);
            assert_eq!(info.dims, vec![Some("_0".into()), Some("_3".into())]);
            let (e, _) = s.lookup(root, &format!("e_{d}")).unwrap().unwrap();
            assert_eq!(s.info(e).unwrap().shape, vec![0, 2]);
        }
        assert_eq!(s.lookup(root, "none").unwrap().unwrap().1, NodeKind::None);
        assert_eq!(
            s.get_attr(root, "title").unwrap(),
            Some(Array::scalar("hello".to_string()))
        );
        s.close().unwrap();
    }
}

fn convert(a: Array, d: DType) -> Array {
    let Array::F64(f) = a else { unreachable!() };
    match d {
        DType::I8 => Array::I8(f.mapv(|x| x as i8)),
        DType::I16 => Array::I16(f.mapv(|x| x as i16)),
        DType::I32 => Array::I32(f.mapv(|x| x as i32)),
        DType::I64 => Array::I64(f.mapv(|x| x as i64)),
        DType::U8 => Array::U8(f.mapv(|x| x as u8)),
        DType::U16 => Array::U16(f.mapv(|x| x as u16)),
        DType::U32 => Array::U32(f.mapv(|x| x as u32)),
        DType::U64 => Array::U64(f.mapv(|x| x as u64)),
        DType::F32 => Array::F32(f.mapv(|x| x as f32)),
        DType::F64 => Array::F64(f),
        _ => unreachable!(),
    }
}
