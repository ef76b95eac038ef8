//! The hot loop: finds the few lines of a chunk that may hold a code and hands them to the extractor.
//!
//! Nearly every log line is full of digits, but almost none holds a run of six or seven digits that
//! starts with 7 or 8. The scanner walks the chunk 64 bytes at a time and turns each block into two
//! bit masks, one bit per byte: which bytes are ASCII digits and which are newlines. A run of six
//! digits ending at byte `i` is then `d & d<<1 & … & d<<5` (with the previous block's bits carried in),
//! so a block without such a run costs a handful of instructions. Only a run of the right length and
//! first digit that stands alone (rule 1 of the extractor, which needs only the bytes around the run)
//! makes the scanner find the line around it (with memchr, once per line) and ask the [`Extractor`]
//! to judge it there. Newlines are counted from the same masks, so line numbers cost no second pass.
//!
//! The masks are computed with AVX2 where the CPU has it (checked at run time), with SSE2 on other
//! x86-64 CPUs, and with plain code elsewhere; a test checks that all agree. No crate offers "digit and newline bitmasks of a block", which is
//! why this is written by hand.

use memchr::{memchr, memrchr};

use crate::extract::{Extractor, Hit, LineContext, candidate, dedup_hits};
use crate::tally::{PendingLine, Tally, Window};
use crate::timestamp::{self, Clock, Stamp};

const BLOCK: usize = 64;

/// Scans `chunk`, a piece of an input that starts at a line start and ends at a line end (or at the end
/// of the input), into `tally`. Adds the chunk's bytes and its newline count to the tally; a last line
/// without a newline is the caller's to count, since only the caller knows where the input ends.
pub fn scan_chunk(chunk: &[u8], extractor: &Extractor<'_>, tally: &mut Tally) {
    scan_chunk_dated(chunk, extractor, None, tally);
}

/// What dating lines takes: the clock that turns timestamps into instants, and the window of
/// times that count.
#[derive(Debug, Clone)]
pub struct Dating {
    pub clock: Clock,
    pub window: Window,
}

/// [`scan_chunk`], also dating each line with codes when `dating` is given: by its own timestamp, or
/// else by the last one before it (lines before the chunk's first timestamp are left pending for the
/// chunk before to date). Only lines with codes, and the few lines above them that have to be looked
/// at, are parsed for a timestamp.
pub fn scan_chunk_dated(
    chunk: &[u8],
    extractor: &Extractor<'_>,
    dating: Option<&Dating>,
    tally: &mut Tally,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("popcnt")
        && std::arch::is_x86_feature_detected!("bmi1")
    {
        // SAFETY: the CPU has AVX2, POPCNT and BMI1, as checked just above.
        return unsafe { scan_avx2(chunk, extractor, dating, tally) };
    }
    scan_blocks::<BaselineMasks>(chunk, extractor, dating, tally);
}

/// [`scan_blocks`] compiled for AVX2, where the masks take two 32-byte compares instead of four
/// 16-byte ones, and for POPCNT and BMI1, which count newlines and walk the run bits in one
/// instruction each (the x86-64 baseline has neither).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt,bmi1")]
unsafe fn scan_avx2(
    chunk: &[u8],
    extractor: &Extractor<'_>,
    dating: Option<&Dating>,
    tally: &mut Tally,
) {
    scan_blocks::<Avx2Masks>(chunk, extractor, dating, tally);
}

