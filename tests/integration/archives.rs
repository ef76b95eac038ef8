//! Archives as inputs: zip and tar (plain or compressed) give exactly the report of the unpacked
//! tree, members named `ARCHIVE:MEMBER`; damaged archives keep what was read and exit 2; bombs stay
//! in bounded memory; formats jmlog does not read are named, never scanned as text.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use zip::write::SimpleFileOptions;

use crate::util::{
    TempDir, arg, grouped, jmlog, jmlog_with_stdin, root, sample, tempdir, utf16_with_bom,
};

/// A file of a tree: its path inside the tree, and its bytes.
type Files = Vec<(String, Vec<u8>)>;

fn write(dir: &Path, rel: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, data).unwrap();
    path
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 1).unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 0);
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// How a zip stores its members.
#[derive(Clone, Copy)]
enum ZipKind {
    Deflated,
    Stored,
    /// Deflated, with zip64 records for every member.
    Zip64,
}

fn zip_of(files: &Files, kind: ZipKind) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = match kind {
        ZipKind::Deflated => SimpleFileOptions::default(),
        ZipKind::Stored => {
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
        }
        ZipKind::Zip64 => SimpleFileOptions::default().large_file(true),
    };
    for (path, data) in files {
        zip.start_file(path.as_str(), options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn tar_of(files: &Files) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_795_000_000);
        header.set_cksum();
        tar.append_data(&mut header, path, data.as_slice()).unwrap();
    }
    tar.into_inner().unwrap()
}

/// Lines dense with codes, known and unknown, and decoys: more than 100,000 code lines in all,
/// over several chunks.
fn big_log() -> Vec<u8> {
    const CODES: [u32; 6] = [801004, 803008, 899002, 810001, 871310, 871399];
    let mut text = String::new();
    for i in 0..132_000u32 {
        let code = CODES[i as usize % CODES.len()];
        match i % 7 {
            6 => text.push_str(&format!("I/Sync: uid={code} ok\n")),
            _ => text.push_str(&format!("E/JM: failed code={code}\n")),
        }
    }
    text.into_bytes()
}

/// A tree of logs as CI artifacts have them: a rotated set, a gzipped log, a zip inside, a big log,
/// and a hidden file. Listed in an order that is not the natural one, as archivers often store.
fn tree_files() -> Files {
    let sample = |name: &str| fs::read(sample(name)).unwrap();
    let inner = zip_of(
        &vec![
            ("flutter.log".to_owned(), sample("flutter-crash.log")),
            (
                "nested/ios.log.gz".to_owned(),
                gzip(&sample("ios-console.log")),
            ),
        ],
        ZipKind::Deflated,
    );
    vec![
        (
            "server/java-server.log".to_owned(),
            sample("java-server.log"),
        ),
        ("server/big.log".to_owned(), big_log()),
        ("device/inner.zip".to_owned(), inner),
        (
            "device/rest.log.gz".to_owned(),
            gzip(&sample("rest-server.log")),
        ),
        ("app.log.10".to_owned(), sample("android-brief.log")),
        ("app.log.2".to_owned(), sample("android-studio.log")),
        ("app.log".to_owned(), sample("android-threadtime.log")),
        (
            ".cache/old.log".to_owned(),
            sample("android-threadtime.log"),
        ),
    ]
}

/// The member names the reports list, in natural order (the hidden file left out).
const MEMBERS: [&str; 8] = [
    "app.log",
    "app.log.2",
    "app.log.10",
    "device/inner.zip:flutter.log",
    "device/inner.zip:nested/ios.log.gz",
    "device/rest.log.gz",
    "server/big.log",
    "server/java-server.log",
];

/// The files written out under `tree/` of a new temporary directory, which lives as long as the
/// returned guard.
fn unpacked(files: &Files) -> (TempDir, PathBuf) {
    let guard = tempdir();
    let dir = guard.join("tree");
    for (path, data) in files {
        write(&dir, path, data);
    }
    (guard, dir)
}

/// What must not depend on whether the tree was read unpacked or from an archive: the totals, every
/// code with its count and example, and every input with its counts, with the prefix that names
/// the tree or the archive taken off the paths.
fn comparable(report: &Value, prefix: &str) -> Value {
    let strip = |path: &Value| -> String {
        let path = path.as_str().unwrap();
        path.strip_prefix(prefix)
            .unwrap_or_else(|| panic!("{path} does not start with {prefix}"))
            .to_owned()
    };
    let codes = |rows: &Value| -> Vec<Value> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                json!([
                    r["code"],
                    r["count"],
                    strip(&r["example"]["path"]),
                    r["example"]["line"],
                    r["example"]["text"]
                ])
            })
            .collect()
    };
    let inputs: Vec<Value> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            json!([
                strip(&i["path"]),
                i["bytes"],
                i["lines"],
                i["code_lines"],
                i["codes"],
                i["skipped"],
                i["error"]
            ])
        })
        .collect();
    json!({
        "totals": report["totals"],
        "codes": codes(&report["codes"]),
        "unknown_codes": codes(&report["unknown_codes"]),
        "inputs": inputs,
    })
}

fn member_names(report: &Value, prefix: &str) -> Vec<String> {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["path"]
                .as_str()
                .unwrap()
                .trim_start_matches(prefix)
                .to_owned()
        })
        .collect()
}

