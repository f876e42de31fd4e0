//! Parallel files (feature `mpi`): one HDF5 file written by every process
//! of an MPI communicator at once, through parallel HDF5's MPI-IO driver.
//!
//! Every process holds its own [`Hdf5Storage`] of the file and calls
//! every mutating [`Storage`](qnd_storage::Storage) method, in the same
//! order and with the same arguments, except the data of parts:
//!
//! - metadata (creating groups, leaves, record variables, None members,
//!   attributes, links, removing, extending, flushing, closing) is changed
//!   by every process alike, as HDF5 requires; HDF5 writes it to the file
//!   collectively, from a few processes (`H5Pset_coll_metadata_write`),
//!   while reading it stays independent: any process reads alone;
//! - replicated data ([`Storage::write`](qnd_storage::Storage::write),
//!   [`Storage::append_records`](qnd_storage::Storage::append_records):
//!   the same on every process) is written by rank 0 in one collective
//!   write in which the other processes select nothing (they convert the
//!   data all the same, so that data that does not fit, text too wide,
//!   fails on every process); a record append extends the dataset on
//!   every process first;
//! - parts ([`Storage::write_part`](qnd_storage::Storage::write_part),
//!   [`Storage::append_parts`](qnd_storage::Storage::append_parts)) are
//!   written in one collective write per call, each process's rows
//!   selected as a union of hyperslabs (a process with no rows selects
//!   nothing, but takes part).
//!
//! A process whose data does not fit (a wrong shape, text too wide) still
//! takes part in the collective write, writing nothing, and gets the
//! error; an append that fails on any process fails on every process and
//! leaves the record count as it was (the processes agree through one
//! all-reduce before extending and one after writing).
//!
//! Record datasets never write fill values (their chunks are allocated
//! when the dataset grows, then written by the records); leaves have fill
//! value 0 written when they are created (a leaf declared and never
//! written reads as zeros). Nothing is filtered (no deflate: parallel HDF5
//! 1.10 writes filtered chunks only collectively). Parallel files never
//! enter SWMR mode, are never families and hold no virtual datasets made
//! here.

use std::path::Path;

use qnd_storage::{Array, Capabilities, NodeId, Part, Run, SResult, StorageError};

use super::raw::data::Collective;
use super::raw::parallel::{self as praw, Comm};
use super::raw::{self, Hid, Target};
use super::{
    check_shape_of, counts_in, data, leaf_in, record_dataset, Hdf5Storage, Obj, Swmr, CHUNK_INDEX_K,
};

/// What parallel files hold: as every HDF5 file ([`super::CAPABILITIES`])
/// but virtual datasets (none is made in a parallel file).
pub const CAPABILITIES: Capabilities = Capabilities {
    virtual_datasets: false,
    ..super::CAPABILITIES
};

/// What a parallel file's storage holds besides a serial one's.
pub(crate) struct Parallel {
    /// The storage's own duplicate of the communicator.
    comm: Comm,
    /// A collective transfer property list.
    dxpl: Hid,
}

/// Which rows of each record a process writes in a parallel append.
#[derive(Clone, Copy)]
pub(crate) enum Rows<'p> {
    /// Replicated records: rank 0 writes them whole, the others nothing.
    Replicated,
    /// This process's part of each record.
    Part(&'p Part),
}

impl Parallel {
    fn new(comm: Comm) -> SResult<Parallel> {
        Ok(Parallel {
            comm,
            dxpl: praw::collective_transfer()?,
        })
    }

    /// This process's rank.
    pub(crate) fn rank(&self) -> usize {
        self.comm.rank()
    }

    /// The number of processes.
    pub(crate) fn size(&self) -> usize {
        self.comm.size()
    }
}

impl Hdf5Storage {
    /// Create a file written by every process of `comm` at once, through
    /// parallel HDF5 (MPI-IO). **Collective**: every process of `comm`
    /// calls it, with the same arguments. As [`Hdf5Storage::create`]
    /// (`exclusive`: as [`Hdf5Storage::create_new`]), with the MPI-IO
    /// driver, metadata written collectively and read independently; never
    /// in SWMR mode. See the [`parallel`](self) module for how every
    /// method is called then.
    ///
    /// MPI must be initialised (and stay so until the storage is closed
    /// or dropped). The storage keeps its own duplicate of `comm`.
    ///
    /// # Errors
    /// When MPI is not running, the file exists (`exclusive`), or the
    /// library cannot create it.
    pub fn create_parallel(path: &Path, comm: super::MpiComm, exclusive: bool) -> SResult<Self> {
        let comm = Comm::dup(comm)?;
        let file = praw::create(path, &comm, exclusive, CHUNK_INDEX_K)?;
        let mut s = Hdf5Storage::with_file(file, path, true, Swmr::Never)?;
        s.plists.parallel = true;
        s.parallel = Some(Parallel::new(comm)?);
        Ok(s)
    }

