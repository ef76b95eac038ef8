//! Limits of `-j` and `--chunk-size`, and counts that read right when they are one.

use std::fs;

use crate::output::{timed, timed_process};
use crate::util::{arg, grouped, tempdir};

#[test]
fn threads_are_never_more_than_the_work_nor_than_the_cap() {
    let dir = tempdir();
    let one = dir.join("one.log");
    fs::write(&one, "E JMessage login failed, code = 801004\n").unwrap();
    let run = timed(&["analyze", "-q", "--stats", "-j", "4096", &arg(&one)]);
    run.expect_code(0);
    assert!(
        run.stderr.contains("(summed over 1 thread)"),
        "{}",
        run.stderr
    );

    // 2,500 bytes in chunks of 1,000: three chunks, three threads.
    let three = dir.join("three.log");
    fs::write(
        &three,
        "E JMessage login failed, code = 801004\n".repeat(64),
    )
    .unwrap();
    assert_eq!(fs::metadata(&three).unwrap().len(), 2496);
    let run = timed(&[
        "analyze",
        "-q",
        "--stats",
        "-j",
        "8",
        "--chunk-size",
        "1000",
        &arg(&three),
    ]);
    run.expect_code(0);
    assert!(
        run.stderr.contains("(summed over 3 threads)"),
        "{}",
        run.stderr
    );

    // Standard input is of unknown length: as many as asked, up to 256.
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("jmlog"));
    command
        .args(["analyze", "-q", "--stats", "-j", "4096", "-"])
        .stdin(fs::File::open(&one).unwrap())
        .stdout(std::process::Stdio::piped());
    let run = timed_process(command);
    run.expect_code(0);
    assert!(
        run.stderr.contains("(summed over 256 threads)"),
        "{}",
        run.stderr
    );
    let report = String::from_utf8(run.stdout).unwrap();
    assert!(report.contains("801004"), "{report}");
}

