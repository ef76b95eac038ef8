//! Regular files mapped into memory for reading, without the risk that a file cut short while it is
//! read kills jmlog.
//!
//! Scanning a mapped file skips the copy from the page cache that every `read` makes, which costs
//! about as much CPU time as the scan itself. The catch of a mapping is the file shrinking while it
//! is read: touching a mapped page past the new end raises SIGBUS, which kills a process by
//! default. jmlog's SIGBUS handler therefore looks at the address: inside a mapping made here, it
//! puts zero-filled memory in place of the rest of the mapping, counts the event
//! ([`MappedFile::faulted`]) and lets the scan go on; anywhere else, it hands the signal on to the
//! handler that was there before (or the default action). The caller then sees that the mapping
//! faulted, or that the file is shorter than when it was mapped, throws away what it scanned and
//! reads the file again with `pread`, which ends at the file's new end and reports how far it got.
//!
//! Mappings are made only where a handler can be installed (Linux and the other Unix systems);
//! elsewhere, and whenever mapping fails, [`MappedFile::map`] gives `None` and callers read.

use std::sync::Once;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// How many mappings may exist at once; past that, files are read instead.
const SLOTS: usize = 64;

/// The address ranges of the live mappings, `(start, len)`; a free slot has start 0. Read by the
/// signal handler, so lock-free.
static RANGES: [(AtomicUsize, AtomicUsize); SLOTS] =
    [const { (AtomicUsize::new(0), AtomicUsize::new(0)) }; SLOTS];

/// Each slot's count of SIGBUS faults, ever.
static FAULTS: [AtomicU64; SLOTS] = [const { AtomicU64::new(0) }; SLOTS];

/// The SIGBUS action that was installed before jmlog's.
static mut PREVIOUS: Option<libc::sigaction> = None;

static INSTALL: Once = Once::new();

/// A read-only mapping of the first `len` bytes a regular file had.
pub struct MappedFile {
    map: memmap2::Mmap,
    slot: usize,
    faults_at_start: u64,
}

