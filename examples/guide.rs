//! The user guide of Python qnd, walked through in Rust, checked as it goes.
//!
//! Every section below follows one part of Python qnd's guide, in the same
//! order, and checks what it reads back with `assert!`s: the program exits
//! with a non-zero status on any mismatch. Where Python qnd has a feature
//! that qnd-for-Rust spells differently (or not at all), a comment says
//! what to write instead.
//!
//! It runs twice, on an HDF5 file and on a netCDF-4 file, in a fresh folder
//! under the system's temporary directory that is removed at the end:
//!
//! ```sh
//! cargo run --example guide
//! ```

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use ndarray::{array, s, Array1, Array2, ArrayD};
use qnd::{Auto, DType, Error, Item, Mode, OpenOptions, QGroup, Recording, Result, Value};

fn main() -> Result<()> {
    let dir = TempDir::new();
    for ext in ["h5", "nc"] {
        guide(&dir.path, ext)?;
        println!("guide: every check passed on .{ext}");
    }
    Ok(())
}

/// A folder of our own under the temporary directory, removed on drop
/// (also when a check fails and the program unwinds).
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("qnd-guide-{}-{nanos}", std::process::id());
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).expect("a folder under the temporary directory");
        TempDir { path }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn guide(dir: &Path, ext: &str) -> Result<()> {
    let name = dir.join(format!("guide.{ext}"));
    opening(dir, ext)?;
    objects(&dir.join(format!("objects.{ext}")))?;
    let f = qnd::open(&name, "w")?;
    dict_usage(&f)?;
    auto_mode(&f)?;
    partial(&f)?;
    declaring(&f)?;
    f.close()?;
    recording(&dir.join(format!("history.{ext}")))?;
    recording_any(&dir.join(format!("shapes.{ext}")))?;
    let f = qnd::open(&name, "a")?;
    groups(&f)?;
    lists(&f)?;
    attributes(&f)?;
    read_errors(&f)?;
    closing(&f, &name)?;
    Ok(())
}

