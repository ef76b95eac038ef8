//! Inputs at the edges, at the size users have them: FIFOs and sockets in directories, one file
//! reached by several paths, zstd from `pzstd` (a skippable frame first), UTF-16 logs with a
//! byte-order mark, gzip padded with zeros or followed by garbage, files that shrink while they
//! are read, and the exit code each of them gives. Every run has a timeout, so a hang fails in
//! seconds.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::util::{Run, arg, grouped, tempdir, utf16_with_bom as utf16};

/// How long any one run may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Runs jmlog with `args`, killed if it takes longer than [`TIMEOUT`].
fn jmlog(args: &[&str]) -> Run {
    jmlog_with_stdin(args, b"")
}

/// Runs jmlog with `args` and `stdin`, killed if it takes longer than [`TIMEOUT`].
fn jmlog_with_stdin(args: &[&str], stdin: &[u8]) -> Run {
    crate::util::Jmlog::new(args)
        .stdin(stdin)
        .timeout(TIMEOUT)
        .run()
}

/// The known codes the generated logs hold.
const CODES: [u64; 4] = [801004, 803008, 899002, 810001];

/// A log of `code_lines` lines with codes (CRLF line ends, Chinese text and emoji, which UTF-16
/// writes as surrogate pairs) and a decoy line (a uid that is not a code) after every third, with
/// how often each code occurs.
fn log_text(code_lines: usize) -> (String, BTreeMap<u64, u64>) {
    let mut text = String::new();
    let mut counts = BTreeMap::new();
    for i in 0..code_lines {
        let code = CODES[i % CODES.len()];
        *counts.entry(code).or_insert(0) += 1;
        text.push_str(&format!(
            "2026-11-20T10:{:02}:{:02}Z E JMessage 登录失败 😀 request {i} failed, code = {code}\r\n",
            (i / 60) % 60,
            i % 60
        ));
        if i % 3 == 0 {
            text.push_str("I/App: 👍 profile loaded uid=801004 ok\r\n");
        }
    }
    (text, counts)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    gzip_at(data, flate2::Compression::fast())
}

/// gzip at a level; level 0 (stored blocks) is quick for the large inputs of a test build.
fn gzip_at(data: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), level);
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, data).unwrap();
    path
}

fn code_counts(report: &Value) -> BTreeMap<u64, u64> {
    report["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["code"].as_u64().unwrap(), r["count"].as_u64().unwrap()))
        .collect()
}

fn inputs(report: &Value) -> &Vec<Value> {
    report["inputs"].as_array().unwrap()
}

fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
}

