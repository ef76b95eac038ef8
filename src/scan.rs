//! The hot loop: finds the few lines of a chunk that may hold a code and hands them to the extractor.
//!
//! Nearly every log line is full of digits, but almost none holds a run of six or seven digits that
//! starts with 7 or 8. The scanner walks the chunk 64 bytes at a time and turns each block into two
//! bit masks, one bit per byte: which bytes are ASCII digits and which are newlines. A run of six
//! digits ending at byte `i` is then `d & d<<1 & … & d<<5` (with the previous block's bits carried in),
//! so a block without such a run costs a handful of instructions. Only a run of the right length and
//! first digit that stands alone (rule 1 of the extractor, which needs only the bytes around the run)
//! and that the bytes next to it do not already rule out (a path segment, a unit, an id key:
//! [`Extractor::nearby`], which disposes of most candidates in logs dense with numbers)
//! makes the scanner find the line around it (with memrchr and memchr, once per line) and ask the
//! [`Extractor`] to judge it there. Newlines are counted from a mask of each block, so line numbers
//! cost no second pass.
//!
//! The masks are computed with the widest vector instructions the CPU has, checked at run time
//! ([`Isa`]): AVX-512 (one 64-byte compare per mask, straight into a mask register), AVX2, SSE2 on
//! other x86-64 CPUs, and plain code elsewhere. Tests run every path the CPU has against the plain
//! one on random and adversarial input.
//!
//! Why by hand: the crate this would otherwise be is `memchr` (`memchr3_iter` over `7`, `8` and the
//! newline, then a look at the bytes around each hit). But one byte in ten of a log is a 7 or an 8,
//! so that stops every few bytes; the masks instead rule out a whole block at once, and no crate
//! classifies a block of bytes into bit masks of byte classes.

use memchr::{memchr, memrchr};

use crate::extract::{Extractor, Hit, LineContext, candidate, dedup_hits};
use crate::histogram::Unit;
use crate::tally::{PendingLine, Tally, Window};
use crate::timestamp::{self, Clock, Stamp};

const BLOCK: usize = 64;

/// How far ahead of the block being scanned its bytes are fetched into the cache.
const PREFETCH: usize = 2048;

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
    /// The histogram's buckets (`--by`), in the clock's zone: lines are counted at one minute
    /// of their bucket.
    pub buckets: Option<Unit>,
}

/// The bucket minutes of the last few buckets the lines of a chunk fell in (see
/// [`crate::histogram::bucket_minutes`]), the last used first: working them out takes calendar
/// arithmetic in the zone, and a log's lines stay in a bucket for hours, or go back and forth
/// between a few (a log with timestamps in several zones, written around the hour).
#[derive(Default)]
struct BucketCache {
    recent: [Option<(i64, i64, i64)>; 4],
}

impl BucketCache {
    /// The minute to count a line of `minute` at.
    fn minute(&mut self, dating: &Dating, minute: i64) -> i64 {
        let Some(unit) = dating.buckets else {
            return minute;
        };
        if let Some(i) = self
            .recent
            .iter()
            .position(|b| b.is_some_and(|(first, end, _)| (first..end).contains(&minute)))
        {
            self.recent[..=i].rotate_right(1);
        } else {
            let Some(bucket) = crate::histogram::bucket_minutes(unit, &dating.clock.tz, minute)
            else {
                return minute;
            };
            self.recent.rotate_right(1);
            self.recent[0] = Some(bucket);
        }
        self.recent[0].map_or(minute, |(_, _, at)| at)
    }
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
    scan_chunk_with(Isa::best(), chunk, extractor, dating, tally);
}

/// A set of instructions the block masks can be computed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// Plain Rust, one byte at a time: every CPU.
    Portable,
    /// 16-byte compares: every x86-64 CPU.
    Sse2,
    /// 32-byte compares, with POPCNT and BMI1.
    Avx2,
    /// 64-byte compares into mask registers (AVX-512 F and BW), with POPCNT and BMI1; only in
    /// builds by Rust 1.89 or newer.
    Avx512,
}

