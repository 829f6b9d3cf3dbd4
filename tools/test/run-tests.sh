#!/usr/bin/env bash
# Runs every test (unit, integration, end-to-end) against a real Kafka and Redis.
# Uses KAFKA_BROKERS / REDIS_URL when both are set; otherwise brings up the local
# stack (tools/stack/stack.sh) and tears down what it started afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

started_stack=0
if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  while IFS= read -r line; do export "${line?}"; done < <(tools/stack/stack.sh up)
  started_stack=1
fi
cleanup() { if [ "$started_stack" = 1 ]; then tools/stack/stack.sh down; fi; }
trap cleanup EXIT

echo "[test] Kafka at $KAFKA_BROKERS, Redis at $REDIS_URL"
node tools/run/dist/src/topics.js

node --test \
  --test-concurrency="${TEST_CONCURRENCY:-3}" \
  --test-timeout="${TEST_TIMEOUT_MS:-300000}" \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./tools/test/summary-reporter.mjs --test-reporter-destination=stdout \
  'packages/*/dist/**/*.test.js' 'services/*/dist/**/*.test.js' 'tools/*/dist/**/*.test.js'
