//! Record buffering: a layer over any backend that makes recording fast.
//!
//! Appending one record at a time costs a library call (and, for HDF5, a
//! dataset resize) per record. [`RecordBuffer`] keeps the records appended to
//! each record node in memory and hands them to the backend many at a
//! time, in whole chunks ([`records_per_write`]), with one
//! [`Storage::append_records`] call. It is itself a [`Storage`]: records
//! come in through [`Storage::append`].
//!
//! - Buffered records are written out when a node's buffer reaches its
//!   batch, when the buffers would allocate more than the cap given at
//!   open ([`RecordBuffer::new`]; qnd's `OpenOptions::record_buffer`),
//!   and on flush and close. Every byte a buffer allocates counts against
//!   the cap (a buffer grows by doubling, from a chunk's worth of records
//!   up to its batch), and a buffer frees its memory once written out, so
//!   that the buffers never hold more than the cap between calls, however
//!   many nodes are recorded; the first error is returned from
//!   [`Storage::flush`] / [`Storage::close`], and the records that could not
//!   be written stay buffered for the next try.
//! - A call that returns an error keeps nothing of its own: an
//!   [`Storage::append`] whose record made a buffer write out, and that
//!   write failed, takes its record back (the buffers of other nodes are
//!   written first, so that it has not reached the backend), so a retry
//!   stores it once. Records of earlier appends, which returned `Ok`, stay
//!   buffered.
//! - Reads see buffered records: the part of a hyperslab that lies in the
//!   buffer is served from it, the rest from the backend. A write to a
//!   buffered record writes the buffer out first.
//! - Text records are written through (their stored width is checked by
//!   the backend, and an error must reach the caller of the write).

use ndarray::{ArrayD, ArrayViewD, IxDyn};

use num_complex::Complex;

use crate::chunks::records_per_chunk;
use crate::{
    slice_info, Array, Capabilities, DType, Kind, LeafInfo, LeafSpec, NodeId, Part, Run, SResult,
    Storage, StorageError, VirtualMap,
};

/// A buffer is written out once it holds about this many bytes.
const WRITE_BYTES: usize = 1 << 20;
/// The default cap on the bytes held by all buffers of a file.
pub const DEFAULT_RECORD_BUFFER: usize = 64 << 20;

/// Records written per backend call for records of `record_bytes` bytes
/// under a buffer cap of `cap` bytes: whole chunks adding up to about
/// 1 MiB, fewer when the cap is smaller, at least one.
pub fn records_per_write(record_bytes: usize, cap: usize) -> usize {
    let record_bytes = record_bytes.max(1);
    let chunk = records_per_chunk(record_bytes);
    let want = (WRITE_BYTES / record_bytes).max(1).div_ceil(chunk) * chunk;
    let fits = (cap / record_bytes).max(1);
    if want <= fits {
        want
    } else if fits >= chunk {
        fits / chunk * chunk
    } else {
        fits
    }
}

