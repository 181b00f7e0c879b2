# Sourced by the studio tests (after `studio=... ctl=... shots=...`): checks
# the tools they need, gives them a throwaway home in $work and a database
# $db with ada (admin, password in CLEARPOST_PASSWORD), alice (author) and the
# Bluesky account clinic.example.
for tool in xvfb-run import identify; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run installer/install-deps.sh" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data HOME=$work TZ=UTC
db=${STUDIO_DB:-$work/studio.db}  # a postgresql:// URI for the team-mode test
export CLEARPOST_PASSWORD="ada has a long password"
"$ctl" --db "$db" init --admin ada --org "Harbor Clinics" --zone America/New_York >/dev/null
CLEARPOST_NEW_PASSWORD="alice has a long password" "$ctl" --db "$db" --as ada user add alice --role author >/dev/null
"$ctl" --db "$db" --as ada account add bluesky clinic.example >/dev/null

# What the studio's scenario (--scenario) starts from: bob the approver, an X
# account, two posts waiting for bob, one with a warning in its second
# version and one he wrote himself (posts 1 and 2), a Mastodon instance (the
# stand-in) where the admin connects an account through the "browser", an X
# stand-in with the organisation's registered app for the X account, and
# post 3 published on another Mastodon account with two metrics snapshots.
seed_scenario() {
  local standin
  standin=$(dirname "${BASH_SOURCE[0]}")/../publishers/mastodon/standin.py
  python3 "$standin" --port 0 > "$work/standin.out" &
  standin_pid=$!
  trap 'kill $standin_pid 2>/dev/null; rm -rf "$work"' EXIT
  for _ in $(seq 50); do grep -q '^port ' "$work/standin.out" && break; sleep 0.1; done
  local port
  port=$(sed -n 's/^port //p' "$work/standin.out")
  [ -n "$port" ] || { echo "FAIL: the Mastodon stand-in did not start" >&2; exit 1; }
  export CLEARPOST_SCENARIO_MASTODON=http://127.0.0.1:$port NO_PROXY=127.0.0.1 no_proxy=127.0.0.1

  # An X stand-in that knows the scenario's X account, and the
  # organisation's registered X app pointing at it (the build's plugins).
  export CLEARPOST_PUBLISHERS_DIR
  CLEARPOST_PUBLISHERS_DIR=$(cd "$(dirname "$ctl")/../publishers" && pwd)
  python3 "$(dirname "${BASH_SOURCE[0]}")/../publishers/x/standin.py" --port 0 > "$work/x.out" &
  x_pid=$!
  trap 'kill $standin_pid $x_pid 2>/dev/null; rm -rf "$work"' EXIT
  for _ in $(seq 50); do grep -q '^port ' "$work/x.out" && break; sleep 0.1; done
  local x_url
  x_url=http://127.0.0.1:$(sed -n 's/^port //p' "$work/x.out")
  [ "$x_url" != "http://127.0.0.1:" ] || { echo "FAIL: the X stand-in did not start" >&2; exit 1; }
  curl -sS -f -X POST -H 'Content-Type: application/json' \
    -d '{"add_user": {"id": "1700000000000000042", "username": "harborclinics"}, "oauth": {"account": "1700000000000000042"}, "followers": 1520, "user": "harborclinics"}' \
    "$x_url/_standin/control" >/dev/null || { echo "FAIL: the X stand-in did not take its scene" >&2; exit 1; }
  "$ctl" --db "$db" --as ada app set x --client-id clearpost-x-app --authorize-url "$x_url/_oauth/authorize" \
    --token-url "$x_url/_oauth/token" --api-url "$x_url" >/dev/null

  CLEARPOST_NEW_PASSWORD="bob has a long password" "$ctl" --db "$db" --as ada user add bob --role approver >/dev/null
  # A queued post dragged to another day keeps its approval here.
  "$ctl" --db "$db" --as ada org reschedule-policy keep >/dev/null
  # The composer offers the next of these that no post takes.
  "$ctl" --db "$db" --as ada org queue-slots "Tue 10:00" "Thu 15:30" >/dev/null
  "$ctl" --db "$db" --as ada account add x harborclinics >/dev/null
  # Post 1 has two versions, so the approver sees what changed.
  "$ctl" --db "$db" --as ada post new --text "Our flu shots are great for families: Saturday 9 to 11." \
    --target bluesky:clinic.example >/dev/null
  "$ctl" --db "$db" --as ada post edit 1 --at "2030-03-07 11:00" \
    --text "Our flu shots are a miracle for busy families: Saturday 9 to noon." >/dev/null
  "$ctl" --db "$db" --as ada post submit 1 >/dev/null
  CLEARPOST_PASSWORD="bob has a long password" "$ctl" --db "$db" --as bob post new \
    --text "Free blood pressure checks in the lobby all week." --target x:harborclinics >/dev/null
  CLEARPOST_PASSWORD="bob has a long password" "$ctl" --db "$db" --as bob post submit 2 >/dev/null

  # Post 3 is already out on a second Mastodon account, through the stand-in,
  # with two metrics snapshots: before and after people reacted. The
  # dashboard's top post, with its snapshot history.
  local news=@news@mastodon.test post status
  "$ctl" --db "$db" --as ada account add mastodon "$news" --service "$CLEARPOST_SCENARIO_MASTODON" --no-connect >/dev/null
  CLEARPOST_ACCOUNT_SECRET=good-token "$ctl" --db "$db" --as ada account connect mastodon "$news" \
    --service "$CLEARPOST_SCENARIO_MASTODON" >/dev/null
  post=$("$ctl" --db "$db" --as ada --json post new --text "Our new imaging centre opens Monday at 8." \
    --target "mastodon:$news" --at "$(date -u '+%Y-%m-%d %H:%M')" --zone UTC | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  "$ctl" --db "$db" --as ada post submit "$post" >/dev/null
  CLEARPOST_PASSWORD="bob has a long password" "$ctl" --db "$db" --as bob post approve "$post" >/dev/null
  "$ctl" --db "$db" --as ada post schedule "$post" >/dev/null
  "$ctl" --db "$db" --as ada run --once >/dev/null 2>>"$work/run.log"
  status=$("$ctl" --db "$db" --as ada --json post show "$post" | python3 -c 'import json,sys; print(json.load(sys.stdin)["targets"][0]["remote_id"])')
  [ -n "$status" ] || { echo "FAIL: post $post was not published: $(cat "$work/run.log")" >&2; exit 1; }
  "$ctl" --db "$db" --as ada metrics show "$post" --fetch >/dev/null
  curl -sS -f -X POST -H 'Content-Type: application/json' \
    -d "{\"counts\": {\"$status\": {\"favourites\": 12, \"reblogs\": 3, \"replies\": 2}}}" \
    "$CLEARPOST_SCENARIO_MASTODON/_standin/control" >/dev/null || { echo "FAIL: the stand-in took no counts" >&2; exit 1; }
  "$ctl" --db "$db" --as ada metrics show "$post" --fetch >/dev/null
}
