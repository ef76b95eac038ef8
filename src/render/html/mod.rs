//! The HTML report: one self-contained page that opens offline and can be attached to a ticket.
//!
//! The page holds its own stylesheet and draws its charts as inline SVG; it loads nothing (no
//! scripts, fonts, images or stylesheets from anywhere), and its Content-Security-Policy forbids
//! loading anything, so a report that slipped past the escaping still could not run code or call
//! home. Log text is untrusted: every string from a log or the report goes through [`escape`]
//! (after [`sanitize`], which makes control, bidi and invisible characters visible), in text and in
//! attributes alike. The output depends only on the report, so it can be compared byte for byte.

mod charts;
mod style;
mod tables;

use std::io::{self, Write};

use super::markup;
use super::numbers::{self, group_digits, human_bytes, plural};
use super::terminal::sanitize;
use crate::catalog::Module;
use crate::report::Report;
use charts::{histogram, modules, top_codes};
use jiff::ZonedDateTime as Zoned;
use style::{STYLE, module_styles};
use tables::{baseline, codes, gates, inputs, inputs_with_codes, unknown_codes};

/// The most characters of a string from a log shown; example lines are at most 1 KiB anyway.
const TEXT_CHARS: usize = 2048;

/// How many codes the "Top codes" chart shows.
pub(super) const TOP_CODES: usize = 10;

