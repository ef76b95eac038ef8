//! The catalog against the official tables it was built from (copies in `tests/data/sources/`).

use std::collections::BTreeMap;

use jmlog::catalog::{Catalog, Entry, Module, Platform, Source, Strength};

use crate::util::{data, jmlog};

/// The rows of one source table: code → (message, Chinese description).
fn source_rows(file: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .from_path(data(&format!("sources/{file}")))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    reader
        .deserialize()
        .map(|row| row.unwrap_or_else(|e| panic!("{file}: {e}")))
        .collect()
}

fn entry(code: u32) -> &'static Entry {
    Catalog::builtin()
        .get(code)
        .unwrap_or_else(|| panic!("{code} is missing from the catalog"))
}

#[test]
fn every_seed_code_keeps_the_seed_texts_verbatim() {
    let rows = source_rows("seed.tsv");
    assert_eq!(rows.len(), 88);
    for row in rows {
        let e = entry(row["code"].parse().unwrap());
        assert_eq!(e.message, row["message"], "message of {}", e.code);
        assert_eq!(
            e.description_zh, row["description_zh"],
            "description of {}",
            e.code
        );
        assert_eq!(
            e.sources[0].name(),
            "seed",
            "{} lists the seed first",
            e.code
        );
    }
}

#[test]
fn every_code_of_every_official_table_is_present() {
    for (file, source) in [
        ("official-server.tsv", "server-2019"),
        ("official-android.tsv", "android"),
        ("official-ios.tsv", "ios"),
        ("official-js.tsv", "web"),
        ("ios-sdk-3.9.1-header.tsv", "ios-header"),
    ] {
        let rows = source_rows(file);
        assert!(!rows.is_empty(), "{file}");
        for row in rows {
            let code: u32 = row["code"].parse().unwrap();
            if code == 0 {
                assert!(
                    Catalog::builtin().get(0).is_none(),
                    "0 is success, not an error"
                );
                continue;
            }
            let e = entry(code);
            assert!(
                e.sources.iter().any(|s| s.name() == source),
                "{code} does not list {source} among its sources"
            );
            if let Some(constant) = row.get("constant") {
                assert_eq!(e.constant.as_deref(), Some(constant.as_str()), "{code}");
            }
        }
    }
}

#[test]
fn entries_are_unique_well_formed_and_complete() {
    let entries = Catalog::builtin().entries();
    // The 382 codes of the official tables and the 67 found in older or other official material.
    assert_eq!(entries.len(), 382 + source_rows("extra-codes.tsv").len());
    assert_eq!(entries.len(), 449);
    for e in entries {
        let digits = e.code.to_string().len();
        assert!(digits == 6 || digits == 7, "{}", e.code);
        assert!(
            !e.operation.trim().is_empty(),
            "{} has no operation",
            e.code
        );
        assert!(!e.meaning.trim().is_empty(), "{} has no meaning", e.code);
        assert!(
            e.meaning.is_ascii(),
            "{}: the English meaning is English",
            e.code
        );
        // Only an SDK binary or a demo app may leave a code without any official text.
        if e.strength <= Strength::Header {
            assert!(
                !e.description_zh.trim().is_empty() || !e.message.trim().is_empty(),
                "{} has no official text",
                e.code
            );
        }
        if e.description_zh.is_empty() && e.message.is_empty() {
            assert!(
                e.meaning.contains("inferred"),
                "{}: a meaning no source writes down says it is inferred",
                e.code
            );
        }
        for v in &e.elsewhere {
            assert!(v.meaning.is_ascii() && !v.meaning.is_empty(), "{}", e.code);
            assert!(!v.sources.is_empty(), "{}", e.code);
        }
        assert!(!e.sources.is_empty(), "{} has no source", e.code);
        assert!(
            !e.message.contains('<'),
            "{}: HTML left in the message",
            e.code
        );
    }
    let mut codes: Vec<u32> = entries.iter().map(|e| e.code).collect();
    codes.dedup();
    assert_eq!(codes.len(), entries.len(), "codes are unique");
}

