//! Parallel scanning gives the same counts as reading line by line, for any chunk size and any
//! number of threads, including codes that straddle a chunk edge.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::tz::TimeZone;
use jmlog::catalog::Catalog;
use jmlog::extract::{Extractor, Hit, Mode};
use jmlog::pipeline::{ReadOptions, TimeOptions, scan_file, scan_input, scan_reader};
use jmlog::tally::{Tally, Window};
use jmlog::timestamp::{self, Clock, YearRule};
use proptest::prelude::*;

use crate::util::root;

/// Every line of the sample logs and the corpus: real shapes, codes and decoys.
fn material() -> Vec<String> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(root().join("sample-logs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "log") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        lines.extend(text.lines().map(str::to_owned));
    }
    let corpus = std::fs::read_to_string(root().join("tests/data/corpus.txt")).unwrap();
    lines.extend(
        corpus
            .lines()
            .filter_map(|l| l.split_once(" | ").map(|(_, line)| line.to_owned())),
    );
    lines
}

/// Lines, lines with codes, and per (code, known) its count and first line index.
type Shape = (u64, u64, BTreeMap<(u32, bool), (u64, u64)>);

/// What the independent oracle finds in `text`, in the shape of a tally's counts: lines, lines
/// with codes, and per code its count and the index of the line it was first seen on.
fn oracle_counts(text: &[u8]) -> Shape {
    let c = crate::oracle::count_text(text, false);
    let mut per_code = BTreeMap::new();
    for (code, lines) in &c.line_numbers {
        let known = c.codes.contains_key(code);
        per_code.insert((*code, known), (lines.len() as u64, lines[0] - 1));
    }
    (c.lines, c.code_lines, per_code)
}

/// The same shape, from a tally.
fn tally_counts(t: &Tally) -> Shape {
    let mut per_code = BTreeMap::new();
    for (code, ct) in &t.codes {
        per_code.insert((*code, true), (ct.count, ct.example.line_index));
    }
    for c in &t.unknown {
        per_code.insert((c.code, false), (c.count, c.line_index));
    }
    (t.lines, t.code_lines, per_code)
}

/// The reference with dating: each line takes its own timestamp or the last one above it, and its
/// codes from the oracle.
fn dated_line_by_line(text: &[u8], clock: &Clock, window: &Window) -> Tally {
    let mut tally = Tally::default();
    let mut last = None;
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    if !text.is_empty() {
        for (i, line) in body.split(|&b| b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Some(stamp) = timestamp::parse(line) {
                last = Some(stamp);
            }
            let hits: Vec<Hit> = crate::oracle::line_codes(&String::from_utf8_lossy(line), false)
                .into_iter()
                .map(|(code, known)| Hit {
                    code,
                    known,
                    varies: known && Catalog::builtin().varies(code),
                })
                .collect();
            let time = last.and_then(|s| clock.resolve(s));
            if window.keeps(time) {
                tally.record_at(i as u64, line, &hits, time);
            } else {
                tally.leave_out(&hits, time.is_some());
            }
            tally.lines += 1;
        }
    }
    tally.last_time = last.and_then(|s| clock.resolve_time(s));
    tally.bytes = text.len() as u64;
    tally
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_chunk_size_and_thread_count_gives_the_same_tally(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..400),
        crlf in any::<bool>(),
        trailing_newline in any::<bool>(),
        chunk_size in 1usize..5000,
        threads in 1usize..5,
    ) {
        let material = material();
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text: String = picks.iter().map(|i| format!("{}{eol}", i.get(&material))).collect();
        if !trailing_newline && !text.is_empty() {
            text.truncate(text.len() - eol.len());
        }
        let ex = Arc::new(Extractor::new(Catalog::builtin(), Mode::Strict));
        let got = scan_reader(text.as_bytes(), &ex, &pool(threads), chunk_size);
        prop_assert!(got.error.is_none());
        prop_assert_eq!(got.tally.bytes, text.len() as u64);
        prop_assert_eq!(tally_counts(&got.tally), oracle_counts(text.as_bytes()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn dating_is_the_same_for_any_chunk_size_and_thread_count(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..300),
        chunk_size in 1usize..3000,
        threads in 1usize..4,
        bounded in any::<bool>(),
    ) {
        let material = material();
        let text: String = picks.iter().map(|i| format!("{}\n", i.get(&material))).collect();
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let modified = jiff::civil::date(2026, 11, 26);
        let window = if bounded {
            // From 5 November, Shanghai time, to the end of 16 November.
            Window { since: Some(1_762_272_000), until: Some(1_763_308_800) }
        } else {
            Window::default()
        };
        let options = TimeOptions { tz: tz.clone(), year: None, modified, window, buckets: None };
        let clock = Clock { tz, years: YearRule::from_modified(modified) };
        let ex = Arc::new(Extractor::new(Catalog::builtin(), Mode::Strict));
        let expected = dated_line_by_line(text.as_bytes(), &clock, &window);
        let got = scan_input(
            text.as_bytes(),
            &ex,
            &pool(threads),
            &ReadOptions { chunk_size, time: Some(&options), ..ReadOptions::default() },
        );
        prop_assert_eq!(&got.tally, &expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Reading a file's chunks in parallel with positioned reads gives the streaming reader's tally.
    #[test]
    fn parallel_file_reading_is_the_same_for_any_chunk_size(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..300),
        trailing_newline in any::<bool>(),
        chunk_size in 1usize..3000,
        threads in 1usize..4,
        dated in any::<bool>(),
    ) {
        let material = material();
        let mut text: String = picks.iter().map(|i| format!("{}\n", i.get(&material))).collect();
        if !trailing_newline {
            text.pop();
        }
        let dir = crate::util::tempdir();
        let path = dir.join("log");
        std::fs::write(&path, &text).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let modified = jiff::civil::date(2026, 11, 26);
        let window = Window::default();
        let time = TimeOptions { tz: tz.clone(), year: Some(2026), modified, window, buckets: None };
        let ex = Arc::new(Extractor::new(Catalog::builtin(), Mode::Strict));
        let options = ReadOptions {
            chunk_size,
            time: dated.then_some(&time),
            ..ReadOptions::default()
        };
        let streamed = scan_input(text.as_bytes(), &ex, &pool(1), &ReadOptions { chunk_size: 1 << 20, ..options });
        let parallel = scan_file(&file, text.len() as u64, &ex, &pool(threads), &options)
            .expect("no line is longer than MAX_LINE");
        prop_assert!(parallel.error.is_none());
        prop_assert_eq!(&parallel.tally, &streamed.tally);
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn sample_logs_give_the_same_tally_in_one_chunk_and_in_many() {
    let ex = Arc::new(Extractor::new(Catalog::builtin(), Mode::Strict));
    let text: String = material().join("\n");
    let whole = scan_reader(text.as_bytes(), &ex, &pool(1), 1 << 30).tally;
    assert!(whole.codes.len() > 50, "the material is rich in codes");
    for chunk_size in [1, 7, 64, 65, 4096] {
        for threads in [1, 2, 4] {
            let parts = scan_reader(text.as_bytes(), &ex, &pool(threads), chunk_size).tally;
            assert_eq!(parts, whole, "chunk size {chunk_size}, {threads} threads");
        }
    }
}
