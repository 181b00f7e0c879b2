#!/usr/bin/env bash
# Installs the SDK component into a temporary prefix, builds the example
# publisher as a separate project against it, and checks the host loads it.
# Catches packaging mistakes (a header not installed, a broken package file).
# Usage: installed_sdk_test.sh BUILD_DIR SOURCE_DIR CLEARPOSTCTL
set -euo pipefail
build=$1 source=$2 ctl=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --component sdk --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/clearpost/publisher.h"
test -f "$work/prefix/include/clearpost/publisher.hpp"
cmake -S "$source/publishers/example" -B "$work/example" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/example" >"$work/build.log" || { cat "$work/build.log"; exit 1; }
out=$(CLEARPOST_PUBLISHERS_DIR="$work/example" HOME="$work" XDG_DATA_HOME="$work/data" "$ctl" --json plugins list)
echo "$out" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
found = [p for p in doc["plugins"] if p["network"] == "webhook"]
assert found and found[0]["loaded"], doc
print("example publisher built against the installed SDK and loaded:", found[0]["path"])
'
