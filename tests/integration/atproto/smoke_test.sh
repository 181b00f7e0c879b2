#!/usr/bin/env bash
# Smoke test of the loopback Bluesky PDS harness (peer.sh), and of the PDS behaviour the
# Bluesky publisher relies on (see README.md). Exits 0 only when every check passed.
#
# Environment: everything peer.sh takes, plus
#   KEEP_WORKDIR=1   keep the work directory (logs, env, data) after the run
# The JavaScript snippets in single quotes are meant literally ($type is a JSON key):
# shellcheck disable=SC2016
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEER=$HERE/peer.sh
NODE=${NODE:-node}
export NO_PROXY="localhost,127.0.0.1,::1${NO_PROXY:+,$NO_PROXY}" no_proxy="localhost,127.0.0.1,::1${no_proxy:+,$no_proxy}"

PASSED=0
FAILED=0
T_ALL=$(date +%s%3N)
now_ms() { date +%s%3N; }
secs() { local ms=$(( $(now_ms) - $1 )); printf '%d.%03d' $((ms / 1000)) $((ms % 1000)); }

pass() { PASSED=$((PASSED + 1)); echo "  ok   $*"; }
fail() { FAILED=$((FAILED + 1)); echo "  FAIL $*" >&2; }
# check DESCRIPTION ACTUAL EXPECTED
check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected [$3], got [$2]"; fi; }
# check_match DESCRIPTION ACTUAL EXTENDED-REGEX
check_match() { if [[ $2 =~ $3 ]]; then pass "$1"; else fail "$1: [$2] does not match /$3/"; fi; }
fatal() { FAILED=$((FAILED + 1)); echo "  FAIL $* (cannot go on)" >&2; exit 1; }

step_t0=0
step() { step_t0=$(now_ms); echo "== $*"; }
done_step() { echo "   ($(secs "$step_t0") s)"; }

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/clearpost-atproto.XXXXXX")
cleanup() {
  local rc=$?
  set +e
  "$PEER" stop "$WORKDIR" >/dev/null 2>&1
  if [ "$rc" -ne 0 ] || [ "$FAILED" -ne 0 ]; then
    for log in plc.log pds.log; do
      [ -f "$WORKDIR/$log" ] && { echo "--- last lines of $log" >&2; tail -n 15 "$WORKDIR/$log" | cut -c1-600 >&2; }
    done
  fi
  if [ "${KEEP_WORKDIR:-0}" = 1 ]; then echo "work directory kept: $WORKDIR"; else rm -rf "$WORKDIR"; fi
  echo "total $(secs "$T_ALL") s"
  echo "$PASSED passed, $FAILED failed"
  [ "$rc" -eq 0 ] && [ "$FAILED" -ne 0 ] && rc=1
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PDS_URL=
STATUS=
BODY=
# xrpc METHOD NSID [curl args...] -> STATUS, BODY
xrpc() {
  local method=$1 nsid=$2 out
  shift 2
  out=$(curl -sS --noproxy '*' --max-time 60 -X "$method" -w '\n%{http_code}' "$PDS_URL/xrpc/$nsid" "$@") \
    || fatal "cannot reach $PDS_URL/xrpc/$nsid"
  STATUS=${out##*$'\n'}
  BODY=${out%$'\n'*}
}
# jget FIELD.PATH < JSON: strings raw, other values as JSON, "<missing>" when absent
jget() {
  "$NODE" -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      let v; try { v = JSON.parse(s) } catch { console.log("<not json>"); return }
      for (const k of process.argv[1].split(".")) v = v == null ? undefined : v[k]
      console.log(v === undefined ? "<missing>" : typeof v === "string" ? v : JSON.stringify(v))
    })' "$1"
}
# JSON text for a JS expression over the variables passed in as A0, A1...
js() { local expr=$1; shift; "$NODE" -e "const [A0, A1, A2, A3] = process.argv.slice(1); console.log(JSON.stringify($expr))" "$@"; }
auth() { echo "authorization: Bearer $JWT"; }
CT='content-type: application/json'

HANDLE=alice.test
PASSWORD="main-$("$NODE" -p 'require("crypto").randomBytes(8).toString("hex")')"

