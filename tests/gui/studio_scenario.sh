#!/usr/bin/env bash
# The studio's main flow as a real window under Xvfb: an author types a post
# with a patient's name and room number, sees the findings, fixes them,
# schedules across a DST gap and submits; an approver signs in, finds the
# post in the inbox (and no approve button on their own post) and approves,
# which queues it; the queue, the emergency pause, the calendar and (for an
# admin) the audit log show it.
# The studio runs the scenario itself (--scenario) and reports each check;
# this script checks that report and the post's state in the store.
# Usage: studio_scenario.sh CLEARPOST CLEARPOSTCTL SCREENSHOT_DIR
set -euo pipefail
studio=$1 ctl=$2 shots=$3
source "$(dirname "${BASH_SOURCE[0]}")/studio_common.sh"
seed_scenario

mkdir -p "$shots"
report=$work/report.txt
status=0
CLEARPOST_ADMIN_PASSWORD=$CLEARPOST_PASSWORD CLEARPOST_PASSWORD="alice has a long password" \
  CLEARPOST_APPROVER_PASSWORD="bob has a long password" timeout 150 xvfb-run -a -s "-screen 0 1280x800x24" \
  bash "$(dirname "${BASH_SOURCE[0]}")/scenario_in_x.sh" "$studio" "$db" "$report" "$shots" || status=$?

cat "$report" 2>/dev/null || true
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$status" -eq 0 ] || fail "the studio exited with status $status"
[ -s "$report" ] || fail "the studio wrote no report"
! grep -q "^FAIL" "$report" || fail "the scenario reported failures"
grep -q "^scenario passed$" "$report" || fail "the scenario did not finish"
post=$(sed -n 's/^post \([0-9]*\) approved$/\1/p' "$report")
[ -n "$post" ] || fail "the report names no approved post"
"$ctl" --db "$db" --as ada --json post show "$post" > "$work/post.json"
# The approval completed the chain of a post with a time: it is queued.
grep -q '"state": *"Scheduled"' "$work/post.json" || fail "post $post is not Scheduled in the store: $(cat "$work/post.json")"
grep -q '"text": *"Get well soon to our patient after her knee surgery! Visiting hours are 9 to 5."' "$work/post.json" \
  || fail "the stored text is not the fixed text"
for shot in composer inbox queue queue-paused calendar audit accounts dashboard dashboard-history dashboard-followers; do
  colours=$(identify -format %k "$shots/$shot.png")
  [ "$colours" -gt 16 ] || fail "the $shot screenshot is nearly blank ($colours colours)"
done
echo "studio scenario passed: post $post approved; screenshots in $shots"