#[test]
fn fifos_and_sockets_in_a_directory_are_skipped_named_and_give_exit_2() {
    let dir = tempdir();
    let logs = dir.join("logs");
    fs::create_dir(&logs).unwrap();
    let (text, counts) = log_text(1000);
    write(&logs, "app.log", text.as_bytes());
    mkfifo(&logs.join("pipe"));
    let _socket = std::os::unix::net::UnixListener::bind(logs.join("sock")).unwrap();
    // A link to the FIFO is no way around it.
    std::os::unix::fs::symlink(logs.join("pipe"), logs.join("pipe-link")).unwrap();

    let run = jmlog(&["analyze", "-q", "-f", "json", &arg(&logs)]);
    run.expect_code(2);
    let report = run.json();
    assert_eq!(code_counts(&report), counts);
    let skipped: BTreeMap<String, String> = inputs(&report)
        .iter()
        .filter(|i| !i["skipped"].is_null())
        .map(|i| {
            let path = i["path"].as_str().unwrap();
            let name = Path::new(path).file_name().unwrap().to_string_lossy();
            (name.into_owned(), i["skipped"].as_str().unwrap().to_owned())
        })
        .collect();
    let want: BTreeMap<String, String> = [
        ("pipe", "FIFO (named pipe)"),
        ("pipe-link", "FIFO (named pipe)"),
        ("sock", "socket"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(skipped, want);
    // Found, and counted apart from the input that was scanned.
    assert_eq!(report["totals"]["files"], 4);
    let run = jmlog(&["analyze", "-q", &arg(&logs)]);
    run.expect_code(2);
    let first = run.stdout().lines().next().unwrap_or_default().to_owned();
    assert!(
        first.starts_with("Scanned 1 input (3 skipped) · "),
        "{first}"
    );
    // Named even with --quiet: they decide the exit code.
    let stderr = run.stderr();
    for name in ["pipe", "pipe-link"] {
        let line = format!("{}: FIFO (named pipe), skipped", arg(&logs.join(name)));
        assert!(stderr.contains(&line), "{line:?} not in {stderr}");
    }
    assert!(stderr.contains("sock: socket, skipped"), "{stderr}");

    // Excluded, they are no concern.
    let run = jmlog(&[
        "analyze",
        "-f",
        "json",
        "--exclude",
        "pipe*",
        "--exclude",
        "sock",
        &arg(&logs),
    ]);
    run.expect_code(0);
    assert_eq!(code_counts(&run.json()), counts);
}

#[test]
fn a_binary_file_skipped_in_a_directory_gives_exit_2_even_quietly() {
    let dir = tempdir();
    write(&dir, "app.log", b"E/App: login failed code=801004\n");
    write(&dir, "core.bin", b"\x7fELF\x00\x00 code=801004\n");
    let run = jmlog(&["analyze", "-q", "-f", "json", &arg(&dir)]);
    run.expect_code(2);
    assert_eq!(
        run.stderr(),
        format!(
            "jmlog: {}: binary file, skipped\n",
            arg(&dir.join("core.bin"))
        )
    );
    assert_eq!(code_counts(&run.json()), [(801004, 1)].into());
}

#[test]
fn one_file_reached_by_several_paths_is_counted_once() {
    let dir = tempdir();
    let logs = dir.join("logs");
    fs::create_dir(&logs).unwrap();
    let (text, counts) = log_text(100_000);
    let a = write(&logs, "a.log", text.as_bytes());
    let link = dir.join("link.log");
    std::os::unix::fs::symlink(&a, &link).unwrap();

    let args = [&arg(&logs), &arg(&a), &arg(&a), &arg(&link)];
    let mut all = vec!["analyze", "-f", "json"];
    all.extend(args.iter().map(|s| s.as_str()));
    let run = jmlog(&all);
    run.expect_code(0);
    let report = run.json();
    assert_eq!(code_counts(&report), counts);
    assert_eq!(report["totals"]["files"], 1);
    assert_eq!(report["totals"]["bytes"], text.len() as u64);
    let rows: Vec<(String, Value)> = inputs(&report)
        .iter()
        .map(|i| (i["path"].as_str().unwrap().to_owned(), i["same_as"].clone()))
        .collect();
    let first = arg(&a);
    assert_eq!(
        rows,
        [
            (first.clone(), Value::Null),
            (first.clone(), Value::from(first.clone())),
            (first.clone(), Value::from(first.clone())),
            (arg(&link), Value::from(first.clone())),
        ]
    );
    let stderr = run.stderr();
    let note = format!(
        "jmlog: {}: the same file as {first}, counted once",
        arg(&link)
    );
    assert!(stderr.contains(&note), "{note:?} not in {stderr}");
    assert_eq!(stderr.matches("counted once").count(), 3, "{stderr}");
    // --quiet drops the notes, not the counting once.
    let mut quiet = vec!["analyze", "-q", "-f", "json"];
    quiet.extend(args.iter().map(|s| s.as_str()));
    let run = jmlog(&quiet);
    run.expect_code(0);
    assert_eq!(run.stderr(), "");
    assert_eq!(code_counts(&run.json()), counts);
}

#[test]
fn standard_input_named_twice_is_read_once() {
    let (text, counts) = log_text(1000);
    let run = jmlog_with_stdin(&["analyze", "-f", "json", "-", "-"], text.as_bytes());
    run.expect_code(0);
    let report = run.json();
    assert_eq!(code_counts(&report), counts);
    assert_eq!(inputs(&report)[1]["same_as"], "<stdin>");
    assert!(
        run.stderr()
            .contains("<stdin>: the same file as <stdin>, counted once"),
        "{}",
        run.stderr()
    );
}

/// A zstd skippable frame holding `payload`.
fn skippable_frame(magic_low: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![0x50 | magic_low, 0x2a, 0x4d, 0x18];
    frame.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    frame.extend_from_slice(payload);
    frame
}

#[test]
fn zstd_that_starts_with_a_skippable_frame_is_read_whole() {
    let dir = tempdir();
    let (text, counts) = log_text(120_000);
    let bytes = text.as_bytes();
    // As pzstd writes it: each frame after a skippable frame, cut anywhere (mid-line, mid-character).
    let cuts = [0, 1_000_003, 3_500_001, 7_000_007, bytes.len()];
    let mut data = Vec::new();
    for (n, pair) in cuts.windows(2).enumerate() {
        let frame = zstd::encode_all(&bytes[pair[0]..pair[1]], 1).unwrap();
        data.extend(skippable_frame(
            n as u8,
            &(frame.len() as u32).to_le_bytes(),
        ));
        data.extend(frame);
    }
    let path = write(&dir, "app.log.zst", &data);
    let run = jmlog(&["analyze", "-f", "json", &arg(&path)]);
    run.expect_code(0);
    let report = run.json();
    assert_eq!(code_counts(&report), counts);
    assert_eq!(report["totals"]["bytes"], bytes.len() as u64);
    assert_eq!(inputs(&report)[0]["encoding"], "zstd");

    // pzstd itself, where it is installed.
    let plain = write(&dir, "app.log", bytes);
    let by_pzstd = dir.join("pzstd.zst");
    let pzstd = std::process::Command::new("pzstd")
        .args(["-q", "-p", "2", "-1"])
        .arg(&plain)
        .arg("-o")
        .arg(&by_pzstd)
        .status();
    if pzstd.is_ok_and(|s| s.success()) {
        assert_eq!(
            fs::read(&by_pzstd).unwrap()[0] & 0xf0,
            0x50,
            "a skippable frame first"
        );
        let run = jmlog(&["analyze", "-f", "json", &arg(&by_pzstd)]);
        run.expect_code(0);
        assert_eq!(code_counts(&run.json()), counts);
    }
}

#[test]
fn utf16_logs_give_the_counts_of_their_utf8_copy() {
    let dir = tempdir();
    let (text, counts) = log_text(110_000);
    let plain = write(&dir, "utf8.log", text.as_bytes());
    let le = utf16(&text, false);
    let be = utf16(&text, true);
    let cases = [
        (write(&dir, "le.log", &le), "utf-16le", le.len()),
        (write(&dir, "be.log", &be), "utf-16be", be.len()),
        (
            write(
                &dir,
                "le.log.gz",
                &gzip_at(&le, flate2::Compression::none()),
            ),
            "gzip+utf-16le",
            0,
        ),
        (
            write(&dir, "be.log.zst", &zstd::encode_all(&be[..], 1).unwrap()),
            "zstd+utf-16be",
            0,
        ),
    ];
    let utf8 = jmlog(&["analyze", "-f", "json", &arg(&plain)]);
    utf8.expect_code(0);
    let utf8 = utf8.json();
    assert_eq!(code_counts(&utf8), counts);
    let lines = text.matches('\n').count() as u64;
    assert_eq!(utf8["totals"]["lines"], lines);
    for (n, (path, encoding, raw)) in cases.iter().enumerate() {
        let threads: &[&str] = if n == 0 { &["1", "2"] } else { &["2"] };
        for threads in threads {
            let run = jmlog(&["analyze", "-f", "json", "-j", threads, &arg(path)]);
            run.expect_code(0);
            let report = run.json();
            assert_eq!(report["totals"], utf8["totals"], "{encoding}");
            assert_eq!(report["codes"], {
                let mut codes = utf8["codes"].clone();
                for row in codes.as_array_mut().unwrap() {
                    row["example"]["path"] = Value::from(arg(path));
                }
                codes
            });
            let row = &inputs(&report)[0];
            assert_eq!(row["encoding"], *encoding);
            // `bytes` is the text as UTF-8; `read_bytes` what was read from the file.
            assert_eq!(row["bytes"], text.len() as u64);
            let size = fs::metadata(path).unwrap().len();
            assert_eq!(row["read_bytes"], size);
            if *raw > 0 {
                assert_eq!(size, *raw as u64);
            }
        }
    }
    // bzip2 and xz decompress first too (a smaller log: their encoders are slow in test builds).
    let (small, small_counts) = log_text(3000);
    let small_le = utf16(&small, false);
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&small_le).unwrap();
    let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 1);
    xz.write_all(&utf16(&small, true)).unwrap();
    for (name, data, encoding) in [
        ("le.log.bz2", bz.finish().unwrap(), "bzip2+utf-16le"),
        ("be.log.xz", xz.finish().unwrap(), "xz+utf-16be"),
    ] {
        let run = jmlog(&["analyze", "-f", "json", &arg(&write(&dir, name, &data))]);
        run.expect_code(0);
        let report = run.json();
        assert_eq!(code_counts(&report), small_counts);
        assert_eq!(inputs(&report)[0]["encoding"], encoding);
        assert_eq!(report["totals"]["bytes"], small.len() as u64);
    }
    // In a directory too: UTF-16 text is full of NUL bytes, and is still no binary file.
    let run = jmlog(&["analyze", "-f", "json", "--glob", "le.log", &arg(&dir)]);
    run.expect_code(0);
    assert_eq!(code_counts(&run.json()), counts);
}

