//! Loading reports (`--baseline`, `merge`) from arbitrary bytes: a clear error or a report, never a
//! panic; a report that loads merges with itself and survives a JSON round trip.
#![no_main]

use jmlog::baseline::{compare, parse};
use jmlog::merge::merge;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(report) = parse(data) else { return };
    let text = serde_json::to_vec(&report).unwrap();
    let again = parse(&text).expect("a report jmlog wrote loads back");
    assert_eq!(serde_json::to_vec(&again).unwrap(), text);
    let _ = merge(&[("a".into(), report.clone()), ("b".into(), report.clone())]);
    let mut copy = report.clone();
    compare(&mut copy, &report, "baseline");
});
