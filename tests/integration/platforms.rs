//! Codes whose meaning depends on the platform: the report gives the meaning of the platform the
//! lines come from, or lists every meaning; and evidence weaker than a table is marked.

use std::fmt::Write as _;
use std::fs;

use jmlog::catalog::{Catalog, Entry, Platform};
use serde_json::Value;

use crate::util::{arg, jmlog, jmlog_with_stdin, tempdir};

fn entry(code: u32) -> &'static Entry {
    Catalog::builtin().get(code).unwrap()
}

fn meaning_on(code: u32, platform: Platform) -> &'static str {
    let e = entry(code);
    if e.platform == Some(platform) {
        return &e.meaning;
    }
    &e.elsewhere
        .iter()
        .find(|v| v.platform == platform)
        .unwrap()
        .meaning
}

/// How many lines of each kind the generated log has.
const ANDROID: usize = 30_000;
const IOS: usize = 30_000;
const WEB: usize = 20_000;
const MIXED: usize = 20_000;
const BINARY: usize = 10_000;

/// A log of 120,001 lines with codes (and as many without), every platform's layout.
fn log() -> String {
    let mut text = String::new();
    for i in 0..ANDROID {
        let ms = i % 1000;
        writeln!(
            text,
            "11-03 08:15:44.{ms:03}  7606  7702 W JIGUANG-JMRTC: call failed, code = 872001"
        )
        .unwrap();
        writeln!(
            text,
            "11-03 08:15:44.{ms:03}  7606  7702 I ChatApp: tick {i}"
        )
        .unwrap();
    }
    for i in 0..IOS {
        let us = i % 1_000_000;
        writeln!(
            text,
            "2026-11-04 10:12:31.{us:06}+0800 ChatDemo[7606:812345] [JMRTC] call ended, code=872002"
        )
        .unwrap();
        writeln!(
            text,
            "2026-11-04 10:12:31.{us:06}+0800 ChatDemo[7606:812345] frame {i}"
        )
        .unwrap();
    }
    for i in 0..WEB {
        writeln!(
            text,
            "jmessage-sdk-web.2.6.0.min.js:1 {{code: 872003, message: 'login error {i}'}}"
        )
        .unwrap();
    }
    for i in 0..MIXED {
        writeln!(text, "E/JIGUANG-JMRTC( 7606): onError code=872004 seq {i}").unwrap();
    }
    // One line that does not say where it comes from.
    writeln!(text, "call failed, code = 872004").unwrap();
    for _ in 0..BINARY {
        writeln!(text, "add user to no-disturb failed. code = 831003").unwrap();
    }
    text
}

