//! Every input the fuzzers (`tests/fuzz/`) ever broke jmlog with, run through the same checks as the
//! fuzz targets, so that a fixed bug stays fixed. Inputs live in `tests/fuzz/regressions/<target>/`.

use std::io::Read;

use jmlog::catalog::Catalog;
use jmlog::extract::{Extractor, Mode};
use jmlog::scan::scan_chunk;
use jmlog::tally::Tally;

use crate::util::root;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = root().join("tests/fuzz/regressions").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .map(|e| {
            let path = e.unwrap().path();
            (path.display().to_string(), std::fs::read(&path).unwrap())
        })
        .collect()
}

#[test]
fn extract_scanner_agrees_with_the_line_rules() {
    let cases = inputs("extract");
    assert!(!cases.is_empty(), "the crash inputs found so far are kept");
    for (name, data) in cases {
        for mode in [Mode::Strict, Mode::Loose] {
            let ex = Extractor::new(Catalog::builtin(), mode);
            let mut reference = Tally::default();
            let mut hits = Vec::new();
            for (i, line) in data.split(|&b| b == b'\n').enumerate() {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                hits.clear();
                ex.line_hits(line, &mut hits);
                reference.record(i as u64, line, &hits);
            }
            let mut fast = Tally::default();
            scan_chunk(&data, &ex, &mut fast);
            assert_eq!(fast.codes, reference.codes, "{name}, {mode:?}");
            assert_eq!(fast.unknown, reference.unknown, "{name}, {mode:?}");
        }
    }
}

/// The expected outcome of a regression input, from its file name's extension: `ok` (decodes,
/// parses or loads), `err` (is refused), `plain` (passes through as text), `some`/`none` (has a
/// timestamp or not). Inputs straight from a fuzzer (`crash-…`) only have to pass the checks.
fn outcome(name: &str) -> Option<&str> {
    let ext = name.rsplit_once('.')?.1;
    ["ok", "err", "plain", "some", "none"]
        .contains(&ext)
        .then_some(ext)
}

#[test]
fn every_fuzz_target_has_regression_inputs() {
    let targets: Vec<String> = std::fs::read_dir(root().join("tests/fuzz/fuzz_targets"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            path.file_stem().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    assert_eq!(targets.len(), 4, "{targets:?}");
    for target in targets {
        assert!(
            !inputs(&target).is_empty(),
            "tests/fuzz/regressions/{target}/ has no input"
        );
    }
}

/// The decoders: what decodes gives the text that was compressed, what is corrupt gives an error
/// (when opened or while read), and text that is not compressed passes through unchanged.
#[test]
fn decode_regressions_give_their_text_or_an_error() {
    let cases = inputs("decode");
    assert!(
        !cases.is_empty(),
        "tests/fuzz/regressions/decode/ holds inputs"
    );
    let text = b"11-26 05:11:31.123  1234  1250 E Chat: login failed code=801004\n";
    for (name, data) in cases {
        let read = jmlog::input::decode(std::io::Cursor::new(data.clone())).and_then(|(r, _)| {
            let mut out = Vec::new();
            r.take(16 << 20).read_to_end(&mut out).map(|_| out)
        });
        match outcome(&name) {
            Some("ok") => assert_eq!(read.expect(&name), text, "{name}"),
            Some("plain") => assert_eq!(read.expect(&name), data, "{name}"),
            Some("err") => assert!(read.is_err(), "{name} is refused"),
            _ => {}
        }
    }
}

/// The timestamp parser: each layout of the README gives a time, in every zone and year rule;
/// lines without one give none.
#[test]
fn timestamp_regressions_parse_as_labelled() {
    use jiff::tz::TimeZone;
    use jmlog::timestamp::{Clock, YearRule, parse};

    let cases = inputs("timestamp");
    assert!(
        !cases.is_empty(),
        "tests/fuzz/regressions/timestamp/ holds inputs"
    );
    for (name, data) in cases {
        let stamp = parse(&data);
        match outcome(&name) {
            Some("some") => {
                let stamp = stamp.unwrap_or_else(|| panic!("{name}: no timestamp found"));
                for tz in [TimeZone::UTC, TimeZone::get("Asia/Shanghai").unwrap()] {
                    let clock = Clock {
                        tz,
                        years: YearRule::from_modified(jiff::civil::date(2026, 12, 1)),
                    };
                    let time = clock.resolve(stamp).unwrap_or_else(|| panic!("{name}"));
                    // Every sample is of 26 November 2026, give or take the zone.
                    let day = jiff::Timestamp::from_second(time).unwrap().to_string();
                    assert!(day.starts_with("2026-11-2"), "{name}: {day}");
                }
            }
            Some("none") => assert!(stamp.is_none(), "{name}: {stamp:?}"),
            _ => {}
        }
    }
}

/// Report loading: a report loads, round-trips through JSON exactly and merges with itself into
/// twice its counts; what is not a report is refused with a message.
#[test]
fn report_regressions_load_or_are_refused() {
    let cases = inputs("report");
    assert!(
        !cases.is_empty(),
        "tests/fuzz/regressions/report/ holds inputs"
    );
    for (name, data) in cases {
        let loaded = jmlog::baseline::parse(&data);
        match (outcome(&name), loaded) {
            (Some("err"), Ok(_)) => panic!("{name} loads, but is no report"),
            (Some("err"), Err(message)) => assert!(!message.is_empty(), "{name}"),
            (Some("ok"), Err(message)) => panic!("{name} does not load: {message}"),
            (_, Ok(report)) => {
                let text = serde_json::to_vec(&report).unwrap();
                let again = jmlog::baseline::parse(&text).expect("a report jmlog wrote loads back");
                assert_eq!(serde_json::to_vec(&again).unwrap(), text, "{name}");
                let original: serde_json::Value = serde_json::from_slice(&text).unwrap();
                let merged = jmlog::merge::merge(&[
                    ("a".into(), report.clone()),
                    ("b".into(), report.clone()),
                ]);
                let merged = merged.unwrap_or_else(|e| panic!("{name} merges with itself: {e}"));
                let merged = serde_json::to_value(&merged).unwrap();
                for key in ["codes", "unknown_codes", "lines", "code_lines"] {
                    let one = original["totals"][key].as_u64().unwrap();
                    assert_eq!(
                        merged["totals"][key].as_u64().unwrap(),
                        2 * one,
                        "{name}: {key}"
                    );
                }
            }
            (_, Err(_)) => {}
        }
    }
}
