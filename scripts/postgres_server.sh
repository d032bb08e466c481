#!/usr/bin/env bash
# Start (or reuse) a throwaway PostgreSQL server on loopback for the PostgreSQL build and tests.
#   scripts/postgres_server.sh start|stop|status
# Settings: OI_PG_PORT (default 54329), OI_PG_DATA (default /tmp/oi-postgres-$OI_PG_PORT).
# Installs Debian's postgresql package when the server binaries are absent (CI machines).
set -euo pipefail
port="${OI_PG_PORT:-54329}"
data="${OI_PG_DATA:-/tmp/oi-postgres-$port}"
action="${1:-start}"

as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo -n); fi  # never prompt for a password

bindir() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    echo "$found"
}

if [ -z "$(bindir)" ] || [ ! -x "$(bindir)/initdb" ]; then
    echo "installing PostgreSQL (Debian package postgresql)"
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq postgresql >/dev/null
fi
bin="$(bindir)"

# initdb refuses to run as root: run the server as the postgres system user then.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then as_owner=(runuser -u postgres --); fi

case "$action" in
    start)
        if [ ! -f "$data/PG_VERSION" ]; then
            mkdir -p "$data"
            if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$data"; fi
            "${as_owner[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
        fi
        if ! "${as_owner[@]}" "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
            "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
                -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
                start >/dev/null
        fi
        echo "PostgreSQL running on 127.0.0.1:$port (data $data)"
        ;;
    stop)
        if [ -f "$data/PG_VERSION" ]; then "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -w stop -m fast >/dev/null || true; fi
        echo "PostgreSQL on port $port stopped"
        ;;
    status)
        "${as_owner[@]}" "$bin/pg_ctl" -D "$data" status
        ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
