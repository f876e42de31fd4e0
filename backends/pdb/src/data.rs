//! Reading data: only the bytes a hyperslab needs, each contiguous range
//! with one positioned read (through a reused window buffer), decoded in
//! typed loops straight into the output.

use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use ndarray::{ArrayD, IxDyn};
use qnd_storage::{Array, Complex, DType, Run, SResult, StorageError};

/// One open file of the family (or the file).
pub(crate) struct MemberFile {
    pub file: File,
    pub len: u64,
    pub path: PathBuf,
    /// Bytes read from the file so far.
    pub read: AtomicU64,
}

/// Bytes read at once; contiguous ranges longer than this are streamed.
const WINDOW: usize = 1 << 20;
/// Ranges this close to each other are read with one call.
const GAP: u64 = 512;

fn io(path: &std::path::Path, e: std::io::Error) -> StorageError {
    StorageError::library(format!("{}: {e}", path.display()))
}

#[cfg(unix)]
pub(crate) fn read_at(f: &MemberFile, buf: &mut [u8], off: u64) -> SResult<()> {
    use std::os::unix::fs::FileExt;
    f.read.fetch_add(buf.len() as u64, Ordering::Relaxed);
    f.file.read_exact_at(buf, off).map_err(|e| io(&f.path, e))
}

#[cfg(not(unix))]
pub(crate) fn read_at(f: &MemberFile, buf: &mut [u8], off: u64) -> SResult<()> {
    use std::io::{Read, Seek, SeekFrom};
    f.read.fetch_add(buf.len() as u64, Ordering::Relaxed);
    let mut h = &f.file;
    h.seek(SeekFrom::Start(off)).map_err(|e| io(&f.path, e))?;
    h.read_exact(buf).map_err(|e| io(&f.path, e))
}

/// How elements are stored: big-endian or not, and for text the width.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fmt {
    pub big: bool,
    pub width: usize,
}

/// An element type the reader decodes.
pub(crate) trait Elt: Sized {
    /// Decode `dst.len()` elements from `src` (exactly that many elements' bytes) onto `out`.
    fn decode(src: &[u8], out: &mut Vec<Self>, fmt: Fmt);
    /// The bytes of `v` in memory, for a type stored in files as it is
    /// in memory when the byte orders agree (numbers): a long range is
    /// then read straight into the output.
    fn bytes_mut(_v: &mut [Self]) -> Option<&mut [u8]> {
        None
    }
}

/// Decode the elements of a fixed-size number type, in either byte order.
macro_rules! decode_numbers {
    ($t:ty, $src:expr, $out:expr, $big:expr) => {{
        const N: usize = std::mem::size_of::<$t>();
        let get = |c: &[u8]| {
            let mut b = [0u8; N];
            b.copy_from_slice(c);
            if $big {
                <$t>::from_be_bytes(b)
            } else {
                <$t>::from_le_bytes(b)
            }
        };
        $out.extend($src.chunks_exact(N).map(get));
    }};
}

macro_rules! num_elt {
    ($($t:ty),*) => {$(
        impl Elt for $t {
            fn decode(src: &[u8], out: &mut Vec<$t>, fmt: Fmt) {
                if fmt.big {
                    decode_numbers!($t, src, out, true)
                } else {
                    decode_numbers!($t, src, out, false)
                }
            }
            fn bytes_mut(v: &mut [$t]) -> Option<&mut [u8]> {
                Some(bytemuck::cast_slice_mut(v))
            }
        }
    )*};
}
num_elt!(f32, f64, i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! complex_elt {
    ($($t:ty),*) => {$(
        impl Elt for Complex<$t> {
            fn decode(src: &[u8], out: &mut Vec<Complex<$t>>, fmt: Fmt) {
                const N: usize = std::mem::size_of::<$t>();
                let get = |c: &[u8]| {
                    let mut b = [0u8; N];
                    b.copy_from_slice(c);
                    if fmt.big { <$t>::from_be_bytes(b) } else { <$t>::from_le_bytes(b) }
                };
                out.extend(src.chunks_exact(2 * N).map(|c| Complex::new(get(&c[..N]), get(&c[N..]))));
            }
        }
    )*};
}
complex_elt!(f32, f64);

impl Elt for bool {
    fn decode(src: &[u8], out: &mut Vec<bool>, _: Fmt) {
        out.extend(src.iter().map(|&b| b != 0));
    }
}

/// Text: trailing NULs dropped, UTF-8 or else Latin-1.
pub(crate) fn text(b: &[u8]) -> String {
    let end = b.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
    crate::meta::decode_name(&b[..end])
}

impl Elt for String {
    fn decode(src: &[u8], out: &mut Vec<String>, fmt: Fmt) {
        if fmt.width == 0 {
            return;
        }
        out.extend(src.chunks_exact(fmt.width).map(text));
    }
}

/// Collects the element ranges of a read, in output order, and reads them
/// window by window.
pub(crate) struct Sink<'a, T> {
    files: &'a [MemberFile],
    fmt: Fmt,
    esize: usize,
    pub out: Vec<T>,
    scratch: Vec<u8>,
    /// The window being gathered: member, first byte, end.
    win: Option<(usize, u64, u64)>,
    /// Pieces of the window: offset in the window, bytes.
    pend: Vec<(usize, usize)>,
}

