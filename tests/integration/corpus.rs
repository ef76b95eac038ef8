//! Precision and recall of the extraction rules on the labelled corpus (`tests/data/corpus.txt`):
//! every shape that carries a code and every decoy class of real logs, one case per line.

use std::collections::{BTreeMap, BTreeSet};

use jmlog::catalog::Catalog;
use jmlog::extract::{Extractor, Mode};

use crate::util::data;

struct Case {
    class: String,
    line_no: usize,
    expected: BTreeSet<String>,
    text: String,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(data("corpus.txt")).expect("the corpus is readable");
    let mut class = String::from("(none)");
    let mut cases = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if let Some(name) = raw.strip_prefix("# class:") {
            class = name.trim().to_owned();
            continue;
        }
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let (expected, line) = raw
            .split_once(" | ")
            .unwrap_or_else(|| panic!("corpus line {}: no ' | ' separator", i + 1));
        let expected = match expected.trim() {
            "-" => BTreeSet::new(),
            list => list.split(',').map(|c| c.trim().to_owned()).collect(),
        };
        cases.push(Case {
            class: class.clone(),
            line_no: i + 1,
            expected,
            text: line.to_owned(),
        });
    }
    cases
}

fn found(ex: &Extractor<'_>, line: &str) -> BTreeSet<String> {
    let mut hits = Vec::new();
    ex.line_hits(line.as_bytes(), &mut hits);
    hits.iter().map(|h| h.to_string()).collect()
}

#[test]
fn precision_and_recall_are_total_on_the_corpus() {
    let ex = Extractor::new(Catalog::builtin(), Mode::Strict);
    let cases = cases();
    assert!(cases.len() >= 250, "the corpus has {} cases", cases.len());

    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut per_class: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut wrong = Vec::new();
    for case in &cases {
        let got = found(&ex, &case.text);
        tp += got.intersection(&case.expected).count();
        fp += got.difference(&case.expected).count();
        fn_ += case.expected.difference(&got).count();
        let entry = per_class.entry(&case.class).or_default();
        entry.0 += 1;
        if got != case.expected {
            entry.1 += 1;
            wrong.push(format!(
                "  line {} [{}]: expected {:?}, found {:?}\n    {}",
                case.line_no, case.class, case.expected, got, case.text
            ));
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    let classes: Vec<String> = per_class
        .iter()
        .map(|(c, (n, bad))| format!("{c}: {n} cases, {bad} wrong"))
        .collect();
    assert!(
        wrong.is_empty(),
        "precision {precision:.4}, recall {recall:.4} ({tp} right, {fp} false, {fn_} missed)\n{}\nper class:\n  {}",
        wrong.join("\n"),
        classes.join("\n  ")
    );
    assert_eq!((precision, recall), (1.0, 1.0));
    assert!(tp > 150, "the corpus exercises many codes ({tp})");
}

#[test]
fn every_decoy_class_of_the_log_formats_guide_is_covered() {
    let classes: BTreeSet<String> = cases().into_iter().map(|c| c.class).collect();
    for class in [
        "fractional-seconds",
        "pid-tid",
        "uid",
        "gid",
        "msgid",
        "digit-username",
        "count-size",
        "hard-cases",
        "sequence",
        "duration",
        "epoch-longid",
        "decimal",
        "hex",
        "build-version",
        "postal-phone",
        "url-path",
        "gid-with-code",
        "other-vendor",
        "jpush-4digit",
        "http-status",
        "plugin-local",
        "success-0",
    ] {
        let class = if class == "hard-cases" {
            class.to_owned()
        } else {
            format!("decoy-{class}")
        };
        assert!(classes.contains(&class), "no cases of class {class}");
    }
}
