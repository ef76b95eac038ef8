//! The HTML report: one self-contained page that opens offline and can be attached to a ticket.
//!
//! The page holds its own stylesheet and draws its charts as inline SVG; it loads nothing (no
//! scripts, fonts, images or stylesheets from anywhere), and its Content-Security-Policy forbids
//! loading anything, so a report that slipped past the escaping still could not run code or call
//! home. Log text is untrusted: every string from a log or the report goes through [`escape`]
//! (after [`sanitize`], which makes control, bidi and invisible characters visible), in text and in
//! attributes alike. The output depends only on the report, so it can be compared byte for byte.

use std::io::{self, Write};

use super::markup::{Column, Html, Table};
use super::numbers::{INPUT_TOP_CODES, code_counts};
use super::numbers::{group_digits, human_bytes, percent, plural, signed};
use super::terminal::sanitize;
use crate::catalog::Module;
use crate::histogram::Histogram;
use crate::report::{CodeRow, ExampleRef, Report};

/// The most characters of a string from a log shown; example lines are at most 1 KiB anyway.
const TEXT_CHARS: usize = 2048;

/// How many codes the "Top codes" chart shows.
const TOP_CODES: usize = 10;

/// Fill colours of the modules, by their rank in the report: as many as there are modules, so no two
/// modules of a stacked column share a colour.
const PALETTE: [&str; Module::ALL.len()] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#a0cbe8", "#8cd17d", "#d37295", "#499894", "#fabfd2", "#b6992d",
];

/// The colour of unknown codes in the histogram.
const UNKNOWN_COLOR: &str = "#bab0ac";

