#!/usr/bin/env bash
# One scheduled post with a target on each of the seven networks goes out
# through clearpostctl run: Bluesky on the reference PDS, the six others on
# the stand-ins of tests/publishers/<network>/ (built from each network's
# published API). Every account is connected as an admin would:
# clearpostctl app set for the organisation's registered apps, account add
# --connect and account connect --browser, with "the browser" signing in.
# Each target is tracked on its own.
#
#   all_networks_test.sh CLEARPOSTCTL PUBLISHERS_DIR
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/bluesky/common.sh"
STANDINS=$HERE/../publishers

# standin NAME: starts tests/publishers/NAME/standin.py, sets URL[NAME].
declare -A URL
standin() {
  local name=$1 out=$T/standin-$1.out
  python3 "$STANDINS/$name/standin.py" --port 0 >"$out" 2>"$T/standin-$name.err" &
  BG_PIDS+=($!)
  disown $!  # stopped with the others on exit, without the shell's "Killed" line
  for _ in $(seq 100); do grep -q '^port ' "$out" 2>/dev/null && break; sleep 0.1; done
  URL[$name]="http://127.0.0.1:$(sed -n 's/^port //p' "$out")"
  [ "${URL[$name]}" != "http://127.0.0.1:" ] || fatal "the $name stand-in did not start"
}
control() { curl -sS -f -X POST -H 'Content-Type: application/json' -d "$2" "${URL[$1]}/_standin/control" >/dev/null; }
state() { curl -sS -f "${URL[$1]}/_standin/state"; }

step "the PDS, six stand-ins and Clearpost"
start_pds
pds_account clinic.test
for n in mastodon x linkedin facebook instagram threads; do standin "$n"; done
control x '{"oauth": {"account": "1700000000000000001"}}'
control facebook '{"oauth": {"account": {"user": "u-1001"}}}'
init_clearpost
# The person at the browser: the PDS's own sign-in page for Bluesky, and
# the stand-ins' authorisation pages, which approve at once.
mkdir -p "$T/bin"
cat >"$T/bin/xdg-open" <<SH
#!/bin/sh
case "\$1" in
  *client_id=http%3A%2F%2Flocalhost*)
    OAUTH_HANDLE=clinic.test OAUTH_PASSWORD='${MAINPW[clinic.test]}' node "$BSKY_HERE/oauth_browser.js" "\$1" ;;
  *)
    back=\$(curl -sS -o /dev/null -w '%{redirect_url}' "\$1") && curl -sS -o /dev/null "\$back" ;;
esac >>"$T/browser.log" 2>&1 &
SH
chmod +x "$T/bin/xdg-open"
export PATH="$T/bin:$PATH"
done_step

step "the organisation's apps, then each account added and connected"
as_ada app set x --client-id clearpost-x-app --authorize-url "${URL[x]}/_oauth/authorize" \
  --token-url "${URL[x]}/_oauth/token" --api-url "${URL[x]}" >/dev/null || fatal "app set x"
as_ada app set linkedin --client-id app-1 --authorize-url "${URL[linkedin]}/_oauth/authorize" \
  --token-url "${URL[linkedin]}/_oauth/token" --api-url "${URL[linkedin]}" <<<"" >/dev/null 2>&1 \
  && fail "app set linkedin without a secret was accepted" || pass "linkedin refuses an app without its secret"
for n in linkedin facebook instagram threads; do
  api=${URL[$n]}
  [ "$n" = facebook ] && api=${URL[$n]}/v26.0
  CLEARPOST_APP_SECRET=app-secret as_ada app set "$n" --client-id "$([ "$n" = linkedin ] && echo app-1 || echo clearpost-app)" \
    --authorize-url "${URL[$n]}/_oauth/authorize" --token-url "${URL[$n]}/_oauth/token" --api-url "$api" >/dev/null \
    || fatal "app set $n"
done
as_ada account add bluesky clinic.test --no-connect >/dev/null || fatal "account add bluesky"
as_ada account connect bluesky clinic.test --service "$PDS_URL" --browser >/dev/null 2>>"$T/connect.err" \
  || fatal "connect bluesky: $(cat "$T/connect.err")"
