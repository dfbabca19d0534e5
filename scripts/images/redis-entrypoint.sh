#!/bin/bash
# holdfast/redis's entrypoint: writes redis-server's configuration from env into /tmp and runs it
# in the foreground (docs/images.md).
#   REDIS_PORT        port (default 6379; the container tier uses host networking and 30000-30229)
#   REDIS_BIND        addresses to listen on (default "* -::*"; 127.0.0.1 with host networking)
#   REDIS_PASSWORD    requirepass (optional; without it protected mode lets loopback clients only)
#   REDIS_DIR         working directory for snapshots and the append-only file (default /var/lib/redis)
#   REDIS_APPENDONLY  yes|no (default no: Holdfast keeps its records in PostgreSQL; streams are transient)
# Further arguments go to redis-server after the file, e.g. `--loglevel warning`.
set -euo pipefail

# The password goes into a file only we can read, never into arguments (visible on the host).
conf="$(umask 077 && mktemp /tmp/redis.XXXXXX.conf)"
{
  echo "port ${REDIS_PORT:-6379}"
  echo "bind ${REDIS_BIND:-* -::*}"
  echo "protected-mode yes"
  echo "dir ${REDIS_DIR:-/var/lib/redis}"
  echo "daemonize no"
  echo "logfile \"\""
  echo "save \"\""
  echo "appendonly ${REDIS_APPENDONLY:-no}"
  if [ -n "${REDIS_PASSWORD:-}" ]; then
    # A double-quoted value in redis.conf: escape backslashes and quotes.
    pw="${REDIS_PASSWORD//\\/\\\\}"
    echo "requirepass \"${pw//\"/\\\"}\""
  fi
} >"$conf"
exec redis-server "$conf" "$@"
