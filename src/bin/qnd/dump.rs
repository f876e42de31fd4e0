//! `qnd dump --json FILE`: the file read whole, printed as JSON. A member
//! that cannot be read (larger than the read limit, or damaged) is printed
//! as `null` with an error on stderr naming it, and the rest still is;
//! the exit status is then 1. So is a group already on the path to it (a
//! hard link to a group that holds it: a cycle, which JSON cannot hold):
//! `null`, and on stderr `/g/up is /g (a hard link to a group that holds
//! it): a cycle, not followed`.
//!
//! An item qnd has no kind for (a compound dataset of other fields, an
//! opaque or vlen variable: [`Kind::Other`]) is printed as `null` too,
//! with a warning on stderr naming it and its type (`qnd: warning: /table:
//! compound {a: i4, b: f8} [3]: not dumped (qnd has no kind for it)`); the
//! exit status is then 3 (everything qnd can read was printed), unless a
//! member also failed (1).

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use indexmap::IndexMap;
use qnd::{Kind, QGroup, QList, Value};

use crate::cli::{self, Failure};
use crate::progress::{self, Progress};

/// `parent/name` as an item path.
fn child_path(parent: &str, name: &str) -> String {
    if parent.ends_with('/') {
        format!("{parent}{name}")
    } else {
        format!("{parent}/{name}")
    }
}

/// Print the whole file as one JSON value
///
/// The file is read whole with goto off and printed in the schema of
/// spec/dump-json.md: a group is an object, a list or a record variable an
/// array, None null, a leaf {"dtype", "shape", "data"}. A member that
/// cannot be read (larger than the read limit, a quarter of the memory, or
/// damaged) is printed as null, its error goes to stderr, the rest is
/// printed, and the exit status is 1. An item qnd has no kind for (a
/// compound of other fields, opaque data, a vlen, ...; `qnd ls` lists it as
/// `other` with its type) is printed as null with a warning on stderr
/// naming it and its type, and the exit status is 3 (everything else was
/// printed), unless a member also failed (1).
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Exit status: 0 when every item was printed, 3 when items qnd has no kind
for were printed as null (each named on stderr), 1 when a member could not
be read (or the file could not be opened).

Example:
  qnd dump --json run.h5 > run.json")]
pub struct DumpArgs {
    /// Print JSON (the only output format so far: required).
    #[arg(long, required = true)]
    pub json: bool,

    /// The HDF5 or netCDF file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `qnd dump --json FILE`.
pub fn run(args: DumpArgs) -> Result<(), Failure> {
    let root = cli::open_read(&args.file)?;
    root.goto_off();
    let bar = if Progress::wanted() {
        let what = format!("dump {}", args.file.display());
        Progress::bytes(&what, progress::tree_bytes(&root))
    } else {
        Progress::hidden()
    };
    let mut errors = Vec::new();
    let mut others = Vec::new();
    let mut walk = Walk {
        errors: &mut errors,
        others: &mut others,
        above: Vec::new(),
        bar: &bar,
    };
    let value = if bar.is_shown() {
        // member by member, to show how far the reading is
        walk.group(&root)
    } else {
        // one read of the whole file; when it fails, member by member, so
        // that one member that cannot be read does not hide the others
        root.to_value().unwrap_or_else(|_| walk.group(&root))
    };
    bar.finish();
    root.close()?;
    let mut out = BufWriter::new(io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, &qnd::to_json(&value)).map_err(|e| {
        match e.io_error_kind() {
            Some(kind) => Failure::from(io::Error::from(kind)),
            None => Failure::Error(e.to_string()),
        }
    })?;
    writeln!(out)?;
    out.flush()?;
    drop(out);
    let mut err = io::stderr().lock();
    for (path, what) in &others {
        let _ = writeln!(
            err,
            "qnd: warning: {path}: {what}: not dumped (qnd has no kind for it)"
        );
    }
    if !errors.is_empty() {
        for e in &errors {
            let _ = writeln!(err, "qnd: {e}");
        }
        return Err(Failure::Error(format!(
            "dump: {} member{} could not be read (printed as null)",
            errors.len(),
            plural(errors.len())
        )));
    }
    if others.is_empty() {
        return Ok(());
    }
    let _ = writeln!(
        err,
        "qnd: dump: {} item{} qnd has no kind for printed as null",
        others.len(),
        plural(others.len())
    );
    Err(Failure::Exit(cli::LEFT_OUT))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A read of the file member by member: a member that cannot be read is
/// None, its error kept in `errors`; an item qnd has no kind for is None,
/// its path and type kept in `others`. `above` holds the groups on the
/// path to the one being read: a member that is one of them is a cycle,
/// None too. `bar` is told of the bytes of every leaf read.
struct Walk<'a> {
    errors: &'a mut Vec<String>,
    others: &'a mut Vec<(String, String)>,
    above: Vec<QGroup>,
    bar: &'a Progress,
}

impl Walk<'_> {
    /// Group `g`, member by member.
    fn group(&mut self, g: &QGroup) -> Value {
        self.above.push(g.clone());
        let v = self.members(g);
        self.above.pop();
        v
    }

