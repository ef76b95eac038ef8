//! Archives as inputs: zip, and tar (plain or compressed with gzip, zstd, bzip2 or xz), recognised by
//! their content, plus the formats jmlog does not read, so that they are named instead of being
//! scanned as text.
//!
//! Each file inside an archive is an input of its own, named `ARCHIVE:MEMBER` (`logs.zip:app/main.log`;
//! an archive inside an archive adds another `:`, `bugreport.zip:dumpstate.zip:main.log`). Members are
//! decoded like files (a `.gz` member is inflated), archives inside archives are followed up to
//! [`MAX_DEPTH`] levels, and members come in natural order of their paths, as the files of a directory
//! do. Hidden members (a path part starting with `.`) are left out unless `--hidden` is given, and
//! binary ones are skipped with a note, as in directories. `--glob` and `--exclude` choose members by
//! their name or their path inside the archive; an archive inside an archive is opened whatever
//! `--glob` says (it is walked, as a directory is), while `--exclude` can leave it out.
//!
//! Nothing is extracted: every member is streamed through the chunked scanner, so its size does not
//! change how much memory jmlog uses. A zip lists its members in a central directory at its end; a zip
//! in a regular file is read from there with seeks. A zip that is a stream (standard input, or a
//! member of another archive) is first copied, as it is, to an unnamed temporary file that the system
//! deletes when it is closed, because the members of a streamed zip cannot all be delimited from
//! their local headers alone (stored members written with a data descriptor have no size before their
//! data) and because the central directory, not the local headers, is the authoritative list. Memory
//! stays bounded; the disk holds the compressed archive, never its decompressed members.
//!
//! A corrupt or truncated archive keeps the members read before the damage: a zip without a readable
//! central directory is read from its local headers up to the damage, a tar up to its last whole
//! member. The archive's own row in the report says what went wrong and how far jmlog got.

use std::cell::Cell;
use std::cmp::Ordering;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::time::Duration;

use jiff::Timestamp;
use rayon::ThreadPool;

use crate::extract::Extractor;
use crate::input::{Encoding, FileFilter, GzipMembers, natural_cmp};
use crate::pipeline::{EventSink, ReadOptions, TimeOptions, scan_input};
use crate::render::numbers::{group_digits, plural};
use crate::report::ScannedInput;
use crate::tally::{Event, Tally};
use crate::utf16::{TextEncoding, Utf16Reader};

/// How deep archives inside archives are followed; a deeper one is skipped with a note.
pub const MAX_DEPTH: usize = 8;

/// How many first bytes tell a container: a tar header is 512 bytes, its magic at 257.
pub const HEAD: usize = 512;

/// A container format, told from the first bytes of (decoded) data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Zip,
    Tar,
    /// An archive or compression format jmlog does not read, by name.
    Unsupported(&'static str),
}

impl Container {
    /// The container the data starts like, if any. `head` should hold the first [`HEAD`] bytes (fewer
    /// only when the data is shorter).
    pub fn sniff(head: &[u8]) -> Option<Container> {
        const MAGIC: &[(&[u8], &str)] = &[
            (b"PK\x03\x04", "zip"),
            (b"PK\x05\x06", "zip"),
            (b"PK\x07\x08", "split zip"),
            (b"7z\xbc\xaf\x27\x1c", "7z"),
            (b"Rar!\x1a\x07", "rar"),
            (b"\x04\x22\x4d\x18", "lz4"),
            (b"\x02\x21\x4c\x18", "lz4 (legacy)"),
            (b"LZIP", "lzip"),
            (b"\x89LZO\x00\r\n\x1a\n", "lzop"),
            (b"\x1f\x9d", "compress (.Z)"),
            (b"\x1f\xa0", "compress (LZH)"),
            (b"MSCF\0\0\0\0", "cabinet"),
            (b"!<arch>\n", "ar"),
            (b"xar!", "xar"),
            (b"\xff\x06\x00\x00sNaPpY", "snappy"),
            (b"\x5d\x00\x00", "lzma"),
        ];
        for (magic, name) in MAGIC {
            if head.starts_with(magic) {
                return Some(match *name {
                    "zip" => Container::Zip,
                    other => Container::Unsupported(other),
                });
            }
        }
        if is_tar_header(head) {
            return Some(Container::Tar);
        }
        if is_cpio_header(head) {
            return Some(Container::Unsupported("cpio"));
        }
        None
    }