# ---------------------------------------------------------------------------------------
step "install (cached when the lock file is unchanged)"
NODE_MODULES=$("$PEER" install) || fatal "peer.sh install"
check "node_modules has @atproto/pds 0.4.217" \
  "$("$NODE" -p "require('$NODE_MODULES/@atproto/pds/package.json').version")" 0.4.217
done_step

step "start PLC + PDS on loopback"
PEER_EXIT_WITH_PID=$$ "$PEER" start "$WORKDIR" || fatal "peer.sh start"
PDS_URL=$(grep '^PDS_URL=' "$WORKDIR/env" | cut -d= -f2-)
check_match "env file has PDS_URL" "$PDS_URL" '^http://localhost:[0-9]+$'
for key in PLC_URL PDS_PID PLC_PID PDS_ADMIN_PASSWORD; do
  check_match "env file has $key" "$(grep "^$key=" "$WORKDIR/env" | cut -d= -f2-)" '.'
done
check "start refuses a second start in the same WORKDIR" \
  "$("$PEER" start "$WORKDIR" >/dev/null 2>&1 && echo started || echo refused)" refused
xrpc GET _health
check "GET /xrpc/_health" "$STATUS $(jget version <<<"$BODY")" "200 0.4.217"
done_step

step "account $HANDLE (admin-minted invite)"
ACCOUNT=$("$PEER" account "$WORKDIR" "$HANDLE" "$PASSWORD") || fatal "peer.sh account"
DID=$(jget did <<<"$ACCOUNT")
check_match "createAccount did" "$DID" '^did:plc:[a-z2-7]{24}$'
check "createAccount handle" "$(jget handle <<<"$ACCOUNT")" "$HANDLE"
done_step

step "createSession with a wrong password"
xrpc POST com.atproto.server.createSession -H "$CT" -d "$(js '{identifier: A0, password: "wrong"}' "$HANDLE")"
check "wrong password -> 401 AuthenticationRequired" "$STATUS $BODY" \
  '401 {"error":"AuthenticationRequired","message":"Invalid identifier or password"}'
done_step

step "app password + session with it"
APP_PASSWORD=$("$PEER" app-password "$WORKDIR" "$HANDLE" "$PASSWORD" clearpost-smoke) || fatal "peer.sh app-password"
check_match "app password format" "$APP_PASSWORD" '^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$'
xrpc POST com.atproto.server.createSession -H "$CT" -d "$(js '{identifier: A0, password: A1}' "$HANDLE" "$APP_PASSWORD")"
check "createSession with app password" "$STATUS" 200
JWT=$(jget accessJwt <<<"$BODY")
[ "$STATUS" = 200 ] || fatal "no session"
check "app-password token scope" \
  "$("$NODE" -p 'JSON.parse(Buffer.from(process.argv[1].split(".")[1], "base64url")).scope' "$JWT")" com.atproto.appPass
done_step

