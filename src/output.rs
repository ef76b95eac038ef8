//! Where a report goes: standard output, or the file `-o` names.
//!
//! A regular file, or a path where nothing is yet, is written **atomically**: the report goes to a
//! hidden temporary file in the same directory (`.NAME.XXXXXX.jmlog-tmp`, which a directory walk
//! skips like every hidden entry), and replaces the target by a rename only once all of it is
//! written and synced. A run that fails, or that SIGINT, SIGTERM or SIGHUP interrupts, leaves the
//! previous file exactly as it was and no temporary file behind. A symbolic link is kept: the file
//! it points to is replaced.
//!
//! Anything else is written **directly** (appended to, so that `-o /dev/stdout >> FILE` adds to
//! FILE as the shell asked): `/dev/stdout`, `/dev/null`, `/dev/full`, a FIFO, a terminal, and any
//! path through `/proc` (where `/dev/stdout` and `/dev/fd/N` lead).
//!
//! Every error, opening or writing, names the output; a closed pipe keeps its kind, so that
//! `jmlog … | head` is still recognised as the reader going away.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use tempfile::NamedTempFile;

use crate::input::Input;
use crate::render::terminal::sanitize;

/// Where a report will be written, decided before anything is read.
#[derive(Debug)]
pub struct Destination {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Stdout,
    /// Written in place: not a regular file.
    Direct {
        shown: PathBuf,
    },
    /// Written to a temporary file beside `target`, then renamed onto it.
    Atomic {
        shown: PathBuf,
        target: PathBuf,
    },
}

impl Destination {
    /// Standard output for `None`, else the file `-o` names.
    pub fn new(output: Option<&Path>) -> Destination {
        let kind = match output {
            None => Kind::Stdout,
            Some(path) if is_special(path) => Kind::Direct {
                shown: path.to_owned(),
            },
            Some(path) => Kind::Atomic {
                shown: path.to_owned(),
                // The file a symbolic link points to is replaced, not the link.
                target: fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()),
            },
        };
        Destination { kind }
    }

    /// How errors name the output: `-o PATH`, or `standard output`.
    pub fn name(&self) -> String {
        match &self.kind {
            Kind::Stdout => "standard output".to_owned(),
            Kind::Direct { shown } | Kind::Atomic { shown, .. } => {
                format!("-o {}", sanitize(&shown.display().to_string(), 400))
            }
        }
    }

    /// Refuses an output file that is also one of the inputs (the same file, by device and inode,
    /// under whatever name, also when a directory walk found it): the report would replace the
    /// log it was made from.
    pub fn refuse_inputs(&self, inputs: &[Input]) -> anyhow::Result<()> {
        let Kind::Atomic { target, .. } = &self.kind else {
            return Ok(());
        };
        let Some(output) = identity_of_path(target) else {
            // Nothing there yet: it cannot be an input.
            return Ok(());
        };
        for input in inputs {
            let (same, name) = match input {
                Input::Stdin => (
                    stdin_identity() == Some(output),
                    "standard input".to_owned(),
                ),
                Input::File { path, explicit } => {
                    let same = identity_of_path(path) == Some(output);
                    let name = sanitize(&path.display().to_string(), 400);
                    let name = if *explicit {
                        name
                    } else {
                        format!("{name}, found in a directory being scanned")
                    };
                    (same, name)
                }
            };
            if same {
                anyhow::bail!(
                    "{} is also an input ({name}): the report would replace it; write the report \
                     to another file (or leave it out of the scan with --exclude)",
                    self.name()
                );
            }
        }
        Ok(())
    }

    /// Opens the output for writing. For an atomic target this creates the temporary file, which
    /// is removed again unless [`Writer::commit`] renames it onto the target.
    pub fn open(&self) -> anyhow::Result<Writer> {
        let name = self.name();
        let inner = match &self.kind {
            Kind::Stdout => Inner::Stdout(BufWriter::new(io::stdout())),
            Kind::Direct { shown } => {
                // Appending: a device or a FIFO does not mind, and `/dev/stdout` keeps what the
                // shell chose (`>` has already emptied the file, `>>` adds to it).
                let file = fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(shown)
                    .with_context(|| name.clone())?;
                Inner::Direct(BufWriter::new(file))
            }
            Kind::Atomic { target, .. } => {
                let temp = temporary_beside(target)
                    .with_context(|| format!("{name}: cannot create a temporary file beside it"))?;
                Inner::Atomic {
                    _forget: Forget(temp.path().to_owned()),
                    file: BufWriter::new(temp),
                    target: target.clone(),
                }
            }
        };
        Ok(Writer { inner, name })
    }
}

