#!/usr/bin/env bash
# Runs every test (unit, integration, end-to-end) against a real Kafka and Redis.
# Uses KAFKA_BROKERS / REDIS_URL when both are set; otherwise brings up the local
# stack (tools/stack/stack.sh) and tears down what it started afterwards.
set -euo pipefail
# tools/deploy-check/check.test.mjs renders and validates every kustomize overlay (needs kubectl and docker-compose).
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# Node 24 from the devDependency, also when this script is run directly.
export PATH="$PWD/node_modules/.bin:$PATH"

STACK_STARTED=""
if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  while IFS= read -r line; do export "${line?}"; done < <(tools/stack/stack.sh up)
fi
# Stop only what this run started; a stack someone else runs stays up.
cleanup() { if [ -n "$STACK_STARTED" ]; then tools/stack/stack.sh down $STACK_STARTED; fi; }
trap cleanup EXIT

echo "[test] Kafka at $KAFKA_BROKERS, Redis at $REDIS_URL"
node tools/run/dist/src/topics.js

node --test \
  --test-concurrency="${TEST_CONCURRENCY:-3}" --test-force-exit \
  --test-timeout="${TEST_TIMEOUT_MS:-300000}" \
  --test-reporter=./tools/test/summary-reporter.mjs --test-reporter-destination=stdout \
  'packages/*/dist/**/*.test.js' 'services/*/dist/**/*.test.js' 'tools/*/dist/**/*.test.js' \
  'tools/deploy-check/*.test.mjs'