/// Buffered records of one node: their elements in C order, in a vector
/// of the node's element type that keeps its allocation between writes.
#[derive(Debug)]
enum Rows {
    I8(Vec<i8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    C8(Vec<Complex<f32>>),
    C16(Vec<Complex<f64>>),
    Bool(Vec<bool>),
}

/// Runs `$body` for the matching variants of [`Rows`] and [`Array`].
macro_rules! each_rows {
    ($rows:expr, $array:expr, ($v:ident, $a:ident) => $body:expr, $else:expr) => {
        match ($rows, $array) {
            (Rows::I8($v), Array::I8($a)) => $body,
            (Rows::I16($v), Array::I16($a)) => $body,
            (Rows::I32($v), Array::I32($a)) => $body,
            (Rows::I64($v), Array::I64($a)) => $body,
            (Rows::U8($v), Array::U8($a)) => $body,
            (Rows::U16($v), Array::U16($a)) => $body,
            (Rows::U32($v), Array::U32($a)) => $body,
            (Rows::U64($v), Array::U64($a)) => $body,
            (Rows::F32($v), Array::F32($a)) => $body,
            (Rows::F64($v), Array::F64($a)) => $body,
            (Rows::C8($v), Array::C8($a)) => $body,
            (Rows::C16($v), Array::C16($a)) => $body,
            (Rows::Bool($v), Array::Bool($a)) => $body,
            _ => $else,
        }
    };
}

/// Runs `$body` for any variant of [`Rows`], rewrapping into an [`Array`].
macro_rules! rows_to_array {
    ($rows:expr, $v:ident => $body:expr) => {
        match $rows {
            Rows::I8($v) => Array::I8($body),
            Rows::I16($v) => Array::I16($body),
            Rows::I32($v) => Array::I32($body),
            Rows::I64($v) => Array::I64($body),
            Rows::U8($v) => Array::U8($body),
            Rows::U16($v) => Array::U16($body),
            Rows::U32($v) => Array::U32($body),
            Rows::U64($v) => Array::U64($body),
            Rows::F32($v) => Array::F32($body),
            Rows::F64($v) => Array::F64($body),
            Rows::C8($v) => Array::C8($body),
            Rows::C16($v) => Array::C16($body),
            Rows::Bool($v) => Array::Bool($body),
        }
    };
}

impl Rows {
    /// Empty rows of `dtype`; `None` for text, which is not buffered.
    fn new(dtype: DType) -> Option<Rows> {
        Some(match dtype {
            DType::I8 => Rows::I8(Vec::new()),
            DType::I16 => Rows::I16(Vec::new()),
            DType::I32 => Rows::I32(Vec::new()),
            DType::I64 => Rows::I64(Vec::new()),
            DType::U8 => Rows::U8(Vec::new()),
            DType::U16 => Rows::U16(Vec::new()),
            DType::U32 => Rows::U32(Vec::new()),
            DType::U64 => Rows::U64(Vec::new()),
            DType::F32 => Rows::F32(Vec::new()),
            DType::F64 => Rows::F64(Vec::new()),
            DType::C8 => Rows::C8(Vec::new()),
            DType::C16 => Rows::C16(Vec::new()),
            DType::Bool => Rows::Bool(Vec::new()),
            DType::Str => return None,
        })
    }

    /// Append the elements of `a` in C order; false (and nothing appended)
    /// when `a` has another element type. Room is made beforehand with
    /// [`Rows::grow`].
    fn push(&mut self, a: &Array) -> bool {
        each_rows!(&mut *self, a, (v, a) => {
            match a.as_slice() {
                Some(s) => v.extend_from_slice(s),
                None => v.extend(a.iter().cloned()),
            }
            true
        }, false)
    }

    /// Elements the allocation holds room for (for tests).
    #[cfg(test)]
    fn capacity(&self) -> usize {
        match self {
            Rows::I8(v) => v.capacity(),
            Rows::I16(v) => v.capacity(),
            Rows::I32(v) => v.capacity(),
            Rows::I64(v) => v.capacity(),
            Rows::U8(v) => v.capacity(),
            Rows::U16(v) => v.capacity(),
            Rows::U32(v) => v.capacity(),
            Rows::U64(v) => v.capacity(),
            Rows::F32(v) => v.capacity(),
            Rows::F64(v) => v.capacity(),
            Rows::C8(v) => v.capacity(),
            Rows::C16(v) => v.capacity(),
            Rows::Bool(v) => v.capacity(),
        }
    }

    /// Make room for `elems` elements in all (exactly, so that the
    /// allocation is what is counted against the cap).
    fn grow(&mut self, elems: usize) {
        macro_rules! grow {
            ($v:expr) => {{
                let more = elems.saturating_sub($v.len());
                $v.reserve_exact(more)
            }};
        }
        match self {
            Rows::I8(v) => grow!(v),
            Rows::I16(v) => grow!(v),
            Rows::I32(v) => grow!(v),
            Rows::I64(v) => grow!(v),
            Rows::U8(v) => grow!(v),
            Rows::U16(v) => grow!(v),
            Rows::U32(v) => grow!(v),
            Rows::U64(v) => grow!(v),
            Rows::F32(v) => grow!(v),
            Rows::F64(v) => grow!(v),
            Rows::C8(v) => grow!(v),
            Rows::C16(v) => grow!(v),
            Rows::Bool(v) => grow!(v),
        }
    }

