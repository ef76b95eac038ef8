//! The charts: horizontal bars (modules, top codes) and the histogram's stacked columns, drawn as
//! inline SVG. Every label goes through [`text`].

use std::io::{self, Write};

use super::numbers::{group_digits, percent, plural, signed};
use super::{TOP_CODES, module_class, text};
use crate::histogram::{Bucket, Histogram, Unit};
use crate::render::palette;
use crate::report::Report;

pub(super) fn modules(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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
                class: module_class(m.module),
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

pub(super) fn top_codes(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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
            class: module_class(c.module),
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
/// Codes per bucket as columns stacked by module (unknown codes on top), with the bucket labels
/// below, a value axis on the left and a legend under the chart.
pub(super) fn histogram(report: &Report, h: &Histogram, out: &mut dyn Write) -> io::Result<()> {
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
    writeln!(out, "<div class=\"chart-scroll\">")?;
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
                parts.push((m.module.to_string(), module_class(m.module), n));
            }
        }
        // A module the report does not list cannot happen today; drawing it keeps the column true.
        for (&module, &n) in &b.modules {
            if n > 0 && !report.modules.iter().any(|m| m.module == module) {
                parts.push((module.to_string(), module_class(module), n));
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

    // Labels slant so that long ones fit; with many buckets only every few get one, at least
    // LABEL_PITCH apart so that neighbours never overlap (their text is 11 high).
    const LABEL_PITCH: f64 = 28.0;
    let (every, first) = label_steps(h, (LABEL_PITCH / pitch).ceil().max(1.0) as usize);
    for (i, b) in h.series.iter().enumerate().skip(first).step_by(every) {
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
    writeln!(out, "</div>")?;

    write!(out, "<ul class=\"legend\">")?;
    for m in &report.modules {
        if h.series.iter().any(|b| b.modules.contains_key(&m.module)) {
            write!(
                out,
                "<li><span class=\"swatch key {}\">{}</span>{}</li>",
                module_class(m.module),
                palette::mark(m.module).letter,
                m.module
            )?;
        }
    }
    if has_unknown {
        write!(
            out,
            "<li><span class=\"swatch key mu\">?</span>unknown codes</li>"
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

/// Which buckets get an axis label: every `every`-th from `first`, at least `min_every` apart, on
/// round steps of the calendar (every 6 hours from midnight, every Monday, every 4 weeks…).
fn label_steps(h: &Histogram, min_every: usize) -> (usize, usize) {
    let steps: &[usize] = match h.bucket {
        Unit::Hour => &[1, 2, 3, 6, 12, 24, 48, 168, 336, 672],
        Unit::Day => &[1, 2, 7, 14, 28, 91, 182, 364],
        Unit::Week => &[1, 2, 4, 13, 26, 52, 104],
    };
    let largest = steps[steps.len() - 1];
    let every = steps
        .iter()
        .copied()
        .find(|&s| s >= min_every)
        .unwrap_or_else(|| min_every.div_ceil(largest) * largest);
    let aligned = |b: &Bucket| match h.bucket {
        // `start` is RFC 3339: the hour is at 11..13.
        Unit::Hour => b
            .start
            .get(11..13)
            .and_then(|hh| hh.parse::<usize>().ok())
            .is_some_and(|hour| hour % every.min(24) == 0),
        Unit::Day if every % 7 == 0 => b.label.ends_with(" Mon"),
        _ => true,
    };
    let first = h.series.iter().position(aligned).filter(|&i| i < every);
    (every, first.unwrap_or(0))
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
/// scaled to the largest value, and the value after it. A second, narrow drawing (label and value
/// above each bar) replaces it on small screens, where the wide one's text would shrink below
/// legibility.
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
        "<svg class=\"chart wide\" id=\"{id}\" role=\"img\" aria-label=\"{}\" \
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
    writeln!(out, "</svg>")?;
    narrow_bar_chart(title, id, bars, out)
}

/// The bars for a small screen: each row has the label on the left and the value on the right,
/// with the bar under them across the whole width.
fn narrow_bar_chart(title: &str, id: &str, bars: &[Bar], out: &mut dyn Write) -> io::Result<()> {
    const WIDTH: f64 = 400.0;
    const ROW: f64 = 38.0;
    const BAR: f64 = 11.0;
    let height = bars.len() as f64 * ROW + 4.0;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    writeln!(
        out,
        "<svg class=\"chart narrow\" id=\"{id}-narrow\" role=\"img\" aria-label=\"{}\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\">",
        text(title)
    )?;
    writeln!(out, "<title>{}</title>", text(title))?;
    for (i, b) in bars.iter().enumerate() {
        let y = 2.0 + i as f64 * ROW;
        let w = (b.value as f64 / max as f64 * WIDTH).max(1.0);
        writeln!(out, "<g class=\"bar\"><title>{}</title>", text(&b.title))?;
        let note = if b.note.is_empty() {
            String::new()
        } else {
            format!(" <tspan class=\"muted\">{}</tspan>", text(&b.note))
        };
        writeln!(
            out,
            "<text x=\"0\" y=\"{:.1}\">{}{note}</text>",
            y + 14.0,
            text(&b.label)
        )?;
        writeln!(
            out,
            "<text class=\"muted\" x=\"{WIDTH}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            y + 14.0,
            text(&b.value_text)
        )?;
        writeln!(
            out,
            "<rect class=\"{}\" x=\"0\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{BAR}\" rx=\"3\"/>",
            b.class,
            y + 20.0
        )?;
        writeln!(out, "</g>")?;
    }
    writeln!(out, "</svg>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buckets(unit: Unit, starts: &[(&str, &str)]) -> Histogram {
        Histogram {
            bucket: unit,
            tz: "UTC".to_owned(),
            undated: 0,
            series: starts
                .iter()
                .map(|(start, label)| Bucket {
                    label: (*label).to_owned(),
                    start: (*start).to_owned(),
                    end: String::new(),
                    total: 0,
                    unknown: 0,
                    modules: Default::default(),
                    codes: Default::default(),
                })
                .collect(),
        }
    }

    #[test]
    fn axis_labels_fall_on_round_times() {
        let hours: Vec<(String, String)> = (0..48)
            .map(|i| {
                let (d, hh) = (3 + (i + 21) / 24, (i + 21) % 24);
                (
                    format!("2026-11-{d:02}T{hh:02}:00:00+00:00"),
                    format!("{hh:02}:00"),
                )
            })
            .collect();
        let hours: Vec<(&str, &str)> = hours
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let h = buckets(Unit::Hour, &hours);
        // From 21:00, every 6 hours starts at midnight (the fourth bucket).
        assert_eq!(label_steps(&h, 5), (6, 3));
        assert_eq!(label_steps(&h, 1), (1, 0));
        // Every 3 hours starts at 21:00 itself.
        assert_eq!(label_steps(&h, 3), (3, 0));
        let days = buckets(
            Unit::Day,
            &[
                ("", "2026-11-06 Fri"),
                ("", "2026-11-07 Sat"),
                ("", "2026-11-08 Sun"),
                ("", "2026-11-09 Mon"),
            ],
        );
        assert_eq!(label_steps(&days, 5), (7, 3));
        assert_eq!(label_steps(&days, 2), (2, 0));
        let weeks = buckets(Unit::Week, &[("", "2026-W45"), ("", "2026-W46")]);
        assert_eq!(label_steps(&weeks, 3), (4, 0));
        assert_eq!(label_steps(&weeks, 200), (208, 0));
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
}
