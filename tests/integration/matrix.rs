//! The matrix: every command (`analyze`, `merge`, `annotate`, `watch --from-start`) × every format
//! × every input kind (file, directory, stdin, gzip, zstd, zstd after a skippable frame as `pzstd`
//! writes it, xz, bzip2, UTF-16LE/BE with a BOM) × sizes that cross every buffer (no input, no
//! codes, one code, 100,000+ code lines in a file over 8 MiB whose reports pass 1 MiB) × options
//! that change paths (`--by day`, `--since`, `-j1`, `-o FILE` against stdout).
//!
//! Every run has a short time limit, so a hang fails in seconds. Every run is cross-checked: each
//! format's counts equal the JSON report's, and the JSON report equals the independent oracle
//! (`oracle.rs`) on the same generated data. The big sizes run once per command × format and once
//! per input kind, not in every combination, to keep the matrix within a few minutes on two cores.
//!
//! Each test runs all its cases and then lists every case that failed, with why.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use jmlog::catalog::Catalog;
use regex::Regex;
use serde_json::Value;

use crate::oracle::{self, Counts};
use crate::util::{FORMATS, Jmlog, Run, Watched, arg, bin, grouped, root, tempdir, utf16_with_bom};

/// The time limit of a run on the small inputs.
const SMALL_LIMIT: Duration = Duration::from_secs(10);
/// The time limit of a run on the big input (about 12 MiB; under a second in a debug build on an
/// idle machine).
const BIG_LIMIT: Duration = Duration::from_secs(30);

/// The first stamp of every generated log: 2026-11-20T00:00:00Z.
const START: i64 = 1_763_596_800;
const DAY: i64 = 86_400;

// ---------------------------------------------------------------------------------------------
// Generated logs

/// A generated log: each line with the time of the last timestamp above it (every log starts with
/// one), so the expected counts of any window or bucket follow from the lines alone.
pub struct Log {
    pub lines: Vec<(String, i64)>,
    /// The oracle's codes of each line, worked out once.
    found: OnceLock<Vec<Vec<(u32, bool)>>>,
}

impl Log {
    pub fn new(lines: Vec<(String, i64)>) -> Log {
        Log {
            lines,
            found: OnceLock::new(),
        }
    }

