//! A reader of just enough of a netCDF-3 header to know where each
//! variable's data ends: the C library reads past the end of a truncated
//! file as zeros, so a short file must be caught before any data is read.

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
    /// Not checked here (64-bit data format, a streaming record count, or
    /// something this reader does not know).
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
    match required_len(&mut r) {
        Some(n) => Size::Needs(n),
        None if r.cut => Size::HeaderCut,
        None => Size::Unknown,
    }
}

fn required_len(r: &mut Reader<'_>) -> Option<u64> {
    let magic = r.take(4)?;
    let offset64 = match magic {
        b"CDF\x01" => false,
        b"CDF\x02" => true,
        _ => return None,
    };
    let numrecs = r.u32()?;
    if numrecs == u32::MAX {
        return None;
    }
    let mut dims = Vec::new();
    for _ in 0..r.list(0x0A)? {
        r.name()?;
        dims.push(r.u32()?);
    }
    r.attrs()?;
    let mut fixed_end = 0u64;
    // (begin, bytes of one record) of each record variable
    let mut records: Vec<(u64, u64)> = Vec::new();
    for _ in 0..r.list(0x0B)? {
        r.name()?;
        let ndims = r.u32()?;
        let mut lens = Vec::new();
        for _ in 0..ndims {
            lens.push(*dims.get(r.u32()? as usize)?);
        }
        r.attrs()?;
        let size = type_size(r.u32()?)?;
        // vsize is not trusted: some writers put the whole record size there
        r.u32()?;
        let begin = if offset64 {
            r.u64()?
        } else {
            u64::from(r.u32()?)
        };
        let is_record = lens.first() == Some(&0);
        let n = lens
            .iter()
            .skip(usize::from(is_record))
            .try_fold(size, |acc, &l| acc.checked_mul(u64::from(l)))?;
        if is_record {
            records.push((begin, n));
        } else {
            fixed_end = fixed_end.max(begin.saturating_add(n));
        }
    }
    // one record holds every record variable, each padded to 4 bytes
    // (but a lone record variable is not padded)
    let recsize: u64 = if records.len() == 1 {
        records[0].1
    } else {
        records.iter().map(|&(_, n)| n.div_ceil(4) * 4).sum()
    };
    let mut end = fixed_end;
    if numrecs > 0 {
        for &(begin, n) in &records {
            let last = begin
                .saturating_add(u64::from(numrecs - 1).saturating_mul(recsize))
                .saturating_add(n);
            end = end.max(last);
        }
    }
    Some(end)
}

fn type_size(t: u32) -> Option<u64> {
    Some(match t {
        1 | 2 => 1,
        3 => 2,
        4 | 5 => 4,
        6 => 8,
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
    fn padded(&mut self, n: usize) -> Option<()> {
        self.take(n.checked_add(3)? / 4 * 4).map(|_| ())
    }
    fn name(&mut self) -> Option<()> {
        let n = self.u32()? as usize;
        self.padded(n)
    }
    /// A list header: ABSENT (0, 0) or `tag` and a count.
    fn list(&mut self, tag: u32) -> Option<u32> {
        let t = self.u32()?;
        let n = self.u32()?;
        (t == tag || (t == 0 && n == 0)).then_some(n)
    }
    fn attrs(&mut self) -> Option<()> {
        for _ in 0..self.list(0x0C)? {
            self.name()?;
            let size = type_size(self.u32()?)? as usize;
            let n = self.u32()? as usize;
            self.padded(n.checked_mul(size)?)?;
        }
        Some(())
    }
}
