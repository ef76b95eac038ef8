//! Inputs as users have them: directories, globs, stdin, compressed and rotated logs, and every kind
//! of bad input. Each compressed or combined form must give the same counts as the plain text.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{arg, jmlog, jmlog_with_stdin, sample, tempdir};

/// The counts that must not depend on how the text arrived.
fn counts(report: &Value) -> Value {
    let rows = |key: &str| -> Vec<(u64, u64)> {
        report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["code"].as_u64().unwrap(), r["count"].as_u64().unwrap()))
            .collect()
    };
    serde_json::json!({
        "bytes": report["totals"]["bytes"],
        "lines": report["totals"]["lines"],
        "code_lines": report["totals"]["code_lines"],
        "codes": rows("codes"),
        "unknown_codes": rows("unknown_codes"),
    })
}

fn analyze_json(args: &[&str]) -> Value {
    let mut all = vec!["analyze", "--format", "json"];
    all.extend_from_slice(args);
    let run = jmlog(&all);
    run.expect_code(0);
    run.json()
}

fn text_of(name: &str) -> Vec<u8> {
    fs::read(sample(name)).unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 1);
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, data).unwrap();
    path
}

#[test]
fn every_compression_gives_the_counts_of_the_plain_text() {
    let dir = tempdir();
    let plain = text_of("ios-console.log");
    let expected = counts(&analyze_json(&[&arg(&sample("ios-console.log"))]));
    // Names say nothing: the encoding is detected from the data.
    for (name, data) in [
        ("a.gz", gzip(&plain)),
        ("b.log", zstd(&plain)),
        ("c.txt", bzip2(&plain)),
        ("d", xz(&plain)),
    ] {
        let path = write(&dir, name, &data);
        let report = analyze_json(&[&arg(&path)]);
        assert_eq!(counts(&report), expected, "{name}");
        assert_ne!(report["inputs"][0]["encoding"], "plain", "{name}");
        assert_eq!(
            report["inputs"][0]["read_bytes"].as_u64().unwrap(),
            data.len() as u64
        );
    }
}

#[test]
fn multi_member_gzip_is_read_to_the_end() {
    let dir = tempdir();
    let (a, b) = (text_of("android-brief.log"), text_of("java-server.log"));
    let mut members = gzip(&a);
    members.extend(gzip(&b));
    let path = write(&dir, "rotated.gz", &members);
    let joined = write(&dir, "joined.txt", &[a, b].concat());
    assert_eq!(
        counts(&analyze_json(&[&arg(&path)])),
        counts(&analyze_json(&[&arg(&joined)]))
    );
}

