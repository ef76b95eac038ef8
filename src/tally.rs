//! Counts of codes over a stretch of log text, and how stretches combine.
//!
//! A [`Tally`] describes a contiguous piece of one input: how many lines it has, how many of them hold
//! codes, and for each code how often it occurs and the first line it occurs on. Tallies of adjacent
//! pieces combine with [`Tally::append`]: counts add, and the later piece's line numbers move past the
//! earlier piece's lines. Appending is associative, so a file can be cut into chunks anywhere between
//! lines, scanned in parallel, and the chunk tallies appended in order give exactly the tally of the
//! whole file.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::catalog::Code;
use crate::extract::Hit;
use crate::platform::{self, PlatformCounts};
use crate::timestamp::LineTime;
use crate::unknown::UnknownCodes;

/// The longest example text kept for a code, in bytes; longer lines are cut (at a character boundary).
pub const MAX_EXAMPLE_BYTES: usize = 1024;

/// The first line a code was seen on: the one with the lowest index, whatever order lines were
/// recorded in.
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
    /// For a code whose meaning depends on the platform: its lines per platform.
    pub platforms: PlatformCounts,
}

/// The time range `--since`/`--until` keep, in seconds since the Unix epoch: `since` inclusive,
/// `until` exclusive. With either bound set, lines without a known time are left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl Window {
    pub fn is_unbounded(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// Whether a line at `time` (`None`: unknown) is kept.
    pub fn keeps(&self, time: Option<i64>) -> bool {
        match time {
            Some(t) => self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u),
            None => self.is_unbounded(),
        }
    }
}

/// A line with codes whose time is not known yet: it comes before the first timestamp of its piece,
/// so it takes the last time of the piece before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLine {
    pub line_index: u64,
    pub text: Vec<u8>,
    pub hits: Vec<Hit>,
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
    pub unknown: UnknownCodes,
    /// When times are read: lines per (Unix minute, code), known and unknown codes alike. A hash
    /// map, since every dated line with a code updates it; reports sort it once.
    pub timeline: FxHashMap<(i64, Code), u64>,
    /// When times are read: lines with codes before this piece's first timestamp.
    pub pending: Vec<PendingLine>,
    /// When times are read: the time of the last timestamped line of this piece.
    pub last_time: Option<LineTime>,
    /// When events are asked for (`--format ndjson`): one per code per line, in line order.
    pub events: Option<Vec<Event>>,
    /// Lines with codes that `--since`/`--until` left out.
    pub left_out: LeftOut,
}

/// Lines with codes a window left out, and the code occurrences on them (known and unknown).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeftOut {
    /// Lines whose time is outside the window.
    pub outside_lines: u64,
    pub outside_codes: u64,
    /// Lines whose time is not known (no timestamp on or above them).
    pub undated_lines: u64,
    pub undated_codes: u64,
}

impl std::ops::AddAssign for LeftOut {
    fn add_assign(&mut self, other: LeftOut) {
        self.outside_lines += other.outside_lines;
        self.outside_codes += other.outside_codes;
        self.undated_lines += other.undated_lines;
        self.undated_codes += other.undated_codes;
    }
}

/// One code on one line, for reports that list every occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub line_index: u64,
    /// The line's time, when it is known (its own, or the last one above it).
    pub time: Option<LineTime>,
    pub code: Code,
    pub known: bool,
}

impl Tally {
    /// Records the codes found on the line with zero-based index `line_index`.
    pub fn record(&mut self, line_index: u64, line: &[u8], hits: &[Hit]) {
        self.record_at(line_index, line, hits, None);
    }

    /// Counts a line with codes that the window leaves out: `dated` if its time is known (and
    /// outside the window), else its time is unknown.
    pub fn leave_out(&mut self, hits: &[Hit], dated: bool) {
        if hits.is_empty() {
            return;
        }
        let codes = hits.len() as u64;
        if dated {
            self.left_out.outside_lines += 1;
            self.left_out.outside_codes += codes;
        } else {
            self.left_out.undated_lines += 1;
            self.left_out.undated_codes += codes;
        }
    }

