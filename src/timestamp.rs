//! Timestamps of log lines, in the layouts mobile and server logs use.
//!
//! Recognised at the start of a line (after an optional `[`):
//!
//! | layout | example | kind |
//! |---|---|---|
//! | ISO 8601 / RFC 3339 | `2026-11-03T08:15:02.123Z`, `…+08:00` | instant (offset given) or civil |
//! | iOS console | `2026-11-04 10:12:30.733883+0800` | instant |
//! | Android Studio, log4j, plain | `2026-10-27 09:31:06.927`, `2026-11-16 09:01:11,492` | civil |
//! | logcat threadtime / time | `11-03 08:15:44.020` | year-less |
//! | syslog | `Nov 26 05:11:31` | year-less |
//!
//! A *civil* time (no offset) is read in the zone given with `--tz`. A *year-less* time gets its
//! year from a [`YearRule`]: from `--year` (the first year-less time of an input is in that year,
//! and a later time earlier in the calendar means the log went past New Year), or else from the
//! input's modification time (a time later in the calendar than the file was last written belongs
//! to the year before). Parsing is by hand: it runs only on lines that hold a code, and on a few
//! lines around them, and must cost nanoseconds when a line has no timestamp.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};

/// A timestamp as written on a line, before the zone and year are applied. `digits` is how many
/// digits of a second's fraction the line wrote (at most 9 are kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// The layout gave an offset: an exact instant.
    Instant { at: Timestamp, digits: u8 },
    /// A date and time without an offset.
    Civil { at: DateTime, digits: u8 },
    /// A date without a year: month, day and time.
    YearLess {
        month: i8,
        day: i8,
        time: Time,
        digits: u8,
    },
}

/// When a line was written, as precisely as its timestamp says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineTime {
    pub at: Timestamp,
    /// Digits of a second's fraction the line wrote (0 to 9).
    pub digits: u8,
}

impl LineTime {
    /// A time of whole seconds since the Unix epoch.
    pub fn from_second(second: i64) -> Option<LineTime> {
        Some(LineTime {
            at: Timestamp::from_second(second).ok()?,
            digits: 0,
        })
    }

    /// Seconds since the Unix epoch.
    pub fn second(&self) -> i64 {
        self.at.as_second()
    }

    /// RFC 3339 in UTC, with as many digits of a second's fraction as the line wrote:
    /// `2026-11-20T10:00:00.120Z` for `…10:00:00.120`, `2026-11-20T10:00:00Z` for `…10:00:00`.
    pub fn rfc3339(&self) -> String {
        jiff::fmt::temporal::DateTimePrinter::new()
            .precision(Some(self.digits.min(9)))
            .timestamp_to_string(&self.at)
    }
}

/// How a year-less timestamp gets its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearRule {
    /// Month and day from which (inclusive) `at_or_after` applies; `below` applies before it.
    pivot: (i8, i8),
    below: i16,
    at_or_after: i16,
}

impl YearRule {
    /// The year of the input's first year-less timestamp is `year`; dates earlier in the calendar
    /// than that first one are in the next year (the log went past New Year).
    pub fn from_first(year: i16, first: Option<(i8, i8)>) -> YearRule {
        let pivot = first.unwrap_or((1, 1));
        YearRule {
            pivot,
            below: year + 1,
            at_or_after: year,
        }
    }

    /// The input was last written on `modified` (in the reading zone): dates later in the calendar
    /// than that day are from the year before.
    pub fn from_modified(modified: Date) -> YearRule {
        let next = modified.tomorrow().unwrap_or(modified);
        if next.year() != modified.year() {
            // Written on 31 December: every date of the year is on or before it.
            return YearRule {
                pivot: (1, 1),
                below: modified.year(),
                at_or_after: modified.year(),
            };
        }
        YearRule {
            pivot: (next.month(), next.day()),
            below: modified.year(),
            at_or_after: modified.year() - 1,
        }
    }

    pub fn year(&self, month: i8, day: i8) -> i16 {
        if (month, day) < self.pivot {
            self.below
        } else {
            self.at_or_after
        }
    }
}

/// Turns stamps into instants: the zone for civil times, and the year rule for year-less ones.
#[derive(Debug, Clone)]
pub struct Clock {
    pub tz: TimeZone,
    pub years: YearRule,
}

