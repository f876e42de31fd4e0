//! The hot path: recording opens no new HDF5 object and adds no node per
//! record, for records appended one at a time ([`Storage::append`]) or
//! many at a time ([`Storage::append_records`]), on the bare backend and
//! behind a [`RecordBuffer`], nor per read of a record. A list of records
//! (qnd's recording mode 2) adds one node and one open object per record:
//! the leaf it makes.

use ndarray::array;
use qnd_storage::{RecordBuffer, DEFAULT_RECORD_BUFFER};

use super::*;

/// The length of the node table and the number of HDF5 objects open in
/// the file.
fn counts(s: &Hdf5Storage) -> (usize, usize) {
    (s.nodes.len(), s.open_objects().unwrap())
}

/// What qnd's tree makes while recording: record nodes in mode 1 (`time`,
/// `xy`, `g/e`), and in mode 2 a list `any` that gets one leaf per record.
struct Recorded {
    time: NodeId,
    xy: NodeId,
    e: NodeId,
    any: NodeId,
}

fn declare<S: Storage>(s: &mut S) -> Recorded {
    let root = s.root();
    let time = s
        .create_leaf(root, "time", &spec(DType::F64, &[], true))
        .unwrap();
    let xy = s
        .create_leaf(root, "xy", &spec(DType::F32, &[4], true))
        .unwrap();
    let g = s.create_group(root, "g").unwrap();
    let e = s.create_leaf(g, "e", &spec(DType::I64, &[], true)).unwrap();
    let any = s.create_group(root, "any").unwrap();
    s.create_none(any, "_").unwrap();
    Recorded { time, xy, e, any }
}

/// Record `k`, one at a time: a record of each record node and an item
/// of the list, then the record just written read back.
fn step<S: Storage>(s: &mut S, r: &Recorded, k: usize) {
    s.append(r.time, &Array::scalar(k as f64)).unwrap();
    s.append(r.xy, &Array::F32(ArrayD::from_elem(IxDyn(&[4]), k as f32)))
        .unwrap();
    s.append(r.e, &Array::scalar(k as i64)).unwrap();
    let n = k % 3;
    let item = s
        .create_leaf(r.any, &format!("_{k}"), &spec(DType::U8, &[n], false))
        .unwrap();
    s.write(
        item,
        &Run::whole(&[n]),
        &Array::U8(ArrayD::from_elem(IxDyn(&[n]), 1)),
    )
    .unwrap();
    assert_eq!(s.info(r.time).unwrap().shape, [k + 1], "record {k}");
    assert_eq!(
        s.read(r.time, &[Run::one(k)]).unwrap(),
        Array::F64(array![k as f64].into_dyn()),
        "record {k}"
    );
}

/// Records `first..first + n` of the record nodes, with one call each.
fn batch<S: Storage>(s: &mut S, r: &Recorded, first: usize, n: usize) {
    let time = ArrayD::from_shape_fn(IxDyn(&[n]), |i| (first + i[0]) as f64);
    s.append_records(r.time, &Array::F64(time)).unwrap();
    let xy = ArrayD::from_shape_fn(IxDyn(&[n, 4]), |i| (first + i[0]) as f32);
    s.append_records(r.xy, &Array::F32(xy)).unwrap();
    let e = ArrayD::from_shape_fn(IxDyn(&[n]), |i| (first + i[0]) as i64);
    s.append_records(r.e, &Array::I64(e)).unwrap();
    let last = first + n - 1;
    assert_eq!(
        s.read(r.time, &[Run::one(last)]).unwrap(),
        Array::F64(array![last as f64].into_dyn())
    );
}

/// Records 200 records one at a time and 200 more ten at a time,
/// counting nodes and open objects with `counts`.
fn record<S: Storage>(s: &mut S, counts: impl Fn(&S) -> (usize, usize)) {
    let r = declare(s);
    step(s, &r, 0);
    step(s, &r, 1);
    let (nodes, open) = counts(s);
    for k in 2..200 {
        step(s, &r, k);
    }
    // Mode 2 creates one leaf per record; mode 1 creates nothing.
    let (nodes2, open2) = counts(s);
    assert_eq!(nodes2 - nodes, 198, "one new node per mode-2 record only");
    assert_eq!(
        open2 - open,
        198,
        "one new open object per mode-2 record only"
    );
    for b in 0..20 {
        batch(s, &r, 200 + 10 * b, 10);
    }
    s.flush().unwrap();
    // (the flush enters SWMR writing, which closes the committed
    // datatypes of the empty items until they are used again)
    let (nodes3, open3) = counts(s);
    assert_eq!(nodes3, nodes2, "no new node for records many at a time");
    assert!(
        open3 <= open2,
        "nothing opened for records many at a time: {open3} > {open2}"
    );
    let time = ArrayD::from_shape_fn(IxDyn(&[400]), |i| i[0] as f64);
    assert_eq!(
        s.read(r.time, &Run::whole(&[400])).unwrap(),
        Array::F64(time)
    );
    let e = ArrayD::from_shape_fn(IxDyn(&[400]), |i| i[0] as i64);
    assert_eq!(s.read(r.e, &Run::whole(&[400])).unwrap(), Array::I64(e));
    let xy = s.read(r.xy, &[Run::one(399), Run::all(4)]).unwrap();
    assert_eq!(xy, Array::F32(array![[399.0f32; 4]].into_dyn()));
    assert_eq!(s.names(r.any).unwrap().len(), 201);
}

#[test]
fn recording_opens_nothing_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Hdf5Storage::create(&dir.path().join("hot.h5")).unwrap();
    record(&mut s, counts);
    s.close().unwrap();
}

#[test]
fn recording_behind_a_record_buffer_opens_nothing_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let inner = Hdf5Storage::create(&dir.path().join("hot.h5")).unwrap();
    let mut s = RecordBuffer::new(inner, DEFAULT_RECORD_BUFFER);
    record(&mut s, |s| counts(s.inner()));
    s.close().unwrap();
}
