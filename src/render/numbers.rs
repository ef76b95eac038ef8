//! How numbers read in every format: `1,234,567`, `4.2 KiB`, `12.5%`, `+3`, `1 line`/`2 lines`.

/// 1234567 → "1,234,567".
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in binary units: "812 B", "4.2 KiB", "1.3 GiB".
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// How many of an input's codes the "Inputs with codes" sections show.
pub const INPUT_TOP_CODES: usize = 3;

/// An input's most frequent codes (most frequent first) as `801004 ×5, 803008 ×2, +3 more`, the
/// first `shown` of them.
pub fn code_counts(codes: &[(crate::catalog::Code, u64)], shown: usize) -> String {
    let mut text: Vec<String> = codes
        .iter()
        .take(shown)
        .map(|(code, n)| format!("{code} ×{}", group_digits(*n)))
        .collect();
    if codes.len() > shown {
        text.push(format!("+{} more", codes.len() - shown));
    }
    text.join(", ")
}

/// A count with its noun: "1 line", "2 lines".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group_digits(n), if n == 1 { one } else { many })
}

/// The totals every report leads with, worded the same in every format: "183 known codes and 5
/// unknown codes on 186 lines". A code counts once per line it is on; a line with two codes is one
/// of the lines.
pub fn headline(t: &crate::report::Totals) -> String {
    format!(
        "{} and {} on {}",
        plural(t.codes, "known code", "known codes"),
        plural(t.unknown_codes, "unknown code", "unknown codes"),
        plural(t.code_lines, "line", "lines")
    )
}

/// A share from 0 to 1 as a percentage with one decimal.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A change with its sign: `+3`, `-2`, `0`.
pub fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1234567), "1,234,567");
        assert_eq!(human_bytes(812), "812 B");
        assert_eq!(human_bytes(4300), "4.2 KiB");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
    }

    #[test]
    fn plurals_shares_and_changes() {
        assert_eq!(plural(1, "line", "lines"), "1 line");
        assert_eq!(plural(1200, "line", "lines"), "1,200 lines");
        assert_eq!(percent(0.125), "12.5%");
        assert_eq!(
            (signed(3), signed(-2), signed(0)),
            ("+3".to_owned(), "-2".to_owned(), "0".to_owned())
        );
    }
}
