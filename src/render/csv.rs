//! CSV: one row per code, then one row per input and code (the `input` column set); with `--by`, one
//! row per bucket and code, so that the rows add up to every occurrence the report counts. Cells a
//! spreadsheet would run as a formula are neutralised.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::report::Report;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write(report, out).map_err(|e| match e.into_kind() {
        // Keep the I/O error itself, so that a closed pipe is still recognised as one.
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    })
}

fn write(report: &Report, out: &mut dyn Write) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    if let Some(h) = &report.histogram {
        // Every occurrence has a row: known codes per bucket and code; unknown codes per bucket
        // (the histogram counts them per bucket, not per code), with an empty code; and codes on
        // lines without a time in rows without a bucket.
        w.write_record([
            "bucket",
            "bucket_start",
            "bucket_end",
            "code",
            "module",
            "count",
            "known",
        ])?;
        let catalog = crate::catalog::Catalog::builtin();
        let mut dated: BTreeMap<&str, u64> = BTreeMap::new();
        for b in &h.series {
            for (code, n) in &b.codes {
                let module = code
                    .parse()
                    .ok()
                    .and_then(|c| catalog.get(c))
                    .map_or("", |e| e.module.name());
                *dated.entry(code.as_str()).or_default() += n;
                w.write_record([
                    b.label.as_str(),
                    &b.start,
                    &b.end,
                    code,
                    module,
                    &n.to_string(),
                    "true",
                ])?;
            }
            if b.unknown > 0 {
                w.write_record([
                    b.label.as_str(),
                    &b.start,
                    &b.end,
                    "",
                    "",
                    &b.unknown.to_string(),
                    "false",
                ])?;
            }
        }
        let mut undated_known = 0;
        for c in &report.codes {
            let code = c.code.to_string();
            let n = c
                .count
                .saturating_sub(dated.get(code.as_str()).copied().unwrap_or(0));
            if n > 0 {
                undated_known += n;
                w.write_record(["", "", "", &code, c.module.name(), &n.to_string(), "true"])?;
            }
        }
        let undated_unknown = h.undated.saturating_sub(undated_known);
        if undated_unknown > 0 {
            w.write_record(["", "", "", "", "", &undated_unknown.to_string(), "false"])?;
        }
    } else {
        w.write_record([
            "code",
            "known",
            "count",
            "share",
            "previous",
            "change",
            "module",
            "operation",
            "meaning",
            "message",
            "example_path",
            "example_line",
            "example_text",
            "input",
        ])?;
        for c in &report.codes {
            w.write_record([
                c.code.to_string(),
                "true".to_owned(),
                c.count.to_string(),
                format!("{:.6}", c.share),
                c.previous.map(|p| p.to_string()).unwrap_or_default(),
                c.change.map(|d| d.to_string()).unwrap_or_default(),
                c.module.name().to_owned(),
                safe(&c.operation),
                safe(&c.meaning),
                safe(&c.message),
                safe(&c.example.path),
                c.example.line.to_string(),
                safe(&c.example.text),
                String::new(),
            ])?;
        }
        for u in &report.unknown_codes {
            w.write_record([
                u.code.to_string(),
                "false".to_owned(),
                u.count.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                safe(u.path),
                (u.line_index + 1).to_string(),
                safe(u.text),
                String::new(),
            ])?;
        }
        per_input(report, &mut w)?;
    }
    w.flush()?;
    Ok(())
}

/// Which input holds which codes: a row per input and code, in input order and most frequent code
/// first, with `count` the code's occurrences in that input and `input` its path. The totals rows
/// above have an empty `input`, so a filter on that column gives one table or the other.
fn per_input<W: Write>(report: &Report, w: &mut csv::Writer<W>) -> csv::Result<()> {
    let known: std::collections::BTreeMap<_, _> =
        report.codes.iter().map(|c| (c.code, c)).collect();
    for input in &report.inputs {
        for (code, n) in input.top_codes() {
            let row = known.get(&code);
            let text = |f: fn(&crate::report::CodeRow) -> &str| {
                row.map(|c| safe(f(c))).unwrap_or_default()
            };
            w.write_record([
                code.to_string(),
                row.is_some().to_string(),
                n.to_string(),
                String::new(),
                String::new(),
                String::new(),
                row.map(|c| c.module.name().to_owned()).unwrap_or_default(),
                text(|c| &c.operation),
                text(|c| &c.meaning),
                text(|c| &c.message),
                String::new(),
                String::new(),
                String::new(),
                safe(&input.path),
            ])?;
        }
    }
    Ok(())
}

/// A text cell a spreadsheet will not evaluate: a leading `=`, `+`, `-`, `@`, tab or carriage
/// return (the characters that start a formula, per OWASP's advice on CSV injection) gets a `'`
/// in front. Numbers are written apart and never pass through here.
pub fn safe(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(
            safe("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(safe("+1"), "'+1");
        assert_eq!(safe("-2+3"), "'-2+3");
        assert_eq!(safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe("\tx"), "'\tx");
        assert_eq!(safe("login failed"), "login failed");
        assert_eq!(safe(""), "");
    }
}