    /// The oracle's codes of line `i` (zero-based).
    fn found(&self, i: usize) -> &[(u32, bool)] {
        &self.found.get_or_init(|| {
            self.lines
                .iter()
                .map(|(l, _)| oracle::line_codes(l, false).into_iter().collect())
                .collect()
        })[i]
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        for (line, _) in &self.lines {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// The oracle's counts of the lines in `range`, of those dated at or after `since`.
    pub fn counts(&self, range: std::ops::Range<usize>, since: Option<i64>) -> Counts {
        let mut c = Counts::default();
        let first = range.start;
        for (i, (_, time)) in self.lines[range].iter().enumerate() {
            c.lines += 1;
            if since.is_some_and(|s| *time < s) {
                continue;
            }
            let found = self.found(first + i);
            if !found.is_empty() {
                c.code_lines += 1;
            }
            for &(code, known) in found {
                let map = if known { &mut c.codes } else { &mut c.unknown };
                *map.entry(code).or_default() += 1;
                c.line_numbers.entry(code).or_default().push(i as u64 + 1);
            }
        }
        c
    }

    /// Per UTC day (its first second): known and unknown code occurrences.
    pub fn per_day(&self, since: Option<i64>) -> BTreeMap<i64, (u64, u64)> {
        let mut days: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
        for (i, (_, time)) in self.lines.iter().enumerate() {
            if since.is_some_and(|s| *time < s) {
                continue;
            }
            for &(_, known) in self.found(i) {
                let day = days.entry(time.div_euclid(DAY) * DAY).or_default();
                if known {
                    day.0 += 1;
                } else {
                    day.1 += 1;
                }
            }
        }
        days
    }

    /// Indices of the timestamp lines: where a log can be cut into parts that each date their own
    /// lines.
    fn stamp_indices(&self) -> Vec<usize> {
        (0..self.lines.len())
            .filter(|&i| self.lines[i].0.ends_with(STAMP_TAIL))
            .collect()
    }

    /// `parts` ranges of lines, cut at timestamps.
    pub fn split(&self, parts: usize) -> Vec<std::ops::Range<usize>> {
        if self.lines.is_empty() {
            return vec![0..0; parts];
        }
        let stamps = self.stamp_indices();
        let mut cuts: Vec<usize> = (1..parts)
            .map(|k| stamps[(stamps.len() * k / parts).min(stamps.len() - 1)])
            .collect();
        cuts.insert(0, 0);
        cuts.push(self.lines.len());
        cuts.dedup();
        cuts.windows(2).map(|w| w[0]..w[1]).collect()
    }

    /// The time of the stamp closest to the middle of the log: a `--since` that keeps about half.
    pub fn middle_time(&self) -> i64 {
        self.lines[self.lines.len() / 2].1
    }
}

const STAMP_TAIL: &str = " heartbeat";

fn stamp_line(time: i64) -> String {
    let ts = jiff::Timestamp::from_second(time).unwrap();
    format!("{}{STAMP_TAIL}", ts.strftime("%Y-%m-%dT%H:%M:%SZ"))
}

/// Lines of real shapes without a time of their own (sample logs and the labelled corpus):
/// `(lines with codes, lines without)`, as the oracle judges them.
fn material() -> &'static (Vec<String>, Vec<String>) {
    static MATERIAL: OnceLock<(Vec<String>, Vec<String>)> = OnceLock::new();
    MATERIAL.get_or_init(|| {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(root().join("sample-logs")).unwrap() {
            let path = entry.unwrap().path();
            // The sample archive is checked by its own golden test.
            if path.extension().is_none_or(|e| e != "log") {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            all.extend(text.lines().map(str::to_owned));
        }
        let corpus = std::fs::read_to_string(root().join("tests/data/corpus.txt")).unwrap();
        all.extend(
            corpus
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split_once(" | ").map(|(_, line)| line.to_owned())),
        );
        all.retain(|l| {
            !l.contains('\r') && jmlog::timestamp::parse(l.as_bytes()).is_none() && !l.is_empty()
        });
        all.sort();
        all.dedup();
        all.into_iter()
            .partition(|l| !oracle::line_codes(l, false).is_empty())
    })
}

/// A small deterministic generator (a linear congruential one is enough to mix lines).
struct Mix(u64);

impl Mix {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

/// Codes in the code space that the catalog does not know.
fn unknown_codes(n: usize) -> Vec<u32> {
    let catalog = Catalog::builtin();
    (810_000u32..)
        .filter(|c| !catalog.contains(*c))
        .take(n)
        .collect()
}

/// A log of `code_lines` lines with known codes (from the material), `unknown_lines` lines with
/// one of `unknown_distinct` unknown codes, and `quiet_lines` lines without codes, mixed, with a
/// timestamp every 40 lines spread over six days.
fn generate(
    code_lines: usize,
    unknown_lines: usize,
    unknown_distinct: usize,
    quiet_lines: usize,
) -> Log {
    let (with_codes, without) = material();
    let unknown = unknown_codes(unknown_distinct);
    let total = code_lines + unknown_lines + quiet_lines;
    let stamps = total / 40 + 1;
    let step = (6 * DAY / stamps as i64).max(1);
    let mut mix = Mix(7);
    let (mut c, mut u, mut q) = (0, 0, 0);
    let mut time = START;
    let mut lines = Vec::with_capacity(total + stamps);
    for i in 0..total {
        if i % 40 == 0 {
            if i > 0 {
                time += step;
            }
            lines.push((stamp_line(time), time));
        }
        // Pick a kind in proportion to what is left of it.
        let left = (code_lines - c) + (unknown_lines - u) + (quiet_lines - q);
        let pick = mix.next(left);
        let line = if pick < code_lines - c {
            c += 1;
            with_codes[mix.next(with_codes.len())].clone()
        } else if pick < code_lines - c + 1 + unknown_lines - u && u < unknown_lines {
            u += 1;
            let code = unknown[u % unknown.len()];
            format!("W/Sync: sync failed, errCode={code} attempt={}", u % 7)
        } else {
            q += 1;
            without[mix.next(without.len())].clone()
        };
        lines.push((line, time));
    }
    Log::new(lines)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Size {
    /// No bytes at all.
    Empty,
    /// Lines, timestamps, decoys, no code.
    NoCodes,
    /// One line with one code among decoys.
    OneCode,
    /// About 2 MiB: several chunks of the readers, 15,000 code lines.
    Medium,
    /// About 12 MiB: over the 8 MiB of the parallel file reader's path, 105,000 code lines,
    /// 30,000 distinct unknown codes (every report but Prometheus's passes 1 MiB).
    Big,
}

pub fn log(size: Size) -> &'static Log {
    static LOGS: OnceLock<std::sync::Mutex<BTreeMap<Size, &'static Log>>> = OnceLock::new();
    let logs = LOGS.get_or_init(Default::default);
    // Generated under the lock: concurrent tests wait for one generation instead of racing.
    let mut logs = logs.lock().unwrap_or_else(|e| e.into_inner());
    logs.entry(size).or_insert_with(|| {
        let log = match size {
            Size::Empty => Log::new(Vec::new()),
            Size::NoCodes => generate(0, 0, 1, 300),
            Size::OneCode => {
                let mut log = generate(0, 0, 1, 300);
                log.lines.insert(
                    150,
                    ("login failed, code=801004".to_owned(), log.lines[149].1),
                );
                log
            }
            Size::Medium => generate(12_000, 3_000, 2_000, 10_000),
            Size::Big => generate(75_000, 30_000, 30_000, 45_000),
        };
        Box::leak(Box::new(log))
    })
}

// ---------------------------------------------------------------------------------------------
// Input kinds

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    /// A directory of three files, cut at timestamps.
    Dir,
    Stdin,
    Gzip,
    Zstd,
    /// zstd frames each after a skippable frame, as `pzstd` writes them.
    Pzstd,
    Xz,
    Bzip2,
    Utf16Le,
    Utf16Be,
}

pub const KINDS: [Kind; 10] = [
    Kind::File,
    Kind::Dir,
    Kind::Stdin,
    Kind::Gzip,
    Kind::Zstd,
    Kind::Pzstd,
    Kind::Xz,
    Kind::Bzip2,
    Kind::Utf16Le,
    Kind::Utf16Be,
];

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 0);
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// What `pzstd` writes: for each 1 MiB of input, a skippable frame holding the size of the zstd
/// frame that follows it, then that frame.
pub fn pzstd(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let pieces: Vec<&[u8]> = if data.is_empty() {
        vec![data]
    } else {
        data.chunks(1 << 20).collect()
    };
    for piece in pieces {
        let frame = zstd::encode_all(piece, 1).unwrap();
        out.extend_from_slice(&0x184D_2A50u32.to_le_bytes());
        out.extend_from_slice(&4u32.to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&frame);
    }
    out
}

/// An input ready to run: the arguments naming it, standard input, and the line ranges of the log
/// that each input holds (in the order jmlog lists its inputs).
pub struct Prepared {
    pub args: Vec<String>,
    pub stdin: Option<Vec<u8>>,
    pub parts: Vec<std::ops::Range<usize>>,
}

