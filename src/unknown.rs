//! Unknown codes and their tallies, kept compact.
//!
//! Every number of the JMessage code space (1.2 million of them) can turn up as an unknown code in
//! one log, and a report lists them all, each with its count and first example. Kept as a map of
//! structs with a `String` per example and per example path, 1.2 million codes cost half a gigabyte;
//! here each code is one fixed 32-byte entry, the example texts sit one after another in a single
//! buffer, example paths are stored once per input, and codes are found through a dense index once
//! there are many of them.

use rustc_hash::FxHashMap;
use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeSeq, Serializer};

use crate::catalog::{Code, in_code_space};
use crate::report::{ExampleRef, UnknownRow};

/// Past this many distinct codes, codes are found through the dense index, which then costs no more
/// than the hash map would.
const DENSE_FROM: usize = 1 << 18;

/// Codes of the code space, 700000–899999 then 7000000–7999999.
const SLOTS: usize = 200_000 + 1_000_000;

/// The longest example text an entry keeps, in bytes (scanned examples are at most about 1 KiB;
/// only a report given to `merge` could hold a longer one).
const MAX_TEXT: usize = (1 << 24) - 1;

/// One code: how often, where first, and its example's place in the text buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    code: Code,
    /// The input that gave the example, as an index into the paths.
    input: u32,
    count: u64,
    /// Zero-based line index within the tallied text.
    line_index: u64,
    /// Start (low 40 bits) and length (high 24 bits) of the example in the text buffer.
    text: u64,
}

/// Unknown codes: per code, how often it occurred and its first example.
#[derive(Debug, Clone, Default)]
pub struct UnknownCodes {
    entries: Vec<Entry>,
    texts: String,
    /// The example paths, for reports (empty while counting one input).
    paths: Vec<String>,
    /// Where each path of a report's rows is in `paths` (filled by [`UnknownCodes::add_row`]).
    path_index: FxHashMap<String, u32>,
    /// Where each code's entry is, by code: a hash map while there are few, then a dense index
    /// over the code space (entry index + 1; 0: none), with the map for codes outside it.
    sparse: FxHashMap<Code, u32>,
    dense: Vec<u32>,
}

/// An unknown code as reports show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownCode<'a> {
    pub code: Code,
    pub count: u64,
    /// Zero-based line index of the example.
    pub line_index: u64,
    pub text: &'a str,
    /// The example's path, once the codes are in a report.
    pub path: &'a str,
}

impl UnknownCode<'_> {
    /// The row of the JSON report.
    pub fn row(&self) -> UnknownRow {
        UnknownRow {
            code: self.code,
            count: self.count,
            example: ExampleRef {
                path: self.path.to_owned(),
                line: self.line_index + 1,
                text: self.text.to_owned(),
            },
        }
    }
}

fn slot(code: Code) -> Option<usize> {
    if !in_code_space(code) {
        return None;
    }
    Some(if code < 7_000_000 {
        (code - 700_000) as usize
    } else {
        200_000 + (code - 7_000_000) as usize
    })
}

impl UnknownCodes {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The codes, in the order they are kept (by first appearance while counting; most frequent
    /// first in a report).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = UnknownCode<'_>> + Clone + '_ {
        self.entries.iter().map(|e| self.view(e))
    }

