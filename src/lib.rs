//! jmlog finds JMessage (JiGuang IM) error codes in logs, says what they mean, and reports how often
//! they occur per module.
//!
//! The library holds the built-in [`catalog`], the rules that decide which numbers are codes
//! ([`extract`]), the fast chunk scanner ([`scan`]) and the parallel reader ([`pipeline`]), the counts
//! they produce ([`tally`]), the [`report`] computed from them, and its renderers ([`render`]). The
//! binary adds the command line ([`cli`], resolved by [`config`]) and the exit codes ([`exit`]).

pub mod analyze;
pub mod annotate;
pub mod archive;
pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod exit;
pub mod extract;
pub mod gate;
pub mod gzip;
pub mod histogram;
pub mod input;
#[cfg(unix)]
pub mod mapped;
pub mod merge;
pub mod output;
pub mod pipeline;
pub mod platform;
pub mod render;
pub mod report;
pub mod scan;
pub mod synth;
pub mod tally;
pub mod timestamp;
pub mod unknown;
pub mod utf16;
pub mod watch;
