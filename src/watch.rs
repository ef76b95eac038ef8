//! `jmlog watch`: follows logs by name as they grow, as `tail -F` does, and counts their codes as
//! they are written.
//!
//! This module owns following files (per path: the open file, its identity, how far it was read,
//! and the line not yet complete) and the two live outputs. Its constraints:
//!
//! - **Polling**, every `--interval`: portable, and plenty for logs, which are written in lines.
//! - **Rotation** (rename and re-create): when the path names another file than the one open, the
//!   open one is read to its end first, then the new one from its start. While the path is missing
//!   (between the rename and the re-create) it is waited for, and the old file is still read:
//!   writers keep writing to it until they reopen the path.
//! - **Truncation** (copytruncate): a file shorter than what was read of it is read again from its
//!   start. As with `tail`, a file truncated and refilled past the old size between two looks
//!   cannot be told from one that grew.
//! - **UTF-16** with a byte-order mark is decoded to UTF-8 as it is read, whatever the reads split
//!   (an odd byte, half a surrogate pair); a file followed from its end is skipped by its UTF-16
//!   line feeds, since the byte 0x0A alone is also half of many a character.
//! - **Line numbers** are those of the file's content: a file followed from its end counts the
//!   lines it skips, and the numbers restart at 1 after a rotation or a truncation.
//! - **FIFOs** are opened without blocking and read as data arrives, so that a FIFO nobody writes
//!   to does not keep the watch from ending on a signal. A look reads at most 16 MiB from a
//!   file, so that a writer that never pauses cannot keep it from ending either.
//! - **One file, one count.** A path that names a file another path already follows (the same path
//!   twice, a symbolic link, a hard link) is not read while it does: the file's lines count once.
//! - **Flat memory** over hours: only counts are kept (per code, so bounded by the number of
//!   distinct codes), plus a few recent lines for the live summary and at most one unfinished line,
//!   which is scanned and dropped once it reaches [`MAX_LINE_BYTES`].
//! - **Output.** On a terminal, a summary redrawn in place at most four times a second, and the
//!   text report on Ctrl-C. Elsewhere, or with `--events`, NDJSON events written and flushed as
//!   codes are found (notes about the files go to stderr), and a summary line on SIGINT, SIGTERM or
//!   SIGHUP.

use std::collections::VecDeque;
use std::fs::{self, File, Metadata};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::Context;
use comfy_table::CellAlignment;
use memchr::{memchr, memchr_iter, memrchr};

use crate::annotate::MAX_LINE_BYTES;
use crate::catalog::Catalog;
use crate::cli::WatchArgs;
use crate::exit::Outcome;
use crate::extract::{Extractor, Hit, Mode};
use crate::render::numbers::{group_digits, plural};
use crate::render::terminal::sanitize;
use crate::render::text::TextOptions;
use crate::render::{self, DIM, HEADING, Look, new_table, write_table};
use crate::report::{BuildOptions, Report, ReportBuilder, ScannedInput};
use crate::tally::{Event, Tally};
use crate::timestamp::{self, Clock, LineTime, Stamp, YearRule};
use crate::utf16::TextEncoding;

/// The shortest time between two redraws of the live summary.
const REDRAW_EVERY: Duration = Duration::from_millis(250);

/// How many codes, and how many recent lines with codes, the live summary shows.
const LIVE_TOP: usize = 10;
const LIVE_RECENT: usize = 5;

/// How many codes the final text report lists.
const REPORT_TOP: usize = 20;

/// Bytes read from a file at a time.
const READ_BYTES: usize = 64 << 10;

/// The most bytes one look reads from one file; the next look comes at once when a file had more.
const LOOK_BYTES: u64 = 16 << 20;

/// How long the last look, after the signal to stop, may read what is left.
const LAST_LOOK: Duration = Duration::from_secs(1);