#[test]
fn seed_codes_map_to_the_specified_modules() {
    let spec: &[(Module, &str)] = &[
        (
            Module::Login,
            "800005 800006 800012 800013 800016 801003 801004 801005",
        ),
        (
            Module::Auth,
            "800003 800014 898007 898008 898009 898010 899007 899008 899009",
        ),
        (Module::Account, "898001 898002 898004 899001 899002 899013"),
        (
            Module::Messaging,
            "803001 803002 803003 803004 803005 803006 803007 803008 803010 899016",
        ),
        (
            Module::Groups,
            "808002 808003 808004 808005 809001 809002 810001 810002 810003 810004 810005 810006 \
             810007 810008 810009 811001 811002 811003 811004 811005 811006 811007 811008 812001 \
             812002 812003 812004 898006 899006 899011 899012 899014 899015",
        ),
        (
            Module::Blacklist,
            "818001 818002 818003 819001 899017 899018 899019",
        ),
        (
            Module::DoNotDisturb,
            "831001 832001 833001 833002 833003 834001 835001 836001",
        ),
        (
            Module::System,
            "800009 898000 898003 898030 899000 899003 899030",
        ),
    ];
    let mut mapped = 0;
    for (module, codes) in spec {
        for code in codes.split_whitespace() {
            let e = entry(code.parse().unwrap());
            assert_eq!(e.module, *module, "module of {code}");
            mapped += 1;
        }
    }
    assert_eq!(mapped, 88, "the spec covers every seed code");
}

#[test]
fn explain_shows_what_the_catalog_knows() {
    let run = jmlog(["explain", "801004", "810001", "871001", "7132006"]);
    run.expect_code(0);
    let out = run.stdout();
    for code in ["801004", "810001", "871001", "7132006"] {
        let e = entry(code.parse().unwrap());
        assert!(out.contains(code), "{code} is shown");
        assert!(out.contains(&e.meaning), "the meaning of {code} is shown");
        assert!(
            out.contains(&e.description_zh),
            "the Chinese text of {code} is shown"
        );
        assert!(
            out.contains(e.module.name()),
            "the module of {code} is shown"
        );
    }
    assert!(
        out.contains(&entry(810001).notes[0]),
        "810001's note is shown"
    );
    assert!(
        out.contains("ios only"),
        "871001 is an iOS audio-video code"
    );
}

#[test]
fn explain_leads_with_chinese_on_request() {
    let run = jmlog(["explain", "--lang", "zh", "801004"]);
    run.expect_code(0);
    let second_line = run.stdout().lines().nth(1).unwrap().to_owned();
    assert_eq!(second_line.trim(), entry(801004).description_zh);
}

