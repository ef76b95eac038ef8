//! The rules that decide which numbers on a log line are JMessage error codes.
//!
//! Six-digit numbers are everywhere in logs (fractions of seconds, thread ids, uids, byte counts), and
//! many of them fall in the range of real codes. A number is therefore a code only when its context
//! says so. The rules, in the order they are applied to each number on a line:
//!
//! 1. **Candidate.** A run of exactly six or seven ASCII digits, without a leading zero, inside the
//!    JMessage code space (700000–899999, 7000000–7999999) that stands alone: the byte before it is
//!    not a letter, digit, `_` or `#`, nor one of `. : - / ,` preceded by a digit; the byte after it
//!    is not a letter, digit or `_`, nor one of `. : - / ,` followed by a digit. This drops fractions
//!    (`07.733883`), decimals, `pid:tid` pairs, dates, versions, hex (`0x801004`), colours and
//!    ordinals (`#803001`) and windows of longer numbers.
//! 2. **Never a path segment, a quantity or a log prefix.** A `/` or `\` next to the number, a unit
//!    or counted noun after it (`803001 bytes`, `801003 messages`, `865004%`, `801003条`,
//!    `803001 毫秒`), or a place inside a logcat line prefix (the PID and TID columns) rules it out.
//! 3. **Other vendors.** A line that names another IM or push vendor's SDK (Tencent IM, RongCloud,
//!    NetEase, Easemob, Agora, Sendbird, …) and not JMessage yields nothing: those SDKs reuse the number space.
//! 4. **The key.** The word before the number, skipping separators (`=`, `:`, `：`, quotes, spaces,
//!    brackets), decides:
//!    - a *code key* (`code`, `errorCode`, `responseCode`, `Code=` of an NSError, `"code":` in JSON,
//!      the code slot of `PlatformException(`, the first argument of `gotResult(`, `Error 863004`,
//!      `onError`, `错误码`, …) makes it a code: a known one if the catalog has it, otherwise an
//!      *unknown* code, reported separately;
//!    - an *id, count, size, time or name key* (`uid`, `groupID`, `msg_id`, `seq`, `count`, `size`,
//!      `versionCode`, `zip code`, `用户`, …) means it is never a code;
//!    - the first argument of any other function call (`getUserInfo(801003)`,
//!      `getUserInfo(801003, appKey)`) is an input of the call, never a code;
//!    - any other word is neutral: the number counts only if the catalog knows it and the line states
//!      a failure (`fail`, `error`, `exception`, `失败`, `错误`, `异常`).
//!
//! With `--loose`, every catalog code that passes rule 1 counts, whatever its context.
//!
//! A code counts once per line: [`Extractor::line_hits`] returns each code of a line once.

use regex::bytes::Regex;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::catalog::{Catalog, Code, in_code_space};

/// One code found on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub code: Code,
    /// Whether the catalog knows the code; unknown codes are reported apart.
    pub known: bool,
    /// Whether the code's meaning depends on the platform, so that the line's platform is worth
    /// finding out.
    pub varies: bool,
}

impl std::fmt::Display for Hit {
    /// The code, with a `?` in front when no catalog knows it (`801004`, `?812345`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.known {
            write!(f, "{}", self.code)
        } else {
            write!(f, "?{}", self.code)
        }
    }
}

/// How strictly numbers are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Only numbers in an error-code context count (the default).
    #[default]
    Strict,
    /// Every catalog code that stands alone counts, whatever its context.
    Loose,
}

/// What the word before a number says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    /// An error-code key: the number is a code.
    Code,
    /// An id, count, size, time, name or another kind of code: the number is not an error code.
    Never,
    /// Anything else: the line has to state a failure.
    Neutral,
}

/// Keys that are errors by themselves, apart from the many words ending in "code".
/// Compared lowercase with `_` removed.
const CODE_WORDS: &[&str] = &[
    "err",
    "errno",
    "errnum",
    "error",
    "errorno",
    "errornum",
    "errornumber",
    "gotresult",
    "onerror",
    "onfail",
    "onfailure",
    "platformexception",
];

/// Words ending in "code" that name some other kind of code (compared lowercase, `_` removed,
/// without the trailing "code"). `zip code` written as two words is caught too.
const OTHER_CODES: &[&str] = &[
    "activation",
    "area",
    "auth",
    "bar",
    "captcha",
    "char",
    "city",
    "country",
    "coupon",
    "currency",
    "exit",
    "hash",
    "invitation",
    "invite",
    "key",
    "lang",
    "language",
    "op",
    "post",
    "postal",
    "promo",
    "qr",
    "region",
    "scan",
    "sms",
    "unicode",
    "verification",
    "verify",
    "version",
    "zip",
];

/// Keys whose values are ids, counts, sizes, times or names, never error codes.
/// Compared lowercase with `_` removed. Mixed-case words ending in `Id`/`ID`/`_id` are caught apart.
const NEVER_WORDS: &[&str] = &[
    "account",
    "admin",
    "allocated",
    "appid",
    "appkey",
    "build",
    "bytes",
    "captcha",
    "chatroom",
    "chatroomid",
    "cid",
    "cnt",
    "cost",
    "count",
    "crc",
    "creator",
    "deviceid",
    "duration",
    "elapsed",
    "freed",
    "friend",
    "from",
    "gid",
    "group",
    "groupid",
    "hash",
    "id",
    "ids",
    "latency",
    "len",
    "length",
    "line",
    "member",
    "messageid",
    "mid",
    "mobile",
    "msgid",
    "name",
    "nickname",
    "num",
    "number",
    "objects",
    "offset",
    "operator",
    "owner",
    "peer",
    "phone",
    "pid",
    "port",
    "postal",
    "receiver",
    "requestid",
    "rid",
    "room",
    "roomid",
    "sender",
    "seq",
    "sequence",
    "sessionid",
    "sid",
    "size",
    "target",
    "tel",
    "tid",
    "time",
    "timestamp",
    "to",
    "token",
    "total",
    "traceid",
    "ts",
    "uid",
    "user",
    "userid",
    "username",
    "ver",
    "version",
    "versionname",
    "zip",
];

