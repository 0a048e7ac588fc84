#!/usr/bin/env bash
# The test command (`npm test`): the suite in two phases. Tests that measure
# rate-limit utilisation or start worker processes and restart Redis and the
# store run alone, one file at a time, after the rest, so that the other suites'
# load on two cores cannot starve them.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --for test || exit 1
timing=(test/faults test/jobs/distributed test/crawlers/rate-limit.test.ts)
RINGWATCH_TEST_PHASE=main npx vitest run --exclude 'test/faults/**' --exclude 'test/jobs/distributed/**' --exclude 'test/crawlers/rate-limit.test.ts' "$@"
main=$?
RINGWATCH_TEST_PHASE=timing npx vitest run "${timing[@]}" --maxWorkers=1 "$@"
timing_rc=$?
[ $main -eq 0 ] && [ $timing_rc -eq 0 ]
