//! The human report: what a developer reads after `jmlog analyze app.log`.

use std::io::{self, Write};

use comfy_table::{CellAlignment, Table};

use super::numbers::{INPUT_TOP_CODES, code_counts};
use super::numbers::{group_digits, human_bytes, percent, plural, signed};
use super::palette::{self, ColorDepth};
use super::terminal::sanitize;
use super::{CODE, DIM, ERROR, HEADING, Look, WARN, new_table};
use crate::analyze::RunStats;
use crate::catalog::Module;
use crate::histogram::Histogram;
use crate::report::Report;

/// How many characters of an example line to show.
const EXAMPLE_CHARS: usize = 240;

/// Options of the text report.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    pub look: Look,
    /// How many codes the "Top codes" and "Examples" sections list; 0 lists all.
    pub top: usize,
}

pub fn render(report: &Report, opts: TextOptions, out: &mut dyn Write) -> io::Result<()> {
    let look = opts.look;
    let t = &report.totals;
    let failed = report.failed_inputs().count();
    let skipped = super::skipped_inputs(report);
    let mut read = format!(
        "{} {}",
        look.paint(HEADING, "Scanned"),
        plural(t.files - skipped.min(t.files), "input", "inputs")
    );
    if skipped > 0 {
        read.push_str(&format!(" ({skipped} skipped)"));
    }
    writeln!(
        out,
        "{read} · {} · {}{}{}",
        human_bytes(t.bytes),
        plural(t.lines, "line", "lines"),
        if failed > 0 {
            format!(" · {failed} could not be read")
        } else {
            String::new()
        },
        if report.mode == "loose" {
            " (loose: every catalog code counts, whatever its context)"
        } else {
            ""
        }
    )?;
    writeln!(
        out,
        "{} {}",
        look.paint(HEADING, "Found"),
        super::numbers::headline(t)
    )?;
    // The window and what it left out, in one sentence cut to the terminal's width.
    if let Some(note) = report.window_note() {
        let note = format!("{} {note}", look.paint(HEADING, "Window:"));
        for line in wrap(&note, look.width.map(usize::from)) {
            writeln!(out, "{line}")?;
        }
    }
    if report.codes.is_empty() && report.unknown_codes.is_empty() {
        writeln!(out, "\nNo JMessage error codes found.")?;
    }

    if !report.modules.is_empty() {
        writeln!(out, "\n{}", look.paint(HEADING, "Modules"))?;
        let with_change = report.baseline.is_some();
        let mut header = vec!["module", "count", "share", "codes"];
        if with_change {
            header.push("change");
        }
        let mut table = new_table(look, &header);
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
            table.add_row(row);
        }
        align_right(&mut table, &header, &["count", "share", "codes", "change"]);
        super::write_table(&table, out)?;
    }

    let shown = if opts.top == 0 {
        report.codes.len()
    } else {
        opts.top.min(report.codes.len())
    };
    if shown > 0 {
        let title = if shown < report.codes.len() {
            format!("Top {shown} of {} codes", report.codes.len())
        } else {
            plural(report.codes.len() as u64, "code", "codes")
        };
        writeln!(out, "\n{}", look.paint(HEADING, &title))?;
        let with_change = report.baseline.is_some();
        let mut header = vec!["code", "count", "share"];
        if with_change {
            header.push("change");
        }
        header.extend(["module", "meaning"]);
        let mut table = new_table(look, &header);
        for c in &report.codes[..shown] {
            let mut row = vec![c.code.to_string(), group_digits(c.count), percent(c.share)];
            if with_change {
                row.push(if c.is_new() {
                    "new".to_owned()
                } else {
                    c.change.map(signed).unwrap_or_default()
                });
            }
            row.extend([c.module.name().to_owned(), c.meaning_and_evidence()]);
            table.add_row(row);
        }
        align_right(&mut table, &header, &["count", "share", "change"]);
        super::write_table(&table, out)?;
    }

    if let Some(b) = &report.baseline {
        writeln!(
            out,
            "\n{} {}",
            look.paint(HEADING, "Since the baseline"),
            look.paint(
                DIM,
                &format!(
                    "({}: {} → {})",
                    sanitize(&b.path, 200),
                    group_digits(b.codes),
                    plural(t.codes, "code", "codes")
                )
            )
        )?;
        if b.new_codes.is_empty() && b.new_unknown_codes.is_empty() {
            writeln!(out, "  No codes are new since the baseline.")?;
        }
        let new: Vec<_> = report.codes.iter().filter(|c| c.is_new()).collect();
        let count_width = new
            .iter()
            .map(|c| group_digits(c.count).len())
            .chain(b.vanished.iter().map(|v| group_digits(v.previous).len()))
            .max()
            .unwrap_or(1);
        // The meanings wrap under themselves, after the code and count columns.
        let meaning_width = look
            .width
            .map(|w| usize::from(w).saturating_sub(2 + 4 + 2 + 7 + 6 + count_width + 3));
        let hang = " ".repeat(2 + 4 + 2 + 7 + 6 + count_width + 3);
        for row in new {
            let lines = wrap(&row.meaning, meaning_width);
            writeln!(
                out,
                "  {}  {}  now {:>count_width$}×  {}",
                look.paint(WARN, "new "),
                look.paint(CODE, &format!("{:<7}", row.code)),
                group_digits(row.count),
                lines[0]
            )?;
            for line in &lines[1..] {
                writeln!(out, "{hang}{line}")?;
            }
        }
        if let Some(codes) = super::new_unknown_codes(b) {
            // Cut to the terminal's width, continued under the codes.
            let hang = " ".repeat(2 + 4 + 2 + "unknown codes: ".len());
            let width = look
                .width
                .map(|w| usize::from(w).saturating_sub(hang.len()));
            let lines = wrap(&codes, width);
            writeln!(
                out,
                "  {}  unknown codes: {}",
                look.paint(WARN, "new "),
                lines[0]
            )?;
            for line in &lines[1..] {
                writeln!(out, "{hang}{line}")?;
            }
        }
        for v in &b.vanished {
            let lines = wrap(&v.meaning, meaning_width);
            writeln!(
                out,
                "  {}  {:<7}  was {:>count_width$}×  {}",
                look.paint(DIM, "gone"),
                v.code,
                group_digits(v.previous),
                lines[0]
            )?;
            for line in &lines[1..] {
                writeln!(out, "{hang}{line}")?;
            }
        }
    }

    if let Some(h) = &report.histogram {
        histogram(report, h, opts, out)?;
    }

    let (unknown, unknown_left_out) = super::listed_unknown(report, opts.top);
    if !report.unknown_codes.is_empty() {
        writeln!(
            out,
            "\n{} {}",
            look.paint(WARN, "Unknown codes"),
            look.paint(
                DIM,
                "(in a code context, but in no catalog: a newer SDK's?)"
            )
        )?;
        let header = ["code", "count", "first seen"];
        let mut table = new_table(look, &header);
        for u in &unknown {
            table.add_row(vec![
                u.code.to_string(),
                group_digits(u.count),
                format!("{}:{}", sanitize(&u.example.path, 200), u.example.line),
            ]);
        }
        align_right(&mut table, &header, &["count"]);
        super::write_table(&table, out)?;
        if unknown_left_out > 0 {
            writeln!(
                out,
                "  {}",
                look.paint(DIM, &super::more_unknown(unknown_left_out))
            )?;
        }
    }

    if shown > 0 || !unknown.is_empty() {
        writeln!(
            out,
            "\n{}",
            look.paint(HEADING, "Examples (first line of each code)")
        )?;
        let examples = report.codes[..shown]
            .iter()
            .map(|c| (c.code, &c.example))
            .chain(unknown.iter().map(|u| (u.code, &u.example)));
        for (code, ex) in examples {
            writeln!(
                out,
                "  {}  {}",
                look.paint(CODE, &code.to_string()),
                look.paint(DIM, &format!("{}:{}", sanitize(&ex.path, 200), ex.line))
            )?;
            let example = sanitize(&ex.text, EXAMPLE_CHARS);
            for piece in wrap(
                &example,
                look.width.map(|w| usize::from(w).saturating_sub(4)),
            ) {
                writeln!(out, "    {piece}")?;
            }
        }
    }

    inputs_with_codes(report, opts, out)?;

    if !report.gates.is_empty() {
        writeln!(out, "\n{}", look.paint(HEADING, "Gates"))?;
        for g in &report.gates {
            let verdict = if g.tripped {
                look.paint(ERROR, "FAIL")
            } else {
                look.paint(CODE, "pass")
            };
            writeln!(out, "  {verdict}  {}  {}", g.gate, g.detail)?;
        }
    }

    let problems: Vec<(&str, &str)> = report
        .inputs
        .iter()
        .filter_map(|i| {
            let why = i.error.as_deref().or(i.skipped.as_deref())?;
            Some((i.path.as_str(), why))
        })
        .collect();
    if !problems.is_empty() {
        writeln!(out, "\n{}", look.paint(ERROR, "Problems"))?;
        for (path, why) in problems {
            writeln!(out, "  {}: {why}", sanitize(path, 200))?;
        }
    }
    Ok(())
}