/// Chinese keys, checked before the ASCII word. Longer keys first where one ends another.
const CJK_KEYS: &[(&str, Key)] = &[
    ("错误码为", Key::Code),
    ("错误码是", Key::Code),
    ("错误代码", Key::Code),
    ("错误码", Key::Code),
    ("错误号", Key::Code),
    ("错误", Key::Code),
    ("返回码", Key::Code),
    ("结果码", Key::Code),
    ("状态码", Key::Code),
    ("用户名", Key::Never),
    ("用户", Key::Never),
    ("群组", Key::Never),
    ("成员", Key::Never),
    ("账号", Key::Never),
    ("群号", Key::Never),
    ("群", Key::Never),
    ("数量", Key::Never),
    ("大小", Key::Never),
    ("时间", Key::Never),
    ("耗时", Key::Never),
    ("序号", Key::Never),
    ("手机", Key::Never),
    ("电话", Key::Never),
    ("邮编", Key::Never),
];

/// Units that mark a number as a quantity when their letters follow it (compared ignoring ASCII
/// case). Counted nouns are included: `801003 messages pending` is a count.
const UNITS: &[&str] = &[
    "b",
    "byte",
    "bytes",
    "conversations",
    "days",
    "dp",
    "entries",
    "files",
    "g",
    "gb",
    "groups",
    "hours",
    "items",
    "k",
    "kb",
    "kib",
    "lines",
    "m",
    "mb",
    "members",
    "messages",
    "mib",
    "min",
    "mins",
    "minutes",
    "ms",
    "msgs",
    "ns",
    "objects",
    "px",
    "records",
    "requests",
    "rows",
    "s",
    "sec",
    "second",
    "seconds",
    "secs",
    "times",
    "us",
    "users",
];

/// Units and measure words written without letters, which may follow the number with no space
/// between (`801003条`, `803001毫秒`, `865004%`).
const SIGN_UNITS: &[&str] = &[
    "%", "µs", "μs", "个", "人", "分钟", "字节", "小时", "张", "微秒", "条", "次", "毫秒", "秒",
    "项",
];

/// Separators skipped between a key and its value. Full-width `：` and `＝` are handled apart.
const SEPARATORS: &[u8] = b" \t\"'`=:([{>-";

/// [`SEPARATORS`] as a table, one entry per byte.
const IS_SEPARATOR: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < SEPARATORS.len() {
        table[SEPARATORS[i] as usize] = true;
        i += 1;
    }
    table
};

const FULLWIDTH_COLON: &[u8] = "：".as_bytes();
const FULLWIDTH_EQUALS: &[u8] = "＝".as_bytes();

/// Finds the codes on a line. Build one per scan and share it between threads.
#[derive(Debug, Clone)]
pub struct Extractor<'c> {
    catalog: &'c Catalog,
    mode: Mode,
    words: KeyWords,
}

/// The patterns that judge a whole line. The same for every [`Extractor`].
#[derive(Debug, Clone)]
struct LineRegexes {
    failure: Regex,
    other_vendor: Regex,
    jmessage: Regex,
}

impl LineRegexes {
    fn new() -> LineRegexes {
        let re = |p: &str| Regex::new(p).expect("static pattern");
        LineRegexes {
            failure: re(r"(?i)fail|error|exception|失败|错误|异常"),
            other_vendor: lowercase_matcher(
                r"(?i-u)\b(?:tencent|v2tim\w*|timmanager|tuikit\w*|imsdk|xgpush\w*|tpns|rongim\w*|rongcloud|io\.rong|nimclient|nimsdk|netease|yunxin|easemob|hyphenate|huanxin|emclient|agora\w*|sendbird\w*)\b",
            ),
            jmessage: lowercase_matcher(r"(?i-u)jmessage|jiguang|jmsg"),
        }
    }

    /// Calls `f` with this thread's copy of the patterns. Why a copy per thread: a regex shared
    /// between threads hands out its scratch space from a pool that is quick only for the thread
    /// that used it first; the others pay for locking it, on every line with a code.
    fn with<T>(f: impl FnOnce(&LineRegexes) -> T) -> T {
        static SHARED: std::sync::LazyLock<LineRegexes> =
            std::sync::LazyLock::new(LineRegexes::new);
        thread_local! {
            static OWN: LineRegexes = SHARED.clone();
        }
        OWN.with(f)
    }
}

/// The line prefixes of Android logcat layouts, whose PIDs and TIDs are never codes: threadtime
/// (`MM-DD HH:MM:SS.mmm  PID  TID L `, optionally with a uid column), brief and time
/// (`L/TAG( PID)`), and Android Studio (`YYYY-MM-DD HH:MM:SS.mmm PID-TID/package `).
pub(crate) const LOG_PREFIX: &str = r"(?x-u)^(?:
    \d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+\s+(?:\w+\s+)?\d+\s+\d+\s+[VDIWEFA]\s
  | (?:\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+\s+)?[VDIWEFA]/[^(:\n]{0,120}\(\s*\d+\)
  | \d{4}-\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+\s+\d+-\d+/\S*\s
)";

/// Where [`LOG_PREFIX`] ends its match at the start of `line` (leftmost-first, as the regex crate
/// matches), or 0 where it has none.
///
/// Why by hand: this runs on every line with a code, and the regex crate's automaton took about 75
/// ns a line (a tenth of a scan of logs dense with codes); each part of the pattern can end in one
/// place only (every greedy run is followed by a byte it cannot hold), so a walk that never looks
/// back finds the same end. The regex stays the definition: a test compares the two on every line
/// of the corpus and the sample logs and on random prefix-like lines.
fn prefix_end(line: &[u8]) -> usize {
    let mut at = Cursor { line, at: 0 };
    threadtime(&mut at)
        .or_else(|| {
            at.at = 0;
            brief(&mut at)
        })
        .or_else(|| {
            at.at = 0;
            studio(&mut at)
        })
        .unwrap_or(0)
}

