#!/usr/bin/env bash
# Runs a test against a real Secret Service: a private D-Bus session with
# GNOME Keyring started and unlocked inside it, in a throwaway home folder
# (the vault's keyring test, the database password test).
# Usage: with_keyring.sh COMMAND [ARGS...]
# Where dbus-run-session or gnome-keyring-daemon is missing it says so and
# exits 0 (skipped), as the other tests that need a peer do.
set -euo pipefail

if [ -z "${CLEARPOST_IN_KEYRING_SESSION:-}" ]; then
  for tool in dbus-run-session gnome-keyring-daemon dbus-send; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "skipped: $tool is not installed (Debian: dbus, gnome-keyring); installer/install-deps.sh installs them"
      exit 0
    fi
  done
  export CLEARPOST_IN_KEYRING_SESSION=1
  exec dbus-run-session -- bash "$0" "$@"
fi

home=$(mktemp -d)
keyring_pid=
cleanup() {
  if [ -n "$keyring_pid" ]; then kill "$keyring_pid" 2>/dev/null || true; wait "$keyring_pid" 2>/dev/null || true; fi
  rm -rf "$home"
}
trap cleanup EXIT
export HOME=$home XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config XDG_RUNTIME_DIR=$home/run
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# A new login keyring, created and unlocked with this password.
gnome-keyring-daemon --foreground --unlock --components=secrets < <(printf 'clearpost-test-keyring\n') >/dev/null 2>&1 &
keyring_pid=$!

for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
       string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    break
  fi
  sleep 0.1
done

"$@" 2>&1 | tee "$home/out.txt" | tail -n 5
status=${PIPESTATUS[0]}
if grep -q "skipped: no Secret Service" "$home/out.txt"; then
  echo "the Secret Service started for this test did not answer" >&2
  exit 1
fi
exit "$status"