#[test]
fn a_rotated_set_in_a_directory_is_one_run() {
    let dir = tempdir();
    let names = [
        "android-threadtime.log",
        "android-brief.log",
        "ios-console.log",
        "flutter-crash.log",
    ];
    let texts: Vec<Vec<u8>> = names.iter().map(|n| text_of(n)).collect();
    write(&dir, "app.log", &texts[0]);
    write(&dir, "app.log.1", &texts[1]);
    write(&dir, "app.log.2.gz", &gzip(&texts[2]));
    write(&dir, "app.log.10.zst", &zstd(&texts[3]));
    let report = analyze_json(&[&arg(&dir)]);
    let paths: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    let tail: Vec<String> = paths
        .iter()
        .map(|p| {
            Path::new(p)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        tail,
        ["app.log", "app.log.1", "app.log.2.gz", "app.log.10.zst"],
        "rotation order"
    );

    let plain: Vec<String> = names.iter().map(|n| arg(&sample(n))).collect();
    let plain: Vec<&str> = plain.iter().map(String::as_str).collect();
    assert_eq!(counts(&report), counts(&analyze_json(&plain)));
}

#[test]
fn directories_are_walked_with_globs_and_excludes() {
    let dir = tempdir();
    write(&dir, "a/app.log", &text_of("android-brief.log"));
    write(&dir, "b/deep/server.log", &text_of("java-server.log"));
    write(&dir, "b/notes.txt", &text_of("ios-console.log"));
    let all = analyze_json(&[&arg(&dir)]);
    assert_eq!(all["totals"]["files"], 3);
    let logs = analyze_json(&["--glob", "*.log", &arg(&dir)]);
    assert_eq!(logs["totals"]["files"], 2);
    let no_b = analyze_json(&["--exclude", "b/**", &arg(&dir)]);
    assert_eq!(no_b["totals"]["files"], 1);
    assert!(
        no_b["inputs"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("app.log")
    );
    // A bad pattern is a usage error.
    jmlog(["analyze", "--glob", "a[", &arg(&dir)]).expect_code(2);
}

#[test]
fn stdin_is_read_from_dash_and_when_no_path_is_given() {
    let text = text_of("rest-server.log");
    let expected = counts(&analyze_json(&[&arg(&sample("rest-server.log"))]));
    for args in [
        vec!["analyze", "-f", "json", "-"],
        vec!["analyze", "-f", "json"],
    ] {
        let run = jmlog_with_stdin(&args, &text);
        run.expect_code(0);
        assert_eq!(counts(&run.json()), expected, "{args:?}");
        assert_eq!(run.json()["inputs"][0]["path"], "<stdin>");
    }
    // Compressed stdin too.
    let run = jmlog_with_stdin(["analyze", "-f", "json", "-"], &gzip(&text));
    run.expect_code(0);
    assert_eq!(counts(&run.json()), expected);
}

#[test]
fn hidden_and_binary_files_in_directories_are_skipped_with_a_note() {
    let dir = tempdir();
    write(&dir, "app.log", &text_of("android-brief.log"));
    write(&dir, ".cache/old.log", &text_of("ios-console.log"));
    write(&dir, "core.bin", b"\x7fELF\x00\x00 code=801004\n");
    // What was skipped is missing from the counts: exit code 2.
    let run = jmlog(["analyze", "-f", "json", &arg(&dir)]);
    run.expect_code(2);
    let report = run.json();
    let skipped: Vec<&Value> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| !i["skipped"].is_null())
        .collect();
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0]["path"].as_str().unwrap().ends_with("core.bin"));
    assert!(
        run.stderr().contains("core.bin: binary file, skipped"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("skipped 1 hidden entry"),
        "{}",
        run.stderr()
    );

    let with_hidden = analyze_json(&["--hidden", "--exclude", "*.bin", &arg(&dir)]);
    assert_eq!(with_hidden["totals"]["files"], 2);
    // Named on the command line, a binary file is scanned anyway.
    let named = analyze_json(&[&arg(&dir.join("core.bin"))]);
    assert_eq!(named["codes"][0]["code"], 801004);
    // --quiet drops the notes, not what decides the exit code.
    let quiet = jmlog(["analyze", "-q", &arg(&dir)]);
    quiet.expect_code(2);
    assert_eq!(
        quiet.stderr(),
        format!(
            "jmlog: {}: binary file, skipped\n",
            arg(&dir.join("core.bin"))
        )
    );
}

#[test]
fn a_corrupt_compressed_file_keeps_what_was_read() {
    let dir = tempdir();
    let plain = text_of("flutter-crash.log");
    let whole = gzip(&plain);
    let cut = write(&dir, "cut.gz", &whole[..whole.len() / 2]);
    let good = write(&dir, "good.log", &text_of("android-brief.log"));
    let run = jmlog(["analyze", "-f", "json", &arg(&cut), &arg(&good)]);
    run.expect_code(2);
    let stderr = run.stderr();
    assert!(
        stderr.contains("cut.gz: corrupt or truncated gzip data after"),
        "{stderr}"
    );
    let report = run.json();
    let cut_row = &report["inputs"][0];
    let read = cut_row["bytes"].as_u64().unwrap();
    assert!(
        read > 0 && read < plain.len() as u64,
        "part of the text was read: {read}"
    );
    assert!(cut_row["lines"].as_u64().unwrap() > 0);
    assert!(
        report["inputs"][1]["error"].is_null(),
        "the other input is fine"
    );
}