/// A position in a line being matched; each step moves past what it matched, or gives `None`.
struct Cursor<'a> {
    line: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    /// Past one byte that `f` accepts.
    fn one(&mut self, f: impl Fn(u8) -> bool) -> Option<()> {
        let b = *self.line.get(self.at)?;
        f(b).then(|| self.at += 1)
    }

    /// Past as many bytes as `f` accepts, at least `min`.
    fn many(&mut self, min: usize, f: impl Fn(u8) -> bool) -> Option<usize> {
        let n = self.line[self.at..].iter().take_while(|&&b| f(b)).count();
        self.at += n;
        (n >= min).then_some(n)
    }

    fn digits(&mut self, n: usize) -> Option<()> {
        (0..n).try_for_each(|_| self.one(|b| b.is_ascii_digit()))
    }

    fn byte(&mut self, want: u8) -> Option<()> {
        self.one(|b| b == want)
    }
}

/// `\s` without Unicode: ASCII whitespace, with the vertical tab.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r')
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_level(b: u8) -> bool {
    b"VDIWEFA".contains(&b)
}

/// `\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+\s+`: a logcat date and time.
fn date_time(c: &mut Cursor<'_>) -> Option<()> {
    c.digits(2)?;
    c.byte(b'-')?;
    c.digits(2)?;
    c.many(1, is_space)?;
    clock(c)
}

/// `\d\d:\d\d:\d\d\.\d+\s+`.
fn clock(c: &mut Cursor<'_>) -> Option<()> {
    c.digits(2)?;
    c.byte(b':')?;
    c.digits(2)?;
    c.byte(b':')?;
    c.digits(2)?;
    c.byte(b'.')?;
    c.many(1, |b| b.is_ascii_digit())?;
    c.many(1, is_space).map(drop)
}

/// Threadtime: `date_time (?:\w+\s+)?\d+\s+\d+\s+[VDIWEFA]\s`.
fn threadtime(c: &mut Cursor<'_>) -> Option<usize> {
    date_time(c)?;
    let ids = |c: &mut Cursor<'_>| -> Option<usize> {
        c.many(1, |b| b.is_ascii_digit())?;
        c.many(1, is_space)?;
        c.many(1, |b| b.is_ascii_digit())?;
        c.many(1, is_space)?;
        c.one(is_level)?;
        c.one(is_space)?;
        Some(c.at)
    };
    let fields = c.at;
    // The optional uid column first, as the regex tries it.
    let with_uid = (|| {
        c.many(1, is_word_byte)?;
        c.many(1, is_space)?;
        ids(c)
    })();
    with_uid.or_else(|| {
        c.at = fields;
        ids(c)
    })
}

/// Brief and time: `(?:date_time)?[VDIWEFA]/[^(:\n]{0,120}\(\s*\d+\)`.
fn brief(c: &mut Cursor<'_>) -> Option<usize> {
    let tag = |c: &mut Cursor<'_>| -> Option<usize> {
        c.one(is_level)?;
        c.byte(b'/')?;
        let n = c.many(0, |b| !matches!(b, b'(' | b':' | b'\n'))?;
        if n > 120 {
            return None;
        }
        c.byte(b'(')?;
        c.many(0, is_space)?;
        c.many(1, |b| b.is_ascii_digit())?;
        c.byte(b')')?;
        Some(c.at)
    };
    let with_time = (|| {
        date_time(c)?;
        tag(c)
    })();
    with_time.or_else(|| {
        c.at = 0;
        tag(c)
    })
}

/// Android Studio: `\d{4}-\d\d-\d\d\s+clock\d+-\d+/\S*\s`.
fn studio(c: &mut Cursor<'_>) -> Option<usize> {
    c.digits(4)?;
    c.byte(b'-')?;
    c.digits(2)?;
    c.byte(b'-')?;
    c.digits(2)?;
    c.many(1, is_space)?;
    clock(c)?;
    c.many(1, |b| b.is_ascii_digit())?;
    c.byte(b'-')?;
    c.many(1, |b| b.is_ascii_digit())?;
    c.byte(b'/')?;
    c.many(0, |b| !is_space(b))?;
    c.one(is_space)?;
    Some(c.at)
}

