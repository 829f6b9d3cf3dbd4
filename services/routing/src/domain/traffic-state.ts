import type { TrafficGeometry } from './edge-matching.js';
import { PROFILES, type ProfileName } from './profiles.js';
import {
  edgeFactor,
  incidentEffects,
  observationEffects,
  type EdgeEffect,
  type IncidentFact,
  type ObservationFact,
  type ProfileEffect,
} from './traffic.js';

export type EdgeMatcher = (profile: ProfileName, geometry: TrafficGeometry, bearingDeg?: number) => number[];

export type ApplyOutcome = 'applied' | 'removed' | 'stale' | 'expired' | 'unmatched' | 'no_effect';

interface Source {
  readonly key: string;
  /** Observations: window end, so an older window arriving late never replaces a newer one. */
  readonly order: number;
  readonly activeFromMs: number;
  readonly activeUntilMs: number;
  active: boolean;
  readonly applied: ReadonlyArray<{ profile: ProfileName; effect: EdgeEffect; edges: readonly number[] }>;
}

type PerProfile<T> = Record<ProfileName, T>;

/**
 * Every observation and incident currently known, keyed by location or
 * incident id, and the edges each one touches. Replaying the same message is
 * harmless (same key, same effect); the set of edges whose weight may have
 * changed accumulates until the next swap takes it.
 */
export class TrafficState {
  private readonly sources = new Map<string, Source>();
  /** Sources touching each edge; arrays, since an edge rarely has more than one or two. */
  private readonly contributors: PerProfile<Map<number, Source[]>> = { road: new Map(), sidewalk: new Map() };
  private readonly effectScratch: EdgeEffect[] = [];
  private dirty: PerProfile<Set<number>> = { road: new Set(), sidewalk: new Set() };
  private newestObservationMs: number | undefined;

  constructor(
    private readonly match: EdgeMatcher,
    private readonly freshnessMs: number,
  ) {}

  get sourceCount(): number {
    return this.sources.size;
  }

  /** Newest window end of any current observation: how old the traffic data is. */
  get dataAsOfMs(): number | undefined {
    return this.newestObservationMs;
  }

  applyObservation(fact: ObservationFact, nowMs: number): ApplyOutcome {
    const key = `observation:${fact.locationId}`;
    const previous = this.sources.get(key);
    // A later update of the same window (more samples) replaces it; an older window never does.
    const order = fact.windowEndMs + Math.min(fact.sampleCount ?? 1, 999) / 1000;
    if (previous && previous.order > order) return 'stale';
    const untilMs = fact.windowEndMs + this.freshnessMs;
    if (untilMs <= nowMs) {
      this.remove(key);
      return 'expired';
    }
    this.newestObservationMs = Math.max(this.newestObservationMs ?? -Infinity, fact.windowEndMs);
    return this.replace(key, order, -Infinity, untilMs, observationEffects(fact), fact.geometry, fact.bearingDeg, nowMs);
  }

  applyIncident(fact: IncidentFact, nowMs: number): ApplyOutcome {
    const key = `incident:${fact.incidentId}`;
    const untilMs = fact.validUntilMs ?? Infinity;
    if (!fact.active || untilMs <= nowMs) {
      return this.remove(key) ? 'removed' : fact.active ? 'expired' : 'no_effect';
    }
    const fromMs = fact.validFromMs ?? -Infinity;
    return this.replace(key, 0, fromMs, untilMs, incidentEffects(fact), fact.geometry, undefined, nowMs);
  }

  private replace(
    key: string,
    order: number,
    activeFromMs: number,
    activeUntilMs: number,
    effects: readonly ProfileEffect[],
    geometry: TrafficGeometry,
    bearingDeg: number | undefined,
    nowMs: number,
  ): ApplyOutcome {
    this.remove(key);
    if (effects.length === 0) return 'no_effect';
    const edgesByProfile = new Map<ProfileName, number[]>();
    const applied = effects.map(({ profile, effect }) => {
      let edges = edgesByProfile.get(profile);
      if (!edges) {
        edges = this.match(profile, geometry, bearingDeg);
        edgesByProfile.set(profile, edges);
      }
      return { profile, effect, edges };
    });
    if (applied.every((a) => a.edges.length === 0)) return 'unmatched';
    const active = activeFromMs <= nowMs && nowMs < activeUntilMs;
    const source: Source = { key, order, activeFromMs, activeUntilMs, active, applied };
    this.sources.set(key, source);
    for (const { profile, edges } of applied) {
      for (const edge of edges) {
        const list = this.contributors[profile].get(edge);
        if (!list) this.contributors[profile].set(edge, [source]);
        else if (!list.includes(source)) list.push(source);
        if (active) this.dirty[profile].add(edge);
      }
    }
    return 'applied';
  }

  private remove(key: string): boolean {
    const source = this.sources.get(key);
    if (!source) return false;
    this.sources.delete(key);
    for (const { profile, edges } of source.applied) {
      for (const edge of edges) {
        const list = this.contributors[profile].get(edge);
        const at = list ? list.indexOf(source) : -1;
        if (at !== -1) list!.splice(at, 1);
        if (list?.length === 0) this.contributors[profile].delete(edge);
        if (source.active) this.dirty[profile].add(edge);
      }
    }
    return true;
  }

  /** Starts and ends validity windows that have come or gone by nowMs. */
  tick(nowMs: number): void {
    for (const source of [...this.sources.values()]) {
      if (source.activeUntilMs <= nowMs) {
        this.remove(source.key);
        continue;
      }
      const active = source.activeFromMs <= nowMs;
      if (active === source.active) continue;
      source.active = active;
      for (const { profile, edges } of source.applied) for (const edge of edges) this.dirty[profile].add(edge);
    }
  }

  /** The earliest future moment a validity window starts or ends, if any. */
  nextTransitionMs(nowMs: number): number | undefined {
    let next = Infinity;
    for (const source of this.sources.values()) {
      if (source.activeFromMs > nowMs) next = Math.min(next, source.activeFromMs);
      if (source.activeUntilMs > nowMs) next = Math.min(next, source.activeUntilMs);
    }
    return Number.isFinite(next) ? next : undefined;
  }

  /** The weight multiplier of an edge from the effects active on it now (see edgeFactor). */
  factorOf(profile: ProfileName, edge: number, freeFlowKmh: number): number {
    const sources = this.contributors[profile].get(edge);
    if (!sources) return 1;
    const effects = this.effectScratch;
    effects.length = 0;
    for (const source of sources) {
      if (!source.active) continue;
      for (const applied of source.applied) if (applied.profile === profile) effects.push(applied.effect);
    }
    return edgeFactor(effects, freeFlowKmh);
  }

  /** Edges whose weight may have changed since the last call. */
  takeDirty(): PerProfile<number[]> {
    const taken = this.dirty;
    this.dirty = { road: new Set(), sidewalk: new Set() };
    const out = {} as PerProfile<number[]>;
    for (const profile of PROFILES) out[profile] = Array.from(Uint32Array.from(taken[profile]).sort());
    return out;
  }
}