    /// Open an existing file for every process of `comm` at once, through
    /// parallel HDF5 (MPI-IO), read-write or read-only. **Collective**, as
    /// [`Hdf5Storage::create_parallel`].
    ///
    /// # Errors
    /// When MPI is not running or the library cannot open the file.
    pub fn open_parallel(path: &Path, writable: bool, comm: super::MpiComm) -> SResult<Self> {
        let comm = Comm::dup(comm)?;
        let file = praw::open(path, &comm, writable)?;
        let swmr = if writable { Swmr::Never } else { Swmr::Reader };
        let mut s = Hdf5Storage::with_file(file, path, writable, swmr)?;
        s.plists.parallel = true;
        s.parallel = Some(Parallel::new(comm)?);
        Ok(s)
    }

    fn comm(&self) -> SResult<&Parallel> {
        self.parallel
            .as_ref()
            .ok_or_else(|| StorageError::Layout("not a parallel file".into()))
    }

    /// Parallel [`Storage::write`](qnd_storage::Storage::write): replicated
    /// data, written by rank 0 in one collective write.
    pub(crate) fn par_write(&mut self, node: NodeId, slab: &[Run], data: &Array) -> SResult<()> {
        self.opened(node)?;
        let par = self.comm()?;
        let mut buf = [0; raw::MAX_RANK];
        let counts = counts_in(&mut buf, slab)?;
        let (n, e) = leaf_in(&self.nodes, node)?;
        let Obj::Dataset(ds) = &n.obj else {
            // an empty leaf: nothing to write
            return check_shape_of(data.shape(), counts);
        };
        if self.virtuals.contains_key(&node) {
            return Err(no_virtual());
        }
        let c = Collective::new(&par.dxpl);
        let written = check_shape_of(data.shape(), counts).and_then(|()| {
            if data.size() == 0 {
                return Ok(());
            }
            // the others convert the data too (see `none_selection`)
            let sel = if par.rank() == 0 {
                raw::select(ds, slab)?
            } else {
                praw::none_selection(ds, data.size())?
            };
            data::write_array(&Target::Collective(ds, &sel, &c), e, data)
        });
        finish(written, &c, ds, &e.mem, &par.dxpl)
    }

    /// Parallel [`Storage::write_part`](qnd_storage::Storage::write_part):
    /// one collective write of every process's rows.
    pub(crate) fn par_write_part(
        &mut self,
        node: NodeId,
        part: &Part,
        data: &Array,
    ) -> SResult<()> {
        self.opened(node)?;
        let par = self.comm()?;
        let (n, e) = leaf_in(&self.nodes, node)?;
        let Obj::Dataset(ds) = &n.obj else {
            // an empty leaf (a zero-length axis): nothing to write
            return match n.empty_shape.as_deref() {
                Some(shape) => check_part(shape, part, data.shape()),
                None => Err(StorageError::Layout("not a leaf".into())),
            };
        };
        if self.virtuals.contains_key(&node) {
            return Err(no_virtual());
        }
        let c = Collective::new(&par.dxpl);
        let written = raw::dataset_space(ds).and_then(|space| {
            check_part(&space.dims(), part, data.shape())?;
            if part.is_empty() || data.size() == 0 {
                return Ok(());
            }
            let sel = praw::rows_selection(ds, &[], part.runs(), data.shape())?;
            data::write_array(&Target::Collective(ds, &sel, &c), e, data)
        });
        finish(written, &c, ds, &e.mem, &par.dxpl)
    }