impl<'c> Extractor<'c> {
    pub fn new(catalog: &'c Catalog, mode: Mode) -> Extractor<'c> {
        Extractor {
            catalog,
            mode,
            words: KeyWords::new(),
        }
    }

    pub fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    /// Appends to `out` every code on `line` (without its line terminator), each code once, in
    /// ascending order of code.
    pub fn line_hits(&self, line: &[u8], out: &mut Vec<Hit>) {
        let start = out.len();
        let mut context = LineContext::default();
        let mut i = 0;
        while i < line.len() {
            if !line[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let end = i + line[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            if let Some(hit) = self.judge(line, i, end, &mut context) {
                out.push(hit);
            }
            i = end;
        }
        dedup_hits(out, start);
    }

    /// Judges the maximal digit run `line[start..end]`. `ctx` caches facts about the line between
    /// the runs of one line; use a fresh one for each line.
    pub fn judge(
        &self,
        line: &[u8],
        start: usize,
        end: usize,
        ctx: &mut LineContext,
    ) -> Option<Hit> {
        let code = candidate(line, start, end)?;
        self.judge_candidate(line, start, end, code, ctx)
    }

    /// [`Extractor::judge`] for a run already known to be a candidate (rule 1), as `code`.
    pub fn judge_candidate(
        &self,
        line: &[u8],
        start: usize,
        end: usize,
        code: Code,
        ctx: &mut LineContext,
    ) -> Option<Hit> {
        let nearby = self.nearby(line, start, end, code)?;
        self.judge_nearby(line, start, code, nearby, ctx)
    }

    /// What the bytes next to the candidate `text[start..end]` (rule 1 passed, as `code`) say: `None`
    /// if they already rule it out (a path segment or a unit (rule 2), an id key (rule 4), or a
    /// neutral key before a number the catalog does not know), and then
    /// [`Extractor::judge_candidate`] gives `None` too; else what [`Extractor::judge_nearby`] needs.
    ///
    /// `text` may be a whole chunk of lines: each of these checks stops at a newline, so the answer
    /// is the same as on the line alone. The scanner asks this before it finds the line around a
    /// candidate: in logs dense with numbers most candidates (ids in paths, `uid=`, PIDs) end here,
    /// and the line's bounds and the whole-line checks are left to the few that remain.
    #[inline]
    pub fn nearby(&self, text: &[u8], start: usize, end: usize, code: Code) -> Option<Nearby> {
        let known = self.catalog.contains(code);
        if self.mode == Mode::Loose {
            return known.then_some(Nearby {
                key: Key::Neutral,
                known,
            });
        }
        if is_path_segment(text, start, end) {
            return None;
        }
        let key_end = skip_separators_back(text, start);
        // Most numbers that look like codes are ids and counts the catalog does not know: only an
        // error-code key keeps those, and the end of the key word tells at once that it is not one.
        if !known && !self.words.may_be_code(text, key_end) {
            return None;
        }
        if unit_follows(&text[end..]) {
            return None;
        }
        let word = KeyWord::before(text, start, key_end);
        match self.words.classify_key(text, &word) {
            Key::Never => None,
            Key::Neutral if !known => None,
            key => Some(Nearby { key, known }),
        }
    }

    /// Judges the candidate starting at `line[start..]`, as `code`, on its whole line, once
    /// [`Extractor::nearby`] (on this line, or on a chunk holding it) has kept it.
    pub fn judge_nearby(
        &self,
        line: &[u8],
        start: usize,
        code: Code,
        nearby: Nearby,
        ctx: &mut LineContext,
    ) -> Option<Hit> {
        if self.mode == Mode::Loose {
            return Some(self.hit(code, nearby.known));
        }
        if start < ctx.body_start(line) {
            return None;
        }
        // A neutral key got this far only before a code the catalog knows.
        let counts = nearby.key == Key::Code || ctx.states_failure(line);
        (counts && !ctx.is_other_vendor(line)).then(|| self.hit(code, nearby.known))
    }

    fn hit(&self, code: Code, known: bool) -> Hit {
        Hit {
            code,
            known,
            varies: known && self.catalog.varies(code),
        }
    }
}

/// Sorts `hits[from..]` by code and removes repeated codes: a code counts once per line.
pub fn dedup_hits(hits: &mut Vec<Hit>, from: usize) {
    if hits.len() - from > 1 {
        hits[from..].sort_unstable();
        let mut unique = from + 1;
        for k in from + 1..hits.len() {
            if hits[k].code != hits[unique - 1].code {
                hits[unique] = hits[k];
                unique += 1;
            }
        }
        hits.truncate(unique);
    }
}

/// What the bytes next to a candidate say about it: see [`Extractor::nearby`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nearby {
    key: Key,
    known: bool,
}

/// Facts about a line, computed at most once and only when a number needs them.
#[derive(Debug, Default)]
pub struct LineContext {
    failure: Option<bool>,
    other_vendor: Option<bool>,
    body_start: Option<usize>,
}

impl LineContext {
    /// Where the line's message starts, after a logcat prefix.
    fn body_start(&mut self, line: &[u8]) -> usize {
        *self.body_start.get_or_insert_with(|| {
            // Every prefix starts with a digit (threadtime, Android Studio) or `L/` (brief).
            let may_have_one = match line {
                [b'0'..=b'9', ..] => true,
                [level, b'/', ..] => b"VDIWEFA".contains(level),
                _ => false,
            };
            if may_have_one { prefix_end(line) } else { 0 }
        })
    }

    fn states_failure(&mut self, line: &[u8]) -> bool {
        *self
            .failure
            .get_or_insert_with(|| LineRegexes::with(|re| re.failure.is_match(line)))
    }

    /// Rule 3: the line names another vendor's SDK and not JMessage.
    fn is_other_vendor(&mut self, line: &[u8]) -> bool {
        *self.other_vendor.get_or_insert_with(|| {
            LOWERCASE.with_borrow_mut(|lower| {
                lower.clear();
                lower.extend(line.iter().map(u8::to_ascii_lowercase));
                LineRegexes::with(|re| {
                    re.other_vendor.is_match(lower) && !re.jmessage.is_match(lower)
                })
            })
        })
    }
}

thread_local! {
    /// The line being judged, ASCII-lowercased for the [`lowercase_matcher`]s.
    static LOWERCASE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Compiles `pattern`, ASCII case-insensitive (`(?i-u)…`, its words written in lowercase), into a
/// regex that gives the same answer on the ASCII-lowercased line. Why: the regex crate finds the
/// case-sensitive words of such a list with a literal prefilter that skips to the few places where
/// one starts, but gives up on the hundreds of case variants of the case-insensitive list and runs
/// its automaton over every byte; this runs on every line with a code.
fn lowercase_matcher(pattern: &str) -> Regex {
    let words = pattern
        .strip_prefix("(?i-u)")
        .expect("an ASCII case-insensitive pattern");
    Regex::new(&format!("(?-u){words}")).expect("static pattern")
}

/// Rule 1: the number if `line[start..end]` (a maximal run of digits) is a candidate. The bytes
/// around the run decide, so this gives the same answer on a whole chunk as on the line alone.
#[inline]
pub fn candidate(line: &[u8], start: usize, end: usize) -> Option<Code> {
    let len = end - start;
    // A leading zero makes a shorter number (`0801003` is 801003 written with seven digits): codes
    // are written without one.
    if (len != 6 && len != 7) || line[start] == b'0' {
        return None;
    }
    // `#` marks hex colours and ordinals (`#803001`, `Job #803009`), never codes.
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'#';
    let joins_numbers = |b: u8| matches!(b, b'.' | b':' | b'-' | b'/' | b',');
    if start > 0 {
        let b = line[start - 1];
        if is_word(b) || (joins_numbers(b) && start >= 2 && line[start - 2].is_ascii_digit()) {
            return None;
        }
    }
    if let Some(&a) = line.get(end) {
        if is_word(a) || (joins_numbers(a) && line.get(end + 1).is_some_and(u8::is_ascii_digit)) {
            return None;
        }
    }
    let code = line[start..end]
        .iter()
        .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    in_code_space(code).then_some(code)
}

fn is_path_segment(line: &[u8], start: usize, end: usize) -> bool {
    let slash = |b: &u8| matches!(b, b'/' | b'\\');
    (start > 0 && slash(&line[start - 1])) || line.get(end).is_some_and(slash)
}

/// Rule 2: whether a unit or counted noun follows the number (`rest` starts right after its last
/// digit), past spaces and opening parentheses: `803001 bytes`, `803001 (KB)`, `865004%`,
/// `801003 条`. Letters count as a unit only as a whole run (`803001 bytesize` is no quantity);
/// signs and Chinese measure words need no space after them (`801003%failed`, `801003条消息`).
fn unit_follows(rest: &[u8]) -> bool {
    let skipped = rest.iter().take_while(|&&b| b == b' ' || b == b'(').count();
    let rest = &rest[skipped..];
    let word_len = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if word_len > 0 {
        let word = &rest[..word_len];
        UNITS
            .iter()
            .any(|u| u.len() == word_len && word.eq_ignore_ascii_case(u.as_bytes()))
    } else {
        SIGN_UNITS.iter().any(|u| rest.starts_with(u.as_bytes()))
    }
}

/// Rule 4: the key in front of a number, as written: a Chinese key, or else the ASCII word before
/// the separators (empty if there is none). [`KeyWords::classify_key`] tells what it says.
struct KeyWord<'a> {
    cjk: Option<Key>,
    word: &'a [u8],
    /// Where the separators after `word` start (where `word` ends).
    key_end: usize,
    /// Where the number after them starts.
    number: usize,
}

impl KeyWord<'_> {
    /// The key of the number at `start`, whose separators start at `key_end`
    /// ([`skip_separators_back`]).
    fn before(line: &[u8], start: usize, key_end: usize) -> KeyWord<'_> {
        let head = &line[..key_end];
        if head.last().is_some_and(|b| !b.is_ascii()) {
            if let Some(&(_, key)) = CJK_KEYS.iter().find(|(k, _)| head.ends_with(k.as_bytes())) {
                return KeyWord {
                    cjk: Some(key),
                    word: &[],
                    key_end,
                    number: start,
                };
            }
        }
        let len = head.iter().rev().take_while(|&&b| is_word_byte(b)).count();
        KeyWord {
            cjk: None,
            word: &head[key_end - len..],
            key_end,
            number: start,
        }
    }
}

