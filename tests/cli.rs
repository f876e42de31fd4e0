//! The `qnd` command line, run as a program on the fixtures in
//! `../shared/fixtures` (each `X.h5` with `X.h5.json`, what `qnd dump --json`
//! must print for it).
#![cfg(feature = "hdf5")]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use qnd::{Kind, Recording, Value};
use serde_json::Value as Json;

/// Longest a single run of the program may take.
const TIMEOUT: Duration = Duration::from_secs(120);

/// What a run of the program gave.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(self) -> Run {
        assert_eq!(self.code, Some(0), "qnd failed: {}", self.stderr);
        self
    }
}

/// Run `qnd args...`, killing it after [`TIMEOUT`].
fn qnd<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let shown: Vec<_> = args.iter().map(|a| a.as_ref().to_string_lossy()).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start qnd");
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut p) = pipe {
                p.read_to_string(&mut text).expect("output is UTF-8");
            }
            text
        })
    };
    let out = reader(child.stdout.take().map(|p| Box::new(p) as _));
    let err = reader(child.stderr.take().map(|p| Box::new(p) as _));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for qnd") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("qnd {shown:?} did not finish in {TIMEOUT:?}");
        }
        thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code(),
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

fn fixture_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: no fixtures at {}", dir.display());
        None
    }
}

/// Every `.h5` fixture, in name order.
fn h5_fixtures() -> Vec<PathBuf> {
    let Some(dir) = fixture_dir() else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read the fixture folder")
        .map(|e| e.expect("fixture entry").path())
        .filter(|p| p.extension() == Some(OsStr::new("h5")))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .h5 fixtures in {}", dir.display());
    files
}

fn fixture(name: &str) -> Option<PathBuf> {
    fixture_dir().map(|d| d.join(name))
}

/// What `qnd dump --json` must print for `file`.
fn expected_json(file: &Path) -> Json {
    let mut json = file.as_os_str().to_owned();
    json.push(".json");
    let text = std::fs::read_to_string(&json).expect("read the fixture's .json");
    serde_json::from_str(&text).expect("the fixture's .json parses")
}

fn dump(file: &Path) -> Json {
    let run = qnd(&[OsStr::new("dump"), OsStr::new("--json"), file.as_os_str()]).ok();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "dump of {} is not JSON ({e}):\n{}",
            file.display(),
            run.stdout
        )
    })
}

/// Where two JSON trees first differ, for a readable failure.
fn difference(a: &Json, b: &Json, at: &str) -> Option<String> {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = difference(u, v, &format!("{at}/{k}")) {
                            return Some(d);
                        }
                    }
                    (u, v) => return Some(format!("{at}/{k}: {u:?} vs {v:?}")),
                }
            }
            None
        }
        (Json::Array(x), Json::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| difference(u, v, &format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {a} vs {b}")),
    }
}

fn assert_same_json(got: &Json, want: &Json, what: &str) {
    if got != want {
        let d = difference(got, want, "").unwrap_or_default();
        panic!("{what}: output differs from the fixture's .json at {d}");
    }
}

/// `qnd ls` output as name -> the rest of the line.
fn listing(stdout: &str) -> BTreeMap<String, String> {
    stdout
        .lines()
        .map(|line| {
            let (name, rest) = line.split_once(' ').unwrap_or((line, ""));
            let rest = rest.split_whitespace().collect::<Vec<_>>().join(" ");
            (name.to_string(), rest)
        })
        .collect()
}

fn ls<S: AsRef<OsStr>>(args: &[S]) -> BTreeMap<String, String> {
    let mut all = vec![OsStr::new("ls")];
    all.extend(args.iter().map(AsRef::as_ref));
    listing(&qnd(&all).ok().stdout)
}

fn line<'a>(rows: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    rows.get(name)
        .unwrap_or_else(|| panic!("no line for {name} in {rows:?}"))
}

// ------------------------------------------------------------------ dump

#[test]
fn dump_matches_every_fixture() {
    for file in h5_fixtures() {
        let what = file.display().to_string();
        assert_same_json(&dump(&file), &expected_json(&file), &what);
    }
}

