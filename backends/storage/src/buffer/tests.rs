//! Tests of the record buffer on the in-memory backend.
use super::*;
use crate::MemoryStorage;
use ndarray::{ArrayD, IxDyn};

/// A record node of f64 records of `shape` in a fresh in-memory file,
/// buffered with `cap`.
fn records(cap: usize, shape: &[usize]) -> (Buffered, NodeId) {
    let mut memory = MemoryStorage::new();
    memory.probe.log = true;
    let mut b = RecordBuffer::new(memory, cap);
    let spec = LeafSpec {
        dtype: DType::F64,
        shape: shape.to_vec(),
        records: true,
        text_len: 1,
    };
    let root = b.root();
    let id = b.create_leaf(root, "x", &spec).unwrap();
    (b, id)
}

type Buffered = RecordBuffer<MemoryStorage>;

fn rec(k: usize, len: usize) -> Array {
    let v: Vec<f64> = (0..len).map(|i| (k * 100 + i) as f64).collect();
    Array::F64(ArrayD::from_shape_vec(IxDyn(&[len]), v).unwrap())
}

fn stored(b: &mut Buffered, id: NodeId) -> usize {
    b.inner_mut().info(id).unwrap().shape[0]
}

#[test]
fn batches_are_whole_chunks_of_about_a_mebibyte() {
    assert_eq!(records_per_chunk(8), 1024);
    assert_eq!(records_per_chunk(80_000), 3);
    assert_eq!(records_per_chunk(128 << 10), 2);
    assert_eq!(records_per_chunk(200 << 10), 1);
    assert_eq!(records_per_chunk(0), 1024);
    // 1 MiB of 8-byte records is 131072, a multiple of 1024
    assert_eq!(records_per_write(8, DEFAULT_RECORD_BUFFER), 131_072);
    // 80 kB records: 13 of them make a mebibyte, 15 whole chunks
    assert_eq!(records_per_write(80_000, DEFAULT_RECORD_BUFFER), 15);
    // a small cap: whole chunks that fit, else what fits, at least 1
    assert_eq!(records_per_write(8, 16 << 10), 2048);
    assert_eq!(records_per_write(8, 4 << 10), 512);
    assert_eq!(records_per_write(80_000, 1000), 1);
    assert_eq!(records_per_write(usize::MAX, usize::MAX), 1);
}

#[test]
fn records_wait_for_a_full_batch_then_go_in_one_append() {
    // 10 f64 per record: 80 bytes, 1024 per chunk, 13 chunks to reach 1 MiB
    let (mut b, id) = records(DEFAULT_RECORD_BUFFER, &[10]);
    let batch = records_per_write(80, DEFAULT_RECORD_BUFFER);
    assert_eq!(batch, 1024 * 13);
    for k in 0..batch - 1 {
        b.push_record(id, None, &rec(k, 10)).unwrap();
    }
    assert_eq!(
        stored(&mut b, id),
        0,
        "nothing written before the batch is full"
    );
    assert_eq!(b.info(id).unwrap().shape, [batch - 1, 10]);
    b.push_record(id, None, &rec(batch - 1, 10)).unwrap();
    assert_eq!(stored(&mut b, id), batch);
    assert_eq!(b.inner_mut().probe.appends, [(id, batch)]);
    assert_eq!(b.held, 0);
}

#[test]
fn the_cap_bounds_what_is_held() {
    let cap = 1000;
    let (mut b, id) = records(cap, &[10]);
    for k in 0..100 {
        b.push_record(id, None, &rec(k, 10)).unwrap();
        assert!(b.held <= cap, "{} bytes held", b.held);
    }
    // 12 records of 80 bytes fit in 1000: written 12 at a time
    assert_eq!(stored(&mut b, id), 96);
    assert!(b.inner_mut().probe.appends.iter().all(|&(_, n)| n == 12));
    b.flush().unwrap();
    assert_eq!(stored(&mut b, id), 100);
}

