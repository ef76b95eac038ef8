//! Deterministic synthetic logs for benchmarks: mixed Android, iOS and server layouts, mostly ordinary
//! lines dense with numbers (many of them six digits in the 7xxxxx–8xxxxx range of real codes), about
//! 2% of lines with a real code in one of the shapes real logs use, and decoys on failure lines.
//!
//! The same seed always gives the same bytes, so benchmark runs compare like with like.

use std::io::{self, Write};

/// Codes the generator writes, a realistic mix of frequent and rare.
const CODES: &[u32] = &[
    801004, 801003, 803008, 899002, 898010, 871303, 863004, 865003, 810008, 803010, 880103,
    7132006, 818002, 831001, 871102, 800012,
];

/// A small, fast, deterministic random generator (xorshift64*); statistical quality is irrelevant
/// here, only speed and repeatability.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Writes about `bytes` bytes of synthetic log (whole lines) to `out`.
pub fn write_logs(out: &mut dyn Write, bytes: u64, seed: u64) -> io::Result<()> {
    let mut rng = Rng(seed.max(1));
    let mut written = 0u64;
    let mut line = String::with_capacity(512);
    let mut n = 0u64;
    while written < bytes {
        line.clear();
        one_line(&mut rng, n, &mut line);
        line.push('\n');
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
        n += 1;
    }
    Ok(())
}

fn one_line(rng: &mut Rng, n: u64, line: &mut String) {
    use std::fmt::Write as _;
    let code = *rng.pick(CODES);
    let pid = 1000 + rng.below(30000);
    let tid = pid + rng.below(400);
    // Ids, counts and sizes of six digits: about a fifth of them in the range of real codes.
    let six = 100_000 + rng.below(900_000);
    let ms = rng.below(1000);
    let (h, m, s) = ((n / 3600) % 24, (n / 60) % 60, n % 60);
    let _ = match rng.below(100) {
        // Lines with codes, in the shapes of real logs.
        0 => write!(
            line,
            "11-26 {h:02}:{m:02}:{s:02}.{ms:03}  {pid}  {tid} E JIGUANG-JMessage: login failed, responseCode={code} responseMessage=failed uid={six}"
        ),
        1 => write!(
            line,
            "2026-11-26 {h:02}:{m:02}:{s:02}.{:06}+0800 Chat[{pid}:{tid}] send failed: Error Domain=jmsg_error Code={code} \"request failed\" UserInfo={{seq={six}}}",
            rng.below(1_000_000)
        ),
        // Ordinary lines dense with numbers.
        2..=25 => write!(
            line,
            "11-26 {h:02}:{m:02}:{s:02}.{ms:03}  {pid}  {tid} I art: Background concurrent copying GC freed {six}({}MB) AllocSpace objects, {}({}KB) LOS objects, {}% free, {}MB/{}MB, paused {}us total {}.{:03}ms",
            rng.below(64),
            rng.below(100),
            rng.below(9000),
            rng.below(100),
            rng.below(200),
            rng.below(400),
            rng.below(900),
            rng.below(300),
            rng.below(1000)
        ),
        26..=45 => write!(
            line,
            "2026-11-26 {h:02}:{m:02}:{s:02}.{:06}+0800 Chat[{pid}:{tid}] [MessageStore] synced conversation uid={six} unread={} lastMsgId={} at {}",
            rng.below(1_000_000),
            rng.below(50),
            1_000_000_000 + rng.below(8_000_000_000),
            1_764_000_000_000 + rng.below(10_000_000_000)
        ),
        46..=70 => write!(
            line,
            "2026-11-26T{h:02}:{m:02}:{s:02}.{ms:03}Z INFO [http-nio-8080-exec-{}] c.e.chat.ImGateway - POST /v1/users/{six}/messages status=200 bytes={} latency={}ms request_id={:016x}",
            rng.below(200),
            rng.below(100_000),
            rng.below(900),
            rng.next()
        ),
        71..=90 => write!(
            line,
            "11-26 {h:02}:{m:02}:{s:02}.{ms:03}  {pid}  {tid} D OkHttp: <-- 200 OK https://api.im.example.com/v1/groups/{six}/members ({}ms, {}-byte body)",
            rng.below(2000),
            rng.below(90_000)
        ),
        _ => write!(
            line,
            "2026-11-26 {h:02}:{m:02}:{s:02},{ms:03} WARN [pool-{}-thread-{}] c.e.chat.Retry - attempt {} of 5 for group {six} failed after {}.{:03}s, next in {}ms",
            rng.below(9),
            rng.below(32),
            rng.below(5),
            rng.below(30),
            rng.below(1000),
            rng.below(5000)
        ),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        write_logs(&mut a, 10_000, 7).unwrap();
        write_logs(&mut b, 10_000, 7).unwrap();
        assert_eq!(a, b);
        assert!(a.len() >= 10_000 && a.ends_with(b"\n"));
    }
}
