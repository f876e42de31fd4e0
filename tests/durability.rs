//! The durability contract, proved by killing a recorder: the example
//! `record_forever` (record k: `time`, `step`, `u`; a flush every N
//! records, announced by `flushing K` and `flushed K`) is killed with
//! SIGKILL at random moments (a fixed seed) and at random moments of a
//! flush (after it says it starts, before it says it ended). Then, for
//! HDF5 and netCDF-3, `qnd::recover` must find every leaf readable, the
//! file must open, every record it holds must be exact, and at least the
//! last `K` flushed records must be there. netCDF-4 has no such
//! guarantee: its loss rate is printed, and its files are recovered and
//! read in a child process (`qnd --safe recover`, `qnd ls`), as netCDF-C
//! can crash on a damaged file.
#![cfg(all(feature = "hdf5", feature = "netcdf"))]

#[path = "common/recorder.rs"]
mod recorder;

use std::path::Path;
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use recorder::{check_records, spawn, Event, Fmt, Lines};

/// Kills at random moments, per format.
const RANDOM_KILLS: usize = 20;
/// Kills that must land inside a flush (the flush still running when the
/// process dies), per format.
const INSIDE_KILLS: usize = 5;
/// Most tries to get them.
const INSIDE_TRIES: usize = 30;
/// Records per flush: small for the random kills (many flushes), larger
/// for kills inside a flush (a flush long enough to be hit).
const EVERY_RANDOM: usize = 100;
const EVERY_INSIDE: usize = 2000;
/// Kills inside a flush land up to this many microseconds after it
/// starts (a flush of `EVERY_INSIDE` records takes a few milliseconds in
/// a debug build), so that they hit its every stage.
const INSIDE_DELAY_US: u64 = 4000;

/// xorshift64*: a fixed-seed generator, so that a failure happens again.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// When a run is killed.
#[derive(Clone, Copy, Debug)]
enum Timing {
    /// That many milliseconds after the first flush returned.
    After(u64),
    /// That many microseconds after flush number n (from 1) says it
    /// starts.
    InFlush(usize, u64),
}

/// What the writer said before it died.
#[derive(Debug)]
struct Killed {
    /// Records written by the last flush that returned.
    flushed: usize,
    /// Whether it died inside a flush (`flushing K` with no `flushed K`).
    inside: bool,
}

fn kill(child: &Mutex<Child>) {
    let mut c = child.lock().unwrap();
    let _ = c.kill(); // SIGKILL
    let _ = c.wait();
}

