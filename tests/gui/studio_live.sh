#!/usr/bin/env bash
# Team mode: the studio open on a PostgreSQL database shows an approval that
# another client (clearpostctl, another process) commits, within a second and
# without F5: it hears the change through LISTEN/NOTIFY.
# Usage: studio_live.sh CLEARPOST CLEARPOSTCTL SCREENSHOT_DIR SERVER_URI
set -euo pipefail
studio=$1 ctl=$2 shots=$3 server=$4
schema=studio_live_$$_$RANDOM
psql "$server" -qc "CREATE SCHEMA $schema"
STUDIO_DB="$server&options=-csearch_path%3D$schema"
source "$(dirname "${BASH_SOURCE[0]}")/studio_common.sh"
CLEARPOST_NEW_PASSWORD="bob has a long password" "$ctl" --db "$db" --as ada user add bob --role approver >/dev/null
CLEARPOST_PASSWORD="alice has a long password" "$ctl" --db "$db" --as alice post new \
  --text "Flu shots this Saturday, 9 to noon" --target bluesky:clinic.example --at "2030-11-02 09:00" >/dev/null
CLEARPOST_PASSWORD="alice has a long password" "$ctl" --db "$db" --as alice post submit 1 >/dev/null

mkdir -p "$shots"
rows=$work/rows.txt
cat > "$work/inside.sh" <<INSIDE
set -eu
"$studio" --db "$db" --as ada --self-test "$rows" &
pid=\$!
for _ in \$(seq 1 300); do grep -q InReview "$rows" 2>/dev/null && break; sleep 0.1; done
CLEARPOST_PASSWORD="bob has a long password" "$ctl" --db "$db" --as bob post approve 1 >/dev/null
approved=\$(date +%s%3N)
for _ in \$(seq 1 500); do grep -q "Approved" "$rows" && break; sleep 0.02; done
echo \$(( \$(date +%s%3N) - approved )) > "$work/latency"
sleep 0.3  # let the list paint
import -window root "$shots/studio-live.png"
kill \$pid
wait \$pid || true
INSIDE
xvfb-run -a -s "-screen 0 1280x800x24" bash "$work/inside.sh"

fail() { echo "FAIL: $*" >&2; cat "$rows" >&2 || true; exit 1; }
grep -q "Approved.*Flu shots this Saturday" "$rows" || fail "the studio never showed the approval"
latency=$(cat "$work/latency")
[ "$latency" -lt 1000 ] || fail "the approval took $latency ms to show (limit 1000 ms)"
echo "studio live test passed: the approval showed $latency ms after clearpostctl committed it"
