use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, Parser};

use std::path::PathBuf;
use std::sync::Mutex;

use jmlog::analyze::{InputEventSink, ScanSettings, analyze};
use jmlog::baseline;
use jmlog::catalog::{Catalog, Code, Entry, Module, Source, Strength};
use jmlog::cli::{
    AnalyzeArgs, Cli, CodesArgs, CodesFormat, Command, ExplainArgs, ExplainFormat, LangChoice,
    MergeArgs, ReportArgs, ReportFormat,
};
use jmlog::config;
use jmlog::exit::Outcome;
use jmlog::extract::Mode;
use jmlog::gate::Gate;
use jmlog::input::{self, WalkOptions};
use jmlog::merge;
use jmlog::output::{Destination, Writer};
use jmlog::pipeline::DEFAULT_CHUNK_SIZE;
use jmlog::render::terminal::sanitize;
use jmlog::render::text::TextOptions;
use jmlog::render::{self, Look, catalog::Lang};
use jmlog::report::Report;
use jmlog::tally::Event;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(outcome) => outcome.into(),
        // `jmlog … | head`: the reader went away, which is not a failure of jmlog.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("jmlog: {err:#}");
            Outcome::Trouble.into()
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let look = config::look(cli.color);
    // Standard output is locked only by the commands that write all of their output from this
    // thread: `analyze -f ndjson` writes events from a reader thread, and would wait forever on
    // a lock held here.
    let stdout = || BufWriter::new(io::stdout().lock());
    let outcome = match cli.command {
        Command::Analyze(args) => run_analyze(args, look)?,
        Command::Merge(args) => run_merge(args, look)?,
        Command::Annotate(args) => {
            // Like `analyze`: waiting silently for a terminal to type logs helps nobody.
            if args.path.is_none() && config::stdin_is_terminal() {
                anyhow::bail!(
                    "no input: give a log file, or pipe logs in: 'adb logcat | jmlog annotate' \
                     (try 'jmlog annotate --help')"
                );
            }
            jmlog::annotate::run(&args, look)?
        }
        Command::Watch(args) => jmlog::watch::run(&args, look)?,
        Command::Explain(args) => run_explain(args, look, &mut stdout())?,
        Command::Codes(args) => run_codes(args, look, &mut stdout())?,
        Command::Completions(args) => {
            let mut out = stdout();
            clap_complete::generate(args.shell, &mut Cli::command(), "jmlog", &mut out);
            out.flush()?;
            Outcome::Success
        }
        Command::Man => {
            let mut out = stdout();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            out.flush()?;
            Outcome::Success
        }
        Command::Synth(args) => {
            let mut out = stdout();
            jmlog::synth::write_logs(&mut out, args.bytes, args.seed)?;
            out.flush()?;
            Outcome::Success
        }
    };
    Ok(outcome)
}

fn run_analyze(args: AnalyzeArgs, look: Look) -> anyhow::Result<Outcome> {
    let plan = ReportPlan::new(&args.report, look)?;
    let paths = if args.paths.is_empty() {
        if config::stdin_is_terminal() {
            anyhow::bail!(
                "no input: give a log file or directory, or pipe logs in (try 'jmlog analyze --help')"
            );
        }
        vec![PathBuf::from("-")]
    } else {
        args.paths.clone()
    };
    let walk = WalkOptions {
        globs: args.globs.clone(),
        excludes: args.excludes.clone(),
        hidden: args.hidden,
        follow_links: args.follow_links,
    };
    let discovered = input::discover(&paths, &walk).map_err(anyhow::Error::msg)?;
    plan.destination.refuse_inputs(&discovered.inputs)?;
    let settings = ScanSettings {
        mode: if args.loose {
            Mode::Loose
        } else {
            Mode::Strict
        },
        threads: config::threads(args.threads),
        chunk_size: args.chunk_size.unwrap_or(DEFAULT_CHUNK_SIZE),
        progress: config::progress(args.quiet),
        time: config::time_settings(&args, plan.format == ReportFormat::Ndjson)
            .map_err(anyhow::Error::msg)?,
        stdin: config::stdin_as(&args).map_err(anyhow::Error::msg)?,
        hidden: args.hidden,
    };

    // NDJSON events are written while the scan runs, to the same output as the summary after it.
    let out = Mutex::new(plan.destination.open()?);
    let write_error: Mutex<Option<io::Error>> = Mutex::new(None);
    let on_events = |path: &str, events: &[Event]| {
        let mut failed = write_error.lock().expect("no writer panics");
        if failed.is_none() {
            let mut out = out.lock().expect("no writer panics");
            if let Err(e) = render::ndjson::events(path, events, &mut *out) {
                // `jmlog … | head`: nobody reads the rest, so there is no point scanning on
                // (a closed pipe only happens on a pipe, never with an `-o` file pending).
                if e.kind() == io::ErrorKind::BrokenPipe {
                    std::process::exit(Outcome::Success.code().into());
                }
                *failed = Some(e);
            }
        }
    };
    let events: Option<&InputEventSink<'_>> =
        (plan.format == ReportFormat::Ndjson).then_some(&on_events);
    let (mut report, stats) = analyze(&discovered, &settings, events)?;
    report.record_window(args.since.as_deref(), args.until.as_deref());
    if let Some(e) = write_error.into_inner().expect("no writer panics") {
        return Err(e.into());
    }

    // An input not read, or read only in part, is trouble; one that is the same file as an
    // earlier input was read there, and is only worth a note.
    let mut outcome = Outcome::Success;
    for (input, reason) in report.lost_inputs() {
        eprintln!("jmlog: {}: {reason}", sanitize(&input.path, 400));
        outcome = Outcome::Trouble;
    }
    for input in report.inputs.iter().filter(|_| !args.quiet) {
        if let Some(same_as) = &input.same_as {
            let (path, same_as) = (sanitize(&input.path, 400), sanitize(same_as, 400));
            eprintln!("jmlog: {path}: the same file as {same_as}, counted once");
        }
    }
    if !args.quiet {
        if let Some(note) = report.window_note().filter(|_| report.left_out_lines() > 0) {
            eprintln!("jmlog: {note}");
        }
        let hidden = discovered.hidden_skipped + stats.hidden_members;
        let links = discovered.links_skipped;
        if hidden > 0 {
            let entries = if hidden == 1 { "entry" } else { "entries" };
            eprintln!("jmlog: skipped {hidden} hidden {entries} (--hidden scans them)");
        }
        if links > 0 {
            let s = if links == 1 { "" } else { "s" };
            eprintln!(
                "jmlog: skipped {links} symbolic link{s} to directories (--follow-links follows them)"
            );
        }
    }
    let out = out.into_inner().expect("no writer panics");
    let judged = plan.finish(report, out, |report| {
        if args.stats {
            eprint!("{}", render::text::stats(report, &stats));
        }
    })?;
    Ok(worse(outcome, judged))
}