/// Runs `jmlog watch` until SIGINT, SIGTERM or SIGHUP, then writes the report of everything counted.
pub fn run(args: &WatchArgs, look: Look) -> anyhow::Result<Outcome> {
    if args.paths.iter().any(|p| p == Path::new("-")) {
        anyhow::bail!(
            "watch follows files by name, not standard input (for a pipe, use 'jmlog annotate' or 'jmlog analyze')"
        );
    }
    // Ctrl-C, SIGTERM and SIGHUP end the watch normally, with the report: the handler only asks the
    // loop below to stop, and waking it from its wait between looks is all it needs to do (no look
    // blocks: files are opened without blocking, and each look reads a bounded amount).
    let (stop_tx, stop) = mpsc::channel::<()>();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .context("cannot catch Ctrl-C")?;

    let mode = if args.loose {
        Mode::Loose
    } else {
        Mode::Strict
    };
    let extractor = Extractor::new(Catalog::builtin(), mode);
    let mut files: Vec<Followed> = args
        .paths
        .iter()
        .map(|p| Followed::new(p, !args.from_start))
        .collect();
    let mut buf = vec![0; READ_BYTES];
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let live = (look.terminal && !args.events).then(|| Live::new(look));
    let mut view = View {
        out: &mut out,
        live,
    };
    let interval = Duration::from_millis(args.interval);
    loop {
        let more = look_once(&mut files, &extractor, &mut buf, &mut view)?;
        view.refresh(&files, args.loose)?;
        let wait = if more { Duration::ZERO } else { interval };
        match stop.recv_timeout(wait) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    // A last look, so that what was written before the signal counts (for a moment at most: a
    // writer may never stop), and the last lines, complete or not, are scanned.
    let stopping = Instant::now();
    while look_once(&mut files, &extractor, &mut buf, &mut view)? && stopping.elapsed() < LAST_LOOK
    {
    }
    for file in &mut files {
        file.end_content(&extractor, &mut view)?;
    }
    let report = report(&files, args.loose)?;
    view.finish(&report)?;
    out.flush()?;
    Ok(if report.incomplete_inputs().next().is_some() {
        Outcome::Trouble
    } else {
        Outcome::Success
    })
}

/// Looks at every path once; says whether a file had more to read than one look reads.
fn look_once(
    files: &mut [Followed],
    ex: &Extractor<'_>,
    buf: &mut [u8],
    sink: &mut dyn Sink,
) -> io::Result<bool> {
    let mut more = false;
    for i in 0..files.len() {
        let elsewhere: Vec<(FileId, String)> = files
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .filter_map(|(_, f)| Some((f.open.as_ref()?.id?, f.name.clone())))
            .collect();
        more |= files[i].poll(ex, buf, &elsewhere, sink)?;
    }
    Ok(more)
}

/// The report of everything counted so far.
fn report(files: &[Followed], loose: bool) -> anyhow::Result<Report> {
    let mut builder = ReportBuilder::new();
    for file in files {
        if let (false, Some(same_as)) = (file.opened, &file.same_as) {
            builder.add_duplicate(&file.name, same_as);
        } else if file.opened {
            builder.add_scanned(
                &file.name,
                ScannedInput {
                    tally: file.counts(),
                    encoding: crate::input::Encoding::Plain.label(file.text),
                    read_bytes: file.read_bytes,
                    binary: false,
                    skipped: None,
                    error: file.problem.clone(),
                },
            );
        } else {
            let why = file.problem.clone();
            builder.add_failed(&file.name, why.unwrap_or_else(|| "not found".to_owned()));
        }
    }
    let options = BuildOptions {
        loose,
        ..BuildOptions::default()
    };
    builder
        .build(Catalog::builtin(), &options)
        .map_err(anyhow::Error::msg)
}

/// Where what the followed files yield goes.
trait Sink {
    /// Something worth telling about a file: it appeared, was rotated or truncated, is unreadable.
    fn note(&mut self, text: String);
    /// A line that holds codes; `line_index` is zero-based; `time` is the line's own time or
    /// the last one above it in the same content.
    fn code_line(
        &mut self,
        name: &str,
        line_index: u64,
        line: &[u8],
        hits: &[Hit],
        time: Option<LineTime>,
    ) -> io::Result<()>;
}

/// A file identity that survives renames: device and inode.
type FileId = (u64, u64);

#[cfg(unix)]
fn identity(meta: &Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

/// Without inodes, a rotation is not seen as such; a re-created file that is shorter than the old
/// one still is, as a truncation.
#[cfg(not(unix))]
fn identity(_meta: &Metadata) -> Option<FileId> {
    None
}

/// Whether a file was deleted: no name links to it any more.
#[cfg(unix)]
fn is_unlinked(meta: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.nlink() == 0
}

#[cfg(not(unix))]
fn is_unlinked(_meta: &Metadata) -> bool {
    false
}

/// One path, followed by name.
#[derive(Debug)]
struct Followed {
    path: PathBuf,
    /// The path as events and the report name it.
    name: String,
    /// The file the path named when it was opened, while it is followed.
    open: Option<OpenFile>,
    /// Whether the next file opened is read from its end: only a file there at the first look, and
    /// not with `--from-start`. Files that appear later are new, and read whole.
    from_end: bool,
    /// The content being read.
    content: Content,
    /// The counts of earlier contents: files rotated away, text truncated.
    earlier: Tally,
    /// Whether a file was ever opened at the path.
    opened: bool,
    read_bytes: u64,
    /// How the text last read was encoded.
    text: TextEncoding,
    /// Why the path cannot be read, while it cannot.
    problem: Option<String>,
    /// Whether the current look met a problem; one without clears `problem`.
    troubled: bool,
    /// Whether the path's absence was told since it was last open.
    told_missing: bool,
    /// The path that follows the file this path names, while another path does.
    same_as: Option<String>,
}

#[derive(Debug)]
struct OpenFile {
    file: File,
    id: Option<FileId>,
    /// A regular file, rather than a FIFO or a device: it has a size and can be read again.
    regular: bool,
    /// Bytes read (or skipped) so far.
    offset: u64,
}

/// Opens a file for reading without waiting: a FIFO opens at once, writer or not, and its reads
/// then return what is there.
fn open_nonblocking(path: &Path) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
    }
    #[cfg(not(unix))]
    {
        File::open(path)
    }
}

impl Followed {
    fn new(path: &Path, from_end: bool) -> Followed {
        Followed {
            path: path.to_owned(),
            name: path.display().to_string(),
            open: None,
            from_end,
            content: Content::default(),
            earlier: Tally::default(),
            opened: false,
            read_bytes: 0,
            text: TextEncoding::Utf8,
            problem: None,
            troubled: false,
            told_missing: false,
            same_as: None,
        }
    }

    /// The path for messages on a terminal.
    fn shown(&self) -> String {
        sanitize(&self.name, 400)
    }

    /// The counts of every content read so far.
    fn counts(&self) -> Tally {
        let mut all = self.earlier.clone();
        add_counts(&mut all, self.content.tally.clone());
        all
    }

