//! The extraction rules and the block scanner on arbitrary bytes: no panic, well-formed hits, and
//! the fast scanner always agrees with judging every line on its own.
#![no_main]

use jmlog::catalog::{Catalog, in_code_space};
use jmlog::extract::{Extractor, Mode};
use jmlog::scan::scan_chunk;
use jmlog::tally::Tally;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// Built once: compiling the extractor's patterns costs far more than one run.
fn extractors() -> &'static [Extractor<'static>; 2] {
    static EXTRACTORS: OnceLock<[Extractor<'static>; 2]> = OnceLock::new();
    EXTRACTORS.get_or_init(|| {
        [Mode::Strict, Mode::Loose].map(|mode| Extractor::new(Catalog::builtin(), mode))
    })
}

fuzz_target!(|data: &[u8]| {
    for ex in extractors() {
        let mut reference = Tally::default();
        let mut hits = Vec::new();
        for (i, line) in data.split(|&b| b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            hits.clear();
            ex.line_hits(line, &mut hits);
            assert!(hits.windows(2).all(|w| w[0].code < w[1].code), "sorted, once each");
            assert!(hits.iter().all(|h| in_code_space(h.code)));
            reference.record(i as u64, line, &hits);
        }
        let mut fast = Tally::default();
        scan_chunk(data, ex, &mut fast);
        assert_eq!(fast.codes, reference.codes);
        assert_eq!(fast.unknown, reference.unknown);
        assert_eq!(fast.code_lines, reference.code_lines);
    }
});
