//! jmlog's integration tests: one test binary that runs the real `jmlog` executable.

mod analyze;
mod catalog;
mod chunking;
mod corpus;
mod inputs;
mod reports;
mod stream;
mod time;
mod util;