    /// Looks at the path once: reads what was added, and follows a truncation or a rotation. A
    /// file that another path follows (`elsewhere`: their files and names) is left to it.
    /// Problems with the file are noted and retried at the next look; only output errors fail.
    /// Says whether the file had more to read than one look reads.
    fn poll(
        &mut self,
        ex: &Extractor<'_>,
        buf: &mut [u8],
        elsewhere: &[(FileId, String)],
        sink: &mut dyn Sink,
    ) -> io::Result<bool> {
        let from_end = std::mem::replace(&mut self.from_end, false);
        self.troubled = false;
        let at_path = match fs::metadata(&self.path) {
            Ok(meta) => Some(meta),
            Err(e) => {
                if e.kind() != io::ErrorKind::NotFound {
                    self.trouble(e.to_string(), sink);
                }
                None
            }
        };
        if let Some(open) = &mut self.open {
            // The open file, not the path: after a rename the path may name nothing, or another file.
            let truncated =
                open.regular && open.file.metadata().is_ok_and(|m| m.len() < open.offset);
            if truncated {
                if let Err(e) = open.file.seek(SeekFrom::Start(0)) {
                    self.trouble(e.to_string(), sink);
                    return Ok(false);
                }
                open.offset = 0;
                self.end_content(ex, sink)?;
                sink.note(format!(
                    "{} was truncated; reading it from its start",
                    self.shown()
                ));
            }
            // Read the open file to its end even if it was replaced: its last lines were written
            // before the new file, and belong before it.
            if self.read_open(ex, buf, sink)? {
                return Ok(true);
            }
            let open_id = self.open.as_ref().and_then(|o| o.id);
            match &at_path {
                Some(meta) if identity(meta) != open_id => {
                    self.end_content(ex, sink)?;
                    self.open = None;
                    sink.note(format!(
                        "{} was replaced; following the new file",
                        self.shown()
                    ));
                }
                Some(_) => {}
                None => {
                    let unlinked = self
                        .open
                        .as_ref()
                        .is_some_and(|o| o.file.metadata().is_ok_and(|m| is_unlinked(&m)));
                    if unlinked {
                        // Nobody can write to it any more by name, and holding it open would keep
                        // its disk space from being freed.
                        self.end_content(ex, sink)?;
                        self.open = None;
                        self.told_missing = true;
                        sink.note(format!(
                            "{} was deleted; waiting for it to come back",
                            self.shown()
                        ));
                    } else if !self.told_missing {
                        self.told_missing = true;
                        sink.note(format!(
                            "{} was moved; reading on in it until a new file appears",
                            self.shown()
                        ));
                    }
                }
            }
        }
        let mut more = false;
        if self.open.is_none() {
            let followed_by = at_path.as_ref().and_then(|meta| {
                let id = identity(meta)?;
                elsewhere.iter().find(|(other, _)| *other == id)
            });
            if let Some((_, other)) = followed_by {
                if self.same_as.as_ref() != Some(other) {
                    sink.note(format!(
                        "{} is the same file as {}; counted once, there",
                        self.shown(),
                        sanitize(other, 400)
                    ));
                    self.same_as = Some(other.clone());
                }
            } else if at_path.is_some() {
                // A file the other path followed was read by it up to now.
                let from_end = from_end || self.same_as.take().is_some();
                more = self.open_path(from_end, ex, buf, sink)?;
            } else if !self.told_missing {
                self.told_missing = true;
                sink.note(format!(
                    "{} does not exist; waiting for it to appear",
                    self.shown()
                ));
            }
        }
        if !self.troubled {
            self.problem = None;
        }
        Ok(more)
    }

    /// Opens the file at the path and reads it, from its start or (skipping the lines there now)
    /// from its end. A FIFO or a device has no end to start from: what comes is read.
    fn open_path(
        &mut self,
        from_end: bool,
        ex: &Extractor<'_>,
        buf: &mut [u8],
        sink: &mut dyn Sink,
    ) -> io::Result<bool> {
        let opened = open_nonblocking(&self.path).and_then(|file| {
            let meta = file.metadata()?;
            let mut open = OpenFile {
                file,
                id: identity(&meta),
                regular: meta.is_file(),
                offset: 0,
            };
            if from_end && open.regular {
                let (lines, text) = skip_complete_lines(&mut open, buf)?;
                self.content.next_line = lines;
                self.text = text;
                if open.offset > 0 {
                    // Past the byte-order mark, which told the encoding.
                    self.content.text = Some(TextEncoding::Utf8);
                    if text != TextEncoding::Utf8 {
                        self.content.decode_from_within(text);
                    }
                }
            }
            Ok(open)
        });
        match opened {
            Ok(open) => {
                let whence = if from_end {
                    format!("line {}", self.content.next_line + 1)
                } else {
                    "its start".to_owned()
                };
                sink.note(format!("following {} from {whence}", self.shown()));
                self.open = Some(open);
                self.opened = true;
                self.told_missing = false;
                self.read_open(ex, buf, sink)
            }
            // Gone again between the look and the open (a rotation): the next look finds the new one.
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => {
                self.trouble(e.to_string(), sink);
                Ok(false)
            }
        }
    }

