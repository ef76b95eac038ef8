//! Reads one input in bounded chunks and scans the chunks in parallel.
//!
//! The calling thread reads: it fills a buffer up to the chunk size, cuts it after its last newline
//! (the partial line moves to the next buffer), and hands the buffer to the thread pool. Buffers come
//! from a fixed pool of `threads + 2`, so at most that many chunks are in memory at once however large
//! the input is; reading waits while every buffer is being scanned. A regular file is instead
//! memory-mapped and its stretches scanned by every core ([`scan_file`]); a file truncated while
//! jmlog reads it ends the read early (with an error that says how far it got) instead of killing
//! the process with SIGBUS: see [`crate::mapped`].
//!
//! Each chunk yields a [`Tally`] tagged with its sequence number; the tallies are appended in order as
//! they arrive, which gives the same result for any chunk size and any number of threads.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use memchr::{memchr, memrchr};
use rayon::ThreadPool;

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::extract::Extractor;
use crate::histogram::Unit;
use crate::input::EndedEarly;
use crate::scan::{Dating, scan_chunk_dated};
use crate::tally::{Event, Tally, Window};
use crate::timestamp::{self, Clock, Stamp, YearRule};

/// The default chunk size: large enough that per-chunk overhead vanishes, small enough that every
/// thread gets work on files of a few megabytes.
pub const DEFAULT_CHUNK_SIZE: usize = 2 << 20;

/// A line longer than this is scanned in pieces of this size rather than held whole, so that memory
/// stays bounded on hostile input. Codes are judged within each piece.
pub const MAX_LINE: usize = 8 << 20;

/// What reading an input gave: the tally of everything read, and the error that stopped the read
/// early, if any.
#[derive(Debug)]
pub struct Scanned {
    pub tally: Tally,
    pub error: Option<io::Error>,
    /// The input looked binary (a NUL byte near its start) and was not scanned.
    pub binary: bool,
    /// Time spent in reads, including decompression.
    pub read_time: Duration,
    /// Time spent scanning chunks, summed over threads.
    pub scan_time: Duration,
}

impl Scanned {
    fn failed(error: io::Error) -> Scanned {
        Scanned::failed_with(Some(error))
    }

    fn failed_with(error: Option<io::Error>) -> Scanned {
        Scanned {
            tally: Tally::default(),
            error,
            binary: false,
            read_time: Duration::ZERO,
            scan_time: Duration::ZERO,
        }
    }
}

/// How much of an input's start is checked for NUL bytes when binary files are skipped.
const BINARY_SNIFF: usize = 8 << 10;

/// How to date the lines of one input.
#[derive(Debug, Clone)]
pub struct TimeOptions {
    /// The zone of timestamps without an offset.
    pub tz: TimeZone,
    /// `--year`: the year of the input's first year-less timestamp.
    pub year: Option<i16>,
    /// The day the input was last written (in `tz`), for year-less timestamps without `--year`.
    pub modified: Date,
    pub window: Window,
    /// `--by`: the histogram's buckets, in `tz`.
    pub buckets: Option<Unit>,
}

impl TimeOptions {
    /// The dating of an input whose first year-less timestamp (when `--year` is given) is on
    /// `first_year_less`, month and day.
    fn dating(&self, first_year_less: Option<(i8, i8)>) -> Dating {
        let years = match self.year {
            Some(year) => YearRule::from_first(year, first_year_less),
            None => YearRule::from_modified(self.modified),
        };
        Dating {
            clock: Clock {
                tz: self.tz.clone(),
                years,
            },
            window: self.window,
            buckets: self.buckets,
        }
    }
}

/// How much of a file's start the parallel reader looks at for the first year-less timestamp
/// before it scans; a file without one there is read by the streaming reader, which finds it
/// wherever it is.
const DATING_HEAD: usize = 1 << 20;

/// The month and day of the first year-less timestamp in `text`, whole lines.
fn first_year_less(text: &[u8]) -> Option<(i8, i8)> {
    text.split(|&b| b == b'\n')
        .find_map(|line| match timestamp::parse(line) {
            Some(Stamp::YearLess { month, day, .. }) => Some((month, day)),
            _ => None,
        })
}

