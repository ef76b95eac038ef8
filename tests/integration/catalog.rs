//! The catalog against the official tables it was built from (copies in `tests/data/sources/`).

use std::collections::BTreeMap;

use jmlog::catalog::{Catalog, Entry, Module};

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
    assert_eq!(entries.len(), 382);
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
        assert!(
            !e.description_zh.trim().is_empty(),
            "{} has no Chinese text",
            e.code
        );
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