step "createRecord app.bsky.feed.post with a client-chosen rkey (a TID)"
# app.bsky.feed.post keys must be TIDs: 13 chars of base32-sortable, 53-bit microseconds + 10-bit clock id.
RKEY=$("$NODE" -e '
  const S = "234567abcdefghijklmnopqrstuvwxyz"
  let v = (BigInt(Date.now()) * 1000n << 10n) | 42n, s = ""
  for (let i = 0; i < 13; i++) { s = S[Number(v & 31n)] + s; v >>= 5n }
  console.log(s)')
CREATED_AT=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
POST_TEXT="Clearpost smoke test ✓ $RKEY"
RECORD=$(js '{repo: A0, collection: "app.bsky.feed.post", rkey: A1, record: {$type: "app.bsky.feed.post", text: A2, langs: ["en"], createdAt: A3}}' \
  "$DID" "$RKEY" "$POST_TEXT" "$CREATED_AT")
xrpc POST com.atproto.repo.createRecord -H "$(auth)" -H "$CT" -d "$RECORD"
check "createRecord -> 200" "$STATUS" 200
check "createRecord uri" "$(jget uri <<<"$BODY")" "at://$DID/app.bsky.feed.post/$RKEY"
check "createRecord validationStatus" "$(jget validationStatus <<<"$BODY")" valid
CID=$(jget cid <<<"$BODY")
check_match "createRecord cid" "$CID" '^bafyrei[a-z2-7]+$'
done_step

step "the same rkey again"
xrpc POST com.atproto.repo.createRecord -H "$(auth)" -H "$CT" -d "$RECORD"
echo "   createRecord, same rkey: HTTP $STATUS $BODY"
check "duplicate createRecord -> 500 InternalServerError (the PDS's answer; see README)" "$STATUS $BODY" \
  '500 {"error":"InternalServerError","message":"Internal Server Error"}'
PUT=$(js '{repo: A0, collection: "app.bsky.feed.post", rkey: A1, swapRecord: null, record: {$type: "app.bsky.feed.post", text: "overwrite?", createdAt: A2}}' \
  "$DID" "$RKEY" "$CREATED_AT")
xrpc POST com.atproto.repo.putRecord -H "$(auth)" -H "$CT" -d "$PUT"
echo "   putRecord swapRecord:null, same rkey: HTTP $STATUS $BODY"
check "create-only putRecord (swapRecord:null) -> 400 InvalidSwap" "$STATUS $BODY" \
  "400 {\"error\":\"InvalidSwap\",\"message\":\"Record was at $CID\"}"
BADKEY=$(js '{repo: A0, collection: "app.bsky.feed.post", rkey: "clearpost-job-1", record: {$type: "app.bsky.feed.post", text: "x", createdAt: A1}}' "$DID" "$CREATED_AT")
xrpc POST com.atproto.repo.createRecord -H "$(auth)" -H "$CT" -d "$BADKEY"
check "non-TID rkey for a post -> 400 InvalidRequest" "$STATUS $(jget error <<<"$BODY")" "400 InvalidRequest"
done_step

step "getRecord"
xrpc GET "com.atproto.repo.getRecord?repo=$DID&collection=app.bsky.feed.post&rkey=$RKEY"
check "getRecord -> 200" "$STATUS" 200
check "getRecord cid unchanged by the duplicate attempts" "$(jget cid <<<"$BODY")" "$CID"
check "getRecord text round-trips (UTF-8)" "$(jget value.text <<<"$BODY")" "$POST_TEXT"
check "getRecord createdAt" "$(jget value.createdAt <<<"$BODY")" "$CREATED_AT"
done_step

step "uploadBlob (8x8 PNG) and a post that embeds it"
PNG=$WORKDIR/smoke.png
"$NODE" -e '
  const zlib = require("zlib"), fs = require("fs")
  const crc = (b) => { let c = ~0; for (const x of b) { c ^= x; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)) } return ~c >>> 0 }
  const chunk = (t, d) => { const td = Buffer.concat([Buffer.from(t), d]), n = Buffer.alloc(4), c = Buffer.alloc(4)
    n.writeUInt32BE(d.length); c.writeUInt32BE(crc(td)); return Buffer.concat([n, td, c]) }
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(8, 0); ihdr.writeUInt32BE(8, 4); ihdr[8] = 8; ihdr[9] = 2
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(8).fill([0x1f, 0x6f, 0xb5]).flat())])
  fs.writeFileSync(process.argv[1], Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(Buffer.concat(Array(8).fill(row)))), chunk("IEND", Buffer.alloc(0))]))' "$PNG"
PNG_SIZE=$(stat -c %s "$PNG")
xrpc POST com.atproto.repo.uploadBlob -H "$(auth)" -H 'content-type: image/png' --data-binary @"$PNG"
echo "   uploadBlob: HTTP $STATUS $BODY"
check "uploadBlob -> 200" "$STATUS" 200
BLOB=$(jget blob <<<"$BODY")
check "blob \$type" "$(jget '$type' <<<"$BLOB")" blob
check "blob mimeType" "$(jget mimeType <<<"$BLOB")" image/png
check "blob size" "$(jget size <<<"$BLOB")" "$PNG_SIZE"
BLOB_CID=$(jget 'ref.$link' <<<"$BLOB")
check_match "blob ref.\$link" "$BLOB_CID" '^bafkrei[a-z2-7]+$'
IMG_POST=$(js '{repo: A0, collection: "app.bsky.feed.post", record: {$type: "app.bsky.feed.post", text: "with image", createdAt: A1,
  embed: {$type: "app.bsky.embed.images", images: [{alt: "blue square", image: JSON.parse(A2), aspectRatio: {width: 8, height: 8}}]}}}' \
  "$DID" "$CREATED_AT" "$BLOB")
