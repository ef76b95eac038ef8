//! Resolves the raw arguments, the environment and the terminal into the settings of a run.
//! This is the only place that looks at `NO_COLOR` (and the other colour variables), at whether stdout is a terminal, or at the
//! number of CPUs.

use std::io::IsTerminal;

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use crate::analyze::{StdinAs, TimeSettings};
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

/// How lines are dated, from `--by`, `--since`, `--until`, `--tz` and `--year`; `None` when
/// nothing needs times (dating then costs nothing). `events`: the report lists every code
/// occurrence with its time (`--format ndjson`).
pub fn time_settings(args: &AnalyzeArgs, events: bool) -> Result<Option<TimeSettings>, String> {
    let tz = match &args.tz {
        Some(name) => parse_zone(name)?,
        None => TimeZone::system(),
    };
    let tz_name = zone_name(&tz).unwrap_or_else(|| {
        // A system zone known only by its rules: named by its offset now.
        let offset = Timestamp::now().to_zoned_datetime(tz.clone()).offset();
        zone_name(&TimeZone::fixed(offset)).unwrap_or_else(|| offset.to_string())
    });
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
    if let (Some(since), Some(until)) = (window.since, window.until) {
        if since >= until {
            let at = |t: i64| {
                Timestamp::from_second(t).map_or_else(|_| t.to_string(), |t| t.to_string())
            };
            return Err(format!(
                "--since {} ({}) is not before --until {} ({}): the window is empty",
                args.since.as_deref().unwrap_or_default(),
                at(since),
                args.until.as_deref().unwrap_or_default(),
                at(until)
            ));
        }
    }
    if args.by.is_none() && window.is_unbounded() && !events {
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

/// An IANA zone name, `UTC`, `Z`, or a fixed offset written `±HH`, `±HHMM` or `±HH:MM` (`+08`,
/// `-0530`, `+08:00`).
pub fn parse_zone(name: &str) -> Result<TimeZone, String> {
    if name.eq_ignore_ascii_case("utc") || name.eq_ignore_ascii_case("z") {
        return Ok(TimeZone::UTC);
    }
    if name.starts_with(['+', '-']) {
        return parse_offset(name).map(TimeZone::fixed).ok_or_else(|| {
            format!(
                "--tz {name}: an offset is written ±HH, ±HHMM or ±HH:MM, from -23:59 to \
                     +23:59 (like +08, -0530 or +08:00)"
            )
        });
    }
    TimeZone::get(name).map_err(|_| {
        format!(
            "--tz {name}: not a time zone (use an IANA name like Asia/Shanghai, UTC, or +08:00)"
        )
    })
}

/// `±HH`, `±HHMM` or `±HH:MM`, hours below 24 and minutes below 60.
fn parse_offset(text: &str) -> Option<Offset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let two = |s: &str| -> Option<i32> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (hours, minutes) = match rest.len() {
        2 => (two(rest)?, 0),
        4 => (two(&rest[..2])?, two(&rest[2..])?),
        5 if rest.as_bytes()[2] == b':' => (two(&rest[..2])?, two(&rest[3..])?),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 60 + minutes) * 60).ok()
}

/// The one name a zone goes by in reports, so that reports made with `--tz UTC`, `utc`, `Z`,
/// `Etc/UTC` or `+00:00` name the same zone, and reports can be compared by this name alone.
/// Zones with a single offset forever are named by it (`UTC`, or `+08:00` for `+0800` and
/// `Etc/GMT-8`); other zones by their IANA name as the time zone database spells it
/// (`asia/shanghai` is `Asia/Shanghai`).
pub fn canonical_zone_name(name: &str) -> Result<String, String> {
    Ok(zone_name(&parse_zone(name)?).unwrap_or_else(|| name.to_owned()))
}

/// How reports name `tz` (see [`canonical_zone_name`]); `None` for a zone without a name and
/// with more than one offset.
pub fn zone_name(tz: &TimeZone) -> Option<String> {
    let fixed = tz.to_fixed_offset().ok().or_else(|| {
        // A zone of the database whose offset never changes (Etc/UTC, Etc/GMT-8).
        let never_changes = tz.following(Timestamp::MIN).next().is_none()
            && tz.preceding(Timestamp::MAX).next().is_none();
        never_changes.then(|| tz.to_offset(Timestamp::UNIX_EPOCH))
    });
    match fixed {
        Some(offset) if offset.seconds() == 0 => Some("UTC".to_owned()),
        Some(offset) => {
            let (sign, secs) = if offset.seconds() < 0 {
                ('-', -offset.seconds())
            } else {
                ('+', offset.seconds())
            };
            let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
            Some(if s == 0 {
                format!("{sign}{h:02}:{m:02}")
            } else {
                format!("{sign}{h:02}:{m:02}:{s:02}")
            })
        }
        None => tz.iana_name().map(str::to_owned),
    }
}