const STYLE: &str = r#"
:root {
  color-scheme: light dark;
  --bg: #f4f6f8; --card: #ffffff; --fg: #1f2328; --muted: #5d6772; --border: #d8dee4;
  --zebra: #f6f8fa; --accent: #0969da; --pass: #1a7f37; --fail: #cf222e; --code-bg: #eff2f5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --card: #161b22; --fg: #e6edf3; --muted: #9198a1; --border: #30363d;
    --zebra: #1b2129; --accent: #4493f8; --pass: #3fb950; --fail: #f85149; --code-bg: #21262d;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif;
}
main { max-width: 1280px; margin: 0 auto; padding: 28px 32px 40px; }
header h1 { font-size: 28px; margin: 0; letter-spacing: -0.01em; }
header p { margin: 4px 0 0; color: var(--muted); }
nav { margin: 14px 0 0; display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 14px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
section {
  background: var(--card); border: 1px solid var(--border); border-radius: 10px;
  padding: 18px 22px 20px; margin: 18px 0;
}
h2 { font-size: 18px; margin: 0 0 12px; }
h2 .count, h3 .count { color: var(--muted); font-weight: 400; }
h3 { font-size: 15px; margin: 18px 0 8px; }
p.note { color: var(--muted); font-size: 13px; margin: 10px 0 0; }
.stats {
  display: grid; grid-template-columns: repeat(auto-fit, minmax(132px, 1fr)); gap: 10px;
  margin: 0;
}
.stat { border: 1px solid var(--border); border-radius: 8px; padding: 8px 14px; }
.stat dt { color: var(--muted); font-size: 13px; }
.stat dd { margin: 0; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.stat.warn dd { color: var(--fail); }
.stat.wide { grid-column: span 2; }
.stat dd .mono { font-size: 15px; font-weight: 500; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 6px 10px; text-align: left; vertical-align: top; }
th {
  font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em;
  color: var(--muted); border-bottom: 2px solid var(--border); white-space: nowrap;
}
td { border-bottom: 1px solid var(--border); }
tbody tr:nth-child(even) { background: var(--zebra); }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.label { white-space: nowrap; }
/* Numbers and labels take only the room they need; prose and examples share the rest. */
td.num, td.label { width: 1%; }
.module { display: block; white-space: nowrap; }
.operation, .message { display: block; color: var(--muted); font-size: 13px; }
.meaning { display: block; }
code, .mono {
  font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono",
    monospace;
  font-size: 13px;
}
td.example { width: 42%; }
.where { display: block; color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.line {
  display: block; margin-top: 2px; padding: 3px 6px; border-radius: 4px; background: var(--code-bg);
  white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px;
}
.path { overflow-wrap: anywhere; }
.badge {
  display: inline-block; min-width: 3.6em; padding: 1px 8px; border-radius: 999px; color: #fff;
  font-size: 12px; font-weight: 700; text-align: center; letter-spacing: 0.04em;
}
.badge.pass { background: var(--pass); }
.badge.fail { background: var(--fail); }
.badge.new { background: var(--accent); min-width: 0; font-size: 11px; margin-left: 6px; }
.up { color: var(--fail); }
.down { color: var(--pass); }
.error { color: var(--fail); }
.skipped { color: var(--muted); }
ul.codes { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 6px 14px; }
svg.chart { display: block; width: 100%; height: auto; }
svg.chart text { fill: var(--fg); font-size: 12px; }
svg.chart text.muted { fill: var(--muted); font-size: 11px; }
svg.chart tspan.muted { fill: var(--muted); }
svg.chart .axis { stroke: var(--muted); stroke-width: 1; }
svg.chart .grid { stroke: var(--border); stroke-width: 1; }
svg.chart .hit { fill: transparent; }
svg.chart g.column:hover .hit, svg.chart g.bar:hover .hit { fill: var(--zebra); }
ul.legend {
  list-style: none; padding: 0; margin: 10px 0 0; display: flex; flex-wrap: wrap; gap: 4px 16px;
  font-size: 13px;
}
.swatch {
  display: inline-block; width: 11px; height: 11px; border-radius: 3px; margin-right: 6px;
  vertical-align: -1px;
}
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
"#;

/// Writes the report as one HTML page.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">")?;
    writeln!(out, "<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">"
    )?;
    writeln!(out, "<meta name=\"referrer\" content=\"no-referrer\">")?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<title>jmlog report: {} in {}</title>",
        plural(t.codes + t.unknown_codes, "error code", "error codes"),
        plural(t.files, "input", "inputs")
    )?;
    writeln!(out, "<style>{STYLE}{}</style>", module_styles())?;
    writeln!(out, "</head>")?;
    writeln!(out, "<body>")?;
    writeln!(out, "<main>")?;
    header(report, out)?;
    summary(report, out)?;
    if !report.gates.is_empty() {
        gates(report, out)?;
    }
    if report.baseline.is_some() {
        baseline(report, out)?;
    }
    modules(report, out)?;
    if let Some(h) = &report.histogram {
        histogram(report, h, out)?;
    }
    top_codes(report, out)?;
    codes(report, out)?;
    if !report.unknown_codes.is_empty() {
        unknown_codes(report, out)?;
    }
    inputs_with_codes(report, out)?;
    inputs(report, out)?;
    writeln!(
        out,
        "<footer>Made by jmlog · report schema {}</footer>",
        text(&report.schema)
    )?;
    writeln!(out, "</main>")?;
    writeln!(out, "</body>")?;
    writeln!(out, "</html>")
}

/// `text` with the characters HTML gives a meaning to replaced by entities: safe in element text
/// and in quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A string from a log or the report, ready to put in the page: invisible and control characters
/// made visible, then escaped.
fn text(raw: &str) -> String {
    escape(&sanitize(raw, TEXT_CHARS))
}

/// One CSS class per module rank (`m0`, `m1`, …) and one for unknown codes (`mu`), colouring SVG
/// shapes and legend swatches alike, so the page needs no inline styles.
fn module_styles() -> String {
    let mut css = String::new();
    for (i, color) in PALETTE.iter().enumerate() {
        css.push_str(&format!(
            ".m{i} {{ fill: {color}; background: {color}; }}\n"
        ));
    }
    css.push_str(&format!(
        ".mu {{ fill: {UNKNOWN_COLOR}; background: {UNKNOWN_COLOR}; }}\n"
    ));
    css
}

/// The colour class of a module: by its rank in the report, or by its place among all modules for
/// one the report does not list.
fn module_class(report: &Report, module: Module) -> String {
    let rank = report
        .modules
        .iter()
        .position(|m| m.module == module)
        .or_else(|| Module::ALL.iter().position(|&m| m == module))
        .unwrap_or(0);
    format!("m{}", rank % PALETTE.len())
}

fn header(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    writeln!(out, "<header>")?;
    writeln!(out, "<h1>jmlog report</h1>")?;
    writeln!(
        out,
        "<p>JMessage error codes found in {} ({} of text, {} lines).</p>",
        plural(t.files, "input", "inputs"),
        human_bytes(t.bytes),
        group_digits(t.lines)
    )?;
    let mut links = vec![("summary", "Summary")];
    if !report.gates.is_empty() {
        links.push(("gates", "CI gates"));
    }
    if report.baseline.is_some() {
        links.push(("baseline", "Baseline"));
    }
    links.push(("modules", "Modules"));
    if report.histogram.is_some() {
        links.push(("histogram", "Over time"));
    }
    links.push(("top-codes", "Top codes"));
    links.push(("codes", "All codes"));
    if !report.unknown_codes.is_empty() {
        links.push(("unknown-codes", "Unknown codes"));
    }
    links.push(("inputs", "Inputs"));
    write!(out, "<nav>")?;
    for (id, name) in links {
        write!(out, "<a href=\"#{id}\">{name}</a>")?;
    }
    writeln!(out, "</nav>")?;
    writeln!(out, "</header>")
}

fn summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    let failed = report.failed_inputs().count() as u64;
    writeln!(out, "<section id=\"summary\">")?;
    writeln!(out, "<h2>Summary</h2>")?;
    writeln!(out, "<dl class=\"stats\">")?;
    let mut stat = |name: &str, value: String, class: &str| {
        writeln!(
            out,
            "<div class=\"stat{class}\"><dt>{name}</dt><dd>{value}</dd></div>"
        )
    };
    stat("Inputs", group_digits(t.files), "")?;
    if failed > 0 {
        stat("Could not be read", group_digits(failed), " warn")?;
    }
    stat("Text", human_bytes(t.bytes), "")?;
    stat("Lines", group_digits(t.lines), "")?;
    stat("Lines with codes", group_digits(t.code_lines), "")?;
    stat("Known codes", group_digits(t.codes), "")?;
    stat("Unknown codes", group_digits(t.unknown_codes), "")?;
    stat("Mode", text(&report.mode), "")?;
    for (name, time) in [("Since", &report.since), ("Until", &report.until)] {
        if let Some(time) = time {
            let value = format!("<span class=\"mono\">{}</span>", text(time));
            stat(name, value, " wide")?;
        }
    }
    writeln!(out, "</dl>")?;
    let mut notes = Vec::new();
    if report.mode == "loose" {
        notes.push("Loose mode: every catalog code counts, whatever its context.");
    }
    if report.since.is_some() || report.until.is_some() {
        notes.push("Only lines of a known time inside the window were counted.");
    }
    if !notes.is_empty() {
        writeln!(out, "<p class=\"note\">{}</p>", notes.join(" "))?;
    }
    writeln!(out, "</section>")
}

