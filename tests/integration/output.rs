//! Reports at the size users have them, to standard output, to `-o FILE` and into `| head -1`:
//! every command and every format. The log is made here, with its true counts known from how it
//! was made; each run has a watchdog, so that a hang fails the test instead of stalling it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{FORMATS, arg, grouped, root, tempdir};

/// Long enough for a debug build on a busy machine; a hang still fails well before CI's limit.
const PATIENCE: Duration = Duration::from_secs(90);

const KNOWN: [u64; 5] = [801004, 803008, 899002, 810001, 871310];

/// A log made by [`big_log`], and what is in it.
pub struct BigLog {
    pub path: PathBuf,
    pub lines: u64,
    pub known: BTreeMap<u64, u64>,
    pub unknown: BTreeMap<u64, u64>,
}

impl BigLog {
    pub fn known_total(&self) -> u64 {
        self.known.values().sum()
    }

    pub fn unknown_total(&self) -> u64 {
        self.unknown.values().sum()
    }
}

/// `lines` lines, each with one code: every other one an unknown code (seven digits from
/// 7500000, `distinct_unknown` of them in turn), the others five known codes in turn; one
/// timestamp a second from 2026-11-20T00:00:00Z.
pub fn big_log(dir: &Path, lines: u64, distinct_unknown: u64) -> BigLog {
    let path = dir.join("big.log");
    let mut out = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    let (mut known, mut unknown) = (BTreeMap::new(), BTreeMap::new());
    for i in 0..lines {
        let (day, rest) = (20 + i / 86_400, i % 86_400);
        let (h, m, s) = (rest / 3600, rest / 60 % 60, rest % 60);
        let code = if i % 2 == 0 {
            let c = 7_500_000 + (i / 2) % distinct_unknown;
            *unknown.entry(c).or_insert(0) += 1;
            c
        } else {
            let c = KNOWN[(i / 2) as usize % KNOWN.len()];
            *known.entry(c).or_insert(0) += 1;
            c
        };
        writeln!(
            out,
            "2026-11-{day:02}T{h:02}:{m:02}:{s:02}Z E JMessage request failed, code = {code}"
        )
        .unwrap();
    }
    out.flush().unwrap();
    BigLog {
        path,
        lines,
        known,
        unknown,
    }
}

/// A finished run under the watchdog.
pub struct Timed {
    pub what: String,
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Timed {
    #[track_caller]
    pub fn expect_code(&self, expected: i32) -> &Timed {
        assert_eq!(
            self.code,
            expected,
            "{} (-1: killed by the watchdog or a signal)\n--- stderr ---\n{}\n--- stdout (start) ---\n{}",
            self.what,
            self.stderr,
            String::from_utf8_lossy(&self.stdout[..self.stdout.len().min(2000)])
        );
        self
    }
}

/// Runs jmlog with `args` (stdin closed) under the watchdog.
pub fn timed(args: &[&str]) -> Timed {
    let mut command = assert_cmd::Command::cargo_bin("jmlog").unwrap();
    command
        .args(args)
        .env_remove("NO_COLOR")
        .current_dir(root())
        .timeout(PATIENCE);
    let started = Instant::now();
    let output = command.output().expect("jmlog runs");
    Timed {
        what: format!(
            "jmlog {} ({:.1} s)",
            args.join(" "),
            started.elapsed().as_secs_f64()
        ),
        code: output.status.code().unwrap_or(-1),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs a prepared command under the watchdog: its stdin and stdout as the caller set them
/// (`Stdio::piped()` for stdout to see it), its stderr captured.
pub fn timed_process(mut command: Process) -> Timed {
    let what = format!("{command:?}");
    let mut child = command
        .env_remove("NO_COLOR")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |from: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut from) = from {
                let _ = from.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let out = drain(child.stdout.take().map(|o| Box::new(o) as _));
    let err = drain(child.stderr.take().map(|e| Box::new(e) as _));
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Timed {
        what,
        code: status.and_then(|s| s.code()).unwrap_or(-1),
        stdout: out.join().unwrap(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    }
}

/// `jmlog ARGS | head -1`: reads the first line, closes the pipe, and waits (under the watchdog)
/// for jmlog to end. Returns the first line and the run.
pub fn head_1(args: &[&str]) -> (String, Timed) {
    let bin = assert_cmd::cargo::cargo_bin("jmlog");
    let mut child = Process::new(bin)
        .args(args)
        .env_remove("NO_COLOR")
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let what = format!("jmlog {} | head -1", args.join(" "));
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
        text
    });
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        // The reader goes away here, as `head` does.
    });
    let first = rx.recv_timeout(PATIENCE).unwrap_or_default();
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = err_reader.join().unwrap();
    let code = status.and_then(|s| s.code()).unwrap_or(-1);
    (
        first,
        Timed {
            what,
            code,
            stdout: Vec::new(),
            stderr,
        },
    )
}

