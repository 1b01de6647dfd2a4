#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests (the `.postgres` store backend and PostgresStoreTests).
#
#   scripts/postgres-test-server.sh [start]   starts one (or finds the one running) and prints its URL
#   scripts/postgres-test-server.sh stop      stops it and deletes its data
#
#   GLO_TEST_POSTGRES_URL=$(scripts/postgres-test-server.sh) swift test --filter 'StoreContract|PostgresStore'
#
# Only the URL goes to stdout; everything else goes to stderr. The server keeps its data under
# $GLO_PG_DIR (default /tmp/glo-postgres-test), listens on 127.0.0.1 only (a free port), trusts
# connections from there (no passwords: it is for tests only) and runs with fsync on, like production.
# Works with PostgreSQL from /usr/local/bin or Debian's `apt-get install postgresql`
# (/usr/lib/postgresql/<version>/bin). initdb and postgres refuse to run as root, so as root they run
# as the `postgres` user (created if missing).
set -euo pipefail
# initdb and postgres run as another user, who may not be allowed into the caller's folder.
cd /

mode=${1:-start}
dir=${GLO_PG_DIR:-/tmp/glo-postgres-test}
role=glo
database=glo_test

log() { echo "postgres-test-server: $*" >&2; }

find_bin() {
    local name=$1 d
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/$name" ]; then echo "$d/$name"; return; fi
    done
    log "cannot find $name: install PostgreSQL (Debian: apt-get install -y postgresql)"
    exit 1
}

# Runs a command as the user that owns the cluster (not root).
as_owner() {
    if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
    if command -v runuser >/dev/null 2>&1; then runuser -u "$owner" -- "$@"; return; fi
    su -s /bin/sh "$owner" -c "$(printf '%q ' "$@")"
}

pick_owner() {
    if [ "$(id -u)" -ne 0 ]; then owner=$(id -un); return; fi
    owner=postgres
    if ! id "$owner" >/dev/null 2>&1; then
        log "creating the system user $owner (initdb refuses root)"
        useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
    fi
}

is_running() {
    [ -f "$dir/port" ] && [ -f "$dir/data/postmaster.pid" ] &&
        "$pg_isready" -q -h 127.0.0.1 -p "$(cat "$dir/port")" >/dev/null 2>&1
}

free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$(( 20000 + RANDOM % 30000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
    log "no free port found"
    exit 1
}

# A fresh Debian machine (CI) has no server: install Debian's when we may.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    log "installing postgresql from Debian's packages"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
fi
initdb=$(find_bin initdb)
pg_ctl=$(find_bin pg_ctl)
pg_isready=$(find_bin pg_isready)
psql=$(find_bin psql)
pick_owner

case "$mode" in
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$dir"
    log "stopped"
    exit 0
    ;;
start) ;;
*)
    log "usage: $0 [start|stop]"
    exit 2
    ;;
esac

if is_running; then
    echo "postgres://$role@127.0.0.1:$(cat "$dir/port")/$database"
    exit 0
fi

# Whatever is left of an earlier run (a stopped or crashed server) goes.
if [ -f "$dir/data/postmaster.pid" ]; then as_owner "$pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
rm -rf "$dir"
mkdir -p "$dir"
chmod 700 "$dir"
[ "$(id -u)" -eq 0 ] && chown "$owner" "$dir"

port=$(free_port)
log "initdb in $dir/data (as $owner)"
as_owner "$initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    as_owner "$initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
}
# Trust only the loopback address (and the cluster's own socket, which is in $dir).
cat >"$dir/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
[ "$(id -u)" -eq 0 ] && chown "$owner" "$dir/pg_hba.conf"

as_owner "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c hba_file=$dir/pg_hba.conf \
     -c fsync=on -c synchronous_commit=on -c max_connections=400 -c shared_buffers=32MB" >&2 || {
    cat "$dir/server.log" >&2
    exit 1
}
for _ in $(seq 1 100); do
    if "$pg_isready" -q -h 127.0.0.1 -p "$port"; then break; fi
    sleep 0.1
done
"$pg_isready" -q -h 127.0.0.1 -p "$port" || { log "the server did not become ready"; cat "$dir/server.log" >&2; exit 1; }
echo "$port" >"$dir/port"

"$psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres >&2 <<EOF
CREATE ROLE $role LOGIN CREATEDB;
CREATE DATABASE $database OWNER $role;
EOF
log "running on 127.0.0.1:$port (data in $dir; stop with: $0 stop)"
echo "postgres://$role@127.0.0.1:$port/$database"