    /// Parallel [`Storage::append_records`](qnd_storage::Storage::append_records)
    /// ([`Rows::Replicated`]) and
    /// [`Storage::append_parts`](qnd_storage::Storage::append_parts): the
    /// processes agree that every one's records fit and count the same,
    /// extend the dataset, write in one collective write, and agree that
    /// it worked (else shrink the dataset back).
    pub(crate) fn par_append(&mut self, node: NodeId, rows: Rows, records: &Array) -> SResult<()> {
        self.opened(node)?;
        // the extent changes: the kept dataspaces are read again when next
        // used
        self.kept.forget(node);
        let failed = match self.par_append_in(node, rows, records)? {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        // Rolled back: parallel HDF5 reads the chunk the shrinking cut into
        // the dataset's chunk cache and fills it there, dirty, where the
        // collective writes (which bypass the cache) never see it, to
        // write it over them later. Closing the dataset writes it now and
        // drops the cache; the node is opened again when next used.
        if let Some(n) = self.nodes.get_mut(node) {
            if let Obj::Dataset(ds) = &n.obj {
                let dapl = raw::swmr::dataset_access(ds).ok();
                n.obj = Obj::Closed {
                    class: raw::ObjClass::Dataset,
                    dapl,
                };
            }
        }
        Err(failed)
    }

    /// [`Hdf5Storage::par_append`] up to the roll-back: `Err` for an
    /// error before the dataset grew, `Ok(Err)` for one after it grew and
    /// shrank back.
    fn par_append_in(
        &self,
        node: NodeId,
        rows: Rows,
        records: &Array,
    ) -> SResult<Result<(), StorageError>> {
        let par = self.comm()?;
        let (n, e) = leaf_in(&self.nodes, node)?;
        let (ds, dims) = record_dataset(n)?;
        let (&count, record_shape) = dims.split_first().expect("checked: rank 1 or more");
        // everything that may fail here before the library writes, checked
        // before the dataset grows
        let checked = check_records(record_shape, rows, records)
            .and_then(|added| data::check_array(e, records).map(|()| added));
        let mine = checked.as_ref().map_or(0, |&a| a as u64);
        let (ok, same) = par.comm.agree(checked.is_ok(), mine)?;
        let added = checked?;
        if !ok {
            return Err(StorageError::Unsupported(
                "the records of another process do not fit the record variable: none appended"
                    .into(),
            ));
        }
        if !same {
            return Err(StorageError::Unsupported(format!(
                "the processes append different numbers of records ({added} here): none appended"
            )));
        }
        if added == 0 {
            return Ok(Ok(()));
        }
        let mut grown = dims.clone();
        grown[0] = count + added;
        raw::set_extent(ds, &grown)?;
        let outer = [Run::span(count, added)];
        let c = Collective::new(&par.dxpl);
        let written = (|| {
            let sel = match rows {
                Rows::Replicated if records.size() > 0 => {
                    if par.rank() == 0 {
                        let slab: Vec<Run> = outer
                            .iter()
                            .copied()
                            .chain(Run::whole(record_shape))
                            .collect();
                        raw::select(ds, &slab)?
                    } else {
                        // converted, not written (see `none_selection`)
                        praw::none_selection(ds, records.size())?
                    }
                }
                Rows::Part(p) if !p.is_empty() && records.size() > 0 => {
                    praw::rows_selection(ds, &outer, p.runs(), records.shape())?
                }
                _ => return Ok(()),
            };
            data::write_array(&Target::Collective(ds, &sel, &c), e, records)
        })();
        let written = finish(written, &c, ds, &e.mem, &par.dxpl);
        let (all, _) = par.comm.agree(written.is_ok(), 0)?;
        if all {
            return Ok(Ok(()));
        }
        // leave the record count as it was, on every process
        raw::set_extent(ds, &dims)?;
        Ok(Err(written.err().unwrap_or_else(|| {
            StorageError::library(
                "the records could not be written on another process: none appended",
            )
        })))
    }

    /// This process's rank and the process count of a parallel file.
    pub(crate) fn rank_and_size(&self) -> Option<(usize, usize)> {
        self.parallel.as_ref().map(|p| (p.rank(), p.size()))
    }
}

/// After a process's part of a collective write (`written`, through
/// transfer `c`): when it failed before calling the library, take part
/// writing nothing, so that the other processes are not left waiting.
fn finish(
    written: SResult<()>,
    c: &Collective,
    ds: &hdf5::Dataset,
    mem: &hdf5::Datatype,
    dxpl: &Hid,
) -> SResult<()> {
    if c.called() {
        return written;
    }
    let none = praw::write_none(ds, mem, dxpl);
    written.and(none)
}

fn no_virtual() -> StorageError {
    StorageError::Unsupported(
        "a virtual dataset of a parallel file cannot be written in parallel".into(),
    )
}

/// Checks that `shape` (of data) is that of part `part` of a dataset (or
/// empty leaf) of shape `dims`: `[part.len(), dims[1..]...]`, `part` of
/// `dims[0]` rows.
fn check_part(dims: &[usize], part: &Part, shape: &[usize]) -> SResult<()> {
    let Some((&total, rest)) = dims.split_first() else {
        return Err(StorageError::Layout(
            "a scalar leaf has no rows to write in parts".into(),
        ));
    };
    if part.total() != total {
        return Err(StorageError::Layout(format!(
            "a part of {} rows of a leaf of {total}",
            part.total()
        )));
    }
    let want: Vec<usize> = std::iter::once(part.len())
        .chain(rest.iter().copied())
        .collect();
    check_shape_of(shape, &want)
}

/// Checks records to append to a record dataset of record shape
/// `record_shape` (for a part: `[part.len(), rest...]` of each record);
/// their count.
fn check_records(record_shape: &[usize], rows: Rows, records: &Array) -> SResult<usize> {
    let Some((&added, shape)) = records.shape().split_first() else {
        return Err(StorageError::Layout("records of rank 0".into()));
    };
    match rows {
        Rows::Replicated => check_shape_of(shape, record_shape)?,
        Rows::Part(p) => check_part(record_shape, p, shape)?,
    }
    Ok(added)
}