#[test]
fn archives_give_exactly_the_report_of_the_unpacked_tree() {
    let files = tree_files();
    let (_tree_dir, tree) = unpacked(&files);
    let expected = jmlog(["analyze", "-f", "json", &arg(&tree)]);
    expected.expect_code(0);
    let expected = expected.json();
    let tree_prefix = format!("{}/", arg(&tree));
    assert_eq!(member_names(&expected, &tree_prefix), MEMBERS);
    assert!(expected["totals"]["code_lines"].as_u64().unwrap() > 100_000);
    let expected = comparable(&expected, &tree_prefix);

    let tar = tar_of(&files);
    let archives: Vec<(&str, Vec<u8>)> = vec![
        ("logs.zip", zip_of(&files, ZipKind::Deflated)),
        ("stored.zip", zip_of(&files, ZipKind::Stored)),
        ("zip64.zip", zip_of(&files, ZipKind::Zip64)),
        ("logs.tar", tar.clone()),
        ("logs.tar.gz", gzip(&tar)),
        ("logs.tar.zst", zstd(&tar)),
        ("logs.tar.xz", xz(&tar)),
        ("logs.tar.bz2", bzip2(&tar)),
    ];
    let dir = tempdir();
    for (name, bytes) in &archives {
        let path = write(&dir, name, bytes);
        let run = jmlog(["analyze", "-f", "json", &arg(&path)]);
        run.expect_code(0);
        assert!(
            run.stderr().contains("skipped 1 hidden entry"),
            "{name}: {}",
            run.stderr()
        );
        let report = run.json();
        let prefix = format!("{}:", arg(&path));
        assert_eq!(member_names(&report, &prefix), MEMBERS, "{name}");
        assert_eq!(comparable(&report, &prefix), expected, "{name}");
    }
    // From standard input, where a zip cannot be read from its end without copying it first.
    for (name, bytes) in [&archives[0], &archives[4]] {
        let run = jmlog_with_stdin(["analyze", "-f", "json", "-"], bytes);
        run.expect_code(0);
        assert_eq!(
            comparable(&run.json(), "<stdin>:"),
            expected,
            "{name} on stdin"
        );
    }
}

#[test]
fn the_sample_bugreport_gives_its_hand_counted_report() {
    let golden: Value = serde_json::from_str(
        &fs::read_to_string(root().join("tests/golden/bugreport.json")).unwrap(),
    )
    .unwrap();
    let run = jmlog(["analyze", "-f", "json", "sample-logs/bugreport.zip"]);
    run.expect_code(0);
    assert!(
        run.stderr().contains("skipped 1 hidden entry"),
        "{}",
        run.stderr()
    );
    let report = run.json();
    let map = |rows: &Value| -> BTreeMap<String, u64> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| (r["code"].to_string(), r["count"].as_u64().unwrap()))
            .collect()
    };
    let inputs: Vec<Value> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            json!({
                "path": i["path"].as_str().unwrap().strip_prefix("sample-logs/bugreport.zip:").unwrap(),
                "lines": i["lines"],
                "code_lines": i["code_lines"],
                "codes": i["codes"],
            })
        })
        .collect();
    let got = json!({
        "lines": report["totals"]["lines"],
        "code_lines": report["totals"]["code_lines"],
        "codes": map(&report["codes"]),
        "unknown_codes": map(&report["unknown_codes"]),
        "inputs": inputs,
    });
    assert_eq!(got, golden);
    // The first line of 801004 is in the nested zip, which comes first in natural order.
    let first = &report["codes"][0];
    assert_eq!(first["code"], 801004);
    assert_eq!(
        first["example"]["path"],
        "sample-logs/bugreport.zip:FS/data/user/0/com.example.chat/files/jmessage-logs.zip:jmessage/2026-11-26.log"
    );
    assert_eq!(first["example"]["line"], 1);

    // The hidden member holds one more 801003.
    let hidden = jmlog([
        "analyze",
        "-f",
        "json",
        "--hidden",
        "sample-logs/bugreport.zip",
    ]);
    let hidden = hidden.expect_code(0).json();
    assert_eq!(hidden["totals"]["files"], 8);
    assert_eq!(hidden["totals"]["codes"], 14);
    let cache = hidden["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["path"]
                .as_str()
                .unwrap()
                .ends_with("files/.jpush/cache.log")
        })
        .unwrap();
    assert_eq!(cache["codes"], json!({ "801003": 1 }));
}

/// The rows of a report by path, with the given prefix taken off.
fn rows_by_path(report: &Value, prefix: &str) -> BTreeMap<String, Value> {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| {
            let path = i["path"].as_str().unwrap().strip_prefix(prefix)?;
            Some((path.to_owned(), i.clone()))
        })
        .collect()
}

#[test]
fn a_truncated_zip_keeps_the_members_before_the_cut_and_exits_2() {
    let files = tree_files();
    let (_tree_dir, tree) = unpacked(&files);
    let expected = rows_by_path(
        &jmlog(["analyze", "-f", "json", &arg(&tree)]).json(),
        &format!("{}/", arg(&tree)),
    );
    let bytes = zip_of(&files, ZipKind::Deflated);
    // Cut inside the local header of the third member: the first two are whole.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.clone())).unwrap();
    let cut = zip.by_index(2).unwrap().header_start() as usize + 10;
    let dir = tempdir();
    let path = write(&dir, "cut.zip", &bytes[..cut]);
    let other = sample("java-server.log");
    let run = jmlog(["analyze", "-f", "json", &arg(&path), &arg(&other)]);
    run.expect_code(2);
    let report = run.json();
    let name = arg(&path);
    let rows = rows_by_path(&report, &format!("{name}:"));
    let kept: Vec<&str> = rows.keys().map(String::as_str).collect();
    assert_eq!(kept, ["server/big.log", "server/java-server.log"]);
    for (member, row) in &rows {
        let want = &expected[member];
        assert_eq!(
            (&row["lines"], &row["codes"], &row["error"]),
            (&want["lines"], &want["codes"], &want["error"]),
            "{member}"
        );
    }
    let own = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == name.as_str())
        .expect("the archive's own row");
    let why = own["error"].as_str().unwrap();
    assert!(
        why.starts_with("corrupt or truncated zip archive: its central directory is unreadable"),
        "{why}"
    );
    assert!(
        why.contains(&format!(
            "read 2 files from their local headers in its first {} bytes",
            grouped(cut as u64)
        )),
        "{why}"
    );
    assert!(
        run.stderr()
            .contains(&format!("jmlog: {name}: corrupt or truncated zip archive"))
    );
    // The other input is still scanned.
    let java = report["inputs"].as_array().unwrap().last().unwrap();
    assert_eq!(java["path"], arg(&other).as_str());
    assert_eq!(java["code_lines"], 21);
}