xrpc POST com.atproto.repo.createRecord -H "$(auth)" -H "$CT" -d "$IMG_POST"
check "post with image embed -> 200 valid" "$STATUS $(jget validationStatus <<<"$BODY")" "200 valid"
IMG_RKEY=$(jget uri <<<"$BODY"); IMG_RKEY=${IMG_RKEY##*/}
curl -sS --noproxy '*' --max-time 30 -o "$WORKDIR/back.png" "$PDS_URL/xrpc/com.atproto.sync.getBlob?did=$DID&cid=$BLOB_CID" \
  || fatal "sync.getBlob"
check "sync.getBlob returns the same bytes" "$(cmp -s "$PNG" "$WORKDIR/back.png" && echo same || echo different)" same
done_step

step "limits and what a PDS without an AppView answers"
LONG=$(js '{repo: A0, collection: "app.bsky.feed.post", record: {$type: "app.bsky.feed.post", text: "a".repeat(301), createdAt: A1}}' "$DID" "$CREATED_AT")
xrpc POST com.atproto.repo.createRecord -H "$(auth)" -H "$CT" -d "$LONG"
check "301 graphemes -> 400" "$STATUS $BODY" \
  '400 {"error":"InvalidRequest","message":"Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text"}'
xrpc GET "app.bsky.actor.getProfile?actor=$DID" -H "$(auth)"
check "app.bsky.actor.getProfile -> 400 (no AppView)" "$STATUS $BODY" \
  '400 {"error":"InvalidRequest","message":"No service configured for app.bsky.actor.getProfile"}'
done_step

step "deleteRecord"
for key in "$RKEY" "$IMG_RKEY"; do
  xrpc POST com.atproto.repo.deleteRecord -H "$(auth)" -H "$CT" \
    -d "$(js '{repo: A0, collection: "app.bsky.feed.post", rkey: A1}' "$DID" "$key")"
  check "deleteRecord $key -> 200 with commit" "$STATUS $(jget commit.rev <<<"$BODY" | grep -qE '^[a-z2-7]{13}$' && echo rev)" "200 rev"
done
xrpc GET "com.atproto.repo.getRecord?repo=$DID&collection=app.bsky.feed.post&rkey=$RKEY"
check "getRecord after delete -> 400 RecordNotFound" "$STATUS $BODY" \
  "400 {\"error\":\"RecordNotFound\",\"message\":\"Could not locate record: at://$DID/app.bsky.feed.post/$RKEY\"}"
done_step

echo "   RSS KiB: pds=$(grep VmRSS "/proc/$(grep '^PDS_PID=' "$WORKDIR/env" | cut -d= -f2)/status" | tr -s ' ' | cut -d' ' -f2) plc=$(grep VmRSS "/proc/$(grep '^PLC_PID=' "$WORKDIR/env" | cut -d= -f2)/status" | tr -s ' ' | cut -d' ' -f2)"

step "stop"
PDS_PID=$(grep '^PDS_PID=' "$WORKDIR/env" | cut -d= -f2)
PLC_PID=$(grep '^PLC_PID=' "$WORKDIR/env" | cut -d= -f2)
"$PEER" stop "$WORKDIR" || fail "peer.sh stop"
# A process that has exited but not yet been reaped still answers kill -0: look at its cmdline.
running() { [ -n "$(tr -d '\0' <"/proc/$1/cmdline" 2>/dev/null)" ]; }
check "both servers gone" "$(running "$PDS_PID" || running "$PLC_PID" || echo gone)" gone
if "$PEER" stop "$WORKDIR"; then pass "second stop is a no-op"; else fail "second stop"; fi
done_step