#[test]
fn two_nodes_share_the_cap() {
    let (mut b, x) = records(2000, &[10]);
    let spec = LeafSpec {
        dtype: DType::F64,
        shape: vec![10],
        records: true,
        text_len: 1,
    };
    let root = b.root();
    let y = b.create_leaf(root, "y", &spec).unwrap();
    for k in 0..30 {
        b.push_record(x, None, &rec(k, 10)).unwrap();
        b.push_record(y, None, &rec(k, 10)).unwrap();
        assert!(b.held <= 2000);
    }
    b.close().unwrap();
}

#[test]
fn no_buffer_writes_each_record_through() {
    let (mut b, id) = records(0, &[3]);
    for k in 0..5 {
        b.push_record(id, None, &rec(k, 3)).unwrap();
        assert_eq!(stored(&mut b, id), k + 1);
    }
    assert_eq!(b.inner_mut().probe.appends.len(), 5);
}

#[test]
fn reads_see_buffered_records_in_any_hyperslab() {
    let (mut b, id) = records(24 * 7, &[3]);
    let mut all = Vec::new();
    for k in 0..23 {
        b.push_record(id, None, &rec(k, 3)).unwrap();
        all.push(rec(k, 3));
    }
    let n = b.info(id).unwrap().shape[0];
    assert_eq!(n, 23);
    let s = stored(&mut b, id);
    assert!(s > 0 && s < n, "some records stored ({s}), some buffered");
    let whole = {
        let mut a = Array::zeros(DType::F64, &[0, 3]);
        for r in &all {
            a.append_rows(&r.clone().into_shape(&[1, 3]).unwrap())
                .unwrap();
        }
        a
    };
    for start in 0..n {
        for stride in 1..5 {
            for count in 0..=(n - start).div_ceil(stride) {
                for (c0, c1) in [(0, 3), (1, 2), (2, 1)] {
                    let slab = [Run::strided(start, count, stride), Run::strided(c0, c1, 1)];
                    let got = b.read(id, &slab).unwrap();
                    assert_eq!(got, whole.take_slab(&slab), "{slab:?}");
                }
            }
        }
    }
}

#[test]
fn a_write_to_a_buffered_record_writes_the_buffer_first() {
    let (mut b, id) = records(DEFAULT_RECORD_BUFFER, &[2]);
    for k in 0..4 {
        b.push_record(id, None, &rec(k, 2)).unwrap();
    }
    assert_eq!(stored(&mut b, id), 0);
    let slab = [Run::one(2), Run::all(2)];
    let data = Array::F64(ArrayD::from_elem(IxDyn(&[1, 2]), -1.0));
    b.write(id, &slab, &data).unwrap();
    assert_eq!(stored(&mut b, id), 4);
    assert_eq!(b.read(id, &slab).unwrap(), data);
    // a write before the buffered records leaves them buffered
    b.push_record(id, None, &rec(4, 2)).unwrap();
    b.write(id, &[Run::one(0), Run::all(2)], &data).unwrap();
    assert_eq!(stored(&mut b, id), 4);
    assert_eq!(b.info(id).unwrap().shape, [5, 2]);
}

#[test]
fn flush_errors_are_returned_and_the_records_kept() {
    let (mut b, id) = records(DEFAULT_RECORD_BUFFER, &[2]);
    for k in 0..5 {
        b.push_record(id, None, &rec(k, 2)).unwrap();
    }
    b.inner_mut().probe.fail_appends = true;
    let e = b.flush().unwrap_err();
    assert!(e.to_string().contains("appends fail"), "{e}");
    // still buffered, still readable, written by the next flush
    assert_eq!(b.info(id).unwrap().shape, [5, 2]);
    assert_eq!(b.read(id, &[Run::one(4), Run::all(2)]).unwrap(), {
        rec(4, 2).into_shape(&[1, 2]).unwrap()
    });
    b.inner_mut().probe.fail_appends = false;
    b.flush().unwrap();
    assert_eq!(stored(&mut b, id), 5);
}