#[test]
fn gzip_padded_with_zeros_is_read_as_gzip_reads_it() {
    let dir = tempdir();
    let (text, counts) = log_text(100_000);
    let half = text.len() / 2;
    // Two members, then zeros past the reader's buffer (tape and block padding).
    let mut data = gzip(&text.as_bytes()[..half]);
    data.extend(gzip(&text.as_bytes()[half..]));
    let compressed = data.len();
    data.extend(vec![0; 300 << 10]);
    let padded = write(&dir, "padded.gz", &data);
    let run = jmlog(&["analyze", "-f", "json", &arg(&padded)]);
    run.expect_code(0);
    assert_eq!(run.stderr(), "", "gzip -d says nothing either");
    assert_eq!(code_counts(&run.json()), counts);

    // Anything else after the data is an error that says where, and what came before counts.
    data.extend_from_slice(b"junk");
    let garbage = write(&dir, "garbage.gz", &data);
    let run = jmlog(&["analyze", "-f", "json", &arg(&garbage)]);
    run.expect_code(2);
    let offset = compressed + (300 << 10);
    let want = format!(
        "jmlog: {}: trailing garbage after the gzip data, at byte offset {} (kept what was read)\n",
        arg(&garbage),
        grouped(offset as u64)
    );
    assert_eq!(run.stderr(), want);
    let report = run.json();
    assert_eq!(code_counts(&report), counts);
    assert_eq!(
        inputs(&report)[0]["error"],
        want.trim_end()
            .trim_start_matches(&format!("jmlog: {}: ", arg(&garbage)))
    );
}

