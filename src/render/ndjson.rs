//! NDJSON: one event per code per line as the scan finds them (time if known, path, line number,
//! code, module, known or not), then one summary object holding the whole report.

use std::io::{self, Write};

use serde::Serialize;

use crate::catalog::{Catalog, Code, Module};
use crate::report::Report;
use crate::tally::Event;

#[derive(Serialize)]
struct EventLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    time: Option<String>,
    path: &'a str,
    /// One-based.
    line: u64,
    code: Code,
    module: Option<Module>,
    known: bool,
}

/// Writes the events of one input, each on its own line.
pub fn events(path: &str, events: &[Event], out: &mut dyn Write) -> io::Result<()> {
    let catalog = Catalog::builtin();
    for e in events {
        let line = EventLine {
            kind: "code",
            time: e.time.map(|t| t.rfc3339()),
            path,
            line: e.line_index + 1,
            code: e.code,
            module: catalog.get(e.code).map(|entry| entry.module),
            known: e.known,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    report: &'a Report,
}

/// The final line: the whole report.
pub fn summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(
        &mut *out,
        &SummaryLine {
            kind: "summary",
            report,
        },
    )?;
    out.write_all(b"\n")
}
