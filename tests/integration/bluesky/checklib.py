"""Checks for the Python parts of the Bluesky integration tests.

check() prints ok/FAIL lines like common.sh; done() writes "passed failed" to the
file named by $CHECK_COUNTS, which common.sh's pycheck adds to the shell's counts.
"""
import os
import sys

_counts = [0, 0]


def check(what, actual, expected):
    if actual == expected:
        _counts[0] += 1
        print(f"  ok   {what}", flush=True)
    else:
        _counts[1] += 1
        print(f"  FAIL {what}: expected {expected!r}, got {actual!r}", file=sys.stderr, flush=True)
    return actual == expected


def done():
    with open(os.environ["CHECK_COUNTS"], "w") as f:
        f.write(f"{_counts[0]} {_counts[1]}\n")
    sys.exit(1 if _counts[1] else 0)