/// The dating of the chunks of one input, in order: with `--year`, chunks are dated by the
/// first year-less timestamp of the input once a chunk has shown it (chunks before it have no
/// year-less timestamps, so their dating does not depend on it).
struct ChunkDating<'a> {
    time: &'a TimeOptions,
    current: Arc<Dating>,
    /// Whether the year rule is settled: no `--year`, or the first year-less timestamp is found.
    settled: bool,
}

impl<'a> ChunkDating<'a> {
    fn new(time: &'a TimeOptions) -> ChunkDating<'a> {
        ChunkDating {
            time,
            current: Arc::new(time.dating(None)),
            settled: time.year.is_none(),
        }
    }

    /// The dating of the next chunk, whose complete lines are `text`.
    fn next(&mut self, text: &[u8]) -> Arc<Dating> {
        if !self.settled {
            if let Some(first) = first_year_less(text) {
                self.current = Arc::new(self.time.dating(Some(first)));
                self.settled = true;
            }
        }
        Arc::clone(&self.current)
    }
}

/// Receives code occurrences in line order, as the scan finds them.
pub type EventSink<'a> = dyn Fn(&[Event]) + Sync + 'a;

/// How to read one input.
pub struct ReadOptions<'a> {
    pub chunk_size: usize,
    /// Date lines with codes (for `--by`, `--since` and `--until`).
    pub time: Option<&'a TimeOptions>,
    /// Skip the input if it starts like a binary file.
    pub skip_binary: bool,
    /// Called after each chunk is read, for progress.
    pub on_chunk: &'a (dyn Fn() + Sync),
    /// Called with every code occurrence, in line order, as soon as the chunks before it are done
    /// (for `--format ndjson`). Line indexes are zero-based within the input.
    pub on_events: Option<&'a EventSink<'a>>,
}

impl Default for ReadOptions<'_> {
    fn default() -> Self {
        ReadOptions {
            chunk_size: DEFAULT_CHUNK_SIZE,
            time: None,
            skip_binary: false,
            on_chunk: &|| {},
            on_events: None,
        }
    }
}

/// Scans everything `reader` yields. Many inputs may be scanned at once from different threads with
/// the same pool.
pub fn scan_reader<R: Read>(
    reader: R,
    extractor: &Arc<Extractor<'static>>,
    pool: &ThreadPool,
    chunk_size: usize,
) -> Scanned {
    scan_input(
        reader,
        extractor,
        pool,
        &ReadOptions {
            chunk_size,
            ..ReadOptions::default()
        },
    )
}

