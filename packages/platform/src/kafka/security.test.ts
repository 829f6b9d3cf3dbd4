import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseConfigSchema, parseConfig } from '../config.js';
import { z } from 'zod';
import { kafkaSecurity } from './security.js';

const parse = (env: Record<string, string>) => parseConfig(z.object(baseConfigSchema), env);

describe('Kafka TLS and SASL settings', () => {
  it('is plaintext without settings', () => {
    assert.deepEqual(kafkaSecurity(parse({})), {});
  });

  it('passes TLS with a CA bundle and SCRAM credentials to the client', () => {
    const ca = join(mkdtempSync(join(tmpdir(), 'kera-kafka-')), 'ca.pem');
    writeFileSync(ca, 'PEM');
    const security = kafkaSecurity(parse({
      KAFKA_TLS: 'true', KAFKA_TLS_CA: ca, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'fleet', KAFKA_SASL_PASSWORD: 'pw',
    }));
    assert.deepEqual(security, { ssl: { ca: [Buffer.from('PEM')] }, sasl: { mechanism: 'scram-sha-512', username: 'fleet', password: 'pw' } });
  });

  it('refuses half a SASL setting, a CA without TLS and an unknown mechanism', () => {
    assert.throws(() => kafkaSecurity(parse({ KAFKA_SASL_USERNAME: 'fleet' })), /set all three or none/);
    assert.throws(() => kafkaSecurity(parse({ KAFKA_TLS_CA: '/ca.pem' })), /KAFKA_TLS_CA: set KAFKA_TLS=true too/);
    assert.throws(() => parse({ KAFKA_SASL_MECHANISM: 'plain' }), /KAFKA_SASL_MECHANISM/);
  });
});
