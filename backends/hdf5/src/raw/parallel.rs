//! Parallel HDF5 (the MPI-IO file driver): the communicator a parallel
//! file is written by, the property lists that open and write it, and the
//! selections of one collective write (a union of row runs, or nothing).
//!
//! Every call here that names "collective" must be made by every process
//! of the communicator, in the same order, with the same arguments.

use std::ffi::c_int;
use std::path::Path;

use hdf5::{Dataset, Datatype, File};
use hdf5_sys::h5::hsize_t;
use hdf5_sys::h5d::H5Dwrite;
use hdf5_sys::h5f::{
    H5Fcreate, H5Fopen, H5F_ACC_EXCL, H5F_ACC_RDONLY, H5F_ACC_RDWR, H5F_ACC_TRUNC,
    H5F_LIBVER_LATEST,
};
use hdf5_sys::h5p::{
    H5FD_mpio_xfer_t, H5Pclose, H5Pcreate, H5Pset_attr_creation_order, H5Pset_coll_metadata_write,
    H5Pset_dxpl_mpio, H5Pset_fapl_mpio, H5Pset_istore_k, H5Pset_libver_bounds,
    H5Pset_link_creation_order,
};
use hdf5_sys::h5s::{
    H5S_seloper_t, H5Sclose, H5Scopy, H5Sselect_elements, H5Sselect_hyperslab, H5Sselect_none,
};
use mpi_sys::MPI_Comm;

use qnd_storage::{Run, SResult, StorageError};

use super::objects::ORDER;
use super::{
    ck, ck_id, dataset_space_hid, lib, locked, new_space, rank_of, Hid, Selection, SpaceRef,
};

/// An MPI error code as an error.
fn mpi_ck(code: c_int, what: &str) -> SResult<()> {
    if code == mpi_sys::MPI_SUCCESS as c_int {
        Ok(())
    } else {
        Err(StorageError::library(format!(
            "{what} failed (MPI error {code})"
        )))
    }
}

/// Whether MPI is initialised and not yet finalised.
fn mpi_running() -> bool {
    let mut init: c_int = 0;
    let mut fin: c_int = 0;
    // SAFETY: both calls may be made at any time, before `MPI_Init` and
    // after `MPI_Finalize` too; each writes the one `int` passed.
    unsafe {
        mpi_sys::MPI_Initialized(&mut init);
        mpi_sys::MPI_Finalized(&mut fin);
    }
    init != 0 && fin == 0
}

/// A duplicate of the communicator a parallel file was opened with, owned
/// by its storage (freed on drop, unless MPI is finalised by then), with
/// this process's rank and the process count.
pub(crate) struct Comm {
    raw: MPI_Comm,
    rank: usize,
    size: usize,
}

// SAFETY: an MPI communicator is a process-wide handle, not tied to the
// thread that made it. The storage owning it makes its MPI calls (and
// HDF5's, on the duplicate HDF5 keeps) from whichever thread uses the
// storage, one call at a time (`&mut self`); a program that moves it to
// another thread must have initialised MPI with a thread level that allows
// that (MPI_THREAD_SERIALIZED), as for any MPI call from that thread.
unsafe impl Send for Comm {}

impl Comm {
    /// A duplicate of `comm` (collective).
    ///
    /// # Errors
    /// When MPI is not running or refuses.
    pub(crate) fn dup(comm: MPI_Comm) -> SResult<Comm> {
        if !mpi_running() {
            return Err(StorageError::Unsupported(
                "parallel HDF5 needs MPI initialised (and not finalised)".into(),
            ));
        }
        let mut raw = comm;
        // SAFETY: `comm` is the caller's communicator (MPI checks it); the
        // call writes the one handle passed, owned by `dup` once made.
        let code = unsafe { mpi_sys::MPI_Comm_dup(comm, &mut raw) };
        mpi_ck(code, "MPI_Comm_dup")?;
        let mut dup = Comm {
            raw,
            rank: 0,
            size: 1,
        };
        let mut rank: c_int = 0;
        let mut size: c_int = 0;
        // SAFETY: each call writes the one `int` passed; the communicator
        // is the duplicate owned by `dup` (freed on drop, on the error
        // paths too).
        unsafe {
            mpi_ck(mpi_sys::MPI_Comm_rank(dup.raw, &mut rank), "MPI_Comm_rank")?;
            mpi_ck(mpi_sys::MPI_Comm_size(dup.raw, &mut size), "MPI_Comm_size")?;
        }
        dup.rank = usize::try_from(rank).unwrap_or(0);
        dup.size = usize::try_from(size).unwrap_or(1);
        Ok(dup)
    }