fn extractor() -> Arc<jmlog::extract::Extractor<'static>> {
    use jmlog::catalog::Catalog;
    use jmlog::extract::{Extractor, Mode};
    Arc::new(Extractor::new(Catalog::builtin(), Mode::Strict))
}

fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
}

/// Cuts `path` to `len` bytes.
fn truncate(path: &Path, len: u64) {
    fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

#[test]
fn a_file_that_shrinks_after_it_is_opened_ends_the_read_with_an_error_saying_how_far() {
    use jmlog::input::{self, EndedEarly, Input};
    use jmlog::pipeline::{ReadOptions, scan_input};

    let dir = tempdir();
    let line = "E/App: login failed code=801004\n";
    let path = write(&dir, "live.log", line.repeat(200_000).as_bytes());
    let size = fs::metadata(&path).unwrap().len();
    // Opened at its full size, then cut to 1,000 lines before the read.
    let opened = input::open(&Input::File {
        path: path.clone(),
        explicit: true,
    })
    .unwrap();
    let kept = 1000 * line.len() as u64;
    truncate(&path, kept);
    let options = ReadOptions {
        chunk_size: 64 << 10,
        ..ReadOptions::default()
    };
    let got = scan_input(opened.reader, &extractor(), &pool(), &options);
    let error = got.error.expect("the shrinking is an error");
    assert_eq!(
        EndedEarly::of(&error),
        Some(&EndedEarly::Shrank { read: kept, size })
    );
    assert_eq!(
        error.to_string(),
        "the file shrank while it was read: 32,000 of its 6,400,000 bytes were read"
    );
    assert_eq!(got.tally.codes[&801004].count, 1000);
}

#[test]
fn a_file_that_shrinks_while_read_in_parallel_ends_the_read_with_an_error() {
    use jmlog::input::EndedEarly;
    use jmlog::pipeline::{ReadOptions, scan_file};

    let dir = tempdir();
    let line = "E/App: login failed code=801004\n";
    let path = write(&dir, "live.log", line.repeat(200_000).as_bytes());
    let size = fs::metadata(&path).unwrap().len();
    // The size taken before the reads; the file is shorter by the time they come.
    let kept = 30_000 * line.len() as u64;
    truncate(&path, kept);
    let file = fs::File::open(&path).unwrap();
    let options = ReadOptions {
        chunk_size: 256 << 10,
        ..ReadOptions::default()
    };
    let got = scan_file(&file, size, &extractor(), &pool(), &options).unwrap();
    let error = got.error.expect("the shrinking is an error");
    assert_eq!(
        EndedEarly::of(&error),
        Some(&EndedEarly::Shrank { read: kept, size })
    );
    assert_eq!(got.tally.codes[&801004].count, 30_000);
    assert_eq!(got.tally.lines, 30_000);
}

/// Says where two outputs first differ, without printing megabytes.
fn first_difference(got: &[u8], want: &[u8]) -> String {
    let at = got.iter().zip(want).take_while(|(a, b)| a == b).count();
    let show = |bytes: &[u8]| {
        String::from_utf8_lossy(&bytes[at..(at + 120).min(bytes.len())]).into_owned()
    };
    format!(
        "{} bytes against {}; first difference at byte {at}: {:?} instead of {:?}",
        got.len(),
        want.len(),
        show(got),
        show(want)
    )
}

#[test]
fn annotate_writes_utf16_logs_as_the_annotated_lines_of_their_utf8_copy() {
    let dir = tempdir();
    let (text, counts) = log_text(110_000);
    let plain = write(&dir, "utf8.log", text.as_bytes());
    let want = jmlog(&["annotate", &arg(&plain)]);
    want.expect_code(0);
    let want = want.output.stdout;
    // Every line with a code is annotated, once, and every line is there.
    let annotated = String::from_utf8(want.clone()).unwrap();
    for (code, count) in &counts {
        let bracket = format!("\u{27e8}{code} ");
        assert_eq!(annotated.matches(&bracket).count() as u64, *count, "{code}");
    }
    assert_eq!(
        annotated.matches("\r\n").count(),
        text.matches("\r\n").count()
    );
    for big_endian in [false, true] {
        let data = utf16(&text, big_endian);
        let path = write(&dir, &format!("utf16-{big_endian}.log"), &data);
        let runs = [
            ("a named file", jmlog(&["annotate", &arg(&path)])),
            ("a pipe", jmlog_with_stdin(&["annotate"], &data)),
            (
                "< file",
                crate::util::Jmlog::program(
                    "sh",
                    [
                        "-c",
                        "exec \"$0\" annotate < \"$1\"",
                        &arg(&crate::util::bin()),
                        &arg(&path),
                    ],
                )
                .timeout(TIMEOUT)
                .run(),
            ),
        ];
        for (how, run) in runs {
            run.expect_code(0);
            assert!(
                run.output.stdout == want,
                "UTF-16 (big endian: {big_endian}) from {how}: {}",
                first_difference(&run.output.stdout, &want)
            );
        }
    }
}