/// [`scan_reader`] with all the options.
pub fn scan_input<R: Read>(
    mut reader: R,
    extractor: &Arc<Extractor<'static>>,
    pool: &ThreadPool,
    options: &ReadOptions<'_>,
) -> Scanned {
    let chunk_size = options.chunk_size.max(1);
    let buffers = pool.current_num_threads() + 2;
    let (free_tx, free_rx) = mpsc::sync_channel::<Buffer>(buffers);
    for _ in 0..buffers {
        free_tx
            .send(Buffer::default())
            .expect("the channel holds every buffer");
    }
    let (done_tx, done_rx) = mpsc::channel::<(usize, Tally, Duration)>();
    let window = options.time.map(|t| t.window).unwrap_or_default();
    let events = options.on_events.is_some();
    let mut merged = InOrder {
        window,
        on_events: options.on_events,
        tally: Tally {
            events: events.then(Vec::new),
            ..Tally::default()
        },
        next: 0,
        early: BTreeMap::new(),
        scan_time: Duration::ZERO,
    };
    let mut dating = options.time.map(ChunkDating::new);
    let mut carry: Vec<u8> = Vec::new();
    let mut error = None;
    let mut binary = false;
    let mut last_byte = None;
    let mut chunks = 0;
    let mut read_time = Duration::ZERO;

    pool.in_place_scope(|scope| {
        loop {
            let mut buf = free_rx.recv().expect("buffers return to the pool");
            while let Ok(done) = done_rx.try_recv() {
                merged.add(done);
            }
            buf.start_with(&carry);
            carry.clear();
            let mut target = chunk_size;
            let started = Instant::now();
            // Fill to the chunk size; a line longer than the chunk grows the buffer up to MAX_LINE.
            let eof = loop {
                let eof = match buf.fill(&mut reader, target) {
                    Ok(eof) => eof,
                    Err(e) => {
                        error = Some(e);
                        true
                    }
                };
                if eof || memrchr(b'\n', buf.text()).is_some() || buf.len >= MAX_LINE {
                    break eof;
                }
                target += chunk_size;
            };
            read_time += started.elapsed();
            (options.on_chunk)();
            let text = buf.text();
            if chunks == 0
                && options.skip_binary
                && memchr(0, &text[..text.len().min(BINARY_SNIFF)]).is_some()
            {
                binary = true;
                break;
            }
            if !eof {
                if let Some(p) = memrchr(b'\n', text) {
                    carry.extend_from_slice(&text[p + 1..]);
                    buf.len = p + 1;
                }
            }
            if let Some(&b) = buf.text().last() {
                last_byte = Some(b);
            }
            if buf.len > 0 {
                let (seq, ex, dating, free, done) = (
                    chunks,
                    Arc::clone(extractor),
                    dating.as_mut().map(|d| d.next(buf.text())),
                    free_tx.clone(),
                    done_tx.clone(),
                );
                chunks += 1;
                scope.spawn(move |_| {
                    let started = Instant::now();
                    let mut tally = Tally {
                        events: events.then(Vec::new),
                        ..Tally::default()
                    };
                    scan_chunk_dated(buf.text(), &ex, dating.as_deref(), &mut tally);
                    // The receivers outlive the scope, so neither send can fail.
                    let _ = done.send((seq, tally, started.elapsed()));
                    let _ = free.send(buf);
                });
            } else {
                let _ = free_tx.send(buf);
            }
            if eof {
                break;
            }
        }
    });
    drop(done_tx);
    for done in done_rx {
        merged.add(done);
    }

    merged.tally.settle(&window);
    merged.emit();
    let mut tally = merged.tally;
    tally.events = None;
    if binary {
        tally = Tally::default();
    } else if last_byte.is_some_and(|b| b != b'\n') {
        tally.lines += 1;
    }
    Scanned {
        tally,
        error,
        binary,
        read_time,
        scan_time: merged.scan_time,
    }
}