fn run_merge(args: MergeArgs, look: Look) -> anyhow::Result<Outcome> {
    let plan = ReportPlan::new(&args.report, look)?;
    // One report at a time: a fleet's thousands of reports are never all in memory.
    let mut merger = merge::Merger::default();
    let mut outcome = Outcome::Success;
    for path in &args.reports {
        let report = baseline::load(path).map_err(anyhow::Error::msg)?;
        let name = path.display().to_string();
        // What one run over the shard's inputs would have failed for fails the merge too.
        for (input, reason) in report.lost_inputs() {
            eprintln!(
                "jmlog: {} (in {}): {reason}",
                sanitize(&input.path, 400),
                sanitize(&name, 400)
            );
            outcome = Outcome::Trouble;
        }
        merger.add(&name, report).map_err(anyhow::Error::msg)?;
    }
    let report = merger.finish().map_err(anyhow::Error::msg)?;
    let out = plan.destination.open()?;
    let judged = plan.finish(report, out, |_| {})?;
    Ok(worse(outcome, judged))
}

/// The worse of two outcomes: trouble over a tripped gate over success.
fn worse(a: Outcome, b: Outcome) -> Outcome {
    a.max(b)
}

/// How a report is finished and written: the format, the output, the baseline and the gates.
struct ReportPlan {
    format: ReportFormat,
    destination: Destination,
    look: Look,
    top: usize,
    baseline: Option<(String, Report)>,
    gates: Vec<Gate>,
}

impl ReportPlan {
    /// Checks everything that can be checked before the scan: the gates, and the baseline report.
    fn new(args: &ReportArgs, look: Look) -> anyhow::Result<ReportPlan> {
        let mut gates = Vec::new();
        for value in &args.fail_on {
            gates.push(Gate::parse_fail_on(value).map_err(anyhow::Error::msg)?);
        }
        for value in &args.max {
            gates.push(Gate::parse_max(value).map_err(anyhow::Error::msg)?);
        }
        if let Some(n) = args.max_total {
            gates.push(Gate::MaxTotal(n));
        }
        if args.baseline.is_none() && gates.iter().any(Gate::needs_baseline) {
            anyhow::bail!("--fail-on new needs a --baseline report to compare with");
        }
        let baseline = match &args.baseline {
            Some(path) => Some((
                path.display().to_string(),
                baseline::load(path).map_err(|e| anyhow::anyhow!("--baseline {e}"))?,
            )),
            None => None,
        };
        // A file is no terminal: colour only if asked for outright.
        let look = if args.output.is_some() {
            Look {
                color: look.color && look.forced,
                width: None,
                terminal: false,
                ..look
            }
        } else {
            look
        };
        Ok(ReportPlan {
            format: args.format,
            destination: Destination::new(args.output.as_deref()),
            look,
            top: args.top,
            baseline,
            gates,
        })
    }

