//! Moving typed buffers in and out of datasets and attributes: the raw
//! `H5Dread`, `H5Dwrite`, `H5Aread` and `H5Awrite` calls. Every buffer is
//! checked against the target (its element count) and the memory type
//! (its element size) before the library sees it.

use std::ffi::{c_char, c_void, CStr, CString};
use std::mem::size_of;
use std::ptr;

use hdf5::{Dataset, Datatype};
use hdf5_sys::h5::{herr_t, H5free_memory};
use hdf5_sys::h5a::{H5Aread, H5Awrite};
use hdf5_sys::h5d::{H5Dread, H5Dwrite};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5p::H5P_DEFAULT;

use qnd_storage::{try_filled, Complex, SResult, StorageError};

use super::{attr_space, ck, locked, Hid, Selection};

/// Where data goes: a selection of a dataset, or a whole attribute.
pub(crate) enum Target<'a> {
    /// A hyperslab of a dataset.
    Dataset(&'a Dataset, &'a Selection<'a>),
    /// An attribute.
    Attr(&'a Hid),
    /// A selection of a dataset written or read in one collective
    /// transfer of a parallel file (every process calls it).
    #[cfg(feature = "mpi")]
    Collective(&'a Dataset, &'a Selection<'a>, &'a Collective<'a>),
}

/// The transfer property list of a collective transfer, and whether the
/// library was called with it: a process that fails before the call
/// still takes part in it, writing nothing (see
/// [`super::parallel::write_none`]).
#[cfg(feature = "mpi")]
pub(crate) struct Collective<'a> {
    dxpl: &'a Hid,
    called: std::cell::Cell<bool>,
}

#[cfg(feature = "mpi")]
impl<'a> Collective<'a> {
    /// A transfer with `dxpl`, not called yet.
    pub(crate) fn new(dxpl: &'a Hid) -> Collective<'a> {
        Collective {
            dxpl,
            called: std::cell::Cell::new(false),
        }
    }

    /// Whether the library was called.
    pub(crate) fn called(&self) -> bool {
        self.called.get()
    }
}

mod sealed {
    pub trait Sealed {}
}

/// Element types a buffer of numbers (or bool bytes) can hold: every bit
/// pattern the library may write is a valid value (so not `bool`). Sealed:
/// implemented here only: for the integers, the floats and complex
/// numbers (`#[repr(C)]` pairs of floats, as the memory type of h5py's
/// complex compound lays them out: `r` then `i`).
pub(crate) trait Plain: Copy + Default + sealed::Sealed {}

macro_rules! plain {
    ($($t:ty),*) => {
        $(
            impl sealed::Sealed for $t {}
            impl Plain for $t {}
        )*
    };
}
plain!(
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    Complex<f32>,
    Complex<f64>
);

impl Target<'_> {
    /// The number of elements moved.
    fn len(&self) -> SResult<usize> {
        match self {
            Target::Dataset(_, sel) => Ok(sel.len()),
            #[cfg(feature = "mpi")]
            Target::Collective(_, sel, _) => Ok(sel.len()),
            Target::Attr(a) => Ok(attr_space(a)?.len()),
        }
    }

    /// Checks that a buffer of `n` elements of `size` bytes fits the
    /// target read or written with memory type `mem`, so that the library
    /// reads or writes inside it.
    fn check(&self, mem: &Datatype, n: usize, size: usize) -> SResult<()> {
        if mem.size() != size {
            return Err(StorageError::Layout(format!(
                "memory type of {} bytes, expected {size}",
                mem.size()
            )));
        }
        let want = self.len()?;
        if n != want {
            return Err(StorageError::Layout(format!(
                "a buffer of {n} elements for {want} stored"
            )));
        }
        Ok(())
    }

    /// One transfer to or from the target with memory type `mem`, under
    /// the lock, its status checked: `dataset` is given the dataset, the
    /// memory type, the memory and file spaces and the transfer property
    /// list, `attr` the attribute and the memory type.
    fn transfer(
        &self,
        mem: &Datatype,
        dataset: impl FnOnce(hid_t, hid_t, hid_t, hid_t, hid_t) -> herr_t,
        attr: impl FnOnce(hid_t, hid_t) -> herr_t,
    ) -> SResult<()> {
        locked(|| {
            ck(match self {
                Target::Dataset(ds, sel) => {
                    dataset(ds.id(), mem.id(), sel.mem_id(), sel.file_id(), H5P_DEFAULT)
                }
                #[cfg(feature = "mpi")]
                Target::Collective(ds, sel, c) => {
                    c.called.set(true);
                    dataset(ds.id(), mem.id(), sel.mem_id(), sel.file_id(), c.dxpl.id())
                }
                Target::Attr(a) => attr(a.id(), mem.id()),
            })
        })
        .map(|_| ())
    }

    /// Raw read of the target into `buf`.
    ///
    /// # Safety
    /// `buf` must hold as many elements of `mem` as the target has (see
    /// [`Target::check`]).
    unsafe fn read_raw(&self, mem: &Datatype, buf: *mut c_void) -> SResult<()> {
        self.transfer(
            mem,
            // SAFETY: `buf` is large enough (the caller's contract); every
            // other argument is an identifier.
            |ds, mem, ms, fs, xfer| unsafe { H5Dread(ds, mem, ms, fs, xfer, buf) },
            // SAFETY: as above.
            |a, mem| unsafe { H5Aread(a, mem, buf) },
        )
    }

    /// Raw write of the target from `buf`.
    ///
    /// # Safety
    /// `buf` must hold as many elements of `mem` as the target has (see
    /// [`Target::check`]), each valid for `mem` (a variable-length string:
    /// a pointer to a NUL-terminated string).
    unsafe fn write_raw(&self, mem: &Datatype, buf: *const c_void) -> SResult<()> {
        self.transfer(
            mem,
            // SAFETY: `buf` is large enough and valid (the caller's
            // contract); every other argument is an identifier.
            |ds, mem, ms, fs, xfer| unsafe { H5Dwrite(ds, mem, ms, fs, xfer, buf) },
            // SAFETY: as above.
            |a, mem| unsafe { H5Awrite(a, mem, buf) },
        )
    }

    /// Reads the `n` elements of the target as `T`s, with memory type
    /// `mem` (of `T`'s size).
    pub(crate) fn read_plain<T: Plain>(&self, mem: &Datatype, n: usize) -> SResult<Vec<T>> {
        self.check(mem, n, size_of::<T>())?;
        let mut v = try_filled(n, T::default())?;
        // SAFETY: `v` holds `n` elements of the memory type's size, `n`
        // being the number of elements of the target (checked above); any
        // bytes are a valid `T` (`Plain`).
        unsafe { self.read_raw(mem, v.as_mut_ptr().cast()) }?;
        Ok(v)
    }

    /// Writes `v`, one element per element of the target, with memory
    /// type `mem` (of `T`'s size).
    pub(crate) fn write_plain<T: Plain>(&self, mem: &Datatype, v: &[T]) -> SResult<()> {
        self.check(mem, v.len(), size_of::<T>())?;
        // SAFETY: as in `read_plain`.
        unsafe { self.write_raw(mem, v.as_ptr().cast()) }
    }

    /// Reads the `n` fixed-length strings of `size` bytes of the target
    /// (memory type `mem`), end to end.
    pub(crate) fn read_fixed(&self, mem: &Datatype, n: usize, size: usize) -> SResult<Vec<u8>> {
        self.check(mem, n, size)?;
        let bytes = n
            .checked_mul(size)
            .ok_or_else(|| StorageError::Layout(format!("{n} strings of {size} bytes")))?;
        let mut buf = try_filled(bytes, 0u8)?;
        // SAFETY: `buf` holds `n` strings of `size` bytes, the memory
        // type's size, `n` being the number of elements of the target
        // (checked above).
        unsafe { self.read_raw(mem, buf.as_mut_ptr().cast()) }?;
        Ok(buf)
    }

    /// Writes fixed-length strings of `size` bytes held end to end in
    /// `buf`, one per element of the target (memory type `mem`).
    pub(crate) fn write_fixed(&self, mem: &Datatype, buf: &[u8], size: usize) -> SResult<()> {
        if size == 0 || buf.len() % size != 0 {
            return Err(StorageError::Layout(format!(
                "{} bytes of strings of {size} bytes",
                buf.len()
            )));
        }
        self.check(mem, buf.len() / size, size)?;
        // SAFETY: `buf` holds one string of `size` bytes, the memory
        // type's size, per element of the target (checked above).
        unsafe { self.write_raw(mem, buf.as_ptr().cast()) }
    }

    /// Reads the `n` variable-length strings of the target (memory type
    /// `mem`), each as `decode` makes it of its bytes (none for a null
    /// string).
    pub(crate) fn read_varlen<R>(
        &self,
        mem: &Datatype,
        n: usize,
        mut decode: impl FnMut(&[u8]) -> R,
    ) -> SResult<Vec<R>> {
        self.check(mem, n, size_of::<*mut c_char>())?;
        let mut ptrs: Vec<*mut c_char> = try_filled(n, ptr::null_mut())?;
        // SAFETY: `ptrs` holds `n` string pointers, the memory type's size,
        // `n` being the number of elements of the target (checked above).
        unsafe { self.read_raw(mem, ptrs.as_mut_ptr().cast()) }?;
        let out = ptrs
            .iter()
            .map(|&p| {
                if p.is_null() {
                    decode(&[])
                } else {
                    // SAFETY: the library wrote a NUL-terminated string,
                    // alive until it is freed below.
                    decode(unsafe { CStr::from_ptr(p) }.to_bytes())
                }
            })
            .collect();
        for p in ptrs {
            if !p.is_null() {
                // SAFETY: allocated by the library during the read, freed
                // once.
                locked(|| unsafe { H5free_memory(p.cast()) });
            }
        }
        Ok(out)
    }

    /// Writes `strings` as variable-length strings, one per element of
    /// the target (memory type `mem`).
    pub(crate) fn write_varlen(&self, mem: &Datatype, strings: &[CString]) -> SResult<()> {
        self.check(mem, strings.len(), size_of::<*const c_char>())?;
        let ptrs: Vec<*const c_char> = strings.iter().map(|c| c.as_ptr()).collect();
        // SAFETY: `ptrs` holds one pointer per element of the target
        // (checked above), each to a NUL-terminated string alive until the
        // call returns.
        unsafe { self.write_raw(mem, ptrs.as_ptr().cast()) }
    }
}