/// The open output. Write errors name it.
pub struct Writer {
    inner: Inner,
    name: String,
}

enum Inner {
    Stdout(BufWriter<io::Stdout>),
    Direct(BufWriter<File>),
    Atomic {
        file: BufWriter<NamedTempFile>,
        target: PathBuf,
        /// Last, so that the file is removed before it is forgotten.
        _forget: Forget,
    },
}

/// Forgets the temporary file once it is gone (renamed, or removed when dropped).
struct Forget(PathBuf);

impl Drop for Forget {
    fn drop(&mut self) {
        pending::forget(&self.0);
    }
}

impl Writer {
    /// Finishes the output: flushes it, and renames a temporary file onto its target. Dropping a
    /// writer without committing it leaves an atomic target as it was.
    pub fn commit(self) -> anyhow::Result<()> {
        let Writer { inner, name } = self;
        match inner {
            Inner::Stdout(mut out) => out.flush().map_err(|e| named(&name, e))?,
            Inner::Direct(mut out) => out.flush().map_err(|e| named(&name, e))?,
            Inner::Atomic { file, target, .. } => {
                let temp = file
                    .into_inner()
                    .map_err(|e| named(&name, e.into_error()))?;
                temp.as_file().sync_all().map_err(|e| named(&name, e))?;
                pending::persist(temp, &target).map_err(|e| named(&name, e))?;
            }
        }
        Ok(())
    }

    fn out(&mut self) -> &mut dyn Write {
        match &mut self.inner {
            Inner::Stdout(out) => out,
            Inner::Direct(out) => out,
            Inner::Atomic { file, .. } => file,
        }
    }
}

impl Write for Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.out().write(buf);
        result.map_err(|e| named(&self.name, e))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let result = self.out().write_all(buf);
        result.map_err(|e| named(&self.name, e))
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.out().flush();
        result.map_err(|e| named(&self.name, e))
    }
}

/// The error with the output's name in front, of the same kind (a closed pipe stays one).
fn named(name: &str, e: io::Error) -> io::Error {
    if e.to_string().starts_with(name) {
        return e;
    }
    io::Error::new(e.kind(), format!("{name}: {e}"))
}

/// A hidden temporary file in the target's directory, with the target's permissions when it
/// exists (the usual ones for a new file otherwise), registered for removal on a signal.
fn temporary_beside(target: &Path) -> io::Result<NamedTempFile> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = target
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy());
    let existing = fs::metadata(target).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{file_name}.");
    builder.prefix(&prefix).suffix(".jmlog-tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Subject to the umask, as for any new file.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let temp = pending::create(|| builder.tempfile_in(dir))?;
    if let Some(permissions) = existing {
        temp.as_file().set_permissions(permissions)?;
    }
    Ok(temp)
}

/// Whether the output is written in place rather than atomically: it exists and is not a regular
/// file (a device, a FIFO, a socket), or its path leads through `/proc`.
fn is_special(path: &Path) -> bool {
    if fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return true;
    }
    leads_through_proc(path)
}

#[cfg(target_os = "linux")]
fn leads_through_proc(path: &Path) -> bool {
    let proc_fs = |p: &Path| p.starts_with("/proc");
    let mut step = match std::path::absolute(path) {
        Ok(p) => p,
        Err(_) => return false,
    };
    // `/dev/stdout` is a link to `/proc/self/fd/1`; `/dev/fd` a link to `/proc/self/fd`.
    for _ in 0..40 {
        let parent = step.parent().and_then(|p| fs::canonicalize(p).ok());
        if proc_fs(&step) || parent.as_deref().is_some_and(proc_fs) {
            return true;
        }
        match fs::read_link(&step) {
            Ok(next) => step = parent.unwrap_or_default().join(next),
            Err(_) => return false,
        }
    }
    false
}

