//! The command line, as clap parses it. Nothing here decides anything: [`crate::config`] resolves
//! these raw arguments, together with the environment and the terminal, into the settings a run uses.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Finds JMessage (JiGuang IM) error codes in logs, says what they mean, and reports them per module.
#[derive(Debug, Parser)]
#[command(name = "jmlog", version, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 the command completed (whatever it found); 1 a CI gate tripped; \
2 a usage error, an unknown code, or an input that could not be read (the other inputs are still \
scanned and reported)."
)]
pub struct Cli {
    /// When to colour the output. Under `auto`, a terminal gets colour unless NO_COLOR is set or
    /// TERM is `dumb`; CLICOLOR_FORCE turns it on anywhere (NO_COLOR still wins).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan logs for JMessage error codes and report them per module, with meanings and examples.
    Analyze(AnalyzeArgs),
    /// Say everything jmlog knows about one or more error codes.
    Explain(ExplainArgs),
    /// List the built-in catalog of error codes.
    Codes(CodesArgs),
    /// Combine JSON reports of runs over parts of the logs into the report of one run over all.
    Merge(MergeArgs),
    /// Pass log lines through, explaining each JMessage error code at the end of its line.
    Annotate(AnnotateArgs),
    /// Follow growing logs (like `tail -F`), counting codes as they are written.
    Watch(WatchArgs),
    /// Print a completion script for a shell (see the README's Install for where it goes).
    Completions(CompletionsArgs),
    /// Print jmlog's manual page (roff), e.g. `jmlog man > ~/.local/share/man/man1/jmlog.1`.
    Man,
    /// Write deterministic synthetic logs to stdout, for benchmarks.
    #[command(hide = true)]
    Synth(SynthArgs),
}

/// The largest `--chunk-size`: a few chunks per thread are held in memory at once.
pub const MAX_CHUNK_SIZE: u64 = 64 << 20;

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Log files or directories to scan (directories recursively; gzip, zstd, bzip2 and xz files are
    /// decompressed whatever their name). `-` is standard input, which is also read when no PATH is
    /// given and standard input is not a terminal.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,

    /// In directories and archives, scan only files whose name or relative path matches GLOB
    /// (repeatable; archives inside archives are opened whatever their name).
    #[arg(short, long = "glob", value_name = "GLOB")]
    pub globs: Vec<String>,

    /// In directories and archives, skip files whose name or relative path matches GLOB
    /// (repeatable).
    #[arg(long = "exclude", value_name = "GLOB")]
    pub excludes: Vec<String>,

    /// In directories, also scan hidden files and directories (names starting with `.`).
    #[arg(long)]
    pub hidden: bool,

    /// In directories, follow symbolic links (loops are reported, not followed).
    #[arg(short = 'L', long)]
    pub follow_links: bool,

    /// No progress bar and no notes on stderr; errors are still reported.
    #[arg(short, long)]
    pub quiet: bool,

    /// After the report, print to stderr what was read (bytes read, bytes of text, lines), how long
    /// it took, the throughput, and the time spent reading and decompressing versus scanning.
    #[arg(long)]
    pub stats: bool,

    /// Count every catalog code that stands alone, whatever its context (noisier: uids and counts
    /// that happen to equal a code are counted too).
    #[arg(long)]
    pub loose: bool,

    /// Scanning threads [default: the number of CPUs]; never more than 256, nor than the inputs
    /// have chunks to scan.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    /// Count codes over time, in buckets of an hour, a day or an ISO week (Monday to Sunday). Lines
    /// without a timestamp take the last one above them in the same input.
    #[arg(long, value_enum, value_name = "BUCKET")]
    pub by: Option<ByChoice>,

    /// Count only lines at or after TIME: a date or date-time (`2026-11-01`, `2026-11-01T08:00`,
    /// with an offset or read in --tz), or a span back from now (`7d`, `24h`, `30m`, `2w`).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Count only lines before TIME (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// The zone of timestamps without an offset, and of the histogram's buckets: an IANA name
    /// (`Asia/Shanghai`), `UTC`, or an offset (`+08`, `-0530`, `+08:00`) [default: the system's zone]
    #[arg(long, value_name = "ZONE", allow_hyphen_values = true)]
    pub tz: Option<String>,

    /// The year of timestamps written without one (logcat threadtime, syslog): the year of each
    /// input's first such timestamp; later dates earlier in the calendar roll over into the next
    /// year [default: from each file's modification time]
    #[arg(long, value_name = "YYYY", value_parser = clap::value_parser!(i16).range(1970..=9999))]
    pub year: Option<i16>,

    /// The name reports give standard input instead of `<stdin>`: for a job that streams each file
    /// to its own jmlog (the Spark job does), so that the reports name the files.
    #[arg(long, value_name = "NAME")]
    pub stdin_name: Option<String>,

    /// Date year-less timestamps on standard input as in a file last written at TIME (an RFC 3339
    /// time, `2026-11-26T05:11:31Z`) instead of now: pass the file's modification time.
    #[arg(long, value_name = "TIME")]
    pub stdin_modified: Option<String>,

    /// Skip standard input if it looks binary, as files found in a directory are.
    #[arg(long)]
    pub stdin_skip_binary: bool,

    /// Bytes per parallel chunk, 1 to 64 MiB (tuning and testing; results do not depend on it).
    #[arg(long, value_name = "BYTES", hide = true,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_CHUNK_SIZE))]
    pub chunk_size: Option<usize>,
}