#[test]
fn dump_is_pretty_json_ending_in_a_newline() {
    let Some(file) = fixture("tree.h5") else {
        return;
    };
    let run = qnd(&[OsStr::new("dump"), OsStr::new("--json"), file.as_os_str()]).ok();
    assert!(run.stdout.ends_with("}\n"));
    assert!(run.stdout.lines().count() > 10);
    // The flag may come after the file.
    let after = qnd(&[OsStr::new("dump"), file.as_os_str(), OsStr::new("--json")]).ok();
    assert_eq!(after.stdout, run.stdout);
}

// ------------------------------------------------------------------ ls

#[test]
fn ls_tree() {
    let Some(file) = fixture("tree.h5") else {
        return;
    };
    let rows = ls(&[&file]);
    assert_eq!(line(&rows, "g"), "group 3 members");
    assert_eq!(line(&rows, "lst"), "list 5 elements");
    assert_eq!(line(&rows, "top"), "leaf i8 []");
    assert_eq!(line(&rows, "empty_group"), "group 0 members");
    assert_eq!(line(&rows, "empty_list"), "list 0 elements");
    assert_eq!(rows.len(), 5);
    // PATH `/` is the default.
    assert_eq!(ls(&[file.as_os_str(), OsStr::new("/")]), rows);
}

#[test]
fn ls_lines_up() {
    let Some(file) = fixture("tree.h5") else {
        return;
    };
    let run = qnd(&[OsStr::new("ls"), file.as_os_str()]).ok();
    // Where the kind and the details start on each line.
    let columns = |l: &str| {
        let name_end = l.find(' ').unwrap_or(l.len());
        let kind = name_end + l[name_end..].find(|c| c != ' ').unwrap_or(0);
        let kind_end = kind + l[kind..].find(' ').unwrap_or(0);
        let details = kind_end + l[kind_end..].find(|c| c != ' ').unwrap_or(0);
        (kind, details)
    };
    let kind_columns: Vec<_> = run.stdout.lines().map(columns).collect();
    assert!(
        kind_columns.windows(2).all(|w| w[0] == w[1]),
        "{}",
        run.stdout
    );
}

#[test]
fn ls_a_path() {
    let Some(file) = fixture("tree.h5") else {
        return;
    };
    let f = file.as_os_str();
    let g = ls(&[f, OsStr::new("g")]);
    assert_eq!(line(&g, "a"), "leaf f8 []");
    assert_eq!(line(&g, "b"), "leaf str []");
    assert_eq!(line(&g, "inner"), "group 1 member");
    assert_eq!(ls(&[f, OsStr::new("/g/")]), g);
    let deep = ls(&[f, OsStr::new("/g/inner/deep")]);
    assert_eq!(line(&deep, "deep"), "leaf i8 [3]");
    let lst = ls(&[f, OsStr::new("lst")]);
    assert_eq!(line(&lst, "[0]"), "leaf i8 []");
    assert_eq!(line(&lst, "[2]"), "group 1 member");
    assert_eq!(line(&lst, "[3]"), "none");
    assert_eq!(line(&lst, "[4]"), "leaf i8 [2]");
    let q = ls(&[f, OsStr::new("lst[2]")]);
    assert_eq!(line(&q, "q"), "leaf f8 []");
    let q = ls(&[f, OsStr::new("lst[-3]/q")]);
    assert_eq!(line(&q, "q"), "leaf f8 []");
}

#[test]
fn ls_recursive() {
    let Some(file) = fixture("tree.h5") else {
        return;
    };
    for flag in ["-r", "--recursive"] {
        let rows = ls(&[file.as_os_str(), OsStr::new(flag)]);
        assert_eq!(line(&rows, "/g"), "group 3 members");
        assert_eq!(line(&rows, "/g/inner"), "group 1 member");
        assert_eq!(line(&rows, "/g/inner/deep"), "leaf i8 [3]");
        assert_eq!(line(&rows, "/lst[2]"), "group 1 member");
        assert_eq!(line(&rows, "/lst[2]/q"), "leaf f8 []");
        assert_eq!(line(&rows, "/lst[3]"), "none");
        assert_eq!(line(&rows, "/top"), "leaf i8 []");
        assert_eq!(rows.len(), 15, "{rows:?}");
    }
    let g = ls(&[file.as_os_str(), OsStr::new("-r"), OsStr::new("g")]);
    let names: Vec<_> = g.keys().cloned().collect();
    assert_eq!(names, ["/g/a", "/g/b", "/g/inner", "/g/inner/deep"]);
}