    /// Records the codes of a line whose time (seconds since the Unix epoch) is `time`.
    pub fn record_at(&mut self, line_index: u64, line: &[u8], hits: &[Hit], time: Option<i64>) {
        let time = time.and_then(LineTime::from_second);
        self.record_dated(line_index, line, hits, time);
    }

    /// Records the codes of a line written at `time`.
    pub fn record_dated(
        &mut self,
        line_index: u64,
        line: &[u8],
        hits: &[Hit],
        time: Option<LineTime>,
    ) {
        let minute = time.map(|t| t.second().div_euclid(60));
        self.record_in_minute(line_index, line, hits, time, minute);
    }

    /// [`Tally::record_dated`], counting the line in the timeline at `minute`: its own minute, or
    /// another minute of the same histogram bucket (see [`crate::histogram::bucket_minutes`]), so
    /// that a scan for a histogram keeps one entry per bucket and code instead of one per minute.
    pub fn record_in_minute(
        &mut self,
        line_index: u64,
        line: &[u8],
        hits: &[Hit],
        time: Option<LineTime>,
        minute: Option<i64>,
    ) {
        if hits.is_empty() {
            return;
        }
        if let Some(minute) = minute {
            for hit in hits {
                *self.timeline.entry((minute, hit.code)).or_default() += 1;
            }
        }
        if let Some(events) = &mut self.events {
            events.extend(hits.iter().map(|h| Event {
                line_index,
                time,
                code: h.code,
                known: h.known,
            }));
        }
        self.code_lines += 1;
        // Only lines with a code whose meaning depends on the platform are read for it.
        let platform = hits
            .iter()
            .any(|h| h.varies)
            .then(|| platform::of_line(line));
        for hit in hits {
            if !hit.known {
                self.unknown
                    .record(hit.code, line_index, || example_text(line));
                continue;
            }
            let map = &mut self.codes;
            match map.get_mut(&hit.code) {
                Some(t) => {
                    t.count += 1;
                    if let (true, Some(p)) = (hit.varies, platform) {
                        t.platforms.add(p);
                    }
                    // Lines settled late (pending ones) may come before the example so far.
                    if line_index < t.example.line_index {
                        t.example = Example {
                            line_index,
                            text: example_text(line),
                        };
                    }
                }
                None => {
                    let mut platforms = PlatformCounts::default();
                    if let (true, Some(p)) = (hit.varies, platform) {
                        platforms.add(p);
                    }
                    map.insert(
                        hit.code,
                        CodeTally {
                            count: 1,
                            example: Example {
                                line_index,
                                text: example_text(line),
                            },
                            platforms,
                        },
                    );
                }
            }
        }
    }

    /// Adds the tally of the text that directly follows this one.
    ///
    /// When times are read, `later`'s pending lines (those before its first timestamp) take
    /// `self`'s last time; if `self` has none, they stay pending, for a piece before `self` to date,
    /// or for [`Tally::settle`] once `self` is known to start at the input's start. `window` decides
    /// which of them count. Appending is associative, so pieces may be combined in any grouping.
    pub fn append(&mut self, mut later: Tally, window: &Window) {
        let shift = self.lines;
        for p in std::mem::take(&mut later.pending) {
            match self.last_time {
                Some(t) => {
                    if window.keeps(Some(t.second())) {
                        self.record_dated(p.line_index + shift, &p.text, &p.hits, Some(t));
                    } else {
                        self.leave_out(&p.hits, true);
                    }
                }
                None => self.pending.push(PendingLine {
                    line_index: p.line_index + shift,
                    ..p
                }),
            }
        }
        self.bytes += later.bytes;
        self.lines += later.lines;
        self.code_lines += later.code_lines;
        self.left_out += later.left_out;
        merge_codes(&mut self.codes, later.codes, shift);
        self.unknown.append(later.unknown, shift);
        for (key, n) in later.timeline {
            *self.timeline.entry(key).or_default() += n;
        }
        if let (Some(events), Some(more)) = (&mut self.events, later.events) {
            events.extend(more.into_iter().map(|e| Event {
                line_index: e.line_index + shift,
                ..e
            }));
        }
        self.last_time = later.last_time.or(self.last_time);
    }

