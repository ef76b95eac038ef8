//! The built-in catalog of JMessage error codes.
//!
//! The catalog is the file `data/catalog.toml`, embedded into the binary at compile time and parsed
//! once on first use. Each entry carries the official texts verbatim (`message`, `description_zh`),
//! jmlog's own English `meaning` (written from the Chinese, which is the reliable text), the module
//! and operation the code belongs to, where the code was documented and how strong that evidence
//! is ([`Strength`]), and — for the few numbers that mean something else on another platform or in
//! another SDK generation — those other meanings ([`Variant`], resolved by [`Entry::meaning_on`]).
//!
//! Lookups happen on the scanner's hot path, but only for numbers that already passed the cheap
//! candidate checks, so a binary search over the sorted codes is plenty.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The catalog source file, as shipped.
#[cfg(test)]
const CATALOG_TOML: &str = include_str!("../data/catalog.toml");

/// `data/catalog.toml` as JSON, written by the build script: the catalog jmlog reads on every run.
const CATALOG_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.json"));

/// A JMessage error code: six digits, or seven for the chatroom-admin and RTC codes.
pub type Code = u32;

/// The smallest and largest numbers jmlog treats as JMessage error codes. Every official code lies
/// in 700000–899999 (six digits) or 7000000–7999999 (seven digits); numbers outside these ranges
/// are never codes, whatever their context.
pub fn in_code_space(n: Code) -> bool {
    code_space_index(n).is_some()
}

/// How many numbers the code space holds: 200,000 of six digits and 1,000,000 of seven.
const CODE_SPACE_SIZE: usize = 1_200_000;

/// The place of `n` among the numbers of the code space, six-digit ones first; `None` outside it.
#[inline]
fn code_space_index(n: Code) -> Option<usize> {
    match n {
        700_000..=899_999 => Some((n - 700_000) as usize),
        7_000_000..=7_999_999 => Some((n - 7_000_000) as usize + 200_000),
        _ => None,
    }
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
        by_name(&Module::ALL, Module::name, s, "module")
    }
}

/// The one of `all` named `s` (ignoring ASCII case), or an error listing every name.
fn by_name<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    s: &str,
    kind: &str,
) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|&x| name(x).eq_ignore_ascii_case(s))
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|&x| name(x)).collect();
            format!("unknown {kind} '{s}' ({kind}s: {})", names.join(", "))
        })
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
    /// The 2015–2016 editions of the single error-code page (server and iOS rows), removed later.
    #[serde(rename = "docs-2015")]
    Docs2015,
    /// The error lists of the REST API pages (2016 and 2019 editions).
    #[serde(rename = "rest-api")]
    RestApi,
    /// The 2017 editions of the web SDK error-code page.
    #[serde(rename = "web-2017")]
    Web2017,
    /// The error codes of the JavaScript SDK v1 page (2015).
    #[serde(rename = "js-sdk-v1")]
    JsSdkV1,
    /// The 2015 iOS SDK header `JMSGConstants.h` and its generated reference pages.
    #[serde(rename = "ios-header-2015")]
    IosHeader2015,
    /// The JMRTC Android javadoc (constant values, 2018).
    #[serde(rename = "jmrtc-javadoc")]
    JmrtcJavadoc,
    /// The JMRTC iOS reference (`JMRTCDisconnectReason`, 2019).
    #[serde(rename = "jmrtc-ios-doc")]
    JmrtcIosDoc,
    /// The JMessage Android SDK jars themselves, read with `javap` (constant names, behaviour).
    #[serde(rename = "android-sdk")]
    AndroidSdk,
    /// The JMessage web SDK's JavaScript itself.
    #[serde(rename = "web-sdk")]
    WebSdk,
    /// JiGuang's JChat demo apps (Android, iOS, web): their code-to-message mappings.
    #[serde(rename = "jchat")]
    Jchat,
}

impl Source {
    /// Every source, strongest evidence first.
    pub const ALL: [Source; 16] = [
        Source::Seed,
        Source::Server2019,
        Source::Android,
        Source::Ios,
        Source::Web,
        Source::Docs2015,
        Source::RestApi,
        Source::Web2017,
        Source::JsSdkV1,
        Source::IosHeader,
        Source::IosHeader2015,
        Source::JmrtcJavadoc,
        Source::JmrtcIosDoc,
        Source::AndroidSdk,
        Source::WebSdk,
        Source::Jchat,
    ];

