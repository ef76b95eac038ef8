//! The built-in catalog of JMessage error codes.
//!
//! The catalog is the file `data/catalog.toml`, embedded into the binary at compile time and parsed
//! once on first use. Each entry carries the official texts verbatim (`message`, `description_zh`),
//! jmlog's own English `meaning` (written from the Chinese, which is the reliable text), the module
//! and operation the code belongs to, and where the code was documented.
//!
//! Lookups happen on the scanner's hot path, but only for numbers that already passed the cheap
//! candidate checks, so a binary search over the sorted codes is plenty.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The catalog source file, as shipped.
const CATALOG_TOML: &str = include_str!("../data/catalog.toml");

/// A JMessage error code: six digits, or seven for the chatroom-admin and RTC codes.
pub type Code = u32;

/// The smallest and largest numbers jmlog treats as JMessage error codes. Every official code lies
/// in 700000–899999 (six digits) or 7000000–7999999 (seven digits); numbers outside these ranges
/// are never codes, whatever their context.
pub fn in_code_space(n: Code) -> bool {
    (700_000..=899_999).contains(&n) || (7_000_000..=7_999_999).contains(&n)
}

/// The feature whose operation failed. This is the bucket jmlog counts codes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Module {
    /// Signing in and out, session state of the IM user.
    Login,
    /// App credentials, REST API authentication, tokens and signatures.
    Auth,
    /// User records: registration, user lookup, profile fields.
    Account,
    /// Sending, receiving, retracting and parsing messages; conversations.
    Messaging,
    /// Groups: creation, members, info, announcements, join requests.
    Groups,
    /// The user blacklist.
    Blacklist,
    /// Do-not-disturb and group message shielding.
    DoNotDisturb,
    /// Friends and friend requests.
    Friends,
    /// Chatrooms, their admins and their blacklists.
    Chatroom,
    /// Uploading and downloading files and media.
    Media,
    /// Audio and video calls (JMRTC).
    AudioVideo,
    /// Push registration (JPush) done by the SDK.
    Push,
    /// Client-side connectivity: no network, timeouts.
    Network,
    /// SDK-local state: not initialised, local database, invalid call parameters.
    Sdk,
    /// Server internals, busy or timed-out servers, malformed requests.
    System,
}

impl Module {
    /// Every module, in the order reports list them when counts tie.
    pub const ALL: [Module; 15] = [
        Module::Login,
        Module::Auth,
        Module::Account,
        Module::Messaging,
        Module::Groups,
        Module::Blacklist,
        Module::DoNotDisturb,
        Module::Friends,
        Module::Chatroom,
        Module::Media,
        Module::AudioVideo,
        Module::Push,
        Module::Network,
        Module::Sdk,
        Module::System,
    ];

    /// The module's name as users type it and reports print it.
    pub fn name(self) -> &'static str {
        match self {
            Module::Login => "login",
            Module::Auth => "auth",
            Module::Account => "account",
            Module::Messaging => "messaging",
            Module::Groups => "groups",
            Module::Blacklist => "blacklist",
            Module::DoNotDisturb => "do-not-disturb",
            Module::Friends => "friends",
            Module::Chatroom => "chatroom",
            Module::Media => "media",
            Module::AudioVideo => "audio-video",
            Module::Push => "push",
            Module::Network => "network",
            Module::Sdk => "sdk",
            Module::System => "system",
        }
    }
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Module {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Module::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = Module::ALL.iter().map(|m| m.name()).collect();
                format!("unknown module '{s}' (modules: {})", names.join(", "))
            })
    }
}

/// Where a code is documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Source {
    /// The 2016-era official server table jmlog was started from.
    #[serde(rename = "seed")]
    Seed,
    /// The 2019 official server table.
    #[serde(rename = "server-2019")]
    Server2019,
    /// The official Android SDK table (JMessage and JMRTC).
    #[serde(rename = "android")]
    Android,
    /// The official iOS SDK table (JMessage and JMRTC).
    #[serde(rename = "ios")]
    Ios,
    /// The constants of the iOS SDK 3.9.1 header `JMSGConstants.h`.
    #[serde(rename = "ios-header")]
    IosHeader,
    /// The official web and PC SDK table.
    #[serde(rename = "web")]
    Web,
}

