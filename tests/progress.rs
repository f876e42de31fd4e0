//! The progress bars of `qnd convert`, `dump` and `vstack`: drawn on
//! stderr only when it is a terminal. Piped, stderr stays empty and stdout
//! is what it was without bars; under a pseudo-terminal (`script`, from
//! util-linux, when installed) the bar of a large convert shows.
#![cfg(feature = "hdf5")]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

/// One test at a time: a child started by one test could otherwise
/// inherit (and keep locked) a file another test has open.
static TURN: Mutex<()> = Mutex::new(());

/// Elements of f64 in [`big`]'s leaf: a little over 64 MiB, the least
/// work that shows a bar.
const BIG: usize = 8_400_000;

/// Sources for `vstack`: the least that shows a bar.
const SOURCES: usize = 64;

fn qnd<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qnd"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run qnd")
}

/// `qnd args...`, which must succeed and say nothing on stderr; its
/// stdout.
#[track_caller]
fn quiet<S: AsRef<OsStr>>(args: &[S]) -> Vec<u8> {
    let out = qnd(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "stderr is not empty: {err:?}");
    out.stdout
}

/// An HDF5 file in `dir` whose leaf `x` holds [`BIG`] f64, and a record
/// variable `t`.
fn big(dir: &Path) -> PathBuf {
    let path = dir.join("big.h5");
    let f = qnd::open(&path, "w").expect("create");
    let x = ndarray::Array1::from_shape_fn(BIG, |i| (i % 1000) as f64);
    f.set("x", x).expect("x");
    {
        let f = f.push();
        f.set_recording(qnd::Recording::Uniform);
        for t in [0.0, 0.5, 1.0] {
            f.set("t", t).expect("t");
        }
    }
    f.close().expect("close");
    path
}

/// A small tree with one of each kind.
fn small(dir: &Path) -> PathBuf {
    let path = dir.join("small.h5");
    let f = qnd::open(&path, "w").expect("create");
    f.set("x", vec![1.5, 2.5]).expect("x");
    f.set("name", "qnd").expect("name");
    f.set("none", qnd::Value::None).expect("none");
    let g = f.create_group("g").expect("g");
    g.set("n", 3i32).expect("n");
    f.set("lst", qnd::Value::list()).expect("lst");
    let lst = f.list("lst").expect("lst");
    lst.append(vec![1u8, 2]).expect("append");
    lst.append(qnd::Value::group()).expect("append");
    {
        let f = f.push();
        f.set_recording(qnd::Recording::Uniform);
        for t in [0.0, 0.5] {
            f.set("t", t).expect("t");
        }
    }
    f.close().expect("close");
    path
}

/// [`SOURCES`] files in `dir`, each with `/x` of 2 x 3 f64; their
/// `SRC:/x` specs.
fn sources(dir: &Path) -> Vec<String> {
    (0..SOURCES)
        .map(|i| {
            let path = dir.join(format!("s{i}.h5"));
            let f = qnd::open(&path, "w").expect("create a source");
            f.set("x", ndarray::Array2::<f64>::from_elem((2, 3), i as f64))
                .expect("x");
            f.close().expect("close a source");
            format!("{}:/x", path.display())
        })
        .collect()
}

/// What `qnd dump --json` printed before it had a bar: the file read whole
/// (goto off), as pretty JSON and a newline.
fn dump_as_before(file: &Path) -> Vec<u8> {
    let f = qnd::open(file, "r").expect("open");
    f.goto_off();
    let value = f.to_value().expect("read");
    f.close().expect("close");
    let mut text = serde_json::to_string_pretty(&qnd::to_json(&value)).expect("JSON");
    text.push('\n');
    text.into_bytes()
}

#[test]
fn piped_stderr_shows_no_bar() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let big = big(dir.path());
    let out = dir.path().join("copy.h5");
    assert!(quiet(&[OsStr::new("convert"), big.as_os_str(), out.as_os_str()]).is_empty());
    let copy = qnd::open(&out, "r").expect("open the copy");
    let x: Vec<f64> = copy.read("x").expect("x");
    assert_eq!(x.len(), BIG);
    assert!(x.iter().enumerate().all(|(i, v)| *v == (i % 1000) as f64));
    copy.close().expect("close");

    let small = small(dir.path());
    let json = quiet(&[OsStr::new("dump"), OsStr::new("--json"), small.as_os_str()]);
    assert_eq!(
        String::from_utf8_lossy(&json),
        String::from_utf8_lossy(&dump_as_before(&small))
    );

    let vout = dir.path().join("v.h5");
    let mut args = vec!["vstack".to_string(), vout.display().to_string(), "v".into()];
    args.extend(sources(dir.path()));
    assert!(quiet(&args).is_empty());
    let v = qnd::open(&vout, "r").expect("open OUT");
    assert_eq!(
        v.leaf("v").expect("v").shape().expect("shape"),
        [2 * SOURCES, 3]
    );
    v.close().expect("close");
}

/// `text` quoted for sh.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Run the shell command `line` under a pseudo-terminal (`script -qec`);
/// its exit code and everything the terminal showed. `None` when there is
/// no `script`.
fn in_terminal(line: &str) -> Option<(Option<i32>, String)> {
    let out = Command::new("script")
        .args(["-qec", line, "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .ok()?;
    Some((
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

#[test]
fn a_terminal_sees_the_bar() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    if in_terminal("true").is_none_or(|(code, _)| code != Some(0)) {
        println!("skipped: no `script` (util-linux) to run qnd under a pseudo-terminal");
        return;
    }
    let exe = sh_quote(env!("CARGO_BIN_EXE_qnd"));
    let dir = tempfile::tempdir().expect("tempdir");
    let big = big(dir.path());
    let out = dir.path().join("copy.h5");
    let line = format!(
        "{exe} convert {} {}",
        sh_quote(&big.display().to_string()),
        sh_quote(&out.display().to_string())
    );
    let (code, shown) = in_terminal(&line).expect("script ran before");
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("convert "), "no bar: {shown:?}");
    assert!(shown.contains("MiB"), "no bytes on the bar: {shown:?}");
    let copy = qnd::open(&out, "r").expect("open the copy");
    assert_eq!(copy.leaf("x").expect("x").shape().expect("shape"), [BIG]);
    copy.close().expect("close");

    // vstack: a bar counting the sources
    let vout = dir.path().join("v.h5");
    let mut line = format!("{exe} vstack {} v", sh_quote(&vout.display().to_string()));
    for s in sources(dir.path()) {
        line.push(' ');
        line.push_str(&sh_quote(&s));
    }
    let (code, shown) = in_terminal(&line).expect("script ran before");
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("vstack: sources"), "no bar: {shown:?}");
    assert!(
        shown.contains(&format!("/{SOURCES}")),
        "no count: {shown:?}"
    );

    // small work shows no bar, even at a terminal
    let small = small(dir.path());
    let line = format!(
        "{exe} convert {} {} 2>&1",
        sh_quote(&small.display().to_string()),
        sh_quote(&dir.path().join("s.h5").display().to_string())
    );
    let (code, shown) = in_terminal(&line).expect("script ran before");
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.trim().is_empty(), "{shown:?}");
}
