import { appendFile } from 'node:fs/promises';
import { createKafka, TOPICS, type Logger } from '@kera/platform';
import { CITY_FORMATS, createRoadWorks, poleMessages, tmsMessages, weatherMessages, type CityFormat, type FeedMessage } from './city-formats.js';
import { createRng, helsinkiHour } from './traffic-model.js';
import { createCityScenario, type ScenarioOptions } from './scenario.js';
import { feedMessageTime, readRecording, recordedMessage, recordingLine, shiftFeedMessage } from './recording.js';

/** What the feed needs of a Kafka producer (the platform's EventProducer fits). */
export interface FeedProducer {
  send(topic: string, messages: Array<{ key: string; value: Buffer }>): Promise<void>;
}

export interface ReplayOptions {
  /** JSON lines, one published message per line (what `recordFile` writes). */
  readonly file: string;
  /** 2 replays twice as fast as recorded. */
  readonly speed?: number;
  /** Start over at the end instead of finishing. */
  readonly loop?: boolean;
  /** Move the recorded times to now, so ingest does not reject them as stale (default true). */
  readonly retime?: boolean;
}

export interface CityFeedOptions extends ScenarioOptions {
  /** Either a producer to use, or brokers to create (and later close) one. */
  readonly producer?: FeedProducer;
  readonly brokers?: string[];
  /** The NGSI-LD topic (city.ngsi.v1). */
  readonly topic?: string;
  /** Topics of the other formats; default the registry's city.* topics. */
  readonly topics?: Partial<Record<CityFormat, string>>;
  /** Which providers publish (default all five). */
  readonly formats?: readonly CityFormat[];
  /** Real time between ticks (live), or between lines without times (replay). */
  readonly intervalMs?: number;
  /** Scene seconds per real second: 60 plays an hour of traffic in a minute. */
  readonly timeScale?: number;
  /** Where the scene clock starts; default 06:30 today in Espoo, just before the morning rush. */
  readonly sceneStart?: Date;
  /** One array message per tick instead of one message per entity. */
  readonly batch?: boolean;
  /** Append every published message to this file as a JSON line (for replay). */
  readonly recordFile?: string;
  /** Replay a recording instead of generating traffic. */
  readonly replay?: ReplayOptions;
  readonly log: Logger;
  readonly clock?: () => Date;
}

export interface CityFeed {
  /** Idempotent: finishes the message in flight, then closes what the feed opened. */
  stop(): Promise<void>;
  /** Resolves when the feed ends: a replay without loop runs out, or stop(). */
  readonly done: Promise<void>;
  stats(): { ticks: number; messages: number; failures: number };
}

/**
 * Publishes the Otaniemi demo city's providers, live or from a recording:
 * NGSI-LD traffic (city.ngsi.v1), Digitraffic TMS (city.tms.v1) and road
 * weather (city.weather.v1), traffic messages (city.situations.v1) and smart
 * poles (city.pole-sensors.v1).
 */
export async function startCityFeed(options: CityFeedOptions): Promise<CityFeed> {
  const log = options.log.child({ component: 'city-feed' });
  const topics = feedTopics(options);
  const formats = options.formats ?? CITY_FORMATS;
  const { producer, close } = await resolveProducer(options, formats.map((f) => topics[f]), log);
  const stats = { ticks: 0, messages: 0, failures: 0 };

  const publish = async (messages: FeedMessage[]): Promise<void> => {
    const wanted = messages.filter((m) => formats.includes(m.format));
    try {
      for (const format of formats) {
        const batch = wanted.filter((m) => m.format === format);
        if (batch.length > 0) await producer.send(topics[format], batch.map(toKafka));
      }
      stats.messages += wanted.length;
      if (options.recordFile) await appendFile(options.recordFile, wanted.map((m) => `${JSON.stringify(recordingLine(m))}\n`).join(''));
    } catch (err) {
      // A simulator keeps going through a broker hiccup; the next tick is fresh data anyway.
      stats.failures += 1;
      log.warn({ err }, 'city feed publish failed');
    }
  };

  // A missing or malformed recording fails the start, not some later tick.
  const recording = options.replay ? await readRecording(options.replay.file) : undefined;
  const schedule = createScheduler();
  const run = options.replay && recording
    ? runReplay({ ...options.replay, recording }, options, schedule, publish, stats, log)
    : runLive(options, schedule, publish, stats, log);
  const done = run
    .catch((err: unknown) => log.error({ err }, 'city feed stopped on an error'))
    .finally(close);
  log.info({ topics: formats.map((f) => topics[f]), mode: options.replay ? 'replay' : 'live', intervalMs: options.intervalMs ?? 5_000 }, 'city feed started');
  return {
    stop: async () => {
      schedule.cancel();
      await done;
    },
    done,
    stats: () => ({ ...stats }),
  };
}

