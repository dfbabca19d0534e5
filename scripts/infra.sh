#!/usr/bin/env bash
# Project-local PostgreSQL and Redis for development and tests: `infra.sh start | stop | status | env`.
# - Data lives under .data/ (git-ignored); each server listens on 127.0.0.1 only, on its own port,
#   with a password generated at first start and kept in .data/local.env (mode 600).
# - Missing servers are installed from Debian packages.
# - A DATABASE_URL or REDIS_HOST given by the user wins: that server is then neither installed nor started.
# - `start` is idempotent; `stop` stops only what this script started.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA="${HOLDFAST_DATA_DIR:-$ROOT/.data}"
PG_PORT="${HOLDFAST_PG_PORT:-54320}"
REDIS_LOCAL_PORT="${HOLDFAST_REDIS_PORT:-63790}"
PG_DB="${HOLDFAST_PG_DATABASE:-holdfast}"
# The tests get their own database, so `npm test` never touches what `npm start` runs on.
PG_DATABASES=(holdfast holdfast_test)
LOCAL_ENV="$DATA/local.env"

# One infra.sh at a time per data folder: two first runs must not both generate a password.
mkdir -p "$DATA"
exec 9>"$DATA/.infra.lock"
flock 9

# Runs a server's start command without any descriptor beyond stdin, stdout and stderr. A server
# would hold every lock it inherits for its lifetime: ours (fd 9), and a caller's, since `flock
# FILE cmd` hands its locked descriptor (fd 3, usually) to cmd and to all it starts: `flock
# /tmp/holdfast-integration.lock npm test` started the servers and kept that lock after the tests.
without_inherited_fds() {
  local fd closes=''
  for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    # 255: bash's own copy of this script (close-on-exec already; closing it would end the script).
    if [[ $fd =~ ^[0-9]+$ ]] && (( fd > 2 && fd != 255 )); then closes+=" $fd>&-"; fi
  done
  eval "\"\$@\"$closes"
}

log() { echo "infra: $*"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_install() {
  log "installing $* from Debian packages"
  if [[ $(id -u) -ne 0 ]]; then echo "infra: need root to apt-get install $* (or set DATABASE_URL / REDIS_HOST)" >&2; exit 1; fi
  # apt-get update once per machine run; a stale list can miss packages.
  if [[ ! -f /tmp/.holdfast-apt-updated ]]; then apt-get update -qq && touch /tmp/.holdfast-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [[ -n "$dir" && -x "$dir/initdb" ]] && echo "$dir"
}

# PostgreSQL refuses to run as root; as root we run it as the `postgres` user the package creates.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_secret() { # KEY -> prints the value, generating and persisting it on first use
  local key=$1 value
  mkdir -p "$DATA"; (umask 077; touch "$LOCAL_ENV")
  value=$(sed -n "s/^$key=//p" "$LOCAL_ENV")
  if [[ -z "$value" ]]; then
    value=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    echo "$key=$value" >> "$LOCAL_ENV"
  fi
  echo "$value"
}

pg_running() { [[ -n "$(pg_bindir)" ]] && as_pg "$(pg_bindir)/pg_ctl" -D "$DATA/postgres" status >/dev/null 2>&1; }

start_postgres() {
  if [[ -n "${DATABASE_URL:-}" ]]; then log "DATABASE_URL is set: using that PostgreSQL"; return; fi
  [[ -n "$(pg_bindir)" ]] || apt_install postgresql
  local bin; bin=$(pg_bindir)
  local password; password=$(ensure_secret HOLDFAST_PG_PASSWORD)
  if [[ ! -f "$DATA/postgres/PG_VERSION" ]]; then
    log "initialising a PostgreSQL cluster in $DATA/postgres"
    mkdir -p "$DATA/postgres" "$DATA/run"
    local pwfile="$DATA/run/pwfile"; (umask 077; printf '%s\n' "$password" > "$pwfile")
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$DATA/postgres" "$DATA/run" "$pwfile"; fi
    as_pg "$bin/initdb" -D "$DATA/postgres" -U holdfast --pwfile="$pwfile" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
  fi
  if pg_running; then
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  elif port_in_use "$PG_PORT"; then
    echo "infra: port $PG_PORT is taken by another process (another checkout's PostgreSQL?); set HOLDFAST_PG_PORT or stop it" >&2; exit 1
  else
    mkdir -p "$DATA/run"; [[ $(id -u) -eq 0 ]] && chown postgres "$DATA/run"
    without_inherited_fds as_pg "$bin/pg_ctl" -D "$DATA/postgres" -l "$DATA/run/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $DATA/run -c max_connections=200" start >/dev/null
    log "PostgreSQL started on 127.0.0.1:$PG_PORT"
  fi
  for db in "${PG_DATABASES[@]}" "$PG_DB"; do
    if ! PGPASSWORD=$password "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U holdfast -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
      PGPASSWORD=$password "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U holdfast "$db"
      log "created database $db"
    fi
  done
}

# The password goes through the environment, not the command line, where `ps` would show it.
redis_cli() { REDISCLI_AUTH="$(ensure_secret HOLDFAST_REDIS_PASSWORD)" redis-cli -h 127.0.0.1 -p "$REDIS_LOCAL_PORT" "$@"; }

