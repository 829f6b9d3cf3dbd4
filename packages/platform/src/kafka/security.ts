import { readFileSync } from 'node:fs';
import type { SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

/**
 * Kafka transport security, from the standard config of every service: TLS to
 * the brokers (trusting KAFKA_TLS_CA, or the system CAs) and SASL/SCRAM
 * authentication. Off by default (the local broker is plaintext); the prod
 * overlay's policy check requires KAFKA_TLS.
 */
export const kafkaSecurityConfigSchema = {
  KAFKA_TLS: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  KAFKA_TLS_CA: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
};

export interface KafkaSecurityConfig {
  KAFKA_TLS?: boolean;
  KAFKA_TLS_CA?: string | undefined;
  KAFKA_SASL_MECHANISM?: 'scram-sha-256' | 'scram-sha-512' | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
}

export interface KafkaSecurity {
  ssl?: { ca?: Buffer[] } | boolean;
  sasl?: SASLOptions;
}

/** What createKafka passes to the client; fails fast on half a SASL setting or an unreadable CA. */
export function kafkaSecurity(config: KafkaSecurityConfig): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (config.KAFKA_TLS_CA && !config.KAFKA_TLS) throw new ConfigError(['KAFKA_TLS_CA: set KAFKA_TLS=true too']);
  if (config.KAFKA_TLS) {
    if (!config.KAFKA_TLS_CA) security.ssl = true;
    else {
      try {
        security.ssl = { ca: [readFileSync(config.KAFKA_TLS_CA)] };
      } catch (err) {
        throw new ConfigError([`KAFKA_TLS_CA: cannot read ${config.KAFKA_TLS_CA} (${(err as Error).message})`]);
      }
    }
  }
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
  if (mechanism || username || password) {
    if (!mechanism || !username || !password) {
      throw new ConfigError(['KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: set all three or none']);
    }
    security.sasl = { mechanism, username, password };
  }
  return security;
}