/// What a report in `format` must show: the counts, and (where the format lists them) every
/// unknown code.
pub struct Expect {
    pub known: u64,
    pub unknown: u64,
    pub distinct_unknown: usize,
    /// Whether the report lists each code (text, Markdown and HTML do with `--top 0`).
    pub lists_all: bool,
    /// Whether NDJSON holds an event per occurrence (`merge` has only the summary to give).
    pub events: bool,
}

/// The seven-digit numbers from 7500000 in `text`: the unknown codes a report shows.
pub fn unknown_codes_shown(text: &str) -> BTreeSet<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 7 && w.starts_with("75"))
        .map(|w| w.parse().unwrap())
        .collect()
}

/// Checks a whole report in `format` against what the log holds.
#[track_caller]
pub fn check_report(format: &str, bytes: &[u8], expect: &Expect, what: &str) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    match format {
        "json" => {
            let r: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
            check_totals(&r, expect, what);
        }
        "ndjson" => {
            let mut lines = text.lines();
            let summary: Value = serde_json::from_str(lines.next_back().unwrap()).unwrap();
            assert_eq!(summary["type"], "summary", "{what}");
            check_totals(&summary["report"], expect, what);
            let (mut known, mut unknown) = (0, 0);
            for line in lines {
                let event: Value = serde_json::from_str(line).unwrap();
                assert_eq!(event["type"], "code", "{what}: {line}");
                if event["known"] == true {
                    known += 1;
                } else {
                    unknown += 1;
                }
            }
            let events = if expect.events {
                (expect.known, expect.unknown)
            } else {
                (0, 0)
            };
            assert_eq!((known, unknown), events, "{what}");
        }
        "csv" => {
            let mut reader = csv::Reader::from_reader(bytes);
            let headers = reader.headers().unwrap().clone();
            let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
            let (count, known_col) = (col("count"), col("known"));
            // With `--by` the CSV has buckets only, and no input column.
            let input = headers.iter().position(|h| h == "input");
            // The code rows (no input) and the per-input rows each add up to every occurrence.
            let mut sums = [[0u64; 2]; 2];
            for row in reader.records() {
                let row = row.unwrap();
                let n: u64 = row[count].parse().unwrap();
                let per_input = input.map_or(0, |i| usize::from(!row[i].is_empty()));
                sums[per_input][usize::from(&row[known_col] != "true")] += n;
            }
            let kinds = if input.is_some() { 2 } else { 1 };
            for (rows, [known, unknown]) in ["code", "per-input"].iter().zip(sums).take(kinds) {
                assert_eq!(
                    (known, unknown),
                    (expect.known, expect.unknown),
                    "{what}: {rows} rows"
                );
            }
        }
        "prometheus" => {
            let sum = |metric: &str| -> u64 {
                text.lines()
                    .filter(|l| l.starts_with(&format!("{metric}{{")))
                    .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
                    .sum()
            };
            assert_eq!(sum("jmlog_errors_total"), expect.known, "{what}");
            assert_eq!(sum("jmlog_unknown_errors_total"), expect.unknown, "{what}");
        }
        "text" | "markdown" | "html" => {
            if format == "html" {
                assert!(text.ends_with("</html>\n"), "{what}: the page is cut short");
            }
            if expect.lists_all {
                assert_eq!(
                    unknown_codes_shown(text).len(),
                    expect.distinct_unknown,
                    "{what}: every unknown code is listed with --top 0"
                );
            }
        }
        other => panic!("no check for {other}"),
    }
}