    /// The source's name as the catalog and reports spell it.
    pub fn name(self) -> &'static str {
        match self {
            Source::Seed => "seed",
            Source::Server2019 => "server-2019",
            Source::Android => "android",
            Source::Ios => "ios",
            Source::IosHeader => "ios-header",
            Source::Web => "web",
            Source::Docs2015 => "docs-2015",
            Source::RestApi => "rest-api",
            Source::Web2017 => "web-2017",
            Source::JsSdkV1 => "js-sdk-v1",
            Source::IosHeader2015 => "ios-header-2015",
            Source::JmrtcJavadoc => "jmrtc-javadoc",
            Source::JmrtcIosDoc => "jmrtc-ios-doc",
            Source::AndroidSdk => "android-sdk",
            Source::WebSdk => "web-sdk",
            Source::Jchat => "jchat",
        }
    }

    /// How strong a source's word on a code is.
    pub fn strength(self) -> Strength {
        match self {
            Source::Seed
            | Source::Server2019
            | Source::Android
            | Source::Ios
            | Source::Web
            | Source::Docs2015
            | Source::RestApi
            | Source::Web2017
            | Source::JsSdkV1 => Strength::Table,
            Source::IosHeader
            | Source::IosHeader2015
            | Source::JmrtcJavadoc
            | Source::JmrtcIosDoc => Strength::Header,
            Source::AndroidSdk | Source::WebSdk => Strength::Binary,
            Source::Jchat => Strength::DemoApp,
        }
    }
}

impl FromStr for Source {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        by_name(&Source::ALL, Source::name, s, "source")
    }
}

/// How strong the evidence for a code's meaning is, strongest first: the strongest of its
/// sources.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Strength {
    /// A documentation table: an error-code page or a REST API page's error list.
    #[default]
    Table,
    /// An SDK header or javadoc: a constant with its comment or description.
    Header,
    /// An SDK binary only: constant names, code paths, a message string at most.
    Binary,
    /// A JiGuang demo app's code-to-message mapping only (demo apps have typos and fall-through
    /// bugs).
    DemoApp,
}

impl Strength {
    /// Every strength, strongest first.
    pub const ALL: [Strength; 4] = [
        Strength::Table,
        Strength::Header,
        Strength::Binary,
        Strength::DemoApp,
    ];

    /// The strength's name as users type it and JSON spells it.
    pub fn name(self) -> &'static str {
        match self {
            Strength::Table => "table",
            Strength::Header => "header",
            Strength::Binary => "binary",
            Strength::DemoApp => "demo-app",
        }
    }

    /// What the strength means, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Strength::Table => "a documentation table",
            Strength::Header => "an SDK header or javadoc, in no documentation table",
            Strength::Binary => "an SDK binary only, no documentation",
            Strength::DemoApp => "a demo app's mapping only, no documentation",
        }
    }
}

impl fmt::Display for Strength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Strength {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        by_name(&Strength::ALL, Strength::name, s, "strength")
    }
}

/// The client platform a code is specific to. Server codes have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Android,
    Ios,
    Web,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Android, Platform::Ios, Platform::Web];

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
    /// The SDK (or SDK generation) the meaning belongs to, where the same number means something
    /// else elsewhere ("JMRTC Android").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk: Option<String>,
    pub sources: Vec<Source>,
    /// The strongest of `sources`' strengths; computed when the catalog is loaded.
    #[serde(default, skip_deserializing)]
    pub strength: Strength,
    /// The official English message, verbatim (typos kept); may be empty.
    pub message: String,
    /// The official Chinese description, verbatim; may be empty where the only source has no text.
    pub description_zh: String,
    /// jmlog's English meaning, written from the Chinese description; it says so where the meaning
    /// is inferred rather than written down anywhere.
    pub meaning: String,
    /// Actionable advice or limits the official documentation gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Where another official source disagrees with the primary text, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The SDK constant for this code, where a header or binary names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant: Option<String>,
    /// What the same number means on other platforms or in other SDK generations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elsewhere: Vec<Variant>,
}

/// The meaning of a code on another platform or in another SDK generation than its entry's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub platform: Platform,
    /// The SDK or SDK generation: "JMRTC iOS", "JavaScript SDK v1 (2015)".
    pub sdk: String,
    pub operation: String,
    pub sources: Vec<Source>,
    /// The strongest of `sources`' strengths; computed when the catalog is loaded.
    #[serde(default, skip_deserializing)]
    pub strength: Strength,
    pub message: String,
    pub description_zh: String,
    pub meaning: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant: Option<String>,
}

/// One of a code's meanings, with where it applies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Meaning<'e> {
    /// `None`: on every platform (a server code).
    pub platform: Option<Platform>,
    pub sdk: Option<&'e str>,
    pub operation: &'e str,
    pub meaning: &'e str,
    /// The official English message, verbatim; may be empty.
    pub message: &'e str,
    pub strength: Strength,
}