#[test]
fn a_truncated_tar_gz_keeps_the_members_before_the_cut_and_exits_2() {
    let files = tree_files();
    let (_tree_dir, tree) = unpacked(&files);
    let expected = rows_by_path(
        &jmlog(["analyze", "-f", "json", &arg(&tree)]).json(),
        &format!("{}/", arg(&tree)),
    );
    let tgz = gzip(&tar_of(&files));
    let dir = tempdir();
    // The big log is the second member: the cut falls in it.
    let path = write(&dir, "cut.tar.gz", &tgz[..tgz.len() / 3]);
    let other = sample("java-server.log");
    let run = jmlog(["analyze", "-f", "json", &arg(&path), &arg(&other)]);
    run.expect_code(2);
    let report = run.json();
    let name = arg(&path);
    let rows = rows_by_path(&report, &format!("{name}:"));
    let kept: Vec<&str> = rows.keys().map(String::as_str).collect();
    assert_eq!(kept, ["server/big.log", "server/java-server.log"]);
    let whole = &rows["server/java-server.log"];
    assert_eq!(whole["codes"], expected["server/java-server.log"]["codes"]);
    assert_eq!(whole["error"], Value::Null);
    // The member the data ends in keeps what was read, and says so.
    let cut = &rows["server/big.log"];
    let read = cut["code_lines"].as_u64().unwrap();
    assert!(read > 0 && read < expected["server/big.log"]["code_lines"].as_u64().unwrap());
    assert!(
        cut["error"]
            .as_str()
            .unwrap()
            .starts_with("read only in part"),
        "{}",
        cut["error"]
    );
    let own = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == name.as_str())
        .expect("the archive's own row");
    let why = own["error"].as_str().unwrap();
    assert!(
        why.starts_with("corrupt or truncated tar+gzip archive after")
            && why.contains("2 files (the last server/big.log)"),
        "{why}"
    );
    assert!(
        run.stderr()
            .contains(&format!("jmlog: {name}: corrupt or truncated tar+gzip"))
    );
    let java = report["inputs"].as_array().unwrap().last().unwrap();
    assert_eq!(java["path"], arg(&other).as_str());
    assert_eq!(java["code_lines"], 21);
    // The counts are the sum of what each row holds.
    let sum: u64 = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code_lines"].as_u64().unwrap())
        .sum();
    assert_eq!(report["totals"]["code_lines"].as_u64().unwrap(), sum);
}

#[test]
fn formats_jmlog_does_not_read_are_named_and_never_scanned_as_text() {
    let dir = tempdir();
    // Each holds a code as text after its magic bytes: scanning it as text would count it.
    let text = b"\nE/App: login failed code=801004\n";
    let with = |magic: &[u8]| [magic, text.as_slice()].concat();
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("logs.7z", with(b"7z\xbc\xaf\x27\x1c\x00\x04"), "7z"),
        ("logs.rar", with(b"Rar!\x1a\x07\x01\x00"), "rar"),
        ("app.log.lz4", with(b"\x04\x22\x4d\x18\x64\x40\xa7"), "lz4"),
        ("app.log.lz", with(b"LZIP\x01"), "lzip"),
        (
            "7z-in-gzip.gz",
            gzip(&with(b"7z\xbc\xaf\x27\x1c\x00\x04")),
            "7z",
        ),
    ];
    let mut args = vec!["analyze".to_owned(), "-f".to_owned(), "json".to_owned()];
    for (name, bytes, _) in &cases {
        args.push(arg(&write(&dir, name, bytes)));
    }
    // A 7z inside a zip is named as the zip's member.
    let zip = zip_of(
        &vec![
            (
                "logs/app.log".to_owned(),
                b"login failed code=803008\n".to_vec(),
            ),
            (
                "logs/old.7z".to_owned(),
                with(b"7z\xbc\xaf\x27\x1c\x00\x04"),
            ),
        ],
        ZipKind::Deflated,
    );
    args.push(arg(&write(&dir, "bundle.zip", &zip)));
    let run = jmlog(&args);
    run.expect_code(2);
    let report = run.json();
    let inputs = report["inputs"].as_array().unwrap();
    for ((name, _, format), row) in cases.iter().zip(inputs) {
        assert!(row["path"].as_str().unwrap().ends_with(name));
        assert_eq!(
            row["skipped"],
            format!("{format} data, a format jmlog does not read"),
            "{name}"
        );
        assert_eq!(row["lines"], 0, "{name}");
        assert!(
            run.stderr().contains(&format!(
                "{name}: {format} data, a format jmlog does not read, skipped"
            )),
            "{}",
            run.stderr()
        );
    }
    let member = &inputs[6];
    assert!(
        member["path"]
            .as_str()
            .unwrap()
            .ends_with("bundle.zip:logs/old.7z")
    );
    assert_eq!(member["skipped"], "7z data, a format jmlog does not read");
    // Only the zip's text member counted.
    assert_eq!(report["totals"]["codes"], 1);
    assert_eq!(report["codes"][0]["code"], 803008);
}

