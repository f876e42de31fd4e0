//! # qnd: a dict/list/array view of HDF5 and netCDF files
//!
//! A Rust port of LLNL's Python [qnd]: a file is a tree of
//!
//! - [`QGroup`]: named members, like a dict (the file itself is the root group);
//! - [`QList`]: members by position, like a list;
//! - [`QLeaf`]: an n-d array of numbers, bools or text (or None), read
//!   whole or in part;
//!
//! with qnd's file state: an auto-read mode, a recording mode (writing a
//! variable again appends a record: the time history of a simulation), a
//! goto mode (read one record, or the record nearest a value of a scalar
//! record variable), and push/drop of that state. Files mean the same to
//! Python qnd, h5py and netCDF4-python (see the on-disk conventions in the
//! README).
//!
//! The examples below run on the in-memory backend ([`memory`]); with a
//! file, [`open`] a path instead: `qnd::open("run.h5", "w")?`.
//!
//! [qnd]: https://github.com/LLNL/qnd
//!
//! ## Opening and closing
//!
//! [`open`] takes h5py's modes: `"r"` (read only), `"r+"` (read/write, must
//! exist), `"a"` (read/write, created if missing), `"w"` (create, replacing),
//! `"w-"` (create, never replacing). The format comes from the extension
//! (`.h5`, `.nc`, ...) or the first bytes; a new `.nc` file is netCDF-4,
//! or netCDF-3 with [`open_with`] and [`OpenOptions::netcdf`]. The file
//! closes when [`QGroup::close`] is called (which reports errors) or the
//! last handle is dropped.
//!
//! File names expand `~` and `$VAR` / `${VAR}` as Python qnd does. A name
//! with `%d` or `%0Nd` (`"run%d.h5"`) is an HDF5 file family: one file
//! split across `run0.h5`, `run1.h5`, ... of at most
//! [`OpenOptions::family_size`] bytes each (128 MiB by default).
//!
//! ## Groups: a dict of items
//!
//! ```
//! use ndarray::array;
//! use qnd::Value;
//!
//! let f = qnd::memory();
//! f.set("x", 2.5)?;                              // declare and write
//! f.set("mat", array![[1, 2, 3], [4, 5, 6]])?;   // any ndarray
//! f.set("name", "run 7")?;                       // text
//! f.set("g", Value::group())?;                   // a subgroup
//! f.set("g/y", vec![1.0f32, 2.0])?;              // paths work
//! f.update([("a", Value::from(1i64)), ("b", Value::None)])?;
//!
//! assert_eq!(f.names()?, ["x", "mat", "name", "g", "a", "b"]);
//! assert!(f.contains("/g/y")?);
//! assert_eq!(f.read::<f64>("x")?, 2.5);
//! assert_eq!(f.read::<String>("name")?, "run 7");
//! assert_eq!(f.read::<Option<f64>>("b")?, None);
//! let y: Vec<f32> = f.group("g")?.read("y")?;
//! assert_eq!(y, [1.0, 2.0]);
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! Reads are generic over the result: [`Value`] (whatever is there),
//! [`Array`], `ndarray` arrays of any dimension, `Vec<T>`, scalars,
//! `String`, `Option<T>`. Numbers convert only when no value can change
//! (an `i32` leaf reads as `f64`; an `f64` leaf does not read as `f32`).
//!
//! ## Declaring, and partial reads and writes
//!
//! ```
//! use ndarray::{array, s, Array2};
//! use qnd::{DType, Selection};
//!
//! let f = qnd::memory();
//! let z = f.declare("z", DType::F64, &[3, 4])?;  // reserved, reads as zeros
//! z.write_part(s![1, ..], array![1.0, 2.0, 3.0, 4.0])?;
//! f.write_part("z", Selection::new().index(-1).slice(None, None, 2), 9.0)?;
//! let part: Array2<f64> = f.read_part("z", s![1.., 1..3])?;
//! assert_eq!(part, array![[2.0, 3.0], [0.0, 9.0]]);
//! assert_eq!(f.read_part::<Vec<f64>>("z", s![2, ..])?, [9.0, 0.0, 9.0, 0.0]);
//! assert_eq!((z.dtype()?, z.shape()?), (DType::F64, vec![3, 4]));
//! // numpy's indexing text, as `qnd get --slice` takes it
//! let sel: Selection = "::-1, -1".parse()?;
//! assert_eq!(f.read_part::<Vec<f64>>("z", sel)?, [0.0, 4.0, 0.0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A [`Selection`] is numpy's indexing: integers (negative from the end)
//! drop an axis, slices `start:stop:step` keep it; `ndarray::s![]` works
//! too, and so does numpy's text (`"1:10:2, ::-1, ..."`, through
//! [`Selection::parse`] or `str::parse`). Only the selected part is read or
//! written.
//!
//! ## Casts on write
//!
//! A value written into an existing leaf (`set`, `write`, `write_part`, a
//! record appended to a record variable, [`QList::set`], a writable lazy
//! array) is cast to the leaf's type as h5py casts, but checked:
//!
//! | value | into a leaf of | allowed when |
//! | --- | --- | --- |
//! | any type | the same type, or a wider one (`i4`→`i8`, `f4`→`f8`, `i4`→`f8`) | always |
//! | integer | any integer type, signed or unsigned | every value fits exactly (`3` into `u1` yes; `-1` into `u4`, `2^40` into `i4` no) |
//! | integer | float | every value is held exactly (`2^24` into `f4` yes; `2^24+1` into `f4`, `2^53+1` into `f8` no) |
//! | float | narrower float (`f8`→`f4`) | each value goes to its nearest; a finite value must stay finite (`1e39` no); NaN and ±inf pass |
//! | float | integer | every value is integral and fits (`2.0` into `i1` yes; `2.5`, NaN, inf no: h5py would truncate) |
//! | integer, float | complex (`c8`, `c16`) | as into the complex type's float (`f4` for `c8`, `f8` for `c16`), imaginary part 0 |
//! | `c16` | `c8` | each part to its nearest `f4`; a finite part must stay finite |
//! | complex | any real type | never: the imaginary part would be lost, even when zero |
//! | bool, text | any other type; numbers into bool or text | never |
//!
//! ```
//! let f = qnd::memory();
//! f.set("n", 3)?;                  // a new leaf keeps its value's type: i4
//! f.set("n", 7i64)?;               // fits: stored as i4
//! let e = f.set("n", 1i64 << 40).unwrap_err();
//! assert!(e.to_string().ends_with("/n: value 1099511627776 does not fit the leaf's type i4"));
//! assert_eq!(f.read::<i32>("n")?, 7);   // nothing was written
//! f.set("x", vec![0f32; 2])?;
//! f.set("x", vec![0.1, 2.0])?;     // f8 into f4: each to its nearest
//! let e = f.set("x", vec![0.5, 1e39]).unwrap_err();
//! assert!(e.to_string().ends_with("/x: value 1e39 (at [1]) does not fit the leaf's type f4"));
//! assert_eq!(f.read::<Vec<f32>>("x")?, [0.1, 2.0]);
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! A value that does not fit is [`Error::Cast`], naming the item, the first
//! value that does not fit (and its index in an array) and the leaf's type;
//! the whole value is checked before anything is written, so nothing is
//! (nor is a record kept for a later flush). A new item keeps the value's
//! own type, and attributes are replaced whole: neither is cast. Reads
//! convert only without loss.
//!
//! ## Complex numbers
//!
//! Leaves, records and attributes may hold complex numbers: dtype `c8`
//! ([`Complex32`], `Complex<f32>`) and `c16` ([`Complex64`],
//! `Complex<f64>`), numpy's `complex64` and `complex128`, with
//! [`num_complex`](qnd_storage::num_complex)'s type (the one ndarray
//! uses, re-exported as [`qnd::Complex`](Complex)). A `c8` leaf reads as
//! `Complex64` too (a widening), and real leaves read as complex when
//! exact (as [`DType::widens_to`] says); a complex leaf never reads as a
//! real number, and complex values are never written into a real leaf
//! (see the table above). A complex variable has no order, so
//! [`QGroup::goto_nearest`] refuses it. [`DType::is_numeric`] is true for
//! complex (numpy's `np.number`); [`DType::is_real`] and
//! [`DType::is_complex`] tell them apart.
//!
//! ```
//! use qnd::{Complex32, Complex64, DType, Recording};
//! let f = qnd::memory();
//! f.set("z", vec![Complex64::new(1.0, 2.0), Complex64::new(3.0, -4.0)])?;
//! f.set("w", Complex32::new(1.5, 0.5))?;
//! assert_eq!(f.leaf("z")?.dtype()?, DType::C16);
//! assert_eq!(f.read::<Complex64>("w")?, Complex64::new(1.5, 0.5)); // c8 widens
//! assert!(f.read::<Vec<f64>>("z").is_err());                      // never cut
//! f.set("z", vec![1, 2])?;                     // integers into c16: exact
//! assert_eq!(f.read::<Vec<Complex64>>("z")?[1], Complex64::new(2.0, 0.0));
//! f.set_recording(Recording::Uniform);
//! for k in 0..3 {
//!     f.set("amp", Complex64::new(k as f64, -1.0))?;   // records of c16
//! }
//! f.set_recording(Recording::Off);
//! f.goto(1);
//! assert_eq!(f.read::<Complex64>("amp")?, Complex64::new(1.0, -1.0));
//! assert!(f.goto_nearest("amp", 1.0).is_err());  // complex has no order
//! f.goto_off();
//! let json = qnd::to_json(&f.read("w")?);
//! assert_eq!(json["data"], serde_json::json!([[1.5, 0.5]]));  // [re, im]
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! In files, complex is what h5py writes: in HDF5 a compound of two floats
//! named `r` and `i`; in netCDF-4 the same compound as a user type (what
//! netCDF4-python reads as complex with `auto_complex=True`); netCDF-3
//! has no complex and refuses it. [`to_json`] writes each value as the
//! pair `[re, im]` (non-finite parts as `"nan"`, `"inf"`, `"-inf"`). Lazy
//! views: [`Scaled`](lazy::Scaled) by a real or complex factor
//! ([`Scaled::new_complex`](lazy::Scaled::new_complex)), [`Sum`](lazy::Sum)
//! and [`Stacked`](lazy::Stacked) of complex parts; [`Or`](lazy::Or)
//! takes bool only. [`diff`] compares complex values by the modulus,
//! `|a - b| <= atol + rtol * |b|`. With serde, a complex element reads as
//! the pair `(re, im)`, which `num_complex::Complex` deserializes from; a
//! `Complex` in a serialized struct is written as that pair, a 2-element
//! real leaf (set a `c16` leaf with [`QGroup::set`] instead).
//!
//! ## Auto-read mode
//!
//! Getting an item with [`QGroup::get`] gives an [`Item`] that depends on
//! the mode ([`Auto`]): 0 gives handles and reads nothing, 1 (the default)
//! reads leaves but gives handles for groups and lists, 2 reads everything.
//!
//! ```
//! use qnd::{Auto, Item, Value};
//!
//! let f = qnd::memory();
//! f.set("big", vec![0u8; 1000])?;
//! f.set("g", Value::group())?;
//! f.set_auto(Auto::Off);
//! let Item::Leaf(big) = f.get("big")? else { panic!() };
//! assert_eq!(big.shape()?, [1000]);          // nothing read yet
//! f.set_auto(Auto::Leaves);
//! assert!(matches!(f.get("big")?, Item::Value(..)));
//! assert!(matches!(f.get("g")?, Item::Group(_)));
//! f.set_auto(Auto::All);
//! assert!(matches!(f.get("g")?, Item::Value(Value::Group(_), _)));
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! ## Lists
//!
//! ```
//! use qnd::Value;
//!
//! let f = qnd::memory();
//! let parts = f.create_list("parts")?;
//! parts.append(1i64)?;
//! parts.extend([Value::None, Value::from("three"), Value::group()])?;
//! assert_eq!(parts.len()?, 4);
//! assert_eq!(parts.read::<String>(-2)?, "three");
//! assert!(parts.group(3).is_ok());
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! ## Recording a history, and goto
//!
//! In recording mode 1 ([`Recording::Uniform`]) setting a new variable
//! makes it a record variable, and setting it again appends a record; all
//! records share a dtype and shape and are stored as one array with an
//! unlimited leading dimension. Mode 2 ([`Recording::Any`]) allows records
//! of any type and shape (stored as a list). A variable declared with
//! recording off stays a plain leaf.
//!
//! ```
//! use ndarray::array;
//! use qnd::{Recording, Value};
//!
//! let f = qnd::memory();
//! f.set("nx", 2i64)?;
//! f.set_recording(Recording::Uniform);
//! for k in 0..5 {
//!     f.set("time", 0.5 * k as f64)?;
//!     f.set("u", array![1.0, 2.0] * k as f64)?;
//! }
//! // A record of the wrong shape is refused and nothing is written.
//! assert!(f.set("u", array![1.0]).is_err());
//!
//! f.goto_off();                                  // whole histories
//! assert_eq!(f.read::<Vec<Value>>("time")?.len(), 5);
//! f.goto(-1);                                     // one record
//! assert_eq!(f.read::<Vec<f64>>("u")?, [4.0, 8.0]);
//! assert_eq!(f.goto_nearest("time", 1.2)?, 2);    // nearest time
//! assert_eq!(f.read::<f64>("time")?, 1.0);
//! assert_eq!(f.read::<i64>("nx")?, 2);            // non-record: unaffected
//!
//! // Iterate over records; the goto state is restored afterwards.
//! let mut sum = 0.0;
//! for _ in f.goto_iter()? {
//!     sum += f.read::<f64>("time")?;
//! }
//! assert_eq!(sum, 5.0);
//! assert_eq!(f.current_record(), Some(2));
//!
//! // A slab of a history without reading all of it.
//! let u = f.list("u")?.as_array()?;
//! assert_eq!(u.read_part::<Vec<f64>>(ndarray::s![1..4, 1])?, [2.0, 4.0, 6.0]);
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! [`QGroup::push`] saves the modes and restores them when its guard is
//! dropped:
//!
//! ```
//! let f = qnd::memory();
//! f.set_recording(qnd::Recording::Uniform);
//! f.set("t", 1.0)?;
//! f.set("t", 2.0)?;
//! f.goto(0);
//! {
//!     let f = f.push();
//!     f.goto(-1);
//!     assert_eq!(f.read::<f64>("t")?, 2.0);
//! }
//! assert_eq!(f.read::<f64>("t")?, 1.0);
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! ## Recording at full speed
//!
//! Records are buffered per variable and written many at a time, in whole
//! chunks; [`QGroup::flush`], [`QGroup::close`], dropping the last handle
//! and a full buffer write them out, and reads see them before that. The
//! buffers of a file hold at most [`OpenOptions::record_buffer`] bytes
//! (64 MiB by default; 0 writes each record as it comes). An error while
//! writing buffered records is returned by the call that wrote them (see
//! "Nothing lost" below). `goto_nearest` builds its index once and keeps
//! it up to date as records are added.
//!
//! ```
//! use qnd::Recording;
//! let f = qnd::memory();
//! f.set_recording(Recording::Uniform);
//! for step in 0..1000 {
//!     f.set("time", step as f64 * 0.1)?;
//!     f.set("energy", 1.0 / (1.0 + step as f64))?;
//! }
//! assert_eq!(f.goto_nearest("time", 42.04)?, 420);  // read while recording
//! assert_eq!(f.read::<f64>("energy")?, 1.0 / 421.0);
//! f.flush()?;                                       // everything written
//! f.goto_off();
//! assert_eq!(f.read::<Vec<f64>>("time")?.len(), 1000);
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! ## Attributes
//!
//! ```
//! let f = qnd::memory();
//! f.set("x", vec![1.0, 2.0, 3.0])?;
//! let a = f.attrs("x")?;
//! a.set("units", "cm")?;
//! assert_eq!(a.read::<String>("units")?.as_deref(), Some("cm"));
//! assert_eq!(a.read::<Vec<i64>>("shape")?, Some(vec![3]));  // pseudo-attribute
//! f.attrs("")?.set("version", 3i32)?;                        // the group's own
//! assert_eq!(f.attrs("")?.names()?, ["version"]);
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! ## References, links, require and remove
//!
//! [`QGroup::require_group`] and [`QGroup::require_leaf`] create a member
//! or check the one there (dtype and shape); [`QGroup::remove`] deletes
//! one; [`QGroup::link`] (hard), [`QGroup::soft_link`] and
//! [`QGroup::external_link`] name an item again; [`QGroup::set_shared`]
//! stores an `Arc<Value>` written twice once (a hard link). A [`QRef`] is a
//! file and an item path, opened on demand ([`QRef::status`],
//! [`FileMap`] for many), stored in any file by [`QGroup::set_ref`] as the
//! text `file#/path`. What a file can hold is in
//! [`QGroup::capabilities`]: memory and HDF5 remove and link (external
//! links: HDF5 only); netCDF refuses, saying so.
//!
//! ```
//! use qnd::{DType, LinkTarget};
//! let f = qnd::memory();
//! f.require_group("run")?.set("u", vec![1.0, 2.0])?;
//! f.require_leaf("run/v", DType::F64, &[2])?;
//! f.link("u", "run/u")?;                       // one array, two names
//! f.soft_link("latest", "/run")?;
//! assert_eq!(f.read::<Vec<f64>>("latest/u")?, [1.0, 2.0]);
//! assert_eq!(f.link_info("latest")?, Some(LinkTarget::Soft("/run".into())));
//! f.remove("run/u")?;
//! assert_eq!(f.read::<Vec<f64>>("u")?, [1.0, 2.0]); // still under its other name
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! ## Structs with serde
//!
//! With the feature `serde` (on by default), `set_serde` writes any
//! `Serialize` value as a tree (a struct is a group, a `Vec` of numbers a
//! 1-d leaf, an enum as serde_json tags it; the table is on `qnd::to_value`)
//! and `read_serde` reads any `Deserialize` type back, with errors naming
//! the field (`/run/mesh/nx: expected u32, found text "abc"`). In a
//! recording mode a struct's fields record like separate `set` calls.
//! `qnd::group!` builds a mixed group in one expression, with or without
//! serde.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Mesh { nx: u32, x: Vec<f64>, kind: Option<String> }
//!
//! let f = qnd::memory();
//! let mesh = Mesh { nx: 2, x: vec![0.0, 1.0], kind: None };
//! f.set_serde("mesh", &mesh)?;
//! assert_eq!(f.read::<Vec<f64>>("mesh/x")?, [0.0, 1.0]);   // a group
//! assert_eq!(f.read_serde::<Mesh>("mesh")?, mesh);
//! f.set("run", qnd::group! { "dt" => 0.1, "name" => "tube" })?;
//! assert_eq!(f.read::<String>("run/name")?, "tube");
//! # }
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! ## Nothing lost
//!
//! - **Durability.** After [`QGroup::flush`] returns, every record written
//!   so far survives a `kill -9` of the process at any later moment,
//!   including during the next flush; later records may be lost but never
//!   make the file or earlier records unreadable. This holds by default for
//!   new HDF5 files (recording runs in HDF5's SWMR mode from the first
//!   flush; creating a variable or attribute later leaves it for a moment)
//!   and for netCDF-3; not for netCDF-4 (netCDF-C has no SWMR) nor for
//!   HDF5 files with an old superblock. [`OpenOptions::sync`] also fsyncs
//!   at each flush, to survive a machine crash.
//! - **One writer.** Every open for writing takes qnd's own lock first: a
//!   second writer gets [`Error::InUse`] and the file is not touched (mode
//!   `w` included; `w` also refuses a file that a program outside qnd has
//!   open through HDF5, such as h5py). Readers take no lock: another
//!   process may open a file being recorded (HDF5, netCDF-3) and follow it
//!   with [`QGroup::refresh`].
//! - **After a crash.** A file left open by a dead writer is
//!   [`Error::NeedsRecovery`] for writers; [`recover`] (`qnd recover FILE`)
//!   clears what is safe to clear and reports what does not read.
//! - **Failed calls.** A call that returns an error has kept nothing of its
//!   own (a retry stores a record once); after a failure the library cannot
//!   undo (disk full), every later call returns [`Error::Failed`] naming it.
//! - **Bounded reads.** A read larger than [`OpenOptions::max_read_bytes`]
//!   (a quarter of the memory the process may use by default) is [`Error::TooLarge`],
//!   checked before anything is allocated.
//!
//! ```
//! use qnd::Recording;
//! let f = qnd::memory();
//! f.set_recording(Recording::Uniform);
//! f.set("time", 0.0)?;
//! assert!(f.set("time", "noon").is_err());   // refused: nothing kept
//! f.set("time", 0.1)?;                        // the retry is record 1
//! f.goto_off();
//! assert_eq!(f.read::<Vec<f64>>("time")?, [0.0, 0.1]);
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! ```no_run
//! use qnd::{Mode, OpenOptions, Recording};
//! // the simulation: flushed records survive a kill; `sync` a power cut too
//! let opts = OpenOptions { sync: true, ..OpenOptions::new(Mode::Create) };
//! let run = qnd::open_with("run.h5", &opts)?;
//! run.set_recording(Recording::Uniform);
//! run.set("time", 0.0)?;
//! run.flush()?;
//! // another process watches it
//! let watch = qnd::open("run.h5", "r")?;
//! watch.refresh()?;                              // records added since
//! // after a crash: check and repair what is safe
//! println!("{}", qnd::recover("crashed.h5")?);
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! ## Many processes, one file (MPI)
//!
//! With the `mpi` feature, `qnd::open_parallel` opens
//! one HDF5 file in every rank of an MPI communicator, written through
//! parallel HDF5 (see [`parallel`] for the whole account). Every rank
//! holds the same tree. Calls that write are *collective*: every rank
//! makes them, in the same order, with the same arguments, and a call
//! that fails on one rank fails on all ([`Error::Parallel`] names the
//! rank); ranks making different calls get [`Error::OutOfStep`] before
//! anything is written. Values every rank holds the same (the time, a
//! parameter) are `set` as usual and stored once; a field spread over the
//! ranks is written with [`QGroup::set_part`], each rank passing its own
//! rows, as laid out by [`QGroup::layout`] (rank after rank) or
//! [`QGroup::scattered`] (by global row index). In recording mode each
//! `set_part` appends a record of the whole field. Reads are not
//! collective: any rank reads anything.
//!
//! [`parallel::memory`] runs the same code on one process without MPI
//! (every check made as in a parallel file):
//!
//! ```
//! use ndarray::Array1;
//! use qnd::{Parallel, Recording};
//!
//! let f = qnd::parallel::memory(&Parallel::single());
//! assert_eq!((f.rank(), f.ranks()), (0, 1));
//! let layout = f.layout(4)?;                  // this rank's 4 rows (of all ranks' rows)
//! f.set_recording(Recording::Uniform);
//! for step in 0..3 {
//!     f.set("time", 0.5 * step as f64)?;      // replicated: the same on every rank
//!     let rho = Array1::from_elem(4, step as f64);
//!     f.set_part("rho", rho, &layout)?;       // each rank its own rows
//! }
//! f.flush()?;                                 // collective, as close
//! f.goto_nearest("time", 0.6)?;
//! assert_eq!(f.read::<Vec<f64>>("rho")?, [1.0; 4]);
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! ## PDB files
//!
//! With the `pdb` feature (on by default; pure Rust, no C library), qnd
//! reads and writes PDB-II files, the format of LLNL's PDBLib, yorick and
//! basis, as LLNL's Python qnd writes them, records and goto included. A
//! flush never overwrites the metadata the file's header points to, so a
//! killed writer leaves the last flush readable. Families (`run%02d.pdb`
//! or a glob such as `run*.pdb`) and big-endian files are read; a new
//! family is written with mode `w`, starting a member every
//! [`OpenOptions::family_size`] bytes of records, and appending to a family
//! (`r+`, `a`) is [`Error::Invalid`]. PDB-I and PDB-III files are refused,
//! naming the version.
//!
//! ```no_run
//! let f = qnd::open("run%02d.pdb", "r")?;   // a family, members in Python qnd's order
//! f.goto_nearest("time", 2.5)?;
//! let u: Vec<f64> = f.read("u")?;
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! ## Comparing two trees
//!
//! [`diff()`] compares two trees (two files of any formats, or groups)
//! item by item and returns every difference by path: an item on one side
//! only, kind, dtype, shape, record count, attributes, and values (how
//! many elements differ, the first one, the largest absolute and relative
//! difference), numbers within a [`Tolerance`] (numpy's `isclose`). Large
//! leaves are compared block by block, never read whole. It is what
//! round-trip tests assert on, and what `qnd diff A B` prints.
//!
//! ```
//! use qnd::Tolerance;
//! let a = qnd::memory();
//! a.set("u", vec![1.0, 2.0, 3.0])?;
//! let b = qnd::memory();
//! a.copy_to(&b)?;
//! assert!(qnd::diff(&a, &b, &Tolerance::EXACT)?.is_empty());
//! b.set("u", vec![1.0, 2.0, 3.5])?;
//! let d = qnd::diff(&a, &b, &Tolerance::new(1e-9, 0.0))?;
//! assert_eq!(d.to_string(), "/u: values differ at [2]: 3 vs 3.5 (1 of 3 elements; max abs 0.5, max rel 0.14285714285714285)\n");
//! # Ok::<(), qnd::Error>(())
//! ```
//!
//! ## Errors
//!
//! Every fallible call returns [`Error`], which names the file and the item
//! (`/g/x`, `/time[3]`) and, for mismatches, what was expected and what was
//! given. Bad input never panics and never leaves a damaged file.
//!
//! ## How it is built
//!
//! Each layer imports only the layers below it:
//!
//! - `qnd-storage` (re-exported as [`backend`]): values ([`DType`],
//!   [`Array`], [`Value`], index runs [`backend::Run`]), the
//!   [`Storage`](backend::Storage) trait every backend implements and its
//!   [`Capabilities`], the record buffer, and the in-memory backend;
//!   `qnd-hdf5` and `qnd-netcdf` implement the trait over the C libraries,
//!   `qnd-pdb` in pure Rust.
//! - [`values`], [`selection`], [`state`]: conversions, numpy indexing
//!   resolved to runs, the modes and goto indexes.
//! - the file layer: opening and format detection, the one factory that
//!   names a backend, and the state of an open file, which owns every
//!   cache (member lookups, list lengths, shapes, goto indexes); a read or
//!   a write resolves its path once, under one lock.
//! - [`lazy`]: lazy and virtual arrays, over the file layer.
//! - the tree: [`QGroup`], [`QList`], [`QLeaf`], [`QAttrs`], thin handles
//!   over the file layer; [`open`], [`memory`].
//!
//! What a file can hold is asked of its capabilities
//! ([`capabilities`] before it exists), never of its backend's name.
#![warn(missing_docs)]

