//! Every output format (snapshots), gates, baselines, `-o`, and merging reports of parts.

use std::fs;

use serde_json::Value;

use crate::util::{arg, jmlog, jmlog_with_stdin, tempdir};

/// Two sample logs, by relative path so that snapshots do not depend on where the repository is.
const LOGS: [&str; 2] = ["sample-logs/java-server.log", "sample-logs/rest-server.log"];

fn report(format: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "analyze", "--format", format, "--tz", "UTC", "--year", "2026",
    ];
    args.extend_from_slice(extra);
    args.extend(LOGS);
    let run = jmlog(&args);
    run.expect_code(0);
    run.stdout()
}

#[test]
fn snapshot_text() {
    insta::assert_snapshot!(report("text", &["--top", "5", "--by", "day"]));
}

#[test]
fn snapshot_markdown() {
    insta::assert_snapshot!(report("markdown", &[]));
}

#[test]
fn snapshot_csv() {
    let csv = report("csv", &[]);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert!(rows.iter().all(|r| r.len() == 14));
    // The per-input rows: each input's codes, adding up to the totals rows' counts.
    let count = |r: &csv::StringRecord| r[2].parse::<u64>().unwrap();
    let (totals, per_input): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r[13].is_empty());
    assert_eq!(
        per_input.iter().map(|r| count(r)).sum::<u64>(),
        totals.iter().map(|r| count(r)).sum::<u64>()
    );
    assert!(per_input.iter().all(|r| r[13].starts_with("sample-logs/")));
    insta::assert_snapshot!(csv);
}

#[test]
fn snapshot_csv_by_bucket() {
    insta::assert_snapshot!(report("csv", &["--by", "day"]));
}

#[test]
fn snapshot_ndjson() {
    let out = report("ndjson", &["--by", "day"]);
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (summary, events) = lines.split_last().unwrap();
    assert_eq!(summary["type"], "summary");
    let r = &summary["report"];
    let total =
        r["totals"]["codes"].as_u64().unwrap() + r["totals"]["unknown_codes"].as_u64().unwrap();
    assert_eq!(events.len() as u64, total, "one event per code per line");
    assert!(events.iter().all(|e| e["type"] == "code"));
    // Events come in input order, then line order.
    let order: Vec<(String, u64)> = events
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_owned(),
                e["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|(p, l)| (LOGS.iter().position(|x| x == p).unwrap(), *l));
    assert_eq!(order, sorted);
    // Every event is one the independent oracle finds, and it finds no other.
    let mut want = Vec::new();
    for log in LOGS {
        let text = fs::read(crate::util::root().join(log)).unwrap();
        let counts = crate::oracle::count_text(&text, false);
        for (line, code) in counts.events() {
            let known = counts.codes.contains_key(&code);
            let module = jmlog::catalog::Catalog::builtin()
                .get(code)
                .map(|e| e.module.name());
            want.push(serde_json::json!({
                "path": log, "line": line, "code": code, "known": known, "module": module,
            }));
        }
    }
    let got: Vec<Value> = events
        .iter()
        .map(|e| {
            serde_json::json!({
                "path": e["path"], "line": e["line"], "code": e["code"],
                "known": e["known"], "module": e["module"],
            })
        })
        .collect();
    assert_eq!(got.len(), 51, "both logs' events");
    assert_eq!(got, want);
    // With --by, every event of these logs is dated.
    assert!(events.iter().all(|e| e["time"].is_string()), "{events:?}");
    insta::assert_snapshot!(out);
}

#[test]
fn snapshot_json() {
    let json: Value = serde_json::from_str(&report("json", &["--by", "week"])).unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&json).unwrap());
}

#[test]
fn snapshot_html() {
    let html = report("html", &["--by", "day"]);
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..100.min(html.len())]
    );
    insta::assert_snapshot!(redact_generated(&html));
}

/// The page with its generation time (the one part that changes from run to run) replaced.
fn redact_generated(html: &str) -> String {
    let start = html
        .find("<time datetime=\"")
        .expect("the page says when it was made");
    let end = start + html[start..].find("</time>").unwrap() + "</time>".len();
    format!("{}<time>[generated]</time>{}", &html[..start], &html[end..])
}

#[test]
fn snapshot_prometheus() {
    insta::assert_snapshot!(report("prometheus", &[]));
}

#[test]
fn prometheus_caps_unknown_codes() {
    let text: String = (0..25)
        .map(|i| format!("E/App: failed code={}\n", 812_300 + i))
        .collect();
    let run = jmlog_with_stdin(["analyze", "-f", "prometheus"], text.as_bytes());
    run.expect_code(0);
    let out = run.stdout();
    let unknown: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("jmlog_unknown_errors_total{"))
        .collect();
    assert_eq!(unknown.len(), 21, "20 codes and other:\n{out}");
    assert!(
        out.contains("jmlog_unknown_errors_total{code=\"other\"} 5"),
        "{out}"
    );
}

