//! Limits of `-j` and `--chunk-size`, and counts that read right when they are one.

use std::fs;

use crate::output::{timed, timed_process};
use crate::util::{arg, tempdir};

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
            let (code, kib) = peak_memory(&args);
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

/// Runs jmlog (killed after 300 s) with its output to /dev/null, and gives its exit code and its
/// peak resident memory in KiB, as the kernel's high-water mark of jmlog's own memory (`VmHWM`),
/// read every few milliseconds while it runs. (The `ru_maxrss` that `wait4` reports also counts
/// the memory of the test process that started it.)
#[cfg(target_os = "linux")]
fn peak_memory(args: &[&str]) -> (i32, u64) {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let mut child = Command::new(assert_cmd::cargo::cargo_bin("jmlog"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut peak = 0;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code().expect("jmlog was killed"), peak);
        }
        let hwm = fs::read_to_string(&status_file).ok().and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
        peak = peak.max(hwm.unwrap_or(0));
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("jmlog {args:?} timed out");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
