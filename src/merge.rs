//! `jmlog merge`: combines the JSON reports of runs over parts of the inputs into the report one run
//! over all of them would give. Counts add, histograms merge bucket by bucket (the gaps between them
//! filled with empty buckets), and each code keeps the example of the first report that has it.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::catalog::Catalog;
use crate::config::parse_zone;
use crate::histogram::{Bucket, Histogram};
use crate::report::{BuildOptions, Report, ReportBuilder};

/// Merges reports, in the order given; `names` name them in errors.
pub fn merge(parts: &[(String, Report)]) -> Result<Report, String> {
    let Some((first_name, first)) = parts.first() else {
        return Err("nothing to merge".to_owned());
    };
    for (name, part) in &parts[1..] {
        let same = |what: &str, a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| {
            let (a, b) = (format!("{a:?}"), format!("{b:?}"));
            if a == b {
                Ok(())
            } else {
                Err(format!(
                    "{name} cannot be merged with {first_name}: its {what} is {b}, not {a}"
                ))
            }
        };
        same("mode", &first.mode, &part.mode)?;
        same("--since", &first.since, &part.since)?;
        same("--until", &first.until, &part.until)?;
        let shape = |r: &Report| r.histogram.as_ref().map(|h| (h.bucket, h.tz.clone()));
        same("histogram (--by, --tz)", &shape(first), &shape(part))?;
    }

    let catalog = Catalog::builtin();
    let mut builder = ReportBuilder::new();
    for (_, part) in parts {
        builder.add_report(part);
    }
    let options = BuildOptions {
        loose: first.mode == "loose",
        ..BuildOptions::default()
    };
    let mut report = builder.build(catalog, &options)?;
    report.since = first.since.clone();
    report.until = first.until.clone();
    report.histogram = match &first.histogram {
        Some(h) => Some(merge_histograms(
            h,
            parts.iter().filter_map(|(_, p)| p.histogram.as_ref()),
        )?),
        None => None,
    };
    Ok(report)
}

fn merge_histograms<'a>(
    shape: &Histogram,
    all: impl Iterator<Item = &'a Histogram>,
) -> Result<Histogram, String> {
    let tz = parse_zone(&shape.tz)?;
    let mut undated = 0;
    let mut buckets: BTreeMap<i64, Bucket> = BTreeMap::new();
    for h in all {
        undated += h.undated;
        for b in &h.series {
            let start = parse_start(&b.start)?;
            match buckets.get_mut(&start) {
                None => {
                    buckets.insert(start, b.clone());
                }
                Some(into) => {
                    into.total += b.total;
                    into.unknown += b.unknown;
                    for (m, n) in &b.modules {
                        *into.modules.entry(*m).or_default() += n;
                    }
                    for (c, n) in &b.codes {
                        *into.codes.entry(c.clone()).or_default() += n;
                    }
                }
            }
        }
    }
    let mut series = Vec::with_capacity(buckets.len());
    if let (Some(&first), Some(&last)) = (buckets.keys().next(), buckets.keys().next_back()) {
        let err = |e: jiff::Error| e.to_string();
        let mut start = Timestamp::from_second(first)
            .map_err(err)?
            .to_zoned_datetime(tz.clone());
        while start.timestamp().as_second() <= last {
            let end = shape.bucket.next(&start).map_err(err)?;
            let bucket = buckets
                .remove(&start.timestamp().as_second())
                .unwrap_or_else(|| Bucket::empty(shape.bucket, &start, &end));
            series.push(bucket);
            start = end;
        }
        if let Some((&stray, _)) = buckets.iter().next() {
            return Err(format!(
                "a bucket starting at {} is not on a {} edge in {}",
                Timestamp::from_second(stray).map_or_else(|_| stray.to_string(), |t| t.to_string()),
                shape.bucket.name(),
                shape.tz
            ));
        }
    }
    Ok(Histogram {
        bucket: shape.bucket,
        tz: shape.tz.clone(),
        series,
        undated,
    })
}

fn parse_start(start: &str) -> Result<i64, String> {
    start
        .parse::<Timestamp>()
        .map(|t| t.as_second())
        .map_err(|e| format!("histogram bucket {start:?}: {e}"))
}