impl MappedFile {
    /// Maps the first `len` bytes of `file` (its size when it was opened); `None` if it cannot be
    /// mapped, if `len` is 0, or if too many files are mapped already.
    #[cfg(unix)]
    pub fn map(file: &std::fs::File, len: u64) -> Option<MappedFile> {
        let len = usize::try_from(len).ok().filter(|&l| l > 0)?;
        install_handler();
        // SAFETY: the mapping is read-only and private; a file changed by others while it is mapped
        // changes what is read but cannot make the reads unsound, and the SIGBUS a file cut short
        // raises is caught by the handler installed above, which puts memory in its place.
        let map = unsafe { memmap2::MmapOptions::new().len(len).map(file) }.ok()?;
        // The pages are read in order, once: let the kernel read ahead and map in large batches.
        let _ = map.advise(memmap2::Advice::Sequential);
        let start = map.as_ptr() as usize;
        let slot = (0..SLOTS).find(|&i| {
            RANGES[i]
                .0
                .compare_exchange(0, start, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        })?;
        RANGES[slot].1.store(len, Ordering::Release);
        Some(MappedFile {
            map,
            slot,
            faults_at_start: FAULTS[slot].load(Ordering::Acquire),
        })
    }

    /// The mapped bytes. Past a point where the file was cut short they read as zeros.
    pub fn bytes(&self) -> &[u8] {
        &self.map
    }

    /// Whether a page of the mapping lay past the file's end when it was touched: what was read
    /// from the mapping is then not the file's contents.
    pub fn faulted(&self) -> bool {
        FAULTS[self.slot].load(Ordering::Acquire) != self.faults_at_start
    }
}

impl Drop for MappedFile {
    fn drop(&mut self) {
        RANGES[self.slot].1.store(0, Ordering::Release);
        RANGES[self.slot].0.store(0, Ordering::Release);
    }
}

/// Maps in the pages of `bytes` (part of a [`MappedFile`]) at once, before they are read: one call
/// per stretch costs less than the page faults reading them would take one by one (Linux 5.14 and
/// newer; elsewhere a no-op). Pages past the file's end are left alone; reading them faults as
/// usual.
pub fn prefault(bytes: &[u8]) {
    #[cfg(target_os = "linux")]
    {
        let start = bytes.as_ptr() as usize;
        let page = start & !(page_size() - 1);
        // SAFETY: an advice on pages of a live mapping of ours, which it neither unmaps nor
        // changes; a failure (an older kernel, a page past the end) leaves them as they were.
        unsafe {
            libc::madvise(
                page as *mut libc::c_void,
                start + bytes.len() - page,
                libc::MADV_POPULATE_READ,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = bytes;
}

/// Gives back the pages of `map` (the bytes of a [`MappedFile`]) that hold any of its bytes in
/// `range`, once they have been read: the file stays in the page cache, but jmlog's resident memory
/// and page tables do not grow with the file. Reading them again maps them again.
pub fn release(map: &[u8], range: std::ops::Range<usize>) {
    let page = page_size();
    let base = map.as_ptr() as usize;
    let start = (base + range.start.min(map.len())) & !(page - 1);
    let end = (base + range.end.min(map.len())).next_multiple_of(page);
    if end > start {
        // SAFETY: advice on whole pages of a live, read-only mapping of ours (a mapping covers
        // whole pages, so rounding out stays inside it): dropping them costs nothing but a fault
        // if they are read again, which gives the file's bytes again.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
        }
    }
}

#[cfg(unix)]
fn install_handler() {
    INSTALL.call_once(|| {
        // SAFETY: sigaction with a zeroed struct, a valid handler and an out-parameter we own; this
        // runs once, before any mapping exists, so nothing reads PREVIOUS yet.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, &action, &mut previous) == 0 {
                PREVIOUS = Some(previous);
            }
        }
    });
}

/// The SIGBUS handler: only async-signal-safe work (atomics, `mmap`, `sigaction`).
#[cfg(unix)]
extern "C" fn on_sigbus(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    // SAFETY: the kernel passes a valid siginfo for a handler installed with SA_SIGINFO.
    let addr = unsafe { (*info).si_addr() } as usize;
    for (slot, (start, len)) in RANGES.iter().enumerate() {
        let start = start.load(Ordering::Acquire);
        let len = len.load(Ordering::Acquire);
        if start == 0 || addr < start || addr >= start + len {
            continue;
        }
        let page = addr & !(page_size() - 1);
        let end = start + len;
        // SAFETY: `[page, end)` lies inside a live mapping of ours (its pages past the file's end);
        // replacing it with private zero pages leaves the mapping the same size, so the reads that
        // follow stay inside memory that is mapped.
        let replaced = unsafe {
            libc::mmap(
                page as *mut libc::c_void,
                end - page,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if replaced != libc::MAP_FAILED {
            FAULTS[slot].fetch_add(1, Ordering::AcqRel);
            return;
        }
    }
    // Not ours: what would have happened without jmlog's handler.
    // SAFETY: PREVIOUS was written once before the handler could run; the previous action is
    // either a handler to call with the same arguments or a disposition to restore, after which
    // returning re-runs the faulting access under it.
    unsafe {
        match *std::ptr::addr_of!(PREVIOUS) {
            Some(previous)
                if previous.sa_flags & libc::SA_SIGINFO != 0
                    && previous.sa_sigaction > libc::SIG_IGN =>
            {
                let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    std::mem::transmute(previous.sa_sigaction);
                handler(signal, info, context);
            }
            Some(previous) => {
                libc::sigaction(libc::SIGBUS, &previous, std::ptr::null_mut());
            }
            None => {
                let mut default: libc::sigaction = std::mem::zeroed();
                default.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(libc::SIGBUS, &default, std::ptr::null_mut());
            }
        }
    }
}

fn page_size() -> usize {
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    match PAGE.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: sysconf has no preconditions.
            let size = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
                .ok()
                .filter(|s| s.is_power_of_two())
                .unwrap_or(4096);
            PAGE.store(size, Ordering::Relaxed);
            size
        }
        size => size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_cut_short_under_its_mapping_reads_zeros_and_says_so() {
        // Removed when dropped, also when an assertion fails.
        let temp = tempfile::NamedTempFile::new().unwrap();
        let path = temp.path();
        let page = page_size();
        std::fs::write(path, vec![b'x'; 4 * page]).unwrap();
        let file = std::fs::File::open(path).unwrap();
        let mapped = MappedFile::map(&file, 4 * page as u64).unwrap();
        assert!(mapped.bytes().iter().all(|&b| b == b'x'));
        assert!(!mapped.faulted());
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .unwrap()
            .set_len(page as u64 + 10)
            .unwrap();
        let bytes = mapped.bytes();
        // The page holding the new end reads as the file: its text, then zeros.
        assert_eq!(bytes[page + 9], b'x');
        assert_eq!(bytes[page + 10], 0);
        assert!(!mapped.faulted());
        // The pages past it would raise SIGBUS: the handler puts zeros there instead.
        assert_eq!(bytes[3 * page + 5], 0);
        assert!(mapped.faulted());
        assert!(bytes[2 * page..].iter().all(|&b| b == 0));
        drop(mapped);
    }
}