async function runLive(
  options: CityFeedOptions,
  schedule: Scheduler,
  publish: (m: FeedMessage[]) => Promise<void>,
  stats: { ticks: number },
  log: Logger,
): Promise<void> {
  const clock = options.clock ?? (() => new Date());
  const scenario = createCityScenario(options);
  const random = createRng((options.seed ?? 20_250_506) + 1);
  const roadWorks = createRoadWorks(options.closureEveryTicks ?? 30, options.closureTicks ?? 10, random);
  const announced = new Map<string, string>();
  const intervalMs = options.intervalMs ?? 5_000;
  const timeScale = options.timeScale ?? 60;
  const startedAt = clock().getTime();
  const sceneStart = (options.sceneStart ?? morningToday(clock())).getTime();
  do {
    const now = clock();
    const sceneTime = new Date(sceneStart + (now.getTime() - startedAt) * timeScale);
    const entities = scenario.tick(now, sceneTime);
    for (const e of entities.filter((e) => e.type === 'RoadSegment')) log.info({ id: e.id, status: statusOf(e) }, 'road segment status');
    const others = [
      ...tmsMessages(now, sceneTime, random),
      ...weatherMessages(now, sceneTime),
      ...poleMessages(now, sceneTime, random),
      ...roadWorks(stats.ticks, now),
    ];
    announce(others, log, announced);
    await publish([...toMessages(entities, options.batch ?? false), ...others]);
    stats.ticks += 1;
    log.debug({ sceneTime: sceneTime.toISOString(), entities: entities.length }, 'city feed tick');
  } while (await schedule.wait(intervalMs));
}

async function runReplay(
  replay: ReplayOptions & { recording: unknown[] },
  options: CityFeedOptions,
  schedule: Scheduler,
  publish: (m: FeedMessage[]) => Promise<void>,
  stats: { ticks: number },
  log: Logger,
): Promise<void> {
  const clock = options.clock ?? (() => new Date());
  const speed = replay.speed ?? 1;
  const fallbackGapMs = options.intervalMs ?? 5_000;
  let recording = replay.recording;
  for (;;) {
    log.info({ file: replay.file, messages: recording.length }, 'replaying city feed');
    let previous: number | undefined;
    for (const line of recording) {
      const message = recordedMessage(line);
      const recordedAt = feedMessageTime(message);
      const gap = previous === undefined ? 0 : recordedAt === undefined ? fallbackGapMs : Math.max(0, recordedAt - previous) / speed;
      if (gap > 0 && !(await schedule.wait(gap))) return;
      if (schedule.cancelled) return;
      previous = recordedAt ?? previous;
      const live = replay.retime === false || recordedAt === undefined ? message : shiftFeedMessage(message, clock().getTime() - recordedAt);
      await publish([live]);
      stats.ticks += 1;
    }
    if (!replay.loop || schedule.cancelled) return;
    recording = await readRecording(replay.file);
  }
}