/// Scans a regular file by reading its chunks in parallel: each worker scans its own stretch of the
/// file, memory-mapped, so that the bytes are not copied out of the page cache first (that copy cost
/// as much CPU time as the scan). Where the file cannot be mapped, and when it was cut short under
/// the mapping, the stretches are read with positioned reads (`pread`) instead, a piece at a time so
/// that the bytes are still in the core's cache when they are scanned.
///
/// Chunk `i` covers the bytes `[i·C, (i+1)·C)` and owns the lines that *start* there: it reads one
/// byte before its stretch to tell whether a line starts at its first byte, and past its end to the
/// newline that ends its last line. Appended in order, the chunk tallies equal the streaming
/// reader's. A file that ends before `size` (it shrank while it was read) ends the read early with
/// the error [`EndedEarly::Shrank`], keeping what was read. Code events are not produced
/// here: callers that want them use [`scan_input`].
///
/// Returns `None` when a line is longer than [`MAX_LINE`] (such a line is scanned in pieces, which
/// only the streaming reader does), or when `--year` is given and the first year-less timestamp is
/// not in the file's first MiB; the caller should then read the file with
/// [`scan_input`] instead.
#[cfg(unix)]
pub fn scan_file(
    file: &std::fs::File,
    size: u64,
    extractor: &Arc<Extractor<'static>>,
    pool: &ThreadPool,
    options: &ReadOptions<'_>,
) -> Option<Scanned> {
    use rayon::prelude::*;

    let chunk = options.chunk_size.max(1) as u64;
    let mut sniff = Buffer::default();
    let first = sniff.read_at(file, 0, size.min(chunk.max(DATING_HEAD as u64)));
    if let Err(e) = first {
        return Some(Scanned::failed(e));
    }
    let head = sniff.text();
    if options.skip_binary && memchr(0, &head[..head.len().min(BINARY_SNIFF)]).is_some() {
        return Some(Scanned {
            binary: true,
            ..Scanned::failed_with(None)
        });
    }
    let dating = match options.time {
        None => None,
        Some(t) if t.year.is_none() => Some(t.dating(None)),
        Some(t) => {
            // The complete lines of the head.
            let whole = head.len() as u64 >= size;
            let lines = if whole {
                head
            } else {
                memrchr(b'\n', head).map_or(&head[..0], |p| &head[..=p])
            };
            match first_year_less(lines) {
                Some(first) => Some(t.dating(Some(first))),
                // Not in the head: the streaming reader finds it wherever it is.
                None if !whole => return None,
                None => Some(t.dating(None)),
            }
        }
    };
    let window = options.time.map(|t| t.window).unwrap_or_default();
    let chunks = size.div_ceil(chunk);

    let scan_all = |source: Source<'_>| -> Part {
        let parts: Vec<Part> = pool.install(|| {
            (0..chunks)
                .into_par_iter()
                .map(|i| {
                    let part = scan_stretch(source, i * chunk, chunk, extractor, dating.as_ref());
                    (options.on_chunk)();
                    part
                })
                .collect()
        });
        let mut part = Part::default();
        for later in parts {
            part.append(later, &window);
        }
        part
    };
    let mapped = crate::mapped::MappedFile::map(file, size);
    let mut part = match &mapped {
        Some(map) => scan_all(Source::Mapped(map.bytes())),
        None => scan_all(Source::File(file)),
    };
    // A file cut short under its mapping: what was scanned past the cut was not the file's text.
    // Read it again, which stops at the new end and says how far it got.
    if let Some(map) = mapped {
        let shrank = map.faulted() || file.metadata().map_or(true, |m| m.len() < size);
        if shrank {
            part = scan_all(Source::File(file));
        }
    }
    if part.too_long {
        return None;
    }
    let mut tally = part.tally;
    tally.settle(&window);
    if part.last_byte.is_some_and(|b| b != b'\n') {
        tally.lines += 1;
    }
    // The stretches past a new end read nothing: the file was truncated while it was read.
    let error = part.error.or_else(|| {
        (tally.bytes < size).then(|| {
            EndedEarly::Shrank {
                read: tally.bytes,
                size,
            }
            .into_error()
        })
    });
    Some(Scanned {
        tally,
        error,
        binary: false,
        read_time: part.read_time,
        scan_time: part.scan_time,
    })
}

/// What one stretch of a file gave, or several adjacent ones combined.
#[cfg(unix)]
#[derive(Default)]
struct Part {
    tally: Tally,
    error: Option<io::Error>,
    /// The last byte of the lines this stretch owns, if it owns any.
    last_byte: Option<u8>,
    /// A line is longer than [`MAX_LINE`].
    too_long: bool,
    /// The end of the bytes read (for one stretch).
    read_to: u64,
    read_time: Duration,
    scan_time: Duration,
}

#[cfg(unix)]
impl Part {
    /// Adds the part that directly follows this one.
    fn append(&mut self, later: Part, window: &Window) {
        self.tally.append(later.tally, window);
        self.error = self.error.take().or(later.error);
        self.last_byte = later.last_byte.or(self.last_byte);
        self.too_long |= later.too_long;
        self.read_time += later.read_time;
        self.scan_time += later.scan_time;
    }
}

/// How much of a stretch is read at a time: small enough that the piece is still in the core's
/// L2 cache when it is scanned, large enough that a read costs little beyond its copy. Reading a
/// whole 2 MiB stretch before scanning it leaves the scanner reading from memory what the kernel
/// just copied there.
const PIECE: usize = 256 << 10;