#[test]
fn close_returns_the_error_of_a_failed_write() {
    let (mut b, id) = records(DEFAULT_RECORD_BUFFER, &[2]);
    b.push_record(id, None, &rec(0, 2)).unwrap();
    b.inner_mut().probe.fail_appends = true;
    assert!(b.close().is_err());
}

#[test]
fn a_failed_append_keeps_nothing_of_its_own() {
    let (mut b, id) = records(32, &[2]);
    b.push_record(id, None, &rec(0, 2)).unwrap();
    b.inner_mut().probe.fail_appends = true;
    let e = b.push_record(id, None, &rec(1, 2)).unwrap_err();
    assert!(e.to_string().contains("appends fail"), "{e}");
    // the earlier record (its call returned Ok) stays, the failed one not
    assert_eq!(b.info(id).unwrap().shape, [1, 2]);
    assert_eq!(b.records(id).unwrap(), 1);
    b.inner_mut().probe.fail_appends = false;
    // the retry stores the record once
    b.push_record(id, None, &rec(1, 2)).unwrap();
    b.push_record(id, None, &rec(2, 2)).unwrap();
    b.flush().unwrap();
    assert_eq!(stored(&mut b, id), 3);
    for k in 0..3 {
        assert_eq!(
            b.read(id, &[Run::one(k), Run::all(2)]).unwrap(),
            rec(k, 2).into_shape(&[1, 2]).unwrap()
        );
    }
    assert_eq!(b.held, 0);
}

#[test]
fn a_failed_append_over_the_cap_keeps_nothing_of_its_own() {
    // two nodes sharing a cap of 3 records: the third record goes over it,
    // writing the other node's buffer first
    let (mut b, x) = records(48, &[2]);
    let spec = LeafSpec {
        dtype: DType::F64,
        shape: vec![2],
        records: true,
        text_len: 1,
    };
    let root = b.root();
    let y = b.create_leaf(root, "y", &spec).unwrap();
    b.push_record(x, None, &rec(0, 2)).unwrap();
    b.push_record(y, None, &rec(0, 2)).unwrap();
    b.push_record(y, None, &rec(1, 2)).unwrap();
    b.inner_mut().probe.fail_appends = true;
    assert!(b.push_record(x, None, &rec(1, 2)).is_err());
    assert_eq!(b.records(x).unwrap(), 1, "the failed record is taken back");
    assert_eq!(b.records(y).unwrap(), 2, "earlier records stay");
    assert_eq!(stored(&mut b, x), 0);
    b.inner_mut().probe.fail_appends = false;
    b.push_record(x, None, &rec(1, 2)).unwrap();
    b.flush().unwrap();
    assert_eq!(stored(&mut b, x), 2);
    assert_eq!(stored(&mut b, y), 2);
    for (node, k) in [(x, 0), (x, 1), (y, 0), (y, 1)] {
        assert_eq!(
            b.read(node, &[Run::one(k), Run::all(2)]).unwrap(),
            rec(k, 2).into_shape(&[1, 2]).unwrap()
        );
    }
}

#[test]
fn a_failed_write_through_keeps_nothing() {
    let (mut b, id) = records(0, &[2]);
    b.push_record(id, None, &rec(0, 2)).unwrap();
    b.inner_mut().probe.fail_appends = true;
    assert!(b.push_record(id, None, &rec(1, 2)).is_err());
    assert_eq!(b.records(id).unwrap(), 1);
    b.inner_mut().probe.fail_appends = false;
    b.push_record(id, None, &rec(1, 2)).unwrap();
    assert_eq!(stored(&mut b, id), 2);
}

/// The bytes the buffers' vectors have allocated, counted from the
/// vectors themselves (not from `held`).
fn allocated(b: &Buffered) -> usize {
    b.records
        .iter()
        .flatten()
        .filter_map(|r| {
            r.rows
                .as_ref()
                .map(|rows| rows.capacity() * r.info.dtype.size())
        })
        .sum()
}

