//! `jmlog annotate`: a filter that passes log lines through and explains each JMessage error code at
//! the end of the line it is on.
//!
//! This module owns the annotation format and the line-by-line streaming loop. Its constraints:
//!
//! - **Lines pass through byte for byte.** Nothing is decoded: text that is not UTF-8 (GBK, binary
//!   junk), `\r\n` terminators and a last line without a terminator come out exactly as they went
//!   in. The one exception is UTF-16 with a byte-order mark, whose codes could not be seen
//!   otherwise: it is decoded to UTF-8 as `analyze` decodes it, and its lines come out as UTF-8.
//!   An annotation is inserted before the line terminator of a line that holds codes; lines
//!   without codes are untouched (or left out, with `--only`).
//! - **It works in pipes.** `adb logcat | jmlog annotate` must show each line as soon as it
//!   arrives, so output is flushed before every read that could block: whenever the input has
//!   nothing more buffered.
//! - **A file goes at the speed of the disk.** A regular file (named, or on standard input) cannot
//!   block, so it is mapped into memory (or, where it cannot be, read) and cut into blocks of
//!   whole lines that every core annotates at once: the block scanner finds the few lines with
//!   codes and their codes, the lines between them are copied as they are, and the blocks are
//!   written in order. Each core keeps its own annotator, which remembers the annotations of the
//!   catalog's codes it has written (most lines with codes repeat a few codes). The output is the
//!   same, byte for byte, as line by line.
//! - **Memory is bounded.** At most one line is held; a line longer than [`MAX_LINE_BYTES`]
//!   passes through without an annotation instead of being held whole.
//!
//! The annotation of a line is one bracket per code, in ascending order of code:
//!
//! ```text
//! E/JMessage: login failed, code=801004  ⟨801004 login: Login failed: the password is wrong.⟩
//! {"error":{"code":812345}}  ⟨812345 unknown code⟩
//! ```

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::mpsc;

use anyhow::Context;
use memchr::{memchr, memrchr};
use rustc_hash::FxHashMap;

use crate::catalog::{Catalog, Code, Platform};
use crate::cli::{AnnotateArgs, LangChoice};
use crate::exit::Outcome;
use crate::extract::{Extractor, Hit, Mode};
use crate::render::catalog::Lang;
use crate::render::terminal::sanitize;
use crate::render::{CODE, DIM, Look, WARN};
use crate::scan::{CodeLines, scan_chunk_marking};
use crate::tally::Tally;
use crate::utf16::{TextEncoding, Utf16Reader};

/// The longest line held in memory, in bytes. Longer lines pass through without an annotation.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Read and write buffer size: large blocks for files, while a pipe's reads return what is there.
const BUFFER_BYTES: usize = 64 << 10;

/// A regular file is annotated in blocks of about this many bytes of whole lines.
pub const BLOCK_BYTES: usize = 1 << 20;

/// A line longer than this ends the parallel annotation of a file: from its start, the rest of the
/// file goes line by line (which lets lines over [`MAX_LINE_BYTES`] pass through unannotated).
pub const BLOCK_MAX_LINE: usize = 4 << 20;