#[test]
fn ls_history() {
    let Some(file) = fixture("history.h5") else {
        return;
    };
    let rows = ls(&[&file]);
    assert_eq!(line(&rows, "time"), "records f8 [] x 5");
    assert_eq!(line(&rows, "energy"), "records f8 [] x 5");
    assert_eq!(line(&rows, "u"), "records f8 [3] x 5");
    assert_eq!(line(&rows, "mesh"), "list 3 elements");
    assert_eq!(line(&rows, "nx"), "leaf i8 []");
    // A record variable as PATH is one line; one of its records, a leaf.
    let t = ls(&[file.as_os_str(), OsStr::new("time")]);
    assert_eq!(line(&t, "time"), "records f8 [] x 5");
    let u = ls(&[file.as_os_str(), OsStr::new("u[4]")]);
    assert_eq!(line(&u, "u[4]"), "leaf f8 [3]");
}

// ------------------------------------------------------------------ convert

#[test]
fn convert_keeps_every_fixture() {
    let dir = tempfile::tempdir().expect("tempdir");
    for file in h5_fixtures() {
        let name = file.file_name().expect("a file name");
        let out = dir.path().join(name);
        qnd(&[OsStr::new("convert"), file.as_os_str(), out.as_os_str()]).ok();
        let what = format!("converted {}", file.display());
        assert_same_json(&dump(&out), &expected_json(&file), &what);
        // Every member is still what it was.
        let src = qnd::open(&file, "r").expect("open the fixture");
        let copy = qnd::open(&out, "r").expect("open the copy");
        for n in src.names().expect("names") {
            let kinds = (src.kind(&n).expect("kind"), copy.kind(&n).expect("kind"));
            assert_eq!(kinds.1, kinds.0, "{what}: {n}");
        }
    }
}

#[test]
fn convert_keeps_record_variables() {
    let Some(file) = fixture("history.h5") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("copy.h5");
    qnd(&[OsStr::new("convert"), file.as_os_str(), out.as_os_str()]).ok();
    let f = qnd::open(&out, "r").expect("open the copy");
    assert_eq!(f.kind("time").expect("kind"), Kind::Records);
    assert!(f.list("time").expect("list").is_records());
    assert_eq!(f.kind("mesh").expect("kind"), Kind::List);
    f.goto(3);
    assert_eq!(f.read::<f64>("time").expect("time[3]"), 1.5);
    assert_eq!(line(&ls(&[&out]), "time"), "records f8 [] x 5");
}

#[test]
fn convert_keeps_attributes_and_odd_items() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src.h5");
    {
        let f = qnd::open(&src, "w").expect("create");
        f.set("x", vec![1.0, 2.0]).expect("x");
        f.set("nothing", Value::None).expect("None");
        f.set("empty", Value::from(Vec::<i32>::new()))
            .expect("empty");
        f.attrs("")
            .expect("attrs")
            .set("title", "run 1")
            .expect("title");
        f.attrs("x")
            .expect("attrs")
            .set("units", "cm")
            .expect("units");
        let g = f.create_group("g").expect("g");
        g.attrs("")
            .expect("attrs")
            .set("level", 1i64)
            .expect("level");
        {
            let f = f.push();
            f.set_recording(Recording::Uniform);
            for (t, w) in [(0.0, "ccc"), (0.5, "a"), (1.0, "bb")] {
                f.set("t", t).expect("t");
                f.set("word", w).expect("word");
            }
            f.declare("later", qnd::DType::I16, &[2]).expect("later");
            // Text records 3 bytes wide whose first record is shorter:
            // the copy must not size them by the first record.
            f.set_recording(Recording::Off);
            f.goto(0);
            f.set("word", "a").expect("overwrite word[0]");
        }
        f.attrs("t")
            .expect("attrs")
            .set("units", "s")
            .expect("units");
        f.close().expect("close");
    }
    let out = dir.path().join("out.h5");
    qnd(&[OsStr::new("convert"), src.as_os_str(), out.as_os_str()]).ok();
    assert_same_json(&dump(&out), &dump(&src), "attributes copy");
    let f = qnd::open(&out, "r").expect("open the copy");
    let attr = |item: &str, name: &str| {
        f.attrs(item)
            .expect("attrs")
            .get(name)
            .expect("get")
            .map(Value::Array)
    };
    assert_eq!(attr("", "title"), Some(Value::from("run 1")));
    assert_eq!(attr("x", "units"), Some(Value::from("cm")));
    assert_eq!(attr("g", "level"), Some(Value::from(1i64)));
    assert_eq!(attr("t", "units"), Some(Value::from("s")));
    assert_eq!(f.kind("nothing").expect("kind"), Kind::None);
    assert_eq!(f.kind("word").expect("kind"), Kind::Records);
    let words: Vec<String> = (0..3)
        .map(|i| f.list("word").expect("word").read(i).expect("a word"))
        .collect();
    assert_eq!(words, ["a", "a", "bb"]);
    assert_eq!(f.kind("later").expect("kind"), Kind::Records);
    let later = f.list("later").expect("later");
    assert_eq!(later.len().expect("len"), 0);
    assert_eq!(
        later.as_array().expect("array").shape().expect("shape"),
        [0, 2]
    );
}

