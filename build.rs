//! Build-time checks of the compiler: the AVX-512 scanner is compiled only by a Rust that has the
//! AVX-512 intrinsics (1.89 or newer); older ones build the AVX2, SSE2 and portable scanners.

fn main() {
    autocfg::rerun_path("build.rs");
    autocfg::emit_possibility("jmlog_avx512");
    if autocfg::new().probe_rustc_version(1, 89) {
        autocfg::emit("jmlog_avx512");
    }
}
