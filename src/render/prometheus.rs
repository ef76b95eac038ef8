//! Prometheus text exposition, for node_exporter's textfile collector: counts per code and module,
//! per module, unknown codes (at most [`MAX_UNKNOWN`] label values, the rest summed as `other`), and
//! the scan's totals.

use std::io::{self, Write};

use crate::report::Report;

/// The most unknown codes given their own label value; label values must stay bounded.
pub const MAX_UNKNOWN: usize = 20;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    metric(
        out,
        "jmlog_errors_total",
        "JMessage error codes in the scanned logs, by code and module (a code counts once per line).",
    )?;
    for c in &report.codes {
        writeln!(
            out,
            "jmlog_errors_total{{code=\"{}\",module=\"{}\"}} {}",
            c.code,
            label(c.module.name()),
            c.count
        )?;
    }
    metric(
        out,
        "jmlog_module_errors_total",
        "JMessage error codes in the scanned logs, by module.",
    )?;
    for m in &report.modules {
        writeln!(
            out,
            "jmlog_module_errors_total{{module=\"{}\"}} {}",
            label(m.module.name()),
            m.count
        )?;
    }
    metric(
        out,
        "jmlog_unknown_errors_total",
        "Numbers in an error-code context that no catalog knows, by code (the rarest summed as \"other\").",
    )?;
    for u in report.unknown_codes.iter().take(MAX_UNKNOWN) {
        writeln!(
            out,
            "jmlog_unknown_errors_total{{code=\"{}\"}} {}",
            u.code, u.count
        )?;
    }
    let rest: u64 = report
        .unknown_codes
        .iter()
        .skip(MAX_UNKNOWN)
        .map(|u| u.count)
        .sum();
    if rest > 0 {
        writeln!(out, "jmlog_unknown_errors_total{{code=\"other\"}} {rest}")?;
    }
    let t = &report.totals;
    let failed = report.inputs.iter().filter(|i| i.error.is_some()).count();
    for (name, help, value) in [
        ("jmlog_inputs", "Inputs scanned.", t.files),
        (
            "jmlog_input_errors",
            "Inputs that could not be read to the end.",
            failed as u64,
        ),
        ("jmlog_bytes", "Bytes of log text scanned.", t.bytes),
        ("jmlog_lines", "Lines scanned.", t.lines),
        (
            "jmlog_code_lines",
            "Lines with at least one code.",
            t.code_lines,
        ),
    ] {
        writeln!(out, "# HELP {name} {help}")?;
        writeln!(out, "# TYPE {name} gauge")?;
        writeln!(out, "{name} {value}")?;
    }
    Ok(())
}

fn metric(out: &mut dyn Write, name: &str, help: &str) -> io::Result<()> {
    writeln!(out, "# HELP {name} {help}")?;
    writeln!(out, "# TYPE {name} counter")
}

/// A label value as the exposition format wants it: `\`, `"` and newlines escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
