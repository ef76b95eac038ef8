#!/usr/bin/env bash
# The Spark job and the xargs recipe of the README, each checked against one `jmlog analyze` run.
#
# Installs what it needs when it is missing: pyspark (>=4,<5) into a virtualenv cached in
# ~/.cache/jmlog-spark (JMLOG_SPARK_CACHE), and Java 17 from Debian packages. Runs Spark in local[2]
# bound to loopback, and checks with `ss` while it runs that nothing of it listens anywhere else.
# JMLOG=path/to/jmlog uses that binary instead of building the release one. JMLOG_SPARK_BIG_MB sets
# the size of the big file (default 300).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CACHE=${JMLOG_SPARK_CACHE:-$HOME/.cache/jmlog-spark}
BIG_MB=${JMLOG_SPARK_BIG_MB:-300}

die() { echo "spark test: $*" >&2; exit 1; }

if [ -z "${JMLOG:-}" ]; then
  cargo build --locked --release --quiet || die "cargo build failed"
  JMLOG=$ROOT/target/release/jmlog
fi
J=$JMLOG

if ! java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])'; then
  echo "== installing Java 17 (openjdk-17-jre-headless)"
  apt-get install -y --no-install-recommends openjdk-17-jre-headless >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y --no-install-recommends openjdk-17-jre-headless >/dev/null; } ||
    die "could not install Java 17"
fi
if ! "$CACHE/venv/bin/python" -c 'import sys, pyspark; sys.exit(pyspark.__version__.split(".")[0] != "4")' 2>/dev/null; then
  echo "== installing pyspark>=4,<5 into $CACHE/venv"
  rm -rf "$CACHE/venv"
  mkdir -p "$CACHE"
  python3 -m venv "$CACHE/venv" && "$CACHE/venv/bin/pip" install -q 'pyspark>=4,<5' ||
    die "could not install pyspark"
fi
export PATH="$CACHE/venv/bin:$PATH"
export SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON="$CACHE/venv/bin/python"

WORK=$(mktemp -d "$ROOT/target/spark-test.XXXXXX")
[ -n "${JMLOG_SPARK_KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { # check NAME COMMAND...: passes when the command succeeds
  local name=$1; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}

# ---------------------------------------------------------------- the data
mkdir -p tree/android tree/server tree/crlf tree/ios tree/logcat bin hosts
cp "$ROOT/sample-logs/android-threadtime.log" tree/android/app.log.10
cp "$ROOT/sample-logs/android-studio.log" tree/android/app.log.2
cp "$ROOT/sample-logs/java-server.log" tree/server/java-server.log
gzip -c "$ROOT/sample-logs/ios-console.log" > tree/ios/ios-console.log.gz
# gzip without a name that says so, larger than the small piece size below
for i in $(seq 20); do cat "$ROOT/sample-logs/flutter-crash.log"; done | gzip -c > tree/ios/rotated.1
# CRLF lines, a lone CR, bytes that are not UTF-8, no newline at the end
{ for i in $(seq 10); do sed 's/$/\r/' "$ROOT/sample-logs/rest-server.log"; done
  printf 'lone CR code=801004\rthen \xff\xfe code=803008 at the end'; } > tree/crlf/windows.log
# year-less logcat across New Year, last written on 2027-01-05: dated 2026-12-30 and 2027-01-02
for i in $(seq 200); do
  printf '12-30 10:00:%02d.000  100  200 E JIGUANG-JMessage: login failed, code = 801004\n' $((i % 60))
done > tree/logcat/newyear.log
for i in $(seq 200); do
  printf '01-02 10:00:%02d.000  100  200 E JIGUANG-JMessage: send failed, code = 803008\n' $((i % 60))
done >> tree/logcat/newyear.log
touch -d '2027-01-05 00:00:00 UTC' tree/logcat/newyear.log
printf 'hidden code=801004\n' > tree/.hidden.log
printf '\0\1binary code=801004\n' > bin/blob.dat
"$J" synth --bytes $((BIG_MB << 20)) --seed 7 > big.log || die "jmlog synth failed"
echo "== data: $(find tree -type f | wc -l) files in tree/, big.log $(($(stat -c %s big.log) >> 20)) MiB"