/// Runs `jmlog annotate`: the input (a file, or standard input for `-` or no path) to standard
/// output. Fails when the input cannot be opened or read, or the output cannot be written (main
/// treats a closed pipe as success).
pub fn run(args: &AnnotateArgs, look: Look) -> anyhow::Result<Outcome> {
    let mode = if args.loose {
        Mode::Loose
    } else {
        Mode::Strict
    };
    let lang = match args.lang {
        LangChoice::En => Lang::En,
        LangChoice::Zh => Lang::Zh,
    };
    let extractor = Extractor::new(Catalog::builtin(), mode);
    let mut annotator = Annotator::new(extractor, lang, args.only, look);
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(BUFFER_BYTES, stdout.lock());
    let threads = crate::config::threads(None);
    match args.path.as_deref().filter(|p| *p != Path::new("-")) {
        None => match regular_stdin() {
            Some(file) => match text_of_file(file).context("standard input")? {
                Text::Utf8(file) => {
                    annotate_regular(file, "standard input", &annotator, &mut out, threads)?
                }
                Text::Utf16(text) => {
                    annotate_file(text, "standard input", &annotator, &mut out, threads)?
                }
            },
            None => {
                let mut input = text_stream(io::stdin().lock()).context("standard input")?;
                annotate(&mut input, "standard input", &mut annotator, &mut out)?;
            }
        },
        Some(path) => {
            let name = sanitize(&path.display().to_string(), 400);
            let file = File::open(path).with_context(|| name.clone())?;
            if file.metadata().is_ok_and(|m| m.is_file()) {
                match text_of_file(file).with_context(|| name.clone())? {
                    Text::Utf8(file) => {
                        annotate_regular(file, &name, &annotator, &mut out, threads)?
                    }
                    Text::Utf16(text) => annotate_file(text, &name, &annotator, &mut out, threads)?,
                }
            } else {
                let mut input = text_stream(file).with_context(|| name.clone())?;
                annotate(&mut input, &name, &mut annotator, &mut out)?;
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// Copies `input` to `out` line by line, annotating the lines with codes. `name` names the input in
/// read errors. Output is flushed before each read that could block, so a line never waits in the
/// output buffer for the next one to arrive.
pub fn annotate(
    input: &mut dyn BufRead,
    name: &str,
    annotator: &mut Annotator<'_>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut line: Vec<u8> = Vec::new();
    // Inside a line longer than `annotator.max_line`: its pieces pass straight through.
    let mut overlong = false;
    // Whether the last read's bytes were all used: the next `fill_buf` reads, and may block.
    let mut drained = true;
    loop {
        if drained {
            out.flush()?;
        }
        let available = match input.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(anyhow::Error::new(e).context(name.to_owned())),
        };
        if available.is_empty() {
            break;
        }
        let (take, complete) = match memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        drained = take == available.len();
        let piece = &available[..take];
        if overlong {
            if !annotator.only {
                out.write_all(piece)?;
            }
            overlong = !complete;
        } else if complete && line.is_empty() {
            // The whole line is in the buffer: no need to copy it.
            annotator.write_line(piece, out)?;
        } else {
            line.extend_from_slice(piece);
            if complete {
                annotator.write_line(&line, out)?;
                line.clear();
            } else if line.len() >= annotator.max_line {
                if !annotator.only {
                    out.write_all(&line)?;
                }
                line.clear();
                overlong = true;
            }
        }
        input.consume(take);
    }
    if !line.is_empty() {
        // The last line, without a terminator.
        annotator.write_line(&line, out)?;
    }
    out.flush()?;
    Ok(())
}

/// The text of a regular file: UTF-8 (or anything else read byte for byte) as it is, or UTF-16
/// decoded to UTF-8.
enum Text {
    Utf8(File),
    Utf16(Utf16Reader<io::Chain<io::Cursor<Vec<u8>>, File>>),
}

/// Tells a regular file's text by its byte-order mark. A UTF-8 file is handed back where it was,
/// to be read in blocks as it is.
fn text_of_file(mut file: File) -> io::Result<Text> {
    use std::io::{Seek, SeekFrom};
    let (head, text) = sniff(&mut file)?;
    Ok(match text {
        TextEncoding::Utf8 => {
            file.seek(SeekFrom::Current(-(head.len() as i64)))?;
            Text::Utf8(file)
        }
        _ => Text::Utf16(Utf16Reader::new(io::Cursor::new(head).chain(file), text)),
    })
}

/// Reads the first two bytes of `input` (fewer if it is shorter) and tells its text by them.
fn sniff(input: &mut impl Read) -> io::Result<(Vec<u8>, TextEncoding)> {
    match crate::input::read_some(input, 2) {
        (head, None) => {
            let text = TextEncoding::sniff(&head);
            Ok((head, text))
        }
        (_, Some(e)) => Err(e),
    }
}

/// A stream (a pipe, a FIFO, a terminal) as lines of UTF-8 text: read as it is, or decoded from
/// UTF-16 when it starts with a byte-order mark.
fn text_stream<'a>(mut input: impl Read + 'a) -> io::Result<Box<dyn BufRead + 'a>> {
    let (head, text) = sniff(&mut input)?;
    let input = io::Cursor::new(head).chain(input);
    Ok(match text {
        TextEncoding::Utf8 => Box::new(BufReader::with_capacity(BUFFER_BYTES, input)),
        _ => Box::new(BufReader::with_capacity(
            BUFFER_BYTES,
            Utf16Reader::new(input, text),
        )),
    })
}

/// Standard input, when it is a regular file (`jmlog annotate < app.log`), which cannot block.
fn regular_stdin() -> Option<File> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
        let file = File::from(fd);
        file.metadata().ok()?.is_file().then_some(file)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// A block of whole lines read from a file, and the annotated text made of it.
#[derive(Default)]
struct Block {
    /// Initialised to its full length; the first `len` bytes hold the lines.
    input: Vec<u8>,
    len: usize,
    output: Vec<u8>,
}

/// Annotates a regular file in blocks of whole lines, on `threads` threads at once, writing the
/// blocks in order: the same bytes as [`annotate`] gives, much faster. At most `threads + 2`
/// blocks are in memory. A line longer than [`BLOCK_MAX_LINE`] hands the rest of the file, from
/// that line's start, to [`annotate`].
pub fn annotate_file<'c>(
    mut file: impl Read + Send,
    name: &str,
    annotator: &Annotator<'c>,
    out: &mut dyn Write,
    threads: usize,
) -> anyhow::Result<()> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .context("starting threads")?;
    let in_flight = threads.max(1) + 2;
    let mut free: Vec<Block> = (0..in_flight).map(|_| Block::default()).collect();
    let (done_tx, done_rx) = mpsc::channel::<(usize, Block, Annotator<'c>)>();
    // The annotators not at work, each with the annotations it has written so far.
    let mut idle: Vec<Annotator<'c>> = Vec::new();
    // The partial line at the end of the last block read.
    let mut carry: Vec<u8> = Vec::new();
    let mut read_error = None;
    let mut long_line = false;
    let written: anyhow::Result<()> = pool.in_place_scope(|scope| {
        let mut early = BTreeMap::new();
        let next_write = std::cell::Cell::new(0);
        let mut blocks = 0;
        // Writes the blocks that are done and next in order, waiting for one when `wait`.
        let mut drain =
            |free: &mut Vec<Block>, idle: &mut Vec<Annotator<'c>>, wait: bool| -> io::Result<()> {
                let mut waited = !wait;
                loop {
                    let done = if waited {
                        done_rx.try_recv().ok()
                    } else {
                        waited = true;
                        done_rx.recv().ok()
                    };
                    let Some((seq, block, annotator)) = done else {
                        break;
                    };
                    idle.push(annotator);
                    early.insert(seq, block);
                    while let Some(mut block) = early.remove(&next_write.get()) {
                        out.write_all(&block.output)?;
                        block.output.clear();
                        free.push(block);
                        next_write.set(next_write.get() + 1);
                    }
                }
                Ok(())
            };
        loop {
            // A block done out of order stays held until those before it are written.
            while free.is_empty() {
                drain(&mut free, &mut idle, true)?;
            }
            let mut block = free.pop().expect("a block is free");
            if block.input.len() < carry.len() + BLOCK_BYTES {
                block.input.resize(carry.len() + BLOCK_BYTES, 0);
            }
            block.input[..carry.len()].copy_from_slice(&carry);
            block.len = carry.len();
            carry.clear();
            // Fill the block; a line longer than the block grows it, up to BLOCK_MAX_LINE.
            let eof = loop {
                match fill(&mut file, &mut block) {
                    Ok(false) => {}
                    Ok(true) => break true,
                    Err(e) => {
                        read_error = Some(e);
                        break true;
                    }
                }
                if memrchr(b'\n', &block.input[..block.len]).is_some() {
                    break false;
                }
                if block.len >= BLOCK_MAX_LINE {
                    long_line = true;
                    break true;
                }
                block.input.resize(block.len + BLOCK_BYTES, 0);
            };
            if long_line {
                carry.extend_from_slice(&block.input[..block.len]);
                free.push(block);
                break;
            }
            if !eof {
                let cut = memrchr(b'\n', &block.input[..block.len]).expect("found above") + 1;
                carry.extend_from_slice(&block.input[cut..block.len]);
                block.len = cut;
            }
            if block.len > 0 {
                let mut annotator = idle.pop().unwrap_or_else(|| annotator.clone());
                let (seq, done) = (blocks, done_tx.clone());
                blocks += 1;
                scope.spawn(move |_| {
                    annotator.annotate_block(&mut block);
                    // The receiver outlives the scope, so this cannot fail.
                    let _ = done.send((seq, block, annotator));
                });
            } else {
                free.push(block);
            }
            if eof {
                break;
            }
            drain(&mut free, &mut idle, false)?;
        }
        while next_write.get() < blocks {
            drain(&mut free, &mut idle, true)?;
        }
        Ok(())
    });
    written?;
    if let Some(e) = read_error {
        out.flush()?;
        return Err(anyhow::Error::new(e).context(name.to_owned()));
    }
    if long_line {
        let mut rest = BufReader::with_capacity(BUFFER_BYTES, io::Cursor::new(carry).chain(file));
        return annotate(&mut rest, name, &mut annotator.clone(), out);
    }
    out.flush()?;
    Ok(())
}

