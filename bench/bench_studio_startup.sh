#!/usr/bin/env bash
# Benchmark (not a test): the studio's start on a database with 100,000
# posts, as a real window under Xvfb.
#
#   bench/bench_studio_startup.sh CLEARPOST CLEARPOSTCTL BENCH_CALENDAR
#
# Environment: BENCH_POSTS (default 100000), BENCH_RUNS (default 5).
#
# What is measured: from the launch of `clearpost --db DB --as ada` (password
# from the environment, so no dialog) to the moment its post list has been
# read and shown (the --self-test file the window writes when its list lands,
# noticed by polling every 10 ms): the window is usable then. The posts are
# added straight to the store (bench_calendar --fill: one target each,
# spread over a month) after `clearpostctl init`; the page cache is warm.
set -euo pipefail
studio=$1 ctl=$2 filler=$3
posts=${BENCH_POSTS:-100000} runs=${BENCH_RUNS:-5}
for tool in xvfb-run; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data HOME=$work TZ=UTC
export CLEARPOST_PASSWORD="ada has a long password"
db=$work/studio.db
"$ctl" --db "$db" init --admin ada --org "Harbor Clinics" --zone America/New_York >/dev/null
start=$(date +%s%3N)
"$filler" --fill "$db" "$posts"
echo "filled $posts posts in $(( $(date +%s%3N) - start )) ms; database $(du -m "$db" | cut -f1) MB"

cat > "$work/inside.sh" <<INSIDE
set -eu
for run in \$(seq 1 $runs); do
  rows=$work/rows-\$run.txt
  t0=\$(date +%s%3N)
  "$studio" --db "$db" --as ada --self-test "\$rows" &
  pid=\$!
  until [ -s "\$rows" ]; do sleep 0.01; done
  echo "\$(( \$(date +%s%3N) - t0 ))" >> "$work/times.txt"
  kill \$pid
  wait \$pid || true
done
INSIDE
xvfb-run -a -s "-screen 0 1280x800x24" bash "$work/inside.sh"
sort -n "$work/times.txt" | awk -v posts="$posts" '
  { t[NR] = $1 }
  END { printf "studio start to a usable window with its post list, %d posts: median %d ms, min %d ms, max %d ms (%d runs)\n",
        posts, t[int((NR + 1) / 2)], t[1], t[NR], NR }'