    /// This process's rank.
    pub(crate) fn rank(&self) -> usize {
        self.rank
    }

    /// The number of processes.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Collective: whether every process says `ok`, and whether every
    /// process gives the same `n` (one all-reduce).
    ///
    /// # Errors
    /// When MPI fails.
    pub(crate) fn agree(&self, ok: bool, n: u64) -> SResult<(bool, bool)> {
        let send: [u64; 3] = [u64::from(ok), n, u64::MAX - n];
        let mut recv = [0u64; 3];
        // SAFETY: both buffers hold the 3 `u64`s passed as the count, of
        // the MPI type matching `u64`; the communicator is the duplicate
        // owned here.
        let code = unsafe {
            mpi_sys::MPI_Allreduce(
                send.as_ptr().cast(),
                recv.as_mut_ptr().cast(),
                3,
                mpi_sys::RSMPI_UINT64_T,
                mpi_sys::RSMPI_MIN,
                self.raw,
            )
        };
        mpi_ck(code, "MPI_Allreduce")?;
        Ok((recv[0] == 1, recv[1] == n && u64::MAX - recv[2] == n))
    }
}

impl Drop for Comm {
    fn drop(&mut self) {
        if mpi_running() {
            // SAFETY: `raw` is the duplicate made in `dup`, owned here and
            // freed once, while MPI runs.
            unsafe {
                mpi_sys::MPI_Comm_free(&mut self.raw);
            }
        }
    }
}

/// The file access property list of a parallel file: the MPI-IO driver on
/// `comm`, metadata written collectively (HDF5 then writes it from few
/// processes rather than each), reads of metadata left independent (any
/// process reads alone), and libver bounds "latest".
fn file_access(comm: &Comm) -> SResult<Hid> {
    use hdf5::globals::H5P_FILE_ACCESS;
    locked(|| {
        // SAFETY: no memory is handed over; the new identifier is owned by
        // the `Hid`; the driver duplicates the communicator (ours stays
        // owned by `comm`); `MPI_INFO_NULL` is MPI's own constant.
        unsafe {
            let fapl = Hid::new(H5Pcreate(*H5P_FILE_ACCESS), H5Pclose)?;
            ck(H5Pset_fapl_mpio(
                fapl.id(),
                comm.raw,
                mpi_sys::RSMPI_INFO_NULL,
            ))?;
            ck(H5Pset_coll_metadata_write(fapl.id(), 1))?;
            ck(H5Pset_libver_bounds(
                fapl.id(),
                H5F_LIBVER_LATEST,
                H5F_LIBVER_LATEST,
            ))?;
            Ok(fapl)
        }
    })
}

/// The UTF-8 name of `path` as a C string.
fn c_path(path: &Path) -> SResult<std::ffi::CString> {
    let name = path
        .to_str()
        .ok_or_else(|| StorageError::Unsupported(format!("{} is not UTF-8", path.display())))?;
    super::c_name(name)
}

/// Collective: create `path` (failing if it exists when `exclusive`, else
/// truncating it) for parallel writing by the processes of `comm`: its
/// root group tracks and indexes the creation order of links and
/// attributes, chunk indexes have half fan-out `istore_k`.
///
/// # Errors
/// When the library cannot create it.
pub(crate) fn create(path: &Path, comm: &Comm, exclusive: bool, istore_k: u32) -> SResult<File> {
    use hdf5::globals::H5P_FILE_CREATE;
    let c = c_path(path)?;
    let fapl = file_access(comm)?;
    locked(|| {
        // SAFETY: `c` is NUL-terminated; every other argument is an
        // identifier. The new identifier, checked, is a file owned by
        // nothing else, handed to the `File` that owns it.
        unsafe {
            let fcpl = Hid::new(H5Pcreate(*H5P_FILE_CREATE), H5Pclose)?;
            ck(H5Pset_link_creation_order(fcpl.id(), ORDER))?;
            ck(H5Pset_attr_creation_order(fcpl.id(), ORDER))?;
            ck(H5Pset_istore_k(fcpl.id(), istore_k))?;
            let flags = if exclusive {
                H5F_ACC_EXCL
            } else {
                H5F_ACC_TRUNC
            };
            let id = ck_id(H5Fcreate(c.as_ptr(), flags, fcpl.id(), fapl.id()))?;
            hdf5::from_id::<File>(id).map_err(lib)
        }
    })
}

