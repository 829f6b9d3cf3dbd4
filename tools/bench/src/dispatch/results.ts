/** Turns what a run observed into the results file. Pure. */
import type { Baseline } from './baseline.js';
import type { Submission } from './load.js';
import { isLost, type Outcome } from './observe.js';
import type { DispatchResults } from './report.js';
import { absorbedLowerBound, inFailoverWindow, round1, splitLatencies, type StateSample } from './stats.js';

export interface Observed {
  vehicles: number;
  replicas: number;
  rate: number;
  submissions: Submission[];
  /** First order receipt time per job id. */
  receivedAt: (jobId: string) => number | undefined;
  outcomes: Map<string, Outcome>;
  duplicates: { count: number; keys: string[] };
  failover?: { killedAt: number; restartedAt: number; recoveredAt: number };
  load: { from: number; to: number };
  /** State messages the vehicles sent per second over the load window. */
  statesSentPerSecond: number;
  /** Increase of fleet's own state counter over the load window; undefined when fleet exports none. */
  statesHandled: number | undefined;
  stateSamples: StateSample[];
  baseline: Baseline | null;
}

/** Fleet absorbs clearly fewer reports than vehicles send: the difference piles up. */
const BACKLOG_TOLERANCE = 0.9;

interface StateFigure {
  perSecond: number | null;
  growing: boolean | null;
  source: 'fleet counter' | 'lastSeen lower bound' | 'none';
  sentPerSecond: number;
}

/** From fleet's counter when it has one; else a lower bound that can rule a backlog out but never in. */
function stateFigure(o: Observed, steady: readonly StateSample[], loadSeconds: number): StateFigure {
  const sentPerSecond = o.statesSentPerSecond;
  if (o.statesHandled !== undefined) {
    const handled = o.statesHandled / loadSeconds;
    return { perSecond: Math.round(handled), growing: handled < BACKLOG_TOLERANCE * sentPerSecond, source: 'fleet counter', sentPerSecond };
  }
  const bound = absorbedLowerBound(steady);
  if (bound === undefined) return { perSecond: null, growing: null, source: 'none', sentPerSecond };
  const growing = bound >= BACKLOG_TOLERANCE * sentPerSecond ? false : null;
  return { perSecond: Math.round(Math.min(bound, sentPerSecond)), growing, source: 'lastSeen lower bound', sentPerSecond };
}

export function summarise(o: Observed): DispatchResults {
  const window = o.failover ? { from: o.failover.killedAt, to: o.failover.recoveredAt } : undefined;
  const accepted = o.submissions.filter((s) => s.jobId !== undefined);
  const timings = accepted.map((s) => ({ submittedAt: s.submittedAt, receivedAt: o.receivedAt(s.jobId!) }));
  const split = splitLatencies(timings, window);
  const notAccepted = o.submissions.filter((s) => s.jobId === undefined);
  const unfinished = accepted.filter((s) => isLost(o.outcomes.get(s.jobId!)));
  const loadSeconds = (o.load.to - o.load.from) / 1_000;
  const steady = o.stateSamples.filter((s) => !window || s.at < window.from || s.at > window.to);
  const state = stateFigure(o, steady, loadSeconds);
  const byStatus = countBy([...o.outcomes.values()].map((x) => x.status));
  return {
    vehicles: o.vehicles,
    replicas: o.replicas,
    jobsPerSecond: o.rate,
    p50Ms: split.p50Ms,
    p99Ms: split.p99Ms,
    failoverP99Ms: split.failoverP99Ms,
    stateMessagesPerSecond: state.perSecond,
    baselineP99Ms: o.baseline?.p99Ms ?? null,
    lostJobs: notAccepted.length + unfinished.length,
    duplicateOrders: o.duplicates.count,
    replicaKilled: o.failover !== undefined,
    stateBacklogGrowing: state.growing,
    details: {
      submitted: o.submissions.length,
      achievedJobsPerSecond: round1(o.submissions.length / loadSeconds),
      submitRetries: o.submissions.reduce((n, s) => n + s.attempts - 1, 0),
      neverAccepted: notAccepted.length,
      neverAcceptedExamples: notAccepted.slice(0, 5).map((s) => s.error),
      jobsWithOrderReceived: timings.filter((t) => t.receivedAt !== undefined).length,
      latencySamples: { outsideFailover: split.samplesOutside, insideFailover: split.samplesInside },
      jobsInFailoverWindow: timings.filter((t) => inFailoverWindow(t, window)).length,
      finalStatuses: byStatus,
      unfinishedExamples: unfinished.slice(0, 5).map((s) => ({ jobId: s.jobId, ...o.outcomes.get(s.jobId!) })),
      duplicateOrderKeys: o.duplicates.keys.slice(0, 10),
      stateMessagesSentPerSecond: Math.round(state.sentPerSecond),
      stateMessagesSource: state.source,
      stateAgeSamples: steady.map((s) => ({ tS: round1((s.at - o.load.from) / 1_000), vehicles: s.vehicles, meanAgeMs: Math.round(s.meanAgeMs) })),
      failover: o.failover
        ? {
            killedAtS: round1((o.failover.killedAt - o.load.from) / 1_000),
            restartReadyMs: o.failover.restartedAt - o.failover.killedAt,
            allVehiclesBackMs: o.failover.recoveredAt - o.failover.killedAt,
          }
        : null,
      baseline: o.baseline,
    },
  };
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