/// Annotates a regular file in parallel: mapped into memory where it can be ([`annotate_mapped`]),
/// else, and from where the mapped file cannot go on, read ([`annotate_file`]).
fn annotate_regular(
    file: File,
    name: &str,
    annotator: &Annotator<'_>,
    out: &mut dyn Write,
    threads: usize,
) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Seek;
        // Standard input may have been read from already: the mapping starts at the file's start.
        let at_start = (&file).stream_position().is_ok_and(|p| p == 0);
        let size = file.metadata().map_or(0, |m| m.len());
        let mapped = at_start
            .then(|| crate::mapped::MappedFile::map(&file, size))
            .flatten();
        if let Some(map) = mapped {
            return annotate_map_then_read(map, &file, name, annotator, out, threads);
        }
    }
    annotate_file(file, name, annotator, out, threads)
}

/// [`annotate_mapped`], then the rest of the file it leaves, read from the offset it gives.
#[cfg(unix)]
fn annotate_map_then_read(
    map: crate::mapped::MappedFile,
    file: &File,
    name: &str,
    annotator: &Annotator<'_>,
    out: &mut dyn Write,
    threads: usize,
) -> anyhow::Result<()> {
    use std::io::{Seek, SeekFrom};
    let rest = annotate_mapped(&map, file, annotator, out, threads)?;
    drop(map);
    let Some(offset) = rest else {
        out.flush()?;
        return Ok(());
    };
    let mut file = file;
    file.seek(SeekFrom::Start(offset))
        .with_context(|| name.to_owned())?;
    annotate_file(file, name, annotator, out, threads)
}

