//! The tables: gates, the baseline, every code with its example, unknown codes and inputs. Cells
//! are escaped here, then laid out by the table skeleton shared with Markdown.

use std::io::{self, Write};

use super::markup::{Column, Html, Table};
use super::numbers::{group_digits, human_bytes, percent, plural, signed};
use super::{module_class, text};
use crate::render::palette;
use crate::report::{CodeRow, ExampleRef, Report};

pub(super) fn gates(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let tripped = report.gates.iter().filter(|g| g.tripped).count();
    writeln!(out, "<section id=\"gates\">")?;
    writeln!(
        out,
        "<h2>CI gates <span class=\"count\">({tripped} of {} failed)</span></h2>",
        report.gates.len()
    )?;
    let table = Table::new(
        Html,
        &[
            ("Verdict", Column::Label),
            ("Gate", Column::Label),
            ("Found", Column::Text),
        ],
    );
    table.header(out)?;
    for g in &report.gates {
        let badge = if g.tripped {
            "<span class=\"badge fail\">FAIL</span>"
        } else {
            "<span class=\"badge pass\">PASS</span>"
        };
        table.row(
            out,
            &[
                badge.to_owned(),
                format!("<code>{}</code>", text(&g.gate)),
                text(&g.detail),
            ],
        )?;
    }
    table.footer(out)?;
    writeln!(out, "</section>")
}

pub(super) fn baseline(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let Some(b) = &report.baseline else {
        return Ok(());
    };
    let now = report.totals.codes;
    writeln!(out, "<section id=\"baseline\">")?;
    writeln!(out, "<h2>Since the baseline</h2>")?;
    writeln!(
        out,
        "<p>Compared with <span class=\"mono path\">{}</span>: {} known-code occurrences then, \
         {} now ({}).</p>",
        text(&b.path),
        group_digits(b.codes),
        group_digits(now),
        change(now as i64 - b.codes as i64)
    )?;

    writeln!(
        out,
        "<h3>New codes <span class=\"count\">({})</span></h3>",
        b.new_codes.len()
    )?;
    if b.new_codes.is_empty() && b.new_unknown_codes.is_empty() {
        writeln!(out, "<p class=\"note\">No code is new.</p>")?;
    } else if !b.new_codes.is_empty() {
        write!(out, "<ul class=\"codes\">")?;
        for code in &b.new_codes {
            let row = report.codes.iter().find(|c| c.code == *code);
            match row {
                Some(c) => write!(
                    out,
                    "<li><a class=\"mono\" href=\"#code-{code}\">{code}</a> {} · {}</li>",
                    c.module,
                    plural(c.count, "time", "times")
                )?,
                None => write!(out, "<li><span class=\"mono\">{code}</span></li>")?,
            }
        }
        writeln!(out, "</ul>")?;
    }
    if let Some(codes) = crate::render::new_unknown_codes(b) {
        writeln!(
            out,
            "<p class=\"note\">New unknown codes: <span class=\"mono\">{}</span></p>",
            text(&codes)
        )?;
    }

    writeln!(
        out,
        "<h3>Vanished codes <span class=\"count\">({})</span></h3>",
        b.vanished.len()
    )?;
    if b.vanished.is_empty() {
        writeln!(
            out,
            "<p class=\"note\">No code of the baseline is gone.</p>"
        )?;
        return writeln!(out, "</section>");
    }
    let table = Table::new(
        Html,
        &[
            ("Code", Column::Label),
            ("Previous", Column::Number),
            ("Module", Column::Label),
            ("Meaning", Column::Text),
        ],
    );
    table.header(out)?;
    for v in &b.vanished {
        table.row(
            out,
            &[
                format!("<code>{}</code>", v.code),
                group_digits(v.previous),
                v.module.to_string(),
                text(&v.meaning),
            ],
        )?;
    }
    table.footer(out)?;
    writeln!(out, "</section>")
}

pub(super) fn codes(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let with_baseline = report.baseline.is_some();
    writeln!(out, "<section id=\"codes\">")?;
    writeln!(
        out,
        "<h2>All known codes <span class=\"count\">({})</span></h2>",
        report.codes.len()
    )?;
    if report.codes.is_empty() {
        writeln!(out, "<p>No known codes found.</p>")?;
        return writeln!(out, "</section>");
    }
    let mut columns = vec![
        ("Code", Column::Label),
        ("Count", Column::Number),
        ("Share", Column::Number),
    ];
    if with_baseline {
        columns.push(("Previous", Column::Number));
        columns.push(("Change", Column::Number));
    }
    columns.extend([
        ("Module · operation", Column::Text),
        ("Meaning · official message", Column::Text),
        ("Example", Column::Example),
    ]);
    let table = Table::new(Html, &columns).with_class("codes");
    table.header(out)?;
    for c in &report.codes {
        let mut cells = vec![code_cell(c), group_digits(c.count), percent(c.share)];
        if with_baseline {
            cells.push(c.previous.map(group_digits).unwrap_or_default());
            cells.push(c.change.map(change).unwrap_or_default());
        }
        // The operation and the official message go under the module and the meaning, where
        // they read as details of them and leave the example room.
        let message = if c.message.is_empty() {
            String::new()
        } else {
            format!("<span class=\"message\">“{}”</span>", text(&c.message))
        };
        cells.extend([
            format!(
                "<span class=\"module\"><span class=\"swatch key {}\">{}</span>{}</span>\
                 <span class=\"operation\">{}</span>",
                module_class(c.module),
                palette::mark(c.module).letter,
                c.module,
                text(&c.operation)
            ),
            format!(
                "<span class=\"meaning\">{}</span>{message}",
                text(&c.meaning_and_evidence())
            ),
            example(&c.example),
        ]);
        table.row_with_id(out, &format!("code-{}", c.code), &cells)?;
    }
    table.footer(out)?;
    writeln!(out, "</section>")
}

