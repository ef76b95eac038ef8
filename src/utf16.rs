//! Logs written in UTF-16 with a byte-order mark (Windows tools, PowerShell 5's `>`), decoded to
//! UTF-8 as they are read.
//!
//! The scanner works on UTF-8 bytes, so a UTF-16 log is turned into the UTF-8 text it holds before
//! anything else sees it: [`Utf16Reader`] decodes a bounded block at a time, whatever the size of
//! the input, and carries what a read leaves unfinished — an odd byte, the first half of a surrogate
//! pair — over to the next read, so the text is the same wherever reads happen to split it. The
//! byte-order mark itself is dropped; unpaired surrogates become U+FFFD. Only a byte-order mark
//! makes jmlog read an input as UTF-16: without one, UTF-16 cannot be told reliably from binary data.

use std::io::{self, Read};

use encoding_rs::{CoderResult, Decoder, UTF_16BE, UTF_16LE};

/// How the text of an input is encoded, as told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, or anything else that is read byte for byte.
    Utf8,
    /// UTF-16, little-endian, after the mark `FF FE`.
    Utf16Le,
    /// UTF-16, big-endian, after the mark `FE FF`.
    Utf16Be,
}

impl TextEncoding {
    /// The encoding the byte-order mark at the start of `head` announces.
    pub fn sniff(head: &[u8]) -> TextEncoding {
        if head.starts_with(&[0xff, 0xfe]) {
            TextEncoding::Utf16Le
        } else if head.starts_with(&[0xfe, 0xff]) {
            TextEncoding::Utf16Be
        } else {
            TextEncoding::Utf8
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
        }
    }
}

/// Bytes of UTF-16 decoded per step; the UTF-8 they give is at most 1.5 times as long.
const BLOCK: usize = 64 << 10;

/// Reads UTF-16 (byte-order mark included) from the inner reader and yields it as UTF-8.
pub struct Utf16Reader<R> {
    inner: R,
    decoder: Decoder,
    /// UTF-16 bytes read and not yet decoded: `input[start..end]`.
    input: Vec<u8>,
    start: usize,
    end: usize,
    /// UTF-8 decoded and not yet handed out: `output[out_start..out_end]`.
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    /// The inner reader is at its end.
    eof: bool,
    /// The decoder has been told the input ended, and has given everything.
    done: bool,
}

impl<R: Read> Utf16Reader<R> {
    /// Decodes `inner`, which starts with the byte-order mark of `encoding` (UTF-16 LE or BE).
    pub fn new(inner: R, encoding: TextEncoding) -> Utf16Reader<R> {
        let decoder = match encoding {
            TextEncoding::Utf16Be => UTF_16BE.new_decoder_with_bom_removal(),
            _ => UTF_16LE.new_decoder_with_bom_removal(),
        };
        let out_len = decoder
            .max_utf8_buffer_length(BLOCK)
            .expect("a block's worth fits in memory");
        Utf16Reader {
            inner,
            decoder,
            input: vec![0; BLOCK],
            start: 0,
            end: 0,
            output: vec![0; out_len],
            out_start: 0,
            out_end: 0,
            eof: false,
            done: false,
        }
    }

    /// Decodes the next block into `output`; `false` once everything has been given.
    fn decode_more(&mut self) -> io::Result<bool> {
        loop {
            if self.done {
                return Ok(false);
            }
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = loop {
                    match self.inner.read(&mut self.input) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                };
                self.eof = self.end == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.start..self.end],
                &mut self.output,
                self.eof,
            );
            self.start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && result == CoderResult::InputEmpty {
                self.done = true;
            }
            if written > 0 {
                return Ok(true);
            }
        }
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.out_start == self.out_end && !self.decode_more()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out its bytes `step` at a time, so that every split a reader can meet is tried.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian {
            vec![0xfe, 0xff]
        } else {
            vec![0xff, 0xfe]
        };
        for unit in text.encode_utf16() {
            let pair = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            bytes.extend_from_slice(&pair);
        }
        bytes
    }

    #[test]
    fn every_split_of_surrogate_pairs_and_crlf_gives_the_same_text() {
        // 😀 is a surrogate pair; CR LF ends each line.
        let text = "登录失败 code = 801004 😀\r\nnext 😀😀 code=803008\r\n".repeat(50);
        for big_endian in [false, true] {
            let encoding = TextEncoding::sniff(&utf16(&text, big_endian));
            assert_ne!(encoding, TextEncoding::Utf8);
            let data = utf16(&text, big_endian);
            for step in 1..=9 {
                let mut got = String::new();
                Utf16Reader::new(Trickle { data: &data, step }, encoding)
                    .read_to_string(&mut got)
                    .unwrap();
                assert_eq!(got, text, "step {step}, big endian {big_endian}");
            }
        }
    }

    #[test]
    fn an_unpaired_surrogate_or_an_odd_last_byte_becomes_a_replacement_character() {
        let mut data = vec![0xff, 0xfe, b'a', 0, 0x3d, 0xd8, b'b', 0];
        data.push(b'c');
        let mut got = String::new();
        Utf16Reader::new(&data[..], TextEncoding::Utf16Le)
            .read_to_string(&mut got)
            .unwrap();
        assert_eq!(got, "a\u{fffd}b\u{fffd}");
    }

    #[test]
    fn only_a_byte_order_mark_says_utf16() {
        assert_eq!(TextEncoding::sniff(b"a\0b\0"), TextEncoding::Utf8);
        assert_eq!(TextEncoding::sniff(&[0xff]), TextEncoding::Utf8);
        assert_eq!(TextEncoding::sniff(&[0xef, 0xbb, 0xbf]), TextEncoding::Utf8);
    }
}
