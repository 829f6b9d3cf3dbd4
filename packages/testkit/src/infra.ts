import { existsSync } from 'node:fs';
// Containers started here are removed by testcontainers' reaper when the test process exits.
import { GenericContainer, Wait } from 'testcontainers';

export interface TestInfra {
  kafkaBrokers: string[];
  redisUrl: string;
}

let infra: Promise<TestInfra> | undefined;

const dockerAnswers = (): boolean =>
  Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');

async function startContainers(): Promise<TestInfra> {
  const redis = await new GenericContainer('redis:7-alpine')
    .withExposedPorts(6379)
    .withCommand(['redis-server', '--maxmemory-policy', 'noeviction'])
    .start();
  const kafkaPort = 19092;
  await new GenericContainer('apache/kafka:4.1.1')
    .withExposedPorts({ container: kafkaPort, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${kafkaPort},CONTROLLER://localhost:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return {
    kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
  };
}

/**
 * Real Kafka and Redis for integration tests: from KAFKA_BROKERS / REDIS_URL
 * when set (CI, `npm run stack:up`), else containers when a Docker engine
 * answers, else a loud failure. Never a silent skip.
 */
export function testInfra(): Promise<TestInfra> {
  infra ??= (async () => {
    const brokers = process.env.KAFKA_BROKERS;
    const redisUrl = process.env.REDIS_URL;
    if (brokers && redisUrl) {
      return { kafkaBrokers: brokers.split(',').map((b) => b.trim()), redisUrl };
    }
    if (dockerAnswers()) return startContainers();
    throw new Error(
      'integration tests need Kafka and Redis: set KAFKA_BROKERS and REDIS_URL ' +
        '(npm run stack:up prints them), or run a Docker engine for testcontainers',
    );
  })();
  return infra;
}

/** Remove what a test left in Redis under its own unique prefixes. */
export async function deleteKeys(redisUrl: string, patterns: string[]): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl);
  try {
    for (const match of patterns) {
      const stream = redis.scanStream({ match, count: 500 });
      for await (const keys of stream as AsyncIterable<string[]>) if (keys.length > 0) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
}
