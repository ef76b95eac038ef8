//! Gzip decoding, the one decoder whose speed is jmlog's speed: rotated logs are gzipped, so a
//! weekly histogram over a directory of `.gz` files spends most of its time inflating.
//!
//! Built with the `isal` cargo feature, gzip is inflated by ISA-L (Intel's igzip, hand-tuned
//! assembly, about twice as fast as zlib-rs) through the `isal-sys` bindings, driven by the small
//! reader here; without it, by zlib-rs through `flate2` (in the input module), which needs only the
//! Rust toolchain. The `isal-rs` crate's own reader was not used: it keeps raw pointers into
//! itself (moving it after a read leaves them dangling) and takes a file cut short for its end.
//!
//! Either way, every member of a multi-member file is inflated, each member's CRC and length are
//! checked, zero padding after the last member ends the data quietly as for `gzip -d` (other bytes
//! there are an error naming their offset), and a file cut short fails with
//! [`std::io::ErrorKind::UnexpectedEof`], keeping what came before. Memory is bounded: the input
//! is read in pieces of [`INPUT_BYTES`].

use std::io::Read;

/// How much compressed input is read at a time.
pub const INPUT_BYTES: usize = 256 << 10;

/// ISA-L's reader of the text inside the gzip stream `source`, in builds with the `isal` feature;
/// otherwise `source` back, for the zlib-rs reader.
#[allow(clippy::result_large_err)]
pub fn isal_decoder<R: Read + Send + 'static>(source: R) -> Result<Box<dyn Read + Send>, R> {
    #[cfg(feature = "isal")]
    {
        Ok(Box::new(isal::Decoder::new(source)))
    }
    #[cfg(not(feature = "isal"))]
    {
        Err(source)
    }
}

#[cfg(feature = "isal")]
mod isal {
    use std::io::{self, Read};
    use std::mem::MaybeUninit;

    use isal_sys::igzip_lib as ffi;

    use super::INPUT_BYTES;
    use crate::input::EndedEarly;

    /// Inflates a gzip stream of one or more members with ISA-L.
    pub struct Decoder<R> {
        source: R,
        /// Boxed, and `input` on the heap, so that the pointers ISA-L keeps stay valid when the
        /// decoder moves.
        state: Box<ffi::inflate_state>,
        input: Vec<u8>,
        /// The source has ended.
        source_done: bool,
        /// A member was started and not finished.
        in_member: bool,
        /// Zero bytes followed the last member: only more zeros may follow.
        padding: bool,
        /// Compressed bytes read before those now in `input`.
        read_before: u64,
        /// Bytes of `input` filled by the last read.
        filled: usize,
    }

    // SAFETY: the raw pointers in `state` point only into `input` and into the caller's buffer
    // during `read`; nothing is shared between threads.
    unsafe impl<R: Send> Send for Decoder<R> {}

    impl<R: Read> Decoder<R> {
        pub fn new(source: R) -> Decoder<R> {
            let mut state: Box<MaybeUninit<ffi::inflate_state>> = Box::new_uninit();
            // SAFETY: `isal_inflate_init` initialises the whole state.
            let mut state = unsafe {
                ffi::isal_inflate_init(state.as_mut_ptr());
                state.assume_init()
            };
            state.crc_flag = ffi::ISAL_GZIP;
            state.avail_in = 0;
            Decoder {
                source,
                state,
                input: vec![0; INPUT_BYTES],
                source_done: false,
                in_member: false,
                padding: false,
                read_before: 0,
                filled: 0,
            }
        }

