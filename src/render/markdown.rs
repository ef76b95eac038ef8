//! The Markdown summary: for a CI job summary or a pull-request comment.

use std::io::{self, Write};

use super::markup::{Column, Markdown, Table};
use super::numbers::{INPUT_TOP_CODES, code_counts};
use super::numbers::{group_digits, headline, human_bytes, percent, plural, signed};
use super::palette;
use super::terminal::sanitize;
use crate::report::Report;

/// The summary; `top` is how many codes it lists with their examples (0 lists all).
pub fn render(report: &Report, top: usize, out: &mut dyn Write) -> io::Result<()> {
    let top_asked = top;
    let top = if top == 0 { usize::MAX } else { top };
    let t = &report.totals;
    let skipped = super::skipped_inputs(report);
    writeln!(out, "## JMessage errors")?;
    writeln!(out)?;
    writeln!(
        out,
        "**{}** · {} in {}{} · {}",
        headline(t),
        plural(t.lines, "line", "lines"),
        plural(t.files - skipped.min(t.files), "input", "inputs"),
        if skipped > 0 {
            format!(" ({skipped} skipped)")
        } else {
            String::new()
        },
        human_bytes(t.bytes),
    )?;
    if let Some(note) = report.window_note() {
        writeln!(out, "\n{}", cell(&note))?;
    }

    if !report.gates.is_empty() {
        writeln!(out, "\n### Gates\n")?;
        let table = Table::new(
            Markdown,
            &[
                ("", Column::Label),
                ("gate", Column::Label),
                ("result", Column::Text),
            ],
        );
        table.header(out)?;
        for g in &report.gates {
            let mark = if g.tripped {
                "❌ failed"
            } else {
                "✅ passed"
            };
            table.row(out, &[mark.to_owned(), code_span(&g.gate), cell(&g.detail)])?;
        }
        table.footer(out)?;
    }

    if let Some(b) = &report.baseline {
        writeln!(out, "\n### Since the baseline\n")?;
        writeln!(
            out,
            "Baseline {}: {} → {} code occurrences ({}).",
            code_span(&sanitize(&b.path, 300)),
            group_digits(b.codes),
            group_digits(t.codes),
            signed(t.codes as i64 - b.codes as i64)
        )?;
        if b.new_codes.is_empty() && b.new_unknown_codes.is_empty() {
            writeln!(out, "\nNo new codes.")?;
        } else if !b.new_codes.is_empty() {
            writeln!(out, "\n**New codes:**\n")?;
            for row in report.codes.iter().filter(|c| c.is_new()) {
                writeln!(
                    out,
                    "- **{}** ({}, {}×): {}",
                    row.code,
                    row.module,
                    row.count,
                    cell(&row.meaning)
                )?;
            }
        }
        if let Some(codes) = super::new_unknown_codes(b) {
            writeln!(out, "\n**New unknown codes:** {codes}")?;
        }
        if !b.vanished.is_empty() {
            writeln!(out, "\n**Gone since the baseline:**\n")?;
            for v in &b.vanished {
                writeln!(
                    out,
                    "- {} ({}, was {}×): {}",
                    v.code,
                    v.module,
                    v.previous,
                    cell(&v.meaning)
                )?;
            }
        }
    }

    if report.codes.is_empty() && report.unknown_codes.is_empty() {
        writeln!(out, "\nNo JMessage error codes found.")?;
    }

    let with_change = report.baseline.is_some();
    if !report.modules.is_empty() {
        writeln!(out, "\n### Modules\n")?;
        let mut columns = vec![
            ("module", Column::Label),
            ("count", Column::Number),
            ("share", Column::Number),
            ("codes", Column::Number),
        ];
        if with_change {
            columns.push(("change", Column::Number));
        }
        let table = Table::new(Markdown, &columns);
        table.header(out)?;
        for m in &report.modules {
            let mut row = vec![
                m.module.name().to_owned(),
                group_digits(m.count),
                percent(m.share),
                m.distinct.to_string(),
            ];
            if with_change {
                row.push(m.change.map(signed).unwrap_or_default());
            }
            table.row(out, &row)?;
        }
        table.footer(out)?;
    }

    if !report.codes.is_empty() {
        let shown = report.codes.len().min(top);
        let title = if shown < report.codes.len() {
            format!("Top {shown} of {} codes", report.codes.len())
        } else {
            "Codes".to_owned()
        };
        writeln!(out, "\n### {title}\n")?;
        let mut columns = vec![
            ("code", Column::Label),
            ("count", Column::Number),
            ("module", Column::Label),
            ("meaning", Column::Text),
        ];
        if with_change {
            columns.push(("change", Column::Number));
        }
        let table = Table::new(Markdown, &columns);
        table.header(out)?;
        for c in &report.codes[..shown] {
            let mut row = vec![
                format!("{}{}", c.code, if c.is_new() { " 🆕" } else { "" }),
                group_digits(c.count),
                c.module.name().to_owned(),
                cell(&c.meaning_and_evidence()),
            ];
            if with_change {
                row.push(c.change.map(signed).unwrap_or_default());
            }
            table.row(out, &row)?;
        }
        table.footer(out)?;
    }

    if !report.unknown_codes.is_empty() {
        writeln!(out, "\n### Unknown codes\n")?;
        writeln!(
            out,
            "In a code context, but in no catalog (a newer SDK's?).\n"
        )?;
        let table = Table::new(
            Markdown,
            &[
                ("code", Column::Label),
                ("count", Column::Number),
                ("first seen", Column::Example),
            ],
        );
        table.header(out)?;
        let (unknown, left_out) = super::listed_unknown(report, top_asked);
        for u in unknown {
            table.row(
                out,
                &[
                    u.code.to_string(),
                    group_digits(u.count),
                    code_span(&format!(
                        "{}:{}",
                        sanitize(&u.example.path, 300),
                        u.example.line
                    )),
                ],
            )?;
        }
        table.footer(out)?;
        if left_out > 0 {
            writeln!(out, "\n{}", super::more_unknown(left_out))?;
        }
    }

    if let Some(h) = &report.histogram {
        writeln!(
            out,
            "\n### Codes per {} ({})\n",
            h.bucket.name(),
            cell(&h.tz)
        )?;
        let columns = [
            (h.bucket.name(), Column::Label),
            ("codes", Column::Number),
            ("top module", Column::Label),
            ("modules", Column::Label),
        ];
        let table = Table::new(Markdown, &columns);
        table.header(out)?;
        let max = h.series.iter().map(|b| b.total).max().unwrap_or(0).max(1);
        for b in &h.series {
            let top = b
                .modules
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(m, n)| format!("{m} ({n})"))
                .unwrap_or_default();
            table.row(
                out,
                &[
                    b.label.clone(),
                    group_digits(b.total),
                    top,
                    letter_bar(report, b, max),
                ],
            )?;
        }
        table.footer(out)?;
        let legend: Vec<String> = report
            .modules
            .iter()
            .filter(|m| h.series.iter().any(|b| b.modules.contains_key(&m.module)))
            .map(|m| format!("`{}` {}", palette::mark(m.module).letter, m.module))
            .collect();
        if !legend.is_empty() {
            writeln!(out, "\n{}", legend.join(" · "))?;
        }
        if h.undated > 0 {
            writeln!(
                out,
                "\n{} on lines without a time are not in this table.",
                plural(h.undated, "code", "codes")
            )?;
        }
    }

    inputs_with_codes(report, top, out)?;

    let examples: Vec<_> = report
        .codes
        .iter()
        .take(top)
        .map(|c| (c.code, &c.example))
        .collect();
    if !examples.is_empty() {
        writeln!(
            out,
            "\n<details><summary>First line of each code</summary>\n"
        )?;
        for (code, ex) in examples {
            let place = format!("{}:{}", sanitize(&ex.path, 300), ex.line);
            writeln!(out, "- **{code}** {}", code_span(&place))?;
            writeln!(out, "  {}", code_span(&sanitize(&ex.text, 300)))?;
        }
        writeln!(out, "\n</details>")?;
    }

    let problems: Vec<_> = report
        .inputs
        .iter()
        .filter_map(|i| Some((&i.path, i.error.as_ref().or(i.skipped.as_ref())?)))
        .collect();
    if !problems.is_empty() {
        writeln!(out, "\n### Inputs with problems\n")?;
        for (path, why) in problems {
            writeln!(out, "- {}: {}", code_span(&sanitize(path, 300)), cell(why))?;
        }
    }
    Ok(())
}

