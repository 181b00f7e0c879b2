#!/usr/bin/env bash
# The reference PDS goes away while a post is due: the target waits in RetryWait
# with a clear error, and once the same PDS is back (same port and data) and the
# retry time has come, it is published exactly once. A wrong app password: every
# post of that account NeedsAttention, the account needs reauthorisation, one
# notice, and later runs do not try the password again.
#
#   outage_test.sh CLEARPOSTCTL PUBLISHERS_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# pino-http logs every request at info ("res" on the line that completes it, plus an error
# line for a failed one): createSession calls are counted there.
export PEER_LOG_LEVEL=info
sessions() { grep '"url":"/xrpc/com.atproto.server.createSession"' "$W/pds.log" | grep -c '"res":{"statusCode"' || true; }
post_json() { as_ada --json post show "$1"; }
iso_to_epoch() { date -u -d "$1" +%s; }

step "PDS with two accounts; Clearpost with an admin and an approver"
start_pds
pds_account erin.test
pds_account frank.test
init_clearpost
connect erin.test
done_step

step "a first post goes out (the session is stored)"
printf 'Outage test: first post, before the outage' >"$T/w0.txt"
W0=$(scheduled_post "$T/w0.txt" "$(due_now)" erin.test)
check "run: 1 published" "$(run_once | pyj 'd["published"]')" 1
check "first post Published" "$(post_json "$W0" | pyj 'd["targets"][0]["state"]')" Published
done_step

step "the PDS stops while a post is due: RetryWait with a clear error"
printf 'Outage test: due while the PDS is down 🔌' >"$T/p1.txt"
P1=$(scheduled_post "$T/p1.txt" "$(due_now)" erin.test)
"$PEER" stop-pds "$W" || fatal "peer.sh stop-pds"
curl -s --noproxy '*' --max-time 3 -o /dev/null "$PDS_URL/xrpc/_health" && fatal "the PDS still answers after stop-pds"
before=$(date +%s)
STATS=$(run_once) || fatal "run --once during the outage"
check "run during the outage: 1 claimed, 1 retrying" "$(pyj '[d["claimed"], d["retrying"], d["published"], d["failed"], d["needs_attention"]]' <<<"$STATS")" '[1, 1, 0, 0, 0]'
post_json "$P1" >"$T/p1-down.json"
check "target RetryWait" "$(pyj 'd["targets"][0]["state"]' <"$T/p1-down.json")" RetryWait
ERR=$(pyj 'd["targets"][0]["last_error"]' <"$T/p1-down.json")
echo "   last_error: $ERR"
check_match "last_error says the server could not be reached, and where" "$ERR" "connect.*|refused"
check_match "last_error names the PDS" "$ERR" "localhost:$(grep '^PDS_PORT=' "$W/env" | cut -d= -f2)"
check "one attempt recorded" "$(pyj 'd["targets"][0]["attempts"]' <"$T/p1-down.json")" 1
RETRY_AT=$(iso_to_epoch "$(pyj 'd["targets"][0]["scheduled_at"]' <"$T/p1-down.json")")
delay=$((RETRY_AT - before))
if [ "$delay" -ge 29 ] && [ "$delay" -le 40 ]; then pass "retry in 30-36 s (backoff with jitter): $delay s"; else fail "retry delay $delay s, expected 30-36"; fi
check "no notice for a passing outage" "$(as_ada --json notices | pyj 'len(d)')" 0
check "account still connected" "$(as_ada --json account list | pyj '[a["status"] for a in d if a["handle"] == "erin.test"]')" '["connected"]'
check "an immediate second run claims nothing (no retry storm)" "$(run_once | pyj 'd["claimed"]')" 0
done_step

step "the same PDS comes back (peer.sh restart: same port, data, secrets)"
"$PEER" restart "$W" || fatal "peer.sh restart"
check "PDS_URL unchanged" "$(grep '^PDS_URL=' "$W/env" | cut -d= -f2-)" "$PDS_URL"
login=$(curl -s --noproxy '*' --max-time 10 -H 'content-type: application/json' \
  -d "{\"identifier\":\"erin.test\",\"password\":\"${MAINPW[erin.test]}\"}" "$PDS_URL/xrpc/com.atproto.server.createSession")