/// Which inputs hold the codes: the `--top` inputs with the most code occurrences (all with
/// `--top 0`), each with its most frequent codes.
fn inputs_with_codes(report: &Report, opts: TextOptions, out: &mut dyn Write) -> io::Result<()> {
    let inputs = report.inputs_with_codes();
    // One input says nothing the totals do not.
    if inputs.len() < 2 {
        return Ok(());
    }
    let shown = if opts.top == 0 {
        inputs.len()
    } else {
        opts.top.min(inputs.len())
    };
    let title = if shown < inputs.len() {
        format!("Inputs with codes (top {shown} of {})", inputs.len())
    } else {
        "Inputs with codes".to_owned()
    };
    writeln!(out, "\n{}", opts.look.paint(HEADING, &title))?;
    let header = ["input", "codes", "lines", "top codes"];
    let mut table = new_table(opts.look, &header);
    for i in &inputs[..shown] {
        table.add_row(vec![
            sanitize(&i.path, 200),
            group_digits(i.code_count()),
            group_digits(i.code_lines),
            code_counts(&i.top_codes(), INPUT_TOP_CODES),
        ]);
    }
    align_right(&mut table, &header, &["codes", "lines"]);
    super::write_table(&table, out)
}

/// Codes over time: a row per bucket with a bar stacked by module, then a sparkline per top code.
/// Each module has its fixed letter; with colour, the letters take the module's colour, and where
/// the terminal has 256 colours or more (enough to tell 15 modules apart) the bars are solid blocks.
fn histogram(
    report: &Report,
    h: &Histogram,
    opts: TextOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let look = opts.look;
    let width = usize::from(look.width.unwrap_or(100)).max(40);
    let title = format!("Codes per {} ({})", h.bucket.name(), h.tz);
    writeln!(out, "\n{}", look.paint(HEADING, &title))?;
    if h.series.is_empty() {
        writeln!(out, "  No dated lines with codes.")?;
        return Ok(());
    }
    let blocks = look.color && look.depth != ColorDepth::Ansi16;
    let glyph = |module: Module, len: usize| -> String {
        let mark = palette::mark(module);
        let piece: String = if blocks {
            "█".repeat(len)
        } else {
            mark.letter.to_string().repeat(len)
        };
        look.paint(mark.style(look.depth), &piece)
    };
    let labels: Vec<&str> = h.series.iter().map(|b| b.label.as_str()).collect();
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let max = h.series.iter().map(|b| b.total).max().unwrap_or(0).max(1);
    let count_width = group_digits(max).len();
    let bar_width = width.saturating_sub(label_width + count_width + 6).max(10);
    for (bucket, label) in h.series.iter().zip(&labels) {
        let mut bar = String::new();
        let mut done = 0u64;
        let mut drawn = 0usize;
        for m in &report.modules {
            let n = bucket.modules.get(&m.module).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            done += n;
            // Cumulative rounding keeps the whole bar true to the total.
            let end = ((done as f64 / max as f64) * bar_width as f64).round() as usize;
            let len = end.saturating_sub(drawn).max(1);
            drawn += len;
            bar.push_str(&glyph(m.module, len));
        }
        writeln!(
            out,
            "  {label:<label_width$}  {bar}{}  {:>count_width$}",
            " ".repeat(bar_width.saturating_sub(drawn)),
            group_digits(bucket.total)
        )?;
    }
    // The legend, wrapped to the width: "M messaging  L login  …".
    let mut line = String::new();
    let mut line_width = 0;
    for m in &report.modules {
        if !h.series.iter().any(|b| b.modules.contains_key(&m.module)) {
            continue;
        }
        let key_width = 1 + 1 + m.module.name().chars().count();
        if line_width > 0 && 2 + line_width + 2 + key_width > width {
            writeln!(out, "  {line}")?;
            line.clear();
            line_width = 0;
        }
        if line_width > 0 {
            line.push_str("  ");
            line_width += 2;
        }
        line.push_str(&format!("{} {}", glyph(m.module, 1), m.module));
        line_width += key_width;
    }
    if line_width > 0 {
        writeln!(out, "  {line}")?;
    }
    if h.undated > 0 {
        writeln!(
            out,
            "  {}",
            look.paint(
                DIM,
                &format!(
                    "{} on lines without a time (no timestamp on or above them) are not shown.",
                    plural(h.undated, "code", "codes")
                )
            )
        )?;
    }

    let sparklines = if opts.top == 0 { 8 } else { opts.top.min(8) };
    let top: Vec<_> = report.codes.iter().take(sparklines).collect();
    if top.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n{} {}",
        look.paint(HEADING, "Top codes over time"),
        look.paint(DIM, "(occurrences on dated lines)")
    )?;
    let spark_width = width.saturating_sub(30).clamp(10, 120);
    for c in top {
        let key = c.code.to_string();
        let values: Vec<u64> = h
            .series
            .iter()
            .map(|b| b.codes.get(&key).copied().unwrap_or(0))
            .collect();
        let dated: u64 = values.iter().sum();
        let count = if dated == c.count {
            group_digits(dated)
        } else {
            format!("{} of {}", group_digits(dated), group_digits(c.count))
        };
        writeln!(
            out,
            "  {} {}  {count}",
            look.paint(CODE, &format!("{key:<8}")),
            sparkline(&values, spark_width),
        )?;
    }
    Ok(())
}