    pub fn name(self) -> &'static str {
        match self {
            Container::Zip => "zip",
            Container::Tar => "tar",
            Container::Unsupported(name) => name,
        }
    }
}

/// A ustar/GNU header (`ustar` at byte 257), or an old-style one whose checksum is right.
fn is_tar_header(head: &[u8]) -> bool {
    if head.len() < HEAD {
        return false;
    }
    if &head[257..262] == b"ustar" {
        return true;
    }
    // Old (v7) headers have no magic: the checksum of the header, its own field counted as
    // spaces, written in octal. Text never passes: the name field ends in NUL bytes.
    let field = &head[148..156];
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|&b| b == b' ')
        .take_while(|b| (b'0'..=b'7').contains(b))
        .collect();
    if digits.is_empty() || !head[..100].contains(&0) {
        return false;
    }
    let stated = digits
        .iter()
        .fold(0u64, |n, &d| n * 8 + u64::from(d - b'0'));
    let sum: u64 = head[..HEAD]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(b)
            }
        })
        .sum();
    stated == sum
}

/// A cpio header in the portable ASCII formats: `070701`, `070702` or `070707` and octal or hex
/// digits after it.
fn is_cpio_header(head: &[u8]) -> bool {
    let (magic, digits) = match head {
        [b'0', b'7', b'0', b'7', b'0', b'1' | b'2', rest @ ..] => ("newc", rest),
        [b'0', b'7', b'0', b'7', b'0', b'7', rest @ ..] => ("odc", rest),
        _ => return false,
    };
    let need = if magic == "newc" { 104 } else { 70 };
    digits.len() >= need && digits[..need].iter().all(u8::is_ascii_hexdigit)
}

/// The name of an archive's row: its container and the compression around it.
fn archive_label(container: Container, encoding: Encoding) -> &'static str {
    match (container, encoding) {
        (Container::Tar, Encoding::Plain) => "tar",
        (Container::Tar, Encoding::Gzip) => "tar+gzip",
        (Container::Tar, Encoding::Zstd) => "tar+zstd",
        (Container::Tar, Encoding::Bzip2) => "tar+bzip2",
        (Container::Tar, Encoding::Xz) => "tar+xz",
        (Container::Zip, Encoding::Plain) => "zip",
        (Container::Zip, Encoding::Gzip) => "zip+gzip",
        (Container::Zip, Encoding::Zstd) => "zip+zstd",
        (Container::Zip, Encoding::Bzip2) => "zip+bzip2",
        (Container::Zip, Encoding::Xz) => "zip+xz",
        (Container::Unsupported(name), _) => name,
    }
}

/// A reader with its first bytes put back in front.
pub type Peeked<R> = io::Chain<io::Cursor<Vec<u8>>, Deferred<R>>;

/// Reads up to `n` first bytes of `reader` and gives them back with a reader that still yields
/// every byte from the start. An error met while peeking (corrupt or truncated compressed data
/// right at the start) is not returned here: the reader yields the bytes decoded before it, then
/// the error, so what was read is kept and the error is reported with it.
pub fn peek<R: Read>(mut reader: R, n: usize) -> (Vec<u8>, Peeked<R>) {
    let mut head = vec![0u8; n];
    let mut have = 0;
    let mut error = None;
    while have < n {
        match reader.read(&mut head[have..]) {
            Ok(0) => break,
            Ok(k) => have += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    head.truncate(have);
    let rest = Deferred { error, reader };
    (head.clone(), io::Cursor::new(head).chain(rest))
}

/// A reader that first yields the error met while peeking, if any, then reads on.
pub struct Deferred<R> {
    error: Option<io::Error>,
    reader: R,
}

impl<R: Read> Read for Deferred<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.error.take() {
            Some(e) => Err(e),
            None => self.reader.read(buf),
        }
    }
}

