//! The `qnd` command line, run as a program on the fixtures in
//! `../shared/fixtures` (each `X.h5` with `X.h5.json`, what `qnd dump --json`
//! must print for it).
#![cfg(feature = "hdf5")]

mod common;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::fixtures::{self, expected_json, first_difference};
use qnd::{Kind, QGroup, Recording, Value};
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

    /// The run failed (exit 1) with each of `words` on stderr.
    #[track_caller]
    fn fails_with(&self, words: &[&str]) {
        assert_eq!(self.code, Some(1), "{self:?}");
        for word in words {
            assert!(self.stderr.contains(word), "{word:?}: {}", self.stderr);
        }
    }
}

/// Run `qnd args...`, killing it after [`TIMEOUT`].
///
/// Tests run in threads of one process, and a child started by one test
/// can inherit a file another test has just opened, in the moment before
/// HDF5's descriptor is made close-on-exec; while that child lives it holds
/// HDF5's lock on the file, and a `qnd` run on that file fails with HDF5's
/// "unable to lock file" (which qnd reports as the file being in use by a
/// program through the HDF5 library). That is the test harness, not what is tested: such
/// a run is tried again, a few times, after the other child is gone.
fn qnd<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let mut run = qnd_once(args);
    for _ in 0..5 {
        let locked = [
            "unable to lock file",
            "a program has it open through the HDF5 library",
        ];
        if !locked.iter().any(|m| run.stderr.contains(m)) {
            break;
        }
        thread::sleep(Duration::from_millis(200));
        run = qnd_once(args);
    }
    run
}

fn qnd_once<S: AsRef<OsStr>>(args: &[S]) -> Run {
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

/// Every `.h5` fixture, in name order.
fn h5_fixtures() -> Vec<PathBuf> {
    fixtures::with_ext("h5")
}

fn fixture(name: &str) -> Option<PathBuf> {
    fixtures::dir().map(|d| d.join(name))
}

/// `qnd dump --json file`.
fn dump_run(file: &Path) -> Run {
    qnd(&[OsStr::new("dump"), OsStr::new("--json"), file.as_os_str()])
}

/// `qnd convert [flag] src dst`, and its arguments.
fn convert_run(flag: Option<&str>, src: &Path, dst: &Path) -> (Run, Vec<OsString>) {
    let mut args = vec![OsString::from("convert")];
    args.extend(flag.map(OsString::from));
    args.extend([src.into(), dst.into()]);
    (qnd(&args), args)
}

/// `qnd convert [flag] src dst`, which must succeed, and after which `qnd
/// diff src dst` finds nothing (exit 0, silent).
fn convert(flag: Option<&str>, src: &Path, dst: &Path) {
    convert_run(flag, src, dst).0.ok();
    let same = qnd(&[OsStr::new("diff"), src.as_os_str(), dst.as_os_str()]);
    assert_eq!(same.code, Some(0), "qnd diff after convert: {same:?}");
    assert!(same.stdout.is_empty() && same.stderr.is_empty(), "{same:?}");
}

fn dump(file: &Path) -> Json {
    let run = dump_run(file).ok();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "dump of {} is not JSON ({e}):\n{}",
            file.display(),
            run.stdout
        )
    })
}