    /// [`Walk::group`] once `g` is on `above`.
    fn members(&mut self, g: &QGroup) -> Value {
        let names = match g.names() {
            Ok(n) => n,
            Err(e) => return self.failed(e),
        };
        let mut members = IndexMap::with_capacity(names.len());
        for name in names {
            let v = match g.kind(&name) {
                Ok(Kind::Group) => match g.group(&name) {
                    Ok(sub) => self.subgroup(&sub),
                    Err(e) => self.failed(e),
                },
                Ok(Kind::List) => match g.list(&name) {
                    Ok(l) => self.list(&l),
                    Err(e) => self.failed(e),
                },
                Ok(Kind::Other) => {
                    let path = child_path(g.path(), &name);
                    self.other(path, g.other_type(&name))
                }
                Ok(_) => self.leaf(g.read::<Value>(&name)),
                Err(e) => self.failed(e),
            };
            members.insert(name, v);
        }
        Value::Group(members)
    }

    /// Group `sub`, or None and an error when it is a group of `above` (a
    /// cycle).
    fn subgroup(&mut self, sub: &QGroup) -> Value {
        match self.above.iter().find(|a| a.is_same(sub)) {
            Some(a) => {
                self.errors.push(format!(
                    "{}: {} is {} (a hard link to a group that holds it): a cycle, not followed",
                    sub.file_path().display(),
                    sub.path(),
                    a.path()
                ));
                Value::None
            }
            None => self.group(sub),
        }
    }

    /// List `l`, element by element.
    fn list(&mut self, l: &QList) -> Value {
        let n = match l.len() {
            Ok(n) => n,
            Err(e) => return self.failed(e),
        };
        let mut out = Vec::with_capacity(n.min(1 << 16));
        for i in 0..n as isize {
            let v = match l.kind(i) {
                Ok(Kind::Group) => match l.group(i) {
                    Ok(g) => self.subgroup(&g),
                    Err(e) => self.failed(e),
                },
                Ok(Kind::List) => match l.list(i) {
                    Ok(sub) => self.list(&sub),
                    Err(e) => self.failed(e),
                },
                Ok(Kind::Other) => self.other(format!("{}[{i}]", l.path()), l.other_type(i)),
                Ok(_) => self.leaf(l.read::<Value>(i)),
                Err(e) => self.failed(e),
            };
            out.push(v);
        }
        Value::List(out)
    }

    /// A leaf, record variable or None as read: counted on the bar, or
    /// None and the error.
    fn leaf(&mut self, read: qnd::Result<Value>) -> Value {
        match read {
            Ok(v) => {
                self.bar.add(progress::value_bytes(&v));
                v
            }
            Err(e) => self.failed(e),
        }
    }

    /// Item `path` qnd has no kind for, of type `what`: None, kept in
    /// `others` (or, when its type cannot be told, in `errors`).
    fn other(&mut self, path: String, what: qnd::Result<String>) -> Value {
        match what {
            Ok(what) => {
                self.others.push((path, what));
                Value::None
            }
            Err(e) => self.failed(e),
        }
    }

    /// Keep `e` and stand None in for what could not be read.
    fn failed(&mut self, e: qnd::Error) -> Value {
        self.errors.push(qnd::error_chain(&e));
        Value::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk member by member (what a progress bar needs) reads every
    /// fixture as the one read of the whole file does, and counts the
    /// bytes [`progress::tree_bytes`] expects.
    #[test]
    fn the_walk_reads_as_to_value() -> Result<(), qnd::Error> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            println!("skipped: no fixtures folder at {}", dir.display());
            return Ok(());
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "h5" || x == "nc"))
            .collect();
        files.sort();
        assert!(!files.is_empty());
        for file in files {
            let root = qnd::open(&file, qnd::Mode::Read)?;
            root.goto_off();
            let bar = Progress::hidden();
            let mut errors = Vec::new();
            let mut others = Vec::new();
            let mut walk = Walk {
                errors: &mut errors,
                others: &mut others,
                above: Vec::new(),
                bar: &bar,
            };
            let walked = walk.group(&root);
            assert!(errors.is_empty(), "{}: {errors:?}", file.display());
            assert!(others.is_empty(), "{}: {others:?}", file.display());
            let whole = root.to_value()?;
            // as printed (NaN is not equal to itself as a value)
            let printed = |v: &Value| qnd::to_json(v).to_string();
            assert_eq!(printed(&walked), printed(&whole), "{}", file.display());
            assert_eq!(
                progress::tree_bytes(&root),
                progress::value_bytes(&whole),
                "{}",
                file.display()
            );
            root.close()?;
        }
        Ok(())
    }
}
