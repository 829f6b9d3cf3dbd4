/**
 * Creates every topic in the registry (broker auto-creation is off).
 * Run by the local stack and, on Kubernetes, by a Job before the services.
 */
import { allTopics, createKafka, createLogger, env, kafkaSecurity, kafkaSecurityConfigSchema, parseConfig } from '@kera/platform';
import { z } from 'zod';

const config = parseConfig(z.object({ KAFKA_BROKERS: env.brokers(), LOG_LEVEL: env.logLevel(), ...kafkaSecurityConfigSchema }));
const log = createLogger({ name: 'topics', level: config.LOG_LEVEL });
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'kera-topics', log, security: kafkaSecurity(config) });
const created = await kafka.ensureTopics(allTopics());
log.info({ created, total: allTopics().length }, created.length > 0 ? 'topics created' : 'topics already exist');