    /// Reads the open file from where it was left to its current end, or [`LOOK_BYTES`] of it;
    /// says whether there is more.
    fn read_open(
        &mut self,
        ex: &Extractor<'_>,
        buf: &mut [u8],
        sink: &mut dyn Sink,
    ) -> io::Result<bool> {
        let Some(open) = &mut self.open else {
            return Ok(false);
        };
        let mut looked = 0;
        let failed = loop {
            if looked >= LOOK_BYTES {
                return Ok(true);
            }
            match open.file.read(buf) {
                Ok(0) => break None,
                Ok(n) => {
                    looked += n as u64;
                    open.offset += n as u64;
                    self.read_bytes += n as u64;
                    self.content.feed(&buf[..n], &self.name, ex, sink)?;
                    self.text = self.content.text.unwrap_or(self.text);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A FIFO with a writer and nothing written yet.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break None,
                Err(e) => break Some(e),
            }
        };
        if let Some(e) = failed {
            self.trouble(e.to_string(), sink);
        }
        Ok(false)
    }

    /// Ends the content being read (the file was rotated away or truncated, or the watch ends):
    /// its last line counts even without a terminator, and its counts join the earlier ones.
    fn end_content(&mut self, ex: &Extractor<'_>, sink: &mut dyn Sink) -> io::Result<()> {
        let ended = std::mem::take(&mut self.content).end(&self.name, ex, sink)?;
        add_counts(&mut self.earlier, ended);
        Ok(())
    }

    /// Notes a problem with the path, once for as long as it lasts.
    fn trouble(&mut self, reason: String, sink: &mut dyn Sink) {
        self.troubled = true;
        if self.problem.as_ref() != Some(&reason) {
            sink.note(format!("{}: {reason}", self.shown()));
            self.problem = Some(reason);
        }
    }
}

/// Moves `open` past the last complete line of the file, and says how many lines it skipped and
/// how the file's text is encoded. The unfinished line after them, if any, is read later, once the
/// writer has finished it.
fn skip_complete_lines(open: &mut OpenFile, buf: &mut [u8]) -> io::Result<(u64, TextEncoding)> {
    let mut lines = 0;
    let mut after_last_newline = 0;
    let mut offset = 0;
    let mut text = None;
    // In UTF-16, the first byte of the code unit being read.
    let mut unit_start = 0;
    loop {
        let n = match open.file.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let block = &buf[..n];
        let newline = match *text.get_or_insert_with(|| TextEncoding::sniff(block)) {
            TextEncoding::Utf8 => {
                lines += memchr_iter(b'\n', block).count() as u64;
                if let Some(i) = memrchr(b'\n', block) {
                    after_last_newline = offset + i as u64 + 1;
                }
                offset += n as u64;
                continue;
            }
            TextEncoding::Utf16Le => [b'\n', 0],
            TextEncoding::Utf16Be => [0, b'\n'],
        };
        // A line ends with the code unit U+000A, which no other character's units can be (the
        // byte 0x0A alone can: it is half of many a Chinese character).
        for (i, &byte) in block.iter().enumerate() {
            let at = offset + i as u64;
            if at % 2 == 0 {
                unit_start = byte;
            } else if [unit_start, byte] == newline {
                lines += 1;
                after_last_newline = at + 1;
            }
        }
        offset += n as u64;
    }
    open.offset = open.file.seek(SeekFrom::Start(after_last_newline))?;
    Ok((lines, text.unwrap_or(TextEncoding::Utf8)))
}

/// One file content as it is read: its counts, where its next line starts, and that line while it
/// is not complete.
#[derive(Debug, Default)]
struct Content {
    tally: Tally,
    /// Zero-based index of the line being read.
    next_line: u64,
    /// The line being read, up to what was read of it.
    partial: Vec<u8>,
    /// The last timestamp seen in this content, which dates the lines below it that have none.
    last_stamp: Option<Stamp>,
    /// How the content's text is encoded, once its first bytes have told.
    text: Option<TextEncoding>,
    /// The first bytes, while they are too few to tell (`FF` may begin a UTF-16 byte-order mark).
    head: Vec<u8>,
    /// Decodes UTF-16 to UTF-8, keeping what a read leaves unfinished (an odd byte, half a
    /// surrogate pair) for the next.
    decoder: Option<Utf16Decoder>,
}

/// UTF-16 being decoded, and the UTF-8 it gave last.
struct Utf16Decoder {
    decoder: encoding_rs::Decoder,
    utf8: Vec<u8>,
}

impl std::fmt::Debug for Utf16Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.decoder.encoding().name())
    }
}

impl Content {
    /// Decodes the content as UTF-16 (`text`) from a line start within it, past its byte-order mark.
    fn decode_from_within(&mut self, text: TextEncoding) {
        let encoding = match text {
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            _ => encoding_rs::UTF_16LE,
        };
        self.text = Some(text);
        self.decoder = Some(Utf16Decoder {
            decoder: encoding.new_decoder_without_bom_handling(),
            utf8: Vec::new(),
        });
    }

    /// Takes bytes of the file: tells the encoding from the first ones, decodes UTF-16, and scans
    /// the lines. `last`: the content ends here.
    fn feed(
        &mut self,
        bytes: &[u8],
        name: &str,
        ex: &Extractor<'_>,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        self.take(bytes, false, name, ex, sink)
    }

