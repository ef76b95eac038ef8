//! `jmlog merge` as a fleet uses it: what one run refuses a merge refuses (the histogram's length),
//! what one run fails for a merge fails for (a shard's lost input), refusals that read as sentences,
//! zones and relative windows as users write them, and hundreds of reports merging into exactly the
//! report of one run.

use std::fs;
use std::path::{Path, PathBuf};

use jiff::{Timestamp, ToSpan};
use jmlog::analyze::{ScanSettings, TimeSettings, analyze};
use jmlog::extract::Mode;
use jmlog::histogram::Unit;
use jmlog::input::{Discovered, Input};
use jmlog::tally::Window;
use serde_json::Value;

use crate::util::{arg, jmlog, sample, tempdir};

/// A log line at `time` (RFC 3339) with code 801004.
fn line_at(time: &str) -> String {
    format!("{time} E JIGUANG-JMessage: login failed, code = 801004\n")
}

/// Writes `text` to `dir/name` and returns the path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// Runs `jmlog analyze -q -f json ARGS… -o OUT`, expecting `code`; returns OUT.
fn analyze_to(out: &Path, args: &[&str], code: i32) -> PathBuf {
    let mut all = vec!["analyze", "-q", "-f", "json"];
    all.extend_from_slice(args);
    let out_arg = arg(out);
    all.extend(["-o", &out_arg]);
    jmlog(&all).expect_code(code);
    out.to_owned()
}

