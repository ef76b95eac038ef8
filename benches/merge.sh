#!/usr/bin/env bash
# `jmlog merge` at fleet scale, and the memory a report takes to load.
#
#   benches/merge.sh              # 10,000 shard reports, a ~100 MB report
#   JMLOG_MERGE_SHARDS=200 JMLOG_REPORT_MB=5 benches/merge.sh     # a quick check that it works
#
# 1. Fleet: JMLOG_MERGE_SHARDS hosts (default 10000), each with a day of logs (`jmlog synth`, 32 KiB,
#    its days spread over four weeks), each analysed alone into a report with an hourly histogram,
#    as a fleet's shards would be. Then `jmlog merge` of all the reports, timed, with its peak memory;
#    and the merged report compared byte for byte with one run over all the logs.
# 2. Loading: a report of about JMLOG_REPORT_MB megabytes (default 100: hundreds of thousands of
#    distinct unknown codes with their examples, and an hourly histogram), loaded as a --baseline
#    of a one-line log; the peak memory is set beside the report's size.
#
# Environment: JMLOG (the binary; default: build target/release/jmlog), JMLOG_BENCH_DIR (where the
# data goes, default target/bench-data/merge; reports already generated are reused).
# Needs GNU time (/usr/bin/time) and awk.
set -euo pipefail
cd "$(dirname "$0")/.."

shards=${JMLOG_MERGE_SHARDS:-10000}
report_mb=${JMLOG_REPORT_MB:-100}
data=${JMLOG_BENCH_DIR:-target/bench-data/merge}
say() { printf '\n== %s\n' "$*" >&2; }

if [ -z "${JMLOG:-}" ]; then
  say "building jmlog (release)"
  cargo build --release --locked --quiet
  JMLOG=$PWD/target/release/jmlog
fi
[ -x /usr/bin/time ] || { echo "please install GNU time (/usr/bin/time)" >&2; exit 1; }
export JMLOG

# --- 1. fleet ------------------------------------------------------------------------------------
fleet=$data/fleet-$shards
mkdir -p "$fleet/logs" "$fleet/reports"
if [ ! -e "$fleet/done" ]; then
  say "generating $shards shard logs and their reports (not timed)"
  seq -f '%05g' 1 "$shards" | xargs -P "$(nproc)" -n 50 bash -c '
    for i in "$@"; do
      day=$(printf %02d $(( (10#$i % 28) + 1 )))
      "$JMLOG" synth --bytes 32768 --seed "$((10#$i))" | sed "s/11-26/11-$day/g; s/2026-11-26/2026-11-$day/g" \
        > "$0/logs/host$i.log"
      "$JMLOG" analyze -q -f json --by hour --tz UTC --year 2026 "$0/logs/host$i.log" \
        -o "$0/reports/host$i.json"
    done' "$fleet"
  touch "$fleet/done"
fi
say "jmlog merge of $shards reports ($(du -sh "$fleet/reports" | cut -f1))"
/usr/bin/time -f "merge: %e s wall, %M KB peak RSS" \
  "$JMLOG" merge -f json -o "$fleet/merged.json" "$fleet"/reports/host*.json
say "one run over the same $shards logs"
/usr/bin/time -f "one run: %e s wall, %M KB peak RSS" \
  "$JMLOG" analyze -q -f json --by hour --tz UTC --year 2026 -o "$fleet/one.json" "$fleet"/logs/host*.log
if cmp -s "$fleet/merged.json" "$fleet/one.json"; then
  echo "merged report == one run's report ($(stat -c %s "$fleet/one.json") bytes)"
else
  echo "MERGED REPORT DIFFERS FROM ONE RUN'S" >&2
  exit 1
fi

# --- 2. loading a large report -------------------------------------------------------------------
big=$data/report-${report_mb}mb
mkdir -p "$big"
if [ ! -s "$big/report.json" ]; then
  say "generating a report of about $report_mb MB (not timed)"
  # About 230 bytes of JSON per distinct unknown code; spread over 60 days of hours.
  codes=$((report_mb * 1000000 / 230))
  awk -v n="$codes" 'BEGIN {
    for (i = 0; i < n; i++) {
      h = i % 1440
      printf "2026-%02d-%02dT%02d:17:00Z E JIGUANG-JMessage: request %d failed, code = %d\n",
        10 + int(h / 720), 1 + int(h % 720 / 24), h % 24, i, 7000000 + i
      if (i % 10 == 0) printf "2026-10-01T00:00:00Z E login failed, code = 801004\n"
    }
  }' > "$big/unknown.log"
  "$JMLOG" analyze -q -f json --by hour --tz UTC -o "$big/report.json" "$big/unknown.log"
  rm "$big/unknown.log"
fi
printf '2026-11-20T10:00:00Z E login failed, code = 801004\n' > "$big/one.log"
size_kb=$(( $(stat -c %s "$big/report.json") / 1024 ))
say "loading a $((size_kb / 1024)) MiB report as a --baseline"
/usr/bin/time -f "%M" -o "$big/rss-without" "$JMLOG" analyze -q "$big/one.log" >/dev/null
/usr/bin/time -f "%M" -o "$big/rss" "$JMLOG" analyze -q --baseline "$big/report.json" "$big/one.log" >/dev/null
rss_kb=$(cat "$big/rss"); without_kb=$(cat "$big/rss-without")
echo "report: $size_kb KB; peak RSS with it as a baseline: $rss_kb KB, without: $without_kb KB;" \
  "loading took $(awk -v r="$rss_kb" -v w="$without_kb" -v s="$size_kb" 'BEGIN { printf "%.2f", (r - w) / s }')x its size"