/// Collective: open `path` for the processes of `comm`, read-write or
/// read-only.
///
/// # Errors
/// When the library cannot open it.
pub(crate) fn open(path: &Path, comm: &Comm, writable: bool) -> SResult<File> {
    let c = c_path(path)?;
    let fapl = file_access(comm)?;
    let flags = if writable {
        H5F_ACC_RDWR
    } else {
        H5F_ACC_RDONLY
    };
    locked(|| {
        // SAFETY: `c` is NUL-terminated; `fapl` is a file access list. The
        // new identifier, checked, is a file owned by nothing else, handed
        // to the `File` that owns it.
        unsafe {
            let id = ck_id(H5Fopen(c.as_ptr(), flags, fapl.id()))?;
            hdf5::from_id::<File>(id).map_err(lib)
        }
    })
}

/// A collective data transfer property list (`H5FD_MPIO_COLLECTIVE`).
///
/// # Errors
/// When the library fails.
pub(crate) fn collective_transfer() -> SResult<Hid> {
    use hdf5::globals::H5P_DATASET_XFER;
    locked(|| {
        // SAFETY: no memory is handed over; the new identifier is owned by
        // the `Hid`.
        unsafe {
            let dxpl = Hid::new(H5Pcreate(*H5P_DATASET_XFER), H5Pclose)?;
            ck(H5Pset_dxpl_mpio(
                dxpl.id(),
                H5FD_mpio_xfer_t::H5FD_MPIO_COLLECTIVE,
            ))?;
            Ok(dxpl)
        }
    })
}

/// Selects nothing in dataspace `space`.
fn select_none(space: &Hid) -> SResult<()> {
    // SAFETY: no memory is handed over; the library checks `space`.
    locked(|| ck(unsafe { H5Sselect_none(space.id()) })).map(|_| ())
}

/// A selection of nothing in dataset `ds`, file and memory: what a process
/// with no data takes part in a collective write with. `len` is the
/// element count of the buffer handed with it (none is read): a process
/// that writes nothing of replicated data still converts it, as the
/// process that writes it does, so that data that does not fit fails on
/// every process alike.
///
/// # Errors
/// When the library fails.
pub(crate) fn none_selection(ds: &Dataset, len: usize) -> SResult<Selection<'static>> {
    let file = dataset_space_hid(ds.id())?;
    select_none(&file)?;
    // SAFETY: no memory is handed over; the new identifier is owned by the
    // `Hid`.
    let mem = locked(|| Hid::new(unsafe { H5Scopy(file.id()) }, H5Sclose))?;
    select_none(&mem)?;
    Ok(Selection {
        mem: SpaceRef::Own(mem),
        file: SpaceRef::Own(file),
        len,
    })
}

/// Regular patterns of row runs: `n` blocks of `block` rows, `stride`
/// apart, from `first` (one hyperslab each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Blocks {
    first: usize,
    stride: usize,
    n: usize,
    block: usize,
}

/// Row runs (ascending, disjoint) as few regular patterns as they make:
/// a part of rows `r, r + p, r + 2p, ...` (round robin) is one.
fn blocks_of(rows: &[Run]) -> Vec<Blocks> {
    let mut out: Vec<Blocks> = Vec::new();
    for r in rows.iter().filter(|r| r.count > 0) {
        if let Some(b) = out.last_mut() {
            if r.count == b.block {
                if b.n == 1 && r.first >= b.first + b.block {
                    b.stride = r.first - b.first;
                    b.n = 2;
                    continue;
                }
                if b.n > 1 && r.first == b.first + b.n * b.stride {
                    b.n += 1;
                    continue;
                }
            }
        }
        out.push(Blocks {
            first: r.first,
            stride: r.count,
            n: 1,
            block: r.count,
        });
    }
    out
}

/// The most regular patterns selected as a union of hyperslabs: HDF5
/// (1.10) merges each one into the selection in time growing with the
/// selection, so that many irregular runs take quadratic time; past this,
/// every element is selected as a point instead (linear).
const MAX_HYPERSLABS: usize = 64;

