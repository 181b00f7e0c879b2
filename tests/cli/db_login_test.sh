#!/usr/bin/env bash
# Team mode: a desk role's database password lives in the desktop keyring
# (run inside with_keyring.sh: a real GNOME Keyring) or, for the service, in
# the systemd credential clearpost-db-password; never in the URI people type,
# in output or in files. A wrong password is refused and not kept.
# Usage: db_login_test.sh CLEARPOSTCTL SERVER_URI
set -euo pipefail
ctl=$1 server=$2
command -v psql >/dev/null || { echo "missing psql: run installer/install-deps.sh" >&2; exit 1; }
work=$(mktemp -d)
schema=db_login_$$_$RANDOM
role=desk_login_$$_$RANDOM
password="Desk password $RANDOM with spaces & signs=?%"
trap 'rm -rf "$work"; psql "$server" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true' EXIT
export XDG_CONFIG_HOME=${XDG_CONFIG_HOME:-$work/config} XDG_DATA_HOME=${XDG_DATA_HOME:-$work/data} TZ=UTC
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$work/out.txt
: > "$out"
run() { "$@" >> "$out" 2>&1; }
as_ada() { CLEARPOST_PASSWORD="ada has a long password" "$ctl" --as ada "$@"; }

# The service role (the cluster's owner here) sets the database up and
# grants a desk role, which must log in with a password.
psql "$server" -qc "CREATE SCHEMA $schema" >/dev/null
team="$server&options=-csearch_path%3D$schema"
run as_ada --db "$team" init --admin ada --org "Harbor Clinics" --zone America/New_York
psql "$server" -qc "DO \$\$ BEGIN CREATE ROLE clearpost_password_login NOLOGIN;
  EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
psql "$server" -qc "CREATE ROLE $role LOGIN PASSWORD '$password' IN ROLE clearpost_password_login" >/dev/null
run as_ada --db "$team" db grant "$role"
desk="${team/user=clearpost/user=$role}"

# No password anywhere yet: refused, saying where it goes.
if as_ada --db "$desk" user list > "$work/none.txt" 2>&1; then fail "connected without a password"; fi
grep -q "db login" "$work/none.txt" || fail "no hint to db login: $(cat "$work/none.txt")"

# A wrong password is refused and not kept.
if CLEARPOST_DB_PASSWORD="not it" "$ctl" --db "$desk" db login > "$work/wrong.txt" 2>&1; then
  fail "a wrong password was accepted"
fi
grep -q "password authentication failed" "$work/wrong.txt" || fail "wrong password: $(cat "$work/wrong.txt")"
if as_ada --db "$desk" user list >/dev/null 2>&1; then fail "the wrong password was kept"; fi

# The right one is kept in the keyring and used from then on.
CLEARPOST_DB_PASSWORD="$password" run "$ctl" --db "$desk" db login
as_ada --db "$desk" user list > "$work/users.txt" 2>&1 || fail "the stored password was not used: $(cat "$work/users.txt")"
grep -q "ada" "$work/users.txt" || fail "user list: $(cat "$work/users.txt")"
cat "$work/users.txt" "$work/none.txt" "$work/wrong.txt" >> "$out"

# The service: the same password as a systemd credential, no keyring.
run "$ctl" --db "$desk" db logout
if as_ada --db "$desk" user list >/dev/null 2>&1; then fail "the password was still used after db logout"; fi
mkdir -p "$work/credentials" && chmod 700 "$work/credentials"
printf '%s\n' "$password" > "$work/credentials/clearpost-db-password"
chmod 600 "$work/credentials/clearpost-db-password"
CREDENTIALS_DIRECTORY=$work/credentials DBUS_SESSION_BUS_ADDRESS= run as_ada --db "$desk" user list ||
  fail "the service credential was not used: $(tail -3 "$out")"
chmod 644 "$work/credentials/clearpost-db-password"
if CREDENTIALS_DIRECTORY=$work/credentials as_ada --db "$desk" user list > "$work/open.txt" 2>&1; then
  fail "a credential others can read was used"
fi
grep -q "other users" "$work/open.txt" || fail "readable credential: $(cat "$work/open.txt")"
cat "$work/open.txt" >> "$out"

# Nowhere in plain text: not in any output, not in any file of this home
# (the keyring's own file is encrypted).
leaks=$(grep -rlF "$password" "$out" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" ${HOME:+"$HOME"} 2>/dev/null || true)
[ -z "$leaks" ] || fail "the password appears in plain text in: $leaks"
echo "db login test passed: keyring and service credential used, wrong password refused, nothing in plain text"