pub mod backend;
pub mod diff;
mod error;
mod file;
pub mod lazy;
mod macros;
pub mod parallel;
mod recover;
pub mod selection;
#[cfg(feature = "serde")]
mod serde;
pub mod state;
mod tree;
pub mod values;

pub use backend::LinkTarget;
pub use backend::{Capabilities, Kind, NcFormat};
pub use diff::{
    diff, diff_path, Change, Diff, Differ, Difference, ItemKind, Side, Tolerance, ValueDiff,
};
pub use error::{error_chain, BoxError, Error, Result, StorageError};
pub use file::read::MAX_DEPTH;
pub use file::DEFAULT_FAMILY_SIZE;
pub use file::{
    capabilities, default_max_read_bytes, AsMode, Format, Mode, OpenOptions, UnknownMode,
};
#[cfg(feature = "mpi")]
pub use parallel::open_parallel;
pub use parallel::{Layout, Parallel};
pub use recover::{recover, Recovery};
pub use selection::{Axis, Selection};
pub use state::{Auto, GotoIndex, Recording, State};
pub use tree::Origin;
pub use tree::{
    memory, memory_from, open, open_with, Dim, GotoIter, Item, LeftOut, ModeGuard, QAttrs, QGroup,
    QLeaf, QList,
};
pub use tree::{FileMap, QRef, RefStatus};
pub use values::{to_json, Array, DType, Element, FromValue, Value, ValueError};
/// The element type of `c8` (`Complex<f32>`) and `c16` (`Complex<f64>`)
/// leaves: `num_complex`'s, the one ndarray uses.
pub use values::{Complex, Complex32, Complex64};

#[cfg(feature = "serde")]
pub use crate::serde::{from_value, to_value};
