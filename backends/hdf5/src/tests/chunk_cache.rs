//! Record datasets get a chunk cache of one chunk (HDF5's default is
//! 1 MiB per open dataset, which a file of many record datasets pays for
//! each), or none for chunks that bypass it, and keep it when SWMR
//! writing starts (HDF5 then reopens datasets with default settings) and
//! when the file is opened again to leave it.

use super::*;

/// The chunk cache size (bytes) of the open dataset of node `id`.
fn cache_bytes(s: &mut Hdf5Storage, id: NodeId) -> usize {
    s.opened(id).unwrap();
    match &s.node(id).unwrap().obj {
        Obj::Dataset(ds) => ds.access_plist().unwrap().chunk_cache().nbytes,
        _ => panic!("not an open dataset"),
    }
}

#[test]
fn record_datasets_cache_one_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Hdf5Storage::create(&dir.path().join("cache.h5")).unwrap();
    let root = s.root();
    // f8 scalars: 1024 records, 8 KiB, per chunk
    let x = s
        .create_leaf(root, "x", &spec(DType::F64, &[], true))
        .unwrap();
    let one_chunk = qnd_storage::chunks::records_per_chunk(8) * 8;
    assert_eq!(cache_bytes(&mut s, x), one_chunk);
    // 16 KiB records, 16 per chunk: they bypass the cache
    let big = s
        .create_leaf(root, "big", &spec(DType::F64, &[2048], true))
        .unwrap();
    assert_eq!(cache_bytes(&mut s, big), 0);
    let rec = Array::F64(ArrayD::from_elem(IxDyn(&[3]), 1.5));
    s.append_records(x, &rec).unwrap();
    // SWMR writing starts at the flush, and creating a node leaves it
    // (the file and its datasets are opened again, with their settings)
    s.flush().unwrap();
    assert!(s.swmr_writing().unwrap());
    assert_eq!(cache_bytes(&mut s, x), one_chunk, "kept in SWMR writing");
    s.create_leaf(root, "y", &spec(DType::F64, &[], true))
        .unwrap();
    assert!(s.left > 0, "left SWMR writing to create y");
    assert_eq!(cache_bytes(&mut s, x), one_chunk);
    assert_eq!(cache_bytes(&mut s, big), 0);
    assert_eq!(whole(&mut s, x), rec);
    s.close().unwrap();
}

/// The record datasets of an existing file, opened for appending, get the
/// same one-chunk cache; other datasets keep HDF5's default.
#[test]
fn record_datasets_of_an_existing_file_cache_one_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("old.h5");
    {
        let mut s = Hdf5Storage::create(&file).unwrap();
        let root = s.root();
        let x = s
            .create_leaf(root, "x", &spec(DType::F64, &[], true))
            .unwrap();
        s.create_leaf(root, "fixed", &spec(DType::F64, &[4], false))
            .unwrap();
        s.append_records(x, &Array::F64(ArrayD::from_elem(IxDyn(&[3]), 1.5)))
            .unwrap();
        s.close().unwrap();
    }
    let mut s = Hdf5Storage::open(&file, true).unwrap();
    let root = s.root();
    let (x, _) = s.lookup(root, "x").unwrap().unwrap();
    let one_chunk = qnd_storage::chunks::records_per_chunk(8) * 8;
    assert_eq!(cache_bytes(&mut s, x), one_chunk);
    let (fixed, _) = s.lookup(root, "fixed").unwrap().unwrap();
    assert_eq!(cache_bytes(&mut s, fixed), 1024 * 1024, "HDF5's default");
    s.append_records(x, &Array::F64(ArrayD::from_elem(IxDyn(&[2]), 2.5)))
        .unwrap();
    assert_eq!(s.records(x).unwrap(), 5);
    s.close().unwrap();
}