impl Clock {
    /// Seconds since the Unix epoch, or `None` for an impossible date (30 February).
    pub fn resolve(&self, stamp: Stamp) -> Option<i64> {
        self.resolve_time(stamp).map(|t| t.second())
    }

    /// The instant of `stamp`, with the fraction of a second it wrote; `None` for an impossible
    /// date (30 February).
    pub fn resolve_time(&self, stamp: Stamp) -> Option<LineTime> {
        let (civil, digits) = match stamp {
            Stamp::Instant { at, digits } => return Some(LineTime { at, digits }),
            Stamp::Civil { at, digits } => (at, digits),
            Stamp::YearLess {
                month,
                day,
                time,
                digits,
            } => {
                let year = self.years.year(month, day);
                (Date::new(year, month, day).ok()?.to_datetime(time), digits)
            }
        };
        let at = self.tz.to_ambiguous_timestamp(civil).compatible().ok()?;
        Some(LineTime { at, digits })
    }
}

/// The timestamp at the start of `line`, if it has one. After a logcat brief prefix
/// (`I/flutter (12877): [2026-11-10 14:01:55.350] …`, as Flutter apps print) the message's own
/// timestamp counts too.
pub fn parse(line: &[u8]) -> Option<Stamp> {
    parse_at_start(line).or_else(|| parse_at_start(after_brief_prefix(line)?))
}

fn parse_at_start(line: &[u8]) -> Option<Stamp> {
    let line = line.strip_prefix(b"[").unwrap_or(line);
    match *line.first()? {
        b'0'..=b'9' => parse_numeric(line),
        b'A'..=b'S' => parse_syslog(line),
        _ => None,
    }
}

/// The message after a logcat brief prefix `L/TAG( PID): `.
fn after_brief_prefix(line: &[u8]) -> Option<&[u8]> {
    if line.get(1) != Some(&b'/')
        || !matches!(line[0], b'V' | b'D' | b'I' | b'W' | b'E' | b'F' | b'A')
    {
        return None;
    }
    let head = &line[..line.len().min(120)];
    let end = head.windows(3).position(|w| w == b"): ")?;
    Some(&line[end + 3..])
}

/// `YYYY-MM-DD…` or `MM-DD …`.
fn parse_numeric(s: &[u8]) -> Option<Stamp> {
    if s.len() >= 10 && matches!(s[4], b'-' | b'/') {
        let year = num(s, 0, 4)? as i16;
        let month = num(s, 5, 2)? as i8;
        if s[7] != s[4] {
            return None;
        }
        let day = num(s, 8, 2)? as i8;
        let date = Date::new(year, month, day).ok()?;
        if !matches!(s.get(10), Some(b'T' | b' ')) {
            return None;
        }
        let (time, digits, rest) = parse_time(&s[11..])?;
        let dt = date.to_datetime(time);
        return Some(match parse_offset(rest) {
            Some(offset) => Stamp::Instant {
                at: offset.to_timestamp(dt).ok()?,
                digits,
            },
            None => Stamp::Civil { at: dt, digits },
        });
    }
    // Logcat: MM-DD HH:MM:SS.mmm
    if s.len() >= 14 && s[2] == b'-' && s[5] == b' ' {
        let month = num(s, 0, 2)? as i8;
        let day = num(s, 3, 2)? as i8;
        // Checked against a leap year, so that 02-29 is accepted here and judged with its year.
        Date::new(2000, month, day).ok()?;
        let (time, digits, _) = parse_time(&s[6..])?;
        return Some(Stamp::YearLess {
            month,
            day,
            time,
            digits,
        });
    }
    None
}

/// `Mon DD HH:MM:SS` (the day may be padded with a space).
fn parse_syslog(s: &[u8]) -> Option<Stamp> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    if s.len() < 15 || s[3] != b' ' {
        return None;
    }
    let month = MONTHS.iter().position(|m| s[..3] == m[..])? as i8 + 1;
    let day = if s[4] == b' ' {
        num(s, 5, 1)?
    } else {
        num(s, 4, 2)?
    } as i8;
    if s[6] != b' ' {
        return None;
    }
    Date::new(2000, month, day).ok()?;
    let (time, digits, _) = parse_time(&s[7..])?;
    Some(Stamp::YearLess {
        month,
        day,
        time,
        digits,
    })
}