#[test]
fn a_chunk_size_out_of_range_is_a_usage_error() {
    let dir = tempdir();
    let one = dir.join("one.log");
    fs::write(&one, "E JMessage login failed, code = 801004\n").unwrap();
    for size in ["1000000000000", "67108865", "0", "-1"] {
        let flag = format!("--chunk-size={size}");
        let run = timed(&["analyze", "-q", &flag, &arg(&one)]);
        run.expect_code(2);
        assert!(
            run.stderr.starts_with(&format!(
                "error: invalid value '{size}' for '--chunk-size <BYTES>'"
            )),
            "{}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
    let run = timed(&[
        "analyze",
        "-q",
        "-f",
        "json",
        "--chunk-size=67108864",
        &arg(&one),
    ]);
    run.expect_code(0);
}

#[test]
fn one_of_a_kind_is_singular_in_every_report_for_people() {
    let dir = tempdir();
    let one = dir.join("one.log");
    fs::write(&one, "E JMessage login failed, code = 801004\n").unwrap();
    let one = arg(&one);
    let text = timed(&["analyze", "-q", "--stats", &one]);
    text.expect_code(0);
    let out = String::from_utf8(text.stdout.clone()).unwrap();
    assert!(
        out.starts_with("Scanned 1 input · 39 B · 1 line\n"),
        "{out}"
    );
    assert!(
        text.stderr.contains(" of text, 1 line in 1 input, "),
        "{}",
        text.stderr
    );
    assert!(
        text.stderr.contains("(summed over 1 thread)"),
        "{}",
        text.stderr
    );
    let md = timed(&["analyze", "-q", "-f", "markdown", &one]);
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains(" · 1 line in 1 input · 39 B\n"), "{md}");
    let html = timed(&["analyze", "-q", "-f", "html", &one]);
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(html.contains("<dd>1 input (39 B, 1 line): "), "{html}");
    // With a baseline of the same log: "1 code", not "1 codes".
    let base = dir.join("base.json");
    timed(&["analyze", "-q", "-f", "json", &one, "-o", &arg(&base)]).expect_code(0);
    let run = timed(&[
        "analyze",
        "-q",
        "--baseline",
        &arg(&base),
        "--max-total",
        "0",
        &one,
    ]);
    run.expect_code(1);
    let out = String::from_utf8(run.stdout).unwrap();
    assert!(out.contains(": 1 → 1 code)"), "{out}");
    assert!(out.contains("1 code in all (at most 0 allowed)"), "{out}");
}

/// Every number of the code space as an unknown code, one a line: 1.2 million distinct codes, each
/// listed in the JSON report with its example. Their counts are kept compact: the peak stays far
/// below what a map of strings per code took (over 500 MB). With `--by day`, the lines of a log
/// without any timestamp wait whole for a time until the end, which costs more.
#[test]
#[cfg(target_os = "linux")]
fn a_million_distinct_unknown_codes_cost_bounded_memory() {
    use std::fmt::Write;

    let dir = tempdir();
    let log = dir.join("unknown.log");
    let codes = (700_000..900_000).chain(7_000_000..8_000_000);
    let mut text = String::with_capacity(36 << 20);
    for code in codes.clone() {
        writeln!(text, "E JMessage error_code={code}").unwrap();
    }
    fs::write(&log, &text).unwrap();
    drop(text);
    let (log, json, txt) = (arg(&log), dir.join("report.json"), dir.join("report.txt"));
    let runs: [(&[&str], &std::path::Path, u64); 2] = [
        (&["-f", "json"], &json, 200 << 10),
        (&["-f", "text", "--by", "day"], &txt, 384 << 10),
    ];
    for (format, out, limit_kib) in runs {
        let out = arg(out);
        let mut args = vec!["analyze", "-q", "--top", "5", "-o", &out];
        args.extend(format);
        args.push(&log);
        let (code, kib) = peak_rss(&args);
        assert_eq!(code, 0, "{args:?}");
        assert!(kib > 0 && kib < limit_kib, "{args:?}: peak {kib} KiB");
    }
    // Every code is in the JSON report with its example: the unknown ones most frequent first,
    // then by code.
    let catalog = jmlog::catalog::Catalog::builtin();
    let unknown: Vec<u32> = codes
        .clone()
        .filter(|&c| catalog.get(c).is_none())
        .collect();
    let known = 1_200_000 - unknown.len();
    let report = fs::read_to_string(&json).unwrap();
    let totals = format!(
        "\"codes\": {known},\n    \"unknown_codes\": {}\n  }}",
        unknown.len()
    );
    assert!(report.contains(&totals), "{}", &report[..400]);
    assert_eq!(report.matches("\"example\": {").count(), 1_200_000);
    let listed = report.find("\"unknown_codes\": [").unwrap();
    let first = listed + report[listed..].find("\"code\": ").unwrap();
    assert!(report[first..].starts_with(&format!("\"code\": {},", unknown[0])));
    let last = unknown[unknown.len() - 1];
    let row = format!(
        "\"code\": {last},\n      \"count\": 1,\n      \"example\": {{\n        \"path\": \"{log}\",\n        \"line\": {},\n        \"text\": \"E JMessage error_code={last}\"\n      }}\n    }}\n  ],\n  \"inputs\"",
        codes.clone().position(|c| c == last).unwrap() + 1
    );
    assert!(report.contains(&row), "{row}");
    let text = fs::read_to_string(&txt).unwrap();
    let more = format!(
        "{} more unknown codes not listed",
        grouped((unknown.len() - 5) as u64)
    );
    assert!(text.contains(&more), "{text}");
}

/// Runs jmlog (killed after 300 s) and gives its exit code and peak resident memory in KiB, as the
/// kernel's high-water mark of the process's own memory, read while it runs. (The maximum that
/// `wait4` reports would also count the memory of this test process, which the child shares
/// until it executes jmlog.)
#[cfg(target_os = "linux")]
fn peak_rss(args: &[&str]) -> (i32, u64) {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let mut child = Command::new(crate::util::bin())
        .args(args)
        .current_dir(crate::util::root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut peak = 0;
    loop {
        // Until jmlog has replaced this process's copy, the mark is this test's: skip it.
        if let Ok(status) = fs::read_to_string(&status_file) {
            let ours = status
                .lines()
                .any(|l| l.starts_with("Name:") && l.contains("jmlog"));
            let hwm = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
            if let (true, Some(hwm)) = (ours, hwm) {
                peak = peak.max(hwm);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code().unwrap_or(-1), peak);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("jmlog {args:?} did not end in 300 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A plain file is mapped into memory, but its pages are given back as they are scanned: memory
/// stays far below the file's size, and about what a file of a twentieth of the size takes, for
/// `analyze` (in stretches of the default size and in small ones, whose ends are given back too) and
/// for `annotate`.
#[test]
#[cfg(target_os = "linux")]
fn a_mapped_file_costs_bounded_memory() {
    const MIB: u64 = 160;
    let dir = tempdir();
    let logs = [("small.log", 8), ("big.log", MIB)].map(|(name, mib)| {
        let path = dir.join(name);
        let mut file = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        jmlog::synth::write_logs(&mut file, mib << 20, 5).unwrap();
        std::io::Write::flush(&mut file).unwrap();
        assert!(fs::metadata(&path).unwrap().len() >= mib << 20);
        arg(&path)
    });
    for command in ["analyze", "small stretches", "annotate"] {
        let args = match command {
            "analyze" => vec!["analyze", "-q", "-j", "2", "--by", "day"],
            "small stretches" => vec!["analyze", "-q", "-j", "2", "--chunk-size=100000"],
            _ => vec!["annotate"],
        };
        let [small_kib, big_kib] = logs.clone().map(|log| {
            let mut args = args.clone();
            args.push(&log);
            let (code, kib) = peak_rss(&args);
            assert_eq!(code, 0, "{command}");
            kib
        });
        // Holding the file's pages would take its 160 MiB; holding those around each stretch's
        // ends, over 40 MiB more than the small file.
        assert!(
            big_kib < small_kib + 24 * 1024 && big_kib < 64 * 1024,
            "{command}: peak {big_kib} KiB on {MIB} MiB against {small_kib} KiB on 8 MiB"
        );
    }
}
