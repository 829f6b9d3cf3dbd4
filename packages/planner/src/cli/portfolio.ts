/**
 * Runs independent seeds of the same problem on worker threads (one per core by default) and keeps the
 * cheapest plan. The wall-clock budget counts from the call, so it is that of one run. A portfolio keeps
 * its workers warm between problems (a benchmark or a service solves many); `solvePortfolio` is the
 * one-shot form.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Plan, PlanProblem } from '../model.js';

export interface PortfolioOptions {
  readonly timeLimitMs: number;
  readonly seed: number;
  readonly threads?: number;
  readonly maxIterations?: number;
}

export interface Portfolio {
  solve(problem: PlanProblem, options: PortfolioOptions): Promise<Plan>;
  close(): Promise<void>;
}

/** Room left for posting the plan back within the caller's budget. */
const HANDBACK_MS = 100;

export function createPortfolio(threads = availableParallelism()): Portfolio {
  const workers = Array.from({ length: Math.max(1, threads) }, () => new Worker(new URL('./solve-worker.js', import.meta.url)));
  return {
    async solve(problem, options) {
      const deadline = Date.now() + options.timeLimitMs - HANDBACK_MS;
      const plans = await Promise.all(workers.map((w, k) => ask(w, { problem, options: { ...options, seed: options.seed + k }, deadline })));
      return plans.reduce((best, p) => (p.cost < best.cost ? p : best));
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

export async function solvePortfolio(problem: PlanProblem, options: PortfolioOptions): Promise<Plan> {
  const portfolio = createPortfolio(options.threads);
  try {
    return await portfolio.solve(problem, options);
  } finally {
    await portfolio.close();
  }
}

function ask(worker: Worker, request: { problem: PlanProblem; options: PortfolioOptions; deadline: number }): Promise<Plan> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      worker.off('message', onMessage);
      reject(err);
    };
    const onMessage = (reply: { plan?: Plan; error?: string }): void => {
      worker.off('error', onError);
      if (reply.plan) resolve(reply.plan);
      else reject(new Error(`planner worker failed: ${reply.error ?? 'no plan'}`));
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(request);
  });
}