fn row(report: &Value, code: u32) -> &Value {
    report["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("{code} is in the report"))
}

#[test]
fn reports_give_the_meaning_of_the_platform_the_lines_come_from() {
    let dir = tempdir();
    let path = dir.join("calls.log");
    let text = log();
    fs::write(&path, &text).unwrap();
    assert!(text.len() > 8 << 20, "several chunks: {} bytes", text.len());

    let run = jmlog(["analyze", "-q", "-f", "json", "-j", "2", &arg(&path)]);
    run.expect_code(0);
    let report = run.json();
    assert_eq!(
        report["totals"]["codes"],
        ANDROID + IOS + WEB + MIXED + 1 + BINARY
    );

    let r = row(&report, 872001);
    assert_eq!(r["meaning"], meaning_on(872001, Platform::Android));
    assert_eq!(r["platforms"], serde_json::json!({ "android": ANDROID }));
    assert!(r.get("strength").is_none(), "a documentation table: {r}");

    let r = row(&report, 872002);
    assert_eq!(r["meaning"], meaning_on(872002, Platform::Ios));
    assert_eq!(r["operation"], "audio-video call end");
    assert_eq!(r["message"], "", "the iOS meaning has no English message");
    assert_eq!(r["platforms"], serde_json::json!({ "ios": IOS }));
    assert_eq!(r["strength"], "header", "JMRTC iOS reference");

    let r = row(&report, 872003);
    assert_eq!(r["meaning"], meaning_on(872003, Platform::Web));
    assert_eq!(
        r["module"], "audio-video",
        "the module is the same on every platform"
    );
    assert_eq!(r["platforms"], serde_json::json!({ "web": WEB }));

    // One line of unknown platform: every meaning, labelled.
    let r = row(&report, 872004);
    assert_eq!(
        r["platforms"],
        serde_json::json!({ "android": MIXED, "unknown": 1 })
    );
    let listed = r["meaning"].as_str().unwrap();
    assert!(
        listed.starts_with(&format!(
            "[android · JMRTC Android] {}",
            entry(872004).meaning
        )),
        "{listed}"
    );
    for p in [Platform::Ios, Platform::Web] {
        assert!(listed.contains(meaning_on(872004, p)), "{listed}");
    }
    assert!(listed.contains("[ios · JMRTC iOS · header] "), "{listed}");

    let r = row(&report, 831003);
    assert_eq!(r["strength"], "binary");
    assert_eq!(r["meaning"], entry(831003).meaning);
    assert!(r.get("platforms").is_none(), "{r}");

    // Any chunk size and thread count gives the same report.
    let run = jmlog([
        "analyze",
        "-q",
        "-f",
        "json",
        "-j",
        "1",
        "--chunk-size",
        "65536",
        &arg(&path),
    ]);
    run.expect_code(0);
    assert_eq!(run.json()["codes"], report["codes"]);

    // Reports of the two halves merge into the same rows.
    let cut = text[..text.len() / 2].rfind('\n').unwrap() + 1;
    let (a, b) = (dir.join("a.log"), dir.join("b.log"));
    fs::write(&a, &text[..cut]).unwrap();
    fs::write(&b, &text[cut..]).unwrap();
    let mut parts = Vec::new();
    for (half, name) in [(&a, "a.json"), (&b, "b.json")] {
        let out = dir.join(name);
        jmlog(["analyze", "-q", "-f", "json", "-o", &arg(&out), &arg(half)]).expect_code(0);
        parts.push(arg(&out));
    }
    let run = jmlog(["merge", "-f", "json", &parts[0], &parts[1]]);
    run.expect_code(0);
    let merged = run.json();
    for code in [872001, 872002, 872003, 872004, 831003] {
        let (m, one) = (row(&merged, code), row(&report, code));
        assert_eq!(m["meaning"], one["meaning"], "{code}");
        assert_eq!(m["platforms"], one["platforms"], "{code}");
        assert_eq!(m["strength"], one["strength"], "{code}");
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn reports_for_people_mark_evidence_weaker_than_a_table() {
    let log = "add user to no-disturb failed. code = 831003\n\
               login failed, responseCode=801004\n\
               invite failed code=872005\n";
    let marker = |s: &str| format!("[evidence: {s}]");
    let binary = marker("an SDK binary only, no documentation");
    let header = marker("an SDK header or javadoc, in no documentation table");
    for format in ["text", "markdown", "html"] {
        let run = jmlog_with_stdin(
            ["analyze", "-q", "--color", "never", "-f", format],
            log.as_bytes(),
        );
        run.expect_code(0);
        let out = run.stdout();
        // Markdown escapes the brackets.
        let out = out.replace("\\[", "[").replace("\\]", "]");
        let line_of = |code: &str| {
            let meaning = &entry(code.parse().unwrap()).meaning;
            out.lines()
                .find(|l| l.contains(code) && l.contains(meaning.as_str()))
                .unwrap_or_else(|| panic!("{format}: no row for {code}:\n{out}"))
                .to_owned()
        };
        if format == "html" {
            assert_eq!(out.matches(&binary).count(), 1, "{format}");
            assert_eq!(out.matches(&header).count(), 1, "{format}");
            assert_eq!(out.matches("[evidence:").count(), 2, "{format}");
        } else {
            assert!(line_of("831003").contains(&binary), "{format}: {out}");
            assert!(line_of("872005").contains(&header), "{format}: {out}");
            assert!(!line_of("801004").contains("[evidence:"), "{format}: {out}");
        }
    }
}

/// A logcat line, an iOS line and a line of neither, each with 872001, whose meaning differs.
const JMRTC_LINES: &str = "11-03 08:15:44.020  7606  7702 W JIGUANG-JMRTC: call failed, code = 872001\n\
               2026-11-04 10:12:31.004512+0800 ChatDemo[7606:812345] [JMRTC] ended code=872001\n\
               call failed, code = 872001\n";

#[test]
fn annotate_gives_each_line_its_platform_meaning() {
    let log = JMRTC_LINES;
    let run = jmlog_with_stdin(["annotate", "--color", "never"], log.as_bytes());
    run.expect_code(0);
    let out = run.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines[0].ends_with(&format!("{}⟩", meaning_on(872001, Platform::Android))),
        "{out}"
    );
    assert!(
        lines[1].ends_with(&format!("{}⟩", meaning_on(872001, Platform::Ios))),
        "{out}"
    );
    assert!(
        lines[2].contains("[android · JMRTC Android]") && lines[2].contains("[web · "),
        "{out}"
    );
}

/// A file is annotated a block at a time on every core, each block by its own copy of the
/// annotator, which remembers the annotations it wrote: each line still gets its own platform's
/// meaning, in every block, as when the same lines come line by line from a pipe.
#[test]
fn annotate_gives_each_line_its_platform_meaning_in_every_block_of_a_file() {
    let lines: Vec<&str> = JMRTC_LINES.lines().collect();
    let mut log = String::new();
    // 3 MiB: several blocks per thread; the three lines in turns, in varying order, among
    // other lines.
    let mut i = 0usize;
    while log.len() < 3 << 20 {
        writeln!(log, "I/Chat: synced {i} messages").unwrap();
        writeln!(log, "{}", lines[i % 3]).unwrap();
        if i % 7 == 0 {
            writeln!(log, "{}", lines[(i + 1) % 3]).unwrap();
        }
        i += 1;
    }
    let dir = tempdir();
    let path = dir.join("rtc.log");
    fs::write(&path, &log).unwrap();
    let from_file = jmlog(["annotate", "--color", "never", &arg(&path)]);
    from_file.expect_code(0);
    let out = from_file.stdout();
    let piped = jmlog_with_stdin(["annotate", "--color", "never"], log.as_bytes());
    assert!(
        out == piped.stdout(),
        "a file and a pipe give different annotations"
    );
    let endings = [
        format!("{}⟩", meaning_on(872001, Platform::Android)),
        format!("{}⟩", meaning_on(872001, Platform::Ios)),
    ];
    let mut seen = [0; 3];
    for (line, annotated) in log.lines().zip(out.lines()) {
        if let Some(k) = lines.iter().position(|l| *l == line) {
            seen[k] += 1;
            let right = match k {
                2 => annotated.contains("[android · JMRTC Android]"),
                _ => annotated.ends_with(&endings[k]),
            };
            assert!(right, "{line}\n→ {annotated}");
        }
    }
    assert_eq!(out.lines().count(), log.lines().count());
    assert!(seen.iter().all(|&n| n > 10_000), "{seen:?}");
}