/// [`annotate_file`] over the bytes of `map`, a mapping of `file`, with no copy out of the page
/// cache: blocks of whole lines are annotated on every core, a round of them at a time, and written
/// in order. Returns the offset from which the rest of the file still has to be annotated by
/// reading it, if any: the start of a block holding a line longer than [`BLOCK_MAX_LINE`], or of
/// the first block not written when the file turns out to have been cut short under the mapping
/// (then the bytes past the cut read as zeros, which must not be written as the file's).
#[cfg(unix)]
fn annotate_mapped(
    map: &crate::mapped::MappedFile,
    file: &File,
    annotator: &Annotator<'_>,
    out: &mut dyn Write,
    threads: usize,
) -> anyhow::Result<Option<u64>> {
    use rayon::prelude::*;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .context("starting threads")?;
    let bytes = map.bytes();
    let round = 2 * threads.max(1);
    let mut outputs: Vec<Vec<u8>> = (0..round).map(|_| Vec::new()).collect();
    // One annotator per block of a round, kept from round to round with what it has learnt (the
    // annotations of the codes it has met).
    let mut annotators: Vec<Annotator<'_>> = (0..round).map(|_| annotator.clone()).collect();
    let mut start = 0;
    while start < bytes.len() {
        // The blocks of this round: whole lines, about BLOCK_BYTES each.
        let mut blocks = Vec::with_capacity(round);
        let mut long_line = false;
        while blocks.len() < round && start < bytes.len() {
            let from = (start + BLOCK_BYTES - 1).min(bytes.len());
            let end = memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |p| from + p + 1);
            if end - start > BLOCK_MAX_LINE {
                long_line = true;
                break;
            }
            blocks.push(start..end);
            start = end;
        }
        let round_start = blocks.first().map_or(start, |b| b.start);
        pool.install(|| {
            blocks
                .par_iter()
                .zip(outputs.par_iter_mut())
                .zip(annotators.par_iter_mut())
                .for_each(|((block, output), annotator)| {
                    crate::mapped::prefault(&bytes[block.clone()]);
                    output.clear();
                    annotator.annotate_text(&bytes[block.clone()], output);
                })
        });
        // What was annotated is the file's text only if no page of it lay past the file's end.
        let shrank = map.faulted()
            || file.metadata().map_or(true, |m| {
                m.len() < blocks.last().map_or(0, |b| b.end) as u64
            });
        if shrank {
            return Ok(Some(round_start as u64));
        }
        for output in &outputs[..blocks.len()] {
            out.write_all(output)?;
        }
        crate::mapped::release(bytes, round_start..start);
        if long_line {
            return Ok(Some(start as u64));
        }
    }
    Ok(None)
}