/// Wraps data in the decoder its first bytes call for. Members of archives are neither `Send` nor
/// `'static`, so this mirrors [`crate::input::decode`] for borrowed readers.
fn decode<'a>(reader: Box<dyn Read + 'a>) -> io::Result<(Box<dyn Read + 'a>, Encoding)> {
    let (head, source) = peek(reader, 6);
    let encoding = Encoding::sniff(&head);
    let buffered = |source| BufReader::with_capacity(256 << 10, source);
    let reader: Box<dyn Read + 'a> = match encoding {
        Encoding::Plain => Box::new(source),
        Encoding::Gzip => Box::new(GzipMembers::new(buffered(source))),
        Encoding::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(buffered(source))?),
        Encoding::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(buffered(source))),
        Encoding::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(buffered(
            source,
        ))),
    };
    Ok((reader, encoding))
}

/// Compares member paths part by part, each part naturally: the order a directory walk gives.
pub fn natural_path_cmp(a: &str, b: &str) -> Ordering {
    let mut a = a.trim_start_matches('/').split('/');
    let mut b = b.trim_start_matches('/').split('/');
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match natural_cmp(x, y) {
                Ordering::Equal => {}
                other => return other,
            },
        }
    }
}

/// A member's path as reports show it: without the `./` or `/` tar often puts in front.
fn member_path(path: &str) -> &str {
    let mut path = path;
    loop {
        let trimmed = path.trim_start_matches('/');
        let trimmed = trimmed.strip_prefix("./").unwrap_or(trimmed);
        if trimmed == path {
            return path;
        }
        path = trimmed;
    }
}

/// Whether a member path has a hidden part (`.git/config`, `__MACOSX/._main.log`).
fn is_hidden(path: &str) -> bool {
    path.split('/')
        .any(|part| part.starts_with('.') && part != "." && part != "..")
}

/// Receives the code occurrences of one input (named first) as the scan finds them.
pub type NamedEventSink<'a> = dyn Fn(&str, &[Event]) + Sync + 'a;

/// What reading members needs: how to scan, and what to report to.
pub struct Unpacker<'a> {
    pub extractor: &'a Arc<Extractor<'static>>,
    pub pool: &'a ThreadPool,
    pub chunk_size: usize,
    /// How to date the lines of a member last written at the given time (`None`: unknown).
    pub time: &'a (dyn Fn(Option<Timestamp>) -> Option<TimeOptions> + Sync),
    /// `--hidden`: read hidden members too.
    pub hidden: bool,
    /// `--glob` and `--exclude`: which members are read.
    pub filter: &'a FileFilter,
    pub on_chunk: &'a (dyn Fn() + Sync),
    pub on_events: Option<&'a NamedEventSink<'a>>,
}

/// What reading an archive gave: one row per member (and one for the archive itself when it is
/// damaged or empty), in natural order.
#[derive(Debug, Default)]
pub struct Unpacked {
    pub rows: Vec<(String, ScannedInput)>,
    /// Hidden members left out.
    pub hidden: u64,
    pub read_time: Duration,
    pub scan_time: Duration,
}

impl Unpacked {
    fn absorb(&mut self, other: Unpacked) {
        self.rows.extend(other.rows);
        self.hidden += other.hidden;
        self.read_time += other.read_time;
        self.scan_time += other.scan_time;
    }