pub fn prepare(kind: Kind, log: &Log, dir: &Path) -> Prepared {
    let text = log.text();
    let whole: Vec<_> = std::iter::once(0..log.lines.len()).collect();
    let file = |name: &str, bytes: Vec<u8>| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        Prepared {
            args: vec![arg(&path)],
            stdin: None,
            parts: whole.clone(),
        }
    };
    match kind {
        Kind::File => file("app.log", text.into_bytes()),
        Kind::Stdin => Prepared {
            args: vec!["-".to_owned()],
            stdin: Some(text.into_bytes()),
            parts: whole,
        },
        Kind::Dir => {
            let logs = dir.join("logs");
            std::fs::create_dir_all(&logs).unwrap();
            let parts = log.split(3);
            for (i, part) in parts.iter().enumerate() {
                let mut body = String::new();
                for (line, _) in &log.lines[part.clone()] {
                    body.push_str(line);
                    body.push('\n');
                }
                std::fs::write(logs.join(format!("app.log.{}", i + 1)), body).unwrap();
            }
            Prepared {
                args: vec![arg(&logs)],
                stdin: None,
                parts,
            }
        }
        Kind::Gzip => file("app.log.gz", gzip(text.as_bytes())),
        Kind::Zstd => file("app.log.zst", zstd::encode_all(text.as_bytes(), 1).unwrap()),
        Kind::Pzstd => file("app.log.pzst", pzstd(text.as_bytes())),
        Kind::Xz => file("app.log.xz", xz(text.as_bytes())),
        Kind::Bzip2 => file("app.log.bz2", bzip2(text.as_bytes())),
        Kind::Utf16Le => file("app-utf16le.log", utf16_with_bom(&text, false)),
        Kind::Utf16Be => file("app-utf16be.log", utf16_with_bom(&text, true)),
    }
}

// ---------------------------------------------------------------------------------------------
// Running and reading reports

/// Runs jmlog under `limit`; `Err` names a hang, a crash or an unexpected exit code.
pub fn run_case(
    args: &[String],
    stdin: Option<&[u8]>,
    limit: Duration,
    expected_exit: i32,
) -> Result<Run, String> {
    let mut jm = Jmlog::new(args).timeout(limit);
    if let Some(bytes) = stdin {
        jm = jm.stdin(bytes);
    }
    let run = jm.try_run().map_err(|t| {
        format!(
            "HANG: killed after {:.1?} (limit {limit:?}); {} bytes of stdout; stderr: {}",
            t.elapsed,
            t.stdout.len(),
            String::from_utf8_lossy(&t.stderr).trim()
        )
    })?;
    if run.code() != expected_exit {
        return Err(format!(
            "exit {} (expected {expected_exit}); stderr: {}",
            run.code(),
            cut(&run.stderr(), 600)
        ));
    }
    Ok(run)
}

fn cut(s: &str, n: usize) -> String {
    if s.len() <= n {
        s.trim().to_owned()
    } else {
        let mut end = n;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", s[..end].trim())
    }
}

/// The report a run wrote: to stdout, or to the file its `-o` named.
pub fn output_of(run: &Run, out_file: Option<&Path>) -> Result<Vec<u8>, String> {
    match out_file {
        Some(path) => {
            if !run.output.stdout.is_empty() {
                return Err(format!(
                    "with -o, {} bytes went to stdout",
                    run.output.stdout.len()
                ));
            }
            std::fs::read(path).map_err(|e| format!("-o {}: {e}", path.display()))
        }
        None => Ok(run.output.stdout.clone()),
    }
}

/// Per code (known and unknown alike), its count in a JSON report.
pub fn json_per_code(report: &Value) -> BTreeMap<u32, u64> {
    let mut map = BTreeMap::new();
    for key in ["codes", "unknown_codes"] {
        for row in report[key].as_array().into_iter().flatten() {
            map.insert(
                row["code"].as_u64().unwrap() as u32,
                row["count"].as_u64().unwrap(),
            );
        }
    }
    map
}

fn number(s: &str) -> u64 {
    s.replace(',', "").parse().unwrap()
}