impl Isa {
    /// Every instruction set, narrowest first.
    pub const ALL: [Isa; 4] = [Isa::Portable, Isa::Sse2, Isa::Avx2, Isa::Avx512];

    /// The name benchmarks and messages use.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Portable => "portable",
            Isa::Sse2 => "sse2",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }

    /// Whether this CPU runs it.
    pub fn is_available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            let avx2 = || has!("avx2") && has!("popcnt") && has!("bmi1");
            match self {
                Isa::Portable | Isa::Sse2 => true,
                Isa::Avx2 => avx2(),
                // Compiled only by a Rust with the AVX-512 intrinsics (see the build script).
                Isa::Avx512 => cfg!(jmlog_avx512) && avx2() && has!("avx512f") && has!("avx512bw"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == Isa::Portable
        }
    }

    /// The instruction sets this CPU runs, narrowest first.
    pub fn available() -> Vec<Isa> {
        Isa::ALL
            .into_iter()
            .filter(|isa| isa.is_available())
            .collect()
    }

    /// The widest instruction set this CPU runs (detected once; later calls are one atomic load).
    pub fn best() -> Isa {
        use std::sync::atomic::{AtomicU8, Ordering};
        static BEST: AtomicU8 = AtomicU8::new(u8::MAX);
        match BEST.load(Ordering::Relaxed) {
            i if usize::from(i) < Isa::ALL.len() => Isa::ALL[usize::from(i)],
            _ => {
                let best = *Isa::available().last().expect("portable always runs");
                let index = Isa::ALL.iter().position(|&isa| isa == best);
                BEST.store(index.expect("in ALL") as u8, Ordering::Relaxed);
                best
            }
        }
    }
}

/// [`scan_chunk_dated`] with the masks computed with `isa`, for tests and benchmarks.
///
/// # Panics
///
/// If the CPU does not run `isa`.
pub fn scan_chunk_with(
    isa: Isa,
    chunk: &[u8],
    extractor: &Extractor<'_>,
    dating: Option<&Dating>,
    tally: &mut Tally,
) {
    scan_marking(isa, chunk, extractor, dating, tally, None);
}

/// The lines of a chunk that hold codes, and their codes: what `annotate` needs to write them
/// annotated and copy the other lines as they are.
#[derive(Debug, Clone, Default)]
pub struct CodeLines {
    /// For each line with codes, in order: the offset of its start in the chunk, and the end of
    /// its codes in `hits` (they start where the previous line's codes end).
    pub lines: Vec<(usize, usize)>,
    /// The codes of each line, each once, in ascending order of code.
    pub hits: Vec<Hit>,
}

/// [`scan_chunk`], also adding to `lines` the lines with codes, in order.
pub fn scan_chunk_marking(
    chunk: &[u8],
    extractor: &Extractor<'_>,
    tally: &mut Tally,
    lines: &mut CodeLines,
) {
    scan_marking(Isa::best(), chunk, extractor, None, tally, Some(lines));
}

fn scan_marking(
    isa: Isa,
    chunk: &[u8],
    extractor: &Extractor<'_>,
    dating: Option<&Dating>,
    tally: &mut Tally,
    marks: Option<&mut CodeLines>,
) {
    assert!(isa.is_available(), "this CPU does not run {}", isa.name());
    match isa {
        Isa::Portable => scan_blocks::<PortableMasks>(chunk, extractor, dating, tally, marks),
        #[cfg(target_arch = "x86_64")]
        Isa::Sse2 => scan_blocks::<Sse2Masks>(chunk, extractor, dating, tally, marks),
        // SAFETY: the CPU has AVX2, POPCNT and BMI1, as asserted above.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { scan_avx2(chunk, extractor, dating, tally, marks) },
        // SAFETY: the CPU has AVX-512 F and BW, POPCNT and BMI1, as asserted above.
        #[cfg(all(target_arch = "x86_64", jmlog_avx512))]
        Isa::Avx512 => unsafe { scan_avx512(chunk, extractor, dating, tally, marks) },
        #[allow(unreachable_patterns)]
        _ => unreachable!("is_available says no"),
    }
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
    marks: Option<&mut CodeLines>,
) {
    scan_blocks::<Avx2Masks>(chunk, extractor, dating, tally, marks);
}

