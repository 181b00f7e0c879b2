#!/usr/bin/env bash
# Runs the reference Bluesky PDS (@atproto/pds) with an in-memory PLC directory
# (@did-plc/server) on 127.0.0.1 for Clearpost's integration tests.
#
#   peer.sh install                               -> prints the node_modules directory
#   peer.sh start WORKDIR                         -> writes WORKDIR/env (see README.md)
#   peer.sh stop WORKDIR                          -> idempotent
#   peer.sh stop-pds WORKDIR                      -> stops only the PDS (an outage); PLC and data stay
#   peer.sh restart WORKDIR                       -> the PDS again: same port, data and secrets
#   peer.sh account WORKDIR HANDLE PASSWORD       -> prints the createAccount JSON
#   peer.sh app-password WORKDIR HANDLE PASSWORD NAME -> prints the app password
#
# Environment (all optional):
#   CLEARPOST_PEER_CACHE  cache root for node_modules (default $HOME/.cache/clearpost-peers)
#   PLC_PORT, PDS_PORT    fixed loopback ports (default: free ports picked at start)
#   PEER_START_TIMEOUT    seconds to wait for each server's health check (default 60)
#   PEER_STOP_TIMEOUT     seconds between SIGTERM and SIGKILL (default 10)
#   PEER_INVITE_REQUIRED  true|false: PDS requires invite codes (default true; `account` mints one)
#   PEER_EXIT_WITH_PID    the servers exit by themselves once this process is gone
#   PEER_LOG_LEVEL        PDS log level written to WORKDIR/pds.log (default warn)
#   NODE, NPM             the node and npm executables (default: from PATH)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODE=${NODE:-node}
NPM=${NPM:-npm}
START_TIMEOUT=${PEER_START_TIMEOUT:-60}
STOP_TIMEOUT=${PEER_STOP_TIMEOUT:-10}
LOOPBACK=127.0.0.1
# Never send loopback traffic through a proxy (curl here, axios/fetch inside the servers).
export no_proxy="localhost,127.0.0.1,::1${no_proxy:+,$no_proxy}"
export NO_PROXY="$no_proxy"

die() { echo "peer.sh: error: $*" >&2; exit 1; }
note() { echo "peer.sh: $*" >&2; }
now_ms() { date +%s%3N; }
elapsed() { local ms=$(( $(now_ms) - $1 )); printf '%d.%03d' $((ms / 1000)) $((ms % 1000)); }