/// `n` record nodes of f64 records of `shape`.
fn nodes(b: &mut Buffered, n: usize, shape: &[usize]) -> Vec<NodeId> {
    let spec = LeafSpec {
        dtype: DType::F64,
        shape: shape.to_vec(),
        records: true,
        text_len: 1,
    };
    let root = b.root();
    (0..n)
        .map(|k| b.create_leaf(root, &format!("v{k}"), &spec).unwrap())
        .collect()
}

#[test]
fn held_counts_every_allocated_byte_and_never_exceeds_the_cap() {
    // 40 nodes of 10 f64 (80 bytes) under a cap of 64 KiB: 40 batches of
    // 13 chunks would be 40 MiB; the buffers' allocations stay in the cap
    let cap = 64 << 10;
    let (mut b, _) = records(cap, &[10]);
    let ids = nodes(&mut b, 40, &[10]);
    let mut most = 0;
    for k in 0..3000 {
        for &id in &ids {
            b.push_record(id, None, &rec(k, 10)).unwrap();
            let alloc = allocated(&b);
            assert_eq!(b.held(), alloc, "held counts the allocations");
            assert!(alloc <= cap, "{alloc} bytes allocated over a cap of {cap}");
            most = most.max(alloc);
        }
    }
    assert!(most > cap / 2, "the cap is used ({most} bytes at most)");
    b.flush().unwrap();
    for &id in &ids {
        assert_eq!(stored(&mut b, id), 3000);
    }
}

#[test]
fn held_stays_in_the_cap_for_records_of_every_size() {
    for (cap, len) in [
        (1000, 1),
        (1000, 10),
        (1000, 125),
        (4096, 3),
        (100_000, 700),
    ] {
        let (mut b, _) = records(cap, &[len]);
        let ids = nodes(&mut b, 5, &[len]);
        for k in 0..200 {
            for &id in &ids {
                b.push_record(id, None, &rec(k, len)).unwrap();
                assert!(allocated(&b) <= cap, "cap {cap}, records of {len} f64");
                assert_eq!(b.held(), allocated(&b));
            }
        }
        b.close().unwrap();
    }
}

#[test]
fn written_out_buffers_hold_no_memory() {
    let (mut b, id) = records(DEFAULT_RECORD_BUFFER, &[10]);
    let batch = records_per_write(80, DEFAULT_RECORD_BUFFER);
    for k in 0..batch - 1 {
        b.push_record(id, None, &rec(k, 10)).unwrap();
    }
    assert!(allocated(&b) >= (batch - 1) * 80);
    // the batch is full: written out, and its memory freed
    b.push_record(id, None, &rec(batch - 1, 10)).unwrap();
    assert_eq!(stored(&mut b, id), batch);
    assert_eq!(allocated(&b), 0);
    assert_eq!(b.held(), 0);
    // a new record allocates a chunk's worth, not a whole batch
    b.push_record(id, None, &rec(batch, 10)).unwrap();
    assert_eq!(allocated(&b), records_per_chunk(80) * 80);
    // a flush writes out and frees every buffer
    b.flush().unwrap();
    assert_eq!(allocated(&b), 0);
    assert_eq!(b.held(), 0);
    assert_eq!(stored(&mut b, id), batch + 1);
}

#[test]
fn many_nodes_recorded_in_phases_stay_in_the_cap() {
    // 400 nodes of scalars, recorded 100 at a time: before, each kept the
    // allocation of a whole batch (1 MiB) after writing out
    let cap = 1 << 20;
    let (mut b, _) = records(cap, &[]);
    let ids = nodes(&mut b, 400, &[]);
    let one = |k: usize| Array::F64(ArrayD::from_elem(IxDyn(&[]), k as f64));
    for phase in ids.chunks(100) {
        for k in 0..2_000 {
            for &id in phase {
                b.push_record(id, None, &one(k)).unwrap();
            }
            assert!(allocated(&b) <= cap);
        }
    }
    b.flush().unwrap();
    assert_eq!(allocated(&b), 0);
    for &id in &ids {
        assert_eq!(stored(&mut b, id), 2_000);
    }
}