/// The selection of rows `rows` (ascending, disjoint, in bounds: a
/// [`qnd_storage::Part`]'s runs) along the axis after the `outer` axes of
/// dataset `ds`, every index of the axes after: in the file, the union of
/// one hyperslab per regular pattern of runs (or, for runs too irregular,
/// each element as a point, in the same order); in memory, a contiguous
/// dataspace of as many elements as `shape` (the data's shape) has.
///
/// # Errors
/// When the rows do not fit the dataset or the data, or the library fails.
pub(crate) fn rows_selection(
    ds: &Dataset,
    outer: &[Run],
    rows: &[Run],
    shape: &[usize],
) -> SResult<Selection<'static>> {
    let file = dataset_space_hid(ds.id())?;
    let rank = rank_of(&file)?;
    let dims = super::space_of(&file)?.dims();
    let at = outer.len();
    let Some((&total, rest)) = dims.get(at..).and_then(<[usize]>::split_first) else {
        return Err(StorageError::Layout(format!(
            "rows after {at} axes of a dataset of rank {rank}"
        )));
    };
    if rank > super::MAX_RANK || outer.iter().any(|o| o.count > 1 && o.step != 1) {
        return Err(StorageError::Layout(format!(
            "rows of a dataset of rank {rank} after {outer:?}"
        )));
    }
    if let Some(last) = rows.iter().rev().find(|r| r.count > 0) {
        if last.first + last.count > total {
            return Err(StorageError::Layout(format!(
                "rows up to {} of an axis of {total}",
                last.first + last.count
            )));
        }
    }
    let blocks = blocks_of(rows);
    if blocks.len() <= MAX_HYPERSLABS {
        let mut start = [0 as hsize_t; super::MAX_RANK];
        let mut stride = [1 as hsize_t; super::MAX_RANK];
        let mut count = [1 as hsize_t; super::MAX_RANK];
        let mut block = [1 as hsize_t; super::MAX_RANK];
        for (k, o) in outer.iter().enumerate() {
            start[k] = o.first as hsize_t;
            block[k] = o.count as hsize_t;
        }
        for (k, &d) in rest.iter().enumerate() {
            block[at + 1 + k] = d as hsize_t;
        }
        select_none(&file)?;
        for (k, b) in blocks.iter().enumerate() {
            start[at] = b.first as hsize_t;
            stride[at] = b.stride.max(1) as hsize_t;
            count[at] = b.n as hsize_t;
            block[at] = b.block as hsize_t;
            let op = if k == 0 {
                H5S_seloper_t::H5S_SELECT_SET
            } else {
                H5S_seloper_t::H5S_SELECT_OR
            };
            locked(|| {
                // SAFETY: every array holds `MAX_RANK` entries, at least
                // the rank of `file` (checked above), which the library
                // reads.
                ck(unsafe {
                    H5Sselect_hyperslab(
                        file.id(),
                        op,
                        start.as_ptr(),
                        stride.as_ptr(),
                        count.as_ptr(),
                        block.as_ptr(),
                    )
                })
            })?;
        }
    } else {
        select_points(&file, rank, outer, rows, rest)?;
    }
    let len = shape.iter().fold(1usize, |a, &d| a.saturating_mul(d));
    let selected = slab_count(&file)?;
    if selected != len {
        return Err(StorageError::Layout(format!(
            "data of shape {shape:?} ({len} elements) for {selected} selected"
        )));
    }
    let mem = new_space(&[len], None)?;
    Ok(Selection {
        mem: SpaceRef::Own(mem),
        file: SpaceRef::Own(file),
        len,
    })
}

