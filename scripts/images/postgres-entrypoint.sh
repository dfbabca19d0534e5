#!/bin/bash
# holdfast/postgres's entrypoint: makes a cluster in $PGDATA on first start, then runs PostgreSQL
# in the foreground (docs/images.md). The variable names are the official image's.
#   PGDATA                     data directory (default /var/lib/postgresql/data: mount a volume; /tmp/... for throwaway runs)
#   PGPORT                     port (default 5432; the container tier uses host networking and 30000-30229)
#   POSTGRES_LISTEN_ADDRESSES  listen_addresses (default '*'; 127.0.0.1 with host networking)
#   POSTGRES_USER              the superuser made at initialisation (default postgres)
#   POSTGRES_PASSWORD          its password (required, unless POSTGRES_HOST_AUTH_METHOD=trust)
#   POSTGRES_DB                a database made at initialisation, owned by POSTGRES_USER (optional)
#   POSTGRES_HOST_AUTH_METHOD  pg_hba method for TCP clients (default scram-sha-256)
# Further arguments go to postgres, e.g. `-c fsync=off` for tests.
set -euo pipefail

PGDATA="${PGDATA:-/var/lib/postgresql/data}"
PGPORT="${PGPORT:-5432}"
USER_NAME="${POSTGRES_USER:-postgres}"
AUTH="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
# The socket goes to /tmp: the only place we may write besides PGDATA.
SOCKETS=/tmp
export PGDATA PGPORT

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$AUTH" != trust ]; then
    echo "holdfast-postgres: set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust for a throwaway server)" >&2
    exit 1
  fi
  mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
  pwargs=()
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    # A file, never an argument: arguments are visible to every process on the host.
    pwfile="$(umask 077 && mktemp /tmp/pgpass.XXXXXX)"
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    pwargs=(--pwfile="$pwfile")
  fi
  initdb --username="$USER_NAME" --auth-local=trust --auth-host="$AUTH" --encoding=UTF8 --locale=C.UTF-8 \
    "${pwargs[@]}" >/dev/null
  rm -f "${pwfile:-}"
  # initdb lets TCP in from loopback only; a container is reached from outside it.
  printf 'host all all all %s\n' "$AUTH" >>"$PGDATA/pg_hba.conf"
  if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != postgres ]; then
    # A server on the socket only, long enough to make the database.
    pg_ctl -D "$PGDATA" -w -s -o "-c listen_addresses='' -c unix_socket_directories=$SOCKETS" start
    createdb -h "$SOCKETS" -U "$USER_NAME" -O "$USER_NAME" -- "$POSTGRES_DB"
    pg_ctl -D "$PGDATA" -w -s -m fast stop
  fi
  echo "holdfast-postgres: initialised $PGDATA"
fi

exec postgres -D "$PGDATA" -p "$PGPORT" -c listen_addresses="${POSTGRES_LISTEN_ADDRESSES:-*}" \
  -c unix_socket_directories="$SOCKETS" "$@"
