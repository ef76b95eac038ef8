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
        .filter(|p| p.ends_with(".log"))
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

/// A log with one code at 2026-11-20 10:00 UTC, in a directory removed when the guard is dropped.
fn one_line_log() -> (crate::util::TempDir, std::path::PathBuf) {
    let dir = tempdir();
    let path = dir.join("a.log");
    fs::write(
        &path,
        "2026-11-20T10:00:00Z E login failed, code = 801004\n",
    )
    .unwrap();
    (dir, path)
}

#[test]
fn offsets_of_two_four_or_five_characters_name_the_zone() {
    let (_dir, log) = one_line_log();
    let log = arg(&log);
    for (given, name, label) in [
        ("--tz=+08", "+08:00", "2026-11-20 18:00"),
        ("--tz=-05", "-05:00", "2026-11-20 05:00"),
        ("--tz=+00", "UTC", "2026-11-20 10:00"),
        ("--tz=+0530", "+05:30", "2026-11-20 15:00"),
        ("--tz=-05:00", "-05:00", "2026-11-20 05:00"),
    ] {
        let report = analyze(&["--by", "hour", given, &log]);
        assert_eq!(report["histogram"]["tz"], name, "{given}");
        assert_eq!(report["histogram"]["series"][0]["label"], label, "{given}");
    }
    // A negative offset is a value of --tz, also without '='.
    let report = analyze(&["--by", "hour", "--tz", "-05:00", &log]);
    assert_eq!(report["histogram"]["tz"], "-05:00");
    for bad in ["+8", "+080", "+08:0", "+24:00", "-05:60", "+08:00:00"] {
        let run = jmlog(["analyze", "--by", "hour", &format!("--tz={bad}"), &log]);
        run.expect_code(2);
        assert_eq!(
            run.stderr(),
            format!(
                "jmlog: --tz {bad}: an offset is written ±HH, ±HHMM or ±HH:MM, from -23:59 to \
                 +23:59 (like +08, -0530 or +08:00)\n"
            )
        );
    }
}

#[test]
fn every_spelling_of_utc_names_the_zone_utc() {
    let (_dir, log) = one_line_log();
    let log = arg(&log);
    for given in ["UTC", "utc", "Z", "Etc/UTC", "+00:00", "+0000", "-00"] {
        let report = analyze(&["--by", "day", "--tz", given, &log]);
        assert_eq!(report["histogram"]["tz"], "UTC", "--tz {given}");
    }
    let report = analyze(&["--by", "day", "--tz", "asia/shanghai", &log]);
    assert_eq!(report["histogram"]["tz"], "Asia/Shanghai");
}

#[test]
fn a_window_out_of_range_or_empty_is_a_usage_error() {
    let (_dir, log) = one_line_log();
    let log = arg(&log);
    let run = jmlog(["analyze", "--since", "213503982334602d", &log]);
    run.expect_code(2);
    assert!(
        run.stderr().starts_with(
            "jmlog: --since 213503982334602d: 213503982334602d back from now is out of range"
        ),
        "{}",
        run.stderr()
    );
    let run = jmlog(["analyze", "--until", "9999999999999w", &log]);
    run.expect_code(2);
    assert!(
        run.stderr().starts_with("jmlog: --until 9999999999999w: "),
        "{}",
        run.stderr()
    );
    let run = jmlog([
        "analyze",
        "--since",
        "2026-11-21",
        "--until",
        "2026-11-20",
        "--tz",
        "UTC",
        &log,
    ]);
    run.expect_code(2);
    assert_eq!(
        run.stderr(),
        "jmlog: --since 2026-11-21 (2026-11-21T00:00:00Z) is not before --until 2026-11-20 \
         (2026-11-20T00:00:00Z): the window is empty\n"
    );
    // The largest span that still fits is a window like any other.
    let report = analyze(&["--since", "100000w", &log]);
    assert_eq!(report["totals"]["codes"], 1);
}