/// Run the writer on `path` and kill it at `timing`.
fn run_and_kill(path: &Path, every: usize, timing: Timing) -> Killed {
    let _ = std::fs::remove_file(path);
    let (child, mut lines) = spawn(path, every);
    let child = Arc::new(Mutex::new(child));
    let events = match timing {
        Timing::InFlush(n, us) => {
            let mut events = Vec::new();
            let mut seen = 0;
            while let Some(e) = lines.next_event() {
                events.push(e);
                if let Event::Flushing(_) = e {
                    seen += 1;
                    if seen == n {
                        std::thread::sleep(Duration::from_micros(us));
                        kill(&child);
                        break;
                    }
                }
            }
            // what it printed before it died
            events.extend(drain(lines));
            events
        }
        Timing::After(ms) => {
            let mut events = Vec::new();
            while let Some(e) = lines.next_event() {
                events.push(e);
                if let Event::Flushed(_) = e {
                    break;
                }
            }
            // the rest of the output is read meanwhile, so the writer
            // never waits on a full pipe
            let rest = std::thread::spawn(move || drain(lines));
            std::thread::sleep(Duration::from_millis(ms));
            kill(&child);
            events.extend(rest.join().unwrap());
            events
        }
    };
    kill(&child);
    let flushed = events
        .iter()
        .filter_map(|e| match e {
            Event::Flushed(k) => Some(*k),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let flushing = events
        .iter()
        .filter_map(|e| match e {
            Event::Flushing(k) => Some(*k),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    Killed {
        flushed,
        inside: flushing > flushed,
    }
}

/// Every event left in `lines`, to the end of the output.
fn drain(mut lines: Lines) -> Vec<Event> {
    let mut out = Vec::new();
    while let Some(e) = lines.next_event() {
        out.push(e);
    }
    out
}

/// Recover a killed file in a child process (`qnd --safe recover`, as
/// netCDF-C can crash on a damaged netCDF-4 file): an error when recovery
/// fails or finds records that do not read.
fn recover_in_child(path: &Path) -> Result<(), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .args(["--safe", "recover"])
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "qnd recover: {}: {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The kills of one format: `RANDOM_KILLS` at random moments, then kills
/// at the start of a flush until `INSIDE_KILLS` landed inside one; `check`
/// judges each killed file.
fn kill_many(fmt: Fmt, seed: u64, mut check: impl FnMut(&Path, &Killed)) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(seed);
    let started = Instant::now();
    for i in 0..RANDOM_KILLS {
        let path = dir.path().join(format!("random{i}.{}", fmt.ext()));
        let killed = run_and_kill(&path, EVERY_RANDOM, Timing::After(rng.below(250)));
        check(&path, &killed);
    }
    let (mut inside, mut tries) = (0, 0);
    // A PDB flush writes the buffered records and one copy of the
    // metadata: well under a millisecond, so kills land sooner after its
    // start, and more tries are allowed.
    let (window, most) = match fmt {
        Fmt::Pdb => (600, 3 * INSIDE_TRIES),
        _ => (INSIDE_DELAY_US, INSIDE_TRIES),
    };
    for i in 0..most {
        if inside == INSIDE_KILLS {
            break;
        }
        tries += 1;
        let path = dir.path().join(format!("inside{i}.{}", fmt.ext()));
        let n = 2 + rng.below(3) as usize;
        let us = rng.below(window);
        let killed = run_and_kill(&path, EVERY_INSIDE, Timing::InFlush(n, us));
        inside += usize::from(killed.inside);
        check(&path, &killed);
    }
    println!(
        "{fmt:?}: {RANDOM_KILLS} kills at random moments, {inside} inside a flush \
         (of {tries} tries), in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    inside
}

/// HDF5 and netCDF-3: every kill leaves a readable file with exact
/// records, the flushed ones at least.
fn contract_holds(fmt: Fmt, seed: u64) {
    let mut failures = Vec::new();
    let inside = kill_many(fmt, seed, |path, killed| {
        // the contract: `qnd recover` (which clears the status flags a
        // killed HDF5 writer leaves) finds everything readable, then the
        // file opens with every record exact
        let verdict = qnd::recover(path)
            .map_err(|e| format!("recover: {e}"))
            .and_then(|r| {
                if r.is_readable() {
                    Ok(())
                } else {
                    Err(format!("recover: {r}"))
                }
            })
            .and_then(|()| qnd::open(path, "r").map_err(|e| format!("does not open: {e}")))
            .and_then(|f| check_records(&f))
            .and_then(|counts| {
                if counts.min() < killed.flushed {
                    Err(format!("{counts:?}, {} were flushed", killed.flushed))
                } else {
                    Ok(())
                }
            });
        if let Err(e) = verdict {
            failures.push(format!("{} ({killed:?}): {e}", path.display()));
        }
    });
    assert!(failures.is_empty(), "{fmt:?}: {failures:#?}");
    assert!(
        inside >= INSIDE_KILLS,
        "{fmt:?}: only {inside} kills landed inside a flush"
    );
}

#[test]
fn hdf5_keeps_flushed_records_through_kills() {
    contract_holds(Fmt::Hdf5, 0x5eed_0001);
}

#[test]
fn netcdf3_keeps_flushed_records_through_kills() {
    contract_holds(Fmt::Netcdf3, 0x5eed_0003);
}

/// PDB: new metadata goes past the live one, and the header's two
/// addresses are written last, so a kill leaves the last flush readable.
#[cfg(feature = "pdb")]
#[test]
fn pdb_keeps_flushed_records_through_kills() {
    contract_holds(Fmt::Pdb, 0x5eed_0005);
}

/// The record counts `qnd ls` prints for `time`, `step` and `u`, read in a
/// child process; an error when it fails or dies.
fn counts_in_child(path: &Path) -> Result<usize, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .arg("ls")
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "qnd ls: {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut counts = Vec::new();
    for name in ["time", "step", "u"] {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .ok_or_else(|| format!("no {name} in {text}"))?;
        let n = line
            .split(" x ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| format!("no record count in {line:?}"))?;
        counts.push(n);
    }
    Ok(counts.into_iter().min().unwrap_or(0))
}

/// netCDF-4 (no SWMR in netCDF-C): the loss rate is measured and printed,
/// not judged.
#[test]
fn netcdf4_loss_rate_is_measured() {
    let (mut runs, mut lost_runs, mut unreadable, mut most_lost) = (0, 0, 0, 0);
    kill_many(Fmt::Netcdf4, 0x5eed_0004, |path, killed| {
        runs += 1;
        if let Err(e) = recover_in_child(path) {
            println!("netCDF-4 {}: {e}", path.display());
        }
        match counts_in_child(path) {
            Ok(n) if n < killed.flushed => {
                lost_runs += 1;
                most_lost = most_lost.max(killed.flushed - n);
            }
            Ok(_) => {}
            Err(e) => {
                println!("netCDF-4 {}: {e}", path.display());
                unreadable += 1;
            }
        }
    });
    assert!(runs >= RANDOM_KILLS);
    println!(
        "netCDF-4: {runs} kills: flushed records lost in {lost_runs} (at most {most_lost}), \
         {unreadable} files unreadable"
    );
}
