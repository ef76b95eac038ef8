//! Inputs as users have them: files, directories of rotated logs, standard input, and compressed data.
//!
//! [`discover`] turns the paths on the command line into the list of inputs to scan: a directory is
//! walked recursively (sorted, so that `app.log.2` comes before `app.log.10`), filtered by `--glob` and
//! `--exclude`, with hidden entries skipped unless asked for and symbolic links followed only on
//! request (loops are then reported, not followed forever). Only regular files are read from
//! directories: FIFOs, sockets and devices there are skipped and named. An input named twice, or
//! reached twice (`dir` and `dir/a.log`, a symbolic link to a file already given), is read once,
//! where it comes first. [`open`] opens one input and detects its compression from the first bytes,
//! not from its name: gzip (all members of a multi-member file, and the zero padding `gzip -d` also
//! accepts after them), zstd (also when it starts with a skippable frame, as `pzstd` writes it),
//! bzip2 and xz; then, in the decompressed bytes, a UTF-16 byte-order mark.

use std::cmp::Ordering;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use globset::{Glob, GlobSet, GlobSetBuilder};
use walkdir::WalkDir;

use crate::render::numbers::group_digits;
use crate::utf16::{TextEncoding, Utf16Reader};

/// One input to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input, named `-` (or given no name at all).
    Stdin,
    /// A file; `explicit` when it was named on the command line rather than found in a directory.
    File { path: PathBuf, explicit: bool },
}

impl Input {
    /// The name reports use: the path as given or found, or `<stdin>`.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_owned(),
            Input::File { path, .. } => path.display().to_string(),
        }
    }

    /// Whether a binary file is scanned anyway: inputs named on the command line always are.
    pub fn explicit(&self) -> bool {
        match self {
            Input::Stdin => true,
            Input::File { explicit, .. } => *explicit,
        }
    }
}

/// How directories are walked.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Only files whose name or path matches one of these globs (when there are any).
    pub globs: Vec<String>,
    /// Never files whose name or path matches one of these globs.
    pub excludes: Vec<String>,
    /// Include hidden files and directories (names starting with `.`).
    pub hidden: bool,
    /// Follow symbolic links inside directories.
    pub follow_links: bool,
}

/// A problem found while discovering inputs: the path, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub reason: String,
}

/// An input left out because an earlier one is the same file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The input as given or found.
    pub path: String,
    /// The name of the earlier input that is the same file, and is read.
    pub same_as: String,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    /// Paths that could not be walked or opened as directories, with the reason.
    pub problems: Vec<Problem>,
    /// Entries of directories that are not regular files (FIFOs, sockets, devices), with what they
    /// are: reading them could block forever or never end.
    pub skipped: Vec<Problem>,
    /// Inputs that are the same file as an earlier input (by device and inode), so not read again.
    pub duplicates: Vec<Duplicate>,
    /// Hidden entries left out (use `--hidden` to include them).
    pub hidden_skipped: u64,
    /// Symbolic links to directories left out (use `--follow-links` to follow them).
    pub links_skipped: u64,
    /// `--glob` and `--exclude`, which choose the members of archives too.
    pub filter: FileFilter,
}

/// `--glob` and `--exclude`: which files under a directory, and which members of an archive, are
/// read. A file is matched by its name and by its path under the directory walked (or inside its
/// archive).
#[derive(Debug, Clone, Default)]
pub struct FileFilter {
    globs: Option<GlobSet>,
    excludes: Option<GlobSet>,
}

impl FileFilter {
    /// Compiles the patterns; a bad one is named with its option.
    pub fn new(globs: &[String], excludes: &[String]) -> Result<FileFilter, String> {
        Ok(FileFilter {
            globs: glob_set(globs, "--glob")?,
            excludes: glob_set(excludes, "--exclude")?,
        })
    }

