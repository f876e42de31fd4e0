//! The chunk policy of record variables, one rule for every backend.

/// Records per chunk aim at chunks of about this many bytes.
const CHUNK_BYTES: usize = 256 << 10;
/// At most this many records per chunk.
const CHUNK_RECORDS: usize = 1024;

/// Records per chunk for records of `record_bytes` bytes: about 256 KiB of
/// records, between 1 and 1024 of them. Each chunk costs the library some
/// bookkeeping (an index entry, an allocation, a call down to the file), so
/// chunks are not made smaller; records of 128 KiB or more are one per
/// chunk, and reading one record reads that record only (such chunks
/// bypass the chunk cache, see [`direct_records`]).
pub fn records_per_chunk(record_bytes: usize) -> usize {
    (CHUNK_BYTES / record_bytes.max(1)).clamp(1, CHUNK_RECORDS)
}

/// The chunk shape of a record variable: whole records, about 256 KiB per
/// chunk, between 1 and 1024 records (see [`records_per_chunk`]).
pub fn record_chunk(record: &[usize], elem_bytes: usize) -> Vec<usize> {
    let record_bytes = record
        .iter()
        .fold(elem_bytes, |acc, &d| acc.saturating_mul(d))
        .max(1);
    std::iter::once(records_per_chunk(record_bytes))
        .chain(record.iter().map(|&d| d.max(1)))
        .collect()
}

/// Records of at most this many bytes (a few scalars) are stored
/// compressed (see [`deflate_records`]).
const DEFLATE_RECORD_BYTES: usize = 64;
/// Chunks of at least this many bytes bypass the chunk cache (see
/// [`direct_records`]).
const DIRECT_CHUNK_BYTES: usize = 32 << 10;

/// Whether records of `record_bytes` are stored shuffled and deflated:
/// only tiny ones, so that a short history of a few scalars, which fills a
/// small part of its one chunk, stays a small file; compressing them costs
/// little as there are few bytes. Larger records are stored as they are:
/// compression would cost more time than the part-filled last chunk costs
/// room.
pub fn deflate_records(record_bytes: usize) -> bool {
    record_bytes <= DEFLATE_RECORD_BYTES
}

/// Whether chunks of records of `record_bytes` (not deflated, 32 KiB or
/// more) are written and read straight between the caller's buffer and the
/// file, not through the library's chunk cache (and with no fill value
/// written first: records are always written whole). Buffered records are
/// written in whole chunks, and reading one record then reads that record
/// only.
pub fn direct_records(record_bytes: usize) -> bool {
    !deflate_records(record_bytes)
        && records_per_chunk(record_bytes).saturating_mul(record_bytes) >= DIRECT_CHUNK_BYTES
}

/// Leaves of more than this many bytes are stored in chunks (see
/// [`leaf_chunk`]).
pub const CHUNKED_LEAF_BYTES: usize = 64 << 20;
/// Chunks of a chunked leaf hold about this many bytes.
const LEAF_CHUNK_BYTES: usize = 1 << 20;

/// The chunk shape of a (fixed-shape) leaf of `shape` with elements of
/// `elem_bytes`, or `None` to store it contiguous: leaves of at most 64
/// MiB are contiguous; larger ones are chunked, about 1 MiB per chunk (the
/// trailing axes whole as far as they fit, then part of the next axis, 1
/// along the axes before it), so that a leaf declared huge takes no room
/// until written, and a partial write allocates only the chunks it
/// touches.
pub fn leaf_chunk(shape: &[usize], elem_bytes: usize) -> Option<Vec<usize>> {
    if shape.is_empty() || shape.contains(&0) {
        return None;
    }
    let elem = elem_bytes.max(1);
    let bytes = shape.iter().fold(elem, |acc, &d| acc.saturating_mul(d));
    if bytes <= CHUNKED_LEAF_BYTES {
        return None;
    }
    let mut room = (LEAF_CHUNK_BYTES / elem).max(1);
    let mut chunk = vec![1; shape.len()];
    for (c, &d) in chunk.iter_mut().zip(shape).rev() {
        if d <= room {
            *c = d;
            room /= d;
        } else {
            *c = room.max(1);
            break;
        }
    }
    Some(chunk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_chunks_only_for_big_leaves() {
        assert_eq!(leaf_chunk(&[1000, 1000], 8), None);
        assert_eq!(leaf_chunk(&[1 << 36], 8), Some(vec![1 << 17]));
        // trailing axes whole, then part of the next
        assert_eq!(leaf_chunk(&[1 << 20, 64, 16], 8), Some(vec![128, 64, 16]));
        // a trailing axis longer than a chunk
        assert_eq!(leaf_chunk(&[4, 1 << 30], 4), Some(vec![1, 1 << 18]));
        for (shape, elem) in [(vec![3usize << 30, 7], 8usize), (vec![1 << 40], 1)] {
            let c = leaf_chunk(&shape, elem).unwrap();
            let bytes: usize = c.iter().product::<usize>() * elem;
            assert!(bytes <= LEAF_CHUNK_BYTES && bytes > 0, "{c:?}");
            assert!(c.iter().zip(&shape).all(|(c, d)| c <= d));
        }
    }
}
