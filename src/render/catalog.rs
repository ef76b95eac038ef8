//! Views of the catalog itself: `jmlog explain` and `jmlog codes`.

use std::io::{self, Write};

use serde::Serialize;

use super::{CODE, DIM, HEADING, Look, WARN, new_table};
use crate::catalog::{Entry, Strength};

/// Which language leads in `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// Everything the catalog knows about each entry, as a person reads it.
pub fn explain(entries: &[&Entry], lang: Lang, look: Look, out: &mut dyn Write) -> io::Result<()> {
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let platform = e
            .platform
            .map(|p| {
                // A code with meanings elsewhere is not this platform's only.
                let only = if e.varies() { "" } else { " only" };
                match &e.sdk {
                    Some(sdk) => format!(" · {}{only} ({sdk})", p.name()),
                    None => format!(" · {}{only}", p.name()),
                }
            })
            .unwrap_or_default();
        writeln!(
            out,
            "{}  {}",
            look.paint(CODE, &e.code.to_string()),
            look.paint(
                HEADING,
                &format!("{} · {}{platform}", e.module, e.operation)
            )
        )?;
        let zh = if e.description_zh.is_empty() {
            "(none)"
        } else {
            &e.description_zh
        };
        let (first, second) = match lang {
            Lang::En => (e.meaning.as_str(), zh),
            Lang::Zh => (zh, e.meaning.as_str()),
        };
        writeln!(out, "  {first}")?;
        let label = |s: &str| look.paint(DIM, &format!("{s:<17}"));
        match lang {
            Lang::En => writeln!(out, "  {}{second}", label("official (zh):"))?,
            Lang::Zh => writeln!(out, "  {}{second}", label("meaning (en):"))?,
        }
        let message = if e.message.is_empty() {
            "(none)"
        } else {
            &e.message
        };
        writeln!(out, "  {}{message}", label("official (en):"))?;
        if let Some(hint) = &e.hint {
            writeln!(out, "  {}{hint}", label("hint:"))?;
        }
        for v in &e.elsewhere {
            writeln!(
                out,
                "  {}{}",
                look.paint(
                    WARN,
                    &format!("{:<17}", format!("on {}:", v.platform.name()))
                ),
                v.meaning
            )?;
            let sources: Vec<&str> = v.sources.iter().map(|s| s.name()).collect();
            let constant = v
                .constant
                .as_ref()
                .map(|c| format!("{c} · "))
                .unwrap_or_default();
            writeln!(
                out,
                "  {:<17}{} · {constant}{} · {}: {}",
                "",
                v.sdk,
                v.description_zh,
                sources.join(", "),
                v.strength.describe()
            )?;
        }
        for note in &e.notes {
            writeln!(
                out,
                "  {}{note}",
                look.paint(WARN, &format!("{:<17}", "note:"))
            )?;
        }
        let sources: Vec<&str> = e.sources.iter().map(|s| s.name()).collect();
        writeln!(out, "  {}{}", label("sources:"), sources.join(", "))?;
        let evidence = format!("{}: {}", e.strength.name(), e.strength.describe());
        if e.strength > Strength::Table {
            writeln!(
                out,
                "  {}{evidence}",
                look.paint(WARN, &format!("{:<17}", "evidence:"))
            )?;
        } else {
            writeln!(out, "  {}{evidence}", label("evidence:"))?;
        }
        if let Some(constant) = &e.constant {
            writeln!(out, "  {}{constant}", label("SDK constant:"))?;
        }
    }
    Ok(())
}

/// The entries as a JSON array.
pub fn json<T: Serialize>(entries: &[T], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, entries)?;
    writeln!(out)
}

/// The entries as a table: code, module, operation, strength of evidence, meaning.
pub fn table(entries: &[&Entry], look: Look, out: &mut dyn Write) -> io::Result<()> {
    let mut table = new_table(
        look,
        &["code", "module", "operation", "evidence", "meaning"],
    );
    for e in entries {
        table.add_row(vec![
            e.code.to_string(),
            e.module.name().to_owned(),
            e.operation.clone(),
            e.strength.name().to_owned(),
            e.meaning.clone(),
        ]);
    }
    super::write_table(&table, out)
}

/// The entries as CSV, one row per code; list fields are joined with "; ".
pub fn csv(entries: &[&Entry], out: &mut dyn Write) -> io::Result<()> {
    write_csv(entries, out).map_err(|e| match e.into_kind() {
        // Keep the I/O error itself, so that a closed pipe is still recognised as one.
        ::csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    })
}

fn write_csv(entries: &[&Entry], out: &mut dyn Write) -> ::csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "code",
        "module",
        "operation",
        "platform",
        "sources",
        "strength",
        "message",
        "description_zh",
        "meaning",
        "hint",
        "notes",
        "constant",
    ])?;
    for e in entries {
        let sources: Vec<&str> = e.sources.iter().map(|s| s.name()).collect();
        w.write_record([
            e.code.to_string().as_str(),
            e.module.name(),
            &e.operation,
            e.platform.map(|p| p.name()).unwrap_or_default(),
            &sources.join("; "),
            e.strength.name(),
            &e.message,
            &e.description_zh,
            &e.meaning,
            e.hint.as_deref().unwrap_or_default(),
            &e.notes.join("; "),
            e.constant.as_deref().unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
