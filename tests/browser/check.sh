#!/usr/bin/env bash
# The HTML report in a real browser: renders a report of hostile and sample logs with
# `jmlog analyze --format html`, loads it in headless Chromium, and checks the DOM the browser built
# (charts, the codes table, and that log text full of markup stayed text). Then it lays the page out
# on a phone (390×844, mobile emulation) and on a desktop (1280 px), checks that the page is no
# wider than the screen, that chart text stays at 8 px or more and that no table is wider than its
# card, and keeps a screenshot of each (in target/browser-check/, or $JMLOG_SCREENSHOTS).
#
# Run from the repository root: tests/browser/check.sh
# Installs Chromium with apt-get (without recommended packages) when it is missing and this runs
# as root.
# Exits 0 when every check passed, 1 when one failed, 2 when the check could not run.

set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

passed=0
failed=0
ok() {
    passed=$((passed + 1))
    echo "ok: $1"
}
fail() {
    failed=$((failed + 1))
    echo "FAIL: $1"
}
die() {
    echo "browser check: $1" >&2
    exit 2
}

# --- Chromium ---------------------------------------------------------------------------------
find_chromium() {
    for name in chromium chromium-browser google-chrome-stable google-chrome; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}
if ! chromium="$(find_chromium)"; then
    if [ "$(id -u)" -ne 0 ]; then
        die "Chromium is not installed, and installing it needs root: run 'apt-get install chromium' as root, or run this check as root"
    fi
    echo "browser check: installing Chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
    chromium="$(find_chromium)" || die "Chromium is still missing after apt-get install chromium"
fi
command -v python3 >/dev/null 2>&1 || die "python3 is needed to check the DOM"

# --- jmlog and the report ---------------------------------------------------------------------
cargo build --quiet
jmlog="$root/target/debug/jmlog"
"$jmlog" analyze --help | grep -q '\bhtml\b' ||
    die "'jmlog analyze --format html' is not available in this build"

work="$(mktemp -d "${TMPDIR:-/tmp}/jmlog-browser.XXXXXX")"
profile="$(mktemp -d "${TMPDIR:-/tmp}/jmlog-chromium.XXXXXX")"
trap 'rm -rf "$profile"' EXIT

# Log lines whose text tries to become markup, plus terminal escapes and a bidi override. Every
# line holds a code in a code context, so each becomes an example in the report.
esc=$'\x1b'
rlo=$'\u202e'
cat >"$work/hostile.log" <<EOF
2026-11-05 10:00:00.123 E/JIGUANG-JMessage: login failed code=801004 <script>alert("x")</script>
2026-11-05 10:01:00.000 E/JIGUANG-JMessage: send failed, error code: 803008 "><img src=x onerror=alert(1)>
2026-11-05 10:02:00.000 E/JIGUANG-JMessage: login failed code=801003 <script>document.title='pwned'</script>
2026-11-05 10:03:00.000 E/JIGUANG-JMessage: upload failed errorCode=871310 <img src=x onerror="document.body.setAttribute('data-pwned','1')">
2026-11-05 10:04:00.000 E/JIGUANG-JMessage: request failed, error code: 899999 <svg onload=alert(2)>
2026-11-05 10:05:00.000 E/JIGUANG-JMessage: login failed code=863006 ${esc}[31mred${esc}[0m ${rlo}gol.exe
EOF
# A file name is report text too.
cp "$work/hostile.log" "$work/<b>bold<\\b>.log"

html="$work/report.html"
status=0
"$jmlog" analyze --quiet --format html --by day --tz UTC --year 2026 -o "$html" \
    "$work/hostile.log" "$work/<b>bold<\\b>.log" sample-logs/*.log || status=$?
if [ "$status" -eq 0 ]; then ok "jmlog analyze --format html exits 0"; else fail "jmlog analyze --format html exits $status"; fi
if [ -s "$html" ]; then ok "the report is written to $html"; else die "no report at $html"; fi

# --- The browser ------------------------------------------------------------------------------
browser() {
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-extensions --hide-scrollbars --user-data-dir="$profile" \
        --virtual-time-budget=2000 "$@" 2>>"$work/chromium.log"
}

dom="$work/dom.html"
browser --dump-dom "file://$html" >"$dom" || die "Chromium failed to load the report (see $work/chromium.log)"
if [ -s "$dom" ]; then ok "Chromium dumps the DOM"; else die "Chromium dumped an empty DOM (see $work/chromium.log)"; fi

dom_status=0
dom_report="$(python3 "$here/dom_check.py" "$dom")" || dom_status=$?
echo "$dom_report"
passed=$((passed + $(grep -c '^ok: ' <<<"$dom_report" || true)))
failed=$((failed + $(grep -c '^FAIL: ' <<<"$dom_report" || true)))
if [ "$dom_status" -ne 0 ] && ! grep -q '^FAIL: ' <<<"$dom_report"; then
    fail "the DOM check itself failed (exit $dom_status)"
fi

shots="${JMLOG_SCREENSHOTS:-$root/target/browser-check}"
mkdir -p "$shots"
# The same logs by hour: hundreds of buckets, whose axis labels must not run into each other.
hourly="$work/hourly.html"
"$jmlog" analyze --quiet --format html --by hour --tz UTC --year 2026 -o "$hourly" sample-logs/*.log ||
    fail "jmlog analyze --format html --by hour exits $?"
for page in "report:$html" "hourly:$hourly"; do
    layout_status=0
    layout_report="$(python3 "$here/layout_check.py" "$chromium" "${page#*:}" "$shots" "${page%%:*}")" ||
        layout_status=$?
    echo "$layout_report"
    passed=$((passed + $(grep -c '^ok: ' <<<"$layout_report" || true)))
    failed=$((failed + $(grep -c '^FAIL: ' <<<"$layout_report" || true)))
    if [ "$layout_status" -ne 0 ] && ! grep -q '^FAIL: ' <<<"$layout_report"; then
        fail "the layout check of ${page%%:*} itself failed (exit $layout_status)"
    fi
done
for png in "$shots"/report-390.png "$shots"/report-1280.png "$shots"/hourly-390.png "$shots"/hourly-1280.png; do
    width="$(basename "$png" .png)"
    if [ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; then
        ok "the screenshot $width is a PNG ($(wc -c <"$png") bytes)"
    else
        fail "the screenshot $png is missing or not a PNG"
    fi
done

echo "screenshots: $shots"
echo "report: $html"
echo "browser check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
