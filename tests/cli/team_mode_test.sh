#!/usr/bin/env bash
# Team mode from the command line, on the throwaway PostgreSQL server: a desk
# database moves to the server with `db migrate-to` (its audit chain intact),
# the admin grants a desk role, and an approver working through that role
# approves a post; the log verifies from the desk, the anchor moved with it,
# and the desk role cannot rewrite the log, its anchor or grant itself more.
# Usage: team_mode_test.sh CLEARPOSTCTL SERVER_URI
set -euo pipefail
ctl=$1 server=$2
command -v psql >/dev/null || { echo "missing psql: run installer/install-deps.sh" >&2; exit 1; }
work=$(mktemp -d)
schema=team_cli_$$_$RANDOM
desk_role=desk_$$_$RANDOM
trap 'rm -rf "$work"; psql "$server" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true' EXIT
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data HOME=$work TZ=UTC
fail() { echo "FAIL: $*" >&2; exit 1; }
as_ada() { CLEARPOST_PASSWORD="ada has a long password" "$ctl" --as ada "$@"; }

# One desk's history, in its SQLite file.
desk_db=$work/desk.db
as_ada --db "$desk_db" init --admin ada --org "Harbor Clinics" --zone America/New_York >/dev/null
CLEARPOST_NEW_PASSWORD="bob has a long password" as_ada --db "$desk_db" user add bob --role approver >/dev/null
as_ada --db "$desk_db" account add bluesky clinic.example >/dev/null
as_ada --db "$desk_db" post new --text "Flu shots this Saturday, 9 to noon" \
  --target bluesky:clinic.example --at "2030-11-02 09:00" >/dev/null
as_ada --db "$desk_db" post submit 1 >/dev/null
entries=$(as_ada --db "$desk_db" --json audit verify | sed -n 's/.*"entries": *\([0-9]*\).*/\1/p')
[ "${entries:-0}" -gt 0 ] || fail "the desk database has no audit entries"

# The service role (the cluster's owner here) moves it to the server.
psql "$server" -qc "CREATE SCHEMA $schema" >/dev/null
team="$server&options=-csearch_path%3D$schema"
as_ada --db "$desk_db" db migrate-to "$team" > "$work/migrate.txt" || fail "migrate-to: $(cat "$work/migrate.txt")"
grep -q "audit chain verifies ($entries entries)" "$work/migrate.txt" || fail "migrate-to: $(cat "$work/migrate.txt")"
anchor=$(psql "$team" -Atc "SELECT seq FROM audit_anchor")
[ "$anchor" = "$entries" ] || fail "the server's anchor is at $anchor, the copied log has $entries entries"

# A desk role, granted by the admin through clearpostctl.
psql "$server" -qc "CREATE ROLE $desk_role LOGIN" >/dev/null
as_ada --db "$team" db grant "$desk_role" >/dev/null
desk="${team/user=clearpost/user=$desk_role}"
[ "$desk" != "$team" ] || fail "the server URI names no user to replace"

# Bob approves at a desk, through the desk role.
CLEARPOST_PASSWORD="bob has a long password" "$ctl" --db "$desk" --as bob post approve 1 >/dev/null ||
  fail "the desk role could not approve"
as_ada --db "$desk" --json post show 1 | grep -q '"state": *"Approved"' || fail "post 1 is not Approved"
as_ada --db "$desk" audit verify > "$work/verify.txt" || fail "audit verify from the desk: $(cat "$work/verify.txt")"
moved=$(psql "$team" -Atc "SELECT seq FROM audit_anchor")
[ "$moved" -gt "$anchor" ] || fail "the anchor did not move with the desk's approval ($anchor -> $moved)"

# What the desk role may not do, straight through SQL.
refused() {
  local out
  out=$(psql "$desk" -Atc "$1" 2>&1) && fail "the desk role was allowed to: $1"
  grep -q "$2" <<<"$out" || fail "$1: expected \"$2\", got: $out"
}
refused "UPDATE audit_log SET actor = 'mallory'" "permission denied"
refused "DELETE FROM audit_log" "permission denied"
refused "UPDATE audit_anchor SET seq = 1" "permission denied"
refused "SELECT clearpost_grant_desk('$desk_role')" "permission denied"
# ... nor through clearpostctl: granting is the service role's.
if as_ada --db "$desk" db grant "$desk_role" > "$work/grant.txt" 2>&1; then fail "a desk role granted rights"; fi
grep -q "may not do that" "$work/grant.txt" || fail "db grant from a desk: $(cat "$work/grant.txt")"

# On a SQLite file there are no roles to grant, and it says so.
if as_ada --db "$desk_db" db grant "$desk_role" > "$work/sqlite.txt" 2>&1; then fail "db grant on SQLite succeeded"; fi
grep -q "PostgreSQL" "$work/sqlite.txt" || fail "db grant on SQLite: $(cat "$work/sqlite.txt")"
echo "team mode test passed: $entries entries moved, anchor $anchor -> $moved, the desk role appends only"
