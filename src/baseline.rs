//! Reading jmlog's own JSON reports back — as a `--baseline` to compare with, or as parts to
//! `merge` — and comparing a report with its baseline.
//!
//! Report files are untrusted input: a hand-edited or hostile file gets a clear error naming the file
//! and the problem, never a panic.

use std::collections::BTreeMap;
use std::path::Path;

use crate::catalog::{Catalog, Code, Module};
use crate::report::{Baseline, Report, SCHEMA, VanishedRow};

/// The largest report file jmlog reads (a report of every catalog code with long examples and a
/// long histogram is a few megabytes).
const MAX_REPORT_BYTES: u64 = 256 << 20;

/// Reads a JSON report written by `jmlog analyze --format json` (or `merge`).
pub fn load(path: &Path) -> Result<Report, String> {
    let name = path.display();
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{name}: {e}"))?
        .len();
    if size > MAX_REPORT_BYTES {
        return Err(format!(
            "{name}: {size} bytes is too large for a jmlog report"
        ));
    }
    let text = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
    parse(&text).map_err(|e| format!("{name}: {e}"))
}

/// Parses and checks a JSON report.
pub fn parse(text: &[u8]) -> Result<Report, String> {
    let value: serde_json::Value =
        serde_json::from_slice(text).map_err(|e| format!("not a JSON report: {e}"))?;
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => {}
        Some(other) => {
            return Err(format!(
                "report schema {other} is not the {SCHEMA} this jmlog reads"
            ));
        }
        None => return Err("not a jmlog report (no \"schema\" field)".to_owned()),
    }
    let report: Report =
        serde_json::from_value(value).map_err(|e| format!("malformed jmlog report: {e}"))?;
    check(&report)?;
    Ok(report)
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