    /// Whether `--glob` lets the file in: its name or path matches one of the globs, or there are none.
    pub fn globbed(&self, name: impl AsRef<Path>, path: impl AsRef<Path>) -> bool {
        self.globs
            .as_ref()
            .is_none_or(|set| set.is_match(name) || set.is_match(path))
    }

    /// Whether `--exclude` leaves the file out: its name or path matches one of the patterns.
    pub fn excluded(&self, name: impl AsRef<Path>, path: impl AsRef<Path>) -> bool {
        self.excludes
            .as_ref()
            .is_some_and(|set| set.is_match(name) || set.is_match(path))
    }
}

/// Expands the command line's paths into inputs, in order. `-` is standard input.
pub fn discover(paths: &[PathBuf], options: &WalkOptions) -> Result<Discovered, String> {
    let mut found = Discovered {
        filter: FileFilter::new(&options.globs, &options.excludes)?,
        ..Discovered::default()
    };
    for path in paths {
        if path.as_os_str() == "-" {
            found.inputs.push(Input::Stdin);
        } else if path.is_dir() {
            let filter = found.filter.clone();
            walk(path, options, &filter, &mut found);
        } else {
            // Files, and paths that do not exist: opening them reports the problem.
            found.inputs.push(Input::File {
                path: path.clone(),
                explicit: true,
            });
        }
    }
    drop_duplicates(&mut found);
    Ok(found)
}

/// Keeps the first of inputs that are the same file (the same device and inode, whatever the path
/// or link that leads there), and standard input once.
fn drop_duplicates(found: &mut Discovered) {
    let mut first: std::collections::HashMap<(u64, u64), String> = Default::default();
    let mut stdin = false;
    let inputs = std::mem::take(&mut found.inputs);
    for input in inputs {
        let same_as = match &input {
            Input::Stdin => std::mem::replace(&mut stdin, true).then(|| input.name()),
            Input::File { path, .. } => {
                match std::fs::metadata(path).ok().and_then(|m| file_id(&m)) {
                    Some(id) => match first.get(&id) {
                        Some(earlier) => Some(earlier.clone()),
                        None => {
                            first.insert(id, input.name());
                            None
                        }
                    },
                    // Missing or unreadable: opening it reports the problem.
                    None => None,
                }
            }
        };
        match same_as {
            Some(same_as) => found.duplicates.push(Duplicate {
                path: input.name(),
                same_as,
            }),
            None => found.inputs.push(input),
        }
    }
}

/// A file's identity: its device and inode.
#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// What a directory entry is when it is neither a regular file nor a directory.
#[cfg(unix)]
fn special_kind(kind: std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        Some("FIFO (named pipe)")
    } else if kind.is_socket() {
        Some("socket")
    } else if kind.is_block_device() {
        Some("block device")
    } else if kind.is_char_device() {
        Some("character device")
    } else {
        None
    }
}

#[cfg(not(unix))]
fn special_kind(_kind: std::fs::FileType) -> Option<&'static str> {
    None
}

fn glob_set(patterns: &[String], flag: &str) -> Result<Option<GlobSet>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        builder.add(Glob::new(p).map_err(|e| format!("{flag} {p}: {e}"))?);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| format!("{flag}: {e}"))
}