    /// The code's count and example, if it occurred.
    pub fn get(&self, code: Code) -> Option<UnknownCode<'_>> {
        self.find(code).map(|i| self.view(&self.entries[i]))
    }

    /// Occurrences of all codes.
    pub fn total(&self) -> u64 {
        self.entries.iter().map(|e| e.count).sum()
    }

    fn view<'a>(&'a self, e: &Entry) -> UnknownCode<'a> {
        let (start, len) = ((e.text & ((1 << 40) - 1)) as usize, (e.text >> 40) as usize);
        UnknownCode {
            code: e.code,
            count: e.count,
            line_index: e.line_index,
            text: &self.texts[start..start + len],
            path: self.paths.get(e.input as usize).map_or("", |p| p.as_str()),
        }
    }

    fn find(&self, code: Code) -> Option<usize> {
        match slot(code) {
            Some(s) if !self.dense.is_empty() => self.dense[s].checked_sub(1).map(|i| i as usize),
            _ => self.sparse.get(&code).map(|&i| i as usize),
        }
    }

    /// Stores `text` in the buffer and says where, cut at a character boundary if it is too long.
    fn store(&mut self, text: &str) -> u64 {
        let mut len = text.len().min(MAX_TEXT);
        while !text.is_char_boundary(len) {
            len -= 1;
        }
        let start = self.texts.len() as u64;
        self.texts.push_str(&text[..len]);
        start | (len as u64) << 40
    }

    fn insert(&mut self, code: Code, input: u32, count: u64, line_index: u64, text: &str) {
        let index = self.entries.len() as u32;
        let text = self.store(text);
        self.entries.push(Entry {
            code,
            input,
            count,
            line_index,
            text,
        });
        match slot(code) {
            Some(s) if !self.dense.is_empty() => self.dense[s] = index + 1,
            _ => {
                self.sparse.insert(code, index);
            }
        }
        if self.dense.is_empty() && self.entries.len() > DENSE_FROM {
            self.dense = vec![0; SLOTS];
            self.sparse.retain(|&code, &mut index| match slot(code) {
                Some(s) => {
                    self.dense[s] = index + 1;
                    false
                }
                None => true,
            });
            self.sparse.shrink_to_fit();
        }
    }

    /// Counts `code` on the line with zero-based index `line_index`; `example` makes the line's
    /// example text, needed only if this is the code's first line so far.
    pub fn record(&mut self, code: Code, line_index: u64, example: impl FnOnce() -> String) {
        match self.find(code) {
            Some(i) => {
                self.entries[i].count += 1;
                // Lines settled late (pending ones) may come before the example so far.
                if line_index < self.entries[i].line_index {
                    let text = self.store(&example());
                    let entry = &mut self.entries[i];
                    entry.line_index = line_index;
                    entry.text = text;
                }
            }
            None => self.insert(code, 0, 1, line_index, &example()),
        }
    }

    /// Adds the codes of the text that follows, whose line indexes start `shift` lines later: the
    /// earliest line of a code gives its example.
    pub fn append(&mut self, later: UnknownCodes, shift: u64) {
        if self.is_empty() && shift == 0 {
            *self = later;
            return;
        }
        for c in later.iter() {
            let line_index = c.line_index + shift;
            match self.find(c.code) {
                Some(i) => {
                    self.entries[i].count += c.count;
                    if line_index < self.entries[i].line_index {
                        let text = self.store(c.text);
                        let entry = &mut self.entries[i];
                        entry.line_index = line_index;
                        entry.text = text;
                    }
                }
                None => self.insert(c.code, 0, c.count, line_index, c.text),
            }
        }
    }

    /// Adds the codes of another input (or another content of the same file), named `path` in
    /// reports (`None`: no path is kept); a code already seen keeps its example.
    pub fn absorb(&mut self, from: UnknownCodes, path: Option<&str>) {
        if from.is_empty() {
            return;
        }
        let input = self.paths.len() as u32;
        if let Some(path) = path {
            self.paths.push(path.to_owned());
        }
        if self.is_empty() {
            let paths = std::mem::take(&mut self.paths);
            *self = from;
            self.paths = paths;
            for e in &mut self.entries {
                e.input = input;
            }
            return;
        }
        for c in from.iter() {
            self.add(c.code, c.count, input, c.line_index, c.text);
        }
    }

    /// Adds `count` occurrences of `code`; if it is new, its example is the line `line_index` of
    /// the input `input`.
    fn add(&mut self, code: Code, count: u64, input: u32, line_index: u64, text: &str) {
        match self.find(code) {
            Some(i) => self.entries[i].count += count,
            None => self.insert(code, input, count, line_index, text),
        }
    }

    /// Adds a row of a report (for `merge`); a code already seen keeps its example.
    pub fn add_row(&mut self, row: &UnknownRow) {
        let input = match self.path_index.get(&row.example.path) {
            Some(&i) => i,
            None => {
                let i = self.paths.len() as u32;
                self.paths.push(row.example.path.clone());
                self.path_index.insert(row.example.path.clone(), i);
                i
            }
        };
        let line_index = row.example.line.saturating_sub(1);
        self.add(row.code, row.count, input, line_index, &row.example.text);
    }

    /// Puts the codes in report order, most frequent first (ties by code); they can no longer be
    /// counted, only listed.
    pub fn into_report_order(mut self) -> UnknownCodes {
        self.path_index = FxHashMap::default();
        self.sparse = FxHashMap::default();
        self.dense = Vec::new();
        self.entries
            .sort_unstable_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
        self
    }

    /// Codes from report rows, in the order given.
    pub fn from_rows(rows: impl IntoIterator<Item = UnknownRow>) -> UnknownCodes {
        let mut codes = UnknownCodes::default();
        for row in rows {
            codes.add_row(&row);
        }
        codes
    }
}