    fn take(
        &mut self,
        bytes: &[u8],
        last: bool,
        name: &str,
        ex: &Extractor<'_>,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        let mut bytes = bytes;
        let head;
        if self.text.is_none() {
            self.head.extend_from_slice(bytes);
            // Only `FF FE` and `FE FF` say UTF-16: a first byte that starts neither says UTF-8.
            let undecided = matches!(self.head[..], [] | [0xff] | [0xfe]);
            if undecided && !last {
                return Ok(());
            }
            let text = TextEncoding::sniff(&self.head);
            if text != TextEncoding::Utf8 {
                self.decode_from_within(text);
                // The byte-order mark is not text.
                self.head.drain(..2);
            }
            self.text = Some(text);
            head = std::mem::take(&mut self.head);
            bytes = &head;
        }
        match &mut self.decoder {
            None => self.feed_text(bytes, name, ex, sink),
            Some(utf16) => {
                let mut utf8 = std::mem::take(&mut utf16.utf8);
                let room = utf16
                    .decoder
                    .max_utf8_buffer_length(bytes.len())
                    .expect("a read's worth fits in memory");
                utf8.resize(room, 0);
                let (_, _, written, _) = utf16.decoder.decode_to_utf8(bytes, &mut utf8, last);
                let fed = self.feed_text(&utf8[..written], name, ex, sink);
                if let Some(utf16) = &mut self.decoder {
                    utf16.utf8 = utf8;
                }
                fed
            }
        }
    }

    /// Scans the complete lines that `bytes` (UTF-8) finishes, and keeps the rest for later.
    fn feed_text(
        &mut self,
        bytes: &[u8],
        name: &str,
        ex: &Extractor<'_>,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        self.tally.bytes += bytes.len() as u64;
        let mut rest = bytes;
        while let Some(i) = memchr(b'\n', rest) {
            // A line begun in an earlier read is completed in `partial`.
            let line = if self.partial.is_empty() {
                &rest[..i]
            } else {
                self.partial.extend_from_slice(&rest[..i]);
                &self.partial
            };
            let at = (self.next_line, &mut self.last_stamp);
            scan(&mut self.tally, at, line, name, ex, sink)?;
            self.partial.clear();
            self.tally.lines += 1;
            self.next_line += 1;
            rest = &rest[i + 1..];
        }
        self.partial.extend_from_slice(rest);
        if self.partial.len() >= MAX_LINE_BYTES {
            // Whatever a writer does, memory stays flat: a line this long is scanned in pieces,
            // each counting its codes (the line keeps its number).
            let at = (self.next_line, &mut self.last_stamp);
            scan(&mut self.tally, at, &self.partial, name, ex, sink)?;
            self.partial.clear();
        }
        Ok(())
    }

    /// The counts of the whole content, its unfinished last line counted as a line.
    fn end(mut self, name: &str, ex: &Extractor<'_>, sink: &mut dyn Sink) -> io::Result<Tally> {
        // What the decoder holds (an odd last byte becomes U+FFFD), or a lone first byte.
        self.take(&[], true, name, ex, sink)?;
        if !self.partial.is_empty() {
            let at = (self.next_line, &mut self.last_stamp);
            scan(&mut self.tally, at, &self.partial, name, ex, sink)?;
            self.tally.lines += 1;
        }
        Ok(self.tally)
    }
}

/// Counts the codes of one line (`at`: its zero-based index, and the last timestamp above it)
/// and passes them on with the line's time.
fn scan(
    tally: &mut Tally,
    (line_index, last_stamp): (u64, &mut Option<Stamp>),
    line: &[u8],
    name: &str,
    ex: &Extractor<'_>,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if let Some(stamp) = timestamp::parse(line) {
        *last_stamp = Some(stamp);
    }
    let mut hits = Vec::new();
    ex.line_hits(line, &mut hits);
    if hits.is_empty() {
        return Ok(());
    }
    tally.record(line_index, line, &hits);
    let time = last_stamp.and_then(|s| clock().resolve_time(s));
    sink.code_line(name, line_index, line, &hits, time)
}

/// How `watch` dates lines: times without an offset are in the system's zone, and year-less
/// ones in the year that makes them no later than today.
fn clock() -> &'static Clock {
    static CLOCK: std::sync::OnceLock<Clock> = std::sync::OnceLock::new();
    CLOCK.get_or_init(|| {
        let tz = jiff::tz::TimeZone::system();
        let today = jiff::Timestamp::now().to_zoned_datetime(tz.clone()).date();
        Clock {
            tz,
            years: YearRule::from_modified(today),
        }
    })
}

/// Adds the counts of a later content of the same path. Line numbers are not shifted: each content
/// numbers its own lines, so a code's example stays the first one seen, in whichever content.
fn add_counts(into: &mut Tally, later: Tally) {
    into.bytes += later.bytes;
    into.lines += later.lines;
    into.code_lines += later.code_lines;
    for (code, t) in later.codes {
        into.codes
            .entry(code)
            .and_modify(|seen| seen.count += t.count)
            .or_insert(t);
    }
    into.unknown.absorb(later.unknown, None);
}

/// What the watch shows: NDJSON events, or a live summary on a terminal.
struct View<'o> {
    out: &'o mut dyn Write,
    /// `None`: NDJSON events.
    live: Option<Live>,
}

/// The live summary's state: what was seen since it was last drawn.
#[derive(Debug)]
struct Live {
    look: Look,
    /// The last lines with codes, ready to show.
    recent: VecDeque<String>,
    /// The last note about a file.
    note: Option<String>,
    /// Whether something changed since the last drawing.
    changed: bool,
    drawn: Option<Instant>,
}

impl Live {
    fn new(look: Look) -> Live {
        Live {
            look,
            recent: VecDeque::with_capacity(LIVE_RECENT),
            note: None,
            changed: true,
            drawn: None,
        }
    }