    /// The rows as an array of `shape`, moving the elements out (the
    /// allocation comes back with [`Rows::restore`]).
    fn take(&mut self, shape: &[usize]) -> SResult<Array> {
        let a = rows_to_array!(self, v => {
            ArrayD::from_shape_vec(IxDyn(shape), std::mem::take(v))
                .map_err(|e| StorageError::Layout(e.to_string()))?
        });
        Ok(a)
    }

    /// Take back the rows of an array made by [`Rows::take`] after a
    /// failed write. (After a successful one the array, and with it the
    /// allocation, is dropped: written-out buffers hold no memory.)
    fn restore(&mut self, a: Array) {
        each_rows!(&mut *self, a, (v, a) => {
            let (back, _) = a.into_raw_vec_and_offset();
            *v = back;
        }, ())
    }

    /// Keep the first `len` elements.
    fn truncate(&mut self, len: usize) {
        match self {
            Rows::I8(v) => v.truncate(len),
            Rows::I16(v) => v.truncate(len),
            Rows::I32(v) => v.truncate(len),
            Rows::I64(v) => v.truncate(len),
            Rows::U8(v) => v.truncate(len),
            Rows::U16(v) => v.truncate(len),
            Rows::U32(v) => v.truncate(len),
            Rows::U64(v) => v.truncate(len),
            Rows::F32(v) => v.truncate(len),
            Rows::F64(v) => v.truncate(len),
            Rows::C8(v) => v.truncate(len),
            Rows::C16(v) => v.truncate(len),
            Rows::Bool(v) => v.truncate(len),
        }
    }

    /// Hyperslab `slab` of the rows, which have shape `shape`.
    fn slab(&self, shape: &[usize], slab: &[Run]) -> SResult<Array> {
        let a = rows_to_array!(self, v => {
            let view = ArrayViewD::from_shape(IxDyn(shape), v.as_slice())
                .map_err(|e| StorageError::Layout(e.to_string()))?;
            if slab.iter().any(|s| s.count == 0) {
                let counts: Vec<usize> = slab.iter().map(|s| s.count).collect();
                ArrayD::from_shape_vec(IxDyn(&counts), Vec::new()).expect("empty")
            } else {
                view.slice(slice_info(slab).as_slice()).to_owned()
            }
        });
        Ok(a)
    }
}

/// The buffer of one record node.
#[derive(Debug)]
struct RecordBuf {
    /// Type and shape, the record count including buffered records.
    info: LeafInfo,
    /// Records already in the backend.
    stored: usize,
    /// Buffered records (`None` for text, written through).
    rows: Option<Rows>,
    /// How many records are buffered.
    pending: usize,
    /// Elements of one buffered record (of this process's part, for a
    /// distributed node).
    record_elems: usize,
    /// Bytes of one whole record: what a buffered record counts against
    /// the cap, also for a distributed node (whose buffered parts are
    /// smaller), so that processes writing one file together make the
    /// same decisions.
    record_bytes: usize,
    /// For a distributed record node: the rows of each buffered record
    /// this process holds (see [`Part`]).
    part: Option<Part>,
    /// Records the allocation of `rows` has room for (0 once written out).
    room: usize,
    /// When the first buffered record came ([`RecordBuffer`]'s sequence):
    /// buffers are written out in that order, the same in every process
    /// writing one file together, however each numbers its nodes.
    since: u64,
    /// Records per write.
    batch: usize,
    /// Bytes allocated for `rows` (their capacity), counted in
    /// [`RecordBuffer::held`]; 0 once written out.
    alloc: usize,
}

impl RecordBuf {
    /// The shape of the buffered records, `[pending, record shape...]`.
    fn pending_shape(&self) -> Vec<usize> {
        let mut shape = self.info.shape.clone();
        shape[0] = self.pending;
        if let (Some(p), Some(rows)) = (&self.part, shape.get_mut(1)) {
            *rows = p.len();
        }
        shape
    }
}

/// A backend with per-node record buffers (see the [module docs](crate::buffer)).
#[derive(Debug)]
pub struct RecordBuffer<S> {
    inner: S,
    /// The buffers, indexed by node number.
    records: Vec<Option<RecordBuf>>,
    /// Bytes allocated by all buffers (their capacity, not only the
    /// records in them): never more than `cap` once a call returns.
    held: usize,
    /// Most bytes the buffers may allocate in all; 0 (or a record larger
    /// than the cap) writes every record through.
    cap: usize,
    /// Counts buffers that start holding records (see `RecordBuf::since`).
    seq: u64,
}

impl<S: Storage> RecordBuffer<S> {
    /// `inner` with buffers holding at most `cap` bytes in all (0: every
    /// record is written as it comes).
    ///
    /// Every byte a buffer allocates counts against `cap`, and a buffer
    /// frees its memory when its records are written out: between calls
    /// the buffers never hold more than `cap` bytes (see
    /// [`RecordBuffer::held`]).
    pub fn new(inner: S, cap: usize) -> RecordBuffer<S> {
        RecordBuffer {
            inner,
            records: Vec::new(),
            held: 0,
            cap,
            seq: 0,
        }
    }

