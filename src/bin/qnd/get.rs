//! `qnd get FILE PATH [--record K | --nearest VAR=VALUE] [--slice SPEC]
//! [--json]`: print one item the way numpy prints it (what h5py users see
//! for `print(dset[...])`), or as JSON in the schema of `qnd dump --json`.
//!
//! Only what is printed is read: a slice reads only its part, and a
//! summarised array (more than 1000 elements) only its corners, the first
//! and last 3 along each long axis, which is all numpy shows.

use std::path::PathBuf;

use ndarray::SliceInfoElem;
use qnd::backend::Run;
use qnd::selection::{Region, SelectionError};
use qnd::{Array, Kind, QLeaf, Selection, Value};

use crate::cli::{self, Failure};
use crate::pick::RecordPick;
use crate::show;

const AFTER_HELP: &str = "\
Examples:
  qnd get run.h5 mesh/x                  the whole leaf: [0.  0.5 1. ]
  qnd get run.h5 u --record -1           the last record of u
  qnd get run.h5 u --nearest time=0.42   the record where time is nearest 0.42
  qnd get run.h5 u --slice '::2, -1'     numpy's u[::2, -1] (records x values)
  qnd get run.h5 mesh/x --json           {\"dtype\": \"f8\", \"shape\": [3], \"data\": [...]}

Printing is numpy's print(array) (h5py's print(dset[...])): floats in the
shortest form that reads back (at most 8 decimals), columns aligned, lines
of at most 75 characters, text as bytes (b'ab'), None as None. More than
1000 elements print as numpy summarises them (3 at each end of a long axis,
...), and only those are read from the file. A group or a list prints one
line per member (name, kind, type and shape, as `qnd ls`); --json prints it
whole.

Exit status: 0 on success, 1 when PATH, the record or the slice does not
fit the file, 2 for a wrong command line.";

/// Print an item: a leaf's values as numpy prints them, a group's or a
/// list's members as `qnd ls` lists them.
#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct GetArgs {
    /// The file (HDF5 or netCDF; a family name such as 'run%d.h5' too).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The item: a path from the root (mesh/x, /mesh/x; / is the root).
    #[arg(value_name = "PATH")]
    pub path: String,
    /// Which record record variables give.
    #[command(flatten)]
    pub pick: RecordPick,
    /// Print part of a leaf, in numpy's indexing syntax (what goes between
    /// the brackets of x[...]): comma-separated integers (negative from the
    /// end) and slices start:stop:step (any part left out: ::-1, 5:, :3,
    /// -3:), and at most one ... (the whole axes in between). A record
    /// variable without --record/--nearest is an array whose first axis is
    /// the record.
    #[arg(long, value_name = "SPEC", allow_hyphen_values = true)]
    pub slice: Option<String>,
    /// Print the value as JSON in the schema of `qnd dump --json` (a leaf
    /// {"dtype", "shape", "data"}, a group an object, a list or a record
    /// variable an array, None null), every element of it.
    #[arg(long)]
    pub json: bool,
}

/// `qnd get`.
///
/// # Errors
/// [`Failure::Error`] naming the file and the item: no such item, a
/// record out of range, a bad or misfitting `--slice`, a read error.
pub fn run(args: GetArgs) -> Result<(), Failure> {
    let file = args.file.display().to_string();
    let shown = format!("/{}", args.path.trim_start_matches('/'));
    let fail = |m: String| Failure::Error(format!("{file}: {shown}: {m}"));
    let sel = match &args.slice {
        Some(spec) => Some(Selection::parse(spec).map_err(|e| fail(format!("--slice: {e}")))?),
        None => None,
    };
    let root = cli::open_read(&args.file)?;
    args.pick.apply(&root)?;
    let path = args.path.as_str();
    let kind = root.kind(path)?;
    // a record variable, and under --record/--nearest a recording-2 list,
    // give a leaf (the record, or with goto off the whole history)
    let as_leaf = match kind {
        Kind::Leaf | Kind::Records => true,
        Kind::List => !args.pick.is_none(),
        _ => false,
    };
    let text = if as_leaf {
        let leaf = root.leaf(path)?;
        match (&sel, args.json) {
            // the value as `qnd dump --json` shows it (a record variable
            // with goto off: one leaf per record)
            (None, true) => json(&root.read::<Value>(path)?)?,
            (Some(sel), true) => {
                resolve(&leaf, sel)?;
                json(&Value::Array(leaf.read_part::<Array>(sel.clone())?))?
            }
            (None, false) => leaf_text(&leaf, &Selection::all())?,
            (Some(sel), false) => leaf_text(&leaf, sel)?,
        }
    } else if sel.is_some() {
        let what = match kind {
            Kind::Group => "a group",
            Kind::List => "a list",
            _ => "None",
        };
        return Err(fail(format!("is {what}: --slice needs a leaf")));
    } else if args.json {
        json(&root.read::<Value>(path)?)?
    } else {
        match kind {
            Kind::None => "None".to_string(),
            _ => {
                root.goto_off();
                root.set_auto(qnd::Auto::Off);
                crate::ls::listing(&root, path, false)?
                    .trim_end_matches('\n')
                    .to_string()
            }
        }
    };
    root.close()?;
    if text.is_empty() {
        // an empty group or list: no lines
        return Ok(());
    }
    cli::print(&format!("{text}\n"))
}