    fn width(&self) -> usize {
        usize::from(self.look.width.unwrap_or(100)).max(20)
    }

    /// The summary, one screen of lines ending in `\n`.
    fn frame(&self, report: &Report, files: usize) -> io::Result<Vec<u8>> {
        let look = self.look;
        let t = &report.totals;
        let mut frame = Vec::new();
        let unknown = if t.unknown_codes > 0 {
            format!(" · {} unknown", group_digits(t.unknown_codes))
        } else {
            String::new()
        };
        writeln!(
            frame,
            "{} {} · {} · {}{unknown}  {}",
            look.paint(HEADING, "Watching"),
            plural(files as u64, "file", "files"),
            plural(t.lines, "line", "lines"),
            plural(t.codes, "code", "codes"),
            look.paint(DIM, "Ctrl-C ends with the report"),
        )?;
        if !report.modules.is_empty() {
            let modules: Vec<String> = report
                .modules
                .iter()
                .map(|m| format!("{} {}", m.module, group_digits(m.count)))
                .collect();
            writeln!(frame, "\n{}", modules.join(" · "))?;
        }
        if !report.codes.is_empty() {
            writeln!(frame)?;
            let mut table = new_table(look, &["code", "count", "module", "meaning"]);
            for c in report.codes.iter().take(LIVE_TOP) {
                table.add_row(vec![
                    c.code.to_string(),
                    group_digits(c.count),
                    c.module.name().to_owned(),
                    c.meaning.clone(),
                ]);
            }
            if let Some(count) = table.column_mut(1) {
                count.set_cell_alignment(CellAlignment::Right);
            }
            write_table(&table, &mut frame)?;
        }
        if !self.recent.is_empty() {
            writeln!(frame, "\n{}", look.paint(HEADING, "Last lines with codes"))?;
            for line in &self.recent {
                writeln!(frame, "{line}")?;
            }
        }
        if let Some(note) = &self.note {
            writeln!(frame, "\n{}", look.paint(DIM, note))?;
        }
        Ok(frame)
    }
}

/// Switches to the terminal's alternate screen, which the final report leaves again: the summary
/// is drawn over and over, and the shell's screen and scrollback should not pay for it.
const ENTER_ALTERNATE_SCREEN: &[u8] = b"\x1b[?1049h";
const LEAVE_ALTERNATE_SCREEN: &[u8] = b"\x1b[?1049l";

impl View<'_> {
    /// Brings the output up to date after a look at the files: flushes the events written, or
    /// redraws the summary if something changed and the last drawing is old enough.
    fn refresh(&mut self, files: &[Followed], loose: bool) -> anyhow::Result<()> {
        let Some(live) = &mut self.live else {
            self.out.flush()?;
            return Ok(());
        };
        let due = live.drawn.is_none_or(|at| at.elapsed() >= REDRAW_EVERY);
        if !(live.changed && due) {
            return Ok(());
        }
        let frame = live.frame(&report(files, loose)?, files.len())?;
        if live.drawn.is_none() {
            self.out.write_all(ENTER_ALTERNATE_SCREEN)?;
        }
        // Drawn over the last frame, from the top: each line cleared past its end, and the rest
        // of the screen below; clearing the whole screen first would flicker.
        self.out.write_all(b"\x1b[H")?;
        for line in frame.split_inclusive(|b| *b == b'\n') {
            self.out
                .write_all(line.strip_suffix(b"\n").unwrap_or(line))?;
            self.out.write_all(b"\x1b[K\n")?;
        }
        self.out.write_all(b"\x1b[J")?;
        self.out.flush()?;
        live.changed = false;
        live.drawn = Some(Instant::now());
        Ok(())
    }

    /// Writes the final report: the text report on a terminal, else the NDJSON summary line.
    fn finish(&mut self, report: &Report) -> io::Result<()> {
        match &self.live {
            Some(live) => {
                if live.drawn.is_some() {
                    self.out.write_all(LEAVE_ALTERNATE_SCREEN)?;
                }
                let options = TextOptions {
                    look: live.look,
                    top: REPORT_TOP,
                };
                render::text::render(report, options, self.out)?;
            }
            None => render::ndjson::summary(report, self.out)?,
        }
        self.out.flush()
    }
}

