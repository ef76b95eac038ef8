//! Dating lines and counting over time: `--by`, `--since`, `--until`, `--tz`, `--year`.

use std::fs;

use serde_json::Value;

use crate::util::{arg, jmlog, root, sample, tempdir};

fn analyze(args: &[&str]) -> Value {
    let mut all = vec!["analyze", "--format", "json"];
    all.extend_from_slice(args);
    let run = jmlog(&all);
    run.expect_code(0);
    run.json()
}

fn all_samples() -> Vec<String> {
    let mut paths: Vec<String> = fs::read_dir(root().join("sample-logs"))
        .unwrap()
        .map(|e| arg(&e.unwrap().path()))
        .collect();
    paths.sort();
    paths
}

#[test]
fn weekly_histogram_of_the_sample_logs() {
    let samples = all_samples();
    let mut args = vec!["--by", "week", "--tz", "Asia/Shanghai", "--year", "2026"];
    args.extend(samples.iter().map(String::as_str));
    let report = analyze(&args);
    let h = &report["histogram"];
    let golden: Value = serde_json::from_str(
        &fs::read_to_string(root().join("tests/golden/weekly-histogram.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(h["bucket"], golden["bucket"]);
    assert_eq!(h["tz"], golden["tz"]);
    assert_eq!(h["undated"], golden["undated"]);
    let series = h["series"].as_array().unwrap();
    assert!(
        series.len() >= 3,
        "the sample logs span at least three weeks"
    );
    assert_eq!(series.len(), golden["series"].as_array().unwrap().len());
    for (got, want) in series.iter().zip(golden["series"].as_array().unwrap()) {
        for key in ["label", "start", "end", "total", "unknown", "modules"] {
            assert_eq!(got[key], want[key], "{key} of {}", want["label"]);
        }
    }
    // Every dated and undated occurrence is accounted for.
    let dated: u64 = series
        .iter()
        .map(|b| b["total"].as_u64().unwrap() + b["unknown"].as_u64().unwrap())
        .sum();
    let all = report["totals"]["codes"].as_u64().unwrap()
        + report["totals"]["unknown_codes"].as_u64().unwrap();
    assert_eq!(dated + h["undated"].as_u64().unwrap(), all);
}

#[test]
fn the_text_report_draws_the_histogram_and_sparklines() {
    let run = jmlog([
        "analyze",
        "--by",
        "day",
        "--tz",
        "UTC",
        "--year",
        "2026",
        &arg(&sample("rest-server.log")),
    ]);
    run.expect_code(0);
    let out = run.stdout();
    assert!(out.contains("Codes per day (UTC)"), "{out}");
    assert!(
        out.contains("2026-11-03 Tue"),
        "labels show the year and weekday:\n{out}"
    );
    assert!(out.contains("Top codes over time"), "{out}");
    assert!(out.contains('▁') || out.contains('█'), "{out}");
}

#[test]
fn empty_days_between_dated_lines_are_listed() {
    let dir = tempdir();
    let path = dir.join("gap.log");
    fs::write(
        &path,
        "2026-11-01 10:00:00,000 ERROR x - code=801004\n\
         2026-11-04 10:00:00,000 ERROR x - code=801004\n",
    )
    .unwrap();
    let report = analyze(&["--by", "day", "--tz", "UTC", &arg(&path)]);
    let totals: Vec<u64> = report["histogram"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["total"].as_u64().unwrap())
        .collect();
    assert_eq!(totals, [1, 0, 0, 1]);
}

#[test]
fn lines_without_a_time_take_the_last_one_above_them() {
    let dir = tempdir();
    let path = dir.join("trace.log");
    fs::write(
        &path,
        "[VERBOSE-2] Unhandled Exception: PlatformException(871303, Invalid username., null)\n\
         2026-11-10 23:59:59.000 I/flutter: login\n\
         Unhandled Exception: PlatformException(871303, Invalid username., null)\n\
         #0      StandardMethodCodec.decodeEnvelope (package:flutter/src/services/message_codecs.dart:653)\n\
         2026-11-11 00:00:01.000 I/flutter: retry\n\
         E/flutter: PlatformException(863004, User is not at Login state, null)\n",
    )
    .unwrap();
    let report = analyze(&["--by", "day", "--tz", "UTC", &arg(&path)]);
    let h = &report["histogram"];
    assert_eq!(h["undated"], 1, "the first line has nothing above it");
    let series = h["series"].as_array().unwrap();
    assert_eq!(series.len(), 2);
    assert_eq!(series[0]["codes"]["871303"], 1);
    assert_eq!(series[1]["codes"]["863004"], 1);
    // In any chunk size the same.
    for chunk in ["1", "40", "100"] {
        let again = analyze(&[
            "--by",
            "day",
            "--tz",
            "UTC",
            "--chunk-size",
            chunk,
            &arg(&path),
        ]);
        assert_eq!(
            again["histogram"], report["histogram"],
            "chunk size {chunk}"
        );
    }
}

#[test]
fn offsets_and_zones_decide_the_bucket() {
    let dir = tempdir();
    let path = dir.join("zones.log");
    // 23:30 in Shanghai on the 3rd is 15:30 UTC on the 3rd; the iOS line is 01:00 on the 4th in +0800.
    fs::write(
        &path,
        "2026-11-03 23:30:00.000 E/JIGUANG-JMessage: code=801004\n\
         2026-11-04 01:00:00.000000+0800 App[1:2] Error Domain=jmsg_error Code=865003\n",
    )
    .unwrap();
    let in_shanghai = analyze(&["--by", "day", "--tz", "Asia/Shanghai", &arg(&path)]);
    let days: Vec<&str> = in_shanghai["histogram"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["label"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2026-11-03 Tue", "2026-11-04 Wed"]);
    // Read in UTC, the civil time is 8 hours later than in Shanghai, but the iOS line keeps its
    // offset: both land on 3 November (UTC).
    let in_utc = analyze(&["--by", "day", "--tz", "UTC", &arg(&path)]);
    let series = in_utc["histogram"]["series"].as_array().unwrap();
    assert_eq!(series.len(), 1, "{series:?}");
    assert_eq!(series[0]["total"], 2);
}

#[test]
fn year_less_logcat_rolls_over_new_year_with_year() {
    let dir = tempdir();
    let path = dir.join("newyear.log");
    fs::write(
        &path,
        "12-31 23:59:58.000  100  200 E App: login failed code=801004\n\
         01-01 00:00:02.000  100  200 E App: login failed code=801004\n",
    )
    .unwrap();
    let report = analyze(&["--by", "day", "--tz", "UTC", "--year", "2026", &arg(&path)]);
    let labels: Vec<&str> = report["histogram"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2026-12-31 Thu", "2027-01-01 Fri"]);
}

/// The year of year-less timestamps comes from the first one in the input's first MiB, wherever it
/// is in that MiB: here after 900 KiB of lines without a time.
#[test]
fn year_less_logcat_takes_the_year_from_a_first_timestamp_deep_in_the_file() {
    let dir = tempdir();
    let path = dir.join("late.log");
    let mut text = String::new();
    let mut n = 0;
    while text.len() < 900 << 10 {
        n += 1;
        text.push_str(&format!("plain line {n} with no time and no code\n"));
    }
    text.push_str(
        "12-31 23:59:58.000  100  200 E App: login failed code=801004\n\
         01-01 00:00:02.000  100  200 E App: login failed code=801004\n",
    );
    fs::write(&path, &text).unwrap();
    let report = analyze(&["--by", "day", "--tz", "UTC", "--year", "2026", &arg(&path)]);
    let labels: Vec<&str> = report["histogram"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2026-12-31 Thu", "2027-01-01 Fri"]);
    assert_eq!(report["totals"]["lines"], n + 2);
}

#[test]
fn year_less_logcat_takes_the_year_from_the_modification_time() {
    let dir = tempdir();
    let path = dir.join("rotated.log");
    fs::write(
        &path,
        "12-30 10:00:00.000  100  200 E App: login failed code=801004\n\
         01-02 10:00:00.000  100  200 E App: login failed code=801004\n",
    )
    .unwrap();
    let written: std::time::SystemTime = std::time::UNIX_EPOCH
        + std::time::Duration::from_secs(
            "2027-01-05T00:00:00Z"
                .parse::<jiff::Timestamp>()
                .unwrap()
                .as_second() as u64,
        );
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(written)
        .unwrap();
    let report = analyze(&["--by", "day", "--tz", "UTC", &arg(&path)]);
    let series = report["histogram"]["series"].as_array().unwrap();
    assert_eq!(series.first().unwrap()["label"], "2026-12-30 Wed");
    assert_eq!(series.last().unwrap()["label"], "2027-01-02 Sat");
}

/// Relative windows count back from now: a line of three days ago is inside `--since 7d`, one of
/// ten days ago is not; `2w`, `24h` and `30m` move the edge accordingly.
#[test]
fn relative_since_counts_back_from_now() {
    let dir = tempdir();
    let path = dir.join("recent.log");
    let now = jiff::Timestamp::now();
    let ago = |secs: i64| {
        now.checked_sub(jiff::SignedDuration::from_secs(secs))
            .unwrap()
    };
    let line = |secs: i64, code: u32| {
        format!(
            "{} ERROR request failed, code={code}\n",
            ago(secs).strftime("%Y-%m-%dT%H:%M:%SZ")
        )
    };
    let text = [
        line(10 * 86_400, 803008),
        line(3 * 86_400, 801004),
        line(2 * 3_600, 899002),
        line(10 * 60, 810001),
    ]
    .concat();
    fs::write(&path, text).unwrap();
    let codes = |since: &str| -> (Vec<u64>, String) {
        let report = analyze(&["--since", since, &arg(&path)]);
        let mut codes: Vec<u64> = report["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_u64().unwrap())
            .collect();
        codes.sort();
        (codes, report["since"].as_str().unwrap().to_owned())
    };
    let (week, since) = codes("7d");
    assert_eq!(week, [801004, 810001, 899002]);
    // The window starts seven days before the run, give or take the time the run took.
    let start: jiff::Timestamp = since.parse().unwrap();
    let expected = ago(7 * 86_400);
    assert!(
        (start.as_second() - expected.as_second()).abs() <= 60,
        "since {since}, expected about {expected}"
    );
    assert_eq!(codes("2w").0, [801004, 803008, 810001, 899002]);
    assert_eq!(codes("24h").0, [810001, 899002]);
    assert_eq!(codes("30m").0, [810001]);
}

#[test]
fn since_and_until_keep_a_window() {
    let samples = all_samples();
    let base = ["--tz", "Asia/Shanghai", "--year", "2026"];
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        args.extend(samples.iter().map(String::as_str));
        analyze(&args)
    };
    // java-server.log is the only log of the week of 16 November.
    let java = analyze(&[&arg(&sample("java-server.log"))]);
    let since = run(&["--since", "2026-11-16"]);
    assert_eq!(since["totals"]["codes"], java["totals"]["codes"]);
    assert_eq!(since["since"], "2026-11-15T16:00:00Z");
    // Lines without a time (android-brief.log) do not count once a window is set.
    let until = run(&["--until", "2026-11-16"]);
    let everything = run(&[]);
    let all = everything["totals"]["codes"].as_u64().unwrap();
    let brief = analyze(&[&arg(&sample("android-brief.log"))])["totals"]["codes"]
        .as_u64()
        .unwrap();
    assert_eq!(
        until["totals"]["codes"].as_u64().unwrap(),
        all - brief - java["totals"]["codes"].as_u64().unwrap()
    );
    // An empty window.
    let none = run(&["--since", "2026-11-21", "--until", "2026-11-22"]);
    assert_eq!(none["totals"]["codes"], 0);
    // Relative spans are accepted; bad values are usage errors.
    jmlog([
        "analyze",
        "--since",
        "yesterday",
        &arg(&sample("java-server.log")),
    ])
    .expect_code(2);
    jmlog([
        "analyze",
        "--tz",
        "Mars/Base",
        "--by",
        "day",
        &arg(&sample("java-server.log")),
    ])
    .expect_code(2);
}
