#!/usr/bin/env bash
# The translation template the build makes: valid for gettext's tools, and
# holding strings from each page, the plural forms and the calendar's names.
# Usage: pot_test.sh CLEARPOST_POT
set -euo pipefail
pot=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -s "$pot" ] || fail "no template at $pot (build the clearpost_pot target)"
msgcat "$pot" > /dev/null || fail "gettext cannot read $pot"
for id in "&Pause all publishing..." "Approve" "Request &changes" "&Connect or reconnect..." "September" \
          "Saturday" "The chain is intact: all %lld entries verify, newest first."; do
  grep -qF "msgid \"$id\"" "$pot" || fail "missing: $id"
done
grep -qF 'msgid_plural "%zu posts in review for your role (%s), oldest first"' "$pot" || fail "plural forms are missing"
count=$(grep -c '^msgid "' "$pot")
[ "$count" -gt 200 ] || fail "only $count strings"
echo "translation template: $count strings"