    /// Bytes allocated by the buffers now (the capacity of their vectors,
    /// not only the records in them); at most the cap given to
    /// [`RecordBuffer::new`].
    pub fn held(&self) -> usize {
        self.held
    }

    /// The backend underneath.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The backend underneath, mutably: what is written to it directly
    /// bypasses the buffers (for tests and instrumentation).
    pub fn inner_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    fn get(&self, node: NodeId) -> Option<&RecordBuf> {
        self.records.get(node.0).and_then(Option::as_ref)
    }

    fn get_mut(&mut self, node: NodeId) -> Option<&mut RecordBuf> {
        self.records.get_mut(node.0).and_then(Option::as_mut)
    }

    /// The buffer of record node `node`, made on first use.
    fn buffer(&mut self, node: NodeId) -> SResult<&mut RecordBuf> {
        if self.get(node).is_none() {
            let info = self.inner.info(node)?;
            let Some((&stored, shape)) = info.shape.split_first() else {
                return Err(StorageError::Layout("record node of rank 0".into()));
            };
            let record_elems = shape.iter().product::<usize>();
            let record_bytes = record_elems.saturating_mul(info.dtype.size().max(1));
            let batch = records_per_write(record_bytes, self.cap);
            // a record larger than the cap is written through
            let rows = if self.cap == 0 || record_bytes > self.cap {
                None
            } else {
                Rows::new(info.dtype)
            };
            if self.records.len() <= node.0 {
                self.records.resize_with(node.0 + 1, || None);
            }
            self.records[node.0] = Some(RecordBuf {
                info,
                stored,
                rows,
                pending: 0,
                record_elems,
                record_bytes,
                batch,
                alloc: 0,
                part: None,
                room: 0,
                since: 0,
            });
        }
        Ok(self.get_mut(node).expect("made above"))
    }