/// A `--since`/`--until` value as seconds since the Unix epoch.
pub fn parse_time_bound(value: &str, tz: &TimeZone, now: Timestamp) -> Result<i64, String> {
    let v = value.trim();
    if let Some(unit) = v.chars().last().filter(|c| "smhdw".contains(*c)) {
        let digits = &v[..v.len() - 1];
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            let per_unit = match unit {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                _ => 7 * 86_400,
            };
            let out_of_range = || {
                format!(
                    "{digits}{unit} back from now is out of range (times go back to {})",
                    Timestamp::MIN.strftime("%Y-%m-%d")
                )
            };
            let secs = digits
                .parse::<i64>()
                .ok()
                .and_then(|n| n.checked_mul(per_unit))
                .ok_or_else(out_of_range)?;
            return now
                .checked_sub(SignedDuration::from_secs(secs))
                .map(|t| t.as_second())
                .map_err(|_| out_of_range());
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

/// The span back from now that a relative `--since`/`--until` value (`30d`, `24h`, `2w`) stands
/// for, in seconds; `None` for an absolute time. A relative bound resolves to a different time on
/// every run, which is what `merge` needs to know.
pub fn relative_span(value: &str) -> Option<i64> {
    let v = value.trim();
    let unit = v.chars().last().filter(|c| "smhdw".contains(*c))?;
    let digits = &v[..v.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    n.checked_mul(match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => 7 * 86_400,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_spans() {
        assert_eq!(relative_span("30d"), Some(30 * 86_400));
        assert_eq!(relative_span(" 2w "), Some(14 * 86_400));
        assert_eq!(relative_span("90m"), Some(5400));
        for absolute in [
            "2026-11-01",
            "2026-11-01T08:00:00Z",
            "d",
            "-5d",
            "+5d",
            "5 d",
        ] {
            assert_eq!(relative_span(absolute), None, "{absolute}");
        }
        assert_eq!(relative_span("213503982334602d"), None, "out of range");
    }

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
    fn offsets_of_two_four_or_five_characters() {
        let secs = |z: &str| {
            parse_zone(z)
                .unwrap_or_else(|e| panic!("{z}: {e}"))
                .to_fixed_offset()
                .unwrap()
                .seconds()
        };
        assert_eq!(secs("+08"), 8 * 3600);
        assert_eq!(secs("-05"), -5 * 3600);
        assert_eq!(secs("+00"), 0);
        assert_eq!(secs("-0530"), -(5 * 3600 + 30 * 60));
        assert_eq!(secs("+05:45"), 5 * 3600 + 45 * 60);
        assert_eq!(secs("+23:59"), 23 * 3600 + 59 * 60);
        for bad in [
            "+",
            "-",
            "+8",
            "+080",
            "+08:0",
            "+08:",
            "+0800:",
            "+08:00:00",
            "+24",
            "+08:60",
            "+0a",
            "++08",
            "+08 ",
            "+８０",
            "-:0800",
        ] {
            let err = parse_zone(bad).expect_err(bad);
            assert!(err.starts_with(&format!("--tz {bad}: ")), "{err}");
        }
    }

    proptest::proptest! {
        /// Whatever is given to `--tz`, `--since` or `--until`: a value or a usage error, never
        /// a panic.
        #[test]
        fn any_zone_or_bound_is_a_value_or_an_error(
            zone in "[-+Zz]?[0-9:]{0,7}|\\PC{0,12}",
            bound in "[-+]?[0-9]{0,22}[smhdw]?|\\PC{0,24}",
        ) {
            let _ = parse_zone(&zone).map(|tz| zone_name(&tz));
            let now = Timestamp::now();
            for tz in [TimeZone::UTC, TimeZone::get("America/Santiago").unwrap()] {
                let _ = parse_time_bound(&bound, &tz, now);
            }
        }
    }

    #[test]
    fn one_name_per_zone() {
        let name = |z: &str| canonical_zone_name(z).unwrap_or_else(|e| panic!("{z}: {e}"));
        for utc in [
            "UTC", "utc", "Z", "z", "Etc/UTC", "etc/utc", "+00:00", "+00", "-0000", "Etc/GMT",
            "Zulu",
        ] {
            assert_eq!(name(utc), "UTC", "{utc}");
        }
        assert_eq!(name("+0800"), "+08:00");
        assert_eq!(name("Etc/GMT-8"), "+08:00");
        assert_eq!(name("-05"), "-05:00");
        assert_eq!(name("asia/shanghai"), "Asia/Shanghai");
        assert_eq!(name("Africa/Cairo"), "Africa/Cairo");
        assert!(canonical_zone_name("Mars/Olympus").is_err());
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
        assert_eq!(at("0d"), now.as_second());
    }

    #[test]
    fn spans_too_long_are_out_of_range() {
        let now: Timestamp = "2026-11-26T00:00:00Z".parse().unwrap();
        for span in [
            "213503982334602d",
            "9223372036854775807s",
            "99999999999999999999w",
            "4000000w",
        ] {
            let err = parse_time_bound(span, &TimeZone::UTC, now).expect_err(span);
            assert!(err.contains("out of range"), "{span}: {err}");
        }
        assert!(parse_time_bound("-7d", &TimeZone::UTC, now).is_err());
        assert!(parse_time_bound("+7d", &TimeZone::UTC, now).is_err());
    }
}