fn walk(root: &Path, options: &WalkOptions, filter: &FileFilter, found: &mut Discovered) {
    let mut hidden_skipped = 0;
    let walker = WalkDir::new(root)
        .follow_links(options.follow_links)
        .sort_by(|a, b| {
            natural_cmp(
                &a.file_name().to_string_lossy(),
                &b.file_name().to_string_lossy(),
            )
        })
        .into_iter()
        .filter_entry(|e| {
            let hidden = e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
            if hidden && !options.hidden {
                hidden_skipped += 1;
                return false;
            }
            true
        });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(root).display().to_string();
                let reason = if let Some(ancestor) = err.loop_ancestor() {
                    format!("directory loop: it leads back to {}", ancestor.display())
                } else {
                    err.io_error()
                        .map_or_else(|| err.to_string(), |e| e.to_string())
                };
                found.problems.push(Problem { path, reason });
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        // What the entry names: a link not followed by the walk is looked through here.
        let target = if entry.file_type().is_symlink() {
            std::fs::metadata(entry.path()).ok().map(|m| m.file_type())
        } else {
            Some(entry.file_type())
        };
        if entry.path_is_symlink() && !options.follow_links && target.is_some_and(|t| t.is_dir()) {
            found.links_skipped += 1;
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let name = entry.file_name();
        if !filter.globbed(name, rel) || filter.excluded(name, rel) {
            continue;
        }
        // A FIFO would block until a writer comes, a device may never end: only regular files
        // are read from directories.
        if let Some(kind) = target.and_then(special_kind) {
            found.skipped.push(Problem {
                path: entry.path().display().to_string(),
                reason: kind.to_owned(),
            });
            continue;
        }
        found.inputs.push(Input::File {
            path: entry.into_path(),
            explicit: false,
        });
    }
    found.hidden_skipped += hidden_skipped;
}

/// Compares names with runs of digits as numbers: `app.log.2` < `app.log.10`, so a rotated set is
/// listed in rotation order.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (trim_zeros(&a[..da]), trim_zeros(&b[..db]));
                let order = na
                    .len()
                    .cmp(&nb.len())
                    .then_with(|| na.cmp(nb))
                    .then(da.cmp(&db));
                if order != Ordering::Equal {
                    return order;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&d| d == b'0').count();
    &digits[zeros.min(digits.len().saturating_sub(1))..]
}

/// How an input is encoded, as detected from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Plain,
    Gzip,
    Zstd,
    Bzip2,
    Xz,
}

impl Encoding {
    /// Detects the encoding from the first bytes of the data.
    pub fn sniff(head: &[u8]) -> Encoding {
        if head.starts_with(&[0x1f, 0x8b]) {
            Encoding::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) || is_zstd_skippable(head) {
            Encoding::Zstd
        } else if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b))
        {
            Encoding::Bzip2
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Encoding::Xz
        } else {
            Encoding::Plain
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Plain => "plain",
            Encoding::Gzip => "gzip",
            Encoding::Zstd => "zstd",
            Encoding::Bzip2 => "bzip2",
            Encoding::Xz => "xz",
        }
    }

    /// How reports name an input of this compression whose text is in `text`: `gzip`,
    /// `utf-16le`, `gzip+utf-16le`, ….
    pub fn label(self, text: TextEncoding) -> &'static str {
        use {Encoding::*, TextEncoding::*};
        match (self, text) {
            (_, Utf8) => self.name(),
            (Plain, Utf16Le) => "utf-16le",
            (Plain, Utf16Be) => "utf-16be",
            (Gzip, Utf16Le) => "gzip+utf-16le",
            (Gzip, Utf16Be) => "gzip+utf-16be",
            (Zstd, Utf16Le) => "zstd+utf-16le",
            (Zstd, Utf16Be) => "zstd+utf-16be",
            (Bzip2, Utf16Le) => "bzip2+utf-16le",
            (Bzip2, Utf16Be) => "bzip2+utf-16be",
            (Xz, Utf16Le) => "xz+utf-16le",
            (Xz, Utf16Be) => "xz+utf-16be",
        }
    }
}

/// Whether the data starts with a zstd skippable frame (magic `0x184D2A50` to `0x184D2A5F`, little
/// endian): `pzstd` starts its output with one, and zstd readers pass over them.
fn is_zstd_skippable(head: &[u8]) -> bool {
    head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18]
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An opened input: the decoded text stream, and how many raw bytes were read from the source so far
/// (shared, for progress).
pub struct Opened {
    pub reader: Box<dyn Read + Send>,
    pub encoding: Encoding,
    /// The encoding of the text (after decompression); `reader` yields it as UTF-8.
    pub text: TextEncoding,
    /// The size of the source, when it is a regular file.
    pub size: Option<u64>,
    /// When the file was last written (`None` for standard input).
    pub modified: Option<std::time::SystemTime>,
    /// The file itself, when the input is a plain regular file: it can then be read in parallel.
    pub file: Option<File>,
    pub raw_bytes: Arc<AtomicU64>,
}