/// Walks back from `start` over separators, however many (`responseCode:` aligned with spaces).
/// Each number's walk stops at the digits of the number before it at the latest, so the walks of
/// one line cover it at most once.
fn skip_separators_back(line: &[u8], start: usize) -> usize {
    let mut k = start;
    while k > 0 {
        let b = line[k - 1];
        if IS_SEPARATOR[usize::from(b)] {
            k -= 1;
        } else if !b.is_ascii()
            && (line[..k].ends_with(FULLWIDTH_COLON) || line[..k].ends_with(FULLWIDTH_EQUALS))
        {
            k -= 3;
        } else {
            break;
        }
    }
    k
}

/// A key word lowercased and without `_`, kept on the stack: this runs for every candidate number.
struct Normalized {
    buf: [u8; NORMALIZED_MAX],
    len: usize,
}

/// Words are compared by at most their last this many bytes; no listed word is longer.
const NORMALIZED_MAX: usize = 40;

impl Normalized {
    fn new(word: &[u8]) -> Normalized {
        let tail = &word[word.len().saturating_sub(NORMALIZED_MAX)..];
        let mut n = Normalized {
            buf: [0; NORMALIZED_MAX],
            len: 0,
        };
        for &b in tail.iter().filter(|&&b| b != b'_') {
            n.buf[n.len] = b.to_ascii_lowercase();
            n.len += 1;
        }
        n
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The word lists as hash sets: every candidate number looks its key up, so this is on the hot path.
#[derive(Debug, Clone)]
struct KeyWords {
    /// The error-code keys ([`CODE_WORDS`]) and the keys of ids, counts and names
    /// ([`NEVER_WORDS`]), in one map: one lookup for each key.
    listed: FxHashMap<&'static [u8], Key>,
    other_codes: FxHashSet<&'static [u8]>,
    /// The last two letters of each error-code key, of the listed words and of "code": a bit per
    /// [`letter_pair`].
    code_endings: [u64; 11],
}

impl KeyWords {
    fn new() -> KeyWords {
        let mut code_endings = [0u64; 11];
        for word in CODE_WORDS.iter().chain(&["code"]) {
            let w = word.as_bytes();
            let i = letter_pair([w[w.len() - 2], w[w.len() - 1]]).expect("keys end in letters");
            code_endings[i / 64] |= 1 << (i % 64);
        }
        KeyWords {
            // A word on both lists would be an error-code key: it goes in last.
            listed: NEVER_WORDS
                .iter()
                .map(|w| (w.as_bytes(), Key::Never))
                .chain(CODE_WORDS.iter().map(|w| (w.as_bytes(), Key::Code)))
                .collect(),
            other_codes: OTHER_CODES.iter().map(|w| w.as_bytes()).collect(),
            code_endings,
        }
    }

    /// Classifies `key`, found in `line` by [`KeyWord::before`].
    fn classify_key(&self, line: &[u8], key: &KeyWord<'_>) -> Key {
        if let Some(key) = key.cjk {
            return key;
        }
        let word = key.word;
        match self.classify(word) {
            // "zip code: 100001", "verification code 812345": the word before "code" decides.
            Key::Code if word.eq_ignore_ascii_case(b"code") => {
                let before = &line[..key.key_end - word.len()];
                let before = before.strip_suffix(b" ").unwrap_or(before);
                let prev_len = before
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                let prev = Normalized::new(&before[before.len() - prev_len..]);
                if self.other_codes.contains(prev.bytes()) {
                    Key::Never
                } else {
                    Key::Code
                }
            }
            // `getUserInfo(801003, appKey)`: the first argument of a function call is an input (a
            // username, a group id), unless the function is a code key itself: it reports a result
            // (`gotResult(801004, …)`, `PlatformException(871303, …)`, `onError(…)`).
            Key::Neutral
                if !word.is_empty()
                    && key.key_end + 1 == key.number
                    && line[key.key_end] == b'(' =>
            {
                Key::Never
            }
            key => key,
        }
    }

    /// False only if the key ending at `key_end` (where its separators start) is certainly not an
    /// error-code key ([`KeyWords::classify_key`] would not say [`Key::Code`]): every ASCII one,
    /// lowercased without `_`, is a listed word or ends in "code", so it ends in two letters of a
    /// few pairs. A Chinese key, or any other non-ASCII byte before the separators, may be one.
    fn may_be_code(&self, line: &[u8], key_end: usize) -> bool {
        if key_end > 0 && !line[key_end - 1].is_ascii() {
            return true;
        }
        let mut k = key_end;
        let mut tail = [0u8; 2];
        for slot in tail.iter_mut().rev() {
            while k > 0 && line[k - 1] == b'_' {
                k -= 1;
            }
            let Some(&b) = k.checked_sub(1).map(|i| &line[i]) else {
                return false;
            };
            *slot = b.to_ascii_lowercase();
            k -= 1;
        }
        letter_pair(tail).is_some_and(|i| self.code_endings[i / 64] & (1 << (i % 64)) != 0)
    }

    fn classify(&self, word: &[u8]) -> Key {
        if word.is_empty() {
            return Key::Neutral;
        }
        let norm = Normalized::new(word);
        let norm = norm.bytes();
        let listed = self.listed.get(norm).copied();
        if listed == Some(Key::Code) {
            return Key::Code;
        }
        if let Some(kind) = norm.strip_suffix(b"code") {
            return if self.other_codes.contains(kind) {
                Key::Never
            } else {
                Key::Code
            };
        }
        // juid, fromUid, targetGid: ids by their ending too; fileName, hostname: names.
        let by_ending = norm.ends_with(b"uid") || norm.ends_with(b"gid") || norm.ends_with(b"name");
        if listed == Some(Key::Never) || by_ending || is_id_by_spelling(word) {
            return Key::Never;
        }
        Key::Neutral
    }
}

/// The place of two lowercase ASCII letters among the 676 pairs; `None` for other bytes.
fn letter_pair([a, b]: [u8; 2]) -> Option<usize> {
    (a.is_ascii_lowercase() && b.is_ascii_lowercase())
        .then(|| usize::from(a - b'a') * 26 + usize::from(b - b'a'))
}

/// `groupId`, `groupID`, `serverMsgId`, `msg_id`, `CHAT_ID`, `userIds`: identifiers by their
/// spelling. All-capital words without a `_` before the `ID` (`INVALID`, `ANDROID`) are left to the
/// word lists.
fn is_id_by_spelling(word: &[u8]) -> bool {
    let ends_in_id = |w: &[u8]| w.ends_with(b"Id") || w.ends_with(b"ID") || w.ends_with(b"_id");
    let stem = word
        .strip_suffix(b"s")
        .or_else(|| word.strip_suffix(b"S"))
        .filter(|w| ends_in_id(w))
        .unwrap_or(word);
    if word.len() <= 2 || !ends_in_id(stem) {
        return false;
    }
    let underscored = stem.len() >= 3 && stem[stem.len() - 3] == b'_';
    let all_caps = word
        .iter()
        .all(|b| !b.is_ascii_alphabetic() || b.is_ascii_uppercase());
    underscored || !all_caps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(line: &str) -> Vec<String> {
        codes_in(line, Mode::Strict)
    }

    fn codes_in(line: &str, mode: Mode) -> Vec<String> {
        let ex = Extractor::new(Catalog::builtin(), mode);
        let mut out = Vec::new();
        ex.line_hits(line.as_bytes(), &mut out);
        out.iter().map(Hit::to_string).collect()
    }

    #[test]
    fn word_lists_are_normalized_and_unique() {
        for list in [CODE_WORDS, OTHER_CODES, NEVER_WORDS] {
            assert!(
                list.windows(2).all(|w| w[0] < w[1]),
                "sorted and unique: {list:?}"
            );
            for w in list {
                assert_eq!(
                    Normalized::new(w.as_bytes()).bytes(),
                    w.as_bytes(),
                    "{w} is normalized"
                );
            }
        }
        assert!(
            UNITS.windows(2).all(|w| w[0] < w[1]),
            "units sorted, unique"
        );
        assert!(
            UNITS
                .iter()
                .all(|u| u.bytes().all(|b| b.is_ascii_lowercase())),
            "units are lowercase letters: {UNITS:?}"
        );
        assert!(
            SIGN_UNITS.windows(2).all(|w| w[0] < w[1]),
            "sorted and unique: {SIGN_UNITS:?}"
        );
        assert!(
            SIGN_UNITS
                .iter()
                .all(|u| !u.as_bytes()[0].is_ascii_alphanumeric()),
            "a sign unit never starts with a letter or digit: {SIGN_UNITS:?}"
        );
    }

    #[test]
    fn lowercase_matchers_answer_as_the_case_insensitive_patterns() {
        let re = LineRegexes::new();
        let insensitive = |m: &Regex| Regex::new(&m.as_str().replacen("(?-u)", "(?i-u)", 1));
        let (vendor, jmessage) = (
            insensitive(&re.other_vendor).unwrap(),
            insensitive(&re.jmessage).unwrap(),
        );
        // The words are lowercase (the only capitals are escapes such as `\S`).
        for m in [&re.other_vendor, &re.jmessage] {
            let text = m.as_str().replace("\\", "");
            assert!(
                !text
                    .char_indices()
                    .any(|(i, c)| c.is_ascii_uppercase() && !text[..i].ends_with('\\')),
                "{text}"
            );
        }
        for line in [
            "TIMManager login failed, code=800003",
            "V2TIMMessage send ERROR code=803008",
            "[TUIKitChat] error 801003 jmessage bridge",
            "io.Rong.imlib: code=801003",
            "NetEaseIM failed code=801003",
            "AgoraRTM: failed 801003",
            "agora_rtm failed",
            "xagora failed",
            "JIGUANG: tencent fallback, code=801003",
            "EMClient.getInstance() error 801003",
            "ordinary line code=801003 ÄTENCENT",
            "JMsg tpns",
        ] {
            let mut context = LineContext::default();
            let lower = line.as_bytes();
            assert_eq!(
                context.is_other_vendor(lower),
                vendor.is_match(lower) && !jmessage.is_match(lower),
                "{line}"
            );
        }
    }

    /// The corpus, the sample logs, and `bytes` of logs generated from `seed`.
    fn real_and_generated_lines(bytes: u64, seed: u64) -> Vec<u8> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut text = std::fs::read(root.join("tests/data/corpus.txt")).unwrap();
        for entry in std::fs::read_dir(root.join("sample-logs")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "log") {
                text.extend(std::fs::read(path).unwrap());
            }
        }
        crate::synth::write_logs(&mut text, bytes, seed).unwrap();
        text
    }