fn check_totals(report: &Value, expect: &Expect, what: &str) {
    assert_eq!(report["totals"]["codes"], expect.known, "{what}");
    assert_eq!(report["totals"]["unknown_codes"], expect.unknown, "{what}");
    assert_eq!(
        report["unknown_codes"].as_array().unwrap().len(),
        expect.distinct_unknown,
        "{what}"
    );
}

/// Runs `args` (a command that takes `-f` and `-o`) in every format to standard output and to a
/// file, and checks both; returns the size of each format's output.
fn every_format_both_ways(args: &[&str], dir: &Path, expect: &Expect) -> BTreeMap<String, usize> {
    let mut sizes = BTreeMap::new();
    for format in FORMATS {
        let mut to_stdout = args.to_vec();
        to_stdout.extend(["-f", format]);
        let run = timed(&to_stdout);
        run.expect_code(0);
        check_report(format, &run.stdout, expect, &run.what);

        let file = dir.join(format!("report.{format}"));
        let file_arg = arg(&file);
        let mut to_file = to_stdout.clone();
        to_file.extend(["-o", &file_arg]);
        let run_file = timed(&to_file);
        run_file.expect_code(0);
        assert!(run_file.stdout.is_empty(), "{}", run_file.what);
        let written = fs::read(&file).unwrap();
        check_report(format, &written, expect, &run_file.what);
        sizes.insert(format.to_owned(), written.len().max(run.stdout.len()));
    }
    sizes
}

const MIB: usize = 1 << 20;

#[test]
fn analyze_writes_every_format_whole_at_size_to_stdout_and_to_a_file() {
    let dir = tempdir();
    let log = big_log(&dir, 150_000, 30_000);
    let path = arg(&log.path);
    let expect = Expect {
        known: log.known_total(),
        unknown: log.unknown_total(),
        distinct_unknown: log.unknown.len(),
        lists_all: true,
        events: true,
    };
    let sizes = every_format_both_ways(&["analyze", "-q", "--top", "0", &path], &dir, &expect);
    for (format, size) in &sizes {
        if format != "prometheus" {
            assert!(*size > MIB, "{format}: {size} bytes is not over 1 MiB");
        }
    }
    // NDJSON to standard output through the streaming reader and with dating too.
    for extra in [&["-j1"][..], &["--by", "day", "--tz", "UTC"], &["-"]] {
        let mut args = vec!["analyze", "-q", "-f", "ndjson"];
        args.extend_from_slice(extra);
        let run = if extra == ["-"] {
            let mut command = assert_cmd::Command::cargo_bin("jmlog").unwrap();
            let output = command
                .args(&args)
                .timeout(PATIENCE)
                .write_stdin(fs::read(&log.path).unwrap())
                .output()
                .unwrap();
            Timed {
                what: format!("jmlog {} < big.log", args.join(" ")),
                code: output.status.code().unwrap_or(-1),
                stdout: output.stdout,
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }
        } else {
            args.push(&path);
            timed(&args)
        };
        run.expect_code(0);
        check_report("ndjson", &run.stdout, &expect, &run.what);
    }
}

#[test]
fn merge_writes_every_format_whole_at_size_to_stdout_and_to_a_file() {
    let dir = tempdir();
    let log = big_log(&dir, 120_000, 30_000);
    let shard = dir.join("shard.json");
    timed(&[
        "analyze",
        "-q",
        "-f",
        "json",
        &arg(&log.path),
        "-o",
        &arg(&shard),
    ])
    .expect_code(0);
    assert!(fs::metadata(&shard).unwrap().len() as usize > MIB);
    // The same shard twice: every count doubles, the codes stay the same.
    let expect = Expect {
        known: 2 * log.known_total(),
        unknown: 2 * log.unknown_total(),
        distinct_unknown: log.unknown.len(),
        lists_all: true,
        events: false,
    };
    let shard = arg(&shard);
    let sizes = every_format_both_ways(&["merge", "--top", "0", &shard, &shard], &dir, &expect);
    assert!(sizes["json"] > MIB && sizes["text"] > MIB, "{sizes:?}");
}