/// Opens an input and wraps it in the decoder its first bytes call for.
pub fn open(input: &Input) -> io::Result<Opened> {
    let raw_bytes = Arc::new(AtomicU64::new(0));
    let mut plain_file = None;
    let (source, size, modified): (Box<dyn Read + Send>, Option<u64>, _) = match input {
        Input::Stdin => (Box::new(io::stdin()), None, None),
        Input::File { path, .. } => {
            let file = File::open(path)?;
            let meta = file.metadata()?;
            if meta.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "is a directory",
                ));
            }
            let size = meta.is_file().then_some(meta.len());
            plain_file = meta.is_file().then(|| file.try_clone().ok()).flatten();
            (Box::new(file), size, meta.modified().ok())
        }
    };
    let counted = Counted {
        inner: source,
        count: Arc::clone(&raw_bytes),
        size,
    };
    let (reader, encoding) = decode(counted)?;
    let (reader, text) = decode_text(reader);
    let read_whole = encoding == Encoding::Plain && text == TextEncoding::Utf8;
    Ok(Opened {
        reader,
        encoding,
        text,
        size,
        modified,
        file: plain_file.filter(|_| read_whole),
        raw_bytes,
    })
}

/// Wraps a byte stream in the decoder its first bytes call for, and says which that was.
pub fn decode<R: Read + Send + 'static>(
    mut source: R,
) -> io::Result<(Box<dyn Read + Send>, Encoding)> {
    let head = read_head(&mut source)?;
    let encoding = Encoding::sniff(&head);
    let source = io::Cursor::new(head).chain(source);
    // Plain text is read straight into the chunk buffers; decoders want a buffered source.
    let buffered = |source| BufReader::with_capacity(256 << 10, source);
    let reader: Box<dyn Read + Send> = match encoding {
        Encoding::Plain => Box::new(source),
        Encoding::Gzip => match crate::gzip::isal_decoder(source) {
            Ok(reader) => reader,
            Err(source) => Box::new(GzipMembers::new(buffered(source))),
        },
        Encoding::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(buffered(source))?),
        Encoding::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(buffered(source))),
        Encoding::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(buffered(
            source,
        ))),
    };
    Ok((reader, encoding))
}

/// Wraps decoded bytes in the text decoder their byte-order mark calls for: UTF-16 (LE or BE) is
/// decoded to UTF-8; anything else is passed on as it is.
pub fn decode_text(mut reader: Box<dyn Read + Send>) -> (Box<dyn Read + Send>, TextEncoding) {
    let (head, error) = read_some(&mut reader, 2);
    let head = io::Cursor::new(head);
    if let Some(error) = error {
        // Corrupt compressed data right at the start: the scan meets the error and reports it.
        return (
            Box::new(head.chain(FailOnce(Some(error)))),
            TextEncoding::Utf8,
        );
    }
    let text = TextEncoding::sniff(head.get_ref());
    let reader = head.chain(reader);
    match text {
        TextEncoding::Utf8 => (Box::new(reader), text),
        _ => (Box::new(Utf16Reader::new(reader, text)), text),
    }
}

/// The first six bytes of the stream (fewer if it is shorter), enough to tell the encoding. A pipe may
/// deliver them in pieces, so this reads until it has them or the input ends.
fn read_head(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    match read_some(reader, 6) {
        (head, None) => Ok(head),
        (_, Some(e)) => Err(e),
    }
}

/// Up to `len` bytes from the start of the stream, and the error that stopped the read short.
pub(crate) fn read_some(reader: &mut impl Read, len: usize) -> (Vec<u8>, Option<io::Error>) {
    let mut head = vec![0u8; len];
    let mut have = 0;
    while have < head.len() {
        match reader.read(&mut head[have..]) {
            Ok(0) => break,
            Ok(n) => have += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                head.truncate(have);
                return (head, Some(e));
            }
        }
    }
    head.truncate(have);
    (head, None)
}