/// `v` as `qnd dump --json` prints it.
fn json(v: &Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(&qnd::to_json(v)).map_err(|e| Failure::Error(e.to_string()))
}

/// `sel` resolved against `leaf`'s shape; an error names the file and the
/// item (and says when the leaf is a scalar).
fn resolve(leaf: &QLeaf, sel: &Selection) -> Result<Region, Failure> {
    let shape = leaf.shape()?;
    sel.resolve(&shape).map_err(|e| {
        let why = match e {
            SelectionError::TooMany { .. } if shape.is_empty() => {
                "is a scalar: --slice has nothing to index".to_string()
            }
            SelectionError::TooMany { given, ndim } => format!(
                "--slice has {given} indices but the leaf has {ndim} dimension{} (shape {shape:?})",
                if ndim == 1 { "" } else { "s" }
            ),
            other => format!("--slice: {other} (shape {shape:?})"),
        };
        Failure::Error(format!(
            "{}: {}: {why}",
            leaf.file_path().display(),
            leaf.path()
        ))
    })
}

/// The part `sel` of `leaf` printed as numpy prints it, reading only what
/// is printed.
fn leaf_text(leaf: &QLeaf, sel: &Selection) -> Result<String, Failure> {
    let region = resolve(leaf, sel)?;
    let out = region.out_shape();
    let small = if show::summarised(&out) && !out.contains(&0) {
        corners(leaf, &region)?
    } else {
        leaf.read_part::<Array>(region.to_selection())?
    };
    Ok(show::numpy_str(&small, &out))
}

/// The corners of `region` of `leaf` that numpy prints when it summarises:
/// along every kept axis longer than 6 its first and last 3 indices, the
/// other axes whole. One read per corner block (at most 2^ndim), so a
/// leaf of any size costs a few small reads.
fn corners(leaf: &QLeaf, region: &Region) -> Result<Array, Failure> {
    // per kept axis (in output order): the leaf axis and its segments
    // (offset into the output axis, length)
    let kept: Vec<(usize, Vec<(usize, usize)>)> = region
        .axes
        .iter()
        .enumerate()
        .filter(|(_, a)| a.keep)
        .map(|(i, a)| {
            let segs = if show::cut(a.count, true) {
                vec![(0, show::EDGE), (a.count - show::EDGE, show::EDGE)]
            } else {
                vec![(0, a.count)]
            };
            (i, segs)
        })
        .collect();
    let small_shape: Vec<usize> = kept
        .iter()
        .map(|(_, segs)| segs.iter().map(|s| s.1).sum())
        .collect();
    let mut small = Array::zeros(leaf.dtype()?, &small_shape);
    let blocks: usize = kept.iter().map(|(_, s)| s.len()).product();
    for b in 0..blocks {
        // block b: one segment per kept axis (a mixed-radix number)
        let mut rest = b;
        let mut sub = region.clone();
        let mut place = Vec::with_capacity(kept.len());
        for (k, (axis, segs)) in kept.iter().enumerate().rev() {
            let seg = rest % segs.len();
            rest /= segs.len();
            let (start, len) = segs[seg];
            let run = region.axes[*axis].run;
            let step = if len > 1 { run.step } else { 1 };
            sub.axes[*axis].run = Run::new(run.index(start), len, step);
            // the first segment at the front of the small axis, the last
            // at its back
            let at = if seg == 0 { 0 } else { small_shape[k] - len };
            place.push(SliceInfoElem::Slice {
                start: at as isize,
                end: Some((at + len) as isize),
                step: 1,
            });
        }
        place.reverse();
        let block = leaf.read_part::<Array>(sub.to_selection())?;
        put(&mut small, &place, block).map_err(|m| {
            Failure::Error(format!(
                "{}: {}: {m}",
                leaf.file_path().display(),
                leaf.path()
            ))
        })?;
    }
    Ok(small)
}

/// Write `block` into `small` at `place`.
fn put(small: &mut Array, place: &[SliceInfoElem], block: Array) -> Result<(), String> {
    macro_rules! put {
        ($($v:ident),*) => {
            match (small, block) {
                $((Array::$v(s), Array::$v(b)) => {
                    let mut view = s.slice_mut(place);
                    if view.shape() != b.shape() {
                        return Err(format!("read {:?} where {:?} was asked for", b.shape(), view.shape()));
                    }
                    view.assign(&b);
                })*
                (s, b) => {
                    return Err(format!("read {} where {} was asked for", b.dtype(), s.dtype()))
                }
            }
        };
    }
    put!(I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, C8, C16, Bool, Str);
    Ok(())
}