    /// Settles the pending lines of a tally that starts at its input's start: no earlier time
    /// exists, so they are lines of unknown time, counted only when no window is set.
    pub fn settle(&mut self, window: &Window) {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return;
        }
        for p in pending {
            if window.keeps(None) {
                self.record_dated(p.line_index, &p.text, &p.hits, None);
            } else {
                self.leave_out(&p.hits, false);
            }
        }
        // The settled lines come before the lines recorded so far: events stay in line order.
        if let Some(events) = &mut self.events {
            events.sort_by_key(|e| e.line_index);
        }
    }
}

fn merge_codes(into: &mut BTreeMap<Code, CodeTally>, later: BTreeMap<Code, CodeTally>, shift: u64) {
    for (code, mut t) in later {
        t.example.line_index += shift;
        match into.get_mut(&code) {
            Some(existing) => {
                existing.count += t.count;
                existing.platforms += t.platforms;
                if t.example.line_index < existing.example.line_index {
                    existing.example = t.example;
                }
            }
            None => {
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
        Hit {
            code,
            known: true,
            varies: false,
        }
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
        a.append(b, &Window::default());
        assert_eq!(a.lines, 15);
        assert_eq!(a.code_lines, 3);
        assert_eq!(a.codes[&801004].count, 2);
        assert_eq!(a.codes[&801004].example.line_index, 3);
        assert_eq!(a.codes[&803008].example.line_index, 12);
    }

    #[test]
    fn only_codes_whose_meaning_varies_are_counted_per_platform() {
        let line = b"11-03 08:15:44.020  7606  7702 W JIGUANG-JMRTC: code = 872001, 801004";
        let mut t = Tally::default();
        let varying = Hit {
            varies: true,
            ..hit(872001)
        };
        t.record(0, line, &[hit(801004), varying]);
        t.record(1, b"code = 872001", &[varying]);
        assert_eq!(t.codes[&801004].platforms, PlatformCounts::default());
        let p = t.codes[&872001].platforms;
        assert_eq!((p.android, p.unknown, p.total()), (1, 1, 2));
    }

    #[test]
    fn pending_lines_take_the_time_before_them() {
        let mut a = Tally {
            lines: 4,
            last_time: LineTime::from_second(600),
            ..Tally::default()
        };
        let mut b = Tally {
            lines: 2,
            ..Tally::default()
        };
        b.pending.push(PendingLine {
            line_index: 0,
            text: b"  at Frame.run".to_vec(),
            hits: vec![hit(801004)],
        });
        a.append(b, &Window::default());
        assert_eq!(a.timeline[&(10, 801004)], 1);
        assert_eq!(a.codes[&801004].example.line_index, 4);
        assert_eq!(
            a.last_time,
            LineTime::from_second(600),
            "b had no time of its own"
        );

        // Outside the window, the line does not count at all.
        let mut a = Tally {
            last_time: LineTime::from_second(600),
            ..Tally::default()
        };
        let mut b = Tally::default();
        b.pending.push(PendingLine {
            line_index: 0,
            text: Vec::new(),
            hits: vec![hit(801004)],
        });
        a.append(
            b,
            &Window {
                since: Some(601),
                until: None,
            },
        );
        assert!(a.codes.is_empty() && a.code_lines == 0);
    }

    #[test]
    fn lines_of_unknown_time_count_only_without_a_window() {
        let w = Window {
            since: Some(0),
            until: None,
        };
        assert!(!w.keeps(None));
        assert!(Window::default().keeps(None));
        assert!(w.keeps(Some(0)));
        let until = Window {
            since: None,
            until: Some(10),
        };
        assert!(until.keeps(Some(9)) && !until.keeps(Some(10)));
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