/// Text cut off inside the first bytes jmlog looks at to tell an archive from a log: those bytes
/// are still scanned, and the error is reported with them, as for a longer file.
#[test]
fn a_compressed_file_cut_within_its_first_bytes_keeps_them() {
    let dir = tempdir();
    let plain =
        b"E/JMessage: login failed, code=801004\nE/JMessage: send failed, code=803008\n".repeat(3);
    let whole = gzip(&plain);
    let cut = write(&dir, "short.gz", &whole[..whole.len() - 12]);
    let run = jmlog(["analyze", "-f", "json", &arg(&cut)]);
    run.expect_code(2);
    let stderr = run.stderr();
    assert!(
        stderr.contains("short.gz: corrupt or truncated gzip data after"),
        "{stderr}"
    );
    let row = &run.json()["inputs"][0];
    let read = row["bytes"].as_u64().unwrap();
    assert!(
        read > 0 && read < plain.len() as u64,
        "part of the text was read: {read}"
    );
    assert!(row["code_lines"].as_u64().unwrap() >= 1, "{row}");
}

#[test]
fn missing_and_unreadable_files_are_named() {
    let dir = tempdir();
    let good = write(&dir, "good.log", &text_of("android-brief.log"));
    let secret = write(&dir, "secret.log", b"code=801004\n");
    set_unreadable(&secret);
    let args = [
        "analyze".to_owned(),
        "-f".to_owned(),
        "json".to_owned(),
        "nope.log".to_owned(),
        arg(&secret),
        arg(&good),
    ];
    let good_only = jmlog(["analyze", "-f", "json", &arg(&good)]).json();
    match jmlog_where_permissions_apply(&args) {
        Some(run) => {
            run.expect_code(2);
            let stderr = run.stderr();
            assert!(stderr.contains("nope.log: No such file"), "{stderr}");
            assert!(stderr.contains("secret.log: Permission denied"), "{stderr}");
            let report = run.json();
            let inputs = report["inputs"].as_array().unwrap();
            assert_eq!(inputs.len(), 3);
            assert!(
                inputs[1]["error"]
                    .as_str()
                    .unwrap()
                    .contains("Permission denied")
            );
            assert_eq!(
                counts(&report),
                counts(&good_only),
                "good.log is reported whole"
            );
        }
        None => {
            eprintln!(
                "NOTE: running as root where privileges cannot be dropped (no user namespace): \
                 permission denied is not checked here; a read that fails with an I/O error is \
                 checked instead (a_file_whose_read_fails_is_named)"
            );
            let run = jmlog(&args);
            run.expect_code(2);
            assert!(
                run.stderr().contains("nope.log: No such file"),
                "{}",
                run.stderr()
            );
        }
    }
}

/// The same report of a bad input for a read that fails after the open, which root cannot bypass:
/// `/proc/self/mem` opens, then its first read fails with an I/O error.
#[test]
fn a_file_whose_read_fails_is_named() {
    let good = sample("android-brief.log");
    let run = jmlog(["analyze", "-f", "json", "/proc/self/mem", &arg(&good)]);
    run.expect_code(2);
    let stderr = run.stderr();
    assert!(
        stderr.contains("jmlog: /proc/self/mem: Input/output error"),
        "{stderr}"
    );
    let report = run.json();
    assert!(
        report["inputs"][0]["error"]
            .as_str()
            .unwrap()
            .contains("Input/output error"),
        "{report}"
    );
    let good_only = analyze_json(&[&arg(&good)]);
    assert_eq!(counts(&report), counts(&good_only));
}

