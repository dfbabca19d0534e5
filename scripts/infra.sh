#!/usr/bin/env bash
# Project-local PostgreSQL and Redis for development and tests:
#   infra.sh start | stop | status | reset | check [--setup] [--test] | env [KEY] | test-database-url
#            | pids | restart-postgres fast|immediate | restart-redis   (the fault drill's)
# - Each server listens on 127.0.0.1 only, on its own port, with a password generated at first
#   start and kept in .data/local.env (mode 600).
# - Where the files live. PostgreSQL refuses to run as root, so as root it runs as the `postgres`
#   user, who may not be able to enter the checkout (a clone under /root, mode 700). So as root its
#   cluster, socket, log and initdb's password file live in /var/lib/holdfast/<checkout id>/, owned
#   by postgres (the id: the checkout's folder name and a random id kept in .data/checkout-id, so
#   two checkouts never share one, and a fresh .data never meets an old cluster's password); as anybody else, or as root when .data/postgres already
#   holds a cluster postgres can use, in .data/postgres and .data/run. HOLDFAST_PG_DIR chooses the
#   folder yourself. `start` and `status` say where. Redis and the launcher (npm start, its logs in
#   .data/logs) run as the invoking user, so their files stay in .data/.
# - Missing servers are installed from Debian packages when root; otherwise `check` names every
#   missing package in one message (setup.sh calls it first, with what the set-up needs too).
# - A DATABASE_URL or REDIS_HOST given by the user wins: that server is then neither installed nor started.
# - `start` is idempotent; `stop` stops only what this script started; `reset` stops and deletes
#   PostgreSQL's cluster and Redis's data (the passwords and tokens in .data/local.env stay).
# - `test-database-url` prints the database the tests may write to: TEST_DATABASE_URL, else
#   `<db>_test` on DATABASE_URL's server, else the local holdfast_test; never DATABASE_URL's own
#   database unless HOLDFAST_TEST_ON_DATABASE_URL=yes.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA="${HOLDFAST_DATA_DIR:-$ROOT/.data}"
PG_PORT="${HOLDFAST_PG_PORT:-54320}"
REDIS_LOCAL_PORT="${HOLDFAST_REDIS_PORT:-63790}"
PG_DB="${HOLDFAST_PG_DATABASE:-holdfast}"
# The tests get their own database, so `npm test` never touches what `npm start` runs on.
PG_DATABASES=(holdfast holdfast_test)
# Where Debian puts PostgreSQL's server programs (one folder per major version).
PG_LIB="${HOLDFAST_PG_LIB:-/usr/lib/postgresql}"