/// `HH:MM:SS` with an optional `.fraction` or `,fraction`; returns the time, the digits of the
/// fraction (at most 9 count), and the rest of the input.
fn parse_time(s: &[u8]) -> Option<(Time, u8, &[u8])> {
    if s.len() < 8 || s[2] != b':' || s[5] != b':' {
        return None;
    }
    let (h, m, sec) = (num(s, 0, 2)?, num(s, 3, 2)?, num(s, 6, 2)?);
    let mut rest = &s[8..];
    let mut nanos = 0i32;
    let mut fraction = 0;
    if let [b'.' | b',', tail @ ..] = rest {
        let digits = tail.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for (i, d) in tail[..digits.min(9)].iter().enumerate() {
            nanos += i32::from(d - b'0') * 10i32.pow(8 - i as u32);
        }
        rest = &tail[digits..];
        fraction = digits.min(9) as u8;
    }
    let time = Time::new(h as i8, m as i8, sec.min(59) as i8, nanos).ok()?;
    Some((time, fraction, rest))
}

/// `Z`, `+08:00`, `+0800` or `+08` right after the time (a space before it is allowed).
fn parse_offset(s: &[u8]) -> Option<Offset> {
    let s = s.strip_prefix(b" ").unwrap_or(s);
    match *s.first()? {
        b'Z' | b'z' => Some(Offset::UTC),
        sign @ (b'+' | b'-') => {
            let hours = num(s, 1, 2)? as i32;
            let minutes = match s.get(3) {
                Some(b':') => num(s, 4, 2)? as i32,
                Some(b'0'..=b'9') => num(s, 3, 2)? as i32,
                _ => 0,
            };
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = (hours * 60 + minutes) * 60;
            Offset::from_seconds(if sign == b'-' { -seconds } else { seconds }).ok()
        }
        _ => None,
    }
}

