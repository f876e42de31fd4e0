//! A reader of just enough of a netCDF-3 header (classic, 64-bit offset,
//! 64-bit data) to know where each variable's data ends and where records
//! are: the C library reads past the end of a truncated file as zeros, so
//! a short file must be caught before any data is read, and recovery
//! (qnd's `recover`) counts the records a cut file wholly holds.

use std::path::Path;

use qnd_storage::{SResult, StorageError};

/// netCDF-3 reads past the end of a file as zeros: refuse a file too short
/// to hold the data its header describes.
pub(super) fn check_size(path: &Path) -> SResult<()> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(StorageError::library)?;
    let len = file.metadata().map_err(StorageError::library)?.len();
    // headers are small; a header longer than this is not checked
    let mut head = Vec::new();
    file.take(1 << 20)
        .read_to_end(&mut head)
        .map_err(StorageError::library)?;
    match required(&head) {
        Size::Needs(need) if len < need => Err(StorageError::Layout(format!(
            "truncated netCDF-3 file: {len} bytes, but its variables need {need}"
        ))),
        Size::HeaderCut if len == head.len() as u64 => Err(StorageError::Layout(format!(
            "truncated netCDF-3 file: {len} bytes end inside its header"
        ))),
        _ => Ok(()),
    }
}

/// What a netCDF-3 header says of the file's size.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Size {
    /// The file must have at least this many bytes.
    Needs(u64),
    /// The header itself is cut short.
    HeaderCut,
    /// Not checked here (a streaming record count, or something this
    /// reader does not know).
    Unknown,
}

/// The size the header of a netCDF-3 file (its first bytes, `bytes`, or
/// all of them) asks for.
pub(super) fn required(bytes: &[u8]) -> Size {
    let mut r = Reader {
        b: bytes,
        at: 0,
        cut: false,
    };
    match Header::read(&mut r) {
        Some(h) => Size::Needs(h.required_len()),
        None if r.cut => Size::HeaderCut,
        None => Size::Unknown,
    }
}

/// The parts of a netCDF-3 header that say where data is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The record count the header stores.
    pub numrecs: u64,
    /// 64-bit data format (`CDF\x05`): an 8-byte record count at offset 4
    /// (else a 4-byte one).
    pub cdf5: bool,
    /// Where the data of fixed-size variables ends.
    pub fixed_end: u64,
    /// Each record variable: where its first record is and its bytes per
    /// record (unpadded).
    records: Vec<(u64, u64)>,
    /// The bytes of one record of all record variables.
    recsize: u64,
}

impl Header {
    /// The header in `bytes` (the file's first bytes, or all of them);
    /// `None` when it is cut short, has a "streaming" record count, or is
    /// not a netCDF-3 header this reader understands.
    pub fn parse(bytes: &[u8]) -> Option<Header> {
        Header::read(&mut Reader {
            b: bytes,
            at: 0,
            cut: false,
        })
    }

    fn read(r: &mut Reader<'_>) -> Option<Header> {
        let (offset64, cdf5) = match r.take(4)? {
            b"CDF\x01" => (false, false),
            b"CDF\x02" => (true, false),
            b"CDF\x05" => (true, true),
            _ => return None,
        };
        let numrecs = r.count(cdf5)?;
        if (!cdf5 && numrecs == u64::from(u32::MAX)) || numrecs == u64::MAX {
            return None;
        }
        let mut dims = Vec::new();
        for _ in 0..r.list(0x0A, cdf5)? {
            r.name(cdf5)?;
            dims.push(r.count(cdf5)?);
        }
        r.attrs(cdf5)?;
        let mut fixed_end = 0u64;
        // (begin, bytes of one record) of each record variable
        let mut records = Vec::new();
        for _ in 0..r.list(0x0B, cdf5)? {
            r.name(cdf5)?;
            let ndims = r.count(cdf5)?;
            let mut lens = Vec::new();
            for _ in 0..ndims {
                let id = usize::try_from(r.count(cdf5)?).ok()?;
                lens.push(*dims.get(id)?);
            }
            r.attrs(cdf5)?;
            let size = type_size(r.u32()?, cdf5)?;
            // vsize is not trusted: some writers put the whole record size there
            r.count(cdf5)?;
            let begin = if offset64 {
                r.u64()?
            } else {
                u64::from(r.u32()?)
            };
            let is_record = lens.first() == Some(&0);
            let n = lens
                .iter()
                .skip(usize::from(is_record))
                .try_fold(size, |acc, &l| acc.checked_mul(l))?;
            if is_record {
                records.push((begin, n));
            } else {
                fixed_end = fixed_end.max(begin.saturating_add(n));
            }
        }
        // one record holds every record variable, each padded to 4 bytes
        // (but a lone record variable is not padded)
        let recsize = if records.len() == 1 {
            records[0].1
        } else {
            records.iter().map(|&(_, n)| n.div_ceil(4) * 4).sum()
        };
        Some(Header {
            numrecs,
            cdf5,
            fixed_end,
            records,
            recsize,
        })
    }

