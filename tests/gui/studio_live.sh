#!/usr/bin/env bash
# Team mode: two other clients change a PostgreSQL database while a studio
# has it open, and the studio shows each change within a second, without F5
# (it hears them through LISTEN/NOTIFY): first an approval made in a second
# studio process, which runs the studio's own scenario (an author writes and
# submits, an approver approves in the inbox), then one by clearpostctl.
# The watching studio is started without --db: it opens the team database
# chosen earlier in File > Database... (kept in the config folder).
# Usage: studio_live.sh CLEARPOST CLEARPOSTCTL SCREENSHOT_DIR SERVER_URI
set -euo pipefail
studio=$1 ctl=$2 shots=$3 server=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
schema=studio_live_$$_$RANDOM
psql "$server" -qc "CREATE SCHEMA $schema"
STUDIO_DB="$server&options=-csearch_path%3D$schema"
source "$here/studio_common.sh"
seed_scenario

mkdir -p "$shots/second" "$XDG_CONFIG_HOME/clearpost"
printf '%s\n' "$db" > "$XDG_CONFIG_HOME/clearpost/studio-database"
rows=$work/rows.txt report=$work/report.txt
cat > "$work/inside.sh" <<INSIDE
set -eu
now_ms() { date +%s%3N; }
# Whether the watching studio lists post \$1 as approved (the studio queues
# a post with a time as it approves it: Scheduled).
shows_approved() { awk -F'\t' -v id="\$1" '\$1 == id && (\$2 == "Approved" || \$2 == "Scheduled") { found = 1 } END { exit !found }' "$rows"; }
"$studio" --as ada --self-test "$rows" &
pid=\$!
for _ in \$(seq 1 300); do grep -q InReview "$rows" 2>/dev/null && break; sleep 0.1; done

# The second studio: the scenario's author and approver at another desk.
CLEARPOST_ADMIN_PASSWORD="ada has a long password" CLEARPOST_PASSWORD="alice has a long password" \\
  CLEARPOST_APPROVER_PASSWORD="bob has a long password" bash "$here/scenario_in_x.sh" "$studio" "$db" "$report" "$shots/second" &
second=\$!
sent=""
for _ in \$(seq 1 4500); do
  sent=\$(sed -n 's/^approve sent \([0-9]*\) at \([0-9]*\)$/\1 \2/p' "$report" 2>/dev/null || true)
  [ -n "\$sent" ] && break
  kill -0 \$second 2>/dev/null || break
  sleep 0.02
done
if [ -n "\$sent" ]; then
  set -- \$sent
  for _ in \$(seq 1 500); do shows_approved \$1 && break; sleep 0.02; done
  echo "\$1 \$(( \$(now_ms) - \$2 ))" > "$work/latency-studio"
fi
wait \$second || echo "the second studio exited with \$?" > "$work/second-status"

# Then clearpostctl, as a third client: alice submits, bob approves.
post=\$(CLEARPOST_PASSWORD="alice has a long password" "$ctl" --db "$db" --as alice --json post new \\
  --text "Flu shots this Saturday, 9 to noon" --target bluesky:clinic.example --at "2030-11-02 09:00" |
  sed -n 's/^{"approvals":\[[^]]*\],"id":\([0-9]*\),.*/\1/p')
CLEARPOST_PASSWORD="alice has a long password" "$ctl" --db "$db" --as alice post submit \$post >/dev/null
CLEARPOST_PASSWORD="bob has a long password" "$ctl" --db "$db" --as bob post approve \$post >/dev/null
approved=\$(now_ms)
for _ in \$(seq 1 500); do shows_approved \$post && break; sleep 0.02; done
echo "\$post \$(( \$(now_ms) - approved ))" > "$work/latency-ctl"
sleep 0.3  # let the list paint
import -window root "$shots/studio-live.png"
kill \$pid
wait \$pid || true
INSIDE
timeout 240 xvfb-run -a -s "-screen 0 1280x800x24" bash "$work/inside.sh"

fail() { echo "FAIL: $*" >&2; cat "$rows" "$report" >&2 || true; exit 1; }
shown() { awk -F'\t' -v id="$1" '$1 == id && ($2 == "Approved" || $2 == "Scheduled")' "$rows" | grep -q .; }
[ ! -s "$work/second-status" ] || fail "$(cat "$work/second-status")"
grep -q "^scenario passed$" "$report" || fail "the second studio's scenario did not pass"
[ -s "$work/latency-studio" ] || fail "the second studio never approved"
read -r studio_post studio_latency < "$work/latency-studio"
shown "$studio_post" || fail "the watching studio never showed post $studio_post approved in the second studio"
[ "$studio_latency" -lt 1000 ] || fail "the second studio's approval took $studio_latency ms to show (limit 1000 ms)"

[ -s "$work/latency-ctl" ] || fail "clearpostctl's approval was not made"
read -r ctl_post ctl_latency < "$work/latency-ctl"
shown "$ctl_post" || fail "the watching studio never showed clearpostctl's approval of post $ctl_post"
[ "$ctl_latency" -lt 1000 ] || fail "clearpostctl's approval took $ctl_latency ms to show (limit 1000 ms)"
echo "studio live test passed: post $studio_post, approved in a second studio, showed $studio_latency ms after" \
  "its button was clicked; post $ctl_post, approved by clearpostctl, showed $ctl_latency ms after it returned"