    /// Compares with the baseline, judges the gates, writes the report (an `-o` file takes its
    /// place only now), and says which gates tripped. `after` runs once the report is written
    /// (for `--stats`).
    fn finish(
        &self,
        mut report: Report,
        mut output: Writer,
        after: impl FnOnce(&Report),
    ) -> anyhow::Result<Outcome> {
        if let Some((path, baseline)) = &self.baseline {
            baseline::compare(&mut report, baseline, path);
        }
        report.gates = self.gates.iter().map(|g| g.judge(&report)).collect();
        let out: &mut dyn Write = &mut output;
        match self.format {
            ReportFormat::Text => {
                let opts = TextOptions {
                    look: self.look,
                    top: self.top,
                };
                render::text::render(&report, opts, out)?
            }
            ReportFormat::Json => render::json::render(&report, out)?,
            ReportFormat::Markdown => render::markdown::render(&report, self.top, out)?,
            ReportFormat::Csv => render::csv::render(&report, out)?,
            ReportFormat::Ndjson => render::ndjson::summary(&report, out)?,
            ReportFormat::Html => {
                render::html::render(&report, &config::generated_at(), self.top, out)?
            }
            ReportFormat::Prometheus => render::prometheus::render(&report, out)?,
        }
        output.commit()?;
        after(&report);
        let mut outcome = Outcome::Success;
        for gate in report.gates.iter().filter(|g| g.tripped) {
            eprintln!("jmlog: gate {} tripped: {}", gate.gate, gate.detail);
            outcome = Outcome::GateFailed;
        }
        Ok(outcome)
    }
}

fn run_explain(args: ExplainArgs, look: Look, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let catalog = Catalog::builtin();
    let mut found: Vec<&Entry> = Vec::new();
    let mut problems = Vec::new();
    for arg in &args.codes {
        match parse_code(arg) {
            Ok(code) => match catalog.get(code) {
                Some(entry) => found.push(entry),
                None => problems.push(unknown_code_message(catalog, code)),
            },
            Err(message) => problems.push(message),
        }
    }
    let lang = match args.lang {
        LangChoice::En => Lang::En,
        LangChoice::Zh => Lang::Zh,
    };
    match args.format {
        ExplainFormat::Text => render::catalog::explain(&found, lang, look, out)?,
        ExplainFormat::Json => render::catalog::json(&found, out)?,
    }
    out.flush()?;
    for problem in &problems {
        eprintln!("jmlog: {problem}");
    }
    Ok(if problems.is_empty() {
        Outcome::Success
    } else {
        Outcome::Trouble
    })
}

/// A code as the user typed it: six or seven digits.
fn parse_code(arg: &str) -> Result<Code, String> {
    let trimmed = arg.trim();
    if (6..=7).contains(&trimmed.len()) && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        Ok(trimmed.parse().expect("six or seven digits fit"))
    } else {
        Err(format!(
            "'{}' is not an error code: JMessage codes are six or seven digits, like 801004",
            sanitize(arg, 40)
        ))
    }
}

/// How many known codes an unknown code's message suggests.
const NEARBY: usize = 5;

fn unknown_code_message(catalog: &Catalog, code: Code) -> String {
    let block = code / 1000;
    let mut nearby: Vec<Code> = catalog
        .entries()
        .iter()
        .filter(|e| e.code / 1000 == block)
        .map(|e| e.code)
        .collect();
    let in_block = nearby.len();
    // The closest few, in order.
    nearby.sort_by_key(|&c| (c.abs_diff(code), c));
    nearby.truncate(NEARBY);
    nearby.sort_unstable();
    let mut message = format!("{code} is not a JMessage error code jmlog knows");
    if nearby.is_empty() {
        message.push_str(" ('jmlog codes' lists them all)");
    } else {
        let list: Vec<String> = nearby.iter().map(Code::to_string).collect();
        message.push_str(&format!("; known codes nearby: {}", list.join(", ")));
        if in_block > nearby.len() {
            message.push_str(&format!(
                " ({in_block} known in {block}xxx; 'jmlog codes' lists them all)"
            ));
        }
    }
    message
}

fn run_codes(args: CodesArgs, look: Look, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let module: Option<Module> = match &args.module {
        Some(name) => Some(
            name.parse()
                .map_err(anyhow::Error::msg)
                .context("--module")?,
        ),
        None => None,
    };
    let source: Option<Source> = match &args.source {
        Some(name) => Some(
            name.parse()
                .map_err(anyhow::Error::msg)
                .context("--source")?,
        ),
        None => None,
    };
    let strength: Option<Strength> = match &args.strength {
        Some(name) => Some(
            name.parse()
                .map_err(anyhow::Error::msg)
                .context("--strength")?,
        ),
        None => None,
    };
    let entries: Vec<&Entry> = Catalog::builtin()
        .entries()
        .iter()
        .filter(|e| module.is_none_or(|m| e.module == m))
        .filter(|e| source.is_none_or(|s| e.all_sources().any(|x| x == s)))
        .filter(|e| strength.is_none_or(|s| e.strength == s))
        .collect();
    match args.format {
        CodesFormat::Text => render::catalog::table(&entries, look, out)?,
        CodesFormat::Json => render::catalog::json(&entries, out)?,
        CodesFormat::Csv => render::catalog::csv(&entries, out)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
