//! Scan throughput on generated logs shaped like real ones (see `jmlog::synth`): the inner chunk
//! scanner alone, once per instruction set this CPU runs (AVX-512, AVX2, SSE2, portable), and the
//! whole parallel pipeline with one thread and with all threads.
//!
//! Run with `cargo bench --bench scan`. Set `JMLOG_BENCH_MB` to change the data size (default 128).

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jmlog::catalog::Catalog;
use jmlog::extract::{Extractor, Mode};
use jmlog::pipeline::{DEFAULT_CHUNK_SIZE, scan_reader};
use jmlog::scan::{Isa, scan_chunk_with};
use jmlog::tally::Tally;

fn data() -> Vec<u8> {
    let mb: u64 = std::env::var("JMLOG_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    let mut out = Vec::with_capacity((mb << 20) as usize + 4096);
    jmlog::synth::write_logs(&mut out, mb << 20, 42).expect("writing to memory");
    out
}

fn bench(c: &mut Criterion) {
    let data = data();
    let ex = Arc::new(Extractor::new(Catalog::builtin(), Mode::Strict));
    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);

    for isa in Isa::available() {
        group.bench_function(format!("chunk scanner, {}, 1 thread", isa.name()), |b| {
            b.iter(|| {
                let mut tally = Tally::default();
                scan_chunk_with(isa, &data, &ex, None, &mut tally);
                tally.code_lines
            })
        });
    }

    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in [1, cpus] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        group.bench_function(format!("pipeline, {threads} threads"), |b| {
            b.iter(|| {
                scan_reader(&data[..], &ex, &pool, DEFAULT_CHUNK_SIZE)
                    .tally
                    .code_lines
            })
        });
        if threads == cpus {
            break;
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
