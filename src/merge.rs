//! `jmlog merge`: combines the JSON reports of runs over parts of the inputs into the report one run
//! over all of them would give. Counts add, histograms merge bucket by bucket (the gaps between them
//! filled with empty buckets), and each code keeps the example of the first report that has it.
//!
//! A [`Merger`] folds the reports in one at a time, so a fleet of thousands of reports costs the
//! merged counts and one report in memory, never all of them. What one run would refuse, a merge
//! refuses too: reports made with different options, and a histogram of more than [`MAX_BUCKETS`]
//! buckets. Every refusal is a sentence naming both reports and the setting that differs.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::catalog::Catalog;
use crate::config::{canonical_zone_name, parse_zone, relative_span};
use crate::histogram::{Bucket, Histogram, MAX_BUCKETS, Unit};
use crate::report::{BuildOptions, Report, ReportBuilder, ReportWindow, WindowBound};

/// How far apart the runs of a fleet may have resolved the same relative `--since` or `--until`
/// (`30d`) and still merge, in seconds: shards started together, not on different days.
pub const RELATIVE_TOLERANCE_SECS: i64 = 3600;

/// Merges reports, in the order given; the names name them in errors.
pub fn merge(parts: &[(String, Report)]) -> Result<Report, String> {
    let mut merger = Merger::default();
    for (name, part) in parts {
        merger.add(name, part.clone())?;
    }
    merger.finish()
}

/// Folds reports into one, in order; [`Merger::finish`] gives the merged report.
#[derive(Debug, Default)]
pub struct Merger {
    first: Option<First>,
    builder: ReportBuilder,
    since: Option<BoundFold>,
    until: Option<BoundFold>,
    histogram: Option<HistogramFold>,
}

/// What every later report must share with the first.
#[derive(Debug)]
struct First {
    name: String,
    mode: String,
    /// With a histogram: its bucket width and zone, as the first report names it.
    shape: Option<(Unit, String)>,
}

impl Merger {
    /// Adds the report named `name` (its path, for messages), or says why it cannot be merged
    /// with the reports before it.
    pub fn add(&mut self, name: &str, report: Report) -> Result<(), String> {
        let window = report.window.as_ref();
        let since = BoundFold::of(
            name,
            "--since",
            window.and_then(|w| w.since.as_ref()),
            &report.since,
        )?;
        let until = BoundFold::of(
            name,
            "--until",
            window.and_then(|w| w.until.as_ref()),
            &report.until,
        )?;
        let shape = report.histogram.as_ref().map(|h| (h.bucket, h.tz.clone()));
        match &self.first {
            None => {
                self.first = Some(First {
                    name: name.to_owned(),
                    mode: report.mode.clone(),
                    shape,
                });
                self.since = since;
                self.until = until;
                if let Some(h) = &report.histogram {
                    self.histogram = Some(HistogramFold::new(name, h)?);
                }
            }
            Some(first) => {
                let refuse =
                    |why: String| format!("{name} cannot be merged with {}: {why}", first.name);
                check_mode(&first.name, &first.mode, name, &report.mode).map_err(refuse)?;
                fold_bound(&mut self.since, since, "--since", &first.name, name).map_err(refuse)?;
                fold_bound(&mut self.until, until, "--until", &first.name, name).map_err(refuse)?;
                check_shape(&first.name, &first.shape, name, &shape).map_err(refuse)?;
            }
        }
        self.builder.add_report(&report);
        if let (Some(fold), Some(h)) = (&mut self.histogram, report.histogram) {
            fold.add(name, h)?;
        }
        Ok(())
    }

    /// The merged report.
    pub fn finish(self) -> Result<Report, String> {
        let Some(first) = self.first else {
            return Err("nothing to merge".to_owned());
        };
        let options = BuildOptions {
            loose: first.mode == "loose",
            ..BuildOptions::default()
        };
        let mut report = self.builder.build(Catalog::builtin(), &options)?;
        report.since = self.since.as_ref().map(|b| rfc3339(b.earliest));
        report.until = self.until.as_ref().map(|b| rfc3339(b.latest));
        let window = ReportWindow {
            since: self.since.and_then(BoundFold::recorded),
            until: self.until.and_then(BoundFold::recorded),
        };
        report.window = (window.since.is_some() || window.until.is_some()).then_some(window);
        report.histogram = self.histogram.map(HistogramFold::finish).transpose()?;
        Ok(report)
    }
}