/// How a report is written, compared and judged; for `analyze` and `merge`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format: `text` for people, `json` (the versioned schema in the README), `markdown`
    /// for CI job summaries and pull requests, `csv`, `ndjson` (one event per code as it is found,
    /// then a summary), `html` (one self-contained page with charts), `prometheus` (for
    /// node_exporter's textfile collector).
    #[arg(short, long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// How many codes the text and Markdown reports list, with their examples, and how many
    /// unknown codes the text, Markdown and HTML reports list; 0 lists all.
    #[arg(long, value_name = "N", default_value_t = 20, allow_negative_numbers = true,
          value_parser = parse_top)]
    pub top: usize,

    /// Compare with an earlier JSON report: marks new and vanished codes, and the change per code
    /// and module, in every format.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,

    /// Exit with 1 after writing the report if WHAT occurred: `module=NAME`, `code=CODE`, `new`
    /// (a code not in the --baseline) or `unknown` (repeatable).
    #[arg(long = "fail-on", value_name = "WHAT")]
    pub fail_on: Vec<String>,

    /// Exit with 1 after writing the report if more than N code occurrences were found.
    #[arg(long, value_name = "N")]
    pub max_total: Option<u64>,

    /// Exit with 1 after writing the report if a module or code occurred more than N times:
    /// `login=5`, `803008=0` (repeatable).
    #[arg(long = "max", value_name = "WHAT=N")]
    pub max: Vec<String>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports written by `jmlog analyze --format json` (or by `merge`), in order: each code
    /// keeps the example of the first report that has it. They must be made with the same
    /// `--loose`, `--by`, zone, `--since` and `--until` (the same relative `--since 30d` may have
    /// resolved up to an hour apart); an input a report records as unreadable or skipped makes the
    /// exit code 2, as in one run.
    #[arg(value_name = "REPORT.json", required = true)]
    pub reports: Vec<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct AnnotateArgs {
    /// The log to read; `-` or nothing reads standard input (`adb logcat | jmlog annotate`).
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,

    /// Print only the lines that hold a code.
    #[arg(long)]
    pub only: bool,

    /// Which language the annotation uses: the English meaning, or the official Chinese description.
    #[arg(long, value_enum, default_value_t = LangChoice::En)]
    pub lang: LangChoice,

    /// Count every catalog code that stands alone, whatever its context (noisier).
    #[arg(long)]
    pub loose: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Log files to follow. A file that is renamed and re-created (rotation) or truncated
    /// (copytruncate) is followed on, as `tail -F` does.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// Read the files from their start instead of from their current end.
    #[arg(long)]
    pub from_start: bool,

    /// How often to look for new data, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 200, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub interval: u64,

    /// Write NDJSON events (one per code as it is found) even on a terminal.
    #[arg(long)]
    pub events: bool,

    /// Count every catalog code that stands alone, whatever its context (noisier).
    #[arg(long)]
    pub loose: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Error codes, e.g. 801004 7132006.
    #[arg(value_name = "CODE", required = true)]
    pub codes: Vec<String>,

    /// Which language leads: the English meaning, or the official Chinese description.
    #[arg(long, value_enum, default_value_t = LangChoice::En)]
    pub lang: LangChoice,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

#[derive(Debug, Args)]
pub struct CodesArgs {
    /// Only codes of this module (login, auth, account, messaging, groups, blacklist, do-not-disturb,
    /// friends, chatroom, media, audio-video, push, network, sdk, system).
    #[arg(short, long, value_name = "MODULE")]
    pub module: Option<String>,

    /// Only codes documented in this source (seed, server-2019, android, ios, web, docs-2015,
    /// rest-api, web-2017, js-sdk-v1, ios-header, ios-header-2015, jmrtc-javadoc, jmrtc-ios-doc,
    /// android-sdk, web-sdk, jchat), for any of their meanings.
    #[arg(long, value_name = "SOURCE")]
    pub source: Option<String>,

    /// Only codes whose evidence is this strong: table (a documentation table), header (an SDK
    /// header or javadoc), binary (an SDK binary only), demo-app (a demo app's mapping only).
    #[arg(long, value_name = "STRENGTH")]
    pub strength: Option<String>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = CodesFormat::Text)]
    pub format: CodesFormat,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// About how many bytes to write (whole lines).
    #[arg(long, value_name = "BYTES")]
    pub bytes: u64,

    /// The seed; the same seed gives the same logs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `--top N`: a count of codes, 0 for all. Negative numbers get a plain answer rather than clap's
/// hint about `--`.
fn parse_top(value: &str) -> Result<usize, String> {
    value.parse::<usize>().map_err(|_| {
        format!("expected a whole number of codes, 0 or more (0 lists all), not '{value}'")
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByChoice {
    Hour,
    Day,
    Week,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Markdown,
    Csv,
    Ndjson,
    Html,
    Prometheus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CodesFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangChoice {
    En,
    Zh,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