/// Checks that a report in `format` gives the counts of the JSON report `json` (made with the same
/// arguments). `by` tells whether the reports have a histogram; `merged` that they come from
/// `merge`, whose NDJSON has no events (it reads no lines), only the summary.
pub fn same_counts(
    format: &str,
    out: &[u8],
    json: &Value,
    by: bool,
    merged: bool,
) -> Result<(), String> {
    let text = String::from_utf8_lossy(out);
    let want = json_per_code(json);
    let totals = &json["totals"];
    let mismatch = |what: &str, got: &dyn std::fmt::Debug, want: &dyn std::fmt::Debug| {
        Err(format!(
            "{format}: {what}: {got:?}, the JSON report says {want:?}"
        ))
    };
    let table = |re: &Regex| -> BTreeMap<u32, u64> {
        re.captures_iter(&text)
            .map(|c| (c[1].parse().unwrap(), number(&c[2])))
            .collect()
    };
    match format {
        "json" => {
            let other: Value = serde_json::from_slice(out).map_err(|e| format!("json: {e}"))?;
            if &other != json {
                return Err("json: differs from the reference JSON run".into());
            }
        }
        "text" => {
            static ROW: OnceLock<Regex> = OnceLock::new();
            let row = ROW.get_or_init(|| Regex::new(r"(?m)^ *(\d{6,7}) +([\d,]+) ").unwrap());
            let got = table(row);
            if got != want {
                return mismatch("codes", &diff(&got, &want), &"");
            }
            let head = match totals["code_lines"].as_u64().unwrap() {
                1 => "1 line with codes".to_owned(),
                n => format!("{} lines with codes", grouped(n)),
            };
            let on = format!(
                " on {} line",
                grouped(totals["code_lines"].as_u64().unwrap())
            );
            if !text.contains(&head) && !text.contains(&on) {
                return mismatch("headline", &cut(&text, 200), &head);
            }
        }
        "markdown" => {
            static ROW: OnceLock<Regex> = OnceLock::new();
            let row = ROW.get_or_init(|| Regex::new(r"(?m)^\| (\d{6,7}) \| ([\d,]+) \|").unwrap());
            let got = table(row);
            if got != want {
                return mismatch("codes", &diff(&got, &want), &"");
            }
        }
        "html" => {
            static ROW: OnceLock<Regex> = OnceLock::new();
            let row = ROW.get_or_init(|| {
                Regex::new(r#"<code>(\d{6,7})</code></td><td class="num"[^>]*>([\d,]+)</td>"#)
                    .unwrap()
            });
            let got = table(row);
            if got != want {
                return mismatch("codes", &diff(&got, &want), &"");
            }
        }
        "csv" => {
            let mut reader = csv::Reader::from_reader(out);
            let headers = reader.headers().map_err(|e| format!("csv: {e}"))?.clone();
            let col = |name: &str| headers.iter().position(|h| h == name);
            let (code, count) = (
                col("code").ok_or("csv: no code column")?,
                col("count").ok_or("csv: no count column")?,
            );
            if by && col("bucket").is_none() {
                return Err("csv: --by but no bucket column".into());
            }
            // Per-input rows (the `input` column set) repeat the counts input by input; with
            // `--by`, a bucket's unknown codes share one row with an empty code (the histogram
            // counts unknown codes per bucket, not per code).
            let input = col("input");
            let known = col("known").ok_or("csv: no known column")?;
            let mut got: BTreeMap<u32, u64> = BTreeMap::new();
            let mut unknown_rows = 0;
            for rec in reader.records() {
                let rec = rec.map_err(|e| format!("csv: {e}"))?;
                if input.is_some_and(|i| !rec[i].is_empty()) {
                    continue;
                }
                if by && rec[code].is_empty() && &rec[known] == "false" {
                    unknown_rows += rec[count].parse::<u64>().map_err(|e| format!("csv: {e}"))?;
                    continue;
                }
                *got.entry(
                    rec[code]
                        .parse()
                        .map_err(|e| format!("csv code {:?}: {e}", &rec[code]))?,
                )
                .or_default() += rec[count].parse::<u64>().map_err(|e| format!("csv: {e}"))?;
            }
            // The codes with no row of their own are exactly those the unknown rows hold.
            let mut want = want.clone();
            if by {
                let shared: u64 = want
                    .iter()
                    .filter(|(c, _)| !got.contains_key(c))
                    .map(|(_, n)| n)
                    .sum();
                if shared != unknown_rows {
                    return Err(format!(
                        "csv: the unknown-code rows hold {unknown_rows}, the codes without rows \
                         {shared}"
                    ));
                }
                want.retain(|c, _| got.contains_key(c));
            }
            if got != want {
                return mismatch("codes (summed over rows)", &diff(&got, &want), &"");
            }
        }
        "ndjson" => {
            let mut events: BTreeMap<u32, u64> = BTreeMap::new();
            let mut summary = None;
            for (i, line) in text.lines().enumerate() {
                let v: Value = serde_json::from_str(line)
                    .map_err(|e| format!("ndjson line {}: {e}", i + 1))?;
                match v["type"].as_str() {
                    Some("code") => {
                        *events
                            .entry(v["code"].as_u64().unwrap() as u32)
                            .or_default() += 1
                    }
                    Some("summary") => summary = Some(v["report"].clone()),
                    _ => return Err(format!("ndjson line {}: {line}", i + 1)),
                }
            }
            let Some(summary) = summary else {
                return Err("ndjson: no summary".into());
            };
            let want_events = if merged {
                BTreeMap::new()
            } else {
                want.clone()
            };
            if events != want_events {
                return mismatch("events per code", &diff(&events, &want_events), &"");
            }
            if json_per_code(&summary) != want || summary["totals"] != *totals {
                return Err("ndjson: the summary's counts differ from the JSON report".into());
            }
        }
        "prometheus" => {
            static METRIC: OnceLock<Regex> = OnceLock::new();
            let metric = METRIC.get_or_init(|| {
                Regex::new(r#"(?m)^(jmlog_errors_total|jmlog_unknown_errors_total)\{code="(\w+)"[^}]*\} (\d+)$"#)
                    .unwrap()
            });
            let mut got: BTreeMap<u32, u64> = BTreeMap::new();
            let mut other = 0;
            for c in metric.captures_iter(&text) {
                let n: u64 = c[3].parse().unwrap();
                match c[2].parse::<u32>() {
                    Ok(code) => {
                        got.insert(code, n);
                    }
                    Err(_) => other += n,
                }
            }
            // Unknown codes past the first 20 are summed as code="other".
            let listed: u64 = want
                .iter()
                .filter(|(c, _)| !got.contains_key(c))
                .map(|(_, n)| n)
                .sum();
            let wrong: Vec<_> = got.iter().filter(|(c, n)| want.get(c) != Some(n)).collect();
            if !wrong.is_empty() || listed != other {
                return Err(format!(
                    "prometheus: codes differ: {wrong:?}; \"other\" {other}, the rest of the JSON report {listed}"
                ));
            }
            for (name, key) in [("jmlog_lines", "lines"), ("jmlog_code_lines", "code_lines")] {
                let line = format!("{name} {}", totals[key]);
                if !text.lines().any(|l| l == line) {
                    return mismatch(name, &"missing or different", &line);
                }
            }
        }
        _ => unreachable!("{format}"),
    }
    Ok(())
}

/// The first few differences between two count maps.
fn diff(got: &BTreeMap<u32, u64>, want: &BTreeMap<u32, u64>) -> String {
    let mut out = Vec::new();
    for code in got
        .keys()
        .chain(want.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (g, w) = (got.get(code), want.get(code));
        if g != w {
            out.push(format!("{code}: {g:?} vs {w:?}"));
        }
    }
    let n = out.len();
    out.truncate(5);
    format!(
        "{n} codes differ ({} in the format, {} in the JSON report): {}",
        got.len(),
        want.len(),
        out.join(", ")
    )
}

/// Checks a JSON report against the oracle's counts of the whole log (all parts).
pub fn equals_oracle(report: &Value, expected: &Counts) -> Result<(), String> {
    let got = oracle::report_counts(report);
    let want = oracle::as_report_counts(expected);
    if got == want {
        return Ok(());
    }
    let mut why = Vec::new();
    for key in ["lines", "code_lines", "codes", "unknown_codes"] {
        if got[key] != want[key] {
            why.push(format!("{key} {} (oracle {})", got[key], want[key]));
        }
    }
    let g: BTreeMap<u32, u64> = json_per_code(report);
    let mut w = expected.codes.clone();
    w.extend(expected.unknown.iter());
    if g != w {
        why.push(diff(&g, &w));
    }
    Err(format!(
        "JSON report differs from the oracle: {}",
        why.join("; ")
    ))
}

/// The oracle's counts of a prepared input: the sum over its parts.
fn expected(log: &Log, prepared: &Prepared, since: Option<i64>) -> Counts {
    let mut all = Counts::default();
    for part in &prepared.parts {
        let c = log.counts(part.clone(), since);
        all.lines += c.lines;
        all.code_lines += c.code_lines;
        for (k, v) in c.codes {
            *all.codes.entry(k).or_default() += v;
        }
        for (k, v) in c.unknown {
            *all.unknown.entry(k).or_default() += v;
        }
    }
    all
}

/// Checks the histogram of a `--by day --tz UTC` JSON report against the oracle.
fn histogram_equals_oracle(report: &Value, log: &Log, since: Option<i64>) -> Result<(), String> {
    let series = report["histogram"]["series"]
        .as_array()
        .ok_or("--by day: no histogram.series")?;
    let mut got: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    for bucket in series {
        let start: jiff::Timestamp = bucket["start"]
            .as_str()
            .ok_or("bucket without start")?
            .parse()
            .map_err(|e| format!("bucket start: {e}"))?;
        let (total, unknown) = (
            bucket["total"].as_u64().unwrap(),
            bucket["unknown"].as_u64().unwrap(),
        );
        if total + unknown > 0 {
            got.insert(start.as_second(), (total, unknown));
        }
    }
    let want = log.per_day(since);
    if got != want {
        return Err(format!(
            "--by day: buckets (day → known, unknown) {got:?}, the oracle {want:?}"
        ));
    }
    Ok(())
}

/// The events of an NDJSON report, per input path in the order of the report's inputs: each
/// event's line and code, compared with the oracle's lines of that part.
fn events_equal_oracle(out: &[u8], log: &Log, prepared: &Prepared) -> Result<(), String> {
    let text = String::from_utf8_lossy(out);
    let mut per_path: BTreeMap<String, Vec<(u64, u32)>> = BTreeMap::new();
    let mut summary = Value::Null;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("ndjson: {e}"))?;
        if v["type"] == "summary" {
            summary = v["report"].clone();
        } else {
            per_path
                .entry(v["path"].as_str().unwrap_or("").to_owned())
                .or_default()
                .push((
                    v["line"].as_u64().unwrap(),
                    v["code"].as_u64().unwrap() as u32,
                ));
        }
    }
    let inputs = summary["inputs"]
        .as_array()
        .ok_or("ndjson: no summary inputs")?;
    if inputs.len() != prepared.parts.len() {
        return Err(format!(
            "ndjson: {} inputs, expected {}",
            inputs.len(),
            prepared.parts.len()
        ));
    }
    for (input, part) in inputs.iter().zip(&prepared.parts) {
        let path = input["path"].as_str().unwrap();
        let mut got = per_path.remove(path).unwrap_or_default();
        got.sort();
        let want = log.counts(part.clone(), None).events();
        if got != want {
            let first = got
                .iter()
                .zip(&want)
                .find(|(g, w)| g != w)
                .map(|(g, w)| format!("first difference: event {g:?}, oracle {w:?}"))
                .unwrap_or_default();
            return Err(format!(
                "ndjson events of {path}: {} events, the oracle {}; {first}",
                got.len(),
                want.len()
            ));
        }
    }
    Ok(())
}

