#!/usr/bin/env bash
# The test command (`npm test`): the suite in two phases. The fault tests start
# worker processes, restart Redis and the store, and assert rate-limit
# utilisation; they run alone after the rest so that the other suites' load on
# two cores cannot starve them.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --for test || exit 1
RINGWATCH_TEST_PHASE=main npx vitest run --exclude 'test/faults/**' "$@"
main=$?
RINGWATCH_TEST_PHASE=faults npx vitest run test/faults --maxWorkers=1 "$@"
faults=$?
[ $main -eq 0 ] && [ $faults -eq 0 ]