#[test]
fn a_directory_loop_is_reported_not_followed() {
    let dir = tempdir();
    write(&dir, "logs/app.log", &text_of("android-brief.log"));
    std::os::unix::fs::symlink("..", dir.join("logs/up")).unwrap();
    let run = jmlog([
        "analyze",
        "-f",
        "json",
        "--follow-links",
        &arg(&dir.join("logs")),
    ]);
    run.expect_code(2);
    assert!(run.stderr().contains("directory loop"), "{}", run.stderr());
    assert_eq!(run.json()["totals"]["files"], 1);
    // Without --follow-links the link is left alone, with a note.
    let run = jmlog(["analyze", "-f", "json", &arg(&dir.join("logs"))]);
    run.expect_code(0);
    assert!(run.stderr().contains("symbolic link"), "{}", run.stderr());
}

#[test]
fn bytes_that_are_not_utf8_never_crash_or_drop_lines() {
    let dir = tempdir();
    // "登录失败" in GBK, binary junk, then codes.
    let mut data = b"\xb5\xc7\xc2\xbc\xca\xa7\xb0\xdc errorCode=801004\n".to_vec();
    data.extend_from_slice(b"\xff\xfe\xfd junk \x80\x81 code=803008\n");
    data.extend_from_slice(b"plain line\n");
    let path = write(&dir, "gbk.log", &data);
    let report = analyze_json(&[&arg(&path)]);
    assert_eq!(report["totals"]["lines"], 3);
    assert_eq!(report["totals"]["code_lines"], 2);
    let text = report["codes"][0]["example"]["text"].as_str().unwrap();
    assert!(text.contains('\u{FFFD}'), "decoded lossily: {text}");
}

#[test]
fn a_file_truncated_while_it_is_read_ends_early_without_a_crash() {
    use std::sync::Arc;

    use jmlog::catalog::Catalog;
    use jmlog::extract::{Extractor, Mode};
    use jmlog::pipeline::scan_reader;

    /// Reads a file, cutting it to nothing after the first read (like copytruncate).
    struct Truncating {
        file: fs::File,
        path: PathBuf,
        reads: usize,
    }
    impl std::io::Read for Truncating {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.file.read(buf)?;
            self.reads += 1;
            if self.reads == 1 {
                fs::OpenOptions::new()
                    .write(true)
                    .open(&self.path)?
                    .set_len(0)?;
            }
            Ok(n)
        }
    }

    let dir = tempdir();
    let line = b"E/App: login failed code=801004\n";
    let path = write(&dir, "live.log", &line.repeat(100_000));
    let reader = Truncating {
        file: fs::File::open(&path).unwrap(),
        path: path.clone(),
        reads: 0,
    };
    let ex = Arc::new(Extractor::new(Catalog::builtin(), Mode::Strict));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let got = scan_reader(reader, &ex, &pool, 64 << 10);
    assert!(got.error.is_none());
    let lines = got.tally.lines;
    assert!(
        lines > 0 && lines < 100_000,
        "read part of the file: {lines} lines"
    );
    assert_eq!(got.tally.codes[&801004].count, got.tally.code_lines);
}

fn set_unreadable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o000)).unwrap();
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs jmlog so that file permissions apply to it, or `None` where that cannot be arranged.
///
/// As a user, permissions apply anyway. As root (as in CI containers) jmlog runs in a new user
/// namespace (`unshare --user`), where root's override of permissions does not reach files owned
/// outside it, while the owner bits of the private temporary directory still let it in. This
/// needs no copy of the binary, no `setpriv` and no world-readable directory.
fn jmlog_where_permissions_apply(args: &[String]) -> Option<crate::util::Run> {
    if !is_root() {
        return Some(jmlog(args));
    }
    let wrapper = "unshare";
    if std::process::Command::new(wrapper)
        .arg("--version")
        .output()
        .is_err()
    {
        return None;
    }
    let mut all = vec!["--user".to_owned(), arg(&crate::util::bin())];
    all.extend(args.iter().cloned());
    let run = crate::util::Jmlog::program(wrapper, &all).try_run().ok()?;
    // unshare missing, or user namespaces not allowed here: jmlog did not run at all.
    let ran = run.stdout().starts_with('{');
    ran.then_some(run)
}
