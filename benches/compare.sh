#!/usr/bin/env bash
# jmlog against the tools users would otherwise use, timed in one run on this machine, with the
# ratios against the project's goals.
#
#   benches/compare.sh            # 1 GiB of generated logs; 256 MiB of it compressed four ways
#
# Environment: JMLOG_BENCH_GIB (size of the plain file, default 1), JMLOG_BENCH_COMPRESSED_MIB (size
# of the text that is gzipped, zstd-, xz- and bzip2-compressed, default 256), JMLOG_STREAM_GIB (size
# of the stdin stream whose peak memory is measured, default 4), JMLOG_BENCH_DIR (where the data
# goes, default target/bench-data), JMLOG_BENCH_RUNS (runs per command, default 5; the slow
# decompressors get at least 3), JMLOG_BENCH_PREPARE=1 (install, build and generate, then stop).
#
# It installs what it is missing: hyperfine, GNU time, gzip, zstd, xz-utils, bzip2, python3-venv,
# and nasm and autotools for jmlog's ISA-L build, from Debian's packages (when root); a current
# ripgrep from crates.io into target/bench-tools (Debian's is older and slower); and igzip (PyPI's
# `isal`, ISA-L's own command line) into a virtual environment there.
set -euo pipefail
cd "$(dirname "$0")/.."

gib=${JMLOG_BENCH_GIB:-1}
zmib=${JMLOG_BENCH_COMPRESSED_MIB:-256}
stream_gib=${JMLOG_STREAM_GIB:-4}
data=${JMLOG_BENCH_DIR:-target/bench-data}
runs=${JMLOG_BENCH_RUNS:-5}
slow_runs=$((runs < 3 ? runs : 3))
tools=$PWD/target/bench-tools
mkdir -p "$data" "$tools"

say() { printf '\n== %s\n' "$*" >&2; }

# --- tools ---------------------------------------------------------------------------------------
missing=()
need() { command -v "$1" >/dev/null || missing+=("$2"); }
need hyperfine hyperfine
need gzip gzip
need zstd zstd
need xz xz-utils
need bzip2 bzip2
need nasm nasm
need autoreconf autoconf
need automake automake
need libtoolize libtool
[ -x /usr/bin/time ] || missing+=(time)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "please install: ${missing[*]}" >&2; exit 1
  fi
fi
rg_bin=$tools/bin/rg
if [ ! -x "$rg_bin" ]; then
  say "installing ripgrep from crates.io (once)"
  cargo install --quiet --locked --root "$tools" ripgrep
fi
igzip_py=$tools/venv/bin/python
if ! "$igzip_py" -c 'import isal' 2>/dev/null; then
  say "installing igzip (PyPI isal) into $tools/venv (once)"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet isal
fi

say "building jmlog (release, and release with the isal feature)"
cargo build --release --locked --quiet
cargo build --release --locked --quiet --features isal --target-dir target/isal
jmlog=$PWD/target/release/jmlog
jmlog_isal=$PWD/target/isal/release/jmlog

# --- data ----------------------------------------------------------------------------------------
bytes=$((gib << 30))
file=$data/logs-${gib}g.log
if [ ! -s "$file" ] || [ "$(stat -c %s "$file")" -lt "$bytes" ]; then
  say "generating $gib GiB of logs"
  "$jmlog" synth --bytes "$bytes" --seed 42 > "$file"
fi
zfile=$data/logs-${zmib}m.log
if [ ! -s "$zfile" ] || [ "$zfile" -ot "$file" ]; then
  say "generating ${zmib} MiB of logs to compress"
  "$jmlog" synth --bytes $((zmib << 20)) --seed 43 > "$zfile"
fi
compress() { # suffix, command…
  local out=$zfile.$1; shift
  if [ ! -s "$out" ] || [ "$out" -ot "$zfile" ]; then
    say "compressing with $*"
    "$@" < "$zfile" > "$out.tmp" && mv "$out.tmp" "$out"
  fi
}
compress gz gzip -c -6
compress zst zstd -q -c -3
# xz and bzip2 as their command lines write them by default (one xz block: no parallel decoding).
compress xz xz -c -6
compress bz2 bzip2 -c -9
[ "${JMLOG_BENCH_PREPARE:-0}" = 1 ] && { say "prepared"; exit 0; }