/// Reads into `block` until its buffer is full or the input ends; `true` at the end.
fn fill(file: &mut impl Read, block: &mut Block) -> io::Result<bool> {
    while block.len < block.input.len() {
        match file.read(&mut block.input[block.len..]) {
            Ok(0) => return Ok(true),
            Ok(n) => block.len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// Writes lines with the annotations of their codes.
#[derive(Debug, Clone)]
pub struct Annotator<'c> {
    extractor: Extractor<'c>,
    lang: Lang,
    /// Leave out lines without codes.
    only: bool,
    look: Look,
    /// A line still unfinished at this length passes through unannotated ([`MAX_LINE_BYTES`]; less
    /// in tests).
    max_line: usize,
    hits: Vec<Hit>,
    /// The lines with codes of the text being annotated, and their codes (kept for its memory).
    marks: CodeLines,
    /// The annotations of the catalog's codes written so far, by code and, for a code whose
    /// meaning depends on it, the platform of the line: most lines with codes repeat a few codes.
    /// At most one per code and platform of the catalog; unknown codes are not kept, since a log
    /// may hold millions of them.
    annotations: FxHashMap<(Code, Option<Platform>), String>,
}

impl<'c> Annotator<'c> {
    pub fn new(extractor: Extractor<'c>, lang: Lang, only: bool, look: Look) -> Annotator<'c> {
        Annotator {
            extractor,
            lang,
            only,
            look,
            max_line: MAX_LINE_BYTES,
            hits: Vec::new(),
            marks: CodeLines::default(),
            annotations: FxHashMap::default(),
        }
    }

    /// Writes `line` (with its terminator, if it has one) as it is, its annotation inserted before
    /// the terminator when it holds codes; with `only`, writes nothing for a line without codes.
    pub fn write_line(&mut self, line: &[u8], out: &mut dyn Write) -> io::Result<()> {
        let (body, terminator) = split_terminator(line);
        let mut hits = std::mem::take(&mut self.hits);
        hits.clear();
        self.extractor.line_hits(body, &mut hits);
        let written = if hits.is_empty() {
            if self.only {
                Ok(())
            } else {
                out.write_all(line)
            }
        } else {
            self.write_annotated(body, terminator, &hits, out)
        };
        self.hits = hits;
        written
    }

    /// Writes the line `body` with the annotations of `hits`, its codes, then `terminator`.
    fn write_annotated(
        &mut self,
        body: &[u8],
        terminator: &[u8],
        hits: &[Hit],
        out: &mut dyn Write,
    ) -> io::Result<()> {
        out.write_all(body)?;
        for (i, &hit) in hits.iter().enumerate() {
            // Two spaces set the annotation off the log text; one separates its brackets.
            out.write_all(if i == 0 { b"  " } else { b" " })?;
            let platform = (hit.varies && self.lang == Lang::En)
                .then(|| crate::platform::of_line(body))
                .flatten();
            let formatted = || {
                annotation(
                    self.extractor.catalog(),
                    self.lang,
                    &self.look,
                    hit,
                    platform,
                )
            };
            if hit.known {
                let kept = self
                    .annotations
                    .entry((hit.code, platform))
                    .or_insert_with(formatted);
                out.write_all(kept.as_bytes())?;
            } else {
                out.write_all(formatted().as_bytes())?;
            }
        }
        out.write_all(terminator)
    }

    /// Annotates the whole lines of `block.input` into `block.output`: the block scanner finds the
    /// lines with codes, and the lines between them are copied as they are (or left out with
    /// `only`).
    fn annotate_block(&mut self, block: &mut Block) {
        self.annotate_text(&block.input[..block.len], &mut block.output);
    }

    /// Appends to `out` the annotated lines of `text`, whole lines.
    fn annotate_text(&mut self, text: &[u8], out: &mut Vec<u8>) {
        let mut marks = std::mem::take(&mut self.marks);
        marks.lines.clear();
        marks.hits.clear();
        scan_chunk_marking(text, &self.extractor, &mut Tally::default(), &mut marks);
        let mut copied = 0;
        let mut hits_from = 0;
        for &(start, hits_to) in &marks.lines {
            if !self.only {
                out.extend_from_slice(&text[copied..start]);
            }
            let end = memchr(b'\n', &text[start..]).map_or(text.len(), |p| start + p + 1);
            let (body, terminator) = split_terminator(&text[start..end]);
            self.write_annotated(body, terminator, &marks.hits[hits_from..hits_to], out)
                .expect("writing to memory");
            copied = end;
            hits_from = hits_to;
        }
        if !self.only {
            out.extend_from_slice(&text[copied..]);
        }
        self.marks = marks;
    }
}

/// `⟨801004 login: Login failed: the password is wrong.⟩`, or `⟨812345 unknown code⟩`. A code whose
/// meaning depends on the platform gets the meaning on `platform`, the platform of its line.
fn annotation(
    catalog: &Catalog,
    lang: Lang,
    look: &Look,
    hit: Hit,
    platform: Option<Platform>,
) -> String {
    let explained = match catalog.get(hit.code) {
        Some(entry) => {
            let text = match lang {
                Lang::En if hit.varies => &entry.meaning_on(platform).text(),
                Lang::En => &entry.meaning,
                Lang::Zh => &entry.description_zh,
            };
            format!("{} {text}", look.paint(DIM, &format!("{}:", entry.module)))
        }
        None => look.paint(
            WARN,
            match lang {
                Lang::En => "unknown code",
                Lang::Zh => "未知错误码",
            },
        ),
    };
    format!(
        "{}{} {explained}{}",
        look.paint(DIM, "⟨"),
        look.paint(CODE, &hit.code.to_string()),
        look.paint(DIM, "⟩")
    )
}

/// A line and its terminator: `\r\n`, `\n`, or nothing for a last line without one.
fn split_terminator(line: &[u8]) -> (&[u8], &[u8]) {
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    line.split_at(body.len())
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    fn annotator(only: bool, lang: Lang) -> Annotator<'static> {
        let extractor = Extractor::new(Catalog::builtin(), Mode::Strict);
        Annotator::new(extractor, lang, only, Look::PLAIN)
    }

    /// A read that fails (other than by an interruption) ends the parallel annotator with an error
    /// that names the input, after the lines read before it; an interruption is retried.
    #[test]
    fn a_failed_read_ends_the_parallel_annotator_and_an_interrupted_one_is_retried() {
        struct Failing {
            text: io::Cursor<Vec<u8>>,
            fail_at: u64,
            kind: io::ErrorKind,
            failed: bool,
        }
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if !self.failed && self.text.position() >= self.fail_at {
                    self.failed = true;
                    return Err(io::Error::new(self.kind, "the disk said no"));
                }
                let room = (self.fail_at.saturating_sub(self.text.position()) as usize).max(1);
                let n = buf.len().min(room);
                self.text.read(&mut buf[..n])
            }
        }
        let text = "E/JM: login failed, code=801004\n"
            .repeat(200_000)
            .into_bytes();
        let fail_at = (text.len() / 2) as u64;
        let annotator = annotator(false, Lang::En);
        for (kind, fails) in [
            (io::ErrorKind::Other, true),
            (io::ErrorKind::Interrupted, false),
        ] {
            let input = Failing {
                text: io::Cursor::new(text.clone()),
                fail_at,
                kind,
                failed: false,
            };
            let mut out = Vec::new();
            let result = annotate_file(input, "app.log", &annotator, &mut out, 2);
            let lines = out.iter().filter(|&&b| b == b'\n').count();
            if fails {
                let error = format!("{:#}", result.expect_err("a failed read is an error"));
                assert!(
                    error.contains("app.log") && error.contains("the disk said no"),
                    "{error}"
                );
                assert!(lines < 200_000, "{lines} lines written");
            } else {
                result.expect("an interrupted read is retried");
                assert_eq!(lines, 200_000);
            }
        }
    }

    /// The annotations kept for reuse are those of the catalog's codes, one per code: thousands
    /// of distinct unknown codes, annotated a block at a time or line by line, leave none behind.
    #[test]
    fn only_the_catalogs_annotations_are_kept() {
        let catalog = Catalog::builtin();
        let unknown: Vec<u32> = (7_100_000..)
            .filter(|&c| !catalog.contains(c))
            .take(5_000)
            .collect();
        let mut text = String::new();
        for (i, code) in unknown.iter().enumerate() {
            text.push_str(&format!("E/JMessage: send failed, code={code}\n"));
            let known = if i % 2 == 0 { 801004 } else { 803008 };
            text.push_str(&format!("E/JMessage: failed, code={known}\n"));
        }
        let mut by_blocks = annotator(false, Lang::En);
        let mut out = Vec::new();
        by_blocks.annotate_text(text.as_bytes(), &mut out);
        let mut by_lines = annotator(false, Lang::En);
        assert_eq!(out, annotated(text.as_bytes(), &mut by_lines));
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches("unknown code⟩").count(), 5_000);
        assert_eq!(out.matches("⟨801004 ").count(), 2_500);
        for kept in [&by_blocks.annotations, &by_lines.annotations] {
            let mut codes: Vec<u32> = kept.keys().map(|&(code, _)| code).collect();
            codes.sort_unstable();
            assert_eq!(codes, [801004, 803008]);
        }
    }

    fn annotated(input: &[u8], annotator: &mut Annotator<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        annotate(&mut &input[..], "test", annotator, &mut out).unwrap();
        out
    }

    /// As [`annotated`], with input read in small blocks, as a long line arrives.
    fn annotated_in_blocks(input: &[u8], annotator: &mut Annotator<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut reader = BufReader::with_capacity(4, input);
        annotate(&mut reader, "test", annotator, &mut out).unwrap();
        out
    }

    /// A mapped file gives what the line-by-line loop gives, whole, with a line too long for a
    /// block in it, and when the file is cut short under the mapping (before the first block, in
    /// the middle of the file, and within a line): then the output ends where the file now ends.
    #[cfg(unix)]
    #[test]
    fn a_mapped_file_is_annotated_as_far_as_it_goes() {
        let mut text = Vec::new();
        crate::synth::write_logs(&mut text, 6 << 20, 3).unwrap();
        let mut long = text.clone();
        long.extend(std::iter::repeat_n(b'x', BLOCK_MAX_LINE + 10));
        long.extend_from_slice(b" errorCode=803008\nE/JMessage: failed code=801004\n");
        crate::synth::write_logs(&mut long, 3 << 20, 4).unwrap();
        let size = text.len();
        // Cuts that leave less than a long line's worth of zeros past the new end, which the
        // blocks are cut at newlines in: only noticing the cut keeps them out of the output.
        let cuts = [
            (&long, long.len()),
            (&long, 5 << 20),
            (&text, size),
            (&text, 0),
            (&text, size - (2 << 20) - 7),
            (&text, size - 100),
        ];
        for (text, kept) in cuts {
            let size = text.len();
            // Removed when dropped, also when an assertion fails.
            let temp = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(temp.path(), text).unwrap();
            let file = File::open(temp.path()).unwrap();
            let map = crate::mapped::MappedFile::map(&file, size as u64).unwrap();
            std::fs::OpenOptions::new()
                .write(true)
                .open(temp.path())
                .unwrap()
                .set_len(kept as u64)
                .unwrap();
            let mut got = Vec::new();
            let ann = annotator(false, Lang::En);
            annotate_map_then_read(map, &file, "test", &ann, &mut got, 2).unwrap();
            let want = annotated(&text[..kept], &mut annotator(false, Lang::En));
            assert!(
                got == want,
                "cut to {kept} of {size} bytes: {} bytes, not {}",
                got.len(),
                want.len()
            );
        }
    }

    #[test]
    fn codes_are_explained_before_the_terminator() {
        let input = b"plain line\nlogin failed, code=801004\r\nerror_code: 812345 and code=803008";
        let got = annotated(input, &mut annotator(false, Lang::En));
        let want = "plain line\n\
            login failed, code=801004  ⟨801004 login: Login failed: the password is wrong.⟩\r\n\
            error_code: 812345 and code=803008  ⟨803008 messaging: Sending the message failed: \
            the sender is on the receiver's blacklist (one-to-one chats only).⟩ ⟨812345 unknown code⟩";
        assert_eq!(String::from_utf8(got).unwrap(), want);
    }

    #[test]
    fn only_keeps_lines_with_codes() {
        let input = b"a\ncode=801004\nb\n";
        let got = annotated(input, &mut annotator(true, Lang::Zh));
        assert_eq!(
            String::from_utf8(got).unwrap(),
            "code=801004  ⟨801004 login: 登录的用户密码错误，登录失败⟩\n"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_pass_through() {
        let input = b"\xff\xfe gbk \xb4\xed\xce\xf3 code=801004\n\x00\x01\n";
        let got = annotated(input, &mut annotator(false, Lang::En));
        let mut want = b"\xff\xfe gbk \xb4\xed\xce\xf3 code=801004".to_vec();
        want.extend_from_slice(
            "  ⟨801004 login: Login failed: the password is wrong.⟩\n".as_bytes(),
        );
        want.extend_from_slice(b"\x00\x01\n");
        assert_eq!(got, want);
    }

    #[test]
    fn overlong_lines_pass_through_unannotated() {
        let mut a = annotator(false, Lang::En);
        a.max_line = 16;
        let input = b"code=801004 is long\ncode=801004\n";
        let got = annotated_in_blocks(input, &mut a);
        let want = "code=801004 is long\ncode=801004  ⟨801004 login: Login failed: the password is wrong.⟩\n";
        assert_eq!(String::from_utf8(got).unwrap(), want);

        let mut a = annotator(true, Lang::En);
        a.max_line = 16;
        let got = annotated_in_blocks(input, &mut a);
        assert!(got.starts_with(b"code=801004  \xe2\x9f\xa8"), "{got:?}");
    }

    /// Input arriving in pieces, as from a pipe; records what the output had flushed before each read.
    struct Pieces {
        pieces: Vec<&'static [u8]>,
        flushed: Rc<RefCell<Vec<u8>>>,
        seen_at_read: Vec<usize>,
    }

    impl io::Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.seen_at_read.push(self.flushed.borrow().len());
            if self.pieces.is_empty() {
                return Ok(0);
            }
            let piece = self.pieces.remove(0);
            buf[..piece.len()].copy_from_slice(piece);
            Ok(piece.len())
        }
    }

    /// Output that only counts what was flushed.
    struct Flushed {
        pending: Vec<u8>,
        flushed: Rc<RefCell<Vec<u8>>>,
    }

    impl Write for Flushed {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.pending.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            self.flushed.borrow_mut().append(&mut self.pending);
            Ok(())
        }
    }

    #[test]
    fn every_complete_line_is_flushed_before_the_next_read() {
        let flushed = Rc::new(RefCell::new(Vec::new()));
        let pieces = Pieces {
            // A line, a line and the start of another, the rest of it.
            pieces: vec![b"one\n", b"two\nthr", b"ee\n"],
            flushed: flushed.clone(),
            seen_at_read: Vec::new(),
        };
        let mut input = BufReader::with_capacity(64, pieces);
        let mut out = Flushed {
            pending: Vec::new(),
            flushed: flushed.clone(),
        };
        annotate(
            &mut input,
            "test",
            &mut annotator(false, Lang::En),
            &mut out,
        )
        .unwrap();
        assert_eq!(flushed.borrow().as_slice(), b"one\ntwo\nthree\n");
        // Before each read: nothing, "one\n", "one\ntwo\n", everything.
        assert_eq!(input.get_ref().seen_at_read, vec![0, 4, 8, 14]);
    }
}
