#!/usr/bin/env bash
# Metrics of a post published to the reference PDS: bob likes, reposts, replies
# to and quotes alice's post on the PDS; Clearpost reads the counts through
# app.bsky.feed.getPosts from the AppView stand-in (appview_standin.py, which
# derives them from the PDS's records) and keeps every snapshot. The scheduled
# snapshots wait an hour after publishing; `metrics show --fetch` takes one now.
#
#   metrics_test.sh CLEARPOSTCTL PUBLISHERS_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

step "PDS with alice and bob, the AppView stand-in, Clearpost publishing as alice"
start_pds
pds_account alice.test
pds_account bob.test
init_clearpost
python3 "$BSKY_HERE/appview_standin.py" "$PDS_URL" "$T/appview.url" 2>>"$RUNLOG" &
BG_PIDS+=($!)
for _ in $(seq 1 50); do [ -s "$T/appview.url" ] && break; sleep 0.1; done
APPVIEW=$(cat "$T/appview.url")
SECRET=$("$PEER" app-password "$W" alice.test "${MAINPW[alice.test]}" clearpost) || fatal "app password"
as_ada account add bluesky alice.test >/dev/null || fatal "account add"
CLEARPOST_ACCOUNT_SECRET=$SECRET as_ada account connect bluesky alice.test --service "$PDS_URL" --appview "$APPVIEW" \
  >/dev/null || fatal "account connect"
printf '%s' 'Our new clinic opens Monday. #Community' >"$T/p.txt"
P=$(scheduled_post "$T/p.txt" "$(due_now)" alice.test)
STATS=$(run_once) || fatal "run --once"
check "published, no snapshot before the first hour" "$(pyj '[d["published"], d["metrics_snapshots"]]' <<<"$STATS")" '[1, 0]'
URI=$(as_ada --json post show "$P" | pyj 'd["targets"][0]["remote_id"]')
check "metrics show: no snapshot yet" "$(as_ada --json metrics show "$P" | pyj '[len(t["snapshots"]) for t in d]')" '[0]'
done_step

step "bob reacts on the PDS; a snapshot taken now counts it"
CID=$(python3 "$PDSQ" get "$PDS_URL" "$URI" | pyj 'd["cid"]')
BOB=(bob.test "${MAINPW[bob.test]}")
python3 "$PDSQ" create "$PDS_URL" "${BOB[@]}" app.bsky.feed.like "{\"subject\": {\"uri\": \"$URI\", \"cid\": \"$CID\"}}" >/dev/null
python3 "$PDSQ" create "$PDS_URL" "${BOB[@]}" app.bsky.feed.repost "{\"subject\": {\"uri\": \"$URI\", \"cid\": \"$CID\"}}" >/dev/null
python3 "$PDSQ" create "$PDS_URL" "${BOB[@]}" app.bsky.feed.post \
  "{\"text\": \"Congratulations!\", \"reply\": {\"root\": {\"uri\": \"$URI\", \"cid\": \"$CID\"}, \"parent\": {\"uri\": \"$URI\", \"cid\": \"$CID\"}}}" >/dev/null
python3 "$PDSQ" create "$PDS_URL" "${BOB[@]}" app.bsky.feed.post \
  "{\"text\": \"Worth reading\", \"embed\": {\"\$type\": \"app.bsky.embed.record\", \"record\": {\"uri\": \"$URI\", \"cid\": \"$CID\"}}}" >/dev/null
as_ada --json metrics show "$P" --fetch >"$T/m1.json" 2>>"$RUNLOG" || fatal "metrics show --fetch"
check "one snapshot with the four counts; bookmarks absent (not reported), not zero" \
  "$(pyj 'd[0]["snapshots"][-1]["metrics"]' <"$T/m1.json")" '{"likes": 1, "quotes": 1, "replies": 1, "reposts": 1}'
python3 "$PDSQ" create "$PDS_URL" alice.test "${MAINPW[alice.test]}" app.bsky.feed.like \
  "{\"subject\": {\"uri\": \"$URI\", \"cid\": \"$CID\"}}" >/dev/null
as_ada --json metrics show "$P" --fetch >"$T/m2.json" 2>>"$RUNLOG" || fatal "metrics show --fetch (2)"
check "a second snapshot is added, the first kept" \
  "$(pyj '[s["metrics"]["likes"] for s in d[0]["snapshots"]]' <"$T/m2.json")" '[1, 2]'
done_step

step "followers: bob follows alice on the PDS; the account's samples count it"
check "run --once sampled the account when it published" "$(pyj 'd["account_snapshots"]' <<<"$STATS")" 1
check "the daily sample: no follower yet, alice's post counted" \
  "$(as_ada --json metrics account bluesky alice.test | pyj 'd["samples"][0]["metrics"]')" \
  '{"followers": 0, "following": 0, "posts": 1}'
ALICE_DID=$(cut -d/ -f3 <<<"$URI")
python3 "$PDSQ" create "$PDS_URL" "${BOB[@]}" app.bsky.graph.follow \
  "{\"subject\": \"$ALICE_DID\", \"createdAt\": \"2026-01-01T00:00:00.000Z\"}" >/dev/null
check "a second run the same day takes no second sample" "$(run_once | pyj 'd["account_snapshots"]')" 0
check "a sample taken now counts bob; the first is kept" \
  "$(as_ada --json metrics account bluesky alice.test --fetch | pyj '[s["metrics"]["followers"] for s in d["samples"]]')" \
  '[0, 1]'
done_step

step "the AppView gone: a clear error, the history kept"
kill "${BG_PIDS[-1]}"; wait "${BG_PIDS[-1]}" 2>/dev/null || true
rc=0; as_ada metrics show "$P" --fetch >"$T/m3.out" 2>"$T/m3.err" || rc=$?
check "exit status 1" "$rc" 1
check_match "the error names what failed" "$(cat "$T/m3.err")" "reading post counts"
check "still two snapshots" "$(as_ada --json metrics show "$P" | pyj 'len(d[0]["snapshots"])')" 2
rc=0; as_ada metrics account bluesky alice.test --fetch >"$T/m4.out" 2>"$T/m4.err" || rc=$?
check "a sample now: exit status 1" "$rc" 1
check_match "the error names what failed" "$(cat "$T/m4.err")" "reading the profile"
check "still two samples" "$(as_ada --json metrics account bluesky alice.test | pyj 'len(d["samples"])')" 2
done_step