        /// Reads more compressed input once ISA-L has taken all it had.
        fn refill(&mut self) -> io::Result<()> {
            loop {
                match self.source.read(&mut self.input) {
                    Ok(0) => {
                        self.source_done = true;
                        return Ok(());
                    }
                    Ok(n) => {
                        self.read_before += self.filled as u64;
                        self.filled = n;
                        self.state.next_in = self.input.as_mut_ptr();
                        self.state.avail_in = n as u32;
                        return Ok(());
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }

    impl<R: Read> Read for Decoder<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if buf.is_empty() {
                return Ok(0);
            }
            loop {
                if self.state.block_state == ffi::isal_block_state_ISAL_BLOCK_FINISH {
                    // A member ended: what follows it decides what comes next, as for `gzip -d`:
                    // another member, or zero bytes (the padding of tapes and block devices) to
                    // the end; anything else is an error.
                    self.in_member = false;
                    if self.state.avail_in == 0 {
                        if self.source_done {
                            return Ok(0);
                        }
                        self.refill()?;
                        continue;
                    }
                    // SAFETY: `next_in`/`avail_in` describe initialised bytes of `self.input`.
                    let rest = unsafe {
                        std::slice::from_raw_parts(self.state.next_in, self.state.avail_in as usize)
                    };
                    if rest[0] != 0x1f || self.padding {
                        match rest.iter().position(|&b| b != 0) {
                            Some(p) => {
                                // SAFETY: `next_in` points into `input`.
                                let used =
                                    unsafe { self.state.next_in.offset_from(self.input.as_ptr()) };
                                let offset = self.read_before + used as u64 + p as u64;
                                return Err(EndedEarly::TrailingGarbage { offset }.into_error());
                            }
                            None => {
                                self.padding = true;
                                self.state.avail_in = 0;
                                continue;
                            }
                        }
                    }
                    let (next_in, avail_in) = (self.state.next_in, self.state.avail_in);
                    // SAFETY: the state was initialised by `isal_inflate_init`.
                    unsafe { ffi::isal_inflate_reset(&mut *self.state) };
                    self.state.crc_flag = ffi::ISAL_GZIP;
                    self.state.next_in = next_in;
                    self.state.avail_in = avail_in;
                }
                if self.state.avail_in == 0 && !self.source_done {
                    self.refill()?;
                }
                if self.state.avail_in == 0 && self.source_done && !self.in_member {
                    return Ok(0);
                }
                self.in_member = true;
                let want = buf.len().min(u32::MAX as usize);
                self.state.next_out = buf.as_mut_ptr();
                self.state.avail_out = want as u32;
                // SAFETY: `next_in`/`avail_in` describe initialised bytes of `self.input`, and
                // `next_out`/`avail_out` the caller's buffer, both alive for this call.
                let ret = unsafe { ffi::isal_inflate(&mut *self.state) };
                let written = want - self.state.avail_out as usize;
                self.state.next_out = std::ptr::null_mut();
                self.state.avail_out = 0;
                if ret < 0 {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, error_text(ret)));
                }
                if written > 0 {
                    return Ok(written);
                }
                // Nothing more came out although the input is spent: ISA-L has handed over all it
                // decoded (it keeps some output of its own between calls), and the member is cut off.
                if self.state.avail_in == 0
                    && self.source_done
                    && self.state.block_state != ffi::isal_block_state_ISAL_BLOCK_FINISH
                {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the gzip data ends in the middle of a member",
                    ));
                }
            }
        }
    }

    fn error_text(ret: i32) -> String {
        match ret {
            ffi::ISAL_INVALID_BLOCK => "invalid deflate block".to_owned(),
            ffi::ISAL_INVALID_SYMBOL => "invalid deflate symbol".to_owned(),
            ffi::ISAL_INVALID_LOOKBACK => "invalid distance in deflate data".to_owned(),
            ffi::ISAL_INVALID_WRAPPER => "invalid gzip header".to_owned(),
            ffi::ISAL_UNSUPPORTED_METHOD => "unsupported compression method".to_owned(),
            ffi::ISAL_INCORRECT_CHECKSUM => "the gzip checksum does not match".to_owned(),
            other => format!("ISA-L inflate error {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{self, Write};

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    /// Log-shaped text of about `bytes`.
    fn text(bytes: u64, seed: u64) -> Vec<u8> {
        let mut out = Vec::new();
        crate::synth::write_logs(&mut out, bytes, seed).unwrap();
        out
    }

    /// The zlib-rs decoder, whatever the features.
    fn zlib_rs_decoder<R: Read + Send + 'static>(source: R) -> Box<dyn Read + Send> {
        Box::new(flate2::bufread::MultiGzDecoder::new(
            io::BufReader::with_capacity(INPUT_BYTES, source),
        ))
    }

    /// The reader jmlog uses for gzip: ISA-L's with the `isal` feature, zlib-rs's without.
    fn decoder(file: io::Cursor<Vec<u8>>) -> Box<dyn Read + Send> {
        let (reader, encoding) = crate::input::decode(file).unwrap();
        assert_eq!(encoding, crate::input::Encoding::Gzip);
        assert_eq!(isal_decoder(io::empty()).is_ok(), cfg!(feature = "isal"));
        reader
    }

    /// Everything `reader` yields, read in pieces of `piece` bytes, and the error that ended it.
    fn read_all(mut reader: Box<dyn Read + Send>, piece: usize) -> (Vec<u8>, Option<io::Error>) {
        let mut out = Vec::new();
        let mut buf = vec![0; piece];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    #[test]
    fn every_member_is_inflated_whatever_the_read_size() {
        let parts = [
            text(3 << 20, 1),
            Vec::new(),
            text(700 << 10, 2),
            b"x".to_vec(),
        ];
        let mut file = Vec::new();
        for part in &parts {
            file.extend(gzip(part));
        }
        let want = parts.concat();
        for piece in [1, 4097, 2 << 20] {
            let (got, error) = read_all(decoder(io::Cursor::new(file.clone())), piece);
            assert!(error.is_none(), "{error:?}");
            assert!(
                got == want,
                "piece {piece}: {} of {} bytes",
                got.len(),
                want.len()
            );
            // The same as zlib-rs gives.
            let (zlib, _) = read_all(zlib_rs_decoder(io::Cursor::new(file.clone())), piece);
            assert!(zlib == want);
        }
    }

    #[test]
    fn a_file_cut_short_keeps_what_came_before_and_fails() {
        let plain = text(2 << 20, 3);
        let whole = gzip(&plain);
        for cut in [whole.len() / 3, whole.len() - 4, whole.len() - 1] {
            let (got, error) = read_all(decoder(io::Cursor::new(whole[..cut].to_vec())), 1 << 20);
            let error = error.expect("a truncated file is an error");
            assert_eq!(
                error.kind(),
                io::ErrorKind::UnexpectedEof,
                "cut at {cut}: {error}"
            );
            assert!(plain.starts_with(&got), "cut at {cut}");
            if cut < whole.len() - 8 {
                assert!(got.len() < plain.len());
            }
        }
    }

    /// Zero padding after the last member ends the data quietly, as for `gzip -d`; other bytes
    /// after it are an error that names their offset.
    #[test]
    fn zero_padding_ends_quietly_and_garbage_is_named() {
        let plain = text(1 << 20, 5);
        let mut padded = gzip(&plain);
        let end = padded.len();
        padded.extend(std::iter::repeat_n(0u8, 300_000));
        for piece in [7, 1 << 20] {
            let (got, error) = read_all(decoder(io::Cursor::new(padded.clone())), piece);
            assert!(error.is_none(), "{error:?}");
            assert!(got == plain);
        }
        for (junk_at, junk) in [(0, b'x'), (299_999, 0x1f), (70_000, 1)] {
            let mut bad = padded.clone();
            bad[end + junk_at] = junk;
            let (got, error) = read_all(decoder(io::Cursor::new(bad)), 1 << 16);
            assert!(got == plain);
            let error = error.expect("garbage is an error").to_string();
            let offset = (end + junk_at) as u64;
            let want = crate::input::EndedEarly::TrailingGarbage { offset }.to_string();
            assert_eq!(error, want);
        }
    }

    #[test]
    fn corrupt_data_is_an_error() {
        let plain = text(1 << 20, 4);
        let mut bad = gzip(&plain);
        let at = bad.len() - 6;
        bad[at] ^= 0x55; // in the CRC
        let (_, error) = read_all(decoder(io::Cursor::new(bad)), 1 << 16);
        let kind = error.expect("a bad checksum is an error").kind();
        assert!(
            matches!(
                kind,
                io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput
            ),
            "{kind:?}"
        );
        let mut garbage = gzip(b"code=801004\n");
        garbage.extend_from_slice(b"not gzip at all");
        let (got, error) = read_all(decoder(io::Cursor::new(garbage)), 1 << 16);
        assert_eq!(got, b"code=801004\n");
        assert!(error.is_some());
    }
}
