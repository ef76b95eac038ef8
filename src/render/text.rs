//! The human report: what a developer reads after `jmlog analyze app.log`.

use std::io::{self, Write};

use comfy_table::{CellAlignment, Table};

use super::terminal::sanitize;
use super::{CODE, DIM, ERROR, HEADING, Look, WARN, new_table};
use crate::analyze::RunStats;
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
    writeln!(
        out,
        "{} {} · {} · {} lines · {} with codes{}{}",
        look.paint(HEADING, "Scanned"),
        plural(t.files, "input", "inputs"),
        human_bytes(t.bytes),
        group_digits(t.lines),
        plural(t.code_lines, "line", "lines"),
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

    if report.codes.is_empty() && report.unknown_codes.is_empty() {
        writeln!(out, "\nNo JMessage error codes found.")?;
    }

    if !report.modules.is_empty() {
        writeln!(out, "\n{}", look.paint(HEADING, "Modules"))?;
        let mut table = new_table(look, &["module", "count", "share", "codes"]);
        for m in &report.modules {
            table.add_row(vec![
                m.module.name().to_owned(),
                group_digits(m.count),
                percent(m.share),
                m.distinct.to_string(),
            ]);
        }
        align_right(&mut table, &[1, 2, 3]);
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
        let mut table = new_table(look, &["code", "count", "share", "module", "meaning"]);
        for c in &report.codes[..shown] {
            table.add_row(vec![
                c.code.to_string(),
                group_digits(c.count),
                percent(c.share),
                c.module.name().to_owned(),
                c.meaning.clone(),
            ]);
        }
        align_right(&mut table, &[1, 2]);
        super::write_table(&table, out)?;
    }

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
        let mut table = new_table(look, &["code", "count", "first seen"]);
        for u in &report.unknown_codes {
            table.add_row(vec![
                u.code.to_string(),
                group_digits(u.count),
                format!("{}:{}", sanitize(&u.example.path, 200), u.example.line),
            ]);
        }
        align_right(&mut table, &[1]);
        super::write_table(&table, out)?;
    }

    if shown > 0 || !report.unknown_codes.is_empty() {
        writeln!(
            out,
            "\n{}",
            look.paint(HEADING, "Examples (first line of each code)")
        )?;
        let examples = report.codes[..shown]
            .iter()
            .map(|c| (c.code, &c.example))
            .chain(report.unknown_codes.iter().map(|u| (u.code, &u.example)));
        for (code, ex) in examples {
            writeln!(
                out,
                "  {}  {}",
                look.paint(CODE, &code.to_string()),
                look.paint(DIM, &format!("{}:{}", sanitize(&ex.path, 200), ex.line))
            )?;
            writeln!(out, "    {}", sanitize(&ex.text, EXAMPLE_CHARS))?;
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

/// The `--stats` lines: what was read, how long it took, and where the time went.
pub fn stats(report: &Report, stats: &RunStats) -> String {
    let t = &report.totals;
    let read: u64 = report.inputs.iter().map(|i| i.read_bytes).sum();
    let secs = stats.wall.as_secs_f64().max(1e-9);
    format!(
        "jmlog: stats: {} read, {} of text, {} lines in {}, {:.3} s wall, {}/s of text\n\
         jmlog: stats: reading and decompressing {:.3} s, scanning {:.3} s (summed over {} threads)\n",
        human_bytes(read),
        human_bytes(t.bytes),
        group_digits(t.lines),
        plural(t.files, "input", "inputs"),
        secs,
        human_bytes((t.bytes as f64 / secs) as u64),
        stats.read_time.as_secs_f64(),
        stats.scan_time.as_secs_f64(),
        stats.threads,
    )
}

fn align_right(table: &mut Table, columns: &[usize]) {
    for &i in columns {
        if let Some(col) = table.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group_digits(n), if n == 1 { one } else { many })
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// 1234567 → "1,234,567".
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in binary units: "812 B", "4.2 KiB", "1.3 GiB".
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1234567), "1,234,567");
        assert_eq!(human_bytes(812), "812 B");
        assert_eq!(human_bytes(4300), "4.2 KiB");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
    }
}