    /// What the scanner rules out from the bytes around a number, judged on the whole chunk, the
    /// line rules out too: every candidate of generated logs, the sample logs and the corpus, with
    /// `\n` and `\r\n` line ends.
    #[test]
    fn what_is_ruled_out_nearby_is_never_a_code_on_its_line() {
        let text = real_and_generated_lines(2 << 20, 7);
        let crlf: Vec<u8> = text
            .split(|&b| b == b'\n')
            .flat_map(|line| line.iter().copied().chain(*b"\r\n"))
            .collect();
        for mode in [Mode::Strict, Mode::Loose] {
            let ex = Extractor::new(Catalog::builtin(), mode);
            let (mut ruled_out, mut kept) = (0, 0);
            for chunk in [&text, &crlf] {
                let mut line_start = 0;
                let mut i = 0;
                while i < chunk.len() {
                    if chunk[i] == b'\n' {
                        line_start = i + 1;
                    }
                    if !chunk[i].is_ascii_digit() {
                        i += 1;
                        continue;
                    }
                    let end = i + chunk[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                    if let Some(code) = candidate(chunk, i, end) {
                        let line_end =
                            memchr::memchr(b'\n', &chunk[end..]).map_or(chunk.len(), |p| end + p);
                        let line = &chunk[line_start..line_end];
                        let line = line.strip_suffix(b"\r").unwrap_or(line);
                        let (s, e) = (i - line_start, end - line_start);
                        // The scanner passes what it found on the chunk to the judge of the line.
                        let on_chunk = ex.nearby(chunk, i, end, code);
                        let on_line = ex.nearby(line, s, e, code);
                        assert_eq!(
                            on_chunk,
                            on_line,
                            "{mode:?} {}",
                            String::from_utf8_lossy(line)
                        );
                        if on_chunk.is_none() {
                            ruled_out += 1;
                            let judged =
                                ex.judge_candidate(line, s, e, code, &mut LineContext::default());
                            assert_eq!(judged, None, "{mode:?} {}", String::from_utf8_lossy(line));
                        } else {
                            kept += 1;
                        }
                    }
                    i = end;
                }
            }
            assert!(
                ruled_out > 1000 && kept > 1000,
                "{mode:?}: {ruled_out} ruled out, {kept} kept"
            );
        }
    }

    /// The hand-written prefix matcher ends where the regex ends: on every line of the corpus,
    /// the sample logs and generated logs, and on random lines made of the pieces prefixes are
    /// made of, near misses included.
    #[test]
    fn the_prefix_matcher_ends_where_the_regex_does() {
        let regex = Regex::new(LOG_PREFIX).unwrap();
        let by_regex = |line: &[u8]| regex.find(line).map_or(0, |m| m.end());
        let text = real_and_generated_lines(1 << 20, 11);
        let mut with_prefix = 0;
        for line in text.split(|&b| b == b'\n') {
            assert_eq!(
                prefix_end(line),
                by_regex(line),
                "{}",
                String::from_utf8_lossy(line)
            );
            with_prefix += usize::from(by_regex(line) > 0);
        }
        assert!(with_prefix > 1000, "{with_prefix} lines with a prefix");

        const PIECES: &[&str] = &[
            "11",
            "26",
            "2026",
            "1",
            "12345",
            "-",
            "-",
            " ",
            "  ",
            "\t",
            "\r",
            ":",
            ":",
            ".",
            ".678",
            "00:00:00",
            "11-26 ",
            "11-26 00:00:00.678 ",
            "2026-11-26 ",
            "u0_a123",
            "D",
            "E",
            "I",
            "x",
            "/",
            "/",
            "(",
            "(",
            ")",
            "( 123)",
            "Tag",
            "é",
            "=",
            "\n",
            "D/Tag(",
            " D ",
            "6498",
            "1-2/",
            "com.app",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut matched = 0;
        for _ in 0..200_000 {
            let mut line = Vec::new();
            for _ in 0..next() % 16 {
                line.extend(PIECES[(next() % PIECES.len() as u64) as usize].as_bytes());
            }
            if next() % 4 == 0 {
                // A long tag, around the 120 bytes a brief tag may have.
                let n = 110 + (next() % 20) as usize;
                line.splice(0..0, std::iter::repeat_n(b'a', n));
                line.splice(0..0, *b"I/");
            }
            assert_eq!(
                prefix_end(&line),
                by_regex(&line),
                "{}",
                String::from_utf8_lossy(&line)
            );
            matched += usize::from(by_regex(&line) > 0);
        }
        assert!(matched > 1000, "{matched} random lines with a prefix");
    }

    #[test]
    fn code_keys() {
        assert_eq!(codes("responseCode=801003 responseMessage=x"), ["801003"]);
        assert_eq!(codes("responseCode：801003，responseMessage=x"), ["801003"]);
        assert_eq!(codes("Response code= 801003"), ["801003"]);
        assert_eq!(
            codes(r#"{"error": {"code": 899002, "message": "No such user"}}"#),
            ["899002"]
        );
        assert_eq!(
            codes("Error Domain=jmsg_error Code=865003 \"x\""),
            ["865003"]
        );
        assert_eq!(
            codes("PlatformException(871303, Invalid username., null)"),
            ["871303"]
        );
        assert_eq!(
            codes("PlatformException(error, Error 863004, null, null)"),
            ["863004"]
        );
        assert_eq!(codes("错误码：801003"), ["801003"]);
        assert_eq!(
            codes("{code: 880103, message: 'user not exist'}"),
            ["880103"]
        );
        assert_eq!(codes("errCode -> 7132006"), ["7132006"]);
        assert_eq!(
            codes("responseCode:                       812345"),
            ["?812345"],
            "keys aligned with spaces"
        );
    }

    #[test]
    fn unknown_codes_need_a_code_key() {
        assert_eq!(codes("code=812345"), ["?812345"]);
        assert!(codes("login failed 812345").is_empty());
        assert!(codes("code=123456").is_empty(), "outside the code space");
    }

    #[test]
    fn neutral_context_needs_a_catalog_code_and_a_failure() {
        assert_eq!(codes("login failed: 801004"), ["801004"]);
        assert_eq!(codes("登录失败 801004"), ["801004"]);
        assert!(codes("login ok: 801004").is_empty());
    }

    #[test]
    fn decoys() {
        assert!(codes("09:09:07.801003 error").is_empty(), "fraction");
        assert!(codes("[7606:801004] error").is_empty(), "pid:tid");
        assert!(codes("uid=801004 error").is_empty());
        assert!(codes("groupID: 810001 failed").is_empty());
        assert!(codes("msg_id=803001 failed").is_empty());
        assert!(codes("error 0x801004").is_empty(), "hex");
        assert!(codes("error 0.801003").is_empty(), "decimal");
        assert!(codes("failed 1700000801004").is_empty(), "longer number");
        assert!(
            codes("POST /v1/groups/810001/members failed").is_empty(),
            "path"
        );
        assert!(codes("error: wrote 803001 bytes").is_empty(), "unit");
        assert!(codes("error: wrote 803001(KiB)").is_empty(), "unit");
        assert!(codes("versionCode=801004 error").is_empty());
        assert!(codes("zip code: 810001").is_empty());
        assert!(
            codes("TIMManager login failed, code=800003").is_empty(),
            "other vendor"
        );
        assert!(
            codes("SendbirdException: connect failed, code=800120").is_empty(),
            "other vendor"
        );
        assert_eq!(codes("login failed for Tim, code=801004"), ["801004"]);
    }

    #[test]
    fn signs_and_chinese_measure_words_make_a_quantity() {
        for line in [
            "progress 865004% error",
            "error: 801003%failed",
            "error: 801003 % done",
            "同步失败，共 801004 条",
            "发送失败 801003条消息",
            "重试 801004 次后失败",
            "连接失败 803001毫秒",
            "上传失败，已传 803001 字节",
            "failed after 803001µs",
        ] {
            assert!(codes(line).is_empty(), "{line}: {:?}", codes(line));
        }
        assert_eq!(codes("错误码：801003，用户不存在"), ["801003"]);
        assert_eq!(
            codes("error 801003 bytesize"),
            ["801003"],
            "letters of no unit"
        );
    }

    #[test]
    fn the_first_argument_of_a_call_is_no_code_unless_the_call_reports_one() {
        assert!(codes("getUserInfo(801003) failed").is_empty());
        assert!(codes("getUserInfo(801003, appKey) failed").is_empty());
        assert_eq!(codes("gotResult(801004, invalid password)"), ["801004"]);
        assert_eq!(codes("gotResult(812345, \"x\")"), ["?812345"]);
        assert_eq!(
            codes("PlatformException(871303, Invalid username., null)"),
            ["871303"]
        );
    }

    #[test]
    fn names_ids_and_people_are_never_codes() {
        for line in [
            "update group failed, groupName: 810001",
            "download failed, fileName=871403",
            "CHAT_ID=803001 send failed",
            "USER_IDS=801003 lookup failed",
            "userIds=801003 failed",
            "chatroom 847001 enter failed",
            "postal 810001 failed",
            "添加成员失败，成员：801003",
            "登录失败，账号：801004",
        ] {
            assert!(codes(line).is_empty(), "{line}: {:?}", codes(line));
        }
        assert_eq!(codes("INVALID 801004 failed"), ["801004"], "not an id");
        assert_eq!(codes("请求失败，结果码：812345"), ["?812345"]);
    }

    #[test]
    fn a_code_counts_once_per_line_and_codes_come_sorted() {
        assert_eq!(codes("code=803008 then errorCode=803008"), ["803008"]);
        assert_eq!(
            codes(r#"[{"error":{"code":899011}},{"error":{"code":899002}}]"#),
            ["899002", "899011"]
        );
        assert_eq!(
            codes("responseCode:803005 failed, groupID: 810001"),
            ["803005"]
        );
    }

    #[test]
    fn numbers_with_a_leading_zero_are_not_codes() {
        // Found by fuzzing: the block scanner and the line rules must agree on these.
        assert!(codes("code=0801003").is_empty());
        assert!(codes_in("\"username\": \"0801003\",", Mode::Loose).is_empty());
    }

    #[test]
    fn loose_mode_ignores_context_but_not_boundaries() {
        assert_eq!(codes_in("uid=801004", Mode::Loose), ["801004"]);
        assert!(codes_in("09:09:07.801003", Mode::Loose).is_empty());
        assert!(
            codes_in("code=812345", Mode::Loose).is_empty(),
            "loose counts catalog codes only"
        );
    }
}
