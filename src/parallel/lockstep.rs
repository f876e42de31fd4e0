//! Keeping the processes that write one file in step: every collective
//! call is a *step* whose outcome every process learns.
//!
//! Each process runs a collective call ([`Lockstep::run`]) as:
//!
//! 1. its body, which before each action that changes the file or the
//!    record buffers calls [`Lockstep::before_change`]: an all-reduce that
//!    says whether every process is there too, with the same call (a hash
//!    of it), and nobody has failed. If not, the action is not taken (an
//!    error, [`StorageError::Collective`], unwinds the body);
//! 2. an end sync: all-reduces until every process has finished its body
//!    (a process that failed early waits for those still at an action:
//!    they see it finished and give up theirs), then combines: the lowest
//!    rank that failed, with its message (broadcast), or "out of step".
//!
//! Each all-reduce carries six words (maximum over processes): whether the
//! process is at its end, the same negated (the minimum), whether it
//! failed, the call's hash and its negation (to compare minimum and
//! maximum), and which rank failed. Every process makes the same number
//! of all-reduces in a step: a process gives up at its first action after
//! another finished, so one finished process waits for at most one more
//! round.

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use qnd_storage::Fnv;

use super::Comm;
use crate::backend::StorageError;
use crate::error::{Error, Result};

/// A hash of a collective call: its kind, the path of the item it is
/// called on, its name argument, and anything else that must agree
/// (`extra`: the recording mode, a dtype and shape). Builds nothing.
pub(crate) fn call_key(what: &str, path: &str, name: &str, extra: u64) -> u64 {
    let mut h = Fnv::default();
    what.hash(&mut h);
    path.hash(&mut h);
    name.hash(&mut h);
    extra.hash(&mut h);
    h.finish()
}

/// Why a step was given up on this process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GaveUp {
    /// Another process failed (or finished early).
    Failed,
    /// The processes are not making the same call.
    OutOfStep,
}

/// The step under way on this process.
#[derive(Debug, Default)]
struct Step {
    /// Nesting: a collective call made by another (`update` calling `set`)
    /// is part of its step.
    depth: u32,
    /// The hash of the outermost call.
    key: u64,
    /// Set when an action was given up.
    gave_up: Option<GaveUp>,
}

/// The lockstep of the processes writing one file (see the
/// [module docs](self)): one per open parallel file, shared by its
/// handles and its storage layer.
pub(crate) struct Lockstep {
    comm: Arc<dyn Comm>,
    step: Mutex<Step>,
}

const AT_END: usize = 0;
const NOT_AT_END: usize = 1;
const FAILED: usize = 2;
const KEY: usize = 3;
const NOT_KEY: usize = 4;
const FAILED_RANK: usize = 5;

/// How a step ended, as every process sees it.
enum Outcome {
    Done,
    Failed { rank: usize, message: String },
    OutOfStep,
}

impl Lockstep {
    pub fn new(comm: Arc<dyn Comm>) -> Lockstep {
        Lockstep {
            comm,
            step: Mutex::new(Step::default()),
        }
    }

    pub fn comm(&self) -> &dyn Comm {
        &*self.comm
    }

    fn step(&self) -> MutexGuard<'_, Step> {
        self.step.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Run `body` as one collective call of kind `what` and hash `key`, on
    /// item `path` of `file` (for errors): every process gets an error
    /// when it fails on any (see the [module docs](self)).
    ///
    /// # Errors
    /// The body's own error on a process where it failed; on the others
    /// [`Error::Parallel`] naming the lowest rank that failed and its
    /// error; [`Error::OutOfStep`] on every process when they made
    /// different calls.
    pub fn run<T>(
        &self,
        file: &Path,
        what: &'static str,
        path: &str,
        key: u64,
        body: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let rank = self.comm.rank();
        let describe = |e: &Error| crate::error_chain(e);
        self.stepped(key, body, describe, |failed, message| match failed {
            Some(failed) => Error::Parallel {
                file: file.into(),
                path: path.into(),
                call: what,
                rank: failed,
                message,
            },
            None => Error::OutOfStep {
                file: file.into(),
                path: path.into(),
                call: what,
                rank,
            },
        })
    }

    /// Run storage call `call` (of kind `what`) as an action of the step
    /// under way, or as a step of its own when there is none (a file
    /// closed at drop).
    ///
    /// # Errors
    /// The call's error, or as [`Lockstep::before_change`]; as a step of
    /// its own, [`StorageError::Collective`] naming another process's
    /// failure.
    pub fn action<T>(
        &self,
        what: &'static str,
        call: impl FnOnce() -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        if self.step().depth > 0 {
            self.before_change()?;
            return call();
        }
        let key = call_key(what, "", "", 0);
        let body = || {
            self.before_change()?;
            call()
        };
        self.stepped(key, body, ToString::to_string, |rank, message| {
            StorageError::Collective(match rank {
                Some(rank) => format!("{what} failed on rank {rank}: {message}"),
                None => format!("{what}: the processes made different collective calls"),
            })
        })
    }

