import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '@kera/platform';
import { loadConfig } from './config.js';

describe('ingest config', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    assert.equal(config.OPS_PORT, 9100);
    assert.equal(config.INGEST_GROUP_ID, 'ingest');
    assert.equal(config.INGEST_REDIS_PREFIX, 'ingest:');
    assert.deepEqual(config.KAFKA_BROKERS, ['127.0.0.1:9092']);
  });

  it('lists every malformed variable', () => {
    assert.throws(
      () => loadConfig({ OPS_PORT: 'x', INGEST_MAX_AGE_S: '-5' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.some((p) => p.startsWith('OPS_PORT')) &&
        err.problems.some((p) => p.startsWith('INGEST_MAX_AGE_S')),
    );
  });

  it('refuses a dedupe memory shorter than the accepted event age', () => {
    assert.throws(
      () => loadConfig({ INGEST_DEDUPE_TTL_S: '600', INGEST_MAX_AGE_S: '3600' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.some((p) => p.startsWith('INGEST_DEDUPE_TTL_S: must be at least INGEST_MAX_AGE_S')),
    );
  });
});
