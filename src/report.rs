//! The report: everything an output format shows, computed once from the scans of all inputs.
//!
//! Renderers only format; every derived number (shares, module totals, ordering) is computed here.
//! The serialized form of [`Report`] is jmlog's JSON schema (see the README); its field names are a
//! contract with scripts, so changing them means bumping [`SCHEMA`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::catalog::{Catalog, Code, Module, Strength};
use crate::histogram::{self, Histogram, Unit};
use crate::platform::PlatformCounts;
use crate::render::numbers::{group_digits, plural};
use crate::tally::{CodeTally, LeftOut, Tally, Window};
use crate::unknown::UnknownCodes;

/// The JSON schema identifier, bumped on any incompatible change.
pub const SCHEMA: &str = "jmlog.report/1";

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    /// `strict` or `loose`, the rules the codes were found with.
    pub mode: String,
    pub totals: Totals,
    /// Modules with at least one code, most frequent first.
    pub modules: Vec<ModuleRow>,
    /// Known codes, most frequent first (ties by code).
    pub codes: Vec<CodeRow>,
    /// Numbers in an explicit code context that the catalog does not know, most frequent first.
    pub unknown_codes: UnknownCodes,
    /// Every input in the order given, with its problem if it could not be read to the end.
    pub inputs: Vec<InputRow>,
    /// `--since`, when given: only lines at or after this time were counted (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// `--until`, when given: only lines before this time were counted (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// With `--since`/`--until`: how each was given and what it resolved to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<ReportWindow>,
    /// With `--by`: the counts over time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram: Option<Histogram>,
    /// With `--baseline`: what changed since the baseline report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// The CI gates asked for (`--fail-on`, `--max-total`, `--max`) and whether each tripped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<GateResult>,
}

/// How `--since` and `--until` were given, and the times they resolved to. A relative bound (`30d`)
/// resolves to a different time on each run; a merged report keeps the earliest and the latest time
/// of its parts, and its [`Report::since`] is the earliest `since`, its [`Report::until`] the latest
/// `until` (no part counted a line outside them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportWindow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<WindowBound>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<WindowBound>,
}

/// One bound of the window: as given on the command line, and as resolved (RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowBound {
    /// The value given: `30d`, `2026-11-01`, `2026-11-01T08:00:00+08:00`, …
    pub given: String,
    /// The earliest time it resolved to (one run: the only one).
    pub earliest: String,
    /// The latest time it resolved to (one run: the same as `earliest`).
    pub latest: String,
}

/// What changed since a baseline report. Per-code and per-module changes are on the rows
/// ([`CodeRow::previous`], [`ModuleRow::previous`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// The baseline report's path, as given.
    pub path: String,
    /// Known-code occurrences in the baseline.
    pub codes: u64,
    /// Known codes seen now and in neither the baseline's codes nor its unknown codes, most
    /// frequent first.
    pub new_codes: Vec<Code>,
    /// Unknown codes seen now and in neither the baseline's codes nor its unknown codes, most
    /// frequent first.
    #[serde(default)]
    pub new_unknown_codes: Vec<Code>,
    /// Codes in the baseline and not seen now, most frequent (then) first.
    pub vanished: Vec<VanishedRow>,
}

/// A code of the baseline that was not seen this time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VanishedRow {
    pub code: Code,
    /// Its count in the baseline.
    pub previous: u64,
    pub module: Module,
    pub meaning: String,
}

/// One CI gate and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateResult {
    /// The gate as given: `module=login`, `code=803008`, `new`, `total<=100`, `login<=5`.
    pub gate: String,
    pub tripped: bool,
    /// What was found, e.g. "12 login errors (limit 5)".
    pub detail: String,
}

