#!/usr/bin/env bash
# Starts the certified oidc-provider on 127.0.0.1 (peer.sh), runs the OAuth flow
# of core/oauth against it (oidc_flow_test), and stops it.
#
#   oidc_test.sh OIDC_FLOW_TEST_BINARY
#
# Environment: everything peer.sh takes, plus KEEP_WORKDIR=1 to keep the work
# directory (database, vault key, provider and browser logs) after the run.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 1 ] || { echo "usage: oidc_test.sh OIDC_FLOW_TEST_BINARY" >&2; exit 2; }
BINARY=$1
export NO_PROXY="localhost,127.0.0.1,::1${NO_PROXY:+,$NO_PROXY}" no_proxy="localhost,127.0.0.1,::1${no_proxy:+,$no_proxy}"

WORKDIR=$(mktemp -d -t clearpost-oidc.XXXXXX)
cleanup() {
  local rc=$?
  set +e
  "$HERE/peer.sh" stop "$WORKDIR" >/dev/null 2>&1
  if [ "$rc" -ne 0 ]; then
    for log in provider.log browser.log; do
      [ -f "$WORKDIR/$log" ] && { echo "--- last lines of $log" >&2; tail -n 20 "$WORKDIR/$log" >&2; }
    done
  fi
  if [ "${KEEP_WORKDIR:-0}" = 1 ]; then echo "work directory kept: $WORKDIR"; else rm -rf "$WORKDIR"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PEER_EXIT_WITH_PID=$$ "$HERE/peer.sh" start "$WORKDIR/peer"
ISSUER=$(grep -m1 '^ISSUER=' "$WORKDIR/peer/env" | cut -d= -f2-)
# The test's browser is a separate process, like a real one; its trace goes here.
# XDG_CONFIG_HOME keeps anything the code under test might write out of the user's own.
mkdir -p "$WORKDIR/run"
OIDC_BROWSER_LOG="$WORKDIR/browser.log" XDG_CONFIG_HOME="$WORKDIR/run/xdg" \
  "$BINARY" run "$ISSUER" "$WORKDIR/run" "$HERE/browser.sh"
