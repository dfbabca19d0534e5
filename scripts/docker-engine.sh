#!/usr/bin/env bash
# Makes sure a Docker engine answers, for `npm run images` and the container tier (docs/images.md).
#
#   bash scripts/docker-engine.sh          install docker.io if missing (root), start dockerd if it does not answer
#   bash scripts/docker-engine.sh stop     stop the dockerd this script started (nothing else)
#
# Our machines allow host networking only (no traffic to private-range addresses, and the default
# bridge is 172.17.0.0/16), so the daemon runs with --bridge=none --iptables=false and every
# container with --network host. It runs under nice so builds and containers leave CPU to the rest.
#
# Knobs (env):
#   DOCKER_HOST                 an engine of your own: only checked, never started or stopped
#   HOLDFAST_DOCKER_DIR         our pid file and log (default /var/lib/holdfast-docker as root, else ~/.cache/holdfast/docker)
#   HOLDFAST_DOCKER_NICE        niceness of the daemon and so of its builds and containers (default 10)
#   HOLDFAST_DOCKER_WAIT        seconds to wait for the daemon to answer (default 60)
#   HOLDFAST_DOCKER_DATA_ROOT   dockerd --data-root (default: Docker's own, /var/lib/docker)
set -euo pipefail

say() { echo "docker-engine: $*"; }
answers() { timeout 10 docker info >/dev/null 2>&1; }

if [ "$(id -u)" = 0 ]; then
  DIR="${HOLDFAST_DOCKER_DIR:-/var/lib/holdfast-docker}"
else
  DIR="${HOLDFAST_DOCKER_DIR:-$HOME/.cache/holdfast/docker}"
fi
PIDFILE="$DIR/dockerd.pid"
LOG="$DIR/dockerd.log"
NICE="${HOLDFAST_DOCKER_NICE:-10}"
WAIT="${HOLDFAST_DOCKER_WAIT:-60}"

if [ "${1:-}" = stop ]; then
  if [ -n "${DOCKER_HOST:-}" ]; then say "DOCKER_HOST is set ($DOCKER_HOST): not ours to stop"; exit 0; fi
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then say "no dockerd of ours is running"; rm -f "$PIDFILE"; exit 0; fi
  kill -TERM "$pid"
  # dockerd stops its containers first (up to their stop timeouts), so give it time.
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then say "dockerd (pid $pid) still running after 60 s; see $LOG"; exit 1; fi
  rm -f "$PIDFILE"
  say "stopped dockerd (pid $pid)"
  exit 0
fi
[ -z "${1:-}" ] || { echo "usage: $0 [stop]" >&2; exit 2; }

if [ -n "${DOCKER_HOST:-}" ]; then
  if answers; then say "engine at DOCKER_HOST=$DOCKER_HOST answers"; exit 0; fi
  say "DOCKER_HOST=$DOCKER_HOST does not answer (docker info failed); unset it to let this script start a local engine"
  exit 1
fi

if ! command -v docker >/dev/null || ! command -v dockerd >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    say "dockerd is not installed; as root: apt-get install -y docker.io"
    exit 1
  fi
  say "installing docker.io (Debian's Docker engine)"
  # Only refresh the package lists when apt does not know the package yet.
  apt-cache show docker.io >/dev/null 2>&1 || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  # The package enables a systemd unit; without systemd (our machines) nothing starts, which is what we want.
fi

if answers; then say "engine already answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"; exit 0; fi

if [ "$(id -u)" != 0 ]; then
  say "the Docker engine does not answer and only root can start it here; as root: bash $0"
  exit 1
fi

mkdir -p "$DIR"
pid="$(cat "$PIDFILE" 2>/dev/null || true)"
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  say "dockerd of ours (pid $pid) is running but not answering yet; waiting"
else
  args=(--bridge=none --iptables=false --ip-masq=false --pidfile "$PIDFILE")
  [ -z "${HOLDFAST_DOCKER_DATA_ROOT:-}" ] || args+=(--data-root "$HOLDFAST_DOCKER_DATA_ROOT")
  # setsid: the daemon outlives this shell and a Ctrl-C in it.
  setsid nice -n "$NICE" dockerd "${args[@]}" >>"$LOG" 2>&1 </dev/null &
  say "started dockerd (pid $!, nice $NICE, --bridge=none --iptables=false; log $LOG)"
fi

for _ in $(seq 1 "$WAIT"); do
  if answers; then say "engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"; exit 0; fi
  sleep 1
done
say "dockerd did not answer within ${WAIT} s; last lines of $LOG:"
tail -n 20 "$LOG" >&2
exit 1
