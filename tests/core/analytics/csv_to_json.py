#!/usr/bin/env python3
"""Reads a CSV file with Python's csv module (the reference parser of the
analytics tests) and writes its rows as a JSON array of arrays of strings.

usage: csv_to_json.py IN.csv OUT.json
A leading UTF-8 BOM is accepted (utf-8-sig); strict mode refuses malformed
quoting instead of guessing.
"""
import csv
import json
import sys

with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f, strict=True))
with open(sys.argv[2], "w", encoding="utf-8") as out:
    json.dump(rows, out, ensure_ascii=False)
