#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite.
#   postgres_cluster.sh start DIR PORT   initdb + start; data and socket in DIR
#   postgres_cluster.sh stop DIR         stop it and remove DIR
# No TCP listener (a Unix socket in DIR only), trust auth for the superuser
# "clearpost" (members of the role clearpost_password_login must give their
# password), durability off: it lives for one test run.
set -euo pipefail
action=${1:?start|stop}
dir=${2:?directory}
port=${3:-5499}

bindir=$(pg_config --bindir 2>/dev/null || true)
if [ ! -x "$bindir/initdb" ]; then
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir=$d; done
fi
if [ ! -x "$bindir/initdb" ]; then
  echo "postgres_cluster: the PostgreSQL server (initdb, pg_ctl) is not installed; run installer/install-deps.sh" >&2
  exit 1
fi

# The server refuses to run as root: then it runs as the "postgres" system
# user that Debian's package creates (or nobody).
owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  id -u "$owner" >/dev/null 2>&1 || owner=nobody
fi
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$owner" -- "$@"; else "$@"; fi
}

stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "$action" in
  start)
    stop
    mkdir -p "$dir"
    chown "$owner" "$dir"
    chmod 700 "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -U clearpost -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # The first matching line wins: password logins for the tests that need them.
    as_owner sed -i '1i local all +clearpost_password_login scram-sha-256' "$dir/data/pg_hba.conf"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses= -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    # Let the test processes (possibly another user) reach the socket.
    chmod 755 "$dir"
    echo "postgres_cluster: server up on socket $dir port $port"
    ;;
  stop)
    stop
    ;;
  *)
    echo "usage: $0 start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
