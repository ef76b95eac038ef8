//! Output formats. Each renderer takes the computed [`Report`](crate::report::Report) (or catalog
//! entries) and a writer, and only formats: nothing here counts or sorts.

pub mod catalog;
pub mod csv;
pub mod html;
pub mod json;
pub mod markdown;
pub mod markup;
pub mod ndjson;
pub mod numbers;
pub mod palette;
pub mod prometheus;
pub mod terminal;
pub mod text;

use anstyle::{AnsiColor, Effects, Style};
use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};

/// How text output looks: decided once from the flags, `NO_COLOR` and the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// Whether to write ANSI colours.
    pub color: bool,
    /// The terminal's width in columns, when writing to a terminal.
    pub width: Option<u16>,
    /// Colour was asked for outright (`--color always`), not decided from the terminal.
    pub forced: bool,
    /// Standard output is a terminal (a live view may redraw it).
    pub terminal: bool,
    /// How many colours the terminal shows, when colour is on.
    pub depth: palette::ColorDepth,
}

impl Look {
    /// Plain text of unlimited width: for files, pipes and tests.
    pub const PLAIN: Look = Look {
        color: false,
        width: None,
        forced: false,
        terminal: false,
        depth: palette::ColorDepth::Ansi16,
    };

    /// `text` in `style` when colour is on, as is otherwise.
    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }
}

pub(crate) const HEADING: Style = Style::new().effects(Effects::BOLD);
pub(crate) const CODE: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
pub(crate) const DIM: Style = Style::new().effects(Effects::DIMMED);
pub(crate) const WARN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
pub(crate) const ERROR: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));

/// The unknown codes a report for people lists — the first `top` of them, most frequent first
/// (`top` 0: all) — and how many it leaves out. Text, Markdown and HTML stay bounded this way
/// however many distinct unknown codes a log holds; JSON and CSV list them all.
pub(crate) fn listed_unknown(
    report: &crate::report::Report,
    top: usize,
) -> (Vec<crate::report::UnknownRow>, usize) {
    let all = &report.unknown_codes;
    let shown = if top == 0 {
        all.len()
    } else {
        top.min(all.len())
    };
    let rows = all.iter().take(shown).map(|c| c.row()).collect();
    (rows, all.len() - shown)
}

/// The line under a cut list of unknown codes: how many more there are, and where they all are.
pub(crate) fn more_unknown(left_out: usize) -> String {
    format!(
        "{} not listed (--top 0 lists all; the JSON and CSV reports have them all).",
        numbers::plural(left_out as u64, "more unknown code", "more unknown codes")
    )
}

/// The unknown codes new since the baseline, the first ten named: `812345, 812346 and 3 more`;
/// `None` when there are none.
pub(crate) fn new_unknown_codes(b: &crate::report::Baseline) -> Option<String> {
    const NAMED: usize = 10;
    let codes = &b.new_unknown_codes;
    if codes.is_empty() {
        return None;
    }
    let named: Vec<String> = codes.iter().take(NAMED).map(|c| c.to_string()).collect();
    let mut line = named.join(", ");
    if codes.len() > NAMED {
        line.push_str(&format!(
            " and {} more",
            numbers::group_digits((codes.len() - NAMED) as u64)
        ));
    }
    Some(line)
}

/// How many inputs were passed over (binary files found in directories): reports count them apart
/// from the inputs they scanned.
pub(crate) fn skipped_inputs(report: &crate::report::Report) -> u64 {
    report.inputs.iter().filter(|i| i.skipped.is_some()).count() as u64
}

/// A borderless table, wrapped to the terminal width when there is one.
pub(crate) fn new_table(look: Look, header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    // Headers stay unstyled: the table measures escape sequences as text.
    table.set_header(header.to_vec());
    match look.width {
        Some(w) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(w);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table
}

/// Writes a table without the padding comfy-table leaves at the end of each line.
pub(crate) fn write_table(table: &Table, out: &mut dyn Write) -> io::Result<()> {
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
