//! The writer of the durability and live-reader tests: the example
//! `record_forever` run as a child process, and the check that a history
//! it wrote holds exactly its records.
#![allow(dead_code)] // each test crate uses its own part of this

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::OnceLock;

/// A format the example records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fmt {
    Hdf5,
    Netcdf4,
    Netcdf3,
    Pdb,
}

impl Fmt {
    /// The file name extension that makes the example use this format.
    pub fn ext(self) -> &'static str {
        match self {
            Fmt::Hdf5 => "h5",
            Fmt::Netcdf4 => "nc",
            Fmt::Netcdf3 => "nc3",
            Fmt::Pdb => "pdb",
        }
    }
}

/// The example's binary, next to the test binaries
/// (`target/debug/examples/record_forever`), built when missing (`cargo
/// test --test NAME` builds no examples).
pub fn example() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = Path::new(env!("CARGO_BIN_EXE_qnd"))
            .parent()
            .expect("the qnd binary is in a directory")
            .to_path_buf();
        let exe = dir
            .join("examples")
            .join(format!("record_forever{}", std::env::consts::EXE_SUFFIX));
        if !exe.exists() {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            // built in the profile of these tests (target/<profile>)
            let release = dir.file_name().is_some_and(|d| d == "release");
            let profile: &[&str] = if release { &["--release"] } else { &[] };
            let status = Command::new(cargo)
                .args(["build", "--example", "record_forever"])
                .args(profile)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .expect("cargo runs");
            assert!(
                status.success(),
                "cargo build --example record_forever failed"
            );
        }
        assert!(exe.exists(), "{} missing", exe.display());
        exe
    })
    .clone()
}

/// The example recording to `path`, flushing every `every` records.
pub fn spawn(path: &Path, every: usize) -> (Child, Lines) {
    spawn_with(path, every, &[])
}

/// The example recording to `path`, flushing every `every` records, with
/// more arguments (`--pause MS`).
pub fn spawn_with(path: &Path, every: usize, more: &[&str]) -> (Child, Lines) {
    let mut child = Command::new(example())
        .arg(path)
        .args(["--every", &every.to_string()])
        .args(more)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the example starts");
    let out = child.stdout.take().expect("piped stdout");
    (child, Lines(BufReader::new(out)))
}

/// The example's output, as `flushing K` / `flushed K` events.
pub struct Lines(BufReader<ChildStdout>);

/// One line of the example's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Flushing(usize),
    Flushed(usize),
}

impl Lines {
    /// The next event, `None` at the end of the output.
    pub fn next_event(&mut self) -> Option<Event> {
        let mut line = String::new();
        if self.0.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let (word, k) = line.trim().split_once(' ')?;
        let k = k.parse().ok()?;
        match word {
            "flushing" => Some(Event::Flushing(k)),
            "flushed" => Some(Event::Flushed(k)),
            _ => None,
        }
    }
}

/// The record counts of `time`, `step` and `u` in a history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    pub time: usize,
    pub step: usize,
    pub u: usize,
}

impl Counts {
    pub fn min(self) -> usize {
        self.time.min(self.step).min(self.u)
    }
}

/// Check that every record of the history `f` holds is exactly what the
/// example wrote: `time` = k * 0.01, `step` = k, `u` = k..k+99.
pub fn check_records(f: &qnd::QGroup) -> Result<Counts, String> {
    f.goto_off();
    let err = |e: qnd::Error| e.to_string();
    let time: Vec<f64> = f.read("time").map_err(err)?;
    let step: Vec<i64> = f.read("step").map_err(err)?;
    let u: ndarray::Array2<f64> = f.read("u").map_err(err)?;
    for (k, &t) in time.iter().enumerate() {
        if t != k as f64 * 0.01 {
            return Err(format!("time[{k}] = {t}"));
        }
    }
    for (k, &s) in step.iter().enumerate() {
        if s != k as i64 {
            return Err(format!("step[{k}] = {s}"));
        }
    }
    if u.ncols() != 100 {
        return Err(format!("u has records of {} values", u.ncols()));
    }
    for (k, row) in u.rows().into_iter().enumerate() {
        if let Some((i, &v)) = row.iter().enumerate().find(|&(i, &v)| v != (k + i) as f64) {
            return Err(format!("u[{k}, {i}] = {v}"));
        }
    }
    Ok(Counts {
        time: time.len(),
        step: step.len(),
        u: u.nrows(),
    })
}