fn assert_same_json(got: &Json, want: &Json, what: &str) {
    if got != want {
        let d = first_difference(got, want, "").unwrap_or_default();
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

/// The line of each name in `rows` is the one given.
#[track_caller]
fn assert_lines(rows: &BTreeMap<String, String>, want: &[(&str, &str)]) {
    for (name, details) in want {
        assert_eq!(line(rows, name), *details, "{name}");
    }
}

/// `qnd dump --json` of every fixture `*.ext` prints its `.json`.
fn dump_matches_fixtures(ext: &str) {
    for file in fixtures::with_ext(ext) {
        let what = file.display().to_string();
        assert_same_json(&dump(&file), &expected_json(&file), &what);
    }
}

/// Set attribute `name` of `item` in `f` to `value`.
fn set_attr(f: &QGroup, item: &str, name: &str, value: impl Into<Value>) {
    f.attrs(item)
        .expect("attrs")
        .set(name, value)
        .unwrap_or_else(|e| panic!("set {item} {name}: {e}"));
}

/// Attribute `name` of `item` in `f`, if it has one.
fn attr(f: &QGroup, item: &str, name: &str) -> Option<Value> {
    f.attrs(item)
        .expect("attrs")
        .get(name)
        .expect("get")
        .map(Value::Array)
}

/// Three records of `t` (f64) and `word` (text, the first record the
/// longest) in `f`, with `s` as the units of `t`.
fn record_t_and_word(f: &QGroup) {
    {
        let f = f.push();
        f.set_recording(Recording::Uniform);
        for (t, w) in [(0.0, "ccc"), (0.5, "a"), (1.0, "bb")] {
            f.set("t", t).expect("t");
            f.set("word", w).expect("word");
        }
    }
    set_attr(f, "t", "units", "s");
}

/// `qnd ARGS FILES...`, which must fail with exit 1; and the first line
/// of its stderr.
fn fails_on(args: &[&str], files: &[&Path]) -> (Run, String) {
    let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    all.extend(files.iter().map(|f| f.as_os_str()));
    let run = qnd(&all);
    assert_eq!(run.code, Some(1), "{run:?}");
    let first = run.stderr.lines().next().unwrap_or_default().to_string();
    (run, first)
}

// ------------------------------------------------------------------ dump

#[test]
fn dump_matches_every_fixture() {
    dump_matches_fixtures("h5");
}

#[test]
fn dump_is_pretty_json_ending_in_a_newline() {
    let Some(file) = fixture("tree.h5") else {
        return;
    };
    let run = dump_run(&file).ok();
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
    assert_lines(
        &rows,
        &[
            ("g", "group 3 members"),
            ("lst", "list 5 elements"),
            ("top", "leaf i8 []"),
            ("empty_group", "group 0 members"),
            ("empty_list", "list 0 elements"),
        ],
    );
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
    assert_lines(
        &g,
        &[
            ("a", "leaf f8 []"),
            ("b", "leaf str []"),
            ("inner", "group 1 member"),
        ],
    );
    assert_eq!(ls(&[f, OsStr::new("/g/")]), g);
    let deep = ls(&[f, OsStr::new("/g/inner/deep")]);
    assert_eq!(line(&deep, "deep"), "leaf i8 [3]");
    let lst = ls(&[f, OsStr::new("lst")]);
    assert_lines(
        &lst,
        &[
            ("[0]", "leaf i8 []"),
            ("[2]", "group 1 member"),
            ("[3]", "none"),
            ("[4]", "leaf i8 [2]"),
        ],
    );
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
        assert_lines(
            &rows,
            &[
                ("/g", "group 3 members"),
                ("/g/inner", "group 1 member"),
                ("/g/inner/deep", "leaf i8 [3]"),
                ("/lst[2]", "group 1 member"),
                ("/lst[2]/q", "leaf f8 []"),
                ("/lst[3]", "none"),
                ("/top", "leaf i8 []"),
            ],
        );
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
    assert_lines(
        &ls(&[&file]),
        &[
            ("time", "records f8 [] x 5"),
            ("energy", "records f8 [] x 5"),
            ("u", "records f8 [3] x 5"),
            ("mesh", "list 3 elements"),
            ("nx", "leaf i8 []"),
        ],
    );
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
        convert(None, &file, &out);
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
    convert(None, &file, &out);
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
        set_attr(&f, "", "title", "run 1");
        set_attr(&f, "x", "units", "cm");
        let g = f.create_group("g").expect("g");
        set_attr(&g, "", "level", 1i64);
        record_t_and_word(&f);
        {
            let f = f.push();
            f.set_recording(Recording::Uniform);
            f.declare("later", qnd::DType::I16, &[2]).expect("later");
            // Text records 3 bytes wide whose first record is shorter:
            // the copy must not size them by the first record.
            f.set_recording(Recording::Off);
            f.goto(0);
            f.set("word", "a").expect("overwrite word[0]");
        }
        f.close().expect("close");
    }
    let out = dir.path().join("out.h5");
    convert(None, &src, &out);
    assert_same_json(&dump(&out), &dump(&src), "attributes copy");
    let f = qnd::open(&out, "r").expect("open the copy");
    assert_eq!(attr(&f, "", "title"), Some(Value::from("run 1")));
    assert_eq!(attr(&f, "x", "units"), Some(Value::from("cm")));
    assert_eq!(attr(&f, "g", "level"), Some(Value::from(1i64)));
    assert_eq!(attr(&f, "t", "units"), Some(Value::from("s")));
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
    let (run, _) = convert_run(None, &copy, &copy);
    run.fails_with(&["same file"]);
    assert_same_json(&dump(&copy), &expected_json(&file), "untouched");
    // A missing SRC creates no DST.
    let out = dir.path().join("never.h5");
    let missing = dir.path().join("missing.h5");
    let (run, _) = convert_run(None, &missing, &out);
    run.fails_with(&["missing.h5"]);
    assert!(!out.exists());
}

// ------------------------------------------------------------------ errors

#[test]
fn missing_file() {
    let run = qnd(&["ls", "no/such/file.h5"]);
    run.fails_with(&["no/such/file.h5"]);
    assert!(run.stderr.starts_with("qnd: "), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let run = qnd(&["dump", "--json", "no/such/file.h5"]);
    run.fails_with(&["no/such/file.h5"]);
}

#[test]
fn not_an_hdf5_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    for text in ["hi\n", "this is a text file, not HDF5 at all\n"] {
        let x = dir.path().join("x.h5");
        std::fs::write(&x, text).expect("write x.h5");
        for args in [vec!["ls"], vec!["dump", "--json"]] {
            let (run, first) = fails_on(&args, &[&x]);
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

/// A wrong command line: exit 2, clap's message naming the problem on
/// stderr (`error: ...` and the usage line), nothing on stdout.
#[test]
fn usage_errors() {
    for (args, named) in [
        (vec!["frobnicate"], "frobnicate"),
        (vec!["--bogus", "ls", "a.h5"], "--bogus"),
        (vec!["ls"], "<FILE>"),
        (vec!["ls", "a.h5", "b", "c"], "'c'"),
        (vec!["ls", "--bogus", "a.h5"], "--bogus"),
        (vec!["dump", "a.h5"], "--json"),
        (vec!["dump", "--yaml", "a.h5"], "--yaml"),
        (vec!["convert", "a.h5"], "<DST>"),
        (vec!["recover"], "<FILE>"),
        (vec!["completions", "tcsh"], "tcsh"),
        (vec!["--timeout", "5", "ls", "a.h5"], "--safe"),
    ] {
        let run = qnd(&args);
        assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
        assert!(
            run.stderr.starts_with("error: "),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(named), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("try '--help'"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
    // no command at all: the help, on stderr
    let run = qnd(&[] as &[&str]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("Commands:"), "{}", run.stderr);
}

/// The subcommands, with the words their `--help` must show.
const SUBCOMMANDS: [(&str, &[&str]); 9] = [
    (
        "ls",
        &[
            "Usage: qnd ls [OPTIONS] <FILE> [PATH]",
            "--recursive",
            "records  DTYPE SHAPE x N",
        ],
    ),
    (
        "dump",
        &["Usage: qnd dump --json <FILE>", "spec/dump-json.md"],
    ),
    (
        "convert",
        &[
            "Usage: qnd convert [OPTIONS] <SRC> <DST>",
            "--classic",
            "--64bit-offset",
        ],
    ),
    (
        "vstack",
        &[
            "Usage: qnd vstack [OPTIONS] <OUT> <NAME> <SRC:PATH>...",
            "--axis <N>",
        ],
    ),
    (
        "recover",
        &["Usage: qnd recover <FILE>", "netCDF-3: a record count"],
    ),
    (
        "completions",
        &["Usage: qnd completions <SHELL>", "bash", "zsh", "fish"],
    ),
    (
        "diff",
        &[
            "Usage: qnd diff [OPTIONS] <A> <B> [PATH]",
            "--rtol",
            "--atol",
        ],
    ),
    (
        "get",
        &[
            "Usage: qnd get [OPTIONS] <FILE> <PATH>",
            "--slice",
            "--nearest",
        ],
    ),
    (
        "plot",
        &["Usage: qnd plot [OPTIONS]", "--vs", "--size", "--record"],
    ),
];

/// True when `help` shows an example (or examples) of `qnd name`.
fn has_example(help: &str, name: &str) -> bool {
    ["Example:", "Examples:"]
        .iter()
        .any(|head| help.contains(&format!("{head}\n  qnd {name} ")))
}

#[test]
fn help() {
    for args in [&["help"][..], &["--help"], &["-h"], &["--safe", "--help"]] {
        let run = qnd(args).ok();
        assert!(run.stderr.is_empty(), "{args:?}: {}", run.stderr);
        assert!(
            run.stdout.contains("Usage: qnd [OPTIONS] <COMMAND>"),
            "{}",
            run.stdout
        );
        for (name, _) in SUBCOMMANDS {
            assert!(
                run.stdout.contains(&format!("\n  {name} ")),
                "{name}: {}",
                run.stdout
            );
        }
        assert!(run.stdout.contains("--safe"), "{}", run.stdout);
        assert!(run.stdout.contains("--timeout <SECS>"), "{}", run.stdout);
        assert!(run.stdout.contains("Example:\n  qnd "), "{}", run.stdout);
    }
    // --help is the long help: --safe's whole paragraph
    let run = qnd(&["--help"]).ok();
    assert!(run.stdout.contains("killed by a signal"), "{}", run.stdout);
}

/// `qnd CMD --help`, `qnd CMD -h` and `qnd help CMD`: exit 0, the
/// command's description and example on stdout.
#[test]
fn every_command_has_help_with_an_example() {
    for (name, words) in SUBCOMMANDS {
        let long = qnd(&[name, "--help"]).ok();
        for args in [vec![name, "-h"], vec!["help", name]] {
            let run = qnd(&args).ok();
            assert!(has_example(&run.stdout, name), "{args:?}: {}", run.stdout);
        }
        assert_eq!(qnd(&["help", name]).ok().stdout, long.stdout, "{name}");
        assert!(long.stderr.is_empty(), "{name}: {}", long.stderr);
        assert!(has_example(&long.stdout, name), "{name}: {}", long.stdout);
        for word in words {
            assert!(
                long.stdout.contains(word),
                "{name}: {word:?} in {}",
                long.stdout
            );
        }
        // a description before the usage line
        let usage = long.stdout.find("Usage:").expect("a usage line");
        assert!(
            long.stdout[..usage].trim().len() > 30,
            "{name}: {}",
            long.stdout
        );
    }
}

#[test]
fn version() {
    let want = format!("qnd {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(want, "qnd 0.1.0\n");
    for flag in ["--version", "-V"] {
        let run = qnd(&[flag]).ok();
        assert_eq!(run.stdout, want, "{flag}");
        assert!(run.stderr.is_empty(), "{flag}: {}", run.stderr);
    }
}

/// `qnd completions SHELL` prints a script naming the commands; bash's is
/// valid bash.
#[test]
fn completions() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = qnd(&["completions", shell]).ok();
        assert!(run.stderr.is_empty(), "{shell}: {}", run.stderr);
        for (name, _) in SUBCOMMANDS {
            assert!(run.stdout.contains(name), "{shell}: no {name}");
        }
        assert!(run.stdout.contains("recursive"), "{shell}");
        assert!(run.stdout.contains("64bit-offset"), "{shell}");
    }
    let script = qnd(&["completions", "bash"]).ok().stdout;
    assert!(script.contains("complete "), "{script}");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("qnd.bash");
    std::fs::write(&file, &script).expect("write the script");
    match Command::new("bash").arg("-n").arg(&file).output() {
        Ok(out) => assert!(
            out.status.success(),
            "bash -n: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => println!("skipped: bash -n of the completion script (no bash: {e})"),
    }
}

/// A reader that stops reading (`qnd dump --json big.h5 | head`) ends qnd
/// quietly: exit 0, nothing on stderr.
#[test]
fn closed_stdout_is_quiet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("long.h5");
    let f = qnd::open(&file, "w").expect("create");
    // some MB of JSON: more than a pipe holds
    f.set("x", vec![0.5f64; 200_000]).expect("x");
    f.close().expect("close");
    for args in [vec!["dump", "--json"], vec!["ls", "-r"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qnd"))
            .args(&args)
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start qnd");
        // read one byte, then close the pipe
        let mut out = child.stdout.take().expect("stdout");
        let mut first = [0u8; 1];
        let _ = out.read(&mut first);
        drop(out);
        let done = child.wait_with_output().expect("wait for qnd");
        let err = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

// ------------------------------------------------------------------ vstack

/// Three HDF5 files in `dir`, each with `/x`: 2, 3 and 1 rows of `width`
/// f64s; and their concatenation along axis 0.
fn vstack_sources(dir: &Path, width: usize) -> (Vec<PathBuf>, ndarray::Array2<f64>) {
    let mut files = Vec::new();
    let mut parts = Vec::new();
    for (i, rows) in [2usize, 3, 1].into_iter().enumerate() {
        let part = ndarray::Array2::from_shape_fn((rows, width), |(r, c)| {
            (i * 1_000_000 + r * width + c) as f64
        });
        let path = dir.join(format!("s{i}.h5"));
        let f = qnd::open(&path, "w").expect("create a source");
        f.set("x", part.clone()).expect("write a source");
        f.close().expect("close a source");
        files.push(path);
        parts.push(part);
    }
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    let whole = ndarray::concatenate(ndarray::Axis(0), &views).expect("concatenate");
    (files, whole)
}

/// The vstack source `file:path`.
fn spec(file: &Path, path: &str) -> OsString {
    let mut spec = file.as_os_str().to_owned();
    spec.push(":");
    spec.push(path);
    spec
}

/// `qnd vstack out name sources...` plus `extra` arguments.
fn vstack_specs(out: &Path, name: &str, sources: &[OsString], extra: &[&str]) -> Run {
    let mut args = vec![OsString::from("vstack"), out.into(), OsString::from(name)];
    args.extend_from_slice(sources);
    args.extend(extra.iter().map(OsString::from));
    qnd(&args)
}

/// `qnd vstack out name src:/x...` plus `extra` arguments.
fn vstack(out: &Path, name: &str, files: &[PathBuf], extra: &[&str]) -> Run {
    let sources: Vec<OsString> = files.iter().map(|f| spec(f, "/x")).collect();
    vstack_specs(out, name, &sources, extra)
}

#[test]
fn vstack_of_three_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 100 000 f64 per row block: 4.8 MB of sources
    let (files, whole) = vstack_sources(dir.path(), 100_000);
    let out = dir.path().join("out.h5");
    vstack(&out, "v", &files, &[]).ok();
    let f = qnd::open(&out, "r").expect("open out");
    assert_eq!(f.kind("v").expect("kind"), Kind::Leaf);
    let got: ndarray::Array2<f64> = f.read("v").expect("read v");
    assert_eq!(got, whole);
    // a window across the boundary between s0 and s1
    let leaf = f.leaf("v").expect("leaf");
    let part: ndarray::Array2<f64> = leaf
        .read_part(ndarray::s![1..3, 99_990..])
        .expect("read a window");
    assert_eq!(part, whole.slice(ndarray::s![1..3, 99_990..]));
    f.close().expect("close");
    // no data was copied
    let size = std::fs::metadata(&out).expect("out").len();
    let sources: u64 = files
        .iter()
        .map(|p| std::fs::metadata(p).expect("src").len())
        .sum();
    assert!(sources > 4_000_000, "{sources}");
    assert!(size < 20_000, "OUT is {size} bytes");

    // OUT is appended to: along the last axis, negative, into a new group
    vstack(&out, "g/h/side", &files, &["--axis", "-2"]).ok();
    let run = vstack(&out, "g/h/side", &files, &["--axis", "-2"]);
    run.fails_with(&["already exists"]);
    let rows2 = vstack(
        &out,
        "cols",
        &[files[0].clone(), files[0].clone()],
        &["--axis=1"],
    )
    .ok();
    assert!(rows2.stderr.is_empty());
    let f = qnd::open(&out, "r").expect("open out");
    assert_eq!(f.names().expect("names"), ["v", "g", "cols"]);
    let side: ndarray::Array2<f64> = f.read("g/h/side").expect("read side");
    assert_eq!(side, whole);
    let cols: ndarray::Array2<f64> = f.read("cols").expect("read cols");
    let s0 = whole.slice(ndarray::s![0..2, ..]);
    assert_eq!(
        cols,
        ndarray::concatenate(ndarray::Axis(1), &[s0, s0]).expect("concatenate")
    );
    f.close().expect("close");

    // ls and dump see an ordinary leaf
    let rows = ls(&[out.as_os_str()]);
    assert!(line(&rows, "v").contains("f8 [6, 100000]"), "{rows:?}");

    // a source gone: reading is an error naming it, never fill values
    std::fs::remove_file(&files[1]).expect("remove s1");
    let run = dump_run(&out);
    run.fails_with(&["s1.h5", "missing"]);
}

#[test]
fn vstack_missing_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut files, _) = vstack_sources(dir.path(), 4);
    files.insert(1, dir.path().join("nope.h5"));
    let out = dir.path().join("out.h5");
    let run = vstack(&out, "v", &files, &[]);
    run.fails_with(&["nope.h5", "no such file"]);
    assert!(run.stderr.starts_with("qnd: "), "{}", run.stderr);
    assert!(!out.exists(), "a failed vstack left OUT behind");
    // a dataset that is not there
    let run = vstack_specs(&out, "v", &[spec(&files[0], "/nope")], &[]);
    run.fails_with(&["/nope"]);
    assert!(!out.exists());
}

#[test]
fn vstack_mismatched_sources() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (files, _) = vstack_sources(dir.path(), 4);
    let odd = dir.path().join("odd.h5");
    let f = qnd::open(&odd, "w").expect("create");
    f.set("x", ndarray::Array2::<f64>::zeros((2, 5)))
        .expect("write");
    f.set("i", ndarray::Array2::<i32>::zeros((2, 4)))
        .expect("write");
    f.close().expect("close");
    let out = dir.path().join("out.h5");
    // another length on axis 1
    let run = vstack(
        &out,
        "v",
        &[files[0].clone(), files[1].clone(), odd.clone()],
        &[],
    );
    run.fails_with(&["odd.h5", "axis 1", "source 2"]);
    assert!(!run.stderr.contains("<lazy>"), "{}", run.stderr);
    // another dtype
    let sources = [spec(&files[0], "/x"), spec(&odd, "/i")];
    vstack_specs(&out, "v", &sources, &[]).fails_with(&["dtype"]);
    // an axis the sources do not have
    let run = vstack(&out, "v", &files, &["--axis", "2"]);
    run.fails_with(&["axis 2"]);
    assert!(!out.exists());
}

#[test]
fn vstack_usage_errors() {
    for (args, named) in [
        (vec!["vstack"], "<OUT>"),
        (vec!["vstack", "out.h5", "v"], "<SRC:PATH>"),
        (vec!["vstack", "out.h5", "v", "no-colon.h5"], "no-colon.h5"),
        (vec!["vstack", "out.h5", "v", "a.h5:"], "a.h5:"),
        (vec!["vstack", "out.h5", "", "a.h5:/x"], "NAME"),
        (vec!["vstack", "out.h5", "v", "a.h5:/x", "--axis"], "--axis"),
        (
            vec!["vstack", "out.h5", "v", "a.h5:/x", "--axis", "one"],
            "one",
        ),
        (
            vec![
                "vstack", "out.h5", "v", "a.h5:/x", "--axis", "0", "--axis=1",
            ],
            "--axis",
        ),
        (
            vec!["vstack", "out.h5", "v", "a.h5:/x", "--bogus"],
            "--bogus",
        ),
    ] {
        let run = qnd(&args);
        assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
        assert!(
            run.stderr.starts_with("error: "),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(named), "{args:?}: {}", run.stderr);
    }
    assert!(!Path::new("out.h5").exists());
    let run = qnd(&["vstack", "--help"]).ok();
    assert!(run
        .stdout
        .contains("qnd vstack [OPTIONS] <OUT> <NAME> <SRC:PATH>..."));
}

// ------------------------------------------------------------------ netCDF

/// netCDF files: `dump` and `ls` of the `.nc` fixtures, `convert` in every
/// direction between HDF5, netCDF-4 and netCDF-3 (`--classic`,
/// `--64bit-offset`), and what netCDF-3 cannot hold refused cleanly.
#[cfg(feature = "netcdf")]
mod netcdf {
    use super::*;

    const HDF5_MAGIC: &[u8] = b"\x89HDF\r\n\x1a\n";

    fn magic(file: &Path) -> Vec<u8> {
        std::fs::read(file)
            .expect("read")
            .into_iter()
            .take(8)
            .collect()
    }

    /// `qnd convert [flag] src dst`, which must fail.
    fn convert_fails(flag: Option<&str>, src: &Path, dst: &Path) -> Run {
        let (run, args) = convert_run(flag, src, dst);
        assert_ne!(run.code, Some(0), "convert {args:?} succeeded");
        assert!(run.stderr.starts_with("qnd: "), "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        run
    }

    /// The kind of every member of the root of `file`.
    fn kinds(file: &Path) -> Vec<(String, Kind)> {
        let f = qnd::open(file, "r").expect("open");
        let kinds = f
            .names()
            .expect("names")
            .into_iter()
            .map(|n| {
                let k = f.kind(&n).expect("kind");
                (n, k)
            })
            .collect();
        f.close().expect("close");
        kinds
    }

    #[test]
    fn dump_matches_every_nc_fixture() {
        dump_matches_fixtures("nc");
    }

    #[test]
    fn ls_shows_dimension_names() {
        let Some(file) = fixture("classic.nc") else {
            return;
        };
        let rows = ls(&[&file]);
        assert_lines(
            &rows,
            &[
                ("x", "leaf f8 []"),
                ("n", "leaf i4 []"),
                ("grid", "leaf f8 [2, 3] (_2, _3)"),
                ("t", "records f8 [] x 3 (_0)"),
                ("y", "records f8 [3] x 3 (_0, _3)"),
            ],
        );
        assert_eq!(rows.len(), 5, "{rows:?}");
        let y1 = ls(&[file.as_os_str(), OsStr::new("y[1]")]);
        assert_eq!(line(&y1, "y[1]"), "leaf f8 [3] (_3)");
    }

    /// A netCDF-4 copy of the tree fixture lists like the original (plus
    /// dimension names), and shows no dimension-scale internals.
    #[test]
    fn ls_netcdf4_tree() {
        let Some(file) = fixture("tree.h5") else {
            return;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let nc = dir.path().join("tree.nc");
        convert(None, &file, &nc);
        assert!(magic(&nc).starts_with(HDF5_MAGIC));
        let want: BTreeMap<String, String> = ls(&[file.as_os_str(), OsStr::new("-r")]);
        let got = ls(&[nc.as_os_str(), OsStr::new("-r")]);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>()
        );
        for (name, details) in &want {
            // the same, but for dimension names after the shape
            let g = &got[name];
            assert!(g.starts_with(details.as_str()), "{name}: {g} vs {details}");
        }
        assert_eq!(line(&got, "/g/inner/deep"), "leaf i8 [3] (_3)");
    }

    /// Every fixture converts to netCDF-4 and back to HDF5 with the same
    /// dump and the same kinds; the classic fixture also to netCDF-3
    /// (classic and 64-bit offset) from every format.
    #[test]
    fn convert_every_direction() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut all = h5_fixtures();
        all.extend(fixtures::with_ext("nc"));
        for file in all {
            let want = expected_json(&file);
            let want_kinds = kinds(&file);
            let stem = file.file_stem().expect("stem").to_string_lossy();
            let nc4 = dir.path().join(format!("{stem}.4.nc"));
            let h5 = dir.path().join(format!("{stem}.back.h5"));
            convert(None, &file, &nc4);
            assert!(magic(&nc4).starts_with(HDF5_MAGIC), "{}", nc4.display());
            convert(None, &nc4, &h5);
            for out in [&nc4, &h5] {
                let what = format!("{} -> {}", file.display(), out.display());
                assert_same_json(&dump(out), &want, &what);
                assert_eq!(kinds(out), want_kinds, "{what}");
            }
        }
        let Some(classic) = fixture("classic.nc") else {
            return;
        };
        let want = expected_json(&classic);
        let want_kinds = kinds(&classic);
        // classic -> classic -> netCDF-4 -> 64-bit offset -> HDF5 -> classic
        let steps: [(Option<&str>, &str, &[u8]); 5] = [
            (Some("--classic"), "a.nc", b"CDF\x01"),
            (None, "b.nc", HDF5_MAGIC),
            (Some("--64bit-offset"), "c.nc", b"CDF\x02"),
            (None, "d.h5", HDF5_MAGIC),
            (Some("--classic"), "e.cdf", b"CDF\x01"),
        ];
        let mut src = classic.clone();
        for (flag, name, head) in steps {
            let dst = dir.path().join(name);
            convert(flag, &src, &dst);
            let what = format!("{} -> {name}", src.display());
            assert!(magic(&dst).starts_with(head), "{what}: {:?}", magic(&dst));
            assert_same_json(&dump(&dst), &want, &what);
            assert_eq!(kinds(&dst), want_kinds, "{what}");
            src = dst;
        }
        let f = qnd::open(&src, "r").expect("open");
        assert_eq!(f.kind("t").expect("kind"), Kind::Records);
        f.goto(2);
        assert_eq!(f.read::<Vec<f64>>("y").expect("y[2]"), [2.0, 3.0, 4.0]);
    }

    /// Attributes, None, empty leaves, text and bool leaves and records of
    /// a classic-friendly tree survive HDF5 -> classic -> netCDF-4 -> HDF5.
    #[test]
    fn convert_keeps_attributes_through_classic() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("src.h5");
        {
            let f = qnd::open(&src, "w").expect("create");
            f.set("x", vec![1.0, 2.0]).expect("x");
            f.set("i", vec![1i8, -2]).expect("i");
            f.set("s", vec![300i16, -300]).expect("s");
            f.set("f", 1.5f32).expect("f");
            f.set("flags", vec![true, false]).expect("flags");
            f.set("name", "héllo").expect("name");
            f.set("words", vec!["a", "bb", "ccc"]).expect("words");
            f.set("nothing", Value::None).expect("None");
            f.set("empty", Value::from(Vec::<f64>::new()))
                .expect("empty");
            set_attr(&f, "", "title", "run 1");
            set_attr(&f, "x", "units", "cm");
            set_attr(&f, "x", "scale", 2.5);
            set_attr(&f, "x", "range", vec![0i32, 10]);
            record_t_and_word(&f);
            f.close().expect("close");
        }
        let want = dump(&src);
        let classic = dir.path().join("c.nc");
        let nc4 = dir.path().join("four.nc");
        let back = dir.path().join("back.h5");
        convert(Some("--classic"), &src, &classic);
        assert!(magic(&classic).starts_with(b"CDF\x01"));
        convert(None, &classic, &nc4);
        convert(None, &nc4, &back);
        for out in [&classic, &nc4, &back] {
            let what = format!("src.h5 -> {}", out.display());
            assert_same_json(&dump(out), &want, &what);
            let f = qnd::open(out, "r").expect("open");
            let attr = |item: &str, name: &str| attr(&f, item, name);
            assert_eq!(attr("", "title"), Some(Value::from("run 1")), "{what}");
            assert_eq!(attr("x", "units"), Some(Value::from("cm")), "{what}");
            assert_eq!(attr("x", "scale"), Some(Value::from(2.5)), "{what}");
            assert_eq!(
                attr("x", "range"),
                Some(Value::from(vec![0i32, 10])),
                "{what}"
            );
            assert_eq!(attr("t", "units"), Some(Value::from("s")), "{what}");
            assert_eq!(f.kind("nothing").expect("kind"), Kind::None, "{what}");
            assert_eq!(f.kind("word").expect("kind"), Kind::Records, "{what}");
            f.close().expect("close");
        }
    }

    /// What netCDF-3 cannot hold (groups, lists, unsigned and 64-bit
    /// integers) is refused before DST is touched: exit 1, every such item
    /// named, no DST (or the old DST unchanged).
    #[test]
    fn convert_to_classic_refuses_what_it_cannot_hold() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (fixture_name, items) in [
            (
                "tree.h5",
                &["/g: a group", "/lst: a list", "/top: dtype i8"][..],
            ),
            (
                "types.h5",
                &["/u1: dtype u1", "/u8: dtype u8", "/i8: dtype i8"][..],
            ),
            ("history.h5", &["/mesh: a list"][..]),
        ] {
            let Some(file) = fixture(fixture_name) else {
                return;
            };
            for flag in ["--classic", "--64bit-offset"] {
                let dst = dir.path().join("out.nc");
                let run = convert_fails(Some(flag), &file, &dst);
                run.fails_with(&["netCDF-3", "out.nc"]);
                run.fails_with(items);
                assert!(!dst.exists(), "{fixture_name} {flag}: DST left behind");
                // an existing DST is left as it was
                std::fs::write(&dst, b"precious").expect("write");
                let run = convert_fails(Some(flag), &file, &dst);
                assert_eq!(run.code, Some(1), "{run:?}");
                assert_eq!(std::fs::read(&dst).expect("read"), b"precious");
                std::fs::remove_file(&dst).expect("remove");
            }
        }
        // unsigned and 64-bit attributes too
        let src = dir.path().join("attrs.h5");
        {
            let f = qnd::open(&src, "w").expect("create");
            f.set("x", 1.0).expect("x");
            set_attr(&f, "x", "count", 3u32);
            set_attr(&f, "", "big", 1i64);
            f.close().expect("close");
        }
        let dst = dir.path().join("attrs.nc");
        let run = convert_fails(Some("--classic"), &src, &dst);
        run.fails_with(&["attribute \"count\"", "attribute \"big\""]);
        assert!(!dst.exists());
        // and the same source converts to netCDF-4
        convert(None, &src, &dst);
        assert_same_json(&dump(&dst), &dump(&src), "attrs.h5 -> netCDF-4");
    }

    /// Complex numbers (c8, c16) need HDF5 or netCDF-4: a netCDF-4 file
    /// holding them is refused up front by `convert --classic` and
    /// `--64bit-offset`, listing them; it converts to netCDF-4.
    #[test]
    fn convert_to_classic_refuses_complex() {
        use qnd_storage::{Array, Complex, DType, LeafSpec, NcFormat, Run, Storage};
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("z.nc");
        {
            let mut s = qnd_netcdf::NetcdfStorage::create(&src, NcFormat::Netcdf4).expect("create");
            let root = s.root();
            for (name, dtype, records) in [("z", DType::C16, false), ("h", DType::C8, true)] {
                let spec = LeafSpec {
                    dtype,
                    shape: vec![2],
                    records,
                    text_len: 0,
                };
                let x = s.create_leaf(root, name, &spec).expect("leaf");
                let z = Array::zeros(dtype, &[2]);
                if records {
                    s.append(x, &z).expect("append");
                } else {
                    s.write(x, &Run::whole(&[2]), &z).expect("write");
                }
            }
            let x = s
                .create_leaf(
                    root,
                    "x",
                    &LeafSpec {
                        dtype: DType::F64,
                        shape: vec![],
                        records: false,
                        text_len: 0,
                    },
                )
                .expect("x");
            s.write(x, &[], &Array::scalar(1.0f64)).expect("x");
            s.set_attr(x, "w", &Array::scalar(Complex::new(1.0f64, 2.0)))
                .expect("attr");
            s.close().expect("close");
        }
        for flag in ["--classic", "--64bit-offset"] {
            let dst = dir.path().join("out.nc");
            let run = convert_fails(Some(flag), &src, &dst);
            run.fails_with(&[
                "netCDF-3",
                "/z: dtype c16",
                "/h: dtype c8",
                "attribute \"w\"",
            ]);
            assert!(!dst.exists(), "{flag}: DST left behind");
        }
        let dst = dir.path().join("out4.nc");
        convert(None, &src, &dst);
        assert_same_json(&dump(&dst), &dump(&src), "complex -> netCDF-4");
    }

    /// What the capabilities do not describe and only the netCDF writer
    /// itself refuses (a name with a trailing space, which netCDF-C calls
    /// illegal) fails the copy: exit 1, the refusal on stderr, and the
    /// partial DST removed. What the capabilities describe (a bool
    /// attribute in netCDF-3) is refused before DST is touched.
    #[test]
    fn convert_to_netcdf_removes_a_half_written_dst() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("src.h5");
        {
            let f = qnd::open(&src, "w").expect("create");
            f.set("a", 1.0).expect("a");
            f.set("b ", 2.0).expect("b");
            f.close().expect("close");
        }
        for flag in [None, Some("--classic")] {
            let dst = dir.path().join("dst.nc");
            let run = convert_fails(flag, &src, &dst);
            run.fails_with(&["illegal", "removed"]);
            assert!(!dst.exists(), "half-written DST left behind");
        }
        let bools = dir.path().join("bools.h5");
        {
            let f = qnd::open(&bools, "w").expect("create");
            f.set("b", 2.0).expect("b");
            set_attr(&f, "b", "ok", true);
            f.close().expect("close");
        }
        let dst = dir.path().join("bools.nc");
        let run = convert_fails(Some("--classic"), &bools, &dst);
        run.fails_with(&[
            "netCDF-3",
            "attribute \"ok\" of dtype b1",
            "nothing written",
        ]);
        assert!(!dst.exists(), "DST made");
    }

    #[test]
    fn convert_flag_errors() {
        let Some(file) = fixture("classic.nc") else {
            return;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let f = file.as_os_str();
        for (args, dst) in [
            (vec!["--classic"], "x.h5"),
            (vec!["--64bit-offset"], "x.h5"),
            (vec!["--classic"], "noext"),
            (vec!["--classic", "--64bit-offset"], "x.nc"),
            (vec!["--netcdf3"], "x.nc"),
        ] {
            let out = dir.path().join(dst);
            let mut all = vec![OsStr::new("convert")];
            all.extend(args.iter().map(OsStr::new));
            all.extend([f, out.as_os_str()]);
            let run = qnd(&all);
            assert_eq!(run.code, Some(2), "{args:?} {dst}: {run:?}");
            assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
            assert!(run.stderr.contains(args[0]), "{}", run.stderr);
            assert!(run.stderr.contains("Usage: qnd convert"), "{}", run.stderr);
            assert!(!out.exists(), "{args:?} {dst}");
        }
        // flags may come anywhere on the line
        let out = dir.path().join("late.nc");
        qnd(&[
            OsStr::new("convert"),
            f,
            out.as_os_str(),
            OsStr::new("--classic"),
        ])
        .ok();
        assert!(magic(&out).starts_with(b"CDF\x01"));
    }

    /// A file with a netCDF name that is not netCDF: exit 1, the file and
    /// what was found on stderr, no library trace.
    #[test]
    fn not_a_netcdf_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let x = dir.path().join("x.nc");
        std::fs::write(&x, "this is a text file, not netCDF\n").expect("write x.nc");
        for args in [vec!["ls"], vec!["dump", "--json"], vec!["convert"]] {
            let out = dir.path().join("out.h5");
            let files = if args == ["convert"] {
                vec![x.as_path(), out.as_path()]
            } else {
                vec![x.as_path()]
            };
            let (run, first) = fails_on(&args, &files);
            assert!(first.contains("x.nc"), "{}", run.stderr);
            assert!(first.contains("no netCDF signature"), "{}", run.stderr);
            assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
            assert!(!out.exists());
        }
    }
}
