//! Error counts over time: buckets of an hour, a day or an ISO week, in a stated time zone.
//!
//! The scan counts lines per minute and code ([`crate::tally::Tally::timeline`]); this module groups
//! those minutes into buckets whose edges are local midnight (or the local hour, or Monday's local
//! midnight) in the report's zone, and lists every bucket from the first to the last, empty ones
//! included, so that a chart of the series has no gaps.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, ZonedDateTime};
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Code, Module};

/// The most buckets a histogram may have; a longer series is almost always a stray timestamp.
pub const MAX_BUCKETS: usize = 20_000;

/// The width of a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Hour,
    Day,
    /// An ISO week, Monday to Sunday.
    Week,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
        }
    }

    /// The start of the bucket holding `t`.
    pub fn floor(self, t: &ZonedDateTime) -> Result<ZonedDateTime, jiff::Error> {
        match self {
            Unit::Hour => t.with().minute(0).second(0).subsec_nanosecond(0).build(),
            Unit::Day => t.start_of_day(),
            Unit::Week => {
                let back = i64::from(t.weekday().to_monday_zero_offset());
                t.start_of_day()?.checked_sub(back.days())
            }
        }
    }

    /// The start of the bucket after the one starting at `start`.
    pub fn next(self, start: &ZonedDateTime) -> Result<ZonedDateTime, jiff::Error> {
        match self {
            Unit::Hour => start.checked_add(1.hour()),
            Unit::Day => start.checked_add(1.day()),
            Unit::Week => start.checked_add(1.week()),
        }
    }

    /// A label that always shows the year: `2026-11-03 14:00`, `2026-11-03 Tue`, `2026-W45`.
    pub fn label(self, start: &ZonedDateTime) -> String {
        match self {
            Unit::Hour => start.strftime("%Y-%m-%d %H:00").to_string(),
            Unit::Day => start.strftime("%Y-%m-%d %a").to_string(),
            Unit::Week => {
                let week = start.date().iso_week_date();
                format!(
                    "{}-W{:02} ({})",
                    week.year(),
                    week.week(),
                    start.strftime("%b %d")
                )
            }
        }
    }
}

/// The histogram of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub bucket: Unit,
    /// The zone bucket edges are computed in: an IANA name, or a fixed offset.
    pub tz: String,
    pub series: Vec<Bucket>,
    /// Occurrences of codes on lines whose time is not known (no timestamp on or above them).
    pub undated: u64,
}

/// One bucket of the series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// How reports label the bucket; it always shows the year (`2026-11-03 Tue`, `2026-W45 (Nov 02)`).
    pub label: String,
    /// RFC 3339, with the zone's offset.
    pub start: String,
    pub end: String,
    /// Occurrences of known codes.
    pub total: u64,
    /// Occurrences of unknown codes.
    pub unknown: u64,
    pub modules: BTreeMap<Module, u64>,
    /// Occurrences per known code (as a string key, as JSON needs).
    pub codes: BTreeMap<String, u64>,
}

impl Bucket {
    /// The bucket of `unit` from `start` to `end`, with nothing counted yet.
    pub fn empty(unit: Unit, start: &ZonedDateTime, end: &ZonedDateTime) -> Bucket {
        Bucket {
            label: unit.label(start),
            start: start.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            end: end.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            total: 0,
            unknown: 0,
            modules: BTreeMap::new(),
            codes: BTreeMap::new(),
        }
    }
}