impl<'a, T: Elt + Default + Clone> Sink<'a, T> {
    /// A sink for `n` elements of `esize` bytes each.
    pub(crate) fn new(
        files: &'a [MemberFile],
        fmt: Fmt,
        esize: usize,
        n: usize,
    ) -> SResult<Sink<'a, T>> {
        let mut out = Vec::new();
        out.try_reserve_exact(n).map_err(|_| {
            StorageError::Unsupported(format!("cannot allocate {n} elements: not enough memory"))
        })?;
        if esize == 0 {
            out.resize(n, T::default());
        }
        Ok(Sink {
            files,
            fmt,
            esize,
            out,
            scratch: Vec::new(),
            win: None,
            pend: Vec::new(),
        })
    }

    fn file(&self, member: usize) -> SResult<&'a MemberFile> {
        self.files
            .get(member)
            .ok_or_else(|| StorageError::Layout(format!("no family member {member}")))
    }

    /// `nelem` elements at byte `off` of `member`.
    pub(crate) fn piece(&mut self, member: usize, off: u64, nelem: usize) -> SResult<()> {
        if self.esize == 0 || nelem == 0 {
            return Ok(());
        }
        let f = self.file(member)?;
        let bytes = nelem.checked_mul(self.esize).ok_or_else(|| {
            StorageError::Layout(format!("{nelem} elements of {} bytes overflow", self.esize))
        })?;
        let end = off
            .checked_add(bytes as u64)
            .filter(|&e| e <= f.len)
            .ok_or_else(|| {
                StorageError::Layout(format!(
                    "data at byte offset {off} ({bytes} bytes) runs past the end of {} ({} bytes)",
                    f.path.display(),
                    f.len
                ))
            })?;
        if let Some((m, start, wend)) = self.win {
            if m == member && off >= wend && off - wend <= GAP && end - start <= WINDOW as u64 {
                self.pend.push(((off - start) as usize, bytes));
                self.win = Some((m, start, end));
                return Ok(());
            }
        }
        self.flush()?;
        if bytes > WINDOW && self.direct(f, off, nelem)? {
            return Ok(());
        }
        if bytes > WINDOW {
            // Stream a long range in whole elements.
            let step = (WINDOW / self.esize).max(1) * self.esize;
            let mut at = off;
            let mut left = bytes;
            while left > 0 {
                let n = left.min(step);
                self.scratch.resize(n, 0);
                read_at(f, &mut self.scratch[..n], at)?;
                T::decode(&self.scratch[..n], &mut self.out, self.fmt);
                at += n as u64;
                left -= n;
            }
            return Ok(());
        }
        self.win = Some((member, off, end));
        self.pend.push((0, bytes));
        Ok(())
    }

    /// Read `nelem` elements at byte `off` of `f` straight into the
    /// output, when they are stored as they are held in memory (numbers of
    /// the machine's byte order and size) and they are the whole read:
    /// the output is then allocated zeroed (fresh pages, never written
    /// twice) and filled by one positioned read, as `std::fs::read` fills
    /// its buffer. False when the range is read another way.
    fn direct(&mut self, f: &MemberFile, off: u64, nelem: usize) -> SResult<bool> {
        let native = self.fmt.big == cfg!(target_endian = "big");
        if !native
            || self.esize != std::mem::size_of::<T>()
            || !self.out.is_empty()
            || self.out.capacity() != nelem
        {
            return Ok(false);
        }
        let mut v = vec![T::default(); nelem];
        let Some(bytes) = T::bytes_mut(&mut v) else {
            return Ok(false);
        };
        read_at(f, bytes, off)?;
        self.out = v;
        Ok(true)
    }

    /// Read the window gathered so far.
    pub(crate) fn flush(&mut self) -> SResult<()> {
        let Some((member, start, end)) = self.win.take() else {
            return Ok(());
        };
        let f = self.file(member)?;
        let n = (end - start) as usize;
        self.scratch.resize(n, 0);
        read_at(f, &mut self.scratch[..n], start)?;
        for (o, b) in self.pend.drain(..) {
            T::decode(&self.scratch[o..o + b], &mut self.out, self.fmt);
        }
        Ok(())
    }
}