/// Selects, in `file` (of rank `rank`), every element of rows `rows` after
/// the `outer` runs, as points in row-major order.
fn select_points(
    file: &Hid,
    rank: usize,
    outer: &[Run],
    rows: &[Run],
    rest: &[usize],
) -> SResult<()> {
    let n_rows: usize = rows.iter().map(|r| r.count).sum();
    let n_outer: usize = outer.iter().map(|o| o.count).product();
    let n_rest: usize = rest.iter().product();
    let n = n_outer
        .checked_mul(n_rows)
        .and_then(|x| x.checked_mul(n_rest))
        .filter(|&x| x.checked_mul(rank).is_some())
        .ok_or_else(|| StorageError::Layout("too many rows to select".into()))?;
    if n == 0 {
        return select_none(file);
    }
    let mut coords: Vec<hsize_t> = qnd_storage::try_filled(n * rank, 0)?;
    let mut at = 0usize;
    let mut index = vec![0usize; rank];
    let outer_len = outer.len();
    // odometer over the outer axes, the rows, and the rest
    let mut o_idx = vec![0usize; outer_len];
    let counts: Vec<usize> = outer.iter().map(|o| o.count).collect();
    // back to zeros each time `next_index` says it is done
    let mut rest_idx = vec![0usize; rest.len()];
    loop {
        for (k, o) in outer.iter().enumerate() {
            index[k] = o.first + o_idx[k];
        }
        for r in rows {
            for row in r.first..r.first + r.count {
                index[outer_len] = row;
                loop {
                    for (k, &i) in rest_idx.iter().enumerate() {
                        index[outer_len + 1 + k] = i;
                    }
                    for &i in &index {
                        coords[at] = i as hsize_t;
                        at += 1;
                    }
                    if !next_index(&mut rest_idx, rest) {
                        break;
                    }
                }
            }
        }
        if !next_index(&mut o_idx, &counts) {
            break;
        }
    }
    locked(|| {
        // SAFETY: `coords` holds `n` points of `rank` coordinates each,
        // the rank of `file`, which the library copies.
        ck(unsafe {
            H5Sselect_elements(
                file.id(),
                H5S_seloper_t::H5S_SELECT_SET,
                n as _,
                coords.as_ptr(),
            )
        })
    })
    .map(|_| ())
}

/// The next multi-index after `idx` in row-major order within `dims`;
/// false after the last (an empty `dims` has one index).
fn next_index(idx: &mut [usize], dims: &[usize]) -> bool {
    for k in (0..idx.len()).rev() {
        idx[k] += 1;
        if idx[k] < dims[k] {
            return true;
        }
        idx[k] = 0;
    }
    false
}

/// The number of elements selected in `space`.
fn slab_count(space: &Hid) -> SResult<usize> {
    // SAFETY: no memory is handed over; the library checks `space`.
    let n = locked(|| unsafe { hdf5_sys::h5s::H5Sget_select_npoints(space.id()) });
    usize::try_from(n).map_err(|_| StorageError::Layout("cannot count a selection".into()))
}

/// Collective: take part in a collective write of dataset `ds` writing
/// nothing (memory type `mem`, transfer list `dxpl`).
///
/// # Errors
/// When the library fails.
pub(crate) fn write_none(ds: &Dataset, mem: &Datatype, dxpl: &Hid) -> SResult<()> {
    let sel = none_selection(ds, 0)?;
    // never read (nothing is selected), but not null
    let buf = [0u64; 4];
    locked(|| {
        // SAFETY: nothing is selected, so the library reads no element of
        // `buf`; every other argument is an identifier.
        ck(unsafe {
            H5Dwrite(
                ds.id(),
                mem.id(),
                sel.mem_id(),
                sel.file_id(),
                dxpl.id(),
                buf.as_ptr().cast(),
            )
        })
    })
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_make_few_regular_patterns() {
        let b = |first, stride, n, block| Blocks {
            first,
            stride,
            n,
            block,
        };
        // round robin: one pattern
        let rows: Vec<Run> = (0..5).map(|i| Run::span(1 + 4 * i, 1)).collect();
        assert_eq!(blocks_of(&rows), [b(1, 4, 5, 1)]);
        // blocks of 2, then a lone run of another size, then two adjacent
        let rows = [
            Run::span(0, 2),
            Run::span(5, 2),
            Run::span(10, 2),
            Run::span(13, 3),
            Run::span(16, 1),
            Run::span(17, 1),
        ];
        assert_eq!(
            blocks_of(&rows),
            [b(0, 5, 3, 2), b(13, 3, 1, 3), b(16, 1, 2, 1)]
        );
        assert_eq!(blocks_of(&[]), []);
    }

    #[test]
    fn indices_run_in_row_major_order() {
        let mut i = vec![0, 0];
        let mut seen = vec![i.clone()];
        while next_index(&mut i, &[2, 3]) {
            seen.push(i.clone());
        }
        assert_eq!(seen.len(), 6);
        assert_eq!(seen[3], [1, 0]);
        assert!(!next_index(&mut [], &[]));
    }
}