#[test]
fn convert_refuses_the_same_file_and_cleans_up() {
    let Some(file) = fixture("tree.h5") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("t.h5");
    std::fs::copy(&file, &copy).expect("copy the fixture");
    let run = qnd(&[OsStr::new("convert"), copy.as_os_str(), copy.as_os_str()]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("same file"), "{}", run.stderr);
    assert_same_json(&dump(&copy), &expected_json(&file), "untouched");
    // A missing SRC creates no DST.
    let out = dir.path().join("never.h5");
    let missing = dir.path().join("missing.h5");
    let run = qnd(&[OsStr::new("convert"), missing.as_os_str(), out.as_os_str()]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("missing.h5"), "{}", run.stderr);
    assert!(!out.exists());
}

// ------------------------------------------------------------------ errors

#[test]
fn missing_file() {
    let run = qnd(&["ls", "no/such/file.h5"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.starts_with("qnd: "), "{}", run.stderr);
    assert!(run.stderr.contains("no/such/file.h5"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let run = qnd(&["dump", "--json", "no/such/file.h5"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("no/such/file.h5"), "{}", run.stderr);
}

#[test]
fn not_an_hdf5_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    for text in ["hi\n", "this is a text file, not HDF5 at all\n"] {
        let x = dir.path().join("x.h5");
        std::fs::write(&x, text).expect("write x.h5");
        for args in [vec!["ls"], vec!["dump", "--json"]] {
            let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
            all.push(x.as_os_str());
            let run = qnd(&all);
            assert_eq!(run.code, Some(1), "{run:?}");
            let first = run.stderr.lines().next().unwrap_or_default();
            assert!(first.starts_with("qnd: "), "{}", run.stderr);
            assert!(first.contains("x.h5"), "{}", run.stderr);
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        }
    }
}

#[test]
fn bad_path() {
    let Some(file) = fixture("tree.h5") else {
        return;
    };
    for path in ["nope", "g/nope", "top/x", "lst[9]", "lst[x]", "g[0]"] {
        let run = qnd(&[OsStr::new("ls"), file.as_os_str(), OsStr::new(path)]);
        assert_eq!(run.code, Some(1), "{path}: {run:?}");
        assert!(run.stderr.starts_with("qnd: "), "{path}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn usage_errors() {
    for args in [
        vec!["frobnicate"],
        vec![],
        vec!["ls"],
        vec!["ls", "a.h5", "b", "c"],
        vec!["ls", "--bogus", "a.h5"],
        vec!["dump", "a.h5"],
        vec!["convert", "a.h5"],
    ] {
        let run = qnd(&args);
        assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
        assert!(run.stderr.starts_with("qnd: "), "{args:?}: {}", run.stderr);
    }
    let run = qnd(&["frobnicate"]);
    assert!(run.stderr.contains("frobnicate"));
}

#[test]
fn help() {
    for args in [["help"], ["--help"], ["-h"]] {
        let run = qnd(&args).ok();
        assert!(run.stdout.contains("qnd ls FILE [PATH] [-r]"));
        assert!(run.stdout.contains("qnd dump --json FILE"));
        assert!(run.stdout.contains("qnd convert SRC DST"));
    }
    let run = qnd(&["ls", "--help"]).ok();
    assert!(run.stdout.contains("Usage"));
    let run = qnd(&["--version"]).ok();
    assert!(run.stdout.starts_with("qnd "));
}