impl Source {
    /// The source's name as the catalog and reports spell it.
    pub fn name(self) -> &'static str {
        match self {
            Source::Seed => "seed",
            Source::Server2019 => "server-2019",
            Source::Android => "android",
            Source::Ios => "ios",
            Source::IosHeader => "ios-header",
            Source::Web => "web",
        }
    }
}

/// The client platform a code is specific to. Server codes have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Android,
    Ios,
    Web,
}

impl Platform {
    pub fn name(self) -> &'static str {
        match self {
            Platform::Android => "android",
            Platform::Ios => "ios",
            Platform::Web => "web",
        }
    }
}

/// Everything the catalog knows about one code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub code: Code,
    pub module: Module,
    /// What the user or app was doing: "login", "add group members", …
    pub operation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    pub sources: Vec<Source>,
    /// The official English message, verbatim (typos kept); may be empty.
    pub message: String,
    /// The official Chinese description, verbatim.
    pub description_zh: String,
    /// jmlog's English meaning, written from the Chinese description.
    pub meaning: String,
    /// Actionable advice or limits the official documentation gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Where a later official table disagrees with the primary text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The iOS SDK constant for this code, where the header names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    code: Vec<Entry>,
}

/// The set of known codes, sorted by code.
#[derive(Debug)]
pub struct Catalog {
    entries: Vec<Entry>,
    /// The codes of `entries`, in the same order: a compact array that stays in the L1 cache for
    /// the scanner's lookups.
    codes: Vec<Code>,
}

impl Catalog {
    /// The catalog compiled into jmlog.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The embedded file is checked by the tests below, so a failure here is a build defect.
            Catalog::from_toml(CATALOG_TOML).expect("the built-in catalog is valid")
        })
    }

    /// Parses a catalog file. Entries may come in any order; codes must be unique.
    pub fn from_toml(text: &str) -> Result<Catalog, String> {
        let file: CatalogFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut entries = file.code;
        entries.sort_by_key(|e| e.code);
        if let Some(w) = entries.windows(2).find(|w| w[0].code == w[1].code) {
            return Err(format!("code {} is listed twice", w[0].code));
        }
        if let Some(e) = entries.iter().find(|e| !in_code_space(e.code)) {
            return Err(format!(
                "code {} is outside the JMessage code space (700000-899999, 7000000-7999999)",
                e.code
            ));
        }
        let codes = entries.iter().map(|e| e.code).collect();
        Ok(Catalog { entries, codes })
    }

    /// The entry for `code`, if the catalog knows it.
    #[inline]
    pub fn get(&self, code: Code) -> Option<&Entry> {
        self.codes
            .binary_search(&code)
            .ok()
            .map(|i| &self.entries[i])
    }

    /// Whether the catalog knows `code`.
    #[inline]
    pub fn contains(&self, code: Code) -> bool {
        self.codes.binary_search(&code).is_ok()
    }

    /// All entries, sorted by code.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_parses_and_is_sorted() {
        let cat = Catalog::builtin();
        assert!(
            cat.entries().len() >= 380,
            "{} entries",
            cat.entries().len()
        );
        assert!(cat.entries().windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn duplicate_codes_are_rejected() {
        let entry = r#"[[code]]
code = 801004
module = "login"
operation = "login"
sources = ["seed"]
message = ""
description_zh = "x"
meaning = "x"
"#;
        let err = Catalog::from_toml(&format!("{entry}\n{entry}")).unwrap_err();
        assert!(err.contains("801004"), "{err}");
    }

    #[test]
    fn module_names_round_trip() {
        for m in Module::ALL {
            assert_eq!(m.name().parse::<Module>().unwrap(), m);
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.name()));
        }
        assert!("nosuch".parse::<Module>().is_err());
    }

    #[test]
    fn code_space_bounds() {
        assert!(in_code_space(700_000));
        assert!(in_code_space(899_999));
        assert!(!in_code_space(900_000));
        assert!(!in_code_space(699_999));
        assert!(in_code_space(7_132_006));
        assert!(!in_code_space(8_000_000));
    }
}