/// The block loop, for one way of computing the masks. Inlined into each caller so that it is
/// compiled with that caller's target features.
#[inline(always)]
fn scan_blocks<M: Masks>(
    chunk: &[u8],
    extractor: &Extractor<'_>,
    dating: Option<&Dating>,
    tally: &mut Tally,
) {
    let mut line = CurrentLine::default();
    let mut stamps = StampCursor::default();
    let mut pos = 0;
    // Newlines in chunk[..pos].
    let mut newlines_before = 0u64;
    // The previous block's masks, for runs that cross a block edge.
    let mut prev = Block::default();
    let mut prev_ends = 0u64;

    while pos < chunk.len() {
        let block = block_masks::<M>(chunk, pos);
        let digits = block.digits;
        // Bit i: the six bytes ending at pos+i are all digits.
        let mut ends = digits;
        for k in 1..6 {
            ends &= (digits << k) | (prev.digits >> (64 - k));
        }
        // Bit i: the first such position of a run, i.e. the run's sixth digit.
        let mut sixth = ends & !((ends << 1) | (prev_ends >> 63));
        // Cheap cuts before looking at bytes: the run must not go on to an eighth digit (runs of
        // eight or more are timestamps and ids; at the block's last two bytes this is not known
        // yet), and it must start with 7 or 8.
        sixth &= !((digits >> 1) & (digits >> 2)) | (0b11 << 62);
        sixth &= (block.leads << 5) | (prev.leads >> 59);
        while sixth != 0 {
            let i = sixth.trailing_zeros() as usize;
            sixth &= sixth - 1;
            let start = pos + i - 5;
            let Some(end) = code_shaped_run(chunk, start) else {
                continue;
            };
            // Rule 1 needs only the bytes around the run, so it is decided here, once.
            let Some(code) = candidate(chunk, start, end) else {
                continue;
            };
            let index =
                newlines_before + u64::from((block.newlines & ((1u64 << i) - 1)).count_ones());
            line.enter(chunk, index, start, tally, dating, &mut stamps);
            if let Some(hit) = extractor.judge_candidate(
                line.text(chunk),
                start - line.start,
                end - line.start,
                code,
                &mut line.context,
            ) {
                line.hits.push(hit);
            }
        }
        newlines_before += u64::from(block.newlines.count_ones());
        prev = block;
        prev_ends = ends;
        pos += BLOCK;
    }
    line.finish(chunk, tally, dating, &mut stamps);
    if let Some(dating) = dating {
        tally.last_time = stamps
            .last_before(chunk, chunk.len())
            .and_then(|s| dating.clock.resolve_time(s));
    }
    tally.bytes += chunk.len() as u64;
    tally.lines += newlines_before;
}

/// Finds the timestamp that dates a line: its own, or the nearest one above it. It remembers how far
/// up it has looked, so that a chunk is searched at most once however many lines ask.
#[derive(Default)]
struct StampCursor {
    /// Lines before this offset (a line start) have been searched.
    searched_to: usize,
    /// The last timestamp found before `searched_to`.
    last: Option<Stamp>,
}

impl StampCursor {
    /// The stamp of the line `chunk[start..end]` (`end` at its newline or the chunk's end), or of the
    /// nearest line above it in the chunk; `None` if no line of the chunk up to it has one.
    fn date(&mut self, chunk: &[u8], start: usize, end: usize) -> Option<Stamp> {
        let stamp = timestamp::parse(&chunk[start..end]).or_else(|| self.last_before(chunk, start));
        self.last = stamp;
        self.searched_to = (end + 1).min(chunk.len()).max(self.searched_to);
        stamp
    }

    /// The last stamp on the lines before `line_start` (a line start, or the chunk's end).
    fn last_before(&self, chunk: &[u8], line_start: usize) -> Option<Stamp> {
        let mut end = line_start;
        while end > self.searched_to {
            // The line before ends with the newline at end - 1 (or at the chunk's end without one).
            let line_end = if chunk[end - 1] == b'\n' {
                end - 1
            } else {
                end
            };
            let line_start = memrchr(b'\n', &chunk[self.searched_to..line_end])
                .map_or(self.searched_to, |p| self.searched_to + p + 1);
            if let Some(stamp) = timestamp::parse(&chunk[line_start..line_end]) {
                return Some(stamp);
            }
            end = line_start;
        }
        self.last
    }
}