fn load(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn merge_refuses_a_histogram_one_run_refuses_and_keeps_one_it_allows() {
    let dir = tempdir();
    let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let hour_label = |t: Timestamp| t.strftime("%Y-%m-%d %H:00").to_string();
    let first = write(&dir, "first.log", &line_at(&t0.to_string()));
    // 20,000 hour buckets is the most a histogram may have: the last hour 19,999 hours on.
    let edge_time = t0.checked_add(19_999.hours()).unwrap();
    let over_time = t0.checked_add(20_000.hours()).unwrap();
    let edge = write(&dir, "edge.log", &line_at(&edge_time.to_string()));
    let over = write(&dir, "over.log", &line_at(&over_time.to_string()));
    let by_hour = ["--by", "hour", "--tz", "UTC"];
    let report = |log: &Path, name: &str| {
        let mut args = by_hour.to_vec();
        let log = arg(log);
        args.push(&log);
        analyze_to(&dir.join(name), &args, 0)
    };
    let (first_json, edge_json, over_json) = (
        report(&first, "first.json"),
        report(&edge, "edge.json"),
        report(&over, "over.json"),
    );

    // At the limit: one run and the merge agree, byte for byte.
    let one = jmlog(
        ["analyze", "-q", "-f", "json", "--by", "hour", "--tz", "UTC"]
            .into_iter()
            .map(str::to_owned)
            .chain([arg(&first), arg(&edge)]),
    );
    one.expect_code(0);
    let merged = jmlog(["merge", "-f", "json", &arg(&first_json), &arg(&edge_json)]);
    merged.expect_code(0);
    assert_eq!(merged.stdout(), one.stdout());
    assert_eq!(
        merged.json()["histogram"]["series"]
            .as_array()
            .unwrap()
            .len(),
        20_000
    );

    // One hour more: one run refuses, and so does the merge, naming the reports.
    let one = jmlog(
        ["analyze", "-q", "-f", "json", "--by", "hour", "--tz", "UTC"]
            .into_iter()
            .map(str::to_owned)
            .chain([arg(&first), arg(&over)]),
    );
    one.expect_code(2);
    assert!(
        one.stderr().contains("more than 20000 hours"),
        "{}",
        one.stderr()
    );
    let out = dir.join("merged.json");
    let merged = jmlog([
        "merge",
        "-f",
        "json",
        "-o",
        &arg(&out),
        &arg(&first_json),
        &arg(&over_json),
    ]);
    merged.expect_code(2);
    assert_eq!(
        merged.stderr(),
        format!(
            "jmlog: the merged histogram would have more than 20000 hours, from {} (in {}) to {} \
             (in {}), which one run over their inputs refuses too; make the reports with a coarser \
             --by, or with --since and --until\n",
            hour_label(t0),
            arg(&first_json),
            hour_label(over_time),
            arg(&over_json)
        )
    );
    assert!(merged.stdout().is_empty());
    assert!(!out.exists(), "no report is written");

    // Years apart: refused at once, in little memory (this used to abort allocating gigabytes).
    let ancient = write(&dir, "ancient.log", &line_at("0001-01-01T00:00:00Z"));
    let ancient_json = report(&ancient, "ancient.json");
    let merged = jmlog([
        "merge",
        "-f",
        "json",
        &arg(&ancient_json),
        &arg(&first_json),
    ]);
    merged.expect_code(2);
    assert!(
        merged.stderr().starts_with(&format!(
            "jmlog: the merged histogram would have more than 20000 hours, from 0001-01-01 00:00 \
             (in {}) to 2026-01-01 00:00 (in {}),",
            arg(&ancient_json),
            arg(&first_json)
        )),
        "{}",
        merged.stderr()
    );
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn a_merged_histogram_with_a_code_in_each_of_its_20000_hours_is_kept() {
    // The limit counts hours from the first to the last; here every one of them holds a code, so
    // the reports bring the merge exactly 20,000 buckets of their own, none left to fill in.
    let dir = tempdir();
    let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let hours = |from: i64, to: i64| -> String {
        (from..to)
            .map(|h| line_at(&t0.checked_add(h.hours()).unwrap().to_string()))
            .collect()
    };
    let early = write(&dir, "early.log", &hours(0, 12_000));
    let late = write(&dir, "late.log", &hours(12_000, 20_000));
    let by_hour = ["--by", "hour", "--tz", "UTC"];
    let report = |log: &Path, name: &str| {
        let mut args = by_hour.to_vec();
        let log = arg(log);
        args.push(&log);
        analyze_to(&dir.join(name), &args, 0)
    };
    let (early_json, late_json) = (report(&early, "early.json"), report(&late, "late.json"));

    let one = jmlog(
        ["analyze", "-q", "-f", "json", "--by", "hour", "--tz", "UTC"]
            .into_iter()
            .map(str::to_owned)
            .chain([arg(&early), arg(&late)]),
    );
    one.expect_code(0);
    let merged = jmlog(["merge", "-f", "json", &arg(&early_json), &arg(&late_json)]);
    merged.expect_code(0);
    assert_eq!(merged.stdout(), one.stdout());
    let series = &merged.json()["histogram"]["series"];
    let series = series.as_array().unwrap();
    assert_eq!(series.len(), 20_000);
    assert!(series.iter().all(|b| b["total"] == 1), "{}", series[0]);
}

#[test]
fn refusals_are_sentences_naming_both_reports_and_the_setting() {
    let dir = tempdir();
    let log = arg(&write(&dir, "a.log", &line_at("2026-11-20T10:00:00Z")));
    let r = |name: &str, args: &[&str]| {
        let mut all = args.to_vec();
        all.push(&log);
        arg(&analyze_to(&dir.join(name), &all, 0))
    };
    let day = r("day.json", &["--by", "day", "--tz", "UTC"]);
    let plain = r("plain.json", &[]);
    let hour = r("hour.json", &["--by", "hour", "--tz", "UTC"]);
    let shanghai = r("shanghai.json", &["--by", "day", "--tz", "Asia/Shanghai"]);
    let loose = r("loose.json", &["--loose"]);
    let since = r("since.json", &["--since", "2026-11-01", "--tz", "UTC"]);
    let since_sh = r(
        "since-sh.json",
        &["--since", "2026-11-01", "--tz", "Asia/Shanghai"],
    );
    let until = r("until.json", &["--until", "2026-12-01T00:00:00Z"]);
    let cases = [
        (
            &plain,
            &day,
            format!("{plain} has no histogram (made without --by), {day} has one (--by day)"),
        ),
        (
            &day,
            &plain,
            format!("{day} has a histogram (--by day), {plain} has none (made without --by)"),
        ),
        (
            &day,
            &hour,
            format!("{day} was made with --by day, {hour} with --by hour"),
        ),
        (
            &day,
            &shanghai,
            format!(
                "{day} has its buckets cut in the zone UTC, {shanghai} in Asia/Shanghai (--tz)"
            ),
        ),
        (
            &plain,
            &loose,
            format!("{plain} was made without --loose, {loose} with it"),
        ),
        (
            &loose,
            &plain,
            format!("{loose} was made with --loose, {plain} without it"),
        ),
        (
            &plain,
            &since,
            format!("{plain} was made without --since, {since} with --since 2026-11-01"),
        ),
        (
            &since,
            &plain,
            format!("{since} was made with --since 2026-11-01, {plain} without --since"),
        ),
        (
            &since,
            &since_sh,
            format!(
                "{since} was made with --since 2026-11-01 (2026-11-01T00:00:00Z), {since_sh} with \
                 --since 2026-11-01 (2026-10-31T16:00:00Z)"
            ),
        ),
        (
            &until,
            &plain,
            format!("{until} was made with --until 2026-12-01T00:00:00Z, {plain} without --until"),
        ),
    ];
    for (first, second, why) in cases {
        let run = jmlog(["merge", first.as_str(), second.as_str()]);
        run.expect_code(2);
        assert_eq!(
            run.stderr(),
            format!("jmlog: {second} cannot be merged with {first}: {why}\n")
        );
    }
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn spellings_of_one_zone_merge_as_one_run() {
    let dir = tempdir();
    let logs: Vec<String> = [
        "2026-11-20T10:00:00Z",
        "2026-11-22T23:59:59Z",
        "2026-11-25T00:00:00Z",
        "2026-11-26T08:00:00+08:00",
    ]
    .iter()
    .enumerate()
    // One log per shard: one run counts a file named twice once, and so must the shards.
    .map(|(i, t)| arg(&write(&dir, &format!("{i}.log"), &line_at(t).repeat(i + 1))))
    .collect();
    let spellings = ["utc", "UTC", "+00:00", "Etc/UTC"];
    let parts: Vec<String> = spellings
        .iter()
        .enumerate()
        .map(|(i, tz)| {
            let log = &logs[i % logs.len()];
            let path = analyze_to(
                &dir.join(format!("part{i}.json")),
                &["--by", "day", "--tz", tz, log],
                0,
            );
            // Older jmlog versions named the zone as given: so may a fleet's reports.
            let mut report = load(&path);
            report["histogram"]["tz"] = Value::from(*tz);
            fs::write(&path, serde_json::to_vec_pretty(&report).unwrap()).unwrap();
            arg(&path)
        })
        .collect();
    let mut args = vec!["merge".to_owned(), "-f".to_owned(), "json".to_owned()];
    args.extend(parts.iter().cloned());
    let merged = jmlog(&args);
    merged.expect_code(0);
    let mut args: Vec<String> = ["analyze", "-q", "-f", "json", "--by", "day", "--tz", "utc"]
        .map(str::to_owned)
        .to_vec();
    args.extend((0..spellings.len()).map(|i| logs[i % logs.len()].clone()));
    let one = jmlog(&args);
    one.expect_code(0);
    assert_eq!(merged.stdout(), one.stdout());
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn shards_with_the_same_relative_window_merge_into_its_union() {
    let dir = tempdir();
    let now = Timestamp::now();
    let recent = |days: i64| now.checked_sub((days * 24).hours()).unwrap().to_string();
    let a_log = arg(&write(
        &dir,
        "a.log",
        &(line_at(&recent(40)) + &line_at(&recent(2))),
    ));
    let b_log = arg(&write(&dir, "b.log", &line_at(&recent(1))));
    let a = analyze_to(&dir.join("a.json"), &["--since", "30d", &a_log], 0);
    // Shards of a fleet start seconds apart: their `--since 30d` resolve to different times.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = analyze_to(&dir.join("b.json"), &["--since", "30d", &b_log], 0);
    let (a_since, b_since) = (load(&a)["since"].clone(), load(&b)["since"].clone());
    assert!(a_since.as_str() < b_since.as_str(), "{a_since} {b_since}");

    let merged = jmlog(["merge", "-f", "json", &arg(&a), &arg(&b)]);
    merged.expect_code(0);
    let merged = merged.json();
    // The union: no shard counted a line before the earliest `since`.
    assert_eq!(merged["since"], a_since);
    assert_eq!(
        merged["window"],
        serde_json::json!({ "since": { "given": "30d", "earliest": a_since, "latest": b_since } })
    );
    assert_eq!(
        merged["totals"]["codes"], 2,
        "the line 40 days back is outside"
    );
    // Everything but the window is what one run over both logs gives.
    let one = analyze_to(
        &dir.join("one.json"),
        &["--since", "30d", &a_log, &b_log],
        0,
    );
    let mut one = load(&one);
    for field in ["since", "window"] {
        one[field] = merged[field].clone();
    }
    assert_eq!(merged, one);

    // Merged reports merge on, keeping the union.
    let ab = dir.join("ab.json");
    jmlog(["merge", "-f", "json", "-o", &arg(&ab), &arg(&a), &arg(&b)]).expect_code(0);
    let again = jmlog(["merge", "-f", "json", &arg(&ab), &arg(&a)]);
    again.expect_code(0);
    assert_eq!(again.json()["window"], merged["window"]);

    // Runs more than an hour apart are not one fleet run.
    let shift = |secs: i64, name: &str| {
        let mut report = load(&b);
        let at = a_since.as_str().unwrap().parse::<Timestamp>().unwrap();
        let moved = Value::from(at.checked_add(secs.seconds()).unwrap().to_string());
        report["since"] = moved.clone();
        report["window"]["since"]["earliest"] = moved.clone();
        report["window"]["since"]["latest"] = moved.clone();
        let path = dir.join(name);
        fs::write(&path, serde_json::to_vec_pretty(&report).unwrap()).unwrap();
        (path, moved)
    };
    // A hand-edited window that contradicts itself is named.
    let mut edited = load(&b);
    edited["window"]["since"]["latest"] = Value::from("yesterday");
    let edited_path = dir.join("edited.json");
    fs::write(&edited_path, serde_json::to_vec(&edited).unwrap()).unwrap();
    let run = jmlog(["merge", &arg(&a), &arg(&edited_path)]);
    run.expect_code(2);
    assert_eq!(
        run.stderr(),
        format!(
            "jmlog: {}: window.since resolves to '{}' … 'yesterday', not two RFC 3339 times in \
             order\n",
            arg(&edited_path),
            b_since.as_str().unwrap()
        )
    );

    let (hour_later, _) = shift(3600, "hour-later.json");
    jmlog(["merge", &arg(&a), &arg(&hour_later)]).expect_code(0);
    let (too_late, moved) = shift(2 * 3600 + 60, "too-late.json");
    let run = jmlog(["merge", &arg(&a), &arg(&too_late)]);
    run.expect_code(2);
    let (a, too_late) = (arg(&a), arg(&too_late));
    let (a_since, moved) = (a_since.as_str().unwrap(), moved.as_str().unwrap());
    assert_eq!(
        run.stderr(),
        format!(
            "jmlog: {too_late} cannot be merged with {a}: both were made with --since 30d, but by \
             runs 2 hours 1 minute apart (--since resolved to {a_since} in {a} and to {moved} in \
             {too_late}); the same relative --since merges only from runs at most 1 hour apart: \
             give every shard the same time, like --since {a_since}\n"
        )
    );
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn a_shard_that_lost_an_input_fails_the_merge_as_one_run_fails() {
    let dir = tempdir();
    let a_log = arg(&write(&dir, "a.log", &line_at("2026-11-20T10:00:00Z")));
    let b_log = arg(&write(
        &dir,
        "b.log",
        &line_at("2026-11-21T10:00:00Z").repeat(2),
    ));
    let missing = arg(&dir.join("missing.log"));
    let ok = arg(&analyze_to(&dir.join("ok.json"), &[&b_log], 0));
    let lost = analyze_to(&dir.join("lost.json"), &[&a_log, &missing], 2);
    let reason = load(&lost)["inputs"][1]["error"]
        .as_str()
        .unwrap()
        .to_owned();
    let lost = arg(&lost);

    let merged = jmlog(["merge", "-f", "json", &ok, &lost]);
    merged.expect_code(2);
    assert_eq!(
        merged.stderr(),
        format!("jmlog: {missing} (in {lost}): {reason}\n")
    );
    // The report is still written, and is the one of one run over the same inputs.
    let one = jmlog(["analyze", "-q", "-f", "json", &b_log, &a_log, &missing]);
    one.expect_code(2);
    assert_eq!(merged.stdout(), one.stdout());

    // A skipped input, likewise.
    let tree = dir.join("tree");
    fs::create_dir(&tree).unwrap();
    fs::write(tree.join("app.log"), line_at("2026-11-20T10:00:00Z")).unwrap();
    fs::write(
        tree.join("core.bin"),
        b"\x7fELF\x00\x00\x00\x01 code = 801004\n",
    )
    .unwrap();
    // (Whether one run exits 0 or 2 for a skipped input is its own rule; the report is written.)
    let skipped = arg(&dir.join("skipped.json"));
    jmlog(["analyze", "-q", "-f", "json", "-o", &skipped, &arg(&tree)]);
    assert_eq!(
        load(Path::new(&skipped))["inputs"][1]["skipped"],
        "binary file"
    );
    let merged = jmlog(["merge", &ok, &skipped]);
    merged.expect_code(2);
    assert_eq!(
        merged.stderr(),
        format!(
            "jmlog: {} (in {skipped}): binary file, skipped\n",
            arg(&tree.join("core.bin"))
        )
    );

    // A baseline is only compared with: its lost inputs are not this run's.
    let run = jmlog(["analyze", "-q", "--baseline", &lost, &b_log]);
    run.expect_code(0);
    assert_eq!(run.stderr(), "");
    let _ = fs::remove_dir_all(dir);
}

/// Deterministic pseudo-random numbers for generated logs.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// A log of a day's traffic on one host: dated lines with known and unknown codes, stack-trace
/// lines that take the time above them, and codes before the first timestamp (undated).
fn host_log(rng: &mut Lcg, host: u64) -> String {
    const KNOWN: [u32; 8] = [
        801004, 801003, 803008, 899002, 898010, 871303, 863004, 800012,
    ];
    let mut text = String::new();
    if host % 7 == 0 {
        text.push_str("  at Session.start(Session.java:12) code = 803008\n");
    }
    let day = 1 + host % 28;
    for i in 0..400 {
        let time = format!(
            "2026-11-{day:02}T{:02}:{:02}:{:02}Z",
            (i / 20) % 24,
            i % 60,
            rng.below(60)
        );
        let code = if rng.below(4) == 0 {
            // Unknown codes, most of them seen on one host only.
            700_000 + host as u32 * 400 + rng.below(400) as u32
        } else {
            KNOWN[rng.below(KNOWN.len() as u64) as usize]
        };
        text.push_str(&format!(
            "{time} E JIGUANG-JMessage: request {i} failed, code = {code}\n"
        ));
        if rng.below(10) == 0 {
            text.push_str("  at Chat.send(Chat.java:80) errorCode=801003\n");
        }
        text.push_str(&format!(
            "{time} I ordinary line {}\n",
            rng.below(1_000_000)
        ));
    }
    text
}

#[test]
fn hundreds_of_shard_reports_merge_into_exactly_one_run() {
    let dir = tempdir();
    let mut rng = Lcg(12);
    let logs: Vec<PathBuf> = (0..300)
        .map(|host| {
            write(
                &dir,
                &format!("host{host:03}.log"),
                &host_log(&mut rng, host),
            )
        })
        .collect();
    // The shards' reports, as `jmlog analyze -f json --by day --tz UTC LOG` writes them.
    let settings = ScanSettings {
        mode: Mode::Strict,
        threads: 1,
        chunk_size: 1 << 16,
        progress: false,
        time: Some(TimeSettings {
            tz: jiff::tz::TimeZone::UTC,
            tz_name: "UTC".to_owned(),
            by: Some(Unit::Day),
            year: None,
            window: Window::default(),
        }),
        stdin: Default::default(),
        hidden: false,
    };
    let mut parts = Vec::new();
    for (i, log) in logs.iter().enumerate() {
        let discovered = Discovered {
            inputs: vec![Input::File {
                path: PathBuf::from(arg(log)),
                explicit: true,
            }],
            ..Discovered::default()
        };
        let report = analyze(&discovered, &settings, None).unwrap().0;
        let path = dir.join(format!("part{i:03}.json"));
        let mut out = Vec::new();
        jmlog::render::json::render(&report, &mut out).unwrap();
        fs::write(&path, out).unwrap();
        parts.push(arg(&path));
    }

    let mut args: Vec<String> = ["analyze", "-q", "-f", "json", "--by", "day", "--tz", "UTC"]
        .map(str::to_owned)
        .to_vec();
    args.extend(logs.iter().map(|p| arg(p)));
    let one = jmlog(&args);
    one.expect_code(0);
    let out = dir.join("merged.json");
    let mut args = vec![
        "merge".to_owned(),
        "-f".to_owned(),
        "json".to_owned(),
        "-o".to_owned(),
        arg(&out),
    ];
    args.extend(parts.iter().cloned());
    jmlog(&args).expect_code(0);
    let merged = fs::read_to_string(&out).unwrap();
    assert!(
        merged.len() > 1 << 20,
        "a report of real size: {} bytes",
        merged.len()
    );
    let report: Value = serde_json::from_str(&merged).unwrap();
    assert!(report["totals"]["code_lines"].as_u64().unwrap() >= 100_000);
    assert_eq!(report["inputs"].as_array().unwrap().len(), 300);
    assert!(report["histogram"]["undated"].as_u64().unwrap() > 0);
    assert!(
        merged == one.stdout(),
        "the merged report differs from one run's"
    );
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn large_reports_are_decoded_as_they_are_read_with_the_same_errors() {
    let dir = tempdir();
    // 25,000 distinct unknown codes with their examples: a report of over 4 MiB, which is decoded
    // from the file as it is read rather than read whole first.
    let mut log = String::new();
    for i in 0..25_000 {
        log.push_str(&format!(
            "2026-11-{:02}T{:02}:00:00Z E JIGUANG-JMessage: request {i} failed, code = {}\n",
            1 + i % 28,
            i % 24,
            7_200_000 + i
        ));
    }
    let log = arg(&write(&dir, "unknown.log", &log));
    let big = analyze_to(
        &dir.join("big.json"),
        &["--by", "hour", "--tz", "UTC", &log],
        0,
    );
    let text = fs::read(&big).unwrap();
    assert!(text.len() > 4 << 20, "{} bytes", text.len());
    // Merging one report re-renders it: loaded exactly.
    let again = jmlog(["merge", "-f", "json", &arg(&big)]);
    again.expect_code(0);
    assert!(
        again.output.stdout == text,
        "the report did not load back exactly"
    );

    let broken = |name: &str, text: &[u8], want: &str| {
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        let run = jmlog(["merge", &arg(&path)]);
        run.expect_code(2);
        let want = format!("jmlog: {}: {want}", arg(&path));
        assert!(
            run.stderr().starts_with(&want),
            "{}\nwanted: {want}",
            run.stderr()
        );
    };
    broken(
        "truncated.json",
        &text[..text.len() - 100],
        "not a JSON report: EOF while parsing",
    );
    let future = String::from_utf8(text.clone())
        .unwrap()
        .replacen("jmlog.report/1", "jmlog.report/9", 1)
        .replacen("\"codes\"", "\"codes_of_old\"", 1);
    broken(
        "future.json",
        future.as_bytes(),
        "report schema jmlog.report/9 is not the jmlog.report/1 this jmlog reads",
    );
    let edited = String::from_utf8(text)
        .unwrap()
        .replacen("\"lines\": ", "\"lines\": -", 1);
    broken(
        "edited.json",
        edited.as_bytes(),
        "malformed jmlog report: invalid value",
    );

    // Past the limit: refused before reading (a sparse file, no disk spent).
    let huge = dir.join("huge.json");
    fs::File::create(&huge).unwrap().set_len(257 << 20).unwrap();
    let run = jmlog(["merge", &arg(&huge)]);
    run.expect_code(2);
    assert_eq!(
        run.stderr(),
        format!(
            "jmlog: {}: 269484032 bytes is too large for a jmlog report\n",
            arg(&huge)
        )
    );
    let _ = fs::remove_dir_all(dir);
}

/// Reports made with `--loose` merge into a loose report: the one a single `--loose` run over
/// their inputs writes, byte for byte.
#[test]
fn loose_reports_merge_into_the_loose_report_of_one_run() {
    let dir = tempdir();
    let logs = [sample("ios-console.log"), sample("android-threadtime.log")];
    let reports: Vec<PathBuf> = logs
        .iter()
        .enumerate()
        .map(|(i, log)| analyze_to(&dir.join(format!("{i}.json")), &["--loose", &arg(log)], 0))
        .collect();
    let one = jmlog(
        ["analyze", "-q", "-f", "json", "--loose"]
            .into_iter()
            .map(str::to_owned)
            .chain(logs.iter().map(|l| arg(l))),
    );
    one.expect_code(0);
    assert_eq!(one.json()["mode"], "loose");
    let merged = jmlog(
        ["merge", "-f", "json"]
            .into_iter()
            .map(str::to_owned)
            .chain(reports.iter().map(|r| arg(r))),
    );
    merged.expect_code(0);
    assert_eq!(merged.json()["mode"], "loose");
    assert_eq!(merged.stdout(), one.stdout());
}
