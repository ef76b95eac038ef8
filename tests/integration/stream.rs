//! Streaming: `jmlog annotate` as a filter (golden outputs, bytes passed through untouched, one
//! line out for each line in), and `jmlog watch` following files through rotation and truncation.
//!
//! Streaming tests run jmlog as a child process and read its output on threads, waiting for each
//! expected line with a timeout instead of sleeping: they take as long as jmlog needs, no longer.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{Watched, arg, bin, jmlog, jmlog_with_stdin, root, tempdir, utf16_with_bom};

/// How long to wait for a line that should come at once.
const PATIENCE: Duration = Duration::from_secs(5);

fn golden(name: &str) -> PathBuf {
    root().join("tests/golden/annotate").join(name)
}

/// Golden cases: the arguments before the input, and the expected output.
const GOLDEN: &[(&[&str], &str)] = &[
    (&[], "session.en.txt"),
    (&["--only"], "session.only.txt"),
    (&["--lang", "zh"], "session.zh.txt"),
];

#[test]
fn annotate_gives_the_golden_output() {
    let input = arg(&golden("session.log"));
    for (args, expected) in GOLDEN {
        let mut all = vec!["annotate"];
        all.extend_from_slice(args);
        all.push(&input);
        let run = jmlog(&all);
        run.expect_code(0);
        let want = fs::read_to_string(golden(expected)).unwrap();
        assert_eq!(
            run.stdout(),
            want,
            "jmlog {} against tests/golden/annotate/{expected}",
            all.join(" ")
        );
        assert_eq!(run.stderr(), "");
    }
}

/// A big log (many blocks of the parallel path) with what its edges could get wrong: CRLF and
/// bytes that are not UTF-8, empty lines, codes on the first and last lines, a line longer than
/// the parallel path takes (the rest then goes line by line), and a last line without a newline.
fn big_log() -> Vec<u8> {
    let mut text = b"E/JMessage: login failed code=801004\r\n\n".to_vec();
    jmlog::synth::write_logs(&mut text, 12 << 20, 11).unwrap();
    text.extend_from_slice(b"\xff\xfe gbk \xb4\xed code=803008\r\n\r\n\n");
    jmlog::synth::write_logs(&mut text, 6 << 20, 12).unwrap();
    text.extend_from_slice(b"errorCode=812345 before a long line\n");
    text.extend(std::iter::repeat_n(b'7', 5 << 20));
    text.extend_from_slice(b" code=801004 at the end of a long line\n");
    jmlog::synth::write_logs(&mut text, 3 << 20, 13).unwrap();
    text.extend_from_slice(b"last line: send failed, code = 803008");
    text
}

/// Runs jmlog with standard input read from the file at `path` (not a pipe).
fn jmlog_with_stdin_file(args: &[&str], path: &Path) -> Vec<u8> {
    let output = assert_cmd::Command::cargo_bin("jmlog")
        .unwrap()
        .args(args)
        .env_remove("NO_COLOR")
        .pipe_stdin(path)
        .unwrap()
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    output.stdout
}

