//! `jmlog analyze`: finds the inputs, scans them, and builds the report.
//!
//! Inputs are read by up to `threads` reader threads at once (so several compressed files decompress
//! in parallel), each cutting its input into chunks that the shared thread pool scans. The report
//! lists the inputs in the order they were given or found, whatever order they finish in.

use std::io;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use rayon::ThreadPool;

use crate::archive::{self, Container, Unpacker};
use crate::catalog::Catalog;
use crate::extract::{Extractor, Mode};
use crate::histogram::Unit;
use crate::input::{self, Discovered, Encoding, EndedEarly, FileFilter, Input};
#[cfg(unix)]
use crate::pipeline::scan_file;
use crate::pipeline::{EventSink, ReadOptions, Scanned, TimeOptions, scan_input};
use crate::render::numbers::plural;
use crate::report::{BuildOptions, Report, ReportBuilder, ScannedInput};
use crate::tally::{Event, Window};
use crate::utf16::TextEncoding;

/// Receives the code occurrences of the input named first, in line order, as the scan finds them.
pub type InputEventSink<'a> = dyn Fn(&str, &[Event]) + Sync + 'a;

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanSettings {
    pub mode: Mode,
    pub threads: usize,
    pub chunk_size: usize,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Date lines with codes: for `--by`, `--since` and `--until`.
    pub time: Option<TimeSettings>,
    /// What to take standard input for: a file streamed in from elsewhere.
    pub stdin: StdinAs,
    /// `--hidden`: also read hidden members of archives.
    pub hidden: bool,
}

/// Standard input taken for a file read elsewhere: `--stdin-name`, `--stdin-modified`,
/// `--stdin-skip-binary`.
#[derive(Debug, Clone, Default)]
pub struct StdinAs {
    /// The name reports use instead of `<stdin>`.
    pub name: Option<String>,
    /// When the file was last written, for year-less timestamps (instead of now).
    pub modified: Option<Timestamp>,
    /// Skip it if it looks binary, as a file found in a directory.
    pub skip_binary: bool,
}

impl ScanSettings {
    /// The name reports give an input.
    fn name_of(&self, input: &Input) -> String {
        match (input, &self.stdin.name) {
            (Input::Stdin, Some(name)) => name.clone(),
            _ => input.name(),
        }
    }
}

/// How lines are dated and counted over time.
#[derive(Debug, Clone)]
pub struct TimeSettings {
    /// The zone for timestamps without an offset, and for the histogram's buckets.
    pub tz: TimeZone,
    /// How the zone is named in reports.
    pub tz_name: String,
    /// `--by`: the histogram's bucket width.
    pub by: Option<Unit>,
    /// `--year`: the year of year-less timestamps.
    pub year: Option<i16>,
    pub window: Window,
}

/// What an analysis gives besides the report: how long it took, and where.
#[derive(Debug, Clone, Default)]
pub struct RunStats {
    pub wall: Duration,
    pub read_time: Duration,
    pub scan_time: Duration,
    pub threads: usize,
    /// Hidden members of archives left out (`--hidden` reads them).
    pub hidden_members: u64,
}

/// Scans the inputs. An input that cannot be opened or read is recorded in the report with its reason,
/// and the others are still scanned.
///
/// With `on_events`, every code occurrence is handed over as the scan finds it, input by input and in
/// line order (inputs are then read one at a time, each still scanned in parallel).
pub fn analyze(
    discovered: &Discovered,
    settings: &ScanSettings,
    on_events: Option<&InputEventSink<'_>>,
) -> anyhow::Result<(Report, RunStats)> {
    let inputs = &discovered.inputs;
    let started = Instant::now();
    let catalog = Catalog::builtin();
    let extractor = Arc::new(Extractor::new(catalog, settings.mode));
    let threads = settings
        .threads
        .min(MAX_THREADS)
        .min(chunks_of_work(
            inputs,
            settings.chunk_size,
            settings.threads,
        ))
        .max(1);
    let settings = &ScanSettings {
        threads,
        ..settings.clone()
    };
    let pool = thread_pool(settings.threads)?;
    let progress = Progress::new(inputs, settings.progress);

    let results: Vec<Mutex<Option<Result<Read, io::Error>>>> =
        inputs.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let readers = if on_events.is_some() {
        1
    } else {
        settings.threads.min(inputs.len()).max(1)
    };
    std::thread::scope(|s| {
        for _ in 0..readers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else { break };
                    let result = read_one(
                        input,
                        &extractor,
                        &pool,
                        settings,
                        &discovered.filter,
                        &progress,
                        on_events,
                    );
                    *results[i].lock().expect("no reader panics") = Some(result);
                }
            });
        }
    });
    progress.finish();

    let mut builder = ReportBuilder::new();
    let mut stats = RunStats {
        threads: settings.threads,
        ..RunStats::default()
    };
    for (input, result) in inputs.iter().zip(results) {
        let name = settings.name_of(input);
        match result.into_inner().expect("no reader panics") {
            Some(Ok(read)) => {
                stats.read_time += read.read_time;
                stats.scan_time += read.scan_time;
                stats.hidden_members += read.hidden;
                for (name, scanned) in read.rows {
                    builder.add_scanned(&name, scanned);
                }
            }
            Some(Err(e)) => builder.add_failed(&name, e.to_string()),
            None => unreachable!("every input is read"),
        }
    }
    for problem in &discovered.problems {
        builder.add_failed(&problem.path, problem.reason.clone());
    }
    for skipped in &discovered.skipped {
        builder.add_skipped(&skipped.path, skipped.reason.clone());
    }
    for duplicate in &discovered.duplicates {
        builder.add_duplicate(&duplicate.path, &duplicate.same_as);
    }
    stats.wall = started.elapsed();
    let options = BuildOptions {
        loose: settings.mode == Mode::Loose,
        histogram: settings
            .time
            .as_ref()
            .and_then(|t| t.by.map(|unit| (unit, t.tz.clone(), t.tz_name.clone()))),
        window: settings.time.as_ref().map(|t| t.window).unwrap_or_default(),
    };
    let report = builder
        .build(catalog, &options)
        .map_err(anyhow::Error::msg)?;
    Ok((report, stats))
}

