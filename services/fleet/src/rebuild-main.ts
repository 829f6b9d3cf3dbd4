/**
 * `npm run fleet:rebuild`: write fleet's Redis state (jobs, vehicles, orders,
 * request-id and status indexes, idle and capacity indexes) again from its
 * Kafka topics, e.g. after fleet's keys were lost. Uses fleet's own config
 * (KAFKA_BROKERS, REDIS_URL, REDIS_PREFIX). Never overwrites newer state, so it
 * is safe to run twice or beside a running fleet; queued jobs get their
 * dispatch entries back from fleet's reconciler.
 */
import { closeRedis, createKafka, createLogger, createRedis, kafkaSecurity } from '@kera/platform';
import { createFleetEventReplay } from './adapters/kafka/fleet-event-replay.js';
import { defaultTopics } from './adapters/proto-mapping.js';
import { createRedisRestore } from './adapters/redis/restore.js';
import { fleetKeys } from './adapters/redis/stores.js';
import { rebuildFleetState } from './app/rebuild.js';
import { loadConfig } from './config.js';

const config = loadConfig();
const log = createLogger({ name: 'fleet-rebuild', level: config.LOG_LEVEL });
const redis = createRedis({ url: config.REDIS_URL, log, name: 'fleet-rebuild' });
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'fleet-rebuild', log, security: kafkaSecurity(config) });
try {
  const summary = await rebuildFleetState({
    replay: createFleetEventReplay({ kafka, topics: defaultTopics(), log }),
    restore: createRedisRestore(redis, fleetKeys(config.REDIS_PREFIX), config.ETA_HISTORY_MAX),
    log,
  });
  process.stdout.write(
    `rebuilt ${summary.jobs} jobs, ${summary.vehicles} vehicles, ${summary.orders} orders, ${summary.etaHistories} ETA histories from ${summary.events} events` +
      ` (${summary.kept} already present and as new, ${summary.undecodable} undecodable)\n`,
  );
} catch (err) {
  log.error({ err }, 'fleet rebuild failed');
  process.exitCode = 1;
} finally {
  await closeRedis(redis);
}