/// The line the scanner is judging candidates on: found once, on its first candidate, and recorded
/// when the scanner moves on, so that a code counts once per line.
#[derive(Default)]
struct CurrentLine {
    /// Zero-based index within the chunk; `None` before the first candidate.
    index: Option<u64>,
    start: usize,
    end: usize,
    context: LineContext,
    hits: Vec<Hit>,
}

impl CurrentLine {
    /// Makes the line with `index`, which holds the byte at `at`, the current one.
    #[inline]
    fn enter(
        &mut self,
        chunk: &[u8],
        index: u64,
        at: usize,
        tally: &mut Tally,
        dating: Option<&Dating>,
        stamps: &mut StampCursor,
    ) {
        if self.index == Some(index) {
            return;
        }
        self.finish(chunk, tally, dating, stamps);
        self.index = Some(index);
        self.start = memrchr(b'\n', &chunk[..at]).map_or(0, |p| p + 1);
        self.end = memchr(b'\n', &chunk[at..]).map_or(chunk.len(), |p| at + p);
        if self.end > self.start && chunk[self.end - 1] == b'\r' {
            self.end -= 1;
        }
        self.context = LineContext::default();
    }

    fn text<'a>(&self, chunk: &'a [u8]) -> &'a [u8] {
        &chunk[self.start..self.end]
    }

    /// Records the current line's codes, if any, dated when `dating` is given.
    fn finish(
        &mut self,
        chunk: &[u8],
        tally: &mut Tally,
        dating: Option<&Dating>,
        stamps: &mut StampCursor,
    ) {
        let Some(index) = self.index else { return };
        if self.hits.is_empty() {
            return;
        }
        dedup_hits(&mut self.hits, 0);
        let text = self.text(chunk);
        match dating {
            None => tally.record(index, text, &self.hits),
            Some(dating) => {
                // `self.end` may stop short of the newline at a '\r'; the cursor wants the newline.
                let end = memchr(b'\n', &chunk[self.end..]).map_or(chunk.len(), |p| self.end + p);
                match stamps.date(chunk, self.start, end) {
                    Some(stamp) => {
                        let time = dating.clock.resolve_time(stamp);
                        if dating.window.keeps(time.map(|t| t.second())) {
                            tally.record_dated(index, text, &self.hits, time);
                        } else {
                            tally.leave_out(&self.hits, time.is_some());
                        }
                    }
                    None => tally.pending.push(PendingLine {
                        line_index: index,
                        text: text.to_vec(),
                        hits: self.hits.clone(),
                    }),
                }
            }
        }
        self.hits.clear();
    }
}

/// The end of the digit run starting at `start` (at least six digits long) if it has the length and
/// first digit of a JMessage code: six digits starting with 7 or 8, or seven starting with 7.
#[inline]
fn code_shaped_run(chunk: &[u8], start: usize) -> Option<usize> {
    let run = &chunk[start..];
    let len = run
        .iter()
        .take(8)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let shaped = match len {
        6 => matches!(run[0], b'7' | b'8'),
        7 => run[0] == b'7',
        _ => false,
    };
    shaped.then_some(start + len)
}

/// Bit masks of a 64-byte block: bit `i` of each tells something about byte `i`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Block {
    /// ASCII digits.
    digits: u64,
    /// Newlines.
    newlines: u64,
    /// `7` and `8`, the digits JMessage codes start with.
    leads: u64,
}

/// The masks of the 64 bytes at `pos`; past the end of `chunk` the bytes count as none of them.
#[inline(always)]
fn block_masks<M: Masks>(chunk: &[u8], pos: usize) -> Block {
    match chunk.get(pos..pos + BLOCK) {
        Some(block) => M::masks(block.try_into().expect("64 bytes")),
        None => {
            let mut padded = [0u8; BLOCK];
            padded[..chunk.len() - pos].copy_from_slice(&chunk[pos..]);
            M::masks(&padded)
        }
    }
}