/// The most scanning threads a run uses, whatever `-j` asks: past this, threads only cost.
pub const MAX_THREADS: usize = 256;

/// How many chunks the inputs hold, counted up to `limit` (past it, the count no longer matters):
/// a plain regular file holds its size in chunks (at least one). Standard input, FIFOs and
/// compressed files hold an unknown number: they count as `limit`. Threads beyond this number
/// would have nothing to scan.
fn chunks_of_work(inputs: &[Input], chunk_size: usize, limit: usize) -> usize {
    let chunk = chunk_size.max(1) as u64;
    let mut chunks: u64 = 0;
    for input in inputs {
        let n = match input {
            Input::Stdin => return limit,
            Input::File { path, .. } => match std::fs::metadata(path) {
                Ok(meta) if meta.is_file() => {
                    if !is_plain(path) {
                        return limit;
                    }
                    meta.len().div_ceil(chunk).max(1)
                }
                // A FIFO or a device: a stream of unknown length.
                Ok(_) => return limit,
                // It will be reported as unreadable; its share of work is nil.
                Err(_) => 0,
            },
        };
        chunks = chunks.saturating_add(n);
        if chunks >= limit as u64 {
            return limit;
        }
    }
    chunks as usize
}

/// Whether a regular file's first bytes say it is plain text, not compressed data.
fn is_plain(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    let Ok(file) = std::fs::File::open(path) else {
        return true;
    };
    let mut n = 0;
    let mut file = file.take(head.len() as u64);
    while let Ok(k) = file.read(&mut head[n..]) {
        if k == 0 {
            break;
        }
        n += k;
    }
    Encoding::sniff(&head[..n]) == Encoding::Plain
}

/// One input, read to the end (or to its first error): its row, or the rows of an archive's members.
struct Read {
    rows: Vec<(String, ScannedInput)>,
    read_time: Duration,
    scan_time: Duration,
    /// Hidden members of an archive left out.
    hidden: u64,
}

impl Read {
    /// A file or stream of text, read as one input.
    fn text(
        name: String,
        scanned: Scanned,
        encoding: Encoding,
        text: TextEncoding,
        raw_bytes: u64,
    ) -> Read {
        let error = scanned.error.as_ref().map(|e| {
            if let Some(early) = EndedEarly::of(e) {
                format!("{early} (kept what was read)")
            } else if encoding == Encoding::Plain {
                e.to_string()
            } else {
                format!(
                    "corrupt or truncated {} data after {} of text (kept what was read): {e}",
                    encoding,
                    plural(scanned.tally.bytes, "byte", "bytes")
                )
            }
        });
        Read {
            read_time: scanned.read_time,
            scan_time: scanned.scan_time,
            hidden: 0,
            rows: vec![(
                name,
                ScannedInput {
                    tally: scanned.tally,
                    encoding: encoding.label(text),
                    read_bytes: raw_bytes,
                    binary: scanned.binary,
                    skipped: None,
                    error,
                },
            )],
        }
    }
}

