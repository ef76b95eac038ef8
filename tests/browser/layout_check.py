#!/usr/bin/env python3
"""Measures jmlog's HTML report as headless Chromium lays it out, on a phone and on a desktop.

Usage: layout_check.py CHROMIUM REPORT_HTML SCREENSHOT_DIR [NAME]

Drives Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: no port, no
websocket library), so that it needs only Python's standard library. For each viewport — 390×844
and 360×740 with mobile emulation (phones), and 1280×900 (a desktop) — it loads the page, measures it, and
saves a screenshot of the page as SCREENSHOT_DIR/NAME-WIDTH.png (NAME defaults to `report`). The page itself runs no script
(its Content-Security-Policy forbids it); the measuring runs from the DevTools side.

Prints one line per assertion, `ok: …` or `FAIL: …`, and exits with the number of failures (capped
at 100), or 100 when Chromium could not be driven at all.
"""

import base64
import fcntl
import json
import os
import subprocess
import sys
import tempfile
import time

VIEWPORTS = [
    # (name, width, height, device scale factor, mobile)
    ("phone", 390, 844, 2, True),
    ("small phone", 360, 740, 2, True),
    ("desktop", 1280, 900, 1, False),
]

# The smallest chart text a reader can still make out, in CSS pixels as drawn.
MIN_CHART_TEXT = 8.0

# The tallest a row of the codes table may be, in CSS pixels: its longest example is 1 KiB.
MAX_ROW = 600

# Taller screenshots are cut here: enough to see every section of the test report.
MAX_SHOT_HEIGHT = 7000

MEASURE = r"""
(() => {
  const doc = document.documentElement;
  let minFont = Infinity, minWhere = "";
  for (const svg of document.querySelectorAll("svg.chart")) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) continue;  // the drawing for the other screen size
    const scale = box.width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll("text")) {
      const size = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (size < minFont) {
        minFont = size;
        minWhere = svg.id + ": " + t.textContent.slice(0, 40);
      }
    }
  }
  const tables = [];
  for (const table of document.querySelectorAll("table")) {
    const card = table.closest("section");
    const cs = getComputedStyle(card);
    const cardBox = card.getBoundingClientRect();
    const inner = cardBox.width - parseFloat(cs.borderLeftWidth) - parseFloat(cs.borderRightWidth)
      - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const box = table.getBoundingClientRect();
    let overflowing = 0;
    for (const cell of table.querySelectorAll("td")) {
      if (cell.scrollWidth > cell.clientWidth + 1) overflowing++;
    }
    tables.push({ section: card.id, width: box.width, card: inner,
                  right: box.right - (cardBox.right - parseFloat(cs.paddingRight)),
                  overflowing });
  }
  // Slanted axis labels of the histogram: neighbours must be further apart, measured across the
  // slant, than the text is high.
  let labelGap = Infinity;
  const axisLabels = [...document.querySelectorAll("#chart-histogram text[transform]")];
  for (let i = 1; i < axisLabels.length; i++) {
    const dx = axisLabels[i].x.baseVal[0].value - axisLabels[i - 1].x.baseVal[0].value;
    const size = parseFloat(getComputedStyle(axisLabels[i]).fontSize);
    labelGap = Math.min(labelGap, dx * Math.sin(40 * Math.PI / 180) / size);
  }
  let tallestRow = 0;
  for (const tr of document.querySelectorAll("#codes tbody tr")) {
    tallestRow = Math.max(tallestRow, tr.getBoundingClientRect().height);
  }
  return JSON.stringify({
    viewport: doc.clientWidth, pageWidth: doc.scrollWidth, pageHeight: doc.scrollHeight,
    minFont, minWhere, tables, tallestRow, labelGap, axisLabels: axisLabels.length,
    headerText: (document.querySelector("header dl.meta") || {}).textContent || "",
  });
})()
"""


