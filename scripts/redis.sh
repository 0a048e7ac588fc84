#!/usr/bin/env bash
# A throwaway Redis (Debian `redis-server`) on a loopback port, for BullMQ workers in tests,
# benchmarks and a local multi-process demo. Real Redis, never a mock.
#
#   scripts/redis.sh start [port] [dir]  → installs redis-server if missing, starts it daemonized, prints its URL
#   scripts/redis.sh stop  [port] [dir]  → stops it (SHUTDOWN; data dir kept)
#   scripts/redis.sh status|url [port] [dir]
#   scripts/redis.sh purge [port] [dir]  → stops it and removes the data dir
#
# Defaults: port $RINGWATCH_REDIS_PORT or 63790, dir $RINGWATCH_REDIS_DIR or /tmp/ringwatch-redis-<port>.
# Start is idempotent: a server already answering on the port is reused.
# Persistence: append-only file with fsync every second, no RDB snapshots. BullMQ keeps job
# state in Redis, so a restarted server must come back with its queues (the fault tests
# restart it); `maxmemory-policy noeviction` because BullMQ breaks if keys are evicted.
set -euo pipefail

PORT="${2:-${RINGWATCH_REDIS_PORT:-63790}}"
DIR="${3:-${RINGWATCH_REDIS_DIR:-/tmp/ringwatch-redis-$PORT}}"
URL="redis://127.0.0.1:$PORT"

install_redis() {
  command -v redis-server >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != "0" ]; then
    echo "redis.sh: redis-server missing and not root; install the Debian package redis-server" >&2; exit 1
  fi
  echo "redis.sh: installing redis-server (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  flock /tmp/ringwatch-apt.lock sh -c 'apt-get install -y -q redis-server >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q redis-server >/dev/null; }'
}

running() {
  redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG
}

start() {
  install_redis
  if running; then echo "$URL"; return 0; fi
  mkdir -p "$DIR"
  redis-server --bind 127.0.0.1 --port "$PORT" --protected-mode yes \
    --dir "$DIR" --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" \
    --save '' --appendonly yes --appendfsync everysec \
    --maxmemory-policy noeviction
  for _ in $(seq 1 100); do
    if running; then echo "$URL"; return 0; fi
    sleep 0.05
  done
  echo "redis.sh: redis-server did not answer on port $PORT; see $DIR/redis.log" >&2
  tail -n 20 "$DIR/redis.log" >&2 || true
  exit 1
}

stop() {
  running || return 0
  # SHUTDOWN writes the append-only file and exits; the connection drop is expected.
  redis-cli -h 127.0.0.1 -p "$PORT" shutdown >/dev/null 2>&1 || true
  for _ in $(seq 1 100); do
    running || return 0
    sleep 0.05
  done
  echo "redis.sh: redis on port $PORT did not stop" >&2; exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running $URL ($DIR)"; else echo "stopped"; exit 3; fi ;;
  url) echo "$URL" ;;
  purge) stop; rm -rf "$DIR" ;;
  *) echo "usage: $0 start|stop|status|url|purge [port] [dir]" >&2; exit 2 ;;
esac