fn read_one(
    input: &Input,
    extractor: &Arc<Extractor<'static>>,
    pool: &ThreadPool,
    settings: &ScanSettings,
    filter: &FileFilter,
    progress: &Progress,
    on_events: Option<&InputEventSink<'_>>,
) -> io::Result<Read> {
    let name = settings.name_of(input);
    let events = on_events.map(|sink| move |events: &[Event]| sink(&name, events));
    progress.start(input);
    let mut opened = input::open(input)?;
    // Archives, and formats jmlog does not read, are told by the first bytes of the decoded data.
    let (head, reader) = archive::peek(opened.reader, archive::HEAD);
    opened.reader = Box::new(reader);
    let raw = Arc::clone(&opened.raw_bytes);
    let reported = AtomicU64::new(0);
    let on_chunk = || {
        let now = raw.load(Ordering::Relaxed);
        progress.advance(now - reported.swap(now, Ordering::Relaxed));
    };
    let time_for = |modified: Option<Timestamp>| {
        settings.time.as_ref().map(|t| {
            let modified = modified.unwrap_or_else(Timestamp::now);
            TimeOptions {
                tz: t.tz.clone(),
                year: t.year,
                modified: modified.to_zoned_datetime(t.tz.clone()).date(),
                window: t.window,
                buckets: t.by,
            }
        })
    };
    let stdin_modified = match input {
        Input::Stdin => settings.stdin.modified,
        Input::File { .. } => None,
    };
    let modified = opened
        .modified
        .and_then(|m| Timestamp::try_from(m).ok())
        .or(stdin_modified);
    if let Some(container) = Container::sniff(&head) {
        let unpacker = Unpacker {
            extractor,
            pool,
            chunk_size: settings.chunk_size,
            // A member without a time of its own takes the archive's.
            time: &|member: Option<Timestamp>| time_for(member.or(modified)),
            hidden: settings.hidden,
            filter,
            on_chunk: &on_chunk,
            on_events,
        };
        let name = settings.name_of(input);
        let mut unpacked = match (container, opened.file.take()) {
            (Container::Zip, Some(file)) => unpacker.read_zip_file(&name, file, &raw),
            _ => unpacker.read_stream(&name, container, &mut opened.reader, opened.encoding, 1),
        };
        on_chunk();
        if let [(_, row)] = unpacked.rows.as_mut_slice() {
            if let Container::Unsupported(_) = container {
                row.read_bytes = raw.load(Ordering::Relaxed);
            }
        }
        return Ok(Read {
            rows: unpacked.rows,
            read_time: unpacked.read_time,
            scan_time: unpacked.scan_time,
            hidden: unpacked.hidden,
        });
    }
    let time = time_for(modified);
    let options = ReadOptions {
        chunk_size: settings.chunk_size,
        time: time.as_ref(),
        skip_binary: !input.explicit() || (*input == Input::Stdin && settings.stdin.skip_binary),
        on_chunk: &on_chunk,
        on_events: events.as_ref().map(|e| e as &EventSink<'_>),
    };
    // A plain file of several chunks is read in parallel; streams, compressed data and event
    // output go through the streaming reader.
    #[cfg(unix)]
    if let (Some(file), Some(size)) = (&opened.file, opened.size) {
        if options.on_events.is_none() && size >= 4 * settings.chunk_size as u64 {
            // Every stretch but the last is one chunk long; the last is what is left of the file.
            let done = AtomicU64::new(0);
            let chunk = settings.chunk_size as u64;
            let on_chunk = || {
                let before = done.fetch_add(chunk, Ordering::Relaxed).min(size);
                progress.advance(chunk.min(size - before));
            };
            let scanned = scan_file(
                file,
                size,
                extractor,
                pool,
                &ReadOptions {
                    on_chunk: &on_chunk,
                    ..options
                },
            );
            // `None`: a line too long to read in parallel; the streaming reader takes over.
            if let Some(scanned) = scanned {
                let raw_bytes = scanned.tally.bytes;
                return Ok(Read::text(
                    settings.name_of(input),
                    scanned,
                    opened.encoding,
                    opened.text,
                    raw_bytes,
                ));
            }
        }
    }
    let scanned = scan_input(opened.reader, extractor, pool, &options);
    on_chunk();
    let raw_bytes = opened.raw_bytes.load(Ordering::Relaxed);
    Ok(Read::text(
        settings.name_of(input),
        scanned,
        opened.encoding,
        opened.text,
        raw_bytes,
    ))
}

fn thread_pool(threads: usize) -> anyhow::Result<ThreadPool> {
    Ok(rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("jmlog-scan-{i}"))
        .build()?)
}

/// The progress bar on stderr: bytes of input read of the total (when every input's size is known),
/// throughput, ETA and the file being read; a spinner with bytes and rate otherwise.
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(inputs: &[Input], enabled: bool) -> Progress {
        if !enabled {
            return Progress { bar: None };
        }
        let sizes: Option<u64> = inputs
            .iter()
            .map(|i| match i {
                Input::Stdin => None,
                Input::File { path, .. } => std::fs::metadata(path)
                    .ok()
                    .filter(|m| m.is_file())
                    .map(|m| m.len()),
            })
            .sum();
        let bar = match sizes {
            Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
                .with_style(
                    ProgressStyle::with_template(
                        "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {wide_msg}",
                    )
                    .expect("a valid template"),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{spinner} {bytes} {binary_bytes_per_sec} {wide_msg}")
                    .expect("a valid template"),
            ),
        };
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar: Some(bar) }
    }

    fn start(&self, input: &Input) {
        if let Some(bar) = &self.bar {
            bar.set_message(crate::render::terminal::sanitize(&input.name(), 80));
        }
    }

    fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    /// Clears the bar, so that nothing of it is left above the report.
    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