    /// The step (see the [module docs](self)): `body` run, nested in the
    /// step under way if there is one (then nothing more), else as a step
    /// of its own, ended by [`Lockstep::end`]. `describe` spells this
    /// process's failure for the others; `other(rank, message)` is the
    /// error of a process whose body did not fail when rank `rank` failed
    /// (`None`: out of step).
    fn stepped<T, E>(
        &self,
        key: u64,
        body: impl FnOnce() -> Result<T, E>,
        describe: impl FnOnce(&E) -> String,
        other: impl FnOnce(Option<usize>, String) -> E,
    ) -> Result<T, E> {
        {
            let mut step = self.step();
            if step.depth > 0 {
                step.depth += 1;
                drop(step);
                let done = body();
                self.step().depth -= 1;
                return done;
            }
            *step = Step {
                depth: 1,
                key,
                gave_up: None,
            };
        }
        let done = body();
        let gave_up = {
            let mut step = self.step();
            step.depth = 0;
            step.gave_up
        };
        // a body that gave up failed because of another process
        let own = match (&done, gave_up) {
            (Err(e), None) => Some(describe(e)),
            _ => None,
        };
        match self.end(key, own, gave_up) {
            Outcome::Done => done,
            Outcome::Failed { rank, .. } if rank == self.comm.rank() => done,
            Outcome::Failed { rank, message } => match done {
                Err(e) if gave_up.is_none() => Err(e),
                _ => Err(other(Some(rank), message)),
            },
            Outcome::OutOfStep => Err(other(None, String::new())),
        }
    }
    /// Called before an action that changes the file or the record
    /// buffers, inside a step (outside one, the action is a step of its
    /// own: see [`Lockstep::action`]).
    ///
    /// # Errors
    /// [`StorageError::Collective`] when the action must not be taken:
    /// another process failed or finished its body, or made another call.
    pub fn before_change(&self) -> Result<(), StorageError> {
        let mut step = self.step();
        if let Some(g) = step.gave_up {
            return Err(gave_up(g));
        }
        let key = step.key;
        let mut words = [0, 1, 0, key, !key, 0];
        self.comm.all_max(&mut words);
        let g = if words[AT_END] == 1 || words[FAILED] > 0 {
            GaveUp::Failed
        } else if words[KEY] != !words[NOT_KEY] {
            GaveUp::OutOfStep
        } else {
            return Ok(());
        };
        step.gave_up = Some(g);
        Err(gave_up(g))
    }

    /// The end of a step: wait until every process has finished its
    /// body, then combine (see the [module docs](self)). `own` is this
    /// process's failure.
    fn end(&self, key: u64, own: Option<String>, gave_up: Option<GaveUp>) -> Outcome {
        let rank = self.comm.rank();
        let failed = u64::from(own.is_some());
        let me = if own.is_some() {
            u64::MAX - rank as u64
        } else {
            0
        };
        let mut any_failed = false;
        let mut lowest = u64::MAX;
        let mut out_of_step = gave_up == Some(GaveUp::OutOfStep);
        loop {
            let mut words = [1, 0, failed, key, !key, me];
            self.comm.all_max(&mut words);
            any_failed |= words[FAILED] > 0;
            if words[FAILED_RANK] > 0 {
                lowest = lowest.min(u64::MAX - words[FAILED_RANK]);
            }
            out_of_step |= words[KEY] != !words[NOT_KEY];
            if words[NOT_AT_END] == 0 {
                break;
            }
            // some process is still at an action: it gives that up now
            out_of_step |= !any_failed;
        }
        if any_failed {
            let root = usize::try_from(lowest).unwrap_or(0);
            let mut bytes = own.map(String::into_bytes).unwrap_or_default();
            self.comm.broadcast(root, &mut bytes);
            return Outcome::Failed {
                rank: root,
                message: String::from_utf8_lossy(&bytes).into_owned(),
            };
        }
        if out_of_step {
            return Outcome::OutOfStep;
        }
        Outcome::Done
    }

    /// `x` of every process, by rank: a collective exchange inside a step,
    /// taken as an action (see [`Lockstep::before_change`]).
    ///
    /// # Errors
    /// As [`Lockstep::before_change`].
    pub fn all_gather(&self, x: u64) -> Result<Vec<u64>, StorageError> {
        self.before_change()?;
        Ok(self.comm.all_gather(x))
    }

    /// `xs` of every process, concatenated: as [`Lockstep::all_gather`].
    ///
    /// # Errors
    /// As [`Lockstep::before_change`].
    pub fn all_gather_v(&self, xs: &[u64]) -> Result<Vec<u64>, StorageError> {
        self.before_change()?;
        Ok(self.comm.all_gather_v(xs))
    }

    /// The bytes of process `root` on every process: as
    /// [`Lockstep::all_gather`].
    ///
    /// # Errors
    /// As [`Lockstep::before_change`].
    pub fn broadcast(&self, root: usize, bytes: &mut Vec<u8>) -> Result<(), StorageError> {
        self.before_change()?;
        self.comm.broadcast(root, bytes);
        Ok(())
    }
}

fn gave_up(g: GaveUp) -> StorageError {
    StorageError::Collective(match g {
        GaveUp::Failed => "given up: another process failed in this collective call".into(),
        GaveUp::OutOfStep => "given up: the processes made different collective calls".into(),
    })
}

/// What of a group's modes must agree between processes for a call that
/// writes through it: the recording mode, and with recording off the
/// record goto points at (a `set` of a record variable then overwrites
/// that record). Goto in a recording mode is each process's own business
/// (a rank may read another record before it appends).
pub(crate) fn state_key(state: crate::state::State) -> u64 {
    use crate::state::Recording;
    match (state.recording, state.goto) {
        (Recording::Off, None) => 0,
        (Recording::Off, Some(r)) => (r as u64) << 8 | 0x10,
        (Recording::Uniform, _) => 1,
        (Recording::Any, _) => 2,
    }
}