fn gates(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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

fn baseline(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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
    if b.new_codes.is_empty() {
        writeln!(out, "<p class=\"note\">No code is new.</p>")?;
    } else {
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

fn modules(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<section id=\"modules\">")?;
    writeln!(
        out,
        "<h2>Modules <span class=\"count\">({})</span></h2>",
        report.modules.len()
    )?;
    if report.modules.is_empty() {
        writeln!(out, "<p>No JMessage error codes found.</p>")?;
        return writeln!(out, "</section>");
    }
    let bars: Vec<Bar> = report
        .modules
        .iter()
        .map(|m| {
            let mut value = format!("{} · {}", group_digits(m.count), percent(m.share));
            if let Some(c) = m.change {
                value.push_str(&format!(" · {}", signed(c)));
            }
            Bar {
                label: m.module.to_string(),
                note: String::new(),
                value: m.count,
                value_text: value,
                class: module_class(report, m.module),
                title: format!(
                    "{}: {} ({}), {}",
                    m.module,
                    plural(m.count, "occurrence", "occurrences"),
                    percent(m.share),
                    plural(m.distinct, "distinct code", "distinct codes")
                ),
            }
        })
        .collect();
    bar_chart(
        "Known-code occurrences per module",
        "chart-modules",
        130.0,
        &bars,
        out,
    )?;
    writeln!(out, "</section>")
}

fn top_codes(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let shown = report.codes.len().min(TOP_CODES);
    writeln!(out, "<section id=\"top-codes\">")?;
    if shown < report.codes.len() {
        writeln!(
            out,
            "<h2>Top codes <span class=\"count\">({shown} of {})</span></h2>",
            report.codes.len()
        )?;
    } else {
        writeln!(out, "<h2>Top codes</h2>")?;
    }
    if shown == 0 {
        writeln!(out, "<p>No known codes found.</p>")?;
        return writeln!(out, "</section>");
    }
    let bars: Vec<Bar> = report.codes[..shown]
        .iter()
        .map(|c| Bar {
            label: c.code.to_string(),
            note: c.module.to_string(),
            value: c.count,
            value_text: format!("{} · {}", group_digits(c.count), percent(c.share)),
            class: module_class(report, c.module),
            title: format!(
                "{} ({}): {} {} ({})",
                c.code,
                c.module,
                c.meaning,
                plural(c.count, "occurrence", "occurrences"),
                percent(c.share)
            ),
        })
        .collect();
    bar_chart(
        "The most frequent known codes",
        "chart-top-codes",
        170.0,
        &bars,
        out,
    )?;
    writeln!(out, "</section>")
}

fn codes(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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
                "<span class=\"module\"><span class=\"swatch {}\"></span>{}</span>\
                 <span class=\"operation\">{}</span>",
                module_class(report, c.module),
                c.module,
                text(&c.operation)
            ),
            format!(
                "<span class=\"meaning\">{}</span>{message}",
                text(&c.meaning)
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

fn unknown_codes(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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
    for u in &report.unknown_codes {
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
    writeln!(out, "</section>")
}

fn inputs(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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
            (None, None) => "ok".to_owned(),
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
fn inputs_with_codes(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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

/// Codes per bucket as columns stacked by module (unknown codes on top), with the bucket labels
/// below, a value axis on the left and a legend under the chart.
fn histogram(report: &Report, h: &Histogram, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<section id=\"histogram\">")?;
    writeln!(
        out,
        "<h2>Codes per {} <span class=\"count\">({})</span></h2>",
        h.bucket.name(),
        text(&h.tz)
    )?;
    if h.series.is_empty() {
        writeln!(out, "<p>No dated lines with codes.</p>")?;
        undated_note(h, out)?;
        return writeln!(out, "</section>");
    }

    const WIDTH: f64 = 1000.0;
    const LEFT: f64 = 76.0;
    const RIGHT: f64 = 12.0;
    const TOP: f64 = 12.0;
    const PLOT: f64 = 260.0;
    const BOTTOM: f64 = 104.0;
    let n = h.series.len();
    let pitch = (WIDTH - LEFT - RIGHT) / n as f64;
    // Columns have a gap between them while there is room for one.
    let column = if pitch >= 4.0 { pitch * 0.78 } else { pitch };
    let max = h
        .series
        .iter()
        .map(|b| b.total + b.unknown)
        .max()
        .unwrap_or(0);
    let (step, top) = axis(max);
    let scale = PLOT / top as f64;
    let base = TOP + PLOT;
    let height = TOP + PLOT + BOTTOM;
    let title = format!(
        "Known and unknown code occurrences per {} in {}, stacked by module",
        h.bucket.name(),
        h.tz
    );
    writeln!(
        out,
        "<svg class=\"chart\" id=\"chart-histogram\" role=\"img\" aria-label=\"{}\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\">",
        text(&title)
    )?;
    writeln!(out, "<title>{}</title>", text(&title))?;

    let mut tick = 0;
    while tick <= top {
        let y = base - tick as f64 * scale;
        let class = if tick == 0 { "axis" } else { "grid" };
        writeln!(
            out,
            "<line class=\"{class}\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"muted\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 8.0,
            y + 4.0,
            group_digits(tick)
        )?;
        tick += step;
    }

    let has_unknown = h.series.iter().any(|b| b.unknown > 0);
    for (i, b) in h.series.iter().enumerate() {
        let x = LEFT + i as f64 * pitch + (pitch - column) / 2.0;
        let mut parts = Vec::new();
        for m in &report.modules {
            if let Some(&n) = b.modules.get(&m.module).filter(|&&n| n > 0) {
                parts.push((m.module.to_string(), module_class(report, m.module), n));
            }
        }
        // A module the report does not list cannot happen today; drawing it keeps the column true.
        for (&module, &n) in &b.modules {
            if n > 0 && !report.modules.iter().any(|m| m.module == module) {
                parts.push((module.to_string(), module_class(report, module), n));
            }
        }
        if b.unknown > 0 {
            parts.push(("unknown".to_owned(), "mu".to_owned(), b.unknown));
        }
        let breakdown: Vec<String> = parts
            .iter()
            .map(|(name, _, n)| format!("{name} {}", group_digits(*n)))
            .collect();
        let tip = if breakdown.is_empty() {
            format!("{}: no codes", b.label)
        } else {
            format!(
                "{}: {} ({})",
                b.label,
                plural(b.total + b.unknown, "code", "codes"),
                breakdown.join(", ")
            )
        };
        writeln!(out, "<g class=\"column\"><title>{}</title>", text(&tip))?;
        writeln!(
            out,
            "<rect class=\"hit\" x=\"{:.2}\" y=\"{TOP}\" width=\"{pitch:.2}\" height=\"{PLOT}\"/>",
            LEFT + i as f64 * pitch
        )?;
        let mut y = base;
        for (_, class, n) in &parts {
            let h = *n as f64 * scale;
            y -= h;
            writeln!(
                out,
                "<rect class=\"{class}\" x=\"{x:.2}\" y=\"{y:.2}\" width=\"{column:.2}\" \
                 height=\"{h:.2}\"/>"
            )?;
        }
        writeln!(out, "</g>")?;
    }

    // Labels slant so that long ones fit; with many buckets only every few get one.
    let every = (n as f64 / ((WIDTH - LEFT - RIGHT) / 18.0)).ceil().max(1.0) as usize;
    for (i, b) in h.series.iter().enumerate().step_by(every) {
        let x = LEFT + (i as f64 + 0.5) * pitch;
        let y = base + 14.0;
        writeln!(
            out,
            "<text class=\"muted\" x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"end\" \
             transform=\"rotate(-40 {x:.1} {y:.1})\">{}</text>",
            text(&b.label)
        )?;
    }
    writeln!(out, "</svg>")?;

    write!(out, "<ul class=\"legend\">")?;
    for m in &report.modules {
        if h.series.iter().any(|b| b.modules.contains_key(&m.module)) {
            write!(
                out,
                "<li><span class=\"swatch {}\"></span>{}</li>",
                module_class(report, m.module),
                m.module
            )?;
        }
    }
    if has_unknown {
        write!(
            out,
            "<li><span class=\"swatch mu\"></span>unknown codes</li>"
        )?;
    }
    writeln!(out, "</ul>")?;
    undated_note(h, out)?;
    writeln!(out, "</section>")
}

fn undated_note(h: &Histogram, out: &mut dyn Write) -> io::Result<()> {
    if h.undated == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "<p class=\"note\">{} on lines without a time (no timestamp on or above them) are not \
         shown.</p>",
        plural(h.undated, "code", "codes")
    )
}

/// A value axis for counts up to `max`: a round step (1, 2 or 5 times a power of ten) giving at
/// most five intervals, and the top of the axis, a multiple of the step at or above `max`.
fn axis(max: u64) -> (u64, u64) {
    let max = max.max(1);
    let mut magnitude = 1u64;
    loop {
        for step in [magnitude, 2 * magnitude, 5 * magnitude] {
            if max.div_ceil(step) <= 5 {
                return (step, max.div_ceil(step) * step);
            }
        }
        magnitude *= 10;
    }
}

/// One bar of a horizontal bar chart.
struct Bar {
    /// Plain text; escaped when drawn.
    label: String,
    /// Plain text shown dimmed after the label (may be empty).
    note: String,
    value: u64,
    /// Plain text shown after the bar.
    value_text: String,
    /// The colour class.
    class: String,
    /// Plain text shown on hover.
    title: String,
}

/// Horizontal bars, one row each: the label right-aligned in a column of `label_width`, the bar
/// scaled to the largest value, and the value after it.
fn bar_chart(
    title: &str,
    id: &str,
    label_width: f64,
    bars: &[Bar],
    out: &mut dyn Write,
) -> io::Result<()> {
    const WIDTH: f64 = 1000.0;
    const ROW: f64 = 28.0;
    const BAR: f64 = 18.0;
    // Room after the longest bar for its value.
    const VALUE_ROOM: f64 = 170.0;
    let height = bars.len() as f64 * ROW + 8.0;
    let span = WIDTH - label_width - VALUE_ROOM;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    writeln!(
        out,
        "<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-label=\"{}\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\">",
        text(title)
    )?;
    writeln!(out, "<title>{}</title>", text(title))?;
    writeln!(
        out,
        "<line class=\"axis\" x1=\"{label_width}\" x2=\"{label_width}\" y1=\"2\" y2=\"{}\"/>",
        height - 2.0
    )?;
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + i as f64 * ROW;
        let w = (b.value as f64 / max as f64 * span).max(1.0);
        let text_y = y + ROW / 2.0 + 4.0;
        writeln!(out, "<g class=\"bar\"><title>{}</title>", text(&b.title))?;
        writeln!(
            out,
            "<rect class=\"hit\" x=\"0\" y=\"{y:.1}\" width=\"{WIDTH}\" height=\"{ROW}\"/>"
        )?;
        let note = if b.note.is_empty() {
            String::new()
        } else {
            format!(" <tspan class=\"muted\">{}</tspan>", text(&b.note))
        };
        writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{text_y:.1}\" text-anchor=\"end\">{}{note}</text>",
            label_width - 10.0,
            text(&b.label)
        )?;
        writeln!(
            out,
            "<rect class=\"{}\" x=\"{label_width}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{BAR}\" \
             rx=\"3\"/>",
            b.class,
            y + (ROW - BAR) / 2.0
        )?;
        writeln!(
            out,
            "<text class=\"muted\" x=\"{:.1}\" y=\"{text_y:.1}\">{}</text>",
            label_width + w + 8.0,
            text(&b.value_text)
        )?;
        writeln!(out, "</g>")?;
    }
    writeln!(out, "</svg>")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::extract::{Extractor, Mode};
    use crate::histogram::Unit;
    use crate::report::{
        Baseline, BuildOptions, GateResult, ReportBuilder, ScannedInput, VanishedRow,
    };
    use crate::tally::Tally;
    use jiff::Timestamp;
    use jiff::tz::TimeZone;

    const HOSTILE: &str = "login failed code=801004 <script>alert(\"x\")</script>";
    const ATTRIBUTE: &str = "send failed, error code: 803008 \"><img src=x onerror=alert(1)>";
    const CONTROLS: &str = "upload failed errorCode=871310 \x1b[31mred\x1b[0m \u{202E}txt.exe";

    /// A report of the lines as one input named `path`, each line at its time, counted by day in
    /// UTC like `jmlog analyze --by day --tz UTC` does.
    fn report_of(path: &str, lines: &[(&str, &str)]) -> Report {
        let extractor = Extractor::new(Catalog::builtin(), Mode::Strict);
        let mut tally = Tally::default();
        for (i, (time, line)) in lines.iter().enumerate() {
            let mut hits = Vec::new();
            extractor.line_hits(line.as_bytes(), &mut hits);
            let secs = time.parse::<Timestamp>().unwrap().as_second();
            tally.record_at(i as u64, line.as_bytes(), &hits, Some(secs));
            tally.lines += 1;
            tally.bytes += line.len() as u64 + 1;
        }
        let read_bytes = tally.bytes;
        let mut builder = ReportBuilder::new();
        builder.add_scanned(
            path,
            ScannedInput {
                tally,
                encoding: "plain",
                read_bytes,
                binary: false,
                skipped: None,
                error: None,
            },
        );
        builder.add_failed("missing.log", "No such file or directory".to_owned());
        let options = BuildOptions {
            histogram: Some((Unit::Day, TimeZone::UTC, "UTC".to_owned())),
            ..BuildOptions::default()
        };
        builder.build(Catalog::builtin(), &options).unwrap()
    }

    fn hostile_report() -> Report {
        report_of(
            "logs/<b>app</b>.log",
            &[
                ("2026-11-02T09:00:00Z", HOSTILE),
                ("2026-11-02T10:00:00Z", "login failed code=801004"),
                ("2026-11-04T08:30:00Z", ATTRIBUTE),
                ("2026-11-04T08:31:00Z", CONTROLS),
                ("2026-11-04T08:32:00Z", "request failed, error code: 899999"),
            ],
        )
    }

    fn html(report: &Report) -> String {
        let mut out = Vec::new();
        render(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            escape(r#"<a href="x" title='y'>&amp;</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
        );
        assert_eq!(escape("错误码：801003 plain"), "错误码：801003 plain");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn log_text_is_made_visible_then_escaped() {
        assert_eq!(
            text("a\x1b[31m<b>\u{202E}"),
            "a\\u{1b}[31m&lt;b&gt;\\u{202e}"
        );
    }

    #[test]
    fn hostile_log_text_stays_text() {
        let report = hostile_report();
        assert!(report.codes.iter().any(|c| c.example.text == HOSTILE));
        let page = html(&report);
        assert!(!page.contains("<script"), "a script element");
        assert!(!page.contains("<img"), "an img element");
        assert!(!page.contains("<b>"), "markup from a path");
        assert!(!page.contains('\x1b') && !page.contains('\u{202E}'));
        assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
        assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
        assert!(page.contains("\\u{1b}[31mred"));
        assert!(page.contains("logs/&lt;b&gt;app&lt;/b&gt;.log:1"));
    }

    #[test]
    fn loads_nothing() {
        let page = html(&hostile_report());
        assert!(page.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'; img-src data:\">"
        ));
        for needle in [
            "http://", "https://", "src=\"", "src='", "//cdn", "url(", "@import", "<link",
            "<script", "<iframe", "<object", "<embed",
        ] {
            assert!(!page.contains(needle), "the page holds {needle:?}");
        }
        // Links only jump within the page.
        for (i, _) in page.match_indices("href=\"") {
            assert_eq!(&page[i + 6..i + 7], "#", "{}", &page[i..i + 40]);
        }
    }

    #[test]
    fn draws_charts_for_modules_top_codes_and_the_histogram() {
        let page = html(&hostile_report());
        for id in ["chart-modules", "chart-top-codes", "chart-histogram"] {
            let start = page
                .find(&format!(
                    "<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-label=\""
                ))
                .unwrap_or_else(|| panic!("no {id}"));
            let svg = &page[start..start + page[start..].find("</svg>").unwrap()];
            assert!(svg.contains("<title>"), "{id} has no title");
            assert!(svg.contains("<rect class=\"m0\""), "{id} has no bar");
        }
        // The histogram: three days (one empty), the unknown code on top, its legend.
        assert!(page.contains("<title>2026-11-02 Mon: 2 codes (login 2)</title>"));
        assert!(page.contains("<title>2026-11-03 Tue: no codes</title>"));
        assert!(page.contains("2026-11-04 Wed: 3 codes ("));
        assert!(page.contains("unknown 1)</title>"));
        assert!(page.contains("<span class=\"swatch mu\"></span>unknown codes"));
        // The tables: every code with its example, the unknown one, every input.
        assert!(
            page.contains("<tr id=\"code-801004\"><td class=\"label\"><code>801004</code></td>")
        );
        assert!(page.contains("<td class=\"label\"><code>899999</code></td>"));
        assert!(page.contains("missing.log"));
        assert!(page.contains("error: No such file or directory"));
        assert!(!page.contains("Previous") && !page.contains("id=\"gates\""));
    }

    #[test]
    fn shows_the_baseline_and_gates_when_present() {
        let mut report = hostile_report();
        for c in &mut report.codes {
            let previous = if c.code == 801004 { 5 } else { 0 };
            c.previous = Some(previous);
            c.change = Some(c.count as i64 - previous as i64);
        }
        report.baseline = Some(Baseline {
            path: "base<1>.json".to_owned(),
            codes: 6,
            new_codes: vec![803008, 871310],
            vanished: vec![VanishedRow {
                code: 812345,
                previous: 1,
                module: Module::Groups,
                meaning: "Gone <now>".to_owned(),
            }],
        });
        report.gates = vec![
            GateResult {
                gate: "login<=5".to_owned(),
                tripped: false,
                detail: "2 login errors (limit 5)".to_owned(),
            },
            GateResult {
                gate: "new".to_owned(),
                tripped: true,
                detail: "2 new codes".to_owned(),
            },
        ];
        let page = html(&report);
        assert!(page.contains("<section id=\"gates\">"));
        assert!(page.contains("(1 of 2 failed)"));
        assert!(page.contains(
            "<span class=\"badge pass\">PASS</span></td><td class=\"label\"><code>login&lt;=5"
        ));
        assert!(page.contains(
            "<span class=\"badge fail\">FAIL</span></td><td class=\"label\"><code>new</code>"
        ));
        assert!(page.contains("<section id=\"baseline\">"));
        assert!(page.contains("base&lt;1&gt;.json"));
        assert!(page.contains("<a class=\"mono\" href=\"#code-803008\">803008</a>"));
        assert!(
            page.contains("<td class=\"label\"><code>812345</code></td><td class=\"num\">1</td>")
        );
        assert!(page.contains("Gone &lt;now&gt;"));
        assert!(page.contains("<th class=\"num\">Previous</th><th class=\"num\">Change</th>"));
        assert!(page.contains(
            "<td class=\"num\">5</td><td class=\"num\"><span class=\"down\">-3</span></td>"
        ));
        assert!(page.contains("<span class=\"badge new\">NEW</span>"));
    }

    #[test]
    fn an_empty_report_still_renders() {
        let report = report_of("quiet.log", &[("2026-11-02T09:00:00Z", "all good")]);
        let page = html(&report);
        assert!(page.contains("No JMessage error codes found."));
        assert!(page.contains("No dated lines with codes."));
        assert!(page.ends_with("</html>\n"));
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(html(&hostile_report()), html(&hostile_report()));
    }

    #[test]
    fn axes_have_round_steps() {
        assert_eq!(axis(0), (1, 1));
        assert_eq!(axis(3), (1, 3));
        assert_eq!(axis(7), (2, 8));
        assert_eq!(axis(10), (2, 10));
        assert_eq!(axis(23), (5, 25));
        assert_eq!(axis(183), (50, 200));
        assert_eq!(axis(1000), (200, 1000));
    }

    #[test]
    fn every_module_has_its_own_colour() {
        let mut colours = PALETTE.to_vec();
        colours.push(UNKNOWN_COLOR);
        colours.sort_unstable();
        colours.dedup();
        assert_eq!(colours.len(), Module::ALL.len() + 1);
    }
}