/// The failures of one matrix test, reported together at its end.
#[derive(Default)]
pub struct Failures(Vec<String>);

impl Failures {
    pub fn check(&mut self, case: &str, result: Result<(), String>) {
        if let Err(why) = result {
            self.0.push(format!("{case}: {why}"));
        }
    }

    #[track_caller]
    pub fn assert_none(self, cases: usize) {
        assert!(
            self.0.is_empty(),
            "{} of {cases} cases failed:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// analyze

/// One `analyze` run in every format (to stdout, or with `-o`), cross-checked with the JSON report
/// of the same arguments, which is checked against the oracle.
/// One row of the analyze matrix.
struct Case<'a> {
    name: &'a str,
    kind: Kind,
    options: &'a [&'a str],
    /// The `--since` among the options, for the oracle.
    since: Option<i64>,
    formats: &'a [&'a str],
    /// Which outputs to try: stdout (`false`), `-o FILE` (`true`).
    to_file: &'a [bool],
    limit: Duration,
}

fn analyze_case(failures: &mut Failures, log: &Log, case: Case<'_>) -> usize {
    let Case {
        name,
        kind,
        options,
        since,
        formats,
        to_file,
        limit,
    } = case;
    let dir = tempdir();
    let prepared = prepare(kind, log, &dir);
    let by = options.contains(&"--by");
    let base: Vec<String> = [
        "analyze", "-q", "--top", "0", "--tz", "UTC", "--year", "2026",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(options.iter().map(|s| s.to_string()))
    .collect();
    let mut runs = 0;
    let case = format!("analyze {name} {kind:?} {}", options.join(" "));
    // The reference: JSON to stdout.
    let mut args = base.clone();
    args.extend(["-f".into(), "json".into()]);
    args.extend(prepared.args.iter().cloned());
    runs += 1;
    let reference = match run_case(&args, prepared.stdin.as_deref(), limit, 0) {
        Ok(run) => match serde_json::from_slice::<Value>(&run.output.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.check(&format!("{case} json"), Err(format!("not JSON: {e}")));
                return runs;
            }
        },
        Err(why) => {
            failures.check(&format!("{case} json"), Err(why));
            return runs;
        }
    };
    let want = expected(log, &prepared, since);
    failures.check(&format!("{case} json"), equals_oracle(&reference, &want));
    if by {
        failures.check(
            &format!("{case} json histogram"),
            histogram_equals_oracle(&reference, log, since),
        );
    }
    for &format in formats {
        for &file in to_file {
            if format == "json" && !file {
                continue;
            }
            let mut args = base.clone();
            args.extend(["-f".into(), format.into()]);
            let out_path = file.then(|| dir.join(format!("report.{format}")));
            if let Some(p) = &out_path {
                args.extend(["-o".into(), arg(p)]);
            }
            args.extend(prepared.args.iter().cloned());
            let label = format!(
                "{case} -f {format} {}",
                if file { "-o FILE" } else { "(stdout)" }
            );
            runs += 1;
            let result = run_case(&args, prepared.stdin.as_deref(), limit, 0)
                .and_then(|run| output_of(&run, out_path.as_deref()))
                .and_then(|out| {
                    same_counts(format, &out, &reference, by, false)?;
                    if format == "ndjson" && since.is_none() {
                        events_equal_oracle(&out, log, &prepared)?;
                    }
                    Ok(())
                });
            failures.check(&label, result);
        }
    }
    runs
}

