//! Running the real binary, with failures that show the command, its output and its exit code.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

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

/// The finished run of a command.
pub struct Run {
    pub args: Vec<String>,
    pub output: Output,
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
            "unexpected exit code\ncommand: jmlog {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
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

/// Runs jmlog with `args`, stdin closed, colour and the environment's NO_COLOR out of the way.
pub fn jmlog<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    run(args, None)
}

/// Runs jmlog with `stdin` as its standard input.
pub fn jmlog_with_stdin<I, S>(args: I, stdin: &[u8]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    run(args, Some(stdin))
}

fn run<I, S>(args: I, stdin: Option<&[u8]>) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let mut command = Command::cargo_bin("jmlog").expect("the jmlog binary is built");
    command
        .args(&args)
        .env_remove("NO_COLOR")
        .current_dir(root());
    if let Some(stdin) = stdin {
        command.write_stdin(stdin.to_vec());
    }
    let output = command.output().expect("jmlog runs");
    Run {
        args: args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        output,
    }
}

/// A path as a string argument.
pub fn arg(path: &Path) -> String {
    path.display().to_string()
}

/// A fresh, empty directory for one test's files.
pub fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "jmlog-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