#[cfg(not(target_os = "linux"))]
fn leads_through_proc(_path: &Path) -> bool {
    false
}

/// Which file a path names, whatever the name: device and inode.
#[cfg(unix)]
fn identity_of_path(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(unix)]
fn stdin_identity() -> Option<(u64, u64)> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    let meta = File::from(fd).metadata().ok()?;
    meta.is_file().then(|| (meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity_of_path(path: &Path) -> Option<(u64, u64)> {
    use std::hash::{Hash, Hasher};
    let canonical = fs::canonicalize(path).ok()?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    canonical.hash(&mut hasher);
    Some((0, hasher.finish()))
}

#[cfg(not(unix))]
fn stdin_identity() -> Option<(u64, u64)> {
    None
}

/// Temporary files not yet renamed onto their target, removed when a signal ends the run.
#[cfg(unix)]
mod pending {
    use std::io;
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, MutexGuard, Once};

    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;
    use tempfile::NamedTempFile;

    static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    static WATCH: Once = Once::new();

    fn lock() -> MutexGuard<'static, Vec<PathBuf>> {
        PENDING.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates a temporary file and registers it for removal on a signal.
    pub fn create(make: impl FnOnce() -> io::Result<NamedTempFile>) -> io::Result<NamedTempFile> {
        watch_signals();
        // Held while the file is created, so that a signal cannot slip in between.
        let mut pending = lock();
        let temp = make()?;
        pending.push(temp.path().to_owned());
        Ok(temp)
    }

    /// Renames the temporary file onto `target`, and forgets it.
    pub fn persist(temp: NamedTempFile, target: &Path) -> io::Result<()> {
        let mut pending = lock();
        let path = temp.path().to_owned();
        let result = temp.persist(target).map(drop).map_err(|e| e.error);
        // Renamed, or (on failure) removed as the temporary file was dropped.
        pending.retain(|p| *p != path);
        result
    }

    /// Forgets a temporary file that was dropped (and so removed) without being renamed.
    pub fn forget(path: &Path) {
        lock().retain(|p| p != path);
    }

    /// On SIGINT, SIGTERM or SIGHUP: removes the temporary files, then lets the signal end the
    /// process as it would have without jmlog catching it.
    fn watch_signals() {
        WATCH.call_once(|| {
            let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
                return;
            };
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Held until the process ends: no rename can follow.
                    let pending = lock();
                    for path in pending.iter() {
                        let _ = std::fs::remove_file(path);
                    }
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
        });
    }
}

#[cfg(not(unix))]
mod pending {
    use std::io;
    use std::path::Path;

    use tempfile::NamedTempFile;

    pub fn create(make: impl FnOnce() -> io::Result<NamedTempFile>) -> io::Result<NamedTempFile> {
        make()
    }

    pub fn persist(temp: NamedTempFile, target: &Path) -> io::Result<()> {
        temp.persist(target).map(drop).map_err(|e| e.error)
    }

    pub fn forget(_path: &Path) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn special_targets_are_written_directly() {
        for path in [
            "/dev/null",
            "/dev/full",
            "/dev/stdout",
            "/dev/fd/1",
            "/proc/self/fd/1",
        ] {
            assert!(is_special(Path::new(path)), "{path}");
        }
        let dir = std::env::temp_dir();
        assert!(!is_special(&dir.join("jmlog-no-such-report.json")));
        assert!(is_special(&dir), "a directory is no regular file");
    }

    #[test]
    fn errors_are_named_once_and_keep_their_kind() {
        let e = named("-o r.json", io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
        assert!(e.to_string().starts_with("-o r.json: "), "{e}");
        let again = named("-o r.json", e);
        assert_eq!(again.to_string().matches("-o r.json").count(), 1);
    }
}