/// The big input in every format, to stdout and with `-o`: reports over 1 MiB, a file over
/// 8 MiB read by the parallel file reader.
#[test]
fn analyze_every_format_at_size() {
    let mut failures = Failures::default();
    let runs = analyze_case(
        &mut failures,
        log(Size::Big),
        Case {
            name: "big",
            kind: Kind::File,
            options: &[],
            since: None,
            formats: &FORMATS,
            to_file: &[false, true],
            limit: BIG_LIMIT,
        },
    );
    failures.assert_none(runs);
}

/// The big input through every input kind: the JSON report equals the oracle, and NDJSON's events
/// carry the oracle's line numbers.
#[test]
fn analyze_every_input_kind_at_size() {
    let mut failures = Failures::default();
    let mut runs = 0;
    for kind in KINDS {
        runs += analyze_case(
            &mut failures,
            log(Size::Big),
            Case {
                name: "big",
                kind,
                options: &[],
                since: None,
                formats: &["ndjson"],
                to_file: &[true],
                limit: BIG_LIMIT,
            },
        );
    }
    failures.assert_none(runs);
}

/// No input, no codes and one code, through every input kind and every format.
#[test]
fn analyze_small_sizes_every_kind_and_format() {
    let mut failures = Failures::default();
    let mut runs = 0;
    for size in [Size::Empty, Size::NoCodes, Size::OneCode] {
        for kind in KINDS {
            let to_file: &[bool] = if kind == Kind::File {
                &[false, true]
            } else {
                &[false]
            };
            runs += analyze_case(
                &mut failures,
                log(size),
                Case {
                    name: &format!("{size:?}"),
                    kind,
                    options: &[],
                    since: None,
                    formats: &FORMATS,
                    to_file,
                    limit: SMALL_LIMIT,
                },
            );
        }
    }
    failures.assert_none(runs);
}

/// Options that change the path through the scanner and the renderers: `--by day`, `--since`,
/// `-j1`, all three, each in every format, to stdout and with `-o`; the big input with `--by day`
/// and with `--since`, in every format.
#[test]
fn analyze_options_that_change_paths() {
    let mut failures = Failures::default();
    let mut runs = 0;
    let medium = log(Size::Medium);
    let since = medium.middle_time();
    let since_arg = jiff::Timestamp::from_second(since).unwrap().to_string();
    let option_sets: Vec<(Vec<&str>, Option<i64>)> = vec![
        (vec!["--by", "day"], None),
        (vec!["--since", &since_arg], Some(since)),
        (vec!["-j1"], None),
        (
            vec!["--by", "day", "--since", &since_arg, "-j1"],
            Some(since),
        ),
    ];
    for (options, since) in &option_sets {
        runs += analyze_case(
            &mut failures,
            medium,
            Case {
                name: "medium",
                kind: Kind::File,
                options,
                since: *since,
                formats: &FORMATS,
                to_file: &[false, true],
                limit: SMALL_LIMIT,
            },
        );
    }
    let big = log(Size::Big);
    let big_since = big.middle_time();
    let big_since_arg = jiff::Timestamp::from_second(big_since).unwrap().to_string();
    runs += analyze_case(
        &mut failures,
        big,
        Case {
            name: "big",
            kind: Kind::File,
            options: &["--by", "day"],
            since: None,
            formats: &FORMATS,
            to_file: &[true],
            limit: BIG_LIMIT,
        },
    );
    runs += analyze_case(
        &mut failures,
        big,
        Case {
            name: "big",
            kind: Kind::Gzip,
            options: &["--since", &big_since_arg, "-j1"],
            since: Some(big_since),
            formats: &["csv", "ndjson"],
            to_file: &[true],
            limit: BIG_LIMIT,
        },
    );
    failures.assert_none(runs);
}

