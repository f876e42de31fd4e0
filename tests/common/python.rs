//! Running Python for the optional interop tests (h5py, netCDF4-python,
//! xarray, LLNL's Python qnd): finding an interpreter that imports what a
//! test needs (or printing why the test is skipped), running scripts and
//! checking that they succeed, and reading files with the reference reader
//! `../shared/fixtures/qnd_ref.py`.
//!
//! The interpreter is the one `QND_PYTHON` names, `python3` by default. A
//! test that finds none returns early after printing "skipped: ...", and
//! so passes.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

use super::fixtures::{self, first_difference};

/// What a skip message suggests by default.
pub const HINT: &str = "set QND_PYTHON to one";

/// A Python interpreter that imports the modules a test asked for.
pub struct Python {
    exe: String,
    pythonpath: Option<PathBuf>,
}

impl Python {
    /// The interpreter, if it imports every one of `modules`; otherwise
    /// print "skipped: PYTHON with MODULES not found (set QND_PYTHON to
    /// one)" and `None`.
    pub fn find(modules: &[&str]) -> Option<Python> {
        Python::find_with(modules, HINT)
    }

    /// [`Python::find`] with another `hint` in the skip message.
    pub fn find_with(modules: &[&str], hint: &str) -> Option<Python> {
        let exe = std::env::var("QND_PYTHON").unwrap_or_else(|_| "python3".into());
        let modules = modules.join(", ");
        let ok = Command::new(&exe)
            .args(["-c", &format!("import {modules}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            Some(Python {
                exe,
                pythonpath: None,
            })
        } else {
            println!("skipped: {exe} with {modules} not found ({hint})");
            None
        }
    }

    /// Every run of this interpreter with `PYTHONPATH` set to `dir`.
    pub fn with_pythonpath(self, dir: impl Into<PathBuf>) -> Python {
        Python {
            pythonpath: Some(dir.into()),
            ..self
        }
    }

    /// Run the inline `script` (`python -c script`) with `args` as
    /// `sys.argv[1:]`, and return its standard output; panic with its
    /// output if it fails.
    #[track_caller]
    pub fn run(&self, script: &str, args: &[&dyn AsRef<OsStr>]) -> String {
        self.output(&[&"-c", &script], args)
    }

    /// Run the script file `file` with `args`, as [`Python::run`].
    #[track_caller]
    pub fn run_file(&self, file: &Path, args: &[&dyn AsRef<OsStr>]) -> String {
        self.output(&[&file], args)
    }

    #[track_caller]
    fn output(&self, head: &[&dyn AsRef<OsStr>], args: &[&dyn AsRef<OsStr>]) -> String {
        let mut cmd = Command::new(&self.exe);
        if let Some(dir) = &self.pythonpath {
            cmd.env("PYTHONPATH", dir);
        }
        cmd.args(head.iter().map(|a| a.as_ref()));
        cmd.args(args.iter().map(|a| a.as_ref()));
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.exe));
        let args: Vec<_> = args.iter().map(|a| a.as_ref()).collect();
        assert!(
            out.status.success(),
            "python failed ({}, arguments {args:?}):\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// LLNL's Python qnd as a reference reader: `qnd_ref.py dump FILE` prints
/// the tree Python qnd reads, as the JSON `qnd::to_json` makes.
pub struct QndRef {
    /// An interpreter that can import `qnd.ncf` (and what the files need).
    pub py: Python,
    /// The reader script, from [`QndRef::script`].
    pub script: PathBuf,
}

impl QndRef {
    /// `../shared/fixtures/qnd_ref.py`, if it is there; otherwise print
    /// why not ("skipped: ...") and `None`.
    pub fn script() -> Option<PathBuf> {
        fixtures::path("qnd_ref.py")
    }

    /// The tree Python qnd reads from `path`.
    #[track_caller]
    pub fn dump(&self, path: &Path) -> Json {
        let out = self.py.run_file(&self.script, &[&"dump", &path]);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("qnd_ref.py dump {}: {e}\n{out}", path.display()))
    }

    /// Our reading of `path` (whole, goto off) is Python qnd's; panic
    /// naming where they first differ.
    #[track_caller]
    pub fn assert_same_tree(&self, path: &Path) {
        let ours = our_json(path);
        let theirs = self.dump(path);
        if let Some(d) = first_difference(&ours, &theirs, "") {
            panic!("{}: {d}", path.display());
        }
    }
}

/// The file at `path` read whole (goto off), as `qnd::to_json` prints it.
pub fn our_json(path: &Path) -> Json {
    let f = qnd::open(path, "r").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    f.goto_off();
    let json = qnd::to_json(&f.to_value().unwrap());
    f.close().unwrap();
    json
}
