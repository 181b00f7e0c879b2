# Shared setup of the Bluesky integration tests: sourced, never run.
#
#   source common.sh CLEARPOSTCTL PUBLISHERS_DIR
#
# Gives each test its own HOME, XDG_CONFIG_HOME, XDG_DATA_HOME and database in a
# temporary directory, starts the reference PDS there (tests/integration/atproto),
# and stops it on exit whatever happens. Checks count passes and failures; the exit
# status is non-zero when any check failed.
#
# Environment: everything peer.sh takes, plus KEEP_WORKDIR=1 to keep the directory.
# shellcheck shell=bash disable=SC2034

[ $# -ge 2 ] || { echo "usage: $0 CLEARPOSTCTL PUBLISHERS_DIR" >&2; exit 2; }
CTL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PLUGINS=$(cd "$2" && pwd)
[ -x "$CTL" ] || { echo "$0: not an executable: $1" >&2; exit 2; }
[ -f "$PLUGINS/bluesky.so" ] || { echo "$0: no bluesky.so in $2 (build clearpost_bluesky)" >&2; exit 2; }

BSKY_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEER=$BSKY_HERE/../atproto/peer.sh
PDSQ=$BSKY_HERE/pds.py
export NO_PROXY="localhost,127.0.0.1,::1${NO_PROXY:+,$NO_PROXY}" no_proxy="localhost,127.0.0.1,::1${no_proxy:+,$no_proxy}"

# The peers' npm install is cached under the real HOME: keep using it.
export CLEARPOST_PEER_CACHE=${CLEARPOST_PEER_CACHE:-${HOME:-${TMPDIR:-/tmp}}/.cache/clearpost-peers}
export npm_config_cache=${npm_config_cache:-${HOME:-${TMPDIR:-/tmp}}/.npm}

T=$(mktemp -d "${TMPDIR:-/tmp}/clearpost-bsky.XXXXXX")
export HOME=$T/home XDG_CONFIG_HOME=$T/config XDG_DATA_HOME=$T/data
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
export CLEARPOST_PUBLISHERS_DIR=$PLUGINS
unset CLEARPOST_PASSWORD CLEARPOST_NEW_PASSWORD CLEARPOST_ACCOUNT_SECRET
DB=$T/clearpost.db
W=$T/peer
RUNLOG=$T/run.log
: >"$RUNLOG"

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

BG_PIDS=()
cleanup() {
  local rc=$? pid
  set +e
  for pid in "${BG_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  "$PEER" stop "$W" >/dev/null 2>&1
  if [ "$rc" -ne 0 ] || [ "$FAILED" -ne 0 ]; then
    [ -s "$RUNLOG" ] && { echo "--- last lines of the clearpostctl run log" >&2; tail -n 20 "$RUNLOG" | cut -c1-400 >&2; }
    [ -f "$W/pds.log" ] && { echo "--- last lines of pds.log" >&2; tail -n 10 "$W/pds.log" | cut -c1-400 >&2; }
  fi
  if [ "${KEEP_WORKDIR:-0}" = 1 ]; then echo "work directory kept: $T"; else rm -rf "$T"; fi
  echo "total $(secs "$T_ALL") s"
  echo "$PASSED passed, $FAILED failed"
  [ "$rc" -eq 0 ] && [ "$FAILED" -ne 0 ] && rc=1
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# jq-like reads with python: pyj 'EXPR' < JSON, with the document as d; strings raw.
pyj() {
  python3 -c '
import json, sys
d = json.load(sys.stdin)
v = eval(sys.argv[1], {"json": json}, {"d": d})
print(v if isinstance(v, str) else json.dumps(v))' "$1"
}

# pycheck ARGS... < PYTHON: runs a check script that uses checklib (check(), done());
# its passes and failures count here. A script that dies counts as one failure.
export CHECK_COUNTS=$T/check-counts PYTHONPATH=$BSKY_HERE${PYTHONPATH:+:$PYTHONPATH}
pycheck() {
  local rc=0 ok=0 bad=0
  rm -f "$CHECK_COUNTS"
  python3 - "$@" || rc=$?
  [ -f "$CHECK_COUNTS" ] && read -r ok bad <"$CHECK_COUNTS"
  PASSED=$((PASSED + ok))
  FAILED=$((FAILED + bad))
  if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then fail "python checks stopped with status $rc"; fi
  return 0
}

# Clearpost users: ada (admin, creates and schedules), ben (approver), pia
# (privacy officer: signs instead of ben when compliance blocks a test post,
# e.g. an @mention next to health words).
ADA_PW='ada-long-passphrase-1'
BEN_PW='ben-long-passphrase-2'
PIA_PW='pia-long-passphrase-3'
as_ada() { CLEARPOST_PASSWORD=$ADA_PW "$CTL" --db "$DB" --as ada "$@"; }
as_ben() { CLEARPOST_PASSWORD=$BEN_PW "$CTL" --db "$DB" --as ben "$@"; }
as_pia() { CLEARPOST_PASSWORD=$PIA_PW "$CTL" --db "$DB" --as pia "$@"; }
ctl() { "$CTL" --db "$DB" "$@"; }

init_clearpost() {
  CLEARPOST_PASSWORD=$ADA_PW ctl init --admin ada --org "Harbor Clinics" --zone UTC >/dev/null \
    || fatal "clearpostctl init"
  CLEARPOST_NEW_PASSWORD=$BEN_PW as_ada user add ben --role approver >/dev/null || fatal "user add ben"
  CLEARPOST_NEW_PASSWORD=$PIA_PW as_ada user add pia --role privacy_officer >/dev/null || fatal "user add pia"
}

start_pds() {
  "$PEER" install >/dev/null || fatal "peer.sh install"
  PEER_EXIT_WITH_PID=$$ "$PEER" start "$W" || fatal "peer.sh start"
  PDS_URL=$(grep '^PDS_URL=' "$W/env" | cut -d= -f2-)
  export PDS_URL
}

# pds_account HANDLE: a PDS account; sets DID_<handle without .test>, prints nothing.
declare -A DID MAINPW
pds_account() {
  local handle=$1 out
  MAINPW[$handle]="main-$handle-$RANDOM$RANDOM"
  out=$("$PEER" account "$W" "$handle" "${MAINPW[$handle]}") || fatal "peer.sh account $handle"
  DID[$handle]=$(pyj 'd["did"]' <<<"$out")
}

# connect HANDLE [SECRET]: account add + connect in Clearpost; the secret defaults
# to a new app password made on the PDS.
connect() {
  local handle=$1 secret=${2:-}
  if [ -z "$secret" ]; then
    secret=$("$PEER" app-password "$W" "$handle" "${MAINPW[$handle]}" "clearpost-$RANDOM") \
      || fatal "peer.sh app-password $handle"
  fi
  as_ada account add bluesky "$handle" >/dev/null || fatal "account add bluesky $handle"
  CLEARPOST_ACCOUNT_SECRET=$secret as_ada account connect bluesky "$handle" --service "$PDS_URL" >/dev/null \
    || fatal "account connect bluesky $handle"
}

# The current UTC minute: due as soon as it is written.
due_now() { date -u '+%Y-%m-%d %H:%M'; }

# scheduled_post TEXT_FILE AT TARGET... [-- POST-NEW-ARGS...] -> prints the post id;
# new, submit, approve (ben), schedule: 4 calls.
scheduled_post() {
  local file=$1 at=$2 id args=()
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=(--target "bluesky:$1"); shift; done
  [ $# -gt 0 ] && shift  # the --
  args+=("$@")
  local made verdict
  made=$(as_ada --json post new --text-file "$file" --at "$at" --zone UTC "${args[@]}") || fatal "post new ($file)"
  id=$(pyj 'd["id"]' <<<"$made")
  verdict=$(pyj 'd["versions"][-1]["compliance"]["verdict"]' <<<"$made")
  as_ada post submit "$id" >/dev/null || fatal "post submit $id"
  if [ "$verdict" = block ]; then
    as_pia post approve "$id" --justification "Test account on a local server; no patient is named." >/dev/null \
      || fatal "post approve $id (privacy officer override)"
  else
    as_ben post approve "$id" >/dev/null || fatal "post approve $id"
  fi
  as_ada post schedule "$id" >/dev/null || fatal "post schedule $id"
  echo "$id"
}

# run_once [ARGS...]: clearpostctl run --once --json, stderr to the run log; prints the stats.
run_once() { ctl --json run --once "$@" 2>>"$RUNLOG"; }
