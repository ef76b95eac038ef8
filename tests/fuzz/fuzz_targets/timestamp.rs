//! The timestamp parser on arbitrary bytes: no panic, and a parsed stamp resolves (or not) without
//! panicking in any zone and any year rule.
#![no_main]

use jiff::tz::TimeZone;
use jmlog::timestamp::{Clock, YearRule, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(stamp) = parse(data) {
        let year = data.first().map_or(2026, |&b| 1970 + i16::from(b) * 30);
        for tz in [TimeZone::UTC, TimeZone::get("Asia/Shanghai").unwrap()] {
            let first = Clock { tz: tz.clone(), years: YearRule::from_first(year, Some((12, 31))) };
            let _ = first.resolve(stamp);
            let modified = jiff::civil::date(year.clamp(1971, 9998), 1, 1);
            let clock = Clock { tz, years: YearRule::from_modified(modified) };
            let _ = clock.resolve(stamp);
        }
    }
});
