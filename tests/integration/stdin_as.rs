//! Standard input standing for a file read elsewhere (`--stdin-name`, `--stdin-modified`,
//! `--stdin-skip-binary`): the report of the stream equals the report of the file.

use std::fs;

use crate::util::{TempDir, arg, jmlog, jmlog_with_stdin, tempdir};

/// A year-less log across New Year, written on 2027-01-05, its text, and the directory that holds
/// it (removed when dropped).
fn crossing_new_year() -> (TempDir, std::path::PathBuf, Vec<u8>) {
    let dir = tempdir();
    let path = dir.join("rotated.log");
    let mut text = Vec::new();
    for i in 0..50_000 {
        let day = if i < 25_000 { "12-30" } else { "01-02" };
        text.extend_from_slice(
            format!(
                "{day} 10:00:{:02}.000  100  200 E App: login failed code=801004\r\n",
                i % 60
            )
            .as_bytes(),
        );
    }
    fs::write(&path, &text).unwrap();
    let written = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_799_107_200); // 2027-01-05
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(written)
        .unwrap();
    (dir, path, text)
}

#[test]
fn stdin_with_a_name_and_modification_time_reports_as_the_file() {
    let (_dir, path, text) = crossing_new_year();
    let opts = ["analyze", "-q", "-f", "json", "--by", "day", "--tz", "UTC"];
    let file = jmlog(opts.iter().copied().chain([arg(&path).as_str()]));
    file.expect_code(0);
    let name = arg(&path);
    let stream = jmlog_with_stdin(
        opts.iter().copied().chain([
            "--stdin-name",
            &name,
            "--stdin-modified",
            "2027-01-05T00:00:00Z",
            "-",
        ]),
        &text,
    );
    stream.expect_code(0);
    assert_eq!(stream.stdout(), file.stdout());
    let labels: Vec<String> = file.json()["histogram"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["label"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(labels.first().unwrap(), "2026-12-30 Wed");
    assert_eq!(labels.last().unwrap(), "2027-01-02 Sat");

    // Without the modification time, standard input is dated from today: not the file's years.
    let today = jmlog_with_stdin(
        opts.iter().copied().chain(["--stdin-name", &name, "-"]),
        &text,
    );
    assert_ne!(today.json()["histogram"], file.json()["histogram"]);
}

#[test]
fn stdin_modified_must_be_a_time() {
    let run = jmlog_with_stdin(
        ["analyze", "--stdin-modified", "yesterday", "-"],
        b"code=801004\n",
    );
    run.expect_code(2);
    assert!(
        run.stderr()
            .contains("--stdin-modified yesterday: not an RFC 3339 time"),
        "{}",
        run.stderr()
    );
}

#[test]
fn stdin_skip_binary_skips_it_as_a_file_found_in_a_directory() {
    let dir = tempdir();
    let mut bytes = b"\x00\x01binary code=801004\n".to_vec();
    bytes.extend_from_slice(&b"code=801004\n".repeat(1000));
    fs::create_dir(dir.join("d")).unwrap();
    fs::write(dir.join("d/blob.bin"), &bytes).unwrap();
    let found = jmlog(["analyze", "-q", "-f", "json", &arg(&dir.join("d"))]);
    let name = arg(&dir.join("d/blob.bin"));
    let stream = jmlog_with_stdin(
        [
            "analyze",
            "-q",
            "-f",
            "json",
            "--stdin-skip-binary",
            "--stdin-name",
            &name,
            "-",
        ],
        &bytes,
    );
    assert_eq!(found.json()["inputs"][0]["skipped"], "binary file");
    assert_eq!(stream.json()["totals"], found.json()["totals"]);
    assert_eq!(stream.json()["inputs"], found.json()["inputs"]);
}