/// The number written with exactly `len` ASCII digits at `s[at..]`.
fn num(s: &[u8], at: usize, len: usize) -> Option<u32> {
    let digits = s.get(at..at + len)?;
    digits.iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

/// The local date of an instant in `tz`.
pub fn date_in(secs: i64, tz: &TimeZone) -> Option<Date> {
    let ts = Timestamp::from_second(secs).ok()?;
    Some(ts.to_zoned_datetime(tz.clone()).date())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn clock(tz: &str, years: YearRule) -> Clock {
        Clock {
            tz: TimeZone::get(tz).unwrap(),
            years,
        }
    }

    fn instant(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_second()
    }

    #[test]
    fn every_layout() {
        let shanghai = clock("Asia/Shanghai", YearRule::from_first(2026, None));
        let cases: &[(&str, &str)] = &[
            ("2026-11-03T08:15:02.123Z INFO x", "2026-11-03T08:15:02Z"),
            ("2026-11-12T10:06:52.613+08:00 WARN", "2026-11-12T02:06:52Z"),
            (
                "2026-11-04 10:12:30.733883+0800 ChatDemo[7606:812345]",
                "2026-11-04T02:12:30Z",
            ),
            (
                "2026-10-27 09:31:06.927 7606-7651/com.example.chat W/JIGUANG",
                "2026-10-27T01:31:06Z",
            ),
            (
                "2026-11-16 09:01:11,492 ERROR [main]",
                "2026-11-16T01:01:11Z",
            ),
            (
                "11-03 08:15:44.020  7606  7702 W JIGUANG-JMessage: x",
                "2026-11-03T00:15:44Z",
            ),
            ("Nov 26 05:11:31 host app[12]: x", "2026-11-25T21:11:31Z"),
            ("Nov  6 05:11:31 host app[12]: x", "2026-11-05T21:11:31Z"),
            ("[2026-11-03 08:15:02] x", "2026-11-03T00:15:02Z"),
            ("2026-11-03T08:15:02-05:30 x", "2026-11-03T13:45:02Z"),
            ("2026/11/03 08:15:02 x", "2026-11-03T00:15:02Z"),
            (
                "I/flutter (12877): [2026-11-10 14:01:55.350] main: x",
                "2026-11-10T06:01:55Z",
            ),
        ];
        for (line, want) in cases {
            let stamp = parse(line.as_bytes()).unwrap_or_else(|| panic!("no time in {line}"));
            assert_eq!(shanghai.resolve(stamp), Some(instant(want)), "{line}");
        }
    }

    #[test]
    fn lines_without_a_timestamp() {
        for line in [
            "E/JIGUANG-JMessage(21854): login failed",
            "\tat java.lang.Thread.run(Thread.java:919)",
            "#0      MethodChannel._invokeMethod (package:flutter/src/services/platform_channel.dart:332:7)",
            "801004 failed",
            "2026-13-03 08:15:02 bad month",
            "11-32 08:15:44.020 bad day",
            "2026-11-03 25:00:00 bad hour",
            "Now 26 05:11:31 not a month",
            "",
        ] {
            assert_eq!(parse(line.as_bytes()), None, "{line}");
        }
    }

    #[test]
    fn fractions_of_any_length() {
        let Some(Stamp::Civil { at, digits: 1 }) = parse(b"2026-11-03 08:15:02.1 x") else {
            panic!()
        };
        assert_eq!(at.subsec_nanosecond(), 100_000_000);
        let Some(Stamp::Civil { at, digits: 9 }) = parse(b"2026-11-03 08:15:02.123456789123 x")
        else {
            panic!()
        };
        assert_eq!(at.subsec_nanosecond(), 123_456_789);
    }

    #[test]
    fn times_keep_the_fraction_the_line_wrote() {
        let utc = clock("UTC", YearRule::from_first(2026, None));
        let rfc = |line: &str| {
            utc.resolve_time(parse(line.as_bytes()).unwrap())
                .unwrap()
                .rfc3339()
        };
        assert_eq!(rfc("2026-11-03 08:15:02 x"), "2026-11-03T08:15:02Z");
        assert_eq!(rfc("2026-11-03 08:15:02.120 x"), "2026-11-03T08:15:02.120Z");
        assert_eq!(rfc("2026-11-03 08:15:02,5 x"), "2026-11-03T08:15:02.5Z");
        assert_eq!(
            rfc("2026-11-04 10:12:30.733883+0800 App[1:2]"),
            "2026-11-04T02:12:30.733883Z"
        );
        assert_eq!(
            rfc("11-03 08:15:44.020  1  2 E x"),
            "2026-11-03T08:15:44.020Z"
        );
        assert_eq!(rfc("Nov  6 05:11:31 host x"), "2026-11-06T05:11:31Z");
        assert_eq!(
            rfc("2026-11-03T08:15:02.123456789123Z x"),
            "2026-11-03T08:15:02.123456789Z"
        );
    }

    #[test]
    fn year_from_the_first_timestamp_rolls_over_new_year() {
        let rule = YearRule::from_first(2026, Some((12, 30)));
        assert_eq!(rule.year(12, 30), 2026);
        assert_eq!(rule.year(12, 31), 2026);
        assert_eq!(rule.year(1, 1), 2027);
        assert_eq!(rule.year(1, 2), 2027);
        let utc = clock("UTC", rule);
        let dec = utc
            .resolve(parse(b"12-31 23:59:59.000 x").unwrap())
            .unwrap();
        let jan = utc
            .resolve(parse(b"01-01 00:00:01.000 x").unwrap())
            .unwrap();
        assert_eq!(jan - dec, 2);
    }

    #[test]
    fn year_from_the_modification_time() {
        // Written on 5 January 2027: December lines are from 2026.
        let rule = YearRule::from_modified(date(2027, 1, 5));
        assert_eq!(rule.year(12, 31), 2026);
        assert_eq!(rule.year(1, 5), 2027);
        assert_eq!(rule.year(1, 6), 2026);
        // Written on 31 December: the whole year.
        let rule = YearRule::from_modified(date(2026, 12, 31));
        assert_eq!(rule.year(1, 1), 2026);
        assert_eq!(rule.year(12, 31), 2026);
    }

    #[test]
    fn impossible_dates_do_not_resolve() {
        let utc = clock("UTC", YearRule::from_first(2026, None));
        let stamp = parse(b"02-29 10:00:00.000 x").unwrap();
        assert_eq!(utc.resolve(stamp), None, "2026 has no 29 February");
        let leap = clock("UTC", YearRule::from_first(2028, None));
        assert!(leap.resolve(stamp).is_some());
    }
}
