import { createLogger, createShutdown, env, parseConfig } from '@kera/platform';
import { z } from 'zod';
import { CITY_FORMATS, type CityFormat } from './city-formats.js';
import { startCityFeed } from './feed.js';

/**
 * City feed CLI: live traffic for the Otaniemi map in all five provider formats, or a replay.
 *   node tools/sim/dist/src/feed/main.js
 *   FEED_REPLAY_FILE=tools/sim/src/feed/samples/otaniemi-morning.jsonl node tools/sim/dist/src/feed/main.js
 */
const config = parseConfig(
  z.object({
    LOG_LEVEL: env.logLevel(),
    KAFKA_BROKERS: env.brokers(),
    FEED_TOPIC: z.string().min(1).default('city.ngsi.v1'),
    /** Which providers publish: any of ngsi, tms, weather, situations, pole. */
    FEED_FORMATS: z
      .string()
      .default(CITY_FORMATS.join(','))
      .transform((text) => text.split(',').map((f) => f.trim()).filter(Boolean))
      .pipe(z.array(z.enum(CITY_FORMATS as unknown as [CityFormat, ...CityFormat[]])).min(1)),
    FEED_INTERVAL_MS: env.positiveInt(5_000),
    FEED_TIME_SCALE: z.coerce.number().positive().default(60),
    FEED_SCENE_START: z.iso.datetime({ offset: true }).optional(),
    FEED_SEED: z.coerce.number().int().default(20_250_506),
    FEED_FORM: z.enum(['normalized', 'keyValues', 'mixed']).default('mixed'),
    FEED_BATCH: env.flag(false),
    FEED_PERIOD_MS: env.positiveInt(60_000),
    FEED_CLOSURE_EVERY_TICKS: z.coerce.number().int().min(0).default(30),
    FEED_CLOSURE_TICKS: env.positiveInt(10),
    FEED_RECORD_FILE: z.string().min(1).optional(),
    FEED_REPLAY_FILE: z.string().min(1).optional(),
    FEED_REPLAY_SPEED: z.coerce.number().positive().default(1),
    FEED_REPLAY_LOOP: env.flag(false),
  }),
);

const log = createLogger({ name: 'city-feed', level: config.LOG_LEVEL });
const shutdown = createShutdown({ log, deadlineMs: 10_000 });
shutdown.installSignalHandlers();

const feed = await startCityFeed({
  brokers: config.KAFKA_BROKERS,
  topic: config.FEED_TOPIC,
  formats: config.FEED_FORMATS,
  intervalMs: config.FEED_INTERVAL_MS,
  timeScale: config.FEED_TIME_SCALE,
  ...(config.FEED_SCENE_START ? { sceneStart: new Date(config.FEED_SCENE_START) } : {}),
  seed: config.FEED_SEED,
  form: config.FEED_FORM,
  batch: config.FEED_BATCH,
  periodMs: config.FEED_PERIOD_MS,
  closureEveryTicks: config.FEED_CLOSURE_EVERY_TICKS,
  closureTicks: config.FEED_CLOSURE_TICKS,
  ...(config.FEED_RECORD_FILE ? { recordFile: config.FEED_RECORD_FILE } : {}),
  ...(config.FEED_REPLAY_FILE
    ? { replay: { file: config.FEED_REPLAY_FILE, speed: config.FEED_REPLAY_SPEED, loop: config.FEED_REPLAY_LOOP } }
    : {}),
  log,
});
shutdown.add('city feed', () => feed.stop());

await feed.done;
log.info(feed.stats(), 'city feed finished');
await shutdown.run('feed finished');
