//! CI gates on codes the catalog does not know, `--fail-on new` with unknown codes, and codes in
//! gates that are not codes.

use std::fs;

use crate::output::timed;
use crate::util::{arg, tempdir};

const LOG: &str = "E JMessage request failed, code = 812345\n\
                   E JMessage request failed, code = 812345\n\
                   E JMessage login failed, code = 801004\n";

#[test]
fn code_gates_trip_for_a_code_the_catalog_does_not_know() {
    let dir = tempdir();
    let log = dir.join("u.log");
    fs::write(&log, LOG).unwrap();
    let log = arg(&log);
    let cases = [
        (
            &["--fail-on", "code=812345"][..],
            1,
            "gate --fail-on code=812345 tripped: 812345 occurred 2 times",
        ),
        (
            &["--max", "812345=0"],
            1,
            "gate --max 812345=0 tripped: 812345: 2 (at most 0 allowed)",
        ),
        (
            &["--max", "812345=1"],
            1,
            "gate --max 812345=1 tripped: 812345: 2 (at most 1 allowed)",
        ),
        (&["--max", "812345=2"], 0, ""),
        (&["--fail-on", "code=812346"], 0, ""),
    ];
    for (gate, code, message) in cases {
        let mut args = vec!["analyze", "-q", "-f", "json", &log];
        args.extend_from_slice(gate);
        let run = timed(&args);
        run.expect_code(code);
        let stderr = if message.is_empty() {
            String::new()
        } else {
            format!("jmlog: {message}\n")
        };
        assert_eq!(run.stderr, stderr, "{}", run.what);
        let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_eq!(report["gates"][0]["tripped"], code == 1, "{}", run.what);
    }
    // Through merge, the same.
    let shard = dir.join("shard.json");
    timed(&["analyze", "-q", "-f", "json", &log, "-o", &arg(&shard)]).expect_code(0);
    let run = timed(&[
        "merge",
        &arg(&shard),
        "--fail-on",
        "code=812345",
        "--max",
        "812345=3",
    ]);
    run.expect_code(1);
    assert_eq!(
        run.stderr,
        "jmlog: gate --fail-on code=812345 tripped: 812345 occurred 2 times\n"
    );
}

#[test]
fn fail_on_new_counts_unknown_codes_the_baseline_never_had() {
    let dir = tempdir();
    let before = dir.join("before.log");
    fs::write(&before, LOG).unwrap();
    let baseline = dir.join("baseline.json");
    timed(&[
        "analyze",
        "-q",
        "-f",
        "json",
        &arg(&before),
        "-o",
        &arg(&baseline),
    ])
    .expect_code(0);
    let baseline = arg(&baseline);

    // The same codes again: nothing is new, the unknown one included.
    let run = timed(&[
        "analyze",
        "-q",
        "-f",
        "json",
        "--baseline",
        &baseline,
        "--fail-on",
        "new",
        &arg(&before),
    ]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(
        report["baseline"]["new_unknown_codes"],
        serde_json::json!([])
    );
    assert_eq!(
        report["gates"][0]["detail"],
        "no codes new since the baseline"
    );

    // A second unknown code, never seen before, trips the gate.
    let after = dir.join("after.log");
    fs::write(
        &after,
        format!("{LOG}E JMessage request failed, code = 812346\n"),
    )
    .unwrap();
    let run = timed(&[
        "analyze",
        "-q",
        "-f",
        "json",
        "--baseline",
        &baseline,
        "--fail-on",
        "new",
        &arg(&after),
    ]);
    run.expect_code(1);
    assert_eq!(
        run.stderr,
        "jmlog: gate --fail-on new tripped: 1 code new since the baseline: 812346 (unknown)\n"
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["baseline"]["new_codes"], serde_json::json!([]));
    assert_eq!(
        report["baseline"]["new_unknown_codes"],
        serde_json::json!([812346])
    );
    // The text and Markdown reports say so.
    let text = timed(&["analyze", "-q", "--baseline", &baseline, &arg(&after)]);
    text.expect_code(0);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("  new   unknown codes: 812346\n"), "{text}");
    assert!(!text.contains("No codes are new"), "{text}");
    let md = timed(&[
        "analyze",
        "-q",
        "-f",
        "markdown",
        "--baseline",
        &baseline,
        &arg(&after),
    ]);
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains("**New unknown codes:** 812346\n"), "{md}");
    assert!(!md.contains("No new codes."), "{md}");
    let html = timed(&[
        "analyze",
        "-q",
        "-f",
        "html",
        "--baseline",
        &baseline,
        &arg(&after),
    ]);
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(
        html.contains(
            "<p class=\"note\">New unknown codes: <span class=\"mono\">812346</span></p>"
        ),
        "{html}"
    );
    assert!(!html.contains("No code is new."), "{html}");
}