    /// The archive's own row: what went wrong, or that it holds no files.
    fn archive_row(
        &mut self,
        name: &str,
        label: &'static str,
        read_bytes: u64,
        problem: Option<String>,
    ) {
        self.rows.push((
            name.to_owned(),
            ScannedInput {
                tally: Tally::default(),
                encoding: label,
                read_bytes,
                binary: false,
                skipped: None,
                error: problem,
            },
        ));
    }
}

/// A row for data jmlog recognised but does not read.
fn unsupported_row(format: &'static str, read_bytes: u64) -> ScannedInput {
    ScannedInput {
        tally: Tally::default(),
        encoding: format,
        read_bytes,
        binary: false,
        skipped: Some(format!("{format} data, a format jmlog does not read")),
        error: None,
    }
}

/// A member's row when it could not be read at all.
fn failed_row(encoding: &'static str, error: String) -> ScannedInput {
    ScannedInput {
        tally: Tally::default(),
        encoding,
        read_bytes: 0,
        binary: false,
        skipped: None,
        error: Some(error),
    }
}

/// Counts the bytes read through it (and seeks through to the inner reader).
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, AtomicOrdering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Counts the bytes read through it, and remembers whether the data ran out while a reader still
/// wanted more. The counts live outside it, so that they can be read once it has been handed on.
struct Metered<'c, R> {
    inner: R,
    read: &'c Cell<u64>,
    ended: &'c Cell<bool>,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.ended.set(true);
        }
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