fn check_mode(first: &str, a: &str, name: &str, b: &str) -> Result<(), String> {
    let loose = |mode: &str| mode == "loose";
    match (loose(a), loose(b)) {
        (true, false) => Err(format!("{first} was made with --loose, {name} without it")),
        (false, true) => Err(format!("{first} was made without --loose, {name} with it")),
        _ => Ok(()),
    }
}

fn check_shape(
    first: &str,
    a: &Option<(Unit, String)>,
    name: &str,
    b: &Option<(Unit, String)>,
) -> Result<(), String> {
    match (a, b) {
        (None, None) => Ok(()),
        (Some((unit, _)), None) => Err(format!(
            "{first} has a histogram (--by {}), {name} has none (made without --by)",
            unit.name()
        )),
        (None, Some((unit, _))) => Err(format!(
            "{first} has no histogram (made without --by), {name} has one (--by {})",
            unit.name()
        )),
        (Some((unit_a, _)), Some((unit_b, _))) if unit_a != unit_b => Err(format!(
            "{first} was made with --by {}, {name} with --by {}",
            unit_a.name(),
            unit_b.name()
        )),
        (Some((_, tz_a)), Some((_, tz_b))) => {
            if same_zone(tz_a, tz_b)? {
                Ok(())
            } else {
                Err(format!(
                    "{first} has its buckets cut in the zone {tz_a}, {name} in {tz_b} (--tz)"
                ))
            }
        }
    }
}

/// Whether two zone names, as reports record them, cut buckets the same way: `UTC`, `utc`, `Z`,
/// `Etc/UTC` and `+00:00` do (reports of older jmlog versions name zones as given); `+08:00` and
/// `Asia/Shanghai` do not (Shanghai kept summer time from 1986 to 1991).
pub fn same_zone(a: &str, b: &str) -> Result<bool, String> {
    Ok(a == b || canonical_zone_name(a)? == canonical_zone_name(b)?)
}

/// One bound of the window (`--since` or `--until`) over the reports merged so far.
#[derive(Debug)]
struct BoundFold {
    /// As given, from the first report that recorded it; else its resolved time.
    given: String,
    /// Whether a report recorded how it was given (reports of older jmlog versions did not).
    recorded: bool,
    /// For a relative bound (`30d`): its span in seconds.
    span: Option<i64>,
    earliest: i64,
    latest: i64,
}

impl BoundFold {
    fn of(
        name: &str,
        flag: &str,
        recorded: Option<&WindowBound>,
        resolved: &Option<String>,
    ) -> Result<Option<BoundFold>, String> {
        let time = |value: &str| {
            value
                .parse::<Timestamp>()
                .map(|t| t.as_second())
                .map_err(|e| format!("{name}: {flag} {value:?} is not an RFC 3339 time: {e}"))
        };
        Ok(match (recorded, resolved) {
            (Some(bound), _) => Some(BoundFold {
                given: bound.given.clone(),
                recorded: true,
                span: relative_span(&bound.given),
                earliest: time(&bound.earliest)?,
                latest: time(&bound.latest)?,
            }),
            (None, Some(resolved)) => {
                let at = time(resolved)?;
                Some(BoundFold {
                    given: resolved.clone(),
                    recorded: false,
                    span: None,
                    earliest: at,
                    latest: at,
                })
            }
            (None, None) => None,
        })
    }

    /// The bound as the merged report records it, if any part recorded it.
    fn recorded(self) -> Option<WindowBound> {
        self.recorded.then(|| WindowBound {
            given: self.given,
            earliest: rfc3339(self.earliest),
            latest: rfc3339(self.latest),
        })
    }

    /// The resolved time(s), for messages.
    fn resolved(&self) -> String {
        if self.earliest == self.latest {
            rfc3339(self.earliest)
        } else {
            format!("{} to {}", rfc3339(self.earliest), rfc3339(self.latest))
        }
    }
}