/// What the report is built with besides the counts.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub loose: bool,
    /// `--by`: the bucket width, the zone and its name.
    pub histogram: Option<(Unit, TimeZone, String)>,
    pub window: Window,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Inputs read (including those that failed part-way).
    pub files: u64,
    pub bytes: u64,
    pub lines: u64,
    /// Lines that hold at least one code, known or unknown.
    pub code_lines: u64,
    /// Occurrences of known codes (a code counts once per line).
    pub codes: u64,
    /// Occurrences of unknown codes.
    pub unknown_codes: u64,
    /// With `--since`/`--until`: lines with codes left out because their time is outside the
    /// window, and the code occurrences on them (known and unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_lines_outside_window: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes_outside_window: Option<u64>,
    /// With `--since`/`--until`: lines with codes left out because their time is not known, and
    /// the code occurrences on them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_lines_without_time: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes_without_time: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleRow {
    pub module: Module,
    pub count: u64,
    /// Fraction of all known-code occurrences, 0 to 1.
    pub share: f64,
    /// Distinct codes seen in the module.
    pub distinct: u64,
    /// With a baseline: the module's count there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<u64>,
    /// With a baseline: `count - previous`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeRow {
    pub code: Code,
    pub count: u64,
    /// Fraction of all known-code occurrences, 0 to 1.
    pub share: f64,
    pub module: Module,
    pub operation: String,
    pub meaning: String,
    /// The official English message (may be empty).
    pub message: String,
    /// How strong the evidence for the meaning is, where it is weaker than a documentation table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<Strength>,
    /// For a code whose meaning depends on the platform: its lines per platform. When they all
    /// come from one platform the meaning is that platform's; otherwise it lists every meaning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platforms: Option<PlatformCounts>,
    pub example: ExampleRef,
    /// With a baseline: the code's count there (0 for a new code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<u64>,
    /// With a baseline: `count - previous`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<i64>,
}

impl CodeRow {
    /// The meaning, followed by the strength of its evidence where that is weaker than a
    /// documentation table: `… [evidence: an SDK binary only, no documentation]`.
    pub fn meaning_and_evidence(&self) -> String {
        match self.strength {
            Some(s) if s > Strength::Table => {
                format!("{} [evidence: {}]", self.meaning, s.describe())
            }
            _ => self.meaning.clone(),
        }
    }