/// [`scan_blocks`] compiled for AVX-512, where each mask is one 64-byte compare that lands in a
/// mask register, with no shuffling of partial masks together.
#[cfg(all(target_arch = "x86_64", jmlog_avx512))]
#[target_feature(enable = "avx512f,avx512bw,avx2,popcnt,bmi1")]
unsafe fn scan_avx512(
    chunk: &[u8],
    extractor: &Extractor<'_>,
    dating: Option<&Dating>,
    tally: &mut Tally,
    marks: Option<&mut CodeLines>,
) {
    scan_blocks::<Avx512Masks>(chunk, extractor, dating, tally, marks);
}

/// The block loop, for one way of computing the masks. Inlined into each caller so that it is
/// compiled with that caller's target features.
#[inline(always)]
fn scan_blocks<M: Masks>(
    chunk: &[u8],
    extractor: &Extractor<'_>,
    dating: Option<&Dating>,
    tally: &mut Tally,
    marks: Option<&mut CodeLines>,
) {
    let mut line = CurrentLine {
        marks,
        ..CurrentLine::default()
    };
    let mut stamps = StampCursor::default();
    let mut pos = 0;
    // Newlines in chunk[..pos].
    let mut newlines_before = 0u64;
    // What runs crossing into the block bring from the block before: the top bits of its masks,
    // ready to be or-ed into this block's masks shifted up (see `Carry`).
    let mut carry = Carry::default();

    while pos < chunk.len() {
        // A mapped file's pages come straight from memory, and the hardware prefetcher stops at
        // each page's end: ask for the bytes a few blocks ahead while this one is worked on.
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch is only a hint: it never faults, whatever the address.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(chunk.as_ptr().wrapping_add(pos + PREFETCH).cast());
        }
        let block = block_masks::<M>(chunk, pos);
        let digits = block.digits;
        // Bit i of `two`, `six`: the 2, 6 bytes ending at byte i are digits.
        let two = digits & ((digits << 1) | carry.digits_1);
        let six = two & ((two << 2) | carry.two_2) & ((two << 4) | carry.two_4);
        // Bit i: a run's sixth digit, where six digits end for the first time.
        let mut sixth = six & !((six << 1) | carry.six_1);
        // Cheap cuts before looking at bytes: the run must not go on to an eighth digit (runs of
        // eight or more are timestamps and ids; at the block's last two bytes this is not known
        // yet), and it must start with 7 or 8.
        sixth &= !((digits >> 1) & (digits >> 2)) | (0b11 << 62);
        sixth &= (block.leads << 5) | carry.leads_5;
        carry = Carry {
            digits_1: digits >> 63,
            two_2: two >> 62,
            two_4: two >> 60,
            six_1: six >> 63,
            leads_5: block.leads >> 59,
        };
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
            let Some(nearby) = extractor.nearby(chunk, start, end, code) else {
                continue;
            };
            // The newlines before the run's sixth digit (none among its digits).
            let above = block.newlines & ((1u64 << i) - 1);
            let index = newlines_before + u64::from(above.count_ones());
            line.enter(chunk, index, start, tally, dating, &mut stamps);
            if let Some(hit) = extractor.judge_nearby(
                line.text(chunk),
                start - line.start,
                code,
                nearby,
                &mut line.context,
            ) {
                line.hits.push(hit);
            }
        }
        newlines_before += u64::from(block.newlines.count_ones());
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
    /// The buckets of the lines dated so far.
    buckets: BucketCache,
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
struct CurrentLine<'m> {
    /// Zero-based index within the chunk; `None` before the first candidate.
    index: Option<u64>,
    start: usize,
    end: usize,
    context: LineContext,
    hits: Vec<Hit>,
    /// Where the lines with codes go, when the caller wants them.
    marks: Option<&'m mut CodeLines>,
}

