//! Reads one input in bounded chunks and scans the chunks in parallel.
//!
//! The calling thread reads: it fills a buffer up to the chunk size, cuts it after its last newline
//! (the partial line moves to the next buffer), and hands the buffer to the thread pool. Buffers come
//! from a fixed pool of `threads + 2`, so at most that many chunks are in memory at once however large
//! the input is; reading waits while every buffer is being scanned. Files are read with plain `read`
//! calls rather than memory-mapped, so a file truncated while jmlog reads it ends the read early
//! instead of killing the process with SIGBUS.
//!
//! Each chunk yields a [`Tally`] tagged with its sequence number; appending the tallies in order gives
//! the same result for any chunk size and any number of threads.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::mpsc;

use memchr::memrchr;
use rayon::ThreadPool;

use crate::extract::Extractor;
use crate::scan::scan_chunk;
use crate::tally::Tally;

/// The default chunk size: large enough that per-chunk overhead vanishes, small enough that every
/// thread gets work on files of a few megabytes.
pub const DEFAULT_CHUNK_SIZE: usize = 2 << 20;

/// A line longer than this is scanned in pieces of this size rather than held whole, so that memory
/// stays bounded on hostile input. Codes are judged within each piece.
pub const MAX_LINE: usize = 16 << 20;

/// What reading an input gave: the tally of everything read, and the error that stopped the read
/// early, if any.
#[derive(Debug)]
pub struct Scanned {
    pub tally: Tally,
    pub error: Option<io::Error>,
}

/// Scans everything `reader` yields.
pub fn scan_reader<R: Read>(
    mut reader: R,
    extractor: &Arc<Extractor<'static>>,
    pool: &ThreadPool,
    chunk_size: usize,
) -> Scanned {
    let chunk_size = chunk_size.max(1);
    let buffers = pool.current_num_threads() + 2;
    let (free_tx, free_rx) = mpsc::sync_channel::<Vec<u8>>(buffers);
    for _ in 0..buffers {
        free_tx
            .send(Vec::with_capacity(chunk_size))
            .expect("the channel holds every buffer");
    }
    let (done_tx, done_rx) = mpsc::channel::<(usize, Tally)>();
    let mut carry: Vec<u8> = Vec::new();
    let mut error = None;
    let mut last_byte = None;
    let mut chunks = 0;

    pool.in_place_scope(|scope| {
        loop {
            let mut buf = free_rx.recv().expect("buffers return to the pool");
            buf.clear();
            buf.append(&mut carry);
            let mut target = chunk_size;
            let mut eof = false;
            // Fill to the chunk size; a line longer than the chunk grows the buffer up to MAX_LINE.
            loop {
                let want = target.saturating_sub(buf.len()) as u64;
                match (&mut reader).take(want).read_to_end(&mut buf) {
                    Ok(n) if (n as u64) < want => eof = true,
                    Ok(_) => {}
                    Err(e) => {
                        error = Some(e);
                        eof = true;
                    }
                }
                if eof || memrchr(b'\n', &buf).is_some() || buf.len() >= MAX_LINE {
                    break;
                }
                target += chunk_size;
            }
            if !eof {
                if let Some(p) = memrchr(b'\n', &buf) {
                    carry.extend_from_slice(&buf[p + 1..]);
                    buf.truncate(p + 1);
                }
            }
            if let Some(&b) = buf.last() {
                last_byte = Some(b);
            }
            if !buf.is_empty() {
                let (seq, ex, free, done) = (
                    chunks,
                    Arc::clone(extractor),
                    free_tx.clone(),
                    done_tx.clone(),
                );
                chunks += 1;
                scope.spawn(move |_| {
                    let mut tally = Tally::default();
                    scan_chunk(&buf, &ex, &mut tally);
                    // The receivers outlive the scope, so neither send can fail.
                    let _ = done.send((seq, tally));
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

    let mut parts: Vec<(usize, Tally)> = done_rx.into_iter().collect();
    parts.sort_unstable_by_key(|(seq, _)| *seq);
    let mut tally = Tally::default();
    for (_, part) in parts {
        tally.append(part);
    }
    if last_byte.is_some_and(|b| b != b'\n') {
        tally.lines += 1;
    }
    Scanned { tally, error }
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
