#!/usr/bin/env bash
# Idempotent setup for a fresh clone: npm dependencies, the embedded store
# launcher (Go), and the Debian packages the tests and the demo use. Quick when
# everything is already there. Usage: scripts/bootstrap.sh [--for start|test]
set -euo pipefail
cd "$(dirname "$0")/.."
want=${RINGWATCH_BOOTSTRAP_FOR:-test}
if [ "${1:-}" = "--for" ]; then want=${2:?--for needs start or test}; fi
mkdir -p .cache/bin
say() { printf 'bootstrap: %s\n' "$*" >&2; }
hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# 1. npm dependencies, reinstalled only when the lock file changes.
lock_hash=$(hash_of package-lock.json)
if [ ! -d node_modules ] || [ "$(cat .cache/npm.stamp 2>/dev/null)" != "$lock_hash" ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > .cache/npm.stamp
fi

# 2. Debian packages: Chromium (web crawler, PDF reports, dashboard tests) and its emoji font,
#    Redis (BullMQ workers) and PostgreSQL (SQL import tests).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Emoji in posts and handles: without a colour emoji font Chromium prints boxes in PDFs.
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji)
if [ "$want" = "test" ]; then
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
  # pdftotext/pdfinfo: the report tests read the PDFs they render.
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_opts=(-o DPkg::Lock::Timeout=900 -qq)
    apt-get "${apt_opts[@]}" update >/dev/null
    apt-get "${apt_opts[@]}" install -y --no-install-recommends "${need[@]}" >/dev/null
  else
    say "missing Debian packages: ${need[*]} (install them with apt-get as root); continuing"
  fi
fi

# 3. The embedded store launcher, rebuilt when its Go sources change.
src_hash=$(hash_of storage/ferretdb/*.go storage/ferretdb/go.mod storage/ferretdb/go.sum)
if [ ! -x .cache/bin/ringwatch-ferretdb ] || [ "$(cat .cache/ferretdb.stamp 2>/dev/null)" != "$src_hash" ]; then
  say "building the embedded store (FerretDB v1.24.2) with go build"
  (cd storage/ferretdb && go build -o ../../.cache/bin/ringwatch-ferretdb .)
  echo "$src_hash" > .cache/ferretdb.stamp
fi