impl Sink for View<'_> {
    fn note(&mut self, text: String) {
        match &mut self.live {
            Some(live) => {
                live.note = Some(text);
                live.changed = true;
            }
            // Notes are no events: they go beside them, as `tail` tells of rotations.
            None => {
                let _ = writeln!(io::stderr(), "jmlog: {text}");
            }
        }
    }

    fn code_line(
        &mut self,
        name: &str,
        line_index: u64,
        line: &[u8],
        hits: &[Hit],
        time: Option<LineTime>,
    ) -> io::Result<()> {
        match &mut self.live {
            Some(live) => {
                // A screen line's worth of the log line is plenty, whatever its length.
                let shown = &line[..line.len().min(4 * live.width())];
                let text = format!(
                    "{name}:{}  {}",
                    line_index + 1,
                    String::from_utf8_lossy(shown)
                );
                if live.recent.len() == LIVE_RECENT {
                    live.recent.pop_front();
                }
                live.recent.push_back(sanitize(&text, live.width() - 1));
                live.changed = true;
                Ok(())
            }
            None => {
                let events: Vec<Event> = hits
                    .iter()
                    .map(|h| Event {
                        line_index,
                        time,
                        code: h.code,
                        known: h.known,
                    })
                    .collect();
                render::ndjson::events(name, &events, self.out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fs::OpenOptions;

    use super::*;
    use crate::catalog::Code;

    /// Keeps what a follower yields.
    #[derive(Default)]
    struct Recorder {
        notes: Vec<String>,
        /// (line number, code) of each event, in order.
        events: Vec<(u64, Code)>,
    }

    impl Sink for Recorder {
        fn note(&mut self, text: String) {
            self.notes.push(text);
        }
        fn code_line(
            &mut self,
            _: &str,
            index: u64,
            _: &[u8],
            hits: &[Hit],
            _: Option<LineTime>,
        ) -> io::Result<()> {
            self.events.extend(hits.iter().map(|h| (index + 1, h.code)));
            Ok(())
        }
    }

    /// A temporary directory, removed with its files when dropped (also when a test fails).
    struct Scratch(tempfile::TempDir);

    impl std::ops::Deref for Scratch {
        type Target = Path;
        fn deref(&self) -> &Path {
            self.0.path()
        }
    }

    fn tempdir(name: &str) -> Scratch {
        Scratch(
            tempfile::Builder::new()
                .prefix(&format!("jmlog-watch-{name}-"))
                .tempdir()
                .unwrap(),
        )
    }

    fn append(path: &Path, text: &str) {
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    fn codes(tally: &Tally) -> BTreeMap<Code, u64> {
        tally.codes.iter().map(|(c, t)| (*c, t.count)).collect()
    }

    struct Follow {
        file: Followed,
        ex: Extractor<'static>,
        buf: Vec<u8>,
        rec: Recorder,
    }

    impl Follow {
        fn new(path: &Path, from_end: bool) -> Follow {
            Follow {
                file: Followed::new(path, from_end),
                ex: Extractor::new(Catalog::builtin(), Mode::Strict),
                buf: vec![0; 16],
                rec: Recorder::default(),
            }
        }

        fn poll(&mut self) {
            self.file
                .poll(&self.ex, &mut self.buf, &[], &mut self.rec)
                .unwrap();
        }
    }

    /// The live summary on a terminal counts the files, lines and codes followed, and lists
    /// each code with its count and module.
    #[test]
    fn the_live_summary_shows_the_counts() {
        let dir = tempdir("live");
        let log = dir.join("app.log");
        let mut text = "plain line\n".repeat(2_000);
        text.push_str(&"login failed code=801004\n".repeat(3_000));
        text.push_str(&"send failed code=803008\n".repeat(1_000));
        append(&log, &text);
        let mut f = Follow::new(&log, false);
        f.buf = vec![0; 1 << 16];
        f.poll();
        let files = [f.file];
        let live = Live::new(Look::PLAIN);
        let frame = live.frame(&report(&files, false).unwrap(), 1).unwrap();
        let frame = String::from_utf8(frame).unwrap();
        let lines: Vec<&str> = frame.lines().collect();
        assert_eq!(
            lines[0], "Watching 1 file · 6,000 lines · 4,000 codes  Ctrl-C ends with the report",
            "{frame}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("801004") && l.contains("3,000")),
            "{frame}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("803008") && l.contains("1,000")),
            "{frame}"
        );
    }

    #[test]
    fn rotation_and_truncation_count_every_line_once() {
        let dir = tempdir("rotate");
        let log = dir.join("app.log");
        append(&log, "a code=801004\nb code=801004\n");
        let mut f = Follow::new(&log, false);
        f.poll();
        // A line written in two parts counts once, when complete.
        append(&log, "c code=8030");
        f.poll();
        append(&log, "08\n");
        f.poll();
        // Rotation: more lines reach the old file after the rename, then the new file appears.
        fs::rename(&log, dir.join("app.log.1")).unwrap();
        f.poll();
        append(&dir.join("app.log.1"), "d code=801004\n");
        append(&log, "e code=899002\nf code=899002\n");
        f.poll();
        // Truncation, then fewer bytes than before.
        OpenOptions::new()
            .write(true)
            .open(&log)
            .unwrap()
            .set_len(0)
            .unwrap();
        append(&log, "g code=810001\n");
        f.poll();

        let lines: Vec<(u64, Code)> = f.rec.events.clone();
        let want = [
            (1, 801004),
            (2, 801004),
            (3, 803008),
            (4, 801004),
            (1, 899002),
            (2, 899002),
            (1, 810001),
        ];
        assert_eq!(lines, want, "notes: {:?}", f.rec.notes);
        let counts = codes(&f.file.counts());
        let want: BTreeMap<Code, u64> = [(801004, 3), (803008, 1), (899002, 2), (810001, 1)].into();
        assert_eq!(counts, want);
        assert_eq!(f.file.counts().lines, 7);
        let notes = f.rec.notes.join("\n");
        for said in ["from its start", "was moved", "replaced", "truncated"] {
            assert!(notes.contains(said), "{said:?} not in {notes}");
        }
    }

    #[test]
    fn following_from_the_end_skips_what_is_there_and_numbers_lines_on() {
        let dir = tempdir("from-end");
        let log = dir.join("app.log");
        append(&log, "old code=801004\nold code=801004\nunfinished code=");
        let mut f = Follow::new(&log, true);
        f.poll();
        assert!(f.rec.events.is_empty());
        append(&log, "803008\nnew code=899002\n");
        f.poll();
        assert_eq!(f.rec.events, [(3, 803008), (4, 899002)]);
        assert!(f.rec.notes[0].ends_with("from line 3"), "{:?}", f.rec.notes);
    }

    #[test]
    fn a_missing_file_is_waited_for_and_read_whole() {
        let dir = tempdir("missing");
        let log = dir.join("app.log");
        let mut f = Follow::new(&log, true);
        f.poll();
        f.poll();
        assert_eq!(f.rec.notes.len(), 1, "told once: {:?}", f.rec.notes);
        append(&log, "code=801004\n");
        f.poll();
        assert_eq!(f.rec.events, [(1, 801004)]);
    }

    #[cfg(unix)]
    #[test]
    fn a_deleted_file_is_let_go_and_its_successor_read_whole() {
        let dir = tempdir("deleted");
        let log = dir.join("app.log");
        append(&log, "code=801004\n");
        let mut f = Follow::new(&log, false);
        f.poll();
        fs::remove_file(&log).unwrap();
        f.poll();
        assert!(f.file.open.is_none(), "the deleted file is closed");
        append(&log, "code=803008\n");
        f.poll();
        assert_eq!(f.rec.events, [(1, 801004), (1, 803008)]);
        assert!(
            f.rec.notes.iter().any(|n| n.contains("was deleted")),
            "{:?}",
            f.rec.notes
        );
    }

    #[cfg(unix)]
    #[test]
    fn two_names_of_one_file_count_it_once_and_each_its_own_when_they_part() {
        let dir = tempdir("two-names");
        let first = dir.join("app-1.log");
        append(&first, "a code=801004\n");
        let link = dir.join("app.log");
        std::os::unix::fs::symlink(&first, &link).unwrap();
        let ex = Extractor::new(Catalog::builtin(), Mode::Strict);
        let mut files = vec![Followed::new(&link, false), Followed::new(&first, false)];
        let (mut buf, mut rec) = (vec![0; 16], Recorder::default());
        look_once(&mut files, &ex, &mut buf, &mut rec).unwrap();
        append(&first, "b code=803008\n");
        look_once(&mut files, &ex, &mut buf, &mut rec).unwrap();
        assert_eq!(rec.events, [(1, 801004), (2, 803008)], "{:?}", rec.notes);
        assert_eq!(files[1].same_as.as_deref(), Some(files[0].name.as_str()));

        // The link moves on to a new file; the old one gets more lines, read by its own name.
        let second = dir.join("app-2.log");
        append(&second, "c code=899002\n");
        fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&second, &link).unwrap();
        look_once(&mut files, &ex, &mut buf, &mut rec).unwrap();
        append(&first, "d code=810001\n");
        look_once(&mut files, &ex, &mut buf, &mut rec).unwrap();
        let want = [(1, 801004), (2, 803008), (1, 899002), (3, 810001)];
        assert_eq!(rec.events, want, "{:?}", rec.notes);
        let mut all = files[0].counts();
        add_counts(&mut all, files[1].counts());
        let want: BTreeMap<Code, u64> = [(801004, 1), (803008, 1), (899002, 1), (810001, 1)].into();
        assert_eq!(codes(&all), want);
    }

    #[test]
    fn a_problem_is_told_once_and_kept_while_it_lasts() {
        let dir = tempdir("problem");
        let mut f = Follow::new(&dir, false);
        f.poll();
        f.poll();
        assert_eq!(f.rec.notes.len(), 2, "{:?}", f.rec.notes);
        assert!(f.file.problem.is_some());
    }

    #[test]
    fn an_endless_line_is_scanned_and_dropped() {
        let mut content = Content::default();
        let ex = Extractor::new(Catalog::builtin(), Mode::Strict);
        let mut rec = Recorder::default();
        content.feed(b"code=801004 ", "x", &ex, &mut rec).unwrap();
        let block = vec![b'x'; 1 << 16];
        for _ in 0..(MAX_LINE_BYTES / block.len()) + 1 {
            content.feed(&block, "x", &ex, &mut rec).unwrap();
        }
        assert!(content.partial.len() < MAX_LINE_BYTES);
        assert_eq!(rec.events, [(1, 801004)]);
    }

    #[test]
    fn utf16_fed_a_byte_at_a_time_gives_the_events_of_its_text() {
        let text = "上 😀 code=801004\r\nx code=803008\r\n上 code=899002 😀";
        let ex = Extractor::new(Catalog::builtin(), Mode::Strict);
        for (bom, units) in [
            (
                [0xff, 0xfe],
                text.encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect::<Vec<_>>(),
            ),
            (
                [0xfe, 0xff],
                text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            ),
        ] {
            let mut content = Content::default();
            let mut rec = Recorder::default();
            for byte in bom.iter().chain(&units) {
                content.feed(&[*byte], "x", &ex, &mut rec).unwrap();
            }
            // An odd last byte: the writer stopped within a code unit.
            content.feed(&[0x41], "x", &ex, &mut rec).unwrap();
            let tally = content.end("x", &ex, &mut rec).unwrap();
            assert_eq!(rec.events, [(1, 801004), (2, 803008), (3, 899002)]);
            assert_eq!(tally.lines, 3);
            assert_eq!(tally.bytes, text.len() as u64 + "\u{fffd}".len() as u64);
        }
        // A lone `FF` is a byte of a UTF-8 log, once the log ends there.
        let mut content = Content::default();
        let mut rec = Recorder::default();
        content
            .feed(b"code=801004\n\xff", "x", &ex, &mut rec)
            .unwrap();
        assert_eq!(content.end("x", &ex, &mut rec).unwrap().bytes, 13);
    }
}