    /// Whether the code is new since the baseline (false without one).
    pub fn is_new(&self) -> bool {
        self.previous == Some(0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnknownRow {
    pub code: Code,
    pub count: u64,
    pub example: ExampleRef,
}

/// The first line a code was seen on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExampleRef {
    pub path: String,
    /// One-based line number.
    pub line: u64,
    /// The line as read (decoded lossily, cut at 1 KiB). Raw log text: escape it before display.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRow {
    pub path: String,
    /// Bytes of text (after decompression).
    pub bytes: u64,
    pub lines: u64,
    /// `plain`, `gzip`, `zstd`, `bzip2` or `xz`, as detected from the data; `null` if never opened.
    pub encoding: Option<String>,
    /// Bytes read from the file or stream (before decompression).
    pub read_bytes: u64,
    /// Why the input was not scanned although it was read (`binary file`); `null` otherwise.
    pub skipped: Option<String>,
    /// Why the input could not be read, or read to the end; `null` when it was read whole.
    pub error: Option<String>,
    /// Lines of this input that hold at least one code, known or unknown.
    #[serde(default)]
    pub code_lines: u64,
    /// Occurrences per code in this input, known and unknown codes alike (a code once per line).
    #[serde(default)]
    pub codes: BTreeMap<Code, u64>,
    /// The earlier input that is the same file, when this one was therefore not read again (only
    /// present then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
}

impl InputRow {
    /// Code occurrences in this input, known and unknown.
    pub fn code_count(&self) -> u64 {
        self.codes.values().sum()
    }

    /// This input's codes, most frequent first (ties by code).
    pub fn top_codes(&self) -> Vec<(Code, u64)> {
        let mut codes: Vec<(Code, u64)> = self.codes.iter().map(|(&c, &n)| (c, n)).collect();
        codes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        codes
    }
}

/// One input as the scan left it, for [`ReportBuilder::add_scanned`].
#[derive(Debug)]
pub struct ScannedInput {
    pub tally: Tally,
    pub encoding: &'static str,
    pub read_bytes: u64,
    pub binary: bool,
    /// Why the input was passed over although it was opened (a format jmlog does not read).
    pub skipped: Option<String>,
    pub error: Option<String>,
}

/// Collects the scans of the inputs, in order, and builds the report.
#[derive(Debug, Default)]
pub struct ReportBuilder {
    timeline: BTreeMap<(i64, Code), u64>,
    totals: Totals,
    codes: BTreeMap<Code, (u64, ExampleRef)>,
    /// Lines per platform of the codes whose meaning depends on it.
    platforms: BTreeMap<Code, PlatformCounts>,
    unknown: UnknownCodes,
    inputs: Vec<InputRow>,
    left_out: LeftOut,
    /// A merged report was made with a window.
    windowed: bool,
}

impl ReportBuilder {
    pub fn new() -> ReportBuilder {
        ReportBuilder::default()
    }

    /// Adds an input that was read (perhaps only in part).
    pub fn add_scanned(&mut self, path: &str, scanned: ScannedInput) {
        let t = scanned.tally;
        let per_code: BTreeMap<Code, u64> = t
            .codes
            .iter()
            .map(|(&code, c)| (code, c.count))
            .chain(t.unknown.iter().map(|c| (c.code, c.count)))
            .collect();
        self.totals.files += 1;
        self.totals.bytes += t.bytes;
        self.totals.lines += t.lines;
        self.totals.code_lines += t.code_lines;
        self.left_out += t.left_out;
        for (code, c) in &t.codes {
            if c.platforms.total() > 0 {
                *self.platforms.entry(*code).or_default() += c.platforms;
            }
        }
        absorb(&mut self.codes, t.codes, path);
        self.unknown.absorb(t.unknown, Some(path));
        for (key, n) in t.timeline {
            *self.timeline.entry(key).or_default() += n;
        }
        self.inputs.push(InputRow {
            path: path.to_owned(),
            bytes: t.bytes,
            lines: t.lines,
            encoding: Some(scanned.encoding.to_owned()),
            read_bytes: scanned.read_bytes,
            skipped: scanned
                .skipped
                .or_else(|| scanned.binary.then(|| "binary file".to_owned())),
            error: scanned.error,
            code_lines: t.code_lines,
            codes: per_code,
            same_as: None,
        });
    }

    /// Adds everything a report of other inputs counted (for `merge`); its examples count only for
    /// codes no earlier input has shown.
    pub fn add_report(&mut self, report: &Report) {
        self.totals.files += report.totals.files;
        self.totals.bytes += report.totals.bytes;
        self.totals.lines += report.totals.lines;
        self.totals.code_lines += report.totals.code_lines;
        let t = &report.totals;
        self.windowed |= report.since.is_some() || report.until.is_some();
        self.left_out += LeftOut {
            outside_lines: t.code_lines_outside_window.unwrap_or(0),
            outside_codes: t.codes_outside_window.unwrap_or(0),
            undated_lines: t.code_lines_without_time.unwrap_or(0),
            undated_codes: t.codes_without_time.unwrap_or(0),
        };
        let rows = report.codes.iter().map(|r| (r.code, r.count, &r.example));
        for (code, count, example) in rows {
            self.codes
                .entry(code)
                .and_modify(|(n, _)| *n += count)
                .or_insert_with(|| (count, example.clone()));
        }
        for r in &report.codes {
            if let Some(p) = r.platforms {
                *self.platforms.entry(r.code).or_default() += p;
            }
        }
        for c in &report.unknown_codes {
            self.unknown.add_row(&c.row());
        }
        self.inputs.extend(report.inputs.iter().cloned());
    }

    /// Adds an input that could not be opened at all.
    pub fn add_failed(&mut self, path: &str, error: String) {
        self.inputs.push(InputRow {
            path: path.to_owned(),
            bytes: 0,
            lines: 0,
            encoding: None,
            read_bytes: 0,
            skipped: None,
            error: Some(error),
            code_lines: 0,
            codes: BTreeMap::new(),
            same_as: None,
        });
    }

    /// Adds an input that was found but not read, and why (a FIFO or a device in a directory). It
    /// counts among the files, as a binary file that was skipped does.
    pub fn add_skipped(&mut self, path: &str, reason: String) {
        self.totals.files += 1;
        self.inputs.push(InputRow {
            path: path.to_owned(),
            bytes: 0,
            lines: 0,
            encoding: None,
            read_bytes: 0,
            skipped: Some(reason),
            error: None,
            same_as: None,
            code_lines: 0,
            codes: BTreeMap::new(),
        });
    }

    /// Adds an input that is the same file as the earlier input `same_as`, and was read there.
    pub fn add_duplicate(&mut self, path: &str, same_as: &str) {
        self.inputs.push(InputRow {
            path: path.to_owned(),
            bytes: 0,
            lines: 0,
            encoding: None,
            read_bytes: 0,
            skipped: None,
            error: None,
            same_as: Some(same_as.to_owned()),
            code_lines: 0,
            codes: BTreeMap::new(),
        });
    }

    /// The report; fails only when the histogram asked for would be absurdly long.
    pub fn build(self, catalog: &Catalog, options: &BuildOptions) -> Result<Report, String> {
        let mut totals = self.totals;
        totals.codes = self.codes.values().map(|(n, _)| n).sum();
        totals.unknown_codes = self.unknown.total();
        if self.windowed || !options.window.is_unbounded() {
            let l = self.left_out;
            totals.code_lines_outside_window = Some(l.outside_lines);
            totals.codes_outside_window = Some(l.outside_codes);
            totals.code_lines_without_time = Some(l.undated_lines);
            totals.codes_without_time = Some(l.undated_codes);
        }
        let share = |n: u64| {
            if totals.codes == 0 {
                0.0
            } else {
                n as f64 / totals.codes as f64
            }
        };

        let mut codes: Vec<CodeRow> = self
            .codes
            .into_iter()
            .map(|(code, (count, example))| {
                let entry = catalog
                    .get(code)
                    .expect("known codes come from this catalog");
                let platforms = entry
                    .varies()
                    .then(|| self.platforms.get(&code).copied().unwrap_or_default());
                let resolved = entry.meaning_on(platforms.and_then(|p| p.only()));
                CodeRow {
                    code,
                    count,
                    share: share(count),
                    module: entry.module,
                    operation: resolved.operation().to_owned(),
                    meaning: resolved.text(),
                    message: resolved.message().to_owned(),
                    strength: Some(resolved.strength()).filter(|s| *s > Strength::Table),
                    platforms,
                    example,
                    previous: None,
                    change: None,
                }
            })
            .collect();
        codes.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));

        let mut by_module: BTreeMap<Module, (u64, u64)> = BTreeMap::new();
        for row in &codes {
            let m = by_module.entry(row.module).or_default();
            m.0 += row.count;
            m.1 += 1;
        }
        let mut modules: Vec<ModuleRow> = by_module
            .into_iter()
            .map(|(module, (count, distinct))| ModuleRow {
                module,
                count,
                share: share(count),
                distinct,
                previous: None,
                change: None,
            })
            .collect();
        modules.sort_by(|a, b| b.count.cmp(&a.count).then(a.module.cmp(&b.module)));

        let unknown_codes = self.unknown.into_report_order();

        let histogram = match &options.histogram {
            Some((unit, tz, name)) => {
                let dated: u64 = self.timeline.values().sum();
                let undated = (totals.codes + totals.unknown_codes).saturating_sub(dated);
                Some(histogram::build(
                    &self.timeline,
                    undated,
                    *unit,
                    tz,
                    name,
                    catalog,
                )?)
            }
            None => None,
        };
        let rfc3339 = |secs: Option<i64>| {
            secs.and_then(|s| Timestamp::from_second(s).ok())
                .map(|t| t.to_string())
        };
        Ok(Report {
            schema: SCHEMA.to_owned(),
            mode: if options.loose { "loose" } else { "strict" }.to_owned(),
            totals,
            modules,
            codes,
            unknown_codes,
            inputs: self.inputs,
            since: rfc3339(options.window.since),
            until: rfc3339(options.window.until),
            window: None,
            histogram,
            baseline: None,
            gates: Vec::new(),
        })
    }
}