# The page cache holds a file in folios whose size depends on how the file got there, and `cat`'s
# speed depends on them more than jmlog's: a file just written sits in small folios; one read back
# from storage, on a kernel whose file system takes large folios (ext4 and XFS on Linux 6.x), in
# folios of up to 2 MiB, which `cat` copies two to three times as fast. So the 1 GiB file is timed
# in both states: first as written (the file is written again here), then read back.
say "writing the 1 GiB file again (page cache as written), warming the compressed files"
# (with its old time, which the compressed files are checked against).
"$jmlog" synth --bytes "$bytes" --seed 42 > "$file.new"
touch -r "$file" "$file.new" && mv "$file.new" "$file"
for _ in 1 2; do cat "$file" "$zfile".* > /dev/null; done

# --- timings -------------------------------------------------------------------------------------
say "timing ($runs runs each; $slow_runs for xz and bzip2)"
rg_pipeline="$rg_bin -o -w '8[0-9]{5}' $file | sort | uniq -c > /dev/null"
hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$data/plain.json" \
  -n "cat" "cat $file > /dev/null" \
  -n "wc -l" "wc -l $file > /dev/null" \
  -n "ripgrep pipeline" "$rg_pipeline" \
  -n "jmlog, 1 thread" "$jmlog analyze -q -j1 $file > /dev/null" \
  -n "jmlog" "$jmlog analyze -q $file > /dev/null" \
  -n "jmlog --by day" "$jmlog analyze -q --by day --tz UTC $file > /dev/null" \
  -n "jmlog annotate" "$jmlog annotate $file > /dev/null" >&2
hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$data/fast.json" \
  -n "gzip -dc" "gzip -dc $zfile.gz > /dev/null" \
  -n "igzip -dc" "$igzip_py -m isal.igzip -d -c $zfile.gz > /dev/null" \
  -n "jmlog on .gz (ISA-L)" "$jmlog_isal analyze -q $zfile.gz > /dev/null" \
  -n "jmlog on .gz (zlib-rs)" "$jmlog analyze -q $zfile.gz > /dev/null" \
  -n "zstd -dc" "zstd -q -dc $zfile.zst > /dev/null" \
  -n "jmlog on .zst" "$jmlog analyze -q $zfile.zst > /dev/null" >&2
hyperfine --style basic --warmup 1 --runs "$slow_runs" --export-json "$data/slow.json" \
  -n "xz -dc" "xz -dc $zfile.xz > /dev/null" \
  -n "jmlog on .xz" "$jmlog analyze -q $zfile.xz > /dev/null" \
  -n "bzip2 -dc" "bzip2 -dc $zfile.bz2 > /dev/null" \
  -n "jmlog on .bz2" "$jmlog analyze -q $zfile.bz2 > /dev/null" >&2

say "dropping the 1 GiB file from the page cache and reading it back"
sync "$file"
dd if="$file" iflag=nocache count=0 status=none
for _ in 1 2; do cat "$file" > /dev/null; done
hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$data/read-back.json" \
  -n "cat" "cat $file > /dev/null" \
  -n "jmlog, 1 thread" "$jmlog analyze -q -j1 $file > /dev/null" \
  -n "jmlog" "$jmlog analyze -q $file > /dev/null" \
  -n "jmlog --by day" "$jmlog analyze -q --by day --tz UTC $file > /dev/null" \
  -n "jmlog annotate" "$jmlog annotate $file > /dev/null" >&2

# --- memory of a stream --------------------------------------------------------------------------
say "peak memory of a $stream_gib GiB stream on stdin"
peak_kb=$( { "$jmlog" synth --bytes $((stream_gib << 30)) --seed 7 \
  | /usr/bin/time -f '%M' "$jmlog" analyze -q - > /dev/null; } 2>&1 | tail -n 1)

# --- summary -------------------------------------------------------------------------------------
python3 - "$data" "$bytes" "$zmib" "$peak_kb" "$stream_gib" "$(nproc)" <<'PY'
import json, sys
data, size, zmib, peak_kb, stream_gib, cpus = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
t = {}
for name in ("plain", "fast", "slow"):
    t.update({r["command"]: r["median"] for r in json.load(open(f"{data}/{name}.json"))["results"]})
gib = size / 2**30
zgib = zmib / 1024
def row(label, name, of):
    label = label.replace("|", "\\|")
    print(f"| `{label}` | {t[name]:.3f} s | {of / t[name]:.2f} GiB/s |")
