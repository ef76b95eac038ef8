//! jmlog's integration tests: one test binary that runs the real `jmlog` executable.

mod analyze;
mod archives;
mod catalog;
mod chunking;
mod cli;
mod corpus;
mod fuzz_regressions;
mod gates;
mod hostile;
mod input_edges;
mod inputs;
mod limits;
mod matrix;
mod merge;
mod oracle;
mod output;
mod platforms;
mod properties;
mod reports;
mod stdin_as;
mod stream;
mod terminal;
mod time;
mod util;
