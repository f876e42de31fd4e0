//! Record buffering: the layer between the tree and a backend that makes
//! recording fast.
//!
//! Appending one record at a time costs a library call (and, for HDF5, a
//! dataset resize) per record. [`Buffered`] keeps the records appended to
//! each record node in memory and hands them to the backend many at a
//! time, in whole chunks ([`records_per_write`]), with one
//! [`Storage::append_records`] call.
//!
//! - Buffered records are written out when a node's buffer reaches its
//!   batch, when all buffers together exceed the cap given at open
//!   ([`OpenOptions::record_buffer`](crate::OpenOptions::record_buffer)),
//!   and on flush and close; the first error is returned from
//!   [`Storage::flush`] / [`Storage::close`], and the records that could not
//!   be written stay buffered for the next try.
//! - Reads see buffered records: the part of a hyperslab that lies in the
//!   buffer is served from it, the rest from the backend. A write to a
//!   buffered record writes the buffer out first.
//! - Text records are written through (their stored width is checked by
//!   the backend, and an error must reach the caller of the write).

use std::collections::HashMap;

use super::{AnyStorage, LeafInfo, LeafSpec, NodeId, NodeKind, SResult, Slab, Storage, VirtualMap};
use crate::error::StorageError;
use crate::values::{Array, DType};

/// Records per chunk aim at chunks of about this many bytes.
const CHUNK_BYTES: usize = 65536;
/// At most this many records per chunk.
const CHUNK_RECORDS: usize = 1024;
/// A buffer is written out once it holds about this many bytes.
const WRITE_BYTES: usize = 1 << 20;
/// The default cap on the bytes held by all buffers of a file.
pub const DEFAULT_RECORD_BUFFER: usize = 64 << 20;

/// Records per chunk for records of `record_bytes` bytes: about 64 KiB of
/// records, between 1 and 1024 of them.
pub(crate) fn records_per_chunk(record_bytes: usize) -> usize {
    (CHUNK_BYTES / record_bytes.max(1)).clamp(1, CHUNK_RECORDS)
}

