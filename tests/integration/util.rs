//! Running the real binary, with failures that show the command, its output and its exit code.
//!
//! Every run has a time limit: a run that outlives it is killed and the test fails at once with
//! what the command wrote so far, so a hang costs seconds, not the CI job's limit. The default
//! limit is [`default_timeout`]; `JMLOG_TEST_TIMEOUT` (seconds) overrides it. Temporary
//! directories are [`TempDir`]s: removed when dropped, also when a test fails.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The repository root (where `sample-logs/` and `tests/data/` live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample(name: &str) -> PathBuf {
    root().join("sample-logs").join(name)
}

pub fn data(rel: &str) -> PathBuf {
    root().join("tests/data").join(rel)
}

/// The jmlog executable under test.
pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("jmlog")
}

/// How long one run of jmlog may take: 60 s in a debug build, 20 s in a release build, or
/// `JMLOG_TEST_TIMEOUT` seconds.
pub fn default_timeout() -> Duration {
    if let Some(secs) = std::env::var("JMLOG_TEST_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0)
    {
        return Duration::from_secs_f64(secs);
    }
    if cfg!(debug_assertions) {
        Duration::from_secs(60)
    } else {
        Duration::from_secs(20)
    }
}

/// The finished run of a command.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    pub output: Output,
    /// How long it ran.
    pub elapsed: Duration,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    /// Asserts the exit code; otherwise panics showing everything about the run.
    #[track_caller]
    pub fn expect_code(&self, expected: i32) -> &Run {
        assert_eq!(
            self.code(),
            expected,
            "unexpected exit code after {:.1?}\ncommand: jmlog {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.elapsed,
            self.args.join(" "),
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Parses stdout as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.output.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e})\ncommand: jmlog {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                self.args.join(" "),
                self.stdout(),
                self.stderr()
            )
        })
    }
}

/// A run that outlived its time limit and was killed.
#[derive(Debug)]
pub struct TimedOut {
    pub args: Vec<String>,
    pub limit: Duration,
    /// From the start of the run to the kill.
    pub elapsed: Duration,
    /// What the command wrote before it was killed.
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "timed out after {:.1?} (limit {:?}) and was killed\ncommand: jmlog {}\n\
             --- stdout so far ({} bytes) ---\n{}\n--- stderr so far ---\n{}",
            self.elapsed,
            self.limit,
            self.args.join(" "),
            self.stdout.len(),
            String::from_utf8_lossy(&self.stdout[..self.stdout.len().min(4096)]),
            String::from_utf8_lossy(&self.stderr)
        )
    }
}

/// A run of jmlog being set up: arguments, standard input, environment, time limit.
pub struct Jmlog {
    args: Vec<OsString>,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
    command: Command,
}

impl Jmlog {
    /// jmlog with `args`, run in the repository root with stdin closed and NO_COLOR unset.
    pub fn new<I, S>(args: I) -> Jmlog
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Jmlog::program(bin(), args)
    }

    /// Any program (a wrapper such as `unshare`, or a stand-in), with the same time limit.
    pub fn program<I, S>(program: impl AsRef<std::ffi::OsStr>, args: I) -> Jmlog
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let mut command = Command::new(program);
        command
            .args(&args)
            .env_remove("NO_COLOR")
            .current_dir(root());
        Jmlog {
            args,
            stdin: None,
            timeout: default_timeout(),
            command,
        }
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Jmlog {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn timeout(mut self, limit: Duration) -> Jmlog {
        self.timeout = limit;
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Jmlog {
        self.command.env(key, value);
        self
    }

    /// Runs to the end or to the time limit, whichever comes first.
    pub fn try_run(mut self) -> Result<Run, TimedOut> {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let start = Instant::now();
        let mut child = self
            .command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("jmlog starts");
        // Standard input is written on its own thread: a child that never reads it cannot block
        // the test, only make it time out.
        if let Some(bytes) = self.stdin.take() {
            let mut pipe = child.stdin.take().unwrap();
            thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            });
        }
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        match wait_until(&mut child, start + self.timeout) {
            Some(status) => Ok(Run {
                args,
                output: Output {
                    status,
                    stdout: stdout.recv().unwrap_or_default(),
                    stderr: stderr.recv().unwrap_or_default(),
                },
                elapsed: start.elapsed(),
            }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                let elapsed = start.elapsed();
                // Whatever it wrote; a grandchild holding the pipes open cannot stall this.
                let grace = Duration::from_secs(1);
                Err(TimedOut {
                    args,
                    limit: self.timeout,
                    elapsed,
                    stdout: stdout.recv_timeout(grace).unwrap_or_default(),
                    stderr: stderr.recv_timeout(grace).unwrap_or_default(),
                })
            }
        }
    }

    /// Runs to the end; fails the test, showing everything, if it outlives its time limit.
    #[track_caller]
    pub fn run(self) -> Run {
        match self.try_run() {
            Ok(run) => run,
            Err(timed_out) => panic!("{timed_out}"),
        }
    }
}

/// Everything `input` yields, on a channel, read on a thread of its own.
fn collect(mut input: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut all = Vec::new();
        let _ = input.read_to_end(&mut all);
        let _ = tx.send(all);
    });
    rx
}