impl Meaning<'_> {
    /// `android · JMRTC Android`, `ios`, or `any platform`; with the strength of the evidence
    /// where it is weaker than a documentation table (`ios · JMRTC iOS · header`).
    pub fn label(&self) -> String {
        let mut label = match (self.platform, self.sdk) {
            (Some(p), Some(sdk)) => format!("{} · {sdk}", p.name()),
            (Some(p), None) => p.name().to_owned(),
            (None, Some(sdk)) => sdk.to_owned(),
            (None, None) => "any platform".to_owned(),
        };
        if self.strength > Strength::Table {
            label.push_str(" · ");
            label.push_str(self.strength.name());
        }
        label
    }
}

impl Entry {
    /// Whether the number means different things per platform or SDK generation.
    pub fn varies(&self) -> bool {
        !self.elsewhere.is_empty()
    }

    /// The sources of every meaning of the code, the entry's own first.
    pub fn all_sources(&self) -> impl Iterator<Item = Source> + '_ {
        let others = self.elsewhere.iter().flat_map(|v| v.sources.iter());
        self.sources.iter().chain(others).copied()
    }

    /// Every meaning of the code: the entry's own first, then those elsewhere.
    pub fn meanings(&self) -> Vec<Meaning<'_>> {
        let own = Meaning {
            platform: self.platform,
            sdk: self.sdk.as_deref(),
            operation: &self.operation,
            meaning: &self.meaning,
            message: &self.message,
            strength: self.strength,
        };
        let others = self.elsewhere.iter().map(|v| Meaning {
            platform: Some(v.platform),
            sdk: Some(&v.sdk),
            operation: &v.operation,
            meaning: &v.meaning,
            message: &v.message,
            strength: v.strength,
        });
        std::iter::once(own).chain(others).collect()
    }

    /// The meaning on `platform` (`None`: not known): the one meaning that applies there, or else
    /// every meaning with where it applies.
    pub fn meaning_on(&self, platform: Option<Platform>) -> Resolved<'_> {
        let all = self.meanings();
        if let Some(p) = platform {
            let here: Vec<&Meaning<'_>> = all
                .iter()
                .filter(|m| m.platform.is_none_or(|q| q == p))
                .collect();
            if let [one] = here[..] {
                return Resolved::One(*one);
            }
        }
        if let [one] = all[..] {
            return Resolved::One(one);
        }
        Resolved::Several(all)
    }
}

