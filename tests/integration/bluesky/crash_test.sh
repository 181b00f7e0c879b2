#!/usr/bin/env bash
# kill -9 of `clearpostctl run` at random moments during 200 publishes to the
# reference PDS, several times; then `run --once` until nothing is left in flight.
# Afterwards every target is Published exactly once on the PDS (each text, which
# is unique, is counted in the account's records), or is visibly NeedsAttention:
# none lost, none duplicated. A third of the posts are two-part threads, so kills
# also land between the parts of a thread.
#
#   crash_test.sh CLEARPOSTCTL PUBLISHERS_DIR
#
# Environment: CRASH_POSTS (default 100 posts, each to 2 accounts = 200 targets),
# CRASH_KILLS (default 8), CRASH_LEASE (default 5 s, the killed workers' lease).
# Team mode: CRASH_POSTGRES (a postgresql:// URI of a server) puts the database
# in a fresh schema there, and CRASH_SERVICES (default 1) services share it,
# each kill taking one of them down and starting another in its place.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
POSTS=${CRASH_POSTS:-100}
KILLS=${CRASH_KILLS:-8}
LEASE=${CRASH_LEASE:-5}
SERVICES=${CRASH_SERVICES:-1}
RUN_ID=$RANDOM$RANDOM
if [ -n "${CRASH_POSTGRES:-}" ]; then
  psql "$CRASH_POSTGRES" -qc "CREATE SCHEMA crash_$RUN_ID" || fatal "cannot create a schema on $CRASH_POSTGRES"
  DB="$CRASH_POSTGRES&options=-csearch_path%3Dcrash_$RUN_ID"
fi