as_ada account add mastodon @clinic@social.example --no-connect >/dev/null || fatal "account add mastodon"
as_ada account connect mastodon @clinic@social.example --service "${URL[mastodon]}" --browser >/dev/null 2>>"$T/connect.err" \
  || fatal "connect mastodon: $(cat "$T/connect.err")"
declare -A HANDLE=([x]=@clinic [linkedin]=riverside-clinic [facebook]="Riverside Clinic" [instagram]=clinic [threads]=clinic)
for n in x linkedin facebook instagram threads; do
  as_ada account add "$n" "${HANDLE[$n]}" --connect >"$T/add-$n.out" 2>>"$T/connect.err" \
    || fatal "account add $n --connect: $(cat "$T/connect.err")"
  check "$n: added and connected through the browser" "$(cat "$T/add-$n.out")" \
    "Added $n:${HANDLE[$n]}. Connected $n:${HANDLE[$n]} through the browser"
done
for n in instagram threads; do
  as_ada account media-host "$n" clinic --kind put --upload-url "${URL[$n]}/_media/" --public-url "${URL[$n]}/_media/" \
    >/dev/null || fatal "media-host $n"
done
as_ada --json account list >"$T/accounts.json"
check "all seven connected" "$(pyj 'sorted(a["network"] for a in d if a["status"] == "connected")' <"$T/accounts.json")" \
  '["bluesky", "facebook", "instagram", "linkedin", "mastodon", "threads", "x"]'
done_step

step "one post for all seven, with an image, approved and due now"
printf '%s' 'Flu shots this Saturday, 9 to 12, at the Riverside clinic. No appointment needed. #FluSeason' >"$T/post.txt"
cp "$HERE/../core/media/fixtures/plain.jpg" "$T/photo.jpg"
P=$(scheduled_post "$T/post.txt" "$(due_now)" clinic.test -- \
  --target "mastodon:@clinic@social.example" --target "x:@clinic" --target "linkedin:riverside-clinic" \
  --target "facebook:Riverside Clinic" --target "instagram:clinic" --target "threads:clinic" \
  --image "$T/photo.jpg" --alt "A nurse giving a flu shot")
done_step

step "clearpostctl run publishes every target once"
STATS=$(run_once) || fatal "run --once"
check "run: 7 claimed, 7 published" "$(pyj '[d["claimed"], d["published"], d["retrying"], d["failed"], d["needs_attention"]]' <<<"$STATS")" \
  '[7, 7, 0, 0, 0]'
as_ada --json post show "$P" >"$T/show.json"
check "each target Published with its own remote id" "$(python3 - "$T/accounts.json" "$T/show.json" <<'PY'
import json, sys
networks = {a["id"]: a["network"] for a in json.load(open(sys.argv[1]))}
targets = json.load(open(sys.argv[2]))["targets"]
print(json.dumps(sorted([networks[t["account_id"]], t["state"], bool(t["remote_id"]), t["last_error"]] for t in targets)))
PY
)" '[["bluesky", "Published", true, ""], ["facebook", "Published", true, ""], ["instagram", "Published", true, ""], ["linkedin", "Published", true, ""], ["mastodon", "Published", true, ""], ["threads", "Published", true, ""], ["x", "Published", true, ""]]'
check "a second run claims nothing" "$(run_once | pyj 'd["claimed"]')" 0
done_step

step "each network holds the post once, with the image"
check "mastodon: one status with one image" "$(state mastodon | pyj '[len(s["media_ids"]) for s in d["statuses"]]')" '[1]'
check "x: one post" "$(state x | pyj 'len(d["tweets"])')" 1
check "linkedin: one post" "$(state linkedin | pyj 'len(d["posts"])')" 1
check "facebook: one post" "$(state facebook | pyj 'len(d["posts"])')" 1
check "instagram: one post, its image removed from the media host" "$(state instagram | pyj '[len(d["posts"]), len(d["objects"])]')" '[1, 0]'
check "threads: one post, its image removed from the media host" "$(state threads | pyj '[len(d["posts"]), len(d["objects"])]')" '[1, 0]'
check "no token or key in the run log" "$(grep -c -E 'eyJ|BEGIN PRIVATE|app-secret|access-' "$RUNLOG" || true)" 0
done_step
