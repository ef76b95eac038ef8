//! Which client platform a log line comes from, for the few codes whose meaning depends on it.
//!
//! A handful of numbers mean different things on Android, iOS and the web (872001 is a JMRTC
//! Android state error, a JMRTC iOS call-end reason, and "not logged in" in the 2015 JavaScript
//! SDK). The line itself usually says where it was written: the layout of its prefix, or a name
//! only one platform's SDK uses. [`of_line`] reads that, and nothing else: no state is carried from
//! line to line, so chunks and threads cannot change the answer.
//!
//! Only lines that hold such a code are looked at, so the patterns cost nothing on the scan's hot
//! path.

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexSet};

use crate::catalog::Platform;
use crate::extract::LOG_PREFIX;

/// Patterns that name a platform, strongest first: the layouts of line prefixes, then names only
/// one platform's SDK or tools write.
struct Patterns {
    android: Regex,
    ios: Regex,
    web: Regex,
    markers: RegexSet,
}

/// The platform each pattern of [`Patterns::markers`] names, in the same order.
const MARKERS: &[(&str, Platform)] = &[
    // Android packages of the JMessage and JMRTC SDKs in stack traces and class names.
    (
        r"(?i-u)\bcn\.jpush\.im\.android\b|\bcn\.jiguang\.jmrtc\b",
        Platform::Android,
    ),
    // An NSError, the iOS SDK's error domain and constant prefixes.
    (
        r"(?-u)\bError Domain=|\bjmsg_error\b|\bkJMSGError|\bJMRTCDisconnectReason",
        Platform::Ios,
    ),
    // The JMessage web SDK's script names.
    (
        r"(?i-u)\bjmessage-sdk-web\b|\bjmessage-sdk-js\b",
        Platform::Web,
    ),
];

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("static pattern");
        Patterns {
            // Logcat threadtime, brief and time, and Android Studio.
            android: re(LOG_PREFIX),
            // The iOS console (Xcode, Console.app): a six-digit fraction, an offset, and
            // `Process[pid:tid]`; or a device syslog line with its `<Level>:` marker.
            ios: re(r"(?x-u)^(?:
                \d{4}-\d\d-\d\d[T\x20]\d\d:\d\d:\d\d\.\d{6}[+-]\d{4}\s+[^\s\[]+\[\d+:[0-9a-fx]+\]
              | [A-Z][a-z]{2}\s+\d{1,2}\s\d\d:\d\d:\d\d\s\S+\s[^\[\s]+\[\d+\]\s
                <(?:Notice|Error|Warning|Debug|Info|Fault|Critical)>:
            )"),
            // A browser console saved or copied: the script and line first (`app.js:120 …`,
            // `jmessage-sdk-web.2.6.0.min.js:1 …`).
            web: re(r"(?-u)^\S+\.(?:js|mjs|ts|jsx|tsx|vue)(?:\?\S*)?:\d+(?::\d+)?\s"),
            markers: RegexSet::new(MARKERS.iter().map(|(p, _)| p)).expect("static patterns"),
        }
    })
}

