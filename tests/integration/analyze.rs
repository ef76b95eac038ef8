//! `jmlog analyze` end to end: the golden reports of the sample logs, the JSON schema, exit codes,
//! and output that stays safe and quiet.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::util::{arg, jmlog, root, sample, tempdir};

const SAMPLES: [&str; 7] = [
    "android-threadtime",
    "android-brief",
    "android-studio",
    "ios-console",
    "flutter-crash",
    "rest-server",
    "java-server",
];

/// The counts of a JSON report, in the shape of the golden files.
fn counts(report: &Value) -> Value {
    let map = |rows: &Value| -> BTreeMap<String, u64> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| (r["code"].to_string(), r["count"].as_u64().unwrap()))
            .collect()
    };
    serde_json::json!({
        "lines": report["totals"]["lines"],
        "code_lines": report["totals"]["code_lines"],
        "codes": map(&report["codes"]),
        "unknown_codes": map(&report["unknown_codes"]),
    })
}

#[test]
fn every_sample_log_gives_its_golden_report() {
    for name in SAMPLES {
        let run = jmlog([
            "analyze",
            "--format",
            "json",
            &arg(&sample(&format!("{name}.log"))),
        ]);
        run.expect_code(0);
        let golden: Value = serde_json::from_str(
            &std::fs::read_to_string(root().join(format!("tests/golden/{name}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(
            counts(&run.json()),
            golden,
            "{name}.log against tests/golden/{name}.json"
        );
    }
}

#[test]
fn reports_over_several_inputs_add_up() {
    let paths: Vec<String> = SAMPLES
        .iter()
        .map(|n| arg(&sample(&format!("{n}.log"))))
        .collect();
    let mut args = vec!["analyze".to_owned(), "-f".to_owned(), "json".to_owned()];
    args.extend(paths.iter().cloned());
    let all = jmlog(&args);
    all.expect_code(0);
    let all = all.json();
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    let mut lines = 0;
    for path in &paths {
        let one = jmlog(["analyze", "-f", "json", path]).json();
        lines += one["totals"]["lines"].as_u64().unwrap();
        for row in one["codes"].as_array().unwrap() {
            *expected.entry(row["code"].to_string()).or_default() += row["count"].as_u64().unwrap();
        }
    }
    assert_eq!(all["totals"]["lines"].as_u64().unwrap(), lines);
    assert_eq!(all["totals"]["files"].as_u64().unwrap(), 7);
    assert_eq!(
        counts(&all)["codes"],
        serde_json::to_value(&expected).unwrap()
    );
    // Module rows are the sums of their codes.
    for module in all["modules"].as_array().unwrap() {
        let sum: u64 = all["codes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["module"] == module["module"])
            .map(|c| c["count"].as_u64().unwrap())
            .sum();
        assert_eq!(
            module["count"].as_u64().unwrap(),
            sum,
            "{}",
            module["module"]
        );
    }
}

#[test]
fn json_report_follows_the_schema() {
    let run = jmlog([
        "analyze",
        "--format",
        "json",
        &arg(&sample("java-server.log")),
    ]);
    run.expect_code(0);
    let r = run.json();
    assert_eq!(r["schema"], "jmlog.report/1");
    assert_eq!(r["mode"], "strict");
    for key in [
        "files",
        "bytes",
        "lines",
        "code_lines",
        "codes",
        "unknown_codes",
    ] {
        assert!(r["totals"][key].is_u64(), "totals.{key}");
    }
    for m in r["modules"].as_array().unwrap() {
        assert!(m["module"].is_string() && m["count"].is_u64() && m["distinct"].is_u64());
        assert!(m["share"].is_f64());
    }
    let codes = r["codes"].as_array().unwrap();
    assert!(!codes.is_empty());
    for c in codes {
        assert!(c["code"].is_u64(), "codes are integers");
        assert!(c["count"].is_u64());
        for key in ["module", "operation", "meaning", "message"] {
            assert!(c[key].is_string(), "codes[].{key}");
        }
        assert!(
            c["example"]["path"]
                .as_str()
                .unwrap()
                .ends_with("java-server.log")
        );
        assert!(c["example"]["line"].as_u64().unwrap() >= 1);
        let text = c["example"]["text"].as_str().unwrap();
        assert!(
            text.contains(&c["code"].to_string()),
            "the example shows the code: {text}"
        );
    }
    let counts: Vec<u64> = codes.iter().map(|c| c["count"].as_u64().unwrap()).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most frequent first"
    );
    for u in r["unknown_codes"].as_array().unwrap() {
        assert!(u["code"].is_u64() && u["count"].is_u64() && u["example"]["line"].is_u64());
    }
    let inputs = r["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1);
    assert!(inputs[0]["error"].is_null());
    assert_eq!(inputs[0]["lines"], r["totals"]["lines"]);
}

#[test]
fn example_lines_point_at_the_right_line() {
    let path = sample("rest-server.log");
    let text = std::fs::read_to_string(&path).unwrap();
    let r = jmlog(["analyze", "-f", "json", &arg(&path)]).json();
    for c in r["codes"]
        .as_array()
        .unwrap()
        .iter()
        .chain(r["unknown_codes"].as_array().unwrap())
    {
        let line = c["example"]["line"].as_u64().unwrap() as usize;
        assert_eq!(
            text.lines().nth(line - 1).unwrap(),
            c["example"]["text"].as_str().unwrap()
        );
    }
}

#[test]
fn a_missing_input_is_named_and_the_others_are_still_reported() {
    let run = jmlog([
        "analyze",
        "-f",
        "json",
        "missing.log",
        &arg(&sample("ios-console.log")),
    ]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("jmlog: missing.log: "),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("No such file"), "{}", run.stderr());
    let r = run.json();
    assert!(
        !r["codes"].as_array().unwrap().is_empty(),
        "ios-console.log is still reported"
    );
    let inputs = r["inputs"].as_array().unwrap();
    assert_eq!(inputs[0]["path"], "missing.log");
    assert!(
        inputs[0]["error"]
            .as_str()
            .unwrap()
            .contains("No such file")
    );
    assert!(inputs[1]["error"].is_null());

    // The text report names it too.
    let run = jmlog(["analyze", "missing.log", &arg(&sample("ios-console.log"))]);
    run.expect_code(2);
    assert!(run.stdout().contains("Problems"), "{}", run.stdout());
}

#[test]
fn text_report_shows_modules_codes_and_examples() {
    let run = jmlog(["analyze", &arg(&sample("android-threadtime.log"))]);
    run.expect_code(0);
    let out = run.stdout();
    for needle in [
        "Scanned 1 input",
        "Modules",
        "login",
        "Unknown codes",
        "871399",
        "Examples",
    ] {
        assert!(out.contains(needle), "{needle} in\n{out}");
    }
    assert!(
        !out.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    assert!(out.lines().all(|l| l == l.trim_end()), "no trailing blanks");
}

#[test]
fn log_text_never_reaches_the_terminal_raw() {
    let dir = tempdir();
    let path = dir.join("hostile.log");
    std::fs::write(
        &path,
        "E/App: login failed \x1b]0;pwned\x07\x1b[2J code=801004 \u{202E}txt.exe\u{200B}\n",
    )
    .unwrap();
    let run = jmlog(["analyze", "--color", "always", &arg(&path)]);
    run.expect_code(0);
    let out = run.stdout();
    assert!(out.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[2J"), "{out}");
    assert!(out.contains("\\u{202e}txt.exe\\u{200b}"), "{out}");
    assert!(!out.contains('\u{202E}') && !out.contains('\x07'));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let path = arg(&sample("android-brief.log"));
    let run = jmlog(["analyze", "--color", "always", &path]);
    assert!(run.stdout().contains("\x1b["), "--color always colours");
    let run = jmlog(["analyze", "--color", "never", &path]);
    assert!(!run.stdout().contains('\x1b'));
    // NO_COLOR applies to `auto`, and stdout here is a pipe anyway; `always` wins over NO_COLOR.
    let run = crate::util::Jmlog::new(["analyze", "--color", "always", &path])
        .env("NO_COLOR", "1")
        .run();
    assert!(run.stdout().contains("\x1b["));
}

#[test]
fn loose_mode_counts_more_and_says_so() {
    let path = sample("ios-console.log");
    let text = std::fs::read(&path).unwrap();
    let strict = jmlog(["analyze", "-f", "json", &arg(&path)]).json();
    let loose = jmlog(["analyze", "-f", "json", "--loose", &arg(&path)]).json();
    assert_eq!(strict["mode"], "strict");
    assert_eq!(loose["mode"], "loose");
    // Exactly what the independent reading of the rules finds, in each mode.
    for (report, is_loose) in [(&strict, false), (&loose, true)] {
        let want = crate::oracle::count_text(&text, is_loose);
        assert_eq!(
            crate::oracle::report_counts(report),
            crate::oracle::as_report_counts(&want),
            "loose: {is_loose}"
        );
    }
    let (s, l) = (
        strict["totals"]["codes"].as_u64().unwrap(),
        loose["totals"]["codes"].as_u64().unwrap(),
    );
    assert!(
        l > s,
        "the thread ids and usernames that look like codes count in loose mode: {l} vs {s}"
    );
    assert!(
        loose["unknown_codes"].as_array().unwrap().is_empty(),
        "loose counts catalog codes only"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut jm = crate::util::Watched::spawn(
        Command::new(crate::util::bin())
            .args(["codes", "--format", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let mut first = String::new();
    BufReader::new(jm.child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader goes away after one line, like `head -1`.
    let mut stderr = String::new();
    jm.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = jm.wait();
    assert_eq!(first.trim(), "[");
    assert_eq!(status.code(), Some(0));
    assert_eq!(stderr, "");
}

#[test]
fn usage_errors_exit_2() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["analyze", "--format", "yaml", "x.log"],
            "invalid value 'yaml' for '--format <FORMAT>'",
        ),
        (
            &["analyze", "--threads", "0", "x.log"],
            "invalid value '0' for '--threads <N>'",
        ),
        (
            &["analyze", "--by", "month", "x.log"],
            "invalid value 'month' for '--by",
        ),
        (
            &["analyze", "--no-such-option"],
            "unexpected argument '--no-such-option'",
        ),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
    ];
    for (args, message) in cases {
        let run = jmlog(args);
        run.expect_code(2);
        assert_eq!(run.stdout(), "", "jmlog {args:?} writes no report");
        let stderr = run.stderr();
        assert!(stderr.contains(message), "jmlog {args:?}: {stderr}");
        assert!(stderr.contains("--help"), "points to the help: {stderr}");
    }
}
