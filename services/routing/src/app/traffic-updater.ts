import { context } from '@opentelemetry/api';
import { createTraceGather, startSpanUnder, type Logger } from '@kera/platform';
import type { ProfileNetwork } from '../domain/network.js';
import { PROFILES, type ProfileName } from '../domain/profiles.js';
import type { ApplyOutcome, TrafficState } from '../domain/traffic-state.js';
import type { IncidentFact, ObservationFact } from '../domain/traffic.js';
import { nextVersion, type WeightSnapshot, type WeightStore } from '../domain/weights.js';

/** Edges of one profile in one area cell whose weight changed in one swap. */
export interface TrafficChangeBatch {
  readonly profile: ProfileName;
  readonly version: number;
  readonly areaCell: string;
  readonly edgeIds: number[];
  readonly appliedAt: Date;
}

export interface TrafficChangePublisher {
  publish(batches: readonly TrafficChangeBatch[]): Promise<void>;
}

export interface SwapResult {
  readonly version: number;
  readonly changed: Readonly<Record<ProfileName, number[]>>;
}

export interface TrafficUpdater {
  observe(fact: ObservationFact): ApplyOutcome;
  incident(fact: IncidentFact): ApplyOutcome;
  /** Applies pending changes now: one new snapshot, one version, published. */
  flush(): SwapResult | null;
  /** Waits until every published batch so far has been sent. */
  published(): Promise<void>;
  /** While held (catching up at start), changes accumulate without swaps. */
  hold(held: boolean): void;
  close(): void;
}

/** Area cells ~1 km across: the key of routing.traffic-changes.v1, so consumers can shard by place. */
export const CELL_LAT_DEG = 0.01;
export const CELL_LON_DEG = 0.02;
export const areaCellOf = (lat: number, lon: number): string =>
  `${Math.floor(lat / CELL_LAT_DEG)}:${Math.floor(lon / CELL_LON_DEG)}`;

export function createTrafficUpdater(deps: {
  networks: Readonly<Record<ProfileName, ProfileNetwork>>;
  store: WeightStore;
  state: TrafficState;
  publisher: TrafficChangePublisher;
  clock: () => number;
  log: Logger;
  /** Changes arriving within this window share one swap. */
  coalesceMs: number;
  /** How often validity windows are re-checked (observations expiring, incidents starting/ending). */
  tickMs: number;
  onSwap?: (result: SwapResult) => void;
}): TrafficUpdater {
  const { state, store, clock, log } = deps;
  let held = false;
  let timer: NodeJS.Timeout | undefined;
  let publishing: Promise<void> = Promise.resolve();
  // The traces of the records coalesced into the next swap: its span continues the first and links the rest.
  const traces = createTraceGather();
  const ticker = setInterval(() => {
    if (held) return;
    state.tick(clock());
    updater.flush();
  }, deps.tickMs);
  ticker.unref();

  const scheduleFlush = () => {
    if (held || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      updater.flush();
    }, deps.coalesceMs);
  };

  const updater: TrafficUpdater = {
    observe(fact) {
      traces.add();
      const outcome = state.applyObservation(fact, clock());
      scheduleFlush();
      return outcome;
    },
    incident(fact) {
      traces.add();
      const outcome = state.applyIncident(fact, clock());
      scheduleFlush();
      return outcome;
    },
    flush() {
      const startTime = Date.now();
      const now = clock();
      state.tick(now);
      const result = swapWeights(deps.networks, store, state, now);
      const { parent, links } = traces.take();
      if (!result) return null;
      const swap = startSpanUnder('swap traffic weights', parent ?? context.active(), {
        links,
        startTime,
        attributes: { 'kera.weights.version': result.version, 'kera.edges.road': result.changed.road.length, 'kera.edges.sidewalk': result.changed.sidewalk.length },
      });
      try {
        deps.onSwap?.(result);
        const batches = changeBatches(deps.networks, result, new Date(now));
        context.with(swap.context, () => log.debug({ version: result.version, batches: batches.length }, 'traffic weights swapped'));
        publishing = publishing
          .then(() => context.with(swap.context, () => deps.publisher.publish(batches)))
          .catch((err: unknown) => log.error({ err, version: result.version }, 'publishing traffic changes failed'));
      } finally {
        swap.span.end();
      }
      return result;
    },
    published: () => publishing,
    hold(value) {
      held = value;
      if (!held) scheduleFlush();
    },
    close() {
      clearInterval(ticker);
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
  return updater;
}

/** Builds the next snapshot from the dirty edges and swaps it in; null when no weight changed. */
export function swapWeights(
  networks: Readonly<Record<ProfileName, ProfileNetwork>>,
  store: WeightStore,
  state: TrafficState,
  nowMs: number,
): SwapResult | null {
  const dirty = state.takeDirty();
  const previous = store.current;
  const arcWeights = { ...previous.arcWeights };
  const changed = { road: [] as number[], sidewalk: [] as number[] };
  for (const profile of PROFILES) {
    if (dirty[profile].length === 0) continue;
    const { graph, hierarchy } = networks[profile];
    let next: Float64Array | undefined;
    const changedArcs: number[] = [];
    for (const edge of dirty[profile]) {
      const factor = state.factorOf(profile, edge, graph.edgeSpeedKmh[edge]!);
      const weight = graph.edgeFreeFlowS[edge]! * factor;
      const firstArc = graph.edgeFirstArc[edge]!;
      if (previous.arcWeights[profile][graph.edgeArcs[firstArc]!] === weight) continue;
      next ??= previous.arcWeights[profile].slice();
      for (let i = firstArc; i < graph.edgeFirstArc[edge + 1]!; i++) {
        next[graph.edgeArcs[i]!] = weight;
        changedArcs.push(graph.edgeArcs[i]!);
      }
      changed[profile].push(edge);
    }
    if (!next) continue;
    arcWeights[profile] = next;
    // Hierarchy seam: customize the new weights before the swap, so the first query on them finds their metric ready.
    hierarchy.derive(previous.arcWeights[profile], next, changedArcs);
  }
  if (changed.road.length === 0 && changed.sidewalk.length === 0) return null;
  const snapshot: WeightSnapshot = { version: nextVersion(previous.version, nowMs), arcWeights };
  store.swap(snapshot);
  return { version: snapshot.version, changed };
}

function changeBatches(
  networks: Readonly<Record<ProfileName, ProfileNetwork>>,
  result: SwapResult,
  appliedAt: Date,
): TrafficChangeBatch[] {
  const batches: TrafficChangeBatch[] = [];
  for (const profile of PROFILES) {
    const { graph } = networks[profile];
    const byCell = new Map<string, number[]>();
    for (const edge of result.changed[profile]) {
      const geometry = graph.edgeGeometry[edge]!;
      const middle = (graph.geometryFirst[geometry]! + graph.geometryFirst[geometry + 1]! - 1) >> 1;
      const cell = areaCellOf(graph.pointLat[middle]!, graph.pointLon[middle]!);
      const list = byCell.get(cell);
      if (list) list.push(edge);
      else byCell.set(cell, [edge]);
    }
    for (const [areaCell, edgeIds] of byCell) batches.push({ profile, version: result.version, areaCell, edgeIds, appliedAt });
  }
  return batches;
}
