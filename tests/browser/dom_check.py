#!/usr/bin/env python3
"""Checks the DOM that headless Chromium dumped after loading jmlog's HTML report.

Usage: dom_check.py DOM_FILE

Prints one line per assertion, `ok: …` or `FAIL: …`, and exits with the number of failures
(capped at 100). Reading the DOM *after* the browser parsed the page is the point: an escaping bug
shows up as an element or attribute that exists, not as a string that looks suspicious.
"""

import sys
from html.parser import HTMLParser

# Markup that the hostile log lines try to inject, and that must come out as text.
HOSTILE_TEXTS = [
    'login failed code=801004 <script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "<script>document.title='pwned'</script>",
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">",
    "<svg onload=alert(2)>",
    "<b>bold<\\b>.log",  # a file name
]

# Elements that load or run something; none may exist in the report.
ACTIVE_ELEMENTS = {"script", "img", "iframe", "object", "embed", "link", "frame", "base", "form",
                   "video", "audio", "source", "image", "foreignobject", "use"}


class Dom(HTMLParser):
    """Collects what the assertions look at: elements, attributes, and the text under each id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (tag, attrs dict) in document order
        self.stack = []  # open tags, with their id
        self.text_by_id = {}  # id -> text inside the element with that id
        self.title = ""
        self.all_text = []
        self.styles = ""
        self.style_count = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "style":
            self.style_count += 1
        if tag in VOID:
            return
        self.stack.append((tag, attrs.get("id")))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "style":
            self.styles += data
            return
        self.all_text.append(data)
        # The page's title, not the <title> of an SVG chart.
        if [t for t, _ in self.stack] == ["html", "head", "title"]:
            self.title += data
        for _, element_id in self.stack:
            if element_id:
                self.text_by_id[element_id] = self.text_by_id.get(element_id, "") + data


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        raw = f.read()
    dom = Dom()
    dom.feed(raw)
    text = "".join(dom.all_text)
    failures = 0

    def check(ok, what):
        nonlocal failures
        print(("ok: " if ok else "FAIL: ") + what)
        if not ok:
            failures += 1

    tags = [t for t, _ in dom.tags]
    ids = {a.get("id") for _, a in dom.tags if a.get("id")}

    check(dom.title.startswith("jmlog report"), f"the page title is jmlog's ({dom.title!r})")
    check(any(t == "h1" for t in tags) and "jmlog report" in text, "the heading is there")
    csp = [a for t, a in dom.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    check(len(csp) == 1 and csp[0].get("content", "").startswith("default-src 'none'"),
          "a Content-Security-Policy of default-src 'none' is set")

    for chart in ["chart-modules", "chart-histogram", "chart-top-codes"]:
        svg = [a for t, a in dom.tags if t == "svg" and a.get("id") == chart]
        check(len(svg) == 1 and svg[0].get("role") == "img" and svg[0].get("aria-label"),
              f"the {chart} SVG is there with role=img and an aria-label")
    rects = sum(1 for t, _ in dom.tags if t == "rect")
    check(rects > 20, f"the charts draw bars ({rects} rects)")
    check("login" in dom.text_by_id.get("chart-modules", ""), "the module chart labels login")
    check("2026-11-05 Thu" in dom.text_by_id.get("chart-histogram", ""),
          "the histogram labels the hostile log's day")

    check("code-801004" in ids, "the codes table has a row for 801004")
    row = dom.text_by_id.get("code-801004", "")
    check("801004" in row and "login" in row and "Login failed" in row,
          "the 801004 row shows its module and meaning")
    check("unknown-codes" in ids and "inputs" in ids, "the unknown-codes and inputs sections are there")
    check("hostile.log" in dom.text_by_id.get("inputs", ""), "the inputs table lists hostile.log")

    for tag in sorted(ACTIVE_ELEMENTS):
        n = tags.count(tag)
        check(n == 0, f"no <{tag}> element in the DOM (found {n})")
    check("b" not in tags, "no <b> element from a file name")
    handlers = sorted({k for _, a in dom.tags for k in a if k.startswith("on")})
    check(not handlers, f"no event-handler attributes ({', '.join(handlers) or 'none'})")
    sources = [(t, k, v) for t, a in dom.tags for k, v in a.items()
               if k in ("src", "srcset", "data", "action", "formaction", "xlink:href", "poster")]
    check(not sources, f"no resource attributes ({sources[:3]})")
    hrefs = [a["href"] for _, a in dom.tags if a.get("href") is not None]
    check(all(h.startswith("#") for h in hrefs), "every link stays within the page")
    # Log lines may mention URLs as text; a URL in an attribute or a stylesheet would be fetched.
    urls = [(t, k, v) for t, a in dom.tags for k, v in a.items()
            if v and ("http:" in v or "https:" in v or v.startswith("//"))]
    check(not urls, f"no URL in any attribute ({urls[:3]})")
    check(dom.style_count >= 1 and not any(s in dom.styles for s in ("url(", "@import", "http")),
          "the inline stylesheet loads nothing")
    check("pwned" not in dom.title and not any("data-pwned" in a for _, a in dom.tags),
          "no injected script ran (title and body untouched)")

    for hostile in HOSTILE_TEXTS:
        check(hostile in text, f"the hostile text {hostile!r} is shown as text")
    check("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in raw
          or '&lt;script&gt;alert("x")&lt;/script&gt;' in raw,
          "the hostile text is escaped in the serialized DOM")
    check("\x1b" not in raw and "\u202e" not in raw,
          "no raw ANSI escape or bidi override reaches the page")
    check("\\u{1b}[31m" in text and "\\u{202e}" in text,
          "ANSI escapes and bidi overrides are shown as visible escapes")

    return min(failures, 100)


if __name__ == "__main__":
    sys.exit(main())
