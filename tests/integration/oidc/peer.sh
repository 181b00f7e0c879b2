#!/usr/bin/env bash
# Runs the certified oidc-provider (npm, pinned by package-lock.json) on 127.0.0.1
# for Clearpost's OAuth integration test.
#
#   peer.sh install          -> prints the node_modules directory (cached, keyed on the lock file)
#   peer.sh start WORKDIR    -> writes WORKDIR/env (ISSUER, PORT, PID); log in WORKDIR/provider.log
#   peer.sh stop WORKDIR     -> idempotent
#
# Environment (all optional):
#   CLEARPOST_PEER_CACHE  cache root for node_modules (default $HOME/.cache/clearpost-peers)
#   OIDC_PORT             fixed loopback port (default: a free one, chosen by the provider)
#   PEER_START_TIMEOUT    seconds to wait for the discovery document (default 60)
#   PEER_STOP_TIMEOUT     seconds between SIGTERM and SIGKILL (default 10)
#   PEER_EXIT_WITH_PID    the provider exits by itself once this process is gone
#   NODE, NPM             the node and npm executables (default: from PATH)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODE=${NODE:-node}
NPM=${NPM:-npm}
START_TIMEOUT=${PEER_START_TIMEOUT:-60}
STOP_TIMEOUT=${PEER_STOP_TIMEOUT:-10}
# Loopback traffic never goes through a proxy.
export no_proxy="localhost,127.0.0.1,::1${no_proxy:+,$no_proxy}"
export NO_PROXY="$no_proxy"

die() { echo "peer.sh: error: $*" >&2; exit 1; }
note() { echo "peer.sh: $*" >&2; }
usage() { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH${2:+ ($2)}"; }

check_node() {
  need_cmd "$NODE" "install Node.js 20 or newer"
  local major
  major=$("$NODE" -p 'process.versions.node.split(".")[0]') || die "cannot run $NODE"
  [ "$major" -ge 20 ] || die "Node.js >= 20 required, found $("$NODE" -v)"
}

cache_dir() {
  local root hash
  root=${CLEARPOST_PEER_CACHE:-${HOME:?set HOME or CLEARPOST_PEER_CACHE}/.cache/clearpost-peers}
  hash=$(sha256sum "$HERE/package-lock.json" | cut -c1-16) || die "cannot hash package-lock.json"
  echo "$root/oidc-$hash"
}

do_install() {
  check_node
  local dir
  dir=$(cache_dir)
  if [ -f "$dir/.installed" ]; then echo "$dir/node_modules"; return 0; fi
  need_cmd "$NPM" "npm comes with Node.js"
  need_cmd flock "util-linux"
  mkdir -p "$(dirname "$dir")"
  exec 9>"$dir.lock"
  flock -w 600 9 || die "timed out waiting for another install into $dir"
  if [ ! -f "$dir/.installed" ]; then   # nobody else finished it meanwhile
    note "installing oidc-provider into $dir (npm ci)"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$HERE/package.json" "$HERE/package-lock.json" "$dir/"
    (cd "$dir" && "$NPM" ci --no-audit --no-fund --ignore-scripts --loglevel=warn >"$dir/npm.log" 2>&1) \
      || { tail -n 40 "$dir/npm.log" >&2; die "npm ci failed (log: $dir/npm.log)"; }
    (cd "$dir" && "$NODE" --input-type=module -e 'await import("oidc-provider")') >/dev/null 2>&1 \
      || die "oidc-provider does not load from $dir"
    touch "$dir/.installed"
  fi
  exec 9>&-
  echo "$dir/node_modules"
}

workdir_arg() {
  [ -n "${1:-}" ] || usage
  WORKDIR=$(cd "$1" 2>/dev/null && pwd) || die "no such directory: $1"
}

# True when PID is alive and runs our provider.mjs (guards against recycled PIDs).
is_ours() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$WORKDIR/provider.mjs"
}

do_stop() {
  [ -n "${1:-}" ] || usage
  [ -d "$1" ] || { note "nothing to stop: no directory $1"; return 0; }
  workdir_arg "$1"
  local pid deadline
  pid=$(cat "$WORKDIR/provider.pid" 2>/dev/null || true)
  if is_ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$(( $(date +%s) + STOP_TIMEOUT ))
    while is_ours "$pid"; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        note "provider (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.1
    done
  fi
  rm -f "$WORKDIR/provider.pid"
}

do_start() {
  [ -n "${1:-}" ] || usage
  mkdir -p "$1"
  workdir_arg "$1"
  need_cmd curl "apt-get install curl"
  local modules pid port deadline
  modules=$(do_install)
  is_ours "$(cat "$WORKDIR/provider.pid" 2>/dev/null || true)" \
    && die "a provider from an earlier start still runs in $WORKDIR: run 'peer.sh stop $WORKDIR' first"
  # ES modules resolve packages from the script's folder, not NODE_PATH: the
  # script runs from WORKDIR with node_modules linked beside it.
  cp "$HERE/provider.mjs" "$WORKDIR/provider.mjs"
  ln -sfn "$modules" "$WORKDIR/node_modules"
  rm -f "$WORKDIR/env" "$WORKDIR/port"
  PORT=${OIDC_PORT:-0} PORT_FILE="$WORKDIR/port" PEER_EXIT_WITH_PID=${PEER_EXIT_WITH_PID:-} \
    "$NODE" "$WORKDIR/provider.mjs" </dev/null >"$WORKDIR/provider.log" 2>&1 &
  pid=$!
  echo "$pid" >"$WORKDIR/provider.pid"
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  until [ -s "$WORKDIR/port" ] &&
    curl -sf --noproxy '*' --max-time 2 -o /dev/null "http://127.0.0.1:$(cat "$WORKDIR/port")/.well-known/openid-configuration"; do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$WORKDIR/provider.log" >&2; die "the provider exited during start-up"; }
    [ "$(date +%s)" -lt "$deadline" ] || { tail -n 30 "$WORKDIR/provider.log" >&2; do_stop "$WORKDIR"; die "the provider did not start within ${START_TIMEOUT}s"; }
    sleep 0.1
  done
  port=$(cat "$WORKDIR/port")
  (umask 077 && printf 'ISSUER=http://127.0.0.1:%s\nPORT=%s\nPID=%s\n' "$port" "$port" "$pid" >"$WORKDIR/env.tmp")
  mv "$WORKDIR/env.tmp" "$WORKDIR/env"
  note "oidc-provider up on 127.0.0.1:$port (pid $pid)"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  install) [ $# -eq 0 ] || usage; do_install ;;
  start) [ $# -eq 1 ] || usage; do_start "$1" ;;
  stop) [ $# -eq 1 ] || usage; do_stop "$1" ;;
  *) usage ;;
esac