# One infra.sh at a time per data folder: two first runs must not both generate a password.
mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
LOCAL_ENV="$DATA/local.env"
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
is_root() { [[ $(id -u) -eq 0 ]]; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pg_bindir() {
  local dir
  dir=$(ls -d "$PG_LIB"/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [[ -n "$dir" && -x "$dir/initdb" ]] && echo "$dir"
}

# PostgreSQL refuses to run as root; as root we run it as the `postgres` user the package creates,
# from / (it may not be allowed into the current folder).
as_pg() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# PG_HOME holds postgres/ (the cluster) and run/ (socket, log, initdb's password file).
if [[ -n "${HOLDFAST_PG_DIR:-}" ]]; then
  PG_HOME=$HOLDFAST_PG_DIR
elif ! is_root; then
  PG_HOME=$DATA
elif [[ -f "$DATA/postgres/PG_VERSION" ]] && id postgres >/dev/null 2>&1 && (cd / && runuser -u postgres -- test -r "$DATA/postgres/PG_VERSION"); then
  PG_HOME=$DATA  # a cluster made here before, which postgres can reach: keep using it
else
  # The id is random and kept in .data (not derived from the path): a new clone in the same folder,
  # or a deleted .data, gets a new cluster, never one whose password its local.env does not know.
  [[ -s "$DATA/checkout-id" ]] || (umask 077; head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DATA/checkout-id")
  PG_HOME="/var/lib/holdfast/$(basename "$ROOT")-$(cat "$DATA/checkout-id")"
fi
PG_DATA="$PG_HOME/postgres"
PG_RUN="$PG_HOME/run"

# The folders PostgreSQL writes to, owned by the user that runs it.
make_pg_dirs() {
  mkdir -p "$PG_DATA" "$PG_RUN"
  chmod 700 "$PG_DATA"
  if is_root; then
    if [[ "$PG_HOME" == /var/lib/holdfast/* ]]; then
      chmod 755 /var/lib/holdfast
      # Which checkout this belongs to, for whoever finds the folder.
      [[ -f "$PG_HOME/checkout" ]] || echo "$DATA" > "$PG_HOME/checkout"
      chown postgres:postgres "$PG_HOME"; chmod 700 "$PG_HOME"
    fi
    chown postgres:postgres "$PG_DATA" "$PG_RUN"
  fi
}

# Debian packages missing for `what` (infra | setup | test), one per line.
missing_packages() {
  local what=$1
  if [[ -z "${DATABASE_URL:-}" && -z "$(pg_bindir)" ]]; then echo postgresql; fi
  if [[ -z "${REDIS_HOST:-}" ]] && ! { command -v redis-server && command -v redis-cli; } >/dev/null; then echo redis-server; fi
  [[ $what == infra ]] && return
  # Go and git only build Dapr (scripts/dapr-runtime.sh), once: not needed when it is built.
  local dapr_dir="${DAPR_INSTALL_DIR:-$HOME/.dapr/bin}" dapr_version
  dapr_version=${DAPR_VERSION:-$(sed -n 's/^DAPR_VERSION="\${DAPR_VERSION:-\(.*\)}"$/\1/p' "$ROOT/scripts/dapr-runtime.sh")}
  if [[ ! -x "$dapr_dir/placement" || ! -x "$dapr_dir/scheduler" || "$("$dapr_dir/daprd" --version 2>/dev/null | tr -d '[:space:]')" != "$dapr_version" ]]; then
    command -v go >/dev/null || echo golang
    command -v git >/dev/null || echo git
  fi
  [[ $what == test ]] || return 0
  # The fuzz test's venv (scripts/fuzz/setup.sh), unless it is there already.
  local fuzz_version; fuzz_version=$(sed -n 's/^SCHEMATHESIS_VERSION=//p' "$ROOT/scripts/fuzz/setup.sh")
  if [[ ! -x "${HOLDFAST_FUZZ_VENV:-$HOME/.cache/holdfast/fuzz-venv-$fuzz_version}/bin/schemathesis" ]] && ! { command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' >/dev/null 2>&1; }; then
    echo python3-venv
  fi
  # The admin console's browser tests (tests/browser) drive Debian's Chromium; no browser download works here.
  [[ -x /usr/bin/chromium ]] || echo chromium
}

# Everything missing, in one message, before anything starts; as root, installed from Debian.
check_prerequisites() {
  local what=$1 node_problem="" missing
  if [[ $what != infra ]]; then
    if ! command -v node >/dev/null; then node_problem="Node.js 20 or newer is needed (none on PATH)"
    elif (( $(node -p 'process.versions.node.split(".")[0]') < 20 )); then node_problem="Node.js 20 or newer is needed (found $(node --version))"; fi
  fi
  missing=$(missing_packages "$what" | tr '\n' ' ' | sed 's/ $//')
  [[ -z "$missing" && -z "$node_problem" ]] && return 0
  if is_root && [[ -z "$node_problem" ]] && command -v apt-get >/dev/null; then
    log "installing $missing from Debian packages"
    # apt-get update once per machine run; a stale list can miss packages.
    if [[ ! -f /tmp/.holdfast-apt-updated ]]; then apt-get update -qq && touch /tmp/.holdfast-apt-updated; fi
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    missing=$(missing_packages "$what" | tr '\n' ' ' | sed 's/ $//')
    [[ -z "$missing" ]] && return 0
  fi
  {
    echo "infra: this machine lacks what Holdfast needs; nothing was started."
    [[ -n "$node_problem" ]] && echo "  $node_problem: https://nodejs.org (Debian 12's nodejs is 18)."
    if [[ -n "$missing" ]]; then
      echo "  Missing Debian packages: $missing. Install them as root, then run this again:"
      echo "    sudo apt-get install -y $missing"
      [[ " $missing " == *" golang "* ]] && echo "  golang builds Dapr once and must be Go 1.26.5 or newer: if your distribution's is older, install Go from https://go.dev/dl/ instead."
      [[ " $missing " == *" postgresql "* || " $missing " == *" redis-server "* ]] && echo "  Or, instead of postgresql and redis-server, use your own servers: set DATABASE_URL and REDIS_HOST (REDIS_PORT, REDIS_PASSWORD)."
    fi
    echo "  (README.md, prerequisites, says which set-up needs what.)"
  } >&2
  exit 1
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

# The admin console's users. Unless ADMIN_CONSOLE_USERS is given: one user, admin (roles
# admin+manager), whose password is generated like the other secrets (HOLDFAST_ADMIN_CONSOLE_PASSWORD)
# and hashed once with argon2id (scripts/admin-user-hash.mjs, which needs the npm packages); the
# entry is kept as HOLDFAST_ADMIN_CONSOLE_USERS. Delete that line to hash a changed password again.
admin_console_users() {
  if [[ -n "${ADMIN_CONSOLE_USERS:-}" ]]; then echo "$ADMIN_CONSOLE_USERS"; return; fi
  local password users
  password=$(ensure_secret HOLDFAST_ADMIN_CONSOLE_PASSWORD)
  users=$(sed -n 's/^HOLDFAST_ADMIN_CONSOLE_USERS=//p' "$LOCAL_ENV")
  if [[ -z "$users" ]]; then
    if ! users=$(printf '%s' "$password" | (cd "$ROOT" && node scripts/admin-user-hash.mjs admin admin+manager 2>/dev/null)) || [[ -z "$users" ]]; then
      echo "infra: could not hash the admin console's password yet (node scripts/admin-user-hash.mjs needs the npm packages)" >&2
      return 0
    fi
    echo "HOLDFAST_ADMIN_CONSOLE_USERS=$users" >> "$LOCAL_ENV"
  fi
  echo "$users"
}

pg_running() { [[ -n "$(pg_bindir)" && -f "$PG_DATA/PG_VERSION" ]] && as_pg "$(pg_bindir)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }
pg_where() { log "PostgreSQL's files: cluster $PG_DATA, socket and log $PG_RUN (runs as $(is_root && echo postgres || id -un))"; }

start_postgres() {
  if [[ -n "${DATABASE_URL:-}" ]]; then log "DATABASE_URL is set: using that PostgreSQL"; return; fi
  local bin; bin=$(pg_bindir)
  local password; password=$(ensure_secret HOLDFAST_PG_PASSWORD)
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    log "initialising a PostgreSQL cluster in $PG_DATA"
    make_pg_dirs
    local pwfile="$PG_RUN/pwfile"; (umask 077; printf '%s\n' "$password" > "$pwfile")
    if is_root; then chown postgres "$pwfile"; fi
    if ! as_pg "$bin/initdb" -D "$PG_DATA" -U holdfast --pwfile="$pwfile" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null; then
      rm -f "$pwfile"; echo "infra: initdb failed for $PG_DATA" >&2; exit 1
    fi
    rm -f "$pwfile"
  fi
  if pg_running; then
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  elif port_in_use "$PG_PORT"; then
    echo "infra: port $PG_PORT is taken by another process (another checkout's PostgreSQL?); set HOLDFAST_PG_PORT or stop it" >&2; exit 1
  else
    make_pg_dirs
    if ! without_inherited_fds as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_RUN/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_RUN -c max_connections=200" start >/dev/null; then
      echo "infra: PostgreSQL did not start; see $PG_RUN/postgres.log" >&2; exit 1
    fi
    log "PostgreSQL started on 127.0.0.1:$PG_PORT"
  fi
  pg_where
  for db in "${PG_DATABASES[@]}" "$PG_DB"; do
    if ! PGPASSWORD=$password "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U holdfast -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
      PGPASSWORD=$password "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U holdfast "$db"
      log "created database $db"
    fi
  done
}

# The password goes through the environment, not the command line, where `ps` would show it. At most 10 s:
# a frozen Redis on the port (a drill stopped mid-stall left one) must not hang the script.
redis_cli() { REDISCLI_AUTH="$(ensure_secret HOLDFAST_REDIS_PASSWORD)" timeout 10 redis-cli -h 127.0.0.1 -p "$REDIS_LOCAL_PORT" "$@"; }
redis_where() { log "Redis's files: data $DATA/redis, log $DATA/run/redis.log (runs as $(id -un))"; }

start_redis() {
  if [[ -n "${REDIS_HOST:-}" ]]; then log "REDIS_HOST is set: using that Redis"; return; fi
  local password; password=$(ensure_secret HOLDFAST_REDIS_PASSWORD)
  if redis_cli ping 2>/dev/null | grep -q PONG; then
    log "Redis already running on 127.0.0.1:$REDIS_LOCAL_PORT"; redis_where; return
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
  redis_where
}

redis_running() { [[ -f "$DATA/run/redis.pid" ]] && kill -0 "$(cat "$DATA/run/redis.pid")" 2>/dev/null; }

stop_all() {
  if pg_running; then as_pg "$(pg_bindir)/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null && log "PostgreSQL stopped"; fi
  if redis_running; then
    local pid; pid=$(cat "$DATA/run/redis.pid")
    # SIGTERM to the pid this script started (Redis shuts down as on SHUTDOWN), never a SHUTDOWN sent to
    # the port: run with other port settings than at start, that would stop somebody else's Redis.
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    log "Redis stopped"
  fi
}

# For the fault drill (drill/injector.ts): the servers' process ids, and restarts as a crash or an
# operator would do them. PostgreSQL `fast` (clients disconnected, a checkpoint) or `immediate` (no
# checkpoint: crash recovery at the next start); Redis SHUTDOWN, which fsyncs its append-only file.
print_pids() {
  pg_running && echo "postgres $(head -1 "$PG_DATA/postmaster.pid")"
  redis_running && echo "redis $(cat "$DATA/run/redis.pid")"
  return 0
}

restart_postgres() {
  local mode=${1:-fast}
  [[ $mode == fast || $mode == immediate ]] || { echo "infra: restart-postgres fast|immediate" >&2; exit 2; }
  if [[ -n "${DATABASE_URL:-}" ]]; then echo "infra: DATABASE_URL is set: not restarting your PostgreSQL" >&2; exit 1; fi
  pg_running && as_pg "$(pg_bindir)/pg_ctl" -D "$PG_DATA" -m "$mode" -w stop >/dev/null
  log "PostgreSQL stopped ($mode)"
  start_postgres >/dev/null
  log "PostgreSQL started again on 127.0.0.1:$PG_PORT"
}

restart_redis() {
  if [[ -n "${REDIS_HOST:-}" ]]; then echo "infra: REDIS_HOST is set: not restarting your Redis" >&2; exit 1; fi
  if redis_running; then
    local pid; pid=$(cat "$DATA/run/redis.pid")
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    log "Redis stopped"
  fi
  start_redis >/dev/null
  log "Redis started again on 127.0.0.1:$REDIS_LOCAL_PORT"
}

# Stops both servers, then deletes their data; the secrets in local.env stay (a new cluster gets the same password).
reset_all() {
  stop_all
  if pg_running || redis_running; then echo "infra: a server did not stop; nothing deleted" >&2; exit 1; fi
  if [[ "$PG_HOME" == /var/lib/holdfast/* ]]; then rm -rf "$PG_HOME"; else rm -rf "$PG_DATA" "$PG_RUN/postgres.log"; fi
  log "deleted PostgreSQL's cluster $PG_DATA"
  rm -rf "$DATA/redis" "$DATA/run/redis.log" "$DATA/run/redis.pid" "$DATA/run/redis-auth.conf"
  log "deleted Redis's data $DATA/redis"
}

# host:port/database of a PostgreSQL URL (no credentials, no parameters), to tell whether two URLs name one database.
db_identity() {
  local rest=${1#*://} authority path
  rest=${rest%%[?#]*}; authority=${rest%%/*}; path=${rest#"$authority"}
  authority=${authority##*@}; [[ $authority == *:* ]] || authority="$authority:5432"
  authority=${authority/#localhost:/127.0.0.1:}
  printf '%s%s' "${authority,,}" "${path:-/}"
}

test_database_url() {
  if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    if [[ -n "${DATABASE_URL:-}" && "$(db_identity "$TEST_DATABASE_URL")" == "$(db_identity "$DATABASE_URL")" && "${HOLDFAST_TEST_ON_DATABASE_URL:-}" != yes ]]; then
      echo "infra: TEST_DATABASE_URL names DATABASE_URL's own database; the tests write to theirs. Give TEST_DATABASE_URL another database, or set HOLDFAST_TEST_ON_DATABASE_URL=yes if the tests may write there." >&2
      exit 1
    fi
    echo "$TEST_DATABASE_URL"
  elif [[ -n "${DATABASE_URL:-}" ]]; then
    if [[ "${HOLDFAST_TEST_ON_DATABASE_URL:-}" == yes ]]; then echo "$DATABASE_URL"; return; fi
    local re='^([A-Za-z]+://[^/?#]*)/([^/?#]+)(.*)$'
    if [[ ! $DATABASE_URL =~ $re ]]; then
      echo "infra: DATABASE_URL names no database, so there is no <database>_test beside it for the tests: set TEST_DATABASE_URL" >&2
      exit 1
    fi
    echo "${BASH_REMATCH[1]}/${BASH_REMATCH[2]}_test${BASH_REMATCH[3]}"
  else
    echo "postgresql://holdfast:$(ensure_secret HOLDFAST_PG_PASSWORD)@127.0.0.1:$PG_PORT/holdfast_test"
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
  # The admin console's users (name:roles:argon2id hash;...); the first run's password is HOLDFAST_ADMIN_CONSOLE_PASSWORD.
  echo "ADMIN_CONSOLE_USERS=$(admin_console_users)"
}

case "${1:-start}" in
  start) check_prerequisites infra; start_postgres; start_redis ;;
  stop) stop_all ;;
  reset) reset_all ;;
  status)
    if [[ -n "${DATABASE_URL:-}" ]]; then log "PostgreSQL: yours (DATABASE_URL); none started here"
    else
      pg_running && log "PostgreSQL running on 127.0.0.1:$PG_PORT" || log "PostgreSQL not running"
      pg_where
    fi
    if [[ -n "${REDIS_HOST:-}" ]]; then log "Redis: yours (REDIS_HOST=$REDIS_HOST); none started here"
    else
      redis_cli ping 2>/dev/null | grep -q PONG && log "Redis running on 127.0.0.1:$REDIS_LOCAL_PORT" || log "Redis not running"
      redis_where
    fi ;;
  # `check [--setup] [--test]`: what infra (and the set-up, and the tests) need, all named at once.
  check) what=infra; for arg in "${@:2}"; do case $arg in --setup) [[ $what == test ]] || what=setup ;; --test) what=test ;; esac; done
         check_prerequisites "$what" ;;
  # `env` prints every setting as KEY=value; `env KEY` prints one value alone (for scripts).
  env) if [[ -n "${2:-}" ]]; then print_env | sed -n "s/^$2=//p"; else print_env; fi ;;
  test-database-url) test_database_url ;;
  pids) print_pids ;;
  restart-postgres) restart_postgres "${2:-fast}" ;;
  restart-redis) restart_redis ;;
  *) echo "usage: infra.sh start|stop|status|reset|check [--setup] [--test]|env [KEY]|test-database-url|pids|restart-postgres fast|immediate|restart-redis" >&2; exit 2 ;;
esac