fn code_cell(c: &CodeRow) -> String {
    let new = if c.is_new() {
        "<span class=\"badge new\">NEW</span>"
    } else {
        ""
    };
    format!("<code>{}</code>{new}", c.code)
}

pub(super) fn unknown_codes(report: &Report, top: usize, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<section id=\"unknown-codes\">")?;
    writeln!(
        out,
        "<h2>Unknown codes <span class=\"count\">({})</span></h2>",
        report.unknown_codes.len()
    )?;
    writeln!(
        out,
        "<p class=\"note\">Numbers in an error-code context that no catalog knows: perhaps a newer \
         SDK's codes.</p>"
    )?;
    let table = Table::new(
        Html,
        &[
            ("Code", Column::Label),
            ("Count", Column::Number),
            ("Example", Column::Example),
        ],
    )
    .with_class("unknown");
    table.header(out)?;
    let (unknown, left_out) = crate::render::listed_unknown(report, top);
    for u in unknown {
        table.row(
            out,
            &[
                format!("<code>{}</code>", u.code),
                group_digits(u.count),
                example(&u.example),
            ],
        )?;
    }
    table.footer(out)?;
    if left_out > 0 {
        writeln!(
            out,
            "<p class=\"note\">{}</p>",
            text(&crate::render::more_unknown(left_out))
        )?;
    }
    writeln!(out, "</section>")
}

pub(super) fn inputs(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<section id=\"inputs\">")?;
    writeln!(
        out,
        "<h2>Inputs <span class=\"count\">({})</span></h2>",
        report.inputs.len()
    )?;
    let table = Table::new(
        Html,
        &[
            ("Path", Column::Text),
            ("Encoding", Column::Label),
            ("Read", Column::Number),
            ("Text", Column::Number),
            ("Lines", Column::Number),
            ("Status", Column::Text),
        ],
    )
    .with_class("inputs");
    table.header(out)?;
    for i in &report.inputs {
        let status = match (&i.error, &i.skipped) {
            (Some(e), _) => format!("<span class=\"error\">error: {}</span>", text(e)),
            (None, Some(s)) => format!("<span class=\"skipped\">skipped: {}</span>", text(s)),
            (None, None) => match &i.same_as {
                Some(first) => format!("same file as {}, counted there", text(first)),
                None => "ok".to_owned(),
            },
        };
        table.row(
            out,
            &[
                format!("<span class=\"mono path\">{}</span>", text(&i.path)),
                i.encoding.as_deref().map(text).unwrap_or_default(),
                human_bytes(i.read_bytes),
                human_bytes(i.bytes),
                group_digits(i.lines),
                status,
            ],
        )?;
    }
    table.footer(out)?;
    writeln!(out, "</section>")
}

/// How many inputs the "Inputs with codes" section lists.
const TOP_INPUTS: usize = 50;

/// Which inputs hold the codes: those with the most code occurrences, each with its most frequent
/// codes.
pub(super) fn inputs_with_codes(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    use crate::render::numbers::{INPUT_TOP_CODES, code_counts};

    let inputs = report.inputs_with_codes();
    if inputs.len() < 2 {
        return Ok(());
    }
    let shown = inputs.len().min(TOP_INPUTS);
    writeln!(out, "<section id=\"inputs-with-codes\">")?;
    writeln!(
        out,
        "<h2>Inputs with codes <span class=\"count\">({})</span></h2>",
        if shown < inputs.len() {
            format!("{shown} of {}", inputs.len())
        } else {
            inputs.len().to_string()
        }
    )?;
    let table = Table::new(
        Html,
        &[
            ("Input", Column::Text),
            ("Codes", Column::Number),
            ("Lines", Column::Number),
            ("Top codes", Column::Text),
        ],
    )
    .with_class("inputs");
    table.header(out)?;
    for i in &inputs[..shown] {
        table.row(
            out,
            &[
                format!("<span class=\"mono path\">{}</span>", text(&i.path)),
                group_digits(i.code_count()),
                group_digits(i.code_lines),
                format!(
                    "<span class=\"mono\">{}</span>",
                    text(&code_counts(&i.top_codes(), INPUT_TOP_CODES))
                ),
            ],
        )?;
    }
    table.footer(out)?;
    writeln!(out, "</section>")
}

/// The first line of a code: where, then the line itself.
fn example(e: &ExampleRef) -> String {
    format!(
        "<span class=\"where mono\">{}:{}</span><span class=\"line mono\">{}</span>",
        text(&e.path),
        e.line,
        text(&e.text)
    )
}

/// A change in a count, coloured: more errors is worse.
fn change(n: i64) -> String {
    let class = match n.signum() {
        1 => "up",
        -1 => "down",
        _ => "same",
    };
    format!("<span class=\"{class}\">{}</span>", signed(n))
}