#[test]
fn csv_cells_never_run_as_formulas() {
    // Every character a spreadsheet reads as the start of a formula, first on a line of its own.
    let lines = [
        (
            "=HYPERLINK(\"http://evil\",\"x\") login failed code=801004",
            801004,
        ),
        ("+1+1 login failed code=801003", 801003),
        ("-2+3 send failed code=803008", 803008),
        ("@SUM(1+1) send failed code=803005", 803005),
        ("\tcmd|' /C calc'!A0 request failed code=899002", 899002),
        ("\r=1+1 network failed code=871310", 871310),
    ];
    let text: String = lines.iter().map(|(l, _)| format!("{l}\n")).collect();
    let run = jmlog_with_stdin(["analyze", "-f", "csv"], text.as_bytes());
    run.expect_code(0);
    let mut reader = csv::Reader::from_reader(run.output.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (code, example) = (column("code"), column("example_text"));
    let mut seen = std::collections::BTreeMap::new();
    let input = column("input");
    for row in reader.records() {
        let row = row.unwrap();
        // The code rows (empty `input`) carry the examples.
        if !row[input].is_empty() {
            continue;
        }
        seen.insert(row[code].parse::<u32>().unwrap(), row[example].to_owned());
    }
    assert_eq!(seen.len(), lines.len(), "one row per line: {seen:?}");
    for (line, c) in lines {
        assert_eq!(
            seen[&c],
            format!("'{line}"),
            "the example of {c} is neutralised"
        );
    }
}

#[test]
fn output_goes_to_a_file_with_o() {
    let dir = tempdir();
    let file = dir.join("summary.md");
    let run = jmlog(["analyze", "-f", "markdown", "-o", &arg(&file), LOGS[0]]);
    run.expect_code(0);
    assert_eq!(run.stdout(), "");
    assert!(
        fs::read_to_string(&file)
            .unwrap()
            .starts_with("## JMessage errors")
    );
    // Colour never goes into a file unless forced.
    let text = dir.join("report.txt");
    jmlog(["analyze", "-o", &arg(&text), LOGS[0]]).expect_code(0);
    assert!(!fs::read_to_string(&text).unwrap().contains('\x1b'));
    // An output that cannot be created is an error.
    jmlog(["analyze", "-o", "/nonexistent/dir/x.md", LOGS[0]]).expect_code(2);
}

#[test]
fn gates_trip_with_exit_1_after_writing_the_report() {
    // java-server.log has account codes (899002 ×8) and no login codes.
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["--fail-on", "module=account"],
            1,
            "--fail-on module=account tripped",
        ),
        (&["--fail-on", "module=login"], 0, ""),
        (
            &["--fail-on", "code=899002"],
            1,
            "--fail-on code=899002 tripped: 899002 occurred 8 times",
        ),
        (&["--fail-on", "code=801004"], 0, ""),
        (&["--fail-on", "unknown"], 1, "--fail-on unknown tripped"),
        (
            &["--max-total", "19"],
            1,
            "--max-total 19 tripped: 20 codes in all",
        ),
        (&["--max-total", "20"], 0, ""),
        (
            &["--max", "account=8"],
            1,
            "--max account=8 tripped: account: 9",
        ),
        (&["--max", "account=9"], 0, ""),
        (&["--max", "899002=7"], 1, "--max 899002=7 tripped"),
    ];
    for (gate, code, message) in cases {
        let mut args = vec!["analyze", "-f", "json"];
        args.extend_from_slice(gate);
        args.push(LOGS[0]);
        let run = jmlog(&args);
        run.expect_code(*code);
        assert!(run.stderr().contains(message), "{gate:?}: {}", run.stderr());
        let gates = &run.json()["gates"];
        assert_eq!(gates[0]["tripped"], *code == 1, "{gate:?}");
    }
    // An unreadable input outranks a tripped gate.
    jmlog([
        "analyze",
        "--fail-on",
        "module=account",
        "missing.log",
        LOGS[0],
    ])
    .expect_code(2);
    // Malformed gates are usage errors.
    jmlog(["analyze", "--fail-on", "module=nope", LOGS[0]]).expect_code(2);
    jmlog(["analyze", "--max", "login", LOGS[0]]).expect_code(2);
    jmlog(["analyze", "--fail-on", "new", LOGS[0]]).expect_code(2);
}