/// Writes the report as one HTML page; `generated` is the time the header says it was made, and
/// `top` bounds the list of unknown codes (0: all).
pub fn render(
    report: &Report,
    generated: &Zoned,
    top: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
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
    writeln!(out, "<title>jmlog report: {}</title>", numbers::headline(t))?;
    writeln!(out, "<style>{STYLE}{}</style>", module_styles())?;
    writeln!(out, "</head>")?;
    writeln!(out, "<body>")?;
    writeln!(out, "<main>")?;
    header(report, generated, out)?;
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
        unknown_codes(report, top, out)?;
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
pub(super) fn text(raw: &str) -> String {
    escape(&sanitize(raw, TEXT_CHARS))
}

/// The colour class of a module: the same in every report.
pub(super) fn module_class(module: Module) -> String {
    format!("m-{}", module.name())
}

/// How many input paths the header names before "and N more" (the inputs table lists them all).
const HEADER_INPUTS: usize = 3;

/// The title, the totals, and what the report is of: when and by which jmlog it was made, the
/// time the dated codes span, the window applied, and the inputs.
fn header(report: &Report, generated: &Zoned, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    writeln!(out, "<header>")?;
    writeln!(out, "<h1>jmlog report</h1>")?;
    writeln!(out, "<p class=\"headline\">{}.</p>", numbers::headline(t))?;
    writeln!(out, "<dl class=\"meta\">")?;
    let mut meta =
        |name: &str, value: String| writeln!(out, "<div><dt>{name}</dt><dd>{value}</dd></div>");
    let zone = generated.time_zone().iana_name().unwrap_or("");
    meta(
        "Generated",
        format!(
            "<time datetime=\"{}\">{}</time>",
            generated.strftime("%Y-%m-%dT%H:%M:%S%:z"),
            text(format!("{} {zone}", generated.strftime("%Y-%m-%d %H:%M:%S %:z")).trim_end())
        ),
    )?;
    meta("By", format!("jmlog {}", text(env!("CARGO_PKG_VERSION"))))?;
    let dated = match &report.histogram {
        Some(h) => match (h.series.first(), h.series.last()) {
            (Some(first), Some(last)) => format!(
                "<time datetime=\"{}\">{}</time> to <time datetime=\"{}\">{}</time> \
                 ({} buckets, {})",
                text(&first.start),
                text(&first.label),
                text(&last.end),
                text(&last.label),
                h.bucket.name(),
                text(&h.tz)
            ),
            _ => "no dated lines with codes".to_owned(),
        },
        None => "not dated (<code>--by</code> dates them)".to_owned(),
    };
    meta("Codes dated", dated)?;
    let window = match (&report.since, &report.until) {
        (None, None) => "none: every line counted".to_owned(),
        (since, until) => format!(
            "<span class=\"mono\">{}</span> to <span class=\"mono\">{}</span>",
            since
                .as_deref()
                .map(text)
                .unwrap_or_else(|| "the beginning".to_owned()),
            until
                .as_deref()
                .map(text)
                .unwrap_or_else(|| "the end".to_owned())
        ),
    };
    meta("Window", window)?;
    let mut names: Vec<String> = report
        .inputs
        .iter()
        .take(HEADER_INPUTS)
        .map(|i| format!("<span class=\"mono path\">{}</span>", text(&i.path)))
        .collect();
    if report.inputs.len() > HEADER_INPUTS {
        names.push(format!(
            "<a href=\"#inputs\">{} more</a>",
            group_digits((report.inputs.len() - HEADER_INPUTS) as u64)
        ));
    }
    meta(
        "Inputs",
        format!(
            "{} ({}, {}): {}",
            plural(report.inputs.len() as u64, "input", "inputs"),
            human_bytes(t.bytes),
            plural(t.lines, "line", "lines"),
            names.join(", ")
        ),
    )?;
    writeln!(out, "</dl>")?;
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
    let skipped = super::skipped_inputs(report);
    stat("Inputs", group_digits(t.files - skipped.min(t.files)), "")?;
    if skipped > 0 {
        stat("Skipped", group_digits(skipped), " warn")?;
    }
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
    let window = report.window_note().map(|note| text(&note));
    if let Some(note) = &window {
        notes.push(note);
    }
    if !notes.is_empty() {
        writeln!(out, "<p class=\"note\">{}</p>", notes.join(" "))?;
    }
    writeln!(out, "</section>")
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
        let generated = "2026-12-01T10:00:00+08:00[Asia/Shanghai]"
            .parse::<Zoned>()
            .unwrap();
        render(report, &generated, 0, &mut out).unwrap();
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
        for (class, id) in [
            ("chart wide", "chart-modules"),
            ("chart narrow", "chart-modules-narrow"),
            ("chart wide", "chart-top-codes"),
            ("chart narrow", "chart-top-codes-narrow"),
            ("chart", "chart-histogram"),
        ] {
            let start = page
                .find(&format!(
                    "<svg class=\"{class}\" id=\"{id}\" role=\"img\" aria-label=\""
                ))
                .unwrap_or_else(|| panic!("no {id}"));
            let svg = &page[start..start + page[start..].find("</svg>").unwrap()];
            assert!(svg.contains("<title>"), "{id} has no title");
            assert!(svg.contains("<rect class=\"m-login\""), "{id} has no bar");
        }
        // The histogram: three days (one empty), the unknown code on top, its legend.
        assert!(page.contains("<title>2026-11-02 Mon: 2 codes (login 2)</title>"));
        assert!(page.contains("<title>2026-11-03 Tue: no codes</title>"));
        assert!(page.contains("2026-11-04 Wed: 3 codes ("));
        assert!(page.contains("unknown 1)</title>"));
        assert!(page.contains("<span class=\"swatch key mu\">?</span>unknown codes"));
        // The tables: every code with its example, the unknown one, every input.
        assert!(
            page.contains("<tr id=\"code-801004\"><td class=\"label\" data-label=\"Code\"><code>801004</code></td>")
        );
        assert!(page.contains("<td class=\"label\" data-label=\"Code\"><code>899999</code></td>"));
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
            new_unknown_codes: Vec::new(),
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
            "<span class=\"badge pass\">PASS</span></td><td class=\"label\" data-label=\"Gate\"><code>login&lt;=5"
        ));
        assert!(page.contains(
            "<span class=\"badge fail\">FAIL</span></td><td class=\"label\" data-label=\"Gate\"><code>new</code>"
        ));
        assert!(page.contains("<section id=\"baseline\">"));
        assert!(page.contains("base&lt;1&gt;.json"));
        assert!(page.contains("<a class=\"mono\" href=\"#code-803008\">803008</a>"));
        assert!(page.contains(
            "<td class=\"label\" data-label=\"Code\"><code>812345</code></td>\
             <td class=\"num\" data-label=\"Previous\">1</td>"
        ));
        assert!(page.contains("Gone &lt;now&gt;"));
        assert!(page.contains("<th class=\"num\">Previous</th><th class=\"num\">Change</th>"));
        assert!(page.contains(
            "<td class=\"num\" data-label=\"Previous\">5</td>\
             <td class=\"num\" data-label=\"Change\"><span class=\"down\">-3</span></td>"
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
    fn the_header_says_when_by_what_and_of_what() {
        let page = html(&hostile_report());
        assert!(
            page.contains(
                "<title>jmlog report: 4 known codes and 1 unknown code on 5 lines</title>"
            )
        );
        assert!(
            page.contains("<p class=\"headline\">4 known codes and 1 unknown code on 5 lines.</p>")
        );
        assert!(page.contains(
            "<dt>Generated</dt><dd><time datetime=\"2026-12-01T10:00:00+08:00\">\
             2026-12-01 10:00:00 +08:00 Asia/Shanghai</time></dd>"
        ));
        assert!(page.contains(&format!(
            "<dt>By</dt><dd>jmlog {}</dd>",
            env!("CARGO_PKG_VERSION")
        )));
        assert!(page.contains(
            "<dt>Codes dated</dt><dd><time datetime=\"2026-11-02T00:00:00+00:00\">2026-11-02 Mon\
             </time> to <time datetime=\"2026-11-05T00:00:00+00:00\">2026-11-04 Wed</time> \
             (day buckets, UTC)</dd>"
        ));
        assert!(page.contains("<dt>Window</dt><dd>none: every line counted</dd>"));
        assert!(page.contains(
            "<dt>Inputs</dt><dd>2 inputs (231 B, 5 lines): <span class=\"mono path\">\
             logs/&lt;b&gt;app&lt;/b&gt;.log</span>, <span class=\"mono path\">missing.log</span>\
             </dd>"
        ));
        let mut windowed = hostile_report();
        windowed.since = Some("2026-11-01T00:00:00+00:00".to_owned());
        assert!(html(&windowed).contains(
            "<dt>Window</dt><dd><span class=\"mono\">2026-11-01T00:00:00+00:00</span> to \
             <span class=\"mono\">the end</span></dd>"
        ));
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(html(&hostile_report()), html(&hostile_report()));
    }
}
