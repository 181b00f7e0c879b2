#!/usr/bin/env bash
# One studio per person, under Xvfb: a second launch brings the running
# studio's window to the front and exits with status 0 instead of opening a
# second window; after the first studio is killed (its lock left behind), a
# new launch opens normally. A launch with a file (the desktop opening a
# calendar export) hands the file to the running studio, which imports it.
# Usage: single_instance.sh CLEARPOST CLEARPOSTCTL
set -euo pipefail
studio=$1 ctl=$2
source "$(dirname "${BASH_SOURCE[0]}")/studio_common.sh"

cat > "$work/inside.sh" <<INSIDE
set -u
"$studio" --db "$db" --as ada --self-test "$work/first.rows" 2> "$work/first.err" &
first=\$!
for _ in \$(seq 1 300); do [ -s "$work/first.rows" ] && break; sleep 0.1; done
timeout 30 "$studio" --db "$db" --as ada 2> "$work/second.err"
echo \$? > "$work/second.rc"
# Opening a file (as the desktop does with a calendar export) hands it to the running studio.
echo 'text,accounts' > "$work/plan.csv"
timeout 30 "$studio" --db "$db" --as ada "$work/plan.csv" 2> "$work/opened.err"
echo \$? > "$work/opened.rc"
sleep 0.5
# A crash leaves the lock: the next launch must not be turned away.
kill -9 \$first
wait \$first 2>/dev/null
"$studio" --db "$db" --as ada --self-test "$work/third.rows" 2> "$work/third.err" &
third=\$!
for _ in \$(seq 1 300); do [ -s "$work/third.rows" ] && break; sleep 0.1; done
kill \$third
wait \$third 2>/dev/null
exit 0
INSIDE
xvfb-run -a -s "-screen 0 1280x800x24" bash "$work/inside.sh"

fail() { echo "FAIL: $*" >&2; for f in first second third; do echo "--- $f:"; cat "$work/$f.err" 2>/dev/null; done >&2; exit 1; }
[ -s "$work/first.rows" ] || fail "the first studio never showed its window"
[ "$(cat "$work/second.rc")" = 0 ] || fail "the second launch exited with $(cat "$work/second.rc")"
grep -q "already open" "$work/second.err" || fail "the second launch did not say the studio is already open"
grep -q "Brought to the front by a second launch" "$work/first.err" || fail "the first studio was not asked to come to the front"
[ "$(cat "$work/opened.rc")" = 0 ] || fail "the launch with a file exited with $(cat "$work/opened.rc")"
grep -q "the file was passed to it" "$work/opened.err" || fail "the launch with a file did not hand it over"
grep -q "Opening $work/plan.csv to import" "$work/first.err" || fail "the running studio did not open the file to import"
[ -s "$work/third.rows" ] || fail "after a crash, a new launch did not open"
echo "single instance ok: a second launch raised the first and left; after a crash a new one opened"
