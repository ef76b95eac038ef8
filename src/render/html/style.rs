//! The page's stylesheet and the module colours, as CSS classes so that the page needs no inline
//! styles (its Content-Security-Policy allows only the one inline stylesheet).

use crate::catalog::Module;
use crate::render::palette;

pub(super) const STYLE: &str = r#"
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
header p.headline { color: var(--fg); font-size: 17px; }
dl.meta {
  display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 14px;
  margin: 10px 0 0; font-size: 13px; color: var(--muted);
}
dl.meta div { display: contents; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
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
/* Bar charts come in two drawings: the wide one, and a narrow one for small screens. */
svg.chart.narrow { display: none; }
/* The histogram keeps a width at which its text stays readable, scrolling inside its card if
   need be. */
.chart-scroll { overflow-x: auto; }
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
.swatch.key {
  width: auto; height: auto; min-width: 1.5em; padding: 0 3px; font-size: 11px;
  font-weight: 700; line-height: 1.45; text-align: center; vertical-align: 0;
}

/* Phones and narrow windows: less padding, and every table reflows into one block per row, each
   cell labelled with its column, so nothing is wider than the screen. */
@media (max-width: 720px) {
  body { font-size: 14px; }
  main { padding: 14px 10px 28px; }
  header h1 { font-size: 22px; }
  section { padding: 14px 12px 16px; margin: 12px 0; border-radius: 8px; }
  .stats { grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); }
  .stat.wide { grid-column: 1 / -1; }
  .stat dd { font-size: 19px; }
  svg.chart.wide { display: none; }
  svg.chart.narrow { display: block; }
  .chart-scroll svg.chart { min-width: 760px; }
  table, tbody, tr, td { display: block; width: auto; }
  thead { display: none; }
  tbody tr { padding: 6px 4px; border-bottom: 1px solid var(--border); }
  td, td.num, td.label, td.example {
    width: auto; padding: 1px 0; border: 0; text-align: left; white-space: normal;
  }
  /* Codes, counts and names share a line; prose and examples get lines of their own. */
  td.num, td.label { display: inline-block; margin-right: 16px; }
  td[data-label]::before {
    content: attr(data-label) ": "; color: var(--muted); font-size: 12px; font-weight: 600;
  }
  td.example[data-label]::before, td.example .where { display: inline; }
  .module { display: inline; }
  .operation { display: inline; margin-left: 6px; }
}
"#;

/// One CSS class per module (`m-messaging`, …) and one for unknown codes (`mu`), in the module's
/// fixed colour, colouring SVG shapes and legend swatches alike, so the page needs no inline
/// styles.
pub(super) fn module_styles() -> String {
    let mut css = String::new();
    let mut rule = |class: &str, mark: palette::ModuleMark| {
        let color = mark.hex();
        // The letter on a swatch: black on light colours, white on dark ones.
        let (r, g, b) = mark.rgb;
        let luma = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
        let text = if luma > 140.0 { "#000" } else { "#fff" };
        css.push_str(&format!(
            ".{class} {{ fill: {color}; background: {color}; color: {text}; }}\n"
        ));
    };
    for module in Module::ALL {
        rule(&format!("m-{}", module.name()), palette::mark(module));
    }
    rule("mu", palette::UNKNOWN);
    css
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_has_a_colour_class() {
        let css = module_styles();
        for module in Module::ALL {
            let rule = format!(
                ".m-{} {{ fill: {};",
                module.name(),
                palette::mark(module).hex()
            );
            assert!(css.contains(&rule), "{rule}");
        }
        assert!(css.contains(".mu { fill: #bab0ac;"));
    }
}