check "the account still exists (createSession with its password)" "$(pyj 'd.get("did")' <<<"$login")" "${DID[erin.test]}"
check "the first post is still on the PDS" "$(python3 "$PDSQ" list "$PDS_URL" "${DID[erin.test]}" | pyj 'len(d)')" 1
check "before the retry time nothing is claimed" "$(run_once | pyj 'd["claimed"]')" 0
wait_s=$((RETRY_AT - $(date +%s) + 1))
echo "   waiting ${wait_s} s for the retry time"
[ "$wait_s" -gt 0 ] && sleep "$wait_s"
STATS=$(run_once) || fatal "run --once after the outage"
check "run after the outage: 1 published" "$(pyj '[d["claimed"], d["published"]]' <<<"$STATS")" '[1, 1]'
post_json "$P1" >"$T/p1-up.json"
check "target Published" "$(pyj 'd["targets"][0]["state"]' <"$T/p1-up.json")" Published
check "last_error cleared" "$(pyj 'd["targets"][0]["last_error"]' <"$T/p1-up.json")" ""
python3 "$PDSQ" list "$PDS_URL" "${DID[erin.test]}" >"$T/erin.json"
check "the post is on the PDS exactly once, at remote_id" \
  "$(python3 -c 'import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
print(json.dumps([r["uri"] for r in json.load(open(sys.argv[2], encoding="utf-8")) if r["value"]["text"] == text]))' \
    "$T/p1.txt" "$T/erin.json")" \
  "[\"$(pyj 'd["targets"][0]["remote_id"]' <"$T/p1-up.json")\"]"
check "2 records in all" "$(pyj 'len(d)' <"$T/erin.json")" 2
check "a later run publishes nothing" "$(run_once | pyj 'd["claimed"]')" 0
done_step

step "wrong app password: NeedsAttention, needs_reauthorization, one notice, no retry storm"
connect frank.test 'abcd-efgh-ijkl-mnop'
F=()
for i in 1 2 3; do
  printf 'Wrong password test: post %d' "$i" >"$T/f$i.txt"
  F+=("$(scheduled_post "$T/f$i.txt" "$(due_now)" frank.test)")
done
s0=$(sessions)
STATS=$(run_once) || fatal "run --once with a wrong password"
s1=$(sessions)
check "run: 3 claimed, 3 need attention" "$(pyj '[d["claimed"], d["needs_attention"], d["published"], d["retrying"]]' <<<"$STATS")" '[3, 3, 0, 0]'
for id in "${F[@]}"; do
  post_json "$id" >"$T/f-$id.json"
  check "post $id NeedsAttention" "$(pyj 'd["targets"][0]["state"]' <"$T/f-$id.json")" NeedsAttention
  check_match "post $id last_error says to reconnect" "$(pyj 'd["targets"][0]["last_error"]' <"$T/f-$id.json")" "reconnect"
done
echo "   last_error: $(pyj 'd["targets"][0]["last_error"]' <"$T/f-${F[0]}.json")"
check "account frank.test needs_reauthorization" \
  "$(as_ada --json account list | pyj '[a["status"] for a in d if a["handle"] == "frank.test"]')" '["needs_reauthorization"]'
as_ada --json notices >"$T/notices1.json"
check "exactly one notice, kind needs_reauthorization" "$(pyj '[n["kind"] for n in d]' <"$T/notices1.json")" '["needs_reauthorization"]'
check_match "the notice names the post, the account and what to do" "$(pyj 'd[0]["message"]' <"$T/notices1.json")" \
  "^Post ${F[0]}: bluesky:frank\.test .*reconnect"
echo "   notice: $(pyj 'd[0]["message"]' <"$T/notices1.json")"
echo "   createSession calls in that run: $((s1 - s0))"
if [ $((s1 - s0)) -ge 1 ] && [ $((s1 - s0)) -le 2 ]; then
  pass "the refused password was tried at most twice (sign-in, one refresh) for 3 posts"
else
  fail "createSession was called $((s1 - s0)) times for 3 posts of one refused account"
fi
check "erin.test unaffected" "$(as_ada --json account list | pyj '[a["status"] for a in d if a["handle"] == "erin.test"]')" '["connected"]'
check "a second run claims nothing" "$(run_once | pyj '[d["claimed"], d["needs_attention"]]')" '[0, 0]'
check "no createSession in the second run" "$(sessions)" "$s1"
as_ada --json notices >"$T/notices2.json"
check "notices unchanged" "$(cat "$T/notices2.json")" "$(cat "$T/notices1.json")"
check "states unchanged" "$(for id in "${F[@]}"; do post_json "$id" | pyj 'd["targets"][0]["state"]'; done | sort -u)" NeedsAttention
check "nothing of frank's on the PDS" "$(python3 "$PDSQ" list "$PDS_URL" "${DID[frank.test]}" | pyj 'len(d)')" 0
ctl audit verify >/dev/null && pass "audit verify" || fail "audit verify"
done_step
