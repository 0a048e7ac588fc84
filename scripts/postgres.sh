#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster (Debian packages) on a loopback port, for the SQL import
# tests and benchmarks. Real PostgreSQL, never a mock: Amazon Redshift speaks this protocol.
#
#   scripts/postgres.sh start   → installs postgresql-15 if missing, starts the cluster, prints its URL
#   scripts/postgres.sh stop    → stops it (data dir is kept; `purge` removes it)
#   scripts/postgres.sh status | url | purge
#
# Env: RINGWATCH_PG_DIR (default /tmp/ringwatch-pg), RINGWATCH_PG_PORT (default 54329).
# Root cannot run postgres, so as root the server runs as the `postgres` system user.
set -euo pipefail

PG_DIR="${RINGWATCH_PG_DIR:-/tmp/ringwatch-pg}"
PG_PORT="${RINGWATCH_PG_PORT:-54329}"
PG_BIN="/usr/lib/postgresql/15/bin"
PG_USER="ringwatch"
PG_PASS="ringwatch"
PG_DB="ringwatch"
DATA="$PG_DIR/data"
URL="postgresql://$PG_USER:$PG_PASS@127.0.0.1:$PG_PORT/$PG_DB"

as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_pg() {
  [ -x "$PG_BIN/initdb" ] && return 0
  if [ "$(id -u)" != "0" ]; then
    echo "postgres.sh: $PG_BIN/initdb missing and not root; install postgresql-15" >&2; exit 1
  fi
  echo "postgres.sh: installing postgresql-15 (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  flock /tmp/ringwatch-apt.lock sh -c 'apt-get install -y -q postgresql-15 >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q postgresql-15 >/dev/null; }'
}

running() {
  [ -f "$DATA/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

init_cluster() {
  [ -f "$DATA/PG_VERSION" ] && return 0
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" = "0" ]; then chown postgres: "$PG_DIR"; fi
  local pwfile="$PG_DIR/.pw"
  as_owner sh -c "umask 077; printf '%s\n' '$PG_PASS' > '$pwfile'"
  as_owner "$PG_BIN/initdb" -D "$DATA" -U "$PG_USER" --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  # Loopback only, socket in the data dir (the system socket dir may not be writable).
  as_owner sh -c "cat >> '$DATA/postgresql.conf'" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
CONF
}

start() {
  install_pg
  init_cluster
  if ! running; then
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -l "$PG_DIR/server.log" -w -t 60 start >/dev/null
  fi
  # Create the database once (idempotent).
  if ! PGPASSWORD="$PG_PASS" "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -Atqc 'select 1' >/dev/null 2>&1; then
    PGPASSWORD="$PG_PASS" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
  fi
  echo "$URL"
}

stop() {
  if running; then as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running $URL"; else echo "stopped"; exit 3; fi ;;
  url) echo "$URL" ;;
  purge) stop; rm -rf "$PG_DIR" ;;
  *) echo "usage: $0 start|stop|status|url|purge" >&2; exit 2 ;;
esac
