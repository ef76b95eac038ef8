//! `jmlog analyze`: scans every input and builds the report.

use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::ThreadPool;

use crate::catalog::Catalog;
use crate::extract::{Extractor, Mode};
use crate::pipeline::scan_reader;
use crate::report::{Report, ReportBuilder};

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanSettings {
    pub mode: Mode,
    pub threads: usize,
    pub chunk_size: usize,
}

/// Scans the inputs in order. An input that cannot be opened or read is recorded in the report with
/// its reason, and the others are still scanned.
pub fn analyze(paths: &[PathBuf], settings: &ScanSettings) -> anyhow::Result<Report> {
    let catalog = Catalog::builtin();
    let extractor = Arc::new(Extractor::new(catalog, settings.mode));
    let pool = thread_pool(settings.threads)?;
    let mut builder = ReportBuilder::new();
    for path in paths {
        let name = path.display().to_string();
        match File::open(path) {
            Ok(file) => builder.add_scanned(
                &name,
                scan_reader(file, &extractor, &pool, settings.chunk_size),
            ),
            Err(e) => builder.add_failed(&name, e.to_string()),
        }
    }
    Ok(builder.build(catalog, settings.mode == Mode::Loose))
}

fn thread_pool(threads: usize) -> anyhow::Result<ThreadPool> {
    Ok(rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("jmlog-scan-{i}"))
        .build()?)
}