/// Records written per backend call for records of `record_bytes` bytes
/// under a buffer cap of `cap` bytes: whole chunks adding up to about
/// 1 MiB, fewer when the cap is smaller, at least one.
pub(crate) fn records_per_write(record_bytes: usize, cap: usize) -> usize {
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

/// The buffer of one record node.
struct RecordBuf {
    /// Type and shape, the record count including buffered records.
    info: LeafInfo,
    /// Records already in the backend.
    stored: usize,
    /// Buffered records, shape `[n, record shape...]`.
    pending: Option<Array>,
    /// Bytes of one record.
    record_bytes: usize,
    /// Records per write.
    batch: usize,
}

impl RecordBuf {
    fn pending_rows(&self) -> usize {
        self.pending
            .as_ref()
            .map_or(0, |p| p.shape().first().copied().unwrap_or(0))
    }
}

/// A backend with per-node record buffers (see the [module docs](self)).
pub(crate) struct Buffered {
    inner: AnyStorage,
    records: HashMap<NodeId, RecordBuf>,
    /// Bytes held by every pending buffer.
    held: usize,
    /// Most bytes held before everything is written out; 0 writes every
    /// record through.
    cap: usize,
}

impl Buffered {
    /// `inner` with buffers holding at most `cap` bytes in all.
    pub fn new(inner: AnyStorage, cap: usize) -> Buffered {
        Buffered {
            inner,
            records: HashMap::new(),
            held: 0,
            cap,
        }
    }

    /// The backend underneath.
    #[cfg(test)]
    pub fn inner(&self) -> &AnyStorage {
        &self.inner
    }

    /// The buffer of record node `node`, made on first use.
    fn buffer(&mut self, node: NodeId) -> SResult<&mut RecordBuf> {
        if !self.records.contains_key(&node) {
            let info = self.inner.info(node)?;
            let Some((&stored, shape)) = info.shape.split_first() else {
                return Err(StorageError::Layout("record node of rank 0".into()));
            };
            let elem = match info.dtype {
                DType::Str => std::mem::size_of::<String>(),
                d => d.size().max(1),
            };
            let record_bytes = shape.iter().fold(elem, |b, &d| b.saturating_mul(d));
            let batch = records_per_write(record_bytes, self.cap);
            self.records.insert(
                node,
                RecordBuf {
                    info,
                    stored,
                    pending: None,
                    record_bytes,
                    batch,
                },
            );
        }
        Ok(self.records.get_mut(&node).expect("inserted above"))
    }

    /// Append one record (of the node's dtype and record shape) to record
    /// node `node`, buffered.
    ///
    /// # Errors
    /// When a buffer written out on the way fails, or the record does not
    /// fit the node.
    pub fn push_record(&mut self, node: NodeId, record: &Array) -> SResult<()> {
        let cap = self.cap;
        let buf = self.buffer(node)?;
        if record.dtype() != buf.info.dtype || record.shape() != &buf.info.shape[1..] {
            return Err(StorageError::Layout(format!(
                "a record of {} {:?} for records of {} {:?}",
                record.dtype(),
                record.shape(),
                buf.info.dtype,
                &buf.info.shape[1..]
            )));
        }
        if cap == 0 || record.dtype() == DType::Str {
            let mut shape = buf.info.shape.clone();
            shape[0] = 1;
            let one = record
                .clone()
                .into_shape(&shape)
                .map_err(|_| StorageError::Layout("record of the wrong size".into()))?;
            return self.append_records(node, &one);
        }
        let batch = buf.batch;
        let pending = buf.pending.get_or_insert_with(|| {
            let mut shape = buf.info.shape.clone();
            shape[0] = 0;
            let mut p = Array::zeros(buf.info.dtype, &shape);
            p.reserve_rows(batch);
            p
        });
        pending.push_row(record).map_err(StorageError::Layout)?;
        buf.info.shape[0] += 1;
        let full = buf.pending_rows() >= batch;
        self.held += buf.record_bytes;
        if full {
            self.write_out(node)?;
        }
        if self.held > self.cap {
            self.write_all()?;
        }
        Ok(())
    }

    /// Write the buffered records of `node` to the backend. On error they
    /// stay buffered.
    fn write_out(&mut self, node: NodeId) -> SResult<()> {
        let Some(buf) = self.records.get_mut(&node) else {
            return Ok(());
        };
        let Some(pending) = buf.pending.take() else {
            return Ok(());
        };
        let rows = pending.shape()[0];
        match self.inner.append_records(node, &pending) {
            Ok(()) => {
                buf.stored += rows;
                self.held -= rows * buf.record_bytes;
                Ok(())
            }
            Err(e) => {
                buf.pending = Some(pending);
                Err(e)
            }
        }
    }

    /// Write every buffer out; the first error is returned after trying
    /// them all.
    fn write_all(&mut self) -> SResult<()> {
        let mut nodes: Vec<NodeId> = self
            .records
            .iter()
            .filter(|(_, b)| b.pending.is_some())
            .map(|(&n, _)| n)
            .collect();
        nodes.sort_unstable();
        let mut first = Ok(());
        for node in nodes {
            if let Err(e) = self.write_out(node) {
                if first.is_ok() {
                    first = Err(e);
                }
            }
        }
        first
    }

    /// The records of `node` stored in the backend and the buffered ones,
    /// when some are buffered.
    fn split(&self, node: NodeId) -> Option<(usize, &Array)> {
        let b = self.records.get(&node)?;
        Some((b.stored, b.pending.as_ref()?))
    }
}

/// How many of the `count` indices `start, start + stride, ...` are below
/// `n`.
fn below(s: &Slab, n: usize) -> usize {
    if s.start >= n {
        0
    } else {
        s.count.min((n - s.start).div_ceil(s.stride.max(1)))
    }
}

impl Storage for Buffered {
    fn backend_name(&self) -> &'static str {
        self.inner.backend_name()
    }

    fn root(&self) -> NodeId {
        self.inner.root()
    }

    fn names(&mut self, group: NodeId) -> SResult<Vec<String>> {
        self.inner.names(group)
    }

    fn lookup(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, NodeKind)>> {
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
        match self.records.get(&node) {
            Some(b) => Ok(b.info.clone()),
            None => self.inner.info(node),
        }
    }

    fn read(&mut self, node: NodeId, slab: &[Slab]) -> SResult<Array> {
        let Some((stored, pending)) = self.split(node) else {
            return self.inner.read(node, slab);
        };
        let Some((first, rest)) = slab.split_first() else {
            return self.inner.read(node, slab);
        };
        let k = below(first, stored);
        if k == first.count {
            return self.inner.read(node, slab);
        }
        // indices k.. of the record axis lie in the buffer
        let mut from_buffer = Vec::with_capacity(slab.len());
        from_buffer.push(Slab {
            start: first.start + k * first.stride - stored,
            count: first.count - k,
            stride: first.stride,
        });
        from_buffer.extend_from_slice(rest);
        let tail = pending.take_slab(&from_buffer);
        if k == 0 {
            return Ok(tail);
        }
        let mut head_slab = slab.to_vec();
        head_slab[0].count = k;
        let mut head = self.inner.read(node, &head_slab)?;
        head.append_rows(&tail).map_err(StorageError::Layout)?;
        Ok(head)
    }

    fn write(&mut self, node: NodeId, slab: &[Slab], data: &Array) -> SResult<()> {
        if let (Some((stored, _)), Some(first)) = (self.split(node), slab.first()) {
            if below(first, stored) < first.count {
                self.write_out(node)?;
            }
        }
        self.inner.write(node, slab, data)
    }

    fn append_records(&mut self, node: NodeId, records: &Array) -> SResult<()> {
        self.write_out(node)?;
        self.inner.append_records(node, records)?;
        if let Some(b) = self.records.get_mut(&node) {
            let n = records.shape().first().copied().unwrap_or(0);
            b.stored += n;
            b.info.shape[0] += n;
        }
        Ok(())
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

    fn flush(&mut self) -> SResult<()> {
        let written = self.write_all();
        let flushed = self.inner.flush();
        written.and(flushed)
    }

    fn close(&mut self) -> SResult<()> {
        let written = self.write_all();
        self.records.clear();
        self.held = 0;
        let closed = self.inner.close();
        written.and(closed)
    }
}
