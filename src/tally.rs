//! Counts of codes over a stretch of log text, and how stretches combine.
//!
//! A [`Tally`] describes a contiguous piece of one input: how many lines it has, how many of them hold
//! codes, and for each code how often it occurs and the first line it occurs on. Tallies of adjacent
//! pieces combine with [`Tally::append`]: counts add, and the later piece's line numbers move past the
//! earlier piece's lines. Appending is associative, so a file can be cut into chunks anywhere between
//! lines, scanned in parallel, and the chunk tallies appended in order give exactly the tally of the
//! whole file.

use std::collections::BTreeMap;

use crate::catalog::Code;
use crate::extract::Hit;

/// The longest example text kept for a code, in bytes; longer lines are cut (at a character boundary).
pub const MAX_EXAMPLE_BYTES: usize = 1024;

/// The first line a code was seen on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// Zero-based line index within the tallied text.
    pub line_index: u64,
    /// The line, decoded lossily, at most [`MAX_EXAMPLE_BYTES`] long.
    pub text: String,
}

/// How often one code occurred, and where first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeTally {
    /// Lines the code occurs on.
    pub count: u64,
    pub example: Example,
}

/// The counts of a contiguous piece of one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Bytes of text.
    pub bytes: u64,
    /// Lines: line terminators, plus one for a last line without one.
    pub lines: u64,
    /// Lines that hold at least one code.
    pub code_lines: u64,
    /// Codes the catalog knows.
    pub codes: BTreeMap<Code, CodeTally>,
    /// Numbers in an explicit code context that no catalog knows.
    pub unknown: BTreeMap<Code, CodeTally>,
}

impl Tally {
    /// Records the codes found on the line with zero-based index `line_index`.
    pub fn record(&mut self, line_index: u64, line: &[u8], hits: &[Hit]) {
        if hits.is_empty() {
            return;
        }
        self.code_lines += 1;
        for hit in hits {
            let map = if hit.known {
                &mut self.codes
            } else {
                &mut self.unknown
            };
            map.entry(hit.code)
                .and_modify(|t| t.count += 1)
                .or_insert_with(|| CodeTally {
                    count: 1,
                    example: Example {
                        line_index,
                        text: example_text(line),
                    },
                });
        }
    }

    /// Adds the tally of the text that directly follows this one.
    pub fn append(&mut self, later: Tally) {
        let shift = self.lines;
        self.bytes += later.bytes;
        self.lines += later.lines;
        self.code_lines += later.code_lines;
        merge_codes(&mut self.codes, later.codes, shift);
        merge_codes(&mut self.unknown, later.unknown, shift);
    }
}

fn merge_codes(into: &mut BTreeMap<Code, CodeTally>, later: BTreeMap<Code, CodeTally>, shift: u64) {
    for (code, mut t) in later {
        match into.get_mut(&code) {
            Some(existing) => existing.count += t.count,
            None => {
                t.example.line_index += shift;
                into.insert(code, t);
            }
        }
    }
}

/// The line as an example: lossily decoded and cut to [`MAX_EXAMPLE_BYTES`].
fn example_text(line: &[u8]) -> String {
    let cut = &line[..line.len().min(MAX_EXAMPLE_BYTES)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if cut.len() < line.len() {
        // The cut may split a character; drop the replacement it became.
        if text.ends_with('\u{FFFD}') {
            text.pop();
        }
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(code: Code) -> Hit {
        Hit { code, known: true }
    }

    #[test]
    fn append_shifts_examples_and_adds_counts() {
        let mut a = Tally {
            lines: 10,
            ..Tally::default()
        };
        a.record(3, b"first 801004", &[hit(801004)]);
        let mut b = Tally {
            lines: 5,
            ..Tally::default()
        };
        b.record(1, b"second 801004", &[hit(801004)]);
        b.record(2, b"third 803008", &[hit(803008)]);
        a.append(b);
        assert_eq!(a.lines, 15);
        assert_eq!(a.code_lines, 3);
        assert_eq!(a.codes[&801004].count, 2);
        assert_eq!(a.codes[&801004].example.line_index, 3);
        assert_eq!(a.codes[&803008].example.line_index, 12);
    }

    #[test]
    fn long_examples_are_cut_at_a_character_boundary() {
        let line = "错".repeat(MAX_EXAMPLE_BYTES);
        let text = example_text(line.as_bytes());
        assert!(text.ends_with('…'));
        assert!(!text.contains('\u{FFFD}'));
        assert!(text.len() <= MAX_EXAMPLE_BYTES + '…'.len_utf8());
    }
}