# ---------------------------------------------------------------- Spark runs
# spark NAME ARGS...: runs the job, stdout to NAME.out, stderr to NAME.err, exit code to NAME.rc;
# meanwhile samples `ss -ltnp` and records every socket of the job listening beyond loopback.
spark() {
  local name=$1; shift
  spark-submit --master 'local[2]' --driver-memory 2g \
    --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
    --conf spark.ui.enabled=true --conf spark.ui.port=0 \
    "$ROOT/integrations/spark/jmlog_spark.py" --jmlog "$J" "$@" > "$name.out" 2>> "$name.err" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    local pids
    pids=$(ps -e -o pid=,ppid= | awk -v root="$pid" '
      { parent[$1] = $2 } END {
        mine[root] = 1; changed = 1
        while (changed) { changed = 0; for (p in parent) if (!(p in mine) && (parent[p] in mine)) { mine[p] = 1; changed = 1 } }
        for (p in mine) printf "%s|", p }')
    ss -ltnpH 2>/dev/null | awk -v pids="|$pids" '
      { split($0, a, "pid="); for (i = 2; i in a; i++) { split(a[i], b, ","); if (index(pids, "|" b[1] "|")) print $4 } }' \
      >> "$name.listen"
    sleep 0.3
  done
  wait "$pid"
  echo $? > "$name.rc"
}

loopback_only() { # loopback_only NAME: the job listened, and only on loopback
  local name=$1
  sort -u "$name.listen" -o "$name.listen" 2>/dev/null || true
  if ! [ -s "$name.listen" ]; then echo "  no listening socket of the job was seen"; return 1; fi
  if grep -vE '^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]|\[::1\]):' "$name.listen"; then
    echo "  ^ listening beyond loopback"; return 1
  fi
}

same_json() { # same_json EXPECTED ACTUAL
  python3 "$ROOT/integrations/spark/compare.py" "$1" "$2"
}

same_code() { # same_code NAME EXPECTED
  local got; got=$(cat "$1.rc")
  [ "$got" = "$2" ] || { echo "  exit $got, expected $2"; sed -n '/Traceback\|jmlog/p' "$1.err" | tail -20; return 1; }
}

# 1. The tree by day in UTC, with a gate that trips: small pieces, so that the larger plain files
#    go through the piece path and the rest are read whole; reports merged three at a time.
"$J" analyze -q -f json --by day --tz UTC --max-total 0 tree > one-tree.json 2> /dev/null; one_rc=$?
JMLOG_SPARK_MERGE_GROUP=3 spark tree --piece-size 4096 -f json --by day --tz UTC --max-total 0 tree
check "tree --by day --tz UTC: exit code as one run ($one_rc)" same_code tree "$one_rc"
check "tree --by day --tz UTC: JSON report equals one run" same_json one-tree.json tree.out
check "tree: files cut into pieces and files read whole" \
  grep -qE 'jmlog_spark: [1-9][0-9]* files read whole, [1-9][0-9]* in pieces of up to 4096 bytes' tree.err
check "tree: year-less lines dated from the file's modification time" \
  grep -q '"label": "2026-12-30 Wed"' tree.out
check "tree: Spark listened on loopback only" loopback_only tree

# 2. A file of a few hundred MB, larger than the piece size, after the tree; a binary file found in
#    a directory (skipped: exit 2), and a file named a second time (counted once).
"$J" analyze -q -f json tree big.log bin tree/crlf/windows.log > one-big.json 2> /dev/null; one_rc=$?
spark big --piece-size $((32 << 20)) -f json tree big.log bin tree/crlf/windows.log
check "big file: exit code as one run ($one_rc)" same_code big "$one_rc"
check "big file ($BIG_MB MB in pieces of 32 MiB): JSON report equals one run" same_json one-big.json big.out
check "big file: read in pieces" grep -qE 'in pieces of up to 33554432 bytes' big.err
check "binary file: named on stderr as skipped" grep -q '^jmlog: bin/blob.dat: binary file, skipped' big.err
check "a file named twice: counted once" grep -q '"same_as": "tree/crlf/windows.log"' big.out
check "big file: Spark listened on loopback only" loopback_only big

# 3. A path that does not exist, with a gate and the Markdown report written with -o.
"$J" analyze -q -f markdown -o one-missing.md --fail-on module=login tree no/such/dir > /dev/null 2>&1; one_rc=$?
spark missing -f markdown -o missing.md --fail-on module=login tree no/such/dir
check "missing path: exit code 2 as one run ($one_rc)" same_code missing 2
check "missing path: named on stderr" grep -q '^jmlog: no/such/dir: No such file or directory' missing.err
check "missing path: Markdown report (-o) equals one run's, byte for byte" cmp one-missing.md missing.md

# ---------------------------------------------------------------- the xargs recipe
# Directories stand in for hosts; the commands are the README's, with `ssh HOST` left out.
# host3 holds a gzip file cut short: its shard exits 2, xargs 123, and the report names the file.
cp -r tree/android hosts/host1; cp -r tree/server hosts/host2; cp -r tree/logcat hosts/host10
mkdir hosts/host3 && head -c 300 tree/ios/rotated.1 > hosts/host3/cut.log.gz
printf '%s\n' host1 host2 host10 host3 > hosts.txt
(
  cd hosts && mkdir -p reports && export PATH="$(dirname "$J"):$PATH"
  xargs -P 4 -I{} sh -c 'jmlog analyze -q -f json --by day --tz UTC "$1"/ > "reports/$1.json"' sh {} < ../hosts.txt 2> /dev/null
  echo $? > ../xargs.rc
  jmlog merge -f json $(sed 's|.*|reports/&.json|' ../hosts.txt) > ../recipe.json 2> ../merge.err
  echo $? > ../merge.rc
)
( cd hosts && "$J" analyze -q -f json --by day --tz UTC host1/ host2/ host10/ host3/ > ../one-hosts.json 2> /dev/null )
check "xargs recipe: exit code 123 for a host with an unreadable input" grep -qx 123 xargs.rc
check "xargs recipe: merge exits 2 and names the unreadable input" \
  sh -c 'grep -qx 2 merge.rc && grep -q "host3/cut.log.gz" merge.err'
check "xargs recipe: the unreadable input is in the merged report" \
  grep -q '"path": "host3/cut.log.gz"' recipe.json
check "xargs recipe: merged report equals one run over the hosts' directories" same_json one-hosts.json recipe.json
check "xargs recipe: byte for byte" cmp one-hosts.json recipe.json

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