/// Yields one error, then nothing.
struct FailOnce(Option<io::Error>);

impl Read for FailOnce {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        self.0.take().map_or(Ok(0), Err)
    }
}

/// Why a read ended before the end of the data, when the data itself is not to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndedEarly {
    /// The file ended before the size it had when it was opened: it was truncated while read.
    Shrank { read: u64, size: u64 },
    /// Bytes that are neither a gzip member nor zero padding follow the gzip data.
    TrailingGarbage { offset: u64 },
}

impl EndedEarly {
    /// The reason, when `error` is one of these.
    pub fn of(error: &io::Error) -> Option<&EndedEarly> {
        error.get_ref()?.downcast_ref()
    }

    /// The reason as an I/O error, which [`EndedEarly::of`] recognises.
    pub fn into_error(self) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, self)
    }
}

impl fmt::Display for EndedEarly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndedEarly::Shrank { read, size } => write!(
                f,
                "the file shrank while it was read: {} of its {} bytes were read",
                group_digits(*read),
                group_digits(*size)
            ),
            EndedEarly::TrailingGarbage { offset } => write!(
                f,
                "trailing garbage after the gzip data, at byte offset {}",
                group_digits(*offset)
            ),
        }
    }
}

impl std::error::Error for EndedEarly {}

/// Counts the bytes read through it, and tells a file that ends before its size (it was truncated
/// while read) from one read whole.
struct Counted {
    inner: Box<dyn Read + Send>,
    count: Arc<AtomicU64>,
    /// The size of the file when it was opened, if it is a regular file.
    size: Option<u64>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let count = self.count.fetch_add(n as u64, AtomicOrdering::Relaxed) + n as u64;
        if n == 0 && !buf.is_empty() {
            if let Some(size) = self.size.filter(|&size| count < size) {
                return Err(EndedEarly::Shrank { read: count, size }.into_error());
            }
        }
        Ok(n)
    }
}

/// Every member of a gzip file, one after the other, as `gzip -d` reads them: zero bytes after the
/// last member (the padding of tapes and block devices) end the data quietly, as they do for gzip;
/// any other bytes there are an error that gives their offset.
pub(crate) struct GzipMembers<R: BufRead> {
    member: Option<flate2::bufread::GzDecoder<Consumed<R>>>,
}

impl<R: BufRead> GzipMembers<R> {
    pub(crate) fn new(source: R) -> GzipMembers<R> {
        let source = Consumed {
            inner: source,
            offset: 0,
        };
        GzipMembers {
            member: Some(flate2::bufread::GzDecoder::new(source)),
        }
    }
}

impl<R: BufRead> Read for GzipMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(member) = &mut self.member else {
                return Ok(0);
            };
            let n = member.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // The member ended: what follows it decides what comes next.
            let mut rest = self.member.take().expect("a member is open").into_inner();
            let next = rest.fill_buf()?;
            if next.is_empty() {
                return Ok(0);
            }
            if next[0] == 0x1f {
                self.member = Some(flate2::bufread::GzDecoder::new(rest));
                continue;
            }
            loop {
                let next = rest.fill_buf()?;
                if next.is_empty() {
                    return Ok(0);
                }
                match next.iter().position(|&b| b != 0) {
                    Some(p) => {
                        let offset = rest.offset + p as u64;
                        return Err(EndedEarly::TrailingGarbage { offset }.into_error());
                    }
                    None => {
                        let len = next.len();
                        rest.consume(len);
                    }
                }
            }
        }
    }
}

/// A buffered reader that counts the bytes consumed from it: the offset of the next byte.
struct Consumed<R> {
    inner: R,
    offset: u64,
}

impl<R: BufRead> Read for Consumed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Consumed<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.offset += amt as u64;
        self.inner.consume(amt);
    }
}
