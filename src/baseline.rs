//! Reading jmlog's own JSON reports back — as a `--baseline` to compare with, or as parts to
//! `merge` — and comparing a report with its baseline.
//!
//! Report files are untrusted input: a hand-edited or hostile file gets a clear error naming the file
//! and the problem, never a panic.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde::de::IgnoredAny;

use crate::catalog::{Catalog, Code, Module};
use crate::report::{Baseline, Report, SCHEMA, VanishedRow};

/// The largest report file jmlog reads (a report of every catalog code with long examples and a
/// long histogram is a few megabytes; one of a million distinct unknown codes, a few hundred).
const MAX_REPORT_BYTES: u64 = 256 << 20;

/// Reports up to this size are read whole and then decoded, which is several times faster than
/// decoding as they are read; larger ones are decoded as they are read.
const READ_WHOLE_BYTES: u64 = 4 << 20;

/// Reads a JSON report written by `jmlog analyze --format json` (or `merge`).
///
/// A large report is decoded as it is read, straight into the report's types: memory holds the
/// report, not the file's text as well.
pub fn load(path: &Path) -> Result<Report, String> {
    load_file(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn load_file(path: &Path) -> Result<Report, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_REPORT_BYTES {
        return Err(format!("{size} bytes is too large for a jmlog report"));
    }
    if size <= READ_WHOLE_BYTES {
        let mut text = Vec::new();
        open(path)?
            .read_to_end(&mut text)
            .map_err(|e| e.to_string())?;
        return parse(&text);
    }
    decode(&Source::File(path))
}

/// The file, read at most up to the size limit (a file growing while it is read stops there).
fn open(path: &Path) -> Result<impl Read, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    Ok(BufReader::with_capacity(
        1 << 16,
        file.take(MAX_REPORT_BYTES + 1),
    ))
}

/// Parses and checks a JSON report.
pub fn parse(text: &[u8]) -> Result<Report, String> {
    decode(&Source::Bytes(text))
}

/// Where a report's text comes from: memory, or a file decoded as it is read.
enum Source<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

impl Source<'_> {
    /// The text decoded as a `T`; `Err` only when the file cannot be opened.
    fn read<T: DeserializeOwned>(&self) -> Result<serde_json::Result<T>, String> {
        Ok(match self {
            Source::Bytes(text) => serde_json::from_slice(text),
            Source::File(path) => serde_json::from_reader(open(path)?),
        })
    }
}

/// Decodes a report and checks it. A report is decoded in one pass; only when that fails is the
/// text read again, to say whether it is JSON at all and which schema it claims.
fn decode(source: &Source<'_>) -> Result<Report, String> {
    let error = match source.read::<Report>()? {
        Ok(report) => {
            check_schema(Some(&report.schema))?;
            check(&report)?;
            return Ok(report);
        }
        Err(e) if e.is_data() => e,
        Err(e) => return Err(format!("not a JSON report: {e}")),
    };
    // Well-formed JSON?
    if let Err(e) = source.read::<IgnoredAny>()? {
        return Err(format!("not a JSON report: {e}"));
    }
    match source.read::<Claim>()? {
        Ok(claim) => check_schema(claim.schema.as_deref())?,
        Err(_) => check_schema(None)?,
    }
    Err(format!("malformed jmlog report: {error}"))
}

/// The one field every report has, read alone to say what a file that is not a report claims.
#[derive(Deserialize)]
struct Claim {
    #[serde(default)]
    schema: Option<String>,
}

fn check_schema(schema: Option<&str>) -> Result<(), String> {
    match schema {
        Some(SCHEMA) => Ok(()),
        Some(other) => Err(format!(
            "report schema {other} is not the {SCHEMA} this jmlog reads"
        )),
        None => Err("not a jmlog report (no \"schema\" field)".to_owned()),
    }
}