/// Where the bytes of a file's stretches come from.
#[cfg(unix)]
#[derive(Clone, Copy)]
enum Source<'a> {
    /// Positioned reads, into a buffer per thread.
    File(&'a std::fs::File),
    /// The file's bytes, mapped (as long as the file was when it was opened).
    Mapped(&'a [u8]),
}

/// Reads and scans the lines that start in `[start, start + len)`, a [`PIECE`] at a time.
#[cfg(unix)]
fn scan_stretch(
    source: Source<'_>,
    start: u64,
    len: u64,
    extractor: &Extractor<'_>,
    dating: Option<&Dating>,
) -> Part {
    let Source::Mapped(map) = source else {
        return scan_stretch_in_pieces(source, start, len, PIECE, extractor, dating);
    };
    let from = (start as usize).min(map.len());
    crate::mapped::prefault(&map[from..(from + len as usize).min(map.len())]);
    let part = scan_stretch_in_pieces(source, start, len, PIECE, extractor, dating);
    // All it read (the byte before the stretch, the stretch, the end of its last line), and the
    // pages around them the kernel maps along with a page that is read (64 KiB by default).
    const AROUND: usize = 64 << 10;
    let read = from.saturating_sub(1 + AROUND)..part.read_to as usize + AROUND;
    crate::mapped::release(map, read);
    part
}

/// [`scan_stretch`], reading `piece` bytes at a time.
#[cfg(unix)]
fn scan_stretch_in_pieces(
    source: Source<'_>,
    start: u64,
    len: u64,
    piece: usize,
    extractor: &Extractor<'_>,
    dating: Option<&Dating>,
) -> Part {
    use std::cell::RefCell;
    thread_local! {
        static BUFFER: RefCell<Buffer> = RefCell::new(Buffer::default());
    }
    BUFFER.with_borrow_mut(|buf| {
        let window = dating.map(|d| d.window).unwrap_or_default();
        let end = start + len;
        let mut part = Part::default();
        // `buf` holds the bytes of the file from `base` that are read and not yet scanned.
        let mut base = start.saturating_sub(1);
        let mut at = base;
        buf.len = 0;
        // Whether `buf` starts at the start of a line the stretch owns. The first byte of the
        // stretch starts one if the byte before it (read too) is a newline.
        let mut owning = start == 0;
        loop {
            let n = match source {
                Source::File(file) => {
                    let began = Instant::now();
                    let read = buf.read_more_at(file, at, piece as u64);
                    part.read_time += began.elapsed();
                    read.unwrap_or_else(|e| {
                        part.error = Some(e);
                        0
                    })
                }
                Source::Mapped(map) => piece.min(map.len().saturating_sub(at as usize)),
            };
            at += n as u64;
            let eof = n == 0;
            let text = match source {
                Source::File(_) => buf.text(),
                Source::Mapped(map) => &map[base as usize..at as usize],
            };
            let mut from = 0;
            if !owning {
                // The bytes up to the first newline end a line that started before the stretch.
                match memchr(b'\n', text) {
                    Some(p) if base + p as u64 + 1 < end => {
                        from = p + 1;
                        owning = true;
                    }
                    // The first line starting here starts past the stretch: it owns none.
                    Some(_) => break,
                    None if eof || at >= end => break,
                    None => {
                        base = at;
                        buf.len = 0;
                        continue;
                    }
                }
            }
            // Scan the whole lines read; the last line owned ends at the first newline at or
            // after the stretch's last byte.
            let last = (end - 1).saturating_sub(base) as usize;
            let (cut, done) = match memchr(b'\n', &text[last.clamp(from, text.len())..]) {
                Some(p) if last < text.len() => (last.max(from) + p + 1, true),
                _ if eof => (text.len(), true),
                _ => (
                    memrchr(b'\n', &text[from..]).map_or(from, |p| from + p + 1),
                    false,
                ),
            };
            if cut > from {
                let began = Instant::now();
                let mut tally = Tally::default();
                scan_chunk_dated(&text[from..cut], extractor, dating, &mut tally);
                part.scan_time += began.elapsed();
                part.tally.append(tally, &window);
                part.last_byte = Some(text[cut - 1]);
            } else if text.len() - from >= MAX_LINE {
                part.too_long = true;
                break;
            }
            if done {
                part.read_to = base + cut as u64;
                break;
            }
            // Keep the unfinished line for the next piece.
            if let Source::File(_) = source {
                buf.data.copy_within(cut..buf.len, 0);
                buf.len -= cut;
            }
            base += cut as u64;
        }
        if part.read_to == 0 {
            part.read_to = at;
        }
        part
    })
}

/// A reusable chunk buffer. `data` stays initialised to its full length, so refilling it costs no
/// zeroing; the first `len` bytes hold the chunk.
#[derive(Default)]
struct Buffer {
    data: Vec<u8>,
    len: usize,
}

impl Buffer {
    fn text(&self) -> &[u8] {
        &self.data[..self.len]
    }

    /// Starts a new chunk with `head` (the partial line the previous chunk ended with).
    fn start_with(&mut self, head: &[u8]) {
        if self.data.len() < head.len() {
            self.data.resize(head.len(), 0);
        }
        self.data[..head.len()].copy_from_slice(head);
        self.len = head.len();
    }

    /// Replaces the contents with up to `len` bytes of `file` from `offset` (fewer at its end).
    #[cfg(unix)]
    fn read_at(&mut self, file: &std::fs::File, offset: u64, len: u64) -> io::Result<()> {
        self.len = 0;
        self.read_more_at(file, offset, len).map(|_| ())
    }

    /// Appends up to `len` bytes of `file` from `offset`; returns how many were read.
    #[cfg(unix)]
    fn read_more_at(&mut self, file: &std::fs::File, offset: u64, len: u64) -> io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let target = self.len + len as usize;
        if self.data.len() < target {
            self.data.resize(target, 0);
        }
        let before = self.len;
        while self.len < target {
            let at = offset + (self.len - before) as u64;
            match file.read_at(&mut self.data[self.len..target], at) {
                Ok(0) => break,
                Ok(n) => self.len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.len - before)
    }

    /// Reads until the buffer holds `target` bytes or the input ends; `true` at the end.
    fn fill(&mut self, reader: &mut impl Read, target: usize) -> io::Result<bool> {
        if self.data.len() < target {
            self.data.resize(target, 0);
        }
        while self.len < target {
            match reader.read(&mut self.data[self.len..target]) {
                Ok(0) => return Ok(true),
                Ok(n) => self.len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(false)
    }
}

/// Appends chunk tallies in chunk order as they arrive, holding back those that come early; so only
/// the chunks in flight are ever held apart.
struct InOrder<'a> {
    tally: Tally,
    next: usize,
    early: BTreeMap<usize, Tally>,
    scan_time: Duration,
    window: Window,
    on_events: Option<&'a EventSink<'a>>,
}

impl InOrder<'_> {
    fn add(&mut self, (seq, tally, took): (usize, Tally, Duration)) {
        self.scan_time += took;
        self.early.insert(seq, tally);
        while let Some(t) = self.early.remove(&self.next) {
            self.tally.append(t, &self.window);
            // The tally starts at the input's start, so its pending lines have no time to wait for.
            self.tally.settle(&self.window);
            self.next += 1;
        }
        self.emit();
    }

    /// Hands the events gathered so far to the caller.
    fn emit(&mut self) {
        if let (Some(sink), Some(events)) = (self.on_events, &mut self.tally.events) {
            if !events.is_empty() {
                sink(events);
                events.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::extract::Mode;

    fn pool(threads: usize) -> ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    #[test]
    fn read_errors_keep_what_was_read() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk on fire"));
                }
                self.0 -= 1;
                let line = b"E/App: login failed code=801004\n";
                buf[..line.len()].copy_from_slice(line);
                Ok(line.len())
            }
        }
        let ex = Arc::new(Extractor::new(Catalog::builtin(), Mode::Strict));
        let got = scan_reader(Failing(3), &ex, &pool(2), 64);
        assert_eq!(got.tally.codes[&801004].count, 3);
        assert_eq!(got.tally.lines, 3);
        assert_eq!(got.error.unwrap().to_string(), "disk on fire");
    }

    /// A stretch read in pieces of any size gives what the streaming reader gives for the same
    /// lines: the stretches of a file, appended in order, equal the whole file streamed.
    #[cfg(unix)]
    #[test]
    fn stretches_read_in_pieces_give_the_streamed_counts() {
        let ex = Arc::new(Extractor::new(Catalog::builtin(), Mode::Strict));
        let mut text = b"\n\ncode=801004\n".to_vec();
        crate::synth::write_logs(&mut text, 300 << 10, 9).unwrap();
        // A line longer than most pieces and stretches, with a code at its end.
        text.extend(std::iter::repeat_n(b'x', 5000));
        text.extend_from_slice(b" errorCode=803008\n\n");
        crate::synth::write_logs(&mut text, 100 << 10, 10).unwrap();
        text.extend_from_slice(b"last line: failed code=801004");
        // Removed when dropped, also when an assertion fails.
        let mut temp = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut temp, &text).unwrap();
        let file = std::fs::File::open(temp.path()).unwrap();
        let streamed = scan_reader(&text[..], &ex, &pool(1), 1 << 20);
        let dating = Dating {
            clock: Clock {
                tz: TimeZone::UTC,
                years: YearRule::from_modified(jiff::civil::date(2026, 12, 1)),
            },
            window: Window::default(),
            buckets: None,
        };
        let dated_options = TimeOptions {
            tz: TimeZone::UTC,
            year: None,
            modified: jiff::civil::date(2026, 12, 1),
            window: Window::default(),
            buckets: None,
        };
        let streamed_dated = scan_input(
            &text[..],
            &ex,
            &pool(1),
            &ReadOptions {
                time: Some(&dated_options),
                ..ReadOptions::default()
            },
        );
        let size = text.len() as u64;
        let mapped = crate::mapped::MappedFile::map(&file, size).unwrap();
        let sources = [Source::File(&file), Source::Mapped(mapped.bytes())];
        for (stretch, piece, source) in [
            (size, 1),
            (size, 977),
            (4096, 100),
            (100_000, 4096),
            (1, 64),
            (70_000, PIECE),
            (size, PIECE),
        ]
        .into_iter()
        .flat_map(|(stretch, piece)| sources.map(|source| (stretch, piece, source)))
        {
            for dated in [false, true] {
                let dating = dated.then_some(&dating);
                let mut whole = Part::default();
                for i in 0..size.div_ceil(stretch) {
                    let part =
                        scan_stretch_in_pieces(source, i * stretch, stretch, piece, &ex, dating);
                    whole.append(part, &Window::default());
                }
                assert!(whole.error.is_none() && !whole.too_long);
                let mut tally = whole.tally;
                tally.settle(&Window::default());
                if whole.last_byte.is_some_and(|b| b != b'\n') {
                    tally.lines += 1;
                }
                let want = if dated {
                    &streamed_dated.tally
                } else {
                    &streamed.tally
                };
                assert_eq!(
                    &tally,
                    want,
                    "stretch {stretch}, piece {piece}, dated {dated}, mapped {}",
                    matches!(source, Source::Mapped(_))
                );
            }
        }
        assert!(
            streamed.tally.code_lines > 20,
            "{}",
            streamed.tally.code_lines
        );
    }

    #[test]
    fn lines_longer_than_the_chunk_are_kept_whole() {
        let ex = Arc::new(Extractor::new(Catalog::builtin(), Mode::Strict));
        let mut text = "x".repeat(300);
        text.push_str(" errorCode=803008\nshort\nlast code=801004");
        let got = scan_reader(text.as_bytes(), &ex, &pool(1), 16);
        assert!(got.error.is_none());
        assert_eq!(got.tally.lines, 3);
        assert_eq!(got.tally.codes[&803008].count, 1);
        assert_eq!(got.tally.codes[&801004].example.line_index, 2);
    }
}