/** Logs (info) when the road surface, a pole zone's crowding or road works change, so a demo shows why routes move. */
function announce(messages: readonly FeedMessage[], log: Logger, last: Map<string, string>): void {
  const say = (what: string, state: string, fields: Record<string, unknown>, text: string) => {
    if (last.get(what) === state) return;
    last.set(what, state);
    log.info(fields, text);
  };
  for (const m of messages) {
    const value = typeof m.value === 'object' && m.value !== null ? (m.value as Record<string, unknown>) : {};
    if (m.format === 'weather' && m.key.endsWith('/31')) {
      const state = value.value === 7 ? 'icy' : value.value === 3 ? 'wet' : 'dry';
      say(m.key, state, { station: m.key, surface: state }, 'road weather');
    } else if (m.format === 'pole') {
      const counts = (value.counts ?? {}) as { pedestrians?: number };
      const crowded = (counts.pedestrians ?? 0) > 400 ? 'crowded' : 'calm';
      say(m.key, crowded, { pole: m.key, pedestrians: counts.pedestrians }, crowded === 'crowded' ? 'pole zone crowded' : 'pole zone calm again');
    } else if (m.format === 'situations') {
      log.info({ key: m.key, form: typeof m.value === 'string' ? 'gzip+base64' : 'json' }, 'traffic message (road works or their end)');
    }
  }
}

function toMessages(entities: Array<Record<string, unknown>>, batch: boolean): FeedMessage[] {
  if (batch) return [{ format: 'ngsi', key: 'city-feed', value: entities }];
  return entities.map((e) => ({ format: 'ngsi', key: String(e.id), value: e }));
}

const toKafka = (m: FeedMessage) => ({ key: m.key, value: Buffer.from(typeof m.value === 'string' ? m.value : JSON.stringify(m.value)) });

const DEFAULT_TOPICS: Record<CityFormat, string> = {
  ngsi: TOPICS.cityNgsi.name,
  tms: TOPICS.cityTms.name,
  weather: TOPICS.cityWeather.name,
  situations: TOPICS.citySituations.name,
  pole: TOPICS.cityPoleSensors.name,
};

function feedTopics(options: CityFeedOptions): Record<CityFormat, string> {
  return { ...DEFAULT_TOPICS, ...(options.topic ? { ngsi: options.topic } : {}), ...options.topics };
}

function statusOf(entity: Record<string, unknown>): unknown {
  const status = entity.status;
  return typeof status === 'object' && status !== null && 'value' in status ? status.value : status;
}

/** 06:30 in Espoo on the day of `now` (just before the morning rush). */
function morningToday(now: Date): Date {
  const hoursSince = helsinkiHour(now) - 6.5;
  return new Date(now.getTime() - hoursSince * 3_600_000);
}

async function resolveProducer(options: CityFeedOptions, topics: readonly string[], log: Logger) {
  if (options.producer) return { producer: options.producer, close: async () => undefined };
  if (!options.brokers) throw new Error('startCityFeed needs a producer or brokers');
  const kafka = createKafka({ brokers: options.brokers, clientId: 'kera-city-feed', log });
  // Auto-creation is off on Kera's brokers; partitions and retention come from the registry.
  await kafka.ensureTopics(topics.map((name) => ({ ...TOPICS.cityNgsi, name })));
  const producer = await kafka.producer();
  return { producer, close: () => producer.close() };
}

interface Scheduler {
  /** Resolves true after ms, or false at once when cancelled. */
  wait(ms: number): Promise<boolean>;
  cancel(): void;
  readonly cancelled: boolean;
}

function createScheduler(): Scheduler {
  let cancelled = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    wait: (ms) =>
      cancelled
        ? Promise.resolve(false)
        : new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(!cancelled), ms);
            wake = () => resolve(false);
          }),
    cancel() {
      cancelled = true;
      clearTimeout(timer);
      wake?.();
    },
    get cancelled() {
      return cancelled;
    },
  };
}