#[test]
fn hidden_and_binary_members_are_treated_as_in_directories() {
    let dir = tempdir();
    let files: Files = vec![
        ("app.log".to_owned(), b"login failed code=801004\n".to_vec()),
        (
            "__MACOSX/._app.log".to_owned(),
            b"login failed code=801004\n".to_vec(),
        ),
        (
            ".git/logs/HEAD".to_owned(),
            b"login failed code=801004\n".to_vec(),
        ),
        (
            "core.bin".to_owned(),
            b"\x7fELF\x00\x00 code=801004\n".to_vec(),
        ),
    ];
    let path = write(&dir, "bundle.zip", &zip_of(&files, ZipKind::Deflated));
    let name = arg(&path);
    let run = jmlog(["analyze", "-f", "json", &name]);
    // The binary member was passed over: exit 2, as for a binary file in a directory.
    run.expect_code(2);
    let report = run.json();
    assert_eq!(
        member_names(&report, &format!("{name}:")),
        ["app.log", "core.bin"]
    );
    assert_eq!(report["inputs"][1]["skipped"], "binary file");
    assert_eq!(report["totals"]["codes"], 1);
    assert!(
        run.stderr()
            .contains("skipped 2 hidden entries (--hidden scans them)"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains(&format!("{name}:core.bin: binary file, skipped"))
    );

    let all = jmlog(["analyze", "-f", "json", "--hidden", &name]).json();
    assert_eq!(
        member_names(&all, &format!("{name}:")),
        [
            ".git/logs/HEAD",
            "__MACOSX/._app.log",
            "app.log",
            "core.bin"
        ]
    );
    assert_eq!(all["totals"]["codes"], 3);
}

#[test]
fn archives_nested_too_deep_are_named_not_followed() {
    // Eleven zips, one inside the other, a log at the heart.
    let mut bytes = zip_of(
        &vec![(
            "heart.log".to_owned(),
            b"login failed code=801004\n".to_vec(),
        )],
        ZipKind::Deflated,
    );
    for level in (1..=10).rev() {
        bytes = zip_of(&vec![(format!("level{level}.zip"), bytes)], ZipKind::Stored);
    }
    let dir = tempdir();
    let path = write(&dir, "deep.zip", &bytes);
    let run = jmlog(["analyze", "-f", "json", &arg(&path)]);
    run.expect_code(2);
    let report = run.json();
    let inputs = report["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1);
    let levels: Vec<String> = (1..=8).map(|l| format!("level{l}.zip")).collect();
    assert_eq!(
        inputs[0]["path"],
        format!("{}:{}", arg(&path), levels.join(":"))
    );
    assert_eq!(
        inputs[0]["skipped"],
        "zip archive nested more than 8 deep, not followed"
    );
    assert_eq!(report["totals"]["codes"], 0);
}

#[test]
fn merge_keeps_the_counts_of_each_input() {
    let dir = tempdir();
    let one = write(&dir, "one.tar", &tar_of(&tree_files()[..3].to_vec()));
    let two = write(
        &dir,
        "two.zip",
        &zip_of(&tree_files()[3..].to_vec(), ZipKind::Deflated),
    );
    let a = jmlog([
        "analyze",
        "-f",
        "json",
        "-o",
        &arg(&dir.join("a.json")),
        &arg(&one),
    ]);
    a.expect_code(0);
    let b = jmlog([
        "analyze",
        "-f",
        "json",
        "-o",
        &arg(&dir.join("b.json")),
        &arg(&two),
    ]);
    b.expect_code(0);
    let whole = jmlog(["analyze", "-f", "json", &arg(&one), &arg(&two)]).json();
    let merged = jmlog([
        "merge",
        "-f",
        "json",
        &arg(&dir.join("a.json")),
        &arg(&dir.join("b.json")),
    ]);
    let merged = merged.expect_code(0).json();
    assert_eq!(merged["inputs"], whole["inputs"]);
    let sum: u64 = merged["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["codes"].as_object().unwrap().values())
        .map(|n| n.as_u64().unwrap())
        .sum();
    let t = &merged["totals"];
    assert_eq!(
        sum,
        t["codes"].as_u64().unwrap() + t["unknown_codes"].as_u64().unwrap()
    );
    // A report written before inputs had counts still merges: its inputs count nothing.
    let mut old: Value = serde_json::from_slice(&fs::read(dir.join("a.json")).unwrap()).unwrap();
    for input in old["inputs"].as_array_mut().unwrap() {
        let input = input.as_object_mut().unwrap();
        input.remove("codes").unwrap();
        input.remove("code_lines").unwrap();
    }
    let old_path = write(&dir, "old.json", old.to_string().as_bytes());
    let merged_old = jmlog([
        "merge",
        "-f",
        "json",
        &arg(&old_path),
        &arg(&dir.join("b.json")),
    ]);
    let merged_old = merged_old.expect_code(0).json();
    assert_eq!(merged_old["inputs"][0]["code_lines"], 0);
    assert_eq!(merged_old["inputs"][0]["codes"], json!({}));
    assert_eq!(merged_old["totals"], merged["totals"]);

    // And the Markdown of the merged report shows where the codes are.
    let md = jmlog([
        "merge",
        "-f",
        "markdown",
        &arg(&dir.join("a.json")),
        &arg(&dir.join("b.json")),
    ]);
    let md = md.expect_code(0).stdout();
    // Every line of the big log but the decoys holds one code.
    let lines = big_log()
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count() as u64;
    let code_lines = grouped(lines - lines.div_ceil(7) + u64::from(lines % 7 != 0));
    let big = format!(
        "| ` {}:server/big.log ` | {code_lines} | {code_lines} |",
        arg(&one)
    );
    assert!(md.contains(&big), "{big}\n{md}");
}

/// A tar.gz whose one member, `bomb.log`, is `mib` MiB of 1 KiB lines and then a line with a code,
/// made small by repeating one compressed MiB: gzip members may follow each other, and jmlog reads
/// them all.
fn tar_gz_bomb(mib: usize) -> Vec<u8> {
    let line = [vec![b'x'; 1023], vec![b'\n']].concat();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&line.repeat(1024)).unwrap();
    let block = enc.finish().unwrap();
    let last = b"E/JM: login failed code=801004\n";
    let size = (mib << 20) + last.len();
    let mut header = tar::Header::new_gnu();
    header.set_path("bomb.log").unwrap();
    header.set_size(size as u64);
    header.set_mode(0o644);
    header.set_cksum();
    let mut out = gzip(header.as_bytes());
    for _ in 0..mib {
        out.extend_from_slice(&block);
    }
    // The member's last line, padding to a whole block, and the end marker.
    let mut tail = last.to_vec();
    tail.resize(last.len().div_ceil(512) * 512 + 1024, 0);
    out.extend_from_slice(&gzip(&tail));
    out
}

/// Runs jmlog (with a 300 s timeout) and gives its exit code and peak resident memory in KiB.
#[cfg(target_os = "linux")]
fn peak_memory(args: &[&str], stdin: Option<&Path>) -> (i32, u64) {
    use std::process::{Command, Stdio};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let mut command = Command::new(assert_cmd::cargo::cargo_bin("jmlog"));
    command
        .args(args)
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command.stdin(match stdin {
        Some(path) => Stdio::from(fs::File::open(path).unwrap()),
        None => Stdio::null(),
    });
    // Reaped by wait4 below, which also gives the child's own resource usage.
    #[allow(clippy::zombie_processes)]
    let child = command.spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
            while !done.load(Ordering::SeqCst) {
                if std::time::Instant::now() > deadline {
                    // SAFETY: the child is not reaped until wait4 returns, so the pid is still its.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        })
    };
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for this child only.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    done.store(true, Ordering::SeqCst);
    watchdog.join().unwrap();
    assert_eq!(waited, pid);
    assert!(libc::WIFEXITED(status), "jmlog {args:?} was killed");
    (libc::WEXITSTATUS(status), usage.ru_maxrss as u64)
}

#[test]
#[cfg(target_os = "linux")]
fn a_decompression_bomb_costs_bounded_memory() {
    const BIG: usize = 64;
    let dir = tempdir();
    let small = write(&dir, "small.tar.gz", &tar_gz_bomb(8));
    let big = write(&dir, "big.tar.gz", &tar_gz_bomb(BIG));
    let ratio = ((BIG as u64) << 20) / fs::metadata(&big).unwrap().len();
    assert!(ratio > 400, "a bomb: {ratio}× its size");

    // 8 times the data, the same memory: the member streams through bounded chunks. (The margin
    // is for the allocator, whose arenas keep more or less depending on how threads interleave.)
    let (code, small_kib) = peak_memory(&["analyze", "-q", "-j", "2", &arg(&small)], None);
    assert_eq!(code, 0);
    let json = dir.join("big.json");
    let args = [
        "analyze",
        "-q",
        "-j",
        "2",
        "-f",
        "json",
        "-o",
        &arg(&json),
        &arg(&big),
    ];
    let (code, big_kib) = peak_memory(&args, None);
    assert_eq!(code, 0);
    // Slack for allocator and page-cache noise on a loaded machine; a member held whole would add
    // its 64 MiB and cross both bounds.
    assert!(
        big_kib < small_kib + 32 * 1024 && big_kib < 64 * 1024,
        "peak {big_kib} KiB on {BIG} MiB against {small_kib} KiB on 8 MiB"
    );
    // The whole member was read: every byte, and the code on its last line.
    let report: Value = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
    assert_eq!(report["inputs"][0]["bytes"], ((BIG as u64) << 20) + 31);
    assert_eq!(report["inputs"][0]["lines"], BIG as u64 * 1024 + 1);
    assert_eq!(report["codes"][0]["code"], 801004);

    // A zip on standard input is copied to a temporary file, never held in memory.
    let zip = zip_of(
        &vec![("bomb.tar.gz".to_owned(), fs::read(&big).unwrap())],
        ZipKind::Stored,
    );
    let zip = write(&dir, "bomb.zip", &zip);
    let (code, stdin_kib) = peak_memory(&["analyze", "-q", "-j", "2", "-"], Some(&zip));
    assert_eq!(code, 0);
    assert!(
        stdin_kib < small_kib + 32 * 1024 && stdin_kib < 64 * 1024,
        "peak {stdin_kib} KiB against {small_kib} KiB on 8 MiB"
    );
}

#[test]
fn a_plain_tar_cut_anywhere_is_named_as_truncated() {
    let first = b"E/JM: login failed code=801004\n".repeat(16); // 512 bytes: no padding
    let second = b"E/JM: send failed code=803008\n".repeat(100);
    let tar = tar_of(&vec![
        ("a.log".to_owned(), first.clone()),
        ("b.log".to_owned(), second.clone()),
    ]);
    let dir = tempdir();
    // Cut between the two members: nothing is missing from what was read, but the archive is.
    let between = write(&dir, "between.tar", &tar[..1024]);
    let run = jmlog(["analyze", "-f", "json", &arg(&between)]);
    run.expect_code(2);
    let report = run.json();
    assert_eq!(report["inputs"][0]["codes"], json!({ "801004": 16 }));
    assert_eq!(
        report["inputs"][1]["error"],
        "corrupt or truncated tar archive after 1,024 bytes of tar data and 1 file (the last a.log) \
         (kept what was read): the data ends before the archive's end marker"
    );
    // Cut inside the second member: its rows up to the cut count, and it says it is partial.
    let inside = write(&dir, "inside.tar", &tar[..1536 + 30 * 40]);
    let run = jmlog(["analyze", "-f", "json", &arg(&inside)]);
    run.expect_code(2);
    let report = run.json();
    let b = &report["inputs"][1];
    assert_eq!(b["path"], format!("{}:b.log", arg(&inside)));
    assert_eq!(b["codes"], json!({ "803008": 40 }));
    assert_eq!(
        b["error"],
        "read only in part: the archive ends 1,200 bytes into this member of 3,000 bytes \
         (kept what was read)"
    );
    assert!(
        report["inputs"][2]["error"]
            .as_str()
            .unwrap()
            .starts_with("corrupt or truncated tar")
    );
}

#[test]
fn members_jmlog_cannot_decode_are_named_with_the_reason() {
    // Stored members, then one marked as LZMA (method 14) and one as encrypted (flag bit 0) in
    // both of their headers.
    let mut bytes = zip_of(
        &vec![
            ("a.log".to_owned(), b"login failed code=801004\n".to_vec()),
            ("b.log".to_owned(), b"send failed code=803008\n".to_vec()),
            ("c.log".to_owned(), b"login failed code=801003\n".to_vec()),
        ],
        ZipKind::Stored,
    );
    let at = |bytes: &[u8], magic: &[u8], nth: usize| {
        bytes
            .windows(4)
            .enumerate()
            .filter(|(_, w)| *w == magic)
            .nth(nth)
            .unwrap()
            .0
    };
    let (local, central) = (at(&bytes, b"PK\x03\x04", 0), at(&bytes, b"PK\x01\x02", 0));
    bytes[local + 8] = 14;
    bytes[central + 10] = 14;
    let (local, central) = (at(&bytes, b"PK\x03\x04", 2), at(&bytes, b"PK\x01\x02", 2));
    bytes[local + 6] |= 1;
    bytes[central + 8] |= 1;
    let dir = tempdir();
    let path = write(&dir, "odd.zip", &bytes);
    let run = jmlog(["analyze", "-f", "json", &arg(&path)]);
    run.expect_code(2);
    let report = run.json();
    let a = &report["inputs"][0];
    assert_eq!(a["path"], format!("{}:a.log", arg(&path)));
    let why = a["error"].as_str().unwrap();
    assert!(
        why.starts_with("cannot read this member: ") && why.contains("ompression method"),
        "{why}"
    );
    // The next member is still read.
    assert_eq!(report["inputs"][1]["codes"], json!({ "803008": 1 }));
    let c = &report["inputs"][2];
    assert_eq!(c["path"], format!("{}:c.log", arg(&path)));
    let why = c["error"].as_str().unwrap();
    assert!(why.starts_with("cannot read this member: "), "{why}");
    assert_eq!(report["totals"]["codes"], 1);
}

#[test]
fn a_zip_on_stdin_leaves_no_temporary_file_behind() {
    let dir = tempdir();
    let tmp = dir.join("tmp");
    fs::create_dir_all(&tmp).unwrap();
    let zip = zip_of(
        &vec![("app.log".to_owned(), b"login failed code=801004\n".to_vec())],
        ZipKind::Deflated,
    );
    let output = assert_cmd::Command::cargo_bin("jmlog")
        .unwrap()
        .args(["analyze", "-f", "json", "-"])
        .env("TMPDIR", &tmp)
        .write_stdin(zip)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["inputs"][0]["path"], "<stdin>:app.log");
    assert_eq!(report["inputs"][0]["codes"], json!({ "801004": 1 }));
    assert_eq!(fs::read_dir(&tmp).unwrap().count(), 0);
}

#[test]
fn directories_and_links_in_a_tar_are_not_inputs() {
    let mut tar = tar::Builder::new(Vec::new());
    let mut dir_header = tar::Header::new_gnu();
    dir_header.set_entry_type(tar::EntryType::Directory);
    dir_header.set_mode(0o755);
    dir_header.set_size(0);
    dir_header.set_cksum();
    tar.append_data(&mut dir_header, "logs/", std::io::empty())
        .unwrap();
    let text = b"login failed code=801004\n";
    let mut file = tar::Header::new_gnu();
    file.set_size(text.len() as u64);
    file.set_mode(0o644);
    file.set_cksum();
    tar.append_data(&mut file, "./logs/app.log", text.as_slice())
        .unwrap();
    let mut link = tar::Header::new_gnu();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    link.set_mode(0o777);
    tar.append_link(&mut link, "logs/latest.log", "app.log")
        .unwrap();
    let dir = tempdir();
    let path = write(&dir, "links.tar", &tar.into_inner().unwrap());
    let report = jmlog(["analyze", "-f", "json", &arg(&path)])
        .expect_code(0)
        .json();
    assert_eq!(
        member_names(&report, &format!("{}:", arg(&path))),
        ["logs/app.log"]
    );
}

#[test]
fn the_terminal_lists_the_top_inputs_with_their_top_codes() {
    let run = jmlog(["analyze", "--top", "2", "sample-logs/bugreport.zip"]);
    let text = run.expect_code(0).stdout();
    let section = text
        .split("\nInputs with codes (top 2 of 4)\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    let rows: Vec<Vec<&str>> = section
        .lines()
        .take(3)
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(rows[0], ["input", "codes", "lines", "top codes"]);
    assert_eq!(
        rows[1],
        [
            "sample-logs/bugreport.zip:bugreport-emu64x-UQ1A.240105.004-2026-11-26-05-12-00.txt",
            "8",
            "8",
            "801004 ×2, 801003 ×1, 803008 ×1, +4 more"
        ]
    );
    assert_eq!(
        rows[2],
        [
            "sample-logs/bugreport.zip:FS/data/misc/logd/logcat.01.gz",
            "3",
            "3",
            "803008 ×2, 818001 ×1"
        ]
    );
}

#[test]
fn year_less_times_in_a_member_take_the_year_of_the_member() {
    let line = b"11-26 05:10:41.533  7606  7702 W JIGUANG-JMessage: login failed, code = 801004\n";
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, year) in [("2026.log", 2026), ("2027.log", 2027)] {
        let time = zip::DateTime::from_date_and_time(year, 12, 1, 8, 0, 0).unwrap();
        let options = SimpleFileOptions::default().last_modified_time(time);
        zip.start_file(name, options).unwrap();
        zip.write_all(line).unwrap();
    }
    let dir = tempdir();
    let path = write(&dir, "years.zip", &zip.finish().unwrap().into_inner());
    let run = jmlog([
        "analyze",
        "-f",
        "json",
        "--by",
        "day",
        "--tz",
        "UTC",
        &arg(&path),
    ]);
    let report = run.expect_code(0).json();
    let series = report["histogram"]["series"].as_array().unwrap();
    let label = |b: &Value| b["label"].as_str().unwrap()[..10].to_owned();
    assert_eq!(label(&series[0]), "2026-11-26");
    assert_eq!(label(series.last().unwrap()), "2027-11-26");
    assert_eq!(report["histogram"]["undated"], 0);
}

#[test]
fn inputs_with_codes_are_bounded_on_pages_and_complete_in_json_and_csv() {
    let dir = tempdir();
    // Input i holds i + 1 occurrences, so the order is known: the last file first.
    for i in 0..51 {
        let text = "E/JM: login failed code=801004\n".repeat(i + 1);
        write(&dir, &format!("logs/app{i:02}.log"), text.as_bytes());
    }
    let logs = arg(&dir.join("logs"));
    let html = jmlog(["analyze", "-f", "html", &logs])
        .expect_code(0)
        .stdout();
    assert!(
        html.contains("<h2>Inputs with codes <span class=\"count\">(50 of 51)</span></h2>"),
        "{html}"
    );
    let text = jmlog(["analyze", &logs]).expect_code(0).stdout();
    assert!(
        text.contains("\nInputs with codes (top 20 of 51)\n"),
        "{text}"
    );
    let all = jmlog(["analyze", "--top", "0", &logs])
        .expect_code(0)
        .stdout();
    let section = all.split("\nInputs with codes\n").nth(1).unwrap();
    let first = section.lines().nth(1).unwrap();
    assert!(
        first.contains("app50.log") && first.contains("801004 ×51"),
        "{first}"
    );
    assert_eq!(
        section.lines().filter(|l| l.contains("/logs/app")).count(),
        51
    );
    let json = jmlog(["analyze", "-f", "json", &logs])
        .expect_code(0)
        .json();
    assert_eq!(json["inputs"].as_array().unwrap().len(), 51);
    let csv = jmlog(["analyze", "-f", "csv", &logs])
        .expect_code(0)
        .stdout();
    // The rows with the `input` column (the last) set.
    let per_input = csv.lines().filter(|l| l.ends_with(".log")).count();
    assert_eq!(per_input, 51);

    // One input with codes says nothing the totals do not: no section.
    let one = jmlog(["analyze", &arg(&dir.join("logs/app00.log"))])
        .expect_code(0)
        .stdout();
    assert!(!one.contains("Inputs with codes"), "{one}");
}

#[test]
fn thousands_of_members_give_every_per_input_row_to_stdout_and_to_a_file() {
    const CODES: [u32; 5] = [801004, 803008, 899002, 810001, 871399];
    let files: Files = (0..2000)
        .map(|i| {
            let text: String = CODES
                .iter()
                .take(1 + i % 5)
                .map(|c| format!("E/JM: request failed code={c}\n"))
                .collect();
            (
                format!(
                    "device-{i}/data/user/0/com.example.chat/files/jmessage/2026-11-26/logcat.txt"
                ),
                text.into_bytes(),
            )
        })
        .collect();
    let dir = tempdir();
    let path = write(&dir, "fleet.tar.zst", &zstd(&tar_of(&files)));
    let out = dir.join("fleet.csv");
    let to_stdout = jmlog(["analyze", "-f", "csv", &arg(&path)]);
    let csv = to_stdout.expect_code(0).stdout();
    jmlog(["analyze", "-f", "csv", "-o", &arg(&out), &arg(&path)]).expect_code(0);
    assert_eq!(fs::read_to_string(&out).unwrap(), csv);
    assert!(csv.len() > 1 << 20, "{} bytes", csv.len());
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let per_input: Vec<&csv::StringRecord> = rows.iter().filter(|r| !r[13].is_empty()).collect();
    // Member i holds the first 1 + i % 5 codes once each: 3 codes on average.
    assert_eq!(per_input.len(), 6000);
    let name = arg(&path);
    let of_member = |i: usize| {
        let input = format!(
            "{name}:device-{i}/data/user/0/com.example.chat/files/jmessage/2026-11-26/logcat.txt"
        );
        let mut codes: Vec<&str> = per_input
            .iter()
            .filter(|r| r[13] == *input)
            .map(|r| &r[0])
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(of_member(7), ["801004", "803008", "899002"]);
    assert_eq!(
        of_member(1999),
        ["801004", "803008", "810001", "871399", "899002"]
    );
    let unknown = per_input.iter().filter(|r| &r[0] == "871399").count();
    assert_eq!(unknown, 400);
    assert!(
        per_input
            .iter()
            .filter(|r| &r[0] == "871399")
            .all(|r| &r[1] == "false")
    );
}

#[test]
fn utf16_members_give_the_counts_of_their_utf8_copy() {
    let text = fs::read_to_string(sample("android-threadtime.log")).unwrap();
    let (utf16le, utf16be) = (utf16_with_bom(&text, false), utf16_with_bom(&text, true));
    let dir = tempdir();
    let path = write(
        &dir,
        "windows.zip",
        &zip_of(
            &vec![
                ("le.log".to_owned(), utf16le),
                ("be.log.gz".to_owned(), gzip(&utf16be)),
                ("utf8.log".to_owned(), text.clone().into_bytes()),
            ],
            ZipKind::Deflated,
        ),
    );
    let report = jmlog(["analyze", "-f", "json", &arg(&path)])
        .expect_code(0)
        .json();
    let inputs = report["inputs"].as_array().unwrap();
    let utf8 = &inputs[2];
    for (row, encoding) in [(&inputs[0], "gzip+utf-16be"), (&inputs[1], "utf-16le")] {
        assert_eq!(row["encoding"], encoding);
        for field in ["bytes", "lines", "code_lines", "codes"] {
            assert_eq!(row[field], utf8[field], "{encoding}: {field}");
        }
    }
    assert!(utf8["code_lines"].as_u64().unwrap() > 10);
}

#[test]
fn glob_and_exclude_choose_members_by_their_path_inside_the_archive() {
    let files = tree_files();
    let (_guard, tree) = unpacked(&files);
    let tree_prefix = format!("{}/", arg(&tree));
    let tar = tar_of(&files);
    let dir = tempdir();
    let archives = [
        write(&dir, "logs.zip", &zip_of(&files, ZipKind::Deflated)),
        write(&dir, "logs.tar.gz", &gzip(&tar)),
    ];
    // The filters, and the members they leave: as under a directory, where the unpacked tree,
    // filtered the same way, gives the same report.
    let as_in_the_tree: [(&[&str], &[&str]); 3] = [
        (
            &["--glob", "*.log", "--glob", "*.zip"],
            &[
                "app.log",
                "device/inner.zip:flutter.log",
                "server/big.log",
                "server/java-server.log",
            ],
        ),
        (
            // A path pattern, and a name pattern that reaches into the inner zip.
            &["--exclude", "server/**", "--exclude", "*.gz"],
            &[
                "app.log",
                "app.log.2",
                "app.log.10",
                "device/inner.zip:flutter.log",
            ],
        ),
        (
            // An archive inside the archive is left out whole.
            &["--exclude", "inner.zip"],
            &[
                "app.log",
                "app.log.2",
                "app.log.10",
                "device/rest.log.gz",
                "server/big.log",
                "server/java-server.log",
            ],
        ),
    ];
    for (filters, members) in as_in_the_tree {
        let args = |path: &Path| -> Vec<String> {
            let mut args = vec!["analyze".to_owned(), "-f".to_owned(), "json".to_owned()];
            args.extend(filters.iter().map(|f| f.to_string()));
            args.push(arg(path));
            args
        };
        let expected = jmlog(args(&tree));
        expected.expect_code(0);
        let expected = expected.json();
        assert_eq!(
            member_names(&expected, &tree_prefix),
            members,
            "{filters:?}"
        );
        let expected = comparable(&expected, &tree_prefix);
        for path in &archives {
            let run = jmlog(args(path));
            run.expect_code(0);
            // Left out by choice, as files under a directory are: no note, and exit 0.
            assert_eq!(
                run.stderr(),
                "jmlog: skipped 1 hidden entry (--hidden scans them)\n"
            );
            let report = run.json();
            let prefix = format!("{}:", arg(path));
            assert_eq!(member_names(&report, &prefix), members, "{filters:?}");
            assert_eq!(comparable(&report, &prefix), expected, "{filters:?}");
        }
        // A zip on standard input too.
        let mut stdin_args = args(Path::new("-"));
        stdin_args.pop();
        stdin_args.push("-".to_owned());
        let run = jmlog_with_stdin(stdin_args, &fs::read(&archives[0]).unwrap());
        run.expect_code(0);
        assert_eq!(
            comparable(&run.json(), "<stdin>:"),
            expected,
            "{filters:?} on stdin"
        );
    }
    // `--glob` chooses files, not archives: an archive inside is opened whatever its name, and its
    // members are chosen by their path inside it.
    let by_glob: [(&[&str], &[&str]); 2] = [
        (
            &["--glob", "*.log"],
            &[
                "app.log",
                "device/inner.zip:flutter.log",
                "server/big.log",
                "server/java-server.log",
            ],
        ),
        (
            &["--glob", "nested/*"],
            &["device/inner.zip:nested/ios.log.gz"],
        ),
    ];
    for (filters, members) in by_glob {
        for path in &archives {
            let mut args = vec!["analyze", "-f", "json"];
            args.extend(filters);
            let path = arg(path);
            args.push(&path);
            let run = jmlog(&args);
            run.expect_code(0);
            let report = run.json();
            assert_eq!(
                member_names(&report, &format!("{path}:")),
                members,
                "{filters:?}"
            );
        }
    }
    // An archive named on the command line with no member chosen is still listed, as read, with
    // nothing in it (the inner zip, like a directory with no file chosen, is not).
    for path in &archives {
        let run = jmlog(["analyze", "-f", "json", "--glob", "*.nothing", &arg(path)]);
        run.expect_code(0);
        let report = run.json();
        let rows: Vec<(&str, &Value, &Value)> = report["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["path"].as_str().unwrap(), &i["bytes"], &i["error"]))
            .collect();
        assert_eq!(rows, [(arg(path).as_str(), &json!(0), &Value::Null)]);
    }
    // Likewise one whose members are all hidden.
    let hidden: Files = vec![(".cache/old.log".to_owned(), b"code=801004\n".to_vec())];
    let path = write(&dir, "hidden.zip", &zip_of(&hidden, ZipKind::Stored));
    let run = jmlog(["analyze", "-f", "json", &arg(&path)]);
    run.expect_code(0);
    assert_eq!(member_names(&run.json(), ""), [arg(&path)]);
    assert_eq!(
        run.stderr(),
        "jmlog: skipped 1 hidden entry (--hidden scans them)\n"
    );
    // In a directory, an archive is a file that `--glob` chooses by its name like any other.
    let run = jmlog(["analyze", "-f", "json", "--glob", "*.log", &arg(&dir)]);
    run.expect_code(0);
    assert_eq!(run.json()["inputs"], json!([]));
    let run = jmlog([
        "analyze",
        "-f",
        "json",
        "--glob",
        "*.log",
        "--glob",
        "*.zip",
        &arg(&dir),
    ]);
    run.expect_code(0);
    let prefix = format!("{}:", arg(&archives[0]));
    let names: Vec<String> = member_names(&run.json(), &prefix);
    let names: Vec<&str> = names
        .iter()
        .filter(|n| !n.starts_with('/'))
        .map(|n| n.as_str())
        .collect();
    assert_eq!(names, as_in_the_tree[0].1);
    // A member chosen by its path is counted as the same file unpacked.
    let run = jmlog([
        "analyze",
        "-f",
        "json",
        "--glob",
        "server/big.log",
        &arg(&archives[1]),
    ]);
    run.expect_code(0);
    let big = jmlog(["analyze", "-f", "json", &arg(&tree.join("server/big.log"))]);
    assert_eq!(run.json()["totals"], big.json()["totals"]);
    assert!(big.json()["totals"]["code_lines"].as_u64().unwrap() > 100_000);
}
