//! Error counts over time: buckets of an hour, a day or an ISO week, in a stated time zone.
//!
//! The scan counts lines per minute and code ([`crate::tally::Tally::timeline`]); this module groups
//! those minutes into buckets whose edges are local midnight (or the local hour, or Monday's local
//! midnight) in the report's zone, and lists every bucket from the first to the last, empty ones
//! included, so that a chart of the series has no gaps.

use std::collections::BTreeMap;

use jiff::civil::{DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
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

    /// The start of the bucket holding `t`: the first instant of its civil hour, day or week in
    /// `t`'s zone (see [`Unit::next`]).
    pub fn floor(self, t: &ZonedDateTime) -> Result<ZonedDateTime, jiff::Error> {
        self.first_instant(self.civil_floor(t.datetime()), t.time_zone())
    }

    /// The start of the bucket after the one starting at `start`.
    ///
    /// Buckets are civil hours, days and weeks of the zone, each starting at the first instant
    /// whose wall-clock time is at or after its civil start (as jiff's `start_of_day` computes
    /// it): a day whose midnight is skipped by a DST change (Africa/Cairo, America/Santiago)
    /// starts at 01:00; an hour that is skipped has no bucket; an hour the clocks go through twice
    /// is one bucket of two hours; an hour cut by a 30-minute shift (Australia/Lord_Howe) lasts 30
    /// or 90 minutes. So every instant is in exactly one bucket, buckets follow each other without
    /// gaps, labels are never repeated, and every report in a zone cuts at the same instants.
    pub fn next(self, start: &ZonedDateTime) -> Result<ZonedDateTime, jiff::Error> {
        let civil = self.civil_floor(start.datetime());
        let mut after = civil;
        loop {
            after = match self {
                Unit::Hour => after.checked_add(1.hour())?,
                Unit::Day => after.checked_add(1.day())?,
                Unit::Week => after.checked_add(1.week())?,
            };
            let next = self.first_instant(after, start.time_zone())?;
            // A civil start inside a skipped stretch resolves to its end, which may be where a
            // later civil start resolves too; the bucket is then the later one.
            if next > *start {
                return Ok(next);
            }
        }
    }

    /// The civil start of the bucket holding the wall-clock time `dt`.
    fn civil_floor(self, dt: DateTime) -> DateTime {
        match self {
            Unit::Hour => dt.date().at(dt.hour(), 0, 0, 0),
            Unit::Day => dt.date().to_datetime(Time::midnight()),
            Unit::Week => {
                let back = dt.weekday().to_monday_zero_offset();
                // Monday of the week of 0001-01-01 and earlier is out of range: keep the date.
                dt.date()
                    .checked_sub(i64::from(back).days())
                    .unwrap_or(dt.date())
                    .to_datetime(Time::midnight())
            }
        }
    }

    /// The first instant whose wall-clock time in `tz` is at or after `civil`: `civil` itself,
    /// its first occurrence when the clocks go through it twice, or the end of the stretch the
    /// clocks skip when they skip it.
    fn first_instant(self, civil: DateTime, tz: &TimeZone) -> Result<ZonedDateTime, jiff::Error> {
        let zoned = tz.to_ambiguous_zoned_datetime(civil);
        match zoned.offset() {
            AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => zoned.earlier(),
            AmbiguousOffset::Gap { before, .. } => {
                // The skipped stretch ends at the transition: the first instant after `civil`
                // read with the offset before it whose offset is a different one.
                let guess = before.to_timestamp(civil)?;
                let transition = tz
                    .preceding(guess.checked_add(1.nanosecond())?)
                    .next()
                    .map_or(guess, |t| t.timestamp());
                Ok(transition.to_zoned_datetime(tz.clone()))
            }
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

/// The bucket of `unit` in `tz` that [`build`] puts the lines of `minute` (a Unix minute) in, as
/// its minutes `(first, end)` (`end` excluded) and one of them to count them all at: `build`
/// treats every minute of a bucket alike, so a scan may count a line at any minute of its bucket.
/// `None` where the zone's rules give no bucket (out of jiff's range).
pub fn bucket_minutes(unit: Unit, tz: &TimeZone, minute: i64) -> Option<(i64, i64, i64)> {
    // `build` puts a minute in the first bucket that ends after the minute's last second.
    let last_second = Timestamp::from_second(minute.checked_mul(60)?.checked_add(59)?).ok()?;
    let start = unit
        .floor(&last_second.to_zoned_datetime(tz.clone()))
        .ok()?;
    let end = unit.next(&start).ok()?;
    let (start, end) = (start.timestamp().as_second(), end.timestamp().as_second());
    // The bucket's first whole minute, from which `build` also starts a histogram.
    let at = (start + 59).div_euclid(60);
    let (first, end) = (start.div_euclid(60), end.div_euclid(60));
    (first..end).contains(&at).then_some((first, end, at))
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
        // Counted by number, and named once per bucket: a timeline has an entry per minute.
        let mut codes = BTreeMap::<Code, u64>::new();
        while let Some(&(&(minute, code), &n)) = entries.peek() {
            if minute >= end_minute {
                break;
            }
            entries.next();
            match catalog.get(code) {
                Some(entry) => {
                    bucket.total += n;
                    *bucket.modules.entry(entry.module).or_default() += n;
                    *codes.entry(code).or_default() += n;
                }
                None => bucket.unknown += n,
            }
        }
        bucket.codes = codes.into_iter().map(|(c, n)| (c.to_string(), n)).collect();
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

    /// A scan for a histogram counts each line at one minute of its bucket
    /// ([`bucket_minutes`]); the histogram is the one its own minutes give, in zones whose days
    /// and hours are cut oddly: a 45-minute offset, a midnight skipped by DST, a 30-minute DST
    /// shift, and an hour gone through twice.
    #[test]
    fn counting_lines_at_their_buckets_minute_gives_the_same_histogram() {
        let zones = [
            "UTC",
            "Asia/Kathmandu",
            "America/Santiago",
            "Australia/Lord_Howe",
            "Europe/Berlin",
            "America/St_Johns",
        ];
        // Minutes around the DST changes of 2026 in both hemispheres, and random ones in between.
        let mut minutes: Vec<i64> = [
            "2026-04-04T23:00:00Z",
            "2026-04-05T02:00:00Z",
            "2026-09-05T22:00:00Z",
            "2026-10-03T14:00:00Z",
            "2026-10-25T00:00:00Z",
            "2026-03-29T00:00:00Z",
        ]
        .iter()
        .flat_map(|t| (-300..300).step_by(7).map(move |d| minute(t) + d))
        .collect();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..3000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            minutes.push(minute("2026-01-01T00:00:00Z") + (seed % (366 * 24 * 60)) as i64);
        }
        for zone in zones {
            let tz = TimeZone::get(zone).unwrap();
            for unit in [Unit::Hour, Unit::Day, Unit::Week] {
                let mut own = BTreeMap::new();
                let mut bucketed = BTreeMap::new();
                for (i, &m) in minutes.iter().enumerate() {
                    let code = [801004, 803008, 812345][i % 3];
                    *own.entry((m, code)).or_insert(0) += 1;
                    let (first, end, at) = bucket_minutes(unit, &tz, m).unwrap();
                    assert!((first..end).contains(&m), "{zone} {unit:?} {m}");
                    *bucketed.entry((at, code)).or_insert(0) += 1;
                }
                assert!(bucketed.len() < own.len(), "{zone} {unit:?}");
                let build = |timeline| build(timeline, 0, unit, &tz, zone, Catalog::builtin());
                assert_eq!(
                    build(&bucketed).unwrap(),
                    build(&own).unwrap(),
                    "{zone} {unit:?}"
                );
            }
        }
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
        // Clocks go back at 01:00 UTC on 25 October 2026: local 02:00-03:00 happens twice, and
        // is one bucket of two hours.
        timeline.insert((minute("2026-10-25T00:10:00Z"), 801004), 1);
        timeline.insert((minute("2026-10-25T01:10:00Z"), 801004), 1);
        timeline.insert((minute("2026-10-25T02:10:00Z"), 801004), 1);
        let h = build(
            &timeline,
            0,
            Unit::Hour,
            &tz,
            "Europe/Berlin",
            Catalog::builtin(),
        )
        .unwrap();
        let got: Vec<(&str, &str, &str, u64)> = h
            .series
            .iter()
            .map(|b| (b.label.as_str(), b.start.as_str(), b.end.as_str(), b.total))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2026-10-25 02:00",
                    "2026-10-25T02:00:00+02:00",
                    "2026-10-25T03:00:00+01:00",
                    2
                ),
                (
                    "2026-10-25 03:00",
                    "2026-10-25T03:00:00+01:00",
                    "2026-10-25T04:00:00+01:00",
                    1
                ),
            ]
        );
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_at_its_first_instant() {
        // Cairo skips 00:00-01:00 on 24 April 2026; Santiago on 6 September 2026.
        for (zone, day, first) in [
            ("Africa/Cairo", "2026-04-24", "2026-04-24T01:00:00+03:00"),
            (
                "America/Santiago",
                "2026-09-06",
                "2026-09-06T01:00:00-03:00",
            ),
        ] {
            let tz = TimeZone::get(zone).unwrap();
            let noon: ZonedDateTime = format!("{day}T12:00:00[{zone}]").parse().unwrap();
            let start = Unit::Day.floor(&noon).unwrap();
            assert_eq!(start.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(), first);
            let next = Unit::Day.next(&start).unwrap();
            assert_eq!(
                next.datetime(),
                noon.date()
                    .tomorrow()
                    .unwrap()
                    .to_datetime(Time::midnight())
            );
            let before = Unit::Day
                .floor(&start.checked_sub(1.second()).unwrap())
                .unwrap();
            assert_eq!(Unit::Day.next(&before).unwrap(), start, "{zone}");
            assert_eq!(before.time_zone(), &tz);
        }
    }

    #[test]
    fn lord_howe_hours_are_civil_hours() {
        // Lord Howe goes back from 02:00+11:00 to 01:30+10:30 on 5 April 2026, and forward from
        // 02:00+10:30 to 02:30+11:00 on 4 October 2026.
        let hours = |from: &str, to: &str| -> Vec<(String, String)> {
            let tz = TimeZone::get("Australia/Lord_Howe").unwrap();
            let from = from
                .parse::<Timestamp>()
                .unwrap()
                .to_zoned_datetime(tz.clone());
            let to = to.parse::<Timestamp>().unwrap();
            let mut start = Unit::Hour.floor(&from).unwrap();
            let mut out = Vec::new();
            while start.timestamp() < to {
                let end = Unit::Hour.next(&start).unwrap();
                let b = Bucket::empty(Unit::Hour, &start, &end);
                out.push((b.label, format!("{} → {}", b.start, b.end)));
                start = end;
            }
            out
        };
        let back = hours("2026-04-04T13:00:00Z", "2026-04-04T17:00:00Z");
        let want = [
            (
                "2026-04-05 00:00",
                "2026-04-05T00:00:00+11:00 → 2026-04-05T01:00:00+11:00",
            ),
            (
                "2026-04-05 01:00",
                "2026-04-05T01:00:00+11:00 → 2026-04-05T02:00:00+10:30",
            ),
            (
                "2026-04-05 02:00",
                "2026-04-05T02:00:00+10:30 → 2026-04-05T03:00:00+10:30",
            ),
            (
                "2026-04-05 03:00",
                "2026-04-05T03:00:00+10:30 → 2026-04-05T04:00:00+10:30",
            ),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(back, want);
        let forward = hours("2026-10-03T14:30:00Z", "2026-10-03T17:00:00Z");
        let want = [
            (
                "2026-10-04 01:00",
                "2026-10-04T01:00:00+10:30 → 2026-10-04T02:30:00+11:00",
            ),
            (
                "2026-10-04 02:00",
                "2026-10-04T02:30:00+11:00 → 2026-10-04T03:00:00+11:00",
            ),
            (
                "2026-10-04 03:00",
                "2026-10-04T03:00:00+11:00 → 2026-10-04T04:00:00+11:00",
            ),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(forward, want);
    }

    /// Over a whole year in zones with every kind of DST change: every instant is in the bucket
    /// labelled with its civil hour, day or ISO week; buckets are contiguous and never share a
    /// label.
    #[test]
    fn a_whole_year_of_buckets_in_zones_with_dst() {
        use std::collections::BTreeSet;
        for zone in [
            "Africa/Cairo",
            "America/Santiago",
            "Australia/Lord_Howe",
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kolkata",
        ] {
            let tz = TimeZone::get(zone).unwrap();
            let from: Timestamp = "2025-12-25T00:00:00Z".parse().unwrap();
            let to: Timestamp = "2027-01-05T00:00:00Z".parse().unwrap();
            for unit in [Unit::Hour, Unit::Day, Unit::Week] {
                let mut starts = BTreeSet::new();
                let mut labels = BTreeSet::new();
                let mut start = unit.floor(&from.to_zoned_datetime(tz.clone())).unwrap();
                while start.timestamp() < to {
                    let end = unit.next(&start).unwrap();
                    assert!(end > start, "{zone} {unit:?} {start}");
                    assert!(
                        labels.insert(unit.label(&start)),
                        "{zone}: {start} repeats a label"
                    );
                    starts.insert(start.timestamp());
                    start = end;
                }
                let mut t = from;
                while t < "2027-01-01T00:00:00Z".parse().unwrap() {
                    let zoned = t.to_zoned_datetime(tz.clone());
                    let floor = unit.floor(&zoned).unwrap();
                    assert!(
                        floor <= zoned && zoned < unit.next(&floor).unwrap(),
                        "{zone} {t}"
                    );
                    assert!(
                        starts.contains(&floor.timestamp()),
                        "{zone} {unit:?} {t}: {floor}"
                    );
                    let civil = match unit {
                        Unit::Hour => zoned.strftime("%Y-%m-%d %H:00").to_string(),
                        Unit::Day => zoned.strftime("%Y-%m-%d %a").to_string(),
                        Unit::Week => {
                            let w = zoned.date().iso_week_date();
                            format!("{}-W{:02}", w.year(), w.week())
                        }
                    };
                    assert!(
                        unit.label(&floor).starts_with(&civil),
                        "{zone} {t}: {civil}"
                    );
                    // Every change of offset falls on a whole or half hour.
                    let step = if unit == Unit::Hour { 30 } else { 90 };
                    t = t.checked_add(step.minutes()).unwrap();
                }
            }
        }
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
