//! jmlog finds JMessage (JiGuang IM) error codes in logs, says what they mean, and reports how often
//! they occur per module.
//!
//! The library holds everything but argument parsing: the built-in [`catalog`], the rules that decide
//! which numbers are codes ([`extract`]), the fast chunk scanner ([`scan`]) and the parallel reader
//! ([`pipeline`]), the counts they produce ([`tally`]), the [`report`] computed from them, and its
//! renderers ([`render`]).

pub mod catalog;
pub mod extract;
pub mod pipeline;
pub mod scan;
pub mod tally;