/// What serde cannot check: consistency a hand edit may have broken.
fn check(report: &Report) -> Result<(), String> {
    let catalog = Catalog::builtin();
    for row in &report.codes {
        if !catalog.contains(row.code) {
            return Err(format!(
                "code {} is listed as known but is not in the catalog",
                row.code
            ));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for code in report
        .codes
        .iter()
        .map(|r| r.code)
        .chain(report.unknown_codes.iter().map(|r| r.code))
    {
        if !seen.insert(code) {
            return Err(format!("code {code} is listed twice"));
        }
    }
    if report.mode != "strict" && report.mode != "loose" {
        return Err(format!("unknown mode {:?}", report.mode));
    }
    // A merged window's outer edges are the report's `since` and `until`.
    let window = report.window.clone().unwrap_or_default();
    for (flag, bound, resolved, edge) in [
        (
            "since",
            &window.since,
            &report.since,
            window.since.as_ref().map(|b| &b.earliest),
        ),
        (
            "until",
            &window.until,
            &report.until,
            window.until.as_ref().map(|b| &b.latest),
        ),
    ] {
        let Some(bound) = bound else { continue };
        let time = |s: &str| s.parse::<jiff::Timestamp>().ok();
        let (earliest, latest) = (time(&bound.earliest), time(&bound.latest));
        if earliest.is_none() || latest.is_none() || earliest > latest {
            return Err(format!(
                "window.{flag} resolves to '{}' … '{}', not two RFC 3339 times in order",
                bound.earliest, bound.latest
            ));
        }
        if resolved.as_ref() != edge {
            return Err(format!(
                "{flag} is {} but window.{flag} says {}",
                resolved.as_deref().unwrap_or("absent"),
                edge.map_or("absent", String::as_str)
            ));
        }
    }
    Ok(())
}

/// Marks what changed between `baseline` and `report`: each code's and module's previous count and
/// change, the codes that are new, and those that vanished.
///
/// A code is new when the baseline has it neither among its codes nor among its unknown codes:
/// a code that a newer catalog knows is not new just because it was unknown then.
pub fn compare(report: &mut Report, baseline: &Report, path: &str) {
    let before: BTreeMap<Code, u64> = baseline
        .codes
        .iter()
        .map(|r| (r.code, r.count))
        .chain(baseline.unknown_codes.iter().map(|r| (r.code, r.count)))
        .collect();
    let before_modules: BTreeMap<Module, u64> = baseline
        .modules
        .iter()
        .map(|r| (r.module, r.count))
        .collect();
    let mut new_codes = Vec::new();
    for row in &mut report.codes {
        let previous = before.get(&row.code).copied().unwrap_or(0);
        row.previous = Some(previous);
        row.change = Some(row.count as i64 - previous as i64);
        if previous == 0 {
            new_codes.push(row.code);
        }
    }
    for row in &mut report.modules {
        let previous = before_modules.get(&row.module).copied().unwrap_or(0);
        row.previous = Some(previous);
        row.change = Some(row.count as i64 - previous as i64);
    }
    let new_unknown_codes = report
        .unknown_codes
        .iter()
        .filter(|r| !before.contains_key(&r.code))
        .map(|r| r.code)
        .collect();
    let now: std::collections::BTreeSet<Code> = report.codes.iter().map(|r| r.code).collect();
    let mut vanished: Vec<VanishedRow> = baseline
        .codes
        .iter()
        .filter(|r| !now.contains(&r.code))
        .map(|r| VanishedRow {
            code: r.code,
            previous: r.count,
            module: r.module,
            meaning: r.meaning.clone(),
        })
        .collect();
    vanished.sort_by(|a, b| b.previous.cmp(&a.previous).then(a.code.cmp(&b.code)));
    report.baseline = Some(Baseline {
        path: path.to_owned(),
        codes: baseline.totals.codes,
        new_codes,
        new_unknown_codes,
        vanished,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_reports_get_clear_errors() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "not a JSON report"),
            (b"[1,2]", "no \"schema\""),
            (b"{\"schema\": \"jmlog.report/99\"}", "is not the"),
            (
                b"{\"schema\": \"jmlog.report/1\", \"codes\": 7}",
                "malformed",
            ),
            (b"\xff\xfe{", "not a JSON report"),
            (&[b'['; 100_000], "not a JSON report"),
        ];
        for (text, want) in cases {
            let err = parse(text).unwrap_err();
            assert!(err.contains(want), "{err}");
        }
    }
}
