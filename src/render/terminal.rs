//! Making log text safe to print on a terminal.
//!
//! Example lines come from logs, which are untrusted: they may hold ANSI escape sequences, other
//! control characters, or Unicode bidi and zero-width characters that make a line display as
//! something it is not. Such characters are shown as visible `\u{…}` escapes instead.

/// `text` with every control, bidi-control and invisible character replaced by a visible escape, and
/// cut to at most `max_chars` characters (an ellipsis marks the cut).
pub fn sanitize(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    for (n, c) in text.chars().enumerate() {
        if n == max_chars {
            out.push('…');
            break;
        }
        match c {
            '\t' => out.push(' '),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}'                  // Arabic letter mark
            | '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
            | '\u{202A}'..='\u{202E}'   // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}'   // bidi isolates
            | '\u{FEFF}'                // zero-width no-break space
            | '\u{FFF9}'..='\u{FFFB}') // interlinear annotation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_bidi_and_invisible_characters() {
        assert_eq!(sanitize("a\x1b[31mred", 100), "a\\u{1b}[31mred");
        assert_eq!(
            sanitize("x\u{202E}y\u{200B}z", 100),
            "x\\u{202e}y\\u{200b}z"
        );
        assert_eq!(sanitize("tab\there\r", 100), "tab here\\u{d}");
        assert_eq!(sanitize("错误码：801003", 100), "错误码：801003");
    }

    #[test]
    fn cuts_long_text() {
        assert_eq!(sanitize("abcdef", 3), "abc…");
        assert_eq!(sanitize("abc", 3), "abc");
    }
}