/// `text` cut into lines of at most `width` characters (no cut without a width): at the last space
/// that leaves a line at least half full, else in the middle of a word.
fn wrap(text: &str, width: Option<usize>) -> Vec<&str> {
    let Some(width) = width.filter(|&w| w >= 10) else {
        return vec![text];
    };
    let mut lines = Vec::new();
    let mut rest = text;
    while rest.chars().count() > width {
        // The byte offset just past `width` characters.
        let end = rest
            .char_indices()
            .nth(width)
            .map_or(rest.len(), |(i, _)| i);
        let cut = match rest[..end].rfind(' ') {
            Some(space) if rest[..space].chars().count() >= width / 2 => space,
            _ => end,
        };
        lines.push(rest[..cut].trim_end());
        rest = rest[cut..].trim_start();
    }
    lines.push(rest);
    lines
}

/// `▁▂▃▄▅▆▇█` for the values (a space for none), at most `width` characters: neighbouring values are
/// added up when there are more.
pub fn sparkline(values: &[u64], width: usize) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let per = values.len().div_ceil(width.max(1)).max(1);
    let sums: Vec<u64> = values.chunks(per).map(|c| c.iter().sum()).collect();
    let max = sums.iter().copied().max().unwrap_or(0).max(1);
    sums.iter()
        .map(|&v| {
            if v == 0 {
                ' '
            } else {
                LEVELS[((v * 7) as f64 / max as f64).round() as usize]
            }
        })
        .collect()
}