/// A way of computing the masks of a 64-byte block.
trait Masks {
    fn masks(block: &[u8; BLOCK]) -> Block;
}

/// What every CPU of the target has: SSE2 on x86-64, plain code elsewhere.
struct BaselineMasks;

impl Masks for BaselineMasks {
    #[inline(always)]
    fn masks(block: &[u8; BLOCK]) -> Block {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE2 is part of the x86-64 baseline, so the target always has it.
            unsafe { masks_sse2(block) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            masks_portable(block)
        }
    }
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn masks_portable(block: &[u8; BLOCK]) -> Block {
    let mut masks = Block::default();
    for (i, &b) in block.iter().enumerate() {
        masks.digits |= u64::from(b.is_ascii_digit()) << i;
        masks.newlines |= u64::from(b == b'\n') << i;
        masks.leads |= u64::from(b == b'7' || b == b'8') << i;
    }
    masks
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
unsafe fn masks_sse2(block: &[u8; BLOCK]) -> Block {
    use std::arch::x86_64::*;
    let zero = _mm_set1_epi8(b'0' as i8);
    let seven = _mm_set1_epi8(b'7' as i8);
    let nine = _mm_set1_epi8(9);
    let one = _mm_set1_epi8(1);
    let newline = _mm_set1_epi8(b'\n' as i8);
    let mut masks = Block::default();
    for lane in 0..4 {
        // SAFETY: the block is 64 bytes, so each 16-byte load at lane*16 is in bounds; loadu has no
        // alignment requirement.
        let v = unsafe { _mm_loadu_si128(block.as_ptr().add(lane * 16).cast()) };
        // A byte is in a range when its distance from the start (wrapping) is at most the range's
        // width: min(x, width) == x.
        let off = _mm_sub_epi8(v, zero);
        let is_digit = _mm_cmpeq_epi8(_mm_min_epu8(off, nine), off);
        let lead = _mm_sub_epi8(v, seven);
        let is_lead = _mm_cmpeq_epi8(_mm_min_epu8(lead, one), lead);
        let is_newline = _mm_cmpeq_epi8(v, newline);
        let bits = |m| u64::from(_mm_movemask_epi8(m) as u16) << (lane * 16);
        masks.digits |= bits(is_digit);
        masks.newlines |= bits(is_newline);
        masks.leads |= bits(is_lead);
    }
    masks
}

/// AVX2: only used from [`scan_avx2`], after the CPU was checked.
#[cfg(target_arch = "x86_64")]
struct Avx2Masks;

#[cfg(target_arch = "x86_64")]
impl Masks for Avx2Masks {
    #[inline(always)]
    fn masks(block: &[u8; BLOCK]) -> Block {
        // SAFETY: this impl is only instantiated inside `scan_avx2`, which runs only on CPUs with
        // AVX2.
        unsafe { masks_avx2(block) }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn masks_avx2(block: &[u8; BLOCK]) -> Block {
    use std::arch::x86_64::*;
    let zero = _mm256_set1_epi8(b'0' as i8);
    let seven = _mm256_set1_epi8(b'7' as i8);
    let nine = _mm256_set1_epi8(9);
    let one = _mm256_set1_epi8(1);
    let newline = _mm256_set1_epi8(b'\n' as i8);
    let mut masks = Block::default();
    for half in 0..2 {
        // SAFETY: the block is 64 bytes, so each 32-byte load at half*32 is in bounds; loadu has no
        // alignment requirement.
        let v = unsafe { _mm256_loadu_si256(block.as_ptr().add(half * 32).cast()) };
        let off = _mm256_sub_epi8(v, zero);
        let is_digit = _mm256_cmpeq_epi8(_mm256_min_epu8(off, nine), off);
        let lead = _mm256_sub_epi8(v, seven);
        let is_lead = _mm256_cmpeq_epi8(_mm256_min_epu8(lead, one), lead);
        let is_newline = _mm256_cmpeq_epi8(v, newline);
        let bits = |m| u64::from(_mm256_movemask_epi8(m) as u32) << (half * 32);
        masks.digits |= bits(is_digit);
        masks.newlines |= bits(is_newline);
        masks.leads |= bits(is_lead);
    }
    masks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::extract::Mode;

    /// The slow, obviously right scan: every line through the extractor.
    fn scan_line_by_line(text: &[u8], ex: &Extractor<'_>) -> Tally {
        let mut tally = Tally::default();
        let mut hits = Vec::new();
        for (i, line) in text.split(|&b| b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            hits.clear();
            ex.line_hits(line, &mut hits);
            tally.record(i as u64, line, &hits);
        }
        tally.bytes = text.len() as u64;
        tally.lines = memchr::memchr_iter(b'\n', text).count() as u64;
        tally
    }

    #[test]
    fn portable_and_simd_masks_agree() {
        let mut block = [0u8; BLOCK];
        for seed in 0u32..2000 {
            for (i, b) in block.iter_mut().enumerate() {
                *b = (seed.wrapping_mul(2654435761).wrapping_add(i as u32 * 40503) >> 7) as u8;
            }
            block[(seed as usize) % BLOCK] = b'\n';
            block[(seed as usize * 7) % BLOCK] = b'0' + (seed % 10) as u8;
            let portable = masks_portable(&block);
            assert_eq!(BaselineMasks::masks(&block), portable);
            for (i, &b) in block.iter().enumerate() {
                assert_eq!(portable.leads >> i & 1 == 1, b == b'7' || b == b'8');
            }
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2.
                assert_eq!(unsafe { masks_avx2(&block) }, portable);
            }
        }
    }

    #[test]
    fn finds_codes_across_block_edges_and_counts_lines() {
        let ex = Extractor::new(Catalog::builtin(), Mode::Strict);
        // Put a code at every offset around the 64-byte edges.
        let mut text = Vec::new();
        for pad in 0..140 {
            text.extend(std::iter::repeat_n(b'x', pad));
            text.extend_from_slice(b" code=801004 uid=801003 t=09:09:07.733883\n");
            text.extend_from_slice(b"ordinary 12345 line 2026-11-26 pid 8123\r\n");
        }
        text.extend_from_slice(b"last line errorCode=803008 without newline");
        let mut fast = Tally::default();
        scan_chunk(&text, &ex, &mut fast);
        assert_eq!(fast, scan_line_by_line(&text, &ex));
        assert_eq!(fast.codes[&801004].count, 140);
        assert_eq!(fast.codes[&803008].example.line_index, 280);
        assert!(!fast.codes.contains_key(&801003));
    }

    #[test]
    fn a_code_at_the_end_of_a_line_before_a_line_of_digits() {
        // The newline ends the run, however many digits the next line starts with.
        let ex = Extractor::new(Catalog::builtin(), Mode::Strict);
        for pad in 0..70 {
            let mut text = "x".repeat(pad).into_bytes();
            text.extend_from_slice(b" code=801003\n11-03 08:15:17.936 code=7132006\n20261103\n");
            let mut fast = Tally::default();
            scan_chunk(&text, &ex, &mut fast);
            assert_eq!(fast, scan_line_by_line(&text, &ex), "padding {pad}");
            assert_eq!(fast.code_lines, 2, "padding {pad}");
        }
    }

    #[test]
    fn long_digit_runs_and_other_first_digits_are_skipped() {
        assert_eq!(code_shaped_run(b"1700000000000", 0), None);
        assert_eq!(code_shaped_run(b"123456 ", 0), None);
        assert_eq!(code_shaped_run(b"x801004 ", 1), Some(7));
        assert_eq!(code_shaped_run(b"7132006,", 0), Some(7));
        assert_eq!(code_shaped_run(b"8132006,", 0), None);
    }
}
