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

#[test]
fn decode_timestamp_and_report_inputs_never_panic() {
    for (_, data) in inputs("decode") {
        if let Ok((reader, _)) = jmlog::input::decode(std::io::Cursor::new(data)) {
            let _ = reader.take(16 << 20).read_to_end(&mut Vec::new());
        }
    }
    for (_, data) in inputs("timestamp") {
        let _ = jmlog::timestamp::parse(&data);
    }
    for (_, data) in inputs("report") {
        let _ = jmlog::baseline::parse(&data);
    }
}
