#!/usr/bin/env bash
# Benchmark (not a test): 1,000 due targets across 10 accounts on a loopback
# reference Bluesky PDS, published by the `clearpostctl run` service.
#
#   bench/bench_publish.sh CLEARPOSTCTL PUBLISHERS_DIR
#
# Environment: BENCH_ACCOUNTS (default 10), BENCH_POSTS (default 100; each post
# targets every account, so 100 x 10 = 1,000 targets), BENCH_WORKERS (the
# service's --workers, default 10), KEEP_WORKDIR=1.
# Needs what tests/integration/bluesky needs, plus GNU time (/usr/bin/time).
#
# What is measured:
#   - every post is scheduled for the same minute M (hh:mm:00 UTC), far enough
#     ahead that all posts are made and approved before it; the service
#     (`clearpostctl run`, under /usr/bin/time -v) is started before M, as it
#     runs in production, and sleeps until M; once every target is Published
#     it gets SIGTERM;
#   - publishes/s = targets published / (last record's createdAt - M), which
#     includes the sign-in of the accounts at M;
#   - lateness of a target = the record's createdAt on the PDS (stamped by the
#     Bluesky plugin from the host clock just before it sends the record, ms)
#     minus M; p50 and p99 over all targets;
#   - confirmed lateness = when the service logged the target Published (the
#     PDS had answered that the record is committed; the log's ts, ms) minus M:
#     the time by which the post is certainly live;
#   - peak RSS = "Maximum resident set size" of that run.
# The PDS runs on the same machine and shares its cores.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/tests/integration/bluesky/common.sh"
ACCOUNTS=${BENCH_ACCOUNTS:-10}
POSTS=${BENCH_POSTS:-100}
TIME=/usr/bin/time
[ -x "$TIME" ] && "$TIME" -v true >/dev/null 2>&1 || fatal "GNU time not found at $TIME (Debian package: time)"

step "PDS with $ACCOUNTS accounts"
start_pds
init_clearpost
HANDLES=()
for a in $(seq 0 $((ACCOUNTS - 1))); do
  h=bench$a.test
  pds_account "$h"
  connect "$h"
  HANDLES+=("$h")
done
done_step

step "$POSTS posts x $ACCOUNTS accounts = $((POSTS * ACCOUNTS)) targets, all at one minute M"
# Time one password-checked command to pick M with room for 4 per post.
t0=$(now_ms); as_ada post list >/dev/null; as_ada post list >/dev/null; per_call=$(( ($(now_ms) - t0) / 2 ))
need=$(( POSTS * 4 * per_call * 3 / 2 / 1000 + 30 ))
M=$(( ( $(date +%s) + need + 59 ) / 60 * 60 ))
AT=$(date -u -d "@$M" '+%Y-%m-%d %H:%M')
echo "   ~$per_call ms per command; M = $AT UTC (in $((M - $(date +%s))) s)"
for i in $(seq 1 "$POSTS"); do
  printf 'Benchmark post %03d: clinic hours this week #bench' "$i" >"$T/b$i.txt"
  scheduled_post "$T/b$i.txt" "$AT" "${HANDLES[@]}" >/dev/null
done
[ "$(date +%s)" -lt "$M" ] || fatal "making the posts took past M ($AT); lateness would be meaningless"
done_step

step "the service waits for M, publishes, and is stopped when all are out"
"$TIME" -v -o "$T/time.txt" "$CTL" --db "$DB" --json run --workers "${BENCH_WORKERS:-10}" \
  >"$T/stats.json" 2>"$T/bench-run.log" &
SERVICE=$!
BG_PIDS+=("$SERVICE")
t_start=$(now_ms)
published() { sqlite3 "$DB" "SELECT count(*) FROM targets WHERE state = 'Published'"; }
while [ "$(published)" -lt "$((POSTS * ACCOUNTS))" ]; do
  kill -0 "$SERVICE" 2>/dev/null || fatal "the service stopped early"
  [ "$(date +%s)" -lt "$((M + 600))" ] || fatal "not all published 10 minutes after M"
  sleep 0.5