#[test]
fn annotate_passes_a_big_log_through_whole() {
    let dir = tempdir();
    let log = big_log(&dir, 120_000, 30_000);
    let run = timed(&["annotate", &arg(&log.path)]);
    run.expect_code(0);
    let out = String::from_utf8(run.stdout).unwrap();
    assert!(out.len() > 10 * MIB, "{} bytes", out.len());
    assert_eq!(out.lines().count() as u64, log.lines);
    let annotated = out.lines().filter(|l| l.ends_with('⟩')).count() as u64;
    assert_eq!(annotated, log.lines, "every line holds a code");
    let unknown = out.lines().filter(|l| l.contains(" unknown code⟩")).count() as u64;
    assert_eq!(unknown, log.unknown_total());
}

#[cfg(unix)]
#[test]
fn watch_events_of_a_big_log_end_with_the_summary_on_sigterm() {
    let dir = tempdir();
    let log = big_log(&dir, 120_000, 30_000);
    let bin = assert_cmd::cargo::cargo_bin("jmlog");
    let mut child = Process::new(bin)
        .args(["watch", "--from-start", "--events", "--interval", "20"])
        .arg(&log.path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + PATIENCE;
    let total = log.known_total() + log.unknown_total();
    let (mut known, mut unknown) = (0, 0);
    // A watchdog: kill the watch if the events do not all come in time.
    let pid = child.id();
    let watchdog = std::thread::spawn(move || {
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Process::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    });
    while known + unknown < total {
        let line = lines.next().expect("an event before the watchdog").unwrap();
        let event: Value = serde_json::from_str(&line).unwrap();
        if event["known"] == true {
            known += 1;
        } else {
            unknown += 1;
        }
    }
    assert_eq!((known, unknown), (log.known_total(), log.unknown_total()));
    Process::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let summary: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["report"]["totals"]["codes"], log.known_total());
    assert_eq!(
        summary["report"]["totals"]["unknown_codes"],
        log.unknown_total()
    );
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    drop(watchdog);
}

#[test]
fn every_command_and_format_ends_quietly_into_head() {
    let dir = tempdir();
    let log = big_log(&dir, 120_000, 30_000);
    let path = arg(&log.path);
    let shard = dir.join("shard.json");
    timed(&["analyze", "-q", "-f", "json", &path, "-o", &arg(&shard)]).expect_code(0);
    let shard = arg(&shard);
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for format in FORMATS {
        runs.push(vec!["analyze", "-q", "--top", "0", "-f", format, &path]);
        runs.push(vec!["merge", "--top", "0", "-f", format, &shard, &shard]);
    }
    runs.push(vec!["annotate", &path]);
    runs.push(vec!["watch", "--from-start", "--events", &path]);
    for args in runs {
        let (first, run) = head_1(&args);
        run.expect_code(0);
        assert!(!first.is_empty(), "{}: no first line", run.what);
        assert!(
            !run.stderr.contains("rror") && !run.stderr.contains("pipe"),
            "{}: {}",
            run.what,
            run.stderr
        );
    }
}

/// The entries of `dir` whose name starts with `.`: temporary files left behind.
fn hidden_entries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

const EARLIER: &str = "{\"earlier\":\"report\"}\n";