/// Adds a report's bound to the fold: the same relative bound (`--since 30d`) from runs at most
/// [`RELATIVE_TOLERANCE_SECS`] apart widens the window to the earliest and latest; any other bound
/// must resolve to the very same time.
fn fold_bound(
    acc: &mut Option<BoundFold>,
    part: Option<BoundFold>,
    flag: &str,
    first: &str,
    name: &str,
) -> Result<(), String> {
    match (acc.as_mut(), part) {
        (None, None) => Ok(()),
        (Some(a), None) => Err(format!(
            "{first} was made with {flag} {}, {name} without {flag}",
            a.given
        )),
        (None, Some(p)) => Err(format!(
            "{first} was made without {flag}, {name} with {flag} {}",
            p.given
        )),
        (Some(a), Some(p)) if a.span.is_some() && a.span == p.span => {
            let earliest = a.earliest.min(p.earliest);
            let latest = a.latest.max(p.latest);
            if latest - earliest > RELATIVE_TOLERANCE_SECS {
                return Err(format!(
                    "both were made with {flag} {}, but by runs {} apart ({flag} resolved to {} \
                     in {first} and to {} in {name}); the same relative {flag} merges only from \
                     runs at most {} apart: give every shard the same time, like {flag} {}",
                    a.given,
                    duration(latest - earliest),
                    a.resolved(),
                    p.resolved(),
                    duration(RELATIVE_TOLERANCE_SECS),
                    rfc3339(earliest)
                ));
            }
            a.earliest = earliest;
            a.latest = latest;
            if !a.recorded && p.recorded {
                a.given = p.given;
                a.recorded = true;
            }
            Ok(())
        }
        (Some(a), Some(p)) => {
            if (a.earliest, a.latest) == (p.earliest, p.latest) {
                if !a.recorded && p.recorded {
                    a.given = p.given;
                    a.recorded = true;
                }
                Ok(())
            } else {
                Err(format!(
                    "{first} was made with {flag} {} ({}), {name} with {flag} {} ({})",
                    a.given,
                    a.resolved(),
                    p.given,
                    p.resolved()
                ))
            }
        }
    }
}

