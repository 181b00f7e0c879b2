#!/usr/bin/env bash
# The studio as a real window under Xvfb: it must open an existing database,
# sign in, show every post in its list, and render (screenshot checked).
# Usage: studio_smoke.sh CLEARPOST CLEARPOSTCTL SCREENSHOT_DIR
set -euo pipefail
studio=$1 ctl=$2 shots=$3
source "$(dirname "${BASH_SOURCE[0]}")/studio_common.sh"
command -v trayer >/dev/null || { echo "missing trayer: run installer/install-deps.sh" >&2; exit 1; }
"$ctl" --db "$db" --as ada post new --text "Flu shots this Saturday, 9 to noon" \
  --target bluesky:clinic.example --at "2030-11-02 09:00" >/dev/null
"$ctl" --db "$db" --as ada post new --text "Ünïcödé check: café ☕ and 🩺" >/dev/null
"$ctl" --db "$db" --as ada post submit 1 >/dev/null

mkdir -p "$shots"
rows=$work/rows.txt
cat > "$work/inside.sh" <<INSIDE
set -eu
# A status area (system tray) for the studio's icon.
trayer --edge bottom --align right --widthtype pixel --width 64 --height 24 &
tray=\$!
sleep 0.5
"$studio" --db "$db" --as ada --self-test "$rows" &
pid=\$!
for _ in \$(seq 1 300); do [ -s "$rows" ] && grep -q Publishing "$rows.tray" 2>/dev/null && break; sleep 0.1; done
sleep 0.5  # let the list paint after the data landed
import -window root "$shots/studio-main.png"
kill \$pid
wait \$pid || true
kill \$tray || true
INSIDE
xvfb-run -a -s "-screen 0 1280x800x24" bash "$work/inside.sh"

fail() { echo "FAIL: $*" >&2; cat "$rows" >&2 || true; exit 1; }
[ -s "$rows" ] || fail "the studio never showed its post list"
grep -q "^user ada admin$" "$rows" || fail "the signed-in user is not shown"
grep -q "InReview.*Flu shots this Saturday" "$rows" || fail "post 1 is missing or in the wrong state"
grep -q "2030-11-02 09:00 EDT" "$rows" || fail "post 1's local time is wrong"
grep -q "Draft.*café ☕ and 🩺" "$rows" || fail "post 2 (UTF-8) is missing"
[ "$(grep -c . "$rows")" -eq 3 ] || fail "expected exactly 2 post rows"
grep -q "^Clearpost: Publishing here" "$rows.tray" 2>/dev/null \
  || fail "the status-area icon does not say who publishes: $(cat "$rows.tray" 2>/dev/null)"
colours=$(identify -format %k "$shots/studio-main.png")
[ "$colours" -gt 16 ] || fail "the screenshot is nearly blank ($colours colours)"
echo "studio smoke test passed: 2 posts listed, screenshot with $colours colours in $shots/studio-main.png"