#[test]
fn a_failed_run_leaves_the_previous_report_as_it_was() {
    let dir = tempdir();
    // Hour buckets from 1971 to 2026: more than the histogram allows, found after the scan.
    let log = dir.join("stray.log");
    fs::write(
        &log,
        "1971-01-01T00:00:00Z E login failed, code = 801004\n\
         2026-11-20T10:00:00Z E login failed, code = 801004\n",
    )
    .unwrap();
    let report = dir.join("report.json");
    fs::write(&report, EARLIER).unwrap();
    let run = timed(&[
        "analyze",
        "-q",
        "-f",
        "json",
        "--by",
        "hour",
        "--tz",
        "UTC",
        &arg(&log),
        "-o",
        &arg(&report),
    ]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("more than 20000 hours"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read_to_string(&report).unwrap(), EARLIER);
    assert_eq!(hidden_entries(&dir), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_the_previous_report_and_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    for (signal, number) in [("-TERM", 15), ("-INT", 2), ("-HUP", 1)] {
        let dir = tempdir();
        let report = dir.join("r.json");
        fs::write(&report, EARLIER).unwrap();
        let bin = assert_cmd::cargo::cargo_bin("jmlog");
        // Standard input stays open: the scan waits for more, as on a live pipe.
        let mut child = Process::new(bin)
            .args(["analyze", "-q", "-f", "ndjson", "-o"])
            .arg(&report)
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(&b"E JMessage login failed, code = 801004\n".repeat(5000))
            .unwrap();
        // The report is being written to a hidden file beside the target.
        let deadline = Instant::now() + PATIENCE;
        while hidden_entries(&dir).is_empty() {
            assert!(Instant::now() < deadline, "no temporary file appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        let temp = hidden_entries(&dir).remove(0);
        assert!(
            temp.starts_with(".r.json.") && temp.ends_with(".jmlog-tmp"),
            "{temp}"
        );
        Process::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("jmlog ignored {signal}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        drop(stdin);
        assert_eq!(
            status.signal(),
            Some(number),
            "{signal}: ended by the signal"
        );
        assert_eq!(fs::read_to_string(&report).unwrap(), EARLIER, "{signal}");
        assert_eq!(hidden_entries(&dir), Vec::<String>::new(), "{signal}");
    }
}

#[test]
fn an_output_that_is_one_of_the_inputs_is_refused_before_anything_is_written() {
    let dir = tempdir();
    let log = dir.join("app.log");
    let text = "2026-11-20T10:00:00Z E login failed, code = 801004\n".repeat(1000);
    fs::write(&log, &text).unwrap();
    let sub = dir.join("logs");
    fs::create_dir(&sub).unwrap();
    fs::write(sub.join("a.log"), &text).unwrap();
    fs::write(sub.join("report.json"), EARLIER).unwrap();
    fs::hard_link(&log, dir.join("same.log")).unwrap();
    let log_arg = arg(&log);
    let dotted = format!("{}/./logs/../app.log", arg(&dir));
    let cases: Vec<(Vec<String>, String, PathBuf)> = vec![
        (
            vec![log_arg.clone(), "-o".into(), log_arg.clone()],
            format!("-o {log_arg} is also an input ({log_arg})"),
            log.clone(),
        ),
        (
            vec![log_arg.clone(), "-o".into(), dotted.clone()],
            format!("-o {dotted} is also an input ({log_arg})"),
            log.clone(),
        ),
        (
            vec![arg(&dir.join("same.log")), "-o".into(), log_arg.clone()],
            format!(
                "-o {log_arg} is also an input ({})",
                arg(&dir.join("same.log"))
            ),
            log.clone(),
        ),
        (
            vec![arg(&sub), "-o".into(), arg(&sub.join("report.json"))],
            format!(
                "-o {} is also an input ({}, found in a directory being scanned)",
                arg(&sub.join("report.json")),
                arg(&sub.join("report.json"))
            ),
            sub.join("report.json"),
        ),
    ];
    for (args, message, untouched) in cases {
        let before = fs::read(&untouched).unwrap();
        let mut all = vec!["analyze", "-q", "-f", "json"];
        all.extend(args.iter().map(String::as_str));
        let run = timed(&all);
        run.expect_code(2);
        assert!(
            run.stderr
                .starts_with(&format!("jmlog: {message}: the report would replace it")),
            "{}: {}",
            run.what,
            run.stderr
        );
        assert_eq!(fs::read(&untouched).unwrap(), before, "{}", run.what);
        assert!(run.stdout.is_empty());
    }
    assert_eq!(hidden_entries(&dir), Vec::<String>::new());
    assert_eq!(hidden_entries(&sub), Vec::<String>::new());

    // Standard input redirected from the output file.
    let mut command = Process::new(assert_cmd::cargo::cargo_bin("jmlog"));
    command
        .args(["analyze", "-q", "-f", "json", "-o", &log_arg])
        .stdin(fs::File::open(&log).unwrap())
        .stdout(Stdio::piped());
    let run = timed_process(command);
    run.expect_code(2);
    let stderr = run.stderr;
    assert!(
        stderr.starts_with(&format!(
            "jmlog: -o {log_arg} is also an input (standard input)"
        )),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(&log).unwrap(), text);
}

#[test]
fn merge_and_baseline_may_replace_a_report_they_read() {
    let dir = tempdir();
    let log = dir.join("app.log");
    fs::write(&log, "E login failed, code = 801004\n".repeat(3)).unwrap();
    let report = dir.join("total.json");
    let (log, report_arg) = (arg(&log), arg(&report));
    timed(&["analyze", "-q", "-f", "json", &log, "-o", &report_arg]).expect_code(0);
    // Reports are read whole before the new one replaces them.
    timed(&[
        "merge",
        "-f",
        "json",
        &report_arg,
        &report_arg,
        "-o",
        &report_arg,
    ])
    .expect_code(0);
    let merged: Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    assert_eq!(merged["totals"]["codes"], 6);
    let run = timed(&[
        "analyze",
        "-q",
        "-f",
        "json",
        "--baseline",
        &report_arg,
        &log,
        "-o",
        &report_arg,
    ]);
    run.expect_code(0);
    let again: Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    assert_eq!(again["totals"]["codes"], 3);
    assert_eq!(again["baseline"]["codes"], 6);
    assert_eq!(hidden_entries(&dir), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn a_replaced_report_keeps_its_permissions_and_its_symbolic_link() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let log = dir.join("app.log");
    fs::write(&log, "E login failed, code = 801004\n").unwrap();
    let real = dir.join("real.json");
    fs::write(&real, EARLIER).unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.join("link.json");
    std::os::unix::fs::symlink("real.json", &link).unwrap();
    timed(&["analyze", "-q", "-f", "json", &arg(&log), "-o", &arg(&link)]).expect_code(0);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let report: Value = serde_json::from_slice(&fs::read(&real).unwrap()).unwrap();
    assert_eq!(report["totals"]["codes"], 1);
    let mode = fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[cfg(target_os = "linux")]
#[test]
fn outputs_that_are_not_regular_files_are_written_directly() {
    let dir = tempdir();
    let log = dir.join("app.log");
    fs::write(&log, "E login failed, code = 801004\n").unwrap();
    let log = arg(&log);
    timed(&["analyze", "-q", &log, "-o", "/dev/null"]).expect_code(0);

    let run = timed(&["analyze", "-q", &log, "-o", "/dev/full"]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "jmlog: -o /dev/full: No space left on device (os error 28)\n"
    );

    let run = timed(&["analyze", "-q", "-f", "csv", &log, "-o", "/dev/stdout"]);
    run.expect_code(0);
    let csv = String::from_utf8(run.stdout.clone()).unwrap();
    assert!(csv.starts_with("code,known,count,"), "{csv}");
    assert!(csv.contains("\n801004,true,1,"), "{csv}");

    // `-o /dev/stdout >> FILE` adds to FILE, as the shell asked.
    let appended = dir.join("appended.csv");
    fs::write(&appended, "earlier\n").unwrap();
    let mut command = Process::new(assert_cmd::cargo::cargo_bin("jmlog"));
    command
        .args(["analyze", "-q", "-f", "csv", &log, "-o", "/dev/stdout"])
        .stdout(fs::OpenOptions::new().append(true).open(&appended).unwrap());
    timed_process(command).expect_code(0);
    let text = fs::read_to_string(&appended).unwrap();
    assert!(text.starts_with("earlier\ncode,known,count,"), "{text}");

    // A FIFO: written in place, read by whoever listens.
    let fifo = dir.join("fifo");
    assert!(
        Process::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    timed(&["analyze", "-q", "-f", "json", &log, "-o", &arg(&fifo)]).expect_code(0);
    let report: Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(report["totals"]["codes"], 1);
    assert_eq!(hidden_entries(&dir), Vec::<String>::new());
}

#[test]
fn errors_writing_to_standard_output_name_it() {
    let dir = tempdir();
    let log = dir.join("app.log");
    fs::write(&log, "E login failed, code = 801004\n").unwrap();
    let full = fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else { return };
    let mut command = Process::new(assert_cmd::cargo::cargo_bin("jmlog"));
    command.args(["analyze", "-q", &arg(&log)]).stdout(full);
    let run = timed_process(command);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "jmlog: standard output: No space left on device (os error 28)\n"
    );
}

#[test]
fn reports_for_people_list_unknown_codes_only_up_to_top() {
    let dir = tempdir();
    let log = big_log(&dir, 100_000, 50_000);
    let path = arg(&log.path);
    for (top, listed) in [(None, 20), (Some("5"), 5)] {
        for format in ["text", "markdown", "html"] {
            let mut args = vec!["analyze", "-q", "-f", format, &path];
            if let Some(top) = top {
                args.extend(["--top", top]);
            }
            let run = timed(&args);
            run.expect_code(0);
            let out = String::from_utf8(run.stdout.clone()).unwrap();
            assert!(
                out.len() < 64 << 10,
                "{}: {} bytes for {listed} unknown codes",
                run.what,
                out.len()
            );
            let shown = unknown_codes_shown(&out);
            assert_eq!(shown.len(), listed, "{}", run.what);
            // The most frequent first: with equal counts, the lowest codes.
            let first: BTreeSet<u64> = log.unknown.keys().take(listed).copied().collect();
            assert_eq!(shown, first, "{}", run.what);
            let more = format!(
                "{} more unknown codes not listed (--top 0 lists all; the JSON and CSV reports \
                 have them all).",
                grouped(50_000 - listed as u64)
            );
            assert!(out.contains(&more), "{}: no line saying {more}", run.what);
        }
    }
    // JSON and CSV keep every one.
    let json = timed(&["analyze", "-q", "-f", "json", &path]);
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["unknown_codes"].as_array().unwrap().len(), 50_000);
    let csv = timed(&["analyze", "-q", "-f", "csv", &path]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    // One code row per unknown code (the per-input rows end with the input's path).
    assert_eq!(
        csv.lines()
            .filter(|l| l.contains(",false,") && l.ends_with(','))
            .count(),
        50_000
    );
}

/// The rows of a CSV report, by header name.
fn csv_rows(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[test]
fn csv_by_bucket_holds_every_occurrence_unknown_and_undated_too() {
    let dir = tempdir();
    let small = dir.join("small.log");
    fs::write(
        &small,
        "E JMessage login failed, code = 801004\n\
         E JMessage request failed, code = 812345\n\
         2026-11-20T10:00:00Z E request failed, code = 801004\n\
         2026-11-20T10:00:00Z E request failed, code = 812345\n\
         2026-11-20T11:00:00Z E request failed, code = 812345\n\
         2026-11-21T10:00:00Z E request failed, code = 803008\n\
         2026-11-21T10:00:00Z E request failed, code = 812346\n",
    )
    .unwrap();
    let run = timed(&[
        "analyze",
        "-q",
        "-f",
        "csv",
        "--by",
        "day",
        "--tz",
        "UTC",
        &arg(&small),
    ]);
    run.expect_code(0);
    let d20 = "2026-11-20 Fri,2026-11-20T00:00:00+00:00,2026-11-21T00:00:00+00:00";
    let d21 = "2026-11-21 Sat,2026-11-21T00:00:00+00:00,2026-11-22T00:00:00+00:00";
    assert_eq!(
        String::from_utf8(run.stdout).unwrap(),
        format!(
            "bucket,bucket_start,bucket_end,code,module,count,known\n\
             {d20},801004,login,1,true\n\
             {d20},,,2,false\n\
             {d21},803008,messaging,1,true\n\
             {d21},,,1,false\n\
             ,,,801004,login,1,true\n\
             ,,,,,1,false\n"
        )
    );

    // At size, analyze and merge alike: the rows add up to the JSON report's counts.
    let log = big_log(&dir, 100_000, 5_000);
    let both = format!(
        "{}\n{}",
        fs::read_to_string(&small).unwrap(),
        fs::read_to_string(&log.path).unwrap()
    );
    let mixed = dir.join("mixed.log");
    fs::write(&mixed, both).unwrap();
    let by = ["--by", "hour", "--tz", "UTC"];
    let json_of = |args: &[&str]| -> Value {
        let run = timed(args);
        run.expect_code(0);
        serde_json::from_slice(&run.stdout).unwrap()
    };
    let mixed_arg = arg(&mixed);
    let shard = dir.join("shard.json");
    let mut args = vec!["analyze", "-q", &mixed_arg];
    args.extend(by);
    let shard_arg = arg(&shard);
    let mut to_shard = args.clone();
    to_shard.extend(["-f", "json", "-o", &shard_arg]);
    timed(&to_shard).expect_code(0);
    for command in [args.clone(), vec!["merge", &shard_arg]] {
        let mut json_args = command.clone();
        json_args.extend(["-f", "json"]);
        let report = json_of(&json_args);
        let mut csv_args = command.clone();
        csv_args.extend(["-f", "csv"]);
        let run = timed(&csv_args);
        run.expect_code(0);
        let rows = csv_rows(&run.stdout);
        let (mut known, mut unknown, mut undated) = (0, 0, 0);
        let mut per_code: BTreeMap<u64, u64> = BTreeMap::new();
        for row in &rows {
            let n: u64 = row["count"].parse().unwrap();
            if row["known"] == "true" {
                known += n;
                *per_code.entry(row["code"].parse().unwrap()).or_default() += n;
            } else {
                assert_eq!(row["code"], "", "unknown codes are counted per bucket");
                unknown += n;
            }
            if row["bucket"].is_empty() {
                undated += n;
            }
        }
        assert_eq!(
            known,
            report["totals"]["codes"].as_u64().unwrap(),
            "{command:?}"
        );
        assert_eq!(
            unknown,
            report["totals"]["unknown_codes"].as_u64().unwrap(),
            "{command:?}"
        );
        assert_eq!(
            undated,
            report["histogram"]["undated"].as_u64().unwrap(),
            "{command:?}"
        );
        assert_eq!(undated, 2);
        let json_codes: BTreeMap<u64, u64> = report["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["code"].as_u64().unwrap(), c["count"].as_u64().unwrap()))
            .collect();
        assert_eq!(per_code, json_codes, "{command:?}");
        // And what the log holds, counted here.
        assert_eq!(known, log.known_total() + 3);
        assert_eq!(unknown, log.unknown_total() + 4);
    }
}

#[test]
fn ndjson_on_a_live_stream_ends_when_its_reader_goes_away() {
    // Standard input never ends (the test holds it open), as with `adb logcat | jmlog …`:
    // once `head` has its line and goes, jmlog has nobody to write to and ends, with 0.
    let bin = assert_cmd::cargo::cargo_bin("jmlog");
    let mut child = Process::new(bin)
        .args(["analyze", "-q", "-f", "ndjson", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let block = b"E JMessage login failed, code = 801004\n".repeat(100_000);
    let writer = std::thread::spawn(move || {
        // Until jmlog is gone (the write then fails); the pipe stays open all the while.
        while stdin.write_all(&block).is_ok() {}
        stdin
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("{\"type\":\"code\""), "{first}");
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("jmlog kept reading a stream nobody reads the events of");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(writer.join().unwrap());
    assert_eq!(status.code(), Some(0));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(stderr, "");
}
