//! Resolves the raw arguments, the environment and the terminal into the settings of a run.
//! This is the only place that looks at `NO_COLOR`, at whether stdout is a terminal, or at the
//! number of CPUs.

use std::io::IsTerminal;

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use crate::analyze::{StdinAs, TimeSettings};
use crate::cli::{AnalyzeArgs, ByChoice, ColorChoice};
use crate::histogram::Unit;
use crate::render::Look;
use crate::tally::Window;

/// How text output looks on this run's stdout.
pub fn look(choice: ColorChoice) -> Look {
    let tty = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => tty && !no_color,
    };
    let width = if tty {
        terminal_size::terminal_size().map(|(w, _)| w.0)
    } else {
        None
    };
    Look {
        color,
        width,
        forced: choice == ColorChoice::Always,
        terminal: tty,
    }
}

/// The number of scanning threads: as asked, else one per CPU.
pub fn threads(asked: Option<u16>) -> usize {
    asked
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Whether to draw a progress bar: only on a terminal, and not with `--quiet`.
pub fn progress(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// Whether standard input is a terminal (then jmlog will not wait on it for logs).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// What standard input stands for, from `--stdin-name`, `--stdin-modified` and
/// `--stdin-skip-binary`.
pub fn stdin_as(args: &AnalyzeArgs) -> Result<StdinAs, String> {
    let modified = args
        .stdin_modified
        .as_deref()
        .map(|t| {
            t.parse::<Timestamp>()
                .map_err(|e| format!("--stdin-modified {t}: not an RFC 3339 time: {e}"))
        })
        .transpose()?;
    Ok(StdinAs {
        name: args.stdin_name.clone(),
        modified,
        skip_binary: args.stdin_skip_binary,
    })
}

/// How lines are dated, from `--by`, `--since`, `--until`, `--tz` and `--year`; `None` when no
/// option needs times (dating then costs nothing).
pub fn time_settings(args: &AnalyzeArgs) -> Result<Option<TimeSettings>, String> {
    let (tz, tz_name) = match &args.tz {
        Some(name) => (parse_zone(name)?, name.clone()),
        None => {
            let tz = TimeZone::system();
            let name = tz.iana_name().map(str::to_owned).unwrap_or_else(|| {
                Timestamp::now()
                    .to_zoned_datetime(tz.clone())
                    .offset()
                    .to_string()
            });
            (tz, name)
        }
    };
    let now = Timestamp::now();
    let bound = |flag: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|v| parse_time_bound(v, &tz, now).map_err(|e| format!("{flag} {v}: {e}")))
            .transpose()
    };
    let window = Window {
        since: bound("--since", &args.since)?,
        until: bound("--until", &args.until)?,
    };
    if args.by.is_none() && window.is_unbounded() {
        return Ok(None);
    }
    let by = args.by.map(|b| match b {
        ByChoice::Hour => Unit::Hour,
        ByChoice::Day => Unit::Day,
        ByChoice::Week => Unit::Week,
    });
    Ok(Some(TimeSettings {
        tz,
        tz_name,
        by,
        year: args.year,
        window,
    }))
}

/// An IANA zone name, `UTC`, or a fixed offset such as `+08:00`, `+0800` or `-05`.
pub fn parse_zone(name: &str) -> Result<TimeZone, String> {
    if name.eq_ignore_ascii_case("utc") || name == "Z" {
        return Ok(TimeZone::UTC);
    }
    if let Some(sign) = name.strip_prefix(['+', '-']).map(|_| name.as_bytes()[0]) {
        let digits: String = name[1..].chars().filter(|c| *c != ':').collect();
        let ok = digits.bytes().all(|b| b.is_ascii_digit()) && matches!(digits.len(), 2 | 4);
        if !ok {
            return Err(format!("--tz {name}: an offset is written like +08:00"));
        }
        let hours: i32 = digits[..2].parse().expect("digits");
        let minutes: i32 = digits.get(2..).map_or(0, |m| m.parse().expect("digits"));
        let seconds = (hours * 60 + minutes) * 60 * if sign == b'-' { -1 } else { 1 };
        return Offset::from_seconds(seconds)
            .map(TimeZone::fixed)
            .map_err(|e| format!("--tz {name}: {e}"));
    }
    TimeZone::get(name).map_err(|_| {
        format!(
            "--tz {name}: not a time zone (use an IANA name like Asia/Shanghai, UTC, or +08:00)"
        )
    })
}

/// A `--since`/`--until` value as seconds since the Unix epoch.
pub fn parse_time_bound(value: &str, tz: &TimeZone, now: Timestamp) -> Result<i64, String> {
    let v = value.trim();
    if let Some(unit) = v.chars().last().filter(|c| "smhdw".contains(*c)) {
        if let Ok(n) = v[..v.len() - 1].parse::<i64>() {
            let secs = n * match unit {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                _ => 7 * 86_400,
            };
            return now
                .checked_sub(SignedDuration::from_secs(secs))
                .map(|t| t.as_second())
                .map_err(|e| e.to_string());
        }
    }
    if let Ok(t) = v.parse::<Timestamp>() {
        return Ok(t.as_second());
    }
    let civil = v
        .parse::<DateTime>()
        .or_else(|_| {
            v.parse::<Date>()
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        })
        .map_err(|_| {
            "expected a date (2026-11-01), a date and time (2026-11-01T08:00, optionally with an \
             offset), or a span back from now (7d, 24h, 30m, 2w)"
                .to_owned()
        })?;
    tz.to_ambiguous_timestamp(civil)
        .compatible()
        .map(|t| t.as_second())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones() {
        assert_eq!(parse_zone("UTC").unwrap(), TimeZone::UTC);
        let plus8 = parse_zone("+08:00").unwrap();
        assert_eq!(plus8.to_fixed_offset().unwrap().seconds(), 8 * 3600);
        assert_eq!(
            parse_zone("-0530")
                .unwrap()
                .to_fixed_offset()
                .unwrap()
                .seconds(),
            -19800
        );
        assert!(parse_zone("Asia/Shanghai").is_ok());
        assert!(parse_zone("Mars/Olympus").is_err());
        assert!(parse_zone("+8").is_err());
    }

    #[test]
    fn time_bounds() {
        let tz = parse_zone("Asia/Shanghai").unwrap();
        let now: Timestamp = "2026-11-26T00:00:00Z".parse().unwrap();
        let at = |s: &str| parse_time_bound(s, &tz, now).unwrap();
        let utc = |s: &str| s.parse::<Timestamp>().unwrap().as_second();
        assert_eq!(at("7d"), utc("2026-11-19T00:00:00Z"));
        assert_eq!(at("24h"), utc("2026-11-25T00:00:00Z"));
        assert_eq!(at("30m"), utc("2026-11-25T23:30:00Z"));
        assert_eq!(at("2w"), utc("2026-11-12T00:00:00Z"));
        assert_eq!(
            at("2026-11-01"),
            utc("2026-10-31T16:00:00Z"),
            "midnight in --tz"
        );
        assert_eq!(at("2026-11-01T08:00"), utc("2026-11-01T00:00:00Z"));
        assert_eq!(at("2026-11-01 08:00:00"), utc("2026-11-01T00:00:00Z"));
        assert_eq!(at("2026-11-01T08:00:00Z"), utc("2026-11-01T08:00:00Z"));
        assert!(parse_time_bound("last tuesday", &tz, now).is_err());
    }
}