#[test]
fn baselines_mark_new_and_vanished_codes_in_every_format() {
    let dir = tempdir();
    let base = dir.join("last-week.json");
    let run = jmlog(["analyze", "-f", "json", "-o", &arg(&base), LOGS[0]]);
    run.expect_code(0);
    let baseline: Value = serde_json::from_str(&fs::read_to_string(&base).unwrap()).unwrap();

    // This week: rest-server.log only.
    let run = jmlog(["analyze", "-f", "json", "--baseline", &arg(&base), LOGS[1]]);
    run.expect_code(0);
    let now = run.json();
    let b = &now["baseline"];
    let before: Vec<u64> = baseline["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_u64().unwrap())
        .collect();
    for row in now["codes"].as_array().unwrap() {
        let code = row["code"].as_u64().unwrap();
        let was_there = before.contains(&code);
        assert_eq!(row["previous"].as_u64().unwrap() > 0, was_there, "{code}");
        assert_eq!(
            row["change"].as_i64().unwrap(),
            row["count"].as_i64().unwrap() - row["previous"].as_i64().unwrap()
        );
        let listed_new = b["new_codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_u64() == Some(code));
        assert_eq!(listed_new, !was_there, "{code}");
    }
    let vanished: Vec<u64> = b["vanished"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_u64().unwrap())
        .collect();
    assert!(
        vanished.contains(&899046),
        "a java-server.log code that rest-server.log lacks"
    );
    assert!(now["modules"][0]["change"].is_i64());

    for (format, needle) in [
        ("markdown", "Since the baseline"),
        ("csv", "previous"),
        ("text", "Since the baseline"),
    ] {
        let run = jmlog(["analyze", "-f", format, "--baseline", &arg(&base), LOGS[1]]);
        run.expect_code(0);
        assert!(run.stdout().contains(needle), "{format}:\n{}", run.stdout());
    }

    // --fail-on new fails only on codes that are new.
    jmlog([
        "analyze",
        "--baseline",
        &arg(&base),
        "--fail-on",
        "new",
        LOGS[0],
    ])
    .expect_code(0);
    let run = jmlog([
        "analyze",
        "--baseline",
        &arg(&base),
        "--fail-on",
        "new",
        LOGS[1],
    ]);
    run.expect_code(1);
    assert!(
        run.stderr().contains("new since the baseline: "),
        "{}",
        run.stderr()
    );
}

#[test]
fn hostile_baselines_and_merge_inputs_get_clear_errors() {
    let dir = tempdir();
    let cases = [
        ("empty.json", "".to_owned(), "not a JSON report"),
        ("array.json", "[]".to_owned(), "no \"schema\""),
        (
            "future.json",
            r#"{"schema":"jmlog.report/9"}"#.to_owned(),
            "jmlog.report/9",
        ),
        (
            "edited.json",
            r#"{"schema":"jmlog.report/1","mode":"strict","totals":{}}"#.to_owned(),
            "malformed",
        ),
        ("deep.json", "[".repeat(50_000), "not a JSON report"),
    ];
    for (name, text, want) in cases {
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        for args in [
            vec![
                "analyze".to_owned(),
                "--baseline".to_owned(),
                arg(&path),
                LOGS[0].to_owned(),
            ],
            vec!["merge".to_owned(), arg(&path)],
        ] {
            let run = jmlog(&args);
            run.expect_code(2);
            assert!(
                run.stderr().contains(name),
                "names the file: {}",
                run.stderr()
            );
            assert!(run.stderr().contains(want), "{name}: {}", run.stderr());
            assert!(!run.stderr().contains("panicked"));
        }
    }
    jmlog(["merge", "missing.json"]).expect_code(2);
}

#[test]
fn merging_reports_of_parts_equals_one_run_over_all() {
    let dir = tempdir();
    let logs: Vec<String> = fs::read_dir(crate::util::root().join("sample-logs"))
        .unwrap()
        .map(|e| format!("sample-logs/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|name| name.ends_with(".log"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let common = [
        "-f",
        "json",
        "--by",
        "day",
        "--tz",
        "Asia/Shanghai",
        "--year",
        "2026",
    ];
    let run_over = |paths: &[String], out: &std::path::Path| {
        let mut args: Vec<String> = vec!["analyze".into()];
        args.extend(common.iter().map(|s| s.to_string()));
        args.extend(["-o".to_owned(), arg(out)]);
        args.extend(paths.iter().cloned());
        jmlog(&args).expect_code(0);
        serde_json::from_str::<Value>(&fs::read_to_string(out).unwrap()).unwrap()
    };
    let whole = run_over(&logs, &dir.join("whole.json"));
    // Three shards, the days of each overlapping the others and leaving gaps.
    let shards = [&logs[..2], &logs[2..5], &logs[5..]];
    let mut parts = Vec::new();
    for (i, shard) in shards.iter().enumerate() {
        let path = dir.join(format!("part{i}.json"));
        run_over(shard, &path);
        parts.push(arg(&path));
    }
    let mut args = vec!["merge".to_owned(), "-f".to_owned(), "json".to_owned()];
    args.extend(parts.iter().cloned());
    let merged = jmlog(&args);
    merged.expect_code(0);
    assert_eq!(merged.json(), whole);

    // Merging merged reports gives the same again.
    let first_two = dir.join("first-two.json");
    jmlog([
        "merge",
        "-f",
        "json",
        "-o",
        &arg(&first_two),
        &parts[0],
        &parts[1],
    ])
    .expect_code(0);
    let again = jmlog(["merge", "-f", "json", &arg(&first_two), &parts[2]]);
    assert_eq!(again.json(), whole);

    // Reports of different shapes do not merge.
    let daily_utc = dir.join("utc.json");
    jmlog([
        "analyze",
        "-f",
        "json",
        "--by",
        "day",
        "--tz",
        "UTC",
        "-o",
        &arg(&daily_utc),
        LOGS[0],
    ])
    .expect_code(0);
    let run = jmlog(["merge", &parts[0], &arg(&daily_utc)]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("cannot be merged"),
        "{}",
        run.stderr()
    );
}

/// Gates trip past their limit and not at it, `--fail-on unknown` only on an unknown code, and
/// values that name no gate or no code are usage errors.
#[test]
fn gates_trip_exactly_past_their_limits() {
    let log = b"login failed code=801004\nlogin failed code=801004\nsend failed code=803008\n";
    let gate = |args: &[&str], input: &[u8]| {
        let mut all = vec!["analyze", "-f", "json"];
        all.extend_from_slice(args);
        let run = jmlog_with_stdin(&all, input);
        let tripped = run.json()["gates"][0]["tripped"].as_bool().unwrap();
        (run.code(), tripped)
    };
    // At the limit: not tripped; one below it: tripped.
    for (at, below) in [
        (["--max", "login=2"], ["--max", "login=1"]),
        (["--max", "801004=2"], ["--max", "801004=1"]),
        (["--max-total", "3"], ["--max-total", "2"]),
    ] {
        assert_eq!(gate(&at, log), (0, false), "{at:?}");
        assert_eq!(gate(&below, log), (1, true), "{below:?}");
    }
    assert_eq!(gate(&["--fail-on", "unknown"], log), (0, false));
    let with_unknown = [&log[..], b"sync failed errCode=812345\n"].concat();
    assert_eq!(gate(&["--fail-on", "unknown"], &with_unknown), (1, true));
    for (value, message) in [
        (
            "bogus",
            "--fail-on bogus: expected module=NAME, code=CODE, new or unknown",
        ),
        ("code=80100", "80100' is not a JMessage code"),
        ("code=80100300", "80100300' is not a JMessage code"),
    ] {
        let run = jmlog_with_stdin(["analyze", "--fail-on", value], log);
        run.expect_code(2);
        assert!(run.stderr().contains(message), "{value}: {}", run.stderr());
    }
}

/// The text report says it found no codes only when there are none, known or unknown: a log of
/// known codes alone and one of unknown codes alone each get their counts and examples instead.
#[test]
fn the_text_report_says_no_codes_only_when_there_are_none() {
    const NONE: &str = "No JMessage error codes found.";
    const EXAMPLES: &str = "Examples (first line of each code)";
    let lines = |line: &str| line.repeat(60_000);
    let known = lines("E/JMessage: login failed code=801004\n");
    let unknown = lines("E/App: sync failed errCode=812345\n");
    let quiet = lines("I/App: sync done in 12 ms\n");
    for (input, found) in [
        (
            &known,
            "Found 60,000 known codes and 0 unknown codes on 60,000 lines",
        ),
        (
            &unknown,
            "Found 0 known codes and 60,000 unknown codes on 60,000 lines",
        ),
    ] {
        let run = jmlog_with_stdin(["analyze", "-f", "text"], input.as_bytes());
        run.expect_code(0);
        let out = run.stdout();
        assert!(!out.contains(NONE), "{out}");
        assert!(out.contains(found), "{found}: {out}");
        assert!(out.contains(EXAMPLES), "{out}");
    }
    let run = jmlog_with_stdin(["analyze", "-f", "text"], quiet.as_bytes());
    run.expect_code(0);
    assert!(run.stdout().contains(NONE), "{}", run.stdout());
    assert!(!run.stdout().contains(EXAMPLES), "{}", run.stdout());
    // The Markdown summary says the same.
    for (input, none) in [(&known, false), (&unknown, false), (&quiet, true)] {
        let run = jmlog_with_stdin(["analyze", "-f", "markdown"], input.as_bytes());
        run.expect_code(0);
        assert_eq!(run.stdout().contains(NONE), none, "{}", run.stdout());
    }
}