/// Adds one input's code tallies; the first input to show a code gives its example.
fn absorb(
    into: &mut BTreeMap<Code, (u64, ExampleRef)>,
    from: BTreeMap<Code, CodeTally>,
    path: &str,
) {
    for (code, t) in from {
        into.entry(code)
            .and_modify(|(n, _)| *n += t.count)
            .or_insert_with(|| {
                (
                    t.count,
                    ExampleRef {
                        path: path.to_owned(),
                        line: t.example.line_index + 1,
                        text: t.example.text,
                    },
                )
            });
    }
}

impl Report {
    /// Records how `--since` and `--until` were given, next to the times they resolved to.
    pub fn record_window(&mut self, since: Option<&str>, until: Option<&str>) {
        let bound = |given: Option<&str>, resolved: &Option<String>| match (given, resolved) {
            (Some(given), Some(resolved)) => Some(WindowBound {
                given: given.trim().to_owned(),
                earliest: resolved.clone(),
                latest: resolved.clone(),
            }),
            _ => None,
        };
        let window = ReportWindow {
            since: bound(since, &self.since),
            until: bound(until, &self.until),
        };
        self.window = (window.since.is_some() || window.until.is_some()).then_some(window);
    }

    /// Inputs that could not be read, or not to the end.
    pub fn failed_inputs(&self) -> impl Iterator<Item = &InputRow> {
        self.inputs.iter().filter(|i| i.error.is_some())
    }

