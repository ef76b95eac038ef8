#!/usr/bin/env bash
# jmlog against the tools users would otherwise use, timed in one run on this machine.
#
#   benches/compare.sh            # 1 GiB of generated logs, a 4 GiB stream for peak memory
#
# Environment: JMLOG_BENCH_GIB (size of the file, default 1), JMLOG_STREAM_GIB (size of the stdin
# stream whose peak memory is measured, default 4), JMLOG_BENCH_DIR (where the data goes, default
# target/bench-data), JMLOG_BENCH_RUNS (runs per command, default 5).
#
# It installs what it is missing: hyperfine, GNU time and gzip from Debian's packages (when root),
# and a current ripgrep from crates.io into target/bench-tools (Debian's is older and slower).
set -euo pipefail
cd "$(dirname "$0")/.."

gib=${JMLOG_BENCH_GIB:-1}
stream_gib=${JMLOG_STREAM_GIB:-4}
data=${JMLOG_BENCH_DIR:-target/bench-data}
runs=${JMLOG_BENCH_RUNS:-5}
tools=target/bench-tools
mkdir -p "$data" "$tools"

say() { printf '\n== %s\n' "$*" >&2; }

# --- tools ---------------------------------------------------------------------------------------
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
command -v gzip >/dev/null || missing+=(gzip)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "please install: ${missing[*]}" >&2; exit 1
  fi
fi
rg_bin=$tools/bin/rg
if [ ! -x "$rg_bin" ]; then
  say "installing ripgrep from crates.io (once)"
  cargo install --quiet --locked --root "$tools" ripgrep
fi

say "building jmlog (release)"
cargo build --release --locked --quiet
jmlog=$PWD/target/release/jmlog

# --- data ----------------------------------------------------------------------------------------
bytes=$((gib << 30))
file=$data/logs-${gib}g.log
if [ ! -s "$file" ] || [ "$(stat -c %s "$file")" -lt "$bytes" ]; then
  say "generating $gib GiB of logs"
  "$jmlog" synth --bytes "$bytes" --seed 42 > "$file"
fi
if [ ! -s "$file.gz" ] || [ "$file.gz" -ot "$file" ]; then
  say "compressing it with gzip -6"
  gzip -c -6 "$file" > "$file.gz"
fi
say "warming the page cache"
cat "$file" "$file.gz" > /dev/null
cat "$file" "$file.gz" > /dev/null

# --- timings -------------------------------------------------------------------------------------
say "timing ($runs runs each)"
rg_pipeline="$rg_bin -o -w '8[0-9]{5}' $file | sort | uniq -c > /dev/null"
hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$data/results.json" \
  -n "cat" "cat $file > /dev/null" \
  -n "ripgrep pipeline" "$rg_pipeline" \
  -n "jmlog, 1 thread" "$jmlog analyze -q -j1 $file > /dev/null" \
  -n "jmlog" "$jmlog analyze -q $file > /dev/null" \
  -n "jmlog --by day" "$jmlog analyze -q --by day --tz UTC $file > /dev/null" \
  -n "gzip -dc" "gzip -dc $file.gz > /dev/null" \
  -n "jmlog on .gz" "$jmlog analyze -q $file.gz > /dev/null" >&2

# --- memory of a stream --------------------------------------------------------------------------
say "peak memory of a $stream_gib GiB stream on stdin"
peak_kb=$( { "$jmlog" synth --bytes $((stream_gib << 30)) --seed 7 \
  | /usr/bin/time -f '%M' "$jmlog" analyze -q - > /dev/null; } 2>&1 | tail -n 1)

# --- summary -------------------------------------------------------------------------------------
python3 - "$data/results.json" "$bytes" "$peak_kb" "$stream_gib" "$(nproc)" <<'PY'
import json, sys
results, size, peak_kb, stream_gib, cpus = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
t = {r["command"]: r["median"] for r in json.load(open(results))["results"]}
gib = size / 2**30
def rate(name): return f"{gib / t[name]:.2f} GiB/s"
rows = [
    ("cat FILE > /dev/null", "cat", ""),
    ("rg -o -w '8[0-9]{5}' | sort | uniq -c", "ripgrep pipeline", ""),
    ("jmlog analyze -j1", "jmlog, 1 thread", ""),
    (f"jmlog analyze ({cpus} threads)", "jmlog", ""),
    ("jmlog analyze --by day", "jmlog --by day", ""),
    ("gzip -dc FILE.gz > /dev/null", "gzip -dc", ""),
    ("jmlog analyze FILE.gz", "jmlog on .gz", ""),
]
print(f"\n{gib:g} GiB of generated logs, page-cached, {cpus} CPUs; median of the runs\n")
print("| command | time | throughput |")
print("|---|---|---|")
for label, name, _ in rows:
    print(f"| `{label}` | {t[name]:.3f} s | {rate(name)} |")
print()
print("| ratio | value | target |")
print("|---|---|---|")
print(f"| ripgrep pipeline / jmlog | {t['ripgrep pipeline'] / t['jmlog']:.1f}x faster | >= 5x |")
print(f"| jmlog / cat | {t['jmlog'] / t['cat']:.2f}x the time of cat | <= 2x |")
print(f"| jmlog, 1 thread | {gib / t['jmlog, 1 thread']:.2f} GiB/s | >= 1.5 GB/s |")
print(f"| scaling, 1 thread -> {cpus} | {t['jmlog, 1 thread'] / t['jmlog']:.2f}x | close to {cpus}x |")
print(f"| jmlog --by day / jmlog | {t['jmlog --by day'] / t['jmlog']:.2f}x the time | <= 1.1x |")
print(f"| jmlog on .gz / gzip -dc | {t['jmlog on .gz'] / t['gzip -dc']:.2f}x the time | <= 1.2x |")
print(f"| peak memory, {stream_gib} GiB on stdin | {peak_kb / 1024:.1f} MiB | <= 64 MB |")
PY