impl CurrentLine<'_> {
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
        // Found here, for the few lines that get this far, rather than tracked through every block.
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
        if let Some(marks) = &mut self.marks {
            marks.hits.extend_from_slice(&self.hits);
            marks.lines.push((self.start, marks.hits.len()));
        }
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
                            let minute = time
                                .map(|t| stamps.buckets.minute(dating, t.second().div_euclid(60)));
                            tally.record_in_minute(index, text, &self.hits, time, minute);
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

/// The top bits of the previous block's masks, each shifted down to where it lands when this
/// block's mask is shifted up by the number in its name: `digits_1` is the previous block's digits
/// `>> 63`, to be or-ed into this block's `digits << 1`.
///
/// Kept from one block to the next rather than computed from the previous block's masks where they
/// are needed: then the compiler makes no double shifts (`shld`) of them, which take several
/// micro-operations on AMD's CPUs, against one for each of the plain shifts here.
#[derive(Default)]
struct Carry {
    digits_1: u64,
    two_2: u64,
    two_4: u64,
    six_1: u64,
    leads_5: u64,
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

/// Plain code, one byte at a time: every CPU.
struct PortableMasks;

impl Masks for PortableMasks {
    #[inline(always)]
    fn masks(block: &[u8; BLOCK]) -> Block {
        masks_portable(block)
    }
}

fn masks_portable(block: &[u8; BLOCK]) -> Block {
    let mut masks = Block::default();
    for (i, &b) in block.iter().enumerate() {
        masks.digits |= u64::from(b.is_ascii_digit()) << i;
        masks.newlines |= u64::from(b == b'\n') << i;
        masks.leads |= u64::from(b == b'7' || b == b'8') << i;
    }
    masks
}

/// SSE2, part of the x86-64 baseline.
#[cfg(target_arch = "x86_64")]
struct Sse2Masks;

#[cfg(target_arch = "x86_64")]
impl Masks for Sse2Masks {
    #[inline(always)]
    fn masks(block: &[u8; BLOCK]) -> Block {
        // SAFETY: SSE2 is part of the x86-64 baseline, so the target always has it.
        unsafe { masks_sse2(block) }
    }
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

/// AVX-512: only used from [`scan_avx512`], after the CPU was checked.
#[cfg(all(target_arch = "x86_64", jmlog_avx512))]
struct Avx512Masks;

#[cfg(all(target_arch = "x86_64", jmlog_avx512))]
impl Masks for Avx512Masks {
    #[inline(always)]
    fn masks(block: &[u8; BLOCK]) -> Block {
        // SAFETY: this impl is only instantiated inside `scan_avx512`, which runs only on CPUs with
        // AVX-512 F and BW.
        unsafe { masks_avx512(block) }
    }
}

// The build script sets `jmlog_avx512` only for a Rust that has these intrinsics (1.89 or newer),
// so the older `rust-version` does not apply here.
#[cfg(all(target_arch = "x86_64", jmlog_avx512))]
#[allow(clippy::incompatible_msrv)]
#[target_feature(enable = "avx512f,avx512bw")]
#[inline]
unsafe fn masks_avx512(block: &[u8; BLOCK]) -> Block {
    use std::arch::x86_64::*;
    // SAFETY: the block is 64 bytes; loadu has no alignment requirement.
    let v = unsafe { _mm512_loadu_si512(block.as_ptr().cast()) };
    // Unsigned compares of the distance from the start of a range: wrapping makes bytes below the
    // start large, so one compare tests both ends.
    let in_range = |from: u8, width: u8| {
        _mm512_cmple_epu8_mask(
            _mm512_sub_epi8(v, _mm512_set1_epi8(from as i8)),
            _mm512_set1_epi8(width as i8),
        )
    };
    Block {
        digits: in_range(b'0', 9),
        newlines: _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\n' as i8)),
        leads: in_range(b'7', 1),
    }
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

    /// The masks of `block` computed with `isa`, which the CPU must run.
    fn masks_with(isa: Isa, block: &[u8; BLOCK]) -> Block {
        assert!(isa.is_available());
        match isa {
            Isa::Portable => masks_portable(block),
            // SAFETY (all three): the CPU runs `isa`, as asserted above.
            #[cfg(target_arch = "x86_64")]
            Isa::Sse2 => unsafe { masks_sse2(block) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => unsafe { masks_avx2(block) },
            #[cfg(all(target_arch = "x86_64", jmlog_avx512))]
            Isa::Avx512 => unsafe { masks_avx512(block) },
            #[allow(unreachable_patterns)]
            _ => unreachable!("is_available says no"),
        }
    }

    #[test]
    fn every_instruction_set_computes_the_portable_masks() {
        let mut block = [0u8; BLOCK];
        for seed in 0u32..2000 {
            for (i, b) in block.iter_mut().enumerate() {
                *b = (seed.wrapping_mul(2654435761).wrapping_add(i as u32 * 40503) >> 7) as u8;
            }
            block[(seed as usize) % BLOCK] = b'\n';
            block[(seed as usize * 7) % BLOCK] = b'0' + (seed % 10) as u8;
            let portable = masks_portable(&block);
            for (i, &b) in block.iter().enumerate() {
                assert_eq!(portable.digits >> i & 1 == 1, b.is_ascii_digit());
                assert_eq!(portable.newlines >> i & 1 == 1, b == b'\n');
                assert_eq!(portable.leads >> i & 1 == 1, b == b'7' || b == b'8');
            }
            for isa in Isa::available() {
                assert_eq!(masks_with(isa, &block), portable, "{}", isa.name());
            }
        }
        // Every byte value, at every position: the range ends (`/`, `0`, `9`, `:`, `6`, `7`, `8`,
        // `9`) and the bytes whose distance wraps (above 0x80) are where a compare goes wrong.
        for byte in 0..=255u8 {
            for at in 0..BLOCK {
                let mut block = [b'x'; BLOCK];
                block[at] = byte;
                let portable = masks_portable(&block);
                for isa in Isa::available() {
                    assert_eq!(masks_with(isa, &block), portable, "{} {byte}", isa.name());
                }
            }
        }
    }

    #[test]
    fn this_machine_runs_the_best_path_it_has() {
        let available = Isa::available();
        assert_eq!(available[0], Isa::Portable);
        assert_eq!(Isa::best(), *available.last().unwrap());
        #[cfg(target_arch = "x86_64")]
        assert!(available.contains(&Isa::Sse2));
    }

    /// The tally of `text` scanned with `isa`, dated.
    fn scanned_with(isa: Isa, text: &[u8], ex: &Extractor<'_>, dating: Option<&Dating>) -> Tally {
        let mut tally = Tally::default();
        scan_chunk_with(isa, text, ex, dating, &mut tally);
        tally
    }

    fn utc_dating() -> Dating {
        Dating {
            clock: Clock {
                tz: jiff::tz::TimeZone::UTC,
                years: timestamp::YearRule::from_modified(jiff::civil::date(2026, 12, 1)),
            },
            window: Window::default(),
            buckets: None,
        }
    }

    /// Counting lines at their bucket's minute while scanning gives the histogram their own minutes
    /// give, also when the lines go back and forth between buckets: between three (remembered)
    /// and between five (more than are remembered), in logs with timestamps in several zones.
    #[test]
    fn lines_counted_at_their_buckets_give_the_histogram_of_their_minutes() {
        let ex = Extractor::new(Catalog::builtin(), Mode::Strict);
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        for zones in [
            &["Z", "+08:00", "-05:00"][..],
            &["Z", "+08:00", "-05:00", "+05:45", "+01:00"],
        ] {
            let mut text = String::new();
            for minute in 0..600 {
                let zone = zones[minute % zones.len()];
                let (h, m) = (minute / 60 % 24, minute % 60);
                text.push_str(&format!(
                    "2026-11-26T{h:02}:{m:02}:07.123{zone} E/JMessage: login failed, code=80100{}\n",
                    3 + minute % 2
                ));
            }
            for unit in [Unit::Hour, Unit::Day] {
                let timeline = |buckets| {
                    let dating = Dating {
                        clock: Clock {
                            tz: tz.clone(),
                            ..utc_dating().clock
                        },
                        buckets,
                        ..utc_dating()
                    };
                    let tally = scanned_with(Isa::best(), text.as_bytes(), &ex, Some(&dating));
                    assert_eq!(tally.code_lines, 600);
                    tally
                        .timeline
                        .into_iter()
                        .collect::<std::collections::BTreeMap<_, _>>()
                };
                let (own, bucketed) = (timeline(None), timeline(Some(unit)));
                assert!(
                    bucketed.len() < own.len() / 10,
                    "{unit:?}: {}",
                    bucketed.len()
                );
                let histogram = |timeline| {
                    let name = "Asia/Shanghai";
                    crate::histogram::build(timeline, 0, unit, &tz, name, Catalog::builtin())
                        .unwrap()
                };
                assert_eq!(histogram(&bucketed), histogram(&own), "{zones:?} {unit:?}");
            }
        }
    }

    /// Pieces log text is made of, chosen so that random concatenations put code-shaped runs,
    /// near misses and line ends at every offset around the 64-byte block edges.
    const PIECES: &[&[u8]] = &[
        b"code=801004",
        b"errorCode:803008",
        b" failed ",
        b"7132006",
        b"8132006",
        b"801003",
        b"8010041",
        b"80100",
        b"uid=801003",
        b"0x801004",
        b"#801004",
        b"1.801004",
        b"\n",
        b"\r\n",
        b"11-03 08:15:17.936  7606  7702 W JIGUANG: ",
        b"2026-11-26T05:11:31.123Z ",
        b"\xff\xfe",
        b"\x00",
        b"9",
        b"7",
        b" ",
        b"x",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        #[test]
        fn every_instruction_set_scans_like_the_portable_path_on_random_bytes(
            text in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
        ) {
            let ex = Extractor::new(Catalog::builtin(), Mode::Strict);
            let portable = scanned_with(Isa::Portable, &text, &ex, None);
            for isa in Isa::available() {
                proptest::prop_assert_eq!(&scanned_with(isa, &text, &ex, None), &portable);
            }
        }

        #[test]
        fn every_instruction_set_scans_like_the_portable_path_on_log_pieces(
            pieces in proptest::collection::vec(0..PIECES.len(), 0..200),
            loose in proptest::prelude::any::<bool>(),
        ) {
            let text: Vec<u8> = pieces.iter().flat_map(|&i| PIECES[i].iter().copied()).collect();
            let mode = if loose { Mode::Loose } else { Mode::Strict };
            let ex = Extractor::new(Catalog::builtin(), mode);
            let dating = utc_dating();
            let portable = scanned_with(Isa::Portable, &text, &ex, None);
            let dated = scanned_with(Isa::Portable, &text, &ex, Some(&dating));
            for isa in Isa::available() {
                proptest::prop_assert_eq!(&scanned_with(isa, &text, &ex, None), &portable);
                proptest::prop_assert_eq!(&scanned_with(isa, &text, &ex, Some(&dating)), &dated);
            }
        }
    }

    #[test]
    fn every_instruction_set_scans_the_sample_logs_alike() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
        let ex = Extractor::new(Catalog::builtin(), Mode::Strict);
        let dating = utc_dating();
        let mut files = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read(entry.unwrap().path()).unwrap();
            // Each file, and each file shifted by one to 63 bytes so that its codes fall at every
            // offset of a block.
            for shift in [0, 1, 5, 31, 63] {
                let mut shifted = vec![b'\n'; shift];
                shifted.extend_from_slice(&text);
                let portable = scanned_with(Isa::Portable, &shifted, &ex, Some(&dating));
                assert_eq!(
                    scanned_with(Isa::Portable, &shifted, &ex, None),
                    scan_line_by_line(&shifted, &ex)
                );
                for isa in Isa::available() {
                    let got = scanned_with(isa, &shifted, &ex, Some(&dating));
                    assert_eq!(got, portable, "{}", isa.name());
                }
            }
            files += 1;
        }
        assert!(files >= 7, "{files} sample logs");
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