// ---------------------------------------------------------------------------------------------
// merge

/// Shard reports of a log cut in three, merged in every format (to stdout and with `-o`): the
/// merged JSON equals the oracle of the whole log, every format equals the merged JSON.
#[test]
fn merge_every_format_and_size() {
    let mut failures = Failures::default();
    let mut runs = 0;
    let cases: [(Size, &[&str], &[bool], Duration); 4] = [
        (Size::Empty, &[], &[false], SMALL_LIMIT),
        (Size::OneCode, &["--by", "day"], &[false, true], SMALL_LIMIT),
        (Size::Big, &[], &[false, true], BIG_LIMIT),
        (Size::Big, &["--by", "day"], &[true], BIG_LIMIT),
    ];
    for (size, options, to_file, limit) in cases {
        let log = log(size);
        let dir = tempdir();
        let prepared = prepare(Kind::Dir, log, &dir);
        let case = format!("merge {size:?} {}", options.join(" "));
        // One shard report per file of the directory.
        let mut shards = Vec::new();
        let files = {
            let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("logs"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            v.sort();
            v
        };
        for (i, file) in files.iter().enumerate() {
            let shard = dir.join(format!("shard-{i}.json"));
            let mut args: Vec<String> = ["analyze", "-q", "-f", "json", "--tz", "UTC"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            args.extend(options.iter().map(|s| s.to_string()));
            args.extend(["-o".into(), arg(&shard), arg(file)]);
            runs += 1;
            match run_case(&args, None, limit, 0) {
                Ok(_) => shards.push(arg(&shard)),
                Err(why) => failures.check(&format!("{case} shard {i}"), Err(why)),
            }
        }
        if shards.len() != files.len() {
            continue;
        }
        let merge_args = |format: &str, out: Option<&Path>| -> Vec<String> {
            let mut a: Vec<String> = vec!["merge".into(), "--top".into(), "0".into()];
            a.extend(["-f".into(), format.into()]);
            if let Some(p) = out {
                a.extend(["-o".into(), arg(p)]);
            }
            a.extend(shards.iter().cloned());
            a
        };
        runs += 1;
        let reference = match run_case(&merge_args("json", None), None, limit, 0) {
            Ok(run) => serde_json::from_slice::<Value>(&run.output.stdout).unwrap(),
            Err(why) => {
                failures.check(&format!("{case} json"), Err(why));
                continue;
            }
        };
        failures.check(
            &format!("{case} json"),
            equals_oracle(&reference, &expected(log, &prepared, None)),
        );
        if !options.is_empty() {
            failures.check(
                &format!("{case} json histogram"),
                histogram_equals_oracle(&reference, log, None),
            );
        }
        for format in FORMATS {
            for &file in to_file {
                if format == "json" && !file {
                    continue;
                }
                let out_path = file.then(|| dir.join(format!("merged.{format}")));
                runs += 1;
                let result = run_case(&merge_args(format, out_path.as_deref()), None, limit, 0)
                    .and_then(|run| output_of(&run, out_path.as_deref()))
                    .and_then(|out| {
                        same_counts(format, &out, &reference, !options.is_empty(), true)
                    });
                failures.check(
                    &format!(
                        "{case} -f {format} {}",
                        if file { "-o FILE" } else { "(stdout)" }
                    ),
                    result,
                );
            }
        }
    }
    failures.assert_none(runs);
}

// ---------------------------------------------------------------------------------------------
// annotate

/// Checks annotate's output: every input line comes out unchanged, followed by one `⟨CODE …⟩` per
/// code the oracle finds on it, in the order of the codes.
fn annotated_equals_oracle(out: &[u8], log: &Log) -> Result<(), String> {
    static NOTE: OnceLock<Regex> = OnceLock::new();
    let note =
        NOTE.get_or_init(|| Regex::new(r"  ⟨(\d{6,7}) [^⟩]*⟩(?: ⟨(\d{6,7}) [^⟩]*⟩)*$").unwrap());
    static ONE: OnceLock<Regex> = OnceLock::new();
    let one = ONE.get_or_init(|| Regex::new(r"⟨(\d{6,7}) [^⟩]*⟩").unwrap());
    let text = String::from_utf8_lossy(out);
    let got: Vec<&str> = if text.is_empty() {
        Vec::new()
    } else {
        text.strip_suffix('\n')
            .unwrap_or(&text)
            .split('\n')
            .collect()
    };
    if got.len() != log.lines.len() {
        return Err(format!("{} lines out, {} in", got.len(), log.lines.len()));
    }
    for (i, (out_line, (in_line, _))) in got.iter().zip(&log.lines).enumerate() {
        let Some(rest) = out_line.strip_prefix(in_line.as_str()) else {
            return Err(format!("line {} changed: {out_line:?}", i + 1));
        };
        let codes: Vec<u32> = if rest.is_empty() {
            Vec::new()
        } else if note.is_match(rest) {
            one.captures_iter(rest)
                .map(|c| c[1].parse().unwrap())
                .collect()
        } else {
            return Err(format!("line {}: unexpected tail {rest:?}", i + 1));
        };
        let want: Vec<u32> = log.found(i).iter().map(|&(c, _)| c).collect();
        if codes != want {
            return Err(format!(
                "line {}: annotated {codes:?}, the oracle {want:?}: {in_line}",
                i + 1
            ));
        }
    }
    Ok(())
}

/// `annotate` on a file and on stdin, for every size: each line through unchanged, each code the
/// oracle finds explained at its end.
#[test]
fn annotate_every_input_and_size() {
    let mut failures = Failures::default();
    let mut runs = 0;
    for size in [Size::Empty, Size::NoCodes, Size::OneCode, Size::Big] {
        let limit = if size == Size::Big {
            BIG_LIMIT
        } else {
            SMALL_LIMIT
        };
        let log = log(size);
        for kind in [Kind::File, Kind::Stdin] {
            let dir = tempdir();
            let prepared = prepare(kind, log, &dir);
            let mut args = vec!["annotate".to_owned(), "--color".into(), "never".into()];
            args.extend(prepared.args.iter().cloned());
            runs += 1;
            let result = run_case(&args, prepared.stdin.as_deref(), limit, 0)
                .and_then(|run| annotated_equals_oracle(&run.output.stdout, log));
            failures.check(&format!("annotate {size:?} {kind:?}"), result);
        }
    }
    failures.assert_none(runs);
}

// ---------------------------------------------------------------------------------------------
// watch

/// `watch --from-start` on a file of each size (with one last code line as a marker of its end),
/// stopped by SIGTERM or SIGINT once the marker's event is out: its events carry the oracle's
/// lines, its summary the oracle's counts.
fn watch_case(size: Size, signal: &str) -> Result<(), String> {
    let dir = tempdir();
    let mut lines = log(size).lines.clone();
    let last_time = lines.last().map_or(START, |l| l.1);
    lines.push((
        "watch marker: login failed, code=801004".to_owned(),
        last_time,
    ));
    let log = Log::new(lines);
    let path = dir.join("live.log");
    std::fs::write(&path, log.text()).unwrap();
    let want = log.counts(0..log.lines.len(), None);
    let marker_line = log.lines.len() as u64;
    let limit = if size == Size::Big {
        BIG_LIMIT
    } else {
        SMALL_LIMIT
    };
    let mut jm = Watched::spawn_for(
        Command::new(bin())
            .args(["watch", "--from-start", "--interval", "20", &arg(&path)])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
        limit,
    );
    let (tx, rx) = mpsc::channel();
    let stdout = jm.child.stdout.take().unwrap();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + limit;
    let mut events: Vec<(u64, u32)> = Vec::new();
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .map_err(|_| {
                format!(
                    "HANG: {} events in {limit:?}, no event for the last line",
                    events.len()
                )
            })?;
        let v: Value = serde_json::from_str(&line).map_err(|e| format!("{e}: {line}"))?;
        let event = (
            v["line"].as_u64().unwrap(),
            v["code"].as_u64().unwrap() as u32,
        );
        events.push(event);
        if event.0 == marker_line {
            break;
        }
    }
    Command::new("kill")
        .args([signal, &jm.child.id().to_string()])
        .status()
        .unwrap();
    let mut summary = None;
    while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        let v: Value = serde_json::from_str(&line).map_err(|e| format!("{e}: {line}"))?;
        if v["type"] == "summary" {
            summary = Some(v["report"].clone());
        } else {
            events.push((
                v["line"].as_u64().unwrap(),
                v["code"].as_u64().unwrap() as u32,
            ));
        }
    }
    let status = jm.wait();
    if status.code() != Some(0) {
        return Err(format!("exit {status} after {signal}"));
    }
    let summary = summary.ok_or(format!("no summary after {signal}"))?;
    events.sort();
    if events != want.events() {
        return Err(format!(
            "{} events, the oracle {}",
            events.len(),
            want.events().len()
        ));
    }
    equals_oracle(&summary, &want)
}

