//! The terminal report as people see it, at 80 and 120 columns, with and without colour
//! (snapshots), and module colours and letters that stay the same from one report to the next in
//! every format.

use std::collections::BTreeMap;

use jmlog::catalog::Module;
use jmlog::render::Look;
use jmlog::render::palette::ColorDepth;
use jmlog::render::text::{TextOptions, render};
use jmlog::report::Report;

use crate::util::{arg, grouped, jmlog, tempdir};

/// Logs with codes of nine modules, several days apart.
const LOGS: [&str; 2] = ["sample-logs/java-server.log", "sample-logs/rest-server.log"];

/// The JSON report of `jmlog analyze ARGS… LOGS`, loaded back.
fn report_of(args: &[&str], logs: &[&str]) -> Report {
    let mut all = vec![
        "analyze", "--format", "json", "--tz", "UTC", "--year", "2026",
    ];
    all.extend_from_slice(args);
    all.extend_from_slice(logs);
    let run = jmlog(&all);
    run.expect_code(0);
    jmlog::baseline::parse(&run.output.stdout).expect("the JSON report loads")
}

/// The report as text on a terminal of `width` columns; escape sequences shown as `␛`.
fn text(report: &Report, width: u16, depth: Option<ColorDepth>) -> String {
    let look = Look {
        color: depth.is_some(),
        width: Some(width),
        forced: false,
        terminal: true,
        depth: depth.unwrap_or_default(),
    };
    let mut out = Vec::new();
    render(report, TextOptions { look, top: 5 }, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    for line in text.lines() {
        let visible = strip_escapes(line);
        assert!(
            visible.chars().count() <= usize::from(width),
            "wider than {width} columns: {visible:?}"
        );
    }
    text.replace('\x1b', "␛")
}

fn strip_escapes(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn terminal_80_columns() {
    let report = report_of(&["--by", "day"], &LOGS);
    insta::assert_snapshot!(text(&report, 80, None));
}

#[test]
fn terminal_120_columns() {
    let report = report_of(&["--by", "day"], &LOGS);
    insta::assert_snapshot!(text(&report, 120, None));
}

#[test]
fn terminal_80_columns_in_16_colours() {
    let report = report_of(&["--by", "day"], &LOGS);
    insta::assert_snapshot!(text(&report, 80, Some(ColorDepth::Ansi16)));
}

#[test]
fn terminal_120_columns_in_true_colour() {
    let report = report_of(&["--by", "day"], &LOGS);
    insta::assert_snapshot!(text(&report, 120, Some(ColorDepth::TrueColor)));
}

#[test]
fn terminal_with_a_baseline() {
    let dir = tempdir();
    let base = dir.join("base.json");
    let run = jmlog([
        "analyze",
        "--format",
        "json",
        "-o",
        &arg(&base),
        "--tz",
        "UTC",
        LOGS[0],
    ]);
    run.expect_code(0);
    let mut report = report_of(&["--by", "day", "--baseline", &arg(&base)], &LOGS);
    // The report names the baseline as given; a fixed name keeps the lines within 80 columns
    // wherever the temporary directory is ($TMPDIR may be long).
    assert_eq!(report.baseline.as_ref().unwrap().path, arg(&base));
    report.baseline.as_mut().unwrap().path = "[base.json]".to_owned();
    let shown = text(&report, 80, None);
    insta::assert_snapshot!(shown);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn terminal_empty_report_with_a_window() {
    let report = report_of(
        &[
            "--by",
            "day",
            "--since",
            "2030-01-01",
            "--until",
            "2030-02-01",
        ],
        &LOGS,
    );
    let shown = text(&report, 80, None);
    assert!(shown.contains("No JMessage error codes found."), "{shown}");
    insta::assert_snapshot!(shown);
}

/// Each module's colour and letter as a format draws it, read back from its output.
type Marks = BTreeMap<String, String>;

/// HTML: the letter on the module's swatch, and the colour of its class.
fn html_marks(page: &str) -> Marks {
    let mut marks = Marks::new();
    for piece in page.split("<span class=\"swatch key m-").skip(1) {
        let (module, rest) = piece.split_once("\">").unwrap();
        let letter = &rest[..1];
        let rule = format!(".m-{module} {{ fill: ");
        let at = page.find(&rule).unwrap() + rule.len();
        let colour = &page[at..at + 7];
        let mark = format!("{letter} {colour}");
        if let Some(old) = marks.insert(module.to_owned(), mark.clone()) {
            assert_eq!(old, mark, "{module} drawn two ways in one page");
        }
    }
    marks
}

/// Terminal: the legend under the histogram, `M messaging` (the letter coloured, or a coloured
/// block, when there is colour).
fn terminal_marks(text: &str) -> Marks {
    let names: Vec<&str> = Module::ALL.iter().map(|m| m.name()).collect();
    let mut marks = Marks::new();
    for line in text.lines().skip_while(|l| !l.contains("Codes per day")) {
        for key in line.trim().split("  ") {
            if let Some((mark, module)) = key.rsplit_once(' ') {
                if names.contains(&module) {
                    marks.insert(module.to_owned(), mark.to_owned());
                }
            }
        }
    }
    marks
}

/// Markdown: the legend under the histogram table, "`M` messaging · `L` login".
fn markdown_marks(text: &str) -> Marks {
    let legend = text
        .lines()
        .find(|l| l.starts_with('`') && l.contains(" · "))
        .expect("a legend");
    legend
        .split(" · ")
        .map(|key| {
            let (letter, module) = key.split_once(' ').unwrap();
            (module.to_owned(), letter.trim_matches('`').to_owned())
        })
        .collect()
}

#[test]
fn modules_keep_their_colour_and_letter_across_reports() {
    // Two reports whose modules rank differently: login leads one, account the other.
    let first = [
        "sample-logs/android-threadtime.log",
        "sample-logs/ios-console.log",
    ];
    let second = ["sample-logs/java-server.log", "sample-logs/rest-server.log"];
    let a = report_of(&["--by", "day"], &first);
    let b = report_of(&["--by", "day"], &second);
    assert_ne!(a.modules[0].module, b.modules[0].module);

    let mut compared = 0;
    for (format, marks) in [
        ("html", html_marks as fn(&str) -> Marks),
        ("markdown", markdown_marks),
    ] {
        let page = |logs: &[&str]| {
            let mut args = vec!["analyze", "-f", format, "--by", "day", "--tz", "UTC"];
            args.extend_from_slice(&["--year", "2026"]);
            args.extend_from_slice(logs);
            let run = jmlog(&args);
            run.expect_code(0);
            marks(&run.stdout())
        };
        let (ma, mb) = (page(&first), page(&second));
        compared += same_marks(format, &ma, &mb);
    }
    for depth in [
        None,
        Some(ColorDepth::Ansi16),
        Some(ColorDepth::Ansi256),
        Some(ColorDepth::TrueColor),
    ] {
        let ma = terminal_marks(&text(&a, 120, depth));
        let mb = terminal_marks(&text(&b, 120, depth));
        compared += same_marks(&format!("terminal {depth:?}"), &ma, &mb);
        if depth.is_none() {
            // Without colour, the marks are the letters the other formats use.
            let letters = markdown_marks(&jmlog_markdown(&first));
            for (module, letter) in &ma {
                assert_eq!(Some(letter), letters.get(module), "{module}");
            }
        }
    }
    assert!(compared >= 6 * 4, "only {compared} modules compared");
}

fn jmlog_markdown(logs: &[&str]) -> String {
    let mut args = vec!["analyze", "-f", "markdown", "--by", "day", "--tz", "UTC"];
    args.extend_from_slice(&["--year", "2026"]);
    args.extend_from_slice(logs);
    let run = jmlog(&args);
    run.expect_code(0);
    run.stdout()
}

/// Asserts that the modules both reports draw are drawn alike, and that no two modules share a
/// mark; returns how many modules were compared.
fn same_marks(format: &str, a: &Marks, b: &Marks) -> usize {
    let mut shared = 0;
    for (module, mark) in a {
        if let Some(other) = b.get(module) {
            assert_eq!(mark, other, "{format}: {module} is drawn differently");
            shared += 1;
        }
    }
    for marks in [a, b] {
        let mut seen: Vec<&String> = marks.values().collect();
        seen.sort();
        seen.dedup();
        assert_eq!(
            seen.len(),
            marks.len(),
            "{format}: two modules look alike: {marks:?}"
        );
    }
    assert!(
        shared >= 4,
        "{format}: only {shared} modules in both: {a:?} {b:?}"
    );
    shared
}

/// Every format states the same totals — known codes, unknown codes, lines with codes — on a log
/// of 150,000 lines whose counts are known from how it was written.
#[test]
fn every_format_states_the_same_totals() {
    const KNOWN: [u32; 6] = [801003, 801004, 803008, 810001, 899002, 871310];
    const UNKNOWN: [u32; 3] = [899991, 899992, 899993];
    let dir = tempdir();
    let (mut known, mut unknown, mut code_lines) = (0u64, 0u64, 0u64);
    let mut log = String::new();
    for i in 0..150_000u32 {
        let code = KNOWN[(i / 10) as usize % KNOWN.len()];
        match i % 10 {
            0..=5 => {
                log.push_str(&format!(
                    "E/JIGUANG-JMessage: login failed code={code} n={i}\n"
                ));
                known += 1;
                code_lines += 1;
            }
            6 | 7 => {
                // Two codes on one line: two occurrences, one line.
                log.push_str(&format!(
                    "send failed code={code}; retry failed code=803012\n"
                ));
                known += 2;
                code_lines += 1;
            }
            8 => {
                let code = UNKNOWN[(i / 10) as usize % UNKNOWN.len()];
                log.push_str(&format!("request failed, error code: {code}\n"));
                unknown += 1;
                code_lines += 1;
            }
            _ => log.push_str(&format!("heartbeat ok uid=801004 seq={i}\n")),
        }
    }
    let path = dir.join("big.log");
    std::fs::write(&path, log).unwrap();
    let (k, u, l) = (grouped(known), grouped(unknown), grouped(code_lines));
    let headline = format!("{k} known codes and {u} unknown codes on {l} lines");

    let out = |format: &str| {
        let file = dir.join(format!("report.{format}"));
        let run = jmlog(["analyze", "-f", format, "-o", &arg(&file), &arg(&path)]);
        run.expect_code(0);
        std::fs::read_to_string(&file).unwrap()
    };
    let json: serde_json::Value = serde_json::from_str(&out("json")).unwrap();
    assert_eq!(json["totals"]["codes"], known);
    assert_eq!(json["totals"]["unknown_codes"], unknown);
    assert_eq!(json["totals"]["code_lines"], code_lines);

    let text = out("text");
    assert!(text.contains(&format!("\nFound {headline}\n")), "{text}");
    let markdown = out("markdown");
    assert!(
        markdown.contains(&format!("\n**{headline}** · 150,000 lines")),
        "{markdown}"
    );
    let html = out("html");
    assert!(html.contains(&format!("<title>jmlog report: {headline}</title>")));
    assert!(html.contains(&format!("<p class=\"headline\">{headline}.</p>")));
    for (name, value) in [
        ("Known codes", &k),
        ("Unknown codes", &u),
        ("Lines with codes", &l),
    ] {
        assert!(
            html.contains(&format!("<dt>{name}</dt><dd>{value}</dd>")),
            "{name} {value}"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// A sparkline counts dated lines only; when a code also occurred on undated lines, its count
/// says "dated of all".
#[test]
fn sparklines_say_when_they_count_only_dated_lines() {
    let logs: Vec<String> = std::fs::read_dir(crate::util::root().join("sample-logs"))
        .unwrap()
        .map(|e| format!("sample-logs/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    let logs: Vec<&str> = logs.iter().map(String::as_str).collect();
    let report = report_of(&["--by", "day"], &logs);
    let histogram = report.histogram.as_ref().unwrap();
    assert!(histogram.undated > 0, "the sample logs have undated codes");
    let shown = text(&report, 120, None);
    let mut partly = 0;
    for c in report.codes.iter().take(5) {
        let dated: u64 = histogram
            .series
            .iter()
            .map(|b| b.codes.get(&c.code.to_string()).copied().unwrap_or(0))
            .sum();
        let count = if dated == c.count {
            dated.to_string()
        } else {
            partly += 1;
            format!("{dated} of {}", c.count)
        };
        let line = shown
            .lines()
            .skip_while(|l| !l.starts_with("Top codes over time"))
            .find(|l| l.trim_start().starts_with(&c.code.to_string()))
            .unwrap_or_else(|| panic!("no sparkline for {}", c.code));
        assert!(
            line.ends_with(&format!("  {count}")),
            "{line:?} should end in {count}"
        );
    }
    assert!(
        partly > 0,
        "no top code with undated lines: the test shows nothing"
    );
}

/// A binary file found in a directory is skipped, and every summary counts it apart from the
/// inputs it scanned.
#[test]
fn the_summary_counts_skipped_inputs_apart() {
    let dir = tempdir();
    std::fs::write(dir.join("app.log"), "login failed code=801004\n").unwrap();
    std::fs::write(
        dir.join("core.bin"),
        b"\0\x01\x02ELF login failed code=801004\n",
    )
    .unwrap();
    // A skipped input is missing from the counts: exit code 2, the report still written.
    let run = jmlog(["analyze", "--quiet", &arg(&dir)]);
    run.expect_code(2);
    let out = run.stdout();
    let first = out.lines().next().unwrap();
    assert!(first.starts_with("Scanned 1 input (1 skipped) · "), "{out}");
    assert!(
        out.contains("\nFound 1 known code and 0 unknown codes on 1 line\n"),
        "{out}"
    );
    assert!(out.contains("core.bin: binary file"), "{out}");
    let markdown = jmlog(["analyze", "--quiet", "-f", "markdown", &arg(&dir)]);
    assert!(
        markdown
            .stdout()
            .contains(" · 1 line in 1 input (1 skipped) · "),
        "{}",
        markdown.stdout()
    );
    let html = jmlog(["analyze", "--quiet", "-f", "html", &arg(&dir)]).stdout();
    assert!(html.contains("<dt>Inputs</dt><dd>1</dd>"), "{html}");
    assert!(html.contains("<div class=\"stat warn\"><dt>Skipped</dt><dd>1</dd></div>"));
    std::fs::remove_dir_all(dir).unwrap();
}