# Read-only look at the queue between runs (the results are checked through clearpostctl).
queue() {
  if [ -n "${CRASH_POSTGRES:-}" ]; then
    local states doubt
    states=$(psql "$DB" -Atc "SELECT string_agg(state || '=' || n, ' ' ORDER BY state)
                              FROM (SELECT state, count(*) AS n FROM targets GROUP BY state) s")
    doubt=$(psql "$DB" -Atc "SELECT count(*) FROM publish_attempts WHERE outcome = 'in_doubt'")
    echo "$states in_doubt_attempts=$doubt"
    return
  fi
  python3 - "$DB" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=10)
states = dict(db.execute("SELECT state, count(*) FROM targets GROUP BY state").fetchall())
doubt = db.execute("SELECT count(*) FROM publish_attempts WHERE outcome = 'in_doubt'").fetchone()[0]
print(" ".join(f"{k}={v}" for k, v in sorted(states.items())) + f" in_doubt_attempts={doubt}")
PYEOF
}
# Targets still in Scheduled, RetryWait or Publishing.
in_flight() {
  local n=0 word
  for word in $(queue); do
    case $word in Scheduled=* | RetryWait=* | Publishing=*) n=$((n + ${word#*=})) ;; esac
  done
  echo "$n"
}

step "PDS with two accounts; Clearpost with an admin and an approver"
start_pds
pds_account carol.test
pds_account dave.test
init_clearpost
connect carol.test
connect dave.test
done_step

step "$POSTS posts due now, each to carol.test and dave.test ($((POSTS * 2)) targets)"
AT=$(due_now)
IDS=()
for i in $(seq 1 "$POSTS"); do
  f=$T/post$i.txt
  if [ $((i % 3)) -eq 0 ]; then
    # Two parts: 250 + ~150 characters.
    printf 'Crash %s post %03d (thread): %s%s' "$RUN_ID" "$i" "$(printf 'lorem ipsum %.0s' $(seq 1 21))" \
      "$(printf 'dolor sit amet %.0s' $(seq 1 10))end of $RUN_ID post $i" >"$f"
  else
    printf 'Crash %s post %03d: clinic hours update #%d' "$RUN_ID" "$i" "$i" >"$f"
  fi
  IDS+=("$(scheduled_post "$f" "$AT" carol.test dave.test)")
done
check "$POSTS posts made" "${#IDS[@]}" "$POSTS"
echo "   queue: $(queue)"
done_step

# kill_service PID K MS: kill -9 a running `clearpostctl run` and check it died of it.
kill_service() {
  local pid=$1 k=$2 ms=$3 rc=0
  [ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -d' ' -f1)" = "$CTL" ] \
    || fail "kill $k: pid $pid is not clearpostctl run (it exited early?)"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || rc=$?
  [ "$rc" -eq 137 ] || fail "kill $k: clearpostctl run ended with status $rc, not by SIGKILL"
  echo "   kill $k after $ms ms: $(queue)"
}

if [ "$SERVICES" -gt 1 ]; then
step "$SERVICES services on one database; $KILLS times kill -9 one of them after 0.2-2 s and start another"
RUNNING=()
for s in $(seq 1 "$SERVICES"); do
  "$CTL" --db "$DB" run --interval 1 --lease "$LEASE" 2>>"$RUNLOG" >/dev/null &
  RUNNING+=("$!")
  BG_PIDS+=("$!")
done
for k in $(seq 1 "$KILLS"); do
  ms=$((200 + RANDOM % 1801))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  i=$((RANDOM % SERVICES))
  kill_service "${RUNNING[$i]}" "$k" "$ms"
  "$CTL" --db "$DB" run --interval 1 --lease "$LEASE" 2>>"$RUNLOG" >/dev/null &
  RUNNING[$i]=$!
  BG_PIDS+=("$!")
done
# The services left running finish what they can, then stop on SIGTERM.
deadline=$(( $(date +%s) + 120 ))
while [ "$(in_flight)" -gt 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 2; done
for pid in "${RUNNING[@]}"; do
  kill -TERM "$pid" 2>/dev/null || true
  rc=0
  wait "$pid" 2>/dev/null || rc=$?
  [ "$rc" -eq 0 ] || fail "a service stopped by SIGTERM ended with status $rc"
done
echo "   services stopped: $(queue)"
done_step
else
step "$KILLS times: run --interval 1 --lease $LEASE, kill -9 after 0.2-2 s"
for k in $(seq 1 "$KILLS"); do
  # Started directly (not through a function), so that $! is clearpostctl itself.
  "$CTL" --db "$DB" run --interval 1 --lease "$LEASE" 2>>"$RUNLOG" >/dev/null &
  pid=$!
  BG_PIDS+=("$pid")
  ms=$((200 + RANDOM % 1801))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  kill_service "$pid" "$k" "$ms"
done
done_step
fi

step "wait out the killed leases, then run --once until nothing is in flight"
sleep "$((LEASE + 1))"
rounds=0
deadline=$(( $(date +%s) + 600 ))
while :; do
  rounds=$((rounds + 1))
  run_once --lease "$LEASE" >/dev/null || fail "run --once (round $rounds) exited non-zero"
  left=$(in_flight)
  echo "   round $rounds: $(queue)"
  [ "$left" -eq 0 ] && break
  [ "$(date +%s)" -lt "$deadline" ] || { fail "targets still in flight after 600 s: $(queue)"; break; }
  sleep 3
done
done_step

step "every target Published exactly once on the PDS, or visibly NeedsAttention"
for id in "${IDS[@]}"; do as_ada --json post show "$id"; done >"$T/shows.jsonl" || fatal "post show"
as_ada --json account list >"$T/accounts.json"
as_ada --json notices >"$T/notices.json"
for h in carol.test dave.test; do
  python3 "$PDSQ" list "$PDS_URL" "${DID[$h]}" >"$T/records-$h.json" || fatal "listRecords $h"
done
pycheck "$T" "$POSTS" "$RUN_ID" "${DID[carol.test]}" "${DID[dave.test]}" <<'PYEOF'
import json, sys
from collections import Counter
from checklib import check, done
T, POSTS, RUN_ID, CAROL, DAVE = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
shows = [json.loads(l) for l in open(f"{T}/shows.jsonl", encoding="utf-8")]
accounts = {a["id"]: a["handle"] for a in json.load(open(f"{T}/accounts.json"))}
notices = json.load(open(f"{T}/notices.json"))
records = {h: json.load(open(f"{T}/records-{h}.json", encoding="utf-8")) for h in ("carol.test", "dave.test")}
did = {"carol.test": CAROL, "dave.test": DAVE}

states = Counter(t["state"] for s in shows for t in s["targets"])
print(f"   target states: {dict(states)}")
check("every post has its 2 targets", sum(states.values()), 2 * POSTS)
check("every target is Published or NeedsAttention", set(states) <= {"Published", "NeedsAttention"}, True)

problems = []
used = {h: set() for h in records}
for s in shows:
    text = s["versions"][-1]["text"]
    for t in s["targets"]:
        h = accounts[t["account_id"]]
        recs = records[h]
        # The first part: no reply ref, a prefix of the text; the prefix up to ':' is unique per post.
        prefix = text.split(":")[0] + ":"
        first = [r for r in recs if "reply" not in r["value"] and text.startswith(r["value"]["text"])
                 and r["value"]["text"].startswith(prefix)]
        if t["state"] == "Published":
            if len(first) != 1:
                problems.append(f"post {s['id']} on {h}: Published but {len(first)} root records")
                continue
            root = first[0]
            if root["uri"] != t["remote_id"]:
                problems.append(f"post {s['id']} on {h}: remote_id {t['remote_id']} is not the record {root['uri']}")
            chain, parts = [root], [root["value"]["text"]]
            while True:
                nxt = [r for r in recs if r["value"].get("reply", {}).get("parent", {}).get("uri") == chain[-1]["uri"]]
                if len(nxt) > 1:
                    problems.append(f"post {s['id']} on {h}: {len(nxt)} replies to part {len(chain)}")
                if not nxt:
                    break
                if nxt[0]["value"]["reply"]["root"] != {"uri": root["uri"], "cid": root["cid"]}:
                    problems.append(f"post {s['id']} on {h}: part {len(chain) + 1} has a wrong root ref")
                chain.append(nxt[0])
                parts.append(nxt[0]["value"]["text"])
            if " ".join(parts) != text:
                problems.append(f"post {s['id']} on {h}: the records read back ({len(parts)} parts) are not the text")
            used[h].update(r["uri"] for r in chain)
        else:
            if not t["last_error"]:
                problems.append(f"post {s['id']} on {h}: NeedsAttention without a last_error")
            if len(first) > 1:
                problems.append(f"post {s['id']} on {h}: NeedsAttention and {len(first)} root records")
            if not any(f"Post {s['id']}:" in n["message"] for n in notices):
                problems.append(f"post {s['id']} on {h}: NeedsAttention without a notice")
            used[h].update(r["uri"] for r in first)
for p in problems[:20]:
    print(f"   problem: {p}", file=sys.stderr)
check("no target lost, duplicated, broken or silently wrong", len(problems), 0)
for h in records:
    texts = Counter(r["value"]["text"] for r in records[h])
    dup = [t for t, n in texts.items() if n > 1]
    check(f"{h}: no text twice among its {len(records[h])} records", dup, [])
    stray = [r["uri"] for r in records[h] if r["uri"] not in used[h]]
    check(f"{h}: every record belongs to a target", stray, [])
    check(f"{h}: every record is from this run", all(RUN_ID in r["value"]["text"] for r in records[h]), True)
threads = sum(1 for s in shows if len(s["versions"][-1]["text"]) > 300)
print(f"   {threads} of {POSTS} posts are threads")
done()
PYEOF
ctl audit verify >/dev/null 2>"$T/verify.err" && pass "audit verify after $KILLS kills" || fail "audit verify: $(cat "$T/verify.err")"
done_step