/// The `--stats` lines: what was read, how long it took, and where the time went.
pub fn stats(report: &Report, stats: &RunStats) -> String {
    let t = &report.totals;
    let read: u64 = report.inputs.iter().map(|i| i.read_bytes).sum();
    let secs = stats.wall.as_secs_f64().max(1e-9);
    format!(
        "jmlog: stats: {} read, {} of text, {} in {}, {:.3} s wall, {}/s of text\n\
         jmlog: stats: reading and decompressing {:.3} s, scanning {:.3} s (summed over {})\n",
        human_bytes(read),
        human_bytes(t.bytes),
        plural(t.lines, "line", "lines"),
        plural(t.files, "input", "inputs"),
        secs,
        human_bytes((t.bytes as f64 / secs) as u64),
        stats.read_time.as_secs_f64(),
        stats.scan_time.as_secs_f64(),
        plural(stats.threads as u64, "thread", "threads"),
    )
}

/// Right-aligns the columns of `table` named `names` in its `header` (names it lacks are skipped).
fn align_right(table: &mut Table, header: &[&str], names: &[&str]) {
    for (i, name) in header.iter().enumerate() {
        if names.contains(name) {
            if let Some(col) = table.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_spaces_or_anywhere() {
        assert_eq!(wrap("a b c", None), ["a b c"]);
        assert_eq!(
            wrap("login failed code=801004 desc=wrong password", Some(16)),
            ["login failed", "code=801004", "desc=wrong", "password"]
        );
        assert_eq!(
            wrap("{\"code\":899002,\"message\":\"No\"}", Some(10)),
            ["{\"code\":89", "9002,\"mess", "age\":\"No\"}"]
        );
        assert_eq!(
            wrap("错误码：801003 登录失败", Some(10)),
            ["错误码：801003", "登录失败"]
        );
    }

    #[test]
    fn sparklines_scale_and_fold() {
        assert_eq!(sparkline(&[0, 1, 7, 0], 10), " ▂█ ");
        assert_eq!(sparkline(&[1, 1, 2, 2], 2), "▅█");
        assert_eq!(sparkline(&[], 5), "");
    }
}