impl Unpacker<'_> {
    /// Reads an archive held in a regular file, from its central directory (zip) or as a stream.
    /// `raw` counts the bytes read from the file, for progress.
    pub fn read_zip_file(&self, name: &str, file: File, raw: &Arc<AtomicU64>) -> Unpacked {
        let mut out = Unpacked::default();
        let counting = Counting {
            inner: file,
            count: Arc::clone(raw),
        };
        self.zip_seekable(name, counting, Encoding::Plain, 1, &mut out);
        out
    }

    /// Reads an archive of `container` format whose (decoded) data is `reader`; `encoding` is the
    /// compression it was decoded from.
    pub fn read_stream(
        &self,
        name: &str,
        container: Container,
        reader: &mut dyn Read,
        encoding: Encoding,
        depth: usize,
    ) -> Unpacked {
        let mut out = Unpacked::default();
        match container {
            Container::Tar => self.tar(name, reader, encoding, depth, &mut out),
            Container::Zip => self.zip_stream(name, reader, encoding, depth, &mut out),
            Container::Unsupported(format) => {
                out.rows.push((name.to_owned(), unsupported_row(format, 0)));
            }
        }
        out
    }

    fn tar(
        &self,
        name: &str,
        reader: &mut dyn Read,
        encoding: Encoding,
        depth: usize,
        out: &mut Unpacked,
    ) {
        let label = archive_label(Container::Tar, encoding);
        let (read, ended) = (Cell::new(0), Cell::new(false));
        let source = Metered {
            inner: reader,
            read: &read,
            ended: &ended,
        };
        let mut archive = tar::Archive::new(source);
        let mut groups: Vec<(String, Unpacked)> = Vec::new();
        let mut problem = None;
        let mut last_member: Option<String> = None;
        let before = out.rows.len();
        match archive.entries() {
            Err(e) => problem = Some(e.to_string()),
            Ok(entries) => {
                for entry in entries {
                    let mut entry = match entry {
                        Ok(entry) => entry,
                        Err(e) => {
                            problem = Some(e.to_string());
                            break;
                        }
                    };
                    if !entry.header().entry_type().is_file() {
                        continue;
                    }
                    let path = match entry.path() {
                        Ok(p) => member_path(&p.to_string_lossy()).to_owned(),
                        Err(e) => {
                            problem = Some(format!("a member's name is unreadable: {e}"));
                            break;
                        }
                    };
                    let size = entry.size();
                    let modified = entry
                        .header()
                        .mtime()
                        .ok()
                        // 0 is what archivers write when they do not know.
                        .filter(|&s| s > 0)
                        .and_then(|s| Timestamp::from_second(s as i64).ok());
                    let mut group = Unpacked::default();
                    if is_hidden(&path) && !self.hidden {
                        group.hidden += 1;
                    } else if !self.excluded(&path) {
                        let member = format!("{name}:{path}");
                        let at = (Some(size), modified, depth);
                        self.member(&member, &path, &mut entry, at, &mut group);
                    }
                    last_member = Some(path.clone());
                    groups.push((path, group));
                }
            }
        }
        let members = groups.len();
        groups.sort_by(|a, b| natural_path_cmp(&a.0, &b.0));
        for (_, group) in groups {
            out.absorb(group);
        }
        // A tar ends with a block of zeros; data that simply stops is a truncated archive, even when
        // it stops between two members.
        if problem.is_none() && ended.get() {
            problem = Some("the data ends before the archive's end marker".to_owned());
        }
        if let Some(problem) = problem {
            let at = match &last_member {
                Some(path) => format!(
                    "{} (the last {path})",
                    plural(members as u64, "file", "files")
                ),
                None => "no file".to_owned(),
            };
            let reason = format!(
                "corrupt or truncated {label} archive after {} bytes of tar data and {at} (kept what was read): {problem}",
                group_digits(read.get())
            );
            out.archive_row(name, label, read.get(), Some(reason));
        } else if members == 0 || (depth == 1 && out.rows.len() == before) {
            // No files; or, for an archive named or found as an input, none read (hidden, or
            // left out by the filters): it is still listed.
            out.archive_row(name, label, read.get(), None);
        }
    }

    /// A zip that is a stream: copied to an unnamed temporary file first (see the module's docs).
    fn zip_stream(
        &self,
        name: &str,
        reader: &mut dyn Read,
        encoding: Encoding,
        depth: usize,
        out: &mut Unpacked,
    ) {
        let label = archive_label(Container::Zip, encoding);
        let mut spool = match tempfile::tempfile() {
            Ok(file) => file,
            Err(e) => {
                let why = format!("no temporary file to read the zip from: {e}");
                return out.archive_row(name, label, 0, Some(why));
            }
        };
        let mut buf = vec![0u8; 64 << 10];
        let mut copied = 0u64;
        let broken = loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break None,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break Some(e),
            };
            if let Err(e) = io::Write::write_all(&mut spool, &buf[..n]) {
                let why = format!("could not copy the zip to a temporary file to read it: {e}");
                return out.archive_row(name, label, copied, Some(why));
            }
            copied += n as u64;
        };
        if let Err(e) = spool.seek(SeekFrom::Start(0)) {
            return out.archive_row(name, label, copied, Some(e.to_string()));
        }
        // What arrived is still read: the members before the damage are kept.
        let before = out.rows.len();
        self.zip_seekable(name, spool, encoding, depth, out);
        if let Some(e) = broken {
            let why = format!(
                "corrupt or truncated {label} data after {} bytes: {e}",
                group_digits(copied)
            );
            // One row for the archive, whose problem says both what broke and what was saved.
            let own = out.rows[before..]
                .iter_mut()
                .rfind(|(n, row)| n == name && row.error.is_some());
            match own {
                Some((_, row)) => {
                    let saved = row.error.take().unwrap_or_default();
                    row.error = Some(format!("{why}; {saved}"));
                }
                None => out.archive_row(name, label, copied, Some(why)),
            }
        }
    }

    fn zip_seekable<R: Read + Seek>(
        &self,
        name: &str,
        mut reader: R,
        encoding: Encoding,
        depth: usize,
        out: &mut Unpacked,
    ) {
        let label = archive_label(Container::Zip, encoding);
        let mut zip = match zip::ZipArchive::new(&mut reader) {
            Ok(zip) => zip,
            Err(e) => {
                let problem = e.to_string();
                return match reader.seek(SeekFrom::Start(0)) {
                    Ok(_) => self.zip_salvage(name, &mut reader, label, &problem, depth, out),
                    Err(e) => out.archive_row(name, label, 0, Some(format!("{problem}; {e}"))),
                };
            }
        };
        let mut order: Vec<usize> = (0..zip.len()).collect();
        order.sort_by(|&a, &b| {
            natural_path_cmp(
                zip.name_for_index(a).unwrap_or(""),
                zip.name_for_index(b).unwrap_or(""),
            )
        });
        let before = out.rows.len();
        let mut files = 0;
        for i in order {
            let path = member_path(zip.name_for_index(i).unwrap_or("")).to_owned();
            let member = format!("{name}:{path}");
            let mut file = match zip.by_index(i) {
                Ok(file) => file,
                Err(e) => {
                    files += 1;
                    out.rows.push((
                        member,
                        failed_row("zip", format!("cannot read this member: {e}")),
                    ));
                    continue;
                }
            };
            if !file.is_file() {
                continue;
            }
            files += 1;
            if is_hidden(&path) && !self.hidden {
                out.hidden += 1;
                continue;
            }
            if self.excluded(&path) {
                continue;
            }
            let modified = file.last_modified().and_then(dos_time);
            let at = (Some(file.size()), modified, depth);
            self.member(&member, &path, &mut file, at, out);
        }
        if files == 0 || (depth == 1 && out.rows.len() == before) {
            // No files; or, for an archive named or found as an input, none read (hidden, or
            // left out by the filters): it is still listed.
            out.archive_row(name, label, 0, None);
        }
    }

    /// Reads what can be read of a zip whose central directory is missing or damaged (a truncated
    /// download, a cut-off copy): the members from their local headers, in order, up to the damage.
    fn zip_salvage(
        &self,
        name: &str,
        reader: &mut dyn Read,
        label: &'static str,
        problem: &str,
        depth: usize,
        out: &mut Unpacked,
    ) {
        let (read, ended) = (Cell::new(0), Cell::new(false));
        let mut source = Metered {
            inner: reader,
            read: &read,
            ended: &ended,
        };
        let mut groups: Vec<(String, Unpacked)> = Vec::new();
        let mut members = 0;
        let stopped = loop {
            let mut file = match zip::read::read_zipfile_from_stream(&mut source) {
                Ok(Some(file)) => file,
                Ok(None) => break None,
                Err(e) => break Some(e.to_string()),
            };
            let path = member_path(file.name()).to_owned();
            let mut group = Unpacked::default();
            if file.is_file() {
                members += 1;
                if is_hidden(&path) && !self.hidden {
                    group.hidden += 1;
                } else if !self.excluded(&path) {
                    let member = format!("{name}:{path}");
                    let modified = file.last_modified().and_then(dos_time);
                    let at = (Some(file.size()), modified, depth);
                    self.member(&member, &path, &mut file, at, &mut group);
                }
            }
            drop(file);
            groups.push((path, group));
        };
        groups.sort_by(|a, b| natural_path_cmp(&a.0, &b.0));
        for (_, group) in groups {
            out.absorb(group);
        }
        let then = match stopped {
            Some(e) => format!(", then: {e}"),
            None => String::new(),
        };
        let reason = format!(
            "corrupt or truncated {label} archive: its central directory is unreadable ({problem}); \
             read {} from their local headers in its first {} bytes (kept what was read){then}",
            plural(members, "file", "files"),
            group_digits(read.get())
        );
        out.archive_row(name, label, read.get(), Some(reason));
    }

    /// Whether `--exclude` leaves out the member at `path` (inside its archive), archive or not.
    fn excluded(&self, path: &str) -> bool {
        let file_name = path.rsplit('/').next().unwrap_or(path);
        self.filter.excluded(file_name, path)
    }

    /// Whether `--glob` chooses the member at `path`. Only members that are not archives are
    /// chosen by it: an archive inside an archive is opened, as a directory is walked, and its
    /// members are chosen.
    fn globbed(&self, path: &str) -> bool {
        let file_name = path.rsplit('/').next().unwrap_or(path);
        self.filter.globbed(file_name, path)
    }

    /// Reads one member (`name` in reports, `path` inside its archive; `at`: its size, when it
    /// was last written, and how deep it is): decodes it, and scans it as text or follows it as
    /// an archive, unless `--glob` leaves it out.
    fn member(
        &self,
        name: &str,
        path: &str,
        reader: &mut dyn Read,
        (size, modified, depth): (Option<u64>, Option<Timestamp>, usize),
        out: &mut Unpacked,
    ) {
        let (read, ended) = (Cell::new(0), Cell::new(false));
        let counted = Metered {
            inner: reader,
            read: &read,
            ended: &ended,
        };
        let opened = decode(Box::new(counted)).map(|(decoded, encoding)| {
            let (head, reader) = peek(decoded, HEAD);
            (Container::sniff(&head), head, reader, encoding)
        });
        let (container, head, mut reader, encoding) = match opened {
            Ok(opened) => opened,
            // Not told from an archive; a file `--glob` leaves out is not read, whatever it holds.
            Err(_) if !self.globbed(path) => return,
            Err(e) => {
                out.rows
                    .push((name.to_owned(), failed_row("plain", e.to_string())));
                return;
            }
        };
        let followed = matches!(container, Some(c) if !matches!(c, Container::Unsupported(_)));
        if !followed && !self.globbed(path) {
            return;
        }
        match container {
            Some(Container::Unsupported(format)) => {
                drop(reader);
                out.rows
                    .push((name.to_owned(), unsupported_row(format, read.get())));
            }
            Some(container) if depth >= MAX_DEPTH => {
                drop(reader);
                let mut row = unsupported_row(container.name(), read.get());
                row.skipped = Some(format!(
                    "{} archive nested more than {MAX_DEPTH} deep, not followed",
                    container.name()
                ));
                out.rows.push((name.to_owned(), row));
            }
            Some(container) => {
                let inner = self.read_stream(name, container, &mut reader, encoding, depth + 1);
                out.absorb(inner);
            }
            None => {
                // UTF-16 with a byte-order mark is decoded to UTF-8, as for files.
                let text = TextEncoding::sniff(&head);
                let mut reader: Box<dyn Read + '_> = match text {
                    TextEncoding::Utf8 => Box::new(reader),
                    _ => Box::new(Utf16Reader::new(reader, text)),
                };
                let time = (self.time)(modified);
                let events = self
                    .on_events
                    .map(|sink| move |events: &[Event]| sink(name, events));
                let options = ReadOptions {
                    chunk_size: self.chunk_size,
                    time: time.as_ref(),
                    skip_binary: true,
                    on_chunk: self.on_chunk,
                    on_events: events.as_ref().map(|e| e as &EventSink<'_>),
                };
                let scanned = scan_input(&mut reader, self.extractor, self.pool, &options);
                drop(reader);
                let mut error = scanned.error.as_ref().map(|e| {
                    format!(
                        "read only in part: the member's data stops after {} bytes of text (kept what was read): {e}",
                        group_digits(scanned.tally.bytes)
                    )
                });
                // A member whose data ends before its stated size was cut off with its archive.
                if let Some(size) = size {
                    if error.is_none() && !scanned.binary && read.get() < size {
                        error = Some(format!(
                            "read only in part: the archive ends {} bytes into this member of {} bytes (kept what was read)",
                            group_digits(read.get()),
                            group_digits(size)
                        ));
                    }
                }
                out.read_time += scanned.read_time;
                out.scan_time += scanned.scan_time;
                out.rows.push((
                    name.to_owned(),
                    ScannedInput {
                        tally: scanned.tally,
                        encoding: encoding.label(text),
                        read_bytes: read.get(),
                        binary: scanned.binary,
                        skipped: None,
                        error,
                    },
                ));
            }
        }
    }
}