    /// The bytes the file needs to hold every variable's data, every
    /// record the header counts included.
    pub fn required_len(&self) -> u64 {
        let mut end = self.fixed_end;
        if self.numrecs > 0 {
            for &(begin, n) in &self.records {
                let last = begin
                    .saturating_add((self.numrecs - 1).saturating_mul(self.recsize))
                    .saturating_add(n);
                end = end.max(last);
            }
        }
        end
    }

    /// How many records a file of `len` bytes holds completely (every
    /// record variable's part of each), at most the header's count.
    pub fn complete_records(&self, len: u64) -> u64 {
        if self.records.is_empty() || self.recsize == 0 {
            return self.numrecs;
        }
        // record k is complete when each variable's part ends in the file
        let fits = |k: u64| {
            self.records.iter().all(|&(begin, n)| {
                k.checked_mul(self.recsize)
                    .and_then(|o| o.checked_add(begin))
                    .and_then(|o| o.checked_add(n))
                    .is_some_and(|end| end <= len)
            })
        };
        // the first incomplete record, by bisection on [0, numrecs]
        let (mut lo, mut hi) = (0u64, self.numrecs);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// The bytes of one element of netCDF type `t` (the types 7 to 11 only in
/// the 64-bit data format).
fn type_size(t: u32, cdf5: bool) -> Option<u64> {
    Some(match t {
        1 | 2 => 1,
        3 => 2,
        4 | 5 => 4,
        6 => 8,
        7 if cdf5 => 1,
        8 if cdf5 => 2,
        9 if cdf5 => 4,
        10 | 11 if cdf5 => 8,
        _ => return None,
    })
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
    /// Set when a read ran past the end of the bytes.
    cut: bool,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n)?;
        let Some(s) = self.b.get(self.at..end) else {
            self.cut = true;
            return None;
        };
        self.at = end;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
    /// A count (NON_NEG): 8 bytes in the 64-bit data format, else 4.
    fn count(&mut self, cdf5: bool) -> Option<u64> {
        if cdf5 {
            self.u64()
        } else {
            self.u32().map(u64::from)
        }
    }
    fn len(&mut self, cdf5: bool) -> Option<usize> {
        usize::try_from(self.count(cdf5)?).ok()
    }
    fn padded(&mut self, n: usize) -> Option<()> {
        self.take(n.checked_add(3)? / 4 * 4).map(|_| ())
    }
    fn name(&mut self, cdf5: bool) -> Option<()> {
        let n = self.len(cdf5)?;
        self.padded(n)
    }
    /// A list header: ABSENT (0, 0) or `tag` and a count.
    fn list(&mut self, tag: u32, cdf5: bool) -> Option<usize> {
        let t = self.u32()?;
        let n = self.len(cdf5)?;
        (t == tag || (t == 0 && n == 0)).then_some(n)
    }
    fn attrs(&mut self, cdf5: bool) -> Option<()> {
        for _ in 0..self.list(0x0C, cdf5)? {
            self.name(cdf5)?;
            let size = usize::try_from(type_size(self.u32()?, cdf5)?).ok()?;
            let n = self.len(cdf5)?;
            self.padded(n.checked_mul(size)?)?;
        }
        Some(())
    }
}
