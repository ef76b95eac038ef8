//! Properties of reports: merging is associative, commutative in its counts, and equals one run
//! (whatever spelling of a zone and whatever relative window each shard was made with); JSON
//! reports load back to what was written.

use std::path::PathBuf;

use jiff::tz::TimeZone;
use jmlog::analyze::{ScanSettings, TimeSettings, analyze};
use jmlog::baseline;
use jmlog::extract::Mode;
use jmlog::histogram::Unit;
use jmlog::input::{Discovered, Input};
use jmlog::merge::{RELATIVE_TOLERANCE_SECS, merge};
use jmlog::report::Report;
use jmlog::tally::Window;
use proptest::prelude::*;

use crate::util::{root, tempdir};

fn material() -> Vec<String> {
    let mut lines = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(root().join("sample-logs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for path in names {
        lines.extend(
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .map(str::to_owned),
        );
    }
    lines
}

fn settings() -> ScanSettings {
    ScanSettings {
        mode: Mode::Strict,
        threads: 2,
        chunk_size: 4096,
        progress: false,
        time: Some(TimeSettings {
            tz: TimeZone::UTC,
            tz_name: "UTC".to_owned(),
            by: Some(Unit::Day),
            year: Some(2026),
            window: Window::default(),
        }),
    }
}

fn report_of(paths: &[PathBuf]) -> Report {
    report_with(paths, &settings())
}

fn report_with(paths: &[PathBuf], settings: &ScanSettings) -> Report {
    let discovered = Discovered {
        inputs: paths
            .iter()
            .map(|p| Input::File {
                path: p.clone(),
                explicit: true,
            })
            .collect(),
        ..Discovered::default()
    };
    analyze(&discovered, settings, None).unwrap().0
}

/// How a shard of a fleet is run: with its zone named its own way (as older jmlog versions wrote
/// `--tz` as given), and with `--since 30d` resolved `lag` seconds after some moment (all of the
/// material is later).
fn fleet_settings(tz_name: &str, lag: i64) -> ScanSettings {
    let mut s = settings();
    let time = s.time.as_mut().unwrap();
    time.tz_name = tz_name.to_owned();
    time.window.since = Some(1_577_836_800 + lag);
    s
}

/// The spellings of UTC that users give `--tz`.
const UTC_SPELLINGS: [&str; 5] = ["UTC", "utc", "+00:00", "Etc/UTC", "Z"];

fn named(parts: &[Report]) -> Vec<(String, Report)> {
    parts
        .iter()
        .enumerate()
        .map(|(i, r)| (format!("part{i}"), r.clone()))
        .collect()
}

/// What merging may not change with the order of the parts: every count.
fn counts(r: &Report) -> serde_json::Value {
    let codes: Vec<(u32, u64)> = r.codes.iter().map(|c| (c.code, c.count)).collect();
    let unknown: Vec<(u32, u64)> = r.unknown_codes.iter().map(|c| (c.code, c.count)).collect();
    serde_json::json!({
        "totals": r.totals,
        "modules": r.modules,
        "codes": codes,
        "unknown": unknown,
        "histogram": r.histogram,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn merge_is_associative_commutative_and_equals_one_run(
        shards in prop::collection::vec(prop::collection::vec(any::<prop::sample::Index>(), 0..60), 3),
    ) {
        let material = material();
        let dir = tempdir();
        let paths: Vec<PathBuf> = shards
            .iter()
            .enumerate()
            .map(|(i, picks)| {
                let path = dir.join(format!("shard{i}.log"));
                let text: String = picks.iter().map(|p| format!("{}\n", p.get(&material))).collect();
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect();
        let parts: Vec<Report> = paths.iter().map(|p| report_of(std::slice::from_ref(p))).collect();
        let whole = report_of(&paths);

        let all = merge(&named(&parts)).unwrap();
        prop_assert_eq!(&all, &whole);

        let left = merge(&named(&[merge(&named(&parts[..2])).unwrap(), parts[2].clone()])).unwrap();
        let right = merge(&named(&[parts[0].clone(), merge(&named(&parts[1..])).unwrap()])).unwrap();
        prop_assert_eq!(&left, &whole);
        prop_assert_eq!(&right, &whole);

        let reversed: Vec<Report> = parts.iter().rev().cloned().collect();
        prop_assert_eq!(counts(&merge(&named(&reversed)).unwrap()), counts(&whole));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn merge_of_fleet_shards_equals_one_run(
        shards in prop::collection::vec(prop::collection::vec(any::<prop::sample::Index>(), 0..40), 1..5),
        zones in prop::collection::vec(0..UTC_SPELLINGS.len(), 5),
        lags in prop::collection::vec(0..=RELATIVE_TOLERANCE_SECS, 5),
    ) {
        let material = material();
        let dir = tempdir();
        let paths: Vec<PathBuf> = shards
            .iter()
            .enumerate()
            .map(|(i, picks)| {
                let path = dir.join(format!("shard{i}.log"));
                let text: String = picks.iter().map(|p| format!("{}\n", p.get(&material))).collect();
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect();
        let parts: Vec<Report> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut r = report_with(std::slice::from_ref(p), &fleet_settings(UTC_SPELLINGS[zones[i]], lags[i]));
                r.record_window(Some("30d"), None);
                r
            })
            .collect();
        let lags = &lags[..parts.len()];
        let (earliest, latest) = (*lags.iter().min().unwrap(), *lags.iter().max().unwrap());

        // One run over everything, naming the zone as a run does, with the earliest `since`; the
        // merged window also says when the latest shard's resolved.
        let mut whole = report_with(&paths, &fleet_settings("UTC", earliest));
        whole.record_window(Some("30d"), None);
        let latest_since = report_with(&[], &fleet_settings("UTC", latest)).since.unwrap();
        whole.window.as_mut().unwrap().since.as_mut().unwrap().latest = latest_since;

        let all = merge(&named(&parts)).unwrap();
        prop_assert_eq!(&all, &whole);
        // Merged reports merge on: the first half, then the rest.
        let half = parts.len().div_ceil(2);
        let mut grouped = vec![merge(&named(&parts[..half])).unwrap()];
        grouped.extend(parts[half..].iter().cloned());
        prop_assert_eq!(&merge(&named(&grouped)).unwrap(), &whole);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn json_reports_round_trip(picks in prop::collection::vec(any::<prop::sample::Index>(), 0..120)) {
        let material = material();
        let dir = tempdir();
        let path = dir.join("log");
        let text: String = picks.iter().map(|p| format!("{}\n", p.get(&material))).collect();
        std::fs::write(&path, text).unwrap();
        let report = report_of(&[path]);
        let json = serde_json::to_vec_pretty(&report).unwrap();
        let loaded = baseline::parse(&json).unwrap();
        prop_assert_eq!(&loaded, &report);
        let _ = std::fs::remove_dir_all(dir);
    }
}
