//! An MPI job: `mpirun` started in a session of its own, its output read
//! line by line, bounded by a timeout, and killed whole.
//!
//! Open MPI puts each rank in a process group of its own, so killing
//! mpirun's process group leaves the ranks running: a job is started with
//! `setsid` and killed by sending SIGKILL to every process of its session
//! (each by its process id, found in `/proc`).

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The environment Open MPI needs as root and in containers; set for each
/// job unless the caller's environment sets it.
const OMPI_ENV: [(&str, &str); 3] = [
    ("OMPI_ALLOW_RUN_AS_ROOT", "1"),
    ("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"),
    ("OMPI_MCA_btl_vader_single_copy_mechanism", "none"),
];

/// Why the runner cannot start MPI jobs here, if it cannot: the message of
/// a `skipped: ...` line.
pub fn missing() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return Some("the MPI tests run on Linux only (they use /proc and setsid)".into());
    }
    for (exe, arg) in [("mpirun", "--version"), ("setsid", "--version")] {
        let ok = Command::new(exe)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Some(format!(
                "{exe} not found (make test-mpi installs Open MPI and parallel HDF5)"
            ));
        }
    }
    None
}

/// How a job ended.
#[derive(Debug)]
pub struct Ended {
    /// mpirun's exit status; `None` when the job was killed at its
    /// deadline.
    pub status: Option<ExitStatus>,
    /// Everything it printed on stdout and stderr (the ranks' output
    /// included), in the order read.
    pub output: String,
    /// Its running time.
    pub seconds: f64,
}

impl Ended {
    /// It ended by itself with status 0.
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }
}

/// A running job.
pub struct Job {
    child: Child,
    lines: Receiver<String>,
    output: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
    start: Instant,
    deadline: Instant,
    /// What the job is, for messages: `mpirun -n N ... CASE`.
    pub what: String,
}

impl Job {
    /// Start `mpirun --oversubscribe -n RANKS EXE rank CASE DIR`, with
    /// `env` added to the environment, to be killed if it runs longer than
    /// `timeout`.
    pub fn start(
        exe: &Path,
        ranks: usize,
        case: &str,
        dir: &Path,
        env: &[(&str, &str)],
        timeout: Duration,
    ) -> Job {
        let mut cmd = Command::new("setsid");
        cmd.arg("mpirun")
            .args(["--oversubscribe", "-n", &ranks.to_string()])
            .arg(exe)
            .args(["rank", case])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in OMPI_ENV {
            if std::env::var_os(k).is_none() {
                cmd.env(k, v);
            }
        }
        cmd.envs(env.iter().copied());
        let what = format!(
            "mpirun -n {ranks} ({case}{})",
            if env.is_empty() {
                String::new()
            } else {
                format!(", {env:?}")
            }
        );
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
        let (tx, lines) = channel();
        let output = Arc::new(Mutex::new(String::new()));
        let mut readers = Vec::new();
        let streams: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().expect("piped")),
            Box::new(child.stderr.take().expect("piped")),
        ];
        for stream in streams {
            let tx = tx.clone();
            let output = Arc::clone(&output);
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    {
                        let mut out = output.lock().expect("output lock");
                        out.push_str(&line);
                        out.push('\n');
                    }
                    let _ = tx.send(line);
                }
            }));
        }
        let start = Instant::now();
        Job {
            child,
            lines,
            output,
            readers,
            start,
            deadline: start + timeout,
            what,
        }
    }

    /// The next line the job prints (stdout or stderr), or `None` when it
    /// has closed both or its deadline came first.
    pub fn next_line(&mut self) -> Option<String> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        self.lines.recv_timeout(left).ok()
    }

    /// Wait for the job to end, killing it at its deadline.
    pub fn wait(mut self) -> Ended {
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() >= self.deadline => {
                    self.kill_all();
                    let _ = self.child.wait();
                    break None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => panic!("{}: wait: {e}", self.what),
            }
        };
        self.finish(status)
    }

    /// SIGKILL every process of the job (mpirun and the ranks) and wait for
    /// mpirun: what a job killed whole by the system leaves.
    pub fn kill(mut self) -> Ended {
        self.kill_all();
        let status = self.child.wait().ok();
        self.finish(status)
    }

    fn finish(mut self, status: Option<ExitStatus>) -> Ended {
        // ranks left behind (there should be none) would hold the files
        let left = self.session();
        if !left.is_empty() {
            self.kill_all();
        }
        let seconds = self.start.elapsed().as_secs_f64();
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        let mut output = std::mem::take(&mut *self.output.lock().expect("output lock"));
        if !left.is_empty() {
            output.push_str(&format!(
                "runner: processes {left:?} of the job were still running after mpirun ended (killed)\n"
            ));
        }
        Ended {
            status,
            output,
            seconds,
        }
    }

    /// Kill the whole session, again until it is empty (a rank could be
    /// starting while the list is made).
    fn kill_all(&self) {
        for _ in 0..50 {
            let pids = self.session();
            if pids.is_empty() {
                return;
            }
            let _ = Command::new("kill")
                .arg("-KILL")
                .args(pids.iter().map(u32::to_string))
                .stderr(Stdio::null())
                .status();
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The live processes of the job's session (mpirun is its leader, so
    /// the session id is mpirun's process id), zombies left out.
    fn session(&self) -> Vec<u32> {
        let sid = self.child.id();
        let mut pids = Vec::new();
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return pids;
        };
        for e in dir.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            // pid (comm) state ppid pgrp session ...: comm may hold spaces
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                continue;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            if fields.len() > 3 && fields[0] != "Z" && fields[3] == sid.to_string() {
                pids.push(pid);
            }
        }
        pids
    }
}

/// The MPI-IO components of Open MPI here (`ompio`, `romio321`, ...), from
/// `ompi_info`; none for another MPI.
pub fn io_components() -> Vec<String> {
    let Ok(out) = Command::new("ompi_info").arg("--parsable").output() else {
        return Vec::new();
    };
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("mca:io:"))
        .filter_map(|l| l.split(':').next())
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}
