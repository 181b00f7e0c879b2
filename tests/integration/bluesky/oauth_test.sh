#!/usr/bin/env bash
# atproto OAuth against the reference PDS, the way an admin connects an
# account: clearpostctl account connect bluesky --browser resolves the handle,
# pushes the authorisation request (PAR) with PKCE and a DPoP proof, opens
# "the browser" (oauth_browser.js signs in and consents on the PDS's own
# page), checks the answer's iss and the token's sub, and seals the session
# with its DPoP key. A post then goes out with the DPoP-bound token, and
# disconnecting revokes the session at the PDS.
#
#   oauth_test.sh CLEARPOSTCTL PUBLISHERS_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

step "PDS with alice; Clearpost with an admin and an approver"
start_pds
pds_account alice.test
init_clearpost
# xdg-open is the person at the browser.
mkdir -p "$T/bin"
cat >"$T/bin/xdg-open" <<SH
#!/bin/sh
OAUTH_HANDLE=alice.test OAUTH_PASSWORD='${MAINPW[alice.test]}' node "$BSKY_HERE/oauth_browser.js" "\$1" >>"$T/browser.log" 2>&1 &
SH
chmod +x "$T/bin/xdg-open"
export PATH="$T/bin:$PATH"
done_step

step "account add, then connect through the browser"
as_ada account add bluesky alice.test --no-connect >/dev/null || fatal "account add"
OUT=$(as_ada account connect bluesky alice.test --service "$PDS_URL" --browser 2>"$T/connect.err") \
  || { cat "$T/connect.err" "$T/browser.log" >&2; fatal "account connect --browser"; }
check "connect says how" "$OUT" "Connected bluesky:alice.test through the browser"
check_match "the sign-in address was the PDS's, with a pushed request" "$(cat "$T/connect.err")" \
  "visit:.*localhost:[0-9]+/oauth/authorize\?client_id=http%3A%2F%2Flocalhost.*request_uri=urn"
as_ada --json account list >"$T/accounts.json"
check "the account is connected" "$(pyj '[a["status"] for a in d]' <"$T/accounts.json")" '["connected"]'
check "its token renews itself" "$(pyj '[a["token_renews"] for a in d]' <"$T/accounts.json")" '[true]'
check_match "its token's end is shown" "$(pyj 'd[0]["token_expires_at"]' <"$T/accounts.json")" '^20[0-9]{2}-'
done_step

step "a post goes out with the DPoP-bound token"
printf '%s' 'Signed in with atproto OAuth: flu clinic hours https://example.org/flu' >"$T/p1.txt"
P1=$(scheduled_post "$T/p1.txt" "$(due_now)" alice.test)
STATS=$(run_once) || fatal "run --once"
check "run: 1 published" "$(pyj '[d["published"], d["retrying"], d["failed"], d["needs_attention"]]' <<<"$STATS")" \
  '[1, 0, 0, 0]'
URI=$(as_ada --json post show "$P1" | pyj 'd["targets"][0]["remote_id"]')
check_match "the post is alice's" "$URI" "^at://${DID[alice.test]}/app\.bsky\.feed\.post/"
python3 "$PDSQ" get "$PDS_URL" "$URI" >"$T/record.json" || fatal "getRecord"
check "the PDS holds the text" "$(pyj 'd["value"]["text"]' <"$T/record.json")" "$(cat "$T/p1.txt")"
check "no token in the run log" "$(grep -c -E 'eyJ|BEGIN PRIVATE' "$RUNLOG" || true)" 0
done_step

step "disconnect revokes the session at the PDS"
OUT=$(as_ada account disconnect bluesky alice.test) || fatal "disconnect"
check "the PDS confirmed the revocation" "$OUT" "Disconnected bluesky:alice.test; the network revoked Clearpost's access."
done_step

step "the plugin renews a session with its single-use refresh token (oauth_session)"
if [ -z "${CLEARPOST_OAUTH_SESSION:-}" ]; then
  fail "CLEARPOST_OAUTH_SESSION names no oauth_session program (ctest sets it)"
else
  OUT=$("$CLEARPOST_OAUTH_SESSION" "$PDS_URL" alice.test "${MAINPW[alice.test]}" "$BSKY_HERE/oauth_browser.js" "$PLUGINS") \
    && pass "renewal, a post with the renewed token, the old refresh token refused" \
    || fail "oauth_session: $OUT"
  echo "$OUT" | sed 's/^/    /'
fi
done_step