/// A span of time in words: `1 hour`, `2 days 3 hours`, `5 minutes 2 seconds`.
fn duration(secs: i64) -> String {
    let units = [
        (86_400, "day"),
        (3600, "hour"),
        (60, "minute"),
        (1, "second"),
    ];
    let mut left = secs.max(0);
    let mut words = Vec::new();
    for (size, unit) in units {
        let n = left / size;
        left %= size;
        if n > 0 && words.len() < 2 {
            words.push(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if words.is_empty() {
        "0 seconds".to_owned()
    } else {
        words.join(" ")
    }
}

fn rfc3339(secs: i64) -> String {
    Timestamp::from_second(secs).map_or_else(|_| secs.to_string(), |t| t.to_string())
}

/// The histograms merged so far: their buckets by start, at most [`MAX_BUCKETS`] of them.
#[derive(Debug)]
struct HistogramFold {
    unit: Unit,
    tz_name: String,
    tz: TimeZone,
    undated: u64,
    buckets: BTreeMap<i64, Bucket>,
    /// The reports holding the earliest and the latest bucket, for messages.
    first_from: String,
    last_from: String,
}

impl HistogramFold {
    fn new(name: &str, shape: &Histogram) -> Result<HistogramFold, String> {
        Ok(HistogramFold {
            unit: shape.bucket,
            // Named one way whatever the spelling, as a run names it.
            tz_name: canonical_zone_name(&shape.tz).map_err(|e| format!("{name}: {e}"))?,
            tz: parse_zone(&shape.tz).map_err(|e| format!("{name}: {e}"))?,
            undated: 0,
            buckets: BTreeMap::new(),
            first_from: name.to_owned(),
            last_from: name.to_owned(),
        })
    }

    fn add(&mut self, name: &str, histogram: Histogram) -> Result<(), String> {
        self.undated += histogram.undated;
        for b in histogram.series {
            let start = parse_start(&b.start).map_err(|e| format!("{name}: {e}"))?;
            if self
                .buckets
                .first_key_value()
                .is_none_or(|(&k, _)| start < k)
            {
                self.first_from = name.to_owned();
            }
            if self
                .buckets
                .last_key_value()
                .is_none_or(|(&k, _)| start > k)
            {
                self.last_from = name.to_owned();
            }
            match self.buckets.entry(start) {
                Entry::Vacant(slot) => {
                    slot.insert(b);
                }
                Entry::Occupied(mut slot) => {
                    let into = slot.get_mut();
                    into.total += b.total;
                    into.unknown += b.unknown;
                    for (m, n) in b.modules {
                        *into.modules.entry(m).or_default() += n;
                    }
                    for (c, n) in b.codes {
                        *into.codes.entry(c).or_default() += n;
                    }
                }
            }
            // More distinct buckets than the limit: the series from the first to the last is
            // longer still, so stop here rather than hold them all.
            if self.buckets.len() > MAX_BUCKETS {
                return Err(self.too_long());
            }
        }
        Ok(())
    }

    /// What one run over the inputs of all the reports would say, naming the reports.
    fn too_long(&self) -> String {
        let label =
            |b: Option<(&i64, &Bucket)>| b.map(|(_, b)| b.label.clone()).unwrap_or_default();
        format!(
            "the merged histogram would have more than {MAX_BUCKETS} {}s, from {} (in {}) to {} \
             (in {}), which one run over their inputs refuses too; make the reports with a coarser \
             --by, or with --since and --until",
            self.unit.name(),
            label(self.buckets.first_key_value()),
            self.first_from,
            label(self.buckets.last_key_value()),
            self.last_from
        )
    }

    /// Every bucket from the first to the last, the gaps filled with empty ones.
    fn finish(mut self) -> Result<Histogram, String> {
        let mut series = Vec::new();
        if let (Some(&first), Some(&last)) =
            (self.buckets.keys().next(), self.buckets.keys().next_back())
        {
            let too_long = self.too_long();
            let err = |e: jiff::Error| e.to_string();
            let mut start = Timestamp::from_second(first)
                .map_err(err)?
                .to_zoned_datetime(self.tz.clone());
            while start.timestamp().as_second() <= last {
                if series.len() == MAX_BUCKETS {
                    return Err(too_long);
                }
                let end = self.unit.next(&start).map_err(err)?;
                let bucket = self
                    .buckets
                    .remove(&start.timestamp().as_second())
                    .unwrap_or_else(|| Bucket::empty(self.unit, &start, &end));
                series.push(bucket);
                start = end;
            }
            if let Some((&stray, _)) = self.buckets.iter().next() {
                return Err(format!(
                    "a bucket starting at {} is not on a {} edge in {}",
                    rfc3339(stray),
                    self.unit.name(),
                    self.tz_name
                ));
            }
        }
        Ok(Histogram {
            bucket: self.unit,
            tz: self.tz_name,
            series,
            undated: self.undated,
        })
    }
}

fn parse_start(start: &str) -> Result<i64, String> {
    start
        .parse::<Timestamp>()
        .map(|t| t.as_second())
        .map_err(|e| format!("histogram bucket {start:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_spellings_of_one_zone_are_the_same_zone() {
        for (a, b) in [
            ("UTC", "utc"),
            ("UTC", "+00:00"),
            ("UTC", "Z"),
            ("Etc/UTC", "UTC"),
            ("+08:00", "+0800"),
            ("Asia/Shanghai", "asia/shanghai"),
        ] {
            assert!(same_zone(a, b).unwrap(), "{a} and {b}");
        }
        for (a, b) in [
            ("UTC", "+01:00"),
            ("Asia/Shanghai", "+08:00"),
            ("Europe/London", "UTC"),
        ] {
            assert!(!same_zone(a, b).unwrap(), "{a} and {b}");
        }
        assert!(same_zone("UTC", "Mars/Olympus").is_err());
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration(3600), "1 hour");
        assert_eq!(duration(3661), "1 hour 1 minute");
        assert_eq!(duration(2 * 86_400 + 7200 + 5), "2 days 2 hours");
        assert_eq!(duration(42), "42 seconds");
        assert_eq!(duration(0), "0 seconds");
    }
}