    /// Append one record (of the node's dtype and record shape; for a
    /// `part`, its rows of one) to record node `node`, buffered.
    fn push_record(&mut self, node: NodeId, part: Option<&Part>, record: &Array) -> SResult<()> {
        let buf = self.buffer(node)?;
        let whole = &buf.info.shape[1..];
        let fits = match part {
            None => record.shape() == whole,
            Some(p) => {
                whole.first() == Some(&p.total())
                    && record.shape().first() == Some(&p.len())
                    && record.shape()[1..] == whole[1..]
            }
        };
        if record.dtype() != buf.info.dtype || !fits {
            return Err(StorageError::Layout(format!(
                "a record of {} {:?} for records of {} {:?}{}",
                record.dtype(),
                record.shape(),
                buf.info.dtype,
                whole,
                match part {
                    Some(p) => format!(" (a part of {} of their {} rows)", p.len(), p.total()),
                    None => String::new(),
                }
            )));
        }
        if buf.part.as_ref() != part {
            // the buffered records are of another part: written out first
            self.write_out(node)?;
            let buf = self.get_mut(node).expect("made above");
            buf.part = part.cloned();
            buf.record_elems = record.size();
        }
        let buf = self.get_mut(node).expect("made above");
        if buf.rows.is_none() {
            // text, or no buffering: write through
            let records = record.to_batch_of_one();
            return match part {
                Some(p) => self.parts_through(node, p, &records),
                None => self.append_through(node, &records),
            };
        }
        // Room for the record first, counted against the cap: when the
        // buffers would allocate more than the cap, the others are written
        // out (freeing their memory), then this one. A write that fails
        // returns before the record is buffered, so that the call keeps
        // nothing of its own.
        if self.growth(node) > 0 {
            if self.held + self.growth(node) > self.cap {
                self.write_others(node)?;
            }
            if self.held + self.growth(node) > self.cap {
                self.write_out(node)?;
            }
            self.grow(node);
        }
        let seq = self.seq + 1;
        let buf = self.records[node.0].as_mut().expect("made above");
        let rows = buf.rows.as_mut().expect("checked above");
        if !rows.push(record) {
            return Err(StorageError::Layout(format!(
                "a {} record for buffered records of another type",
                record.dtype()
            )));
        }
        if buf.pending == 0 {
            buf.since = seq;
            self.seq = seq;
        }
        buf.pending += 1;
        buf.info.shape[0] += 1;
        if buf.pending >= buf.batch {
            if let Err(e) = self.write_out(node) {
                self.take_back(node);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Records the buffer `buf` should have room for to take one more
    /// record: its records so far doubled, starting from a chunk's worth
    /// (or an eighth of the cap when smaller), at most a batch.
    fn wanted(buf: &RecordBuf, cap: usize) -> usize {
        let first = records_per_chunk(buf.record_bytes).min(cap / 8 / buf.record_bytes.max(1));
        buf.pending
            .saturating_mul(2)
            .max(first)
            .min(buf.batch)
            .max(buf.pending + 1)
    }

    /// The bytes the buffer of `node` must allocate to take one more
    /// record: 0 when it has room.
    fn growth(&self, node: NodeId) -> usize {
        let Some(buf) = self.get(node) else {
            return 0;
        };
        if buf.rows.is_none() || buf.pending < buf.room {
            return 0;
        }
        Self::wanted(buf, self.cap)
            .saturating_sub(buf.room)
            .saturating_mul(buf.record_bytes)
    }

    /// Give the buffer of `node` room for one more record (see
    /// [`RecordBuffer::wanted`]) and count its allocation in `held`.
    fn grow(&mut self, node: NodeId) {
        let Some(buf) = self.records.get_mut(node.0).and_then(Option::as_mut) else {
            return;
        };
        let want = Self::wanted(buf, self.cap);
        let Some(rows) = buf.rows.as_mut() else {
            return;
        };
        rows.grow(want.saturating_mul(buf.record_elems));
        buf.room = want;
        let now = want.saturating_mul(buf.record_bytes);
        self.held = self.held - buf.alloc + now;
        buf.alloc = now;
    }

    /// Take back the last buffered record of `node`, after the call that
    /// appended it failed.
    fn take_back(&mut self, node: NodeId) {
        let Some(buf) = self.records.get_mut(node.0).and_then(Option::as_mut) else {
            return;
        };
        if buf.pending == 0 {
            return;
        }
        if let Some(rows) = buf.rows.as_mut() {
            rows.truncate((buf.pending - 1) * buf.record_elems);
        }
        buf.pending -= 1;
        buf.info.shape[0] -= 1;
    }

    /// Write the buffered records of `node` to the backend. On error they
    /// stay buffered.
    fn write_out(&mut self, node: NodeId) -> SResult<()> {
        let Some(buf) = self.records.get_mut(node.0).and_then(Option::as_mut) else {
            return Ok(());
        };
        if buf.pending == 0 {
            return Ok(());
        }
        let shape = buf.pending_shape();
        let Some(rows) = buf.rows.as_mut() else {
            return Ok(());
        };
        let a = rows.take(&shape)?;
        let written = match &buf.part {
            Some(p) => self.inner.append_parts(node, p, &a),
            None => self.inner.append_records(node, &a),
        };
        if let Err(e) = written {
            rows.restore(a);
            return Err(e);
        }
        // the array, and with it the buffer's memory, is dropped here
        drop(a);
        buf.stored += buf.pending;
        buf.pending = 0;
        self.held -= buf.alloc;
        buf.alloc = 0;
        buf.room = 0;
        Ok(())
    }

    /// Write every buffer out; the first error is returned after trying
    /// them all.
    fn write_all(&mut self) -> SResult<()> {
        self.write_others(NodeId(usize::MAX))
    }

    /// Write every buffer but that of `node` out; the first error is
    /// returned after trying them all.
    ///
    /// Buffers are written in the order they started holding records,
    /// which every process appending the same records in the same order
    /// shares (node numbers may differ between them).
    fn write_others(&mut self, node: NodeId) -> SResult<()> {
        let mut first = Ok(());
        let mut order: Vec<(u64, usize)> = self
            .records
            .iter()
            .enumerate()
            .filter(|&(k, b)| k != node.0 && b.as_ref().is_some_and(|b| b.pending > 0))
            .map(|(k, b)| (b.as_ref().map_or(0, |b| b.since), k))
            .collect();
        order.sort_unstable();
        for (_, k) in order {
            if let Err(e) = self.write_out(NodeId(k)) {
                if first.is_ok() {
                    first = Err(e);
                }
            }
        }
        first
    }

    /// Write buffered records of `node`, then `records` (shape
    /// `[n, record shape...]`), straight to the backend.
    fn append_through(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        self.write_out(node)?;
        self.inner.append_records(node, records)?;
        self.count_through(node, records);
        Ok(())
    }

    /// As [`RecordBuffer::append_through`], for records of parts `part`.
    fn parts_through(&mut self, node: NodeId, part: &Part, records: &Array) -> SResult<()> {
        self.write_out(node)?;
        self.inner.append_parts(node, part, records)?;
        self.count_through(node, records);
        Ok(())
    }

    /// Count `records`, just written through, as stored.
    fn count_through(&mut self, node: NodeId, records: &Array) {
        if let Some(b) = self.get_mut(node) {
            let n = records.shape().first().copied().unwrap_or(0);
            b.stored += n;
            b.info.shape[0] += n;
        }
    }

    /// Append one record of a distributed record node, this process's
    /// `part` of it (shape `[part.len(), rest...]`), buffered as any record
    /// (see [`Storage::append_parts`] for how it is written). Buffered
    /// parts cannot be read back (a read of them is an error) until they
    /// are written out, at a flush.
    ///
    /// # Errors
    /// When the record does not fit the node, or writing buffered records
    /// out fails (the record is then not kept).
    pub fn append_part(&mut self, node: NodeId, part: &Part, record: &Array) -> SResult<()> {
        self.push_record(node, Some(part), record)
    }

    /// The records of `node` stored in the backend, when some are
    /// buffered.
    fn buffered(&self, node: NodeId) -> Option<usize> {
        self.get(node).filter(|b| b.pending > 0).map(|b| b.stored)
    }
}

/// How many of the `count` indices `start, start + stride, ...` are below
/// `n`.
fn below(s: &Run, n: usize) -> usize {
    if s.first >= n {
        0
    } else {
        s.count.min((n - s.first).div_ceil(s.stride()))
    }
}

impl<S: Storage> Storage for RecordBuffer<S> {
    fn backend_name(&self) -> &'static str {
        self.inner.backend_name()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn root(&self) -> NodeId {
        self.inner.root()
    }

    fn names(&mut self, group: NodeId) -> SResult<Vec<String>> {
        self.inner.names(group)
    }

    fn lookup(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, Kind)>> {
        self.inner.lookup(group, name)
    }

    fn create_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.inner.create_group(parent, name)
    }

    fn create_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.inner.create_none(parent, name)
    }

    fn create_leaf(&mut self, parent: NodeId, name: &str, spec: &LeafSpec) -> SResult<NodeId> {
        self.inner.create_leaf(parent, name, spec)
    }

    fn info(&mut self, node: NodeId) -> SResult<LeafInfo> {
        match self.get(node) {
            Some(b) => Ok(b.info.clone()),
            None => self.inner.info(node),
        }
    }

    fn other_type(&mut self, node: NodeId) -> SResult<String> {
        self.inner.other_type(node)
    }

    fn text_width(&mut self, node: NodeId) -> SResult<Option<usize>> {
        // text is never buffered: the backend knows its width
        self.inner.text_width(node)
    }

    fn records(&mut self, node: NodeId) -> SResult<usize> {
        match self.get(node) {
            Some(b) => Ok(b.info.shape[0]),
            None => self.inner.records(node),
        }
    }

    fn read(&mut self, node: NodeId, slab: &[Run]) -> SResult<Array> {
        let (Some(stored), Some((first, rest))) = (self.buffered(node), slab.split_first()) else {
            return self.inner.read(node, slab);
        };
        let k = below(first, stored);
        if k == first.count {
            return self.inner.read(node, slab);
        }
        if self.get(node).is_some_and(|b| b.part.is_some()) {
            return Err(StorageError::Unsupported(format!(
                "records {stored}.. of this distributed variable are buffered as parts (each \
                 process holds its own rows): flush the file (every process together) before \
                 reading them"
            )));
        }
        // indices k.. of the record axis lie in the buffer
        let mut in_buffer = Vec::with_capacity(slab.len());
        in_buffer.push(Run::strided(
            first.first + k * first.stride() - stored,
            first.count - k,
            first.stride(),
        ));
        in_buffer.extend_from_slice(rest);
        let buf = self.get(node).expect("buffered");
        let rows = buf.rows.as_ref().expect("buffered records have rows");
        let tail = rows.slab(&buf.pending_shape(), &in_buffer)?;
        if k == 0 {
            return Ok(tail);
        }
        let mut head_slab = slab.to_vec();
        head_slab[0].count = k;
        let mut head = self.inner.read(node, &head_slab)?;
        head.append_rows(&tail).map_err(StorageError::Layout)?;
        Ok(head)
    }

    fn write(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()> {
        if let (Some(stored), Some(first)) = (self.buffered(node), slab.first()) {
            if below(first, stored) < first.count {
                self.write_out(node)?;
            }
        }
        self.inner.write(node, slab, data)
    }

    fn append_records(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        self.append_through(node, records)
    }

    fn append(&mut self, node: NodeId, record: &Array) -> SResult<()> {
        self.push_record(node, None, record)
    }

    fn write_part(&mut self, node: NodeId, part: &Part, data: &Array) -> SResult<()> {
        self.inner.write_part(node, part, data)
    }

    fn append_parts(&mut self, node: NodeId, part: &Part, records: &Array) -> SResult<()> {
        self.parts_through(node, part, records)
    }

    fn attr_names(&mut self, node: NodeId) -> SResult<Vec<String>> {
        self.inner.attr_names(node)
    }

    fn get_attr(&mut self, node: NodeId, name: &str) -> SResult<Option<Array>> {
        self.inner.get_attr(node, name)
    }

    fn set_attr(&mut self, node: NodeId, name: &str, value: &Array) -> SResult<()> {
        self.inner.set_attr(node, name, value)
    }

    fn create_virtual(
        &mut self,
        parent: NodeId,
        name: &str,
        dtype: DType,
        shape: &[usize],
        maps: &[VirtualMap],
    ) -> SResult<NodeId> {
        // a virtual dataset may show this file's records: store them first
        self.write_all()?;
        self.inner.create_virtual(parent, name, dtype, shape, maps)
    }

    /// Buffered records are written out first and the buffers forgotten
    /// (the removed member's records go with it).
    fn remove(&mut self, parent: NodeId, name: &str) -> SResult<()> {
        self.write_all()?;
        self.records.clear();
        self.held = 0;
        self.inner.remove(parent, name)
    }

    fn link(&mut self, parent: NodeId, name: &str, target: NodeId) -> SResult<NodeId> {
        self.inner.link(parent, name, target)
    }

    fn soft_link(&mut self, parent: NodeId, name: &str, target: &str) -> SResult<()> {
        self.inner.soft_link(parent, name, target)
    }

    fn external_link(
        &mut self,
        parent: NodeId,
        name: &str,
        file: &std::path::Path,
        path: &str,
    ) -> SResult<()> {
        self.inner.external_link(parent, name, file, path)
    }

    fn link_info(&mut self, group: NodeId, name: &str) -> SResult<Option<crate::LinkTarget>> {
        self.inner.link_info(group, name)
    }

    fn flush(&mut self) -> SResult<()> {
        let written = self.write_all();
        let flushed = self.inner.flush();
        written.and(flushed)
    }

    /// Buffered records are written out first, and the buffers forgotten
    /// (they know record counts), then the backend refreshes.
    fn refresh(&mut self) -> SResult<()> {
        self.write_all()?;
        self.records.clear();
        self.held = 0;
        self.inner.refresh()
    }

    fn close(&mut self) -> SResult<()> {
        let written = self.write_all();
        self.records.clear();
        self.held = 0;
        let closed = self.inner.close();
        written.and(closed)
    }
}

#[cfg(test)]
mod tests;