#[test]
fn explain_rejects_unknown_and_malformed_codes() {
    let run = jmlog(["explain", "123456"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("123456 is not a JMessage error code"),
        "{}",
        run.stderr()
    );

    let run = jmlog(["explain", "80100x"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("six or seven digits"),
        "{}",
        run.stderr()
    );

    // Known codes are still explained when another argument is wrong.
    let run = jmlog(["explain", "801004", "812999"]);
    run.expect_code(2);
    assert!(run.stdout().contains("801004"));
    assert!(
        run.stderr().contains("known codes nearby: 812001"),
        "{}",
        run.stderr()
    );
}

#[test]
fn codes_lists_the_catalog_as_json_and_csv() {
    let run = jmlog(["codes", "--format", "json"]);
    run.expect_code(0);
    let json = run.json();
    let all = json.as_array().unwrap();
    assert_eq!(all.len(), Catalog::builtin().entries().len());
    for key in [
        "code",
        "module",
        "operation",
        "message",
        "description_zh",
        "meaning",
        "sources",
    ] {
        assert!(
            all.iter().all(|e| e.get(key).is_some()),
            "every entry has {key}"
        );
    }
    assert!(all[0]["code"].is_u64());

    let run = jmlog(["codes", "--module", "blacklist", "--format", "csv"]);
    run.expect_code(0);
    let mut reader = csv::Reader::from_reader(run.output.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let expected = Catalog::builtin()
        .entries()
        .iter()
        .filter(|e| e.module == Module::Blacklist)
        .count();
    assert_eq!(rows.len(), expected);
    assert!(rows.iter().all(|r| &r[1] == "blacklist"));

    jmlog(["codes", "--module", "nosuch"]).expect_code(2);
}

#[test]
fn every_command_explains_itself() {
    // Each command's help names the command, its arguments and options of its own.
    let commands: [(&str, &[&str]); 6] = [
        (
            "analyze",
            &[
                "[PATH]...",
                "--format",
                "--since",
                "--by",
                "--fail-on",
                "--output",
            ],
        ),
        (
            "merge",
            &["<REPORT.json>...", "--format", "--baseline", "--max-total"],
        ),
        ("annotate", &["[PATH]", "--only", "--lang"]),
        (
            "watch",
            &["<PATH>...", "--from-start", "--interval", "--events"],
        ),
        ("explain", &["--lang"]),
        ("codes", &["--module", "--format"]),
    ];
    let top = jmlog(["--help"]);
    top.expect_code(0);
    let top = top.stdout();
    assert!(top.starts_with("Finds JMessage"), "{top}");
    assert!(top.contains("Exit codes: 0"), "{top}");
    for (command, own) in commands {
        assert!(
            top.lines().any(|l| l.trim_start().starts_with(command)),
            "the top help lists {command}: {top}"
        );
        for args in [vec![command, "--help"], vec!["help", command]] {
            let run = jmlog(&args);
            run.expect_code(0);
            let out = run.stdout();
            assert!(
                out.contains(&format!("Usage: jmlog {command} ")),
                "{args:?}: {out}"
            );
            for word in own {
                assert!(out.contains(word), "{args:?} explains {word}: {out}");
            }
        }
    }
}

/// The catalog source and the strength of evidence of a row of `extra-codes.tsv`, from where the
/// row was found (its `source` column: repository, path, commit).
fn extra_source(row: &BTreeMap<String, String>) -> (&'static str, Strength) {
    let where_ = row["source"].as_str();
    let kinds: [(&str, &str, Strength); 9] = [
        (".jar", "android-sdk", Strength::Binary),
        ("jmessage-sdk-web.js", "web-sdk", Strength::Binary),
        (
            "jchat-ios JMessage.framework/Headers/JMSGConstants.h",
            "ios-header-2015",
            Strength::Header,
        ),
        ("constant-values.html", "jmrtc-javadoc", Strength::Header),
        ("jpush/jchat-", "jchat", Strength::DemoApp),
        (
            "zh/docs/client/im_errorcode.md",
            "docs-2015",
            Strength::Table,
        ),
        ("rest_api_im.md", "rest-api", Strength::Table),
        ("im_errorcode_js.md", "web-2017", Strength::Table),
        ("im_sdk_js.md", "js-sdk-v1", Strength::Table),
    ];
    kinds
        .iter()
        .find(|(marker, _, _)| where_.contains(marker))
        .map(|&(_, name, strength)| (name, strength))
        .unwrap_or_else(|| panic!("no source kind for {where_}"))
}

#[test]
fn every_extra_code_keeps_its_texts_source_and_strength() {
    let rows = source_rows("extra-codes.tsv");
    assert_eq!(rows.len(), 67);
    for row in rows {
        let code: u32 = row["code"].parse().unwrap();
        let e = entry(code);
        assert_eq!(e.message, row["message_en"], "message of {code}");
        assert_eq!(
            e.description_zh, row["description_zh"],
            "description of {code}"
        );
        let (source, strength) = extra_source(&row);
        assert_eq!(
            e.sources.iter().map(|s| s.name()).collect::<Vec<_>>(),
            [source],
            "sources of {code}"
        );
        assert_eq!(e.strength, strength, "strength of {code}");
        assert!(!e.meaning.is_empty() && !e.operation.is_empty(), "{code}");
        // Codes of a client SDK's own table are that platform's.
        let section = row["section"].as_str();
        let platform = if section.contains("iOS") || section.contains("kJMSG") {
            Some(Platform::Ios)
        } else if section.contains("JMessage Web") || section.contains("JS SDK") {
            Some(Platform::Web)
        } else {
            None
        };
        if platform.is_some() {
            assert_eq!(e.platform, platform, "platform of {code}");
        }
    }
}

/// The official text a row of `extra-conflicts.tsv` quotes, without the explanation in brackets.
fn quoted(other_text: &str) -> &str {
    other_text
        .split_once(" (")
        .map_or(other_text, |(text, _)| text)
}

#[test]
fn every_conflicting_text_is_recorded_as_a_note() {
    let rows = source_rows("extra-conflicts.tsv");
    assert_eq!(rows.len(), 17);
    let mut codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str()).collect();
    codes.dedup();
    assert_eq!(codes.len(), 13);
    for row in &rows {
        let code: u32 = row["code"].parse().unwrap();
        let e = entry(code);
        assert_eq!(e.meaning, row["catalog_meaning"], "meaning of {code}");
        let text = quoted(&row["other_text"]);
        assert!(
            e.notes.iter().any(|n| n.contains(text)),
            "{code}: no note quotes {text:?}: {:#?}",
            e.notes
        );
    }
    // The misprints and 899010's two texts.
    assert!(entry(800011).notes[0].contains("misprint for 899011"));
    assert!(entry(800012).notes[0].contains("misprint for 899012"));
    assert!(entry(899010).notes[0].contains("'Appkey not exist'"));
}

#[test]
fn codes_that_mean_different_things_per_platform_carry_each_meaning() {
    let conflicts = source_rows("extra-conflicts.tsv");
    for code in 872001..=872004u32 {
        let e = entry(code);
        assert_eq!(e.platform, Some(Platform::Android), "{code}");
        let on = |p: Platform| {
            let v: Vec<_> = e.elsewhere.iter().filter(|v| v.platform == p).collect();
            assert_eq!(v.len(), 1, "{code} has one meaning on {}", p.name());
            v[0]
        };
        let ios = on(Platform::Ios);
        let web = on(Platform::Web);
        let texts: Vec<&str> = conflicts
            .iter()
            .filter(|r| r["code"] == code.to_string())
            .map(|r| quoted(&r["other_text"]))
            .collect();
        // `JMRTCDisconnectReasonRefuse: 拒绝` on iOS, `用户未登陆` in the JavaScript SDK v1.
        let ios_text = format!(
            "{}: {}",
            ios.constant.as_deref().unwrap(),
            ios.description_zh
        );
        assert!(texts.contains(&ios_text.as_str()), "{code}: {texts:?}");
        assert!(
            texts.contains(&web.description_zh.as_str()),
            "{code}: {texts:?}"
        );
        assert_eq!(ios.strength, Strength::Header);
        assert_eq!(web.strength, Strength::Table);
    }
    let varying: Vec<u32> = Catalog::builtin()
        .entries()
        .iter()
        .filter(|e| e.varies())
        .map(|e| e.code)
        .collect();
    assert_eq!(varying, [866004, 868001, 872001, 872002, 872003, 872004]);
}

#[test]
fn explain_shows_source_and_strength_of_every_code() {
    let codes = [
        "899051", "899052", "899053", "860011", "880301", "872005", "831003",
    ];
    let mut args = vec!["explain"];
    args.extend(codes);
    let run = jmlog(&args);
    run.expect_code(0);
    let out = run.stdout();
    let blocks: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(blocks.len(), codes.len(), "{out}");
    for (code, block) in codes.iter().zip(blocks) {
        let e = entry(code.parse().unwrap());
        assert!(block.starts_with(code), "{block}");
        let sources: Vec<&str> = e.sources.iter().map(|s| s.name()).collect();
        assert!(
            block.contains(&format!("sources:         {}", sources.join(", "))),
            "{block}"
        );
        assert!(
            block.contains(&format!(
                "evidence:        {}: {}",
                e.strength.name(),
                e.strength.describe()
            )),
            "{block}"
        );
    }
    assert!(out.contains("evidence:        header: an SDK header or javadoc"));
    assert!(out.contains("evidence:        binary: an SDK binary only, no documentation"));

    let run = jmlog(["explain", "800011"]);
    run.expect_code(0);
    assert!(
        run.stdout().contains(
            "note:            The 2015 REST API page lists 800011 as 'repeat to add the members': \
             a misprint for 899011"
        ),
        "{}",
        run.stdout()
    );

    // JSON carries the strength and the meanings elsewhere.
    let run = jmlog(["explain", "--format", "json", "831003", "872002"]);
    run.expect_code(0);
    let json = run.json();
    assert_eq!(json[0]["strength"], "binary");
    assert_eq!(json[0]["sources"][0], "android-sdk");
    assert_eq!(json[1]["strength"], "table");
    assert_eq!(json[1]["elsewhere"][0]["platform"], "ios");
    assert_eq!(json[1]["elsewhere"][0]["strength"], "header");
    assert_eq!(json[1]["elsewhere"][1]["description_zh"], "传入参数异常");
}

#[test]
fn explain_lists_the_meanings_of_a_code_on_other_platforms() {
    let run = jmlog(["explain", "872001"]);
    run.expect_code(0);
    let out = run.stdout();
    let e = entry(872001);
    assert!(
        out.starts_with("872001  audio-video · audio-video call · android (JMRTC Android)\n"),
        "{out}"
    );
    for v in &e.elsewhere {
        assert!(
            out.contains(&format!("on {}:", v.platform.name())) && out.contains(&v.meaning),
            "{out}"
        );
    }
}

/// The strength of every code's evidence from the copies of its sources alone: the tables, the
/// iOS SDK 3.9.1 header, and where each extra code was found.
fn expected_strengths() -> BTreeMap<u32, Strength> {
    let mut strengths: BTreeMap<u32, Strength> = BTreeMap::new();
    let mut note = |code: u32, s: Strength| {
        let e = strengths.entry(code).or_insert(s);
        *e = (*e).min(s);
    };
    for file in [
        "seed.tsv",
        "official-server.tsv",
        "official-android.tsv",
        "official-ios.tsv",
        "official-js.tsv",
    ] {
        for row in source_rows(file) {
            note(row["code"].parse().unwrap(), Strength::Table);
        }
    }
    for row in source_rows("ios-sdk-3.9.1-header.tsv") {
        note(row["code"].parse().unwrap(), Strength::Header);
    }
    for row in source_rows("extra-codes.tsv") {
        note(row["code"].parse().unwrap(), extra_source(&row).1);
    }
    strengths.remove(&0);
    strengths
}

#[test]
fn codes_filters_by_strength_and_source() {
    let expected = expected_strengths();
    assert_eq!(expected.len(), 449);
    for strength in ["table", "header", "binary", "demo-app"] {
        let run = jmlog(["codes", "--strength", strength, "--format", "csv"]);
        run.expect_code(0);
        let mut reader = csv::Reader::from_reader(run.output.stdout.as_slice());
        let codes: Vec<u32> = reader
            .records()
            .map(|r| r.unwrap()[0].parse().unwrap())
            .collect();
        let want: Vec<u32> = expected
            .iter()
            .filter(|(_, s)| s.name() == strength)
            .map(|(c, _)| *c)
            .collect();
        assert_eq!(codes, want, "--strength {strength}");
    }

    // Every extra source, and a source that also gives meanings elsewhere (JMRTC iOS).
    let rows = source_rows("extra-codes.tsv");
    for source in ["docs-2015", "rest-api", "web-2017", "android-sdk", "jchat"] {
        let run = jmlog(["codes", "--source", source, "--format", "json"]);
        run.expect_code(0);
        let codes: Vec<u64> = run
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_u64().unwrap())
            .collect();
        let want: Vec<u64> = rows
            .iter()
            .filter(|r| extra_source(r).0 == source)
            .map(|r| r["code"].parse().unwrap())
            .collect();
        assert_eq!(codes, want, "--source {source}");
    }
    let run = jmlog(["codes", "--source", "jmrtc-ios-doc", "--format", "csv"]);
    run.expect_code(0);
    assert_eq!(run.stdout().lines().count(), 1 + 4, "872001-872004 on iOS");
    assert!("jmrtc-ios-doc".parse::<Source>().is_ok());

    let run = jmlog(["codes", "--strength", "weak"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains(
            "--strength: unknown strength 'weak' (strengths: table, header, binary, demo-app)"
        ),
        "{}",
        run.stderr()
    );
    let run = jmlog(["codes", "--source", "nosuch"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("--source: unknown source 'nosuch'"),
        "{}",
        run.stderr()
    );
}