done
t_end=$(now_ms)
pkill -TERM -P "$SERVICE"  # clearpostctl, the child of GNU time
wait "$SERVICE" || fatal "the service did not stop cleanly on SIGTERM"
echo "   $(cat "$T/stats.json")"
done_step

step "read back and compute"
for h in "${HANDLES[@]}"; do python3 "$PDSQ" list "$PDS_URL" "${DID[$h]}"; done >"$T/records.jsonl"
pycheck "$T" "$M" "$t_start" "$t_end" "$((POSTS * ACCOUNTS))" <<'PYEOF'
import json, re, sys
from datetime import datetime
from checklib import check, done
T, M, t_start, t_end, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
stats = json.load(open(f"{T}/stats.json"))
records = [r for line in open(f"{T}/records.jsonl", encoding="utf-8") for r in json.loads(line)]
check("every target published", stats["published"], N)
check(f"{N} records on the PDS", len(records), N)
check("no duplicate", len({(r["uri"].split("/")[2], r["value"]["text"]) for r in records}), N)

def ms(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000
late = sorted(ms(r["value"]["createdAt"]) - M * 1000 for r in records)
def pct(values, p):
    return values[min(len(values) - 1, max(0, int(round(p / 100 * len(values))) - 1))] / 1000
span = (late[-1] - late[0]) / 1000
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{T}/time.txt").read()).group(1))
# The host logs every HTTP exchange with its duration: time spent waiting for the PDS.
log = open(f"{T}/bench-run.log", encoding="utf-8").read()
http = [(m.group(1), int(m.group(2))) for m in re.finditer(r"/xrpc/([\w.]+)\S* -> \d+ in (\d+) ms", log)]
puts = sorted(ms_ for nsid, ms_ in http if nsid == "com.atproto.repo.putRecord")
writes = sorted(ms_ for nsid, ms_ in http if nsid == "com.atproto.repo.applyWrites")
confirmed = sorted(ms(m.group(1)) - M * 1000 for m in re.finditer(r"^ts=(\S+) level=info msg=\"post \d+ target \d+ -> Published", log, re.M))
check("every target's Published line has a timestamp", len(confirmed), N)
print()
print(f"  targets published      {stats['published']} on {len({r['uri'].split('/')[2] for r in records})} accounts")
print(f"  service                 started {(M * 1000 - t_start) / 1000:.1f} s before M, all published {(t_end - M * 1000) / 1000:.1f} s after M (polled every 0.5 s)")
print(f"  publishes per second    {stats['published'] / (late[-1] / 1000):.1f} (M to last record), {(len(late) - 1) / span:.1f} (first to last record)")
print(f"  lateness vs M           min {late[0] / 1000:.3f} s, p50 {pct(late, 50):.3f} s, p99 {pct(late, 99):.3f} s, max {late[-1] / 1000:.3f} s")
print(f"  confirmed lateness      min {confirmed[0] / 1000:.3f} s, p50 {pct(confirmed, 50):.3f} s, "
      f"p99 {pct(confirmed, 99):.3f} s, max {confirmed[-1] / 1000:.3f} s")
print(f"  peak RSS                {rss / 1024:.1f} MiB ({rss} kB)")
print(f"  waiting for the PDS     {sum(ms_ for _, ms_ in http) / 1000:.2f} s of the run in {len(http)} requests")
if puts:
    print(f"  putRecord               {len(puts)} records, p50 {puts[len(puts) // 2]} ms, p99 {puts[int(len(puts) * 0.99) - 1]} ms")
if writes:
    print(f"  applyWrites             {len(writes)} commits, p50 {writes[len(writes) // 2]} ms, max {writes[-1]} ms")
done()
PYEOF
done_step