/// The platform `line` (without its terminator) comes from, if the line says.
pub fn of_line(line: &[u8]) -> Option<Platform> {
    let p = patterns();
    if p.android.is_match(line) {
        return Some(Platform::Android);
    }
    if p.ios.is_match(line) {
        return Some(Platform::Ios);
    }
    if p.web.is_match(line) {
        return Some(Platform::Web);
    }
    let found = p.markers.matches(line);
    let mut named = found.iter().map(|i| MARKERS[i].1);
    match (named.next(), named.next()) {
        // A line that names two platforms says nothing certain.
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// How many occurrences of a code were found on lines of each platform.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlatformCounts {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub android: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ios: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub web: u64,
    /// Lines that do not say which platform they come from.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unknown: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl PlatformCounts {
    /// Counts one line of `platform`.
    pub fn add(&mut self, platform: Option<Platform>) {
        *match platform {
            Some(Platform::Android) => &mut self.android,
            Some(Platform::Ios) => &mut self.ios,
            Some(Platform::Web) => &mut self.web,
            None => &mut self.unknown,
        } += 1;
    }

    pub fn total(&self) -> u64 {
        self.android + self.ios + self.web + self.unknown
    }

    /// The platform every counted line comes from, if they all come from one that is known.
    pub fn only(&self) -> Option<Platform> {
        let known = [
            (Platform::Android, self.android),
            (Platform::Ios, self.ios),
            (Platform::Web, self.web),
        ];
        let mut with_lines = known.iter().filter(|(_, n)| *n > 0);
        match (with_lines.next(), with_lines.next()) {
            (Some((p, _)), None) if self.unknown == 0 => Some(*p),
            _ => None,
        }
    }
}

impl std::ops::AddAssign for PlatformCounts {
    fn add_assign(&mut self, other: PlatformCounts) {
        self.android += other.android;
        self.ios += other.ios;
        self.web += other.web;
        self.unknown += other.unknown;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(line: &str) -> Option<&'static str> {
        of_line(line.as_bytes()).map(Platform::name)
    }

    #[test]
    fn layouts_name_their_platform() {
        assert_eq!(
            of("11-03 08:15:44.020  7606  7702 W JIGUANG-JMRTC: code = 872001"),
            Some("android")
        );
        assert_eq!(of("E/JIGUANG-JMRTC( 7606): code = 872001"), Some("android"));
        assert_eq!(
            of("2026-10-27 09:31:02.118 7606-7651/com.example.chat E/Call: code=872001"),
            Some("android")
        );
        assert_eq!(
            of("2026-11-04 10:12:31.004512+0800 ChatDemo[7606:812345] [JMRTC] reason 872001"),
            Some("ios")
        );
        assert_eq!(
            of("Nov  4 10:12:31 iPhone ChatDemo[7606] <Error>: call ended, code=872002"),
            Some("ios")
        );
        assert_eq!(
            of("jmessage-sdk-web.2.6.0.min.js:1 {code: 872001, message: 'x'}"),
            Some("web")
        );
        assert_eq!(of("app.js:120:7 login error {code: 872003}"), Some("web"));
    }

    #[test]
    fn names_only_one_platform_uses() {
        assert_eq!(
            of("    at cn.jpush.im.android.api.JMessageClient.login(code=872003)"),
            Some("android")
        );
        assert_eq!(
            of("Error Domain=jmsg_error Code=866004 \"x\" UserInfo={}"),
            Some("ios")
        );
        assert_eq!(of("[JIM] jmessage-sdk-web error code=872002"), Some("web"));
    }

    #[test]
    fn lines_that_do_not_say_have_no_platform() {
        assert_eq!(of("call failed, code = 872001"), None);
        assert_eq!(
            of("2026-11-16 09:00:04,212 ERROR [main] code=872001"),
            None,
            "a Java server log"
        );
        assert_eq!(of("{code: 872001, message: 'x'}"), None);
        assert_eq!(
            of("cn.jpush.im.android bridge, Error Domain=jmsg_error code=872001"),
            None,
            "two platforms named"
        );
    }

    #[test]
    fn counts_know_when_one_platform_has_every_line() {
        let mut c = PlatformCounts::default();
        assert_eq!(c.only(), None);
        c.add(Some(Platform::Ios));
        c.add(Some(Platform::Ios));
        assert_eq!(c.only(), Some(Platform::Ios));
        c.add(None);
        assert_eq!(c.only(), None, "a line of unknown platform");
        let mut d = PlatformCounts::default();
        d.add(Some(Platform::Ios));
        d.add(Some(Platform::Web));
        assert_eq!(d.only(), None);
        d += c;
        assert_eq!(d.total(), 5);
    }
}