#[test]
fn watch_from_start_every_size() {
    let mut failures = Failures::default();
    let cases = [
        (Size::NoCodes, "-TERM"),
        (Size::OneCode, "-INT"),
        (Size::Medium, "-TERM"),
        (Size::Big, "-INT"),
    ];
    for (size, signal) in cases {
        failures.check(
            &format!("watch {size:?} {signal}"),
            watch_case(size, signal),
        );
    }
    failures.assert_none(cases.len());
}

/// NDJSON events of an input read in many chunks (64 KiB here, about 30 of them), by the parallel
/// file reader, the stream reader and a decompressor, with several threads and with one: every
/// event's line is the oracle's.
#[test]
fn ndjson_event_lines_are_the_oracles_across_chunks() {
    let mut failures = Failures::default();
    let mut runs = 0;
    let log = log(Size::Medium);
    for kind in [Kind::File, Kind::Stdin, Kind::Gzip] {
        for threads in ["-j2", "-j1"] {
            let dir = tempdir();
            let prepared = prepare(kind, log, &dir);
            let out = dir.join("events.ndjson");
            let mut args: Vec<String> = ["analyze", "-q", "-f", "ndjson", "--chunk-size", "65536"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            args.extend([threads.to_owned(), "-o".into(), arg(&out)]);
            args.extend(prepared.args.iter().cloned());
            runs += 1;
            let result = run_case(&args, prepared.stdin.as_deref(), SMALL_LIMIT, 0)
                .and_then(|run| output_of(&run, Some(&out)))
                .and_then(|bytes| events_equal_oracle(&bytes, log, &prepared));
            failures.check(&format!("ndjson {kind:?} {threads}"), result);
        }
    }
    failures.assert_none(runs);
}
