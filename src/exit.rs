//! jmlog's exit codes, as documented in the README and in `jmlog --help`.

use std::process::ExitCode;

/// How a run ended.
/// Ordered by severity, so that the worse of two outcomes is their `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// The command completed, whatever it found.
    Success,
    /// A CI gate tripped (the report was still written).
    GateFailed,
    /// A usage error, an unknown code, or an input that could not be read.
    Trouble,
}

impl Outcome {
    pub fn code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::GateFailed => 1,
            Outcome::Trouble => 2,
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        ExitCode::from(outcome.code())
    }
}
