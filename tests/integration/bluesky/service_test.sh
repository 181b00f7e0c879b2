#!/usr/bin/env bash
# The `clearpostctl run` service: started long before its posts are due and
# with a poll interval of an hour, it wakes at the scheduled minute by itself
# and publishes the posts of two accounts on parallel workers; SIGTERM ends it
# cleanly with its totals.
#
#   service_test.sh CLEARPOSTCTL PUBLISHERS_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

step "PDS with two accounts; three posts each, all due at the next minute M"
start_pds
pds_account gina.test
pds_account hugo.test
init_clearpost
connect gina.test
connect hugo.test
M=$(( ($(date +%s) + 75) / 60 * 60 ))
AT=$(date -u -d "@$M" '+%Y-%m-%d %H:%M')
for i in 1 2 3; do
  printf 'Service test %d: clinic hours' "$i" >"$T/s$i.txt"
  scheduled_post "$T/s$i.txt" "$AT" gina.test hugo.test >/dev/null
done
[ "$(date +%s)" -lt "$M" ] || fatal "making the posts took past M"
echo "   M = $AT UTC, in $((M - $(date +%s))) s"
done_step

step "run --workers 2 --interval 3600, started before M"
"$CTL" --db "$DB" --json run --workers 2 --interval 3600 >"$T/stats.json" 2>>"$RUNLOG" &  # not ctl: $! must be clearpostctl
SERVICE=$!
BG_PIDS+=("$SERVICE")
sleep 2
check "nothing is published before M" "$(sqlite3 "$DB" "SELECT count(*) FROM targets WHERE state = 'Published'")" 0
while [ "$(sqlite3 "$DB" "SELECT count(*) FROM targets WHERE state = 'Published'")" -lt 6 ]; do
  kill -0 "$SERVICE" 2>/dev/null || fatal "the service ended early"
  [ "$(date +%s)" -lt "$((M + 60))" ] || fatal "not published within a minute of M: the service did not wake by itself"
  sleep 0.5
done
kill -TERM "$SERVICE"
rc=0; wait "$SERVICE" || rc=$?
check "SIGTERM: exit status 0" "$rc" 0
check "totals on stdout: 6 claimed, 6 published" "$(pyj '[d["claimed"], d["published"]]' <"$T/stats.json")" '[6, 6]'
done_step

step "read back: each account has its three posts, each sent within 5 s of M"
for h in gina.test hugo.test; do python3 "$PDSQ" list "$PDS_URL" "${DID[$h]}"; done >"$T/records.jsonl"
pycheck "$T/records.jsonl" "$M" <<'PYEOF'
import json, sys
from datetime import datetime
from checklib import check, done
records = [r for line in open(sys.argv[1], encoding="utf-8") for r in json.loads(line)]
M = int(sys.argv[2])
check("6 records, no duplicate", len({(r["uri"].split("/")[2], r["value"]["text"]) for r in records}), 6)
late = [datetime.fromisoformat(r["value"]["createdAt"].replace("Z", "+00:00")).timestamp() - M for r in records]
check("none sent before M", min(late) >= 0, True)
check(f"all sent within 5 s of M (latest {max(late):.2f} s)", max(late) < 5, True)
done()
PYEOF
done_step