class Browser:
    """Chromium with the DevTools protocol on file descriptors 3 (its input) and 4 (its output)."""

    def __init__(self, chromium, profile):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        # Chromium's ends, moved above 4 so that putting them at 3 and 4 in the child cannot
        # overwrite one with the other.
        for name in ("to_child_r", "from_child_w"):
            fd = locals()[name]
            high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
            os.close(fd)
            if name == "to_child_r":
                to_child_r = high
            else:
                from_child_w = high

        def fds():
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-extensions", "--hide-scrollbars",
             "--user-data-dir=" + profile, "--remote-debugging-pipe", "about:blank"],
            close_fds=False, preexec_fn=fds,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self.receive(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def receive(self, deadline):
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_event(self, method, session, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == session:
                    del self.events[i]
                    return event
            self.events.append(self.receive(deadline))

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:  # noqa: BLE001 - closing a browser that is already gone is fine
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main():
    chromium, html, shots = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    name = sys.argv[4] if len(sys.argv) > 4 else "report"
    failures = 0

    def check(ok, what):
        nonlocal failures
        print(("ok: " if ok else "FAIL: ") + what)
        if not ok:
            failures += 1

    with tempfile.TemporaryDirectory(prefix="jmlog-layout.") as profile:
        browser = Browser(chromium, profile)
        try:
            target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.send("Target.attachToTarget",
                                   {"targetId": target, "flatten": True})["sessionId"]
            browser.send("Page.enable", session=session)
            for _device, width, height, scale, mobile in VIEWPORTS:
                browser.send("Emulation.setDeviceMetricsOverride",
                             {"width": width, "height": height, "deviceScaleFactor": scale,
                              "mobile": mobile}, session=session)
                browser.send("Emulation.setTouchEmulationEnabled", {"enabled": mobile},
                             session=session)
                browser.send("Page.navigate", {"url": "file://" + html}, session=session)
                browser.wait_event("Page.loadEventFired", session)
                result = browser.send("Runtime.evaluate",
                                      {"expression": MEASURE, "returnByValue": True},
                                      session=session)
                m = json.loads(result["result"]["value"])
                where = f"{name} at {width} px"
                check(m["pageWidth"] <= m["viewport"],
                      f"{where}: the page is no wider than the viewport "
                      f"({m['pageWidth']} ≤ {m['viewport']} px)")
                check(m["minFont"] >= MIN_CHART_TEXT,
                      f"{where}: the smallest chart text is {m['minFont']:.1f} px "
                      f"(≥ {MIN_CHART_TEXT}; {m['minWhere']!r})")
                wide = [t for t in m["tables"] if t["width"] > t["card"] + 1 or t["right"] > 1]
                check(m["tables"] and not wide,
                      f"{where}: no table is wider than its card "
                      f"({len(m['tables'])} tables; too wide: {wide[:3]})")
                spilling = sum(t["overflowing"] for t in m["tables"])
                check(spilling == 0, f"{where}: no table cell's content spills out of it "
                                     f"({spilling} do)")
                # Text squeezed into a narrow column wraps a letter a line: rows over 1,000 px.
                check(m["tallestRow"] < MAX_ROW,
                      f"{where}: the tallest row of the codes table is {m['tallestRow']:.0f} px "
                      f"(< {MAX_ROW}: long lines wrap at sensible points)")
                check(m["axisLabels"] > 1 and m["labelGap"] >= 1.2,
                      f"{where}: the histogram's {m['axisLabels']} axis labels do not overlap "
                      f"(gap {m['labelGap']:.2f} times their height, ≥ 1.2)")
                check(all(k in m["headerText"] for k in ("Generated", "jmlog", "Window", "Inputs")),
                      f"{where}: the header says when, by what, the window and the inputs")

                metrics = browser.send("Page.getLayoutMetrics", session=session)
                size = metrics["cssContentSize"]
                clip = {"x": 0, "y": 0, "width": size["width"],
                        "height": min(size["height"], MAX_SHOT_HEIGHT), "scale": 1}
                shot = browser.send("Page.captureScreenshot",
                                    {"format": "png", "clip": clip, "captureBeyondViewport": True},
                                    session=session)
                png = os.path.join(shots, f"{name}-{width}.png")
                with open(png, "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
                check(os.path.getsize(png) > 20000,
                      f"{where}: a screenshot of the page ({os.path.getsize(png)} bytes)")
                print(f"screenshot: {png}")
        except Exception as e:  # noqa: BLE001 - any failure to drive the browser is reported
            print(f"FAIL: could not drive Chromium over the DevTools protocol: {e}")
            return 100
        finally:
            browser.close()
    return min(failures, 100)


if __name__ == "__main__":
    sys.exit(main())
