import { roadSegment, trafficFlowObserved, type EntityForm, type NgsiEntity } from './entities.js';
import { OTANIEMI_SEGMENTS, type StreetSegment } from './segments.js';
import { conditionsAt, createRng, type SegmentStatus } from './traffic-model.js';

export type FormChoice = EntityForm | 'mixed';

export interface ScenarioOptions {
  readonly segments?: readonly StreetSegment[];
  /** Same seed, same sequence of readings and closures. */
  readonly seed?: number;
  /** Length of each reading's observation period (wall clock). */
  readonly periodMs?: number;
  /** Every this many ticks a segment is closed or limited (0: never). */
  readonly closureEveryTicks?: number;
  /** How many ticks a closure lasts before the segment opens again. */
  readonly closureTicks?: number;
  /** Representation of the entities; `mixed` picks per entity. */
  readonly form?: FormChoice;
}

interface ActiveDisruption {
  readonly segment: StreetSegment;
  readonly status: Exclude<SegmentStatus, 'open'>;
  readonly untilTick: number;
}

export interface CityScenario {
  /**
   * The entities of one tick. `now` stamps them (wall clock, so consumers see
   * live data); `sceneTime` (possibly accelerated) decides the traffic.
   */
  tick(now: Date, sceneTime: Date): NgsiEntity[];
}

export function createCityScenario(options: ScenarioOptions = {}): CityScenario {
  const segments = options.segments ?? OTANIEMI_SEGMENTS;
  const random = createRng(options.seed ?? 20_250_506);
  const periodMs = options.periodMs ?? 60_000;
  const closureEvery = options.closureEveryTicks ?? 30;
  const closureTicks = Math.max(1, options.closureTicks ?? 10);
  const formChoice = options.form ?? 'mixed';
  const form = (): EntityForm => (formChoice === 'mixed' ? (random() < 0.5 ? 'normalized' : 'keyValues') : formChoice);
  let tickCount = 0;
  let disruption: ActiveDisruption | undefined;

  const statusEvents = (now: Date): NgsiEntity[] => {
    if (disruption && tickCount >= disruption.untilTick) {
      const ended = disruption;
      disruption = undefined;
      return [roadSegment({ segment: ended.segment, status: 'open', modifiedAt: now, form: form() })];
    }
    if (disruption || closureEvery <= 0 || tickCount === 0 || tickCount % closureEvery !== 0) return [];
    const segment = segments[Math.floor(random() * segments.length)];
    if (!segment) return [];
    const status = random() < 2 / 3 ? 'closed' : 'limited';
    disruption = { segment, status, untilTick: tickCount + closureTicks };
    const statusDescription = status === 'closed' ? 'Closed for an event' : 'Roadworks: one lane open';
    return [roadSegment({ segment, status, statusDescription, modifiedAt: now, form: form() })];
  };

  return {
    tick(now, sceneTime) {
      // Millisecond precision: ticks closer than a second apart are still distinct readings.
      const end = new Date(now.getTime());
      const window = { start: new Date(end.getTime() - periodMs), end };
      const events = statusEvents(end);
      const readings = segments.flatMap((segment) =>
        segment.directions.map((direction) => {
          const status = disruption?.segment === segment ? disruption.status : 'open';
          const conditions = conditionsAt(segment, direction, sceneTime, status, random);
          return trafficFlowObserved({ segment, direction, window, conditions, form: form() });
        }),
      );
      tickCount += 1;
      return [...events, ...readings];
    },
  };
}