#[test]
fn annotate_of_a_big_file_is_byte_for_byte_what_a_pipe_gives() {
    let dir = tempdir();
    let text = big_log();
    let path = dir.join("big.log");
    fs::write(&path, &text).unwrap();
    for options in [&[][..], &["--only"], &["--loose", "--lang", "zh"]] {
        let mut args = vec!["annotate"];
        args.extend_from_slice(options);
        // Through a pipe: line by line.
        let piped = jmlog_with_stdin(&args, &text);
        piped.expect_code(0);
        let piped = &piped.output.stdout;
        // Named: a regular file, annotated in parallel blocks.
        args.push(path.to_str().unwrap());
        let named = jmlog(&args);
        named.expect_code(0);
        let named = &named.output.stdout;
        assert!(
            named == piped,
            "{options:?}: {} bytes from the file, {} through a pipe; first difference at {:?}",
            named.len(),
            piped.len(),
            named.iter().zip(piped.iter()).position(|(a, b)| a != b)
        );
        // Standard input redirected from the file is a regular file too.
        args.pop();
        assert!(
            jmlog_with_stdin_file(&args, &path) == *piped,
            "{options:?} < file"
        );
        // What the output holds: every line, or only those with codes, annotated.
        let lines = piped.split(|&b| b == b'\n').count();
        if options.is_empty() {
            assert_eq!(lines, text.split(|&b| b == b'\n').count());
            assert!(
                piped
                    .starts_with("E/JMessage: login failed code=801004  ⟨801004 login:".as_bytes())
            );
            assert!(piped.ends_with(
                "sender is on the receiver's blacklist (one-to-one chats only).⟩".as_bytes()
            ));
        }
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn annotate_reads_standard_input() {
    let input = fs::read(golden("session.log")).unwrap();
    let want = fs::read_to_string(golden("session.en.txt")).unwrap();
    for args in [&["annotate"][..], &["annotate", "-"]] {
        let run = jmlog_with_stdin(args, &input);
        run.expect_code(0);
        assert_eq!(run.stdout(), want, "jmlog {}", args.join(" "));
    }
}

#[test]
fn annotate_passes_crlf_and_bytes_that_are_not_utf8_through() {
    // GBK text ("错误码" is b4 ed ce f3 c2 eb), a NUL, CRLF terminators, no final newline.
    let input = b"\xb4\xed\xce\xf3\xc2\xeb code=801004\r\nplain \x00 line\r\n\xff\xfe code=803008";
    let mut want = Vec::new();
    want.extend_from_slice(b"\xb4\xed\xce\xf3\xc2\xeb code=801004");
    want.extend_from_slice("  ⟨801004 login: Login failed: the password is wrong.⟩\r\n".as_bytes());
    want.extend_from_slice(b"plain \x00 line\r\n\xff\xfe code=803008");
    want.extend_from_slice(
        "  ⟨803008 messaging: Sending the message failed: the sender is on the receiver's \
         blacklist (one-to-one chats only).⟩"
            .as_bytes(),
    );
    let run = jmlog_with_stdin(["annotate"], input);
    run.expect_code(0);
    assert_eq!(run.output.stdout, want, "stdout: {}", run.stdout());

    // Lines without codes pass through as they are, whatever they hold.
    let junk: Vec<u8> = (0..=255u8).chain(b"\n\r\n\n".iter().copied()).collect();
    let run = jmlog_with_stdin(["annotate"], &junk);
    run.expect_code(0);
    assert_eq!(run.output.stdout, junk);
}

#[test]
fn annotate_colours_only_when_asked() {
    let line = b"login failed, code=801004\n";
    let plain = jmlog_with_stdin(["annotate"], line);
    plain.expect_code(0);
    assert!(!plain.stdout().contains('\x1b'), "{}", plain.stdout());

    let coloured = jmlog_with_stdin(["--color", "always", "annotate"], line);
    coloured.expect_code(0);
    let out = coloured.stdout();
    assert!(out.starts_with("login failed, code=801004  "), "{out:?}");
    assert!(out.contains("\x1b[36m801004\x1b[0m"), "{out:?}");
    assert!(out.ends_with("\n"), "{out:?}");
}

#[test]
fn annotate_names_an_input_it_cannot_open() {
    let dir = tempdir();
    let missing = dir.join("missing.log");
    let run = jmlog(["annotate", &arg(&missing)]);
    run.expect_code(2);
    assert!(
        run.stderr().starts_with("jmlog: ") && run.stderr().contains("missing.log"),
        "{}",
        run.stderr()
    );
}

#[test]
fn annotate_writes_each_line_before_the_next_arrives() {
    let mut jm = Running::start(&["annotate"]);
    let mut stdin = jm.stdin.take().unwrap();
    let lines = [
        (
            "11:00:01 login failed, code=801004",
            "  ⟨801004 login: Login failed: the password is wrong.⟩",
        ),
        ("11:00:02 heartbeat ok", ""),
        (
            "11:00:03 send failed, code=899002",
            "  ⟨899002 account: The request failed: the user does not exist.⟩",
        ),
    ];
    for (line, annotation) in lines {
        stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
        // The line must come out while jmlog still waits for more input.
        let got = jm.stdout_line();
        assert_eq!(got, format!("{line}{annotation}\n"));
    }
    drop(stdin);
    assert_eq!(jm.wait().code(), Some(0), "{}", jm.stderr_so_far());
}

#[test]
fn annotate_ends_quietly_when_the_reader_goes_away() {
    let mut jm = Running::start(&["annotate"]);
    let mut stdin = jm.stdin.take().unwrap();
    stdin.write_all(b"code=801004\n").unwrap();
    jm.stdout_line();
    jm.close_stdout();
    // jmlog fails to write the next line, and ends; then writing to it fails too.
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline && stdin.write_all(b"code=801004\n").is_ok() {
        thread::sleep(Duration::from_millis(5));
    }
    drop(stdin);
    assert_eq!(jm.wait().code(), Some(0));
    assert_eq!(jm.stderr_so_far(), "");
}

/// With a large, endless input, annotate ends within two seconds of its reader going away: a
/// failed write ends it, it does not read on.
#[test]
fn annotate_ends_at_once_when_the_reader_goes_away_from_an_endless_input() {
    let mut jm = Watched::spawn_for(
        Command::new(bin())
            .args(["annotate", "--color", "never"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
        Duration::from_secs(30),
    );
    // A writer that never stops by itself: 1 MiB blocks of lines with codes, until jmlog is gone.
    let mut stdin = jm.child.stdin.take().unwrap();
    let block = "W/Chat: send failed, code=803008, retrying\n".repeat((1 << 20) / 42);
    let writer = thread::spawn(move || {
        let mut written = 0u64;
        while stdin.write_all(block.as_bytes()).is_ok() {
            written += block.len() as u64;
        }
        written
    });
    let stderr = jm.child.stderr.take().unwrap();
    let stderr = thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
        text
    });
    // Read 4 MiB of annotated output, then go away like `head -c`.
    let mut stdout = jm.child.stdout.take().unwrap();
    let mut seen = vec![0u8; 4 << 20];
    std::io::Read::read_exact(&mut stdout, &mut seen).unwrap();
    let first = String::from_utf8_lossy(&seen[..200]).into_owned();
    assert!(
        first.starts_with("W/Chat: send failed, code=803008, retrying  \u{27e8}803008 "),
        "{first}"
    );
    drop(stdout);
    let gone = Instant::now();
    let status = crate::util::wait_until(&mut jm.child, gone + Duration::from_secs(2));
    let took = gone.elapsed();
    let status = status.unwrap_or_else(|| {
        panic!("annotate still runs {took:?} after its reader went away, reading on")
    });
    assert_eq!(
        status.code(),
        Some(0),
        "ends quietly, as `| head` would have it"
    );
    assert_eq!(stderr.join().unwrap(), "");
    assert!(writer.join().unwrap() >= 1 << 20);
}

/// A line the writer appends to a followed log: numbered, with one code.
fn log_line(n: usize, code: u32) -> String {
    format!("2026-11-26 05:12:{n:02} ERROR request failed, code={code}\n")
}

fn append(path: &Path, text: &str) {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

fn lines_of(code: u32, count: usize) -> String {
    (1..=count).map(|n| log_line(n, code)).collect()
}

/// Per code, the line numbers of its events.
fn event_lines(events: &[Value]) -> BTreeMap<u64, Vec<u64>> {
    let mut lines: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for e in events {
        assert_eq!(e["type"], "code", "{e}");
        lines
            .entry(e["code"].as_u64().unwrap())
            .or_default()
            .push(e["line"].as_u64().unwrap());
    }
    lines
}

/// Per code, its count in a summary's report.
fn summary_counts(summary: &Value) -> BTreeMap<u64, u64> {
    assert_eq!(summary["type"], "summary", "{summary}");
    summary["report"]["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["code"].as_u64().unwrap(), r["count"].as_u64().unwrap()))
        .collect()
}

#[test]
fn watch_counts_every_code_once_through_rotation_and_truncation() {
    let dir = tempdir();
    let log = dir.join("app.log");
    append(&log, &lines_of(801004, 3));
    let mut jm = Running::start(&["watch", "--from-start", "--interval", "20", &arg(&log)]);
    let mut events = jm.events(3);

    // Rotation: the old file gets two more lines after the rename, then a new file appears.
    fs::rename(&log, dir.join("app.log.1")).unwrap();
    append(&dir.join("app.log.1"), &lines_of(803008, 2));
    append(&log, &lines_of(899002, 3));
    events.extend(jm.events(5));

    // Copytruncate: the file is emptied and written again, shorter than before.
    OpenOptions::new()
        .write(true)
        .open(&log)
        .unwrap()
        .set_len(0)
        .unwrap();
    append(&log, &lines_of(810001, 2));
    events.extend(jm.events(2));

    jm.interrupt();
    let rest = jm.remaining_stdout();
    let status = jm.wait();
    assert_eq!(status.code(), Some(0), "{}", jm.stderr_so_far());
    assert_eq!(rest.len(), 1, "only the summary is left: {rest:?}");
    let summary: Value = serde_json::from_str(&rest[0]).unwrap();

    let written: BTreeMap<u64, u64> = [(801004, 3), (803008, 2), (899002, 3), (810001, 2)].into();
    assert_eq!(summary_counts(&summary), written, "{summary}");
    // Line numbers are the file's: they go on in the rotated file and restart in each new content.
    let want: BTreeMap<u64, Vec<u64>> = [
        (801004, vec![1, 2, 3]),
        (803008, vec![4, 5]),
        (899002, vec![1, 2, 3]),
        (810001, vec![1, 2]),
    ]
    .into();
    assert_eq!(event_lines(&events), want);
    assert_eq!(summary["report"]["totals"]["lines"], 10);
    let notes = jm.stderr_so_far();
    assert!(notes.contains("was replaced"), "{notes}");
    assert!(notes.contains("was truncated"), "{notes}");
}

#[test]
fn watch_starts_at_the_end_unless_asked() {
    let dir = tempdir();
    let log = dir.join("app.log");
    append(&log, &lines_of(801004, 2));
    let mut jm = Running::start(&["watch", "--interval", "20", &arg(&log)]);
    // Lines appended before jmlog has found the end would be skipped: wait until it says so.
    let note = jm.stderr_line();
    assert!(note.contains("from line 3"), "{note}");

    append(&log, &log_line(3, 803008));
    let events = jm.events(1);
    assert_eq!(event_lines(&events), [(803008, vec![3])].into());

    jm.interrupt();
    let rest = jm.remaining_stdout();
    assert_eq!(jm.wait().code(), Some(0), "{}", jm.stderr_so_far());
    assert_eq!(rest.len(), 1, "{rest:?}");
    let summary: Value = serde_json::from_str(&rest[0]).unwrap();
    assert_eq!(summary_counts(&summary), [(803008, 1)].into());
}

#[test]
fn watch_follows_files_not_standard_input() {
    let run = jmlog(["watch", "-"]);
    run.expect_code(2);
    assert!(run.stderr().contains("jmlog annotate"), "{}", run.stderr());
}

#[test]
fn watch_ends_on_each_signal_while_waiting_on_a_fifo_or_a_missing_file() {
    for signal in ["INT", "TERM", "HUP"] {
        let dir = tempdir();
        let fifo = dir.join("pipe");
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let missing = dir.join("later.log");
        let mut jm = Running::start(&["watch", "--interval", "20", &arg(&fifo), &arg(&missing)]);
        // Both are waited for: the FIFO for a writer, the file for someone to create it.
        let note = jm.stderr_line();
        assert!(
            note.contains("following") && note.contains("pipe"),
            "{note}"
        );
        let note = jm.stderr_line();
        assert!(note.contains("later.log does not exist"), "{note}");
        jm.signal(signal);
        let rest = jm.remaining_stdout();
        // The file that never appeared is an input that could not be read.
        assert_eq!(
            jm.wait().code(),
            Some(2),
            "SIG{signal}: {}",
            jm.stderr_so_far()
        );
        assert_eq!(rest.len(), 1, "SIG{signal}: only the summary: {rest:?}");
        let summary: Value = serde_json::from_str(&rest[0]).unwrap();
        let inputs = &summary["report"]["inputs"];
        assert_eq!(inputs[0]["path"], arg(&fifo));
        assert_eq!(inputs[0]["error"], Value::Null);
        assert_eq!(inputs[1]["error"], "not found");
    }
}

/// A followed file whose read fails is named with the reason at once, in the summary and in the
/// exit code, instead of being retried in silence. Reading `/proc/self/mem` at its start fails
/// with EIO, as a failing disk does.
#[cfg(target_os = "linux")]
#[test]
fn watch_names_a_followed_file_whose_read_fails() {
    let mut first = [0u8; 1];
    let eio = std::fs::File::open("/proc/self/mem")
        .and_then(|mut f| f.read(&mut first))
        .err()
        .and_then(|e| e.raw_os_error());
    if eio != Some(5) {
        eprintln!("not run: reading /proc/self/mem does not fail with EIO on this system");
        return;
    }
    let mut jm = Running::start(&["watch", "--interval", "20", "/proc/self/mem"]);
    let note = jm.stderr_line();
    assert_eq!(
        note.trim_end(),
        "jmlog: /proc/self/mem: Input/output error (os error 5)"
    );
    jm.signal("TERM");
    let rest = jm.remaining_stdout();
    assert_eq!(jm.wait().code(), Some(2), "{}", jm.stderr_so_far());
    let summary: Value = serde_json::from_str(rest.last().unwrap()).unwrap();
    assert_eq!(
        summary["report"]["inputs"][0]["error"],
        "Input/output error (os error 5)"
    );
}

#[test]
fn watch_reads_a_fifo_as_it_is_written_and_ends_while_its_writer_holds_it() {
    let dir = tempdir();
    let fifo = dir.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let mut jm = Running::start(&["watch", "--interval", "20", &arg(&fifo)]);
    let note = jm.stderr_line();
    assert!(note.contains("following"), "{note}");
    let mut writer = OpenOptions::new().write(true).open(&fifo).unwrap();
    writer.write_all(lines_of(801004, 3).as_bytes()).unwrap();
    let events = jm.events(3);
    assert_eq!(event_lines(&events), [(801004, vec![1, 2, 3])].into());
    // The writer keeps the FIFO open, and may write at any time: SIGTERM ends the watch anyway.
    jm.signal("TERM");
    let rest = jm.remaining_stdout();
    assert_eq!(jm.wait().code(), Some(0), "{}", jm.stderr_so_far());
    assert_eq!(rest.len(), 1, "{rest:?}");
    let summary: Value = serde_json::from_str(&rest[0]).unwrap();
    assert_eq!(summary_counts(&summary), [(801004, 3)].into());
    drop(writer);
}

#[test]
fn watch_counts_a_file_named_twice_or_through_a_link_once() {
    let dir = tempdir();
    let log = dir.join("app.log");
    append(&log, &lines_of(801004, 2));
    let link = dir.join("link.log");
    std::os::unix::fs::symlink(&log, &link).unwrap();
    let (log_arg, link_arg) = (arg(&log), arg(&link));
    let mut jm = Running::start(&[
        "watch",
        "--from-start",
        "--interval",
        "20",
        &log_arg,
        &log_arg,
        &link_arg,
    ]);
    let mut events = jm.events(2);
    append(&log, &lines_of(803008, 3));
    events.extend(jm.events(3));
    jm.interrupt();
    let rest = jm.remaining_stdout();
    assert_eq!(jm.wait().code(), Some(0), "{}", jm.stderr_so_far());
    assert_eq!(rest.len(), 1, "no event twice: {rest:?}");
    assert_eq!(
        event_lines(&events),
        [(801004, vec![1, 2]), (803008, vec![3, 4, 5])].into()
    );
    let summary: Value = serde_json::from_str(&rest[0]).unwrap();
    assert_eq!(summary_counts(&summary), [(801004, 2), (803008, 3)].into());
    let report = &summary["report"];
    assert_eq!(report["totals"]["lines"], 5);
    let same_as: Vec<&Value> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["same_as"])
        .collect();
    assert_eq!(
        same_as,
        [
            &Value::Null,
            &Value::from(log_arg.clone()),
            &Value::from(log_arg.clone())
        ]
    );
    let notes: Vec<String> = (0..3).map(|_| jm.stderr_line()).collect();
    let note = format!("jmlog: {link_arg} is the same file as {log_arg}; counted once, there\n");
    assert!(notes.contains(&note), "{note:?} not in {notes:?}");
}

/// jmlog running as a child, its output read line by line on threads.
struct Running {
    args: Vec<String>,
    child: Watched,
    stdin: Option<ChildStdin>,
    stdout: Option<Receiver<Vec<u8>>>,
    stderr: Receiver<String>,
    /// Stderr lines already taken from the channel.
    stderr_seen: Vec<String>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Watched::spawn(
            Command::new(bin())
                .args(args)
                .env_remove("NO_COLOR")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        );
        let stdout = lines(child.child.stdout.take().unwrap());
        let stderr = lines(child.child.stderr.take().unwrap());
        let (tx, stderr_text) = mpsc::channel();
        thread::spawn(move || {
            for line in stderr {
                let _ = tx.send(String::from_utf8_lossy(&line).into_owned());
            }
        });
        Running {
            args: args.iter().map(|a| a.to_string()).collect(),
            stdin: child.child.stdin.take(),
            child,
            stdout: Some(stdout),
            stderr: stderr_text,
            stderr_seen: Vec::new(),
        }
    }

    /// The next line of stdout, with its terminator; fails if none comes in time.
    #[track_caller]
    fn stdout_line(&mut self) -> String {
        let rx = self.stdout.as_ref().expect("stdout is open");
        match rx.recv_timeout(PATIENCE) {
            Ok(line) => String::from_utf8(line).unwrap(),
            Err(e) => panic!(
                "no line on stdout ({e})\ncommand: jmlog {}\n--- stderr ---\n{}",
                self.args.join(" "),
                self.stderr_so_far()
            ),
        }
    }

    /// The next line of stderr; fails if none comes in time.
    #[track_caller]
    fn stderr_line(&mut self) -> String {
        match self.stderr.recv_timeout(PATIENCE) {
            Ok(line) => {
                self.stderr_seen.push(line.clone());
                line
            }
            Err(e) => panic!(
                "no line on stderr ({e})\ncommand: jmlog {}",
                self.args.join(" ")
            ),
        }
    }

    /// The next `n` NDJSON events.
    #[track_caller]
    fn events(&mut self, n: usize) -> Vec<Value> {
        (0..n)
            .map(|_| {
                let line = self.stdout_line();
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
            })
            .collect()
    }

    /// Stops reading stdout: jmlog's next write finds the pipe closed.
    fn close_stdout(&mut self) {
        self.stdout = None;
    }

    /// Everything jmlog writes to stdout until it closes it.
    fn remaining_stdout(&mut self) -> Vec<String> {
        let rx = self.stdout.take().expect("stdout is open");
        let deadline = Instant::now() + PATIENCE;
        let mut rest = Vec::new();
        while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            rest.push(String::from_utf8(line).unwrap());
        }
        rest
    }

    /// Sends SIGINT, as Ctrl-C does.
    fn interrupt(&self) {
        self.signal("INT");
    }

    /// Sends the signal of that name (`INT`, `TERM`, `HUP`, …).
    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for jmlog to end; fails if it does not end in time.
    #[track_caller]
    fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                panic!(
                    "jmlog {} did not end\n--- stderr ---\n{}",
                    self.args.join(" "),
                    self.stderr_so_far()
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// What jmlog wrote to stderr so far.
    fn stderr_so_far(&mut self) -> String {
        while let Ok(line) = self.stderr.try_recv() {
            self.stderr_seen.push(line);
        }
        self.stderr_seen.concat()
    }
}

/// The lines of a log written by a Windows tool: CRLF, `上` (whose UTF-16 holds the byte 0x0A, as
/// a line feed's does), an emoji (a surrogate pair) before each code, and a decoy line (a uid, no
/// code) after every third. Gives the text, and per code the 1-based numbers of its lines.
fn windows_log(first_line: u64, code_lines: usize) -> (String, BTreeMap<u64, Vec<u64>>) {
    const CODES: [u64; 3] = [801004, 803008, 899002];
    let mut text = String::new();
    let mut lines: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    let mut number = first_line;
    for i in 0..code_lines {
        let code = CODES[i % CODES.len()];
        text.push_str(&format!(
            "2026-11-20T10:{:02}:{:02}Z E JMessage 上传失败 request {i} 😀 code = {code}\r\n",
            (i / 60) % 60,
            i % 60
        ));
        lines.entry(code).or_default().push(number);
        number += 1;
        if i % 3 == 0 {
            text.push_str("I/App: 上 profile loaded uid=801004 ok\r\n");
            number += 1;
        }
    }
    (text, lines)
}

/// How many lines with a code the first `utf16_bytes` bytes of `text` in UTF-16 (with its
/// byte-order mark) hold whole.
fn complete_code_lines(text: &str, utf16_bytes: usize) -> usize {
    let mut end = 2;
    text.split_inclusive('\n')
        .take_while(|line| {
            end += 2 * line.encode_utf16().count();
            end <= utf16_bytes
        })
        .filter(|line| line.contains(" code = "))
        .count()
}

fn append_bytes(path: &Path, bytes: &[u8]) {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    file.write_all(bytes).unwrap();
}

#[test]
fn watch_follows_a_growing_utf16_log_as_analyze_reads_it() {
    let (text, want) = windows_log(1, 100_000);
    let lines = text.matches('\n').count() as u64;
    for big_endian in [false, true] {
        let dir = tempdir();
        let log = dir.join("logcat.txt");
        let data = utf16_with_bom(&text, big_endian);
        // Cut inside an emoji of a line near the middle, between and inside its two code units:
        // jmlog reads the first part before the rest is written.
        let middle = text[..text.len() / 2].rfind('😀').unwrap();
        let cut = 2 + 2 * text[..middle].encode_utf16().count();
        let (first, rest) = data.split_at(cut + 3);
        let (second, third) = rest.split_at(data.len() / 4);
        append_bytes(&log, first);
        let before = complete_code_lines(&text, first.len());
        let mut jm = Running::start(&["watch", "--from-start", "--interval", "20", &arg(&log)]);
        let mut events = jm.events(before);
        append_bytes(&log, second);
        events.extend(jm.events(complete_code_lines(&text, first.len() + second.len()) - before));
        append_bytes(&log, third);
        events.extend(jm.events(1));
        jm.interrupt();
        let mut rest = jm.remaining_stdout();
        assert_eq!(jm.wait().code(), Some(0), "{}", jm.stderr_so_far());
        let summary: Value = serde_json::from_str(&rest.pop().unwrap()).unwrap();
        for line in rest {
            events.push(serde_json::from_str(&line).unwrap());
        }
        assert_eq!(event_lines(&events), want, "big endian: {big_endian}");
        let counts: BTreeMap<u64, u64> = want.iter().map(|(c, l)| (*c, l.len() as u64)).collect();
        assert_eq!(summary_counts(&summary), counts);
        let report = &summary["report"];
        assert_eq!(report["totals"]["lines"], lines);
        let input = &report["inputs"][0];
        assert_eq!(
            input["encoding"],
            if big_endian { "utf-16be" } else { "utf-16le" }
        );
        // As in `analyze`: `bytes` is the text as UTF-8, `read_bytes` what was read.
        assert_eq!(input["bytes"], text.len() as u64);
        assert_eq!(input["read_bytes"], data.len() as u64);
    }
}

#[test]
fn watch_starts_at_the_end_of_a_utf16_log_by_its_lines() {
    let (text, _) = windows_log(1, 30_000);
    let lines = text.matches('\n').count() as u64;
    let (more, want) = windows_log(lines + 1, 4);
    for big_endian in [false, true] {
        let dir = tempdir();
        let log = dir.join("logcat.txt");
        let mut data = utf16_with_bom(&text, big_endian);
        // An unfinished last line: read once the writer has finished it.
        let unfinished = utf16_with_bom(&more, big_endian)[2..].to_vec();
        let (start, end) = unfinished.split_at(31);
        data.extend_from_slice(start);
        append_bytes(&log, &data);
        let mut jm = Running::start(&["watch", "--interval", "20", &arg(&log)]);
        let note = jm.stderr_line();
        assert!(note.contains(&format!("from line {}", lines + 1)), "{note}");
        append_bytes(&log, end);
        let events = jm.events(4);
        assert_eq!(event_lines(&events), want, "big endian: {big_endian}");
        jm.interrupt();
        let rest = jm.remaining_stdout();
        assert_eq!(jm.wait().code(), Some(0), "{}", jm.stderr_so_far());
        let summary: Value = serde_json::from_str(&rest[0]).unwrap();
        let input = &summary["report"]["inputs"][0];
        assert_eq!(
            input["encoding"],
            if big_endian { "utf-16be" } else { "utf-16le" }
        );
        assert_eq!(input["bytes"], more.len() as u64);
    }
}

/// The lines `input` yields, each with its terminator, on a channel that closes at its end.
fn lines(input: impl std::io::Read + Send + 'static) -> Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut input = BufReader::new(input);
        loop {
            let mut line = Vec::new();
            match input.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
    rx
}

#[test]
fn watch_events_carry_the_time_of_their_line() {
    let dir = tempdir();
    let log = dir.join("app.log");
    append(
        &log,
        "  at Frame.run error code = 899002\n\
         2026-11-26T05:12:01.250+08:00 ERROR request failed, code=801004\n\
         \tat com.example.Chat.send(Chat.java:12) errorCode=803008\n\
         2026-11-26T05:12:02+08:00 ERROR request failed, code=801004\n\
         2026-11-26 05:12:03.5 ERROR request failed, code=801004\n\
         11-26 05:12:04.000  100  200 E App: login failed code=801004\n",
    );
    let mut jm = Running::start(&["watch", "--from-start", "--interval", "20", &arg(&log)]);
    let events = jm.events(6);
    // Times without an offset are in the system's zone (this process has the same), year-less
    // ones in the latest year that puts them no later than today.
    let tz = jiff::tz::TimeZone::system();
    let today = jiff::Timestamp::now().to_zoned_datetime(tz.clone()).date();
    let year = if (11, 26) <= (today.month(), today.day()) {
        today.year()
    } else {
        today.year() - 1
    };
    let civil = |y: i16, sec: i8, nanos: i32, digits: u8| -> Value {
        let at = jiff::civil::date(y, 11, 26)
            .at(5, 12, sec, nanos)
            .to_zoned_datetime(tz.clone())
            .unwrap()
            .timestamp();
        jiff::fmt::temporal::DateTimePrinter::new()
            .precision(Some(digits))
            .timestamp_to_string(&at)
            .into()
    };
    let got: Vec<(u64, Value)> = events
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["time"].clone()))
        .collect();
    let want: Vec<(u64, Value)> = vec![
        (1, Value::Null),
        (2, "2026-11-25T21:12:01.250Z".into()),
        (3, "2026-11-25T21:12:01.250Z".into()),
        (4, "2026-11-25T21:12:02Z".into()),
        (5, civil(2026, 3, 500_000_000, 1)),
        (6, civil(year, 4, 0, 3)),
    ];
    assert_eq!(got, want);
    jm.interrupt();
    let _ = jm.remaining_stdout();
    assert_eq!(jm.wait().code(), Some(0), "{}", jm.stderr_so_far());
}
