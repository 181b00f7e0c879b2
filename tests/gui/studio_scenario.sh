#!/usr/bin/env bash
# The studio's main flow as a real window under Xvfb: an author types a post
# with a patient's name and room number, sees the findings, fixes them,
# schedules across a DST gap and submits; an approver signs in, finds the
# post in the inbox (and no approve button on their own post) and approves.
# The studio runs the scenario itself (--scenario) and reports each check;
# this script checks that report and the post's state in the store.
# Usage: studio_scenario.sh CLEARPOST CLEARPOSTCTL SCREENSHOT_DIR
set -euo pipefail
studio=$1 ctl=$2 shots=$3
source "$(dirname "${BASH_SOURCE[0]}")/studio_common.sh"
CLEARPOST_NEW_PASSWORD="bob has a long password" "$ctl" --db "$db" --as ada user add bob --role approver >/dev/null
"$ctl" --db "$db" --as ada account add x harborclinics >/dev/null
# Waiting for bob already: one post with a warning, and one he wrote himself.
"$ctl" --db "$db" --as ada post new --text "Our flu shots are a miracle for busy families: Saturday 9 to noon." \
  --target bluesky:clinic.example >/dev/null
"$ctl" --db "$db" --as ada post submit 1 >/dev/null
CLEARPOST_PASSWORD="bob has a long password" "$ctl" --db "$db" --as bob post new \
  --text "Free blood pressure checks in the lobby all week." --target x:harborclinics >/dev/null
CLEARPOST_PASSWORD="bob has a long password" "$ctl" --db "$db" --as bob post submit 2 >/dev/null

mkdir -p "$shots"
report=$work/report.txt
# Inside the X session: run the studio and take each screenshot it asks for
# ("shot FILE" in its report) with a grab of the whole screen.
cat > "$work/inside.sh" <<INSIDE
set -u
"$studio" --db "$db" --as alice --approver bob --scenario "$report" --screenshots "$shots" &
pid=\$!
while kill -0 \$pid 2>/dev/null; do
  for shot in \$(sed -n 's/^shot //p' "$report" 2>/dev/null); do
    if [ ! -s "$shots/\$shot" ]; then
      import -window root "$shots/\$shot.tmp.png" && mv "$shots/\$shot.tmp.png" "$shots/\$shot"
    fi
  done
  sleep 0.1
done
wait \$pid
INSIDE
status=0
CLEARPOST_PASSWORD="alice has a long password" CLEARPOST_APPROVER_PASSWORD="bob has a long password" \
  timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" bash "$work/inside.sh" || status=$?

cat "$report" 2>/dev/null || true
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$status" -eq 0 ] || fail "the studio exited with status $status"
[ -s "$report" ] || fail "the studio wrote no report"
! grep -q "^FAIL" "$report" || fail "the scenario reported failures"
grep -q "^scenario passed$" "$report" || fail "the scenario did not finish"
post=$(sed -n 's/^post \([0-9]*\) approved$/\1/p' "$report")
[ -n "$post" ] || fail "the report names no approved post"
"$ctl" --db "$db" --as ada --json post show "$post" > "$work/post.json"
grep -q '"state": *"Approved"' "$work/post.json" || fail "post $post is not Approved in the store: $(cat "$work/post.json")"
grep -q '"text": *"Get well soon to our patient after her knee surgery! Visiting hours are 9 to 5."' "$work/post.json" \
  || fail "the stored text is not the fixed text"
for shot in composer inbox dashboard; do
  colours=$(identify -format %k "$shots/$shot.png")
  [ "$colours" -gt 16 ] || fail "the $shot screenshot is nearly blank ($colours colours)"
done
echo "studio scenario passed: post $post approved; screenshots in $shots"
