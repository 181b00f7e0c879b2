#!/usr/bin/env bash
# Clearpost's compliance engine next to two npm PII redactors
# (@openredaction/openredaction and redact-pii) on one labelled corpus:
# throughput and the evaluator's accuracy figures, in one table.
#
#   bench/compare_redactors.sh CORPUS_DIR EVALUATOR [BUILD_DIR]
#
# CORPUS_DIR holds posts.jsonl and org.json (the labelled corpus format);
# EVALUATOR is the scoring script (`EVALUATOR CORPUS.jsonl RESULTS.jsonl
# --json`); BUILD_DIR is a release build with clearpostctl and
# bench_compliance (default: build/release). Needs node and npm; the
# redactors are installed from bench/redactors/package-lock.json on first
# use. MAX_SECONDS (default 60) caps each redactor's throughput run; slow
# ones are measured over the part of the 10 MB they get through.
#
# A benchmark, not a test: nothing registers it with ctest.

set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 CORPUS_DIR EVALUATOR [BUILD_DIR]" >&2
  exit 2
fi
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$(cd "$1" && pwd)"
evaluator="$2"
build="${3:-$source_dir/build/release}"
max_seconds="${MAX_SECONDS:-60}"

for f in "$corpus/posts.jsonl" "$corpus/org.json" "$evaluator" "$build/cli/clearpostctl" "$build/bench/bench_compliance"; do
  if [[ ! -e "$f" ]]; then
    echo "missing $f (build clearpostctl and bench_compliance in a release build, or pass its folder)" >&2
    exit 1
  fi
done
command -v node >/dev/null || { echo "node is needed for the redactors (apt-get install nodejs npm)" >&2; exit 1; }

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "Clearpost: checking the corpus and measuring throughput..." >&2
# Exit status 1 means a malformed line, which the evaluator reports too.
"$build/cli/clearpostctl" check --org "$corpus/org.json" --jsonl "$corpus/posts.jsonl" \
  --assets "$source_dir/assets" >"$out/clearpost.jsonl" || [[ $? -eq 1 ]]
"$build/bench/bench_compliance" "$source_dir/assets" "$corpus/org.json" "$corpus/posts.jsonl" >"$out/bench.txt"
cat "$out/bench.txt" >&2

redactors="$source_dir/bench/redactors"
if [[ ! -d "$redactors/node_modules" ]]; then
  echo "Installing the redactors from package-lock.json..." >&2
  (cd "$redactors" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
echo "Redactors: detecting and measuring throughput (up to ${max_seconds}s each)..." >&2
node "$redactors/run_redactors.js" "$corpus" "$out" --mb 10 --max-seconds "$max_seconds" >"$out/redactors.txt"

for engine in clearpost openredaction openredaction-hipaa redact-pii; do
  python3 "$evaluator" "$corpus/posts.jsonl" "$out/$engine.jsonl" --json >"$out/$engine.eval.json"
done

python3 - "$out" <<'EOF'
import json, re, sys
out = sys.argv[1]
speed = {}
bench = open(f"{out}/bench.txt").read()
m = re.search(r"throughput: ([0-9.]+) MB/s wall, ([0-9.]+) MB per CPU second \(\d+ posts, ([0-9.]+) MB", bench)
speed["clearpost"] = (float(m.group(1)), float(m.group(3))) if m else (float("nan"), 0.0)
lat = re.search(r"p50 ([0-9.]+) us, p99 ([0-9.]+) us", bench)
for line in open(f"{out}/redactors.txt"):
    r = json.loads(line)
    speed[r["engine"]] = (r["mb_per_s"], r["mb"])
names = {"clearpost": "Clearpost", "openredaction": "openredaction (all patterns)",
         "openredaction-hipaa": "openredaction (hipaa preset)", "redact-pii": "redact-pii"}
cols = ["recall_strict", "false_alarm_strict", "recall_lenient", "false_alarm_lenient", "span_recall"]
print(f"{'engine':<30} {'MB/s':>8} {'MB run':>7} " + " ".join(f"{c:>19}" for c in cols))
for engine, label in names.items():
    e = json.load(open(f"{out}/{engine}.eval.json"))
    mbps, mb = speed[engine]
    print(f"{label:<30} {mbps:>8.2f} {mb:>7.1f} " + " ".join(f"{e[c]:>19}" for c in cols))
if lat:
    print(f"\nClearpost 500-character post latency: p50 {lat.group(1)} us, p99 {lat.group(2)} us")
print("\nspan recall by kind:")
for engine, label in names.items():
    e = json.load(open(f"{out}/{engine}.eval.json"))
    print(f"  {label}: " + ", ".join(f"{k} {v}" for k, v in e["span_recall_by_kind"].items()))
EOF
