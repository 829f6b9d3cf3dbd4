/**
 * What the recording simulators report, gathered in the harness: the first
 * order each job's vehicle received, every execution (for duplicates across
 * simulators), state messages sent per second and connected vehicles.
 */
import { duplicateExecutions, type OrderReceipt, type SimMessage } from '@kera/sim/recording';
import type { Child } from './processes.js';

export interface VehicleReports {
  /** Earliest receipt of an order for each job id. */
  firstOrderOf(jobId: string): OrderReceipt | undefined;
  duplicates(): { count: number; keys: string[] };
  /** State messages all simulators sent per second, over the reports taken in [from, to). */
  statesSentPerSecond(from: number, to: number): number;
  connected(): number;
  receipts(): number;
  /** Resolves when every simulator reports all its vehicles connected, in a report taken at or after `since`. */
  allConnected(timeoutMs: number, since?: number): Promise<number>;
}

export function collectVehicleReports(sims: Child[], onFailure: (why: string) => void): VehicleReports {
  const first = new Map<string, OrderReceipt>();
  const all: OrderReceipt[] = [];
  const states = new Map<string, { at: number; count: number }[]>();
  const latest = new Map<string, { connected: number; vehicles: number; at: number }>();
  const waiters = new Set<() => void>();

  const onMessage = (sim: Child) => (message: SimMessage) => {
    if (message.type === 'failed') return onFailure(`${sim.name}: ${message.error}`);
    for (const r of message.receipts) {
      all.push(r);
      const seen = first.get(r.jobId);
      if (!seen || r.receivedAt < seen.receivedAt) first.set(r.jobId, r);
    }
    states.set(sim.name, [...(states.get(sim.name) ?? []), { at: message.at, count: message.statesSent }]);
    latest.set(sim.name, { connected: message.connected, vehicles: message.vehicles, at: message.at });
    waiters.forEach((wake) => wake());
  };
  for (const sim of sims) sim.process.on('message', onMessage(sim));

  const isAllConnected = (since: number) => latest.size === sims.length && [...latest.values()].every((s) => s.at >= since && s.connected === s.vehicles);
  return {
    firstOrderOf: (jobId) => first.get(jobId),
    duplicates: () => duplicateExecutions(all),
    statesSentPerSecond: (from, to) => [...states.values()].reduce((sum, reports) => sum + rateOver(reports, from, to), 0),
    connected: () => [...latest.values()].reduce((n, s) => n + s.connected, 0),
    receipts: () => all.length,
    allConnected: (timeoutMs, since = 0) =>
      new Promise((resolve, reject) => {
        const done = () => {
          if (!isAllConnected(since)) return;
          waiters.delete(done);
          clearTimeout(timer);
          resolve(Date.now());
        };
        const timer = setTimeout(() => {
          waiters.delete(done);
          reject(new Error(`vehicles not all connected after ${timeoutMs} ms (${[...latest.values()].reduce((n, s) => n + s.connected, 0)} connected)`));
        }, timeoutMs);
        waiters.add(done);
        done();
      }),
  };
}

/** One simulator's rate: the messages of the reports in [from, to) over the time those reports cover. */
export function rateOver(reports: readonly { at: number; count: number }[], from: number, to: number): number {
  const inside = reports.filter((r) => r.at >= from && r.at < to);
  const before = reports.filter((r) => r.at < from).at(-1);
  if (inside.length === 0 || (!before && inside.length < 2)) return 0;
  const counted = before ? inside : inside.slice(1);
  const spanMs = inside.at(-1)!.at - (before ?? inside[0]!).at;
  return spanMs > 0 ? (counted.reduce((n, r) => n + r.count, 0) * 1_000) / spanMs : 0;
}
