//! Resolves the raw arguments, the environment and the terminal into the settings of a run.
//! This is the only place that looks at `NO_COLOR` (and the other colour variables), at whether stdout is a terminal, or at the
//! number of CPUs.

use std::io::IsTerminal;

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use crate::analyze::TimeSettings;
use crate::cli::{AnalyzeArgs, ByChoice, ColorChoice};
use crate::histogram::Unit;
use crate::render::Look;
use crate::render::palette::ColorDepth;
use crate::tally::Window;

/// How text output looks on this run's stdout.
pub fn look(choice: ColorChoice) -> Look {
    let tty = std::io::stdout().is_terminal();
    let width = if tty {
        terminal_size::terminal_size().map(|(w, _)| w.0)
    } else {
        None
    };
    decide_look(choice, tty, width, |name| std::env::var(name).ok())
}

/// The colour decision, from the flag, whether stdout is a terminal, and the environment (`env`
/// looks a variable up). `--color always|never` wins; under `auto`, in this order: `NO_COLOR` (not
/// empty) turns colour off, `CLICOLOR_FORCE` (not empty or `0`) turns it on even off a terminal,
/// `CLICOLOR=0` or `TERM=dumb` turn it off, and otherwise a terminal gets colour. How many colours:
/// 24-bit where `COLORTERM` says `truecolor` or `24bit`, 256 where `TERM` names a 256-colour
/// terminal, else the 16 basic ones.
pub fn decide_look(
    choice: ColorChoice,
    tty: bool,
    width: Option<u16>,
    env: impl Fn(&str) -> Option<String>,
) -> Look {
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    let term = env("TERM").unwrap_or_default();
    let clicolor_force = env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
    let (color, forced) = match choice {
        ColorChoice::Always => (true, true),
        ColorChoice::Never => (false, false),
        ColorChoice::Auto if set("NO_COLOR") => (false, false),
        ColorChoice::Auto if clicolor_force => (true, true),
        ColorChoice::Auto => {
            let off = env("CLICOLOR").is_some_and(|v| v == "0") || term == "dumb";
            (tty && !off, false)
        }
    };
    let colorterm = env("COLORTERM").unwrap_or_default();
    let depth = if matches!(colorterm.as_str(), "truecolor" | "24bit") {
        ColorDepth::TrueColor
    } else if term.contains("256color") {
        ColorDepth::Ansi256
    } else {
        ColorDepth::Ansi16
    };
    Look {
        color,
        width,
        forced,
        terminal: tty,
        depth,
    }
}

/// The time a report says it was generated: now, in the system's zone; or, when
/// `SOURCE_DATE_EPOCH` holds seconds since 1970 (the reproducible-builds convention), that time in
/// UTC, so that the same logs give the same page byte for byte.
pub fn generated_at() -> jiff::ZonedDateTime {
    generated_at_from(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())
}

fn generated_at_from(source_date_epoch: Option<&str>) -> jiff::ZonedDateTime {
    source_date_epoch
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(|secs| Timestamp::from_second(secs).ok())
        .map_or_else(jiff::ZonedDateTime::now, |t| {
            t.to_zoned_datetime(TimeZone::UTC)
        })
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
    fn a_fixed_generation_time() {
        let t = generated_at_from(Some("1764583200"));
        assert_eq!(t.to_string(), "2025-12-01T10:00:00+00:00[UTC]");
        // Anything else is now.
        let before = Timestamp::now();
        assert!(generated_at_from(Some("soon")).timestamp() >= before);
        assert!(generated_at_from(None).timestamp() >= before);
    }

    fn look_with(choice: ColorChoice, tty: bool, vars: &[(&str, &str)]) -> Look {
        decide_look(choice, tty, None, |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn colour_follows_flags_and_environment() {
        use ColorChoice::*;
        let on = |choice, tty, vars: &[(&str, &str)]| look_with(choice, tty, vars).color;
        assert!(on(Auto, true, &[]));
        assert!(!on(Auto, false, &[]));
        assert!(!on(Auto, true, &[("NO_COLOR", "1")]));
        assert!(on(Auto, true, &[("NO_COLOR", "")]));
        assert!(!on(Auto, true, &[("TERM", "dumb")]));
        assert!(!on(Auto, true, &[("CLICOLOR", "0")]));
        assert!(on(Auto, false, &[("CLICOLOR_FORCE", "1")]));
        assert!(look_with(Auto, false, &[("CLICOLOR_FORCE", "1")]).forced);
        assert!(on(
            Auto,
            false,
            &[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")]
        ));
        assert!(!on(Auto, false, &[("CLICOLOR_FORCE", "0")]));
        assert!(!on(
            Auto,
            true,
            &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
        ));
        assert!(on(Always, false, &[("NO_COLOR", "1"), ("TERM", "dumb")]));
        assert!(!on(Never, true, &[("CLICOLOR_FORCE", "1")]));
    }

    #[test]
    fn colour_depth_follows_the_terminal() {
        let depth = |vars: &[(&str, &str)]| look_with(ColorChoice::Auto, true, vars).depth;
        assert_eq!(depth(&[]), ColorDepth::Ansi16);
        assert_eq!(depth(&[("TERM", "xterm")]), ColorDepth::Ansi16);
        assert_eq!(depth(&[("TERM", "xterm-256color")]), ColorDepth::Ansi256);
        assert_eq!(
            depth(&[("TERM", "tmux-256color"), ("COLORTERM", "truecolor")]),
            ColorDepth::TrueColor
        );
        assert_eq!(depth(&[("COLORTERM", "24bit")]), ColorDepth::TrueColor);
    }

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
