#!/usr/bin/env bash
# Inside an X session: runs the studio's own scenario (--scenario, as alice
# with bob approving and ada reading the audit log; passwords in
# CLEARPOST_PASSWORD, CLEARPOST_APPROVER_PASSWORD and
# CLEARPOST_ADMIN_PASSWORD) and takes each screenshot it asks for ("shot
# FILE" in its report) with a grab of the whole screen, until it exits.
# Usage: scenario_in_x.sh CLEARPOST DB REPORT SCREENSHOT_DIR
set -u
studio=$1 db=$2 report=$3 shots=$4
"$studio" --db "$db" --as alice --approver bob --admin ada --scenario "$report" --screenshots "$shots" &
pid=$!
while kill -0 $pid 2>/dev/null; do
  for shot in $(sed -n 's/^shot //p' "$report" 2>/dev/null); do
    if [ ! -s "$shots/$shot" ]; then
      import -window root "$shots/$shot.tmp.png" && mv "$shots/$shot.tmp.png" "$shots/$shot"
    fi
  done
  sleep 0.1
done
wait $pid
