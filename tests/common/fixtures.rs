//! The shared fixtures folder `../shared/fixtures`: files LLNL's Python qnd
//! wrote, each `X.h5` or `X.nc` with `X.h5.json` / `X.nc.json`, the tree
//! Python qnd reads from it (what `qnd::to_json` of our reading and
//! `qnd dump --json` must print); and where two such JSON trees differ.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

/// The shared fixtures folder, if it is there; otherwise print "skipped:
/// no fixtures folder at PATH" and `None`.
pub fn dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    found(dir, Path::is_dir, "fixtures folder at")
}

/// Fixture `name`, if the folder and the file are there; otherwise print
/// "skipped: ..." and `None`.
pub fn path(name: &str) -> Option<PathBuf> {
    found(dir()?.join(name), Path::is_file, "fixture")
}

/// `p` when it `is` (a folder, a file); otherwise print "skipped: no WHAT
/// PATH" and `None`.
fn found(p: PathBuf, is: fn(&Path) -> bool, what: &str) -> Option<PathBuf> {
    if is(&p) {
        Some(p)
    } else {
        println!("skipped: no {what} {}", p.display());
        None
    }
}

/// Every fixture named `*.ext`, in name order: none without the folder,
/// at least one with it.
pub fn with_ext(ext: &str) -> Vec<PathBuf> {
    let Some(dir) = dir() else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read the fixture folder")
        .map(|e| e.expect("fixture entry").path())
        .filter(|p| p.extension() == Some(OsStr::new(ext)))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no *.{ext} fixtures in {}",
        dir.display()
    );
    files
}

/// The tree Python qnd reads from the fixture `file`: its `.json`.
pub fn expected_json(file: &Path) -> Json {
    let mut json = file.as_os_str().to_owned();
    json.push(".json");
    let json = PathBuf::from(json);
    let text =
        std::fs::read_to_string(&json).unwrap_or_else(|e| panic!("read {}: {e}", json.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", json.display()))
}

/// Where two JSON trees first differ (`None` when equal): `got` is ours,
/// `want` Python qnd's. Members are compared by name, whatever their
/// order.
pub fn first_difference(got: &Json, want: &Json, at: &str) -> Option<String> {
    match (got, want) {
        (Json::Object(a), Json::Object(b)) => {
            let mut ka: Vec<&String> = a.keys().collect();
            let mut kb: Vec<&String> = b.keys().collect();
            ka.sort();
            kb.sort();
            if ka != kb {
                return Some(format!("{at}: members {ka:?} != {kb:?}"));
            }
            a.iter()
                .find_map(|(k, v)| first_difference(v, &b[k], &format!("{at}/{k}")))
        }
        (Json::Array(a), Json::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(x, y, &format!("{at}[{i}]"))),
        (a, b) if a == b => None,
        (a, b) => Some(format!("{at}: ours {a}, Python qnd {b}")),
    }
}