/// A zip member's time (local time without a zone, as zip stores it), read as UTC: only its day
/// matters, for the year of year-less timestamps. The DOS epoch, 1980-01-01 00:00, is what zip
/// writers store when they know no time: the archive's own time is used instead.
fn dos_time(t: zip::DateTime) -> Option<Timestamp> {
    if (
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    ) == (1980, 1, 1, 0, 0, 0)
    {
        return None;
    }
    // A damaged archive may hold any bits here: build the time without panicking on them.
    let date = jiff::civil::Date::new(t.year() as i16, t.month() as i8, t.day() as i8).ok()?;
    let time =
        jiff::civil::Time::new(t.hour() as i8, t.minute() as i8, t.second() as i8, 0).ok()?;
    jiff::tz::TimeZone::UTC
        .to_timestamp(date.to_datetime(time))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_their_first_bytes() {
        assert_eq!(Container::sniff(b"PK\x03\x04rest"), Some(Container::Zip));
        assert_eq!(Container::sniff(b"PK\x05\x06"), Some(Container::Zip));
        assert_eq!(
            Container::sniff(b"7z\xbc\xaf\x27\x1c\x00\x04"),
            Some(Container::Unsupported("7z"))
        );
        assert_eq!(
            Container::sniff(b"Rar!\x1a\x07\x01\x00"),
            Some(Container::Unsupported("rar"))
        );
        assert_eq!(
            Container::sniff(b"\x04\x22\x4d\x18\x64\x40"),
            Some(Container::Unsupported("lz4"))
        );
        let mut tar = vec![0u8; HEAD];
        tar[..7].copy_from_slice(b"app.log");
        tar[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(Container::sniff(&tar), Some(Container::Tar));
        assert_eq!(Container::sniff(&tar[..300]), None, "a header is 512 bytes");
        let text = "E/App: login failed code=801004\n".repeat(20);
        assert_eq!(Container::sniff(text.as_bytes()), None);
        assert_eq!(Container::sniff(b"070701 is a number in a log line"), None);
        assert_eq!(Container::sniff(b""), None);
    }

    #[test]
    fn old_tar_headers_are_told_by_their_checksum() {
        let mut header = tar::Header::new_old();
        header.set_path("app.log").unwrap();
        header.set_size(10);
        header.set_cksum();
        assert_eq!(Container::sniff(header.as_bytes()), Some(Container::Tar));
        let mut broken = header.as_bytes().to_vec();
        broken[0] = b'b';
        assert_eq!(Container::sniff(&broken), None);
    }

    #[test]
    fn zip_times_unknown_to_their_writer_are_no_times() {
        assert_eq!(dos_time(zip::DateTime::default()), None);
        let t = zip::DateTime::from_date_and_time(2026, 11, 26, 5, 12, 0).unwrap();
        assert_eq!(
            dos_time(t),
            Some("2026-11-26T05:12:00Z".parse::<Timestamp>().unwrap())
        );
    }

    #[test]
    fn member_paths_sort_like_a_directory_walk() {
        let mut paths = vec![
            "b/x.log", "a.log.10", "a.log.2", "a/z.log", "a.log", "B.log",
        ];
        paths.sort_by(|a, b| natural_path_cmp(a, b));
        assert_eq!(
            paths,
            [
                "B.log", "a/z.log", "a.log", "a.log.2", "a.log.10", "b/x.log"
            ]
        );
        assert!(is_hidden("__MACOSX/._main.log"));
        assert!(is_hidden(".git/config"));
        assert!(!is_hidden("logs/main.log"));
        assert!(!is_hidden("./logs/main.log"));
        assert_eq!(member_path("./logs/main.log"), "logs/main.log");
        assert_eq!(member_path("/./a"), "a");
        assert_eq!(member_path("a/./b"), "a/./b");
    }
}