/// A code's meaning for a line or a set of lines, by [`Entry::meaning_on`].
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved<'e> {
    One(Meaning<'e>),
    /// The platform is unknown, or several meanings apply there.
    Several(Vec<Meaning<'e>>),
}

impl Resolved<'_> {
    /// The meaning as one text: `[android · JMRTC Android] … [ios · JMRTC iOS] …` for several.
    pub fn text(&self) -> String {
        match self {
            Resolved::One(m) => m.meaning.to_owned(),
            Resolved::Several(all) => all
                .iter()
                .map(|m| format!("[{}] {}", m.label(), m.meaning))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// The operation: the one meaning's, or the entry's own when several apply.
    pub fn operation(&self) -> &str {
        match self {
            Resolved::One(m) => m.operation,
            Resolved::Several(all) => all[0].operation,
        }
    }

    /// The official English message: the one meaning's, or the entry's own when several apply.
    pub fn message(&self) -> &str {
        match self {
            Resolved::One(m) => m.message,
            Resolved::Several(all) => all[0].message,
        }
    }

    /// The strength of the evidence: the one meaning's, or the strongest of several (whose labels
    /// in [`Resolved::text`] name the weaker ones).
    pub fn strength(&self) -> Strength {
        match self {
            Resolved::One(m) => m.strength,
            Resolved::Several(all) => all.iter().map(|m| m.strength).min().unwrap_or_default(),
        }
    }
}

/// The strongest strength of a list of sources.
fn strongest(sources: &[Source]) -> Strength {
    sources
        .iter()
        .map(|s| s.strength())
        .min()
        .unwrap_or(Strength::DemoApp)
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
    /// The codes of `entries`, in the same order.
    codes: Vec<Code>,
    /// One bit per number of the code space ([`code_space_index`]), set for the known codes: the
    /// scanner asks about every number that looks like a code, most of them not codes at all, and
    /// a bit test answers in one load where a search of `codes` takes nine dependent steps.
    known: Vec<u64>,
    /// The codes whose meaning depends on the platform, sorted: only lines holding one of these
    /// are looked at for their platform.
    varying: Vec<Code>,
}

impl Catalog {
    /// The catalog compiled into jmlog.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The embedded file is checked by the tests below, so a failure here is a build defect.
            let file = serde_json::from_str(CATALOG_JSON).map_err(|e| e.to_string());
            file.and_then(Catalog::from_file)
                .expect("the built-in catalog is valid")
        })
    }

    /// Parses a catalog file. Entries may come in any order; codes must be unique.
    pub fn from_toml(text: &str) -> Result<Catalog, String> {
        Catalog::from_file(toml::from_str(text).map_err(|e| e.to_string())?)
    }

    fn from_file(file: CatalogFile) -> Result<Catalog, String> {
        let mut entries = file.code;
        entries.sort_by_key(|e| e.code);
        for e in &mut entries {
            e.strength = strongest(&e.sources);
            for v in &mut e.elsewhere {
                v.strength = strongest(&v.sources);
            }
        }
        if let Some(w) = entries.windows(2).find(|w| w[0].code == w[1].code) {
            return Err(format!("code {} is listed twice", w[0].code));
        }
        if let Some(e) = entries.iter().find(|e| !in_code_space(e.code)) {
            return Err(format!(
                "code {} is outside the JMessage code space (700000-899999, 7000000-7999999)",
                e.code
            ));
        }
        if let Some(e) = entries
            .iter()
            .find(|e| e.sources.is_empty() || e.elsewhere.iter().any(|v| v.sources.is_empty()))
        {
            return Err(format!("code {} has a meaning without a source", e.code));
        }
        let codes: Vec<Code> = entries.iter().map(|e| e.code).collect();
        let mut known = vec![0u64; CODE_SPACE_SIZE.div_ceil(64)];
        for &code in &codes {
            let i = code_space_index(code).expect("checked above");
            known[i / 64] |= 1 << (i % 64);
        }
        let varying = entries
            .iter()
            .filter(|e| e.varies())
            .map(|e| e.code)
            .collect();
        Ok(Catalog {
            entries,
            codes,
            known,
            varying,
        })
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
        code_space_index(code).is_some_and(|i| self.known[i / 64] & (1 << (i % 64)) != 0)
    }

    /// Whether `code`'s meaning depends on the platform or SDK generation.
    #[inline]
    pub fn varies(&self, code: Code) -> bool {
        self.varying.binary_search(&code).is_ok()
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
            cat.entries().len() >= 449,
            "{} entries",
            cat.entries().len()
        );
        assert!(cat.entries().windows(2).all(|w| w[0].code < w[1].code));
    }

    /// The catalog jmlog embeds (JSON, written by the build script) is `data/catalog.toml`.
    #[test]
    fn the_embedded_catalog_is_the_toml_file() {
        let from_toml = Catalog::from_toml(CATALOG_TOML).unwrap();
        assert_eq!(
            format!("{:?}", Catalog::builtin()),
            format!("{from_toml:?}")
        );
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
    fn strength_is_the_strongest_source_and_names_round_trip() {
        let cat = Catalog::builtin();
        assert_eq!(cat.get(831003).unwrap().strength, Strength::Binary);
        assert_eq!(cat.get(801002).unwrap().strength, Strength::DemoApp);
        // 765003 is in the 3.9.1 header only; 800003 also in tables.
        assert_eq!(cat.get(765003).unwrap().strength, Strength::Header);
        assert_eq!(cat.get(800003).unwrap().strength, Strength::Table);
        for s in Strength::ALL {
            assert_eq!(s.name().parse::<Strength>().unwrap(), s);
        }
        for s in Source::ALL {
            assert_eq!(s.name().parse::<Source>().unwrap(), s);
        }
        assert!(
            Source::ALL
                .windows(2)
                .all(|w| w[0].strength() <= w[1].strength())
        );
    }

    #[test]
    fn a_meaning_follows_the_platform_when_one_applies() {
        let e = Catalog::builtin().get(872001).unwrap();
        let android = e.meaning_on(Some(Platform::Android));
        assert_eq!(android.text(), e.meaning);
        assert_eq!(android.message(), e.message);
        let ios = e.meaning_on(Some(Platform::Ios));
        assert_eq!(ios.text(), e.elsewhere[0].meaning);
        assert_eq!(ios.strength(), Strength::Header);
        assert_eq!(ios.operation(), e.elsewhere[0].operation);
        let unknown = e.meaning_on(None).text();
        assert!(unknown.starts_with(&format!("[android · JMRTC Android] {}", e.meaning)));
        assert!(unknown.contains(&format!(
            "[ios · JMRTC iOS · header] {}",
            e.elsewhere[0].meaning
        )));
        assert!(unknown.contains("[web · JavaScript SDK v1 (2015)] "));
        // Two iOS generations: on iOS both apply, so both are listed.
        let e = Catalog::builtin().get(866004).unwrap();
        assert!(matches!(
            e.meaning_on(Some(Platform::Ios)),
            Resolved::Several(_)
        ));
        // A code with one meaning keeps it everywhere.
        let e = Catalog::builtin().get(801004).unwrap();
        assert_eq!(e.meaning_on(Some(Platform::Web)).text(), e.meaning);
        assert!(!Catalog::builtin().varies(801004) && Catalog::builtin().varies(872003));
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
