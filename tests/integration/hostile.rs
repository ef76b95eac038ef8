//! Hostile input: huge lines, NUL bytes, millions of tiny lines, many files, deep trees, FIFOs.
//! Logs are untrusted; none of this may crash jmlog, hang it, or lose counts.

use std::fs;
use std::io::Write;

use crate::util::{arg, jmlog, tempdir};

fn analyze_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["analyze", "-q", "--format", "json"];
    all.extend_from_slice(args);
    let run = jmlog(&all);
    run.expect_code(0);
    run.json()
}

#[test]
fn a_line_longer_than_the_line_limit_is_scanned_in_pieces() {
    // 40 MiB in one line (the limit is 8 MiB), a code at its start, then an ordinary line.
    let dir = tempdir();
    let path = dir.join("huge.log");
    let mut f = fs::File::create(&path).unwrap();
    f.write_all(b"E/App: login failed code=801004 ").unwrap();
    let filler = vec![b'x'; 1 << 20];
    for _ in 0..40 {
        f.write_all(&filler).unwrap();
    }
    f.write_all(b"\nE/App: send failed code=803008\n").unwrap();
    drop(f);
    let r = analyze_json(&[&arg(&path)]);
    assert_eq!(r["totals"]["lines"], 2);
    let codes: Vec<u64> = r["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, [801004, 803008]);
    assert_eq!(r["codes"][1]["example"]["line"], 2);
    let text = r["codes"][0]["example"]["text"].as_str().unwrap();
    assert!(text.len() < 2048, "example lines are cut");
}

#[test]
fn nul_bytes_in_a_named_file_are_just_bytes() {
    let dir = tempdir();
    let path = dir.join("nul.log");
    fs::write(
        &path,
        b"\0\0\0E/App: login failed code=801004\0\n\0\n\0\0code=803008\n",
    )
    .unwrap();
    let r = analyze_json(&[&arg(&path)]);
    assert_eq!(r["totals"]["lines"], 3);
    assert_eq!(r["totals"]["codes"], 2);
    assert_eq!(r["codes"][1]["example"]["line"], 3);
    // The example shows the NUL bytes escaped in the terminal report.
    let run = jmlog(["analyze", &arg(&path)]);
    assert!(run.stdout().contains("\\u{0}"), "{}", run.stdout());
}

#[test]
fn millions_of_tiny_lines() {
    let dir = tempdir();
    let path = dir.join("tiny.log");
    let mut text = vec![b'\n'; 3_000_000];
    text.extend_from_slice(b"x\ncode=801004\n");
    fs::write(&path, &text).unwrap();
    let r = analyze_json(&[&arg(&path)]);
    assert_eq!(r["totals"]["lines"], 3_000_002);
    assert_eq!(r["codes"][0]["example"]["line"], 3_000_002);
}

#[test]
fn many_small_files_in_a_deep_tree() {
    let dir = tempdir();
    for i in 0..2000 {
        let sub = dir.join(format!("d{}", i % 20));
        fs::create_dir_all(&sub).unwrap();
        fs::write(
            sub.join(format!("f{i}.log")),
            format!("E/App: failed code=80100{}\n", 3 + i % 2),
        )
        .unwrap();
    }
    let mut deep = dir.join("deep");
    for level in 0..120 {
        deep = deep.join(format!("l{level}"));
    }
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("bottom.log"), "E/App: failed code=803008\n").unwrap();
    let r = analyze_json(&[&arg(&dir)]);
    assert_eq!(r["totals"]["files"], 2001);
    assert_eq!(r["totals"]["codes"], 2001);
    let counts: std::collections::BTreeMap<u64, u64> = r["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["code"].as_u64().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(counts[&801003], 1000);
    assert_eq!(counts[&801004], 1000);
    assert_eq!(counts[&803008], 1);
}

#[test]
fn a_fifo_is_read_as_a_stream() {
    let dir = tempdir();
    let fifo = dir.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut w = fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        for _ in 0..1000 {
            w.write_all(b"E/App: login failed code=801004\nordinary 1700000000000\n")
                .unwrap();
        }
    });
    let r = analyze_json(&[&arg(&fifo)]);
    writer.join().unwrap();
    assert_eq!(r["totals"]["lines"], 2000);
    assert_eq!(r["codes"][0]["count"], 1000);
}

#[test]
fn terminal_escapes_in_paths_and_lines_are_shown_not_sent() {
    let dir = tempdir();
    let path = dir.join("evil\x1b[31m\u{202e}.log");
    fs::write(
        &path,
        "E/App: failed \x1b[2J\x1b]8;;http://x\x07link code=801004\n",
    )
    .unwrap();
    let run = jmlog(["analyze", &arg(&dir)]);
    run.expect_code(0);
    let out = run.stdout();
    assert!(
        !out.contains('\x1b') && !out.contains('\u{202e}') && !out.contains('\x07'),
        "{out:?}"
    );
    assert!(out.contains("\\u{1b}[2J"), "{out}");
    let md = jmlog(["analyze", "-f", "markdown", &arg(&dir)]).stdout();
    assert!(!md.contains('\x1b') && !md.contains('\u{202e}'), "{md:?}");
}
