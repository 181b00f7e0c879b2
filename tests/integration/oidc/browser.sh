#!/usr/bin/env bash
# The test's stand-in for the system browser: given an authorisation URL of the
# loopback oidc-provider, it signs in and consents on the development
# interaction pages (any login name, any password), then follows the redirect
# to the app's loopback listener, as a person with a browser would.
#
#   browser.sh AUTHORIZATION_URL
#
# Environment: OIDC_LOGIN (default "alice"), OIDC_BROWSER_LOG (append a trace
# there; default: none). Exits 0 once the loopback listener answered.
set -euo pipefail
export NO_PROXY="localhost,127.0.0.1,::1${NO_PROXY:+,$NO_PROXY}" no_proxy="localhost,127.0.0.1,::1${no_proxy:+,$no_proxy}"
[ $# -eq 1 ] || { echo "usage: browser.sh AUTHORIZATION_URL" >&2; exit 2; }
url=$1
log=${OIDC_BROWSER_LOG:-/dev/null}
origin=$(printf '%s' "$url" | sed -E 's#^(https?://[^/]+).*#\1#')
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
trace() { echo "browser.sh: $*" >>"$log"; }

# location METHOD URL [curl args...]: prints the Location of the answer (no following).
location() {
  local method=$1 target=$2
  shift 2
  curl -sS --max-time 20 -o /dev/null -D - -b "$jar" -c "$jar" -X "$method" "$@" "$target" |
    tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }'
}
absolute() { case "$1" in http://* | https://*) echo "$1" ;; *) echo "$origin$1" ;; esac; }

for step in 1 2 3 4 5 6 7 8 9 10; do
  case "$url" in
    "$origin"/interaction/*)
      page=$(curl -sS --max-time 20 -b "$jar" -c "$jar" "$url")
      if grep -q 'name="prompt" value="login"' <<<"$page"; then
        trace "step $step: sign in"
        next=$(location POST "$url" --data-urlencode prompt=login --data-urlencode "login=${OIDC_LOGIN:-alice}" \
          --data-urlencode password=anything)
      elif grep -q 'name="prompt" value="consent"' <<<"$page"; then
        trace "step $step: consent"
        next=$(location POST "$url" --data-urlencode prompt=consent)
      else
        trace "step $step: unknown interaction page"; echo "browser.sh: unknown interaction page at $url" >&2; exit 1
      fi
      ;;
    "$origin"/*)
      trace "step $step: follow"
      next=$(location GET "$url")
      ;;
    *)
      # Left the provider: this is the app's redirect URI on loopback.
      trace "step $step: redirect to the app"
      body=$(curl -sS --max-time 20 "$url")
      grep -q 'close this tab' <<<"$body" || { trace "unexpected page: $body"; exit 1; }
      trace "done"
      exit 0
      ;;
  esac
  [ -n "$next" ] || { trace "no redirect from $url"; echo "browser.sh: no redirect from $url" >&2; exit 1; }
  url=$(absolute "$next")
done
echo "browser.sh: too many redirects" >&2
exit 1
