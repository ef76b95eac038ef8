//! An independent reference for what counts as a code: the README's "What counts as a code",
//! written again as plainly as possible, one line and one number at a time, with its own word
//! lists. It shares nothing with jmlog's extractor or scanner but the catalog data, so a mistake in
//! the rules or in the fast scanner shows as a disagreement instead of being copied into the
//! expected answer. It is slow on purpose: clarity over speed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use jmlog::catalog::Catalog;
use regex::Regex;

/// Whether the catalog knows `code`.
fn known(code: u32) -> bool {
    Catalog::builtin().contains(code)
}

/// Rule 1's number space: six digits 700000–899999, seven digits 7000000–7999999.
fn in_space(digits: &str) -> bool {
    if digits.starts_with('0') {
        return false;
    }
    match digits.len() {
        6 => digits.starts_with('7') || digits.starts_with('8'),
        7 => digits.starts_with('7'),
        _ => false,
    }
}

fn is_ascii_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Characters that join numbers into one thing (`pid:tid`, dates, versions, decimals, lists).
fn is_joiner(c: char) -> bool {
    matches!(c, '.' | ':' | '-' | '/' | ',')
}

/// Rule 1: the number at `chars[start..end]` stands alone (a `#` on either side marks colours
/// and ordinals).
fn stands_alone(chars: &[char], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| chars[i]);
    let before2 = start.checked_sub(2).map(|i| chars[i]);
    let after = chars.get(end).copied();
    let after2 = chars.get(end + 1).copied();
    if let Some(b) = before {
        if is_ascii_word(b) || b == '#' {
            return false;
        }
        if is_joiner(b) && before2.is_some_and(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    if let Some(a) = after {
        if is_ascii_word(a) || a == '#' {
            return false;
        }
        if is_joiner(a) && after2.is_some_and(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    true
}

/// Units and counted nouns (plural: a count of things), in letters: a number followed by one of
/// these is a quantity.
const UNITS: &[&str] = &[
    "b",
    "byte",
    "bytes",
    "k",
    "kb",
    "kib",
    "m",
    "mb",
    "mib",
    "g",
    "gb",
    "ms",
    "us",
    "ns",
    "s",
    "sec",
    "secs",
    "second",
    "seconds",
    "min",
    "mins",
    "minutes",
    "hours",
    "days",
    "px",
    "dp",
    "messages",
    "msgs",
    "objects",
    "records",
    "rows",
    "items",
    "times",
    "users",
    "members",
    "files",
    "lines",
    "entries",
    "groups",
    "conversations",
    "requests",
];

/// Signs and Chinese measure words: they mark a quantity with or without a space, whatever
/// follows them (`865004%`, `801003条消息`, `803001毫秒`).
const SIGNS: &[&str] = &[
    "%", "µs", "μs", "条", "个", "次", "人", "项", "张", "毫秒", "微秒", "秒", "分钟", "小时",
    "字节",
];

/// Rule 2: a path segment or a quantity. What follows the number is read past spaces and an
/// opening parenthesis (`803001 bytes`, `803001 (bytes)`): a whole word of ASCII letters that is a
/// unit, or a sign.
fn path_or_quantity(chars: &[char], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| chars[i]);
    let after = chars.get(end).copied();
    if matches!(before, Some('/' | '\\')) || matches!(after, Some('/' | '\\')) {
        return true;
    }
    let mut i = end;
    while i < chars.len() && (chars[i] == ' ' || chars[i] == '(') {
        i += 1;
    }
    let rest: String = chars[i..].iter().take(2).collect();
    let letters: String = chars[i..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    if letters.is_empty() {
        SIGNS.iter().any(|s| rest.starts_with(s))
    } else {
        UNITS.contains(&letters.to_ascii_lowercase().as_str())
    }
}

/// The char ranges of the PID and TID columns of a logcat prefix (threadtime with or without a
/// user column, brief with or without a time in front).
fn prefix_columns(line: &str) -> Vec<(usize, usize)> {
    static THREADTIME: OnceLock<Regex> = OnceLock::new();
    static BRIEF: OnceLock<Regex> = OnceLock::new();
    let threadtime = THREADTIME.get_or_init(|| {
        Regex::new(
            r"^(?:\d{4}-)?\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2}(?:\.\d+)?\s+(?:[A-Za-z]\w*\s+)?(\d+)\s+(\d+)\s+[VDIWEFAS]\s",
        )
        .unwrap()
    });
    let brief = BRIEF.get_or_init(|| {
        Regex::new(
            r"^(?:(?:\d{4}-)?\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2}(?:\.\d+)?\s+)?[VDIWEFAS]/[^(]*\(\s*(\d+)\)",
        )
        .unwrap()
    });
    let to_chars = |byte: usize| line[..byte].chars().count();
    let mut spans = Vec::new();
    for re in [threadtime, brief] {
        if let Some(caps) = re.captures(line) {
            for m in caps.iter().skip(1).flatten() {
                spans.push((to_chars(m.start()), to_chars(m.end())));
            }
        }
    }
    spans
}

/// Rule 3: words that name another IM or push vendor's SDK, matched as whole words. A person's
/// name that happens to be a vendor's abbreviation (Tim, Rong, Nim) does not count.
const OTHER_VENDORS: &[&str] = &[
    "tencent",
    "timmanager",
    "imsdk",
    "tpns",
    "rongcloud",
    "netease",
    "nimclient",
    "nimsdk",
    "yunxin",
    "easemob",
    "hyphenate",
    "huanxin",
    "emclient",
];

/// Beginnings of words that name another vendor's SDK classes (`AgoraRtcEngine`,
/// `V2TIMManager`, `TUIKitDemo`, `XGPushManager`, `RongIMClient`, `SendbirdException`).
const OTHER_VENDOR_STEMS: &[&str] = &["agora", "v2tim", "tuikit", "xgpush", "rongim", "sendbird"];

/// Words that say the line is JMessage's after all (anywhere, `JMSGConversation` too).
const JMESSAGE_MARKS: &[&str] = &["jmessage", "jiguang", "jmsg"];

/// Whole words of a line (ASCII letters, digits and `_`), lowercased.
fn words(line: &str) -> Vec<String> {
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

fn other_vendor(line: &str) -> bool {
    let words = words(line);
    let lower = line.to_lowercase();
    let names_jmessage = JMESSAGE_MARKS.iter().any(|m| lower.contains(m));
    let names_other = words.iter().any(|w| {
        OTHER_VENDORS.contains(&w.as_str()) || OTHER_VENDOR_STEMS.iter().any(|s| w.starts_with(s))
    }) || words.windows(2).any(|w| w[0] == "io" && w[1] == "rong");
    names_other && !names_jmessage
}

/// What the key before a number says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Code,
    Never,
    Neutral,
}

/// Keys that introduce an error code without ending in "code".
const ERROR_KEYS: &[&str] = &[
    "err",
    "errno",
    "errnum",
    "error",
    "errornum",
    "errorno",
    "errornumber",
    "gotresult",
    "onerror",
    "onfail",
    "onfailure",
    "platformexception",
];

/// Words before "code" that make it some other kind of code (`zipCode`, `sms_code`, `zip code`).
const OTHER_CODES: &[&str] = &[
    "zip",
    "post",
    "postal",
    "area",
    "country",
    "city",
    "region",
    "sms",
    "verify",
    "verification",
    "captcha",
    "auth",
    "activation",
    "invite",
    "invitation",
    "promo",
    "coupon",
    "qr",
    "bar",
    "version",
    "exit",
    "key",
    "lang",
    "language",
    "currency",
    "char",
    "unicode",
    "hash",
    "op",
    "scan",
];

/// Ids, counts, sizes, times, names and people: never a code.
const NEVER_KEYS: &[&str] = &[
    "id",
    "ids",
    "uid",
    "gid",
    "pid",
    "tid",
    "rid",
    "mid",
    "sid",
    "cid",
    "juid",
    "userid",
    "groupid",
    "appid",
    "deviceid",
    "messageid",
    "requestid",
    "sessionid",
    "traceid",
    "roomid",
    "chatroomid",
    "user",
    "account",
    "admin",
    "owner",
    "member",
    "sender",
    "receiver",
    "from",
    "to",
    "target",
    "friend",
    "peer",
    "group",
    "room",
    "chatroom",
    "seq",
    "sequence",
    "count",
    "cnt",
    "num",
    "number",
    "total",
    "size",
    "len",
    "length",
    "offset",
    "bytes",
    "duration",
    "elapsed",
    "cost",
    "latency",
    "time",
    "timestamp",
    "ts",
    "build",
    "ver",
    "version",
    "captcha",
    "mobile",
    "phone",
    "tel",
    "line",
    "port",
    "token",
    "hash",
    "crc",
    "creator",
    "operator",
    "appkey",
    "zip",
    "postcode",
    "postal",
    "objects",
    "freed",
    "allocated",
];

/// Chinese keys that are never codes (ids, counts, people, places).
const NEVER_KEYS_ZH: &[&str] = &[
    "用户",
    "用户名",
    "群组",
    "群号",
    "群",
    "序号",
    "耗时",
    "时间",
    "大小",
    "数量",
    "邮编",
    "手机",
    "电话",
    "成员",
    "账号",
];

/// Chinese keys that introduce an error code.
const CODE_KEYS_ZH: &[&str] = &[
    "错误",
    "错误码",
    "错误代码",
    "错误号",
    "返回码",
    "状态码",
    "结果码",
    "错误码为",
    "错误码是",
];

/// Classifies the key word (as written) before a number.
fn classify(word: &str, word_before: Option<&str>) -> Key {
    if word.is_empty() {
        return Key::Neutral;
    }
    if !word.is_ascii() {
        if CODE_KEYS_ZH.iter().any(|k| word.ends_with(k)) {
            return Key::Code;
        }
        if NEVER_KEYS_ZH.iter().any(|k| word.ends_with(k)) {
            return Key::Never;
        }
        return Key::Neutral;
    }
    let lower: String = word.to_ascii_lowercase().replace('_', "");
    if let Some(head) = lower.strip_suffix("code") {
        if head.is_empty() {
            // `zip code` in two words.
            return match word_before {
                Some(w) if OTHER_CODES.contains(&w.to_ascii_lowercase().as_str()) => Key::Never,
                _ => Key::Code,
            };
        }
        return if OTHER_CODES.contains(&head) {
            Key::Never
        } else {
            Key::Code
        };
    }
    if ERROR_KEYS.contains(&lower.as_str()) {
        return Key::Code;
    }
    if NEVER_KEYS.contains(&lower.as_str()) || lower.ends_with("name") {
        return Key::Never;
    }
    // Ids by their ending, where the ending is a word of its own: `userId`, `groupID`,
    // `user_id`, `fromUid`, `targetGid` (not `ANDROID`, `void`, `paid`).
    // A plural names ids too (`userIds`, `USER_IDS`).
    let singular = word
        .strip_suffix(['s', 'S'])
        .filter(|w| w.to_ascii_lowercase().ends_with("id"))
        .unwrap_or(word);
    let chars: Vec<char> = singular.chars().collect();
    let n = chars.len();
    if n > 2 {
        let (a, b, c) = (chars[n - 3], chars[n - 2], chars[n - 1]);
        let id_word = (b == 'I' && (c == 'd' || c == 'D') && (a.is_ascii_lowercase() || a == '_'))
            || (a == '_' && b.eq_ignore_ascii_case(&'i') && c.eq_ignore_ascii_case(&'d'));
        if id_word {
            return Key::Never;
        }
    }
    for short in ["uid", "gid", "msgid", "roomid"] {
        if lower.ends_with(short) {
            return Key::Never;
        }
    }
    Key::Neutral
}

/// Separators skipped between a key and its number: spaces, `=`, `:` (also full-width), quotes,
/// opening brackets, and the `-` and `>` of arrows (`failed -> 818005`).
fn is_separator(c: char) -> bool {
    c == ' '
        || c == '\t'
        || matches!(
            c,
            '=' | '＝' | ':' | '：' | '"' | '\'' | '`' | '(' | '[' | '{' | '>' | '-'
        )
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The key word before `start` and the word before that one.
fn key_before(chars: &[char], start: usize) -> (String, Option<String>) {
    let mut i = start;
    while i > 0 && is_separator(chars[i - 1]) {
        i -= 1;
    }
    let end = i;
    // A key is a run of ASCII word characters (`errorCode`), or else of other letters (`错误码`);
    // `用户errCode` is the key `errCode`.
    let ascii = end > 0 && chars[end - 1].is_ascii();
    while i > 0 && is_key_char(chars[i - 1]) && chars[i - 1].is_ascii() == ascii {
        i -= 1;
    }
    let word: String = chars[i..end].iter().collect();
    // The word before, across spaces only (for `zip code`).
    let mut j = i;
    while j > 0 && chars[j - 1] == ' ' {
        j -= 1;
    }
    let end2 = j;
    while j > 0 && is_key_char(chars[j - 1]) {
        j -= 1;
    }
    let before = (j < end2 && end2 < i).then(|| chars[j..end2].iter().collect());
    (word, before)
}

/// `name(NUMBER`: the first argument of a function call, an input of the call (named in ASCII:
/// `失败(801004)` is prose).
fn first_argument(chars: &[char], start: usize) -> bool {
    start >= 2 && chars[start - 1] == '(' && is_ascii_word(chars[start - 2])
}

/// Whether the line says something failed.
fn states_failure(line: &str) -> bool {
    let lower = line.to_lowercase();
    ["fail", "error", "exception", "失败", "错误", "异常"]
        .iter()
        .any(|w| lower.contains(w))
}

/// The codes of one line (without its terminator): each code once, with whether it is known.
pub fn line_codes(line: &str, loose: bool) -> BTreeSet<(u32, bool)> {
    let chars: Vec<char> = line.chars().collect();
    let mut found = BTreeSet::new();
    let vendor = !loose && other_vendor(line);
    let prefix = prefix_columns(line);
    let failure = states_failure(line);
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let end = i;
        let digits: String = chars[start..end].iter().collect();
        if !in_space(&digits) || !stands_alone(&chars, start, end) {
            continue;
        }
        let code: u32 = digits.parse().unwrap();
        if loose {
            if known(code) {
                found.insert((code, true));
            }
            continue;
        }
        if vendor
            || path_or_quantity(&chars, start, end)
            || prefix.iter().any(|&(s, e)| s == start && e == end)
        {
            continue;
        }
        let (word, before) = key_before(&chars, start);
        let key = match classify(&word, before.as_deref()) {
            Key::Neutral if first_argument(&chars, start) => Key::Never,
            key => key,
        };
        match key {
            Key::Code => {
                found.insert((code, known(code)));
            }
            Key::Never => {}
            Key::Neutral => {
                if known(code) && failure {
                    found.insert((code, true));
                }
            }
        }
    }
    found
}

/// What a whole text holds, counted line by line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub lines: u64,
    pub code_lines: u64,
    /// Known codes: lines per code.
    pub codes: BTreeMap<u32, u64>,
    /// Unknown codes: lines per code.
    pub unknown: BTreeMap<u32, u64>,
    /// Per code, the one-based numbers of the lines it is on, in order.
    pub line_numbers: BTreeMap<u32, Vec<u64>>,
}

impl Counts {
    pub fn known_total(&self) -> u64 {
        self.codes.values().sum()
    }

    pub fn unknown_total(&self) -> u64 {
        self.unknown.values().sum()
    }

    /// Every (line, code) in line order, then code order: the events a report lists.
    pub fn events(&self) -> Vec<(u64, u32)> {
        let mut all: Vec<(u64, u32)> = self
            .line_numbers
            .iter()
            .flat_map(|(&code, lines)| lines.iter().map(move |&l| (l, code)))
            .collect();
        all.sort();
        all
    }
}

/// Counts a text: lines split at `\n` (a `\r` before it belongs to the terminator), a last line
/// without a terminator counted too, bytes decoded lossily.
pub fn count_text(text: &[u8], loose: bool) -> Counts {
    let mut counts = Counts::default();
    if text.is_empty() {
        return counts;
    }
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = String::from_utf8_lossy(raw);
        counts.lines += 1;
        let found = line_codes(&line, loose);
        if !found.is_empty() {
            counts.code_lines += 1;
        }
        for (code, is_known) in found {
            let map = if is_known {
                &mut counts.codes
            } else {
                &mut counts.unknown
            };
            *map.entry(code).or_default() += 1;
            counts
                .line_numbers
                .entry(code)
                .or_default()
                .push(i as u64 + 1);
        }
    }
    counts
}

/// The oracle's counts in the shape of a JSON report's: totals and per-code counts.
pub fn as_report_counts(c: &Counts) -> serde_json::Value {
    let rows = |m: &BTreeMap<u32, u64>| -> BTreeMap<String, u64> {
        m.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    };
    serde_json::json!({
        "lines": c.lines,
        "code_lines": c.code_lines,
        "codes": c.known_total(),
        "unknown_codes": c.unknown_total(),
        "per_code": rows(&c.codes),
        "per_unknown": rows(&c.unknown),
    })
}

/// The same shape, read from a JSON report.
pub fn report_counts(report: &serde_json::Value) -> serde_json::Value {
    let rows = |key: &str| -> BTreeMap<String, u64> {
        report[key]
            .as_array()
            .unwrap_or_else(|| panic!("the report has {key}: {report}"))
            .iter()
            .map(|r| {
                (
                    r["code"].as_u64().unwrap().to_string(),
                    r["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let t = &report["totals"];
    serde_json::json!({
        "lines": t["lines"],
        "code_lines": t["code_lines"],
        "codes": t["codes"],
        "unknown_codes": t["unknown_codes"],
        "per_code": rows("codes"),
        "per_unknown": rows("unknown_codes"),
    })
}

#[cfg(test)]
mod against_the_corpus {
    use super::*;
    use crate::util::{data, root};
    use jmlog::extract::{Extractor, Mode};

    fn corpus() -> Vec<(usize, BTreeSet<String>, String)> {
        let text = std::fs::read_to_string(data("corpus.txt")).unwrap();
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|(i, l)| {
                let (want, line) = l.split_once(" | ").unwrap();
                let want = match want.trim() {
                    "-" => BTreeSet::new(),
                    list => list.split(',').map(|c| c.trim().to_owned()).collect(),
                };
                (i + 1, want, line.to_owned())
            })
            .collect()
    }

    fn labels(found: &BTreeSet<(u32, bool)>) -> BTreeSet<String> {
        found
            .iter()
            .map(|&(c, k)| if k { c.to_string() } else { format!("?{c}") })
            .collect()
    }

    /// The oracle gives every label of the corpus: it reads the README the way the labels do.
    #[test]
    fn the_oracle_matches_every_label_of_the_corpus() {
        let cases = corpus();
        assert!(cases.len() >= 400, "{} cases", cases.len());
        let wrong: Vec<String> = cases
            .iter()
            .filter_map(|(n, want, line)| {
                let got = labels(&line_codes(line, false));
                (&got != want).then(|| format!("line {n}: want {want:?}, oracle {got:?}\n  {line}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Every line jmlog's tests know (sample logs, corpus, golden inputs) gets the same codes from
    /// the oracle as from jmlog's extractor, strict and loose.
    #[test]
    fn the_oracle_agrees_with_the_extractor_on_every_known_line() {
        let mut lines: Vec<String> = corpus().into_iter().map(|(_, _, l)| l).collect();
        for dir in ["sample-logs", "tests/golden/annotate"] {
            for entry in std::fs::read_dir(root().join(dir)).unwrap() {
                let bytes = std::fs::read(entry.unwrap().path()).unwrap();
                lines.extend(
                    String::from_utf8_lossy(&bytes)
                        .lines()
                        .map(|l| l.trim_end_matches('\r').to_owned()),
                );
            }
        }
        let mut wrong = Vec::new();
        for (mode, loose) in [(Mode::Strict, false), (Mode::Loose, true)] {
            let ex = Extractor::new(Catalog::builtin(), mode);
            for line in &lines {
                let mut hits = Vec::new();
                ex.line_hits(line.as_bytes(), &mut hits);
                let jmlog: BTreeSet<(u32, bool)> = hits.iter().map(|h| (h.code, h.known)).collect();
                let oracle = line_codes(line, loose);
                if jmlog != oracle {
                    wrong.push(format!(
                        "{mode:?}: jmlog {:?}, oracle {:?}\n  {line}",
                        labels(&jmlog),
                        labels(&oracle)
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}

#[cfg(test)]
mod against_the_extractor {
    use super::*;
    use jmlog::extract::{Extractor, Mode};
    use proptest::prelude::*;

    /// Words of real lines: keys, failure words, vendors, numbers at the edges of the rules.
    pub const WORDS: &[&str] = &[
        "code",
        "Code",
        "errorCode",
        "error_code",
        "responseCode",
        "errCode",
        "zip",
        "zipCode",
        "versionCode",
        "smsCode",
        "Error",
        "err",
        "errno",
        "onError",
        "onFailure",
        "PlatformException",
        "uid",
        "userId",
        "groupID",
        "msg_id",
        "juid",
        "fromUid",
        "ANDROID",
        "android",
        "seq",
        "count",
        "size",
        "owner",
        "to",
        "from",
        "name",
        "username",
        "member",
        "members",
        "time",
        "line",
        "错误码",
        "错误码为",
        "错误代码",
        "返回码",
        "状态码",
        "用户",
        "群号",
        "耗时",
        "失败",
        "错误",
        "异常",
        "成功",
        "fail",
        "failed",
        "error",
        "exception",
        "ok",
        "done",
        "login",
        "send",
        "getUserInfo",
        "gotResult",
        "JMessage",
        "jiguang",
        "TIMManager",
        "RongIMClient",
        "EMClient",
        "SystemClient",
        "Agora",
        "AgoraRtcEngine",
        "filename",
        "displayName",
        "hostname",
        "userIds",
        "memberIDs",
        "CHAT_ID",
        "USER_ID",
        "chatroom",
        "chatroomId",
        "postcode",
        "appkey",
        "appId",
        "deviceId",
        "errnum",
        "成员",
        "账号",
        "结果码",
        "nickname",
        "receiver",
        "requestId",
        "traceId",
        "paid",
        "void",
        "INVALID",
        "Android",
        "sessionId",
        "versionName",
        "V2TIMManager",
        "XGPushManager",
        "io.rong",
        "Tim",
        "TIM",
        "NIM",
        "yunxin",
        "Sendbird",
        "huanxin",
        "Jimmy",
        "JIM",
        "bytes",
        "B",
        "KB",
        "ms",
        "s",
        "messages",
        "objects",
        "rows",
        "KiB",
        "minutes",
        "lines",
        "requests",
        "bytesize",
        "%",
        "%failed",
        "µs",
        "条",
        "条消息",
        "个",
        "个人",
        "次",
        "人",
        "毫秒",
        "秒",
        "字节",
        "分钟",
        "801004%",
        "801003%failed",
        "865004%",
        "801004条",
        "801003个人",
        "803001毫秒",
        "803001字节",
        "801004次",
        "gotResult(801004",
        "getUserInfo(801003",
        "801004",
        "801003",
        "803008",
        "899002",
        "812345",
        "7130002",
        "7130008",
        "0801003",
        "80100",
        "80100300",
        "900001",
        "699999",
        "8123456",
        "1",
        "0",
        "-1",
        "0x801004",
        "#803001",
        "v1/801004",
        "801004.5",
        "1.801004",
        "801004,5",
    ];

    /// What stands between two words.
    pub const JOINERS: &[&str] = &[
        " ",
        " ",
        " ",
        ", ",
        "=",
        ": ",
        " = ",
        "：",
        "＝",
        "，",
        "\t",
        "(",
        ")",
        " (",
        ") ",
        "[",
        "] ",
        "{",
        "} ",
        "\"",
        "'",
        " -> ",
        "/",
        "\\",
        "-",
        ".",
        ":",
        "                    ",
        " =\t\t\t ( ( ( ( \"",
    ];

    /// Logcat prefixes whose PID and TID columns hold numbers in the code space.
    pub const PREFIXES: &[&str] = &[
        "",
        "",
        "E/App( 7606): ",
        "E/App(803001): ",
        "11-05 19:02:44.871 803001 803022 E App: ",
        "11-26 10:15:00.123  u0_a211  803001  803022 E App: ",
        "2026-10-27 09:31:05.114 7606-812345/com.example.chat E/App: ",
    ];

    /// One extractor per mode for all cases: building one compiles its patterns.
    fn extractor(loose: bool) -> &'static Extractor<'static> {
        static STRICT: OnceLock<Extractor<'static>> = OnceLock::new();
        static LOOSE: OnceLock<Extractor<'static>> = OnceLock::new();
        let (cell, mode) = if loose {
            (&LOOSE, Mode::Loose)
        } else {
            (&STRICT, Mode::Strict)
        };
        cell.get_or_init(|| Extractor::new(Catalog::builtin(), mode))
    }

    fn extractor_codes(ex: &Extractor<'_>, line: &str) -> BTreeSet<(u32, bool)> {
        let mut hits = Vec::new();
        ex.line_hits(line.as_bytes(), &mut hits);
        hits.iter().map(|h| (h.code, h.known)).collect()
    }

    pub fn line_of(prefix: &str, parts: &[(&str, &str)]) -> String {
        let mut line = prefix.to_owned();
        for (i, (word, joiner)) in parts.iter().enumerate() {
            if i > 0 {
                line.push_str(joiner);
            }
            line.push_str(word);
        }
        line
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Lines made of the rules' own words and separators: the oracle and the extractor agree.
        #[test]
        fn the_oracle_and_the_extractor_agree_on_lines_made_of_key_words(
            prefix in prop::sample::select(PREFIXES),
            parts in prop::collection::vec(
                (prop::sample::select(WORDS), prop::sample::select(JOINERS)),
                1..10,
            ),
            loose in any::<bool>(),
        ) {
            let line = line_of(prefix, &parts);
            prop_assert_eq!(
                extractor_codes(extractor(loose), &line),
                line_codes(&line, loose),
                "{:?}",
                line
            );
        }
    }
}