/// Writes one line with code 801004 per instant, as UTC RFC 3339 times.
fn log_at(path: &std::path::Path, instants: &[jiff::Timestamp]) {
    let text: String = instants
        .iter()
        .map(|t| {
            format!(
                "{} E login failed, code = 801004\n",
                t.strftime("%Y-%m-%dT%H:%M:%SZ")
            )
        })
        .collect();
    fs::write(path, text).unwrap();
}

fn series(report: &Value) -> Vec<(String, String, u64)> {
    report["histogram"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["label"].as_str().unwrap().to_owned(),
                b["start"].as_str().unwrap().to_owned(),
                b["total"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn days_whose_midnight_is_skipped_are_cut_at_their_first_instant_and_merge() {
    for (zone, days, skipped) in [
        ("Africa/Cairo", (2026, 4, 21..=29), 24),
        ("America/Santiago", (2026, 9, 3..=10), 6),
    ] {
        let dir = tempdir();
        let tz = jiff::tz::TimeZone::get(zone).unwrap();
        // One code at 00:30 local on each day that has that time.
        let instants: Vec<jiff::Timestamp> = days
            .2
            .clone()
            .filter(|&d| d != skipped)
            .map(|d| {
                jiff::civil::date(days.0, days.1, d)
                    .at(0, 30, 0, 0)
                    .to_zoned_datetime(tz.clone())
                    .unwrap()
                    .timestamp()
            })
            .collect();
        log_at(&dir.join("all.log"), &instants);
        log_at(&dir.join("a.log"), &instants[..3]);
        log_at(&dir.join("b.log"), &instants[instants.len() - 3..]);
        let all = analyze(&["--by", "day", "--tz", zone, &arg(&dir.join("all.log"))]);
        let got = series(&all);
        assert_eq!(got.len(), days.2.clone().count(), "{zone}: {got:?}");
        for ((label, start, total), d) in got.iter().zip(days.2.clone()) {
            assert!(
                label.starts_with(&format!("{}-{:02}-{d:02} ", days.0, days.1)),
                "{label}"
            );
            let first = if d == skipped {
                "T01:00:00"
            } else {
                "T00:00:00"
            };
            assert!(start.contains(first), "{zone} {label}: {start}");
            assert_eq!(*total, u64::from(d != skipped), "{zone} {label}");
        }
        // Reports of parts of the log merge into the report of the whole.
        for part in ["a", "b"] {
            let run = jmlog([
                "analyze",
                "-q",
                "-f",
                "json",
                "--by",
                "day",
                "--tz",
                zone,
                &arg(&dir.join(format!("{part}.log"))),
                "-o",
                &arg(&dir.join(format!("{part}.json"))),
            ]);
            run.expect_code(0);
        }
        let merged = jmlog([
            "merge",
            "-f",
            "json",
            &arg(&dir.join("a.json")),
            &arg(&dir.join("b.json")),
        ]);
        merged.expect_code(0);
        let merged = series(&merged.json());
        assert_eq!(merged.first(), got.first(), "{zone}");
        assert_eq!(merged.last(), got.last(), "{zone}");
        assert_eq!(merged.len(), got.len(), "{zone}");
    }
}

#[test]
fn lord_howe_hours_are_civil_hours_and_merge() {
    let dir = tempdir();
    // Every ten minutes across the night Lord Howe goes back half an hour (5 April 2026,
    // 02:00+11:00 → 01:30+10:30).
    let from: jiff::Timestamp = "2026-04-04T12:00:00Z".parse().unwrap();
    let instants: Vec<jiff::Timestamp> = (0..36)
        .map(|k| {
            from.checked_add(jiff::SignedDuration::from_mins(10 * k))
                .unwrap()
        })
        .collect();
    log_at(&dir.join("all.log"), &instants);
    log_at(&dir.join("a.log"), &instants[..30]);
    log_at(&dir.join("b.log"), &instants[24..]);
    let zone = "Australia/Lord_Howe";
    let all = series(&analyze(&[
        "--by",
        "hour",
        "--tz",
        zone,
        &arg(&dir.join("all.log")),
    ]));
    let want = [
        ("2026-04-04 23:00", "2026-04-04T23:00:00+11:00", 6),
        ("2026-04-05 00:00", "2026-04-05T00:00:00+11:00", 6),
        // 01:00 happens for 90 minutes: 01:00-02:00 at +11:00, then 01:30-02:00 at +10:30.
        ("2026-04-05 01:00", "2026-04-05T01:00:00+11:00", 9),
        ("2026-04-05 02:00", "2026-04-05T02:00:00+10:30", 6),
        ("2026-04-05 03:00", "2026-04-05T03:00:00+10:30", 6),
        ("2026-04-05 04:00", "2026-04-05T04:00:00+10:30", 3),
    ];
    let want: Vec<(String, String, u64)> = want
        .iter()
        .map(|(l, s, n)| (l.to_string(), s.to_string(), *n))
        .collect();
    assert_eq!(all, want);
    for part in ["a", "b"] {
        jmlog([
            "analyze",
            "-q",
            "-f",
            "json",
            "--by",
            "hour",
            "--tz",
            zone,
            &arg(&dir.join(format!("{part}.log"))),
            "-o",
            &arg(&dir.join(format!("{part}.json"))),
        ])
        .expect_code(0);
    }
    let merged = jmlog([
        "merge",
        "-f",
        "json",
        &arg(&dir.join("a.json")),
        &arg(&dir.join("b.json")),
    ]);
    merged.expect_code(0);
    let merged = series(&merged.json());
    // b.log repeats the lines at 02:30, 02:40, 02:50, 03:00, 03:10 and 03:20 (+10:30): the
    // merge counts them twice.
    let mut twice = want.clone();
    twice[3].2 += 3;
    twice[4].2 += 3;
    assert_eq!(merged, twice);
}

#[test]
fn year_is_anchored_on_the_first_year_less_timestamp_wherever_it_is() {
    let dir = tempdir();
    let path = dir.join("late.log");
    // 1.5 MiB of lines without a timestamp, then a logcat log crossing New Year.
    let mut text = String::new();
    let mut n = 0;
    while text.len() < 3 << 19 {
        text.push_str(&format!(
            "--------- filler line without a timestamp, number {n:08}\n"
        ));
        n += 1;
    }
    text.push_str("12-31 23:59:58.000  1234  1250 E JMessage: login failed, code = 801004\n");
    text.push_str("01-01 00:00:01.000  1234  1250 E JMessage: login failed, code = 803008\n");
    fs::write(&path, &text).unwrap();
    let want = ["2026-12-31 Thu", "2027-01-01 Fri"];
    let log = arg(&path);
    for extra in [
        &[][..],
        &["-j1"][..],
        &["--chunk-size", "65536"][..],
        &["-j1", "--chunk-size", "4096"][..],
    ] {
        let mut args = vec!["--by", "day", "--tz", "UTC", "--year", "2026"];
        args.extend_from_slice(extra);
        args.push(&log);
        let report = analyze(&args);
        let labels: Vec<&str> = report["histogram"]["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels, want, "{extra:?}");
    }
    // The same log on standard input.
    let run = crate::util::jmlog_with_stdin(
        [
            "analyze",
            "-f",
            "json",
            "--by",
            "day",
            "--tz",
            "UTC",
            "--year",
            "2026",
            "--chunk-size",
            "100000",
        ],
        text.as_bytes(),
    );
    run.expect_code(0);
    let report = run.json();
    assert_eq!(report["histogram"]["series"][0]["label"], want[0]);
    assert_eq!(report["histogram"]["series"][1]["label"], want[1]);
    assert_eq!(report["histogram"]["series"].as_array().unwrap().len(), 2);
    // Without --year, a file last written on 5 January 2027 crossed New Year 2027.
    let written = std::time::UNIX_EPOCH
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
    for extra in [&[][..], &["-j1", "--chunk-size", "4096"][..]] {
        let mut args = vec!["--by", "day", "--tz", "UTC"];
        args.extend_from_slice(extra);
        args.push(&log);
        let labels: Vec<String> = analyze(&args)["histogram"]["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["label"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(labels, want, "{extra:?}");
    }
}

/// A log of `n` timestamped lines (fractions of 0, 1, 3, 6 or 9 digits), each followed by a stack
/// line with a code of its own and a line without one, after a first code line with no time
/// above it. Returns the text and, per code line, its one-based number and the time it carries.
fn dated_log(n: usize) -> (String, Vec<(u64, Option<String>)>) {
    let mut text = String::from("  at Frame.run error code = 803008\n");
    let mut want = vec![(1, None)];
    let base: jiff::Timestamp = "2026-11-20T00:00:00Z".parse().unwrap();
    for i in 0..n {
        let second = base
            .checked_add(jiff::SignedDuration::from_secs(i as i64))
            .unwrap();
        let digits = [0, 1, 3, 6, 9][i % 5];
        let fraction = if digits == 0 {
            String::new()
        } else {
            format!(".{:0digits$}", i % 10usize.pow(digits as u32))
        };
        let time = format!("{}{fraction}Z", second.strftime("%Y-%m-%dT%H:%M:%S"));
        let line = 3 * i as u64 + 2;
        text.push_str(&format!("{time} E login failed, code = 801004\n"));
        text.push_str("\tat com.example.Chat.send(Chat.java:12) errorCode=803008\n");
        text.push_str(&format!("filler {i} with nothing to count\n"));
        want.push((line, Some(time.clone())));
        want.push((line + 1, Some(time)));
    }
    (text, want)
}

/// The code events of an NDJSON report: one-based line and time.
fn ndjson_events(path: &std::path::Path) -> Vec<(u64, Option<String>)> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines.pop().unwrap();
    assert_eq!(summary["type"], "summary");
    let events: Vec<(u64, Option<String>)> = lines
        .iter()
        .map(|e| {
            assert_eq!(e["type"], "code");
            (
                e["line"].as_u64().unwrap(),
                e["time"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let totals = &summary["report"]["totals"];
    assert_eq!(
        events.len() as u64,
        totals["codes"].as_u64().unwrap() + totals["unknown_codes"].as_u64().unwrap()
    );
    events
}

#[test]
fn ndjson_events_come_in_line_order_with_the_time_the_log_wrote() {
    let dir = tempdir();
    let (text, want) = dated_log(40_000);
    let log = dir.join("dated.log");
    fs::write(&log, &text).unwrap();
    let out = dir.join("events.ndjson");
    for extra in [
        &[][..],
        &["-j1", "--chunk-size", "65536"][..],
        &["--by", "hour", "--tz", "UTC", "--chunk-size", "65536"][..],
        &[
            "--since",
            "2026-11-19",
            "--tz",
            "UTC",
            "--chunk-size",
            "65536",
        ][..],
    ] {
        let mut args = vec!["analyze", "-q", "-f", "ndjson", "-o"];
        let out_arg = arg(&out);
        args.push(&out_arg);
        args.extend_from_slice(extra);
        let log_arg = arg(&log);
        args.push(&log_arg);
        jmlog(&args).expect_code(0);
        let got = ndjson_events(&out);
        // With a window, the first code line has no time and is left out.
        let want = if extra.contains(&"--since") {
            &want[1..]
        } else {
            &want[..]
        };
        assert_eq!(got.len(), want.len(), "{extra:?}");
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g, w, "{extra:?}");
        }
    }
}

#[test]
fn a_window_says_what_it_left_out() {
    let dir = tempdir();
    // No timestamps at all: every code line is left out for want of a time.
    let brief = dir.join("brief.log");
    fs::write(
        &brief,
        "E/App( 12): login failed code=801004\nE/App( 12): send failed, code=803008 code=812345\n",
    )
    .unwrap();
    // 3,000 undated code lines, then one code line a minute from 2026-11-20 00:00 UTC for
    // 50,000 minutes, each with a line of its own below it holding two codes.
    let dated = dir.join("dated.log");
    let mut text = "  at Frame.run error code = 899002\n".repeat(3000);
    let base: jiff::Timestamp = "2026-11-20T00:00:00Z".parse().unwrap();
    for i in 0..50_000 {
        let t = base
            .checked_add(jiff::SignedDuration::from_mins(i))
            .unwrap();
        text.push_str(&format!(
            "{} E login failed, code = 801004\n",
            t.strftime("%Y-%m-%dT%H:%M:%SZ")
        ));
        text.push_str("\tat Chat.send errorCode=803008 responseCode=899002\n");
    }
    fs::write(&dated, text).unwrap();
    // The window keeps minutes 10,000 to 29,999.
    let window = [
        "--tz",
        "UTC",
        "--since",
        "2026-11-26T22:40:00Z",
        "--until",
        "2026-12-10T20:00:00Z",
    ];
    let (outside_lines, inside_lines) = (2 * 30_000, 2 * 20_000);
    let outside_codes = 3 * 30_000;
    for extra in [&[][..], &["-j1", "--chunk-size", "100000"][..]] {
        let mut args = vec!["analyze", "-f", "json"];
        args.extend_from_slice(&window);
        args.extend_from_slice(extra);
        let (b, d) = (arg(&brief), arg(&dated));
        args.extend([b.as_str(), d.as_str()]);
        let run = jmlog(&args);
        run.expect_code(0);
        let totals = &run.json()["totals"];
        assert_eq!(totals["code_lines"], inside_lines, "{extra:?}");
        assert_eq!(totals["codes"], 3 * 20_000);
        assert_eq!(totals["code_lines_outside_window"], outside_lines);
        assert_eq!(totals["codes_outside_window"], outside_codes);
        assert_eq!(totals["code_lines_without_time"], 3002);
        assert_eq!(totals["codes_without_time"], 3003);
        assert_eq!(
            run.stderr(),
            "jmlog: 60,000 codes in the window 2026-11-26T22:40:00Z to 2026-12-10T20:00:00Z; \
             60,000 code lines outside it and 3,002 without a time were left out.\n"
        );
    }
    // An empty report says why it is empty, in every report for people.
    let note = "0 codes in the window 2026-11-01T00:00:00Z to the end; 0 code lines outside it \
                and 2 without a time were left out.";
    for format in ["text", "markdown", "html"] {
        let run = jmlog([
            "analyze",
            "-f",
            format,
            "--tz",
            "UTC",
            "--since",
            "2026-11-01",
            &arg(&brief),
        ]);
        run.expect_code(0);
        assert!(run.stdout().contains(note), "{format}: {}", run.stdout());
    }
    // Without a window, the report has no such fields.
    let plain = analyze(&[&arg(&brief)]);
    assert!(plain["totals"].get("code_lines_without_time").is_none());
    // Merged reports add them up.
    let mut parts = Vec::new();
    for (name, log) in [("a.json", &brief), ("b.json", &dated)] {
        let out = dir.join(name);
        let mut args = vec!["analyze", "-q", "-f", "json", "-o"];
        let o = arg(&out);
        args.push(&o);
        args.extend_from_slice(&window);
        let l = arg(log);
        args.push(&l);
        jmlog(&args).expect_code(0);
        parts.push(o);
    }
    let merged = jmlog(["merge", "-f", "json", &parts[0], &parts[1]]);
    merged.expect_code(0);
    let totals = &merged.json()["totals"];
    assert_eq!(totals["code_lines_outside_window"], outside_lines);
    assert_eq!(totals["codes_outside_window"], outside_codes);
    assert_eq!(totals["code_lines_without_time"], 3002);
    assert_eq!(totals["codes_without_time"], 3003);
}
