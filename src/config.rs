//! Resolves the raw arguments, the environment and the terminal into the settings of a run.
//! This is the only place that looks at `NO_COLOR`, at whether stdout is a terminal, or at the
//! number of CPUs.

use std::io::IsTerminal;

use crate::cli::ColorChoice;
use crate::render::Look;

/// How text output looks on this run's stdout.
pub fn look(choice: ColorChoice) -> Look {
    let tty = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => tty && !no_color,
    };
    let width = if tty {
        terminal_size::terminal_size().map(|(w, _)| w.0)
    } else {
        None
    };
    Look { color, width }
}

/// The number of scanning threads: as asked, else one per CPU.
pub fn threads(asked: Option<u16>) -> usize {
    asked
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Whether to draw a progress bar: only on a terminal, and not with `--quiet`.
pub fn progress(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// Whether standard input is a terminal (then jmlog will not wait on it for logs).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}
