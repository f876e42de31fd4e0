//! A second process for tests of what one process sees of another (locks,
//! a killed writer): the test executable runs itself again, with only one
//! `#[ignore]`d test selected and the job for it in an environment
//! variable. The child says when it is ready on stdout, then waits until
//! the parent closes its stdin (or kills it).

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

/// Serialize the tests of one test executable that start children: the
/// C libraries open files without close-on-exec (the backends mark them
/// just after), so a child started by one test while another test opens a
/// file could inherit that descriptor, and HDF5's lock with it, until it
/// ends. Every test of such an executable holds this while it runs.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|p| p.into_inner())
}

/// The environment variable that holds the child's job.
pub const ENV: &str = "QND_TEST_CHILD_JOB";
const READY: &str = "QND-TEST-CHILD-READY";

/// In the child test: run `work` on the job, when this process is a child
/// (the test does nothing when run otherwise, e.g. by `--ignored`).
pub fn serve(work: impl FnOnce(&str)) {
    if let Ok(job) = std::env::var(ENV) {
        work(&job);
    }
}

/// In the child: tell the parent the job is ready, then wait until the
/// parent closes stdin.
pub fn ready_and_wait() {
    println!("{READY}");
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
}

/// A child process running one job.
pub struct Child {
    proc: std::process::Child,
}

impl Child {
    /// Start this test executable with only test `test` selected, on
    /// `job`, and wait until it is ready.
    #[track_caller]
    pub fn start(test: &str, job: &str) -> Child {
        let exe = std::env::current_exe().expect("the test executable");
        let mut proc = Command::new(exe)
            .args([
                test,
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ENV, job)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the child");
        let out = proc.stdout.take().expect("piped stdout");
        // read the child's stdout to its end (so that it never writes to a
        // closed pipe), saying when it is ready
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut seen = String::new();
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if line.contains(READY) {
                    let _ = tx.send(Ok(()));
                } else {
                    seen.push_str(&line);
                    seen.push('\n');
                }
            }
            let _ = tx.send(Err(seen));
        });
        match rx.recv() {
            Ok(Ok(())) => Child { proc },
            other => {
                let status = proc.wait().expect("wait for the child");
                let seen = match other {
                    Ok(Err(seen)) => seen,
                    _ => String::new(),
                };
                panic!("the child ({job}) ended before it was ready ({status}); stdout:\n{seen}");
            }
        }
    }

    /// Let the child finish its job (close its stdin) and check it
    /// succeeded.
    #[track_caller]
    pub fn finish(mut self) {
        drop(self.proc.stdin.take());
        let status = self.proc.wait().expect("wait for the child");
        assert!(status.success(), "the child failed: {status}");
    }

    /// Kill the child with SIGKILL (on Unix) and wait for it.
    pub fn kill(mut self) {
        let _ = self.proc.kill();
        let _ = self.proc.wait();
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if let Ok(None) = self.proc.try_wait() {
            let _ = self.proc.kill();
            let _ = self.proc.wait();
        }
    }
}