    /// The inputs that hold codes, most code occurrences first (ties in input order): the
    /// "Inputs with codes" section of the reports.
    pub fn inputs_with_codes(&self) -> Vec<&InputRow> {
        let mut rows: Vec<&InputRow> = self.inputs.iter().filter(|i| !i.codes.is_empty()).collect();
        rows.sort_by_key(|i| std::cmp::Reverse(i.code_count()));
        rows
    }

    /// Inputs whose text is missing from the report, in whole or in part: those that could not be
    /// read to the end, and those skipped (binary files, FIFOs and devices in directories). Any of
    /// them makes the exit code 2. Inputs that are the same file as an earlier one are not among
    /// them: their text is counted once, with the earlier input.
    pub fn incomplete_inputs(&self) -> impl Iterator<Item = &InputRow> {
        self.inputs
            .iter()
            .filter(|i| i.error.is_some() || i.skipped.is_some())
    }

    /// [`Report::incomplete_inputs`], each with what a run says about it on stderr.
    pub fn lost_inputs(&self) -> impl Iterator<Item = (&InputRow, String)> {
        self.incomplete_inputs().map(|input| {
            let reason = match (&input.error, &input.skipped) {
                (Some(error), _) => error.clone(),
                (None, Some(skipped)) => format!("{skipped}, skipped"),
                (None, None) => unreachable!("an incomplete input has an error or was skipped"),
            };
            (input, reason)
        })
    }

    /// With `--since`/`--until`, what the window kept and what it left out: `0 codes in the
    /// window 2026-11-21T00:00:00Z to the end; 1,234 code lines outside it and 56 without a time
    /// were left out.`
    pub fn window_note(&self) -> Option<String> {
        if self.since.is_none() && self.until.is_none() {
            return None;
        }
        let t = &self.totals;
        Some(format!(
            "{} in the window {} to {}; {} outside it and {} without a time were left out.",
            plural(t.codes + t.unknown_codes, "code", "codes"),
            self.since.as_deref().unwrap_or("the beginning"),
            self.until.as_deref().unwrap_or("the end"),
            plural(
                t.code_lines_outside_window.unwrap_or(0),
                "code line",
                "code lines"
            ),
            group_digits(t.code_lines_without_time.unwrap_or(0)),
        ))
    }

    /// Lines with codes a window left out (outside it or without a time).
    pub fn left_out_lines(&self) -> u64 {
        let t = &self.totals;
        t.code_lines_outside_window.unwrap_or(0) + t.code_lines_without_time.unwrap_or(0)
    }
}