/// Call `f(element offset, count)` for each contiguous run of elements a
/// hyperslab `slab` of an array of `shape` (C order) selects, in order.
pub(crate) fn runs(
    shape: &[usize],
    slab: &[Run],
    mut f: impl FnMut(u64, usize) -> SResult<()>,
) -> SResult<()> {
    let nd = shape.len();
    if slab.len() != nd {
        return Err(StorageError::Layout(format!(
            "a hyperslab of {} axes for an array of {nd}",
            slab.len()
        )));
    }
    for (r, &n) in slab.iter().zip(shape) {
        if r.count == 0 {
            return Ok(());
        }
        let last = r.first as u128 + (r.count as u128 - 1) * r.stride() as u128;
        if r.step < 0 || last >= n as u128 {
            return Err(StorageError::Layout(format!(
                "hyperslab {r:?} outside an axis of length {n}"
            )));
        }
    }
    let mut strides = vec![1u64; nd];
    for k in (0..nd.saturating_sub(1)).rev() {
        strides[k] = strides[k + 1].saturating_mul(shape[k + 1] as u64);
    }
    // The innermost axes that one run covers.
    let mut inner = nd;
    let mut block = 1usize;
    while inner > 0 {
        let r = slab[inner - 1];
        if r.first == 0 && r.count == shape[inner - 1] && (r.step == 1 || r.count == 1) {
            block *= r.count;
            inner -= 1;
        } else {
            break;
        }
    }
    if inner > 0 && (slab[inner - 1].step == 1 || slab[inner - 1].count == 1) {
        block *= slab[inner - 1].count;
        inner -= 1;
    }
    let base: u64 = (inner..nd).map(|k| slab[k].first as u64 * strides[k]).sum();
    let mut idx = vec![0usize; inner];
    loop {
        let off: u64 = base
            + (0..inner)
                .map(|k| slab[k].index(idx[k]) as u64 * strides[k])
                .sum::<u64>();
        f(off, block)?;
        // Next outer index.
        let mut k = inner;
        loop {
            if k == 0 {
                return Ok(());
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < slab[k].count {
                break;
            }
            idx[k] = 0;
        }
    }
}

/// The array of `dtype` and `shape` holding `v`.
pub(crate) fn array<T>(v: Vec<T>, shape: &[usize]) -> SResult<ArrayD<T>> {
    ArrayD::from_shape_vec(IxDyn(shape), v)
        .map_err(|e| StorageError::Layout(format!("read data do not fit shape {shape:?}: {e}")))
}

/// Takes `(member, byte offset, element count)` for each run of a read.
pub(crate) type Piece<'a> = dyn FnMut(usize, u64, usize) -> SResult<()> + 'a;
/// Hands every run of a read, in output order, to a [`Piece`] callback.
pub(crate) type Fill<'a> = dyn FnMut(&mut Piece<'_>) -> SResult<()> + 'a;

/// Type-erased entry: gather with `fill`, then make an [`Array`] of `dtype`.
pub(crate) fn read_typed(
    files: &[MemberFile],
    dtype: DType,
    fmt: Fmt,
    esize: usize,
    shape: &[usize],
    fill: &mut Fill<'_>,
) -> SResult<Array> {
    let n = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| StorageError::Layout(format!("shape {shape:?} is too large")))?;
    fn go<T: Elt + Default + Clone>(
        files: &[MemberFile],
        fmt: Fmt,
        esize: usize,
        n: usize,
        shape: &[usize],
        fill: &mut Fill<'_>,
    ) -> SResult<ArrayD<T>> {
        let mut sink = Sink::<T>::new(files, fmt, esize, n)?;
        fill(&mut |m, off, k| sink.piece(m, off, k))?;
        sink.flush()?;
        if sink.out.len() != n {
            return Err(StorageError::Layout(format!(
                "read {} elements where {n} were expected",
                sink.out.len()
            )));
        }
        array(sink.out, shape)
    }
    Ok(match dtype {
        DType::I8 => Array::I8(go(files, fmt, esize, n, shape, fill)?),
        DType::I16 => Array::I16(go(files, fmt, esize, n, shape, fill)?),
        DType::I32 => Array::I32(go(files, fmt, esize, n, shape, fill)?),
        DType::I64 => Array::I64(go(files, fmt, esize, n, shape, fill)?),
        DType::U8 => Array::U8(go(files, fmt, esize, n, shape, fill)?),
        DType::U16 => Array::U16(go(files, fmt, esize, n, shape, fill)?),
        DType::U32 => Array::U32(go(files, fmt, esize, n, shape, fill)?),
        DType::U64 => Array::U64(go(files, fmt, esize, n, shape, fill)?),
        DType::F32 => Array::F32(go(files, fmt, esize, n, shape, fill)?),
        DType::F64 => Array::F64(go(files, fmt, esize, n, shape, fill)?),
        DType::C8 => Array::C8(go(files, fmt, esize, n, shape, fill)?),
        DType::C16 => Array::C16(go(files, fmt, esize, n, shape, fill)?),
        DType::Bool => Array::Bool(go(files, fmt, esize, n, shape, fill)?),
        DType::Str => Array::Str(go(files, fmt, esize, n, shape, fill)?),
    })
}
