//! jmlog's integration tests: one test binary that runs the real `jmlog` executable.

mod analyze;
mod catalog;
mod chunking;
mod corpus;
mod fuzz_regressions;
mod hostile;
mod inputs;
mod matrix;
mod oracle;
mod properties;
mod reports;
mod stream;
mod time;
mod util;