#[test]
fn a_record_larger_than_the_cap_is_written_through() {
    let (mut b, id) = records(100, &[20]);
    b.push_record(id, None, &rec(0, 20)).unwrap();
    assert_eq!(stored(&mut b, id), 1);
    assert_eq!(b.held(), 0);
    assert_eq!(allocated(&b), 0);
}

#[test]
fn buffers_grow_from_a_chunk_not_a_batch() {
    let (mut b, _) = records(DEFAULT_RECORD_BUFFER, &[]);
    let ids = nodes(&mut b, 100, &[]);
    let one = |k: usize| Array::F64(ArrayD::from_elem(IxDyn(&[]), k as f64));
    for k in 0..1000 {
        for &id in &ids {
            b.push_record(id, None, &one(k)).unwrap();
        }
    }
    // 1000 records each: a chunk's worth (1024 f64) each, not 1 MiB
    assert_eq!(allocated(&b), 100 * 1024 * 8);
}

#[test]
fn parts_are_buffered_counted_as_whole_records_and_refuse_reads_until_written() {
    let (mut b, id) = records(DEFAULT_RECORD_BUFFER, &[10]);
    // this process holds rows 2..5 of each record of 10 rows
    let part = Part::new(vec![Run::span(2, 3)], 10).unwrap();
    for k in 0..4 {
        b.append_part(id, &part, &rec(k, 3)).unwrap();
    }
    // counted against the cap as whole records (80 bytes each), not parts
    assert_eq!(b.held() % 80, 0);
    assert!(b.held() >= 4 * 80);
    assert_eq!(b.records(id).unwrap(), 4);
    assert_eq!(b.info(id).unwrap().shape, vec![4, 10]);
    // the buffered parts cannot be read back as records
    let e = b.read(id, &[Run::span(0, 1), Run::all(10)]).unwrap_err();
    assert!(e.to_string().contains("flush"), "{e}");
    // a record of the wrong part shape is refused, and nothing is kept
    assert!(b.append_part(id, &part, &rec(9, 4)).is_err());
    assert_eq!(b.records(id).unwrap(), 4);
    // the memory backend is written by one process: a part that is not
    // whole is refused when written out, and the records stay buffered
    assert!(b.flush().is_err());
    assert_eq!(stored(&mut b, id), 0);
    assert_eq!(b.records(id).unwrap(), 4);
}

#[test]
fn whole_parts_are_records() {
    let (mut b, id) = records(DEFAULT_RECORD_BUFFER, &[4]);
    let whole = Part::whole(4);
    b.append_part(id, &whole, &rec(0, 4)).unwrap();
    b.append(id, &rec(1, 4)).unwrap();
    b.append_part(id, &whole, &rec(2, 4)).unwrap();
    b.flush().unwrap();
    assert_eq!(stored(&mut b, id), 3);
    let got = b.read(id, &[Run::all(3), Run::all(4)]).unwrap();
    let want: Vec<f64> = (0..3)
        .flat_map(|k| (0..4).map(move |i| (k * 100 + i) as f64))
        .collect();
    assert_eq!(got.to_f64().unwrap().into_raw_vec_and_offset().0, want);
}

#[test]
fn buffers_are_written_out_in_the_order_they_started() {
    let mut memory = MemoryStorage::new();
    memory.probe.log = true;
    let mut b = RecordBuffer::new(memory, DEFAULT_RECORD_BUFFER);
    let spec = LeafSpec {
        dtype: DType::F64,
        shape: vec![2],
        records: true,
        text_len: 1,
    };
    let root = b.root();
    let first = b.create_leaf(root, "a", &spec).unwrap();
    let second = b.create_leaf(root, "b", &spec).unwrap();
    // the node made second starts buffering first
    b.append(second, &rec(0, 2)).unwrap();
    b.append(first, &rec(0, 2)).unwrap();
    b.inner_mut().probe.appends.clear();
    b.flush().unwrap();
    let appends = b.inner().probe.appends.clone();
    assert_eq!(appends, vec![(second, 1), (first, 1)]);
}
