//! The table skeleton Markdown and HTML share: a header, rows of ready-made cells, a footer. Each
//! markup language writes the pieces its own way; the renderers only say what the columns are and
//! fill the rows (with cells they have already escaped for their markup).

use std::io::{self, Write};

/// What a table column holds, which decides how its cells are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Prose, wrapped as needed.
    Text,
    /// A code, a name or a badge: kept on one line.
    Label,
    /// Numbers: right-aligned, on one line.
    Number,
    /// A log line with its place: given the most room.
    Example,
}

/// How one markup language writes the pieces of a table.
pub trait Markup {
    fn header(
        &self,
        out: &mut dyn Write,
        columns: &[(&str, Column)],
        class: Option<&str>,
    ) -> io::Result<()>;
    /// A row; `id` names it as a link target, where the markup has such a thing.
    fn row(
        &self,
        out: &mut dyn Write,
        columns: &[(&str, Column)],
        cells: &[String],
        id: Option<&str>,
    ) -> io::Result<()>;
    fn footer(&self, out: &mut dyn Write) -> io::Result<()>;
}

/// A table being written: its columns, a style class (HTML), and the markup.
pub struct Table<'a, M: Markup> {
    markup: M,
    columns: &'a [(&'a str, Column)],
    class: Option<&'a str>,
}

impl<'a, M: Markup> Table<'a, M> {
    pub fn new(markup: M, columns: &'a [(&'a str, Column)]) -> Table<'a, M> {
        Table {
            markup,
            columns,
            class: None,
        }
    }

    pub fn with_class(self, class: &'a str) -> Table<'a, M> {
        Table {
            class: Some(class),
            ..self
        }
    }

    pub fn header(&self, out: &mut dyn Write) -> io::Result<()> {
        self.markup.header(out, self.columns, self.class)
    }

    /// A row of cells, one per column, already escaped for the markup.
    pub fn row(&self, out: &mut dyn Write, cells: &[String]) -> io::Result<()> {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.markup.row(out, self.columns, cells, None)
    }

    /// A row that can be linked to as `#id`.
    pub fn row_with_id(&self, out: &mut dyn Write, id: &str, cells: &[String]) -> io::Result<()> {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.markup.row(out, self.columns, cells, Some(id))
    }

    pub fn footer(&self, out: &mut dyn Write) -> io::Result<()> {
        self.markup.footer(out)
    }
}

/// GitHub-flavoured Markdown tables: numbers right-aligned, no ids or classes.
pub struct Markdown;

impl Markup for Markdown {
    fn header(
        &self,
        out: &mut dyn Write,
        columns: &[(&str, Column)],
        _: Option<&str>,
    ) -> io::Result<()> {
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        writeln!(out, "| {} |", names.join(" | "))?;
        let divider: Vec<&str> = columns
            .iter()
            .map(|(_, c)| if *c == Column::Number { "---:" } else { "---" })
            .collect();
        writeln!(out, "|{}|", divider.join("|"))
    }

    fn row(
        &self,
        out: &mut dyn Write,
        _: &[(&str, Column)],
        cells: &[String],
        _: Option<&str>,
    ) -> io::Result<()> {
        writeln!(out, "| {} |", cells.join(" | "))
    }

    fn footer(&self, _: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

/// HTML tables, each cell classed by its column so the stylesheet can lay it out.
pub struct Html;

impl Html {
    fn class(column: Column) -> &'static str {
        match column {
            Column::Text => "",
            Column::Label => " class=\"label\"",
            Column::Number => " class=\"num\"",
            Column::Example => " class=\"example\"",
        }
    }
}

impl Markup for Html {
    fn header(
        &self,
        out: &mut dyn Write,
        columns: &[(&str, Column)],
        class: Option<&str>,
    ) -> io::Result<()> {
        match class {
            Some(class) => writeln!(out, "<table class=\"{}\">", super::html::escape(class))?,
            None => writeln!(out, "<table>")?,
        }
        write!(out, "<thead><tr>")?;
        for (name, column) in columns {
            write!(
                out,
                "<th{}>{}</th>",
                Html::class(*column),
                super::html::escape(name)
            )?;
        }
        writeln!(out, "</tr></thead>")?;
        writeln!(out, "<tbody>")
    }

    fn row(
        &self,
        out: &mut dyn Write,
        columns: &[(&str, Column)],
        cells: &[String],
        id: Option<&str>,
    ) -> io::Result<()> {
        match id {
            Some(id) => write!(out, "<tr id=\"{}\">", super::html::escape(id))?,
            None => write!(out, "<tr>")?,
        }
        // Each cell carries its column's name, which narrow screens show beside it when the
        // table reflows into one block per row.
        for ((name, column), cell) in columns.iter().zip(cells) {
            let label = if name.is_empty() {
                String::new()
            } else {
                format!(" data-label=\"{}\"", super::html::escape(name))
            };
            write!(out, "<td{}{label}>{cell}</td>", Html::class(*column))?;
        }
        writeln!(out, "</tr>")
    }

    fn footer(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "</tbody>")?;
        writeln!(out, "</table>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[(&str, Column)] = &[("code", Column::Label), ("count", Column::Number)];

    fn write<M: Markup>(markup: M) -> String {
        let mut out = Vec::new();
        let table = Table::new(markup, COLUMNS);
        table.header(&mut out).unwrap();
        table
            .row(&mut out, &["801004".into(), "12".into()])
            .unwrap();
        table
            .row_with_id(&mut out, "x", &["803008".into(), "3".into()])
            .unwrap();
        table.footer(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn markdown_tables() {
        assert_eq!(
            write(Markdown),
            "| code | count |\n|---|---:|\n| 801004 | 12 |\n| 803008 | 3 |\n"
        );
    }

    #[test]
    fn html_tables() {
        let html = write(Html);
        assert!(html.starts_with("<table>\n<thead><tr><th class=\"label\">code</th><th class=\"num\">count</th></tr></thead>"));
        assert!(html.contains(
            "<tr id=\"x\"><td class=\"label\" data-label=\"code\">803008</td>\
                 <td class=\"num\" data-label=\"count\">3</td></tr>"
        ));
        assert!(html.ends_with("</tbody>\n</table>\n"));
    }
}
