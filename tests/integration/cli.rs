//! The command line as a finished tool: shell completions, the manual page, answers to mistakes,
//! colour decided from the environment, and the Rust version the crate promises.
//!
//! Some tests need a system tool (bash, man, script). Where one is missing they say so on stderr
//! and pass, unless `JMLOG_REQUIRE_TOOLS` is set (CI sets it and installs the tools), where a
//! missing tool fails the test.

use std::path::Path;
use std::process::Command as StdCommand;
use std::time::Duration;

use assert_cmd::Command;

use crate::util::{arg, jmlog, root, sample, tempdir};

/// How long a helper program may run before the test fails.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Whether `tool` can be run; when it cannot, says so, and fails under `JMLOG_REQUIRE_TOOLS`.
fn have(tool: &str, why: &str) -> bool {
    let found = StdCommand::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        let message = format!(
            "{tool} is not installed, so {why} cannot be checked here \
             (CI installs it: see .ci/run)"
        );
        assert!(
            std::env::var_os("JMLOG_REQUIRE_TOOLS").is_none(),
            "{message}"
        );
        eprintln!("NOT RUN: {message}");
    }
    found
}

/// `program args…` with a timeout; returns (exit code, stdout, stderr).
fn run_tool(program: &str, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut command = Command::new(program);
    command.args(args).current_dir(root()).timeout(TIMEOUT);
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().expect("the tool runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn jmlog_path() -> String {
    assert_cmd::cargo::cargo_bin("jmlog").display().to_string()
}

#[test]
fn bash_completion_registers_when_sourced() {
    if !have("bash", "the bash completion") {
        return;
    }
    let dir = tempdir();
    let script = dir.join("jmlog.bash");
    let run = jmlog(["completions", "bash"]);
    run.expect_code(0);
    std::fs::write(&script, run.stdout()).unwrap();
    let (code, out, err) = run_tool(
        "bash",
        &[
            "--norc",
            "-c",
            &format!("source '{}' && complete -p jmlog", script.display()),
        ],
        &[],
    );
    assert_eq!(code, 0, "stdout: {out}\nstderr: {err}");
    assert_eq!(
        out.trim(),
        "complete -o bashdefault -o default -o nosort -F _jmlog jmlog"
    );
    assert_eq!(err, "");
    // The completion function knows the subcommands and their options.
    let (code, out, _) = run_tool(
        "bash",
        &[
            "--norc",
            "-c",
            &format!(
                "source '{}'; COMP_WORDS=(jmlog ana); COMP_CWORD=1; _jmlog jmlog ana jmlog; \
                 echo \"${{COMPREPLY[@]}}\"; COMP_WORDS=(jmlog analyze --fo); COMP_CWORD=2; \
                 _jmlog jmlog --fo analyze; echo \"${{COMPREPLY[@]}}\"",
                script.display()
            ),
        ],
        &[],
    );
    assert_eq!(code, 0);
    assert_eq!(out, "analyze\n--format --follow-links\n");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _jmlog"),
        ("zsh", "#compdef jmlog"),
        ("fish", "complete -c jmlog"),
        (
            "powershell",
            "Register-ArgumentCompleter -Native -CommandName 'jmlog'",
        ),
        ("elvish", "set edit:completion:arg-completer[jmlog]"),
    ] {
        let run = jmlog(["completions", shell]);
        run.expect_code(0);
        let out = run.stdout();
        assert!(out.contains(marker), "{shell}: no {marker:?} in\n{out}");
        assert!(
            out.contains("analyze") && out.contains("--since"),
            "{shell}"
        );
    }
    let run = jmlog(["completions", "tcsh"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("invalid value 'tcsh'"),
        "{}",
        run.stderr()
    );
}

#[test]
fn man_page_renders_with_man() {
    let run = jmlog(["man"]);
    run.expect_code(0);
    let roff = run.stdout();
    assert!(
        roff.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &roff[..80.min(roff.len())]
    );
    assert!(roff.contains(".TH jmlog 1"), "no title header");
    if !have("man", "the manual page") {
        return;
    }
    let dir = tempdir();
    let page = dir.join("jmlog.1");
    std::fs::write(&page, &roff).unwrap();
    let (code, out, err) = run_tool(
        "man",
        &["-l", &arg(&page)],
        &[("MANWIDTH", "80"), ("MANPAGER", "cat"), ("PAGER", "cat")],
    );
    assert_eq!(code, 0, "man -l failed: {err}");
    assert!(!err.contains("warning"), "groff warns: {err}");
    // Rendered, not raw roff: section headings and the commands, no macros left.
    let plain: String = out.replace('\u{8}', "");
    for needle in [
        "NAME",
        "jmlog - Finds JMessage",
        "SYNOPSIS",
        "SUBCOMMANDS",
        "analyze",
        "annotate",
        "completions",
        "VERSION",
    ] {
        assert!(plain.contains(needle), "{needle:?} not in\n{plain}");
    }
    assert!(!plain.contains(".TH") && !plain.contains(".SH"), "{plain}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// Runs `jmlog args…` with a terminal (a pseudo-terminal from `script`) as standard input and
/// output, in `env`.
fn on_terminal(args: &str, env: &[(&str, &str)]) -> Option<(i32, String)> {
    if !have("script", "jmlog on a terminal") {
        return None;
    }
    let command = format!("{} {args}", jmlog_path());
    let mut all_env = vec![("NO_COLOR", ""), ("CLICOLOR_FORCE", ""), ("COLORTERM", "")];
    all_env.extend_from_slice(env);
    let (code, out, err) = run_tool("script", &["-qec", &command, "/dev/null"], &all_env);
    assert_eq!(err, "", "script: {err}");
    Some((code, out))
}

#[test]
fn annotate_on_a_terminal_says_what_to_do() {
    let Some((code, out)) = on_terminal("annotate", &[("TERM", "xterm")]) else {
        return;
    };
    assert_eq!(code, 2, "{out}");
    assert_eq!(
        out.trim_end(),
        "jmlog: no input: give a log file, or pipe logs in: 'adb logcat | jmlog annotate' \
         (try 'jmlog annotate --help')"
    );
}

#[test]
fn colour_follows_the_terminal_and_the_environment() {
    let log = arg(&sample("java-server.log"));
    let args = format!("analyze --quiet --by day --tz UTC --year 2026 '{log}'");
    let colour = |env: &[(&str, &str)]| on_terminal(&args, env).map(|(_, out)| out);
    let Some(plain_term) = colour(&[("TERM", "xterm")]) else {
        return;
    };
    // A terminal gets colour, in the 16 basic colours, with letters in the bars.
    assert!(plain_term.contains("\x1b[1mScanned"), "{plain_term}");
    assert!(
        plain_term.contains("\x1b[36mA"),
        "account in cyan letters: {plain_term}"
    );
    // 256 colours and true colour draw blocks in the module's colour.
    let xterm256 = colour(&[("TERM", "xterm-256color")]).unwrap();
    assert!(
        xterm256.contains("\x1b[38;5;29m█"),
        "account in colour 29: {xterm256}"
    );
    let truecolor = colour(&[("TERM", "xterm-256color"), ("COLORTERM", "truecolor")]).unwrap();
    assert!(
        truecolor.contains("\x1b[38;2;0;129;105m█"),
        "account in #008169: {truecolor}"
    );
    // TERM=dumb and NO_COLOR get none.
    for env in [
        [("TERM", "dumb"), ("NO_COLOR", "")],
        [("TERM", "xterm"), ("NO_COLOR", "1")],
    ] {
        let out = colour(&env).unwrap();
        assert!(!out.contains('\x1b'), "{env:?}: {out}");
        assert!(out.contains("Scanned 1 input"), "{out}");
    }
    // CLICOLOR_FORCE colours a pipe too.
    let mut forced = Command::cargo_bin("jmlog").unwrap();
    let output = forced
        .args(["analyze", "--quiet", &log])
        .env("CLICOLOR_FORCE", "1")
        .env_remove("NO_COLOR")
        .timeout(TIMEOUT)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("\x1b[1mScanned"));
}

#[test]
fn negative_top_gets_a_plain_answer() {
    let run = jmlog(["analyze", "--top", "-1", &arg(&sample("java-server.log"))]);
    run.expect_code(2);
    assert!(
        run.stderr().contains(
            "invalid value '-1' for '--top <N>': expected a whole number of codes, 0 or more \
             (0 lists all), not '-1'"
        ),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains("-- -1"), "{}", run.stderr());
}

#[test]
fn explaining_an_unknown_code_suggests_a_few_neighbours() {
    let run = jmlog(["explain", "871399"]);
    run.expect_code(2);
    let err = run.stderr();
    let list = err
        .split("known codes nearby: ")
        .nth(1)
        .and_then(|rest| rest.split(" (").next())
        .unwrap_or_else(|| panic!("no list in {err}"));
    let nearby: Vec<u32> = list.split(", ").map(|c| c.parse().unwrap()).collect();
    assert_eq!(nearby.len(), 5, "{err}");
    assert!(nearby.windows(2).all(|w| w[0] < w[1]), "{err}");
    assert!(nearby.iter().all(|c| c / 1000 == 871), "{err}");
    assert!(
        err.contains("known in 871xxx; 'jmlog codes' lists them all)"),
        "{err}"
    );
}

/// The `rust-version` in Cargo.toml is what building jmlog and its tests needs: no locked
/// dependency asks for a newer Rust.
#[test]
fn rust_version_covers_every_locked_dependency() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let ours = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("Cargo.toml sets rust-version");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .args(["metadata", "--locked", "--format-version", "1"])
        .current_dir(root())
        .timeout(Duration::from_secs(120));
    let output = command.output().expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata --locked failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // "1.85" and "1.85.0" are the same version.
    let version = |v: &str| -> Vec<u32> {
        let mut parts: Vec<u32> = v.split('.').map(|p| p.parse().unwrap()).collect();
        parts.resize(3, 0);
        parts
    };
    let too_new: Vec<String> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (version(needs) > version(ours))
                .then(|| format!("{} {} needs {needs}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        too_new.is_empty(),
        "rust-version = \"{ours}\", but {}",
        too_new.join("; ")
    );
}

#[test]
fn licence_files_match_the_manifest() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(manifest.contains("\nlicense = \"MIT OR Apache-2.0\"\n"));
    let mit = std::fs::read_to_string(root().join("LICENSE-MIT")).unwrap();
    assert!(mit.starts_with("MIT License\n\nCopyright (c) The jmlog developers\n"));
    assert!(mit.contains("THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND"));
    let apache = std::fs::read_to_string(root().join("LICENSE-APACHE")).unwrap();
    assert!(
        apache.contains("Apache License\n                           Version 2.0, January 2004")
    );
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
    assert!(
        Path::new(&root().join("LICENSE-APACHE"))
            .metadata()
            .unwrap()
            .len()
            > 10_000
    );
}

#[test]
fn a_tripped_gate_names_a_few_codes_on_one_line() {
    let dir = tempdir();
    let codes = jmlog(["codes", "--format", "json"]).json();
    let codes: Vec<u64> = codes
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_u64().unwrap())
        .filter(|&c| c < 1_000_000)
        .take(15)
        .collect();
    let log: String = codes
        .iter()
        .map(|c| format!("request failed, error code: {c}\n"))
        .collect();
    std::fs::write(dir.join("quiet.log"), "all good\n").unwrap();
    std::fs::write(dir.join("busy.log"), log).unwrap();
    let base = dir.join("base.json");
    jmlog([
        "analyze",
        "-f",
        "json",
        "-o",
        &arg(&base),
        &arg(&dir.join("quiet.log")),
    ])
    .expect_code(0);
    let run = jmlog([
        "analyze",
        "--quiet",
        "--baseline",
        &arg(&base),
        "--fail-on",
        "new",
        &arg(&dir.join("busy.log")),
    ]);
    run.expect_code(1);
    let listed: Vec<String> = codes[..10].iter().map(u64::to_string).collect();
    assert_eq!(
        run.stderr(),
        format!(
            "jmlog: gate --fail-on new tripped: 15 codes new since the baseline: {} and 5 more\n",
            listed.join(", ")
        )
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// `SOURCE_DATE_EPOCH` fixes the HTML page's generation time, so the same logs give the same page.
#[test]
fn source_date_epoch_makes_the_page_reproducible() {
    let page = || {
        let output = Command::cargo_bin("jmlog")
            .unwrap()
            .args(["analyze", "-f", "html", &arg(&sample("java-server.log"))])
            .env("SOURCE_DATE_EPOCH", "1764583200")
            .current_dir(root())
            .timeout(TIMEOUT)
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    let first = page();
    assert!(first.contains(
        "<dt>Generated</dt><dd><time datetime=\"2025-12-01T10:00:00+00:00\">\
         2025-12-01 10:00:00 +00:00 UTC</time></dd>"
    ));
    assert_eq!(first, page());
}
