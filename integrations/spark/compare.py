"""Compares two jmlog JSON reports as values, ignoring only how inputs are named.

    python3 compare.py EXPECTED.json ACTUAL.json

Exit 0 when they are equal; otherwise prints the first differences and exits 1.
"""

import json
import sys


def unnamed(value):
    """The report without input names: `path` of inputs and of examples."""
    if isinstance(value, dict):
        return {k: unnamed(v) for k, v in value.items() if k != "path"}
    if isinstance(value, list):
        return [unnamed(v) for v in value]
    return value


def differences(a, b, where="$", out=None):
    out = [] if out is None else out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{where}.{k}: only in {'actual' if k in b else 'expected'}")
            else:
                differences(a[k], b[k], f"{where}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{where}: {len(a)} items expected, {len(b)} found")
        for i, (x, y) in enumerate(zip(a, b)):
            differences(x, y, f"{where}[{i}]", out)
    elif a != b:
        out.append(f"{where}: expected {json.dumps(a)[:200]}, found {json.dumps(b)[:200]}")
    return out


def main(expected_path, actual_path):
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    with open(actual_path, encoding="utf-8") as f:
        actual = json.load(f)
    found = differences(unnamed(expected), unnamed(actual))
    for line in found[:20]:
        print(f"  {line}")
    if not expected.get("codes"):
        print("  the expected report has no codes: nothing was compared")
        return 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
