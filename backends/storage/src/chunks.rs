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