/// Which inputs hold the codes: the `top` inputs with the most code occurrences, each with its most
/// frequent codes.
fn inputs_with_codes(report: &Report, top: usize, out: &mut dyn Write) -> io::Result<()> {
    let inputs = report.inputs_with_codes();
    if inputs.len() < 2 {
        return Ok(());
    }
    let shown = top.min(inputs.len());
    if shown < inputs.len() {
        writeln!(
            out,
            "\n### Inputs with codes (top {shown} of {})\n",
            inputs.len()
        )?;
    } else {
        writeln!(out, "\n### Inputs with codes\n")?;
    }
    let table = Table::new(
        Markdown,
        &[
            ("input", Column::Label),
            ("codes", Column::Number),
            ("lines", Column::Number),
            ("top codes", Column::Text),
        ],
    );
    table.header(out)?;
    for i in &inputs[..shown] {
        table.row(
            out,
            &[
                code_span(&sanitize(&i.path, 300)),
                group_digits(i.code_count()),
                group_digits(i.code_lines),
                code_counts(&i.top_codes(), INPUT_TOP_CODES),
            ],
        )?;
    }
    table.footer(out)
}

/// A bucket's codes as a bar of module letters (`MMMLLA`), at most 24 long for the fullest bucket,
/// in a code span so that the letters line up.
fn letter_bar(report: &Report, bucket: &crate::histogram::Bucket, max: u64) -> String {
    const WIDTH: f64 = 24.0;
    let mut bar = String::new();
    let (mut done, mut drawn) = (0u64, 0usize);
    for m in &report.modules {
        let n = bucket.modules.get(&m.module).copied().unwrap_or(0);
        if n == 0 {
            continue;
        }
        done += n;
        // Cumulative rounding keeps the whole bar true to the total.
        let end = ((done as f64 / max as f64) * WIDTH).round() as usize;
        let len = end.saturating_sub(drawn).max(1);
        drawn += len;
        bar.extend(std::iter::repeat_n(palette::mark(m.module).letter, len));
    }
    if bar.is_empty() {
        String::new()
    } else {
        format!("`{bar}`")
    }
}

/// Text from a log or the catalog, made inert in Markdown: no HTML, no links or emphasis, no table
/// breaks, on one line.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in sanitize(text, 2000).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An inline code span that the text cannot break out of: the fence is longer than any run of
/// backticks inside.
fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let text = text.replace('|', "\\|");
    format!("{fence} {text} {fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_inert() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("<script>x</script>"), "&lt;script&gt;x&lt;/script&gt;");
        assert_eq!(cell("[click](javascript:x)"), "\\[click\\](javascript:x)");
        // The escape stays visible: Markdown shows `\\` as one backslash.
        assert_eq!(cell("line\nbreak"), "line\\\\u{a}break");
    }

    #[test]
    fn code_spans_cannot_be_escaped() {
        assert_eq!(code_span("a`b"), "`` a`b ``");
        assert_eq!(code_span("x"), "` x `");
    }
}
