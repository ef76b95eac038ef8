//! The compression sniffer and decoders on arbitrary bytes: corrupt gzip, zstd, bzip2 and xz data
//! gives an error, never a panic or a hang.
#![no_main]

use std::io::Read;

use jmlog::input::decode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((reader, _encoding)) = decode(std::io::Cursor::new(data.to_vec())) else {
        return;
    };
    // A small input may expand a lot; what matters is that reading ends without a panic.
    let mut out = Vec::new();
    let _ = reader.take(16 << 20).read_to_end(&mut out);
});
