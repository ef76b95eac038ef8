//! Properties of reports: merging is associative, commutative in its counts, and equals one run
//! (whatever spelling of a zone and whatever relative window each shard was made with); JSON
//! reports load back to what was written.

use std::path::PathBuf;

use jiff::tz::TimeZone;
use jmlog::analyze::{ScanSettings, TimeSettings, analyze};
use jmlog::baseline;
use jmlog::extract::Mode;
use jmlog::histogram::Unit;
use jmlog::input::{Discovered, Input, WalkOptions, discover};
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
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
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
        stdin: Default::default(),
        hidden: false,
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

    #[test]
    fn per_input_counts_add_up_to_the_totals_in_trees_and_their_archives(
        files in prop::collection::vec(
            (0usize..3, 0usize..4, prop::collection::vec(any::<prop::sample::Index>(), 0..40)),
            1..7,
        ),
    ) {
        let material = material();
        let dir = tempdir();
        let tree = dir.join("tree");
        let mut tar = tar::Builder::new(Vec::new());
        let mut written = std::collections::BTreeSet::new();
        for (depth, name, picks) in &files {
            let rel = format!("{}app.log.{name}", "sub/".repeat(*depth));
            if !written.insert(rel.clone()) {
                continue;
            }
            let text: String = picks.iter().map(|p| format!("{}\n", p.get(&material))).collect();
            let path = tree.join(&rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, &rel, text.as_bytes()).unwrap();
        }
        let archive = dir.join("tree.tar");
        std::fs::write(&archive, tar.into_inner().unwrap()).unwrap();

        let unpacked = analyze(
            &discover(std::slice::from_ref(&tree), &WalkOptions::default()).unwrap(),
            &settings(),
            None,
        )
        .unwrap()
        .0;
        let packed = report_of(std::slice::from_ref(&archive));
        for report in [&unpacked, &packed, &merge(&named(&[unpacked.clone(), packed.clone()])).unwrap()] {
            let mut per_code: std::collections::BTreeMap<u32, u64> = Default::default();
            for input in &report.inputs {
                for (code, n) in &input.codes {
                    *per_code.entry(*code).or_default() += n;
                }
            }
            let rows: std::collections::BTreeMap<u32, u64> = report
                .codes
                .iter()
                .map(|c| (c.code, c.count))
                .chain(report.unknown_codes.iter().map(|u| (u.code, u.count)))
                .collect();
            prop_assert_eq!(&per_code, &rows);
            prop_assert_eq!(
                report.inputs.iter().map(|i| i.code_lines).sum::<u64>(),
                report.totals.code_lines
            );
            prop_assert_eq!(
                per_code.values().sum::<u64>(),
                report.totals.codes + report.totals.unknown_codes
            );
        }
        // The archive's members are the tree's files, in the same order, with the same counts.
        let strip = |r: &Report, prefix: &str| -> Vec<(String, u64, u64, std::collections::BTreeMap<u32, u64>)> {
            r.inputs
                .iter()
                .map(|i| (i.path.strip_prefix(prefix).unwrap().to_owned(), i.lines, i.code_lines, i.codes.clone()))
                .collect()
        };
        prop_assert_eq!(
            strip(&unpacked, &format!("{}/", tree.display())),
            strip(&packed, &format!("{}:", archive.display()))
        );
        prop_assert_eq!(&packed.totals, &unpacked.totals);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn damaged_archives_never_panic_and_their_rows_still_add_up(
        format in 0usize..3,
        cut in 0.0f64..1.0,
        flips in prop::collection::vec((0.0f64..1.0, any::<u8>()), 0..4),
    ) {
        let material = material();
        let text = |from: usize| -> String {
            (0..40).map(|i| format!("{}\n", material[(from + i * 7) % material.len()])).collect()
        };
        let files = [("a.log", text(0)), ("dir/b.log", text(1)), ("dir/c.log", text(2))];
        let bytes = match format {
            0 => {
                let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
                for (name, text) in &files {
                    zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
                    std::io::Write::write_all(&mut zip, text.as_bytes()).unwrap();
                }
                zip.finish().unwrap().into_inner()
            }
            _ => {
                let mut tar = tar::Builder::new(Vec::new());
                for (name, text) in &files {
                    let mut header = tar::Header::new_gnu();
                    header.set_size(text.len() as u64);
                    header.set_mode(0o644);
                    header.set_cksum();
                    tar.append_data(&mut header, name, text.as_bytes()).unwrap();
                }
                let tar = tar.into_inner().unwrap();
                if format == 1 {
                    tar
                } else {
                    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                    std::io::Write::write_all(&mut gz, &tar).unwrap();
                    gz.finish().unwrap()
                }
            }
        };
        let mut bytes = bytes[..((bytes.len() as f64 * cut) as usize).max(1)].to_vec();
        for (at, value) in flips {
            let i = (bytes.len() as f64 * at) as usize % bytes.len();
            bytes[i] = value;
        }
        let dir = tempdir();
        let path = dir.join("damaged");
        std::fs::write(&path, &bytes).unwrap();
        let report = report_of(&[path]);
        let occurrences: u64 = report.inputs.iter().flat_map(|i| i.codes.values()).sum();
        prop_assert_eq!(occurrences, report.totals.codes + report.totals.unknown_codes);
        prop_assert_eq!(
            report.inputs.iter().map(|i| i.code_lines).sum::<u64>(),
            report.totals.code_lines
        );
        prop_assert!(!report.inputs.is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}
