/** Turns what a run observed into the results file. Pure. */
import type { Baseline } from './baseline.js';
import type { Submission } from './load.js';
import { isLost, type Outcome } from './observe.js';
import type { DispatchResults } from './report.js';
import { rateBetween, type CounterSample } from './state-counter.js';
import { absorbedLowerBound, inFailoverWindow, quantile, round1, slowByBucket, splitLatencies, type StateSample } from './stats.js';

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
  /** State messages the vehicles sent per second between two times. */
  statesSentPerSecond: (from: number, to: number) => number;
  /** Fleet's own state counter, summed over replicas, per scrape; undefined when fleet exports none. */
  statesHandled: CounterSample[] | undefined;
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
  /** Handled and sent per second outside the failover window, where the backlog is judged. */
  steady?: { handledPerSecond: number; sentPerSecond: number; seconds: number };
}

/** The load window without the failover window: fleet's own counts of a killed replica since its last scrape are gone with it. */
function steadySpans(o: Observed): Array<[number, number]> {
  const { from, to } = o.load;
  if (!o.failover) return [[from, to]];
  const spans: Array<[number, number]> = [[from, Math.min(to, o.failover.killedAt)], [Math.max(from, o.failover.recoveredAt), to]];
  return spans.filter(([a, b]) => b > a);
}

/** Handled vs sent per second over the steady spans, weighted by their length. */
function steadyRates(o: Observed, samples: readonly CounterSample[]): StateFigure['steady'] {
  let [handled, sent, seconds] = [0, 0, 0];
  for (const [a, b] of steadySpans(o)) {
    const rate = rateBetween(samples, a, b);
    if (!rate) continue;
    handled += rate.perSecond * rate.seconds;
    sent += o.statesSentPerSecond(a, b) * rate.seconds;
    seconds += rate.seconds;
  }
  return seconds > 0 ? { handledPerSecond: Math.round(handled / seconds), sentPerSecond: Math.round(sent / seconds), seconds: Math.round(seconds) } : undefined;
}

/** From fleet's counter when it has one; else a lower bound that can rule a backlog out but never in. */
function stateFigure(o: Observed, steady: readonly StateSample[]): StateFigure {
  const sentPerSecond = o.statesSentPerSecond(o.load.from, o.load.to);
  const samples = o.statesHandled;
  if (samples !== undefined) {
    const overall = rateBetween(samples, o.load.from, o.load.to);
    const rates = steadyRates(o, samples);
    const growing = rates ? rates.handledPerSecond < BACKLOG_TOLERANCE * rates.sentPerSecond : null;
    return { perSecond: overall ? Math.round(overall.perSecond) : null, growing, source: 'fleet counter', sentPerSecond, steady: rates };
  }
  const bound = absorbedLowerBound(steady);
  if (bound === undefined) return { perSecond: null, growing: null, source: 'none', sentPerSecond };
  const growing = bound >= BACKLOG_TOLERANCE * sentPerSecond ? false : null;
  return { perSecond: Math.round(Math.min(bound, sentPerSecond)), growing, source: 'lastSeen lower bound', sentPerSecond };
}

/** The p99 target: what counts as a slow sample in the breakdown. */
const SLOW_MS = 100;

/**
 * Where the outside-window latency comes from: slow samples per 5 s of submit
 * time, how much of each was SubmitJob itself, and the slowest few.
 */
function latencyBreakdown(o: Observed, window: { from: number; to: number } | undefined) {
  const outside = o.submissions.flatMap((s) => {
    const receivedAt = s.jobId ? o.receivedAt(s.jobId) : undefined;
    if (receivedAt === undefined || inFailoverWindow({ submittedAt: s.submittedAt, receivedAt }, window)) return [];
    return [{ submittedAt: s.submittedAt, latencyMs: receivedAt - s.submittedAt, submitMs: (s.acceptedAt ?? receivedAt) - s.submittedAt, attempts: s.attempts }];
  });
  const slowest = [...outside].sort((a, b) => b.latencyMs - a.latencyMs).slice(0, 20);
  return {
    overMs: SLOW_MS,
    slowOutside: outside.filter((x) => x.latencyMs > SLOW_MS).length,
    submitAnsweredP50Ms: round1(quantile(outside.map((x) => x.submitMs), 0.5)),
    submitAnsweredP99Ms: round1(quantile(outside.map((x) => x.submitMs), 0.99)),
    bySubmitSecond: slowByBucket(outside, { from: o.load.from, bucketMs: 5_000, overMs: SLOW_MS }),
    slowest: slowest.map((x) => ({ tS: round1((x.submittedAt - o.load.from) / 1_000), latencyMs: x.latencyMs, submitMs: x.submitMs, attempts: x.attempts })),
  };
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
  const state = stateFigure(o, steady);
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
      latencyOutsideFailover: latencyBreakdown(o, window),
      jobsInFailoverWindow: timings.filter((t) => inFailoverWindow(t, window)).length,
      finalStatuses: byStatus,
      unfinishedExamples: unfinished.slice(0, 5).map((s) => ({ jobId: s.jobId, ...o.outcomes.get(s.jobId!) })),
      duplicateOrderKeys: o.duplicates.keys.slice(0, 10),
      stateMessagesSentPerSecond: Math.round(state.sentPerSecond),
      stateMessagesSource: state.source,
      stateMessagesOutsideFailover: state.steady ?? null,
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