/// The child's exit status, or `None` once `deadline` has passed.
pub fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait().expect("waiting for jmlog") {
            return Some(status);
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// A child process that is killed when its time limit passes, or when the guard is dropped (so a
/// failed test leaves nothing running).
pub struct Watched {
    pub child: Child,
    pub deadline: Instant,
    stop: Option<mpsc::Sender<()>>,
}

impl Watched {
    /// Starts `command` with the default time limit.
    pub fn spawn(command: &mut Command) -> Watched {
        Watched::spawn_for(command, default_timeout())
    }

    /// Starts `command`; a watchdog kills it after `limit`.
    pub fn spawn_for(command: &mut Command, limit: Duration) -> Watched {
        let child = command.spawn().expect("the command starts");
        let pid = child.id();
        let (stop, stopped) = mpsc::channel::<()>();
        thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(limit) {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .stderr(Stdio::null())
                    .status();
            }
        });
        Watched {
            child,
            deadline: Instant::now() + limit,
            stop: Some(stop),
        }
    }

    /// Waits for the end; fails the test if the time limit passes first.
    #[track_caller]
    pub fn wait(&mut self) -> ExitStatus {
        // The watchdog may kill the child a moment before this wait gives up: an end at or after
        // the deadline is the watchdog's, and fails the test too.
        let status = wait_until(&mut self.child, self.deadline + Duration::from_millis(500));
        match status {
            Some(status) if Instant::now() < self.deadline => {
                self.stop.take();
                status
            }
            _ => panic!("the command outlived its time limit and was killed"),
        }
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        // Cancelling the watchdog before reaping means it never signals a recycled pid.
        self.stop.take();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs jmlog with `args`, stdin closed, colour and the environment's NO_COLOR out of the way,
/// under the default time limit.
#[track_caller]
pub fn jmlog<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Jmlog::new(args).run()
}

/// Runs jmlog with `stdin` as its standard input, under the default time limit.
#[track_caller]
pub fn jmlog_with_stdin<I, S>(args: I, stdin: &[u8]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Jmlog::new(args).stdin(stdin).run()
}

/// A path as a string argument.
pub fn arg(path: &Path) -> String {
    path.display().to_string()
}

/// A fresh, empty directory for one test's files, removed with everything in it when dropped.
pub struct TempDir(tempfile::TempDir);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

/// `text` as UTF-16 with its byte-order mark, little- or big-endian, as Windows tools write logs.
pub fn utf16_with_bom(text: &str, big_endian: bool) -> Vec<u8> {
    let bom: [u8; 2] = if big_endian {
        [0xfe, 0xff]
    } else {
        [0xff, 0xfe]
    };
    bom.into_iter()
        .chain(text.encode_utf16().flat_map(move |unit| {
            if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            }
        }))
        .collect()
}

/// A fresh, empty directory under `$TMPDIR`, removed when the returned guard is dropped.
pub fn tempdir() -> TempDir {
    TempDir(
        tempfile::Builder::new()
            .prefix("jmlog-test-")
            .tempdir()
            .expect("a temporary directory"),
    )
}

/// `n` with thousands separators (1234567 as "1,234,567"), as jmlog writes counts in its messages
/// and reports; written here rather than borrowed from the code under test.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Every report format jmlog writes.
pub const FORMATS: [&str; 7] = [
    "text",
    "json",
    "markdown",
    "csv",
    "ndjson",
    "html",
    "prometheus",
];

#[cfg(test)]
mod harness {
    use super::*;

    /// A run that hangs fails in about its time limit, with the hang named: `annotate` on a FIFO
    /// that nobody opens for writing blocks in `open()` forever.
    #[test]
    fn a_hanging_run_times_out_in_seconds() {
        let dir = tempdir();
        let fifo = dir.join("nobody-writes");
        let made = Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let start = Instant::now();
        let result = Jmlog::new(["annotate", &arg(&fifo)])
            .timeout(Duration::from_millis(500))
            .try_run();
        let took = start.elapsed();
        let timed_out = result.expect_err("jmlog annotate on a silent FIFO cannot end by itself");
        assert!(
            took < Duration::from_secs(3),
            "the harness gave up after {took:?}"
        );
        let message = timed_out.to_string();
        assert!(message.starts_with("timed out after"), "{message}");
        assert!(message.contains("annotate"), "{message}");

        // `run` turns the same hang into a failed test.
        let panicked = std::panic::catch_unwind(|| {
            Jmlog::new(["annotate", &arg(&fifo)])
                .timeout(Duration::from_millis(300))
                .run()
        });
        let payload = panicked.expect_err("a hang fails the test");
        let text = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(text.contains("timed out"), "{text}");
    }

    /// The watchdog of a spawned child kills it at its limit, and a child that sleeps ends the
    /// wait in seconds.
    #[test]
    fn a_watched_child_is_killed_at_its_limit() {
        let start = Instant::now();
        let mut sleeper =
            Watched::spawn_for(Command::new("sleep").arg("600"), Duration::from_millis(300));
        let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sleeper.wait()));
        assert!(waited.is_err(), "the wait fails at the limit");
        assert!(start.elapsed() < Duration::from_secs(3));
        // And the watchdog itself has killed it.
        let status = sleeper.child.wait().unwrap();
        assert!(!status.success());
    }

    /// A temporary directory is gone once its guard is dropped, also when the test panics.
    #[test]
    fn temporary_directories_are_removed_even_on_failure() {
        let kept = std::panic::catch_unwind(|| {
            let dir = tempdir();
            std::fs::write(dir.join("a.log"), "x").unwrap();
            let path = dir.to_path_buf();
            std::panic::panic_any(path);
        });
        let path = kept
            .expect_err("the closure panics")
            .downcast::<PathBuf>()
            .unwrap();
        assert!(!path.exists(), "{} was left behind", path.display());
    }

    #[test]
    fn the_default_limit_can_be_set() {
        // Only read here, never set: the tests run in parallel in one process.
        let limit = default_timeout();
        match std::env::var("JMLOG_TEST_TIMEOUT") {
            Ok(s) => assert_eq!(limit, Duration::from_secs_f64(s.trim().parse().unwrap())),
            Err(_) => assert!(limit >= Duration::from_secs(20)),
        }
    }
}