print(f"\n{gib:g} GiB of generated logs (page cache as written) and {zmib} MiB of them compressed, page-cached, {cpus} CPUs; median of the runs\n")
print("| command | time | throughput (of text) |")
print("|---|---|---|")
row("cat FILE > /dev/null", "cat", gib)
row("wc -l FILE", "wc -l", gib)
row("rg -o -w '8[0-9]{5}' FILE | sort | uniq -c", "ripgrep pipeline", gib)
row("jmlog analyze -j1 FILE", "jmlog, 1 thread", gib)
row(f"jmlog analyze FILE ({cpus} threads)", "jmlog", gib)
row("jmlog analyze --by day FILE", "jmlog --by day", gib)
row("jmlog annotate FILE > /dev/null", "jmlog annotate", gib)
row("gzip -dc FILE.gz", "gzip -dc", zgib)
row("python -m isal.igzip -d -c FILE.gz", "igzip -dc", zgib)
row("jmlog analyze FILE.gz (isal feature)", "jmlog on .gz (ISA-L)", zgib)
row("jmlog analyze FILE.gz (default build)", "jmlog on .gz (zlib-rs)", zgib)
row("zstd -dc FILE.zst", "zstd -dc", zgib)
row("jmlog analyze FILE.zst", "jmlog on .zst", zgib)
row("xz -dc FILE.xz", "xz -dc", zgib)
row("jmlog analyze FILE.xz", "jmlog on .xz", zgib)
row("bzip2 -dc FILE.bz2", "bzip2 -dc", zgib)
row("jmlog analyze FILE.bz2", "jmlog on .bz2", zgib)

def ratio(label, value, goal, ok, unit="x"):
    verdict = "" if ok is None else ("met" if ok else "NOT met")
    print(f"| {label} | {value:.2f}{unit} | {goal} | {verdict} |")
print()
print("| ratio | measured | goal | |")
print("|---|---|---|---|")
r = t["jmlog"] / t["cat"]; ratio("jmlog analyze / cat", r, "<= 1.5x", r <= 1.5)
r = t["ripgrep pipeline"] / t["jmlog"]; ratio("ripgrep pipeline / jmlog analyze", r, ">= 8x faster", r >= 8)
r = t["jmlog annotate"] / t["cat"]; ratio("jmlog annotate / cat", r, "<= 4x", r <= 4)
r = t["jmlog --by day"] / t["jmlog"]; ratio("--by day / plain", r, "<= 1.1x", r <= 1.1)
r = t["jmlog on .gz (ISA-L)"] / t["igzip -dc"]; ratio("jmlog on .gz (isal feature) / igzip", r, "<= 1.15x", r <= 1.15)
r = t["jmlog on .gz (zlib-rs)"] / t["igzip -dc"]; ratio("jmlog on .gz (default build) / igzip", r, "(the goal is for the isal feature)", None)
r = t["jmlog on .zst"] / t["zstd -dc"]; ratio("jmlog on .zst / zstd -dc", r, "<= 1.1x", r <= 1.1)
r = t["jmlog on .xz"] / t["xz -dc"]; ratio("jmlog on .xz / xz -dc", r, "<= 1.1x", r <= 1.1)
r = t["jmlog on .bz2"] / t["bzip2 -dc"]; ratio("jmlog on .bz2 / bzip2 -dc", r, "<= 1.1x", r <= 1.1)
r = t["jmlog, 1 thread"] / t["jmlog"]; ratio(f"scaling, 1 thread -> {cpus}", r, f"close to {cpus}x", r >= 0.8 * int(cpus))
mib = peak_kb / 1024; ratio(f"peak memory, {stream_gib} GiB on stdin", mib, "<= 64 MB", mib * 2**20 <= 64e6, " MiB")

b = {r["command"]: r["median"] for r in json.load(open(f"{data}/read-back.json"))["results"]}
print(f"\nThe {gib:g} GiB file again, dropped from the page cache and read back (large folios where the kernel gives them)\n")
print("| command | time | throughput (of text) |")
print("|---|---|---|")
t = b
row("cat FILE > /dev/null", "cat", gib)
row("jmlog analyze -j1 FILE", "jmlog, 1 thread", gib)
row(f"jmlog analyze FILE ({cpus} threads)", "jmlog", gib)
row("jmlog analyze --by day FILE", "jmlog --by day", gib)
row("jmlog annotate FILE > /dev/null", "jmlog annotate", gib)
print()
print("| ratio | measured | goal | |")
print("|---|---|---|---|")
r = b["jmlog"] / b["cat"]; ratio("jmlog analyze / cat", r, "<= 1.5x", r <= 1.5)
r = b["jmlog annotate"] / b["cat"]; ratio("jmlog annotate / cat", r, "<= 4x", r <= 4)
r = b["jmlog --by day"] / b["jmlog"]; ratio("--by day / plain", r, "<= 1.1x", r <= 1.1)
PY