/// Equal when they hold the same codes with the same counts and examples, whatever the order they
/// are kept in (which depends on how a text was cut into pieces).
impl PartialEq for UnknownCodes {
    fn eq(&self, other: &UnknownCodes) -> bool {
        fn sorted(codes: &UnknownCodes) -> Vec<UnknownCode<'_>> {
            let mut all: Vec<UnknownCode<'_>> = codes.iter().collect();
            all.sort_unstable_by_key(|c| c.code);
            all
        }
        self.len() == other.len() && sorted(self) == sorted(other)
    }
}

impl Eq for UnknownCodes {}

impl<'a> IntoIterator for &'a UnknownCodes {
    type Item = UnknownCode<'a>;
    type IntoIter = Box<dyn Iterator<Item = UnknownCode<'a>> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// As a list of rows, one written at a time.
impl Serialize for UnknownCodes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for c in self.iter() {
            seq.serialize_element(&BorrowedRow::from(c))?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for UnknownCodes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<UnknownCodes, D::Error> {
        let rows = Vec::<UnknownRow>::deserialize(deserializer)?;
        Ok(UnknownCodes::from_rows(rows))
    }
}

/// A row of the JSON report, serialized as [`UnknownRow`] is, without copying its strings.
#[derive(serde::Serialize)]
struct BorrowedRow<'a> {
    code: Code,
    count: u64,
    example: BorrowedExample<'a>,
}

#[derive(serde::Serialize)]
struct BorrowedExample<'a> {
    path: &'a str,
    line: u64,
    text: &'a str,
}

impl<'a> From<UnknownCode<'a>> for BorrowedRow<'a> {
    fn from(c: UnknownCode<'a>) -> BorrowedRow<'a> {
        BorrowedRow {
            code: c.code,
            count: c.count,
            example: BorrowedExample {
                path: c.path,
                line: c.line_index + 1,
                text: c.text,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_codes_are_found_through_the_dense_index_as_through_the_map() {
        let mut codes = UnknownCodes::default();
        let all: Vec<Code> = (700_000..700_000 + 270_000)
            .chain([7_999_999, 12])
            .collect();
        for (i, &code) in all.iter().enumerate() {
            codes.record(code, i as u64, || format!("line {i}"));
        }
        for (i, &code) in all.iter().enumerate().rev() {
            codes.record(code, i as u64 + 100_000, || {
                unreachable!("not the first line")
            });
        }
        assert!(!codes.dense.is_empty());
        for (i, &code) in all.iter().enumerate() {
            let c = codes.get(code).unwrap();
            assert_eq!(
                (c.count, c.line_index, c.text),
                (2, i as u64, &*format!("line {i}"))
            );
        }
        assert_eq!(codes.get(700_000 + 270_000), None);
    }

    #[test]
    fn an_earlier_line_gives_the_example_and_reports_list_the_most_frequent_first() {
        let mut a = UnknownCodes::default();
        a.record(812_345, 5, || "a5".to_owned());
        a.record(812_345, 7, || unreachable!());
        a.record(7_000_001, 6, || "a6".to_owned());
        let mut later = UnknownCodes::default();
        later.record(7_000_001, 0, || "b0".to_owned());
        later.record(7_000_001, 1, || unreachable!());
        later.record(899_999, 2, || "b2".to_owned());
        a.append(later, 10);
        let mut pending = UnknownCodes::default();
        pending.record(812_345, 1, || "p1".to_owned());
        pending.append(a, 0);
        let mut report = UnknownCodes::default();
        report.absorb(pending, Some("x.log"));
        let rows: Vec<(Code, u64, u64, String)> = report
            .into_report_order()
            .iter()
            .map(|c| {
                (
                    c.code,
                    c.count,
                    c.line_index,
                    format!("{}:{}", c.path, c.text),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (812_345, 3, 1, "x.log:p1".to_owned()),
                (7_000_001, 3, 6, "x.log:a6".to_owned()),
                (899_999, 1, 12, "x.log:b2".to_owned()),
            ]
        );
    }
}