usage() {
  sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

need_cmd() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH${2:+ ($2)}"; }

check_node() {
  need_cmd "$NODE" "install Node.js 20 or newer"
  local major
  major=$("$NODE" -p 'process.versions.node.split(".")[0]') || die "cannot run $NODE"
  [ "$major" -ge 20 ] || die "Node.js >= 20 required, found $("$NODE" -v)"
}

# ---------------------------------------------------------------- install

cache_dir() {
  local root hash
  root=${CLEARPOST_PEER_CACHE:-${HOME:-${TMPDIR:-/tmp}}/.cache/clearpost-peers}
  hash=$(sha256sum "$HERE/package-lock.json" | cut -c1-16) || die "cannot hash package-lock.json"
  echo "$root/atproto-$hash"
}

node_abi() { "$NODE" -p 'process.versions.modules'; }

# Loads the native module and both servers' entry points from DIR/node_modules.
verify_install() {
  (cd "$1" && "$NODE" -e '
    const db = require("better-sqlite3")(":memory:")
    db.prepare("select sqlite_version() as v").get()
    require("@atproto/pds"); require("@did-plc/server")') >/dev/null 2>&1
}

toolchain_env() {
  need_cmd "$NPM" "npm comes with Node.js"
  need_cmd make "apt-get install make"
  need_cmd g++ "apt-get install g++"
  need_cmd python3 "apt-get install python3 (node-gyp needs it)"
  # better-sqlite3 is compiled from source against the local Node headers:
  # never try to download a prebuilt binary or a header tarball.
  if [ -z "${npm_config_nodedir:-}" ]; then
    local prefix
    prefix=$(cd "$(dirname "$(readlink -f "$(command -v "$NODE")")")/.." && pwd)
    [ -f "$prefix/include/node/node.h" ] \
      || die "Node headers not found in $prefix/include/node (set npm_config_nodedir to a Node tree that has include/node)"
    export npm_config_nodedir=$prefix
  fi
  export npm_config_build_from_source=true
}

do_install() {
  check_node
  local dir abi
  dir=$(cache_dir)
  abi=$(node_abi)
  if [ "$(cat "$dir/.installed" 2>/dev/null)" = "node-abi=$abi" ]; then
    echo "$dir/node_modules"
    return 0
  fi
  mkdir -p "$(dirname "$dir")"
  need_cmd flock "util-linux"
  exec 9>"$dir.lock"
  flock -w 1200 9 || die "timed out waiting for another install into $dir"
  if [ "$(cat "$dir/.installed" 2>/dev/null)" = "node-abi=$abi" ]; then   # somebody else finished it
    exec 9>&-
    echo "$dir/node_modules"
    return 0
  fi
  toolchain_env
  local t0; t0=$(now_ms)
  if [ -f "$dir/.installed" ] && [ -d "$dir/node_modules/better-sqlite3" ]; then
    note "Node ABI changed: rebuilding better-sqlite3 in $dir"
    (cd "$dir" && nice -n 10 "$NPM" rebuild better-sqlite3 --no-audit --no-fund >"$dir/npm.log" 2>&1) \
      || { tail -n 40 "$dir/npm.log" >&2; die "npm rebuild failed (log: $dir/npm.log)"; }
  else
    note "installing @atproto/pds and @did-plc/server into $dir (npm ci; compiling better-sqlite3 takes a few minutes)"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$HERE/package.json" "$HERE/package-lock.json" "$dir/"
    (cd "$dir" && nice -n 10 "$NPM" ci --no-audit --no-fund --loglevel=warn >"$dir/npm.log" 2>&1) \
      || { tail -n 40 "$dir/npm.log" >&2; die "npm ci failed (log: $dir/npm.log)"; }
  fi
  verify_install "$dir" || die "installed modules do not load (better-sqlite3 build?) in $dir"
  echo "node-abi=$abi" >"$dir/.installed"
  exec 9>&-
  note "installed in $(elapsed "$t0") s"
  echo "$dir/node_modules"
}

# ---------------------------------------------------------------- helpers for WORKDIR

workdir_arg() {
  [ -n "${1:-}" ] || usage
  WORKDIR=$(cd "$1" 2>/dev/null && pwd) || die "no such directory: $1"
}

# Value of KEY in WORKDIR/env (no sourcing: the file is data).
env_get() {
  local line
  line=$(grep -m1 "^$1=" "$WORKDIR/env" 2>/dev/null) || return 1
  echo "${line#*=}"
}

load_env() {
  [ -f "$WORKDIR/env" ] || die "$WORKDIR/env not found: run 'peer.sh start $WORKDIR' first"
  PDS_URL=$(env_get PDS_URL) || die "PDS_URL missing in $WORKDIR/env"
  PDS_ADMIN_PASSWORD=$(env_get PDS_ADMIN_PASSWORD) || die "PDS_ADMIN_PASSWORD missing in $WORKDIR/env"
}

# True when PID is alive and is one of our launchers (guards against recycled PIDs).
is_ours() {
  local pid=$1 script=$2
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$HERE/$script"
}

stop_pid() {
  local pid=$1 script=$2 deadline
  is_ours "$pid" "$script" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$(( $(date +%s) + STOP_TIMEOUT ))
  while is_ours "$pid" "$script"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      note "$script (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
}

free_port() {
  "$NODE" -e '
    const s = require("net").createServer()
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

# wait_health NAME PID URL LOG
wait_health() {
  local name=$1 pid=$2 url=$3 log=$4 deadline
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  until curl -sf --noproxy '*' --max-time 2 -o /dev/null "$url"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      note "$name exited during start-up; last lines of $log:"
      tail -n 30 "$log" >&2
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      note "$name not healthy at $url after ${START_TIMEOUT}s; last lines of $log:"
      tail -n 30 "$log" >&2
      return 1
    fi
    sleep 0.1
  done
}

# ---------------------------------------------------------------- start / stop

do_stop() {
  [ -n "${1:-}" ] || usage
  if [ ! -d "$1" ]; then
    note "nothing to stop: no directory $1"
    return 0
  fi
  workdir_arg "$1"
  local pid
  pid=$(cat "$WORKDIR/pds.pid" 2>/dev/null || env_get PDS_PID || true)
  stop_pid "$pid" pds.js
  pid=$(cat "$WORKDIR/plc.pid" 2>/dev/null || env_get PLC_PID || true)
  stop_pid "$pid" plc.js
  rm -f "$WORKDIR/pds.pid" "$WORKDIR/plc.pid"
}

# The outage half of `restart`: only the PDS goes; the PLC (DIDs in memory) and the
# data directory stay.
do_stop_pds() {
  workdir_arg "${1:-}"
  stop_pid "$(cat "$WORKDIR/pds.pid" 2>/dev/null || env_get PDS_PID || true)" pds.js
  rm -f "$WORKDIR/pds.pid"
}

# The same PDS again: same port, data directory, JWT secret, admin password and
# rotation key, so accounts, records, app passwords and sessions survive. Needs the
# PLC of that start still running (it keeps the DIDs in memory only).
do_restart() {
  workdir_arg "${1:-}"
  [ -f "$WORKDIR/pds.secrets" ] && [ -f "$WORKDIR/env" ] && [ -d "$WORKDIR/pds-data" ] \
    || die "nothing to restart in $WORKDIR: run 'peer.sh start $WORKDIR' first"
  is_ours "$(env_get PLC_PID || true)" plc.js \
    || die "the PLC of $WORKDIR is not running (its DIDs were in memory only): 'peer.sh start' a fresh network"
  need_cmd curl "apt-get install curl"
  NODE_MODULES=$(do_install)
  do_stop_pds "$WORKDIR"
  local line pds_port plc_port tmp="$WORKDIR/env.tmp"
  ADMIN_PASSWORD=$(env_get PDS_ADMIN_PASSWORD) || die "PDS_ADMIN_PASSWORD missing in $WORKDIR/env"
  pds_port=$(env_get PDS_PORT) || die "PDS_PORT missing in $WORKDIR/env"
  plc_port=$(env_get PLC_PORT) || die "PLC_PORT missing in $WORKDIR/env"
  line=$(grep -m1 '^JWT_SECRET=' "$WORKDIR/pds.secrets") || die "no JWT_SECRET in $WORKDIR/pds.secrets"
  JWT_SECRET=${line#*=}
  line=$(grep -m1 '^ROTATION_KEY=' "$WORKDIR/pds.secrets") || die "no ROTATION_KEY in $WORKDIR/pds.secrets"
  ROTATION_KEY=${line#*=}
  start_pds "$plc_port" "$pds_port" || die "restart failed (log: $WORKDIR/pds.log)"
  (umask 077 && sed "s/^PDS_PID=.*/PDS_PID=$(cat "$WORKDIR/pds.pid")/" "$WORKDIR/env" >"$tmp")
  mv "$tmp" "$WORKDIR/env"
}

# Starts PLC then PDS once. Returns 1 on failure, 75 when a port was taken meanwhile.
start_once() {
  local plc_port=$1 pds_port=$2 plc_pid pds_pid t0
  rm -rf "$WORKDIR/pds-data"
  mkdir -p "$WORKDIR/pds-data/blobs"
  : >"$WORKDIR/pds.log"

  t0=$(now_ms)
  PLC_PORT=$plc_port PLC_BIND=$LOOPBACK PEER_EXIT_WITH_PID=${PEER_EXIT_WITH_PID:-} \
    NODE_PATH=$NODE_MODULES "$NODE" "$HERE/plc.js" </dev/null >"$WORKDIR/plc.log" 2>&1 &
  plc_pid=$!
  echo "$plc_pid" >"$WORKDIR/plc.pid"
  if ! wait_health PLC "$plc_pid" "http://$LOOPBACK:$plc_port/_health" "$WORKDIR/plc.log"; then
    grep -q EADDRINUSE "$WORKDIR/plc.log" && return 75 || return 1
  fi
  note "PLC up on $LOOPBACK:$plc_port in $(elapsed "$t0") s (pid $plc_pid)"

  # Kept so that `restart` brings the same PDS back (tokens stay valid).
  (umask 077 && printf 'JWT_SECRET=%s\nROTATION_KEY=%s\n' "$JWT_SECRET" "$ROTATION_KEY" >"$WORKDIR/pds.secrets")
  start_pds "$plc_port" "$pds_port" || return $?

  umask 077
  cat >"$WORKDIR/env.tmp" <<EOF
PDS_URL=http://localhost:$pds_port
PLC_URL=http://$LOOPBACK:$plc_port
PDS_PID=$(cat "$WORKDIR/pds.pid")
PLC_PID=$plc_pid
PDS_ADMIN_PASSWORD=$ADMIN_PASSWORD
PDS_PORT=$pds_port
PLC_PORT=$plc_port
EOF
  mv "$WORKDIR/env.tmp" "$WORKDIR/env"
}

# Starts the PDS on WORKDIR/pds-data as it is, with JWT_SECRET, ADMIN_PASSWORD and
# ROTATION_KEY. Returns 1 on failure, 75 when the port is taken. Appends to pds.log.
start_pds() {
  local plc_port=$1 pds_port=$2 pds_pid t0
  t0=$(now_ms)
  env PDS_HOSTNAME=localhost PDS_PORT="$pds_port" PDS_BIND=$LOOPBACK PDS_DEV_MODE=true \
    PDS_DATA_DIRECTORY="$WORKDIR/pds-data" PDS_BLOBSTORE_DISK_LOCATION="$WORKDIR/pds-data/blobs" \
    PDS_DID_PLC_URL="http://$LOOPBACK:$plc_port" \
    PDS_JWT_SECRET="$JWT_SECRET" PDS_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX="$ROTATION_KEY" \
    PDS_INVITE_REQUIRED="${PEER_INVITE_REQUIRED:-true}" PDS_RATE_LIMITS_ENABLED=false \
    PDS_CRAWLERS= LOG_ENABLED=true LOG_LEVEL="${PEER_LOG_LEVEL:-warn}" \
    PEER_EXIT_WITH_PID="${PEER_EXIT_WITH_PID:-}" NODE_PATH="$NODE_MODULES" \
    "$NODE" "$HERE/pds.js" </dev/null >>"$WORKDIR/pds.log" 2>&1 &
  pds_pid=$!
  echo "$pds_pid" >"$WORKDIR/pds.pid"
  if ! wait_health PDS "$pds_pid" "http://$LOOPBACK:$pds_port/xrpc/_health" "$WORKDIR/pds.log"; then
    tail -n 30 "$WORKDIR/pds.log" | grep -q EADDRINUSE && return 75 || return 1
  fi
  note "PDS up on $LOOPBACK:$pds_port in $(elapsed "$t0") s (pid $pds_pid)"
}

do_start() {
  [ -n "${1:-}" ] || usage
  mkdir -p "$1"
  workdir_arg "$1"
  need_cmd curl "apt-get install curl"
  NODE_MODULES=$(do_install)
  if is_ours "$(cat "$WORKDIR/pds.pid" 2>/dev/null)" pds.js || is_ours "$(cat "$WORKDIR/plc.pid" 2>/dev/null)" plc.js; then
    die "servers from an earlier start are still running in $WORKDIR: run 'peer.sh stop $WORKDIR' first"
  fi
  rm -f "$WORKDIR/env"
  # Per-run secrets.
  local secrets
  secrets=$("$NODE" -p 'const r = (n) => require("crypto").randomBytes(n).toString("hex"); [r(16), r(16), r(32)].join(" ")')
  read -r ADMIN_PASSWORD JWT_SECRET ROTATION_KEY <<<"$secrets"

  local attempt rc plc_port pds_port t0
  t0=$(now_ms)
  for attempt in 1 2 3; do
    plc_port=${PLC_PORT:-$(free_port)}
    pds_port=${PDS_PORT:-$(free_port)}
    while [ -z "${PDS_PORT:-}" ] && [ "$pds_port" = "$plc_port" ]; do pds_port=$(free_port); done
    rc=0
    start_once "$plc_port" "$pds_port" || rc=$?
    [ "$rc" -eq 0 ] && break
    do_stop "$WORKDIR" 2>/dev/null || true
    if [ "$rc" -eq 75 ] && [ -z "${PLC_PORT:-}${PDS_PORT:-}" ] && [ "$attempt" -lt 3 ]; then
      note "a picked port was taken meanwhile; retrying with new ports"
      continue
    fi
    die "start failed (logs: $WORKDIR/plc.log, $WORKDIR/pds.log)"
  done
  note "started in $(elapsed "$t0") s; settings in $WORKDIR/env"
}

# ---------------------------------------------------------------- XRPC calls

# xrpc METHOD NSID [curl args...]: sets STATUS and BODY; fails only when curl cannot connect.
xrpc() {
  local method=$1 nsid=$2 out
  shift 2
  out=$(curl -sS --noproxy '*' --max-time 60 -X "$method" -w '\n%{http_code}' "$PDS_URL/xrpc/$nsid" "$@") \
    || die "cannot reach $PDS_URL ($nsid)"
  STATUS=${out##*$'\n'}
  BODY=${out%$'\n'*}
}

expect_ok() {
  [ "$STATUS" = 200 ] || die "$1 failed: HTTP $STATUS $BODY"
}

# json_field FIELD < JSON  (FIELD like a.b.c; prints strings raw, anything else as JSON)
json_field() {
  "$NODE" -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      let v = JSON.parse(s)
      for (const k of process.argv[1].split(".")) v = v == null ? undefined : v[k]
      if (v === undefined) process.exit(3)
      console.log(typeof v === "string" ? v : JSON.stringify(v))
    })' "$1"
}

# json_object KEY VALUE ... -> {"KEY":"VALUE",...} with proper escaping
json_object() {
  "$NODE" -e '
    const a = process.argv.slice(1), o = {}
    for (let i = 0; i < a.length; i += 2) o[a[i]] = a[i + 1]
    console.log(JSON.stringify(o))' "$@"
}

do_account() {
  [ $# -eq 3 ] || usage
  workdir_arg "$1"
  local handle=$2 password=$3 invite_required invite body
  load_env
  xrpc GET com.atproto.server.describeServer
  expect_ok describeServer
  invite_required=$(json_field inviteCodeRequired <<<"$BODY" || echo false)
  local args=(handle "$handle" email "${handle%%.*}@example.com" password "$password")
  if [ "$invite_required" = true ]; then
    xrpc POST com.atproto.server.createInviteCode -u "admin:$PDS_ADMIN_PASSWORD" \
      -H 'content-type: application/json' -d '{"useCount":1}'
    expect_ok "createInviteCode (admin)"
    invite=$(json_field code <<<"$BODY") || die "no invite code in $BODY"
    args+=(inviteCode "$invite")
  fi
  body=$(json_object "${args[@]}")
  xrpc POST com.atproto.server.createAccount -H 'content-type: application/json' -d "$body"
  expect_ok "createAccount $handle"
  echo "$BODY"
}

do_app_password() {
  [ $# -eq 4 ] || usage
  workdir_arg "$1"
  local handle=$2 password=$3 name=$4 jwt
  load_env
  xrpc POST com.atproto.server.createSession -H 'content-type: application/json' \
    -d "$(json_object identifier "$handle" password "$password")"
  expect_ok "createSession $handle"
  jwt=$(json_field accessJwt <<<"$BODY")
  xrpc POST com.atproto.server.createAppPassword -H "authorization: Bearer $jwt" \
    -H 'content-type: application/json' -d "$(json_object name "$name")"
  expect_ok "createAppPassword '$name'"
  json_field password <<<"$BODY"
}

# ---------------------------------------------------------------- main

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  install) [ $# -eq 0 ] || usage; do_install ;;
  start) [ $# -eq 1 ] || usage; do_start "$1" ;;
  stop) [ $# -eq 1 ] || usage; do_stop "$1" ;;
  stop-pds) [ $# -eq 1 ] || usage; do_stop_pds "$1" ;;
  restart) [ $# -eq 1 ] || usage; do_restart "$1" ;;
  account) do_account "$@" ;;
  app-password) do_app_password "$@" ;;
  *) usage ;;
esac