/// Groups per-minute counts into buckets of `unit` in `tz`.
pub fn build(
    timeline: &BTreeMap<(i64, Code), u64>,
    undated: u64,
    unit: Unit,
    tz: &TimeZone,
    tz_name: &str,
    catalog: &Catalog,
) -> Result<Histogram, String> {
    let mut histogram = Histogram {
        bucket: unit,
        tz: tz_name.to_owned(),
        series: Vec::new(),
        undated,
    };
    let (Some(&(first, _)), Some(&(last, _))) =
        (timeline.keys().next(), timeline.keys().next_back())
    else {
        return Ok(histogram);
    };
    let zoned = |minute: i64| -> Result<ZonedDateTime, String> {
        let ts = Timestamp::from_second(minute * 60).map_err(|e| e.to_string())?;
        Ok(ts.to_zoned_datetime(tz.clone()))
    };
    let err = |e: jiff::Error| e.to_string();
    let last = zoned(last)?;
    let mut start = unit.floor(&zoned(first)?).map_err(err)?;
    let mut entries = timeline.iter().peekable();
    while start <= last {
        let end = unit.next(&start).map_err(err)?;
        let end_minute = end.timestamp().as_second().div_euclid(60);
        let mut bucket = Bucket::empty(unit, &start, &end);
        while let Some(&(&(minute, code), &n)) = entries.peek() {
            if minute >= end_minute {
                break;
            }
            entries.next();
            match catalog.get(code) {
                Some(entry) => {
                    bucket.total += n;
                    *bucket.modules.entry(entry.module).or_default() += n;
                    *bucket.codes.entry(code.to_string()).or_default() += n;
                }
                None => bucket.unknown += n,
            }
        }
        histogram.series.push(bucket);
        if histogram.series.len() > MAX_BUCKETS {
            return Err(format!(
                "the histogram would have more than {MAX_BUCKETS} {}s, from {} to {}; \
                 use a coarser --by, or --since and --until",
                unit.name(),
                unit.label(&zoned(first)?),
                unit.label(&last)
            ));
        }
        start = end;
    }
    Ok(histogram)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minute(rfc3339: &str) -> i64 {
        rfc3339.parse::<Timestamp>().unwrap().as_second() / 60
    }

    #[test]
    fn days_in_a_zone_with_empty_buckets() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let mut timeline = BTreeMap::new();
        // 23:30 UTC on the 2nd is 07:30 on the 3rd in Shanghai.
        timeline.insert((minute("2026-11-02T23:30:00Z"), 801004), 2);
        timeline.insert((minute("2026-11-05T01:00:00Z"), 803008), 1);
        timeline.insert((minute("2026-11-05T02:00:00Z"), 812345), 4);
        let h = build(
            &timeline,
            3,
            Unit::Day,
            &tz,
            "Asia/Shanghai",
            Catalog::builtin(),
        )
        .unwrap();
        let starts: Vec<&str> = h.series.iter().map(|b| b.start.as_str()).collect();
        assert_eq!(
            starts,
            [
                "2026-11-03T00:00:00+08:00",
                "2026-11-04T00:00:00+08:00",
                "2026-11-05T00:00:00+08:00"
            ]
        );
        assert_eq!(h.series[0].total, 2);
        assert_eq!(h.series[0].modules[&Module::Login], 2);
        assert_eq!(h.series[1].total, 0, "an empty day is listed");
        assert_eq!(h.series[2].codes["803008"], 1);
        assert_eq!(h.series[2].unknown, 4);
        assert_eq!(h.undated, 3);
    }

    #[test]
    fn weeks_start_on_monday_and_edges_are_exact() {
        let utc = TimeZone::UTC;
        let mut timeline = BTreeMap::new();
        // Sunday 8 November 2026, the last minute of ISO week 45, and Monday's first minute.
        timeline.insert((minute("2026-11-08T23:59:00Z"), 801004), 1);
        timeline.insert((minute("2026-11-09T00:00:00Z"), 801004), 1);
        let h = build(&timeline, 0, Unit::Week, &utc, "UTC", Catalog::builtin()).unwrap();
        assert_eq!(h.series.len(), 2);
        assert_eq!(h.series[0].start, "2026-11-02T00:00:00+00:00");
        assert_eq!(h.series[0].end, "2026-11-09T00:00:00+00:00");
        assert_eq!((h.series[0].total, h.series[1].total), (1, 1));
        let start: ZonedDateTime = "2026-11-02T00:00:00+00:00[UTC]".parse().unwrap();
        assert_eq!(Unit::Week.label(&start), "2026-W45 (Nov 02)");
    }

    #[test]
    fn hours_across_a_daylight_saving_change() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let mut timeline = BTreeMap::new();
        // Clocks go back at 01:00 UTC on 25 October 2026: local 02:00-03:00 happens twice.
        timeline.insert((minute("2026-10-25T00:10:00Z"), 801004), 1);
        timeline.insert((minute("2026-10-25T01:10:00Z"), 801004), 1);
        let h = build(
            &timeline,
            0,
            Unit::Hour,
            &tz,
            "Europe/Berlin",
            Catalog::builtin(),
        )
        .unwrap();
        assert_eq!(h.series.len(), 2, "{:?}", h.series);
        assert_eq!(h.series[0].start, "2026-10-25T02:00:00+02:00");
        assert_eq!(h.series[1].start, "2026-10-25T02:00:00+01:00");
    }

    #[test]
    fn a_stray_timestamp_is_refused_with_advice() {
        let mut timeline = BTreeMap::new();
        timeline.insert((0, 801004), 1);
        timeline.insert((minute("2026-11-02T00:00:00Z"), 801004), 1);
        let err = build(
            &timeline,
            0,
            Unit::Hour,
            &TimeZone::UTC,
            "UTC",
            Catalog::builtin(),
        )
        .unwrap_err();
        assert!(err.contains("--since"), "{err}");
    }
}
