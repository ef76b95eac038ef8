//! jmlog's integration tests: one test binary that runs the real `jmlog` executable.

mod analyze;
mod catalog;
mod chunking;
mod cli;
mod corpus;
mod fuzz_regressions;
mod hostile;
mod inputs;
mod matrix;
mod oracle;
mod platforms;
mod properties;
mod reports;
mod stream;
mod terminal;
mod time;
mod util;