#[test]
fn a_malformed_code_in_a_gate_is_a_usage_error_before_anything_is_read() {
    let dir = tempdir();
    let log = dir.join("u.log");
    fs::write(&log, LOG).unwrap();
    let shard = dir.join("shard.json");
    timed(&[
        "analyze",
        "-q",
        "-f",
        "json",
        &arg(&log),
        "-o",
        &arg(&shard),
    ])
    .expect_code(0);
    let out = dir.join("never.json");
    let rule = "codes are six or seven digits, 700000-899999 or 7000000-7999999, like 803008";
    let cases = [
        (
            "--fail-on",
            "code=+80100",
            format!("--fail-on code=+80100: '+80100' is not a JMessage code: {rule}"),
        ),
        (
            "--fail-on",
            "code=+801004",
            format!("--fail-on code=+801004: '+801004' is not a JMessage code: {rule}"),
        ),
        (
            "--fail-on",
            "code= 801004",
            format!("--fail-on code= 801004: ' 801004' is not a JMessage code: {rule}"),
        ),
        (
            "--fail-on",
            "code=0801004",
            format!("--fail-on code=0801004: '0801004' is not a JMessage code: {rule}"),
        ),
        (
            "--fail-on",
            "code=900000",
            format!("--fail-on code=900000: '900000' is not a JMessage code: {rule}"),
        ),
        (
            "--fail-on",
            "code=80100",
            format!("--fail-on code=80100: '80100' is not a JMessage code: {rule}"),
        ),
        (
            "--max",
            "-801004=0",
            format!("--max -801004=0: '-801004' is not a JMessage code: {rule}"),
        ),
        (
            "--max",
            "8000000=0",
            format!("--max 8000000=0: '8000000' is not a JMessage code: {rule}"),
        ),
        (
            "--max",
            "801004=+1",
            "--max 801004=+1: '+1' is not a whole number".to_owned(),
        ),
    ];
    for (flag, value, message) in cases {
        for command in [
            vec!["analyze", "-q", &arg(&log)],
            vec!["merge", &arg(&shard)],
        ] {
            let mut args = command.clone();
            let out = arg(&out);
            // `--max=-801004=0`: joined, so that a leading `-` is not taken for an option.
            let gate = format!("{flag}={value}");
            args.extend([gate.as_str(), "-o", &out]);
            let run = timed(&args);
            run.expect_code(2);
            assert_eq!(run.stderr, format!("jmlog: {message}\n"), "{}", run.what);
            assert!(!dir.join("never.json").exists(), "{}", run.what);
        }
    }
}

#[test]
fn a_code_the_baseline_had_as_unknown_is_not_new_once_the_catalog_knows_it() {
    let dir = tempdir();
    let before = dir.join("before.log");
    fs::write(&before, LOG).unwrap();
    let baseline = dir.join("baseline.json");
    timed(&[
        "analyze",
        "-q",
        "-f",
        "json",
        &arg(&before),
        "-o",
        &arg(&baseline),
    ])
    .expect_code(0);
    // As an older catalog would have written it: 801004 among the unknown codes.
    let mut report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&baseline).unwrap()).unwrap();
    report["codes"] = serde_json::json!([]);
    report["modules"] = serde_json::json!([]);
    report["totals"]["codes"] = 0.into();
    report["unknown_codes"][0]["code"] = 801004.into();
    fs::write(&baseline, report.to_string()).unwrap();

    let now = dir.join("now.log");
    fs::write(&now, "E JMessage login failed, code = 801004\n").unwrap();
    let run = timed(&[
        "analyze",
        "-q",
        "-f",
        "json",
        "--baseline",
        &arg(&baseline),
        "--fail-on",
        "new",
        &arg(&now),
    ]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["baseline"]["new_codes"], serde_json::json!([]));
    assert_eq!(report["codes"][0]["code"], 801004);
    assert_eq!(
        report["codes"][0]["previous"], 2,
        "its count as an unknown code then"
    );
}