start_redis() {
  if [[ -n "${REDIS_HOST:-}" ]]; then log "REDIS_HOST is set: using that Redis"; return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  local password; password=$(ensure_secret HOLDFAST_REDIS_PASSWORD)
  if redis_cli ping 2>/dev/null | grep -q PONG; then
    log "Redis already running on 127.0.0.1:$REDIS_LOCAL_PORT"; return
  fi
  if port_in_use "$REDIS_LOCAL_PORT"; then
    echo "infra: port $REDIS_LOCAL_PORT is taken by another process (another checkout's Redis?); set HOLDFAST_REDIS_PORT or stop it" >&2; exit 1
  fi
  mkdir -p "$DATA/redis" "$DATA/run"
  # appendonly: pub/sub lives in Redis Streams, and a restart must not lose undelivered events.
  (umask 077; printf 'requirepass %s\n' "$password" > "$DATA/run/redis-auth.conf")
  without_inherited_fds redis-server "$DATA/run/redis-auth.conf" --port "$REDIS_LOCAL_PORT" --bind 127.0.0.1 --dir "$DATA/redis" \
    --appendonly yes --daemonize yes --pidfile "$DATA/run/redis.pid" --logfile "$DATA/run/redis.log" --save ""
  for _ in $(seq 1 50); do redis_cli ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  if ! redis_cli ping 2>/dev/null | grep -q PONG; then
    echo "infra: Redis did not start; see $DATA/run/redis.log" >&2; exit 1
  fi
  log "Redis started on 127.0.0.1:$REDIS_LOCAL_PORT"
}

stop_all() {
  if pg_running; then as_pg "$(pg_bindir)/pg_ctl" -D "$DATA/postgres" -m fast -w stop >/dev/null && log "PostgreSQL stopped"; fi
  if [[ -f "$DATA/run/redis.pid" ]] && kill -0 "$(cat "$DATA/run/redis.pid")" 2>/dev/null; then
    redis_cli shutdown nosave >/dev/null 2>&1 || kill "$(cat "$DATA/run/redis.pid")"
    log "Redis stopped"
  fi
}

# Prints the connection settings as KEY=value lines; the user's own values win.
print_env() {
  if [[ -n "${DATABASE_URL:-}" ]]; then
    echo "DATABASE_URL=$DATABASE_URL"
  else
    echo "DATABASE_URL=postgresql://holdfast:$(ensure_secret HOLDFAST_PG_PASSWORD)@127.0.0.1:$PG_PORT/$PG_DB"
  fi
  if [[ -n "${REDIS_HOST:-}" ]]; then
    echo "REDIS_HOST=$REDIS_HOST"; echo "REDIS_PORT=${REDIS_PORT:-6379}"; echo "REDIS_PASSWORD=${REDIS_PASSWORD:-}"
  else
    echo "REDIS_HOST=127.0.0.1"; echo "REDIS_PORT=$REDIS_LOCAL_PORT"; echo "REDIS_PASSWORD=$(ensure_secret HOLDFAST_REDIS_PASSWORD)"
  fi
  # Tokens between each app and its sidecar: fresh per app at every start unless the user sets
  # them (then every app shares the user's). Nobody but the app and its sidecar needs them.
  echo "DAPR_API_TOKEN=${DAPR_API_TOKEN:-}"
  echo "APP_API_TOKEN=${APP_API_TOKEN:-}"
  # The client credential: the gateway sidecar's API token (service invocation, nothing else).
  echo "CLIENT_API_TOKEN=${CLIENT_API_TOKEN:-$(ensure_secret HOLDFAST_CLIENT_API_TOKEN)}"
  # Keys sealing order decisions inside the fulfillment app (comma-separated, first signs).
  echo "ORDER_DECISION_KEYS=${ORDER_DECISION_KEYS:-$(ensure_secret HOLDFAST_ORDER_DECISION_KEY)}"
  # Bearer token of the admin endpoints (/api/admin/*).
  echo "ADMIN_API_TOKEN=${ADMIN_API_TOKEN:-$(ensure_secret HOLDFAST_ADMIN_API_TOKEN)}"
  # Bearer token of the managers' order actions (approve, reject, cancel).
  echo "MANAGER_API_TOKEN=${MANAGER_API_TOKEN:-$(ensure_secret HOLDFAST_MANAGER_API_TOKEN)}"
  # HMAC key of ticket QR payloads.
  echo "TICKET_SIGNING_KEY=${TICKET_SIGNING_KEY:-$(ensure_secret HOLDFAST_TICKET_SIGNING_KEY)}"
  echo "PAYMENTS_WEBHOOK_SECRET=${PAYMENTS_WEBHOOK_SECRET:-whsec_$(ensure_secret HOLDFAST_PAYMENTS_WEBHOOK_SECRET)}"
  echo "SENDGRID_API_KEY=${SENDGRID_API_KEY:-SG.$(ensure_secret HOLDFAST_SENDGRID_API_KEY)}"
}

case "${1:-start}" in
  start) start_postgres; start_redis ;;
  stop) stop_all ;;
  status) pg_running && log "PostgreSQL running" || log "PostgreSQL not running"
          redis_cli ping 2>/dev/null | grep -q PONG && log "Redis running" || log "Redis not running" ;;
  # `env` prints every setting as KEY=value; `env KEY` prints one value alone (for scripts).
  env) if [[ -n "${2:-}" ]]; then print_env | sed -n "s/^$2=//p"; else print_env; fi ;;
  *) echo "usage: infra.sh start|stop|status|env [KEY]" >&2; exit 2 ;;
esac