// ---------------------------------------------------------------- the data model
//
// A file is a tree: groups (named members, like a dict with text keys),
// lists (members by position) and leaves (n-d arrays of numbers, bools or
// text, or None). In Rust that tree is the `Value` enum: `Value::Group`
// (an ordered map), `Value::List`, `Value::Array`, `Value::None`, so
// anything JSON can say can be stored.
//
// Rust structs map to groups through serde: `f.set_serde(name, &s)`
// writes fields as members (nested structs as subgroups, `Vec`s of
// numbers as 1-d leaves, `None` as None) and `f.read_serde::<S>(name)`
// reads them back; `qnd::group!` builds a mixed group in one expression.
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Mesh {
    nx: u32,
    x: Vec<f64>,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Params {
    dt: f64,
    mesh: Mesh,
    label: Option<String>,
}

fn objects(path: &Path) -> Result<()> {
    let f = qnd::open(path, "w")?;
    let p = Params {
        dt: 0.01,
        mesh: Mesh {
            nx: 3,
            x: vec![0.0, 0.5, 1.0],
        },
        label: None,
    };
    f.set_serde("params", &p)?;
    assert_eq!(f.read::<Vec<f64>>("params/mesh/x")?, p.mesh.x); // a plain tree
    assert_eq!(f.read::<Value>("params/label")?, Value::None);
    assert_eq!(f.read_serde::<Params>("params")?, p);
    f.set(
        "quick",
        qnd::group! { "a" => 1.0, "u" => array![1, 2], "name" => "tube" },
    )?;
    assert_eq!(f.read::<Vec<i32>>("quick/u")?, [1, 2]);
    assert_eq!(f.names()?, ["params", "quick"]);
    f.close()
}

// ---------------------------------------------------------------- opening
//
// Python qnd has one `openXXX` function per backend; here `qnd::open`
// picks the format from the extension (.h5 HDF5, .nc netCDF-4) or from
// the first bytes of an existing file. The modes are h5py's, and a file
// opened for writing can always be read too.
fn opening(dir: &Path, ext: &str) -> Result<()> {
    let path = dir.join(format!("modes.{ext}"));

    // "r+" (read and write) and "r" need a file that exists.
    assert!(matches!(qnd::open(&path, "r+"), Err(Error::NoFile { .. })));
    assert!(matches!(qnd::open(&path, "r"), Err(Error::NoFile { .. })));

    // "a": read and write, created when missing.
    let f = qnd::open(&path, "a")?;
    f.set("x", 1.0)?;
    assert_eq!(
        f.read::<f64>("x")?,
        1.0,
        "a file open for writing reads too"
    );
    f.close()?;

    // "w-" never replaces a file; "w" does, starting empty.
    assert!(matches!(
        qnd::open(&path, "w-"),
        Err(Error::FileExists { .. })
    ));
    let f = qnd::open(&path, "w")?;
    assert!(f.names()?.is_empty(), "w starts from an empty file");
    f.set("x", 2.0)?;
    f.close()?;

    // "r+" keeps what is there and writes; "a" on an existing file too.
    let f = qnd::open(&path, "r+")?;
    assert_eq!(f.read::<f64>("x")?, 2.0);
    f.set("x", 3.0)?;
    f.close()?;

    // "r" reads only: a write is an error naming the file and the item.
    let f = qnd::open(&path, "r")?;
    assert_eq!(f.read::<f64>("x")?, 3.0);
    let e = f.set("x", 4.0).unwrap_err();
    assert!(matches!(e, Error::ReadOnly { .. }), "{e}");
    assert!(e.to_string().contains("/x"), "{e}");
    f.close()?;

    // The modes are also an enum, for `OpenOptions`.
    let f = qnd::open_with(&path, &OpenOptions::new(Mode::Read))?;
    assert_eq!(f.read::<f64>("x")?, 3.0);
    f.close()?;

    // File families: a `%d` (or `%0Nd`) in an HDF5 file name splits one
    // file across members `run0.h5`, `run1.h5`, ... of at most
    // `family_size` bytes (Python's `maxsize`; 128 MiB by default), and
    // writing past a member goes on in the next. netCDF has no families.
    if ext == "h5" {
        let opts = OpenOptions {
            family_size: 64 << 10,
            ..OpenOptions::new(Mode::Create)
        };
        let fam = qnd::open_with(dir.join("run%d.h5"), &opts)?;
        fam.set("big", Array1::<f64>::linspace(0.0, 1.0, 20_000))?; // 160 kB
        fam.close()?;
        assert!(dir.join("run0.h5").exists() && dir.join("run2.h5").exists());
        let fam = qnd::open(dir.join("run%d.h5"), "r")?; // any member size
        let big: Vec<f64> = fam.read("big")?;
        assert_eq!((big.len(), big[19_999]), (20_000, 1.0));
        fam.close()?;
    } else {
        let e = qnd::open(dir.join(format!("run%d.{ext}")), "w").unwrap_err();
        assert!(e.to_string().contains("HDF5"), "{e}");
    }
    // `~` and `$VAR` in file names are expanded, as in Python qnd.
    std::env::set_var("QND_GUIDE_DIR", dir);
    let f = qnd::open(format!("$QND_GUIDE_DIR/expanded.{ext}"), "w")?;
    f.close()?;
    assert!(dir.join(format!("expanded.{ext}")).exists());
    Ok(())
}

// ---------------------------------------------------------------- dict-style use
//
// Python reads `f.x` or `f['x']`; Rust has no attribute syntax over a
// file, so every member is named by a string: `f.read::<T>("x")`, and
// `f.set("x", value)` declares and writes. The name is never confused
// with a method, so Python's trailing-underscore escape (`f.close_` for a
// member named "close") is not needed: `f.read::<f64>("close")`.
fn dict_usage(f: &QGroup) -> Result<()> {
    f.set("x", array![1.0, 2.0, 3.0])?; // f.x = expression
                                        // f.update(y=.., z=..): any (name, value) pairs, an IndexMap too
    f.update([("y", Value::from(7i64)), ("z", Value::from("text"))])?;
    f.set("close", 0.5)?; // a member named like a method is just a name
    assert_eq!(f.read::<f64>("close")?, 0.5);

    // f.x: the read is typed by what you ask for.
    assert_eq!(f.read::<Vec<f64>>("x")?, [1.0, 2.0, 3.0]);
    assert_eq!(f.read::<Array1<f64>>("x")?, array![1.0, 2.0, 3.0]);
    assert_eq!(f.read::<i64>("y")?, 7);
    // numbers convert only when no value could change: i64 (i8 on disk)
    // does not read as f64, an i32 leaf would
    assert!(f.read::<f64>("y").is_err());
    assert_eq!(f.read::<String>("z")?, "text");

    // f.get('x', default): the member read as the default's type, or the
    // default when there is no such member.
    assert_eq!(f.get_or("y", 0i64)?, 7);
    assert_eq!(f.get_or("t0", 0.25)?, 0.25);
    assert!(!f.contains("t0")?, "get_or creates nothing");
    // a member of another type is an error, not the default
    assert!(f.get_or("z", 0.0).is_err());

    // list(f), len(f), `name in f`, iterating over names and items.
    assert_eq!(f.names()?, ["x", "y", "z", "close"]);
    assert_eq!(f.len()?, 4);
    assert!(f.contains("x")? && !f.contains("w")?);
    let mut seen = Vec::new();
    for name in f.names()? {
        seen.push(name);
    }
    assert_eq!(seen.len(), 4);
    // items() gives each member as the auto mode says: values here
    let mut values = IndexMap::new();
    for item in f.items()? {
        let (name, item) = item?;
        values.insert(name, item.into_value()?);
    }
    assert_eq!(values["y"], Value::from(7i64));
    assert_eq!(values["z"], Value::from("text"));

    // None is a member of its own kind.
    f.set("nothing", Value::None)?;
    assert_eq!(f.read::<Value>("nothing")?, Value::None);
    assert_eq!(f.read::<Option<f64>>("nothing")?, None);

    // f.flush(): everything written to the file, which stays open.
    f.flush()?;
    // Python's `with openh5(...) as f:` closes at the end of the block;
    // in Rust the file closes when its last handle is dropped (at the end
    // of a scope), and `f.close()?` closes it and reports errors.
    Ok(())
}

// ---------------------------------------------------------------- auto-read mode
//
// With auto-read on (the default, Auto::Leaves) getting a member reads a
// leaf; with it off (`f.auto(0)`, here `Auto::Off`, also
// `OpenOptions { auto, .. }` at open) getting a member gives a handle you
// can ask about without reading anything.
fn auto_mode(f: &QGroup) -> Result<()> {
    assert_eq!(f.auto(), Auto::Leaves);
    assert!(matches!(f.get("x")?, Item::Value(Value::Array(_), _)));

    f.set_auto(Auto::Off);
    let Item::Leaf(x) = f.get("x")? else {
        panic!("auto 0 gives a leaf handle");
    };
    // xhandle.dtype, .shape, .size, .ndim
    assert_eq!(x.dtype()?, DType::F64);
    assert_eq!(x.shape()?, [3]);
    assert_eq!((x.size()?, x.ndim()?), (3, 1));
    f.set_auto(Auto::Leaves);

    // f(0, 'x'): a handle whatever the mode (`f.leaf` gives a QLeaf
    // directly; `f.item` the Item as auto 0 would).
    let x = f.leaf("x")?;
    assert!(matches!(f.item("x")?, Item::Leaf(_)));

    // x[:] and x[()] and x(): read it all. In Rust `read` reads the whole
    // leaf, scalar or not; a selection reads a part.
    assert_eq!(x.read::<Vec<f64>>()?, [1.0, 2.0, 3.0]);
    assert_eq!(x.read_part::<Vec<f64>>(s![..])?, [1.0, 2.0, 3.0]);
    // numpy's quirk that `scalar[:]` fails holds here too: a slice needs
    // an axis; `read` works on scalars.
    let y = f.leaf("y")?;
    assert!(y.read_part::<i64>(s![..]).is_err());
    assert_eq!(y.read::<i64>()?, 7);

    // x[()] = expression and x(expression): write it all.
    x.write(array![4.0, 5.0, 6.0])?;
    assert_eq!(f.read::<Vec<f64>>("x")?, [4.0, 5.0, 6.0]);
    // xhandle[index] and xhandle[index] = part
    x.write_part(s![1..], array![50.0, 60.0])?;
    assert_eq!(x.read_part::<Vec<f64>>(s![1..])?, [50.0, 60.0]);
    assert_eq!(x.read_part::<f64>(s![0])?, 4.0);
    // (Opening with auto-read off from the start: see `closing`.)
    Ok(())
}

// ---------------------------------------------------------------- partial reads and writes
//
// Python's `f['x', index]` reads only that part whatever the auto mode;
// here it is `read_part` / `write_part` with `ndarray::s![]` (or a
// `qnd::Selection`). Reading all of x and then slicing, as `f.x[index]`
// does, costs a whole read.
fn partial(f: &QGroup) -> Result<()> {
    f.set("m", array![[1, 2, 3], [4, 5, 6], [7, 8, 9]])?;
    let row: Vec<i32> = f.read_part("m", s![1, ..])?;
    assert_eq!(row, [4, 5, 6]);
    let corner: Array2<i32> = f.read_part("m", s![1.., ..;2])?;
    assert_eq!(corner, array![[4, 6], [7, 9]]);
    let last: Vec<i32> = f.read_part("m", qnd::Selection::new().index(-1))?;
    assert_eq!(last, [7, 8, 9]);

    f.write_part("m", s![0, ..], array![10, 20, 30])?;
    f.write_part("m", s![.., 2], 0)?; // one value fills the selection
    let m: Array2<i32> = f.read("m")?;
    assert_eq!(m, array![[10, 20, 0], [4, 5, 0], [7, 8, 0]]);

    // An index outside the leaf is an error naming the axis.
    let e = f.read_part::<Vec<i32>>("m", s![5, ..]).unwrap_err();
    assert!(matches!(e, Error::OutOfBounds { axis: 0, .. }), "{e}");
    Ok(())
}

// ---------------------------------------------------------------- declaring
//
// Python declares by assigning a dtype or a (dtype, shape) pair. Rust has
// `declare(name, dtype, shape)`: the leaf exists, reads as zeros, and is
// filled later by whole or partial writes.
fn declaring(f: &QGroup) -> Result<()> {
    let yy = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
    f.declare("d", DType::F64, &[])?; // f.d = float
    f.declare("dy", DType::F32, yy.shape())?; // f.dy = yy.dtype, yy.shape
    let dz = f.declare("dz", DType::Bool, yy.shape())?; // f.dz = bool, yy.shape

    assert_eq!(f.read::<f64>("d")?, 0.0, "declared, never written: zeros");
    assert_eq!(f.leaf("dy")?.shape()?, [3, 2]);
    assert_eq!(dz.dtype()?, DType::Bool);
    assert!(f.read::<Vec<bool>>("dz").is_err(), "2-d is no Vec");
    assert!(!f.read::<ArrayD<bool>>("dz")?.iter().any(|&b| b));

    f.set("d", 2.5)?;
    f.write_part("dy", s![0, ..], array![1.0f32, 2.0])?;
    f.write_part("dy", s![1.., ..], yy.slice(s![1.., ..]).to_owned())?;
    assert_eq!(f.read::<f64>("d")?, 2.5);
    assert_eq!(f.read::<Array2<f32>>("dy")?, yy);

    // Text has a fixed width: declare the width you need.
    f.declare_text("label", 16, &[])?;
    f.set("label", "sixteen at most")?;
    assert_eq!(f.read::<String>("label")?, "sixteen at most");

    // A value must fit the leaf: a different shape is refused and nothing
    // is written; an i32 into an f64 leaf widens without loss.
    assert!(f.set("dy", array![1.0f32]).is_err());
    f.set("d", 3i32)?;
    assert_eq!(f.read::<f64>("d")?, 3.0);
    // Casts on write, as numpy does them, but checked: f8 values go into
    // an f4 leaf and i64 into an i32 leaf when every value fits; one that
    // does not is an error naming it, and nothing is written.
    f.declare("f4", DType::F32, &[2])?;
    f.set("f4", array![0.5f64, 1.25])?;
    assert_eq!(f.read::<Vec<f32>>("f4")?, [0.5, 1.25]);
    assert!(matches!(
        f.set("f4", array![0.5, 1e40]),
        Err(Error::Cast { .. })
    ));
    f.set("n", 3)?; // an i32 leaf
    f.set("n", 40i64)?;
    assert_eq!(f.read::<i32>("n")?, 40);
    let e = f.set("n", 1i64 << 40).unwrap_err();
    assert!(
        matches!(e, Error::Cast { .. }) && e.to_string().contains("1099511627776"),
        "{e}"
    );
    assert_eq!(f.read::<i32>("n")?, 40, "nothing written");
    Ok(())
}

// ---------------------------------------------------------------- recording mode 1
//
// With recording on, setting a variable that recording created appends a
// record instead of overwriting; goto picks the record that reads see.
fn recording(path: &Path) -> Result<()> {
    let (xa, xb) = (array![1.0, 1.0], array![2.0, 2.0]);
    let f = qnd::open(path, "w")?;
    f.set("x", xa)?; // x is a plain leaf
    f.set_recording(Recording::Uniform); // f.recording(1)
    for (t, y) in [(0.0, 10), (0.5, 11), (1.0, 12), (1.5, 13)] {
        f.set("time", t)?; // a record variable: one record per set
        f.set("y", array![y, -y])?;
    }
    f.set("x", xb.clone())?; // x stays a plain leaf: overwritten
                             // After a record is written goto points at it: reads give the latest.
    assert_eq!(f.read::<f64>("time")?, 1.5);
    f.close()?;

    let f = qnd::open(path, "r")?;
    // goto off (Python's None): a record variable reads as all its
    // records; as a Vec or ndarray they are stacked on a new first axis.
    assert_eq!(f.current_record(), None);
    assert_eq!(f.read::<Vec<f64>>("time")?, [0.0, 0.5, 1.0, 1.5]);
    let records: Vec<Value> = f.read("y")?; // the list of records
    assert_eq!(records.len(), 4);
    assert_eq!(records[2], Value::from(array![12, -12]));

    // goto(0): the first record of every record variable.
    f.goto(0);
    assert_eq!(f.read::<f64>("time")?, 0.0);
    assert_eq!(f.read::<Vec<i32>>("y")?, [10, -10]);
    assert_eq!(f.read::<Array1<f64>>("x")?, xb, "plain leaves ignore goto");

    // push: the modes come back when the guard is dropped (Python's
    // `with f.push():`); a negative record counts from the end.
    {
        let g = f.push();
        g.goto(-1);
        assert_eq!(g.read::<Vec<i32>>("y")?, [13, -13]);
    }
    assert_eq!(f.current_record(), Some(0), "the push guard restored goto");
    // a ModeGuard is a QGroup: everything works through it, and an early
    // return (or a failed check) restores the modes all the same
    let last = |f: &QGroup| -> Result<f64> {
        let g = f.push();
        g.goto(-1);
        g.read::<f64>("time")
    };
    assert_eq!(last(&f)?, 1.5);
    assert_eq!(f.current_record(), Some(0));

    // goto(time=1.2): the record where a scalar record variable is
    // nearest a value.
    assert_eq!(f.goto_nearest("time", 1.2)?, 2);
    assert_eq!(f.read::<Vec<i32>>("y")?, [12, -12]);
    assert_eq!(f.goto_nearest("time", 9.0)?, 3);

    // gotoit(): go to each record in turn; goto is restored afterwards.
    let mut times = Vec::new();
    for record in f.goto_iter()? {
        assert_eq!(f.current_record(), Some(record as isize));
        times.push(f.read::<f64>("time")?);
    }
    assert_eq!(times, [0.0, 0.5, 1.0, 1.5]);
    assert_eq!(f.current_record(), Some(3));
    // (by the values of one variable, in increasing order)
    assert_eq!(f.goto_iter_by("time")?.count(), 4);

    // A record past the end is an error, not a silent default.
    f.goto(4);
    assert!(matches!(f.read::<f64>("time"), Err(Error::NoRecord { .. })));

    // goto(None)
    f.goto_off();
    // A record variable is a list of its records (of one dtype and shape
    // in mode 1, stored as one array with a record axis).
    let y = f.list("y")?;
    assert!(y.is_records() && y.len()? == 4);
    assert_eq!(f.read::<Array2<i32>>("y")?.shape(), [4, 2]);
    // A slab of the history without reading all of it.
    let firsts: Vec<i32> = f.list("y")?.as_array()?.read_part(s![1..3, 0])?;
    assert_eq!(firsts, [11, 12]);
    f.close()?;
    Ok(())
}

// ---------------------------------------------------------------- recording mode 2
//
// Records of any shape (and type): each record is kept as it was written.
fn recording_any(path: &Path) -> Result<()> {
    let f = qnd::open(path, "w")?;
    f.set_recording(Recording::Any); // f.recording(2)
    f.set("x", Array2::<f64>::zeros((2, 3)))?;
    f.set("x", Array2::<f64>::ones((4, 1)))?;
    f.goto_off();
    let xs: Vec<Value> = f.read("x")?; // the list of x arrays
    assert_eq!(xs.len(), 2);
    let shapes: Vec<Vec<usize>> = xs
        .iter()
        .map(|v| match v {
            Value::Array(a) => a.shape().to_vec(),
            other => panic!("a record that is not an array: {}", other.describe()),
        })
        .collect();
    assert_eq!(shapes, [vec![2, 3], vec![4, 1]]);
    f.goto(1);
    assert_eq!(f.read::<Array2<f64>>("x")?, Array2::<f64>::ones((4, 1)));
    // Mode 1 would refuse the second shape; nothing is written then.
    f.set_recording(Recording::Uniform);
    f.set("u", array![1.0, 2.0])?;
    assert!(f.set("u", array![1.0]).is_err());
    f.goto_off();
    assert_eq!(f.list("u")?.len()?, 1);
    f.close()?;
    Ok(())
}

// ---------------------------------------------------------------- groups
//
// A subgroup is set from an empty group (Python's `f.g = {}`), and every
// method of the file works on it.
fn groups(f: &QGroup) -> Result<()> {
    f.set("g", Value::group())?; // f.g = {}
    let g = f.group("g")?; // g = f.g
    g.update([("x", Value::from(1.0)), ("y", Value::from(vec![1, 2]))])?;
    assert_eq!(g.read::<Vec<i32>>("y")?, [1, 2]);
    assert_eq!(g.path(), "/g");

    // Paths: relative to a group, or absolute from the root.
    assert_eq!(f.read::<f64>("g/x")?, 1.0); // f['g/x']
    assert_eq!(g.read::<f64>("/g/x")?, 1.0); // f['/g/x'] from anywhere
    let root = g.root(); // g.root()
    assert!(root.is_root() && !g.is_root());
    assert_eq!(root.names()?, f.names()?);

    // A subgroup starts with its parent's modes, then has its own.
    g.set_auto(Auto::Off);
    assert_eq!(f.auto(), Auto::Leaves);
    assert!(matches!(g.get("x")?, Item::Leaf(_)));
    g.set_auto(Auto::Leaves);

    // Keeping a subgroup in step in a goto loop: goto it explicitly.
    let h = f.create_group("h")?;
    h.set_recording(Recording::Uniform);
    for k in 0..3 {
        h.set("t", f64::from(k))?;
    }
    h.goto_off();
    f.set_recording(Recording::Uniform);
    for k in 0..3 {
        f.set("step", k)?;
    }
    f.set_recording(Recording::Off);
    let mut pairs = Vec::new();
    for record in f.goto_iter()? {
        h.goto(record as isize);
        pairs.push((f.read::<i32>("step")?, h.read::<f64>("t")?));
    }
    assert_eq!(pairs, [(0, 0.0), (1, 1.0), (2, 2.0)]);
    f.goto_off();

    // f(): the whole group read into a Value (Python's ADict; in Rust a
    // `Value::Group`, an ordered map from names to values, read with
    // indexing, not attributes).
    let whole = g.to_value()?;
    let Value::Group(map) = &whole else {
        panic!("a group reads as a Value::Group");
    };
    assert_eq!(map["x"], Value::from(1.0));
    assert_eq!(whole, g.read_all::<Value>()?);

    // f() respects the auto mode: with auto 0 every item is a handle and
    // nothing is read; with auto 1 leaves are read and subgroups are
    // handles; auto 2 reads subgroups too. (Python's `redict` and
    // `ItemsAreAttrs` have no counterpart: a map is indexed by name.)
    {
        let handles = g.push();
        handles.set_auto(Auto::Off);
        for item in handles.items()? {
            let (name, item) = item?;
            assert!(matches!(item, Item::Leaf(_)), "{name}: a handle");
        }
    }
    assert!(matches!(f.get("g")?, Item::Group(_)));
    {
        let all = f.push();
        all.set_auto(Auto::All);
        let Item::Value(v, _) = all.get("g")? else {
            panic!("auto 2 reads the subgroup");
        };
        assert_eq!(v, whole);
    }
    // Create-or-check: `require_group` and `require_leaf` return what is
    // there when it matches, create it when missing, and refuse a member
    // of another kind, dtype or shape.
    let mesh = f.require_group("mesh")?;
    assert_eq!(f.require_group("mesh")?.path(), mesh.path());
    f.require_leaf("mesh/x", DType::F64, &[3])?;
    assert!(f.require_leaf("mesh/x", DType::F64, &[4]).is_err());
    assert!(f.require_group("mesh/x").is_err());

    // References: a file and an item path, stored as text `file#/path`,
    // opened on demand with a status when the file or item is gone.
    let r = qnd::QRef::new(f.file_path(), "/g/x");
    f.set_ref("to_x", &r)?;
    let back = f.read_ref("to_x")?;
    assert_eq!(back.path(), "/g/x");
    assert_eq!(
        qnd::QRef::new("/no/such.h5", "/x").status(),
        qnd::RefStatus::FileMissing
    );

    // Removing members and linking them: memory and HDF5 (HDF5 does not
    // give the space back; `qnd convert` copies into a compact file).
    // netCDF refuses both, saying so.
    let caps = f.capabilities();
    if caps.remove && caps.hard_links && caps.soft_links {
        f.set("tmp", 1.0)?;
        f.remove("tmp")?;
        assert!(!f.contains("tmp")?);
        f.link("gx", "/g/x")?; // one object, two names
        f.soft_link("latest", "/g")?;
        assert_eq!(f.read::<f64>("gx")?, 1.0);
        assert_eq!(f.read::<f64>("latest/x")?, 1.0);
        // a value shared by two names is stored once
        let shared = std::sync::Arc::new(Value::from(vec![1.0, 2.0]));
        f.set_shared("s1", &shared)?;
        f.set_shared("s2", &shared)?;
        assert_eq!(f.read::<Vec<f64>>("s2")?, [1.0, 2.0]);
    } else {
        assert!(f.remove("mesh").is_err());
        assert!(f.link("gx", "/g/x").is_err());
    }
    Ok(())
}

// ---------------------------------------------------------------- lists
//
// A list keeps members by position (Python's `f.var = list`). It has an
// auto mode of its own but no recording or goto mode.
fn lists(f: &QGroup) -> Result<()> {
    let var = f.create_list("var")?;
    var.append(0.5)?; // var.append(value0)
    var.append("one")?;
    var.extend([Value::None, Value::from(vec![3, 4]), Value::group()])?;
    assert_eq!(var.len()?, 5);
    assert_eq!(var.read::<String>(1)?, "one"); // var[1]
    assert_eq!(var.read::<Vec<i32>>(-2)?, [3, 4]); // negative index
    assert_eq!(var.read::<Value>(2)?, Value::None);
    let tail = var.slice(Some(-2), None, 1)?; // var[-2:]
    assert_eq!(tail.len(), 2);
    assert!(matches!(tail[1], Item::Group(_)));

    var.set(1, "uno")?; // var[1] = newvalue1
    assert_eq!(var.read::<String>(1)?, "uno");

    // A list has its own auto mode, copied from its group.
    var.set_auto(Auto::Off);
    assert!(matches!(var.get(0)?, Item::Leaf(_)));
    var.set_auto(Auto::Leaves);
    assert!(matches!(var.get(0)?, Item::Value(..)));

    // With goto on, the group reads a list as its element at the current
    // record (`f.var` means `f.var[record]`).
    {
        let at = f.push();
        at.goto(1);
        assert_eq!(at.read::<String>("var")?, "uno");
    }
    // The whole list, as a value.
    let Value::List(items) = var.to_value()? else {
        panic!("a list reads as a Value::List");
    };
    assert_eq!(items.len(), 5);
    Ok(())
}

// ---------------------------------------------------------------- attributes
//
// Attributes belong to the group holding the item: `f.attrs("x")` is
// Python's `f.attrs().x`, and `f.attrs("")` the group's own
// (`f.attrs()._`).
fn attributes(f: &QGroup) -> Result<()> {
    let a = f.attrs("x")?;
    a.set("units", "cm")?; // attrs.aname = value
    a.set("scale", vec![0.5f32, 2.0])?;
    assert_eq!(a.read::<String>("units")?.as_deref(), Some("cm"));
    assert_eq!(
        a.read::<f64>("missing")?,
        None,
        "a missing attribute is None"
    );
    assert_eq!(a.names()?, ["units", "scale"]); // list(fattrs.x)
    assert!(a.contains("units")?);
    let items = a.items()?;
    assert_eq!(items.len(), 2);
    // Python's `attrs.aname = dtype, shape, value` converts the value; in
    // Rust convert first, then set: here f64 values stored as f4.
    let converted: Vec<f32> = [1.5f64, 2.5].iter().map(|&v| v as f32).collect();
    a.set("halves", converted)?;
    assert_eq!(
        f.attrs("x")?.get("halves")?.map(|h| h.dtype()),
        Some(DType::F32)
    );

    // The pseudo-attributes dtype, shape, size, ndim, sshape are the
    // item's properties, not stored.
    assert_eq!(a.read::<String>("dtype")?.as_deref(), Some("f8"));
    assert_eq!(a.read::<Vec<i64>>("shape")?, Some(vec![3]));
    assert_eq!(a.read::<i64>("size")?, Some(3));
    assert!(!a.names()?.contains(&"dtype".to_string()));
    // sshape: dimension names where the format has them (netCDF), else
    // the lengths
    let sshape = a.read::<Vec<String>>("sshape")?.unwrap_or_default();
    assert_eq!(sshape.len(), 1);
    assert!(sshape[0] == "3" || sshape[0] == "_3", "{sshape:?}");
    // An attribute is an array or a scalar, never a group or a list.
    assert!(a.set("bad", Value::group()).is_err());
    assert!(a.set("bad", Value::list()).is_err());

    f.attrs("")?.set("title", "guide")?; // attributes of the group itself
    assert_eq!(
        f.attrs("")?.read::<String>("title")?.as_deref(),
        Some("guide")
    );
    // Elements of a list have no attributes of their own (neither format
    // has them); the list itself does.
    f.list("var")?.attrs().set("kind", "mixed")?;
    Ok(())
}

// ---------------------------------------------------------------- errors name the item
//
// Python raises with a traceback; here every error names the file and the
// item path, also for values read through `get` and converted later.
fn read_errors(f: &QGroup) -> Result<()> {
    let file = f.file_path().display().to_string();
    let e = f.get("z")?.read::<f64>().unwrap_err();
    assert!(
        e.to_string().starts_with(&format!("{file}: /z: expected ")),
        "{e}"
    );
    let e = f.list("var")?.read::<f64>(1).unwrap_err();
    assert!(
        e.to_string().starts_with(&format!("{file}: /var[1]: ")),
        "{e}"
    );
    Ok(())
}

// ---------------------------------------------------------------- closing and reopening
//
// Everything read back after closing: the whole tree (`to_value`) is the
// same, attributes included, and "a" adds to what is there.
fn closing(f: &QGroup, name: &Path) -> Result<()> {
    let before = f.to_value()?;
    let json = qnd::to_json(&before); // the `qnd dump --json` form
    assert!(json["var"].is_array() && json["nothing"].is_null());
    f.close()?;
    assert!(matches!(f.read::<f64>("d"), Err(Error::Closed { .. })));

    let opts = OpenOptions {
        auto: Auto::Off,
        ..OpenOptions::new(Mode::Read)
    };
    let r = qnd::open_with(name, &opts)?;
    assert!(matches!(r.get("x")?, Item::Leaf(_)), "opened with auto 0");
    assert_eq!(r.to_value()?, before);
    assert_eq!(
        r.attrs("x")?.read::<String>("units")?.as_deref(),
        Some("cm")
    );
    r.close()?;

    let a = qnd::open(name, "a")?;
    a.set_recording(Recording::Uniform);
    a.set("step", 3)?; // a fourth record after the three of `groups`
    a.goto_off();
    assert_eq!(a.read::<Vec<i32>>("step")?, [0, 1, 2, 3]);
    a.close()?;
    Ok(())
}
